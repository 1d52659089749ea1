/*
 * agreement_sign.c: what is signed (the SHA-256 of the RFC 8785 form
 * without signatures), signing, verification, derived identifiers, and
 * termination records.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "policy/agreement.h"
#include "policy/agreement_int.h"
#include "stix/jcs.h"
#include "util/timeutil.h"

enum err
agreement_hash_json(const json_t *v, uint8_t out[CRYPTO_SHA256_BYTES])
{
	struct buf b;
	enum err err;

	buf_init(&b, 4u * AGREEMENT_MAX_BYTES);
	if ((err = jcs_serialize(v, &b)) != ERR_OK)
		return err;
	crypto_sha256(b.ptr, b.len, out);
	buf_reset(&b);
	return ERR_OK;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return ch - 'A' + 10;
}

/*
 * RFC 4122 section 4.3, name-based with SHA-1.  SHA-1 here only makes an
 * identifier reproducible by anyone (Python's uuid.uuid5 gives the same);
 * nothing relies on its collision resistance (crypto_uuid5).
 */
void
agreement_uuid5(const char *name, size_t len, char out[UUID_STRLEN + 1])
{
	static const char ns[] = AGREEMENT_UUID_NAMESPACE;
	static const char hex[] = "0123456789abcdef";
	uint8_t nsb[16], dig[16];
	size_t i, j = 0, o = 0;

	for (i = 0; i < UUID_STRLEN; i++) {
		if (ns[i] == '-')
			continue;
		if (j % 2 == 0)
			nsb[j / 2] = (uint8_t)(hexval(ns[i]) << 4);
		else
			nsb[j / 2] |= (uint8_t)hexval(ns[i]);
		j++;
	}
	crypto_uuid5(nsb, name, len, dig);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[dig[i] >> 4];
		out[o++] = hex[dig[i] & 0x0f];
	}
	out[o] = '\0';
}

void
agreement_key_b64(const uint8_t key[CRYPTO_ED25519_PUBLIC_BYTES],
    char out[AGREEMENT_KEY_B64_LEN + 1])
{
	if (crypto_b64_encode(key, CRYPTO_ED25519_PUBLIC_BYTES, 0, out,
	    AGREEMENT_KEY_B64_LEN + 1) != ERR_OK)
		out[0] = '\0';	/* cannot happen: the size is exact */
}

void
agreement_identity_id(const uint8_t key[CRYPTO_ED25519_PUBLIC_BYTES],
    char out[AGREEMENT_IDENTITY_LEN + 1])
{
	char b64[AGREEMENT_KEY_B64_LEN + 1];

	agreement_key_b64(key, b64);
	memcpy(out, "identity--", 10);
	agreement_uuid5(b64, AGREEMENT_KEY_B64_LEN, out + 10);
}

/* {"key": ..., "sig": ...}, new; NULL on ERR_NOMEM. */
static json_t *
sig_json(const struct agreement_signature *s)
{
	char k[AGREEMENT_KEY_B64_LEN + 1], g[AGREEMENT_SIG_B64_LEN + 1];

	agreement_key_b64(s->key, k);
	if (crypto_b64_encode(s->sig, sizeof(s->sig), 0, g, sizeof(g)) !=
	    ERR_OK)
		return NULL;
	return json_pack("{s:s, s:s}", "key", k, "sig", g);
}

enum err
agreement_to_json(const struct agreement *a, json_t **out)
{
	json_t *doc, *arr = NULL, *e;
	size_t i;

	*out = NULL;
	if ((doc = json_deep_copy(a->body_)) == NULL)
		return ERR_NOMEM;
	if (a->n_sigs > 0) {
		if ((arr = json_array()) == NULL)
			goto fail;
		for (i = 0; i < a->n_sigs; i++)
			if ((e = sig_json(&a->sigs[i])) == NULL ||
			    json_array_append_new(arr, e) != 0)
				goto fail;
		if (json_object_set_new(doc, "signatures", arr) != 0) {
			arr = NULL;
			goto fail;
		}
	}
	*out = doc;
	return ERR_OK;
fail:
	json_decref(arr);
	json_decref(doc);
	return ERR_NOMEM;
}

enum err
agreement_sign(struct agreement *a,
    const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES])
{
	struct agreement_signature *ns;
	uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES];
	size_t i, j;
	long who;

	crypto_ed25519_public(seed, pub);
	if ((who = agreement_party_find(a, pub)) < 0)
		return ERR_NOTFOUND;
	for (i = 0; i < a->n_sigs; i++)
		if (memcmp(a->sigs[i].key, pub, sizeof(pub)) == 0)
			break;
	if (i == a->n_sigs) {
		/* Cannot happen: signatures are by distinct parties. */
		if (a->n_sigs >= a->n_parties)
			return ERR_NOTFOUND;
		ns = calloc(a->n_sigs + 1, sizeof(*ns));
		if (ns == NULL)
			return ERR_NOMEM;
		/* Before the first signature of a later party. */
		for (j = 0; j < a->n_sigs &&
		    agreement_party_find(a, a->sigs[j].key) < who; j++)
			ns[j] = a->sigs[j];
		i = j;
		memcpy(ns[i].key, pub, sizeof(pub));
		for (; j < a->n_sigs; j++)
			ns[j + 1] = a->sigs[j];
		free(a->sigs);
		a->sigs = ns;
		a->n_sigs++;
	}
	crypto_ed25519_sign(seed, pub, a->hash, sizeof(a->hash),
	    a->sigs[i].sig);
	return ERR_OK;
}

enum err
agreement_verify(const struct agreement *a, int64_t now, unsigned flags,
    struct agreement_report *rep)
{
	char ts[TS_BUFSZ];
	size_t i, j;
	long p;
	int crypto_bad = 0, other_bad = 0;

	for (i = 0; i < a->n_sigs; i++) {
		p = agreement_party_find(a, a->sigs[i].key);
		if (p < 0) {
			agreement_report_add(rep, "signatures[%zu]: not the "
			    "key of a party", i);
			crypto_bad = 1;
			continue;
		}
		if (crypto_ed25519_verify(a->sigs[i].key, a->hash,
		    sizeof(a->hash), a->sigs[i].sig) != ERR_OK) {
			agreement_report_add(rep, "signature of %s "
			    "(parties[%ld]): does not verify (the document "
			    "was changed after signing, or the signature is "
			    "damaged)", a->parties[p].name, p);
			crypto_bad = 1;
		}
	}
	if (!(flags & AGREEMENT_VERIFY_PARTIAL)) {
		for (i = 0; i < a->n_parties; i++) {
			for (j = 0; j < a->n_sigs; j++)
				if (memcmp(a->sigs[j].key, a->parties[i].key,
				    CRYPTO_ED25519_PUBLIC_BYTES) == 0)
					break;
			if (j == a->n_sigs) {
				agreement_report_add(rep, "%s (parties[%zu]) "
				    "has not signed", a->parties[i].name, i);
				other_bad = 1;
			}
		}
	}
	if (!(flags & AGREEMENT_VERIFY_NO_WINDOW)) {
		if (now < a->valid_from) {
			ts_format(a->valid_from, ts);
			agreement_report_add(rep, "not yet valid: valid_from "
			    "is %s", ts);
			other_bad = 1;
		} else if (now >= a->valid_until) {
			ts_format(a->valid_until, ts);
			agreement_report_add(rep, "expired: valid_until was "
			    "%s", ts);
			other_bad = 1;
		}
	}
	if (crypto_bad)
		return ERR_CRYPTO;
	return other_bad ? ERR_INVALID : ERR_OK;
}

/* ---- termination records ---- */

void
agreement_termination_free(struct agreement_termination *t)
{
	if (t == NULL)
		return;
	json_decref(t->body_);
	free(t);
}

static void __attribute__((format(printf, 3, 4)))
tbad(size_t *n_bad, struct agreement_report *rep, const char *fmt, ...)
{
	char line[AGREEMENT_REASON_MAX];
	va_list ap;

	(*n_bad)++;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	agreement_report_add(rep, "%s", line);
}

enum err
agreement_termination_from_json(const json_t *doc,
    struct agreement_termination **out, struct agreement_report *rep)
{
	static const char *const names[] = { "terminates", "version",
	    "party", "time", "reason", "signature", NULL };
	char ex[AGREEMENT_EXCERPT_MAX + 4];
	struct agreement_termination *t;
	const json_t *m;
	const char *key, *s;
	json_t *v;
	json_int_t n;
	size_t n_bad = 0, i, len;
	enum err err;

	*out = NULL;
	if (!json_is_object(doc)) {
		agreement_report_add(rep, "the record is not a JSON object");
		return ERR_PARSE;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return ERR_NOMEM;
	if ((t->body_ = json_deep_copy(doc)) == NULL) {
		free(t);
		return ERR_NOMEM;
	}
	json_object_foreach(t->body_, key, v) {
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(key, names[i]) == 0)
				break;
		if (names[i] == NULL) {
			agreement_excerpt(ex, sizeof(ex), key, strlen(key));
			tbad(&n_bad, rep, "%s: unknown member", ex);
		}
	}
	m = json_object_get(t->body_, "terminates");
	if (m == NULL)
		tbad(&n_bad, rep, "terminates: missing");
	else if (!json_is_string(m) || !agreement_id_ok(json_string_value(m),
	    json_string_length(m)))
		tbad(&n_bad, rep, "terminates: must be \"agreement--\" and a "
		    "lower-case UUID");
	else
		memcpy(t->agreement_id, json_string_value(m),
		    AGREEMENT_ID_LEN + 1);
	m = json_object_get(t->body_, "version");
	if (m == NULL)
		tbad(&n_bad, rep, "version: missing");
	else if (!json_is_integer(m) || (n = json_integer_value(m)) < 1 ||
	    (unsigned long long)n > AGREEMENT_MAX_VERSION)
		tbad(&n_bad, rep, "version: must be an integer from 1 to %lu",
		    (unsigned long)AGREEMENT_MAX_VERSION);
	else
		t->version = (uint32_t)n;
	m = json_object_get(t->body_, "party");
	if (m == NULL)
		tbad(&n_bad, rep, "party: missing");
	else if (!json_is_string(m) || !agreement_b64_exact(
	    json_string_value(m), json_string_length(m), t->party,
	    sizeof(t->party)))
		tbad(&n_bad, rep, "party: malformed key: not the standard "
		    "base64 of a 32-byte Ed25519 public key");
	m = json_object_get(t->body_, "time");
	if (m == NULL)
		tbad(&n_bad, rep, "time: missing");
	else if (!json_is_string(m) || ts_parse(json_string_value(m),
	    json_string_length(m), &t->time, NULL) != ERR_OK)
		tbad(&n_bad, rep, "time: not an RFC 3339 UTC timestamp");
	m = json_object_get(t->body_, "reason");
	if (m == NULL) {
		tbad(&n_bad, rep, "reason: missing");
	} else if (!json_is_string(m)) {
		tbad(&n_bad, rep, "reason: must be a string");
	} else {
		s = json_string_value(m);
		len = json_string_length(m);
		if (len == 0 || strlen(s) != len ||
		    !agreement_text_ok(s, len, AGREEMENT_MAX_TEXT, 1))
			tbad(&n_bad, rep, "reason: must be 1-%u bytes of text "
			    "without control characters but tab and newline",
			    AGREEMENT_MAX_TEXT);
		else
			t->reason = s;
	}
	m = json_object_get(t->body_, "signature");
	if (m != NULL) {
		if (!json_is_string(m) || !agreement_b64_exact(
		    json_string_value(m), json_string_length(m), t->sig,
		    sizeof(t->sig)))
			tbad(&n_bad, rep, "signature: not the standard base64 "
			    "(%u characters) of a 64-byte Ed25519 signature",
			    (unsigned)AGREEMENT_SIG_B64_LEN);
		else
			t->is_signed = 1;
		(void)json_object_del(t->body_, "signature");
	}
	err = ERR_INVALID;
	if (n_bad == 0)
		err = agreement_hash_json(t->body_, t->hash);
	if (err != ERR_OK) {
		agreement_termination_free(t);
		return err;
	}
	*out = t;
	return ERR_OK;
}

enum err
agreement_termination_parse(const char *text, size_t len,
    struct agreement_termination **out, struct agreement_report *rep)
{
	json_error_t jerr;
	json_t *doc;
	enum err err;

	*out = NULL;
	if (len > AGREEMENT_MAX_BYTES) {
		agreement_report_add(rep, "the record is larger than %u bytes",
		    AGREEMENT_MAX_BYTES);
		return ERR_TOOBIG;
	}
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		agreement_report_add(rep, "not JSON: %s (line %d, column %d)",
		    jerr.text, jerr.line, jerr.column);
		return ERR_PARSE;
	}
	err = agreement_termination_from_json(doc, out, rep);
	json_decref(doc);
	return err;
}

enum err
agreement_termination_new(const struct agreement *a,
    const uint8_t key[CRYPTO_ED25519_PUBLIC_BYTES], int64_t time,
    const char *reason, struct agreement_termination **out,
    struct agreement_report *rep)
{
	char k[AGREEMENT_KEY_B64_LEN + 1], ts[TS_BUFSZ];
	json_t *doc;
	enum err err;

	*out = NULL;
	if (agreement_party_find(a, key) < 0) {
		agreement_report_add(rep, "party: the key is not a party of "
		    "%s", a->id);
		return ERR_NOTFOUND;
	}
	agreement_key_b64(key, k);
	ts_format(time, ts);
	doc = json_pack("{s:s, s:I, s:s, s:s, s:s}", "terminates", a->id,
	    "version", (json_int_t)a->version, "party", k, "time", ts,
	    "reason", reason);
	if (doc == NULL) {
		/* json_pack fails on bad UTF-8 as well as on memory. */
		agreement_report_add(rep, "reason: not UTF-8 text");
		return ERR_INVALID;
	}
	err = agreement_termination_from_json(doc, out, rep);
	json_decref(doc);
	return err;
}

enum err
agreement_termination_to_json(const struct agreement_termination *t,
    json_t **out)
{
	char g[AGREEMENT_SIG_B64_LEN + 1];
	json_t *doc;

	*out = NULL;
	if ((doc = json_deep_copy(t->body_)) == NULL)
		return ERR_NOMEM;
	if (t->is_signed) {
		if (crypto_b64_encode(t->sig, sizeof(t->sig), 0, g,
		    sizeof(g)) != ERR_OK ||
		    json_object_set_new(doc, "signature", json_string(g)) !=
		    0) {
			json_decref(doc);
			return ERR_NOMEM;
		}
	}
	*out = doc;
	return ERR_OK;
}

enum err
agreement_termination_sign(struct agreement_termination *t,
    const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES])
{
	uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES];

	crypto_ed25519_public(seed, pub);
	if (memcmp(pub, t->party, sizeof(pub)) != 0)
		return ERR_FORBIDDEN;
	crypto_ed25519_sign(seed, pub, t->hash, sizeof(t->hash), t->sig);
	t->is_signed = 1;
	return ERR_OK;
}

enum err
agreement_termination_verify(const struct agreement_termination *t,
    const struct agreement *a, struct agreement_report *rep)
{
	int crypto_bad = 0, other_bad = 0;

	if (!t->is_signed) {
		agreement_report_add(rep, "signature: missing (the record is "
		    "not signed)");
		crypto_bad = 1;
	} else if (crypto_ed25519_verify(t->party, t->hash, sizeof(t->hash),
	    t->sig) != ERR_OK) {
		agreement_report_add(rep, "signature: does not verify with the "
		    "key in `party`");
		crypto_bad = 1;
	}
	if (a != NULL) {
		if (strcmp(t->agreement_id, a->id) != 0) {
			agreement_report_add(rep, "terminates: names %s, not "
			    "%s", t->agreement_id, a->id);
			other_bad = 1;
		}
		if (t->version != a->version) {
			agreement_report_add(rep, "version: %lu, but the "
			    "agreement is at version %lu",
			    (unsigned long)t->version,
			    (unsigned long)a->version);
			other_bad = 1;
		}
		if (agreement_party_find(a, t->party) < 0) {
			agreement_report_add(rep, "party: not a party of %s",
			    a->id);
			other_bad = 1;
		}
	}
	if (crypto_bad)
		return ERR_CRYPTO;
	return other_bad ? ERR_INVALID : ERR_OK;
}
