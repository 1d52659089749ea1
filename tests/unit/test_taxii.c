/*
 * test_taxii.c: the TAXII layer without HTTP: query filters (query.c),
 * pagination cursors (cursor.c) and taxii_handle() (taxii.c) driven with
 * hand-built requests against a fresh SQLite store in a mkdtemp directory.
 *
 * The fixture has the node's own party, a partner and an outsider (a party
 * in no agreement), four collections, and one agreement between the node's
 * party and the partner whose share clauses let the partner read the first
 * (node -> partner), write the second (partner -> node), both in the third,
 * and nothing in the fourth.
 * Every taxii_handle() call runs inside a jsonmem window, as the server
 * does, and every response is checked against the contract of taxii.h:
 * success means status 200 or 202 and a JSON body (empty for DELETE),
 * failure means an empty body and a message.
 */
#include "testutil.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

#include "crypto/crypto.h"
#include "policy/agreement.h"
#include "policy/node.h"
#include "stix/stix.h"
#include "store/store.h"
#include "taxii/taxii.h"
#include "util/buf.h"
#include "util/jsonmem.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#define C_RO	"11111111-1111-4111-8111-111111111111"	/* partner reads */
#define C_WO	"22222222-2222-4222-8222-222222222222"	/* partner writes */
#define C_RW	"33333333-3333-4333-8333-333333333333"	/* both */
#define C_NONE	"44444444-4444-4444-8444-444444444444"	/* no grant */
#define C_MISSING "55555555-5555-4555-8555-555555555555" /* not created */

#define IND_ID(k)	"indicator--8e2e2d2b-17d4-4cbf-938f-0000000000" k
#define T_CREATED	"2024-01-01T00:00:00.000Z"

static const char *const all_colls[] = { C_RO, C_WO, C_RW, C_NONE };

struct fx {
	char			 dir[64];
	char			 path[128];
	struct store		*st;
	uint8_t			 key[TAXII_CURSOR_KEY_BYTES];
	struct store_party	 self;
	struct store_party	 partner;
	struct store_party	 outsider;
	uint8_t			 seed[3][CRYPTO_ED25519_SECRET_BYTES];
	struct node_policy	*np;
	char			 partner_identity[AGREEMENT_IDENTITY_LEN + 1];
	struct taxii_ctx	 cself;
	struct taxii_ctx	 cpartner;
	struct taxii_ctx	 coutsider;
	struct taxii_resp	 resp;
	char			 url[512];
};

/* -- helpers */

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
add_party(struct fx *x, const char *name, enum store_role role,
    const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES], struct store_party *out)
{
	uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES];
	int64_t id;

	crypto_ed25519_public(seed, pub);
	assert_int_equal(store_party_add(x->st, name, pub, role, &id), ERR_OK);
	assert_int_equal(store_party_get(x->st, id, out), ERR_OK);
	assert_string_equal(out->name, name);
}

/*
 * The agreement of the fixture, signed by both parties and installed:
 * node -> partner in C_RO and C_RW, partner -> node in C_WO and C_RW,
 * any type up to TLP:RED, nothing onward.
 */
static void
install_agreement(struct fx *x)
{
	char k0[AGREEMENT_KEY_B64_LEN + 1], k1[AGREEMENT_KEY_B64_LEN + 1];
	struct agreement_report rep;
	struct node_install res;
	struct agreement *a = NULL;
	char doc[4096];
	struct buf b;
	json_t *j;
	int n;

	assert_int_equal(crypto_b64_encode(x->self.pubkey, 32, 0, k0,
	    sizeof(k0)), ERR_OK);
	assert_int_equal(crypto_b64_encode(x->partner.pubkey, 32, 0, k1,
	    sizeof(k1)), ERR_OK);
	n = snprintf(doc, sizeof(doc), "{\"id\":\"agreement--0f6c5a7e-3b9d-"
	    "4e2a-9c1f-5d8e7b6a4c32\",\"version\":1,\"title\":\"Fixture\","
	    "\"parties\":[{\"name\":\"node-self\",\"key\":\"%s\","
	    "\"contact\":\"a\"},{\"name\":\"partner\",\"key\":\"%s\","
	    "\"contact\":\"b\"}],\"valid_from\":\"2000-01-01T00:00:00Z\","
	    "\"valid_until\":\"2999-01-01T00:00:00Z\",\"clauses\":{\"share\":["
	    "{\"from\":\"node-self\",\"to\":\"partner\",\"types\":[\"*\"],"
	    "\"collections\":[\"" C_RO "\",\"" C_RW "\"],\"tlp_max\":\"red\","
	    "\"onward\":\"none\"},{\"from\":\"partner\",\"to\":\"node-self\","
	    "\"types\":[\"*\"],\"collections\":[\"" C_WO "\",\"" C_RW "\"],"
	    "\"tlp_max\":\"red\",\"onward\":\"none\"}]}}", k0, k1);
	assert_true(n > 0 && (size_t)n < sizeof(doc));
	agreement_report_init(&rep);
	assert_int_equal(agreement_parse(doc, (size_t)n, &a, &rep), ERR_OK);
	assert_int_equal(agreement_sign(a, x->seed[0]), ERR_OK);
	assert_int_equal(agreement_sign(a, x->seed[1]), ERR_OK);
	assert_int_equal(agreement_to_json(a, &j), ERR_OK);
	buf_init(&b, AGREEMENT_MAX_BYTES);
	assert_int_equal(jsonmem_dump(j, &b), ERR_OK);
	assert_int_equal(node_install(x->st, b.ptr, b.len, ts_now_us(), &res,
	    &rep), ERR_OK);
	assert_int_equal(res.n_created, 0);
	buf_reset(&b);
	json_decref(j);
	agreement_free(a);
}

static int
fx_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	struct fx *x;
	int64_t cid[4];

	x = calloc(1, sizeof(*x));
	assert_non_null(x);
	assert_true(snprintf(x->dir, sizeof(x->dir), "%s/test_taxii.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp") < (int)sizeof(x->dir));
	assert_non_null(mkdtemp(x->dir));
	assert_true(snprintf(x->path, sizeof(x->path), "%s/node.db", x->dir) <
	    (int)sizeof(x->path));
	assert_int_equal(store_open(x->path, STORE_CREATE, &x->st), ERR_OK);
	for (size_t i = 0; i < 3; i++)
		for (size_t k = 0; k < CRYPTO_ED25519_SECRET_BYTES; k++)
			x->seed[i][k] = (uint8_t)(i * 64 + k + 1);
	add_party(x, "node-self", STORE_ROLE_SELF, x->seed[0], &x->self);
	add_party(x, "partner", STORE_ROLE_PARTNER, x->seed[1], &x->partner);
	add_party(x, "outsider", STORE_ROLE_PARTNER, x->seed[2], &x->outsider);
	agreement_identity_id(x->partner.pubkey, x->partner_identity);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(store_collection_add(x->st, all_colls[i],
		    i == 0 ? "Read only" : "Coll",
		    i == 0 ? "For partners to read" : "",
		    &cid[i]), ERR_OK);
	install_agreement(x);
	assert_int_equal(node_policy_new(&x->np), ERR_OK);
	for (size_t i = 0; i < sizeof(x->key); i++)
		x->key[i] = (uint8_t)(i * 7 + 1);
	x->cself.st = x->st;
	x->cself.party = &x->self;
	x->cself.base_url = "https://h:1";
	x->cself.cursor_key = x->key;
	x->cself.title = "Test node";
	x->cself.policy = x->np;
	x->cpartner = x->cself;
	x->cpartner.party = &x->partner;
	x->coutsider = x->cself;
	x->coutsider.party = &x->outsider;
	taxii_resp_init(&x->resp);
	*state = x;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *x = *state;

	taxii_resp_free(&x->resp);
	node_policy_free(x->np);
	store_close(x->st);
	rm_dir(x->dir);
	free(x);
	return 0;
}

/* "/taxii2/api/collections/<coll>/<rest>" into x->url. */
static const char *
cpath(struct fx *x, const char *coll, const char *rest)
{
	assert_true(snprintf(x->url, sizeof(x->url),
	    "/taxii2/api/collections/%s/%s", coll, rest) <
	    (int)sizeof(x->url));
	return x->url;
}

/*
 * Run one request through taxii_handle() inside a jsonmem window and check
 * the response contract; the response stays in x->resp.
 */
static enum err
call(struct fx *x, const struct taxii_ctx *ctx, enum taxii_method m,
    const char *path, const struct taxii_param *params, size_t n,
    const char *body)
{
	struct taxii_req r;
	enum err err;

	taxii_resp_free(&x->resp);
	taxii_resp_init(&x->resp);
	r.method = m;
	r.path = path;
	r.params = params;
	r.n_params = n;
	r.body = body;
	r.body_len = body != NULL ? strlen(body) : 0;
	jsonmem_begin();
	err = taxii_handle(ctx, &r, &x->resp);
	jsonmem_end();
	if (err == ERR_OK) {
		if (x->resp.status != 200 && x->resp.status != 202)
			fail_msg("%s: status %d", path, x->resp.status);
		if (x->resp.body.len > 0)
			assert_int_equal(x->resp.body.ptr[x->resp.body.len],
			    '\0');
	} else {
		if (x->resp.body.len != 0)
			fail_msg("%s: error %s with a body", path,
			    err_str(err));
		if (x->resp.msg[0] == '\0')
			fail_msg("%s: error %s without a message", path,
			    err_str(err));
		assert_non_null(memchr(x->resp.msg, '\0',
		    sizeof(x->resp.msg)));
		if (err == ERR_METHOD && x->resp.allow == NULL)
			fail_msg("%s: 405 without Allow", path);
	}
	return err;
}

static enum err
get(struct fx *x, const struct taxii_ctx *ctx, const char *path,
    const struct taxii_param *params, size_t n)
{
	return call(x, ctx, TAXII_GET, path, params, n, NULL);
}

/* The response body as a JSON object (new reference). */
static json_t *
body_json(const struct fx *x)
{
	json_error_t je;
	json_t *j;

	assert_non_null(x->resp.body.ptr);
	j = json_loadb(x->resp.body.ptr, x->resp.body.len,
	    JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		fail_msg("bad JSON (%s): %.200s", je.text, x->resp.body.ptr);
	assert_true(json_is_object(j));
	return j;
}

static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s == NULL)
		fail_msg("no string '%s'", key);
	return s;
}

static json_int_t
jint(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("no integer '%s'", key);
	return json_integer_value(v);
}

/* A valid indicator with id IND_ID-like suffix k (12 hex digits). */
static void
indicator(char *out, size_t cap, unsigned k, const char *modified,
    const char *name)
{
	int n;

	n = snprintf(out, cap, "{\"type\":\"indicator\",\"spec_version\":"
	    "\"2.1\",\"id\":\"indicator--8e2e2d2b-17d4-4cbf-938f-%012x\","
	    "\"created\":\"" T_CREATED "\",\"modified\":\"%s\",\"name\":"
	    "\"%s\",\"pattern\":\"[ipv4-addr:value = '198.51.100.1']\","
	    "\"pattern_type\":\"stix\",\"valid_from\":"
	    "\"2024-01-01T00:00:00Z\"}", k, modified, name);
	assert_true(n > 0 && (size_t)n < cap);
}

static void
malware(char *out, size_t cap, unsigned k)
{
	int n;

	n = snprintf(out, cap, "{\"type\":\"malware\",\"spec_version\":"
	    "\"2.1\",\"id\":\"malware--0a1b2c3d-17d4-4cbf-938f-%012x\","
	    "\"created\":\"" T_CREATED "\",\"modified\":\"" T_CREATED "\","
	    "\"name\":\"m%u\",\"is_family\":false}", k, k);
	assert_true(n > 0 && (size_t)n < cap);
}

/* {"objects":[objs...]} into b (caller resets it). */
static void
envelope(struct buf *b, const char *const *objs, size_t n)
{
	buf_init(b, 1u << 20);
	assert_int_equal(buf_addstr(b, "{\"objects\":["), ERR_OK);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			assert_int_equal(buf_addc(b, ','), ERR_OK);
		assert_int_equal(buf_addstr(b, objs[i]), ERR_OK);
	}
	assert_int_equal(buf_addstr(b, "]}"), ERR_OK);
}

/*
 * POST body to coll's objects and check the status resource: 202,
 * the counts, "complete", nothing pending.  Returns the status (new).
 */
static json_t *
post_ok(struct fx *x, const struct taxii_ctx *ctx, const char *coll,
    const char *body, json_int_t total, json_int_t ok, json_int_t bad)
{
	json_t *j;
	int64_t us;
	enum err err;

	err = call(x, ctx, TAXII_POST, cpath(x, coll, "objects/"), NULL, 0,
	    body);
	if (err != ERR_OK)
		fail_msg("POST: %s: %s", err_str(err), x->resp.msg);
	assert_int_equal(x->resp.status, 202);
	j = body_json(x);
	assert_true(uuid_valid(jstr(j, "id"), strlen(jstr(j, "id"))));
	assert_string_equal(jstr(j, "status"), "complete");
	assert_int_equal(ts_parse(jstr(j, "request_timestamp"),
	    strlen(jstr(j, "request_timestamp")), &us, NULL), ERR_OK);
	assert_int_equal(jint(j, "total_count"), total);
	assert_int_equal(jint(j, "success_count"), ok);
	assert_int_equal(jint(j, "failure_count"), bad);
	assert_int_equal(jint(j, "pending_count"), 0);
	assert_int_equal(json_array_size(json_object_get(j, "successes")),
	    (size_t)ok);
	assert_int_equal(json_array_size(json_object_get(j, "failures")),
	    (size_t)bad);
	return j;
}

/* The "objects" array of a body (borrowed from j). */
static json_t *
objects_of(json_t *j)
{
	json_t *a = json_object_get(j, "objects");

	assert_true(json_is_array(a));
	return a;
}

/* -- taxii_filter_parse */

static enum err
fparse(const struct taxii_param *p, size_t n, unsigned allowed,
    struct taxii_filter *f, char *msg, size_t cap)
{
	enum err err;

	msg[0] = '\0';
	err = taxii_filter_parse(p, n, allowed, f, msg, cap);
	if (err != ERR_OK) {
		if (msg[0] == '\0' && err != ERR_NOMEM)
			fail_msg("error %s without a message", err_str(err));
		assert_non_null(memchr(msg, '\0', cap));
	}
	return err;
}

#define ALLP	(TAXII_P_ID | TAXII_P_TYPE | TAXII_P_VERSION | TAXII_P_SPEC | \
		 TAXII_P_AFTER | TAXII_P_LIMIT | TAXII_P_NEXT)

/* One parameter that must be refused with a message naming it. */
static void
assert_param_bad(const char *key, const char *value, enum err want)
{
	struct taxii_param p = { key, value };
	struct taxii_filter f;
	char msg[256];
	enum err err;

	err = fparse(&p, 1, ALLP, &f, msg, sizeof(msg));
	taxii_filter_free(&f);
	if (err != want)
		fail_msg("%s=%.60s: %s, want %s", key, value, err_str(err),
		    err_str(want));
	if (strstr(msg, key) == NULL)
		fail_msg("%s=%.60s: message '%s' does not name it", key,
		    value, msg);
}

static void
test_filter_defaults(void **state)
{
	struct taxii_filter f;
	char msg[128];

	(void)state;
	assert_int_equal(fparse(NULL, 0, ALLP, &f, msg, sizeof(msg)), ERR_OK);
	assert_int_equal(f.n_ids, 0);
	assert_int_equal(f.n_types, 0);
	assert_int_equal(f.n_versions, 0);
	assert_int_equal(f.ver_flags, 0);
	assert_int_equal(f.spec_21, 1);
	assert_int_equal(f.added_after, 0);
	assert_int_equal(f.limit, LIM_PAGE_DEFAULT);
	assert_null(f.next);
	taxii_filter_free(&f);
	assert_null(f.mem);
	taxii_filter_free(&f);	/* twice is harmless */
}

static void
test_filter_values(void **state)
{
	const char *ids = IND_ID("01") ",malware--0A1B2C3D-17D4-4CBF-938F-"
	    "000000000001";
	const struct taxii_param p[] = {
		{ "match[id]", ids },
		{ "match[type]", "indicator,malware,x-custom-type" },
		{ "match[version]", "first,last,all,2024-01-01T00:00:00.123Z,"
		    "2024-01-02T00:00:00Z" },
		{ "match[spec_version]", "2.0,2.1" },
		{ "added_after", "2024-02-29T12:00:00.5Z" },
		{ "limit", "7" },
		{ "next", "opaque-cursor-text" },
	};
	struct taxii_filter f;
	char msg[128];
	int64_t t1, t2, t3;

	(void)state;
	assert_int_equal(ts_parse("2024-01-01T00:00:00.123Z", 24, &t1, NULL),
	    ERR_OK);
	assert_int_equal(ts_parse("2024-01-02T00:00:00Z", 20, &t2, NULL),
	    ERR_OK);
	assert_int_equal(ts_parse("2024-02-29T12:00:00.5Z", 22, &t3, NULL),
	    ERR_OK);
	assert_int_equal(fparse(p, 7, ALLP, &f, msg, sizeof(msg)), ERR_OK);
	assert_int_equal(f.n_ids, 2);
	assert_string_equal(f.ids[0], IND_ID("01"));
	assert_string_equal(f.ids[1],
	    "malware--0A1B2C3D-17D4-4CBF-938F-000000000001");
	assert_int_equal(f.n_types, 3);
	assert_string_equal(f.types[0], "indicator");
	assert_string_equal(f.types[1], "malware");
	assert_string_equal(f.types[2], "x-custom-type");
	assert_int_equal(f.ver_flags,
	    STORE_VER_FIRST | STORE_VER_LAST | STORE_VER_ALL);
	assert_int_equal(f.n_versions, 2);
	assert_int_equal(f.versions[0], t1);
	assert_int_equal(f.versions[1], t2);
	assert_int_equal(f.spec_21, 1);
	assert_int_equal(f.added_after, t3);
	assert_int_equal(f.limit, 7);
	/* next is borrowed from the parameter. */
	assert_ptr_equal(f.next, p[6].value);
	/* The split strings live in f->mem, not in the parameters. */
	assert_true(f.ids[0] != p[0].value);
	taxii_filter_free(&f);
}

static void
test_filter_spec_version(void **state)
{
	static const struct { const char *v; int spec21; } ok[] = {
		{ "2.1", 1 }, { "2.0", 0 }, { "2.0,2.1", 1 }, { "2.1,2.0", 1 },
		{ "3.0", 0 }, { "2.10", 0 }, { "1234.5678", 0 },
		{ "2.0,2.0", 0 },
	};
	static const char *const bad[] = {
		"", "2", "2.", ".1", "2.1.1", "v2.1", "2.1,", ",2.1", "2.1,,2.0",
		"12345.1", "2.12345", "2.1 ", " 2.1", "2,1", "two",
	};
	struct taxii_param p = { "match[spec_version]", NULL };
	struct taxii_filter f;
	char msg[128];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		p.value = ok[i].v;
		assert_int_equal(fparse(&p, 1, ALLP, &f, msg, sizeof(msg)),
		    ERR_OK);
		if (f.spec_21 != ok[i].spec21)
			fail_msg("'%s': spec_21 %d", ok[i].v, f.spec_21);
		taxii_filter_free(&f);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_param_bad("match[spec_version]", bad[i], ERR_PARSE);
}

static void
test_filter_added_after(void **state)
{
	static const char *const good[] = {
		"2024-01-01T00:00:00Z",
		"2024-01-01T00:00:00.1Z",
		"2024-01-01T00:00:00.12Z",
		"2024-01-01T00:00:00.123Z",
		"2024-01-01T00:00:00.1234Z",
		"2024-01-01T00:00:00.12345Z",
		"2024-01-01T00:00:00.123456Z",
		"2024-01-01T00:00:00.1234567Z",
		"2024-01-01T00:00:00.12345678Z",
		"2024-01-01T00:00:00.123456789Z",
		"2024-01-01t00:00:00.123z",
	};
	static const char *const bad[] = {
		"", "yesterday", "2024-01-01", "2024-01-01T00:00:00",
		"2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z",
		"2023-02-29T00:00:00Z", "2024-01-01T25:00:00Z",
		"2024-01-01T00:00:00.1234567890Z", "2024-01-01T00:00:00.Z",
		"2024-01-01T00:00:00+01:00", "0000-01-01T00:00:00Z",
		"2024-01-01T00:00:00Z,2024-01-02T00:00:00Z",
	};
	static const int64_t frac[] = {
		0, 100000, 120000, 123000, 123400, 123450, 123456, 123456,
		123456, 123456, 123000,
	};
	const int64_t base = 1704067200LL * 1000000;	/* 2024-01-01 */
	struct taxii_param p = { "added_after", NULL };
	struct taxii_filter f;
	char msg[128];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		p.value = good[i];
		assert_int_equal(fparse(&p, 1, ALLP, &f, msg, sizeof(msg)),
		    ERR_OK);
		if (f.added_after != base + frac[i])
			fail_msg("'%s' -> %lld", good[i],
			    (long long)f.added_after);
		taxii_filter_free(&f);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_param_bad("added_after", bad[i], ERR_PARSE);
}

static void
test_filter_limit(void **state)
{
	static const struct { const char *v; size_t want; } ok[] = {
		{ "1", 1 }, { "2", 2 }, { "007", 7 }, { "999", 999 },
		{ "1000", LIM_PAGE_MAX }, { "1001", LIM_PAGE_MAX },
		{ "1000000", LIM_PAGE_MAX }, { "999999999", LIM_PAGE_MAX },
	};
	/* docs/taxii.md: 1 to 999999999, else 400. */
	static const char *const bad[] = {
		"0", "000", "-1", "abc", "", "1.5", "10abc", "0x10", " 5", "5 ",
		"+5", "99999999999", "1000000000", "99999999999999999999999",
		"1,2",
	};
	struct taxii_param p = { "limit", NULL };
	struct taxii_filter f;
	char msg[128];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		p.value = ok[i].v;
		assert_int_equal(fparse(&p, 1, ALLP, &f, msg, sizeof(msg)),
		    ERR_OK);
		if (f.limit != ok[i].want)
			fail_msg("limit=%s -> %zu", ok[i].v, f.limit);
		taxii_filter_free(&f);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_param_bad("limit", bad[i], ERR_PARSE);
}

static void
test_filter_bad_values(void **state)
{
	char longtype[LIM_STIX_TYPE + 2];
	char typeok[LIM_STIX_TYPE + 1];
	struct taxii_param p = { "match[type]", NULL };
	struct taxii_filter f;
	char msg[128], next[LIM_CURSOR_BYTES + 2];

	(void)state;
	/* Identifiers. */
	assert_param_bad("match[id]", "indicator", ERR_PARSE);
	assert_param_bad("match[id]", "indicator--", ERR_PARSE);
	assert_param_bad("match[id]", "' OR 1=1 --", ERR_PARSE);
	assert_param_bad("match[id]",
	    "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3", ERR_PARSE);
	assert_param_bad("match[id]",
	    "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3ff", ERR_PARSE);
	assert_param_bad("match[id]",
	    "Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", ERR_PARSE);
	assert_param_bad("match[id]",
	    "indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", ERR_PARSE);
	assert_param_bad("match[id]", IND_ID("01") ",bogus", ERR_PARSE);
	/* Types. */
	assert_param_bad("match[type]", "ab", ERR_PARSE);
	assert_param_bad("match[type]", "Indicator", ERR_PARSE);
	assert_param_bad("match[type]", "x_custom", ERR_PARSE);
	assert_param_bad("match[type]", "indicator malware", ERR_PARSE);
	assert_param_bad("match[type]", "indicator,a", ERR_PARSE);
	memset(longtype, 'a', sizeof(longtype) - 1);
	longtype[sizeof(longtype) - 1] = '\0';
	assert_param_bad("match[type]", longtype, ERR_PARSE);
	memset(typeok, 'a', sizeof(typeok) - 1);
	typeok[sizeof(typeok) - 1] = '\0';
	p.value = typeok;
	assert_int_equal(fparse(&p, 1, ALLP, &f, msg, sizeof(msg)), ERR_OK);
	assert_int_equal(f.n_types, 1);
	taxii_filter_free(&f);
	/* Versions. */
	assert_param_bad("match[version]", "newest", ERR_PARSE);
	assert_param_bad("match[version]", "last,bogus", ERR_PARSE);
	assert_param_bad("match[version]", "2024-01-01", ERR_PARSE);
	assert_param_bad("match[version]", "LAST", ERR_PARSE);
	assert_param_bad("match[version]", "2024-02-30T00:00:00Z", ERR_PARSE);
	/* next: non-empty and at most LIM_CURSOR_BYTES here. */
	assert_param_bad("next", "", ERR_PARSE);
	memset(next, 'A', sizeof(next) - 1);
	next[sizeof(next) - 1] = '\0';
	assert_param_bad("next", next, ERR_PARSE);
	next[LIM_CURSOR_BYTES] = '\0';
	p.key = "next";
	p.value = next;
	assert_int_equal(fparse(&p, 1, ALLP, &f, msg, sizeof(msg)), ERR_OK);
	assert_ptr_equal(f.next, next);
	taxii_filter_free(&f);
}

static void
test_filter_lists(void **state)
{
	static const char *const keys[] = {
		"match[id]", "match[type]", "match[version]",
		"match[spec_version]",
	};
	static const char *const one[] = {
		IND_ID("01"), "indicator", "last", "2.1",
	};
	struct taxii_param p[2];
	struct taxii_filter f;
	struct buf b;
	char msg[128];
	size_t n;

	(void)state;
	for (size_t k = 0; k < 4; k++) {
		char v[128];

		/* Empty items anywhere. */
		assert_param_bad(keys[k], "", ERR_PARSE);
		assert_param_bad(keys[k], ",", ERR_PARSE);
		assert_true(snprintf(v, sizeof(v), "%s,", one[k]) <
		    (int)sizeof(v));
		assert_param_bad(keys[k], v, ERR_PARSE);
		assert_true(snprintf(v, sizeof(v), ",%s", one[k]) <
		    (int)sizeof(v));
		assert_param_bad(keys[k], v, ERR_PARSE);
		assert_true(snprintf(v, sizeof(v), "%s,,%s", one[k], one[k]) <
		    (int)sizeof(v));
		assert_param_bad(keys[k], v, ERR_PARSE);

		/* Twice is refused even with the same value. */
		p[0].key = p[1].key = keys[k];
		p[0].value = p[1].value = one[k];
		assert_int_equal(fparse(p, 2, ALLP, &f, msg, sizeof(msg)),
		    ERR_PARSE);
		assert_non_null(strstr(msg, keys[k]));
		taxii_filter_free(&f);

		/* Exactly LIM_MATCH_VALUES values pass, one more does not. */
		buf_init(&b, LIM_QUERY_BYTES);
		for (n = 0; n < LIM_MATCH_VALUES; n++) {
			if (k == 0)
				assert_int_equal(buf_addf(&b, "%sindicator--"
				    "8e2e2d2b-17d4-4cbf-938f-%012zx",
				    n ? "," : "", n), ERR_OK);
			else if (k == 1)
				assert_int_equal(buf_addf(&b, "%st%03zu",
				    n ? "," : "", n), ERR_OK);
			else if (k == 2)
				assert_int_equal(buf_addf(&b, "%s2024-01-01T00:"
				    "%02zu:%02zuZ", n ? "," : "", n / 60,
				    n % 60), ERR_OK);
			else
				assert_int_equal(buf_addf(&b, "%s2.%zu",
				    n ? "," : "", n), ERR_OK);
		}
		p[0].value = b.ptr;
		assert_int_equal(fparse(p, 1, ALLP, &f, msg, sizeof(msg)),
		    ERR_OK);
		if (k == 0)
			assert_int_equal(f.n_ids, LIM_MATCH_VALUES);
		else if (k == 1)
			assert_int_equal(f.n_types, LIM_MATCH_VALUES);
		else if (k == 2)
			assert_int_equal(f.n_versions, LIM_MATCH_VALUES);
		else
			assert_int_equal(f.spec_21, 1);
		taxii_filter_free(&f);
		assert_int_equal(buf_addf(&b, ",%s", one[k]), ERR_OK);
		assert_param_bad(keys[k], b.ptr, ERR_PARSE);
		p[0].value = b.ptr;
		(void)fparse(p, 1, ALLP, &f, msg, sizeof(msg));
		taxii_filter_free(&f);
		assert_non_null(strstr(msg, "more than"));
		buf_reset(&b);
	}
	/* Other parameters twice. */
	p[0].key = p[1].key = "limit";
	p[0].value = "1";
	p[1].value = "2";
	assert_int_equal(fparse(p, 2, ALLP, &f, msg, sizeof(msg)), ERR_PARSE);
	assert_non_null(strstr(msg, "limit"));
	taxii_filter_free(&f);
	p[0].key = p[1].key = "added_after";
	p[0].value = p[1].value = "2024-01-01T00:00:00Z";
	assert_int_equal(fparse(p, 2, ALLP, &f, msg, sizeof(msg)), ERR_PARSE);
	assert_non_null(strstr(msg, "added_after"));
	taxii_filter_free(&f);
	p[0].key = p[1].key = "next";
	p[0].value = p[1].value = "abc";
	assert_int_equal(fparse(p, 2, ALLP, &f, msg, sizeof(msg)), ERR_PARSE);
	assert_non_null(strstr(msg, "next"));
	taxii_filter_free(&f);
}

static void
test_filter_ignored(void **state)
{
	const struct taxii_param p[] = {
		{ "foo", "bar" },
		{ "match[foo]", "x" },
		{ "match[id]", "not an id" },
		{ "match[id]", "twice" },
		{ "limit", "5" },
		{ "LIMIT", "abc" },
		{ "match[type]", "Bad_Type" },
		{ "", "" },
		{ "foo", "again" },
	};
	struct taxii_filter f;
	char msg[128];

	(void)state;
	/* Only limit is allowed: everything else, even bad, is ignored. */
	assert_int_equal(fparse(p, sizeof(p) / sizeof(p[0]), TAXII_P_LIMIT,
	    &f, msg, sizeof(msg)), ERR_OK);
	assert_int_equal(f.limit, 5);
	assert_int_equal(f.n_ids, 0);
	assert_int_equal(f.n_types, 0);
	taxii_filter_free(&f);
	/* Nothing allowed: defaults. */
	assert_int_equal(fparse(p, sizeof(p) / sizeof(p[0]), 0, &f, msg,
	    sizeof(msg)), ERR_OK);
	assert_int_equal(f.limit, LIM_PAGE_DEFAULT);
	taxii_filter_free(&f);
	/* With match[id] allowed the bad id is seen. */
	assert_int_equal(fparse(p, sizeof(p) / sizeof(p[0]),
	    TAXII_P_LIMIT | TAXII_P_ID, &f, msg, sizeof(msg)), ERR_PARSE);
	assert_non_null(strstr(msg, "match[id]"));
	taxii_filter_free(&f);
	/* Unknown keys alone. */
	assert_int_equal(fparse(p, 2, ALLP, &f, msg, sizeof(msg)), ERR_OK);
	assert_int_equal(f.limit, LIM_PAGE_DEFAULT);
	taxii_filter_free(&f);
}

static void
test_filter_too_long(void **state)
{
	struct taxii_param p[2];
	struct taxii_filter f;
	char *v, msg[128];

	(void)state;
	v = malloc(LIM_QUERY_BYTES + 1);
	assert_non_null(v);
	memset(v, 'a', LIM_QUERY_BYTES);
	v[LIM_QUERY_BYTES] = '\0';
	/* Even an unknown parameter counts toward the query length. */
	p[0].key = "unknown";
	p[0].value = v;
	assert_int_equal(fparse(p, 1, ALLP, &f, msg, sizeof(msg)), ERR_TOOBIG);
	taxii_filter_free(&f);
	p[0].key = "match[type]";
	assert_int_equal(fparse(p, 1, ALLP, &f, msg, sizeof(msg)), ERR_TOOBIG);
	taxii_filter_free(&f);
	/* Two halves that only together are too long. */
	v[LIM_QUERY_BYTES / 2] = '\0';
	p[0].key = "a";
	p[1].key = "b";
	p[1].value = v;
	assert_int_equal(fparse(p, 2, ALLP, &f, msg, sizeof(msg)), ERR_TOOBIG);
	taxii_filter_free(&f);
	/* A short message buffer is still NUL-terminated. */
	msg[0] = 'x';
	msg[1] = 'y';
	assert_int_equal(taxii_filter_parse(p, 2, ALLP, &f, msg, 2),
	    ERR_TOOBIG);
	assert_int_equal(msg[1], '\0');
	taxii_filter_free(&f);
	free(v);
}

/* -- cursors */

static const uint8_t ckey[TAXII_CURSOR_KEY_BYTES] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};
static const uint8_t cdig[16] = {
	0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
};

static void
test_cursor_roundtrip(void **state)
{
	static const int64_t when[] = {
		0, 1, -1, 1709164800123456LL, INT64_MAX, INT64_MIN,
		-62135596800LL * 1000000,
	};
	char c[TAXII_CURSOR_LEN + 1], c2[TAXII_CURSOR_LEN + 1];
	int64_t got;

	(void)state;
	for (size_t i = 0; i < sizeof(when) / sizeof(when[0]); i++) {
		memset(c, 'X', sizeof(c));
		assert_int_equal(taxii_cursor_make(ckey, cdig, when[i], c),
		    ERR_OK);
		assert_int_equal(strlen(c), TAXII_CURSOR_LEN);
		/* base64url, no padding. */
		assert_int_equal(strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_"),
		    TAXII_CURSOR_LEN);
		got = 12345;
		assert_int_equal(taxii_cursor_check(ckey, cdig, c, &got),
		    ERR_OK);
		assert_int_equal(got, when[i]);
		/* Deterministic. */
		assert_int_equal(taxii_cursor_make(ckey, cdig, when[i], c2),
		    ERR_OK);
		assert_string_equal(c, c2);
	}
	/* Different dates give different cursors. */
	assert_int_equal(taxii_cursor_make(ckey, cdig, 1, c), ERR_OK);
	assert_int_equal(taxii_cursor_make(ckey, cdig, 2, c2), ERR_OK);
	assert_string_not_equal(c, c2);
}

/* Raw cursor with any version byte, MACed correctly with key. */
static void
raw_cursor(uint8_t version, const uint8_t key[TAXII_CURSOR_KEY_BYTES],
    int64_t when, char out[TAXII_CURSOR_LEN + 1])
{
	uint8_t raw[41], mac[CRYPTO_SHA256_BYTES];
	char b64[CRYPTO_B64_LEN(41) + 1];

	raw[0] = version;
	for (int i = 0; i < 8; i++)
		raw[1 + i] = (uint8_t)((uint64_t)when >> (56 - 8 * i));
	memcpy(raw + 9, cdig, 16);
	crypto_hmac_sha256(key, TAXII_CURSOR_KEY_BYTES, raw, 25, mac);
	memcpy(raw + 25, mac, 16);
	assert_int_equal(crypto_b64_encode(raw, sizeof(raw), 1, b64,
	    sizeof(b64)), ERR_OK);
	assert_int_equal(strlen(b64), TAXII_CURSOR_LEN);
	memcpy(out, b64, TAXII_CURSOR_LEN + 1);
}

static void
test_cursor_tamper(void **state)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789-_+/=. \t\"%\x7f\x80\xff";
	char c[TAXII_CURSOR_LEN + 1], t[TAXII_CURSOR_LEN + 8];
	uint8_t key2[TAXII_CURSOR_KEY_BYTES], dig2[16];
	int64_t got = 777;
	size_t flips = 0;

	(void)state;
	assert_int_equal(taxii_cursor_make(ckey, cdig, 1709164800123456LL, c),
	    ERR_OK);
	/* Wrong key: one bit of it. */
	memcpy(key2, ckey, sizeof(key2));
	key2[31] ^= 1;
	assert_int_equal(taxii_cursor_check(key2, cdig, c, &got), ERR_PARSE);
	/* Wrong digest: another query. */
	memcpy(dig2, cdig, sizeof(dig2));
	dig2[15] ^= 0x80;
	assert_int_equal(taxii_cursor_check(ckey, dig2, c, &got), ERR_PARSE);
	/* Every single changed character, including in the unused low bits of
	 * the last one (non-canonical base64 must not pass). */
	for (size_t i = 0; i < TAXII_CURSOR_LEN; i++) {
		for (size_t a = 0; a < sizeof(alpha) - 1; a++) {
			if (alpha[a] == c[i])
				continue;
			memcpy(t, c, sizeof(c));
			t[i] = alpha[a];
			if (taxii_cursor_check(ckey, cdig, t, &got) !=
			    ERR_PARSE)
				fail_msg("cursor with byte %zu = 0x%02x "
				    "accepted", i, (unsigned char)alpha[a]);
			flips++;
		}
	}
	assert_true(flips > TAXII_CURSOR_LEN * 64);
	/* Truncated at every length. */
	for (size_t n = 0; n < TAXII_CURSOR_LEN; n++) {
		memcpy(t, c, n);
		t[n] = '\0';
		assert_int_equal(taxii_cursor_check(ckey, cdig, t, &got),
		    ERR_PARSE);
	}
	/* Padded, too long. */
	assert_true(snprintf(t, sizeof(t), "%s=", c) < (int)sizeof(t));
	assert_int_equal(taxii_cursor_check(ckey, cdig, t, &got), ERR_PARSE);
	assert_true(snprintf(t, sizeof(t), "%s==", c) < (int)sizeof(t));
	assert_int_equal(taxii_cursor_check(ckey, cdig, t, &got), ERR_PARSE);
	assert_true(snprintf(t, sizeof(t), "%sA", c) < (int)sizeof(t));
	assert_int_equal(taxii_cursor_check(ckey, cdig, t, &got), ERR_PARSE);
	assert_true(snprintf(t, sizeof(t), "%sAAAA", c) < (int)sizeof(t));
	assert_int_equal(taxii_cursor_check(ckey, cdig, t, &got), ERR_PARSE);
	assert_true(snprintf(t, sizeof(t), " %s", c) < (int)sizeof(t));
	assert_int_equal(taxii_cursor_check(ckey, cdig, t, &got), ERR_PARSE);
	/* Version byte: 1 is ours (this also checks raw_cursor's layout),
	 * anything else is refused even with a valid MAC. */
	raw_cursor(1, ckey, 42, t);
	assert_int_equal(taxii_cursor_check(ckey, cdig, t, &got), ERR_OK);
	assert_int_equal(got, 42);
	got = 777;
	for (int v = 0; v < 256; v++) {
		if (v == 1)
			continue;
		raw_cursor((uint8_t)v, ckey, 42, t);
		assert_int_equal(taxii_cursor_check(ckey, cdig, t, &got),
		    ERR_PARSE);
	}
	/* A cursor made with another key. */
	raw_cursor(1, key2, 42, t);
	assert_int_equal(taxii_cursor_check(ckey, cdig, t, &got), ERR_PARSE);
	assert_int_equal(got, 777);
	/* Garbage of the right length. */
	memset(t, 'A', TAXII_CURSOR_LEN);
	t[TAXII_CURSOR_LEN] = '\0';
	assert_int_equal(taxii_cursor_check(ckey, cdig, t, &got), ERR_PARSE);
	assert_int_equal(taxii_cursor_check(ckey, cdig, "", &got), ERR_PARSE);
}

/* -- taxii_handle */

static void
test_discovery(void **state)
{
	struct fx *x = *state;
	json_t *j, *roots;

	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(get(x, &x->cself, pass ? "/taxii2" :
		    "/taxii2/", NULL, 0), ERR_OK);
		assert_int_equal(x->resp.status, 200);
		j = body_json(x);
		assert_string_equal(jstr(j, "title"), "Test node");
		assert_string_equal(jstr(j, "default"), "https://h:1/taxii2/api/");
		roots = json_object_get(j, "api_roots");
		assert_true(json_is_array(roots));
		assert_int_equal(json_array_size(roots), 1);
		assert_string_equal(json_string_value(json_array_get(roots, 0)),
		    "https://h:1/taxii2/api/");
		json_decref(j);
	}
	/* Partners see the same discovery document. */
	assert_int_equal(get(x, &x->coutsider, "/taxii2/", NULL, 0), ERR_OK);
	assert_int_equal(call(x, &x->cself, TAXII_HEAD, "/taxii2/", NULL, 0,
	    NULL), ERR_OK);
	assert_int_equal(call(x, &x->cself, TAXII_POST, "/taxii2/", NULL, 0,
	    "{}"), ERR_METHOD);
	assert_string_equal(x->resp.allow, "GET, HEAD");
	assert_int_equal(call(x, &x->cself, TAXII_DELETE, "/taxii2/", NULL, 0,
	    NULL), ERR_METHOD);
	assert_int_equal(call(x, &x->cself, TAXII_OTHER, "/taxii2/", NULL, 0,
	    NULL), ERR_METHOD);

	/* API root. */
	assert_int_equal(get(x, &x->cself, "/taxii2/api/", NULL, 0), ERR_OK);
	j = body_json(x);
	assert_string_equal(jstr(j, "title"), "Test node");
	roots = json_object_get(j, "versions");
	assert_true(json_is_array(roots));
	assert_string_equal(json_string_value(json_array_get(roots, 0)),
	    TAXII_MEDIA_TYPE);
	assert_int_equal(jint(j, "max_content_length"), LIM_ENVELOPE_BYTES);
	json_decref(j);
	assert_int_equal(get(x, &x->cself, "/taxii2/api", NULL, 0), ERR_OK);
	assert_int_equal(call(x, &x->cself, TAXII_POST, "/taxii2/api/", NULL,
	    0, "{}"), ERR_METHOD);
	assert_int_equal(get(x, &x->cself, "/taxii2/other/", NULL, 0),
	    ERR_NOTFOUND);
}

static void
test_paths(void **state)
{
	static const char *const bad[] = {
		"", "/", "//", "taxii2/", "/taxii2//", "/taxii3/", "/TAXII2/",
		"/taxii2/api//", "/taxii2/api/x/", "/taxii2/api/collections//",
		"/taxii2/api/status/", "/taxii2/api/status/x/y/",
		"/taxii2/api/collections/" C_RO "/x/",
		"/taxii2/api/collections/" C_RO "/objects/x/",
		"/taxii2/api/collections/" C_RO "/objects/" IND_ID("01")
		    "/x/",
		"/taxii2/api/collections/" C_RO "/objects/" IND_ID("01")
		    "/versions/x/",
		"/taxii2/api/collections/" C_RO "/manifest/x/",
		"/taxii2/api/collections/" C_RO "//objects/",
		"/taxii2/api/collections/not-a-uuid/",
		"/taxii2/api/collections/" C_MISSING "/",
		"/taxii2/api/collections/" C_MISSING "/objects/",
		"/taxii2/api/status/not-a-uuid/",
		"/taxii2/api/status/" C_MISSING "/",
		"/taxii2/api/collections/" C_RO "/objects/" IND_ID("01")
		    "/versions/a/b/c/d/e/f/",
	};
	struct fx *x = *state;
	char *longp;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum err err = get(x, &x->cself, bad[i], NULL, 0);
		if (err != ERR_NOTFOUND)
			fail_msg("'%s': %s", bad[i], err_str(err));
	}
	/* A path longer than LIM_PATH_BYTES. */
	longp = malloc(LIM_PATH_BYTES + 100);
	assert_non_null(longp);
	memcpy(longp, "/taxii2/", 8);
	memset(longp + 8, 'a', LIM_PATH_BYTES + 50);
	longp[LIM_PATH_BYTES + 58] = '\0';
	assert_int_equal(get(x, &x->cself, longp, NULL, 0), ERR_NOTFOUND);
	free(longp);
	/* The trailing slash is optional. */
	assert_int_equal(get(x, &x->cself, "/taxii2/api/collections/" C_RO,
	    NULL, 0), ERR_OK);
	assert_int_equal(get(x, &x->cself, "/taxii2/api/collections/" C_RO
	    "/objects", NULL, 0), ERR_OK);
}

static void
test_collections(void **state)
{
	struct fx *x = *state;
	json_t *j, *a, *c;
	size_t i;

	/* The node's own party sees every collection, read and write. */
	assert_int_equal(get(x, &x->cself, "/taxii2/api/collections/", NULL,
	    0), ERR_OK);
	j = body_json(x);
	a = json_object_get(j, "collections");
	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), 4);
	json_array_foreach(a, i, c) {
		assert_string_equal(jstr(c, "id"), all_colls[i]);
		assert_true(json_is_true(json_object_get(c, "can_read")));
		assert_true(json_is_true(json_object_get(c, "can_write")));
		assert_string_equal(json_string_value(json_array_get(
		    json_object_get(c, "media_types"), 0)), STIX_MEDIA_TYPE);
	}
	assert_string_equal(jstr(json_array_get(a, 0), "title"), "Read only");
	assert_string_equal(jstr(json_array_get(a, 0), "description"),
	    "For partners to read");
	/* No description: no member. */
	assert_null(json_object_get(json_array_get(a, 1), "description"));
	json_decref(j);

	/* The partner sees its three, with its own flags. */
	assert_int_equal(get(x, &x->cpartner, "/taxii2/api/collections/",
	    NULL, 0), ERR_OK);
	j = body_json(x);
	a = json_object_get(j, "collections");
	assert_int_equal(json_array_size(a), 3);
	c = json_array_get(a, 0);
	assert_string_equal(jstr(c, "id"), C_RO);
	assert_true(json_is_true(json_object_get(c, "can_read")));
	assert_true(json_is_false(json_object_get(c, "can_write")));
	c = json_array_get(a, 1);
	assert_string_equal(jstr(c, "id"), C_WO);
	assert_true(json_is_false(json_object_get(c, "can_read")));
	assert_true(json_is_true(json_object_get(c, "can_write")));
	c = json_array_get(a, 2);
	assert_string_equal(jstr(c, "id"), C_RW);
	assert_true(json_is_true(json_object_get(c, "can_read")));
	assert_true(json_is_true(json_object_get(c, "can_write")));
	json_decref(j);

	/* The outsider sees none: an empty object. */
	assert_int_equal(get(x, &x->coutsider, "/taxii2/api/collections/",
	    NULL, 0), ERR_OK);
	assert_string_equal(x->resp.body.ptr, "{}");

	/* One collection. */
	assert_int_equal(get(x, &x->cpartner, cpath(x, C_WO, ""), NULL, 0),
	    ERR_OK);
	j = body_json(x);
	assert_string_equal(jstr(j, "id"), C_WO);
	assert_true(json_is_false(json_object_get(j, "can_read")));
	json_decref(j);
	/* Existence is not disclosed without a grant. */
	assert_int_equal(get(x, &x->cpartner, cpath(x, C_NONE, ""), NULL, 0),
	    ERR_NOTFOUND);
	assert_int_equal(get(x, &x->coutsider, cpath(x, C_NONE, ""), NULL, 0),
	    ERR_NOTFOUND);
	assert_int_equal(get(x, &x->cpartner, cpath(x, C_MISSING, ""), NULL,
	    0), ERR_NOTFOUND);
	/* Upper-case UUIDs are valid syntax but name no collection. */
	assert_int_equal(get(x, &x->cself, cpath(x,
	    "AAAAAAAA-1111-4111-8111-111111111111", ""), NULL, 0),
	    ERR_NOTFOUND);
	assert_int_equal(call(x, &x->cself, TAXII_POST, cpath(x, C_RO, ""),
	    NULL, 0, "{}"), ERR_METHOD);
	assert_int_equal(call(x, &x->cself, TAXII_DELETE,
	    "/taxii2/api/collections/", NULL, 0, NULL), ERR_METHOD);
}

static void
test_post_and_read(void **state)
{
	struct fx *x = *state;
	char ind[1024], ind2[1024], conflict[1024], tsv[TS_BUFSZ];
	const char *objs[4];
	struct taxii_param p[2];
	struct buf env;
	json_t *j, *s, *a, *o;
	char sid[UUID_STRLEN + 1];
	int64_t first, last;

	indicator(ind, sizeof(ind), 1, "2024-01-02T00:00:00.000Z", "one");
	objs[0] = ind;
	objs[1] = "{\"type\":\"indicator\",\"id\":\"indicator--bad\"}";
	objs[2] = "42";
	envelope(&env, objs, 3);
	j = post_ok(x, &x->cself, C_RW, env.ptr, 3, 1, 2);
	buf_reset(&env);
	s = json_array_get(json_object_get(j, "successes"), 0);
	assert_string_equal(jstr(s, "id"), IND_ID("01"));
	assert_string_equal(jstr(s, "version"), "2024-01-02T00:00:00.000000Z");
	assert_null(json_object_get(s, "message"));
	a = json_object_get(j, "failures");
	assert_string_equal(jstr(json_array_get(a, 0), "id"), "indicator--bad");
	assert_true(strlen(jstr(json_array_get(a, 0), "message")) > 0);
	assert_string_equal(jstr(json_array_get(a, 1), "id"), "objects[2]");
	assert_true(strlen(jstr(json_array_get(a, 1), "message")) > 0);
	memcpy(sid, jstr(j, "id"), UUID_STRLEN + 1);
	json_decref(j);

	/* The status resource says the same. */
	assert_int_equal(get(x, &x->cself, "/taxii2/api/status/x/", NULL, 0),
	    ERR_NOTFOUND);
	{
		char sp[128];

		assert_true(snprintf(sp, sizeof(sp), "/taxii2/api/status/%s/",
		    sid) < (int)sizeof(sp));
		assert_int_equal(get(x, &x->cself, sp, NULL, 0), ERR_OK);
		j = body_json(x);
		assert_string_equal(jstr(j, "id"), sid);
		assert_int_equal(jint(j, "total_count"), 3);
		assert_int_equal(jint(j, "success_count"), 1);
		assert_int_equal(jint(j, "failure_count"), 2);
		json_decref(j);
		assert_int_equal(call(x, &x->cself, TAXII_POST, sp, NULL, 0,
		    "{}"), ERR_METHOD);
	}

	/* GET objects. */
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "objects/"), NULL,
	    0), ERR_OK);
	j = body_json(x);
	assert_true(json_is_false(json_object_get(j, "more")));
	assert_null(json_object_get(j, "next"));
	a = objects_of(j);
	assert_int_equal(json_array_size(a), 1);
	o = json_array_get(a, 0);
	assert_string_equal(jstr(o, "id"), IND_ID("01"));
	assert_string_equal(jstr(o, "name"), "one");
	assert_string_equal(jstr(o, "pattern"),
	    "[ipv4-addr:value = '198.51.100.1']");
	json_decref(j);
	assert_true(x->resp.has_dates);
	assert_string_equal(x->resp.date_first, x->resp.date_last);
	assert_int_equal(ts_parse(x->resp.date_first,
	    strlen(x->resp.date_first), &first, NULL), ERR_OK);
	/* HEAD is answered like GET. */
	assert_int_equal(call(x, &x->cself, TAXII_HEAD, cpath(x, C_RW,
	    "objects/"), NULL, 0, NULL), ERR_OK);
	assert_int_equal(x->resp.status, 200);

	/* A second version of the same object, then a duplicate and a
	 * conflicting copy of the first version. */
	indicator(ind2, sizeof(ind2), 1, "2024-01-03T00:00:00.000Z", "two");
	indicator(conflict, sizeof(conflict), 1, "2024-01-02T00:00:00.000Z",
	    "changed");
	objs[0] = ind2;
	objs[1] = ind;
	objs[2] = conflict;
	envelope(&env, objs, 3);
	j = post_ok(x, &x->cself, C_RW, env.ptr, 3, 2, 1);
	buf_reset(&env);
	a = json_object_get(j, "successes");
	assert_null(json_object_get(json_array_get(a, 0), "message"));
	assert_string_equal(jstr(json_array_get(a, 1), "message"),
	    "already stored");
	assert_string_equal(jstr(json_array_get(json_object_get(j,
	    "failures"), 0), "version"), "2024-01-02T00:00:00.000000Z");
	json_decref(j);

	/* Default is the last version. */
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "objects/"), NULL,
	    0), ERR_OK);
	j = body_json(x);
	a = objects_of(j);
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(jstr(json_array_get(a, 0), "name"), "two");
	json_decref(j);

	/* Manifest. */
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "manifest/"), NULL,
	    0), ERR_OK);
	j = body_json(x);
	a = objects_of(j);
	assert_int_equal(json_array_size(a), 1);
	o = json_array_get(a, 0);
	assert_string_equal(jstr(o, "id"), IND_ID("01"));
	assert_string_equal(jstr(o, "version"), "2024-01-03T00:00:00.000000Z");
	assert_string_equal(jstr(o, "media_type"), STIX_MEDIA_TYPE);
	assert_int_equal(ts_parse(jstr(o, "date_added"),
	    strlen(jstr(o, "date_added")), &last, NULL), ERR_OK);
	assert_true(last > first);
	json_decref(j);
	p[0].key = "match[version]";
	p[0].value = "all";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "manifest/"), p, 1),
	    ERR_OK);
	j = body_json(x);
	assert_int_equal(json_array_size(objects_of(j)), 2);
	json_decref(j);

	/* Versions, oldest first. */
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW,
	    "objects/" IND_ID("01") "/versions/"), NULL, 0), ERR_OK);
	j = body_json(x);
	a = json_object_get(j, "versions");
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(json_string_value(json_array_get(a, 0)),
	    "2024-01-02T00:00:00.000000Z");
	assert_string_equal(json_string_value(json_array_get(a, 1)),
	    "2024-01-03T00:00:00.000000Z");
	assert_true(json_is_false(json_object_get(j, "more")));
	json_decref(j);
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW,
	    "objects/" IND_ID("02") "/versions/"), NULL, 0), ERR_NOTFOUND);

	/* Object by id: last by default, first or an exact version. */
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW,
	    "objects/" IND_ID("01") "/"), NULL, 0), ERR_OK);
	j = body_json(x);
	a = objects_of(j);
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(jstr(json_array_get(a, 0), "name"), "two");
	json_decref(j);
	p[0].value = "first";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW,
	    "objects/" IND_ID("01") "/"), p, 1), ERR_OK);
	j = body_json(x);
	assert_string_equal(jstr(json_array_get(objects_of(j), 0), "name"),
	    "one");
	json_decref(j);
	/* A version that does not exist is filtered out, not 404. */
	p[0].value = "2020-01-01T00:00:00Z";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW,
	    "objects/" IND_ID("01") "/"), p, 1), ERR_OK);
	assert_string_equal(x->resp.body.ptr, "{}");
	assert_false(x->resp.has_dates);
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW,
	    "objects/" IND_ID("02") "/"), NULL, 0), ERR_NOTFOUND);
	/* Same object, other collection: not there. */
	assert_int_equal(get(x, &x->cself, cpath(x, C_RO,
	    "objects/" IND_ID("01") "/"), NULL, 0), ERR_NOTFOUND);
	/* An id that is not a STIX id. */
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW,
	    "objects/indicator--x/"), NULL, 0), ERR_NOTFOUND);

	/* DELETE one version, then the rest. */
	ts_format(1704153600LL * 1000000, tsv);	/* 2024-01-02 */
	p[0].value = tsv;
	assert_int_equal(call(x, &x->cself, TAXII_DELETE, cpath(x, C_RW,
	    "objects/" IND_ID("01") "/"), p, 1, NULL), ERR_OK);
	assert_int_equal(x->resp.status, 200);
	assert_int_equal(x->resp.body.len, 0);
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW,
	    "objects/" IND_ID("01") "/versions/"), NULL, 0), ERR_OK);
	j = body_json(x);
	assert_int_equal(json_array_size(json_object_get(j, "versions")), 1);
	json_decref(j);
	assert_int_equal(call(x, &x->cself, TAXII_DELETE, cpath(x, C_RW,
	    "objects/" IND_ID("01") "/"), p, 1, NULL), ERR_NOTFOUND);
	assert_int_equal(call(x, &x->cself, TAXII_DELETE, cpath(x, C_RW,
	    "objects/" IND_ID("01") "/"), NULL, 0, NULL), ERR_OK);
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW,
	    "objects/" IND_ID("01") "/"), NULL, 0), ERR_NOTFOUND);
	assert_int_equal(call(x, &x->cself, TAXII_DELETE, cpath(x, C_RW,
	    "objects/" IND_ID("01") "/"), NULL, 0, NULL), ERR_NOTFOUND);
	/* An empty collection answers {}. */
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "objects/"), NULL,
	    0), ERR_OK);
	assert_string_equal(x->resp.body.ptr, "{}");
	assert_false(x->resp.has_dates);
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "manifest/"), NULL,
	    0), ERR_OK);
	assert_string_equal(x->resp.body.ptr, "{}");
}

/* indicator() made by the party with STIX identity cbr. */
static void
indicator_by(char *out, size_t cap, unsigned k, const char *cbr,
    const char *extra)
{
	int n;

	n = snprintf(out, cap, "{\"type\":\"indicator\",\"spec_version\":"
	    "\"2.1\",\"id\":\"indicator--8e2e2d2b-17d4-4cbf-938f-%012x\","
	    "\"created\":\"" T_CREATED "\",\"modified\":\"" T_CREATED "\","
	    "\"created_by_ref\":\"%s\",%s\"name\":\"p\",\"pattern\":"
	    "\"[ipv4-addr:value = '198.51.100.2']\",\"pattern_type\":\"stix\","
	    "\"valid_from\":\"2024-01-01T00:00:00Z\"}", k, cbr, extra);
	assert_true(n > 0 && (size_t)n < cap);
}

static void
test_partner(void **state)
{
	struct fx *x = *state;
	char ind[1024], pind[1024], sp[128], sp_self[128], msg[64];
	const char *objs[1];
	struct buf env, penv;
	json_t *j, *f;

	indicator(ind, sizeof(ind), 9, T_CREATED, "x");
	objs[0] = ind;
	envelope(&env, objs, 1);
	indicator_by(pind, sizeof(pind), 0x10, x->partner_identity, "");
	objs[0] = pind;
	envelope(&penv, objs, 1);

	/* Self fills the read-only collection; the partner reads it. */
	j = post_ok(x, &x->cself, C_RO, env.ptr, 1, 1, 0);
	assert_true(snprintf(sp_self, sizeof(sp_self), "/taxii2/api/status/"
	    "%s/", jstr(j, "id")) < (int)sizeof(sp_self));
	json_decref(j);
	assert_int_equal(get(x, &x->cpartner, cpath(x, C_RO, "objects/"),
	    NULL, 0), ERR_OK);
	j = body_json(x);
	assert_int_equal(json_array_size(objects_of(j)), 1);
	json_decref(j);
	assert_int_equal(get(x, &x->cpartner, cpath(x, C_RO, "manifest/"),
	    NULL, 0), ERR_OK);
	assert_int_equal(get(x, &x->cpartner, cpath(x, C_RO,
	    "objects/indicator--8e2e2d2b-17d4-4cbf-938f-000000000009/"), NULL,
	    0), ERR_OK);
	assert_int_equal(get(x, &x->cpartner, cpath(x, C_RO,
	    "objects/indicator--8e2e2d2b-17d4-4cbf-938f-000000000009/"
	    "versions/"), NULL, 0), ERR_OK);
	/* Its own indicator into the read-only collection: refused, with
	 * the reason (it may post sightings and notes there, so the post
	 * itself is taken). */
	j = post_ok(x, &x->cpartner, C_RO, penv.ptr, 1, 0, 1);
	f = json_array_get(json_object_get(j, "failures"), 0);
	assert_non_null(strstr(jstr(f, "message"), "not allowed by the "
	    "agreements in force"));
	json_decref(j);
	/* No one deletes but the node's own party. */
	assert_int_equal(call(x, &x->cpartner, TAXII_DELETE, cpath(x, C_RO,
	    "objects/indicator--8e2e2d2b-17d4-4cbf-938f-000000000009/"), NULL,
	    0, NULL), ERR_FORBIDDEN);
	/* The partner cannot read the self's status. */
	assert_int_equal(get(x, &x->cpartner, sp_self, NULL, 0), ERR_NOTFOUND);

	/* Write-only: post yes (its own objects only), read no. */
	j = post_ok(x, &x->cpartner, C_WO, env.ptr, 1, 0, 1);
	f = json_array_get(json_object_get(j, "failures"), 0);
	assert_non_null(strstr(jstr(f, "message"), "created_by_ref"));
	json_decref(j);
	j = post_ok(x, &x->cpartner, C_WO, penv.ptr, 1, 1, 0);
	assert_true(snprintf(sp, sizeof(sp), "/taxii2/api/status/%s/",
	    jstr(j, "id")) < (int)sizeof(sp));
	json_decref(j);
	assert_int_equal(get(x, &x->cpartner, cpath(x, C_WO, "objects/"),
	    NULL, 0), ERR_FORBIDDEN);
	assert_int_equal(get(x, &x->cpartner, cpath(x, C_WO, "manifest/"),
	    NULL, 0), ERR_FORBIDDEN);
	assert_int_equal(get(x, &x->cpartner, cpath(x, C_WO,
	    "objects/indicator--8e2e2d2b-17d4-4cbf-938f-000000000010/"), NULL,
	    0), ERR_FORBIDDEN);
	assert_int_equal(get(x, &x->cpartner, cpath(x, C_WO,
	    "objects/indicator--8e2e2d2b-17d4-4cbf-938f-000000000010/"
	    "versions/"), NULL, 0), ERR_FORBIDDEN);
	assert_int_equal(call(x, &x->cpartner, TAXII_DELETE, cpath(x, C_WO,
	    "objects/indicator--8e2e2d2b-17d4-4cbf-938f-000000000010/"), NULL,
	    0, NULL), ERR_FORBIDDEN);
	/* Its own status it can read; the self too; the outsider not. */
	assert_int_equal(get(x, &x->cpartner, sp, NULL, 0), ERR_OK);
	j = body_json(x);
	assert_int_equal(jint(j, "success_count"), 1);
	json_decref(j);
	assert_int_equal(get(x, &x->cself, sp, NULL, 0), ERR_OK);
	assert_int_equal(get(x, &x->coutsider, sp, NULL, 0), ERR_NOTFOUND);
	/* The self sees what the partner wrote. */
	assert_int_equal(get(x, &x->cself, cpath(x, C_WO, "objects/"), NULL,
	    0), ERR_OK);
	j = body_json(x);
	assert_int_equal(json_array_size(objects_of(j)), 1);
	json_decref(j);

	/* Read and write: what it wrote it reads back (ORIGIN); it still
	 * deletes nothing, the node's own party does. */
	j = post_ok(x, &x->cpartner, C_RW, penv.ptr, 1, 1, 0);
	json_decref(j);
	assert_int_equal(get(x, &x->cpartner, cpath(x, C_RW,
	    "objects/indicator--8e2e2d2b-17d4-4cbf-938f-000000000010/"), NULL,
	    0), ERR_OK);
	assert_int_equal(call(x, &x->cpartner, TAXII_DELETE, cpath(x, C_RW,
	    "objects/indicator--8e2e2d2b-17d4-4cbf-938f-000000000010/"), NULL,
	    0, NULL), ERR_FORBIDDEN);
	assert_int_equal(call(x, &x->cself, TAXII_DELETE, cpath(x, C_RW,
	    "objects/indicator--8e2e2d2b-17d4-4cbf-938f-000000000010/"), NULL,
	    0, NULL), ERR_OK);

	/* No clause: 404 everywhere, for the partner and the outsider. */
	for (int who = 0; who < 2; who++) {
		const struct taxii_ctx *c = who ? &x->coutsider : &x->cpartner;

		assert_int_equal(get(x, c, cpath(x, C_NONE, "objects/"), NULL,
		    0), ERR_NOTFOUND);
		assert_int_equal(get(x, c, cpath(x, C_NONE, "manifest/"),
		    NULL, 0), ERR_NOTFOUND);
		assert_int_equal(call(x, c, TAXII_POST, cpath(x, C_NONE,
		    "objects/"), NULL, 0, env.ptr), ERR_NOTFOUND);
		assert_int_equal(call(x, c, TAXII_DELETE, cpath(x, C_NONE,
		    "objects/indicator--8e2e2d2b-17d4-4cbf-938f-000000000009/"),
		    NULL, 0, NULL), ERR_NOTFOUND);
	}
	assert_int_equal(get(x, &x->coutsider, cpath(x, C_RO, "objects/"),
	    NULL, 0), ERR_NOTFOUND);

	/* The node's own object is read by the partner; once the agreement
	 * is terminated, nothing is, at once, and no collection is seen. */
	assert_int_equal(get(x, &x->cpartner, cpath(x, C_RO, "objects/"),
	    NULL, 0), ERR_OK);
	assert_true(strstr(x->resp.body.ptr, "000000000009") != NULL);
	(void)snprintf(msg, sizeof(msg), "fixture over");
	{
		struct agreement_report rep;

		agreement_report_init(&rep);
		assert_int_equal(node_terminate(x->st, x->seed[0],
		    "agreement--0f6c5a7e-3b9d-4e2a-9c1f-5d8e7b6a4c32",
		    ts_now_us() - 1000000, msg, ts_now_us(), NULL, &rep),
		    ERR_OK);
	}
	assert_int_equal(get(x, &x->cpartner, cpath(x, C_RO, "objects/"),
	    NULL, 0), ERR_NOTFOUND);
	assert_int_equal(get(x, &x->cpartner, "/taxii2/api/collections/",
	    NULL, 0), ERR_OK);
	assert_string_equal(x->resp.body.ptr, "{}");
	buf_reset(&env);
	buf_reset(&penv);
}

static void
test_methods(void **state)
{
	struct fx *x = *state;
	const char *oid = "objects/" IND_ID("01") "/";

	assert_int_equal(call(x, &x->cself, TAXII_DELETE, cpath(x, C_RW,
	    "objects/"), NULL, 0, NULL), ERR_METHOD);
	assert_string_equal(x->resp.allow, "GET, HEAD, POST");
	assert_int_equal(call(x, &x->cself, TAXII_OTHER, cpath(x, C_RW,
	    "objects/"), NULL, 0, NULL), ERR_METHOD);
	assert_int_equal(call(x, &x->cself, TAXII_POST, cpath(x, C_RW, oid),
	    NULL, 0, "{}"), ERR_METHOD);
	assert_string_equal(x->resp.allow, "GET, HEAD, DELETE");
	assert_int_equal(call(x, &x->cself, TAXII_POST, cpath(x, C_RW,
	    "manifest/"), NULL, 0, "{}"), ERR_METHOD);
	assert_string_equal(x->resp.allow, "GET, HEAD");
	assert_int_equal(call(x, &x->cself, TAXII_DELETE, cpath(x, C_RW,
	    "manifest/"), NULL, 0, NULL), ERR_METHOD);
	assert_int_equal(call(x, &x->cself, TAXII_POST, cpath(x, C_RW,
	    "objects/" IND_ID("01") "/versions/"), NULL, 0, "{}"),
	    ERR_METHOD);
	assert_int_equal(call(x, &x->cself, TAXII_DELETE, cpath(x, C_RW,
	    "objects/" IND_ID("01") "/versions/"), NULL, 0, NULL),
	    ERR_METHOD);
	assert_int_equal(call(x, &x->cself, TAXII_POST,
	    "/taxii2/api/collections/", NULL, 0, "{}"), ERR_METHOD);
	assert_int_equal(call(x, &x->cself, TAXII_DELETE, "/taxii2/api/status/"
	    C_RW "/", NULL, 0, NULL), ERR_METHOD);
}

static void
test_bad_requests(void **state)
{
	static const struct { const char *k, *v; } badp[] = {
		{ "limit", "0" }, { "limit", "-1" }, { "limit", "abc" },
		{ "match[id]", "bogus" }, { "match[type]", "A" },
		{ "match[version]", "newest" }, { "added_after", "yesterday" },
		{ "match[spec_version]", "x" },
		{ "next", "not-a-real-cursor" },
		{ "next", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
	};
	static const char *const bodies[] = {
		"[]", "{}", "42", "null", "\"objects\"", "{\"objects\":{}}",
		"{\"objects\":null}", "{\"objects\":\"x\"}", "true",
		"{\"Objects\":[]}",
	};
	static const char *const unparsable[] = {
		"not json", "{", "{\"objects\":[}", "{\"objects\":[],}",
		"{\"objects\":[],\"objects\":[]}", "{\"objects\":[]} x",
	};
	struct fx *x = *state;
	struct taxii_param p;
	struct buf b;
	json_t *j;

	for (size_t i = 0; i < sizeof(badp) / sizeof(badp[0]); i++) {
		p.key = badp[i].k;
		p.value = badp[i].v;
		for (int e = 0; e < 2; e++) {
			enum err err = get(x, &x->cself, cpath(x, C_RW,
			    e ? "manifest/" : "objects/"), &p, 1);
			if (err != ERR_PARSE)
				fail_msg("%s=%s: %s", p.key, p.value,
				    err_str(err));
			if (strstr(x->resp.msg, p.key) == NULL)
				fail_msg("%s=%s: message '%s'", p.key, p.value,
				    x->resp.msg);
		}
	}
	/* Bad filters on object by id and DELETE too. */
	p.key = "match[version]";
	p.value = "newest";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW,
	    "objects/" IND_ID("01") "/"), &p, 1), ERR_PARSE);
	assert_int_equal(call(x, &x->cself, TAXII_DELETE, cpath(x, C_RW,
	    "objects/" IND_ID("01") "/"), &p, 1, NULL), ERR_PARSE);
	p.key = "limit";
	p.value = "0";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW,
	    "objects/" IND_ID("01") "/versions/"), &p, 1), ERR_PARSE);

	/* Bodies that are JSON but not envelopes: 422. */
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		enum err err = call(x, &x->cself, TAXII_POST, cpath(x, C_RW,
		    "objects/"), NULL, 0, bodies[i]);
		if (err != ERR_INVALID)
			fail_msg("'%s': %s", bodies[i], err_str(err));
	}
	/* Not JSON, duplicate keys, empty: 400. */
	for (size_t i = 0; i < sizeof(unparsable) / sizeof(unparsable[0]);
	    i++) {
		enum err err = call(x, &x->cself, TAXII_POST, cpath(x, C_RW,
		    "objects/"), NULL, 0, unparsable[i]);
		if (err != ERR_PARSE)
			fail_msg("'%s': %s", unparsable[i], err_str(err));
	}
	assert_int_equal(call(x, &x->cself, TAXII_POST, cpath(x, C_RW,
	    "objects/"), NULL, 0, NULL), ERR_PARSE);
	assert_int_equal(call(x, &x->cself, TAXII_POST, cpath(x, C_RW,
	    "objects/"), NULL, 0, ""), ERR_PARSE);
	/* Too many objects: 413 before any is looked at. */
	buf_init(&b, 1u << 20);
	assert_int_equal(buf_addstr(&b, "{\"objects\":[0"), ERR_OK);
	for (size_t i = 0; i < LIM_ENVELOPE_OBJECTS; i++)
		assert_int_equal(buf_addstr(&b, ",0"), ERR_OK);
	assert_int_equal(buf_addstr(&b, "]}"), ERR_OK);
	assert_int_equal(call(x, &x->cself, TAXII_POST, cpath(x, C_RW,
	    "objects/"), NULL, 0, b.ptr), ERR_TOOBIG);
	buf_reset(&b);
	/* An empty envelope is fine, and so are extra members. */
	j = post_ok(x, &x->cself, C_RW, "{\"objects\":[]}", 0, 0, 0);
	json_decref(j);
	j = post_ok(x, &x->cself, C_RW, "{\"more\":false,\"objects\":[{}]}", 1,
	    0, 1);
	json_decref(j);
	/* Nothing was stored by any of this. */
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "objects/"), NULL,
	    0), ERR_OK);
	assert_string_equal(x->resp.body.ptr, "{}");
}

/*
 * Page through path with limit (and base params), marking each record's
 * key in seen[] (index from the last two hex digits of the id, or the
 * position in versions/).  Returns the number of pages.
 */
static int
page_all(struct fx *x, const char *path, const char *limit,
    const char *list, int *seen, size_t n_seen, char *first_next)
{
	char next[TAXII_CURSOR_LEN + 1] = "";
	struct taxii_param p[2];
	int pages = 0, more;
	int64_t prev_last = INT64_MIN, d1, d2;
	json_t *j, *a, *r;
	size_t i;

	do {
		p[0].key = "limit";
		p[0].value = limit;
		p[1].key = "next";
		p[1].value = next;
		if (get(x, &x->cself, path, p, next[0] ? 2 : 1) != ERR_OK)
			fail_msg("page %d: %s", pages, x->resp.msg);
		j = body_json(x);
		a = json_object_get(j, list);
		assert_true(json_is_array(a));
		assert_true(json_array_size(a) >= 1);
		assert_true(json_array_size(a) <= (size_t)strtol(limit, NULL,
		    10));
		/* Date headers move forward page by page. */
		assert_true(x->resp.has_dates);
		assert_int_equal(ts_parse(x->resp.date_first, 27, &d1, NULL),
		    ERR_OK);
		assert_int_equal(ts_parse(x->resp.date_last, 27, &d2, NULL),
		    ERR_OK);
		assert_true(d1 <= d2);
		assert_true(d1 > prev_last);
		prev_last = d2;
		json_array_foreach(a, i, r) {
			size_t k;

			if (json_is_string(r)) {
				k = (size_t)json_string_value(r)[9] - '0';
			} else {
				const char *id = jstr(r, "id");
				k = (size_t)strtoul(id + strlen(id) - 2, NULL,
				    16);
			}
			assert_true(k < n_seen);
			seen[k]++;
		}
		more = json_is_true(json_object_get(j, "more"));
		if (more) {
			const char *nx = jstr(j, "next");
			assert_int_equal(strlen(nx), TAXII_CURSOR_LEN);
			memcpy(next, nx, TAXII_CURSOR_LEN + 1);
			if (pages == 0 && first_next != NULL)
				memcpy(first_next, nx, TAXII_CURSOR_LEN + 1);
		} else {
			assert_true(json_is_false(json_object_get(j, "more")));
			assert_null(json_object_get(j, "next"));
		}
		json_decref(j);
		pages++;
		assert_true(pages < 20);
	} while (more);
	return pages;
}

static void
test_pagination(void **state)
{
	struct fx *x = *state;
	char objs_txt[6][1024], cur[TAXII_CURSOR_LEN + 1];
	const char *objs[6];
	struct taxii_param p[2];
	int seen[8];
	struct buf env;
	json_t *j;

	for (unsigned k = 0; k < 5; k++) {
		indicator(objs_txt[k], sizeof(objs_txt[k]), k + 1, T_CREATED,
		    "p");
		objs[k] = objs_txt[k];
	}
	envelope(&env, objs, 5);
	j = post_ok(x, &x->cself, C_RW, env.ptr, 5, 5, 0);
	json_decref(j);
	buf_reset(&env);

	/* objects/ and manifest/: 2 + 2 + 1, each id exactly once. */
	memset(seen, 0, sizeof(seen));
	assert_int_equal(page_all(x, cpath(x, C_RW, "objects/"), "2",
	    "objects", seen, 8, cur), 3);
	assert_int_equal(seen[0], 0);
	for (int k = 1; k <= 5; k++)
		assert_int_equal(seen[k], 1);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(page_all(x, cpath(x, C_RW, "manifest/"), "2",
	    "objects", seen, 8, NULL), 3);
	for (int k = 1; k <= 5; k++)
		assert_int_equal(seen[k], 1);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(page_all(x, cpath(x, C_RW, "objects/"), "1",
	    "objects", seen, 8, NULL), 5);
	for (int k = 1; k <= 5; k++)
		assert_int_equal(seen[k], 1);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(page_all(x, cpath(x, C_RW, "objects/"), "5",
	    "objects", seen, 8, NULL), 1);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(page_all(x, cpath(x, C_RW, "objects/"), "1000000",
	    "objects", seen, 8, NULL), 1);

	/* The page-1 cursor continues its own query only. */
	p[0].key = "next";
	p[0].value = cur;
	p[1].key = "limit";
	p[1].value = "3";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "objects/"), p, 2),
	    ERR_OK);		/* limit may change between pages */
	j = body_json(x);
	assert_int_equal(json_array_size(objects_of(j)), 3);
	assert_true(json_is_false(json_object_get(j, "more")));
	json_decref(j);
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "manifest/"), p, 2),
	    ERR_PARSE);
	assert_int_equal(get(x, &x->cself, cpath(x, C_RO, "objects/"), p, 2),
	    ERR_PARSE);
	p[1].key = "match[type]";
	p[1].value = "indicator";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "objects/"), p, 2),
	    ERR_PARSE);
	/* A cursor under another key. */
	{
		struct taxii_ctx other = x->cself;
		uint8_t key2[TAXII_CURSOR_KEY_BYTES];

		memcpy(key2, x->key, sizeof(key2));
		key2[0] ^= 0xff;
		other.cursor_key = key2;
		assert_int_equal(get(x, &other, cpath(x, C_RW, "objects/"), p,
		    1), ERR_PARSE);
	}

	/* versions/: five versions of one object, one per page. */
	for (unsigned k = 0; k < 5; k++) {
		char mod[32];

		assert_true(snprintf(mod, sizeof(mod),
		    "2024-01-0%uT00:00:00.000Z", k + 2) < (int)sizeof(mod));
		indicator(objs_txt[k], sizeof(objs_txt[k]), 0x77, mod, "v");
		objs[k] = objs_txt[k];
	}
	envelope(&env, objs, 5);
	j = post_ok(x, &x->cself, C_RO, env.ptr, 5, 5, 0);
	json_decref(j);
	buf_reset(&env);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(page_all(x, cpath(x, C_RO, "objects/"
	    "indicator--8e2e2d2b-17d4-4cbf-938f-000000000077/versions/"), "1",
	    "versions", seen, 8, NULL), 5);
	for (int k = 2; k <= 6; k++)
		assert_int_equal(seen[k], 1);
	/* All versions of the object by id, two per page. */
	p[0].key = "match[version]";
	p[0].value = "all";
	p[1].key = "limit";
	p[1].value = "2";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RO, "objects/"
	    "indicator--8e2e2d2b-17d4-4cbf-938f-000000000077/"), p, 2),
	    ERR_OK);
	j = body_json(x);
	assert_int_equal(json_array_size(objects_of(j)), 2);
	assert_true(json_is_true(json_object_get(j, "more")));
	json_decref(j);
}

static void
test_filters_applied(void **state)
{
	struct fx *x = *state;
	char t[4][1024];
	const char *objs[4];
	struct taxii_param p[2];
	struct buf env;
	json_t *j;
	char after[TS_BUFSZ];

	indicator(t[0], sizeof(t[0]), 1, T_CREATED, "i1");
	malware(t[1], sizeof(t[1]), 2);
	indicator(t[2], sizeof(t[2]), 3, T_CREATED, "i3");
	malware(t[3], sizeof(t[3]), 4);
	for (int i = 0; i < 4; i++)
		objs[i] = t[i];
	envelope(&env, objs, 4);
	j = post_ok(x, &x->cself, C_RW, env.ptr, 4, 4, 0);
	json_decref(j);
	buf_reset(&env);

	p[0].key = "match[type]";
	p[0].value = "malware";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "objects/"), p, 1),
	    ERR_OK);
	j = body_json(x);
	assert_int_equal(json_array_size(objects_of(j)), 2);
	assert_string_equal(jstr(json_array_get(objects_of(j), 0), "type"),
	    "malware");
	assert_string_equal(jstr(json_array_get(objects_of(j), 1), "type"),
	    "malware");
	json_decref(j);
	p[0].value = "malware,indicator";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "manifest/"), p, 1),
	    ERR_OK);
	j = body_json(x);
	assert_int_equal(json_array_size(objects_of(j)), 4);
	json_decref(j);
	p[0].value = "tool";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "objects/"), p, 1),
	    ERR_OK);
	assert_string_equal(x->resp.body.ptr, "{}");

	p[0].key = "match[id]";
	p[0].value = IND_ID("03") "," IND_ID("07");
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "objects/"), p, 1),
	    ERR_OK);
	j = body_json(x);
	assert_int_equal(json_array_size(objects_of(j)), 1);
	assert_string_equal(jstr(json_array_get(objects_of(j), 0), "id"),
	    IND_ID("03"));
	json_decref(j);

	/* Only 2.0 wanted: entente stores 2.1 only. */
	p[0].key = "match[spec_version]";
	p[0].value = "2.0";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "objects/"), p, 1),
	    ERR_OK);
	assert_string_equal(x->resp.body.ptr, "{}");
	p[0].value = "2.0,2.1";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "objects/"), p, 1),
	    ERR_OK);
	j = body_json(x);
	assert_int_equal(json_array_size(objects_of(j)), 4);
	json_decref(j);

	/* added_after the second object's date: the last two. */
	p[0].key = "limit";
	p[0].value = "2";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "manifest/"), p, 1),
	    ERR_OK);
	memcpy(after, x->resp.date_last, TS_BUFSZ);
	p[0].key = "added_after";
	p[0].value = after;
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "objects/"), p, 1),
	    ERR_OK);
	j = body_json(x);
	assert_int_equal(json_array_size(objects_of(j)), 2);
	assert_string_equal(jstr(json_array_get(objects_of(j), 0), "id"),
	    IND_ID("03"));
	json_decref(j);
	assert_true(strcmp(x->resp.date_first, after) > 0);
	/* With a type filter too (filters AND). */
	p[1].key = "match[type]";
	p[1].value = "malware";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "objects/"), p, 2),
	    ERR_OK);
	j = body_json(x);
	assert_int_equal(json_array_size(objects_of(j)), 1);
	json_decref(j);
	/* Unknown parameters are ignored. */
	p[0].key = "match[colour]";
	p[0].value = "blue";
	p[1].key = "foo";
	p[1].value = "";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "objects/"), p, 2),
	    ERR_OK);
	j = body_json(x);
	assert_int_equal(json_array_size(objects_of(j)), 4);
	json_decref(j);
	/* Parameters not supported by versions/ are ignored there. */
	p[0].key = "match[type]";
	p[0].value = "Not_A_Type";
	assert_int_equal(get(x, &x->cself, cpath(x, C_RW, "objects/"
	    IND_ID("01") "/versions/"), p, 1), ERR_OK);
}

/* taxii_envelope_info: what a sync client reads of a page. */
static void
test_envelope_info(void **state)
{
	struct taxii_envelope_meta m;
	const char *a = "{\"more\":true,\"next\":\"abc_-9\",\"objects\":"
	    "[{\"id\":\"x\",\"n\":[1,{\"a\":\"]}\"}]},{}]}";
	const char *b = " { \"objects\" : [ ] , \"more\" : false } ";
	const char *c = "{\"more\":true,\"next\":\"n\"}";
	const char *d = "{\"objects\":[{}],\"objects\":[]}";
	const char *e = "{\"objects\":[{}],\"more\":tru}";

	(void)state;
	assert_int_equal(taxii_envelope_info(a, strlen(a), &m), 0);
	assert_int_equal(m.more, 1);
	assert_string_equal(m.next, "abc_-9");
	assert_int_equal(m.n_objects, 2);
	assert_int_equal(taxii_envelope_info(b, strlen(b), &m), 0);
	assert_int_equal(m.more, 0);
	assert_string_equal(m.next, "");
	assert_int_equal(m.n_objects, 0);
	/* Not vouched for: no objects member, a duplicate, bad JSON. */
	assert_int_equal(taxii_envelope_info(c, strlen(c), &m), -1);
	assert_int_equal(m.more, 0);
	assert_int_equal(taxii_envelope_info(d, strlen(d), &m), -1);
	assert_int_equal(taxii_envelope_info(e, strlen(e), &m), -1);
	/* Truncated anywhere: never vouched for. */
	for (size_t i = 0; i < strlen(a); i++)
		assert_int_equal(taxii_envelope_info(a, i, &m), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envelope_info),
		cmocka_unit_test(test_filter_defaults),
		cmocka_unit_test(test_filter_values),
		cmocka_unit_test(test_filter_spec_version),
		cmocka_unit_test(test_filter_added_after),
		cmocka_unit_test(test_filter_limit),
		cmocka_unit_test(test_filter_bad_values),
		cmocka_unit_test(test_filter_lists),
		cmocka_unit_test(test_filter_ignored),
		cmocka_unit_test(test_filter_too_long),
		cmocka_unit_test(test_cursor_roundtrip),
		cmocka_unit_test(test_cursor_tamper),
		cmocka_unit_test_setup_teardown(test_discovery, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_paths, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_collections, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_post_and_read, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_partner, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_methods, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_pagination, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_filters_applied, fx_setup,
		    fx_teardown),
	};

	jsonmem_install();
	log_set_level(LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
