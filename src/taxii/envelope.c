/*
 * envelope.c: find the objects of a TAXII envelope without parsing it into
 * one tree, so that they can be parsed, checked and freed one by one, on
 * two threads.  The scanner only vouches for plain envelopes: an object
 * whose member names are unescaped ASCII, appear once, and whose
 * "objects" member is an array.  For anything else it answers -1 and the
 * caller parses the whole body with jansson, so no input is judged
 * differently by the two paths: every byte the scanner accepts is either
 * JSON whitespace or structure it checked, a member value it had jansson
 * check, or an array element that jansson parses later.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "taxii/taxii_int.h"
#include "util/limits.h"

#define SCAN_MAX_MEMBERS	16

static size_t
skip_ws(const char *p, size_t n, size_t i)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
	    p[i] == '\r'))
		i++;
	return i;
}

/* End of the string starting at p[i] == '"' (index after the closing
 * quote), or 0 when it does not end. */
static size_t
skip_string(const char *p, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '"')
			return i + 1;
	}
	return 0;
}

/*
 * End of the value starting at p[i] (index after it), or 0.  Containers are
 * matched by depth only; their content is checked by jansson later.
 */
static size_t
skip_value(const char *p, size_t n, size_t i)
{
	size_t depth = 0;

	if (i >= n)
		return 0;
	if (p[i] == '"')
		return skip_string(p, n, i);
	if (p[i] != '{' && p[i] != '[') {
		size_t s = i;
		while (i < n && p[i] != ',' && p[i] != '}' && p[i] != ']' &&
		    p[i] != ' ' && p[i] != '\t' && p[i] != '\n' &&
		    p[i] != '\r' && p[i] != '"' && p[i] != '{' && p[i] != '[')
			i++;
		return i > s ? i : 0;
	}
	while (i < n) {
		switch (p[i]) {
		case '"':
			if ((i = skip_string(p, n, i)) == 0)
				return 0;
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (--depth == 0)
				return i + 1;
			break;
		default:
			break;
		}
		i++;
	}
	return 0;
}

/* A member name we compare as raw bytes: printable ASCII, no escapes. */
static int
plain_key(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e || p[i] == '\\')
			return 0;
	return 1;
}

/* The scanner; meta (may be NULL) also gets "more" and "next". */
static int
scan(const char *p, size_t n, struct taxii_span **spans_out, size_t *n_out,
    struct taxii_envelope_meta *meta)
{
	const char *keys[SCAN_MAX_MEMBERS];
	size_t key_len[SCAN_MAX_MEMBERS], n_keys = 0;
	struct taxii_span *spans = NULL, *grown;
	size_t n_spans = 0, cap = 0, i, ks, ke, vs;
	int seen_objects = 0;
	json_t *v;

	*spans_out = NULL;
	*n_out = 0;
	i = skip_ws(p, n, 0);
	if (i >= n || p[i] != '{')
		goto fallback;
	i = skip_ws(p, n, i + 1);
	for (;;) {
		if (i >= n || p[i] != '"')
			goto fallback;	/* includes the empty object */
		ks = i + 1;
		if ((i = skip_string(p, n, i)) == 0)
			goto fallback;
		ke = i - 1;
		if (!plain_key(p + ks, ke - ks) || n_keys == SCAN_MAX_MEMBERS)
			goto fallback;
		for (size_t k = 0; k < n_keys; k++)
			if (key_len[k] == ke - ks &&
			    memcmp(keys[k], p + ks, ke - ks) == 0)
				goto fallback;	/* duplicate member */
		keys[n_keys] = p + ks;
		key_len[n_keys++] = ke - ks;
		i = skip_ws(p, n, i);
		if (i >= n || p[i] != ':')
			goto fallback;
		i = skip_ws(p, n, i + 1);
		if (ke - ks == 7 && memcmp(p + ks, "objects", 7) == 0) {
			seen_objects = 1;
			if (i >= n || p[i] != '[')
				goto fallback;
			i = skip_ws(p, n, i + 1);
			if (i < n && p[i] == ']') {
				i++;
			} else {
				for (;;) {
					vs = i;
					if ((i = skip_value(p, n, i)) == 0)
						goto fallback;
					if (n_spans == cap) {
						cap = cap ? cap * 2 : 256;
						if (cap > LIM_ENVELOPE_OBJECTS +
						    256)
							goto fallback;
						grown = realloc(spans, cap *
						    sizeof(*spans));
						if (grown == NULL)
							goto fallback;
						spans = grown;
					}
					spans[n_spans].off = vs;
					spans[n_spans].len = i - vs;
					n_spans++;
					i = skip_ws(p, n, i);
					if (i < n && p[i] == ',') {
						i = skip_ws(p, n, i + 1);
						continue;
					}
					if (i < n && p[i] == ']') {
						i++;
						break;
					}
					goto fallback;
				}
			}
		} else {
			/* Any other member must be valid JSON on its own. */
			vs = i;
			if ((i = skip_value(p, n, i)) == 0)
				goto fallback;
			v = json_loadb(p + vs, i - vs, JSON_DECODE_ANY |
			    JSON_REJECT_DUPLICATES, NULL);
			if (v == NULL)
				goto fallback;
			if (meta != NULL && ke - ks == 4 &&
			    memcmp(p + ks, "more", 4) == 0)
				meta->more = json_is_true(v);
			if (meta != NULL && ke - ks == 4 &&
			    memcmp(p + ks, "next", 4) == 0 &&
			    json_is_string(v) && json_string_length(v) <
			    sizeof(meta->next))
				memcpy(meta->next, json_string_value(v),
				    json_string_length(v) + 1);
			json_decref(v);
		}
		i = skip_ws(p, n, i);
		if (i < n && p[i] == ',') {
			i = skip_ws(p, n, i + 1);
			continue;
		}
		if (i < n && p[i] == '}') {
			i++;
			break;
		}
		goto fallback;
	}
	if (skip_ws(p, n, i) != n || !seen_objects)
		goto fallback;
	*spans_out = spans;
	*n_out = n_spans;
	return 0;
fallback:
	free(spans);
	return -1;
}

int
taxii_envelope_scan(const char *p, size_t n, struct taxii_span **spans_out,
    size_t *n_out)
{
	return scan(p, n, spans_out, n_out, NULL);
}

int
taxii_envelope_info(const char *p, size_t n, struct taxii_envelope_meta *m)
{
	struct taxii_span *spans = NULL;
	size_t n_spans = 0;

	memset(m, 0, sizeof(*m));
	if (scan(p, n, &spans, &n_spans, m) != 0) {
		memset(m, 0, sizeof(*m));
		return -1;
	}
	free(spans);
	m->n_objects = n_spans;
	return 0;
}
