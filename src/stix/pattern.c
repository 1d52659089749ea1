/*
 * pattern.c: recursive-descent parser for the STIX 2.1 patterning language.
 *
 * The lexer follows the tokens of STIXPattern.g4 (STIX 2.1): keywords are
 * upper case only, "true" and "false" lower case only, identifiers are
 * [A-Za-z_][A-Za-z0-9_-]* (a hyphen makes an identifier usable as an object
 * type but not as a property name), and whitespace includes the Unicode
 * spaces the grammar lists.  The parser has one function per precedence
 * level and builds n-ary nodes for operator chains (see pattern.h).  All
 * allocations come from an arena owned by the struct stix_pattern whose
 * first block lives inside the struct, so checking a typical indicator
 * pattern costs no malloc at all.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stix/pattern.h"
#include "util/timeutil.h"

#define PAT_ALIGN	16u
#define PAT_INLINE	6144u
#define PAT_CHUNK_MIN	16384u
/* Safety net on total arena size; 64 KiB of text never needs this much. */
#define PAT_ARENA_MAX	(8u * 1024u * 1024u)
/* Longest numeric literal we convert (digits beyond are not meaningful). */
#define PAT_NUMBUF	512u

struct pat_chunk {
	struct pat_chunk	*next;
	size_t			 cap;
	size_t			 used;
	max_align_t		 data[];
};

struct stix_pattern {
	const struct stix_pat_node *root;
	size_t			 n_nodes;
	size_t			 heap_bytes;	/* in chunks */
	struct pat_chunk	*chunks;	/* newest first */
	size_t			 inl_used;
	max_align_t		 inl[PAT_INLINE / sizeof(max_align_t)];
};

enum tok {
	T_EOF = 0,
	T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN, T_COLON, T_DOT, T_COMMA,
	T_STAR, T_PLUS, T_MINUS, T_CARET, T_SLASH,
	T_EQ, T_NEQ, T_LT, T_LE, T_GT, T_GE,
	/* Keywords (see kw_table). */
	T_AND, T_OR, T_NOT, T_FOLLOWEDBY, T_LIKE, T_MATCHES, T_ISSUPERSET,
	T_ISSUBSET, T_EXISTS, T_LAST, T_IN, T_START, T_STOP, T_SECONDS,
	T_TRUE, T_FALSE, T_WITHIN, T_REPEATS, T_TIMES,
	T_IDENT, T_STRING, T_INT, T_FLOAT, T_TIMESTAMP, T_BINARY, T_HEX
};

static const struct {
	const char	*word;
	size_t		 len;
	enum tok	 tok;
} kw_table[] = {
#define KW(w, t)	{ w, sizeof(w) - 1, t }
	KW("AND", T_AND), KW("OR", T_OR), KW("NOT", T_NOT),
	KW("FOLLOWEDBY", T_FOLLOWEDBY), KW("LIKE", T_LIKE),
	KW("MATCHES", T_MATCHES), KW("ISSUPERSET", T_ISSUPERSET),
	KW("ISSUBSET", T_ISSUBSET), KW("EXISTS", T_EXISTS),
	KW("LAST", T_LAST), KW("IN", T_IN), KW("START", T_START),
	KW("STOP", T_STOP), KW("SECONDS", T_SECONDS), KW("true", T_TRUE),
	KW("false", T_FALSE), KW("WITHIN", T_WITHIN),
	KW("REPEATS", T_REPEATS), KW("TIMES", T_TIMES),
#undef KW
};

struct token {
	enum tok	 kind;
	size_t		 off;
	size_t		 len;
	int		 hyphen;	/* IDENT containing '-' */
	int		 sign;		/* INT, FLOAT: -1 '-', 1 '+', 0 */
	union {
		int64_t	 i;
		double	 d;
		int64_t	 ts;
		struct {
			char	*ptr;
			size_t	 len;
		} str;
		struct {
			uint8_t	*ptr;
			size_t	 len;
		} bytes;
	} v;
};

struct parser {
	struct stix_pattern	*p;
	const unsigned char	*s;
	size_t			 len;
	size_t			 pos;
	struct token		 tok;
	unsigned		 depth;
	char			*reason;
	size_t			 reason_cap;
};

static enum err parse_obs_seq(struct parser *, const struct stix_pat_node **);
static enum err parse_cmp_or(struct parser *, const struct stix_pat_node **);

/*
 * Record a failure: "<message> at offset N".  Returns e so callers can
 * "return fail(...)".
 */
static enum err __attribute__((format(printf, 4, 5)))
fail(struct parser *ps, enum err e, size_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->reason == NULL || ps->reason_cap == 0)
		return e;
	va_start(ap, fmt);
	n = vsnprintf(ps->reason, ps->reason_cap, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < ps->reason_cap)
		(void)snprintf(ps->reason + n, ps->reason_cap - (size_t)n,
		    " at offset %zu", off);
	return e;
}

/* Allocate size bytes (zeroed, aligned) from p's arena; NULL when full. */
static void *
arena_alloc(struct stix_pattern *p, size_t size, enum err *err)
{
	struct pat_chunk *c;
	size_t cap;
	void *r;

	if (size > PAT_ARENA_MAX) {
		*err = ERR_TOOBIG;
		return NULL;
	}
	size = (size + PAT_ALIGN - 1) & ~(size_t)(PAT_ALIGN - 1);
	if (size <= sizeof(p->inl) - p->inl_used) {
		r = (unsigned char *)p->inl + p->inl_used;
		p->inl_used += size;
		memset(r, 0, size);
		return r;
	}
	c = p->chunks;
	if (c != NULL && size <= c->cap - c->used) {
		r = (unsigned char *)c->data + c->used;
		c->used += size;
		memset(r, 0, size);
		return r;
	}
	cap = c != NULL ? c->cap * 2 : PAT_CHUNK_MIN;
	if (cap < size)
		cap = size;
	if (cap > PAT_ARENA_MAX - p->heap_bytes) {
		cap = PAT_ARENA_MAX - p->heap_bytes;
		if (cap < size) {
			*err = ERR_TOOBIG;
			return NULL;
		}
	}
	c = malloc(sizeof(*c) + cap);
	if (c == NULL) {
		*err = ERR_NOMEM;
		return NULL;
	}
	c->cap = cap;
	c->used = size;
	c->next = p->chunks;
	p->chunks = c;
	p->heap_bytes += cap;
	memset(c->data, 0, size);
	return c->data;
}

static void
arena_release(struct stix_pattern *p)
{
	struct pat_chunk *c, *next;

	for (c = p->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	p->chunks = NULL;
	p->heap_bytes = 0;
	p->inl_used = 0;
}

static void *
ps_alloc(struct parser *ps, size_t size, enum err *err)
{
	void *r;

	r = arena_alloc(ps->p, size, err);
	if (r == NULL && *err == ERR_TOOBIG)
		(void)fail(ps, ERR_TOOBIG, ps->tok.off,
		    "pattern needs more than %u bytes of memory",
		    PAT_ARENA_MAX);
	else if (r == NULL)
		(void)fail(ps, ERR_NOMEM, ps->tok.off, "out of memory");
	return r;
}

/* Copy s[0..n) into the arena as a NUL-terminated string. */
static char *
ps_strdup(struct parser *ps, const unsigned char *s, size_t n, enum err *err)
{
	char *r;

	if (n >= PAT_ARENA_MAX) {
		*err = fail(ps, ERR_TOOBIG, ps->tok.off, "string too long");
		return NULL;
	}
	r = ps_alloc(ps, n + 1, err);
	if (r != NULL && n > 0)
		memcpy(r, s, n);
	return r;
}

/*
 * Return an arena array with room for at least n + 1 elements of esz bytes,
 * holding the n elements of v (v itself when it has room; *cap is updated).
 * The old block is abandoned in the arena.  NULL with *err set on failure.
 */
static void *
vec_grow(struct parser *ps, void *v, size_t n, size_t *cap, size_t esz,
    enum err *err)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return v;
	ncap = *cap == 0 ? 4 : *cap * 2;
	if (ncap > PAT_ARENA_MAX / esz) {
		*err = fail(ps, ERR_TOOBIG, ps->tok.off, "pattern too large");
		return NULL;
	}
	if ((nv = ps_alloc(ps, ncap * esz, err)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(nv, v, n * esz);
	*cap = ncap;
	return nv;
}

static struct stix_pat_node *
node_new(struct parser *ps, enum stix_pat_kind kind, size_t off,
    enum err *err)
{
	struct stix_pat_node *n;

	if (ps->p->n_nodes >= LIM_PATTERN_NODES) {
		*err = fail(ps, ERR_TOOBIG, off,
		    "pattern has more than %u nodes", LIM_PATTERN_NODES);
		return NULL;
	}
	n = ps_alloc(ps, sizeof(*n), err);
	if (n == NULL)
		return NULL;
	ps->p->n_nodes++;
	n->kind = kind;
	n->offset = (uint32_t)off;
	return n;
}

/* ---- lexer ---- */

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Length of the whitespace character at s[i], or 0.  The grammar's WS set. */
static size_t
ws_len(const unsigned char *s, size_t n, size_t i)
{
	unsigned char c = s[i];

	if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f')
		return 1;
	if (c == 0xc2 && i + 1 < n && (s[i + 1] == 0x85 || s[i + 1] == 0xa0))
		return 2;	/* U+0085, U+00A0 */
	if (i + 2 >= n)
		return 0;
	if (c == 0xe1 && s[i + 1] == 0x9a && s[i + 2] == 0x80)
		return 3;	/* U+1680 */
	if (c == 0xe2 && s[i + 1] == 0x80 &&
	    (s[i + 2] <= 0x8a || s[i + 2] == 0xa8 || s[i + 2] == 0xa9 ||
	    s[i + 2] == 0xaf) && s[i + 2] >= 0x80)
		return 3;	/* U+2000..200A, 2028, 2029, 202F */
	if (c == 0xe2 && s[i + 1] == 0x81 && s[i + 2] == 0x9f)
		return 3;	/* U+205F */
	if (c == 0xe3 && s[i + 1] == 0x80 && s[i + 2] == 0x80)
		return 3;	/* U+3000 */
	return 0;
}

/* Skip whitespace and comments from ps->pos. */
static enum err
skip_space(struct parser *ps)
{
	const unsigned char *s = ps->s;
	size_t n = ps->len, i = ps->pos, w;

	while (i < n) {
		if ((w = ws_len(s, n, i)) > 0) {
			i += w;
		} else if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
			size_t start = i;

			for (i += 2; i + 1 < n; i++)
				if (s[i] == '*' && s[i + 1] == '/')
					break;
			if (i + 1 >= n)
				return fail(ps, ERR_PARSE, start,
				    "unterminated comment");
			i += 2;
		} else if (s[i] == '/' && i + 1 < n && s[i + 1] == '/') {
			while (i < n && s[i] != '\r' && s[i] != '\n')
				i++;
		} else {
			break;
		}
	}
	ps->pos = i;
	return ERR_OK;
}

/* Lex a quoted string starting at s[i] == '\''; decode escapes. */
static enum err
lex_string(struct parser *ps, size_t i)
{
	const unsigned char *s = ps->s;
	struct token *t = &ps->tok;
	enum err err = ERR_OK;
	size_t j, k, n = ps->len;
	char *out;

	for (j = i + 1; j < n && s[j] != '\''; j++) {
		if (s[j] != '\\')
			continue;
		if (j + 1 >= n)
			break;
		if (s[j + 1] != '\'' && s[j + 1] != '\\')
			return fail(ps, ERR_PARSE, j,
			    "invalid escape in string literal");
		j++;
	}
	if (j >= n)
		return fail(ps, ERR_PARSE, i, "unterminated string literal");
	/* The decoded text is never longer than the quoted text. */
	out = ps_strdup(ps, s + i + 1, j - i - 1, &err);
	if (out == NULL)
		return err;
	for (k = 0, i++; i < j; i++) {
		if (s[i] == '\\')
			i++;
		out[k++] = (char)s[i];
	}
	out[k] = '\0';
	t->kind = T_STRING;
	t->len = j + 1 - t->off;
	t->v.str.ptr = out;
	t->v.str.len = k;
	ps->pos = j + 1;
	return ERR_OK;
}

/* Find the closing quote of a t'', b'' or h'' literal opened at s[i]. */
static size_t
close_quote(const unsigned char *s, size_t n, size_t i)
{
	size_t j;

	for (j = i + 2; j < n && s[j] != '\''; j++)
		;
	return j;
}

static enum err
lex_timestamp(struct parser *ps, size_t i)
{
	const unsigned char *s = ps->s;
	struct token *t = &ps->tok;
	size_t j, k, body;
	int64_t us;

	j = close_quote(s, ps->len, i);
	if (j >= ps->len)
		return fail(ps, ERR_PARSE, i,
		    "unterminated timestamp literal");
	body = j - (i + 2);
	/* The grammar wants digits, '-', ':', '.', upper-case 'T' and 'Z'. */
	for (k = i + 2; k < j; k++)
		if (!is_digit(s[k]) && s[k] != '-' && s[k] != ':' &&
		    s[k] != '.' && s[k] != 'T' && s[k] != 'Z')
			return fail(ps, ERR_PARSE, i,
			    "invalid timestamp literal");
	if (body < 20 || s[i + 2 + 10] != 'T' || s[j - 1] != 'Z' ||
	    ts_parse((const char *)s + i + 2, body, &us, NULL) != ERR_OK)
		return fail(ps, ERR_PARSE, i, "invalid timestamp literal");
	t->kind = T_TIMESTAMP;
	t->len = j + 1 - i;
	t->v.ts = us;
	ps->pos = j + 1;
	return ERR_OK;
}

static enum err
lex_binary(struct parser *ps, size_t i)
{
	const unsigned char *s = ps->s;
	struct token *t = &ps->tok;
	enum err err = ERR_OK;
	size_t j, k, body, pad = 0, o = 0;
	uint32_t acc = 0;
	uint8_t *out;

	j = close_quote(s, ps->len, i);
	if (j >= ps->len)
		return fail(ps, ERR_PARSE, i, "unterminated binary literal");
	body = j - (i + 2);
	/* At least one quantum, padding only at the end (STIX 2.1 grammar). */
	if (body == 0 || body % 4 != 0)
		return fail(ps, ERR_PARSE, i, "invalid binary literal");
	if (s[j - 1] == '=')
		pad = s[j - 2] == '=' ? 2 : 1;
	for (k = i + 2; k < j - pad; k++)
		if (b64val(s[k]) < 0)
			return fail(ps, ERR_PARSE, i,
			    "invalid binary literal");
	out = ps_alloc(ps, body / 4 * 3, &err);
	if (out == NULL)
		return err;
	for (k = 0; k < body; k++) {
		unsigned char c = s[i + 2 + k];

		acc = (acc << 6) | (uint32_t)(c == '=' ? 0 : b64val(c));
		if (k % 4 == 3) {
			out[o++] = (uint8_t)(acc >> 16);
			out[o++] = (uint8_t)(acc >> 8);
			out[o++] = (uint8_t)acc;
			acc = 0;
		}
	}
	t->kind = T_BINARY;
	t->len = j + 1 - i;
	t->v.bytes.ptr = out;
	t->v.bytes.len = o - pad;
	ps->pos = j + 1;
	return ERR_OK;
}

static enum err
lex_hex(struct parser *ps, size_t i)
{
	const unsigned char *s = ps->s;
	struct token *t = &ps->tok;
	enum err err = ERR_OK;
	size_t j, k, body;
	uint8_t *out = NULL;

	j = close_quote(s, ps->len, i);
	if (j >= ps->len)
		return fail(ps, ERR_PARSE, i, "unterminated hex literal");
	body = j - (i + 2);
	if (body % 2 != 0)
		return fail(ps, ERR_PARSE, i, "invalid hex literal");
	for (k = i + 2; k < j; k++)
		if (hexval(s[k]) < 0)
			return fail(ps, ERR_PARSE, i, "invalid hex literal");
	if (body > 0) {
		out = ps_alloc(ps, body / 2, &err);
		if (out == NULL)
			return err;
		for (k = 0; k < body / 2; k++)
			out[k] = (uint8_t)(hexval(s[i + 2 + 2 * k]) << 4 |
			    hexval(s[i + 3 + 2 * k]));
	}
	t->kind = T_HEX;
	t->len = j + 1 - i;
	t->v.bytes.ptr = out;
	t->v.bytes.len = body / 2;
	ps->pos = j + 1;
	return ERR_OK;
}

/* Lex [+-]?digits or [+-]?digits*.digits+ starting at s[i]. */
static enum err
lex_number(struct parser *ps, size_t i)
{
	const unsigned char *s = ps->s;
	struct token *t = &ps->tok;
	size_t n = ps->len, start = i, d, j;
	char buf[PAT_NUMBUF];
	uint64_t acc = 0, lim;

	t->sign = 0;
	if (s[i] == '+' || s[i] == '-') {
		t->sign = s[i] == '-' ? -1 : 1;
		i++;
	}
	for (d = i; d < n && is_digit(s[d]); d++)
		;
	if (d + 1 < n && s[d] == '.' && is_digit(s[d + 1])) {
		for (j = d + 1; j < n && is_digit(s[j]); j++)
			;
		if (j - start >= sizeof(buf))
			return fail(ps, ERR_PARSE, start,
			    "numeric literal too long");
		memcpy(buf, s + start, j - start);
		buf[j - start] = '\0';
		t->kind = T_FLOAT;
		t->v.d = strtod(buf, NULL);
		if (!isfinite(t->v.d))
			return fail(ps, ERR_PARSE, start,
			    "numeric literal out of range");
		t->len = j - start;
		ps->pos = j;
		return ERR_OK;
	}
	if (s[i] == '0' && d - i > 1)
		return fail(ps, ERR_PARSE, start,
		    "invalid integer literal (leading zero)");
	lim = t->sign < 0 ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (j = i; j < d; j++) {
		unsigned dig = (unsigned)(s[j] - '0');

		if (acc > (lim - dig) / 10)
			return fail(ps, ERR_PARSE, start,
			    "integer literal out of range");
		acc = acc * 10 + dig;
	}
	t->kind = T_INT;
	if (t->sign < 0)
		t->v.i = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN :
		    -(int64_t)acc;
	else
		t->v.i = (int64_t)acc;
	t->len = d - start;
	ps->pos = d;
	return ERR_OK;
}

/* Read the next token into ps->tok. */
static enum err
lex(struct parser *ps)
{
	const unsigned char *s = ps->s;
	struct token *t = &ps->tok;
	size_t n = ps->len, i, j;
	unsigned char c;
	enum err err;

	if ((err = skip_space(ps)) != ERR_OK)
		return err;
	i = ps->pos;
	memset(t, 0, sizeof(*t));
	t->off = i;
	if (i >= n) {
		t->kind = T_EOF;
		return ERR_OK;
	}
	c = s[i];
	if ((c == 't' || c == 'b' || c == 'h') && i + 1 < n &&
	    s[i + 1] == '\'') {
		if (c == 't')
			return lex_timestamp(ps, i);
		return c == 'b' ? lex_binary(ps, i) : lex_hex(ps, i);
	}
	if (is_alpha(c) || c == '_') {
		for (j = i + 1; j < n && (is_alpha(s[j]) || is_digit(s[j]) ||
		    s[j] == '_' || s[j] == '-'); j++)
			if (s[j] == '-')
				t->hyphen = 1;
		t->kind = T_IDENT;
		t->len = j - i;
		for (size_t k = 0; k < sizeof(kw_table) / sizeof(kw_table[0]);
		    k++)
			if (kw_table[k].len == t->len &&
			    memcmp(kw_table[k].word, s + i, t->len) == 0) {
				t->kind = kw_table[k].tok;
				break;
			}
		ps->pos = j;
		return ERR_OK;
	}
	if (is_digit(c) || ((c == '+' || c == '-') && i + 1 < n &&
	    (is_digit(s[i + 1]) || (s[i + 1] == '.' && i + 2 < n &&
	    is_digit(s[i + 2])))) || (c == '.' && i + 1 < n &&
	    is_digit(s[i + 1])))
		return lex_number(ps, i);
	if (c == '\'')
		return lex_string(ps, i);
	t->len = 1;
	switch (c) {
	case '[': t->kind = T_LBRACK; break;
	case ']': t->kind = T_RBRACK; break;
	case '(': t->kind = T_LPAREN; break;
	case ')': t->kind = T_RPAREN; break;
	case ':': t->kind = T_COLON; break;
	case '.': t->kind = T_DOT; break;
	case ',': t->kind = T_COMMA; break;
	case '*': t->kind = T_STAR; break;
	case '+': t->kind = T_PLUS; break;
	case '-': t->kind = T_MINUS; break;
	case '^': t->kind = T_CARET; break;
	case '/': t->kind = T_SLASH; break;
	case '=':
		t->kind = T_EQ;
		if (i + 1 < n && s[i + 1] == '=')
			t->len = 2;
		break;
	case '!':
		if (i + 1 < n && s[i + 1] == '=') {
			t->kind = T_NEQ;
			t->len = 2;
			break;
		}
		return fail(ps, ERR_PARSE, i, "unexpected character '!'");
	case '<':
		t->kind = T_LT;
		if (i + 1 < n && s[i + 1] == '=') {
			t->kind = T_LE;
			t->len = 2;
		} else if (i + 1 < n && s[i + 1] == '>') {
			t->kind = T_NEQ;
			t->len = 2;
		}
		break;
	case '>':
		t->kind = T_GT;
		if (i + 1 < n && s[i + 1] == '=') {
			t->kind = T_GE;
			t->len = 2;
		}
		break;
	default:
		if (c >= 0x21 && c < 0x7f)
			return fail(ps, ERR_PARSE, i,
			    "unexpected character '%c'", c);
		return fail(ps, ERR_PARSE, i,
		    "unexpected byte 0x%02x", (unsigned)c);
	}
	ps->pos = i + t->len;
	return ERR_OK;
}

/* ---- parser ---- */

static enum err
advance(struct parser *ps)
{
	return lex(ps);
}

static enum err
expect(struct parser *ps, enum tok kind, const char *what)
{
	if (ps->tok.kind != kind)
		return fail(ps, ERR_PARSE, ps->tok.off, "expected %s", what);
	return advance(ps);
}

static enum err
depth_push(struct parser *ps)
{
	if (ps->depth >= LIM_PATTERN_DEPTH)
		return fail(ps, ERR_TOOBIG, ps->tok.off,
		    "nesting deeper than %u levels", LIM_PATTERN_DEPTH);
	ps->depth++;
	return ERR_OK;
}

/*
 * Parse sub (op sub)* and build one n-ary node of kind when op occurs at
 * least once; otherwise hand back the single operand.
 */
static enum err
parse_nary(struct parser *ps, enum tok op, enum stix_pat_kind kind,
    enum err (*sub)(struct parser *, const struct stix_pat_node **),
    const struct stix_pat_node **out)
{
	const struct stix_pat_node *first, *x, **v = NULL, **kids;
	struct stix_pat_node *n;
	size_t cnt = 0, cap = 0;
	enum err err;

	if ((err = sub(ps, &first)) != ERR_OK)
		return err;
	if (ps->tok.kind != op) {
		*out = first;
		return ERR_OK;
	}
	if ((v = vec_grow(ps, v, cnt, &cap, sizeof(*v), &err)) == NULL)
		return err;
	v[cnt++] = first;
	while (ps->tok.kind == op) {
		if ((err = advance(ps)) != ERR_OK ||
		    (err = sub(ps, &x)) != ERR_OK)
			return err;
		if ((v = vec_grow(ps, v, cnt, &cap, sizeof(*v),
		    &err)) == NULL)
			return err;
		v[cnt++] = x;
	}
	if ((n = node_new(ps, kind, first->offset, &err)) == NULL)
		return err;
	if ((kids = ps_alloc(ps, cnt * sizeof(*kids), &err)) == NULL)
		return err;
	memcpy(kids, v, cnt * sizeof(*kids));
	n->u.list.kids = kids;
	n->u.list.n_kids = cnt;
	*out = n;
	return ERR_OK;
}

/* Copy an identifier or string token's text as a path or type name. */
static enum err
tok_name(struct parser *ps, const char **name, size_t *len)
{
	struct token *t = &ps->tok;
	enum err err = ERR_OK;
	char *c;

	if (t->kind == T_STRING) {
		*name = t->v.str.ptr;
		*len = t->v.str.len;
		return ERR_OK;
	}
	if ((c = ps_strdup(ps, ps->s + t->off, t->len, &err)) == NULL)
		return err;
	*name = c;
	*len = t->len;
	return ERR_OK;
}

static enum err
parse_path(struct parser *ps, struct stix_pat_node *n)
{
	struct stix_pat_seg *segs = NULL;
	size_t cnt = 0, cap = 0;
	enum err err;

	if (ps->tok.kind != T_IDENT)
		return fail(ps, ERR_PARSE, ps->tok.off,
		    "expected an object path");
	if ((err = tok_name(ps, &n->u.test.type,
	    &n->u.test.type_len)) != ERR_OK ||
	    (err = advance(ps)) != ERR_OK ||
	    (err = expect(ps, T_COLON, "':'")) != ERR_OK)
		return err;
	for (;;) {
		int first = cnt == 0;
		struct stix_pat_seg *sg;

		if (!first && ps->tok.kind != T_DOT &&
		    ps->tok.kind != T_LBRACK)
			break;
		if ((segs = vec_grow(ps, segs, cnt, &cap, sizeof(*segs),
		    &err)) == NULL)
			return err;
		sg = &segs[cnt];
		if (!first && ps->tok.kind == T_LBRACK) {
			if ((err = advance(ps)) != ERR_OK)
				return err;
			if (ps->tok.kind == T_STAR) {
				sg->kind = STIX_PAT_SEG_ANY;
			} else if (ps->tok.kind == T_INT) {
				sg->kind = STIX_PAT_SEG_INDEX;
				sg->index = ps->tok.v.i;
			} else {
				return fail(ps, ERR_PARSE, ps->tok.off,
				    "expected a list index or '*'");
			}
			if ((err = advance(ps)) != ERR_OK ||
			    (err = expect(ps, T_RBRACK, "']'")) != ERR_OK)
				return err;
			cnt++;
			continue;
		}
		if (!first && (err = advance(ps)) != ERR_OK)
			return err;
		if ((ps->tok.kind != T_IDENT || ps->tok.hyphen) &&
		    ps->tok.kind != T_STRING)
			return fail(ps, ERR_PARSE, ps->tok.off,
			    "expected a property name");
		sg->kind = STIX_PAT_SEG_KEY;
		if ((err = tok_name(ps, &sg->key, &sg->key_len)) != ERR_OK ||
		    (err = advance(ps)) != ERR_OK)
			return err;
		cnt++;
	}
	n->u.test.path = segs;
	n->u.test.n_path = cnt;
	return ERR_OK;
}

/* Literal classes accepted after an operator. */
enum lit_class {
	LIT_PRIMITIVE,		/* any literal */
	LIT_ORDERABLE,		/* any but boolean */
	LIT_STRING		/* string only */
};

static enum err
parse_literal(struct parser *ps, enum lit_class cls, struct stix_pat_value *v)
{
	struct token *t = &ps->tok;

	v->offset = (uint32_t)t->off;
	switch (t->kind) {
	case T_STRING:
		v->type = STIX_PAT_V_STRING;
		v->u.str.ptr = t->v.str.ptr;
		v->u.str.len = t->v.str.len;
		return advance(ps);
	case T_TRUE:
	case T_FALSE:
		if (cls != LIT_PRIMITIVE)
			break;
		v->type = STIX_PAT_V_BOOL;
		v->u.b = t->kind == T_TRUE;
		return advance(ps);
	case T_INT:
	case T_FLOAT:
	case T_TIMESTAMP:
	case T_BINARY:
	case T_HEX:
		if (cls == LIT_STRING)
			break;
		if (t->kind == T_INT) {
			v->type = STIX_PAT_V_INT;
			v->u.i = t->v.i;
		} else if (t->kind == T_FLOAT) {
			v->type = STIX_PAT_V_FLOAT;
			v->u.d = t->v.d;
		} else if (t->kind == T_TIMESTAMP) {
			v->type = STIX_PAT_V_TIMESTAMP;
			v->u.ts_us = t->v.ts;
		} else {
			v->type = t->kind == T_BINARY ? STIX_PAT_V_BINARY :
			    STIX_PAT_V_HEX;
			v->u.bytes.ptr = t->v.bytes.ptr;
			v->u.bytes.len = t->v.bytes.len;
		}
		return advance(ps);
	default:
		break;
	}
	if (cls == LIT_STRING)
		return fail(ps, ERR_PARSE, t->off, "expected a string literal");
	if (cls == LIT_ORDERABLE && (t->kind == T_TRUE || t->kind == T_FALSE))
		return fail(ps, ERR_PARSE, t->off,
		    "expected an orderable literal, not a boolean");
	return fail(ps, ERR_PARSE, t->off, "expected a literal value");
}

/* Hash algorithms whose values have a fixed hex length. */
static const struct {
	const char	*name;
	size_t		 hexlen;
} hash_algs[] = {
	{ "MD5", 32 }, { "SHA-1", 40 }, { "SHA-224", 56 }, { "SHA-256", 64 },
	{ "SHA-384", 96 }, { "SHA-512", 128 }, { "SHA3-224", 56 },
	{ "SHA3-256", 64 }, { "SHA3-384", 96 }, { "SHA3-512", 128 },
};

/*
 * A comparison of ...hashes.'<algorithm>' with = or != or IN must use values
 * that are valid for the algorithm (as the OASIS pattern validator checks).
 */
static enum err
check_hash_values(struct parser *ps, const struct stix_pat_node *n)
{
	const struct stix_pat_seg *a, *h;
	size_t i, k, want = 0;

	if (n->u.test.n_path < 2 || (n->u.test.op != STIX_PAT_EQ &&
	    n->u.test.op != STIX_PAT_NEQ && n->u.test.op != STIX_PAT_IN))
		return ERR_OK;
	h = &n->u.test.path[n->u.test.n_path - 2];
	a = &n->u.test.path[n->u.test.n_path - 1];
	if (h->kind != STIX_PAT_SEG_KEY || a->kind != STIX_PAT_SEG_KEY ||
	    strcmp(h->key, "hashes") != 0)
		return ERR_OK;
	for (i = 0; i < sizeof(hash_algs) / sizeof(hash_algs[0]); i++)
		if (strcasecmp(a->key, hash_algs[i].name) == 0)
			want = hash_algs[i].hexlen;
	if (want == 0)
		return ERR_OK;
	for (i = 0; i < n->u.test.n_values; i++) {
		const struct stix_pat_value *v = &n->u.test.values[i];

		if (v->type != STIX_PAT_V_STRING)
			continue;
		if (v->u.str.len != want)
			goto bad;
		for (k = 0; k < want; k++)
			if (hexval((unsigned char)v->u.str.ptr[k]) < 0)
				goto bad;
		continue;
bad:
		return fail(ps, ERR_INVALID, v->offset,
		    "invalid %s hash value", a->key);
	}
	return ERR_OK;
}

static enum err
parse_test(struct parser *ps, const struct stix_pat_node **out)
{
	struct stix_pat_value *vals = NULL;
	struct stix_pat_node *n;
	size_t cnt = 0, cap = 0;
	enum lit_class cls;
	enum err err;

	if (ps->tok.kind == T_LPAREN) {
		if ((err = depth_push(ps)) != ERR_OK ||
		    (err = advance(ps)) != ERR_OK ||
		    (err = parse_cmp_or(ps, out)) != ERR_OK ||
		    (err = expect(ps, T_RPAREN, "')'")) != ERR_OK)
			return err;
		ps->depth--;
		return ERR_OK;
	}
	if ((n = node_new(ps, STIX_PAT_TEST, ps->tok.off, &err)) == NULL)
		return err;
	if (ps->tok.kind == T_EXISTS) {
		if ((err = advance(ps)) != ERR_OK ||
		    (err = parse_path(ps, n)) != ERR_OK)
			return err;
		n->u.test.op = STIX_PAT_EXISTS;
		*out = n;
		return ERR_OK;
	}
	if ((err = parse_path(ps, n)) != ERR_OK)
		return err;
	if (ps->tok.kind == T_NOT) {
		n->u.test.negated = 1;
		if ((err = advance(ps)) != ERR_OK)
			return err;
	}
	switch (ps->tok.kind) {
	case T_EQ:	n->u.test.op = STIX_PAT_EQ; break;
	case T_NEQ:	n->u.test.op = STIX_PAT_NEQ; break;
	case T_LT:	n->u.test.op = STIX_PAT_LT; break;
	case T_LE:	n->u.test.op = STIX_PAT_LE; break;
	case T_GT:	n->u.test.op = STIX_PAT_GT; break;
	case T_GE:	n->u.test.op = STIX_PAT_GE; break;
	case T_IN:	n->u.test.op = STIX_PAT_IN; break;
	case T_LIKE:	n->u.test.op = STIX_PAT_LIKE; break;
	case T_MATCHES:	n->u.test.op = STIX_PAT_MATCHES; break;
	case T_ISSUBSET: n->u.test.op = STIX_PAT_ISSUBSET; break;
	case T_ISSUPERSET: n->u.test.op = STIX_PAT_ISSUPERSET; break;
	default:
		return fail(ps, ERR_PARSE, ps->tok.off,
		    "expected a comparison operator");
	}
	if ((err = advance(ps)) != ERR_OK)
		return err;
	if (n->u.test.op == STIX_PAT_IN) {
		if ((err = expect(ps, T_LPAREN, "'('")) != ERR_OK)
			return err;
		while (ps->tok.kind != T_RPAREN) {
			if (cnt > 0 && (err = expect(ps, T_COMMA,
			    "',' or ')'")) != ERR_OK)
				return err;
			if ((vals = vec_grow(ps, vals, cnt, &cap,
			    sizeof(*vals), &err)) == NULL ||
			    (err = parse_literal(ps, LIT_PRIMITIVE,
			    &vals[cnt])) != ERR_OK)
				return err;
			cnt++;
		}
		if ((err = advance(ps)) != ERR_OK)
			return err;
	} else {
		if (n->u.test.op == STIX_PAT_EQ ||
		    n->u.test.op == STIX_PAT_NEQ)
			cls = LIT_PRIMITIVE;
		else if (n->u.test.op <= STIX_PAT_GE)
			cls = LIT_ORDERABLE;
		else
			cls = LIT_STRING;
		if ((vals = ps_alloc(ps, sizeof(*vals), &err)) == NULL ||
		    (err = parse_literal(ps, cls, vals)) != ERR_OK)
			return err;
		cnt = 1;
	}
	n->u.test.values = vals;
	n->u.test.n_values = cnt;
	if ((err = check_hash_values(ps, n)) != ERR_OK)
		return err;
	*out = n;
	return ERR_OK;
}

static enum err
parse_cmp_and(struct parser *ps, const struct stix_pat_node **out)
{
	return parse_nary(ps, T_AND, STIX_PAT_CMP_AND, parse_test, out);
}

static enum err
parse_cmp_or(struct parser *ps, const struct stix_pat_node **out)
{
	return parse_nary(ps, T_OR, STIX_PAT_CMP_OR, parse_cmp_and, out);
}

static enum err
parse_qualifier(struct parser *ps, struct stix_pat_qualifier *q)
{
	struct token *t = &ps->tok;
	enum err err;

	q->offset = (uint32_t)t->off;
	switch (t->kind) {
	case T_WITHIN:
		q->kind = STIX_PAT_WITHIN;
		if ((err = advance(ps)) != ERR_OK)
			return err;
		if (t->kind == T_INT && t->sign >= 0)
			q->within_s = (double)t->v.i;
		else if (t->kind == T_FLOAT && t->sign >= 0)
			q->within_s = t->v.d;
		else
			return fail(ps, ERR_PARSE, t->off,
			    "expected a positive number");
		if (!(q->within_s > 0))
			return fail(ps, ERR_INVALID, t->off,
			    "WITHIN needs a positive number of seconds");
		if ((err = advance(ps)) != ERR_OK)
			return err;
		return expect(ps, T_SECONDS, "'SECONDS'");
	case T_REPEATS:
		q->kind = STIX_PAT_REPEATS;
		if ((err = advance(ps)) != ERR_OK)
			return err;
		if (t->kind != T_INT || t->sign < 0)
			return fail(ps, ERR_PARSE, t->off,
			    "expected a positive integer");
		if (t->v.i <= 0)
			return fail(ps, ERR_INVALID, t->off,
			    "REPEATS needs a positive number of times");
		q->repeats = t->v.i;
		if ((err = advance(ps)) != ERR_OK)
			return err;
		return expect(ps, T_TIMES, "'TIMES'");
	default:
		q->kind = STIX_PAT_STARTSTOP;
		if ((err = advance(ps)) != ERR_OK)
			return err;
		if (t->kind != T_TIMESTAMP)
			return fail(ps, ERR_PARSE, t->off,
			    "expected a timestamp literal");
		q->start_us = t->v.ts;
		if ((err = advance(ps)) != ERR_OK ||
		    (err = expect(ps, T_STOP, "'STOP'")) != ERR_OK)
			return err;
		if (t->kind != T_TIMESTAMP)
			return fail(ps, ERR_PARSE, t->off,
			    "expected a timestamp literal");
		q->stop_us = t->v.ts;
		if (q->stop_us <= q->start_us)
			return fail(ps, ERR_INVALID, t->off,
			    "STOP must be later than START");
		return advance(ps);
	}
}

static const char *
qual_name(enum stix_pat_qual_kind k)
{
	return k == STIX_PAT_WITHIN ? "WITHIN" : k == STIX_PAT_REPEATS ?
	    "REPEATS" : "START/STOP";
}

/* primary := '[' cmp ']' | '(' obs ')';  postfix := primary qualifier*. */
static enum err
parse_obs_postfix(struct parser *ps, const struct stix_pat_node **out)
{
	const struct stix_pat_node *child;
	struct stix_pat_qualifier *quals = NULL;
	struct stix_pat_node *n;
	size_t cnt = 0, cap = 0, off = ps->tok.off;
	unsigned seen = 0;
	int bare;
	enum err err;

	bare = ps->tok.kind == T_LBRACK;
	if (bare) {
		if ((n = node_new(ps, STIX_PAT_OBSERVATION, off,
		    &err)) == NULL ||
		    (err = depth_push(ps)) != ERR_OK ||
		    (err = advance(ps)) != ERR_OK ||
		    (err = parse_cmp_or(ps, &n->u.expr)) != ERR_OK ||
		    (err = expect(ps, T_RBRACK, "']'")) != ERR_OK)
			return err;
		ps->depth--;
		child = n;
	} else if (ps->tok.kind == T_LPAREN) {
		if ((err = depth_push(ps)) != ERR_OK ||
		    (err = advance(ps)) != ERR_OK ||
		    (err = parse_obs_seq(ps, &child)) != ERR_OK ||
		    (err = expect(ps, T_RPAREN, "')'")) != ERR_OK)
			return err;
		ps->depth--;
	} else {
		return fail(ps, ERR_PARSE, ps->tok.off,
		    "expected '[' or '('");
	}
	while (ps->tok.kind == T_WITHIN || ps->tok.kind == T_REPEATS ||
	    ps->tok.kind == T_START) {
		struct stix_pat_qualifier *q;

		if ((quals = vec_grow(ps, quals, cnt, &cap, sizeof(*quals),
		    &err)) == NULL)
			return err;
		q = &quals[cnt];
		if ((err = parse_qualifier(ps, q)) != ERR_OK)
			return err;
		/*
		 * One bracketed observation takes each qualifier once; to
		 * stack them, parenthesize (as the OASIS validator has it).
		 */
		if (bare && (seen & (1u << q->kind)))
			return fail(ps, ERR_INVALID, q->offset,
			    "duplicate %s qualifier", qual_name(q->kind));
		seen |= 1u << q->kind;
		cnt++;
	}
	if (cnt == 0) {
		*out = child;
		return ERR_OK;
	}
	if ((n = node_new(ps, STIX_PAT_QUALIFIED, off, &err)) == NULL)
		return err;
	n->u.qual.child = child;
	n->u.qual.quals = quals;
	n->u.qual.n_quals = cnt;
	*out = n;
	return ERR_OK;
}

static enum err
parse_obs_and(struct parser *ps, const struct stix_pat_node **out)
{
	return parse_nary(ps, T_AND, STIX_PAT_OBS_AND, parse_obs_postfix, out);
}

static enum err
parse_obs_or(struct parser *ps, const struct stix_pat_node **out)
{
	return parse_nary(ps, T_OR, STIX_PAT_OBS_OR, parse_obs_and, out);
}

static enum err
parse_obs_seq(struct parser *ps, const struct stix_pat_node **out)
{
	return parse_nary(ps, T_FOLLOWEDBY, STIX_PAT_OBS_FOLLOWEDBY,
	    parse_obs_or, out);
}

/* Parse into p, whose arena must be empty. */
static enum err
parse_into(struct stix_pattern *p, const char *s, size_t len, char *reason,
    size_t reason_cap)
{
	struct parser ps;
	enum err err;

	memset(&ps, 0, sizeof(ps));
	ps.p = p;
	ps.s = (const unsigned char *)s;
	ps.len = len;
	ps.reason = reason;
	ps.reason_cap = reason_cap;
	if (reason != NULL && reason_cap > 0)
		reason[0] = '\0';
	if (len > LIM_PATTERN_BYTES)
		return fail(&ps, ERR_TOOBIG, LIM_PATTERN_BYTES,
		    "pattern longer than %u bytes", LIM_PATTERN_BYTES);
	if (s == NULL && len > 0)
		return fail(&ps, ERR_PARSE, 0, "no pattern");
	if ((err = advance(&ps)) != ERR_OK ||
	    (err = parse_obs_seq(&ps, &p->root)) != ERR_OK)
		return err;
	if (ps.tok.kind != T_EOF)
		return fail(&ps, ERR_PARSE, ps.tok.off,
		    "expected end of pattern");
	return ERR_OK;
}

enum err
stix_pattern_parse(const char *s, size_t len, struct stix_pattern **out,
    char *reason, size_t reason_cap)
{
	struct stix_pattern *p;
	enum err err;

	*out = NULL;
	if ((p = malloc(sizeof(*p))) == NULL) {
		if (reason != NULL && reason_cap > 0)
			(void)snprintf(reason, reason_cap, "out of memory");
		return ERR_NOMEM;
	}
	p->root = NULL;
	p->n_nodes = 0;
	p->heap_bytes = 0;
	p->chunks = NULL;
	p->inl_used = 0;
	err = parse_into(p, s, len, reason, reason_cap);
	if (err != ERR_OK) {
		stix_pattern_free(p);
		return err;
	}
	*out = p;
	return ERR_OK;
}

enum err
stix_pattern_check(const char *s, size_t len, char *reason,
    size_t reason_cap)
{
	struct stix_pattern p;
	enum err err;

	p.root = NULL;
	p.n_nodes = 0;
	p.heap_bytes = 0;
	p.chunks = NULL;
	p.inl_used = 0;
	err = parse_into(&p, s, len, reason, reason_cap);
	arena_release(&p);
	return err;
}

void
stix_pattern_free(struct stix_pattern *p)
{
	if (p == NULL)
		return;
	arena_release(p);
	free(p);
}

const struct stix_pat_node *
stix_pattern_root(const struct stix_pattern *p)
{
	return p->root;
}

size_t
stix_pattern_node_count(const struct stix_pattern *p)
{
	return p->n_nodes;
}

static int
walk_tests(const struct stix_pat_node *n,
    int (*fn)(const struct stix_pat_node *, void *), void *arg)
{
	size_t i;
	int r;

	switch (n->kind) {
	case STIX_PAT_TEST:
		return fn(n, arg);
	case STIX_PAT_OBSERVATION:
		return walk_tests(n->u.expr, fn, arg);
	case STIX_PAT_QUALIFIED:
		return walk_tests(n->u.qual.child, fn, arg);
	default:
		for (i = 0; i < n->u.list.n_kids; i++)
			if ((r = walk_tests(n->u.list.kids[i], fn, arg)) != 0)
				return r;
		return 0;
	}
}

int
stix_pattern_foreach_test(const struct stix_pattern *p,
    int (*fn)(const struct stix_pat_node *test, void *arg), void *arg)
{
	return walk_tests(p->root, fn, arg);
}

const char *
stix_pat_op_str(enum stix_pat_op op)
{
	static const char *const names[] = {
		[STIX_PAT_EQ] = "=", [STIX_PAT_NEQ] = "!=",
		[STIX_PAT_LT] = "<", [STIX_PAT_LE] = "<=",
		[STIX_PAT_GT] = ">", [STIX_PAT_GE] = ">=",
		[STIX_PAT_IN] = "IN", [STIX_PAT_LIKE] = "LIKE",
		[STIX_PAT_MATCHES] = "MATCHES",
		[STIX_PAT_ISSUBSET] = "ISSUBSET",
		[STIX_PAT_ISSUPERSET] = "ISSUPERSET",
		[STIX_PAT_EXISTS] = "EXISTS",
	};

	if ((unsigned)op >= sizeof(names) / sizeof(names[0]) ||
	    names[op] == NULL)
		return "?";
	return names[op];
}

/* ---- dump ---- */

static enum err
dump_quoted(struct buf *b, const char *s, size_t len)
{
	enum err err;
	size_t i;

	if ((err = buf_addc(b, '\'')) != ERR_OK)
		return err;
	for (i = 0; i < len; i++) {
		if ((s[i] == '\'' || s[i] == '\\') &&
		    (err = buf_addc(b, '\\')) != ERR_OK)
			return err;
		if ((err = buf_addc(b, s[i])) != ERR_OK)
			return err;
	}
	return buf_addc(b, '\'');
}

static enum err
dump_value(struct buf *b, const struct stix_pat_value *v)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char ts[TS_BUFSZ], num[40];
	enum err err;
	size_t i;

	switch (v->type) {
	case STIX_PAT_V_STRING:
		return dump_quoted(b, v->u.str.ptr, v->u.str.len);
	case STIX_PAT_V_INT:
		return buf_addf(b, "%lld", (long long)v->u.i);
	case STIX_PAT_V_FLOAT:
		(void)snprintf(num, sizeof(num), "%.15g", v->u.d);
		if (strtod(num, NULL) != v->u.d)
			(void)snprintf(num, sizeof(num), "%.17g", v->u.d);
		if (strchr(num, '.') == NULL && strchr(num, 'e') == NULL)
			return buf_addf(b, "%s.0", num);
		return buf_addstr(b, num);
	case STIX_PAT_V_BOOL:
		return buf_addstr(b, v->u.b ? "true" : "false");
	case STIX_PAT_V_TIMESTAMP:
		ts_format(v->u.ts_us, ts);
		return buf_addf(b, "t'%s'", ts);
	case STIX_PAT_V_HEX:
		if ((err = buf_addstr(b, "h'")) != ERR_OK)
			return err;
		for (i = 0; i < v->u.bytes.len; i++)
			if ((err = buf_addf(b, "%02x",
			    v->u.bytes.ptr[i])) != ERR_OK)
				return err;
		return buf_addc(b, '\'');
	case STIX_PAT_V_BINARY:
		if ((err = buf_addstr(b, "b'")) != ERR_OK)
			return err;
		for (i = 0; i < v->u.bytes.len; i += 3) {
			uint32_t acc = (uint32_t)v->u.bytes.ptr[i] << 16;
			size_t left = v->u.bytes.len - i;
			char q[4];

			if (left > 1)
				acc |= (uint32_t)v->u.bytes.ptr[i + 1] << 8;
			if (left > 2)
				acc |= v->u.bytes.ptr[i + 2];
			q[0] = b64[acc >> 18 & 63];
			q[1] = b64[acc >> 12 & 63];
			q[2] = left > 1 ? b64[acc >> 6 & 63] : '=';
			q[3] = left > 2 ? b64[acc & 63] : '=';
			if ((err = buf_add(b, q, 4)) != ERR_OK)
				return err;
		}
		return buf_addc(b, '\'');
	}
	return buf_addc(b, '?');
}

static int
plain_key(const char *k, size_t len)
{
	size_t i;

	if (len == 0 || !(is_alpha((unsigned char)k[0]) || k[0] == '_'))
		return 0;
	for (i = 1; i < len; i++)
		if (!is_alpha((unsigned char)k[i]) &&
		    !is_digit((unsigned char)k[i]) && k[i] != '_')
			return 0;
	return 1;
}

static enum err
dump_test(const struct stix_pat_node *n, struct buf *b)
{
	enum err err;
	size_t i;

	if (n->u.test.op == STIX_PAT_EXISTS &&
	    (err = buf_addstr(b, "EXISTS ")) != ERR_OK)
		return err;
	if ((err = buf_add(b, n->u.test.type, n->u.test.type_len)) != ERR_OK ||
	    (err = buf_addc(b, ':')) != ERR_OK)
		return err;
	for (i = 0; i < n->u.test.n_path; i++) {
		const struct stix_pat_seg *sg = &n->u.test.path[i];

		if (sg->kind == STIX_PAT_SEG_INDEX) {
			err = buf_addf(b, "[%lld]", (long long)sg->index);
		} else if (sg->kind == STIX_PAT_SEG_ANY) {
			err = buf_addstr(b, "[*]");
		} else {
			if (i > 0 && (err = buf_addc(b, '.')) != ERR_OK)
				return err;
			if (plain_key(sg->key, sg->key_len))
				err = buf_add(b, sg->key, sg->key_len);
			else
				err = dump_quoted(b, sg->key, sg->key_len);
		}
		if (err != ERR_OK)
			return err;
	}
	if (n->u.test.op == STIX_PAT_EXISTS)
		return ERR_OK;
	if ((err = buf_addf(b, " %s%s ", n->u.test.negated ? "NOT " : "",
	    stix_pat_op_str(n->u.test.op))) != ERR_OK)
		return err;
	if (n->u.test.op == STIX_PAT_IN && (err = buf_addc(b, '(')) != ERR_OK)
		return err;
	for (i = 0; i < n->u.test.n_values; i++)
		if ((i > 0 && (err = buf_addstr(b, ", ")) != ERR_OK) ||
		    (err = dump_value(b, &n->u.test.values[i])) != ERR_OK)
			return err;
	if (n->u.test.op == STIX_PAT_IN)
		return buf_addc(b, ')');
	return ERR_OK;
}

enum err
stix_pattern_dump(const struct stix_pat_node *n, struct buf *b)
{
	static const char *const lname[] = {
		[STIX_PAT_OBS_AND] = "AND", [STIX_PAT_OBS_OR] = "OR",
		[STIX_PAT_OBS_FOLLOWEDBY] = "FOLLOWEDBY",
		[STIX_PAT_CMP_AND] = "and", [STIX_PAT_CMP_OR] = "or",
	};
	char ts1[TS_BUFSZ], ts2[TS_BUFSZ];
	enum err err;
	size_t i;

	switch (n->kind) {
	case STIX_PAT_TEST:
		return dump_test(n, b);
	case STIX_PAT_OBSERVATION:
		if ((err = buf_addc(b, '[')) != ERR_OK ||
		    (err = stix_pattern_dump(n->u.expr, b)) != ERR_OK)
			return err;
		return buf_addc(b, ']');
	case STIX_PAT_QUALIFIED:
		if ((err = buf_addstr(b, "(QUAL ")) != ERR_OK ||
		    (err = stix_pattern_dump(n->u.qual.child, b)) != ERR_OK)
			return err;
		for (i = 0; i < n->u.qual.n_quals; i++) {
			const struct stix_pat_qualifier *q =
			    &n->u.qual.quals[i];

			if (q->kind == STIX_PAT_WITHIN) {
				err = buf_addf(b, " WITHIN %g SECONDS",
				    q->within_s);
			} else if (q->kind == STIX_PAT_REPEATS) {
				err = buf_addf(b, " REPEATS %lld TIMES",
				    (long long)q->repeats);
			} else {
				ts_format(q->start_us, ts1);
				ts_format(q->stop_us, ts2);
				err = buf_addf(b, " START t'%s' STOP t'%s'",
				    ts1, ts2);
			}
			if (err != ERR_OK)
				return err;
		}
		return buf_addc(b, ')');
	default:
		if ((err = buf_addf(b, "(%s", lname[n->kind])) != ERR_OK)
			return err;
		for (i = 0; i < n->u.list.n_kids; i++)
			if ((err = buf_addc(b, ' ')) != ERR_OK ||
			    (err = stix_pattern_dump(n->u.list.kids[i],
			    b)) != ERR_OK)
				return err;
		return buf_addc(b, ')');
	}
}
