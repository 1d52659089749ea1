#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "policy/agreement.h"
#include "stix/jcs.h"
#include "stix/stix.h"
#include "util/timeutil.h"

#ifndef AGREEMENT_DATA_DIR
#define AGREEMENT_DATA_DIR "tests/data/agreements"
#endif

/* The CLI command under test (cli.h will declare it). */
int cmd_agreement(int argc, char **argv);

/* Three test parties: fixed seeds, so every run signs the same bytes. */
static uint8_t seed[3][CRYPTO_ED25519_SECRET_BYTES];
static uint8_t pub[3][CRYPTO_ED25519_PUBLIC_BYTES];
static char pub64[3][AGREEMENT_KEY_B64_LEN + 1];

static int
setup_keys(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {
		memset(seed[i], 0x11 * (i + 1), sizeof(seed[i]));
		crypto_ed25519_public(seed[i], pub[i]);
		if (crypto_b64_encode(pub[i], sizeof(pub[i]), 0, pub64[i],
		    sizeof(pub64[i])) != ERR_OK)
			return -1;
	}
	return 0;
}

static int64_t
ts(const char *s)
{
	int64_t us = 0;

	assert_int_equal(ts_parse(s, strlen(s), &us, NULL), ERR_OK);
	return us;
}

/* A valid document with every clause; new reference. */
static json_t *
make_doc(void)
{
	json_t *d;

	d = json_pack("{s:s, s:i, s:s, s:[{s:s,s:s,s:s},{s:s,s:s,s:s},"
	    "{s:s,s:s,s:s}], s:s, s:s, s:{s:[{s:s,s:s,s:[s,s],s:[s],s:s,"
	    "s:s},{s:s,s:s,s:[s],s:[s,s],s:[s],s:s,s:s}], s:{s:s,s:s},"
	    "s:[{s:s,s:[s],s:[s],s:[s],s:s}], s:{s:s}}}",
	    "id", "agreement--0f6c5a7e-3b9d-4e2a-9c1f-5d8e7b6a4c32",
	    "version", 3,
	    "title", "Test exchange",
	    "parties",
	    "name", "CERT-A", "key", pub64[0], "contact", "a@example.org",
	    "name", "CERT-B", "key", pub64[1], "contact", "b@example.org",
	    "name", "ISAC-C", "key", pub64[2], "contact", "c@example.org",
	    "valid_from", "2026-01-01T00:00:00Z",
	    "valid_until", "2027-01-01T00:00:00Z",
	    "clauses",
	    "share",
	    "from", "CERT-A", "to", "CERT-B", "types", "indicator", "malware",
	    "collections", "grid", "tlp_max", "red", "onward", "parties",
	    "from", "CERT-B", "to", "*", "types", "*", "labels_any", "energy",
	    "ics", "collections", "*", "tlp_max", "amber+strict", "onward",
	    "none",
	    "assistance", "acknowledge_within", "PT4H", "answer_within", "P3D",
	    "protected", "party", "CERT-A", "cidrs", "192.0.2.0/24", "domains",
	    "grid.a.example", "sectors", "energy", "pledge", "No attacks.",
	    "retention", "keep_for", "P180D");
	assert_non_null(d);
	return d;
}

static json_t *
path_get(json_t *doc, const char *a, const char *b, int idx)
{
	json_t *v = json_object_get(doc, a);

	if (b != NULL)
		v = json_object_get(v, b);
	if (idx >= 0)
		v = json_array_get(v, (size_t)idx);
	assert_non_null(v);
	return v;
}

static struct agreement *
parse_ok(json_t *doc)
{
	struct agreement_report rep;
	struct agreement *a = NULL;
	enum err err;

	agreement_report_init(&rep);
	err = agreement_from_json(doc, &a, &rep);
	if (err != ERR_OK)
		fail_msg("parse: %s (%zu problems; first: %s)", err_str(err),
		    rep.n, rep.n > 0 ? rep.msg[0] : "");
	assert_int_equal(rep.n, 0);
	return a;
}

static int
report_has(const struct agreement_report *rep, const char *msg)
{
	for (size_t i = 0; i < rep->n; i++)
		if (strcmp(rep->msg[i], msg) == 0)
			return 1;
	return 0;
}

/* doc (consumed) must be refused with ERR_INVALID and exactly msg. */
static void
expect_refused(json_t *doc, const char *msg)
{
	struct agreement_report rep;
	struct agreement *a = (struct agreement *)1;

	agreement_report_init(&rep);
	assert_int_equal(agreement_from_json(doc, &a, &rep), ERR_INVALID);
	assert_null(a);
	if (!report_has(&rep, msg)) {
		for (size_t i = 0; i < rep.n; i++)
			print_message("  got: %s\n", rep.msg[i]);
		fail_msg("expected problem: %s", msg);
	}
	assert_int_equal(rep.n, 1);
	json_decref(doc);
}

/* ---- durations ---- */

static void
test_duration_parse(void **state)
{
	static const char *const good[] = { "PT4H", "P3D", "P1Y6M", "P2W",
	    "P1DT12H", "PT0H30M", "P1Y2M3DT4H5M6S", "PT999999S", "P01D" };
	static const char *const badv[] = { "P", "PT", "P1DT", "P1W1D",
	    "P1.5D", "p1d", "P1D1Y", "P0D", "PT0S", "P1234567D", "PT1H2H",
	    "P1M2Y", "1D", "P1", "PD", "P1DT1D", "P1H", "PT1Y", "P1Y ",
	    "P-1D", "P1W0D", "PT1HT1M" };
	struct agreement_duration d;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (agreement_duration_parse(good[i], strlen(good[i]), &d) !=
		    ERR_OK)
			fail_msg("refused %s", good[i]);
	for (size_t i = 0; i < sizeof(badv) / sizeof(badv[0]); i++)
		if (agreement_duration_parse(badv[i], strlen(badv[i]), &d) !=
		    ERR_PARSE)
			fail_msg("accepted %s", badv[i]);
	assert_int_equal(agreement_duration_parse("P1Y2M3DT4H5M6S", 14, &d),
	    ERR_OK);
	assert_int_equal(d.years, 1);
	assert_int_equal(d.months, 2);
	assert_int_equal(d.weeks, 0);
	assert_int_equal(d.days, 3);
	assert_int_equal(d.hours, 4);
	assert_int_equal(d.minutes, 5);
	assert_int_equal(d.seconds, 6);
	assert_int_equal(agreement_duration_parse("P2W", 3, &d), ERR_OK);
	assert_int_equal(d.weeks, 2);
	/* A refused duration leaves zeros. */
	assert_int_equal(agreement_duration_parse("P1X", 3, &d), ERR_PARSE);
	assert_int_equal(d.weeks, 0);
}

static void
check_add(const char *dur, const char *from, const char *want)
{
	struct agreement_duration d;
	int64_t out = 0;
	char got[TS_BUFSZ];

	assert_int_equal(agreement_duration_parse(dur, strlen(dur), &d),
	    ERR_OK);
	assert_int_equal(agreement_duration_add(&d, ts(from), &out), ERR_OK);
	ts_format(out, got);
	if (strcmp(got, want) != 0)
		fail_msg("%s + %s = %s, want %s", from, dur, got, want);
}

static void
test_duration_add(void **state)
{
	struct agreement_duration d;
	int64_t out = 42;

	(void)state;
	check_add("P1M", "2024-01-31T10:00:00Z", "2024-02-29T10:00:00.000000Z");
	check_add("P1M", "2023-01-31T10:00:00Z", "2023-02-28T10:00:00.000000Z");
	check_add("P1Y", "2024-02-29T00:00:00Z", "2025-02-28T00:00:00.000000Z");
	check_add("P11M", "2024-03-15T00:00:00Z",
	    "2025-02-15T00:00:00.000000Z");
	check_add("PT36H", "2024-12-31T12:00:00.5Z",
	    "2025-01-02T00:00:00.500000Z");
	check_add("P2W", "1969-12-25T00:00:00Z", "1970-01-08T00:00:00.000000Z");
	check_add("P1D", "1900-02-28T00:00:00Z", "1900-03-01T00:00:00.000000Z");
	check_add("P1Y1D", "2000-02-28T00:00:00Z",
	    "2001-03-01T00:00:00.000000Z");
	check_add("P5Y", "2026-01-01T00:00:00Z", "2031-01-01T00:00:00.000000Z");
	/* Past year 9999. */
	assert_int_equal(agreement_duration_parse("P999999Y", 8, &d), ERR_OK);
	assert_int_equal(agreement_duration_add(&d, ts("2026-01-01T00:00:00Z"),
	    &out), ERR_RANGE);
	assert_int_equal(out, 42);
	assert_int_equal(agreement_duration_parse("PT1S", 4, &d), ERR_OK);
	assert_int_equal(agreement_duration_add(&d,
	    ts("9999-12-31T23:59:59Z"), &out), ERR_RANGE);
}

/* ---- parsing ---- */

static void
test_parse_valid(void **state)
{
	struct agreement *a;
	json_t *doc, *body;
	struct buf b;
	uint8_t want[CRYPTO_SHA256_BYTES];

	(void)state;
	doc = make_doc();
	a = parse_ok(doc);
	assert_string_equal(a->id,
	    "agreement--0f6c5a7e-3b9d-4e2a-9c1f-5d8e7b6a4c32");
	assert_int_equal(a->version, 3);
	assert_string_equal(a->title, "Test exchange");
	assert_int_equal(a->n_parties, 3);
	assert_string_equal(a->parties[2].name, "ISAC-C");
	assert_memory_equal(a->parties[1].key, pub[1], 32);
	assert_int_equal(a->valid_from, ts("2026-01-01T00:00:00Z"));
	assert_int_equal(a->valid_until, ts("2027-01-01T00:00:00Z"));
	assert_int_equal(a->n_share, 2);
	assert_int_equal(a->share[0].from, 0);
	assert_int_equal(a->share[0].to, 1);
	assert_int_equal(a->share[0].types.n, 2);
	assert_false(a->share[0].types.any);
	assert_string_equal(a->share[0].types.v[1], "malware");
	assert_int_equal(a->share[0].labels_any.n, 0);
	assert_int_equal(a->share[0].tlp_max, AGREEMENT_TLP_RED);
	assert_int_equal(a->share[0].onward, AGREEMENT_ONWARD_PARTIES);
	assert_true(a->share[1].to == AGREEMENT_TO_ALL);
	assert_true(a->share[1].types.any);
	assert_true(a->share[1].collections.any);
	assert_int_equal(a->share[1].labels_any.n, 2);
	assert_int_equal(a->share[1].tlp_max, AGREEMENT_TLP_AMBER_STRICT);
	assert_int_equal(a->share[1].onward, AGREEMENT_ONWARD_NONE);
	assert_true(a->has_assistance);
	assert_int_equal(a->acknowledge_within.hours, 4);
	assert_int_equal(a->answer_within.days, 3);
	assert_int_equal(a->n_protect, 1);
	assert_int_equal(a->protect[0].party, 0);
	assert_string_equal(a->protect[0].cidrs.v[0], "192.0.2.0/24");
	assert_true(a->has_retention);
	assert_int_equal(a->keep_for.days, 180);
	assert_int_equal(a->n_sigs, 0);
	/* The hash is SHA-256 of the RFC 8785 form, computed here apart. */
	body = json_deep_copy(doc);
	buf_init(&b, 1u << 20);
	assert_int_equal(jcs_serialize(body, &b), ERR_OK);
	crypto_sha256(b.ptr, b.len, want);
	assert_memory_equal(a->hash, want, sizeof(want));
	/* "signatures": [] changes nothing signed. */
	assert_int_equal(json_object_set_new(body, "signatures", json_array()),
	    0);
	agreement_free(a);
	a = parse_ok(body);
	assert_memory_equal(a->hash, want, sizeof(want));
	agreement_free(a);
	buf_reset(&b);
	json_decref(body);
	json_decref(doc);
}

static void
test_identity_id(void **state)
{
	/* RFC 8032 7.1 TEST 1 public key; value from Python's uuid.uuid5. */
	static const uint8_t k[32] = {
		0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b,
		0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3,
		0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07,
		0x51, 0x1a };
	char id[AGREEMENT_IDENTITY_LEN + 1];

	(void)state;
	agreement_identity_id(k, id);
	assert_string_equal(id,
	    "identity--1e46928f-5173-51f9-90ca-d1df842076fc");
	assert_true(stix_id_valid(id));
}

static void
test_refusals(void **state)
{
	json_t *d;

	(void)state;
	d = make_doc();
	json_object_set_new(d, "colour", json_string("blue"));
	expect_refused(d, "colour: unknown member");

	d = make_doc();
	json_object_set_new(path_get(d, "clauses", NULL, -1), "arbitration",
	    json_object());
	expect_refused(d, "clauses.arbitration: unknown clause");

	d = make_doc();
	json_object_set_new(path_get(d, "clauses", "share", 1), "priority",
	    json_integer(1));
	expect_refused(d, "clauses.share[1].priority: unknown member");

	d = make_doc();
	json_object_set_new(d, "valid_until",
	    json_string("2026-01-01T00:00:00Z"));
	expect_refused(d, "valid_until: not after valid_from (an impossible "
	    "window)");

	d = make_doc();
	json_object_set_new(d, "valid_from", json_string("2026-13-01T00:00Z"));
	expect_refused(d, "valid_from: not an RFC 3339 UTC timestamp "
	    "(YYYY-MM-DDTHH:MM:SS[.frac]Z)");

	d = make_doc();
	json_object_set_new(path_get(d, "parties", NULL, 2), "name",
	    json_string("cert-a"));
	/* The renamed party is referenced nowhere, so one problem only. */
	expect_refused(d, "parties[2].name: duplicate party name (parties[0] "
	    "has it)");

	d = make_doc();
	json_object_set_new(path_get(d, "parties", NULL, 2), "key",
	    json_string(pub64[0]));
	expect_refused(d, "parties[2].key: duplicate key (parties[0] has it)");

	d = make_doc();
	json_object_set_new(path_get(d, "parties", NULL, 1), "key",
	    json_string("AAAA"));
	expect_refused(d, "parties[1].key: malformed key: not the standard "
	    "base64 (44 characters) of a 32-byte Ed25519 public key");

	d = make_doc();
	json_object_set_new(path_get(d, "clauses", "share", 0), "to",
	    json_string("CERT-X"));
	expect_refused(d, "clauses.share[0].to: names no party (\"CERT-X\")");

	d = make_doc();
	json_object_set_new(path_get(d, "clauses", "share", 0), "from",
	    json_string("Nobody"));
	expect_refused(d, "clauses.share[0].from: names no party "
	    "(\"Nobody\")");

	d = make_doc();
	json_object_set_new(path_get(d, "clauses", "share", 0), "to",
	    json_string("CERT-A"));
	expect_refused(d, "clauses.share[0].to: from and to name the same "
	    "party");

	d = make_doc();
	json_object_set_new(path_get(d, "clauses", "share", 0), "tlp_max",
	    json_string("orange"));
	expect_refused(d, "clauses.share[0].tlp_max: must be \"clear\", "
	    "\"green\", \"amber\", \"amber+strict\" or \"red\"");

	d = make_doc();
	json_object_set_new(path_get(d, "clauses", "share", 0), "tlp_max",
	    json_string("white"));
	expect_refused(d, "clauses.share[0].tlp_max: must be \"clear\", "
	    "\"green\", \"amber\", \"amber+strict\" or \"red\"");

	d = make_doc();
	json_object_set_new(path_get(d, "clauses", "share", 1), "onward",
	    json_string("some"));
	expect_refused(d, "clauses.share[1].onward: must be \"none\", "
	    "\"parties\" or \"any\"");

	d = make_doc();
	json_object_set_new(path_get(d, "clauses", "share", 0), "to",
	    json_string("*"));
	expect_refused(d, "clauses.share[0].tlp_max: \"red\" needs `to` to "
	    "name one party (TLP:RED goes only to parties named "
	    "individually)");

	d = make_doc();
	json_object_set_new(path_get(d, "clauses", "assistance", -1),
	    "answer_within", json_string("3 days"));
	expect_refused(d, "clauses.assistance.answer_within: not an ISO 8601 "
	    "duration of whole numbers (e.g. \"PT4H\", \"P3D\", \"P1Y6M\", "
	    "\"P2W\"), longer than zero");

	d = make_doc();
	json_object_set_new(path_get(d, "clauses", "assistance", -1),
	    "answer_within", json_string("PT1H"));
	expect_refused(d, "clauses.assistance.answer_within: shorter than "
	    "acknowledge_within");

	d = make_doc();
	json_object_set_new(path_get(d, "clauses", "retention", -1),
	    "keep_for", json_string("P0D"));
	expect_refused(d, "clauses.retention.keep_for: not an ISO 8601 "
	    "duration of whole numbers (e.g. \"PT4H\", \"P3D\", \"P1Y6M\", "
	    "\"P2W\"), longer than zero");

	d = make_doc();
	json_object_set_new(d, "version", json_integer(0));
	expect_refused(d, "version: must be from 1 to 4294967295");

	d = make_doc();
	json_object_set_new(d, "version", json_real(1.0));
	expect_refused(d, "version: must be an integer");

	d = make_doc();
	json_object_set_new(d, "id",
	    json_string("agreement--0F6C5A7E-3B9D-4E2A-9C1F-5D8E7B6A4C32"));
	expect_refused(d, "id: must be \"agreement--\" and a lower-case UUID");

	d = make_doc();
	json_array_set_new(json_object_get(path_get(d, "clauses", "protected",
	    0), "cidrs"), 0, json_string("192.0.2.1/24"));
	expect_refused(d, "clauses.protected[0].cidrs[0]: bits set past the "
	    "prefix length (\"192.0.2.1/24\")");

	d = make_doc();
	json_array_set_new(json_object_get(path_get(d, "clauses", "protected",
	    0), "cidrs"), 0, json_string("2001:DB8::/32"));
	expect_refused(d, "clauses.protected[0].cidrs[0]: address not in "
	    "canonical form (lower case, shortest) (\"2001:DB8::/32\")");

	d = make_doc();
	json_array_set_new(json_object_get(path_get(d, "clauses", "protected",
	    0), "domains"), 0, json_string("Grid.A.example"));
	expect_refused(d, "clauses.protected[0].domains[0]: not a lower-case "
	    "domain name (\"Grid.A.example\")");

	d = make_doc();
	json_array_set_new(json_object_get(path_get(d, "clauses", "share", 0),
	    "types"), 1, json_string("Malware"));
	expect_refused(d, "clauses.share[0].types[1]: not a STIX type name "
	    "(\"Malware\")");

	d = make_doc();
	json_array_set_new(json_object_get(path_get(d, "clauses", "share", 0),
	    "types"), 1, json_string("indicator"));
	expect_refused(d, "clauses.share[0].types[1]: duplicate value "
	    "\"indicator\"");

	d = make_doc();
	json_array_append_new(json_object_get(path_get(d, "clauses", "share",
	    1), "types"), json_string("indicator"));
	expect_refused(d, "clauses.share[1].types[0]: \"*\" must be the only "
	    "item");

	d = make_doc();
	json_object_set_new(path_get(d, "clauses", "share", 0), "types",
	    json_array());
	expect_refused(d, "clauses.share[0].types: must have at least 1 item");

	d = make_doc();
	json_object_del(path_get(d, "clauses", "share", 0), "onward");
	expect_refused(d, "clauses.share[0].onward: missing");

	d = make_doc();
	json_object_del(d, "title");
	expect_refused(d, "title: missing");

	d = make_doc();
	json_object_set_new(d, "title", json_string("a\x01z"));
	expect_refused(d, "title: contains a control character");

	d = make_doc();
	json_array_remove(json_object_get(d, "parties"), 2);
	json_array_remove(json_object_get(d, "parties"), 1);
	json_object_set_new(path_get(d, "clauses", NULL, -1), "share",
	    json_array());
	json_object_del(path_get(d, "clauses", NULL, -1), "protected");
	expect_refused(d, "parties: must have at least 2 items");
}

static void
test_every_problem_reported(void **state)
{
	struct agreement_report rep;
	struct agreement *a = NULL;
	json_t *d;

	(void)state;
	d = make_doc();
	json_object_set_new(d, "extra", json_true());
	json_object_set_new(d, "valid_until",
	    json_string("2025-01-01T00:00:00Z"));
	json_object_set_new(path_get(d, "clauses", "share", 0), "to",
	    json_string("CERT-X"));
	json_object_set_new(path_get(d, "clauses", "share", 1), "onward",
	    json_string("maybe"));
	json_object_set_new(path_get(d, "parties", NULL, 2), "key",
	    json_string("not base64!"));
	agreement_report_init(&rep);
	assert_int_equal(agreement_from_json(d, &a, &rep), ERR_INVALID);
	assert_null(a);
	assert_int_equal(rep.n, 5);
	assert_true(report_has(&rep, "extra: unknown member"));
	assert_true(report_has(&rep, "valid_until: not after valid_from (an "
	    "impossible window)"));
	assert_true(report_has(&rep, "clauses.share[0].to: names no party "
	    "(\"CERT-X\")"));
	assert_true(report_has(&rep, "clauses.share[1].onward: must be "
	    "\"none\", \"parties\" or \"any\""));
	assert_true(report_has(&rep, "parties[2].key: malformed key: not the "
	    "standard base64 (44 characters) of a 32-byte Ed25519 public "
	    "key"));
	json_decref(d);
}

static void
test_parse_text(void **state)
{
	struct agreement_report rep;
	struct agreement *a = (struct agreement *)1;
	char *big;

	(void)state;
	agreement_report_init(&rep);
	assert_int_equal(agreement_parse("{\"id\":1,\"id\":2}", 15, &a, &rep),
	    ERR_PARSE);
	assert_null(a);
	assert_int_equal(rep.n, 1);
	assert_non_null(strstr(rep.msg[0], "duplicate"));
	agreement_report_init(&rep);
	assert_int_equal(agreement_parse("[1]", 3, &a, &rep), ERR_PARSE);
	assert_string_equal(rep.msg[0], "the document is not a JSON object");
	big = calloc(1, AGREEMENT_MAX_BYTES + 2);
	assert_non_null(big);
	memset(big, ' ', AGREEMENT_MAX_BYTES + 1);
	agreement_report_init(&rep);
	assert_int_equal(agreement_parse(big, AGREEMENT_MAX_BYTES + 1, &a,
	    &rep), ERR_TOOBIG);
	free(big);
	/* Too many share clauses, past the named limit. */
	{
		json_t *d = make_doc(), *sh;

		sh = json_object_get(path_get(d, "clauses", NULL, -1),
		    "share");
		while (json_array_size(sh) <= AGREEMENT_MAX_SHARE)
			json_array_append(sh, json_array_get(sh, 1));
		expect_refused(d, "clauses.share: more than 128 items");
	}
	/* Reports cap and count the rest. */
	{
		json_t *d = make_doc();
		char k[16];

		for (int i = 0; i < 40; i++) {
			(void)snprintf(k, sizeof(k), "x%d", i);
			json_object_set_new(d, k, json_null());
		}
		agreement_report_init(&rep);
		assert_int_equal(agreement_from_json(d, &a, &rep),
		    ERR_INVALID);
		assert_int_equal(rep.n, AGREEMENT_REPORT_MAX);
		assert_int_equal(rep.n_more, 40 - AGREEMENT_REPORT_MAX);
		json_decref(d);
	}
}

/* ---- signatures ---- */

static void
test_sign_verify(void **state)
{
	struct agreement_report rep;
	struct agreement *a, *b;
	uint8_t other[32];
	json_t *doc, *j1, *j2;
	int64_t now = ts("2026-06-01T00:00:00Z");

	(void)state;
	doc = make_doc();
	a = parse_ok(doc);
	b = parse_ok(doc);
	/* Unsigned: three missing signatures. */
	agreement_report_init(&rep);
	assert_int_equal(agreement_verify(a, now, 0, &rep), ERR_INVALID);
	assert_int_equal(rep.n, 3);
	assert_string_equal(rep.msg[1], "CERT-B (parties[1]) has not signed");
	/* Signing order does not matter: A,B,C and C,A,B agree. */
	assert_int_equal(agreement_sign(a, seed[0]), ERR_OK);
	agreement_report_init(&rep);
	assert_int_equal(agreement_verify(a, now, AGREEMENT_VERIFY_PARTIAL,
	    &rep), ERR_OK);
	assert_int_equal(agreement_sign(a, seed[1]), ERR_OK);
	assert_int_equal(agreement_sign(a, seed[2]), ERR_OK);
	assert_int_equal(agreement_sign(b, seed[2]), ERR_OK);
	assert_int_equal(agreement_sign(b, seed[0]), ERR_OK);
	assert_int_equal(agreement_sign(b, seed[1]), ERR_OK);
	assert_int_equal(agreement_sign(b, seed[1]), ERR_OK);	/* again */
	assert_int_equal(b->n_sigs, 3);
	assert_int_equal(agreement_to_json(a, &j1), ERR_OK);
	assert_int_equal(agreement_to_json(b, &j2), ERR_OK);
	assert_true(json_equal(j1, j2));
	agreement_report_init(&rep);
	assert_int_equal(agreement_verify(a, now, 0, &rep), ERR_OK);
	assert_int_equal(rep.n, 0);
	/* Outside the window. */
	agreement_report_init(&rep);
	assert_int_equal(agreement_verify(a, ts("2025-12-31T23:59:59Z"), 0,
	    &rep), ERR_INVALID);
	assert_string_equal(rep.msg[0], "not yet valid: valid_from is "
	    "2026-01-01T00:00:00.000000Z");
	agreement_report_init(&rep);
	assert_int_equal(agreement_verify(a, ts("2027-01-01T00:00:00Z"), 0,
	    &rep), ERR_INVALID);
	assert_string_equal(rep.msg[0], "expired: valid_until was "
	    "2027-01-01T00:00:00.000000Z");
	assert_int_equal(agreement_verify(a, ts("2030-01-01T00:00:00Z"),
	    AGREEMENT_VERIFY_NO_WINDOW, NULL), ERR_OK);
	/* A key that is no party's cannot sign. */
	memset(other, 0x77, sizeof(other));
	assert_int_equal(agreement_sign(a, other), ERR_NOTFOUND);
	assert_int_equal(a->n_sigs, 3);
	agreement_free(a);
	agreement_free(b);

	/* Round trip through JSON keeps hash and signatures. */
	a = parse_ok(j1);
	assert_int_equal(a->n_sigs, 3);
	assert_int_equal(agreement_verify(a, now, 0, NULL), ERR_OK);
	agreement_free(a);

	/* Tampering: a changed clause breaks every signature, each named. */
	json_object_set_new(path_get(j1, "clauses", "share", 0), "tlp_max",
	    json_string("amber"));
	a = parse_ok(j1);
	agreement_report_init(&rep);
	assert_int_equal(agreement_verify(a, now, 0, &rep), ERR_CRYPTO);
	assert_int_equal(rep.n, 3);
	assert_string_equal(rep.msg[2], "signature of ISAC-C (parties[2]): "
	    "does not verify (the document was changed after signing, or the "
	    "signature is damaged)");
	agreement_free(a);

	/* A damaged signature: only that one fails. */
	{
		json_t *s = path_get(j2, "signatures", NULL, 1);
		char sig[AGREEMENT_SIG_B64_LEN + 1];

		memcpy(sig, json_string_value(json_object_get(s, "sig")),
		    sizeof(sig));
		sig[10] = sig[10] == 'A' ? 'B' : 'A';
		json_object_set_new(s, "sig", json_string(sig));
		a = parse_ok(j2);
		agreement_report_init(&rep);
		assert_int_equal(agreement_verify(a, now, 0, &rep),
		    ERR_CRYPTO);
		assert_int_equal(rep.n, 1);
		assert_non_null(strstr(rep.msg[0], "CERT-B"));
		agreement_free(a);
	}
	/* A signature by a key that is no party's is refused at parse. */
	json_object_set_new(path_get(j2, "signatures", NULL, 1), "key",
	    json_string("d1qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="));
	expect_refused(json_incref(j2), "signatures[1].key: not the key of a "
	    "party");
	json_decref(j1);
	json_decref(j2);
	json_decref(doc);
}

/* ---- STIX ---- */

static void
test_stix_roundtrip(void **state)
{
	struct agreement_report rep;
	struct stix_info info;
	struct agreement *a, *b = NULL;
	char reason[256];
	json_t *doc, *obj;

	(void)state;
	doc = make_doc();
	a = parse_ok(doc);
	assert_int_equal(agreement_sign(a, seed[0]), ERR_OK);
	assert_int_equal(agreement_to_stix(a, &obj), ERR_OK);
	assert_int_equal(stix_validate(obj, &info, reason, sizeof(reason)),
	    ERR_OK);
	assert_string_equal(info.type, "entente-agreement");
	/* uuid5(namespace, "agreement--0f6c...4c32/3") from Python. */
	assert_string_equal(info.id, "entente-agreement--"
	    "584429b1-ab5c-54c4-bd36-a4aff6da0a22");
	assert_int_equal(info.created, a->valid_from);
	agreement_report_init(&rep);
	assert_int_equal(agreement_from_stix(obj, &b, &rep), ERR_OK);
	assert_memory_equal(b->hash, a->hash, sizeof(a->hash));
	assert_int_equal(b->n_sigs, 1);
	assert_int_equal(agreement_verify(b, 0, AGREEMENT_VERIFY_PARTIAL |
	    AGREEMENT_VERIFY_NO_WINDOW, NULL), ERR_OK);
	agreement_free(b);

	/* Not what agreement_to_stix would write: refused, named. */
	json_object_set_new(obj, "id", json_string("entente-agreement--"
	    "00000000-0000-4000-8000-000000000000"));
	json_object_set_new(obj, "labels", json_pack("[s]", "x"));
	agreement_report_init(&rep);
	assert_int_equal(agreement_from_stix(obj, &b, &rep), ERR_INVALID);
	assert_null(b);
	assert_true(report_has(&rep, "labels: unknown property"));
	json_object_del(obj, "labels");
	agreement_report_init(&rep);
	assert_int_equal(agreement_from_stix(obj, &b, &rep), ERR_INVALID);
	assert_true(report_has(&rep, "id: must be entente-agreement--"
	    "584429b1-ab5c-54c4-bd36-a4aff6da0a22 for the document it "
	    "carries"));
	json_decref(obj);
	agreement_free(a);
	json_decref(doc);
}

/* ---- terminations ---- */

static void
test_termination(void **state)
{
	struct agreement_report rep;
	struct agreement_termination *t = NULL, *t2 = NULL;
	struct stix_info info;
	struct agreement *a, *other;
	char reason[256];
	json_t *doc, *j, *obj;
	int64_t at = ts("2026-07-01T12:00:00Z");

	(void)state;
	doc = make_doc();
	a = parse_ok(doc);
	agreement_report_init(&rep);
	assert_int_equal(agreement_termination_new(a, pub[1], at, "Done.\n",
	    &t, &rep), ERR_OK);
	assert_string_equal(t->agreement_id, a->id);
	assert_int_equal(t->version, 3);
	assert_int_equal(t->time, at);
	assert_false(t->is_signed);
	agreement_report_init(&rep);
	assert_int_equal(agreement_termination_verify(t, a, &rep), ERR_CRYPTO);
	assert_string_equal(rep.msg[0], "signature: missing (the record is "
	    "not signed)");
	/* Only the named party signs it. */
	assert_int_equal(agreement_termination_sign(t, seed[0]),
	    ERR_FORBIDDEN);
	assert_int_equal(agreement_termination_sign(t, seed[1]), ERR_OK);
	assert_int_equal(agreement_termination_verify(t, a, NULL), ERR_OK);
	/* Through JSON and STIX and back. */
	assert_int_equal(agreement_termination_to_json(t, &j), ERR_OK);
	agreement_report_init(&rep);
	assert_int_equal(agreement_termination_from_json(j, &t2, &rep), ERR_OK);
	assert_memory_equal(t2->hash, t->hash, sizeof(t->hash));
	assert_int_equal(agreement_termination_verify(t2, a, NULL), ERR_OK);
	agreement_termination_free(t2);
	assert_int_equal(agreement_termination_to_stix(t, &obj), ERR_OK);
	assert_int_equal(stix_validate(obj, &info, reason, sizeof(reason)),
	    ERR_OK);
	assert_non_null(info.created_by_ref);
	assert_string_equal(info.created_by_ref, a->parties[1].identity);
	assert_int_equal(agreement_termination_from_stix(obj, &t2, &rep),
	    ERR_OK);
	assert_int_equal(agreement_termination_verify(t2, a, NULL), ERR_OK);
	agreement_termination_free(t2);
	json_decref(obj);
	/* Tampered reason: the signature fails. */
	json_object_set_new(j, "reason", json_string("Done!\n"));
	assert_int_equal(agreement_termination_from_json(j, &t2, NULL), ERR_OK);
	agreement_report_init(&rep);
	assert_int_equal(agreement_termination_verify(t2, a, &rep), ERR_CRYPTO);
	assert_string_equal(rep.msg[0], "signature: does not verify with the "
	    "key in `party`");
	agreement_termination_free(t2);
	/* Against another version: named. */
	json_object_set_new(doc, "version", json_integer(4));
	other = parse_ok(doc);
	agreement_report_init(&rep);
	assert_int_equal(agreement_termination_verify(t, other, &rep),
	    ERR_INVALID);
	assert_string_equal(rep.msg[0], "version: 3, but the agreement is at "
	    "version 4");
	agreement_free(other);
	/* Refusals. */
	assert_int_equal(agreement_termination_new(a, (const uint8_t *)
	    "0123456789abcdef0123456789abcdef", at, "x", &t2, NULL),
	    ERR_NOTFOUND);
	assert_null(t2);
	agreement_report_init(&rep);
	assert_int_equal(agreement_termination_new(a, pub[0], at, "", &t2,
	    &rep), ERR_INVALID);
	json_object_set_new(j, "why", json_string("x"));
	agreement_report_init(&rep);
	assert_int_equal(agreement_termination_from_json(j, &t2, &rep),
	    ERR_INVALID);
	assert_string_equal(rep.msg[0], "why: unknown member");
	json_decref(j);
	agreement_termination_free(t);
	agreement_free(a);
	json_decref(doc);
}

/* ---- the documented example ---- */

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

static void
test_example_verifies(void **state)
{
	struct agreement_report rep;
	struct agreement_termination *t = NULL;
	struct agreement *a = NULL;
	struct stix_info info;
	char *text, reason[256];
	json_t *arr, *v;
	size_t len, i;

	(void)state;
	text = slurp(AGREEMENT_DATA_DIR "/example.json", &len);
	agreement_report_init(&rep);
	assert_int_equal(agreement_parse(text, len, &a, &rep), ERR_OK);
	free(text);
	assert_int_equal(a->n_parties, 3);
	assert_int_equal(a->n_sigs, 3);
	assert_int_equal(agreement_verify(a, ts("2026-06-01T00:00:00Z"), 0,
	    &rep), ERR_OK);
	text = slurp(AGREEMENT_DATA_DIR "/example-termination.json", &len);
	assert_int_equal(agreement_termination_parse(text, len, &t, &rep),
	    ERR_OK);
	free(text);
	assert_int_equal(agreement_termination_verify(t, a, &rep), ERR_OK);
	assert_int_equal(agreement_party_find(a, t->party), 1);
	agreement_termination_free(t);
	agreement_free(a);
	/* The extension definitions of the STIX mapping are valid STIX. */
	text = slurp(AGREEMENT_DATA_DIR "/extension-definitions.json", &len);
	arr = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	free(text);
	assert_non_null(arr);
	json_array_foreach(arr, i, v) {
		if (stix_validate(v, &info, reason, sizeof(reason)) != ERR_OK)
			fail_msg("extension definition %zu: %s", i, reason);
	}
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    arr, 1), "id")), AGREEMENT_STIX_EXT);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    arr, 2), "id")), AGREEMENT_STIX_TERM_EXT);
	json_decref(arr);
}

/* ---- the CLI ---- */

static char tmpdir[64];

static void
tmp_path(char *out, size_t cap, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", tmpdir, name);

	assert_true(n > 0 && (size_t)n < cap);
}

/* Run `entente agreement ARGS...` with stdout sent to /dev/null. */
static int
run(int argc, const char **args)
{
	char *argv[32];
	int saved, devnull, rc;

	assert_true(argc < 31);
	argv[0] = (char *)"agreement";
	for (int i = 0; i < argc; i++)
		argv[i + 1] = (char *)args[i];
	argv[argc + 1] = NULL;
	fflush(stdout);
	saved = dup(1);
	devnull = open("/dev/null", O_WRONLY);
	assert_true(saved >= 0 && devnull >= 0);
	dup2(devnull, 1);
	close(devnull);
	rc = cmd_agreement(argc + 1, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	return rc;
}

/* Make DIR/name/identity.key (0600) from a base64 seed file. */
static void
key_dir(const char *name, const char *seedfile, char *dir, size_t cap)
{
	uint8_t s[32];
	char path[256], *text;
	size_t len, n;

	tmp_path(dir, cap, name);
	assert_int_equal(mkdir(dir, 0700), 0);
	text = slurp(seedfile, &len);
	assert_true(len >= 44);
	assert_int_equal(crypto_b64_decode(text, 44, 0, s, sizeof(s), &n),
	    ERR_OK);
	free(text);
	(void)snprintf(path, sizeof(path), "%s/identity.key", dir);
	assert_int_equal(crypto_key_save(path, s), ERR_OK);
}

static int
cli_setup(void **state)
{
	(void)state;
	(void)snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_agreement.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
cli_teardown(void **state)
{
	char cmd[128];

	(void)state;
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_cli_example(void **state)
{
	char out[256], n[256], s[256], e[256];
	char *want, *got;
	size_t wlen, glen;

	(void)state;
	key_dir("north", AGREEMENT_DATA_DIR "/cert-north.key", n, sizeof(n));
	key_dir("south", AGREEMENT_DATA_DIR "/cert-south.key", s, sizeof(s));
	key_dir("isac", AGREEMENT_DATA_DIR "/energy-isac.key", e, sizeof(e));
	tmp_path(out, sizeof(out), "example.json");
	/* The documented steps give the documented bytes (Ed25519 is
	 * deterministic). */
	{
		char arg[300];

		(void)snprintf(arg, sizeof(arg), "--out=%s", out);
		assert_int_equal(run(4, (const char *[]){ "draft", "--params",
		    AGREEMENT_DATA_DIR "/example-params.json", arg }), 0);
	}
	assert_int_equal(run(6, (const char *[]){ "verify", out, "--at",
	    "2026-06-01T00:00:00Z", "--partial", "--json" }), 0);
	assert_int_equal(run(4, (const char *[]){ "verify", out, "--at",
	    "2026-06-01T00:00:00Z" }), 1);
	assert_int_equal(run(4, (const char *[]){ "sign", out, "--dir", s }),
	    0);
	assert_int_equal(run(4, (const char *[]){ "sign", out, "--dir", n }),
	    0);
	assert_int_equal(run(4, (const char *[]){ "verify", out, "--at",
	    "2026-06-01T00:00:00Z" }), 1);
	assert_int_equal(run(4, (const char *[]){ "sign", out, "--dir", e }),
	    0);
	assert_int_equal(run(4, (const char *[]){ "verify", out, "--at",
	    "2026-06-01T00:00:00Z" }), 0);
	assert_int_equal(run(4, (const char *[]){ "verify", out, "--at",
	    "2031-01-01T00:00:00Z" }), 1);
	want = slurp(AGREEMENT_DATA_DIR "/example.json", &wlen);
	got = slurp(out, &glen);
	assert_int_equal(glen, wlen);
	assert_memory_equal(got, want, wlen);
	free(want);
	free(got);
	/* The checked-in example verifies through the CLI too. */
	assert_int_equal(run(4, (const char *[]){ "verify",
	    AGREEMENT_DATA_DIR "/example.json", "--at",
	    "2026-06-01T00:00:00Z" }), 0);
	assert_int_equal(run(6, (const char *[]){ "verify",
	    AGREEMENT_DATA_DIR "/example-termination.json", "--agreement",
	    AGREEMENT_DATA_DIR "/example.json", "--at",
	    "2026-06-01T00:00:00Z" }), 0);
	assert_int_equal(run(2, (const char *[]){ "stix", out }), 0);
	/* Bad input: usage and not found. */
	assert_int_equal(run(1, (const char *[]){ "sign" }), 2);
	assert_int_equal(run(2, (const char *[]){ "verify",
	    "/nonexistent/x.json" }), 3);
}

static void
test_cli_draft_flags(void **state)
{
	char out[256], term[256], a[256], b[256], arg[300], party_a[200],
	    party_b[200];
	struct agreement *ag = NULL;
	char *text;
	size_t len;

	(void)state;
	key_dir("fa", AGREEMENT_DATA_DIR "/cert-north.key", a, sizeof(a));
	key_dir("fb", AGREEMENT_DATA_DIR "/cert-south.key", b, sizeof(b));
	(void)snprintf(party_a, sizeof(party_a), "A,%s,a@example.org",
	    "6VwcH1emOaQ+JoKttlvVuKSrblJyQhC+aI+YvQgR6Qc=");
	(void)snprintf(party_b, sizeof(party_b), "B,%s,b@example.org",
	    "N3x1w8Z/91qpiW+Jha73AjGv9YNwdkqyv3D9GlUN89A=");
	tmp_path(out, sizeof(out), "flags.json");
	(void)snprintf(arg, sizeof(arg), "--out=%s", out);
	assert_int_equal(run(20, (const char *[]){ "draft", "--title", "T",
	    "--party", party_a, "--party", party_b, "--valid-from",
	    "2026-01-01T00:00:00Z", "--valid-for", "P2Y", "--share",
	    "from=A,to=B,types=indicator+malware,collections=c1,"
	    "tlp=amber+strict,onward=none,labels=x+y", "--protected",
	    "party=B,cidrs=10.0.0.0/8,pledge=No, never.", "--retention",
	    "P30D", arg, "--id",
	    "agreement--11111111-2222-4333-8444-555555555555" }), 0);
	text = slurp(out, &len);
	assert_int_equal(agreement_parse(text, len, &ag, NULL), ERR_OK);
	free(text);
	assert_string_equal(ag->id,
	    "agreement--11111111-2222-4333-8444-555555555555");
	assert_int_equal(ag->version, 1);
	assert_int_equal(ag->valid_until, ts("2028-01-01T00:00:00Z"));
	assert_int_equal(ag->share[0].tlp_max, AGREEMENT_TLP_AMBER_STRICT);
	assert_int_equal(ag->share[0].labels_any.n, 2);
	assert_string_equal(ag->protect[0].pledge, "No, never.");
	assert_int_equal(ag->keep_for.days, 30);
	agreement_free(ag);
	/* A refused draft writes nothing and exits 1. */
	tmp_path(term, sizeof(term), "bad.json");
	(void)snprintf(arg, sizeof(arg), "--out=%s", term);
	assert_int_equal(run(12, (const char *[]){ "draft", "--title", "T",
	    "--party", party_a, "--party", party_b, "--valid-from",
	    "2026-01-01T00:00:00Z", "--valid-until", "2025-01-01T00:00:00Z",
	    arg }), 1);
	assert_int_equal(access(term, F_OK), -1);
	/* Amend: version 2, the signatures of version 1 gone. */
	assert_int_equal(run(4, (const char *[]){ "sign", out, "--dir", a }),
	    0);
	tmp_path(term, sizeof(term), "v2.json");
	(void)snprintf(arg, sizeof(arg), "--out=%s", term);
	assert_int_equal(run(6, (const char *[]){ "draft", "--amend", out,
	    "--version", "5", arg }), 2);
	assert_int_equal(run(6, (const char *[]){ "draft", "--amend", out,
	    "--title", "T2", arg }), 0);
	text = slurp(term, &len);
	assert_int_equal(agreement_parse(text, len, &ag, NULL), ERR_OK);
	free(text);
	assert_int_equal(ag->version, 2);
	assert_int_equal(ag->n_sigs, 0);
	assert_string_equal(ag->title, "T2");
	agreement_free(ag);
	/* Termination: draft by B's node, signed by B, verified. */
	tmp_path(term, sizeof(term), "term.json");
	(void)snprintf(arg, sizeof(arg), "--out=%s", term);
	assert_int_equal(run(7, (const char *[]){ "terminate-draft", out,
	    "--dir", b, "--at", "2026-05-01T00:00:00Z", arg }), 2);
	assert_int_equal(run(9, (const char *[]){ "terminate-draft", out,
	    "--reason", "over", "--dir", b, "--at", "2026-05-01T00:00:00Z",
	    arg }), 0);
	assert_int_equal(run(4, (const char *[]){ "verify", term,
	    "--agreement", out }), 1);
	assert_int_equal(run(4, (const char *[]){ "sign", term, "--dir", a }),
	    1);
	assert_int_equal(run(4, (const char *[]){ "sign", term, "--dir", b }),
	    0);
	assert_int_equal(run(4, (const char *[]){ "verify", term,
	    "--agreement", out }), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_parse),
		cmocka_unit_test(test_duration_add),
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_identity_id),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_every_problem_reported),
		cmocka_unit_test(test_parse_text),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_stix_roundtrip),
		cmocka_unit_test(test_termination),
		cmocka_unit_test(test_example_verifies),
		cmocka_unit_test_setup_teardown(test_cli_example, cli_setup,
		    cli_teardown),
		cmocka_unit_test_setup_teardown(test_cli_draft_flags,
		    cli_setup, cli_teardown),
	};

	if (setup_keys(NULL) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
