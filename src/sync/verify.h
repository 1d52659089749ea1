/*
 * verify.h: check a partner's transparency log over HTTP, and cosign it.
 *
 * What `entente log verify` does and what every sync ends with
 * (docs/log.md, "Verifying a partner's log"; docs/sync.md): fetch the
 * partner's latest checkpoint, check its signature with the partner's
 * verifier key and its origin; compare it with the checkpoints of that log
 * this node saw before (same size: same root; larger: a consistency proof
 * from the largest one seen); prove included every leaf recorded in
 * tlog_received for that log (what this node was delivered) up to the
 * checkpoint's size; record the checkpoint as seen; cosign it and post the
 * cosignature.  When the partner's log contradicts itself or what was
 * delivered, the two statements are saved as evidence (a file in
 * evidence_dir) and the result says so.
 */
#ifndef ENTENTE_SYNC_VERIFY_H
#define ENTENTE_SYNC_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "sync/client.h"
#include "tlog/note.h"
#include "tlog/tree.h"
#include "util/err.h"

#define SYNC_VERIFY_MSG_MAX	512
#define SYNC_VERIFY_PATH_MAX	512

struct sync_verify_cfg {
	const struct sync_http	*http;		/* token, pin, CA */
	const char		*url;		/* partner base URL, no
						 * trailing slash */
	const struct tlog_vkey	*vkey;		/* the partner log's key */
	const char		*vkey_text;	/* the same, as text (the
						 * store keys seen checkpoints
						 * by it) */
	const char		*evidence_dir;	/* created when needed */
	const struct tlog_signer *signer;	/* cosigns; NULL: do not */
};

struct sync_verify_result {
	uint64_t	size;		/* the checkpoint verified */
	uint64_t	prev_size;	/* the largest seen before, or 0 */
	int		first_contact;	/* no checkpoint seen before */
	size_t		n_proved;	/* received leaves proved included */
	size_t		n_later;	/* received leaves past its size */
	int		cosigned;	/* the cosignature was accepted */
	int		inconsistent;	/* evidence saved: see evidence */
	char		evidence[SYNC_VERIFY_PATH_MAX];
	char		msg[SYNC_VERIFY_MSG_MAX];	/* what failed */
};

/*
 * Verify the partner log at cfg->url as above.  ERR_OK: verified (and,
 * with a signer, cosigned: a refused cosignature is ERR_OK with cosigned
 * 0 and msg saying why).  ERR_CONFLICT: the log is inconsistent (res->
 * inconsistent, res->evidence, res->msg).  ERR_CRYPTO: a bad signature or
 * origin.  ERR_IO, ERR_PARSE, ERR_NOTFOUND, ERR_AUTH, ...: the partner
 * could not be read or answered garbage (res->msg).  ERR_DB from the
 * store.
 */
enum err sync_verify_log(struct store *st, const struct sync_verify_cfg *cfg,
    struct sync_verify_result *res) WUR;

#endif
