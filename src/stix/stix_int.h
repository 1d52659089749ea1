/*
 * stix_int.h: private to the stix_validate() implementation (stix.c,
 * validate_sdo.c, validate_sco.c).  Nothing outside src/stix/ includes it,
 * except the unit test that checks the tables are sorted.
 *
 * Validation is table driven.  Each object type has a property table sorted
 * by name (looked up with bsearch); a property's descriptor says what kind
 * of value it takes and whether it is required.  Rules that tie several
 * properties together live in a per-type "post" function run after every
 * member has been checked.  The same machinery checks nested objects
 * (extensions, external references, MIME parts ...).
 */
#ifndef ENTENTE_STIX_STIX_INT_H
#define ENTENTE_STIX_STIX_INT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "util/err.h"

/* What kind of STIX object a type is; decides the common properties. */
enum stix_cls {
	STIX_CLS_SDO = 1,
	STIX_CLS_SRO,
	STIX_CLS_SCO,
	STIX_CLS_MARKING,	/* marking-definition */
	STIX_CLS_LANG,		/* language-content */
	STIX_CLS_EXTDEF		/* extension-definition */
};

/* Value kinds of properties (STIX 2.1 section 2 data types). */
enum stix_pt {
	STIX_PT_SKIP = 0,	/* checked by stix_validate() itself */
	STIX_PT_ANY,		/* any JSON value */
	STIX_PT_STRING,
	STIX_PT_BOOL,
	STIX_PT_INT,		/* integral number; range with STIX_PF_RANGE */
	STIX_PT_NUM,		/* any number; range with STIX_PF_RANGE */
	STIX_PT_TS,		/* timestamp */
	STIX_PT_ID,		/* identifier; arg: allowed types "a|b" */
	STIX_PT_ID_LIST,	/* non-empty list of identifiers; arg as ID */
	STIX_PT_STR_LIST,	/* non-empty list of strings */
	STIX_PT_ENUM,		/* string from arg "a|b|c" */
	STIX_PT_LANG,		/* RFC 5646 language tag */
	STIX_PT_KCP_LIST,	/* non-empty list of kill-chain-phase */
	STIX_PT_EXTREF_LIST,	/* non-empty list of external-reference */
	STIX_PT_GRAN_LIST,	/* non-empty list of granular-marking */
	STIX_PT_DICT,		/* non-empty dictionary */
	STIX_PT_HASHES,		/* hashes dictionary */
	STIX_PT_EXTENSIONS,	/* extensions dictionary */
	STIX_PT_HEX,		/* hex string, even length */
	STIX_PT_BIN,		/* base64 string */
	STIX_PT_OBJECT,		/* JSON object; sub checks members */
	STIX_PT_OBJ_LIST	/* non-empty list of objects; sub as OBJECT */
};

#define STIX_PF_REQ	0x01u	/* required */
#define STIX_PF_RANGE	0x02u	/* min/max apply */

struct stix_vctx;
struct stix_sub;

struct stix_prop {
	const char		*name;
	uint8_t			 type;		/* enum stix_pt */
	uint8_t			 flags;		/* STIX_PF_* */
	const char		*arg;		/* see enum stix_pt */
	double			 min;
	double			 max;
	const struct stix_sub	*sub;		/* OBJECT, OBJ_LIST */
};

/* Rules for a nested object: its properties and an optional cross check. */
struct stix_sub {
	const struct stix_prop	*props;		/* sorted by name */
	size_t			 n_props;
	enum err		(*post)(struct stix_vctx *, const char *prop,
				    const json_t *o);
};

struct stix_type {
	const char		*name;
	uint8_t			 cls;		/* enum stix_cls */
	const struct stix_prop	*props;		/* sorted by name */
	size_t			 n_props;
	enum err		(*post)(struct stix_vctx *);
};

/* Predefined SCO extensions (STIX 2.1 section 6), e.g. "ntfs-ext". */
struct stix_ext {
	const char		*name;
	const char		*type;		/* the SCO type it extends */
	struct stix_sub		 sub;
};

/* State of one stix_validate() call. */
struct stix_vctx {
	const json_t		*obj;
	const char		*type;		/* validated type name */
	const char		*id;		/* validated id */
	const struct stix_type	*td;		/* NULL for custom types */
	uint8_t			 cls;
	int			 defanged;
	char			*reason;
	size_t			 reason_cap;
	const char		*where;		/* enclosing property path */
};

/* Type tables, sorted by name. */
extern const struct stix_type stix_types_sdo[];
extern const size_t stix_n_types_sdo;
extern const struct stix_type stix_types_sco[];
extern const size_t stix_n_types_sco;
extern const struct stix_ext stix_exts_sco[];
extern const size_t stix_n_exts_sco;

/*
 * Write "<type>: property '<where>.<prop>': <message>" (or without the
 * property part when prop is NULL) into c->reason and return ERR_INVALID.
 * Property names from the input are sanitized to printable ASCII.
 */
enum err stix_vfail(struct stix_vctx *c, const char *prop, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* Check value v of property p (named p->name) in context c. */
enum err stix_check_prop(struct stix_vctx *c, const struct stix_prop *p,
    const json_t *v) WUR;

/*
 * Check the members of nested object o found under property prop against
 * props[0..n) (unknown members are allowed) and enforce STIX_PF_REQ.
 */
enum err stix_check_members(struct stix_vctx *c, const char *prop,
    const json_t *o, const struct stix_prop *props, size_t n) WUR;

/* Find name in a sorted property table; NULL when absent. */
const struct stix_prop *stix_prop_find(const struct stix_prop *props,
    size_t n, const char *name);

/*
 * Parse a STIX timestamp string (upper-case 'T' and 'Z', 0-9 fractional
 * digits).  Returns 1 and sets *us (and *frac when not NULL) when valid.
 */
int stix_ts_parse(const json_t *v, int64_t *us, int *frac);

/*
 * When o has both timestamps a and b, require b > a (strict) or b >= a;
 * the reason names b.  Missing or malformed timestamps are not checked here.
 */
enum err stix_ts_order(struct stix_vctx *c, const json_t *o, const char *a,
    const char *b, int strict) WUR;

/* 1 when s[0..len) is one of the '|'-separated words of list. */
int stix_in_list(const char *list, const char *s, size_t len);

/* Number value of v (integer or real), 1 when v is a number. */
int stix_num(const json_t *v, double *out);

/* Length of the type part of a validated identifier. */
size_t stix_id_type_len(const char *id);

/* The type table entry for name, or NULL for custom types. */
const struct stix_type *stix_type_find(const char *name);

/* 1 when s is an RFC 5646 language tag (checked loosely). */
int stix_lang_ok(const char *s);

/* 1 when every property and type table is sorted and duplicate free. */
int stix_int_tables_sorted(void);

#endif
