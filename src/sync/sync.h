/*
 * sync.h: pull what partners share with this node, verify it against
 * their transparency logs, and cosign them (docs/sync.md).
 *
 * For one partner (a row of the partners table): when an agreement with
 * it is in force and it is neither halted nor backing off, list the
 * collections its node lets this node read; for each one that maps to a
 * local collection (same name, else same id), pull the objects added
 * since the saved cursor, page by page, and store each page through
 * taxii_receive (policy_receive decides what is kept; the cursor and the
 * page's delivery leaf are saved in the same transaction).  Then verify
 * the partner's log (sync_verify_log: checkpoint signature, consistency
 * with what was seen before, inclusion of every delivery received) and
 * cosign it.  Between the two, post to it the sightings and notes this
 * node's own party made about objects received from it.  An inconsistent
 * log halts the partner (evidence kept); any
 * other failure is retried after an exponential backoff.  The outcome is
 * recorded in the partners table.
 */
#ifndef ENTENTE_SYNC_SYNC_H
#define ENTENTE_SYNC_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "policy/node.h"
#include "store/store.h"
#include "tlog/tree.h"
#include "util/err.h"

/* Objects asked for per page, and pages per collection per run. */
#define SYNC_PAGE_LIMIT		1000u
#define SYNC_MAX_PAGES		100000u
/* Backoff after n failures in a row: min(5 s * 2^(n-1), 1 h). */
#define SYNC_BACKOFF_BASE_S	5
#define SYNC_BACKOFF_MAX_S	3600
/* How long to wait for the partner to sign a checkpoint covering the
 * pages just received before verifying. */
#define SYNC_CHECKPOINT_WAIT_MS	5000

struct sync_opts {
	const char		*evidence_dir;	/* DIR/evidence */
	const struct tlog_signer *signer;	/* cosigns partners' logs */
	struct node_policy	*policy;	/* the node's shared policy */
	int			 force;		/* ignore the backoff */
};

/* What one partner's sync did. */
struct sync_report {
	char		name[LIM_PARTY_NAME + 1];
	int		skipped;	/* not attempted: why says why */
	int		ok;		/* pulled and verified */
	int		halted;		/* its log is inconsistent */
	size_t		n_collections;
	size_t		n_pages;
	size_t		n_added, n_dup, n_refused;
	size_t		n_pushed;	/* our sightings/notes it took */
	size_t		n_push_refused;	/* and those it refused */
	uint64_t	log_size;	/* its checkpoint verified */
	size_t		n_proved;	/* deliveries proved included */
	int		cosigned;
	char		why[512];	/* skip reason, error, or evidence */
};

/*
 * Sync with partner p now.  ERR_OK when the attempt ran its course (see
 * r: ok, skipped, or a recorded failure); an error only when this node's
 * own store failed.
 */
enum err sync_partner(struct store *st, const struct sync_opts *o,
    const struct store_partner *p, struct sync_report *r) WUR;

/*
 * Sync with every partner, one after the other, calling report (may be
 * NULL) after each.  *n_failed (may be NULL) counts attempts that failed
 * or halted.  Errors as sync_partner.
 */
enum err sync_all(struct store *st, const struct sync_opts *o,
    void (*report)(void *arg, const struct sync_report *r), void *arg,
    size_t *n_failed) WUR;

#endif
