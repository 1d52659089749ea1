/*
 * scan.h: find every token shaped like an address, domain, URL, hash or
 * e-mail address in free text and look it up in a match set.
 *
 * Tokens (docs/match.md has examples; fuzz/fuzz_matchtext.c holds a slow
 * reference implementation of exactly these rules):
 *
 *   A run is a maximal sequence of the bytes A-Z a-z 0-9 . - _ : @ +
 *   (every other byte, newlines and non-ASCII included, separates runs).
 *   Runs longer than MATCH_RUN_MAX bytes are not looked at.  A run is
 *   checked when it holds '.', ':' or '@':
 *
 *   1. URL: the run ends in "scheme:" and "//" follows (scheme: a letter,
 *      then letters, digits, '+', '-', '.'): the URL runs from the scheme
 *      to the first byte that is a control, space, non-ASCII or one of
 *      " ' < > ` \ ^ { | }, then trailing . , ; : ! ? are dropped, and a
 *      trailing ) or ] without an opening one.  Its normal form (see
 *      match_norm_url()) is looked up, then its host as a domain or an
 *      address; scanning goes on after the host and port, so tokens in
 *      the path and query are checked too.  A URL that does not normalize
 *      (or is longer than MATCH_URL_MAX) is not a URL: its run is checked
 *      by the rules below.  Bytes of the run before the scheme are ignored.
 *   2. E-mail: the run holds '@': the local part is what precedes the last
 *      '@' back to the previous ':' or '@' (leading dots dropped), the
 *      domain what follows up to a ':' (trailing dots dropped).  When the
 *      local part has 1-64 bytes and the domain is one (see below),
 *      local@domain is looked up, then the domain; otherwise what follows
 *      the '@' up to a ':' is checked by rule 4 ("root@10.0.0.5").
 *   3. Each piece of the run between '+' signs is then checked alone:
 *      a. a trailing single ':' is dropped; a valid IPv6 address is looked
 *         up (an IPv4-mapped one ::ffff:a.b.c.d also as IPv4);
 *      b. else host:port (one ':', 1-5 digits) is checked as host;
 *      c. else each piece between ':' is checked alone:
 *   4. leading and trailing dots are dropped; then
 *      - a dotted quad (no leading zeros) is an IPv4 address;
 *      - two or more labels of [A-Za-z0-9_-] (1-63 bytes, 253 in all),
 *        the last holding a letter, are a domain: it and each parent
 *        domain of two or more labels are looked up;
 *      - a domain (from a whole run or host:port) followed by '/' starts
 *        a URL without scheme (taken as http), looked up as a URL too.
 *   Hashes: a maximal run of letters and digits that is exactly 32, 40 or
 *   64 hex digits is an MD5, SHA-1 or SHA-256 (so "<md5>.exe" and
 *   "x_<sha1>" hold one; a 64-digit run holds no MD5).
 *
 * Hits are reported in the order of their token's first byte (for one
 * token: URL, then e-mail, then exact, then parent domains from the
 * longest; exact address, then CIDRs from the longest prefix; hash tokens
 * after run tokens starting at the same byte).  The scanner works on any
 * bytes (no UTF-8 needed), never allocates per token and classifies 64
 * bytes at a time (SSE2 or AVX2 on x86-64, portable code elsewhere, all
 * giving the same results).  A struct match_scanner is scratch memory for
 * one thread.
 */
#ifndef ENTENTE_MATCH_SCAN_H
#define ENTENTE_MATCH_SCAN_H

#include <stddef.h>

#include "match/format.h"
#include "match/matchset.h"
#include "util/err.h"

/* Longest run of token bytes that is looked at. */
#define MATCH_RUN_MAX	1024u

struct match_scanner;

/*
 * A new scanner for set s (borrowed: it must outlive the scanner) in
 * *out; free it with match_scanner_free().  ERR_NOMEM.
 */
enum err match_scanner_new(const struct match_set *s,
    struct match_scanner **out) WUR;
/* match_scanner_free(NULL) does nothing. */
void match_scanner_free(struct match_scanner *sc);

/*
 * Which code scans (the default is 1): 1 the fastest for this processor
 * (vector masks, fast paths for the common token shapes); 0 the reference
 * code (portable, every run checked by the general rules of check_run());
 * 2 the portable mask code with the fast paths; 3 the SSE2 code even when
 * the processor has AVX2 (as 2 where there is no SSE2).  All give the
 * same hits; the tests and the fuzz harness compare them.  Can't fail.
 */
void match_scanner_set_simd(struct match_scanner *sc, int on);

/*
 * Scan buf[0..len) as free text and call cb for each hit (off and len
 * locate the observed token in buf) in the order described above.
 * Returns cb's first error (and stops), ERR_NOMEM, else ERR_OK.
 */
enum err match_scan_text(struct match_scanner *sc, const char *buf,
    size_t len, match_hit_cb cb, void *arg) WUR;

/*
 * Check one field value of known kind: MATCH_V_IP (an address, optionally
 * in brackets, with a %zone or a :port), MATCH_V_DOMAIN, MATCH_V_URL,
 * MATCH_V_HASH, MATCH_V_EMAIL.  A value that is not of its kind, and any
 * MATCH_V_ANY value, is scanned as free text instead.  Results as
 * match_scan_text(), offsets into val.
 */
enum err match_scan_value(struct match_scanner *sc, enum match_vkind kind,
    const char *val, size_t len, match_hit_cb cb, void *arg) WUR;

/* Number of '\n' bytes in p[0..n).  Can't fail. */
size_t match_count_newlines(const char *p, size_t n);

#endif
