#include "testutil.h"

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "stix/jcs.h"

#ifndef JCS_DATA_DIR
#define JCS_DATA_DIR "tests/data/jcs"
#endif

static double
from_bits(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

static uint64_t
to_bits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

/* xorshift64*: fixed seed, so a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Canonicalize v into a fresh NUL-terminated string; NULL on error. */
static char *
canon(const json_t *v, enum err *errp)
{
	struct buf b;
	enum err err;

	buf_init(&b, 1u << 24);
	err = jcs_serialize(v, &b);
	if (errp != NULL)
		*errp = err;
	if (err != ERR_OK) {
		assert_null(b.ptr);
		assert_int_equal(b.len, 0);
		return NULL;
	}
	return buf_take(&b, NULL);
}

static char *
canon_text(const char *text, size_t flags)
{
	json_error_t jerr;
	json_t *v;
	char *s;

	v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL | flags, &jerr);
	if (v == NULL)
		fail_msg("json_loads(%s): %s", text, jerr.text);
	s = canon(v, NULL);
	json_decref(v);
	assert_non_null(s);
	return s;
}

static void
expect_canon(const char *text, const char *exp)
{
	char *s;

	s = canon_text(text, 0);
	assert_string_equal(s, exp);
	free(s);
	s = canon_text(text, JSON_DECODE_INT_AS_REAL);
	assert_string_equal(s, exp);
	free(s);
}

/* RFC 8785 Appendix B, every row. */
static const struct {
	uint64_t	 bits;
	const char	*exp;	/* NULL: must be refused */
} appendix_b[] = {
	{ 0x0000000000000000ull, "0" },
	{ 0x8000000000000000ull, "0" },
	{ 0x0000000000000001ull, "5e-324" },
	{ 0x8000000000000001ull, "-5e-324" },
	{ 0x7fefffffffffffffull, "1.7976931348623157e+308" },
	{ 0xffefffffffffffffull, "-1.7976931348623157e+308" },
	{ 0x4340000000000000ull, "9007199254740992" },
	{ 0xc340000000000000ull, "-9007199254740992" },
	{ 0x4430000000000000ull, "295147905179352830000" },
	{ 0x7fffffffffffffffull, NULL },		/* NaN */
	{ 0x7ff0000000000000ull, NULL },		/* Infinity */
	{ 0x44b52d02c7e14af5ull, "9.999999999999997e+22" },
	{ 0x44b52d02c7e14af6ull, "1e+23" },
	{ 0x44b52d02c7e14af7ull, "1.0000000000000001e+23" },
	{ 0x444b1ae4d6e2ef4eull, "999999999999999700000" },
	{ 0x444b1ae4d6e2ef4full, "999999999999999900000" },
	{ 0x444b1ae4d6e2ef50ull, "1e+21" },
	{ 0x3eb0c6f7a0b5ed8cull, "9.999999999999997e-7" },
	{ 0x3eb0c6f7a0b5ed8dull, "0.000001" },
	{ 0x41b3de4355555553ull, "333333333.3333332" },
	{ 0x41b3de4355555554ull, "333333333.33333325" },
	{ 0x41b3de4355555555ull, "333333333.3333333" },
	{ 0x41b3de4355555556ull, "333333333.3333334" },
	{ 0x41b3de4355555557ull, "333333333.33333343" },
	{ 0xbecbf647612f3696ull, "-0.0000033333333333333333" },
	{ 0x43143ff3c1cb0959ull, "1424953923781206.2" },
};

static void
test_appendix_b(void **state)
{
	char out[JCS_NUMBUF];
	size_t i;
	json_t *v;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(appendix_b) / sizeof(appendix_b[0]); i++) {
		double d = from_bits(appendix_b[i].bits);

		if (appendix_b[i].exp == NULL) {
			assert_int_equal(jcs_format_number(d, out),
			    ERR_INVALID);
			assert_int_equal(jcs_format_number(-d, out),
			    ERR_INVALID);
			continue;
		}
		assert_int_equal(jcs_format_number(d, out), ERR_OK);
		assert_string_equal(out, appendix_b[i].exp);
		/* The same through the serializer, as a json_real. */
		v = json_real(d);
		assert_non_null(v);
		s = canon(v, NULL);
		json_decref(v);
		assert_non_null(s);
		assert_string_equal(s, appendix_b[i].exp);
		free(s);
	}
}

static void
test_number_forms(void **state)
{
	static const struct {
		double		 d;
		const char	*exp;
	} t[] = {
		{ 1, "1" }, { -1, "-1" }, { 10, "10" }, { 0.5, "0.5" },
		{ 1e21, "1e+21" }, { 1e20, "100000000000000000000" },
		{ 1.5e-7, "1.5e-7" }, { -1.5e-7, "-1.5e-7" }, { 1e-7, "1e-7" },
		{ 1e-6, "0.000001" }, { 1.5e-6, "0.0000015" },
		{ 123e-20, "1.23e-18" }, { 0.1, "0.1" }, { 0.3, "0.3" },
		{ 0.1 + 0.2, "0.30000000000000004" }, { 4.5, "4.5" },
		{ 2e-3, "0.002" }, { 1e30, "1e+30" }, { 1.5e300, "1.5e+300" },
		{ 123456.789, "123456.789" }, { -0.0, "0" },
		{ 9007199254740994.0, "9007199254740994" },
		{ 18446744073709551616.0, "18446744073709552000" },
		{ 1.2345678901234567e21, "1.2345678901234568e+21" },
		{ DBL_MIN, "2.2250738585072014e-308" },
		{ 4.9406564584124654e-324 * 3, "1.5e-323" },
	};
	char out[JCS_NUMBUF];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(jcs_format_number(t[i].d, out), ERR_OK);
		assert_string_equal(out, t[i].exp);
	}
	assert_int_equal(jcs_format_number(-INFINITY, out), ERR_INVALID);
	assert_string_equal(out, "");
	assert_int_equal(jcs_format_number(NAN, out), ERR_INVALID);
}

/* json_integer is serialized as the double it denotes. */
static void
test_integers(void **state)
{
	static const struct {
		json_int_t	 i;
		const char	*exp;
	} t[] = {
		{ 0, "0" }, { 1, "1" }, { -1, "-1" }, { 100, "100" },
		{ 9007199254740992ll, "9007199254740992" },
		{ 9007199254740993ll, "9007199254740992" },
		{ -9007199254740995ll, "-9007199254740996" },
		{ 9223372036854775807ll, "9223372036854776000" },
		{ -9223372036854775807ll - 1, "-9223372036854776000" },
		{ 1000000000000000128ll, "1000000000000000100" },
	};
	size_t i;
	json_t *v;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = json_integer(t[i].i);
		assert_non_null(v);
		s = canon(v, NULL);
		json_decref(v);
		assert_non_null(s);
		assert_string_equal(s, t[i].exp);
		free(s);
	}
}

/* The digits of a formatted number and the decimal exponent of the first. */
static void
split_number(const char *s, char *digits, size_t cap, int *exp10)
{
	const char *p;
	size_t k = 0;
	int point = -1, n = 0, lead = 1, e = 0, first = -1;

	for (p = s; *p != '\0' && *p != 'e'; p++) {
		if (*p == '-')
			continue;
		if (*p == '.') {
			point = n;
			continue;
		}
		assert_true(*p >= '0' && *p <= '9');
		if (lead && *p == '0') {
			n++;
			continue;
		}
		if (lead)
			first = n;
		lead = 0;
		assert_true(k + 1 < cap);
		digits[k++] = *p;
		n++;
	}
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = '\0';
	if (*p == 'e') {
		assert_true(p[1] == '+' || p[1] == '-');
		e = (int)strtol(p + 1, NULL, 10);
	}
	if (point < 0)
		point = n;
	assert_true(first >= 0);
	*exp10 = point - first - 1 + e;
}

/*
 * Check out against the rules: reads back as exactly d, its digits are the
 * correctly rounded ones, one fewer digit would not read back, the exponent
 * form appears exactly outside [1e-6, 1e21).
 */
static void
check_formatted(double d, const char *out)
{
	char digits[32], ref[40], refd[32];
	char *end;
	double back, a = fabs(d);
	int e, refe, k, j, m;

	back = strtod(out, &end);
	assert_int_equal(*end, '\0');
	if (to_bits(back) != to_bits(d) && !(d == 0 && back == 0))
		fail_msg("%a formatted as %s reads back as %a", d, out, back);
	if (d == 0) {
		assert_string_equal(out, "0");
		return;
	}
	assert_true((d < 0) == (out[0] == '-'));
	if (a >= 1e-6 && a < 1e21)
		assert_null(strchr(out, 'e'));
	else
		assert_non_null(strchr(out, 'e'));
	assert_null(strchr(out, 'E'));

	split_number(out, digits, sizeof(digits), &e);
	k = (int)strlen(digits);
	assert_true(k >= 1 && k <= 17);

	/* Correctly rounded k digits are ours. */
	(void)snprintf(ref, sizeof(ref), "%.*e", k - 1, a);
	for (j = 0, m = 0; ref[j] != 'e'; j++)
		if (ref[j] != '.')
			refd[m++] = ref[j];
	while (m > 1 && refd[m - 1] == '0')
		m--;
	refd[m] = '\0';
	refe = (int)strtol(strchr(ref, 'e') + 1, NULL, 10);
	if (strcmp(refd, digits) != 0 || refe != e)
		fail_msg("%a: %s, want digits %s e%d", d, out, refd, refe);

	/* No shorter digit string reads back as d. */
	if (k > 1) {
		(void)snprintf(ref, sizeof(ref), "%.*e", k - 2, a);
		if (strtod(ref, NULL) == a)
			fail_msg("%a: %s is not shortest, %s is", d, out, ref);
	}
}

static void
test_random_doubles(void **state)
{
	char out[JCS_NUMBUF];
	uint64_t u;
	double d;
	long i, n = 0;

	(void)state;
	for (i = 0; i < 1000000; i++) {
		u = rng();
		d = from_bits(u);
		if (!isfinite(d)) {
			i--;
			continue;
		}
		assert_int_equal(jcs_format_number(d, out), ERR_OK);
		check_formatted(d, out);
		n++;
	}
	assert_int_equal(n, 1000000);
}

/* Where the form changes: powers of ten, their neighbours, big integers. */
static void
test_boundaries(void **state)
{
	char out[JCS_NUMBUF];
	double p, q;
	int e, s;
	long i;

	(void)state;
	for (e = -325; e <= 308; e++) {
		p = pow(10, e);
		if (!isfinite(p) || p == 0)
			continue;
		for (s = -2; s <= 2; s++) {
			q = p;
			if (s <= -1)
				q = nextafter(q, 0);
			if (s == -2)
				q = nextafter(q, 0);
			if (s >= 1)
				q = nextafter(q, INFINITY);
			if (s == 2)
				q = nextafter(q, INFINITY);
			if (!isfinite(q) || q == 0)
				continue;
			assert_int_equal(jcs_format_number(q, out), ERR_OK);
			check_formatted(q, out);
			assert_int_equal(jcs_format_number(-q, out), ERR_OK);
			check_formatted(-q, out);
		}
	}
	for (i = -100; i <= 100; i++) {
		q = 9007199254740992.0 + (double)i * 2;
		assert_int_equal(jcs_format_number(q, out), ERR_OK);
		check_formatted(q, out);
		q = (double)i / 8;
		assert_int_equal(jcs_format_number(q, out), ERR_OK);
		check_formatted(q, out);
	}
	/* Every subnormal with a small significand. */
	for (i = 1; i < 70000; i++) {
		q = from_bits((uint64_t)i);
		assert_int_equal(jcs_format_number(q, out), ERR_OK);
		check_formatted(q, out);
	}
}

/* UTF-8 encode cp at p; returns the length. */
static size_t
utf8_put(uint32_t cp, char *p)
{
	if (cp < 0x80) {
		p[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (char)(0xc0 | (cp >> 6));
		p[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (char)(0xe0 | (cp >> 12));
		p[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		p[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	p[0] = (char)(0xf0 | (cp >> 18));
	p[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	p[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	p[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* UTF-16 encode cp at p; returns the number of code units. */
static size_t
utf16_put(uint32_t cp, uint16_t *p)
{
	if (cp < 0x10000) {
		p[0] = (uint16_t)cp;
		return 1;
	}
	cp -= 0x10000;
	p[0] = (uint16_t)(0xd800 | (cp >> 10));
	p[1] = (uint16_t)(0xdc00 | (cp & 0x3ff));
	return 2;
}

static int
utf16_cmp(const uint16_t *a, size_t na, const uint16_t *b, size_t nb)
{
	size_t i;

	for (i = 0; i < na && i < nb; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return na == nb ? 0 : (na < nb ? -1 : 1);
}

static int
sign(int x)
{
	return (x > 0) - (x < 0);
}

static uint32_t
random_cp(void)
{
	/* Favour the ranges where UTF-8 and UTF-16 orders disagree. */
	static const uint32_t lo[] = { 0, 0x80, 0x800, 0xd000, 0xe000,
	    0xf000, 0x10000, 0x10ff00 };
	static const uint32_t span[] = { 0x80, 0x780, 0xc800, 0x800, 0x1000,
	    0x1000, 0x20000, 0x100 };
	uint32_t cp;

	do {
		size_t r = (size_t)(rng() % 8);

		cp = lo[r] + (uint32_t)(rng() % span[r]);
	} while (cp >= 0xd800 && cp < 0xe000);
	return cp;
}

static void
test_keycmp_fixed(void **state)
{
	static const struct {
		const char	*a, *b;
		int		 want;
	} t[] = {
		{ "", "", 0 }, { "", "a", -1 }, { "a", "", 1 },
		{ "a", "b", -1 }, { "ab", "a", 1 }, { "A", "a", -1 },
		{ "10", "1", 1 }, { "111", "A", -1 },
		/* U+10000 (surrogates D800 DC00) sorts before U+E000. */
		{ "\xf0\x90\x80\x80", "\xee\x80\x80", -1 },
		{ "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf", 1 },
		{ "\xed\x9f\xbf", "\xf0\x90\x80\x80", -1 },
		{ "\xf0\x9f\x98\x80", "\xef\xac\xb3", -1 },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x81", -1 },
		{ "\xf0\x90\x80\x80", "\xf4\x80\x80\x80", -1 },
		{ "\xe2\x82\xac", "\xf0\x9f\x98\x80", -1 },
		{ "\xc2\x80", "\x7f", 1 },
		{ "x\xef\xbf\xbfy", "x\xf0\x90\x80\x80y", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(sign(jcs_keycmp(t[i].a, strlen(t[i].a),
		    t[i].b, strlen(t[i].b))), t[i].want);
		assert_int_equal(sign(jcs_keycmp(t[i].b, strlen(t[i].b),
		    t[i].a, strlen(t[i].a))), -t[i].want);
	}
	/* Embedded NUL: lengths, not terminators, bound the names. */
	assert_int_equal(sign(jcs_keycmp("a\0b", 3, "a\0c", 3)), -1);
	assert_int_equal(sign(jcs_keycmp("a\0", 2, "a", 1)), 1);
}

/* jcs_keycmp against comparing actual UTF-16 encodings. */
/* jcs_keycmp against comparing actual UTF-16 encodings. */
static void
test_keycmp_random(void **state)
{
	char a8[64], b8[64];
	uint16_t a16[32], b16[32];
	uint32_t acp[8], cp;
	size_t na8, nb8, na16, nb16, la, lb, shared, j;
	long i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		la = (size_t)(rng() % 6);
		lb = (size_t)(rng() % 6);
		na8 = nb8 = na16 = nb16 = 0;
		for (j = 0; j < la; j++) {
			acp[j] = random_cp();
			na8 += utf8_put(acp[j], a8 + na8);
			na16 += utf16_put(acp[j], a16 + na16);
		}
		/* b starts with a prefix of a most of the time: deep ties. */
		shared = (rng() % 4 == 0) ? 0 : (size_t)(rng() % (la + 1));
		for (j = 0; j < shared; j++) {
			nb8 += utf8_put(acp[j], b8 + nb8);
			nb16 += utf16_put(acp[j], b16 + nb16);
		}
		for (j = 0; j < lb; j++) {
			cp = random_cp();
			nb8 += utf8_put(cp, b8 + nb8);
			nb16 += utf16_put(cp, b16 + nb16);
		}
		if (sign(jcs_keycmp(a8, na8, b8, nb8)) !=
		    sign(utf16_cmp(a16, na16, b16, nb16)))
			fail_msg("keycmp disagrees with UTF-16 at %ld", i);
		if (sign(jcs_keycmp(b8, nb8, a8, na8)) !=
		    sign(utf16_cmp(b16, nb16, a16, na16)))
			fail_msg("keycmp is not antisymmetric at %ld", i);
	}
}

static void
test_rfc_sample(void **state)
{
	(void)state;
	expect_canon("{\n"
	    "  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, "
	    "0.000000000000000000000000001],\n"
	    "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c"
	    "\\\\\\\"\\/\",\n"
	    "  \"literals\": [null, true, false]\n"
	    "}",
	    "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,"
	    "1e+30,4.5,0.002,1e-27],\"string\":\"\xe2\x82\xac$\\u000f\\nA'B"
	    "\\\"\\\\\\\\\\\"/\"}");
}

static void
test_rfc_sort(void **state)
{
	(void)state;
	expect_canon("{\n"
	    "  \"\\u20ac\": \"Euro Sign\",\n"
	    "  \"\\r\": \"Carriage Return\",\n"
	    "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n"
	    "  \"1\": \"One\",\n"
	    "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n"
	    "  \"\\u0080\": \"Control\",\n"
	    "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n"
	    "}",
	    "{\"\\r\":\"Carriage Return\",\"1\":\"One\","
	    "\"\xc2\x80\":\"Control\","
	    "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
	    "\"\xe2\x82\xac\":\"Euro Sign\","
	    "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
	    "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

static void
test_strings(void **state)
{
	char in[0x20 + 8], exp[0x20 * 6 + 32];
	size_t i, o = 0;
	json_t *v;
	char *s;

	(void)state;
	/* Every control character, then the characters left literal. */
	exp[o++] = '"';
	for (i = 0; i < 0x20; i++) {
		in[i] = (char)i;
		switch (i) {
		case '\b': memcpy(exp + o, "\\b", 2); o += 2; break;
		case '\t': memcpy(exp + o, "\\t", 2); o += 2; break;
		case '\n': memcpy(exp + o, "\\n", 2); o += 2; break;
		case '\f': memcpy(exp + o, "\\f", 2); o += 2; break;
		case '\r': memcpy(exp + o, "\\r", 2); o += 2; break;
		default:
			(void)snprintf(exp + o, 7, "\\u%04zx", i);
			o += 6;
		}
	}
	memcpy(in + 0x20, "\"\\/\x7f\xc3\xa9", 6);
	memcpy(exp + o, "\\\"\\\\/\x7f\xc3\xa9\"", 9);
	o += 9;
	exp[o] = '\0';
	v = json_stringn(in, 0x20 + 6);
	assert_non_null(v);
	s = canon(v, NULL);
	json_decref(v);
	assert_non_null(s);
	assert_string_equal(s, exp);
	assert_non_null(strstr(s, "\\u001f"));	/* lowercase hex */
	free(s);

	expect_canon("\"\\u001F\\u00e9\\uD83D\\uDE00\"",
	    "\"\\u001f\xc3\xa9\xf0\x9f\x98\x80\"");
	/* A name with a NUL (jansson's parser refuses them, its API not). */
	v = json_object();
	assert_non_null(v);
	assert_int_equal(json_object_setn_new(v, "a\0b", 3, json_true()), 0);
	assert_int_equal(json_object_setn_new(v, "a", 1, json_false()), 0);
	assert_int_equal(json_object_setn_new(v, "a\0", 2, json_null()), 0);
	s = canon(v, NULL);
	json_decref(v);
	assert_non_null(s);
	assert_string_equal(s,
	    "{\"a\":false,\"a\\u0000\":null,\"a\\u0000b\":true}");
	free(s);
}

static void
test_structures(void **state)
{
	(void)state;
	expect_canon("[]", "[]");
	expect_canon("{}", "{}");
	expect_canon("  null ", "null");
	expect_canon("[true,false,null,\"\"]", "[true,false,null,\"\"]");
	expect_canon("{\"b\":[{\"z\":1,\"y\":{}}],\"a\":{\"d\":[],\"c\":0}}",
	    "{\"a\":{\"c\":0,\"d\":[]},\"b\":[{\"y\":{},\"z\":1}]}");
}

/*
 * More members than the on-stack scratch holds, each with a nested object
 * that also needs the heap, inserted in reverse: the parent's slice must
 * survive the children moving the scratch array.
 */
static void
test_large_objects(void **state)
{
	char key[32], *s, *p;
	json_t *root, *inner;
	int i, j, prev;

	(void)state;
	root = json_object();
	assert_non_null(root);
	for (i = 299; i >= 0; i--) {
		inner = json_object();
		assert_non_null(inner);
		for (j = 99; j >= 0; j--) {
			(void)snprintf(key, sizeof(key), "m%03d", j);
			assert_int_equal(json_object_set_new(inner, key,
			    json_integer(j)), 0);
		}
		(void)snprintf(key, sizeof(key), "k%03d", i);
		assert_int_equal(json_object_set_new(root, key, inner), 0);
	}
	s = canon(root, NULL);
	json_decref(root);
	assert_non_null(s);
	/* Walk the output: k000..k299 in order, each m000..m099 in order. */
	p = s;
	assert_int_equal(*p++, '{');
	for (i = 0; i < 300; i++) {
		(void)snprintf(key, sizeof(key), "\"k%03d\":{", i);
		assert_memory_equal(p, key, strlen(key));
		p += strlen(key);
		prev = -1;
		for (j = 0; j < 100; j++) {
			int n;
			char want[32];

			n = snprintf(want, sizeof(want), "\"m%03d\":%d%s", j,
			    j, j == 99 ? "}" : ",");
			assert_memory_equal(p, want, (size_t)n);
			p += n;
			assert_true(j > prev);
			prev = j;
		}
		if (i < 299)
			assert_int_equal(*p++, ',');
	}
	assert_string_equal(p, "}");
	free(s);
}

static void
test_depth(void **state)
{
	json_t *root, *cur, *next;
	enum err err;
	char *s;
	int i;

	(void)state;
	/* 1000 nested arrays, the innermost holding a scalar: allowed. */
	root = json_array();
	cur = root;
	for (i = 1; i < 1000; i++) {
		next = json_array();
		assert_int_equal(json_array_append_new(cur, next), 0);
		cur = next;
	}
	assert_int_equal(json_array_append_new(cur, json_true()), 0);
	s = canon(root, &err);
	assert_int_equal(err, ERR_OK);
	assert_int_equal(strlen(s), 2000 + 4);
	free(s);
	/* One container more is refused, and the buffer is left empty. */
	assert_int_equal(json_array_append_new(cur, json_object()), 0);
	s = canon(root, &err);
	assert_null(s);
	assert_int_equal(err, ERR_TOOBIG);
	json_decref(root);
}

static void
test_errors(void **state)
{
	const char *exp = "x{\"key\":\"a long enough value\",\"n\":[1,2,3]}";
	struct buf b;
	json_t *v;

	(void)state;
	/* The cap: content past max fails and resets the buffer. */
	v = json_pack("{s:s, s:[i,i,i]}", "key", "a long enough value",
	    "n", 1, 2, 3);
	assert_non_null(v);
	buf_init(&b, 10);
	assert_int_equal(jcs_serialize(v, &b), ERR_TOOBIG);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	/* Exactly enough room works; the output is appended. */
	buf_init(&b, strlen(exp));
	assert_int_equal(buf_add(&b, "x", 1), ERR_OK);
	assert_int_equal(jcs_serialize(v, &b), ERR_OK);
	assert_string_equal(b.ptr, exp);
	buf_reset(&b);
	/* One byte less is too little. */
	buf_init(&b, strlen(exp) - 1);
	assert_int_equal(buf_add(&b, "x", 1), ERR_OK);
	assert_int_equal(jcs_serialize(v, &b), ERR_TOOBIG);
	assert_null(b.ptr);
	buf_reset(&b);
	json_decref(v);

	/* NULL is not a value. */
	buf_init(&b, 100);
	assert_int_equal(jcs_serialize(NULL, &b), ERR_INVALID);
	assert_null(b.ptr);
}

/* Load a whole file into a NUL-terminated heap string. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	char *p;
	long n;

	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s (run from the repository root)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0 && n < (1 << 20));
	rewind(f);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	(void)fclose(f);
	*len = (size_t)n;
	return p;
}

/* Each tests/data/jcs/NAME.json canonicalizes to NAME.exp, byte for byte. */
static void
test_data_files(void **state)
{
	char path[512], *in, *exp, *s, *s2;
	struct dirent *de;
	size_t in_len, exp_len, n, count = 0;
	DIR *d;

	(void)state;
	d = opendir(JCS_DATA_DIR);
	if (d == NULL)
		fail_msg("cannot open %s (run from the repository root)",
		    JCS_DATA_DIR);
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", JCS_DATA_DIR,
		    de->d_name);
		in = slurp(path, &in_len);
		(void)snprintf(path, sizeof(path), "%s/%.*s.exp",
		    JCS_DATA_DIR, (int)(n - 5), de->d_name);
		exp = slurp(path, &exp_len);
		s = canon_text(in, 0);
		if (strlen(s) != exp_len || memcmp(s, exp, exp_len) != 0)
			fail_msg("%s:\n got %s\nwant %s", de->d_name, s, exp);
		/* Canonical input is a fixed point. */
		s2 = canon_text(s, JSON_DECODE_INT_AS_REAL);
		assert_string_equal(s2, s);
		free(s2);
		free(s);
		free(exp);
		free(in);
		count++;
	}
	(void)closedir(d);
	assert_true(count >= 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appendix_b),
		cmocka_unit_test(test_number_forms),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_random_doubles),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_keycmp_fixed),
		cmocka_unit_test(test_keycmp_random),
		cmocka_unit_test(test_rfc_sample),
		cmocka_unit_test(test_rfc_sort),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_structures),
		cmocka_unit_test(test_large_objects),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_data_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
