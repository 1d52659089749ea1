/*
 * fuzz_pattern.c: libFuzzer harness for the STIX patterning parser
 * (stix/pattern.c).  The input bytes are the pattern text, not
 * NUL-terminated, so any read past len is caught by ASan.
 *
 * Invariants checked, abort() on violation:
 * - ERR_OK comes with a non-NULL tree, any error with a NULL tree and a
 *   non-empty one-line reason that ends with "at offset N", N <= len;
 * - only ERR_PARSE, ERR_INVALID, ERR_TOOBIG (and ERR_NOMEM) are returned,
 *   and input longer than LIM_PATTERN_BYTES is always ERR_TOOBIG;
 * - stix_pattern_check() agrees with stix_pattern_parse(), reason included;
 * - the tree is well formed: node count within LIM_PATTERN_NODES, height
 *   within STIX_PAT_MAX_HEIGHT, n-ary nodes have at least two children,
 *   tests a type and at least one path step, EXISTS no values and other
 *   operators exactly one (IN any number), qualifiers in range, every
 *   offset inside the input; the dump of the tree succeeds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/pattern.h"
#include "util/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t nodes_seen;

static void
check_node(const struct stix_pat_node *n, size_t len, unsigned depth)
{
	size_t i;

	if (n == NULL || depth > STIX_PAT_MAX_HEIGHT || n->offset >= len)
		abort();
	nodes_seen++;
	switch (n->kind) {
	case STIX_PAT_OBSERVATION:
		check_node(n->u.expr, len, depth + 1);
		if (n->u.expr->kind != STIX_PAT_TEST &&
		    n->u.expr->kind != STIX_PAT_CMP_AND &&
		    n->u.expr->kind != STIX_PAT_CMP_OR)
			abort();
		break;
	case STIX_PAT_QUALIFIED:
		if (n->u.qual.n_quals == 0)
			abort();
		for (i = 0; i < n->u.qual.n_quals; i++) {
			const struct stix_pat_qualifier *q =
			    &n->u.qual.quals[i];

			if (q->offset >= len ||
			    (q->kind == STIX_PAT_WITHIN &&
			    !(q->within_s > 0)) ||
			    (q->kind == STIX_PAT_REPEATS && q->repeats <= 0) ||
			    (q->kind == STIX_PAT_STARTSTOP &&
			    q->stop_us <= q->start_us))
				abort();
		}
		check_node(n->u.qual.child, len, depth + 1);
		break;
	case STIX_PAT_TEST:
		if (n->u.test.type == NULL || n->u.test.type_len == 0 ||
		    n->u.test.n_path == 0 || n->u.test.path == NULL)
			abort();
		if (n->u.test.op == STIX_PAT_EXISTS ?
		    n->u.test.n_values != 0 :
		    n->u.test.op != STIX_PAT_IN && n->u.test.n_values != 1)
			abort();
		for (i = 0; i < n->u.test.n_values; i++)
			if (n->u.test.values[i].offset >= len)
				abort();
		for (i = 0; i < n->u.test.n_path; i++)
			if (n->u.test.path[i].kind == STIX_PAT_SEG_KEY &&
			    n->u.test.path[i].key == NULL)
				abort();
		break;
	case STIX_PAT_OBS_AND:
	case STIX_PAT_OBS_OR:
	case STIX_PAT_OBS_FOLLOWEDBY:
	case STIX_PAT_CMP_AND:
	case STIX_PAT_CMP_OR:
		if (n->u.list.n_kids < 2)
			abort();
		for (i = 0; i < n->u.list.n_kids; i++)
			check_node(n->u.list.kids[i], len, depth + 1);
		break;
	default:
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stix_pattern *p = (struct stix_pattern *)&nodes_seen;
	char reason[256], reason2[256];
	const char *at;
	struct buf b;
	enum err e, e2;

	memset(reason, 'X', sizeof(reason));
	e = stix_pattern_parse((const char *)data, size, &p, reason,
	    sizeof(reason));
	e2 = stix_pattern_check((const char *)data, size, reason2,
	    sizeof(reason2));
	if (e != e2)
		abort();
	if (size > LIM_PATTERN_BYTES && e != ERR_TOOBIG)
		abort();
	if (e != ERR_OK) {
		if (p != NULL || reason[0] == '\0' ||
		    strchr(reason, '\n') != NULL ||
		    strcmp(reason, reason2) != 0)
			abort();
		if (e != ERR_PARSE && e != ERR_INVALID && e != ERR_TOOBIG &&
		    e != ERR_NOMEM)
			abort();
		if (e != ERR_NOMEM && ((at = strstr(reason, " at offset ")) ==
		    NULL || strtoull(at + 11, NULL, 10) > size))
			abort();
		return 0;
	}
	if (p == NULL)
		abort();
	nodes_seen = 0;
	check_node(stix_pattern_root(p), size, 1);
	if (nodes_seen != stix_pattern_node_count(p) ||
	    nodes_seen > LIM_PATTERN_NODES)
		abort();
	buf_init(&b, 64u * 1024u * 1024u);
	if (stix_pattern_dump(stix_pattern_root(p), &b) != ERR_OK ||
	    b.len == 0)
		abort();
	buf_reset(&b);
	stix_pattern_free(p);
	return 0;
}
