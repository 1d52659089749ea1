/*
 * indicator.h: which STIX indicators the matcher and the exports can use,
 * and what they look for.
 *
 * match_terms() reduces a parsed STIX pattern to a flat list of (kind,
 * value) terms when the pattern is in the subset we evaluate exactly: one
 * observation holding one comparison or an OR of comparisons, each an "="
 * on an address, domain, URL, e-mail or file hash, or an ISSUBSET on an IP
 * address.  Anything else is refused with a reason, never dropped silently.
 * match_indicators_each() walks the usable indicators stored in a node.
 *
 * This module reads the store and the pattern tree; it does no other I/O
 * and must not include anything above match/.
 */
#ifndef ENTENTE_MATCH_INDICATOR_H
#define ENTENTE_MATCH_INDICATOR_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "util/err.h"
#include "stix/pattern.h"
#include "store/store.h"

/* Terms of one pattern at most (OR chains longer than this are refused). */
#define MATCH_TERMS_MAX		1024u
/* Room for a refusal reason, NUL included. */
#define MATCH_WHY_BYTES		160u

enum match_ikind {
	MATCH_I_IPV4 = 1,
	MATCH_I_IPV6,
	MATCH_I_DOMAIN,
	MATCH_I_URL,
	MATCH_I_MD5,
	MATCH_I_SHA1,
	MATCH_I_SHA256,
	MATCH_I_EMAIL
};

struct match_term {
	enum match_ikind kind;
	const char	*value;	/* the literal's text, borrowed from the
				 * pattern tree */
	size_t		 len;
	int		 subset;	/* 1: ISSUBSET (value is a CIDR), 0:
					 * "=" (an IP value may still carry
					 * a /prefix) */
};

/*
 * The terms of the parsed pattern p when it is in the supported subset:
 * one observation without qualifiers (or an OR of such observations),
 * holding one test or an OR of tests, each "=" (or IN, one term per value)
 * on ipv4-addr:value, ipv6-addr:value, domain-name:value, url:value,
 * email-addr:value, file:hashes.'MD5'|'SHA-1'|'SHA-256', or ISSUBSET on
 * the IP values.  Values must be strings of their kind's syntax (see
 * match_term_valid(); ISSUBSET needs a "/prefix"; host bits may be set;
 * a domain's trailing dot is left out of len).  On success out[0..*n_out)
 * hold the terms in pattern order, values borrowed from p (valid until
 * stix_pattern_free(p)).  ERR_UNSUPPORTED with a one-line reason in
 * why[0..why_cap) otherwise; ERR_TOOBIG (with a reason) when there are
 * more than cap terms.  On error *n_out is 0.
 */
enum err match_terms(const struct stix_pattern *p, struct match_term *out,
    size_t cap, size_t *n_out, char *why, size_t why_cap) WUR;

/* The kind's name ("ipv4", "ipv6", "domain", "url", "md5", "sha1",
 * "sha256", "email").  This function can't fail. */
const char *match_ikind_name(enum match_ikind k);

/*
 * 1 when s[0..len) has the syntax match_terms() requires for kind k, else
 * 0: IPv4 dotted quad without leading zeros and IPv6 (inet_pton), each
 * with an optional "/prefix"; a host name of two labels or more (letters,
 * digits, '-', '_', at most 253 bytes) that is not an IPv4 address; a URL
 * "scheme://" followed by printable bytes; local@host e-mail; 32, 40 or 64
 * hex digits.  Can't fail.
 */
int match_term_valid(enum match_ikind k, const char *s, size_t len);

/*
 * Called for each usable indicator: id and pattern are NUL-terminated and
 * obj is the indicator (all borrowed, valid for the call only).  A return
 * other than ERR_OK stops the walk.
 */
typedef enum err (*match_ind_cb)(void *arg, const char *id,
    const char *pattern, const json_t *obj);

/*
 * Which stored versions this node may use (match and export): the caller
 * decides (the CLI passes the agreements in force: the node's own objects,
 * and what it received under an agreement still in force).  allow gets
 * each version before its JSON is read; 0 skips it (counted as unusable).
 * A NULL struct match_use allows everything.
 */
struct match_use {
	int	(*allow)(void *arg, const struct store_row *r);
	void	 *arg;
};

/*
 * Walk the node's usable indicators: the latest version of each indicator
 * in every collection, pattern_type "stix", not revoked, valid_from <= now
 * < valid_until (when present).  Collections are visited in id order and
 * indicators in date-added order inside each; an indicator present in two
 * collections is reported twice.  cb gets each one; a non-ERR_OK return
 * from cb stops the walk and is returned.  The walk runs inside one read
 * transaction when none is open, so cb must not write to st.  *n_unusable
 * (may be NULL) gets
 * the number of indicators skipped (revoked, expired, not yet valid, other
 * pattern types, unreadable).  ERR_DB, ERR_NOMEM from the store.
 */
enum err match_indicators_each(struct store *st, int64_t now_us,
    const struct match_use *use, match_ind_cb cb, void *arg,
    size_t *n_unusable) WUR;

/*
 * As match_indicators_each(), but for indicators whose pattern_type is one
 * of the n_types names in types (e.g. "suricata", "yara").  cb gets the
 * pattern text of each one; *n_unusable counts the usable-type indicators
 * skipped for being revoked or outside their validity window and those
 * with any pattern_type not in types.
 */
enum err match_indicators_each_type(struct store *st, int64_t now_us,
    const struct match_use *use, const char *const *types, size_t n_types,
    match_ind_cb cb, void *arg, size_t *n_unusable) WUR;

#endif
