/*
 * reader.h: read a log file (or standard input) as blocks of whole lines,
 * decompressing gzip and zstd transparently.
 *
 * The compression is recognized by its magic bytes (1f 8b: gzip, also
 * several members one after the other; 28 b5 2f fd: zstd, any number of
 * frames), whatever the file is called.  Each block handed out holds whole
 * lines only (the file's last line may lack its newline) and at most
 * MATCH_READ_BLOCK bytes, so a line in a block is never longer than
 * MATCH_LINE_MAX: a longer line is skipped up to its newline and counted,
 * without ever being held in memory.  Corrupt or truncated compressed
 * input ends the file early: what was decoded is delivered and the
 * problem is counted, never fatal.  The reader does I/O and nothing else;
 * it must not include anything above match/.
 */
#ifndef ENTENTE_MATCH_READER_H
#define ENTENTE_MATCH_READER_H

#include <stddef.h>
#include <stdint.h>

#include "match/format.h"
#include "util/err.h"

/* Largest block handed out: a line of MATCH_LINE_MAX bytes and '\n'. */
#define MATCH_READ_BLOCK	(MATCH_LINE_MAX + 1u)

enum match_comp {
	MATCH_COMP_NONE = 0,
	MATCH_COMP_GZIP,
	MATCH_COMP_ZSTD
};

struct match_reader_stats {
	uint64_t	bytes_in;	/* bytes read from the file */
	uint64_t	bytes;		/* bytes after decompression */
	uint64_t	lines;		/* lines handed out */
	uint64_t	overlong;	/* lines skipped: > MATCH_LINE_MAX */
	enum match_comp	comp;
	int		truncated;	/* compressed data ended too early */
	int		corrupt;	/* compressed data invalid (or trailing
					 * garbage): the rest was not read */
	int		io_errno;	/* a read failed (errno), else 0 */
};

struct match_reader;

/*
 * Open path ("-" is standard input, which is not closed) in *out; free with
 * match_reader_free().  ERR_NOTFOUND when it does not exist, ERR_IO when it
 * cannot be opened or is a directory (errno is then set), ERR_NOMEM.
 */
enum err match_reader_open(const char *path, struct match_reader **out) WUR;
/* A reader over p[0..len) (borrowed until match_reader_free()). */
enum err match_reader_open_mem(const void *p, size_t len,
    struct match_reader **out) WUR;
/* match_reader_free(NULL) does nothing. */
void match_reader_free(struct match_reader *r);

/*
 * Put the next block of whole lines in dst (cap >= MATCH_READ_BLOCK; only
 * MATCH_READ_BLOCK bytes are used): *len_out bytes, 0 at the end of the
 * input, and *first_line the 1-based number of its first line (skipped
 * lines keep their numbers).  A short read from a pipe with a whole line
 * in hand returns at once, so `tail -f | entente match -` is not held back.
 * ERR_RANGE when cap is too small; read errors end the input (see
 * io_errno) rather than fail.
 */
enum err match_reader_next(struct match_reader *r, char *dst, size_t cap,
    size_t *len_out, uint64_t *first_line) WUR;

/* The figures so far.  Can't fail. */
void match_reader_stats(const struct match_reader *r,
    struct match_reader_stats *st);

/* "none", "gzip", "zstd".  Can't fail. */
const char *match_comp_name(enum match_comp c);

#endif
