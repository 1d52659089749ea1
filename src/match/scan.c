/*
 * scan.c: the free-text scanner of scan.h.
 *
 * The hot loop looks at 64 bytes at a time and builds bit masks (AVX2:
 * two table lookups per byte give its classes; SSE2: comparisons;
 * portable code elsewhere): run bytes, dots, colons, digits, hex digits,
 * letters, label bytes, slashes.  Which runs can hold anything is then
 * decided for the whole block without a branch per run (candidates()):
 * carries running through the runs tell, for each run, whether it holds a
 * dot, three dots, three colons, "::", a byte other than digits, dots and
 * colons, or ends in "scheme:" before "//"; runs that cannot hold an
 * address or a name (a clock time, a decimal number, "word:", a plain
 * word) are never looked at.  Runs of 32 or more hex digits are found with
 * five shifts and ands.
 *
 * A run worth checking that fits in 64 bytes is first tried on the fast
 * paths (run_fast()), which read its shape from the masks: a dotted quad
 * (with ":port" or not), parsed without a branch on its digits; a plain
 * name, hashed in place label by label from the last (every parent's
 * hash comes out on the way, and only parents with a number of labels
 * some key has are looked up); local@domain; "http(s)://" with a plain
 * host, normalized by url_norm_simple().  Anything else goes through
 * check_run(), the general rules (one vector pass over the run, then the
 * rules of scan.h), which is also the reference the fast paths are
 * tested against (match_scanner_set_simd(sc, 0) uses it for every run).
 *
 * Lookups do not wait for memory: each key is hashed, the word of the
 * bloom filter it needs is prefetched, and the key is queued; the queue
 * is tested when it is full (or the text ends), by when the words have
 * arrived, so tokens overlap their cache misses instead of paying for
 * them one after the other.  Keys the filter lets through are then probed
 * in the table (their slots fetched meanwhile), in queue order; CIDRs
 * come from the interval index and are queued as found, to keep the
 * order.  Run tokens and hash tokens are found by two independent
 * cursors, so their hits are kept in two arrays and merged in token order
 * before the callback sees them.
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

/* URL classes (utab), for url_norm_simple(). */
#define U_HOST		0x01	/* A-Z a-z 0-9 - _ . */
#define U_PATH		0x02	/* 0x21-0x7e but '%' and '#' */

static const uint8_t utab[256] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x02, 0x02, 0x00, 0x02, 0x00, 0x02, 0x02,
	0x02, 0x02, 0x02, 0x02, 0x02, 0x03, 0x03, 0x02,
	0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03,
	0x03, 0x03, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,
	0x02, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03,
	0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03,
	0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03,
	0x03, 0x03, 0x03, 0x02, 0x02, 0x02, 0x02, 0x03,
	0x02, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03,
	0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03,
	0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03, 0x03,
	0x03, 0x03, 0x03, 0x02, 0x02, 0x02, 0x02, 0x00,
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

/*
 * The number of leading bytes of p[0..n) whose class in tab has bit cl:
 * eight bytes a test, so one branch per eight bytes on long spans.
 */
static inline size_t
span(const uint8_t *p, size_t n, const uint8_t *tab, uint8_t cl)
{
	size_t i = 0;

	while (n - i >= 8 && (tab[p[i]] & tab[p[i + 1]] & tab[p[i + 2]] &
	    tab[p[i + 3]] & tab[p[i + 4]] & tab[p[i + 5]] & tab[p[i + 6]] &
	    tab[p[i + 7]] & cl) != 0)
		i += 8;
	while (i < n && (tab[p[i]] & cl))
		i++;
	return i;
}

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
	const uint8_t	*key;		/* in keys[] or in the text */
	uint64_t	 h;
	size_t		 off;		/* the observed token */
	size_t		 len;
	uint16_t	 klen;
	uint8_t		 type;		/* MS_T_* */
	uint8_t		 kind;		/* enum match_hkind */
	uint8_t		 ikind;		/* enum match_ikind */
	uint8_t		 which;		/* hitbuf: 0 runs, 1 hashes */
	uint8_t		 fold;		/* key in the text: lower-case it */
};

/*
 * A name waiting for its word of the tail filter (queue_domain()): only
 * when its last two labels may end a key are its parents hashed and
 * queued.
 */
#define DQ_MAX		64u
struct dname {
	const uint8_t	*key;		/* in the text or in keys[] */
	const uint64_t	*tw;		/* tail filter word (prefetched) */
	uint64_t	 tm;
	uint64_t	 h2;		/* hash of the last two labels */
	size_t		 off;		/* the observed token */
	size_t		 len;
	uint16_t	 dl;
	uint8_t		 fold;
	uint8_t		 which;
};

/* What match_scanner_set_simd() chose. */
enum {
	SIMD_REF,	/* portable masks, every run by check_run() */
	SIMD_PLAIN,	/* portable masks, fast paths */
	SIMD_SSE2,
	SIMD_AVX2
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
	/* The lookup queue, and the names waiting to join it. */
	struct pend		 pend[PEND_MAX];
	size_t			 n_pend;
	struct dname		 dq[DQ_MAX];
	size_t			 n_dq;
	size_t			 keys_len;
	uint8_t			 keys[KEYS_BYTES];
	/* Scratch. */
	uint8_t			 probe[MATCH_DOMAIN_MAX];
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
	sc->simd = on == 0 ? SIMD_REF : SIMD_PLAIN;
#if SCAN_SSE2
	if (on == 1)
		sc->simd = __builtin_cpu_supports("avx2") ? SIMD_AVX2 :
		    SIMD_SSE2;
	else if (on == 3)
		sc->simd = SIMD_SSE2;
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
 * and record the hits, in queue order.  The keys stay where they are.
 */
static void
pend_process(struct match_scanner *sc)
{
	const struct match_set *s = sc->set;
	struct match_hit h;
	size_t n = 0;

	/* The filter first: the keys that pass, and the hits found
	 * already, stay in order; their slots are fetched meanwhile. */
	for (size_t i = 0; i < sc->n_pend; i++) {
		const struct pend *p = &sc->pend[i];
		uint64_t m = ms_bloom_mask(p->h);

		if (p->type != PEND_FOUND) {
			if ((*p->word & m) != m)
				continue;
			__builtin_prefetch(&s->slots[ms_range((uint32_t)(
			    ms_h2(p->h) >> 32), s->n_slots)]);
		}
		sc->pend[n++] = *p;
	}
	for (size_t i = 0; i < n; i++) {
		const struct pend *p = &sc->pend[i];
		const uint8_t *key = p->key;

		if (p->type == PEND_FOUND) {
			h.rec = (uint32_t)p->h;
		} else {
			if (p->fold) {
				/* A domain of the text: at most
				 * MATCH_DOMAIN_MAX bytes. */
				for (size_t k = 0; k < p->klen; k++)
					sc->probe[k] = (uint8_t)(key[k] |
					    ((rtab[key[k]] & F_UPPER) >> 1));
				key = sc->probe;
			}
			h.rec = ms_probe(s, p->type, key, p->klen, p->h);
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
}

static void dq_drain(struct match_scanner *);

/* The names waiting, then the whole queue: every hit of the tokens seen
 * so far is recorded, and the key bytes can be used again. */
static void
pend_run(struct match_scanner *sc)
{
	dq_drain(sc);
	pend_process(sc);
	sc->keys_len = 0;
}

/* Room for n more lookups with kb more key bytes: run the queue if not. */
static void
pend_room(struct match_scanner *sc, size_t n, size_t kb)
{
	if (sc->n_pend + n > PEND_MAX || sc->keys_len + kb > KEYS_BYTES)
		pend_run(sc);
}

/* Queue the key key[0..klen) of type t whose hash is h (room was made). */
static inline void
pend_add_h(struct match_scanner *sc, unsigned t, const uint8_t *key,
    size_t klen, uint64_t h, int fold, enum match_hkind kind,
    enum match_ikind ikind, size_t off, size_t len)
{
	const struct match_set *s = sc->set;
	struct pend *p = &sc->pend[sc->n_pend++];

	p->word = ms_bloom_word(s, t, h);
	__builtin_prefetch(p->word);
	p->key = key;
	p->h = h;
	p->off = off;
	p->len = len;
	p->klen = (uint16_t)klen;
	p->type = (uint8_t)t;
	p->kind = (uint8_t)kind;
	p->ikind = (uint8_t)ikind;
	p->which = (uint8_t)sc->cur;
	p->fold = (uint8_t)fold;
}

/* Queue the key keys[koff..koff+klen) (already copied there). */
static void
pend_add(struct match_scanner *sc, unsigned t, size_t koff, size_t klen,
    enum match_hkind kind, enum match_ikind ikind, size_t off, size_t len)
{
	if (sc->set->bloom_n[t] == 0)
		return;
	pend_add_h(sc, t, sc->keys + koff, klen, ms_key_hash(t, sc->keys +
	    koff, klen), 0, kind, ikind, off, len);
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

	/*
	 * The hits of a name come once its tail filter word is in
	 * (dq_drain()), after those of the tokens queued meanwhile: put the
	 * run hits back in token order, keeping the order of the hits of one
	 * token (insertion: stable, and the hits are nearly in order).
	 */
	for (size_t k = 1; k < a->n; k++)
		if (a->v[k].off < a->v[k - 1].off) {
			struct match_hit x = a->v[k];
			size_t m = k;

			while (m > 0 && a->v[m - 1].off > x.off) {
				a->v[m] = a->v[m - 1];
				m--;
			}
			a->v[m] = x;
		}

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
		size_t k;

		/* 16 bytes copied whatever the family, and a hash of a
		 * constant length: no call. */
		pend_room(sc, 1, 16);
		k = sc->keys_len;
		memcpy(sc->keys + k, a, 16);
		sc->keys_len += alen;
		pend_add_h(sc, v6 ? MS_T_IPV6 : MS_T_IPV4, sc->keys + k, alen,
		    v6 ? ms_hash(MS_T_IPV6, a, 16) : ms_hash(MS_T_IPV4, a, 4),
		    0, MATCH_H_EXACT, ik, off, len);
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
 * Queue the domain key[0..dl) (two labels or more; dm its dots when it
 * fits in 64 bytes, else 0) and each parent of two or more labels,
 * longest first; the hits point at off/len.  The labels
 * are hashed once, from the last (matchset_int.h), and only the names
 * whose last two labels pass the tail filter get their parents looked
 * up; so that the filter's word is not waited for, the name waits in
 * dq[] with its word prefetched.  fold: the key is in the text and may
 * hold upper case.
 */
static void
queue_domain(struct match_scanner *sc, const uint8_t *key, size_t dl,
    uint64_t dm, int fold, size_t off, size_t len)
{
	const struct match_set *s = sc->set;
	struct dname *d;
	size_t d1 = dl, d2;
	uint64_t h = ms_dom_init();

	if (s->n_tails == 0)
		return;
	if (sc->n_dq == DQ_MAX)
		dq_drain(sc);
	/* The last two labels: [d1, dl) and [d2, d1 - 1), from the dots
	 * (dm: bit i for key[i]) when known. */
	if (dm != 0) {
		d1 = 64 - (size_t)__builtin_clzll(dm);
		dm &= ~(1ull << (d1 - 1));
		d2 = dm != 0 ? 64 - (size_t)__builtin_clzll(dm) : 0;
	} else {
		while (d1 > 0 && key[d1 - 1] != '.')
			d1--;
		if (d1 == 0)
			return;	/* a single label is never looked up */
		d2 = d1 - 1;
		while (d2 > 0 && key[d2 - 1] != '.')
			d2--;
	}
	/* 16 bytes after the key readable (in the text or in keys[])? */
	if (fold ? sc->n - (size_t)(key - sc->b) >= dl + 16 : KEYS_BYTES -
	    (size_t)(key - sc->keys) >= dl + 16)
		h = ms_dom_step_over(ms_dom_step_over(h, key + d1, dl - d1),
		    key + d2, d1 - 1 - d2);
	else
		h = ms_dom_step(ms_dom_step(h, key + d1, dl - d1), key + d2,
		    d1 - 1 - d2);
	d = &sc->dq[sc->n_dq++];
	d->tw = &s->tails[ms_tail_at(s, h, &d->tm)];
	__builtin_prefetch(d->tw);
	d->key = key;
	d->h2 = h;
	d->off = off;
	d->len = len;
	d->dl = (uint16_t)dl;
	d->fold = (uint8_t)fold;
	d->which = (uint8_t)sc->cur;
}

/*
 * The names waiting in dq[] whose last two labels pass the tail filter:
 * hash their other labels and queue them and their parents (only those
 * with a number of labels some key has), in order.
 */
static void
dq_drain(struct match_scanner *sc)
{
	const struct match_set *s = sc->set;
	uint64_t counts = s->dom_labels;
	size_t most = counts ? 63 - (size_t)__builtin_clzll(counts) : 0;
	int cur = sc->cur;

	for (size_t i = 0; i < sc->n_dq; i++) {
		const struct dname *d = &sc->dq[i];
		uint64_t hs[MATCH_DOMAIN_MAX / 2 + 2], h;
		uint16_t st[MATCH_DOMAIN_MAX / 2 + 2];
		size_t nl = 0, j0 = 0, end;
		/* 16 bytes after the key readable (text or keys[])? */
		int over = d->fold ? sc->n - (size_t)(d->key - sc->b) >=
		    (size_t)d->dl + 16 : KEYS_BYTES - (size_t)(d->key -
		    sc->keys) >= (size_t)d->dl + 16;

		if ((*d->tw & d->tm) != d->tm)
			continue;
		st[nl++] = 0;
		for (size_t k = 0; k < d->dl; k++)
			if (d->key[k] == '.')
				st[nl++] = (uint16_t)(k + 1);
		/* No key has more than most labels (63: maybe more): the
		 * longer names (a.b.[...].ip6.arpa) need no more hashes. */
		if (most < 63 && nl > most)
			j0 = nl - most;
		h = hs[nl - 2] = d->h2;
		end = st[nl - 2] - 1;
		for (size_t j = nl - 2; j > j0; j--) {
			h = over ? ms_dom_step_over(h, d->key + st[j - 1], end -
			    st[j - 1]) : ms_dom_step(h, d->key + st[j - 1],
			    end - st[j - 1]);
			hs[j - 1] = h;
			if (j > 1)
				end = st[j - 1] - 1;
		}
		if (sc->n_pend + nl > PEND_MAX)
			pend_process(sc);
		sc->cur = d->which;
		for (size_t j = j0; j + 1 < nl; j++)
			if ((counts >> (nl - j < 63 ? nl - j : 63)) & 1)
				pend_add_h(sc, MS_T_DOMAIN, d->key + st[j],
				    d->dl - st[j], ms_dom_final(hs[j]),
				    d->fold, j == 0 ? MATCH_H_EXACT :
				    MATCH_H_SUBDOMAIN, MATCH_I_DOMAIN, d->off,
				    d->len);
	}
	sc->cur = cur;
	sc->n_dq = 0;
}

/*
 * d[0..dl): a normalized domain of two or more labels (at most
 * MATCH_DOMAIN_MAX bytes).  Look it up and each parent of two or more
 * labels; the hits point at off/len.
 */
static void
look_domain(struct match_scanner *sc, const char *d, size_t dl, size_t off,
    size_t len)
{
	size_t k;

	if (sc->set->bloom_n[MS_T_DOMAIN] == 0 || dl > MATCH_DOMAIN_MAX)
		return;
	pend_room(sc, 0, dl);
	k = key_put(sc, d, dl);
	queue_domain(sc, sc->keys + k, dl, 0, 0, off, len);
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

/* Copy n bytes, A-Z in lower case. */
static inline void
copy_lower(char *d, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = (char)(s[i] | ((rtab[s[i]] & F_UPPER) >> 1));
}

/* The end of a URL whose text continues at pos, trailing punctuation
 * dropped; u0 is where the URL starts. */
static size_t
url_end(const struct match_scanner *sc, size_t u0, size_t pos)
{
	const uint8_t *b = sc->b;
	size_t e = pos + span(b + pos, sc->n - pos, ctab, C_URL);

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

/*
 * match_norm_url_ex() for the common simple URL, into out (at least
 * MATCH_URL_MAX bytes): "http://" or "https://" (any case) or no scheme,
 * a host name (with a letter in its last label) without user, port or
 * brackets, a path and query without '%'.  The same normal form, host
 * (in u: at *hoff, *hl bytes) and normalized host (at 0 in out, *nhl
 * bytes) as match_norm_url_ex() for such a URL.  Returns the length, or 0
 * when u is not that simple: match_norm_url_ex() decides then.
 */
#if SCAN_SSE2
/*
 * The host name at u: the length of its span of label bytes and dots, at
 * most 64 (64: it may go on), its dots and letters as bit masks, its
 * lower-case copy in out (64 bytes written).  u[0..64) is readable.
 */
static inline size_t
host_sse2(const uint8_t *u, char *out, uint64_t *dm, uint64_t *am)
{
	for (unsigned k = 0; k < 64; k += 16) {
		const __m128i c = _mm_loadu_si128((const __m128i *)(const
		    void *)(u + k));
		const __m128i a = _mm_sub_epi8(_mm_or_si128(c,
		    _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
		const __m128i d = _mm_sub_epi8(c, _mm_set1_epi8('0'));
		const __m128i up = _mm_sub_epi8(c, _mm_set1_epi8('A'));
		__m128i alpha, dot, host;
		unsigned hm;

		alpha = _mm_cmpeq_epi8(_mm_min_epu8(a, _mm_set1_epi8(25)), a);
		dot = _mm_cmpeq_epi8(c, _mm_set1_epi8('.'));
		host = _mm_or_si128(_mm_or_si128(alpha, dot), _mm_or_si128(
		    _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d),
		    _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('-')),
		    _mm_cmpeq_epi8(c, _mm_set1_epi8('_')))));
		_mm_storeu_si128((__m128i *)(void *)(out + k), _mm_or_si128(c,
		    _mm_and_si128(_mm_cmpeq_epi8(_mm_min_epu8(up,
		    _mm_set1_epi8(25)), up), _mm_set1_epi8(0x20))));
		*dm |= (uint64_t)_mm_movemask_epi8(dot) << k;
		*am |= (uint64_t)_mm_movemask_epi8(alpha) << k;
		hm = (unsigned)_mm_movemask_epi8(host);
		if (hm != 0xffff)
			return k + (size_t)__builtin_ctz(~hm);
	}
	return 64;
}
#endif

static size_t
url_norm_simple(const uint8_t *u, size_t len, size_t avail, int simd,
    char *out, size_t *hoff, size_t *hl, size_t *nhl)
{
	size_t i = 0, a1, h1, j, o;
	uint64_t dm = 0, am = 0, top;

	if (len >= 7 && (u[0] | 0x20) == 'h' && (u[1] | 0x20) == 't' &&
	    (u[2] | 0x20) == 't' && (u[3] | 0x20) == 'p') {
		if (u[4] == ':' && u[5] == '/' && u[6] == '/')
			i = 7;
		else if (len >= 8 && (u[4] | 0x20) == 's' && u[5] == ':' &&
		    u[6] == '/' && u[7] == '/')
			i = 8;
	}
	/*
	 * The authority is the host: labels and dots only.  (Without a
	 * scheme there is then no "scheme:" either.)  Its dots and letters
	 * as masks, lower-cased in out.  Longer names than 63 bytes are
	 * left to match_norm_url_ex().
	 */
#if SCAN_SSE2
	if (simd && avail - i >= 64) {
		a1 = i + host_sse2(u + i, out, &dm, &am);
		if (a1 > len)
			a1 = len;
	} else
#endif
	{
		(void)avail;
		(void)simd;
		a1 = i + span(u + i, len - i, utab, U_HOST);
		if (a1 - i < 64) {
			for (size_t k = i; k < a1; k++) {
				dm |= (uint64_t)(u[k] == '.') << (k - i);
				am |= (uint64_t)((ctab[u[k]] & C_LETTER) !=
				    0) << (k - i);
			}
			copy_lower(out, u + i, a1 - i);
		}
	}
	if (a1 == i || a1 - i > 63 || (a1 < len && u[a1] != '/' &&
	    u[a1] != '?' && u[a1] != '#'))
		return 0;
	/*
	 * match_norm_domain(): one trailing dot goes, labels of 1-63 bytes,
	 * the last with a letter (a name without may be an address: not
	 * simple).
	 */
	h1 = u[a1 - 1] == '.' ? a1 - 1 : a1;
	if (h1 == i)
		return 0;
	dm &= (1ull << (h1 - i)) - 1;
	am &= (1ull << (h1 - i)) - 1;
	/* Bit top and above: the last label (one label: at most 63). */
	top = dm == 0 ? 1 : 2ull << (63 - __builtin_clzll(dm));
	if ((dm & 1) != 0 || (dm & dm >> 1) != 0 || (dm & (1ull << (h1 - i -
	    1))) != 0 || (am & ~(top - 1)) == 0)
		return 0;
	o = h1 - i;
	*hoff = i;
	*hl = a1 - i;
	*nhl = o;
	/* Path and query, without the fragment; "/" when empty. */
	j = a1 + span(u + a1, len - a1, utab, U_PATH);
	if (j < len && u[j] != '#')
		return 0;
	if (o + 1 + (j - a1) > MATCH_URL_MAX)
		return 0;
	if (j == a1 || u[a1] != '/')
		out[o++] = '/';
	memcpy(out + o, u + a1, j - a1);
	return o + (j - a1);
}

/*
 * Look up the URL b[u0..u1); with_host: its host too.  0 when it does
 * not normalize (nothing was looked up), else 1 and, when the URL is
 * simple (url_norm_simple()), the end of its authority in *auth (0
 * otherwise).
 */
static int
check_url_auth(struct match_scanner *sc, size_t u0, size_t u1,
    int with_host, size_t *auth)
{
	const char *u = (const char *)sc->b + u0;
	size_t nl, hoff = 0, hl = 0, nho = 0, nhl = 0;
	uint8_t a[16];

	*auth = 0;
	if (u1 - u0 > MATCH_URL_MAX)
		return 0;
	if (sc->simd != SIMD_REF && (nl = url_norm_simple(sc->b + u0, u1 - u0,
	    sc->n - u0, sc->simd >= SIMD_SSE2, sc->url, &hoff, &hl,
	    &nhl)) != 0) {
		/* A host name: looked up when it has two labels or more. */
		look_key(sc, MATCH_I_URL, sc->url, nl, u0, u1 - u0);
		if (with_host && memchr(sc->url, '.', nhl) != NULL)
			look_domain(sc, sc->url, nhl, u0 + hoff, hl);
		*auth = u0 + hoff + hl;
		return 1;
	}
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

static int
check_url(struct match_scanner *sc, size_t u0, size_t u1, int with_host)
{
	size_t auth;

	return check_url_auth(sc, u0, u1, with_host, &auth);
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
 * Rule 1 for the scheme b[k..e - 1) (':' at e - 1, "//" at e): the URL up
 * to its end is looked up with its host.  Returns where scanning goes on
 * (after the host and port), 0 when it is not a URL.
 */
static size_t
check_scheme(struct match_scanner *sc, size_t k, size_t e)
{
	const uint8_t *b = sc->b;
	size_t u1 = url_end(sc, k, e + 2), a1;

	if (!check_url_auth(sc, k, u1, 1, &a1))
		return 0;
	if (a1 != 0)
		return a1;
	a1 = e + 2;
	while (a1 < u1 && b[a1] != '/' && b[a1] != '?' && b[a1] != '#')
		a1++;
	return a1;
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
	if (sc->simd >= SIMD_SSE2)
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
		size_t k = e - 1;

		while (k > s && (ctab[b[k - 1]] & C_SCHEME))
			k--;
		while (k < e - 1 && !(ctab[b[k]] & C_LETTER))
			k++;
		if (k < e - 1 && (k = check_scheme(sc, k, e)) != 0)
			return k;
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
	e += span(b + e, sc->n - e, ctab, C_HEX);
	n = e - s;
	if ((n != 32 && n != 40 && n != 64) ||
	    (s > 0 && (ctab[b[s - 1]] & C_ALNUM)) ||
	    (e < sc->n && (ctab[b[e]] & C_ALNUM)))
		return e;
	k = n == 32 ? MATCH_I_MD5 : n == 40 ? MATCH_I_SHA1 : MATCH_I_SHA256;
	if (sc->set->bloom_n[n == 32 ? MS_T_MD5 : n == 40 ? MS_T_SHA1 :
	    MS_T_SHA256] == 0)
		return e;
	(void)match_parse_hash((const char *)b + s, n, key);
	sc->cur = 1;
	look_key(sc, k, key, n / 2, s, n);
	sc->cur = 0;
	return e;
}

/* -- The loop */

/* The bit masks of 64 bytes (bit i: byte i). */
#define N_MASKS	8
struct masks {
	union {
		struct {
			uint64_t	run;	/* run bytes */
			uint64_t	dot;
			uint64_t	colon;
			uint64_t	digit;
			uint64_t	hex;
			uint64_t	slash;
			uint64_t	alpha;	/* A-Z a-z */
			uint64_t	label;	/* A-Z a-z 0-9 - _ */
		};
		uint64_t	v[N_MASKS];	/* the same, by index */
	};
};

/* Classes of masks_plain(): bit k is field k of struct masks. */
static const uint8_t ktab[256] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x81, 0x03, 0x20,
	0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99,
	0x99, 0x99, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0xd1, 0xd1, 0xd1, 0xd1, 0xd1, 0xd1, 0xc1,
	0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1,
	0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1,
	0xc1, 0xc1, 0xc1, 0x00, 0x00, 0x00, 0x00, 0x81,
	0x00, 0xd1, 0xd1, 0xd1, 0xd1, 0xd1, 0xd1, 0xc1,
	0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1,
	0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1,
	0xc1, 0xc1, 0xc1, 0x00, 0x00, 0x00, 0x00, 0x00,
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

/*
 * The portable masks: eight bytes' classes in a word, then each class's
 * bit of the eight bytes gathered by one multiplication (bit k of byte i
 * goes to bit 56 + i, and no two products meet).
 */
static inline void
masks_plain(const uint8_t *p, struct masks *m)
{
	memset(m, 0, sizeof(*m));
	for (unsigned g = 0; g < 8; g++) {
		uint64_t w = 0;

		for (unsigned i = 0; i < 8; i++)
			w |= (uint64_t)ktab[p[8 * g + i]] << (8 * i);
		for (unsigned k = 0; k < N_MASKS; k++)
			m->v[k] |= ((((w >> k) & 0x0101010101010101ull) *
			    0x0102040810204080ull) >> 56) << (8 * g);
	}
}

#if SCAN_SSE2
/* 16 bytes of masks, into bits sh..sh+15 of m. */
static inline void
masks16(const uint8_t *p, unsigned sh, struct masks *m)
{
	const __m128i c = _mm_loadu_si128((const __m128i *)(const void *)p);
	const __m128i a = _mm_sub_epi8(_mm_or_si128(c, _mm_set1_epi8(0x20)),
	    _mm_set1_epi8('a'));
	const __m128i d = _mm_sub_epi8(c, _mm_set1_epi8('0'));
	__m128i digit, alpha, label, dot, colon;

	digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
	alpha = _mm_cmpeq_epi8(_mm_min_epu8(a, _mm_set1_epi8(25)), a);
	dot = _mm_cmpeq_epi8(c, _mm_set1_epi8('.'));
	colon = _mm_cmpeq_epi8(c, _mm_set1_epi8(':'));
	label = _mm_or_si128(_mm_or_si128(digit, alpha), _mm_or_si128(
	    _mm_cmpeq_epi8(c, _mm_set1_epi8('-')), _mm_cmpeq_epi8(c,
	    _mm_set1_epi8('_'))));
	m->run |= (uint64_t)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
	    label, _mm_or_si128(dot, colon)), _mm_or_si128(_mm_cmpeq_epi8(c,
	    _mm_set1_epi8('+')), _mm_cmpeq_epi8(c, _mm_set1_epi8('@'))))) <<
	    sh;
	m->dot |= (uint64_t)_mm_movemask_epi8(dot) << sh;
	m->colon |= (uint64_t)_mm_movemask_epi8(colon) << sh;
	m->digit |= (uint64_t)_mm_movemask_epi8(digit) << sh;
	m->hex |= (uint64_t)_mm_movemask_epi8(_mm_or_si128(digit,
	    _mm_cmpeq_epi8(_mm_min_epu8(a, _mm_set1_epi8(5)), a))) << sh;
	m->slash |= (uint64_t)_mm_movemask_epi8(_mm_cmpeq_epi8(c,
	    _mm_set1_epi8('/'))) << sh;
	m->alpha |= (uint64_t)_mm_movemask_epi8(alpha) << sh;
	m->label |= (uint64_t)_mm_movemask_epi8(label) << sh;
}

static inline void
masks_sse2(const uint8_t *p, struct masks *m)
{
	memset(m, 0, sizeof(*m));
	masks16(p, 0, m);
	masks16(p + 16, 16, m);
	masks16(p + 32, 32, m);
	masks16(p + 48, 48, m);
}

/*
 * The same 32 bytes at a time, for processors with AVX2, classifying
 * each byte with two table lookups (its low and high nibble) whose bits
 * are ANDed; each class is a set of low nibbles times a set of high
 * nibbles:
 *   0x01 digits          0-9 x 3
 *   0x02 hex letters     1-6 x 4,6        (A-F a-f)
 *   0x04 letters         1-f x 4,6        (A-O a-o)
 *   0x08 letters         0-a x 5,7        (P-Z p-z)
 *   0x10 '-'   0x20 '_'   0x40 '+'   0x80 '@'
 * Bytes from 0x80 up get 0 (the lookup yields 0 when bit 7 of the index
 * is set, and no high nibble from 8 up has a class).
 */
__attribute__((target("avx2"))) static inline void
masks32(const uint8_t *p, uint32_t r[8])
{
	const __m256i lo_tab = _mm256_setr_epi8(
	    (char)0x89, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0d,
	    0x0d, 0x0d, 0x0c, 0x44, 0x04, 0x14, 0x04, 0x24,
	    (char)0x89, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0d,
	    0x0d, 0x0d, 0x0c, 0x44, 0x04, 0x14, 0x04, 0x24);
	const __m256i hi_tab = _mm256_setr_epi8(
	    0, 0, 0x50, 0x01, (char)0x86, 0x28, 0x06, 0x08,
	    0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0x50, 0x01, (char)0x86, 0x28, 0x06, 0x08,
	    0, 0, 0, 0, 0, 0, 0, 0);
	const __m256i zero = _mm256_setzero_si256();
	const __m256i c = _mm256_loadu_si256((const __m256i *)(const
	    void *)p);
	const __m256i cls = _mm256_and_si256(_mm256_shuffle_epi8(lo_tab, c),
	    _mm256_shuffle_epi8(hi_tab, _mm256_and_si256(_mm256_srli_epi16(c,
	    4), _mm256_set1_epi8(0x0f))));

	r[1] = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(c,
	    _mm256_set1_epi8('.')));
	r[2] = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(c,
	    _mm256_set1_epi8(':')));
	r[0] = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(cls, zero)) |
	    r[1] | r[2];
	r[3] = (uint32_t)_mm256_movemask_epi8(_mm256_slli_epi16(cls, 7));
	r[4] = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
	    _mm256_and_si256(cls, _mm256_set1_epi8(0x03)), zero));
	r[5] = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(c,
	    _mm256_set1_epi8('/')));
	r[6] = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
	    _mm256_and_si256(cls, _mm256_set1_epi8(0x0c)), zero));
	r[7] = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
	    _mm256_and_si256(cls, _mm256_set1_epi8(0x3d)), zero));
}

__attribute__((target("avx2"))) static inline void
masks_avx2(const uint8_t *p, struct masks *m)
{
	uint32_t lo[8], hi[8];

	masks32(p, lo);
	masks32(p + 32, hi);
	m->run = lo[0] | (uint64_t)hi[0] << 32;
	m->dot = lo[1] | (uint64_t)hi[1] << 32;
	m->colon = lo[2] | (uint64_t)hi[2] << 32;
	m->digit = lo[3] | (uint64_t)hi[3] << 32;
	m->hex = lo[4] | (uint64_t)hi[4] << 32;
	m->slash = lo[5] | (uint64_t)hi[5] << 32;
	m->alpha = lo[6] | (uint64_t)hi[6] << 32;
	m->label = lo[7] | (uint64_t)hi[7] << 32;
	/* Legacy SSE code may run next (check_run()): without this, each
	 * of its instructions would wait on the upper halves of the ymm
	 * registers. */
	_mm256_zeroupper();
}
#endif

/*
 * Which runs are worth checking, decided for a whole block at once from
 * its masks, without a branch per run.
 *
 * A sweep adds the start bit of every run to the run's bits that are not
 * in x: the carry runs through each run up to its first byte in x, and
 * lands on the byte after the run (its end) only when the run holds no
 * byte of x.  Chained from block to block by the carry out of bit 63, so
 * runs of any length are judged whole.  The first byte of x in each run
 * is where the carry landed: removing it and sweeping again finds the
 * second, and so on.
 */
struct sweeps {
	uint64_t	prev_run;	/* bit 63: the byte before the block */
	uint64_t	prev_colon;
	uint64_t	carry[8];
};

static inline __attribute__((always_inline)) uint64_t
sweep(uint64_t run, uint64_t starts, uint64_t x, uint64_t *carry)
{
	/*
	 * The carry in enters at bit 0, where no run starts when it is 1
	 * (bit 63 before was a run byte): adding it is ORing it into the
	 * starts, and one addition is left.
	 */
	uint64_t a = run & ~x, sum = a + (starts | *carry);

	*carry = sum < a;
	return sum;
}

/*
 * The ends (the byte after the last byte) of the runs of this block that
 * check_run() may find something in, a superset of them: a run ending in
 * ':' followed by "//" (a scheme), a run with a dot and a byte other than
 * digits, dots and colons or with three dots, a run without dots with
 * "::" or three colons (an IPv6 address needs "::" or seven).  Anything
 * else yields nothing in check_run(): without a dot only an IPv6 address
 * can be found (after '@' only rule 4 applies, which needs a dot), and
 * digits, dots and colons with fewer than three dots hold no address.
 */
static inline __attribute__((always_inline)) uint64_t
candidates(struct sweeps *w, const struct masks *m)
{
	uint64_t run = m->run, r1 = run << 1 | w->prev_run >> 63;
	uint64_t starts = run & ~r1, ends = ~run & r1;
	uint64_t c1 = m->colon << 1 | w->prev_colon >> 63;
	uint64_t other = run & ~(m->digit | m->dot | m->colon);
	uint64_t y, x, dot, dot3, col3, dc, oth, scheme;

	w->prev_run = run;
	w->prev_colon = m->colon;
	y = sweep(run, starts, m->dot, &w->carry[0]);
	dot = ends & ~y;
	x = m->dot & ~y;
	x &= ~sweep(run, starts, x, &w->carry[1]);
	dot3 = ends & ~sweep(run, starts, x, &w->carry[2]);
	x = m->colon & ~sweep(run, starts, m->colon, &w->carry[3]);
	x &= ~sweep(run, starts, x, &w->carry[4]);
	col3 = ends & ~sweep(run, starts, x, &w->carry[5]);
	dc = ends & ~sweep(run, starts, m->colon & c1, &w->carry[6]);
	oth = ends & ~sweep(run, starts, other, &w->carry[7]);
	/* The byte after the end is not known yet at bit 63: keep it. */
	scheme = ends & c1 & m->slash & (m->slash >> 1 | 1ull << 63);
	return scheme | (dot & (oth | dot3)) | (~dot & (dc | col3));
}

/*
 * The dotted quad q[0..len) whose dots are the bits of dm (bit i: q[i]),
 * three of them; q[len] and q[len + 1] may be read.  1 and the address in
 * a when each part has 1-3 digits, no leading zero and is at most 255
 * (the digits are known to be digits), without a branch on the digits.
 */
static inline unsigned
quad_part(const uint8_t *q, size_t l, unsigned *bad)
{
	/* The weight of each of three digits by the part's length. */
	static const uint8_t w0[4] = { 0, 1, 10, 100 }, w1[4] = { 0, 0, 1,
	    10 }, w2[4] = { 0, 0, 0, 1 };
	unsigned d0 = (unsigned)q[0] - '0', d1 = (unsigned)q[1] - '0';
	unsigned d2 = (unsigned)q[2] - '0';
	unsigned v = d0 * w0[l & 3] + d1 * w1[l & 3] + d2 * w2[l & 3];

	*bad |= (unsigned)(l - 1 > 2) | ((unsigned)(l > 1) &
	    (unsigned)(d0 == 0)) | (unsigned)(v > 255);
	return v;
}

static inline int
quad_parse(const uint8_t *q, size_t len, uint64_t dm, uint8_t a[4])
{
	/* The three dots found at once, so the parts are independent. */
	size_t d1 = (size_t)__builtin_ctzll(dm);
	size_t d2 = (size_t)__builtin_ctzll(dm & (dm - 1));
	size_t d3 = 63 - (size_t)__builtin_clzll(dm);
	unsigned bad = 0;

	a[0] = (uint8_t)quad_part(q, d1, &bad);
	a[1] = (uint8_t)quad_part(q + d1 + 1, d2 - d1 - 1, &bad);
	a[2] = (uint8_t)quad_part(q + d2 + 1, d3 - d2 - 1, &bad);
	a[3] = (uint8_t)quad_part(q + d3 + 1, len - d3 - 1, &bad);
	return !bad;
}

/*
 * A plain domain of the text, b[s..e) with its dots the bits of dm (bit
 * i: b[s + i]), checked already: look it up and its parents.  Hashed in
 * place; the key is lower-cased only if the filter lets it through.
 */
static void
look_domain_text(struct match_scanner *sc, size_t s, size_t e, uint64_t dm)
{
	if (sc->set->bloom_n[MS_T_DOMAIN] == 0)
		return;
	queue_domain(sc, sc->b + s, e - s, dm, 1, s, e - s);
}

/*
 * An e-mail address of the text, b[s..e) with one '@' at s + at, checked
 * already (local part of 1-64 bytes not starting with a dot, a domain of
 * two labels or more, dm its dots): look it up, then its domain, as
 * check_email() would.
 */
static void
look_email_text(struct match_scanner *sc, size_t s, size_t e, size_t at,
    uint64_t dm)
{
	char *em = sc->url;

	copy_lower(em, sc->b + s, e - s);
	look_key(sc, MATCH_I_EMAIL, em, e - s, s, e - s);
	look_domain_text(sc, s + at + 1, e, dm);
}

/*
 * The run b[s..e) in the block at base (masks m), holding '@' or '+': a
 * plain e-mail address local@domain (one '@', no '+' or ':', a local
 * part of 1-64 bytes not starting with a dot, a domain of dotted labels
 * whose last has a letter) is looked up as check_email() would; 0 leaves
 * anything else to check_run().
 */
static inline size_t
email_fast(struct match_scanner *sc, const struct masks *m, size_t base,
    size_t s, size_t e)
{
	unsigned rs = (unsigned)(s - base), re = (unsigned)(e - base), at;
	uint64_t rb = ((1ull << re) - 1) & ~((1ull << rs) - 1);
	uint64_t sp = rb & ~(m->label | m->dot | m->colon), dm, top;

	at = (unsigned)__builtin_ctzll(sp);
	if ((sp & (sp - 1)) != 0 || (m->colon & rb) != 0 ||
	    sc->b[base + at] != '@' || at == rs || at - rs > 64 ||
	    (m->dot & (1ull << rs)) != 0)
		return 0;
	dm = m->dot & rb & ~((2ull << at) - 1);
	if (dm == 0 || (dm & (2ull << at)) != 0 ||
	    (dm & (1ull << (re - 1))) != 0 || (dm & dm >> 1) != 0)
		return 0;
	top = 1ull << (63 - __builtin_clzll(dm));
	if ((m->alpha & rb & ~(top | (top - 1))) == 0)
		return 0;
	look_email_text(sc, s, e, at - rs, dm >> (at + 1));
	return e;
}

/*
 * The run b[s..e) lies in the block at base (m its masks): check the
 * shapes the masks tell apart alone, a dotted quad (with ":port" or not)
 * and a plain domain name, as check_run() would.  1 when done, 0 to leave
 * the run to check_run().
 */
static inline size_t
run_fast(struct match_scanner *sc, const struct masks *m, size_t base,
    size_t s, size_t e)
{
	unsigned rs = (unsigned)(s - base), re = (unsigned)(e - base);
	uint64_t rb = ((1ull << re) - 1) & ~((1ull << rs) - 1);
	uint64_t dots = m->dot & rb, colons = m->colon & rb, top;
	uint8_t a[16];

	if ((dots | colons) == 0)
		return 0;

	/* '@' or '+': pieces, or an e-mail address. */
	if ((rb & ~(m->label | m->dot | m->colon)) != 0)
		return email_fast(sc, m, base, s, e);
	if ((rb & ~(m->digit | m->dot | m->colon)) == 0) {
		size_t qe = e;

		/* Digits, dots and colons: a.b.c.d or a.b.c.d:port. */
		if (colons != 0) {
			unsigned c = (unsigned)__builtin_ctzll(colons);

			if ((colons & (colons - 1)) != 0 || re - c - 1 < 1 ||
			    re - c - 1 > 5 || (dots >> c) != 0)
				return 0;
			qe = base + c;
		}
		/* Three dots: two cleared leave one. */
		top = dots & (dots - 1);
		top &= top - 1;
		if (top == 0 || (top & (top - 1)) != 0 || qe - s > 15 ||
		    sc->n - s < 17)
			return 0;
		memset(a, 0, sizeof(a));
		if (quad_parse(sc->b + s, qe - s, dots >> rs, a))
			look_ip(sc, 0, a, s, qe - s);
		return e;
	}
	/* "scheme:" and "//" (letters only): a URL, rule 1. */
	if (colons == 1ull << (re - 1) && dots == 0 && (rb & ~(m->alpha |
	    colons)) == 0 && re - rs >= 2 && sc->n - e >= 2 &&
	    sc->b[e] == '/' && sc->b[e + 1] == '/') {
		size_t r = check_scheme(sc, s, e);

		return r != 0 ? r : e;
	}
	/* A name: no colon, dots inside only, never two together. */
	if (colons != 0 || (dots & (1ull << rs)) != 0 ||
	    (dots & (1ull << (re - 1))) != 0 || (dots & dots >> 1) != 0)
		return 0;
	/* The last label needs a letter, else nothing is looked up. */
	top = 1ull << (63 - __builtin_clzll(dots));
	if ((m->alpha & rb & ~(top | (top - 1))) == 0)
		return e;
	if (e < sc->n && sc->b[e] == '/')
		(void)check_url(sc, s, url_end(sc, s, e), 0);
	look_domain_text(sc, s, e, dots >> rs);
	return e;
}

/*
 * run_fast() on b[s..e), whose end is in the block at base (masks m) and
 * whose start may be in the block before (masks pm), when it is shorter
 * than a block: the masks of the 64 bytes from s are pieced together.
 */
static inline size_t
run_fast_at(struct match_scanner *sc, const struct masks *pm,
    const struct masks *m, size_t base, size_t s, size_t e)
{
	struct masks w;
	unsigned sh;

	if (s >= base)
		return run_fast(sc, m, base, s, e);
	if (e - s > 63)
		return 0;
	sh = (unsigned)(base - s);
	for (size_t k = 0; k < N_MASKS; k++)
		w.v[k] = pm->v[k] >> (64 - sh) | m->v[k] << sh;
	return run_fast(sc, &w, s, s, e);
}

/* 1 when pos is inside a run, not at its start. */
static inline int
mid_run(const struct match_scanner *sc, size_t pos)
{
	return pos > 0 && pos < sc->n && (rtab[sc->b[pos]] & F_R) &&
	    (rtab[sc->b[pos - 1]] & F_R);
}

/* Bits at and above k (k < 64). */
static inline uint64_t
from_bit(size_t k)
{
	return ~((1ull << k) - 1);
}

/* How far ahead of the block being scanned its bytes are fetched. */
#define PREFETCH_AHEAD	512u

/*
 * The scan, for one kind of mask code (simd: 0 portable, 1 SSE2, 2
 * AVX2) with the fast paths of run_fast() or without (fast), inlined
 * into one function per kind so the mask code is inlined too.  Blocks
 * of 64 bytes; the last one is padded with zeros (not run bytes), and
 * when the text ends at a block boundary one block of zeros follows, so
 * every run has its end inside some block.
 */
static inline __attribute__((always_inline)) void
scan_blocks(struct match_scanner *sc, int simd, int fast)
{
	const uint8_t *b = sc->b;
	size_t n = sc->n, run_next = 0, hex_next = 0, run_from = 0;
	uint64_t p1 = 0, p2 = 0, p4 = 0, p8 = 0, p16 = 0;
	uint8_t tail[64];
	struct sweeps w;
	struct masks mb[2], *mp = &mb[1];

	memset(&w, 0, sizeof(w));
	memset(mb, 0, sizeof(mb));
	for (size_t base = 0; base <= n && sc->err == ERR_OK; base += 64) {
		/* This block's masks, and the previous block's (pm). */
		const struct masks *pm = mp;
		struct masks *m = mp = &mb[(base >> 6) & 1];
		const uint8_t *p = b + base;
		uint64_t cand, hex, nonr, m2, m4, m8, m16, m32;

		if (n - base < 64) {
			memset(tail, 0, sizeof(tail));
			memcpy(tail, p, n - base);
			p = tail;
		} else if (n - base > PREFETCH_AHEAD) {
			__builtin_prefetch(p + PREFETCH_AHEAD);
		}
#if SCAN_SSE2
		if (simd == 2)
			masks_avx2(p, m);
		else if (simd == 1)
			masks_sse2(p, m);
		else
#endif
			masks_plain(p, m);
		cand = candidates(&w, m);
		hex = m->hex;
		nonr = ~m->run;
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

		while (cand != 0) {
			size_t e = base + (size_t)__builtin_ctzll(cand), s, r;
			uint64_t below;

			cand &= cand - 1;
			if (e <= run_next)
				continue;
			/* The run starts after the last byte outside runs. */
			below = nonr & ((1ull << (e - base)) - 1);
			s = below != 0 ? base + 64 - (size_t)__builtin_clzll(
			    below) : run_from;
			if (s < run_next)
				s = run_next;
			r = fast ? run_fast_at(sc, pm, m, base, s, e) : 0;
			run_next = r != 0 ? r : check_run(sc, s);
			/* Scanning goes on inside a run after a URL. */
			while (mid_run(sc, run_next))
				run_next = check_run(sc, run_next);
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
		 * A later run token starts at run_next or in a run not ended
		 * yet, so at run_from or after; a later hash token has its
		 * 32nd digit in a later block, so starts at base + 64 - 63 or
		 * after.
		 */
		if (sc->hb[0].n + sc->hb[1].n >= HITS_FLUSH) {
			size_t bound = base + 1;

			if (run_next < bound)
				bound = run_next;
			if (run_from < bound)
				bound = run_from;
			pend_run(sc);
			flush(sc, bound);
		}
	}
}

static void
scan_ref(struct match_scanner *sc)
{
	scan_blocks(sc, 0, 0);
}

static void
scan_plain(struct match_scanner *sc)
{
	scan_blocks(sc, 0, 1);
}

#if SCAN_SSE2
static void
scan_sse2(struct match_scanner *sc)
{
	scan_blocks(sc, 1, 1);
}

__attribute__((target("avx2"))) static void
scan_avx2(struct match_scanner *sc)
{
	scan_blocks(sc, 2, 1);
}
#endif

static void
scan(struct match_scanner *sc)
{
	switch (sc->simd) {
#if SCAN_SSE2
	case SIMD_AVX2:
		scan_avx2(sc);
		break;
	case SIMD_SSE2:
		scan_sse2(sc);
		break;
#endif
	case SIMD_PLAIN:
		scan_plain(sc);
		break;
	default:
		scan_ref(sc);
		break;
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
	sc->n_dq = 0;
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
