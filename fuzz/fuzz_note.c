/*
 * fuzz_note.c: libFuzzer harness for C2SP signed notes, checkpoints, vkeys
 * and cosignatures (tlog/note.c).
 *
 * The input is tried as a signed note, as a checkpoint text, as a vkey and
 * as a raw cosignature or type-0x05 signature.  Invariants, abort() on
 * violation:
 * - a refused input leaves the output structure zeroed;
 * - a parsed note is its text, a blank line and its signature lines:
 *   writing each line again from the decoded signature (tlog_note_line)
 *   gives back the input bytes exactly, so no byte is skipped and the
 *   base64 is canonical; each key id is the first 4 decoded bytes;
 * - verifying a parsed note against fixed keys either fails with nothing
 *   reported, or reports at least one key, each matching its line's name
 *   and key id;
 * - a parsed checkpoint (the input, or a parsed note's text) formats back
 *   to the same text, and signing it then opening the signed note (and a
 *   cosignature of it) succeeds with the same size and root;
 * - a parsed vkey formats back to the input; a parsed cosignature or
 *   type-0x05 signature holds exactly the input's fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "tlog/note.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const fuzz_vkeys[] = {
	"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	"EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop",
	"sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
	("arche2025h1.staging.ct.transparency.dev+ba2f06c0+"
	    "AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f"),
	"remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
};
#define FUZZ_NKEYS (sizeof(fuzz_vkeys) / sizeof(fuzz_vkeys[0]))

static struct tlog_vkey keys[FUZZ_NKEYS];
static struct tlog_note note;
static struct tlog_note_check check;
static uint8_t raw[TLOG_NOTE_MAX_BYTES];

static void
zeroed(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != 0)
			abort();
}

static void
load_keys(void)
{
	static int done;
	size_t i;

	if (done)
		return;
	for (i = 0; i < FUZZ_NKEYS; i++)
		if (tlog_vkey_parse(fuzz_vkeys[i], strlen(fuzz_vkeys[i]),
		    &keys[i], NULL) != ERR_OK)
			abort();
	done = 1;
}

/* Format, sign, cosign and open the checkpoint text[0..len). */
static void
check_checkpoint(const char *text, size_t len)
{
	static const uint8_t seed[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t pub[32], cosig[TLOG_COSIG_BYTES];
	struct tlog_checkpoint cp, cp2;
	struct tlog_vkey k[2];
	struct buf b;
	enum err err;

	if (tlog_checkpoint_parse(text, len, &cp, NULL) != ERR_OK) {
		zeroed(&cp, sizeof(cp));
		return;
	}
	if (cp.origin != text || cp.origin_len == 0 ||
	    (cp.n_ext == 0) != (cp.ext == NULL))
		abort();
	buf_init(&b, 2 * TLOG_NOTE_MAX_BYTES);
	if (tlog_checkpoint_format(&cp, &b) != ERR_OK || b.len != len ||
	    memcmp(b.ptr, text, len) != 0)
		abort();

	crypto_ed25519_public(seed, pub);
	if (tlog_vkey_init(&k[0], "log.example", 11, TLOG_SIG_ED25519,
	    pub) != ERR_OK ||
	    tlog_vkey_init(&k[1], "witness.example", 15, TLOG_SIG_COSIG_V1,
	    pub) != ERR_OK)
		abort();
	buf_clear(&b);
	err = tlog_note_sign(text, len, k[0].name, k[0].name_len, seed, &b);
	if (err == ERR_TOOBIG)	/* text too close to the note cap */
		goto out;
	if (err != ERR_OK)
		abort();
	if (tlog_cosign(text, len, k[1].name, k[1].name_len, seed, len,
	    cosig, &b) != ERR_OK)
		abort();
	if (b.len > TLOG_NOTE_MAX_BYTES)
		goto out;
	if (tlog_checkpoint_open(b.ptr, b.len, k, 2, &cp2, &check,
	    NULL) != ERR_OK)
		abort();
	if (cp2.size != cp.size || memcmp(cp2.root, cp.root, 32) != 0 ||
	    check.n_verified != 2 || check.sig[1].timestamp != len)
		abort();
out:
	buf_reset(&b);
}

static void
check_note(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct tlog_note_sig *s;
	struct buf b;
	size_t i, n, k;
	enum err err;

	if (tlog_note_parse(p, size, &note, NULL) != ERR_OK) {
		zeroed(&note, sizeof(note));
		return;
	}
	if (note.text != p || note.text_len == 0 || note.text_len >= size ||
	    p[note.text_len - 1] != '\n' || p[note.text_len] != '\n' ||
	    note.n_sigs == 0 || note.n_sigs > TLOG_NOTE_MAX_SIGS)
		abort();

	/* Write it again from the decoded signatures. */
	buf_init(&b, 2 * TLOG_NOTE_MAX_BYTES);
	if (buf_add(&b, note.text, note.text_len) != ERR_OK ||
	    buf_addc(&b, '\n') != ERR_OK)
		abort();
	for (i = 0; i < note.n_sigs; i++) {
		s = &note.sigs[i];
		if (tlog_note_sig_decode(s, raw, sizeof(raw), &n) != ERR_OK ||
		    n != s->sig_len || n < TLOG_NOTE_SIG_MIN)
			abort();
		if (((uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
		    (uint32_t)raw[2] << 8 | raw[3]) != s->key_id)
			abort();
		if (tlog_note_line(s->name, s->name_len, raw, n, &b) != ERR_OK)
			abort();
	}
	if (b.len != size || memcmp(b.ptr, data, size) != 0)
		abort();
	buf_reset(&b);

	/* Verification against fixed keys. */
	err = tlog_note_verify(&note, keys, FUZZ_NKEYS, &check, NULL);
	if (err != ERR_OK) {
		zeroed(&check, sizeof(check));
	} else {
		if (check.n_verified == 0)
			abort();
		for (i = 0; i < note.n_sigs; i++) {
			if (check.sig[i].state != TLOG_SIG_VERIFIED)
				continue;
			k = check.sig[i].key;
			if (k >= FUZZ_NKEYS ||
			    keys[k].key_id != note.sigs[i].key_id ||
			    keys[k].name_len != note.sigs[i].name_len ||
			    memcmp(keys[k].name, note.sigs[i].name,
			    keys[k].name_len) != 0)
				abort();
		}
	}
	check_checkpoint(note.text, note.text_len);
}

static void
check_vkey(const uint8_t *data, size_t size)
{
	struct tlog_vkey k;
	struct buf b;

	if (tlog_vkey_parse((const char *)data, size, &k, NULL) != ERR_OK) {
		zeroed(&k, sizeof(k));
		return;
	}
	buf_init(&b, TLOG_VKEY_MAX_LEN);
	if (tlog_vkey_format(&k, &b) != ERR_OK || b.len != size ||
	    memcmp(b.ptr, data, size) != 0)
		abort();
	buf_reset(&b);
}

static void
check_sigs(const uint8_t *data, size_t size)
{
	struct tlog_rfc6962_sig rs;
	struct tlog_cosig cs;

	if (tlog_cosig_parse(data, size, &cs) == ERR_OK) {
		if (size != TLOG_COSIG_BYTES || cs.timestamp >
		    TLOG_COSIG_TIME_MAX ||
		    memcmp(cs.sig, data + 12, sizeof(cs.sig)) != 0)
			abort();
	} else
		zeroed(&cs, sizeof(cs));
	if (tlog_rfc6962_sig_parse(data, size, &rs) == ERR_OK) {
		if (rs.sig != data + 16 || rs.sig_len + 16 != size ||
		    rs.sig_len != ((size_t)data[14] << 8 | data[15]))
			abort();
	} else
		zeroed(&rs, sizeof(rs));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load_keys();
	check_note(data, size);
	check_checkpoint((const char *)data, size);
	check_vkey(data, size);
	check_sigs(data, size);
	return 0;
}
