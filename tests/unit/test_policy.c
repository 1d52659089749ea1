#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include "crypto/crypto.h"
#include "policy/agreement.h"
#include "policy/policy.h"
#include "util/timeutil.h"

/*
 * Parties of every test: P0 is this node's party ("self"), P1..P4 are
 * partners, P5 is in no agreement at all.
 */
#define NP		6
#define SELF		0
#define OUTSIDER	5
#define DAY		(86400LL * 1000000LL)

static uint8_t key[NP][CRYPTO_ED25519_PUBLIC_BYTES];
static char key64[NP][AGREEMENT_KEY_B64_LEN + 1];
static char ident[NP][AGREEMENT_IDENTITY_LEN + 1];
static int64_t T0;

static int
setup_keys(void)
{
	uint8_t seed[32];

	for (int i = 0; i < NP; i++) {
		memset(seed, 0x21 + i, sizeof(seed));
		crypto_ed25519_public(seed, key[i]);
		if (crypto_b64_encode(key[i], sizeof(key[i]), 0, key64[i],
		    sizeof(key64[i])) != ERR_OK)
			return -1;
		agreement_identity_id(key[i], ident[i]);
	}
	return ts_parse("2026-03-01T00:00:00Z", 20, &T0, NULL) == ERR_OK ?
	    0 : -1;
}

/*
 * An agreement between the parties listed (names P0..P5) with the share
 * clauses in share_json (a JSON array text), valid [from, until).
 * Returns a new parsed agreement.
 */
static struct agreement *
mk(int idnum, const int *parties, int np, int64_t from, int64_t until,
    const char *share_json)
{
	struct agreement_report rep;
	struct agreement *a = NULL;
	char id[64], f[TS_BUFSZ], u[TS_BUFSZ], name[8];
	json_error_t jerr;
	json_t *doc, *arr, *share;

	(void)snprintf(id, sizeof(id),
	    "agreement--00000000-0000-4000-8000-%012d", idnum);
	ts_format(from, f);
	ts_format(until, u);
	arr = json_array();
	for (int i = 0; i < np; i++) {
		(void)snprintf(name, sizeof(name), "P%d", parties[i]);
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "name",
		    name, "key", key64[parties[i]], "contact",
		    "x@example.org"));
	}
	share = json_loads(share_json, 0, &jerr);
	if (share == NULL)
		fail_msg("share json: %s", jerr.text);
	doc = json_pack("{s:s,s:i,s:s,s:o,s:s,s:s,s:{s:o}}", "id", id,
	    "version", 1, "title", "t", "parties", arr, "valid_from", f,
	    "valid_until", u, "clauses", "share", share);
	assert_non_null(doc);
	agreement_report_init(&rep);
	if (agreement_from_json(doc, &a, &rep) != ERR_OK)
		fail_msg("agreement %d: %s", idnum, rep.n ? rep.msg[0] : "?");
	json_decref(doc);
	return a;
}

/* ====================================================================
 * The reference model: the rules of issue 3, item 4, written out naively
 * over plain structs (party numbers, strings compared each time), with no
 * index and no code shared with the engine.
 * ==================================================================== */

#define RMAX_AGR	6
#define RMAX_CL		6
#define ALL		(-1)

enum { T_NONE, T_CLEAR, T_GREEN, T_AMBER, T_AMBER_STRICT, T_RED };
enum { O_NONE, O_PARTIES, O_ANY };

static const char *const tlp_word[] = { "none", "clear", "green", "amber",
	"amber+strict", "red" };
static const char *const onward_word[] = { "none", "parties", "any" };

struct rclause {
	int		 from, to;		/* party numbers; ALL: "*" */
	int		 any_type, any_coll;
	const char	*types[3];
	int		 n_types;
	const char	*labels[2];
	int		 n_labels;
	const char	*colls[2];
	int		 n_colls;
	int		 tlp_max, onward;
};

struct ragr {
	char		 id[64];
	int		 parties[NP];
	int		 n_parties;
	int64_t		 from, until, term;
	struct rclause	 cl[RMAX_CL];
	int		 n_cl;
};

struct world {
	struct ragr	 a[RMAX_AGR];
	int		 n;
	int		 def_tlp;
};

struct robj {
	const char	*type;
	const char	*labels[3];
	int		 n_labels;
	const char	*coll;
	int		 tlp;
	int		 producer;	/* -1: this node (NULL) */
	int		 received_from;	/* -1: NULL */
	const char	*received_under;
};

static int
r_member(const struct ragr *a, int p)
{
	for (int i = 0; i < a->n_parties; i++)
		if (a->parties[i] == p)
			return 1;
	return 0;
}

static int
r_in_force(const struct ragr *a, int64_t now)
{
	return a->from <= now && now < a->until && now < a->term;
}

static int
r_listed(const char *const *v, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/* Clause c of a is "from giver to taker" (taker named, or "*"). */
static int
r_direction(const struct ragr *a, const struct rclause *c, int giver,
    int taker)
{
	if (c->from != giver || !r_member(a, giver) || !r_member(a, taker))
		return 0;
	return c->to == taker || (c->to == ALL && taker != giver);
}

/* Clause c covers o, at TLP tlp, for taker. */
static int
r_scope(const struct rclause *c, const struct robj *o, int tlp, int taker)
{
	int lab = c->n_labels == 0;

	for (int i = 0; i < o->n_labels; i++)
		if (r_listed(c->labels, c->n_labels, o->labels[i]))
			lab = 1;
	if (!c->any_type && !r_listed(c->types, c->n_types, o->type))
		return 0;
	if (!c->any_coll && !r_listed(c->colls, c->n_colls, o->coll))
		return 0;
	/* TLP 2.0: red only to a party named individually. */
	return lab && tlp <= c->tlp_max && (tlp != T_RED || c->to == taker);
}

enum { K_DENY, K_SELF, K_ORIGIN, K_SHARE, K_ONWARD, K_FEEDBACK };

struct rresult {
	int	kind;
	int	ok[RMAX_AGR][RMAX_CL];	/* the clauses that grant */
	int	via;			/* ONWARD: agreement received under */
};

static void
r_read(const struct world *w, int reader, const struct robj *o,
    int64_t now, struct rresult *r)
{
	int tlp = o->tlp != T_NONE ? o->tlp : w->def_tlp, mine, any = 0;
	const struct ragr *ax = NULL;

	memset(r, 0, sizeof(*r));
	r->via = -1;
	if (reader == SELF) {
		r->kind = K_SELF;
		return;
	}
	if (reader == o->producer || (o->received_from >= 0 &&
	    reader == o->received_from)) {
		r->kind = K_ORIGIN;
		return;
	}
	mine = o->producer < 0 || o->producer == SELF;
	if (!mine) {
		/* Onward: X's agreement must allow it, and the TLP. */
		int x = o->received_from, best = -1;

		if (x < 0 || x == SELF || o->received_under == NULL)
			return;
		for (int i = 0; i < w->n; i++)
			if (strcmp(w->a[i].id, o->received_under) == 0) {
				ax = &w->a[i];
				r->via = i;
			}
		if (ax == NULL || !r_in_force(ax, now) || !r_member(ax, x))
			return;
		for (int k = 0; k < ax->n_cl; k++)
			if (r_direction(ax, &ax->cl[k], x, SELF) &&
			    r_scope(&ax->cl[k], o, tlp, SELF) &&
			    ax->cl[k].onward > best)
				best = ax->cl[k].onward;
		if (best < 0 || tlp == T_RED || tlp == T_AMBER_STRICT)
			return;
		if (tlp == T_AMBER && best == O_ANY)
			best = O_PARTIES;
		if (best == O_NONE || (best == O_PARTIES &&
		    !r_member(ax, reader)))
			return;
	}
	/* An agreement in force with the reader must cover it. */
	for (int i = 0; i < w->n; i++) {
		const struct ragr *a = &w->a[i];

		if (!r_in_force(a, now))
			continue;
		for (int k = 0; k < a->n_cl; k++)
			if (r_direction(a, &a->cl[k], SELF, reader) &&
			    r_scope(&a->cl[k], o, tlp, reader)) {
				r->ok[i][k] = 1;
				any = 1;
			}
	}
	if (any)
		r->kind = mine ? K_SHARE : K_ONWARD;
	else
		r->via = -1;
}

static void
r_write(const struct world *w, int writer, const struct robj *o,
    int creator_ok, const struct robj *refs, int n_refs, int64_t now,
    struct rresult *r)
{
	int tlp = o->tlp != T_NONE ? o->tlp : w->def_tlp, any = 0, coll_ok = 0;
	struct rresult rr;

	memset(r, 0, sizeof(*r));
	r->via = -1;
	if (writer == SELF) {
		r->kind = K_SELF;
		return;
	}
	if (!creator_ok)
		return;
	for (int i = 0; i < w->n; i++) {
		const struct ragr *a = &w->a[i];

		if (!r_in_force(a, now))
			continue;
		for (int k = 0; k < a->n_cl; k++)
			if (r_direction(a, &a->cl[k], writer, SELF) &&
			    r_scope(&a->cl[k], o, tlp, SELF)) {
				r->ok[i][k] = 1;
				any = 1;
			}
	}
	if (any) {
		r->kind = K_SHARE;
		return;
	}
	if ((strcmp(o->type, "sighting") != 0 && strcmp(o->type, "note") !=
	    0) || n_refs == 0)
		return;
	for (int j = 0; j < n_refs; j++) {
		r_read(w, writer, &refs[j], now, &rr);
		if (rr.kind != K_SHARE && rr.kind != K_ONWARD)
			return;
		if (j == 0)
			memcpy(r->ok, rr.ok, sizeof(r->ok));
		if (strcmp(refs[j].coll, o->coll) == 0)
			coll_ok = 1;
	}
	for (int i = 0; i < w->n && !coll_ok; i++) {
		const struct ragr *a = &w->a[i];

		if (!r_in_force(a, now))
			continue;
		for (int k = 0; k < a->n_cl; k++)
			if (r_direction(a, &a->cl[k], writer, SELF) &&
			    (a->cl[k].any_coll || r_listed(a->cl[k].colls,
			    a->cl[k].n_colls, o->coll)))
				coll_ok = 1;
	}
	if (coll_ok)
		r->kind = K_FEEDBACK;
}

/* ====================================================================
 * Random worlds.
 * ==================================================================== */

static uint64_t rng_state = 0x243f6a8885a308d3ull;	/* fixed seed */

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static int
pick(int n)
{
	return (int)(rng() % (uint64_t)n);
}

static const char *const types_pool[] = { "indicator", "malware",
	"sighting", "note", "report" };
static const char *const labels_pool[] = { "l1", "l2", "l3" };
static const char *const colls_pool[] = { "c1", "c2", "c3" };

/* Pick k distinct strings of pool[0..n). */
static int
pick_set(const char *const *pool, int n, int k, const char **out)
{
	int used[8] = { 0 }, got = 0;

	while (got < k) {
		int i = pick(n);

		if (used[i])
			continue;
		used[i] = 1;
		out[got++] = pool[i];
	}
	return got;
}

static json_t *
strs_json(const char *const *v, int n, int any)
{
	json_t *a = json_array();

	if (any)
		json_array_append_new(a, json_string("*"));
	for (int i = 0; i < n && !any; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* A random world, and the same agreements as parsed documents. */
static void
gen_world(struct world *w, int wnum, struct agreement **docs)
{
	char name[8], f[TS_BUFSZ], u[TS_BUFSZ];
	struct agreement_report rep;

	memset(w, 0, sizeof(*w));
	w->n = 1 + pick(RMAX_AGR);
	w->def_tlp = pick(4) == 0 ? 1 + pick(5) : T_AMBER;
	for (int i = 0; i < w->n; i++) {
		struct ragr *a = &w->a[i];
		json_t *parties = json_array(), *share = json_array(), *doc;

		(void)snprintf(a->id, sizeof(a->id),
		    "agreement--00000000-0000-4000-8000-%06d%06d", wnum, i);
		a->parties[a->n_parties++] = SELF;
		for (int p = 1; p < OUTSIDER; p++)
			if (pick(2))
				a->parties[a->n_parties++] = p;
		if (a->n_parties == 1)
			a->parties[a->n_parties++] = 1 + pick(4);
		/* Shuffle, so self is not always parties[0]. */
		for (int k = a->n_parties - 1; k > 0; k--) {
			int j = pick(k + 1), t = a->parties[k];

			a->parties[k] = a->parties[j];
			a->parties[j] = t;
		}
		a->from = T0 + (pick(7) - 3) * DAY;
		a->until = a->from + (1 + pick(6)) * DAY;
		a->term = pick(3) == 0 ? T0 + (pick(11) - 5) * DAY :
		    POLICY_NEVER;
		a->n_cl = pick(RMAX_CL + 1);
		for (int k = 0; k < a->n_cl; k++) {
			struct rclause *c = &a->cl[k];
			json_t *cj;

			c->from = a->parties[pick(a->n_parties)];
			if (pick(10) < 3) {
				c->to = ALL;
			} else {
				do
					c->to = a->parties[pick(a->n_parties)];
				while (c->to == c->from);
			}
			/* Lean towards self so decisions are not all deny. */
			if (pick(2) && c->to != SELF)
				c->from = SELF;
			if (c->from == c->to)
				c->to = ALL;
			c->any_type = pick(5) == 0;
			c->n_types = c->any_type ? 0 : pick_set(types_pool, 5,
			    1 + pick(3), c->types);
			c->n_labels = pick(2) ? 0 : pick_set(labels_pool, 3,
			    1 + pick(2), c->labels);
			c->any_coll = pick(5) == 0;
			c->n_colls = c->any_coll ? 0 : pick_set(colls_pool, 3,
			    1 + pick(2), c->colls);
			c->tlp_max = c->to == ALL ? 1 + pick(4) : 1 + pick(5);
			c->onward = pick(3);
			(void)snprintf(name, sizeof(name), "P%d", c->from);
			cj = json_pack("{s:s}", "from", name);
			(void)snprintf(name, sizeof(name), "P%d", c->to);
			json_object_set_new(cj, "to", json_string(c->to == ALL ?
			    "*" : name));
			json_object_set_new(cj, "types", strs_json(c->types,
			    c->n_types, c->any_type));
			if (c->n_labels > 0 || pick(2))
				json_object_set_new(cj, "labels_any",
				    strs_json(c->labels, c->n_labels, 0));
			json_object_set_new(cj, "collections",
			    strs_json(c->colls, c->n_colls, c->any_coll));
			json_object_set_new(cj, "tlp_max",
			    json_string(tlp_word[c->tlp_max]));
			json_object_set_new(cj, "onward",
			    json_string(onward_word[c->onward]));
			json_array_append_new(share, cj);
		}
		for (int k = 0; k < a->n_parties; k++) {
			(void)snprintf(name, sizeof(name), "P%d",
			    a->parties[k]);
			json_array_append_new(parties, json_pack("{s:s,s:s,"
			    "s:s}", "name", name, "key", key64[a->parties[k]],
			    "contact", "x@example.org"));
		}
		ts_format(a->from, f);
		ts_format(a->until, u);
		doc = json_pack("{s:s,s:i,s:s,s:o,s:s,s:s,s:{s:o}}", "id",
		    a->id, "version", 1, "title", "random", "parties", parties,
		    "valid_from", f, "valid_until", u, "clauses", "share",
		    share);
		assert_non_null(doc);
		agreement_report_init(&rep);
		docs[i] = NULL;
		if (agreement_from_json(doc, &docs[i], &rep) != ERR_OK)
			fail_msg("world %d agreement %d: %s", wnum, i,
			    rep.n ? rep.msg[0] : "?");
		json_decref(doc);
	}
}

static struct policy *
build(const struct world *w, struct agreement **docs)
{
	struct policy *p = NULL;

	assert_int_equal(policy_new(key[SELF], (enum agreement_tlp)w->def_tlp,
	    &p), ERR_OK);
	for (int i = 0; i < w->n; i++)
		assert_int_equal(policy_add(p, docs[i], w->a[i].term), ERR_OK);
	return p;
}

/*
 * A time: mostly inside some agreement's window, often exactly at one of
 * its ends, sometimes anywhere in +-10 days.
 */
static int64_t
gen_now(const struct world *w)
{
	const struct ragr *a = &w->a[pick(w->n)];
	int64_t edges[3] = { a->from, a->until, a->term };
	int64_t e = edges[pick(3)];

	int how = pick(5);

	if (how == 0 && e != POLICY_NEVER)
		return e + pick(3) - 1;
	if (how <= 1)
		return T0 + (pick(21) - 10) * DAY +
		    (int64_t)(rng() % (uint64_t)DAY);
	return a->from + (int64_t)(rng() % (uint64_t)(a->until - a->from));
}

static const char *const otypes[] = { "indicator", "malware", "sighting",
	"note", "report", "tool" };
static const char *const olabels[] = { "l1", "l2", "l3", "l4" };
static const char *const ocolls[] = { "c1", "c2", "c3", "c4" };

/* A random clause of w from giver (-1: any) to taker (-2: SELF or "*",
 * from someone else), or NULL; *ai gets its agreement. */
static const struct rclause *
find_clause(const struct world *w, int giver, int *ai)
{
	for (int tries = 0; tries < 20; tries++) {
		const struct ragr *a = &w->a[pick(w->n)];
		const struct rclause *c;

		if (a->n_cl == 0)
			continue;
		c = &a->cl[pick(a->n_cl)];
		if (giver == SELF ? c->from != SELF : (c->from == SELF ||
		    (c->to != SELF && c->to != ALL)))
			continue;
		*ai = (int)(a - w->a);
		return c;
	}
	return NULL;
}

/* Make o fit clause c (type, collection, a label, TLP), mostly. */
static void
fit(struct robj *o, const struct rclause *c)
{
	if (!c->any_type && pick(5) > 0)
		o->type = c->types[pick(c->n_types)];
	if (!c->any_coll && pick(5) > 0)
		o->coll = c->colls[pick(c->n_colls)];
	if (c->n_labels > 0 && pick(5) > 0) {
		o->labels[0] = c->labels[pick(c->n_labels)];
		if (o->n_labels == 0)
			o->n_labels = 1;
	}
	if (pick(5) > 0)
		o->tlp = pick(4) == 0 ? T_NONE : 1 + pick(c->tlp_max);
}

/*
 * A random object and reader.  Half the time both are aimed at a share
 * clause from this node, and relayed objects at a clause they could have
 * come under, so that allows are frequent enough to test.
 */
static void
gen_obj(const struct world *w, struct robj *o, int *reader)
{
	const struct rclause *c;
	int ai;

	memset(o, 0, sizeof(*o));
	o->type = otypes[pick(6)];
	o->n_labels = pick(4);
	(void)pick_set(olabels, 4, o->n_labels, o->labels);
	o->coll = ocolls[pick(4)];
	o->tlp = pick(6);
	*reader = pick(NP);
	if (pick(5) < 2) {
		o->producer = pick(4) ? -1 : SELF;
		o->received_from = pick(5) == 0 ? 1 + pick(NP - 1) : -1;
	} else {
		o->producer = 1 + pick(NP - 1);
		switch (pick(10)) {
		case 0:
			o->received_from = -1;
			break;
		case 1:
			o->received_from = SELF;
			break;
		case 2: case 3: case 4:
			o->received_from = o->producer;
			break;
		default:
			o->received_from = 1 + pick(NP - 1);
			break;
		}
	}
	switch (pick(10)) {
	case 0:
		o->received_under = NULL;
		break;
	case 1:
		o->received_under =
		    "agreement--99999999-0000-4000-8000-000000000000";
		break;
	default:
		o->received_under = w->a[pick(w->n)].id;
		break;
	}
	if (o->producer > 0 && pick(3) > 0 &&
	    (c = find_clause(w, -1, &ai)) != NULL) {
		o->received_from = c->from;
		o->received_under = w->a[ai].id;
		if (pick(2))
			o->producer = c->from;
		fit(o, c);
	}
	if (pick(2) && (c = find_clause(w, SELF, &ai)) != NULL) {
		const struct ragr *a = &w->a[ai];

		*reader = c->to != ALL ? c->to : a->parties[pick(a->n_parties)];
		fit(o, c);
	}
}

/* The engine's view of a reference object (strings shared). */
static void
to_policy(const struct robj *o, struct policy_object *po)
{
	po->type = o->type;
	po->labels = o->labels;
	po->n_labels = (size_t)o->n_labels;
	po->collection = o->coll;
	po->tlp = (enum agreement_tlp)o->tlp;
	po->producer = o->producer < 0 ? NULL : key[o->producer];
	po->received_from = o->received_from < 0 ? NULL :
	    key[o->received_from];
	po->received_under = o->received_under;
}

static int
kind_of(enum policy_grant_kind k)
{
	switch (k) {
	case POLICY_GRANT_SELF:
		return K_SELF;
	case POLICY_GRANT_ORIGIN:
		return K_ORIGIN;
	case POLICY_GRANT_SHARE:
		return K_SHARE;
	case POLICY_GRANT_ONWARD:
		return K_ONWARD;
	case POLICY_GRANT_FEEDBACK:
		return K_FEEDBACK;
	default:
		return K_DENY;
	}
}

/* Does the engine's answer agree with the reference's? */
static int
agrees(int allowed, const struct policy_grant *g, const struct rresult *r)
{
	if (allowed != (r->kind != K_DENY) || kind_of(g->kind) != r->kind)
		return 0;
	if (r->kind == K_SHARE || r->kind == K_ONWARD ||
	    r->kind == K_FEEDBACK) {
		if (g->agreement >= RMAX_AGR || g->clause >= RMAX_CL ||
		    !r->ok[g->agreement][g->clause])
			return 0;
	}
	if (r->kind == K_ONWARD && g->via_agreement != (size_t)r->via)
		return 0;
	return 1;
}

static void
dump_case(const struct world *w, int reader, const struct robj *o,
    int64_t now, int allowed, const struct policy_grant *g,
    const struct rresult *r)
{
	print_message("reader P%d now %lld type %s coll %s tlp %d prod %d "
	    "from %d under %s: engine %d kind %d (%zu,%zu via %zu), ref "
	    "kind %d via %d\n", reader, (long long)(now - T0), o->type,
	    o->coll, o->tlp, o->producer, o->received_from,
	    o->received_under ? o->received_under : "-", allowed, g->kind,
	    g->agreement, g->clause, g->via_agreement, r->kind, r->via);
	for (int i = 0; i < w->n; i++) {
		const struct ragr *a = &w->a[i];

		print_message(" agr %d: from %lld until %lld term %lld\n", i,
		    (long long)(a->from - T0), (long long)(a->until - T0),
		    (long long)(a->term == POLICY_NEVER ? -1 : a->term - T0));
		for (int k = 0; k < a->n_cl; k++)
			print_message("  cl %d: %d->%d tlp %d onward %d\n", k,
			    a->cl[k].from, a->cl[k].to, a->cl[k].tlp_max,
			    a->cl[k].onward);
	}
}

#define N_WORLDS	2500
#define N_QUERIES	100

static void
test_random_reads_against_reference(void **state)
{
	struct agreement *docs[RMAX_AGR];
	struct policy_why_list why;
	struct policy_grant g, g2;
	struct policy_object po;
	struct rresult r;
	struct world w;
	struct robj o;
	size_t cases = 0, bad = 0, by_kind[6] = { 0 }, tlp_allow[6] = { 0 },
	    tlp_deny[6] = { 0 }, time_mattered = 0, three_party = 0;
	int64_t now;

	(void)state;
	for (int wi = 0; wi < N_WORLDS; wi++) {
		struct policy *p;

		gen_world(&w, wi, docs);
		p = build(&w, docs);
		for (int q = 0; q < N_QUERIES; q++) {
			int reader, allowed, allowed2;

			gen_obj(&w, &o, &reader);
			now = gen_now(&w);
			to_policy(&o, &po);
			allowed = policy_read(p, key[reader], &po, now, &g,
			    NULL);
			r_read(&w, reader, &o, now, &r);
			cases++;
			if (!agrees(allowed, &g, &r)) {
				if (bad++ < 5)
					dump_case(&w, reader, &o, now, allowed,
					    &g, &r);
			}
			/* With reasons: the same decision; a deny names
			 * at least one reason, an allow none. */
			allowed2 = policy_read(p, key[reader], &po, now, &g2,
			    &why);
			if (allowed2 != allowed || g2.kind != g.kind ||
			    (allowed && why.n != 0) ||
			    (!allowed && why.n == 0))
				bad++;
			by_kind[r.kind]++;
			if (r.kind == K_SHARE || r.kind == K_ONWARD)
				tlp_allow[o.tlp]++;
			else if (r.kind == K_DENY)
				tlp_deny[o.tlp]++;
			if (r.kind == K_ONWARD && o.received_from != o.producer)
				three_party++;
			/* Did time decide?  Ask again with every agreement
			 * in force. */
			if (r.kind == K_DENY) {
				struct world w2 = w;
				struct rresult r2;

				for (int i = 0; i < w2.n; i++) {
					w2.a[i].from = INT64_MIN;
					w2.a[i].until = INT64_MAX;
					w2.a[i].term = INT64_MAX;
				}
				r_read(&w2, reader, &o, now, &r2);
				if (r2.kind != K_DENY)
					time_mattered++;
			}
		}
		policy_free(p);
		for (int i = 0; i < w.n; i++)
			agreement_free(docs[i]);
	}
	print_message("random reads: %zu cases, %zu disagreements; deny %zu "
	    "self %zu origin %zu share %zu onward %zu (relayed by a third "
	    "party %zu); denied by expiry or termination %zu\n", cases, bad,
	    by_kind[K_DENY], by_kind[K_SELF], by_kind[K_ORIGIN],
	    by_kind[K_SHARE], by_kind[K_ONWARD], three_party, time_mattered);
	assert_true(cases >= 100000);
	assert_int_equal(bad, 0);
	/* The generator must reach every rule, or the run proves little. */
	assert_true(by_kind[K_SHARE] > 1000);
	assert_true(by_kind[K_ONWARD] > 500);
	assert_true(by_kind[K_ORIGIN] > 1000);
	assert_true(by_kind[K_DENY] > 10000);
	assert_true(three_party > 50);
	assert_true(time_mattered > 1000);
	for (int t = 0; t < 6; t++) {
		if (tlp_allow[t] < 100 || tlp_deny[t] < 100)
			fail_msg("TLP %s: %zu allowed, %zu denied", tlp_word[t],
			    tlp_allow[t], tlp_deny[t]);
	}
}

#define N_WRITE_WORLDS	300
#define N_WRITES	100

static void
test_random_writes_against_reference(void **state)
{
	struct agreement *docs[RMAX_AGR];
	struct policy_object po, prefs[2];
	struct policy_grant g;
	struct rresult r;
	struct world w;
	struct robj o, refs[2];
	size_t cases = 0, bad = 0, by_kind[6] = { 0 };

	(void)state;
	for (int wi = 0; wi < N_WRITE_WORLDS; wi++) {
		struct policy *p;

		gen_world(&w, 5000 + wi, docs);
		p = build(&w, docs);
		for (int q = 0; q < N_WRITES; q++) {
			int writer, n_refs = pick(3), cbr, allowed, ai, rd;
			const struct rclause *c;
			const char *cbr_s;
			int64_t now = gen_now(&w);

			gen_obj(&w, &o, &writer);
			/* Aim at a clause towards this node, half the time. */
			if (pick(2) && (c = find_clause(&w, -2, &ai)) != NULL) {
				writer = c->from;
				fit(&o, c);
			}
			if (pick(2))
				o.type = pick(2) ? "sighting" : "note";
			for (int j = 0; j < n_refs; j++) {
				gen_obj(&w, &refs[j], &rd);
				/* Often an object this node shares with the
				 * writer. */
				for (int t = 0; t < 10 && pick(3) > 0; t++) {
					c = find_clause(&w, SELF, &ai);
					if (c == NULL || !r_member(&w.a[ai],
					    writer) || (c->to != ALL &&
					    c->to != writer))
						continue;
					refs[j].producer = -1;
					refs[j].received_from = -1;
					fit(&refs[j], c);
					break;
				}
				if (pick(2))
					refs[j].coll = o.coll;
				to_policy(&refs[j], &prefs[j]);
			}
			cbr = pick(8);
			cbr_s = cbr == 0 ? NULL : cbr == 1 ?
			    ident[(writer + 1) % NP] : ident[writer];
			to_policy(&o, &po);
			allowed = policy_write(p, key[writer], &po, cbr_s,
			    prefs, (size_t)n_refs, now, &g, NULL);
			r_write(&w, writer, &o, cbr >= 2, refs, n_refs, now,
			    &r);
			cases++;
			by_kind[r.kind]++;
			if (!agrees(allowed, &g, &r)) {
				if (bad++ < 5)
					print_message("write: writer P%d type "
					    "%s refs %d cbr %d: engine %d/%d "
					    "ref %d\n", writer, o.type, n_refs,
					    cbr, allowed, g.kind, r.kind);
			}
		}
		policy_free(p);
		for (int i = 0; i < w.n; i++)
			agreement_free(docs[i]);
	}
	print_message("random writes: %zu cases, %zu disagreements; deny %zu "
	    "self %zu share %zu feedback %zu\n", cases, bad, by_kind[K_DENY],
	    by_kind[K_SELF], by_kind[K_SHARE], by_kind[K_FEEDBACK]);
	assert_int_equal(bad, 0);
	assert_true(by_kind[K_SHARE] > 500);
	assert_true(by_kind[K_FEEDBACK] > 100);
	assert_true(by_kind[K_DENY] > 5000);
}

/* ====================================================================
 * Hand-written cases, one rule each.
 * ==================================================================== */

static struct policy_object
obj(const char *type, const char *coll, enum agreement_tlp tlp)
{
	struct policy_object o;

	memset(&o, 0, sizeof(o));
	o.type = type;
	o.collection = coll;
	o.tlp = tlp;
	return o;
}

static int
has_reason(const struct policy_why_list *w, enum policy_why code,
    size_t agr, size_t clause)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->r[i].code == code && w->r[i].agreement == agr &&
		    w->r[i].clause == clause)
			return 1;
	return 0;
}

static struct policy *
policy_of(struct agreement **a, int n, const int64_t *term)
{
	struct policy *p = NULL;

	assert_int_equal(policy_new(key[SELF], AGREEMENT_TLP_AMBER, &p),
	    ERR_OK);
	for (int i = 0; i < n; i++)
		assert_int_equal(policy_add(p, a[i], term != NULL ? term[i] :
		    POLICY_NEVER), ERR_OK);
	return p;
}

static void
free_all(struct policy *p, struct agreement **a, int n)
{
	policy_free(p);
	for (int i = 0; i < n; i++)
		agreement_free(a[i]);
}

static void
test_direct_share(void **state)
{
	static const int parties[] = { 0, 1, 2 };
	struct agreement *a[1];
	struct policy_why_list why;
	struct policy_grant g;
	struct policy_object o;
	struct policy *p;
	const char *labels[] = { "x", "energy" };
	char line[256];
	int64_t now = T0;

	(void)state;
	a[0] = mk(1, parties, 3, T0 - DAY, T0 + DAY,
	    "[{\"from\":\"P0\",\"to\":\"P1\",\"types\":[\"indicator\"],"
	    "\"collections\":[\"grid\"],\"tlp_max\":\"amber\","
	    "\"onward\":\"none\"},"
	    "{\"from\":\"P0\",\"to\":\"*\",\"types\":[\"*\"],"
	    "\"labels_any\":[\"energy\"],\"collections\":[\"*\"],"
	    "\"tlp_max\":\"green\",\"onward\":\"none\"}]");
	p = policy_of(a, 1, NULL);
	o = obj("indicator", "grid", AGREEMENT_TLP_AMBER);
	assert_true(policy_read(p, key[1], &o, now, &g, NULL));
	assert_int_equal(g.kind, POLICY_GRANT_SHARE);
	assert_int_equal(g.agreement, 0);
	assert_int_equal(g.clause, 0);
	/* Unmarked: the default, amber, is allowed by clause 0. */
	o.tlp = AGREEMENT_TLP_NONE;
	assert_true(policy_read(p, key[1], &o, now, &g, NULL));
	/* P2 has only clause 1 (labels energy, green). */
	o.tlp = AGREEMENT_TLP_GREEN;
	assert_false(policy_read(p, key[2], &o, now, &g, &why));
	assert_int_equal(g.kind, POLICY_DENIED);
	assert_true(has_reason(&why, POLICY_WHY_LABELS, 0, 1));
	assert_int_equal(why.n, 1);
	o.labels = labels;
	o.n_labels = 2;
	assert_true(policy_read(p, key[2], &o, now, &g, NULL));
	assert_int_equal(g.clause, 1);
	/* Every reason of a deny, each named. */
	o = obj("malware", "other", AGREEMENT_TLP_RED);
	assert_false(policy_read(p, key[1], &o, now, &g, &why));
	assert_true(has_reason(&why, POLICY_WHY_TYPE, 0, 0));
	assert_true(has_reason(&why, POLICY_WHY_COLLECTION, 0, 0));
	assert_true(has_reason(&why, POLICY_WHY_TLP, 0, 0));
	assert_true(has_reason(&why, POLICY_WHY_LABELS, 0, 1));
	assert_true(has_reason(&why, POLICY_WHY_TLP, 0, 1));
	assert_int_equal(why.n, 5);
	policy_reason_format(p, &why.r[0], &o, line, sizeof(line));
	assert_string_equal(line, "agreement--00000000-0000-4000-8000-"
	    "000000000001 v1 share[0]: type \"malware\" is not in types");
	policy_reason_format(p, &why.r[2], &o, line, sizeof(line));
	assert_string_equal(line, "agreement--00000000-0000-4000-8000-"
	    "000000000001 v1 share[0]: TLP:red is above tlp_max \"amber\"");
	/* Nobody else: this node's party reads all, an outsider nothing. */
	assert_true(policy_read(p, key[SELF], &o, now, &g, NULL));
	assert_int_equal(g.kind, POLICY_GRANT_SELF);
	assert_false(policy_read(p, key[OUTSIDER], &o, now, &g, &why));
	assert_int_equal(why.n, 1);
	assert_int_equal(why.r[0].code, POLICY_WHY_NO_AGREEMENT);
	/* A clause from P1 to P0 lets nobody read from this node. */
	free_all(p, a, 1);
}

static void
test_default_tlp(void **state)
{
	static const int parties[] = { 0, 1 };
	struct agreement *a;
	struct policy_why_list why;
	struct policy_object o = obj("indicator", "c", AGREEMENT_TLP_NONE);
	struct policy *p = NULL;
	char line[256];

	(void)state;
	a = mk(2, parties, 2, T0 - DAY, T0 + DAY,
	    "[{\"from\":\"P0\",\"to\":\"P1\",\"types\":[\"*\"],"
	    "\"collections\":[\"*\"],\"tlp_max\":\"green\","
	    "\"onward\":\"none\"}]");
	assert_int_equal(policy_new(key[SELF], AGREEMENT_TLP_NONE, &p),
	    ERR_INVALID);
	assert_null(p);
	/* Amber by default: an unmarked object is above green. */
	assert_int_equal(policy_new(key[SELF], AGREEMENT_TLP_AMBER, &p),
	    ERR_OK);
	assert_int_equal(policy_add(p, a, POLICY_NEVER), ERR_OK);
	assert_false(policy_read(p, key[1], &o, T0, NULL, &why));
	policy_reason_format(p, &why.r[0], &o, line, sizeof(line));
	assert_string_equal(line, "agreement--00000000-0000-4000-8000-"
	    "000000000002 v1 share[0]: TLP:amber is above tlp_max \"green\" "
	    "(unmarked: the node's default)");
	policy_free(p);
	/* Configured green: allowed. */
	assert_int_equal(policy_new(key[SELF], AGREEMENT_TLP_GREEN, &p),
	    ERR_OK);
	assert_int_equal(policy_add(p, a, POLICY_NEVER), ERR_OK);
	assert_true(policy_read(p, key[1], &o, T0, NULL, NULL));
	policy_free(p);
	agreement_free(a);
}

static void
test_red(void **state)
{
	static const int parties[] = { 0, 1, 2 };
	struct agreement *a[1];
	struct policy_why_list why;
	struct policy_object o = obj("indicator", "c", AGREEMENT_TLP_RED);
	struct policy *p;

	(void)state;
	a[0] = mk(3, parties, 3, T0 - DAY, T0 + DAY,
	    "[{\"from\":\"P0\",\"to\":\"P1\",\"types\":[\"*\"],"
	    "\"collections\":[\"*\"],\"tlp_max\":\"red\",\"onward\":\"any\"},"
	    "{\"from\":\"P0\",\"to\":\"*\",\"types\":[\"*\"],"
	    "\"collections\":[\"*\"],\"tlp_max\":\"amber+strict\","
	    "\"onward\":\"any\"}]");
	p = policy_of(a, 1, NULL);
	/* Named individually with tlp_max red: yes; through "*": no. */
	assert_true(policy_read(p, key[1], &o, T0, NULL, NULL));
	assert_false(policy_read(p, key[2], &o, T0, NULL, &why));
	assert_true(has_reason(&why, POLICY_WHY_TLP, 0, 1));
	o.tlp = AGREEMENT_TLP_AMBER_STRICT;
	assert_true(policy_read(p, key[2], &o, T0, NULL, NULL));
	policy_free(p);
	/*
	 * The parser refuses tlp_max red with to "*"; the engine does not
	 * rely on it.  A hand-made struct with that clause grants up to
	 * amber+strict only.
	 */
	a[0]->share[0].to = AGREEMENT_TO_ALL;
	p = policy_of(a, 1, NULL);
	o.tlp = AGREEMENT_TLP_RED;
	assert_false(policy_read(p, key[1], &o, T0, NULL, &why));
	assert_true(has_reason(&why, POLICY_WHY_RED_NOT_NAMED, 0, 0));
	o.tlp = AGREEMENT_TLP_AMBER_STRICT;
	assert_true(policy_read(p, key[1], &o, T0, NULL, NULL));
	free_all(p, a, 1);
}

static void
test_expiry_and_termination(void **state)
{
	static const int parties[] = { 0, 1 };
	struct agreement *a[2];
	struct policy_why_list why;
	struct policy_object o = obj("indicator", "c", AGREEMENT_TLP_GREEN);
	struct policy_grant g;
	struct policy *p;
	int64_t term[2] = { POLICY_NEVER, T0 + 5 * DAY };
	char line[256];

	(void)state;
	/* Agreement 0 ends at T0 + 2 days; agreement 1 runs longer but is
	 * terminated at T0 + 5 days. */
	a[0] = mk(4, parties, 2, T0, T0 + 2 * DAY,
	    "[{\"from\":\"P0\",\"to\":\"P1\",\"types\":[\"*\"],"
	    "\"collections\":[\"*\"],\"tlp_max\":\"green\","
	    "\"onward\":\"none\"}]");
	a[1] = mk(5, parties, 2, T0 + DAY, T0 + 9 * DAY,
	    "[{\"from\":\"P0\",\"to\":\"P1\",\"types\":[\"*\"],"
	    "\"collections\":[\"*\"],\"tlp_max\":\"green\","
	    "\"onward\":\"none\"}]");
	p = policy_of(a, 2, term);
	assert_false(policy_read(p, key[1], &o, T0 - 1, NULL, &why));
	assert_true(has_reason(&why, POLICY_WHY_NOT_YET, 0, POLICY_NONE));
	assert_true(has_reason(&why, POLICY_WHY_NOT_YET, 1, POLICY_NONE));
	assert_true(policy_read(p, key[1], &o, T0, &g, NULL));
	assert_int_equal(g.agreement, 0);
	assert_true(policy_read(p, key[1], &o, T0 + 2 * DAY - 1, &g, NULL));
	assert_int_equal(g.agreement, 0);
	/* From the instant agreement 0 ends, agreement 1 grants. */
	assert_true(policy_read(p, key[1], &o, T0 + 2 * DAY, &g, NULL));
	assert_int_equal(g.agreement, 1);
	assert_true(policy_read(p, key[1], &o, T0 + 5 * DAY - 1, &g, NULL));
	/* From the instant of termination, nothing. */
	assert_false(policy_read(p, key[1], &o, T0 + 5 * DAY, &g, &why));
	assert_int_equal(why.n, 2);
	assert_true(has_reason(&why, POLICY_WHY_EXPIRED, 0, POLICY_NONE));
	assert_true(has_reason(&why, POLICY_WHY_TERMINATED, 1, POLICY_NONE));
	policy_reason_format(p, &why.r[1], &o, line, sizeof(line));
	assert_string_equal(line, "agreement--00000000-0000-4000-8000-"
	    "000000000005 v1: terminated at 2026-03-06T00:00:00.000000Z");
	free_all(p, a, 2);
}

/*
 * Three parties: P1 (X) shares with this node (P0) under agreement 0;
 * this node shares with P2 (Z) under agreement 1.  Agreement 2 has all
 * three.
 */
static void
test_onward_chain(void **state)
{
	static const int xn[] = { 1, 0 }, nz[] = { 0, 2 }, all3[] = { 0, 1,
	    2 };
	struct agreement *a[6];
	struct policy_why_list why;
	struct policy_object o = obj("indicator", "c", AGREEMENT_TLP_GREEN);
	struct policy_grant g;
	struct policy *p;
	const char *nz_share = "[{\"from\":\"P0\",\"to\":\"P2\","
	    "\"types\":[\"*\"],\"collections\":[\"*\"],\"tlp_max\":\"amber\","
	    "\"onward\":\"none\"}]";
	int64_t term[6] = { POLICY_NEVER, POLICY_NEVER, POLICY_NEVER,
	    POLICY_NEVER, POLICY_NEVER, T0 - 1 };

	(void)state;
	a[0] = mk(10, xn, 2, T0 - DAY, T0 + DAY,
	    "[{\"from\":\"P1\",\"to\":\"P0\",\"types\":[\"*\"],"
	    "\"collections\":[\"*\"],\"tlp_max\":\"red\",\"onward\":\"any\"}]");
	a[1] = mk(11, nz, 2, T0 - DAY, T0 + DAY, nz_share);
	a[2] = mk(12, all3, 3, T0 - DAY, T0 + DAY,
	    "[{\"from\":\"P1\",\"to\":\"*\",\"types\":[\"*\"],"
	    "\"collections\":[\"*\"],\"tlp_max\":\"amber\","
	    "\"onward\":\"parties\"}]");
	a[3] = mk(13, xn, 2, T0 - DAY, T0 + DAY,
	    "[{\"from\":\"P1\",\"to\":\"P0\",\"types\":[\"*\"],"
	    "\"collections\":[\"*\"],\"tlp_max\":\"amber\","
	    "\"onward\":\"none\"}]");
	a[4] = mk(14, xn, 2, T0 - DAY, T0 + DAY,
	    "[{\"from\":\"P1\",\"to\":\"P0\",\"types\":[\"*\"],"
	    "\"collections\":[\"*\"],\"tlp_max\":\"amber\","
	    "\"onward\":\"parties\"}]");
	a[5] = mk(15, xn, 2, T0 - DAY, T0 + DAY,
	    "[{\"from\":\"P1\",\"to\":\"P0\",\"types\":[\"*\"],"
	    "\"collections\":[\"*\"],\"tlp_max\":\"amber\","
	    "\"onward\":\"any\"}]");
	p = policy_of(a, 6, term);
	o.producer = key[1];
	o.received_from = key[1];

	/* onward any, green, and a clause with Z: Z reads it. */
	o.received_under = a[0]->id;
	assert_true(policy_read(p, key[2], &o, T0, &g, NULL));
	assert_int_equal(g.kind, POLICY_GRANT_ONWARD);
	assert_int_equal(g.agreement, 1);
	assert_int_equal(g.via_agreement, 0);
	assert_int_equal(g.via_clause, 0);
	/* X reads its own object back; Z is all who's left. */
	assert_true(policy_read(p, key[1], &o, T0, &g, NULL));
	assert_int_equal(g.kind, POLICY_GRANT_ORIGIN);
	/* Amber under onward any: at most the same agreement's parties. */
	o.tlp = AGREEMENT_TLP_AMBER;
	assert_false(policy_read(p, key[2], &o, T0, &g, &why));
	assert_true(has_reason(&why, POLICY_WHY_ONWARD_PARTIES, 0, 0));
	/* Amber+strict and red never go on. */
	o.tlp = AGREEMENT_TLP_AMBER_STRICT;
	assert_false(policy_read(p, key[2], &o, T0, &g, &why));
	assert_true(has_reason(&why, POLICY_WHY_TLP_NO_ONWARD, 0, 0));
	o.tlp = AGREEMENT_TLP_RED;
	assert_false(policy_read(p, key[2], &o, T0, &g, &why));
	assert_true(has_reason(&why, POLICY_WHY_TLP_NO_ONWARD, 0, 0));
	/* Under agreement 2 (all three parties, onward parties): amber
	 * reaches Z, who is a party of it, through agreement 1. */
	o.tlp = AGREEMENT_TLP_AMBER;
	o.received_under = a[2]->id;
	assert_true(policy_read(p, key[2], &o, T0, &g, NULL));
	assert_int_equal(g.via_agreement, 2);
	/* Onward none stops it. */
	o.received_under = a[3]->id;
	assert_false(policy_read(p, key[2], &o, T0, &g, &why));
	assert_true(has_reason(&why, POLICY_WHY_ONWARD_NONE, 3, 0));
	/* Onward parties: Z is not a party of agreement 4. */
	o.tlp = AGREEMENT_TLP_GREEN;
	o.received_under = a[4]->id;
	assert_false(policy_read(p, key[2], &o, T0, &g, &why));
	assert_true(has_reason(&why, POLICY_WHY_ONWARD_PARTIES, 4, 0));
	/* Agreement 5 was terminated: its objects stop at once, although
	 * the agreement with Z is in force. */
	o.received_under = a[5]->id;
	assert_false(policy_read(p, key[2], &o, T0, &g, &why));
	assert_true(has_reason(&why, POLICY_WHY_SOURCE_TERMINATED, 5,
	    POLICY_NONE));
	/* Received under nothing installed, or from nobody. */
	o.received_under = "agreement--12345678-0000-4000-8000-000000000000";
	assert_false(policy_read(p, key[2], &o, T0, &g, &why));
	assert_true(has_reason(&why, POLICY_WHY_SOURCE_UNKNOWN, POLICY_NONE,
	    POLICY_NONE));
	o.received_under = a[0]->id;
	o.received_from = NULL;
	assert_false(policy_read(p, key[2], &o, T0, &g, &why));
	assert_true(has_reason(&why, POLICY_WHY_NO_SENDER, POLICY_NONE,
	    POLICY_NONE));
	/* A chain: P3 produced it, P1 passed it to this node. */
	o.producer = key[3];
	o.received_from = key[1];
	assert_true(policy_read(p, key[2], &o, T0, &g, NULL));
	assert_int_equal(g.kind, POLICY_GRANT_ONWARD);
	/* The sender outside the agreement it claims. */
	o.received_from = key[3];
	assert_false(policy_read(p, key[2], &o, T0, &g, &why));
	assert_true(has_reason(&why, POLICY_WHY_SOURCE_NOT_PARTY, 0,
	    POLICY_NONE));
	free_all(p, a, 6);
}

static void
test_writes(void **state)
{
	static const int parties[] = { 0, 1, 2 };
	struct agreement *a[1];
	struct policy_why_list why;
	struct policy_object o, ref;
	struct policy_grant g;
	struct policy *p;

	(void)state;
	a[0] = mk(20, parties, 3, T0 - DAY, T0 + DAY,
	    "[{\"from\":\"P1\",\"to\":\"P0\",\"types\":[\"indicator\"],"
	    "\"collections\":[\"in\"],\"tlp_max\":\"amber\","
	    "\"onward\":\"none\"},"
	    "{\"from\":\"P0\",\"to\":\"*\",\"types\":[\"indicator\"],"
	    "\"collections\":[\"out\"],\"tlp_max\":\"amber\","
	    "\"onward\":\"none\"}]");
	p = policy_of(a, 1, NULL);
	o = obj("indicator", "in", AGREEMENT_TLP_GREEN);
	/* Its own object, into a collection the clause lists. */
	assert_true(policy_write(p, key[1], &o, ident[1], NULL, 0, T0, &g,
	    NULL));
	assert_int_equal(g.kind, POLICY_GRANT_SHARE);
	assert_int_equal(g.clause, 0);
	/* Someone else's object, or none named. */
	assert_false(policy_write(p, key[1], &o, ident[2], NULL, 0, T0, &g,
	    &why));
	assert_true(has_reason(&why, POLICY_WHY_NOT_CREATOR, POLICY_NONE,
	    POLICY_NONE));
	assert_false(policy_write(p, key[1], &o, NULL, NULL, 0, T0, &g,
	    NULL));
	/* Another collection, another type. */
	o.collection = "out";
	assert_false(policy_write(p, key[1], &o, ident[1], NULL, 0, T0, &g,
	    &why));
	assert_true(has_reason(&why, POLICY_WHY_COLLECTION, 0, 0));
	/* P2 has no clause towards this node. */
	o.collection = "in";
	assert_false(policy_write(p, key[2], &o, ident[2], NULL, 0, T0, &g,
	    &why));
	assert_true(has_reason(&why, POLICY_WHY_NO_CLAUSE, 0, POLICY_NONE));
	/* But P2 may report a sighting of what it reads from "out", into
	 * "out". */
	ref = obj("indicator", "out", AGREEMENT_TLP_GREEN);
	o = obj("sighting", "out", AGREEMENT_TLP_GREEN);
	assert_true(policy_write(p, key[2], &o, ident[2], &ref, 1, T0, &g,
	    NULL));
	assert_int_equal(g.kind, POLICY_GRANT_FEEDBACK);
	assert_int_equal(g.agreement, 0);
	assert_int_equal(g.clause, 1);
	/* Not into a collection it neither read from nor may write. */
	o.collection = "elsewhere";
	assert_false(policy_write(p, key[2], &o, ident[2], &ref, 1, T0, &g,
	    &why));
	assert_true(has_reason(&why, POLICY_WHY_FEEDBACK_COLLECTION,
	    POLICY_NONE, POLICY_NONE));
	/* Not about an object it cannot read. */
	o.collection = "out";
	ref.tlp = AGREEMENT_TLP_RED;
	assert_false(policy_write(p, key[2], &o, ident[2], &ref, 1, T0, &g,
	    &why));
	assert_true(has_reason(&why, POLICY_WHY_REF_UNREADABLE, POLICY_NONE,
	    0));
	/* Not after the agreement ends. */
	ref.tlp = AGREEMENT_TLP_GREEN;
	assert_false(policy_write(p, key[2], &o, ident[2], &ref, 1,
	    T0 + DAY, &g, NULL));
	/* This node's party writes anything. */
	assert_true(policy_write(p, key[SELF], &o, NULL, NULL, 0, T0, &g,
	    NULL));
	assert_int_equal(g.kind, POLICY_GRANT_SELF);
	free_all(p, a, 1);
}

static void
test_who(void **state)
{
	static const int parties[] = { 0, 1, 2, 3 };
	struct agreement *a[1];
	struct policy_recipient *r = NULL;
	struct policy_object o = obj("indicator", "c", AGREEMENT_TLP_AMBER);
	struct policy *p;
	size_t n = 99;

	(void)state;
	a[0] = mk(30, parties, 4, T0 - DAY, T0 + DAY,
	    "[{\"from\":\"P0\",\"to\":\"P1\",\"types\":[\"*\"],"
	    "\"collections\":[\"*\"],\"tlp_max\":\"amber\","
	    "\"onward\":\"none\"},"
	    "{\"from\":\"P0\",\"to\":\"P3\",\"types\":[\"indicator\"],"
	    "\"collections\":[\"c\"],\"tlp_max\":\"amber\","
	    "\"onward\":\"none\"}]");
	p = policy_of(a, 1, NULL);
	assert_int_equal(policy_who(p, &o, T0, &r, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_memory_equal(r[0].key, key[1], 32);
	assert_int_equal(r[0].grant.clause, 0);
	assert_memory_equal(r[1].key, key[3], 32);
	assert_int_equal(r[1].grant.clause, 1);
	free(r);
	/* After the end: nobody. */
	assert_int_equal(policy_who(p, &o, T0 + DAY, &r, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_null(r);
	free_all(p, a, 1);
}

static void
test_add_refusals(void **state)
{
	static const int others[] = { 1, 2 }, mine[] = { 0, 1 };
	struct agreement *x, *y;
	struct policy *p = NULL;

	(void)state;
	x = mk(40, others, 2, T0, T0 + DAY, "[]");
	y = mk(41, mine, 2, T0, T0 + DAY, "[]");
	assert_int_equal(policy_new(key[SELF], AGREEMENT_TLP_AMBER, &p),
	    ERR_OK);
	assert_int_equal(policy_add(p, x, POLICY_NEVER), ERR_INVALID);
	assert_int_equal(policy_add(p, y, POLICY_NEVER), ERR_OK);
	assert_int_equal(policy_add(p, y, POLICY_NEVER), ERR_EXISTS);
	assert_int_equal(policy_n_agreements(p), 1);
	assert_string_equal(policy_agreement_id(p, 0), y->id);
	assert_int_equal(policy_agreement_version(p, 0), 1);
	assert_int_equal(policy_agreement_find(p, y->id), 0);
	assert_true(policy_agreement_find(p, x->id) == POLICY_NONE);
	policy_free(p);
	agreement_free(x);
	agreement_free(y);
}

static void
test_tlp_of(void **state)
{
	json_t *o;

	(void)state;
	o = json_pack("{s:s}", "type", "indicator");
	assert_int_equal(policy_tlp_of(o), AGREEMENT_TLP_NONE);
	json_object_set_new(o, "object_marking_refs", json_pack("[s,s]",
	    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
	    "marking-definition--00000000-0000-4000-8000-000000000000"));
	assert_int_equal(policy_tlp_of(o), AGREEMENT_TLP_CLEAR);
	/* TLP 1.0 red among others: the most restrictive wins. */
	json_array_append_new(json_object_get(o, "object_marking_refs"),
	    json_string("marking-definition--5e57c739-391a-4eb3-b6be-"
	    "7d15ca92d5ed"));
	assert_int_equal(policy_tlp_of(o), AGREEMENT_TLP_RED);
	json_object_del(o, "object_marking_refs");
	json_object_set_new(o, "granular_markings", json_pack("[{s:s,s:[s]}]",
	    "marking_ref", "marking-definition--939a9414-2ddd-4d32-a0cd-"
	    "375ea402b003", "selectors", "pattern"));
	assert_int_equal(policy_tlp_of(o), AGREEMENT_TLP_AMBER_STRICT);
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direct_share),
		cmocka_unit_test(test_default_tlp),
		cmocka_unit_test(test_red),
		cmocka_unit_test(test_expiry_and_termination),
		cmocka_unit_test(test_onward_chain),
		cmocka_unit_test(test_writes),
		cmocka_unit_test(test_who),
		cmocka_unit_test(test_add_refusals),
		cmocka_unit_test(test_tlp_of),
		cmocka_unit_test(test_random_reads_against_reference),
		cmocka_unit_test(test_random_writes_against_reference),
	};

	if (setup_keys() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
