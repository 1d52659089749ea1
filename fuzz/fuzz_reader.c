/*
 * fuzz_reader.c: libFuzzer harness for the log reader (match/reader.c):
 * plain, gzip and zstd input, whole, truncated or damaged.
 *
 * The first byte chooses what the reader gets:
 *   0: the rest of the input as is (it may start with magic bytes);
 *   1: the rest gzip-compressed here, in one or two members;
 *   2: the rest zstd-compressed here, in one or two frames;
 *   3: as 1 or 2, then cut short or with one byte changed (second byte).
 * Invariants, abort() on violation:
 * - every block is at most MATCH_READ_BLOCK bytes, non-empty, and ends
 *   with '\n' unless it is the last; first_line counts every line before
 *   it (fuzz inputs hold no overlong line);
 * - plain input (no magic bytes) comes out unchanged, and stats.lines is
 *   its number of lines;
 * - intact compressed input comes out as the text that was compressed,
 *   with neither truncated nor corrupt set; cut input comes out as a
 *   prefix of that text (unless the cut left less than the magic bytes:
 *   then it is plain text).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>

#include "match/reader.h"
#include "match/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint8_t *
gz(const uint8_t *p, size_t n, size_t *out_len)
{
	size_t cap = compressBound((uLong)n) + 64;
	uint8_t *out = malloc(cap);
	z_stream zs;

	if (out == NULL)
		abort();
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		abort();
	zs.next_in = (Bytef *)(uintptr_t)p;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	*out_len = cap - zs.avail_out;
	(void)deflateEnd(&zs);
	return out;
}

static uint8_t *
zst(const uint8_t *p, size_t n, size_t *out_len)
{
	size_t cap = ZSTD_compressBound(n);
	uint8_t *out = malloc(cap ? cap : 1);

	if (out == NULL)
		abort();
	*out_len = ZSTD_compress(out, cap, p, n, 1);
	if (ZSTD_isError(*out_len))
		abort();
	return out;
}

/* Compress text in two pieces (two members or frames). */
static uint8_t *
pack2(int z, const uint8_t *p, size_t n, size_t *out_len)
{
	size_t half = n / 2, l1, l2;
	uint8_t *a = z ? zst(p, half, &l1) : gz(p, half, &l1);
	uint8_t *b = z ? zst(p + half, n - half, &l2) : gz(p + half, n - half,
	    &l2);
	uint8_t *out = malloc(l1 + l2);

	if (out == NULL)
		abort();
	memcpy(out, a, l1);
	memcpy(out + l1, b, l2);
	free(a);
	free(b);
	*out_len = l1 + l2;
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct match_reader *r = NULL;
	struct match_reader_stats st;
	const uint8_t *in, *text = NULL;
	uint8_t *owned = NULL, *out;
	size_t in_len, text_len = 0, got = 0, len;
	uint64_t first, expect = 1;
	int mode, damaged = 0, cut = 0;
	char *blk;

	if (size < 2)
		return 0;
	mode = data[0] & 3;
	if (mode == 0) {
		in = data + 1;
		in_len = size - 1;
	} else {
		int z = mode == 2 || (mode == 3 && (data[1] & 1));

		text = data + 2;
		text_len = size - 2;
		owned = pack2(z, text, text_len, &in_len);
		in = owned;
		if (mode == 3 && in_len > 0) {
			size_t at = ((size_t)data[1] * in_len) / 256;

			if (data[1] & 2) {
				in_len = at;
				cut = 1;
			} else {
				owned[at] ^= (uint8_t)(data[1] | 1);
				damaged = 1;
			}
		}
	}
	if ((blk = malloc(MATCH_READ_BLOCK)) == NULL ||
	    (out = malloc(size * 2 + 16 + (text_len))) == NULL)
		abort();
	if (match_reader_open_mem(in, in_len, &r) != ERR_OK)
		abort();
	for (;;) {
		if (match_reader_next(r, blk, MATCH_READ_BLOCK, &len, &first) !=
		    ERR_OK)
			abort();
		if (len == 0)
			break;
		if (len > MATCH_READ_BLOCK || first != expect)
			abort();
		expect += match_count_newlines(blk, len) + (blk[len - 1] !=
		    '\n');
		/* Only the last block may lack its newline. */
		if (got > 0 && out[got - 1] != '\n')
			abort();
		/* Damaged or foreign compressed data may expand without
		 * bound: keep what fits. */
		if (got + len > size * 2 + 16 + text_len) {
			match_reader_stats(r, &st);
			if ((mode == 0 && st.comp == MATCH_COMP_NONE) ||
			    (mode != 0 && !damaged))
				abort();
			break;
		}
		memcpy(out + got, blk, len);
		got += len;
	}
	match_reader_stats(r, &st);
	if (mode == 0 && st.comp == MATCH_COMP_NONE) {
		size_t nl = 0;

		for (size_t i = 0; i < in_len; i++)
			nl += in[i] == '\n';
		if (got != in_len || memcmp(out, in, got) != 0 ||
		    st.lines != nl + (in_len > 0 && in[in_len - 1] != '\n'))
			abort();
	}
	/* A stream cut before its magic bytes ends is plain text. */
	if (mode != 0 && !damaged && st.comp != MATCH_COMP_NONE) {
		if (got > text_len || memcmp(out, text, got) != 0)
			abort();
		if (!cut && (got != text_len || st.truncated || st.corrupt))
			abort();
	}
	match_reader_free(r);
	free(blk);
	free(out);
	free(owned);
	return 0;
}
