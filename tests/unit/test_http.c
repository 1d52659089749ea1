/*
 * test_http.c: the parts of http/ that need no socket: media type checks
 * (mediatype.c), the enum err to TAXII error table (errmap.c) and bearer
 * tokens (auth.c) against a fresh store in a mkdtemp directory.
 */
#include "testutil.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

#include "crypto/crypto.h"
#include "http/auth.h"
#include "http/http.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/jsonmem.h"
#include "util/log.h"

/* -- media types */

static void
test_accept(void **state)
{
	static const char *const yes[] = {
		"",
		"   ",
		"*/*",
		" */* ",
		"application/*",
		"application/taxii+json;version=2.1",
		"application/taxii+json",
		"application/taxii+json ; version = 2.1 ",
		"  application/taxii+json;version=2.1",
		"APPLICATION/TAXII+JSON;VERSION=2.1",
		"Application/Taxii+Json; Version=2.1",
		"application/taxii+json;version=\"2.1\"",
		"application/taxii+json; charset=utf-8; version=2.1",
		"application/taxii+json;version=2.1;charset=utf-8",
		"application/taxii+json;version=2.1;q=0.5",
		"application/taxii+json;version=2.1;q=1",
		"application/taxii+json;q=0.001",
		"text/html, application/taxii+json;version=2.1",
		"application/json,application/taxii+json",
		"text/html;q=0.9, */*;q=0.1",
		"application/taxii+json;version=2.0, application/taxii+json;"
		    "version=2.1",
		"application/taxii+json;version=2.1,",
		"application/taxii+json;version=2.1;;",
		"application/taxii+json;junk;version=2.1",
		"*/*,",
		"*/*,garbage",
	};
	static const char *const no[] = {
		"application/json",
		"application/stix+json;version=2.1",
		"application/taxii+json;version=2.0",
		"application/taxii+json;version=\"2.0\"",
		"application/taxii+json;version=2.10",
		"application/taxii+json;version=2",
		"application/taxii+json;version=2.1;q=0",
		"application/taxii+json;version=2.1;Q=0.0",
		"application/taxii+json;q=0.000;version=2.1",
		"*/*;q=0",
		"application/*;q=0",
		"text/*",
		"text/html",
		"application/taxii+jsonx",
		"xapplication/taxii+json",
		"application/taxii",
		"application/taxii+json version=2.1",
		",",
		";",
		";version=2.1",
		"text/html, application/json;q=0.9",
		"application/taxii+json;version=2.0, text/plain",
		"application/taxii+json;version=2.1.0",
	};
	char big[512];

	(void)state;
	assert_int_equal(http_accept_ok(NULL), 1);
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (http_accept_ok(yes[i]) != 1)
			fail_msg("Accept '%s' refused", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (http_accept_ok(no[i]) != 0)
			fail_msg("Accept '%s' accepted", no[i]);
	/* Over-long types and versions are refused, not truncated into a
	 * match. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(http_accept_ok(big), 0);
	assert_true(snprintf(big, sizeof(big), "application/taxii+json;"
	    "version=2.1%0100d", 0) < (int)sizeof(big));
	assert_int_equal(http_accept_ok(big), 0);
	assert_true(snprintf(big, sizeof(big), "application/taxii+json%0200d"
	    ";version=2.1", 0) < (int)sizeof(big));
	assert_int_equal(http_accept_ok(big), 0);
	/* A long list whose last entry fits. */
	{
		struct buf b;

		buf_init(&b, 1u << 16);
		for (int i = 0; i < 500; i++)
			assert_int_equal(buf_addf(&b, "text/x-%d;q=0.%d, ", i,
			    i % 10), ERR_OK);
		assert_int_equal(http_accept_ok(b.ptr), 0);
		assert_int_equal(buf_addstr(&b, "application/taxii+json"),
		    ERR_OK);
		assert_int_equal(http_accept_ok(b.ptr), 1);
		buf_reset(&b);
	}
}

static void
test_content_type(void **state)
{
	static const char *const yes[] = {
		"application/taxii+json;version=2.1",
		"application/taxii+json",
		"application/taxii+json; charset=utf-8",
		"application/taxii+json;charset=utf-8;version=2.1",
		"application/taxii+json; version=2.1; charset=UTF-8",
		"Application/TAXII+JSON; Version=\"2.1\"",
		" application/taxii+json ",
		"application/taxii+json;",
	};
	static const char *const no[] = {
		"",
		"  ",
		"application/taxii+json;version=2.0",
		"application/taxii+json;version=\"2.0\"",
		"application/taxii+json;version=3",
		"application/stix+json;version=2.1",
		"application/stix+json",
		"application/json",
		"text/plain",
		"*/*",
		"application/*",
		"application/taxii+json, application/json",
		"application/taxii+jsonp",
		";version=2.1",
	};

	(void)state;
	assert_int_equal(http_content_type_ok(NULL), 0);
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (http_content_type_ok(yes[i]) != 1)
			fail_msg("Content-Type '%s' refused", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (http_content_type_ok(no[i]) != 0)
			fail_msg("Content-Type '%s' accepted", no[i]);
}

/* -- errmap */

static json_t *
parse_error_body(const struct buf *b, int status)
{
	char code[16];
	json_error_t je;
	json_t *j;
	const char *title, *hs;

	assert_non_null(b->ptr);
	j = json_loadb(b->ptr, b->len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		fail_msg("bad JSON (%s): %s", je.text, b->ptr);
	assert_true(json_is_object(j));
	title = json_string_value(json_object_get(j, "title"));
	assert_non_null(title);
	assert_true(strlen(title) > 0);
	hs = json_string_value(json_object_get(j, "http_status"));
	assert_non_null(hs);
	assert_true(snprintf(code, sizeof(code), "%d", status) <
	    (int)sizeof(code));
	assert_string_equal(hs, code);
	return j;
}

static void
test_http_error_all(void **state)
{
	static const char secret[] = "sqlite said: table tokens is locked "
	    "at /var/lib/entente/node.db";
	struct buf b;
	json_t *j;
	int status;
	const char *d;

	(void)state;
	buf_init(&b, 4096);
	for (int e = 1; e < ERR_COUNT_; e++) {
		status = http_error((enum err)e, secret, &b);
		if (status < 400 || status > 599)
			fail_msg("%s -> %d", err_str((enum err)e), status);
		j = parse_error_body(&b, status);
		d = json_string_value(json_object_get(j, "description"));
		if (status == 500) {
			/* Internal failures say nothing of their cause. */
			if (strstr(b.ptr, "sqlite") != NULL ||
			    strstr(b.ptr, "node.db") != NULL)
				fail_msg("%s leaks: %s", err_str((enum err)e),
				    b.ptr);
		} else {
			assert_non_null(d);
			assert_string_equal(d, secret);
		}
		json_decref(j);
		/* Without a message there is no description (or, for a 500,
		 * only the generic one). */
		status = http_error((enum err)e, NULL, &b);
		j = parse_error_body(&b, status);
		if (status != 500)
			assert_null(json_object_get(j, "description"));
		json_decref(j);
		status = http_error((enum err)e, "", &b);
		j = parse_error_body(&b, status);
		if (status != 500)
			assert_null(json_object_get(j, "description"));
		json_decref(j);
	}
	/* The statuses TAXII clients rely on. */
	assert_int_equal(http_error(ERR_PARSE, "x", &b), 400);
	assert_int_equal(http_error(ERR_AUTH, "x", &b), 401);
	assert_int_equal(http_error(ERR_FORBIDDEN, "x", &b), 403);
	assert_int_equal(http_error(ERR_NOTFOUND, "x", &b), 404);
	assert_int_equal(http_error(ERR_METHOD, "x", &b), 405);
	assert_int_equal(http_error(ERR_NOTACCEPTABLE, "x", &b), 406);
	assert_int_equal(http_error(ERR_TOOBIG, "x", &b), 413);
	assert_int_equal(http_error(ERR_MEDIATYPE, "x", &b), 415);
	assert_int_equal(http_error(ERR_INVALID, "x", &b), 422);
	assert_int_equal(http_error(ERR_DB, "x", &b), 500);
	assert_int_equal(http_error(ERR_NOMEM, "x", &b), 500);
	assert_int_equal(http_error(ERR_OK, NULL, &b), 200);
	/* Values outside the enum are internal errors. */
	status = http_error(ERR_COUNT_, secret, &b);
	assert_int_equal(status, 500);
	j = parse_error_body(&b, status);
	assert_null(strstr(b.ptr, "sqlite"));
	json_decref(j);
	status = http_error((enum err)-1, secret, &b);
	assert_int_equal(status, 500);
	json_decref(parse_error_body(&b, status));
	buf_reset(&b);
}

static void
test_http_error_body(void **state)
{
	struct buf b;
	json_t *j;
	int status;

	(void)state;
	/* Old content is replaced, not appended to. */
	buf_init(&b, 4096);
	assert_int_equal(buf_addstr(&b, "previous"), ERR_OK);
	status = http_error(ERR_NOTFOUND, "no \"such\" thing\n\t\x01", &b);
	assert_int_equal(status, 404);
	j = parse_error_body(&b, status);
	assert_string_equal(json_string_value(json_object_get(j,
	    "description")), "no \"such\" thing\n\t\x01");
	json_decref(j);
	/* Invalid UTF-8 in a message cannot break the JSON. */
	status = http_error(ERR_PARSE, "bad \xff\xfe bytes", &b);
	json_decref(parse_error_body(&b, status));
	/* A body too small for the object is left empty; the status stands. */
	buf_reset(&b);
	buf_init(&b, 10);
	assert_int_equal(http_error(ERR_PARSE, "message", &b), 400);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
	/* A long message in a big enough body. */
	{
		char msg[3000];

		memset(msg, 'm', sizeof(msg) - 1);
		msg[sizeof(msg) - 1] = '\0';
		buf_init(&b, 8192);
		status = http_error(ERR_INVALID, msg, &b);
		assert_int_equal(status, 422);
		j = parse_error_body(&b, status);
		assert_int_equal(strlen(json_string_value(json_object_get(j,
		    "description"))), sizeof(msg) - 1);
		json_decref(j);
		buf_reset(&b);
	}
	/* Inside a jsonmem window, as the server calls it. */
	buf_init(&b, 4096);
	jsonmem_begin();
	status = http_error(ERR_FORBIDDEN, "no", &b);
	jsonmem_end();
	assert_int_equal(status, 403);
	json_decref(parse_error_body(&b, status));
	buf_reset(&b);
}

/* -- auth */

struct afx {
	char		 dir[64];
	char		 path[128];
	struct store	*st;
	int64_t		 alice;
	int64_t		 bob;
	char		 ta[AUTH_TOKEN_LEN + 1];	/* alice's */
	char		 ta2[AUTH_TOKEN_LEN + 1];	/* alice's other */
	char		 tb[AUTH_TOKEN_LEN + 1];	/* bob's */
};

static void
rm_dir(const char *dir)
{
	struct dirent *de;
	char p[PATH_MAX];
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) <
		    (int)sizeof(p))
			(void)unlink(p);
	}
	closedir(d);
	(void)rmdir(dir);
}

static void
check_token_shape(const char *t)
{
	assert_int_equal(strlen(t), AUTH_TOKEN_LEN);
	assert_memory_equal(t, "ent_", 4);
	assert_int_equal(strspn(t + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_"), AUTH_TOKEN_LEN - 4);
}

static int
afx_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	struct afx *x;

	x = calloc(1, sizeof(*x));
	assert_non_null(x);
	assert_true(snprintf(x->dir, sizeof(x->dir), "%s/test_http.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp") < (int)sizeof(x->dir));
	assert_non_null(mkdtemp(x->dir));
	assert_true(snprintf(x->path, sizeof(x->path), "%s/node.db", x->dir) <
	    (int)sizeof(x->path));
	assert_int_equal(store_open(x->path, STORE_CREATE, &x->st), ERR_OK);
	assert_int_equal(store_party_add(x->st, "alice", NULL,
	    STORE_ROLE_SELF, &x->alice), ERR_OK);
	assert_int_equal(store_party_add(x->st, "bob", NULL,
	    STORE_ROLE_PARTNER, &x->bob), ERR_OK);
	assert_int_equal(auth_token_new(x->st, x->alice, x->ta), ERR_OK);
	assert_int_equal(auth_token_new(x->st, x->alice, x->ta2), ERR_OK);
	assert_int_equal(auth_token_new(x->st, x->bob, x->tb), ERR_OK);
	check_token_shape(x->ta);
	check_token_shape(x->ta2);
	check_token_shape(x->tb);
	assert_string_not_equal(x->ta, x->ta2);
	*state = x;
	return 0;
}

static int
afx_teardown(void **state)
{
	struct afx *x = *state;

	store_close(x->st);
	rm_dir(x->dir);
	free(x);
	return 0;
}

/* auth_check on a header built with printf-style arguments. */
static enum err
authf(struct afx *x, struct store_party *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum err
authf(struct afx *x, struct store_party *p, const char *fmt, ...)
{
	char h[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(h, sizeof(h), fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && n < (int)sizeof(h));
	return auth_check(x->st, h, p);
}

/* "Basic " + base64(user ":" pass) */
static enum err
basic(struct afx *x, struct store_party *p, const char *user,
    const char *pass)
{
	char up[512], b64[CRYPTO_B64_LEN(512) + 1];
	int n;

	n = snprintf(up, sizeof(up), "%s:%s", user, pass);
	assert_true(n >= 0 && n < (int)sizeof(up));
	assert_int_equal(crypto_b64_encode(up, (size_t)n, 0, b64,
	    sizeof(b64)), ERR_OK);
	return authf(x, p, "Basic %s", b64);
}

static void
test_auth_ok(void **state)
{
	struct afx *x = *state;
	struct store_party p;

	memset(&p, 0, sizeof(p));
	assert_int_equal(authf(x, &p, "Bearer %s", x->ta), ERR_OK);
	assert_int_equal(p.id, x->alice);
	assert_string_equal(p.name, "alice");
	assert_int_equal(p.role, STORE_ROLE_SELF);
	memset(&p, 0, sizeof(p));
	assert_int_equal(authf(x, &p, "Bearer %s", x->tb), ERR_OK);
	assert_int_equal(p.id, x->bob);
	assert_string_equal(p.name, "bob");
	assert_int_equal(p.role, STORE_ROLE_PARTNER);
	assert_int_equal(authf(x, &p, "Bearer %s", x->ta2), ERR_OK);
	assert_int_equal(p.id, x->alice);
	/* Scheme case and spaces around the token. */
	assert_int_equal(authf(x, &p, "bearer %s", x->ta), ERR_OK);
	assert_int_equal(authf(x, &p, "BEARER %s", x->ta), ERR_OK);
	assert_int_equal(authf(x, &p, "Bearer    %s  ", x->ta), ERR_OK);
	assert_int_equal(authf(x, &p, "Token %s", x->tb), ERR_OK);
	assert_int_equal(p.id, x->bob);
	assert_int_equal(authf(x, &p, "token %s", x->tb), ERR_OK);
	/* Basic with the party name as user. */
	memset(&p, 0, sizeof(p));
	assert_int_equal(basic(x, &p, "alice", x->ta), ERR_OK);
	assert_int_equal(p.id, x->alice);
	assert_int_equal(basic(x, &p, "bob", x->tb), ERR_OK);
	assert_int_equal(p.id, x->bob);
	{
		char up[128], b64[256];

		/* Lower-case scheme, extra spaces before the credentials. */
		assert_true(snprintf(up, sizeof(up), "bob:%s", x->tb) <
		    (int)sizeof(up));
		assert_int_equal(crypto_b64_encode(up, strlen(up), 0, b64,
		    sizeof(b64)), ERR_OK);
		assert_int_equal(authf(x, &p, "basic   %s", b64), ERR_OK);
		assert_int_equal(p.id, x->bob);
	}
}

static void
test_auth_bad(void **state)
{
	static const char *const headers[] = {
		"", " ", "Bearer", "Bearer ", "Bearer  ", "Token", "Token ",
		"Basic", "Basic ", "Basic !!!!", "Basic ====",
		"Basic YWxpY2U=",		/* "alice": no colon */
		"Basic YWxpY2U6",		/* "alice:", no token */
		"Basic YWxpY2U6\n",
		"Negotiate abc", "Digest username=\"alice\"", "ent_",
		"Bearer ent_", "Bearer\tent_", "Bearer: x", "Bearerx y",
	};
	struct afx *x = *state;
	struct store_party p;
	char fake[AUTH_TOKEN_LEN + 1];

	assert_int_equal(auth_check(x->st, NULL, &p), ERR_AUTH);
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		if (auth_check(x->st, headers[i], &p) != ERR_AUTH)
			fail_msg("'%s' accepted", headers[i]);
	/* A token without a scheme, or after a tab. */
	assert_int_equal(auth_check(x->st, x->ta, &p), ERR_AUTH);
	assert_int_equal(authf(x, &p, "Bearer\t%s", x->ta), ERR_AUTH);
	/* Prefix case matters. */
	memcpy(fake, x->ta, sizeof(fake));
	memcpy(fake, "ENT_", 4);
	assert_int_equal(authf(x, &p, "Bearer %s", fake), ERR_AUTH);
	/* Truncated and extended. */
	assert_int_equal(authf(x, &p, "Bearer %.57s", x->ta), ERR_AUTH);
	assert_int_equal(authf(x, &p, "Bearer %.4s", x->ta), ERR_AUTH);
	assert_int_equal(authf(x, &p, "Bearer %sA", x->ta), ERR_AUTH);
	assert_int_equal(authf(x, &p, "Bearer %sAAAA", x->ta), ERR_AUTH);
	assert_int_equal(authf(x, &p, "Bearer %s=", x->ta), ERR_AUTH);
	assert_int_equal(authf(x, &p, "Bearer %s %s", x->ta, x->ta),
	    ERR_AUTH);
	/* A well-formed token that was never issued. */
	memcpy(fake, "ent_", 4);
	memset(fake + 4, 'A', AUTH_TOKEN_LEN - 4);
	fake[AUTH_TOKEN_LEN] = '\0';
	assert_int_equal(authf(x, &p, "Bearer %s", fake), ERR_AUTH);
	/* Right id, wrong secret: alice's id with bob's secret part. */
	{
		uint8_t ra[48], rb[48];
		char b64[CRYPTO_B64_LEN(40) + 1];
		size_t na = 0, nb = 0;

		assert_int_equal(crypto_b64_decode(x->ta + 4, AUTH_TOKEN_LEN -
		    4, 1, ra, sizeof(ra), &na), ERR_OK);
		assert_int_equal(crypto_b64_decode(x->tb + 4, AUTH_TOKEN_LEN -
		    4, 1, rb, sizeof(rb), &nb), ERR_OK);
		assert_int_equal(na, 40);
		assert_int_equal(nb, 40);
		memcpy(rb, ra, STORE_TOKEN_ID_BYTES);
		assert_int_equal(crypto_b64_encode(rb, 40, 1, b64,
		    sizeof(b64)), ERR_OK);
		assert_int_equal(authf(x, &p, "Bearer ent_%s", b64), ERR_AUTH);
		/* The same construction with alice's own secret passes. */
		memcpy(rb, ra, 40);
		assert_int_equal(crypto_b64_encode(rb, 40, 1, b64,
		    sizeof(b64)), ERR_OK);
		assert_int_equal(authf(x, &p, "Bearer ent_%s", b64), ERR_OK);
	}
	/* Basic: user must be the token's party, exactly. */
	assert_int_equal(basic(x, &p, "bob", x->ta), ERR_AUTH);
	assert_int_equal(basic(x, &p, "alice", x->tb), ERR_AUTH);
	assert_int_equal(basic(x, &p, "ALICE", x->ta), ERR_AUTH);
	assert_int_equal(basic(x, &p, "alic", x->ta), ERR_AUTH);
	assert_int_equal(basic(x, &p, "alicee", x->ta), ERR_AUTH);
	assert_int_equal(basic(x, &p, "", x->ta), ERR_AUTH);
	assert_int_equal(basic(x, &p, "alice", ""), ERR_AUTH);
	assert_int_equal(basic(x, &p, "alice", "wrong"), ERR_AUTH);
	{
		char t2[AUTH_TOKEN_LEN + 4];

		assert_true(snprintf(t2, sizeof(t2), "%s ", x->ta) <
		    (int)sizeof(t2));
		assert_int_equal(basic(x, &p, "alice", t2), ERR_AUTH);
		assert_true(snprintf(t2, sizeof(t2), "%s:", x->ta) <
		    (int)sizeof(t2));
		assert_int_equal(basic(x, &p, "alice", t2), ERR_AUTH);
	}
	/* Basic carrying a Bearer-style token after the scheme. */
	assert_int_equal(authf(x, &p, "Basic %s", x->ta), ERR_AUTH);
}

static void
test_auth_flips(void **state)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789-_+/=.!:\"\x7f\x80";
	struct afx *x = *state;
	struct store_party p;
	char t[AUTH_TOKEN_LEN + 1];
	size_t tried = 0;

	/* Every single changed character of a valid token is refused,
	 * including changes to the unused low bits of the last character
	 * (base64 must be canonical, or one secret would have 16 spellings)
	 * and a bad character at every position of a 58-byte token. */
	for (size_t i = 0; i < AUTH_TOKEN_LEN; i++) {
		for (size_t a = 0; a < sizeof(alpha) - 1; a++) {
			if (alpha[a] == x->ta[i])
				continue;
			memcpy(t, x->ta, sizeof(t));
			t[i] = alpha[a];
			if (authf(x, &p, "Bearer %s", t) != ERR_AUTH)
				fail_msg("byte %zu = '%c' accepted", i,
				    alpha[a]);
			tried++;
		}
	}
	assert_true(tried > AUTH_TOKEN_LEN * 64);
	/* The original still works afterwards. */
	assert_int_equal(authf(x, &p, "Bearer %s", x->ta), ERR_OK);
}

static void
test_auth_revoked(void **state)
{
	struct afx *x = *state;
	struct store_party p;
	uint8_t raw[48];
	size_t n = 0;

	assert_int_equal(crypto_b64_decode(x->ta + 4, AUTH_TOKEN_LEN - 4, 1,
	    raw, sizeof(raw), &n), ERR_OK);
	assert_int_equal(n, STORE_TOKEN_ID_BYTES + 32);
	assert_int_equal(store_token_revoke(x->st, raw), ERR_OK);
	assert_int_equal(authf(x, &p, "Bearer %s", x->ta), ERR_AUTH);
	assert_int_equal(authf(x, &p, "Token %s", x->ta), ERR_AUTH);
	assert_int_equal(basic(x, &p, "alice", x->ta), ERR_AUTH);
	assert_int_equal(store_token_revoke(x->st, raw), ERR_NOTFOUND);
	/* The party's other token and other parties' are unaffected. */
	assert_int_equal(authf(x, &p, "Bearer %s", x->ta2), ERR_OK);
	assert_int_equal(p.id, x->alice);
	assert_int_equal(authf(x, &p, "Bearer %s", x->tb), ERR_OK);
	/* A new token works at once. */
	assert_int_equal(auth_token_new(x->st, x->alice, x->ta), ERR_OK);
	assert_int_equal(authf(x, &p, "Bearer %s", x->ta), ERR_OK);
}

static void
test_auth_long(void **state)
{
	struct afx *x = *state;
	struct store_party p;
	size_t n = 200000;
	char *h;

	h = malloc(n + 1);
	assert_non_null(h);
	memcpy(h, "Bearer ", 7);
	memset(h + 7, 'A', n - 7);
	h[n] = '\0';
	assert_int_equal(auth_check(x->st, h, &p), ERR_AUTH);
	memcpy(h, "Basic  ", 7);
	assert_int_equal(auth_check(x->st, h, &p), ERR_AUTH);
	/* Basic credentials just past the decoder's buffer. */
	h[7 + 344] = '\0';	/* 344 base64 chars = 258 bytes */
	assert_int_equal(auth_check(x->st, h, &p), ERR_AUTH);
	memcpy(h, "Token  ", 7);
	h[7 + 344] = 'A';
	assert_int_equal(auth_check(x->st, h, &p), ERR_AUTH);
	/* Many spaces before a good token. */
	memcpy(h, "Bearer ", 7);
	memset(h + 7, ' ', 100000);
	memcpy(h + 100007, x->ta, AUTH_TOKEN_LEN + 1);
	assert_int_equal(auth_check(x->st, h, &p), ERR_OK);
	free(h);
	/* A Basic user name as long as the buffer allows. */
	{
		char user[300];

		memset(user, 'u', sizeof(user) - 1);
		user[sizeof(user) - 1] = '\0';
		assert_int_equal(basic(x, &p, user, x->ta), ERR_AUTH);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_http_error_all),
		cmocka_unit_test(test_http_error_body),
		cmocka_unit_test_setup_teardown(test_auth_ok, afx_setup,
		    afx_teardown),
		cmocka_unit_test_setup_teardown(test_auth_bad, afx_setup,
		    afx_teardown),
		cmocka_unit_test_setup_teardown(test_auth_flips, afx_setup,
		    afx_teardown),
		cmocka_unit_test_setup_teardown(test_auth_revoked, afx_setup,
		    afx_teardown),
		cmocka_unit_test_setup_teardown(test_auth_long, afx_setup,
		    afx_teardown),
	};

	jsonmem_install();
	log_set_level(LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
