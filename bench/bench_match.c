/*
 * bench_match.c: the matcher on the real indicator lists and a generated
 * mixed log.  Not part of make test.
 *
 * usage: bench_match [--data DIR] [--tmp DIR] [--log-mb N] [--grep-mb N]
 *                    [--compile N] [--runs N] [--no-grep]
 *        bench_match [--data DIR] --scan FILE...
 *
 * 1. Loads the lists in DIR (default ../shared/data/indicators, xz files
 *    read through `xz -dc`): domains, IPv4, IPv4 and IPv6 CIDRs, URLs, MD5,
 *    SHA-1, SHA-256, plus synthesized e-mail addresses (no real list of
 *    them exists), and compiles them, timing it; the set's memory is
 *    compared with the raw lists' size.
 * 2. Generates (once; kept in TMP) a log of N MB (default 1024) mixing
 *    sshd, Squid, BIND, JSON application, firewall, mail and kernel lines
 *    with real benign domains (a Zipf draw from the top list), private and
 *    public addresses, hashes, e-mail addresses and URLs; a few tokens
 *    come from the indicator lists (hits), some are decoys (the indicator
 *    with a label prefix glued on: "bet" + "rivers.com").  While writing,
 *    the generator counts the hits each token must give with its own
 *    structures (sorted arrays and binary search, a linear CIDR check), so
 *    the scanner's count is checked against an independent oracle.
 * 3. Scans the log in memory, in blocks of whole lines as entente match
 *    does: one thread, then two; the vector code, the portable code with
 *    its fast paths and the reference code (portable, every run by the
 *    general rules: match_scanner_set_simd(sc, 0)) must give the oracle's
 *    count.  Baselines in the same run: a memchr line split and
 *    match_count_newlines over the same bytes.
 * 4. Runs LC_ALL=C grep -F -c -f domains.txt on the first --grep-mb MB
 *    (grep is too slow for the whole log) and compares throughputs and
 *    the lines each reports.
 * 5. Compiles --compile synthesized indicators (default 10M) and reports
 *    the time and memory.
 * Exits 1 when a count differs from the oracle's.
 *
 * With --scan, only builds the set and reports, for each FILE, the CPU
 * time per line of a one-thread scan with the set and with an empty set
 * (the tokenizer alone), the median of --runs runs: how the cost splits
 * by kind of log line.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "match/matchset.h"
#include "match/reader.h"
#include "match/scan.h"

#define LOG_VERSION	4
#define BLOCK		(1024u * 1024u)

/* -- Helpers */

static double
cpu_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 2685821657736338717ull;
}

static uint32_t
rndn(uint32_t n)
{
	return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

static double
rndf(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL) {
		fprintf(stderr, "bench_match: out of memory (%zu bytes)\n", n);
		exit(2);
	}
	return p;
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL) {
		fprintf(stderr, "bench_match: out of memory (%zu bytes)\n", n);
		exit(2);
	}
	return p;
}

static long
rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	(void)fclose(f);
	return kb;
}

/* A list of strings in one arena. */
struct strs {
	char	*mem;
	size_t	 len;
	size_t	 cap;
	size_t	*off;
	size_t	 n;
	size_t	 cap_off;
	size_t	 raw;	/* bytes of the source lines, newlines included */
};

static void
strs_add(struct strs *s, const char *p, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		s->cap = (s->len + n + 1) * 2;
		s->mem = xrealloc(s->mem, s->cap);
	}
	if (s->n == s->cap_off) {
		s->cap_off = s->cap_off ? s->cap_off * 2 : 1024;
		s->off = xrealloc(s->off, s->cap_off * sizeof(*s->off));
	}
	memcpy(s->mem + s->len, p, n);
	s->mem[s->len + n] = '\0';
	s->off[s->n++] = s->len;
	s->len += n + 1;
}

static const char *
strs_get(const struct strs *s, size_t i)
{
	return s->mem + s->off[i];
}

/* Read the lines of an xz file; 0 when it cannot be read. */
static int
load_xz(const char *dir, const char *name, struct strs *out)
{
	char cmd[4096], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *p;

	(void)snprintf(cmd, sizeof(cmd), "xz -dc '%s/%s'", dir, name);
	if ((p = popen(cmd, "r")) == NULL)
		return 0;
	while ((n = getline(&line, &cap, p)) > 0) {
		out->raw += (size_t)n;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (n > 0)
			strs_add(out, line, (size_t)n);
	}
	free(line);
	return pclose(p) == 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* -- The oracle: the hits a token must give, by simple means. */

struct cidr4 {
	uint32_t	net;
	unsigned	plen;
};

struct cidr6 {
	uint8_t		net[16];
	unsigned	plen;
};

struct oracle {
	const char	**dom;		/* sorted, unique */
	size_t		  n_dom;
	uint32_t	 *ip4;		/* sorted, unique */
	size_t		  n_ip4;
	struct cidr4	 *c4;		/* unique */
	size_t		  n_c4;
	size_t		 *b4[65536];	/* CIDR indices per /16 block */
	size_t		  nb4[65536];
	struct cidr6	 *c6;
	size_t		  n_c6;
	const char	**email;	/* sorted */
	size_t		  n_email;
};

static struct oracle O;

static int
in_sorted(const char *const *v, size_t n, const char *s)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid], s);

		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int
ip4_in(uint32_t ip)
{
	size_t lo = 0, hi = O.n_ip4;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (O.ip4[mid] == ip)
			return 1;
		if (O.ip4[mid] < ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static uint32_t
mask4(unsigned plen)
{
	return plen == 0 ? 0 : ~0u << (32 - plen);
}

/* Hits of an IPv4 address: exact plus every covering CIDR. */
static unsigned
oracle_ip4(uint32_t ip)
{
	unsigned n = ip4_in(ip);
	size_t b = ip >> 16;

	for (size_t i = 0; i < O.nb4[b]; i++) {
		const struct cidr4 *c = &O.c4[O.b4[b][i]];

		if ((ip & mask4(c->plen)) == c->net)
			n++;
	}
	return n;
}

static int
v6_covers(const struct cidr6 *c, const uint8_t a[16])
{
	for (unsigned bit = 0; bit < c->plen; bit++)
		if (((a[bit / 8] ^ c->net[bit / 8]) >> (7 - bit % 8)) & 1)
			return 0;
	return 1;
}

static unsigned
oracle_ip6(const uint8_t a[16])
{
	unsigned n = 0;

	for (size_t i = 0; i < O.n_c6; i++)
		n += v6_covers(&O.c6[i], a);
	return n;
}

/* A lower-case domain: itself and each parent of two or more labels
 * (none when a label is empty or longer than 63 bytes, or the name
 * longer than 253: not a host name). */
static unsigned
oracle_domain(const char *d)
{
	unsigned n = 0;
	size_t lab = 0, len = strlen(d);

	if (len > 253)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || d[i] == '.') {
			if (lab == 0 || lab > 63)
				return 0;
			lab = 0;
		} else {
			lab++;
		}
	}

	for (const char *p = d; p != NULL; ) {
		const char *dot = strchr(p, '.');

		if (dot == NULL)
			break;
		n += in_sorted(O.dom, O.n_dom, p);
		p = dot + 1;
	}
	return n;
}

/*
 * A token made only of [a-z0-9.-] by the generator: an IPv4 address or a
 * domain (the scanner's rule 4 for the tokens written here).
 */
static unsigned
oracle_piece(const char *t)
{
	char low[300];
	size_t n = strlen(t), dots = 0;
	int digits = 1, letter_last = 0;
	uint8_t a[4];

	if (n == 0 || n >= sizeof(low))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		low[i] = c;
		if (c == '.') {
			dots++;
			letter_last = 0;
		} else if (c < '0' || c > '9') {
			digits = 0;
			if (c >= 'a' && c <= 'z')
				letter_last = 1;
		}
	}
	low[n] = '\0';
	if (dots == 0)
		return 0;
	if (digits)
		return match_parse_ipv4(low, n, a) ? oracle_ip4((uint32_t)a[0] <<
		    24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3]) : 0;
	return letter_last ? oracle_domain(low) : 0;
}

/* -- Loading the lists and building the set */

enum src_kind { S_DOM, S_IP4, S_C4, S_C6, S_URL, S_MD5, S_SHA1, S_SHA256 };

static const struct {
	const char	*file;
	enum src_kind	 kind;
} lists[] = {
	{ "mal_domains_maltrail.txt.xz", S_DOM },
	{ "susp_domains_maltrail.txt.xz", S_DOM },
	{ "mal_domains_ethphishing.txt.xz", S_DOM },
	{ "mal_ipv4_maltrail.txt.xz", S_IP4 },
	{ "mal_ipv4_ipsum.txt.xz", S_IP4 },
	{ "scanner_ipv4_maltrail.txt.xz", S_IP4 },
	{ "scanner_cidr4_maltrail.txt.xz", S_C4 },
	{ "benign_cidr6_misp.txt.xz", S_C6 },
	{ "mal_urls_maltrail.txt.xz", S_URL },
	{ "mal_md5.txt.xz", S_MD5 },
	{ "mal_sha1.txt.xz", S_SHA1 },
	{ "mal_sha256.txt.xz", S_SHA256 },
};
#define N_LISTS	(sizeof(lists) / sizeof(lists[0]))
#define N_EMAILS	20000u

static struct strs L[N_LISTS];
static struct strs emails, benign, urls_ok, hashes_all;

static void
make_id(uint64_t i, char out[64])
{
	(void)snprintf(out, 64, "indicator--%08" PRIx64 "-0000-4000-8000-%012"
	    PRIx64, i >> 32, i & (uint64_t)0xffffffffffff);
}

/*
 * URLs the generator may plant: they normalize, and their text holds no
 * byte that would make the scanner see more than host and path pieces.
 */
static int
plantable_url(const char *u)
{
	char norm[MATCH_VALUE_MAX];
	size_t n = strlen(u);
	const char *p = strstr(u, "://");

	if (match_norm_url(u, n, norm, sizeof(norm), NULL, NULL) == 0)
		return 0;
	for (size_t i = p ? (size_t)(p - u) + 3 : 0; i < n; i++) {
		char c = u[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '/' || c == '_'))
			return 0;
	}
	if (strchr(".,;:!?", u[n - 1]) != NULL)
		return 0;
	/* No run of 32+ hex digits (a hash token). */
	for (size_t i = 0, run = 0; i < n; i++) {
		run = ((u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' &&
		    u[i] <= 'f') || (u[i] >= 'A' && u[i] <= 'F')) ? run + 1 : 0;
		if (run >= 32)
			return 0;
	}
	return 1;
}

static struct match_set *
build_real(const char *dir, double *secs, size_t *raw, size_t *raw_ids)
{
	struct match_builder *b = NULL;
	struct match_set *set = NULL;
	char id[64], val[MATCH_VALUE_MAX + 16], norm[MATCH_VALUE_MAX];
	struct strs dis = { 0 };
	uint64_t next = 1;
	double t0;
	size_t nd = 0, nterms = 0;

	for (size_t i = 0; i < N_LISTS; i++)
		if (!load_xz(dir, lists[i].file, &L[i])) {
			fprintf(stderr, "bench_match: cannot read %s/%s\n", dir,
			    lists[i].file);
			exit(2);
		}
	if (!load_xz(dir, "disposable_email_domains_npm.txt.xz", &dis) ||
	    !load_xz(dir, "benign_top_domains_misp.txt.xz", &benign)) {
		fprintf(stderr, "bench_match: cannot read the benign lists\n");
		exit(2);
	}
	/* Synthesized e-mail indicators: no real list of them exists. */
	for (size_t i = 0; i < N_EMAILS; i++) {
		const char *d = strs_get(&dis, rndn((uint32_t)dis.n));
		int n = snprintf(val, sizeof(val), "user%zu.x@%s", i, d);

		strs_add(&emails, val, (size_t)n);
		emails.raw += (size_t)n + 1;
	}
	*raw = emails.raw;
	for (size_t i = 0; i < N_LISTS; i++) {
		*raw += L[i].raw;
		nterms += L[i].n;
	}
	nterms += emails.n;
	/* The raw list as STIX would carry it: an id per indicator too. */
	*raw_ids = *raw + nterms * (11 + 36 + 1);

	t0 = now_s();
	if (match_builder_new(&b) != ERR_OK)
		exit(2);
	for (size_t i = 0; i < N_LISTS; i++)
		for (size_t k = 0; k < L[i].n; k++) {
			const char *v = strs_get(&L[i], k);
			struct match_term t;

			t.value = v;
			t.len = strlen(v);
			t.subset = 0;
			switch (lists[i].kind) {
			case S_DOM:
				t.kind = MATCH_I_DOMAIN;
				break;
			case S_IP4:
				t.kind = MATCH_I_IPV4;
				break;
			case S_C4:
				t.kind = MATCH_I_IPV4;
				t.subset = 1;
				break;
			case S_C6:
				t.kind = MATCH_I_IPV6;
				t.subset = 1;
				break;
			case S_URL:
				t.kind = MATCH_I_URL;
				if (strstr(v, "://") == NULL) {
					t.len = (size_t)snprintf(val,
					    sizeof(val), "http://%s", v);
					t.value = val;
				}
				break;
			case S_MD5:
				t.kind = MATCH_I_MD5;
				break;
			case S_SHA1:
				t.kind = MATCH_I_SHA1;
				break;
			case S_SHA256:
				t.kind = MATCH_I_SHA256;
				break;
			}
			make_id(next++, id);
			if (match_builder_add(b, id, &t, 1) != ERR_OK)
				exit(2);
		}
	for (size_t k = 0; k < emails.n; k++) {
		struct match_term t = { MATCH_I_EMAIL, strs_get(&emails, k), 0,
		    0 };

		t.len = strlen(t.value);
		make_id(next++, id);
		if (match_builder_add(b, id, &t, 1) != ERR_OK)
			exit(2);
	}
	if (match_builder_finish(b, &set) != ERR_OK)
		exit(2);
	*secs = now_s() - t0;

	/* The oracle's structures, from the values that normalize. */
	for (size_t i = 0; i < N_LISTS; i++)
		if (lists[i].kind == S_DOM)
			nd += L[i].n;
	O.dom = xmalloc(nd * sizeof(*O.dom));
	for (size_t i = 0; i < N_LISTS; i++) {
		for (size_t k = 0; k < L[i].n; k++) {
			const char *v = strs_get(&L[i], k);
			size_t n = strlen(v);
			uint8_t a[16];
			unsigned plen;
			int v6;

			switch (lists[i].kind) {
			case S_DOM:
				if (match_norm_domain(v, n, 2, norm,
				    sizeof(norm)) == n && memcmp(norm, v, n)
				    == 0)
					O.dom[O.n_dom++] = v;
				break;
			case S_IP4:
			case S_C4:
				if (!match_parse_ip_prefix(v, n, &v6, a, &plen) ||
				    v6)
					break;
				if (plen == 32) {
					O.ip4 = xrealloc(O.ip4, (O.n_ip4 + 1) *
					    sizeof(*O.ip4));
					O.ip4[O.n_ip4++] = (uint32_t)a[0] << 24 |
					    (uint32_t)a[1] << 16 |
					    (uint32_t)a[2] << 8 | a[3];
				} else {
					O.c4 = xrealloc(O.c4, (O.n_c4 + 1) *
					    sizeof(*O.c4));
					O.c4[O.n_c4].net = (uint32_t)a[0] << 24 |
					    (uint32_t)a[1] << 16 |
					    (uint32_t)a[2] << 8 | a[3];
					O.c4[O.n_c4++].plen = plen;
				}
				break;
			case S_C6:
				if (!match_parse_ip_prefix(v, n, &v6, a, &plen) ||
				    !v6 || plen == 128)
					break;
				O.c6 = xrealloc(O.c6, (O.n_c6 + 1) *
				    sizeof(*O.c6));
				memcpy(O.c6[O.n_c6].net, a, 16);
				O.c6[O.n_c6++].plen = plen;
				break;
			case S_URL:
				n = strstr(v, "://") ? (size_t)snprintf(val,
				    sizeof(val), "%s", v) : (size_t)snprintf(val,
				    sizeof(val), "http://%s", v);
				if (plantable_url(val))
					strs_add(&urls_ok, val, n);
				break;
			default:
				strs_add(&hashes_all, v, n);
				break;
			}
		}
	}
	qsort(O.dom, O.n_dom, sizeof(*O.dom), cmp_str);
	{
		size_t u = 0;

		for (size_t i = 0; i < O.n_dom; i++)
			if (u == 0 || strcmp(O.dom[u - 1], O.dom[i]) != 0)
				O.dom[u++] = O.dom[i];
		O.n_dom = u;
	}
	qsort(O.ip4, O.n_ip4, sizeof(*O.ip4), cmp_u32);
	{
		size_t u = 0;

		for (size_t i = 0; i < O.n_ip4; i++)
			if (u == 0 || O.ip4[u - 1] != O.ip4[i])
				O.ip4[u++] = O.ip4[i];
		O.n_ip4 = u;
	}
	/* Unique CIDRs, bucketed by the /16 blocks they touch. */
	for (size_t i = 0; i < O.n_c4; i++) {
		int dup = 0;

		for (size_t k = 0; k < i && !dup; k++)
			dup = O.c4[k].net == O.c4[i].net &&
			    O.c4[k].plen == O.c4[i].plen;
		if (dup)
			continue;
		for (uint32_t blk = O.c4[i].net >> 16; blk <= ((O.c4[i].net |
		    ~mask4(O.c4[i].plen)) >> 16); blk++) {
			O.b4[blk] = xrealloc(O.b4[blk], (O.nb4[blk] + 1) *
			    sizeof(size_t));
			O.b4[blk][O.nb4[blk]++] = i;
			if (blk == 0xffff)
				break;
		}
	}
	{
		size_t u = 0;

		for (size_t i = 0; i < O.n_c6; i++) {
			int dup = 0;

			for (size_t k = 0; k < u && !dup; k++)
				dup = O.c6[k].plen == O.c6[i].plen &&
				    memcmp(O.c6[k].net, O.c6[i].net, 16) == 0;
			if (!dup)
				O.c6[u++] = O.c6[i];
		}
		O.n_c6 = u;
	}
	O.email = xmalloc(emails.n * sizeof(*O.email));
	for (size_t i = 0; i < emails.n; i++)
		O.email[O.n_email++] = strs_get(&emails, i);
	qsort(O.email, O.n_email, sizeof(*O.email), cmp_str);
	free(dis.mem);
	free(dis.off);
	return set;
}

/* -- The log */

struct gen {
	FILE		*f;
	uint16_t	*per_line;	/* expected hits of each line */
	size_t		 cap_lines;
	uint64_t	 expect;	/* hits the oracle counts */
	uint64_t	 bytes;
	uint64_t	 lines;
	signed char	*bcache;	/* hits of benign[i] with prefix p */
	uint32_t	 zipf_n;
	char		 line[8192];
	size_t		 len;
};

static const char *const prefixes[] = { "", "www.", "cdn.", "api.",
    "static.", "m.", "mail.", "login." };
#define N_PREFIX	(sizeof(prefixes) / sizeof(prefixes[0]))

static void
put(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2,
    3)));

static void
put(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(g->line + g->len, sizeof(g->line) - g->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		g->len += (size_t)n < sizeof(g->line) - g->len ? (size_t)n :
		    sizeof(g->line) - g->len - 1;
}

/* A popular domain first: index ~ Zipf(1) over the top list. */
static uint32_t
zipf(uint32_t n)
{
	double x = exp(rndf() * log((double)n + 1.0)) - 1.0;
	uint32_t i = (uint32_t)x;

	return i < n ? i : n - 1;
}

/* Write a domain token; returns it in d (lower case) and adds its hits. */
static void
dom_token(struct gen *g, char *d, size_t cap)
{
	double r = rndf();

	if (r < 0.002) {
		/* An indicator, or a subdomain of one, sometimes in upper
		 * case. */
		const char *m = O.dom[rndn((uint32_t)O.n_dom)];

		char up[300];

		(void)snprintf(d, cap, "%s%s", rndf() < 0.5 ? "" : "www.", m);
		g->expect += oracle_domain(d);
		(void)snprintf(up, sizeof(up), "%s", d);
		if (rndf() < 0.3) {
			for (size_t i = 0; up[i]; i++)
				if (up[i] >= 'a' && up[i] <= 'z')
					up[i] = (char)(up[i] - 32);
		}
		put(g, "%s", up);
		return;
	}
	if (r < 0.004) {
		/* A decoy: a label prefix glued on ("betrivers.com"). */
		static const char *const glue[] = { "bet", "my", "x", "e-",
		    "secure" };
		const char *m = O.dom[rndn((uint32_t)O.n_dom)];

		(void)snprintf(d, cap, "%s%s", glue[rndn(5)], m);
		g->expect += oracle_domain(d);
		put(g, "%s", d);
		return;
	}
	{
		uint32_t i = zipf(g->zipf_n), p = rndn(N_PREFIX);
		signed char *c = &g->bcache[(size_t)i * N_PREFIX + p];

		(void)snprintf(d, cap, "%s%s", prefixes[p], strs_get(&benign,
		    i));
		if (*c < 0)
			*c = (signed char)oracle_domain(d);
		g->expect += (uint64_t)*c;
		put(g, "%s", d);
	}
}

static uint32_t
ip_private(void)
{
	return rndf() < 0.7 ? (10u << 24) | rndn(1u << 24) :
	    (192u << 24) | (168u << 16) | rndn(1u << 16);
}

static uint32_t
ip_public(void)
{
	if (rndf() < 0.004)
		return O.ip4[rndn((uint32_t)O.n_ip4)];
	if (rndf() < 0.002 && O.n_c4 > 0) {
		const struct cidr4 *c = &O.c4[rndn((uint32_t)O.n_c4)];

		return c->net | (rndn(1u << (32 - (c->plen > 8 ? c->plen :
		    8))) & ~mask4(c->plen));
	}
	for (;;) {
		uint32_t ip = (uint32_t)(rnd() >> 32);
		uint32_t a = ip >> 24;

		if (a != 0 && a != 10 && a != 127 && a < 224)
			return ip;
	}
}

static void
ip_token(struct gen *g, uint32_t ip)
{
	g->expect += oracle_ip4(ip);
	put(g, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
	    ip & 255);
}

static void
ip6_token(struct gen *g)
{
	uint8_t a[16];
	char out[48];

	for (int i = 0; i < 16; i++)
		a[i] = (uint8_t)rnd();
	if (rndf() < 0.5 && O.n_c6 > 0) {
		const struct cidr6 *c = &O.c6[rndn((uint32_t)O.n_c6)];

		for (unsigned bit = 0; bit < c->plen; bit++) {
			uint8_t m = (uint8_t)(0x80u >> (bit % 8));

			a[bit / 8] = (uint8_t)((a[bit / 8] & ~m) |
			    (c->net[bit / 8] & m));
		}
	} else {
		a[0] = 0x2a;
		a[1] = 0x0f;	/* 2a0f::/16 */
	}
	g->expect += oracle_ip6(a);
	match_format_ip(1, a, out);
	put(g, "[%s]", out);
}

static void
hash_token(struct gen *g)
{
	static const char hex[] = "0123456789abcdef";
	static const int lens[] = { 32, 40, 64 };

	if (rndf() < 0.01 && hashes_all.n > 0) {
		put(g, "%s", strs_get(&hashes_all, rndn((uint32_t)
		    hashes_all.n)));
		g->expect++;
		return;
	}
	for (int i = 0, n = lens[rndn(3)]; i < n; i++)
		put(g, "%c", hex[rnd() & 15]);
}

static void
email_token(struct gen *g)
{
	static const char *const users[] = { "alice", "bob", "carol", "dave",
	    "erin", "frank", "grace", "heidi" };
	char d[300];

	if (rndf() < 0.01) {
		const char *e = O.email[rndn((uint32_t)O.n_email)];
		const char *at = strchr(e, '@');

		put(g, "%s", e);
		g->expect += 1 + oracle_domain(at + 1);
		return;
	}
	put(g, "%s.%u@", users[rndn(8)], rndn(1000));
	dom_token(g, d, sizeof(d));
}

/* A path of [a-z0-9] pieces: "/ab3k/x9.js". */
static void
path_token(struct gen *g)
{
	static const char *const ext[] = { "", ".js", ".css", ".png",
	    ".html", "" };
	char piece[32];
	unsigned n = 1 + rndn(3);

	for (unsigned k = 0; k < n; k++) {
		unsigned l = 3 + rndn(8), i;

		for (i = 0; i < l; i++)
			piece[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[rndn(
			    36)];
		piece[i] = '\0';
		if (k + 1 == n) {
			const char *e = ext[rndn(6)];

			(void)snprintf(piece + i, sizeof(piece) - i, "%s", e);
			g->expect += oracle_piece(piece);
		}
		put(g, "/%s", piece);
	}
}

static void
url_token(struct gen *g)
{
	char d[300];

	if (rndf() < 0.004 && urls_ok.n > 0) {
		const char *u = strs_get(&urls_ok, rndn((uint32_t)urls_ok.n));
		const char *h = strstr(u, "://") + 3;
		char piece[4096];
		size_t k = 0;

		put(g, "%s", u);
		g->expect++;	/* the URL */
		/* The host, then each piece of the path. */
		for (const char *p = h; ; p++) {
			if (*p == '/' || *p == '\0') {
				piece[k] = '\0';
				g->expect += oracle_piece(piece);
				k = 0;
				if (*p == '\0')
					break;
				continue;
			}
			if (k < sizeof(piece) - 1)
				piece[k++] = *p;
		}
		return;
	}
	put(g, "http://");
	dom_token(g, d, sizeof(d));
	path_token(g);
}

static void
gen_line(struct gen *g, uint64_t n)
{
	unsigned sec = (unsigned)(n / 300) % 86400;
	unsigned hh = sec / 3600, mm = sec / 60 % 60, ss = sec % 60;
	double r = rndf();
	uint64_t before = g->expect;
	char d[300];

	g->len = 0;
	if (r < 0.22) {
		put(g, "Nov 23 %02u:%02u:%02u web-%02u sshd[%u]: Failed "
		    "password for invalid user admin from ", hh, mm, ss,
		    rndn(40), 1000 + rndn(60000));
		ip_token(g, ip_public());
		put(g, " port %u ssh2", 1024 + rndn(60000));
	} else if (r < 0.44) {
		put(g, "17%08u.%03u %6u ", (unsigned)(n / 300) % 100000000u,
		    rndn(1000), rndn(90000));
		ip_token(g, ip_private());
		put(g, " TCP_MISS/200 %u GET ", rndn(900000));
		url_token(g);
		put(g, " - HIER_DIRECT/");
		ip_token(g, ip_public());
		put(g, " text/html");
	} else if (r < 0.62) {
		put(g, "23-Nov-2026 %02u:%02u:%02u.%03u queries: info: client "
		    "@0x7f3a2c%06x ", hh, mm, ss, rndn(1000), rndn(1u << 24));
		ip_token(g, ip_private());
		put(g, "#%u (", 1024 + rndn(60000));
		dom_token(g, d, sizeof(d));
		put(g, "): query: %s IN %s + (", d, rndf() < 0.8 ? "A" :
		    "AAAA");
		g->expect += oracle_domain(d);
		ip_token(g, (10u << 24) | 53);
		put(g, ")");
	} else if (r < 0.74) {
		put(g, "{\"ts\":\"2026-11-23T%02u:%02u:%02uZ\",\"level\":\"info\","
		    "\"user\":\"", hh, mm, ss);
		email_token(g);
		put(g, "\",\"action\":\"download\",\"sha256\":\"");
		hash_token(g);
		put(g, "\",\"bytes\":%u}", rndn(10000000));
	} else if (r < 0.86) {
		put(g, "2026-11-23T%02u:%02u:%02uZ fw%02u DROP TCP ", hh, mm, ss,
		    rndn(8));
		if (rndf() < 0.1)
			ip6_token(g);
		else
			ip_token(g, ip_public());
		put(g, ":%u -> ", 1 + rndn(65535));
		ip_token(g, ip_private());
		put(g, ":%u len=%u", 1024 + rndn(60000), 40 + rndn(1400));
	} else if (r < 0.93) {
		put(g, "Nov 23 %02u:%02u:%02u mx1 postfix/smtpd[%u]: %08X: client=",
		    hh, mm, ss, rndn(60000), (unsigned)rnd());
		dom_token(g, d, sizeof(d));
		put(g, "[");
		ip_token(g, ip_public());
		put(g, "], sasl_username=");
		email_token(g);
	} else {
		put(g, "Nov 23 %02u:%02u:%02u host-%u kernel: [%u.%06u] eth%u: "
		    "link up, 1000 Mbps, full duplex, flow control rx/tx", hh,
		    mm, ss, rndn(9), rndn(99999), rndn(999999), rndn(4));
	}
	g->line[g->len++] = '\n';
	if (g->lines == g->cap_lines) {
		g->cap_lines = g->cap_lines ? g->cap_lines * 2 : 1u << 20;
		g->per_line = xrealloc(g->per_line, g->cap_lines *
		    sizeof(*g->per_line));
	}
	g->per_line[g->lines] = (uint16_t)(g->expect - before);
	if (fwrite(g->line, 1, g->len, g->f) != g->len) {
		fprintf(stderr, "bench_match: cannot write the log\n");
		exit(2);
	}
	g->bytes += g->len;
	g->lines++;
}

/* Make (or reuse) the log; returns the oracle's hit count and, in
 * *per_line, the hits each line must give. */
static uint64_t
make_log(const char *path, uint64_t target, uint64_t *lines,
    uint16_t **per_line)
{
	char meta[4200], lpath[4200];
	struct gen g;
	FILE *mf;
	uint64_t want_v, e, l, b;
	struct stat sb;

	(void)snprintf(meta, sizeof(meta), "%s.expect", path);
	(void)snprintf(lpath, sizeof(lpath), "%s.lines", path);
	if ((mf = fopen(meta, "r")) != NULL) {
		char line[256], *p = line, *end;
		int ok = fgets(line, sizeof(line), mf) != NULL;

		(void)fclose(mf);
		want_v = strtoull(p, &end, 10);
		ok = ok && end != p;
		e = strtoull(p = end, &end, 10);
		ok = ok && end != p;
		l = strtoull(p = end, &end, 10);
		ok = ok && end != p;
		b = strtoull(p = end, &end, 10);
		ok = ok && end != p;
		if (ok && want_v == LOG_VERSION * 1000000000ull + target /
		    1000000 && stat(path, &sb) == 0 && (uint64_t)sb.st_size ==
		    b) {
			FILE *lf = fopen(lpath, "r");

			*per_line = xmalloc(l * sizeof(**per_line));
			if (lf != NULL && fread(*per_line, sizeof(**per_line), l,
			    lf) == l) {
				(void)fclose(lf);
				printf("log: reusing %s (%.0f MB, %" PRIu64
				    " lines)\n", path, (double)b / 1e6, l);
				*lines = l;
				return e;
			}
			if (lf != NULL)
				(void)fclose(lf);
			free(*per_line);
		}
	}
	memset(&g, 0, sizeof(g));
	rng_state = 0x5eed5eed12345678ull;
	g.zipf_n = (uint32_t)benign.n;
	g.bcache = xmalloc(benign.n * N_PREFIX);
	memset(g.bcache, -1, benign.n * N_PREFIX);
	if ((g.f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "bench_match: cannot create %s: %s\n", path,
		    strerror(errno));
		exit(2);
	}
	{
		double t0 = now_s();

		while (g.bytes < target)
			gen_line(&g, g.lines);
		if (fclose(g.f) != 0)
			exit(2);
		printf("log: generated %s: %.0f MB, %" PRIu64 " lines in "
		    "%.1f s\n", path, (double)g.bytes / 1e6, g.lines,
		    now_s() - t0);
	}
	free(g.bcache);
	if ((mf = fopen(lpath, "w")) == NULL || fwrite(g.per_line,
	    sizeof(*g.per_line), g.lines, mf) != g.lines || fclose(mf) != 0) {
		fprintf(stderr, "bench_match: cannot write %s\n", lpath);
		exit(2);
	}
	*per_line = g.per_line;
	if ((mf = fopen(meta, "w")) != NULL) {
		fprintf(mf, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
		    (uint64_t)LOG_VERSION * 1000000000u + target / 1000000, g.expect,
		    g.lines, g.bytes);
		(void)fclose(mf);
	}
	*lines = g.lines;
	return g.expect;
}

static char *
slurp(const char *path, size_t *len)
{
	struct stat sb;
	char *p;
	size_t got = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &sb) != 0)
		exit(2);
	p = xmalloc((size_t)sb.st_size + 64);
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, p + got, (size_t)sb.st_size - got);

		if (n <= 0)
			exit(2);
		got += (size_t)n;
	}
	(void)close(fd);
	*len = got;
	return p;
}

/* -- Scanning */

struct counts {
	uint64_t	hits;
	uint64_t	domain_lines;	/* lines with a domain hit */
	const char	*buf;
	size_t		 last_nl_pos;	/* for line counting */
	const char	*last_line;	/* start of the last domain-hit line */
};

static enum err
count_cb(void *arg, const struct match_hit *h)
{
	struct counts *c = arg;

	c->hits++;
	if (h->ikind == MATCH_I_DOMAIN && c->buf != NULL) {
		const char *ls = c->buf + h->off;

		while (ls > c->buf && ls[-1] != '\n')
			ls--;
		if (ls != c->last_line) {
			c->domain_lines++;
			c->last_line = ls;
		}
	}
	return ERR_OK;
}

struct part {
	const struct match_set	*set;
	const char		*p;
	size_t			 len;
	int			 simd;
	int			 lines;	/* count domain-hit lines */
	struct counts		 c;
	double			 cpu;	/* CPU seconds of the thread */
	pthread_t		 tid;
};

/* Scan [p, p+len) in blocks of at most BLOCK bytes cut at newlines. */
static void *
scan_part(void *arg)
{
	struct part *pt = arg;
	struct match_scanner *sc = NULL;
	size_t at = 0;
	double c0 = cpu_s();

	if (match_scanner_new(pt->set, &sc) != ERR_OK)
		exit(2);
	match_scanner_set_simd(sc, pt->simd);
	memset(&pt->c, 0, sizeof(pt->c));
	while (at < pt->len) {
		size_t n = pt->len - at;
		const char *e;

		if (n > BLOCK) {
			e = memrchr(pt->p + at, '\n', BLOCK);
			n = e ? (size_t)(e - (pt->p + at)) + 1 : BLOCK;
		}
		if (pt->lines)
			pt->c.buf = pt->p + at;
		pt->c.last_line = NULL;
		if (match_scan_text(sc, pt->p + at, n, count_cb, &pt->c) !=
		    ERR_OK)
			exit(2);
		at += n;
	}
	match_scanner_free(sc);
	pt->cpu = cpu_s() - c0;
	return NULL;
}

struct verify {
	const char	*buf;
	const char	*base;		/* of the block */
	size_t		 counted;	/* bytes of the block counted */
	uint64_t	 line;
	uint16_t	*got;
};

static enum err
verify_cb(void *arg, const struct match_hit *h)
{
	struct verify *v = arg;

	v->line += match_count_newlines(v->base + v->counted, h->off -
	    v->counted);
	v->counted = h->off;
	v->got[v->line]++;
	return ERR_OK;
}

/*
 * Compare the hits of every line with the oracle's; print the first
 * lines that differ with their hits.  Returns the number of such lines.
 */
static size_t
verify_lines(const struct match_set *set, const char *buf, size_t len,
    const uint16_t *want, uint64_t lines)
{
	struct match_scanner *sc = NULL;
	struct verify v;
	size_t at = 0, bad = 0;
	uint64_t ln = 0;
	const char *p = buf;

	memset(&v, 0, sizeof(v));
	v.got = xmalloc((lines + 1) * sizeof(*v.got));
	memset(v.got, 0, (lines + 1) * sizeof(*v.got));
	if (match_scanner_new(set, &sc) != ERR_OK)
		exit(2);
	while (at < len) {
		size_t n = len - at;
		const char *e;

		if (n > BLOCK) {
			e = memrchr(buf + at, '\n', BLOCK);
			n = e ? (size_t)(e - (buf + at)) + 1 : BLOCK;
		}
		v.base = buf + at;
		v.counted = 0;
		if (match_scan_text(sc, buf + at, n, verify_cb, &v) != ERR_OK)
			exit(2);
		v.line += match_count_newlines(v.base + v.counted, n -
		    v.counted);
		at += n;
	}
	for (ln = 0; ln < lines; ln++) {
		const char *e = memchr(p, '\n', (size_t)(buf + len - p));

		if (v.got[ln] != want[ln] && bad++ < 10)
			printf("verify: line %" PRIu64 ": %u hits, oracle %u: "
			    "%.*s\n", ln + 1, v.got[ln], want[ln],
			    (int)(e - p), p);
		p = e + 1;
	}
	match_scanner_free(sc);
	free(v.got);
	return bad;
}

/*
 * Scan buf with nthreads threads; returns the wall-clock seconds, hits in
 * *hits and the CPU seconds of the busiest thread in *cpu.
 */
static double
scan_threads(const struct match_set *set, const char *buf, size_t len,
    unsigned nthreads, int simd, uint64_t *hits, double *cpu)
{
	struct part pt[8];
	size_t at = 0;
	double t0;

	for (unsigned i = 0; i < nthreads; i++) {
		size_t end = i + 1 == nthreads ? len : len / nthreads * (i + 1);

		if (end < len) {
			const char *e = memchr(buf + end, '\n', len - end);

			end = e ? (size_t)(e - buf) + 1 : len;
		}
		memset(&pt[i], 0, sizeof(pt[i]));
		pt[i].set = set;
		pt[i].p = buf + at;
		pt[i].len = end - at;
		pt[i].simd = simd;
		at = end;
	}
	t0 = now_s();
	if (nthreads == 1) {
		scan_part(&pt[0]);
	} else {
		for (unsigned i = 0; i < nthreads; i++)
			if (pthread_create(&pt[i].tid, NULL, scan_part, &pt[i]) !=
			    0)
				exit(2);
		for (unsigned i = 0; i < nthreads; i++)
			(void)pthread_join(pt[i].tid, NULL);
	}
	t0 = now_s() - t0;
	*hits = 0;
	*cpu = 0;
	for (unsigned i = 0; i < nthreads; i++) {
		*hits += pt[i].c.hits;
		if (pt[i].cpu > *cpu)
			*cpu = pt[i].cpu;
	}
	return t0;
}

static double
best_of(double *v, int n)
{
	double b = v[0];

	for (int i = 1; i < n; i++)
		if (v[i] < b)
			b = v[i];
	return b;
}

/* The median of v[0..n) (n <= 8; v is left as it was). */
static double
median_of(const double *v, int n)
{
	double w[8];

	memcpy(w, v, (size_t)n * sizeof(*w));
	for (int i = 1; i < n; i++)
		for (int k = i; k > 0 && w[k - 1] > w[k]; k--) {
			double t = w[k];

			w[k] = w[k - 1];
			w[k - 1] = t;
		}
	return n % 2 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2;
}

/* -- Compiling many synthesized indicators */

static void
bench_compile(size_t n)
{
	static const char *const tld[] = { "com", "net", "org", "ru", "info",
	    "xyz", "top", "io" };
	struct match_builder *b = NULL;
	struct match_set *set = NULL;
	struct match_set_stats st;
	char *vals, id[64];
	uint8_t *kind;
	size_t *off, vl = 0, raw = 0;
	double t0, t1;
	long r0, r1;

	vals = xmalloc(n * 48);
	off = xmalloc((n + 1) * sizeof(*off));
	kind = xmalloc(n);
	rng_state = 0xc0ffee;
	for (size_t i = 0; i < n; i++) {
		double r = rndf();
		int k;

		off[i] = vl;
		kind[i] = r < 0.6 ? MATCH_I_DOMAIN : r < 0.8 ? MATCH_I_IPV4 :
		    r < 0.85 ? MATCH_I_URL : r < 0.95 ? MATCH_I_MD5 :
		    MATCH_I_EMAIL;
		if (r < 0.6)
			k = snprintf(vals + vl, 48, "d%zx-%06x.%s", i,
			    rndn(1u << 24), tld[rndn(8)]);
		else if (r < 0.8)
			k = snprintf(vals + vl, 48, "%u.%u.%u.%u", 1 + rndn(223),
			    rndn(256), rndn(256), rndn(256));
		else if (r < 0.85)
			k = snprintf(vals + vl, 48, "http://u%zx.example/p/%x",
			    i, rndn(1u << 20));
		else if (r < 0.95)
			k = snprintf(vals + vl, 48, "%016" PRIx64 "%016" PRIx64,
			    rnd(), rnd());
		else
			k = snprintf(vals + vl, 48, "u%zx@mail%u.example", i,
			    rndn(1000));
		vl += (size_t)k + 1;
		raw += (size_t)k + 1;
	}
	off[n] = vl;
	r0 = rss_kb();
	t0 = now_s();
	if (match_builder_new(&b) != ERR_OK)
		exit(2);
	for (size_t i = 0; i < n; i++) {
		struct match_term t;

		t.value = vals + off[i];
		t.len = off[i + 1] - off[i] - 1;
		t.subset = 0;
		t.kind = kind[i];
		make_id(i + 1, id);
		if (match_builder_add(b, id, &t, 1) != ERR_OK)
			exit(2);
	}
	t1 = now_s();
	if (match_builder_finish(b, &set) != ERR_OK)
		exit(2);
	t1 = now_s() - t1;
	t0 = now_s() - t0;
	r1 = rss_kb();
	match_set_get_stats(set, &st);
	printf("compile: %zu synthesized indicators (60%% domains, 20%% IPv4, "
	    "5%% URLs, 10%% MD5, 5%% e-mail) in %.2f s (adding %.2f s, "
	    "finishing %.2f s), %zu keys, %zu unsupported\n", n, t0, t0 - t1,
	    t1, st.n_keys, st.n_unsupported);
	printf("compile: set %.1f MB = %.2fx the raw values (%.1f MB), "
	    "%.2fx with ids (%.1f MB); RSS grew %.1f MB\n",
	    (double)st.bytes / 1e6, (double)st.bytes / (double)raw,
	    (double)raw / 1e6, (double)st.bytes / (double)(raw + n * 48),
	    (double)(raw + n * 48) / 1e6, (double)(r1 - r0) / 1e3);
	match_set_free(set);
	free(vals);
	free(kind);
	free(off);
}

/* -- grep */

static double
run_grep(const char *domains, const char *file, uint64_t *count)
{
	char cmd[8192], out[64];
	double t0;
	FILE *p;

	(void)snprintf(cmd, sizeof(cmd), "LC_ALL=C grep -F -c -f '%s' '%s'",
	    domains, file);
	t0 = now_s();
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	out[0] = '\0';
	if (fgets(out, sizeof(out), p) == NULL)
		out[0] = '\0';
	(void)pclose(p);
	t0 = now_s() - t0;
	*count = strtoull(out, NULL, 10);
	return t0;
}

/* --scan: ns per line of each file, with the set and with none. */
static int
scan_files(const struct match_set *set, char **files, int n, int runs)
{
	struct match_builder *eb = NULL;
	struct match_set *es = NULL;

	if (match_builder_new(&eb) != ERR_OK ||
	    match_builder_finish(eb, &es) != ERR_OK)
		return 2;
	for (int i = 0; i < n; i++) {
		size_t len, lines;
		char *buf = slurp(files[i], &len);
		double c[8], ce[8], best, beste;
		uint64_t h;

		lines = match_count_newlines(buf, len);
		for (int r = 0; r < runs; r++) {
			(void)scan_threads(set, buf, len, 1, 1, &h, &c[r]);
			(void)scan_threads(es, buf, len, 1, 1, &h, &ce[r]);
		}
		best = median_of(c, runs);
		beste = median_of(ce, runs);
		printf("scan %s: %.0f bytes/line, %.0f ns/line (%.2f GB/s), "
		    "tokenizer alone %.0f ns/line (%.2f GB/s)\n", files[i],
		    (double)len / (double)lines, best / (double)lines * 1e9,
		    (double)len / best / 1e9, beste / (double)lines * 1e9,
		    (double)len / beste / 1e9);
		free(buf);
	}
	match_set_free(es);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *data = "../shared/data/indicators", *tmp = NULL;
	size_t log_mb = 1024, grep_mb = 16, compile_n = 10000000, len;
	int runs = 3, do_grep = 1, bad = 0, scan_at = 0;
	char path[4096], dpath[4096], spath[4096];
	struct match_set *set;
	struct match_set_stats st;
	double build_s, t1[8], t2[8], c1[8], c2[8], tp, tm, tn, cp, te, ce, tf,
	    cf;
	size_t raw, raw_ids;
	uint64_t expect, lines, h1 = 0, h2 = 0, hp = 0, hf = 0;
	uint16_t *per_line = NULL;
	size_t nbad;
	long r0, r1;
	char *buf;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
			data = argv[++i];
		else if (strcmp(argv[i], "--tmp") == 0 && i + 1 < argc)
			tmp = argv[++i];
		else if (strcmp(argv[i], "--log-mb") == 0 && i + 1 < argc)
			log_mb = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--grep-mb") == 0 && i + 1 < argc)
			grep_mb = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--compile") == 0 && i + 1 < argc)
			compile_n = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			long r = strtol(argv[++i], NULL, 10);

			runs = r > 0 && r <= 8 ? (int)r : 3;
		}
		else if (strcmp(argv[i], "--no-grep") == 0)
			do_grep = 0;
		else if (strcmp(argv[i], "--scan") == 0 && i + 1 < argc) {
			scan_at = i + 1;
			break;
		} else {
			fprintf(stderr, "usage: bench_match [--data DIR] "
			    "[--tmp DIR] [--log-mb N] [--grep-mb N] "
			    "[--compile N] [--runs N] [--no-grep]\n");
			return 2;
		}
	}
	(void)snprintf(path, sizeof(path), "%s/mal_domains_maltrail.txt.xz",
	    data);
	if (access(path, R_OK) != 0) {
		printf("bench_match: skipped: no indicator lists in %s\n", data);
		return 0;
	}
	if (tmp == NULL)
		tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	(void)snprintf(path, sizeof(path), "%s/entente-match-bench", tmp);
	(void)mkdir(path, 0700);

	r0 = rss_kb();
	set = build_real(data, &build_s, &raw, &raw_ids);
	r1 = rss_kb();
	if (scan_at > 0)
		return scan_files(set, argv + scan_at, argc - scan_at, runs);
	match_set_get_stats(set, &st);
	printf("set: %zu indicators -> %zu keys (domains %zu, IPv4 %zu, "
	    "IPv4 CIDRs %zu, IPv6 %zu, IPv6 CIDRs %zu, URLs %zu, e-mail %zu, "
	    "MD5 %zu, SHA-1 %zu, SHA-256 %zu), %zu unsupported, compiled in "
	    "%.2f s\n", st.n_indicators, st.n_keys, st.n_domain, st.n_ipv4,
	    st.n_cidr4, st.n_ipv6, st.n_cidr6, st.n_url, st.n_email, st.n_md5,
	    st.n_sha1, st.n_sha256, st.n_unsupported, build_s);
	printf("set: %.1f MB = %.2fx the raw lists (%.1f MB), %.2fx with an "
	    "id per line (%.1f MB); RSS with lists and oracle %.0f MB\n",
	    (double)st.bytes / 1e6, (double)st.bytes / (double)raw,
	    (double)raw / 1e6, (double)st.bytes / (double)raw_ids,
	    (double)raw_ids / 1e6, (double)(r1 - r0) / 1e3);
	printf("oracle: %zu domains, %zu IPv4, %zu IPv4 CIDRs, %zu IPv6 "
	    "CIDRs, %zu e-mail, %zu plantable URLs, %zu hashes\n", O.n_dom,
	    O.n_ip4, O.n_c4, O.n_c6, O.n_email, urls_ok.n, hashes_all.n);

	(void)snprintf(path, sizeof(path), "%s/entente-match-bench/mixed-%zu.log",
	    tmp, log_mb);
	expect = make_log(path, (uint64_t)log_mb * 1000000, &lines,
	    &per_line);
	buf = slurp(path, &len);
	nbad = verify_lines(set, buf, len, per_line, lines);
	printf("verify: %zu of %" PRIu64 " lines differ from the oracle\n",
	    nbad, lines);
	if (nbad > 0)
		bad = 1;
	free(per_line);

	/* Baselines. */
	tm = now_s();
	{
		size_t nl = 0;
		const char *p = buf, *end = buf + len, *e;

		while ((e = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			nl++;
			p = e + 1;
		}
		tm = now_s() - tm;
		if (nl != lines)
			printf("baseline: %zu lines by memchr, %" PRIu64
			    " written\n", nl, lines);
	}
	tn = now_s();
	if (match_count_newlines(buf, len) != lines)
		bad = 1;
	tn = now_s() - tn;

	for (int i = 0; i < runs; i++) {
		t1[i] = scan_threads(set, buf, len, 1, 1, &h1, &c1[i]);
		if (h1 != expect)
			bad = 1;
	}
	for (int i = 0; i < runs; i++) {
		t2[i] = scan_threads(set, buf, len, 2, 1, &h2, &c2[i]);
		if (h2 != expect)
			bad = 1;
	}
	tp = scan_threads(set, buf, len, 1, 0, &hp, &cp);
	if (hp != expect)
		bad = 1;
	tf = scan_threads(set, buf, len, 1, 2, &hf, &cf);
	if (hf != expect)
		bad = 1;
	{
		/* The tokenizer alone: the same scan with an empty set. */
		struct match_builder *eb = NULL;
		struct match_set *es = NULL;
		uint64_t he;

		if (match_builder_new(&eb) != ERR_OK ||
		    match_builder_finish(eb, &es) != ERR_OK)
			exit(2);
		te = scan_threads(es, buf, len, 1, 1, &he, &ce);
		match_set_free(es);
	}
	printf("scan: %.0f MB, %" PRIu64 " lines, %" PRIu64 " hits (oracle: %"
	    PRIu64 ")%s\n", (double)len / 1e6, lines, h1, expect, bad ?
	    "  MISMATCH" : ", exact");
	printf("scan: 1 thread  %.2f GB/s wall (median), %.2f GB/s per CPU "
	    "second (median), best %.2f (%d runs; wall runs",
	    (double)len / median_of(t1, runs) / 1e9,
	    (double)len / median_of(c1, runs) / 1e9,
	    (double)len / best_of(t1, runs) / 1e9, runs);
	for (int i = 0; i < runs; i++)
		printf(" %.2f", (double)len / t1[i] / 1e9);
	printf(")\nscan: 2 threads %.2f GB/s wall (median of %d; runs",
	    (double)len / median_of(t2, runs) / 1e9, runs);
	for (int i = 0; i < runs; i++)
		printf(" %.2f", (double)len / t2[i] / 1e9);
	printf("), %.2fx one thread (medians); busiest thread %.2f CPU s for "
	    "half\n", median_of(t1, runs) / median_of(t2, runs),
	    median_of(c2, runs));
	printf("scan: portable code with fast paths (no SSE2) %.2f GB/s wall, "
	    "%.2f per CPU second, %" PRIu64 " hits\n", (double)len / tf / 1e9,
	    (double)len / cf / 1e9, hf);
	printf("scan: reference code (portable, general rules) %.2f GB/s "
	    "wall, %.2f per CPU "
	    "second, %" PRIu64 " hits\n", (double)len / tp / 1e9,
	    (double)len / cp / 1e9, hp);
	printf("scan: tokenizer alone (empty set) %.2f GB/s wall, %.2f per CPU "
	    "second\n", (double)len / te / 1e9, (double)len / ce / 1e9);
	printf("baseline: memchr line split %.2f GB/s, match_count_newlines "
	    "%.2f GB/s; scan at 1 thread = %.0f%% of the memchr split\n",
	    (double)len / tm / 1e9, (double)len / tn / 1e9,
	    100.0 * tm / median_of(t1, runs));

	if (do_grep) {
		FILE *f;
		size_t slen = grep_mb * 1000000;
		const char *e;
		uint64_t gc = 0, g0 = 0;
		double gt, g0t, ot;
		struct part pt;

		if (slen > len)
			slen = len;
		e = memrchr(buf, '\n', slen);
		slen = e ? (size_t)(e - buf) + 1 : slen;
		(void)snprintf(dpath, sizeof(dpath), "%s/entente-match-bench/"
		    "domains.txt", tmp);
		(void)snprintf(spath, sizeof(spath), "%s/entente-match-bench/"
		    "slice.log", tmp);
		if ((f = fopen(dpath, "w")) == NULL)
			exit(2);
		for (size_t i = 0; i < O.n_dom; i++)
			fprintf(f, "%s\n", O.dom[i]);
		(void)fclose(f);
		if ((f = fopen(spath, "w")) == NULL ||
		    fwrite(buf, 1, slen, f) != slen)
			exit(2);
		(void)fclose(f);
		g0t = run_grep(dpath, "/dev/null", &g0);
		gt = run_grep(dpath, spath, &gc);
		memset(&pt, 0, sizeof(pt));
		pt.set = set;
		pt.p = buf;
		pt.len = slen;
		pt.simd = 1;
		pt.lines = 1;
		ot = now_s();
		scan_part(&pt);
		ot = now_s() - ot;
		printf("grep: LC_ALL=C grep -F -c -f domains.txt (%zu "
		    "patterns) on the first %.0f MB: %.2f s = %.1f MB/s "
		    "(%.1f MB/s without its %.2f s start-up on /dev/null); "
		    "%" PRIu64 " lines reported\n", O.n_dom,
		    (double)slen / 1e6, gt, (double)slen / gt / 1e6,
		    (double)slen / (gt - g0t > 0 ? gt - g0t : gt) / 1e6, g0t,
		    gc);
		printf("grep: entente on the same slice: %.3f s, %" PRIu64
		    " lines with a domain hit (grep reports %.1fx as many)\n",
		    ot, pt.c.domain_lines, pt.c.domain_lines ? (double)gc /
		    (double)pt.c.domain_lines : 0.0);
		printf("grep: scan (1 thread, whole log) / grep = %.0fx "
		    "(%.0fx against grep without start-up)\n",
		    ((double)len / median_of(t1, runs)) / ((double)slen / gt),
		    ((double)len / median_of(t1, runs)) / ((double)slen /
		    (gt - g0t > 0 ? gt - g0t : gt)));
	}
	free(buf);
	match_set_free(set);
	if (compile_n > 0)
		bench_compile(compile_n);
	if (bad)
		printf("bench_match: FAILED: a hit count differs from the "
		    "oracle's\n");
	return bad;
}
