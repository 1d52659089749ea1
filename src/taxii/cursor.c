/*
 * cursor.c: the opaque `next` token of TAXII pagination.
 *
 * Layout before base64url: version (1 byte) | last date added (8 bytes, big
 * endian) | query digest (16 bytes) | HMAC-SHA-256 of the previous 25 bytes
 * truncated to 16 bytes.  41 bytes, 55 characters.  The digest binds the
 * cursor to the query it was issued for; the MAC makes it unforgeable; the
 * key lives in the database, so cursors survive restarts and need no server
 * memory.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "taxii/taxii.h"

#define CURSOR_VERSION	1
#define CURSOR_RAW	41
#define CURSOR_MACLEN	16

enum err
taxii_cursor_make(const uint8_t key[TAXII_CURSOR_KEY_BYTES],
    const uint8_t query_digest[16], int64_t last_date_added,
    char out[TAXII_CURSOR_LEN + 1])
{
	uint8_t raw[CURSOR_RAW], mac[CRYPTO_SHA256_BYTES];
	char b64[CRYPTO_B64_LEN(CURSOR_RAW) + 1];
	uint64_t v = (uint64_t)last_date_added;
	enum err err;

	raw[0] = CURSOR_VERSION;
	for (int i = 0; i < 8; i++)
		raw[1 + i] = (uint8_t)(v >> (56 - 8 * i));
	memcpy(raw + 9, query_digest, 16);
	crypto_hmac_sha256(key, TAXII_CURSOR_KEY_BYTES, raw, 25, mac);
	memcpy(raw + 25, mac, CURSOR_MACLEN);
	err = crypto_b64_encode(raw, sizeof(raw), 1, b64, sizeof(b64));
	if (err != ERR_OK)
		return err;
	if (strlen(b64) != TAXII_CURSOR_LEN)
		return ERR_CRYPTO;
	memcpy(out, b64, TAXII_CURSOR_LEN + 1);
	return ERR_OK;
}

enum err
taxii_cursor_check(const uint8_t key[TAXII_CURSOR_KEY_BYTES],
    const uint8_t query_digest[16], const char *s, int64_t *last_date_added)
{
	uint8_t raw[CURSOR_RAW + 2], mac[CRYPTO_SHA256_BYTES];
	size_t n = 0;
	uint64_t v = 0;

	if (strlen(s) != TAXII_CURSOR_LEN ||
	    crypto_b64_decode(s, TAXII_CURSOR_LEN, 1, raw, sizeof(raw), &n) !=
	    ERR_OK || n != CURSOR_RAW || raw[0] != CURSOR_VERSION)
		return ERR_PARSE;
	crypto_hmac_sha256(key, TAXII_CURSOR_KEY_BYTES, raw, 25, mac);
	if (!crypto_memeq(mac, raw + 25, CURSOR_MACLEN))
		return ERR_PARSE;
	if (!crypto_memeq(query_digest, raw + 9, 16))
		return ERR_PARSE;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | raw[1 + i];
	*last_date_added = (int64_t)v;
	return ERR_OK;
}
