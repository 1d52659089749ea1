/*
 * fuzz_coop.c: libFuzzer harness for the cooperation objects and the
 * lifecycle ledger (coop/coop.c, coop/ledger.c).
 *
 * The same input is used three ways.
 *
 * 1. As one JSON object for coop_parse().  Invariants, abort() on
 *    violation: a refused object leaves *out NULL and names at least one
 *    problem; an accepted one has the id of its type, passes stix_validate,
 *    builds back with exactly the input's properties (the same values but
 *    for created / modified, which are re-written with six fractional
 *    digits), and the built object parses to the same struct and builds to
 *    the same JSON again.
 * 2. As a JSON array of objects fed to a ledger of a fixed agreement, one
 *    second apart: judging an object first gives the verdict adding it
 *    gives, and every item the ledger then reports is consistent.
 * 3. As a program: the bytes choose items and responses (types, parties,
 *    targets, times near the deadlines); they are fed to one ledger in
 *    order and to another in reverse order, and both must report the same
 *    item states, figures and response verdicts at several instants.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop/coop.h"
#include "policy/agreement.h"
#include "stix/stix.h"
#include "util/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SEC		1000000LL
#define MAX_GEN		24
/* 2026-03-01T00:00:00Z */
#define BASE		(1772323200LL * SEC)

static const char *const parties[4] = {
	"identity--35e3b2cd-b669-54b6-a7fc-f54d5564cb64",	/* North */
	"identity--92936a52-16a3-5884-abd5-00cd11240f36",	/* South */
	"identity--a0b3f40c-b58b-5a16-9e13-c7a9d60464ff",	/* ISAC */
	"identity--00000000-0000-4000-8000-000000000001",	/* nobody */
};

static void
check(int cond)
{
	if (!cond)
		abort();
}

/* The example agreement of docs/agreements.md, without signatures. */
static struct agreement *
agreement(void)
{
	static struct agreement *a;
	json_t *doc;

	if (a != NULL)
		return a;
	doc = json_pack("{s:s, s:i, s:s, s:[{s:s,s:s,s:s},{s:s,s:s,s:s},"
	    "{s:s,s:s,s:s}], s:s, s:s, s:{s:[], s:{s:s, s:s}, s:[{s:s, "
	    "s:[s,s], s:[s], s:[s], s:s}, {s:s, s:[s], s:[s,s], s:s}]}}",
	    "id", "agreement--0f6c5a7e-3b9d-4e2a-9c1f-5d8e7b6a4c32",
	    "version", 1, "title", "Energy grid threat exchange",
	    "parties",
	    "name", "CERT-North", "key",
	    "6VwcH1emOaQ+JoKttlvVuKSrblJyQhC+aI+YvQgR6Qc=", "contact", "n",
	    "name", "CERT-South", "key",
	    "N3x1w8Z/91qpiW+Jha73AjGv9YNwdkqyv3D9GlUN89A=", "contact", "s",
	    "name", "Energy-ISAC", "key",
	    "Tj4JNUg/ymOpGTQaMpMHUObukSCPkQf+o5Jv7rdCbgI=", "contact", "i",
	    "valid_from", "2026-01-01T00:00:00Z",
	    "valid_until", "2031-01-01T00:00:00Z",
	    "clauses", "share",
	    "assistance", "acknowledge_within", "PT4H", "answer_within", "P3D",
	    "protected",
	    "party", "CERT-North", "cidrs", "192.0.2.0/24", "2001:db8:100::/40",
	    "domains", "grid.north.example", "sectors", "energy", "pledge", "p",
	    "party", "CERT-South", "cidrs", "198.51.100.0/24", "sectors",
	    "energy", "water", "pledge", "p");
	check(doc != NULL);
	check(agreement_from_json(doc, &a, NULL) == ERR_OK);
	json_decref(doc);
	return a;
}

static int
str_eq(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static int
list_eq(const struct coop_list *a, const struct coop_list *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

static void
same_obj(const struct coop_obj *a, const struct coop_obj *b)
{
	check(a->type == b->type && strcmp(a->id, b->id) == 0);
	check(a->created == b->created);
	check(strcmp(a->created_by, b->created_by) == 0);
	check(strcmp(a->agreement_id, b->agreement_id) == 0);
	check(list_eq(&a->to, &b->to) && list_eq(&a->evidence, &b->evidence));
	check(list_eq(&a->attributed, &b->attributed));
	check(list_eq(&a->markings, &b->markings));
	check(str_eq(a->text, b->text) && str_eq(a->asset, b->asset));
	check(str_eq(a->reason, b->reason));
	check(str_eq(a->answer_within, b->answer_within));
	check(a->severity == b->severity && a->kind == b->kind);
	check(a->asset_type == b->asset_type && a->action == b->action);
	check(strcmp(a->request_ref, b->request_ref) == 0);
	check(memcmp(&a->window, &b->window, sizeof(a->window)) == 0);
}

/* Mode 1: one object. */
static void
one_object(const uint8_t *data, size_t size)
{
	struct agreement_report rep;
	struct coop_obj *o = (void *)1, *p = NULL;
	struct stix_info info;
	char reason[256];
	const char *key;
	json_t *in, *j = NULL, *j2 = NULL, *v;
	enum err err;

	agreement_report_init(&rep);
	err = coop_parse((const char *)data, size, &o, &rep);
	if (err != ERR_OK) {
		check(o == NULL);
		check(err == ERR_NOMEM || rep.n > 0);
		return;
	}
	check(coop_type_of_id(o->id) == o->type);
	check(o->type == COOP_RESPONSE ? o->to.n == 0 :
	    o->type == COOP_NOTIFICATION ? o->to.n >= 1 : o->to.n == 1);
	check(o->evidence.n <= COOP_MAX_REFS && o->to.n <= COOP_MAX_TO);
	check(o->type != COOP_RESPONSE || o->action != COOP_ACT_DECLINE ||
	    o->reason != NULL);
	check(coop_to_json(o, &j, NULL) == ERR_OK);
	check(stix_validate(j, &info, reason, sizeof(reason)) == ERR_OK);
	check(strcmp(info.id, o->id) == 0);
	/* The same properties as the input, the same values. */
	in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    NULL);
	check(in != NULL && json_object_size(in) == json_object_size(j));
	json_object_foreach(in, key, v) {
		if (strcmp(key, "created") == 0 || strcmp(key, "modified") == 0)
			continue;
		check(json_equal(v, json_object_get(j, key)));
	}
	json_decref(in);
	check(coop_from_json(j, &p, NULL) == ERR_OK);
	same_obj(o, p);
	check(coop_to_json(p, &j2, NULL) == ERR_OK);
	check(json_equal(j, j2));
	coop_free(o);
	coop_free(p);
	json_decref(j);
	json_decref(j2);
}

/* What any item the ledger reports must satisfy. */
static int
item_sane(const struct coop_item *it, void *arg)
{
	(void)arg;
	check(it->obj != NULL && it->obj->type != COOP_RESPONSE);
	check(!it->acked || it->acked_at >= it->received_at);
	check(!it->answered || it->answered_at >= it->received_at);
	check(!it->closed || it->closed_at >= it->received_at);
	check(!it->acked || it->time_to_ack == it->acked_at -
	    it->received_at);
	check(!it->ack_overdue || !it->acked);
	check(!it->answer_overdue || !it->answered);
	switch (it->obj->type) {
	case COOP_NOTIFICATION:
		check(it->state == COOP_ST_NOTIFIED && it->n_accepted == 0);
		break;
	case COOP_REQUEST:
		check(it->has_ack_by && it->has_answer_by);
		check(it->ack_by <= it->answer_by);
		check(!it->answered || (it->acked && it->closed &&
		    it->acked_at <= it->answered_at));
		check((it->state == COOP_ST_OPEN) == !it->acked);
		check((it->state == COOP_ST_ANSWERED ||
		    it->state == COOP_ST_DECLINED) == it->closed);
		break;
	case COOP_CONSULTATION:
		check(!it->acked);
		check((it->state == COOP_ST_CLOSED) == it->closed);
		check(it->state != COOP_ST_RESPONDED || it->answered);
		break;
	case COOP_CHECK:
		check(it->answered == it->closed);
		check(it->state == COOP_ST_SENT || it->state ==
		    COOP_ST_ANSWERED || it->state == COOP_ST_LATE ||
		    it->state == COOP_ST_MISSED);
		break;
	default:
		check(0);
	}
	return 0;
}

/* Add j at `at`, judging it first: both must say the same. */
static enum err
feed(struct coop_ledger *l, const json_t *j, int64_t at)
{
	struct coop_verdict v1, v2;
	enum err e1, e2;

	memset(&v1, 0, sizeof(v1));
	memset(&v2, 0, sizeof(v2));
	e1 = coop_ledger_judge(l, j, at, &v1, NULL);
	e2 = coop_ledger_add(l, j, at, &v2, NULL);
	if (e1 == ERR_NOMEM || e2 == ERR_NOMEM)
		return e2;
	check(e1 == e2 || (e1 == ERR_OK && e2 == ERR_TOOBIG));
	if (e1 == e2) {
		check(v1.code == v2.code);
		check(strcmp(v1.reason, v2.reason) == 0);
	}
	check((e2 == ERR_OK) == (v2.code < COOP_MALFORMED ||
	    v2.code >= COOP_UNKNOWN));
	return e2;
}

/* Mode 2: an array of objects. */
static void
array_feed(const uint8_t *data, size_t size)
{
	struct coop_ledger *l = NULL;
	json_t *arr, *v;
	size_t i;

	arr = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    NULL);
	if (!json_is_array(arr)) {
		json_decref(arr);
		return;
	}
	check(coop_ledger_new(agreement(), COOP_NEVER, &l) == ERR_OK);
	json_array_foreach(arr, i, v) {
		if (i >= 256)
			break;
		(void)feed(l, v, BASE + (int64_t)i * SEC);
	}
	check(coop_ledger_each(l, BASE + 400 * SEC, item_sane, NULL) ==
	    ERR_OK);
	check(coop_ledger_each(l, INT64_MAX, item_sane, NULL) == ERR_OK);
	coop_ledger_free(l);
	json_decref(arr);
}

/* Mode 3: objects made from the bytes. */
struct gen {
	json_t		*j[MAX_GEN];
	int64_t		 at[MAX_GEN];
	int64_t		 created[MAX_GEN];
	int		 by[MAX_GEN], to[MAX_GEN];
	char		 id[MAX_GEN][COOP_ID_MAX + 1];
	size_t		 n;
};

static uint8_t
take(const uint8_t **p, const uint8_t *end)
{
	return *p < end ? *(*p)++ : 0;
}

static void
generate(const uint8_t *data, size_t size, struct gen *g)
{
	static const char *const windows[] = { "PT1H", "PT4H", "P1D", "PT1S",
	    "P1M" };
	static const char *const assets[] = { "192.0.2.0/24",
	    "198.51.100.0/24", "grid.north.example", "energy" };
	static const char *ev[] = {
	    "incident--7fac5691-e6a8-4afa-a32a-3b5cc78a6d5f" };
	static const char *infra[] = {
	    "infrastructure--d714f9cf-27f5-453f-84bf-4b4279f15f4f" };
	const uint8_t *p = data, *end = data + size;
	struct coop_obj o;
	const char *tos[1];
	uint8_t rnd[16], b;
	size_t k;

	g->n = 0;
	while (p < end && g->n < MAX_GEN) {
		memset(&o, 0, sizeof(o));
		b = take(&p, end);
		o.type = (enum coop_type)(1 + b % 5);
		memset(rnd, 0, sizeof(rnd));
		rnd[0] = (uint8_t)g->n;
		rnd[1] = take(&p, end);		/* ids: unique, varied order */
		coop_id_make(o.type, rnd, o.id);
		memcpy(g->id[g->n], o.id, sizeof(o.id));
		b = take(&p, end);
		g->by[g->n] = b % 4;
		g->to[g->n] = (b % 4 + 1 + (b >> 4) % 3) % 4;
		memcpy(o.created_by, parties[g->by[g->n]],
		    strlen(parties[0]) + 1);
		tos[0] = parties[g->to[g->n]];
		o.to.v = tos;
		o.to.n = o.type == COOP_RESPONSE ? 0 : 1;
		memcpy(o.agreement_id, agreement()->id, AGREEMENT_ID_LEN + 1);
		/* Times in minutes from BASE, with a us nudge. */
		b = take(&p, end);
		g->at[g->n] = BASE + (int64_t)take(&p, end) * 60 * SEC * 30 +
		    (int64_t)(b % 8) * 60 * SEC + (int64_t)((b >> 3) % 3) - 1;
		o.created = BASE + ((int64_t)take(&p, end) - 16) * 3600 * SEC;
		b = take(&p, end);
		switch (o.type) {
		case COOP_NOTIFICATION:
			o.text = "n";
			o.severity = COOP_SEV_LOW;
			break;
		case COOP_REQUEST:
			o.text = "r";
			o.kind = COOP_KIND_INFORMATION;
			break;
		case COOP_CONSULTATION:
			o.text = "c";
			o.asset_type = (b % 4) < 2 ? COOP_ASSET_CIDR :
			    (b % 4) == 2 ? COOP_ASSET_DOMAIN :
			    COOP_ASSET_SECTOR;
			o.asset = assets[b % 4];
			o.evidence.v = ev;
			o.evidence.n = 1;
			o.attributed.v = infra;
			o.attributed.n = 1;
			break;
		case COOP_CHECK:
			o.answer_within = windows[b % 5];
			(void)agreement_duration_parse(o.answer_within,
			    strlen(o.answer_within), &o.window);
			break;
		default:
			/* A response to an earlier item, or to one never
			 * made, with an action that fits its type. */
			k = g->n > 0 ? (size_t)(b >> 2) % g->n : 0;
			if (g->n > 0 && coop_type_of_id(g->id[k]) !=
			    COOP_RESPONSE && coop_type_of_id(g->id[k]) !=
			    COOP_NOTIFICATION)
				memcpy(o.request_ref, g->id[k],
				    sizeof(o.request_ref));
			else
				coop_id_make(COOP_REQUEST, rnd, o.request_ref);
			switch (coop_type_of_id(o.request_ref)) {
			case COOP_REQUEST:
				o.action = (enum coop_action)(1 + b % 3);
				break;
			case COOP_CONSULTATION:
				o.action = b % 2 ? COOP_ACT_RESPOND :
				    COOP_ACT_CLOSE;
				break;
			default:
				o.action = COOP_ACT_ANSWER;
				break;
			}
			if (o.action == COOP_ACT_DECLINE)
				o.reason = "no";
			/* Half the time, a response the state machine may
			 * take: by the right party, after the item. */
			if (g->n > 0 && (b & 0x80) == 0 &&
			    strcmp(o.request_ref, g->id[k]) == 0) {
				memcpy(o.created_by, parties[o.action ==
				    COOP_ACT_CLOSE ? g->by[k] : g->to[k]],
				    strlen(parties[0]) + 1);
				o.created = g->created[k] + (b & 0x3) * 60 * SEC;
				g->at[g->n] = g->at[k] + (g->at[g->n] - BASE) / 4;
			}
			break;
		}
		g->created[g->n] = o.created;
		if (coop_to_json(&o, &g->j[g->n], NULL) != ERR_OK)
			continue;	/* e.g. to_ref == author */
		g->n++;
	}
}

static void
same_item(const struct coop_item *a, const struct coop_item *b)
{
	check(a->obj != NULL && b->obj != NULL);
	check(strcmp(a->obj->id, b->obj->id) == 0);
	check(a->received_at == b->received_at && a->state == b->state);
	check(a->has_ack_by == b->has_ack_by &&
	    a->has_answer_by == b->has_answer_by);
	check(a->ack_by == b->ack_by && a->answer_by == b->answer_by);
	check(a->acked == b->acked && a->acked_at == b->acked_at);
	check(a->ack_in_time == b->ack_in_time);
	check(a->answered == b->answered && a->answered_at == b->answered_at);
	check(a->answer_in_time == b->answer_in_time);
	check(a->closed == b->closed && a->closed_at == b->closed_at);
	check(a->ack_overdue == b->ack_overdue);
	check(a->answer_overdue == b->answer_overdue);
	check(a->n_accepted == b->n_accepted && a->n_refused == b->n_refused);
}

static void
program(const uint8_t *data, size_t size)
{
	struct coop_ledger *l1 = NULL, *l2 = NULL;
	struct coop_verdict v1, v2;
	struct coop_item i1, i2;
	struct gen g;
	int64_t nows[4 * MAX_GEN + 2];
	size_t i, k, n_now = 0;
	enum err e1, e2;

	generate(data, size, &g);
	check(coop_ledger_new(agreement(), COOP_NEVER, &l1) == ERR_OK);
	check(coop_ledger_new(agreement(), COOP_NEVER, &l2) == ERR_OK);
	for (i = 0; i < g.n; i++) {
		e1 = feed(l1, g.j[i], g.at[i]);
		e2 = feed(l2, g.j[g.n - 1 - i], g.at[g.n - 1 - i]);
		if (e1 == ERR_NOMEM || e2 == ERR_NOMEM)
			goto out;
	}
	check(coop_ledger_count(l1) == coop_ledger_count(l2));
	nows[n_now++] = BASE - 1;
	nows[n_now++] = INT64_MAX;
	for (i = 0; i < g.n; i++) {
		if (coop_ledger_item(l1, g.id[i], INT64_MAX, &i1) != ERR_OK)
			continue;
		nows[n_now++] = i1.ack_by;
		nows[n_now++] = i1.ack_by + 1;
		nows[n_now++] = i1.answer_by;
		nows[n_now++] = i1.answer_by + 1;
	}
	for (i = 0; i < g.n; i++) {
		e1 = coop_ledger_response(l1, g.id[i], &v1, NULL);
		e2 = coop_ledger_response(l2, g.id[i], &v2, NULL);
		check(e1 == e2);
		if (e1 == ERR_OK)
			check(v1.code == v2.code &&
			    strcmp(v1.reason, v2.reason) == 0);
		for (k = 0; k < n_now; k++) {
			e1 = coop_ledger_item(l1, g.id[i], nows[k], &i1);
			e2 = coop_ledger_item(l2, g.id[i], nows[k], &i2);
			check(e1 == e2);
			if (e1 != ERR_OK)
				continue;
			same_item(&i1, &i2);
			(void)item_sane(&i1, NULL);
		}
	}
	for (k = 0; k < n_now; k++)
		check(coop_ledger_each(l1, nows[k], item_sane, NULL) ==
		    ERR_OK);
out:
	coop_ledger_free(l1);
	coop_ledger_free(l2);
	for (i = 0; i < g.n; i++)
		json_decref(g.j[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one_object(data, size);
	array_feed(data, size);
	if (size <= 8 * MAX_GEN)
		program(data, size);
	return 0;
}
