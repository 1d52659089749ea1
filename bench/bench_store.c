/*
 * bench_store.c: throughput of the SQLite store on fixed inputs.
 *
 * usage: bench_store [N_BATCHES [BATCH]]   (default 200 batches of 1000)
 *
 * With BENCH_RECEIVED=1 in the environment every object carries the policy
 * fields a partner's object has (TLP, a 12-byte label list, producer and
 * sender keys, the 47-byte id of the agreement it came under); without it,
 * none, as the node's own objects.
 *
 * The database goes in $TMPDIR (default /tmp): TMPDIR=/dev/shm measures
 * the CPU cost alone, without the disk.
 * Adds N_BATCHES x BATCH objects of about 600 bytes (one in five a newer
 * version of an object already stored) to a new database in a temporary
 * directory, one store_put_objects call per batch, and prints objects/s.
 * Then pages through the collection with a few typical queries and prints
 * rows/s and us per page.  Inputs are built before the clock starts; the
 * hash is a stand-in (the store only compares it).  Not part of make test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "util/limits.h"

#define BENCH_JSON_BYTES	600
#define BENCH_TYPES		6

static const char *const types[BENCH_TYPES] = {
	"indicator", "malware", "report", "tool", "attack-pattern",
	"identity"
};

struct bobj {
	char	id[80];
	char	json[BENCH_JSON_BYTES + 200];
};

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

/* BENCH_RECEIVED=1: objects carry a partner's policy fields. */
static int received;

/* Build object i of the run: an id, JSON of ~600 bytes, a fake hash. */
static void
make_obj(struct bobj *b, struct store_obj_in *in, uint64_t idnum, int type,
    int64_t version)
{
	static const char pad[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	size_t n;
	int k;

	(void)snprintf(b->id, sizeof(b->id), "%s--%08llx-0000-4000-8000-"
	    "%012llx", types[type], (unsigned long long)(idnum >> 20),
	    (unsigned long long)idnum);
	k = snprintf(b->json, sizeof(b->json), "{\"created\":%lld,"
	    "\"id\":\"%s\",\"modified\":%lld,\"name\":\"bench\","
	    "\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\","
	    "\"spec_version\":\"2.1\",\"type\":\"%s\",\"x\":\"",
	    (long long)version, b->id, (long long)version, types[type]);
	n = k > 0 ? (size_t)k : 0;
	while (n < BENCH_JSON_BYTES - 2) {
		b->json[n] = pad[n % (sizeof(pad) - 1)];
		n++;
	}
	b->json[n++] = '"';
	b->json[n++] = '}';
	b->json[n] = '\0';
	memset(in, 0, sizeof(*in));
	if (received) {
		static const uint8_t key[32] = { 1, 2, 3 };

		in->tlp = 3;
		in->labels = "energy\0grid\0";
		in->labels_len = 12;
		in->producer = key;
		in->sender = key;
		in->under = "agreement--0f6c5a7e-3b9d-4e2a-9c1f-5d8e7b6a4c32";
	}
	in->stix_id = b->id;
	in->type = types[type];
	in->version = version;
	in->json = b->json;
	in->json_len = n;
	for (size_t i = 0; i < STORE_SHA256_BYTES; i++)
		in->hash[i] = (uint8_t)(idnum >> (i % 8) ^ (uint64_t)version ^
		    i);
}

/* Page through q to the end; print rows/s and us per page. */
static int
bench_query(struct store *st, const char *name, struct store_query q)
{
	struct store_page pg;
	size_t rows = 0, pages = 0;
	double t0, dt;

	t0 = now_s();
	for (;;) {
		if (store_query_objects(st, &q, &pg) != ERR_OK) {
			fprintf(stderr, "query %s failed\n", name);
			return -1;
		}
		rows += pg.n;
		pages++;
		if (!pg.more) {
			store_page_free(&pg);
			break;
		}
		q.after = pg.rows[pg.n - 1].date_added;
		store_page_free(&pg);
	}
	dt = now_s() - t0;
	printf("query %-28s %8zu rows %6zu pages %10.0f rows/s %8.1f "
	    "us/page\n", name, rows, pages, (double)rows / dt,
	    dt * 1e6 / (double)pages);
	return 0;
}

int
main(int argc, char **argv)
{
	struct store *st = NULL;
	struct store_obj_in *in = NULL;
	struct bobj *b = NULL;
	enum store_put_result *res = NULL;
	struct store_query q;
	char dir[256], path[300], p2[320];
	const char *two[2] = { "malware", "indicator" }, *tmp;
	int64_t coll, party, *da = NULL, ver[1];
	size_t nb = 200, bs = 1000, total, added = 0;
	uint64_t seed = 0x9e3779b97f4a7c15ull, next_id = 1;
	double t0, dt;
	int rc = 1;

	received = getenv("BENCH_RECEIVED") != NULL &&
	    strcmp(getenv("BENCH_RECEIVED"), "1") == 0;
	if (argc > 1)
		nb = strtoul(argv[1], NULL, 10);
	if (argc > 2)
		bs = strtoul(argv[2], NULL, 10);
	if (nb == 0 || bs == 0 || nb > 100000 || bs > LIM_ENVELOPE_OBJECTS) {
		fprintf(stderr, "usage: bench_store [N_BATCHES [BATCH]]\n");
		return 2;
	}
	total = nb * bs;
	tmp = getenv("TMPDIR");
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if (snprintf(dir, sizeof(dir), "%s/bench_store.XXXXXX", tmp) >=
	    (int)sizeof(dir) || mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench_store: cannot make a directory in %s\n",
		    tmp);
		return 1;
	}
	(void)snprintf(path, sizeof(path), "%s/store.db", dir);
	in = calloc(total, sizeof(*in));
	b = calloc(total, sizeof(*b));
	res = calloc(bs, sizeof(*res));
	da = calloc(bs, sizeof(*da));
	if (in == NULL || b == NULL || res == NULL || da == NULL)
		goto out;
	/* One in five is a newer version of an earlier object. */
	for (size_t i = 0; i < total; i++) {
		uint64_t id;

		if (i > bs && rnd(&seed) % 5 == 0)
			id = 1 + rnd(&seed) % (next_id - 1);
		else
			id = next_id++;
		make_obj(&b[i], &in[i], id, (int)(id % BENCH_TYPES),
		    1700000000000000ll + (int64_t)i);
	}
	if (store_open(path, STORE_CREATE, &st) != ERR_OK ||
	    store_party_add(st, "bench", NULL, STORE_ROLE_PARTNER, &party) !=
	    ERR_OK || store_collection_add(st,
	    "00000000-0000-4000-8000-000000000001", "bench", "", &coll) !=
	    ERR_OK)
		goto out;

	t0 = now_s();
	for (size_t i = 0; i < nb; i++) {
		if (store_put_objects(st, coll, party, in + i * bs, bs, res,
		    da) != ERR_OK) {
			fprintf(stderr, "put failed at batch %zu\n", i);
			goto out;
		}
		for (size_t k = 0; k < bs; k++)
			added += res[k] == STORE_PUT_ADDED;
	}
	dt = now_s() - t0;
	printf("put   %zu objects (%d bytes) in batches of %zu: %.2f s, "
	    "%.0f objects/s (%zu added)\n", total, BENCH_JSON_BYTES, bs, dt,
	    (double)total / dt, added);

	memset(&q, 0, sizeof(q));
	q.coll_id = coll;
	q.limit = LIM_PAGE_MAX;
	q.ver_flags = STORE_VER_ALL;
	q.want_json = 1;
	if (bench_query(st, "all, objects, limit 1000", q) != 0)
		goto out;
	q.want_json = 0;
	if (bench_query(st, "all, manifest, limit 1000", q) != 0)
		goto out;
	q.ver_flags = STORE_VER_LAST;
	q.want_json = 1;
	if (bench_query(st, "last, objects, limit 1000", q) != 0)
		goto out;
	q.types = two;
	q.n_types = 2;
	q.ver_flags = STORE_VER_FIRST | STORE_VER_LAST;
	if (bench_query(st, "first|last x 2 types", q) != 0)
		goto out;
	q.limit = 10;
	q.n_types = 0;
	ver[0] = 1700000000000000ll + (int64_t)total / 2;
	q.versions = ver;
	q.n_versions = 1;
	q.ver_flags = 0;
	if (bench_query(st, "one exact version", q) != 0)
		goto out;
	{
		const char *id = b[total / 3].id;

		q.n_versions = 0;
		q.ver_flags = STORE_VER_ALL;
		q.ids = &id;
		q.n_ids = 1;
		if (bench_query(st, "match[id], all versions", q) != 0)
			goto out;
	}
	rc = 0;
out:
	store_close(st);
	(void)unlink(path);
	(void)snprintf(p2, sizeof(p2), "%s-wal", path);
	(void)unlink(p2);
	(void)snprintf(p2, sizeof(p2), "%s-shm", path);
	(void)unlink(p2);
	(void)rmdir(dir);
	free(in);
	free(b);
	free(res);
	free(da);
	return rc;
}
