/*
 * note.h: C2SP signed notes, verifier keys, checkpoints and cosignatures.
 *
 * The byte formats of c2sp.org/signed-note v1.0.0, tlog-checkpoint v1.0.0
 * and tlog-cosignature v1.0.1 (Ed25519 cosignature/v1, type 0x04): parse
 * them strictly, verify them, and produce them.  Only Ed25519 is
 * implemented (types 0x01 and 0x04); a signature line of any other type is
 * kept and reported as unverified, never as verified.
 *
 * Parsed structures borrow: their pointers lead into the caller's input,
 * which must outlive them.  Every input is bounded (TLOG_NOTE_MAX_BYTES);
 * nothing allocates except the verification of a cosignature, which needs
 * the signed message in one piece.  No I/O, no globals; secret seeds are
 * only read, never copied.
 */
#ifndef ENTENTE_TLOG_NOTE_H
#define ENTENTE_TLOG_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "util/buf.h"
#include "util/err.h"

/* Largest note (text, blank line and signature lines) we parse or write. */
#define TLOG_NOTE_MAX_BYTES	(64u * 1024u)
/* Signature lines per note (Go's cap; C2SP asks for at least 16). */
#define TLOG_NOTE_MAX_SIGS	100u
/* Key names, in bytes. */
#define TLOG_NOTE_NAME_MAX	255u
/* Decoded signature: key id, then at least one byte. */
#define TLOG_NOTE_KEY_ID_BYTES	4u
#define TLOG_NOTE_SIG_MIN	5u

/* Signature type bytes (signed-note). */
#define TLOG_SIG_ED25519	0x01	/* implemented */
#define TLOG_SIG_ECDSA		0x02	/* recognised only */
#define TLOG_SIG_COSIG_V1	0x04	/* implemented */
#define TLOG_SIG_RFC6962	0x05	/* recognised; parse only */
#define TLOG_SIG_MLDSA44	0x06	/* recognised only */
#define TLOG_SIG_PRIVATE	0xff	/* recognised only */

/* Ed25519 note signature: key id || 64-byte signature. */
#define TLOG_NOTE_ED25519_BYTES	(TLOG_NOTE_KEY_ID_BYTES + \
	CRYPTO_ED25519_SIG_BYTES)
/* Cosignature/v1: key id || u64 BE timestamp || 64-byte signature. */
#define TLOG_COSIG_BYTES	(TLOG_NOTE_KEY_ID_BYTES + 8u + \
	CRYPTO_ED25519_SIG_BYTES)
/* Largest cosignature timestamp (POSIX seconds, 2^63 - 1). */
#define TLOG_COSIG_TIME_MAX	UINT64_C(0x7fffffffffffffff)

/* A checkpoint's root hash (RFC 6962 SHA-256). */
#define TLOG_CHECKPOINT_ROOT_BYTES	32u
/* Longest vkey string: name, '+', 8 hex digits, '+', base64 of 33 bytes. */
#define TLOG_VKEY_MAX_LEN	(TLOG_NOTE_NAME_MAX + 1u + 8u + 1u + 44u)

/*
 * A verifier key: who (name, key id) and how (type, public key).  Only
 * types TLOG_SIG_ED25519 and TLOG_SIG_COSIG_V1 are ever held.  Self
 * contained: copy it freely.
 */
struct tlog_vkey {
	char		name[TLOG_NOTE_NAME_MAX + 1];	/* NUL-ended */
	size_t		name_len;
	uint32_t	key_id;
	uint8_t		type;
	uint8_t		pub[CRYPTO_ED25519_PUBLIC_BYTES];
};

/*
 * Key id: the first 4 bytes, big-endian, of SHA-256(name || 0x0A || type ||
 * key).  Can't fail.
 */
uint32_t tlog_key_id(const char *name, size_t name_len, uint8_t type,
    const uint8_t *key, size_t key_len);

/*
 * 1 when name[0..len) is a valid key name: 1 to TLOG_NOTE_NAME_MAX bytes of
 * valid UTF-8, no control character, no Unicode white space, no '+'.
 * Else 0.  Can't fail.
 */
int tlog_name_valid(const char *name, size_t len);

/*
 * Parse the vkey s[0..len) ("name+hexid+base64(type || key)", split at the
 * first two '+' only) into *out (OUT).  The id must be 8 lowercase hex
 * digits and match the one recomputed from the key; the base64 must be
 * canonical.  ERR_PARSE when malformed, ERR_UNSUPPORTED for a recognised
 * type other than 0x01 and 0x04, ERR_TOOBIG past TLOG_NOTE_MAX_BYTES (a
 * valid Ed25519 vkey has at most TLOG_VKEY_MAX_LEN).  On error *out is
 * zeroed and *why (when why is not NULL) points to a static reason.
 */
enum err tlog_vkey_parse(const char *s, size_t len, struct tlog_vkey *out,
    const char **why) WUR;

/*
 * Make the verifier key *out (OUT) of name[0..name_len), type
 * (TLOG_SIG_ED25519 or TLOG_SIG_COSIG_V1) and pub, computing its key id.
 * ERR_INVALID for an invalid name, ERR_UNSUPPORTED for another type; *out
 * is then zeroed.
 */
enum err tlog_vkey_init(struct tlog_vkey *out, const char *name,
    size_t name_len, uint8_t type,
    const uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES]) WUR;

/*
 * Append the vkey string of k to out.  ERR_TOOBIG, ERR_NOMEM, ERR_INVALID
 * for a key tlog_vkey_init would refuse; on error out is reset.
 */
enum err tlog_vkey_format(const struct tlog_vkey *k, struct buf *out) WUR;

/* One signature line of a parsed note.  Every pointer is into the note. */
struct tlog_note_sig {
	const char	*line;		/* "— name base64\n" */
	size_t		 line_len;
	const char	*name;
	size_t		 name_len;
	const char	*b64;		/* base64(key id || sig) */
	size_t		 b64_len;
	uint32_t	 key_id;
	size_t		 sig_len;	/* decoded, key id included */
};

/* A parsed signed note; borrows the input it was parsed from. */
struct tlog_note {
	const char		*text;	/* signed; ends in '\n' */
	size_t			 text_len;
	size_t			 n_sigs;
	struct tlog_note_sig	 sigs[TLOG_NOTE_MAX_SIGS];
};

/*
 * Split the signed note p[0..len) into *out (OUT): text up to and with the
 * newline before the last blank line, then one or more signature lines.
 * The note must be valid UTF-8 without bytes below 0x20 other than '\n';
 * each signature line is U+2014, space, a valid key name, space, canonical
 * standard base64 of at least TLOG_NOTE_SIG_MIN bytes, newline.  Nothing
 * is verified.  ERR_PARSE when malformed, ERR_TOOBIG past
 * TLOG_NOTE_MAX_BYTES or TLOG_NOTE_MAX_SIGS lines.  On error *out is
 * zeroed and *why (when not NULL) gets a static reason.
 */
enum err tlog_note_parse(const char *p, size_t len, struct tlog_note *out,
    const char **why) WUR;

/*
 * Decode the signature of line s (key id included) into out[0..out_cap),
 * its length in *out_len (OUT, s->sig_len).  ERR_TOOBIG when out_cap is
 * too small, ERR_PARSE when s was not made by tlog_note_parse; *out_len is
 * 0 on error.
 */
enum err tlog_note_sig_decode(const struct tlog_note_sig *s, uint8_t *out,
    size_t out_cap, size_t *out_len) WUR;

enum tlog_sig_state {
	TLOG_SIG_UNKNOWN = 0,	/* no key given for its name and id */
	TLOG_SIG_VERIFIED,	/* good signature by keys[key] */
	TLOG_SIG_DUPLICATE	/* same bytes as an earlier line: skipped */
};

struct tlog_note_sig_check {
	enum tlog_sig_state	state;
	size_t			key;		/* in keys[] if VERIFIED */
	uint64_t		timestamp;	/* cosignature time or 0 */
};

/*
 * What tlog_note_verify found: how many distinct keys verified a line, how
 * many distinct lines had no key, and each line (same index as sigs[]).
 */
struct tlog_note_check {
	size_t				n_verified;	/* keys */
	size_t				n_unknown;	/* lines */
	struct tlog_note_sig_check	sig[TLOG_NOTE_MAX_SIGS];
};

/*
 * Verify note against keys[0..n_keys) (borrowed) and say in *out (OUT)
 * which lines verified.  A line whose (name, key id) matches no key is
 * UNKNOWN; a key of type 0x01 checks an Ed25519 signature over the text, a
 * key of type 0x04 a cosignature/v1 (its timestamp goes to
 * out->sig[i].timestamp).  ERR_CRYPTO when any line of a known key fails
 * (the whole note is refused) or when no line verified; ERR_NOMEM.  On
 * error *out is zeroed and *why (when not NULL) gets a static reason.
 */
enum err tlog_note_verify(const struct tlog_note *note,
    const struct tlog_vkey *keys, size_t n_keys,
    struct tlog_note_check *out, const char **why) WUR;

/*
 * 1 when c (from tlog_note_verify) has a verified line by keys[key], else
 * 0.  Can't fail.
 */
int tlog_note_verified_by(const struct tlog_note_check *c, size_t key);

/*
 * Append one signature line "— name base64(sig)\n" to out; sig (key id
 * included, at least TLOG_NOTE_SIG_MIN bytes) is borrowed.  ERR_INVALID for
 * a bad name or short signature, ERR_TOOBIG, ERR_NOMEM; on error out is
 * reset.
 */
enum err tlog_note_line(const char *name, size_t name_len,
    const uint8_t *sig, size_t sig_len, struct buf *out) WUR;

/*
 * Sign text[0..text_len) as key name[0..name_len) (type 0x01) with the
 * Ed25519 seed (borrowed, not copied) and append the signed note (text,
 * blank line, signature line) to out.  The text must be valid note text:
 * non-empty, UTF-8, no control byte but '\n', ending in '\n'.  ERR_INVALID
 * for bad text or name, ERR_TOOBIG when the note would pass
 * TLOG_NOTE_MAX_BYTES or out's cap, ERR_NOMEM; on error out is reset.
 */
enum err tlog_note_sign(const char *text, size_t text_len, const char *name,
    size_t name_len, const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES],
    struct buf *out) WUR;

/*
 * A checkpoint (tlog-checkpoint).  origin and ext point into the text it
 * was parsed from.  ext holds the extension lines, each ending in '\n'
 * (NULL and 0 when there are none); n_ext counts them.
 */
struct tlog_checkpoint {
	const char	*origin;
	size_t		 origin_len;
	uint64_t	 size;
	uint8_t		 root[TLOG_CHECKPOINT_ROOT_BYTES];
	const char	*ext;
	size_t		 ext_len;
	size_t		 n_ext;
};

/*
 * Parse the checkpoint text[0..len) (a note's text, without signatures)
 * into *out (OUT), strictly: valid note text; non-empty origin; size in
 * decimal without sign or leading zero, at most 2^64 - 1; root as the
 * 44-character canonical base64 of 32 bytes; then non-empty extension
 * lines.  ERR_PARSE when malformed, ERR_TOOBIG past TLOG_NOTE_MAX_BYTES.
 * On error *out is zeroed and *why (when not NULL) gets a static reason.
 */
enum err tlog_checkpoint_parse(const char *text, size_t len,
    struct tlog_checkpoint *out, const char **why) WUR;

/*
 * Append the text of c ("origin\nsize\nbase64(root)\n" then c's extension
 * lines) to out.  ERR_INVALID when c would not parse back (bad origin or
 * extension lines, n_ext not matching), ERR_TOOBIG, ERR_NOMEM; on error out
 * is reset.
 */
enum err tlog_checkpoint_format(const struct tlog_checkpoint *c,
    struct buf *out) WUR;

/*
 * Parse a signed checkpoint note p[0..len), verify it against keys (see
 * tlog_note_verify) and parse its text: *cp (OUT, pointing into p) and
 * *check (OUT).  keys[0] is the log's own key, of type 0x01: a checkpoint
 * it did not sign is refused (ERR_CRYPTO) whatever else verified;
 * keys[1..] are witnesses' and other keys.  ERR_INVALID when there is no
 * such keys[0], else errors as those three functions; on error both
 * outputs are zeroed.
 */
enum err tlog_checkpoint_open(const char *p, size_t len,
    const struct tlog_vkey *keys, size_t n_keys, struct tlog_checkpoint *cp,
    struct tlog_note_check *check, const char **why) WUR;

/* A decoded cosignature/v1 (type 0x04). */
struct tlog_cosig {
	uint32_t	key_id;
	uint64_t	timestamp;
	uint8_t		sig[CRYPTO_ED25519_SIG_BYTES];
};

/*
 * Append the message a cosignature/v1 signs, "cosignature/v1\ntime
 * <timestamp>\n" then text[0..len), to out.  ERR_RANGE for a timestamp
 * past TLOG_COSIG_TIME_MAX, ERR_TOOBIG, ERR_NOMEM; on error out is reset.
 */
enum err tlog_cosig_message(const char *text, size_t len,
    uint64_t timestamp, struct buf *out) WUR;

/*
 * Split the TLOG_COSIG_BYTES signature p[0..len) into *out (OUT).
 * ERR_PARSE for another length or a timestamp past TLOG_COSIG_TIME_MAX;
 * *out is then zeroed.
 */
enum err tlog_cosig_parse(const uint8_t *p, size_t len,
    struct tlog_cosig *out) WUR;

/*
 * Cosign the checkpoint text[0..len) at timestamp as cosigner
 * name[0..name_len) with the Ed25519 seed (borrowed, not copied): sig
 * (OUT) gets key id || timestamp || signature, and, when line is not NULL,
 * the note line "— name base64(sig)\n" is appended to it.  The text must
 * parse as a checkpoint (ERR_PARSE); ERR_INVALID for a bad name, ERR_RANGE
 * for a timestamp past TLOG_COSIG_TIME_MAX, ERR_TOOBIG, ERR_NOMEM.  On
 * error sig is zeroed and line reset.
 */
enum err tlog_cosign(const char *text, size_t len, const char *name,
    size_t name_len, const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES],
    uint64_t timestamp, uint8_t sig[TLOG_COSIG_BYTES],
    struct buf *line) WUR;

/*
 * Verify the cosignature sig[0..sig_len) (key id included) of the
 * checkpoint text[0..len) by key (borrowed, type TLOG_SIG_COSIG_V1) and
 * return its timestamp in *timestamp (OUT).  ERR_PARSE for a malformed
 * signature, ERR_INVALID for a key of another type, ERR_CRYPTO for another
 * key id or a bad signature, ERR_TOOBIG for text past TLOG_NOTE_MAX_BYTES,
 * ERR_NOMEM; *timestamp is 0 on error.
 */
enum err tlog_cosig_verify(const char *text, size_t len,
    const struct tlog_vkey *key, const uint8_t *sig, size_t sig_len,
    uint64_t *timestamp) WUR;

/*
 * A static-ct-api RFC6962NoteSignature (type 0x05): key id, timestamp in
 * milliseconds, then a TLS DigitallySigned.  Parsed only: entente has no
 * ECDSA verifier.  sig points into the parsed bytes.
 */
struct tlog_rfc6962_sig {
	uint32_t	 key_id;
	uint64_t	 timestamp_ms;
	uint8_t		 hash_alg;
	uint8_t		 sig_alg;
	const uint8_t	*sig;
	size_t		 sig_len;
};

/*
 * Split the type-0x05 signature p[0..len) (key id included; borrowed) into
 * *out (OUT).  ERR_PARSE when the lengths do not add up; *out is then
 * zeroed.
 */
enum err tlog_rfc6962_sig_parse(const uint8_t *p, size_t len,
    struct tlog_rfc6962_sig *out) WUR;

#endif
