/*
 * policy.h: the decision engine: who may read or write what, under which
 * agreement clause.
 *
 * A struct policy is built once from the installed agreements (parsed, and
 * verified by whoever installed them), their termination times, this
 * node's own party key and the TLP to assume for unmarked objects.  It
 * indexes the clauses by party so a decision costs well under a
 * microsecond, and it answers three questions, at a time `now` given by
 * the caller (docs/agreements.md, "Policy", states the rules exactly):
 *
 *   policy_read   may party R read object O from this node?
 *   policy_write  may party W write object O into collection C here?
 *   policy_who    which parties may read O, and through what?
 *
 * Deny by default: an allow always names what grants it (an agreement and
 * its share clause, or one of the fixed rules SELF and ORIGIN); a deny can
 * list every reason.  Pure: no I/O, no clock, no global state; a built
 * policy is only read by decisions, so any number of threads may decide
 * at once.  To change the agreements, build a new policy.
 */
#ifndef ENTENTE_POLICY_POLICY_H
#define ENTENTE_POLICY_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "policy/agreement.h"
#include "util/err.h"

struct policy;

/* No termination: pass this as terminated_at. */
#define POLICY_NEVER		INT64_MAX
/* No agreement or clause in a grant or reason. */
#define POLICY_NONE		((size_t)-1)
/* Labels of one object the engine looks at; more are ignored, which can
 * only deny (labels_any then sees fewer labels). */
#define POLICY_MAX_LABELS	LIM_JSON_ARRAY

/*
 * What the engine needs to know of one stored object.  All pointers are
 * borrowed for the call.  Keys are 32-byte Ed25519 public keys.
 */
struct policy_object {
	const char		 *type;		/* STIX type */
	const char *const	 *labels;	/* its `labels`, may be NULL */
	size_t			  n_labels;
	const char		 *collection;	/* collection name it is in */
	enum agreement_tlp	  tlp;		/* NONE when unmarked */
	const uint8_t		 *producer;	/* NULL: this node's party */
	const uint8_t		 *received_from; /* NULL: not received */
	const char		 *received_under; /* agreement id, or NULL */
};

enum policy_grant_kind {
	POLICY_DENIED = 0,
	POLICY_GRANT_SELF,	/* this node's own party: everything */
	POLICY_GRANT_ORIGIN,	/* the reader produced it or sent it here */
	POLICY_GRANT_SHARE,	/* a share clause of an agreement */
	POLICY_GRANT_ONWARD,	/* a share clause, passing on what was
				 * received under another clause */
	POLICY_GRANT_FEEDBACK	/* write: a sighting or note about objects
				 * the writer reads through an agreement */
};

/*
 * What grants a decision.  agreement and clause index the policy's
 * agreements (in the order added, from 0) and that agreement's share[]:
 * for SHARE and ONWARD the clause that lets this node's party share with
 * the reader (or, for a write, the writer share with this node's party);
 * for FEEDBACK the clause through which the writer reads the first object
 * its sighting or note refers to.  via_* name, for ONWARD, the clause the
 * object was received under.  POLICY_NONE where nothing applies.
 */
struct policy_grant {
	enum policy_grant_kind	kind;
	size_t			agreement, clause;
	size_t			via_agreement, via_clause;
};

/* Why a decision was denied: one code each, with where it applies. */
enum policy_why {
	POLICY_WHY_NO_AGREEMENT = 1,	/* no agreement names both parties */
	POLICY_WHY_NOT_YET,		/* agreement: before valid_from */
	POLICY_WHY_EXPIRED,		/* agreement: at or past valid_until */
	POLICY_WHY_TERMINATED,		/* agreement: at or past termination */
	POLICY_WHY_NO_CLAUSE,		/* agreement: no clause between them */
	POLICY_WHY_TYPE,		/* clause: type not listed */
	POLICY_WHY_LABELS,		/* clause: no label in labels_any */
	POLICY_WHY_COLLECTION,		/* clause: collection not listed */
	POLICY_WHY_TLP,			/* clause: TLP above tlp_max */
	POLICY_WHY_RED_NOT_NAMED,	/* clause: red to "*" */
	POLICY_WHY_NO_SENDER,		/* another party's object, no sender */
	POLICY_WHY_SOURCE_UNKNOWN,	/* received under no installed one */
	POLICY_WHY_SOURCE_NOT_YET,	/* received under: not yet valid */
	POLICY_WHY_SOURCE_EXPIRED,	/* received under: expired */
	POLICY_WHY_SOURCE_TERMINATED,	/* received under: terminated */
	POLICY_WHY_SOURCE_NOT_PARTY,	/* sender not a party of it */
	POLICY_WHY_SOURCE_NO_CLAUSE,	/* no clause sender -> us covers it */
	POLICY_WHY_ONWARD_NONE,		/* its onward is none */
	POLICY_WHY_TLP_NO_ONWARD,	/* red and amber+strict stay here */
	POLICY_WHY_ONWARD_PARTIES,	/* reader not a party of it */
	POLICY_WHY_NOT_CREATOR,		/* write: created_by_ref not writer */
	POLICY_WHY_REF_UNREADABLE,	/* write: a referenced object */
	POLICY_WHY_FEEDBACK_COLLECTION	/* write: collection not allowed */
};

struct policy_reason {
	enum policy_why	code;
	size_t		agreement;	/* or POLICY_NONE */
	size_t		clause;		/* or POLICY_NONE; a ref's index for
					 * REF_UNREADABLE */
	int64_t		at;		/* the time for the NOT_YET,
					 * EXPIRED, TERMINATED codes */
};

#define POLICY_MAX_REASONS	64u
struct policy_why_list {
	size_t			n;
	size_t			n_more;	/* reasons past the cap */
	struct policy_reason	r[POLICY_MAX_REASONS];
};

/*
 * A new empty policy for the node whose party has self_key, assuming
 * default_tlp (not NONE; AGREEMENT_TLP_AMBER unless configured) for
 * unmarked objects.  ERR_INVALID for default_tlp NONE, ERR_NOMEM.  The
 * caller frees *out with policy_free().
 */
enum err policy_new(const uint8_t self_key[CRYPTO_ED25519_PUBLIC_BYTES],
    enum agreement_tlp default_tlp, struct policy **out) WUR;
/* Free p.  policy_free(NULL) does nothing. */
void policy_free(struct policy *p);

/*
 * Add agreement a (borrowed: what the engine needs is copied), terminated
 * at terminated_at (us; POLICY_NEVER when not terminated).  It gets the
 * next index (0, 1, ...).  ERR_INVALID when this node's party is not one
 * of a's parties, ERR_EXISTS when an agreement with a's id is already
 * there (add only the installed version of each), ERR_RANGE past
 * UINT32_MAX agreements, ERR_NOMEM.  On error p decides as before (it
 * may have learnt a party key or string, which grants nothing).
 */
enum err policy_add(struct policy *p, const struct agreement *a,
    int64_t terminated_at) WUR;

/* Number of agreements added.  Can't fail. */
size_t policy_n_agreements(const struct policy *p);
/* Id and version of agreement i (< policy_n_agreements).  Can't fail. */
const char *policy_agreement_id(const struct policy *p, size_t i);
uint32_t policy_agreement_version(const struct policy *p, size_t i);
/* Index of the agreement with id, or POLICY_NONE.  Can't fail. */
size_t policy_agreement_find(const struct policy *p, const char *id);

/*
 * May the party with key reader read o at now?  Returns 1 (allow) or 0
 * (deny).  grant (may be NULL) says what allows it (kind POLICY_DENIED on
 * deny).  why (may be NULL) gets, on deny, every reason; it is emptied
 * first and left empty on allow.  Asking for reasons is slower; the
 * decision is the same.  Can't fail.
 */
int policy_read(const struct policy *p, const uint8_t *reader,
    const struct policy_object *o, int64_t now, struct policy_grant *grant,
    struct policy_why_list *why);

/*
 * May the party with key writer write o into o->collection at now?
 * created_by_ref is o's (NULL when absent).  For sightings and notes,
 * refs[0..n_refs) are the stored objects it refers to (sighting_of_ref,
 * object_refs) as the store has them; the caller passes none it could
 * not find.  o's producer, received_from and received_under are ignored.
 * Returns 1 or 0; grant and why as policy_read.  Can't fail.
 */
int policy_write(const struct policy *p, const uint8_t *writer,
    const struct policy_object *o, const char *created_by_ref,
    const struct policy_object *refs, size_t n_refs, int64_t now,
    struct policy_grant *grant, struct policy_why_list *why);

/*
 * May this node keep o, delivered by the party with key sender (which
 * pulled it from its node: sender's node decided the release; this is the
 * receiving side's own check)?  1 when a share clause in force from sender
 * to this node's party covers o (o->collection is where it will be
 * stored); the grant names it, and its agreement is the one o is received
 * under.  o's producer, received_from and received_under are ignored.
 * why as policy_read.  Can't fail.
 */
int policy_receive(const struct policy *p, const uint8_t *sender,
    const struct policy_object *o, int64_t now, struct policy_grant *grant,
    struct policy_why_list *why);

/* The key of the party of any agreement whose STIX identity is identity
 * ("identity--..."), or NULL.  Borrowed from p.  Can't fail. */
const uint8_t *policy_identity_key(const struct policy *p,
    const char *identity);

/* One party that may read an object, and what allows it. */
struct policy_recipient {
	uint8_t			key[CRYPTO_ED25519_PUBLIC_BYTES];
	struct policy_grant	grant;
};

/*
 * Every party of any agreement, other than this node's own, that may read
 * o at now, in the order they first appear in the agreements.  *out is a
 * new array of *n_out entries (NULL when none) the caller free()s.
 * ERR_NOMEM (*out NULL, *n_out 0).
 */
enum err policy_who(const struct policy *p, const struct policy_object *o,
    int64_t now, struct policy_recipient **out, size_t *n_out) WUR;

/* Is agreement i (< policy_n_agreements) in force at now?  0 for any
 * other i.  Can't fail. */
int policy_agreement_active(const struct policy *p, size_t i, int64_t now);

/*
 * Is the party with key in some agreement in force at now?  (Who may read
 * this node's log, and see its collections at all.)  0 for this node's own
 * party and for unknown keys.  Can't fail.
 */
int policy_party_active(const struct policy *p, const uint8_t *key,
    int64_t now);

/*
 * What the party with key may do with the collection named coll at now,
 * as the TAXII collection resource tells it: *can_read when a share clause
 * in force from this node's party to it lists coll (or "*"), *can_write
 * when one from it to this node's party does.  Both 0 for this node's own
 * party (it is not asked) and for unknown keys.  Can't fail.
 */
void policy_collection_access(const struct policy *p, const uint8_t *key,
    const char *coll, int64_t now, int *can_read, int *can_write);

/*
 * A line saying reason r of a decision about o, e.g. "agreement--...
 * v2 share[1]: type \"malware\" is not in types", into out[0..cap)
 * (NUL-terminated, cut to fit).  Can't fail.
 */
void policy_reason_format(const struct policy *p,
    const struct policy_reason *r, const struct policy_object *o,
    char *out, size_t cap);
/* "self", "origin", "share", "onward", "feedback", "denied". */
const char *policy_grant_kind_name(enum policy_grant_kind k);

/*
 * The TLP level of a STIX object (borrowed): the most restrictive TLP
 * marking among object_marking_refs and granular_markings, TLP 2.0 ids and
 * the TLP 1.0 ids of STIX 2.1 section 7.2.1.4 (white as clear), or
 * AGREEMENT_TLP_NONE when it has none.  Can't fail.
 */
enum agreement_tlp policy_tlp_of(const json_t *obj);

#endif
