/*
 * fuzz_indicator.c: libFuzzer harness for the pattern subset of the
 * matcher (match/indicator.c): pattern text through stix_pattern_parse()
 * and match_terms().  The first byte picks the term capacity (1 + byte %
 * 8, or MATCH_TERMS_MAX when its high bit is set), the rest is the
 * pattern.
 *
 * Invariants checked, abort() on violation:
 * - match_terms() returns ERR_OK, ERR_UNSUPPORTED or ERR_TOOBIG only;
 *   on error *n_out is 0 and the reason is non-empty and NUL-terminated;
 * - on success 1 <= n <= cap, and every term has a valid kind, a
 *   non-empty value of its kind's syntax (match_term_valid()) without a
 *   NUL byte; ISSUBSET terms are IPv4 or IPv6 with a "/prefix"; domain
 *   names and hashes never hold a '/';
 * - the number of terms equals the number of values of the tests.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/indicator.h"
#include "stix/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
count_values(const struct stix_pat_node *t, void *arg)
{
	*(size_t *)arg += t->u.test.n_values;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct match_term terms[MATCH_TERMS_MAX];
	struct stix_pattern *p = NULL;
	char reason[256], why[MATCH_WHY_BYTES];
	size_t cap, n = 999, vals = 0;
	enum err e;

	if (size == 0)
		return 0;
	cap = (data[0] & 0x80) ? MATCH_TERMS_MAX : 1 + data[0] % 8;
	if (stix_pattern_parse((const char *)data + 1, size - 1, &p, reason,
	    sizeof(reason)) != ERR_OK)
		return 0;
	memset(why, 'x', sizeof(why));
	e = match_terms(p, terms, cap, &n, why, sizeof(why));
	if (e != ERR_OK) {
		if ((e != ERR_UNSUPPORTED && e != ERR_TOOBIG) || n != 0 ||
		    memchr(why, '\0', sizeof(why)) == NULL || why[0] == '\0')
			abort();
		stix_pattern_free(p);
		return 0;
	}
	if (n == 0 || n > cap)
		abort();
	(void)stix_pattern_foreach_test(p, count_values, &vals);
	if (vals != n)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct match_term *t = &terms[i];
		int ip = t->kind == MATCH_I_IPV4 || t->kind == MATCH_I_IPV6;

		if (t->kind < MATCH_I_IPV4 || t->kind > MATCH_I_EMAIL ||
		    t->value == NULL || t->len == 0 ||
		    memchr(t->value, '\0', t->len) != NULL ||
		    !match_term_valid(t->kind, t->value, t->len))
			abort();
		if (t->subset && (!ip || memchr(t->value, '/', t->len) ==
		    NULL))
			abort();
		if ((t->kind == MATCH_I_DOMAIN || t->kind >= MATCH_I_MD5) &&
		    t->kind != MATCH_I_EMAIL &&
		    memchr(t->value, '/', t->len) != NULL)
			abort();
	}
	stix_pattern_free(p);
	return 0;
}
