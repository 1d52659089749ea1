#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/jsonmem.h"

/* Every block carries a 16-byte header so free can tell arena from heap. */
#define HDR		16u
#define TAG_HEAP	0x68656170u	/* "heap" */
#define TAG_ARENA	0x6172656eu	/* "aren" */
#define CHUNK_BYTES	(1024u * 1024u)

struct chunk {
	struct chunk	*next;
	size_t		 cap;
	size_t		 used;
	/* data follows, 16-byte aligned */
};

struct arena {
	struct chunk	*head;		/* current chunk, newest first */
	struct chunk	*spare;		/* kept between windows */
	size_t		 total;
	int		 active;
};

static _Thread_local struct arena arena;

#if defined(__SANITIZE_ADDRESS__)
#define JSONMEM_DISABLED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JSONMEM_DISABLED 1
#endif
#endif

static void *
heap_alloc(size_t size)
{
	uint32_t *p;

	if (size > SIZE_MAX - HDR || (p = malloc(size + HDR)) == NULL)
		return NULL;
	p[0] = TAG_HEAP;
	return (char *)p + HDR;
}

static void *
arena_alloc(size_t size)
{
	struct chunk *c = arena.head;
	size_t need, cap;
	uint32_t *p;

	if (size > SIZE_MAX - HDR - 15)
		return NULL;
	need = (size + HDR + 15) & ~(size_t)15;
	if (c == NULL || c->cap - c->used < need) {
		cap = need > CHUNK_BYTES ? need : CHUNK_BYTES;
		if (arena.total + cap > JSONMEM_MAX_BYTES)
			return heap_alloc(size);
		if (arena.spare != NULL && arena.spare->cap >= cap) {
			c = arena.spare;
			arena.spare = NULL;
		} else if ((c = malloc(sizeof(*c) + 16 + cap)) == NULL) {
			return NULL;
		} else {
			c->cap = cap;
		}
		c->used = 0;
		c->next = arena.head;
		arena.head = c;
		arena.total += c->cap;
	}
	p = (uint32_t *)(((uintptr_t)(c + 1) + 15) & ~(uintptr_t)15);
	p = (uint32_t *)((char *)p + c->used);
	c->used += need;
	p[0] = TAG_ARENA;
	return (char *)p + HDR;
}

static void *
jm_malloc(size_t size)
{
	if (arena.active)
		return arena_alloc(size);
	return heap_alloc(size);
}

static void
jm_free(void *ptr)
{
	uint32_t *p;

	if (ptr == NULL)
		return;
	p = (uint32_t *)((char *)ptr - HDR);
	if (p[0] == TAG_HEAP) {
		p[0] = 0;
		free(p);
	} else if (p[0] != TAG_ARENA) {
		abort();	/* not ours: memory corruption */
	}
	/* Arena blocks go with the arena. */
}

void
jsonmem_install(void)
{
	json_set_alloc_funcs(jm_malloc, jm_free);
}

void
jsonmem_begin(void)
{
#ifndef JSONMEM_DISABLED
	arena.active = 1;
#endif
}

void
jsonmem_end(void)
{
	struct chunk *c, *next;

	arena.active = 0;
	for (c = arena.head; c != NULL; c = next) {
		next = c->next;
		if (arena.spare == NULL && c->cap == CHUNK_BYTES)
			arena.spare = c;
		else
			free(c);
	}
	arena.head = NULL;
	arena.total = 0;
}

struct jsonmem_mark
jsonmem_mark(void)
{
	struct jsonmem_mark m = { NULL, 0 };

	if (arena.active && arena.head != NULL) {
		m.chunk = arena.head;
		m.used = arena.head->used;
	}
	return m;
}

void
jsonmem_rewind(struct jsonmem_mark m)
{
	struct chunk *c;

	if (!arena.active)
		return;
	/* Chunks newer than the mark's go back (one kept as the spare). */
	while ((c = arena.head) != NULL && c != m.chunk) {
		arena.head = c->next;
		arena.total -= c->cap;
		if (arena.spare == NULL && c->cap == CHUNK_BYTES)
			arena.spare = c;
		else
			free(c);
	}
	if (arena.head != NULL)
		arena.head->used = m.used;
}

void
jsonmem_thread_done(void)
{
	jsonmem_end();
	free(arena.spare);
	arena.spare = NULL;
}

struct dump {
	struct buf	*b;
	enum err	 err;	/* first failure; later writes are refused */
};

static int
dump_cb(const char *p, size_t size, void *data)
{
	struct dump *d = data;

	/* jansson ignores this result for object keys, so a failure must
	 * stick: otherwise later pieces land in the emptied buffer. */
	if (d->err != ERR_OK)
		return -1;
	if ((d->err = buf_add(d->b, p, size)) != ERR_OK)
		return -1;
	return 0;
}

enum err
jsonmem_dump(const json_t *j, struct buf *b)
{
	struct dump d = { b, ERR_OK };

	if (json_dump_callback(j, dump_cb, &d, JSON_COMPACT) != 0 &&
	    d.err == ERR_OK)
		d.err = ERR_NOMEM;	/* jansson itself failed */
	if (d.err != ERR_OK)
		buf_reset(b);
	return d.err;
}
