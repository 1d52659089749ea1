/*
 * buf.h: a growable byte buffer with a hard cap (after curl's dynbuf).
 *
 * Every growing buffer in entente has a maximum fixed at init; appending past
 * it fails with ERR_TOOBIG.  A failed append frees the buffer and leaves it
 * empty but usable (curl: "the dynbuf frees itself"), so error paths need no
 * special care.  The content is always NUL-terminated when non-empty.
 */
#ifndef ENTENTE_UTIL_BUF_H
#define ENTENTE_UTIL_BUF_H

#include <stddef.h>
#include <stdarg.h>

#include "util/err.h"

struct buf {
	char	*ptr;
	size_t	 len;
	size_t	 cap;
	size_t	 max;	/* hard cap on len */
};

/* Prepare b for use with at most max bytes of content.  Can't fail. */
void buf_init(struct buf *b, size_t max);
/* Free the content; b stays initialized with the same max.  Can't fail. */
void buf_reset(struct buf *b);
/* Forget the content but keep the allocation.  Can't fail. */
void buf_clear(struct buf *b);
/* Append len bytes.  ERR_TOOBIG past max, ERR_NOMEM; on error b is reset. */
enum err buf_add(struct buf *b, const void *p, size_t len) WUR;
enum err buf_addstr(struct buf *b, const char *s) WUR;
enum err buf_addc(struct buf *b, char c) WUR;
enum err buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3))) WUR;
enum err buf_vaddf(struct buf *b, const char *fmt, va_list ap) WUR;
/* Make room for n more bytes without changing len. */
enum err buf_reserve(struct buf *b, size_t n) WUR;
/*
 * Move the content out: returns the heap pointer (NUL-terminated, may be NULL
 * when empty) and its length in *len_out; the caller frees it with free().
 * b is left empty.  Can't fail.
 */
char *buf_take(struct buf *b, size_t *len_out);

#endif
