/*
 * pattern.h: the STIX 2.1 patterning language (STIX 2.1 section 9 and its
 * ANTLR grammar STIXPattern.g4).
 *
 * stix_pattern_parse() turns pattern text into a read-only tree that the
 * matcher walks.  The parser is a hand-written recursive descent over the
 * grammar's precedence levels; it never recurses deeper than a fixed
 * multiple of LIM_PATTERN_DEPTH, and it refuses input longer than
 * LIM_PATTERN_BYTES or trees with more than LIM_PATTERN_NODES nodes, so
 * hostile patterns fail cleanly.  This module does no I/O and knows nothing
 * about STIX objects; it must not include anything above util/.
 *
 * The tree
 * --------
 * Every node is a struct stix_pat_node.  Chains of the same operator are
 * flattened into one n-ary node ("[a] AND [b] AND [c]" is one STIX_PAT_OBS_AND
 * with three children), and qualifiers following one observation expression
 * are collected on one STIX_PAT_QUALIFIED node, so the height of the tree is
 * bounded by the nesting depth of brackets and parentheses, not by the length
 * of the pattern: a recursive walker needs at most STIX_PAT_MAX_HEIGHT frames.
 *
 *   observation level                 comparison level
 *   STIX_PAT_OBS_FOLLOWEDBY  kids     STIX_PAT_CMP_OR   kids
 *   STIX_PAT_OBS_OR          kids     STIX_PAT_CMP_AND  kids
 *   STIX_PAT_OBS_AND         kids     STIX_PAT_TEST     one comparison
 *   STIX_PAT_QUALIFIED       child + qualifiers
 *   STIX_PAT_OBSERVATION     "[ ... ]": expr is a comparison-level node
 *
 * Operator precedence follows the grammar: FOLLOWEDBY binds loosest, then
 * OR, then AND (at both levels); qualifiers bind to the observation
 * expression directly before them.  Parentheses leave no node of their own.
 *
 * All memory (nodes, decoded strings and byte literals, path segments,
 * literal lists) belongs to the struct stix_pattern; pointers into the tree
 * stay valid until stix_pattern_free().
 */
#ifndef ENTENTE_STIX_PATTERN_H
#define ENTENTE_STIX_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"

/* Upper bound on the height of any parse tree (root is height 1). */
#define STIX_PAT_MAX_HEIGHT	(4u * LIM_PATTERN_DEPTH + 8u)

enum stix_pat_kind {
	STIX_PAT_OBSERVATION = 1,	/* [ comparison expression ] */
	STIX_PAT_OBS_AND,		/* obs AND obs [AND obs ...] */
	STIX_PAT_OBS_OR,		/* obs OR obs [OR obs ...] */
	STIX_PAT_OBS_FOLLOWEDBY,	/* obs FOLLOWEDBY obs [...], in order */
	STIX_PAT_QUALIFIED,		/* obs followed by qualifiers */
	STIX_PAT_CMP_AND,		/* test AND test [AND test ...] */
	STIX_PAT_CMP_OR,		/* test OR test [OR test ...] */
	STIX_PAT_TEST			/* object path, operator, literal(s) */
};

enum stix_pat_qual_kind {
	STIX_PAT_WITHIN = 1,		/* WITHIN n SECONDS */
	STIX_PAT_REPEATS,		/* REPEATS n TIMES */
	STIX_PAT_STARTSTOP		/* START t'...' STOP t'...' */
};

enum stix_pat_op {
	STIX_PAT_EQ = 1,		/* = or == */
	STIX_PAT_NEQ,			/* != or <> */
	STIX_PAT_LT,
	STIX_PAT_LE,
	STIX_PAT_GT,
	STIX_PAT_GE,
	STIX_PAT_IN,			/* values is the set, may be empty */
	STIX_PAT_LIKE,
	STIX_PAT_MATCHES,
	STIX_PAT_ISSUBSET,
	STIX_PAT_ISSUPERSET,
	STIX_PAT_EXISTS			/* no values */
};

enum stix_pat_vtype {
	STIX_PAT_V_STRING = 1,		/* 'text', escapes decoded */
	STIX_PAT_V_INT,			/* 42, -7 */
	STIX_PAT_V_FLOAT,		/* 1.5, -.25 */
	STIX_PAT_V_BOOL,		/* true, false */
	STIX_PAT_V_TIMESTAMP,		/* t'2020-01-01T00:00:00Z' */
	STIX_PAT_V_BINARY,		/* b'base64', decoded */
	STIX_PAT_V_HEX			/* h'0a1b', decoded */
};

/* One literal.  Which union member is set follows type. */
struct stix_pat_value {
	enum stix_pat_vtype	 type;
	uint32_t		 offset;	/* of the literal in the text */
	union {
		/* STRING: decoded text, NUL-terminated (may hold NULs
		 * before len when the pattern did). */
		struct {
			const char	*ptr;
			size_t		 len;
		} str;
		/* BINARY and HEX: decoded bytes (ptr may be NULL when
		 * len is 0). */
		struct {
			const uint8_t	*ptr;
			size_t		 len;
		} bytes;
		int64_t		 i;		/* INT */
		double		 d;		/* FLOAT */
		int		 b;		/* BOOL: 0 or 1 */
		int64_t		 ts_us;		/* TIMESTAMP, us since epoch */
	} u;
};

enum stix_pat_seg_kind {
	STIX_PAT_SEG_KEY = 1,		/* .name or .'quoted name' */
	STIX_PAT_SEG_INDEX,		/* [n]; n may be negative */
	STIX_PAT_SEG_ANY		/* [*] */
};

/* One step of an object path after "type:". */
struct stix_pat_seg {
	enum stix_pat_seg_kind	 kind;
	const char		*key;		/* KEY: NUL-terminated name */
	size_t			 key_len;
	int64_t			 index;		/* INDEX */
};

struct stix_pat_qualifier {
	enum stix_pat_qual_kind	 kind;
	uint32_t		 offset;
	double			 within_s;	/* WITHIN: seconds, > 0 */
	int64_t			 repeats;	/* REPEATS: times, > 0 */
	int64_t			 start_us;	/* STARTSTOP: start < stop */
	int64_t			 stop_us;
};

struct stix_pat_node {
	enum stix_pat_kind	 kind;
	uint32_t		 offset;	/* first byte of the node */
	union {
		/* OBS_AND, OBS_OR, OBS_FOLLOWEDBY, CMP_AND, CMP_OR:
		 * n_kids >= 2. */
		struct {
			const struct stix_pat_node *const *kids;
			size_t		 n_kids;
		} list;
		/* OBSERVATION: the comparison expression in brackets. */
		const struct stix_pat_node *expr;
		/* QUALIFIED: quals[0] applies to child first, quals[1] to
		 * the result, and so on; n_quals >= 1. */
		struct {
			const struct stix_pat_node *child;
			const struct stix_pat_qualifier *quals;
			size_t		 n_quals;
		} qual;
		/* TEST: type:path op values. */
		struct {
			const char	*type;		/* NUL-terminated */
			size_t		 type_len;
			const struct stix_pat_seg *path; /* n_path >= 1 */
			size_t		 n_path;
			enum stix_pat_op op;
			int		 negated;	/* NOT before op */
			const struct stix_pat_value *values;
			size_t		 n_values;	/* 1; IN: 0..n;
							 * EXISTS: 0 */
		} test;
	} u;
};

struct stix_pattern;

/*
 * Parse s[0..len) (need not be NUL-terminated).  On success store a new tree
 * in *out, which the caller frees with stix_pattern_free(), and return
 * ERR_OK.  On failure *out is set to NULL and a one-line reason saying what
 * was expected and at which byte offset ("expected ']' at offset 17") is
 * written to reason[0..reason_cap) (always NUL-terminated when reason_cap >
 * 0).  Errors: ERR_PARSE for text that does not follow the grammar,
 * ERR_INVALID for a rule the specification states as MUST (a START not
 * before its STOP, a zero WITHIN or REPEATS, a malformed hash value, a
 * qualifier repeated on one bracketed observation), ERR_TOOBIG past
 * LIM_PATTERN_BYTES, LIM_PATTERN_NODES or LIM_PATTERN_DEPTH, ERR_NOMEM.
 */
enum err stix_pattern_parse(const char *s, size_t len,
    struct stix_pattern **out, char *reason, size_t reason_cap) WUR;

/*
 * Parse s[0..len) as stix_pattern_parse() does and throw the tree away.
 * Typical patterns are checked without touching the heap.  Same results and
 * reasons as stix_pattern_parse().
 */
enum err stix_pattern_check(const char *s, size_t len, char *reason,
    size_t reason_cap) WUR;

/* Free p and everything in it.  stix_pattern_free(NULL) does nothing. */
void stix_pattern_free(struct stix_pattern *p);

/* The root node of p (borrowed, never NULL).  This function can't fail. */
const struct stix_pat_node *stix_pattern_root(const struct stix_pattern *p);

/* Number of nodes in p (at most LIM_PATTERN_NODES).  Can't fail. */
size_t stix_pattern_node_count(const struct stix_pattern *p);

/*
 * Call fn(test, arg) for every STIX_PAT_TEST node of p in text order.  A
 * non-zero return from fn stops the walk and is returned; otherwise 0.
 */
int stix_pattern_foreach_test(const struct stix_pattern *p,
    int (*fn)(const struct stix_pat_node *test, void *arg), void *arg);

/*
 * Append a canonical one-line rendering of the tree under node to b, with
 * explicit structure: "(OR [file:size = 5] [file:name = 'a'])".  Meant for
 * tests and logs.  ERR_TOOBIG or ERR_NOMEM from buf (b is then reset).
 */
enum err stix_pattern_dump(const struct stix_pat_node *node, struct buf *b)
    WUR;

/* The operator as written in patterns ("=", "IN", ...).  Can't fail. */
const char *stix_pat_op_str(enum stix_pat_op op);

#endif
