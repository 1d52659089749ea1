/*
 * format.c: format names, detection, the parser object and what the
 * per-format parsers (format_json.c, format_sv.c, format_log.c) share:
 * scratch memory, field-name hints and value typing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "match/format.h"
#include "match/format_int.h"
#include "match/indicator.h"

static const char *const fmt_names[] = {
	NULL, "text", "jsonl", "csv", "tsv", "bind", "squid", "zeek", "eve"
};
#define FMT_N_NAMES	(sizeof(fmt_names) / sizeof(fmt_names[0]))

const char *
match_format_name(enum match_format f)
{
	if ((size_t)f == 0 || (size_t)f >= FMT_N_NAMES)
		return "?";
	return fmt_names[f];
}

enum err
match_format_parse(const char *name, enum match_format *out)
{
	for (size_t i = 1; i < FMT_N_NAMES; i++) {
		if (strcmp(name, fmt_names[i]) == 0) {
			*out = (enum match_format)i;
			return ERR_OK;
		}
	}
	return ERR_PARSE;
}

/*
 * Field names that say what their values are.  Keys are lower case; a
 * name is looked up whole ("dns.grouped.a") and then by its last
 * component ("rrname").  Every typed value is checked anyway (fmt_emit),
 * so a wrong guess only costs a scan as free text.
 */
struct hint_ent {
	const char	*key;
	enum fmt_hint	 hint;
};

static const struct hint_ent hint_tab[] = {	/* sorted for readers */
	{ "a", FMT_H_SHAPE },
	{ "aaaa", FMT_H_SHAPE },
	{ "addr", FMT_H_IP },
	{ "answers", FMT_H_SHAPE },
	{ "app_proto", FMT_H_SKIP },
	{ "c-ip", FMT_H_IP },
	{ "client", FMT_H_IP },
	{ "client_addr", FMT_H_IP },
	{ "client_ip", FMT_H_IP },
	{ "clientip", FMT_H_IP },
	{ "cname", FMT_H_SHAPE },
	{ "community_id", FMT_H_SKIP },
	{ "conn_uids", FMT_H_SKIP },
	{ "cs-host", FMT_H_DOMAIN },
	{ "cs-referer", FMT_H_URL },
	{ "dest_ip", FMT_H_IP },
	{ "destination_ip", FMT_H_IP },
	{ "dns.grouped.a", FMT_H_IP },
	{ "dns.grouped.aaaa", FMT_H_IP },
	{ "dns.grouped.cname", FMT_H_DOMAIN },
	{ "domain", FMT_H_DOMAIN },
	{ "domain_name", FMT_H_DOMAIN },
	{ "dst", FMT_H_IP },
	{ "dst_ip", FMT_H_IP },
	{ "dstip", FMT_H_IP },
	{ "email", FMT_H_EMAIL },
	{ "event_type", FMT_H_SKIP },
	{ "file_hash", FMT_H_HASH },
	{ "fqdn", FMT_H_DOMAIN },
	{ "from", FMT_H_EMAIL },
	{ "fuid", FMT_H_SKIP },
	{ "fuids", FMT_H_SKIP },
	{ "hash", FMT_H_HASH },
	{ "helo", FMT_H_DOMAIN },
	{ "host", FMT_H_DOMAIN },
	{ "hostname", FMT_H_DOMAIN },
	{ "http_refer", FMT_H_URL },
	{ "id.orig_h", FMT_H_IP },
	{ "id.resp_h", FMT_H_IP },
	{ "ip", FMT_H_IP },
	{ "ip_addr", FMT_H_IP },
	{ "ip_address", FMT_H_IP },
	{ "ipaddr", FMT_H_IP },
	{ "ipv4", FMT_H_IP },
	{ "ipv6", FMT_H_IP },
	{ "ja3", FMT_H_SKIP },
	{ "ja3s", FMT_H_SKIP },
	{ "local_ip", FMT_H_IP },
	{ "mail_from", FMT_H_EMAIL },
	{ "mailfrom", FMT_H_EMAIL },
	{ "md5", FMT_H_HASH },
	{ "orig_fuids", FMT_H_SKIP },
	{ "orig_h", FMT_H_IP },
	{ "proto", FMT_H_SKIP },
	{ "qname", FMT_H_DOMAIN },
	{ "query", FMT_H_DOMAIN },
	{ "rcpt_to", FMT_H_EMAIL },
	{ "rcptto", FMT_H_EMAIL },
	{ "rdata", FMT_H_SHAPE },
	{ "referer", FMT_H_URL },
	{ "referrer", FMT_H_URL },
	{ "remote_addr", FMT_H_IP },
	{ "remote_ip", FMT_H_IP },
	{ "resp_fuids", FMT_H_SKIP },
	{ "resp_h", FMT_H_IP },
	{ "rrname", FMT_H_DOMAIN },
	{ "rx_hosts", FMT_H_IP },
	{ "sender", FMT_H_EMAIL },
	{ "server", FMT_H_SHAPE },
	{ "server_ip", FMT_H_IP },
	{ "server_name", FMT_H_DOMAIN },
	{ "serverip", FMT_H_IP },
	{ "sha1", FMT_H_HASH },
	{ "sha256", FMT_H_HASH },
	{ "sni", FMT_H_DOMAIN },
	{ "source_ip", FMT_H_IP },
	{ "src", FMT_H_IP },
	{ "src_ip", FMT_H_IP },
	{ "srcip", FMT_H_IP },
	{ "timestamp", FMT_H_SKIP },
	{ "to", FMT_H_EMAIL },
	{ "ts", FMT_H_SKIP },
	{ "tx_hosts", FMT_H_IP },
	{ "uid", FMT_H_SKIP },
	{ "url", FMT_H_URL },
};
#define HINT_N	(sizeof(hint_tab) / sizeof(hint_tab[0]))
_Static_assert(HINT_N * 2 < FMT_HINT_SLOTS, "hint index too small");

/* Case-insensitive compare of s[0..len) with the lower-case key. */
static int
key_cmp(const char *s, size_t len, const char *key)
{
	size_t i;

	for (i = 0; i < len && key[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c != (unsigned char)key[i])
			return c < (unsigned char)key[i] ? -1 : 1;
	}
	if (i < len)
		return 1;
	return key[i] == '\0' ? 0 : -1;
}

/* A cheap hash of a name: its length and first and last bytes, lower-
 * cased (no loop: most names looked up are not in the table). */
static uint32_t
hint_hash(const char *s, size_t len)
{
	unsigned char a = (unsigned char)s[0], z = (unsigned char)s[len - 1];

	if (a >= 'A' && a <= 'Z')
		a = (unsigned char)(a - 'A' + 'a');
	if (z >= 'A' && z <= 'Z')
		z = (unsigned char)(z - 'A' + 'a');
	return (uint32_t)len * 131u + a * 31u + z;
}

/* Fill the parser's open-addressing index of hint_tab. */
static void
hint_index(struct match_parser *p)
{
	for (size_t i = 0; i < HINT_N; i++) {
		const char *k = hint_tab[i].key;
		uint32_t h = hint_hash(k, strlen(k)) & (FMT_HINT_SLOTS - 1);

		while (p->hint_slot[h] != 0)
			h = (h + 1) & (FMT_HINT_SLOTS - 1);
		p->hint_slot[h] = (uint16_t)(i + 1);
	}
}

static int
hint_lookup(const struct match_parser *p, const char *s, size_t len,
    enum fmt_hint *out)
{
	uint32_t h;

	/* No key is longer than this; most field names are. */
	if (len == 0 || len > 20)
		return 0;
	h = hint_hash(s, len) & (FMT_HINT_SLOTS - 1);
	while (p->hint_slot[h] != 0) {
		const struct hint_ent *e = &hint_tab[p->hint_slot[h] - 1];

		if (key_cmp(s, len, e->key) == 0) {
			*out = e->hint;
			return 1;
		}
		h = (h + 1) & (FMT_HINT_SLOTS - 1);
	}
	return 0;
}

enum fmt_hint
fmt_hint_for(const struct match_parser *p, const char *name, size_t len)
{
	enum fmt_hint h;
	size_t i = len;

	if (hint_lookup(p, name, len, &h))
		return h;
	while (i > 0 && name[i - 1] != '.')
		i--;
	/* EVE "tls.ja3.hash" and the like: fingerprints, not file hashes. */
	if (i > 1) {
		size_t end = i - 1, j = end;

		while (j > 0 && name[j - 1] != '.')
			j--;
		if (hint_lookup(p, name + j, end - j, &h) && h == FMT_H_SKIP)
			return FMT_H_SKIP;
	}
	if (i > 0 && hint_lookup(p, name + i, len - i, &h))
		return h;
	return FMT_H_ANY;
}

enum fmt_hint
fmt_hint_step(const struct match_parser *p, enum fmt_hint parent,
    const char *path, size_t path_len, const char *key, size_t key_len)
{
	enum fmt_hint h;

	if (parent == FMT_H_SKIP)
		return FMT_H_SKIP;
	if (path_len > key_len && hint_lookup(p, path, path_len, &h))
		return h;
	if (hint_lookup(p, key, key_len, &h))
		return h;
	return FMT_H_ANY;
}

char *
fmt_scratch(struct match_parser *p, size_t n)
{
	char *r;

	if (n > p->scr_val_end - p->scr_len)
		return NULL;
	r = p->scr + p->scr_len;
	p->scr_len += n;
	return r;
}

const char *
fmt_name(struct match_parser *p, const char *name, size_t len)
{
	char *dst;

	if (len > MATCH_NAME_MAX)
		len = MATCH_NAME_MAX;
	/* One slot per field is reserved, so this always fits. */
	if (p->names_len + len + 1 > FMT_NAMES_BYTES)
		return "?";
	dst = p->scr + p->scr_val_end + p->names_len;
	/* A raw NUL in a JSON key would cut the name short. */
	for (size_t i = 0; i < len; i++)
		dst[i] = name[i] == '\0' ? '?' : name[i];
	dst[len] = '\0';
	p->names_len += len + 1;
	return dst;
}

static int
is_ip(const char *s, size_t len)
{
	if (memchr(s, '/', len) != NULL)
		return 0;
	if (memchr(s, ':', len) != NULL)
		return match_term_valid(MATCH_I_IPV6, s, len);
	return match_term_valid(MATCH_I_IPV4, s, len);
}

static int
is_hash(const char *s, size_t len)
{
	return match_term_valid(MATCH_I_MD5, s, len) ||
	    match_term_valid(MATCH_I_SHA1, s, len) ||
	    match_term_valid(MATCH_I_SHA256, s, len);
}

/* A host, possibly "[v6]", "host:port" or "name.": its bare form. */
static int
host_kind(const char *s, size_t len, const char **vo, size_t *lo,
    enum match_vkind *k)
{
	const char *c;

	if (len > 2 && s[0] == '[') {
		c = memchr(s, ']', len);
		if (c == NULL)
			return 0;
		if ((size_t)(c - s) + 1 < len && c[1] != ':')
			return 0;
		s++;
		len = (size_t)(c - s);
	} else if ((c = memchr(s, ':', len)) != NULL &&
	    memchr(c + 1, ':', len - (size_t)(c - s) - 1) == NULL) {
		/* One colon: host:port. */
		for (const char *d = c + 1; d < s + len; d++)
			if (*d < '0' || *d > '9')
				return 0;
		len = (size_t)(c - s);
	}
	if (len > 1 && s[len - 1] == '.' && s[len - 2] != '.')
		len--;
	if (is_ip(s, len))
		*k = MATCH_V_IP;
	else if (match_term_valid(MATCH_I_DOMAIN, s, len))
		*k = MATCH_V_DOMAIN;
	else
		return 0;
	*vo = s;
	*lo = len;
	return 1;
}

/* "Name <user@host>": the address inside the angle brackets. */
static int
email_kind(const char *s, size_t len, const char **vo, size_t *lo)
{
	const char *lt, *gt;

	if (match_term_valid(MATCH_I_EMAIL, s, len)) {
		*vo = s;
		*lo = len;
		return 1;
	}
	if ((lt = memchr(s, '<', len)) == NULL ||
	    (gt = memchr(lt, '>', len - (size_t)(lt - s))) == NULL ||
	    !match_term_valid(MATCH_I_EMAIL, lt + 1, (size_t)(gt - lt - 1)))
		return 0;
	*vo = lt + 1;
	*lo = (size_t)(gt - lt - 1);
	return 1;
}

void
fmt_emit(struct match_parser *p, struct fmt_out *o, const char *name,
    const char *val, size_t len, enum fmt_hint hint)
{
	struct match_field *f;
	enum match_vkind k = MATCH_V_ANY;
	const char *v = val;
	size_t l = len;

	(void)p;
	if (hint == FMT_H_SKIP || len == 0 || o->n >= o->cap)
		return;
	switch (hint) {
	case FMT_H_IP:
	case FMT_H_DOMAIN:
		if (!host_kind(val, len, &v, &l, &k)) {
			v = val;
			l = len;
			k = MATCH_V_ANY;
		}
		break;
	case FMT_H_URL:
		if (match_term_valid(MATCH_I_URL, val, len))
			k = MATCH_V_URL;
		break;
	case FMT_H_HASH:
		if (is_hash(val, len))
			k = MATCH_V_HASH;
		break;
	case FMT_H_EMAIL:
		if (email_kind(val, len, &v, &l))
			k = MATCH_V_EMAIL;
		break;
	case FMT_H_SHAPE:
		if (is_hash(val, len))
			k = MATCH_V_HASH;
		else if (match_term_valid(MATCH_I_URL, val, len))
			k = MATCH_V_URL;
		else if (match_term_valid(MATCH_I_EMAIL, val, len))
			k = MATCH_V_EMAIL;
		else if (!host_kind(val, len, &v, &l, &k)) {
			v = val;
			l = len;
			k = MATCH_V_ANY;
		}
		break;
	default:
		break;
	}
	f = &o->f[o->n++];
	f->name = name;
	f->val = v;
	f->len = l;
	f->kind = k;
}

/* Length of the parent path of name, its last '.' included (0 if none). */
static size_t
parent_len(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot == NULL ? 0 : (size_t)(dot - name) + 1;
}

static int
last_is(const char *name, const char *a, const char *b)
{
	const char *last = name + parent_len(name);

	return strcasecmp(last, a) == 0 || strcasecmp(last, b) == 0;
}

void
fmt_compose_urls(struct match_parser *p, struct fmt_out *o)
{
	static const char scheme[] = "http://";
	const struct match_field *host = NULL, *path = NULL;
	size_t n = o->n, plen, need;
	char *dst, nm[MATCH_NAME_MAX + 1];

	for (size_t i = 0; i < n && (host == NULL || path == NULL); i++) {
		const struct match_field *f = &o->f[i];

		if (host == NULL && (f->kind == MATCH_V_DOMAIN ||
		    f->kind == MATCH_V_IP) && last_is(f->name, "host",
		    "hostname"))
			host = f;
		else if (path == NULL && f->len > 0 && f->val[0] == '/' &&
		    last_is(f->name, "uri", "url"))
			path = f;
	}
	if (host == NULL || path == NULL || o->n >= o->cap)
		return;
	plen = parent_len(host->name);
	if (plen != parent_len(path->name) ||
	    strncmp(host->name, path->name, plen) != 0)
		return;
	/* The host value is at most the line, and so is the path. */
	need = sizeof(scheme) - 1 + host->len + 2 + path->len;
	if ((dst = fmt_scratch(p, need)) == NULL)
		return;
	memcpy(dst, scheme, sizeof(scheme) - 1);
	need = sizeof(scheme) - 1;
	if (host->kind == MATCH_V_IP && memchr(host->val, ':', host->len)) {
		dst[need++] = '[';
		memcpy(dst + need, host->val, host->len);
		need += host->len;
		dst[need++] = ']';
	} else {
		memcpy(dst + need, host->val, host->len);
		need += host->len;
	}
	memcpy(dst + need, path->val, path->len);
	need += path->len;
	/* "<parent>hostname+url", truncated like every name. */
	{
		size_t hl = strlen(host->name), pl = strlen(path->name) - plen;
		size_t nl = 0;

		if (hl > MATCH_NAME_MAX)
			hl = MATCH_NAME_MAX;
		memcpy(nm, host->name, hl);
		nl = hl;
		if (nl < MATCH_NAME_MAX)
			nm[nl++] = '+';
		if (pl > MATCH_NAME_MAX - nl)
			pl = MATCH_NAME_MAX - nl;
		memcpy(nm + nl, path->name + plen, pl);
		nl += pl;
		o->f[o->n].name = fmt_name(p, nm, nl);
	}
	o->f[o->n].val = dst;
	o->f[o->n].len = need;
	o->f[o->n].kind = match_term_valid(MATCH_I_URL, dst, need) ?
	    MATCH_V_URL : MATCH_V_ANY;
	o->n++;
}

enum err
match_parser_new(enum match_format f, struct match_parser **out)
{
	struct match_parser *p;

	*out = NULL;
	if ((size_t)f == 0 || (size_t)f >= FMT_N_NAMES)
		return ERR_PARSE;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return ERR_NOMEM;
	p->fmt = f;
	hint_index(p);
	p->sep = f == MATCH_FMT_CSV ? ',' : '\t';
	p->set_sep = ',';
	*out = p;
	return ERR_OK;
}

void
match_parser_free(struct match_parser *p)
{
	if (p == NULL)
		return;
	free(p->hdr);
	free(p->empty);
	free(p->unset);
	free(p->scr);
	free(p);
}

void
match_parser_scratch(const struct match_parser *p, const char **lo,
    const char **hi)
{
	*lo = p->scr;
	*hi = p->scr == NULL ? NULL : p->scr + p->scr_cap;
}

/* Make room for the values and names of a line of len bytes. */
static enum err
scratch_prepare(struct match_parser *p, size_t len)
{
	size_t vals = 2 * len + FMT_COMPOSE_SLACK, need;
	char *s;

	/* Decoded values take at most len bytes, a composed URL at most
	 * len more.  len <= MATCH_LINE_MAX: no wrap. */
	need = vals + FMT_NAMES_BYTES;
	if (need > p->scr_cap) {
		/* Grow geometrically so a file of rising lengths is cheap. */
		size_t cap = p->scr_cap * 2 > need ? p->scr_cap * 2 : need;

		if ((s = realloc(p->scr, cap)) == NULL)
			return ERR_NOMEM;
		p->scr = s;
		p->scr_cap = cap;
	}
	p->scr_len = 0;
	p->scr_val_end = p->scr_cap - FMT_NAMES_BYTES;
	p->names_len = 0;
	return ERR_OK;
}

enum err
match_parser_line(struct match_parser *p, const char *line, size_t len,
    struct match_field *out, size_t cap, size_t *n_out)
{
	struct fmt_out o = { out, cap, 0 };
	enum err err = ERR_OK;

	*n_out = 0;
	if (len > MATCH_LINE_MAX)
		return ERR_TOOBIG;
	if (o.cap > MATCH_FIELDS_MAX)
		o.cap = MATCH_FIELDS_MAX;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (!p->seen_line) {
		p->seen_line = 1;
		if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			len -= 3;
		}
	}
	if (p->fmt == MATCH_FMT_TEXT) {
		if (len > 0 && o.cap > 0) {
			out[0].name = "text";
			out[0].val = line;
			out[0].len = len;
			out[0].kind = MATCH_V_ANY;
			*n_out = 1;
		}
		return ERR_OK;
	}
	if ((err = scratch_prepare(p, len)) != ERR_OK)
		return err;
	switch (p->fmt) {
	case MATCH_FMT_JSONL:
	case MATCH_FMT_EVE:
		err = fmt_json_line(p, line, len, &o);
		break;
	case MATCH_FMT_CSV:
	case MATCH_FMT_TSV:
		err = fmt_csv_line(p, line, len, &o);
		break;
	case MATCH_FMT_ZEEK:
		err = fmt_zeek_line(p, line, len, &o);
		break;
	case MATCH_FMT_BIND:
		err = fmt_bind_line(p, line, len, &o);
		break;
	case MATCH_FMT_SQUID:
		err = fmt_squid_line(p, line, len, &o);
		break;
	default:
		err = ERR_PARSE;
		break;
	}
	if (err != ERR_OK)
		return err;
	*n_out = o.n;
	return ERR_OK;
}

/*
 * Detection.  The first complete line decides (the whole head when it
 * holds no newline); the rules are tried in this order:
 *   1. a Zeek header: the head starts with "#separator" or "#fields";
 *   2. JSON: the line starts with '{' (after blanks); EVE when it has a
 *      top-level-looking "event_type" key and "src_ip" or "dest_ip" or
 *      "timestamp", otherwise JSON lines;
 *   3. BIND: the line holds "client " and " query: ";
 *   4. Squid: "<digits>.<3 digits> <digits> <host> <WORD>/<3 digits> ...";
 *   5. TSV: the first two lines hold the same number (>= 1) of tabs;
 *   6. CSV: the first two lines split (RFC 4180) into the same number
 *      (>= 2) of fields and the first line's cells are short names
 *      (letters, digits, ' ', '_', '-', '.'; a letter first);
 *   7. text.
 */

/* Line i (0-based) of head, without '\r'; 0 if the head has no such
 * complete line (the first line may be incomplete when it is the only
 * text in the head). */
static int
head_line(const char *h, size_t n, int i, const char **ls, size_t *ll)
{
	size_t pos = 0;

	for (int k = 0; ; k++) {
		const char *nl = memchr(h + pos, '\n', n - pos);
		size_t end = nl == NULL ? n : (size_t)(nl - h);

		if (k == i) {
			if (nl == NULL && i > 0)
				return 0;
			*ls = h + pos;
			*ll = end - pos;
			if (*ll > 0 && (*ls)[*ll - 1] == '\r')
				(*ll)--;
			return 1;
		}
		if (nl == NULL)
			return 0;
		pos = end + 1;
	}
}

static int
mem_has(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Squid native: time elapsed host code/status ... */
static int
looks_squid(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n && is_digit(s[i]))
		i++;
	if (i == 0 || i + 4 > n || s[i] != '.' || !is_digit(s[i + 1]) ||
	    !is_digit(s[i + 2]) || !is_digit(s[i + 3]))
		return 0;
	i += 4;
	while (i < n && s[i] == ' ')
		i++;
	k = i;
	while (i < n && is_digit(s[i]))
		i++;
	if (i == k || i >= n || s[i] != ' ')
		return 0;
	while (i < n && s[i] == ' ')
		i++;
	k = i;
	while (i < n && s[i] != ' ')
		i++;
	if (i == k)
		return 0;
	while (i < n && s[i] == ' ')
		i++;
	k = i;
	while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_'))
		i++;
	return i > k && i + 4 <= n && s[i] == '/' && is_digit(s[i + 1]) &&
	    is_digit(s[i + 2]) && is_digit(s[i + 3]);
}

static size_t
count_char(const char *s, size_t n, char c)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

/* Fields of a CSV line, quotes honoured; 0 when a quote is unbalanced. */
static size_t
csv_fields(const char *s, size_t n)
{
	size_t k = 1;
	int q = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			q = !q;
		else if (s[i] == ',' && !q)
			k++;
	}
	return q ? 0 : k;
}

static int
csv_header_ok(const char *s, size_t n)
{
	size_t i = 0;

	while (i <= n) {
		size_t st = i;

		while (i < n && s[i] != ',')
			i++;
		if (i - st > 64)
			return 0;
		/* Quoted header cells are allowed. */
		if (i - st >= 2 && s[st] == '"' && s[i - 1] == '"') {
			st++;
			i--;
		}
		if (i == st || !((s[st] >= 'a' && s[st] <= 'z') ||
		    (s[st] >= 'A' && s[st] <= 'Z') || s[st] == '_'))
			return 0;
		for (size_t j = st; j < i; j++) {
			char c = s[j];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    is_digit(c) || c == ' ' || c == '_' || c == '-' ||
			    c == '.'))
				return 0;
		}
		if (i < n && s[i] == '"')
			i++;
		i++;
	}
	return 1;
}

enum match_format
match_format_detect(const char *head, size_t len)
{
	const char *l0, *l1 = NULL;
	size_t n0, n1 = 0, t0, i = 0;

	if (len > MATCH_DETECT_BYTES)
		len = MATCH_DETECT_BYTES;
	if (len >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0) {
		head += 3;
		len -= 3;
	}
	if ((len >= 10 && memcmp(head, "#separator", 10) == 0) ||
	    (len >= 7 && memcmp(head, "#fields", 7) == 0))
		return MATCH_FMT_ZEEK;
	if (!head_line(head, len, 0, &l0, &n0))
		return MATCH_FMT_TEXT;
	(void)head_line(head, len, 1, &l1, &n1);
	while (i < n0 && (l0[i] == ' ' || l0[i] == '\t'))
		i++;
	if (i < n0 && l0[i] == '{') {
		if (mem_has(l0, n0, "\"event_type\"") &&
		    (mem_has(l0, n0, "\"src_ip\"") ||
		    mem_has(l0, n0, "\"dest_ip\"") ||
		    mem_has(l0, n0, "\"timestamp\"")))
			return MATCH_FMT_EVE;
		return MATCH_FMT_JSONL;
	}
	if (mem_has(l0, n0, "client ") && mem_has(l0, n0, " query: "))
		return MATCH_FMT_BIND;
	if (looks_squid(l0, n0))
		return MATCH_FMT_SQUID;
	if (l1 == NULL)
		return MATCH_FMT_TEXT;
	t0 = count_char(l0, n0, '\t');
	if (t0 >= 1 && count_char(l1, n1, '\t') == t0)
		return MATCH_FMT_TSV;
	t0 = csv_fields(l0, n0);
	if (t0 >= 2 && csv_fields(l1, n1) == t0 && csv_header_ok(l0, n0))
		return MATCH_FMT_CSV;
	return MATCH_FMT_TEXT;
}
