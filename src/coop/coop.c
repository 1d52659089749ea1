/*
 * coop.c: the five cooperation object types, parsed strictly and built.
 *
 * One pass over an object checks every property against
 * docs/cooperation.md and keeps going after a problem, so that one run
 * names every mistake.  Nothing is trusted: every list is bounded, every
 * string is checked for its length and character set, every identifier for
 * its form, and the tree the parsed struct points into is a private deep
 * copy nobody else can change.  Building goes through the parser, so a
 * built object is one the parser accepts.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop/coop.h"
#include "stix/stix.h"
#include "util/timeutil.h"

/* Longest excerpt of outside text quoted in a problem line. */
#define EXCERPT_MAX	64u
/* Member paths in problem lines ("attributed_refs[127]"). */
#define PATH_MAX_LEN	48u

struct pctx {
	struct agreement_report	*rep;
	size_t			 n_bad;
	const char		*author;	/* created_by_ref when valid */
};

static void __attribute__((format(printf, 2, 3)))
bad(struct pctx *c, const char *fmt, ...)
{
	struct agreement_report *r = c->rep;
	va_list ap;

	c->n_bad++;
	if (r == NULL)
		return;
	if (r->n >= AGREEMENT_REPORT_MAX) {
		r->n_more++;
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(r->msg[r->n], sizeof(r->msg[r->n]), fmt, ap);
	va_end(ap);
	r->n++;
}

/* At most EXCERPT_MAX bytes of s, printable ASCII only, "..." on a cut. */
static void
excerpt(char out[EXCERPT_MAX + 4], const char *s)
{
	size_t i, o = 0, len = strlen(s);

	for (i = 0; i < len && i < EXCERPT_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		out[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	if (i < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* ---- names ---- */

static const struct {
	const char	*name;
	const char	*ext;
} types[] = {
	[COOP_NOTIFICATION] = { COOP_TYPE_NOTIFICATION, COOP_EXT_NOTIFICATION },
	[COOP_REQUEST] = { COOP_TYPE_REQUEST, COOP_EXT_REQUEST },
	[COOP_RESPONSE] = { COOP_TYPE_RESPONSE, COOP_EXT_RESPONSE },
	[COOP_CONSULTATION] = { COOP_TYPE_CONSULTATION,
	    COOP_EXT_CONSULTATION },
	[COOP_CHECK] = { COOP_TYPE_CHECK, COOP_EXT_CHECK },
};
#define N_TYPES	(sizeof(types) / sizeof(types[0]))

static const char *const severities[] = { NULL, "low", "medium", "high",
    "critical" };
static const char *const kinds[] = { NULL, "information", "preservation",
    "takedown", "investigation" };
static const char *const actions[] = { NULL, "acknowledge", "answer",
    "decline", "respond", "close" };
static const char *const assets[] = { NULL, "cidr", "domain", "sector" };

#define NAME_OF(tab, v) \
	((unsigned)(v) >= 1 && (unsigned)(v) < sizeof(tab) / sizeof(tab[0]) ? \
	    tab[(unsigned)(v)] : NULL)

const char *
coop_type_name(enum coop_type t)
{
	return (unsigned)t >= 1 && (unsigned)t < N_TYPES ?
	    types[(unsigned)t].name : NULL;
}

const char *
coop_type_ext(enum coop_type t)
{
	return (unsigned)t >= 1 && (unsigned)t < N_TYPES ?
	    types[(unsigned)t].ext : NULL;
}

const char *
coop_severity_name(enum coop_severity s)
{
	return NAME_OF(severities, s);
}

const char *
coop_kind_name(enum coop_kind k)
{
	return NAME_OF(kinds, k);
}

const char *
coop_action_name(enum coop_action a)
{
	return NAME_OF(actions, a);
}

const char *
coop_asset_name(enum coop_asset a)
{
	return NAME_OF(assets, a);
}

/* Index of s in tab[1..n), or 0. */
static unsigned
name_find(const char *const *tab, size_t n, const char *s)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (strcmp(tab[i], s) == 0)
			return (unsigned)i;
	return 0;
}

enum coop_type
coop_type_of_id(const char *id)
{
	size_t i, len;

	for (i = 1; i < N_TYPES; i++) {
		len = strlen(types[i].name);
		if (strncmp(id, types[i].name, len) == 0 &&
		    id[len] == '-' && id[len + 1] == '-')
			return (enum coop_type)i;
	}
	return 0;
}

void
coop_id_make(enum coop_type t, const uint8_t rnd[16],
    char out[COOP_ID_MAX + 1])
{
	const char *name = coop_type_name(t);
	size_t len;

	out[0] = '\0';
	if (name == NULL)
		return;
	len = strlen(name);
	memcpy(out, name, len);
	memcpy(out + len, "--", 2);
	uuid_v4_format(rnd, out + len + 2);
}

/* ---- value syntaxes ---- */

static int
is_lower_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

/* A lower-case UUID, of version 4 and the RFC 4122 variant when v4. */
static int
uuid_lower_ok(const char *u, size_t len, int v4)
{
	size_t i;

	if (!uuid_valid(u, len))
		return 0;
	for (i = 0; i < len; i++)
		if (u[i] != '-' && !is_lower_hex(u[i]))
			return 0;
	if (v4 && (u[14] != '4' || (u[19] != '8' && u[19] != '9' &&
	    u[19] != 'a' && u[19] != 'b')))
		return 0;
	return 1;
}

/* s is prefix, "--" and a lower-case UUID (version 4 when v4). */
static int
prefixed_id_ok(const char *s, size_t len, const char *prefix, int v4)
{
	size_t plen = strlen(prefix);

	return len == plen + 2 + UUID_STRLEN &&
	    memcmp(s, prefix, plen) == 0 && s[plen] == '-' &&
	    s[plen + 1] == '-' && uuid_lower_ok(s + plen + 2, UUID_STRLEN, v4);
}

/* The id of a cooperation object: "TYPE--" and a lower-case UUIDv4. */
static int
coop_id_ok(const char *s, size_t len, enum coop_type t)
{
	return coop_type_name(t) != NULL &&
	    prefixed_id_ok(s, len, coop_type_name(t), 1);
}


/* Strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF). */
static int
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			n = 1;
			cp = *p & 0x1fu;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			n = 2;
			cp = *p & 0x0fu;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			n = 3;
			cp = *p & 0x07u;
		} else {
			return 0;
		}
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3fu);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}


/* ---- property checks ---- */

/*
 * v as a string of 1 to max bytes without control characters (tab and
 * newline allowed when multiline), or NULL after a problem.
 */
static const char *
get_text(struct pctx *c, const char *name, const json_t *v, size_t max,
    int multiline)
{
	const char *s;
	size_t len;

	if (!json_is_string(v)) {
		bad(c, "%s: must be a string", name);
		return NULL;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (strlen(s) != len) {
		bad(c, "%s: contains a NUL character", name);
		return NULL;
	}
	if (len == 0) {
		bad(c, "%s: must not be empty", name);
		return NULL;
	}
	if (len > max) {
		bad(c, "%s: longer than %zu bytes", name, max);
		return NULL;
	}
	if (!agreement_text_ok(s, len, SIZE_MAX, multiline)) {
		bad(c, "%s: contains a control character", name);
		return NULL;
	}
	return s;
}

/* v as a short token string (an id, an enum), or NULL after a problem. */
static const char *
get_token(struct pctx *c, const char *name, const json_t *v)
{
	if (!json_is_string(v)) {
		bad(c, "%s: must be a string", name);
		return NULL;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		bad(c, "%s: contains a NUL character", name);
		return NULL;
	}
	return json_string_value(v);
}

/* One of tab[1..n) (listed in the problem), or 0. */
static unsigned
get_enum(struct pctx *c, const char *name, const json_t *v,
    const char *const *tab, size_t n)
{
	char list[128];
	const char *s;
	unsigned k;
	size_t i, o = 0;
	int w;

	s = json_is_string(v) ? json_string_value(v) : NULL;
	if (s != NULL && strlen(s) == json_string_length(v) &&
	    (k = name_find(tab, n, s)) != 0)
		return k;
	list[0] = '\0';
	for (i = 1; i < n; i++) {
		w = snprintf(list + o, sizeof(list) - o, "%s%s",
		    i == 1 ? "" : i + 1 == n ? " or " : ", ", tab[i]);
		if (w < 0 || (size_t)w >= sizeof(list) - o)
			break;
		o += (size_t)w;
	}
	bad(c, "%s: must be %s", name, list);
	return 0;
}

/* A party identity: "identity--" and a lower-case UUID; copied to out. */
static int
get_identity(struct pctx *c, const char *name, const json_t *v,
    char out[AGREEMENT_IDENTITY_LEN + 1])
{
	const char *s = get_token(c, name, v);

	if (s == NULL)
		return 0;
	if (!prefixed_id_ok(s, strlen(s), "identity", 0)) {
		bad(c, "%s: must be identity-- and a lower-case UUID", name);
		return 0;
	}
	memcpy(out, s, AGREEMENT_IDENTITY_LEN + 1);
	return 1;
}

/* A timestamp with at least millisecond precision (STIX 2.1 3.2). */
static int
get_time(struct pctx *c, const char *name, const json_t *v, int64_t *us)
{
	const char *s = get_token(c, name, v);
	int frac;

	if (s == NULL)
		return 0;
	if (ts_parse(s, strlen(s), us, &frac) != ERR_OK) {
		bad(c, "%s: not an RFC 3339 UTC timestamp", name);
		return 0;
	}
	if (frac < 3) {
		bad(c, "%s: needs at least millisecond precision", name);
		return 0;
	}
	return 1;
}

/* What ids a list takes. */
enum idkind {
	IDK_ANY,		/* any STIX identifier */
	IDK_EVIDENCE,		/* incident, observed-data, indicator, sighting */
	IDK_INFRA,		/* infrastructure */
	IDK_IDENTITY,		/* a party identity, not the author */
	IDK_MARKING		/* marking-definition */
};

/* Does s have the form idk asks for?  NULL, else what is wrong. */
static const char *
id_problem(struct pctx *c, const char *s, enum idkind idk)
{
	static const char *const evidence[] = { "incident--",
	    "observed-data--", "indicator--", "sighting--", NULL };
	size_t i;

	switch (idk) {
	case IDK_IDENTITY:
		if (!prefixed_id_ok(s, strlen(s), "identity", 0))
			return "must be identity-- and a lower-case UUID";
		if (c->author != NULL && strcmp(s, c->author) == 0)
			return "must not be the author (created_by_ref)";
		return NULL;
	case IDK_ANY:
		return stix_id_valid(s) ? NULL : "not a STIX identifier";
	case IDK_EVIDENCE:
		if (!stix_id_valid(s))
			return "not a STIX identifier";
		for (i = 0; evidence[i] != NULL; i++)
			if (strncmp(s, evidence[i], strlen(evidence[i])) == 0)
				return NULL;
		return "must be an incident, observed-data, indicator or "
		    "sighting";
	case IDK_INFRA:
		if (!stix_id_valid(s))
			return "not a STIX identifier";
		return strncmp(s, "infrastructure--", 16) == 0 ? NULL :
		    "must be an infrastructure";
	case IDK_MARKING:
		if (!stix_id_valid(s))
			return "not a STIX identifier";
		return strncmp(s, "marking-definition--", 20) == 0 ? NULL :
		    "must be a marking-definition";
	}
	return "unknown identifier kind";
}

/*
 * v as an array of min..max distinct identifiers of kind idk; on success
 * out->v (new array of borrowed strings) and out->n, and 1.  0 after
 * problems; -1 on ERR_NOMEM.
 */
static int
get_id_list(struct pctx *c, const char *name, const json_t *v, size_t min,
    size_t max, enum idkind idk, struct coop_list *out)
{
	char ex[EXCERPT_MAX + 4];
	const char **arr, *s, *why;
	size_t n, i, j, before = c->n_bad;
	const json_t *x;

	out->v = NULL;
	out->n = 0;
	if (!json_is_array(v)) {
		bad(c, "%s: must be an array", name);
		return 0;
	}
	n = json_array_size(v);
	if (n < min) {
		bad(c, "%s: must have at least %zu item%s", name, min,
		    min == 1 ? "" : "s");
		return 0;
	}
	if (n > max) {
		bad(c, "%s: more than %zu items", name, max);
		return 0;
	}
	if ((arr = calloc(n, sizeof(*arr))) == NULL)
		return -1;
	json_array_foreach(v, i, x) {
		if (!json_is_string(x) ||
		    strlen(json_string_value(x)) != json_string_length(x)) {
			bad(c, "%s[%zu]: must be a string", name, i);
			continue;
		}
		s = json_string_value(x);
		if ((why = id_problem(c, s, idk)) != NULL) {
			excerpt(ex, s);
			bad(c, "%s[%zu]: \"%s\" %s", name, i, ex, why);
			continue;
		}
		for (j = 0; j < i; j++)
			if (arr[j] != NULL && strcmp(arr[j], s) == 0)
				break;
		if (j < i) {
			bad(c, "%s[%zu]: duplicate of %s[%zu]", name, i, name,
			    j);
			continue;
		}
		arr[i] = s;
	}
	if (c->n_bad != before) {
		free(arr);
		return 0;
	}
	out->v = arr;
	out->n = n;
	return 1;
}

/* ---- the parser ---- */

static const char *const common_props[] = { "type", "spec_version", "id",
    "created", "modified", "created_by_ref", "agreement_id", "extensions",
    "object_marking_refs", NULL };

static const char *const notification_props[] = { "to_refs", "description",
    "severity", "evidence_refs", NULL };
static const char *const request_props[] = { "to_ref", "kind", "text",
    "evidence_refs", NULL };
static const char *const response_props[] = { "request_ref", "action",
    "text", "reason", NULL };
static const char *const consultation_props[] = { "to_ref", "asset_type",
    "asset", "description", "evidence_refs", "attributed_refs", NULL };
static const char *const check_props[] = { "to_ref", "answer_within", NULL };

static const char *const *const type_props[] = {
	[COOP_NOTIFICATION] = notification_props,
	[COOP_REQUEST] = request_props,
	[COOP_RESPONSE] = response_props,
	[COOP_CONSULTATION] = consultation_props,
	[COOP_CHECK] = check_props,
};

static int
in_names(const char *key, const char *const *names)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(key, names[i]) == 0)
			return 1;
	return 0;
}

/* The member name of o, or NULL after a "missing" problem. */
static const json_t *
need(struct pctx *c, const json_t *o, const char *name)
{
	const json_t *v = json_object_get(o, name);

	if (v == NULL)
		bad(c, "%s: missing", name);
	return v;
}

static void
check_extensions(struct pctx *c, const json_t *v, enum coop_type t)
{
	const char *ext = coop_type_ext(t);
	const json_t *x, *et;

	x = json_is_object(v) && json_object_size(v) == 1 ?
	    json_object_get(v, ext) : NULL;
	et = json_is_object(x) && json_object_size(x) == 1 ?
	    json_object_get(x, "extension_type") : NULL;
	if (!json_is_string(et) ||
	    strcmp(json_string_value(et), "new-sdo") != 0 ||
	    json_string_length(et) != 7)
		bad(c, "extensions: must be exactly {\"%s\": "
		    "{\"extension_type\": \"new-sdo\"}}", ext);
}

/* The common properties.  -1 on ERR_NOMEM. */
static int
parse_common(struct pctx *c, const json_t *o, enum coop_type t,
    struct coop_obj *out)
{
	const json_t *v;
	const char *s;
	int64_t created = 0, modified = 0;
	int has_c, has_m;

	v = json_object_get(o, "spec_version");
	if (v == NULL)
		bad(c, "spec_version: missing");
	else if (!json_is_string(v) || json_string_length(v) != 3 ||
	    strcmp(json_string_value(v), "2.1") != 0)
		bad(c, "spec_version: must be \"2.1\"");
	if ((v = need(c, o, "id")) != NULL &&
	    (s = get_token(c, "id", v)) != NULL) {
		if (!coop_id_ok(s, strlen(s), t))
			bad(c, "id: must be %s-- and a lower-case version 4 "
			    "UUID", coop_type_name(t));
		else
			memcpy(out->id, s, strlen(s) + 1);
	}
	has_c = (v = need(c, o, "created")) != NULL &&
	    get_time(c, "created", v, &created);
	has_m = (v = need(c, o, "modified")) != NULL &&
	    get_time(c, "modified", v, &modified);
	if (has_c && has_m && created != modified)
		bad(c, "modified: must equal created (a cooperation object "
		    "has one version)");
	out->created = created;
	if ((v = need(c, o, "created_by_ref")) != NULL &&
	    get_identity(c, "created_by_ref", v, out->created_by))
		c->author = out->created_by;
	if ((v = need(c, o, "agreement_id")) != NULL &&
	    (s = get_token(c, "agreement_id", v)) != NULL) {
		if (!prefixed_id_ok(s, strlen(s), "agreement", 0))
			bad(c, "agreement_id: must be agreement-- and a "
			    "lower-case UUID");
		else
			memcpy(out->agreement_id, s, AGREEMENT_ID_LEN + 1);
	}
	if ((v = need(c, o, "extensions")) != NULL)
		check_extensions(c, v, t);
	if ((v = json_object_get(o, "object_marking_refs")) != NULL &&
	    get_id_list(c, "object_marking_refs", v, 1, COOP_MAX_MARKINGS,
	    IDK_MARKING, &out->markings) < 0)
		return -1;
	return 0;
}

/* to_ref: one party identity, not the author. */
static int
parse_to_ref(struct pctx *c, const json_t *o, struct coop_obj *out)
{
	char ex[EXCERPT_MAX + 4];
	const json_t *v;
	const char *s, *why;

	if ((v = need(c, o, "to_ref")) == NULL ||
	    (s = get_token(c, "to_ref", v)) == NULL)
		return 0;
	if ((why = id_problem(c, s, IDK_IDENTITY)) != NULL) {
		excerpt(ex, s);
		bad(c, "to_ref: \"%s\" %s", ex, why);
		return 0;
	}
	if ((out->to.v = calloc(1, sizeof(*out->to.v))) == NULL)
		return -1;
	out->to.v[0] = s;
	out->to.n = 1;
	return 0;
}

static int
parse_notification(struct pctx *c, const json_t *o, struct coop_obj *out)
{
	const json_t *v;

	if ((v = need(c, o, "to_refs")) != NULL &&
	    get_id_list(c, "to_refs", v, 1, COOP_MAX_TO, IDK_IDENTITY,
	    &out->to) < 0)
		return -1;
	if ((v = need(c, o, "description")) != NULL)
		out->text = get_text(c, "description", v, COOP_MAX_TEXT, 1);
	if ((v = need(c, o, "severity")) != NULL)
		out->severity = get_enum(c, "severity", v, severities,
		    sizeof(severities) / sizeof(severities[0]));
	if ((v = json_object_get(o, "evidence_refs")) != NULL &&
	    get_id_list(c, "evidence_refs", v, 1, COOP_MAX_REFS, IDK_ANY,
	    &out->evidence) < 0)
		return -1;
	return 0;
}

static int
parse_request(struct pctx *c, const json_t *o, struct coop_obj *out)
{
	const json_t *v;

	if (parse_to_ref(c, o, out) < 0)
		return -1;
	if ((v = need(c, o, "kind")) != NULL)
		out->kind = get_enum(c, "kind", v, kinds,
		    sizeof(kinds) / sizeof(kinds[0]));
	if ((v = need(c, o, "text")) != NULL)
		out->text = get_text(c, "text", v, COOP_MAX_TEXT, 1);
	if ((v = json_object_get(o, "evidence_refs")) != NULL &&
	    get_id_list(c, "evidence_refs", v, 1, COOP_MAX_REFS, IDK_ANY,
	    &out->evidence) < 0)
		return -1;
	return 0;
}

/* Which actions apply to a response to an item of type t. */
static int
action_applies(enum coop_type t, enum coop_action a)
{
	switch (t) {
	case COOP_REQUEST:
		return a == COOP_ACT_ACKNOWLEDGE || a == COOP_ACT_ANSWER ||
		    a == COOP_ACT_DECLINE;
	case COOP_CONSULTATION:
		return a == COOP_ACT_RESPOND || a == COOP_ACT_CLOSE;
	case COOP_CHECK:
		return a == COOP_ACT_ANSWER;
	default:
		return 0;
	}
}

static int
parse_response(struct pctx *c, const json_t *o, struct coop_obj *out)
{
	static const char *const takes[] = {
		[COOP_REQUEST] = "acknowledge, answer or decline",
		[COOP_CONSULTATION] = "respond or close",
		[COOP_CHECK] = "answer",
	};
	const json_t *v;
	const char *s;
	enum coop_type t = 0;

	if ((v = need(c, o, "request_ref")) != NULL &&
	    (s = get_token(c, "request_ref", v)) != NULL) {
		t = coop_type_of_id(s);
		if ((t != COOP_REQUEST && t != COOP_CONSULTATION &&
		    t != COOP_CHECK) || !coop_id_ok(s, strlen(s), t)) {
			bad(c, "request_ref: must be the id of an "
			    "entente-request, entente-consultation or "
			    "entente-check");
			t = 0;
		} else {
			memcpy(out->request_ref, s, strlen(s) + 1);
		}
	}
	if ((v = need(c, o, "action")) != NULL)
		out->action = get_enum(c, "action", v, actions,
		    sizeof(actions) / sizeof(actions[0]));
	if (t != 0 && out->action != 0 && !action_applies(t, out->action))
		bad(c, "action: \"%s\" does not apply to an %s (%s)",
		    coop_action_name(out->action), coop_type_name(t),
		    takes[t]);
	if ((v = json_object_get(o, "text")) != NULL)
		out->text = get_text(c, "text", v, COOP_MAX_TEXT, 1);
	v = json_object_get(o, "reason");
	if (out->action == COOP_ACT_DECLINE) {
		if (v == NULL)
			bad(c, "reason: missing (a decline gives its reason)");
		else
			out->reason = get_text(c, "reason", v, COOP_MAX_TEXT,
			    1);
	} else if (v != NULL && out->action != 0) {
		bad(c, "reason: only a decline has a reason");
	}
	return 0;
}

static int
parse_consultation(struct pctx *c, const json_t *o, struct coop_obj *out)
{
	char ex[EXCERPT_MAX + 4];
	const json_t *v;
	const char *s;
	int ok = 0;

	if (parse_to_ref(c, o, out) < 0)
		return -1;
	if ((v = need(c, o, "asset_type")) != NULL)
		out->asset_type = get_enum(c, "asset_type", v, assets,
		    sizeof(assets) / sizeof(assets[0]));
	if ((v = need(c, o, "asset")) != NULL &&
	    (s = get_token(c, "asset", v)) != NULL) {
		excerpt(ex, s);
		switch (out->asset_type) {
		case COOP_ASSET_CIDR:
			if (!(ok = agreement_cidr_ok(s, strlen(s))))
				bad(c, "asset: \"%s\" is not an address block "
				    "as agreements write it (192.0.2.0/24)", ex);
			break;
		case COOP_ASSET_DOMAIN:
			if (!(ok = agreement_domain_ok(s, strlen(s))))
				bad(c, "asset: \"%s\" is not a lower-case DNS "
				    "name of two labels or more", ex);
			break;
		case COOP_ASSET_SECTOR:
			if (!(ok = agreement_sector_ok(s, strlen(s))))
				bad(c, "asset: \"%s\" is not a sector (1-64 of "
				    "a-z 0-9 -)", ex);
			break;
		default:
			break;	/* asset_type's problem is reported */
		}
		if (ok)
			out->asset = s;
	}
	if ((v = need(c, o, "description")) != NULL)
		out->text = get_text(c, "description", v, COOP_MAX_TEXT, 1);
	if ((v = need(c, o, "evidence_refs")) != NULL &&
	    get_id_list(c, "evidence_refs", v, 1, COOP_MAX_REFS, IDK_EVIDENCE,
	    &out->evidence) < 0)
		return -1;
	if ((v = need(c, o, "attributed_refs")) != NULL &&
	    get_id_list(c, "attributed_refs", v, 1, COOP_MAX_REFS, IDK_INFRA,
	    &out->attributed) < 0)
		return -1;
	return 0;
}

static int
parse_check(struct pctx *c, const json_t *o, struct coop_obj *out)
{
	const json_t *v;
	const char *s;

	if (parse_to_ref(c, o, out) < 0)
		return -1;
	if ((v = need(c, o, "answer_within")) != NULL &&
	    (s = get_token(c, "answer_within", v)) != NULL) {
		if (agreement_duration_parse(s, strlen(s), &out->window) !=
		    ERR_OK)
			bad(c, "answer_within: not an ISO 8601 duration "
			    "(PnYnMnDTnHnMnS or PnW, whole numbers, not zero)");
		else
			out->answer_within = s;
	}
	return 0;
}

static void
list_free(struct coop_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
coop_free(struct coop_obj *o)
{
	if (o == NULL)
		return;
	list_free(&o->to);
	list_free(&o->evidence);
	list_free(&o->attributed);
	list_free(&o->markings);
	json_decref(o->body_);
	free(o);
}

enum err
coop_from_json(const json_t *obj, struct coop_obj **out,
    struct agreement_report *rep)
{
	struct pctx c = { rep, 0, NULL };
	char ex[EXCERPT_MAX + 4];
	struct coop_obj *o = NULL;
	const json_t *tv;
	const char *key;
	json_t *v;
	enum coop_type t = 0;
	size_t i;
	int r;

	*out = NULL;
	if (!json_is_object(obj)) {
		bad(&c, "not a JSON object");
		return ERR_PARSE;
	}
	tv = json_object_get(obj, "type");
	for (i = 1; json_is_string(tv) && i < N_TYPES; i++)
		if (strcmp(json_string_value(tv), types[i].name) == 0 &&
		    strlen(types[i].name) == json_string_length(tv))
			t = (enum coop_type)i;
	if (t == 0) {
		if (tv == NULL)
			bad(&c, "type: missing");
		else
			bad(&c, "type: must be entente-notification, "
			    "entente-request, entente-response, "
			    "entente-consultation or entente-check");
		return ERR_INVALID;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return ERR_NOMEM;
	o->type = t;
	if ((o->body_ = json_deep_copy(obj)) == NULL) {
		free(o);
		return ERR_NOMEM;
	}
	json_object_foreach(o->body_, key, v) {
		if (in_names(key, common_props) || in_names(key, type_props[t]))
			continue;
		excerpt(ex, key);
		bad(&c, "%s: unknown property", ex);
	}
	if (parse_common(&c, o->body_, t, o) < 0)
		goto nomem;
	switch (t) {
	case COOP_NOTIFICATION:
		r = parse_notification(&c, o->body_, o);
		break;
	case COOP_REQUEST:
		r = parse_request(&c, o->body_, o);
		break;
	case COOP_RESPONSE:
		r = parse_response(&c, o->body_, o);
		break;
	case COOP_CONSULTATION:
		r = parse_consultation(&c, o->body_, o);
		break;
	default:
		r = parse_check(&c, o->body_, o);
		break;
	}
	if (r < 0)
		goto nomem;
	if (c.n_bad > 0) {
		coop_free(o);
		return ERR_INVALID;
	}
	*out = o;
	return ERR_OK;
nomem:
	coop_free(o);
	return ERR_NOMEM;
}

enum err
coop_parse(const char *text, size_t len, struct coop_obj **out,
    struct agreement_report *rep)
{
	struct pctx c = { rep, 0, NULL };
	json_error_t e;
	json_t *doc;
	enum err err;

	*out = NULL;
	if (len > COOP_MAX_BYTES) {
		bad(&c, "longer than %u bytes", COOP_MAX_BYTES);
		return ERR_TOOBIG;
	}
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (doc == NULL) {
		if (json_error_code(&e) == json_error_out_of_memory)
			return ERR_NOMEM;
		bad(&c, "not JSON: %s (line %d, column %d)", e.text, e.line,
		    e.column);
		return ERR_PARSE;
	}
	err = coop_from_json(doc, out, rep);
	json_decref(doc);
	return err;
}

/* ---- the builder ---- */

/*
 * Set o[key] to the string s, or to null when s is NULL or not UTF-8 (the
 * parser then names the property; bad UTF-8 is named here).  -1 on
 * ERR_NOMEM.
 */
static int
put_str(struct pctx *c, json_t *o, const char *key, const char *s)
{
	json_t *v;

	if (s != NULL && !utf8_ok(s)) {
		bad(c, "%s: not valid UTF-8", key);
		s = NULL;
	}
	v = s != NULL ? json_string(s) : json_null();
	return json_object_set_new(o, key, v) == 0 && v != NULL ? 0 : -1;
}

static int
put_list(struct pctx *c, json_t *o, const char *key,
    const struct coop_list *l)
{
	char path[PATH_MAX_LEN];
	json_t *a, *v;
	size_t i;

	if ((a = json_array()) == NULL || json_object_set_new(o, key, a) != 0)
		return -1;
	for (i = 0; i < l->n; i++) {
		if (l->v[i] != NULL && !utf8_ok(l->v[i])) {
			(void)snprintf(path, sizeof(path), "%s[%zu]", key, i);
			bad(c, "%s: not valid UTF-8", path);
			v = json_null();
		} else {
			v = l->v[i] != NULL ? json_string(l->v[i]) :
			    json_null();
		}
		if (json_array_append_new(a, v) != 0 || v == NULL)
			return -1;
	}
	return 0;
}

/* The type's own properties, in the documented order.  -1 on NOMEM. */
static int
put_props(struct pctx *c, json_t *o, const struct coop_obj *b)
{
	switch (b->type) {
	case COOP_NOTIFICATION:
		if (put_list(c, o, "to_refs", &b->to) < 0 ||
		    put_str(c, o, "description", b->text) < 0 ||
		    put_str(c, o, "severity",
		    coop_severity_name(b->severity)) < 0)
			return -1;
		if (b->evidence.n > 0 &&
		    put_list(c, o, "evidence_refs", &b->evidence) < 0)
			return -1;
		return 0;
	case COOP_REQUEST:
		if (put_str(c, o, "to_ref", b->to.n == 1 ? b->to.v[0] :
		    NULL) < 0 ||
		    put_str(c, o, "kind", coop_kind_name(b->kind)) < 0 ||
		    put_str(c, o, "text", b->text) < 0)
			return -1;
		if (b->evidence.n > 0 &&
		    put_list(c, o, "evidence_refs", &b->evidence) < 0)
			return -1;
		return 0;
	case COOP_RESPONSE:
		if (put_str(c, o, "request_ref", b->request_ref) < 0 ||
		    put_str(c, o, "action", coop_action_name(b->action)) < 0)
			return -1;
		if (b->text != NULL && put_str(c, o, "text", b->text) < 0)
			return -1;
		if (b->reason != NULL &&
		    put_str(c, o, "reason", b->reason) < 0)
			return -1;
		return 0;
	case COOP_CONSULTATION:
		if (put_str(c, o, "to_ref", b->to.n == 1 ? b->to.v[0] :
		    NULL) < 0 ||
		    put_str(c, o, "asset_type",
		    coop_asset_name(b->asset_type)) < 0 ||
		    put_str(c, o, "asset", b->asset) < 0 ||
		    put_str(c, o, "description", b->text) < 0 ||
		    put_list(c, o, "evidence_refs", &b->evidence) < 0 ||
		    put_list(c, o, "attributed_refs", &b->attributed) < 0)
			return -1;
		return 0;
	case COOP_CHECK:
		if (put_str(c, o, "to_ref", b->to.n == 1 ? b->to.v[0] :
		    NULL) < 0 ||
		    put_str(c, o, "answer_within", b->answer_within) < 0)
			return -1;
		return 0;
	}
	return 0;
}

enum err
coop_to_json(const struct coop_obj *b, json_t **out,
    struct agreement_report *rep)
{
	struct pctx c = { rep, 0, NULL };
	struct coop_obj *check = NULL;
	char ts[TS_BUFSZ];
	json_t *o, *ext;
	enum err err;

	*out = NULL;
	if (coop_type_name(b->type) == NULL) {
		bad(&c, "type: not a cooperation object type");
		return ERR_INVALID;
	}
	if ((o = json_object()) == NULL)
		return ERR_NOMEM;
	ts_format(b->created, ts);
	if (put_str(&c, o, "type", coop_type_name(b->type)) < 0 ||
	    put_str(&c, o, "spec_version", "2.1") < 0 ||
	    put_str(&c, o, "id", b->id) < 0 ||
	    put_str(&c, o, "created", ts) < 0 ||
	    put_str(&c, o, "modified", ts) < 0 ||
	    put_str(&c, o, "created_by_ref", b->created_by) < 0 ||
	    put_str(&c, o, "agreement_id", b->agreement_id) < 0 ||
	    put_props(&c, o, b) < 0)
		goto nomem;
	if (b->markings.n > 0 &&
	    put_list(&c, o, "object_marking_refs", &b->markings) < 0)
		goto nomem;
	ext = json_pack("{s:{s:s}}", coop_type_ext(b->type), "extension_type",
	    "new-sdo");
	if (ext == NULL || json_object_set_new(o, "extensions", ext) != 0)
		goto nomem;
	/* Whatever the parser refuses is named, then refused. */
	err = coop_from_json(o, &check, rep);
	coop_free(check);
	if (err == ERR_OK && c.n_bad > 0)
		err = ERR_INVALID;
	if (err != ERR_OK) {
		json_decref(o);
		return err;
	}
	*out = o;
	return ERR_OK;
nomem:
	json_decref(o);
	return ERR_NOMEM;
}
