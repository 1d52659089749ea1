/*
 * query.c: TAXII 2.1 query parameters (match[...], added_after, limit,
 * next), parsed into bounded arrays.  Every bad value is a 400 naming the
 * parameter; nothing here touches the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/stix.h"
#include "taxii/taxii.h"

struct pdef {
	const char	*key;
	unsigned	 bit;
};

static const struct pdef pdefs[] = {
	{ "match[id]", TAXII_P_ID },
	{ "match[type]", TAXII_P_TYPE },
	{ "match[version]", TAXII_P_VERSION },
	{ "match[spec_version]", TAXII_P_SPEC },
	{ "added_after", TAXII_P_AFTER },
	{ "limit", TAXII_P_LIMIT },
	{ "next", TAXII_P_NEXT },
};

static int
type_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 3 || n > LIM_STIX_TYPE)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

static int
spec_ok(const char *s)
{
	/* "2.1", "2.0", "3.0": digits, a dot, digits. */
	size_t i = 0, a = 0, b = 0;

	while (s[i] >= '0' && s[i] <= '9' && a < 4)
		i++, a++;
	if (a == 0 || s[i++] != '.')
		return 0;
	while (s[i] >= '0' && s[i] <= '9' && b < 4)
		i++, b++;
	return b > 0 && s[i] == '\0';
}

/*
 * Split the comma-separated value v into out[] (pointers into a copy made
 * at *mem, which advances).  ERR_PARSE on an empty item, ERR_TOOBIG past
 * LIM_MATCH_VALUES.
 */
static enum err
split_list(const char *v, char **mem, const char **out, size_t *n_out)
{
	char *p = *mem, *item;
	size_t len = strlen(v), n = 0;

	memcpy(p, v, len + 1);
	*mem = p + len + 1;
	item = p;
	for (size_t i = 0; i <= len; i++) {
		if (p[i] != ',' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (*item == '\0')
			return ERR_PARSE;
		if (n == LIM_MATCH_VALUES)
			return ERR_TOOBIG;
		out[n++] = item;
		item = p + i + 1;
	}
	*n_out = n;
	return ERR_OK;
}

static enum err
parse_limit(const char *v, size_t *out)
{
	size_t n = 0, i;

	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 9)
			return ERR_PARSE;
		n = n * 10 + (size_t)(v[i] - '0');
	}
	if (i == 0 || n == 0)
		return ERR_PARSE;
	*out = n > LIM_PAGE_MAX ? LIM_PAGE_MAX : n;
	return ERR_OK;
}

void
taxii_filter_free(struct taxii_filter *f)
{
	free(f->mem);
	f->mem = NULL;
}

enum err
taxii_filter_parse(const struct taxii_param *params, size_t n,
    unsigned allowed, struct taxii_filter *f, char *msg, size_t msg_cap)
{
	const char *vals[LIM_MATCH_VALUES];
	unsigned seen = 0;
	size_t total = 0, nv, qlen = 0;
	char *mem;
	enum err err;

	memset(f, 0, sizeof(*f));
	f->limit = LIM_PAGE_DEFAULT;
	f->spec_21 = 1;
	for (size_t i = 0; i < n; i++) {
		size_t vl = strlen(params[i].value);
		qlen += strlen(params[i].key) + vl + 2;
		if (qlen > LIM_QUERY_BYTES) {
			snprintf(msg, msg_cap, "query string longer than %u "
			    "bytes", LIM_QUERY_BYTES);
			return ERR_TOOBIG;
		}
		total += vl + 1;
	}
	if ((f->mem = malloc(total + 1)) == NULL) {
		snprintf(msg, msg_cap, "out of memory");
		return ERR_NOMEM;
	}
	mem = f->mem;

	for (size_t i = 0; i < n; i++) {
		const char *k = params[i].key, *v = params[i].value;
		unsigned bit = 0;

		for (size_t j = 0; j < sizeof(pdefs) / sizeof(pdefs[0]); j++)
			if (strcmp(k, pdefs[j].key) == 0)
				bit = pdefs[j].bit;
		if (bit == 0 || !(allowed & bit))
			continue;	/* unsupported filters are ignored */
		if (seen & bit) {
			snprintf(msg, msg_cap, "parameter '%s' given more than "
			    "once", k);
			return ERR_PARSE;
		}
		seen |= bit;
		switch (bit) {
		case TAXII_P_ID:
			err = split_list(v, &mem, f->ids, &f->n_ids);
			if (err != ERR_OK)
				goto bad_list;
			for (size_t j = 0; j < f->n_ids; j++)
				if (!stix_id_valid(f->ids[j])) {
					snprintf(msg, msg_cap, "match[id]: "
					    "'%.80s' is not a STIX identifier",
					    f->ids[j]);
					return ERR_PARSE;
				}
			break;
		case TAXII_P_TYPE:
			err = split_list(v, &mem, f->types, &f->n_types);
			if (err != ERR_OK)
				goto bad_list;
			for (size_t j = 0; j < f->n_types; j++)
				if (!type_name_ok(f->types[j])) {
					snprintf(msg, msg_cap, "match[type]: "
					    "'%.80s' is not a STIX type name",
					    f->types[j]);
					return ERR_PARSE;
				}
			break;
		case TAXII_P_VERSION:
			err = split_list(v, &mem, vals, &nv);
			if (err != ERR_OK)
				goto bad_list;
			for (size_t j = 0; j < nv; j++) {
				if (strcmp(vals[j], "first") == 0)
					f->ver_flags |= STORE_VER_FIRST;
				else if (strcmp(vals[j], "last") == 0)
					f->ver_flags |= STORE_VER_LAST;
				else if (strcmp(vals[j], "all") == 0)
					f->ver_flags |= STORE_VER_ALL;
				else if (ts_parse(vals[j], strlen(vals[j]),
				    &f->versions[f->n_versions], NULL) ==
				    ERR_OK)
					f->n_versions++;
				else {
					snprintf(msg, msg_cap,
					    "match[version]: '%.80s' is not "
					    "first, last, all or a timestamp",
					    vals[j]);
					return ERR_PARSE;
				}
			}
			break;
		case TAXII_P_SPEC:
			err = split_list(v, &mem, vals, &nv);
			if (err != ERR_OK)
				goto bad_list;
			f->spec_21 = 0;
			for (size_t j = 0; j < nv; j++) {
				if (!spec_ok(vals[j])) {
					snprintf(msg, msg_cap,
					    "match[spec_version]: '%.80s' is "
					    "not a version like 2.1", vals[j]);
					return ERR_PARSE;
				}
				if (strcmp(vals[j], "2.1") == 0)
					f->spec_21 = 1;
			}
			break;
		case TAXII_P_AFTER:
			if (ts_parse(v, strlen(v), &f->added_after, NULL) !=
			    ERR_OK) {
				snprintf(msg, msg_cap, "added_after: '%.80s' is "
				    "not a timestamp like "
				    "2026-01-01T00:00:00.000Z", v);
				return ERR_PARSE;
			}
			break;
		case TAXII_P_LIMIT:
			if (parse_limit(v, &f->limit) != ERR_OK) {
				snprintf(msg, msg_cap, "limit: '%.20s' is not a "
				    "positive integer", v);
				return ERR_PARSE;
			}
			break;
		case TAXII_P_NEXT:
			if (strlen(v) == 0 || strlen(v) > LIM_CURSOR_BYTES) {
				snprintf(msg, msg_cap, "next: not a cursor "
				    "issued by this server");
				return ERR_PARSE;
			}
			f->next = v;
			break;
		}
		continue;
bad_list:
		snprintf(msg, msg_cap, err == ERR_TOOBIG ? "%s: more than %u "
		    "values" : "%s: empty value in list", k, LIM_MATCH_VALUES);
		return ERR_PARSE;
	}
	return ERR_OK;
}
