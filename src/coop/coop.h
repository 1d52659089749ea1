/*
 * coop.h: cooperation procedures under an agreement.
 *
 * Five STIX 2.1 object types (new SDOs, each defined by an extension
 * definition) carry the procedures an agreement provides for: incident
 * notifications, requests for assistance, responses, consultations about
 * an alleged breach of a `protected` pledge, and communication checks.
 * docs/cooperation.md specifies them and the lifecycle.
 *
 * The module has two halves.  The object half (coop.c) parses those
 * objects strictly (unknown properties refused, every limit below
 * enforced, every problem named) and builds them.  The ledger half
 * (ledger.c) is the lifecycle engine of one agreement: fed the objects of
 * that agreement in any order, each with the time it was received, it
 * computes deadlines from the agreement's `assistance` clause, judges
 * every response against the state machine of the item it answers, and
 * tells the state, the figures and the overdue flags of each item at any
 * time `now`.  What it answers depends only on the set of objects and
 * times it holds, never on the order they were added.
 *
 * Pure: no I/O, no clock (every time is a parameter), no global state.
 * It knows nothing of the store, the log, sync or HTTP; the caller feeds it.
 */
#ifndef ENTENTE_COOP_COOP_H
#define ENTENTE_COOP_COOP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "policy/agreement.h"
#include "util/err.h"
#include "util/limits.h"

/* The five types and their extension definitions (docs/cooperation.md). */
#define COOP_TYPE_NOTIFICATION	"entente-notification"
#define COOP_TYPE_REQUEST	"entente-request"
#define COOP_TYPE_RESPONSE	"entente-response"
#define COOP_TYPE_CONSULTATION	"entente-consultation"
#define COOP_TYPE_CHECK		"entente-check"
#define COOP_EXT_NOTIFICATION \
	"extension-definition--02ad090d-087c-4377-97bc-f94fb7967fda"
#define COOP_EXT_REQUEST \
	"extension-definition--d4af120b-9eb1-426f-8e73-e17ff4d10464"
#define COOP_EXT_RESPONSE \
	"extension-definition--33a14d64-32af-469b-887b-7d170172a331"
#define COOP_EXT_CONSULTATION \
	"extension-definition--4c1d93ad-0db3-45c1-900b-74bfd175fc84"
#define COOP_EXT_CHECK \
	"extension-definition--0638a061-64d9-4dc2-ba11-17776be8257c"

/* Limits (all inclusive). */
#define COOP_MAX_BYTES		(256u * 1024u)	/* one object's JSON text */
#define COOP_MAX_TO		AGREEMENT_MAX_PARTIES	/* to_refs items */
#define COOP_MAX_REFS		128u	/* evidence_refs, attributed_refs */
#define COOP_MAX_MARKINGS	8u	/* object_marking_refs */
#define COOP_MAX_TEXT		AGREEMENT_MAX_TEXT	/* any text */
/* Longest id: "entente-consultation--" and a UUID. */
#define COOP_ID_MAX		(22 + UUID_STRLEN)
/* Objects one ledger holds. */
#define COOP_LEDGER_MAX		(1024u * 1024u)
/* A ledger's terminated_at when the agreement was not terminated. */
#define COOP_NEVER		INT64_MAX

enum coop_type {
	COOP_NOTIFICATION = 1,
	COOP_REQUEST,
	COOP_RESPONSE,
	COOP_CONSULTATION,
	COOP_CHECK
};

enum coop_severity {
	COOP_SEV_LOW = 1,
	COOP_SEV_MEDIUM,
	COOP_SEV_HIGH,
	COOP_SEV_CRITICAL
};

/* What a request for assistance asks for. */
enum coop_kind {
	COOP_KIND_INFORMATION = 1,
	COOP_KIND_PRESERVATION,
	COOP_KIND_TAKEDOWN,
	COOP_KIND_INVESTIGATION
};

/*
 * What a response does.  A request takes acknowledge, answer and decline;
 * a consultation respond and close; a check answer.
 */
enum coop_action {
	COOP_ACT_ACKNOWLEDGE = 1,
	COOP_ACT_ANSWER,
	COOP_ACT_DECLINE,
	COOP_ACT_RESPOND,
	COOP_ACT_CLOSE
};

/* Which list of the consulting party's `protected` clause an asset is in. */
enum coop_asset {
	COOP_ASSET_CIDR = 1,
	COOP_ASSET_DOMAIN,
	COOP_ASSET_SECTOR
};

/* A list of strings, borrowed (from the parsed tree, or the caller's). */
struct coop_list {
	const char	**v;
	size_t		  n;
};

/*
 * One cooperation object.  coop_from_json() fills it from a STIX object
 * (strings then point into a private copy of the tree the struct owns);
 * a caller building an object fills it itself, with borrowed strings, and
 * calls coop_to_json().  Members a type does not have are zero / NULL.
 */
struct coop_obj {
	enum coop_type		 type;
	char			 id[COOP_ID_MAX + 1];	/* TYPE--UUIDv4 */
	int64_t			 created;	/* us; `modified` is the same */
	char			 created_by[AGREEMENT_IDENTITY_LEN + 1];
	char			 agreement_id[AGREEMENT_ID_LEN + 1];
	/* notification: to_refs (1..COOP_MAX_TO); request, consultation,
	 * check: to_ref (n == 1); response: none. */
	struct coop_list	 to;
	/* notification, consultation: description (required); request:
	 * text (required); response: text (optional, NULL). */
	const char		*text;
	enum coop_severity	 severity;	/* notification */
	enum coop_kind		 kind;		/* request */
	/* notification, request: optional (n == 0: none); consultation:
	 * required, incident / observed-data / indicator / sighting ids. */
	struct coop_list	 evidence;
	struct coop_list	 attributed;	/* consultation: infrastructure */
	enum coop_asset		 asset_type;	/* consultation */
	const char		*asset;		/* consultation */
	char			 request_ref[COOP_ID_MAX + 1];	/* response */
	enum coop_action	 action;	/* response */
	const char		*reason;	/* response: decline only */
	const char		*answer_within;	/* check: ISO 8601 text */
	struct agreement_duration window;	/* check: answer_within */
	struct coop_list	 markings;	/* object_marking_refs, optional */
	json_t			*body_;		/* private */
};

/* Type name ("entente-request") or NULL for a value out of range. */
const char *coop_type_name(enum coop_type t);
/* The extension-definition id of t, or NULL. */
const char *coop_type_ext(enum coop_type t);
/* The type named by the prefix of a STIX id ("entente-check--..."), or 0. */
enum coop_type coop_type_of_id(const char *id);
/* "low".."critical", "information".."investigation", "acknowledge"..
 * "close", "cidr" / "domain" / "sector"; NULL out of range. */
const char *coop_severity_name(enum coop_severity s);
const char *coop_kind_name(enum coop_kind k);
const char *coop_action_name(enum coop_action a);
const char *coop_asset_name(enum coop_asset a);

/*
 * Write into out the id of a new object of type t: "TYPE--" and the
 * version 4 UUID that rnd (16 random bytes from the caller) gives.
 * Can't fail (an out-of-range t gives the empty string).
 */
void coop_id_make(enum coop_type t, const uint8_t rnd[16],
    char out[COOP_ID_MAX + 1]);

/*
 * Parse and validate obj (borrowed), a cooperation object of any of the
 * five types.  On success *out is a new struct the caller frees with
 * coop_free().  Every problem is added to rep (may be NULL), each naming
 * its property ("evidence_refs[2]: \"x\" not a STIX identifier").
 * ERR_PARSE when obj is not a JSON object, ERR_INVALID for an object with
 * problems (a list or text over the limits above included), ERR_NOMEM.
 * On error *out is NULL.
 */
enum err coop_from_json(const json_t *obj, struct coop_obj **out,
    struct agreement_report *rep) WUR;
/*
 * The same for the JSON text text[0..len): at most COOP_MAX_BYTES, one
 * JSON object, no duplicate member names (ERR_TOOBIG, ERR_PARSE).
 */
enum err coop_parse(const char *text, size_t len, struct coop_obj **out,
    struct agreement_report *rep) WUR;
/* Free o.  coop_free(NULL) does nothing. */
void coop_free(struct coop_obj *o);

/*
 * The STIX object for o: the common properties (`modified` = `created`,
 * six fractional digits), then the type's, in a fixed order, then
 * `extensions`.  The result is checked with coop_from_json(), so what
 * this returns always parses: ERR_INVALID with every problem in rep when
 * o does not make a valid object, ERR_NOMEM.  *out is a new reference,
 * NULL on error.
 */
enum err coop_to_json(const struct coop_obj *o, json_t **out,
    struct agreement_report *rep) WUR;

/* ---- the ledger: lifecycle of the items of one agreement ---- */

/*
 * The state of an item at a time.  Requests: open, acknowledged,
 * answered, declined.  Consultations: open, responded, closed.  Checks:
 * sent, answered (in its window), late (answered after it), missed (no
 * answer and the window has passed).  Notifications: notified.
 */
enum coop_state {
	COOP_ST_NOTIFIED = 1,
	COOP_ST_OPEN,
	COOP_ST_ACKNOWLEDGED,
	COOP_ST_ANSWERED,
	COOP_ST_DECLINED,
	COOP_ST_RESPONDED,
	COOP_ST_CLOSED,
	COOP_ST_SENT,
	COOP_ST_LATE,
	COOP_ST_MISSED
};

/*
 * Why an object is refused, or COOP_OK.  The first group is found from
 * the object and the agreement alone: such an object is never stored.
 * The second depends on the item a response answers: such a response is
 * stored and judged again from the whole ledger whenever asked.
 */
enum coop_code {
	COOP_OK = 0,
	COOP_MALFORMED,		/* not a valid cooperation object */
	COOP_WRONG_AGREEMENT,	/* agreement_id is not the ledger's */
	COOP_NOT_PARTY,		/* created_by_ref is no party's identity */
	COOP_TO_NOT_PARTY,	/* a to_ref(s) is no party's identity */
	COOP_NOT_IN_FORCE,	/* a new item outside the agreement's time */
	COOP_NO_ASSISTANCE,	/* a request; the agreement has no
				 * assistance clause */
	COOP_NOT_PROTECTED,	/* the asset is not in the consulting
				 * party's protected clause */
	COOP_TIME_RANGE,	/* a receipt time or deadline out of range */
	COOP_DUPLICATE,		/* the id is in the ledger, other content */
	/* Responses, judged against the item they answer. */
	COOP_UNKNOWN,		/* the item is not in the ledger (yet) */
	COOP_BEFORE,		/* received before the item */
	COOP_CREATED_BEFORE,	/* created before the item */
	COOP_WRONG_PARTY,	/* not the party that may do this */
	COOP_CLOSED,		/* the item takes no more responses */
	COOP_ALREADY,		/* a request acknowledged twice */
	COOP_CODE_COUNT_
};

#define COOP_REASON_MAX	AGREEMENT_REASON_MAX

/* The outcome of an object: code, and a line saying why when refused. */
struct coop_verdict {
	enum coop_code	code;
	char		reason[COOP_REASON_MAX];
};

/* Short name of a code ("closed"), or NULL out of range. */
const char *coop_code_name(enum coop_code c);
/* "open", "acknowledged", ...; NULL out of range. */
const char *coop_state_name(enum coop_state s);

/*
 * An item at a time `now` (coop_ledger_item, coop_ledger_each).  Times are
 * microseconds since the epoch; a deadline is met by a response received
 * at or before it, and is overdue at any now strictly after it.
 */
struct coop_item {
	const struct coop_obj	*obj;		/* borrowed from the ledger */
	int64_t			 received_at;
	enum coop_state		 state;
	/* Deadlines.  Requests: both; consultations: answer_by (first
	 * response) when the agreement has an assistance clause; checks:
	 * answer_by from the check's own window.  */
	int			 has_ack_by, has_answer_by;
	int64_t			 ack_by, answer_by;
	/* Requests: acknowledged (by an acknowledge, or by an answer or a
	 * decline coming first). */
	int			 acked;
	int64_t			 acked_at, time_to_ack;
	int			 ack_in_time;
	/* Requests: answered or declined; consultations: first respond;
	 * checks: answered. */
	int			 answered;
	int64_t			 answered_at, time_to_answer;
	int			 answer_in_time;
	/* No more responses accepted: a request answered or declined, a
	 * consultation closed, a check answered. */
	int			 closed;
	int64_t			 closed_at;
	/* At now: the deadline passed without what it asks for. */
	int			 ack_overdue, answer_overdue;
	/* Responses received by now, accepted and refused. */
	size_t			 n_accepted, n_refused;
};

struct coop_ledger;

/*
 * A new empty ledger for agreement a, which it borrows: a must outlive
 * the ledger.  terminated_at is when the agreement was terminated, or
 * COOP_NEVER.  ERR_NOMEM (*out NULL).
 */
enum err coop_ledger_new(const struct agreement *a, int64_t terminated_at,
    struct coop_ledger **out) WUR;
/* Free l and every object it holds.  coop_ledger_free(NULL) does nothing. */
void coop_ledger_free(struct coop_ledger *l);

/*
 * Add obj (borrowed; the ledger keeps its own copy), received at
 * received_at (us).  An object refused for a reason of the first group
 * of enum coop_code is not stored: ERR_INVALID (ERR_EXISTS for
 * COOP_DUPLICATE, ERR_RANGE for COOP_TIME_RANGE, ERR_TOOBIG past
 * COOP_LEDGER_MAX objects), with every problem in rep (may be NULL) and
 * the first in *v (may be NULL).  Anything else is stored and ERR_OK
 * returned; *v then says how the object stands in the ledger as it is
 * now: COOP_OK, or for a response the reason it is refused (COOP_UNKNOWN
 * changes once its item arrives).  The same id with the same content and
 * time again is ERR_OK and changes nothing.  ERR_NOMEM (l unchanged).
 */
enum err coop_ledger_add(struct coop_ledger *l, const json_t *obj,
    int64_t received_at, struct coop_verdict *v,
    struct agreement_report *rep) WUR;

/*
 * What coop_ledger_add would return and say for obj, without storing
 * anything: how an ingest refuses a response to an unknown or closed
 * request before it is stored.
 */
enum err coop_ledger_judge(const struct coop_ledger *l, const json_t *obj,
    int64_t received_at, struct coop_verdict *v,
    struct agreement_report *rep) WUR;

/*
 * The item (notification, request, consultation or check) with this id,
 * as it stands at now: only responses received at or before now count.
 * ERR_NOTFOUND when there is no such item, or it was received after now.
 */
enum err coop_ledger_item(const struct coop_ledger *l, const char *id,
    int64_t now, struct coop_item *out) WUR;

/*
 * Call fn for every item received at or before now, in the order of
 * (received_at, id), as coop_ledger_item gives it; fn returns non-zero to
 * stop.  ERR_NOMEM, else ERR_OK.
 */
enum err coop_ledger_each(const struct coop_ledger *l, int64_t now,
    int (*fn)(const struct coop_item *, void *), void *arg) WUR;

/*
 * The verdict on the response with this id, judged from the whole
 * ledger; *received_at (may be NULL) gets its time.  ERR_NOTFOUND when
 * the ledger holds no response with that id.
 */
enum err coop_ledger_response(const struct coop_ledger *l, const char *id,
    struct coop_verdict *v, int64_t *received_at) WUR;

/* Number of objects stored.  Can't fail. */
size_t coop_ledger_count(const struct coop_ledger *l);

#endif
