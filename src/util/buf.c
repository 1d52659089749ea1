#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

void
buf_init(struct buf *b, size_t max)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
buf_reset(struct buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_clear(struct buf *b)
{
	b->len = 0;
	if (b->ptr != NULL)
		b->ptr[0] = '\0';
}

enum err
buf_reserve(struct buf *b, size_t n)
{
	size_t need, ncap;
	char *p;

	if (n > b->max || b->len > b->max - n) {
		buf_reset(b);
		return ERR_TOOBIG;
	}
	need = b->len + n + 1;	/* room for the terminator */
	if (need <= b->cap)
		return ERR_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need) {
		if (ncap > ((size_t)-1) / 2) {
			ncap = need;
			break;
		}
		ncap *= 2;
	}
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	p = realloc(b->ptr, ncap);
	if (p == NULL) {
		buf_reset(b);
		return ERR_NOMEM;
	}
	b->ptr = p;
	b->cap = ncap;
	return ERR_OK;
}

enum err
buf_add(struct buf *b, const void *p, size_t len)
{
	enum err err;

	if ((err = buf_reserve(b, len)) != ERR_OK)
		return err;
	if (len > 0)
		memcpy(b->ptr + b->len, p, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return ERR_OK;
}

enum err
buf_addstr(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

enum err
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

enum err
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	enum err err;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		buf_reset(b);
		return ERR_PARSE;
	}
	if ((err = buf_reserve(b, (size_t)n)) != ERR_OK)
		return err;
	(void)vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return ERR_OK;
}

enum err
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	enum err err;

	va_start(ap, fmt);
	err = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return err;
}

char *
buf_take(struct buf *b, size_t *len_out)
{
	char *p = b->ptr;

	if (len_out != NULL)
		*len_out = b->len;
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
