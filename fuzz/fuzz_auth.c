/*
 * fuzz_auth.c: libFuzzer harness for the Authorization header parser
 * (http/auth.c): each input, up to its first NUL, is the header value.
 *
 * A temporary database with one party ("fuzz-party") and one token for it
 * is made once and removed at exit.
 *
 * Invariants checked, abort() on violation:
 * - the result is ERR_OK or ERR_AUTH (the store never fails here);
 * - ERR_OK only for a header that carries the one real token: "Bearer T",
 *   "Token T" (scheme in any case, spaces around T) or Basic whose
 *   credentials decode to "fuzz-party:T"; and then the party is that party;
 * - the known good forms are accepted on every run (the state is intact).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "http/auth.h"
#include "store/store.h"

static struct {
	char		 dir[256];
	char		 path[300];
	struct store	*st;
	int64_t		 party;
	char		 token[AUTH_TOKEN_LEN + 1];
	char		 basic[256];
	char		 cred[128];	/* "fuzz-party:TOKEN" */
} fz;

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
cleanup(void)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char p[340];

	store_close(fz.st);
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		(void)snprintf(p, sizeof(p), "%s%s", fz.path, sfx[i]);
		(void)unlink(p);
	}
	(void)rmdir(fz.dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t pub[32] = { 7 };

	(void)argc;
	(void)argv;
	if (crypto_init() != ERR_OK)
		abort();
	(void)snprintf(fz.dir, sizeof(fz.dir), "/tmp/fuzz_auth.XXXXXX");
	if (mkdtemp(fz.dir) == NULL)
		abort();
	(void)snprintf(fz.path, sizeof(fz.path), "%s/db", fz.dir);
	if (store_open(fz.path, STORE_CREATE, &fz.st) != ERR_OK ||
	    store_party_add(fz.st, "fuzz-party", pub, STORE_ROLE_PARTNER,
	    &fz.party) != ERR_OK ||
	    auth_token_new(fz.st, fz.party, fz.token) != ERR_OK)
		abort();
	(void)snprintf(fz.cred, sizeof(fz.cred), "fuzz-party:%s", fz.token);
	memcpy(fz.basic, "Basic ", 6);
	if (crypto_b64_encode(fz.cred, strlen(fz.cred), 0, fz.basic + 6,
	    sizeof(fz.basic) - 6) != ERR_OK)
		abort();
	atexit(cleanup);
	return 0;
}

/* Does h carry the real token in one of the accepted forms? */
static int
carries_token(const char *h)
{
	const char *t;
	size_t n;

	if (strncasecmp(h, "Basic ", 6) == 0) {
		uint8_t dec[256];
		size_t dn = 0;

		t = h + 6;
		while (*t == ' ')
			t++;
		return crypto_b64_decode(t, strlen(t), 0, dec, sizeof(dec),
		    &dn) == ERR_OK && dn == strlen(fz.cred) &&
		    memcmp(dec, fz.cred, dn) == 0;
	}
	if (strncasecmp(h, "Bearer ", 7) == 0)
		t = h + 7;
	else if (strncasecmp(h, "Token ", 6) == 0)
		t = h + 6;
	else
		return 0;
	while (*t == ' ')
		t++;
	n = strlen(t);
	while (n > 0 && t[n - 1] == ' ')
		n--;
	return n == AUTH_TOKEN_LEN && memcmp(t, fz.token, n) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_party p;
	char *h;
	char good[AUTH_TOKEN_LEN + 16];
	enum err err;

	if ((h = malloc(size + 1)) == NULL)
		return 0;
	memcpy(h, data, size);
	h[size] = '\0';
	err = auth_check(fz.st, h, &p);
	if (err != ERR_OK && err != ERR_AUTH)
		abort();
	if (err == ERR_OK && (!carries_token(h) || p.id != fz.party))
		abort();
	free(h);
	(void)snprintf(good, sizeof(good), "Bearer %s", fz.token);
	if (auth_check(fz.st, good, &p) != ERR_OK ||
	    auth_check(fz.st, fz.basic, &p) != ERR_OK)
		abort();
	return 0;
}
