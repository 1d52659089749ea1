#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "tlog/merkle.h"

/*
 * Known answers come from tests/data/tlog/vectors.json (see its README for
 * the sources and the verification policy); ENTENTE_TLOG_VECTORS overrides
 * the path.  The tests run from the repository root.
 */
#define VECTORS_DEFAULT	"tests/data/tlog/vectors.json"
#define HB		TLOG_HASH_BYTES
#define MAX_LEVELS	64

/* Fail with the vector's id when cond does not hold. */
#define CHECK(cond, id) do {						\
	if (!(cond))							\
		fail_msg("%s: check failed: %s", (id), #cond);		\
} while (0)

/* xorshift64*: fixed seed, so a failure reproduces. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Uniform in [lo, hi], hi - lo small. */
static uint64_t
rng_range(uint64_t lo, uint64_t hi)
{
	return lo + rng() % (hi - lo + 1);
}

/*
 * In-memory node store: level l holds nodes 0..n[l]-1, appended in order.
 * limit is the tree size the operation under test may read: any read of a
 * node outside it, or of a node not stored, counts as bad, as does a put
 * out of order.  fail_at makes the fail_at-th get fail with ERR_DB.
 */
struct mtree {
	uint8_t		(*lv[MAX_LEVELS])[HB];
	uint64_t	 n[MAX_LEVELS];
	uint64_t	 cap[MAX_LEVELS];
	uint64_t	 limit;
	unsigned long	 gets;
	unsigned long	 puts;
	unsigned long	 bad;
	unsigned long	 fail_at;
	uint64_t	 size;		/* leaves appended */
};

static void
mtree_free(struct mtree *t)
{
	unsigned l;

	for (l = 0; l < MAX_LEVELS; l++)
		free(t->lv[l]);
	memset(t, 0, sizeof(*t));
}

static enum err
mtree_get(void *arg, unsigned level, uint64_t index, uint8_t out[HB])
{
	struct mtree *t = arg;

	t->gets++;
	if (t->fail_at != 0 && t->gets == t->fail_at)
		return ERR_DB;
	if (level >= MAX_LEVELS || index >= t->n[level] ||
	    index + 1 > (t->limit >> level)) {
		t->bad++;
		return ERR_NOTFOUND;
	}
	memcpy(out, t->lv[level][index], HB);
	return ERR_OK;
}

static enum err
mtree_put(void *arg, unsigned level, uint64_t index, const uint8_t h[HB])
{
	struct mtree *t = arg;
	void *p;

	t->puts++;
	if (level >= MAX_LEVELS || index != t->n[level]) {
		t->bad++;
		return ERR_INVALID;
	}
	if (t->n[level] == t->cap[level]) {
		t->cap[level] = t->cap[level] ? 2 * t->cap[level] : 16;
		p = realloc(t->lv[level], t->cap[level] * HB);
		assert_non_null(p);
		t->lv[level] = p;
	}
	memcpy(t->lv[level][t->n[level]++], h, HB);
	return ERR_OK;
}

/* Append one leaf hash through tlog_append, checking what it touched. */
static void
mtree_append(struct mtree *t, const uint8_t leaf[HB])
{
	unsigned long puts = t->puts, gets = t->gets, want = 0;
	uint64_t i;

	t->limit = t->size;	/* append reads only the old tree */
	assert_int_equal(tlog_append(t->size, leaf, mtree_get, mtree_put, t),
	    ERR_OK);
	for (i = t->size; (i & 1) != 0; i >>= 1)
		want++;
	/* One get per trailing one bit, one put more than that. */
	assert_int_equal(t->gets - gets, want);
	assert_int_equal(t->puts - puts, want + 1);
	assert_int_equal(t->bad, 0);
	t->size++;
}

/* The reference: RFC 6962 section 2.1 MTH, recursive, over leaf hashes. */
static uint64_t
ref_split(uint64_t n)
{
	uint64_t k = 1;

	while (k < n - k)	/* largest power of two < n */
		k <<= 1;
	return k;
}

static void
ref_mth(const uint8_t (*leaf)[HB], uint64_t n, uint8_t out[HB])
{
	uint8_t l[HB], r[HB];
	uint64_t k;

	if (n == 0) {
		tlog_empty_root(out);
		return;
	}
	if (n == 1) {
		memcpy(out, leaf[0], HB);
		return;
	}
	k = ref_split(n);
	ref_mth(leaf, k, l);
	ref_mth(leaf + k, n - k, r);
	tlog_node_hash(l, r, out);
}

/* RFC 6962 2.1.1 PATH(m, D[n]), recursive; appends to out, returns count. */
static size_t
ref_path(uint64_t m, const uint8_t (*leaf)[HB], uint64_t n,
    uint8_t (*out)[HB])
{
	uint64_t k;
	size_t len;

	if (n <= 1)
		return 0;
	k = ref_split(n);
	if (m < k) {
		len = ref_path(m, leaf, k, out);
		ref_mth(leaf + k, n - k, out[len]);
	} else {
		len = ref_path(m - k, leaf + k, n - k, out);
		ref_mth(leaf, k, out[len]);
	}
	return len + 1;
}

/* RFC 6962 2.1.2 SUBPROOF(m, D[n], b), recursive. */
static size_t
ref_subproof(uint64_t m, const uint8_t (*leaf)[HB], uint64_t n, int b,
    uint8_t (*out)[HB])
{
	uint64_t k;
	size_t len;

	if (m == n) {
		if (b)
			return 0;
		ref_mth(leaf, n, out[0]);
		return 1;
	}
	k = ref_split(n);
	if (m <= k) {
		len = ref_subproof(m, leaf, k, b, out);
		ref_mth(leaf + k, n - k, out[len]);
	} else {
		len = ref_subproof(m - k, leaf + k, n - k, 0, out);
		ref_mth(leaf, k, out[len]);
	}
	return len + 1;
}

/*
 * The turns from the root down to leaf m of a tree of size n (1 = the leaf
 * is in the right subtree), after the PATH recursion.  Two (m, n) with the
 * same turns make the verifier do the same hashing.
 */
static size_t
ref_turns(uint64_t m, uint64_t n, uint8_t *t)
{
	uint64_t k;

	if (n <= 1)
		return 0;
	k = ref_split(n);
	if (m < k) {
		t[0] = 0;
		return 1 + ref_turns(m, k, t + 1);
	}
	t[0] = 1;
	return 1 + ref_turns(m - k, n - k, t + 1);
}

static int
same_turns(uint64_t m, uint64_t n1, uint64_t n2)
{
	uint8_t a[MAX_LEVELS], b[MAX_LEVELS];
	size_t la, lb;

	la = ref_turns(m, n1, a);
	lb = ref_turns(m, n2, b);
	return la == lb && memcmp(a, b, la) == 0;
}

/* ceil(log2(n)) for n >= 1. */
static unsigned
ceil_log2(uint64_t n)
{
	unsigned c = 0;

	while (c < 64 && (UINT64_C(1) << c) < n)
		c++;
	return c;
}

/* Vector file access. */

/*
 * jansson holds integers as long long, and the vectors have leaf indexes up
 * to 2^64 - 1.  Quote every integer of 19 digits or more outside strings so
 * that it loads as a string, which juint() reads exactly.  Returns a new
 * NUL-terminated buffer, freed by the caller.
 */
static char *
quote_big_ints(const char *in, size_t len)
{
	char *out;
	size_t i = 0, o = 0, j;
	int in_str = 0;

	out = malloc(len + len / 8 + 1);	/* 2 quotes per >= 19 digits */
	assert_non_null(out);
	while (i < len) {
		if (in_str) {
			if (in[i] == '\\' && i + 1 < len)
				out[o++] = in[i++];
			else if (in[i] == '"')
				in_str = 0;
			out[o++] = in[i++];
			continue;
		}
		if (in[i] == '"')
			in_str = 1;
		if (in[i] < '0' || in[i] > '9') {
			out[o++] = in[i++];
			continue;
		}
		for (j = i; j < len && in[j] >= '0' && in[j] <= '9'; j++)
			;
		if (j - i >= 19 && (j == len || (in[j] != '.' &&
		    in[j] != 'e' && in[j] != 'E'))) {
			out[o++] = '"';
			memcpy(out + o, in + i, j - i);
			o += j - i;
			out[o++] = '"';
		} else {
			memcpy(out + o, in + i, j - i);
			o += j - i;
		}
		i = j;
	}
	out[o] = '\0';
	return out;
}

static json_t *
load_vectors(void)
{
	const char *path = getenv("ENTENTE_TLOG_VECTORS");
	json_error_t je;
	json_t *v;
	char *text, *q;
	size_t len;
	long sz;
	FILE *f;

	if (path == NULL || *path == '\0')
		path = VECTORS_DEFAULT;
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: cannot open (run from the top directory)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	sz = ftell(f);
	assert_true(sz > 0 && sz < 16L * 1024 * 1024);
	rewind(f);
	text = malloc((size_t)sz);
	assert_non_null(text);
	len = fread(text, 1, (size_t)sz, f);
	assert_int_equal(len, (size_t)sz);
	fclose(f);
	q = quote_big_ints(text, len);
	free(text);
	v = json_loads(q, JSON_REJECT_DUPLICATES, &je);
	free(q);
	if (v == NULL)
		fail_msg("%s: %s (line %d)", path, je.text, je.line);
	assert_true(json_is_object(v));
	assert_string_equal(json_string_value(json_object_get(v, "schema")),
	    "tlog-test-vectors/v1");
	return v;
}

static json_t *
jget(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL)
		fail_msg("missing member %s", key);
	return v;
}

static const char *
jstr(const json_t *o, const char *key)
{
	json_t *v = jget(o, key);

	if (!json_is_string(v))
		fail_msg("member %s is not a string", key);
	return json_string_value(v);
}

/* A non-negative integer member, or one quote_big_ints() quoted. */
static uint64_t
juint(const json_t *o, const char *key)
{
	json_t *v = jget(o, key);
	const char *p;
	uint64_t x = 0;
	unsigned d;

	if (json_is_integer(v) && json_integer_value(v) >= 0)
		return (uint64_t)json_integer_value(v);
	if (!json_is_string(v) || *json_string_value(v) == '\0')
		fail_msg("member %s is not a non-negative integer", key);
	for (p = json_string_value(v); *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			fail_msg("member %s: not an integer", key);
		d = (unsigned)(*p - '0');
		if (x > UINT64_MAX / 10 ||
		    (x == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			fail_msg("member %s: integer too big", key);
		x = x * 10 + d;
	}
	return x;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode hex into out[0..cap); returns the length, or -1 if malformed. */
static long
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t len = strlen(s), i;
	int hi, lo;

	if (len % 2 != 0 || len / 2 > cap)
		return -1;
	for (i = 0; i < len / 2; i++) {
		hi = hexval(s[2 * i]);
		lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(len / 2);
}

/* A 32-byte hash field: 1 if it is one, 0 if a strict verifier rejects it. */
static int
hash32(const char *s, uint8_t out[HB])
{
	uint8_t tmp[HB + 1];

	if (unhex(s, tmp, sizeof(tmp)) != HB)
		return 0;
	memcpy(out, tmp, HB);
	return 1;
}

static void
jhash(const json_t *o, const char *key, uint8_t out[HB])
{
	if (!hash32(jstr(o, key), out))
		fail_msg("member %s is not a 32-byte hash", key);
}

/*
 * Decode the array of hex hashes at key into a new array (freed by the
 * caller; NULL when empty).  Returns the count, or -1 when an element is not
 * 32 bytes (nothing to free then).
 */
static long
jproof(const json_t *o, const char *key, uint8_t (**out)[HB])
{
	json_t *a = jget(o, key), *e;
	uint8_t (*p)[HB] = NULL;
	size_t i, n;

	assert_true(json_is_array(a));
	n = json_array_size(a);
	*out = NULL;
	if (n > 0) {
		p = calloc(n, HB);
		assert_non_null(p);
	}
	json_array_foreach(a, i, e) {
		assert_true(json_is_string(e));
		if (!hash32(json_string_value(e), p[i])) {
			free(p);
			return -1;
		}
	}
	*out = p;
	return (long)n;
}

/* The verdict a strict 32-byte verifier must reach: 1 valid, 0 not. */
static int
want_valid(const json_t *c)
{
	json_t *s = json_object_get(c, "expect_strict");
	const char *e;

	e = s != NULL ? json_string_value(s) : jstr(c, "expect");
	assert_non_null(e);
	if (strcmp(e, "valid") == 0)
		return 1;
	if (strcmp(e, "invalid") != 0 && strcmp(e, "malformed") != 0)
		fail_msg("unknown verdict %s", e);
	return 0;
}

/* Build the standard 8-leaf tree of the vectors by appends. */
static void
build_tree8(const json_t *v, struct mtree *t, uint8_t (*leaf)[HB])
{
	json_t *tree = jget(v, "tree"), *leaves, *e;
	uint8_t data[64];
	long len;
	size_t i;

	memset(t, 0, sizeof(*t));
	leaves = jget(tree, "leaves");
	assert_int_equal(json_array_size(leaves), 8);
	json_array_foreach(leaves, i, e) {
		len = unhex(json_string_value(e), data, sizeof(data));
		assert_true(len >= 0);
		tlog_leaf_hash(data, (size_t)len, leaf[i]);
		mtree_append(t, leaf[i]);
	}
}

static void
test_hashing(void **state)
{
	json_t *v, *h, *c;
	uint8_t got[HB], want[HB], l[HB], r[HB], data[256];
	size_t i;
	long len;

	(void)state;
	v = load_vectors();
	h = jget(v, "hashing");
	tlog_empty_root(got);
	jhash(h, "empty_tree_root", want);
	assert_memory_equal(got, want, HB);
	json_array_foreach(jget(h, "leaf_hash_vectors"), i, c) {
		len = unhex(jstr(c, "data"), data, sizeof(data));
		assert_true(len >= 0);
		tlog_leaf_hash(len > 0 ? data : NULL, (size_t)len, got);
		jhash(c, "leaf_hash", want);
		assert_memory_equal(got, want, HB);
	}
	assert_true(i >= 3);
	json_array_foreach(jget(h, "node_hash_vectors"), i, c) {
		jhash(c, "left", l);
		jhash(c, "right", r);
		jhash(c, "node_hash", want);
		tlog_node_hash(l, r, got);
		assert_memory_equal(got, want, HB);
		/* The output may alias either input. */
		tlog_node_hash(l, r, l);
		assert_memory_equal(l, want, HB);
		jhash(c, "left", l);
		tlog_node_hash(l, r, r);
		assert_memory_equal(r, want, HB);
	}
	assert_true(i >= 3);
	json_decref(v);
}

static void
test_tree(void **state)
{
	json_t *v, *tree, *c, *lvl, *e;
	struct mtree t;
	uint8_t leaf[8][HB], got[HB], want[HB];
	size_t i, l;

	(void)state;
	v = load_vectors();
	tree = jget(v, "tree");
	build_tree8(v, &t, leaf);
	json_array_foreach(jget(tree, "leaf_hashes"), i, e) {
		assert_true(hash32(json_string_value(e), want));
		assert_memory_equal(leaf[i], want, HB);
	}
	jhash(tree, "empty_root", want);
	t.limit = 0;
	assert_int_equal(tlog_root(0, mtree_get, &t, got), ERR_OK);
	assert_memory_equal(got, want, HB);
	json_array_foreach(jget(tree, "roots"), i, c) {
		uint64_t n = juint(c, "tree_size");

		t.limit = n;
		assert_int_equal(tlog_root(n, mtree_get, &t, got), ERR_OK);
		jhash(c, "root", want);
		assert_memory_equal(got, want, HB);
		ref_mth((const uint8_t (*)[HB])leaf, n, got);
		assert_memory_equal(got, want, HB);
	}
	assert_int_equal(i, 9);
	/* The appends stored exactly the vectors' complete subtrees. */
	json_array_foreach(jget(tree, "node_hashes"), l, lvl) {
		assert_int_equal(t.n[l], json_array_size(lvl));
		json_array_foreach(lvl, i, e) {
			assert_true(hash32(json_string_value(e), want));
			assert_memory_equal(t.lv[l][i], want, HB);
		}
	}
	assert_int_equal(l, 4);
	assert_int_equal(t.n[4], 0);
	assert_int_equal(t.bad, 0);
	mtree_free(&t);
	json_decref(v);
}

static void
test_inclusion_vectors(void **state)
{
	json_t *v, *c;
	uint8_t (*proof)[HB], leaf[HB], root[HB];
	size_t i, n_valid = 0, n_invalid = 0, n_strict = 0;
	uint64_t index, size;
	enum err err;
	long n;

	(void)state;
	v = load_vectors();
	json_array_foreach(jget(v, "inclusion"), i, c) {
		const char *id = jstr(c, "id");
		int valid = want_valid(c);

		index = juint(c, "leaf_index");
		size = juint(c, "tree_size");
		n = jproof(c, "proof", &proof);
		if (n < 0 || !hash32(jstr(c, "leaf_hash"), leaf) ||
		    !hash32(jstr(c, "root"), root)) {
			/* Not representable as 32-byte hashes: rejected. */
			CHECK(!valid, id);
			free(proof);
			n_strict++;
			continue;
		}
		err = tlog_verify_inclusion(index, size, leaf,
		    (const uint8_t (*)[HB])proof, (size_t)n, root);
		if (valid)
			CHECK(err == ERR_OK, id);
		else if (index >= size)
			CHECK(err == ERR_RANGE, id);
		else
			CHECK(err == ERR_CRYPTO, id);
		if (valid)
			n_valid++;
		else
			n_invalid++;
		free(proof);
	}
	assert_int_equal(n_valid + n_invalid + n_strict,
	    json_array_size(jget(v, "inclusion")));
	assert_true(n_valid > 0 && n_invalid > 0 && n_strict > 0);
	json_decref(v);
}

static void
test_consistency_vectors(void **state)
{
	json_t *v, *c;
	uint8_t (*proof)[HB], root1[HB], root2[HB];
	size_t i, n_valid = 0, n_invalid = 0, n_strict = 0;
	uint64_t size1, size2;
	enum err err;
	long n;

	(void)state;
	v = load_vectors();
	json_array_foreach(jget(v, "consistency"), i, c) {
		const char *id = jstr(c, "id");
		int valid = want_valid(c);

		size1 = juint(c, "size1");
		size2 = juint(c, "size2");
		n = jproof(c, "proof", &proof);
		if (n < 0 || !hash32(jstr(c, "root1"), root1) ||
		    !hash32(jstr(c, "root2"), root2)) {
			CHECK(!valid, id);
			free(proof);
			n_strict++;
			continue;
		}
		err = tlog_verify_consistency(size1, size2, root1, root2,
		    (const uint8_t (*)[HB])proof, (size_t)n);
		if (valid)
			CHECK(err == ERR_OK, id);
		else if (size1 == 0 || size1 > size2)
			CHECK(err == ERR_RANGE, id);
		else
			CHECK(err == ERR_CRYPTO, id);
		if (valid)
			n_valid++;
		else
			n_invalid++;
		free(proof);
	}
	assert_int_equal(n_valid + n_invalid + n_strict,
	    json_array_size(jget(v, "consistency")));
	assert_true(n_valid > 0 && n_invalid > 0 && n_strict > 0);
	json_decref(v);
}

/* A verification that must fail: ERR_CRYPTO, or ERR_RANGE if said so. */
static void
must_fail(enum err err, int range)
{
	assert_int_equal(err, range ? ERR_RANGE : ERR_CRYPTO);
}

/*
 * Every way of spoiling a valid inclusion proof (index, size, leaf, p[0..n),
 * root) must fail.  roots[s] is the root of size s for s <= max_size;
 * proofs(i, s) generates the honest proof for a changed size.
 */
static void
tamper_inclusion(struct mtree *t, uint64_t index, uint64_t size,
    const uint8_t leaf[HB], const uint8_t (*p)[HB], size_t n,
    const uint8_t root[HB], const uint8_t (*roots)[HB], uint64_t max_size)
{
	uint8_t q[TLOG_MAX_PROOF + 2][HB], x[HB], other[TLOG_MAX_PROOF][HB];
	uint64_t sizes[4], idx[4];
	size_t j, b, other_len;
	unsigned bits[3];

	/* A bit flipped anywhere: each element, the leaf, the root. */
	for (j = 0; j < n; j++) {
		bits[0] = 0;
		bits[1] = 255;
		bits[2] = (unsigned)(rng() % 256);
		for (b = 0; b < 3; b++) {
			memcpy(q, p, n * HB);
			q[j][bits[b] / 8] ^= (uint8_t)(1u << (bits[b] % 8));
			must_fail(tlog_verify_inclusion(index, size, leaf,
			    (const uint8_t (*)[HB])q, n, root), 0);
		}
	}
	memcpy(x, leaf, HB);
	x[rng() % HB] ^= 0x10;
	must_fail(tlog_verify_inclusion(index, size, x, p, n, root), 0);
	memcpy(x, root, HB);
	x[rng() % HB] ^= 0x01;
	must_fail(tlog_verify_inclusion(index, size, leaf, p, n, x), 0);
	/* An element dropped, appended or prepended. */
	for (j = 0; j < n; j++) {
		memcpy(q, p, j * HB);
		memcpy(q[j], p[j + 1], (n - j - 1) * HB);
		must_fail(tlog_verify_inclusion(index, size, leaf,
		    (const uint8_t (*)[HB])q, n - 1, root), 0);
	}
	memcpy(q, p, n * HB);
	memset(q[n], 0, HB);
	must_fail(tlog_verify_inclusion(index, size, leaf,
	    (const uint8_t (*)[HB])q, n + 1, root), 0);
	if (n > 0) {
		memcpy(q[n], p[n - 1], HB);
		must_fail(tlog_verify_inclusion(index, size, leaf,
		    (const uint8_t (*)[HB])q, n + 1, root), 0);
	}
	memcpy(q[0], leaf, HB);
	memcpy(q[1], p, n * HB);
	must_fail(tlog_verify_inclusion(index, size, leaf,
	    (const uint8_t (*)[HB])q, n + 1, root), 0);
	/* Another index: a different path, so never valid. */
	idx[0] = index + 1;
	idx[1] = index - 1;	/* wraps for 0: out of range */
	idx[2] = index ^ 1;
	idx[3] = index ^ 2;
	for (j = 0; j < 4; j++) {
		if (idx[j] == index)
			continue;
		must_fail(tlog_verify_inclusion(idx[j], size, leaf, p, n,
		    root), idx[j] >= size);
	}
	/*
	 * Another size.  With the same root it verifies exactly when the
	 * leaf's turns from the root are the same (the verifier then hashes
	 * the same way), e.g. (0, 3) and (0, 4); a proof binds to a size only
	 * through the signed (size, root) pair.  With the other size's own
	 * root it verifies exactly when the honest proofs are equal.
	 */
	sizes[0] = size + 1;
	sizes[1] = size - 1;
	sizes[2] = size * 2;
	sizes[3] = size / 2;
	for (j = 0; j < 4; j++) {
		uint64_t s = sizes[j];
		enum err err;

		if (s == size)
			continue;
		err = tlog_verify_inclusion(index, s, leaf, p, n, root);
		if (index >= s)
			assert_int_equal(err, ERR_RANGE);
		else if (same_turns(index, size, s))
			assert_int_equal(err, ERR_OK);
		else
			assert_int_equal(err, ERR_CRYPTO);
		if (s > max_size || index >= s)
			continue;
		t->limit = s;
		assert_int_equal(tlog_inclusion_proof(index, s, mtree_get, t,
		    other, TLOG_MAX_PROOF, &other_len), ERR_OK);
		err = tlog_verify_inclusion(index, s, leaf, p, n, roots[s]);
		if (other_len == n && memcmp(other, p, n * HB) == 0)
			assert_int_equal(err, ERR_OK);
		else
			assert_int_equal(err, ERR_CRYPTO);
	}
}

/* The same for a consistency proof (size1, size2, root1, root2, p). */
static void
tamper_consistency(struct mtree *t, uint64_t size1, uint64_t size2,
    const uint8_t root1[HB], const uint8_t root2[HB], const uint8_t (*p)[HB],
    size_t n, const uint8_t (*roots)[HB], uint64_t max_size)
{
	uint8_t q[TLOG_MAX_PROOF + 2][HB], x[HB], other[TLOG_MAX_PROOF][HB];
	uint64_t s1[4], s2[4];
	size_t j, b, other_len;
	unsigned bits[3];

	for (j = 0; j < n; j++) {
		bits[0] = 0;
		bits[1] = 255;
		bits[2] = (unsigned)(rng() % 256);
		for (b = 0; b < 3; b++) {
			memcpy(q, p, n * HB);
			q[j][bits[b] / 8] ^= (uint8_t)(1u << (bits[b] % 8));
			must_fail(tlog_verify_consistency(size1, size2, root1,
			    root2, (const uint8_t (*)[HB])q, n), 0);
		}
	}
	memcpy(x, root1, HB);
	x[rng() % HB] ^= 0x80;
	must_fail(tlog_verify_consistency(size1, size2, x, root2, p, n), 0);
	memcpy(x, root2, HB);
	x[rng() % HB] ^= 0x04;
	must_fail(tlog_verify_consistency(size1, size2, root1, x, p, n), 0);
	if (memcmp(root1, root2, HB) != 0)
		must_fail(tlog_verify_consistency(size1, size2, root2, root1,
		    p, n), 0);
	for (j = 0; j < n; j++) {
		memcpy(q, p, j * HB);
		memcpy(q[j], p[j + 1], (n - j - 1) * HB);
		must_fail(tlog_verify_consistency(size1, size2, root1, root2,
		    (const uint8_t (*)[HB])q, n - 1), 0);
	}
	memcpy(q, p, n * HB);
	memset(q[n], 0, HB);
	must_fail(tlog_verify_consistency(size1, size2, root1, root2,
	    (const uint8_t (*)[HB])q, n + 1), 0);
	if (n > 0) {
		memcpy(q[n], p[n - 1], HB);
		must_fail(tlog_verify_consistency(size1, size2, root1, root2,
		    (const uint8_t (*)[HB])q, n + 1), 0);
	}
	memcpy(q[0], root1, HB);
	memcpy(q[1], p, n * HB);
	must_fail(tlog_verify_consistency(size1, size2, root1, root2,
	    (const uint8_t (*)[HB])q, n + 1), 0);
	/*
	 * Other sizes, each with the honest roots for it: valid exactly when
	 * the honest proof for those sizes is the same list of hashes.
	 */
	s1[0] = size1 + 1, s2[0] = size2;
	s1[1] = size1 - 1, s2[1] = size2;
	s1[2] = size1, s2[2] = size2 + 1;
	s1[3] = size1, s2[3] = size2 - 1;
	for (j = 0; j < 4; j++) {
		enum err err;

		if (s2[j] > max_size)
			continue;
		err = tlog_verify_consistency(s1[j], s2[j], roots[s1[j] <=
		    max_size ? s1[j] : 0], roots[s2[j]], p, n);
		if (s1[j] == 0 || s1[j] > s2[j]) {
			assert_int_equal(err, ERR_RANGE);
			continue;
		}
		t->limit = s2[j];
		assert_int_equal(tlog_consistency_proof(s1[j], s2[j],
		    mtree_get, t, other, TLOG_MAX_PROOF, &other_len), ERR_OK);
		if (other_len == n && memcmp(other, p, n * HB) == 0)
			assert_int_equal(err, ERR_OK);
		else
			assert_int_equal(err, ERR_CRYPTO);
	}
}

static void
test_derived_exhaustive(void **state)
{
	json_t *v, *d, *c;
	struct mtree t;
	uint8_t leaf[8][HB], roots[9][HB], (*want)[HB], got[TLOG_MAX_PROOF][HB];
	uint8_t h[HB], h2[HB];
	uint64_t index, size, size1, size2, s;
	size_t i, len, n_inc = 0, n_con = 0;
	long n;

	(void)state;
	v = load_vectors();
	d = jget(v, "derived_exhaustive");
	build_tree8(v, &t, leaf);
	for (s = 0; s <= 8; s++)
		ref_mth((const uint8_t (*)[HB])leaf, s, roots[s]);

	json_array_foreach(jget(d, "inclusion"), i, c) {
		index = juint(c, "leaf_index");
		size = juint(c, "tree_size");
		assert_true(index < size && size <= 8);
		jhash(c, "leaf_hash", h);
		assert_memory_equal(h, leaf[index], HB);
		jhash(c, "root", h2);
		assert_memory_equal(h2, roots[size], HB);
		n = jproof(c, "proof", &want);
		assert_true(n >= 0);
		t.limit = size;
		len = 99;
		assert_int_equal(tlog_inclusion_proof(index, size, mtree_get,
		    &t, got, TLOG_MAX_PROOF, &len), ERR_OK);
		assert_int_equal(len, (size_t)n);
		if (n > 0)
			assert_memory_equal(got, want, len * HB);
		assert_int_equal(t.bad, 0);
		assert_int_equal(tlog_verify_inclusion(index, size, h,
		    (const uint8_t (*)[HB])got, len, h2), ERR_OK);
		tamper_inclusion(&t, index, size, h,
		    (const uint8_t (*)[HB])got, len, h2,
		    (const uint8_t (*)[HB])roots, 8);
		assert_int_equal(t.bad, 0);
		free(want);
		n_inc++;
	}
	/* Every (i, n) with 0 <= i < n <= 8. */
	assert_int_equal(n_inc, 36);

	json_array_foreach(jget(d, "consistency"), i, c) {
		size1 = juint(c, "size1");
		size2 = juint(c, "size2");
		assert_true(size1 >= 1 && size1 <= size2 && size2 <= 8);
		jhash(c, "root1", h);
		assert_memory_equal(h, roots[size1], HB);
		jhash(c, "root2", h2);
		assert_memory_equal(h2, roots[size2], HB);
		n = jproof(c, "proof", &want);
		assert_true(n >= 0);
		t.limit = size2;
		len = 99;
		assert_int_equal(tlog_consistency_proof(size1, size2,
		    mtree_get, &t, got, TLOG_MAX_PROOF, &len), ERR_OK);
		assert_int_equal(len, (size_t)n);
		if (n > 0)
			assert_memory_equal(got, want, len * HB);
		assert_int_equal(t.bad, 0);
		assert_int_equal(tlog_verify_consistency(size1, size2, h, h2,
		    (const uint8_t (*)[HB])got, len), ERR_OK);
		tamper_consistency(&t, size1, size2, h, h2,
		    (const uint8_t (*)[HB])got, len,
		    (const uint8_t (*)[HB])roots, 8);
		assert_int_equal(t.bad, 0);
		free(want);
		n_con++;
	}
	/* Every (m, n) with 1 <= m <= n <= 8. */
	assert_int_equal(n_con, 36);
	mtree_free(&t);
	json_decref(v);
}

static void
test_large_tree(void **state)
{
	json_t *v, *lt, *c, *e;
	struct mtree t;
	uint8_t (*leaf)[HB], (*want)[HB], got[TLOG_MAX_PROOF][HB];
	uint8_t h[HB], h2[HB], root[HB];
	char data[32];
	uint64_t size, index, size1, size2;
	size_t i, len, n_inc = 0, n_con = 0;
	long n;
	int dl;

	(void)state;
	v = load_vectors();
	lt = jget(v, "large_tree");
	size = juint(lt, "size");
	assert_int_equal(size, 300);
	assert_int_equal(json_array_size(jget(lt, "roots")), size + 1);
	leaf = calloc(size, HB);
	assert_non_null(leaf);
	memset(&t, 0, sizeof(t));
	json_array_foreach(jget(lt, "roots"), i, e) {
		assert_true(hash32(json_string_value(e), h));
		if (i > 0) {
			dl = snprintf(data, sizeof(data), "entry-%zu", i - 1);
			assert_true(dl > 0 && (size_t)dl < sizeof(data));
			tlog_leaf_hash(data, (size_t)dl, leaf[i - 1]);
			mtree_append(&t, leaf[i - 1]);
		}
		t.limit = i;
		assert_int_equal(tlog_root(i, mtree_get, &t, root), ERR_OK);
		assert_memory_equal(root, h, HB);
	}
	assert_int_equal(t.size, 300);

	json_array_foreach(jget(lt, "inclusion"), i, c) {
		index = juint(c, "leaf_index");
		size = juint(c, "tree_size");
		assert_true(index < size && size <= 300);
		jhash(c, "leaf_hash", h);
		assert_memory_equal(h, leaf[index], HB);
		jhash(c, "root", h2);
		n = jproof(c, "proof", &want);
		assert_true(n >= 0);
		t.limit = size;
		assert_int_equal(tlog_inclusion_proof(index, size, mtree_get,
		    &t, got, TLOG_MAX_PROOF, &len), ERR_OK);
		assert_int_equal(len, (size_t)n);
		if (n > 0)
			assert_memory_equal(got, want, len * HB);
		assert_int_equal(tlog_verify_inclusion(index, size, h,
		    (const uint8_t (*)[HB])got, len, h2), ERR_OK);
		free(want);
		n_inc++;
	}
	json_array_foreach(jget(lt, "consistency"), i, c) {
		size1 = juint(c, "size1");
		size2 = juint(c, "size2");
		assert_true(size1 >= 1 && size1 <= size2 && size2 <= 300);
		jhash(c, "root1", h);
		jhash(c, "root2", h2);
		n = jproof(c, "proof", &want);
		assert_true(n >= 0);
		t.limit = size2;
		assert_int_equal(tlog_consistency_proof(size1, size2,
		    mtree_get, &t, got, TLOG_MAX_PROOF, &len), ERR_OK);
		assert_int_equal(len, (size_t)n);
		if (n > 0)
			assert_memory_equal(got, want, len * HB);
		assert_int_equal(tlog_verify_consistency(size1, size2, h, h2,
		    (const uint8_t (*)[HB])got, len), ERR_OK);
		free(want);
		n_con++;
	}
	assert_true(n_inc >= 10 && n_con >= 10);
	assert_int_equal(t.bad, 0);
	mtree_free(&t);
	free(leaf);
	json_decref(v);
}

/*
 * Random trees up to 5000 leaves, built by appends, against the recursive
 * reference: roots, and generated proofs equal to the RFC 6962 recursion's,
 * verifying, with lengths within the bounds, and failing once tampered.
 */
static void
random_checks(struct mtree *t, const uint8_t (*leaf)[HB], uint64_t size)
{
	uint8_t root[HB], ref[HB], root1[HB], x[HB];
	uint8_t got[TLOG_MAX_PROOF][HB], want[TLOG_MAX_PROOF][HB];
	uint64_t index, size1;
	size_t len, wlen, j;
	int k;

	t->limit = size;
	assert_int_equal(tlog_root(size, mtree_get, t, root), ERR_OK);
	ref_mth(leaf, size, ref);
	assert_memory_equal(root, ref, HB);
	if (size == 0)
		return;
	for (k = 0; k < 4; k++) {
		index = rng() % size;
		t->limit = size;
		assert_int_equal(tlog_inclusion_proof(index, size, mtree_get,
		    t, got, TLOG_MAX_PROOF, &len), ERR_OK);
		wlen = ref_path(index, leaf, size, want);
		assert_int_equal(len, wlen);
		assert_true(len <= ceil_log2(size));
		if (len > 0)
			assert_memory_equal(got, want, len * HB);
		assert_int_equal(tlog_verify_inclusion(index, size,
		    leaf[index], (const uint8_t (*)[HB])got, len, root),
		    ERR_OK);
		if (len > 0) {
			j = rng() % len;
			got[j][rng() % HB] ^= (uint8_t)(1u << (rng() % 8));
			must_fail(tlog_verify_inclusion(index, size,
			    leaf[index], (const uint8_t (*)[HB])got, len,
			    root), 0);
		}
		memcpy(x, leaf[index], HB);
		x[0] ^= 1;
		must_fail(tlog_verify_inclusion(index, size, x,
		    (const uint8_t (*)[HB])want, wlen, root), 0);

		size1 = 1 + rng() % size;
		assert_int_equal(tlog_consistency_proof(size1, size,
		    mtree_get, t, got, TLOG_MAX_PROOF, &len), ERR_OK);
		wlen = size1 == size ? 0 :
		    ref_subproof(size1, leaf, size, 1, want);
		assert_int_equal(len, wlen);
		assert_true(len <= ceil_log2(size) + 1);
		if (len > 0)
			assert_memory_equal(got, want, len * HB);
		ref_mth(leaf, size1, root1);
		assert_int_equal(tlog_verify_consistency(size1, size, root1,
		    root, (const uint8_t (*)[HB])got, len), ERR_OK);
		if (len > 0) {
			j = rng() % len;
			got[j][rng() % HB] ^= (uint8_t)(1u << (rng() % 8));
			must_fail(tlog_verify_consistency(size1, size, root1,
			    root, (const uint8_t (*)[HB])got, len), 0);
		}
	}
	assert_int_equal(t->bad, 0);
}

static void
test_random(void **state)
{
	struct mtree t;
	uint8_t (*leaf)[HB], data[40];
	uint64_t max, s, checks;
	size_t dl, b;
	int round;

	(void)state;
	for (round = 0; round < 3; round++) {
		max = rng_range(1000, 5000);
		leaf = calloc(max, HB);
		assert_non_null(leaf);
		memset(&t, 0, sizeof(t));
		random_checks(&t, (const uint8_t (*)[HB])leaf, 0);
		checks = 0;
		for (s = 0; s < max; s++) {
			dl = (size_t)(rng() % sizeof(data));
			for (b = 0; b < dl; b++)
				data[b] = (uint8_t)rng();
			tlog_leaf_hash(data, dl, leaf[s]);
			mtree_append(&t, leaf[s]);
			/* Every small size, then about 60 random ones. */
			if (s < 40 || rng() % (max / 60) == 0 || s + 1 == max) {
				random_checks(&t, (const uint8_t (*)[HB])leaf,
				    s + 1);
				checks++;
			}
		}
		assert_true(checks >= 60);
		mtree_free(&t);
		free(leaf);
	}
}

/*
 * A virtual tree of any size whose leaves all have the same hash: the
 * complete subtree at level l is u[l] wherever it is, so roots and proofs
 * of trees of up to TLOG_MAX_SIZE leaves can be made and checked without
 * storing them.  Gets outside the tree count as bad.
 */
struct utree {
	uint8_t		u[MAX_LEVELS][HB];
	uint64_t	limit;
	uint64_t	append_index;
	unsigned long	gets;
	unsigned long	puts;
	unsigned long	bad;
};

static void
utree_init(struct utree *t)
{
	unsigned l;

	memset(t, 0, sizeof(*t));
	tlog_leaf_hash("x", 1, t->u[0]);
	for (l = 1; l < MAX_LEVELS; l++)
		tlog_node_hash(t->u[l - 1], t->u[l - 1], t->u[l]);
}

static enum err
utree_get(void *arg, unsigned level, uint64_t index, uint8_t out[HB])
{
	struct utree *t = arg;

	t->gets++;
	if (level >= MAX_LEVELS || index + 1 > (t->limit >> level)) {
		t->bad++;
		return ERR_NOTFOUND;
	}
	memcpy(out, t->u[level], HB);
	return ERR_OK;
}

static enum err
utree_put(void *arg, unsigned level, uint64_t index, const uint8_t h[HB])
{
	struct utree *t = arg;

	t->puts++;
	if (level >= MAX_LEVELS || index != t->append_index >> level ||
	    memcmp(h, t->u[level], HB) != 0)
		t->bad++;
	return ERR_OK;
}

/* The reference root of the uniform tree: the RFC 6962 split, iterated. */
static void
utree_ref_root(const struct utree *t, uint64_t n, uint8_t out[HB])
{
	uint8_t stack[MAX_LEVELS][HB];
	unsigned depth = 0, l;
	uint64_t k;

	/* MTH(n) = node(u[log k], MTH(n - k)) until n is a power of two. */
	while ((n & (n - 1)) != 0) {
		k = ref_split(n);
		for (l = 0; (UINT64_C(1) << l) != k; l++)
			;
		memcpy(stack[depth++], t->u[l], HB);
		n -= k;
	}
	for (l = 0; (UINT64_C(1) << l) != n; l++)
		;
	memcpy(out, t->u[l], HB);
	while (depth > 0)
		tlog_node_hash(stack[--depth], out, out);
}

static unsigned
popcount(uint64_t x)
{
	unsigned c = 0;

	for (; x != 0; x &= x - 1)
		c++;
	return c;
}

static void
test_logarithmic(void **state)
{
	struct utree t;
	uint8_t root[HB], ref[HB], root1[HB], p[TLOG_MAX_PROOF][HB];
	uint64_t sizes[] = {
		1, 2, 3, (UINT64_C(1) << 20) - 1, UINT64_C(1) << 20,
		(UINT64_C(1) << 20) + 1, UINT64_C(10000000),
		UINT64_C(0x5555555555555555), TLOG_MAX_SIZE - 1, TLOG_MAX_SIZE,
	};
	uint64_t size, index, size1;
	size_t i, len;
	int k;

	(void)state;
	utree_init(&t);
	/* The root of 2^20 - 1 leaves reads 20 nodes, of 2^20 one. */
	t.limit = (UINT64_C(1) << 20) - 1;
	assert_int_equal(tlog_root(t.limit, utree_get, &t, root), ERR_OK);
	assert_int_equal(t.gets, 20);
	utree_ref_root(&t, t.limit, ref);
	assert_memory_equal(root, ref, HB);
	t.gets = 0;
	t.limit = UINT64_C(1) << 20;
	assert_int_equal(tlog_root(t.limit, utree_get, &t, root), ERR_OK);
	assert_int_equal(t.gets, 1);
	assert_memory_equal(root, t.u[20], HB);

	/* Appending leaf 2^20 - 1 completes 20 nodes: 20 gets, 21 puts. */
	t.gets = 0;
	t.append_index = (UINT64_C(1) << 20) - 1;
	t.limit = t.append_index;
	assert_int_equal(tlog_append(t.append_index, t.u[0], utree_get,
	    utree_put, &t), ERR_OK);
	assert_int_equal(t.gets, 20);
	assert_int_equal(t.puts, 21);
	assert_int_equal(t.bad, 0);

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size = sizes[i];
		t.limit = size;
		t.gets = 0;
		assert_int_equal(tlog_root(size, utree_get, &t, root), ERR_OK);
		assert_int_equal(t.gets, popcount(size));
		utree_ref_root(&t, size, ref);
		assert_memory_equal(root, ref, HB);
		for (k = 0; k < 20; k++) {
			index = k == 0 ? size - 1 : k == 1 ? 0 : rng() % size;
			t.gets = 0;
			assert_int_equal(tlog_inclusion_proof(index, size,
			    utree_get, &t, p, TLOG_MAX_PROOF, &len), ERR_OK);
			assert_true(len <= ceil_log2(size));
			assert_true(t.gets <= 2 * 63);
			assert_int_equal(tlog_verify_inclusion(index, size,
			    t.u[0], (const uint8_t (*)[HB])p, len, root),
			    ERR_OK);

			size1 = k == 0 ? size : k == 1 ? 1 :
			    k == 2 ? size - 1 : 1 + rng() % size;
			if (size1 == 0)
				size1 = 1;
			t.gets = 0;
			assert_int_equal(tlog_consistency_proof(size1, size,
			    utree_get, &t, p, TLOG_MAX_PROOF, &len), ERR_OK);
			assert_true(len <= ceil_log2(size) + 1);
			assert_true(len <= TLOG_MAX_PROOF);
			assert_true(t.gets <= 2 * 64);
			utree_ref_root(&t, size1, root1);
			assert_int_equal(tlog_verify_consistency(size1, size,
			    root1, root, (const uint8_t (*)[HB])p, len),
			    ERR_OK);
		}
	}
	assert_int_equal(t.bad, 0);
}

/* Failures: range checks, small buffers, accessor errors. */
static void
test_errors(void **state)
{
	struct mtree t;
	struct utree u;
	uint8_t leaf[HB], root[HB], p[TLOG_MAX_PROOF][HB], one[1][HB];
	uint8_t zero[TLOG_MAX_PROOF][HB], big[TLOG_MAX_PROOF + 1][HB];
	uint64_t s;
	size_t len, plen, i;
	unsigned long calls, k;
	enum err err;

	(void)state;
	memset(&t, 0, sizeof(t));
	memset(zero, 0, sizeof(zero));
	for (s = 0; s < 100; s++) {
		tlog_leaf_hash(&s, sizeof(s), leaf);
		mtree_append(&t, leaf);
	}
	t.limit = 100;

	/* Out of range: nothing read, *out_len = 0. */
	t.gets = 0;
	memset(root, 0xaa, HB);
	assert_int_equal(tlog_root(TLOG_MAX_SIZE + 1, mtree_get, &t, root),
	    ERR_RANGE);
	assert_memory_equal(root, zero, HB);
	len = 99;
	assert_int_equal(tlog_inclusion_proof(100, 100, mtree_get, &t, p,
	    TLOG_MAX_PROOF, &len), ERR_RANGE);
	assert_int_equal(len, 0);
	len = 99;
	assert_int_equal(tlog_inclusion_proof(0, 0, mtree_get, &t, p,
	    TLOG_MAX_PROOF, &len), ERR_RANGE);
	assert_int_equal(len, 0);
	len = 99;
	assert_int_equal(tlog_inclusion_proof(0, TLOG_MAX_SIZE + 1, mtree_get,
	    &t, p, TLOG_MAX_PROOF, &len), ERR_RANGE);
	assert_int_equal(len, 0);
	len = 99;
	assert_int_equal(tlog_consistency_proof(0, 10, mtree_get, &t, p,
	    TLOG_MAX_PROOF, &len), ERR_RANGE);
	assert_int_equal(len, 0);
	len = 99;
	assert_int_equal(tlog_consistency_proof(0, 0, mtree_get, &t, p,
	    TLOG_MAX_PROOF, &len), ERR_RANGE);
	assert_int_equal(len, 0);
	len = 99;
	assert_int_equal(tlog_consistency_proof(11, 10, mtree_get, &t, p,
	    TLOG_MAX_PROOF, &len), ERR_RANGE);
	assert_int_equal(len, 0);
	len = 99;
	assert_int_equal(tlog_consistency_proof(1, TLOG_MAX_SIZE + 1,
	    mtree_get, &t, p, TLOG_MAX_PROOF, &len), ERR_RANGE);
	assert_int_equal(len, 0);
	assert_int_equal(t.gets, 0);
	/* Equal sizes: the empty proof, nothing read. */
	len = 99;
	assert_int_equal(tlog_consistency_proof(7, 7, mtree_get, &t, NULL, 0,
	    &len), ERR_OK);
	assert_int_equal(len, 0);
	/* No array at all is fine when nothing is written. */
	len = 99;
	assert_int_equal(tlog_inclusion_proof(5, 3, mtree_get, &t, NULL, 0,
	    &len), ERR_RANGE);
	assert_int_equal(len, 0);
	assert_int_equal(tlog_inclusion_proof(1, 3, mtree_get, &t, NULL, 0,
	    &len), ERR_TOOBIG);
	assert_int_equal(tlog_consistency_proof(1, 3, mtree_get, &t, NULL, 0,
	    &len), ERR_TOOBIG);
	/* A leaf of a one-leaf tree: the empty path. */
	len = 99;
	assert_int_equal(tlog_inclusion_proof(0, 1, mtree_get, &t, NULL, 0,
	    &len), ERR_OK);
	assert_int_equal(len, 0);
	assert_int_equal(t.gets, 0);

	/* Too little room: ERR_TOOBIG, out untouched, nothing read. */
	memset(one, 0xaa, sizeof(one));
	len = 99;
	assert_int_equal(tlog_inclusion_proof(5, 100, mtree_get, &t, one, 1,
	    &len), ERR_TOOBIG);
	assert_int_equal(len, 0);
	assert_int_equal(one[0][0], 0xaa);
	assert_int_equal(one[0][HB - 1], 0xaa);
	len = 99;
	assert_int_equal(tlog_consistency_proof(5, 100, mtree_get, &t, one, 1,
	    &len), ERR_TOOBIG);
	assert_int_equal(len, 0);
	assert_int_equal(one[0][0], 0xaa);
	assert_int_equal(t.gets, 0);

	/*
	 * The accessor failing at each of its calls in turn: its error comes
	 * back, *out_len = 0 and the proof is zeroed.
	 */
	t.gets = 0;
	assert_int_equal(tlog_inclusion_proof(37, 100, mtree_get, &t, p,
	    TLOG_MAX_PROOF, &plen), ERR_OK);
	calls = t.gets;
	assert_true(calls > 1);
	for (k = 1; k <= calls; k++) {
		t.gets = 0;
		t.fail_at = k;
		memset(p, 0xaa, sizeof(p));
		len = 99;
		assert_int_equal(tlog_inclusion_proof(37, 100, mtree_get, &t,
		    p, TLOG_MAX_PROOF, &len), ERR_DB);
		assert_int_equal(len, 0);
		assert_memory_equal(p, zero, plen * HB);
	}
	t.fail_at = 0;
	t.gets = 0;
	assert_int_equal(tlog_consistency_proof(37, 100, mtree_get, &t, p,
	    TLOG_MAX_PROOF, &plen), ERR_OK);
	calls = t.gets;
	assert_true(calls > 1);
	for (k = 1; k <= calls; k++) {
		t.gets = 0;
		t.fail_at = k;
		memset(p, 0xaa, sizeof(p));
		len = 99;
		assert_int_equal(tlog_consistency_proof(37, 100, mtree_get, &t,
		    p, TLOG_MAX_PROOF, &len), ERR_DB);
		assert_int_equal(len, 0);
		assert_memory_equal(p, zero, plen * HB);
	}
	t.fail_at = 0;
	t.gets = 0;
	assert_int_equal(tlog_root(99, mtree_get, &t, root), ERR_OK);
	calls = t.gets;
	for (k = 1; k <= calls; k++) {
		t.gets = 0;
		t.fail_at = k;
		memset(root, 0xaa, HB);
		assert_int_equal(tlog_root(99, mtree_get, &t, root), ERR_DB);
		assert_memory_equal(root, zero[0], HB);
	}
	/* A node the store does not have: its ERR_NOTFOUND comes back. */
	t.fail_at = 0;
	t.bad = 0;
	t.limit = 100;
	assert_int_equal(tlog_root(101, mtree_get, &t, root), ERR_NOTFOUND);
	assert_true(t.bad > 0);
	t.bad = 0;
	/* Append: a failing put or get comes back. */
	t.limit = 100;
	assert_int_equal(tlog_append(TLOG_MAX_SIZE, leaf, mtree_get,
	    mtree_put, &t), ERR_RANGE);
	assert_int_equal(tlog_append(100, leaf, mtree_get, mtree_put, &t),
	    ERR_OK);
	assert_int_equal(tlog_append(102, leaf, mtree_get, mtree_put, &t),
	    ERR_INVALID);		/* put out of order: the put's error */
	t.bad = 0;
	t.gets = 0;
	t.fail_at = 1;
	t.limit = 101;
	err = tlog_append(101, leaf, mtree_get, mtree_put, &t);
	assert_int_equal(err, ERR_DB);
	mtree_free(&t);

	/* Verifiers: range errors, then overlong and huge inputs. */
	utree_init(&u);
	assert_int_equal(tlog_verify_inclusion(5, 5, u.u[0], NULL, 0, u.u[0]),
	    ERR_RANGE);
	assert_int_equal(tlog_verify_inclusion(0, 0, u.u[0], NULL, 0, u.u[0]),
	    ERR_RANGE);
	assert_int_equal(tlog_verify_inclusion(0, 1, u.u[0], NULL, 0, u.u[0]),
	    ERR_OK);
	assert_int_equal(tlog_verify_inclusion(0, 1, u.u[0], NULL, 0, u.u[1]),
	    ERR_CRYPTO);
	assert_int_equal(tlog_verify_consistency(0, 0, u.u[0], u.u[0], NULL,
	    0), ERR_RANGE);
	assert_int_equal(tlog_verify_consistency(0, 1, u.u[0], u.u[0], NULL,
	    0), ERR_RANGE);
	assert_int_equal(tlog_verify_consistency(2, 1, u.u[0], u.u[0], NULL,
	    0), ERR_RANGE);
	assert_int_equal(tlog_verify_consistency(1, 1, u.u[0], u.u[0], NULL,
	    0), ERR_OK);
	assert_int_equal(tlog_verify_consistency(1, 1, u.u[0], u.u[1], NULL,
	    0), ERR_CRYPTO);
	assert_int_equal(tlog_verify_consistency(1, 1, u.u[0], u.u[0],
	    (const uint8_t (*)[HB])u.u, 1), ERR_CRYPTO);
	assert_int_equal(tlog_verify_consistency(1, 2, u.u[0], u.u[1], NULL,
	    0), ERR_CRYPTO);
	assert_int_equal(tlog_verify_consistency(1, 2, u.u[0], u.u[1],
	    (const uint8_t (*)[HB])u.u, 1), ERR_OK);
	/*
	 * Sizes past the generators' limit still verify.  In 2^64 - 1
	 * uniform leaves, leaf 0's path is u[0..62] and then the root of the
	 * 2^63 - 1 leaves on the right: 64 hashes, also the consistency proof
	 * from size 1.  The last leaf's is u[1..63].
	 */
	utree_ref_root(&u, UINT64_MAX, root);
	for (i = 0; i < 63; i++)
		memcpy(big[i], u.u[i], HB);
	utree_ref_root(&u, (UINT64_C(1) << 63) - 1, big[63]);
	assert_int_equal(tlog_verify_inclusion(0, UINT64_MAX, u.u[0],
	    (const uint8_t (*)[HB])big, 64, root), ERR_OK);
	assert_int_equal(tlog_verify_consistency(1, UINT64_MAX, u.u[0], root,
	    (const uint8_t (*)[HB])big, 64), ERR_OK);
	memcpy(big[64], big[63], HB);
	assert_int_equal(tlog_verify_inclusion(0, UINT64_MAX, u.u[0],
	    (const uint8_t (*)[HB])big, 65, root), ERR_CRYPTO);
	assert_int_equal(tlog_verify_consistency(1, UINT64_MAX, u.u[0], root,
	    (const uint8_t (*)[HB])big, 65), ERR_CRYPTO);
	assert_int_equal(tlog_verify_inclusion(0, UINT64_MAX, u.u[0],
	    (const uint8_t (*)[HB])big, 63, root), ERR_CRYPTO);
	for (i = 0; i < 63; i++)
		memcpy(big[i], u.u[i + 1], HB);
	assert_int_equal(tlog_verify_inclusion(UINT64_MAX - 1, UINT64_MAX,
	    u.u[0], (const uint8_t (*)[HB])big, 63, root), ERR_OK);
	assert_int_equal(tlog_verify_inclusion(UINT64_MAX - 2, UINT64_MAX,
	    u.u[0], (const uint8_t (*)[HB])big, 63, root), ERR_CRYPTO);
	assert_int_equal(tlog_verify_inclusion(UINT64_MAX, UINT64_MAX,
	    u.u[0], (const uint8_t (*)[HB])big, 63, root), ERR_RANGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashing),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_inclusion_vectors),
		cmocka_unit_test(test_consistency_vectors),
		cmocka_unit_test(test_derived_exhaustive),
		cmocka_unit_test(test_large_tree),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_logarithmic),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
