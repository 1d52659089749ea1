#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include "match/format.h"
#include "util/buf.h"

#define FORMATS_DIR	"tests/data/formats/"
#define FIELDS_CAP	64

static const char *const kind_names[] = {
	"any", "ip", "domain", "url", "hash", "email"
};

/* Append v[0..n) to b as the .exp files write values (README). */
static void
put_escaped(struct buf *b, const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\\')
			assert_int_equal(buf_addstr(b, "\\\\"), ERR_OK);
		else if (c == '\t')
			assert_int_equal(buf_addstr(b, "\\t"), ERR_OK);
		else if (c < 0x20 || c >= 0x7f)
			assert_int_equal(buf_addf(b, "\\x%02x", c), ERR_OK);
		else
			assert_int_equal(buf_addc(b, (char)c), ERR_OK);
	}
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	assert_int_equal(fclose(f), 0);
	*len = (size_t)n;
	return s;
}

/* 1 when [v, v+n) lies inside [lo, hi). */
static int
inside(const char *v, size_t n, const char *lo, const char *hi)
{
	return lo != NULL && v >= lo && v <= hi && n <= (size_t)(hi - v);
}

/*
 * Run sample through a parser for format f, render every field as the
 * .exp files do, check each field points into its line or the scratch,
 * and compare with sample.exp.
 */
static void
golden(enum match_format f, const char *sample)
{
	struct match_field out[FIELDS_CAP];
	struct match_parser *p = NULL;
	char path[256], *in, *exp;
	size_t in_len, exp_len, pos = 0, no = 0;
	struct buf b;

	buf_init(&b, 1u << 20);
	(void)snprintf(path, sizeof(path), FORMATS_DIR "%s", sample);
	in = slurp(path, &in_len);
	(void)snprintf(path, sizeof(path), FORMATS_DIR "%s.exp", sample);
	exp = slurp(path, &exp_len);
	assert_int_equal(match_parser_new(f, &p), ERR_OK);
	while (pos < in_len) {
		const char *line = in + pos, *nl, *lo, *hi;
		size_t len, n = 99;
		enum err e;

		nl = memchr(line, '\n', in_len - pos);
		len = nl == NULL ? in_len - pos : (size_t)(nl - line);
		pos += len + (nl != NULL);
		no++;
		e = match_parser_line(p, line, len, out, FIELDS_CAP, &n);
		if (e != ERR_OK) {
			assert_int_equal(e, ERR_PARSE);
			assert_int_equal(n, 0);
			assert_int_equal(buf_addf(&b, "%zu\tBAD\n", no), ERR_OK);
			continue;
		}
		match_parser_scratch(p, &lo, &hi);
		for (size_t i = 0; i < n; i++) {
			assert_true(out[i].len > 0);
			assert_true(out[i].name[0] != '\0');
			assert_true(inside(out[i].val, out[i].len, line,
			    line + len) || inside(out[i].val, out[i].len, lo,
			    hi));
			assert_true((unsigned)out[i].kind <= MATCH_V_EMAIL);
			assert_int_equal(buf_addf(&b, "%zu\t%s\t%s\t", no,
			    out[i].name, kind_names[out[i].kind]), ERR_OK);
			put_escaped(&b, out[i].val, out[i].len);
			assert_int_equal(buf_addc(&b, '\n'), ERR_OK);
		}
	}
	if (b.len != exp_len || memcmp(b.ptr, exp, exp_len) != 0)
		fail_msg("%s: output differs from %s.exp:\n%s", sample, sample,
		    b.ptr != NULL ? b.ptr : "");
	match_parser_free(p);
	buf_reset(&b);
	free(in);
	free(exp);
}

static void
test_golden_bind(void **state)
{
	(void)state;
	golden(MATCH_FMT_BIND, "bind.log");
}

static void
test_golden_squid(void **state)
{
	(void)state;
	golden(MATCH_FMT_SQUID, "squid.log");
}

static void
test_golden_zeek(void **state)
{
	(void)state;
	golden(MATCH_FMT_ZEEK, "zeek_conn.log");
	golden(MATCH_FMT_ZEEK, "zeek_dns.log");
	golden(MATCH_FMT_ZEEK, "zeek_http.log");
	golden(MATCH_FMT_ZEEK, "zeek_files.log");
}

static void
test_golden_json(void **state)
{
	(void)state;
	golden(MATCH_FMT_EVE, "eve.json");
	golden(MATCH_FMT_JSONL, "events.jsonl");
}

static void
test_golden_sv(void **state)
{
	(void)state;
	golden(MATCH_FMT_CSV, "hosts.csv");
	golden(MATCH_FMT_TSV, "clients.tsv");
	golden(MATCH_FMT_TEXT, "text.log");
}

/* Each sample is recognized from its first bytes. */
static void
test_detect_samples(void **state)
{
	static const struct {
		const char		*file;
		enum match_format	 want;
	} t[] = {
		{ "bind.log", MATCH_FMT_BIND },
		{ "squid.log", MATCH_FMT_SQUID },
		{ "zeek_conn.log", MATCH_FMT_ZEEK },
		{ "zeek_dns.log", MATCH_FMT_ZEEK },
		{ "zeek_http.log", MATCH_FMT_ZEEK },
		{ "zeek_files.log", MATCH_FMT_ZEEK },
		{ "eve.json", MATCH_FMT_EVE },
		{ "events.jsonl", MATCH_FMT_JSONL },
		{ "hosts.csv", MATCH_FMT_CSV },
		{ "clients.tsv", MATCH_FMT_TSV },
		{ "text.log", MATCH_FMT_TEXT },
	};
	char path[256], *s;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		(void)snprintf(path, sizeof(path), FORMATS_DIR "%s", t[i].file);
		s = slurp(path, &len);
		if (match_format_detect(s, len) != t[i].want)
			fail_msg("%s detected as %s", t[i].file,
			    match_format_name(match_format_detect(s, len)));
		free(s);
	}
}

static enum match_format
det(const char *s)
{
	return match_format_detect(s, strlen(s));
}

static void
test_detect_edges(void **state)
{
	(void)state;
	assert_int_equal(det(""), MATCH_FMT_TEXT);
	assert_int_equal(det("\n\n"), MATCH_FMT_TEXT);
	assert_int_equal(det("hello, world\nsecond, line\n"), MATCH_FMT_TEXT);
	assert_int_equal(det("a,b\n1,2\n"), MATCH_FMT_CSV);
	assert_int_equal(det("\xef\xbb\xbf" "name,ip\nx,192.0.2.1\n"),
	    MATCH_FMT_CSV);
	assert_int_equal(det("a,b\n1,2,3\n"), MATCH_FMT_TEXT);
	/* One line only: CSV and TSV need two to compare. */
	assert_int_equal(det("a\tb\n"), MATCH_FMT_TEXT);
	assert_int_equal(det("a\tb\r\n1\t2\r\n"), MATCH_FMT_TSV);
	assert_int_equal(det("#fields\tts\n"), MATCH_FMT_ZEEK);
	assert_int_equal(det("  {\"a\":1}\n"), MATCH_FMT_JSONL);
	assert_int_equal(det("{\"event_type\":\"dns\",\"src_ip\":"),
	    MATCH_FMT_EVE);
	assert_int_equal(det("{\"event_type\":\"x\"}\n"), MATCH_FMT_JSONL);
	assert_int_equal(det("1286536308.779 1 h TCP_MISS/200 1 GET u\n"),
	    MATCH_FMT_SQUID);
	assert_int_equal(det("1286536308.77 1 h TCP_MISS/200 1 GET u\n"),
	    MATCH_FMT_TEXT);
	assert_int_equal(det("client 1.2.3.4#5: query: a.b IN A +\n"),
	    MATCH_FMT_BIND);
	/* Only the first MATCH_DETECT_BYTES count. */
	{
		char big[MATCH_DETECT_BYTES + 64];

		memset(big, 'x', sizeof(big));
		memcpy(big + MATCH_DETECT_BYTES, "\n1,2\n", 5);
		assert_int_equal(match_format_detect(big, sizeof(big)),
		    MATCH_FMT_TEXT);
	}
}

static void
test_names(void **state)
{
	enum match_format f = MATCH_FMT_TEXT;

	(void)state;
	for (int i = MATCH_FMT_TEXT; i <= MATCH_FMT_EVE; i++) {
		f = MATCH_FMT_TEXT;
		assert_int_equal(match_format_parse(match_format_name(
		    (enum match_format)i), &f), ERR_OK);
		assert_int_equal(f, i);
	}
	assert_string_equal(match_format_name(MATCH_FMT_ZEEK), "zeek");
	assert_string_equal(match_format_name(MATCH_FMT_EVE), "eve");
	f = MATCH_FMT_CSV;
	assert_int_equal(match_format_parse("auto", &f), ERR_PARSE);
	assert_int_equal(match_format_parse("CSV", &f), ERR_PARSE);
	assert_int_equal(f, MATCH_FMT_CSV);
	assert_string_equal(match_format_name((enum match_format)0), "?");
	assert_string_equal(match_format_name((enum match_format)99), "?");
}

/* Parse one line; return the error and the fields in out. */
static enum err
one(struct match_parser *p, const char *s, struct match_field *out,
    size_t cap, size_t *n)
{
	return match_parser_line(p, s, strlen(s), out, cap, n);
}

static void
test_json_bounds(void **state)
{
	struct match_field out[FIELDS_CAP];
	struct match_parser *p;
	struct buf b;
	size_t n;

	(void)state;
	assert_int_equal(match_parser_new(MATCH_FMT_JSONL, &p), ERR_OK);
	buf_init(&b, 1u << 20);
	/* MATCH_JSON_DEPTH levels are fine, one more is a bad line. */
	for (unsigned i = 0; i < MATCH_JSON_DEPTH - 1; i++)
		assert_int_equal(buf_addstr(&b, "{\"k\":"), ERR_OK);
	assert_int_equal(buf_addstr(&b, "[\"d.example.com\"]"), ERR_OK);
	for (unsigned i = 0; i < MATCH_JSON_DEPTH - 1; i++)
		assert_int_equal(buf_addc(&b, '}'), ERR_OK);
	assert_int_equal(one(p, b.ptr, out, FIELDS_CAP, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].len, 13);
	assert_int_equal(out[0].kind, MATCH_V_ANY);
	buf_clear(&b);
	for (unsigned i = 0; i < MATCH_JSON_DEPTH; i++)
		assert_int_equal(buf_addstr(&b, "{\"k\":"), ERR_OK);
	assert_int_equal(buf_addstr(&b, "[1]"), ERR_OK);
	for (unsigned i = 0; i < MATCH_JSON_DEPTH; i++)
		assert_int_equal(buf_addc(&b, '}'), ERR_OK);
	n = 7;
	assert_int_equal(one(p, b.ptr, out, FIELDS_CAP, &n), ERR_PARSE);
	assert_int_equal(n, 0);
	/* A long path is cut at MATCH_NAME_MAX. */
	buf_clear(&b);
	assert_int_equal(buf_addstr(&b, "{\""), ERR_OK);
	for (unsigned i = 0; i < 2 * MATCH_NAME_MAX; i++)
		assert_int_equal(buf_addc(&b, 'k'), ERR_OK);
	assert_int_equal(buf_addstr(&b, "\":{\"ip\":\"192.0.2.1\"}}"), ERR_OK);
	assert_int_equal(one(p, b.ptr, out, FIELDS_CAP, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(strlen(out[0].name), MATCH_NAME_MAX);
	assert_string_equal(out[0].val, "192.0.2.1\"}}");
	/* Many values: the first cap are returned. */
	buf_clear(&b);
	assert_int_equal(buf_addstr(&b, "{\"a\":["), ERR_OK);
	for (unsigned i = 0; i < 3 * MATCH_FIELDS_MAX; i++)
		assert_int_equal(buf_addf(&b, "%s\"h%u.example.com\"",
		    i ? "," : "", i), ERR_OK);
	assert_int_equal(buf_addstr(&b, "]}"), ERR_OK);
	assert_int_equal(one(p, b.ptr, out, 5, &n), ERR_OK);
	assert_int_equal(n, 5);
	assert_int_equal(out[4].len, strlen("h4.example.com"));
	assert_memory_equal(out[4].val, "h4.example.com", out[4].len);
	{
		struct match_field *big = calloc(4 * MATCH_FIELDS_MAX,
		    sizeof(*big));

		assert_non_null(big);
		assert_int_equal(match_parser_line(p, b.ptr, b.len, big,
		    4 * MATCH_FIELDS_MAX, &n), ERR_OK);
		assert_int_equal(n, MATCH_FIELDS_MAX);
		free(big);
	}
	/* Garbage, truncations and a good line after them. */
	assert_int_equal(one(p, "{", out, FIELDS_CAP, &n), ERR_PARSE);
	assert_int_equal(one(p, "{\"a\":\"\\u12\"}", out, FIELDS_CAP, &n),
	    ERR_PARSE);
	assert_int_equal(one(p, "{\"a\":\"x\\", out, FIELDS_CAP, &n),
	    ERR_PARSE);
	assert_int_equal(one(p, "\"just a string\"", out, FIELDS_CAP, &n),
	    ERR_PARSE);
	assert_int_equal(one(p, "{\"a\":nul}", out, FIELDS_CAP, &n),
	    ERR_PARSE);
	assert_int_equal(one(p, "{\"a\":-}", out, FIELDS_CAP, &n), ERR_PARSE);
	assert_int_equal(one(p, "{\"a\":-1.5e3,\"b\":[true,false,null]}",
	    out, FIELDS_CAP, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(one(p, "{\"ip\":\"2001:DB8::1\"}", out, FIELDS_CAP,
	    &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].kind, MATCH_V_IP);
	/* An escaped value is decoded into the scratch. */
	assert_int_equal(one(p, "{\"host\":\"evil\\u002eexample.com\"}", out,
	    FIELDS_CAP, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].kind, MATCH_V_DOMAIN);
	assert_int_equal(out[0].len, 16);
	assert_memory_equal(out[0].val, "evil.example.com", 16);
	buf_reset(&b);
	match_parser_free(p);
}

static void
test_line_bounds(void **state)
{
	struct match_field out[4];
	struct match_parser *p;
	char *big;
	size_t n = 3;
	enum err e;

	(void)state;
	big = malloc(MATCH_LINE_MAX + 2);
	assert_non_null(big);
	memset(big, 'a', MATCH_LINE_MAX + 2);
	for (int f = MATCH_FMT_TEXT; f <= MATCH_FMT_EVE; f++) {
		assert_int_equal(match_parser_new((enum match_format)f, &p),
		    ERR_OK);
		n = 3;
		assert_int_equal(match_parser_line(p, big, MATCH_LINE_MAX + 1,
		    out, 4, &n), ERR_TOOBIG);
		assert_int_equal(n, 0);
		/* Exactly the limit is a line like any other. */
		e = match_parser_line(p, big, MATCH_LINE_MAX, out, 4, &n);
		assert_true(e == ERR_OK || e == ERR_PARSE);
		assert_true(n <= 4);
		if (f == MATCH_FMT_TEXT)
			assert_int_equal(out[0].len, MATCH_LINE_MAX);
		/* cap 0: nothing is written. */
		assert_int_equal(match_parser_line(p, "x", 1, out, 0, &n) ==
		    ERR_OK ? n : 0, 0);
		match_parser_free(p);
	}
	match_parser_free(NULL);
	assert_int_equal(match_parser_new((enum match_format)0, &p),
	    ERR_PARSE);
	assert_null(p);
	free(big);
}

static void
test_text_crlf_bom(void **state)
{
	struct match_field out[4];
	struct match_parser *p;
	size_t n;

	(void)state;
	assert_int_equal(match_parser_new(MATCH_FMT_TEXT, &p), ERR_OK);
	assert_int_equal(one(p, "\xef\xbb\xbf" "a.example.com\r", out, 4, &n),
	    ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].name, "text");
	assert_int_equal(out[0].len, 13);
	assert_memory_equal(out[0].val, "a.example.com", 13);
	/* The BOM is stripped on the first line only. */
	assert_int_equal(one(p, "\xef\xbb\xbfx", out, 4, &n), ERR_OK);
	assert_int_equal(out[0].len, 4);
	assert_int_equal(one(p, "", out, 4, &n), ERR_OK);
	assert_int_equal(n, 0);
	match_parser_free(p);
}

static void
test_zeek_headers(void **state)
{
	struct match_field out[8];
	struct match_parser *p;
	size_t n;

	(void)state;
	assert_int_equal(match_parser_new(MATCH_FMT_ZEEK, &p), ERR_OK);
	/* Data before #fields is bad. */
	assert_int_equal(one(p, "1\t2", out, 8, &n), ERR_PARSE);
	/* A comma separator, a ';' set separator, custom markers. */
	assert_int_equal(one(p, "#separator \\x2c", out, 8, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(one(p, "#set_separator,;", out, 8, &n), ERR_OK);
	assert_int_equal(one(p, "#unset_field,NONE", out, 8, &n), ERR_OK);
	assert_int_equal(one(p, "#fields,ts,query,answers", out, 8, &n),
	    ERR_OK);
	assert_int_equal(one(p, "#types,time,string,set[string]", out, 8,
	    &n), ERR_OK);
	assert_int_equal(one(p, "1.5,a\\x2cb.example.com,x.example.org;"
	    "192.0.2.7;NONE", out, 8, &n), ERR_OK);
	assert_int_equal(n, 4);
	assert_string_equal(out[0].name, "query");
	assert_int_equal(out[0].len, 15);
	assert_memory_equal(out[0].val, "a,b.example.com", 15);
	assert_int_equal(out[0].kind, MATCH_V_ANY);
	assert_int_equal(out[1].kind, MATCH_V_DOMAIN);
	assert_int_equal(out[2].kind, MATCH_V_IP);
	assert_memory_equal(out[3].val, "NONE", 4);	/* set element */
	assert_int_equal(one(p, "1.5,NONE,NONE", out, 8, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(one(p, "1.5,a.example.com", out, 8, &n), ERR_PARSE);
	/* A new #fields replaces the columns. */
	assert_int_equal(one(p, "#fields,id.resp_h", out, 8, &n), ERR_OK);
	assert_int_equal(one(p, "192.0.2.9", out, 8, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].name, "id.resp_h");
	assert_int_equal(out[0].kind, MATCH_V_IP);
	assert_int_equal(one(p, "#separator xx", out, 8, &n), ERR_PARSE);
	assert_int_equal(one(p, "#types,a,b", out, 8, &n), ERR_PARSE);
	match_parser_free(p);
}

static void
test_csv_quotes(void **state)
{
	struct match_field out[8];
	struct match_parser *p;
	size_t n;

	(void)state;
	assert_int_equal(match_parser_new(MATCH_FMT_CSV, &p), ERR_OK);
	assert_int_equal(one(p, "\"Host Name\",,url", out, 8, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(one(p, "\"a \"\"b\"\"\",c,\"\"", out, 8, &n),
	    ERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].name, "Host Name");
	assert_int_equal(out[0].len, 5);
	assert_memory_equal(out[0].val, "a \"b\"", 5);
	assert_string_equal(out[1].name, "col2");
	assert_int_equal(one(p, "\"a\"b,c,d", out, 8, &n), ERR_PARSE);
	assert_int_equal(one(p, "a,b,c,d", out, 8, &n), ERR_PARSE);
	assert_int_equal(one(p, "a,b,", out, 8, &n), ERR_OK);
	assert_int_equal(n, 2);
	match_parser_free(p);
}

/* Typed fields carry a bare value; decoys stay free text. */
static void
test_typing(void **state)
{
	static const struct {
		const char	*line;
		const char	*val;
		enum match_vkind kind;
	} t[] = {
		{ "{\"host\":\"Example.COM:8443\"}", "Example.COM",
		    MATCH_V_DOMAIN },
		{ "{\"host\":\"[2001:db8::1]:443\"}", "2001:db8::1", MATCH_V_IP },
		{ "{\"host\":\"a.example.com.\"}", "a.example.com",
		    MATCH_V_DOMAIN },
		{ "{\"host\":\"a..example.com\"}", "a..example.com",
		    MATCH_V_ANY },
		{ "{\"ip\":\"192.0.2.1/24\"}", "192.0.2.1/24", MATCH_V_ANY },
		{ "{\"ip\":\"010.0.0.1\"}", "010.0.0.1", MATCH_V_ANY },
		{ "{\"ip\":\"1.2.3.4.5\"}", "1.2.3.4.5", MATCH_V_ANY },
		{ "{\"ip\":\"1.2.3.4:80\"}", "1.2.3.4", MATCH_V_IP },
		{ "{\"url\":\"ftp://x\"}", "ftp://x", MATCH_V_URL },
		{ "{\"url\":\"http://a b\"}", "http://a b", MATCH_V_ANY },
		{ "{\"md5\":\"D41D8CD98F00B204E9800998ECF8427E\"}",
		    "D41D8CD98F00B204E9800998ECF8427E", MATCH_V_HASH },
		{ "{\"md5\":\"d41d8cd98f00b204e9800998ecf8427\"}",
		    "d41d8cd98f00b204e9800998ecf8427", MATCH_V_ANY },
		{ "{\"from\":\"A <a@b.example>\"}", "a@b.example",
		    MATCH_V_EMAIL },
		{ "{\"from\":\"a@localhost\"}", "a@localhost", MATCH_V_ANY },
		{ "{\"note\":\"192.0.2.1\"}", "192.0.2.1", MATCH_V_ANY },
		{ "{\"rdata\":\"mail.example.com\"}", "mail.example.com",
		    MATCH_V_DOMAIN },
		{ "{\"tls\":{\"ja3\":{\"hash\":"
		    "\"e7d705a3286e19ea42f587b344ee6865\"}},\"x\":\"y\"}", "y",
		    MATCH_V_ANY },
	};
	struct match_field out[4];
	struct match_parser *p;
	size_t n;

	(void)state;
	assert_int_equal(match_parser_new(MATCH_FMT_JSONL, &p), ERR_OK);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(one(p, t[i].line, out, 4, &n), ERR_OK);
		if (n != 1 || out[0].len != strlen(t[i].val) ||
		    memcmp(out[0].val, t[i].val, out[0].len) != 0 ||
		    out[0].kind != t[i].kind)
			fail_msg("%s: n=%zu kind=%d '%.*s'", t[i].line, n,
			    n > 0 ? (int)out[0].kind : -1,
			    n > 0 ? (int)out[0].len : 0,
			    n > 0 ? out[0].val : "");
	}
	match_parser_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_bind),
		cmocka_unit_test(test_golden_squid),
		cmocka_unit_test(test_golden_zeek),
		cmocka_unit_test(test_golden_json),
		cmocka_unit_test(test_golden_sv),
		cmocka_unit_test(test_detect_samples),
		cmocka_unit_test(test_detect_edges),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_json_bounds),
		cmocka_unit_test(test_line_bounds),
		cmocka_unit_test(test_text_crlf_bom),
		cmocka_unit_test(test_zeek_headers),
		cmocka_unit_test(test_csv_quotes),
		cmocka_unit_test(test_typing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
