#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <jansson.h>

#include "crypto/crypto.h"
#include "match/export.h"
#include "store/store.h"
#include "util/timeutil.h"

#define ID(n)	"indicator--00000000-0000-4000-8000-00000000000" #n

#define SHA256_A "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
#define MD5_A	"44d88612fea8a8f36de82e1278abb02f"
#define SHA1_A	"3395856ce81f2b7382dee72602f798b642f14140"

/* The indicators every format test starts from, added out of id order. */
static struct match_export_set *
sample(enum match_export_fmt f)
{
	struct match_export_set *s = NULL;

	assert_int_equal(match_export_set_new(f, &s), ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(3), "Evil, \"Inc\"\tC2", 0,
	    "stix", "[domain-name:value = 'Evil.Example.COM.' OR url:value = "
	    "'HTTP://Evil.Example.COM:8080/a;b?c=\"1\"#frag' OR "
	    "ipv4-addr:value = '198.51.100.7']"), ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(1), NULL, 0, "stix",
	    "[ipv4-addr:value ISSUBSET '203.0.113.77/24'] OR [ipv6-addr:value "
	    "= '2001:DB8:0::1'] OR [ipv6-addr:value = '2001:db8::/32']"),
	    ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(2), "hashes", 0, "stix",
	    "[file:hashes.'SHA-256' = '275A021BBFB6489E54D471899F7DB9D1663FC695"
	    "EC2FE2A2C4538AABF651FD0F' OR file:hashes.MD5 = '" MD5_A "' OR "
	    "file:hashes.'SHA-1' = '" SHA1_A "' OR email-addr:value = "
	    "'CEO@Evil.Example.COM']"), ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(4), "unsupported", 0,
	    "stix", "[file:name = 'x.exe']"), ERR_OK);
	/* The same values again from another indicator. */
	assert_int_equal(match_export_set_add(s, ID(5), "dup", 0, "stix",
	    "[domain-name:value = 'evil.example.com' OR ipv4-addr:value = "
	    "'198.51.100.7/32' OR ipv4-addr:value = '198.51.100.7']"), ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(6), "bad", 0, "stix",
	    "[ipv4-addr:value = "), ERR_OK);
	return s;
}

static struct match_export *
render(struct match_export_set *s)
{
	struct match_export *x = NULL;

	assert_int_equal(match_export_render(s, &x), ERR_OK);
	assert_non_null(x);
	return x;
}

/* File name of x must hold exactly want. */
static void
file_is(const struct match_export *x, const char *name, const char *want)
{
	for (size_t i = 0; i < x->n_files; i++) {
		const struct buf *b = &x->files[i].data;

		if (strcmp(x->files[i].name, name) != 0)
			continue;
		if (b->len != strlen(want) || (b->len > 0 &&
		    memcmp(b->ptr, want, b->len) != 0))
			fail_msg("%s is:\n%.*s\nwant:\n%s", name, (int)b->len,
			    b->ptr != NULL ? b->ptr : "", want);
		return;
	}
	fail_msg("no file %s", name);
}

/* The two refusals every STIX format reports, in id order. */
static void
stix_skips(const struct match_export *x)
{
	assert_int_equal(x->n_skipped, 2);
	assert_string_equal(x->skipped[0].id, ID(4));
	assert_string_equal(x->skipped[0].why,
	    "property file:name is not supported");
	assert_string_equal(x->skipped[1].id, ID(6));
	assert_non_null(strstr(x->skipped[1].why, "bad pattern: "));
}

static void
test_plain(void **state)
{
	struct match_export_set *s = sample(MATCH_EXPORT_PLAIN);
	struct match_export *x = render(s);

	(void)state;
	assert_int_equal(x->n_files, 10);
	file_is(x, "entente-ipv4.txt", "198.51.100.7\n");
	file_is(x, "entente-ipv4-cidr.txt", "203.0.113.0/24\n");
	file_is(x, "entente-ipv6.txt", "2001:db8::1\n");
	file_is(x, "entente-ipv6-cidr.txt", "2001:db8::/32\n");
	file_is(x, "entente-domain.txt", "evil.example.com\n");
	file_is(x, "entente-url.txt",
	    "http://evil.example.com:8080/a;b?c=\"1\"#frag\n");
	file_is(x, "entente-email.txt", "CEO@evil.example.com\n");
	file_is(x, "entente-md5.txt", MD5_A "\n");
	file_is(x, "entente-sha1.txt", SHA1_A "\n");
	file_is(x, "entente-sha256.txt", SHA256_A "\n");
	stix_skips(x);
	assert_int_equal(x->n_indicators, 4);
	assert_int_equal(x->n_values, 10);
	assert_int_equal(x->n_left_out, 0);
	match_export_free(x);
	match_export_set_free(s);
}

static void
test_csv(void **state)
{
	struct match_export_set *s = sample(MATCH_EXPORT_CSV);
	struct match_export *x = render(s);

	(void)state;
	assert_int_equal(x->n_files, 1);
	file_is(x, "entente.csv",
	    "type,value,indicator_id,indicator_name\r\n"
	    "ipv4,198.51.100.7," ID(3) ",\"Evil, \"\"Inc\"\" C2\"\r\n"
	    "ipv4,198.51.100.7," ID(5) ",dup\r\n"
	    "ipv4-cidr,203.0.113.0/24," ID(1) ",\r\n"
	    "ipv6,2001:db8::1," ID(1) ",\r\n"
	    "ipv6-cidr,2001:db8::/32," ID(1) ",\r\n"
	    "domain,evil.example.com," ID(3) ",\"Evil, \"\"Inc\"\" C2\"\r\n"
	    "domain,evil.example.com," ID(5) ",dup\r\n"
	    "url,\"http://evil.example.com:8080/a;b?c=\"\"1\"\"#frag\"," ID(3)
	    ",\"Evil, \"\"Inc\"\" C2\"\r\n"
	    "email,CEO@evil.example.com," ID(2) ",hashes\r\n"
	    "md5," MD5_A "," ID(2) ",hashes\r\n"
	    "sha1," SHA1_A "," ID(2) ",hashes\r\n"
	    "sha256," SHA256_A "," ID(2) ",hashes\r\n");
	stix_skips(x);
	match_export_free(x);
	match_export_set_free(s);
}

static void
test_zeek(void **state)
{
	struct match_export_set *s = sample(MATCH_EXPORT_ZEEK);
	struct match_export *x = render(s);

	(void)state;
	assert_int_equal(x->n_files, 1);
	file_is(x, "entente-intel.txt",
	    "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\n"
	    "198.51.100.7\tIntel::ADDR\t" ID(3) "\tEvil, \"Inc\" C2\n"
	    "198.51.100.7\tIntel::ADDR\t" ID(5) "\tdup\n"
	    "203.0.113.0/24\tIntel::SUBNET\t" ID(1) "\t-\n"
	    "2001:db8::1\tIntel::ADDR\t" ID(1) "\t-\n"
	    "2001:db8::/32\tIntel::SUBNET\t" ID(1) "\t-\n"
	    "evil.example.com\tIntel::DOMAIN\t" ID(3) "\tEvil, \"Inc\" C2\n"
	    "evil.example.com\tIntel::DOMAIN\t" ID(5) "\tdup\n"
	    "evil.example.com:8080/a;b?c=\"1\"\tIntel::URL\t" ID(3)
	    "\tEvil, \"Inc\" C2\n"
	    "CEO@evil.example.com\tIntel::EMAIL\t" ID(2) "\thashes\n"
	    MD5_A "\tIntel::FILE_HASH\t" ID(2) "\thashes\n"
	    SHA1_A "\tIntel::FILE_HASH\t" ID(2) "\thashes\n"
	    SHA256_A "\tIntel::FILE_HASH\t" ID(2) "\thashes\n");
	stix_skips(x);
	match_export_free(x);
	match_export_set_free(s);
}

static void
test_suricata(void **state)
{
	struct match_export_set *s = sample(MATCH_EXPORT_SURICATA);
	struct match_export *x = render(s);
	uint8_t dec[64];
	size_t dl;

	(void)state;
	assert_int_equal(x->n_files, 7);
	file_is(x, "entente-domains.lst", "ZXZpbC5leGFtcGxlLmNvbQ==\n");
	assert_int_equal(crypto_b64_decode("ZXZpbC5leGFtcGxlLmNvbQ==", 24, 0,
	    dec, sizeof(dec), &dl), ERR_OK);
	assert_int_equal(dl, 16);
	assert_memory_equal(dec, "evil.example.com", 16);
	file_is(x, "entente-ipv4.lst", "198.51.100.7\n");
	file_is(x, "entente-ipv6.lst", "2001:db8::1\n");
	file_is(x, "entente-md5.lst", MD5_A "\n");
	file_is(x, "entente-sha1.lst", SHA1_A "\n");
	file_is(x, "entente-sha256.lst", SHA256_A "\n");
	file_is(x, "entente.rules",
	    "# entente export suricata: rules for Suricata 7 or later.\n"
	    "# The dataset and hash list files are loaded relative to this "
	    "file.\n"
	    "alert dns any any -> any any (msg:\"entente listed domain "
	    "(dns.query)\"; dns.query; to_lowercase; dataset:isset,"
	    "entente-domains, type string, load entente-domains.lst; "
	    "sid:9100001; rev:1;)\n"
	    "alert tls any any -> any any (msg:\"entente listed domain "
	    "(tls.sni)\"; tls.sni; to_lowercase; dataset:isset,entente-domains,"
	    " type string, load entente-domains.lst; sid:9100002; rev:1;)\n"
	    "alert http any any -> any any (msg:\"entente listed domain "
	    "(http.host)\"; http.host; dataset:isset,entente-domains, type "
	    "string, load entente-domains.lst; sid:9100003; rev:1;)\n"
	    "alert ip any any -> any any (msg:\"entente listed IPv4 source\"; "
	    "ip.src; dataset:isset,entente-ipv4, type ipv4, load "
	    "entente-ipv4.lst; sid:9100004; rev:1;)\n"
	    "alert ip any any -> any any (msg:\"entente listed IPv4 "
	    "destination\"; ip.dst; dataset:isset,entente-ipv4, type ipv4, "
	    "load entente-ipv4.lst; sid:9100005; rev:1;)\n"
	    "alert ip any any -> any any (msg:\"entente listed IPv6 source\"; "
	    "ip.src; dataset:isset,entente-ipv6, type ip, load "
	    "entente-ipv6.lst; sid:9100006; rev:1;)\n"
	    "alert ip any any -> any any (msg:\"entente listed IPv6 "
	    "destination\"; ip.dst; dataset:isset,entente-ipv6, type ip, load "
	    "entente-ipv6.lst; sid:9100007; rev:1;)\n"
	    "alert http any any -> any any (msg:\"entente listed file MD5\"; "
	    "filemd5:entente-md5.lst; sid:9100008; rev:1;)\n"
	    "alert http any any -> any any (msg:\"entente listed file SHA-1\"; "
	    "filesha1:entente-sha1.lst; sid:9100009; rev:1;)\n"
	    "alert http any any -> any any (msg:\"entente listed file "
	    "SHA-256\"; filesha256:entente-sha256.lst; sid:9100010; rev:1;)\n"
	    "alert ip 203.0.113.0/24 any <> any any (msg:\"entente listed "
	    "network 203.0.113.0/24\"; metadata:entente_indicator " ID(1)
	    "; sid:9100011; rev:1;)\n"
	    "alert ip 2001:db8::/32 any <> any any (msg:\"entente listed "
	    "network 2001:db8::/32\"; metadata:entente_indicator " ID(1)
	    "; sid:9100012; rev:1;)\n"
	    "alert http any any -> any any (msg:\"entente listed URL\"; "
	    "flow:established,to_server; http.host; content:\"evil.example.com"
	    "\"; bsize:16; http.uri.raw; content:\"/a|3B|b?c=|22|1|22|\"; "
	    "bsize:10; metadata:entente_indicator " ID(3) "; sid:9100013; "
	    "rev:1;)\n");
	stix_skips(x);
	/* The e-mail address has no Suricata dataset. */
	assert_int_equal(x->n_left_out, 1);
	assert_int_equal(x->n_values, 9);
	match_export_free(x);
	match_export_set_free(s);
}

/* Lists for types without values are empty and load no rule. */
static void
test_suricata_sparse(void **state)
{
	struct match_export_set *s = NULL;
	struct match_export *x;

	(void)state;
	assert_int_equal(match_export_set_new(MATCH_EXPORT_SURICATA, &s),
	    ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(1), "n", 0, "stix",
	    "[url:value = 'http://h.example.com'] OR [url:value = "
	    "'https://u@[2001:db8::1]:8443?q=1'] OR [email-addr:value = "
	    "'a@b.example']"), ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(2), "m", 0, "stix",
	    "[email-addr:value = 'a@b.example']"), ERR_OK);
	x = render(s);
	file_is(x, "entente-domains.lst", "");
	file_is(x, "entente-md5.lst", "");
	file_is(x, "entente.rules",
	    "# entente export suricata: rules for Suricata 7 or later.\n"
	    "# The dataset and hash list files are loaded relative to this "
	    "file.\n"
	    "alert http any any -> any any (msg:\"entente listed URL\"; "
	    "flow:established,to_server; http.host; content:\"h.example.com\"; "
	    "bsize:13; http.uri.raw; content:\"/\"; bsize:1; "
	    "metadata:entente_indicator " ID(1) "; sid:9100001; rev:1;)\n"
	    "alert http any any -> any any (msg:\"entente listed URL\"; "
	    "flow:established,to_server; http.host; content:\"[2001:db8::1]\"; "
	    "bsize:13; http.uri.raw; content:\"/?q=1\"; bsize:5; "
	    "metadata:entente_indicator " ID(1) "; sid:9100002; rev:1;)\n");
	/* Only e-mail addresses: the indicator is listed as skipped. */
	assert_int_equal(x->n_skipped, 1);
	assert_string_equal(x->skipped[0].id, ID(2));
	assert_string_equal(x->skipped[0].why,
	    "e-mail addresses have no Suricata dataset");
	assert_int_equal(x->n_left_out, 2);
	assert_int_equal(x->n_indicators, 1);
	match_export_free(x);
	match_export_set_free(s);
}

static void
test_rules(void **state)
{
	struct match_export_set *s = NULL;
	struct match_export *x;

	(void)state;
	assert_int_equal(match_export_set_new(MATCH_EXPORT_RULES, &s), ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(7), "sigma\nrule", 0,
	    "sigma", "---\ntitle: Evil\ndetection:\n  sel:\n    query: "
	    "evil.example.com\n  condition: sel\n\n"), ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(6), NULL, 0, "yara",
	    "rule evil { condition: true }\n"), ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(8), "suri", 0, "suricata",
	    "alert dns any any -> any any (msg:\"evil\"; sid:1000001; rev:1;)"),
	    ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(5), "s2", 0, "sigma",
	    "title: Two\n"), ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(9), "empty", 0, "snort",
	    "  \n"), ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(4), "x", 0, "pcre", "a"),
	    ERR_OK);
	x = render(s);
	assert_int_equal(x->n_files, 4);
	file_is(x, "entente-sigma.yml",
	    "---\n# " ID(5) " s2\ntitle: Two\n"
	    "---\n# " ID(7) " sigma rule\ntitle: Evil\ndetection:\n  sel:\n"
	    "    query: evil.example.com\n  condition: sel\n");
	file_is(x, "entente-snort.rules", "");
	file_is(x, "entente-suricata.rules", "# " ID(8) " suri\nalert dns any "
	    "any -> any any (msg:\"evil\"; sid:1000001; rev:1;)\n\n");
	file_is(x, "entente-yara.yar", "// " ID(6) "\nrule evil { condition: "
	    "true }\n\n");
	assert_int_equal(x->n_skipped, 2);
	assert_string_equal(x->skipped[0].id, ID(4));
	assert_string_equal(x->skipped[0].why,
	    "pattern_type pcre is not a rule format");
	assert_string_equal(x->skipped[1].why, "empty snort rule");
	assert_int_equal(x->n_indicators, 4);
	assert_int_equal(x->n_values, 4);
	match_export_free(x);
	match_export_set_free(s);
}

/* One version per id: the later modified wins, then the first added. */
static void
test_versions_and_order(void **state)
{
	struct match_export_set *s = NULL, *t = NULL;
	struct match_export *x, *y;

	(void)state;
	assert_int_equal(match_export_set_new(MATCH_EXPORT_PLAIN, &s), ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(1), "old", 10, "stix",
	    "[domain-name:value = 'old.example.com']"), ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(1), "new", 20, "stix",
	    "[domain-name:value = 'new.example.com']"), ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(1), "tie", 20, "stix",
	    "[domain-name:value = 'tie.example.com']"), ERR_OK);
	assert_int_equal(match_export_set_add(s, ID(2), "b", 0, "stix",
	    "[domain-name:value = 'b.example.com']"), ERR_OK);
	x = render(s);
	file_is(x, "entente-domain.txt", "b.example.com\nnew.example.com\n");
	/* The same indicators added in another order: the same bytes. */
	assert_int_equal(match_export_set_new(MATCH_EXPORT_PLAIN, &t), ERR_OK);
	assert_int_equal(match_export_set_add(t, ID(2), "b", 0, "stix",
	    "[domain-name:value = 'b.example.com']"), ERR_OK);
	assert_int_equal(match_export_set_add(t, ID(1), "new", 20, "stix",
	    "[domain-name:value = 'new.example.com']"), ERR_OK);
	assert_int_equal(match_export_set_add(t, ID(1), "old", 10, "stix",
	    "[domain-name:value = 'old.example.com']"), ERR_OK);
	y = render(t);
	assert_int_equal(x->n_files, y->n_files);
	for (size_t i = 0; i < x->n_files; i++) {
		assert_string_equal(x->files[i].name, y->files[i].name);
		assert_int_equal(x->files[i].data.len, y->files[i].data.len);
		if (x->files[i].data.len > 0)
			assert_memory_equal(x->files[i].data.ptr,
			    y->files[i].data.ptr, x->files[i].data.len);
	}
	match_export_free(x);
	match_export_free(y);
	match_export_set_free(s);
	match_export_set_free(t);
	match_export_free(NULL);
	match_export_set_free(NULL);
}

static void
test_names(void **state)
{
	enum match_export_fmt f = MATCH_EXPORT_CSV;
	struct match_export_set *s = (void *)1;

	(void)state;
	assert_int_equal(match_export_fmt_parse("suricata", &f), ERR_OK);
	assert_int_equal(f, MATCH_EXPORT_SURICATA);
	assert_int_equal(match_export_fmt_parse("rules", &f), ERR_OK);
	assert_int_equal(f, MATCH_EXPORT_RULES);
	assert_int_equal(match_export_fmt_parse("Zeek", &f), ERR_PARSE);
	assert_int_equal(f, MATCH_EXPORT_RULES);
	assert_int_equal(match_export_set_new((enum match_export_fmt)0, &s),
	    ERR_PARSE);
	assert_null(s);
}

/* ---- from a store: only usable indicators ---- */

static void
put(struct store *st, int64_t coll, int64_t party, const char *json)
{
	struct store_obj_in in;
	enum store_put_result res;
	json_error_t jerr;
	json_t *o;

	o = json_loads(json, 0, &jerr);
	if (o == NULL)
		fail_msg("bad test JSON: %s: %s", jerr.text, json);
	memset(&in, 0, sizeof(in));
	in.stix_id = json_string_value(json_object_get(o, "id"));
	in.type = json_string_value(json_object_get(o, "type"));
	assert_int_equal(ts_parse(json_string_value(json_object_get(o,
	    "modified")), 24, &in.version, NULL), ERR_OK);
	in.json = json;
	in.json_len = strlen(json);
	crypto_sha256(json, in.json_len, in.hash);
	assert_int_equal(store_put_objects(st, coll, party, &in, 1, &res,
	    NULL), ERR_OK);
	assert_int_equal(res, STORE_PUT_ADDED);
	json_decref(o);
}

#define IND(n, ptype, pattern, extra) \
	"{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" ID(n) \
	"\",\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":" \
	"\"2024-01-01T00:00:00.000Z\",\"name\":\"i" #n "\",\"pattern\":\"" \
	pattern "\",\"pattern_type\":\"" ptype "\",\"valid_from\":" \
	"\"2024-01-01T00:00:00Z\"" extra "}"

static void
test_build_from_store(void **state)
{
	char dir[128], path[160];
	const char *tmp = getenv("TMPDIR");
	struct store *st;
	struct match_export *x;
	int64_t party, coll, now;
	uint8_t key[32];

	(void)state;
	assert_true(snprintf(dir, sizeof(dir), "%s/test_export.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp") < (int)sizeof(dir));
	assert_non_null(mkdtemp(dir));
	assert_true(snprintf(path, sizeof(path), "%s/store.db", dir) <
	    (int)sizeof(path));
	assert_int_equal(store_open(path, STORE_CREATE, &st), ERR_OK);
	memset(key, 1, sizeof(key));
	assert_int_equal(store_party_add(st, "self", key, STORE_ROLE_SELF,
	    &party), ERR_OK);
	assert_int_equal(store_collection_add(st,
	    "11111111-2222-4333-8444-555555555555", "One", "", &coll), ERR_OK);
	put(st, coll, party, IND(1, "stix",
	    "[domain-name:value = 'a.example.com']", ""));
	put(st, coll, party, IND(2, "stix",
	    "[domain-name:value = 'revoked.example.com']",
	    ",\"revoked\":true"));
	put(st, coll, party, IND(3, "stix",
	    "[domain-name:value = 'expired.example.com']",
	    ",\"valid_until\":\"2024-02-01T00:00:00Z\""));
	put(st, coll, party, IND(4, "yara", "rule y { condition: true }", ""));
	put(st, coll, party, IND(5, "yara", "rule old { condition: true }",
	    ",\"valid_until\":\"2024-02-01T00:00:00Z\""));
	put(st, coll, party, IND(6, "stix",
	    "[process:name = 'evil.exe']", ""));
	assert_int_equal(ts_parse("2024-06-01T00:00:00Z", 20, &now, NULL),
	    ERR_OK);

	assert_int_equal(match_export_build(st, MATCH_EXPORT_PLAIN, now, NULL, &x),
	    ERR_OK);
	file_is(x, "entente-domain.txt", "a.example.com\n");
	assert_int_equal(x->n_indicators, 1);
	assert_int_equal(x->n_unusable, 4);	/* 2, 3, 4, 5 */
	assert_int_equal(x->n_skipped, 1);
	assert_string_equal(x->skipped[0].id, ID(6));
	match_export_free(x);

	assert_int_equal(match_export_build(st, MATCH_EXPORT_RULES, now, NULL, &x),
	    ERR_OK);
	file_is(x, "entente-yara.yar", "// " ID(4) " i4\nrule y { condition: "
	    "true }\n\n");
	assert_int_equal(x->n_unusable, 5);	/* 1, 2, 3, 5, 6 */
	assert_int_equal(x->n_skipped, 0);
	match_export_free(x);

	store_close(st);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/store.db-wal", dir);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/store.db-shm", dir);
	(void)unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_zeek),
		cmocka_unit_test(test_suricata),
		cmocka_unit_test(test_suricata_sparse),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_versions_and_order),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_build_from_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
