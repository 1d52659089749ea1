/*
 * format_int.h: what the per-format line parsers share; private to
 * src/match/format*.c.
 */
#ifndef ENTENTE_MATCH_FORMAT_INT_H
#define ENTENTE_MATCH_FORMAT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "match/format.h"
#include "util/err.h"

/*
 * How a parser types a value before checking it: a fixed kind, "by shape"
 * (a DNS answer is an address or a name) or not at all (skipped: times,
 * counters, identifiers that cannot hold an indicator).
 */
enum fmt_hint {
	FMT_H_ANY = 0,
	FMT_H_IP,
	FMT_H_DOMAIN,
	FMT_H_URL,
	FMT_H_HASH,
	FMT_H_EMAIL,
	FMT_H_SHAPE,
	FMT_H_SKIP
};

/* Scratch room for names: one slot per field. */
#define FMT_NAMES_BYTES	(MATCH_FIELDS_MAX * (MATCH_NAME_MAX + 1u))
/* Extra scratch for composed values ("http://" host uri). */
#define FMT_COMPOSE_SLACK	64u

/* One column of a CSV/TSV header or Zeek #fields line. */
struct fmt_col {
	const char	*name;	/* into hdr, NUL-terminated, non-empty */
	enum fmt_hint	 hint;
	int		 is_set;	/* Zeek set[...] or vector[...] */
};

/* Slots of the per-parser index of field-name hints (a power of two,
 * more than twice the number of names). */
#define FMT_HINT_SLOTS	256u

struct match_parser {
	enum match_format fmt;
	uint16_t	 hint_slot[FMT_HINT_SLOTS];	/* hint_tab index + 1 */
	int		 seen_line;	/* a BOM is stripped on line one */

	/* CSV, TSV, Zeek: columns from the header. */
	struct fmt_col	 cols[MATCH_FIELDS_MAX];
	size_t		 n_cols;	/* columns kept, <= MATCH_FIELDS_MAX */
	size_t		 n_total;	/* columns in the header, 0: none yet */
	char		*hdr;		/* column names, heap */
	size_t		 hdr_cap;
	char		 sep;		/* field separator */
	char		 set_sep;	/* Zeek set separator */
	char		*empty;		/* Zeek #empty_field, heap or NULL */
	char		*unset;		/* Zeek #unset_field, heap or NULL */

	/* Per-line scratch: decoded values, composed URLs, names. */
	char		*scr;
	size_t		 scr_cap;
	size_t		 scr_len;
	size_t		 scr_val_end;	/* names live past this */
	size_t		 names_len;
};

/* Output being filled for one line. */
struct fmt_out {
	struct match_field	*f;
	size_t			 cap;
	size_t			 n;
};

/*
 * Append one value (name NUL-terminated and stable for the line) to o,
 * typing it by hint: a value that does not have its kind's syntax becomes
 * MATCH_V_ANY, empty values and FMT_H_SKIP are dropped.  Can't fail: past
 * cap, values are counted nowhere and dropped.
 */
void fmt_emit(struct match_parser *p, struct fmt_out *o, const char *name,
    const char *val, size_t len, enum fmt_hint hint);

/* The hint for a field name: the whole name, then its last component,
 * case-insensitively.  Can't fail. */
enum fmt_hint fmt_hint_for(const struct match_parser *p, const char *name,
    size_t len);

/*
 * The hint of a JSON path whose last key is key[0..key_len) (path holds
 * the whole path, possibly truncated) under a parent path hinted parent:
 * FMT_H_SKIP under a skipped parent, else the hint of the whole path,
 * else that of the key.  Can't fail.
 */
enum fmt_hint fmt_hint_step(const struct match_parser *p,
    enum fmt_hint parent, const char *path, size_t path_len,
    const char *key, size_t key_len);

/* Reserve n bytes of value scratch; NULL when the line budget is used up
 * (cannot happen for values no longer than the line). */
char *fmt_scratch(struct match_parser *p, size_t n);

/* Copy name[0..len) (truncated to MATCH_NAME_MAX, NUL bytes as '?') into
 * the names area and return the NUL-terminated copy.  Can't fail. */
const char *fmt_name(struct match_parser *p, const char *name, size_t len);

/*
 * Where a URL can be composed from a host and a path in the same record
 * (EVE http.hostname + http.url, Zeek host + uri), add one MATCH_V_URL
 * field "<parent>hostname+url" holding "http://host/path".
 */
void fmt_compose_urls(struct match_parser *p, struct fmt_out *o);

/* Per-format line parsers: line has no newline or trailing '\r'. */
enum err fmt_json_line(struct match_parser *p, const char *line, size_t len,
    struct fmt_out *o) WUR;
enum err fmt_csv_line(struct match_parser *p, const char *line, size_t len,
    struct fmt_out *o) WUR;
enum err fmt_zeek_line(struct match_parser *p, const char *line, size_t len,
    struct fmt_out *o) WUR;
enum err fmt_bind_line(struct match_parser *p, const char *line, size_t len,
    struct fmt_out *o) WUR;
enum err fmt_squid_line(struct match_parser *p, const char *line, size_t len,
    struct fmt_out *o) WUR;

#endif
