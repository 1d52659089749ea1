/*
 * tree.h: the node's transparency log, kept in the store.
 *
 * merkle.h computes; this module keeps the tree in the store and grows it
 * inside the caller's write transaction, so a leaf is stored if and only
 * if the object or delivery it records is.  An append hashes the leaf and
 * the nodes it completes (one on average) and hands them to the store,
 * which keeps the right edge of the tree in memory and writes it, in
 * tiles of 256 hashes, when the transaction commits (store_commit):
 * nothing is recomputed and an append costs no database row of its own.
 *
 * Checkpoints (C2SP tlog-checkpoint, signed as a C2SP signed note with the
 * node's Ed25519 key) are issued from a committed state, so none ever
 * commits to a leaf that is not stored.  Cosignatures (C2SP
 * tlog-cosignature) from partners are verified against the partner's key
 * and kept beside the checkpoint they sign.
 */
#ifndef ENTENTE_TLOG_TREE_H
#define ENTENTE_TLOG_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "store/store.h"
#include "tlog/leaf.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "util/buf.h"
#include "util/err.h"

/* Levels of the right edge an appender caches: one per bit of a size. */
#define TLOG_TREE_LEVELS	64

/*
 * A run of appends inside one write transaction.  Valid only until that
 * transaction ends; after a rollback, start a new one.  Lives on the stack.
 */
struct tlog_appender {
	struct store	*st;
	uint64_t	 size;		/* leaves, after the appends so far */
	uint8_t		 edge[TLOG_TREE_LEVELS][TLOG_HASH_BYTES];
	struct buf	 enc;		/* leaf encoding scratch */
};

/*
 * Start appending to st's log.  st must be inside a write transaction
 * (store_begin).  Reads the tree size and its right edge.  ERR_DB, or
 * ERR_DB too when the stored tree is missing a node it needs.  Free with
 * tlog_appender_done() whatever happens.
 */
enum err tlog_appender_begin(struct tlog_appender *a, struct store *st) WUR;

/*
 * Append the encoded leaf data[0..len) as the next leaf; its index goes to
 * *index_out (may be NULL).  ERR_TOOBIG past the tlog-tiles entry limit,
 * ERR_RANGE when the log is full, store errors.  On error the caller rolls
 * the transaction back and must not use the appender again.
 */
enum err tlog_appender_add(struct tlog_appender *a, const uint8_t *data,
    size_t len, uint64_t *index_out) WUR;

/* Encode l (tlog/leaf.h) and append it, as tlog_appender_add. */
enum err tlog_appender_add_leaf(struct tlog_appender *a,
    const struct tlog_leaf *l, uint64_t *index_out) WUR;

/*
 * Release the appender's scratch memory.  The appends themselves are
 * written by store_commit (or dropped by store_rollback), so this may come
 * before or after either.  Can't fail.
 */
void tlog_appender_done(struct tlog_appender *a);

/* The current tree size. */
enum err tlog_tree_size(struct store *st, uint64_t *size_out) WUR;

/*
 * The root of the tree of the given size (at most the current size) into
 * root (OUT).  ERR_RANGE past the current size.
 */
enum err tlog_tree_root(struct store *st, uint64_t size,
    uint8_t root[TLOG_HASH_BYTES]) WUR;

/*
 * The inclusion proof of leaf index in the tree of size (at most the
 * current size) into out[0..*n_out), out having room for TLOG_MAX_PROOF
 * hashes.  ERR_RANGE when index >= size or size is past the current size.
 */
enum err tlog_tree_inclusion(struct store *st, uint64_t index, uint64_t size,
    uint8_t (*out)[TLOG_HASH_BYTES], size_t *n_out) WUR;

/*
 * The consistency proof between sizes size1 <= size2 (size2 at most the
 * current size) into out[0..*n_out), room for TLOG_MAX_PROOF hashes.
 * ERR_RANGE for sizes out of order or past the current size, or size1 0.
 */
enum err tlog_tree_consistency(struct store *st, uint64_t size1,
    uint64_t size2, uint8_t (*out)[TLOG_HASH_BYTES], size_t *n_out) WUR;

/* What signs this node's checkpoints. */
struct tlog_signer {
	char	origin[TLOG_NOTE_NAME_MAX + 1];	/* the log's name */
	uint8_t	seed[CRYPTO_ED25519_SECRET_BYTES];
	uint8_t	pub[CRYPTO_ED25519_PUBLIC_BYTES];
};

/*
 * Append this node's verifier key ("origin+keyid+base64", type Ed25519)
 * to out.  ERR_INVALID for an origin that is not a valid key name.
 */
enum err tlog_signer_vkey(const struct tlog_signer *s, struct buf *out) WUR;

/*
 * Issue a checkpoint of the current tree when there is none yet or the
 * tree grew since the latest, in its own write transaction: root, text,
 * signed note, stored.  *size_out (may be NULL) gets the size of the
 * latest checkpoint afterwards; *issued (may be NULL) 1 when one was
 * issued now.  now is the issue time in microseconds.
 */
enum err tlog_tree_checkpoint(struct store *st, const struct tlog_signer *s,
    int64_t now, uint64_t *size_out, int *issued) WUR;

/*
 * Append the checkpoint of the given size (STORE_TLOG_LATEST: the latest)
 * as served: the signed note as issued, followed by the cosignature lines
 * partners submitted for it.  ERR_NOTFOUND when there is none.
 */
enum err tlog_tree_served(struct store *st, uint64_t size,
    struct buf *out) WUR;

/*
 * A partner's cosignature: body[0..len) is a signed note whose text is one
 * of this node's checkpoints and which holds at least one cosignature/v1
 * line by party's Ed25519 key (any valid key name).  Each such line is
 * verified and stored, in its own transaction.  ERR_PARSE for a malformed
 * note, ERR_NOTFOUND for a checkpoint this node did not issue, ERR_CRYPTO
 * when no line of party's key verifies; msg (msg_cap bytes) says why.
 */
enum err tlog_tree_cosign_submit(struct store *st, int64_t party_id,
    const uint8_t party_pub[CRYPTO_ED25519_PUBLIC_BYTES], const char *body,
    size_t len, int64_t now, char *msg, size_t msg_cap) WUR;

/* What tlog_tree_audit found. */
struct tlog_audit {
	uint64_t	leaves;		/* leaves checked */
	uint64_t	nodes;		/* inner nodes checked */
	uint64_t	checkpoints;	/* checkpoints checked */
	uint64_t	bad;		/* problems found (each logged) */
	char		first[256];	/* the first problem, for humans */
};

/* Called every so many leaves with the count so far; may be NULL. */
typedef void (*tlog_progress_fn)(void *arg, uint64_t done, uint64_t total);

/*
 * Rebuild the tree from the stored leaves: decode each leaf, recompute its
 * hash and every inner node, compare with what is stored, and check
 * every checkpoint's root, size and signature against the signer's key
 * (vkey, borrowed); last, the store's own layout (store_tlog_check: no
 * hashes past the tree, lookup fingerprints).  Reads the rows as stored,
 * not what the connection keeps in memory, in one read transaction.
 * ERR_OK with report->bad == 0 when everything matches; ERR_OK with bad >
 * 0 when something does not; errors only when the audit could not run.
 */
enum err tlog_tree_audit(struct store *st, const struct tlog_vkey *vkey,
    tlog_progress_fn progress, void *arg, struct tlog_audit *report) WUR;

#endif
