/*
 * crypto_secret.c: memory for keys, after libsodium's sodium_malloc.
 *
 * Each allocation is its own mapping:
 *
 *   | header | guard | data region ....... [canary][block][slack] | guard |
 *
 * The header page holds the sizes and the canary, read-only once written.
 * The data region is whole pages, mlock'ed where RLIMIT_MEMLOCK allows and
 * marked MADV_DONTDUMP; the block handed out ends against the trailing
 * guard page (rounded to 16 bytes for alignment, the slack filled with
 * canary bytes), so an overflow faults or is caught on free, and an
 * underflow hits the 16-byte canary or the leading guard page.  Lock and
 * unlock mprotect the data region.  Free checks the canaries, wipes the
 * region and unmaps everything.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "crypto/crypto_int.h"
#include "util/log.h"

#define SECRET_MAGIC	0x3174657263657345ull	/* "Esecret1" */
#define SECRET_CANARY	16u
#define SECRET_ALIGN	16u

struct secret_hdr {
	uint64_t	magic;
	size_t		len;		/* what the caller asked for */
	size_t		block_len;	/* len rounded up to SECRET_ALIGN */
	size_t		data_len;	/* the data region, whole pages */
	size_t		map_len;	/* the whole mapping */
	uint8_t		canary[SECRET_CANARY];
};

static size_t
secret_page(void)
{
	long n = sysconf(_SC_PAGESIZE);

	return n > 0 ? (size_t)n : 4096;
}

/* Memory corruption or a foreign pointer: nothing safe is left to do. */
static void
secret_abort(const char *what)
{
	log_err("%s: secret memory %s", __func__, what);
	abort();
}

/* The header and data region of p, which must come from secret_alloc. */
static struct secret_hdr *
secret_hdr(void *p, uint8_t **data)
{
	struct secret_hdr *h;
	size_t page = secret_page();
	uintptr_t u = (uintptr_t)p;

	if (u % SECRET_ALIGN != 0 || u < 2 * page + SECRET_CANARY)
		secret_abort("pointer not from crypto_secret_alloc");
	u = (u - SECRET_CANARY) & ~(uintptr_t)(page - 1);
	h = (struct secret_hdr *)(u - 2 * page);
	if (h->magic != SECRET_MAGIC)
		secret_abort("pointer not from crypto_secret_alloc");
	*data = (uint8_t *)u;
	if ((uint8_t *)p != *data + h->data_len - h->block_len)
		secret_abort("pointer not from crypto_secret_alloc");
	return h;
}

/* A guarded, locked, undumpable block of len bytes; NULL on failure. */
void *
crypto_secret_alloc(size_t len)
{
	struct secret_hdr *h;
	size_t page = secret_page(), block, data_len, map_len;
	uint8_t *base, *data, *p;

	if (len == 0 || len > SIZE_MAX / 2)
		return NULL;
	block = (len + SECRET_ALIGN - 1) & ~(size_t)(SECRET_ALIGN - 1);
	data_len = (block + SECRET_CANARY + page - 1) & ~(page - 1);
	if (data_len > SIZE_MAX - 3 * page)
		return NULL;
	map_len = data_len + 3 * page;

	base = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	data = base + 2 * page;
	p = data + data_len - block;
	h = (struct secret_hdr *)base;
	h->magic = SECRET_MAGIC;
	h->len = len;
	h->block_len = block;
	h->data_len = data_len;
	h->map_len = map_len;
	if (crypto_random(h->canary, sizeof(h->canary)) != ERR_OK)
		goto fail;

	(void)madvise(base, map_len, MADV_DONTDUMP);
	/* Best effort: RLIMIT_MEMLOCK is often 64 KiB for a daemon user. */
	(void)mlock(data, data_len);
	if (mprotect(base + page, page, PROT_NONE) != 0 ||
	    mprotect(data + data_len, page, PROT_NONE) != 0)
		goto fail;
	memcpy(p - SECRET_CANARY, h->canary, SECRET_CANARY);
	memcpy(p + len, h->canary, block - len);	/* always < 16 */
	if (mprotect(base, page, PROT_READ) != 0)
		goto fail;
	return p;
fail:
	crypto_wipe(h, sizeof(*h));
	(void)munlock(data, data_len);
	(void)munmap(base, map_len);
	return NULL;
}

/* Check the canaries (abort if damaged), wipe and unmap.  NULL is fine. */
void
crypto_secret_free(void *p)
{
	struct secret_hdr *h;
	uint8_t *data;
	uint8_t *q = p;

	if (p == NULL)
		return;
	h = secret_hdr(p, &data);
	if (mprotect(data, h->data_len, PROT_READ | PROT_WRITE) != 0)
		secret_abort("cannot be unlocked for wiping");
	if (memcmp(q - SECRET_CANARY, h->canary, SECRET_CANARY) != 0)
		secret_abort("underflow: canary overwritten");
	if (memcmp(q + h->len, h->canary, h->block_len - h->len) != 0)
		secret_abort("overflow: canary overwritten");
	crypto_wipe(data, h->data_len);
	(void)munlock(data, h->data_len);
	(void)munmap((uint8_t *)h, h->map_len);
}

/* Make the block inaccessible; ERR_NOMEM when mprotect fails. */
enum err
crypto_secret_lock(void *p)
{
	struct secret_hdr *h;
	uint8_t *data;

	h = secret_hdr(p, &data);
	if (mprotect(data, h->data_len, PROT_NONE) != 0)
		return ERR_NOMEM;
	return ERR_OK;
}

/* Make the block readable and writable; ERR_NOMEM when mprotect fails. */
enum err
crypto_secret_unlock(void *p)
{
	struct secret_hdr *h;
	uint8_t *data;

	h = secret_hdr(p, &data);
	if (mprotect(data, h->data_len, PROT_READ | PROT_WRITE) != 0)
		return ERR_NOMEM;
	return ERR_OK;
}
