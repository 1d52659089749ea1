/*
 * stix.c: stix_validate(), stix_check_limits(), stix_id_valid() and the
 * generic property checks shared by the per-type tables in validate_sdo.c
 * and validate_sco.c.
 *
 * One call walks the members of the object once: each name is looked up in
 * the type's table, then in the common-property table of the object's class
 * (SDO, SRO, SCO, marking-definition, language-content,
 * extension-definition); anything else is a custom property whose name must
 * follow STIX 2.1 rules.  Nothing is allocated on the way (the indicator
 * pattern is checked with stix_pattern_check(), which uses the stack for
 * typical patterns), and no regular expression is compiled.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/stix.h"
#include "stix/stix_int.h"
#include "util/limits.h"
#include "util/timeutil.h"

#define UUID_LEN	36u
#define PATH_MAX_LEN	200u

/* ---- names and identifiers ---- */

/*
 * A type name (STIX 2.1 JSON schema for "type" and "identifier"): 3 to 250
 * characters of a-z, 0-9 and '-', starting with a letter, no "--", not
 * ending with '-'.
 */
static int
type_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len < 3 || len > LIM_STIX_TYPE || s[0] < 'a' || s[0] > 'z' ||
	    s[len - 1] == '-')
		return 0;
	for (i = 1; i < len; i++) {
		char ch = s[i];

		if (ch == '-') {
			if (s[i - 1] == '-')
				return 0;
		} else if (!((ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9'))) {
			return 0;
		}
	}
	return 1;
}

static int
is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	    (ch >= 'A' && ch <= 'F');
}

/* 8-4-4-4-12 hex digits; the version nibble is not checked. */
static int
uuid_ok(const char *u)
{
	size_t i;

	for (i = 0; i < UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (u[i] != '-')
				return 0;
		} else if (!is_hex(u[i])) {
			return 0;
		}
	}
	return 1;
}

int
stix_id_valid(const char *s)
{
	size_t len;

	if (s == NULL)
		return 0;
	len = strnlen(s, LIM_STIX_ID + 1);
	if (len > LIM_STIX_ID || len < 3 + 2 + UUID_LEN)
		return 0;
	if (s[len - UUID_LEN - 2] != '-' || s[len - UUID_LEN - 1] != '-')
		return 0;
	return type_name_ok(s, len - UUID_LEN - 2) &&
	    uuid_ok(s + len - UUID_LEN);
}

size_t
stix_id_type_len(const char *id)
{
	return strlen(id) - UUID_LEN - 2;
}

/* Custom property names: ^[a-z][a-z0-9_]{2,249}$ (STIX 2.1 schemas). */
static int
prop_name_ok(const char *s)
{
	size_t i;

	if (s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= 250)
			return 0;
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	}
	return i >= 3;
}

/* Dictionary keys: 1 (hashes: 3) to 250 of a-z A-Z 0-9 '-' '_'. */
static int
dict_key_ok(const char *s, size_t minlen)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 250)
			return 0;
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	}
	return i >= minlen;
}

int
stix_in_list(const char *list, const char *s, size_t len)
{
	const char *p = list, *e;

	for (;;) {
		e = strchr(p, '|');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) == len && memcmp(p, s, len) == 0)
			return 1;
		if (*e == '\0')
			return 0;
		p = e + 1;
	}
}

/* ---- reasons ---- */

/* Copy s into out as printable ASCII, shortened to fit. */
static void
sanitize(char *out, size_t cap, const char *s)
{
	size_t i, o = 0;

	for (i = 0; s[i] != '\0' && o + 4 < cap; i++)
		out[o++] = (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\'') ?
		    s[i] : '?';
	if (s[i] != '\0' && cap >= 4) {
		o = o > cap - 4 ? cap - 4 : o;
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

enum err
stix_vfail(struct stix_vctx *c, const char *prop, const char *fmt, ...)
{
	char where[PATH_MAX_LEN], name[PATH_MAX_LEN], msg[256];
	va_list ap;

	if (c->reason == NULL || c->reason_cap == 0)
		return ERR_INVALID;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (prop == NULL) {
		(void)snprintf(c->reason, c->reason_cap, "%s: %s",
		    c->type != NULL ? c->type : "object", msg);
		return ERR_INVALID;
	}
	sanitize(name, sizeof(name), prop);
	if (c->where != NULL) {
		sanitize(where, sizeof(where), c->where);
		(void)snprintf(c->reason, c->reason_cap,
		    "%s: property '%s.%s': %s", c->type, where, name, msg);
	} else {
		(void)snprintf(c->reason, c->reason_cap,
		    "%s: property '%s': %s", c->type != NULL ? c->type :
		    "object", name, msg);
	}
	return ERR_INVALID;
}

/* ---- scalar helpers ---- */

int
stix_num(const json_t *v, double *out)
{
	if (json_is_real(v)) {
		*out = json_real_value(v);
		return isfinite(*out);
	}
	if (json_is_integer(v)) {
		*out = (double)json_integer_value(v);
		return 1;
	}
	return 0;
}

int
stix_ts_parse(const json_t *v, int64_t *us, int *frac)
{
	const char *s;
	size_t len;

	if (!json_is_string(v))
		return 0;
	s = json_string_value(v);
	len = json_string_length(v);
	if (len < 20 || s[10] != 'T' || s[len - 1] != 'Z')
		return 0;
	return ts_parse(s, len, us, frac) == ERR_OK;
}

enum err
stix_ts_order(struct stix_vctx *c, const json_t *o, const char *a,
    const char *b, int strict)
{
	int64_t ta, tb;

	if (!stix_ts_parse(json_object_get(o, a), &ta, NULL) ||
	    !stix_ts_parse(json_object_get(o, b), &tb, NULL))
		return ERR_OK;
	if (strict && tb <= ta)
		return stix_vfail(c, b, "must be later than '%s'", a);
	if (!strict && tb < ta)
		return stix_vfail(c, b, "is earlier than '%s'", a);
	return ERR_OK;
}

static int
cmp_prop(const void *key, const void *elem)
{
	return strcmp(key, ((const struct stix_prop *)elem)->name);
}

const struct stix_prop *
stix_prop_find(const struct stix_prop *props, size_t n, const char *name)
{
	if (props == NULL || n == 0)
		return NULL;
	return bsearch(name, props, n, sizeof(*props), cmp_prop);
}

/* ---- structured values ---- */

static int
id_ok(const json_t *v, const char *allowed)
{
	const char *s;

	return json_is_string(v) && stix_id_valid(s = json_string_value(v)) &&
	    (allowed == NULL || stix_in_list(allowed, s, stix_id_type_len(s)));
}

static enum err
check_id(struct stix_vctx *c, const char *name, const json_t *v,
    const char *allowed)
{
	const char *s;

	if (!json_is_string(v) || !stix_id_valid(s = json_string_value(v)))
		return stix_vfail(c, name, "not a valid identifier");
	if (allowed != NULL && !stix_in_list(allowed, s, stix_id_type_len(s)))
		return stix_vfail(c, name, "must refer to an object of type %s",
		    allowed);
	return ERR_OK;
}

/* An RFC 5646 tag, loosely: alpha{1,8} ("-" alnum{1,8})*. */
static int
lang_ok(const char *s)
{
	size_t i = 0, n;

	for (n = 0; (s[i] >= 'a' && s[i] <= 'z') ||
	    (s[i] >= 'A' && s[i] <= 'Z'); i++)
		n++;
	if (n < 1 || n > 8)
		return 0;
	while (s[i] == '-') {
		for (i++, n = 0; (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9'); i++)
			n++;
		if (n < 1 || n > 8)
			return 0;
	}
	return s[i] == '\0';
}

static int
hex_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len % 2 != 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_hex(s[i]))
			return 0;
	return 1;
}

static int
b64_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || ch == '+' || ch == '/';
}

static int
b64_ok(const char *s, size_t len)
{
	size_t i, pad = 0;

	if (len % 4 != 0)
		return 0;
	if (len > 0 && s[len - 1] == '=')
		pad = s[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len - pad; i++)
		if (!b64_char(s[i]))
			return 0;
	return 1;
}

/* Hash algorithms of hash-algorithm-ov with a fixed hex form. */
static const struct {
	const char	*name;
	size_t		 hexlen;
} hash_algs[] = {
	{ "MD5", 32 }, { "SHA-1", 40 }, { "SHA-224", 56 }, { "SHA-256", 64 },
	{ "SHA-384", 96 }, { "SHA-512", 128 }, { "SHA3-224", 56 },
	{ "SHA3-256", 64 }, { "SHA3-384", 96 }, { "SHA3-512", 128 },
};

static enum err
check_hashes(struct stix_vctx *c, const char *name, const json_t *v)
{
	const char *key;
	json_t *h;
	size_t i;

	if (!json_is_object(v) || json_object_size(v) == 0)
		return stix_vfail(c, name, "expected a non-empty dictionary");
	json_object_foreach((json_t *)v, key, h) {
		if (!dict_key_ok(key, 3))
			return stix_vfail(c, name, "invalid hash name");
		if (!json_is_string(h) || json_string_length(h) == 0)
			return stix_vfail(c, name,
			    "hash values must be non-empty strings");
		for (i = 0; i < sizeof(hash_algs) / sizeof(hash_algs[0]); i++)
			if (strcmp(key, hash_algs[i].name) == 0 &&
			    (json_string_length(h) != hash_algs[i].hexlen ||
			    !hex_ok(json_string_value(h),
			    json_string_length(h))))
				return stix_vfail(c, name,
				    "invalid %s value", hash_algs[i].name);
	}
	return ERR_OK;
}

/* 1 when s is a valid RFC 5646 language tag (see lang_ok). */
int
stix_lang_ok(const char *s)
{
	return lang_ok(s);
}

static enum err
check_dict(struct stix_vctx *c, const char *name, const json_t *v)
{
	const char *key;
	json_t *x;

	if (!json_is_object(v) || json_object_size(v) == 0)
		return stix_vfail(c, name, "expected a non-empty dictionary");
	json_object_foreach((json_t *)v, key, x) {
		(void)x;
		if (!dict_key_ok(key, 1))
			return stix_vfail(c, name, "invalid dictionary key");
	}
	return ERR_OK;
}

/*
 * Does selector sel (STIX 2.1 section 7.2.3.1: property names and [n]
 * list indexes separated by '.') refer to content present in root?
 */
static int
selector_ok(const json_t *root, const char *sel, size_t len)
{
	const json_t *cur = root;
	size_t i = 0, j, k;

	if (len == 0)
		return 0;
	for (;;) {
		for (j = i; j < len && sel[j] != '.'; j++)
			;
		if (j == i)
			return 0;
		if (sel[i] == '[') {
			size_t idx = 0;

			if (sel[j - 1] != ']' || j - i < 3 || j - i > 12)
				return 0;
			for (k = i + 1; k < j - 1; k++) {
				if (sel[k] < '0' || sel[k] > '9')
					return 0;
				idx = idx * 10 + (size_t)(sel[k] - '0');
			}
			if (!json_is_array(cur) || idx >= json_array_size(cur))
				return 0;
			cur = json_array_get(cur, idx);
		} else {
			if (!json_is_object(cur))
				return 0;
			cur = json_object_getn(cur, sel + i, j - i);
			if (cur == NULL)
				return 0;
		}
		if (j == len)
			return 1;
		i = j + 1;
	}
}

static enum err
post_extref(struct stix_vctx *c, const char *prop, const json_t *o)
{
	const json_t *src, *eid;
	const char *s;
	size_t i, n;

	(void)prop;
	if (json_object_get(o, "description") == NULL &&
	    json_object_get(o, "url") == NULL &&
	    json_object_get(o, "external_id") == NULL)
		return stix_vfail(c, "source_name", "needs one of "
		    "'description', 'url' or 'external_id' as well");
	src = json_object_get(o, "source_name");
	eid = json_object_get(o, "external_id");
	if (eid == NULL)
		return ERR_OK;
	s = json_string_value(eid);
	n = json_string_length(eid);
	if (strcmp(json_string_value(src), "cve") == 0) {
		/* CVE-YYYY-NNNN with 4 or more digits, no leading zero
		 * beyond four digits. */
		if (n < 13 || strncmp(s, "CVE-", 4) != 0 || s[8] != '-')
			goto badcve;
		for (i = 4; i < 8; i++)
			if (s[i] < '0' || s[i] > '9')
				goto badcve;
		for (i = 9; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				goto badcve;
		if (n > 13 && s[9] == '0')
			goto badcve;
	} else if (strcmp(json_string_value(src), "capec") == 0) {
		if (n < 7 || strncmp(s, "CAPEC-", 6) != 0)
			goto badcapec;
		for (i = 6; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				goto badcapec;
	}
	return ERR_OK;
badcve:
	return stix_vfail(c, "external_id", "not a CVE identifier");
badcapec:
	return stix_vfail(c, "external_id", "not a CAPEC identifier");
}

static const struct stix_prop extref_props[] = {
	{ "description", STIX_PT_STRING, 0, NULL, 0, 0, NULL },
	{ "external_id", STIX_PT_STRING, 0, NULL, 0, 0, NULL },
	{ "hashes", STIX_PT_HASHES, 0, NULL, 0, 0, NULL },
	{ "source_name", STIX_PT_STRING, STIX_PF_REQ, NULL, 0, 0, NULL },
	{ "url", STIX_PT_STRING, 0, NULL, 0, 0, NULL },
};
static const struct stix_sub extref_sub = {
	extref_props, sizeof(extref_props) / sizeof(extref_props[0]),
	post_extref
};

static const struct stix_prop kcp_props[] = {
	{ "kill_chain_name", STIX_PT_STRING, STIX_PF_REQ, NULL, 0, 0, NULL },
	{ "phase_name", STIX_PT_STRING, STIX_PF_REQ, NULL, 0, 0, NULL },
};
static const struct stix_sub kcp_sub = {
	kcp_props, sizeof(kcp_props) / sizeof(kcp_props[0]), NULL
};

static enum err
post_gran(struct stix_vctx *c, const char *prop, const json_t *o)
{
	const json_t *sels, *sel;
	size_t i;

	(void)prop;
	if ((json_object_get(o, "marking_ref") == NULL) ==
	    (json_object_get(o, "lang") == NULL))
		return stix_vfail(c, "marking_ref",
		    "exactly one of 'marking_ref' and 'lang' is required");
	sels = json_object_get(o, "selectors");
	json_array_foreach(sels, i, sel)
		if (!selector_ok(c->obj, json_string_value(sel),
		    json_string_length(sel)))
			return stix_vfail(c, "selectors", "selector %zu does "
			    "not refer to content of the object", i);
	return ERR_OK;
}

static const struct stix_prop gran_props[] = {
	{ "lang", STIX_PT_LANG, 0, NULL, 0, 0, NULL },
	{ "marking_ref", STIX_PT_ID, 0, "marking-definition", 0, 0, NULL },
	{ "selectors", STIX_PT_STR_LIST, STIX_PF_REQ, NULL, 0, 0, NULL },
};
static const struct stix_sub gran_sub = {
	gran_props, sizeof(gran_props) / sizeof(gran_props[0]), post_gran
};

static enum err check_sub(struct stix_vctx *, const char *, const json_t *,
    const struct stix_sub *);

static const struct stix_ext *
find_ext(const char *name)
{
	size_t i;

	for (i = 0; i < stix_n_exts_sco; i++)
		if (strcmp(stix_exts_sco[i].name, name) == 0)
			return &stix_exts_sco[i];
	return NULL;
}

static enum err
check_extensions(struct stix_vctx *c, const char *name, const json_t *v)
{
	const struct stix_ext *ext;
	const json_t *et;
	const char *key;
	char path[PATH_MAX_LEN];
	json_t *x;
	enum err err;

	if (!json_is_object(v) || json_object_size(v) == 0)
		return stix_vfail(c, name, "expected a non-empty dictionary");
	json_object_foreach((json_t *)v, key, x) {
		(void)snprintf(path, sizeof(path), "%s.%s", name, key);
		if (!json_is_object(x) || json_object_size(x) == 0)
			return stix_vfail(c, path,
			    "expected a non-empty object");
		if (strncmp(key, "extension-definition--", 22) == 0) {
			if (!stix_id_valid(key))
				return stix_vfail(c, path, "not a valid "
				    "extension-definition identifier");
			et = json_object_get(x, "extension_type");
			if (et != NULL && (!json_is_string(et) ||
			    !stix_in_list("new-sdo|new-sco|new-sro|"
			    "property-extension|toplevel-property-extension",
			    json_string_value(et), json_string_length(et))))
				return stix_vfail(c, path, "invalid "
				    "'extension_type'");
		} else if ((ext = find_ext(key)) != NULL) {
			if (strcmp(ext->type, c->type) != 0)
				return stix_vfail(c, path, "this extension "
				    "applies to %s objects", ext->type);
			if ((err = check_sub(c, path, x, &ext->sub)) != ERR_OK)
				return err;
		} else if (!dict_key_ok(key, 1)) {
			return stix_vfail(c, name, "invalid extension name");
		}
	}
	return ERR_OK;
}

/* Check o (an object found under prop) against sub. */
static enum err
check_sub(struct stix_vctx *c, const char *prop, const json_t *o,
    const struct stix_sub *sub)
{
	enum err err;

	if (!json_is_object(o))
		return stix_vfail(c, prop, "expected an object");
	if (sub == NULL)
		return ERR_OK;
	if ((err = stix_check_members(c, prop, o, sub->props,
	    sub->n_props)) != ERR_OK)
		return err;
	if (sub->post == NULL)
		return ERR_OK;
	/* Reasons from post name members relative to prop. */
	{
		const char *saved = c->where;
		char path[PATH_MAX_LEN];

		if (saved != NULL)
			(void)snprintf(path, sizeof(path), "%s.%s", saved,
			    prop);
		else
			(void)snprintf(path, sizeof(path), "%s", prop);
		c->where = path;
		err = sub->post(c, prop, o);
		c->where = saved;
	}
	return err;
}

/* A non-empty list; each item is checked by the caller's switch. */
static enum err
check_list(struct stix_vctx *c, const struct stix_prop *p, const json_t *v)
{
	char item[PATH_MAX_LEN];
	const json_t *x;
	enum err err;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return stix_vfail(c, p->name, "expected a non-empty list");
	json_array_foreach(v, i, x) {
		/* Scalars first, naming the item only on failure. */
		if (p->type == STIX_PT_STR_LIST && json_is_string(x))
			continue;
		if (p->type == STIX_PT_ID_LIST && id_ok(x, p->arg))
			continue;
		(void)snprintf(item, sizeof(item), "%s[%zu]", p->name, i);
		switch (p->type) {
		case STIX_PT_ID_LIST:
			err = check_id(c, item, x, p->arg);
			break;
		case STIX_PT_STR_LIST:
			err = stix_vfail(c, item, "expected a string");
			break;
		case STIX_PT_KCP_LIST:
			err = check_sub(c, item, x, &kcp_sub);
			break;
		case STIX_PT_EXTREF_LIST:
			err = check_sub(c, item, x, &extref_sub);
			break;
		case STIX_PT_GRAN_LIST:
			err = check_sub(c, item, x, &gran_sub);
			break;
		default:
			err = check_sub(c, item, x, p->sub);
			break;
		}
		if (err != ERR_OK)
			return err;
	}
	return ERR_OK;
}

enum err
stix_check_prop(struct stix_vctx *c, const struct stix_prop *p,
    const json_t *v)
{
	const char *s;
	int64_t ts;
	double d;

	switch ((enum stix_pt)p->type) {
	case STIX_PT_SKIP:
	case STIX_PT_ANY:
		return ERR_OK;
	case STIX_PT_STRING:
		if (!json_is_string(v))
			return stix_vfail(c, p->name, "expected a string");
		return ERR_OK;
	case STIX_PT_BOOL:
		if (!json_is_boolean(v))
			return stix_vfail(c, p->name, "expected a boolean");
		return ERR_OK;
	case STIX_PT_INT:
		if (!stix_num(v, &d) || floor(d) != d || fabs(d) > 9.2e18)
			return stix_vfail(c, p->name, "expected an integer");
		goto range;
	case STIX_PT_NUM:
		if (!stix_num(v, &d))
			return stix_vfail(c, p->name, "expected a number");
range:
		if ((p->flags & STIX_PF_RANGE) && (d < p->min || d > p->max))
			return stix_vfail(c, p->name,
			    "must be between %.17g and %.17g", p->min, p->max);
		return ERR_OK;
	case STIX_PT_TS:
		if (!stix_ts_parse(v, &ts, NULL))
			return stix_vfail(c, p->name,
			    "not a valid timestamp");
		return ERR_OK;
	case STIX_PT_ID:
		return check_id(c, p->name, v, p->arg);
	case STIX_PT_ENUM:
		if (!json_is_string(v) || !stix_in_list(p->arg,
		    json_string_value(v), json_string_length(v)))
			return stix_vfail(c, p->name, "must be one of %s",
			    p->arg);
		return ERR_OK;
	case STIX_PT_LANG:
		if (!json_is_string(v) || !lang_ok(json_string_value(v)))
			return stix_vfail(c, p->name,
			    "not a valid language tag");
		return ERR_OK;
	case STIX_PT_ID_LIST:
	case STIX_PT_STR_LIST:
	case STIX_PT_KCP_LIST:
	case STIX_PT_EXTREF_LIST:
	case STIX_PT_GRAN_LIST:
	case STIX_PT_OBJ_LIST:
		return check_list(c, p, v);
	case STIX_PT_DICT:
		return check_dict(c, p->name, v);
	case STIX_PT_HASHES:
		return check_hashes(c, p->name, v);
	case STIX_PT_EXTENSIONS:
		return check_extensions(c, p->name, v);
	case STIX_PT_HEX:
		if (!json_is_string(v) || !hex_ok(s = json_string_value(v),
		    json_string_length(v)))
			return stix_vfail(c, p->name, "not a hex string");
		return ERR_OK;
	case STIX_PT_BIN:
		if (!json_is_string(v) || !b64_ok(s = json_string_value(v),
		    json_string_length(v)))
			return stix_vfail(c, p->name, "not base64");
		return ERR_OK;
	case STIX_PT_OBJECT:
		return check_sub(c, p->name, v, p->sub);
	}
	return stix_vfail(c, p->name, "unknown property kind");
}

enum err
stix_check_members(struct stix_vctx *c, const char *prop, const json_t *o,
    const struct stix_prop *props, size_t n)
{
	const char *saved = c->where, *key;
	const struct stix_prop *p;
	char path[PATH_MAX_LEN];
	enum err err = ERR_OK;
	json_t *v;
	size_t i;

	if (saved != NULL)
		(void)snprintf(path, sizeof(path), "%s.%s", saved, prop);
	else
		(void)snprintf(path, sizeof(path), "%s", prop);
	c->where = path;
	json_object_foreach((json_t *)o, key, v) {
		if ((p = stix_prop_find(props, n, key)) != NULL &&
		    (err = stix_check_prop(c, p, v)) != ERR_OK)
			goto out;
	}
	for (i = 0; i < n; i++)
		if ((props[i].flags & STIX_PF_REQ) &&
		    json_object_get(o, props[i].name) == NULL) {
			err = stix_vfail(c, props[i].name, "missing");
			goto out;
		}
out:
	c->where = saved;
	return err;
}

/* ---- common properties of each class (sorted) ---- */

#define P(n, t, f, a)	{ n, t, f, a, 0, 0, NULL }

static const struct stix_prop common_sdo[] = {
	{ "confidence", STIX_PT_INT, STIX_PF_RANGE, NULL, 0, 100, NULL },
	P("created", STIX_PT_SKIP, 0, NULL),
	P("created_by_ref", STIX_PT_ID, 0, "identity"),
	P("extensions", STIX_PT_EXTENSIONS, 0, NULL),
	P("external_references", STIX_PT_EXTREF_LIST, 0, NULL),
	P("granular_markings", STIX_PT_GRAN_LIST, 0, NULL),
	P("id", STIX_PT_SKIP, 0, NULL),
	P("labels", STIX_PT_STR_LIST, 0, NULL),
	P("lang", STIX_PT_LANG, 0, NULL),
	P("modified", STIX_PT_SKIP, 0, NULL),
	P("object_marking_refs", STIX_PT_ID_LIST, 0, "marking-definition"),
	P("revoked", STIX_PT_BOOL, 0, NULL),
	P("spec_version", STIX_PT_SKIP, 0, NULL),
	P("type", STIX_PT_SKIP, 0, NULL),
};

static const struct stix_prop common_sco[] = {
	P("defanged", STIX_PT_BOOL, 0, NULL),
	P("extensions", STIX_PT_EXTENSIONS, 0, NULL),
	P("granular_markings", STIX_PT_GRAN_LIST, 0, NULL),
	P("id", STIX_PT_SKIP, 0, NULL),
	P("object_marking_refs", STIX_PT_ID_LIST, 0, "marking-definition"),
	P("spec_version", STIX_PT_SKIP, 0, NULL),
	P("type", STIX_PT_SKIP, 0, NULL),
};

static const struct stix_prop common_marking[] = {
	P("created", STIX_PT_SKIP, 0, NULL),
	P("created_by_ref", STIX_PT_ID, 0, "identity"),
	P("extensions", STIX_PT_EXTENSIONS, 0, NULL),
	P("external_references", STIX_PT_EXTREF_LIST, 0, NULL),
	P("granular_markings", STIX_PT_GRAN_LIST, 0, NULL),
	P("id", STIX_PT_SKIP, 0, NULL),
	P("object_marking_refs", STIX_PT_ID_LIST, 0, "marking-definition"),
	P("spec_version", STIX_PT_SKIP, 0, NULL),
	P("type", STIX_PT_SKIP, 0, NULL),
};

static const struct stix_prop common_lang[] = {
	{ "confidence", STIX_PT_INT, STIX_PF_RANGE, NULL, 0, 100, NULL },
	P("created", STIX_PT_SKIP, 0, NULL),
	P("created_by_ref", STIX_PT_ID, 0, "identity"),
	P("extensions", STIX_PT_EXTENSIONS, 0, NULL),
	P("external_references", STIX_PT_EXTREF_LIST, 0, NULL),
	P("granular_markings", STIX_PT_GRAN_LIST, 0, NULL),
	P("id", STIX_PT_SKIP, 0, NULL),
	P("labels", STIX_PT_STR_LIST, 0, NULL),
	P("modified", STIX_PT_SKIP, 0, NULL),
	P("object_marking_refs", STIX_PT_ID_LIST, 0, "marking-definition"),
	P("revoked", STIX_PT_BOOL, 0, NULL),
	P("spec_version", STIX_PT_SKIP, 0, NULL),
	P("type", STIX_PT_SKIP, 0, NULL),
};

static const struct stix_prop common_extdef[] = {
	P("created", STIX_PT_SKIP, 0, NULL),
	P("created_by_ref", STIX_PT_ID, STIX_PF_REQ, "identity"),
	P("external_references", STIX_PT_EXTREF_LIST, 0, NULL),
	P("granular_markings", STIX_PT_GRAN_LIST, 0, NULL),
	P("id", STIX_PT_SKIP, 0, NULL),
	P("labels", STIX_PT_STR_LIST, 0, NULL),
	P("modified", STIX_PT_SKIP, 0, NULL),
	P("object_marking_refs", STIX_PT_ID_LIST, 0, "marking-definition"),
	P("revoked", STIX_PT_BOOL, 0, NULL),
	P("spec_version", STIX_PT_SKIP, 0, NULL),
	P("type", STIX_PT_SKIP, 0, NULL),
};

#undef P

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const struct stix_prop	*props;
	size_t			 n;
} common_by_cls[] = {
	[STIX_CLS_SDO] = { common_sdo, NELEM(common_sdo) },
	[STIX_CLS_SRO] = { common_sdo, NELEM(common_sdo) },
	[STIX_CLS_SCO] = { common_sco, NELEM(common_sco) },
	[STIX_CLS_MARKING] = { common_marking, NELEM(common_marking) },
	[STIX_CLS_LANG] = { common_lang, NELEM(common_lang) },
	[STIX_CLS_EXTDEF] = { common_extdef, NELEM(common_extdef) },
};

static int
cmp_type(const void *key, const void *elem)
{
	return strcmp(key, ((const struct stix_type *)elem)->name);
}

const struct stix_type *
stix_type_find(const char *name)
{
	const struct stix_type *t;

	t = bsearch(name, stix_types_sdo, stix_n_types_sdo,
	    sizeof(stix_types_sdo[0]), cmp_type);
	if (t == NULL)
		t = bsearch(name, stix_types_sco, stix_n_types_sco,
		    sizeof(stix_types_sco[0]), cmp_type);
	return t;
}

/*
 * The class of a custom object: what its extension-definition says
 * (new-sdo, new-sco, new-sro), else an SDO when it carries created or
 * modified, else an SCO.
 */
static uint8_t
custom_cls(const json_t *obj)
{
	const json_t *exts, *x, *et;
	const char *key, *s;

	exts = json_object_get(obj, "extensions");
	if (json_is_object(exts)) {
		json_object_foreach((json_t *)exts, key, x) {
			if (strncmp(key, "extension-definition--", 22) != 0)
				continue;
			et = json_object_get(x, "extension_type");
			if (!json_is_string(et))
				continue;
			s = json_string_value(et);
			if (strcmp(s, "new-sco") == 0)
				return STIX_CLS_SCO;
			if (strcmp(s, "new-sdo") == 0)
				return STIX_CLS_SDO;
			if (strcmp(s, "new-sro") == 0)
				return STIX_CLS_SRO;
		}
	}
	if (json_object_get(obj, "created") != NULL ||
	    json_object_get(obj, "modified") != NULL)
		return STIX_CLS_SDO;
	return STIX_CLS_SCO;
}

/* created / modified: STIX 2.1 3.2, at least millisecond precision. */
static enum err
check_created(struct stix_vctx *c, const char *name, int required,
    int64_t *us, int *present)
{
	const json_t *v = json_object_get(c->obj, name);
	int frac;

	*present = 0;
	if (v == NULL) {
		if (required)
			return stix_vfail(c, NULL,
			    "missing required property '%s'", name);
		return ERR_OK;
	}
	if (!stix_ts_parse(v, us, &frac))
		return stix_vfail(c, name, "not a valid timestamp");
	if (frac < 3)
		return stix_vfail(c, name,
		    "needs at least millisecond precision");
	*present = 1;
	return ERR_OK;
}

enum err
stix_validate(const json_t *obj, struct stix_info *info, char *reason,
    size_t reason_cap)
{
	struct stix_vctx c;
	const struct stix_prop *p;
	const json_t *tv, *idv, *sv;
	const char *key, *s;
	int64_t created = 0, modified = 0;
	int has_created = 0, has_modified = 0, need_times;
	json_t *v;
	size_t i;
	enum err err;

	memset(&c, 0, sizeof(c));
	c.obj = obj;
	c.reason = reason;
	c.reason_cap = reason_cap;
	if (reason != NULL && reason_cap > 0)
		reason[0] = '\0';
	if (!json_is_object(obj))
		return stix_vfail(&c, NULL, "not a JSON object");
	if ((tv = json_object_get(obj, "type")) == NULL)
		return stix_vfail(&c, NULL, "missing required property 'type'");
	if (!json_is_string(tv) || !type_name_ok(json_string_value(tv),
	    json_string_length(tv)))
		return stix_vfail(&c, "type", "not a valid type name");
	c.type = json_string_value(tv);
	/* STIX 2.1 section 8: a bundle is a container, not a STIX object. */
	if (strcmp(c.type, "bundle") == 0)
		return stix_vfail(&c, "type", "a bundle is not a STIX object");
	c.td = stix_type_find(c.type);
	c.cls = c.td != NULL ? c.td->cls : custom_cls(obj);

	if ((idv = json_object_get(obj, "id")) == NULL)
		return stix_vfail(&c, NULL, "missing required property 'id'");
	if (!json_is_string(idv) || !stix_id_valid(s = json_string_value(idv)))
		return stix_vfail(&c, "id", "not a valid identifier");
	if (stix_id_type_len(s) != json_string_length(tv) ||
	    memcmp(s, c.type, json_string_length(tv)) != 0)
		return stix_vfail(&c, "id", "type part does not match 'type'");
	c.id = s;

	sv = json_object_get(obj, "spec_version");
	if (sv == NULL && c.cls != STIX_CLS_SCO)
		return stix_vfail(&c, NULL,
		    "missing required property 'spec_version'");
	if (sv != NULL && (!json_is_string(sv) ||
	    strcmp(json_string_value(sv), "2.1") != 0))
		return stix_vfail(&c, "spec_version", "must be \"2.1\"");

	if (c.cls != STIX_CLS_SCO) {
		need_times = c.cls != STIX_CLS_MARKING;
		if ((err = check_created(&c, "created", 1, &created,
		    &has_created)) != ERR_OK)
			return err;
		if (c.cls != STIX_CLS_MARKING &&
		    (err = check_created(&c, "modified", need_times,
		    &modified, &has_modified)) != ERR_OK)
			return err;
		if (has_modified && modified < created)
			return stix_vfail(&c, NULL,
			    "'modified' is earlier than 'created'");
	}
	c.defanged = json_is_true(json_object_get(obj, "defanged"));

	json_object_foreach((json_t *)obj, key, v) {
		p = NULL;
		if (c.td != NULL)
			p = stix_prop_find(c.td->props, c.td->n_props, key);
		if (p == NULL)
			p = stix_prop_find(common_by_cls[c.cls].props,
			    common_by_cls[c.cls].n, key);
		if (p != NULL) {
			if ((err = stix_check_prop(&c, p, v)) != ERR_OK)
				return err;
		} else if (!prop_name_ok(key)) {
			return stix_vfail(&c, key, "invalid property name");
		}
	}
	for (i = 0; c.td != NULL && i < c.td->n_props; i++)
		if ((c.td->props[i].flags & STIX_PF_REQ) &&
		    json_object_get(obj, c.td->props[i].name) == NULL)
			return stix_vfail(&c, NULL,
			    "missing required property '%s'",
			    c.td->props[i].name);
	for (i = 0; i < common_by_cls[c.cls].n; i++)
		if ((common_by_cls[c.cls].props[i].flags & STIX_PF_REQ) &&
		    json_object_get(obj,
		    common_by_cls[c.cls].props[i].name) == NULL)
			return stix_vfail(&c, NULL,
			    "missing required property '%s'",
			    common_by_cls[c.cls].props[i].name);
	if (c.td != NULL && c.td->post != NULL &&
	    (err = c.td->post(&c)) != ERR_OK)
		return err;

	info->id = c.id;
	info->type = c.type;
	info->spec_version = "2.1";
	info->created_by_ref = NULL;
	info->created = 0;
	info->modified = 0;
	info->has_modified = 0;
	if (c.cls != STIX_CLS_SCO) {
		v = json_object_get(obj, "created_by_ref");
		info->created_by_ref = json_string_value(v);
		info->created = created;
		info->modified = has_modified ? modified : created;
		info->has_modified = has_modified;
	}
	return ERR_OK;
}

/* ---- limits ---- */

static enum err __attribute__((format(printf, 3, 4)))
limit_fail(char *reason, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (reason != NULL && cap > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(reason, cap, fmt, ap);
		va_end(ap);
	}
	return ERR_TOOBIG;
}

/* depth: nesting level of v (the top value is at level 1). */
static enum err
limits_walk(const json_t *v, unsigned depth, char *reason, size_t cap)
{
	const char *key;
	json_t *x;
	size_t i;
	enum err err;

	switch (json_typeof(v)) {
	case JSON_STRING:
		if (json_string_length(v) > LIM_JSON_STRING)
			return limit_fail(reason, cap, "string longer than "
			    "%u bytes", LIM_JSON_STRING);
		return ERR_OK;
	case JSON_ARRAY:
		if (depth > LIM_JSON_DEPTH)
			return limit_fail(reason, cap, "JSON nested deeper "
			    "than %u levels", LIM_JSON_DEPTH);
		if (json_array_size(v) > LIM_JSON_ARRAY)
			return limit_fail(reason, cap, "array with more than "
			    "%u elements", LIM_JSON_ARRAY);
		json_array_foreach(v, i, x)
			if ((err = limits_walk(x, depth + 1, reason,
			    cap)) != ERR_OK)
				return err;
		return ERR_OK;
	case JSON_OBJECT:
		if (depth > LIM_JSON_DEPTH)
			return limit_fail(reason, cap, "JSON nested deeper "
			    "than %u levels", LIM_JSON_DEPTH);
		if (json_object_size(v) > LIM_JSON_MEMBERS)
			return limit_fail(reason, cap, "object with more than "
			    "%u members", LIM_JSON_MEMBERS);
		json_object_foreach((json_t *)v, key, x) {
			if (strnlen(key, LIM_JSON_STRING + 1) > LIM_JSON_STRING)
				return limit_fail(reason, cap, "member name "
				    "longer than %u bytes", LIM_JSON_STRING);
			if ((err = limits_walk(x, depth + 1, reason,
			    cap)) != ERR_OK)
				return err;
		}
		return ERR_OK;
	case JSON_INTEGER: {
		/* I-JSON (RFC 7493), which RFC 8785 requires: a number must be
		 * an IEEE double.  Refuse an integer a double cannot hold
		 * exactly rather than store a different one. */
		json_int_t iv = json_integer_value(v);
		double d = (double)iv;
		if (d >= 9223372036854775808.0 || d < -9223372036854775808.0 ||
		    (json_int_t)d != iv) {
			if (reason != NULL && cap > 0)
				(void)snprintf(reason, cap, "integer %lld "
				    "cannot be represented exactly as an IEEE "
				    "double (I-JSON, RFC 8785)", (long long)iv);
			return ERR_INVALID;
		}
		return ERR_OK;
	}
	default:
		return ERR_OK;
	}
}

enum err
stix_check_limits(const json_t *v, char *reason, size_t reason_cap)
{
	if (reason != NULL && reason_cap > 0)
		reason[0] = '\0';
	return limits_walk(v, 1, reason, reason_cap);
}

/* ---- self check of the tables (unit tests) ---- */

static int
props_sorted(const struct stix_prop *props, size_t n, unsigned depth)
{
	size_t i;

	if (depth > 8)
		return 0;
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(props[i - 1].name, props[i].name) >= 0)
			return 0;
		if (props[i].sub != NULL && !props_sorted(props[i].sub->props,
		    props[i].sub->n_props, depth + 1))
			return 0;
	}
	return 1;
}

static int
types_sorted(const struct stix_type *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(t[i - 1].name, t[i].name) >= 0)
			return 0;
		if (!props_sorted(t[i].props, t[i].n_props, 0))
			return 0;
		if (stix_type_find(t[i].name) != &t[i])
			return 0;
	}
	return 1;
}

int
stix_int_tables_sorted(void)
{
	size_t i;

	for (i = 1; i < NELEM(common_by_cls); i++)
		if (!props_sorted(common_by_cls[i].props,
		    common_by_cls[i].n, 0))
			return 0;
	if (!props_sorted(extref_props, NELEM(extref_props), 0) ||
	    !props_sorted(kcp_props, NELEM(kcp_props), 0) ||
	    !props_sorted(gran_props, NELEM(gran_props), 0))
		return 0;
	for (i = 0; i < stix_n_exts_sco; i++)
		if (!props_sorted(stix_exts_sco[i].sub.props,
		    stix_exts_sco[i].sub.n_props, 0))
			return 0;
	return types_sorted(stix_types_sdo, stix_n_types_sdo) &&
	    types_sorted(stix_types_sco, stix_n_types_sco);
}
