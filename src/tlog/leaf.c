/*
 * leaf.c: encode and decode the transparency log's leaves (docs/log.md).
 *
 * Encoding validates every field first, computes the exact length, then
 * writes into one reservation, so a refused leaf never touches the output.
 * Decoding reads through a bounded cursor and checks the same rules, so the
 * two are inverses on every byte string decode accepts.
 */
#include <string.h>

#include "tlog/leaf.h"

_Static_assert(TLOG_LEAF_OBJECT_MAX_BYTES <= TLOG_LEAF_ENTRY_LIMIT,
    "object leaf over the tlog-tiles entry limit");
_Static_assert(TLOG_LEAF_DELIVERY_MAX_BYTES <= TLOG_LEAF_ENTRY_LIMIT,
    "delivery leaf over the tlog-tiles entry limit");
_Static_assert(TLOG_LEAF_AGREEMENT_BYTES <= TLOG_LEAF_ENTRY_LIMIT,
    "agreement leaf over the tlog-tiles entry limit");
_Static_assert(LIM_STIX_ID <= 0xffff, "id length must fit a u16");
_Static_assert(TLOG_LEAF_MAX_DELIVERED <= 0xffff, "n must fit a u16");

/* Fixed parts: format, kind and every field before the variable tail. */
#define OBJECT_FIXED	(2 + 32 + 8 + 8 + 16 + 32 + 2)
#define DELIVERY_FIXED	(2 + 8 + 32 + 16 + 2)
#define AGREEMENT_FIXED	(2 + 1 + 8 + 32 + 4 + 2)

/* A bounded reader over the input. */
struct rd {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
};

static int
id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* 1 when every byte of s[0..len) is in [a-z0-9-]. */
static int
id_chars(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!id_char(s[i]))
			return 0;
	return 1;
}

/* 1 when s[0..len) is a type of [a-z0-9-], "--" and a lower-case UUID. */
static int
object_id_ok(const char *s, size_t len)
{
	if (len < TLOG_LEAF_OBJECT_ID_MIN || len > LIM_STIX_ID)
		return 0;
	if (!id_chars(s, len))
		return 0;
	if (s[len - UUID_STRLEN - 2] != '-' || s[len - UUID_STRLEN - 1] != '-')
		return 0;
	return uuid_valid(s + len - UUID_STRLEN, UUID_STRLEN);
}

/* 1 when s[0..len) is "agreement--" and a lower-case UUID. */
static int
agreement_id_ok(const char *s, size_t len)
{
	size_t pl = sizeof(TLOG_LEAF_AGREEMENT_PREFIX) - 1;

	if (len != TLOG_LEAF_AGREEMENT_ID_LEN)
		return 0;
	if (memcmp(s, TLOG_LEAF_AGREEMENT_PREFIX, pl) != 0)
		return 0;
	return id_chars(s, len) && uuid_valid(s + pl, UUID_STRLEN);
}

static void
put_be(uint8_t *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = n; i > 0; i--) {
		p[i - 1] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

static uint64_t
get_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Return a pointer to the next n bytes and advance, or NULL if short. */
static const uint8_t *
rd_take(struct rd *r, size_t n)
{
	const uint8_t *q;

	if (r->len - r->off < n)
		return NULL;
	q = r->p + r->off;
	r->off += n;
	return q;
}

static int
rd_uint(struct rd *r, size_t n, uint64_t *v)
{
	const uint8_t *q;

	if ((q = rd_take(r, n)) == NULL)
		return 0;
	*v = get_be(q, n);
	return 1;
}

static int
rd_copy(struct rd *r, void *dst, size_t n)
{
	const uint8_t *q;

	if ((q = rd_take(r, n)) == NULL)
		return 0;
	memcpy(dst, q, n);
	return 1;
}

/*
 * Validate l and return its encoded length, or 0 with *err set.  The one
 * place that knows which fields are acceptable for encoding.
 */
static size_t
check_len(const struct tlog_leaf *l, enum err *err)
{
	size_t idlen;

	switch (l->kind) {
	case TLOG_LEAF_OBJECT:
		idlen = strnlen(l->u.obj.id, sizeof(l->u.obj.id));
		if (idlen > LIM_STIX_ID) {
			*err = ERR_TOOBIG;
			return 0;
		}
		if (!object_id_ok(l->u.obj.id, idlen)) {
			*err = ERR_INVALID;
			return 0;
		}
		return OBJECT_FIXED + idlen;
	case TLOG_LEAF_DELIVERY:
		if (l->u.del.n > TLOG_LEAF_MAX_DELIVERED) {
			*err = ERR_TOOBIG;
			return 0;
		}
		if (l->u.del.n == 0 || l->u.del.hashes == NULL) {
			*err = ERR_INVALID;
			return 0;
		}
		return DELIVERY_FIXED + l->u.del.n * TLOG_LEAF_HASH_BYTES;
	case TLOG_LEAF_AGREEMENT:
		idlen = strnlen(l->u.agr.id, sizeof(l->u.agr.id));
		if (idlen > TLOG_LEAF_AGREEMENT_ID_LEN) {
			*err = ERR_TOOBIG;
			return 0;
		}
		if (l->u.agr.event != TLOG_LEAF_EVENT_INSTALLED &&
		    l->u.agr.event != TLOG_LEAF_EVENT_TERMINATED) {
			*err = ERR_INVALID;
			return 0;
		}
		if (!agreement_id_ok(l->u.agr.id, idlen)) {
			*err = ERR_INVALID;
			return 0;
		}
		return AGREEMENT_FIXED + idlen;
	}
	*err = ERR_INVALID;
	return 0;
}

size_t
tlog_leaf_encoded_len(const struct tlog_leaf *l)
{
	enum err err;

	return check_len(l, &err);
}

/* Write the encoding of l, already checked to be len bytes, to p. */
static void
write_leaf(const struct tlog_leaf *l, uint8_t *p, size_t len)
{
	const struct tlog_leaf_object *o = &l->u.obj;
	const struct tlog_leaf_delivery *d = &l->u.del;
	const struct tlog_leaf_agreement *a = &l->u.agr;
	size_t off = 2, idlen;

	p[0] = TLOG_LEAF_FORMAT;
	p[1] = (uint8_t)l->kind;
	switch (l->kind) {
	case TLOG_LEAF_OBJECT:
		idlen = len - OBJECT_FIXED;
		memcpy(p + off, o->object_hash, 32);
		off += 32;
		put_be(p + off, o->date_added, 8);
		off += 8;
		/* Two's complement by conversion, which C defines. */
		put_be(p + off, (uint64_t)o->version, 8);
		off += 8;
		memcpy(p + off, o->collection, 16);
		off += 16;
		memcpy(p + off, o->producer, 32);
		off += 32;
		put_be(p + off, idlen, 2);
		off += 2;
		memcpy(p + off, o->id, idlen);
		break;
	case TLOG_LEAF_DELIVERY:
		put_be(p + off, d->time, 8);
		off += 8;
		memcpy(p + off, d->recipient, 32);
		off += 32;
		memcpy(p + off, d->collection, 16);
		off += 16;
		put_be(p + off, d->n, 2);
		off += 2;
		memcpy(p + off, d->hashes, d->n * TLOG_LEAF_HASH_BYTES);
		break;
	case TLOG_LEAF_AGREEMENT:
		idlen = len - AGREEMENT_FIXED;
		p[off++] = a->event;
		put_be(p + off, a->time, 8);
		off += 8;
		memcpy(p + off, a->doc_hash, 32);
		off += 32;
		put_be(p + off, a->version, 4);
		off += 4;
		put_be(p + off, idlen, 2);
		off += 2;
		memcpy(p + off, a->id, idlen);
		break;
	}
}

enum err
tlog_leaf_encode(const struct tlog_leaf *l, struct buf *out)
{
	enum err err = ERR_OK;
	size_t len;

	if ((len = check_len(l, &err)) == 0)
		goto out;
	if ((err = buf_reserve(out, len)) != ERR_OK)
		goto out;
	write_leaf(l, (uint8_t *)out->ptr + out->len, len);
	out->len += len;
	out->ptr[out->len] = '\0';
out:
	return err;
}

static int
decode_object(struct rd *r, struct tlog_leaf_object *o)
{
	uint64_t v, idlen;

	if (!rd_copy(r, o->object_hash, 32) || !rd_uint(r, 8, &o->date_added))
		return 0;
	if (!rd_uint(r, 8, &v))
		return 0;
	/* Back from two's complement without implementation-defined casts. */
	if (v > (uint64_t)INT64_MAX)
		o->version = -(int64_t)(~v) - 1;
	else
		o->version = (int64_t)v;
	if (!rd_copy(r, o->collection, 16) || !rd_copy(r, o->producer, 32))
		return 0;
	if (!rd_uint(r, 2, &idlen) || idlen > LIM_STIX_ID)
		return 0;
	if (!rd_copy(r, o->id, (size_t)idlen))
		return 0;
	o->id[idlen] = '\0';
	return object_id_ok(o->id, (size_t)idlen);
}

static int
decode_delivery(struct rd *r, struct tlog_leaf_delivery *d)
{
	const uint8_t *q;
	uint64_t n;

	if (!rd_uint(r, 8, &d->time) || !rd_copy(r, d->recipient, 32) ||
	    !rd_copy(r, d->collection, 16) || !rd_uint(r, 2, &n))
		return 0;
	if (n == 0 || n > TLOG_LEAF_MAX_DELIVERED)
		return 0;
	if ((q = rd_take(r, (size_t)n * TLOG_LEAF_HASH_BYTES)) == NULL)
		return 0;
	d->n = (size_t)n;
	d->hashes = (const uint8_t (*)[TLOG_LEAF_HASH_BYTES])q;
	return 1;
}

static int
decode_agreement(struct rd *r, struct tlog_leaf_agreement *a)
{
	uint64_t v, idlen;

	if (!rd_copy(r, &a->event, 1))
		return 0;
	if (a->event != TLOG_LEAF_EVENT_INSTALLED &&
	    a->event != TLOG_LEAF_EVENT_TERMINATED)
		return 0;
	if (!rd_uint(r, 8, &a->time) || !rd_copy(r, a->doc_hash, 32))
		return 0;
	if (!rd_uint(r, 4, &v))
		return 0;
	a->version = (uint32_t)v;
	if (!rd_uint(r, 2, &idlen) || idlen != TLOG_LEAF_AGREEMENT_ID_LEN)
		return 0;
	if (!rd_copy(r, a->id, (size_t)idlen))
		return 0;
	a->id[idlen] = '\0';
	return agreement_id_ok(a->id, (size_t)idlen);
}

enum err
tlog_leaf_decode(const uint8_t *p, size_t len, struct tlog_leaf *out)
{
	struct rd r = { p, len, 0 };
	const uint8_t *h;
	int ok = 0;

	memset(out, 0, sizeof(*out));
	if (len > TLOG_LEAF_MAX_BYTES || (h = rd_take(&r, 2)) == NULL)
		goto out;
	if (h[0] != TLOG_LEAF_FORMAT)
		goto out;
	switch (h[1]) {
	case TLOG_LEAF_OBJECT:
		out->kind = TLOG_LEAF_OBJECT;
		ok = decode_object(&r, &out->u.obj);
		break;
	case TLOG_LEAF_DELIVERY:
		out->kind = TLOG_LEAF_DELIVERY;
		ok = decode_delivery(&r, &out->u.del);
		break;
	case TLOG_LEAF_AGREEMENT:
		out->kind = TLOG_LEAF_AGREEMENT;
		ok = decode_agreement(&r, &out->u.agr);
		break;
	default:
		break;
	}
	/* No trailing byte: one leaf has exactly one encoding. */
	if (ok && r.off != r.len)
		ok = 0;
out:
	if (!ok) {
		memset(out, 0, sizeof(*out));
		return ERR_PARSE;
	}
	return ERR_OK;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum err
tlog_leaf_uuid_parse(const char *s, size_t len,
    uint8_t out[TLOG_LEAF_UUID_BYTES])
{
	size_t i, o = 0;
	int hi, lo;

	if (!uuid_valid(s, len)) {
		memset(out, 0, TLOG_LEAF_UUID_BYTES);
		return ERR_PARSE;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '-')
			continue;
		/* uuid_valid saw the hex digits in pairs between dashes. */
		hi = hexval(s[i]);
		lo = hexval(s[++i]);
		out[o++] = (uint8_t)(hi << 4 | lo);
	}
	return ERR_OK;
}

void
tlog_leaf_uuid_format(const uint8_t in[TLOG_LEAF_UUID_BYTES],
    char out[UUID_STRLEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < TLOG_LEAF_UUID_BYTES; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[in[i] >> 4];
		out[o++] = hex[in[i] & 0x0f];
	}
	out[o] = '\0';
}

/* Fill an object leaf.  See leaf.h. */
enum err
tlog_leaf_object_set(struct tlog_leaf *l,
    const uint8_t hash[TLOG_LEAF_HASH_BYTES], int64_t date_added,
    int64_t version, const char *collection,
    const uint8_t producer[TLOG_LEAF_KEY_BYTES], const char *id)
{
	size_t n = strnlen(id, LIM_STIX_ID + 1);
	enum err err;

	memset(l, 0, sizeof(*l));
	if (n > LIM_STIX_ID)
		return ERR_TOOBIG;
	l->kind = TLOG_LEAF_OBJECT;
	if ((err = tlog_leaf_uuid_parse(collection, strlen(collection),
	    l->u.obj.collection)) != ERR_OK) {
		memset(l, 0, sizeof(*l));
		return err;
	}
	memcpy(l->u.obj.object_hash, hash, TLOG_LEAF_HASH_BYTES);
	l->u.obj.date_added = (uint64_t)date_added;
	l->u.obj.version = version;
	memcpy(l->u.obj.producer, producer, TLOG_LEAF_KEY_BYTES);
	memcpy(l->u.obj.id, id, n);
	l->u.obj.id[n] = '\0';
	return ERR_OK;
}
