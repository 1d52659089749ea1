/*
 * jcs.c: RFC 8785 JSON Canonicalization Scheme over jansson values.
 *
 * Three pieces: member-name ordering by UTF-16 code units computed on the
 * UTF-8 bytes (jcs_keycmp), ECMAScript number formatting (jcs_format_number)
 * and a serializer with bounded recursion that sorts each object's members
 * in one scratch array shared by every level (jcs_serialize).  This runs on
 * every ingested object, so the common paths avoid the heap: integers skip
 * the shortest-digits search, small objects sort on the C stack.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/jcs.h"

/*
 * Most arrays and objects a value may sit inside of.  Callers validate far
 * lower depths (LIM_JSON_DEPTH) before canonicalizing; this one only keeps
 * the recursion bounded whoever calls.
 */
#define JCS_MAX_DEPTH		1000u
/* Members sorted in the on-stack scratch array before it moves to the heap. */
#define JCS_STACK_MEMBERS	64u
/* Objects this small are sorted by insertion, larger ones by qsort. */
#define JCS_INSERTION_SORT	16u

struct jcs_member {
	const char	*key;
	size_t		 key_len;
	json_t		*val;	/* borrowed */
};

struct jcs_ctx {
	struct buf	*b;
	struct jcs_member	*m;		/* scratch: stackm or heap */
	size_t		 n_m;		/* entries in use, all open objects */
	size_t		 cap_m;
	struct jcs_member	 stackm[JCS_STACK_MEMBERS];
};

/*
 * The rank of a byte in UTF-16 code unit order.  At the first byte where two
 * valid UTF-8 strings differ both bytes start a code point, or both continue
 * the same one.  UTF-8 lead bytes order code points, and code points order
 * UTF-16 code units, except that a supplementary code point (lead F0..F4,
 * first unit a surrogate D800..DBFF) sorts before U+E000..U+FFFF (leads EE,
 * EF).  Giving F0..FF a rank between ED and EE fixes exactly that; bytes
 * F0..F4 keep their own order among themselves because the rank ties there
 * and the byte value breaks the tie.
 */
static inline unsigned
jcs_rank(unsigned char c)
{
	if (c >= 0xf0)
		return (0xedu << 1) | 1u;
	return (unsigned)c << 1;
}

/* Order member names as RFC 8785 does (see jcs.h).  Can't fail. */
int
jcs_keycmp(const char *a, size_t a_len, const char *b, size_t b_len)
{
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;
	size_t i, n;
	unsigned ra, rb;

	n = a_len < b_len ? a_len : b_len;
	for (i = 0; i < n; i++) {
		if (pa[i] == pb[i])
			continue;
		ra = jcs_rank(pa[i]);
		rb = jcs_rank(pb[i]);
		if (ra != rb)
			return ra < rb ? -1 : 1;
		return pa[i] < pb[i] ? -1 : 1;
	}
	if (a_len == b_len)
		return 0;
	return a_len < b_len ? -1 : 1;
}

/*
 * Write the decimal digits of u (no sign) at out, NUL-terminated; returns
 * the number of digits.  out must hold 21 bytes.
 */
static size_t
jcs_utoa(uint64_t u, char *out)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}

/*
 * Correctly rounded p significant digits of d (d > 0, finite), as glibc's
 * printf produces them.  OUT: digits[0..p) without the point, *exp10 the
 * decimal exponent of the first digit.  Returns 1 when the result reads back
 * as d, else 0.
 */
static int
jcs_digits(double d, int p, char digits[18], int *exp10)
{
	char tmp[40], *end, *e;
	int n, j, k;
	long x;

	n = snprintf(tmp, sizeof(tmp), "%.*e", p - 1, d);
	if (n <= 0 || (size_t)n >= sizeof(tmp))
		return 0;
	if (strtod(tmp, &end) != d || *end != '\0')
		return 0;
	/*
	 * tmp is "D[.DDD]e[+-]XX"; the point is whatever LC_NUMERIC says, so
	 * keep only the digits.
	 */
	k = 0;
	for (j = 0; tmp[j] != 'e' && tmp[j] != '\0'; j++) {
		if (tmp[j] >= '0' && tmp[j] <= '9' && k < 17)
			digits[k++] = tmp[j];
	}
	if (tmp[j] != 'e')
		return 0;
	digits[k] = '\0';
	e = tmp + j + 1;
	x = strtol(e, &end, 10);
	if (*end != '\0' || x < -400 || x > 400)
		return 0;
	*exp10 = (int)x;
	return 1;
}

/* Format d as ECMAScript's Number::toString (see jcs.h). */
enum err
jcs_format_number(double d, char out[JCS_NUMBUF])
{
	char digits[18], try[18];
	size_t o = 0, len;
	int lo, hi, mid, k, n, e, i;
	int exp10 = 0, try_exp = 0;

	out[0] = '\0';
	if (!isfinite(d))
		return ERR_INVALID;
	if (d == 0) {			/* both zeros */
		out[0] = '0';
		out[1] = '\0';
		return ERR_OK;
	}
	if (d < 0) {
		out[o++] = '-';
		d = -d;
	}

	/*
	 * Integers below 2^53 print exactly, and their exact digits are the
	 * ECMAScript form (shortest digits padded with zeros up to n <= 21).
	 */
	if (d < 9007199254740992.0 && d == floor(d)) {
		(void)jcs_utoa((uint64_t)d, out + o);
		return ERR_OK;
	}

	/*
	 * Find the least p whose correctly rounded p digits read back as d.
	 * If p digits do, p + 1 digits do too (the closest (p+1)-digit decimal
	 * is at least as close as the p-digit one padded with a zero), so a
	 * binary search is exact.  Seventeen digits always suffice.
	 *
	 * Most values in real data are short, and for normal doubles 15 digits
	 * settle it at once: a decimal D of at most 15 digits that reads back
	 * as d is within half an ulp of d (relative error <= 2^-53), closer
	 * than half a unit in the 15th digit (relative > 5e-16), so D padded
	 * with zeros is the correctly rounded 15-digit form, and stripping
	 * the zeros below recovers the shortest D.  Subnormals have fewer
	 * significant bits and take the search.  hi is always a precision
	 * known to work, with its digits in digits[].
	 */
	if (jcs_digits(d, 15, digits, &exp10)) {
		hi = 15;
		lo = d >= DBL_MIN ? 15 : 1;
	} else if (jcs_digits(d, 16, digits, &exp10))
		lo = hi = 16;
	else if (jcs_digits(d, 17, digits, &exp10))
		lo = hi = 17;
	else {
		out[0] = '\0';
		return ERR_INVALID;	/* a libc that cannot round-trip */
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (jcs_digits(d, mid, try, &try_exp)) {
			hi = mid;
			memcpy(digits, try, sizeof(digits));
			exp10 = try_exp;
		} else
			lo = mid + 1;
	}

	/* The shortest digits never end in zero (see above for p = 15). */
	k = (int)strlen(digits);
	while (k > 1 && digits[k - 1] == '0')
		k--;
	n = exp10 + 1;	/* ECMAScript's n: value = 0.digits * 10^n */

	/* Number::toString, ECMA-262 steps for k, n. */
	if (k <= n && n <= 21) {
		memcpy(out + o, digits, (size_t)k);
		o += (size_t)k;
		for (i = k; i < n; i++)
			out[o++] = '0';
	} else if (0 < n && n <= 21) {
		memcpy(out + o, digits, (size_t)n);
		o += (size_t)n;
		out[o++] = '.';
		memcpy(out + o, digits + n, (size_t)(k - n));
		o += (size_t)(k - n);
	} else if (-6 < n && n <= 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (i = n; i < 0; i++)
			out[o++] = '0';
		memcpy(out + o, digits, (size_t)k);
		o += (size_t)k;
	} else {
		out[o++] = digits[0];
		if (k > 1) {
			out[o++] = '.';
			memcpy(out + o, digits + 1, (size_t)(k - 1));
			o += (size_t)(k - 1);
		}
		out[o++] = 'e';
		e = n - 1;
		if (e < 0) {
			out[o++] = '-';
			e = -e;
		} else
			out[o++] = '+';
		len = jcs_utoa((uint64_t)e, out + o);
		o += len;
	}
	out[o] = '\0';
	return ERR_OK;
}

/* Append s[0..len) as a JSON string with RFC 8785's minimal escapes. */
static enum err
jcs_string(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	char esc[6];
	size_t i, run = 0, esc_len;
	enum err err;

	if ((err = buf_addc(b, '"')) != ERR_OK)
		return err;
	for (i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (i > run && (err = buf_add(b, s + run, i - run)) != ERR_OK)
			return err;
		run = i + 1;
		esc[0] = '\\';
		esc_len = 2;
		switch (c) {
		case '"':	esc[1] = '"'; break;
		case '\\':	esc[1] = '\\'; break;
		case '\b':	esc[1] = 'b'; break;
		case '\t':	esc[1] = 't'; break;
		case '\n':	esc[1] = 'n'; break;
		case '\f':	esc[1] = 'f'; break;
		case '\r':	esc[1] = 'r'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			esc_len = 6;
			break;
		}
		if ((err = buf_add(b, esc, esc_len)) != ERR_OK)
			return err;
	}
	if (len > run && (err = buf_add(b, s + run, len - run)) != ERR_OK)
		return err;
	return buf_addc(b, '"');
}

static int
jcs_member_cmp(const void *x, const void *y)
{
	const struct jcs_member *a = x, *b = y;

	return jcs_keycmp(a->key, a->key_len, b->key, b->key_len);
}

/* Make room for n more scratch members.  ERR_NOMEM, ERR_TOOBIG. */
static enum err
jcs_scratch_reserve(struct jcs_ctx *c, size_t n)
{
	struct jcs_member *nm;
	size_t ncap;

	if (n <= c->cap_m - c->n_m)
		return ERR_OK;
	if (n > SIZE_MAX / sizeof(*nm) - c->n_m)
		return ERR_TOOBIG;
	ncap = c->cap_m * 2;
	if (ncap < c->n_m + n)
		ncap = c->n_m + n;
	if (ncap > SIZE_MAX / sizeof(*nm))
		return ERR_TOOBIG;
	if (c->m == c->stackm) {
		nm = malloc(ncap * sizeof(*nm));
		if (nm == NULL)
			return ERR_NOMEM;
		memcpy(nm, c->stackm, c->n_m * sizeof(*nm));
	} else {
		nm = realloc(c->m, ncap * sizeof(*nm));
		if (nm == NULL)
			return ERR_NOMEM;
	}
	c->m = nm;
	c->cap_m = ncap;
	return ERR_OK;
}

static enum err jcs_value(struct jcs_ctx *, const json_t *, unsigned);

static enum err
jcs_object(struct jcs_ctx *c, const json_t *v, unsigned depth)
{
	struct jcs_member *m, tmp;
	const char *key;
	void *it;
	size_t base, n, i, j;
	enum err err;

	n = json_object_size(v);
	if (n == 0)
		return buf_add(c->b, "{}", 2);
	if ((err = jcs_scratch_reserve(c, n)) != ERR_OK)
		return err;
	base = c->n_m;
	m = c->m + base;
	i = 0;
	for (it = json_object_iter((json_t *)v); it != NULL && i < n;
	    it = json_object_iter_next((json_t *)v, it)) {
		key = json_object_iter_key(it);
		m[i].key = key;
		m[i].key_len = json_object_iter_key_len(it);
		m[i].val = json_object_iter_value(it);
		i++;
	}
	n = i;
	c->n_m = base + n;

	if (n <= JCS_INSERTION_SORT) {
		for (i = 1; i < n; i++) {
			tmp = m[i];
			j = i;
			while (j > 0 && jcs_member_cmp(&m[j - 1], &tmp) > 0) {
				m[j] = m[j - 1];
				j--;
			}
			m[j] = tmp;
		}
	} else
		qsort(m, n, sizeof(*m), jcs_member_cmp);

	if ((err = buf_addc(c->b, '{')) != ERR_OK)
		goto out;
	for (i = 0; i < n; i++) {
		/* Nested objects may move the scratch array: index it anew. */
		struct jcs_member *e = &c->m[base + i];
		json_t *val = e->val;

		if (i > 0 && (err = buf_addc(c->b, ',')) != ERR_OK)
			goto out;
		if ((err = jcs_string(c->b, e->key, e->key_len)) != ERR_OK)
			goto out;
		if ((err = buf_addc(c->b, ':')) != ERR_OK)
			goto out;
		if ((err = jcs_value(c, val, depth + 1)) != ERR_OK)
			goto out;
	}
	err = buf_addc(c->b, '}');
out:
	c->n_m = base;
	return err;
}

static enum err
jcs_value(struct jcs_ctx *c, const json_t *v, unsigned depth)
{
	char num[JCS_NUMBUF];
	size_t i, n;
	enum err err;

	if (v == NULL)
		return ERR_INVALID;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (depth >= JCS_MAX_DEPTH)
			return ERR_TOOBIG;
		return jcs_object(c, v, depth);
	case JSON_ARRAY:
		if (depth >= JCS_MAX_DEPTH)
			return ERR_TOOBIG;
		if ((err = buf_addc(c->b, '[')) != ERR_OK)
			return err;
		n = json_array_size(v);
		for (i = 0; i < n; i++) {
			if (i > 0 && (err = buf_addc(c->b, ',')) != ERR_OK)
				return err;
			err = jcs_value(c, json_array_get(v, i), depth + 1);
			if (err != ERR_OK)
				return err;
		}
		return buf_addc(c->b, ']');
	case JSON_STRING:
		return jcs_string(c->b, json_string_value(v),
		    json_string_length(v));
	case JSON_INTEGER:
		err = jcs_format_number((double)json_integer_value(v), num);
		if (err != ERR_OK)
			return err;
		return buf_addstr(c->b, num);
	case JSON_REAL:
		err = jcs_format_number(json_real_value(v), num);
		if (err != ERR_OK)
			return err;
		return buf_addstr(c->b, num);
	case JSON_TRUE:
		return buf_add(c->b, "true", 4);
	case JSON_FALSE:
		return buf_add(c->b, "false", 5);
	case JSON_NULL:
		return buf_add(c->b, "null", 4);
	}
	return ERR_INVALID;
}

/* Append v's canonical form to b; on error b is reset (see jcs.h). */
enum err
jcs_serialize(const json_t *v, struct buf *b)
{
	struct jcs_ctx c;
	enum err err;

	c.b = b;
	c.m = c.stackm;
	c.n_m = 0;
	c.cap_m = JCS_STACK_MEMBERS;
	err = jcs_value(&c, v, 0);
	if (c.m != c.stackm)
		free(c.m);
	if (err != ERR_OK)
		buf_reset(b);	/* a no-op when buf_add already did it */
	return err;
}
