/*
 * mediatype.c: tolerant parsing of Accept and Content-Type for TAXII 2.1
 * ("application/taxii+json;version=2.1"): case, spaces, quoted values,
 * charset and q parameters in any order.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"

struct mtype {
	char	type[64];
	char	version[16];
	int	q_zero;		/* q=0: explicitly not acceptable */
	int	bad;
};

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static size_t
trim_len(const char *p, size_t n)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n;
}

/* Parse one media range p[0..len) into *m. */
static void
parse_one(const char *p, size_t len, struct mtype *m)
{
	const char *end = p + len, *semi;
	size_t n;

	memset(m, 0, sizeof(*m));
	p = skip_ws(p, end);
	semi = memchr(p, ';', (size_t)(end - p));
	n = trim_len(p, (size_t)((semi ? semi : end) - p));
	if (n == 0 || n >= sizeof(m->type)) {
		m->bad = 1;
		return;
	}
	for (size_t i = 0; i < n; i++)
		m->type[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ?
		    p[i] - 'A' + 'a' : p[i]);
	while (semi != NULL) {
		const char *k = skip_ws(semi + 1, end), *eq, *v;
		size_t kl, vl;

		semi = memchr(k, ';', (size_t)(end - k));
		eq = memchr(k, '=', (size_t)((semi ? semi : end) - k));
		if (eq == NULL)
			continue;
		kl = trim_len(k, (size_t)(eq - k));
		v = skip_ws(eq + 1, semi ? semi : end);
		vl = trim_len(v, (size_t)((semi ? semi : end) - v));
		if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
			v++;
			vl -= 2;
		}
		if (kl == 7 && strncasecmp(k, "version", 7) == 0) {
			if (vl >= sizeof(m->version)) {
				m->bad = 1;
				return;
			}
			memcpy(m->version, v, vl);
			m->version[vl] = '\0';
		} else if (kl == 1 && (k[0] == 'q' || k[0] == 'Q')) {
			/* q=0, q=0.0, q=0.000 */
			int zero = vl > 0 && v[0] == '0';
			for (size_t i = 1; zero && i < vl; i++)
				if (v[i] != '.' && v[i] != '0')
					zero = 0;
			m->q_zero = zero;
		}
	}
}

int
http_accept_ok(const char *accept)
{
	const char *p, *comma, *end;
	struct mtype m;

	if (accept == NULL)
		return 1;
	p = accept;
	end = accept + strlen(accept);
	if (skip_ws(p, end) == end)
		return 1;
	for (;;) {
		comma = memchr(p, ',', (size_t)(end - p));
		parse_one(p, (size_t)((comma ? comma : end) - p), &m);
		if (!m.bad && !m.q_zero) {
			if (strcmp(m.type, "*/*") == 0 ||
			    strcmp(m.type, "application/*") == 0)
				return 1;
			if (strcmp(m.type, "application/taxii+json") == 0 &&
			    (m.version[0] == '\0' ||
			    strcmp(m.version, "2.1") == 0))
				return 1;
		}
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

int
http_content_type_ok(const char *ctype)
{
	struct mtype m;

	if (ctype == NULL)
		return 0;
	parse_one(ctype, strlen(ctype), &m);
	return !m.bad && strcmp(m.type, "application/taxii+json") == 0 &&
	    (m.version[0] == '\0' || strcmp(m.version, "2.1") == 0);
}
