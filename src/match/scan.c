/*
 * scan.c: the free-text scanner of scan.h.
 *
 * The hot loop looks at 64 bytes at a time (SSE2, or AVX2 when the
 * processor has it) and builds bit masks: trigger bytes ('.', ':', '@': a
 * token worth checking holds one), run bytes, dots, colons, digits and hex
 * digits.  Runs without a trigger are never looked at again; the start of
 * a run is found from the run mask, and a run the masks alone show cannot
 * hold an address or a name (a clock time, a decimal number, "word:") is
 * skipped without touching its bytes.  Runs of 32 or more hex digits are
 * found with five shifts and ands.  Each remaining run is classified in
 * one vector pass (lower-cased on the way, its dots listed) and checked by
 * the rules; host:port and plain runs reuse that pass.
 *
 * Lookups do not wait for memory: each key is hashed, the word of the
 * bloom filter it needs is prefetched, and the key is queued; the queue
 * is tested when it is full (or the text ends), by when the words have
 * arrived, so tokens overlap their cache misses instead of paying for
 * them one after the other.  Keys the filter lets through are then probed
 * in the table, in queue order; CIDRs come from the interval index and
 * are queued as found, to keep the order.  Run tokens and hash tokens are
 * found by two independent cursors, so their hits are kept in two arrays
 * and merged in token order before the callback sees them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#include <immintrin.h>
#define SCAN_SSE2	1
#else
#define SCAN_SSE2	0
#endif

#include "match/matchset_int.h"
#include "match/scan.h"

/* Byte classes. */
#define C_R		0x01	/* run byte: A-Z a-z 0-9 . - _ : @ + */
#define C_HEX		0x02
#define C_ALNUM		0x04
#define C_LETTER	0x08
#define C_DIGIT		0x10
#define C_URL		0x20	/* may appear in a URL */
#define C_SCHEME	0x40	/* A-Z a-z 0-9 + - . */
#define C_LABEL		0x80	/* A-Z a-z 0-9 - _ */

static const uint8_t ctab[256] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x20, 0x00, 0x20, 0x20, 0x20, 0x20, 0x00,
	0x20, 0x20, 0x20, 0x61, 0x20, 0xe1, 0x61, 0x20,
	0xf7, 0xf7, 0xf7, 0xf7, 0xf7, 0xf7, 0xf7, 0xf7,
	0xf7, 0xf7, 0x21, 0x20, 0x00, 0x20, 0x00, 0x20,
	0x21, 0xef, 0xef, 0xef, 0xef, 0xef, 0xef, 0xed,
	0xed, 0xed, 0xed, 0xed, 0xed, 0xed, 0xed, 0xed,
	0xed, 0xed, 0xed, 0xed, 0xed, 0xed, 0xed, 0xed,
	0xed, 0xed, 0xed, 0x20, 0x00, 0x20, 0x00, 0xa1,
	0x00, 0xef, 0xef, 0xef, 0xef, 0xef, 0xef, 0xed,
	0xed, 0xed, 0xed, 0xed, 0xed, 0xed, 0xed, 0xed,
	0xed, 0xed, 0xed, 0xed, 0xed, 0xed, 0xed, 0xed,
	0xed, 0xed, 0xed, 0x00, 0x00, 0x00, 0x20, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* Run classes (rtab): what one pass over a run learns. */
#define F_DOT		0x01
#define F_COLON		0x02
#define F_AT		0x04
#define F_PLUS		0x08
#define F_LETTER	0x10	/* A-Z a-z */
#define F_NONHEX	0x20	/* a run byte that cannot be in an IPv6 */
#define F_UPPER		0x40	/* A-Z: F_UPPER >> 1 is the case bit */
#define F_R		0x80	/* a run byte */

static const uint8_t rtab[256] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0xa8, 0x00, 0xa0, 0x81, 0x00,
	0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	0x80, 0x80, 0x82, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xa4, 0xd0, 0xd0, 0xd0, 0xd0, 0xd0, 0xd0, 0xf0,
	0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0,
	0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0,
	0xf0, 0xf0, 0xf0, 0x00, 0x00, 0x00, 0x00, 0xa0,
	0x00, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0xb0,
	0xb0, 0xb0, 0xb0, 0xb0, 0xb0, 0xb0, 0xb0, 0xb0,
	0xb0, 0xb0, 0xb0, 0xb0, 0xb0, 0xb0, 0xb0, 0xb0,
	0xb0, 0xb0, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* Population count without a library call on older targets. */
static inline unsigned
pop64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* Hits collected before they are merged in token order. */
#define HITS_FLUSH	4096u
/* Hits held at once at most (then ERR_TOOBIG): bounded memory. */
#define HITS_MAX	(1u << 22)
/* Queued lookups, and the bytes of their keys. */
#define PEND_MAX	256u
#define KEYS_BYTES	(64u * 1024u)

struct hitbuf {
	struct match_hit	*v;
	size_t			 n;
	size_t			 cap;
};

/* A queued lookup. */
#define PEND_FOUND	0	/* type of a result known already: h is
				 * its record */
struct pend {
	const uint64_t	*word;		/* bloom word, prefetched */
	uint64_t	 h;
	size_t		 off;		/* the observed token */
	size_t		 len;
	uint32_t	 koff;		/* key bytes in keys[] */
	uint16_t	 klen;
	uint8_t		 type;		/* MS_T_* */
	uint8_t		 kind;		/* enum match_hkind */
	uint8_t		 ikind;		/* enum match_ikind */
	uint8_t		 which;		/* hitbuf: 0 runs, 1 hashes */
};

struct match_scanner {
	const struct match_set	*set;
	int			 simd;
	enum err		 err;
	/* The buffer being scanned. */
	const uint8_t		*b;
	size_t			 n;
	/* Where hits go: 0 run tokens, 1 hash tokens. */
	struct hitbuf		 hb[2];
	int			 cur;
	match_hit_cb		 cb;
	void			*cbarg;
	/* The lookup queue. */
	struct pend		 pend[PEND_MAX];
	size_t			 n_pend;
	size_t			 keys_len;
	uint8_t			 keys[KEYS_BYTES];
	/* Scratch. */
	uint16_t		 dots[MATCH_RUN_MAX + 16];
	size_t			 lastcolon;	/* in the classified run */
	char			 lc[MATCH_RUN_MAX + 16];
	char			 url[MATCH_VALUE_MAX];
};

enum err
match_scanner_new(const struct match_set *s, struct match_scanner **out)
{
	struct match_scanner *sc;

	*out = NULL;
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return ERR_NOMEM;
	sc->set = s;
	match_scanner_set_simd(sc, 1);
	*out = sc;
	return ERR_OK;
}

void
match_scanner_free(struct match_scanner *sc)
{
	if (sc == NULL)
		return;
	free(sc->hb[0].v);
	free(sc->hb[1].v);
	free(sc);
}

void
match_scanner_set_simd(struct match_scanner *sc, int on)
{
	sc->simd = 0;
#if SCAN_SSE2
	if (on)
		sc->simd = __builtin_cpu_supports("avx2") ? 2 : 1;
#endif
}

/* -- Hits */

static void
push(struct match_scanner *sc, int which, const struct match_hit *h)
{
	struct hitbuf *hb = &sc->hb[which];

	if (sc->err != ERR_OK)
		return;
	if (hb->n == hb->cap) {
		size_t ncap = hb->cap ? hb->cap * 2 : 256;
		struct match_hit *nv;

		if (ncap > HITS_MAX) {
			sc->err = ERR_TOOBIG;
			return;
		}
		if ((nv = realloc(hb->v, ncap * sizeof(*nv))) == NULL) {
			sc->err = ERR_NOMEM;
			return;
		}
		hb->v = nv;
		hb->cap = ncap;
	}
	hb->v[hb->n++] = *h;
}

/*
 * Test the queued keys against the bloom filter (their words were
 * prefetched when they were queued), probe the table for those that pass
 * and record the hits, in queue order.
 */
static void
pend_run(struct match_scanner *sc)
{
	const struct match_set *s = sc->set;
	struct match_hit h;

	for (size_t i = 0; i < sc->n_pend; i++) {
		const struct pend *p = &sc->pend[i];
		uint64_t m = ms_bloom_mask(p->h);

		if (p->type == PEND_FOUND) {
			h.rec = (uint32_t)p->h;
		} else {
			if ((*p->word & m) != m)
				continue;
			h.rec = ms_probe(s, p->type, sc->keys + p->koff,
			    p->klen, p->h);
			if (h.rec == 0)
				continue;
		}
		h.off = p->off;
		h.len = p->len;
		h.kind = (enum match_hkind)p->kind;
		h.ikind = (enum match_ikind)p->ikind;
		push(sc, p->which, &h);
	}
	sc->n_pend = 0;
	sc->keys_len = 0;
}

/* Room for n more lookups with kb more key bytes: run the queue if not. */
static void
pend_room(struct match_scanner *sc, size_t n, size_t kb)
{
	if (sc->n_pend + n > PEND_MAX || sc->keys_len + kb > KEYS_BYTES)
		pend_run(sc);
}

/* Queue the key keys[koff..koff+klen) (already copied there). */
static void
pend_add(struct match_scanner *sc, unsigned t, size_t koff, size_t klen,
    enum match_hkind kind, enum match_ikind ikind, size_t off, size_t len)
{
	const struct match_set *s = sc->set;
	struct pend *p;
	uint64_t h;

	if (s->bloom_n[t] == 0)
		return;
	h = ms_hash(t, sc->keys + koff, klen);
	p = &sc->pend[sc->n_pend++];
	p->word = ms_bloom_word(s, t, h);
	__builtin_prefetch(p->word);
	p->h = h;
	p->off = off;
	p->len = len;
	p->koff = (uint32_t)koff;
	p->klen = (uint16_t)klen;
	p->type = (uint8_t)t;
	p->kind = (uint8_t)kind;
	p->ikind = (uint8_t)ikind;
	p->which = (uint8_t)sc->cur;
}

/* Copy a key into the queue's key bytes; returns its offset. */
static size_t
key_put(struct match_scanner *sc, const void *k, size_t len)
{
	size_t at = sc->keys_len;

	memcpy(sc->keys + at, k, len);
	sc->keys_len += len;
	return at;
}

/*
 * Hand the hits whose token starts before bound to the callback, merging
 * the two arrays (run tokens first on a tie), and keep the rest.  The
 * queue must have been run.
 */
static void
flush(struct match_scanner *sc, size_t bound)
{
	struct hitbuf *a = &sc->hb[0], *h = &sc->hb[1];
	size_t i = 0, j = 0;

	while (sc->err == ERR_OK) {
		const struct match_hit *x;
		int ta = i < a->n && a->v[i].off < bound;
		int th = j < h->n && h->v[j].off < bound;

		if (!ta && !th)
			break;
		if (ta && (!th || a->v[i].off <= h->v[j].off))
			x = &a->v[i++];
		else
			x = &h->v[j++];
		sc->err = sc->cb(sc->cbarg, x);
	}
	if (i > 0 && a->n > i)
		memmove(a->v, a->v + i, (a->n - i) * sizeof(*a->v));
	a->n -= i;
	if (j > 0 && h->n > j)
		memmove(h->v, h->v + j, (h->n - j) * sizeof(*h->v));
	h->n -= j;
}

/* -- Lookups */

/* Queue a hit already found (a CIDR), in order with the lookups. */
static void
pend_found(struct match_scanner *sc, uint32_t rec, enum match_hkind kind,
    enum match_ikind ikind, size_t off, size_t len)
{
	struct pend *p;

	pend_room(sc, 1, 0);
	p = &sc->pend[sc->n_pend++];
	p->h = rec;
	p->off = off;
	p->len = len;
	p->type = PEND_FOUND;
	p->kind = (uint8_t)kind;
	p->ikind = (uint8_t)ikind;
	p->which = (uint8_t)sc->cur;
}

/* An address: exactly, then in each CIDR of the set covering it. */
static void
look_ip(struct match_scanner *sc, int v6, const uint8_t a[16], size_t off,
    size_t len)
{
	const struct match_set *s = sc->set;
	const struct ms_cidrs *c = v6 ? &s->c6 : &s->c4;
	enum match_ikind ik = v6 ? MATCH_I_IPV6 : MATCH_I_IPV4;
	size_t alen = v6 ? 16 : 4;
	uint32_t i;

	if (s->bloom_n[v6 ? MS_T_IPV6 : MS_T_IPV4] != 0) {
		pend_room(sc, 1, alen);
		pend_add(sc, v6 ? MS_T_IPV6 : MS_T_IPV4, key_put(sc, a, alen),
		    alen, MATCH_H_EXACT, ik, off, len);
	}
	for (i = ms_cidr_find(c, v6, a); i != 0; i = c->list[i - 1].parent)
		pend_found(sc, c->list[i - 1].rec, MATCH_H_CIDR, ik, off, len);
	if (v6 && memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		uint8_t a4[16];

		memset(a4, 0, sizeof(a4));
		memcpy(a4, a + 12, 4);
		look_ip(sc, 0, a4, off, len);
	}
}

/*
 * d[0..dl): a normalized domain of two or more labels.  Look it up and
 * each parent of two or more labels; the hits point at off/len.
 */
static void
look_domain(struct match_scanner *sc, const char *d, size_t dl, size_t off,
    size_t len)
{
	uint64_t dm = 0;
	size_t k, start = 0;

	if (sc->set->bloom_n[MS_T_DOMAIN] == 0)
		return;
	/* Labels are at least two bytes apart: at most dl / 2 + 1. */
	pend_room(sc, dl / 2 + 1, dl);
	k = key_put(sc, d, dl);
	if (dl <= 64) {
		/* The dots as a bit mask, parents found by bit scans. */
		for (size_t i = 0; i < dl; i++)
			dm |= (uint64_t)(d[i] == '.') << i;
		pend_add(sc, MS_T_DOMAIN, k, dl, MATCH_H_EXACT, MATCH_I_DOMAIN,
		    off, len);
		/* Every dot but the last starts a parent of two labels+. */
		while ((dm & (dm - 1)) != 0) {
			start = (size_t)__builtin_ctzll(dm) + 1;
			pend_add(sc, MS_T_DOMAIN, k + start, dl - start,
			    MATCH_H_SUBDOMAIN, MATCH_I_DOMAIN, off, len);
			dm &= dm - 1;
		}
		return;
	}
	for (;;) {
		const char *dot = memchr(d + start, '.', dl - start);

		if (dot == NULL)
			break;	/* a single label is never looked up */
		pend_add(sc, MS_T_DOMAIN, k + start, dl - start, start == 0 ?
		    MATCH_H_EXACT : MATCH_H_SUBDOMAIN, MATCH_I_DOMAIN, off, len);
		start = (size_t)(dot - d) + 1;
	}
}

static void
look_key(struct match_scanner *sc, enum match_ikind ik, const void *key,
    size_t klen, size_t off, size_t len)
{
	unsigned t;

	switch (ik) {
	case MATCH_I_URL:
		t = MS_T_URL;
		break;
	case MATCH_I_EMAIL:
		t = MS_T_EMAIL;
		break;
	case MATCH_I_MD5:
		t = MS_T_MD5;
		break;
	case MATCH_I_SHA1:
		t = MS_T_SHA1;
		break;
	case MATCH_I_SHA256:
		t = MS_T_SHA256;
		break;
	default:
		return;
	}
	if (sc->set->bloom_n[t] == 0)
		return;
	pend_room(sc, 1, klen);
	pend_add(sc, t, key_put(sc, key, klen), klen, MATCH_H_EXACT, ik, off,
	    len);
}

/* -- Runs */

/*
 * Lower-case b[s..e) into sc->lc and check it is a domain of two or more
 * labels of [a-z0-9_-] (1-63 bytes, 253 in all), the last with a letter.
 */
static int
domain_lc(struct match_scanner *sc, size_t s, size_t e)
{
	const uint8_t *b = sc->b;
	size_t lab = 0, dots = 0;
	int letter = 0;

	if (e - s > MATCH_DOMAIN_MAX)
		return 0;
	for (size_t i = s; i < e; i++) {
		uint8_t c = b[i], cl = ctab[c];

		if (c == '.') {
			if (lab == 0)
				return 0;
			lab = 0;
			letter = 0;
			dots++;
		} else {
			if (!(cl & C_LABEL) || ++lab > 63)
				return 0;
			if (cl & C_LETTER) {
				c |= 0x20;
				letter = 1;
			}
		}
		sc->lc[i - s] = (char)c;
	}
	return lab > 0 && letter && dots > 0;
}

/* The end of a URL whose text continues at pos, trailing punctuation
 * dropped; u0 is where the URL starts. */
static size_t
url_end(const struct match_scanner *sc, size_t u0, size_t pos)
{
	const uint8_t *b = sc->b;
	size_t e = pos;

	while (e < sc->n && (ctab[b[e]] & C_URL))
		e++;
	while (e > pos) {
		uint8_t c = b[e - 1];

		if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' ||
		    c == '?')
			e--;
		else if (c == ')' && memchr(b + u0, '(', e - u0) == NULL)
			e--;
		else if (c == ']' && memchr(b + u0, '[', e - u0) == NULL)
			e--;
		else
			break;
	}
	return e;
}

/* Look up the URL b[u0..u1); with_host: its host too.  0 when it does
 * not normalize (nothing was looked up). */
static int
check_url(struct match_scanner *sc, size_t u0, size_t u1, int with_host)
{
	const char *u = (const char *)sc->b + u0;
	size_t nl, hoff = 0, hl = 0, nho = 0, nhl = 0;
	uint8_t a[16];

	if (u1 - u0 > MATCH_URL_MAX)
		return 0;
	nl = match_norm_url_ex(u, u1 - u0, sc->url, sizeof(sc->url), &hoff,
	    &hl, &nho, &nhl);
	if (nl == 0)
		return 0;
	look_key(sc, MATCH_I_URL, sc->url, nl, u0, u1 - u0);
	if (!with_host)
		return 1;
	memset(a, 0, sizeof(a));
	if (memchr(u + hoff, ':', hl) != NULL) {
		if (match_parse_ipv6(u + hoff, hl, a))
			look_ip(sc, 1, a, u0 + hoff, hl);
	} else if (match_parse_ipv4(u + hoff, hl, a)) {
		look_ip(sc, 0, a, u0 + hoff, hl);
	} else if (memchr(sc->url + nho, '.', nhl) != NULL) {
		/* Normalized by match_norm_url() already (labels checked,
		 * the last with a letter): a domain of two or more labels. */
		look_domain(sc, sc->url + nho, nhl, u0 + hoff, hl);
	}
	return 1;
}

/*
 * Rule 4 on the piece b[s..e) (no ':', '@', '+').  url_ok: the piece ends
 * its run at run_end, so a '/' there starts a URL without scheme.
 */
static void
check_piece(struct match_scanner *sc, size_t s, size_t e, int url_ok,
    size_t run_end)
{
	const uint8_t *b = sc->b;
	uint8_t a[16];
	int digits = 1;

	while (s < e && b[s] == '.')
		s++;
	while (e > s && b[e - 1] == '.')
		e--;
	if (e - s < 3)
		return;
	for (size_t i = s; i < e; i++)
		if (!(ctab[b[i]] & C_DIGIT) && b[i] != '.') {
			digits = 0;
			break;
		}
	if (digits) {
		memset(a, 0, sizeof(a));
		if (match_parse_ipv4((const char *)b + s, e - s, a))
			look_ip(sc, 0, a, s, e - s);
		return;
	}
	if (!domain_lc(sc, s, e))
		return;
	if (url_ok && run_end < sc->n && b[run_end] == '/')
		(void)check_url(sc, s, url_end(sc, s, run_end), 0);
	look_domain(sc, sc->lc, e - s, s, e - s);
}

/* Rules 3a-3c on the piece b[s..e) (no '@', '+'). */
static void
check_colon(struct match_scanner *sc, size_t s, size_t e, int url_ok,
    size_t run_end, int may_v6)
{
	const uint8_t *b = sc->b;
	uint8_t a[16];
	size_t e2 = e, ncolon = 0, last = 0;

	if (memchr(b + s, ':', e - s) == NULL) {
		check_piece(sc, s, e, url_ok, run_end);
		return;
	}
	if (e2 - s >= 2 && b[e2 - 1] == ':' && b[e2 - 2] != ':')
		e2--;
	if (may_v6 && e2 - s >= 2 && e2 - s <= 45 &&
	    match_parse_ipv6((const char *)b + s, e2 - s, a)) {
		look_ip(sc, 1, a, s, e2 - s);
		return;
	}
	for (size_t i = s; i < e2; i++)
		if (b[i] == ':') {
			ncolon++;
			last = i;
		}
	if (ncolon == 1 && e2 - last - 1 >= 1 && e2 - last - 1 <= 5) {
		int port = 1;

		for (size_t i = last + 1; i < e2; i++)
			if (!(ctab[b[i]] & C_DIGIT))
				port = 0;
		if (port) {
			check_piece(sc, s, last, url_ok && e2 == e, run_end);
			return;
		}
	}
	for (size_t i = s, p = s; i <= e2; i++)
		if (i == e2 || b[i] == ':') {
			if (i > p)
				check_piece(sc, p, i, 0, run_end);
			p = i + 1;
		}
}

/* Rule 2 on the run b[s..e) holding '@'. */
static void
check_email(struct match_scanner *sc, size_t s, size_t e)
{
	const uint8_t *b = sc->b;
	size_t at = e, ls, d0, d1, de, n, dl = 0;
	char *em = sc->url;

	while (at > s && b[at - 1] != '@')
		at--;
	at--;			/* b[at] == '@' */
	ls = at;
	while (ls > s && b[ls - 1] != ':' && b[ls - 1] != '@')
		ls--;
	while (ls < at && b[ls] == '.')
		ls++;
	d0 = at + 1;
	de = d0;
	while (de < e && b[de] != ':')
		de++;
	d1 = de;
	while (d1 > d0 && b[d1 - 1] == '.')
		d1--;
	n = at - ls;
	if (n >= 1 && n <= 64)
		dl = match_norm_domain((const char *)b + d0, d1 - d0, 2,
		    em + n + 1, sizeof(sc->url) - n - 1);
	if (dl == 0) {
		check_piece(sc, d0, de, 0, e);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t c = b[ls + i];

		em[i] = (char)((ctab[c] & C_LETTER) ? (c | 0x20) : c);
	}
	em[n] = '@';
	look_key(sc, MATCH_I_EMAIL, em, n + 1 + dl, ls, d1 - ls);
	memcpy(sc->lc, em + n + 1, dl);
	look_domain(sc, sc->lc, dl, d0, d1 - d0);
}

/*
 * The common piece, a whole run without ':', '@' or '+': lc[0..n) is its
 * lower-case copy and dots[0..nd) where its dots are.
 */
static void
check_plain(struct match_scanner *sc, size_t s, size_t n, unsigned f,
    size_t nd)
{
	const uint16_t *dots = sc->dots;
	size_t i0 = 0, i1 = n, d0 = 0, d1 = nd, prev;
	uint8_t a[16];
	int letter = 0;

	/* Drop leading and trailing dots. */
	while (d0 < d1 && dots[d0] == i0) {
		i0++;
		d0++;
	}
	while (d1 > d0 && dots[d1 - 1] == i1 - 1) {
		i1--;
		d1--;
	}
	if (d0 == d1 || i1 - i0 < 3)
		return;
	if (!(f & (F_LETTER | F_NONHEX))) {
		/* Digits and dots only: a dotted quad, from the dots. */
		size_t from = i0;

		if (d1 - d0 != 3)
			return;
		memset(a, 0, sizeof(a));
		for (size_t k = 0; k < 4; k++) {
			size_t to = k < 3 ? dots[d0 + k] : i1, l = to - from;
			const char *q = sc->lc + from;
			unsigned v;

			if (l == 0 || l > 3 || (l > 1 && q[0] == '0'))
				return;
			v = (unsigned)(q[0] - '0');
			if (l > 1)
				v = v * 10 + (unsigned)(q[1] - '0');
			if (l > 2)
				v = v * 10 + (unsigned)(q[2] - '0');
			if (v > 255)
				return;
			a[k] = (uint8_t)v;
			from = to + 1;
		}
		look_ip(sc, 0, a, s + i0, i1 - i0);
		return;
	}
	if (i1 - i0 > MATCH_DOMAIN_MAX)
		return;
	prev = i0;
	for (size_t k = d0; k <= d1; k++) {
		size_t end = k < d1 ? dots[k] : i1;

		if (end == prev || end - prev > 63)
			return;
		prev = end + 1;
	}
	for (size_t i = dots[d1 - 1] + 1; i < i1; i++)
		letter |= (sc->lc[i] >= 'a' && sc->lc[i] <= 'z');
	if (!letter)
		return;
	if (s + n < sc->n && sc->b[s + n] == '/')
		(void)check_url(sc, s + i0, url_end(sc, s + i0, s + n), 0);
	look_domain(sc, sc->lc + i0, i1 - i0, s + i0, i1 - i0);
}

/*
 * One pass over the run starting at s, at most MATCH_RUN_MAX bytes: its
 * lower-case copy in sc->lc, where its dots are in sc->dots (*nd of them)
 * and the F_* classes it holds (*f).  Returns where the pass stopped.
 */
static size_t
classify_plain(struct match_scanner *sc, size_t s, unsigned *fo, size_t *ndo,
    size_t *nco)
{
	const uint8_t *b = sc->b;
	size_t i = s, nd = 0, nc = 0;
	unsigned f = 0, r;

	while (i < sc->n && i - s < MATCH_RUN_MAX &&
	    ((r = rtab[b[i]]) & F_R)) {
		sc->lc[i - s] = (char)(b[i] | ((r & F_UPPER) >> 1));
		sc->dots[nd] = (uint16_t)(i - s);
		nd += (r & F_DOT);
		if (r & F_COLON) {
			nc++;
			sc->lastcolon = i - s;
		}
		f |= r;
		i++;
	}
	*fo = f & ~(unsigned)F_UPPER;
	*ndo = nd;
	*nco = nc;
	return i;
}

#if SCAN_SSE2
/* classify_plain() 16 bytes at a time. */
static size_t
classify_sse2(struct match_scanner *sc, size_t s, unsigned *fo, size_t *ndo,
    size_t *nco)
{
	const uint8_t *b = sc->b;
	size_t i = s, nd = 0, nc = 0;
	unsigned f = 0, cm;
	uint8_t tmp[16];

	for (;;) {
		const uint8_t *p = b + i;
		__m128i c, a, u, d, dot, colon, at, plus, alpha, digit, rr;
		__m128i hexish, lower;
		unsigned rm, dm, len, keep;

		if (sc->n - i < 16) {
			memset(tmp, 0, sizeof(tmp));
			memcpy(tmp, p, sc->n - i);
			p = tmp;
		}
		c = _mm_loadu_si128((const __m128i *)(const void *)p);
		a = _mm_sub_epi8(_mm_or_si128(c, _mm_set1_epi8(0x20)),
		    _mm_set1_epi8('a'));
		u = _mm_sub_epi8(c, _mm_set1_epi8('A'));
		d = _mm_sub_epi8(c, _mm_set1_epi8('0'));
		alpha = _mm_cmpeq_epi8(_mm_min_epu8(a, _mm_set1_epi8(25)), a);
		digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
		dot = _mm_cmpeq_epi8(c, _mm_set1_epi8('.'));
		colon = _mm_cmpeq_epi8(c, _mm_set1_epi8(':'));
		at = _mm_cmpeq_epi8(c, _mm_set1_epi8('@'));
		plus = _mm_cmpeq_epi8(c, _mm_set1_epi8('+'));
		rr = _mm_or_si128(_mm_or_si128(_mm_or_si128(alpha, digit),
		    _mm_or_si128(dot, colon)), _mm_or_si128(_mm_or_si128(at,
		    plus), _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('-')),
		    _mm_cmpeq_epi8(c, _mm_set1_epi8('_')))));
		hexish = _mm_or_si128(_mm_or_si128(digit, _mm_cmpeq_epi8(
		    _mm_min_epu8(a, _mm_set1_epi8(5)), a)), _mm_or_si128(dot,
		    colon));
		lower = _mm_or_si128(c, _mm_and_si128(_mm_cmpeq_epi8(
		    _mm_min_epu8(u, _mm_set1_epi8(25)), u),
		    _mm_set1_epi8(0x20)));
		_mm_storeu_si128((__m128i *)(void *)(sc->lc + (i - s)), lower);
		rm = (unsigned)_mm_movemask_epi8(rr);
		len = (unsigned)__builtin_ctz(~rm | 0x10000u);
		keep = (1u << len) - 1;
		dm = (unsigned)_mm_movemask_epi8(dot) & keep;
		if (dm != 0)
			f |= F_DOT;
		while (dm != 0) {
			sc->dots[nd++] = (uint16_t)(i - s +
			    (unsigned)__builtin_ctz(dm));
			dm &= dm - 1;
		}
		if ((cm = (unsigned)_mm_movemask_epi8(colon) & keep) != 0) {
			f |= F_COLON;
			nc += pop64(cm);
			sc->lastcolon = i - s + 31 - (size_t)__builtin_clz(cm);
		}
		if ((unsigned)_mm_movemask_epi8(at) & keep)
			f |= F_AT;
		if ((unsigned)_mm_movemask_epi8(plus) & keep)
			f |= F_PLUS;
		if ((unsigned)_mm_movemask_epi8(alpha) & keep)
			f |= F_LETTER;
		if (~(unsigned)_mm_movemask_epi8(hexish) & rm & keep)
			f |= F_NONHEX;
		i += len;
		if (len < 16 || i - s >= MATCH_RUN_MAX)
			break;
	}
	if (i - s > MATCH_RUN_MAX)
		i = s + MATCH_RUN_MAX;	/* as classify_plain() */
	*fo = f;
	*ndo = nd;
	*nco = nc;
	return i;
}
#endif

/*
 * Check the run that starts at s and holds a trigger byte, after one pass
 * over it.  Returns where run scanning goes on (past a URL's host, else
 * the end of the run).
 */
static size_t
check_run(struct match_scanner *sc, size_t s)
{
	const uint8_t *b = sc->b;
	size_t i, n, nd, nc, e;
	unsigned f;

#if SCAN_SSE2
	if (sc->simd)
		i = classify_sse2(sc, s, &f, &nd, &nc);
	else
#endif
		i = classify_plain(sc, s, &f, &nd, &nc);
	e = i;
	while (e < sc->n && (rtab[b[e]] & F_R))
		e++;
	if (e - s > MATCH_RUN_MAX)
		return e;
	n = e - s;
	/* Rule 1: "scheme:" followed by "//". */
	if (b[e - 1] == ':' && e + 1 < sc->n && b[e] == '/' && b[e + 1] == '/') {
		size_t k = e - 1, u1, a1;

		while (k > s && (ctab[b[k - 1]] & C_SCHEME))
			k--;
		while (k < e - 1 && !(ctab[b[k]] & C_LETTER))
			k++;
		if (k < e - 1) {
			u1 = url_end(sc, k, e + 2);
			if (check_url(sc, k, u1, 1)) {
				a1 = e + 2;
				while (a1 < u1 && b[a1] != '/' && b[a1] != '?' &&
				    b[a1] != '#')
					a1++;
				return a1;
			}
		}
	}
	if (f & F_AT) {
		check_email(sc, s, e);
		return e;
	}
	/*
	 * Without '@' and dots only an IPv6 address can be in there, and
	 * only in a run of hex digits and colons, with "::" or seven
	 * colons.  Without letters and the three dots of a dotted quad,
	 * again only IPv6 can be (with no dot at all or its IPv4 tail).
	 */
	if (!(f & F_PLUS) && (!(f & F_DOT) ||
	    (!(f & (F_LETTER | F_NONHEX)) && nd < 3))) {
		if ((f & F_NONHEX) || nc < 2 || nd != 0)
			return e;
		if (nc != 7 && memmem(b + s, n, "::", 2) == NULL)
			return e;
	}
	if (f & F_PLUS) {
		for (size_t k = s, p = s; k <= e; k++)
			if (k == e || b[k] == '+') {
				if (k > p)
					check_colon(sc, p, k, k == e, e, 1);
				p = k + 1;
			}
		return e;
	}
	if (f & F_COLON) {
		size_t c = sc->lastcolon, k, hd = 0;

		/*
		 * host:port (one colon, 1-5 digits, no URL after): the host
		 * is the classified run up to the colon.
		 */
		if (nc == 1 && !(f & F_PLUS) && n - c - 1 >= 1 && n - c - 1 <=
		    5 && !(e < sc->n && b[e] == '/')) {
			for (k = c + 1; k < n; k++)
				if (sc->lc[k] < '0' || sc->lc[k] > '9')
					break;
			if (k == n) {
				while (hd < nd && sc->dots[hd] < c)
					hd++;
				check_plain(sc, s, c, f, hd);
				return e;
			}
		}
		check_colon(sc, s, e, 1, e, !(f & F_NONHEX) && nc >= 2 &&
		    (nd == 0 || nd == 3));
		return e;
	}
	check_plain(sc, s, n, f, nd);
	return e;
}

/* The hex run around pos: a hash token when it is a whole alphanumeric
 * run of 32, 40 or 64 digits.  Returns the end of the hex run. */
static size_t
check_hex(struct match_scanner *sc, size_t pos)
{
	const uint8_t *b = sc->b;
	size_t s = pos - 31, e = pos + 1, n;
	uint8_t key[32];
	enum match_ikind k;

	/* pos is the first byte ending 32 hex digits: the run starts at
	 * pos - 31 (the marks of a run are taken in order, and those
	 * inside a run already checked are skipped). */
	while (e < sc->n && (ctab[b[e]] & C_HEX))
		e++;
	n = e - s;
	if ((n != 32 && n != 40 && n != 64) ||
	    (s > 0 && (ctab[b[s - 1]] & C_ALNUM)) ||
	    (e < sc->n && (ctab[b[e]] & C_ALNUM)))
		return e;
	(void)match_parse_hash((const char *)b + s, n, key);
	k = n == 32 ? MATCH_I_MD5 : n == 40 ? MATCH_I_SHA1 : MATCH_I_SHA256;
	sc->cur = 1;
	look_key(sc, k, key, n / 2, s, n);
	sc->cur = 0;
	return e;
}

/* -- The loop */

/* The bit masks of 64 bytes (bit i: byte i). */
struct masks {
	uint64_t	trig;	/* '.', ':' or '@' */
	uint64_t	colon;
	uint64_t	dot;
	uint64_t	digit;
	uint64_t	hex;
	uint64_t	run;	/* run bytes */
};

static void
masks_plain(const uint8_t *p, struct masks *m)
{
	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < 64; i++) {
		uint8_t c = p[i], cl = ctab[c];

		m->trig |= (uint64_t)(c == '.' || c == ':' || c == '@') << i;
		m->colon |= (uint64_t)(c == ':') << i;
		m->dot |= (uint64_t)(c == '.') << i;
		m->digit |= (uint64_t)((cl & C_DIGIT) != 0) << i;
		m->hex |= (uint64_t)((cl & C_HEX) != 0) << i;
		m->run |= (uint64_t)((cl & C_R) != 0) << i;
	}
}

#if SCAN_SSE2
static inline void
masks16(const uint8_t *p, unsigned r[6])
{
	const __m128i c = _mm_loadu_si128((const __m128i *)(const void *)p);
	const __m128i lc = _mm_or_si128(c, _mm_set1_epi8(0x20));
	const __m128i a = _mm_sub_epi8(lc, _mm_set1_epi8('a'));
	const __m128i d = _mm_sub_epi8(c, _mm_set1_epi8('0'));
	__m128i digit, hx, dot, colon, t, rr;

	digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
	hx = _mm_or_si128(digit,
	    _mm_cmpeq_epi8(_mm_min_epu8(a, _mm_set1_epi8(5)), a));
	dot = _mm_cmpeq_epi8(c, _mm_set1_epi8('.'));
	colon = _mm_cmpeq_epi8(c, _mm_set1_epi8(':'));
	t = _mm_or_si128(_mm_or_si128(dot, colon),
	    _mm_cmpeq_epi8(c, _mm_set1_epi8('@')));
	rr = _mm_or_si128(_mm_or_si128(_mm_or_si128(t, digit),
	    _mm_cmpeq_epi8(_mm_min_epu8(a, _mm_set1_epi8(25)), a)),
	    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('-')),
	    _mm_cmpeq_epi8(c, _mm_set1_epi8('_'))),
	    _mm_cmpeq_epi8(c, _mm_set1_epi8('+'))));
	r[0] = (unsigned)_mm_movemask_epi8(t);
	r[1] = (unsigned)_mm_movemask_epi8(colon);
	r[2] = (unsigned)_mm_movemask_epi8(dot);
	r[3] = (unsigned)_mm_movemask_epi8(digit);
	r[4] = (unsigned)_mm_movemask_epi8(hx);
	r[5] = (unsigned)_mm_movemask_epi8(rr);
}

static void
masks_sse2(const uint8_t *p, struct masks *m)
{
	unsigned r[4][6];
	uint64_t *out = &m->trig;

	masks16(p, r[0]);
	masks16(p + 16, r[1]);
	masks16(p + 32, r[2]);
	masks16(p + 48, r[3]);
	for (int k = 0; k < 6; k++)
		out[k] = (uint64_t)r[0][k] | (uint64_t)r[1][k] << 16 |
		    (uint64_t)r[2][k] << 32 | (uint64_t)r[3][k] << 48;
}

/* The same 32 bytes at a time, for processors with AVX2. */
__attribute__((target("avx2"))) static void
masks_avx2(const uint8_t *p, struct masks *m)
{
	uint64_t *out = &m->trig;

	for (int h = 0; h < 2; h++) {
		const __m256i c = _mm256_loadu_si256((const __m256i *)(const
		    void *)(p + 32 * h));
		const __m256i a = _mm256_sub_epi8(_mm256_or_si256(c,
		    _mm256_set1_epi8(0x20)), _mm256_set1_epi8('a'));
		const __m256i d = _mm256_sub_epi8(c, _mm256_set1_epi8('0'));
		__m256i digit, hx, dot, colon, t, rr;

		digit = _mm256_cmpeq_epi8(_mm256_min_epu8(d,
		    _mm256_set1_epi8(9)), d);
		hx = _mm256_or_si256(digit, _mm256_cmpeq_epi8(_mm256_min_epu8(a,
		    _mm256_set1_epi8(5)), a));
		dot = _mm256_cmpeq_epi8(c, _mm256_set1_epi8('.'));
		colon = _mm256_cmpeq_epi8(c, _mm256_set1_epi8(':'));
		t = _mm256_or_si256(_mm256_or_si256(dot, colon),
		    _mm256_cmpeq_epi8(c, _mm256_set1_epi8('@')));
		rr = _mm256_or_si256(_mm256_or_si256(_mm256_or_si256(t, digit),
		    _mm256_cmpeq_epi8(_mm256_min_epu8(a, _mm256_set1_epi8(25)),
		    a)), _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(c,
		    _mm256_set1_epi8('-')), _mm256_cmpeq_epi8(c,
		    _mm256_set1_epi8('_'))), _mm256_cmpeq_epi8(c,
		    _mm256_set1_epi8('+'))));
		if (h == 0) {
			out[0] = (uint32_t)_mm256_movemask_epi8(t);
			out[1] = (uint32_t)_mm256_movemask_epi8(colon);
			out[2] = (uint32_t)_mm256_movemask_epi8(dot);
			out[3] = (uint32_t)_mm256_movemask_epi8(digit);
			out[4] = (uint32_t)_mm256_movemask_epi8(hx);
			out[5] = (uint32_t)_mm256_movemask_epi8(rr);
		} else {
			out[0] |= (uint64_t)(uint32_t)_mm256_movemask_epi8(t) <<
			    32;
			out[1] |= (uint64_t)(uint32_t)_mm256_movemask_epi8(colon)
			    << 32;
			out[2] |= (uint64_t)(uint32_t)_mm256_movemask_epi8(dot) <<
			    32;
			out[3] |= (uint64_t)(uint32_t)_mm256_movemask_epi8(digit)
			    << 32;
			out[4] |= (uint64_t)(uint32_t)_mm256_movemask_epi8(hx) <<
			    32;
			out[5] |= (uint64_t)(uint32_t)_mm256_movemask_epi8(rr) <<
			    32;
		}
	}
}
#endif

/*
 * A run [rs, re) lying inside one 64-byte block whose first trigger
 * cannot start anything the rules look for, judged from the masks alone:
 * without '@' and dots, only an IPv6 address could be there, which needs
 * "::" or seven colons; with digits, dots and colons only, an address
 * needs three dots.  1: skip it.
 */
static inline int
run_useless(const struct masks *m, unsigned rs, unsigned re)
{
	uint64_t rb = (re == 64 ? ~0ull : (1ull << re) - 1) &
	    ~((1ull << rs) - 1);
	uint64_t dots = m->dot & rb, colons = m->colon & rb;
	uint64_t ats = m->trig & rb & ~dots & ~colons;

	if (ats != 0)
		return 0;
	if (dots == 0)
		return (colons & (colons >> 1)) == 0 && pop64(colons) < 7;
	if ((rb & ~(m->digit | m->dot | m->colon)) == 0)
		return pop64(dots) < 3;
	return 0;
}

/* Bits at and above k (k < 64). */
static inline uint64_t
from_bit(size_t k)
{
	return ~((1ull << k) - 1);
}

static void
scan(struct match_scanner *sc)
{
	const uint8_t *b = sc->b;
	size_t n = sc->n, run_next = 0, hex_next = 0, run_from = 0;
	uint64_t p1 = 0, p2 = 0, p4 = 0, p8 = 0, p16 = 0;
	uint8_t tail[64];
	struct masks m;

	for (size_t base = 0; base < n && sc->err == ERR_OK; base += 64) {
		const uint8_t *p = b + base;
		uint64_t trig, hex, nonr, m2, m4, m8, m16, m32;

		if (n - base < 64) {
			memset(tail, 0, sizeof(tail));
			memcpy(tail, p, n - base);
			p = tail;
		}
#if SCAN_SSE2
		if (sc->simd == 2)
			masks_avx2(p, &m);
		else if (sc->simd)
			masks_sse2(p, &m);
		else
#endif
			masks_plain(p, &m);
		trig = m.trig;
		hex = m.hex;
		nonr = ~m.run;
		/* mK bit i: bytes i-K+1..i are all hex digits. */
		m2 = hex & (hex << 1 | p1 >> 63);
		m4 = m2 & (m2 << 2 | p2 >> 62);
		m8 = m4 & (m4 << 4 | p4 >> 60);
		m16 = m8 & (m8 << 8 | p8 >> 56);
		m32 = m16 & (m16 << 16 | p16 >> 48);
		p1 = hex;
		p2 = m2;
		p4 = m4;
		p8 = m8;
		p16 = m16;

		if (run_next > base)
			trig = run_next - base >= 64 ? 0 :
			    trig & from_bit(run_next - base);
		while (trig != 0) {
			size_t pos = base + (size_t)__builtin_ctzll(trig);
			size_t s = pos;

			/*
			 * The first trigger of a run is a colon that ends it
			 * ("queries:"): nothing the rules look for, unless
			 * "//" follows.
			 */
			if (b[pos] == ':' && (pos + 1 == n ||
			    (!(rtab[b[pos + 1]] & F_R) && b[pos + 1] != '/'))) {
				run_next = pos + 1;
				if (run_next >= base + 64)
					break;
				trig &= from_bit(run_next - base);
				continue;
			}
			/* The run starts after the last byte outside runs. */
			{
				uint64_t below = nonr & ((1ull << (pos - base)) -
				    1), above = nonr >> (pos - base);
				size_t e = above != 0 ? pos + (size_t)
				    __builtin_ctzll(above) : n;

				s = below != 0 ? base + 64 -
				    (size_t)__builtin_clzll(below) : run_from;
				if (s < run_next)
					s = run_next;
				/* Inside this block, not "scheme://": maybe
				 * judged by masks. */
				if (s >= base && above != 0 && !(b[e - 1] == ':' &&
				    e < n && b[e] == '/') && run_useless(&m,
				    (unsigned)(s - base), (unsigned)(e - base))) {
					run_next = e;
					if (run_next >= base + 64)
						break;
					trig &= from_bit(run_next - base);
					continue;
				}
			}
			sc->cur = 0;
			run_next = check_run(sc, s);
			if (run_next >= base + 64)
				break;
			trig &= from_bit(run_next - base);
		}
		if (nonr != 0)
			run_from = base + 64 - (size_t)__builtin_clzll(nonr);
		if (hex_next > base)
			m32 = hex_next - base >= 64 ? 0 :
			    m32 & from_bit(hex_next - base);
		while (m32 != 0) {
			size_t pos = base + (size_t)__builtin_ctzll(m32);

			hex_next = check_hex(sc, pos);
			if (hex_next >= base + 64)
				break;
			m32 &= from_bit(hex_next - base);
		}
		/*
		 * A later run token starts at run_next or after; a later hash
		 * token has its 32nd digit in a later block, so starts at
		 * base + 64 - 63 or after.
		 */
		if (sc->hb[0].n + sc->hb[1].n >= HITS_FLUSH) {
			pend_run(sc);
			flush(sc, run_next < base + 1 ? run_next : base + 1);
		}
	}
}

static void
scan_begin(struct match_scanner *sc, const char *buf, size_t len,
    match_hit_cb cb, void *arg)
{
	sc->b = (const uint8_t *)buf;
	sc->n = len;
	sc->cb = cb;
	sc->cbarg = arg;
	sc->err = ERR_OK;
	sc->cur = 0;
	sc->n_pend = 0;
	sc->keys_len = 0;
	sc->hb[0].n = sc->hb[1].n = 0;
}

static enum err
scan_end(struct match_scanner *sc)
{
	pend_run(sc);
	flush(sc, SIZE_MAX);
	sc->hb[0].n = sc->hb[1].n = 0;
	return sc->err;
}

enum err
match_scan_text(struct match_scanner *sc, const char *buf, size_t len,
    match_hit_cb cb, void *arg)
{
	scan_begin(sc, buf, len, cb, arg);
	scan(sc);
	return scan_end(sc);
}

/* A typed value: the address inside brackets, %zone or :port. */
static int
value_ip(const char *v, size_t len, int *v6, uint8_t a[16])
{
	const char *pct, *rb, *colon;

	memset(a, 0, 16);
	if (len > 0 && v[0] == '[' && (rb = memchr(v, ']', len)) != NULL) {
		v++;
		len = (size_t)(rb - v);
	}
	if ((pct = memchr(v, '%', len)) != NULL)
		len = (size_t)(pct - v);
	if (match_parse_ipv4(v, len, a)) {
		*v6 = 0;
		return 1;
	}
	if (match_parse_ipv6(v, len, a)) {
		*v6 = 1;
		return 1;
	}
	colon = memchr(v, ':', len);
	if (colon != NULL && memchr(colon + 1, ':', len - (size_t)(colon -
	    v) - 1) == NULL && match_parse_ipv4(v, (size_t)(colon - v), a)) {
		*v6 = 0;
		return 1;
	}
	return 0;
}

static int
check_value(struct match_scanner *sc, enum match_vkind kind, const char *v,
    size_t len)
{
	uint8_t a[32];
	size_t n;
	int v6;

	switch (kind) {
	case MATCH_V_IP:
		if (!value_ip(v, len, &v6, a))
			return 0;
		look_ip(sc, v6, a, 0, len);
		return 1;
	case MATCH_V_DOMAIN:
		if ((n = match_norm_domain(v, len, 2, sc->lc,
		    sizeof(sc->lc))) == 0)
			return 0;
		look_domain(sc, sc->lc, n, 0, len);
		return 1;
	case MATCH_V_URL:
		return check_url(sc, 0, len, 1);
	case MATCH_V_HASH:
		switch (match_parse_hash(v, len, a)) {
		case 16:
			look_key(sc, MATCH_I_MD5, a, 16, 0, len);
			return 1;
		case 20:
			look_key(sc, MATCH_I_SHA1, a, 20, 0, len);
			return 1;
		case 32:
			look_key(sc, MATCH_I_SHA256, a, 32, 0, len);
			return 1;
		}
		return 0;
	case MATCH_V_EMAIL:
		if ((n = match_norm_email(v, len, sc->url, sizeof(sc->url))) ==
		    0)
			return 0;
		look_key(sc, MATCH_I_EMAIL, sc->url, n, 0, len);
		{
			const char *at = memchr(sc->url, '@', n);
			const char *vat = v + len;
			size_t dl = n - (size_t)(at - sc->url) - 1;

			while (vat > v && vat[-1] != '@')
				vat--;
			memcpy(sc->lc, at + 1, dl);
			look_domain(sc, sc->lc, dl, (size_t)(vat - v),
			    len - (size_t)(vat - v));
		}
		return 1;
	case MATCH_V_ANY:
		break;
	}
	return 0;
}

enum err
match_scan_value(struct match_scanner *sc, enum match_vkind kind,
    const char *val, size_t len, match_hit_cb cb, void *arg)
{
	scan_begin(sc, val, len, cb, arg);
	if (!check_value(sc, kind, val, len)) {
		/* Nothing was queued: a check fails before it looks up. */
		return match_scan_text(sc, val, len, cb, arg);
	}
	return scan_end(sc);
}

size_t
match_count_newlines(const char *p, size_t n)
{
	size_t c = 0, i = 0;

#if SCAN_SSE2
	const __m128i nl = _mm_set1_epi8('\n');

	while (n - i >= 16) {
		__m128i acc = _mm_setzero_si128();
		size_t k = 0;

		for (; k < 255 && n - i >= 16; k++, i += 16)
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_loadu_si128(
			    (const __m128i *)(const void *)(p + i)), nl));
		acc = _mm_sad_epu8(acc, _mm_setzero_si128());
		c += (size_t)_mm_cvtsi128_si32(acc) +
		    (size_t)_mm_cvtsi128_si32(_mm_srli_si128(acc, 8));
	}
#endif
	for (; i < n; i++)
		c += p[i] == '\n';
	return c;
}
