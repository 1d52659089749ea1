/*
 * fuzz_format.c: libFuzzer harness for the line parsers of `entente match`
 * (match/format*.c).  The first input byte selects the format (byte % 8:
 * text, jsonl, csv, tsv, bind, squid, zeek, eve) and, in its high bit, a
 * small output capacity; the rest is split on '\n' and each line is fed
 * through one parser, so headers configure it for the following lines.
 * Each line is copied into a buffer of its exact size so any read past it
 * is caught by ASan.
 *
 * Invariants checked, abort() on violation:
 * - match_format_detect() returns a valid format for any bytes;
 * - only ERR_OK, ERR_PARSE and ERR_TOOBIG come back, with 0 fields on
 *   error, and never more fields than the capacity given;
 * - every field has a non-empty NUL-terminated name of at most
 *   MATCH_NAME_MAX bytes, a non-empty value lying wholly inside the line
 *   or inside the parser's scratch, and a valid kind;
 * - a typed value has its kind's syntax (match_term_valid());
 * - text yields exactly the line (without a trailing '\r').
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/format.h"
#include "match/indicator.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_CAP	64

static int
inside(const char *v, size_t n, const char *lo, const char *hi)
{
	return lo != NULL && v >= lo && v <= hi && n <= (size_t)(hi - v);
}

static int
typed_ok(const struct match_field *f)
{
	switch (f->kind) {
	case MATCH_V_ANY:
		return 1;
	case MATCH_V_IP:
		return memchr(f->val, '/', f->len) == NULL &&
		    (match_term_valid(MATCH_I_IPV4, f->val, f->len) ||
		    match_term_valid(MATCH_I_IPV6, f->val, f->len));
	case MATCH_V_DOMAIN:
		return match_term_valid(MATCH_I_DOMAIN, f->val, f->len);
	case MATCH_V_URL:
		return match_term_valid(MATCH_I_URL, f->val, f->len);
	case MATCH_V_HASH:
		return match_term_valid(MATCH_I_MD5, f->val, f->len) ||
		    match_term_valid(MATCH_I_SHA1, f->val, f->len) ||
		    match_term_valid(MATCH_I_SHA256, f->val, f->len);
	case MATCH_V_EMAIL:
		return match_term_valid(MATCH_I_EMAIL, f->val, f->len);
	}
	return 0;
}

static void
check_line(struct match_parser *p, enum match_format fmt, const char *line,
    size_t len, size_t cap)
{
	struct match_field out[FUZZ_CAP];
	const char *lo, *hi;
	size_t n = 12345;
	enum err e;

	e = match_parser_line(p, line, len, out, cap, &n);
	if (e != ERR_OK) {
		if ((e != ERR_PARSE && e != ERR_TOOBIG) || n != 0)
			abort();
		return;
	}
	if (n > cap)
		abort();
	match_parser_scratch(p, &lo, &hi);
	for (size_t i = 0; i < n; i++) {
		const struct match_field *f = &out[i];
		size_t nl;

		if (f->name == NULL || f->val == NULL || f->len == 0 ||
		    (unsigned)f->kind > MATCH_V_EMAIL)
			abort();
		nl = strnlen(f->name, MATCH_NAME_MAX + 1);
		if (nl == 0 || nl > MATCH_NAME_MAX)
			abort();
		if (!inside(f->val, f->len, line, line + len) &&
		    !inside(f->val, f->len, lo, hi))
			abort();
		if (!typed_ok(f))
			abort();
	}
	if (fmt == MATCH_FMT_TEXT) {
		size_t want = len > 0 && line[len - 1] == '\r' ? len - 1 : len;

		/* A UTF-8 BOM is dropped from the first line. */
		if (n == 1 && out[0].len != want && out[0].len + 3 != want)
			abort();
		if (n == 0 && want != 0 && want != 3 && cap > 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct match_parser *p;
	enum match_format fmt, det;
	const char *s;
	size_t n, cap, pos = 0;

	if (size == 0)
		return 0;
	fmt = (enum match_format)(1 + data[0] % 8);
	cap = (data[0] & 0x80) ? 3 : FUZZ_CAP;
	s = (const char *)data + 1;
	n = size - 1;
	det = match_format_detect(s, n);
	if (det < MATCH_FMT_TEXT || det > MATCH_FMT_EVE)
		abort();
	if (match_parser_new(fmt, &p) != ERR_OK)
		abort();
	while (pos <= n) {
		const char *nl = memchr(s + pos, '\n', n - pos);
		size_t len = nl == NULL ? n - pos : (size_t)(nl - (s + pos));
		char *line = malloc(len > 0 ? len : 1);

		if (line == NULL)
			abort();
		memcpy(line, s + pos, len);
		check_line(p, fmt, line, len, cap);
		free(line);
		if (nl == NULL)
			break;
		pos += len + 1;
	}
	match_parser_free(p);
	return 0;
}
