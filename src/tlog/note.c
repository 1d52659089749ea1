/*
 * note.c: C2SP signed notes, verifier keys, checkpoints and cosignatures
 * (see note.h and docs/internals/TLOG.md).
 *
 * Parsing works on (pointer, length) spans of the caller's bytes and never
 * copies them; base64 is checked and decoded in small pieces, so that no
 * buffer as large as a signature line is needed.  The only allocation is
 * the message of a cosignature, which Ed25519 wants in one piece.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "crypto/crypto.h"
#include "tlog/note.h"
#include "util/buf.h"
#include "util/err.h"

/* U+2014 EM DASH and a space: how every signature line starts. */
#define NOTE_SIG_PREFIX		"\xe2\x80\x94 "
#define NOTE_SIG_PREFIX_LEN	4u

/* Base64 characters decoded or encoded at a time (a multiple of 4). */
#define NOTE_B64_PIECE		64u
#define NOTE_B64_PIECE_BYTES	(NOTE_B64_PIECE / 4u * 3u)

/* "cosignature/v1\ntime " + 19 digits + "\n". */
#define NOTE_COSIG_HEADER_MAX	40u

/* Base64 of a 32-byte root or of type || 32-byte key: 44 characters. */
#define NOTE_B64_33		44u

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t
get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/*
 * Decode the UTF-8 sequence at s[*i] (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF) into *cp and advance *i.  Returns 0
 * on an invalid or truncated sequence, leaving *i alone.
 */
static int
utf8_next(const unsigned char *s, size_t len, size_t *i, uint32_t *cp)
{
	unsigned char c = s[*i];
	uint32_t v, min;
	size_t n, j;

	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len - *i < n)
		return 0;
	for (j = 1; j < n; j++) {
		c = s[*i + j];
		if ((c & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (c & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	*i += n;
	return 1;
}

/* Valid UTF-8 with no code point below U+0020 except '\n'. */
static int
text_chars_ok(const char *p, size_t len)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		if (s[i] >= 0x20 && s[i] < 0x80) {
			i++;
			continue;
		}
		if (!utf8_next(s, len, &i, &cp))
			return 0;
		if (cp < 0x20 && cp != '\n')
			return 0;
	}
	return 1;
}

/* Note text: non-empty, valid characters, ending in a newline. */
static int
text_ok(const char *p, size_t len)
{
	return p != NULL && len > 0 && p[len - 1] == '\n' &&
	    text_chars_ok(p, len);
}

/* Unicode White_Space (what Go's unicode.IsSpace reports). */
static int
is_space(uint32_t cp)
{
	switch (cp) {
	case 0x09: case 0x0a: case 0x0b: case 0x0c: case 0x0d: case 0x20:
	case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202f: case 0x205f: case 0x3000:
		return 1;
	default:
		return cp >= 0x2000 && cp <= 0x200a;
	}
}

/* 1 when name[0..len) is a valid key name (see note.h). */
int
tlog_name_valid(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t i = 0;
	uint32_t cp;

	if (name == NULL || len == 0 || len > TLOG_NOTE_NAME_MAX)
		return 0;
	while (i < len) {
		if (!utf8_next(s, len, &i, &cp))
			return 0;
		if (cp < 0x20 || cp == '+' || is_space(cp))
			return 0;
	}
	return 1;
}

/* The key id of (name, type, key); see note.h. */
uint32_t
tlog_key_id(const char *name, size_t name_len, uint8_t type,
    const uint8_t *key, size_t key_len)
{
	struct crypto_sha256 h;
	uint8_t md[CRYPTO_SHA256_BYTES];
	const uint8_t nl = '\n';

	crypto_sha256_init(&h);
	crypto_sha256_update(&h, name, name_len);
	crypto_sha256_update(&h, &nl, 1);
	crypto_sha256_update(&h, &type, 1);
	crypto_sha256_update(&h, key, key_len);
	crypto_sha256_final(&h, md);
	return get_be32(md);
}

/*
 * Check that s[0..len) is canonical standard base64 and decode it piece by
 * piece.  The first 4 decoded bytes go to head (zero-filled when fewer);
 * when out is not NULL every byte goes to out[0..out_cap) as well.  *total
 * (OUT) is the decoded length.  ERR_PARSE, or ERR_TOOBIG when out is too
 * small; *total is 0 on error.
 */
static enum err
b64_scan(const char *s, size_t len, uint8_t head[TLOG_NOTE_KEY_ID_BYTES],
    uint8_t *out, size_t out_cap, size_t *total)
{
	uint8_t tmp[NOTE_B64_PIECE_BYTES];
	size_t i, j, piece, n, got = 0;

	*total = 0;
	memset(head, 0, TLOG_NOTE_KEY_ID_BYTES);
	if (s == NULL || len == 0 || len % 4 != 0)
		return ERR_PARSE;
	for (i = 0; i < len; i += piece) {
		piece = len - i < NOTE_B64_PIECE ? len - i : NOTE_B64_PIECE;
		if (crypto_b64_decode(s + i, piece, 0, tmp, sizeof(tmp),
		    &n) != ERR_OK)
			return ERR_PARSE;
		/* Padding belongs to the last piece only. */
		if (i + piece < len && n != sizeof(tmp))
			return ERR_PARSE;
		if (out != NULL) {
			if (n > out_cap - got)
				return ERR_TOOBIG;
			memcpy(out + got, tmp, n);
		}
		for (j = 0; j < n && got + j < TLOG_NOTE_KEY_ID_BYTES; j++)
			head[got + j] = tmp[j];
		got += n;
	}
	*total = got;
	return ERR_OK;
}

/* Append the standard base64 of p[0..len) to out, piece by piece. */
static enum err
b64_append(const uint8_t *p, size_t len, struct buf *out)
{
	char tmp[NOTE_B64_PIECE + 1];
	size_t i, piece;
	enum err err;

	for (i = 0; i < len; i += piece) {
		piece = len - i < NOTE_B64_PIECE_BYTES ? len - i :
		    NOTE_B64_PIECE_BYTES;
		err = crypto_b64_encode(p + i, piece, 0, tmp, sizeof(tmp));
		if (err == ERR_OK)
			err = buf_addstr(out, tmp);
		if (err != ERR_OK) {
			buf_reset(out);
			return err;
		}
	}
	return ERR_OK;
}

static int
lower_hex(char c, uint32_t *v)
{
	if (c >= '0' && c <= '9')
		*v = (uint32_t)(c - '0');
	else if (c >= 'a' && c <= 'f')
		*v = (uint32_t)(c - 'a' + 10);
	else
		return 0;
	return 1;
}

static void
set_why(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
}

/* Parse a vkey; see note.h. */
enum err
tlog_vkey_parse(const char *s, size_t len, struct tlog_vkey *out,
    const char **why)
{
	uint8_t head[TLOG_NOTE_KEY_ID_BYTES];
	uint8_t key[1 + CRYPTO_ED25519_PUBLIC_BYTES];
	const char *reason = NULL, *p1, *p2, *b64;
	enum err err = ERR_PARSE;
	uint32_t id = 0, v;
	size_t name_len, b64_len, total, i;

	memset(out, 0, sizeof(*out));
	if (s == NULL) {
		reason = "no key";
		goto out;
	}
	if (len > TLOG_NOTE_MAX_BYTES) {
		err = ERR_TOOBIG;
		reason = "key too long";
		goto out;
	}
	p1 = memchr(s, '+', len);
	p2 = p1 == NULL ? NULL :
	    memchr(p1 + 1, '+', len - (size_t)(p1 + 1 - s));
	if (p2 == NULL) {
		reason = "not name+keyid+key";
		goto out;
	}
	name_len = (size_t)(p1 - s);
	if (!tlog_name_valid(s, name_len)) {
		reason = "invalid key name";
		goto out;
	}
	if (p2 - p1 - 1 != 8) {
		reason = "key id is not 8 lowercase hex digits";
		goto out;
	}
	for (i = 0; i < 8; i++) {
		if (!lower_hex(p1[1 + i], &v)) {
			reason = "key id is not 8 lowercase hex digits";
			goto out;
		}
		id = id << 4 | v;
	}
	b64 = p2 + 1;
	b64_len = len - (size_t)(b64 - s);
	/* Learn the type first: other types have other key lengths. */
	if (b64_scan(b64, b64_len, head, NULL, 0, &total) != ERR_OK ||
	    total == 0) {
		reason = "key is not canonical base64";
		goto out;
	}
	switch (head[0]) {
	case TLOG_SIG_ED25519:
	case TLOG_SIG_COSIG_V1:
		break;
	case TLOG_SIG_ECDSA:
	case TLOG_SIG_RFC6962:
	case TLOG_SIG_MLDSA44:
	case TLOG_SIG_PRIVATE:
		err = ERR_UNSUPPORTED;
		reason = "signature type not supported";
		goto out;
	default:
		reason = "unknown signature type";
		goto out;
	}
	if (total != sizeof(key) ||
	    crypto_b64_decode(b64, b64_len, 0, key, sizeof(key),
	    &total) != ERR_OK) {
		reason = "Ed25519 key is not 32 bytes";
		goto out;
	}
	if (tlog_key_id(s, name_len, key[0], key + 1,
	    CRYPTO_ED25519_PUBLIC_BYTES) != id) {
		reason = "key id does not match the key";
		goto out;
	}
	memcpy(out->name, s, name_len);
	out->name[name_len] = '\0';
	out->name_len = name_len;
	out->key_id = id;
	out->type = key[0];
	memcpy(out->pub, key + 1, CRYPTO_ED25519_PUBLIC_BYTES);
	err = ERR_OK;
out:
	if (err != ERR_OK) {
		memset(out, 0, sizeof(*out));
		set_why(why, reason);
	}
	return err;
}

/* Make a verifier key from its parts; see note.h. */
enum err
tlog_vkey_init(struct tlog_vkey *out, const char *name, size_t name_len,
    uint8_t type, const uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES])
{
	memset(out, 0, sizeof(*out));
	if (!tlog_name_valid(name, name_len))
		return ERR_INVALID;
	if (type != TLOG_SIG_ED25519 && type != TLOG_SIG_COSIG_V1)
		return ERR_UNSUPPORTED;
	memcpy(out->name, name, name_len);
	out->name[name_len] = '\0';
	out->name_len = name_len;
	out->type = type;
	memcpy(out->pub, pub, CRYPTO_ED25519_PUBLIC_BYTES);
	out->key_id = tlog_key_id(name, name_len, type, pub,
	    CRYPTO_ED25519_PUBLIC_BYTES);
	return ERR_OK;
}

/* Append the vkey string of k; see note.h. */
enum err
tlog_vkey_format(const struct tlog_vkey *k, struct buf *out)
{
	uint8_t key[1 + CRYPTO_ED25519_PUBLIC_BYTES];
	enum err err = ERR_INVALID;

	if (k->name_len > TLOG_NOTE_NAME_MAX ||
	    !tlog_name_valid(k->name, k->name_len) ||
	    (k->type != TLOG_SIG_ED25519 && k->type != TLOG_SIG_COSIG_V1) ||
	    tlog_key_id(k->name, k->name_len, k->type, k->pub,
	    sizeof(k->pub)) != k->key_id)
		goto out;
	key[0] = k->type;
	memcpy(key + 1, k->pub, sizeof(k->pub));
	if ((err = buf_add(out, k->name, k->name_len)) != ERR_OK ||
	    (err = buf_addf(out, "+%08" PRIx32 "+", k->key_id)) != ERR_OK ||
	    (err = b64_append(key, sizeof(key), out)) != ERR_OK)
		goto out;
	err = ERR_OK;
out:
	if (err != ERR_OK)
		buf_reset(out);
	return err;
}

/* Split a signed note into text and signature lines; see note.h. */
enum err
tlog_note_parse(const char *p, size_t len, struct tlog_note *out,
    const char **why)
{
	uint8_t head[TLOG_NOTE_KEY_ID_BYTES];
	struct tlog_note_sig *s;
	const char *reason = NULL, *nl, *sp;
	enum err err = ERR_PARSE;
	size_t i, q, end, total;

	memset(out, 0, sizeof(*out));
	if (p == NULL) {
		reason = "no note";
		goto out;
	}
	if (len > TLOG_NOTE_MAX_BYTES) {
		err = ERR_TOOBIG;
		reason = "note too large";
		goto out;
	}
	if (!text_chars_ok(p, len)) {
		reason = "not UTF-8 or has a control character";
		goto out;
	}
	if (len < 2 || p[len - 1] != '\n') {
		reason = "does not end in a newline";
		goto out;
	}
	/* The last blank line separates the text from the signatures. */
	for (i = len - 1; i > 0; i--)
		if (p[i] == '\n' && p[i - 1] == '\n')
			break;
	if (i == 0) {
		reason = "no blank line before signatures";
		goto out;
	}
	out->text = p;
	out->text_len = i;
	if (i + 1 == len) {
		reason = "no signature lines";
		goto out;
	}
	for (q = i + 1; q < len; q = end + 1) {
		/* Always found: p[len - 1] is a newline. */
		nl = memchr(p + q, '\n', len - q);
		end = (size_t)(nl - p);
		if (out->n_sigs == TLOG_NOTE_MAX_SIGS) {
			err = ERR_TOOBIG;
			reason = "more than 100 signature lines";
			goto out;
		}
		if (end - q < NOTE_SIG_PREFIX_LEN ||
		    memcmp(p + q, NOTE_SIG_PREFIX, NOTE_SIG_PREFIX_LEN) != 0) {
			reason = "line after the blank line is not a signature";
			goto out;
		}
		s = &out->sigs[out->n_sigs];
		s->line = p + q;
		s->line_len = end + 1 - q;
		s->name = p + q + NOTE_SIG_PREFIX_LEN;
		sp = memchr(s->name, ' ', (size_t)(nl - s->name));
		if (sp == NULL) {
			reason = "signature line without a signature";
			goto out;
		}
		s->name_len = (size_t)(sp - s->name);
		if (!tlog_name_valid(s->name, s->name_len)) {
			reason = "invalid key name in a signature line";
			goto out;
		}
		s->b64 = sp + 1;
		s->b64_len = (size_t)(nl - s->b64);
		if (b64_scan(s->b64, s->b64_len, head, NULL, 0,
		    &total) != ERR_OK) {
			reason = "signature is not canonical base64";
			goto out;
		}
		if (total < TLOG_NOTE_SIG_MIN) {
			reason = "signature shorter than 5 bytes";
			goto out;
		}
		s->key_id = get_be32(head);
		s->sig_len = total;
		out->n_sigs++;
	}
	err = ERR_OK;
out:
	if (err != ERR_OK) {
		memset(out, 0, sizeof(*out));
		set_why(why, reason);
	}
	return err;
}

/* Decode one signature of a parsed note; see note.h. */
enum err
tlog_note_sig_decode(const struct tlog_note_sig *s, uint8_t *out,
    size_t out_cap, size_t *out_len)
{
	uint8_t head[TLOG_NOTE_KEY_ID_BYTES];
	enum err err;

	*out_len = 0;
	if (out == NULL)
		return ERR_TOOBIG;
	err = b64_scan(s->b64, s->b64_len, head, out, out_cap, out_len);
	if (err != ERR_OK)
		*out_len = 0;
	return err;
}

/* Append the message a cosignature/v1 signs; see note.h. */
enum err
tlog_cosig_message(const char *text, size_t len, uint64_t timestamp,
    struct buf *out)
{
	enum err err;

	if (timestamp > TLOG_COSIG_TIME_MAX) {
		buf_reset(out);
		return ERR_RANGE;
	}
	err = buf_addf(out, "cosignature/v1\ntime %" PRIu64 "\n", timestamp);
	if (err == ERR_OK && len > 0)
		err = buf_add(out, text, len);
	return err;
}

/* Split a cosignature/v1 signature; see note.h. */
enum err
tlog_cosig_parse(const uint8_t *p, size_t len, struct tlog_cosig *out)
{
	memset(out, 0, sizeof(*out));
	if (p == NULL || len != TLOG_COSIG_BYTES)
		return ERR_PARSE;
	if (get_be64(p + TLOG_NOTE_KEY_ID_BYTES) > TLOG_COSIG_TIME_MAX)
		return ERR_PARSE;
	out->key_id = get_be32(p);
	out->timestamp = get_be64(p + TLOG_NOTE_KEY_ID_BYTES);
	memcpy(out->sig, p + TLOG_NOTE_KEY_ID_BYTES + 8, sizeof(out->sig));
	return ERR_OK;
}

/*
 * Check cosignature cs of text[0..len) under key, building the signed
 * message in msg (a scratch buffer, cleared first).  ERR_CRYPTO,
 * ERR_TOOBIG, ERR_NOMEM.
 */
static enum err
cosig_check(const char *text, size_t len, const struct tlog_vkey *key,
    const struct tlog_cosig *cs, struct buf *msg)
{
	enum err err;

	if (cs->key_id != key->key_id)
		return ERR_CRYPTO;
	buf_clear(msg);
	err = tlog_cosig_message(text, len, cs->timestamp, msg);
	if (err != ERR_OK)
		return err;
	return crypto_ed25519_verify(key->pub, msg->ptr, msg->len, cs->sig);
}

/* Verify a cosignature/v1 of a checkpoint; see note.h. */
enum err
tlog_cosig_verify(const char *text, size_t len, const struct tlog_vkey *key,
    const uint8_t *sig, size_t sig_len, uint64_t *timestamp)
{
	struct tlog_cosig cs;
	struct buf msg;
	enum err err;

	*timestamp = 0;
	if (key->type != TLOG_SIG_COSIG_V1)
		return ERR_INVALID;
	if (len > TLOG_NOTE_MAX_BYTES)
		return ERR_TOOBIG;
	err = tlog_cosig_parse(sig, sig_len, &cs);
	if (err != ERR_OK)
		return err;
	buf_init(&msg, NOTE_COSIG_HEADER_MAX + TLOG_NOTE_MAX_BYTES);
	err = cosig_check(text, len, key, &cs, &msg);
	buf_reset(&msg);
	if (err == ERR_OK)
		*timestamp = cs.timestamp;
	return err;
}

/*
 * Index of the key in keys[0..n_keys) that (name, key id) of s designate,
 * among the types we verify; n_keys when there is none.
 */
static size_t
find_key(const struct tlog_note_sig *s, const struct tlog_vkey *keys,
    size_t n_keys)
{
	size_t k;

	for (k = 0; k < n_keys; k++) {
		if (keys[k].key_id != s->key_id ||
		    keys[k].name_len != s->name_len ||
		    memcmp(keys[k].name, s->name, s->name_len) != 0)
			continue;
		if (keys[k].type == TLOG_SIG_ED25519 ||
		    keys[k].type == TLOG_SIG_COSIG_V1)
			return k;
	}
	return n_keys;
}

/* Verify a parsed note against known keys; see note.h. */
enum err
tlog_note_verify(const struct tlog_note *note, const struct tlog_vkey *keys,
    size_t n_keys, struct tlog_note_check *out, const char **why)
{
	uint8_t raw[TLOG_COSIG_BYTES];
	const struct tlog_note_sig *s;
	const struct tlog_vkey *key;
	struct tlog_cosig cs;
	struct buf msg;
	const char *reason = NULL;
	enum err err = ERR_INVALID;
	size_t i, j, k, n;
	int seen;

	memset(out, 0, sizeof(*out));
	buf_init(&msg, NOTE_COSIG_HEADER_MAX + TLOG_NOTE_MAX_BYTES);
	if (note->text == NULL || note->n_sigs > TLOG_NOTE_MAX_SIGS ||
	    (keys == NULL && n_keys > 0)) {
		reason = "not a parsed note";
		goto out;
	}
	for (i = 0; i < note->n_sigs; i++) {
		s = &note->sigs[i];
		for (j = 0; j < i; j++)
			if (note->sigs[j].line_len == s->line_len &&
			    memcmp(note->sigs[j].line, s->line,
			    s->line_len) == 0)
				break;
		if (j < i) {
			out->sig[i].state = TLOG_SIG_DUPLICATE;
			continue;
		}
		k = find_key(s, keys, n_keys);
		if (k == n_keys) {
			out->sig[i].state = TLOG_SIG_UNKNOWN;
			out->n_unknown++;
			continue;
		}
		key = &keys[k];
		err = ERR_CRYPTO;
		reason = "a signature by a known key does not verify";
		if (key->type == TLOG_SIG_ED25519) {
			if (s->sig_len != TLOG_NOTE_ED25519_BYTES ||
			    tlog_note_sig_decode(s, raw, sizeof(raw),
			    &n) != ERR_OK ||
			    crypto_ed25519_verify(key->pub, note->text,
			    note->text_len,
			    raw + TLOG_NOTE_KEY_ID_BYTES) != ERR_OK)
				goto out;
		} else {
			if (s->sig_len != TLOG_COSIG_BYTES ||
			    tlog_note_sig_decode(s, raw, sizeof(raw),
			    &n) != ERR_OK ||
			    tlog_cosig_parse(raw, n, &cs) != ERR_OK)
				goto out;
			err = cosig_check(note->text, note->text_len, key,
			    &cs, &msg);
			if (err != ERR_OK) {
				if (err != ERR_CRYPTO)
					reason = "cannot build the message";
				goto out;
			}
			out->sig[i].timestamp = cs.timestamp;
		}
		out->sig[i].state = TLOG_SIG_VERIFIED;
		out->sig[i].key = k;
		seen = 0;
		for (j = 0; j < i; j++)
			if (out->sig[j].state == TLOG_SIG_VERIFIED &&
			    out->sig[j].key == k)
				seen = 1;
		if (!seen)
			out->n_verified++;
	}
	if (out->n_verified == 0) {
		err = ERR_CRYPTO;
		reason = "no signature by a known key";
		goto out;
	}
	err = ERR_OK;
out:
	buf_reset(&msg);
	if (err != ERR_OK) {
		memset(out, 0, sizeof(*out));
		set_why(why, reason);
	}
	return err;
}

/* Whether keys[key] verified a line; see note.h. */
int
tlog_note_verified_by(const struct tlog_note_check *c, size_t key)
{
	size_t i;

	for (i = 0; i < TLOG_NOTE_MAX_SIGS; i++)
		if (c->sig[i].state == TLOG_SIG_VERIFIED &&
		    c->sig[i].key == key)
			return 1;
	return 0;
}

/* Append one signature line; see note.h. */
enum err
tlog_note_line(const char *name, size_t name_len, const uint8_t *sig,
    size_t sig_len, struct buf *out)
{
	enum err err = ERR_INVALID;

	if (!tlog_name_valid(name, name_len) || sig == NULL ||
	    sig_len < TLOG_NOTE_SIG_MIN)
		goto out;
	err = ERR_TOOBIG;
	if (sig_len > TLOG_NOTE_MAX_BYTES)
		goto out;
	if ((err = buf_add(out, NOTE_SIG_PREFIX,
	    NOTE_SIG_PREFIX_LEN)) != ERR_OK ||
	    (err = buf_add(out, name, name_len)) != ERR_OK ||
	    (err = buf_addc(out, ' ')) != ERR_OK ||
	    (err = b64_append(sig, sig_len, out)) != ERR_OK ||
	    (err = buf_addc(out, '\n')) != ERR_OK)
		goto out;
	err = ERR_OK;
out:
	if (err != ERR_OK)
		buf_reset(out);
	return err;
}

/* Sign a note text with an Ed25519 key; see note.h. */
enum err
tlog_note_sign(const char *text, size_t text_len, const char *name,
    size_t name_len, const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES],
    struct buf *out)
{
	uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES];
	uint8_t sig[TLOG_NOTE_ED25519_BYTES];
	enum err err = ERR_INVALID;

	if (text_len > TLOG_NOTE_MAX_BYTES || !text_ok(text, text_len) ||
	    !tlog_name_valid(name, name_len))
		goto out;
	/* Text, blank line, prefix, name, space, 92 base64, newline. */
	err = ERR_TOOBIG;
	if (text_len + 1 + NOTE_SIG_PREFIX_LEN + name_len + 1 +
	    CRYPTO_B64_LEN(sizeof(sig)) + 1 > TLOG_NOTE_MAX_BYTES)
		goto out;
	crypto_ed25519_public(seed, pub);
	put_be32(sig, tlog_key_id(name, name_len, TLOG_SIG_ED25519, pub,
	    sizeof(pub)));
	crypto_ed25519_sign(seed, pub, text, text_len,
	    sig + TLOG_NOTE_KEY_ID_BYTES);
	if ((err = buf_add(out, text, text_len)) != ERR_OK ||
	    (err = buf_addc(out, '\n')) != ERR_OK ||
	    (err = tlog_note_line(name, name_len, sig, sizeof(sig),
	    out)) != ERR_OK)
		goto out;
	err = ERR_OK;
out:
	if (err != ERR_OK)
		buf_reset(out);
	return err;
}

/*
 * Parse a tree size: decimal digits, no sign, no leading zero (but "0"),
 * at most 2^64 - 1.  Returns 0 when p[0..len) is not one.
 */
static int
parse_size(const char *p, size_t len, uint64_t *out)
{
	uint64_t v = 0, d;
	size_t i;

	if (len == 0 || (len > 1 && p[0] == '0'))
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		d = (uint64_t)(p[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

/*
 * Count the lines of the extension block p[0..len): every line non-empty
 * and ending in '\n'.  Returns 0 and *n = 0 when len is 0; -1 when the
 * block is not such lines.
 */
static int
count_ext(const char *p, size_t len, size_t *n)
{
	size_t i;

	*n = 0;
	if (len == 0)
		return 0;
	if (p == NULL || p[0] == '\n' || p[len - 1] != '\n')
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] != '\n')
			continue;
		if (i + 1 < len && p[i + 1] == '\n')
			return -1;
		(*n)++;
	}
	return 0;
}

/* Parse a checkpoint text strictly; see note.h. */
enum err
tlog_checkpoint_parse(const char *text, size_t len,
    struct tlog_checkpoint *out, const char **why)
{
	const char *reason = NULL, *l1, *l2, *l3;
	enum err err = ERR_PARSE;
	size_t n, rest;

	memset(out, 0, sizeof(*out));
	if (text == NULL) {
		reason = "no checkpoint";
		goto out;
	}
	if (len > TLOG_NOTE_MAX_BYTES) {
		err = ERR_TOOBIG;
		reason = "checkpoint too large";
		goto out;
	}
	if (!text_ok(text, len)) {
		reason = "bad UTF-8, control byte or no final newline";
		goto out;
	}
	l1 = memchr(text, '\n', len);
	l2 = memchr(l1 + 1, '\n', len - (size_t)(l1 + 1 - text));
	l3 = l2 == NULL ? NULL :
	    memchr(l2 + 1, '\n', len - (size_t)(l2 + 1 - text));
	if (l3 == NULL) {
		reason = "fewer than three lines";
		goto out;
	}
	if (l1 == text) {
		reason = "empty origin";
		goto out;
	}
	if (!parse_size(l1 + 1, (size_t)(l2 - l1 - 1), &out->size)) {
		reason = "tree size is not a canonical decimal uint64";
		goto out;
	}
	if (l3 - l2 - 1 != NOTE_B64_33 ||
	    crypto_b64_decode(l2 + 1, NOTE_B64_33, 0, out->root,
	    sizeof(out->root), &n) != ERR_OK || n != sizeof(out->root)) {
		reason = "root is not the canonical base64 of 32 bytes";
		goto out;
	}
	rest = len - (size_t)(l3 + 1 - text);
	if (count_ext(l3 + 1, rest, &out->n_ext) != 0) {
		reason = "empty extension line";
		goto out;
	}
	out->origin = text;
	out->origin_len = (size_t)(l1 - text);
	if (rest > 0) {
		out->ext = l3 + 1;
		out->ext_len = rest;
	}
	err = ERR_OK;
out:
	if (err != ERR_OK) {
		memset(out, 0, sizeof(*out));
		set_why(why, reason);
	}
	return err;
}

/* Write a checkpoint text; see note.h. */
enum err
tlog_checkpoint_format(const struct tlog_checkpoint *c, struct buf *out)
{
	size_t n_ext;
	enum err err = ERR_INVALID;

	if (c->origin == NULL || c->origin_len == 0 ||
	    c->origin_len > TLOG_NOTE_MAX_BYTES ||
	    memchr(c->origin, '\n', c->origin_len) != NULL ||
	    !text_chars_ok(c->origin, c->origin_len))
		goto out;
	if (c->ext_len > TLOG_NOTE_MAX_BYTES ||
	    count_ext(c->ext, c->ext_len, &n_ext) != 0 ||
	    n_ext != c->n_ext ||
	    (c->ext_len > 0 && !text_chars_ok(c->ext, c->ext_len)))
		goto out;
	/* Origin, 20 digits, 44 base64, three newlines. */
	err = ERR_TOOBIG;
	if (c->origin_len + c->ext_len + 20 + NOTE_B64_33 + 3 >
	    TLOG_NOTE_MAX_BYTES)
		goto out;
	if ((err = buf_add(out, c->origin, c->origin_len)) != ERR_OK ||
	    (err = buf_addf(out, "\n%" PRIu64 "\n", c->size)) != ERR_OK ||
	    (err = b64_append(c->root, sizeof(c->root), out)) != ERR_OK ||
	    (err = buf_addc(out, '\n')) != ERR_OK)
		goto out;
	if (c->ext_len > 0 &&
	    (err = buf_add(out, c->ext, c->ext_len)) != ERR_OK)
		goto out;
	err = ERR_OK;
out:
	if (err != ERR_OK)
		buf_reset(out);
	return err;
}

/* Parse, verify and read a signed checkpoint; see note.h. */
enum err
tlog_checkpoint_open(const char *p, size_t len, const struct tlog_vkey *keys,
    size_t n_keys, struct tlog_checkpoint *cp, struct tlog_note_check *check,
    const char **why)
{
	struct tlog_note note;
	enum err err;

	memset(cp, 0, sizeof(*cp));
	memset(check, 0, sizeof(*check));
	if (keys == NULL || n_keys == 0 || keys[0].type != TLOG_SIG_ED25519) {
		set_why(why, "no Ed25519 log key");
		return ERR_INVALID;
	}
	err = tlog_note_parse(p, len, &note, why);
	if (err == ERR_OK)
		err = tlog_note_verify(&note, keys, n_keys, check, why);
	if (err == ERR_OK && !tlog_note_verified_by(check, 0)) {
		err = ERR_CRYPTO;
		set_why(why, "not signed by the log's key");
	}
	if (err == ERR_OK)
		err = tlog_checkpoint_parse(note.text, note.text_len, cp, why);
	if (err != ERR_OK) {
		memset(cp, 0, sizeof(*cp));
		memset(check, 0, sizeof(*check));
	}
	return err;
}

/* Cosign a checkpoint; see note.h. */
enum err
tlog_cosign(const char *text, size_t len, const char *name, size_t name_len,
    const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES], uint64_t timestamp,
    uint8_t sig[TLOG_COSIG_BYTES], struct buf *line)
{
	uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES];
	struct tlog_checkpoint cp;
	struct buf msg;
	enum err err;

	memset(sig, 0, TLOG_COSIG_BYTES);
	buf_init(&msg, NOTE_COSIG_HEADER_MAX + TLOG_NOTE_MAX_BYTES);
	err = tlog_checkpoint_parse(text, len, &cp, NULL);
	if (err != ERR_OK)
		goto out;
	err = ERR_INVALID;
	if (!tlog_name_valid(name, name_len))
		goto out;
	err = ERR_RANGE;
	if (timestamp > TLOG_COSIG_TIME_MAX)
		goto out;
	err = tlog_cosig_message(text, len, timestamp, &msg);
	if (err != ERR_OK)
		goto out;
	crypto_ed25519_public(seed, pub);
	put_be32(sig, tlog_key_id(name, name_len, TLOG_SIG_COSIG_V1, pub,
	    sizeof(pub)));
	put_be64(sig + TLOG_NOTE_KEY_ID_BYTES, timestamp);
	crypto_ed25519_sign(seed, pub, msg.ptr, msg.len,
	    sig + TLOG_NOTE_KEY_ID_BYTES + 8);
	if (line != NULL)
		err = tlog_note_line(name, name_len, sig, TLOG_COSIG_BYTES,
		    line);
out:
	buf_reset(&msg);
	if (err != ERR_OK) {
		memset(sig, 0, TLOG_COSIG_BYTES);
		if (line != NULL)
			buf_reset(line);
	}
	return err;
}

/* Split a type-0x05 note signature; see note.h. */
enum err
tlog_rfc6962_sig_parse(const uint8_t *p, size_t len,
    struct tlog_rfc6962_sig *out)
{
	/* Key id, u64 timestamp, hash and signature algorithms, u16 length. */
	const size_t fixed = TLOG_NOTE_KEY_ID_BYTES + 8 + 1 + 1 + 2;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (p == NULL || len < fixed)
		return ERR_PARSE;
	n = (size_t)p[fixed - 2] << 8 | p[fixed - 1];
	if (n == 0 || len - fixed != n)
		return ERR_PARSE;
	out->key_id = get_be32(p);
	out->timestamp_ms = get_be64(p + TLOG_NOTE_KEY_ID_BYTES);
	out->hash_alg = p[TLOG_NOTE_KEY_ID_BYTES + 8];
	out->sig_alg = p[TLOG_NOTE_KEY_ID_BYTES + 9];
	out->sig = p + fixed;
	out->sig_len = n;
	return ERR_OK;
}
