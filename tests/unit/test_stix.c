#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "stix/stix.h"
#include "stix/stix_int.h"
#include "util/limits.h"

#define VALID_DIR	"tests/data/stix/valid"
#define ATTACK_DIR	"tests/data/attack"
/* How the server parses objects (see stix.h callers). */
#define JFLAGS		(JSON_DECODE_INT_AS_REAL | JSON_REJECT_DUPLICATES)

static const char *const valid_names[] = {
	"attack-pattern", "campaign", "course-of-action", "grouping",
	"identity", "incident", "indicator", "infrastructure",
	"intrusion-set", "location", "malware", "malware-analysis", "note",
	"observed-data", "opinion", "report", "threat-actor", "tool",
	"vulnerability", "relationship", "sighting", "language-content",
	"extension-definition", "marking-statement", "marking-tlp1-green",
	"marking-tlp2-amber-strict", "artifact", "autonomous-system",
	"directory", "domain-name", "email-addr", "email-message", "file",
	"ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic",
	"process", "software", "url", "user-account", "windows-registry-key",
	"x509-certificate", "custom-sdo", "custom-sco", "new-sdo-ext",
};

static json_t *
load_valid(const char *name, size_t flags)
{
	char path[256];
	json_error_t je;
	json_t *o;

	(void)snprintf(path, sizeof(path), "%s/%s.json", VALID_DIR, name);
	o = json_load_file(path, flags, &je);
	if (o == NULL)
		fail_msg("%s: %s", path, je.text);
	return o;
}

static void
test_tables_sorted(void **state)
{
	(void)state;
	assert_true(stix_int_tables_sorted());
}

static void
test_valid_objects(void **state)
{
	struct stix_info info;
	char reason[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(valid_names) / sizeof(valid_names[0]); i++) {
		json_t *o = load_valid(valid_names[i], JFLAGS);
		enum err e;

		assert_int_equal(stix_check_limits(o, reason, sizeof(reason)),
		    ERR_OK);
		e = stix_validate(o, &info, reason, sizeof(reason));
		if (e != ERR_OK)
			fail_msg("%s: %s", valid_names[i], reason);
		assert_string_equal(info.id,
		    json_string_value(json_object_get(o, "id")));
		assert_string_equal(info.type,
		    json_string_value(json_object_get(o, "type")));
		assert_string_equal(info.spec_version, "2.1");
		assert_true(strncmp(info.id, info.type,
		    strlen(info.type)) == 0);
		json_decref(o);
	}
}

static void
test_info_fields(void **state)
{
	struct stix_info info;
	char reason[256];
	json_t *o;

	(void)state;
	o = load_valid("indicator", JFLAGS);
	assert_int_equal(stix_validate(o, &info, reason, sizeof(reason)),
	    ERR_OK);
	assert_string_equal(info.created_by_ref,
	    "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff");
	/* 2016-04-06T20:03:48.000Z and 2016-05-12T08:17:27.000Z */
	assert_true(info.created == INT64_C(1459973028000000));
	assert_true(info.modified == INT64_C(1463041047000000));
	assert_int_equal(info.has_modified, 1);
	json_decref(o);

	/* A marking-definition has no modified: the version is created. */
	o = load_valid("marking-statement", JFLAGS);
	assert_int_equal(stix_validate(o, &info, reason, sizeof(reason)),
	    ERR_OK);
	assert_true(info.created == INT64_C(1484870400000000));
	assert_true(info.modified == info.created);
	assert_int_equal(info.has_modified, 0);
	assert_null(info.created_by_ref);
	json_decref(o);

	/* SCOs are unversioned; spec_version defaults to 2.1. */
	o = load_valid("custom-sco", JFLAGS);
	assert_int_equal(stix_validate(o, &info, reason, sizeof(reason)),
	    ERR_OK);
	assert_true(info.created == 0 && info.modified == 0);
	assert_int_equal(info.has_modified, 0);
	assert_string_equal(info.spec_version, "2.1");
	json_decref(o);

	/* Integers decoded as json_integer are accepted too. */
	o = load_valid("sighting", JSON_REJECT_DUPLICATES);
	assert_true(json_is_integer(json_object_get(o, "count")));
	assert_int_equal(stix_validate(o, &info, reason, sizeof(reason)),
	    ERR_OK);
	json_decref(o);
}

/*
 * Mutations of a valid object: delete del (if any), then set key (if any)
 * to the JSON text val, and expect err with a reason containing want.
 */
struct mutation {
	const char	*base;
	const char	*del;
	const char	*key;
	const char	*val;
	enum err	 err;
	const char	*want;
};

#define UUID	"8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define IDENT	"\"identity--" UUID "\""
#define MALW	"\"malware--" UUID "\""

static const struct mutation bad[] = {
	/* Common properties. */
	{ "indicator", "type", NULL, NULL, ERR_INVALID,
	    "missing required property 'type'" },
	{ "indicator", NULL, "type", "\"Indicator\"", ERR_INVALID,
	    "property 'type': not a valid type name" },
	{ "indicator", NULL, "type", "\"ab\"", ERR_INVALID,
	    "property 'type': not a valid type name" },
	{ "indicator", NULL, "type", "\"in--dicator\"", ERR_INVALID,
	    "property 'type': not a valid type name" },
	{ "indicator", NULL, "type", "\"indicator-\"", ERR_INVALID,
	    "property 'type': not a valid type name" },
	{ "indicator", NULL, "type", "7", ERR_INVALID,
	    "property 'type': not a valid type name" },
	{ "indicator", "id", NULL, NULL, ERR_INVALID,
	    "indicator: missing required property 'id'" },
	{ "indicator", NULL, "id", "\"indicator--1234\"", ERR_INVALID,
	    "indicator: property 'id': not a valid identifier" },
	{ "indicator", NULL, "id", MALW, ERR_INVALID,
	    "indicator: property 'id': type part does not match 'type'" },
	{ "indicator", "spec_version", NULL, NULL, ERR_INVALID,
	    "indicator: missing required property 'spec_version'" },
	{ "indicator", NULL, "spec_version", "\"2.0\"", ERR_INVALID,
	    "indicator: property 'spec_version': must be \"2.1\"" },
	{ "indicator", "created", NULL, NULL, ERR_INVALID,
	    "indicator: missing required property 'created'" },
	{ "indicator", "modified", NULL, NULL, ERR_INVALID,
	    "indicator: missing required property 'modified'" },
	{ "indicator", NULL, "created", "\"2016-04-06T20:03:48Z\"",
	    ERR_INVALID, "indicator: property 'created': needs at least "
	    "millisecond precision" },
	{ "indicator", NULL, "created", "\"2016-04-06 20:03:48.000Z\"",
	    ERR_INVALID, "indicator: property 'created': not a valid "
	    "timestamp" },
	{ "indicator", NULL, "modified", "\"2016-02-30T00:00:00.000Z\"",
	    ERR_INVALID, "indicator: property 'modified': not a valid "
	    "timestamp" },
	{ "indicator", NULL, "modified", "\"2016-01-01T00:00:00.000z\"",
	    ERR_INVALID, "indicator: property 'modified': not a valid "
	    "timestamp" },
	{ "indicator", NULL, "modified", "\"2016-01-01T00:00:00.000Z\"",
	    ERR_INVALID, "indicator: 'modified' is earlier than 'created'" },
	{ "indicator", NULL, "created_by_ref", MALW, ERR_INVALID,
	    "indicator: property 'created_by_ref': must refer to an object "
	    "of type identity" },
	{ "indicator", NULL, "revoked", "\"yes\"", ERR_INVALID,
	    "property 'revoked': expected a boolean" },
	{ "indicator", NULL, "labels", "[]", ERR_INVALID,
	    "property 'labels': expected a non-empty list" },
	{ "indicator", NULL, "labels", "[\"a\", 1]", ERR_INVALID,
	    "property 'labels[1]': expected a string" },
	{ "indicator", NULL, "confidence", "101", ERR_INVALID,
	    "property 'confidence': must be between 0 and 100" },
	{ "indicator", NULL, "confidence", "50.5", ERR_INVALID,
	    "property 'confidence': expected an integer" },
	{ "indicator", NULL, "lang", "\"en_US\"", ERR_INVALID,
	    "property 'lang': not a valid language tag" },
	{ "indicator", NULL, "external_references", "[{\"url\": \"x\"}]",
	    ERR_INVALID, "property 'external_references[0].source_name': "
	    "missing" },
	{ "indicator", NULL, "external_references",
	    "[{\"source_name\": \"x\"}]", ERR_INVALID,
	    "property 'external_references[0].source_name': needs one of" },
	{ "indicator", NULL, "external_references",
	    "[{\"source_name\": \"cve\", \"external_id\": \"CVE-16-1\"}]",
	    ERR_INVALID, "property 'external_references[0].external_id': "
	    "not a CVE identifier" },
	{ "indicator", NULL, "external_references",
	    "[{\"source_name\": \"capec\", \"external_id\": \"CAPEC-x\"}]",
	    ERR_INVALID, "property 'external_references[0].external_id': "
	    "not a CAPEC identifier" },
	{ "indicator", NULL, "external_references",
	    "[{\"source_name\": \"x\", \"url\": \"u\", \"hashes\": "
	    "{\"SHA-256\": \"abc\"}}]", ERR_INVALID,
	    "property 'external_references[0].hashes': invalid SHA-256 "
	    "value" },
	{ "indicator", NULL, "external_references",
	    "[{\"source_name\": \"x\", \"url\": \"u\", \"hashes\": "
	    "{\"a b\": \"abc\"}}]", ERR_INVALID,
	    "property 'external_references[0].hashes': invalid hash name" },
	{ "indicator", NULL, "object_marking_refs", "[" IDENT "]",
	    ERR_INVALID, "property 'object_marking_refs[0]': must refer to "
	    "an object of type marking-definition" },
	{ "indicator", NULL, "granular_markings",
	    "[{\"selectors\": [\"name\"]}]", ERR_INVALID,
	    "property 'granular_markings[0].marking_ref': exactly one of" },
	{ "indicator", NULL, "granular_markings",
	    "[{\"selectors\": [\"name\"], \"lang\": \"en\", \"marking_ref\": "
	    "\"marking-definition--" UUID "\"}]", ERR_INVALID,
	    "property 'granular_markings[0].marking_ref': exactly one of" },
	{ "indicator", NULL, "granular_markings",
	    "[{\"selectors\": [], \"lang\": \"en\"}]", ERR_INVALID,
	    "property 'granular_markings[0].selectors': expected a non-empty "
	    "list" },
	{ "indicator", NULL, "granular_markings",
	    "[{\"selectors\": [\"name\", \"nope\"], \"lang\": \"en\"}]",
	    ERR_INVALID, "property 'granular_markings[0].selectors': "
	    "selector 1 does not refer to content of the object" },
	{ "indicator", NULL, "granular_markings",
	    "[{\"selectors\": [\"kill_chain_phases.[3].phase_name\"], "
	    "\"lang\": \"en\"}]", ERR_INVALID,
	    "property 'granular_markings[0].selectors': selector 0" },
	{ "indicator", NULL, "extensions", "{}", ERR_INVALID,
	    "property 'extensions': expected a non-empty dictionary" },
	{ "indicator", NULL, "extensions",
	    "{\"extension-definition--bad\": {\"extension_type\": "
	    "\"new-sdo\"}}", ERR_INVALID, "property "
	    "'extensions.extension-definition--bad': not a valid "
	    "extension-definition identifier" },
	{ "indicator", NULL, "extensions",
	    "{\"extension-definition--" UUID "\": {\"extension_type\": "
	    "\"weird\"}}", ERR_INVALID, "invalid 'extension_type'" },
	{ "indicator", NULL, "extensions", "{\"x-acme\": 5}", ERR_INVALID,
	    "property 'extensions.x-acme': expected a non-empty object" },
	{ "indicator", NULL, "X_Bad", "1", ERR_INVALID,
	    "property 'X_Bad': invalid property name" },
	{ "indicator", NULL, "x-acme", "1", ERR_INVALID,
	    "property 'x-acme': invalid property name" },
	{ "indicator", NULL, "ab", "1", ERR_INVALID,
	    "property 'ab': invalid property name" },
	{ "indicator", NULL, "_abc", "1", ERR_INVALID,
	    "property '_abc': invalid property name" },
	{ "indicator", NULL, "bad\nname", "1", ERR_INVALID,
	    "property 'bad?name': invalid property name" },

	/* SDOs. */
	{ "attack-pattern", "name", NULL, NULL, ERR_INVALID,
	    "attack-pattern: missing required property 'name'" },
	{ "attack-pattern", NULL, "kill_chain_phases",
	    "[{\"kill_chain_name\": \"x\"}]", ERR_INVALID,
	    "property 'kill_chain_phases[0].phase_name': missing" },
	{ "campaign", "name", NULL, NULL, ERR_INVALID,
	    "missing required property 'name'" },
	{ "campaign", NULL, "last_seen", "\"2016-01-01T00:00:00Z\"",
	    ERR_INVALID, "property 'last_seen': is earlier than "
	    "'first_seen'" },
	{ "course-of-action", NULL, "action", "\"block\"", ERR_INVALID,
	    "course-of-action: property 'action': reserved" },
	{ "course-of-action", "name", NULL, NULL, ERR_INVALID,
	    "missing required property 'name'" },
	{ "grouping", "context", NULL, NULL, ERR_INVALID,
	    "grouping: missing required property 'context'" },
	{ "grouping", "object_refs", NULL, NULL, ERR_INVALID,
	    "grouping: missing required property 'object_refs'" },
	{ "grouping", NULL, "object_refs", "[\"nope\"]", ERR_INVALID,
	    "property 'object_refs[0]': not a valid identifier" },
	{ "identity", "name", NULL, NULL, ERR_INVALID,
	    "identity: missing required property 'name'" },
	{ "incident", "name", NULL, NULL, ERR_INVALID,
	    "incident: missing required property 'name'" },
	{ "indicator", "pattern", NULL, NULL, ERR_INVALID,
	    "indicator: missing required property 'pattern'" },
	{ "indicator", "pattern_type", NULL, NULL, ERR_INVALID,
	    "indicator: missing required property 'pattern_type'" },
	{ "indicator", "valid_from", NULL, NULL, ERR_INVALID,
	    "indicator: missing required property 'valid_from'" },
	{ "indicator", NULL, "valid_until", "\"2016-01-01T00:00:00Z\"",
	    ERR_INVALID, "indicator: property 'valid_until': must be later "
	    "than 'valid_from'" },
	{ "indicator", NULL, "pattern", "\"[file:name = 'x'\"", ERR_INVALID,
	    "indicator: property 'pattern': expected ']' at offset 16" },
	{ "indicator", NULL, "pattern", "\"[file:hashes.MD5 = 'x']\"",
	    ERR_INVALID, "indicator: property 'pattern': invalid MD5 hash "
	    "value at offset 19" },
	{ "indicator", NULL, "pattern", "17", ERR_INVALID,
	    "indicator: property 'pattern': expected a string" },
	{ "infrastructure", "name", NULL, NULL, ERR_INVALID,
	    "infrastructure: missing required property 'name'" },
	{ "intrusion-set", "name", NULL, NULL, ERR_INVALID,
	    "intrusion-set: missing required property 'name'" },
	{ "intrusion-set", NULL, "goals", "\"money\"", ERR_INVALID,
	    "property 'goals': expected a non-empty list" },
	{ "location", "longitude", NULL, NULL, ERR_INVALID,
	    "property 'longitude': 'latitude' and 'longitude' go together" },
	{ "location", NULL, "latitude", "91", ERR_INVALID,
	    "property 'latitude': must be between -90 and 90" },
	{ "location", NULL, "longitude", "\"98\"", ERR_INVALID,
	    "property 'longitude': expected a number" },
	{ "malware", "is_family", NULL, NULL, ERR_INVALID,
	    "malware: missing required property 'is_family'" },
	{ "malware", NULL, "sample_refs", "[\"indicator--" UUID "\"]",
	    ERR_INVALID, "property 'sample_refs[0]': must refer to an object "
	    "of type file|artifact" },
	{ "malware-analysis", "product", NULL, NULL, ERR_INVALID,
	    "malware-analysis: missing required property 'product'" },
	{ "note", "content", NULL, NULL, ERR_INVALID,
	    "note: missing required property 'content'" },
	{ "note", "object_refs", NULL, NULL, ERR_INVALID,
	    "note: missing required property 'object_refs'" },
	{ "observed-data", "first_observed", NULL, NULL, ERR_INVALID,
	    "missing required property 'first_observed'" },
	{ "observed-data", NULL, "number_observed", "0", ERR_INVALID,
	    "property 'number_observed': must be between 1 and 999999999" },
	{ "observed-data", NULL, "number_observed", "1000000000",
	    ERR_INVALID, "property 'number_observed': must be between" },
	{ "observed-data", NULL, "last_observed", "\"2015-01-01T00:00:00Z\"",
	    ERR_INVALID, "property 'last_observed': is earlier than "
	    "'first_observed'" },
	{ "observed-data", NULL, "objects",
	    "{\"0\": {\"type\": \"file\", \"name\": \"a\"}}", ERR_INVALID,
	    "exactly one of 'objects' and 'object_refs' is required" },
	{ "observed-data", "object_refs", NULL, NULL, ERR_INVALID,
	    "exactly one of 'objects' and 'object_refs' is required" },
	{ "opinion", NULL, "opinion", "\"maybe\"", ERR_INVALID,
	    "opinion: property 'opinion': must be one of" },
	{ "opinion", "object_refs", NULL, NULL, ERR_INVALID,
	    "opinion: missing required property 'object_refs'" },
	{ "report", "published", NULL, NULL, ERR_INVALID,
	    "report: missing required property 'published'" },
	{ "report", NULL, "published", "\"yesterday\"", ERR_INVALID,
	    "report: property 'published': not a valid timestamp" },
	{ "report", "name", NULL, NULL, ERR_INVALID,
	    "report: missing required property 'name'" },
	{ "threat-actor", "name", NULL, NULL, ERR_INVALID,
	    "threat-actor: missing required property 'name'" },
	{ "tool", "name", NULL, NULL, ERR_INVALID,
	    "tool: missing required property 'name'" },
	{ "vulnerability", "name", NULL, NULL, ERR_INVALID,
	    "vulnerability: missing required property 'name'" },

	/* SROs. */
	{ "relationship", "relationship_type", NULL, NULL, ERR_INVALID,
	    "relationship: missing required property 'relationship_type'" },
	{ "relationship", "source_ref", NULL, NULL, ERR_INVALID,
	    "relationship: missing required property 'source_ref'" },
	{ "relationship", "target_ref", NULL, NULL, ERR_INVALID,
	    "relationship: missing required property 'target_ref'" },
	{ "relationship", NULL, "relationship_type", "\"Indicates\"",
	    ERR_INVALID, "property 'relationship_type': may only contain" },
	{ "relationship", NULL, "source_ref",
	    "\"marking-definition--" UUID "\"", ERR_INVALID,
	    "property 'source_ref': must refer to an SDO or SCO" },
	{ "relationship", NULL, "stop_time", "\"2016-01-01T00:00:00Z\"",
	    ERR_INVALID, "property 'stop_time': must be later than "
	    "'start_time'" },
	{ "sighting", "sighting_of_ref", NULL, NULL, ERR_INVALID,
	    "sighting: missing required property 'sighting_of_ref'" },
	{ "sighting", NULL, "count", "1000000000", ERR_INVALID,
	    "property 'count': must be between 0 and 999999999" },
	{ "sighting", NULL, "count", "-1", ERR_INVALID,
	    "property 'count': must be between 0 and 999999999" },
	{ "sighting", NULL, "sighting_of_ref", "\"ipv4-addr--" UUID "\"",
	    ERR_INVALID, "property 'sighting_of_ref': must refer to an SDO" },
	{ "sighting", NULL, "where_sighted_refs", "[" MALW "]", ERR_INVALID,
	    "property 'where_sighted_refs[0]': must refer to an object of "
	    "type identity|location" },
	{ "sighting", NULL, "last_seen", "\"2015-01-01T00:00:00Z\"",
	    ERR_INVALID, "property 'last_seen': is earlier than "
	    "'first_seen'" },

	/* Meta objects. */
	{ "marking-statement", "definition", NULL, NULL, ERR_INVALID,
	    "marking-definition: missing required property 'definition'" },
	{ "marking-statement", "definition_type", NULL, NULL, ERR_INVALID,
	    "missing required property 'definition_type'" },
	{ "marking-statement", NULL, "definition", "{\"text\": \"x\"}",
	    ERR_INVALID, "property 'definition': a statement marking needs" },
	{ "marking-statement", "created", NULL, NULL, ERR_INVALID,
	    "marking-definition: missing required property 'created'" },
	{ "marking-statement", NULL, "object_marking_refs",
	    "[\"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e4777\"]",
	    ERR_INVALID, "property 'object_marking_refs': must not refer to "
	    "this marking-definition" },
	{ "marking-tlp1-green", NULL, "definition", "{\"tlp\": \"amber\"}",
	    ERR_INVALID, "property 'id': TLP markings must use the standard "
	    "marking-definition of TLP:amber" },
	{ "marking-tlp1-green", NULL, "definition", "{\"tlp\": \"pink\"}",
	    ERR_INVALID, "property 'definition': 'tlp' must be one of" },
	{ "marking-tlp1-green", NULL, "definition_type", "\"statement\"",
	    ERR_INVALID, "property 'definition': a statement marking needs" },
	{ "marking-tlp1-green", NULL, "id",
	    "\"marking-definition--" UUID "\"", ERR_INVALID,
	    "property 'id': TLP markings must use the standard" },
	{ "marking-tlp2-amber-strict", NULL, "name", "\"TLP:AMBER\"",
	    ERR_INVALID, "property 'name': must be 'TLP:AMBER+STRICT'" },
	{ "marking-tlp2-amber-strict", NULL, "extensions",
	    "{\"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d\":"
	    " {\"extension_type\": \"property-extension\", \"tlp_2_0\": "
	    "\"red\"}}", ERR_INVALID, "property 'extensions': 'tlp_2_0' must "
	    "be 'amber+strict'" },
	{ "marking-tlp2-amber-strict", "extensions", NULL, NULL, ERR_INVALID,
	    "missing required property 'definition_type'" },
	{ "marking-tlp2-amber-strict", NULL, "id",
	    "\"marking-definition--" UUID "\"", ERR_INVALID,
	    "property 'extensions': the TLP 2.0 extension is only valid" },
	{ "language-content", "object_ref", NULL, NULL, ERR_INVALID,
	    "language-content: missing required property 'object_ref'" },
	{ "language-content", "contents", NULL, NULL, ERR_INVALID,
	    "language-content: missing required property 'contents'" },
	{ "language-content", NULL, "contents", "{\"de\": \"x\"}",
	    ERR_INVALID, "property 'contents': each language maps" },
	{ "language-content", NULL, "contents", "{\"d e\": {\"a\": 1}}",
	    ERR_INVALID, "property 'contents': invalid dictionary key" },
	{ "extension-definition", "created_by_ref", NULL, NULL, ERR_INVALID,
	    "extension-definition: missing required property "
	    "'created_by_ref'" },
	{ "extension-definition", "schema", NULL, NULL, ERR_INVALID,
	    "extension-definition: missing required property 'schema'" },
	{ "extension-definition", NULL, "extension_types", "[\"bogus\"]",
	    ERR_INVALID, "property 'extension_types': unknown extension "
	    "type" },
	{ "extension-definition", NULL, "extension_properties", "[\"x\"]",
	    ERR_INVALID, "property 'extension_properties': only allowed with "
	    "a toplevel-property-extension" },

	/* SCOs. */
	{ "artifact", NULL, "url", "\"https://x.example/a\"", ERR_INVALID,
	    "exactly one of 'payload_bin' and 'url' is required" },
	{ "artifact", NULL, "payload_bin", "\"a*b=\"", ERR_INVALID,
	    "property 'payload_bin': not base64" },
	{ "artifact", "encryption_algorithm", NULL, NULL, ERR_INVALID,
	    "property 'decryption_key': needs 'encryption_algorithm'" },
	{ "artifact", NULL, "encryption_algorithm", "\"rot13\"", ERR_INVALID,
	    "property 'encryption_algorithm': must be one of" },
	{ "autonomous-system", NULL, "number", "\"15139\"", ERR_INVALID,
	    "autonomous-system: property 'number': expected an integer" },
	{ "autonomous-system", "number", NULL, NULL, ERR_INVALID,
	    "missing required property 'number'" },
	{ "directory", "path", NULL, NULL, ERR_INVALID,
	    "directory: missing required property 'path'" },
	{ "domain-name", "value", NULL, NULL, ERR_INVALID,
	    "domain-name: missing required property 'value'" },
	{ "domain-name", NULL, "value", "\"exa mple.com\"", ERR_INVALID,
	    "domain-name: property 'value': not a domain name" },
	{ "domain-name", NULL, "resolves_to_refs", "[" MALW "]", ERR_INVALID,
	    "property 'resolves_to_refs[0]': must refer to an object of "
	    "type" },
	{ "email-addr", NULL, "value", "\"nobody\"", ERR_INVALID,
	    "email-addr: property 'value': not an e-mail address" },
	{ "email-message", "is_multipart", NULL, NULL, ERR_INVALID,
	    "email-message: missing required property 'is_multipart'" },
	{ "email-message", NULL, "is_multipart", "false", ERR_INVALID,
	    "property 'body_multipart': not allowed when 'is_multipart' is "
	    "false" },
	{ "email-message", NULL, "body_multipart",
	    "[{\"content_type\": \"text/plain\"}]", ERR_INVALID,
	    "property 'body_multipart[0].body': a MIME part needs" },
	{ "file", "name", NULL, NULL, ERR_OK, NULL },
	{ "file", NULL, "size", "-1", ERR_INVALID,
	    "file: property 'size': must be between 0 and" },
	{ "file", NULL, "hashes", "{\"MD5\": \"zz\"}", ERR_INVALID,
	    "file: property 'hashes': invalid MD5 value" },
	{ "file", NULL, "magic_number_hex", "\"fff\"", ERR_INVALID,
	    "property 'magic_number_hex': not a hex string" },
	{ "file", NULL, "extensions",
	    "{\"windows-pebinary-ext\": {\"machine_hex\": \"014c\"}}",
	    ERR_INVALID, "property 'extensions.windows-pebinary-ext.pe_type': "
	    "missing" },
	{ "file", NULL, "extensions",
	    "{\"windows-pebinary-ext\": {\"pe_type\": \"exe\", \"sections\": "
	    "[{\"size\": 1}]}}", ERR_INVALID, "property "
	    "'extensions.windows-pebinary-ext.sections[0].name': missing" },
	{ "file", NULL, "extensions",
	    "{\"archive-ext\": {\"comment\": \"zip\"}}", ERR_INVALID,
	    "property 'extensions.archive-ext.contains_refs': missing" },
	{ "process", NULL, "extensions",
	    "{\"ntfs-ext\": {\"sid\": \"1\"}}", ERR_INVALID,
	    "property 'extensions.ntfs-ext': this extension applies to file "
	    "objects" },
	{ "ipv4-addr", NULL, "value", "\"300.1.1.1\"", ERR_INVALID,
	    "ipv4-addr: property 'value': not an IPv4 address or CIDR" },
	{ "ipv4-addr", NULL, "value", "\"1.2.3.4/33\"", ERR_INVALID,
	    "ipv4-addr: property 'value': not an IPv4 address or CIDR" },
	{ "ipv4-addr", NULL, "value", "\"1.2.3\"", ERR_INVALID,
	    "ipv4-addr: property 'value': not an IPv4 address or CIDR" },
	{ "ipv6-addr", NULL, "value", "\"2001:::1\"", ERR_INVALID,
	    "ipv6-addr: property 'value': not an IPv6 address or CIDR" },
	{ "ipv6-addr", NULL, "value", "\"::1/129\"", ERR_INVALID,
	    "ipv6-addr: property 'value': not an IPv6 address or CIDR" },
	{ "mac-addr", NULL, "value", "\"D2:FB:49:24:37:18\"", ERR_INVALID,
	    "mac-addr: property 'value': not a lower-case" },
	{ "mutex", "name", NULL, NULL, ERR_INVALID,
	    "mutex: missing required property 'name'" },
	{ "network-traffic", "protocols", NULL, NULL, ERR_INVALID,
	    "network-traffic: missing required property 'protocols'" },
	{ "network-traffic", NULL, "dst_port", "70000", ERR_INVALID,
	    "property 'dst_port': must be between 0 and 65535" },
	{ "network-traffic", NULL, "is_active", "true", ERR_INVALID,
	    "property 'end': not allowed when 'is_active' is true" },
	{ "network-traffic", NULL, "end", "\"2015-01-01T00:00:00Z\"",
	    ERR_INVALID, "property 'end': is earlier than 'start'" },
	{ "network-traffic", NULL, "extensions",
	    "{\"icmp-ext\": {\"icmp_type_hex\": \"08\"}}", ERR_INVALID,
	    "property 'extensions.icmp-ext.icmp_code_hex': missing" },
	{ "network-traffic", NULL, "extensions",
	    "{\"socket-ext\": {\"address_family\": \"AF_X\"}}", ERR_INVALID,
	    "property 'extensions.socket-ext.address_family': must be one "
	    "of" },
	{ "software", "name", NULL, NULL, ERR_INVALID,
	    "software: missing required property 'name'" },
	{ "url", NULL, "value", "\"not a url\"", ERR_INVALID,
	    "url: property 'value': not a URL" },
	{ "url", NULL, "value", "\"example.com/x\"", ERR_INVALID,
	    "url: property 'value': not a URL" },
	{ "windows-registry-key", NULL, "values",
	    "[{\"name\": \"a\", \"data_type\": \"REG_FOO\"}]", ERR_INVALID,
	    "property 'values[0].data_type': must be one of" },
	{ "x509-certificate", NULL, "validity_not_after",
	    "\"2015-01-01T00:00:00Z\"", ERR_INVALID,
	    "property 'validity_not_after': is earlier than "
	    "'validity_not_before'" },
	{ "x509-certificate", NULL, "x509_v3_extensions",
	    "{\"private_key_usage_period_not_after\": \"soon\"}", ERR_INVALID,
	    "property 'x509_v3_extensions.private_key_usage_period_not_after':"
	    " not a valid timestamp" },

	/* Custom content. */
	{ "custom-sdo", "modified", NULL, NULL, ERR_INVALID,
	    "x-acme-widget: missing required property 'modified'" },
	{ "custom-sdo", "spec_version", NULL, NULL, ERR_INVALID,
	    "x-acme-widget: missing required property 'spec_version'" },
	{ "custom-sdo", NULL, "created_by_ref", "\"nope\"", ERR_INVALID,
	    "property 'created_by_ref': not a valid identifier" },
	{ "custom-sco", NULL, "spec_version", "\"2.0\"", ERR_INVALID,
	    "x-usb-device: property 'spec_version': must be \"2.1\"" },
	{ "custom-sco", NULL, "x_Bad", "1", ERR_INVALID,
	    "property 'x_Bad': invalid property name" },
	{ "custom-sco", NULL, "created", "\"2016-04-06T20:03:48.000Z\"",
	    ERR_INVALID, "x-usb-device: missing required property "
	    "'spec_version'" },
	{ "custom-sco", NULL, "extensions", "{\"extension-definition--" UUID
	    "\": {\"extension_type\": \"new-sco\"}}", ERR_OK, NULL },
	{ "new-sdo-ext", "created", NULL, NULL, ERR_INVALID,
	    "my-favorite-sdo: missing required property 'created'" },

	/* Valid variants. */
	{ "domain-name", NULL, "defanged", "true", ERR_OK, NULL },
	{ "custom-sco", NULL, "any_value", "null", ERR_OK, NULL },
	{ "indicator", NULL, "pattern_type", "\"snort\"", ERR_OK, NULL },
	{ "indicator", NULL, "x_acme_nested", "{\"a\": [[], {}]}", ERR_OK,
	    NULL },
	{ "indicator", NULL, "created", "\"2016-04-06T20:03:48.123456789Z\"",
	    ERR_OK, NULL },
	{ "relationship", NULL, "relationship_type", "\"x-acme-custom-rel\"",
	    ERR_OK, NULL },
	{ "marking-statement", NULL, "modified", "\"2020-01-01T00:00:00Z\"",
	    ERR_OK, NULL },
	{ "process", "pid", NULL, NULL, ERR_OK, NULL },
};

static void
test_invalid_objects(void **state)
{
	struct stix_info info;
	char reason[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct mutation *m = &bad[i];
		json_t *o = load_valid(m->base, JFLAGS), *v;
		json_error_t je;
		enum err e;

		if (m->del != NULL)
			assert_int_equal(json_object_del(o, m->del), 0);
		if (m->key != NULL) {
			v = json_loads(m->val, JFLAGS | JSON_DECODE_ANY, &je);
			if (v == NULL)
				fail_msg("case %zu: bad JSON: %s", i, je.text);
			assert_int_equal(json_object_set_new(o, m->key, v), 0);
		}
		e = stix_validate(o, &info, reason, sizeof(reason));
		if (e != m->err || (m->want != NULL &&
		    strstr(reason, m->want) == NULL))
			fail_msg("case %zu (%s %s%s): got %d '%s', "
			    "want %d '%s'", i, m->base, m->del ? "-" : "+",
			    m->del ? m->del : m->key, e, reason, m->err,
			    m->want ? m->want : "");
		assert_null(strchr(reason, '\n'));
		json_decref(o);
	}
}

static void
test_process_needs_property(void **state)
{
	const char *s = "{\"type\": \"process\", \"id\": \"process--" UUID
	    "\", \"spec_version\": \"2.1\", \"defanged\": false}";
	struct stix_info info;
	char reason[256];
	json_t *o;

	(void)state;
	o = json_loads(s, JFLAGS, NULL);
	assert_non_null(o);
	assert_int_equal(stix_validate(o, &info, reason, sizeof(reason)),
	    ERR_INVALID);
	assert_string_equal(reason,
	    "process: needs at least one property of its own");
	json_decref(o);
	/* A bundle is not an object. */
	o = json_loads("{\"type\": \"bundle\", \"id\": \"bundle--" UUID
	    "\", \"objects\": []}", JFLAGS, NULL);
	assert_non_null(o);
	assert_int_equal(stix_validate(o, &info, reason, sizeof(reason)),
	    ERR_INVALID);
	assert_string_equal(reason,
	    "bundle: property 'type': a bundle is not a STIX object");
	json_decref(o);
	/* Not an object at all. */
	o = json_loads("[1]", JFLAGS, NULL);
	assert_int_equal(stix_validate(o, &info, reason, sizeof(reason)),
	    ERR_INVALID);
	assert_string_equal(reason, "object: not a JSON object");
	/* Tiny and absent reason buffers are safe. */
	assert_int_equal(stix_validate(o, &info, reason, 4), ERR_INVALID);
	assert_string_equal(reason, "obj");
	assert_int_equal(stix_validate(o, &info, NULL, 0), ERR_INVALID);
	json_decref(o);
}

static void
test_id_valid(void **state)
{
	char big[300];

	(void)state;
	assert_true(stix_id_valid("indicator--" UUID));
	assert_true(stix_id_valid("indicator--8E2E2D2B-17D4-4CBF-938F-"
	    "98EE46B3CD3F"));
	assert_true(stix_id_valid("x-mitre-tactic--" UUID));
	/* UUID version and variant are not checked (v1, v5, nil ...). */
	assert_true(stix_id_valid("file--00000000-0000-0000-0000-"
	    "000000000000"));
	assert_false(stix_id_valid(NULL));
	assert_false(stix_id_valid(""));
	assert_false(stix_id_valid("indicator-" UUID));
	assert_false(stix_id_valid("indicator--8e2e2d2b17d44cbf938f98ee46b3"
	    "cd3f"));
	assert_false(stix_id_valid("indicator--8e2e2d2b-17d4-4cbf-938f-"
	    "98ee46b3cd3g"));
	assert_false(stix_id_valid("Indicator--" UUID));
	assert_false(stix_id_valid("in--" UUID));
	assert_false(stix_id_valid("a--b--" UUID));
	assert_false(stix_id_valid("abc---" UUID));
	assert_false(stix_id_valid("1abc--" UUID));
	assert_false(stix_id_valid("indicator--" UUID "0"));
	assert_false(stix_id_valid("indicator--{" UUID "}"));
	/* Type names up to 250 characters. */
	memset(big, 'a', 250);
	(void)snprintf(big + 250, sizeof(big) - 250, "--%s", UUID);
	assert_true(stix_id_valid(big));
	memset(big, 'a', 251);
	(void)snprintf(big + 251, sizeof(big) - 251, "--%s", UUID);
	assert_false(stix_id_valid(big));
}

/* Build "[[[...1...]]]" n levels deep inside {"a": ...}. */
static json_t *
nested(size_t n)
{
	json_t *v = json_integer(1), *a;
	size_t i;

	for (i = 0; i < n; i++) {
		a = json_array();
		assert_int_equal(json_array_append_new(a, v), 0);
		v = a;
	}
	a = json_object();
	assert_int_equal(json_object_set_new(a, "a", v), 0);
	return a;
}

static void
test_limits(void **state)
{
	char reason[256], *s;
	json_t *o, *a;
	size_t i;

	(void)state;
	/* The object is level 1; 31 nested arrays reach level 32. */
	o = nested(LIM_JSON_DEPTH - 1);
	assert_int_equal(stix_check_limits(o, reason, sizeof(reason)),
	    ERR_OK);
	json_decref(o);
	o = nested(LIM_JSON_DEPTH);
	assert_int_equal(stix_check_limits(o, reason, sizeof(reason)),
	    ERR_TOOBIG);
	assert_string_equal(reason, "JSON nested deeper than 32 levels");
	json_decref(o);
	/* Deeper than jansson's own parser allows in one go: still fine. */
	o = nested(100000);
	assert_int_equal(stix_check_limits(o, reason, sizeof(reason)),
	    ERR_TOOBIG);
	json_decref(o);

	a = json_array();
	for (i = 0; i < LIM_JSON_ARRAY; i++)
		assert_int_equal(json_array_append_new(a, json_true()), 0);
	o = json_pack("{s:O}", "a", a);
	assert_int_equal(stix_check_limits(o, reason, sizeof(reason)),
	    ERR_OK);
	assert_int_equal(json_array_append_new(a, json_true()), 0);
	assert_int_equal(stix_check_limits(o, reason, sizeof(reason)),
	    ERR_TOOBIG);
	assert_string_equal(reason, "array with more than 10000 elements");
	json_decref(a);
	json_decref(o);

	o = json_object();
	for (i = 0; i <= LIM_JSON_MEMBERS; i++) {
		char k[16];

		(void)snprintf(k, sizeof(k), "k%zu", i);
		assert_int_equal(json_object_set_new(o, k, json_null()), 0);
	}
	assert_int_equal(stix_check_limits(o, reason, sizeof(reason)),
	    ERR_TOOBIG);
	assert_string_equal(reason, "object with more than 1000 members");
	assert_int_equal(json_object_del(o, "k0"), 0);
	assert_int_equal(stix_check_limits(o, reason, sizeof(reason)),
	    ERR_OK);
	json_decref(o);

	s = malloc(LIM_JSON_STRING + 2);
	assert_non_null(s);
	memset(s, 'x', LIM_JSON_STRING + 1);
	s[LIM_JSON_STRING + 1] = '\0';
	o = json_pack("{s:s}", "a", s);
	assert_int_equal(stix_check_limits(o, reason, sizeof(reason)),
	    ERR_TOOBIG);
	assert_string_equal(reason, "string longer than 262144 bytes");
	json_decref(o);
	o = json_pack("{s:n}", s, NULL);
	assert_int_equal(stix_check_limits(o, reason, sizeof(reason)),
	    ERR_TOOBIG);
	assert_string_equal(reason, "member name longer than 262144 bytes");
	json_decref(o);
	s[LIM_JSON_STRING] = '\0';
	o = json_pack("{s:s}", "a", s);
	assert_int_equal(stix_check_limits(o, reason, sizeof(reason)),
	    ERR_OK);
	json_decref(o);
	free(s);
}

/* Validate every object of an xz-compressed ATT&CK bundle. */
static void
check_bundle(const char *file, size_t min_objects)
{
	char cmd[512], reason[256];
	struct stix_info info;
	json_error_t je;
	json_t *b, *objs, *o;
	size_t i, failures = 0;
	FILE *f;

	(void)snprintf(cmd, sizeof(cmd), "xz -dc %s/%s", ATTACK_DIR, file);
	f = popen(cmd, "r");
	assert_non_null(f);
	b = json_loadf(f, JFLAGS, &je);
	assert_int_equal(pclose(f), 0);
	if (b == NULL)
		fail_msg("%s: %s", file, je.text);
	objs = json_object_get(b, "objects");
	assert_true(json_array_size(objs) >= min_objects);
	json_array_foreach(objs, i, o) {
		if (stix_check_limits(o, reason, sizeof(reason)) != ERR_OK ||
		    stix_validate(o, &info, reason, sizeof(reason)) !=
		    ERR_OK) {
			print_error("%s: object %zu: %s\n", file, i, reason);
			failures++;
			continue;
		}
		assert_string_equal(info.id,
		    json_string_value(json_object_get(o, "id")));
		assert_true(info.modified >= info.created);
	}
	assert_int_equal(failures, 0);
	json_decref(b);
}

static void
test_attack_ics_15(void **state)
{
	(void)state;
	check_bundle("ics-attack-15.0.json.xz", 1863);
}

static void
test_attack_ics_18(void **state)
{
	(void)state;
	check_bundle("ics-attack-18.1.json.xz", 1826);
}

/*
 * ATT&CK Mobile 13.1 and 14.1 carry one relationship whose modified is
 * before its created, which STIX 2.1 (3.2) forbids; it must be refused
 * with a reason that says so.
 */
static void
test_attack_modified_before_created(void **state)
{
	const char *s = "{\"id\": \"relationship--f825f5ea-3815-431f-b005-"
	    "4c01b8b2fed9\", \"created_by_ref\": \"identity--c78cb6e5-0c4b-"
	    "4611-8297-d1b8b55e40b5\", \"object_marking_refs\": "
	    "[\"marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168\"], "
	    "\"source_ref\": \"attack-pattern--0bcc4ec1-a897-49a9-a9ff-"
	    "c00df1d1209d\", \"relationship_type\": \"revoked-by\", "
	    "\"target_ref\": \"attack-pattern--2d646840-f6f5-4619-a5a8-"
	    "29c8316bbac5\", \"type\": \"relationship\", \"modified\": "
	    "\"2018-04-30T13:45:13.024Z\", \"created\": "
	    "\"2018-10-17T00:14:20.652Z\", \"spec_version\": \"2.1\", "
	    "\"x_mitre_attack_spec_version\": \"2.1.0\", \"x_mitre_domains\":"
	    " [\"mobile-attack\"], \"x_mitre_modified_by_ref\": \"identity--"
	    "c78cb6e5-0c4b-4611-8297-d1b8b55e40b5\", \"x_mitre_version\": "
	    "\"1.0\", \"x_mitre_deprecated\": true}";
	struct stix_info info;
	char reason[256];
	json_t *o;

	(void)state;
	o = json_loads(s, JFLAGS, NULL);
	assert_non_null(o);
	assert_int_equal(stix_validate(o, &info, reason, sizeof(reason)),
	    ERR_INVALID);
	assert_string_equal(reason,
	    "relationship: 'modified' is earlier than 'created'");
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_sorted),
		cmocka_unit_test(test_valid_objects),
		cmocka_unit_test(test_info_fields),
		cmocka_unit_test(test_invalid_objects),
		cmocka_unit_test(test_process_needs_property),
		cmocka_unit_test(test_id_valid),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_attack_ics_15),
		cmocka_unit_test(test_attack_ics_18),
		cmocka_unit_test(test_attack_modified_before_created),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
