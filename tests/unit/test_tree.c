/*
 * test_tree.c: the transparency log kept in the store (tlog/tree.c and the
 * store's tiles, store/store_sqlite.c).
 *
 * Every test works on a fresh database.  Roots and proofs of the stored
 * tree are checked against a recursive reference computed here from the
 * leaf hashes (RFC 9162 2.1.1 MTH), for every size, after appends in
 * transactions of varying lengths, across tile boundaries (255, 256, 257,
 * 65535, 65536, 65537 leaves), from two connections, after rollbacks and
 * failed commits; a v4 database written the old way is migrated and must
 * give the same roots, proofs and leaves; checkpoints, cosignatures and the
 * audit against tampering done behind the store's back.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crypto/crypto.h"
#include "store/store.h"
#include "store/store_sqlite_int.h"
#include "tlog/leaf.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/tree.h"
#include "util/buf.h"

#define HB	TLOG_HASH_BYTES
#define NLEAVES	300
#define MAXLEAVES	70000

struct fx {
	char		dir[64];
	char		path[128];
	struct store	*st;
	uint8_t		(*leaf)[HB];		/* leaf hashes appended */
	size_t		n;
	struct tlog_signer signer;
	struct tlog_vkey vkey;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint8_t pub[32];

	assert_non_null(f);
	f->leaf = calloc(MAXLEAVES, HB);
	assert_non_null(f->leaf);
	(void)snprintf(f->dir, sizeof(f->dir), "/tmp/entente-tree-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	(void)snprintf(f->path, sizeof(f->path), "%s/db", f->dir);
	assert_int_equal(store_open(f->path, STORE_CREATE, &f->st), ERR_OK);
	assert_int_equal(crypto_ed25519_keypair(pub, f->signer.seed), ERR_OK);
	memcpy(f->signer.pub, pub, sizeof(pub));
	(void)snprintf(f->signer.origin, sizeof(f->signer.origin),
	    "test.example/entente/log");
	assert_int_equal(tlog_vkey_init(&f->vkey, f->signer.origin,
	    strlen(f->signer.origin), TLOG_SIG_ED25519, pub), ERR_OK);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char p[160];

	store_close(f->st);
	(void)snprintf(p, sizeof(p), "%s-wal", f->path);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", f->path);
	(void)unlink(p);
	(void)unlink(f->path);
	(void)rmdir(f->dir);
	free(f->leaf);
	free(f);
	return 0;
}

/* The reference: MTH(D[lo..hi)) straight from RFC 9162 2.1.1. */
static void
ref_mth(const uint8_t (*leaf)[HB], size_t n, uint8_t out[HB])
{
	uint8_t l[HB], r[HB];
	size_t k = 1;

	if (n == 1) {
		memcpy(out, leaf[0], HB);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	ref_mth(leaf, k, l);
	ref_mth(leaf + k, n - k, r);
	tlog_node_hash(l, r, out);
}

/* Leaf i's bytes: an object leaf whose id varies with i and salt. */
static void
make_leaf(uint64_t i, uint64_t salt, struct tlog_leaf *l)
{
	memset(l, 0, sizeof(*l));
	l->kind = TLOG_LEAF_OBJECT;
	memset(l->u.obj.object_hash, (int)((i + salt) & 0xff), HB);
	l->u.obj.date_added = 1700000000000000ull + i + salt * 1000000000ull;
	l->u.obj.version = 1700000000000000ll;
	memset(l->u.obj.collection, 7, sizeof(l->u.obj.collection));
	memset(l->u.obj.producer, 9, sizeof(l->u.obj.producer));
	(void)snprintf(l->u.obj.id, sizeof(l->u.obj.id),
	    "indicator--00000000-0000-4000-8000-%012llu",
	    (unsigned long long)(i + salt * 100000000ull));
}

/*
 * Append count leaves on st in one transaction, recording their hashes;
 * commit, or roll back when commit is 0 (the hashes are then forgotten).
 */
static void
append_on(struct fx *f, struct store *st, size_t count, uint64_t salt,
    int commit)
{
	struct tlog_appender a;
	struct tlog_leaf l;
	struct buf b;
	uint64_t idx;
	size_t n0 = f->n;

	assert_true(f->n + count <= MAXLEAVES);
	buf_init(&b, TLOG_LEAF_MAX_BYTES);
	assert_int_equal(store_begin(st), ERR_OK);
	assert_int_equal(tlog_appender_begin(&a, st), ERR_OK);
	for (size_t k = 0; k < count; k++) {
		make_leaf(f->n, salt, &l);
		buf_clear(&b);
		assert_int_equal(tlog_leaf_encode(&l, &b), ERR_OK);
		tlog_leaf_hash(b.ptr, b.len, f->leaf[f->n]);
		assert_int_equal(tlog_appender_add_leaf(&a, &l, &idx), ERR_OK);
		assert_int_equal(idx, f->n);
		f->n++;
	}
	tlog_appender_done(&a);
	if (commit) {
		assert_int_equal(store_commit(st), ERR_OK);
	} else {
		store_rollback(st);
		f->n = n0;
	}
	buf_reset(&b);
}

/* Append count leaves in one committed transaction of f->st. */
static void
append_run(struct fx *f, size_t count)
{
	append_on(f, f->st, count, 0, 1);
}

/* Root of size n and inclusion of leaf i in it, on st, against ref. */
static void
check_leaf(struct fx *f, struct store *st, size_t i, size_t n,
    const uint8_t ref[HB])
{
	uint8_t proof[TLOG_MAX_PROOF][HB], h[HB];
	size_t np;

	assert_int_equal(tlog_tree_inclusion(st, i, n, proof, &np), ERR_OK);
	assert_int_equal(tlog_verify_inclusion(i, n, f->leaf[i],
	    (const uint8_t (*)[HB])proof, np, ref), ERR_OK);
	assert_int_equal(store_tlog_leaf_get(st, i, h, NULL), ERR_OK);
	assert_memory_equal(h, f->leaf[i], HB);
}

/* The stored root of every size in [lo, hi] is the reference's. */
static void
check_roots(struct fx *f, struct store *st, size_t lo, size_t hi)
{
	uint8_t root[HB], ref[HB];

	for (size_t n = lo; n <= hi; n++) {
		ref_mth((const uint8_t (*)[HB])f->leaf, n, ref);
		assert_int_equal(tlog_tree_root(st, n, root), ERR_OK);
		assert_memory_equal(root, ref, HB);
	}
}

/* The audit of st finds nothing and counts n leaves. */
static void
audit_clean(struct fx *f, struct store *st, size_t n)
{
	struct tlog_audit rep;

	assert_int_equal(tlog_tree_audit(st, &f->vkey, NULL, NULL, &rep),
	    ERR_OK);
	if (rep.bad != 0)
		fail_msg("audit: %s", rep.first);
	assert_int_equal(rep.leaves, n);
}

/* Roots and proofs of every size agree with the reference. */
static void
test_roots_and_proofs(void **state)
{
	static const size_t runs[] = { 1, 1, 2, 5, 8, 1, 13, 64, 3, 100, 102 };
	struct fx *f = *state;
	uint8_t root[HB], ref[HB], root1[HB];
	uint8_t proof[TLOG_MAX_PROOF][HB];
	uint64_t size;
	size_t np;

	assert_int_equal(tlog_tree_size(f->st, &size), ERR_OK);
	assert_int_equal(size, 0);
	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++)
		append_run(f, runs[r]);
	assert_int_equal(f->n, NLEAVES);
	assert_int_equal(tlog_tree_size(f->st, &size), ERR_OK);
	assert_int_equal(size, NLEAVES);
	for (size_t n = 1; n <= NLEAVES; n++) {
		ref_mth((const uint8_t (*)[HB])f->leaf, n, ref);
		assert_int_equal(tlog_tree_root(f->st, n, root), ERR_OK);
		assert_memory_equal(root, ref, HB);
		/* Inclusion of a few leaves, consistency from a few sizes. */
		for (size_t i = 0; i < n; i += 1 + n / 7) {
			assert_int_equal(tlog_tree_inclusion(f->st, i, n, proof,
			    &np), ERR_OK);
			assert_int_equal(tlog_verify_inclusion(i, n, f->leaf[i],
			    (const uint8_t (*)[HB])proof, np, root), ERR_OK);
		}
		for (size_t m = 1; m <= n; m += 1 + n / 5) {
			ref_mth((const uint8_t (*)[HB])f->leaf, m, root1);
			assert_int_equal(tlog_tree_consistency(f->st, m, n,
			    proof, &np), ERR_OK);
			assert_int_equal(tlog_verify_consistency(m, n, root1,
			    root, (const uint8_t (*)[HB])proof, np), ERR_OK);
		}
	}
	/* Past the tree. */
	assert_int_equal(tlog_tree_root(f->st, NLEAVES + 1, root), ERR_RANGE);
	assert_int_equal(tlog_tree_inclusion(f->st, 0, NLEAVES + 1, proof,
	    &np), ERR_RANGE);
	assert_int_equal(tlog_tree_consistency(f->st, 1, NLEAVES + 1, proof,
	    &np), ERR_RANGE);
	/* Lookup by leaf hash. */
	uint64_t idx;
	assert_int_equal(store_tlog_leaf_find(f->st, f->leaf[123], &idx),
	    ERR_OK);
	assert_int_equal(idx, 123);
}

/* A rolled-back append leaves nothing behind. */
static void
test_rollback(void **state)
{
	struct fx *f = *state;
	struct tlog_appender a;
	struct tlog_leaf l;
	uint64_t size;
	uint8_t root[HB], root2[HB];

	append_run(f, 3);
	assert_int_equal(tlog_tree_root(f->st, 3, root), ERR_OK);
	assert_int_equal(store_begin(f->st), ERR_OK);
	assert_int_equal(tlog_appender_begin(&a, f->st), ERR_OK);
	make_leaf(99, 0, &l);
	assert_int_equal(tlog_appender_add_leaf(&a, &l, NULL), ERR_OK);
	tlog_appender_done(&a);
	store_rollback(f->st);
	assert_int_equal(tlog_tree_size(f->st, &size), ERR_OK);
	assert_int_equal(size, 3);
	append_run(f, 1);
	assert_int_equal(tlog_tree_root(f->st, 3, root2), ERR_OK);
	assert_memory_equal(root, root2, HB);
	/* An injected failure mid-append is rolled back too. */
	assert_int_equal(store_begin(f->st), ERR_OK);
	assert_int_equal(tlog_appender_begin(&a, f->st), ERR_OK);
	store_sqlite_fault(f->st, 0);
	assert_int_not_equal(tlog_appender_add_leaf(&a, &l, NULL), ERR_OK);
	tlog_appender_done(&a);
	store_rollback(f->st);
	assert_int_equal(tlog_tree_size(f->st, &size), ERR_OK);
	assert_int_equal(size, 4);
	struct tlog_audit rep;
	assert_int_equal(tlog_tree_audit(f->st, &f->vkey, NULL, NULL, &rep),
	    ERR_OK);
	assert_int_equal(rep.bad, 0);
	assert_int_equal(rep.leaves, 4);
}

/* Checkpoints: issued when the tree grew, signed, served, audited. */
static void
test_checkpoints(void **state)
{
	struct fx *f = *state;
	struct tlog_checkpoint cp;
	struct tlog_note_check check;
	struct buf b;
	uint64_t size;
	uint8_t root[HB];
	int issued;

	buf_init(&b, STORE_TLOG_NOTE_MAX);
	/* The empty tree gets a checkpoint too. */
	assert_int_equal(tlog_tree_checkpoint(f->st, &f->signer, 1000, &size,
	    &issued), ERR_OK);
	assert_int_equal(issued, 1);
	assert_int_equal(size, 0);
	assert_int_equal(tlog_tree_checkpoint(f->st, &f->signer, 2000, &size,
	    &issued), ERR_OK);
	assert_int_equal(issued, 0);
	append_run(f, 10);
	assert_int_equal(tlog_tree_checkpoint(f->st, &f->signer, 3000, &size,
	    &issued), ERR_OK);
	assert_int_equal(issued, 1);
	assert_int_equal(size, 10);
	assert_int_equal(tlog_tree_served(f->st, STORE_TLOG_LATEST, &b),
	    ERR_OK);
	assert_int_equal(tlog_checkpoint_open(b.ptr, b.len, &f->vkey, 1, &cp,
	    &check, NULL), ERR_OK);
	assert_int_equal(cp.size, 10);
	assert_int_equal(tlog_tree_root(f->st, 10, root), ERR_OK);
	assert_memory_equal(cp.root, root, HB);
	assert_int_equal(cp.origin_len, strlen(f->signer.origin));
	/* The size-0 one is still there. */
	buf_clear(&b);
	assert_int_equal(tlog_tree_served(f->st, 0, &b), ERR_OK);
	assert_int_equal(tlog_checkpoint_open(b.ptr, b.len, &f->vkey, 1, &cp,
	    &check, NULL), ERR_OK);
	assert_int_equal(cp.size, 0);
	buf_clear(&b);
	assert_int_equal(tlog_tree_served(f->st, 5, &b), ERR_NOTFOUND);
	buf_reset(&b);
}

/* Cosignatures: verified against the party's key and served. */
static void
test_cosign(void **state)
{
	struct fx *f = *state;
	uint8_t ppub[32], pseed[32], opub[32], oseed[32];
	uint8_t sig[TLOG_COSIG_BYTES];
	struct buf note, body, line;
	struct tlog_vkey keys[2];
	struct tlog_checkpoint cp;
	struct tlog_note_check check;
	struct tlog_note parsed;
	int64_t pid;
	char msg[200];

	assert_int_equal(crypto_ed25519_keypair(ppub, pseed), ERR_OK);
	assert_int_equal(crypto_ed25519_keypair(opub, oseed), ERR_OK);
	assert_int_equal(store_party_add(f->st, "Partner B", ppub,
	    STORE_ROLE_PARTNER, &pid), ERR_OK);
	append_run(f, 4);
	assert_int_equal(tlog_tree_checkpoint(f->st, &f->signer, 5, NULL,
	    NULL), ERR_OK);
	buf_init(&note, STORE_TLOG_NOTE_MAX);
	buf_init(&body, STORE_TLOG_NOTE_MAX);
	buf_init(&line, 1024);
	assert_int_equal(tlog_tree_served(f->st, STORE_TLOG_LATEST, &note),
	    ERR_OK);
	assert_int_equal(tlog_note_parse(note.ptr, note.len, &parsed, NULL),
	    ERR_OK);
	/* Cosigned by someone else's key: refused. */
	assert_int_equal(tlog_cosign(parsed.text, parsed.text_len, "b.example",
	    9, oseed, 1234, sig, &line), ERR_OK);
	assert_int_equal(buf_add(&body, note.ptr, note.len), ERR_OK);
	assert_int_equal(buf_add(&body, line.ptr, line.len), ERR_OK);
	assert_int_equal(tlog_tree_cosign_submit(f->st, pid, ppub, body.ptr,
	    body.len, 77, msg, sizeof(msg)), ERR_CRYPTO);
	/* Garbage: refused with a reason. */
	assert_int_equal(tlog_tree_cosign_submit(f->st, pid, ppub, "x\n", 2,
	    77, msg, sizeof(msg)), ERR_PARSE);
	assert_non_null(strstr(msg, "signed note"));
	/* By the party's key: stored and served. */
	buf_clear(&line);
	buf_clear(&body);
	assert_int_equal(tlog_cosign(parsed.text, parsed.text_len, "b.example",
	    9, pseed, 1234, sig, &line), ERR_OK);
	assert_int_equal(buf_add(&body, note.ptr, note.len), ERR_OK);
	assert_int_equal(buf_add(&body, line.ptr, line.len), ERR_OK);
	assert_int_equal(tlog_tree_cosign_submit(f->st, pid, ppub, body.ptr,
	    body.len, 77, msg, sizeof(msg)), ERR_OK);
	buf_clear(&note);
	assert_int_equal(tlog_tree_served(f->st, STORE_TLOG_LATEST, &note),
	    ERR_OK);
	assert_int_equal(note.len, body.len);
	assert_memory_equal(note.ptr, body.ptr, body.len);
	keys[0] = f->vkey;
	assert_int_equal(tlog_vkey_init(&keys[1], "b.example", 9,
	    TLOG_SIG_COSIG_V1, ppub), ERR_OK);
	assert_int_equal(tlog_checkpoint_open(note.ptr, note.len, keys, 2, &cp,
	    &check, NULL), ERR_OK);
	assert_int_equal(check.n_verified, 2);
	/* A checkpoint text this log never issued. */
	buf_clear(&body);
	assert_int_equal(buf_addstr(&body, "test.example/entente/log\n4\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"), ERR_OK);
	assert_int_equal(buf_add(&body, line.ptr, line.len), ERR_OK);
	assert_int_equal(tlog_tree_cosign_submit(f->st, pid, ppub, body.ptr,
	    body.len, 77, msg, sizeof(msg)), ERR_NOTFOUND);
	buf_reset(&note);
	buf_reset(&body);
	buf_reset(&line);
}

/* Run SQL behind the store's back. */
static void
tamper(struct fx *f, const char *sql)
{
	char *e = NULL;

	if (sqlite3_exec(store_sqlite_db(f->st), sql, NULL, NULL, &e) !=
	    SQLITE_OK)
		fail_msg("%s: %s", sql, e != NULL ? e : "?");
	sqlite3_free(e);
}

/* The one integer sql answers, read behind the store's back. */
static int64_t
sql_count(struct fx *f, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite_db(f->st), sql, -1,
	    &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/*
 * Read blob column 1 of the row sql selects (?1 = key) into a new buffer
 * (free()); column 0 to *c0.  The layout is read here from the rows
 * themselves, as docs/internals/TLOG.md describes it, not through the store.
 */
static uint8_t *
row_blob(struct fx *f, const char *sql, int64_t key, int64_t *c0,
    size_t *len)
{
	sqlite3_stmt *s;
	uint8_t *p;
	int n;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite_db(f->st), sql, -1,
	    &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_bind_int64(s, 1, key), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	*c0 = sqlite3_column_int64(s, 0);
	n = sqlite3_column_bytes(s, 1);
	assert_true(n > 0);
	p = malloc((size_t)n);
	assert_non_null(p);
	memcpy(p, sqlite3_column_blob(s, 1), (size_t)n);
	*len = (size_t)n;
	sqlite3_finalize(s);
	return p;
}

/* Write blob p as column col of the row of table whose key is key. */
static void
row_put(struct fx *f, const char *sql, int64_t key, const uint8_t *p,
    size_t len)
{
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite_db(f->st), sql, -1,
	    &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_bind_int64(s, 1, key), SQLITE_OK);
	assert_int_equal(sqlite3_bind_blob(s, 2, p, (int)len,
	    SQLITE_TRANSIENT), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	assert_int_equal(sqlite3_changes(store_sqlite_db(f->st)), 1);
	sqlite3_finalize(s);
}

/* Flip byte at of leaf index's bytes in its bundle. */
static void
tamper_leaf(struct fx *f, uint64_t index, size_t at)
{
	sqlite3_stmt *s;
	uint8_t *p;
	int64_t first, n;
	size_t len, off = 0, l;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite_db(f->st),
	    "SELECT first, n FROM tlog_entries WHERE first <= ?1 "
	    "ORDER BY first DESC LIMIT 1", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_bind_int64(s, 1, (int64_t)index), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	first = sqlite3_column_int64(s, 0);
	n = sqlite3_column_int64(s, 1);
	sqlite3_finalize(s);
	assert_true((uint64_t)first <= index && index < (uint64_t)(first + n));
	p = row_blob(f, "SELECT n, data FROM tlog_entries WHERE first = ?1",
	    first, &n, &len);
	for (uint64_t i = (uint64_t)first; ; i++) {
		assert_true(off + 2 <= len);
		l = (size_t)p[off] << 8 | p[off + 1];
		if (i == index)
			break;
		off += 2 + l;
	}
	assert_true(at < l);
	p[off + 2 + at] ^= 0x01;
	row_put(f, "UPDATE tlog_entries SET data = ?2 WHERE first = ?1", first,
	    p, len);
	free(p);
}

/* Zero the stored hash of node (level, index) in its tile. */
static void
tamper_node(struct fx *f, unsigned level, uint64_t index)
{
	unsigned t = level / 8, d = level % 8;
	int64_t key = (int64_t)(((uint64_t)t << 48) | (index >> (8 - d)));
	int64_t w;
	size_t len, off = 0;
	uint8_t *p;

	p = row_blob(f, "SELECT width, hashes FROM tlog_tiles WHERE id = ?1",
	    key, &w, &len);
	for (unsigned e = 0; e < d; e++)
		off += (size_t)w >> e;
	off += index & ((256u >> d) - 1);
	assert_true((off + 1) * HB <= len);
	memset(p + off * HB, 0, HB);
	row_put(f, "UPDATE tlog_tiles SET hashes = ?2 WHERE id = ?1", key, p,
	    len);
	free(p);
}

/* The audit passes on a good log and finds each kind of tampering. */
static void
test_audit(void **state)
{
	struct fx *f = *state;
	struct tlog_audit rep;

	append_run(f, 37);
	assert_int_equal(tlog_tree_checkpoint(f->st, &f->signer, 5, NULL,
	    NULL), ERR_OK);
	append_run(f, 12);
	assert_int_equal(tlog_tree_checkpoint(f->st, &f->signer, 6, NULL,
	    NULL), ERR_OK);
	assert_int_equal(tlog_tree_audit(f->st, &f->vkey, NULL, NULL, &rep),
	    ERR_OK);
	assert_int_equal(rep.bad, 0);
	assert_int_equal(rep.leaves, 49);
	assert_int_equal(rep.checkpoints, 2);
	/* 49 leaves complete 24 + 12 + 6 + 3 + 1 inner nodes. */
	assert_int_equal(rep.nodes, 46);

	/* A leaf's bytes changed (its object hash). */
	tamper_leaf(f, 20, 10);
	assert_int_equal(tlog_tree_audit(f->st, &f->vkey, NULL, NULL, &rep),
	    ERR_OK);
	assert_true(rep.bad > 0);
	assert_non_null(strstr(rep.first, "leaf 20"));
}

/* An inner node changed. */
static void
test_audit_nodes(void **state)
{
	struct fx *f = *state;
	struct tlog_audit rep;

	append_run(f, 16);
	assert_int_equal(tlog_tree_checkpoint(f->st, &f->signer, 5, NULL,
	    NULL), ERR_OK);
	/* Read it once, so that the connection has it in memory. */
	check_roots(f, f->st, 1, 16);
	tamper_node(f, 2, 1);
	assert_int_equal(tlog_tree_audit(f->st, &f->vkey, NULL, NULL, &rep),
	    ERR_OK);
	assert_true(rep.bad > 0);
	assert_non_null(strstr(rep.first, "node (2, 1)"));
}

/* A leaf hash changed: the leaf, its fingerprint and the root show it. */
static void
test_audit_leaf_hash(void **state)
{
	struct fx *f = *state;
	struct tlog_audit rep;

	append_run(f, 300);
	assert_int_equal(tlog_tree_checkpoint(f->st, &f->signer, 5, NULL,
	    NULL), ERR_OK);
	tamper_node(f, 0, 257);
	assert_int_equal(tlog_tree_audit(f->st, &f->vkey, NULL, NULL, &rep),
	    ERR_OK);
	assert_true(rep.bad >= 2);
	assert_non_null(strstr(rep.first, "leaf 257"));
}

static void
test_audit_checkpoint(void **state)
{
	struct fx *f = *state;
	struct tlog_audit rep;

	append_run(f, 4);
	append_run(f, 1);
	assert_int_equal(tlog_tree_checkpoint(f->st, &f->signer, 5, NULL,
	    NULL), ERR_OK);
	tamper(f, "UPDATE tlog_checkpoints SET root = zeroblob(32) "
	    "WHERE size = 5");
	assert_int_equal(tlog_tree_audit(f->st, &f->vkey, NULL, NULL, &rep),
	    ERR_OK);
	assert_true(rep.bad > 0);
	assert_non_null(strstr(rep.first, "checkpoint of size 5"));
	/* A checkpoint of leaves that are not stored (the last bundle). */
	tamper(f, "DELETE FROM tlog_entries WHERE first = 4");
	assert_int_equal(tlog_tree_audit(f->st, &f->vkey, NULL, NULL, &rep),
	    ERR_OK);
	assert_non_null(strstr(rep.first, "past the tree"));
	assert_int_equal(rep.leaves, 4);
	/* The tile still holds the fifth leaf: the layout check says so. */
	assert_true(rep.bad >= 2);
}

/* What only the layout shows: fingerprints, tiles past the tree. */
static void
test_audit_layout(void **state)
{
	struct fx *f = *state;
	struct tlog_audit rep;
	uint64_t idx;
	uint8_t *p;
	int64_t k;
	size_t len;

	append_run(f, 300);
	audit_clean(f, f->st, 300);
	/* Leaf 270's fingerprint: lookups by hash miss it; the audit sees. */
	p = row_blob(f, "SELECT id, fp FROM tlog_fps WHERE id = ?1", 1, &k,
	    &len);
	assert_int_equal(len, 2 * (300 - 256));
	p[2 * (270 - 256)] ^= 0xff;
	row_put(f, "UPDATE tlog_fps SET fp = ?2 WHERE id = ?1", 1, p, len);
	free(p);
	store_tlog_uncache(f->st);
	assert_int_equal(store_tlog_leaf_find(f->st, f->leaf[270], &idx),
	    ERR_NOTFOUND);
	assert_int_equal(store_tlog_leaf_find(f->st, f->leaf[271], &idx),
	    ERR_OK);
	assert_int_equal(idx, 271);
	assert_int_equal(tlog_tree_audit(f->st, &f->vkey, NULL, NULL, &rep),
	    ERR_OK);
	assert_int_equal(rep.bad, 1);
	assert_non_null(strstr(rep.first, "leaf 270"));
	assert_non_null(strstr(rep.first, "fingerprint"));
	/* A tile row past the tree. */
	tamper(f, "INSERT INTO tlog_tiles (id, width, hashes) "
	    "VALUES ((1 << 48) | 7, 1, zeroblob(32))");
	assert_int_equal(tlog_tree_audit(f->st, &f->vkey, NULL, NULL, &rep),
	    ERR_OK);
	assert_int_equal(rep.bad, 2);
	assert_non_null(strstr(rep.first, "tile (1, 7) is past the tree"));
}

/* Tiles: their widths at 255, 256, 257, 65535, 65536 and 65537 leaves. */
static void
test_tile_boundaries(void **state)
{
	static const size_t sizes[] = { 255, 256, 257, 65535, 65536, 65537 };
	/* Transactions ending on each size, and some that do not. */
	static const size_t runs[] = { 200, 55, 1, 1, 300, 64978, 1, 1, 100 };
	struct fx *f = *state;
	uint8_t ref[HB], ref1[HB], proof[TLOG_MAX_PROOF][HB];
	uint64_t idx;
	size_t np;

	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++)
		append_run(f, runs[r]);
	assert_int_equal(f->n, 65637);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		size_t idxs[] = { 0, 1, 254, 255, 256, 257, 65534, 65535,
		    65536, n / 2, n - 1 };

		ref_mth((const uint8_t (*)[HB])f->leaf, n, ref);
		check_roots(f, f->st, n, n);
		for (size_t i = 0; i < sizeof(idxs) / sizeof(idxs[0]); i++)
			if (idxs[i] < n)
				check_leaf(f, f->st, idxs[i], n, ref);
		for (size_t m = 0; m < s; m++) {
			ref_mth((const uint8_t (*)[HB])f->leaf, sizes[m], ref1);
			assert_int_equal(tlog_tree_consistency(f->st, sizes[m],
			    n, proof, &np), ERR_OK);
			assert_int_equal(tlog_verify_consistency(sizes[m], n,
			    ref1, ref, (const uint8_t (*)[HB])proof, np),
			    ERR_OK);
		}
	}
	check_roots(f, f->st, 65533, 65540);
	check_roots(f, f->st, 65637, 65637);
	/* Rows: full tiles 256 wide, edges as wide as the tree has. */
	assert_int_equal(sql_count(f, "SELECT width FROM tlog_tiles "
	    "WHERE id = 255"), 256);
	assert_int_equal(sql_count(f, "SELECT width FROM tlog_tiles "
	    "WHERE id = 256"), 65637 - 65536);
	assert_int_equal(sql_count(f, "SELECT width FROM tlog_tiles "
	    "WHERE id = (1 << 48) | 0"), 256);
	assert_int_equal(sql_count(f, "SELECT width FROM tlog_tiles "
	    "WHERE id = (2 << 48) | 0"), 1);
	assert_int_equal(sql_count(f, "SELECT count(*) FROM tlog_tiles"),
	    257 + 1 + 1);
	assert_int_equal(sql_count(f, "SELECT count(*) FROM tlog_tiles "
	    "WHERE width = 256 AND length(hashes) = 510 * 32"), 257);
	assert_int_equal(sql_count(f, "SELECT count(*) FROM tlog_entries "
	    "WHERE n > 256 OR first / 256 != (first + n - 1) / 256"), 0);
	for (size_t i = 0; i < 4; i++) {
		size_t want = (size_t[]){ 255, 256, 65535, 65536 }[i];

		assert_int_equal(store_tlog_leaf_find(f->st, f->leaf[want],
		    &idx), ERR_OK);
		assert_int_equal(idx, want);
	}
	audit_clean(f, f->st, 65637);
}

/*
 * One leaf per transaction across tile boundaries, from two connections
 * in turn: each must read the other's appends (its edge is stale).
 */
static void
test_two_connections(void **state)
{
	struct fx *f = *state;
	struct store *st2;
	uint8_t ref[HB];

	assert_int_equal(store_open(f->path, 0, &st2), ERR_OK);
	append_run(f, 250);
	for (size_t k = 0; k < 30; k++) {
		struct store *st = (k / 3) % 2 ? st2 : f->st;
		struct store *other = st == st2 ? f->st : st2;

		append_on(f, st, 1, 0, 1);
		ref_mth((const uint8_t (*)[HB])f->leaf, f->n, ref);
		check_roots(f, st, f->n, f->n);
		check_roots(f, other, f->n, f->n);
		check_leaf(f, other, f->n - 1, f->n, ref);
		check_leaf(f, other, f->n / 3, f->n, ref);
	}
	append_on(f, st2, 600, 0, 1);
	append_run(f, 7);
	check_roots(f, f->st, 1, f->n);
	check_roots(f, st2, f->n - 300, f->n);
	audit_clean(f, st2, f->n);
	store_close(st2);
}

/*
 * A rolled-back transaction that filled a tile and closed bundles leaves
 * nothing behind, in the database or in the connection's memory; so
 * does a commit that fails at each of its steps.
 */
static void
test_rollback_edge(void **state)
{
	struct fx *f = *state;
	struct store *st2;
	uint8_t root[HB], h[HB], ref[HB];
	struct buf b;
	uint64_t size, idx;
	uint8_t gone[HB];
	int failed = 0;

	append_run(f, 250);
	assert_int_equal(tlog_tree_root(f->st, 250, root), ERR_OK);
	/* Leaf 260 of the transaction rolled back below. */
	{
		struct tlog_leaf l;

		make_leaf(260, 1, &l);
		buf_init(&b, TLOG_LEAF_MAX_BYTES);
		assert_int_equal(tlog_leaf_encode(&l, &b), ERR_OK);
		tlog_leaf_hash(b.ptr, b.len, gone);
		buf_reset(&b);
	}
	/* 20 leaves (a full tile written, a bundle closed), rolled back. */
	append_on(f, f->st, 20, 1, 0);
	assert_int_equal(tlog_tree_size(f->st, &size), ERR_OK);
	assert_int_equal(size, 250);
	assert_int_equal(tlog_tree_root(f->st, 250, ref), ERR_OK);
	assert_memory_equal(ref, root, HB);
	assert_int_equal(store_tlog_node_get(f->st, 0, 255, h), ERR_NOTFOUND);
	assert_int_equal(store_tlog_node_get(f->st, 8, 0, h), ERR_NOTFOUND);
	assert_int_equal(store_tlog_leaf_get(f->st, 260, h, NULL),
	    ERR_NOTFOUND);
	assert_int_equal(store_tlog_leaf_find(f->st, gone, &idx),
	    ERR_NOTFOUND);
	buf_init(&b, STORE_TLOG_LEAF_MAX);
	assert_int_equal(store_tlog_leaf_get(f->st, 250, NULL, &b),
	    ERR_NOTFOUND);
	buf_reset(&b);
	/*
	 * Other leaves in their place, as many, by another connection: the
	 * stored size is again the one the rolled-back edge had, so only
	 * forgetting that edge keeps this connection right.
	 */
	assert_int_equal(store_open(f->path, 0, &st2), ERR_OK);
	append_on(f, st2, 20, 2, 1);
	append_on(f, f->st, 1, 2, 1);
	check_roots(f, f->st, 240, 271);
	ref_mth((const uint8_t (*)[HB])f->leaf, 271, ref);
	check_leaf(f, f->st, 255, 271, ref);
	check_leaf(f, f->st, 260, 271, ref);
	assert_int_equal(store_tlog_leaf_find(f->st, gone, &idx),
	    ERR_NOTFOUND);
	audit_clean(f, f->st, 271);

	/* A commit failing at each of its steps in turn. */
	for (long k = 0; ; k++) {
		struct tlog_appender a;
		struct tlog_leaf l;
		enum err err = ERR_OK;

		assert_true(k < 100);
		assert_int_equal(store_begin(f->st), ERR_OK);
		assert_int_equal(tlog_appender_begin(&a, f->st), ERR_OK);
		for (size_t i = 0; i < 300 && err == ERR_OK; i++) {
			make_leaf(f->n + i, 3, &l);
			err = tlog_appender_add_leaf(&a, &l, NULL);
		}
		tlog_appender_done(&a);
		assert_int_equal(err, ERR_OK);
		store_sqlite_fault(f->st, k);
		err = store_commit(f->st);
		store_sqlite_fault(f->st, -1);
		if (err == ERR_OK)
			break;
		failed++;
		/* Nothing of it, here or on another connection. */
		assert_int_equal(tlog_tree_size(f->st, &size), ERR_OK);
		assert_int_equal(size, 271);
		assert_int_equal(tlog_tree_size(st2, &size), ERR_OK);
		assert_int_equal(size, 271);
		check_roots(f, f->st, 270, 271);
		assert_int_equal(store_tlog_node_get(f->st, 0, 271, h),
		    ERR_NOTFOUND);
		/* The next transaction starts from the stored edge. */
		append_on(f, f->st, 1, 4, 0);
	}
	assert_true(failed >= 3);
	for (size_t i = 0; i < 300; i++) {
		struct tlog_leaf l;

		make_leaf(f->n, 3, &l);
		buf_init(&b, TLOG_LEAF_MAX_BYTES);
		assert_int_equal(tlog_leaf_encode(&l, &b), ERR_OK);
		tlog_leaf_hash(b.ptr, b.len, f->leaf[f->n++]);
		buf_reset(&b);
	}
	check_roots(f, f->st, 561, 571);
	check_roots(f, st2, 566, 571);
	audit_clean(f, st2, 571);
	store_close(st2);
}

/* What the store refuses: appends out of order, half-done appends. */
static void
test_misuse(void **state)
{
	struct fx *f = *state;
	uint8_t h[HB];
	uint64_t size;

	memset(h, 0x5a, sizeof(h));
	append_run(f, 3);
	/* Outside a transaction. */
	assert_int_equal(store_tlog_leaf_add(f->st, 3, h, "x", 1),
	    ERR_INVALID);
	assert_int_equal(store_tlog_node_put(f->st, 1, 1, h), ERR_INVALID);
	/* Not the next index. */
	assert_int_equal(store_begin(f->st), ERR_OK);
	assert_int_equal(store_tlog_leaf_add(f->st, 2, h, "x", 1), ERR_EXISTS);
	assert_int_equal(store_tlog_leaf_add(f->st, 4, h, "x", 1),
	    ERR_INVALID);
	assert_int_equal(store_tlog_leaf_add(f->st, 3, h, NULL, 1),
	    ERR_INVALID);
	assert_int_equal(store_tlog_leaf_add(f->st, 3, h, "x",
	    STORE_TLOG_LEAF_MAX + 1), ERR_TOOBIG);
	/* Leaf 3 completes (1, 1) and (2, 0): left out, commit refuses. */
	assert_int_equal(store_tlog_leaf_add(f->st, 3, h, "x", 1), ERR_OK);
	assert_int_equal(store_tlog_size(f->st, &size), ERR_OK);
	assert_int_equal(size, 4);
	assert_int_equal(store_commit(f->st), ERR_DB);
	assert_int_equal(store_tlog_size(f->st, &size), ERR_OK);
	assert_int_equal(size, 3);
	/* A node out of order breaks the transaction. */
	assert_int_equal(store_begin(f->st), ERR_OK);
	assert_int_equal(store_tlog_leaf_add(f->st, 3, h, "x", 1), ERR_OK);
	assert_int_equal(store_tlog_node_put(f->st, 2, 0, h), ERR_INVALID);
	assert_int_equal(store_tlog_node_put(f->st, 1, 1, h), ERR_DB);
	assert_int_equal(store_commit(f->st), ERR_DB);
	assert_int_equal(store_tlog_size(f->st, &size), ERR_OK);
	assert_int_equal(size, 3);
	audit_clean(f, f->st, 3);
	append_run(f, 2);
	check_roots(f, f->st, 1, 5);
}

/* Finding leaves by hash: committed, pending, repeated, absent. */
static void
test_find(void **state)
{
	struct fx *f = *state;
	struct tlog_appender a;
	struct buf b;
	uint8_t h[HB];
	uint64_t idx;

	append_run(f, 300);
	for (size_t i = 0; i < 300; i += 13) {
		assert_int_equal(store_tlog_leaf_find(f->st, f->leaf[i], &idx),
		    ERR_OK);
		assert_int_equal(idx, i);
	}
	memset(h, 0, sizeof(h));
	memcpy(h, f->leaf[5], 2);	/* same fingerprint, other hash */
	assert_int_equal(store_tlog_leaf_find(f->st, h, &idx), ERR_NOTFOUND);
	/* The same bytes again at 300 and 301: the lowest index is found. */
	buf_init(&b, 100);
	assert_int_equal(buf_addstr(&b, "same bytes"), ERR_OK);
	tlog_leaf_hash(b.ptr, b.len, h);
	assert_int_equal(store_begin(f->st), ERR_OK);
	assert_int_equal(tlog_appender_begin(&a, f->st), ERR_OK);
	assert_int_equal(tlog_appender_add(&a, (const uint8_t *)b.ptr, b.len,
	    &idx), ERR_OK);
	assert_int_equal(idx, 300);
	/* Pending, not yet written: found by this connection. */
	assert_int_equal(store_tlog_leaf_find(f->st, h, &idx), ERR_OK);
	assert_int_equal(idx, 300);
	assert_int_equal(tlog_appender_add(&a, (const uint8_t *)b.ptr, b.len,
	    &idx), ERR_OK);
	tlog_appender_done(&a);
	assert_int_equal(store_commit(f->st), ERR_OK);
	assert_int_equal(store_tlog_leaf_find(f->st, h, &idx), ERR_OK);
	assert_int_equal(idx, 300);
	buf_reset(&b);
}

/* Leaf bytes of every size come back as appended, in and out of bundles. */
static void
test_leaf_bytes(void **state)
{
	struct fx *f = *state;
	struct tlog_appender a;
	struct buf b;
	uint8_t *data, h[HB];
	size_t lens[700];
	uint64_t idx;

	data = malloc(STORE_TLOG_LEAF_MAX);
	assert_non_null(data);
	for (size_t i = 0; i < STORE_TLOG_LEAF_MAX; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	buf_init(&b, STORE_TLOG_LEAF_MAX);
	for (size_t t = 0; t < 7; t++) {
		assert_int_equal(store_begin(f->st), ERR_OK);
		assert_int_equal(tlog_appender_begin(&a, f->st), ERR_OK);
		for (size_t i = 0; i < 100; i++) {
			size_t n = t * 100 + i;

			/* 0 bytes, the limit, large ones closing bundles. */
			lens[n] = n == 0 ? 0 : n == 1 ? STORE_TLOG_LEAF_MAX :
			    n % 50 == 0 ? 40000 : (n * 37) % 3000;
			data[0] = (uint8_t)n;
			tlog_leaf_hash(data, lens[n], f->leaf[n]);
			assert_int_equal(tlog_appender_add(&a, data, lens[n],
			    &idx), ERR_OK);
			assert_int_equal(idx, n);
			/* Readable at once, in the pending bundle or not. */
			buf_clear(&b);
			assert_int_equal(store_tlog_leaf_get(f->st, n, h, &b),
			    ERR_OK);
			assert_int_equal(b.len, lens[n]);
		}
		tlog_appender_done(&a);
		assert_int_equal(store_commit(f->st), ERR_OK);
	}
	f->n = 700;
	store_tlog_uncache(f->st);
	for (size_t n = 0; n < 700; n++) {
		buf_clear(&b);
		assert_int_equal(store_tlog_leaf_get(f->st, n, h, &b), ERR_OK);
		assert_memory_equal(h, f->leaf[n], HB);
		assert_int_equal(b.len, lens[n]);
		data[0] = (uint8_t)n;
		if (lens[n] > 0)
			assert_memory_equal(b.ptr, data, lens[n]);
	}
	assert_int_equal(store_tlog_leaf_get(f->st, 700, h, &b), ERR_NOTFOUND);
	check_roots(f, f->st, 690, 700);
	buf_reset(&b);
	free(data);
}

/* ---- migration from schema 4 ---- */

#define V4_LEAVES	700

/* The object hashes v4 delivery leaves list. */
static uint8_t v4_delivered[40][HB];

/* Leaf i of the v4 log: objects, and a delivery every third leaf. */
static void
v4_leaf(size_t i, struct buf *b)
{
	struct tlog_leaf l;

	for (size_t k = 0; k < 40; k++)
		memset(v4_delivered[k], (int)(k * 5 + 1), HB);
	make_leaf(i, 7, &l);
	if (i % 3 == 1) {
		memset(&l, 0, sizeof(l));
		l.kind = TLOG_LEAF_DELIVERY;
		l.u.del.time = 1700000000000000ull + i;
		l.u.del.n = 1 + i % 40;
		l.u.del.hashes = (const uint8_t (*)[HB])v4_delivered;
	}
	buf_clear(b);
	assert_int_equal(tlog_leaf_encode(&l, b), ERR_OK);
}

/*
 * Build at f->path a database as entente schema 4 left it, with a log of
 * n leaves written the old way: tlog_leaves (index, hash, bytes) and every
 * complete inner node in tlog_nodes keyed level << 48 | index.  With
 * drop_node, node (3, 1) is left out.  Leaf hashes go to f->leaf.
 */
static void
v4_build(struct fx *f, size_t n, int drop_node)
{
	uint8_t (*lv)[HB] = calloc(n, HB), (*up)[HB] = calloc(n, HB);
	sqlite3_stmt *sl, *sn;
	struct buf b;
	sqlite3 *db;
	char *e = NULL;

	assert_non_null(lv);
	assert_non_null(up);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	for (size_t i = 0; i < 4; i++)
		if (sqlite3_exec(db, store_sqlite_migration_sql(i), NULL, NULL,
		    &e) != SQLITE_OK)
			fail_msg("step %zu: %s", i + 1, e);
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO tlog_leaves "
	    "(idx, hash, data) VALUES (?1, ?2, ?3)", -1, &sl, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO tlog_nodes "
	    "(id, hash) VALUES (?1, ?2)", -1, &sn, NULL), SQLITE_OK);
	buf_init(&b, TLOG_LEAF_MAX_BYTES);
	for (size_t i = 0; i < n; i++) {
		v4_leaf(i, &b);
		tlog_leaf_hash(b.ptr, b.len, lv[i]);
		memcpy(f->leaf[i], lv[i], HB);
		assert_int_equal(sqlite3_bind_int64(sl, 1, (int64_t)i),
		    SQLITE_OK);
		assert_int_equal(sqlite3_bind_blob(sl, 2, lv[i], HB,
		    SQLITE_TRANSIENT), SQLITE_OK);
		assert_int_equal(sqlite3_bind_blob(sl, 3, b.ptr, (int)b.len,
		    SQLITE_TRANSIENT), SQLITE_OK);
		assert_int_equal(sqlite3_step(sl), SQLITE_DONE);
		sqlite3_reset(sl);
	}
	f->n = n;
	/* Level by level: node (l, i) = H(node (l-1, 2i), node (l-1, 2i+1)). */
	for (unsigned lev = 1; ((size_t)1 << lev) <= n; lev++) {
		size_t cnt = n >> lev;

		for (size_t i = 0; i < cnt; i++) {
			tlog_node_hash(lv[2 * i], lv[2 * i + 1], up[i]);
			if (drop_node && lev == 3 && i == 1)
				continue;
			assert_int_equal(sqlite3_bind_int64(sn, 1,
			    (int64_t)(((uint64_t)lev << 48) | i)), SQLITE_OK);
			assert_int_equal(sqlite3_bind_blob(sn, 2, up[i], HB,
			    SQLITE_TRANSIENT), SQLITE_OK);
			assert_int_equal(sqlite3_step(sn), SQLITE_DONE);
			sqlite3_reset(sn);
		}
		memcpy(lv, up, cnt * HB);
	}
	sqlite3_finalize(sl);
	sqlite3_finalize(sn);
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	buf_reset(&b);
	free(lv);
	free(up);
}

/* Remove f's database files. */
static void
db_unlink(struct fx *f)
{
	char p[160];

	(void)unlink(f->path);
	(void)snprintf(p, sizeof(p), "%s-wal", f->path);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", f->path);
	(void)unlink(p);
}

/*
 * A v4 log of 700 leaves, migrated: the same size, roots of every size,
 * proofs, leaf bytes and lookups; then it grows on as a v5 log.
 */
static void
test_migrate_v4(void **state)
{
	struct fx *f = *state;
	uint8_t ref[HB], proof[TLOG_MAX_PROOF][HB], h[HB];
	struct buf b, want;
	uint64_t size, idx;
	size_t np;

	store_close(f->st);
	f->st = NULL;
	db_unlink(f);
	v4_build(f, V4_LEAVES, 0);

	assert_int_equal(store_open(f->path, 0, &f->st), ERR_OK);
	assert_int_equal(store_schema_version(f->st), 5);
	assert_int_equal(sqlite3_exec(store_sqlite_db(f->st), "SELECT 1 "
	    "FROM tlog_leaves", NULL, NULL, NULL), SQLITE_ERROR);
	assert_int_equal(tlog_tree_size(f->st, &size), ERR_OK);
	assert_int_equal(size, V4_LEAVES);
	check_roots(f, f->st, 1, V4_LEAVES);
	ref_mth((const uint8_t (*)[HB])f->leaf, V4_LEAVES, ref);
	for (size_t i = 0; i < V4_LEAVES; i += 7)
		check_leaf(f, f->st, i, V4_LEAVES, ref);
	for (size_t m = 1; m < V4_LEAVES; m += 37) {
		uint8_t r1[HB];

		ref_mth((const uint8_t (*)[HB])f->leaf, m, r1);
		assert_int_equal(tlog_tree_consistency(f->st, m, V4_LEAVES,
		    proof, &np), ERR_OK);
		assert_int_equal(tlog_verify_consistency(m, V4_LEAVES, r1,
		    ref, (const uint8_t (*)[HB])proof, np), ERR_OK);
	}
	buf_init(&b, STORE_TLOG_LEAF_MAX);
	buf_init(&want, TLOG_LEAF_MAX_BYTES);
	for (size_t i = 0; i < V4_LEAVES; i++) {
		v4_leaf(i, &want);
		buf_clear(&b);
		assert_int_equal(store_tlog_leaf_get(f->st, i, h, &b), ERR_OK);
		assert_memory_equal(h, f->leaf[i], HB);
		assert_int_equal(b.len, want.len);
		assert_memory_equal(b.ptr, want.ptr, want.len);
	}
	for (size_t i = 0; i < V4_LEAVES; i += 11) {
		assert_int_equal(store_tlog_leaf_find(f->st, f->leaf[i], &idx),
		    ERR_OK);
		assert_int_equal(idx, i);
	}
	audit_clean(f, f->st, V4_LEAVES);
	/* It grows on: the edge tiles came from the migration. */
	append_run(f, 1);
	append_run(f, 400);
	check_roots(f, f->st, V4_LEAVES - 5, f->n);
	assert_int_equal(tlog_tree_checkpoint(f->st, &f->signer, 9, NULL,
	    NULL), ERR_OK);
	audit_clean(f, f->st, f->n);
	buf_reset(&b);
	buf_reset(&want);
}

/* A v4 log missing an inner node does not migrate: nothing opens. */
static void
test_migrate_v4_broken(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	f->st = NULL;
	db_unlink(f);
	v4_build(f, 40, 1);
	assert_int_equal(store_open(f->path, 0, &f->st), ERR_DB);
	assert_null(f->st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roots_and_proofs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rollback, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_checkpoints, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cosign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_nodes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_leaf_hash, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_checkpoint, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_layout, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tile_boundaries, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_two_connections, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rollback_edge, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_misuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leaf_bytes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v4, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v4_broken, setup,
		    teardown),
	};

	if (crypto_init() != ERR_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
