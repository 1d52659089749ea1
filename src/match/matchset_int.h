/*
 * matchset_int.h: the layout of a compiled match set, shared by
 * matchset.c (which builds it) and scan.c (whose hot loop probes it
 * without a function call per key).  Nothing outside src/match/ may
 * include this header.
 *
 * Every key of every kind lives in one open-addressing table:
 *
 *   bloom   one filter per key type; a key sets three bits of one 64-bit
 *           word (16 bits per key: about 0.5% false positives), so a key
 *           that is not in the set costs one cache line most of the time,
 *           and the filter of a small type (addresses) stays in cache
 *           while the domains' is large; a type without keys costs
 *           nothing;
 *   slots   {tag, rec}: linear probing, at most MS_LOAD of them in use,
 *           rec 0 is an empty slot, tag is 32 more bits of the hash;
 *   arena   the records: [u32 ids][u8 type][len: 1 or 2 bytes][key].
 *
 * ids is an indicator index when its top bit is clear, else the position
 * in idlists of [count, index, index, ...].  Keys are normalized before
 * they are hashed (matchset.h says how), binary for addresses and hashes;
 * domains are hashed label by label from the last one (ms_dom_step()), so
 * the scanner gets the hash of every parent of a name in one pass, and
 * dom_labels says which numbers of labels the domain keys have.
 * CIDR keys are [prefix length][masked address] records too, found by
 * address through an interval index: CIDRs are nested or disjoint, so the
 * address space splits into segments, each with its most specific CIDR
 * (or none); a table by the top 16 bits of the address narrows the
 * segments to search (most often to one, and a bitmap skips the /16s no
 * CIDR meets), a binary search without branches finds it and parent
 * links give every other CIDR covering the address, longest prefix
 * first.  (Probing each prefix length instead costs 45 hashes per address
 * with the real IPv6 lists.)
 */
#ifndef ENTENTE_MATCH_MATCHSET_INT_H
#define ENTENTE_MATCH_MATCHSET_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "match/matchset.h"

/* Key types of the table (the first byte hashed with every key). */
enum ms_type {
	MS_T_IPV4 = 1,
	MS_T_IPV6,
	MS_T_CIDR4,
	MS_T_CIDR6,
	MS_T_DOMAIN,
	MS_T_URL,
	MS_T_EMAIL,
	MS_T_MD5,
	MS_T_SHA1,
	MS_T_SHA256,
	MS_T_COUNT_
};

#define MS_IDS_LIST	0x80000000u	/* ids is a position in idlists */
#define MS_LOAD_NUM	85		/* slots in use at most 85% */
#define MS_LOAD_DEN	100
#define MS_BLOOM_BITS_PER_KEY 16
/* Records are addressed by 32-bit offsets; offset 0 means "empty". */
#define MS_ARENA_MAX	((size_t)UINT32_MAX)

struct ms_slot {
	uint32_t	tag;
	uint32_t	rec;
};

/* A CIDR of the interval index. */
struct ms_cidr {
	uint32_t	rec;		/* its record */
	uint32_t	parent;		/* index + 1 of the smallest CIDR
					 * strictly containing it, 0: none */
};

/* Entries of the first level of an interval index, by the top 16 bits
 * of an address. */
#define MS_CIDR_TOP	65536u

/*
 * One family's index: segment k covers [start[k], start[k+1]).  top[]
 * narrows the search: an address whose top 16 bits are t lies in one of
 * the segments top[t]..top[t + 1], most often just one.
 */
struct ms_cidrs {
	uint64_t	*start;		/* IPv4: the address; IPv6: high and
					 * low halves, 2 words a segment */
	int32_t		*cidr;		/* index in list, -1: none */
	size_t		 n_seg;
	uint32_t	*top;		/* MS_CIDR_TOP + 1 entries */
	uint64_t	*any;		/* bit t: a CIDR may cover an address
					 * whose top 16 bits are t */
	struct ms_cidr	*list;
	size_t		 n;
};

struct ms_unsup {
	size_t	id_off;		/* into unsup_mem, NUL-terminated */
	size_t	why_off;
};

struct match_set {
	/* The table. */
	struct ms_slot	*slots;
	uint32_t	 n_slots;
	uint64_t	*bloom;
	size_t		 n_bloom;	/* words in all */
	size_t		 bloom_off[MS_T_COUNT_];
	uint32_t	 bloom_n[MS_T_COUNT_];	/* 0: no key of the type */
	/* A filter of the last two labels of every domain key: a name whose
	 * last two labels are not there has no parent in the set. */
	uint64_t	*tails;
	uint32_t	 n_tails;		/* words, 0: no domain key */
	uint8_t		*arena;
	size_t		 arena_len;
	uint32_t	*idlists;
	size_t		 n_idlists;
	size_t		 n_keys;
	size_t		 n_keys_type[MS_T_COUNT_];
	/* Bit k: a domain key has k labels (63: 63 or more).  A name of
	 * the text is looked up only with the parents that may match. */
	uint64_t	 dom_labels;

	/* CIDRs: one interval index per family. */
	struct ms_cidrs	 c4;
	struct ms_cidrs	 c6;

	/* Indicators: a canonical id "indicator--<lower-case uuid>" is kept
	 * as 16 bytes; any other id as a string in alt (flagged in
	 * is_alt, and uuid[i] then holds its offset). */
	uint8_t		(*uuid)[16];
	uint8_t		*is_alt;	/* bitmap, NULL when no alt id */
	char		*alt;
	size_t		 alt_len;
	size_t		 n_ind;

	/* Indicators (or terms) outside the supported subset. */
	struct ms_unsup	*unsup;
	size_t		 n_unsup;
	char		*unsup_mem;
	size_t		 unsup_len;
	size_t		 n_terms;
	size_t		 n_ind_seen;	/* indicators offered, with repeats */
};

static inline uint64_t
ms_rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t
ms_rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Multiply two 64-bit values and fold the 128-bit product. */
static inline uint64_t
ms_fold(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

#define MS_K0	0xa0761d6478bd642full
#define MS_K1	0xe7037ed1a0b428dbull
#define MS_K2	0x8ebc6af09c88c6e3ull
#define MS_K3	0x589965cc75374cc3ull

/*
 * The 64-bit hash of a key of type t: 16 bytes per multiply, then the
 * last 1..16 bytes read as two overlapping words, so every byte counts
 * once or twice and no byte past p[len - 1] is read.
 */
static inline uint64_t
ms_hash(unsigned t, const uint8_t *p, size_t len)
{
	uint64_t h = MS_K0 ^ ((uint64_t)t << 56) ^ ((uint64_t)len * MS_K1);
	uint64_t a, b;
	size_t i = 0;

	while (len - i > 16) {
		h = ms_fold(ms_rd64(p + i) ^ MS_K1, ms_rd64(p + i + 8) ^ h);
		i += 16;
	}
	p += i;
	len -= i;
	if (len >= 8) {
		a = ms_rd64(p);
		b = ms_rd64(p + len - 8);
	} else if (len >= 4) {
		a = ms_rd32(p);
		b = ms_rd32(p + len - 4);
	} else if (len > 0) {
		a = ((uint64_t)p[0] << 16) | ((uint64_t)p[len >> 1] << 8) |
		    p[len - 1];
		b = 0;
	} else {
		a = b = 0;
	}
	h = ms_fold(a ^ MS_K2, b ^ h ^ MS_K3);
	return ms_fold(h ^ MS_K0, MS_K1 ^ (h >> 17)) ^ h;
}

/*
 * Domains are hashed label by label from the last one, so the hash of
 * every parent domain comes out on the way (the scanner looks each one
 * up): h = ms_dom_step(h, label) from ms_dom_init(), then
 * ms_dom_final(h).  A label is taken 16 bytes at a time, the last 1-16
 * padded with zeros, each byte with bit 0x20 set (ASCII case folded: the
 * scanner hashes log text in place, upper case and all; '_' and DEL then
 * hash alike, which only costs a collision).  ms_dom_step() never reads
 * outside the label; ms_dom_step_over() gives the same value reading up
 * to 16 bytes past it, masking them off, with no branch on the length.
 */
#define MS_FOLD8	0x2020202020202020ull

/* 8 bytes 0xff then 8 zeros: 8 bytes read at 8 - n keep n bytes. */
static const uint8_t ms_ones[16] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0
};

static inline uint64_t
ms_dom_init(void)
{
	return MS_K0 ^ ((uint64_t)MS_T_DOMAIN << 56);
}

/* The last chunk: a and b hold its 1-16 bytes, zeros after. */
static inline uint64_t
ms_dom_last(uint64_t h, uint64_t a, uint64_t b)
{
	return ms_fold((a | MS_FOLD8) ^ MS_K2, (b | MS_FOLD8) ^ h ^ MS_K3);
}

static inline uint64_t
ms_dom_step(uint64_t h, const uint8_t *p, size_t len)
{
	uint8_t last[16];
	size_t i = 0;

	h ^= (uint64_t)len * MS_K1;
	while (len - i > 16) {
		h = ms_fold((ms_rd64(p + i) | MS_FOLD8) ^ MS_K1,
		    (ms_rd64(p + i + 8) | MS_FOLD8) ^ h);
		i += 16;
	}
	memset(last, 0, sizeof(last));
	memcpy(last, p + i, len - i);
	return ms_dom_last(h, ms_rd64(last), ms_rd64(last + 8));
}

/* ms_dom_step(), p[len..len + 16) readable too. */
static inline uint64_t
ms_dom_step_over(uint64_t h, const uint8_t *p, size_t len)
{
	size_t i = 0, l, la;

	h ^= (uint64_t)len * MS_K1;
	while (len - i > 16) {
		h = ms_fold((ms_rd64(p + i) | MS_FOLD8) ^ MS_K1,
		    (ms_rd64(p + i + 8) | MS_FOLD8) ^ h);
		i += 16;
	}
	l = len - i;
	la = l < 8 ? l : 8;
	return ms_dom_last(h, ms_rd64(p + i) & ms_rd64(ms_ones + 8 - la),
	    ms_rd64(p + i + 8) & ms_rd64(ms_ones + 8 - (l - la)));
}

static inline uint64_t
ms_dom_final(uint64_t h)
{
	return ms_fold(h ^ MS_K0, MS_K1 ^ (h >> 17)) ^ h;
}

/* The hash of the last two labels of the domain p[0..len) (one label:
  * of it alone), for ms_tail_at(). */
static inline uint64_t
ms_tail_hash(const uint8_t *p, size_t len)
{
	uint64_t h = ms_dom_init();
	size_t e = len, n = 0;

	for (size_t i = len; i > 0 && n < 2; i--)
		if (p[i - 1] == '.') {
			h = ms_dom_step(h, p + i, e - i);
			e = i - 1;
			n++;
		}
	return n < 2 ? ms_dom_step(h, p, e) : h;
}

/* The number of labels of the domain p[0..len), at most 63. */
static inline unsigned
ms_labels(const uint8_t *p, size_t len)
{
	unsigned n = 1;

	for (size_t i = 0; i < len && n < 63; i++)
		n += p[i] == '.';
	return n;
}

/* The hash of the domain p[0..len) (labels separated by '.'). */
static inline uint64_t
ms_hash_domain(const uint8_t *p, size_t len)
{
	uint64_t h = ms_dom_init();
	size_t e = len;

	for (size_t i = len; i > 0; i--)
		if (p[i - 1] == '.') {
			h = ms_dom_step(h, p + i, e - i);
			e = i - 1;
		}
	return ms_dom_final(ms_dom_step(h, p, e));
}

/* The hash of a key of any type, as the table holds it. */
static inline uint64_t
ms_key_hash(unsigned t, const uint8_t *p, size_t len)
{
	return t == MS_T_DOMAIN ? ms_hash_domain(p, len) : ms_hash(t, p, len);
}

/* Map a 32-bit value onto [0, n) without a division. */
static inline uint32_t
ms_range(uint32_t x, uint32_t n)
{
	return (uint32_t)(((uint64_t)x * n) >> 32);
}

static inline uint64_t
ms_bloom_mask(uint64_t h)
{
	return (1ull << (h & 63)) | (1ull << ((h >> 6) & 63)) |
	    (1ull << ((h >> 12) & 63));
}

/*
 * The tail filter's word (its index) and bits for the hash h of the last
 * two labels of a name (ms_dom_step() twice from ms_dom_init()); remixed,
 * so its bits are not those of the name's own filter.  There must be
 * domain keys.
 */
static inline size_t
ms_tail_at(const struct match_set *s, uint64_t h, uint64_t *mask)
{
	uint64_t t = ms_fold(ms_dom_final(h) ^ MS_K3, MS_K2);

	*mask = ms_bloom_mask(t);
	return (size_t)(((t >> 32) * s->n_tails) >> 32);
}

/* The word of type t's filter for hash h (the type must have keys). */
static inline const uint64_t *
ms_bloom_word(const struct match_set *s, unsigned t, uint64_t h)
{
	return &s->bloom[s->bloom_off[t] + ms_range((uint32_t)(h >> 32),
	    s->bloom_n[t])];
}

/* 1 when h may be a key of type t, 0 when it certainly is not. */
static inline int
ms_bloom_test(const struct match_set *s, unsigned t, uint64_t h)
{
	uint64_t m = ms_bloom_mask(h);

	if (s->bloom_n[t] == 0)
		return 0;
	return (*ms_bloom_word(s, t, h) & m) == m;
}

/*
 * match_norm_url(), also saying where the normalized host is in out
 * (nhost_off, nhost_len; may be NULL): lower case, no trailing dot, IPv6
 * in brackets.  For the scanner, which looks the host up next.
 */
size_t match_norm_url_ex(const char *s, size_t len, char *out, size_t cap,
    size_t *host_off, size_t *host_len, size_t *nhost_off,
    size_t *nhost_len);

/* The second hash drives the slot position and the tag. */
static inline uint64_t
ms_h2(uint64_t h)
{
	return h * 0x9e3779b97f4a7c15ull;
}

/* Decode the record at rec: type, key length, key bytes.  */
static inline const uint8_t *
ms_rec_key(const struct match_set *s, uint32_t rec, unsigned *type,
    size_t *len)
{
	const uint8_t *p = s->arena + rec + 4;

	*type = p[0];
	if (p[1] < 0x80) {
		*len = p[1];
		return p + 2;
	}
	*len = ((size_t)(p[1] & 0x7f) << 8) | p[2];
	return p + 3;
}

static inline uint32_t
ms_rec_ids(const struct match_set *s, uint32_t rec)
{
	return (uint32_t)ms_rd32(s->arena + rec);
}

/*
 * Find key (t, p, len) whose hash is h.  Returns its record offset, 0 when
 * absent.  The bloom filter is not consulted here.
 */
static inline uint32_t
ms_probe(const struct match_set *s, unsigned t, const uint8_t *p,
    size_t len, uint64_t h)
{
	uint64_t h2 = ms_h2(h);
	uint32_t i = ms_range((uint32_t)(h2 >> 32), s->n_slots);
	uint32_t tag = (uint32_t)h2;
	const uint8_t *k;
	unsigned kt;
	size_t kl;

	for (;;) {
		const struct ms_slot *sl = &s->slots[i];

		if (sl->rec == 0)
			return 0;
		if (sl->tag == tag) {
			k = ms_rec_key(s, sl->rec, &kt, &kl);
			if (kt == t && kl == len && memcmp(k, p, len) == 0)
				return sl->rec;
		}
		if (++i == s->n_slots)
			i = 0;
	}
}

/*
 * The most specific CIDR of index c covering address a (IPv4: a[0..4),
 * IPv6: a[0..16)), as an index + 1 into c->list, 0 when none; follow
 * list[i].parent for the others.
 */
static inline uint32_t
ms_cidr_find(const struct ms_cidrs *c, int v6, const uint8_t *a)
{
	uint64_t x0 = 0, x1 = 0;
	size_t lo, len;
	uint32_t t;

	if (c->n_seg == 0)
		return 0;
	if (v6) {
		for (int i = 0; i < 8; i++) {
			x0 = x0 << 8 | a[i];
			x1 = x1 << 8 | a[8 + i];
		}
		t = (uint32_t)(x0 >> 48);
	} else {
		x0 = (uint64_t)a[0] << 24 | (uint64_t)a[1] << 16 |
		    (uint64_t)a[2] << 8 | a[3];
		t = (uint32_t)(x0 >> 16);
	}
	if (((c->any[t / 64] >> (t % 64)) & 1) == 0)
		return 0;
	lo = c->top[t];
	len = c->top[t + 1] - lo + 1;
	/*
	 * The last segment starting at or before the address, among
	 * [lo, lo + len): start[lo] is at or before it.  The range shrinks
	 * by half whichever way the comparison goes, so the loop has no
	 * branch on the data (the compiler uses a conditional move).
	 */
	while (len > 1) {
		size_t half = len / 2, mid = lo + half;
		int le = v6 ? (c->start[2 * mid] < x0 ||
		    (c->start[2 * mid] == x0 && c->start[2 * mid + 1] <= x1)) :
		    c->start[mid] <= x0;

		lo = le ? mid : lo;
		len -= half;
	}
	return c->cidr[lo] < 0 ? 0 : (uint32_t)c->cidr[lo] + 1;
}

/* Bloom test, then probe: the record of (t, p, len) or 0. */
static inline uint32_t
ms_find(const struct match_set *s, unsigned t, const uint8_t *p, size_t len)
{
	uint64_t h;

	if (s->bloom_n[t] == 0)
		return 0;
	h = ms_key_hash(t, p, len);
	if (!ms_bloom_test(s, t, h))
		return 0;
	return ms_probe(s, t, p, len, h);
}

#endif
