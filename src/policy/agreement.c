/*
 * agreement.c: the strict parser and validator of agreement documents.
 *
 * One pass over the document checks every member against docs/agreements.md
 * and keeps going after a problem, so that one run names every mistake of a
 * draft.  Nothing is trusted: sizes are checked before they are used, every
 * list is bounded, strings are checked for their character set, and the
 * JSON tree kept for hashing is a private deep copy that nobody else can
 * change under the pointers the struct holds.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/agreement.h"
#include "policy/agreement_int.h"
#include "stix/jcs.h"
#include "stix/stix.h"
#include "util/timeutil.h"

/* Member paths in problem lines: a clause ("clauses.protected[31]") and
 * anything inside one ("clauses.protected[31].sectors[63]"). */
#define BASE_MAX_LEN	48u
#define PATH_MAX_LEN	96u

struct pctx {
	struct agreement_report	*rep;
	size_t			 n_bad;
	struct agreement	*a;
	int			 parties_ok;	/* names and keys usable */
};

static void __attribute__((format(printf, 2, 3)))
bad(struct pctx *c, const char *fmt, ...)
{
	char line[AGREEMENT_REASON_MAX];
	va_list ap;

	c->n_bad++;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	agreement_report_add(c->rep, "%s", line);
}

void
agreement_report_init(struct agreement_report *r)
{
	r->n = 0;
	r->n_more = 0;
}

void
agreement_report_add(struct agreement_report *r, const char *fmt, ...)
{
	va_list ap;

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

void
agreement_excerpt(char *out, size_t cap, const char *s, size_t len)
{
	size_t i, n = len < AGREEMENT_EXCERPT_MAX ? len : AGREEMENT_EXCERPT_MAX;
	size_t o = 0;

	if (cap == 0)
		return;
	for (i = 0; i < n && o + 1 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];

		out[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	if (n < len && o + 4 <= cap) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

int
agreement_text_ok(const char *s, size_t len, size_t max, int multiline)
{
	size_t i;

	if (len > max)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\t' || ch == '\n') {
			if (!multiline)
				return 0;
		} else if (ch < 0x20 || ch == 0x7f) {
			return 0;
		}
	}
	return 1;
}

int
agreement_id_ok(const char *s, size_t len)
{
	size_t i;

	if (len != AGREEMENT_ID_LEN ||
	    memcmp(s, AGREEMENT_ID_PREFIX, 11) != 0 ||
	    !uuid_valid(s + 11, UUID_STRLEN))
		return 0;
	for (i = 11; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'F')
			return 0;
	return 1;
}

int
agreement_b64_exact(const char *s, size_t len, uint8_t *out, size_t n)
{
	uint8_t tmp[CRYPTO_ED25519_SIG_BYTES];
	size_t got = 0;

	if (n > sizeof(tmp) || len != CRYPTO_B64_LEN(n))
		return 0;
	if (crypto_b64_decode(s, len, 0, tmp, sizeof(tmp), &got) != ERR_OK ||
	    got != n)
		return 0;
	memcpy(out, tmp, n);
	return 1;
}

/* ---- generic member checks ---- */

static int
in_names(const char *key, const char *const *names)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(key, names[i]) == 0)
			return 1;
	return 0;
}

/* Refuse members of o not in names; what says "member" or "clause". */
static void
check_members(struct pctx *c, const char *path, const json_t *o,
    const char *const *names, const char *what)
{
	char ex[AGREEMENT_EXCERPT_MAX + 4];
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		if (in_names(key, names))
			continue;
		agreement_excerpt(ex, sizeof(ex), key, strlen(key));
		bad(c, "%s%s%s: unknown %s", path, path[0] != '\0' ? "." : "",
		    ex, what);
	}
}

/* The member name of o, or NULL after a "missing" problem. */
static const json_t *
need(struct pctx *c, const char *path, const json_t *o, const char *name)
{
	const json_t *v = json_object_get(o, name);

	if (v == NULL)
		bad(c, "%s%s%s: missing", path, path[0] != '\0' ? "." : "",
		    name);
	return v;
}

/*
 * v as a string of min to max bytes without NUL or control characters
 * (but tab and newline when multiline), or NULL after a problem.
 */
static const char *
get_text(struct pctx *c, const char *path, const json_t *v, size_t min,
    size_t max, int multiline)
{
	const char *s;
	size_t len;

	if (!json_is_string(v)) {
		bad(c, "%s: must be a string", path);
		return NULL;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (strlen(s) != len) {
		bad(c, "%s: contains a NUL character", path);
		return NULL;
	}
	if (len < min) {
		bad(c, "%s: must not be empty", path);
		return NULL;
	}
	if (len > max) {
		bad(c, "%s: longer than %zu bytes", path, max);
		return NULL;
	}
	if (!agreement_text_ok(s, len, max, multiline)) {
		bad(c, "%s: contains a control character", path);
		return NULL;
	}
	return s;
}

/* v as an array of at most max items (at least min), or NULL. */
static const json_t *
get_array(struct pctx *c, const char *path, const json_t *v, size_t min,
    size_t max)
{
	size_t n;

	if (!json_is_array(v)) {
		bad(c, "%s: must be an array", path);
		return NULL;
	}
	n = json_array_size(v);
	if (n < min) {
		bad(c, "%s: must have at least %zu item%s", path, min,
		    min == 1 ? "" : "s");
		return NULL;
	}
	if (n > max) {
		bad(c, "%s: more than %zu items", path, max);
		return NULL;
	}
	return v;
}

static const json_t *
get_object(struct pctx *c, const char *path, const json_t *v)
{
	if (!json_is_object(v)) {
		bad(c, "%s: must be an object", path);
		return NULL;
	}
	return v;
}

/* ---- value syntaxes ---- */

static int
party_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > AGREEMENT_MAX_NAME || s[0] == ' ' ||
	    s[len - 1] == ' ')
		return 0;
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == ' ' || ch == '.' ||
		    ch == '_' || ch == '-'))
			return 0;
	}
	return 1;
}

static int
ascii_caseeq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char x = *a, y = *b;

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* A STIX type name, checked by the STIX layer's own identifier rule. */
static int
stix_type_ok(const char *s, size_t len)
{
	static const char uuid[] = "--00000000-0000-4000-8000-000000000000";
	char id[LIM_STIX_ID + 1];

	if (len < 3 || len > LIM_STIX_TYPE)
		return 0;
	memcpy(id, s, len);
	memcpy(id + len, uuid, sizeof(uuid));	/* always fits */
	return stix_id_valid(id);
}

static int
collection_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > AGREEMENT_MAX_COLLECTION)
		return 0;
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		    ch == '-'))
			return 0;
	}
	return 1;
}

int
agreement_sector_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > AGREEMENT_MAX_SECTOR || s[0] == '-' ||
	    s[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* Lower-case LDH labels of 1 to 63 bytes, at least two, no final dot. */
int
agreement_domain_ok(const char *s, size_t len)
{
	size_t i, lab = 0, n_labels = 1;

	if (len == 0 || len > AGREEMENT_MAX_DOMAIN)
		return 0;
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '.') {
			if (lab == 0 || s[i - 1] == '-')
				return 0;
			lab = 0;
			n_labels++;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-'))
			return 0;
		if (ch == '-' && lab == 0)
			return 0;
		if (++lab > 63)
			return 0;
	}
	return lab > 0 && s[len - 1] != '-' && n_labels >= 2;
}

/*
 * An address block in the canonical text inet_ntop writes, a prefix
 * length without leading zeros, and no bit set past the prefix.  Returns
 * NULL when fine, else what is wrong.
 */
const char *
agreement_cidr_problem(const char *s, size_t len)
{
	char addr[AGREEMENT_MAX_CIDR + 1], back[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	const char *slash;
	size_t alen, plen, i, nbytes;
	unsigned long prefix = 0;
	int af, max;

	if (len > AGREEMENT_MAX_CIDR)
		return "too long for an address block";
	slash = memchr(s, '/', len);
	if (slash == NULL)
		return "needs a prefix length (\"/n\")";
	alen = (size_t)(slash - s);
	plen = len - alen - 1;
	if (alen == 0 || plen == 0 || plen > 3 ||
	    (plen > 1 && slash[1] == '0'))
		return "not an address block ADDRESS/PREFIX";
	for (i = 0; i < plen; i++) {
		if (slash[1 + i] < '0' || slash[1 + i] > '9')
			return "not an address block ADDRESS/PREFIX";
		prefix = prefix * 10 + (unsigned long)(slash[1 + i] - '0');
	}
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	af = memchr(addr, ':', alen) != NULL ? AF_INET6 : AF_INET;
	max = af == AF_INET6 ? 128 : 32;
	if (inet_pton(af, addr, bin) != 1)
		return "not an IPv4 or IPv6 address";
	if (inet_ntop(af, bin, back, sizeof(back)) == NULL ||
	    strcmp(back, addr) != 0)
		return "address not in canonical form (lower case, shortest)";
	if (prefix > (unsigned long)max)
		return "prefix length too large";
	nbytes = (size_t)max / 8;
	for (i = 0; i < nbytes; i++) {
		unsigned long first = i * 8;
		unsigned char mask;

		if (first + 8 <= prefix)
			continue;
		mask = first >= prefix ? 0xff :
		    (unsigned char)(0xffu >> (prefix - first));
		if ((bin[i] & mask) != 0)
			return "bits set past the prefix length";
	}
	return NULL;
}

/* ---- lists of strings ---- */

enum list_kind {
	LIST_TYPES,
	LIST_LABELS,
	LIST_COLLECTIONS,
	LIST_CIDRS,
	LIST_DOMAINS,
	LIST_SECTORS
};

/*
 * Read the array v (at path) into l: min items at least, no duplicate,
 * each valid for kind.  For types and collections "*" alone means any.
 */
static enum err
get_list(struct pctx *c, const char *path, const json_t *v, size_t min,
    enum list_kind kind, struct agreement_list *l)
{
	char ipath[PATH_MAX_LEN], ex[AGREEMENT_EXCERPT_MAX + 4];
	const char *s, *why;
	size_t i, j, n, len;
	int wild_ok = kind == LIST_TYPES || kind == LIST_COLLECTIONS;

	if (get_array(c, path, v, min, AGREEMENT_MAX_LIST) == NULL)
		return ERR_OK;
	n = json_array_size(v);
	if (n == 0)
		return ERR_OK;
	l->v = calloc(n, sizeof(*l->v));
	if (l->v == NULL)
		return ERR_NOMEM;
	for (i = 0; i < n; i++) {
		(void)snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		s = get_text(c, ipath, json_array_get(v, i), 1,
		    kind == LIST_LABELS ? AGREEMENT_MAX_LABEL :
		    AGREEMENT_MAX_DOMAIN, 0);
		if (s == NULL)
			continue;
		len = strlen(s);
		agreement_excerpt(ex, sizeof(ex), s, len);
		if (strcmp(s, "*") == 0) {
			if (!wild_ok) {
				bad(c, "%s: \"*\" is not allowed here", ipath);
				continue;
			}
			if (n != 1) {
				bad(c, "%s: \"*\" must be the only item",
				    ipath);
				continue;
			}
			l->any = 1;
			l->v[l->n++] = s;
			continue;
		}
		why = NULL;
		switch (kind) {
		case LIST_TYPES:
			if (!stix_type_ok(s, len))
				why = "not a STIX type name";
			break;
		case LIST_LABELS:
			break;
		case LIST_COLLECTIONS:
			if (!collection_ok(s, len))
				why = "not a collection name (1-64 of "
				    "A-Z a-z 0-9 . _ -)";
			break;
		case LIST_CIDRS:
			why = agreement_cidr_problem(s, len);
			break;
		case LIST_DOMAINS:
			if (!agreement_domain_ok(s, len))
				why = "not a lower-case domain name";
			break;
		case LIST_SECTORS:
			if (!agreement_sector_ok(s, len))
				why = "not a sector name (1-64 of a-z 0-9 -)";
			break;
		}
		if (why != NULL) {
			bad(c, "%s: %s (\"%s\")", ipath, why, ex);
			continue;
		}
		for (j = 0; j < l->n; j++)
			if (strcmp(l->v[j], s) == 0)
				break;
		if (j < l->n) {
			bad(c, "%s: duplicate value \"%s\"", ipath, ex);
			continue;
		}
		l->v[l->n++] = s;
	}
	return ERR_OK;
}

static void
list_free(struct agreement_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* ---- parts of the document ---- */

static void
parse_id(struct pctx *c, const json_t *v)
{
	const char *s;

	if ((s = get_text(c, "id", v, 1, 64, 0)) == NULL)
		return;
	if (!agreement_id_ok(s, strlen(s))) {
		bad(c, "id: must be \"agreement--\" and a lower-case UUID");
		return;
	}
	memcpy(c->a->id, s, AGREEMENT_ID_LEN + 1);
}

static void
parse_version(struct pctx *c, const json_t *v)
{
	json_int_t n;

	if (!json_is_integer(v)) {
		bad(c, "version: must be an integer");
		return;
	}
	n = json_integer_value(v);
	if (n < 1 || (unsigned long long)n > AGREEMENT_MAX_VERSION) {
		bad(c, "version: must be from 1 to %lu",
		    (unsigned long)AGREEMENT_MAX_VERSION);
		return;
	}
	c->a->version = (uint32_t)n;
}

static int
parse_time(struct pctx *c, const char *path, const json_t *v, int64_t *out)
{
	const char *s;

	if ((s = get_text(c, path, v, 1, 64, 0)) == NULL)
		return 0;
	if (ts_parse(s, strlen(s), out, NULL) != ERR_OK) {
		bad(c, "%s: not an RFC 3339 UTC timestamp "
		    "(YYYY-MM-DDTHH:MM:SS[.frac]Z)", path);
		return 0;
	}
	return 1;
}

static enum err
parse_parties(struct pctx *c, const json_t *v)
{
	static const char *const names[] = { "name", "key", "contact", NULL };
	struct agreement_party *p;
	char path[PATH_MAX_LEN], ex[AGREEMENT_EXCERPT_MAX + 4];
	const json_t *o, *m;
	const char *s;
	size_t i, j, n;
	int ok = 1;

	if (get_array(c, "parties", v, 2, AGREEMENT_MAX_PARTIES) == NULL)
		return ERR_OK;
	n = json_array_size(v);
	c->a->parties = calloc(n, sizeof(*c->a->parties));
	if (c->a->parties == NULL)
		return ERR_NOMEM;
	c->a->n_parties = n;
	for (i = 0; i < n; i++) {
		p = &c->a->parties[i];
		(void)snprintf(path, sizeof(path), "parties[%zu]", i);
		if ((o = get_object(c, path, json_array_get(v, i))) == NULL) {
			ok = 0;
			continue;
		}
		check_members(c, path, o, names, "member");
		m = need(c, path, o, "name");
		(void)snprintf(path, sizeof(path), "parties[%zu].name", i);
		if (m != NULL &&
		    (s = get_text(c, path, m, 1, AGREEMENT_MAX_NAME, 0)) !=
		    NULL) {
			if (!party_name_ok(s, strlen(s))) {
				agreement_excerpt(ex, sizeof(ex), s, strlen(s));
				bad(c, "%s: not a party name (1-%u of letters, "
				    "digits, space, '.', '_', '-') (\"%s\")",
				    path, AGREEMENT_MAX_NAME, ex);
			} else {
				p->name = s;
			}
		}
		if (p->name == NULL)
			ok = 0;
		(void)snprintf(path, sizeof(path), "parties[%zu].key", i);
		m = json_object_get(o, "key");
		if (m == NULL) {
			bad(c, "%s: missing", path);
			ok = 0;
		} else if (!json_is_string(m) ||
		    !agreement_b64_exact(json_string_value(m),
		    json_string_length(m), p->key, sizeof(p->key))) {
			bad(c, "%s: malformed key: not the standard base64 "
			    "(%u characters) of a 32-byte Ed25519 public key",
			    path, (unsigned)AGREEMENT_KEY_B64_LEN);
			ok = 0;
		} else {
			agreement_identity_id(p->key, p->identity);
		}
		(void)snprintf(path, sizeof(path), "parties[%zu].contact", i);
		if ((m = json_object_get(o, "contact")) == NULL)
			bad(c, "%s: missing", path);
		else
			p->contact = get_text(c, path, m, 1,
			    AGREEMENT_MAX_CONTACT, 0);
	}
	/* Duplicates: names (ignoring ASCII case) and keys. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (c->a->parties[i].name != NULL &&
			    c->a->parties[j].name != NULL &&
			    ascii_caseeq(c->a->parties[i].name,
			    c->a->parties[j].name)) {
				bad(c, "parties[%zu].name: duplicate party "
				    "name (parties[%zu] has it)", i, j);
				ok = 0;
			}
			if (c->a->parties[i].identity[0] != '\0' &&
			    c->a->parties[j].identity[0] != '\0' &&
			    memcmp(c->a->parties[i].key, c->a->parties[j].key,
			    CRYPTO_ED25519_PUBLIC_BYTES) == 0) {
				bad(c, "parties[%zu].key: duplicate key "
				    "(parties[%zu] has it)", i, j);
				ok = 0;
			}
		}
	}
	c->parties_ok = ok;
	return ERR_OK;
}

/* The index of the party named s, or -1 after a problem at path. */
static long
party_ref(struct pctx *c, const char *path, const json_t *v)
{
	char ex[AGREEMENT_EXCERPT_MAX + 4];
	const char *s;
	size_t i;

	if ((s = get_text(c, path, v, 1, AGREEMENT_MAX_NAME + 8, 0)) == NULL)
		return -1;
	for (i = 0; i < c->a->n_parties; i++)
		if (c->a->parties[i].name != NULL &&
		    strcmp(c->a->parties[i].name, s) == 0)
			return (long)i;
	if (c->a->n_parties > 0) {
		agreement_excerpt(ex, sizeof(ex), s, strlen(s));
		bad(c, "%s: names no party (\"%s\")", path, ex);
	}
	return -1;
}

static int
tlp_from(const char *s, enum agreement_tlp *out)
{
	enum agreement_tlp t;

	for (t = AGREEMENT_TLP_CLEAR; t <= AGREEMENT_TLP_RED; t++)
		if (strcmp(s, agreement_tlp_name(t)) == 0) {
			*out = t;
			return 1;
		}
	return 0;
}

static int
onward_from(const char *s, enum agreement_onward *out)
{
	enum agreement_onward o;

	for (o = AGREEMENT_ONWARD_NONE; o <= AGREEMENT_ONWARD_ANY; o++)
		if (strcmp(s, agreement_onward_name(o)) == 0) {
			*out = o;
			return 1;
		}
	return 0;
}

static enum err
parse_share_one(struct pctx *c, size_t i, const json_t *o,
    struct agreement_share *sh)
{
	static const char *const names[] = { "from", "to", "types",
	    "labels_any", "collections", "tlp_max", "onward", NULL };
	char base[BASE_MAX_LEN], path[PATH_MAX_LEN];
	const json_t *m;
	const char *s;
	long from = -1, to = -1;
	int to_all = 0, tlp_ok = 0;
	enum err err;

	(void)snprintf(base, sizeof(base), "clauses.share[%zu]", i);
	check_members(c, base, o, names, "member");

	(void)snprintf(path, sizeof(path), "%s.from", base);
	if ((m = need(c, base, o, "from")) != NULL)
		from = party_ref(c, path, m);
	(void)snprintf(path, sizeof(path), "%s.to", base);
	if ((m = need(c, base, o, "to")) != NULL) {
		if (json_is_string(m) && strcmp(json_string_value(m), "*") == 0)
			to_all = 1;
		else
			to = party_ref(c, path, m);
	}
	sh->from = from >= 0 ? (size_t)from : 0;
	sh->to = to_all ? AGREEMENT_TO_ALL : to >= 0 ? (size_t)to : 0;
	if (from >= 0 && to >= 0 && from == to)
		bad(c, "%s: from and to name the same party", path);

	(void)snprintf(path, sizeof(path), "%s.types", base);
	if ((m = need(c, base, o, "types")) != NULL &&
	    (err = get_list(c, path, m, 1, LIST_TYPES, &sh->types)) != ERR_OK)
		return err;
	(void)snprintf(path, sizeof(path), "%s.labels_any", base);
	if ((m = json_object_get(o, "labels_any")) != NULL &&
	    (err = get_list(c, path, m, 0, LIST_LABELS, &sh->labels_any)) !=
	    ERR_OK)
		return err;
	(void)snprintf(path, sizeof(path), "%s.collections", base);
	if ((m = need(c, base, o, "collections")) != NULL &&
	    (err = get_list(c, path, m, 1, LIST_COLLECTIONS,
	    &sh->collections)) != ERR_OK)
		return err;

	(void)snprintf(path, sizeof(path), "%s.tlp_max", base);
	if ((m = need(c, base, o, "tlp_max")) != NULL &&
	    (s = get_text(c, path, m, 1, 32, 0)) != NULL) {
		if (!tlp_from(s, &sh->tlp_max))
			bad(c, "%s: must be \"clear\", \"green\", \"amber\", "
			    "\"amber+strict\" or \"red\"", path);
		else
			tlp_ok = 1;
	}
	if (tlp_ok && sh->tlp_max == AGREEMENT_TLP_RED && to_all)
		bad(c, "%s: \"red\" needs `to` to name one party (TLP:RED "
		    "goes only to parties named individually)", path);
	(void)snprintf(path, sizeof(path), "%s.onward", base);
	if ((m = need(c, base, o, "onward")) != NULL &&
	    (s = get_text(c, path, m, 1, 32, 0)) != NULL &&
	    !onward_from(s, &sh->onward))
		bad(c, "%s: must be \"none\", \"parties\" or \"any\"", path);
	return ERR_OK;
}

static int
parse_duration(struct pctx *c, const char *path, const json_t *v,
    struct agreement_duration *d)
{
	const char *s;

	if ((s = get_text(c, path, v, 1, AGREEMENT_MAX_DURATION, 0)) == NULL)
		return 0;
	if (agreement_duration_parse(s, strlen(s), d) != ERR_OK) {
		bad(c, "%s: not an ISO 8601 duration of whole numbers "
		    "(e.g. \"PT4H\", \"P3D\", \"P1Y6M\", \"P2W\"), "
		    "longer than zero", path);
		return 0;
	}
	return 1;
}

static void
parse_assistance(struct pctx *c, const json_t *v, int window_ok)
{
	static const char *const names[] = { "acknowledge_within",
	    "answer_within", NULL };
	const json_t *o, *m;
	int64_t t1, t2;
	int ok1 = 0, ok2 = 0;

	if ((o = get_object(c, "clauses.assistance", v)) == NULL)
		return;
	check_members(c, "clauses.assistance", o, names, "member");
	if ((m = need(c, "clauses.assistance", o, "acknowledge_within")) !=
	    NULL)
		ok1 = parse_duration(c, "clauses.assistance.acknowledge_within",
		    m, &c->a->acknowledge_within);
	if ((m = need(c, "clauses.assistance", o, "answer_within")) != NULL)
		ok2 = parse_duration(c, "clauses.assistance.answer_within", m,
		    &c->a->answer_within);
	c->a->has_assistance = 1;
	if (!ok1 || !ok2 || !window_ok)
		return;
	/* Compared from the start of the agreement (months differ). */
	if (agreement_duration_add(&c->a->acknowledge_within,
	    c->a->valid_from, &t1) != ERR_OK ||
	    agreement_duration_add(&c->a->answer_within, c->a->valid_from,
	    &t2) != ERR_OK)
		bad(c, "clauses.assistance: durations run past year 9999");
	else if (t2 < t1)
		bad(c, "clauses.assistance.answer_within: shorter than "
		    "acknowledge_within");
}

static void
parse_retention(struct pctx *c, const json_t *v)
{
	static const char *const names[] = { "keep_for", NULL };
	const json_t *o, *m;

	if ((o = get_object(c, "clauses.retention", v)) == NULL)
		return;
	check_members(c, "clauses.retention", o, names, "member");
	if ((m = need(c, "clauses.retention", o, "keep_for")) != NULL)
		(void)parse_duration(c, "clauses.retention.keep_for", m,
		    &c->a->keep_for);
	c->a->has_retention = 1;
}

static enum err
parse_protected(struct pctx *c, const json_t *v)
{
	static const char *const names[] = { "party", "cidrs", "domains",
	    "sectors", "pledge", NULL };
	static const char *const lists[] = { "cidrs", "domains", "sectors" };
	static const enum list_kind kinds[] = { LIST_CIDRS, LIST_DOMAINS,
	    LIST_SECTORS };
	struct agreement_protected *pr;
	char base[BASE_MAX_LEN], path[PATH_MAX_LEN];
	struct agreement_list *dst;
	const json_t *o, *m;
	size_t i, j, k, n, n_assets;
	long party;
	enum err err;

	if (get_array(c, "clauses.protected", v, 0, AGREEMENT_MAX_PARTIES) ==
	    NULL)
		return ERR_OK;
	n = json_array_size(v);
	if (n == 0)
		return ERR_OK;
	c->a->protect = calloc(n, sizeof(*c->a->protect));
	if (c->a->protect == NULL)
		return ERR_NOMEM;
	c->a->n_protect = n;
	for (i = 0; i < n; i++) {
		pr = &c->a->protect[i];
		pr->party = AGREEMENT_TO_ALL;	/* unresolved */
		(void)snprintf(base, sizeof(base), "clauses.protected[%zu]",
		    i);
		if ((o = get_object(c, base, json_array_get(v, i))) == NULL)
			continue;
		check_members(c, base, o, names, "member");
		(void)snprintf(path, sizeof(path), "%s.party", base);
		if ((m = need(c, base, o, "party")) != NULL &&
		    (party = party_ref(c, path, m)) >= 0) {
			for (j = 0; j < i; j++)
				if (c->a->protect[j].party == (size_t)party)
					break;
			if (j < i)
				bad(c, "%s: party already has an entry "
				    "(clauses.protected[%zu])", path, j);
			pr->party = (size_t)party;
		}
		n_assets = 0;
		for (k = 0; k < 3; k++) {
			dst = k == 0 ? &pr->cidrs : k == 1 ? &pr->domains :
			    &pr->sectors;
			(void)snprintf(path, sizeof(path), "%s.%s", base,
			    lists[k]);
			if ((m = json_object_get(o, lists[k])) == NULL)
				continue;
			n_assets++;
			if ((err = get_list(c, path, m, 1, kinds[k], dst)) !=
			    ERR_OK)
				return err;
		}
		if (n_assets == 0)
			bad(c, "%s: needs at least one of cidrs, domains, "
			    "sectors", base);
		(void)snprintf(path, sizeof(path), "%s.pledge", base);
		if ((m = need(c, base, o, "pledge")) != NULL)
			pr->pledge = get_text(c, path, m, 1,
			    AGREEMENT_MAX_TEXT, 1);
	}
	return ERR_OK;
}

static enum err
parse_clauses(struct pctx *c, const json_t *v, int window_ok)
{
	static const char *const names[] = { "share", "assistance",
	    "protected", "retention", NULL };
	const json_t *o, *m;
	size_t i, n;
	enum err err;

	if ((o = get_object(c, "clauses", v)) == NULL)
		return ERR_OK;
	check_members(c, "clauses", o, names, "clause");
	if ((m = need(c, "clauses", o, "share")) != NULL &&
	    get_array(c, "clauses.share", m, 0, AGREEMENT_MAX_SHARE) != NULL &&
	    (n = json_array_size(m)) > 0) {
		c->a->share = calloc(n, sizeof(*c->a->share));
		if (c->a->share == NULL)
			return ERR_NOMEM;
		c->a->n_share = n;
		for (i = 0; i < n; i++) {
			char path[PATH_MAX_LEN];
			const json_t *e = json_array_get(m, i);

			(void)snprintf(path, sizeof(path), "clauses.share[%zu]",
			    i);
			if (get_object(c, path, e) == NULL)
				continue;
			if ((err = parse_share_one(c, i, e,
			    &c->a->share[i])) != ERR_OK)
				return err;
		}
	}
	if ((m = json_object_get(o, "assistance")) != NULL)
		parse_assistance(c, m, window_ok);
	if ((m = json_object_get(o, "protected")) != NULL &&
	    (err = parse_protected(c, m)) != ERR_OK)
		return err;
	if ((m = json_object_get(o, "retention")) != NULL)
		parse_retention(c, m);
	return ERR_OK;
}

static int
sig_cmp_party(const struct agreement *a, const struct agreement_signature *s)
{
	long i = agreement_party_find(a, s->key);

	return i < 0 ? (int)a->n_parties : (int)i;
}

static enum err
parse_signatures(struct pctx *c, const json_t *v)
{
	static const char *const names[] = { "key", "sig", NULL };
	struct agreement_signature *sg, tmp;
	char path[PATH_MAX_LEN];
	const json_t *o, *m;
	size_t i, j, n, got = 0;
	int ok;

	if (get_array(c, "signatures", v, 0, AGREEMENT_MAX_PARTIES) == NULL)
		return ERR_OK;
	n = json_array_size(v);
	if (n == 0)
		return ERR_OK;
	c->a->sigs = calloc(n, sizeof(*c->a->sigs));
	if (c->a->sigs == NULL)
		return ERR_NOMEM;
	for (i = 0; i < n; i++) {
		sg = &c->a->sigs[got];
		(void)snprintf(path, sizeof(path), "signatures[%zu]", i);
		if ((o = get_object(c, path, json_array_get(v, i))) == NULL)
			continue;
		check_members(c, path, o, names, "member");
		ok = 1;
		(void)snprintf(path, sizeof(path), "signatures[%zu].key", i);
		if ((m = json_object_get(o, "key")) == NULL) {
			bad(c, "%s: missing", path);
			ok = 0;
		} else if (!json_is_string(m) ||
		    !agreement_b64_exact(json_string_value(m),
		    json_string_length(m), sg->key, sizeof(sg->key))) {
			bad(c, "%s: malformed key: not the standard base64 of "
			    "a 32-byte Ed25519 public key", path);
			ok = 0;
		} else if (c->parties_ok &&
		    agreement_party_find(c->a, sg->key) < 0) {
			bad(c, "%s: not the key of a party", path);
			ok = 0;
		}
		(void)snprintf(path, sizeof(path), "signatures[%zu].sig", i);
		if ((m = json_object_get(o, "sig")) == NULL) {
			bad(c, "%s: missing", path);
			ok = 0;
		} else if (!json_is_string(m) ||
		    !agreement_b64_exact(json_string_value(m),
		    json_string_length(m), sg->sig, sizeof(sg->sig))) {
			bad(c, "%s: not the standard base64 (%u characters) "
			    "of a 64-byte Ed25519 signature", path,
			    (unsigned)AGREEMENT_SIG_B64_LEN);
			ok = 0;
		}
		if (!ok)
			continue;
		for (j = 0; j < got; j++)
			if (memcmp(c->a->sigs[j].key, sg->key,
			    sizeof(sg->key)) == 0)
				break;
		if (j < got) {
			bad(c, "signatures[%zu]: a second signature by the "
			    "same key", i);
			continue;
		}
		got++;
	}
	c->a->n_sigs = got;
	/* In the order of the parties (insertion sort: at most 32). */
	for (i = 1; i < got; i++) {
		tmp = c->a->sigs[i];
		for (j = i; j > 0 && sig_cmp_party(c->a, &c->a->sigs[j - 1]) >
		    sig_cmp_party(c->a, &tmp); j--)
			c->a->sigs[j] = c->a->sigs[j - 1];
		c->a->sigs[j] = tmp;
	}
	return ERR_OK;
}

/* ---- entry points ---- */

void
agreement_free(struct agreement *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; a->share != NULL && i < a->n_share; i++) {
		list_free(&a->share[i].types);
		list_free(&a->share[i].labels_any);
		list_free(&a->share[i].collections);
	}
	for (i = 0; a->protect != NULL && i < a->n_protect; i++) {
		list_free(&a->protect[i].cidrs);
		list_free(&a->protect[i].domains);
		list_free(&a->protect[i].sectors);
	}
	free(a->parties);
	free(a->share);
	free(a->protect);
	free(a->sigs);
	json_decref(a->body_);
	free(a);
}

enum err
agreement_from_json(const json_t *doc, struct agreement **out,
    struct agreement_report *rep)
{
	static const char *const names[] = { "id", "version", "title",
	    "parties", "valid_from", "valid_until", "clauses", "signatures",
	    NULL };
	struct pctx c;
	struct agreement *a = NULL;
	const json_t *m, *sigs = NULL;
	json_t *body = NULL;
	int from_ok = 0, until_ok = 0;
	enum err err;

	*out = NULL;
	if (!json_is_object(doc)) {
		agreement_report_add(rep, "the document is not a JSON object");
		return ERR_PARSE;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return ERR_NOMEM;
	/* A private copy: the struct points into it. */
	if ((body = json_deep_copy(doc)) == NULL) {
		err = ERR_NOMEM;
		goto out;
	}
	sigs = json_object_get(body, "signatures");
	if (sigs != NULL) {
		json_incref((json_t *)sigs);
		(void)json_object_del(body, "signatures");
	}
	a->body_ = body;
	body = NULL;

	memset(&c, 0, sizeof(c));
	c.rep = rep;
	c.a = a;
	check_members(&c, "", a->body_, names, "member");
	if ((m = need(&c, "", a->body_, "id")) != NULL)
		parse_id(&c, m);
	if ((m = need(&c, "", a->body_, "version")) != NULL)
		parse_version(&c, m);
	if ((m = need(&c, "", a->body_, "title")) != NULL)
		a->title = get_text(&c, "title", m, 1, AGREEMENT_MAX_TITLE, 0);
	err = ERR_OK;
	if ((m = need(&c, "", a->body_, "parties")) != NULL)
		err = parse_parties(&c, m);
	if (err != ERR_OK)
		goto out_sigs;
	if ((m = need(&c, "", a->body_, "valid_from")) != NULL)
		from_ok = parse_time(&c, "valid_from", m, &a->valid_from);
	if ((m = need(&c, "", a->body_, "valid_until")) != NULL)
		until_ok = parse_time(&c, "valid_until", m, &a->valid_until);
	if (from_ok && until_ok && a->valid_until <= a->valid_from)
		bad(&c, "valid_until: not after valid_from (an impossible "
		    "window)");
	if ((m = need(&c, "", a->body_, "clauses")) != NULL)
		err = parse_clauses(&c, m, from_ok);
	if (err != ERR_OK)
		goto out_sigs;
	if (sigs != NULL)
		err = parse_signatures(&c, sigs);
	if (err != ERR_OK)
		goto out_sigs;
	if (c.n_bad > 0) {
		err = ERR_INVALID;
		goto out_sigs;
	}
	err = agreement_hash_json(a->body_, a->hash);
	if (err == ERR_INVALID || err == ERR_TOOBIG)
		agreement_report_add(rep, "the document cannot be put in "
		    "RFC 8785 form: %s", err_str(err));
out_sigs:
	json_decref((json_t *)sigs);
out:
	json_decref(body);
	if (err != ERR_OK) {
		agreement_free(a);
		return err;
	}
	*out = a;
	return ERR_OK;
}

enum err
agreement_parse(const char *text, size_t len, struct agreement **out,
    struct agreement_report *rep)
{
	json_error_t jerr;
	json_t *doc;
	enum err err;

	*out = NULL;
	if (len > AGREEMENT_MAX_BYTES) {
		agreement_report_add(rep, "the document is larger than %u "
		    "bytes", AGREEMENT_MAX_BYTES);
		return ERR_TOOBIG;
	}
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		agreement_report_add(rep, "not JSON: %s (line %d, column %d)",
		    jerr.text, jerr.line, jerr.column);
		return ERR_PARSE;
	}
	err = agreement_from_json(doc, out, rep);
	json_decref(doc);
	return err;
}

long
agreement_party_find(const struct agreement *a,
    const uint8_t key[CRYPTO_ED25519_PUBLIC_BYTES])
{
	size_t i;

	for (i = 0; i < a->n_parties; i++)
		if (memcmp(a->parties[i].key, key,
		    CRYPTO_ED25519_PUBLIC_BYTES) == 0)
			return (long)i;
	return -1;
}

const char *
agreement_tlp_name(enum agreement_tlp t)
{
	switch (t) {
	case AGREEMENT_TLP_NONE:
		return "none";
	case AGREEMENT_TLP_CLEAR:
		return "clear";
	case AGREEMENT_TLP_GREEN:
		return "green";
	case AGREEMENT_TLP_AMBER:
		return "amber";
	case AGREEMENT_TLP_AMBER_STRICT:
		return "amber+strict";
	case AGREEMENT_TLP_RED:
		return "red";
	}
	return "?";
}

const char *
agreement_onward_name(enum agreement_onward o)
{
	switch (o) {
	case AGREEMENT_ONWARD_NONE:
		return "none";
	case AGREEMENT_ONWARD_PARTIES:
		return "parties";
	case AGREEMENT_ONWARD_ANY:
		return "any";
	}
	return "?";
}

int
agreement_cidr_ok(const char *s, size_t len)
{
	return agreement_cidr_problem(s, len) == NULL;
}
