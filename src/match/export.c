/*
 * export.c: indicators to Suricata, Zeek, plain lists, CSV and rule files.
 *
 * The set keeps each added indicator as given (a copy of its pattern);
 * rendering picks one version per id, reduces STIX patterns to terms,
 * normalizes each value for the target format, sorts the (kind, value,
 * indicator) triples and writes the files.  Nothing depends on the order
 * indicators were added in, so two nodes holding the same indicators
 * produce the same bytes.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "match/export.h"
#include "match/indicator.h"
#include "stix/pattern.h"
#include "util/timeutil.h"

/* Longest indicator name written (bytes, cut at a UTF-8 boundary). */
#define EXP_NAME_MAX	200u
/* Longest normalized value: a URL term is at most 8192 bytes. */
#define EXP_VALUE_MAX	8192u

/* What an exported value is; the order is the order of the output. */
enum exp_kind {
	EXP_IPV4 = 0,
	EXP_IPV4_NET,
	EXP_IPV6,
	EXP_IPV6_NET,
	EXP_DOMAIN,
	EXP_URL,
	EXP_EMAIL,
	EXP_MD5,
	EXP_SHA1,
	EXP_SHA256,
	EXP_N_KINDS
};

static const char *const exp_kind_names[EXP_N_KINDS] = {
	"ipv4", "ipv4-cidr", "ipv6", "ipv6-cidr", "domain", "url", "email",
	"md5", "sha1", "sha256"
};

static const char *const zeek_types[EXP_N_KINDS] = {
	"Intel::ADDR", "Intel::SUBNET", "Intel::ADDR", "Intel::SUBNET",
	"Intel::DOMAIN", "Intel::URL", "Intel::EMAIL", "Intel::FILE_HASH",
	"Intel::FILE_HASH", "Intel::FILE_HASH"
};

/* Rule tools of the rules format: pattern_type, file name, comment. */
static const struct {
	const char	*type;
	const char	*file;
	const char	*comment;
} rule_tools[] = {
	{ "sigma", "entente-sigma.yml", "#" },
	{ "snort", "entente-snort.rules", "#" },
	{ "suricata", "entente-suricata.rules", "#" },
	{ "yara", "entente-yara.yar", "//" },
};
#define N_RULE_TOOLS	(sizeof(rule_tools) / sizeof(rule_tools[0]))

/* One added indicator. */
struct exp_ind {
	char	*id;
	char	*name;		/* sanitized, never NULL */
	char	*ptype;
	char	*pattern;
	int64_t	 modified;
	size_t	 seq;		/* order of addition, for ties */
};

struct match_export_set {
	enum match_export_fmt	 fmt;
	struct exp_ind		*ind;
	size_t			 n;
	size_t			 cap;
};

/* One value to write: kind, normalized text, indicator (index). */
struct exp_entry {
	enum exp_kind	 kind;
	char		*value;
	size_t		 ind;
};

enum err
match_export_fmt_parse(const char *name, enum match_export_fmt *out)
{
	static const char *const names[] = {
		NULL, "suricata", "zeek", "plain", "csv", "rules"
	};

	for (size_t i = 1; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum match_export_fmt)i;
			return ERR_OK;
		}
	}
	return ERR_PARSE;
}

enum err
match_export_set_new(enum match_export_fmt f, struct match_export_set **out)
{
	struct match_export_set *s;

	*out = NULL;
	if (f < MATCH_EXPORT_SURICATA || f > MATCH_EXPORT_RULES)
		return ERR_PARSE;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ERR_NOMEM;
	s->fmt = f;
	*out = s;
	return ERR_OK;
}

static void
ind_clear(struct exp_ind *x)
{
	free(x->id);
	free(x->name);
	free(x->ptype);
	free(x->pattern);
}

void
match_export_set_free(struct match_export_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		ind_clear(&s->ind[i]);
	free(s->ind);
	free(s);
}

/* A copy of name with control bytes as spaces, cut to EXP_NAME_MAX. */
static char *
name_clean(const char *name)
{
	size_t n = name == NULL ? 0 : strlen(name);
	char *d;

	if (n > EXP_NAME_MAX) {
		n = EXP_NAME_MAX;
		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--;
	}
	if ((d = malloc(n + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		d[i] = (char)(c < 0x20 || c == 0x7f ? ' ' : c);
	}
	d[n] = '\0';
	return d;
}

enum err
match_export_set_add(struct match_export_set *s, const char *id,
    const char *name, int64_t modified_us, const char *pattern_type,
    const char *pattern)
{
	struct exp_ind x, *g;
	enum err err = ERR_NOMEM;

	memset(&x, 0, sizeof(x));
	if (s->n == s->cap) {
		size_t cap = s->cap == 0 ? 64 : s->cap * 2;

		if (cap > SIZE_MAX / sizeof(*g))
			return ERR_NOMEM;
		if ((g = realloc(s->ind, cap * sizeof(*g))) == NULL)
			return ERR_NOMEM;
		s->ind = g;
		s->cap = cap;
	}
	if ((x.id = strdup(id)) == NULL || (x.name = name_clean(name)) ==
	    NULL || (x.ptype = strdup(pattern_type)) == NULL ||
	    (x.pattern = strdup(pattern)) == NULL)
		goto out;
	x.modified = modified_us;
	x.seq = s->n;
	s->ind[s->n++] = x;
	return ERR_OK;
out:
	ind_clear(&x);
	return err;
}

/* ---- rendering state ---- */

struct render {
	const struct match_export_set	*s;
	const struct exp_ind	**ind;		/* one per id, by id */
	size_t			  n_ind;
	struct exp_entry	 *e;
	size_t			  n_e;
	size_t			  cap_e;
	struct match_export	 *x;
	size_t			  cap_skip;
};

static int
ind_cmp(const void *a, const void *b)
{
	const struct exp_ind *x = *(const struct exp_ind *const *)a;
	const struct exp_ind *y = *(const struct exp_ind *const *)b;
	int c = strcmp(x->id, y->id);

	if (c != 0)
		return c;
	/* Later version first; then the one added first. */
	if (x->modified != y->modified)
		return x->modified > y->modified ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct exp_entry *x = a, *y = b;
	int c;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if ((c = strcmp(x->value, y->value)) != 0)
		return c;
	/* Indicators are indexed in id order. */
	return x->ind < y->ind ? -1 : x->ind > y->ind;
}

static enum err __attribute__((format(printf, 3, 4)))
skip(struct render *r, const char *id, const char *fmt, ...)
{
	struct match_export_skip *g;
	struct match_export *x = r->x;
	char why[MATCH_WHY_BYTES + 64];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (x->n_skipped == r->cap_skip) {
		size_t cap = r->cap_skip == 0 ? 16 : r->cap_skip * 2;

		if (cap > SIZE_MAX / sizeof(*g) ||
		    (g = realloc(x->skipped, cap * sizeof(*g))) == NULL)
			return ERR_NOMEM;
		x->skipped = g;
		r->cap_skip = cap;
	}
	g = &x->skipped[x->n_skipped];
	g->id = strdup(id);
	g->why = strdup(why);
	if (g->id == NULL || g->why == NULL) {
		free(g->id);
		free(g->why);
		return ERR_NOMEM;
	}
	x->n_skipped++;
	return ERR_OK;
}

static enum err
entry_add(struct render *r, enum exp_kind k, const char *v, size_t len,
    size_t ind)
{
	struct exp_entry *g;
	char *d;

	if (r->n_e == r->cap_e) {
		size_t cap = r->cap_e == 0 ? 256 : r->cap_e * 2;

		if (cap > SIZE_MAX / sizeof(*g) ||
		    (g = realloc(r->e, cap * sizeof(*g))) == NULL)
			return ERR_NOMEM;
		r->e = g;
		r->cap_e = cap;
	}
	if ((d = malloc(len + 1)) == NULL)
		return ERR_NOMEM;
	memcpy(d, v, len);
	d[len] = '\0';
	r->e[r->n_e].kind = k;
	r->e[r->n_e].value = d;
	r->e[r->n_e].ind = ind;
	r->n_e++;
	return ERR_OK;
}

static void
lower(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}

/*
 * An address term ("a.b.c.d[/p]", "v6[/p]") in canonical text: an
 * address when there is no prefix or a full one, else the network with
 * its host bits cleared.  out has room for INET6_ADDRSTRLEN + 4.
 */
static int
ip_norm(const struct match_term *t, char *out, size_t out_cap,
    enum exp_kind *k)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	unsigned char bin[16];
	const char *slash;
	size_t alen;
	int v6 = t->kind == MATCH_I_IPV6, af = v6 ? AF_INET6 : AF_INET;
	unsigned bits = v6 ? 128 : 32, pfx = bits;

	slash = memchr(t->value, '/', t->len);
	alen = slash == NULL ? t->len : (size_t)(slash - t->value);
	if (alen >= sizeof(tmp))
		return 0;
	memcpy(tmp, t->value, alen);
	tmp[alen] = '\0';
	if (inet_pton(af, tmp, bin) != 1)
		return 0;
	if (slash != NULL) {
		pfx = 0;
		for (const char *p = slash + 1; p < t->value + t->len; p++)
			pfx = pfx * 10 + (unsigned)(*p - '0');
		if (pfx > bits)
			return 0;
	}
	for (unsigned i = pfx; i < bits; i++)
		bin[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
	if (inet_ntop(af, bin, out, (socklen_t)out_cap) == NULL)
		return 0;
	if (pfx < bits) {
		size_t l = strlen(out);

		if (snprintf(out + l, out_cap - l, "/%u", pfx) >=
		    (int)(out_cap - l))
			return 0;
		*k = v6 ? EXP_IPV6_NET : EXP_IPV4_NET;
	} else
		*k = v6 ? EXP_IPV6 : EXP_IPV4;
	return 1;
}

/* Lower-case the scheme and host of a URL in place (userinfo, port and
 * path keep their case). */
static void
url_norm(char *u, size_t n)
{
	char *p = strstr(u, "://"), *a, *e;

	if (p == NULL)
		return;
	lower(u, (size_t)(p - u));
	a = p + 3;
	e = a;
	while (e < u + n && *e != '/' && *e != '?' && *e != '#')
		e++;
	for (char *q = a; q < e; q++)
		if (*q == '@')
			a = q + 1;
	lower(a, (size_t)(e - a));
}

static enum exp_kind
kind_of(enum match_ikind k)
{
	switch (k) {
	case MATCH_I_DOMAIN:
		return EXP_DOMAIN;
	case MATCH_I_URL:
		return EXP_URL;
	case MATCH_I_EMAIL:
		return EXP_EMAIL;
	case MATCH_I_MD5:
		return EXP_MD5;
	case MATCH_I_SHA1:
		return EXP_SHA1;
	case MATCH_I_SHA256:
		return EXP_SHA256;
	default:
		return EXP_IPV4;
	}
}

/* Add the terms of indicator i; *n_added gets how many values it gave. */
static enum err
add_terms(struct render *r, size_t i, const struct match_term *t,
    size_t n, size_t *n_added)
{
	char v[EXP_VALUE_MAX + INET6_ADDRSTRLEN + 8];
	enum exp_kind k;
	size_t len;
	enum err err;

	*n_added = 0;
	for (size_t j = 0; j < n; j++) {
		if (t[j].kind == MATCH_I_IPV4 || t[j].kind == MATCH_I_IPV6) {
			if (!ip_norm(&t[j], v, sizeof(v), &k))
				continue;	/* match_terms checked it */
			len = strlen(v);
		} else {
			k = kind_of(t[j].kind);
			if (t[j].len > EXP_VALUE_MAX)
				continue;
			len = t[j].len;
			memcpy(v, t[j].value, len);
			v[len] = '\0';
			if (k == EXP_URL)
				url_norm(v, len);
			else if (k == EXP_EMAIL) {
				/* The local part is the mailbox owner's. */
				char *at = strchr(v, '@');

				if (at != NULL)
					lower(at, strlen(at));
			}
			else
				lower(v, len);
		}
		if (k == EXP_EMAIL && r->s->fmt == MATCH_EXPORT_SURICATA) {
			r->x->n_left_out++;
			continue;
		}
		/* Zeek's Intel::URL is host and request target as Zeek
		 * sees them: no scheme, no fragment. */
		if (k == EXP_URL && r->s->fmt == MATCH_EXPORT_ZEEK) {
			const char *p = strstr(v, "://");

			if (p != NULL) {
				len -= (size_t)(p + 3 - v);
				memmove(v, p + 3, len + 1);
			}
			len = strcspn(v, "#");
			v[len] = '\0';
		}
		if ((err = entry_add(r, k, v, len, i)) != ERR_OK)
			return err;
		(*n_added)++;
	}
	return ERR_OK;
}

static enum err
gather_stix(struct render *r)
{
	struct match_term *t;
	struct stix_pattern *p;
	char reason[MATCH_WHY_BYTES], why[MATCH_WHY_BYTES];
	size_t n, added;
	enum err err = ERR_OK, e;

	if ((t = calloc(MATCH_TERMS_MAX, sizeof(*t))) == NULL)
		return ERR_NOMEM;
	for (size_t i = 0; i < r->n_ind; i++) {
		const struct exp_ind *x = r->ind[i];

		if (strcmp(x->ptype, "stix") != 0) {
			err = skip(r, x->id, "pattern_type %.40s is not "
			    "exported in this format", x->ptype);
			if (err != ERR_OK)
				goto out;
			continue;
		}
		e = stix_pattern_parse(x->pattern, strlen(x->pattern), &p,
		    reason, sizeof(reason));
		if (e == ERR_NOMEM) {
			err = e;
			goto out;
		}
		if (e != ERR_OK) {
			if ((err = skip(r, x->id, "bad pattern: %s", reason)) !=
			    ERR_OK)
				goto out;
			continue;
		}
		e = match_terms(p, t, MATCH_TERMS_MAX, &n, why, sizeof(why));
		if (e == ERR_OK)
			err = add_terms(r, i, t, n, &added);
		stix_pattern_free(p);
		if (err != ERR_OK)
			goto out;
		if (e != ERR_OK)
			err = skip(r, x->id, "%s", why);
		else if (added == 0)
			err = skip(r, x->id, "e-mail addresses have no "
			    "Suricata dataset");
		else
			r->x->n_indicators++;
		if (err != ERR_OK)
			goto out;
	}
out:
	free(t);
	return err;
}

/* ---- files ---- */

static enum err
file_new(struct match_export *x, const char *name,
    struct match_export_file **out)
{
	struct match_export_file *f = &x->files[x->n_files];

	if (strlen(name) > MATCH_EXPORT_NAME_MAX)
		return ERR_TOOBIG;
	memcpy(f->name, name, strlen(name) + 1);
	buf_init(&f->data, MATCH_EXPORT_FILE_MAX);
	x->n_files++;
	*out = f;
	return ERR_OK;
}

/* Entries [lo, hi) of kind k (the entries are sorted by kind). */
static void
kind_range(const struct render *r, enum exp_kind k, size_t *lo, size_t *hi)
{
	size_t i = 0;

	while (i < r->n_e && r->e[i].kind < k)
		i++;
	*lo = i;
	while (i < r->n_e && r->e[i].kind == k)
		i++;
	*hi = i;
}

/* 1 when entry i repeats entry i - 1's value (same kind). */
static int
same_value(const struct render *r, size_t i)
{
	return i > 0 && r->e[i - 1].kind == r->e[i].kind &&
	    strcmp(r->e[i - 1].value, r->e[i].value) == 0;
}

static size_t
count_values(const struct render *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_e; i++)
		n += !same_value(r, i);
	return n;
}

static enum err
render_plain(struct render *r)
{
	struct match_export_file *f;
	char name[MATCH_EXPORT_NAME_MAX + 1];
	size_t lo, hi;
	enum err err;

	for (int k = 0; k < EXP_N_KINDS; k++) {
		(void)snprintf(name, sizeof(name), "entente-%s.txt",
		    exp_kind_names[k]);
		if ((err = file_new(r->x, name, &f)) != ERR_OK)
			return err;
		kind_range(r, (enum exp_kind)k, &lo, &hi);
		for (size_t i = lo; i < hi; i++) {
			if (same_value(r, i))
				continue;
			if ((err = buf_addf(&f->data, "%s\n", r->e[i].value)) !=
			    ERR_OK)
				return err;
		}
	}
	return ERR_OK;
}

/* One CSV cell, quoted (RFC 4180) when it needs it. */
static enum err
csv_cell(struct buf *b, const char *s)
{
	enum err err;

	if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' &&
	    (s[0] == '\0' || s[strlen(s) - 1] != ' '))
		return buf_addstr(b, s);
	if ((err = buf_addc(b, '"')) != ERR_OK)
		return err;
	for (; *s != '\0'; s++) {
		if (*s == '"' && (err = buf_addc(b, '"')) != ERR_OK)
			return err;
		if ((err = buf_addc(b, *s)) != ERR_OK)
			return err;
	}
	return buf_addc(b, '"');
}

static enum err
render_csv(struct render *r)
{
	struct match_export_file *f;
	enum err err;

	if ((err = file_new(r->x, "entente.csv", &f)) != ERR_OK)
		return err;
	if ((err = buf_addstr(&f->data, "type,value,indicator_id,"
	    "indicator_name\r\n")) != ERR_OK)
		return err;
	for (size_t i = 0; i < r->n_e; i++) {
		const struct exp_entry *e = &r->e[i];
		const struct exp_ind *x = r->ind[e->ind];

		if ((err = buf_addf(&f->data, "%s,", exp_kind_names[e->kind]))
		    != ERR_OK || (err = csv_cell(&f->data, e->value)) !=
		    ERR_OK || (err = buf_addf(&f->data, ",%s,", x->id)) !=
		    ERR_OK || (err = csv_cell(&f->data, x->name)) != ERR_OK ||
		    (err = buf_addstr(&f->data, "\r\n")) != ERR_OK)
			return err;
	}
	return ERR_OK;
}

static enum err
render_zeek(struct render *r)
{
	struct match_export_file *f;
	enum err err;

	if ((err = file_new(r->x, "entente-intel.txt", &f)) != ERR_OK)
		return err;
	if ((err = buf_addstr(&f->data, "#fields\tindicator\tindicator_type\t"
	    "meta.source\tmeta.desc\n")) != ERR_OK)
		return err;
	for (size_t i = 0; i < r->n_e; i++) {
		const struct exp_entry *e = &r->e[i];
		const struct exp_ind *x = r->ind[e->ind];
		char desc[EXP_NAME_MAX + 1];

		/* Zeek reads tab-separated fields; "-" is an unset one. */
		(void)snprintf(desc, sizeof(desc), "%s", x->name[0] != '\0' ?
		    x->name : "-");
		for (char *q = desc; *q != '\0'; q++)
			if (*q == '\t')
				*q = ' ';
		if ((err = buf_addf(&f->data, "%s\t%s\t%s\t%s\n", e->value,
		    zeek_types[e->kind], x->id, desc)) != ERR_OK)
			return err;
	}
	return ERR_OK;
}

/* A value inside a Suricata content:"..." with its specials as |hex|. */
static enum err
sur_content(struct buf *b, const char *s, size_t n)
{
	enum err err = ERR_OK;

	for (size_t i = 0; i < n && err == ERR_OK; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == ';' ||
		    c == '\\' || c == '|')
			err = buf_addf(b, "|%02X|", c);
		else
			err = buf_addc(b, (char)c);
	}
	return err;
}

/* The indicator ids of entries [lo, hi) as Suricata metadata. */
static enum err
sur_meta(struct render *r, struct buf *b, size_t lo, size_t hi)
{
	enum err err = buf_addstr(b, " metadata:");

	for (size_t i = lo; i < hi && err == ERR_OK; i++)
		err = buf_addf(b, "%sentente_indicator %s", i > lo ? ", " : "",
		    r->ind[r->e[i].ind]->id);
	if (err == ERR_OK)
		err = buf_addc(b, ';');
	return err;
}

/*
 * A URL's exact-match rule: its host (without userinfo and port) against
 * http.host, and its request target (path and query, "/" when empty,
 * without the fragment) against http.uri.raw, both by exact size.
 */
static enum err
sur_url_rule(struct render *r, struct buf *b, size_t lo, size_t hi,
    unsigned sid)
{
	const char *u = r->e[lo].value, *a = strstr(u, "://"), *e, *h, *he;
	size_t rest, slash;
	enum err err;

	a = a == NULL ? u : a + 3;
	e = a + strcspn(a, "/?#");
	h = a;
	for (const char *q = a; q < e; q++)
		if (*q == '@')
			h = q + 1;
	if (*h == '[') {
		he = memchr(h, ']', (size_t)(e - h));
		he = he == NULL ? e : he + 1;
	} else {
		he = memchr(h, ':', (size_t)(e - h));
		if (he == NULL)
			he = e;
	}
	rest = strcspn(e, "#");
	slash = rest == 0 || e[0] == '?';
	if ((err = buf_addstr(b, "alert http any any -> any any (msg:\"entente "
	    "listed URL\"; flow:established,to_server; http.host; "
	    "content:\"")) != ERR_OK ||
	    (err = sur_content(b, h, (size_t)(he - h))) != ERR_OK ||
	    (err = buf_addf(b, "\"; bsize:%zu; http.uri.raw; content:\"%s",
	    (size_t)(he - h), slash ? "/" : "")) != ERR_OK ||
	    (err = sur_content(b, e, rest)) != ERR_OK ||
	    (err = buf_addf(b, "\"; bsize:%zu;", rest + slash)) != ERR_OK ||
	    (err = sur_meta(r, b, lo, hi)) != ERR_OK)
		return err;
	return buf_addf(b, " sid:%u; rev:1;)\n", sid);
}

/* Dataset files and the rules that load them. */
static const struct {
	enum exp_kind	 kind;
	const char	*file;
	const char	*set;		/* dataset name or file hash keyword */
	const char	*type;		/* dataset type; NULL: file hash list */
	const char	*label;
} sur_sets[] = {
	{ EXP_DOMAIN, "entente-domains.lst", "entente-domains", "string",
	    "domain" },
	{ EXP_IPV4, "entente-ipv4.lst", "entente-ipv4", "ipv4", "IPv4" },
	{ EXP_IPV6, "entente-ipv6.lst", "entente-ipv6", "ip", "IPv6" },
	{ EXP_MD5, "entente-md5.lst", "filemd5", NULL, "MD5" },
	{ EXP_SHA1, "entente-sha1.lst", "filesha1", NULL, "SHA-1" },
	{ EXP_SHA256, "entente-sha256.lst", "filesha256", NULL, "SHA-256" },
};
#define N_SUR_SETS	(sizeof(sur_sets) / sizeof(sur_sets[0]))

static enum err
sur_set_rules(struct buf *b, size_t s, unsigned *sid)
{
	static const char *const dom[][3] = {
		{ "dns", "dns.query", "dns.query; to_lowercase;" },
		{ "tls", "tls.sni", "tls.sni; to_lowercase;" },
		{ "http", "http.host", "http.host;" },
	};
	static const char *const ip[][2] = {
		{ "source", "ip.src;" }, { "destination", "ip.dst;" },
	};
	enum err err = ERR_OK;

	if (sur_sets[s].type == NULL)
		return buf_addf(b, "alert http any any -> any any (msg:\"entente "
		    "listed file %s\"; %s:%s; sid:%u; rev:1;)\n",
		    sur_sets[s].label, sur_sets[s].set, sur_sets[s].file,
		    (*sid)++);
	if (sur_sets[s].kind == EXP_DOMAIN) {
		for (size_t i = 0; i < 3 && err == ERR_OK; i++)
			err = buf_addf(b, "alert %s any any -> any any "
			    "(msg:\"entente listed domain (%s)\"; %s "
			    "dataset:isset,%s, type %s, load %s; sid:%u; "
			    "rev:1;)\n", dom[i][0], dom[i][1], dom[i][2],
			    sur_sets[s].set, sur_sets[s].type,
			    sur_sets[s].file, (*sid)++);
		return err;
	}
	for (size_t i = 0; i < 2 && err == ERR_OK; i++)
		err = buf_addf(b, "alert ip any any -> any any (msg:\"entente "
		    "listed %s %s\"; %s dataset:isset,%s, type %s, load %s; "
		    "sid:%u; rev:1;)\n", sur_sets[s].label, ip[i][0], ip[i][1],
		    sur_sets[s].set, sur_sets[s].type, sur_sets[s].file,
		    (*sid)++);
	return err;
}

static enum err
render_suricata(struct render *r)
{
	struct match_export_file *f, *rules;
	char b64[CRYPTO_B64_LEN(EXP_VALUE_MAX) + 1];
	unsigned sid = MATCH_EXPORT_SID_BASE;
	size_t lo, hi, n[N_SUR_SETS];
	enum err err;

	for (size_t s = 0; s < N_SUR_SETS; s++) {
		if ((err = file_new(r->x, sur_sets[s].file, &f)) != ERR_OK)
			return err;
		kind_range(r, sur_sets[s].kind, &lo, &hi);
		n[s] = 0;
		for (size_t i = lo; i < hi; i++) {
			const char *v = r->e[i].value;

			if (same_value(r, i))
				continue;
			n[s]++;
			if (sur_sets[s].kind == EXP_DOMAIN) {
				if ((err = crypto_b64_encode(v, strlen(v), 0,
				    b64, sizeof(b64))) != ERR_OK)
					return err;
				v = b64;
			}
			if ((err = buf_addf(&f->data, "%s\n", v)) != ERR_OK)
				return err;
		}
	}
	if ((err = file_new(r->x, "entente.rules", &rules)) != ERR_OK)
		return err;
	if ((err = buf_addstr(&rules->data, "# entente export suricata: "
	    "rules for Suricata 7 or later.\n# The dataset and hash list "
	    "files are loaded relative to this file.\n")) != ERR_OK)
		return err;
	for (size_t s = 0; s < N_SUR_SETS; s++)
		if (n[s] > 0 && (err = sur_set_rules(&rules->data, s, &sid)) !=
		    ERR_OK)
			return err;
	/* Networks go in rule headers, URLs in one rule each. */
	for (size_t kk = 0; kk < 3; kk++) {
		static const enum exp_kind ks[] = {
			EXP_IPV4_NET, EXP_IPV6_NET, EXP_URL
		};

		kind_range(r, ks[kk], &lo, &hi);
		for (size_t i = lo; i < hi; ) {
			size_t j = i + 1;

			while (j < hi && same_value(r, j))
				j++;
			if (ks[kk] == EXP_URL)
				err = sur_url_rule(r, &rules->data, i, j, sid++);
			else if ((err = buf_addf(&rules->data, "alert ip %s any "
			    "<> any any (msg:\"entente listed network %s\";",
			    r->e[i].value, r->e[i].value)) == ERR_OK &&
			    (err = sur_meta(r, &rules->data, i, j)) == ERR_OK)
				err = buf_addf(&rules->data, " sid:%u; rev:1;)\n",
				    sid++);
			if (err != ERR_OK)
				return err;
			i = j;
		}
	}
	return ERR_OK;
}

/* The rule text without a leading YAML document marker or trailing
 * blank lines: [*s, *s + *n). */
static void
rule_trim(const char *p, int yaml, const char **s, size_t *n)
{
	size_t len = strlen(p);

	if (yaml && len >= 3 && memcmp(p, "---", 3) == 0 &&
	    (len == 3 || p[3] == '\n' || p[3] == '\r')) {
		p += 3;
		len -= 3;
		while (len > 0 && (*p == '\r' || *p == '\n')) {
			p++;
			len--;
		}
	}
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r' ||
	    p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	*s = p;
	*n = len;
}

static enum err
render_rules(struct render *r)
{
	struct match_export_file *f[N_RULE_TOOLS];
	enum err err;

	for (size_t t = 0; t < N_RULE_TOOLS; t++)
		if ((err = file_new(r->x, rule_tools[t].file, &f[t])) != ERR_OK)
			return err;
	for (size_t i = 0; i < r->n_ind; i++) {
		const struct exp_ind *x = r->ind[i];
		size_t t = 0, n;
		const char *s;
		int yaml;

		while (t < N_RULE_TOOLS && strcmp(x->ptype, rule_tools[t].type))
			t++;
		if (t == N_RULE_TOOLS) {
			if ((err = skip(r, x->id, "pattern_type %.40s is not "
			    "a rule format", x->ptype)) != ERR_OK)
				return err;
			continue;
		}
		yaml = strcmp(x->ptype, "sigma") == 0;
		rule_trim(x->pattern, yaml, &s, &n);
		if (n == 0) {
			if ((err = skip(r, x->id, "empty %s rule", x->ptype)) !=
			    ERR_OK)
				return err;
			continue;
		}
		if (yaml && (err = buf_addstr(&f[t]->data, "---\n")) != ERR_OK)
			return err;
		if ((err = buf_addf(&f[t]->data, "%s %s%s%s\n",
		    rule_tools[t].comment, x->id, x->name[0] ? " " : "",
		    x->name)) != ERR_OK ||
		    (err = buf_add(&f[t]->data, s, n)) != ERR_OK ||
		    (err = buf_addstr(&f[t]->data, yaml ? "\n" : "\n\n")) !=
		    ERR_OK)
			return err;
		r->x->n_indicators++;
		r->x->n_values++;
	}
	return ERR_OK;
}

/* The surviving version of each id, in id order. */
static enum err
pick_versions(struct render *r)
{
	const struct match_export_set *s = r->s;
	const struct exp_ind **all;
	size_t n = 0;

	if (s->n == 0)
		return ERR_OK;
	if ((all = calloc(s->n, sizeof(*all))) == NULL)
		return ERR_NOMEM;
	for (size_t i = 0; i < s->n; i++)
		all[i] = &s->ind[i];
	qsort(all, s->n, sizeof(*all), ind_cmp);
	for (size_t i = 0; i < s->n; i++)
		if (n == 0 || strcmp(all[n - 1]->id, all[i]->id) != 0)
			all[n++] = all[i];
	r->ind = all;
	r->n_ind = n;
	return ERR_OK;
}

void
match_export_free(struct match_export *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->n_files; i++)
		buf_reset(&x->files[i].data);
	free(x->files);
	for (size_t i = 0; i < x->n_skipped; i++) {
		free(x->skipped[i].id);
		free(x->skipped[i].why);
	}
	free(x->skipped);
	free(x);
}

enum err
match_export_render(const struct match_export_set *s,
    struct match_export **out)
{
	struct render r;
	enum err err;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.s = s;
	if ((r.x = calloc(1, sizeof(*r.x))) == NULL)
		return ERR_NOMEM;
	/* Every format writes at most this many files. */
	if ((r.x->files = calloc(EXP_N_KINDS + 1, sizeof(*r.x->files))) ==
	    NULL) {
		err = ERR_NOMEM;
		goto out;
	}
	if ((err = pick_versions(&r)) != ERR_OK)
		goto out;
	if (s->fmt == MATCH_EXPORT_RULES) {
		err = render_rules(&r);
		goto out;
	}
	if ((err = gather_stix(&r)) != ERR_OK)
		goto out;
	if (r.n_e > 0)
		qsort(r.e, r.n_e, sizeof(*r.e), entry_cmp);
	/* The same value twice from one indicator counts once. */
	{
		size_t n = 0;

		for (size_t i = 0; i < r.n_e; i++) {
			if (n > 0 && entry_cmp(&r.e[n - 1], &r.e[i]) == 0) {
				free(r.e[i].value);
				continue;
			}
			r.e[n++] = r.e[i];
		}
		r.n_e = n;
	}
	r.x->n_values = count_values(&r);
	switch (s->fmt) {
	case MATCH_EXPORT_SURICATA:
		err = render_suricata(&r);
		break;
	case MATCH_EXPORT_ZEEK:
		err = render_zeek(&r);
		break;
	case MATCH_EXPORT_PLAIN:
		err = render_plain(&r);
		break;
	default:
		err = render_csv(&r);
		break;
	}
out:
	for (size_t i = 0; i < r.n_e; i++)
		free(r.e[i].value);
	free(r.e);
	free(r.ind);
	if (err != ERR_OK)
		match_export_free(r.x);
	else
		*out = r.x;
	return err;
}

/* Walk callback: add one indicator to the set. */
static enum err
build_cb(void *arg, const char *id, const char *pattern, const json_t *obj)
{
	struct match_export_set *s = arg;
	const json_t *v;
	const char *name = NULL, *ptype;
	int64_t modified = 0;

	v = json_object_get(obj, "name");
	if (json_is_string(v))
		name = json_string_value(v);
	v = json_object_get(obj, "modified");
	if (json_is_string(v) && ts_parse(json_string_value(v),
	    json_string_length(v), &modified, NULL) != ERR_OK)
		modified = 0;
	v = json_object_get(obj, "pattern_type");
	ptype = json_is_string(v) ? json_string_value(v) : "";
	return match_export_set_add(s, id, name, modified, ptype, pattern);
}

enum err
match_export_build(struct store *st, enum match_export_fmt f, int64_t now_us,
    const struct match_use *use, struct match_export **out)
{
	static const char *const tools[] = {
		"sigma", "snort", "suricata", "yara"
	};
	struct match_export_set *s = NULL;
	size_t unusable = 0;
	enum err err;

	*out = NULL;
	if ((err = match_export_set_new(f, &s)) != ERR_OK)
		return err;
	if (f == MATCH_EXPORT_RULES)
		err = match_indicators_each_type(st, now_us, use, tools,
		    sizeof(tools) / sizeof(tools[0]), build_cb, s, &unusable);
	else
		err = match_indicators_each(st, now_us, use, build_cb, s,
		    &unusable);
	if (err == ERR_OK)
		err = match_export_render(s, out);
	if (err == ERR_OK)
		(*out)->n_unusable = unusable;
	match_export_set_free(s);
	return err;
}
