/*
 * export.h: a node's usable indicators as files other tools load.
 *
 * Formats (docs/export.md has the file layouts):
 *   suricata  Suricata datasets (one file per type: base64 strings for
 *             domains, hex for hashes, addresses as text) and a rules
 *             file that loads them, plus one rule per CIDR and per URL;
 *   zeek      one Zeek Intel framework file;
 *   plain     one file per type, one value per line;
 *   csv       one CSV file: type, value, indicator id, indicator name;
 *   rules     the detection content parties exchange as indicators
 *             whose pattern_type is suricata, snort, yara or sigma, one
 *             rule file per tool.
 * The first four take STIX patterns in the subset of indicator.h; the
 * others are reported as skipped with the reason.  Output is
 * deterministic: values are normalized (lower-case names and hashes,
 * canonical addresses, masked networks), de-duplicated and sorted, and
 * the files hold no timestamps.  This module builds files in memory; it
 * does no file I/O (cli/cmd_export.c writes them).
 */
#ifndef ENTENTE_MATCH_EXPORT_H
#define ENTENTE_MATCH_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "match/indicator.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"

/* Largest file an export builds. */
#define MATCH_EXPORT_FILE_MAX	(1024u * 1024u * 1024u)
/* Longest file name of an export, NUL excluded. */
#define MATCH_EXPORT_NAME_MAX	63u
/* First Suricata sid of the generated rules (local range). */
#define MATCH_EXPORT_SID_BASE	9100001u

enum match_export_fmt {
	MATCH_EXPORT_SURICATA = 1,
	MATCH_EXPORT_ZEEK,
	MATCH_EXPORT_PLAIN,
	MATCH_EXPORT_CSV,
	MATCH_EXPORT_RULES
};

/* One output file; data holds its bytes (buf.h; data.ptr may be NULL when
 * the file is empty). */
struct match_export_file {
	char		name[MATCH_EXPORT_NAME_MAX + 1];
	struct buf	data;
};

/* An indicator left out, and why. */
struct match_export_skip {
	char	*id;
	char	*why;
};

struct match_export {
	struct match_export_file *files;
	size_t		 n_files;
	struct match_export_skip *skipped;	/* in indicator id order */
	size_t		 n_skipped;
	size_t		 n_indicators;	/* indicators exported */
	size_t		 n_values;	/* distinct values (or rules) written */
	size_t		 n_unusable;	/* revoked, expired, not yet valid,
					 * other pattern types */
	size_t		 n_left_out;	/* values the format cannot carry
					 * (e-mail addresses in Suricata) */
};

/* The format named name ("suricata", "zeek", "plain", "csv", "rules").
 * ERR_PARSE if unknown, *out untouched. */
enum err match_export_fmt_parse(const char *name,
    enum match_export_fmt *out) WUR;

/* Indicators gathered for one export, before rendering. */
struct match_export_set;

/* A new empty set for format f in *out; free with
 * match_export_set_free().  ERR_NOMEM, ERR_PARSE for an unknown f. */
enum err match_export_set_new(enum match_export_fmt f,
    struct match_export_set **out) WUR;
void match_export_set_free(struct match_export_set *s);

/*
 * Add one usable indicator (strings copied; name may be NULL).  Nothing
 * is checked here: at render time, for the STIX formats the pattern is
 * parsed and reduced with match_terms(), for rules it is the rule text of
 * pattern_type, and an indicator that cannot be exported is listed as
 * skipped with its reason.  An id added twice (the same indicator in two
 * collections) keeps the version with the later modified time, or the
 * first added on a tie (modified_us may be 0).  ERR_NOMEM (the set is
 * unchanged).
 */
enum err match_export_set_add(struct match_export_set *s, const char *id,
    const char *name, int64_t modified_us, const char *pattern_type,
    const char *pattern) WUR;

/*
 * Render the set into a new struct match_export in *out, which the caller
 * frees with match_export_free().  The set is not changed.  ERR_NOMEM,
 * ERR_TOOBIG when a file would exceed MATCH_EXPORT_FILE_MAX.
 */
enum err match_export_render(const struct match_export_set *s,
    struct match_export **out) WUR;

/*
 * Gather the node's usable indicators at now_us (match_indicators_each()
 * and, for rules, match_indicators_each_type()) and render them: the
 * whole export in one call.  *out is new (match_export_free()).  ERR_DB,
 * ERR_NOMEM, ERR_TOOBIG.
 */
enum err match_export_build(struct store *st, enum match_export_fmt f,
    int64_t now_us, const struct match_use *use,
    struct match_export **out) WUR;

/* Free e and everything in it.  match_export_free(NULL) does nothing. */
void match_export_free(struct match_export *e);

#endif
