#include "testutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "crypto/crypto.h"
#include "tlog/note.h"
#include "util/buf.h"

#define VECTORS		"tests/data/tlog/vectors.json"
#define MAX_KEYS	8
#define LABEL_MAX	(TLOG_NOTE_NAME_MAX + 10)

/* Load the known-answer file (tests run from the repository root). */
static json_t *
load_vectors(void)
{
	json_error_t je;
	json_t *v;

	/*
	 * jansson's integers are long long and the Merkle sections hold
	 * 2^64 - 1; every number this file reads is below 2^53, so all of
	 * them load as doubles and juint() checks they are exact.
	 */
	v = json_load_file(VECTORS, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_INT_AS_REAL, &je);
	if (v == NULL)
		fail_msg("%s:%d: %s", VECTORS, je.line, je.text);
	return v;
}

static json_t *
section(json_t *v, const char *name)
{
	json_t *a = json_object_get(v, name);

	assert_true(json_is_array(a));
	assert_true(json_array_size(a) > 0);
	return a;
}

static const char *
str(json_t *o, const char *key)
{
	json_t *s = json_object_get(o, key);

	if (!json_is_string(s))
		fail_msg("missing string %s", key);
	return json_string_value(s);
}

/* A non-negative integer member below 2^53 (loaded as a double). */
static uint64_t
juint(json_t *o, const char *key)
{
	json_t *x = json_object_get(o, key);
	double d;

	if (!json_is_number(x))
		fail_msg("missing number %s", key);
	d = json_number_value(x);
	assert_true(d >= 0 && d < 9007199254740992.0);
	assert_true(d == (double)(uint64_t)d);
	return (uint64_t)d;
}

static const char *
opt_str(json_t *o, const char *key)
{
	json_t *s = json_object_get(o, key);

	return json_is_string(s) ? json_string_value(s) : NULL;
}

/* Decode lowercase hex into out; returns the byte count. */
static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s) / 2, i;

	assert_int_equal(strlen(s) % 2, 0);
	assert_true(n <= cap);
	for (i = 0; i < n; i++) {
		char h[3] = { s[2 * i], s[2 * i + 1], '\0' };
		char *end;

		out[i] = (uint8_t)strtoul(h, &end, 16);
		assert_int_equal(*end, '\0');
	}
	return n;
}

/* The note of a vector, from "note" or "note_hex", into out (owned). */
static size_t
note_bytes(json_t *o, char **out)
{
	const char *s;
	size_t n;

	if ((s = opt_str(o, "note")) != NULL) {
		n = json_string_length(json_object_get(o, "note"));
		*out = malloc(n + 1);
		assert_non_null(*out);
		memcpy(*out, s, n + 1);
		return n;
	}
	s = str(o, "note_hex");
	*out = malloc(strlen(s) / 2 + 1);
	assert_non_null(*out);
	return unhex(s, (uint8_t *)*out, strlen(s) / 2);
}

static size_t
parse_keys(json_t *arr, struct tlog_vkey *keys)
{
	size_t i, n = json_array_size(arr);
	const char *s, *why = NULL;

	assert_true(n <= MAX_KEYS);
	for (i = 0; i < n; i++) {
		s = json_string_value(json_array_get(arr, i));
		assert_non_null(s);
		if (tlog_vkey_parse(s, strlen(s), &keys[i], &why) != ERR_OK)
			fail_msg("vkey %s: %s", s, why);
	}
	return n;
}

static void
label(char *out, const char *name, size_t name_len, uint32_t id)
{
	(void)snprintf(out, LABEL_MAX, "%.*s+%08" PRIx32, (int)name_len,
	    name, id);
}

/*
 * The labels of the lines in state st (distinct keys for VERIFIED, lines
 * in order for UNKNOWN) must equal the JSON array want (NULL = empty).
 */
static void
check_labels(const struct tlog_note *n, const struct tlog_note_check *c,
    const struct tlog_vkey *keys, enum tlog_sig_state st, json_t *want)
{
	char lab[LABEL_MAX];
	size_t i, j, got = 0;
	int dup;

	for (i = 0; i < n->n_sigs; i++) {
		if (c->sig[i].state != st)
			continue;
		if (st == TLOG_SIG_VERIFIED) {
			dup = 0;
			for (j = 0; j < i; j++)
				if (c->sig[j].state == st &&
				    c->sig[j].key == c->sig[i].key)
					dup = 1;
			if (dup)
				continue;
			assert_int_equal(keys[c->sig[i].key].key_id,
			    n->sigs[i].key_id);
		}
		label(lab, n->sigs[i].name, n->sigs[i].name_len,
		    n->sigs[i].key_id);
		assert_true(got < json_array_size(want));
		assert_string_equal(lab,
		    json_string_value(json_array_get(want, got)));
		got++;
	}
	assert_int_equal(got, json_array_size(want));
	if (st == TLOG_SIG_VERIFIED)
		assert_int_equal(c->n_verified, got);
	else
		assert_int_equal(c->n_unknown, got);
}

static void
test_vkeys(void **state)
{
	json_t *v = load_vectors(), *arr, *o;
	struct tlog_vkey k;
	struct buf b;
	uint8_t pub[32];
	const char *s, *why, *hex;
	char idhex[9];
	size_t i;
	enum err err;

	(void)state;
	buf_init(&b, 1024);
	arr = section(v, "vkeys");
	json_array_foreach(arr, i, o) {
		s = str(o, "vkey");
		why = NULL;
		err = tlog_vkey_parse(s, strlen(s), &k, &why);
		if (strcmp(str(o, "expect"), "invalid") == 0) {
			if (err == ERR_OK)
				fail_msg("accepted %s", s);
			assert_non_null(why);
			assert_int_equal(k.key_id, 0);
			assert_int_equal(k.name_len, 0);
			continue;
		}
		if (err != ERR_OK)
			fail_msg("refused %s: %s", s, why);
		assert_string_equal(k.name, str(o, "name"));
		assert_int_equal(k.name_len, strlen(k.name));
		(void)snprintf(idhex, sizeof(idhex), "%08" PRIx32, k.key_id);
		assert_string_equal(idhex, str(o, "key_id"));
		assert_int_equal(k.type, juint(o, "sig_type"));
		if ((hex = opt_str(o, "public_key")) != NULL) {
			assert_int_equal(unhex(hex, pub, sizeof(pub)), 32);
			assert_memory_equal(k.pub, pub, 32);
		}
		assert_int_equal(k.key_id, tlog_key_id(k.name, k.name_len,
		    k.type, k.pub, 32));
		/* Formatting gives the same string back. */
		buf_clear(&b);
		assert_int_equal(tlog_vkey_format(&k, &b), ERR_OK);
		assert_int_equal(b.len, strlen(s));
		assert_memory_equal(b.ptr, s, b.len);
	}
	buf_reset(&b);
	json_decref(v);
}

/* My own vkey cases. */
static void
test_vkey_negative(void **state)
{
	static const char peter[] =
	    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
	static const char *const bad[] = {
	    "",
	    "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    "PeterNeumann+c74f20a3+",
	    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
	    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW=",
	    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n",
	    "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    "Peter\xc2\xa0Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq_LDE4izWy10TW",
	    "PeterNeumann+c74f20a3",
	};
	uint8_t pub[32], key[33];
	struct tlog_vkey k;
	struct buf b;
	char s[128], b64[64];
	const char *why;
	size_t i;

	(void)state;
	assert_int_equal(tlog_vkey_parse(peter, strlen(peter), &k, NULL),
	    ERR_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (tlog_vkey_parse(bad[i], strlen(bad[i]), &k, &why) ==
		    ERR_OK)
			fail_msg("accepted %s", bad[i]);
		assert_non_null(why);
	}
	/* A length that stops inside the string. */
	assert_int_not_equal(tlog_vkey_parse(peter, strlen(peter) - 4, &k,
	    NULL), ERR_OK);

	/* Recognised, unimplemented types: ERR_UNSUPPORTED; unknown: PARSE. */
	memset(pub, 7, sizeof(pub));
	key[0] = TLOG_SIG_RFC6962;
	memcpy(key + 1, pub, 32);
	assert_int_equal(crypto_b64_encode(key, 33, 0, b64, sizeof(b64)),
	    ERR_OK);
	(void)snprintf(s, sizeof(s), "log+%08" PRIx32 "+%s",
	    tlog_key_id("log", 3, key[0], pub, 32), b64);
	assert_int_equal(tlog_vkey_parse(s, strlen(s), &k, NULL),
	    ERR_UNSUPPORTED);
	key[0] = 0x03;
	assert_int_equal(crypto_b64_encode(key, 33, 0, b64, sizeof(b64)),
	    ERR_OK);
	(void)snprintf(s, sizeof(s), "log+%08" PRIx32 "+%s",
	    tlog_key_id("log", 3, key[0], pub, 32), b64);
	assert_int_equal(tlog_vkey_parse(s, strlen(s), &k, NULL), ERR_PARSE);

	/* init refuses what parse would refuse. */
	assert_int_equal(tlog_vkey_init(&k, "a+b", 3, TLOG_SIG_ED25519, pub),
	    ERR_INVALID);
	assert_int_equal(tlog_vkey_init(&k, "", 0, TLOG_SIG_ED25519, pub),
	    ERR_INVALID);
	assert_int_equal(tlog_vkey_init(&k, "a\xe3\x80\x80z", 5,
	    TLOG_SIG_ED25519, pub), ERR_INVALID);
	assert_int_equal(tlog_vkey_init(&k, "log", 3, TLOG_SIG_RFC6962, pub),
	    ERR_UNSUPPORTED);
	assert_int_equal(tlog_vkey_init(&k, "log", 3, TLOG_SIG_COSIG_V1, pub),
	    ERR_OK);
	assert_int_equal(k.type, TLOG_SIG_COSIG_V1);
	/* A tampered key id is refused by format. */
	buf_init(&b, 1024);
	k.key_id ^= 1;
	assert_int_equal(tlog_vkey_format(&k, &b), ERR_INVALID);
	assert_int_equal(b.len, 0);
	buf_reset(&b);

	/* Name limits: 255 bytes fine, 256 not. */
	memset(s, 'n', sizeof(s));
	assert_true(tlog_name_valid(s, 100));
	assert_false(tlog_name_valid(s, 0));
	{
		char longname[TLOG_NOTE_NAME_MAX + 1];

		memset(longname, 'n', sizeof(longname));
		assert_true(tlog_name_valid(longname, TLOG_NOTE_NAME_MAX));
		assert_false(tlog_name_valid(longname,
		    TLOG_NOTE_NAME_MAX + 1));
	}
	assert_false(tlog_name_valid("a\tb", 3));
	assert_false(tlog_name_valid("a\x01", 2));
	assert_false(tlog_name_valid("\xc0\xaf", 2));
	assert_true(tlog_name_valid("\xe2\x80\x94", 3));
}

static void
test_signed_notes(void **state)
{
	json_t *v = load_vectors(), *arr, *o;
	struct tlog_vkey keys[MAX_KEYS];
	struct tlog_note_check *c;
	struct tlog_note *n;
	const char *exp, *text, *why;
	size_t i, nk, len;
	char *note;
	enum err err;

	(void)state;
	n = malloc(sizeof(*n));
	c = malloc(sizeof(*c));
	assert_non_null(n);
	assert_non_null(c);
	arr = section(v, "signed_notes");
	json_array_foreach(arr, i, o) {
		exp = str(o, "expect");
		nk = parse_keys(json_object_get(o, "verifier_keys"), keys);
		len = note_bytes(o, &note);
		why = NULL;
		err = tlog_note_parse(note, len, n, &why);
		if (strcmp(exp, "malformed") == 0) {
			if (json_object_get(o, "policy") != NULL)
				assert_int_equal(err, ERR_TOOBIG);
			else if (err != ERR_PARSE)
				fail_msg("%s: %s", str(o, "id"), err_str(err));
			assert_non_null(why);
			assert_int_equal(n->n_sigs, 0);
			assert_null(n->text);
			free(note);
			continue;
		}
		if (err != ERR_OK)
			fail_msg("%s: %s", str(o, "id"), why);
		assert_ptr_equal(n->text, note);
		if ((text = opt_str(o, "expect_text")) != NULL) {
			assert_int_equal(n->text_len, strlen(text));
			assert_memory_equal(n->text, text, n->text_len);
		}
		why = NULL;
		err = tlog_note_verify(n, keys, nk, c, &why);
		if (strcmp(exp, "invalid") == 0) {
			assert_int_equal(err, ERR_CRYPTO);
			assert_non_null(why);
			assert_int_equal(c->n_verified, 0);
		} else {
			assert_string_equal(exp, "valid");
			if (err != ERR_OK)
				fail_msg("%s: %s", str(o, "id"), why);
			check_labels(n, c, keys, TLOG_SIG_VERIFIED,
			    json_object_get(o, "expect_verified"));
			check_labels(n, c, keys, TLOG_SIG_UNKNOWN,
			    json_object_get(o, "expect_unverified"));
		}
		free(note);
	}
	free(c);
	free(n);
	json_decref(v);
}

/* Go's PRIVATE+KEY+name+hexid+base64(0x01 || seed) test key format. */
static void
parse_go_skey(const char *s, char *name, size_t name_cap, uint32_t *id,
    uint8_t seed[32])
{
	static const char prefix[] = "PRIVATE+KEY+";
	const char *p1, *p2;
	uint8_t raw[33];
	size_t n;
	char *end;

	assert_memory_equal(s, prefix, strlen(prefix));
	s += strlen(prefix);
	p1 = strchr(s, '+');
	assert_non_null(p1);
	assert_true((size_t)(p1 - s) < name_cap);
	memcpy(name, s, (size_t)(p1 - s));
	name[p1 - s] = '\0';
	p2 = strchr(p1 + 1, '+');
	assert_non_null(p2);
	assert_int_equal(p2 - p1 - 1, 8);
	*id = (uint32_t)strtoul(p1 + 1, &end, 16);
	assert_ptr_equal(end, p2);
	assert_int_equal(crypto_b64_decode(p2 + 1, strlen(p2 + 1), 0, raw,
	    sizeof(raw), &n), ERR_OK);
	assert_int_equal(n, 33);
	assert_int_equal(raw[0], TLOG_SIG_ED25519);
	memcpy(seed, raw + 1, 32);
}

static void
test_signing(void **state)
{
	json_t *v = load_vectors(), *arr, *o;
	uint8_t seed[32], pub[32];
	const char *text, *want;
	char name[TLOG_NOTE_NAME_MAX + 1];
	struct tlog_vkey k;
	struct tlog_note *n;
	struct tlog_note_check *c;
	struct buf b;
	uint32_t id;
	size_t i;

	(void)state;
	n = malloc(sizeof(*n));
	c = malloc(sizeof(*c));
	assert_non_null(n);
	assert_non_null(c);
	buf_init(&b, TLOG_NOTE_MAX_BYTES);
	arr = section(v, "signing");
	json_array_foreach(arr, i, o) {
		parse_go_skey(str(o, "skey"), name, sizeof(name), &id, seed);
		crypto_ed25519_public(seed, pub);
		assert_int_equal(tlog_key_id(name, strlen(name),
		    TLOG_SIG_ED25519, pub, 32), id);
		text = str(o, "text");
		want = str(o, "expect_note");
		buf_clear(&b);
		assert_int_equal(tlog_note_sign(text, strlen(text), name,
		    strlen(name), seed, &b), ERR_OK);
		assert_int_equal(b.len, strlen(want));
		assert_memory_equal(b.ptr, want, b.len);
		/* And it verifies under the key made from the seed. */
		assert_int_equal(tlog_vkey_init(&k, name, strlen(name),
		    TLOG_SIG_ED25519, pub), ERR_OK);
		assert_int_equal(k.key_id, id);
		assert_int_equal(tlog_note_parse(b.ptr, b.len, n, NULL),
		    ERR_OK);
		assert_int_equal(tlog_note_verify(n, &k, 1, c, NULL), ERR_OK);
		assert_int_equal(c->n_verified, 1);
	}
	crypto_wipe(seed, sizeof(seed));
	buf_reset(&b);
	free(c);
	free(n);
	json_decref(v);
}

/* The Go test note and key, used by the cases below. */
static const char peter_text[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
static const char peter_line[] =
    "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZ"
    "InNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
static const char peter_vkey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

static void
check_extensions(const struct tlog_checkpoint *cp, json_t *want)
{
	const char *p = cp->ext, *nl;
	size_t i, n = json_array_size(want);
	const char *w;

	assert_int_equal(cp->n_ext, n);
	if (n == 0) {
		assert_null(cp->ext);
		assert_int_equal(cp->ext_len, 0);
		return;
	}
	for (i = 0; i < n; i++) {
		w = json_string_value(json_array_get(want, i));
		nl = memchr(p, '\n', cp->ext_len - (size_t)(p - cp->ext));
		assert_non_null(nl);
		assert_int_equal(nl - p, strlen(w));
		assert_memory_equal(p, w, strlen(w));
		p = nl + 1;
	}
	assert_ptr_equal(p, cp->ext + cp->ext_len);
}

static void
test_checkpoints(void **state)
{
	json_t *v = load_vectors(), *arr, *o, *ecp, *ts, *t;
	struct tlog_vkey keys[MAX_KEYS];
	struct tlog_note_check *c;
	struct tlog_checkpoint cp;
	struct tlog_note *n;
	struct buf b;
	uint8_t root[32];
	const char *why, *lab_want;
	char lab[LABEL_MAX];
	size_t i, j, nk, len, found;
	char *note;
	enum err err;

	(void)state;
	n = malloc(sizeof(*n));
	c = malloc(sizeof(*c));
	assert_non_null(n);
	assert_non_null(c);
	buf_init(&b, TLOG_NOTE_MAX_BYTES);
	arr = section(v, "checkpoints");
	json_array_foreach(arr, i, o) {
		nk = parse_keys(json_object_get(o, "verifier_keys"), keys);
		len = note_bytes(o, &note);
		why = NULL;
		err = tlog_checkpoint_open(note, len, keys, nk, &cp, c, &why);
		if (strcmp(str(o, "expect"), "invalid") == 0) {
			assert_int_equal(err, ERR_CRYPTO);
			assert_non_null(why);
			assert_int_equal(cp.size, 0);
			assert_null(cp.origin);
			free(note);
			continue;
		}
		if (err != ERR_OK)
			fail_msg("%s: %s", str(o, "id"), why);
		ecp = json_object_get(o, "expect_checkpoint");
		assert_int_equal(cp.origin_len, strlen(str(ecp, "origin")));
		assert_memory_equal(cp.origin, str(ecp, "origin"),
		    cp.origin_len);
		assert_int_equal(cp.size, juint(ecp, "tree_size"));
		assert_int_equal(unhex(str(ecp, "root"), root, 32), 32);
		assert_memory_equal(cp.root, root, 32);
		check_extensions(&cp, json_object_get(ecp, "extensions"));

		/* The same again step by step, to see the lines. */
		assert_int_equal(tlog_note_parse(note, len, n, NULL), ERR_OK);
		assert_int_equal(tlog_note_verify(n, keys, nk, c, NULL),
		    ERR_OK);
		assert_true(tlog_note_verified_by(c, 0));
		check_labels(n, c, keys, TLOG_SIG_VERIFIED,
		    json_object_get(o, "expect_verified"));
		/* Formatting the parsed checkpoint gives its text back. */
		buf_clear(&b);
		assert_int_equal(tlog_checkpoint_format(&cp, &b), ERR_OK);
		assert_int_equal(b.len, n->text_len);
		assert_memory_equal(b.ptr, n->text, b.len);

		/* Cosignature timestamps, by label. */
		ts = json_object_get(o, "expect_cosignature_timestamps");
		json_object_foreach(ts, lab_want, t) {
			found = 0;
			for (j = 0; j < n->n_sigs; j++) {
				label(lab, n->sigs[j].name,
				    n->sigs[j].name_len, n->sigs[j].key_id);
				if (strcmp(lab, lab_want) != 0 ||
				    c->sig[j].state != TLOG_SIG_VERIFIED)
					continue;
				assert_int_equal(keys[c->sig[j].key].type,
				    TLOG_SIG_COSIG_V1);
				assert_int_equal(c->sig[j].timestamp,
				    (uint64_t)json_number_value(t));
				found++;
			}
			assert_int_equal(found, 1);
		}
		/* Only the log's key: still fine.  Only the witness: not. */
		assert_int_equal(tlog_checkpoint_open(note, len, keys, 1, &cp,
		    c, NULL), ERR_OK);
		if (nk > 1) {
			/* A witness key is no log key. */
			assert_int_equal(tlog_checkpoint_open(note, len,
			    keys + 1, nk - 1, &cp, c, &why), ERR_INVALID);
			/* Though the note itself verifies by the witness. */
			assert_int_equal(tlog_note_verify(n, keys + 1, nk - 1,
			    c, NULL), ERR_OK);
			/* Another log key: the witness is not enough. */
			assert_int_equal(tlog_vkey_parse(peter_vkey,
			    strlen(peter_vkey), &keys[0], NULL), ERR_OK);
			why = NULL;
			assert_int_equal(tlog_checkpoint_open(note, len, keys,
			    nk, &cp, c, &why), ERR_CRYPTO);
			assert_non_null(why);
			assert_int_equal(c->n_verified, 0);
		}
		free(note);
	}
	buf_reset(&b);
	free(c);
	free(n);
	json_decref(v);
}

static void
test_cosignatures(void **state)
{
	json_t *v = load_vectors(), *arr, *o;
	uint8_t raw[128];
	struct tlog_cosig cs;
	struct tlog_vkey k;
	struct buf b;
	const char *s, *msg, *body, *vk;
	char idhex[9];
	size_t i, n, bit;
	uint64_t ts;
	enum err err;

	(void)state;
	buf_init(&b, TLOG_NOTE_MAX_BYTES + 64);
	arr = section(v, "cosignatures");
	json_array_foreach(arr, i, o) {
		s = str(o, "signature_b64");
		err = crypto_b64_decode(s, strlen(s), 0, raw, sizeof(raw), &n);
		if (err == ERR_OK)
			err = tlog_cosig_parse(raw, n, &cs);
		if (strcmp(opt_str(o, "expect") != NULL ? str(o, "expect") :
		    "valid", "invalid") == 0) {
			assert_int_not_equal(err, ERR_OK);
			assert_int_equal(cs.key_id, 0);
			continue;
		}
		assert_int_equal(err, ERR_OK);
		(void)snprintf(idhex, sizeof(idhex), "%08" PRIx32, cs.key_id);
		assert_string_equal(idhex, str(o, "expect_key_id"));
		assert_int_equal(cs.timestamp, juint(o, "expect_timestamp"));
		if ((msg = opt_str(o, "expect_signed_message")) != NULL) {
			/* The body is what follows the two header lines. */
			body = strchr(msg, '\n');
			assert_non_null(body);
			body = strchr(body + 1, '\n');
			assert_non_null(body);
			body++;
			buf_clear(&b);
			assert_int_equal(tlog_cosig_message(body, strlen(body),
			    cs.timestamp, &b), ERR_OK);
			assert_int_equal(b.len, strlen(msg));
			assert_memory_equal(b.ptr, msg, b.len);
		}
		if ((vk = opt_str(o, "vkey")) == NULL)
			continue;
		body = str(o, "checkpoint_body");
		assert_int_equal(tlog_vkey_parse(vk, strlen(vk), &k, NULL),
		    ERR_OK);
		assert_int_equal(tlog_cosig_verify(body, strlen(body), &k, raw,
		    n, &ts), ERR_OK);
		assert_int_equal(ts, cs.timestamp);
		/* Every flipped bit of the signature breaks it. */
		for (bit = 0; bit < n * 8; bit++) {
			raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			ts = 99;
			err = tlog_cosig_verify(body, strlen(body), &k, raw, n,
			    &ts);
			assert_int_not_equal(err, ERR_OK);
			assert_int_equal(ts, 0);
			raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		/* Another body, or a key of type 0x01, fails too. */
		assert_int_equal(tlog_cosig_verify(body, strlen(body) - 1, &k,
		    raw, n, &ts), ERR_CRYPTO);
		k.type = TLOG_SIG_ED25519;
		assert_int_equal(tlog_cosig_verify(body, strlen(body), &k, raw,
		    n, &ts), ERR_INVALID);
	}
	buf_reset(&b);
	json_decref(v);
}

static void
test_checkpoint_parse(void **state)
{
	json_t *v = load_vectors(), *arr, *o;
	struct tlog_checkpoint cp;
	struct buf b;
	const char *body, *why;
	size_t i, len;
	enum err err;

	(void)state;
	buf_init(&b, TLOG_NOTE_MAX_BYTES);
	arr = section(v, "checkpoint_parse");
	json_array_foreach(arr, i, o) {
		body = str(o, "body");
		len = json_string_length(json_object_get(o, "body"));
		why = NULL;
		err = tlog_checkpoint_parse(body, len, &cp, &why);
		if (strcmp(str(o, "expect_strict"), "invalid") == 0) {
			if (err != ERR_PARSE)
				fail_msg("%s: accepted", str(o, "id"));
			assert_non_null(why);
			assert_null(cp.origin);
			continue;
		}
		if (err != ERR_OK)
			fail_msg("%s: %s", str(o, "id"), why);
		check_extensions(&cp, json_object_get(o, "expect_extensions"));
		buf_clear(&b);
		assert_int_equal(tlog_checkpoint_format(&cp, &b), ERR_OK);
		assert_int_equal(b.len, len);
		assert_memory_equal(b.ptr, body, len);
	}
	buf_reset(&b);
	json_decref(v);
}

static void
test_rfc6962_sig(void **state)
{
	json_t *v = load_vectors(), *arr, *o, *e;
	struct tlog_rfc6962_sig rs;
	uint8_t raw[256];
	const char *s;
	char idhex[9];
	size_t i, n;

	(void)state;
	arr = section(v, "rfc6962_note_signatures");
	json_array_foreach(arr, i, o) {
		s = str(o, "signature_b64");
		assert_int_equal(crypto_b64_decode(s, strlen(s), 0, raw,
		    sizeof(raw), &n), ERR_OK);
		assert_int_equal(tlog_rfc6962_sig_parse(raw, n, &rs), ERR_OK);
		e = json_object_get(o, "expect");
		(void)snprintf(idhex, sizeof(idhex), "%08" PRIx32, rs.key_id);
		assert_string_equal(idhex, str(e, "key_id"));
		assert_int_equal(rs.timestamp_ms, juint(e, "timestamp_ms"));
		assert_int_equal(rs.hash_alg, juint(e, "hash_alg"));
		assert_int_equal(rs.sig_alg, juint(e, "sig_alg"));
		assert_int_equal(rs.sig_len, juint(e, "sig_len"));
		assert_ptr_equal(rs.sig + rs.sig_len, raw + n);
		/* One byte more or less breaks the length. */
		assert_int_equal(tlog_rfc6962_sig_parse(raw, n - 1, &rs),
		    ERR_PARSE);
		assert_int_equal(tlog_rfc6962_sig_parse(raw, n + 1, &rs),
		    ERR_PARSE);
		assert_int_equal(rs.key_id, 0);
	}
	json_decref(v);
}

/* Build text + "\n" + lines into b. */
static void
make_note(struct buf *b, const char *text, const char *lines)
{
	buf_clear(b);
	assert_int_equal(buf_addstr(b, text), ERR_OK);
	assert_int_equal(buf_addc(b, '\n'), ERR_OK);
	assert_int_equal(buf_addstr(b, lines), ERR_OK);
}

static enum err
parse_verify(struct buf *b, const struct tlog_vkey *k, size_t nk)
{
	struct tlog_note_check *c;
	struct tlog_note *n;
	enum err err;

	n = malloc(sizeof(*n));
	c = malloc(sizeof(*c));
	assert_non_null(n);
	assert_non_null(c);
	err = tlog_note_parse(b->ptr, b->len, n, NULL);
	if (err == ERR_OK)
		err = tlog_note_verify(n, k, nk, c, NULL);
	free(c);
	free(n);
	return err;
}

static void
test_note_negative(void **state)
{
	static const char *const bad_text[] = {
	    "a\rb\n", "a\tb\n", "a\x7f\x01\n", "\xc0\xafx\n", "\xed\xa0\x80\n",
	    "\xf4\x90\x80\x80\n", "x\xe2\x80\n", "\xff\n", "\xc2\n",
	};
	static const char *const bad_lines[] = {
	    "\xe2\x80\x94 a+b x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
	    "\xe2\x80\x94  x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
	    "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAN=\n",
	    "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM\n",
	    "\xe2\x80\x94 PeterNeumann  x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
	    "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM= \n",
	    "\xe2\x80\x94 PeterNeumann\n",
	    "\xe2\x80\x94 PeterNeumann \n",
	    "\xe2\x80\x94 PeterNeumann AAAAAA==\n",	/* 4 bytes < 5 */
	    "\xe2\x80\x94PeterNeumann AAAAAAA=\n",
	    "- PeterNeumann AAAAAAA=\n",
	    "\xe2\x80\x94 Peter\xe2\x80\x83Neumann AAAAAAA=\n",
	    "\xe2\x80\x94 PeterNeumann AAAAAAA=\n\xe2\x80\x94 x AAAA\n",
	};
	struct tlog_vkey k;
	struct tlog_note *n;
	struct buf b, big;
	const char *why;
	size_t i, len;

	(void)state;
	n = malloc(sizeof(*n));
	assert_non_null(n);
	buf_init(&b, 4 * TLOG_NOTE_MAX_BYTES);
	buf_init(&big, 4 * TLOG_NOTE_MAX_BYTES);
	assert_int_equal(tlog_vkey_parse(peter_vkey, strlen(peter_vkey), &k,
	    NULL), ERR_OK);

	/* The base case works. */
	make_note(&b, peter_text, peter_line);
	assert_int_equal(parse_verify(&b, &k, 1), ERR_OK);
	/* Every truncation of it is malformed. */
	for (len = 0; len < b.len; len++) {
		why = NULL;
		if (tlog_note_parse(b.ptr, len, n, &why) == ERR_OK)
			fail_msg("truncated to %zu accepted", len);
		assert_non_null(why);
	}
	assert_int_equal(tlog_note_parse(NULL, 0, n, NULL), ERR_PARSE);

	/* Bad bytes in the text. */
	for (i = 0; i < sizeof(bad_text) / sizeof(bad_text[0]); i++) {
		make_note(&b, bad_text[i], peter_line);
		if (tlog_note_parse(b.ptr, b.len, n, NULL) != ERR_PARSE)
			fail_msg("bad text %zu accepted", i);
	}
	/* CR at the end of a signature line. */
	buf_clear(&b);
	assert_int_equal(buf_addstr(&b, peter_text), ERR_OK);
	assert_int_equal(buf_addc(&b, '\n'), ERR_OK);
	assert_int_equal(buf_add(&b, peter_line, strlen(peter_line) - 1),
	    ERR_OK);
	assert_int_equal(buf_addstr(&b, "\r\n"), ERR_OK);
	assert_int_equal(tlog_note_parse(b.ptr, b.len, n, NULL), ERR_PARSE);

	/* Bad signature lines. */
	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		make_note(&b, peter_text, bad_lines[i]);
		why = NULL;
		if (tlog_note_parse(b.ptr, b.len, n, &why) != ERR_PARSE)
			fail_msg("bad line %zu accepted", i);
		assert_non_null(why);
	}
	/* Padding inside the base64, in the first piece and at its end. */
	make_note(&b, peter_text, "\xe2\x80\x94 x AAAAAA==AAAA\n");
	assert_int_equal(tlog_note_parse(b.ptr, b.len, n, NULL), ERR_PARSE);
	make_note(&b, peter_text, "\xe2\x80\x94 x ");
	for (i = 0; i < 15; i++)
		assert_int_equal(buf_addstr(&b, "AAAA"), ERR_OK);
	assert_int_equal(buf_addstr(&b, "AA==AAAA\n"), ERR_OK);
	assert_int_equal(tlog_note_parse(b.ptr, b.len, n, NULL), ERR_PARSE);
	/* Without the padding the same line is fine: 51 bytes. */
	make_note(&b, peter_text, "\xe2\x80\x94 x ");
	for (i = 0; i < 17; i++)
		assert_int_equal(buf_addstr(&b, "AAAA"), ERR_OK);
	assert_int_equal(buf_addc(&b, '\n'), ERR_OK);
	assert_int_equal(tlog_note_parse(b.ptr, b.len, n, NULL), ERR_OK);
	assert_int_equal(n->sigs[0].sig_len, 51);

	/* The 5-byte minimum is accepted (an unknown line). */
	make_note(&b, peter_text, "\xe2\x80\x94 x AAAAAAA=\n");
	assert_int_equal(tlog_note_parse(b.ptr, b.len, n, NULL), ERR_OK);
	assert_int_equal(n->sigs[0].sig_len, 5);
	assert_int_equal(n->sigs[0].key_id, 0);

	/* Text with blank lines; the last blank line splits. */
	make_note(&b, "a\n\n\nb\n\n", "\xe2\x80\x94 x AAAAAAA=\n");
	assert_int_equal(tlog_note_parse(b.ptr, b.len, n, NULL), ERR_OK);
	assert_int_equal(n->text_len, 7);

	/* 100 signature lines are fine, 101 are too many. */
	buf_clear(&big);
	assert_int_equal(buf_addstr(&big, peter_text), ERR_OK);
	assert_int_equal(buf_addc(&big, '\n'), ERR_OK);
	for (i = 0; i < TLOG_NOTE_MAX_SIGS; i++)
		assert_int_equal(buf_addstr(&big, peter_line), ERR_OK);
	assert_int_equal(parse_verify(&big, &k, 1), ERR_OK);
	assert_int_equal(buf_addstr(&big, peter_line), ERR_OK);
	assert_int_equal(tlog_note_parse(big.ptr, big.len, n, NULL),
	    ERR_TOOBIG);

	/* A note past the size cap. */
	buf_clear(&big);
	while (big.len <= TLOG_NOTE_MAX_BYTES)
		assert_int_equal(buf_addstr(&big, "0123456789abcdef0123456789"
		    "abcdef0123456789abcdef012345678901\n"), ERR_OK);
	assert_int_equal(buf_addc(&big, '\n'), ERR_OK);
	assert_int_equal(buf_addstr(&big, peter_line), ERR_OK);
	assert_int_equal(tlog_note_parse(big.ptr, big.len, n, NULL),
	    ERR_TOOBIG);

	buf_reset(&big);
	buf_reset(&b);
	free(n);
}

/* Policy cases of verification. */
static void
test_note_verify_policy(void **state)
{
	struct tlog_vkey k, other;
	struct tlog_note_check *c;
	struct tlog_note *n;
	struct buf b;
	uint8_t sig[TLOG_NOTE_ED25519_BYTES + 8], orig[sizeof(sig)];
	size_t bit, slen, i;
	const char *why;

	(void)state;
	n = malloc(sizeof(*n));
	c = malloc(sizeof(*c));
	assert_non_null(n);
	assert_non_null(c);
	buf_init(&b, TLOG_NOTE_MAX_BYTES);
	assert_int_equal(tlog_vkey_parse(peter_vkey, strlen(peter_vkey), &k,
	    NULL), ERR_OK);
	make_note(&b, peter_text, peter_line);
	assert_int_equal(tlog_note_parse(b.ptr, b.len, n, NULL), ERR_OK);
	assert_int_equal(n->n_sigs, 1);
	assert_int_equal(n->sigs[0].line_len, strlen(peter_line));
	assert_memory_equal(n->sigs[0].line, peter_line, strlen(peter_line));
	assert_int_equal(n->sigs[0].sig_len, TLOG_NOTE_ED25519_BYTES);
	assert_int_equal(n->sigs[0].key_id, k.key_id);
	/* Decode: too small a buffer, then the real one. */
	assert_int_equal(tlog_note_sig_decode(&n->sigs[0], orig,
	    TLOG_NOTE_ED25519_BYTES - 1, &slen), ERR_TOOBIG);
	assert_int_equal(slen, 0);
	assert_int_equal(tlog_note_sig_decode(&n->sigs[0], orig, sizeof(orig),
	    &slen), ERR_OK);
	assert_int_equal(slen, TLOG_NOTE_ED25519_BYTES);

	/* Each flipped bit of the signature proper is refused. */
	for (bit = TLOG_NOTE_KEY_ID_BYTES * 8; bit < slen * 8; bit++) {
		memcpy(sig, orig, slen);
		sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		buf_clear(&b);
		assert_int_equal(buf_addstr(&b, peter_text), ERR_OK);
		assert_int_equal(buf_addc(&b, '\n'), ERR_OK);
		assert_int_equal(tlog_note_line("PeterNeumann", 12, sig, slen,
		    &b), ERR_OK);
		assert_int_equal(tlog_note_parse(b.ptr, b.len, n, NULL),
		    ERR_OK);
		why = NULL;
		assert_int_equal(tlog_note_verify(n, &k, 1, c, &why),
		    ERR_CRYPTO);
		assert_non_null(why);
		assert_int_equal(c->n_verified, 0);
	}
	/* A flipped key id bit makes the line unknown: no known signature. */
	memcpy(sig, orig, slen);
	sig[3] ^= 1;
	buf_clear(&b);
	assert_int_equal(buf_addstr(&b, peter_text), ERR_OK);
	assert_int_equal(buf_addc(&b, '\n'), ERR_OK);
	assert_int_equal(tlog_note_line("PeterNeumann", 12, sig, slen, &b),
	    ERR_OK);
	assert_int_equal(tlog_note_parse(b.ptr, b.len, n, NULL), ERR_OK);
	assert_int_equal(tlog_note_verify(n, &k, 1, c, NULL), ERR_CRYPTO);
	/* A signature of the wrong length by a known key: refused. */
	memcpy(sig, orig, slen);
	sig[slen] = 0;
	make_note(&b, peter_text, "");
	assert_int_equal(tlog_note_line("PeterNeumann", 12, sig, slen + 1,
	    &b), ERR_OK);
	assert_int_equal(tlog_note_parse(b.ptr, b.len, n, NULL), ERR_OK);
	assert_int_equal(tlog_note_verify(n, &k, 1, c, NULL), ERR_CRYPTO);
	/*
	 * A good line and a different bad line by the same key: refused (Go
	 * would check only the first line of a key).
	 */
	memcpy(sig, orig, slen);
	sig[40] ^= 0x20;
	make_note(&b, peter_text, peter_line);
	assert_int_equal(tlog_note_line("PeterNeumann", 12, sig, slen, &b),
	    ERR_OK);
	assert_int_equal(tlog_note_parse(b.ptr, b.len, n, NULL), ERR_OK);
	assert_int_equal(n->n_sigs, 2);
	assert_int_equal(tlog_note_verify(n, &k, 1, c, NULL), ERR_CRYPTO);
	/* The same key id under another name is another key: unknown. */
	other = k;
	memcpy(other.name, "PeterNeumanm", 12);
	make_note(&b, peter_text, peter_line);
	assert_int_equal(tlog_note_parse(b.ptr, b.len, n, NULL), ERR_OK);
	assert_int_equal(tlog_note_verify(n, &other, 1, c, NULL), ERR_CRYPTO);
	/* Listing the right key after it works, and says which one. */
	{
		struct tlog_vkey two[2];

		two[0] = other;
		two[1] = k;
		assert_int_equal(tlog_note_verify(n, two, 2, c, NULL), ERR_OK);
		assert_false(tlog_note_verified_by(c, 0));
		assert_true(tlog_note_verified_by(c, 1));
		assert_int_equal(c->sig[0].key, 1);
		assert_int_equal(c->sig[0].timestamp, 0);
	}
	/* No keys at all. */
	assert_int_equal(tlog_note_verify(n, NULL, 0, c, NULL), ERR_CRYPTO);
	/* Duplicates: counted once. */
	buf_clear(&b);
	assert_int_equal(buf_addstr(&b, peter_text), ERR_OK);
	assert_int_equal(buf_addc(&b, '\n'), ERR_OK);
	for (i = 0; i < 3; i++)
		assert_int_equal(buf_addstr(&b, peter_line), ERR_OK);
	assert_int_equal(tlog_note_parse(b.ptr, b.len, n, NULL), ERR_OK);
	assert_int_equal(tlog_note_verify(n, &k, 1, c, NULL), ERR_OK);
	assert_int_equal(c->n_verified, 1);
	assert_int_equal(c->sig[0].state, TLOG_SIG_VERIFIED);
	assert_int_equal(c->sig[1].state, TLOG_SIG_DUPLICATE);
	assert_int_equal(c->sig[2].state, TLOG_SIG_DUPLICATE);

	/* tlog_note_line refuses bad names and short signatures. */
	buf_clear(&b);
	assert_int_equal(tlog_note_line("a+b", 3, orig, slen, &b),
	    ERR_INVALID);
	assert_int_equal(tlog_note_line("a b", 3, orig, slen, &b),
	    ERR_INVALID);
	assert_int_equal(tlog_note_line("ab", 2, orig, 4, &b), ERR_INVALID);
	assert_int_equal(b.len, 0);

	buf_reset(&b);
	free(c);
	free(n);
}

static void
test_checkpoint_negative(void **state)
{
	static const char root_b64[] =
	    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
	static const char *const bad_sizes[] = {
	    "", "00", "01", "-0", "+1", " 1", "1 ", "0x10", "1e3", "١",
	    "18446744073709551616", "99999999999999999999",
	    "184467440737095516150",
	};
	struct tlog_checkpoint cp, f;
	struct buf b, t;
	uint8_t raw[33];
	char b64[64];
	size_t i;

	(void)state;
	buf_init(&b, TLOG_NOTE_MAX_BYTES);
	buf_init(&t, TLOG_NOTE_MAX_BYTES);
	for (i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		buf_clear(&t);
		assert_int_equal(buf_addf(&t, "log\n%s\n%s\n", bad_sizes[i],
		    root_b64), ERR_OK);
		if (tlog_checkpoint_parse(t.ptr, t.len, &cp, NULL) !=
		    ERR_PARSE)
			fail_msg("size \"%s\" accepted", bad_sizes[i]);
	}
	/* Roots of 31 and 33 bytes, each in canonical base64. */
	memset(raw, 0xab, sizeof(raw));
	assert_int_equal(crypto_b64_encode(raw, 31, 0, b64, sizeof(b64)),
	    ERR_OK);
	assert_int_equal(strlen(b64), 44);
	buf_clear(&t);
	assert_int_equal(buf_addf(&t, "log\n1\n%s\n", b64), ERR_OK);
	assert_int_equal(tlog_checkpoint_parse(t.ptr, t.len, &cp, NULL),
	    ERR_PARSE);
	assert_int_equal(crypto_b64_encode(raw, 33, 0, b64, sizeof(b64)),
	    ERR_OK);
	assert_int_equal(strlen(b64), 44);
	buf_clear(&t);
	assert_int_equal(buf_addf(&t, "log\n1\n%s\n", b64), ERR_OK);
	assert_int_equal(tlog_checkpoint_parse(t.ptr, t.len, &cp, NULL),
	    ERR_PARSE);
	/* URL-safe alphabet, a TAB, missing lines. */
	assert_int_equal(tlog_checkpoint_parse("log\n1\n"
	    "CsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n", 50, &cp, NULL),
	    ERR_PARSE);
	assert_int_equal(tlog_checkpoint_parse("l\tg\n1\n"
	    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", 50, &cp, NULL),
	    ERR_PARSE);
	assert_int_equal(tlog_checkpoint_parse("log\n1\n", 6, &cp, NULL),
	    ERR_PARSE);
	assert_int_equal(tlog_checkpoint_parse("log\n", 4, &cp, NULL),
	    ERR_PARSE);
	assert_int_equal(tlog_checkpoint_parse("", 0, &cp, NULL), ERR_PARSE);
	assert_int_equal(tlog_checkpoint_parse(NULL, 0, &cp, NULL), ERR_PARSE);

	/* The largest size parses and formats back. */
	buf_clear(&t);
	assert_int_equal(buf_addf(&t, "example.com/log\n18446744073709551615\n"
	    "%s\nx\n", root_b64), ERR_OK);
	assert_int_equal(tlog_checkpoint_parse(t.ptr, t.len, &cp, NULL),
	    ERR_OK);
	assert_true(cp.size == UINT64_MAX);
	assert_int_equal(cp.n_ext, 1);
	assert_int_equal(tlog_checkpoint_format(&cp, &b), ERR_OK);
	assert_int_equal(b.len, t.len);
	assert_memory_equal(b.ptr, t.ptr, t.len);

	/* format refuses what would not parse back. */
	f = cp;
	f.origin = "a\nb";
	f.origin_len = 3;
	assert_int_equal(tlog_checkpoint_format(&f, &b), ERR_INVALID);
	assert_int_equal(b.len, 0);
	f = cp;
	f.origin_len = 0;
	assert_int_equal(tlog_checkpoint_format(&f, &b), ERR_INVALID);
	f = cp;
	f.n_ext = 2;
	assert_int_equal(tlog_checkpoint_format(&f, &b), ERR_INVALID);
	f = cp;
	f.ext = "x\n\ny\n";
	f.ext_len = 5;
	assert_int_equal(tlog_checkpoint_format(&f, &b), ERR_INVALID);
	f = cp;
	f.ext = "x";
	f.ext_len = 1;
	assert_int_equal(tlog_checkpoint_format(&f, &b), ERR_INVALID);
	f = cp;
	f.ext = NULL;
	f.ext_len = 0;
	f.n_ext = 0;
	f.size = 0;
	assert_int_equal(tlog_checkpoint_format(&f, &b), ERR_OK);
	assert_int_equal(b.len, strlen("example.com/log\n0\n") + 45);
	assert_memory_equal(b.ptr, "example.com/log\n0\n", 18);

	buf_reset(&t);
	buf_reset(&b);
}

/* Keys from crypto_ed25519_keypair: sign, cosign, parse, verify. */
static void
test_round_trip(void **state)
{
	uint8_t lseed[32], lpub[32], wseed[32], wpub[32], raw[80];
	uint8_t cosig[TLOG_COSIG_BYTES];
	struct tlog_vkey keys[2], back;
	struct tlog_note_check *c;
	struct tlog_checkpoint cp, cp2;
	struct tlog_cosig cs;
	struct tlog_note *n;
	struct buf text, note, line, vk;
	const uint64_t when = 1779573024;
	uint64_t ts;
	size_t i, rlen;

	(void)state;
	n = malloc(sizeof(*n));
	c = malloc(sizeof(*c));
	assert_non_null(n);
	assert_non_null(c);
	buf_init(&text, TLOG_NOTE_MAX_BYTES);
	buf_init(&note, TLOG_NOTE_MAX_BYTES);
	buf_init(&line, 1024);
	buf_init(&vk, TLOG_VKEY_MAX_LEN);
	assert_int_equal(crypto_ed25519_keypair(lpub, lseed), ERR_OK);
	assert_int_equal(crypto_ed25519_keypair(wpub, wseed), ERR_OK);
	assert_int_equal(tlog_vkey_init(&keys[0], "node.example/entente/log",
	    24, TLOG_SIG_ED25519, lpub), ERR_OK);
	assert_int_equal(tlog_vkey_init(&keys[1], "witness.example", 15,
	    TLOG_SIG_COSIG_V1, wpub), ERR_OK);
	/* vkey string round trip. */
	for (i = 0; i < 2; i++) {
		buf_clear(&vk);
		assert_int_equal(tlog_vkey_format(&keys[i], &vk), ERR_OK);
		assert_true(vk.len <= TLOG_VKEY_MAX_LEN);
		assert_int_equal(tlog_vkey_parse(vk.ptr, vk.len, &back, NULL),
		    ERR_OK);
		assert_memory_equal(&back, &keys[i], sizeof(back));
	}

	/* Checkpoint text, signed by the log. */
	memset(&cp, 0, sizeof(cp));
	cp.origin = "node.example/entente/log";
	cp.origin_len = 24;
	cp.size = 300;
	for (i = 0; i < sizeof(cp.root); i++)
		cp.root[i] = (uint8_t)(i * 7);
	assert_int_equal(tlog_checkpoint_format(&cp, &text), ERR_OK);
	assert_int_equal(tlog_note_sign(text.ptr, text.len, keys[0].name,
	    keys[0].name_len, lseed, &note), ERR_OK);
	/* Cosigned by the witness. */
	assert_int_equal(tlog_cosign(text.ptr, text.len, keys[1].name,
	    keys[1].name_len, wseed, when, cosig, &line), ERR_OK);
	assert_int_equal(tlog_cosig_parse(cosig, sizeof(cosig), &cs), ERR_OK);
	assert_int_equal(cs.key_id, keys[1].key_id);
	assert_int_equal(cs.timestamp, when);
	assert_int_equal(tlog_cosig_verify(text.ptr, text.len, &keys[1],
	    cosig, sizeof(cosig), &ts), ERR_OK);
	assert_int_equal(ts, when);
	assert_int_equal(buf_add(&note, line.ptr, line.len), ERR_OK);

	/* Open: both verify, the timestamp comes back. */
	assert_int_equal(tlog_checkpoint_open(note.ptr, note.len, keys, 2,
	    &cp2, c, NULL), ERR_OK);
	assert_int_equal(c->n_verified, 2);
	assert_true(tlog_note_verified_by(c, 0));
	assert_true(tlog_note_verified_by(c, 1));
	assert_int_equal(c->sig[1].timestamp, when);
	assert_int_equal(c->sig[0].timestamp, 0);
	assert_true(cp2.size == 300);
	assert_memory_equal(cp2.root, cp.root, 32);
	assert_int_equal(cp2.origin_len, 24);
	assert_memory_equal(cp2.origin, cp.origin, 24);
	/* The decoded cosignature line is the one tlog_cosign made. */
	assert_int_equal(tlog_note_parse(note.ptr, note.len, n, NULL), ERR_OK);
	assert_int_equal(n->n_sigs, 2);
	assert_int_equal(tlog_note_sig_decode(&n->sigs[1], raw, sizeof(raw),
	    &rlen), ERR_OK);
	assert_int_equal(rlen, TLOG_COSIG_BYTES);
	assert_memory_equal(raw, cosig, rlen);

	/* A key mistaken for the other type fails. */
	back = keys[1];
	back.type = TLOG_SIG_ED25519;
	back.key_id = keys[1].key_id;
	{
		struct tlog_vkey mixed[2];

		mixed[0] = keys[0];
		mixed[1] = back;
		assert_int_equal(tlog_note_verify(n, mixed, 2, c, NULL),
		    ERR_CRYPTO);
	}

	/* Largest timestamp works; one more is refused everywhere. */
	buf_clear(&line);
	assert_int_equal(tlog_cosign(text.ptr, text.len, keys[1].name,
	    keys[1].name_len, wseed, TLOG_COSIG_TIME_MAX, cosig, &line),
	    ERR_OK);
	assert_int_equal(tlog_cosig_verify(text.ptr, text.len, &keys[1],
	    cosig, sizeof(cosig), &ts), ERR_OK);
	assert_true(ts == TLOG_COSIG_TIME_MAX);
	buf_clear(&vk);
	assert_int_equal(tlog_cosig_message("x\n", 2, TLOG_COSIG_TIME_MAX,
	    &vk), ERR_OK);
	assert_int_equal(vk.len,
	    strlen("cosignature/v1\ntime 9223372036854775807\nx\n"));
	assert_memory_equal(vk.ptr,
	    "cosignature/v1\ntime 9223372036854775807\nx\n", vk.len);
	assert_int_equal(tlog_cosig_message("x\n", 2, TLOG_COSIG_TIME_MAX + 1,
	    &vk), ERR_RANGE);
	assert_int_equal(vk.len, 0);
	assert_int_equal(tlog_cosign(text.ptr, text.len, keys[1].name,
	    keys[1].name_len, wseed, TLOG_COSIG_TIME_MAX + 1, cosig, &line),
	    ERR_RANGE);
	for (i = 0; i < sizeof(cosig); i++)
		assert_int_equal(cosig[i], 0);
	assert_int_equal(line.len, 0);
	/* A hand-made cosignature with time 2^63: malformed. */
	assert_int_equal(tlog_cosign(text.ptr, text.len, keys[1].name,
	    keys[1].name_len, wseed, 5, cosig, NULL), ERR_OK);
	cosig[4] = 0x80;
	memset(cosig + 5, 0, 7);
	assert_int_equal(tlog_cosig_parse(cosig, sizeof(cosig), &cs),
	    ERR_PARSE);
	assert_int_equal(tlog_cosig_verify(text.ptr, text.len, &keys[1],
	    cosig, sizeof(cosig), &ts), ERR_PARSE);
	assert_int_equal(tlog_cosig_parse(cosig, sizeof(cosig) - 1, &cs),
	    ERR_PARSE);

	/* Cosign refuses what is not a checkpoint, and bad names. */
	assert_int_equal(tlog_cosign("hello\n", 6, "w", 1, wseed, 1, cosig,
	    NULL), ERR_PARSE);
	assert_int_equal(tlog_cosign(text.ptr, text.len, "w+x", 3, wseed, 1,
	    cosig, NULL), ERR_INVALID);
	/* Sign refuses bad text and names. */
	buf_clear(&note);
	assert_int_equal(tlog_note_sign("no newline", 10, "n", 1, lseed,
	    &note), ERR_INVALID);
	assert_int_equal(tlog_note_sign("cr\r\n", 4, "n", 1, lseed, &note),
	    ERR_INVALID);
	assert_int_equal(tlog_note_sign("", 0, "n", 1, lseed, &note),
	    ERR_INVALID);
	assert_int_equal(tlog_note_sign("ok\n", 3, "a+b", 3, lseed, &note),
	    ERR_INVALID);
	assert_int_equal(note.len, 0);

	crypto_wipe(lseed, sizeof(lseed));
	crypto_wipe(wseed, sizeof(wseed));
	buf_reset(&vk);
	buf_reset(&line);
	buf_reset(&note);
	buf_reset(&text);
	free(c);
	free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vkeys),
		cmocka_unit_test(test_vkey_negative),
		cmocka_unit_test(test_signed_notes),
		cmocka_unit_test(test_signing),
		cmocka_unit_test(test_checkpoints),
		cmocka_unit_test(test_cosignatures),
		cmocka_unit_test(test_checkpoint_parse),
		cmocka_unit_test(test_rfc6962_sig),
		cmocka_unit_test(test_note_negative),
		cmocka_unit_test(test_note_verify_policy),
		cmocka_unit_test(test_checkpoint_negative),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
