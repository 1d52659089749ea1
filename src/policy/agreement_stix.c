/*
 * agreement_stix.c: agreements and terminations as STIX 2.1 objects.
 *
 * Both are new SDO types defined by extension definitions
 * (AGREEMENT_STIX_EXT, AGREEMENT_STIX_TERM_EXT; docs/agreements.md has
 * those objects).  Each version of an agreement is its own STIX object,
 * whose id is derived from the agreement id and version and whose times
 * are its valid_from, so every node turns the same document into the same
 * bytes.  Reading back is strict: the object must be exactly what this
 * file would write for the document it carries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/agreement.h"
#include "policy/agreement_int.h"
#include "util/timeutil.h"

/* Longest STIX id we make: "entente-termination--" and a UUID. */
#define STIX_ID_MAX	(21 + UUID_STRLEN)

static void
agreement_stix_id(const struct agreement *a, char out[STIX_ID_MAX + 1])
{
	char name[AGREEMENT_ID_LEN + 16];
	int n;

	n = snprintf(name, sizeof(name), "%s/%lu", a->id,
	    (unsigned long)a->version);
	memcpy(out, AGREEMENT_STIX_TYPE "--", 19);
	agreement_uuid5(name, (size_t)n, out + 19);
}

static void
termination_stix_id(const struct agreement_termination *t,
    char out[STIX_ID_MAX + 1])
{
	char name[AGREEMENT_ID_LEN + 16 + AGREEMENT_KEY_B64_LEN];
	char k[AGREEMENT_KEY_B64_LEN + 1];
	int n;

	agreement_key_b64(t->party, k);
	n = snprintf(name, sizeof(name), "%s/%lu/%s", t->agreement_id,
	    (unsigned long)t->version, k);
	memcpy(out, AGREEMENT_STIX_TERM_TYPE "--", 21);
	agreement_uuid5(name, (size_t)n, out + 21);
}

/* The common frame of both objects; doc is borrowed.  NULL on ERR_NOMEM. */
static json_t *
frame(const char *type, const char *id, int64_t time, const char *ext,
    const char *created_by, const char *member, json_t *doc)
{
	char ts[TS_BUFSZ];
	json_t *o;

	ts_format(time, ts);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s}}, s:O}",
	    "type", type, "spec_version", "2.1", "id", id, "created", ts,
	    "modified", ts, "extensions", ext, "extension_type", "new-sdo",
	    member, doc);
	if (o != NULL && created_by != NULL &&
	    json_object_set_new(o, "created_by_ref",
	    json_string(created_by)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

enum err
agreement_to_stix(const struct agreement *a, json_t **out)
{
	char id[STIX_ID_MAX + 1];
	json_t *doc;
	enum err err;

	*out = NULL;
	if ((err = agreement_to_json(a, &doc)) != ERR_OK)
		return err;
	agreement_stix_id(a, id);
	*out = frame(AGREEMENT_STIX_TYPE, id, a->valid_from,
	    AGREEMENT_STIX_EXT, NULL, "document", doc);
	json_decref(doc);
	return *out != NULL ? ERR_OK : ERR_NOMEM;
}

enum err
agreement_termination_to_stix(const struct agreement_termination *t,
    json_t **out)
{
	char id[STIX_ID_MAX + 1], who[AGREEMENT_IDENTITY_LEN + 1];
	json_t *doc;
	enum err err;

	*out = NULL;
	if ((err = agreement_termination_to_json(t, &doc)) != ERR_OK)
		return err;
	termination_stix_id(t, id);
	agreement_identity_id(t->party, who);
	*out = frame(AGREEMENT_STIX_TERM_TYPE, id, t->time,
	    AGREEMENT_STIX_TERM_EXT, who, "record", doc);
	json_decref(doc);
	return *out != NULL ? ERR_OK : ERR_NOMEM;
}

/*
 * Check obj's members against the frame: exactly names, type and
 * spec_version right, the inner member present.  Returns the number of
 * problems added to rep.
 */
static size_t
check_frame(const json_t *obj, const char *type, const char *const *names,
    const char *member, struct agreement_report *rep)
{
	char ex[AGREEMENT_EXCERPT_MAX + 4];
	const char *key;
	json_t *v;
	size_t n_bad = 0, i;

	json_object_foreach((json_t *)obj, key, v) {
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(key, names[i]) == 0)
				break;
		if (names[i] == NULL) {
			agreement_excerpt(ex, sizeof(ex), key, strlen(key));
			agreement_report_add(rep, "%s: unknown property", ex);
			n_bad++;
		}
	}
	v = json_object_get(obj, "type");
	if (!json_is_string(v) || strcmp(json_string_value(v), type) != 0) {
		agreement_report_add(rep, "type: must be \"%s\"", type);
		n_bad++;
	}
	v = json_object_get(obj, "spec_version");
	if (!json_is_string(v) || strcmp(json_string_value(v), "2.1") != 0) {
		agreement_report_add(rep, "spec_version: must be \"2.1\"");
		n_bad++;
	}
	if (json_object_get(obj, member) == NULL) {
		agreement_report_add(rep, "%s: missing", member);
		n_bad++;
	}
	return n_bad;
}

/* Compare obj with the object we would write (expect); count problems. */
static size_t
check_same(const json_t *obj, const json_t *expect,
    const char *const *names, struct agreement_report *rep)
{
	const json_t *v, *w;
	size_t n_bad = 0, i;

	for (i = 0; names[i] != NULL; i++) {
		v = json_object_get(obj, names[i]);
		w = json_object_get(expect, names[i]);
		if (v == NULL || w == NULL || !json_equal((json_t *)v,
		    (json_t *)w)) {
			agreement_report_add(rep, "%s: must be %s for the "
			    "document it carries", names[i],
			    json_is_string(w) ? json_string_value(w) :
			    "what agreement_to_stix writes");
			n_bad++;
		}
	}
	return n_bad;
}

enum err
agreement_from_stix(const json_t *obj, struct agreement **out,
    struct agreement_report *rep)
{
	static const char *const names[] = { "type", "spec_version", "id",
	    "created", "modified", "extensions", "document", NULL };
	static const char *const derived[] = { "id", "created", "modified",
	    "extensions", NULL };
	struct agreement *a = NULL;
	json_t *expect = NULL;
	size_t n_bad;
	enum err err;

	*out = NULL;
	if (!json_is_object(obj)) {
		agreement_report_add(rep, "not a JSON object");
		return ERR_PARSE;
	}
	n_bad = check_frame(obj, AGREEMENT_STIX_TYPE, names, "document", rep);
	if (n_bad > 0)
		return ERR_INVALID;
	err = agreement_from_json(json_object_get(obj, "document"), &a, rep);
	if (err != ERR_OK)
		return err == ERR_PARSE ? ERR_INVALID : err;
	if ((err = agreement_to_stix(a, &expect)) != ERR_OK)
		goto out;
	if (check_same(obj, expect, derived, rep) > 0)
		err = ERR_INVALID;
out:
	json_decref(expect);
	if (err != ERR_OK) {
		agreement_free(a);
		return err;
	}
	*out = a;
	return ERR_OK;
}

enum err
agreement_termination_from_stix(const json_t *obj,
    struct agreement_termination **out, struct agreement_report *rep)
{
	static const char *const names[] = { "type", "spec_version", "id",
	    "created", "modified", "created_by_ref", "extensions", "record",
	    NULL };
	static const char *const derived[] = { "id", "created", "modified",
	    "created_by_ref", "extensions", NULL };
	struct agreement_termination *t = NULL;
	json_t *expect = NULL;
	size_t n_bad;
	enum err err;

	*out = NULL;
	if (!json_is_object(obj)) {
		agreement_report_add(rep, "not a JSON object");
		return ERR_PARSE;
	}
	n_bad = check_frame(obj, AGREEMENT_STIX_TERM_TYPE, names, "record",
	    rep);
	if (n_bad > 0)
		return ERR_INVALID;
	err = agreement_termination_from_json(json_object_get(obj, "record"),
	    &t, rep);
	if (err != ERR_OK)
		return err == ERR_PARSE ? ERR_INVALID : err;
	if ((err = agreement_termination_to_stix(t, &expect)) != ERR_OK)
		goto out;
	if (check_same(obj, expect, derived, rep) > 0)
		err = ERR_INVALID;
out:
	json_decref(expect);
	if (err != ERR_OK) {
		agreement_termination_free(t);
		return err;
	}
	*out = t;
	return ERR_OK;
}
