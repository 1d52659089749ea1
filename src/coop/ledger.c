/*
 * ledger.c: the lifecycle engine of the cooperation items of one agreement.
 *
 * The ledger is a set of (object, receipt time) pairs.  An item (a
 * notification, request, consultation or check) gets its deadlines when
 * it is added; a response is attached to the item it names, or to a
 * placeholder for that item when the item has not arrived yet.  Each
 * item keeps its responses sorted by (receipt time, id), and every
 * question (the state at now, the verdict on a response) is answered by
 * folding those responses through the item's state machine from the
 * start.  So the answers depend only on the set, never on the order the
 * objects were added, and an object that arrives late in the feed but
 * early in time takes its place in history.
 *
 * The id index is an open-addressing hash table (FNV-1a, linear probing,
 * at most half full) over an array of entries; entries are never removed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop/coop.h"
#include "util/timeutil.h"

/* 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z in microseconds. */
#define TIME_MIN	(-62135596800LL * 1000000LL)
#define TIME_END	(253402300800LL * 1000000LL)

#define NO_ENTRY	((size_t)-1)

struct entry {
	struct coop_obj	*obj;		/* NULL: an item only responses name */
	char		 id[COOP_ID_MAX + 1];
	int64_t		 at;		/* received */
	/* Items: deadlines and the responses, by (at, id). */
	int		 has_ack_by, has_answer_by;
	int64_t		 ack_by, answer_by;
	size_t		*resp;
	size_t		 n_resp, cap_resp;
	/* Responses: the entry of the item answered. */
	size_t		 target;
};

struct coop_ledger {
	const struct agreement	*a;
	int64_t			 ends_at;	/* valid_until or termination */
	struct entry		*e;
	size_t			 n_e, cap_e;
	size_t			*slots;		/* entry index + 1; 0 empty */
	size_t			 n_slots;	/* a power of two */
	size_t			 n_objects;	/* entries with an object */
};

/* What a fold of an item's responses has reached. */
struct fold {
	enum coop_state	st;
	int		acked, answered, closed;
	int64_t		acked_at, answered_at, closed_at;
	size_t		n_ok, n_refused;
};

static void __attribute__((format(printf, 2, 3)))
report(struct agreement_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r == NULL)
		return;
	if (r->n >= AGREEMENT_REPORT_MAX) {
		r->n_more++;
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(r->msg[r->n], sizeof(r->msg[r->n]), fmt, ap);
	va_end(ap);
	r->n++;
}

static void __attribute__((format(printf, 3, 4)))
verdict(struct coop_verdict *v, enum coop_code code, const char *fmt, ...)
{
	va_list ap;

	if (v == NULL)
		return;
	v->code = code;
	va_start(ap, fmt);
	(void)vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
}

const char *
coop_code_name(enum coop_code c)
{
	static const char *const names[] = {
		[COOP_OK] = "ok",
		[COOP_MALFORMED] = "malformed",
		[COOP_WRONG_AGREEMENT] = "wrong-agreement",
		[COOP_NOT_PARTY] = "not-party",
		[COOP_TO_NOT_PARTY] = "to-not-party",
		[COOP_NOT_IN_FORCE] = "not-in-force",
		[COOP_NO_ASSISTANCE] = "no-assistance",
		[COOP_NOT_PROTECTED] = "not-protected",
		[COOP_TIME_RANGE] = "time-range",
		[COOP_DUPLICATE] = "duplicate",
		[COOP_UNKNOWN] = "unknown",
		[COOP_BEFORE] = "before",
		[COOP_CREATED_BEFORE] = "created-before",
		[COOP_WRONG_PARTY] = "wrong-party",
		[COOP_CLOSED] = "closed",
		[COOP_ALREADY] = "already",
	};

	return (unsigned)c < COOP_CODE_COUNT_ ? names[c] : NULL;
}

const char *
coop_state_name(enum coop_state s)
{
	static const char *const names[] = { NULL, "notified", "open",
	    "acknowledged", "answered", "declined", "responded", "closed",
	    "sent", "late", "missed" };

	return (unsigned)s >= 1 && (unsigned)s < sizeof(names) /
	    sizeof(names[0]) ? names[s] : NULL;
}

/* ---- the id index ---- */

static size_t
hash_id(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return (size_t)h;
}

static size_t
find(const struct coop_ledger *l, const char *id)
{
	size_t i, k;

	if (l->n_slots == 0)
		return NO_ENTRY;
	for (i = hash_id(id) & (l->n_slots - 1); (k = l->slots[i]) != 0;
	    i = (i + 1) & (l->n_slots - 1))
		if (strcmp(l->e[k - 1].id, id) == 0)
			return k - 1;
	return NO_ENTRY;
}

static void
slot_put(size_t *slots, size_t n_slots, const char *id, size_t idx)
{
	size_t i;

	for (i = hash_id(id) & (n_slots - 1); slots[i] != 0;
	    i = (i + 1) & (n_slots - 1))
		continue;
	slots[i] = idx + 1;
}

/*
 * Make room for n_new more entries (array and index), so that adding them
 * cannot fail.  ERR_NOMEM with l unchanged.
 */
static enum err
reserve(struct coop_ledger *l, size_t n_new)
{
	struct entry *e;
	size_t need = l->n_e + n_new, cap, *slots, n_slots, i;

	if (need > l->cap_e) {
		cap = l->cap_e == 0 ? 16 : l->cap_e * 2;
		while (cap < need)
			cap *= 2;
		if ((e = realloc(l->e, cap * sizeof(*e))) == NULL)
			return ERR_NOMEM;
		l->e = e;
		l->cap_e = cap;
	}
	if (need * 2 > l->n_slots) {
		n_slots = l->n_slots == 0 ? 32 : l->n_slots * 2;
		while (need * 2 > n_slots)
			n_slots *= 2;
		if ((slots = calloc(n_slots, sizeof(*slots))) == NULL)
			return ERR_NOMEM;
		for (i = 0; i < l->n_e; i++)
			slot_put(slots, n_slots, l->e[i].id, i);
		free(l->slots);
		l->slots = slots;
		l->n_slots = n_slots;
	}
	return ERR_OK;
}

/* A new entry for id (room reserved); returns its index. */
static size_t
entry_new(struct coop_ledger *l, const char *id)
{
	struct entry *x = &l->e[l->n_e];

	memset(x, 0, sizeof(*x));
	memcpy(x->id, id, strlen(id) + 1);	/* ids are <= COOP_ID_MAX */
	x->target = NO_ENTRY;
	slot_put(l->slots, l->n_slots, x->id, l->n_e);
	return l->n_e++;
}

/* ---- ledger ---- */

enum err
coop_ledger_new(const struct agreement *a, int64_t terminated_at,
    struct coop_ledger **out)
{
	struct coop_ledger *l;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return ERR_NOMEM;
	l->a = a;
	l->ends_at = terminated_at < a->valid_until ? terminated_at :
	    a->valid_until;
	*out = l;
	return ERR_OK;
}

void
coop_ledger_free(struct coop_ledger *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n_e; i++) {
		coop_free(l->e[i].obj);
		free(l->e[i].resp);
	}
	free(l->e);
	free(l->slots);
	free(l);
}

size_t
coop_ledger_count(const struct coop_ledger *l)
{
	return l->n_objects;
}

/* Index of the party with this identity, or -1. */
static long
party_of(const struct agreement *a, const char *identity)
{
	size_t i;

	for (i = 0; i < a->n_parties; i++)
		if (strcmp(a->parties[i].identity, identity) == 0)
			return (long)i;
	return -1;
}

static int
list_has(const struct agreement_list *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* Is the asset in the protected clause of party p? */
static const char *
asset_problem(const struct agreement *a, long p, const struct coop_obj *o)
{
	const struct agreement_protected *pr = NULL;
	const struct agreement_list *l;
	size_t i;

	for (i = 0; i < a->n_protect; i++)
		if ((long)a->protect[i].party == p)
			pr = &a->protect[i];
	if (pr == NULL)
		return "the consulting party has no protected clause";
	switch (o->asset_type) {
	case COOP_ASSET_CIDR:
		l = &pr->cidrs;
		break;
	case COOP_ASSET_DOMAIN:
		l = &pr->domains;
		break;
	default:
		l = &pr->sectors;
		break;
	}
	return list_has(l, o->asset) ? NULL : "not in the consulting "
	    "party's protected clause";
}

/* Deadlines of item x (o, received at x->at).  0, or -1 past year 9999. */
static int
deadlines(const struct coop_ledger *l, const struct coop_obj *o,
    struct entry *x)
{
	const struct agreement *a = l->a;

	x->has_ack_by = x->has_answer_by = 0;
	switch (o->type) {
	case COOP_REQUEST:
		if (!a->has_assistance)
			return 0;
		if (agreement_duration_add(&a->acknowledge_within, x->at,
		    &x->ack_by) != ERR_OK ||
		    agreement_duration_add(&a->answer_within, x->at,
		    &x->answer_by) != ERR_OK)
			return -1;
		x->has_ack_by = x->has_answer_by = 1;
		return 0;
	case COOP_CONSULTATION:
		if (!a->has_assistance)
			return 0;
		if (agreement_duration_add(&a->answer_within, x->at,
		    &x->answer_by) != ERR_OK)
			return -1;
		x->has_answer_by = 1;
		return 0;
	case COOP_CHECK:
		if (agreement_duration_add(&o->window, x->at,
		    &x->answer_by) != ERR_OK)
			return -1;
		x->has_answer_by = 1;
		return 0;
	default:
		return 0;
	}
}

/* Static problems found so far: the first one's code and line. */
struct problems {
	struct agreement_report	*rep;
	enum coop_code		 first;
	char			 line[COOP_REASON_MAX];
};

static void __attribute__((format(printf, 3, 4)))
problem(struct problems *p, enum coop_code code, const char *fmt, ...)
{
	char line[COOP_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	report(p->rep, "%s", line);
	if (p->first == COOP_OK) {
		p->first = code;
		memcpy(p->line, line, sizeof(line));
	}
}

/*
 * The checks that need only o, its time and the agreement.  Fills x, the
 * entry-to-be (time and deadlines).  Every problem goes to rep; the first
 * is returned, and put in v.
 */
static enum coop_code
check_static(const struct coop_ledger *l, const struct coop_obj *o,
    int64_t at, struct entry *x, struct coop_verdict *v,
    struct agreement_report *rep)
{
	const struct agreement *a = l->a;
	struct problems p = { rep, COOP_OK, "" };
	char t1[TS_BUFSZ], t2[TS_BUFSZ], t3[TS_BUFSZ];
	const char *why;
	long author;
	size_t i;
	int time_ok = 1;

	memset(x, 0, sizeof(*x));
	x->at = at;
	x->target = NO_ENTRY;
	if (strcmp(o->agreement_id, a->id) != 0)
		problem(&p, COOP_WRONG_AGREEMENT, "agreement_id: %s is not "
		    "this ledger's agreement (%s)", o->agreement_id, a->id);
	if (at < TIME_MIN || at >= TIME_END) {
		problem(&p, COOP_TIME_RANGE, "received at %lld us: not a time "
		    "of years 0001-9999", (long long)at);
		time_ok = 0;
	}
	author = party_of(a, o->created_by);
	if (author < 0)
		problem(&p, COOP_NOT_PARTY, "created_by_ref: %s is no party "
		    "of %s", o->created_by, a->id);
	for (i = 0; i < o->to.n; i++)
		if (party_of(a, o->to.v[i]) < 0)
			problem(&p, COOP_TO_NOT_PARTY, "%s: %s is no party of "
			    "%s", o->type == COOP_NOTIFICATION ? "to_refs" :
			    "to_ref", o->to.v[i], a->id);
	if (o->type != COOP_RESPONSE && time_ok &&
	    (at < a->valid_from || at >= l->ends_at)) {
		ts_format(at, t1);
		ts_format(a->valid_from, t2);
		ts_format(l->ends_at, t3);
		problem(&p, COOP_NOT_IN_FORCE, "received at %s: the agreement "
		    "is in force from %s to %s%s", t1, t2, t3,
		    l->ends_at < a->valid_until ? " (terminated)" : "");
	}
	if (o->type == COOP_REQUEST && !a->has_assistance)
		problem(&p, COOP_NO_ASSISTANCE, "the agreement has no "
		    "assistance clause: it provides for no requests");
	if (o->type == COOP_CONSULTATION && author >= 0 &&
	    (why = asset_problem(a, author, o)) != NULL)
		problem(&p, COOP_NOT_PROTECTED, "asset: %s \"%s\": %s",
		    coop_asset_name(o->asset_type), o->asset, why);
	if (time_ok && deadlines(l, o, x) < 0)
		problem(&p, COOP_TIME_RANGE, "a deadline falls after year "
		    "9999");
	if (p.first != COOP_OK)
		verdict(v, p.first, "%s", p.line);
	return p.first;
}

/* ---- the state machines ---- */

static void
fold_init(const struct coop_obj *item, struct fold *f)
{
	memset(f, 0, sizeof(*f));
	switch (item->type) {
	case COOP_NOTIFICATION:
		f->st = COOP_ST_NOTIFIED;
		break;
	case COOP_CHECK:
		f->st = COOP_ST_SENT;
		break;
	default:
		f->st = COOP_ST_OPEN;
		break;
	}
}

/* (at, id) order of responses. */
static int
key_cmp(int64_t a_at, const char *a_id, int64_t b_at, const char *b_id)
{
	if (a_at != b_at)
		return a_at < b_at ? -1 : 1;
	return strcmp(a_id, b_id);
}

/*
 * Apply response r, received at r_at, to item x in the state f.  COOP_OK
 * and f updated, or the refusal with its reason in v (may be NULL) and f
 * unchanged but for n_refused.
 */
static enum coop_code
fold_step(const struct entry *x, struct fold *f, const struct coop_obj *r,
    int64_t r_at, struct coop_verdict *v)
{
	const struct coop_obj *it = x->obj;
	const char *what = coop_type_name(it->type) + 8;  /* "request" */
	char t1[TS_BUFSZ], t2[TS_BUFSZ];
	enum coop_code code = COOP_OK;

	if (r_at < x->at) {
		ts_format(r_at, t1);
		ts_format(x->at, t2);
		verdict(v, code = COOP_BEFORE, "received at %s, before the "
		    "%s it answers (received at %s)", t1, what, t2);
		goto refused;
	}
	if (r->created < it->created) {
		ts_format(r->created, t1);
		ts_format(it->created, t2);
		verdict(v, code = COOP_CREATED_BEFORE, "created at %s, "
		    "before the %s it answers (created at %s)", t1, what, t2);
		goto refused;
	}
	if (r->action == COOP_ACT_CLOSE) {
		if (strcmp(r->created_by, it->created_by) != 0) {
			verdict(v, code = COOP_WRONG_PARTY, "only the "
			    "consulting party (%s) closes a consultation",
			    it->created_by);
			goto refused;
		}
	} else if (strcmp(r->created_by, it->to.v[0]) != 0) {
		verdict(v, code = COOP_WRONG_PARTY, "only the party the %s "
		    "was sent to (%s) may %s it", what, it->to.v[0],
		    coop_action_name(r->action));
		goto refused;
	}
	if (f->closed) {
		ts_format(f->closed_at, t1);
		verdict(v, code = COOP_CLOSED, "%s %s is closed: %s at %s",
		    what, it->id, coop_state_name(f->st), t1);
		goto refused;
	}
	switch (r->action) {
	case COOP_ACT_ACKNOWLEDGE:
		if (f->acked) {
			ts_format(f->acked_at, t1);
			verdict(v, code = COOP_ALREADY, "request %s was "
			    "already acknowledged at %s", it->id, t1);
			goto refused;
		}
		f->acked = 1;
		f->acked_at = r_at;
		f->st = COOP_ST_ACKNOWLEDGED;
		break;
	case COOP_ACT_ANSWER:
	case COOP_ACT_DECLINE:
		if (it->type == COOP_REQUEST && !f->acked) {
			/* An answer or a decline acknowledges too. */
			f->acked = 1;
			f->acked_at = r_at;
		}
		f->answered = f->closed = 1;
		f->answered_at = f->closed_at = r_at;
		f->st = r->action == COOP_ACT_DECLINE ? COOP_ST_DECLINED :
		    COOP_ST_ANSWERED;
		break;
	case COOP_ACT_RESPOND:
		if (!f->answered) {
			f->answered = 1;
			f->answered_at = r_at;
		}
		f->st = COOP_ST_RESPONDED;
		break;
	case COOP_ACT_CLOSE:
		f->closed = 1;
		f->closed_at = r_at;
		f->st = COOP_ST_CLOSED;
		break;
	}
	f->n_ok++;
	verdict(v, COOP_OK, "accepted");
	return COOP_OK;
refused:
	f->n_refused++;
	return code;
}

/* The verdict when the item is not in the ledger. */
static enum coop_code
unknown(const struct coop_obj *r, struct coop_verdict *v)
{
	verdict(v, COOP_UNKNOWN, "unknown %s %s: the response is kept and "
	    "judged again when it arrives",
	    coop_type_name(coop_type_of_id(r->request_ref)) + 8,
	    r->request_ref);
	return COOP_UNKNOWN;
}

/*
 * Judge response r received at r_at against item x (NULL when unknown):
 * fold the responses of x that come before r in (at, id) order, then r.
 */
static enum coop_code
judge(const struct coop_ledger *l, const struct entry *x,
    const struct coop_obj *r, int64_t r_at, struct coop_verdict *v)
{
	const struct entry *y;
	struct fold f;
	size_t i;

	if (x == NULL || x->obj == NULL)
		return unknown(r, v);
	fold_init(x->obj, &f);
	for (i = 0; i < x->n_resp; i++) {
		y = &l->e[x->resp[i]];
		if (key_cmp(y->at, y->id, r_at, r->id) >= 0)
			break;
		(void)fold_step(x, &f, y->obj, y->at, NULL);
	}
	return fold_step(x, &f, r, r_at, v);
}

/* The verdict on the stored object at index k. */
static void
judge_stored(const struct coop_ledger *l, size_t k, struct coop_verdict *v)
{
	const struct entry *y = &l->e[k];

	if (y->obj->type != COOP_RESPONSE) {
		verdict(v, COOP_OK, "accepted");
		return;
	}
	(void)judge(l, &l->e[y->target], y->obj, y->at, v);
}

/* ---- adding ---- */

/*
 * Parse obj and run every check but the response's judgement.  On
 * ERR_OK, *o_out is the parsed object (caller frees), x its entry-to-be,
 * *dup the index of an identical stored object or NO_ENTRY.
 */
static enum err
admit(const struct coop_ledger *l, const json_t *obj, int64_t at,
    struct coop_obj **o_out, struct entry *x, size_t *dup,
    struct coop_verdict *v, struct agreement_report *rep)
{
	struct agreement_report lr;
	struct coop_obj *o = NULL;
	enum coop_code code;
	enum err err;
	size_t i, k;

	*o_out = NULL;
	*dup = NO_ENTRY;
	agreement_report_init(&lr);
	err = coop_from_json(obj, &o, &lr);
	if (err != ERR_OK) {
		for (i = 0; i < lr.n; i++)
			report(rep, "%s", lr.msg[i]);
		if (rep != NULL)
			rep->n_more += lr.n_more;
		verdict(v, COOP_MALFORMED, "%s", lr.n > 0 ? lr.msg[0] :
		    err_str(err));
		return err;
	}
	code = check_static(l, o, at, x, v, rep);
	if (code != COOP_OK) {
		coop_free(o);
		return code == COOP_TIME_RANGE ? ERR_RANGE : ERR_INVALID;
	}
	k = find(l, o->id);
	if (k != NO_ENTRY && l->e[k].obj != NULL) {
		if (l->e[k].at != at || !json_equal(l->e[k].obj->body_,
		    o->body_)) {
			report(rep, "id: %s is in the ledger with other "
			    "content or another receipt time", o->id);
			verdict(v, COOP_DUPLICATE, "%s is in the ledger with "
			    "other content or another receipt time", o->id);
			coop_free(o);
			return ERR_EXISTS;
		}
		*dup = k;
	}
	*o_out = o;
	return ERR_OK;
}

enum err
coop_ledger_judge(const struct coop_ledger *l, const json_t *obj,
    int64_t received_at, struct coop_verdict *v,
    struct agreement_report *rep)
{
	struct coop_obj *o;
	struct entry x;
	size_t dup, k;
	enum err err;

	err = admit(l, obj, received_at, &o, &x, &dup, v, rep);
	if (err != ERR_OK)
		return err;
	if (dup != NO_ENTRY)
		judge_stored(l, dup, v);
	else if (o->type != COOP_RESPONSE)
		verdict(v, COOP_OK, "accepted");
	else
		(void)judge(l, (k = find(l, o->request_ref)) == NO_ENTRY ?
		    NULL : &l->e[k], o, received_at, v);
	coop_free(o);
	return ERR_OK;
}

/* Insert response index k into item x's list, which has room. */
static void
resp_insert(struct coop_ledger *l, struct entry *x, size_t k)
{
	const struct entry *r = &l->e[k], *y;
	size_t i = x->n_resp;

	while (i > 0) {
		y = &l->e[x->resp[i - 1]];
		if (key_cmp(y->at, y->id, r->at, r->id) < 0)
			break;
		i--;
	}
	memmove(&x->resp[i + 1], &x->resp[i],
	    (x->n_resp - i) * sizeof(x->resp[0]));
	x->resp[i] = k;
	x->n_resp++;
}

/* Room for one more response in entry k's list.  ERR_NOMEM. */
static enum err
resp_reserve(struct coop_ledger *l, size_t k)
{
	struct entry *x = &l->e[k];
	size_t cap, *p;

	if (x->n_resp < x->cap_resp)
		return ERR_OK;
	cap = x->cap_resp == 0 ? 4 : x->cap_resp * 2;
	if ((p = realloc(x->resp, cap * sizeof(*p))) == NULL)
		return ERR_NOMEM;
	x->resp = p;
	x->cap_resp = cap;
	return ERR_OK;
}

enum err
coop_ledger_add(struct coop_ledger *l, const json_t *obj,
    int64_t received_at, struct coop_verdict *v,
    struct agreement_report *rep)
{
	struct coop_obj *o;
	struct entry x, *slot;
	size_t dup, k, t, *p;
	enum err err;

	err = admit(l, obj, received_at, &o, &x, &dup, v, rep);
	if (err != ERR_OK)
		return err;
	if (dup != NO_ENTRY) {
		coop_free(o);
		judge_stored(l, dup, v);
		return ERR_OK;
	}
	if (l->n_objects >= COOP_LEDGER_MAX) {
		report(rep, "the ledger holds %u objects already",
		    COOP_LEDGER_MAX);
		verdict(v, COOP_MALFORMED, "the ledger is full");
		coop_free(o);
		return ERR_TOOBIG;
	}
	/* Everything that can fail first: l stays as it was. */
	if ((err = reserve(l, 2)) != ERR_OK)
		goto fail;
	if (o->type == COOP_RESPONSE) {
		t = find(l, o->request_ref);
		if (t != NO_ENTRY && (err = resp_reserve(l, t)) != ERR_OK)
			goto fail;
		if (t == NO_ENTRY) {
			/* A placeholder for the item, until it arrives. */
			if ((p = malloc(4 * sizeof(*p))) == NULL) {
				err = ERR_NOMEM;
				goto fail;
			}
			t = entry_new(l, o->request_ref);
			l->e[t].resp = p;
			l->e[t].cap_resp = 4;
		}
		k = entry_new(l, o->id);
		l->e[k].obj = o;
		l->e[k].at = received_at;
		l->e[k].target = t;
		resp_insert(l, &l->e[t], k);
	} else {
		k = find(l, o->id);
		if (k == NO_ENTRY)
			k = entry_new(l, o->id);
		slot = &l->e[k];
		slot->obj = o;
		slot->at = received_at;
		slot->has_ack_by = x.has_ack_by;
		slot->has_answer_by = x.has_answer_by;
		slot->ack_by = x.ack_by;
		slot->answer_by = x.answer_by;
	}
	l->n_objects++;
	judge_stored(l, k, v);
	return ERR_OK;
fail:
	coop_free(o);
	verdict(v, COOP_MALFORMED, "out of memory");
	return err;
}

/* ---- questions ---- */

static void
item_at(const struct coop_ledger *l, const struct entry *x, int64_t now,
    struct coop_item *out)
{
	const struct entry *y;
	struct fold f;
	size_t i;

	memset(out, 0, sizeof(*out));
	fold_init(x->obj, &f);
	for (i = 0; i < x->n_resp; i++) {
		y = &l->e[x->resp[i]];
		if (y->at > now)
			break;
		(void)fold_step(x, &f, y->obj, y->at, NULL);
	}
	out->obj = x->obj;
	out->received_at = x->at;
	out->state = f.st;
	out->has_ack_by = x->has_ack_by;
	out->has_answer_by = x->has_answer_by;
	out->ack_by = x->ack_by;
	out->answer_by = x->answer_by;
	out->acked = f.acked;
	out->answered = f.answered;
	out->closed = f.closed;
	if (f.acked) {
		out->acked_at = f.acked_at;
		out->time_to_ack = f.acked_at - x->at;
		out->ack_in_time = !x->has_ack_by || f.acked_at <= x->ack_by;
	}
	if (f.answered) {
		out->answered_at = f.answered_at;
		out->time_to_answer = f.answered_at - x->at;
		out->answer_in_time = !x->has_answer_by ||
		    f.answered_at <= x->answer_by;
	}
	if (f.closed)
		out->closed_at = f.closed_at;
	out->ack_overdue = x->has_ack_by && !f.acked && now > x->ack_by;
	out->answer_overdue = x->has_answer_by && !f.answered && !f.closed &&
	    now > x->answer_by;
	if (x->obj->type == COOP_CHECK) {
		if (f.answered)
			out->state = out->answer_in_time ? COOP_ST_ANSWERED :
			    COOP_ST_LATE;
		else if (now > x->answer_by)
			out->state = COOP_ST_MISSED;
	}
	out->n_accepted = f.n_ok;
	out->n_refused = f.n_refused;
}

enum err
coop_ledger_item(const struct coop_ledger *l, const char *id, int64_t now,
    struct coop_item *out)
{
	size_t k = find(l, id);

	memset(out, 0, sizeof(*out));
	if (k == NO_ENTRY || l->e[k].obj == NULL ||
	    l->e[k].obj->type == COOP_RESPONSE || l->e[k].at > now)
		return ERR_NOTFOUND;
	item_at(l, &l->e[k], now, out);
	return ERR_OK;
}

/* An item to sort: its key and its entry. */
struct sortkey {
	int64_t		 at;
	const char	*id;
	size_t		 k;
};

static int
cmp_keys(const void *pa, const void *pb)
{
	const struct sortkey *a = pa, *b = pb;

	return key_cmp(a->at, a->id, b->at, b->id);
}

enum err
coop_ledger_each(const struct coop_ledger *l, int64_t now,
    int (*fn)(const struct coop_item *, void *), void *arg)
{
	struct coop_item it;
	struct sortkey *idx;
	size_t n = 0, i;

	if (l->n_e == 0)
		return ERR_OK;
	if ((idx = calloc(l->n_e, sizeof(*idx))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < l->n_e; i++)
		if (l->e[i].obj != NULL &&
		    l->e[i].obj->type != COOP_RESPONSE && l->e[i].at <= now) {
			idx[n].at = l->e[i].at;
			idx[n].id = l->e[i].id;
			idx[n++].k = i;
		}
	qsort(idx, n, sizeof(*idx), cmp_keys);
	for (i = 0; i < n; i++) {
		item_at(l, &l->e[idx[i].k], now, &it);
		if (fn(&it, arg) != 0)
			break;
	}
	free(idx);
	return ERR_OK;
}

enum err
coop_ledger_response(const struct coop_ledger *l, const char *id,
    struct coop_verdict *v, int64_t *received_at)
{
	size_t k = find(l, id);

	if (k == NO_ENTRY || l->e[k].obj == NULL ||
	    l->e[k].obj->type != COOP_RESPONSE)
		return ERR_NOTFOUND;
	judge_stored(l, k, v);
	if (received_at != NULL)
		*received_at = l->e[k].at;
	return ERR_OK;
}
