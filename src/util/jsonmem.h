/*
 * jsonmem.h: per-thread arena memory for jansson.
 *
 * Parsing a 1,000-object envelope makes tens of thousands of small
 * allocations that all die together when the request ends; with malloc and
 * free they cost a quarter of ingest time.  Between jsonmem_begin() and
 * jsonmem_end() a thread's jansson allocations come from a bump arena and
 * jansson's frees are no-ops; jsonmem_end() releases the arena at once.
 * Outside that window (and in sanitizer builds, so ASan still sees every
 * allocation) jansson uses malloc and free.
 *
 * Rule: no json_t made inside the window may outlive jsonmem_end().
 */
#ifndef ENTENTE_UTIL_JSONMEM_H
#define ENTENTE_UTIL_JSONMEM_H

#include <jansson.h>
#include <stddef.h>

#include "util/buf.h"

/* Arena memory per window; past it allocations fall back to malloc. */
#define JSONMEM_MAX_BYTES	(256u * 1024u * 1024u)

/* Route jansson's allocations through this module.  Call once at start-up,
 * before any json_t exists.  Can't fail. */
void jsonmem_install(void);
/* Open this thread's arena window.  Can't fail (no arena: malloc is used). */
void jsonmem_begin(void);
/* Close the window and release its memory (one chunk is kept for reuse). */
void jsonmem_end(void);
/*
 * A position in this thread's arena.  jsonmem_rewind(m) gives back every
 * block allocated since jsonmem_mark() returned m (the caller guarantees
 * none of them is still in use), so a loop that parses and frees one tree
 * per turn stays at one tree's memory.  Both do nothing outside a window.
 */
struct jsonmem_mark {
	void	*chunk;
	size_t	 used;
};
struct jsonmem_mark jsonmem_mark(void);
void jsonmem_rewind(struct jsonmem_mark m);

/* Free the chunk kept for reuse: call before a thread that used a window
 * exits, or its memory is lost.  Can't fail. */
void jsonmem_thread_done(void);

/*
 * Append the compact JSON of j (borrowed) to b.  Use this instead of
 * json_dumps(), whose result would have to be freed through jansson's
 * allocator.  ERR_TOOBIG, ERR_NOMEM; b is reset on error.
 */
enum err jsonmem_dump(const json_t *j, struct buf *b) WUR;

#endif
