/*
 * fuzz_proof.c: libFuzzer harness for the Merkle tree proofs
 * (tlog/merkle.c): the verifiers on arbitrary input, the generators and
 * tlog_append on trees made from it.
 *
 * Input layout: flags (1 byte), a and b (8 bytes each, little-endian),
 * hashes x and y (32 bytes each), then proof hashes, at most MAX_ELEMS
 * (missing bytes read as zero).  Flag bit 0 folds a and b into 0..69 so
 * the verifiers' small-tree paths are reached.
 *
 * Invariants checked, abort() on violation:
 * - tlog_verify_inclusion(a, b, x, proof, y) and
 *   tlog_verify_consistency(a, b, x, y, proof) return ERR_OK, ERR_CRYPTO or
 *   ERR_RANGE, and ERR_RANGE exactly when a >= b (inclusion), a == 0 or
 *   a > b (consistency); an inclusion proof longer than 64 hashes or a
 *   consistency proof longer than 65 is never ERR_OK;
 * - a tree of 1..64 leaves, leaf i being the bytes (i, input[i % len]),
 *   built with tlog_append: every append puts the expected nodes in order
 *   and reads only the old tree; for a size and index taken from a and b,
 *   the root equals a recursive reference MTH, the generated inclusion and
 *   consistency proofs verify, and flipping one bit (chosen from the input)
 *   of each proof element, of the leaf or of either root makes them fail;
 *   the generators read only nodes inside the tree they were asked about;
 * - in a virtual tree of up to 2^63 - 1 equal leaves (size from a), the
 *   generated proofs verify against the generated roots, within
 *   TLOG_MAX_PROOF hashes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlog/merkle.h"

#define HB		TLOG_HASH_BYTES
#define MAX_ELEMS	70	/* past the longest valid proof */
#define MAX_LEAVES	64
#define LEVELS		7	/* 0..6 for 64 leaves */

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The small tree: nodes stored as tlog_append makes them. */
struct small {
	uint8_t		node[LEVELS][MAX_LEAVES][HB];
	uint64_t	n[LEVELS];
	uint64_t	limit;		/* the size an operation may read */
};

/* The virtual tree of equal leaves: u[l] is every complete node at l. */
struct uniform {
	uint8_t		u[64][HB];
	uint64_t	limit;
};

static enum err
small_get(void *arg, unsigned level, uint64_t index, uint8_t out[HB])
{
	struct small *t = arg;

	if (level >= LEVELS || index >= t->n[level] ||
	    index + 1 > (t->limit >> level))
		abort();	/* read outside the tree */
	memcpy(out, t->node[level][index], HB);
	return ERR_OK;
}

static enum err
small_put(void *arg, unsigned level, uint64_t index, const uint8_t h[HB])
{
	struct small *t = arg;

	if (level >= LEVELS || index != t->n[level] || index >= MAX_LEAVES)
		abort();	/* out of order or beyond the tree */
	memcpy(t->node[level][t->n[level]++], h, HB);
	return ERR_OK;
}

static enum err
uniform_get(void *arg, unsigned level, uint64_t index, uint8_t out[HB])
{
	struct uniform *t = arg;

	if (level >= 64 || index + 1 > (t->limit >> level))
		abort();
	memcpy(out, t->u[level], HB);
	return ERR_OK;
}

/* RFC 6962 MTH, recursive (depth <= 7 here), over the leaf hashes. */
static void
ref_mth(const uint8_t (*leaf)[HB], uint64_t n, uint8_t out[HB])
{
	uint8_t l[HB], r[HB];
	uint64_t k = 1;

	if (n == 0) {
		tlog_empty_root(out);
		return;
	}
	if (n == 1) {
		memcpy(out, leaf[0], HB);
		return;
	}
	while (k < n - k)
		k <<= 1;
	ref_mth(leaf, k, l);
	ref_mth(leaf + k, n - k, r);
	tlog_node_hash(l, r, out);
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
flip(uint8_t h[HB], unsigned bit)
{
	h[(bit / 8) % HB] ^= (uint8_t)(1u << (bit % 8));
}

/* Arbitrary input straight into the verifiers. */
static void
check_verifiers(uint8_t flags, uint64_t a, uint64_t b, const uint8_t x[HB],
    const uint8_t y[HB], const uint8_t (*proof)[HB], size_t n)
{
	enum err err;

	if (flags & 1) {
		a %= 70;
		b %= 70;
	}
	err = tlog_verify_inclusion(a, b, x, proof, n, y);
	if (err != ERR_OK && err != ERR_CRYPTO && err != ERR_RANGE)
		abort();
	if ((err == ERR_RANGE) != (a >= b))
		abort();
	if (err == ERR_OK && n > 64)
		abort();
	err = tlog_verify_consistency(a, b, x, y, proof, n);
	if (err != ERR_OK && err != ERR_CRYPTO && err != ERR_RANGE)
		abort();
	if ((err == ERR_RANGE) != (a == 0 || a > b))
		abort();
	if (err == ERR_OK && n > 65)
		abort();
}

/* Generated proofs over a tree made from the input. */
static void
check_small(const uint8_t *data, size_t len, uint64_t a, uint64_t b,
    unsigned bit)
{
	static struct small t;
	uint8_t leaf[MAX_LEAVES][HB], root[HB], root1[HB], h[HB];
	uint8_t p[TLOG_MAX_PROOF][HB], q[TLOG_MAX_PROOF][HB], in[2];
	uint64_t nleaves, size, index, size1, i;
	size_t plen, j;

	memset(&t, 0, sizeof(t));
	nleaves = 1 + (len > 0 ? data[0] : 0) % MAX_LEAVES;
	for (i = 0; i < nleaves; i++) {
		in[0] = (uint8_t)i;
		in[1] = len > 0 ? data[i % len] : 0;
		tlog_leaf_hash(in, sizeof(in), leaf[i]);
		t.limit = i;
		if (tlog_append(i, leaf[i], small_get, small_put, &t) !=
		    ERR_OK)
			abort();
	}
	size = 1 + b % nleaves;
	index = a % size;
	size1 = 1 + (a >> 8) % size;
	t.limit = size;

	if (tlog_root(size, small_get, &t, root) != ERR_OK)
		abort();
	ref_mth((const uint8_t (*)[HB])leaf, size, h);
	if (memcmp(root, h, HB) != 0)
		abort();

	/* Inclusion of leaf index in the tree of the given size. */
	if (tlog_inclusion_proof(index, size, small_get, &t, p,
	    TLOG_MAX_PROOF, &plen) != ERR_OK || plen > 6)
		abort();
	if (tlog_verify_inclusion(index, size, leaf[index],
	    (const uint8_t (*)[HB])p, plen, root) != ERR_OK)
		abort();
	for (j = 0; j < plen; j++) {
		memcpy(q, p, plen * HB);
		flip(q[j], bit + (unsigned)j);
		if (tlog_verify_inclusion(index, size, leaf[index],
		    (const uint8_t (*)[HB])q, plen, root) != ERR_CRYPTO)
			abort();
	}
	memcpy(h, leaf[index], HB);
	flip(h, bit);
	if (tlog_verify_inclusion(index, size, h, (const uint8_t (*)[HB])p,
	    plen, root) != ERR_CRYPTO)
		abort();
	memcpy(h, root, HB);
	flip(h, bit);
	if (tlog_verify_inclusion(index, size, leaf[index],
	    (const uint8_t (*)[HB])p, plen, h) != ERR_CRYPTO)
		abort();

	/* Consistency of the tree of size1 with the tree of size. */
	if (tlog_consistency_proof(size1, size, small_get, &t, p,
	    TLOG_MAX_PROOF, &plen) != ERR_OK || plen > 7)
		abort();
	ref_mth((const uint8_t (*)[HB])leaf, size1, root1);
	if (tlog_verify_consistency(size1, size, root1, root,
	    (const uint8_t (*)[HB])p, plen) != ERR_OK)
		abort();
	for (j = 0; j < plen; j++) {
		memcpy(q, p, plen * HB);
		flip(q[j], bit + (unsigned)j);
		if (tlog_verify_consistency(size1, size, root1, root,
		    (const uint8_t (*)[HB])q, plen) != ERR_CRYPTO)
			abort();
	}
	memcpy(h, root1, HB);
	flip(h, bit);
	if (tlog_verify_consistency(size1, size, h, root,
	    (const uint8_t (*)[HB])p, plen) != ERR_CRYPTO)
		abort();
	memcpy(h, root, HB);
	flip(h, bit);
	if (tlog_verify_consistency(size1, size, root1, h,
	    (const uint8_t (*)[HB])p, plen) != ERR_CRYPTO)
		abort();
}

/* Generated proofs over a huge tree of equal leaves. */
static void
check_uniform(uint64_t a, uint64_t b)
{
	static struct uniform t;
	static int ready;
	uint8_t root[HB], root1[HB], p[TLOG_MAX_PROOF][HB];
	uint64_t size, index, size1;
	size_t plen;
	unsigned l;

	if (!ready) {
		tlog_leaf_hash("", 0, t.u[0]);
		for (l = 1; l < 64; l++)
			tlog_node_hash(t.u[l - 1], t.u[l - 1], t.u[l]);
		ready = 1;
	}
	size = 1 + a % TLOG_MAX_SIZE;
	index = b % size;
	size1 = 1 + (b ^ (b >> 17)) % size;
	t.limit = size;
	if (tlog_root(size, uniform_get, &t, root) != ERR_OK)
		abort();
	if (tlog_inclusion_proof(index, size, uniform_get, &t, p,
	    TLOG_MAX_PROOF, &plen) != ERR_OK)
		abort();
	if (tlog_verify_inclusion(index, size, t.u[0],
	    (const uint8_t (*)[HB])p, plen, root) != ERR_OK)
		abort();
	t.limit = size1;
	if (tlog_root(size1, uniform_get, &t, root1) != ERR_OK)
		abort();
	t.limit = size;
	if (tlog_consistency_proof(size1, size, uniform_get, &t, p,
	    TLOG_MAX_PROOF, &plen) != ERR_OK)
		abort();
	if (tlog_verify_consistency(size1, size, root1, root,
	    (const uint8_t (*)[HB])p, plen) != ERR_OK)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static uint8_t proof[MAX_ELEMS][HB];
	uint8_t head[1 + 8 + 8 + 2 * HB];
	uint64_t a, b;
	size_t n, rest;

	/* The fixed header, zero-padded when the input is short. */
	memset(head, 0, sizeof(head));
	memcpy(head, data, len < sizeof(head) ? len : sizeof(head));
	a = get64(head + 1);
	b = get64(head + 9);
	rest = len > sizeof(head) ? len - sizeof(head) : 0;
	n = rest / HB;
	if (n > MAX_ELEMS)
		n = MAX_ELEMS;
	if (n > 0)
		memcpy(proof, data + sizeof(head), n * HB);

	check_verifiers(head[0], a, b, head + 17, head + 17 + HB,
	    (const uint8_t (*)[HB])proof, n);
	check_small(data, len, a, b, head[17] | (unsigned)head[18] << 8);
	check_uniform(a, b);
	return 0;
}
