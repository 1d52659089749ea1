/*
 * merkle.h: the RFC 6962 / RFC 9162 Merkle tree of the transparency log:
 * leaf and node hashing, tree roots, inclusion and consistency proofs, their
 * verification, and appending leaves.
 *
 * Pure computation.  This module stores nothing and never assumes the tree
 * is in memory: the hashes of complete subtrees come from the caller through
 * a tlog_node_fn accessor (the store, or an array in the tests) and the ones
 * made by an append go back through a tlog_put_fn.  Every operation makes
 * O(log n) accessor calls and recomputes nothing that is stored.  It must
 * not include store headers, do I/O or allocate.
 *
 * Terms.  A tree of size n holds leaves 0..n-1.  The node (level, index) is
 * the complete subtree over leaves [index * 2^level, (index + 1) * 2^level);
 * it exists in a tree of size n when (index + 1) * 2^level <= n, and level 0
 * holds the leaf hashes.  The root of a size that is not a power of two is
 * computed from the complete subtrees that make it up, and so are proof
 * elements that cover an incomplete subtree.  docs/internals/TLOG.md has the
 * details.
 */
#ifndef ENTENTE_TLOG_MERKLE_H
#define ENTENTE_TLOG_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define TLOG_HASH_BYTES	32
/* Largest tree size the generators and tlog_append accept: 2^63 - 1. */
#define TLOG_MAX_SIZE	((UINT64_C(1) << 63) - 1)
/* Enough hashes for any proof of a tree of at most TLOG_MAX_SIZE leaves. */
#define TLOG_MAX_PROOF	64

/*
 * Node hash accessor: write to out the hash of the node (level, index),
 * which the caller of this module guarantees exists.  Returns ERR_OK, or its
 * own error (ERR_NOTFOUND, ERR_DB, ...), which is handed back unchanged.
 */
typedef enum err (*tlog_node_fn)(void *arg, unsigned level, uint64_t index,
    uint8_t out[TLOG_HASH_BYTES]);

/*
 * Node store callback for tlog_append: record h as the hash of the node
 * (level, index).  Returns ERR_OK or its own error, handed back unchanged.
 */
typedef enum err (*tlog_put_fn)(void *arg, unsigned level, uint64_t index,
    const uint8_t h[TLOG_HASH_BYTES]);

/* out = SHA-256(0x00 || data[0..len)).  data may be NULL when len is 0. */
void tlog_leaf_hash(const void *data, size_t len,
    uint8_t out[TLOG_HASH_BYTES]);

/* out = SHA-256(0x01 || l || r).  out may alias l or r. */
void tlog_node_hash(const uint8_t l[TLOG_HASH_BYTES],
    const uint8_t r[TLOG_HASH_BYTES], uint8_t out[TLOG_HASH_BYTES]);

/* out = the root of the empty tree, SHA-256 of the empty string. */
void tlog_empty_root(uint8_t out[TLOG_HASH_BYTES]);

/*
 * Compute the root of the tree of the given size into out (OUT), with one
 * accessor call per bit set in size and none for size 0.  ERR_RANGE when
 * size > TLOG_MAX_SIZE, else the accessor's error; on failure out is zeroed.
 */
enum err tlog_root(uint64_t size, tlog_node_fn get, void *arg,
    uint8_t out[TLOG_HASH_BYTES]) WUR;

/*
 * Write the inclusion proof of leaf index in the tree of the given size
 * (RFC 6962 PATH, the leaf's sibling first) to out[0..*out_len) (OUT); the
 * caller supplies out with room for out_cap hashes (TLOG_MAX_PROOF is always
 * enough).  At most 2 * 63 accessor calls.  ERR_RANGE if index >= size or
 * size > TLOG_MAX_SIZE, ERR_TOOBIG if the proof has more than out_cap
 * hashes, else the accessor's error.  On failure *out_len = 0 and out[] is
 * left zeroed or untouched.
 */
enum err tlog_inclusion_proof(uint64_t index, uint64_t size, tlog_node_fn get,
    void *arg, uint8_t (*out)[TLOG_HASH_BYTES], size_t out_cap,
    size_t *out_len) WUR;

/*
 * Write the consistency proof between the trees of sizes size1 and size2
 * (RFC 6962 PROOF = SUBPROOF(size1, D[size2], true)) to out[0..*out_len)
 * (OUT), out having room for out_cap hashes.  The proof is empty when
 * size1 == size2.  At most 2 * 64 accessor calls.  ERR_RANGE if size1 == 0
 * (a proof from the empty tree means nothing), size1 > size2 or size2 >
 * TLOG_MAX_SIZE; ERR_TOOBIG if out_cap is too small; else the accessor's
 * error.  On failure *out_len = 0 and out[] is left zeroed or untouched.
 */
enum err tlog_consistency_proof(uint64_t size1, uint64_t size2,
    tlog_node_fn get, void *arg, uint8_t (*out)[TLOG_HASH_BYTES],
    size_t out_cap, size_t *out_len) WUR;

/*
 * Check that proof[0..n) proves leaf (a leaf hash) is leaf number index of
 * the tree of the given size whose root is root (RFC 9162 2.1.3.2).  proof
 * may be NULL when n is 0.  ERR_OK when it does, ERR_RANGE if index >= size,
 * ERR_CRYPTO for any other failure.
 */
enum err tlog_verify_inclusion(uint64_t index, uint64_t size,
    const uint8_t leaf[TLOG_HASH_BYTES],
    const uint8_t (*proof)[TLOG_HASH_BYTES], size_t n,
    const uint8_t root[TLOG_HASH_BYTES]) WUR;

/*
 * Check that proof[0..n) proves the tree of size1 with root root1 is a
 * prefix of the tree of size2 with root root2 (RFC 9162 2.1.4.2).  Equal
 * sizes need an empty proof and equal roots.  ERR_OK when it does,
 * ERR_RANGE if size1 == 0 or size1 > size2, ERR_CRYPTO for any other
 * failure.
 */
enum err tlog_verify_consistency(uint64_t size1, uint64_t size2,
    const uint8_t root1[TLOG_HASH_BYTES], const uint8_t root2[TLOG_HASH_BYTES],
    const uint8_t (*proof)[TLOG_HASH_BYTES], size_t n) WUR;

/*
 * Append leaf number index (0-based, so the tree grows from size index to
 * index + 1) whose leaf hash is leaf: put (0, index) = leaf, then each node
 * (l, index >> l) that the append completes, lowest level first.  Each new
 * node's left sibling is read with get, once per trailing one bit of index;
 * nothing is recomputed.  ERR_RANGE if index >= TLOG_MAX_SIZE, else the
 * accessor's or put's error; a failure may leave some of the new nodes put,
 * so the caller appends inside a transaction it can roll back.
 */
enum err tlog_append(uint64_t index, const uint8_t leaf[TLOG_HASH_BYTES],
    tlog_node_fn get, tlog_put_fn put, void *arg) WUR;

#endif
