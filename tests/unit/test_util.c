/*
 * test_util.c: the util/ layer: the capped buffer (buf.h), timestamps
 * (timeutil.h), UUID text (uuid.h), error names (err.h) and the jansson
 * arena (jsonmem.h).
 *
 * Timestamps are checked against known answers and against glibc's
 * gmtime_r() as an independent oracle, over the whole range STIX allows
 * (years 0001 to 9999, so before and after 1970).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/jsonmem.h"
#include "util/timeutil.h"
#include "util/uuid.h"

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z in microseconds. */
#define T_US_MIN	(-62135596800LL * 1000000)
#define T_US_MAX	(253402300800LL * 1000000 - 1)

/* A small deterministic generator (xorshift64*), so failures replay. */
static uint64_t
rnd_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* -- buf */

static void
test_buf_append(void **state)
{
	struct buf b;
	char *p;
	size_t len = 99;

	(void)state;
	buf_init(&b, 1000);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 1000);
	assert_int_equal(buf_addstr(&b, "abc"), ERR_OK);
	assert_int_equal(buf_addc(&b, '-'), ERR_OK);
	assert_int_equal(buf_add(&b, "xyz", 2), ERR_OK);
	assert_int_equal(b.len, 6);
	assert_string_equal(b.ptr, "abc-xy");
	assert_int_equal(b.ptr[b.len], '\0');
	assert_true(b.cap >= b.len + 1);
	assert_int_equal(buf_addf(&b, "[%d|%s|%05.1f]", -42, "s", 3.14159),
	    ERR_OK);
	assert_string_equal(b.ptr, "abc-xy[-42|s|003.1]");
	assert_int_equal(b.len, strlen("abc-xy[-42|s|003.1]"));
	/* Zero-length appends change nothing. */
	assert_int_equal(buf_add(&b, NULL, 0), ERR_OK);
	assert_int_equal(buf_addstr(&b, ""), ERR_OK);
	assert_int_equal(buf_addf(&b, "%s", ""), ERR_OK);
	assert_int_equal(b.len, strlen("abc-xy[-42|s|003.1]"));
	/* Embedded NUL bytes are content like any other. */
	assert_int_equal(buf_add(&b, "a\0b", 3), ERR_OK);
	assert_int_equal(b.ptr[b.len - 2], '\0');
	assert_int_equal(b.ptr[b.len], '\0');

	/* clear keeps the allocation, reset drops it. */
	buf_clear(&b);
	assert_int_equal(b.len, 0);
	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, "");
	assert_int_equal(buf_addstr(&b, "again"), ERR_OK);
	assert_string_equal(b.ptr, "again");

	p = buf_take(&b, &len);
	assert_non_null(p);
	assert_int_equal(len, 5);
	assert_string_equal(p, "again");
	free(p);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 1000);
	/* Taking an empty buffer gives NULL and 0. */
	len = 99;
	assert_null(buf_take(&b, &len));
	assert_int_equal(len, 0);
	assert_null(buf_take(&b, NULL));
	/* Still usable after take. */
	assert_int_equal(buf_addstr(&b, "z"), ERR_OK);
	assert_string_equal(b.ptr, "z");
	buf_reset(&b);
	assert_null(b.ptr);
	assert_int_equal(b.max, 1000);
	buf_reset(&b);	/* twice is harmless */
}

static void
test_buf_cap(void **state)
{
	struct buf b;
	char big[64];

	(void)state;
	memset(big, 'x', sizeof(big));
	buf_init(&b, 10);
	/* Exactly max bytes fit. */
	assert_int_equal(buf_add(&b, "0123456789", 10), ERR_OK);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.ptr, "0123456789");
	/* One more does not, and the buffer is reset but usable. */
	assert_int_equal(buf_addc(&b, 'x'), ERR_TOOBIG);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 10);
	assert_int_equal(buf_addstr(&b, "abc"), ERR_OK);
	assert_string_equal(b.ptr, "abc");
	/* A formatted append past the cap resets too. */
	assert_int_equal(buf_addf(&b, "%s", "12345678"), ERR_TOOBIG);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_addf(&b, "%d", 1234567890), ERR_OK);
	assert_string_equal(b.ptr, "1234567890");
	buf_reset(&b);
	/* Sizes near SIZE_MAX must not wrap around. */
	assert_int_equal(buf_add(&b, big, 5), ERR_OK);
	assert_int_equal(buf_reserve(&b, (size_t)-1), ERR_TOOBIG);
	assert_null(b.ptr);
	assert_int_equal(buf_add(&b, big, 5), ERR_OK);
	assert_int_equal(buf_reserve(&b, (size_t)-1 - 3), ERR_TOOBIG);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_reserve(&b, 10), ERR_OK);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_reserve(&b, 11), ERR_TOOBIG);
	buf_reset(&b);

	/* A zero cap admits nothing but empty appends. */
	buf_init(&b, 0);
	assert_int_equal(buf_add(&b, "", 0), ERR_OK);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_addc(&b, 'a'), ERR_TOOBIG);
	assert_null(b.ptr);
	buf_reset(&b);

	/* A big single append against a big cap. */
	buf_init(&b, sizeof(big) - 1);
	assert_int_equal(buf_add(&b, big, sizeof(big)), ERR_TOOBIG);
	assert_int_equal(buf_add(&b, big, sizeof(big) - 1), ERR_OK);
	assert_int_equal(b.len, sizeof(big) - 1);
	assert_true(b.cap <= b.max + 1);
	buf_reset(&b);
}

static void
test_buf_growth(void **state)
{
	struct buf b;
	uint64_t s = 0x1234567u;
	size_t n = 0, total = 0, len;
	char *p;

	(void)state;
	buf_init(&b, 1u << 20);
	/* One byte at a time across many reallocations. */
	for (size_t i = 0; i < 100000; i++) {
		assert_int_equal(buf_addc(&b, (char)('a' + i % 26)), ERR_OK);
		assert_true(b.cap >= b.len + 1);
	}
	assert_int_equal(b.len, 100000);
	for (size_t i = 0; i < b.len; i++)
		if (b.ptr[i] != (char)('a' + i % 26))
			fail_msg("byte %zu is %d", i, b.ptr[i]);
	assert_int_equal(b.ptr[b.len], '\0');
	buf_reset(&b);

	/* Random-sized formatted pieces, checked against a running count. */
	while (total < 200000) {
		n = (size_t)(rnd_next(&s) % 300);
		assert_int_equal(buf_addf(&b, "%*s|", (int)n, "v"), ERR_OK);
		total += n > 0 ? n + 1 : 2;
		assert_int_equal(b.len, total);
		assert_int_equal(b.ptr[b.len - 1], '|');
		assert_int_equal(b.ptr[b.len], '\0');
	}
	/* A formatted append longer than the first 64-byte allocation. */
	buf_reset(&b);
	assert_int_equal(buf_addf(&b, "%0200d", 7), ERR_OK);
	assert_int_equal(b.len, 200);
	assert_int_equal(b.ptr[0], '0');
	assert_int_equal(b.ptr[199], '7');
	assert_int_equal(b.ptr[200], '\0');
	p = buf_take(&b, &len);
	assert_int_equal(len, 200);
	assert_int_equal(strlen(p), 200);
	free(p);

	/* Growth up to the cap exactly, then past it. */
	buf_init(&b, 5000);
	for (size_t i = 0; i < 5000; i++)
		assert_int_equal(buf_addc(&b, 'q'), ERR_OK);
	assert_true(b.cap <= b.max + 1);
	assert_int_equal(buf_addc(&b, 'q'), ERR_TOOBIG);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
}

/* -- timeutil */

/* Parse NUL-terminated s; returns the error. */
static enum err
tparse(const char *s, int64_t *us, int *nfrac)
{
	return ts_parse(s, strlen(s), us, nfrac);
}

static void
assert_ts(const char *s, int64_t want, int want_frac)
{
	int64_t us = 0;
	int nf = -1;

	if (tparse(s, &us, &nf) != ERR_OK)
		fail_msg("'%s' refused", s);
	if (us != want)
		fail_msg("'%s' -> %lld, want %lld", s, (long long)us,
		    (long long)want);
	assert_int_equal(nf, want_frac);
}

static void
assert_ts_bad(const char *s)
{
	int64_t us = 12345;

	if (tparse(s, &us, NULL) != ERR_PARSE)
		fail_msg("'%s' accepted", s);
	/* Output untouched on error. */
	assert_int_equal(us, 12345);
}

static void
test_ts_parse_good(void **state)
{
	const int64_t base = 951782400LL * 1000000;	/* 2000-02-29 */
	int64_t us;

	(void)state;
	assert_ts("1970-01-01T00:00:00Z", 0, 0);
	assert_ts("2000-02-29T00:00:00Z", base, 0);
	/* 0 to 9 fractional digits; past six they are dropped. */
	assert_ts("2000-02-29T00:00:00.1Z", base + 100000, 1);
	assert_ts("2000-02-29T00:00:00.12Z", base + 120000, 2);
	assert_ts("2000-02-29T00:00:00.123Z", base + 123000, 3);
	assert_ts("2000-02-29T00:00:00.1234Z", base + 123400, 4);
	assert_ts("2000-02-29T00:00:00.12345Z", base + 123450, 5);
	assert_ts("2000-02-29T00:00:00.123456Z", base + 123456, 6);
	assert_ts("2000-02-29T00:00:00.1234567Z", base + 123456, 7);
	assert_ts("2000-02-29T00:00:00.12345678Z", base + 123456, 8);
	assert_ts("2000-02-29T00:00:00.123456789Z", base + 123456, 9);
	assert_ts("2000-02-29T00:00:00.999999999Z", base + 999999, 9);
	assert_ts("2000-02-29T00:00:00.000000000Z", base, 9);
	/* Lower case separators. */
	assert_ts("2000-02-29t00:00:00z", base, 0);
	assert_ts("2000-02-29t00:00:00.5z", base + 500000, 1);
	/* Leap years: every 4, not every 100, every 400. */
	assert_ts("2024-02-29T00:00:00Z", 1709164800LL * 1000000, 0);
	assert_ts("2400-02-29T00:00:00Z", 13574563200LL * 1000000, 0);
	/* End of day, end of year, range ends. */
	assert_ts("1999-12-31T23:59:59Z", 946684799LL * 1000000, 0);
	assert_ts("1969-12-31T23:59:59.999999Z", -1, 6);
	assert_ts("0001-01-01T00:00:00Z", T_US_MIN, 0);
	assert_ts("9999-12-31T23:59:59.999999Z", T_US_MAX, 6);
	assert_ts("1900-03-01T00:00:00Z", -2203891200LL * 1000000, 0);
	/* Month lengths. */
	assert_ts("2023-01-31T00:00:00Z", 1675123200LL * 1000000, 0);
	assert_ts("2023-04-30T12:34:56Z", 1682858096LL * 1000000, 0);
	/* A leap second is folded onto the next second. */
	assert_int_equal(tparse("2016-12-31T23:59:60Z", &us, NULL), ERR_OK);
	assert_int_equal(us, 1483228800LL * 1000000);
	/* frac_digits_out may be NULL. */
	assert_int_equal(tparse("2000-02-29T00:00:00.5Z", &us, NULL), ERR_OK);
	assert_int_equal(us, base + 500000);
	/* Only len bytes are read. */
	assert_int_equal(ts_parse("2000-02-29T00:00:00Zjunk", 20, &us, NULL),
	    ERR_OK);
	assert_int_equal(us, base);
}

static void
test_ts_parse_bad(void **state)
{
	int64_t us = 7;

	(void)state;
	/* Dates that do not exist. */
	assert_ts_bad("2023-02-29T00:00:00Z");
	assert_ts_bad("1900-02-29T00:00:00Z");
	assert_ts_bad("2100-02-29T00:00:00Z");
	assert_ts_bad("2024-02-30T00:00:00Z");
	assert_ts_bad("2024-04-31T00:00:00Z");
	assert_ts_bad("2024-06-31T00:00:00Z");
	assert_ts_bad("2024-09-31T00:00:00Z");
	assert_ts_bad("2024-11-31T00:00:00Z");
	assert_ts_bad("2024-01-32T00:00:00Z");
	assert_ts_bad("2024-01-00T00:00:00Z");
	assert_ts_bad("2024-00-01T00:00:00Z");
	assert_ts_bad("2024-13-01T00:00:00Z");
	assert_ts_bad("0000-01-01T00:00:00Z");
	/* Times that do not exist. */
	assert_ts_bad("2024-01-01T24:00:00Z");
	assert_ts_bad("2024-01-01T25:00:00Z");
	assert_ts_bad("2024-01-01T00:60:00Z");
	assert_ts_bad("2024-01-01T00:00:61Z");
	assert_ts_bad("2024-01-01T99:99:99Z");
	/* Shape. */
	assert_ts_bad("");
	assert_ts_bad("2024-01-01");
	assert_ts_bad("2024-01-01T00:00:00");
	assert_ts_bad("2024-01-01T00:00:00.123");
	assert_ts_bad("2024-01-01T00:00:00+01:00");
	assert_ts_bad("2024-01-01T00:00:00-00:00");
	assert_ts_bad("2024-01-01T00:00:00.000+01:00");
	assert_ts_bad("2024-01-01T00:00:00.Z");
	assert_ts_bad("2024-01-01T00:00:00.1234567890Z");
	assert_ts_bad("2024-01-01T00:00:00.12345678901234567890Z");
	assert_ts_bad("2024-01-01T00:00:00ZZ");
	assert_ts_bad("2024-01-01T00:00:00Z ");
	assert_ts_bad(" 2024-01-01T00:00:00Z");
	assert_ts_bad("2024-01-01 00:00:00Z");
	assert_ts_bad("2024-01-01X00:00:00Z");
	assert_ts_bad("2024/01/01T00:00:00Z");
	assert_ts_bad("2024-01-01T00.00.00Z");
	assert_ts_bad("2024-1-01T00:00:00Z");
	assert_ts_bad("2024-01-01T0:00:00Z");
	assert_ts_bad("+024-01-01T00:00:00Z");
	assert_ts_bad("-024-01-01T00:00:00Z");
	assert_ts_bad("12024-01-01T00:00:00Z");
	assert_ts_bad("2024-01-01T00:00:00,5Z");
	assert_ts_bad("2024-01-01T00:00:00.5.5Z");
	assert_ts_bad("2024-01-01T00:00:00.a Z");
	assert_ts_bad("yesterday, about noon!");
	assert_ts_bad("2024-0a-01T00:00:00Z");
	/* An embedded NUL ends nothing: len says where the string ends. */
	assert_int_equal(ts_parse("2024-01-01T00:00:00\0Z", 21, &us, NULL),
	    ERR_PARSE);
	/* A length that cuts off the 'Z'. */
	assert_int_equal(ts_parse("2024-01-01T00:00:00Z", 19, &us, NULL),
	    ERR_PARSE);
	assert_int_equal(ts_parse("2024-01-01T00:00:00.5Z", 21, &us, NULL),
	    ERR_PARSE);
	assert_int_equal(us, 7);
}

static void
assert_fmt(int64_t us, const char *want)
{
	char out[TS_BUFSZ];

	memset(out, 'X', sizeof(out));
	ts_format(us, out);
	if (strcmp(out, want) != 0)
		fail_msg("%lld -> '%s', want '%s'", (long long)us, out, want);
}

static void
test_ts_format_known(void **state)
{
	(void)state;
	assert_fmt(0, "1970-01-01T00:00:00.000000Z");
	assert_fmt(1, "1970-01-01T00:00:00.000001Z");
	assert_fmt(-1, "1969-12-31T23:59:59.999999Z");
	assert_fmt(-1000000, "1969-12-31T23:59:59.000000Z");
	assert_fmt(-1000001, "1969-12-31T23:59:58.999999Z");
	assert_fmt(951782400000000LL, "2000-02-29T00:00:00.000000Z");
	assert_fmt(951782400123456LL, "2000-02-29T00:00:00.123456Z");
	assert_fmt(1709164800LL * 1000000 + 1, "2024-02-29T00:00:00.000001Z");
	assert_fmt(1483228799LL * 1000000 + 999999,
	    "2016-12-31T23:59:59.999999Z");
	assert_fmt(-2203891200LL * 1000000, "1900-03-01T00:00:00.000000Z");
	assert_fmt(-2203891200LL * 1000000 - 1, "1900-02-28T23:59:59.999999Z");
	assert_fmt(T_US_MIN, "0001-01-01T00:00:00.000000Z");
	assert_fmt(T_US_MAX, "9999-12-31T23:59:59.999999Z");
}

/* Format with the C library: the oracle for the random round trips. */
static void
oracle_format(int64_t us, char *out, size_t cap)
{
	int64_t secs = us / 1000000, rem = us % 1000000;
	struct tm tm;
	time_t t;

	if (rem < 0) {
		rem += 1000000;
		secs--;
	}
	t = (time_t)secs;
	assert_non_null(gmtime_r(&t, &tm));
	assert_true(snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)rem) < (int)cap);
}

static void
test_ts_roundtrip(void **state)
{
	uint64_t s = 0xdeadbeefcafeULL;
	uint64_t span = (uint64_t)(T_US_MAX - T_US_MIN) + 1;
	char out[TS_BUFSZ], want[64];
	int64_t us, back;
	int nf, neg = 0, pos = 0;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		switch (i % 4) {
		case 0:		/* anywhere in 0001..9999 */
			us = T_US_MIN + (int64_t)(rnd_next(&s) % span);
			break;
		case 1:		/* 1970..9999 */
			us = (int64_t)(rnd_next(&s) % (uint64_t)T_US_MAX);
			break;
		case 2:		/* before 1970 */
			us = -(int64_t)(rnd_next(&s) %
			    (uint64_t)(-T_US_MIN)) - 1;
			break;
		default:	/* near the epoch, where signs flip */
			us = (int64_t)(rnd_next(&s) % 20000000) - 10000000;
			break;
		}
		if (us < 0)
			neg++;
		else
			pos++;
		memset(out, 'X', sizeof(out));
		ts_format(us, out);
		/* Exactly six fractional digits, fixed shape. */
		if (strlen(out) != TS_BUFSZ - 1 || out[19] != '.' ||
		    out[26] != 'Z' || out[10] != 'T')
			fail_msg("%lld -> '%s'", (long long)us, out);
		oracle_format(us, want, sizeof(want));
		if (strcmp(out, want) != 0)
			fail_msg("%lld -> '%s', libc says '%s'", (long long)us,
			    out, want);
		back = 0;
		nf = 0;
		if (ts_parse(out, strlen(out), &back, &nf) != ERR_OK ||
		    back != us || nf != 6)
			fail_msg("'%s' -> %lld, want %lld", out,
			    (long long)back, (long long)us);
	}
	assert_true(neg > 50000);
	assert_true(pos > 50000);
}

static void
test_ts_now(void **state)
{
	int64_t a, b;

	(void)state;
	a = ts_now_us();
	b = ts_now_us();
	/* After 2020-01-01 and before 2100-01-01; monotone enough. */
	assert_true(a > 1577836800LL * 1000000);
	assert_true(a < 4102444800LL * 1000000);
	assert_true(b >= a);
}

/* -- uuid */

static void
test_uuid_valid(void **state)
{
	static const char *const good[] = {
		"8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"00000000-0000-0000-0000-000000000000",
		"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
		"8E2e2D2b-17D4-4cBf-938F-98eE46b3Cd3F",
	};
	static const char *const bad[] = {
		"",
		"8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3",
		"8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3ff",
		"8e2e2d2b17d4-4cbf-938f-98ee46b3cd3ff",
		"8e2e2d2b-17d4-4cbf-938f98ee46b3cd3ff",
		"8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3g",
		"8e2e2d2b-17d4-4cbf-938f_98ee46b3cd3f",
		"8e2e2d2b-17d44cbf--938f-98ee46b3cd3f",
		"-8e2e2d2b17d4-4cbf-938f-98ee46b3cd3f",
		"8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3 ",
		"{e2e2d2b-17d4-4cbf-938f-98ee46b3cd3}",
		"8e2e2d2b+17d4-4cbf-938f-98ee46b3cd3f",
		"------------------------------------",
	};
	char s[40];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!uuid_valid(good[i], strlen(good[i])))
			fail_msg("'%s' refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (uuid_valid(bad[i], strlen(bad[i])))
			fail_msg("'%s' accepted", bad[i]);
	/* The length argument rules, not the NUL. */
	assert_false(uuid_valid(good[0], 35));
	assert_true(uuid_valid("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3fXX", 36));
	/* Every single non-hex byte at a hex position is refused. */
	for (size_t i = 0; i < UUID_STRLEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			continue;
		for (int c = 1; c < 256; c++) {
			int hex = (c >= '0' && c <= '9') ||
			    (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
			memcpy(s, good[0], UUID_STRLEN + 1);
			s[i] = (char)c;
			if (uuid_valid(s, UUID_STRLEN) != hex)
				fail_msg("byte %d at %zu", c, i);
		}
	}
}

static void
check_v4(const uint8_t rnd[16])
{
	char out[UUID_STRLEN + 2];
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	memset(out, 'X', sizeof(out));
	uuid_v4_format(rnd, out);
	assert_int_equal(strlen(out), UUID_STRLEN);
	assert_true(uuid_valid(out, UUID_STRLEN));
	/* Version nibble 4, variant bits 10xx. */
	assert_int_equal(out[14], '4');
	assert_non_null(strchr("89ab", out[19]));
	/* Every other nibble is the input's, in lower case. */
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			assert_int_equal(out[o++], '-');
		/* High nibbles of bytes 6 and 8 are checked below. */
		if (i != 6 && i != 8)
			assert_int_equal(out[o], hex[rnd[i] >> 4]);
		o++;
		assert_int_equal(out[o], hex[rnd[i] & 0x0f]);
		o++;
	}
	/* The variant keeps the low two bits of the high nibble of byte 8. */
	assert_int_equal(strchr(hex, out[19]) - hex, 8 | ((rnd[8] >> 4) & 3));
}

static void
test_uuid_v4(void **state)
{
	uint8_t r[16];
	char out[UUID_STRLEN + 1];
	uint64_t s = 42;

	(void)state;
	memset(r, 0, sizeof(r));
	uuid_v4_format(r, out);
	assert_string_equal(out, "00000000-0000-4000-8000-000000000000");
	check_v4(r);
	memset(r, 0xff, sizeof(r));
	uuid_v4_format(r, out);
	assert_string_equal(out, "ffffffff-ffff-4fff-bfff-ffffffffffff");
	check_v4(r);
	for (int i = 0; i < 16; i++)
		r[i] = (uint8_t)(i * 17);
	uuid_v4_format(r, out);
	assert_string_equal(out, "00112233-4455-4677-8899-aabbccddeeff");
	for (int k = 0; k < 10000; k++) {
		for (int i = 0; i < 16; i++)
			r[i] = (uint8_t)rnd_next(&s);
		check_v4(r);
	}
}

/* -- err */

static void
test_err_str(void **state)
{
	const char *s, *t;

	(void)state;
	for (int e = 0; e < ERR_COUNT_; e++) {
		s = err_str((enum err)e);
		assert_non_null(s);
		if (s[0] == '\0' || strcmp(s, "unknown error") == 0)
			fail_msg("err %d has no name", e);
		/* Names tell errors apart. */
		for (int f = 0; f < e; f++) {
			t = err_str((enum err)f);
			if (strcmp(s, t) == 0)
				fail_msg("errors %d and %d are both '%s'", f,
				    e, s);
		}
	}
	assert_string_equal(err_str(ERR_OK), "success");
	/* Out of range values still give a usable string. */
	assert_string_equal(err_str(ERR_COUNT_), "unknown error");
	assert_string_equal(err_str((enum err)(ERR_COUNT_ + 100)),
	    "unknown error");
	assert_string_equal(err_str((enum err)-1), "unknown error");
}

/* -- jsonmem */

static void
test_jsonmem_window(void **state)
{
	json_t *arr, *o, *outside;
	json_error_t je;
	struct buf b;
	json_t *back;
	char *big;

	(void)state;
	/* A value made outside a window may be released inside one. */
	outside = json_pack("{s:s, s:i}", "made", "outside", "n", 1);
	assert_non_null(outside);

	for (int round = 0; round < 3; round++) {
		jsonmem_begin();
		json_decref(outside);
		outside = NULL;
		arr = json_array();
		assert_non_null(arr);
		for (int i = 0; i < 50000; i++) {
			o = json_pack("{s:i, s:s, s:[i,i]}", "i", i, "s",
			    "some string value", "a", i, -i);
			assert_non_null(o);
			/* Half are dropped at once: frees are no-ops. */
			if (i % 2 == 0)
				assert_int_equal(json_array_append_new(arr, o),
				    0);
			else
				json_decref(o);
		}
		assert_int_equal(json_array_size(arr), 25000);
		/* One allocation bigger than an arena chunk. */
		big = malloc(3u * 1024 * 1024 + 1);
		assert_non_null(big);
		memset(big, 'b', 3u * 1024 * 1024);
		big[3u * 1024 * 1024] = '\0';
		assert_int_equal(json_array_append_new(arr, json_string(big)),
		    0);
		free(big);

		buf_init(&b, 8u * 1024 * 1024);
		assert_int_equal(jsonmem_dump(arr, &b), ERR_OK);
		assert_true(b.len > 3u * 1024 * 1024);
		assert_int_equal(b.ptr[b.len], '\0');
		/* The dump parses back to an equal value. */
		back = json_loadb(b.ptr, b.len, 0, &je);
		assert_non_null(back);
		assert_true(json_equal(back, arr));
		assert_int_equal(json_integer_value(json_object_get(
		    json_array_get(back, 24999), "i")), 49998);
		json_decref(back);
		json_decref(arr);
		jsonmem_end();
		/* The dump lives in a buf, not the arena: still readable. */
		assert_memory_equal(b.ptr, "[{\"i\":0,", 8);
		buf_reset(&b);
	}
}

static void
test_jsonmem_outside(void **state)
{
	json_malloc_t m;
	json_free_t f;
	json_t *j;
	char *s;

	(void)state;
	json_get_alloc_funcs(&m, &f);
	assert_non_null(m);
	assert_non_null(f);
	/* Outside a window jansson's strings come from the heap and are
	 * released with jansson's free function. */
	j = json_pack("{s:[i,i,i], s:s}", "a", 1, 2, 3, "b", "c");
	assert_non_null(j);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(s);
	assert_string_equal(s, "{\"a\":[1,2,3],\"b\":\"c\"}");
	f(s);
	json_decref(j);
	/* Many small heap objects, each freed. */
	for (int i = 0; i < 10000; i++) {
		j = json_integer(i);
		assert_non_null(j);
		assert_int_equal(json_integer_value(j), i);
		json_decref(j);
	}
	f(NULL);
	/* A window with nothing in it, and end without begin. */
	jsonmem_begin();
	jsonmem_end();
	jsonmem_end();
}

static void
test_jsonmem_dump_cap(void **state)
{
	struct buf b;
	json_t *j;

	(void)state;
	j = json_pack("{s:i}", "a", 1);		/* {"a":1}: 7 bytes */
	assert_non_null(j);
	buf_init(&b, 7);
	assert_int_equal(jsonmem_dump(j, &b), ERR_OK);
	assert_string_equal(b.ptr, "{\"a\":1}");
	assert_int_equal(b.len, 7);
	/* Appending once more overflows: TOOBIG and an empty buffer. */
	assert_int_equal(jsonmem_dump(j, &b), ERR_TOOBIG);
	assert_int_equal(b.len, 0);
	assert_null(b.ptr);
	buf_reset(&b);
	buf_init(&b, 6);
	assert_int_equal(jsonmem_dump(j, &b), ERR_TOOBIG);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
	/* Regression: jansson ignores the callback's result for object
	 * keys; a cap that cuts inside a key must still fail as a whole,
	 * never leave a tail such as ':1}' behind. */
	for (size_t cap = 0; cap < 7; cap++) {
		buf_init(&b, cap);
		assert_int_equal(jsonmem_dump(j, &b), ERR_TOOBIG);
		assert_int_equal(b.len, 0);
		buf_reset(&b);
	}
	/* Appends after existing content. */
	buf_init(&b, 100);
	assert_int_equal(buf_addstr(&b, "x="), ERR_OK);
	assert_int_equal(jsonmem_dump(j, &b), ERR_OK);
	assert_string_equal(b.ptr, "x={\"a\":1}");
	buf_reset(&b);
	json_decref(j);

	/* A big array against a smaller cap, inside a window. */
	jsonmem_begin();
	j = json_array();
	for (int i = 0; i < 10000; i++)
		assert_int_equal(json_array_append_new(j, json_integer(i)), 0);
	buf_init(&b, 1000);
	assert_int_equal(jsonmem_dump(j, &b), ERR_TOOBIG);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
	buf_init(&b, 100000);
	assert_int_equal(jsonmem_dump(j, &b), ERR_OK);
	assert_int_equal(b.ptr[0], '[');
	assert_int_equal(b.ptr[b.len - 1], ']');
	json_decref(j);
	jsonmem_end();
	buf_reset(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_append),
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_buf_growth),
		cmocka_unit_test(test_ts_parse_good),
		cmocka_unit_test(test_ts_parse_bad),
		cmocka_unit_test(test_ts_format_known),
		cmocka_unit_test(test_ts_roundtrip),
		cmocka_unit_test(test_ts_now),
		cmocka_unit_test(test_uuid_valid),
		cmocka_unit_test(test_uuid_v4),
		cmocka_unit_test(test_err_str),
		cmocka_unit_test(test_jsonmem_window),
		cmocka_unit_test(test_jsonmem_outside),
		cmocka_unit_test(test_jsonmem_dump_cap),
	};

	jsonmem_install();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
