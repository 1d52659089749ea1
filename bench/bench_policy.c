/*
 * bench_policy.c: cost of policy decisions with 100 agreements installed.
 *
 * usage: bench_policy [N_DECISIONS]   (default 2,000,000)
 *
 * Builds 100 agreements between this node's party and 120 partners: 90
 * bilateral, 10 with five parties, each with 2 to 6 share clauses (both
 * directions, types, labels, collections, TLP limits, onward rules), some
 * expired or terminated.  Makes 10,000 random objects (a third of them
 * received from partners, so the onward rules run) and prints:
 *   - the time to build the policy;
 *   - ns per read decision, random object and random reader, and over
 *     the allowed cases alone;
 *   - the cost of filtering one 1,000-object page for one reader;
 *   - ns per explained deny (every reason collected);
 *   - ns per write decision.
 * Inputs are built before the clock starts; a fixed seed makes every run
 * decide the same cases.  Not part of make test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"
#include "policy/agreement.h"
#include "policy/policy.h"
#include "util/timeutil.h"

#define N_PARTNERS	120
#define N_AGREEMENTS	100
#define N_BILATERAL	90
#define N_OBJECTS	10000
#define PAGE		1000
#define DAY		(86400LL * 1000000LL)

static const char *const types[] = { "indicator", "malware", "report",
	"tool", "attack-pattern", "campaign", "intrusion-set", "sighting",
	"note", "vulnerability" };
static const char *const labels[] = { "energy", "water", "finance",
	"health", "transport", "ics", "ransomware", "apt" };
static const char *const colls[] = { "grid", "water", "banks", "hospitals",
	"rail", "general", "ics", "apt" };
static const char *const tlps[] = { "clear", "green", "amber",
	"amber+strict", "red" };
static const char *const onwards[] = { "none", "parties", "any" };

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static uint64_t rs = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static size_t
pick(size_t n)
{
	return (size_t)(rnd() % n);
}

static double
now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t keys[N_PARTNERS + 1][CRYPTO_ED25519_PUBLIC_BYTES];
static char keys64[N_PARTNERS + 1][AGREEMENT_KEY_B64_LEN + 1];

static json_t *
list(const char *const *pool, size_t n_pool, size_t k)
{
	json_t *a = json_array();
	size_t start = pick(n_pool);

	for (size_t i = 0; i < k && i < n_pool; i++)
		json_array_append_new(a, json_string(pool[(start + i) %
		    n_pool]));
	return a;
}

/* Agreement i between party 0 (this node) and the parties in p[0..np). */
static struct agreement *
make_agreement(int i, const int *p, int np, int64_t t0)
{
	struct agreement_report rep;
	struct agreement *a = NULL;
	char id[64], name[16], f[TS_BUFSZ], u[TS_BUFSZ];
	json_t *parties = json_array(), *share = json_array(), *doc, *c;
	int n_cl = 2 + (int)pick(5);

	(void)snprintf(id, sizeof(id),
	    "agreement--00000000-0000-4000-8000-%012d", i);
	for (int k = 0; k < np; k++) {
		(void)snprintf(name, sizeof(name), "P%d", p[k]);
		json_array_append_new(parties, json_pack("{s:s,s:s,s:s}",
		    "name", name, "key", keys64[p[k]], "contact",
		    "soc@example.org"));
	}
	for (int k = 0; k < n_cl; k++) {
		int from = k % 2 == 0 ? 0 : p[1 + pick((size_t)np - 1)];
		int to = from == 0 ? p[1 + pick((size_t)np - 1)] : 0;
		int all = pick(4) == 0;
		size_t tlp = all ? pick(4) : pick(5);
		char fn[16], tn[16];

		(void)snprintf(fn, sizeof(fn), "P%d", from);
		(void)snprintf(tn, sizeof(tn), "P%d", to);
		c = json_pack("{s:s,s:s,s:o,s:o,s:s,s:s}", "from", fn, "to",
		    all ? "*" : tn, "types", pick(5) == 0 ?
		    json_pack("[s]", "*") : list(types, NELEM(types),
		    1 + pick(4)), "collections", list(colls, NELEM(colls),
		    1 + pick(3)), "tlp_max", tlps[tlp], "onward",
		    onwards[pick(3)]);
		if (pick(3) == 0)
			json_object_set_new(c, "labels_any", list(labels,
			    NELEM(labels), 1 + pick(3)));
		json_array_append_new(share, c);
	}
	/* Most in force; some expired. */
	ts_format(t0 - (int64_t)(1 + pick(300)) * DAY, f);
	ts_format(t0 + (pick(10) == 0 ? -DAY : (int64_t)(1 + pick(900)) *
	    DAY), u);
	doc = json_pack("{s:s,s:i,s:s,s:o,s:s,s:s,s:{s:o}}", "id", id,
	    "version", 1, "title", "bench", "parties", parties, "valid_from",
	    f, "valid_until", u, "clauses", "share", share);
	agreement_report_init(&rep);
	if (doc == NULL || agreement_from_json(doc, &a, &rep) != ERR_OK) {
		fprintf(stderr, "bench_policy: agreement %d: %s\n", i,
		    rep.n > 0 ? rep.msg[0] : "?");
		exit(1);
	}
	json_decref(doc);
	return a;
}

struct bobj {
	struct policy_object	 o;
	const char		*labels[2];
};

int
main(int argc, char **argv)
{
	static struct agreement *ag[N_AGREEMENTS];
	static struct bobj objs[N_OBJECTS];
	struct policy_why_list why;
	struct policy_grant g;
	struct policy *p = NULL;
	uint8_t seed[32];
	long n_dec = 2000000;
	int64_t t0 = 1767225600000000LL;	/* 2026-01-01 */
	uint32_t *readers;
	double t, build_s, read_ns, page_us, why_ns, write_ns, allow_ns;
	size_t allowed = 0, n_deny = 0, n_allow_cases, i;
	volatile size_t sink = 0;

	if (argc > 1 && (n_dec = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: bench_policy [N_DECISIONS]\n");
		return 2;
	}
	for (i = 0; i <= N_PARTNERS; i++) {
		memset(seed, 0, sizeof(seed));
		memcpy(seed, &i, sizeof(i));
		crypto_ed25519_public(seed, keys[i]);
		if (crypto_b64_encode(keys[i], 32, 0, keys64[i],
		    sizeof(keys64[i])) != ERR_OK)
			return 1;
	}
	for (int k = 0; k < N_AGREEMENTS; k++) {
		int parties[5] = { 0 }, np = 2;

		if (k < N_BILATERAL) {
			parties[1] = 1 + k;
		} else {
			np = 5;
			for (int j = 1; j < 5; j++)
				parties[j] = 1 + N_BILATERAL +
				    ((k - N_BILATERAL) * 3 + j - 1) % 30;
		}
		ag[k] = make_agreement(k, parties, np, t0);
	}
	for (i = 0; i < N_OBJECTS; i++) {
		struct bobj *b = &objs[i];

		b->o.type = types[pick(NELEM(types))];
		b->labels[0] = labels[pick(NELEM(labels))];
		b->labels[1] = labels[pick(NELEM(labels))];
		b->o.labels = b->labels;
		b->o.n_labels = pick(3);
		b->o.collection = colls[pick(NELEM(colls))];
		b->o.tlp = (enum agreement_tlp)pick(6);
		if (pick(3) == 0) {
			size_t k = pick(N_AGREEMENTS);
			size_t from = k < N_BILATERAL ? 1 + k :
			    1 + N_BILATERAL + pick(30);

			b->o.producer = keys[from];
			b->o.received_from = keys[from];
			b->o.received_under = ag[k]->id;
		}
	}
	readers = malloc(sizeof(*readers) * (size_t)n_dec);
	if (readers == NULL)
		return 1;
	for (long k = 0; k < n_dec; k++)
		readers[k] = (uint32_t)(1 + pick(N_PARTNERS));

	t = now_s();
	if (policy_new(keys[0], AGREEMENT_TLP_AMBER, &p) != ERR_OK)
		return 1;
	for (int k = 0; k < N_AGREEMENTS; k++)
		if (policy_add(p, ag[k], k % 17 == 0 ? t0 - DAY :
		    POLICY_NEVER) != ERR_OK)
			return 1;
	build_s = now_s() - t;

	/* Random object, random reader. */
	t = now_s();
	for (long k = 0; k < n_dec; k++)
		allowed += (size_t)policy_read(p, keys[readers[k]],
		    &objs[(size_t)k % N_OBJECTS].o, t0, &g, NULL);
	read_ns = (now_s() - t) * 1e9 / (double)n_dec;

	/* The allowed cases alone (picked before the clock starts). */
	{
		uint32_t *ar = malloc(sizeof(*ar) * (size_t)n_dec);
		size_t *ao = malloc(sizeof(*ao) * (size_t)n_dec), n_ok = 0;
		long k;

		if (ar == NULL || ao == NULL)
			return 1;
		for (k = 0; k < n_dec && n_ok < (size_t)n_dec; k++) {
			uint32_t r = (uint32_t)(1 + pick(N_PARTNERS));
			size_t o = pick(N_OBJECTS);

			if (policy_read(p, keys[r], &objs[o].o, t0, NULL,
			    NULL)) {
				ar[n_ok] = r;
				ao[n_ok++] = o;
			}
		}
		t = now_s();
		for (i = 0; i < n_ok; i++)
			sink += (size_t)policy_read(p, keys[ar[i]],
			    &objs[ao[i]].o, t0, &g, NULL);
		allow_ns = n_ok > 0 ? (now_s() - t) * 1e9 / (double)n_ok : 0;
		n_allow_cases = n_ok;
		free(ar);
		free(ao);
	}

	/* One reader filters a page of 1,000 objects. */
	{
		long pages = n_dec / PAGE;

		if (pages < 10)
			pages = 10;
		t = now_s();
		for (long k = 0; k < pages; k++) {
			const uint8_t *r = keys[1 + k % N_PARTNERS];
			size_t base = (size_t)(k * PAGE) % (N_OBJECTS - PAGE);

			for (size_t j = 0; j < PAGE; j++)
				sink += (size_t)policy_read(p, r,
				    &objs[base + j].o, t0, NULL, NULL);
		}
		page_us = (now_s() - t) * 1e6 / (double)pages;
	}

	/* Denies with every reason. */
	t = now_s();
	for (long k = 0; k < n_dec / 10; k++) {
		if (!policy_read(p, keys[readers[k]], &objs[(size_t)k %
		    N_OBJECTS].o, t0, &g, &why))
			n_deny++;
	}
	why_ns = (now_s() - t) * 1e9 / (double)(n_dec / 10);

	/* Writes: partners posting their own objects. */
	{
		char ident[N_PARTNERS + 1][AGREEMENT_IDENTITY_LEN + 1];

		for (i = 0; i <= N_PARTNERS; i++)
			agreement_identity_id(keys[i], ident[i]);
		t = now_s();
		for (long k = 0; k < n_dec / 10; k++) {
			uint32_t w = readers[k];

			sink += (size_t)policy_write(p, keys[w],
			    &objs[(size_t)k % N_OBJECTS].o, ident[w], NULL, 0,
			    t0, &g, NULL);
		}
		write_ns = (now_s() - t) * 1e9 / (double)(n_dec / 10);
	}

	printf("bench_policy: %d agreements, %d partners, %d objects\n",
	    N_AGREEMENTS, N_PARTNERS, N_OBJECTS);
	printf("  build policy          %.3f ms\n", build_s * 1e3);
	printf("  read decision         %.1f ns (%ld decisions, %.1f%% "
	    "allowed)\n", read_ns, n_dec, 100.0 * (double)allowed /
	    (double)n_dec);
	printf("  allowed reads only    %.1f ns (%zu decisions)\n", allow_ns,
	    n_allow_cases);
	printf("  filter 1,000-object page  %.1f us\n", page_us);
	printf("  explained read        %.1f ns (%zu of %ld denied, every "
	    "reason)\n", why_ns, n_deny, n_dec / 10);
	printf("  write decision        %.1f ns\n", write_ns);
	printf("  (command: %s %ld)\n", argv[0], n_dec);
	(void)sink;
	policy_free(p);
	for (int k = 0; k < N_AGREEMENTS; k++)
		agreement_free(ag[k]);
	free(readers);
	return 0;
}
