/*
 * node.h: the agreements of one node, between the store and the engine.
 *
 * policy.h decides; this module keeps what it decides on.  It installs
 * agreements and termination records into the store (verified, logged as
 * agreement events in the transparency log, their collections created),
 * builds the node's policy from what is installed, shares that policy
 * between server threads and rebuilds it when the agreements change, turns
 * stored rows into the engine's struct policy_object, fills in the policy
 * fields of rows migrated from schema v2, and purges what retention clauses
 * no longer let the node keep.
 *
 * docs/agreements.md ("On a node") describes the behaviour.
 */
#ifndef ENTENTE_POLICY_NODE_H
#define ENTENTE_POLICY_NODE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "policy/agreement.h"
#include "policy/policy.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"

/* The meta key of the node's default TLP for unmarked objects. */
#define NODE_META_DEFAULT_TLP	"default_tlp"

/* What an install did. */
struct node_install {
	int		 is_termination;
	char		 id[AGREEMENT_ID_LEN + 1];
	uint32_t	 version;
	uint32_t	 replaced;	/* version it replaced, 0: none */
	uint64_t	 leaf;		/* its agreement-event leaf */
	size_t		 n_created;	/* collections created for it */
};

/*
 * Install the agreement or termination record in text[0..len) (which one
 * is told by its members) on the node whose store is st, at now:
 *
 * agreement: parsed strictly, every party signed, every signature good,
 * this node's party one of the parties, now < valid_until, and a higher
 * version than any installed (ERR_EXISTS otherwise: "version 2 is already
 * installed").  The collections its share clauses name that the node does
 * not have are created (title = name).  An installed lower version is
 * replaced (an amendment).
 *
 * termination: its signature good, naming the installed version of an
 * installed agreement, by one of its parties (ERR_NOTFOUND when the
 * agreement is not installed; ERR_EXISTS when already terminated).
 *
 * Either way the event is appended to the log as an agreement leaf in the
 * same transaction, and the policy generation moves on so running servers
 * apply it at their next request.  Every reason it is refused is added to
 * rep; nothing is written then.  ERR_INVALID (malformed or not
 * acceptable), ERR_CRYPTO (a signature), ERR_EXISTS, ERR_NOTFOUND,
 * ERR_TOOBIG, ERR_DB, ERR_NOMEM.
 */
enum err node_install(struct store *st, const char *text, size_t len,
    int64_t now, struct node_install *out, struct agreement_report *rep)
    WUR;

/*
 * Terminate installed agreement id by this node's own party at time `at`
 * for reason: builds the record, signs it with seed (the node key), and
 * installs it as node_install does.  *record_out (may be NULL) gets the
 * signed record as JSON text (free()).  Errors as node_install, and
 * ERR_FORBIDDEN when seed is not the node party's key.
 */
enum err node_terminate(struct store *st,
    const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES], const char *id,
    int64_t at, const char *reason, int64_t now, char **record_out,
    struct agreement_report *rep) WUR;

/*
 * Build the policy of the node from st: its own party's key, the default
 * TLP (meta NODE_META_DEFAULT_TLP, amber when unset), every installed
 * agreement with its termination time.  *gen_out (may be NULL) gets the
 * policy generation it was built at.  The caller frees *out.
 */
enum err node_policy_load(struct store *st, struct policy **out,
    int64_t *gen_out) WUR;

/*
 * One installed agreement parsed back from the store (the caller frees
 * *out with agreement_free(); *terminated_out gets the termination time or
 * POLICY_NEVER).  ERR_NOTFOUND when id is not installed.
 */
enum err node_agreement_get(struct store *st, const char *id,
    struct agreement **out, int64_t *terminated_out) WUR;

/*
 * The policy shared by the threads of a server.  node_policy_acquire()
 * returns the current policy, first rebuilt from st when the store's
 * policy generation moved since it was built (one cheap read per call);
 * the policy stays valid until node_policy_release() however many times it
 * is replaced meanwhile.  Thread-safe; st is the calling thread's own
 * connection.
 */
struct node_policy;
enum err node_policy_new(struct node_policy **out) WUR;
void node_policy_free(struct node_policy *np);
enum err node_policy_acquire(struct node_policy *np, struct store *st,
    const struct policy **out) WUR;
void node_policy_release(struct node_policy *np, const struct policy *p);

/*
 * Fill o from stored row r in the collection named coll_name: type, TLP
 * (STORE_TLP_UNKNOWN read as unmarked), labels split into labels[0..cap)
 * (o->labels points there), producer, sender, under.  Can't fail.
 */
void node_object_from_row(const struct store_row *r, const char *coll_name,
    const char **labels, size_t cap, struct policy_object *o);

/*
 * May this node use stored version r itself (match it against its own
 * logs, export it to its own sensors) at now?  Its own objects, yes; what
 * it received, only while the agreement it was received under is
 * installed and in force (a terminated or expired agreement stops the use
 * of what came under it, as it stops the exchange).  Can't fail.
 */
int node_may_use(const struct policy *p, const struct store_row *r,
    int64_t now);

/*
 * The policy fields of one STIX object (borrowed): its TLP
 * (policy_tlp_of) and its labels as the store keeps them, appended to
 * labels_out (cut at a label boundary to STORE_LABELS_MAX).  ERR_NOMEM.
 */
enum err node_object_meta(const json_t *obj, int *tlp_out,
    struct buf *labels_out) WUR;

/*
 * Fill in the policy fields of rows migrated from schema v2, in batches
 * of one transaction each.  *n_out (may be NULL) counts them.
 */
enum err node_backfill(struct store *st, size_t *n_out) WUR;

/*
 * Delete what retention clauses no longer allow: for each installed
 * agreement with a retention clause, every version received under it
 * and added more than keep_for before now.  *n_out (may be NULL) counts
 * the versions deleted.
 */
enum err node_retention_purge(struct store *st, int64_t now, size_t *n_out)
    WUR;

#endif
