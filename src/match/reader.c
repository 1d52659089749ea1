/*
 * reader.c: blocks of whole lines from a file, stdin or memory, through
 * zlib or libzstd when the first bytes say so.
 *
 * The bytes of a block are produced straight into the caller's buffer
 * (read(2) or the decompressor writes there); only the partial line at
 * the end of a block is copied aside, to start the next one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "match/reader.h"
#include "match/scan.h"

#define IN_CAP		(256u * 1024u)

struct match_reader {
	int		 fd;		/* -1 for memory */
	int		 own_fd;
	const uint8_t	*mem;
	size_t		 mem_len;
	size_t		 mem_pos;
	int		 src_eof;

	enum match_comp	 comp;
	z_stream	 zs;
	int		 zs_init;
	ZSTD_DStream	*zd;
	int		 zd_done;	/* the last frame is complete */
	int		 out_eof;	/* no more decompressed bytes */

	uint8_t		*in;		/* compressed input (or peeked bytes) */
	size_t		 in_pos;
	size_t		 in_len;

	char		*carry;		/* partial line, < MATCH_READ_BLOCK */
	size_t		 carry_len;
	int		 skipping;	/* inside an overlong line */
	uint64_t	 next_line;

	struct match_reader_stats st;
};

const char *
match_comp_name(enum match_comp c)
{
	switch (c) {
	case MATCH_COMP_NONE:
		return "none";
	case MATCH_COMP_GZIP:
		return "gzip";
	case MATCH_COMP_ZSTD:
		return "zstd";
	}
	return "?";
}

/* Read up to n raw bytes from the source; 0 at its end or on error. */
static size_t
src_read(struct match_reader *r, void *p, size_t n)
{
	ssize_t k;

	if (r->src_eof || n == 0)
		return 0;
	if (r->fd < 0) {
		size_t left = r->mem_len - r->mem_pos;

		if (n > left)
			n = left;
		memcpy(p, r->mem + r->mem_pos, n);
		r->mem_pos += n;
		if (n == 0)
			r->src_eof = 1;
		r->st.bytes_in += n;
		return n;
	}
	for (;;) {
		k = read(r->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r->st.io_errno = errno;
			r->src_eof = 1;
			return 0;
		}
		if (k == 0)
			r->src_eof = 1;
		r->st.bytes_in += (size_t)k;
		return (size_t)k;
	}
}

/* Make compressed input available; 0 when there is none left. */
static int
in_fill(struct match_reader *r)
{
	if (r->in_pos < r->in_len)
		return 1;
	r->in_pos = 0;
	r->in_len = src_read(r, r->in, IN_CAP);
	return r->in_len > 0;
}

static enum err
setup(struct match_reader *r)
{
	size_t got = 0, k;

	if ((r->in = malloc(IN_CAP)) == NULL ||
	    (r->carry = malloc(MATCH_READ_BLOCK)) == NULL)
		return ERR_NOMEM;
	r->next_line = 1;
	/* Peek at the magic bytes (a pipe may hand them out one by one). */
	while (got < 4 && (k = src_read(r, r->in + got, 4 - got)) > 0)
		got += k;
	r->in_len = got;
	if (got >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b) {
		r->comp = MATCH_COMP_GZIP;
		memset(&r->zs, 0, sizeof(r->zs));
		if (inflateInit2(&r->zs, 15 + 16) != Z_OK)
			return ERR_NOMEM;
		r->zs_init = 1;
	} else if (got >= 4 && r->in[0] == 0x28 && r->in[1] == 0xb5 &&
	    r->in[2] == 0x2f && r->in[3] == 0xfd) {
		r->comp = MATCH_COMP_ZSTD;
		if ((r->zd = ZSTD_createDStream()) == NULL)
			return ERR_NOMEM;
		if (ZSTD_isError(ZSTD_initDStream(r->zd)))
			return ERR_NOMEM;
	}
	r->st.comp = r->comp;
	return ERR_OK;
}

enum err
match_reader_open(const char *path, struct match_reader **out)
{
	struct match_reader *r;
	struct stat sb;
	enum err err;
	int e;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return ERR_NOMEM;
	if (strcmp(path, "-") == 0) {
		r->fd = STDIN_FILENO;
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0) {
			e = errno;
			free(r);
			errno = e;
			return e == ENOENT ? ERR_NOTFOUND : ERR_IO;
		}
		r->own_fd = 1;
		if (fstat(r->fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			match_reader_free(r);
			errno = EISDIR;
			return ERR_IO;
		}
		if (fstat(r->fd, &sb) == 0 && S_ISREG(sb.st_mode))
			(void)posix_fadvise(r->fd, 0, 0,
			    POSIX_FADV_SEQUENTIAL);
	}
	if ((err = setup(r)) != ERR_OK) {
		match_reader_free(r);
		return err;
	}
	*out = r;
	return ERR_OK;
}

enum err
match_reader_open_mem(const void *p, size_t len, struct match_reader **out)
{
	struct match_reader *r;
	enum err err;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return ERR_NOMEM;
	r->fd = -1;
	r->mem = p;
	r->mem_len = len;
	if ((err = setup(r)) != ERR_OK) {
		match_reader_free(r);
		return err;
	}
	*out = r;
	return ERR_OK;
}

void
match_reader_free(struct match_reader *r)
{
	if (r == NULL)
		return;
	if (r->zs_init)
		(void)inflateEnd(&r->zs);
	ZSTD_freeDStream(r->zd);
	if (r->own_fd)
		(void)close(r->fd);
	free(r->in);
	free(r->carry);
	free(r);
}

/* Decompressed bytes from gzip members into p[0..n); 0 at the end. */
static size_t
gz_produce(struct match_reader *r, uint8_t *p, size_t n)
{
	uInt before_in, before_out;
	int rc, have;

	r->zs.next_out = p;
	r->zs.avail_out = (uInt)n;
	while (r->zs.avail_out > 0 && !r->out_eof) {
		/* Without input, inflate may still hold output to flush. */
		have = in_fill(r);
		r->zs.next_in = r->in + r->in_pos;
		r->zs.avail_in = before_in = have ? (uInt)(r->in_len -
		    r->in_pos) : 0;
		before_out = r->zs.avail_out;
		rc = inflate(&r->zs, Z_NO_FLUSH);
		r->in_pos = r->in_len - r->zs.avail_in;
		if (rc == Z_STREAM_END) {
			/*
			 * Another member may follow (gzip a >> f); anything
			 * else after a member is trailing garbage.
			 */
			if (!in_fill(r))
				r->out_eof = 1;
			else if (r->in[r->in_pos] != 0x1f ||
			    inflateReset(&r->zs) != Z_OK) {
				r->st.corrupt = 1;
				r->out_eof = 1;
			}
			continue;
		}
		if (rc == Z_BUF_ERROR && r->zs.avail_in == before_in &&
		    r->zs.avail_out == before_out) {
			/* No progress: the input ends inside a member. */
			if (have)
				r->st.corrupt = 1;
			else
				r->st.truncated = 1;
			r->out_eof = 1;
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			r->st.corrupt = 1;
			r->out_eof = 1;
		}
	}
	return n - r->zs.avail_out;
}

/* Decompressed bytes from zstd frames into p[0..n); 0 at the end. */
static size_t
zstd_produce(struct match_reader *r, uint8_t *p, size_t n)
{
	ZSTD_outBuffer ob = { p, n, 0 };
	ZSTD_inBuffer ib;
	size_t rc, before;

	while (ob.pos < ob.size && !r->out_eof) {
		if (!in_fill(r)) {
			/* Flush what the decoder holds; a frame still open
			 * when nothing more comes out is truncated. */
			ib.src = r->in;
			ib.size = 0;
			ib.pos = 0;
			before = ob.pos;
			rc = ZSTD_decompressStream(r->zd, &ob, &ib);
			if (ZSTD_isError(rc)) {
				r->st.corrupt = 1;
				r->out_eof = 1;
				break;
			}
			if (ob.pos > before)
				r->zd_done = rc == 0;
			if (ob.pos < ob.size) {
				if (!r->zd_done)
					r->st.truncated = 1;
				r->out_eof = 1;
			}
			break;
		}
		ib.src = r->in;
		ib.size = r->in_len;
		ib.pos = r->in_pos;
		rc = ZSTD_decompressStream(r->zd, &ob, &ib);
		r->in_pos = ib.pos;
		if (ZSTD_isError(rc)) {
			r->st.corrupt = 1;
			r->out_eof = 1;
			break;
		}
		r->zd_done = rc == 0;
	}
	return ob.pos;
}

/* Up to n bytes of content into p; 0 at the end of the input. */
static size_t
produce(struct match_reader *r, char *p, size_t n)
{
	size_t k;

	switch (r->comp) {
	case MATCH_COMP_GZIP:
		return gz_produce(r, (uint8_t *)p, n);
	case MATCH_COMP_ZSTD:
		return zstd_produce(r, (uint8_t *)p, n);
	case MATCH_COMP_NONE:
		break;
	}
	if (r->in_pos < r->in_len) {
		k = r->in_len - r->in_pos;
		if (k > n)
			k = n;
		memcpy(p, r->in + r->in_pos, k);
		r->in_pos += k;
		return k;
	}
	return src_read(r, p, n);
}

static const char *
last_nl(const char *p, size_t n)
{
	return memrchr(p, '\n', n);
}

enum err
match_reader_next(struct match_reader *r, char *dst, size_t cap,
    size_t *len_out, uint64_t *first_line)
{
	const size_t lim = MATCH_READ_BLOCK;
	const char *nl;
	size_t o, k, blk;

	*len_out = 0;
	*first_line = r->next_line;
	if (cap < lim)
		return ERR_RANGE;
	memcpy(dst, r->carry, r->carry_len);
	o = r->carry_len;
	r->carry_len = 0;
	for (;;) {
		k = produce(r, dst + o, lim - o);
		r->st.bytes += k;
		if (r->skipping) {
			const char *e = memchr(dst, '\n', k);

			if (k == 0) {
				/* The overlong line ends the input. */
				r->skipping = 0;
				r->st.overlong++;
				r->next_line++;
				*first_line = r->next_line;
				return ERR_OK;
			}
			if (e == NULL)
				continue;
			r->skipping = 0;
			r->st.overlong++;
			r->next_line++;
			o = k - (size_t)(e + 1 - dst);
			memmove(dst, e + 1, o);
			*first_line = r->next_line;
			if (memchr(dst, '\n', o) == NULL)
				continue;
			k = 0;	/* look for the last newline below */
		} else {
			o += k;
		}
		nl = last_nl(dst, o);
		if (nl != NULL && (k < lim - (o - k) || o == lim || k == 0)) {
			blk = (size_t)(nl - dst) + 1;
			r->carry_len = o - blk;
			memcpy(r->carry, dst + blk, r->carry_len);
			break;
		}
		if (nl != NULL)
			continue;
		if (k == 0) {
			/* End of input: the last line lacks a newline. */
			blk = o;
			break;
		}
		if (o == lim) {
			/* No newline in MATCH_READ_BLOCK bytes. */
			r->skipping = 1;
			o = 0;
		}
	}
	*len_out = blk;
	if (blk > 0) {
		uint64_t n = match_count_newlines(dst, blk);

		if (dst[blk - 1] != '\n')
			n++;
		r->next_line += n;
		r->st.lines += n;
	}
	return ERR_OK;
}

void
match_reader_stats(const struct match_reader *r,
    struct match_reader_stats *st)
{
	*st = r->st;
}
