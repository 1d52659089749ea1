/*
 * writer.h: the log's background writer in a running node.
 *
 * One thread with its own store connection does two things:
 *  - group commit of delivery leaves: a request thread that is about to
 *    release objects to a partner hands its delivery leaf over and waits;
 *    the writer appends every leaf waiting at that moment in one
 *    transaction, then wakes them all with their leaf indexes.  A response
 *    therefore leaves only once its delivery is in the log, and one commit
 *    serves many requests under load;
 *  - checkpoints: at most once per interval, when the tree grew, it issues
 *    a signed checkpoint (tlog_tree_checkpoint).
 * Object leaves are not written here: they are appended in the same
 * transaction as the objects themselves (taxii/ingest.c).
 */
#ifndef ENTENTE_TLOG_WRITER_H
#define ENTENTE_TLOG_WRITER_H

#include <stdint.h>

#include "tlog/leaf.h"
#include "tlog/tree.h"
#include "util/err.h"

struct tlog_writer;

/* Default and bounds of the checkpoint interval, in milliseconds. */
#define TLOG_WRITER_INTERVAL_MS		1000u
#define TLOG_WRITER_INTERVAL_MIN_MS	10u
#define TLOG_WRITER_INTERVAL_MAX_MS	3600000u

/*
 * Start the writer on the database at db_path, signing checkpoints with
 * signer (copied) every interval_ms milliseconds when the tree grew.  A
 * first checkpoint is issued before this returns when none exists or the
 * tree grew since the last one.  *out is the running writer.  ERR_RANGE
 * for an interval out of bounds, store errors, ERR_NOMEM.
 */
enum err tlog_writer_start(const char *db_path,
    const struct tlog_signer *signer, unsigned interval_ms,
    struct tlog_writer **out) WUR;

/*
 * Append the delivery leaf l and wait until it is committed; its index
 * goes to *index_out.  Safe from any thread.  ERR_BUSY once the writer is
 * stopping, else the error of the commit the leaf was part of (the leaf is
 * then not in the log).
 */
enum err tlog_writer_deliver(struct tlog_writer *w, const struct tlog_leaf *l,
    uint64_t *index_out) WUR;

/*
 * Commit what is waiting, issue a last checkpoint if the tree grew, stop
 * the thread and free everything.  NULL is ok.  Can't fail.
 */
void tlog_writer_stop(struct tlog_writer *w);

#endif
