/*
 * leaf.h: the byte encodings of the transparency log's leaves.
 *
 * Three kinds of leaf, each specified byte for byte in docs/log.md: an
 * accepted object version, a delivery (one TAXII objects response) and an
 * agreement event.  The Merkle hash of a leaf is tlog_leaf_hash() over the
 * encoded bytes.  Encoding and decoding are strict inverses: decode accepts
 * exactly the byte strings encode produces, so every leaf has one encoding.
 *
 * Pure computation: no I/O, no globals, and no knowledge of STIX beyond the
 * character set of an identifier (the full STIX id rules live in stix/,
 * which sits above this layer).  Decoding never allocates; a decoded
 * delivery borrows its hashes from the input.
 */
#ifndef ENTENTE_TLOG_LEAF_H
#define ENTENTE_TLOG_LEAF_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/uuid.h"

/* The first byte of every leaf. */
#define TLOG_LEAF_FORMAT		0x01
/* Hashes, keys and UUIDs inside a leaf, in bytes. */
#define TLOG_LEAF_HASH_BYTES		32
#define TLOG_LEAF_KEY_BYTES		32
#define TLOG_LEAF_UUID_BYTES		16
/* Object hashes in one delivery leaf: one TAXII page at most. */
#define TLOG_LEAF_MAX_DELIVERED		LIM_PAGE_MAX
/* "agreement--" and a UUID: the only length an agreement id has. */
#define TLOG_LEAF_AGREEMENT_PREFIX	"agreement--"
#define TLOG_LEAF_AGREEMENT_ID_LEN	(11 + UUID_STRLEN)
/* Shortest object id: a one-byte type, "--" and a UUID. */
#define TLOG_LEAF_OBJECT_ID_MIN		(1 + 2 + UUID_STRLEN)

/* Agreement events. */
#define TLOG_LEAF_EVENT_INSTALLED	1
#define TLOG_LEAF_EVENT_TERMINATED	2

/*
 * Largest encoding of each kind (docs/log.md has the arithmetic) and of
 * any leaf; all stay under the C2SP tlog-tiles entry limit of 65,535.
 */
#define TLOG_LEAF_OBJECT_MAX_BYTES	(2 + 32 + 8 + 8 + 16 + 32 + 2 + LIM_STIX_ID)
#define TLOG_LEAF_DELIVERY_MAX_BYTES	\
	(2 + 8 + 32 + 16 + 2 + 32 * TLOG_LEAF_MAX_DELIVERED)
#define TLOG_LEAF_AGREEMENT_BYTES	\
	(2 + 1 + 8 + 32 + 4 + 2 + TLOG_LEAF_AGREEMENT_ID_LEN)
#define TLOG_LEAF_MAX_BYTES		TLOG_LEAF_DELIVERY_MAX_BYTES
#define TLOG_LEAF_ENTRY_LIMIT		65535u

enum tlog_leaf_kind {
	TLOG_LEAF_OBJECT = 1,
	TLOG_LEAF_DELIVERY = 2,
	TLOG_LEAF_AGREEMENT = 3
};

/* An accepted object version. */
struct tlog_leaf_object {
	uint8_t	 object_hash[TLOG_LEAF_HASH_BYTES];	/* SHA-256 of RFC 8785 JSON */
	uint64_t date_added;				/* microseconds */
	int64_t	 version;				/* microseconds */
	uint8_t	 collection[TLOG_LEAF_UUID_BYTES];
	uint8_t	 producer[TLOG_LEAF_KEY_BYTES];	/* Ed25519 public key */
	char	 id[LIM_STIX_ID + 1];			/* NUL-terminated */
};

/* One TAXII objects response.  Decoded, hashes points into the input. */
struct tlog_leaf_delivery {
	uint64_t	 time;				/* microseconds */
	uint8_t		 recipient[TLOG_LEAF_KEY_BYTES];	/* Ed25519 public key */
	uint8_t		 collection[TLOG_LEAF_UUID_BYTES];
	size_t		 n;				/* 1..MAX_DELIVERED */
	const uint8_t	(*hashes)[TLOG_LEAF_HASH_BYTES];	/* borrowed */
};

/* An agreement installed or terminated. */
struct tlog_leaf_agreement {
	uint8_t	 event;				/* TLOG_LEAF_EVENT_* */
	uint64_t time;				/* microseconds */
	uint8_t	 doc_hash[TLOG_LEAF_HASH_BYTES];	/* SHA-256, RFC 8785 */
	uint32_t version;
	char	 id[TLOG_LEAF_AGREEMENT_ID_LEN + 1];	/* NUL-terminated */
};

struct tlog_leaf {
	enum tlog_leaf_kind kind;
	union {
		struct tlog_leaf_object		obj;
		struct tlog_leaf_delivery	del;
		struct tlog_leaf_agreement	agr;
	} u;
};

/*
 * Fill *l (OUT) as the object leaf of one stored version: its SHA-256,
 * date added, version, collection (UUID text), producer key and STIX id
 * (borrowed, copied).  The one place the node and its tools build object
 * leaves, so the logged leaf and a rebuilt one cannot drift apart.
 * ERR_PARSE for a collection that is not a UUID, ERR_TOOBIG for an id
 * longer than LIM_STIX_ID; *l is then zeroed.
 */
enum err tlog_leaf_object_set(struct tlog_leaf *l,
    const uint8_t hash[TLOG_LEAF_HASH_BYTES], int64_t date_added,
    int64_t version, const char *collection,
    const uint8_t producer[TLOG_LEAF_KEY_BYTES], const char *id) WUR;

/*
 * Append the encoding of l to out.  l is borrowed.  ERR_INVALID when a
 * field is one decode would refuse (unknown kind or event, n == 0, an id
 * of the wrong form), ERR_TOOBIG when n > TLOG_LEAF_MAX_DELIVERED, an id is
 * too long or out's cap is reached, ERR_NOMEM.  A refused leaf leaves out
 * untouched; a buffer failure resets out (util/buf.h).
 */
enum err tlog_leaf_encode(const struct tlog_leaf *l, struct buf *out) WUR;

/*
 * Decode the leaf p[0..len) into out (OUT).  Strict: known format, kind
 * and event, exact length with no trailing byte, 1 <= n <=
 * TLOG_LEAF_MAX_DELIVERED, ids of the right form; anything else is
 * ERR_PARSE and out is zeroed.  A delivery's hashes point into p, which
 * must outlive out.  p may be NULL when len is 0.
 */
enum err tlog_leaf_decode(const uint8_t *p, size_t len,
    struct tlog_leaf *out) WUR;

/*
 * The number of bytes tlog_leaf_encode appends for l, or 0 when it would
 * refuse l.  This function can't fail.
 */
size_t tlog_leaf_encoded_len(const struct tlog_leaf *l);

/*
 * Parse the 8-4-4-4-12 UUID text s[0..len) (hex digits of either case)
 * into its 16 bytes (OUT).  ERR_PARSE when s is not one; out is zeroed.
 */
enum err tlog_leaf_uuid_parse(const char *s, size_t len,
    uint8_t out[TLOG_LEAF_UUID_BYTES]) WUR;

/*
 * Format 16 UUID bytes as 8-4-4-4-12 lower-case text, NUL-terminated, into
 * out (OUT).  This function can't fail.
 */
void tlog_leaf_uuid_format(const uint8_t in[TLOG_LEAF_UUID_BYTES],
    char out[UUID_STRLEN + 1]);

#endif
