/*
 * fuzz_agreement.c: libFuzzer harness for the agreement parser
 * (policy/agreement.c), termination records, ISO 8601 durations, and the
 * RFC 8785 canonicalizer on the same input.
 *
 * Invariants checked, abort() on violation:
 * - a refused document leaves *out NULL and names at least one problem;
 * - an accepted document obeys the limits and rules it was checked
 *   against (2..32 parties, clause parties in range, from != to, red only
 *   to a named party, a window that is not empty, signatures by parties);
 * - its hash is the SHA-256 of the RFC 8785 form of the input without
 *   `signatures`, computed here apart;
 * - written back as JSON it parses again to the same hash, signatures,
 *   id, version and window, and so does its STIX form, which the STIX
 *   validator accepts;
 * - the same for termination records;
 * - canonical JSON of any input parses back to an equal value and
 *   canonicalizes to the same bytes;
 * - a duration that parses adds to a time without going backwards.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "policy/agreement.h"
#include "stix/jcs.h"
#include "stix/stix.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX	(1u << 22)

static void
check(int cond)
{
	if (!cond)
		abort();
}

/* SHA-256 of the canonical form of doc without signatures (or sig). */
static void
body_hash(const json_t *doc, const char *drop, uint8_t out[32])
{
	struct buf b;
	json_t *c = json_copy((json_t *)doc);

	check(c != NULL);
	(void)json_object_del(c, drop);
	buf_init(&b, FUZZ_MAX);
	check(jcs_serialize(c, &b) == ERR_OK);
	crypto_sha256(b.ptr, b.len, out);
	buf_reset(&b);
	json_decref(c);
}

static void
same_agreement(const struct agreement *a, const struct agreement *b)
{
	check(memcmp(a->hash, b->hash, sizeof(a->hash)) == 0);
	check(strcmp(a->id, b->id) == 0);
	check(a->version == b->version);
	check(a->valid_from == b->valid_from);
	check(a->valid_until == b->valid_until);
	check(a->n_parties == b->n_parties && a->n_share == b->n_share);
	check(a->n_sigs == b->n_sigs);
	check(a->n_sigs == 0 || memcmp(a->sigs, b->sigs,
	    a->n_sigs * sizeof(a->sigs[0])) == 0);
}

static void
check_agreement(const json_t *doc, const struct agreement *a)
{
	struct agreement_report rep;
	struct agreement *b = NULL;
	struct stix_info info;
	uint8_t h[32];
	char reason[256];
	json_t *j = NULL, *s = NULL;
	size_t i;

	check(a->n_parties >= 2 && a->n_parties <= AGREEMENT_MAX_PARTIES);
	check(a->n_share <= AGREEMENT_MAX_SHARE);
	check(a->valid_until > a->valid_from);
	check(a->version >= 1);
	check(a->n_sigs <= a->n_parties);
	for (i = 0; i < a->n_share; i++) {
		const struct agreement_share *sh = &a->share[i];

		check(sh->from < a->n_parties);
		check(sh->to == AGREEMENT_TO_ALL || sh->to < a->n_parties);
		check(sh->from != sh->to);
		check(sh->tlp_max != AGREEMENT_TLP_RED ||
		    sh->to != AGREEMENT_TO_ALL);
		check(sh->types.n >= 1 && sh->types.n <= AGREEMENT_MAX_LIST);
		check(sh->collections.n >= 1);
	}
	for (i = 0; i < a->n_sigs; i++)
		check(agreement_party_find(a, a->sigs[i].key) >= 0);
	body_hash(doc, "signatures", h);
	check(memcmp(h, a->hash, sizeof(h)) == 0);

	/* JSON and back. */
	check(agreement_to_json(a, &j) == ERR_OK);
	check(agreement_from_json(j, &b, NULL) == ERR_OK);
	same_agreement(a, b);
	agreement_free(b);
	b = NULL;
	/* STIX and back. */
	check(agreement_to_stix(a, &s) == ERR_OK);
	check(stix_validate(s, &info, reason, sizeof(reason)) == ERR_OK);
	agreement_report_init(&rep);
	check(agreement_from_stix(s, &b, &rep) == ERR_OK);
	same_agreement(a, b);
	agreement_free(b);
	/* Verification names what it refuses. */
	agreement_report_init(&rep);
	if (agreement_verify(a, a->valid_from, 0, &rep) != ERR_OK)
		check(rep.n > 0);
	json_decref(j);
	json_decref(s);
}

static void
check_termination(const json_t *doc, const struct agreement_termination *t)
{
	struct agreement_termination *u = NULL;
	struct stix_info info;
	uint8_t h[32];
	char reason[256];
	json_t *j = NULL, *s = NULL;

	body_hash(doc, "signature", h);
	check(memcmp(h, t->hash, sizeof(h)) == 0);
	check(agreement_termination_to_json(t, &j) == ERR_OK);
	check(agreement_termination_from_json(j, &u, NULL) == ERR_OK);
	check(memcmp(u->hash, t->hash, sizeof(h)) == 0);
	check(u->is_signed == t->is_signed);
	agreement_termination_free(u);
	u = NULL;
	check(agreement_termination_to_stix(t, &s) == ERR_OK);
	check(stix_validate(s, &info, reason, sizeof(reason)) == ERR_OK);
	check(agreement_termination_from_stix(s, &u, NULL) == ERR_OK);
	check(memcmp(u->hash, t->hash, sizeof(h)) == 0);
	agreement_termination_free(u);
	json_decref(j);
	json_decref(s);
}

static void
check_canonical(const uint8_t *data, size_t size)
{
	struct buf b1, b2;
	json_t *v, *v2;

	/* Reals for every number: canonical integers past 2^63 (as
	 * "4.2e20" becomes) would overflow jansson's json_int_t. */
	v = json_loadb((const char *)data, size, JSON_DECODE_ANY |
	    JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, NULL);
	if (v == NULL)
		return;
	buf_init(&b1, FUZZ_MAX);
	buf_init(&b2, FUZZ_MAX);
	if (jcs_serialize(v, &b1) == ERR_OK) {
		v2 = json_loadb(b1.ptr, b1.len, JSON_DECODE_ANY |
		    JSON_DECODE_INT_AS_REAL, NULL);
		check(v2 != NULL);
		check(jcs_serialize(v2, &b2) == ERR_OK);
		check(b1.len == b2.len && memcmp(b1.ptr, b2.ptr, b1.len) == 0);
		json_decref(v2);
	}
	buf_reset(&b1);
	buf_reset(&b2);
	json_decref(v);
}

static void
check_duration(const uint8_t *data, size_t size)
{
	struct agreement_duration d;
	int64_t t = 0;

	if (size > AGREEMENT_MAX_DURATION + 2)
		return;
	if (agreement_duration_parse((const char *)data, size, &d) != ERR_OK)
		return;
	check(d.years <= AGREEMENT_MAX_DURATION_FIELD &&
	    d.seconds <= AGREEMENT_MAX_DURATION_FIELD);
	if (agreement_duration_add(&d, 0, &t) == ERR_OK)
		check(t > 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agreement_report rep;
	struct agreement_termination *t = (void *)1;
	struct agreement *a = (void *)1;
	json_t *doc;
	enum err err;

	check_canonical(data, size);
	check_duration(data, size);

	agreement_report_init(&rep);
	err = agreement_parse((const char *)data, size, &a, &rep);
	if (err != ERR_OK) {
		check(a == NULL);
		check(err == ERR_NOMEM || rep.n > 0);
	}
	doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    NULL);
	if (err == ERR_OK) {
		check(doc != NULL);
		check_agreement(doc, a);
		agreement_free(a);
	}
	agreement_report_init(&rep);
	err = agreement_termination_parse((const char *)data, size, &t, &rep);
	if (err != ERR_OK) {
		check(t == NULL);
		check(err == ERR_NOMEM || rep.n > 0);
	} else {
		check(doc != NULL);
		check_termination(doc, t);
		agreement_termination_free(t);
	}
	json_decref(doc);
	return 0;
}
