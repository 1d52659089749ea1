/*
 * format.h: the log formats entente match reads, one line at a time.
 *
 * A parser turns one line into named fields, each tagged with the kind of
 * value it holds when the format says so (a DNS query is a domain, a
 * Suricata dest_ip an address) or MATCH_V_ANY when the field is free text
 * the scanner must tokenize.  Parsers are bounded: at most
 * MATCH_LINE_MAX bytes per line, MATCH_FIELDS_MAX fields per line and
 * MATCH_JSON_DEPTH levels of JSON; anything past a bound makes the line
 * bad (ERR_PARSE or ERR_TOOBIG) without stopping the run.  Bytes are not
 * required to be UTF-8.  This module does no I/O and must not include
 * anything above match/.  See docs/formats.md for detection rules.
 */
#ifndef ENTENTE_MATCH_FORMAT_H
#define ENTENTE_MATCH_FORMAT_H

#include <stddef.h>

#include "util/err.h"

/* Longest line a parser accepts. */
#define MATCH_LINE_MAX		(1024u * 1024u)
/* Most fields a parser yields, and most columns of a header. */
#define MATCH_FIELDS_MAX	512u
/* Deepest JSON nesting in a JSON line. */
#define MATCH_JSON_DEPTH	32u
/* Longest field name (JSON path, CSV header cell), NUL excluded. */
#define MATCH_NAME_MAX		255u
/* Bytes match_format_detect() looks at, at most. */
#define MATCH_DETECT_BYTES	4096u

enum match_format {
	MATCH_FMT_TEXT = 1,
	MATCH_FMT_JSONL,
	MATCH_FMT_CSV,
	MATCH_FMT_TSV,
	MATCH_FMT_BIND,
	MATCH_FMT_SQUID,
	MATCH_FMT_ZEEK,
	MATCH_FMT_EVE
};

/* "text", "jsonl", "csv", "tsv", "bind", "squid", "zeek", "eve"; "?" for
 * an unknown value.  This function can't fail. */
const char *match_format_name(enum match_format f);

/* The format named name (as match_format_name() spells it).  ERR_PARSE
 * if unknown, *out untouched. */
enum err match_format_parse(const char *name, enum match_format *out) WUR;

/*
 * Guess the format from the first len bytes of a file (decompressed; only
 * the first MATCH_DETECT_BYTES are looked at).  MATCH_FMT_TEXT when
 * nothing else fits.  Rules, in order, in docs/formats.md.  Can't fail.
 */
enum match_format match_format_detect(const char *head, size_t len);

enum match_vkind {
	MATCH_V_ANY = 0,
	MATCH_V_IP,
	MATCH_V_DOMAIN,
	MATCH_V_URL,
	MATCH_V_HASH,
	MATCH_V_EMAIL
};

/*
 * A field with a kind other than MATCH_V_ANY holds exactly one value of
 * that kind, already checked with match_term_valid() (indicator.h):
 * MATCH_V_IP an IPv4 or IPv6 address without prefix, brackets or port;
 * MATCH_V_DOMAIN a host name without port or trailing dot (any case);
 * MATCH_V_URL a whole URL "scheme://..." (parsers do not emit its host
 * separately: the scanner looks the host up as well); MATCH_V_HASH 32, 40
 * or 64 hex digits; MATCH_V_EMAIL "user@host".  A value whose field name
 * suggests a kind but which does not have its syntax is MATCH_V_ANY.
 * Empty values are never emitted.
 */
struct match_field {
	const char	*name;	/* NUL-terminated field name ("query",
				 * "id.resp_h", "dest_ip", ...) */
	const char	*val;	/* into the line or parser scratch; valid
				 * until the next call */
	size_t		 len;
	enum match_vkind kind;	/* MATCH_V_ANY: scan it like free text */
};

struct match_parser;

/* A new parser for format f in *out; free it with match_parser_free().
 * ERR_NOMEM, ERR_PARSE for an unknown format. */
enum err match_parser_new(enum match_format f, struct match_parser **out)
    WUR;
/* match_parser_free(NULL) does nothing. */
void match_parser_free(struct match_parser *p);

/*
 * Parse one line (without its newline; a trailing '\r' is ignored) into
 * out[0..*n_out).  Header lines (CSV/TSV header, Zeek '#' lines) configure
 * the parser and yield 0 fields; so do empty lines and comment lines.
 * ERR_PARSE: a bad line (the caller counts it and goes on; the parser stays
 * usable).  ERR_TOOBIG: the line is longer than MATCH_LINE_MAX.  When a
 * line holds more than cap fields, the first cap are returned.  For
 * MATCH_FMT_TEXT the parser yields one MATCH_V_ANY field named "text"
 * holding the whole line.  Field names and values stay valid until the
 * next call or match_parser_free().  On error *n_out is 0.
 */
enum err match_parser_line(struct match_parser *p, const char *line,
    size_t len, struct match_field *out, size_t cap, size_t *n_out) WUR;

/*
 * The parser's scratch area: every field value not pointing into the line
 * points into [*lo, *hi).  Meant for the fuzz harness and tests.  Can't
 * fail.
 */
void match_parser_scratch(const struct match_parser *p, const char **lo,
    const char **hi);

#endif
