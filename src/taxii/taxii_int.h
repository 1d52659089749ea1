/*
 * taxii_int.h: shared between the files of taxii/ only.
 */
#ifndef ENTENTE_TAXII_TAXII_INT_H
#define ENTENTE_TAXII_TAXII_INT_H

#include "taxii/taxii.h"

/*
 * Set resp->msg from fmt, empty the body, and return err (for
 * "return taxii_fail(resp, ERR_X, ...)").
 */
enum err taxii_fail(struct taxii_resp *resp, enum err err, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/*
 * Add the envelope body[0..len) to collection coll on behalf of ctx->party
 * (write access already checked) and write the status resource into resp
 * (202).  Errors: ERR_PARSE (malformed JSON), ERR_INVALID (not an
 * envelope), ERR_TOOBIG (too many objects), store errors; resp->msg says
 * which.
 */
enum err taxii_ingest(const struct taxii_ctx *ctx,
    const struct store_collection *coll, const char *body, size_t len,
    struct taxii_resp *resp) WUR;

/*
 * Envelopes with at least TAXII_INGEST_PARALLEL_MIN objects are cut into
 * chunks of TAXII_INGEST_CHUNK objects, checked on two threads and stored
 * as they come, in one transaction.
 */
#define TAXII_INGEST_PARALLEL_MIN	64
#define TAXII_INGEST_CHUNK		100

/*
 * Find the elements of the top-level "objects" array of an envelope
 * without building its tree.  On success *spans (free()) holds *n_spans
 * (offset, length) pairs and 0 is returned; -1 means "not a plain
 * envelope this scanner vouches for" (the caller then parses the whole body
 * with jansson, which gives the exact error).  The other top-level members
 * are checked to be valid JSON; the elements themselves are not.
 */
struct taxii_span {
	size_t	off;
	size_t	len;
};
int taxii_envelope_scan(const char *p, size_t n, struct taxii_span **spans,
    size_t *n_spans);

#endif
