/*
 * fuzz_mediatype.c: libFuzzer harness for the Accept and Content-Type
 * checks (http/mediatype.c).  The input, up to its first NUL, is the header
 * value.
 *
 * Invariants checked, abort() on violation:
 * - http_accept_ok() and http_content_type_ok() return 0 or 1, the same
 *   on a second call;
 * - case does not matter: the upper- and lower-cased inputs give the same
 *   answers (the only case-sensitive part, the version value, must be
 *   "2.1", which has no letters);
 * - Accept admits "*" "/" "*" followed by nothing or ',' then anything,
 *   and any value with ", application/taxii+json;version=2.1" or ",*" "/" "*"
 *   appended;
 * - a value without ',' is refused once ";q=0" is appended (the last q
 *   wins and q=0 excludes the only range);
 * - a Content-Type that passes starts (after spaces) with
 *   application/taxii+json, in any case, followed by ';', space, tab or the
 *   end, and contains no ',' before its first ';'.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"

#define TAXII_TYPE	"application/taxii+json"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
bool_or_die(int v)
{
	if (v != 0 && v != 1)
		abort();
	return v;
}

/* s with suffix appended, in a new heap string. */
static char *
cat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb + 1);
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *up, *low, *t;
	const char *p, *semi;
	int a, c;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	a = bool_or_die(http_accept_ok(s));
	c = bool_or_die(http_content_type_ok(s));
	if (http_accept_ok(s) != a || http_content_type_ok(s) != c)
		abort();

	/* Case-insensitive. */
	up = strdup(s);
	low = strdup(s);
	if (up != NULL && low != NULL) {
		for (size_t i = 0; up[i] != '\0'; i++) {
			up[i] = (char)toupper((unsigned char)up[i]);
			low[i] = (char)tolower((unsigned char)low[i]);
		}
		if (http_accept_ok(up) != a || http_accept_ok(low) != a ||
		    http_content_type_ok(up) != c ||
		    http_content_type_ok(low) != c)
			abort();
	}
	free(up);
	free(low);

	/* "*" "/" "*" alone or first in a list. */
	if (strncmp(s, "*/*", 3) == 0 && (s[3] == '\0' || s[3] == ',') &&
	    a != 1)
		abort();
	if ((t = cat("*/*,", s)) != NULL && http_accept_ok(t) != 1)
		abort();
	free(t);
	if ((t = cat(s, ", " TAXII_TYPE ";version=2.1")) != NULL &&
	    http_accept_ok(t) != 1)
		abort();
	free(t);
	if ((t = cat(s, ",*/*")) != NULL && http_accept_ok(t) != 1)
		abort();
	free(t);

	/* q=0 on the only range excludes it. */
	if (strchr(s, ',') == NULL && (t = cat(s, ";q=0")) != NULL) {
		if (http_accept_ok(t) != 0)
			abort();
		free(t);
	}

	/* What passes as Content-Type is our type. */
	if (c) {
		p = s;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, TAXII_TYPE, strlen(TAXII_TYPE)) != 0)
			abort();
		p += strlen(TAXII_TYPE);
		if (*p != ';' && *p != ' ' && *p != '\t' && *p != '\0')
			abort();
		semi = strchr(s, ';');
		if (memchr(s, ',', semi != NULL ? (size_t)(semi - s) :
		    strlen(s)) != NULL)
			abort();
		/* And a lone Accept of the same value is admitted unless it
		 * carries a q parameter. */
		if (strchr(s, ',') == NULL && strchr(s, 'q') == NULL &&
		    strchr(s, 'Q') == NULL && http_accept_ok(s) != 1)
			abort();
	}
	free(s);
	return 0;
}
