#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include "stix/pattern.h"
#include "util/limits.h"

#define PATTERNS_VALID	"tests/data/stix/patterns/valid.txt"

/*
 * Every line of PATTERNS_VALID (the pattern examples of STIX 2.1 section 9
 * and the OASIS validator's pass cases) parses.
 */
static void
test_spec_examples(void **state)
{
	char line[4096], reason[256];
	size_t n = 0, len;
	FILE *f;

	(void)state;
	f = fopen(PATTERNS_VALID, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		struct stix_pattern *p = NULL;
		enum err e;

		len = strlen(line);
		assert_true(len > 0 && line[len - 1] == '\n');
		if (len > 0)	/* assert_true is not noreturn for gcc */
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		e = stix_pattern_parse(line, len, &p, reason, sizeof(reason));
		if (e != ERR_OK)
			fail_msg("%s: %s", line, reason);
		assert_non_null(p);
		assert_true(stix_pattern_node_count(p) >= 2);
		assert_int_equal(stix_pattern_check(line, len, reason,
		    sizeof(reason)), ERR_OK);
		stix_pattern_free(p);
		n++;
	}
	assert_int_equal(fclose(f), 0);
	assert_true(n >= 40);
}

/* Parse s and compare the dump of its tree with want. */
static void
shape(const char *s, const char *want)
{
	struct stix_pattern *p = NULL;
	char reason[256];
	struct buf b;

	if (stix_pattern_parse(s, strlen(s), &p, reason, sizeof(reason)) !=
	    ERR_OK)
		fail_msg("%s: %s", s, reason);
	buf_init(&b, 1 << 16);
	assert_int_equal(stix_pattern_dump(stix_pattern_root(p), &b), ERR_OK);
	assert_string_equal(b.ptr, want);
	buf_reset(&b);
	stix_pattern_free(p);
}

static void
test_ast_shape(void **state)
{
	(void)state;
	/* FOLLOWEDBY is loosest, then OR, then AND. */
	shape("[a:b = 1] FOLLOWEDBY [c:d = 2] OR [e:f = 3] AND [g:h = 4]",
	    "(FOLLOWEDBY [a:b = 1] (OR [c:d = 2] (AND [e:f = 3] "
	    "[g:h = 4])))");
	/* Chains flatten into one n-ary node. */
	shape("[a:b = 1] AND [a:b = 2] AND [a:b = 3]",
	    "(AND [a:b = 1] [a:b = 2] [a:b = 3])");
	/* Inside brackets: OR is looser than AND; parens group. */
	shape("[a:b = 1 OR a:c = 2 AND a:d = 3]",
	    "[(or a:b = 1 (and a:c = 2 a:d = 3))]");
	shape("[(a:b = 1 OR a:c = 2) AND a:d = 3]",
	    "[(and (or a:b = 1 a:c = 2) a:d = 3)]");
	/* A qualifier binds to the observation just before it. */
	shape("[a:b = 1] FOLLOWEDBY [c:d = 2] WITHIN 300 SECONDS",
	    "(FOLLOWEDBY [a:b = 1] (QUAL [c:d = 2] WITHIN 300 SECONDS))");
	shape("([a:b = 1] FOLLOWEDBY [c:d = 2]) WITHIN 300 SECONDS",
	    "(QUAL (FOLLOWEDBY [a:b = 1] [c:d = 2]) WITHIN 300 SECONDS)");
	shape("[a:b = 1] REPEATS 5 TIMES WITHIN 1800 SECONDS",
	    "(QUAL [a:b = 1] REPEATS 5 TIMES WITHIN 1800 SECONDS)");
	shape("[a:b = 1] START t'2016-06-01T00:00:00Z' "
	    "STOP t'2016-07-01T00:00:00.5Z'",
	    "(QUAL [a:b = 1] START t'2016-06-01T00:00:00.000000Z' "
	    "STOP t'2016-07-01T00:00:00.500000Z')");
	/* Paths: quoted keys, indexes, wildcard; literals normalized. */
	shape("[file:extensions.'windows-pebinary-ext'.sections[*].entropy "
	    "> 7.0]", "[file:extensions.'windows-pebinary-ext'.sections[*]."
	    "entropy > 7.0]");
	shape("[x:a[0].b[-2] NOT IN ('q\\'s', 1, 2.5, true, h'0A', "
	    "b'AAE=')]", "[x:a[0].b[-2] NOT IN ('q\\'s', 1, 2.5, true, "
	    "h'0a', b'AAE=')]");
	shape("[EXISTS x:y]", "[EXISTS x:y]");
	shape("[x:y == 1 AND x:z <> 2]", "[(and x:y = 1 x:z != 2)]");
}

struct walk_acc {
	size_t	n;
	int	saw_bytes;
};

static int
count_tests(const struct stix_pat_node *t, void *arg)
{
	struct walk_acc *acc = arg;
	size_t i;

	assert_int_equal(t->kind, STIX_PAT_TEST);
	acc->n++;
	for (i = 0; i < t->u.test.n_values; i++)
		if (t->u.test.values[i].type == STIX_PAT_V_BINARY &&
		    t->u.test.values[i].u.bytes.len == 4 &&
		    memcmp(t->u.test.values[i].u.bytes.ptr, "\xd4\xc3\xb2\xa1",
		    4) == 0)
			acc->saw_bytes = 1;
	return 0;
}

static int
stop_at_second(const struct stix_pat_node *t, void *arg)
{
	size_t *n = arg;

	(void)t;
	return ++*n == 2 ? 42 : 0;
}

static void
test_ast_values(void **state)
{
	const char *s = "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'"
	    " AND file:size > 1024] OR [artifact:payload_bin = b'1MOyoQ=='"
	    " AND x:t < t'1970-01-01T00:00:01.25Z' AND x:s = 'it\\'s \\\\'"
	    " AND x:i IN (-9223372036854775808, 9223372036854775807)]";
	const struct stix_pat_node *root, *obs, *and, *t;
	const struct stix_pat_value *v;
	struct stix_pattern *p = NULL;
	struct walk_acc acc = { 0, 0 };
	char reason[256];
	size_t n = 0;

	(void)state;
	assert_int_equal(stix_pattern_parse(s, strlen(s), &p, reason,
	    sizeof(reason)), ERR_OK);
	root = stix_pattern_root(p);
	assert_int_equal(root->kind, STIX_PAT_OBS_OR);
	assert_int_equal(root->u.list.n_kids, 2);
	obs = root->u.list.kids[0];
	assert_int_equal(obs->kind, STIX_PAT_OBSERVATION);
	assert_int_equal(obs->offset, 0);
	and = obs->u.expr;
	assert_int_equal(and->kind, STIX_PAT_CMP_AND);
	t = and->u.list.kids[0];
	assert_string_equal(t->u.test.type, "file");
	assert_int_equal(t->u.test.n_path, 2);
	assert_string_equal(t->u.test.path[0].key, "hashes");
	assert_string_equal(t->u.test.path[1].key, "MD5");
	assert_int_equal(t->u.test.op, STIX_PAT_EQ);
	assert_int_equal(t->u.test.values[0].type, STIX_PAT_V_STRING);
	assert_int_equal(t->u.test.values[0].offset, 19);
	t = and->u.list.kids[1];
	assert_int_equal(t->u.test.op, STIX_PAT_GT);
	assert_int_equal(t->u.test.values[0].type, STIX_PAT_V_INT);
	assert_int_equal(t->u.test.values[0].u.i, 1024);

	and = root->u.list.kids[1]->u.expr;
	assert_int_equal(and->u.list.n_kids, 4);
	v = &and->u.list.kids[1]->u.test.values[0];
	assert_int_equal(v->type, STIX_PAT_V_TIMESTAMP);
	assert_int_equal(v->u.ts_us, 1250000);
	v = &and->u.list.kids[2]->u.test.values[0];
	assert_int_equal(v->type, STIX_PAT_V_STRING);
	assert_int_equal(v->u.str.len, 6);
	assert_string_equal(v->u.str.ptr, "it's \\");
	t = and->u.list.kids[3];
	assert_int_equal(t->u.test.op, STIX_PAT_IN);
	assert_int_equal(t->u.test.n_values, 2);
	assert_true(t->u.test.values[0].u.i == INT64_MIN);
	assert_true(t->u.test.values[1].u.i == INT64_MAX);

	assert_int_equal(stix_pattern_foreach_test(p, count_tests, &acc), 0);
	assert_int_equal(acc.n, 6);
	assert_true(acc.saw_bytes);
	assert_int_equal(stix_pattern_foreach_test(p, stop_at_second, &n), 42);
	assert_int_equal(n, 2);
	assert_string_equal(stix_pat_op_str(STIX_PAT_ISSUPERSET),
	    "ISSUPERSET");
	stix_pattern_free(p);
	stix_pattern_free(NULL);
}

static const struct {
	const char	*pat;
	enum err	 err;
	const char	*reason;
} bad[] = {
	{ "file:size = 1280", ERR_PARSE, "expected '[' or '(' at offset 0" },
	{ "", ERR_PARSE, "expected '[' or '(' at offset 0" },
	{ "[file:size = ]", ERR_PARSE,
	    "expected a literal value at offset 13" },
	{ "[file:hashes.MD5 = cead3f77f6cda6ec00f57d76c9a6879f]", ERR_PARSE,
	    "expected a literal value at offset 19" },
	{ "[file.size = 1280]", ERR_PARSE, "expected ':' at offset 5" },
	{ "[file:name MATCHES /.*\\.dll/]", ERR_PARSE,
	    "expected a string literal at offset 19" },
	{ "[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] "
	    "WITHIN ]", ERR_PARSE, "expected a positive number at offset 63" },
	{ "[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] "
	    "WITHIN 5 HOURS]", ERR_PARSE, "expected 'SECONDS' at offset 65" },
	{ "[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] "
	    "WITHIN -5 SECONDS]", ERR_PARSE,
	    "expected a positive number at offset 63" },
	{ "[network-traffic:dst_ref.value ISSUBSET ]", ERR_PARSE,
	    "expected a string literal at offset 40" },
	{ "[file:hashes.MD5 =? 'cead3f77f6cda6ec00f57d76c9a6879f']", ERR_PARSE,
	    "unexpected character '?' at offset 18" },
	{ "[x_whatever:detected == t'2457-73-22T32:81:84.1Z']", ERR_PARSE,
	    "invalid timestamp literal at offset 24" },
	{ "[artifact:payload_bin = b'====']", ERR_PARSE,
	    "invalid binary literal at offset 24" },
	{ "[foo:bar=1] within 2 seconds", ERR_PARSE,
	    "expected end of pattern at offset 12" },
	{ "[file:hashes.'SHA-256' = 'f00']", ERR_INVALID,
	    "invalid SHA-256 hash value at offset 25" },
	{ "[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] "
	    "WITHIN 5 SECONDS WITHIN 6 SECONDS", ERR_INVALID,
	    "duplicate WITHIN qualifier at offset 73" },
	{ "([win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] "
	    "REPEATS 2 TIMES REPEATS 3 TIMES)", ERR_INVALID,
	    "duplicate REPEATS qualifier at offset 73" },
	{ "[a:b = 1] START t'2016-06-01T01:30:00.123Z' STOP "
	    "t'2016-06-01T02:20:00.123Z' START t'2016-06-01T01:30:00.123Z' "
	    "STOP t'2016-06-01T02:20:00.123Z'", ERR_INVALID,
	    "duplicate START/STOP qualifier at offset 77" },
	{ "[a:b = 1] START t'2016-06-01T00:00:00Z' STOP "
	    "t'2016-06-01T00:00:00Z'", ERR_INVALID,
	    "STOP must be later than START at offset 45" },
	{ "[a:b = 1] WITHIN 0 SECONDS", ERR_INVALID,
	    "WITHIN needs a positive number of seconds at offset 17" },
	{ "[a:b = 1] REPEATS 0 TIMES", ERR_INVALID,
	    "REPEATS needs a positive number of times at offset 18" },
	{ "[file:name = 'foo.dll' [", ERR_PARSE, "expected ']' at offset 23" },
	{ "[a:b = 'x'", ERR_PARSE, "expected ']' at offset 10" },
	{ "[a:b = 'x", ERR_PARSE, "unterminated string literal at offset 7" },
	{ "[a:b = 'x\\y']", ERR_PARSE,
	    "invalid escape in string literal at offset 9" },
	{ "[a:b-c = 1]", ERR_PARSE, "expected a property name at offset 3" },
	{ "[a:b = 1 AND]", ERR_PARSE, "expected an object path at offset 12" },
	{ "[a:b < true]", ERR_PARSE,
	    "expected an orderable literal, not a boolean at offset 7" },
	{ "[a:b LIKE 5]", ERR_PARSE, "expected a string literal at offset 10" },
	{ "[a:b IN 'x']", ERR_PARSE, "expected '(' at offset 8" },
	{ "[a:b IN ('x' 'y')]", ERR_PARSE, "expected ',' or ')' at offset 13" },
	{ "[a:b = 01]", ERR_PARSE,
	    "invalid integer literal (leading zero) at offset 7" },
	{ "[a:b = 9223372036854775808]", ERR_PARSE,
	    "integer literal out of range at offset 7" },
	{ "[a:b = h'abc']", ERR_PARSE, "invalid hex literal at offset 7" },
	{ "[a:b = b'']", ERR_PARSE, "invalid binary literal at offset 7" },
	{ "[a:b = t'2016-06-01t00:00:00Z']", ERR_PARSE,
	    "invalid timestamp literal at offset 7" },
	{ "[a:b = 1] AND", ERR_PARSE, "expected '[' or '(' at offset 13" },
	{ "[a:b = 1] /* open", ERR_PARSE, "unterminated comment at offset 10" },
	{ "[a:b[x] = 1]", ERR_PARSE,
	    "expected a list index or '*' at offset 5" },
	{ "[a:b = 1]]", ERR_PARSE, "expected end of pattern at offset 9" },
	{ "[a:b = 1] REPEATS 2.5 TIMES", ERR_PARSE,
	    "expected a positive integer at offset 18" },
	{ "[a:b = 1] START '2016-06-01T00:00:00Z' STOP "
	    "t'2016-07-01T00:00:00Z'", ERR_PARSE,
	    "expected a timestamp literal at offset 16" },
	{ "[a:b AND 1]", ERR_PARSE,
	    "expected a comparison operator at offset 5" },
	{ "[a:b = \x01]", ERR_PARSE, "unexpected byte 0x01 at offset 7" },
	{ "[a:b = 1] and [c:d = 2]", ERR_PARSE,
	    "expected end of pattern at offset 10" },
};

static void
test_invalid(void **state)
{
	char reason[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct stix_pattern *p = (struct stix_pattern *)&reason;
		enum err e;

		e = stix_pattern_parse(bad[i].pat, strlen(bad[i].pat), &p,
		    reason, sizeof(reason));
		if (e != bad[i].err || strcmp(reason, bad[i].reason) != 0)
			fail_msg("case %zu %s: got %d '%s', want %d '%s'", i,
			    bad[i].pat, e, reason, bad[i].err, bad[i].reason);
		assert_null(p);
		assert_int_equal(stix_pattern_check(bad[i].pat,
		    strlen(bad[i].pat), reason, sizeof(reason)), bad[i].err);
		assert_string_equal(reason, bad[i].reason);
	}
}

/* Repeat unit n times between head and tail into a new string. */
static char *
repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), i;
	char *s = malloc(hl + ul * n + tl + 1), *w;

	assert_non_null(s);
	memcpy(s, head, hl);
	w = s + hl;
	for (i = 0; i < n; i++, w += ul)
		memcpy(w, unit, ul);
	memcpy(w, tail, tl + 1);
	return s;
}

static size_t
height(const struct stix_pat_node *n)
{
	size_t i, h = 0, k;

	switch (n->kind) {
	case STIX_PAT_TEST:
		return 1;
	case STIX_PAT_OBSERVATION:
		return 1 + height(n->u.expr);
	case STIX_PAT_QUALIFIED:
		return 1 + height(n->u.qual.child);
	default:
		for (i = 0; i < n->u.list.n_kids; i++)
			if ((k = height(n->u.list.kids[i])) > h)
				h = k;
		return 1 + h;
	}
}

static void
test_limits(void **state)
{
	struct stix_pattern *p = NULL;
	char reason[256], *s, *t;
	size_t n;

	(void)state;
	/* Nesting bombs at both levels fail cleanly with ERR_TOOBIG. */
	s = repeat("", "(", 10000, "[a:b = 1]");
	assert_int_equal(stix_pattern_parse(s, strlen(s), &p, reason,
	    sizeof(reason)), ERR_TOOBIG);
	assert_null(p);
	assert_string_equal(reason,
	    "nesting deeper than 64 levels at offset 64");
	free(s);
	s = repeat("[", "(", 50000, "a:b = 1]");
	assert_true(strlen(s) < LIM_PATTERN_BYTES);
	assert_int_equal(stix_pattern_check(s, strlen(s), reason,
	    sizeof(reason)), ERR_TOOBIG);
	assert_non_null(strstr(reason, "nesting deeper than 64 levels"));
	free(s);

	/* The deepest allowed nesting parses and the tree stays shallow. */
	s = repeat("", "(", LIM_PATTERN_DEPTH - 2, "[(a:b = 1 OR a:c = 2)]");
	t = repeat(s, ")", LIM_PATTERN_DEPTH - 2, "");
	assert_int_equal(stix_pattern_parse(t, strlen(t), &p, reason,
	    sizeof(reason)), ERR_OK);
	assert_true(height(stix_pattern_root(p)) <= STIX_PAT_MAX_HEIGHT);
	stix_pattern_free(p);
	free(s);
	free(t);
	/* One level more is refused. */
	s = repeat("", "(", LIM_PATTERN_DEPTH - 1, "[(a:b = 1 OR a:c = 2)]");
	t = repeat(s, ")", LIM_PATTERN_DEPTH - 1, "");
	assert_int_equal(stix_pattern_parse(t, strlen(t), &p, reason,
	    sizeof(reason)), ERR_TOOBIG);
	free(s);
	free(t);

	/* Long flat chains do not deepen the tree. */
	s = repeat("[a:b = 1]", " AND [a:b = 1]", 1000, "");
	assert_int_equal(stix_pattern_parse(s, strlen(s), &p, reason,
	    sizeof(reason)), ERR_OK);
	assert_int_equal(height(stix_pattern_root(p)), 3);
	assert_int_equal(stix_pattern_node_count(p), 1 + 2 * 1001);
	stix_pattern_free(p);
	free(s);

	/* Node limit. */
	s = repeat("[a:b = 1]", " OR [a:b = 1]", LIM_PATTERN_NODES, "");
	assert_true(strlen(s) <= LIM_PATTERN_BYTES);
	assert_int_equal(stix_pattern_parse(s, strlen(s), &p, reason,
	    sizeof(reason)), ERR_TOOBIG);
	assert_non_null(strstr(reason, "more than 4096 nodes"));
	free(s);

	/* Byte limit. */
	n = LIM_PATTERN_BYTES - 10;
	s = repeat("[a:b = '", "x", n, "']");
	assert_int_equal(strlen(s), LIM_PATTERN_BYTES);
	assert_int_equal(stix_pattern_parse(s, strlen(s), &p, reason,
	    sizeof(reason)), ERR_OK);
	assert_int_equal(
	    stix_pattern_root(p)->u.expr->u.test.values[0].u.str.len, n);
	stix_pattern_free(p);
	free(s);
	s = repeat("[a:b = '", "x", n + 1, "']");
	assert_int_equal(stix_pattern_parse(s, strlen(s), &p, reason,
	    sizeof(reason)), ERR_TOOBIG);
	assert_string_equal(reason,
	    "pattern longer than 65536 bytes at offset 65536");
	free(s);

	/* A big IN set is fine (values are not nodes). */
	s = repeat("[a:b IN (0", ",1", 20000, ")]");
	assert_int_equal(stix_pattern_parse(s, strlen(s), &p, reason,
	    sizeof(reason)), ERR_OK);
	assert_int_equal(stix_pattern_root(p)->u.expr->u.test.n_values, 20001);
	stix_pattern_free(p);
	free(s);
}

static void
test_input_not_terminated(void **state)
{
	/* The parser honours len and never reads past it. */
	char *s = malloc(9);
	struct stix_pattern *p = NULL;
	char reason[64];

	(void)state;
	assert_non_null(s);
	memcpy(s, "[a:b = 1]", 9);
	assert_int_equal(stix_pattern_parse(s, 9, &p, reason, sizeof(reason)),
	    ERR_OK);
	stix_pattern_free(p);
	assert_int_equal(stix_pattern_parse(s, 8, &p, reason, sizeof(reason)),
	    ERR_PARSE);
	assert_string_equal(reason, "expected ']' at offset 8");
	/* A zero-sized reason buffer is never written. */
	assert_int_equal(stix_pattern_check(s, 3, NULL, 0), ERR_PARSE);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_examples),
		cmocka_unit_test(test_ast_shape),
		cmocka_unit_test(test_ast_values),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_input_not_terminated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
