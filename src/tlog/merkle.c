/*
 * merkle.c: RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their
 * verification over caller-supplied node hashes (see merkle.h).
 *
 * No recursion: the RFC 6962 definitions (MTH, PATH, SUBPROOF) recurse into
 * the subtree that holds the leaf or the old tree's edge, so each is a loop
 * that narrows a range [lo, hi) and remembers the other side.  Those loops
 * visit the tree top-down while the proofs list the deepest hash first, so
 * they first count the proof's length and then fill it from the end.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "tlog/merkle.h"

/* Domain separation prefixes of RFC 6962 section 2.1. */
#define MERKLE_LEAF_PREFIX	0x00
#define MERKLE_NODE_PREFIX	0x01

/* floor(log2(x)) for x > 0. */
static unsigned
merkle_log2(uint64_t x)
{
	return 63u - (unsigned)__builtin_clzll(x);
}

/* The largest power of two strictly less than s, for s >= 2: RFC 6962's k. */
static uint64_t
merkle_split(uint64_t s)
{
	return UINT64_C(1) << merkle_log2(s - 1);
}

/*
 * MTH of leaves [lo, hi) into out: the right fold of the complete subtrees
 * that make up the range, largest first, one accessor call each.  The
 * caller guarantees lo < hi and that lo is a multiple of the largest of
 * them, which holds for every subtree the RFC 6962 recursion visits; a
 * range that breaks it is refused with ERR_RANGE rather than read wrongly.
 */
static enum err
merkle_range_hash(uint64_t lo, uint64_t hi, tlog_node_fn get, void *arg,
    uint8_t out[TLOG_HASH_BYTES])
{
	uint8_t piece[TLOG_HASH_BYTES];
	uint64_t m, pos, width;
	unsigned level;
	int first = 1;
	enum err err = ERR_RANGE;

	if (lo >= hi)
		goto out;
	m = hi - lo;
	pos = hi;
	/* Visit the pieces right to left: smallest (rightmost) first. */
	for (level = 0; level < 64 && m != 0; level++) {
		width = UINT64_C(1) << level;
		if ((m & width) == 0)
			continue;
		m &= ~width;
		pos -= width;		/* >= lo: the pieces sum to hi - lo */
		if ((pos & (width - 1)) != 0) {
			err = ERR_RANGE;	/* not a node of the tree */
			goto out;
		}
		err = get(arg, level, pos >> level, first ? out : piece);
		if (err != ERR_OK)
			goto out;
		if (!first)
			tlog_node_hash(piece, out, out);
		first = 0;
	}
	err = ERR_OK;
out:
	return err;
}

/* SHA-256(0x00 || data).  Can't fail. */
void
tlog_leaf_hash(const void *data, size_t len, uint8_t out[TLOG_HASH_BYTES])
{
	struct crypto_sha256 h;
	const uint8_t prefix = MERKLE_LEAF_PREFIX;

	crypto_sha256_init(&h);
	crypto_sha256_update(&h, &prefix, 1);
	if (len > 0)
		crypto_sha256_update(&h, data, len);
	crypto_sha256_final(&h, out);
}

/* SHA-256(0x01 || l || r), safe when out aliases l or r.  Can't fail. */
void
tlog_node_hash(const uint8_t l[TLOG_HASH_BYTES],
    const uint8_t r[TLOG_HASH_BYTES], uint8_t out[TLOG_HASH_BYTES])
{
	uint8_t in[1 + 2 * TLOG_HASH_BYTES];

	/* One buffer, one update: node hashing dominates appends. */
	in[0] = MERKLE_NODE_PREFIX;
	memcpy(in + 1, l, TLOG_HASH_BYTES);
	memcpy(in + 1 + TLOG_HASH_BYTES, r, TLOG_HASH_BYTES);
	crypto_sha256(in, sizeof(in), out);
}

/* SHA-256 of the empty string, MTH({}).  Can't fail. */
void
tlog_empty_root(uint8_t out[TLOG_HASH_BYTES])
{
	crypto_sha256("", 0, out);
}

/* Root of the tree of the given size; out zeroed on failure. */
enum err
tlog_root(uint64_t size, tlog_node_fn get, void *arg,
    uint8_t out[TLOG_HASH_BYTES])
{
	enum err err;

	if (size > TLOG_MAX_SIZE) {
		err = ERR_RANGE;
		goto out;
	}
	if (size == 0) {
		tlog_empty_root(out);
		err = ERR_OK;
		goto out;
	}
	err = merkle_range_hash(0, size, get, arg, out);
out:
	if (err != ERR_OK)
		memset(out, 0, TLOG_HASH_BYTES);
	return err;
}

/*
 * Number of hashes in PATH(index, D[size]): the depth of the leaf.  The
 * caller has checked index < size <= TLOG_MAX_SIZE.
 */
static size_t
merkle_inclusion_len(uint64_t index, uint64_t size)
{
	uint64_t lo = 0, hi = size, k;
	size_t len = 0;

	while (hi - lo > 1) {
		k = merkle_split(hi - lo);
		if (index < lo + k)
			hi = lo + k;
		else
			lo += k;
		len++;
	}
	return len;
}

/* RFC 6962 PATH(index, D[size]); see merkle.h. */
enum err
tlog_inclusion_proof(uint64_t index, uint64_t size, tlog_node_fn get,
    void *arg, uint8_t (*out)[TLOG_HASH_BYTES], size_t out_cap,
    size_t *out_len)
{
	uint64_t lo = 0, hi = size, k;
	size_t need, len = 0, pos;
	enum err err;

	*out_len = 0;
	err = ERR_RANGE;
	if (size > TLOG_MAX_SIZE || index >= size)
		goto out;
	need = merkle_inclusion_len(index, size);
	err = ERR_TOOBIG;
	if (need > out_cap)
		goto out;
	len = need;
	pos = len;
	while (hi - lo > 1) {
		k = merkle_split(hi - lo);
		pos--;				/* len counted these steps */
		if (index < lo + k) {
			/* Leaf on the left: the sibling can be partial. */
			err = merkle_range_hash(lo + k, hi, get, arg, out[pos]);
			hi = lo + k;
		} else {
			err = merkle_range_hash(lo, lo + k, get, arg, out[pos]);
			lo += k;
		}
		if (err != ERR_OK)
			goto out;
	}
	err = ERR_OK;
	*out_len = len;
out:
	if (err != ERR_OK && len > 0)
		memset(out, 0, len * TLOG_HASH_BYTES);
	return err;
}

/*
 * Number of hashes in SUBPROOF(size1, D[size2], true).  The caller has
 * checked 0 < size1 < size2 <= TLOG_MAX_SIZE.
 */
static size_t
merkle_consistency_len(uint64_t size1, uint64_t size2)
{
	uint64_t lo = 0, hi = size2, k;
	size_t len = 0;
	int complete = 1;

	/* Invariant: lo < size1 <= hi. */
	while (size1 != hi) {
		k = merkle_split(hi - lo);
		if (size1 <= lo + k)
			hi = lo + k;
		else {
			lo += k;
			complete = 0;
		}
		len++;
	}
	return len + (complete ? 0 : 1);
}

/* RFC 6962 PROOF(size1, D[size2]); see merkle.h. */
enum err
tlog_consistency_proof(uint64_t size1, uint64_t size2, tlog_node_fn get,
    void *arg, uint8_t (*out)[TLOG_HASH_BYTES], size_t out_cap,
    size_t *out_len)
{
	uint64_t lo = 0, hi = size2, k;
	size_t need, len = 0, pos;
	int complete = 1;
	enum err err;

	*out_len = 0;
	err = ERR_RANGE;
	if (size1 == 0 || size1 > size2 || size2 > TLOG_MAX_SIZE)
		goto out;
	err = ERR_OK;
	if (size1 == size2)
		goto out;			/* the empty proof */
	need = merkle_consistency_len(size1, size2);
	err = ERR_TOOBIG;
	if (need > out_cap)
		goto out;
	len = need;
	pos = len;
	while (size1 != hi) {
		k = merkle_split(hi - lo);
		pos--;				/* len counted these steps */
		if (size1 <= lo + k) {
			/* The old tree ends on the left: prove the right. */
			err = merkle_range_hash(lo + k, hi, get, arg, out[pos]);
			hi = lo + k;
		} else {
			err = merkle_range_hash(lo, lo + k, get, arg, out[pos]);
			lo += k;
			complete = 0;
		}
		if (err != ERR_OK)
			goto out;
	}
	/*
	 * SUBPROOF(m, D[m], false) = MTH(D[m]): the old tree's last complete
	 * subtree, unless the old tree is itself complete and the verifier
	 * knows its root already.
	 */
	if (!complete) {
		err = merkle_range_hash(lo, hi, get, arg, out[0]);
		if (err != ERR_OK)
			goto out;
	}
	err = ERR_OK;
	*out_len = len;
out:
	if (err != ERR_OK && len > 0)
		memset(out, 0, len * TLOG_HASH_BYTES);
	return err;
}

/* RFC 9162 2.1.3.2; see merkle.h. */
enum err
tlog_verify_inclusion(uint64_t index, uint64_t size,
    const uint8_t leaf[TLOG_HASH_BYTES],
    const uint8_t (*proof)[TLOG_HASH_BYTES], size_t n,
    const uint8_t root[TLOG_HASH_BYTES])
{
	uint8_t r[TLOG_HASH_BYTES];
	uint64_t fn, sn;
	size_t i;
	enum err err = ERR_RANGE;

	if (index >= size)
		goto out;
	err = ERR_CRYPTO;
	fn = index;
	sn = size - 1;
	memcpy(r, leaf, sizeof(r));
	for (i = 0; i < n; i++) {
		/* A proof longer than the path: sn reaches 0 first. */
		if (sn == 0)
			goto out;
		if ((fn & 1) != 0 || fn == sn) {
			tlog_node_hash(proof[i], r, r);
			/* Skip the levels where this subtree has no sibling. */
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			tlog_node_hash(r, proof[i], r);
		fn >>= 1;
		sn >>= 1;
	}
	/* A shorter one leaves sn above 0. */
	if (sn != 0 || memcmp(r, root, sizeof(r)) != 0)
		goto out;
	err = ERR_OK;
out:
	return err;
}

/* RFC 9162 2.1.4.2; see merkle.h. */
enum err
tlog_verify_consistency(uint64_t size1, uint64_t size2,
    const uint8_t root1[TLOG_HASH_BYTES], const uint8_t root2[TLOG_HASH_BYTES],
    const uint8_t (*proof)[TLOG_HASH_BYTES], size_t n)
{
	uint8_t fr[TLOG_HASH_BYTES], sr[TLOG_HASH_BYTES];
	const uint8_t *c;
	uint64_t fn, sn;
	size_t i;
	enum err err = ERR_RANGE;

	if (size1 == 0 || size1 > size2)
		goto out;
	err = ERR_CRYPTO;
	if (size1 == size2) {
		if (n == 0 && memcmp(root1, root2, TLOG_HASH_BYTES) == 0)
			err = ERR_OK;
		goto out;
	}
	if (n == 0)
		goto out;
	/*
	 * The path is proof[], preceded by root1 when the old tree is
	 * complete (it is then a node of the new tree, left out of the
	 * proof).  c is the path's first element; i indexes proof[].
	 */
	i = 0;
	if ((size1 & (size1 - 1)) == 0)
		c = root1;
	else
		c = proof[i++];
	fn = size1 - 1;
	sn = size2 - 1;
	while ((fn & 1) != 0) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, c, sizeof(fr));
	memcpy(sr, c, sizeof(sr));
	for (; i < n; i++) {
		if (sn == 0)
			goto out;
		if ((fn & 1) != 0 || fn == sn) {
			tlog_node_hash(proof[i], fr, fr);
			tlog_node_hash(proof[i], sr, sr);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			tlog_node_hash(sr, proof[i], sr);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || memcmp(fr, root1, sizeof(fr)) != 0 ||
	    memcmp(sr, root2, sizeof(sr)) != 0)
		goto out;
	err = ERR_OK;
out:
	return err;
}

/* Store the nodes completed by appending leaf number index; see merkle.h. */
enum err
tlog_append(uint64_t index, const uint8_t leaf[TLOG_HASH_BYTES],
    tlog_node_fn get, tlog_put_fn put, void *arg)
{
	uint8_t h[TLOG_HASH_BYTES], left[TLOG_HASH_BYTES];
	uint64_t i;
	unsigned level;
	enum err err = ERR_RANGE;

	if (index >= TLOG_MAX_SIZE)
		goto out;
	err = put(arg, 0, index, leaf);
	if (err != ERR_OK)
		goto out;
	memcpy(h, leaf, sizeof(h));
	/* While the node just made is a right child, its parent completes. */
	for (i = index, level = 0; (i & 1) != 0; i >>= 1, level++) {
		err = get(arg, level, i - 1, left);
		if (err != ERR_OK)
			goto out;
		tlog_node_hash(left, h, h);
		err = put(arg, level + 1, i >> 1, h);
		if (err != ERR_OK)
			goto out;
	}
	err = ERR_OK;
out:
	return err;
}
