#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include "crypto/crypto.h"
#include "tlog/leaf.h"
#include "tlog/merkle.h"

/*
 * The three worked examples of docs/log.md, byte for byte: the same input
 * values, encodings and leaf hashes as the document (which were checked
 * there with an independent Python computation).
 */
#define EX_CANON1 "{\"created\":\"2024-01-01T00:00:00.000Z\",\"id\":" \
	"\"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\",\"modified\":" \
	"\"2024-02-29T08:30:00.000Z\",\"name\":\"Example C2 address\"," \
	"\"pattern\":\"[ipv4-addr:value = '198.51.100.1']\",\"pattern_type\":" \
	"\"stix\",\"spec_version\":\"2.1\",\"type\":\"indicator\"," \
	"\"valid_from\":\"2024-01-01T00:00:00Z\"}"
#define EX_CANON2 "{\"created\":\"2024-01-01T00:00:00.000Z\",\"id\":" \
	"\"identity--311b2d2d-f010-4473-83ec-1edf84858f4c\",\"identity_class\":" \
	"\"organization\",\"modified\":\"2024-01-01T00:00:00.000Z\",\"name\":" \
	"\"Example CERT\",\"spec_version\":\"2.1\",\"type\":\"identity\"}"
#define EX_H1 "18f0fb841e7a45179218133c2e0cac753a2fa7cd2fb2b5d0deb2e59ff225b7d1"
#define EX_H2 "a2ad52497e411cfe43423a6bfad32af03e5cef01b8ddcd76cbf34d964b57aed9"
#define EX_COLL "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
#define EX_PK1 "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define EX_PK2 "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
#define EX_DOC "{\"example\":\"agreement document\"}"
#define EX_DOCH "179bf745b3fdfc457c584e334393817e59681d3c0078665ec48a6de1c2a5dbec"
#define EX_OID "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define EX_AID "agreement--0f6c5a7e-3b9d-4e2a-9c1f-5d8e7b6a4c32"

#define EX_LEAF1 \
	"010118f0fb841e7a45179218133c2e0cac753a2fa7cd2fb2b5d0deb2e59ff225b7d1" \
	"000612981d8932400006128110ab320091a7b52880eb42eda74dc6fbd5a26116" \
	"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a" \
	"002f696e64696361746f722d2d38653265326432622d313764342d346362662d" \
	"393338662d393865653436623363643366"
#define EX_LH1 "818e745ff1e3c8daadcd15b60bd4b4d4bc398dae89acda67cb2a83d531ec0514"
#define EX_LEAF2 \
	"0102000612981dd39b40" \
	"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c" \
	"91a7b52880eb42eda74dc6fbd5a26116" "0002" \
	"18f0fb841e7a45179218133c2e0cac753a2fa7cd2fb2b5d0deb2e59ff225b7d1" \
	"a2ad52497e411cfe43423a6bfad32af03e5cef01b8ddcd76cbf34d964b57aed9"
#define EX_LH2 "4e347d10425f4cc39db5b4945a05111bd87c8a51ec61752060d2a3fbfd610585"
#define EX_LEAF3 \
	"0103010006128e0e9ba000" \
	"179bf745b3fdfc457c584e334393817e59681d3c0078665ec48a6de1c2a5dbec" \
	"00000003002f61677265656d656e742d2d30663663356137652d336239642d34" \
	"6532612d396331662d356438653762366134633332"
#define EX_LH3 "b6ca2d6a9575a259ec4b39d78c9f5cbb081f5fa49080acb2d118d809cf1174bb"

#define BIG	(TLOG_LEAF_MAX_BYTES + 64)

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode the hex string s into out[0..cap); return the byte count. */
static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s), i;

	assert_true(n % 2 == 0 && n / 2 <= cap);
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		assert_true(hi >= 0 && lo >= 0);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return n / 2;
}

static void
unhex32(const char *s, uint8_t out[32])
{
	assert_int_equal(unhex(s, out, 32), 32);
}

static void
tohex(const uint8_t *p, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

/* Encode l into a fresh buffer; check the hex and the leaf hash. */
static void
check_encoding(const struct tlog_leaf *l, const char *want_hex,
    const char *want_lh)
{
	static char hex[2 * BIG + 1];
	uint8_t lh[TLOG_HASH_BYTES];
	char lhhex[2 * TLOG_HASH_BYTES + 1];
	struct buf b;

	buf_init(&b, BIG);
	assert_int_equal(tlog_leaf_encode(l, &b), ERR_OK);
	assert_int_equal(b.len, tlog_leaf_encoded_len(l));
	tohex((const uint8_t *)b.ptr, b.len, hex);
	assert_string_equal(hex, want_hex);
	tlog_leaf_hash(b.ptr, b.len, lh);
	tohex(lh, sizeof(lh), lhhex);
	assert_string_equal(lhhex, want_lh);
	buf_reset(&b);
}

static void
ex_object(struct tlog_leaf *l)
{
	memset(l, 0, sizeof(*l));
	l->kind = TLOG_LEAF_OBJECT;
	unhex32(EX_H1, l->u.obj.object_hash);
	l->u.obj.date_added = UINT64_C(1709294400123456);
	l->u.obj.version = INT64_C(1709195400000000);
	assert_int_equal(tlog_leaf_uuid_parse(EX_COLL, strlen(EX_COLL),
	    l->u.obj.collection), ERR_OK);
	unhex32(EX_PK1, l->u.obj.producer);
	memcpy(l->u.obj.id, EX_OID, sizeof(EX_OID));
}

static uint8_t ex_hashes[2][32];

static void
ex_delivery(struct tlog_leaf *l)
{
	memset(l, 0, sizeof(*l));
	l->kind = TLOG_LEAF_DELIVERY;
	l->u.del.time = UINT64_C(1709294405000000);
	unhex32(EX_PK2, l->u.del.recipient);
	assert_int_equal(tlog_leaf_uuid_parse(EX_COLL, strlen(EX_COLL),
	    l->u.del.collection), ERR_OK);
	unhex32(EX_H1, ex_hashes[0]);
	unhex32(EX_H2, ex_hashes[1]);
	l->u.del.n = 2;
	l->u.del.hashes = (const uint8_t (*)[32])ex_hashes;
}

static void
ex_agreement(struct tlog_leaf *l)
{
	memset(l, 0, sizeof(*l));
	l->kind = TLOG_LEAF_AGREEMENT;
	l->u.agr.event = TLOG_LEAF_EVENT_INSTALLED;
	l->u.agr.time = UINT64_C(1709251200000000);
	unhex32(EX_DOCH, l->u.agr.doc_hash);
	l->u.agr.version = 3;
	memcpy(l->u.agr.id, EX_AID, sizeof(EX_AID));
}

/* Compare two leaves field by field (deliveries by hash content). */
static void
assert_same(const struct tlog_leaf *a, const struct tlog_leaf *b)
{
	assert_int_equal(a->kind, b->kind);
	switch (a->kind) {
	case TLOG_LEAF_OBJECT:
		assert_memory_equal(a->u.obj.object_hash, b->u.obj.object_hash,
		    32);
		assert_true(a->u.obj.date_added == b->u.obj.date_added);
		assert_true(a->u.obj.version == b->u.obj.version);
		assert_memory_equal(a->u.obj.collection, b->u.obj.collection,
		    16);
		assert_memory_equal(a->u.obj.producer, b->u.obj.producer, 32);
		assert_string_equal(a->u.obj.id, b->u.obj.id);
		break;
	case TLOG_LEAF_DELIVERY:
		assert_true(a->u.del.time == b->u.del.time);
		assert_memory_equal(a->u.del.recipient, b->u.del.recipient, 32);
		assert_memory_equal(a->u.del.collection, b->u.del.collection,
		    16);
		assert_int_equal(a->u.del.n, b->u.del.n);
		assert_memory_equal(a->u.del.hashes, b->u.del.hashes,
		    a->u.del.n * 32);
		break;
	case TLOG_LEAF_AGREEMENT:
		assert_int_equal(a->u.agr.event, b->u.agr.event);
		assert_true(a->u.agr.time == b->u.agr.time);
		assert_memory_equal(a->u.agr.doc_hash, b->u.agr.doc_hash, 32);
		assert_int_equal(a->u.agr.version, b->u.agr.version);
		assert_string_equal(a->u.agr.id, b->u.agr.id);
		break;
	default:
		fail_msg("unknown kind %d", (int)a->kind);
	}
}

static int
all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

static void
must_not_decode(const uint8_t *p, size_t len)
{
	struct tlog_leaf out;

	memset(&out, 0xa5, sizeof(out));
	assert_int_equal(tlog_leaf_decode(p, len, &out), ERR_PARSE);
	assert_true(all_zero(&out, sizeof(out)));
}

/* Encode, decode, compare, encode again: the same bytes. */
static void
round_trip(const struct tlog_leaf *l)
{
	struct tlog_leaf d;
	struct buf b1, b2;

	buf_init(&b1, BIG);
	buf_init(&b2, BIG);
	assert_int_equal(tlog_leaf_encode(l, &b1), ERR_OK);
	assert_true(b1.len <= TLOG_LEAF_ENTRY_LIMIT);
	assert_int_equal(tlog_leaf_decode((const uint8_t *)b1.ptr, b1.len, &d),
	    ERR_OK);
	assert_same(l, &d);
	assert_int_equal(tlog_leaf_encode(&d, &b2), ERR_OK);
	assert_int_equal(b1.len, b2.len);
	assert_memory_equal(b1.ptr, b2.ptr, b1.len);
	buf_reset(&b1);
	buf_reset(&b2);
}

static void
test_object_hashes(void **state)
{
	uint8_t h[32], want[32];

	(void)state;
	/* The examples' object hashes are those of these canonical texts. */
	crypto_sha256(EX_CANON1, strlen(EX_CANON1), h);
	unhex32(EX_H1, want);
	assert_memory_equal(h, want, 32);
	crypto_sha256(EX_CANON2, strlen(EX_CANON2), h);
	unhex32(EX_H2, want);
	assert_memory_equal(h, want, 32);
	crypto_sha256(EX_DOC, strlen(EX_DOC), h);
	unhex32(EX_DOCH, want);
	assert_memory_equal(h, want, 32);
}

static void
test_example_object(void **state)
{
	struct tlog_leaf l, d;
	uint8_t raw[512];
	size_t n;

	(void)state;
	ex_object(&l);
	check_encoding(&l, EX_LEAF1, EX_LH1);
	n = unhex(EX_LEAF1, raw, sizeof(raw));
	assert_int_equal(n, 147);
	assert_int_equal(tlog_leaf_decode(raw, n, &d), ERR_OK);
	assert_same(&l, &d);
	round_trip(&l);
}

static void
test_example_delivery(void **state)
{
	struct tlog_leaf l, d;
	uint8_t raw[512];
	size_t n;

	(void)state;
	ex_delivery(&l);
	check_encoding(&l, EX_LEAF2, EX_LH2);
	n = unhex(EX_LEAF2, raw, sizeof(raw));
	assert_int_equal(n, 124);
	assert_int_equal(tlog_leaf_decode(raw, n, &d), ERR_OK);
	assert_same(&l, &d);
	/* The hashes are borrowed from the input. */
	assert_ptr_equal((const void *)d.u.del.hashes, (const void *)(raw + 60));
	round_trip(&l);
}

static void
test_example_agreement(void **state)
{
	struct tlog_leaf l, d;
	uint8_t raw[512];
	size_t n;

	(void)state;
	ex_agreement(&l);
	check_encoding(&l, EX_LEAF3, EX_LH3);
	n = unhex(EX_LEAF3, raw, sizeof(raw));
	assert_int_equal(n, TLOG_LEAF_AGREEMENT_BYTES);
	assert_int_equal(tlog_leaf_decode(raw, n, &d), ERR_OK);
	assert_same(&l, &d);
	l.u.agr.event = TLOG_LEAF_EVENT_TERMINATED;
	round_trip(&l);
}

/* Every proper prefix and the leaf with one byte more are refused. */
static void
test_truncated_and_padded(void **state)
{
	const char *ex[] = { EX_LEAF1, EX_LEAF2, EX_LEAF3 };
	uint8_t raw[512];
	size_t i, k, n;
	struct tlog_leaf d;

	(void)state;
	must_not_decode(NULL, 0);
	for (i = 0; i < 3; i++) {
		n = unhex(ex[i], raw, sizeof(raw) - 1);
		assert_int_equal(tlog_leaf_decode(raw, n, &d), ERR_OK);
		for (k = 0; k < n; k++)
			must_not_decode(raw, k);
		raw[n] = 0x00;
		must_not_decode(raw, n + 1);
		raw[n] = 0x2d;	/* '-', a valid id character */
		must_not_decode(raw, n + 1);
	}
}

static void
test_bad_format_kind_event(void **state)
{
	uint8_t raw[512];
	size_t n;
	struct tlog_leaf l;
	struct buf b;
	int v;

	(void)state;
	n = unhex(EX_LEAF1, raw, sizeof(raw));
	for (v = 0; v < 256; v++) {
		if (v == TLOG_LEAF_FORMAT)
			continue;
		raw[0] = (uint8_t)v;
		must_not_decode(raw, n);
	}
	raw[0] = TLOG_LEAF_FORMAT;
	for (v = 0; v < 256; v++) {
		/* The object body read as another kind has the wrong length. */
		if (v == TLOG_LEAF_OBJECT)
			continue;
		raw[1] = (uint8_t)v;
		must_not_decode(raw, n);
	}

	n = unhex(EX_LEAF3, raw, sizeof(raw));
	for (v = 0; v < 256; v++) {
		raw[2] = (uint8_t)v;
		if (v == TLOG_LEAF_EVENT_INSTALLED ||
		    v == TLOG_LEAF_EVENT_TERMINATED)
			assert_int_equal(tlog_leaf_decode(raw, n, &l), ERR_OK);
		else
			must_not_decode(raw, n);
	}

	/* Encode refuses the same and leaves the buffer as it was. */
	buf_init(&b, BIG);
	assert_int_equal(buf_addstr(&b, "keep"), ERR_OK);
	ex_agreement(&l);
	l.u.agr.event = 0;
	assert_int_equal(tlog_leaf_encode(&l, &b), ERR_INVALID);
	l.u.agr.event = 3;
	assert_int_equal(tlog_leaf_encode(&l, &b), ERR_INVALID);
	assert_int_equal(tlog_leaf_encoded_len(&l), 0);
	ex_object(&l);
	l.kind = (enum tlog_leaf_kind)4;
	assert_int_equal(tlog_leaf_encode(&l, &b), ERR_INVALID);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.ptr, "keep");
	buf_reset(&b);
}

/* A delivery header (time, recipient, collection) with count n. */
static size_t
delivery_bytes(uint8_t *raw, unsigned n, size_t nhashes)
{
	size_t len = 2 + 8 + 32 + 16 + 2 + nhashes * 32;

	memset(raw, 0x11, len);
	raw[0] = TLOG_LEAF_FORMAT;
	raw[1] = TLOG_LEAF_DELIVERY;
	raw[58] = (uint8_t)(n >> 8);
	raw[59] = (uint8_t)n;
	return len;
}

static void
test_delivery_count(void **state)
{
	static uint8_t raw[BIG];
	static uint8_t hashes[TLOG_LEAF_MAX_DELIVERED + 1][32];
	struct tlog_leaf l, d;
	struct buf b;
	size_t n;

	(void)state;
	n = delivery_bytes(raw, 0, 0);
	must_not_decode(raw, n);
	n = delivery_bytes(raw, 0, 1);
	must_not_decode(raw, n);
	n = delivery_bytes(raw, 1, 1);
	assert_int_equal(tlog_leaf_decode(raw, n, &d), ERR_OK);
	assert_int_equal(d.u.del.n, 1);
	n = delivery_bytes(raw, 2, 1);
	must_not_decode(raw, n);
	n = delivery_bytes(raw, TLOG_LEAF_MAX_DELIVERED,
	    TLOG_LEAF_MAX_DELIVERED);
	assert_int_equal(n, TLOG_LEAF_DELIVERY_MAX_BYTES);
	assert_int_equal(tlog_leaf_decode(raw, n, &d), ERR_OK);
	assert_int_equal(d.u.del.n, TLOG_LEAF_MAX_DELIVERED);
	n = delivery_bytes(raw, TLOG_LEAF_MAX_DELIVERED + 1,
	    TLOG_LEAF_MAX_DELIVERED + 1);
	must_not_decode(raw, n);
	n = delivery_bytes(raw, 0xffff, TLOG_LEAF_MAX_DELIVERED);
	must_not_decode(raw, n);

	buf_init(&b, BIG);
	ex_delivery(&l);
	l.u.del.n = 0;
	assert_int_equal(tlog_leaf_encode(&l, &b), ERR_INVALID);
	l.u.del.hashes = (const uint8_t (*)[32])hashes;
	l.u.del.n = TLOG_LEAF_MAX_DELIVERED + 1;
	assert_int_equal(tlog_leaf_encode(&l, &b), ERR_TOOBIG);
	l.u.del.n = 1;
	l.u.del.hashes = NULL;
	assert_int_equal(tlog_leaf_encode(&l, &b), ERR_INVALID);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
}

/* Object leaf bytes with the given id, from the first example. */
static size_t
object_bytes(uint8_t *raw, const char *id, size_t idlen)
{
	size_t n = unhex(EX_LEAF1, raw, 512);

	n -= strlen(EX_OID) + 2;
	raw[n++] = (uint8_t)(idlen >> 8);
	raw[n++] = (uint8_t)idlen;
	memcpy(raw + n, id, idlen);
	return n + idlen;
}

static void
test_bad_ids(void **state)
{
	static const char *const bad_obj[] = {
		"Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"indicator--8E2E2D2B-17d4-4cbf-938f-98ee46b3cd3f",
		"indicator_x--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"indicator -8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"indicator--8e2e2d2b17d4-4cbf-938f-98ee46b3cd3f0",
		"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3g",
		"indicator--8e2e2d2b-17d4-4cbf-938f",
		"",
	};
	static const char *const bad_agr[] = {
		"agreement--0F6C5A7E-3b9d-4e2a-9c1f-5d8e7b6a4c32",
		"agreemenx--0f6c5a7e-3b9d-4e2a-9c1f-5d8e7b6a4c32",
		"indicator--0f6c5a7e-3b9d-4e2a-9c1f-5d8e7b6a4c32",
		"agreement--0f6c5a7e-3b9d-4e2a-9c1f-5d8e7b6a4c3",
		"agreement--0f6c5a7e-3b9d-4e2a-9c1f-5d8e7b6a4c3z",
	};
	uint8_t raw[1024];
	size_t i, n;
	struct tlog_leaf l, d;
	struct buf b;

	(void)state;
	buf_init(&b, BIG);
	/* A short valid id: one-byte type. */
	n = object_bytes(raw, "x--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", 39);
	assert_int_equal(tlog_leaf_decode(raw, n, &d), ERR_OK);
	for (i = 0; i < sizeof(bad_obj) / sizeof(bad_obj[0]); i++) {
		n = object_bytes(raw, bad_obj[i], strlen(bad_obj[i]));
		must_not_decode(raw, n);
		ex_object(&l);
		memcpy(l.u.obj.id, bad_obj[i], strlen(bad_obj[i]) + 1);
		assert_int_equal(tlog_leaf_encode(&l, &b), ERR_INVALID);
	}
	/* A NUL inside the id bytes. */
	n = object_bytes(raw, "indic\0tor--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
	    strlen(EX_OID));
	must_not_decode(raw, n);

	for (i = 0; i < sizeof(bad_agr) / sizeof(bad_agr[0]); i++) {
		n = unhex(EX_LEAF3, raw, sizeof(raw));
		memcpy(raw + n - TLOG_LEAF_AGREEMENT_ID_LEN, bad_agr[i],
		    strlen(bad_agr[i]));
		if (strlen(bad_agr[i]) == TLOG_LEAF_AGREEMENT_ID_LEN)
			must_not_decode(raw, n);
		ex_agreement(&l);
		memcpy(l.u.agr.id, bad_agr[i], strlen(bad_agr[i]) + 1);
		assert_int_equal(tlog_leaf_encode(&l, &b), ERR_INVALID);
	}
	/* An agreement id length field other than 47. */
	n = unhex(EX_LEAF3, raw, sizeof(raw));
	raw[n - TLOG_LEAF_AGREEMENT_ID_LEN - 1] = 46;
	must_not_decode(raw, n - 1);
	/* An agreement id not NUL-terminated in its array. */
	ex_agreement(&l);
	memset(l.u.agr.id, 'a', sizeof(l.u.agr.id));
	assert_int_equal(tlog_leaf_encode(&l, &b), ERR_TOOBIG);
	assert_int_equal(b.len, 0);
	buf_reset(&b);
}

/* An object id of exactly len bytes: a type of 'a's, "--", a UUID. */
static void
long_id(char *out, size_t len)
{
	const char *u = "--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f";

	memset(out, 'a', len - 38);
	memcpy(out + len - 38, u, 38);
	out[len] = '\0';
}

static void
test_id_length(void **state)
{
	static char id[LIM_STIX_ID + 2];
	uint8_t raw[1024];
	struct tlog_leaf l;
	struct buf b;
	size_t n;

	(void)state;
	buf_init(&b, BIG);
	ex_object(&l);
	long_id(l.u.obj.id, LIM_STIX_ID);
	assert_int_equal(tlog_leaf_encoded_len(&l), TLOG_LEAF_OBJECT_MAX_BYTES);
	round_trip(&l);
	/* 291 bytes with no room for a NUL in the array. */
	long_id(id, LIM_STIX_ID + 1);
	memcpy(l.u.obj.id, id, sizeof(l.u.obj.id));
	assert_int_equal(tlog_leaf_encode(&l, &b), ERR_TOOBIG);
	assert_int_equal(tlog_leaf_encoded_len(&l), 0);
	n = object_bytes(raw, id, LIM_STIX_ID + 1);
	must_not_decode(raw, n);
	/* A length field over LIM_STIX_ID (546), the bytes present too. */
	n = object_bytes(raw, id, LIM_STIX_ID);
	raw[n - LIM_STIX_ID - 2] = 0x01;
	must_not_decode(raw, n);
	buf_reset(&b);
}

static void
test_max_sizes(void **state)
{
	static uint8_t hashes[TLOG_LEAF_MAX_DELIVERED][32];
	struct tlog_leaf l;
	struct buf b;
	size_t i;

	(void)state;
	assert_int_equal(TLOG_LEAF_OBJECT_MAX_BYTES, 390);
	assert_int_equal(TLOG_LEAF_DELIVERY_MAX_BYTES, 32060);
	assert_int_equal(TLOG_LEAF_AGREEMENT_BYTES, 96);
	assert_true(TLOG_LEAF_MAX_BYTES <= TLOG_LEAF_ENTRY_LIMIT);

	for (i = 0; i < TLOG_LEAF_MAX_DELIVERED; i++)
		memset(hashes[i], (int)(i & 0xff), 32);
	ex_delivery(&l);
	l.u.del.n = TLOG_LEAF_MAX_DELIVERED;
	l.u.del.hashes = (const uint8_t (*)[32])hashes;
	assert_int_equal(tlog_leaf_encoded_len(&l),
	    TLOG_LEAF_DELIVERY_MAX_BYTES);
	round_trip(&l);

	/* A buffer one byte too small: ERR_TOOBIG, and it resets itself. */
	buf_init(&b, TLOG_LEAF_DELIVERY_MAX_BYTES - 1);
	assert_int_equal(tlog_leaf_encode(&l, &b), ERR_TOOBIG);
	assert_int_equal(b.len, 0);
	buf_init(&b, TLOG_LEAF_DELIVERY_MAX_BYTES);
	assert_int_equal(tlog_leaf_encode(&l, &b), ERR_OK);
	assert_int_equal(b.len, TLOG_LEAF_DELIVERY_MAX_BYTES);
	buf_reset(&b);
}

/* xorshift64*: fixed seed, so a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void
rnd_bytes(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rng();
}

/* A random object id: a type of [a-z0-9-], "--", a version 4 UUID. */
static void
random_object_id(char *id)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
	size_t tl = 1 + rng() % (LIM_STIX_ID - 2 - UUID_STRLEN), i;
	uint8_t u[16];

	for (i = 0; i < tl; i++)
		id[i] = set[rng() % (sizeof(set) - 1)];
	id[tl] = '-';
	id[tl + 1] = '-';
	rnd_bytes(u, sizeof(u));
	uuid_v4_format(u, id + tl + 2);
}

static void
test_round_trips(void **state)
{
	static const int64_t versions[] = { 0, -1, INT64_MIN, INT64_MAX,
	    -INT64_C(86400000000) };
	static uint8_t hashes[TLOG_LEAF_MAX_DELIVERED][32];
	uint8_t u[16];
	struct tlog_leaf l;
	size_t i;

	(void)state;
	for (i = 0; i < 300; i++) {
		ex_object(&l);
		rnd_bytes(l.u.obj.object_hash, 32);
		l.u.obj.date_added = i == 0 ? UINT64_MAX : rng();
		l.u.obj.version = i < 5 ? versions[i] : (int64_t)(rng() >> 1) *
		    ((i & 1) ? -1 : 1);
		rnd_bytes(l.u.obj.collection, 16);
		rnd_bytes(l.u.obj.producer, 32);
		random_object_id(l.u.obj.id);
		round_trip(&l);
	}
	for (i = 0; i < 50; i++) {
		ex_delivery(&l);
		l.u.del.time = rng();
		rnd_bytes(l.u.del.recipient, 32);
		l.u.del.n = 1 + rng() % TLOG_LEAF_MAX_DELIVERED;
		rnd_bytes(&hashes[0][0], l.u.del.n * 32);
		l.u.del.hashes = (const uint8_t (*)[32])hashes;
		round_trip(&l);
	}
	for (i = 0; i < 100; i++) {
		ex_agreement(&l);
		l.u.agr.event = 1 + (uint8_t)(i & 1);
		l.u.agr.time = rng();
		rnd_bytes(l.u.agr.doc_hash, 32);
		l.u.agr.version = (uint32_t)rng();
		rnd_bytes(u, sizeof(u));
		uuid_v4_format(u, l.u.agr.id + 11);
		round_trip(&l);
	}
}

static void
test_uuid(void **state)
{
	uint8_t u[16], want[16];
	char s[UUID_STRLEN + 1];

	(void)state;
	assert_int_equal(tlog_leaf_uuid_parse(EX_COLL, strlen(EX_COLL), u),
	    ERR_OK);
	assert_int_equal(unhex("91a7b52880eb42eda74dc6fbd5a26116", want, 16),
	    16);
	assert_memory_equal(u, want, 16);
	tlog_leaf_uuid_format(u, s);
	assert_string_equal(s, EX_COLL);
	assert_int_equal(tlog_leaf_uuid_parse("91A7B528-80EB-42ED-A74D-"
	    "C6FBD5A26116", 36, u), ERR_OK);
	assert_memory_equal(u, want, 16);
	assert_int_equal(tlog_leaf_uuid_parse("91a7b528-80eb-42ed-a74d-"
	    "c6fbd5a2611", 35, u), ERR_PARSE);
	assert_true(all_zero(u, 16));
	assert_int_equal(tlog_leaf_uuid_parse("91a7b52880eb-42ed-a74d-"
	    "c6fbd5a26116-", 36, u), ERR_PARSE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_object_hashes),
		cmocka_unit_test(test_example_object),
		cmocka_unit_test(test_example_delivery),
		cmocka_unit_test(test_example_agreement),
		cmocka_unit_test(test_truncated_and_padded),
		cmocka_unit_test(test_bad_format_kind_event),
		cmocka_unit_test(test_delivery_count),
		cmocka_unit_test(test_bad_ids),
		cmocka_unit_test(test_id_length),
		cmocka_unit_test(test_max_sizes),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_uuid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
