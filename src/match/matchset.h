/*
 * matchset.h: the node's usable indicators compiled into an immutable match
 * set, and the exact lookups the scanner makes against it.
 *
 * A builder takes indicators (their STIX pattern, or terms already reduced
 * by match_terms()), normalizes every value and records every indicator
 * or term outside the supported subset with its reason; finishing it
 * yields a struct match_set that is never written again, so any number of
 * threads may look things up in one set at once.
 *
 * Normalization (docs/match.md has the full rules):
 *   IPv4       four decimal octets without leading zeros, optional /0-32;
 *   IPv6       RFC 4291 text (with an embedded IPv4 tail), optional /0-128;
 *              an address with a shorter prefix is a CIDR, host bits are
 *              cleared; /32 (/128) is the address itself;
 *   domain     ASCII lower case, one trailing dot removed, labels of 1-63
 *              bytes of [a-z0-9_-] or non-ASCII bytes, at most 253 bytes, at
 *              least two labels, the last holding a letter (not an IP);
 *   URL        see match_norm_url();
 *   e-mail     lower case local@domain, the domain as above;
 *   hashes     32, 40 or 64 hex digits (MD5, SHA-1, SHA-256), either case.
 *
 * Lookups: an address is found exactly and in every CIDR covering it,
 * longest prefix first; a domain is found exactly and through each parent
 * domain that is an indicator (kind subdomain), never through a string
 * suffix that is not a whole label ("rivers.com" does not cover
 * "betrivers.com").  This module does no I/O besides reading the store in
 * match_set_from_store() and must not include anything above match/.
 */
#ifndef ENTENTE_MATCH_MATCHSET_H
#define ENTENTE_MATCH_MATCHSET_H

#include <stddef.h>
#include <stdint.h>

#include "match/indicator.h"
#include "store/store.h"
#include "util/err.h"
#include "util/limits.h"

/* Longest normalized URL kept (longer ones are refused or not looked up). */
#define MATCH_URL_MAX		4096u
/* Longest domain name and e-mail address. */
#define MATCH_DOMAIN_MAX	253u
#define MATCH_EMAIL_MAX		320u
/* Room for any formatted key (an URL is the longest). */
#define MATCH_VALUE_MAX		(MATCH_URL_MAX + 16u)
/* Indicators (after de-duplication of ids) and keys in one set. */
#define MATCH_SET_MAX_IND	0x7fffffffu
#define MATCH_SET_MAX_KEYS	0x7fffffffu

/* How an observed value matched an indicator value. */
enum match_hkind {
	MATCH_H_EXACT = 1,	/* the same normalized value */
	MATCH_H_SUBDOMAIN,	/* a subdomain of an indicator domain */
	MATCH_H_CIDR		/* an address inside an indicator CIDR */
};

/*
 * One hit: the observed token buf[off..off + len) of the buffer looked at
 * and the key of the set it matched (rec; give it to the accessors below
 * with the set).
 */
struct match_hit {
	size_t		 off;
	size_t		 len;
	enum match_hkind kind;
	enum match_ikind ikind;	/* the indicator value's kind */
	uint32_t	 rec;
};

/* Called for each hit; a return other than ERR_OK stops and is returned. */
typedef enum err (*match_hit_cb)(void *arg, const struct match_hit *h);

struct match_set;
struct match_builder;

/* "exact", "subdomain", "cidr"; "?" otherwise.  Can't fail. */
const char *match_hkind_name(enum match_hkind k);

/* A new empty builder in *out (free with match_builder_free()).
 * ERR_NOMEM. */
enum err match_builder_new(struct match_builder **out) WUR;
/* match_builder_free(NULL) does nothing. */
void match_builder_free(struct match_builder *b);

/*
 * Add the indicator id (NUL-terminated, copied) with the n terms t[0..n)
 * (values copied after normalization).  A term whose value does not
 * normalize is recorded as unsupported with its reason and the others
 * are kept: the terms of one pattern are OR'ed, so each remaining term is
 * still an exact reason to report the indicator.  The same id may be
 * added several times (once per collection); it is kept once.
 * ERR_NOMEM, ERR_TOOBIG past MATCH_SET_MAX_IND or MATCH_SET_MAX_KEYS (b is
 * then still usable but the indicator is not fully added).
 */
enum err match_builder_add(struct match_builder *b, const char *id,
    const struct match_term *t, size_t n) WUR;

/*
 * Parse pattern[0..len) (stix_pattern_parse), reduce it with match_terms()
 * and add the terms as match_builder_add() does.  A pattern that does not
 * parse or lies outside the subset is recorded as unsupported with the
 * reason, and ERR_OK is returned: only ERR_NOMEM and ERR_TOOBIG are errors.
 */
enum err match_builder_add_pattern(struct match_builder *b, const char *id,
    const char *pattern, size_t len) WUR;

/* Record id as unsupported with reason why (both copied).  ERR_NOMEM. */
enum err match_builder_unsupported(struct match_builder *b, const char *id,
    const char *why) WUR;

/*
 * Compile what b holds into a new set in *out (free with match_set_free()).
 * b is freed in every case.  ERR_NOMEM, ERR_TOOBIG (the arena would pass
 * 4 GiB).
 */
enum err match_builder_finish(struct match_builder *b,
    struct match_set **out) WUR;

/*
 * Compile the usable indicators of the node behind st at time now_us (see
 * match_indicators_each(); use as there) into a new set in *out.  *n_unusable (may be
 * NULL) gets the number of indicators that were revoked, expired, not yet
 * valid or of another pattern type.  ERR_DB, ERR_NOMEM, ERR_TOOBIG.
 */
enum err match_set_from_store(struct store *st, int64_t now_us,
    const struct match_use *use, struct match_set **out,
    size_t *n_unusable) WUR;

/* match_set_free(NULL) does nothing. */
void match_set_free(struct match_set *s);

/* Figures about a set, for the summary and the bench. */
struct match_set_stats {
	size_t	n_indicators;	/* distinct indicator ids with a key */
	size_t	n_terms;	/* terms added, with repeats */
	size_t	n_keys;		/* distinct keys */
	size_t	n_ipv4, n_ipv6, n_cidr4, n_cidr6, n_domain, n_url, n_email,
		n_md5, n_sha1, n_sha256;
	size_t	n_unsupported;
	size_t	bytes;		/* memory held by the set */
};
/* Fill *st.  Can't fail. */
void match_set_get_stats(const struct match_set *s,
    struct match_set_stats *st);

/* Unsupported entries: i < n_unsupported; *id and *why are borrowed from
 * s.  Can't fail. */
void match_set_unsupported(const struct match_set *s, size_t i,
    const char **id, const char **why);

/* Number of indicator ids in s (indices 0..n-1).  Can't fail. */
size_t match_set_n_indicators(const struct match_set *s);
/* Write indicator idx's id into out.  Can't fail for idx < n. */
void match_set_indicator_id(const struct match_set *s, size_t idx,
    char out[LIM_STIX_ID + 1]);
/* Indicators behind the key of a hit: their number, and the i-th index.
 * Can't fail. */
size_t match_set_hit_n_ids(const struct match_set *s,
    const struct match_hit *h);
uint32_t match_set_hit_id(const struct match_set *s,
    const struct match_hit *h, size_t i);
/* Write the matched indicator value (normalized, "10.0.0.0/8" for a
 * CIDR) into out, NUL-terminated.  Returns its length.  Can't fail. */
size_t match_set_hit_value(const struct match_set *s,
    const struct match_hit *h, char out[MATCH_VALUE_MAX]);

/*
 * Lookups of one normalized value; each calls cb for every hit in order
 * (exact first, then the covering keys from the most to the least
 * specific), with off = 0 and len = the value's length unless set by the
 * caller afterwards.  They return cb's first error, else ERR_OK.
 */
enum err match_set_find_ip(const struct match_set *s, int v6,
    const uint8_t addr[16], match_hit_cb cb, void *arg) WUR;
/* d[0..len): a normalized domain (match_norm_domain). */
enum err match_set_find_domain(const struct match_set *s, const char *d,
    size_t len, match_hit_cb cb, void *arg) WUR;
/* An exact key of kind k: a normalized URL or e-mail, or the binary hash
 * (16, 20 or 32 bytes) for MATCH_I_MD5/SHA1/SHA256. */
enum err match_set_find_key(const struct match_set *s, enum match_ikind k,
    const void *key, size_t len, match_hit_cb cb, void *arg) WUR;

/* -- Normalization, shared by the builder, the scanner and the tests. */

/* 1 when s[0..len) is a dotted quad (no leading zeros), address in out. */
int match_parse_ipv4(const char *s, size_t len, uint8_t out[4]);
/* 1 when s[0..len) is an RFC 4291 IPv6 address (no zone), in out. */
int match_parse_ipv6(const char *s, size_t len, uint8_t out[16]);
/*
 * Parse "address[/prefix]", IPv4 or IPv6: *v6, the address with host bits
 * cleared (IPv4 in addr[0..4)) and the prefix length (32 or 128 when
 * absent).  1 on success, 0 otherwise.
 */
int match_parse_ip_prefix(const char *s, size_t len, int *v6,
    uint8_t addr[16], unsigned *plen);
/* Format an address (RFC 5952 for IPv6) into out; returns the length.
 * Can't fail. */
size_t match_format_ip(int v6, const uint8_t addr[16], char out[48]);

/*
 * Normalize the domain name s[0..len) into out[0..cap): lower case, one
 * trailing dot removed.  Returns the length, or 0 when s is not a host
 * name of at least min_labels labels (see above) or does not fit.
 */
size_t match_norm_domain(const char *s, size_t len, unsigned min_labels,
    char *out, size_t cap);

/*
 * Normalize the URL s[0..len) into out[0..cap) and return its length, 0
 * when s is not a URL we can compare.  The normal form:
 *   - "scheme://" is dropped for http and https (and a URL without a
 *     scheme is taken as http), kept in lower case for other schemes;
 *   - user information ("user:pass@") and the fragment ("#...") are
 *     dropped;
 *   - the host is lower case without a trailing dot, IPv6 literals in
 *     RFC 5952 form inside brackets, and must be non-empty;
 *   - the port is dropped when it is the scheme's default (80 for http,
 *     443 for https, 21 for ftp), else kept without leading zeros;
 *   - an empty path becomes "/"; in path and query, %xx escapes get
 *     upper-case hex digits and those of unreserved characters
 *     (A-Z a-z 0-9 - . _ ~) are decoded; nothing else changes (no dot
 *     segment removal, case kept);
 *   - control characters, spaces and bytes past MATCH_URL_MAX refuse it.
 * host_off/host_len (may be NULL) get the host inside s (without
 * brackets), for a domain or address lookup of it.
 */
size_t match_norm_url(const char *s, size_t len, char *out, size_t cap,
    size_t *host_off, size_t *host_len);

/* Normalize local@domain (lower case) into out; 0 when not an address. */
size_t match_norm_email(const char *s, size_t len, char *out, size_t cap);

/* Decode 32, 40 or 64 hex digits into out; the length in bytes (16, 20,
 * 32) or 0. */
size_t match_parse_hash(const char *s, size_t len, uint8_t out[32]);

#endif
