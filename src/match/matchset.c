/*
 * matchset.c: normalize indicator values and compile them into the
 * immutable table described in matchset_int.h.
 *
 * Building is two passes.  match_builder_add() normalizes each term and
 * appends [hash][indicator][type][len][key] to a staging area (one
 * sequential write per term, so 10M terms stay well under a second).
 * match_builder_finish() then inserts the staged keys into a table sized
 * for them, merges repeated keys into id lists, sizes the bloom filter
 * for the distinct keys and shrinks everything to fit.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/matchset_int.h"
#include "stix/pattern.h"

/* Staged term: [u64 hash][u32 indicator][u8 type][u16 len][key]. */
#define STAGE_HDR	15u
#define ID_PREFIX	"indicator--"
#define ID_PREFIX_LEN	11u

struct match_builder {
	uint8_t		*stage;
	size_t		 stage_len;
	size_t		 stage_cap;
	size_t		 n_staged;

	uint8_t		(*uuid)[16];
	size_t		 n_ind;
	size_t		 cap_ind;
	uint8_t		*is_alt;	/* bitmap, cap_ind bits */
	char		*alt;
	size_t		 alt_len;
	size_t		 alt_cap;
	int		 has_alt;
	uint32_t	*idmap;		/* index + 1, 0: empty */
	size_t		 idmap_cap;	/* power of two */

	struct ms_unsup	*unsup;
	size_t		 n_unsup;
	size_t		 cap_unsup;
	char		*unsup_mem;
	size_t		 unsup_len;
	size_t		 unsup_cap;

	size_t		 n_terms;
	size_t		 n_ind_seen;
	struct match_term *scratch;	/* MATCH_TERMS_MAX, for patterns */
};

const char *
match_hkind_name(enum match_hkind k)
{
	switch (k) {
	case MATCH_H_EXACT:
		return "exact";
	case MATCH_H_SUBDOMAIN:
		return "subdomain";
	case MATCH_H_CIDR:
		return "cidr";
	}
	return "?";
}

/* -- Normalization */

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
hexval(int c)
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
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

int
match_parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
	uint8_t a[4];
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		size_t start = i;
		unsigned v = 0;

		while (i < len && is_digit(s[i]) && i - start < 4)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || i - start > 3 || v > 255 ||
		    (i - start > 1 && s[start] == '0'))
			return 0;
		a[part] = (uint8_t)v;
		if (part < 3) {
			if (i >= len || s[i] != '.')
				return 0;
			i++;
		}
	}
	if (i != len)
		return 0;
	memcpy(out, a, 4);
	return 1;
}

int
match_parse_ipv6(const char *s, size_t len, uint8_t out[16])
{
	uint16_t g[8];
	uint8_t v4[4];
	size_t i = 0, ng = 0;
	long dc = -1;		/* group index where "::" stands */

	if (len < 2 || len > 45)
		return 0;
	if (s[0] == ':') {
		if (s[1] != ':')
			return 0;
		dc = 0;
		i = 2;
	}
	while (i < len) {
		size_t start = i;
		unsigned v = 0;

		while (i < len && hexval(s[i]) >= 0 && i - start < 5)
			v = (v << 4) | (unsigned)hexval(s[i++]);
		if (i == start)
			return 0;
		if (i < len && s[i] == '.') {
			/* An IPv4 tail: the last 32 bits. */
			if (ng > 6 || !match_parse_ipv4(s + start, len - start,
			    v4))
				return 0;
			g[ng++] = (uint16_t)(v4[0] << 8 | v4[1]);
			g[ng++] = (uint16_t)(v4[2] << 8 | v4[3]);
			i = len;
			break;
		}
		if (i - start > 4 || ng == 8)
			return 0;
		g[ng++] = (uint16_t)v;
		if (i == len)
			break;
		if (s[i] != ':')
			return 0;
		i++;
		if (i < len && s[i] == ':') {
			if (dc >= 0)
				return 0;
			dc = (long)ng;
			i++;
		} else if (i == len) {
			return 0;	/* a single trailing colon */
		}
	}
	if (dc < 0 ? ng != 8 : ng > 7)
		return 0;
	memset(out, 0, 16);
	if (dc < 0) {
		for (size_t k = 0; k < 8; k++) {
			out[2 * k] = (uint8_t)(g[k] >> 8);
			out[2 * k + 1] = (uint8_t)g[k];
		}
		return 1;
	}
	for (size_t k = 0; k < (size_t)dc; k++) {
		out[2 * k] = (uint8_t)(g[k] >> 8);
		out[2 * k + 1] = (uint8_t)g[k];
	}
	for (size_t k = (size_t)dc; k < ng; k++) {
		size_t at = 8 - (ng - k);

		out[2 * at] = (uint8_t)(g[k] >> 8);
		out[2 * at + 1] = (uint8_t)g[k];
	}
	return 1;
}

int
match_parse_ip_prefix(const char *s, size_t len, int *v6, uint8_t addr[16],
    unsigned *plen)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	unsigned full, p = 0;
	uint8_t a[16];
	int is6;

	memset(a, 0, sizeof(a));
	if (memchr(s, ':', alen) != NULL) {
		if (!match_parse_ipv6(s, alen, a))
			return 0;
		is6 = 1;
		full = 128;
	} else {
		if (!match_parse_ipv4(s, alen, a))
			return 0;
		is6 = 0;
		full = 32;
	}
	if (slash != NULL) {
		size_t i = alen + 1, nd = len - i;

		if (nd == 0 || nd > 3 || (nd > 1 && s[i] == '0'))
			return 0;
		for (; i < len; i++) {
			if (!is_digit(s[i]))
				return 0;
			p = p * 10 + (unsigned)(s[i] - '0');
		}
		if (p > full)
			return 0;
	} else {
		p = full;
	}
	for (unsigned bit = p; bit < full; bit++)
		a[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	*v6 = is6;
	*plen = p;
	memcpy(addr, a, 16);
	return 1;
}

size_t
match_format_ip(int v6, const uint8_t addr[16], char out[48])
{
	int n;

	if (v6) {
		if (inet_ntop(AF_INET6, addr, out, 48) == NULL) {
			out[0] = '\0';
			return 0;
		}
		return strlen(out);
	}
	n = snprintf(out, 48, "%u.%u.%u.%u", addr[0], addr[1], addr[2],
	    addr[3]);
	return n > 0 ? (size_t)n : 0;
}

/* Domain bytes: 0x01 label byte (A-Z a-z 0-9 - _ or non-ASCII), 0x02 dot,
 * 0x04 letter (non-ASCII counts), 0x20 upper case (the case bit). */
#define D_LABEL		0x01
#define D_DOT		0x02
#define D_LETTER	0x04
#define D_UPPER		0x20

static const uint8_t dtab[256] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00,
	0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
	0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x25, 0x25, 0x25, 0x25, 0x25, 0x25, 0x25,
	0x25, 0x25, 0x25, 0x25, 0x25, 0x25, 0x25, 0x25,
	0x25, 0x25, 0x25, 0x25, 0x25, 0x25, 0x25, 0x25,
	0x25, 0x25, 0x25, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
	0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05,
};

size_t
match_norm_domain(const char *s, size_t len, unsigned min_labels, char *out,
    size_t cap)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t lab = 0;
	unsigned labels = 1, letter = 0;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > MATCH_DOMAIN_MAX || len > cap)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned t = dtab[u[i]];

		out[i] = (char)(u[i] | (t & D_UPPER));
		if (t & D_DOT) {
			if (lab == 0)
				return 0;
			labels++;
			lab = 0;
			letter = 0;
			continue;
		}
		if (!(t & D_LABEL) || ++lab > 63)
			return 0;
		letter |= t & D_LETTER;
	}
	if (lab == 0 || !letter || labels < min_labels)
		return 0;
	return len;
}

static int
is_unreserved(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Append the bytes of a path or query with %xx normalized. */
static int
url_copy_pct(const char *s, size_t len, char *out, size_t cap, size_t *o)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int hi, lo;

		if (c <= 0x20 || c == 0x7f)
			return 0;
		if (c == '%' && i + 2 < len && (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			int v = hi << 4 | lo;

			if (is_unreserved(v)) {
				if (*o + 1 > cap)
					return 0;
				out[(*o)++] = (char)v;
			} else {
				if (*o + 3 > cap)
					return 0;
				out[(*o)++] = '%';
				out[(*o)++] = hex[hi];
				out[(*o)++] = hex[lo];
			}
			i += 2;
			continue;
		}
		if (*o + 1 > cap)
			return 0;
		out[(*o)++] = (char)c;
	}
	return 1;
}

static int
url_add(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
	if (n > cap || *o > cap - n)
		return 0;
	memcpy(out + *o, s, n);
	*o += n;
	return 1;
}

size_t
match_norm_url(const char *s, size_t len, char *out, size_t cap,
    size_t *host_off, size_t *host_len)
{
	return match_norm_url_ex(s, len, out, cap, host_off, host_len, NULL,
	    NULL);
}

size_t
match_norm_url_ex(const char *s, size_t len, char *out, size_t cap,
    size_t *host_off, size_t *host_len, size_t *nhost_off, size_t *nhost_len)
{
	char tmp[48];
	size_t o_host, o_host_end;
	uint8_t a6[16], a4[4];
	size_t i = 0, o = 0, a0, a1, h0, hl, hoff, p0, j;
	unsigned long defport = 80, port;

	if (len > MATCH_URL_MAX)
		return 0;
	if (cap > MATCH_URL_MAX)
		cap = MATCH_URL_MAX;
	/* Scheme. */
	j = 0;
	if (len > 0 && ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z')) {
		j = 1;
		while (j < len && (((s[j] | 0x20) >= 'a' && (s[j] | 0x20) <=
		    'z') || is_digit(s[j]) || s[j] == '+' || s[j] == '-' ||
		    s[j] == '.'))
			j++;
	}
	if (j > 0 && j + 2 < len && s[j] == ':' && s[j + 1] == '/' &&
	    s[j + 2] == '/') {
		if (j == 4 && strncasecmp(s, "http", 4) == 0) {
			defport = 80;
		} else if (j == 5 && strncasecmp(s, "https", 5) == 0) {
			defport = 443;
		} else {
			defport = (j == 3 && strncasecmp(s, "ftp", 3) == 0) ?
			    21 : 0;
			if (j + 3 > cap)
				return 0;
			for (size_t k = 0; k < j; k++)
				out[o++] = (char)lower(s[k]);
			out[o++] = ':';
			out[o++] = '/';
			out[o++] = '/';
		}
		i = j + 3;
	} else if (len >= 2 && s[0] == '/' && s[1] == '/') {
		i = 2;
	}
	/* Authority, without user information. */
	a0 = i;
	while (i < len && s[i] != '/' && s[i] != '?' && s[i] != '#')
		i++;
	a1 = i;
	h0 = a0;
	for (size_t k = a0; k < a1; k++)
		if (s[k] == '@')
			h0 = k + 1;
	o_host = o;
	if (h0 < a1 && s[h0] == '[') {
		const char *rb = memchr(s + h0, ']', a1 - h0);

		if (rb == NULL || !match_parse_ipv6(s + h0 + 1,
		    (size_t)(rb - s) - h0 - 1, a6))
			return 0;
		hoff = h0 + 1;
		hl = (size_t)(rb - s) - hoff;
		p0 = (size_t)(rb - s) + 1;
		if (!url_add(out, cap, &o, "[", 1) ||
		    !url_add(out, cap, &o, tmp, match_format_ip(1, a6, tmp)) ||
		    !url_add(out, cap, &o, "]", 1))
			return 0;
	} else {
		p0 = a1;
		for (size_t k = a1; k > h0; k--)
			if (s[k - 1] == ':') {
				p0 = k - 1;
				break;
			}
		hoff = h0;
		hl = p0 - h0;
		if (hl == 0)
			return 0;
		if (match_parse_ipv4(s + h0, hl, a4)) {
			if (!url_add(out, cap, &o, s + h0, hl))
				return 0;
		} else {
			size_t n;

			if (o > cap)
				return 0;
			n = match_norm_domain(s + h0, hl, 1, out + o, cap - o);
			if (n == 0)
				return 0;
			o += n;
		}
	}
	o_host_end = o;
	if (p0 < a1) {
		size_t k = p0 + 1;

		if (s[p0] != ':')
			return 0;
		while (k < a1 && s[k] == '0' && k + 1 < a1)
			k++;
		if (a1 - k > 5)
			return 0;
		port = 0;
		for (size_t m = k; m < a1; m++) {
			if (!is_digit(s[m]))
				return 0;
			port = port * 10 + (unsigned long)(s[m] - '0');
		}
		if (port > 65535)
			return 0;
		if (a1 > p0 + 1 && port != defport) {
			int n = snprintf(tmp, sizeof(tmp), ":%lu", port);

			if (n < 0 || !url_add(out, cap, &o, tmp, (size_t)n))
				return 0;
		}
	}
	/* Path and query; the fragment goes. */
	j = i;
	while (j < len && s[j] != '#')
		j++;
	if (i == j || s[i] != '/')
		if (!url_add(out, cap, &o, "/", 1))
			return 0;
	if (!url_copy_pct(s + i, j - i, out, cap, &o))
		return 0;
	if (host_off != NULL)
		*host_off = hoff;
	if (host_len != NULL)
		*host_len = hl;
	if (nhost_off != NULL)
		*nhost_off = o_host;
	if (nhost_len != NULL)
		*nhost_len = o_host_end - o_host;
	return o;
}

size_t
match_norm_email(const char *s, size_t len, char *out, size_t cap)
{
	const char *at = NULL;
	size_t ll, dl;

	for (size_t i = len; i > 0; i--)
		if (s[i - 1] == '@') {
			at = s + i - 1;
			break;
		}
	if (at == NULL || len > MATCH_EMAIL_MAX || len > cap)
		return 0;
	ll = (size_t)(at - s);
	if (ll == 0 || ll > 64)
		return 0;
	for (size_t i = 0; i < ll; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    is_digit(c) || strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL) ||
		    c == '\0')
			return 0;
		out[i] = (char)lower(c);
	}
	out[ll] = '@';
	dl = match_norm_domain(at + 1, len - ll - 1, 2, out + ll + 1,
	    cap - ll - 1);
	if (dl == 0)
		return 0;
	return ll + 1 + dl;
}

/* Hex digit values, -1 for other bytes. */
static const int8_t hexv[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1,
	-1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

size_t
match_parse_hash(const char *s, size_t len, uint8_t out[32])
{
	const unsigned char *u = (const unsigned char *)s;
	uint8_t tmp[32];
	int bad = 0;

	if (len != 32 && len != 40 && len != 64)
		return 0;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hexv[u[i]], lo = hexv[u[i + 1]];

		bad |= hi | lo;
		tmp[i / 2] = (uint8_t)(hi << 4 | (lo & 15));
	}
	if (bad < 0)
		return 0;
	memcpy(out, tmp, len / 2);
	return len / 2;
}

/* -- Builder */

enum err
match_builder_new(struct match_builder **out)
{
	struct match_builder *b;

	*out = NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return ERR_NOMEM;
	*out = b;
	return ERR_OK;
}

void
match_builder_free(struct match_builder *b)
{
	if (b == NULL)
		return;
	free(b->stage);
	free(b->uuid);
	free(b->is_alt);
	free(b->alt);
	free(b->idmap);
	free(b->unsup);
	free(b->unsup_mem);
	free(b->scratch);
	free(b);
}

/* Grow *p (of *cap elements of size sz) to hold need elements. */
static enum err
grow(void **p, size_t *cap, size_t need, size_t sz)
{
	size_t ncap = *cap ? *cap : 16;
	void *np;

	if (need <= *cap)
		return ERR_OK;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / sz)
			return ERR_TOOBIG;
		ncap *= 2;
	}
	if ((np = realloc(*p, ncap * sz)) == NULL)
		return ERR_NOMEM;
	*p = np;
	*cap = ncap;
	return ERR_OK;
}

/* Append a NUL-terminated copy of s[0..len) to the unsupported strings. */
static enum err
unsup_str(struct match_builder *b, const char *s, size_t len, size_t *off)
{
	enum err err;

	if (len > SIZE_MAX - b->unsup_len - 1)
		return ERR_TOOBIG;
	err = grow((void **)&b->unsup_mem, &b->unsup_cap,
	    b->unsup_len + len + 1, 1);
	if (err != ERR_OK)
		return err;
	memcpy(b->unsup_mem + b->unsup_len, s, len);
	b->unsup_mem[b->unsup_len + len] = '\0';
	*off = b->unsup_len;
	b->unsup_len += len + 1;
	return ERR_OK;
}

enum err
match_builder_unsupported(struct match_builder *b, const char *id,
    const char *why)
{
	struct ms_unsup u;
	enum err err;

	err = grow((void **)&b->unsup, &b->cap_unsup, b->n_unsup + 1,
	    sizeof(*b->unsup));
	if (err != ERR_OK)
		return err;
	if ((err = unsup_str(b, id, strnlen(id, LIM_STIX_ID + 64), &u.id_off))
	    != ERR_OK ||
	    (err = unsup_str(b, why, strlen(why), &u.why_off)) != ERR_OK)
		return err;
	b->unsup[b->n_unsup++] = u;
	return ERR_OK;
}

/* A printable excerpt of a value for a reason: at most 60 bytes. */
static void
excerpt(const char *s, size_t len, char out[72])
{
	size_t n = len > 60 ? 57 : len, i;

	for (i = 0; i < n; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\'') ? s[i] :
		    '?';
	if (len > n) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

static uint64_t
id_hash(const struct match_builder *b, size_t idx)
{
	if (b->has_alt && (b->is_alt[idx / 8] >> (idx % 8) & 1)) {
		uint64_t off, len;

		memcpy(&off, b->uuid[idx], 8);
		memcpy(&len, b->uuid[idx] + 8, 8);
		return ms_hash(0xff, (const uint8_t *)b->alt + off, len);
	}
	return ms_hash(0, b->uuid[idx], 16);
}

/* Canonical form: "indicator--" + lower-case 8-4-4-4-12 hex. */
static int
id_to_uuid(const char *id, size_t len, uint8_t out[16])
{
	const char *u = id + ID_PREFIX_LEN;
	size_t k = 0;

	if (len != ID_PREFIX_LEN + 36 || memcmp(id, ID_PREFIX, ID_PREFIX_LEN)
	    != 0)
		return 0;
	for (size_t i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (u[i] != '-')
				return 0;
			continue;
		}
		if (!((u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' &&
		    u[i] <= 'f')) || !((u[i + 1] >= '0' && u[i + 1] <= '9') ||
		    (u[i + 1] >= 'a' && u[i + 1] <= 'f')))
			return 0;
		hi = hexval(u[i]);
		lo = hexval(u[i + 1]);
		out[k++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	return 1;
}

static int
id_equal(const struct match_builder *b, size_t idx, int alt,
    const uint8_t uu[16], const char *id, size_t len)
{
	int is_alt = b->has_alt && (b->is_alt[idx / 8] >> (idx % 8) & 1);
	uint64_t off, l;

	if (is_alt != alt)
		return 0;
	if (!alt)
		return memcmp(b->uuid[idx], uu, 16) == 0;
	memcpy(&off, b->uuid[idx], 8);
	memcpy(&l, b->uuid[idx] + 8, 8);
	return l == len && memcmp(b->alt + off, id, len) == 0;
}

static enum err
idmap_grow(struct match_builder *b)
{
	size_t ncap = b->idmap_cap ? b->idmap_cap * 2 : 1024;
	uint32_t *m;

	if ((m = calloc(ncap, sizeof(*m))) == NULL)
		return ERR_NOMEM;
	for (size_t i = 0; i < b->n_ind; i++) {
		size_t pos = id_hash(b, i) & (ncap - 1);

		while (m[pos] != 0)
			pos = (pos + 1) & (ncap - 1);
		m[pos] = (uint32_t)i + 1;
	}
	free(b->idmap);
	b->idmap = m;
	b->idmap_cap = ncap;
	return ERR_OK;
}

/* The index of id, added when new. */
static enum err
intern_id(struct match_builder *b, const char *id, uint32_t *idx_out)
{
	size_t len = strnlen(id, LIM_STIX_ID + 1), pos;
	uint8_t uu[16];
	uint64_t h;
	int alt;
	enum err err;

	if (len > LIM_STIX_ID)
		return ERR_TOOBIG;
	alt = !id_to_uuid(id, len, uu);
	h = alt ? ms_hash(0xff, (const uint8_t *)id, len) : ms_hash(0, uu, 16);
	if (b->idmap_cap == 0 || (b->n_ind + 1) * 2 > b->idmap_cap)
		if ((err = idmap_grow(b)) != ERR_OK)
			return err;
	pos = h & (b->idmap_cap - 1);
	while (b->idmap[pos] != 0) {
		size_t i = b->idmap[pos] - 1;

		if (id_equal(b, i, alt, uu, id, len)) {
			*idx_out = (uint32_t)i;
			return ERR_OK;
		}
		pos = (pos + 1) & (b->idmap_cap - 1);
	}
	if (b->n_ind >= MATCH_SET_MAX_IND)
		return ERR_TOOBIG;
	if (b->n_ind == b->cap_ind) {
		size_t old = b->cap_ind;

		if ((err = grow((void **)&b->uuid, &b->cap_ind, b->n_ind + 1,
		    16)) != ERR_OK)
			return err;
		if (b->is_alt != NULL || alt) {
			uint8_t *na = realloc(b->is_alt, (b->cap_ind + 7) / 8);

			if (na == NULL)
				return ERR_NOMEM;
			memset(na + (b->is_alt ? (old + 7) / 8 : 0), 0,
			    (b->cap_ind + 7) / 8 - (b->is_alt ? (old + 7) / 8 :
			    0));
			b->is_alt = na;
		}
	} else if (alt && b->is_alt == NULL) {
		if ((b->is_alt = calloc((b->cap_ind + 7) / 8, 1)) == NULL)
			return ERR_NOMEM;
	}
	if (alt) {
		uint64_t off = b->alt_len, l = len;

		if ((err = grow((void **)&b->alt, &b->alt_cap, b->alt_len + len,
		    1)) != ERR_OK)
			return err;
		memcpy(b->alt + b->alt_len, id, len);
		b->alt_len += len;
		memcpy(b->uuid[b->n_ind], &off, 8);
		memcpy(b->uuid[b->n_ind] + 8, &l, 8);
		b->is_alt[b->n_ind / 8] |= (uint8_t)(1u << (b->n_ind % 8));
		b->has_alt = 1;
	} else {
		memcpy(b->uuid[b->n_ind], uu, 16);
	}
	b->idmap[pos] = (uint32_t)b->n_ind + 1;
	*idx_out = (uint32_t)b->n_ind++;
	return ERR_OK;
}

static enum err
stage(struct match_builder *b, unsigned t, const uint8_t *key, size_t len,
    uint32_t ind)
{
	uint64_t h = ms_key_hash(t, key, len);
	uint16_t l16 = (uint16_t)len;
	uint8_t *p;
	enum err err;

	if (b->n_staged >= MATCH_SET_MAX_KEYS)
		return ERR_TOOBIG;
	err = grow((void **)&b->stage, &b->stage_cap,
	    b->stage_len + STAGE_HDR + len, 1);
	if (err != ERR_OK)
		return err;
	p = b->stage + b->stage_len;
	memcpy(p, &h, 8);
	memcpy(p + 8, &ind, 4);
	p[12] = (uint8_t)t;
	memcpy(p + 13, &l16, 2);
	memcpy(p + STAGE_HDR, key, len);
	b->stage_len += STAGE_HDR + len;
	b->n_staged++;
	return ERR_OK;
}

static const char *
ikind_what(enum match_ikind k)
{
	switch (k) {
	case MATCH_I_IPV4:
		return "ipv4-addr";
	case MATCH_I_IPV6:
		return "ipv6-addr";
	case MATCH_I_DOMAIN:
		return "domain-name";
	case MATCH_I_URL:
		return "url";
	case MATCH_I_EMAIL:
		return "email-addr";
	case MATCH_I_MD5:
		return "MD5";
	case MATCH_I_SHA1:
		return "SHA-1";
	case MATCH_I_SHA256:
		return "SHA-256";
	}
	return "unknown kind";
}

/*
 * Normalize one term into key (cap MATCH_VALUE_MAX): its table type and
 * length, or 0 with a reason.
 */
static size_t
term_key(const struct match_term *t, uint8_t *key, unsigned *type,
    const char **why)
{
	uint8_t a[16];
	unsigned plen;
	size_t n;
	int v6;

	*why = "not a valid value of its kind";
	switch (t->kind) {
	case MATCH_I_IPV4:
	case MATCH_I_IPV6:
		if (!match_parse_ip_prefix(t->value, t->len, &v6, a, &plen)) {
			*why = "not an IP address or CIDR";
			return 0;
		}
		if (v6 != (t->kind == MATCH_I_IPV6)) {
			*why = v6 ? "an IPv6 address in ipv4-addr:value" :
			    "an IPv4 address in ipv6-addr:value";
			return 0;
		}
		if (plen == (v6 ? 128u : 32u)) {
			*type = v6 ? MS_T_IPV6 : MS_T_IPV4;
			memcpy(key, a, v6 ? 16 : 4);
			return v6 ? 16 : 4;
		}
		*type = v6 ? MS_T_CIDR6 : MS_T_CIDR4;
		key[0] = (uint8_t)plen;
		memcpy(key + 1, a, v6 ? 16 : 4);
		return v6 ? 17 : 5;
	case MATCH_I_DOMAIN:
		if (t->subset)
			break;
		*type = MS_T_DOMAIN;
		n = match_norm_domain(t->value, t->len, 2, (char *)key,
		    MATCH_VALUE_MAX);
		if (n == 0)
			*why = "not a host name of two or more labels";
		return n;
	case MATCH_I_URL:
		if (t->subset)
			break;
		*type = MS_T_URL;
		n = match_norm_url(t->value, t->len, (char *)key,
		    MATCH_VALUE_MAX, NULL, NULL);
		if (n == 0)
			*why = "not a URL with a host (or longer than 4096 "
			    "bytes)";
		return n;
	case MATCH_I_EMAIL:
		if (t->subset)
			break;
		*type = MS_T_EMAIL;
		n = match_norm_email(t->value, t->len, (char *)key,
		    MATCH_VALUE_MAX);
		if (n == 0)
			*why = "not an e-mail address local@domain";
		return n;
	case MATCH_I_MD5:
	case MATCH_I_SHA1:
	case MATCH_I_SHA256:
		if (t->subset)
			break;
		n = match_parse_hash(t->value, t->len, key);
		if (n != (t->kind == MATCH_I_MD5 ? 16u : t->kind ==
		    MATCH_I_SHA1 ? 20u : 32u)) {
			*why = "not a hash of the right length";
			return 0;
		}
		*type = t->kind == MATCH_I_MD5 ? MS_T_MD5 : t->kind ==
		    MATCH_I_SHA1 ? MS_T_SHA1 : MS_T_SHA256;
		return n;
	}
	*why = "an operator other than '=' for this kind";
	return 0;
}

enum err
match_builder_add(struct match_builder *b, const char *id,
    const struct match_term *t, size_t n)
{
	uint8_t key[MATCH_VALUE_MAX];
	char why[MATCH_WHY_BYTES + 96], ex[72];
	const char *reason;
	uint32_t ind = 0;
	int have_ind = 0;
	unsigned type = 0;
	size_t klen;
	enum err err;

	b->n_ind_seen++;
	for (size_t i = 0; i < n; i++) {
		klen = term_key(&t[i], key, &type, &reason);
		if (klen == 0) {
			excerpt(t[i].value, t[i].len, ex);
			(void)snprintf(why, sizeof(why), "%s value '%s': %s%s",
			    ikind_what(t[i].kind), ex, reason, n > 1 ?
			    " (the other terms are used)" : "");
			if ((err = match_builder_unsupported(b, id, why)) !=
			    ERR_OK)
				return err;
			continue;
		}
		if (!have_ind) {
			if ((err = intern_id(b, id, &ind)) != ERR_OK)
				return err;
			have_ind = 1;
		}
		if ((err = stage(b, type, key, klen, ind)) != ERR_OK)
			return err;
		b->n_terms++;
	}
	return ERR_OK;
}

enum err
match_builder_add_pattern(struct match_builder *b, const char *id,
    const char *pattern, size_t len)
{
	struct match_term *terms;
	struct stix_pattern *p = NULL;
	char reason[MATCH_WHY_BYTES], why[MATCH_WHY_BYTES + 32];
	size_t n = 0;
	enum err err;

	reason[0] = '\0';
	err = stix_pattern_parse(pattern, len, &p, reason, sizeof(reason));
	if (err == ERR_NOMEM)
		return err;
	if (err != ERR_OK) {
		(void)snprintf(why, sizeof(why), "pattern does not parse: %s",
		    reason);
		return match_builder_unsupported(b, id, why);
	}
	if (b->scratch == NULL && (b->scratch = calloc(MATCH_TERMS_MAX,
	    sizeof(*b->scratch))) == NULL) {
		err = ERR_NOMEM;
		goto out;
	}
	terms = b->scratch;
	reason[0] = '\0';
	err = match_terms(p, terms, MATCH_TERMS_MAX, &n, reason,
	    sizeof(reason));
	if (err == ERR_NOMEM)
		goto out;
	if (err != ERR_OK) {
		if (err == ERR_TOOBIG)
			(void)snprintf(reason, sizeof(reason), "more than %u "
			    "terms", MATCH_TERMS_MAX);
		else if (reason[0] == '\0')
			(void)snprintf(reason, sizeof(reason), "outside the "
			    "supported subset");
		err = match_builder_unsupported(b, id, reason);
		goto out;
	}
	err = match_builder_add(b, id, terms, n);
out:
	stix_pattern_free(p);
	return err;
}

/* -- Finishing */

struct extra {
	uint32_t	rec;
	uint32_t	ind;
};

static int
extra_cmp(const void *a, const void *b)
{
	const struct extra *x = a, *y = b;

	if (x->rec != y->rec)
		return x->rec < y->rec ? -1 : 1;
	return x->ind < y->ind ? -1 : x->ind > y->ind;
}

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct uniq {
	uint64_t	h;
	uint32_t	rec;
};

static void
slot_put(struct ms_slot *slots, uint32_t n_slots, uint64_t h, uint32_t rec)
{
	uint64_t h2 = ms_h2(h);
	uint32_t i = ms_range((uint32_t)(h2 >> 32), n_slots);

	while (slots[i].rec != 0)
		if (++i == n_slots)
			i = 0;
	slots[i].tag = (uint32_t)h2;
	slots[i].rec = rec;
}

static uint32_t
slots_for(size_t n)
{
	uint64_t m = (uint64_t)n * MS_LOAD_DEN / MS_LOAD_NUM + 1;

	return m < 2 ? 2 : (uint32_t)m;
}

/* -- The CIDR interval index */

/* A 128-bit address as two halves (IPv4 in lo of hi, lo = 0). */
struct u128 {
	uint64_t	h;
	uint64_t	l;
};

struct cb {
	struct u128	start;
	struct u128	end;
	unsigned	plen;
	uint32_t	rec;
};

static int
u128_cmp(struct u128 a, struct u128 b)
{
	if (a.h != b.h)
		return a.h < b.h ? -1 : 1;
	return a.l < b.l ? -1 : a.l > b.l;
}

static int
cb_cmp(const void *x, const void *y)
{
	const struct cb *a = x, *b = y;
	int c = u128_cmp(a->start, b->start);

	if (c != 0)
		return c;
	return a->plen < b->plen ? -1 : a->plen > b->plen;
}

/* Append segment (pos, cidr); a segment starting where the last one does
 * replaces it (the later CIDR is the more specific). */
static void
seg_emit(struct ms_cidrs *c, int v6, struct u128 pos, int32_t cidr)
{
	if (c->n_seg > 0) {
		size_t k = c->n_seg - 1;
		struct u128 last;

		last.h = v6 ? c->start[2 * k] : c->start[k];
		last.l = v6 ? c->start[2 * k + 1] : 0;
		if (u128_cmp(last, pos) == 0) {
			c->cidr[k] = cidr;
			return;
		}
		if (c->cidr[k] == cidr)
			return;
	}
	if (v6) {
		c->start[2 * c->n_seg] = pos.h;
		c->start[2 * c->n_seg + 1] = pos.l;
	} else {
		c->start[c->n_seg] = pos.h;
	}
	c->cidr[c->n_seg++] = cidr;
}

/*
 * The first level of c: top[k] is the segment holding the first address
 * whose top 16 bits are k, top[MS_CIDR_TOP] the last segment.  One pass
 * over the segments, which are sorted.
 */
static enum err
cidr_top(struct ms_cidrs *c, int v6)
{
	size_t seg = 0;

	if ((c->top = calloc(MS_CIDR_TOP + 1, sizeof(*c->top))) == NULL ||
	    (c->any = calloc(MS_CIDR_TOP / 64, sizeof(*c->any))) == NULL)
		return ERR_NOMEM;
	for (size_t k = 0; k < MS_CIDR_TOP; k++) {
		uint64_t first = v6 ? (uint64_t)k << 48 : (uint64_t)k << 16;

		/* The last segment starting at or before first (segment 0
		 * starts at address 0).  For IPv6 the low word of first is
		 * 0, so a segment starting at (first, l > 0) is after it. */
		while (seg + 1 < c->n_seg && (v6 ? c->start[2 * (seg + 1)] <
		    first || (c->start[2 * (seg + 1)] == first &&
		    c->start[2 * (seg + 1) + 1] == 0) : c->start[seg + 1] <=
		    first))
			seg++;
		c->top[k] = (uint32_t)seg;
	}
	c->top[MS_CIDR_TOP] = (uint32_t)(c->n_seg - 1);
	/* The segments meeting /16 k are among top[k]..top[k + 1]. */
	for (size_t k = 0; k < MS_CIDR_TOP; k++)
		for (size_t j = c->top[k]; j <= c->top[k + 1]; j++)
			if (c->cidr[j] >= 0) {
				c->any[k / 64] |= 1ull << (k % 64);
				break;
			}
	return ERR_OK;
}

/*
 * Build family v6's interval index from the n CIDR keys in v[] (sorted
 * here).  The CIDRs are nested or disjoint (prefixes), so a sweep with a
 * stack of the CIDRs still open gives each CIDR its parent and each point
 * its most specific CIDR.
 */
static enum err
cidr_index(struct ms_cidrs *c, int v6, struct cb *v, size_t n)
{
	size_t *stack = NULL, depth = 0;
	struct u128 zero = { 0, 0 };

	if (n == 0)
		return ERR_OK;
	qsort(v, n, sizeof(*v), cb_cmp);
	c->list = calloc(n, sizeof(*c->list));
	c->start = calloc((2 * n + 1) * (v6 ? 2 : 1), sizeof(uint64_t));
	c->cidr = calloc(2 * n + 1, sizeof(*c->cidr));
	stack = calloc(n, sizeof(*stack));
	if (c->list == NULL || c->start == NULL || c->cidr == NULL ||
	    stack == NULL) {
		free(stack);
		return ERR_NOMEM;
	}
	c->n = n;
	seg_emit(c, v6, zero, -1);
	for (size_t i = 0; i <= n; i++) {
		/* Close the CIDRs that end before v[i] starts (all at the
		 * end). */
		while (depth > 0 && (i == n || u128_cmp(v[stack[depth - 1]].end,
		    v[i].start) < 0)) {
			struct u128 next = v[stack[--depth]].end;

			/* The first address after it, unless it ends at the
			 * top of the address space. */
			if (!v6) {
				if (++next.h > UINT32_MAX)
					continue;
			} else {
				if (++next.l == 0)
					next.h++;
				if (next.h == 0 && next.l == 0)
					continue;
			}
			seg_emit(c, v6, next, depth > 0 ?
			    (int32_t)stack[depth - 1] : -1);
		}
		if (i == n)
			break;
		c->list[i].rec = v[i].rec;
		c->list[i].parent = depth > 0 ? (uint32_t)stack[depth - 1] + 1 :
		    0;
		seg_emit(c, v6, v[i].start, (int32_t)i);
		stack[depth++] = i;
	}
	free(stack);
	return cidr_top(c, v6);
}

/* The CIDR keys of s, into the two interval indices. */
static enum err
finish_cidrs(struct match_set *s, const struct uniq *uq, size_t nu)
{
	struct cb *v4 = NULL, *v6 = NULL;
	size_t n4 = 0, n6 = 0;
	enum err err = ERR_NOMEM;

	if ((v4 = calloc(s->n_keys_type[MS_T_CIDR4] + 1, sizeof(*v4))) ==
	    NULL || (v6 = calloc(s->n_keys_type[MS_T_CIDR6] + 1,
	    sizeof(*v6))) == NULL)
		goto out;
	for (size_t k = 0; k < nu; k++) {
		const uint8_t *kk;
		unsigned kt, pl;
		size_t kl;
		struct cb *e;

		kk = ms_rec_key(s, uq[k].rec, &kt, &kl);
		if (kt != MS_T_CIDR4 && kt != MS_T_CIDR6)
			continue;
		e = kt == MS_T_CIDR4 ? &v4[n4++] : &v6[n6++];
		pl = kk[0];
		e->plen = pl;
		e->rec = uq[k].rec;
		memset(&e->start, 0, sizeof(e->start));
		if (kt == MS_T_CIDR4) {
			e->start.h = (uint64_t)kk[1] << 24 | (uint64_t)kk[2] <<
			    16 | (uint64_t)kk[3] << 8 | kk[4];
			e->end.h = e->start.h | (pl == 0 ? 0xffffffffull :
			    (0xffffffffull >> pl));
			e->end.l = 0;
		} else {
			for (int i = 0; i < 8; i++) {
				e->start.h = e->start.h << 8 | kk[1 + i];
				e->start.l = e->start.l << 8 | kk[9 + i];
			}
			e->end.h = e->start.h | (pl >= 64 ? 0 : pl == 0 ?
			    ~0ull : (~0ull >> pl));
			e->end.l = e->start.l | (pl >= 128 ? 0 : pl <= 64 ?
			    ~0ull : (~0ull >> (pl - 64)));
		}
	}
	if ((err = cidr_index(&s->c4, 0, v4, n4)) != ERR_OK)
		goto out;
	err = cidr_index(&s->c6, 1, v6, n6);
out:
	free(v4);
	free(v6);
	return err;
}

static enum err
finish_idlists(struct match_set *s, struct extra *ex, size_t n_ex)
{
	size_t n_lists = 0, i = 0, pos = 0;
	uint32_t *tmp = NULL;
	size_t tmp_cap = 0;
	enum err err = ERR_OK;

	if (n_ex == 0)
		return ERR_OK;
	qsort(ex, n_ex, sizeof(*ex), extra_cmp);
	/* Upper bound: each list holds its count, the first id and extras. */
	for (size_t k = 0; k < n_ex; k++)
		if (k == 0 || ex[k].rec != ex[k - 1].rec)
			n_lists++;
	if (n_ex + 2 * n_lists > UINT32_MAX / 2)
		return ERR_TOOBIG;
	s->idlists = malloc((n_ex + 2 * n_lists) * sizeof(uint32_t));
	if (s->idlists == NULL)
		return ERR_NOMEM;
	while (i < n_ex) {
		size_t k = i, n = 0;
		uint32_t rec = ex[i].rec;
		uint32_t first = ms_rec_ids(s, rec);

		while (k < n_ex && ex[k].rec == rec)
			k++;
		if ((err = grow((void **)&tmp, &tmp_cap, k - i + 1,
		    sizeof(*tmp))) != ERR_OK)
			goto out;
		tmp[n++] = first;
		for (size_t m = i; m < k; m++)
			tmp[n++] = ex[m].ind;
		qsort(tmp, n, sizeof(*tmp), u32_cmp);
		{
			size_t u = 0;
			uint32_t v;

			for (size_t m = 0; m < n; m++)
				if (m == 0 || tmp[m] != tmp[m - 1])
					tmp[u++] = tmp[m];
			n = u;
			if (n > 1) {
				s->idlists[pos] = (uint32_t)n;
				memcpy(s->idlists + pos + 1, tmp,
				    n * sizeof(*tmp));
				v = MS_IDS_LIST | (uint32_t)pos;
				memcpy(s->arena + rec, &v, 4);
				pos += n + 1;
			}
		}
		i = k;
	}
	s->n_idlists = pos;
out:
	free(tmp);
	return err;
}

enum err
match_builder_finish(struct match_builder *b, struct match_set **out)
{
	struct match_set *s = NULL;
	struct extra *ex = NULL;
	struct uniq *uq = NULL;
	size_t n_ex = 0, cap_ex = 0, nu = 0, off = 0;
	enum err err = ERR_NOMEM;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		goto out;
	s->n_slots = slots_for(b->n_staged);
	if ((s->slots = calloc(s->n_slots, sizeof(*s->slots))) == NULL)
		goto out;
	if (b->stage_len + 1 > MS_ARENA_MAX) {
		err = ERR_TOOBIG;
		goto out;
	}
	if ((s->arena = malloc(b->stage_len + 4)) == NULL ||
	    (uq = malloc((b->n_staged + 1) * sizeof(*uq))) == NULL)
		goto out;
	s->arena_len = 1;	/* offset 0 means "empty slot" */
	s->arena[0] = 0;

	for (size_t k = 0; k < b->n_staged; k++) {
		const uint8_t *p = b->stage + off, *key = p + STAGE_HDR;
		uint64_t h, h2;
		uint32_t ind, i, tag;
		uint16_t len;
		unsigned t = p[12];

		memcpy(&h, p, 8);
		memcpy(&ind, p + 8, 4);
		memcpy(&len, p + 13, 2);
		off += STAGE_HDR + len;
		h2 = ms_h2(h);
		i = ms_range((uint32_t)(h2 >> 32), s->n_slots);
		tag = (uint32_t)h2;
		for (;;) {
			struct ms_slot *sl = &s->slots[i];
			const uint8_t *kk;
			unsigned kt;
			size_t kl;

			if (sl->rec == 0) {
				uint8_t *r = s->arena + s->arena_len;
				size_t hdr = len < 0x80 ? 6 : 7;

				sl->tag = tag;
				sl->rec = (uint32_t)s->arena_len;
				memcpy(r, &ind, 4);
				r[4] = (uint8_t)t;
				if (len < 0x80) {
					r[5] = (uint8_t)len;
				} else {
					r[5] = (uint8_t)(0x80 | (len >> 8));
					r[6] = (uint8_t)len;
				}
				memcpy(r + hdr, key, len);
				uq[nu].h = h;
				uq[nu].rec = sl->rec;
				nu++;
				s->arena_len += hdr + len;
				s->n_keys_type[t]++;
				if (t == MS_T_DOMAIN)
					s->dom_labels |= 1ull << ms_labels(key,
					    len);
				break;
			}
			if (sl->tag == tag) {
				kk = ms_rec_key(s, sl->rec, &kt, &kl);
				if (kt == t && kl == len &&
				    memcmp(kk, key, len) == 0) {
					if (ms_rec_ids(s, sl->rec) == ind)
						break;
					err = grow((void **)&ex, &cap_ex,
					    n_ex + 1, sizeof(*ex));
					if (err != ERR_OK)
						goto out;
					err = ERR_NOMEM;
					ex[n_ex].rec = sl->rec;
					ex[n_ex].ind = ind;
					n_ex++;
					break;
				}
			}
			if (++i == s->n_slots)
				i = 0;
		}
	}
	s->n_keys = nu;
	free(b->stage);
	b->stage = NULL;

	/* Resize the slots when repeats left them too sparse. */
	if (slots_for(nu) < s->n_slots / 4 * 3) {
		free(s->slots);
		s->n_slots = slots_for(nu);
		if ((s->slots = calloc(s->n_slots, sizeof(*s->slots))) ==
		    NULL)
			goto out;
		for (size_t k = 0; k < nu; k++)
			slot_put(s->slots, s->n_slots, uq[k].h, uq[k].rec);
	}
	/* One filter per type, sized for its keys. */
	for (unsigned t = 0; t < MS_T_COUNT_; t++) {
		size_t w = (s->n_keys_type[t] * MS_BLOOM_BITS_PER_KEY + 63) / 64;

		if (w > UINT32_MAX) {
			err = ERR_TOOBIG;
			goto out;
		}
		s->bloom_off[t] = s->n_bloom;
		s->bloom_n[t] = (uint32_t)w;
		s->n_bloom += w;
	}
	if ((s->bloom = calloc(s->n_bloom ? s->n_bloom : 1,
	    sizeof(uint64_t))) == NULL)
		goto out;
	for (size_t k = 0; k < nu; k++) {
		const uint8_t *kk;
		unsigned kt;
		size_t kl;

		kk = ms_rec_key(s, uq[k].rec, &kt, &kl);
		(void)kk;
		s->bloom[s->bloom_off[kt] + ms_range((uint32_t)(uq[k].h >> 32),
		    s->bloom_n[kt])] |= ms_bloom_mask(uq[k].h);
	}
	/* The tail filter: at most one tail per domain key. */
	if (s->n_keys_type[MS_T_DOMAIN] > 0) {
		size_t w = (s->n_keys_type[MS_T_DOMAIN] *
		    MS_BLOOM_BITS_PER_KEY + 63) / 64;

		if (w > UINT32_MAX) {
			err = ERR_TOOBIG;
			goto out;
		}
		s->n_tails = (uint32_t)w;
		if ((s->tails = calloc(w, sizeof(uint64_t))) == NULL)
			goto out;
		for (size_t k = 0; k < nu; k++) {
			const uint8_t *kk;
			unsigned kt;
			size_t kl, at;
			uint64_t m;

			kk = ms_rec_key(s, uq[k].rec, &kt, &kl);
			if (kt != MS_T_DOMAIN)
				continue;
			at = ms_tail_at(s, ms_tail_hash(kk, kl), &m);
			s->tails[at] |= m;
		}
	}
	if ((err = finish_cidrs(s, uq, nu)) != ERR_OK)
		goto out;
	err = ERR_NOMEM;
	free(uq);
	uq = NULL;
	{
		uint8_t *na = realloc(s->arena, s->arena_len + 4);

		if (na != NULL)
			s->arena = na;
	}
	if ((err = finish_idlists(s, ex, n_ex)) != ERR_OK)
		goto out;
	err = ERR_NOMEM;

	/* Indicators and the unsupported list move over. */
	s->n_ind = b->n_ind;
	s->uuid = b->uuid;
	b->uuid = NULL;
	if (s->n_ind > 0) {
		void *nu8 = realloc(s->uuid, s->n_ind * 16);

		if (nu8 != NULL)
			s->uuid = nu8;
	}
	if (b->has_alt) {
		s->is_alt = b->is_alt;
		b->is_alt = NULL;
		s->alt = b->alt;
		b->alt = NULL;
		s->alt_len = b->alt_len;
	}
	s->unsup = b->unsup;
	b->unsup = NULL;
	s->n_unsup = b->n_unsup;
	s->unsup_mem = b->unsup_mem;
	b->unsup_mem = NULL;
	s->unsup_len = b->unsup_len;
	s->n_terms = b->n_terms;
	s->n_ind_seen = b->n_ind_seen;
	*out = s;
	s = NULL;
	err = ERR_OK;
out:
	free(ex);
	free(uq);
	match_set_free(s);
	match_builder_free(b);
	return err;
}

void
match_set_free(struct match_set *s)
{
	if (s == NULL)
		return;
	free(s->slots);
	free(s->bloom);
	free(s->tails);
	free(s->arena);
	free(s->idlists);
	free(s->uuid);
	free(s->is_alt);
	free(s->alt);
	free(s->unsup);
	free(s->unsup_mem);
	free(s->c4.start);
	free(s->c4.cidr);
	free(s->c4.list);
	free(s->c4.top);
	free(s->c4.any);
	free(s->c6.start);
	free(s->c6.cidr);
	free(s->c6.list);
	free(s->c6.top);
	free(s->c6.any);
	free(s);
}

struct store_walk {
	struct match_builder	*b;
};

static enum err
store_cb(void *arg, const char *id, const char *pattern, const json_t *obj)
{
	struct store_walk *w = arg;

	(void)obj;
	return match_builder_add_pattern(w->b, id, pattern, strlen(pattern));
}

enum err
match_set_from_store(struct store *st, int64_t now_us,
    const struct match_use *use, struct match_set **out, size_t *n_unusable)
{
	struct store_walk w;
	size_t unusable = 0;
	enum err err;

	*out = NULL;
	if ((err = match_builder_new(&w.b)) != ERR_OK)
		return err;
	err = match_indicators_each(st, now_us, use, store_cb, &w,
	    &unusable);
	if (err != ERR_OK) {
		match_builder_free(w.b);
		return err;
	}
	if (n_unusable != NULL)
		*n_unusable = unusable;
	return match_builder_finish(w.b, out);
}

/* -- Accessors */

void
match_set_get_stats(const struct match_set *s, struct match_set_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->n_indicators = s->n_ind;
	st->n_terms = s->n_terms;
	st->n_keys = s->n_keys;
	st->n_ipv4 = s->n_keys_type[MS_T_IPV4];
	st->n_ipv6 = s->n_keys_type[MS_T_IPV6];
	st->n_cidr4 = s->n_keys_type[MS_T_CIDR4];
	st->n_cidr6 = s->n_keys_type[MS_T_CIDR6];
	st->n_domain = s->n_keys_type[MS_T_DOMAIN];
	st->n_url = s->n_keys_type[MS_T_URL];
	st->n_email = s->n_keys_type[MS_T_EMAIL];
	st->n_md5 = s->n_keys_type[MS_T_MD5];
	st->n_sha1 = s->n_keys_type[MS_T_SHA1];
	st->n_sha256 = s->n_keys_type[MS_T_SHA256];
	st->n_unsupported = s->n_unsup;
	st->bytes = sizeof(*s) + (size_t)s->n_slots * sizeof(struct ms_slot) +
	    (size_t)s->n_bloom * 8 + (size_t)s->n_tails * 8 +
	    s->arena_len + 4 +
	    s->n_idlists * sizeof(uint32_t) + s->n_ind * 16 +
	    (s->is_alt ? (s->n_ind + 7) / 8 + s->alt_len : 0) +
	    s->n_unsup * sizeof(struct ms_unsup) + s->unsup_len +
	    s->c4.n_seg * (8 + 4) + s->c4.n * sizeof(struct ms_cidr) +
	    s->c6.n_seg * (16 + 4) + s->c6.n * sizeof(struct ms_cidr) +
	    (s->c4.top ? (MS_CIDR_TOP + 1) * 4 + MS_CIDR_TOP / 8 : 0) +
	    (s->c6.top ? (MS_CIDR_TOP + 1) * 4 + MS_CIDR_TOP / 8 : 0);
}

void
match_set_unsupported(const struct match_set *s, size_t i, const char **id,
    const char **why)
{
	*id = s->unsup_mem + s->unsup[i].id_off;
	*why = s->unsup_mem + s->unsup[i].why_off;
}

size_t
match_set_n_indicators(const struct match_set *s)
{
	return s->n_ind;
}

void
match_set_indicator_id(const struct match_set *s, size_t idx,
    char out[LIM_STIX_ID + 1])
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *u = s->uuid[idx];
	size_t o = ID_PREFIX_LEN;

	if (s->is_alt != NULL && (s->is_alt[idx / 8] >> (idx % 8) & 1)) {
		uint64_t off, len;

		memcpy(&off, u, 8);
		memcpy(&len, u + 8, 8);
		if (len > LIM_STIX_ID)
			len = LIM_STIX_ID;
		memcpy(out, s->alt + off, len);
		out[len] = '\0';
		return;
	}
	memcpy(out, ID_PREFIX, ID_PREFIX_LEN);
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 15];
	}
	out[o] = '\0';
}

size_t
match_set_hit_n_ids(const struct match_set *s, const struct match_hit *h)
{
	uint32_t ids = ms_rec_ids(s, h->rec);

	return (ids & MS_IDS_LIST) ? s->idlists[ids & ~MS_IDS_LIST] : 1;
}

uint32_t
match_set_hit_id(const struct match_set *s, const struct match_hit *h,
    size_t i)
{
	uint32_t ids = ms_rec_ids(s, h->rec);

	if (ids & MS_IDS_LIST)
		return s->idlists[(ids & ~MS_IDS_LIST) + 1 + i];
	return ids;
}

size_t
match_set_hit_value(const struct match_set *s, const struct match_hit *h,
    char out[MATCH_VALUE_MAX])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t a[16];
	const uint8_t *k;
	unsigned t;
	size_t len, n;
	int m;

	k = ms_rec_key(s, h->rec, &t, &len);
	switch (t) {
	case MS_T_IPV4:
	case MS_T_IPV6:
		memset(a, 0, sizeof(a));
		memcpy(a, k, len);
		return match_format_ip(t == MS_T_IPV6, a, out);
	case MS_T_CIDR4:
	case MS_T_CIDR6:
		memset(a, 0, sizeof(a));
		memcpy(a, k + 1, len - 1);
		n = match_format_ip(t == MS_T_CIDR6, a, out);
		m = snprintf(out + n, MATCH_VALUE_MAX - n, "/%u", k[0]);
		return n + (m > 0 ? (size_t)m : 0);
	case MS_T_MD5:
	case MS_T_SHA1:
	case MS_T_SHA256:
		for (size_t i = 0; i < len; i++) {
			out[2 * i] = hex[k[i] >> 4];
			out[2 * i + 1] = hex[k[i] & 15];
		}
		out[2 * len] = '\0';
		return 2 * len;
	default:
		if (len >= MATCH_VALUE_MAX)
			len = MATCH_VALUE_MAX - 1;
		memcpy(out, k, len);
		out[len] = '\0';
		return len;
	}
}

/* -- Lookups */

static enum err
report(const struct match_set *s, uint32_t rec, enum match_hkind kind,
    enum match_ikind ikind, size_t len, match_hit_cb cb, void *arg)
{
	struct match_hit h;

	(void)s;
	h.off = 0;
	h.len = len;
	h.kind = kind;
	h.ikind = ikind;
	h.rec = rec;
	return cb(arg, &h);
}

enum err
match_set_find_ip(const struct match_set *s, int v6, const uint8_t addr[16],
    match_hit_cb cb, void *arg)
{
	enum match_ikind ik = v6 ? MATCH_I_IPV6 : MATCH_I_IPV4;
	const struct ms_cidrs *c = v6 ? &s->c6 : &s->c4;
	uint32_t rec, i;
	enum err err;

	if ((rec = ms_find(s, v6 ? MS_T_IPV6 : MS_T_IPV4, addr, v6 ? 16 : 4))
	    != 0 && (err = report(s, rec, MATCH_H_EXACT, ik, 0, cb, arg)) !=
	    ERR_OK)
		return err;
	for (i = ms_cidr_find(c, v6, addr); i != 0; i = c->list[i - 1].parent)
		if ((err = report(s, c->list[i - 1].rec, MATCH_H_CIDR, ik, 0, cb,
		    arg)) != ERR_OK)
			return err;
	return ERR_OK;
}

enum err
match_set_find_domain(const struct match_set *s, const char *d, size_t len,
    match_hit_cb cb, void *arg)
{
	size_t start = 0;
	uint32_t rec;
	enum err err;

	for (;;) {
		const char *dot = memchr(d + start, '.', len - start);

		if (dot == NULL)
			break;	/* a single label is never looked up */
		rec = ms_find(s, MS_T_DOMAIN, (const uint8_t *)d + start,
		    len - start);
		if (rec != 0 && (err = report(s, rec, start == 0 ?
		    MATCH_H_EXACT : MATCH_H_SUBDOMAIN, MATCH_I_DOMAIN, len, cb,
		    arg)) != ERR_OK)
			return err;
		start = (size_t)(dot - d) + 1;
	}
	return ERR_OK;
}

enum err
match_set_find_key(const struct match_set *s, enum match_ikind k,
    const void *key, size_t len, match_hit_cb cb, void *arg)
{
	unsigned t;
	uint32_t rec;

	switch (k) {
	case MATCH_I_URL:
		t = MS_T_URL;
		break;
	case MATCH_I_EMAIL:
		t = MS_T_EMAIL;
		break;
	case MATCH_I_MD5:
		t = MS_T_MD5;
		break;
	case MATCH_I_SHA1:
		t = MS_T_SHA1;
		break;
	case MATCH_I_SHA256:
		t = MS_T_SHA256;
		break;
	case MATCH_I_DOMAIN:
		t = MS_T_DOMAIN;
		break;
	default:
		return ERR_OK;
	}
	if ((rec = ms_find(s, t, key, len)) == 0)
		return ERR_OK;
	return report(s, rec, MATCH_H_EXACT, k, len, cb, arg);
}
