/*
 * test_coop.c: the cooperation objects (coop/coop.c) and the lifecycle
 * ledger (coop/ledger.c).
 *
 * Objects: a build / parse round trip for each type, the documented
 * examples of tests/data/coop/, and every refusal reason of the parser.
 * Ledger: deadlines with calendar durations, every path of each state
 * machine, every refusal, the deadline instant on both sides,
 * out-of-order feeding, and a randomized comparison with a small model of
 * the state machines written here apart from the engine.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include "coop/coop.h"
#include "policy/agreement.h"
#include "stix/stix.h"
#include "util/timeutil.h"

#define COOP_DATA_DIR		"tests/data/coop"
#define AGREEMENT_EXAMPLE	"tests/data/agreements/example.json"

#define SEC	1000000LL
#define HOUR	(3600 * SEC)
#define DAY	(24 * HOUR)

/* The example agreement's id and its parties' identities
 * (docs/agreements.md, "Party identities"). */
#define AG_ID	"agreement--0f6c5a7e-3b9d-4e2a-9c1f-5d8e7b6a4c32"
#define NORTH	"identity--35e3b2cd-b669-54b6-a7fc-f54d5564cb64"
#define SOUTH	"identity--92936a52-16a3-5884-abd5-00cd11240f36"
#define ISAC	"identity--a0b3f40c-b58b-5a16-9e13-c7a9d60464ff"
#define OUTSIDER "identity--00000000-0000-4000-8000-000000000001"
#define OUTSIDER2 "identity--00000000-0000-4000-8000-000000000002"

static const char *const party_ids[3] = { NORTH, SOUTH, ISAC };

/* ---- helpers ---- */

static int64_t
ts(const char *s)
{
	int64_t us = 0;

	if (ts_parse(s, strlen(s), &us, NULL) != ERR_OK)
		fail_msg("bad timestamp %s", s);
	return us;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

static json_t *
load(const char *name)
{
	char path[256];
	json_error_t e;
	json_t *j;

	(void)snprintf(path, sizeof(path), "%s/%s", COOP_DATA_DIR, name);
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
	if (j == NULL)
		fail_msg("%s: %s", path, e.text);
	return j;
}

static struct agreement *
example_agreement(void)
{
	struct agreement_report rep;
	struct agreement *a = NULL;
	char *text;
	size_t len;

	text = slurp(AGREEMENT_EXAMPLE, &len);
	agreement_report_init(&rep);
	assert_int_equal(agreement_parse(text, len, &a, &rep), ERR_OK);
	free(text);
	return a;
}

/*
 * An agreement between the example's three parties with the given
 * assistance durations (ack NULL: no assistance clause), in force from
 * valid_from for five years.  CERT-North protects 192.0.2.0/24,
 * grid.north.example and energy; CERT-South 198.51.100.0/24.
 */
static struct agreement *
make_agreement(const char *ack, const char *answer, const char *valid_from)
{
	struct agreement_report rep;
	struct agreement *a = NULL;
	json_t *doc, *clauses;

	doc = json_pack("{s:s, s:i, s:s, s:[{s:s,s:s,s:s},{s:s,s:s,s:s},"
	    "{s:s,s:s,s:s}], s:s, s:s}",
	    "id", AG_ID, "version", 1, "title", "test",
	    "parties",
	    "name", "CERT-North", "key",
	    "6VwcH1emOaQ+JoKttlvVuKSrblJyQhC+aI+YvQgR6Qc=", "contact", "n",
	    "name", "CERT-South", "key",
	    "N3x1w8Z/91qpiW+Jha73AjGv9YNwdkqyv3D9GlUN89A=", "contact", "s",
	    "name", "Energy-ISAC", "key",
	    "Tj4JNUg/ymOpGTQaMpMHUObukSCPkQf+o5Jv7rdCbgI=", "contact", "i",
	    "valid_from", valid_from, "valid_until", "2031-01-01T00:00:00Z");
	assert_non_null(doc);
	clauses = json_pack("{s:[], s:[{s:s, s:[s], s:[s], s:[s], s:s},"
	    "{s:s, s:[s], s:s}]}", "share",
	    "protected",
	    "party", "CERT-North", "cidrs", "192.0.2.0/24", "domains",
	    "grid.north.example", "sectors", "energy", "pledge", "p",
	    "party", "CERT-South", "cidrs", "198.51.100.0/24", "pledge", "p");
	assert_non_null(clauses);
	if (ack != NULL)
		assert_int_equal(json_object_set_new(clauses, "assistance",
		    json_pack("{s:s, s:s}", "acknowledge_within", ack,
		    "answer_within", answer)), 0);
	assert_int_equal(json_object_set_new(doc, "clauses", clauses), 0);
	agreement_report_init(&rep);
	if (agreement_from_json(doc, &a, &rep) != ERR_OK)
		fail_msg("agreement: %s", rep.n > 0 ? rep.msg[0] : "?");
	json_decref(doc);
	return a;
}

/* A fresh id of type t, different for every call. */
static void
fresh_id(enum coop_type t, char out[COOP_ID_MAX + 1])
{
	static uint32_t counter;
	uint8_t rnd[16];

	memset(rnd, 0x5a, sizeof(rnd));
	counter++;
	rnd[12] = (uint8_t)(counter >> 24);
	rnd[13] = (uint8_t)(counter >> 16);
	rnd[14] = (uint8_t)(counter >> 8);
	rnd[15] = (uint8_t)counter;
	coop_id_make(t, rnd, out);
}

static json_t *
build(const struct coop_obj *o)
{
	struct agreement_report rep;
	json_t *j = NULL;

	agreement_report_init(&rep);
	if (coop_to_json(o, &j, &rep) != ERR_OK)
		fail_msg("build %s: %s", o->id, rep.n > 0 ? rep.msg[0] : "?");
	return j;
}

static const char *to_one[1];

/* An item of type t by `by` to `to` created at `created`; id in id. */
static json_t *
item(enum coop_type t, const char *by, const char *to, int64_t created,
    const char *window, char id[COOP_ID_MAX + 1])
{
	static const char *ev[] = {
	    "incident--7fac5691-e6a8-4afa-a32a-3b5cc78a6d5f" };
	static const char *infra[] = {
	    "infrastructure--d714f9cf-27f5-453f-84bf-4b4279f15f4f" };
	struct coop_obj o;
	const char *tos[1];

	memset(&o, 0, sizeof(o));
	o.type = t;
	fresh_id(t, o.id);
	memcpy(id, o.id, sizeof(o.id));
	o.created = created;
	memcpy(o.created_by, by, strlen(by) + 1);
	memcpy(o.agreement_id, AG_ID, sizeof(AG_ID));
	tos[0] = to;
	o.to.v = tos;
	o.to.n = 1;
	switch (t) {
	case COOP_NOTIFICATION:
		o.text = "an incident";
		o.severity = COOP_SEV_LOW;
		break;
	case COOP_REQUEST:
		o.kind = COOP_KIND_INFORMATION;
		o.text = "please tell us";
		break;
	case COOP_CONSULTATION:
		o.asset_type = COOP_ASSET_CIDR;
		o.asset = strcmp(by, NORTH) == 0 ? "192.0.2.0/24" :
		    "198.51.100.0/24";
		o.text = "we were attacked";
		o.evidence.v = ev;
		o.evidence.n = 1;
		o.attributed.v = infra;
		o.attributed.n = 1;
		break;
	case COOP_CHECK:
		o.answer_within = window;
		break;
	default:
		fail_msg("not an item type");
	}
	return build(&o);
}

/* A response by `by` to target, created at `created`. */
static json_t *
response(const char *by, const char *target, enum coop_action act,
    int64_t created, char id[COOP_ID_MAX + 1])
{
	struct coop_obj o;

	memset(&o, 0, sizeof(o));
	o.type = COOP_RESPONSE;
	fresh_id(COOP_RESPONSE, o.id);
	if (id != NULL)
		memcpy(id, o.id, sizeof(o.id));
	o.created = created;
	memcpy(o.created_by, by, strlen(by) + 1);
	memcpy(o.agreement_id, AG_ID, sizeof(AG_ID));
	memcpy(o.request_ref, target, strlen(target) + 1);
	o.action = act;
	if (act == COOP_ACT_DECLINE)
		o.reason = "not our jurisdiction";
	return build(&o);
}

/* Add j (taken) at `at`; expect err and code. */
static void
add_expect(struct coop_ledger *l, json_t *j, int64_t at, enum err err,
    enum coop_code code)
{
	struct agreement_report rep;
	struct coop_verdict v;
	enum err got;

	agreement_report_init(&rep);
	memset(&v, 0, sizeof(v));
	got = coop_ledger_add(l, j, at, &v, &rep);
	if (got != err || v.code != code)
		fail_msg("add: err %d (want %d), code %s (want %s): %s",
		    got, err, coop_code_name(v.code), coop_code_name(code),
		    v.reason);
	json_decref(j);
}

static struct coop_item
get_item(const struct coop_ledger *l, const char *id, int64_t now)
{
	struct coop_item it;

	if (coop_ledger_item(l, id, now, &it) != ERR_OK)
		fail_msg("item %s not found at %lld", id, (long long)now);
	return it;
}

/* ---- names ---- */

static void
test_names(void **state)
{
	char id[COOP_ID_MAX + 1];
	uint8_t rnd[16];

	(void)state;
	assert_string_equal(coop_type_name(COOP_CONSULTATION),
	    "entente-consultation");
	assert_null(coop_type_name(0));
	assert_null(coop_type_name(6));
	assert_string_equal(coop_type_ext(COOP_CHECK), COOP_EXT_CHECK);
	assert_string_equal(coop_action_name(COOP_ACT_CLOSE), "close");
	assert_null(coop_action_name(0));
	assert_string_equal(coop_kind_name(COOP_KIND_TAKEDOWN), "takedown");
	assert_string_equal(coop_severity_name(COOP_SEV_CRITICAL),
	    "critical");
	assert_string_equal(coop_asset_name(COOP_ASSET_SECTOR), "sector");
	assert_string_equal(coop_state_name(COOP_ST_MISSED), "missed");
	assert_null(coop_state_name(0));
	assert_string_equal(coop_code_name(COOP_CLOSED), "closed");
	assert_null(coop_code_name(COOP_CODE_COUNT_));
	memset(rnd, 0xff, sizeof(rnd));
	coop_id_make(COOP_CHECK, rnd, id);
	assert_string_equal(id,
	    "entente-check--ffffffff-ffff-4fff-bfff-ffffffffffff");
	assert_int_equal(coop_type_of_id(id), COOP_CHECK);
	assert_int_equal(coop_type_of_id("entente-checkx--1"), 0);
	assert_int_equal(coop_type_of_id("indicator--x"), 0);
	coop_id_make(0, rnd, id);
	assert_string_equal(id, "");
}

/* ---- objects ---- */

static void
same_list(const struct coop_list *a, const struct coop_list *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++)
		assert_string_equal(a->v[i], b->v[i]);
}

static void
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_true(a == b);
	else
		assert_string_equal(a, b);
}

static void
same_obj(const struct coop_obj *a, const struct coop_obj *b)
{
	assert_int_equal(a->type, b->type);
	assert_string_equal(a->id, b->id);
	assert_true(a->created == b->created);
	assert_string_equal(a->created_by, b->created_by);
	assert_string_equal(a->agreement_id, b->agreement_id);
	same_list(&a->to, &b->to);
	same_str(a->text, b->text);
	assert_int_equal(a->severity, b->severity);
	assert_int_equal(a->kind, b->kind);
	same_list(&a->evidence, &b->evidence);
	same_list(&a->attributed, &b->attributed);
	assert_int_equal(a->asset_type, b->asset_type);
	same_str(a->asset, b->asset);
	assert_string_equal(a->request_ref, b->request_ref);
	assert_int_equal(a->action, b->action);
	same_str(a->reason, b->reason);
	same_str(a->answer_within, b->answer_within);
	assert_memory_equal(&a->window, &b->window, sizeof(a->window));
	same_list(&a->markings, &b->markings);
}

/* Build o, check it is valid STIX, parse it back, build that again. */
static void
roundtrip(const struct coop_obj *o, const char *const *props)
{
	struct agreement_report rep;
	struct coop_obj *p = NULL;
	struct stix_info info;
	char reason[256];
	json_t *j, *j2 = NULL;
	const char *key;
	json_t *v;
	size_t i, n = 0;

	j = build(o);
	if (stix_validate(j, &info, reason, sizeof(reason)) != ERR_OK)
		fail_msg("stix_validate: %s", reason);
	assert_string_equal(info.id, o->id);
	assert_string_equal(info.created_by_ref, o->created_by);
	assert_true(info.created == o->created);
	assert_true(info.modified == o->created);
	/* Exactly the properties listed, in that order. */
	json_object_foreach(j, key, v) {
		assert_non_null(props[n]);
		assert_string_equal(key, props[n]);
		n++;
	}
	assert_null(props[n]);
	agreement_report_init(&rep);
	assert_int_equal(coop_from_json(j, &p, &rep), ERR_OK);
	assert_int_equal(rep.n, 0);
	same_obj(o, p);
	assert_int_equal(coop_to_json(p, &j2, &rep), ERR_OK);
	assert_true(json_equal(j, j2));
	for (i = 0; props[i] != NULL; i++)
		assert_non_null(json_object_get(j2, props[i]));
	coop_free(p);
	json_decref(j);
	json_decref(j2);
}

static void
test_roundtrip(void **state)
{
	static const char *ev[] = {
	    "incident--7fac5691-e6a8-4afa-a32a-3b5cc78a6d5f",
	    "observed-data--46acafb8-beaa-4c7e-b2cb-b489e9a59561",
	    "indicator--24ee668c-880e-40e5-a371-66f5871a3fbf",
	    "sighting--820c95d4-6ece-4f8a-b4fc-06467b7ee6e7" };
	static const char *infra[] = {
	    "infrastructure--d714f9cf-27f5-453f-84bf-4b4279f15f4f",
	    "infrastructure--e714f9cf-27f5-453f-84bf-4b4279f15f4f" };
	static const char *tlp[] = { STIX_TLP_AMBER };
	static const char *tos[] = { SOUTH, ISAC };
	static const char *const n_props[] = { "type", "spec_version", "id",
	    "created", "modified", "created_by_ref", "agreement_id",
	    "to_refs", "description", "severity", "evidence_refs",
	    "object_marking_refs", "extensions", NULL };
	static const char *const r_props[] = { "type", "spec_version", "id",
	    "created", "modified", "created_by_ref", "agreement_id", "to_ref",
	    "kind", "text", "extensions", NULL };
	static const char *const s_props[] = { "type", "spec_version", "id",
	    "created", "modified", "created_by_ref", "agreement_id",
	    "request_ref", "action", "text", "reason", "extensions", NULL };
	static const char *const c_props[] = { "type", "spec_version", "id",
	    "created", "modified", "created_by_ref", "agreement_id", "to_ref",
	    "asset_type", "asset", "description", "evidence_refs",
	    "attributed_refs", "extensions", NULL };
	static const char *const k_props[] = { "type", "spec_version", "id",
	    "created", "modified", "created_by_ref", "agreement_id", "to_ref",
	    "answer_within", "extensions", NULL };
	struct coop_obj o;
	char req[COOP_ID_MAX + 1];

	(void)state;
	memset(&o, 0, sizeof(o));
	o.type = COOP_NOTIFICATION;
	fresh_id(o.type, o.id);
	o.created = ts("2026-03-02T08:00:00.123456Z");
	memcpy(o.created_by, NORTH, sizeof(NORTH));
	memcpy(o.agreement_id, AG_ID, sizeof(AG_ID));
	o.to.v = tos;
	o.to.n = 2;
	o.text = "line one\n\tline two, UTF-8: \xc3\xa9t\xc3\xa9";
	o.severity = COOP_SEV_CRITICAL;
	o.evidence.v = ev;
	o.evidence.n = 4;
	o.markings.v = tlp;
	o.markings.n = 1;
	roundtrip(&o, n_props);

	memset(&o, 0, sizeof(o));
	o.type = COOP_REQUEST;
	fresh_id(o.type, o.id);
	memcpy(req, o.id, sizeof(req));
	o.created = ts("2026-03-02T09:00:00Z");
	memcpy(o.created_by, NORTH, sizeof(NORTH));
	memcpy(o.agreement_id, AG_ID, sizeof(AG_ID));
	o.to.v = tos;
	o.to.n = 1;
	o.kind = COOP_KIND_INVESTIGATION;
	o.text = "investigate";
	roundtrip(&o, r_props);

	memset(&o, 0, sizeof(o));
	o.type = COOP_RESPONSE;
	fresh_id(o.type, o.id);
	o.created = ts("2026-03-02T10:00:00Z");
	memcpy(o.created_by, SOUTH, sizeof(SOUTH));
	memcpy(o.agreement_id, AG_ID, sizeof(AG_ID));
	memcpy(o.request_ref, req, sizeof(req));
	o.action = COOP_ACT_DECLINE;
	o.text = "sorry";
	o.reason = "outside our jurisdiction";
	roundtrip(&o, s_props);

	memset(&o, 0, sizeof(o));
	o.type = COOP_CONSULTATION;
	fresh_id(o.type, o.id);
	o.created = ts("2026-03-05T10:00:00Z");
	memcpy(o.created_by, NORTH, sizeof(NORTH));
	memcpy(o.agreement_id, AG_ID, sizeof(AG_ID));
	o.to.v = tos;
	o.to.n = 1;
	o.asset_type = COOP_ASSET_DOMAIN;
	o.asset = "grid.north.example";
	o.text = "attacked";
	o.evidence.v = ev;
	o.evidence.n = 4;
	o.attributed.v = infra;
	o.attributed.n = 2;
	roundtrip(&o, c_props);

	memset(&o, 0, sizeof(o));
	o.type = COOP_CHECK;
	fresh_id(o.type, o.id);
	o.created = ts("2026-03-10T06:00:00Z");
	memcpy(o.created_by, ISAC, sizeof(ISAC));
	memcpy(o.agreement_id, AG_ID, sizeof(AG_ID));
	o.to.v = tos;
	o.to.n = 1;
	o.answer_within = "P1DT12H";
	assert_int_equal(agreement_duration_parse("P1DT12H", 7, &o.window),
	    ERR_OK);
	roundtrip(&o, k_props);
}

static const char *const example_files[] = { "notification.json",
    "request.json", "response-acknowledge.json", "response-answer.json",
    "request-takedown.json", "response-decline.json", "consultation.json",
    "response-respond.json", "response-close.json", "check.json",
    "response-check.json", NULL };

static void
test_examples(void **state)
{
	static const char *const exts[] = { COOP_EXT_NOTIFICATION,
	    COOP_EXT_REQUEST, COOP_EXT_RESPONSE, COOP_EXT_CONSULTATION,
	    COOP_EXT_CHECK };
	struct agreement_report rep;
	struct coop_obj *o = NULL, *p = NULL;
	struct stix_info info;
	char reason[256], *text;
	json_t *j, *back, *v;
	size_t i, len;

	(void)state;
	for (i = 0; example_files[i] != NULL; i++) {
		j = load(example_files[i]);
		if (stix_validate(j, &info, reason, sizeof(reason)) != ERR_OK)
			fail_msg("%s: %s", example_files[i], reason);
		agreement_report_init(&rep);
		if (coop_from_json(j, &o, &rep) != ERR_OK)
			fail_msg("%s: %s", example_files[i], rep.msg[0]);
		/* Built again, the example comes back as it is written. */
		assert_int_equal(coop_to_json(o, &back, &rep), ERR_OK);
		assert_true(json_equal(j, back));
		json_decref(back);
		coop_free(o);
		json_decref(j);
	}
	/* And through the text parser. */
	text = slurp(COOP_DATA_DIR "/consultation.json", &len);
	assert_int_equal(coop_parse(text, len, &p, NULL), ERR_OK);
	assert_string_equal(p->asset, "192.0.2.0/24");
	assert_int_equal(p->evidence.n, 3);
	coop_free(p);
	free(text);
	/* The extension definitions are valid STIX and carry our ids. */
	j = load("extension-definitions.json");
	assert_int_equal(json_array_size(j), 6);
	json_array_foreach(j, i, v) {
		if (stix_validate(v, &info, reason, sizeof(reason)) != ERR_OK)
			fail_msg("extension definition %zu: %s", i, reason);
		if (i > 0)
			assert_string_equal(json_string_value(
			    json_object_get(v, "id")), exts[i - 1]);
	}
	json_decref(j);
}

/*
 * One refusal: in the example file, set prop to the JSON value (NULL:
 * delete it); the parser must refuse and name `expect` among its lines.
 */
struct refusal {
	const char	*file;
	const char	*prop;
	const char	*value;
	const char	*expect;
};

static const struct refusal refusals[] = {
	/* Common properties. */
	{ "request.json", "type", NULL, "type: missing" },
	{ "request.json", "type", "\"entente-foo\"", "type: must be "
	    "entente-notification, entente-request, entente-response, "
	    "entente-consultation or entente-check" },
	{ "request.json", "type", "7", "type: must be "
	    "entente-notification, entente-request, entente-response, "
	    "entente-consultation or entente-check" },
	{ "request.json", "labels", "[\"x\"]", "labels: unknown property" },
	{ "request.json", "description", "\"x\"",
	    "description: unknown property" },
	{ "request.json", "spec_version", NULL, "spec_version: missing" },
	{ "request.json", "spec_version", "\"2.0\"",
	    "spec_version: must be \"2.1\"" },
	{ "request.json", "id", NULL, "id: missing" },
	{ "request.json", "id",
	    "\"entente-check--60cc7265-90a2-470b-8d13-2d5da4226bbb\"",
	    "id: must be entente-request-- and a lower-case version 4 UUID" },
	{ "request.json", "id",
	    "\"entente-request--60CC7265-90a2-470b-8d13-2d5da4226bbb\"",
	    "id: must be entente-request-- and a lower-case version 4 UUID" },
	{ "request.json", "id",
	    "\"entente-request--60cc7265-90a2-170b-8d13-2d5da4226bbb\"",
	    "id: must be entente-request-- and a lower-case version 4 UUID" },
	{ "request.json", "id",
	    "\"entente-request--60cc7265-90a2-470b-cd13-2d5da4226bbb\"",
	    "id: must be entente-request-- and a lower-case version 4 UUID" },
	{ "request.json", "id", "1", "id: must be a string" },
	{ "request.json", "created", NULL, "created: missing" },
	{ "request.json", "created", "\"yesterday\"",
	    "created: not an RFC 3339 UTC timestamp" },
	{ "request.json", "created", "\"2026-03-02T09:00:00Z\"",
	    "created: needs at least millisecond precision" },
	{ "request.json", "modified", NULL, "modified: missing" },
	{ "request.json", "modified", "\"2026-03-02T09:00:00.001Z\"",
	    "modified: must equal created (a cooperation object has one "
	    "version)" },
	{ "request.json", "created_by_ref", NULL, "created_by_ref: missing" },
	{ "request.json", "created_by_ref",
	    "\"identity--35E3B2CD-b669-54b6-a7fc-f54d5564cb64\"",
	    "created_by_ref: must be identity-- and a lower-case UUID" },
	{ "request.json", "created_by_ref",
	    "\"indicator--35e3b2cd-b669-54b6-a7fc-f54d5564cb64\"",
	    "created_by_ref: must be identity-- and a lower-case UUID" },
	{ "request.json", "agreement_id", NULL, "agreement_id: missing" },
	{ "request.json", "agreement_id",
	    "\"entente-agreement--0f6c5a7e-3b9d-4e2a-9c1f-5d8e7b6a4c32\"",
	    "agreement_id: must be agreement-- and a lower-case UUID" },
	{ "request.json", "extensions", NULL, "extensions: missing" },
	{ "request.json", "extensions", "{\"extension-definition--"
	    "d4af120b-9eb1-426f-8e73-e17ff4d10464\": {\"extension_type\": "
	    "\"new-sdo\", \"x\": 1}}", "extensions: must be exactly "
	    "{\"extension-definition--d4af120b-9eb1-426f-8e73-e17ff4d10464\": "
	    "{\"extension_type\": \"new-sdo\"}}" },
	{ "request.json", "extensions", "{\"extension-definition--"
	    "02ad090d-087c-4377-97bc-f94fb7967fda\": {\"extension_type\": "
	    "\"new-sdo\"}}", "extensions: must be exactly "
	    "{\"extension-definition--d4af120b-9eb1-426f-8e73-e17ff4d10464\": "
	    "{\"extension_type\": \"new-sdo\"}}" },
	{ "request.json", "extensions", "{\"extension-definition--"
	    "d4af120b-9eb1-426f-8e73-e17ff4d10464\": {\"extension_type\": "
	    "\"new-sco\"}}", "extensions: must be exactly "
	    "{\"extension-definition--d4af120b-9eb1-426f-8e73-e17ff4d10464\": "
	    "{\"extension_type\": \"new-sdo\"}}" },
	{ "request.json", "object_marking_refs", "[]",
	    "object_marking_refs: must have at least 1 item" },
	{ "request.json", "object_marking_refs",
	    "[\"indicator--24ee668c-880e-40e5-a371-66f5871a3fbf\"]",
	    "object_marking_refs[0]: \"indicator--24ee668c-880e-40e5-a371-"
	    "66f5871a3fbf\" must be a marking-definition" },
	{ "request.json", "object_marking_refs", "{}",
	    "object_marking_refs: must be an array" },
	/* Notification. */
	{ "notification.json", "to_refs", NULL, "to_refs: missing" },
	{ "notification.json", "to_refs", "[]",
	    "to_refs: must have at least 1 item" },
	{ "notification.json", "to_refs", "\"" SOUTH "\"",
	    "to_refs: must be an array" },
	{ "notification.json", "to_refs", "[\"" SOUTH "\", \"" SOUTH "\"]",
	    "to_refs[1]: duplicate of to_refs[0]" },
	{ "notification.json", "to_refs", "[\"" NORTH "\"]",
	    "to_refs[0]: \"" NORTH "\" must not be the author "
	    "(created_by_ref)" },
	{ "notification.json", "to_refs", "[3]",
	    "to_refs[0]: must be a string" },
	{ "notification.json", "description", NULL, "description: missing" },
	{ "notification.json", "description", "\"\"",
	    "description: must not be empty" },
	{ "notification.json", "description", "\"a\\u0007b\"",
	    "description: contains a control character" },
	{ "notification.json", "description", "\"a\\u0000b\"",
	    "description: contains a NUL character" },
	{ "notification.json", "description", "[]",
	    "description: must be a string" },
	{ "notification.json", "severity", NULL, "severity: missing" },
	{ "notification.json", "severity", "\"urgent\"",
	    "severity: must be low, medium, high or critical" },
	{ "notification.json", "evidence_refs", "[]",
	    "evidence_refs: must have at least 1 item" },
	{ "notification.json", "evidence_refs", "[\"not-an-id\"]",
	    "evidence_refs[0]: \"not-an-id\" not a STIX identifier" },
	/* Request. */
	{ "request.json", "to_ref", NULL, "to_ref: missing" },
	{ "request.json", "to_ref", "\"" NORTH "\"",
	    "to_ref: \"" NORTH "\" must not be the author (created_by_ref)" },
	{ "request.json", "to_ref",
	    "\"indicator--24ee668c-880e-40e5-a371-66f5871a3fbf\"",
	    "to_ref: \"indicator--24ee668c-880e-40e5-a371-66f5871a3fbf\" "
	    "must be identity-- and a lower-case UUID" },
	{ "request.json", "kind", NULL, "kind: missing" },
	{ "request.json", "kind", "\"help\"", "kind: must be information, "
	    "preservation, takedown or investigation" },
	{ "request.json", "text", NULL, "text: missing" },
	/* Response. */
	{ "response-answer.json", "request_ref", NULL,
	    "request_ref: missing" },
	{ "response-answer.json", "request_ref",
	    "\"entente-notification--a499498c-eac8-4c72-928f-6ee1bba84a16\"",
	    "request_ref: must be the id of an entente-request, "
	    "entente-consultation or entente-check" },
	{ "response-answer.json", "request_ref",
	    "\"entente-request--60cc7265-90a2-470b-8d13-2d5da4226bb\"",
	    "request_ref: must be the id of an entente-request, "
	    "entente-consultation or entente-check" },
	{ "response-answer.json", "action", NULL, "action: missing" },
	{ "response-answer.json", "action", "\"reply\"", "action: must be "
	    "acknowledge, answer, decline, respond or close" },
	{ "response-answer.json", "action", "\"close\"", "action: \"close\" "
	    "does not apply to an entente-request (acknowledge, answer or "
	    "decline)" },
	{ "response-close.json", "action", "\"answer\"", "action: \"answer\" "
	    "does not apply to an entente-consultation (respond or close)" },
	{ "response-check.json", "action", "\"acknowledge\"", "action: "
	    "\"acknowledge\" does not apply to an entente-check (answer)" },
	{ "response-answer.json", "reason", "\"because\"",
	    "reason: only a decline has a reason" },
	{ "response-decline.json", "reason", NULL,
	    "reason: missing (a decline gives its reason)" },
	{ "response-decline.json", "reason", "\"\"",
	    "reason: must not be empty" },
	{ "response-answer.json", "text", "\"\"", "text: must not be empty" },
	/* Consultation. */
	{ "consultation.json", "asset_type", NULL, "asset_type: missing" },
	{ "consultation.json", "asset_type", "\"ip\"",
	    "asset_type: must be cidr, domain or sector" },
	{ "consultation.json", "asset", NULL, "asset: missing" },
	{ "consultation.json", "asset", "\"192.0.2.1/24\"",
	    "asset: \"192.0.2.1/24\" is not an address block as agreements "
	    "write it (192.0.2.0/24)" },
	{ "consultation.json", "asset", "\"2001:DB8::/32\"",
	    "asset: \"2001:DB8::/32\" is not an address block as agreements "
	    "write it (192.0.2.0/24)" },
	{ "consultation.json", "asset", "\"192.0.2.0\"",
	    "asset: \"192.0.2.0\" is not an address block as agreements "
	    "write it (192.0.2.0/24)" },
	{ "consultation.json", "description", NULL, "description: missing" },
	{ "consultation.json", "evidence_refs", NULL,
	    "evidence_refs: missing" },
	{ "consultation.json", "evidence_refs",
	    "[\"malware--46acafb8-beaa-4c7e-b2cb-b489e9a59561\"]",
	    "evidence_refs[0]: \"malware--46acafb8-beaa-4c7e-b2cb-"
	    "b489e9a59561\" must be an incident, observed-data, indicator or "
	    "sighting" },
	{ "consultation.json", "attributed_refs", NULL,
	    "attributed_refs: missing" },
	{ "consultation.json", "attributed_refs",
	    "[\"indicator--46acafb8-beaa-4c7e-b2cb-b489e9a59561\"]",
	    "attributed_refs[0]: \"indicator--46acafb8-beaa-4c7e-b2cb-"
	    "b489e9a59561\" must be an infrastructure" },
	{ "consultation.json", "to_ref", "\"" NORTH "\"",
	    "to_ref: \"" NORTH "\" must not be the author (created_by_ref)" },
	/* Check. */
	{ "check.json", "answer_within", NULL, "answer_within: missing" },
	{ "check.json", "answer_within", "\"PT0S\"", "answer_within: not an "
	    "ISO 8601 duration (PnYnMnDTnHnMnS or PnW, whole numbers, not "
	    "zero)" },
	{ "check.json", "answer_within", "\"1H\"", "answer_within: not an "
	    "ISO 8601 duration (PnYnMnDTnHnMnS or PnW, whole numbers, not "
	    "zero)" },
	{ "check.json", "to_ref", NULL, "to_ref: missing" },
	{ "check.json", "text", "\"x\"", "text: unknown property" },
};

static int
rep_has(const struct agreement_report *rep, const char *line)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		if (strcmp(rep->msg[i], line) == 0)
			return 1;
	return 0;
}

static void
expect_refused(json_t *j, const char *expect, const char *what)
{
	struct agreement_report rep;
	struct coop_obj *o = (void *)1;
	size_t i;

	agreement_report_init(&rep);
	assert_int_equal(coop_from_json(j, &o, &rep), ERR_INVALID);
	assert_null(o);
	if (!rep_has(&rep, expect)) {
		for (i = 0; i < rep.n; i++)
			print_message("  got: %s\n", rep.msg[i]);
		fail_msg("%s: expected \"%s\"", what, expect);
	}
}

static void
test_refusals(void **state)
{
	const struct refusal *r;
	json_error_t e;
	json_t *j, *v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		r = &refusals[i];
		j = load(r->file);
		if (r->value == NULL) {
			assert_int_equal(json_object_del(j, r->prop), 0);
		} else {
			v = json_loads(r->value, JSON_DECODE_ANY |
			    JSON_ALLOW_NUL, &e);
			if (v == NULL)
				fail_msg("case %zu: %s", i, e.text);
			assert_int_equal(json_object_set_new(j, r->prop, v),
			    0);
		}
		expect_refused(j, r->expect, r->prop);
		json_decref(j);
	}
}

/* Refusals that need values too long to write in the table. */
static void
test_refusal_limits(void **state)
{
	struct agreement_report rep;
	struct coop_obj *o = (void *)1;
	char *big, id[80];
	json_t *j, *a;
	size_t i;

	(void)state;
	big = malloc(COOP_MAX_TEXT + 2);
	assert_non_null(big);
	memset(big, 'x', COOP_MAX_TEXT + 1);
	big[COOP_MAX_TEXT + 1] = '\0';
	j = load("request.json");
	json_object_set_new(j, "text", json_string(big));
	expect_refused(j, "text: longer than 4096 bytes", "text");
	/* Exactly the limit is fine. */
	big[COOP_MAX_TEXT] = '\0';
	json_object_set_new(j, "text", json_string(big));
	assert_int_equal(coop_from_json(j, &o, NULL), ERR_OK);
	coop_free(o);
	json_decref(j);
	free(big);

	j = load("notification.json");
	a = json_array();
	for (i = 0; i <= COOP_MAX_REFS; i++) {
		(void)snprintf(id, sizeof(id),
		    "indicator--00000000-0000-4000-8000-%012zu", i);
		json_array_append_new(a, json_string(id));
	}
	json_object_set_new(j, "evidence_refs", a);
	expect_refused(j, "evidence_refs: more than 128 items",
	    "evidence_refs");
	json_array_remove(a, 0);
	assert_int_equal(coop_from_json(j, &o, NULL), ERR_OK);
	assert_int_equal(o->evidence.n, COOP_MAX_REFS);
	coop_free(o);
	a = json_array();
	for (i = 0; i <= COOP_MAX_MARKINGS; i++) {
		(void)snprintf(id, sizeof(id),
		    "marking-definition--00000000-0000-4000-8000-%012zu", i);
		json_array_append_new(a, json_string(id));
	}
	json_object_set_new(j, "object_marking_refs", a);
	expect_refused(j, "object_marking_refs: more than 8 items",
	    "object_marking_refs");
	json_decref(j);

	/* Every problem is named, not only the first. */
	j = load("consultation.json");
	json_object_set_new(j, "asset_type", json_string("domain"));
	json_object_set_new(j, "severity", json_string("high"));
	json_object_del(j, "description");
	agreement_report_init(&rep);
	assert_int_equal(coop_from_json(j, &o, &rep), ERR_INVALID);
	assert_int_equal(rep.n, 3);
	assert_true(rep_has(&rep, "severity: unknown property"));
	assert_true(rep_has(&rep, "description: missing"));
	assert_true(rep_has(&rep, "asset: \"192.0.2.0/24\" is not a "
	    "lower-case DNS name of two labels or more"));
	json_object_set_new(j, "asset", json_string("grid.North.example"));
	expect_refused(j, "asset: \"grid.North.example\" is not a "
	    "lower-case DNS name of two labels or more", "asset");
	json_object_set_new(j, "asset_type", json_string("sector"));
	json_object_set_new(j, "asset", json_string("Energy"));
	expect_refused(j, "asset: \"Energy\" is not a sector (1-64 of a-z "
	    "0-9 -)", "asset");
	json_decref(j);

	/* Not an object; the text parser's own refusals. */
	j = json_array();
	agreement_report_init(&rep);
	assert_int_equal(coop_from_json(j, &o, &rep), ERR_PARSE);
	assert_string_equal(rep.msg[0], "not a JSON object");
	json_decref(j);
	agreement_report_init(&rep);
	assert_int_equal(coop_parse("{\"type\": 1, \"type\": 2}", 22, &o,
	    &rep), ERR_PARSE);
	assert_null(o);
	assert_true(strncmp(rep.msg[0], "not JSON: ", 10) == 0);
	assert_int_equal(coop_parse("{", 1, &o, NULL), ERR_PARSE);
	big = calloc(1, COOP_MAX_BYTES + 1);
	assert_non_null(big);
	agreement_report_init(&rep);
	assert_int_equal(coop_parse(big, COOP_MAX_BYTES + 1, &o, &rep),
	    ERR_TOOBIG);
	assert_string_equal(rep.msg[0], "longer than 262144 bytes");
	free(big);
}

/* The builder refuses what the parser would, and bad UTF-8. */
static void
test_build_refusals(void **state)
{
	struct agreement_report rep;
	struct coop_obj o;
	json_t *j = (void *)1;

	(void)state;
	memset(&o, 0, sizeof(o));
	agreement_report_init(&rep);
	assert_int_equal(coop_to_json(&o, &j, &rep), ERR_INVALID);
	assert_null(j);
	assert_string_equal(rep.msg[0], "type: not a cooperation object type");

	o.type = COOP_REQUEST;
	fresh_id(o.type, o.id);
	o.created = ts("2026-03-02T09:00:00Z");
	memcpy(o.created_by, NORTH, sizeof(NORTH));
	memcpy(o.agreement_id, AG_ID, sizeof(AG_ID));
	to_one[0] = SOUTH;
	o.to.v = to_one;
	o.to.n = 1;
	o.kind = COOP_KIND_INFORMATION;
	o.text = "bad \xc3\x28 utf-8";
	agreement_report_init(&rep);
	assert_int_equal(coop_to_json(&o, &j, &rep), ERR_INVALID);
	assert_true(rep_has(&rep, "text: not valid UTF-8"));
	assert_true(rep_has(&rep, "text: must be a string"));
	o.text = "fine";
	o.kind = 9;
	agreement_report_init(&rep);
	assert_int_equal(coop_to_json(&o, &j, &rep), ERR_INVALID);
	assert_true(rep_has(&rep, "kind: must be information, preservation, "
	    "takedown or investigation"));
	o.kind = COOP_KIND_TAKEDOWN;
	o.to.n = 0;
	agreement_report_init(&rep);
	assert_int_equal(coop_to_json(&o, &j, &rep), ERR_INVALID);
	assert_true(rep_has(&rep, "to_ref: must be a string"));
	o.to.n = 1;
	assert_int_equal(coop_to_json(&o, &j, &rep), ERR_OK);
	json_decref(j);
}

/* ---- deadlines ---- */

static void
check_deadlines(const char *ack, const char *answer, const char *at,
    const char *want_ack, const char *want_answer)
{
	struct agreement *a = make_agreement(ack, answer,
	    "2020-01-01T00:00:00Z");
	struct coop_ledger *l = NULL;
	char id[COOP_ID_MAX + 1];
	struct coop_item it;

	assert_int_equal(coop_ledger_new(a, COOP_NEVER, &l), ERR_OK);
	add_expect(l, item(COOP_REQUEST, NORTH, SOUTH, ts(at), NULL, id),
	    ts(at), ERR_OK, COOP_OK);
	it = get_item(l, id, ts(at));
	assert_true(it.has_ack_by && it.has_answer_by);
	assert_true(it.ack_by == ts(want_ack));
	assert_true(it.answer_by == ts(want_answer));
	coop_ledger_free(l);
	agreement_free(a);
}

static void
test_deadlines(void **state)
{
	(void)state;
	/* P1M from January 31 ends on the last day of February. */
	check_deadlines("PT4H", "P1M", "2026-01-31T10:00:00Z",
	    "2026-01-31T14:00:00Z", "2026-02-28T10:00:00Z");
	check_deadlines("PT4H", "P1M", "2028-01-31T10:00:00Z",
	    "2028-01-31T14:00:00Z", "2028-02-29T10:00:00Z");
	/* PT4H and P3D across a UTC day (and month, year) boundary. */
	check_deadlines("PT4H", "P3D", "2026-12-31T22:30:00.250Z",
	    "2027-01-01T02:30:00.250Z", "2027-01-03T22:30:00.250Z");
	check_deadlines("PT4H", "P3D", "2028-02-27T23:59:59.999999Z",
	    "2028-02-28T03:59:59.999999Z", "2028-03-01T23:59:59.999999Z");
	/* Years, weeks, mixed. */
	check_deadlines("P1D", "P1Y", "2028-02-29T00:00:00Z",
	    "2028-03-01T00:00:00Z", "2029-02-28T00:00:00Z");
	check_deadlines("PT90M", "P2W", "2026-03-30T23:00:00Z",
	    "2026-03-31T00:30:00Z", "2026-04-13T23:00:00Z");
	check_deadlines("PT1H", "P1M1DT1H", "2026-01-30T23:30:00Z",
	    "2026-01-31T00:30:00Z", "2026-03-02T00:30:00Z");
}

/* ---- ledger: static refusals ---- */

static void
test_static_refusals(void **state)
{
	struct agreement *a = example_agreement(), *b;
	struct agreement_report rep;
	struct coop_ledger *l = NULL;
	struct coop_verdict v;
	char id[COOP_ID_MAX + 1], cid[COOP_ID_MAX + 1];
	int64_t t = ts("2026-03-02T09:00:00Z");
	json_t *j;

	(void)state;
	assert_int_equal(coop_ledger_new(a, ts("2027-06-30T12:00:00Z"), &l),
	    ERR_OK);
	/* Another agreement's object. */
	j = item(COOP_REQUEST, NORTH, SOUTH, t, NULL, id);
	json_object_set_new(j, "agreement_id", json_string(
	    "agreement--00000000-0000-4000-8000-000000000000"));
	agreement_report_init(&rep);
	assert_int_equal(coop_ledger_add(l, j, t, &v, &rep), ERR_INVALID);
	assert_int_equal(v.code, COOP_WRONG_AGREEMENT);
	assert_string_equal(v.reason, "agreement_id: agreement--00000000-"
	    "0000-4000-8000-000000000000 is not this ledger's agreement ("
	    AG_ID ")");
	json_decref(j);
	/* Authors and addressees must be parties. */
	add_expect(l, item(COOP_REQUEST, OUTSIDER, SOUTH, t, NULL, id), t,
	    ERR_INVALID, COOP_NOT_PARTY);
	add_expect(l, item(COOP_REQUEST, NORTH, OUTSIDER, t, NULL, id), t,
	    ERR_INVALID, COOP_TO_NOT_PARTY);
	add_expect(l, response(OUTSIDER, id, COOP_ACT_ACKNOWLEDGE, t, NULL),
	    t, ERR_INVALID, COOP_NOT_PARTY);
	/* Both problems are named; the first is the verdict. */
	j = item(COOP_CHECK, OUTSIDER, OUTSIDER2, t, "PT1H", id);
	agreement_report_init(&rep);
	assert_int_equal(coop_ledger_add(l, j, t, &v, &rep), ERR_INVALID);
	assert_int_equal(v.code, COOP_NOT_PARTY);
	assert_int_equal(rep.n, 2);
	assert_string_equal(rep.msg[0], "created_by_ref: " OUTSIDER " is no "
	    "party of " AG_ID);
	assert_string_equal(rep.msg[1], "to_ref: " OUTSIDER2 " is no party "
	    "of " AG_ID);
	assert_string_equal(v.reason, rep.msg[0]);
	json_decref(j);
	/* In force: from valid_from, until the termination (exclusive). */
	add_expect(l, item(COOP_REQUEST, NORTH, SOUTH, t, NULL, id),
	    ts("2025-12-31T23:59:59.999999Z"), ERR_INVALID,
	    COOP_NOT_IN_FORCE);
	add_expect(l, item(COOP_REQUEST, NORTH, SOUTH, t, NULL, id),
	    ts("2026-01-01T00:00:00Z"), ERR_OK, COOP_OK);
	add_expect(l, item(COOP_NOTIFICATION, NORTH, SOUTH, t, NULL, id),
	    ts("2027-06-30T11:59:59.999999Z"), ERR_OK, COOP_OK);
	j = item(COOP_CHECK, NORTH, SOUTH, t, "PT1H", id);
	agreement_report_init(&rep);
	assert_int_equal(coop_ledger_add(l, j, ts("2027-06-30T12:00:00Z"),
	    &v, &rep), ERR_INVALID);
	assert_int_equal(v.code, COOP_NOT_IN_FORCE);
	assert_string_equal(rep.msg[0], "received at "
	    "2027-06-30T12:00:00.000000Z: the agreement is in force from "
	    "2026-01-01T00:00:00.000000Z to 2027-06-30T12:00:00.000000Z "
	    "(terminated)");
	json_decref(j);
	/* Responses are not bound to the window: old requests are still
	 * answered after the end. */
	add_expect(l, response(SOUTH, id, COOP_ACT_ANSWER, t, NULL),
	    ts("2028-01-01T00:00:00Z"), ERR_OK, COOP_UNKNOWN);
	/* The asset must be in the consulting party's protected clause. */
	j = item(COOP_CONSULTATION, SOUTH, NORTH, t, NULL, id);
	json_object_set_new(j, "asset", json_string("192.0.2.0/24"));
	agreement_report_init(&rep);
	assert_int_equal(coop_ledger_add(l, j, t, &v, &rep), ERR_INVALID);
	assert_int_equal(v.code, COOP_NOT_PROTECTED);
	assert_string_equal(v.reason, "asset: cidr \"192.0.2.0/24\": not in "
	    "the consulting party's protected clause");
	json_decref(j);
	j = item(COOP_CONSULTATION, ISAC, NORTH, t, NULL, id);
	agreement_report_init(&rep);
	assert_int_equal(coop_ledger_add(l, j, t, &v, &rep), ERR_INVALID);
	assert_string_equal(v.reason, "asset: cidr \"198.51.100.0/24\": the "
	    "consulting party has no protected clause");
	json_decref(j);
	add_expect(l, item(COOP_CONSULTATION, NORTH, ISAC, t, NULL, cid), t,
	    ERR_OK, COOP_OK);
	/* Receipt times and deadlines stay within years 0001-9999. */
	add_expect(l, item(COOP_NOTIFICATION, NORTH, SOUTH, t, NULL, id),
	    INT64_MAX, ERR_RANGE, COOP_TIME_RANGE);
	add_expect(l, response(ISAC, cid, COOP_ACT_RESPOND, t, NULL),
	    INT64_MIN, ERR_RANGE, COOP_TIME_RANGE);
	/* Malformed. */
	j = json_pack("{s:s}", "type", "entente-request");
	agreement_report_init(&rep);
	assert_int_equal(coop_ledger_add(l, j, t, &v, &rep), ERR_INVALID);
	assert_int_equal(v.code, COOP_MALFORMED);
	assert_true(rep.n >= 5);
	assert_string_equal(v.reason, rep.msg[0]);
	json_decref(j);
	assert_int_equal(coop_ledger_count(l), 4);
	coop_ledger_free(l);

	/* No assistance clause: no requests; consultations without a
	 * deadline. */
	b = make_agreement(NULL, NULL, "2026-01-01T00:00:00Z");
	assert_int_equal(coop_ledger_new(b, COOP_NEVER, &l), ERR_OK);
	add_expect(l, item(COOP_REQUEST, NORTH, SOUTH, t, NULL, id), t,
	    ERR_INVALID, COOP_NO_ASSISTANCE);
	add_expect(l, item(COOP_CONSULTATION, NORTH, SOUTH, t, NULL, id), t,
	    ERR_OK, COOP_OK);
	{
		struct coop_item it = get_item(l, id, t + 365 * DAY);

		assert_false(it.has_answer_by);
		assert_false(it.answer_overdue);
		assert_int_equal(it.state, COOP_ST_OPEN);
	}
	/* A deadline past year 9999. */
	add_expect(l, item(COOP_CHECK, NORTH, SOUTH, t, "P999999Y", id), t,
	    ERR_RANGE, COOP_TIME_RANGE);
	add_expect(l, item(COOP_CHECK, NORTH, SOUTH, t, "P7972Y", id), t,
	    ERR_OK, COOP_OK);
	coop_ledger_free(l);
	agreement_free(b);
	agreement_free(a);
}

static void
test_duplicates(void **state)
{
	struct agreement *a = example_agreement();
	struct agreement_report rep;
	struct coop_ledger *l = NULL;
	struct coop_verdict v;
	char id[COOP_ID_MAX + 1], rid[COOP_ID_MAX + 1];
	int64_t t = ts("2026-03-02T09:00:00Z");
	json_t *j, *r;

	(void)state;
	assert_int_equal(coop_ledger_new(a, COOP_NEVER, &l), ERR_OK);
	j = item(COOP_REQUEST, NORTH, SOUTH, t, NULL, id);
	r = response(SOUTH, id, COOP_ACT_ACKNOWLEDGE, t, rid);
	assert_int_equal(coop_ledger_add(l, j, t, &v, NULL), ERR_OK);
	assert_int_equal(coop_ledger_add(l, r, t + SEC, &v, NULL), ERR_OK);
	/* The same again: nothing changes. */
	assert_int_equal(coop_ledger_add(l, j, t, &v, NULL), ERR_OK);
	assert_int_equal(v.code, COOP_OK);
	assert_int_equal(coop_ledger_add(l, r, t + SEC, &v, NULL), ERR_OK);
	assert_int_equal(coop_ledger_count(l), 2);
	/* Another time, or other content, under the same id. */
	agreement_report_init(&rep);
	assert_int_equal(coop_ledger_add(l, j, t + 1, &v, &rep), ERR_EXISTS);
	assert_int_equal(v.code, COOP_DUPLICATE);
	json_object_set_new(r, "text", json_string("changed"));
	assert_int_equal(coop_ledger_judge(l, r, t + SEC, &v, NULL),
	    ERR_EXISTS);
	assert_int_equal(coop_ledger_add(l, r, t + SEC, &v, NULL),
	    ERR_EXISTS);
	assert_int_equal(coop_ledger_count(l), 2);
	assert_int_equal(get_item(l, id, t + DAY).n_accepted, 1);
	json_decref(j);
	json_decref(r);
	coop_ledger_free(l);
	agreement_free(a);
}

/* ---- ledger: requests ---- */

static void
test_request_paths(void **state)
{
	static const enum coop_action paths[][2] = {
		{ COOP_ACT_ACKNOWLEDGE, COOP_ACT_ANSWER },
		{ COOP_ACT_ACKNOWLEDGE, COOP_ACT_DECLINE },
		{ COOP_ACT_ANSWER, 0 },
		{ COOP_ACT_DECLINE, 0 },
		{ COOP_ACT_ACKNOWLEDGE, 0 },
	};
	static const enum coop_state final[] = { COOP_ST_ANSWERED,
	    COOP_ST_DECLINED, COOP_ST_ANSWERED, COOP_ST_DECLINED,
	    COOP_ST_ACKNOWLEDGED };
	struct agreement *a = example_agreement();	/* PT4H, P3D */
	struct coop_ledger *l = NULL;
	struct coop_item it;
	char id[COOP_ID_MAX + 1];
	int64_t t0 = ts("2026-03-02T09:00:00Z"), at;
	size_t p;

	(void)state;
	for (p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
		assert_int_equal(coop_ledger_new(a, COOP_NEVER, &l), ERR_OK);
		add_expect(l, item(COOP_REQUEST, NORTH, SOUTH, t0 - SEC, NULL,
		    id), t0, ERR_OK, COOP_OK);
		it = get_item(l, id, t0);
		assert_int_equal(it.state, COOP_ST_OPEN);
		assert_true(it.ack_by == t0 + 4 * HOUR);
		assert_true(it.answer_by == t0 + 3 * DAY);
		assert_false(it.acked || it.answered || it.closed);
		/* First step one hour in, the second two days in. */
		at = t0 + HOUR;
		add_expect(l, response(SOUTH, id, paths[p][0], at, NULL), at,
		    ERR_OK, COOP_OK);
		if (paths[p][1] != 0)
			add_expect(l, response(SOUTH, id, paths[p][1],
			    t0 + 2 * DAY, NULL), t0 + 2 * DAY, ERR_OK,
			    COOP_OK);
		it = get_item(l, id, t0 + 10 * DAY);
		assert_int_equal(it.state, final[p]);
		assert_true(it.acked);
		assert_true(it.acked_at == at);
		assert_true(it.time_to_ack == HOUR);
		assert_true(it.ack_in_time);
		assert_false(it.ack_overdue);
		if (final[p] == COOP_ST_ACKNOWLEDGED) {
			assert_false(it.answered);
			assert_true(it.answer_overdue);
		} else {
			assert_true(it.answered && it.closed);
			assert_true(it.answer_in_time);
			assert_true(it.time_to_answer ==
			    (paths[p][1] != 0 ? 2 * DAY : HOUR));
			assert_true(it.closed_at == it.answered_at);
			assert_false(it.answer_overdue);
		}
		assert_int_equal(it.n_accepted, paths[p][1] != 0 ? 2 : 1);
		/* Between the two steps. */
		if (paths[p][1] != 0) {
			it = get_item(l, id, t0 + DAY);
			assert_int_equal(it.state, COOP_ST_ACKNOWLEDGED);
			assert_false(it.answered);
			assert_int_equal(it.n_accepted, 1);
		}
		coop_ledger_free(l);
	}
	agreement_free(a);
}

static void
test_request_refusals(void **state)
{
	struct agreement *a = example_agreement();
	struct agreement_report rep;
	struct coop_ledger *l = NULL;
	struct coop_verdict v;
	struct coop_item it;
	char id[COOP_ID_MAX + 1], rid[COOP_ID_MAX + 1], buf[300];
	int64_t t0 = ts("2026-03-02T09:00:00Z"), got_at = 0;
	json_t *j, *req;

	(void)state;
	assert_int_equal(coop_ledger_new(a, COOP_NEVER, &l), ERR_OK);
	req = item(COOP_REQUEST, NORTH, SOUTH, t0, NULL, id);
	/* Unknown request: judged, not stored; stored, it is pending. */
	j = response(SOUTH, id, COOP_ACT_ACKNOWLEDGE, t0 + SEC, rid);
	assert_int_equal(coop_ledger_judge(l, j, t0 + SEC, &v, NULL), ERR_OK);
	assert_int_equal(v.code, COOP_UNKNOWN);
	(void)snprintf(buf, sizeof(buf), "unknown request %s: the response "
	    "is kept and judged again when it arrives", id);
	assert_string_equal(v.reason, buf);
	assert_int_equal(coop_ledger_count(l), 0);
	assert_int_equal(coop_ledger_add(l, j, t0 + SEC, &v, NULL), ERR_OK);
	assert_int_equal(v.code, COOP_UNKNOWN);
	assert_int_equal(coop_ledger_item(l, id, t0 + DAY, &it),
	    ERR_NOTFOUND);
	json_decref(j);
	/* The request arrives: the acknowledgement now counts. */
	assert_int_equal(coop_ledger_add(l, req, t0, &v, NULL), ERR_OK);
	json_decref(req);
	assert_int_equal(coop_ledger_response(l, rid, &v, &got_at), ERR_OK);
	assert_int_equal(v.code, COOP_OK);
	assert_true(got_at == t0 + SEC);
	assert_int_equal(get_item(l, id, t0 + SEC).state,
	    COOP_ST_ACKNOWLEDGED);
	assert_int_equal(coop_ledger_response(l, id, &v, NULL),
	    ERR_NOTFOUND);
	/* Acknowledged twice. */
	j = response(SOUTH, id, COOP_ACT_ACKNOWLEDGE, t0 + 2 * SEC, NULL);
	assert_int_equal(coop_ledger_judge(l, j, t0 + 2 * SEC, &v, NULL),
	    ERR_OK);
	assert_int_equal(v.code, COOP_ALREADY);
	(void)snprintf(buf, sizeof(buf), "request %s was already "
	    "acknowledged at 2026-03-02T09:00:01.000000Z", id);
	assert_string_equal(v.reason, buf);
	json_decref(j);
	/* Only the requested party responds. */
	j = response(ISAC, id, COOP_ACT_ANSWER, t0 + 2 * SEC, NULL);
	assert_int_equal(coop_ledger_judge(l, j, t0 + 2 * SEC, &v, NULL),
	    ERR_OK);
	assert_int_equal(v.code, COOP_WRONG_PARTY);
	assert_string_equal(v.reason, "only the party the request was sent "
	    "to (" SOUTH ") may answer it");
	json_decref(j);
	j = response(NORTH, id, COOP_ACT_DECLINE, t0 + 2 * SEC, NULL);
	assert_int_equal(coop_ledger_judge(l, j, t0 + 2 * SEC, &v, NULL),
	    ERR_OK);
	assert_int_equal(v.code, COOP_WRONG_PARTY);
	json_decref(j);
	/* A response received, or created, before the request. */
	j = response(SOUTH, id, COOP_ACT_ANSWER, t0, NULL);
	assert_int_equal(coop_ledger_judge(l, j, t0 - 1, &v, NULL), ERR_OK);
	assert_int_equal(v.code, COOP_BEFORE);
	assert_string_equal(v.reason, "received at "
	    "2026-03-02T08:59:59.999999Z, before the request it answers "
	    "(received at 2026-03-02T09:00:00.000000Z)");
	json_decref(j);
	j = response(SOUTH, id, COOP_ACT_ANSWER, t0 - 1000, NULL);
	assert_int_equal(coop_ledger_judge(l, j, t0 + HOUR, &v, NULL),
	    ERR_OK);
	assert_int_equal(v.code, COOP_CREATED_BEFORE);
	assert_string_equal(v.reason, "created at "
	    "2026-03-02T08:59:59.999000Z, before the request it answers "
	    "(created at 2026-03-02T09:00:00.000000Z)");
	json_decref(j);
	/* Stored refusals count as refused and change nothing. */
	add_expect(l, response(ISAC, id, COOP_ACT_ANSWER, t0 + 3 * SEC,
	    NULL), t0 + 3 * SEC, ERR_OK, COOP_WRONG_PARTY);
	it = get_item(l, id, t0 + HOUR);
	assert_int_equal(it.state, COOP_ST_ACKNOWLEDGED);
	assert_int_equal(it.n_accepted, 1);
	assert_int_equal(it.n_refused, 1);
	/* Answered: closed to everything after. */
	add_expect(l, response(SOUTH, id, COOP_ACT_ANSWER, t0 + HOUR, NULL),
	    t0 + HOUR, ERR_OK, COOP_OK);
	j = response(SOUTH, id, COOP_ACT_DECLINE, t0 + 2 * HOUR, NULL);
	agreement_report_init(&rep);
	assert_int_equal(coop_ledger_judge(l, j, t0 + 2 * HOUR, &v, &rep),
	    ERR_OK);
	assert_int_equal(rep.n, 0);
	assert_int_equal(v.code, COOP_CLOSED);
	(void)snprintf(buf, sizeof(buf), "request %s is closed: answered at "
	    "2026-03-02T10:00:00.000000Z", id);
	assert_string_equal(v.reason, buf);
	json_decref(j);
	j = response(SOUTH, id, COOP_ACT_ACKNOWLEDGE, t0 + 2 * HOUR, NULL);
	assert_int_equal(coop_ledger_judge(l, j, t0 + 2 * HOUR, &v, NULL),
	    ERR_OK);
	assert_int_equal(v.code, COOP_CLOSED);
	json_decref(j);
	coop_ledger_free(l);

	/* Declined: closed as well. */
	assert_int_equal(coop_ledger_new(a, COOP_NEVER, &l), ERR_OK);
	add_expect(l, item(COOP_REQUEST, ISAC, SOUTH, t0, NULL, id), t0,
	    ERR_OK, COOP_OK);
	add_expect(l, response(SOUTH, id, COOP_ACT_DECLINE, t0 + SEC, NULL),
	    t0 + SEC, ERR_OK, COOP_OK);
	j = response(SOUTH, id, COOP_ACT_ANSWER, t0 + 2 * SEC, NULL);
	assert_int_equal(coop_ledger_judge(l, j, t0 + 2 * SEC, &v, NULL),
	    ERR_OK);
	assert_int_equal(v.code, COOP_CLOSED);
	(void)snprintf(buf, sizeof(buf), "request %s is closed: declined at "
	    "2026-03-02T09:00:01.000000Z", id);
	assert_string_equal(v.reason, buf);
	json_decref(j);
	coop_ledger_free(l);
	agreement_free(a);
}

/* Deadlines are inclusive: met at the instant, overdue one us after. */
static void
test_deadline_instant(void **state)
{
	struct agreement *a = example_agreement();	/* PT4H, P3D */
	struct coop_ledger *l = NULL;
	struct coop_item it;
	char id[COOP_ID_MAX + 1], id2[COOP_ID_MAX + 1];
	int64_t t0 = ts("2026-03-02T09:00:00Z");
	int64_t ack_by = t0 + 4 * HOUR, answer_by = t0 + 3 * DAY;

	(void)state;
	assert_int_equal(coop_ledger_new(a, COOP_NEVER, &l), ERR_OK);
	add_expect(l, item(COOP_REQUEST, NORTH, SOUTH, t0, NULL, id), t0,
	    ERR_OK, COOP_OK);
	it = get_item(l, id, ack_by);
	assert_false(it.ack_overdue);
	assert_false(it.answer_overdue);
	it = get_item(l, id, ack_by + 1);
	assert_true(it.ack_overdue);
	assert_false(it.answer_overdue);
	it = get_item(l, id, answer_by);
	assert_true(it.ack_overdue);
	assert_false(it.answer_overdue);
	it = get_item(l, id, answer_by + 1);
	assert_true(it.ack_overdue);
	assert_true(it.answer_overdue);
	/* Acknowledged exactly at the deadline: in time. */
	add_expect(l, response(SOUTH, id, COOP_ACT_ACKNOWLEDGE, t0, NULL),
	    ack_by, ERR_OK, COOP_OK);
	it = get_item(l, id, ack_by);
	assert_true(it.acked && it.ack_in_time);
	assert_false(it.ack_overdue);
	assert_true(it.time_to_ack == 4 * HOUR);
	/* One us before the acknowledgement arrives it was not yet
	 * acknowledged (and not yet overdue). */
	it = get_item(l, id, ack_by - 1);
	assert_false(it.acked);
	assert_false(it.ack_overdue);
	/* Answered one us after the deadline: late. */
	add_expect(l, response(SOUTH, id, COOP_ACT_ANSWER, t0, NULL),
	    answer_by + 1, ERR_OK, COOP_OK);
	it = get_item(l, id, answer_by + 1);
	assert_true(it.answered);
	assert_false(it.answer_in_time);
	assert_false(it.answer_overdue);
	assert_true(it.time_to_answer == 3 * DAY + 1);
	it = get_item(l, id, answer_by);
	assert_false(it.answered);
	assert_false(it.answer_overdue);

	/* The other sides: acknowledged one us late, answered at the
	 * instant. */
	add_expect(l, item(COOP_REQUEST, NORTH, SOUTH, t0, NULL, id2), t0,
	    ERR_OK, COOP_OK);
	add_expect(l, response(SOUTH, id2, COOP_ACT_ACKNOWLEDGE, t0, NULL),
	    ack_by + 1, ERR_OK, COOP_OK);
	add_expect(l, response(SOUTH, id2, COOP_ACT_ANSWER, t0, NULL),
	    answer_by, ERR_OK, COOP_OK);
	it = get_item(l, id2, answer_by);
	assert_true(it.acked && !it.ack_in_time);
	assert_true(it.answered && it.answer_in_time);
	assert_int_equal(it.state, COOP_ST_ANSWERED);
	coop_ledger_free(l);
	agreement_free(a);
}

/* ---- ledger: consultations ---- */

static void
test_consultation(void **state)
{
	struct agreement *a = example_agreement();	/* P3D to respond */
	struct coop_ledger *l = NULL;
	struct coop_verdict v;
	struct coop_item it;
	char id[COOP_ID_MAX + 1], buf[300];
	int64_t t0 = ts("2026-03-05T10:00:00Z");
	json_t *j;

	(void)state;
	assert_int_equal(coop_ledger_new(a, COOP_NEVER, &l), ERR_OK);
	add_expect(l, item(COOP_CONSULTATION, NORTH, SOUTH, t0, NULL, id),
	    t0, ERR_OK, COOP_OK);
	it = get_item(l, id, t0);
	assert_int_equal(it.state, COOP_ST_OPEN);
	assert_false(it.has_ack_by);
	assert_true(it.has_answer_by && it.answer_by == t0 + 3 * DAY);
	assert_false(get_item(l, id, t0 + 3 * DAY).answer_overdue);
	assert_true(get_item(l, id, t0 + 3 * DAY + 1).answer_overdue);
	/* Only the consulted party responds... */
	j = response(NORTH, id, COOP_ACT_RESPOND, t0 + HOUR, NULL);
	assert_int_equal(coop_ledger_judge(l, j, t0 + HOUR, &v, NULL),
	    ERR_OK);
	assert_int_equal(v.code, COOP_WRONG_PARTY);
	json_decref(j);
	/* ...and only the consulting party closes. */
	j = response(SOUTH, id, COOP_ACT_CLOSE, t0 + HOUR, NULL);
	assert_int_equal(coop_ledger_judge(l, j, t0 + HOUR, &v, NULL),
	    ERR_OK);
	assert_int_equal(v.code, COOP_WRONG_PARTY);
	assert_string_equal(v.reason, "only the consulting party (" NORTH
	    ") closes a consultation");
	json_decref(j);
	/* open -> responded (twice) -> closed. */
	add_expect(l, response(SOUTH, id, COOP_ACT_RESPOND, t0 + DAY, NULL),
	    t0 + DAY, ERR_OK, COOP_OK);
	add_expect(l, response(SOUTH, id, COOP_ACT_RESPOND, t0 + 2 * DAY,
	    NULL), t0 + 2 * DAY, ERR_OK, COOP_OK);
	it = get_item(l, id, t0 + 5 * DAY);
	assert_int_equal(it.state, COOP_ST_RESPONDED);
	assert_true(it.answered && it.answered_at == t0 + DAY);
	assert_true(it.answer_in_time && it.time_to_answer == DAY);
	assert_false(it.answer_overdue || it.closed);
	assert_int_equal(it.n_accepted, 2);
	add_expect(l, response(NORTH, id, COOP_ACT_CLOSE, t0 + 6 * DAY,
	    NULL), t0 + 6 * DAY, ERR_OK, COOP_OK);
	it = get_item(l, id, t0 + 6 * DAY);
	assert_int_equal(it.state, COOP_ST_CLOSED);
	assert_true(it.closed && it.closed_at == t0 + 6 * DAY);
	j = response(SOUTH, id, COOP_ACT_RESPOND, t0 + 7 * DAY, NULL);
	assert_int_equal(coop_ledger_judge(l, j, t0 + 7 * DAY, &v, NULL),
	    ERR_OK);
	assert_int_equal(v.code, COOP_CLOSED);
	(void)snprintf(buf, sizeof(buf), "consultation %s is closed: closed "
	    "at 2026-03-11T10:00:00.000000Z", id);
	assert_string_equal(v.reason, buf);
	json_decref(j);
	j = response(NORTH, id, COOP_ACT_CLOSE, t0 + 7 * DAY, NULL);
	assert_int_equal(coop_ledger_judge(l, j, t0 + 7 * DAY, &v, NULL),
	    ERR_OK);
	assert_int_equal(v.code, COOP_CLOSED);
	json_decref(j);
	/* Closed without a response (withdrawn): never overdue. */
	add_expect(l, item(COOP_CONSULTATION, NORTH, SOUTH, t0, NULL, id),
	    t0, ERR_OK, COOP_OK);
	add_expect(l, response(NORTH, id, COOP_ACT_CLOSE, t0 + HOUR, NULL),
	    t0 + HOUR, ERR_OK, COOP_OK);
	it = get_item(l, id, t0 + 30 * DAY);
	assert_int_equal(it.state, COOP_ST_CLOSED);
	assert_false(it.answered || it.answer_overdue);
	/* Responded late. */
	add_expect(l, item(COOP_CONSULTATION, NORTH, SOUTH, t0, NULL, id),
	    t0, ERR_OK, COOP_OK);
	add_expect(l, response(SOUTH, id, COOP_ACT_RESPOND, t0 + HOUR, NULL),
	    t0 + 3 * DAY + 1, ERR_OK, COOP_OK);
	it = get_item(l, id, t0 + 30 * DAY);
	assert_true(it.answered && !it.answer_in_time);
	coop_ledger_free(l);
	agreement_free(a);
}

/* ---- ledger: checks ---- */

static void
test_check(void **state)
{
	struct agreement *a = example_agreement();
	struct coop_ledger *l = NULL;
	struct coop_verdict v;
	struct coop_item it;
	char id[COOP_ID_MAX + 1], late[COOP_ID_MAX + 1];
	char missed[COOP_ID_MAX + 1];
	int64_t t0 = ts("2026-03-10T06:00:00Z"), by = t0 + HOUR;
	json_t *j;

	(void)state;
	assert_int_equal(coop_ledger_new(a, COOP_NEVER, &l), ERR_OK);
	/* Answered in time, exactly at the end of the window. */
	add_expect(l, item(COOP_CHECK, ISAC, NORTH, t0, "PT1H", id), t0,
	    ERR_OK, COOP_OK);
	it = get_item(l, id, t0);
	assert_int_equal(it.state, COOP_ST_SENT);
	assert_true(it.has_answer_by && it.answer_by == by);
	assert_false(it.has_ack_by);
	add_expect(l, response(NORTH, id, COOP_ACT_ANSWER, t0, NULL), by,
	    ERR_OK, COOP_OK);
	it = get_item(l, id, by);
	assert_int_equal(it.state, COOP_ST_ANSWERED);
	assert_true(it.answer_in_time && it.closed);
	it = get_item(l, id, by - 1);
	assert_int_equal(it.state, COOP_ST_SENT);
	/* A second answer is refused; so is one by another party. */
	j = response(NORTH, id, COOP_ACT_ANSWER, t0, NULL);
	assert_int_equal(coop_ledger_judge(l, j, by + 1, &v, NULL), ERR_OK);
	assert_int_equal(v.code, COOP_CLOSED);
	json_decref(j);
	/* Answered one us after the window: late. */
	add_expect(l, item(COOP_CHECK, ISAC, NORTH, t0, "PT1H", late), t0,
	    ERR_OK, COOP_OK);
	j = response(SOUTH, late, COOP_ACT_ANSWER, t0, NULL);
	assert_int_equal(coop_ledger_judge(l, j, by, &v, NULL), ERR_OK);
	assert_int_equal(v.code, COOP_WRONG_PARTY);
	json_decref(j);
	add_expect(l, response(NORTH, late, COOP_ACT_ANSWER, t0, NULL),
	    by + 1, ERR_OK, COOP_OK);
	assert_int_equal(get_item(l, late, by).state, COOP_ST_SENT);
	assert_int_equal(get_item(l, late, by + 1).state, COOP_ST_LATE);
	assert_false(get_item(l, late, by).answer_overdue);
	/* Never answered: missed once the window has passed. */
	add_expect(l, item(COOP_CHECK, ISAC, NORTH, t0, "PT1H", missed), t0,
	    ERR_OK, COOP_OK);
	it = get_item(l, missed, by);
	assert_int_equal(it.state, COOP_ST_SENT);
	assert_false(it.answer_overdue);
	it = get_item(l, missed, by + 1);
	assert_int_equal(it.state, COOP_ST_MISSED);
	assert_true(it.answer_overdue);
	/* Items do not exist before they are received. */
	assert_int_equal(coop_ledger_item(l, missed, t0 - 1, &it),
	    ERR_NOTFOUND);
	coop_ledger_free(l);
	agreement_free(a);
}

/* ---- ledger: order ---- */

static int
collect(const struct coop_item *it, void *arg)
{
	char (*ids)[COOP_ID_MAX + 1] = arg;
	size_t i;

	for (i = 0; ids[i][0] != '\0'; i++)
		continue;
	memcpy(ids[i], it->obj->id, COOP_ID_MAX + 1);
	ids[i + 1][0] = '\0';
	return i + 1 >= 2;	/* stop after two */
}

static void
test_out_of_order(void **state)
{
	struct agreement *a = example_agreement();
	struct coop_ledger *l1 = NULL, *l2 = NULL;
	struct coop_verdict v1, v2;
	struct coop_item i1, i2;
	char id[COOP_ID_MAX + 1], ack[COOP_ID_MAX + 1];
	char ans[COOP_ID_MAX + 1], dec[COOP_ID_MAX + 1];
	char ids[4][COOP_ID_MAX + 1], other[COOP_ID_MAX + 1];
	int64_t t0 = ts("2026-03-02T09:00:00Z");
	json_t *o[4];
	int64_t at[4];
	size_t i;

	(void)state;
	o[0] = item(COOP_REQUEST, NORTH, SOUTH, t0, NULL, id);
	at[0] = t0;
	o[1] = response(SOUTH, id, COOP_ACT_ACKNOWLEDGE, t0, ack);
	at[1] = t0 + HOUR;
	o[2] = response(SOUTH, id, COOP_ACT_ANSWER, t0, ans);
	at[2] = t0 + 5 * HOUR;
	o[3] = response(SOUTH, id, COOP_ACT_DECLINE, t0, dec);
	at[3] = t0 + 3 * HOUR;
	/* In time order, and in reverse feed order. */
	assert_int_equal(coop_ledger_new(a, COOP_NEVER, &l1), ERR_OK);
	assert_int_equal(coop_ledger_new(a, COOP_NEVER, &l2), ERR_OK);
	for (i = 0; i < 4; i++) {
		assert_int_equal(coop_ledger_add(l1, o[i], at[i], NULL, NULL),
		    ERR_OK);
		assert_int_equal(coop_ledger_add(l2, o[3 - i], at[3 - i],
		    NULL, NULL), ERR_OK);
	}
	/* The decline (3 h) came before the answer (5 h): it closed the
	 * request, whatever the feed order. */
	assert_int_equal(coop_ledger_response(l1, dec, &v1, NULL), ERR_OK);
	assert_int_equal(coop_ledger_response(l2, dec, &v2, NULL), ERR_OK);
	assert_int_equal(v1.code, COOP_OK);
	assert_int_equal(v2.code, COOP_OK);
	assert_int_equal(coop_ledger_response(l1, ans, &v1, NULL), ERR_OK);
	assert_int_equal(coop_ledger_response(l2, ans, &v2, NULL), ERR_OK);
	assert_int_equal(v1.code, COOP_CLOSED);
	assert_string_equal(v1.reason, v2.reason);
	i1 = get_item(l1, id, t0 + DAY);
	i2 = get_item(l2, id, t0 + DAY);
	assert_int_equal(i1.state, COOP_ST_DECLINED);
	assert_int_equal(i2.state, COOP_ST_DECLINED);
	assert_true(i1.acked_at == t0 + HOUR && i2.acked_at == t0 + HOUR);
	assert_true(i1.answered_at == t0 + 3 * HOUR &&
	    i2.answered_at == t0 + 3 * HOUR);
	assert_true(i1.n_accepted == 2 && i2.n_accepted == 2);
	assert_true(i1.n_refused == 1 && i2.n_refused == 1);
	/* Equal receipt times are ordered by id. */
	add_expect(l1, item(COOP_REQUEST, NORTH, SOUTH, t0, NULL, other),
	    t0, ERR_OK, COOP_OK);
	ids[0][0] = '\0';
	assert_int_equal(coop_ledger_each(l1, t0 + DAY, collect, ids),
	    ERR_OK);
	assert_true(strcmp(ids[0], ids[1]) < 0);
	assert_true((strcmp(ids[0], id) == 0 && strcmp(ids[1], other) == 0) ||
	    (strcmp(ids[0], other) == 0 && strcmp(ids[1], id) == 0));
	for (i = 0; i < 4; i++)
		json_decref(o[i]);
	coop_ledger_free(l1);
	coop_ledger_free(l2);
	agreement_free(a);
}

/* ---- the documented scenario ---- */

struct seen {
	size_t		n;
	enum coop_type	types[8];
	enum coop_state	states[8];
};

static int
note_item(const struct coop_item *it, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		s->types[s->n] = it->obj->type;
		s->states[s->n] = it->state;
	}
	s->n++;
	return 0;
}

static void
test_scenario(void **state)
{
	/* docs/cooperation.md, "Example": file, receipt time. */
	static const struct {
		const char	*file;
		const char	*at;
	} feed[] = {
		{ "response-close.json", "2026-03-09T15:00:01Z" },
		{ "check.json", "2026-03-10T06:00:01Z" },
		{ "notification.json", "2026-03-02T08:00:05Z" },
		{ "request.json", "2026-03-02T09:00:02Z" },
		{ "response-answer.json", "2026-03-04T16:30:03Z" },
		{ "response-acknowledge.json", "2026-03-02T10:15:01Z" },
		{ "request-takedown.json", "2026-03-03T07:00:01Z" },
		{ "response-decline.json", "2026-03-03T12:00:02Z" },
		{ "consultation.json", "2026-03-05T10:00:04Z" },
		{ "response-respond.json", "2026-03-06T09:00:02Z" },
		{ "response-check.json", "2026-03-10T06:20:01Z" },
	};
	struct agreement *a = example_agreement();
	struct coop_ledger *l = NULL;
	struct coop_verdict v;
	struct coop_item it;
	struct seen s;
	json_t *j;
	size_t i;

	(void)state;
	assert_int_equal(coop_ledger_new(a, COOP_NEVER, &l), ERR_OK);
	for (i = 0; i < sizeof(feed) / sizeof(feed[0]); i++) {
		j = load(feed[i].file);
		assert_int_equal(coop_ledger_add(l, j, ts(feed[i].at), &v,
		    NULL), ERR_OK);
		/* Only the close comes before its consultation. */
		assert_int_equal(v.code, i == 0 ? COOP_UNKNOWN : COOP_OK);
		json_decref(j);
	}
	assert_int_equal(coop_ledger_response(l, "entente-response--"
	    "266d4910-a65a-4a58-a5f5-aa96c12a04c6", &v, NULL), ERR_OK);
	assert_int_equal(v.code, COOP_OK);

	it = get_item(l, "entente-request--60cc7265-90a2-470b-8d13-"
	    "2d5da4226bbb", ts("2026-03-31T00:00:00Z"));
	assert_int_equal(it.state, COOP_ST_ANSWERED);
	assert_true(it.ack_by == ts("2026-03-02T13:00:02Z"));
	assert_true(it.answer_by == ts("2026-03-05T09:00:02Z"));
	assert_true(it.time_to_ack == ts("2026-03-02T10:15:01Z") -
	    ts("2026-03-02T09:00:02Z"));
	assert_true(it.answered_at == ts("2026-03-04T16:30:03Z"));
	assert_true(it.ack_in_time && it.answer_in_time);

	it = get_item(l, "entente-request--2d743d27-5520-4a4d-a8f5-"
	    "661f8202ffed", ts("2026-03-31T00:00:00Z"));
	assert_int_equal(it.state, COOP_ST_DECLINED);
	assert_true(it.ack_by == ts("2026-03-03T11:00:01Z"));
	/* The decline (5 h in) acknowledged it after the 4 h. */
	assert_true(it.acked && !it.ack_in_time);
	assert_true(it.answered && it.answer_in_time);
	/* At noon that day the acknowledgement was overdue. */
	it = get_item(l, "entente-request--2d743d27-5520-4a4d-a8f5-"
	    "661f8202ffed", ts("2026-03-03T12:00:00Z"));
	assert_true(it.ack_overdue);
	assert_int_equal(it.state, COOP_ST_OPEN);

	it = get_item(l, "entente-consultation--f24a3cee-0878-4e91-8b91-"
	    "c0780b901f33", ts("2026-03-31T00:00:00Z"));
	assert_int_equal(it.state, COOP_ST_CLOSED);
	assert_true(it.answer_by == ts("2026-03-08T10:00:04Z"));
	assert_true(it.answered && it.answer_in_time);
	assert_true(it.answered_at == ts("2026-03-06T09:00:02Z"));
	assert_true(it.closed_at == ts("2026-03-09T15:00:01Z"));
	it = get_item(l, "entente-check--208d73dd-cece-457b-92c9-"
	    "85af9bdd1a61", ts("2026-03-31T00:00:00Z"));
	assert_int_equal(it.state, COOP_ST_ANSWERED);
	assert_true(it.answer_by == ts("2026-03-10T07:00:01Z"));
	assert_true(it.time_to_answer == 20 * 60 * SEC);
	it = get_item(l, "entente-notification--a499498c-eac8-4c72-928f-"
	    "6ee1bba84a16", ts("2026-03-31T00:00:00Z"));
	assert_int_equal(it.state, COOP_ST_NOTIFIED);
	assert_false(it.has_ack_by || it.has_answer_by);

	memset(&s, 0, sizeof(s));
	assert_int_equal(coop_ledger_each(l, ts("2026-03-31T00:00:00Z"),
	    note_item, &s), ERR_OK);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.types[0], COOP_NOTIFICATION);
	assert_int_equal(s.states[0], COOP_ST_NOTIFIED);
	assert_int_equal(s.types[1], COOP_REQUEST);
	assert_int_equal(s.types[2], COOP_REQUEST);
	assert_int_equal(s.types[3], COOP_CONSULTATION);
	assert_int_equal(s.types[4], COOP_CHECK);
	memset(&s, 0, sizeof(s));
	assert_int_equal(coop_ledger_each(l, ts("2026-03-03T00:00:00Z"),
	    note_item, &s), ERR_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(coop_ledger_count(l), 11);
	coop_ledger_free(l);
	agreement_free(a);
}

/* ---- out of memory ---- */

/* jansson's allocator, failing the allocation numbered fail_at. */
static long alloc_count, fail_at = -1;

static void *
failing_malloc(size_t n)
{
	if (alloc_count++ == fail_at)
		return NULL;
	return malloc(n);
}

/* Arm the failure of allocation n; -1 disarms.  Was it reached? */
static void
fail_alloc(long n)
{
	alloc_count = 0;
	fail_at = n;
}

static int
failed(void)
{
	return fail_at >= 0 && alloc_count > fail_at;
}

static void
test_nomem(void **state)
{
	struct agreement *a = example_agreement();
	struct coop_ledger *l = NULL;
	struct coop_obj *o = NULL, *p;
	struct coop_verdict v;
	char *text;
	json_t *j, *r;
	size_t len, n_nomem = 0;
	long n;
	enum err err;
	int64_t t0 = ts("2026-03-02T09:00:02Z");

	(void)state;
	text = slurp(COOP_DATA_DIR "/consultation.json", &len);
	assert_int_equal(coop_parse(text, len, &o, NULL), ERR_OK);
	json_set_alloc_funcs(failing_malloc, free);
	j = load("consultation.json");
	/* Fail each allocation in turn until the call needs no more. */
	for (n = 0; ; n++) {
		fail_alloc(n);
		p = (void *)1;
		err = coop_from_json(j, &p, NULL);
		if (!failed()) {
			assert_int_equal(err, ERR_OK);
			coop_free(p);
			break;
		}
		assert_int_equal(err, ERR_NOMEM);
		assert_null(p);
		n_nomem++;
	}
	json_decref(j);
	/*
	 * Not coop_parse: under a failed allocation jansson 2.14's own text
	 * parser may report a syntax error, or even return a tree with a
	 * string missing a character, which no caller can tell apart.
	 */
	for (n = 0; ; n++) {
		fail_alloc(n);
		j = (void *)1;
		err = coop_to_json(o, &j, NULL);
		if (!failed()) {
			assert_int_equal(err, ERR_OK);
			json_decref(j);
			break;
		}
		assert_int_equal(err, ERR_NOMEM);
		assert_null(j);
		n_nomem++;
	}
	/* A ledger that fails to add is left as it was. */
	fail_alloc(-1);
	assert_int_equal(coop_ledger_new(a, COOP_NEVER, &l), ERR_OK);
	j = load("request.json");
	r = load("response-acknowledge.json");
	assert_int_equal(coop_ledger_add(l, j, t0, &v, NULL), ERR_OK);
	for (n = 0; ; n++) {
		fail_alloc(n);
		err = coop_ledger_add(l, r, t0 + HOUR, &v, NULL);
		if (!failed()) {
			assert_int_equal(err, ERR_OK);
			break;
		}
		assert_int_equal(err, ERR_NOMEM);
		assert_int_equal(coop_ledger_count(l), 1);
		assert_int_equal(get_item(l, "entente-request--60cc7265-90a2-"
		    "470b-8d13-2d5da4226bbb", t0 + DAY).n_accepted, 0);
		n_nomem++;
	}
	fail_alloc(-1);
	json_set_alloc_funcs(malloc, free);
	assert_int_equal(coop_ledger_count(l), 2);
	assert_int_equal(v.code, COOP_OK);
	assert_true(n_nomem > 20);
	json_decref(j);
	json_decref(r);
	coop_ledger_free(l);
	coop_free(o);
	free(text);
	agreement_free(a);
}

/* ---- the randomized comparison with a model ---- */

/*
 * The model: an item and its responses as plain numbers, and the rules of
 * docs/cooperation.md written as a transition function over them.  It
 * shares nothing with ledger.c but the documented rules.
 */
#define M_ACK_S		10	/* the agreement's PT10S */
#define M_ANSWER_S	30	/* and PT30S */
#define M_MAX_RESP	7

enum { M_OPEN, M_ACKED, M_ANSWERED, M_DECLINED, M_RESPONDED, M_CLOSED };

struct m_resp {
	int64_t		at, created;
	int		by;
	enum coop_action act;
	char		id[COOP_ID_MAX + 1];
	json_t		*j;
};

struct m_item {
	enum coop_type	type;
	int64_t		at, created;
	int		by, to;
	int		window_s;	/* checks */
	char		id[COOP_ID_MAX + 1];
	json_t		*j;
};

struct m_out {
	enum coop_state	state;
	int		acked, answered, closed;
	int64_t		acked_at, answered_at, closed_at;
	int		ack_in_time, answer_in_time;
	int		ack_overdue, answer_overdue;
	size_t		n_ok, n_bad;
	enum coop_code	code[M_MAX_RESP];
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* Response i sorts before response j. */
static int
m_before(const struct m_resp *a, const struct m_resp *b)
{
	return a->at < b->at || (a->at == b->at && strcmp(a->id, b->id) < 0);
}

/* One transition: the refusal code, or COOP_OK and *st / *out moved. */
static enum coop_code
m_step(const struct m_item *it, int *st, const struct m_resp *r,
    struct m_out *out)
{
	int final = *st == M_ANSWERED || *st == M_DECLINED ||
	    *st == M_CLOSED || (it->type == COOP_CHECK && out->answered);

	if (r->at < it->at)
		return COOP_BEFORE;
	if (r->created < it->created)
		return COOP_CREATED_BEFORE;
	if (r->act == COOP_ACT_CLOSE ? r->by != it->by : r->by != it->to)
		return COOP_WRONG_PARTY;
	if (final)
		return COOP_CLOSED;
	if (r->act == COOP_ACT_ACKNOWLEDGE && *st == M_ACKED)
		return COOP_ALREADY;
	switch (r->act) {
	case COOP_ACT_ACKNOWLEDGE:
		*st = M_ACKED;
		out->acked = 1;
		out->acked_at = r->at;
		return COOP_OK;
	case COOP_ACT_RESPOND:
		if (*st == M_OPEN) {
			out->answered = 1;
			out->answered_at = r->at;
		}
		*st = M_RESPONDED;
		return COOP_OK;
	case COOP_ACT_CLOSE:
		*st = M_CLOSED;
		out->closed = 1;
		out->closed_at = r->at;
		return COOP_OK;
	default:
		if (it->type == COOP_REQUEST && *st == M_OPEN) {
			out->acked = 1;
			out->acked_at = r->at;
		}
		*st = r->act == COOP_ACT_DECLINE ? M_DECLINED : M_ANSWERED;
		out->answered = out->closed = 1;
		out->answered_at = out->closed_at = r->at;
		return COOP_OK;
	}
}

/* The model's view of the item at now; codes judged from everything. */
static void
m_eval(const struct m_item *it, const struct m_resp *rs, size_t n,
    int have_item, int64_t now, struct m_out *out)
{
	const struct m_resp *order[M_MAX_RESP], *t;
	struct m_out all;
	int64_t ack_by = it->at + M_ACK_S * SEC;
	int64_t ans_by = it->at + (it->type == COOP_CHECK ? it->window_s :
	    M_ANSWER_S) * SEC;
	size_t i, j;
	int st;

	for (i = 0; i < n; i++)
		order[i] = &rs[i];
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && m_before(order[j], order[j - 1]); j--) {
			t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	memset(out, 0, sizeof(*out));
	memset(&all, 0, sizeof(all));
	/* Verdicts: the whole history. */
	st = M_OPEN;
	for (i = 0; i < n; i++) {
		enum coop_code c = have_item ? m_step(it, &st, order[i], &all) :
		    COOP_UNKNOWN;

		out->code[order[i] - rs] = c;
	}
	/* State at now: what was received by then. */
	st = M_OPEN;
	for (i = 0; i < n && order[i]->at <= now; i++) {
		if (m_step(it, &st, order[i], out) == COOP_OK)
			out->n_ok++;
		else
			out->n_bad++;
	}
	switch (it->type) {
	case COOP_REQUEST:
		out->state = st == M_OPEN ? COOP_ST_OPEN : st == M_ACKED ?
		    COOP_ST_ACKNOWLEDGED : st == M_ANSWERED ?
		    COOP_ST_ANSWERED : COOP_ST_DECLINED;
		out->ack_in_time = out->acked && out->acked_at <= ack_by;
		out->ack_overdue = !out->acked && now > ack_by;
		break;
	case COOP_CONSULTATION:
		out->state = st == M_OPEN ? COOP_ST_OPEN : st == M_RESPONDED ?
		    COOP_ST_RESPONDED : COOP_ST_CLOSED;
		break;
	default:
		out->state = out->answered ? (out->answered_at <= ans_by ?
		    COOP_ST_ANSWERED : COOP_ST_LATE) : now > ans_by ?
		    COOP_ST_MISSED : COOP_ST_SENT;
		break;
	}
	out->answer_in_time = out->answered && out->answered_at <= ans_by;
	out->answer_overdue = !out->answered && !out->closed && now > ans_by;
}

static int
m_compare(const struct coop_item *g, const struct m_out *m)
{
	return g->state == m->state && g->acked == m->acked &&
	    g->answered == m->answered && g->closed == m->closed &&
	    (!m->acked || g->acked_at == m->acked_at) &&
	    (!m->answered || g->answered_at == m->answered_at) &&
	    (!m->closed || g->closed_at == m->closed_at) &&
	    g->ack_in_time == m->ack_in_time &&
	    g->answer_in_time == m->answer_in_time &&
	    g->ack_overdue == m->ack_overdue &&
	    g->answer_overdue == m->answer_overdue &&
	    g->n_accepted == m->n_ok && g->n_refused == m->n_bad;
}

static void
test_model_random(void **state)
{
	static const enum coop_action acts[] = { COOP_ACT_ACKNOWLEDGE,
	    COOP_ACT_ANSWER, COOP_ACT_DECLINE, COOP_ACT_RESPOND,
	    COOP_ACT_CLOSE };
	struct agreement *a = make_agreement("PT10S", "PT30S",
	    "2026-01-01T00:00:00Z");
	struct m_resp rs[M_MAX_RESP];
	struct m_item it;
	struct m_out m;
	struct coop_ledger *l;
	struct coop_verdict v, vj;
	struct coop_item g;
	char window[16];
	int64_t t0 = ts("2026-06-01T00:00:00Z"), nows[48];
	size_t n, i, k, n_now, perm[M_MAX_RESP + 1], seq, bad = 0, tmp;
	size_t seen_state[16] = { 0 }, seen_code[COOP_CODE_COUNT_] = { 0 };
	size_t n_seq = 12000, n_checks = 0;
	int have_item;
	enum err err;

	(void)state;
	for (seq = 0; seq < n_seq; seq++) {
		memset(&it, 0, sizeof(it));
		it.type = rnd(3) == 0 ? COOP_REQUEST : rnd(2) ?
		    COOP_CONSULTATION : COOP_CHECK;
		if (rnd(2))
			it.type = COOP_REQUEST;
		/* Only CERT-North and CERT-South have protected clauses. */
		it.by = (int)rnd(it.type == COOP_CONSULTATION ? 2 : 3);
		it.to = (it.by + 1 + (int)rnd(2)) % 3;
		it.at = t0 + (int64_t)rnd(5) * SEC;
		it.created = it.at - (int64_t)rnd(3) * SEC;
		it.window_s = 1 + (int)rnd(20);
		(void)snprintf(window, sizeof(window), "PT%dS", it.window_s);
		it.j = item(it.type, party_ids[it.by], party_ids[it.to],
		    it.created, window, it.id);
		n = rnd(M_MAX_RESP + 1);
		for (i = 0; i < n; i++) {
			struct m_resp *r = &rs[i];
			int64_t dl = it.at + (rnd(2) ? M_ACK_S : it.type ==
			    COOP_CHECK ? it.window_s : M_ANSWER_S) * SEC;

			switch (it.type) {
			case COOP_REQUEST:
				r->act = acts[rnd(3)];
				break;
			case COOP_CONSULTATION:
				r->act = acts[3 + rnd(2)];
				break;
			default:
				r->act = COOP_ACT_ANSWER;
				break;
			}
			/* Mostly the addressee, sometimes anyone. */
			r->by = rnd(4) == 0 ? (int)rnd(3) :
			    r->act == COOP_ACT_CLOSE ? it.by : it.to;
			switch (rnd(6)) {
			case 0:		/* at a deadline, or next to it */
				r->at = dl + (int64_t)rnd(3) - 1;
				break;
			case 1:		/* before the item */
				r->at = it.at - 1 - (int64_t)rnd(3) * SEC;
				break;
			case 2:		/* at the same instant as another */
				r->at = i > 0 ? rs[rnd((uint32_t)i)].at :
				    it.at;
				break;
			default:
				r->at = it.at + (int64_t)rnd(40) * SEC;
				break;
			}
			r->created = rnd(8) == 0 ? it.created - SEC :
			    it.created + (int64_t)rnd(30) * SEC;
			r->j = response(party_ids[r->by], it.id, r->act,
			    r->created, r->id);
		}
		have_item = rnd(10) != 0;
		/* Feed in a random order, judging each response first. */
		for (i = 0; i <= n; i++)
			perm[i] = i;
		for (i = n; i > 0; i--) {
			k = rnd((uint32_t)(i + 1));
			tmp = perm[i];
			perm[i] = perm[k];
			perm[k] = tmp;
		}
		assert_int_equal(coop_ledger_new(a, COOP_NEVER, &l), ERR_OK);
		for (i = 0; i <= n; i++) {
			if (perm[i] == n) {
				if (have_item)
					assert_int_equal(coop_ledger_add(l,
					    it.j, it.at, &v, NULL), ERR_OK);
				continue;
			}
			k = perm[i];
			assert_int_equal(coop_ledger_judge(l, rs[k].j,
			    rs[k].at, &vj, NULL), ERR_OK);
			assert_int_equal(coop_ledger_add(l, rs[k].j, rs[k].at,
			    &v, NULL), ERR_OK);
			if (vj.code != v.code || strcmp(vj.reason, v.reason))
				bad++;
			/* Again: changes nothing. */
			if (rnd(8) == 0)
				assert_int_equal(coop_ledger_add(l, rs[k].j,
				    rs[k].at, &v, NULL), ERR_OK);
		}
		assert_int_equal(coop_ledger_count(l), n + (size_t)have_item);
		/* Verdicts. */
		m_eval(&it, rs, n, have_item, INT64_MAX, &m);
		for (i = 0; i < n; i++) {
			err = coop_ledger_response(l, rs[i].id, &v, NULL);
			assert_int_equal(err, ERR_OK);
			seen_code[v.code]++;
			if (v.code != m.code[i]) {
				if (bad < 5)
					print_message("seq %zu resp %zu: got "
					    "%s want %s\n", seq, i,
					    coop_code_name(v.code),
					    coop_code_name(m.code[i]));
				bad++;
			}
		}
		/* States at interesting instants. */
		n_now = 0;
		nows[n_now++] = it.at - 1;
		nows[n_now++] = it.at;
		nows[n_now++] = it.at + M_ACK_S * SEC;
		nows[n_now++] = it.at + M_ACK_S * SEC + 1;
		nows[n_now++] = it.at + M_ANSWER_S * SEC;
		nows[n_now++] = it.at + M_ANSWER_S * SEC + 1;
		nows[n_now++] = it.at + it.window_s * SEC;
		nows[n_now++] = it.at + it.window_s * SEC + 1;
		nows[n_now++] = t0 + 100 * SEC;
		for (i = 0; i < n; i++) {
			nows[n_now++] = rs[i].at - 1;
			nows[n_now++] = rs[i].at;
		}
		for (i = 0; i < n_now; i++) {
			n_checks++;
			err = coop_ledger_item(l, it.id, nows[i], &g);
			if (!have_item || nows[i] < it.at) {
				if (err != ERR_NOTFOUND)
					bad++;
				continue;
			}
			assert_int_equal(err, ERR_OK);
			m_eval(&it, rs, n, 1, nows[i], &m);
			seen_state[g.state]++;
			if (!m_compare(&g, &m)) {
				if (bad < 5)
					print_message("seq %zu now %zu: got %s "
					    "want %s\n", seq, i,
					    coop_state_name(g.state),
					    coop_state_name(m.state));
				bad++;
			}
		}
		coop_ledger_free(l);
		json_decref(it.j);
		for (i = 0; i < n; i++)
			json_decref(rs[i].j);
	}
	print_message("model: %zu sequences, %zu state checks, %zu "
	    "disagreements\n", n_seq, n_checks, bad);
	assert_int_equal(bad, 0);
	/* The generator reaches every state and every response verdict. */
	for (i = COOP_ST_OPEN; i <= COOP_ST_MISSED; i++)
		if (seen_state[i] < 50)
			fail_msg("state %s seen %zu times", coop_state_name(
			    (enum coop_state)i), seen_state[i]);
	for (i = COOP_UNKNOWN; i < COOP_CODE_COUNT_; i++)
		if (seen_code[i] < 50)
			fail_msg("code %s seen %zu times", coop_code_name(
			    (enum coop_code)i), seen_code[i]);
	assert_true(seen_code[COOP_OK] > 1000);
	agreement_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_refusal_limits),
		cmocka_unit_test(test_build_refusals),
		cmocka_unit_test(test_deadlines),
		cmocka_unit_test(test_static_refusals),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_request_paths),
		cmocka_unit_test(test_request_refusals),
		cmocka_unit_test(test_deadline_instant),
		cmocka_unit_test(test_consultation),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_scenario),
		cmocka_unit_test(test_nomem),
		cmocka_unit_test(test_model_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
