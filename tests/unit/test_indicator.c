#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "match/indicator.h"
#include "stix/pattern.h"
#include "store/store.h"
#include "util/timeutil.h"

#define TERMS_CAP	16

/* Parse pat, run match_terms with cap, return its result. */
static enum err
terms(const char *pat, struct match_term *out, size_t cap, size_t *n,
    char *why, size_t why_cap, struct stix_pattern **pp)
{
	char reason[256];

	*pp = NULL;
	if (stix_pattern_parse(pat, strlen(pat), pp, reason, sizeof(reason))
	    != ERR_OK)
		fail_msg("%s: %s", pat, reason);
	return match_terms(*pp, out, cap, n, why, why_cap);
}

struct want_term {
	enum match_ikind	 kind;
	const char		*value;
	int			 subset;
};

static void
accept(const char *pat, const struct want_term *w, size_t n_w)
{
	struct match_term out[TERMS_CAP];
	struct stix_pattern *p;
	char why[MATCH_WHY_BYTES];
	size_t n = 99;
	enum err e;

	e = terms(pat, out, TERMS_CAP, &n, why, sizeof(why), &p);
	if (e != ERR_OK)
		fail_msg("%s refused: %s", pat, why);
	assert_int_equal(n, n_w);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(out[i].kind, w[i].kind);
		assert_int_equal(out[i].subset, w[i].subset);
		if (out[i].len != strlen(w[i].value) ||
		    memcmp(out[i].value, w[i].value, out[i].len) != 0)
			fail_msg("%s: term %zu is '%.*s'", pat, i,
			    (int)out[i].len, out[i].value);
		assert_true(match_term_valid(out[i].kind, out[i].value,
		    out[i].len));
	}
	stix_pattern_free(p);
}

static void
refuse(const char *pat, const char *reason_part)
{
	struct match_term out[TERMS_CAP];
	struct stix_pattern *p;
	char why[MATCH_WHY_BYTES];
	size_t n = 99;

	assert_int_equal(terms(pat, out, TERMS_CAP, &n, why, sizeof(why), &p),
	    ERR_UNSUPPORTED);
	assert_int_equal(n, 0);
	if (strstr(why, reason_part) == NULL)
		fail_msg("%s: reason '%s' lacks '%s'", pat, why, reason_part);
	stix_pattern_free(p);
}

#define SHA256_A "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
#define MD5_A	"44d88612fea8a8f36de82e1278abb02f"
#define SHA1_A	"3395856ce81f2b7382dee72602f798b642f14140"

static void
test_terms_accept(void **state)
{
	(void)state;
	accept("[ipv4-addr:value = '198.51.100.1']", (struct want_term[]){
	    { MATCH_I_IPV4, "198.51.100.1", 0 } }, 1);
	accept("[ipv4-addr:value = '198.51.100.0/24']", (struct want_term[]){
	    { MATCH_I_IPV4, "198.51.100.0/24", 0 } }, 1);
	accept("[ipv4-addr:value ISSUBSET '198.51.100.7/24']",
	    (struct want_term[]){ { MATCH_I_IPV4, "198.51.100.7/24", 1 } }, 1);
	accept("[ipv6-addr:value = '2001:DB8::1']", (struct want_term[]){
	    { MATCH_I_IPV6, "2001:DB8::1", 0 } }, 1);
	accept("[ipv6-addr:value ISSUBSET '2001:db8::/32']",
	    (struct want_term[]){ { MATCH_I_IPV6, "2001:db8::/32", 1 } }, 1);
	accept("[domain-name:value = 'evil.example.com']",
	    (struct want_term[]){ { MATCH_I_DOMAIN, "evil.example.com", 0 } },
	    1);
	/* The root dot is left out; case is kept for the matcher. */
	accept("[domain-name:value = 'Evil.Example.COM.']",
	    (struct want_term[]){ { MATCH_I_DOMAIN, "Evil.Example.COM", 0 } },
	    1);
	accept("[domain-name:value = '_dmarc.xn--80ak6aa92e.com']",
	    (struct want_term[]){ { MATCH_I_DOMAIN,
	    "_dmarc.xn--80ak6aa92e.com", 0 } }, 1);
}

static void
test_terms_accept2(void **state)
{
	(void)state;
	accept("[url:value = 'https://evil.example.com/x?y=1']",
	    (struct want_term[]){ { MATCH_I_URL,
	    "https://evil.example.com/x?y=1", 0 } }, 1);
	accept("[email-addr:value = 'ceo@evil.example.com']",
	    (struct want_term[]){ { MATCH_I_EMAIL, "ceo@evil.example.com", 0 } },
	    1);
	accept("[file:hashes.'SHA-256' = '" SHA256_A "']",
	    (struct want_term[]){ { MATCH_I_SHA256, SHA256_A, 0 } }, 1);
	accept("[file:hashes.MD5 = '" MD5_A "']",
	    (struct want_term[]){ { MATCH_I_MD5, MD5_A, 0 } }, 1);
	accept("[file:hashes.'SHA-1' = '" SHA1_A "']",
	    (struct want_term[]){ { MATCH_I_SHA1, SHA1_A, 0 } }, 1);
	accept("[domain-name:value = 'a.example.com' OR domain-name:value = "
	    "'b.example.com' OR ipv4-addr:value = '192.0.2.1']",
	    (struct want_term[]){ { MATCH_I_DOMAIN, "a.example.com", 0 },
	    { MATCH_I_DOMAIN, "b.example.com", 0 },
	    { MATCH_I_IPV4, "192.0.2.1", 0 } }, 3);
	/* An OR of observations means the same as an OR inside one. */
	accept("[ipv4-addr:value = '192.0.2.1'] OR ([file:hashes.'MD5' = '"
	    MD5_A "'])", (struct want_term[]){
	    { MATCH_I_IPV4, "192.0.2.1", 0 }, { MATCH_I_MD5, MD5_A, 0 } }, 2);
	accept("[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')]",
	    (struct want_term[]){ { MATCH_I_IPV4, "192.0.2.1", 0 },
	    { MATCH_I_IPV4, "192.0.2.2", 0 } }, 2);
}

static void
test_terms_refuse(void **state)
{
	(void)state;
	refuse("[ipv4-addr:value = '192.0.2.1' AND domain-name:value = "
	    "'a.example.com']", "AND inside");
	refuse("[ipv4-addr:value = '192.0.2.1'] AND [domain-name:value = "
	    "'a.example.com']", "AND between");
	refuse("[ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [domain-name:value "
	    "= 'a.example.com']", "FOLLOWEDBY");
	refuse("[ipv4-addr:value = '192.0.2.1'] WITHIN 60 SECONDS",
	    "qualifiers");
	refuse("[ipv4-addr:value = '192.0.2.1'] OR [ipv4-addr:value = "
	    "'192.0.2.2'] REPEATS 2 TIMES", "qualifiers");
	refuse("[file:name = 'evil.exe']", "property file:name");
	refuse("[network-traffic:dst_ref.value = '192.0.2.1']",
	    "property network-traffic:dst_ref");
	refuse("[file:hashes.'SHA-512' = '" SHA256_A SHA256_A "']",
	    "hash algorithm 'SHA-512'");
	refuse("[ipv4-addr:value != '192.0.2.1']", "operator !=");
	refuse("[ipv4-addr:value NOT = '192.0.2.1']", "NOT =");
	refuse("[domain-name:value LIKE '%.example.com']", "operator LIKE");
	refuse("[domain-name:value MATCHES '^a']", "operator MATCHES");
	refuse("[domain-name:value ISSUBSET 'example.com']",
	    "operator ISSUBSET on domain-name");
	refuse("[ipv4-addr:value ISSUBSET '192.0.2.1']", "needs a CIDR");
	refuse("[ipv4-addr:value = '192.0.2.256']", "not a valid ipv4");
	refuse("[ipv4-addr:value = '192.0.2.1/33']", "not a valid ipv4");
	refuse("[ipv4-addr:value = '2001:db8::1']", "not a valid ipv4");
	refuse("[ipv6-addr:value = '192.0.2.1']", "not a valid ipv6");
	refuse("[ipv6-addr:value = 'fe80::1%eth0']", "not a valid ipv6");
	refuse("[ipv4-addr:value = 3232235521]", "not a string");
	refuse("[domain-name:value = 'localhost']", "not a valid domain");
	refuse("[domain-name:value = '192.0.2.1']", "not a valid domain");
	refuse("[domain-name:value = 'a..example.com']", "not a valid domain");
	refuse("[domain-name:value = '']", "not a valid domain");
	refuse("[url:value = 'evil.example.com/x']", "not a valid url");
	refuse("[url:value = 'http://evil.example.com/a b']",
	    "not a valid url");
	refuse("[email-addr:value = 'nobody']", "not a valid email");
	refuse("[ipv4-addr:value IN ()]", "empty IN");
}

static void
test_terms_toobig(void **state)
{
	struct match_term out[2];
	struct stix_pattern *p;
	char why[MATCH_WHY_BYTES];
	size_t n = 5;

	(void)state;
	assert_int_equal(terms("[ipv4-addr:value IN ('192.0.2.1', "
	    "'192.0.2.2', '192.0.2.3')]", out, 2, &n, why, sizeof(why), &p),
	    ERR_TOOBIG);
	assert_int_equal(n, 0);
	assert_non_null(strstr(why, "more than 2 terms"));
	stix_pattern_free(p);
	/* A zero-sized reason buffer is never written. */
	assert_int_equal(terms("[file:name = 'x']", out, 2, &n, why, 0, &p),
	    ERR_UNSUPPORTED);
	stix_pattern_free(p);
}

static void
test_term_valid(void **state)
{
	(void)state;
	assert_true(match_term_valid(MATCH_I_IPV4, "0.0.0.0/0", 9));
	assert_false(match_term_valid(MATCH_I_IPV4, "1.2.3", 5));
	assert_false(match_term_valid(MATCH_I_IPV4, "01.2.3.4", 8));
	assert_false(match_term_valid(MATCH_I_IPV4, "1.2.3.4/", 8));
	assert_false(match_term_valid(MATCH_I_IPV4, "1.2.3.4/032", 11));
	assert_true(match_term_valid(MATCH_I_IPV6, "::ffff:192.0.2.1", 16));
	assert_true(match_term_valid(MATCH_I_IPV6, "::/0", 4));
	assert_false(match_term_valid(MATCH_I_IPV6, "::/129", 6));
	assert_false(match_term_valid(MATCH_I_IPV6, "1::2::3", 7));
	assert_false(match_term_valid(MATCH_I_DOMAIN, "-a.example.com", 14));
	assert_false(match_term_valid(MATCH_I_DOMAIN, "a-.example.com", 14));
	assert_false(match_term_valid(MATCH_I_DOMAIN, "a.example.123", 13));
	assert_true(match_term_valid(MATCH_I_DOMAIN, "1.example.com", 13));
	assert_false(match_term_valid(MATCH_I_DOMAIN, "caf\xc3\xa9.example",
	    13));
	assert_false(match_term_valid(MATCH_I_DOMAIN, "a.b\0c.com", 9));
	assert_false(match_term_valid(MATCH_I_URL, "http://", 7));
	assert_true(match_term_valid(MATCH_I_URL, "git+ssh://h", 11));
	assert_false(match_term_valid(MATCH_I_URL, "1http://h", 9));
	assert_false(match_term_valid(MATCH_I_EMAIL, "@example.com", 12));
	assert_false(match_term_valid(MATCH_I_MD5, MD5_A "0", 33));
	assert_false(match_term_valid(MATCH_I_MD5, "g" MD5_A, 32));
	assert_true(match_term_valid(MATCH_I_SHA1, SHA1_A, 40));
	assert_false(match_term_valid((enum match_ikind)0, "x", 1));
	assert_false(match_term_valid(MATCH_I_IPV4, NULL, 0));
	assert_string_equal(match_ikind_name(MATCH_I_SHA256), "sha256");
	assert_string_equal(match_ikind_name(MATCH_I_EMAIL), "email");
	assert_string_equal(match_ikind_name((enum match_ikind)42), "?");
}

/* A match_use that refuses every version of the collection *arg. */
static int
not_in_coll(void *arg, const struct store_row *r)
{
	return r->coll_id != *(const int64_t *)arg;
}

/* ---- match_indicators_each on a real store ---- */

struct fx {
	char		 dir[128];
	char		 path[160];
	struct store	*st;
	int64_t		 party;
	int64_t		 c1;
	int64_t		 c2;
	int64_t		 now;
};

#define UUID_FMT	"00000000-0000-4000-8000-%012d"

/* Add one object (JSON text) to coll. */
static void
put(struct fx *f, int64_t coll, const char *json)
{
	struct store_obj_in in;
	enum store_put_result res;
	json_error_t jerr;
	json_t *o, *v;
	int64_t ver;

	o = json_loads(json, 0, &jerr);
	if (o == NULL)
		fail_msg("bad test JSON: %s: %s", jerr.text, json);
	v = json_object_get(o, "modified");
	assert_true(json_is_string(v));
	assert_int_equal(ts_parse(json_string_value(v),
	    json_string_length(v), &ver, NULL), ERR_OK);
	memset(&in, 0, sizeof(in));
	in.stix_id = json_string_value(json_object_get(o, "id"));
	in.type = json_string_value(json_object_get(o, "type"));
	in.version = ver;
	in.json = json;
	in.json_len = strlen(json);
	crypto_sha256(json, in.json_len, in.hash);
	assert_int_equal(store_put_objects(f->st, coll, f->party, &in, 1,
	    &res, NULL), ERR_OK);
	assert_int_equal(res, STORE_PUT_ADDED);
	json_decref(o);
}

/* An indicator with the given number, version, pattern type and extra
 * properties (a JSON fragment starting with ',' or empty). */
static void
put_ind(struct fx *f, int64_t coll, int num, const char *modified,
    const char *ptype, const char *pattern, const char *extra)
{
	char buf[2048];

	assert_true(snprintf(buf, sizeof(buf), "{\"type\":\"indicator\","
	    "\"spec_version\":\"2.1\",\"id\":\"indicator--" UUID_FMT "\","
	    "\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"%s\","
	    "\"pattern\":\"%s\",\"pattern_type\":\"%s\","
	    "\"valid_from\":\"2024-01-01T00:00:00Z\"%s}", num, modified,
	    pattern, ptype, extra) < (int)sizeof(buf));
	put(f, coll, buf);
}

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	uint8_t key[32];

	assert_non_null(f);
	assert_true(snprintf(f->dir, sizeof(f->dir), "%s/test_indicator."
	    "XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp") <
	    (int)sizeof(f->dir));
	assert_non_null(mkdtemp(f->dir));
	assert_true(snprintf(f->path, sizeof(f->path), "%s/store.db",
	    f->dir) < (int)sizeof(f->path));
	assert_int_equal(store_open(f->path, STORE_CREATE, &f->st), ERR_OK);
	memset(key, 7, sizeof(key));
	assert_int_equal(store_party_add(f->st, "self", key, STORE_ROLE_SELF,
	    &f->party), ERR_OK);
	assert_int_equal(store_collection_add(f->st,
	    "11111111-2222-4333-8444-555555555555", "One", "", &f->c1),
	    ERR_OK);
	assert_int_equal(store_collection_add(f->st,
	    "21111111-2222-4333-8444-555555555555", "Two", "", &f->c2),
	    ERR_OK);
	assert_int_equal(ts_parse("2024-06-01T00:00:00Z", 20, &f->now, NULL),
	    ERR_OK);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;
	char p[256];

	store_close(f->st);
	/* The database and its WAL files. */
	for (int i = 0; i < 3; i++) {
		static const char *const sfx[] = { "", "-wal", "-shm" };

		(void)snprintf(p, sizeof(p), "%s%s", f->path, sfx[i]);
		(void)unlink(p);
	}
	(void)rmdir(f->dir);
	free(f);
	return 0;
}

/* What the callback saw. */
struct seen {
	char	 ids[2048][64];
	char	 patterns[2048][128];
	size_t	 n;
	size_t	 stop_after;	/* 0: never stop */
};

static enum err
collect(void *arg, const char *id, const char *pattern, const json_t *obj)
{
	struct seen *s = arg;

	assert_true(json_is_object(obj));
	assert_string_equal(json_string_value(json_object_get(obj, "id")), id);
	assert_true(s->n < 2048);
	(void)snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", id);
	(void)snprintf(s->patterns[s->n], sizeof(s->patterns[0]), "%s",
	    pattern);
	s->n++;
	if (s->stop_after != 0 && s->n == s->stop_after)
		return ERR_IO;
	return ERR_OK;
}

#define P_IP	"[ipv4-addr:value = '192.0.2.1']"

static void
test_each(void **state)
{
	struct fx *f = *state;
	struct seen *s = calloc(1, sizeof(*s));
	const char *const yara[] = { "yara", "sigma" };
	size_t unusable = 99;
	char id[64];

	assert_non_null(s);
	put_ind(f, f->c1, 1, "2024-01-01T00:00:00.000Z", "stix", P_IP, "");
	/* Two versions: only the latest counts. */
	put_ind(f, f->c1, 2, "2024-01-01T00:00:00.000Z", "stix", P_IP, "");
	put_ind(f, f->c1, 2, "2024-02-01T00:00:00.000Z", "stix",
	    "[domain-name:value = 'b.example.com']", "");
	/* Revoked in its latest version. */
	put_ind(f, f->c1, 3, "2024-01-01T00:00:00.000Z", "stix", P_IP, "");
	put_ind(f, f->c1, 3, "2024-03-01T00:00:00.000Z", "stix", P_IP,
	    ",\"revoked\":true");
	put_ind(f, f->c1, 4, "2024-01-01T00:00:00.000Z", "stix", P_IP,
	    ",\"valid_until\":\"2024-05-31T23:59:59.999999Z\"");
	put_ind(f, f->c1, 5, "2024-01-01T00:00:00.000Z", "stix", P_IP,
	    ",\"revoked\":false,\"valid_until\":\"2024-06-01T00:00:00.000001Z\"");
	/* valid_until == now is already expired. */
	put_ind(f, f->c1, 6, "2024-01-01T00:00:00.000Z", "stix", P_IP,
	    ",\"valid_until\":\"2024-06-01T00:00:00Z\"");
	put_ind(f, f->c1, 7, "2024-01-01T00:00:00.000Z", "yara",
	    "rule x { condition: true }", "");
	put(f, f->c1, "{\"type\":\"malware\",\"spec_version\":\"2.1\","
	    "\"id\":\"malware--00000000-0000-4000-8000-000000000099\","
	    "\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":"
	    "\"2024-01-01T00:00:00.000Z\",\"name\":\"x\",\"is_family\":false}");
	/* Not yet valid (valid_from after now). */
	put(f, f->c2, "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
	    "\"id\":\"indicator--00000000-0000-4000-8000-000000000008\","
	    "\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":"
	    "\"2024-01-01T00:00:00.000Z\",\"pattern\":\"" P_IP "\","
	    "\"pattern_type\":\"stix\",\"valid_from\":\"2024-06-01T00:00:00.000001Z\"}");
	put_ind(f, f->c2, 9, "2024-01-01T00:00:00.000Z", "stix", P_IP, "");
	/* The same indicator in two collections is reported twice. */
	put_ind(f, f->c2, 1, "2024-01-01T00:00:00.000Z", "stix", P_IP, "");

	assert_int_equal(match_indicators_each(f->st, f->now, NULL, collect, s,
	    &unusable), ERR_OK);
	assert_int_equal(s->n, 5);
	assert_int_equal(unusable, 5);	/* 3, 4, 6, 7 (yara), 8 */
	(void)snprintf(id, sizeof(id), "indicator--" UUID_FMT, 1);
	assert_string_equal(s->ids[0], id);
	(void)snprintf(id, sizeof(id), "indicator--" UUID_FMT, 2);
	assert_string_equal(s->ids[1], id);
	assert_string_equal(s->patterns[1],
	    "[domain-name:value = 'b.example.com']");
	(void)snprintf(id, sizeof(id), "indicator--" UUID_FMT, 5);
	assert_string_equal(s->ids[2], id);
	(void)snprintf(id, sizeof(id), "indicator--" UUID_FMT, 9);
	assert_string_equal(s->ids[3], id);
	(void)snprintf(id, sizeof(id), "indicator--" UUID_FMT, 1);
	assert_string_equal(s->ids[4], id);

	/* What the node may not use is skipped and counted: here, every
	 * version in the second collection. */
	memset(s, 0, sizeof(*s));
	{
		struct match_use use = { not_in_coll, &f->c2 };

		assert_int_equal(match_indicators_each(f->st, f->now, &use,
		    collect, s, &unusable), ERR_OK);
	}
	assert_int_equal(s->n, 3);	/* 1, 2 and 5, in c1 */
	assert_int_equal(s->n + unusable, 10);	/* nothing lost */
	(void)snprintf(id, sizeof(id), "indicator--" UUID_FMT, 5);
	assert_string_equal(s->ids[2], id);

	/* A callback error stops the walk and comes back. */
	memset(s, 0, sizeof(*s));
	s->stop_after = 2;
	assert_int_equal(match_indicators_each(f->st, f->now, NULL, collect, s,
	    NULL), ERR_IO);
	assert_int_equal(s->n, 2);

	/* Other pattern types. */
	memset(s, 0, sizeof(*s));
	assert_int_equal(match_indicators_each_type(f->st, f->now, NULL, yara, 2,
	    collect, s, &unusable), ERR_OK);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->patterns[0], "rule x { condition: true }");
	assert_int_equal(unusable, 9);

	/* Earlier, more is valid: 4 and 6 were not expired yet, 8 not. */
	memset(s, 0, sizeof(*s));
	assert_int_equal(match_indicators_each(f->st, f->now - 2000000000ll, NULL,
	    collect, s, &unusable), ERR_OK);
	assert_int_equal(s->n, 7);
	assert_int_equal(unusable, 3);
	free(s);
}

/* More indicators than one store page. */
static void
test_each_paging(void **state)
{
	struct fx *f = *state;
	struct seen *s = calloc(1, sizeof(*s));
	struct store_obj_in *in;
	enum store_put_result *res;
	char **js;
	size_t n = LIM_PAGE_MAX + 234, unusable = 1;

	assert_non_null(s);
	in = calloc(n, sizeof(*in));
	res = calloc(n, sizeof(*res));
	js = calloc(n, sizeof(*js));
	assert_true(in != NULL && res != NULL && js != NULL);
	for (size_t i = 0; i < n; i++) {
		js[i] = malloc(512);
		assert_non_null(js[i]);
		assert_true(snprintf(js[i], 512, "{\"type\":\"indicator\","
		    "\"spec_version\":\"2.1\",\"id\":\"indicator--" UUID_FMT
		    "\",\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":"
		    "\"2024-01-01T00:00:00.000Z\",\"pattern\":\"[ipv4-addr:"
		    "value = '10.0.%zu.%zu']\",\"pattern_type\":\"stix\","
		    "\"valid_from\":\"2024-01-01T00:00:00Z\"}", (int)i + 100,
		    i / 256, i % 256) < 512);
		in[i].type = "indicator";
		assert_int_equal(ts_parse("2024-01-01T00:00:00.000Z", 24,
		    &in[i].version, NULL), ERR_OK);
		in[i].json = js[i];
		in[i].json_len = strlen(js[i]);
		crypto_sha256(js[i], in[i].json_len, in[i].hash);
	}
	/* The ids, NUL-terminated. */
	for (size_t i = 0; i < n; i++) {
		char *id = malloc(64);

		assert_non_null(id);
		(void)snprintf(id, 64, "indicator--" UUID_FMT, (int)i + 100);
		in[i].stix_id = id;
	}
	assert_int_equal(store_put_objects(f->st, f->c2, f->party, in, n, res,
	    NULL), ERR_OK);
	assert_int_equal(match_indicators_each(f->st, f->now, NULL, collect, s,
	    &unusable), ERR_OK);
	assert_int_equal(s->n, n);
	assert_int_equal(unusable, 0);
	/* In date-added order, each once. */
	for (size_t i = 0; i < n; i++)
		assert_string_equal(s->ids[i], in[i].stix_id);
	for (size_t i = 0; i < n; i++) {
		free((char *)in[i].stix_id);
		free(js[i]);
	}
	free(js);
	free(in);
	free(res);
	free(s);
}

/* An empty node has nothing to walk. */
static void
test_each_empty(void **state)
{
	struct fx *f = *state;
	struct seen *s = calloc(1, sizeof(*s));
	size_t unusable = 5;

	assert_non_null(s);
	assert_int_equal(match_indicators_each(f->st, f->now, NULL, collect, s,
	    &unusable), ERR_OK);
	assert_int_equal(s->n, 0);
	assert_int_equal(unusable, 0);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_terms_accept),
		cmocka_unit_test(test_terms_accept2),
		cmocka_unit_test(test_terms_refuse),
		cmocka_unit_test(test_terms_toobig),
		cmocka_unit_test(test_term_valid),
		cmocka_unit_test_setup_teardown(test_each, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_each_paging, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_each_empty, fx_setup,
		    fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
