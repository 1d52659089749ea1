/*
 * agreement_int.h: helpers shared by the files of the agreement code
 * (agreement.c, agreement_sign.c, agreement_stix.c, duration.c).  Not for
 * use outside src/policy/.
 */
#ifndef ENTENTE_POLICY_AGREEMENT_INT_H
#define ENTENTE_POLICY_AGREEMENT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "policy/agreement.h"

/* Longest excerpt of outside text quoted in a problem line. */
#define AGREEMENT_EXCERPT_MAX	40u

/* Add one formatted line to r (may be NULL); past the cap, count it. */
void agreement_report_add(struct agreement_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Copy at most AGREEMENT_EXCERPT_MAX bytes of s[0..len) into out (cap >=
 * AGREEMENT_EXCERPT_MAX + 4), replacing anything but printable ASCII with
 * '?' and marking a cut with "...".  Can't fail.
 */
void agreement_excerpt(char *out, size_t cap, const char *s, size_t len);

/* SHA-256 of the RFC 8785 form of v (borrowed).  ERR_NOMEM, ERR_TOOBIG,
 * ERR_INVALID as jcs_serialize. */
enum err agreement_hash_json(const json_t *v,
    uint8_t out[CRYPTO_SHA256_BYTES]) WUR;

/* The UUIDv5 of name[0..len) in namespace AGREEMENT_UUID_NAMESPACE, lower
 * case.  Can't fail. */
void agreement_uuid5(const char *name, size_t len,
    char out[UUID_STRLEN + 1]);

/* Standard base64 of a public key into out.  Can't fail. */
void agreement_key_b64(const uint8_t key[CRYPTO_ED25519_PUBLIC_BYTES],
    char out[AGREEMENT_KEY_B64_LEN + 1]);
/* Decode the standard base64 of exactly n bytes; 1 on success, else 0. */
int agreement_b64_exact(const char *s, size_t len, uint8_t *out, size_t n);

/* 1 when s is "agreement--" and a lower-case UUID. */
int agreement_id_ok(const char *s, size_t len);

#endif
