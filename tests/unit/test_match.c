/*
 * test_match.c: the matcher engine (match/matchset.h), the free-text
 * scanner (match/scan.h) and the reader (match/reader.h).
 *
 * Normalization is checked against known answers; lookups against sets
 * built here, including the decoys the matcher exists to get right
 * (rivers.com inside betrivers.com, an address inside a longer number, an
 * MD5 inside a longer hex run); the vector path of the scanner against
 * its portable path on random text; the reader on gzip, zstd, truncated,
 * corrupt, binary and overlong input built in memory.
 */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "match/matchset.h"
#include "match/reader.h"
#include "match/scan.h"
#include "util/buf.h"

/* A small deterministic generator (xorshift64*), so failures replay. */
static uint64_t
rnd_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* -- Normalization */

static void
test_parse_ipv4(void **state)
{
	static const char *const bad[] = { "1.2.3", "1.2.3.4.5", "256.1.1.1",
	    "01.2.3.4", "1.2.3.04", "1..2.3", "1.2.3.4 ", "a.b.c.d", "",
	    "1.2.3.", ".1.2.3", "1234.1.1.1", "1.2.3.-4" };
	uint8_t a[4];

	(void)state;
	assert_int_equal(match_parse_ipv4("192.0.2.255", 11, a), 1);
	assert_memory_equal(a, "\xc0\x00\x02\xff", 4);
	assert_int_equal(match_parse_ipv4("0.0.0.0", 7, a), 1);
	assert_memory_equal(a, "\0\0\0\0", 4);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(match_parse_ipv4(bad[i], strlen(bad[i]), a),
		    0);
}

static void
test_parse_ipv6(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;	/* RFC 5952 */
	} good[] = {
		{ "2001:DB8::1", "2001:db8::1" },
		{ "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
		{ "::", "::" },
		{ "::1", "::1" },
		{ "1::", "1::" },
		{ "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8" },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
		{ "64:ff9b::192.0.2.33", "64:ff9b::c000:221" },
		{ "fe80:0:0:0:1:0:0:1", "fe80::1:0:0:1" },
	};
	static const char *const bad[] = { ":", ":1", "1:", "1:2:3:4:5:6:7",
	    "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::1", "g::1",
	    "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "1:::2", "2001:db8::1%eth0",
	    "[::1]", "::1:" };
	uint8_t a[16];
	char out[48];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(match_parse_ipv6(good[i].in,
		    strlen(good[i].in), a), 1);
		match_format_ip(1, a, out);
		assert_string_equal(out, good[i].out);
	}
	assert_int_equal(match_parse_ipv6("2001:db8::1", 11, a), 1);
	assert_memory_equal(a, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01",
	    16);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(match_parse_ipv6(bad[i], strlen(bad[i]), a),
		    0);
}

static void
test_parse_prefix(void **state)
{
	uint8_t a[16];
	unsigned plen;
	int v6;
	char out[48];

	(void)state;
	assert_int_equal(match_parse_ip_prefix("10.1.2.3/8", 10, &v6, a,
	    &plen), 1);
	assert_int_equal(v6, 0);
	assert_int_equal(plen, 8);
	assert_memory_equal(a, "\x0a\0\0\0", 4);
	assert_int_equal(match_parse_ip_prefix("192.0.2.7", 9, &v6, a, &plen),
	    1);
	assert_int_equal(plen, 32);
	assert_int_equal(match_parse_ip_prefix("2001:db8:ffff::1/33", 19, &v6,
	    a, &plen), 1);
	assert_int_equal(v6, 1);
	assert_int_equal(plen, 33);
	match_format_ip(1, a, out);
	assert_string_equal(out, "2001:db8:8000::");
	assert_int_equal(match_parse_ip_prefix("1.2.3.4/33", 10, &v6, a,
	    &plen), 0);
	assert_int_equal(match_parse_ip_prefix("1.2.3.4/", 8, &v6, a, &plen),
	    0);
	assert_int_equal(match_parse_ip_prefix("1.2.3.4/08", 10, &v6, a,
	    &plen), 0);
	assert_int_equal(match_parse_ip_prefix("::/129", 6, &v6, a, &plen), 0);
	assert_int_equal(match_parse_ip_prefix("::/0", 4, &v6, a, &plen), 1);
	assert_int_equal(plen, 0);
}

static void
test_norm_domain(void **state)
{
	char out[300];
	size_t n;

	(void)state;
	n = match_norm_domain("WWW.Example.COM.", 16, 2, out, sizeof(out));
	assert_int_equal(n, 15);
	assert_memory_equal(out, "www.example.com", 15);
	assert_int_equal(match_norm_domain("localhost", 9, 2, out,
	    sizeof(out)), 0);
	assert_int_equal(match_norm_domain("localhost", 9, 1, out,
	    sizeof(out)), 9);
	assert_int_equal(match_norm_domain("a..b", 4, 2, out, sizeof(out)), 0);
	assert_int_equal(match_norm_domain(".a.b", 4, 2, out, sizeof(out)), 0);
	assert_int_equal(match_norm_domain("1.2.3.4", 7, 2, out, sizeof(out)),
	    0);
	assert_int_equal(match_norm_domain("a b.com", 7, 2, out, sizeof(out)),
	    0);
	assert_int_equal(match_norm_domain("_dmarc.x-y.org", 14, 2, out,
	    sizeof(out)), 14);
	assert_int_equal(match_norm_domain("b\xc3\xbc" "cher.de", 10, 2, out,
	    sizeof(out)), 10);
	memset(out, 'a', 64);
	memcpy(out + 64, ".com", 4);
	assert_int_equal(match_norm_domain(out, 68, 2, out + 100, 200), 0);
	assert_int_equal(match_norm_domain(out + 1, 67, 2, out + 100, 200),
	    67);
}

static void
test_norm_url(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: refused */
	} t[] = {
		{ "http://Example.COM", "example.com/" },
		{ "HTTPS://example.com:443/a/B?q=1#frag", "example.com/a/B?q=1" },
		{ "http://example.com:443/", "example.com:443/" },
		{ "http://example.com:0080/x", "example.com/x" },
		{ "https://user:pw@evil.example./p", "evil.example/p" },
		{ "evil.example/x.exe", "evil.example/x.exe" },
		{ "evil.example:8080/x", "evil.example:8080/x" },
		{ "//cdn.example/lib.js", "cdn.example/lib.js" },
		{ "ftp://files.example:21/a", "ftp://files.example/a" },
		{ "FTP://files.example:2121/a", "ftp://files.example:2121/a" },
		{ "hxxp://x.example/", "hxxp://x.example/" },
		{ "http://[2001:DB8::1]:8080/", "[2001:db8::1]:8080/" },
		{ "http://192.0.2.1/a%7eb%2Fc%41", "192.0.2.1/a~b%2FcA" },
		{ "http://x.example/%zz%4", "x.example/%zz%4" },
		{ "http://x.example?q", "x.example/?q" },
		{ "http://x.example/a b", NULL },
		{ "http://", NULL },
		{ "http://:80/", NULL },
		{ "http://x.example:99999/", NULL },
		{ "http://x.example:8a/", NULL },
		{ "http://[::1/", NULL },
		{ "http://bad host/", NULL },
	};
	char out[MATCH_VALUE_MAX];
	size_t n, ho, hl;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		n = match_norm_url(t[i].in, strlen(t[i].in), out, sizeof(out),
		    &ho, &hl);
		if (t[i].out == NULL) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_true(n > 0);
		out[n] = '\0';
		assert_string_equal(out, t[i].out);
	}
	n = match_norm_url("https://u@Evil.Example:8443/x", 29, out,
	    sizeof(out), &ho, &hl);
	assert_true(n > 0);
	assert_int_equal(ho, 10);
	assert_int_equal(hl, 12);
	n = match_norm_url("http://[::1]/", 13, out, sizeof(out), &ho, &hl);
	assert_true(n > 0);
	assert_int_equal(ho, 8);
	assert_int_equal(hl, 3);
	memset(out, 'a', sizeof(out));
	memcpy(out, "http://x.example/", 17);
	assert_int_equal(match_norm_url(out, MATCH_URL_MAX + 1, out,
	    sizeof(out), NULL, NULL), 0);
}

static void
test_norm_email_hash(void **state)
{
	char out[400];
	uint8_t h[32];
	size_t n;

	(void)state;
	n = match_norm_email("Bob.Smith+x@Mail.Example.", 25, out,
	    sizeof(out));
	out[n] = '\0';
	assert_string_equal(out, "bob.smith+x@mail.example");
	assert_int_equal(match_norm_email("@x.example", 10, out, sizeof(out)),
	    0);
	assert_int_equal(match_norm_email("bob@localhost", 13, out,
	    sizeof(out)), 0);
	assert_int_equal(match_norm_email("bob", 3, out, sizeof(out)), 0);
	assert_int_equal(match_norm_email("a b@x.example", 13, out,
	    sizeof(out)), 0);
	assert_int_equal(match_parse_hash("D41D8CD98F00B204E9800998ECF8427E",
	    32, h), 16);
	assert_memory_equal(h, "\xd4\x1d\x8c\xd9\x8f\x00\xb2\x04\xe9\x80\x09"
	    "\x98\xec\xf8\x42\x7e", 16);
	assert_int_equal(match_parse_hash("da39a3ee5e6b4b0d3255bfef95601890"
	    "afd80709", 40, h), 20);
	assert_int_equal(match_parse_hash("d41d8cd98f00b204e9800998ecf8427g",
	    32, h), 0);
	assert_int_equal(match_parse_hash("d41d8cd98f00b204e9800998ecf8427",
	    31, h), 0);
}

/* -- Sets */

struct ind {
	const char		*id;
	enum match_ikind	 kind;
	const char		*value;
	int			 subset;
};

static const struct ind inds[] = {
	{ "indicator--00000000-0000-4000-8000-000000000001", MATCH_I_DOMAIN,
	    "rivers.com", 0 },
	{ "indicator--00000000-0000-4000-8000-000000000002", MATCH_I_DOMAIN,
	    "Evil.Example.", 0 },
	{ "indicator--00000000-0000-4000-8000-000000000003", MATCH_I_DOMAIN,
	    "deep.sub.evil.example", 0 },
	{ "indicator--00000000-0000-4000-8000-000000000004", MATCH_I_IPV4,
	    "192.0.2.1", 0 },
	{ "indicator--00000000-0000-4000-8000-000000000005", MATCH_I_IPV4,
	    "10.0.0.0/8", 1 },
	{ "indicator--00000000-0000-4000-8000-000000000006", MATCH_I_IPV4,
	    "10.1.0.0/16", 0 },
	{ "indicator--00000000-0000-4000-8000-000000000007", MATCH_I_IPV6,
	    "2001:db8::/32", 1 },
	{ "indicator--00000000-0000-4000-8000-000000000008", MATCH_I_IPV6,
	    "2001:db8::1", 0 },
	{ "indicator--00000000-0000-4000-8000-000000000009", MATCH_I_URL,
	    "http://bad.example/x.exe", 0 },
	{ "indicator--00000000-0000-4000-8000-00000000000a", MATCH_I_EMAIL,
	    "Bob@Phish.Example", 0 },
	{ "indicator--00000000-0000-4000-8000-00000000000b", MATCH_I_MD5,
	    "d41d8cd98f00b204e9800998ecf8427e", 0 },
	{ "indicator--00000000-0000-4000-8000-00000000000c", MATCH_I_SHA1,
	    "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", 0 },
	{ "indicator--00000000-0000-4000-8000-00000000000d", MATCH_I_SHA256,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    0 },
	/* A second indicator on a key, and an id that is not canonical. */
	{ "indicator--00000000-0000-4000-8000-00000000000e", MATCH_I_DOMAIN,
	    "RIVERS.com", 0 },
	{ "indicator--ABCDEF00-0000-4000-8000-00000000000F", MATCH_I_IPV4,
	    "192.0.2.1/32", 0 },
	/* The same indicator twice (two collections): one id. */
	{ "indicator--00000000-0000-4000-8000-000000000001", MATCH_I_DOMAIN,
	    "rivers.com", 0 },
	/* Refused terms. */
	{ "indicator--00000000-0000-4000-8000-000000000010", MATCH_I_DOMAIN,
	    "localhost", 0 },
	{ "indicator--00000000-0000-4000-8000-000000000011", MATCH_I_IPV4,
	    "2001:db8::9", 0 },
	{ "indicator--00000000-0000-4000-8000-000000000012", MATCH_I_MD5,
	    "abcd", 0 },
};

static struct match_set *
build_set(void)
{
	struct match_builder *b = NULL;
	struct match_set *s = NULL;

	assert_int_equal(match_builder_new(&b), ERR_OK);
	for (size_t i = 0; i < sizeof(inds) / sizeof(inds[0]); i++) {
		struct match_term t;

		t.kind = inds[i].kind;
		t.value = inds[i].value;
		t.len = strlen(inds[i].value);
		t.subset = inds[i].subset;
		assert_int_equal(match_builder_add(b, inds[i].id, &t, 1),
		    ERR_OK);
	}
	assert_int_equal(match_builder_finish(b, &s), ERR_OK);
	assert_non_null(s);
	return s;
}

/* Hits rendered as "token|kind|matched|id,id;" for exact comparison. */
struct render {
	const struct match_set	*s;
	const char		*buf;
	struct buf		 out;
};

static enum err
render_cb(void *arg, const struct match_hit *h)
{
	struct render *r = arg;
	char v[MATCH_VALUE_MAX], id[LIM_STIX_ID + 1];
	enum err err;

	match_set_hit_value(r->s, h, v);
	err = buf_addf(&r->out, "%.*s|%s|%s|", (int)h->len, r->buf + h->off,
	    match_hkind_name(h->kind), v);
	for (size_t i = 0; err == ERR_OK && i < match_set_hit_n_ids(r->s, h);
	    i++) {
		match_set_indicator_id(r->s, match_set_hit_id(r->s, h, i), id);
		/* The last two digits name the test indicator. */
		err = buf_addf(&r->out, "%s%s", i ? "," : "",
		    id + strlen(id) - 2);
	}
	if (err == ERR_OK)
		err = buf_addc(&r->out, ';');
	return err;
}

static void
scan_render(struct match_scanner *sc, const struct match_set *s,
    const char *text, struct buf *out)
{
	struct render r;

	r.s = s;
	r.buf = text;
	buf_init(&r.out, 1u << 20);
	assert_int_equal(match_scan_text(sc, text, strlen(text), render_cb,
	    &r), ERR_OK);
	*out = r.out;
}

static void
test_set_build(void **state)
{
	struct match_set *s = build_set();
	struct match_set_stats st;
	const char *id, *why;
	char idbuf[LIM_STIX_ID + 1];
	size_t found_alt = 0;

	(void)state;
	match_set_get_stats(s, &st);
	assert_int_equal(st.n_unsupported, 3);
	assert_int_equal(st.n_domain, 3);
	assert_int_equal(st.n_ipv4, 1);
	assert_int_equal(st.n_cidr4, 2);
	assert_int_equal(st.n_ipv6, 1);
	assert_int_equal(st.n_cidr6, 1);
	assert_int_equal(st.n_url, 1);
	assert_int_equal(st.n_email, 1);
	assert_int_equal(st.n_md5, 1);
	assert_int_equal(st.n_sha1, 1);
	assert_int_equal(st.n_sha256, 1);
	assert_int_equal(st.n_keys, 13);
	assert_int_equal(st.n_indicators, 15);
	assert_true(st.bytes > 0);
	for (size_t i = 0; i < st.n_unsupported; i++) {
		match_set_unsupported(s, i, &id, &why);
		assert_true(strlen(why) > 10);
		assert_true(strncmp(id, "indicator--", 11) == 0);
	}
	match_set_unsupported(s, 0, &id, &why);
	assert_string_equal(id, "indicator--00000000-0000-4000-8000-"
	    "000000000010");
	assert_non_null(strstr(why, "localhost"));
	for (size_t i = 0; i < match_set_n_indicators(s); i++) {
		match_set_indicator_id(s, i, idbuf);
		if (strcmp(idbuf, "indicator--ABCDEF00-0000-4000-8000-"
		    "00000000000F") == 0)
			found_alt++;
	}
	assert_int_equal(found_alt, 1);
	match_set_free(s);
}

static void
test_set_scan(void **state)
{
	static const struct {
		const char	*text;
		const char	*hits;
	} t[] = {
		/* Subdomains; the decoy betrivers.com; case. */
		{ "visit www.rivers.com, betrivers.com and RIVERS.COM.",
		  "www.rivers.com|subdomain|rivers.com|01,0e;"
		  "RIVERS.COM|exact|rivers.com|01,0e;" },
		{ "rivers.community rivers.com.au xrivers.com rivers-com",
		  "" },
		{ "a.deep.sub.evil.example",
		  "a.deep.sub.evil.example|subdomain|deep.sub.evil.example|03;"
		  "a.deep.sub.evil.example|subdomain|evil.example|02;" },
		{ "evil.example.", "evil.example|exact|evil.example|02;" },
		/* Addresses: inside longer numbers nothing; CIDRs. */
		{ "192.0.2.1 192.0.2.10 1192.0.2.1 192.0.2.1.5 192.0.2.01",
		  "192.0.2.1|exact|192.0.2.1|04,0F;" },
		{ "from 10.1.2.3:443 to 10.200.0.1.",
		  "10.1.2.3|cidr|10.1.0.0/16|06;10.1.2.3|cidr|10.0.0.0/8|05;"
		  "10.200.0.1|cidr|10.0.0.0/8|05;" },
		{ "[2001:DB8::1]:443 2001:db8:0:0::5 2001:db9::1",
		  "2001:DB8::1|exact|2001:db8::1|08;"
		  "2001:DB8::1|cidr|2001:db8::/32|07;"
		  "2001:db8:0:0::5|cidr|2001:db8::/32|07;" },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1|exact|192.0.2.1|04,0F;" },
		/* URLs, with and without scheme; host checked too. */
		{ "GET HTTP://BAD.example:80/x.exe?, ok",
		  "HTTP://BAD.example:80/x.exe|exact|bad.example/x.exe|09;" },
		{ "<a href='https://evil.example/q?u=rivers.com'>",
		  "evil.example|exact|evil.example|02;"
		  "rivers.com|exact|rivers.com|01,0e;" },
		{ "see bad.example/x.exe.",
		  "bad.example/x.exe|exact|bad.example/x.exe|09;" },
		{ "http://bad.example/x.exe2 bad.example/x.ex", "" },
		/* E-mail. */
		{ "From: Bob@PHISH.example, root@10.9.9.9 x@evil.example",
		  "Bob@PHISH.example|exact|bob@phish.example|0a;"
		  "10.9.9.9|cidr|10.0.0.0/8|05;"
		  "evil.example|exact|evil.example|02;" },
		{ "mailto:bob@phish.example",
		  "bob@phish.example|exact|bob@phish.example|0a;" },
		{ "xbob@phish.example", "" },
		/* Hashes: whole alphanumeric runs only. */
		{ "md5=D41D8CD98F00B204E9800998ECF8427E "
		  "x_d41d8cd98f00b204e9800998ecf8427e.exe "
		  "0d41d8cd98f00b204e9800998ecf8427e "
		  "d41d8cd98f00b204e9800998ecf8427e0 "
		  "gd41d8cd98f00b204e9800998ecf8427e",
		  "D41D8CD98F00B204E9800998ECF8427E|exact|"
		  "d41d8cd98f00b204e9800998ecf8427e|0b;"
		  "d41d8cd98f00b204e9800998ecf8427e|exact|"
		  "d41d8cd98f00b204e9800998ecf8427e|0b;" },
		{ "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709;",
		  "da39a3ee5e6b4b0d3255bfef95601890afd80709|exact|"
		  "da39a3ee5e6b4b0d3255bfef95601890afd80709|0c;" },
		{ "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852"
		  "b855", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495"
		  "991b7852b855|exact|e3b0c44298fc1c149afbf4c8996fb92427ae41e464"
		  "9b934ca495991b7852b855|0d;" },
		/* Joined by '+' or ':'; timestamps are not addresses. */
		{ "17:06:01.123 a+evil.example+b c:evil.example:d",
		  "evil.example|exact|evil.example|02;"
		  "evil.example|exact|evil.example|02;" },
		/* A hash token at the same byte as a run token: run first. */
		{ "d41d8cd98f00b204e9800998ecf8427e.evil.example",
		  "d41d8cd98f00b204e9800998ecf8427e.evil.example|subdomain|"
		  "evil.example|02;d41d8cd98f00b204e9800998ecf8427e|exact|"
		  "d41d8cd98f00b204e9800998ecf8427e|0b;" },
		{ "", "" },
		{ "\xff\xfe\x7f evil.example\r\n\x01",
		  "evil.example|exact|evil.example|02;" },
	};
	struct match_set *s = build_set();
	struct match_scanner *sc = NULL;
	struct buf out;

	(void)state;
	assert_int_equal(match_scanner_new(s, &sc), ERR_OK);
	for (int simd = 0; simd < 2; simd++) {
		match_scanner_set_simd(sc, simd);
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			scan_render(sc, s, t[i].text, &out);
			if (strcmp(out.ptr ? out.ptr : "", t[i].hits) != 0)
				fail_msg("text %zu '%s':\n got  %s\n want %s",
				    i, t[i].text, out.ptr ? out.ptr : "",
				    t[i].hits);
			buf_reset(&out);
		}
	}
	/* Text with a NUL inside: strlen() would stop, len does not. */
	{
		static const char nul[] = "x\0evil.example";
		struct render r;

		r.s = s;
		r.buf = nul;
		buf_init(&r.out, 4096);
		assert_int_equal(match_scan_text(sc, nul, sizeof(nul) - 1,
		    render_cb, &r), ERR_OK);
		assert_string_equal(r.out.ptr,
		    "evil.example|exact|evil.example|02;");
		buf_reset(&r.out);
	}
	match_scanner_free(sc);
	match_set_free(s);
}

static void
test_scan_value(void **state)
{
	static const struct {
		enum match_vkind	 kind;
		const char		*val;
		const char		*hits;
	} t[] = {
		{ MATCH_V_DOMAIN, "WWW.Rivers.Com.",
		  "WWW.Rivers.Com.|subdomain|rivers.com|01,0e;" },
		{ MATCH_V_IP, "192.0.2.1", "192.0.2.1|exact|192.0.2.1|04,0F;" },
		{ MATCH_V_IP, "[2001:db8::1]",
		  "[2001:db8::1]|exact|2001:db8::1|08;"
		  "[2001:db8::1]|cidr|2001:db8::/32|07;" },
		{ MATCH_V_IP, "2001:db8::7%eth0",
		  "2001:db8::7%eth0|cidr|2001:db8::/32|07;" },
		{ MATCH_V_IP, "10.1.1.1:53",
		  "10.1.1.1:53|cidr|10.1.0.0/16|06;"
		  "10.1.1.1:53|cidr|10.0.0.0/8|05;" },
		{ MATCH_V_URL, "https://bad.example/x.exe",
		  "https://bad.example/x.exe|exact|bad.example/x.exe|09;" },
		{ MATCH_V_URL, "evil.example:443",
		  "evil.example|exact|evil.example|02;" },
		{ MATCH_V_HASH, "D41D8CD98F00B204E9800998ECF8427E",
		  "D41D8CD98F00B204E9800998ECF8427E|exact|"
		  "d41d8cd98f00b204e9800998ecf8427e|0b;" },
		{ MATCH_V_EMAIL, "bob@phish.example",
		  "bob@phish.example|exact|bob@phish.example|0a;" },
		/* Not of its kind: scanned as text. */
		{ MATCH_V_EMAIL, "Bob <bob@phish.example>",
		  "bob@phish.example|exact|bob@phish.example|0a;" },
		{ MATCH_V_DOMAIN, "-", "" },
		{ MATCH_V_ANY, "to evil.example", "evil.example|exact|"
		  "evil.example|02;" },
	};
	struct match_set *s = build_set();
	struct match_scanner *sc = NULL;
	struct render r;

	(void)state;
	assert_int_equal(match_scanner_new(s, &sc), ERR_OK);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		r.s = s;
		r.buf = t[i].val;
		buf_init(&r.out, 4096);
		assert_int_equal(match_scan_value(sc, t[i].kind, t[i].val,
		    strlen(t[i].val), render_cb, &r), ERR_OK);
		if (strcmp(r.out.ptr ? r.out.ptr : "", t[i].hits) != 0)
			fail_msg("value %zu '%s':\n got  %s\n want %s", i,
			    t[i].val, r.out.ptr ? r.out.ptr : "", t[i].hits);
		buf_reset(&r.out);
	}
	match_scanner_free(sc);
	match_set_free(s);
}

/* A builder given patterns: unsupported ones are listed with reasons. */
static void
test_set_patterns(void **state)
{
	static const struct {
		const char	*pattern;
		int		 ok;
	} t[] = {
		{ "[domain-name:value = 'c2.example']", 1 },
		{ "[ipv4-addr:value = '198.51.100.7' OR "
		  "ipv4-addr:value ISSUBSET '203.0.113.0/24']", 1 },
		{ "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb924"
		  "27ae41e4649b934ca495991b7852b855']", 1 },
		{ "[file:name = 'evil.exe']", 0 },
		{ "[domain-name:value = 'a.example'] AND "
		  "[ipv4-addr:value = '198.51.100.8']", 0 },
		{ "[domain-name:value LIKE '%.example']", 0 },
		{ "[domain-name:value = 'x.example'", 0 },
	};
	struct match_builder *b = NULL;
	struct match_set *s = NULL;
	struct match_scanner *sc = NULL;
	struct match_set_stats st;
	struct buf out;
	char id[64];

	(void)state;
	assert_int_equal(match_builder_new(&b), ERR_OK);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		(void)snprintf(id, sizeof(id), "indicator--00000000-0000-4000-"
		    "8000-%012zu", i);
		assert_int_equal(match_builder_add_pattern(b, id, t[i].pattern,
		    strlen(t[i].pattern)), ERR_OK);
	}
	assert_int_equal(match_builder_finish(b, &s), ERR_OK);
	match_set_get_stats(s, &st);
	assert_int_equal(st.n_unsupported, 4);
	assert_int_equal(st.n_keys, 4);
	for (size_t i = 0, u = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *uid, *why;

		if (t[i].ok)
			continue;
		match_set_unsupported(s, u++, &uid, &why);
		(void)snprintf(id, sizeof(id), "indicator--00000000-0000-4000-"
		    "8000-%012zu", i);
		assert_string_equal(uid, id);
		assert_true(strlen(why) > 5);
	}
	assert_int_equal(match_scanner_new(s, &sc), ERR_OK);
	scan_render(sc, s, "x.c2.example 203.0.113.9 198.51.100.7 "
	    "a.example", &out);
	assert_string_equal(out.ptr, "x.c2.example|subdomain|c2.example|00;"
	    "203.0.113.9|cidr|203.0.113.0/24|01;"
	    "198.51.100.7|exact|198.51.100.7|01;");
	buf_reset(&out);
	match_scanner_free(sc);
	match_set_free(s);
}

static void
test_set_empty(void **state)
{
	struct match_builder *b = NULL;
	struct match_set *s = NULL;
	struct match_scanner *sc = NULL;
	struct buf out;
	uint8_t a[16];

	(void)state;
	assert_int_equal(match_builder_new(&b), ERR_OK);
	assert_int_equal(match_builder_finish(b, &s), ERR_OK);
	assert_int_equal(match_set_n_indicators(s), 0);
	assert_int_equal(match_scanner_new(s, &sc), ERR_OK);
	scan_render(sc, s, "evil.example 1.2.3.4 ::1 "
	    "d41d8cd98f00b204e9800998ecf8427e http://x.example/", &out);
	assert_null(out.ptr);
	memset(a, 0, sizeof(a));
	assert_int_equal(match_set_find_ip(s, 1, a, render_cb, NULL), ERR_OK);
	match_scanner_free(sc);
	match_set_free(s);
	match_builder_free(NULL);
	match_set_free(NULL);
	match_scanner_free(NULL);
}

/* Many keys: every one is found, with its indicator; absent ones not. */
static void
test_set_many(void **state)
{
	enum { N = 60000 };
	struct match_builder *b = NULL;
	struct match_set *s = NULL;
	struct match_set_stats st;
	char v[64], id[64];
	uint64_t seed = 42;

	(void)state;
	assert_int_equal(match_builder_new(&b), ERR_OK);
	for (size_t i = 0; i < N; i++) {
		struct match_term t;

		t.kind = MATCH_I_DOMAIN;
		t.subset = 0;
		t.len = (size_t)snprintf(v, sizeof(v), "h%zu-%x.example",
		    i % (N / 2), (unsigned)(i % (N / 2)) * 7u);
		t.value = v;
		(void)snprintf(id, sizeof(id), "indicator--00000000-0000-4000-"
		    "8000-%012zx", i);
		assert_int_equal(match_builder_add(b, id, &t, 1), ERR_OK);
	}
	assert_int_equal(match_builder_finish(b, &s), ERR_OK);
	match_set_get_stats(s, &st);
	assert_int_equal(st.n_keys, N / 2);
	assert_int_equal(st.n_indicators, N);
	for (size_t i = 0; i < N / 2; i++) {
		struct render r;
		size_t n = (size_t)snprintf(v, sizeof(v), "h%zu-%x.example", i,
		    (unsigned)i * 7u);

		r.s = s;
		r.buf = v;
		buf_init(&r.out, 4096);
		assert_int_equal(match_set_find_domain(s, v, n, render_cb, &r),
		    ERR_OK);
		assert_non_null(r.out.ptr);
		/* Two indicators per key: i and i + N/2. */
		assert_non_null(strchr(r.out.ptr, ','));
		buf_reset(&r.out);
	}
	for (size_t i = 0; i < 20000; i++) {
		struct render r;
		size_t n = (size_t)snprintf(v, sizeof(v), "x%llx.example",
		    (unsigned long long)rnd_next(&seed));

		r.s = s;
		r.buf = v;
		buf_init(&r.out, 4096);
		assert_int_equal(match_set_find_domain(s, v, n, render_cb, &r),
		    ERR_OK);
		assert_null(r.out.ptr);
	}
	match_set_free(s);
}

/* CIDRs against brute force, at and around every boundary: random nested
 * and disjoint prefixes of both families. */
struct cidr_ref {
	uint8_t		a[16];
	unsigned	plen;
	char		text[64];
};

static int
ref_covers(const struct cidr_ref *c, const uint8_t *a)
{
	for (unsigned bit = 0; bit < c->plen; bit++)
		if (((a[bit / 8] ^ c->a[bit / 8]) >> (7 - bit % 8)) & 1)
			return 0;
	return 1;
}

struct cidr_hits {
	const struct match_set	*s;
	char			 got[4096];
};

static enum err
cidr_cb(void *arg, const struct match_hit *h)
{
	struct cidr_hits *c = arg;
	char v[MATCH_VALUE_MAX];
	size_t n = strlen(c->got);

	match_set_hit_value(c->s, h, v);
	(void)snprintf(c->got + n, sizeof(c->got) - n, "%s;", v);
	return ERR_OK;
}

static void
test_cidr_edges(void **state)
{
	enum { N = 300 };
	static struct cidr_ref cr[N + 1];
	uint64_t seed = 12345;

	(void)state;
	for (int v6 = 0; v6 < 2; v6++) {
		struct match_builder *b = NULL;
		struct match_set *s = NULL;
		size_t alen = v6 ? 16 : 4, nc = 0;
		unsigned full = v6 ? 128 : 32;

		assert_int_equal(match_builder_new(&b), ERR_OK);
		for (size_t i = 0; i < N; i++) {
			struct cidr_ref *c = &cr[nc];
			struct match_term t;
			char id[64];
			size_t l;

			memset(c->a, 0, sizeof(c->a));
			/* Addresses in 10.0.0.0/8 or 2001:db8::/32, so prefixes
			 * nest often. */
			if (v6) {
				memcpy(c->a, "\x20\x01\x0d\xb8", 4);
				c->a[4] = (uint8_t)(rnd_next(&seed) & 3);
				c->a[5] = (uint8_t)rnd_next(&seed);
				c->plen = 30 + (unsigned)(rnd_next(&seed) % 20);
			} else {
				c->a[0] = 10;
				c->a[1] = (uint8_t)(rnd_next(&seed) & 3);
				c->a[2] = (uint8_t)rnd_next(&seed);
				c->a[3] = (uint8_t)rnd_next(&seed);
				c->plen = 6 + (unsigned)(rnd_next(&seed) % 26);
			}
			if (i == 0)
				c->plen = 0;
			for (unsigned bit = c->plen; bit < full; bit++)
				c->a[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
			l = match_format_ip(v6, c->a, c->text);
			(void)snprintf(c->text + l, sizeof(c->text) - l, "/%u",
			    c->plen);
			t.kind = v6 ? MATCH_I_IPV6 : MATCH_I_IPV4;
			t.value = c->text;
			t.len = strlen(c->text);
			t.subset = 1;
			(void)snprintf(id, sizeof(id), "indicator--00000000-0000-"
			    "4000-8000-%012zx", i);
			assert_int_equal(match_builder_add(b, id, &t, 1), ERR_OK);
			/* Keep one copy of repeated prefixes. */
			for (size_t k = 0; k < nc; k++)
				if (cr[k].plen == c->plen && memcmp(cr[k].a, c->a,
				    16) == 0)
					goto dup;
			nc++;
dup:			;
		}
		assert_int_equal(match_builder_finish(b, &s), ERR_OK);
		for (size_t i = 0; i < nc * 4 + 3000; i++) {
			struct cidr_hits got;
			char want[4096];
			uint8_t a[16];
			size_t w = 0;

			memset(a, 0, sizeof(a));
			if (i < nc * 4) {
				/* A prefix's first and last address, and the
				 * ones just outside. */
				const struct cidr_ref *c = &cr[i / 4];
				int carry = (i % 4 == 1 || i % 4 == 3) ? 1 : 0;

				memcpy(a, c->a, alen);
				if (i % 4 >= 2)
					for (unsigned bit = c->plen; bit < full;
					    bit++)
						a[bit / 8] |= (uint8_t)(0x80u >>
						    (bit % 8));
				if (i % 4 == 1)	/* one below the first */
					for (size_t k = alen; k-- > 0 && carry;) {
						carry = a[k] == 0;
						a[k]--;
					}
				if (i % 4 == 3)	/* one above the last */
					for (size_t k = alen; k-- > 0 && carry;) {
						carry = a[k] == 0xff;
						a[k]++;
					}
			} else {
				for (size_t k = 0; k < alen; k++)
					a[k] = (uint8_t)rnd_next(&seed);
				a[0] = v6 ? 0x20 : 10;
				if (v6)
					memcpy(a, "\x20\x01\x0d\xb8", 4);
				a[v6 ? 4 : 1] &= 3;
			}
			/* Brute force: covering prefixes, longest first. */
			want[0] = '\0';
			for (int pl = (int)full; pl >= 0; pl--)
				for (size_t k = 0; k < nc; k++)
					if (cr[k].plen == (unsigned)pl &&
					    ref_covers(&cr[k], a))
						w += (size_t)snprintf(want + w,
						    sizeof(want) - w, "%s;",
						    cr[k].text);
			got.s = s;
			got.got[0] = '\0';
			assert_int_equal(match_set_find_ip(s, v6, a, cidr_cb,
			    &got), ERR_OK);
			assert_string_equal(got.got, want);
		}
		match_set_free(s);
	}
}

/* -- Scanner: vector and portable paths, chunking, many hits */

static const char *const frags[] = {
	"evil.example", "EVIL.EXAMPLE", "rivers.com", "betrivers.com",
	"192.0.2.1", "10.1.2.3", "10.0.0.", "2001:db8::1", "::", ":", ".",
	"@", "+", "-", "_", "http://", "https://", "bad.example/x.exe", "/",
	"?", "#", " ", " ", " ", "\n", "\t", "\"", "'", "(", ")", "[", "]",
	"d41d8cd98f00b204e9800998ecf8427e", "da39a3ee5e6b4b0d3255bfef95601890"
	"afd80709", "0", "a", "ff", "1.2", "bob@phish.example", "\xc3\xa9",
	"\x00", "x", "1234", "a.b", "...", "e3b0c44298fc1c149afbf4c8996fb924"
	"27ae41e4649b934ca495991b7852b855", ":443", "%", "www.", "mailto:",
};

static size_t
random_text(uint64_t *seed, char *buf, size_t cap)
{
	size_t n = 0;

	while (n < cap) {
		const char *f = frags[rnd_next(seed) % (sizeof(frags) /
		    sizeof(frags[0]))];
		size_t l = f[0] == '\0' ? 1 : strlen(f);

		if (n + l > cap)
			break;
		memcpy(buf + n, f, l);
		n += l;
	}
	return n;
}

static void
test_scan_simd_equal(void **state)
{
	struct match_set *s = build_set();
	struct match_scanner *sc = NULL;
	static char text[8192];
	uint64_t seed = 7;

	(void)state;
	assert_int_equal(match_scanner_new(s, &sc), ERR_OK);
	for (int round = 0; round < 400; round++) {
		size_t n = random_text(&seed, text, 1 + rnd_next(&seed) %
		    (sizeof(text) - 1));
		struct render a, b;

		a.s = b.s = s;
		a.buf = b.buf = text;
		buf_init(&a.out, 1u << 22);
		buf_init(&b.out, 1u << 22);
		match_scanner_set_simd(sc, 0);
		assert_int_equal(match_scan_text(sc, text, n, render_cb, &a),
		    ERR_OK);
		match_scanner_set_simd(sc, 1);
		assert_int_equal(match_scan_text(sc, text, n, render_cb, &b),
		    ERR_OK);
		assert_string_equal(a.out.ptr ? a.out.ptr : "",
		    b.out.ptr ? b.out.ptr : "");
		/* Line by line gives the same hits as the whole buffer. */
		{
			struct render c;
			size_t at = 0;

			c.s = s;
			c.buf = text;
			buf_init(&c.out, 1u << 22);
			while (at < n) {
				const char *e = memchr(text + at, '\n', n - at);
				size_t l = e ? (size_t)(e - text) - at : n - at;

				c.buf = text + at;
				assert_int_equal(match_scan_text(sc, text + at,
				    l, render_cb, &c), ERR_OK);
				at += l + 1;
			}
			assert_string_equal(a.out.ptr ? a.out.ptr : "",
			    c.out.ptr ? c.out.ptr : "");
			buf_reset(&c.out);
		}
		buf_reset(&a.out);
		buf_reset(&b.out);
	}
	match_scanner_free(sc);
	match_set_free(s);
}

struct counter {
	size_t	n;
	size_t	last_off;
	int	ordered;
	size_t	stop_at;
};

static enum err
count_cb(void *arg, const struct match_hit *h)
{
	struct counter *c = arg;

	if (c->n > 0 && h->off < c->last_off)
		c->ordered = 0;
	c->last_off = h->off;
	if (++c->n == c->stop_at)
		return ERR_IO;
	return ERR_OK;
}

/*
 * The hits of text[0..n) rendered at one code level of
 * match_scanner_set_simd(): 0 the reference (general rules only), 1 the
 * fastest, 2 the portable masks with the fast paths, 3 SSE2 even with
 * AVX2 at hand.  The caller frees.
 */
static char *
render_level(struct match_scanner *sc, const struct match_set *s,
    const char *text, size_t n, int level)
{
	struct render r;
	char *out;

	r.s = s;
	r.buf = text;
	buf_init(&r.out, 1u << 24);
	match_scanner_set_simd(sc, level);
	assert_int_equal(match_scan_text(sc, text, n, render_cb, &r), ERR_OK);
	out = buf_take(&r.out, NULL);
	return out != NULL ? out : strdup("");
}

/* The four levels agree on text[0..n); returns the reference's hits. */
static char *
levels_agree(struct match_scanner *sc, const struct match_set *s,
    const char *text, size_t n)
{
	char *ref = render_level(sc, s, text, n, 0);

	for (int level = 1; level <= 3; level++) {
		char *got = render_level(sc, s, text, n, level);

		if (strcmp(ref, got) != 0)
			print_error("level %d differs on \"%.*s\"\n", level,
			    (int)n, text);
		assert_string_equal(ref, got);
		free(got);
	}
	return ref;
}

/* Tokens shaped for the fast paths and for their edges. */
static const char *const shaped[] = {
	"192.0.2.1", "10.1.2.3", "10.1.2.3:80", "10.1.2.3:65535",
	"10.1.2.3:123456", "192.0.2.1:", "0192.0.2.1", "192.0.2.01",
	"256.1.1.1", "192.0.2.1.5", ".192.0.2.1", "192.0.2.1.", "1.2.3",
	"1700000000.001", "00:00:00", "12:34:56.789", "::ffff:10.1.2.3",
	"[2001:db8::1]:443", "2001:db8:0:0:0:0:0:1", "2001:db8::1",
	"evil.example", "EVIL.EXAMPLE", "Sub.Deep.Sub.Evil.Example",
	"deep.sub.evil.example", "x.rivers.com", "betrivers.com",
	"rivers.com.", ".rivers.com", "rivers..com", "a_b.rivers.com",
	"a-b.evil.example", "evil.example1", "1.evil.example",
	"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.evil.example",
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	"evil.example",
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	"evil.example",
	"bob@phish.example", "BOB@PHISH.EXAMPLE", ".bob@phish.example",
	"bob@phish.example.", "a+bob@phish.example", "root@10.1.2.3",
	"bob@rivers.com", "@phish.example", "bob@phish", "a@b@phish.example",
	"http://bad.example/x.exe", "HTTP://BAD.EXAMPLE/x.exe",
	"https://bad.example/x.exe?q=1#frag", "http://bad.example./x.exe",
	"http://bad.example:80/x.exe", "http://user@bad.example/x.exe",
	"http://bad.example/x%2Eexe", "http://[2001:db8::1]/",
	"bad.example/x.exe", "http://evil.example", "http://10.1.2.3/x",
	"http://a.evil.example/?u=rivers.com", "ftp://evil.example/",
	"xhttp://evil.example/", "http://evil.example.,", "http://evil",
	"http://evil.example/(x)", "http://rivers.com/", "mailto:bob@x.y",
	"d41d8cd98f00b204e9800998ecf8427e", "x_d41d8cd98f00b204e9800998ecf8427e",
	"DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
};
static const char *const glue[] = { " ", " ", " ", "\n", ",", "(", ")",
    "=", "/", "\"", "", ":", ".", "#", "\t", "  " };

static size_t
shaped_text(uint64_t *seed, char *buf, size_t cap)
{
	size_t n = 0;

	while (n < cap) {
		const char *f = shaped[rnd_next(seed) % (sizeof(shaped) /
		    sizeof(shaped[0]))];
		const char *g = glue[rnd_next(seed) % (sizeof(glue) /
		    sizeof(glue[0]))];
		size_t l = strlen(f), gl = strlen(g);

		if (n + l + gl > cap)
			break;
		memcpy(buf + n, f, l);
		memcpy(buf + n + l, g, gl);
		n += l + gl;
	}
	return n;
}

/*
 * The fast paths (dotted quads, names, e-mail addresses, simple URLs
 * judged from the block masks, runs across two blocks) give what the
 * general rules give, on text made of tokens at the edges of those
 * paths, whole and cut at every length near its end.
 */
static void
test_scan_paths_equal(void **state)
{
	struct match_set *s = build_set();
	struct match_scanner *sc = NULL;
	static char text[4096];
	uint64_t seed = 11;
	size_t nonempty = 0;

	(void)state;
	assert_int_equal(match_scanner_new(s, &sc), ERR_OK);
	for (int round = 0; round < 300; round++) {
		size_t n = shaped_text(&seed, text, 1 + rnd_next(&seed) %
		    (sizeof(text) - 1));
		char *ref = levels_agree(sc, s, text, n);

		nonempty += ref[0] != '\0';
		free(ref);
		/* The end of the buffer inside the last tokens. */
		for (size_t cut = n > 80 ? n - 80 : 0; round % 10 == 0 &&
		    cut < n; cut++)
			free(levels_agree(sc, s, text, cut));
	}
	/* The text did hold hits. */
	assert_true(nonempty > 250);
	match_scanner_free(sc);
	match_set_free(s);
}

/*
 * Each token at every offset across two 64-byte blocks, alone in the
 * buffer or followed by a few bytes: the same hits as at offset 0, and
 * at every level.
 */
static void
test_scan_boundaries(void **state)
{
	static const char *const toks[] = {
		"192.0.2.1", "10.1.2.3:8080", "deep.sub.evil.example",
		"bob@phish.example", "http://bad.example/x.exe",
		"bad.example/x.exe", "2001:db8::1", "x.rivers.com",
		"d41d8cd98f00b204e9800998ecf8427e",
	};
	struct match_set *s = build_set();
	struct match_scanner *sc = NULL;
	char text[256];

	(void)state;
	assert_int_equal(match_scanner_new(s, &sc), ERR_OK);
	for (size_t t = 0; t < sizeof(toks) / sizeof(toks[0]); t++) {
		size_t l = strlen(toks[t]);
		char *want = render_level(sc, s, toks[t], l, 0);

		/* Every token here is a hit. */
		assert_true(want[0] != '\0');
		for (size_t at = 0; at < 140; at++)
			for (size_t tail = 0; tail < 20; tail += 3) {
				char *got;

				memset(text, ' ', sizeof(text));
				memcpy(text + at, toks[t], l);
				got = levels_agree(sc, s, text, at + l + tail);
				assert_string_equal(got, want);
				free(got);
			}
		free(want);
	}
	match_scanner_free(sc);
	match_set_free(s);
}

/*
 * The filter in front of the table lets about one key in a hundred that
 * is not in the set through; none of them may become a hit.  Names and
 * addresses that are not in the set are scanned by the thousand (so the
 * filter's false positives are among them): no hit.  Then the set's own
 * keys among them: each found.
 */
static void
test_filter_false_positives(void **state)
{
	struct match_builder *b = NULL;
	struct match_set *s = NULL;
	struct match_scanner *sc = NULL;
	struct counter c;
	char id[64], v[64], *text;
	size_t n = 0, cap = 4u << 20, members = 0;
	uint64_t seed = 5;

	(void)state;
	assert_int_equal(match_builder_new(&b), ERR_OK);
	for (unsigned i = 0; i < 3000; i++) {
		struct match_term t;

		memset(&t, 0, sizeof(t));
		(void)snprintf(id, sizeof(id), "indicator--00000000-0000-4000-"
		    "8000-%012u", i + 1);
		if (i % 2 == 0) {
			t.kind = MATCH_I_DOMAIN;
			(void)snprintf(v, sizeof(v), "d%u.in.example", i);
		} else {
			t.kind = MATCH_I_IPV4;
			(void)snprintf(v, sizeof(v), "10.%u.%u.%u", i >> 16 &
			    255, i >> 8 & 255, i & 255);
		}
		t.value = v;
		t.len = strlen(v);
		assert_int_equal(match_builder_add(b, id, &t, 1), ERR_OK);
	}
	assert_int_equal(match_builder_finish(b, &s), ERR_OK);
	assert_int_equal(match_scanner_new(s, &sc), ERR_OK);
	text = malloc(cap);
	assert_non_null(text);
	/* 200,000 names and addresses that are not keys: other labels,
	 * another first octet. */
	for (unsigned i = 0; i < 100000; i++) {
		uint64_t r = rnd_next(&seed);

		n += (size_t)snprintf(text + n, cap - n, "p%u.q%u.example "
		    "11.%u.%u.%u\n", (unsigned)(r & 0xffffff), (unsigned)(r >>
		    24 & 0xffff), (unsigned)(r >> 40 & 255), (unsigned)(r >>
		    48 & 255), (unsigned)(r >> 56));
	}
	for (int level = 0; level <= 3; level++) {
		match_scanner_set_simd(sc, level);
		memset(&c, 0, sizeof(c));
		assert_int_equal(match_scan_text(sc, text, n, count_cb, &c),
		    ERR_OK);
		assert_int_equal(c.n, 0);
	}
	/* Members, glued to non-members of the same shape. */
	n = 0;
	for (unsigned i = 0; i < 3000; i += 7) {
		if (i % 2 == 0)
			n += (size_t)snprintf(text + n, cap - n,
			    "x.d%u.in.example p%u.in.example ", i, i);
		else
			n += (size_t)snprintf(text + n, cap - n,
			    "10.%u.%u.%u 11.%u.%u.%u ", i >> 16 & 255,
			    i >> 8 & 255, i & 255, i >> 16 & 255, i >> 8 & 255,
			    i & 255);
		members++;
	}
	for (int level = 0; level <= 3; level++) {
		match_scanner_set_simd(sc, level);
		memset(&c, 0, sizeof(c));
		assert_int_equal(match_scan_text(sc, text, n, count_cb, &c),
		    ERR_OK);
		assert_int_equal(c.n, members);
	}
	free(text);
	match_scanner_free(sc);
	match_set_free(s);
}

/* match_set_find_domain() as the scanner would report it. */
struct dom_hits {
	char	got[512];
	size_t	n;
};

static enum err
dom_cb(void *arg, const struct match_hit *h)
{
	struct dom_hits *d = arg;

	d->n += (size_t)snprintf(d->got + d->n, sizeof(d->got) - d->n,
	    "%s:%u;", match_hkind_name(h->kind), (unsigned)h->rec);
	return ERR_OK;
}

/*
 * Names are looked up only with the parents whose number of labels some
 * key has (here 2 and 5): the scanner reports what looking up each
 * parent would (match_set_find_domain() tries them all), for names of
 * 1-9 labels, in upper case too.
 */
static void
test_scan_label_counts(void **state)
{
	static const char *const keys[] = { "b.example", "v.w.x.y.example",
	    "q.r.s.t.example" };
	static const char *const pre[] = { "", "a.", "c.b.", "x.", "u.v.",
	    "w.x.y.", "t.v.w.x.y.", "m.q.r.s.t.", "o.p.q.r.s.t.", "z.z.z.z.",
	    "A.B.", "V.W.X.Y." };
	static const char *const base[] = { "example", "b.example",
	    "x.y.example", "w.x.y.example", "v.w.x.y.example",
	    "s.t.example", "t.example", "B.EXAMPLE" };
	struct match_builder *b = NULL;
	struct match_set *s = NULL;
	struct match_scanner *sc = NULL;
	char id[64], name[128], low[128];
	size_t found = 0;

	(void)state;
	assert_int_equal(match_builder_new(&b), ERR_OK);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct match_term t = { MATCH_I_DOMAIN, keys[i], 0, 0 };

		t.len = strlen(keys[i]);
		(void)snprintf(id, sizeof(id), "indicator--00000000-0000-4000-"
		    "8000-%012zu", i + 1);
		assert_int_equal(match_builder_add(b, id, &t, 1), ERR_OK);
	}
	assert_int_equal(match_builder_finish(b, &s), ERR_OK);
	assert_int_equal(match_scanner_new(s, &sc), ERR_OK);
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		for (size_t k = 0; k < sizeof(base) / sizeof(base[0]); k++) {
			struct dom_hits want, got;
			size_t l = (size_t)snprintf(name, sizeof(name), "%s%s",
			    pre[i], base[k]);
			size_t ll;

			memset(&want, 0, sizeof(want));
			memset(&got, 0, sizeof(got));
			ll = match_norm_domain(name, l, 2, low, sizeof(low));
			if (ll > 0)
				assert_int_equal(match_set_find_domain(s, low,
				    ll, dom_cb, &want), ERR_OK);
			for (int level = 0; level <= 3; level++) {
				memset(&got, 0, sizeof(got));
				match_scanner_set_simd(sc, level);
				assert_int_equal(match_scan_text(sc, name, l,
				    dom_cb, &got), ERR_OK);
				assert_string_equal(got.got, want.got);
			}
			found += want.n > 0;
		}
	assert_true(found > 20);
	match_scanner_free(sc);
	match_set_free(s);
}

/*
 * Long input: a line of 200,000 bytes with tokens all along it (the hits
 * the same at every level and as the sum of its pieces), runs longer than
 * MATCH_RUN_MAX (not looked at, whatever they hold), a URL longer than
 * MATCH_URL_MAX (not a URL; its host still is a name).
 */
static void
test_scan_long(void **state)
{
	struct match_set *s = build_set();
	struct match_scanner *sc = NULL;
	size_t cap = 200000, n = 0;
	char *text = malloc(cap + 8192), *ref, *got;
	struct render r;
	uint64_t seed = 3;

	(void)state;
	assert_non_null(text);
	assert_int_equal(match_scanner_new(s, &sc), ERR_OK);
	n = shaped_text(&seed, text, cap);
	/* No newline: one line. */
	for (size_t i = 0; i < n; i++)
		if (text[i] == '\n')
			text[i] = ' ';
	ref = levels_agree(sc, s, text, n);
	assert_true(strlen(ref) > 1000);
	free(ref);

	/*
	 * A run of 2,000 bytes ending in "http:" before "//" (after '_',
	 * which is not part of a scheme): not looked at, so no URL (its
	 * path pieces are other runs); one of MATCH_RUN_MAX bytes is.
	 */
	memset(text, '_', 2000);
	memcpy(text + 1995, "http://bad.example/x.exe ", 25);
	ref = levels_agree(sc, s, text, 2020);
	assert_null(strstr(ref, "http://bad.example/x.exe|exact|"));
	free(ref);
	ref = levels_agree(sc, s, text + 2000 - MATCH_RUN_MAX, MATCH_RUN_MAX +
	    20);
	assert_non_null(strstr(ref, "http://bad.example/x.exe|exact|"));
	free(ref);

	/* A URL of 5,000 bytes: its host is still checked as a name. */
	n = (size_t)snprintf(text, cap, "http://evil.example/");
	memset(text + n, 'p', 5000);
	n += 5000;
	ref = levels_agree(sc, s, text, n);
	assert_string_equal(ref, "evil.example|exact|evil.example|02;");
	free(ref);

	/* The pieces of a long line give the hits of the whole. */
	n = shaped_text(&seed, text, cap);
	ref = render_level(sc, s, text, n, 1);
	r.s = s;
	buf_init(&r.out, 1u << 24);
	match_scanner_set_simd(sc, 1);
	for (size_t at = 0; at < n; ) {
		const char *e = memchr(text + at, '\n', n - at);
		size_t l = e ? (size_t)(e - text) - at : n - at;

		r.buf = text + at;
		assert_int_equal(match_scan_text(sc, text + at, l, render_cb,
		    &r), ERR_OK);
		at += l + 1;
	}
	got = buf_take(&r.out, NULL);
	assert_string_equal(ref, got ? got : "");
	free(got);
	free(ref);
	free(text);
	match_scanner_free(sc);
	match_set_free(s);
}

static void
test_scan_many_hits(void **state)
{
	static const char unit[] = "10.1.2.3 d41d8cd98f00b204e9800998ecf8427e ";
	struct match_set *s = build_set();
	struct match_scanner *sc = NULL;
	struct counter c;
	size_t reps = 20000, ul = sizeof(unit) - 1;
	char *text = malloc(reps * ul);

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < reps; i++)
		memcpy(text + i * ul, unit, ul);
	assert_int_equal(match_scanner_new(s, &sc), ERR_OK);
	memset(&c, 0, sizeof(c));
	c.ordered = 1;
	assert_int_equal(match_scan_text(sc, text, reps * ul, count_cb, &c),
	    ERR_OK);
	/* Two CIDRs and one hash per unit, in token order. */
	assert_int_equal(c.n, reps * 3);
	assert_true(c.ordered);
	/* The callback's error stops the scan and is returned. */
	memset(&c, 0, sizeof(c));
	c.ordered = 1;
	c.stop_at = 5000;
	assert_int_equal(match_scan_text(sc, text, reps * ul, count_cb, &c),
	    ERR_IO);
	assert_int_equal(c.n, 5000);
	free(text);
	match_scanner_free(sc);
	match_set_free(s);
}

static void
test_count_newlines(void **state)
{
	static char b[5000];
	uint64_t seed = 3;
	size_t want = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(b); i++) {
		b[i] = (rnd_next(&seed) % 5 == 0) ? '\n' : 'x';
		want += b[i] == '\n';
	}
	assert_int_equal(match_count_newlines(b, sizeof(b)), want);
	for (size_t off = 0; off < 40; off++) {
		size_t w = 0;

		for (size_t i = off; i < 4000 + off * 3; i++)
			w += b[i] == '\n';
		assert_int_equal(match_count_newlines(b + off, 4000 + off * 3 -
		    off), w);
	}
	assert_int_equal(match_count_newlines(b, 0), 0);
}

/* -- Reader */

struct got {
	struct buf	text;	/* the blocks joined */
	uint64_t	lines;
	int		numbers_ok;
	size_t		blocks;
};

/* Read everything; check blocks are whole lines numbered in order. */
static void
read_all(struct match_reader *r, struct got *g)
{
	char *blk = malloc(MATCH_READ_BLOCK);
	uint64_t expect = 1, first;
	size_t len;

	assert_non_null(blk);
	buf_init(&g->text, 64u << 20);
	g->lines = 0;
	g->numbers_ok = 1;
	g->blocks = 0;
	for (;;) {
		struct match_reader_stats st;

		assert_int_equal(match_reader_next(r, blk, MATCH_READ_BLOCK,
		    &len, &first), ERR_OK);
		if (len == 0)
			break;
		g->blocks++;
		match_reader_stats(r, &st);
		if (first < expect)
			g->numbers_ok = 0;
		expect = first + match_count_newlines(blk, len) +
		    (blk[len - 1] != '\n');
		assert_int_equal(buf_add(&g->text, blk, len), ERR_OK);
	}
	g->lines = expect - 1;
	free(blk);
}

static void
test_reader_plain(void **state)
{
	static const char in[] = "one\ntwo evil.example\r\n\nlast";
	struct match_reader *r = NULL;
	struct match_reader_stats st;
	struct got g;

	(void)state;
	assert_int_equal(match_reader_open_mem(in, sizeof(in) - 1, &r),
	    ERR_OK);
	read_all(r, &g);
	assert_int_equal(g.text.len, sizeof(in) - 1);
	assert_memory_equal(g.text.ptr, in, sizeof(in) - 1);
	match_reader_stats(r, &st);
	assert_int_equal(st.lines, 4);
	assert_int_equal(st.comp, MATCH_COMP_NONE);
	assert_int_equal(st.overlong, 0);
	assert_int_equal(st.bytes, sizeof(in) - 1);
	buf_reset(&g.text);
	match_reader_free(r);

	/* Empty input: no block at all. */
	assert_int_equal(match_reader_open_mem("", 0, &r), ERR_OK);
	read_all(r, &g);
	assert_int_equal(g.blocks, 0);
	buf_reset(&g.text);
	match_reader_free(r);
	match_reader_free(NULL);
}

/* Text of n lines, each "line <i> <padding>\n", deterministic. */
static char *
make_lines(size_t n, size_t *len)
{
	struct buf b;
	uint64_t seed = 11;

	buf_init(&b, 256u << 20);
	for (size_t i = 0; i < n; i++) {
		size_t pad = rnd_next(&seed) % 150;

		assert_int_equal(buf_addf(&b, "line %zu ", i + 1), ERR_OK);
		for (size_t k = 0; k < pad; k++)
			assert_int_equal(buf_addc(&b, (char)('a' + k % 26)),
			    ERR_OK);
		assert_int_equal(buf_addc(&b, '\n'), ERR_OK);
	}
	return buf_take(&b, len);
}

static void *
gzip_mem(const void *p, size_t len, size_t *out_len)
{
	z_stream zs;
	size_t cap = compressBound((uLong)len) + 64;
	uint8_t *out = malloc(cap);

	assert_non_null(out);
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)p;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_len = cap - zs.avail_out;
	(void)deflateEnd(&zs);
	return out;
}

static void *
zstd_mem(const void *p, size_t len, size_t *out_len)
{
	size_t cap = ZSTD_compressBound(len);
	void *out = malloc(cap);

	assert_non_null(out);
	*out_len = ZSTD_compress(out, cap, p, len, 3);
	assert_false(ZSTD_isError(*out_len));
	return out;
}

static void
check_compressed(void *z, size_t zlen, const char *plain, size_t plen,
    enum match_comp comp)
{
	struct match_reader *r = NULL;
	struct match_reader_stats st;
	struct got g;

	assert_int_equal(match_reader_open_mem(z, zlen, &r), ERR_OK);
	read_all(r, &g);
	match_reader_stats(r, &st);
	assert_int_equal(st.comp, comp);
	assert_int_equal(st.truncated, 0);
	assert_int_equal(st.corrupt, 0);
	assert_int_equal(g.text.len, plen);
	assert_memory_equal(g.text.ptr, plain, plen);
	assert_true(g.numbers_ok);
	buf_reset(&g.text);
	match_reader_free(r);
}

static void
test_reader_compressed(void **state)
{
	size_t plen, zlen, z2len, cut;
	char *plain = make_lines(30000, &plen);
	uint8_t *z, *z2, *both;
	struct match_reader *r = NULL;
	struct match_reader_stats st;
	struct got g;

	(void)state;
	assert_true(plen > 2 * MATCH_READ_BLOCK);
	/* gzip, then two gzip members one after the other. */
	z = gzip_mem(plain, plen, &zlen);
	check_compressed(z, zlen, plain, plen, MATCH_COMP_GZIP);
	z2 = gzip_mem("tail line\n", 10, &z2len);
	both = malloc(zlen + z2len);
	assert_non_null(both);
	memcpy(both, z, zlen);
	memcpy(both + zlen, z2, z2len);
	assert_int_equal(match_reader_open_mem(both, zlen + z2len, &r),
	    ERR_OK);
	read_all(r, &g);
	assert_int_equal(g.text.len, plen + 10);
	assert_memory_equal(g.text.ptr + plen, "tail line\n", 10);
	assert_int_equal(g.lines, 30001);
	buf_reset(&g.text);
	match_reader_free(r);

	/* Truncated gzip: what was decoded comes out, flagged. */
	cut = zlen / 2;
	assert_int_equal(match_reader_open_mem(z, cut, &r), ERR_OK);
	read_all(r, &g);
	match_reader_stats(r, &st);
	assert_int_equal(st.truncated, 1);
	assert_true(g.text.len > 0 && g.text.len < plen);
	assert_memory_equal(g.text.ptr, plain, g.text.len);
	assert_true(g.numbers_ok);
	buf_reset(&g.text);
	match_reader_free(r);

	/* Corrupt gzip (bytes flipped in the middle) and trailing garbage. */
	for (size_t i = zlen / 3; i < zlen / 3 + 64; i++)
		z[i] ^= 0x5a;
	assert_int_equal(match_reader_open_mem(z, zlen, &r), ERR_OK);
	read_all(r, &g);
	match_reader_stats(r, &st);
	assert_true(st.corrupt || st.truncated);
	buf_reset(&g.text);
	match_reader_free(r);
	free(z);
	free(z2);
	z = gzip_mem(plain, 1000, &zlen);
	memcpy(both, z, zlen);
	memcpy(both + zlen, "garbage", 7);
	assert_int_equal(match_reader_open_mem(both, zlen + 7, &r), ERR_OK);
	read_all(r, &g);
	match_reader_stats(r, &st);
	assert_int_equal(st.corrupt, 1);
	assert_int_equal(g.text.len, 1000);
	buf_reset(&g.text);
	match_reader_free(r);
	free(z);
	free(both);

	/* zstd, two frames, truncated. */
	z = zstd_mem(plain, plen, &zlen);
	check_compressed(z, zlen, plain, plen, MATCH_COMP_ZSTD);
	z2 = zstd_mem("tail line\n", 10, &z2len);
	both = malloc(zlen + z2len);
	assert_non_null(both);
	memcpy(both, z, zlen);
	memcpy(both + zlen, z2, z2len);
	assert_int_equal(match_reader_open_mem(both, zlen + z2len, &r),
	    ERR_OK);
	read_all(r, &g);
	assert_int_equal(g.text.len, plen + 10);
	buf_reset(&g.text);
	match_reader_free(r);
	assert_int_equal(match_reader_open_mem(z, zlen / 2, &r), ERR_OK);
	read_all(r, &g);
	match_reader_stats(r, &st);
	assert_int_equal(st.truncated, 1);
	assert_memory_equal(g.text.ptr, plain, g.text.len);
	buf_reset(&g.text);
	match_reader_free(r);
	/* Only the magic bytes. */
	assert_int_equal(match_reader_open_mem(z, 4, &r), ERR_OK);
	read_all(r, &g);
	match_reader_stats(r, &st);
	assert_true(st.truncated || st.corrupt);
	assert_int_equal(g.text.len, 0);
	buf_reset(&g.text);
	match_reader_free(r);
	free(z);
	free(z2);
	free(both);
	free(plain);
}

static void
test_reader_overlong(void **state)
{
	size_t big = MATCH_LINE_MAX + 1, at = 0, total;
	char *in;
	struct match_reader *r = NULL;
	struct match_reader_stats st;
	struct got g;

	(void)state;
	/* "a\n" + (LINE_MAX + 1) x 'x' + "\nb\n" + LINE_MAX x 'y' + "\nc" */
	total = 2 + big + 3 + MATCH_LINE_MAX + 2;
	in = malloc(total);
	assert_non_null(in);
	memcpy(in, "a\n", 2);
	at = 2;
	memset(in + at, 'x', big);
	at += big;
	memcpy(in + at, "\nb\n", 3);
	at += 3;
	memset(in + at, 'y', MATCH_LINE_MAX);
	at += MATCH_LINE_MAX;
	memcpy(in + at, "\nc", 2);
	at += 2;
	assert_int_equal(at, total);
	assert_int_equal(match_reader_open_mem(in, total, &r), ERR_OK);
	read_all(r, &g);
	match_reader_stats(r, &st);
	assert_int_equal(st.overlong, 1);
	assert_int_equal(st.lines, 4);
	/* Line numbers count the skipped line: c is line 5. */
	assert_int_equal(g.lines, 5);
	assert_int_equal(g.text.len, 2 + 2 + MATCH_LINE_MAX + 1 + 1);
	assert_memory_equal(g.text.ptr, "a\nb\n", 4);
	assert_memory_equal(g.text.ptr + g.text.len - 2, "\nc", 2);
	buf_reset(&g.text);
	match_reader_free(r);

	/* An overlong line at the very end, without newline. */
	assert_int_equal(match_reader_open_mem(in, 2 + big, &r), ERR_OK);
	read_all(r, &g);
	match_reader_stats(r, &st);
	assert_int_equal(st.overlong, 1);
	assert_int_equal(g.text.len, 2);
	buf_reset(&g.text);
	match_reader_free(r);
	free(in);
}

static void
test_reader_binary(void **state)
{
	size_t n = 3 * MATCH_READ_BLOCK + 12345, nl = 0;
	uint8_t *in = malloc(n);
	struct match_reader *r = NULL;
	struct match_reader_stats st;
	uint64_t seed = 99;
	struct got g;

	(void)state;
	assert_non_null(in);
	for (size_t i = 0; i < n; i++) {
		in[i] = (uint8_t)rnd_next(&seed);
		/* Avoid magic bytes at the start; keep lines short enough. */
		if (i % 5000 == 4999)
			in[i] = '\n';
		nl += in[i] == '\n';
	}
	in[0] = 'x';
	assert_int_equal(match_reader_open_mem(in, n, &r), ERR_OK);
	read_all(r, &g);
	match_reader_stats(r, &st);
	assert_int_equal(g.text.len, n);
	assert_memory_equal(g.text.ptr, in, n);
	assert_int_equal(st.lines, nl + (in[n - 1] != '\n'));
	assert_true(g.numbers_ok);
	buf_reset(&g.text);
	match_reader_free(r);
	/* A buffer that is too small is refused. */
	assert_int_equal(match_reader_open_mem(in, n, &r), ERR_OK);
	{
		char small[16];
		size_t len;
		uint64_t first;

		assert_int_equal(match_reader_next(r, small, sizeof(small),
		    &len, &first), ERR_RANGE);
	}
	match_reader_free(r);
	free(in);
}

static void
test_reader_file(void **state)
{
	char path[] = "/tmp/entente-test-match-XXXXXX";
	struct match_reader *r = NULL;
	struct got g;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x.example\ny\n", 12), 12);
	(void)close(fd);
	assert_int_equal(match_reader_open(path, &r), ERR_OK);
	read_all(r, &g);
	assert_int_equal(g.text.len, 12);
	assert_int_equal(g.lines, 2);
	buf_reset(&g.text);
	match_reader_free(r);
	(void)unlink(path);
	assert_int_equal(match_reader_open(path, &r), ERR_NOTFOUND);
	assert_null(r);
	assert_int_equal(match_reader_open("/tmp", &r), ERR_IO);
	assert_null(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ipv4),
		cmocka_unit_test(test_parse_ipv6),
		cmocka_unit_test(test_parse_prefix),
		cmocka_unit_test(test_norm_domain),
		cmocka_unit_test(test_norm_url),
		cmocka_unit_test(test_norm_email_hash),
		cmocka_unit_test(test_set_build),
		cmocka_unit_test(test_set_scan),
		cmocka_unit_test(test_scan_value),
		cmocka_unit_test(test_set_patterns),
		cmocka_unit_test(test_set_empty),
		cmocka_unit_test(test_set_many),
		cmocka_unit_test(test_cidr_edges),
		cmocka_unit_test(test_scan_simd_equal),
		cmocka_unit_test(test_scan_paths_equal),
		cmocka_unit_test(test_scan_boundaries),
		cmocka_unit_test(test_filter_false_positives),
		cmocka_unit_test(test_scan_label_counts),
		cmocka_unit_test(test_scan_long),
		cmocka_unit_test(test_scan_many_hits),
		cmocka_unit_test(test_count_newlines),
		cmocka_unit_test(test_reader_plain),
		cmocka_unit_test(test_reader_compressed),
		cmocka_unit_test(test_reader_overlong),
		cmocka_unit_test(test_reader_binary),
		cmocka_unit_test(test_reader_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
