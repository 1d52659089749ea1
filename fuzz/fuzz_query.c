/*
 * fuzz_query.c: libFuzzer harness for TAXII query parameters
 * (taxii/query.c) and pagination cursors (taxii/cursor.c).
 *
 * The input is read as a query string: pairs split on '&', each split on
 * its first '=' into key and value (no '=': empty value).  At most
 * MAX_PARAMS pairs are kept, as the HTTP layer caps them too.
 *
 * Invariants checked, abort() on violation:
 * - taxii_filter_parse() with every parameter allowed returns ERR_OK,
 *   ERR_PARSE or ERR_TOOBIG; on error the message is non-empty and
 *   NUL-terminated within its buffer;
 * - on ERR_OK: limit in 1..LIM_PAGE_MAX (LIM_PAGE_DEFAULT without a limit
 *   parameter), at most LIM_MATCH_VALUES ids, types and versions, every id
 *   passes stix_id_valid(), every type is non-empty, each version timestamp
 *   survives ts_format()/ts_parse(), version flags are STORE_VER_* bits,
 *   spec_21 is 0 or 1, next is NULL or one of the values, 1 to
 *   LIM_CURSOR_BYTES long;
 * - parsing is deterministic, and with nothing allowed it only fails for a
 *   query that is too long;
 * - taxii_cursor_check() on every value never crashes and returns ERR_OK
 *   only for the exact cursor taxii_cursor_make() gives for the same key,
 *   digest and date; under another key or digest it is ERR_PARSE.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stix/stix.h"
#include "taxii/taxii.h"
#include "util/limits.h"
#include "util/timeutil.h"

#define MAX_PARAMS	64

#define ALL_BITS	(TAXII_P_ID | TAXII_P_TYPE | TAXII_P_VERSION | \
			 TAXII_P_SPEC | TAXII_P_AFTER | TAXII_P_LIMIT | \
			 TAXII_P_NEXT)

/* The key and digest the seed cursors in fuzz/corpus/query/ were made
 * with: key bytes 0..31, digest bytes 0xa0..0xaf. */
static uint8_t fkey[TAXII_CURSOR_KEY_BYTES];
static uint8_t fdig[16];

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
init_keys(void)
{
	static int done;

	if (done)
		return;
	for (size_t i = 0; i < sizeof(fkey); i++)
		fkey[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(fdig); i++)
		fdig[i] = (uint8_t)(0xa0 + i);
	done = 1;
}

/* The message after an error: non-empty, terminated inside msg. */
static void
check_msg(const char *msg, size_t cap)
{
	if (memchr(msg, '\0', cap) == NULL || msg[0] == '\0')
		abort();
}

static void
check_ok(const struct taxii_filter *f, const struct taxii_param *p,
    size_t n)
{
	char ts[TS_BUFSZ];
	int64_t back;
	int has_limit = 0, next_ok = 0;

	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].key, "limit") == 0)
			has_limit = 1;
	if (f->limit < 1 || f->limit > LIM_PAGE_MAX)
		abort();
	if (!has_limit && f->limit != LIM_PAGE_DEFAULT)
		abort();
	if (f->n_ids > LIM_MATCH_VALUES || f->n_types > LIM_MATCH_VALUES ||
	    f->n_versions > LIM_MATCH_VALUES)
		abort();
	for (size_t i = 0; i < f->n_ids; i++)
		if (!stix_id_valid(f->ids[i]))
			abort();
	for (size_t i = 0; i < f->n_types; i++)
		if (f->types[i] == NULL || f->types[i][0] == '\0' ||
		    strlen(f->types[i]) > LIM_STIX_TYPE)
			abort();
	for (size_t i = 0; i < f->n_versions; i++) {
		ts_format(f->versions[i], ts);
		if (ts_parse(ts, strlen(ts), &back, NULL) != ERR_OK ||
		    back != f->versions[i])
			abort();
	}
	if ((f->ver_flags & ~(unsigned)(STORE_VER_LAST | STORE_VER_FIRST |
	    STORE_VER_ALL)) != 0)
		abort();
	if (f->spec_21 != 0 && f->spec_21 != 1)
		abort();
	if (f->next != NULL) {
		size_t l = strlen(f->next);

		if (l < 1 || l > LIM_CURSOR_BYTES)
			abort();
		for (size_t i = 0; i < n; i++)
			if (p[i].value == f->next &&
			    strcmp(p[i].key, "next") == 0)
				next_ok = 1;
		if (!next_ok)
			abort();
	}
}

static void
check_cursor(const char *v)
{
	char again[TAXII_CURSOR_LEN + 1];
	uint8_t key2[TAXII_CURSOR_KEY_BYTES], dig2[16];
	int64_t when = 0, w2 = 0;
	enum err e;

	e = taxii_cursor_check(fkey, fdig, v, &when);
	if (e == ERR_PARSE)
		return;
	if (e != ERR_OK)
		abort();
	/* Only the canonical cursor for that date passes. */
	if (taxii_cursor_make(fkey, fdig, when, again) != ERR_OK ||
	    strcmp(again, v) != 0)
		abort();
	memcpy(key2, fkey, sizeof(key2));
	key2[TAXII_CURSOR_KEY_BYTES - 1] ^= 1;
	if (taxii_cursor_check(key2, fdig, v, &w2) != ERR_PARSE)
		abort();
	memcpy(dig2, fdig, sizeof(dig2));
	dig2[0] ^= 0x80;
	if (taxii_cursor_check(fkey, dig2, v, &w2) != ERR_PARSE)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct taxii_param p[MAX_PARAMS];
	struct taxii_filter f, g;
	char msg[256], msg2[256];
	char *copy, *s, *amp, *eq;
	size_t n = 0;
	enum err e, e2;

	init_keys();
	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	/* An embedded NUL ends the query, as it would a C string. */
	s = copy;
	while (s != NULL && n < MAX_PARAMS) {
		amp = strchr(s, '&');
		if (amp != NULL)
			*amp = '\0';
		eq = strchr(s, '=');
		if (eq != NULL) {
			*eq = '\0';
			p[n].value = eq + 1;
		} else {
			p[n].value = s + strlen(s);
		}
		p[n].key = s;
		n++;
		s = amp != NULL ? amp + 1 : NULL;
	}

	memset(msg, 0x55, sizeof(msg));
	e = taxii_filter_parse(p, n, ALL_BITS, &f, msg, sizeof(msg));
	if (e == ERR_OK)
		check_ok(&f, p, n);
	else if (e == ERR_PARSE || e == ERR_TOOBIG)
		check_msg(msg, sizeof(msg));
	else
		abort();

	/* Deterministic. */
	memset(msg2, 0x55, sizeof(msg2));
	e2 = taxii_filter_parse(p, n, ALL_BITS, &g, msg2, sizeof(msg2));
	if (e2 != e || (e != ERR_OK && strcmp(msg, msg2) != 0))
		abort();
	if (e == ERR_OK && (f.limit != g.limit || f.n_ids != g.n_ids ||
	    f.n_types != g.n_types || f.n_versions != g.n_versions ||
	    f.ver_flags != g.ver_flags || f.spec_21 != g.spec_21 ||
	    f.added_after != g.added_after || f.next != g.next))
		abort();
	taxii_filter_free(&g);
	taxii_filter_free(&f);

	/* Nothing allowed: defaults, unless the query is too long. */
	memset(msg2, 0x55, sizeof(msg2));
	e2 = taxii_filter_parse(p, n, 0, &g, msg2, sizeof(msg2));
	if (e2 == ERR_OK) {
		if (g.limit != LIM_PAGE_DEFAULT || g.n_ids != 0 ||
		    g.n_types != 0 || g.n_versions != 0 || g.next != NULL ||
		    g.spec_21 != 1 || g.added_after != 0 || g.ver_flags != 0)
			abort();
		if (e == ERR_TOOBIG)
			abort();
	} else if (e2 == ERR_TOOBIG) {
		check_msg(msg2, sizeof(msg2));
		if (e != ERR_TOOBIG)
			abort();
	} else {
		abort();
	}
	taxii_filter_free(&g);

	for (size_t i = 0; i < n; i++) {
		check_cursor(p[i].value);
		check_cursor(p[i].key);
	}
	free(copy);
	return 0;
}
