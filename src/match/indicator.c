/*
 * indicator.c: the pattern subset the matcher evaluates, and the walk over
 * a node's usable indicators.
 *
 * The subset is deliberately small: what a single log line can prove
 * (an address, a name, a URL, a hash, an e-mail address was seen).  An
 * OR of observations each holding such tests is accepted too, since any
 * one observation matching is what the OR means; AND, FOLLOWEDBY and
 * qualifiers need several events and a time window, so they are refused.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "match/indicator.h"
#include "util/timeutil.h"

/* Hex digits of each hash kind. */
#define MATCH_MD5_HEX		32
#define MATCH_SHA1_HEX		40
#define MATCH_SHA256_HEX	64
/* Longest domain name (RFC 1035) and label. */
#define MATCH_DOMAIN_MAX	253
#define MATCH_LABEL_MAX		63
/* Longest URL and e-mail value we accept as a term. */
#define MATCH_URL_MAX		8192
#define MATCH_EMAIL_MAX		320	/* 64 + "@" + 255 */
/* Longest IPv6 text with a prefix ("ffff:...:255.255.255.255/128"). */
#define MATCH_IPV6_TEXT_MAX	(INET6_ADDRSTRLEN + 4)

const char *
match_ikind_name(enum match_ikind k)
{
	switch (k) {
	case MATCH_I_IPV4:
		return "ipv4";
	case MATCH_I_IPV6:
		return "ipv6";
	case MATCH_I_DOMAIN:
		return "domain";
	case MATCH_I_URL:
		return "url";
	case MATCH_I_MD5:
		return "md5";
	case MATCH_I_SHA1:
		return "sha1";
	case MATCH_I_SHA256:
		return "sha256";
	case MATCH_I_EMAIL:
		return "email";
	}
	return "?";
}

static int
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/*
 * Parse a decimal in s[0..len) of 1-3 digits without a leading zero (so
 * "010" is not silently octal or decimal) and at most max.
 */
static int
small_dec(const char *s, size_t len, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return 0;
	*out = v;
	return 1;
}

/* Split off "/prefix": *addr_len gets the address part's length. */
static int
split_prefix(const char *s, size_t len, unsigned max, size_t *addr_len)
{
	const char *slash = memchr(s, '/', len);
	unsigned pfx;

	if (slash == NULL) {
		*addr_len = len;
		return 1;
	}
	*addr_len = (size_t)(slash - s);
	return small_dec(slash + 1, len - *addr_len - 1, max, &pfx);
}

static int
ipv4_ok(const char *s, size_t len)
{
	size_t i = 0, start, alen;
	unsigned v;
	int dots = 0;

	if (!split_prefix(s, len, 32, &alen))
		return 0;
	for (;;) {
		start = i;
		while (i < alen && s[i] != '.')
			i++;
		if (!small_dec(s + start, i - start, 255, &v))
			return 0;
		if (i == alen)
			break;
		if (++dots > 3)
			return 0;
		i++;
	}
	return dots == 3;
}

static int
ipv6_ok(const char *s, size_t len)
{
	char tmp[MATCH_IPV6_TEXT_MAX + 1];
	unsigned char bin[16];
	size_t alen;

	if (!split_prefix(s, len, 128, &alen) || alen == 0 ||
	    alen >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, alen);
	tmp[alen] = '\0';
	/* inet_pton also refuses zone ids ("%eth0"), which is wanted. */
	return inet_pton(AF_INET6, tmp, bin) == 1;
}

/* A dotted host name of at least two labels, ASCII only. */
static int
domain_ok(const char *s, size_t len)
{
	size_t lab = 0;
	int labels = 0;

	if (len == 0 || len > MATCH_DOMAIN_MAX)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (lab == 0 || lab > MATCH_LABEL_MAX ||
			    s[i - 1] == '-' || s[i - lab] == '-')
				return 0;
			labels++;
			lab = 0;
			continue;
		}
		if (!is_alnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_')
			return 0;
		lab++;
	}
	/* Top-level domains are never all digits (RFC 3696 section 2), which
	 * also keeps IPv4 addresses and "1.2.3.4000" out. */
	for (size_t i = len; i > 0 && s[i - 1] != '.'; i--)
		if (s[i - 1] < '0' || s[i - 1] > '9')
			return labels >= 2;
	return 0;
}

/* scheme "://" and at least one printable, non-space byte. */
static int
url_ok(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0 || len > MATCH_URL_MAX ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	while (i < len && (is_alnum((unsigned char)s[i]) || s[i] == '+' ||
	    s[i] == '-' || s[i] == '.'))
		i++;
	if (len - i < 4 || memcmp(s + i, "://", 3) != 0)
		return 0;
	for (i += 3; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] == 0x7f)
			return 0;
	return 1;
}

/* local@domain, the local part printable ASCII without '@' or spaces. */
static int
email_ok(const char *s, size_t len)
{
	const char *at;
	size_t local;

	if (len == 0 || len > MATCH_EMAIL_MAX ||
	    (at = memchr(s, '@', len)) == NULL)
		return 0;
	local = (size_t)(at - s);
	if (local == 0 || local > 64)
		return 0;
	for (size_t i = 0; i < local; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f ||
		    s[i] == '<' || s[i] == '>' || s[i] == '"')
			return 0;
	return domain_ok(at + 1, len - local - 1);
}

static int
hex_ok(const char *s, size_t len, size_t want)
{
	if (len != want)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!is_hex((unsigned char)s[i]))
			return 0;
	return 1;
}

int
match_term_valid(enum match_ikind k, const char *s, size_t len)
{
	if (s == NULL || len == 0 || memchr(s, '\0', len) != NULL)
		return 0;
	switch (k) {
	case MATCH_I_IPV4:
		return ipv4_ok(s, len);
	case MATCH_I_IPV6:
		return ipv6_ok(s, len);
	case MATCH_I_DOMAIN:
		return domain_ok(s, len);
	case MATCH_I_URL:
		return url_ok(s, len);
	case MATCH_I_MD5:
		return hex_ok(s, len, MATCH_MD5_HEX);
	case MATCH_I_SHA1:
		return hex_ok(s, len, MATCH_SHA1_HEX);
	case MATCH_I_SHA256:
		return hex_ok(s, len, MATCH_SHA256_HEX);
	case MATCH_I_EMAIL:
		return email_ok(s, len);
	}
	return 0;
}

/* State of one match_terms() call. */
struct terms_ctx {
	struct match_term	*out;
	size_t			 cap;
	size_t			 n;
	char			*why;
	size_t			 why_cap;
};

static enum err __attribute__((format(printf, 3, 4)))
refuse(struct terms_ctx *c, enum err e, const char *fmt, ...)
{
	va_list ap;

	if (c->why_cap > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(c->why, c->why_cap, fmt, ap);
		va_end(ap);
	}
	return e;
}

/* Name of the key at path[i], or NULL when it is not a key segment. */
static const char *
seg_key(const struct stix_pat_node *t, size_t i)
{
	if (i >= t->u.test.n_path ||
	    t->u.test.path[i].kind != STIX_PAT_SEG_KEY)
		return NULL;
	return t->u.test.path[i].key;
}

/* Accept 'SHA-256' (the STIX spelling) and the common 'SHA256'. */
static int
hash_kind(const char *alg, enum match_ikind *k)
{
	if (strcasecmp(alg, "MD5") == 0)
		*k = MATCH_I_MD5;
	else if (strcasecmp(alg, "SHA-1") == 0 || strcasecmp(alg, "SHA1") == 0)
		*k = MATCH_I_SHA1;
	else if (strcasecmp(alg, "SHA-256") == 0 ||
	    strcasecmp(alg, "SHA256") == 0)
		*k = MATCH_I_SHA256;
	else
		return 0;
	return 1;
}

/* Which kind of term the object path of test t designates. */
static enum err
test_kind(struct terms_ctx *c, const struct stix_pat_node *t,
    enum match_ikind *k)
{
	const char *type = t->u.test.type, *p0 = seg_key(t, 0);
	const char *p1 = seg_key(t, 1);
	size_t np = t->u.test.n_path;

	if (np == 1 && p0 != NULL && strcmp(p0, "value") == 0) {
		if (strcmp(type, "ipv4-addr") == 0)
			*k = MATCH_I_IPV4;
		else if (strcmp(type, "ipv6-addr") == 0)
			*k = MATCH_I_IPV6;
		else if (strcmp(type, "domain-name") == 0)
			*k = MATCH_I_DOMAIN;
		else if (strcmp(type, "url") == 0)
			*k = MATCH_I_URL;
		else if (strcmp(type, "email-addr") == 0)
			*k = MATCH_I_EMAIL;
		else
			goto bad;
		return ERR_OK;
	}
	if (np == 2 && strcmp(type, "file") == 0 && p0 != NULL &&
	    strcmp(p0, "hashes") == 0 && p1 != NULL) {
		if (hash_kind(p1, k))
			return ERR_OK;
		return refuse(c, ERR_UNSUPPORTED, "hash algorithm '%.40s' "
		    "is not supported (MD5, SHA-1, SHA-256 are)", p1);
	}
bad:
	return refuse(c, ERR_UNSUPPORTED, "property %.60s:%.40s%s is not "
	    "supported", type, p0 != NULL ? p0 : "[...]", np > 1 ? "..." : "");
}

static enum err
add_value(struct terms_ctx *c, enum match_ikind k, int subset,
    const struct stix_pat_value *v)
{
	size_t len;

	if (v->type != STIX_PAT_V_STRING)
		return refuse(c, ERR_UNSUPPORTED, "value at offset %u is not "
		    "a string", (unsigned)v->offset);
	len = v->u.str.len;
	/* A fully qualified name's root dot adds nothing to the match. */
	if (k == MATCH_I_DOMAIN && len > 1 && v->u.str.ptr[len - 1] == '.')
		len--;
	if (!match_term_valid(k, v->u.str.ptr, len))
		return refuse(c, ERR_UNSUPPORTED, "not a valid %s value at "
		    "offset %u", match_ikind_name(k), (unsigned)v->offset);
	if (subset && memchr(v->u.str.ptr, '/', len) == NULL)
		return refuse(c, ERR_UNSUPPORTED, "ISSUBSET needs a CIDR "
		    "value at offset %u", (unsigned)v->offset);
	if (c->n == c->cap)
		return refuse(c, ERR_TOOBIG, "more than %zu terms", c->cap);
	c->out[c->n].kind = k;
	c->out[c->n].value = v->u.str.ptr;
	c->out[c->n].len = len;
	c->out[c->n].subset = subset;
	c->n++;
	return ERR_OK;
}

static enum err
add_test(struct terms_ctx *c, const struct stix_pat_node *t)
{
	enum match_ikind k = MATCH_I_IPV4;
	enum err err;
	int subset;

	if (t->kind == STIX_PAT_CMP_AND)
		return refuse(c, ERR_UNSUPPORTED, "AND inside an observation "
		    "is not supported");
	if (t->kind != STIX_PAT_TEST)
		return refuse(c, ERR_UNSUPPORTED, "unexpected node at "
		    "offset %u", (unsigned)t->offset);
	if ((err = test_kind(c, t, &k)) != ERR_OK)
		return err;
	if (t->u.test.negated)
		return refuse(c, ERR_UNSUPPORTED, "NOT %s is not supported",
		    stix_pat_op_str(t->u.test.op));
	switch (t->u.test.op) {
	case STIX_PAT_EQ:
	case STIX_PAT_IN:
		subset = 0;
		break;
	case STIX_PAT_ISSUBSET:
		if (k != MATCH_I_IPV4 && k != MATCH_I_IPV6)
			goto badop;
		subset = 1;
		break;
	default:
		goto badop;
	}
	if (t->u.test.n_values == 0)
		return refuse(c, ERR_UNSUPPORTED, "empty IN set");
	for (size_t i = 0; i < t->u.test.n_values; i++)
		if ((err = add_value(c, k, subset, &t->u.test.values[i])) !=
		    ERR_OK)
			return err;
	return ERR_OK;
badop:
	return refuse(c, ERR_UNSUPPORTED, "operator %s on %s is not "
	    "supported", stix_pat_op_str(t->u.test.op), t->u.test.type);
}

/* One bracketed observation: a test or an OR of tests. */
static enum err
add_observation(struct terms_ctx *c, const struct stix_pat_node *obs)
{
	const struct stix_pat_node *e;
	enum err err;

	switch (obs->kind) {
	case STIX_PAT_OBSERVATION:
		break;
	case STIX_PAT_QUALIFIED:
		return refuse(c, ERR_UNSUPPORTED, "qualifiers (WITHIN, "
		    "REPEATS, START/STOP) are not supported");
	case STIX_PAT_OBS_AND:
		return refuse(c, ERR_UNSUPPORTED, "AND between observations "
		    "is not supported");
	case STIX_PAT_OBS_FOLLOWEDBY:
		return refuse(c, ERR_UNSUPPORTED, "FOLLOWEDBY is not "
		    "supported");
	default:
		return refuse(c, ERR_UNSUPPORTED, "unexpected node at "
		    "offset %u", (unsigned)obs->offset);
	}
	e = obs->u.expr;
	if (e->kind != STIX_PAT_CMP_OR)
		return add_test(c, e);
	for (size_t i = 0; i < e->u.list.n_kids; i++)
		if ((err = add_test(c, e->u.list.kids[i])) != ERR_OK)
			return err;
	return ERR_OK;
}

enum err
match_terms(const struct stix_pattern *p, struct match_term *out, size_t cap,
    size_t *n_out, char *why, size_t why_cap)
{
	const struct stix_pat_node *root = stix_pattern_root(p);
	struct terms_ctx c = { out, cap, 0, why, why_cap };
	enum err err = ERR_OK;

	*n_out = 0;
	if (why_cap > 0)
		why[0] = '\0';
	if (root->kind == STIX_PAT_OBS_OR) {
		for (size_t i = 0; i < root->u.list.n_kids; i++)
			if ((err = add_observation(&c,
			    root->u.list.kids[i])) != ERR_OK)
				goto out;
	} else if ((err = add_observation(&c, root)) != ERR_OK)
		goto out;
	*n_out = c.n;
out:
	return err;
}

/* Which indicators a walk reports. */
struct walk {
	const char *const	*types;	/* pattern types wanted */
	size_t			 n_types;
	int64_t			 now;
	match_ind_cb		 cb;
	void			*arg;
	size_t			 n_unusable;
	const struct match_use	*use;	/* NULL: every version */
};

/* 1 when ind is usable at w->now and has a wanted pattern type. */
static int
usable(const struct walk *w, const json_t *ind, const char **pattern)
{
	const json_t *v;
	const char *ptype;
	int64_t from, until;
	int want = 0;

	v = json_object_get(ind, "pattern_type");
	if (!json_is_string(v))
		return 0;
	ptype = json_string_value(v);
	for (size_t i = 0; i < w->n_types; i++)
		if (strcmp(ptype, w->types[i]) == 0)
			want = 1;
	if (!want)
		return 0;
	v = json_object_get(ind, "pattern");
	if (!json_is_string(v))
		return 0;
	*pattern = json_string_value(v);
	v = json_object_get(ind, "revoked");
	if (v != NULL && !json_is_false(v))
		return 0;
	v = json_object_get(ind, "valid_from");
	if (!json_is_string(v) || ts_parse(json_string_value(v),
	    json_string_length(v), &from, NULL) != ERR_OK || from > w->now)
		return 0;
	v = json_object_get(ind, "valid_until");
	if (v != NULL && (!json_is_string(v) ||
	    ts_parse(json_string_value(v), json_string_length(v), &until,
	    NULL) != ERR_OK || w->now >= until))
		return 0;
	return 1;
}

static enum err
walk_row(struct walk *w, const struct store_row *r)
{
	const char *pattern = NULL;
	json_error_t jerr;
	json_t *ind;
	enum err err = ERR_OK;

	if (r->json == NULL || (w->use != NULL && w->use->allow != NULL &&
	    !w->use->allow(w->use->arg, r))) {
		w->n_unusable++;
		return ERR_OK;
	}
	ind = json_loadb(r->json, r->json_len, 0, &jerr);
	if (ind == NULL || !json_is_object(ind) || !usable(w, ind, &pattern))
		w->n_unusable++;
	else
		err = w->cb(w->arg, r->stix_id, pattern, ind);
	json_decref(ind);
	return err;
}

static enum err
walk_collection(struct store *st, struct walk *w, int64_t coll_id)
{
	const char *types[] = { "indicator" };
	struct store_page page = { 0 };
	struct store_query q;
	enum err err = ERR_OK;

	memset(&q, 0, sizeof(q));
	q.coll_id = coll_id;
	q.types = types;
	q.n_types = 1;
	q.ver_flags = STORE_VER_LAST;
	q.limit = LIM_PAGE_MAX;
	q.want_json = 1;
	for (;;) {
		err = store_query_objects(st, &q, &page);
		if (err != ERR_OK)
			goto out;
		for (size_t i = 0; i < page.n; i++)
			if ((err = walk_row(w, &page.rows[i])) != ERR_OK)
				goto out;
		if (!page.more || page.n == 0)
			break;
		q.after = page.rows[page.n - 1].date_added;
		store_page_free(&page);
	}
out:
	store_page_free(&page);
	return err;
}

static enum err
walk_all(struct store *st, struct walk *w, size_t *n_unusable)
{
	struct store_collection *colls = NULL;
	size_t n_colls = 0;
	enum err err;
	int in_txn = 0;

	if (n_unusable != NULL)
		*n_unusable = 0;
	/* One snapshot for the whole walk when no transaction is open. */
	err = store_read_begin(st);
	if (err == ERR_OK)
		in_txn = 1;
	else if (err != ERR_RANGE)
		goto out;
	if ((err = store_collection_list(st, &colls, &n_colls)) != ERR_OK)
		goto out;
	for (size_t i = 0; i < n_colls; i++)
		if ((err = walk_collection(st, w, colls[i].id)) != ERR_OK)
			goto out;
out:
	free(colls);
	if (in_txn)
		store_read_end(st);
	if (n_unusable != NULL)
		*n_unusable = w->n_unusable;
	return err;
}

enum err
match_indicators_each(struct store *st, int64_t now_us,
    const struct match_use *use, match_ind_cb cb, void *arg,
    size_t *n_unusable)
{
	static const char *const stix[] = { "stix" };
	struct walk w = { stix, 1, now_us, cb, arg, 0, use };

	return walk_all(st, &w, n_unusable);
}

enum err
match_indicators_each_type(struct store *st, int64_t now_us,
    const struct match_use *use, const char *const *types, size_t n_types,
    match_ind_cb cb, void *arg, size_t *n_unusable)
{
	struct walk w = { types, n_types, now_us, cb, arg, 0, use };

	return walk_all(st, &w, n_unusable);
}
