/*
 * format_log.c: line formats with a fixed layout: BIND 9 query logs and
 * Squid's native access.log.
 *
 * BIND (category "queries"), with or without the leading date, category
 * and severity that the logging channel adds:
 *   [date time [queries: ]info: ]client [@0x7f..  ]ADDR#PORT [(NAME)]:
 *       [view VIEW: ]query: NAME CLASS TYPE FLAGS [(SERVER)]
 * Fields: "client" (address), "query" (name), "server" (address).
 *
 * Squid native (logformat squid):
 *   time.ms elapsed client code/status bytes method URL user hier/peer type
 * Fields: "client", "url" (a URL, or host:port for CONNECT), "user",
 * "peer" (the host after "hier/").  Runs of spaces separate fields; the
 * first seven are required, trailing ones may be missing.
 */
#include <string.h>

#include "match/format_int.h"

static const char *
find(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle));
}

enum err
fmt_bind_line(struct match_parser *p, const char *line, size_t len,
    struct fmt_out *o)
{
	const char *end = line + len, *c, *hash, *q, *name, *ne, *lp;

	if (len == 0)
		return ERR_OK;
	if ((c = find(line, len, "client ")) == NULL)
		return ERR_PARSE;
	c += 7;
	/* The client object's address, "@0x55d0c8a2b3c0 ", since 9.11. */
	if (end - c > 1 && c[0] == '@') {
		while (c < end && *c != ' ')
			c++;
		while (c < end && *c == ' ')
			c++;
	}
	if ((hash = memchr(c, '#', (size_t)(end - c))) == NULL ||
	    memchr(c, ' ', (size_t)(hash - c)) != NULL || hash == c)
		return ERR_PARSE;
	if ((q = find(hash, (size_t)(end - hash), "query: ")) == NULL)
		return ERR_PARSE;
	name = q + 7;
	ne = name;
	while (ne < end && *ne != ' ')
		ne++;
	if (ne == name)
		return ERR_PARSE;
	fmt_emit(p, o, "client", c, (size_t)(hash - c), FMT_H_IP);
	fmt_emit(p, o, "query", name, (size_t)(ne - name), FMT_H_DOMAIN);
	/* The server address closes the line in parentheses. */
	if (end - ne > 2 && end[-1] == ')' &&
	    (lp = memrchr(ne, '(', (size_t)(end - ne))) != NULL &&
	    lp > ne && lp[-1] == ' ')
		fmt_emit(p, o, "server", lp + 1, (size_t)(end - lp - 2),
		    FMT_H_IP);
	return ERR_OK;
}

/* Split on runs of spaces into at most cap tokens; returns the count. */
static size_t
tokens(const char *s, size_t n, const char **tv, size_t *tl, size_t cap)
{
	size_t i = 0, k = 0;

	while (k < cap) {
		size_t st;

		while (i < n && s[i] == ' ')
			i++;
		if (i == n)
			break;
		st = i;
		while (i < n && s[i] != ' ')
			i++;
		tv[k] = s + st;
		tl[k] = i - st;
		k++;
	}
	return k;
}

static int
all_digits(const char *s, size_t n, int dot_ok)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (dot_ok && s[i] == '.')))
			return 0;
	return 1;
}

enum err
fmt_squid_line(struct match_parser *p, const char *line, size_t len,
    struct fmt_out *o)
{
	const char *tv[10], *slash;
	size_t tl[10], n;

	if (len == 0)
		return ERR_OK;
	n = tokens(line, len, tv, tl, 10);
	if (n < 7 || !all_digits(tv[0], tl[0], 1) ||
	    !(all_digits(tv[1], tl[1], 0) || (tl[1] == 2 &&
	    memcmp(tv[1], "-1", 2) == 0)) ||
	    memchr(tv[3], '/', tl[3]) == NULL ||
	    !(all_digits(tv[4], tl[4], 0) || (tl[4] == 1 && tv[4][0] == '-')))
		return ERR_PARSE;
	fmt_emit(p, o, "client", tv[2], tl[2], FMT_H_IP);
	if (find(tv[6], tl[6], "://") != NULL)
		fmt_emit(p, o, "url", tv[6], tl[6], FMT_H_URL);
	else	/* CONNECT host:port */
		fmt_emit(p, o, "url", tv[6], tl[6], FMT_H_DOMAIN);
	if (n > 7 && !(tl[7] == 1 && tv[7][0] == '-'))
		fmt_emit(p, o, "user", tv[7], tl[7], FMT_H_EMAIL);
	if (n > 8 && (slash = memchr(tv[8], '/', tl[8])) != NULL) {
		size_t pl = tl[8] - (size_t)(slash - tv[8]) - 1;

		if (!(pl == 1 && slash[1] == '-'))
			fmt_emit(p, o, "peer", slash + 1, pl, FMT_H_SHAPE);
	}
	return ERR_OK;
}
