/*
 * crypto.c: the primitives of crypto.h on Nettle, plus library start-up.
 *
 * Hashing, HMAC, Ed25519, constant-time comparison, wiping, the kernel
 * CSPRNG and strict base64.  Secret memory is in crypto_secret.c, files
 * (key files, the self-signed certificate) in crypto_file.c.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <gnutls/gnutls.h>
#include <nettle/base64.h>
#include <nettle/eddsa.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <nettle/version.h>

#include "crypto/crypto_int.h"

/* Oldest library versions with everything used here. */
#define CRYPTO_GNUTLS_MIN	"3.6.0"
#define CRYPTO_NETTLE_MAJOR	3
#define CRYPTO_NETTLE_MINOR	4

/* getrandom(2) returns at most this much per call. */
#define CRYPTO_GETRANDOM_MAX	33554431u

/* The Ed25519 group order L, little-endian, as signatures encode S. */
static const uint8_t ed25519_order[32] = {
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
	0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

/*
 * Known answers checked at start-up: a library that computes SHA-256 or
 * Ed25519 wrongly must not sign a log.  SHA-256("abc") from FIPS 180-2.
 */
static const uint8_t kat_sha256_abc[CRYPTO_SHA256_BYTES] = {
	0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
	0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
	0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
	0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};

/* RFC 8032 section 7.1, TEST 1: seed and public key. */
static const uint8_t kat_ed_seed[32] = {
	0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60,
	0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
	0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19,
	0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
};
static const uint8_t kat_ed_pub[32] = {
	0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7,
	0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
	0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25,
	0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
};

/* Check versions, start GnuTLS, run the known-answer tests. */
enum err
crypto_init(void)
{
	uint8_t md[CRYPTO_SHA256_BYTES], pub[32], sig[64];
	uint8_t r;

	if (gnutls_check_version(CRYPTO_GNUTLS_MIN) == NULL)
		return ERR_UNSUPPORTED;
	if (nettle_version_major() < CRYPTO_NETTLE_MAJOR ||
	    (nettle_version_major() == CRYPTO_NETTLE_MAJOR &&
	    nettle_version_minor() < CRYPTO_NETTLE_MINOR))
		return ERR_UNSUPPORTED;
	if (gnutls_global_init() < 0)
		return ERR_CRYPTO;
	if (crypto_random(&r, sizeof(r)) != ERR_OK)
		return ERR_CRYPTO;

	crypto_sha256("abc", 3, md);
	if (!crypto_memeq(md, kat_sha256_abc, sizeof(md)))
		return ERR_CRYPTO;
	crypto_ed25519_public(kat_ed_seed, pub);
	if (!crypto_memeq(pub, kat_ed_pub, sizeof(pub)))
		return ERR_CRYPTO;
	crypto_ed25519_sign(kat_ed_seed, pub, "", 0, sig);
	if (crypto_ed25519_verify(pub, "", 0, sig) != ERR_OK)
		return ERR_CRYPTO;
	sig[0] ^= 1;
	if (crypto_ed25519_verify(pub, "", 0, sig) == ERR_OK)
		return ERR_CRYPTO;
	return ERR_OK;
}

/* Fill buf from getrandom(2); ERR_CRYPTO with buf zeroed. */
enum err
crypto_random(void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t off = 0, n;
	ssize_t got;

	while (off < len) {
		n = len - off;
		if (n > CRYPTO_GETRANDOM_MAX)
			n = CRYPTO_GETRANDOM_MAX;
		got = getrandom(p + off, n, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			crypto_wipe(buf, len);
			return ERR_CRYPTO;
		}
		off += (size_t)got;
	}
	return ERR_OK;
}

/* One-shot SHA-256.  Can't fail. */
void
crypto_sha256(const void *p, size_t len, uint8_t out[CRYPTO_SHA256_BYTES])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, p);
	sha256_digest(&ctx, CRYPTO_SHA256_BYTES, out);
}

/* UUIDv5.  See crypto.h. */
void
crypto_uuid5(const uint8_t ns[16], const void *name, size_t len,
    uint8_t out[16])
{
	uint8_t dig[SHA1_DIGEST_SIZE];
	struct sha1_ctx ctx;

	sha1_init(&ctx);
	sha1_update(&ctx, 16, ns);
	sha1_update(&ctx, len, name);
	sha1_digest(&ctx, sizeof(dig), dig);
	dig[6] = (uint8_t)((dig[6] & 0x0f) | 0x50);	/* version 5 */
	dig[8] = (uint8_t)((dig[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	memcpy(out, dig, 16);
}

/* Start an incremental SHA-256.  Can't fail. */
void
crypto_sha256_init(struct crypto_sha256 *h)
{
	sha256_init(&h->ctx);
}

/* Hash len more bytes.  Can't fail. */
void
crypto_sha256_update(struct crypto_sha256 *h, const void *p, size_t len)
{
	sha256_update(&h->ctx, len, p);
}

/* Write the digest and wipe the context.  Can't fail. */
void
crypto_sha256_final(struct crypto_sha256 *h, uint8_t out[CRYPTO_SHA256_BYTES])
{
	sha256_digest(&h->ctx, CRYPTO_SHA256_BYTES, out);
	crypto_wipe(h, sizeof(*h));
}

/* HMAC-SHA-256, the keyed context wiped afterwards.  Can't fail. */
void
crypto_hmac_sha256(const void *key, size_t key_len, const void *p, size_t len,
    uint8_t out[CRYPTO_SHA256_BYTES])
{
	struct hmac_sha256_ctx ctx;

	hmac_sha256_set_key(&ctx, key_len, key);
	hmac_sha256_update(&ctx, len, p);
	hmac_sha256_digest(&ctx, CRYPTO_SHA256_BYTES, out);
	/* The context holds the padded key: it is a secret. */
	crypto_wipe(&ctx, sizeof(ctx));
}

/* 1 when equal, in time independent of the contents.  Can't fail. */
int
crypto_memeq(const void *a, const void *b, size_t n)
{
	return memeql_sec(a, b, n) != 0;
}

/* Zero n bytes in a way the compiler keeps.  Can't fail. */
void
crypto_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

/* New random seed and its public key; ERR_CRYPTO, both zeroed. */
enum err
crypto_ed25519_keypair(uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES],
    uint8_t seed[CRYPTO_ED25519_SECRET_BYTES])
{
	if (crypto_random(seed, CRYPTO_ED25519_SECRET_BYTES) != ERR_OK) {
		crypto_wipe(pub, CRYPTO_ED25519_PUBLIC_BYTES);
		return ERR_CRYPTO;
	}
	crypto_ed25519_public(seed, pub);
	return ERR_OK;
}

/* Public key of a seed.  Can't fail. */
void
crypto_ed25519_public(const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES],
    uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES])
{
	ed25519_sha512_public_key(pub, seed);
}

/* Sign msg with seed, under the public key derived here.  Can't fail. */
void
crypto_ed25519_sign(const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES],
    const uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES], const void *msg,
    size_t len, uint8_t sig[CRYPTO_ED25519_SIG_BYTES])
{
	uint8_t derived[CRYPTO_ED25519_PUBLIC_BYTES];

	/*
	 * Nettle hashes the public key it is given into the challenge.  A
	 * caller-supplied key that does not match the seed would produce two
	 * signatures with one nonce and different challenges, from which the
	 * secret scalar follows; so the key is always derived here.
	 */
	(void)pub;
	ed25519_sha512_public_key(derived, seed);
	ed25519_sha512_sign(derived, seed, len, msg, sig);
	crypto_wipe(derived, sizeof(derived));
}

/* 1 when the little-endian S half of a signature is below the order. */
static int
ed25519_s_canonical(const uint8_t s[32])
{
	int i;

	for (i = 31; i >= 0; i--) {
		if (s[i] != ed25519_order[i])
			return s[i] < ed25519_order[i];
	}
	return 0;	/* S == L */
}

/* ERR_OK for a valid, canonical signature, else ERR_CRYPTO. */
enum err
crypto_ed25519_verify(const uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES],
    const void *msg, size_t len, const uint8_t sig[CRYPTO_ED25519_SIG_BYTES])
{
	/* Public data: no need for constant time. */
	if (!ed25519_s_canonical(sig + 32))
		return ERR_CRYPTO;
	if (ed25519_sha512_verify(pub, len, msg, sig) != 1)
		return ERR_CRYPTO;
	return ERR_OK;
}

/* 1 when c belongs to the chosen base64 alphabet (padding excluded). */
static int
b64_char_ok(unsigned char c, int url)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	if (url)
		return c == '-' || c == '_';
	return c == '+' || c == '/';
}

/* Base64 of p[0..len) into out, NUL-terminated; ERR_TOOBIG (see crypto.h). */
enum err
crypto_b64_encode(const void *p, size_t len, int url, char *out,
    size_t out_cap)
{
	struct base64_encode_ctx ctx;
	size_t need, n;

	if (out == NULL || out_cap == 0)
		return ERR_TOOBIG;
	out[0] = '\0';
	if (len / 3 >= (SIZE_MAX - 5) / 4)
		return ERR_TOOBIG;
	need = len / 3 * 4 + (len % 3 != 0 ? 4 : 0);
	if (out_cap <= need)
		return ERR_TOOBIG;

	if (url)
		base64url_encode_init(&ctx);
	else
		base64_encode_init(&ctx);
	n = base64_encode_update(&ctx, out, len, p);
	n += base64_encode_final(&ctx, out + n);
	if (n != need) {	/* cannot happen with a sane Nettle */
		out[0] = '\0';
		return ERR_CRYPTO;
	}
	if (url)
		while (n > 0 && out[n - 1] == '=')
			n--;
	out[n] = '\0';
	return ERR_OK;
}

/* Strict canonical base64 decoding; ERR_PARSE, ERR_TOOBIG (see crypto.h). */
enum err
crypto_b64_decode(const char *s, size_t len, int url, uint8_t *out,
    size_t out_cap, size_t *out_len)
{
	struct base64_decode_ctx ctx;
	uint8_t tmp[3];
	size_t i, m, pad = 0, want, chunk, n, got = 0;
	enum err err = ERR_PARSE;

	*out_len = 0;
	if (s == NULL && len > 0)
		return ERR_PARSE;

	/* Shape first: length, padding, alphabet; Nettle is lenient. */
	if (url) {
		if (len % 4 == 1)
			return ERR_PARSE;
	} else {
		if (len % 4 != 0)
			return ERR_PARSE;
		if (len >= 1 && s[len - 1] == '=')
			pad++;
		if (len >= 2 && s[len - 2] == '=')
			pad++;
	}
	m = len - pad;
	if (m % 4 == 1)
		return ERR_PARSE;
	for (i = 0; i < m; i++)
		if (!b64_char_ok((unsigned char)s[i], url))
			return ERR_PARSE;
	want = m / 4 * 3 + (m % 4 == 0 ? 0 : m % 4 - 1);
	if (want > out_cap || (want > 0 && out == NULL))
		return ERR_TOOBIG;

	/*
	 * Quad by quad into a 3-byte buffer, so Nettle never writes past
	 * out_cap.  The URL form gets its padding back before the end: Nettle
	 * checks the unused low bits of the last character only when padding
	 * follows, and that check is what makes decoding canonical.
	 */
	if (url)
		base64url_decode_init(&ctx);
	else
		base64_decode_init(&ctx);
	for (i = 0; i < len; i += chunk) {
		chunk = len - i < 4 ? len - i : 4;
		if (!base64_decode_update(&ctx, &n, tmp, chunk, s + i))
			goto out;
		if (n > want - got)
			goto out;
		memcpy(out + got, tmp, n);
		got += n;
	}
	if (url && m % 4 != 0) {
		if (!base64_decode_update(&ctx, &n, tmp, 4 - m % 4, "=="))
			goto out;
		if (n != 0)
			goto out;
	}
	if (!base64_decode_final(&ctx) || got != want)
		goto out;
	*out_len = got;
	err = ERR_OK;
out:
	crypto_wipe(tmp, sizeof(tmp));
	crypto_wipe(&ctx, sizeof(ctx));
	if (err != ERR_OK)
		crypto_wipe(out, got);
	return err;
}
