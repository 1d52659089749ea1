/*
 * fuzz_matchtext.c: libFuzzer harness for the free-text scanner
 * (match/scan.c) and the match set (match/matchset.c), differential.
 *
 * The input is text.  It is scanned against a fixed set of indicators
 * chosen to be easy to hit (short domains, addresses, CIDRs of both
 * families, a URL, an e-mail address, hashes) four ways:
 *   - the scanner with its vector code and fast paths (AVX2 when the
 *     processor has it, and SSE2 alone),
 *   - the scanner with its portable mask code and fast paths,
 *   - the scanner's reference code (portable, every run by the general
 *     rules: match_scanner_set_simd(sc, 0)), line by line (offsets
 *     shifted),
 *   - a slow reference written here from the rules in scan.h: plain loops
 *     over the bytes to find runs and hash tokens, and a linear search of
 *     the indicator list (string comparison, bit-by-bit CIDR check) instead
 *     of hashing.  Only the normalization functions of matchset.h are
 *     shared (they have their own tests).
 * All four must report the same hits in the same order: token, kind,
 * matched value and indicator ids.  Every hit must lie inside the input.
 * abort() on any difference.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/matchset.h"
#include "match/scan.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct ind {
	const char		*id;
	enum match_ikind	 kind;
	const char		*value;
};

/* Two digits at the end of each id, so hits are easy to read. */
static const struct ind inds[] = {
	{ "indicator--00000000-0000-4000-8000-000000000001", MATCH_I_DOMAIN,
	    "ab.cd" },
	{ "indicator--00000000-0000-4000-8000-000000000002", MATCH_I_DOMAIN,
	    "x.ab.cd" },
	{ "indicator--00000000-0000-4000-8000-000000000003", MATCH_I_DOMAIN,
	    "Q-1.zz" },
	{ "indicator--00000000-0000-4000-8000-000000000004", MATCH_I_DOMAIN,
	    "ab.cd" },
	{ "indicator--00000000-0000-4000-8000-000000000005", MATCH_I_IPV4,
	    "1.2.3.4" },
	{ "indicator--00000000-0000-4000-8000-000000000006", MATCH_I_IPV4,
	    "10.0.0.0/8" },
	{ "indicator--00000000-0000-4000-8000-000000000007", MATCH_I_IPV4,
	    "10.1.0.0/16" },
	{ "indicator--00000000-0000-4000-8000-000000000008", MATCH_I_IPV4,
	    "0.0.0.0/0" },
	{ "indicator--00000000-0000-4000-8000-000000000009", MATCH_I_IPV6,
	    "::1" },
	{ "indicator--00000000-0000-4000-8000-000000000010", MATCH_I_IPV6,
	    "fe80::/10" },
	{ "indicator--00000000-0000-4000-8000-000000000011", MATCH_I_IPV6,
	    "a::/16" },
	{ "indicator--00000000-0000-4000-8000-000000000012", MATCH_I_URL,
	    "http://ab.cd/x" },
	{ "indicator--00000000-0000-4000-8000-000000000013", MATCH_I_URL,
	    "ftp://a1.b2/" },
	{ "indicator--00000000-0000-4000-8000-000000000014", MATCH_I_EMAIL,
	    "a@b.cd" },
	{ "indicator--00000000-0000-4000-8000-000000000015", MATCH_I_MD5,
	    "00000000000000000000000000000000" },
	{ "indicator--00000000-0000-4000-8000-000000000016", MATCH_I_SHA1,
	    "abababababababababababababababababababab" },
	{ "indicator--00000000-0000-4000-8000-000000000017", MATCH_I_SHA256,
	    "1111111111111111111111111111111111111111111111111111111111111111" },
	{ "indicator--00000000-0000-4000-8000-000000000018", MATCH_I_IPV4,
	    "255.255.255.255/32" },
	{ "indicator--00000000-0000-4000-8000-000000000019", MATCH_I_DOMAIN,
	    "b.cd" },
};
#define N_INDS	(sizeof(inds) / sizeof(inds[0]))

/* The reference's view of the indicators: normalized keys. */
struct rkey {
	enum match_ikind kind;
	int		 cidr;
	unsigned	 plen;
	uint8_t		 addr[16];
	char		 norm[MATCH_VALUE_MAX];
	size_t		 nlen;
	uint8_t		 hash[32];
	size_t		 hlen;
	char		 ids[N_INDS * 3 + 1];	/* "01,04" */
	char		 value[MATCH_VALUE_MAX];	/* as the set prints it */
};

static struct rkey rk[N_INDS];
static size_t n_rk;
static struct match_set *set;
static struct match_scanner *sc;

/* -- The reference */

static int
is_r(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' ||
	    c == ':' || c == '@' || c == '+';
}

static int
is_alnum(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
is_hexd(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
is_letter(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
same_key(const struct rkey *a, const struct rkey *b)
{
	if (a->kind != b->kind || a->cidr != b->cidr)
		return 0;
	switch (a->kind) {
	case MATCH_I_IPV4:
	case MATCH_I_IPV6:
		return a->plen == b->plen && memcmp(a->addr, b->addr, 16) == 0;
	case MATCH_I_MD5:
	case MATCH_I_SHA1:
	case MATCH_I_SHA256:
		return a->hlen == b->hlen && memcmp(a->hash, b->hash,
		    a->hlen) == 0;
	default:
		return a->nlen == b->nlen && memcmp(a->norm, b->norm,
		    a->nlen) == 0;
	}
}

static void
ref_init(void)
{
	for (size_t i = 0; i < N_INDS; i++) {
		struct rkey k;
		const char *v = inds[i].value;
		size_t n = strlen(v), j;
		int v6;

		memset(&k, 0, sizeof(k));
		k.kind = inds[i].kind;
		switch (k.kind) {
		case MATCH_I_IPV4:
		case MATCH_I_IPV6:
			if (!match_parse_ip_prefix(v, n, &v6, k.addr, &k.plen))
				abort();
			k.cidr = k.plen != (v6 ? 128u : 32u);
			match_format_ip(v6, k.addr, k.value);
			if (k.cidr)
				(void)snprintf(k.value + strlen(k.value),
				    sizeof(k.value) - strlen(k.value), "/%u",
				    k.plen);
			break;
		case MATCH_I_DOMAIN:
			k.nlen = match_norm_domain(v, n, 2, k.norm,
			    sizeof(k.norm));
			break;
		case MATCH_I_URL:
			k.nlen = match_norm_url(v, n, k.norm, sizeof(k.norm),
			    NULL, NULL);
			break;
		case MATCH_I_EMAIL:
			k.nlen = match_norm_email(v, n, k.norm, sizeof(k.norm));
			break;
		default:
			k.hlen = match_parse_hash(v, n, k.hash);
			for (size_t m = 0; m < k.hlen; m++)
				(void)snprintf(k.value + 2 * m, 3, "%02x",
				    k.hash[m]);
			break;
		}
		if (k.nlen > 0) {
			memcpy(k.value, k.norm, k.nlen);
			k.value[k.nlen] = '\0';
		}
		for (j = 0; j < n_rk; j++)
			if (same_key(&rk[j], &k))
				break;
		if (j == n_rk)
			rk[n_rk++] = k;
		(void)snprintf(rk[j].ids + strlen(rk[j].ids), 4, "%s%s",
		    rk[j].ids[0] ? "," : "", inds[i].id + strlen(inds[i].id) -
		    2);
	}
}

struct rhit {
	size_t		 off;
	size_t		 len;
	int		 src;	/* 0 run token, 1 hash token */
	char		 text[MATCH_VALUE_MAX + 96];
};

struct rlist {
	struct rhit	*v;
	size_t		 n;
	size_t		 cap;
};

static void
rl_add(struct rlist *l, size_t off, size_t len, int src, const char *kind,
    const struct rkey *k)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		if ((l->v = realloc(l->v, l->cap * sizeof(*l->v))) == NULL)
			abort();
	}
	l->v[l->n].off = off;
	l->v[l->n].len = len;
	l->v[l->n].src = src;
	(void)snprintf(l->v[l->n].text, sizeof(l->v[l->n].text), "%s|%s|%s",
	    kind, k->value, k->ids);
	l->n++;
}

static const uint8_t *T;	/* the text */
static size_t TN;
static struct rlist RL;

static int
covers(const struct rkey *k, const uint8_t a[16])
{
	for (unsigned bit = 0; bit < k->plen; bit++)
		if (((a[bit / 8] ^ k->addr[bit / 8]) >> (7 - bit % 8)) & 1)
			return 0;
	return 1;
}

static void
ref_ip(int v6, const uint8_t a[16], size_t off, size_t len)
{
	enum match_ikind ik = v6 ? MATCH_I_IPV6 : MATCH_I_IPV4;

	for (size_t i = 0; i < n_rk; i++)
		if (rk[i].kind == ik && !rk[i].cidr &&
		    memcmp(rk[i].addr, a, 16) == 0)
			rl_add(&RL, off, len, 0, "exact", &rk[i]);
	for (int pl = v6 ? 128 : 32; pl >= 0; pl--)
		for (size_t i = 0; i < n_rk; i++)
			if (rk[i].kind == ik && rk[i].cidr &&
			    rk[i].plen == (unsigned)pl && covers(&rk[i], a))
				rl_add(&RL, off, len, 0, "cidr", &rk[i]);
	if (v6 && memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		uint8_t a4[16];

		memset(a4, 0, 16);
		memcpy(a4, a + 12, 4);
		ref_ip(0, a4, off, len);
	}
}

/* d: a normalized domain. */
static void
ref_domain(const char *d, size_t dl, size_t off, size_t len)
{
	for (size_t i = 0; i < n_rk; i++)
		if (rk[i].kind == MATCH_I_DOMAIN && rk[i].nlen == dl &&
		    memcmp(rk[i].norm, d, dl) == 0)
			rl_add(&RL, off, len, 0, "exact", &rk[i]);
	for (size_t l = dl; l > 0; l--)
		for (size_t i = 0; i < n_rk; i++)
			if (rk[i].kind == MATCH_I_DOMAIN && rk[i].nlen == l &&
			    l < dl && d[dl - l - 1] == '.' &&
			    memcmp(rk[i].norm, d + dl - l, l) == 0)
				rl_add(&RL, off, len, 0, "subdomain", &rk[i]);
}

static void
ref_key(enum match_ikind k, const void *key, size_t klen, size_t off,
    size_t len, int src)
{
	for (size_t i = 0; i < n_rk; i++) {
		if (rk[i].kind != k)
			continue;
		if ((k == MATCH_I_URL || k == MATCH_I_EMAIL) ?
		    (rk[i].nlen == klen && memcmp(rk[i].norm, key, klen) == 0) :
		    (rk[i].hlen == klen && memcmp(rk[i].hash, key, klen) == 0))
			rl_add(&RL, off, len, src, "exact", &rk[i]);
	}
}

static int
url_char(uint8_t c)
{
	return c >= 0x21 && c <= 0x7e && strchr("\"'<>`\\^{|}", c) == NULL;
}

static size_t
ref_url_end(size_t u0, size_t pos)
{
	size_t e = pos;
	int changed = 1;

	while (e < TN && url_char(T[e]))
		e++;
	while (changed && e > pos) {
		uint8_t c = T[e - 1];

		changed = 1;
		if (strchr(".,;:!?", c) != NULL)
			e--;
		else if (c == ')' && memchr(T + u0, '(', e - u0) == NULL)
			e--;
		else if (c == ']' && memchr(T + u0, '[', e - u0) == NULL)
			e--;
		else
			changed = 0;
	}
	return e;
}

static int
ref_url(size_t u0, size_t u1, int host)
{
	char norm[MATCH_VALUE_MAX], d[MATCH_VALUE_MAX];
	size_t nl, ho = 0, hl = 0, dl;
	uint8_t a[16];

	if (u1 - u0 > MATCH_URL_MAX)
		return 0;
	nl = match_norm_url((const char *)T + u0, u1 - u0, norm, sizeof(norm),
	    &ho, &hl);
	if (nl == 0)
		return 0;
	ref_key(MATCH_I_URL, norm, nl, u0, u1 - u0, 0);
	if (!host)
		return 1;
	memset(a, 0, 16);
	if (memchr(T + u0 + ho, ':', hl) != NULL) {
		if (match_parse_ipv6((const char *)T + u0 + ho, hl, a))
			ref_ip(1, a, u0 + ho, hl);
	} else if (match_parse_ipv4((const char *)T + u0 + ho, hl, a)) {
		ref_ip(0, a, u0 + ho, hl);
	} else if ((dl = match_norm_domain((const char *)T + u0 + ho, hl, 2,
	    d, sizeof(d))) != 0) {
		ref_domain(d, dl, u0 + ho, hl);
	}
	return 1;
}

/* Rule 4 on [s, e); url_ok with run_end as in scan.h. */
static void
ref_piece(size_t s, size_t e, int url_ok, size_t run_end)
{
	char d[300];
	size_t labels = 1, lab = 0;
	int digits = 1, letter = 0, ok = 1;
	uint8_t a[16];

	while (s < e && T[s] == '.')
		s++;
	while (e > s && T[e - 1] == '.')
		e--;
	if (e - s < 3)
		return;
	for (size_t i = s; i < e; i++)
		if (!(T[i] >= '0' && T[i] <= '9') && T[i] != '.')
			digits = 0;
	if (digits) {
		memset(a, 0, 16);
		if (match_parse_ipv4((const char *)T + s, e - s, a))
			ref_ip(0, a, s, e - s);
		return;
	}
	/* Labels of [A-Za-z0-9_-], 1-63 bytes, 253 in all, last with a
	 * letter, two or more. */
	if (e - s > 253)
		return;
	for (size_t i = s; i < e; i++) {
		uint8_t c = T[i];

		if (c == '.') {
			if (lab == 0)
				ok = 0;
			labels++;
			lab = 0;
			letter = 0;
			d[i - s] = '.';
			continue;
		}
		if (!is_alnum(c) && c != '-' && c != '_')
			ok = 0;
		if (++lab > 63)
			ok = 0;
		if (is_letter(c))
			letter = 1;
		d[i - s] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	if (!ok || !letter || labels < 2 || lab == 0)
		return;
	if (url_ok && run_end < TN && T[run_end] == '/')
		(void)ref_url(s, ref_url_end(s, run_end), 0);
	ref_domain(d, e - s, s, e - s);
}

static void
ref_colon(size_t s, size_t e, int url_ok, size_t run_end)
{
	size_t e2 = e, nc = 0, last = 0;
	uint8_t a[16];

	if (memchr(T + s, ':', e - s) == NULL) {
		ref_piece(s, e, url_ok, run_end);
		return;
	}
	if (e2 - s >= 2 && T[e2 - 1] == ':' && T[e2 - 2] != ':')
		e2--;
	memset(a, 0, 16);
	if (match_parse_ipv6((const char *)T + s, e2 - s, a)) {
		ref_ip(1, a, s, e2 - s);
		return;
	}
	for (size_t i = s; i < e2; i++)
		if (T[i] == ':') {
			nc++;
			last = i;
		}
	if (nc == 1 && e2 - last - 1 >= 1 && e2 - last - 1 <= 5) {
		int port = 1;

		for (size_t i = last + 1; i < e2; i++)
			if (!(T[i] >= '0' && T[i] <= '9'))
				port = 0;
		if (port) {
			ref_piece(s, last, url_ok && e2 == e, run_end);
			return;
		}
	}
	for (size_t i = s, p = s; i <= e2; i++)
		if (i == e2 || T[i] == ':') {
			if (i > p)
				ref_piece(p, i, 0, run_end);
			p = i + 1;
		}
}

static void
ref_email(size_t s, size_t e)
{
	char em[MATCH_VALUE_MAX], d[MATCH_VALUE_MAX];
	size_t at = 0, ls, d0, d1, de, n, dl = 0;

	for (size_t i = s; i < e; i++)
		if (T[i] == '@')
			at = i;
	ls = at;
	while (ls > s && T[ls - 1] != ':' && T[ls - 1] != '@')
		ls--;
	while (ls < at && T[ls] == '.')
		ls++;
	d0 = at + 1;
	de = d0;
	while (de < e && T[de] != ':')
		de++;
	d1 = de;
	while (d1 > d0 && T[d1 - 1] == '.')
		d1--;
	n = at - ls;
	if (n >= 1 && n <= 64)
		dl = match_norm_domain((const char *)T + d0, d1 - d0, 2, d,
		    sizeof(d));
	if (dl == 0) {
		ref_piece(d0, de, 0, e);
		return;
	}
	for (size_t i = 0; i < n; i++)
		em[i] = (char)((T[ls + i] >= 'A' && T[ls + i] <= 'Z') ?
		    T[ls + i] + 32 : T[ls + i]);
	em[n] = '@';
	memcpy(em + n + 1, d, dl);
	ref_key(MATCH_I_EMAIL, em, n + 1 + dl, ls, d1 - ls, 0);
	ref_domain(d, dl, d0, d1 - d0);
}

/* A run [s, e) holding '.', ':' or '@'; returns where runs go on. */
static size_t
ref_run(size_t s, size_t e)
{
	int has_at = 0, has_plus = 0;

	if (e - s > MATCH_RUN_MAX)
		return e;
	if (T[e - 1] == ':' && e + 1 < TN && T[e] == '/' && T[e + 1] == '/') {
		size_t k = e - 1;

		while (k > s && (is_alnum(T[k - 1]) || T[k - 1] == '+' ||
		    T[k - 1] == '-' || T[k - 1] == '.'))
			k--;
		while (k < e - 1 && !is_letter(T[k]))
			k++;
		if (k < e - 1) {
			size_t u1 = ref_url_end(k, e + 2), a1 = e + 2;

			if (ref_url(k, u1, 1)) {
				while (a1 < u1 && T[a1] != '/' && T[a1] != '?' &&
				    T[a1] != '#')
					a1++;
				return a1;
			}
		}
	}
	for (size_t i = s; i < e; i++) {
		has_at |= T[i] == '@';
		has_plus |= T[i] == '+';
	}
	if (has_at) {
		ref_email(s, e);
		return e;
	}
	if (!has_plus) {
		ref_colon(s, e, 1, e);
		return e;
	}
	for (size_t i = s, p = s; i <= e; i++)
		if (i == e || T[i] == '+') {
			if (i > p)
				ref_colon(p, i, i == e, e);
			p = i + 1;
		}
	return e;
}

static void
ref_scan(void)
{
	size_t next = 0, i;
	struct rlist runs = { 0 };

	RL.n = 0;
	/* Run tokens. */
	i = 0;
	while (i < TN) {
		size_t s, e;
		int trig = 0;

		if (!is_r(T[i]) || i < next) {
			i++;
			continue;
		}
		s = i;
		e = i;
		while (e < TN && is_r(T[e])) {
			trig |= T[e] == '.' || T[e] == ':' || T[e] == '@';
			e++;
		}
		if (trig)
			next = ref_run(s, e);
		else
			next = e;
		i = next > e ? next : e;
	}
	runs = RL;
	RL.v = NULL;
	RL.n = RL.cap = 0;
	/* Hash tokens: whole alphanumeric runs of 32/40/64 hex digits. */
	for (i = 0; i < TN; ) {
		size_t s = i, e;
		int hex = 1;

		if (!is_alnum(T[i])) {
			i++;
			continue;
		}
		e = s;
		while (e < TN && is_alnum(T[e])) {
			hex &= is_hexd(T[e]);
			e++;
		}
		if (hex && (e - s == 32 || e - s == 40 || e - s == 64)) {
			uint8_t h[32];
			size_t hl = match_parse_hash((const char *)T + s, e - s,
			    h);

			ref_key(e - s == 32 ? MATCH_I_MD5 : e - s == 40 ?
			    MATCH_I_SHA1 : MATCH_I_SHA256, h, hl, s, e - s, 1);
		}
		i = e;
	}
	/* Merge: token order, run tokens first on a tie. */
	{
		struct rlist hs = RL;
		size_t a = 0, b = 0;

		RL.v = NULL;
		RL.n = RL.cap = 0;
		while (a < runs.n || b < hs.n) {
			const struct rhit *x;

			if (a < runs.n && (b == hs.n ||
			    runs.v[a].off <= hs.v[b].off))
				x = &runs.v[a++];
			else
				x = &hs.v[b++];
			if (RL.n == RL.cap) {
				RL.cap = RL.cap ? RL.cap * 2 : 64;
				RL.v = realloc(RL.v, RL.cap * sizeof(*RL.v));
				if (RL.v == NULL)
					abort();
			}
			RL.v[RL.n++] = *x;
		}
		free(runs.v);
		free(hs.v);
	}
}

/* -- The scanner's hits, in the same form */

struct got {
	struct rlist	 l;
	size_t		 shift;		/* of the buffer in T */
	size_t		 buflen;
};

static enum err
got_cb(void *arg, const struct match_hit *h)
{
	struct got *g = arg;
	struct rhit *x;
	char v[MATCH_VALUE_MAX], id[LIM_STIX_ID + 1];
	size_t n = match_set_hit_n_ids(set, h), at;
	uint32_t idx[N_INDS];

	if (h->off > g->buflen || h->len > g->buflen - h->off || h->len == 0)
		abort();
	if (g->l.n == g->l.cap) {
		g->l.cap = g->l.cap ? g->l.cap * 2 : 64;
		if ((g->l.v = realloc(g->l.v, g->l.cap * sizeof(*g->l.v))) ==
		    NULL)
			abort();
	}
	x = &g->l.v[g->l.n++];
	x->off = h->off + g->shift;
	x->len = h->len;
	x->src = 0;
	match_set_hit_value(set, h, v);
	at = (size_t)snprintf(x->text, sizeof(x->text), "%s|%s|",
	    match_hkind_name(h->kind), v);
	/* Ids in the order the indicators were listed. */
	if (n > N_INDS)
		abort();
	for (size_t i = 0; i < n; i++)
		idx[i] = match_set_hit_id(set, h, i);
	for (size_t i = 0; i < N_INDS; i++)
		for (size_t k = 0; k < n; k++) {
			if (idx[k] == UINT32_MAX)
				continue;
			match_set_indicator_id(set, idx[k], id);
			if (strcmp(id, inds[i].id) == 0 && at + 4 <
			    sizeof(x->text)) {
				at += (size_t)snprintf(x->text + at,
				    sizeof(x->text) - at, "%s%s",
				    x->text[at - 1] == '|' ? "" : ",",
				    inds[i].id + strlen(inds[i].id) - 2);
				idx[k] = UINT32_MAX;
			}
		}
	return ERR_OK;
}

static void
compare(const struct rlist *a, const struct rlist *b, const char *what)
{
	size_t n = a->n < b->n ? a->n : b->n;

	for (size_t i = 0; i < n; i++)
		if (a->v[i].off != b->v[i].off || a->v[i].len != b->v[i].len ||
		    strcmp(a->v[i].text, b->v[i].text) != 0) {
			fprintf(stderr, "%s: hit %zu differs: %zu+%zu %s vs "
			    "%zu+%zu %s\n", what, i, a->v[i].off, a->v[i].len,
			    a->v[i].text, b->v[i].off, b->v[i].len,
			    b->v[i].text);
			abort();
		}
	if (a->n != b->n) {
		fprintf(stderr, "%s: %zu hits vs %zu\n", what, a->n, b->n);
		for (size_t i = n; i < a->n; i++)
			fprintf(stderr, "  extra A %zu+%zu %s\n", a->v[i].off,
			    a->v[i].len, a->v[i].text);
		for (size_t i = n; i < b->n; i++)
			fprintf(stderr, "  extra B %zu+%zu %s\n", b->v[i].off,
			    b->v[i].len, b->v[i].text);
		abort();
	}
}

static void
init(void)
{
	struct match_builder *b = NULL;

	ref_init();
	if (match_builder_new(&b) != ERR_OK)
		abort();
	for (size_t i = 0; i < N_INDS; i++) {
		struct match_term t;

		t.kind = inds[i].kind;
		t.value = inds[i].value;
		t.len = strlen(t.value);
		t.subset = strchr(t.value, '/') != NULL && (t.kind ==
		    MATCH_I_IPV4 || t.kind == MATCH_I_IPV6);
		if (match_builder_add(b, inds[i].id, &t, 1) != ERR_OK)
			abort();
	}
	if (match_builder_finish(b, &set) != ERR_OK ||
	    match_scanner_new(set, &sc) != ERR_OK)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct got fast, pfast, plain;
	size_t at = 0;

	if (set == NULL)
		init();
	T = data;
	TN = size;
	ref_scan();

	memset(&fast, 0, sizeof(fast));
	fast.buflen = size;
	match_scanner_set_simd(sc, 1);
	if (match_scan_text(sc, (const char *)data, size, got_cb, &fast) !=
	    ERR_OK)
		abort();
	compare(&RL, &fast.l, "reference vs scanner");

	memset(&pfast, 0, sizeof(pfast));
	pfast.buflen = size;
	match_scanner_set_simd(sc, 2);
	if (match_scan_text(sc, (const char *)data, size, got_cb, &pfast) !=
	    ERR_OK)
		abort();
	compare(&fast.l, &pfast.l, "vector vs portable with fast paths");
	free(pfast.l.v);

	memset(&pfast, 0, sizeof(pfast));
	pfast.buflen = size;
	match_scanner_set_simd(sc, 3);
	if (match_scan_text(sc, (const char *)data, size, got_cb, &pfast) !=
	    ERR_OK)
		abort();
	compare(&fast.l, &pfast.l, "vector vs SSE2");
	free(pfast.l.v);

	memset(&plain, 0, sizeof(plain));
	match_scanner_set_simd(sc, 0);
	while (at <= size) {
		const uint8_t *e = at < size ? memchr(data + at, '\n',
		    size - at) : NULL;
		size_t l = e ? (size_t)(e - data) - at : size - at;

		plain.shift = at;
		plain.buflen = l;
		if (match_scan_text(sc, (const char *)data + at, l, got_cb,
		    &plain) != ERR_OK)
			abort();
		at += l + 1;
	}
	compare(&fast.l, &plain.l, "vector vs reference code by lines");
	free(fast.l.v);
	free(plain.l.v);
	free(RL.v);
	RL.v = NULL;
	RL.n = RL.cap = 0;
	return 0;
}
