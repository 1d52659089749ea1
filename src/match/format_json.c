/*
 * format_json.c: JSON lines and Suricata EVE, one object per line.
 *
 * A hand-rolled scanner rather than jansson: it builds no tree, copies
 * nothing unless a string holds escapes, and visits each byte about once,
 * so a line costs little more than reading it.  It checks the grammar
 * (RFC 8259) closely enough to call a line bad when it is not JSON, but
 * accepts bytes that are not UTF-8 inside strings: logs hold them, and a
 * value is matched as bytes anyway.  Nesting is bounded by
 * MATCH_JSON_DEPTH; the recursion depth is the nesting depth.
 *
 * Every string value becomes a field named by its path: object keys
 * joined by '.', array elements named like their array ("dns.answers.
 * rdata").  Numbers, booleans and null are skipped.
 */
#include <string.h>

#include "match/format_int.h"

/* Room for a path before names are truncated to MATCH_NAME_MAX. */
#define JSON_PATH_BYTES	(MATCH_NAME_MAX + 1u)

struct jctx {
	struct match_parser	*p;
	struct fmt_out		*o;
	const char		*s;
	size_t			 n;
	size_t			 i;
	unsigned		 depth;
	char			 path[JSON_PATH_BYTES];
	size_t			 path_len;	/* <= MATCH_NAME_MAX */
	enum fmt_hint		 hint;		/* of the current path */
	int			 hint_known;	/* 0: work it out when needed */
	enum fmt_hint		 parent;	/* of the path above the key */
	const char		*key;		/* the last key, decoded */
	size_t			 key_len;
	const char		*name;		/* its copy, NULL: not made */
};

/* The current path's hint, worked out on first use (most keys hold
 * numbers and never need it). */
static enum fmt_hint
hint(struct jctx *c)
{
	if (!c->hint_known) {
		c->hint = fmt_hint_step(c->p, c->parent, c->path, c->path_len,
		    c->key, c->key_len);
		c->hint_known = 1;
	}
	return c->hint;
}

static void
ws(struct jctx *c)
{
	while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' ||
	    c->s[c->i] == '\r' || c->s[c->i] == '\n'))
		c->i++;
}

static int
hex4(const char *s, unsigned *out)
{
	unsigned v = 0;

	for (int k = 0; k < 4; k++) {
		char ch = s[k];

		v <<= 4;
		if (ch >= '0' && ch <= '9')
			v |= (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v |= (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			v |= (unsigned)(ch - 'A' + 10);
		else
			return 0;
	}
	*out = v;
	return 1;
}

/* UTF-8 of code point cp (no surrogates) into d; returns its length. */
static size_t
utf8_put(char *d, unsigned cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | (cp >> 18));
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decode the escaped string body s[0..n) into d (room for n bytes: no
 * escape decodes longer than it is written).  *dl gets the length.  0 for
 * a bad escape.  \u0000 and lone surrogates become U+FFFD so names and
 * values never hold a NUL.
 */
static int
unescape(const char *s, size_t n, char *d, size_t *dl)
{
	size_t i = 0, o = 0;
	unsigned cp, lo;

	while (i < n) {
		if (s[i] != '\\') {
			d[o++] = s[i++];
			continue;
		}
		if (++i >= n)
			return 0;
		switch (s[i++]) {
		case '"':  d[o++] = '"'; break;
		case '\\': d[o++] = '\\'; break;
		case '/':  d[o++] = '/'; break;
		case 'b':  d[o++] = '\b'; break;
		case 'f':  d[o++] = '\f'; break;
		case 'n':  d[o++] = '\n'; break;
		case 'r':  d[o++] = '\r'; break;
		case 't':  d[o++] = '\t'; break;
		case 'u':
			if (n - i < 4 || !hex4(s + i, &cp))
				return 0;
			i += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && n - i >= 6 &&
			    s[i] == '\\' && s[i + 1] == 'u' &&
			    hex4(s + i + 2, &lo) && lo >= 0xdc00 &&
			    lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 6;
			} else if (cp == 0 || (cp >= 0xd800 && cp < 0xe000))
				cp = 0xfffd;
			o += utf8_put(d + o, cp);
			break;
		default:
			return 0;
		}
	}
	*dl = o;
	return 1;
}

/*
 * Scan the string starting after its opening quote at c->i.  On success
 * *v and *vl get its decoded text (into the line when it holds no escape, else
 * into dst, which the caller supplies with room for the raw length, or
 * into scratch when dst is NULL), and c->i is past the closing quote.
 */
static enum err
string(struct jctx *c, const char **v, size_t *vl, char *dst, size_t dcap)
{
	const char *st = c->s + c->i, *q, *b;
	size_t rem = c->n - c->i, raw;
	char *d;

	/* Find the closing quote: one not preceded by an odd run of '\'. */
	q = memchr(st, '"', rem);
	if (q == NULL)
		return ERR_PARSE;
	b = memchr(st, '\\', (size_t)(q - st));
	if (b == NULL) {
		*v = st;
		*vl = (size_t)(q - st);
		c->i += *vl + 1;
		return ERR_OK;
	}
	for (q = b; ; ) {
		if (q >= st + rem)
			return ERR_PARSE;
		if (*q == '\\') {
			q += 2;
			continue;
		}
		if (*q == '"')
			break;
		q++;
	}
	raw = (size_t)(q - st);
	if (dst != NULL) {
		if (raw > dcap)
			raw = dcap;	/* keys: a truncated name is fine */
		d = dst;
	} else if ((d = fmt_scratch(c->p, raw)) == NULL)
		return ERR_PARSE;
	/* A cut in the middle of an escape is refused only for values. */
	if (!unescape(st, raw, d, vl)) {
		if (dst == NULL || raw == (size_t)(q - st))
			return ERR_PARSE;
		*vl = 0;
	}
	*v = d;
	c->i += (size_t)(q - st) + 1;
	return ERR_OK;
}

static int
is_num_char(char ch)
{
	return (ch >= '0' && ch <= '9') || ch == '-' || ch == '+' ||
	    ch == '.' || ch == 'e' || ch == 'E';
}

static enum err value(struct jctx *c);

static void
emit_string(struct jctx *c, const char *v, size_t vl)
{
	if (vl == 0 || c->o->n >= c->o->cap || hint(c) == FMT_H_SKIP)
		return;
	/* Values of one array share their name. */
	if (c->name == NULL)
		c->name = c->path_len == 0 ? "$" :
		    fmt_name(c->p, c->path, c->path_len);
	fmt_emit(c->p, c->o, c->name, v, vl, c->hint);
}

static enum err
object(struct jctx *c)
{
	size_t saved = c->path_len, kl;
	enum fmt_hint parent = hint(c);
	const char *k;
	enum err err;

	c->i++;		/* '{' */
	ws(c);
	if (c->i < c->n && c->s[c->i] == '}') {
		c->i++;
		return ERR_OK;
	}
	for (;;) {
		ws(c);
		if (c->i >= c->n || c->s[c->i] != '"')
			return ERR_PARSE;
		c->i++;
		/* Decode the key straight into the path. */
		if (saved > 0 && saved < MATCH_NAME_MAX)
			c->path[saved] = '.';
		{
			size_t at = saved > 0 ? saved + 1 : 0;
			size_t room = at < MATCH_NAME_MAX ?
			    MATCH_NAME_MAX - at : 0;
			char kbuf[JSON_PATH_BYTES];

			if ((err = string(c, &k, &kl, kbuf, room)) != ERR_OK)
				return err;
			if (kl > room)
				kl = room;
			if (at <= MATCH_NAME_MAX) {
				memmove(c->path + at, k, kl);
				c->path_len = at + kl;
			}
			if (c->path_len > MATCH_NAME_MAX)
				c->path_len = MATCH_NAME_MAX;
			/* The key as copied into the path (cut when long). */
			c->parent = parent;
			c->key = c->path + (at <= MATCH_NAME_MAX ? at : 0);
			c->key_len = at <= MATCH_NAME_MAX ? kl : 0;
			c->hint_known = 0;
			c->name = NULL;
		}
		ws(c);
		if (c->i >= c->n || c->s[c->i] != ':')
			return ERR_PARSE;
		c->i++;
		if ((err = value(c)) != ERR_OK)
			return err;
		c->path_len = saved;
		c->hint = parent;
		c->hint_known = 1;
		c->name = NULL;
		ws(c);
		if (c->i >= c->n)
			return ERR_PARSE;
		if (c->s[c->i] == '}') {
			c->i++;
			return ERR_OK;
		}
		if (c->s[c->i] != ',')
			return ERR_PARSE;
		c->i++;
	}
}

static enum err
array(struct jctx *c)
{
	enum err err;

	c->i++;		/* '[' */
	ws(c);
	if (c->i < c->n && c->s[c->i] == ']') {
		c->i++;
		return ERR_OK;
	}
	for (;;) {
		if ((err = value(c)) != ERR_OK)
			return err;
		ws(c);
		if (c->i >= c->n)
			return ERR_PARSE;
		if (c->s[c->i] == ']') {
			c->i++;
			return ERR_OK;
		}
		if (c->s[c->i] != ',')
			return ERR_PARSE;
		c->i++;
	}
}

static enum err
literal(struct jctx *c, const char *word)
{
	size_t wl = strlen(word);

	if (c->n - c->i < wl || memcmp(c->s + c->i, word, wl) != 0)
		return ERR_PARSE;
	c->i += wl;
	return ERR_OK;
}

static enum err
value(struct jctx *c)
{
	const char *v;
	size_t vl, st, digits;
	enum err err;

	ws(c);
	if (c->i >= c->n)
		return ERR_PARSE;
	switch (c->s[c->i]) {
	case '{':
	case '[':
		if (c->depth >= MATCH_JSON_DEPTH)
			return ERR_PARSE;
		c->depth++;
		err = c->s[c->i] == '{' ? object(c) : array(c);
		c->depth--;
		return err;
	case '"':
		c->i++;
		if ((err = string(c, &v, &vl, NULL, 0)) != ERR_OK)
			return err;
		emit_string(c, v, vl);
		return ERR_OK;
	case 't':
		return literal(c, "true");
	case 'f':
		return literal(c, "false");
	case 'n':
		return literal(c, "null");
	default:
		/* Numbers are skipped: checked loosely (a sign, digits, '.',
		 * exponent characters, at least one digit). */
		st = c->i;
		digits = 0;
		while (c->i < c->n && is_num_char(c->s[c->i]))
			digits += c->s[c->i++] <= '9' && c->s[c->i - 1] >= '0';
		return c->i > st && digits > 0 ? ERR_OK : ERR_PARSE;
	}
}

enum err
fmt_json_line(struct match_parser *p, const char *line, size_t len,
    struct fmt_out *o)
{
	struct jctx c;
	enum err err;

	c.p = p;
	c.o = o;
	c.s = line;
	c.n = len;
	c.i = 0;
	c.depth = 0;
	c.path_len = 0;
	c.hint = FMT_H_ANY;
	c.hint_known = 1;
	c.name = NULL;
	ws(&c);
	if (c.i == c.n)
		return ERR_OK;		/* a blank line */
	if (line[c.i] != '{' && line[c.i] != '[')
		goto bad;
	if ((err = value(&c)) != ERR_OK)
		goto bad;
	ws(&c);
	if (c.i != c.n)
		goto bad;
	fmt_compose_urls(p, o);
	return ERR_OK;
bad:
	o->n = 0;
	return ERR_PARSE;
}
