/*
 * auth.h: bearer tokens: their format, issuing and checking.
 *
 * A token is "ent_" followed by the base64url (no padding) of 40 random
 * bytes: an 8-byte public id and 32 secret bytes.  The store keeps the id
 * and the SHA-256 of all 40 bytes; checking recomputes the hash and compares
 * it in constant time.  Clients send a token as "Authorization: Bearer T",
 * "Token T" or as the password of HTTP Basic whose user is the party name.
 */
#ifndef ENTENTE_HTTP_AUTH_H
#define ENTENTE_HTTP_AUTH_H

#include "store/store.h"
#include "util/err.h"

#define AUTH_TOKEN_LEN	58	/* "ent_" + 54 */

/*
 * Issue a token for party_id: store its id and hash, write the token
 * (NUL-terminated) into out.  ERR_CRYPTO, ERR_DB; out is wiped on failure.
 */
enum err auth_token_new(struct store *st, int64_t party_id,
    char out[AUTH_TOKEN_LEN + 1]) WUR;

/*
 * Authenticate an Authorization header value (NULL when absent).  On
 * success fill *party.  ERR_AUTH for a missing, malformed, unknown or
 * revoked credential; ERR_DB when the store fails.
 */
enum err auth_check(struct store *st, const char *authorization,
    struct store_party *party) WUR;

#endif
