/*
 * fuzz_leaf.c: libFuzzer harness for the transparency log's leaf decoder
 * (tlog/leaf.c).
 *
 * Invariants, abort() on violation:
 * - a refused input is ERR_PARSE and leaves the output zeroed;
 * - an accepted input is at most TLOG_LEAF_MAX_BYTES, its kind is known and
 *   tlog_leaf_encoded_len gives its length;
 * - encoding the decoded leaf gives back the input bytes exactly (one
 *   encoding per leaf), and a delivery's hashes point into the input;
 * - every proper prefix of an accepted input is refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlog/leaf.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
zeroed(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlog_leaf l, t;
	struct buf b;
	enum err err;
	size_t k;

	memset(&l, 0x5a, sizeof(l));
	err = tlog_leaf_decode(data, size, &l);
	if (err != ERR_OK) {
		if (err != ERR_PARSE || !zeroed(&l, sizeof(l)))
			abort();
		return 0;
	}
	if (size > TLOG_LEAF_MAX_BYTES || size > TLOG_LEAF_ENTRY_LIMIT)
		abort();
	if (l.kind != TLOG_LEAF_OBJECT && l.kind != TLOG_LEAF_DELIVERY &&
	    l.kind != TLOG_LEAF_AGREEMENT)
		abort();
	if (tlog_leaf_encoded_len(&l) != size)
		abort();
	if (l.kind == TLOG_LEAF_DELIVERY &&
	    ((const uint8_t *)l.u.del.hashes < data ||
	    (const uint8_t *)(l.u.del.hashes + l.u.del.n) != data + size))
		abort();

	buf_init(&b, TLOG_LEAF_MAX_BYTES);
	if (tlog_leaf_encode(&l, &b) != ERR_OK)
		abort();
	if (b.len != size || memcmp(b.ptr, data, size) != 0)
		abort();
	buf_reset(&b);

	for (k = 0; k < size; k++)
		if (tlog_leaf_decode(data, k, &t) != ERR_PARSE)
			abort();
	return 0;
}
