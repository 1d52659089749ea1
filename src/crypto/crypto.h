/*
 * crypto.h: every cryptographic primitive entente uses, on one stack
 * (GnuTLS + Nettle; docs/internals/CRYPTO.md says why not libsodium).
 *
 * Hashing (SHA-256 with the CPU's SHA extensions), HMAC, Ed25519 keys and
 * signatures, constant-time comparison, secret memory, random bytes, base64
 * and the self-signed TLS certificate made by `init`.  No I/O except the key
 * file helpers, which refuse key files readable by anyone but the owner.
 */
#ifndef ENTENTE_CRYPTO_CRYPTO_H
#define ENTENTE_CRYPTO_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>

#include "util/err.h"

#define CRYPTO_SHA256_BYTES		32
#define CRYPTO_ED25519_PUBLIC_BYTES	32
#define CRYPTO_ED25519_SECRET_BYTES	32	/* the seed */
#define CRYPTO_ED25519_SIG_BYTES	64

/* Check the libraries are usable.  Call once at start-up. */
enum err crypto_init(void) WUR;

/* Fill buf with len bytes from the kernel CSPRNG (getrandom).  ERR_CRYPTO. */
enum err crypto_random(void *buf, size_t len) WUR;

/*
 * The RFC 4122 version 5 (SHA-1 name-based) UUID of name[0..len) in the
 * namespace ns, as 16 bytes.  SHA-1 only derives an identifier here;
 * nothing relies on its collision resistance.  Can't fail.
 */
void crypto_uuid5(const uint8_t ns[16], const void *name, size_t len,
    uint8_t out[16]);

/* SHA-256 of p[0..len) into out.  Can't fail. */
void crypto_sha256(const void *p, size_t len,
    uint8_t out[CRYPTO_SHA256_BYTES]);

/*
 * Incremental SHA-256, for hashing pieces without concatenating them (RFC
 * 9162 leaf and node hashes).  The context lives wherever the caller puts
 * it; final writes the digest and wipes the context, which may then be
 * initialized again.  None of these can fail.
 */
struct crypto_sha256 {
	struct sha256_ctx	ctx;
};
void crypto_sha256_init(struct crypto_sha256 *h);
void crypto_sha256_update(struct crypto_sha256 *h, const void *p,
    size_t len);
void crypto_sha256_final(struct crypto_sha256 *h,
    uint8_t out[CRYPTO_SHA256_BYTES]);

/* HMAC-SHA-256.  Can't fail. */
void crypto_hmac_sha256(const void *key, size_t key_len, const void *p,
    size_t len, uint8_t out[CRYPTO_SHA256_BYTES]);

/* Constant-time equality of two n-byte strings: 1 if equal, else 0. */
int crypto_memeq(const void *a, const void *b, size_t n);

/* Overwrite n bytes at p with zeros in a way the compiler keeps. */
void crypto_wipe(void *p, size_t n);

/*
 * Secret memory (after sodium_malloc): its own page-aligned mapping,
 * mlock'ed where allowed, excluded from core dumps, guarded by PROT_NONE
 * pages, wiped on free.  The pointer is 16-byte aligned and placed so the
 * block ends against the trailing guard page; canaries around it are
 * checked on free, and a mismatch or a pointer that did not come from
 * crypto_secret_alloc aborts.  crypto_secret_alloc returns NULL on failure
 * or when len is 0.  The region starts readable and writable;
 * crypto_secret_lock makes it inaccessible between uses and
 * crypto_secret_unlock readable and writable again (ERR_NOMEM when the
 * kernel refuses).  crypto_secret_free(NULL) does nothing.
 */
void *crypto_secret_alloc(size_t len);
void crypto_secret_free(void *p);
enum err crypto_secret_lock(void *p) WUR;
enum err crypto_secret_unlock(void *p) WUR;

/*
 * Ed25519 (RFC 8032, pure).  A secret key is its 32-byte seed.  keypair
 * draws a seed from crypto_random (ERR_CRYPTO, both outputs zeroed).  sign
 * derives the public key from the seed itself and signs with that one: pub
 * is accepted for compatibility but never trusted, since signing with a
 * mismatched public key leaks the secret.
 */
enum err crypto_ed25519_keypair(uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES],
    uint8_t seed[CRYPTO_ED25519_SECRET_BYTES]) WUR;
void crypto_ed25519_public(const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES],
    uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES]);
void crypto_ed25519_sign(const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES],
    const uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES], const void *msg,
    size_t len, uint8_t sig[CRYPTO_ED25519_SIG_BYTES]);
/*
 * ERR_OK when sig is a valid signature of msg by pub, else ERR_CRYPTO.
 * Non-canonical signatures (S >= the group order) are refused.
 */
enum err crypto_ed25519_verify(const uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES],
    const void *msg, size_t len,
    const uint8_t sig[CRYPTO_ED25519_SIG_BYTES]) WUR;

/*
 * Base64, RFC 4648.  url != 0 selects the URL-safe alphabet without padding.
 * crypto_b64_encode writes a NUL-terminated string; out_cap must be at least
 * CRYPTO_B64_LEN(len) + 1, else ERR_TOOBIG.  crypto_b64_decode accepts
 * exactly the canonical form (padding required for the standard alphabet,
 * forbidden for the URL one); ERR_PARSE on anything else, ERR_TOOBIG when
 * out_cap is too small.  *out_len = 0 on failure.
 */
#define CRYPTO_B64_LEN(n) ((((n) + 2) / 3) * 4)
enum err crypto_b64_encode(const void *p, size_t len, int url, char *out,
    size_t out_cap) WUR;
enum err crypto_b64_decode(const char *s, size_t len, int url, uint8_t *out,
    size_t out_cap, size_t *out_len) WUR;

/*
 * Write the Ed25519 seed to path with mode 0600 (O_EXCL: never overwrite,
 * ERR_EXISTS; O_NOFOLLOW), fsync'ed; on ERR_IO no file is left behind.
 * Read it back, refusing (ERR_FORBIDDEN) a symbolic link or a file whose
 * mode grants group or other any access, or that is not a regular file of
 * exactly the right size and form (ERR_PARSE); ERR_NOTFOUND, ERR_IO.  On
 * failure seed is zeroed.  The file holds the standard base64 of the seed
 * and a newline.
 */
enum err crypto_key_save(const char *path,
    const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES]) WUR;
enum err crypto_key_load(const char *path,
    uint8_t seed[CRYPTO_ED25519_SECRET_BYTES]) WUR;

/*
 * Make a self-signed TLS certificate (ECDSA P-256, SHA-256, 10 years,
 * subject CN=cn, SAN cn (DNS name, or IP address when cn is one),
 * "localhost", 127.0.0.1 and ::1; serverAuth, not a CA) and write the
 * certificate PEM to cert_path (0644) and the PKCS#8 key PEM to key_path
 * (0600), both O_EXCL.  ERR_INVALID for a cn that is not a host name or
 * address of at most 64 bytes, ERR_EXISTS, ERR_IO, ERR_CRYPTO.  On failure
 * neither file is left behind.
 */
enum err crypto_tls_selfsigned(const char *cn, const char *cert_path,
    const char *key_path) WUR;

/*
 * Write to out the pin of the PEM certificate at cert_path: the standard
 * base64 of the SHA-256 of its DER SubjectPublicKeyInfo (what libcurl's
 * "sha256//" pinned public keys hold).  ERR_IO when the file cannot be
 * read, ERR_CRYPTO when it is not a certificate.
 */
#define CRYPTO_TLS_PIN_LEN	CRYPTO_B64_LEN(32)
enum err crypto_tls_pin(const char *cert_path,
    char out[CRYPTO_TLS_PIN_LEN + 1]) WUR;

#endif
