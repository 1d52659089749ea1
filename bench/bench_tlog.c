/*
 * bench_tlog.c: the transparency log's figures (issue 4), each against a
 * baseline measured in the same run.
 *
 * usage: bench_tlog [PROOF_LEAVES]   (default 10,000,000)
 *
 *  1. leaf hashing of 1 KB entries (tlog_leaf_hash: SHA-256 with the CPU's
 *     SHA extensions through Nettle) against `openssl speed -evp sha256
 *     -bytes 1024` run now;
 *  2. appends of 1 KB entries into the SQLite store, 10,000 per
 *     transaction (batched durability: WAL, synchronous=NORMAL); then,
 *     on that log of 1M leaves, 200-byte leaves one per transaction (what
 *     the delivery writer does when it is not busy);
 *  3. inclusion proofs (generated from the store and verified) on a log of
 *     PROOF_LEAVES leaves, at random indexes against the full size; then
 *     leaves found by hash (store_tlog_leaf_find), the proof API's
 *     ?hash= and `entente log prove`;
 *  4. the ingest write path with and without the log: store_put_objects of
 *     1,000-object batches of ~600-byte objects, alone and followed by
 *     their object leaves in the same transaction.
 * Databases go in $TMPDIR (default /tmp) and are removed.  Not part of
 * make test: timings never are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "store/store.h"
#include "tlog/leaf.h"
#include "tlog/merkle.h"
#include "tlog/tree.h"
#include "util/buf.h"

#define ENTRY		1024
#define APPEND_N	1000000
#define APPEND_TXN	10000
#define PROOF_BUILD_TXN	100000
#define PROOFS		200000
#define SMALL_N		5000
#define FINDS		20
#define INGEST_N	200000
#define INGEST_BATCH	1000

static double
now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A fresh database path under $TMPDIR. */
static void
db_path(char *out, size_t cap, const char *tag)
{
	const char *t = getenv("TMPDIR");

	(void)snprintf(out, cap, "%s/entente-bench-tlog-%s-%d.db",
	    t != NULL ? t : "/tmp", tag, (int)getpid());
}

static void
db_remove(const char *p)
{
	char q[600];

	(void)unlink(p);
	(void)snprintf(q, sizeof(q), "%s-wal", p);
	(void)unlink(q);
	(void)snprintf(q, sizeof(q), "%s-shm", p);
	(void)unlink(q);
}

/* openssl's figure for SHA-256 on 1 KB blocks, bytes/s; 0 if unknown. */
static double
openssl_sha256(void)
{
	char line[512];
	double v = 0;
	FILE *p;

	p = popen("openssl speed -evp sha256 -bytes 1024 -seconds 2 "
	    "2>/dev/null", "r");
	if (p == NULL)
		return 0;
	while (fgets(line, sizeof(line), p) != NULL) {
		char *e;

		if (strncmp(line, "sha256 ", 7) != 0)
			continue;
		v = strtod(line + 7, &e) * 1000.0;	/* in 1000s of bytes */
	}
	(void)pclose(p);
	return v;
}

static void
bench_hash(void)
{
	uint8_t *buf, h[TLOG_HASH_BYTES];
	volatile uint8_t acc = 0;
	size_t n = 2000000;
	double t0, t1, ours, theirs;

	if ((buf = malloc(ENTRY)) == NULL)
		exit(1);
	memset(buf, 0x5a, ENTRY);
	t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		buf[i % ENTRY] ^= (uint8_t)i;
		tlog_leaf_hash(buf, ENTRY, h);
		acc ^= h[0];
	}
	t1 = now_s();
	ours = (double)n * ENTRY / (t1 - t0);
	theirs = openssl_sha256();
	printf("leaf hashing, 1 KB entries: %.0f MB/s", ours / 1e6);
	if (theirs > 0)
		printf("; openssl speed -evp sha256 -bytes 1024: %.0f MB/s; "
		    "ratio %.2f\n", theirs / 1e6, ours / theirs);
	else
		printf("; openssl not found, no baseline\n");
	/* Keep the hashes alive. */
	if (acc == 0 && n == 0)
		printf("\n");
	free(buf);
}

/* Append n leaves of len bytes, txn per transaction; leaves/s. */
static double
append_run(struct store *st, uint64_t n, size_t len, uint64_t txn,
    int progress)
{
	struct tlog_appender a;
	uint8_t *data;
	double t0, t1;
	uint64_t done = 0;

	if ((data = malloc(len)) == NULL)
		exit(1);
	memset(data, 0x33, len);
	t0 = now_s();
	while (done < n) {
		if (store_begin(st) != ERR_OK ||
		    tlog_appender_begin(&a, st) != ERR_OK) {
			fprintf(stderr, "bench_tlog: cannot begin\n");
			exit(1);
		}
		for (uint64_t k = 0; k < txn && done < n; k++, done++) {
			memcpy(data, &done, sizeof(done));
			if (tlog_appender_add(&a, data, len, NULL) != ERR_OK) {
				fprintf(stderr, "bench_tlog: append failed\n");
				exit(1);
			}
		}
		tlog_appender_done(&a);
		if (store_commit(st) != ERR_OK) {
			fprintf(stderr, "bench_tlog: commit failed\n");
			exit(1);
		}
		if (progress && isatty(2))
			fprintf(stderr, "\rbuilding: %llu / %llu leaves",
			    (unsigned long long)done, (unsigned long long)n);
	}
	t1 = now_s();
	if (progress && isatty(2))
		fputc('\n', stderr);
	free(data);
	return (double)n / (t1 - t0);
}

static void
bench_append(void)
{
	struct store *st;
	char p[512];
	double r;

	db_path(p, sizeof(p), "append");
	if (store_open(p, STORE_CREATE, &st) != ERR_OK)
		exit(1);
	r = append_run(st, APPEND_N, ENTRY, APPEND_TXN, 0);
	printf("append: %d leaves of 1 KB, %d per transaction: %.0f "
	    "leaves/s\n", APPEND_N, APPEND_TXN, r);
	r = append_run(st, SMALL_N, 200, 1, 0);
	printf("append: %d leaves of 200 bytes, one per transaction, on "
	    "that log: %.0f leaves/s\n", SMALL_N, r);
	store_close(st);
	db_remove(p);
}

static void
bench_proofs(uint64_t leaves)
{
	uint8_t proof[TLOG_MAX_PROOF][TLOG_HASH_BYTES], root[TLOG_HASH_BYTES];
	uint8_t leaf[TLOG_HASH_BYTES];
	struct store *st;
	uint64_t seed = 42;
	double t0, t1, r;
	size_t n;
	char p[512];

	db_path(p, sizeof(p), "proofs");
	if (store_open(p, STORE_CREATE, &st) != ERR_OK)
		exit(1);
	r = append_run(st, leaves, 64, PROOF_BUILD_TXN, 1);
	printf("built a log of %llu leaves (64-byte entries) at %.0f "
	    "leaves/s\n", (unsigned long long)leaves, r);
	if (store_read_begin(st) != ERR_OK ||
	    tlog_tree_root(st, leaves, root) != ERR_OK)
		exit(1);
	t0 = now_s();
	for (size_t i = 0; i < PROOFS; i++) {
		uint64_t idx = rnd(&seed) % leaves;

		if (tlog_tree_inclusion(st, idx, leaves, proof, &n) != ERR_OK ||
		    store_tlog_leaf_get(st, idx, leaf, NULL) != ERR_OK ||
		    tlog_verify_inclusion(idx, leaves, leaf,
		    (const uint8_t (*)[TLOG_HASH_BYTES])proof, n, root) !=
		    ERR_OK) {
			fprintf(stderr, "bench_tlog: proof %zu failed\n", i);
			exit(1);
		}
	}
	t1 = now_s();
	store_read_end(st);
	printf("inclusion proofs on %llu leaves (generated from the store and "
	    "verified): %.0f proofs/s\n", (unsigned long long)leaves,
	    PROOFS / (t1 - t0));
	t0 = now_s();
	for (size_t i = 0; i < FINDS; i++) {
		uint64_t idx = rnd(&seed) % leaves, found;

		if (store_tlog_leaf_get(st, idx, leaf, NULL) != ERR_OK ||
		    store_tlog_leaf_find(st, leaf, &found) != ERR_OK ||
		    found != idx) {
			fprintf(stderr, "bench_tlog: find %zu failed\n", i);
			exit(1);
		}
	}
	t1 = now_s();
	printf("leaves found by hash on %llu leaves: %.1f ms each\n",
	    (unsigned long long)leaves, (t1 - t0) * 1000 / FINDS);
	store_close(st);
	db_remove(p);
}

/* The ingest write path, with or without object leaves. */
static double
ingest_run(int with_log)
{
	struct store_obj_in *in;
	enum store_put_result *res;
	int64_t *added, coll;
	char (*json)[700], (*ids)[80];
	struct tlog_appender a;
	struct tlog_leaf l;
	struct store *st;
	uint8_t pub[32], seed[32];
	int64_t party;
	double t0, t1;
	char p[512];

	db_path(p, sizeof(p), with_log ? "ingest-log" : "ingest");
	if (store_open(p, STORE_CREATE, &st) != ERR_OK ||
	    crypto_ed25519_keypair(pub, seed) != ERR_OK ||
	    store_party_add(st, "bench", pub, STORE_ROLE_SELF, &party) !=
	    ERR_OK || store_collection_add(st,
	    "11111111-2222-4333-8444-555555555555", "bench", "", &coll) !=
	    ERR_OK)
		exit(1);
	in = calloc(INGEST_BATCH, sizeof(*in));
	res = calloc(INGEST_BATCH, sizeof(*res));
	added = calloc(INGEST_BATCH, sizeof(*added));
	json = calloc(INGEST_BATCH, sizeof(*json));
	ids = calloc(INGEST_BATCH, sizeof(*ids));
	if (in == NULL || res == NULL || added == NULL || json == NULL ||
	    ids == NULL)
		exit(1);
	memset(&l, 0, sizeof(l));
	l.kind = TLOG_LEAF_OBJECT;
	memcpy(l.u.obj.producer, pub, 32);
	memset(l.u.obj.collection, 0x11, sizeof(l.u.obj.collection));
	t0 = now_s();
	for (int b = 0; b < INGEST_N / INGEST_BATCH; b++) {
		/* Inputs are built inside the clock in both runs alike. */
		for (int i = 0; i < INGEST_BATCH; i++) {
			int k = b * INGEST_BATCH + i;

			(void)snprintf(ids[i], sizeof(ids[i]),
			    "indicator--%08x-0000-4000-8000-%012x", k, k);
			(void)snprintf(json[i], sizeof(json[i]),
			    "{\"id\":\"%s\",\"pad\":\"%0560d\"}", ids[i], k);
			in[i].stix_id = ids[i];
			in[i].type = "indicator";
			in[i].version = 1700000000000000 + k;
			in[i].json = json[i];
			in[i].json_len = strlen(json[i]);
			crypto_sha256(json[i], in[i].json_len, in[i].hash);
		}
		if (store_begin(st) != ERR_OK ||
		    (with_log && tlog_appender_begin(&a, st) != ERR_OK) ||
		    store_put_objects(st, coll, party, in, INGEST_BATCH, res,
		    added) != ERR_OK)
			exit(1);
		for (int i = 0; with_log && i < INGEST_BATCH; i++) {
			memcpy(l.u.obj.object_hash, in[i].hash, 32);
			l.u.obj.date_added = (uint64_t)added[i];
			l.u.obj.version = in[i].version;
			memcpy(l.u.obj.id, ids[i], strlen(ids[i]) + 1);
			if (tlog_appender_add_leaf(&a, &l, NULL) != ERR_OK)
				exit(1);
		}
		if (with_log)
			tlog_appender_done(&a);
		if (store_commit(st) != ERR_OK)
			exit(1);
	}
	t1 = now_s();
	free(in);
	free(res);
	free(added);
	free(json);
	free(ids);
	store_close(st);
	db_remove(p);
	return INGEST_N / (t1 - t0);
}

static void
bench_ingest(void)
{
	double off, on, off2, on2;

	/* Interleaved, twice, so drift on a shared machine hits both. */
	off = ingest_run(0);
	on = ingest_run(1);
	off2 = ingest_run(0);
	on2 = ingest_run(1);
	printf("ingest write path, %d objects of ~600 bytes in batches of %d: "
	    "without log %.0f / %.0f objects/s, with log %.0f / %.0f; "
	    "with/without %.2f\n", INGEST_N, INGEST_BATCH, off, off2, on, on2,
	    (on + on2) / (off + off2));
}

int
main(int argc, char **argv)
{
	uint64_t leaves = 10000000;

	if (argc > 2 || (argc == 2 && (leaves = strtoull(argv[1], NULL,
	    10)) == 0)) {
		fprintf(stderr, "usage: bench_tlog [PROOF_LEAVES]\n");
		return 2;
	}
	if (crypto_init() != ERR_OK)
		return 1;
	printf("bench_tlog (the command: %s%s%s)\n", argv[0],
	    argc == 2 ? " " : "", argc == 2 ? argv[1] : "");
	bench_hash();
	bench_append();
	bench_ingest();
	bench_proofs(leaves);
	return 0;
}
