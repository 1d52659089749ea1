/*
 * test_tree.c: the transparency log kept in the store (tlog/tree.c).
 *
 * Every test works on a fresh database.  Roots and proofs of the stored
 * tree are checked against a recursive reference computed here from the
 * leaf hashes (RFC 9162 2.1.1 MTH), for every size, after appends in
 * transactions of varying lengths; checkpoints, cosignatures and the audit
 * against tampering done behind the store's back.
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

struct fx {
	char		dir[64];
	char		path[128];
	struct store	*st;
	uint8_t		leaf[NLEAVES][HB];	/* leaf hashes appended */
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

/* Leaf i's bytes: an object leaf whose id varies with i. */
static void
make_leaf(uint64_t i, struct tlog_leaf *l)
{
	memset(l, 0, sizeof(*l));
	l->kind = TLOG_LEAF_OBJECT;
	memset(l->u.obj.object_hash, (int)(i & 0xff), HB);
	l->u.obj.date_added = 1700000000000000ull + i;
	l->u.obj.version = 1700000000000000ll;
	memset(l->u.obj.collection, 7, sizeof(l->u.obj.collection));
	memset(l->u.obj.producer, 9, sizeof(l->u.obj.producer));
	(void)snprintf(l->u.obj.id, sizeof(l->u.obj.id),
	    "indicator--00000000-0000-4000-8000-%012llu",
	    (unsigned long long)i);
}

/* Append count leaves in one transaction, recording their hashes. */
static void
append_run(struct fx *f, size_t count)
{
	struct tlog_appender a;
	struct tlog_leaf l;
	struct buf b;
	uint64_t idx;

	buf_init(&b, TLOG_LEAF_MAX_BYTES);
	assert_int_equal(store_begin(f->st), ERR_OK);
	assert_int_equal(tlog_appender_begin(&a, f->st), ERR_OK);
	for (size_t k = 0; k < count; k++) {
		make_leaf(f->n, &l);
		buf_clear(&b);
		assert_int_equal(tlog_leaf_encode(&l, &b), ERR_OK);
		tlog_leaf_hash(b.ptr, b.len, f->leaf[f->n]);
		assert_int_equal(tlog_appender_add_leaf(&a, &l, &idx), ERR_OK);
		assert_int_equal(idx, f->n);
		f->n++;
	}
	tlog_appender_done(&a);
	assert_int_equal(store_commit(f->st), ERR_OK);
	buf_reset(&b);
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
	make_leaf(99, &l);
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

/* Change one stored byte behind the store's back. */
static void
tamper(struct fx *f, const char *sql)
{
	char *e = NULL;

	assert_int_equal(sqlite3_exec(store_sqlite_db(f->st), sql, NULL, NULL,
	    &e), SQLITE_OK);
	sqlite3_free(e);
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

	/* A leaf's bytes changed. */
	tamper(f, "UPDATE tlog_leaves SET data = "
	    "substr(data, 1, 10) || X'00' || substr(data, 12) WHERE idx = 20");
	assert_int_equal(tlog_tree_audit(f->st, &f->vkey, NULL, NULL, &rep),
	    ERR_OK);
	assert_true(rep.bad > 0);
	assert_non_null(strstr(rep.first, "leaf 20"));
}

/* An inner node or a checkpoint changed. */
static void
test_audit_nodes(void **state)
{
	struct fx *f = *state;
	struct tlog_audit rep;

	append_run(f, 16);
	assert_int_equal(tlog_tree_checkpoint(f->st, &f->signer, 5, NULL,
	    NULL), ERR_OK);
	tamper(f, "UPDATE tlog_nodes SET hash = zeroblob(32) "
	    "WHERE id = (2 << 48) | 1");
	assert_int_equal(tlog_tree_audit(f->st, &f->vkey, NULL, NULL, &rep),
	    ERR_OK);
	assert_true(rep.bad > 0);
	assert_non_null(strstr(rep.first, "node (2, 1)"));
}

static void
test_audit_checkpoint(void **state)
{
	struct fx *f = *state;
	struct tlog_audit rep;

	append_run(f, 5);
	assert_int_equal(tlog_tree_checkpoint(f->st, &f->signer, 5, NULL,
	    NULL), ERR_OK);
	tamper(f, "UPDATE tlog_checkpoints SET root = zeroblob(32) "
	    "WHERE size = 5");
	assert_int_equal(tlog_tree_audit(f->st, &f->vkey, NULL, NULL, &rep),
	    ERR_OK);
	assert_true(rep.bad > 0);
	assert_non_null(strstr(rep.first, "checkpoint of size 5"));
	/* A checkpoint of leaves that are not stored. */
	tamper(f, "UPDATE tlog_checkpoints SET root = "
	    "(SELECT hash FROM tlog_leaves WHERE idx = 0) WHERE size = 5;"
	    "DELETE FROM tlog_leaves WHERE idx = 4");
	assert_int_equal(tlog_tree_audit(f->st, &f->vkey, NULL, NULL, &rep),
	    ERR_OK);
	assert_non_null(strstr(rep.first, "past the tree"));
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
		cmocka_unit_test_setup_teardown(test_audit_checkpoint, setup,
		    teardown),
	};

	if (crypto_init() != ERR_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
