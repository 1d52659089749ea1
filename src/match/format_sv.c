/*
 * format_sv.c: separated values: CSV (RFC 4180), TSV (IANA
 * text/tab-separated-values) and Zeek's TSV logs.
 *
 * CSV and TSV take their column names from the first non-empty line.
 * CSV honours RFC 4180 quoting ("a,b" and doubled quotes) within a line;
 * a quoted field spanning lines is a bad line, since the reader hands
 * lines over one by one.  A row with more cells than the header is bad; a
 * shorter one is taken as it is.
 *
 * Zeek logs (the ASCII writer) open with '#' lines: "#separator \x09",
 * then, with that separator, #set_separator, #empty_field, #unset_field,
 * #path, #open, #fields and #types.  #fields names the columns and
 * #types tells addresses (typed as IP) and sets (split on the set
 * separator) from times and counters (skipped).  Values equal to the
 * unset ("-") or empty ("(empty)") marker are dropped; "\xHH" escapes
 * are decoded.  A data row must have exactly as many values as #fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/format_int.h"

/* Longest generated column name ("col512") plus NUL. */
#define SV_GEN_NAME	12u

/* One cell of a split line. */
struct cell {
	const char	*v;
	size_t		 len;
};

static int
hexv(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * Split a CSV line (quote-aware when csv) into cells[0..cap); *n gets the
 * number of cells in the line, which may exceed cap (the rest are not
 * stored).  Quoted cells with doubled quotes are decoded into scratch.
 */
static enum err
split(struct match_parser *p, const char *s, size_t n, char sep, int csv,
    struct cell *cells, size_t cap, size_t *n_out)
{
	size_t i = 0, k = 0;

	for (;;) {
		const char *v;
		size_t vl;

		if (csv && i < n && s[i] == '"') {
			size_t st = ++i, dq = 0;

			for (;;) {
				const char *q = memchr(s + i, '"', n - i);

				if (q == NULL)
					return ERR_PARSE;	/* unterminated */
				i = (size_t)(q - s);
				if (i + 1 < n && s[i + 1] == '"') {
					dq++;
					i += 2;
					continue;
				}
				break;
			}
			v = s + st;
			vl = i - st;
			i++;	/* closing quote */
			if (i < n && s[i] != sep)
				return ERR_PARSE;
			if (dq > 0 && k < cap) {
				char *d = fmt_scratch(p, vl);
				size_t o = 0;

				if (d == NULL)
					return ERR_PARSE;
				for (size_t j = 0; j < vl; j++) {
					d[o++] = v[j];
					if (v[j] == '"')
						j++;
				}
				v = d;
				vl = o;
			}
		} else {
			const char *e = memchr(s + i, sep, n - i);
			size_t end = e == NULL ? n : (size_t)(e - s);

			v = s + i;
			vl = end - i;
			i = end;
		}
		if (k < cap) {
			cells[k].v = v;
			cells[k].len = vl;
		}
		k++;
		if (i >= n)
			break;
		i++;	/* separator */
		if (i == n) {
			/* A trailing separator ends with an empty cell. */
			if (k < cap) {
				cells[k].v = s + n;
				cells[k].len = 0;
			}
			k++;
			break;
		}
	}
	*n_out = k;
	return ERR_OK;
}

/* Store the header cells as column names (generated when empty). */
static enum err
set_header(struct match_parser *p, const struct cell *cells, size_t n,
    size_t n_total)
{
	size_t need = SV_GEN_NAME, at = 0;
	char *h;

	for (size_t i = 0; i < n; i++) {
		size_t l = cells[i].len > MATCH_NAME_MAX ? MATCH_NAME_MAX :
		    cells[i].len;

		need += (l > SV_GEN_NAME ? l : SV_GEN_NAME) + 1;
	}
	if (need > p->hdr_cap) {
		if ((h = realloc(p->hdr, need)) == NULL)
			return ERR_NOMEM;
		p->hdr = h;
		p->hdr_cap = need;
	}
	for (size_t i = 0; i < n; i++) {
		const char *v = cells[i].v;
		size_t l = cells[i].len;
		char *dst = p->hdr + at;

		while (l > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			l--;
		}
		while (l > 0 && (v[l - 1] == ' ' || v[l - 1] == '\t'))
			l--;
		if (l > MATCH_NAME_MAX)
			l = MATCH_NAME_MAX;
		if (l == 0 || memchr(v, '\0', l) != NULL) {
			l = (size_t)snprintf(dst, SV_GEN_NAME, "col%zu", i + 1);
		} else {
			memcpy(dst, v, l);
			dst[l] = '\0';
		}
		p->cols[i].name = dst;
		p->cols[i].hint = fmt_hint_for(p, dst, l);
		p->cols[i].is_set = 0;
		at += l + 1;
	}
	p->n_cols = n;
	p->n_total = n_total;
	return ERR_OK;
}

enum err
fmt_csv_line(struct match_parser *p, const char *line, size_t len,
    struct fmt_out *o)
{
	struct cell cells[MATCH_FIELDS_MAX];
	size_t n, lim;
	int csv = p->fmt == MATCH_FMT_CSV;
	enum err err;

	if (len == 0)
		return ERR_OK;
	if ((err = split(p, line, len, p->sep, csv, cells, MATCH_FIELDS_MAX,
	    &n)) != ERR_OK)
		return err;
	if (p->n_total == 0) {
		lim = n < MATCH_FIELDS_MAX ? n : MATCH_FIELDS_MAX;
		return set_header(p, cells, lim, n);
	}
	if (n > p->n_total)
		return ERR_PARSE;
	lim = n < p->n_cols ? n : p->n_cols;
	for (size_t i = 0; i < lim; i++)
		fmt_emit(p, o, p->cols[i].name, cells[i].v, cells[i].len,
		    p->cols[i].hint);
	fmt_compose_urls(p, o);
	return ERR_OK;
}

/* Decode "\xHH" (and "\\") in s into a heap string; NULL on ENOMEM. */
static char *
zeek_strdup(const char *s, size_t n, size_t *out_len)
{
	char *d = malloc(n + 1);
	size_t o = 0;

	if (d == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    hexv(s[i + 2]) >= 0 && hexv(s[i + 3]) >= 0) {
			d[o++] = (char)(hexv(s[i + 2]) * 16 + hexv(s[i + 3]));
			i += 3;
		} else
			d[o++] = s[i];
	}
	d[o] = '\0';
	if (out_len != NULL)
		*out_len = o;
	return d;
}

/* Decode a value's escapes into scratch when it has any. */
static int
zeek_value(struct match_parser *p, const char **v, size_t *vl)
{
	char *d;
	size_t o = 0;
	const char *s = *v;

	if (memchr(s, '\\', *vl) == NULL)
		return 1;
	if ((d = fmt_scratch(p, *vl)) == NULL)
		return 0;
	for (size_t i = 0; i < *vl; i++) {
		if (s[i] == '\\' && i + 3 < *vl && s[i + 1] == 'x' &&
		    hexv(s[i + 2]) >= 0 && hexv(s[i + 3]) >= 0) {
			d[o++] = (char)(hexv(s[i + 2]) * 16 + hexv(s[i + 3]));
			i += 3;
		} else if (s[i] == '\\' && i + 1 < *vl && s[i + 1] == '\\') {
			d[o++] = '\\';
			i++;
		} else
			d[o++] = s[i];
	}
	*v = d;
	*vl = o;
	return 1;
}

/* 1 when v is the marker m (or its default dflt when m is unset). */
static int
marker(const char *m, const char *dflt, const char *v, size_t vl)
{
	if (m == NULL)
		m = dflt;
	return strlen(m) == vl && memcmp(m, v, vl) == 0;
}

/* A header value after "#name<sep>", escapes decoded, into *dst. */
static enum err
zeek_set_str(char **dst, const char *v, size_t vl)
{
	char *s = zeek_strdup(v, vl, NULL);

	if (s == NULL)
		return ERR_NOMEM;
	free(*dst);
	*dst = s;
	return ERR_OK;
}

/* Type of a column from #types: how to scan it. */
static void
zeek_type(struct fmt_col *c, const char *t, size_t tl)
{
	static const char *const skip[] = {
		"time", "interval", "count", "int", "port", "double", "bool",
		"enum"
	};
	const char *open = memchr(t, '[', tl);

	c->is_set = 0;
	if (open != NULL && t[tl - 1] == ']' &&
	    ((open - t == 3 && memcmp(t, "set", 3) == 0) ||
	    (open - t == 6 && memcmp(t, "vector", 6) == 0))) {
		/* "set[addr]": the element type is "addr". */
		c->is_set = 1;
		tl = (size_t)(t + tl - 1 - (open + 1));
		t = open + 1;
	}
	if (tl == 4 && memcmp(t, "addr", 4) == 0) {
		c->hint = FMT_H_IP;
		return;
	}
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strlen(skip[i]) == tl && memcmp(skip[i], t, tl) == 0)
			c->hint = FMT_H_SKIP;
}

static enum err
zeek_header(struct match_parser *p, const char *line, size_t len)
{
	struct cell cells[MATCH_FIELDS_MAX];
	const char *v;
	size_t n, nl, vl;
	enum err err;

	if (len > 11 && memcmp(line, "#separator ", 11) == 0) {
		char *s;

		if ((s = zeek_strdup(line + 11, len - 11, &vl)) == NULL)
			return ERR_NOMEM;
		if (vl != 1) {
			free(s);
			return ERR_PARSE;
		}
		p->sep = s[0];
		free(s);
		return ERR_OK;
	}
	v = memchr(line, p->sep, len);
	if (v == NULL)
		return ERR_OK;		/* "#close" alone and the like */
	nl = (size_t)(v - line);
	v++;
	vl = len - nl - 1;
	if (nl == 14 && memcmp(line, "#set_separator", 14) == 0) {
		char *s;
		size_t sl;

		if ((s = zeek_strdup(v, vl, &sl)) == NULL)
			return ERR_NOMEM;
		if (sl == 1)
			p->set_sep = s[0];
		free(s);
		return sl == 1 ? ERR_OK : ERR_PARSE;
	}
	if (nl == 12 && memcmp(line, "#empty_field", 12) == 0)
		return zeek_set_str(&p->empty, v, vl);
	if (nl == 12 && memcmp(line, "#unset_field", 12) == 0)
		return zeek_set_str(&p->unset, v, vl);
	if (nl == 7 && memcmp(line, "#fields", 7) == 0) {
		if ((err = split(p, v, vl, p->sep, 0, cells, MATCH_FIELDS_MAX,
		    &n)) != ERR_OK)
			return err;
		return set_header(p, cells, n < MATCH_FIELDS_MAX ? n :
		    MATCH_FIELDS_MAX, n);
	}
	if (nl == 6 && memcmp(line, "#types", 6) == 0) {
		if ((err = split(p, v, vl, p->sep, 0, cells, MATCH_FIELDS_MAX,
		    &n)) != ERR_OK)
			return err;
		if (n != p->n_total)
			return ERR_PARSE;
		for (size_t i = 0; i < p->n_cols; i++)
			zeek_type(&p->cols[i], cells[i].v, cells[i].len);
		return ERR_OK;
	}
	return ERR_OK;
}

enum err
fmt_zeek_line(struct match_parser *p, const char *line, size_t len,
    struct fmt_out *o)
{
	struct cell cells[MATCH_FIELDS_MAX];
	size_t n, lim;
	enum err err;

	if (len == 0)
		return ERR_OK;
	if (line[0] == '#')
		return zeek_header(p, line, len);
	if (p->n_total == 0)
		return ERR_PARSE;	/* data before #fields */
	if ((err = split(p, line, len, p->sep, 0, cells, MATCH_FIELDS_MAX,
	    &n)) != ERR_OK)
		return err;
	if (n != p->n_total)
		return ERR_PARSE;
	lim = n < p->n_cols ? n : p->n_cols;
	for (size_t i = 0; i < lim; i++) {
		const struct fmt_col *c = &p->cols[i];
		const char *v = cells[i].v, *e;
		size_t vl = cells[i].len, el;

		if (c->hint == FMT_H_SKIP || marker(p->unset, "-", v, vl) ||
		    marker(p->empty, "(empty)", v, vl))
			continue;
		if (!c->is_set) {
			if (!zeek_value(p, &v, &vl))
				return ERR_PARSE;
			fmt_emit(p, o, c->name, v, vl, c->hint);
			continue;
		}
		while (vl > 0) {
			e = memchr(v, p->set_sep, vl);
			el = e == NULL ? vl : (size_t)(e - v);
			{
				const char *ev = v;
				size_t evl = el;

				if (!zeek_value(p, &ev, &evl))
					return ERR_PARSE;
				fmt_emit(p, o, c->name, ev, evl,
				    c->hint == FMT_H_ANY ? FMT_H_SHAPE :
				    c->hint);
			}
			if (e == NULL)
				break;
			v += el + 1;
			vl -= el + 1;
		}
	}
	fmt_compose_urls(p, o);
	return ERR_OK;
}
