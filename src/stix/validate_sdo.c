/*
 * validate_sdo.c: property tables and cross-property rules of the STIX 2.1
 * domain objects (section 4), relationship objects (section 5) and the
 * meta objects language-content, marking-definition and
 * extension-definition (section 7).
 *
 * Open vocabularies are plain strings: the specification lets producers
 * use values outside them.  Only enumerations (opinion, extension types,
 * TLP levels) are restricted.
 */
#include <string.h>

#include "stix/pattern.h"
#include "stix/stix.h"
#include "stix/stix_int.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define P(n, t, f, a)	{ n, t, f, a, 0, 0, NULL }
#define REQ		STIX_PF_REQ

#define STR		STIX_PT_STRING
#define STRS		STIX_PT_STR_LIST
#define TS		STIX_PT_TS
#define KCPS		STIX_PT_KCP_LIST

/* The TLP 2.0 marking extension (OASIS cti-stix-common-objects). */
#define TLP2_EXT "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/* The TLP 1.0 marking definitions of STIX 2.1 section 7.2.1.4. */
static const struct {
	const char	*id;
	const char	*tlp;
} tlp1[] = {
	{ "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "white" },
	{ "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "green" },
	{ "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "amber" },
	{ "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "red" },
};

static const struct {
	const char	*id;
	const char	*tlp;
	const char	*name;
} tlp2[] = {
	{ STIX_TLP_CLEAR, "clear", "TLP:CLEAR" },
	{ STIX_TLP_GREEN, "green", "TLP:GREEN" },
	{ STIX_TLP_AMBER, "amber", "TLP:AMBER" },
	{ STIX_TLP_AMBER_STRICT, "amber+strict", "TLP:AMBER+STRICT" },
	{ STIX_TLP_RED, "red", "TLP:RED" },
};

static const json_t *
get(const struct stix_vctx *c, const char *name)
{
	return json_object_get(c->obj, name);
}

static enum err
seen_order(struct stix_vctx *c)
{
	return stix_ts_order(c, c->obj, "first_seen", "last_seen", 0);
}

/* Copy the type part of a validated identifier into buf. */
static const char *
ref_type(const json_t *ref, char *buf, size_t cap)
{
	const char *s = json_string_value(ref);
	size_t n = stix_id_type_len(s);

	if (n >= cap)
		n = cap - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

/* ---- SDOs ---- */

static const struct stix_prop attack_pattern_props[] = {
	P("aliases", STRS, 0, NULL),
	P("description", STR, 0, NULL),
	P("kill_chain_phases", KCPS, 0, NULL),
	P("name", STR, REQ, NULL),
};

static const struct stix_prop campaign_props[] = {
	P("aliases", STRS, 0, NULL),
	P("description", STR, 0, NULL),
	P("first_seen", TS, 0, NULL),
	P("last_seen", TS, 0, NULL),
	P("name", STR, REQ, NULL),
	P("objective", STR, 0, NULL),
};

static const struct stix_prop course_of_action_props[] = {
	P("description", STR, 0, NULL),
	P("name", STR, REQ, NULL),
};

static enum err
post_course_of_action(struct stix_vctx *c)
{
	/* "action" is RESERVED in STIX 2.1 and MUST NOT be present. */
	if (get(c, "action") != NULL)
		return stix_vfail(c, "action", "reserved in STIX 2.1");
	return ERR_OK;
}

static const struct stix_prop grouping_props[] = {
	P("context", STR, REQ, NULL),
	P("description", STR, 0, NULL),
	P("name", STR, 0, NULL),
	P("object_refs", STIX_PT_ID_LIST, REQ, NULL),
};

static const struct stix_prop identity_props[] = {
	P("contact_information", STR, 0, NULL),
	P("description", STR, 0, NULL),
	P("identity_class", STR, 0, NULL),
	P("name", STR, REQ, NULL),
	P("roles", STRS, 0, NULL),
	P("sectors", STRS, 0, NULL),
};

static const struct stix_prop incident_props[] = {
	P("description", STR, 0, NULL),
	P("kill_chain_phases", KCPS, 0, NULL),
	P("name", STR, REQ, NULL),
};

static const struct stix_prop indicator_props[] = {
	P("description", STR, 0, NULL),
	P("indicator_types", STRS, 0, NULL),
	P("kill_chain_phases", KCPS, 0, NULL),
	P("name", STR, 0, NULL),
	P("pattern", STR, REQ, NULL),
	P("pattern_type", STR, REQ, NULL),
	P("pattern_version", STR, 0, NULL),
	P("valid_from", TS, REQ, NULL),
	P("valid_until", TS, 0, NULL),
};

static enum err
post_indicator(struct stix_vctx *c)
{
	const json_t *pat = get(c, "pattern");
	char pr[192];
	enum err err;

	if ((err = stix_ts_order(c, c->obj, "valid_from", "valid_until",
	    1)) != ERR_OK)
		return err;
	if (strcmp(json_string_value(get(c, "pattern_type")), "stix") != 0)
		return ERR_OK;
	err = stix_pattern_check(json_string_value(pat),
	    json_string_length(pat), pr, sizeof(pr));
	if (err == ERR_OK)
		return ERR_OK;
	(void)stix_vfail(c, "pattern", "%s", pr);
	return err == ERR_TOOBIG || err == ERR_NOMEM ? err : ERR_INVALID;
}

static const struct stix_prop infrastructure_props[] = {
	P("aliases", STRS, 0, NULL),
	P("description", STR, 0, NULL),
	P("first_seen", TS, 0, NULL),
	P("infrastructure_types", STRS, 0, NULL),
	P("kill_chain_phases", KCPS, 0, NULL),
	P("last_seen", TS, 0, NULL),
	P("name", STR, REQ, NULL),
};

static const struct stix_prop intrusion_set_props[] = {
	P("aliases", STRS, 0, NULL),
	P("description", STR, 0, NULL),
	P("first_seen", TS, 0, NULL),
	P("goals", STRS, 0, NULL),
	P("last_seen", TS, 0, NULL),
	P("name", STR, REQ, NULL),
	P("primary_motivation", STR, 0, NULL),
	P("resource_level", STR, 0, NULL),
	P("secondary_motivations", STRS, 0, NULL),
};

static const struct stix_prop location_props[] = {
	P("administrative_area", STR, 0, NULL),
	P("city", STR, 0, NULL),
	P("country", STR, 0, NULL),
	P("description", STR, 0, NULL),
	{ "latitude", STIX_PT_NUM, STIX_PF_RANGE, NULL, -90, 90, NULL },
	{ "longitude", STIX_PT_NUM, STIX_PF_RANGE, NULL, -180, 180, NULL },
	P("name", STR, 0, NULL),
	P("postal_code", STR, 0, NULL),
	{ "precision", STIX_PT_NUM, STIX_PF_RANGE, NULL, 0, 1e300, NULL },
	P("region", STR, 0, NULL),
	P("street_address", STR, 0, NULL),
};

static enum err
post_location(struct stix_vctx *c)
{
	int lat = get(c, "latitude") != NULL;
	int lon = get(c, "longitude") != NULL;

	if (lat != lon)
		return stix_vfail(c, lat ? "longitude" : "latitude",
		    "'latitude' and 'longitude' go together");
	if (get(c, "precision") != NULL && !lat)
		return stix_vfail(c, "precision",
		    "needs 'latitude' and 'longitude'");
	if (!lat && get(c, "region") == NULL && get(c, "country") == NULL)
		return stix_vfail(c, NULL, "needs one of 'region', 'country' "
		    "or 'latitude' and 'longitude'");
	return ERR_OK;
}

static const struct stix_prop malware_props[] = {
	P("aliases", STRS, 0, NULL),
	P("architecture_execution_envs", STRS, 0, NULL),
	P("capabilities", STRS, 0, NULL),
	P("description", STR, 0, NULL),
	P("first_seen", TS, 0, NULL),
	P("implementation_languages", STRS, 0, NULL),
	P("is_family", STIX_PT_BOOL, REQ, NULL),
	P("kill_chain_phases", KCPS, 0, NULL),
	P("last_seen", TS, 0, NULL),
	P("malware_types", STRS, 0, NULL),
	P("name", STR, 0, NULL),
	P("operating_system_refs", STIX_PT_ID_LIST, 0, "software"),
	P("sample_refs", STIX_PT_ID_LIST, 0, "file|artifact"),
};

static enum err
post_malware(struct stix_vctx *c)
{
	if (json_is_true(get(c, "is_family")) && get(c, "name") == NULL)
		return stix_vfail(c, NULL, "missing required property 'name' "
		    "(malware families need a name)");
	return seen_order(c);
}

static const struct stix_prop malware_analysis_props[] = {
	P("analysis_definition_version", STR, 0, NULL),
	P("analysis_ended", TS, 0, NULL),
	P("analysis_engine_version", STR, 0, NULL),
	P("analysis_sco_refs", STIX_PT_ID_LIST, 0, NULL),
	P("analysis_started", TS, 0, NULL),
	P("configuration_version", STR, 0, NULL),
	P("host_vm_ref", STIX_PT_ID, 0, "software"),
	P("installed_software_refs", STIX_PT_ID_LIST, 0, "software"),
	P("modules", STRS, 0, NULL),
	P("operating_system_ref", STIX_PT_ID, 0, "software"),
	P("product", STR, REQ, NULL),
	P("result", STR, 0, NULL),
	P("result_name", STR, 0, NULL),
	P("sample_ref", STIX_PT_ID, 0, "file|network-traffic|artifact"),
	P("submitted", TS, 0, NULL),
	P("version", STR, 0, NULL),
};

static enum err
post_malware_analysis(struct stix_vctx *c)
{
	if (get(c, "result") == NULL && get(c, "analysis_sco_refs") == NULL)
		return stix_vfail(c, NULL, "needs 'result' or "
		    "'analysis_sco_refs'");
	return ERR_OK;
}

static const struct stix_prop note_props[] = {
	P("abstract", STR, 0, NULL),
	P("authors", STRS, 0, NULL),
	P("content", STR, REQ, NULL),
	P("object_refs", STIX_PT_ID_LIST, REQ, NULL),
};

static const struct stix_prop observed_data_props[] = {
	P("first_observed", TS, REQ, NULL),
	P("last_observed", TS, REQ, NULL),
	{ "number_observed", STIX_PT_INT, REQ | STIX_PF_RANGE, NULL, 1,
	    999999999, NULL },
	P("object_refs", STIX_PT_ID_LIST, 0, NULL),
	P("objects", STIX_PT_DICT, 0, NULL),
};

static enum err
post_observed_data(struct stix_vctx *c)
{
	const json_t *objs = get(c, "objects"), *o, *t;
	const char *key;
	enum err err;

	if ((err = stix_ts_order(c, c->obj, "first_observed",
	    "last_observed", 0)) != ERR_OK)
		return err;
	if ((objs == NULL) == (get(c, "object_refs") == NULL))
		return stix_vfail(c, NULL, "exactly one of 'objects' and "
		    "'object_refs' is required");
	/* Deprecated: a dictionary of embedded cyber-observable objects. */
	json_object_foreach((json_t *)objs, key, o) {
		(void)key;
		if (!json_is_object(o) || !json_is_string(t =
		    json_object_get(o, "type")))
			return stix_vfail(c, "objects", "each value must be "
			    "an object with a 'type'");
	}
	return ERR_OK;
}

static const struct stix_prop opinion_props[] = {
	P("authors", STRS, 0, NULL),
	P("explanation", STR, 0, NULL),
	P("object_refs", STIX_PT_ID_LIST, REQ, NULL),
	P("opinion", STIX_PT_ENUM, REQ,
	    "strongly-disagree|disagree|neutral|agree|strongly-agree"),
};

static const struct stix_prop report_props[] = {
	P("description", STR, 0, NULL),
	P("name", STR, REQ, NULL),
	P("object_refs", STIX_PT_ID_LIST, REQ, NULL),
	P("published", TS, REQ, NULL),
	P("report_types", STRS, 0, NULL),
};

static const struct stix_prop threat_actor_props[] = {
	P("aliases", STRS, 0, NULL),
	P("description", STR, 0, NULL),
	P("first_seen", TS, 0, NULL),
	P("goals", STRS, 0, NULL),
	P("last_seen", TS, 0, NULL),
	P("name", STR, REQ, NULL),
	P("personal_motivations", STRS, 0, NULL),
	P("primary_motivation", STR, 0, NULL),
	P("resource_level", STR, 0, NULL),
	P("roles", STRS, 0, NULL),
	P("secondary_motivations", STRS, 0, NULL),
	P("sophistication", STR, 0, NULL),
	P("threat_actor_types", STRS, 0, NULL),
};

static const struct stix_prop tool_props[] = {
	P("aliases", STRS, 0, NULL),
	P("description", STR, 0, NULL),
	P("kill_chain_phases", KCPS, 0, NULL),
	P("name", STR, REQ, NULL),
	P("tool_types", STRS, 0, NULL),
	P("tool_version", STR, 0, NULL),
};

static const struct stix_prop vulnerability_props[] = {
	P("description", STR, 0, NULL),
	P("name", STR, REQ, NULL),
};

/* ---- SROs ---- */

static const struct stix_prop relationship_props[] = {
	P("description", STR, 0, NULL),
	P("relationship_type", STR, REQ, NULL),
	P("source_ref", STIX_PT_ID, REQ, NULL),
	P("start_time", TS, 0, NULL),
	P("stop_time", TS, 0, NULL),
	P("target_ref", STIX_PT_ID, REQ, NULL),
};

/* Types a relationship may not point at (STIX 2.1 5.1). */
#define NOT_REL_ENDPOINT \
	"relationship|sighting|bundle|language-content|marking-definition"

static enum err
post_relationship(struct stix_vctx *c)
{
	const json_t *rt = get(c, "relationship_type");
	const char *s = json_string_value(rt), *ends[2] = { "source_ref",
	    "target_ref" };
	char buf[256];
	size_t i, n = json_string_length(rt);

	if (n == 0 || n > 250)
		return stix_vfail(c, "relationship_type",
		    "must be 1 to 250 characters");
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return stix_vfail(c, "relationship_type",
			    "may only contain a-z, 0-9 and '-'");
	for (i = 0; i < 2; i++) {
		ref_type(get(c, ends[i]), buf, sizeof(buf));
		if (stix_in_list(NOT_REL_ENDPOINT, buf, strlen(buf)))
			return stix_vfail(c, ends[i], "must refer to an SDO "
			    "or SCO, not a %s", buf);
	}
	return stix_ts_order(c, c->obj, "start_time", "stop_time", 1);
}

static const struct stix_prop sighting_props[] = {
	{ "count", STIX_PT_INT, STIX_PF_RANGE, NULL, 0, 999999999, NULL },
	P("description", STR, 0, NULL),
	P("first_seen", TS, 0, NULL),
	P("last_seen", TS, 0, NULL),
	P("observed_data_refs", STIX_PT_ID_LIST, 0, "observed-data"),
	P("sighting_of_ref", STIX_PT_ID, REQ, NULL),
	P("summary", STIX_PT_BOOL, 0, NULL),
	P("where_sighted_refs", STIX_PT_ID_LIST, 0, "identity|location"),
};

static enum err
post_sighting(struct stix_vctx *c)
{
	const struct stix_type *t;
	char buf[256];

	ref_type(get(c, "sighting_of_ref"), buf, sizeof(buf));
	t = stix_type_find(buf);
	if (stix_in_list(NOT_REL_ENDPOINT "|extension-definition", buf,
	    strlen(buf)) || (t != NULL && t->cls == STIX_CLS_SCO))
		return stix_vfail(c, "sighting_of_ref",
		    "must refer to an SDO, not a %s", buf);
	return seen_order(c);
}

/* ---- meta objects ---- */

static const struct stix_prop language_content_props[] = {
	P("contents", STIX_PT_DICT, REQ, NULL),
	P("object_modified", TS, 0, NULL),
	P("object_ref", STIX_PT_ID, REQ, NULL),
};

static enum err
post_language_content(struct stix_vctx *c)
{
	const json_t *x;
	const char *key;

	json_object_foreach((json_t *)get(c, "contents"), key, x) {
		if (!stix_lang_ok(key))
			return stix_vfail(c, "contents",
			    "keys must be language tags");
		if (!json_is_object(x) || json_object_size(x) == 0)
			return stix_vfail(c, "contents", "each language maps "
			    "to a non-empty object");
	}
	return ERR_OK;
}

static const struct stix_prop marking_definition_props[] = {
	P("definition", STIX_PT_OBJECT, 0, NULL),
	P("definition_type", STR, 0, NULL),
	P("name", STR, 0, NULL),
};

static enum err
post_marking_definition(struct stix_vctx *c)
{
	const json_t *exts = get(c, "extensions"), *dt, *def, *x, *gm, *tlp;
	const json_t *e2 = NULL, *name;
	const char *dts = NULL;
	size_t i, k1 = NELEM(tlp1), k2 = NELEM(tlp2);

	dt = get(c, "definition_type");
	def = get(c, "definition");
	if (exts == NULL && dt == NULL)
		return stix_vfail(c, NULL, "missing required property "
		    "'definition_type' (no 'extensions')");
	if (exts == NULL && def == NULL)
		return stix_vfail(c, NULL, "missing required property "
		    "'definition' (no 'extensions')");
	for (i = 0; i < NELEM(tlp1); i++)
		if (strcmp(c->id, tlp1[i].id) == 0)
			k1 = i;
	for (i = 0; i < NELEM(tlp2); i++)
		if (strcmp(c->id, tlp2[i].id) == 0)
			k2 = i;
	if (dt != NULL)
		dts = json_string_value(dt);
	if (dts != NULL && strcmp(dts, "statement") == 0) {
		if (def == NULL || !json_is_string(json_object_get(def,
		    "statement")))
			return stix_vfail(c, "definition", "a statement "
			    "marking needs a 'statement' string");
	} else if (dts != NULL && strcmp(dts, "tlp") == 0) {
		tlp = def != NULL ? json_object_get(def, "tlp") : NULL;
		if (!json_is_string(tlp) || !stix_in_list(
		    "white|green|amber|red", json_string_value(tlp),
		    json_string_length(tlp)))
			return stix_vfail(c, "definition", "'tlp' must be one "
			    "of white|green|amber|red");
		if (k1 == NELEM(tlp1) ||
		    strcmp(tlp1[k1].tlp, json_string_value(tlp)) != 0)
			return stix_vfail(c, "id", "TLP markings must use the "
			    "standard marking-definition of TLP:%s",
			    json_string_value(tlp));
	}
	if (k1 < NELEM(tlp1) && (dts == NULL || strcmp(dts, "tlp") != 0))
		return stix_vfail(c, "definition_type", "the standard TLP "
		    "marking-definition must have definition_type 'tlp'");
	if (exts != NULL)
		e2 = json_object_get(exts, TLP2_EXT);
	if (k2 < NELEM(tlp2)) {
		if (e2 == NULL)
			return stix_vfail(c, "extensions", "TLP 2.0 markings "
			    "need the TLP 2.0 extension");
		x = json_object_get(e2, "tlp_2_0");
		if (!json_is_string(x) ||
		    strcmp(json_string_value(x), tlp2[k2].tlp) != 0)
			return stix_vfail(c, "extensions", "'tlp_2_0' must be "
			    "'%s' for this marking-definition", tlp2[k2].tlp);
		name = get(c, "name");
		if (!json_is_string(name) ||
		    strcmp(json_string_value(name), tlp2[k2].name) != 0)
			return stix_vfail(c, "name", "must be '%s'",
			    tlp2[k2].name);
	} else if (e2 != NULL) {
		return stix_vfail(c, "extensions", "the TLP 2.0 extension is "
		    "only valid on the five standard TLP 2.0 markings");
	}
	/* A marking-definition must not mark itself. */
	json_array_foreach(get(c, "object_marking_refs"), i, x)
		if (strcmp(json_string_value(x), c->id) == 0)
			return stix_vfail(c, "object_marking_refs",
			    "must not refer to this marking-definition");
	json_array_foreach(get(c, "granular_markings"), i, gm) {
		x = json_object_get(gm, "marking_ref");
		if (x != NULL && strcmp(json_string_value(x), c->id) == 0)
			return stix_vfail(c, "granular_markings",
			    "must not refer to this marking-definition");
	}
	return ERR_OK;
}

static const struct stix_prop extension_definition_props[] = {
	P("description", STR, 0, NULL),
	P("extension_properties", STRS, 0, NULL),
	P("extension_types", STRS, REQ, NULL),
	P("name", STR, REQ, NULL),
	P("schema", STR, REQ, NULL),
	P("version", STR, REQ, NULL),
};

static enum err
post_extension_definition(struct stix_vctx *c)
{
	const json_t *x;
	int toplevel = 0;
	size_t i;

	json_array_foreach(get(c, "extension_types"), i, x) {
		if (!stix_in_list("new-sdo|new-sco|new-sro|property-extension|"
		    "toplevel-property-extension", json_string_value(x),
		    json_string_length(x)))
			return stix_vfail(c, "extension_types",
			    "unknown extension type");
		if (strcmp(json_string_value(x),
		    "toplevel-property-extension") == 0)
			toplevel = 1;
	}
	if (get(c, "extension_properties") != NULL && !toplevel)
		return stix_vfail(c, "extension_properties", "only allowed "
		    "with a toplevel-property-extension");
	return ERR_OK;
}

/* ---- the table, sorted by type name ---- */

#define T(n, cls, props, post) \
	{ n, cls, props, NELEM(props), post }

const struct stix_type stix_types_sdo[] = {
	T("attack-pattern", STIX_CLS_SDO, attack_pattern_props, NULL),
	T("campaign", STIX_CLS_SDO, campaign_props, seen_order),
	T("course-of-action", STIX_CLS_SDO, course_of_action_props,
	    post_course_of_action),
	T("extension-definition", STIX_CLS_EXTDEF,
	    extension_definition_props, post_extension_definition),
	T("grouping", STIX_CLS_SDO, grouping_props, NULL),
	T("identity", STIX_CLS_SDO, identity_props, NULL),
	T("incident", STIX_CLS_SDO, incident_props, NULL),
	T("indicator", STIX_CLS_SDO, indicator_props, post_indicator),
	T("infrastructure", STIX_CLS_SDO, infrastructure_props, seen_order),
	T("intrusion-set", STIX_CLS_SDO, intrusion_set_props, seen_order),
	T("language-content", STIX_CLS_LANG, language_content_props,
	    post_language_content),
	T("location", STIX_CLS_SDO, location_props, post_location),
	T("malware", STIX_CLS_SDO, malware_props, post_malware),
	T("malware-analysis", STIX_CLS_SDO, malware_analysis_props,
	    post_malware_analysis),
	T("marking-definition", STIX_CLS_MARKING, marking_definition_props,
	    post_marking_definition),
	T("note", STIX_CLS_SDO, note_props, NULL),
	T("observed-data", STIX_CLS_SDO, observed_data_props,
	    post_observed_data),
	T("opinion", STIX_CLS_SDO, opinion_props, NULL),
	T("relationship", STIX_CLS_SRO, relationship_props,
	    post_relationship),
	T("report", STIX_CLS_SDO, report_props, NULL),
	T("sighting", STIX_CLS_SRO, sighting_props, post_sighting),
	T("threat-actor", STIX_CLS_SDO, threat_actor_props, seen_order),
	T("tool", STIX_CLS_SDO, tool_props, NULL),
	T("vulnerability", STIX_CLS_SDO, vulnerability_props, NULL),
};

const size_t stix_n_types_sdo = NELEM(stix_types_sdo);
