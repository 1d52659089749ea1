#include <string.h>
#include <strings.h>

#include "crypto/crypto.h"
#include "http/auth.h"

#define TOKEN_RAW	(STORE_TOKEN_ID_BYTES + 32)

enum err
auth_token_new(struct store *st, int64_t party_id,
    char out[AUTH_TOKEN_LEN + 1])
{
	uint8_t raw[TOKEN_RAW], hash[CRYPTO_SHA256_BYTES];
	char b64[CRYPTO_B64_LEN(TOKEN_RAW) + 1];
	enum err err;

	if ((err = crypto_random(raw, sizeof(raw))) != ERR_OK)
		goto out;
	crypto_sha256(raw, sizeof(raw), hash);
	err = crypto_b64_encode(raw, sizeof(raw), 1, b64, sizeof(b64));
	if (err != ERR_OK)
		goto out;
	if (strlen(b64) != AUTH_TOKEN_LEN - 4) {
		err = ERR_CRYPTO;
		goto out;
	}
	memcpy(out, "ent_", 4);
	memcpy(out + 4, b64, AUTH_TOKEN_LEN - 4 + 1);
	err = store_token_add(st, party_id, raw, hash);
out:
	crypto_wipe(raw, sizeof(raw));
	crypto_wipe(b64, sizeof(b64));
	if (err != ERR_OK)
		crypto_wipe(out, AUTH_TOKEN_LEN + 1);
	return err;
}

/* Check token t[0..len); on success *party_id is its party. */
static enum err
check_token(struct store *st, const char *t, size_t len, int64_t *party_id)
{
	uint8_t raw[TOKEN_RAW + 3], hash[CRYPTO_SHA256_BYTES];
	uint8_t stored[STORE_SHA256_BYTES];
	size_t n = 0;
	enum err err;

	if (len != AUTH_TOKEN_LEN || memcmp(t, "ent_", 4) != 0)
		return ERR_AUTH;
	if (crypto_b64_decode(t + 4, len - 4, 1, raw, sizeof(raw), &n) !=
	    ERR_OK || n != TOKEN_RAW) {
		err = ERR_AUTH;
		goto out;
	}
	err = store_token_lookup(st, raw, party_id, stored);
	if (err == ERR_NOTFOUND) {
		err = ERR_AUTH;
		goto out;
	}
	if (err != ERR_OK)
		goto out;
	crypto_sha256(raw, TOKEN_RAW, hash);
	err = crypto_memeq(hash, stored, sizeof(hash)) ? ERR_OK : ERR_AUTH;
out:
	crypto_wipe(raw, sizeof(raw));
	return err;
}

enum err
auth_check(struct store *st, const char *h, struct store_party *party)
{
	char basic[256];
	size_t n = 0, tlen;
	const char *t, *colon = NULL;
	int64_t pid;
	int is_basic = 0;
	enum err err;

	if (h == NULL)
		return ERR_AUTH;
	if (strncasecmp(h, "Bearer ", 7) == 0)
		t = h + 7;
	else if (strncasecmp(h, "Token ", 6) == 0)
		t = h + 6;
	else if (strncasecmp(h, "Basic ", 6) == 0) {
		const char *b = h + 6;
		while (*b == ' ')
			b++;
		if (crypto_b64_decode(b, strlen(b), 0, (uint8_t *)basic,
		    sizeof(basic) - 1, &n) != ERR_OK)
			return ERR_AUTH;
		basic[n] = '\0';
		is_basic = 1;
		t = basic;
	} else
		return ERR_AUTH;
	if (is_basic) {
		if ((colon = memchr(basic, ':', n)) == NULL) {
			err = ERR_AUTH;
			goto out;
		}
		t = colon + 1;
		tlen = n - (size_t)(t - basic);
	} else {
		while (*t == ' ')
			t++;
		tlen = strlen(t);
		while (tlen > 0 && t[tlen - 1] == ' ')
			tlen--;
	}
	if ((err = check_token(st, t, tlen, &pid)) != ERR_OK)
		goto out;
	err = store_party_get(st, pid, party);
	if (err == ERR_NOTFOUND)
		err = ERR_AUTH;
	if (err == ERR_OK && is_basic) {
		/* The user name must be the token's party. */
		size_t ul = colon != NULL ? (size_t)(colon - basic) : 0;
		if (ul != strlen(party->name) ||
		    memcmp(basic, party->name, ul) != 0)
			err = ERR_AUTH;
	}
out:
	crypto_wipe(basic, sizeof(basic));
	return err;
}
