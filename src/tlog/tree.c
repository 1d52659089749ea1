/*
 * tree.c: the node's transparency log, kept in the store.  See tree.h and
 * docs/internals/TLOG.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "store/store.h"
#include "tlog/leaf.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/tree.h"
#include "util/buf.h"
#include "util/log.h"

/* Leaves between two progress reports of an audit. */
#define AUDIT_PROGRESS_EVERY	(UINT64_C(1) << 16)

/* Read accessor over the store (its tiles, level 0 included). */
static enum err
store_get(void *arg, unsigned level, uint64_t index,
    uint8_t out[TLOG_HASH_BYTES])
{
	struct store *st = arg;
	enum err err;

	err = store_tlog_node_get(st, level, index, out);
	if (err == ERR_NOTFOUND) {
		log_err("tlog: node (%u, %llu) missing from the store", level,
		    (unsigned long long)index);
		err = ERR_DB;
	}
	return err;
}

/* The appender's view of one append in progress. */
struct append_ctx {
	struct tlog_appender	*a;
	unsigned		 top;	/* highest level put */
	uint8_t			 top_hash[TLOG_HASH_BYTES];
};

/* Left siblings come from the cached right edge. */
static enum err
edge_get(void *arg, unsigned level, uint64_t index,
    uint8_t out[TLOG_HASH_BYTES])
{
	struct append_ctx *c = arg;
	uint64_t size = c->a->size;

	if (level < TLOG_TREE_LEVELS && (size >> level & 1) != 0 &&
	    index == (size >> level) - 1) {
		memcpy(out, c->a->edge[level], TLOG_HASH_BYTES);
		return ERR_OK;
	}
	return store_get(c->a->st, level, index, out);
}

/* New inner nodes go to the store; the leaf itself is already there. */
static enum err
edge_put(void *arg, unsigned level, uint64_t index,
    const uint8_t h[TLOG_HASH_BYTES])
{
	struct append_ctx *c = arg;
	enum err err = ERR_OK;

	if (level > 0)
		err = store_tlog_node_put(c->a->st, level, index, h);
	if (err == ERR_OK) {
		c->top = level;
		memcpy(c->top_hash, h, TLOG_HASH_BYTES);
	}
	return err;
}

/* Start a run of appends.  See tree.h. */
enum err
tlog_appender_begin(struct tlog_appender *a, struct store *st)
{
	enum err err;

	memset(a, 0, sizeof(*a));
	a->st = st;
	buf_init(&a->enc, TLOG_LEAF_MAX_BYTES);
	if ((err = store_tlog_size(st, &a->size)) != ERR_OK)
		return err;
	for (unsigned l = 0; l < TLOG_TREE_LEVELS; l++) {
		if ((a->size >> l & 1) == 0)
			continue;
		err = store_get(st, l, (a->size >> l) - 1, a->edge[l]);
		if (err != ERR_OK)
			return err;
	}
	return ERR_OK;
}

/* Append one encoded leaf.  See tree.h. */
enum err
tlog_appender_add(struct tlog_appender *a, const uint8_t *data, size_t len,
    uint64_t *index_out)
{
	struct append_ctx c;
	uint8_t h[TLOG_HASH_BYTES];
	enum err err;

	if (len > TLOG_LEAF_ENTRY_LIMIT)
		return ERR_TOOBIG;
	if (a->size >= STORE_TLOG_MAX_INDEX - 1)
		return ERR_RANGE;
	tlog_leaf_hash(data, len, h);
	err = store_tlog_leaf_add(a->st, a->size, h, data, len);
	if (err != ERR_OK)
		return err;
	memset(&c, 0, sizeof(c));
	c.a = a;
	if ((err = tlog_append(a->size, h, edge_get, edge_put, &c)) != ERR_OK)
		return err;
	/* Bits below top clear, bit top sets: its node is the new edge. */
	memcpy(a->edge[c.top], c.top_hash, TLOG_HASH_BYTES);
	if (index_out != NULL)
		*index_out = a->size;
	a->size++;
	return ERR_OK;
}

/* Encode and append.  See tree.h. */
enum err
tlog_appender_add_leaf(struct tlog_appender *a, const struct tlog_leaf *l,
    uint64_t *index_out)
{
	enum err err;

	buf_clear(&a->enc);
	if ((err = tlog_leaf_encode(l, &a->enc)) != ERR_OK)
		return err;
	return tlog_appender_add(a, (const uint8_t *)a->enc.ptr, a->enc.len,
	    index_out);
}

/* Free the scratch.  See tree.h. */
void
tlog_appender_done(struct tlog_appender *a)
{
	buf_reset(&a->enc);
}

/* The tree size.  See tree.h. */
enum err
tlog_tree_size(struct store *st, uint64_t *size_out)
{
	return store_tlog_size(st, size_out);
}

/* ERR_RANGE unless size is at most the current size. */
static enum err
check_size(struct store *st, uint64_t size)
{
	uint64_t cur;
	enum err err;

	if ((err = store_tlog_size(st, &cur)) != ERR_OK)
		return err;
	return size <= cur ? ERR_OK : ERR_RANGE;
}

/* The root of a size.  See tree.h. */
enum err
tlog_tree_root(struct store *st, uint64_t size, uint8_t root[TLOG_HASH_BYTES])
{
	enum err err;

	if ((err = check_size(st, size)) != ERR_OK)
		return err;
	return tlog_root(size, store_get, st, root);
}

/* An inclusion proof.  See tree.h. */
enum err
tlog_tree_inclusion(struct store *st, uint64_t index, uint64_t size,
    uint8_t (*out)[TLOG_HASH_BYTES], size_t *n_out)
{
	enum err err;

	*n_out = 0;
	if ((err = check_size(st, size)) != ERR_OK)
		return err;
	return tlog_inclusion_proof(index, size, store_get, st, out,
	    TLOG_MAX_PROOF, n_out);
}

/* A consistency proof.  See tree.h. */
enum err
tlog_tree_consistency(struct store *st, uint64_t size1, uint64_t size2,
    uint8_t (*out)[TLOG_HASH_BYTES], size_t *n_out)
{
	enum err err;

	*n_out = 0;
	if ((err = check_size(st, size2)) != ERR_OK)
		return err;
	return tlog_consistency_proof(size1, size2, store_get, st, out,
	    TLOG_MAX_PROOF, n_out);
}

/* The node's verifier key.  See tree.h. */
enum err
tlog_signer_vkey(const struct tlog_signer *s, struct buf *out)
{
	struct tlog_vkey k;
	enum err err;

	err = tlog_vkey_init(&k, s->origin, strlen(s->origin),
	    TLOG_SIG_ED25519, s->pub);
	if (err != ERR_OK)
		return err;
	return tlog_vkey_format(&k, out);
}

/* Make the signed checkpoint note of (size, root) into note. */
static enum err
sign_checkpoint(const struct tlog_signer *s, uint64_t size,
    const uint8_t root[TLOG_HASH_BYTES], struct buf *note)
{
	struct tlog_checkpoint cp;
	struct buf text;
	enum err err;

	memset(&cp, 0, sizeof(cp));
	cp.origin = s->origin;
	cp.origin_len = strlen(s->origin);
	cp.size = size;
	memcpy(cp.root, root, TLOG_HASH_BYTES);
	buf_init(&text, TLOG_NOTE_MAX_BYTES);
	if ((err = tlog_checkpoint_format(&cp, &text)) == ERR_OK)
		err = tlog_note_sign(text.ptr, text.len, s->origin,
		    cp.origin_len, s->seed, note);
	buf_reset(&text);
	return err;
}

/* Issue a checkpoint if the tree grew.  See tree.h. */
enum err
tlog_tree_checkpoint(struct store *st, const struct tlog_signer *s,
    int64_t now, uint64_t *size_out, int *issued)
{
	struct store_tlog_cp cp, last;
	struct buf note;
	uint64_t size;
	int have_last = 1;
	enum err err;

	if (issued != NULL)
		*issued = 0;
	buf_init(&note, TLOG_NOTE_MAX_BYTES);
	if ((err = store_begin(st)) != ERR_OK)
		goto out;
	if ((err = store_tlog_size(st, &size)) != ERR_OK)
		goto fail;
	err = store_tlog_cp_get(st, STORE_TLOG_LATEST, &last, NULL);
	if (err == ERR_NOTFOUND)
		have_last = 0;
	else if (err != ERR_OK)
		goto fail;
	if (have_last && last.size > size) {
		log_err("tlog: checkpoint of size %llu past the tree (%llu)",
		    (unsigned long long)last.size, (unsigned long long)size);
		err = ERR_DB;
		goto fail;
	}
	if (have_last && last.size == size) {
		store_rollback(st);
		if (size_out != NULL)
			*size_out = size;
		goto out;
	}
	memset(&cp, 0, sizeof(cp));
	cp.size = size;
	cp.issued = now;
	if ((err = tlog_root(size, store_get, st, cp.root)) != ERR_OK ||
	    (err = sign_checkpoint(s, size, cp.root, &note)) != ERR_OK ||
	    (err = store_tlog_cp_add(st, &cp, note.ptr, note.len)) != ERR_OK)
		goto fail;
	if ((err = store_commit(st)) != ERR_OK)
		goto out;
	if (size_out != NULL)
		*size_out = size;
	if (issued != NULL)
		*issued = 1;
	goto out;
fail:
	store_rollback(st);
out:
	buf_reset(&note);
	return err;
}

/* A checkpoint as served.  See tree.h. */
enum err
tlog_tree_served(struct store *st, uint64_t size, struct buf *out)
{
	struct store_tlog_cosig *cs = NULL;
	struct store_tlog_cp cp;
	size_t n = 0;
	enum err err;

	if ((err = store_tlog_cp_get(st, size, &cp, out)) != ERR_OK)
		return err;
	if ((err = store_tlog_cosig_list(st, cp.size, &cs, &n)) != ERR_OK)
		return err;
	for (size_t i = 0; i < n && err == ERR_OK; i++)
		if ((err = buf_addstr(out, cs[i].line)) == ERR_OK)
			err = buf_addc(out, '\n');
	free(cs);
	return err;
}

/* Give the caller of cosign_submit a reason: prefix and detail. */
static enum err
say(char *msg, size_t cap, enum err err, const char *prefix,
    const char *detail)
{
	if (msg != NULL && cap > 0)
		(void)snprintf(msg, cap, "%s%s", prefix, detail);
	return err;
}

/* A partner's cosignature.  See tree.h. */
enum err
tlog_tree_cosign_submit(struct store *st, int64_t party_id,
    const uint8_t party_pub[CRYPTO_ED25519_PUBLIC_BYTES], const char *body,
    size_t len, int64_t now, char *msg, size_t msg_cap)
{
	struct tlog_note note, mine;
	struct tlog_checkpoint cp;
	struct buf stored, line;
	const char *why = NULL;
	uint8_t sig[TLOG_COSIG_BYTES + 1];
	size_t good = 0, bad = 0, sig_len;
	enum err err;

	buf_init(&stored, STORE_TLOG_NOTE_MAX);
	buf_init(&line, STORE_TLOG_LINE_MAX + 2);
	if (tlog_note_parse(body, len, &note, &why) != ERR_OK) {
		err = say(msg, msg_cap, ERR_PARSE, "not a signed note: ",
		    why != NULL ? why : "malformed");
		goto out;
	}
	if (tlog_checkpoint_parse(note.text, note.text_len, &cp, &why) !=
	    ERR_OK) {
		err = say(msg, msg_cap, ERR_PARSE, "not a checkpoint: ",
		    why != NULL ? why : "malformed");
		goto out;
	}
	err = store_tlog_cp_get(st, cp.size, NULL, &stored);
	if (err == ERR_NOTFOUND) {
		err = say(msg, msg_cap, ERR_NOTFOUND, "",
		    "no checkpoint of that size was issued by this log");
		goto out;
	} else if (err != ERR_OK) {
		goto out;
	}
	if (tlog_note_parse(stored.ptr, stored.len, &mine, NULL) != ERR_OK) {
		log_err("tlog: stored checkpoint %llu does not parse",
		    (unsigned long long)cp.size);
		err = ERR_DB;
		goto out;
	}
	if (mine.text_len != note.text_len ||
	    memcmp(mine.text, note.text, note.text_len) != 0) {
		err = say(msg, msg_cap, ERR_NOTFOUND, "",
		    "the checkpoint text differs from the one this log issued");
		goto out;
	}
	if ((err = store_begin(st)) != ERR_OK)
		goto out;
	for (size_t i = 0; i < note.n_sigs; i++) {
		const struct tlog_note_sig *s = &note.sigs[i];
		struct tlog_vkey k;
		uint64_t ts;

		if (tlog_vkey_init(&k, s->name, s->name_len, TLOG_SIG_COSIG_V1,
		    party_pub) != ERR_OK || k.key_id != s->key_id)
			continue;
		if (tlog_note_sig_decode(s, sig, sizeof(sig), &sig_len) !=
		    ERR_OK || tlog_cosig_verify(note.text, note.text_len, &k,
		    sig, sig_len, &ts) != ERR_OK) {
			bad++;
			continue;
		}
		buf_clear(&line);
		/* The line without its newline. */
		if ((err = buf_add(&line, s->line, s->line_len - 1)) !=
		    ERR_OK || (err = buf_addc(&line, '\0')) != ERR_OK ||
		    (err = store_tlog_cosig_put(st, cp.size, party_id,
		    line.ptr, now)) != ERR_OK) {
			store_rollback(st);
			goto out;
		}
		good++;
	}
	if (bad > 0 || good == 0) {
		store_rollback(st);
		err = say(msg, msg_cap, ERR_CRYPTO, "", bad > 0 ?
		    "a cosignature by your key does not verify" :
		    "no cosignature/v1 line by your key");
		goto out;
	}
	if ((err = store_commit(st)) != ERR_OK)
		goto out;
out:
	buf_reset(&stored);
	buf_reset(&line);
	return err;
}

/* Note a problem found by the audit. */
static void audit_bad(struct tlog_audit *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
audit_bad(struct tlog_audit *r, const char *fmt, ...)
{
	char m[sizeof(r->first)];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	log_err("tlog audit: %s", m);
	if (r->bad++ == 0)
		memcpy(r->first, m, sizeof(m));
}

/* Check every checkpoint against the (already audited) tree. */
static enum err
audit_checkpoints(struct store *st, uint64_t size,
    const struct tlog_vkey *vkey, struct tlog_audit *r)
{
	struct store_tlog_cp cp;
	struct tlog_checkpoint parsed;
	struct tlog_note_check check;
	uint8_t root[TLOG_HASH_BYTES];
	struct buf note;
	int64_t after = -1;
	enum err err;

	buf_init(&note, STORE_TLOG_NOTE_MAX);
	for (;;) {
		buf_clear(&note);
		err = store_tlog_cp_next(st, after, &cp, &note);
		if (err == ERR_NOTFOUND) {
			err = ERR_OK;
			break;
		}
		if (err != ERR_OK)
			break;
		after = (int64_t)cp.size;
		r->checkpoints++;
		if (cp.size > size) {
			audit_bad(r, "checkpoint of size %llu commits to leaves "
			    "past the tree (%llu)", (unsigned long long)cp.size,
			    (unsigned long long)size);
			continue;
		}
		err = tlog_root(cp.size, store_get, st, root);
		if (err == ERR_DB) {
			/* A node missing or malformed: reported already. */
			audit_bad(r, "checkpoint of size %llu: no root can be "
			    "computed from the stored nodes",
			    (unsigned long long)cp.size);
			err = ERR_OK;
			continue;
		}
		if (err != ERR_OK)
			break;
		if (memcmp(root, cp.root, TLOG_HASH_BYTES) != 0)
			audit_bad(r, "checkpoint of size %llu: stored root is "
			    "not the tree's", (unsigned long long)cp.size);
		if (tlog_checkpoint_open(note.ptr, note.len, vkey, 1, &parsed,
		    &check, NULL) != ERR_OK) {
			audit_bad(r, "checkpoint of size %llu: the signed note "
			    "does not verify with this node's key",
			    (unsigned long long)cp.size);
			continue;
		}
		if (parsed.size != cp.size ||
		    memcmp(parsed.root, cp.root, TLOG_HASH_BYTES) != 0)
			audit_bad(r, "checkpoint of size %llu: the signed note "
			    "says size %llu or another root",
			    (unsigned long long)cp.size,
			    (unsigned long long)parsed.size);
	}
	buf_reset(&note);
	return err;
}

/* A problem the store found in its own layout. */
static void
audit_store_bad(void *arg, const char *msg)
{
	audit_bad(arg, "%s", msg);
}

/* Rebuild and compare.  See tree.h. */
enum err
tlog_tree_audit(struct store *st, const struct tlog_vkey *vkey,
    tlog_progress_fn progress, void *arg, struct tlog_audit *report)
{
	uint8_t stack[TLOG_TREE_LEVELS][TLOG_HASH_BYTES];
	uint8_t h[TLOG_HASH_BYTES], stored[TLOG_HASH_BYTES];
	struct tlog_leaf leaf;
	struct buf data;
	uint64_t size;
	unsigned depth = 0;
	enum err err;

	memset(report, 0, sizeof(*report));
	buf_init(&data, STORE_TLOG_LEAF_MAX);
	if ((err = store_read_begin(st)) != ERR_OK) {
		buf_reset(&data);
		return err;
	}
	/* What is stored, not what this connection remembers of it. */
	store_tlog_uncache(st);
	if ((err = store_tlog_size(st, &size)) != ERR_OK)
		goto out;
	for (uint64_t i = 0; i < size; i++) {
		buf_clear(&data);
		if ((err = store_tlog_leaf_get(st, i, stored, &data)) != ERR_OK) {
			/* ERR_DB: a malformed row, logged by the store. */
			if (err != ERR_NOTFOUND && err != ERR_DB)
				goto out;
			audit_bad(report, "leaf %llu %s", (unsigned long long)i,
			    err == ERR_NOTFOUND ? "missing" : "unreadable");
			err = ERR_OK;
			goto out;
		}
		report->leaves++;
		if (tlog_leaf_decode((const uint8_t *)data.ptr, data.len,
		    &leaf) != ERR_OK)
			audit_bad(report, "leaf %llu: not a valid leaf "
			    "encoding", (unsigned long long)i);
		tlog_leaf_hash(data.ptr, data.len, h);
		if (memcmp(h, stored, sizeof(h)) != 0)
			audit_bad(report, "leaf %llu: stored hash is not the "
			    "hash of its bytes", (unsigned long long)i);
		/* Push the leaf; merge complete subtrees, checking each. */
		memcpy(stack[depth++], h, sizeof(h));
		for (unsigned l = 0; ((i + 1) >> l & 1) == 0; l++) {
			uint64_t idx = ((i + 1) >> (l + 1)) - 1;

			depth--;
			tlog_node_hash(stack[depth - 1], stack[depth],
			    stack[depth - 1]);
			err = store_tlog_node_get(st, l + 1, idx, stored);
			if (err == ERR_NOTFOUND || err == ERR_DB) {
				audit_bad(report, "node (%u, %llu) %s", l + 1,
				    (unsigned long long)idx,
				    err == ERR_NOTFOUND ? "missing" :
				    "unreadable");
				err = ERR_OK;
				continue;
			}
			if (err != ERR_OK)
				goto out;
			report->nodes++;
			if (memcmp(stored, stack[depth - 1], TLOG_HASH_BYTES) !=
			    0)
				audit_bad(report, "node (%u, %llu) differs "
				    "from the recomputed one", l + 1,
				    (unsigned long long)idx);
		}
		if (progress != NULL && (i + 1) % AUDIT_PROGRESS_EVERY == 0)
			progress(arg, i + 1, size);
	}
	if (progress != NULL)
		progress(arg, size, size);
	if ((err = audit_checkpoints(st, size, vkey, report)) != ERR_OK)
		goto out;
	/* Last: tiles wider than the tree, fingerprints. */
	err = store_tlog_check(st, size, audit_store_bad, report);
out:
	store_read_end(st);
	buf_reset(&data);
	return err;
}
