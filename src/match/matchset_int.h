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
 * they are hashed (matchset.h says how), binary for addresses and hashes.
 * CIDR keys are [prefix length][masked address] records too, found by
 * address through an interval index: CIDRs are nested or disjoint, so the
 * address space splits into segments, each with its most specific CIDR
 * (or none); one binary search finds it and parent links give every
 * other CIDR covering the address, longest prefix first.  (Probing each
 * prefix length instead costs 45 hashes per address with the real IPv6
 * lists.)
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

/* One family's index: segment k covers [start[k], start[k+1]). */
struct ms_cidrs {
	uint64_t	*start;		/* IPv4: the address; IPv6: high and
					 * low halves, 2 words a segment */
	int32_t		*cidr;		/* index in list, -1: none */
	size_t		 n_seg;
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
	uint8_t		*arena;
	size_t		 arena_len;
	uint32_t	*idlists;
	size_t		 n_idlists;
	size_t		 n_keys;
	size_t		 n_keys_type[MS_T_COUNT_];

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
	size_t lo = 0, hi = c->n_seg;
	uint64_t x0 = 0, x1 = 0;

	if (c->n_seg == 0)
		return 0;
	if (v6) {
		for (int i = 0; i < 8; i++) {
			x0 = x0 << 8 | a[i];
			x1 = x1 << 8 | a[8 + i];
		}
	} else {
		x0 = (uint64_t)a[0] << 24 | (uint64_t)a[1] << 16 |
		    (uint64_t)a[2] << 8 | a[3];
	}
	/* The last segment starting at or before the address. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		int le = v6 ? (c->start[2 * mid] < x0 ||
		    (c->start[2 * mid] == x0 && c->start[2 * mid + 1] <= x1)) :
		    c->start[mid] <= x0;

		if (le)
			lo = mid;
		else
			hi = mid;
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
	h = ms_hash(t, p, len);
	if (!ms_bloom_test(s, t, h))
		return 0;
	return ms_probe(s, t, p, len, h);
}

#endif
