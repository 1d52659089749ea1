/*
 * verify.c: check a partner's transparency log over HTTP, save the evidence
 * when it contradicts itself, and cosign it.  See verify.h.  Prints
 * nothing: what a caller should know goes into struct sync_verify_result
 * (`entente log verify` prints it, sync logs it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "store/store.h"
#include "sync/client.h"
#include "sync/verify.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/tree.h"
#include "util/buf.h"
#include "util/timeutil.h"

#define HB		TLOG_HASH_BYTES
#define JSON_ACCEPT	"application/json"
#define NOTE_ACCEPT	"text/plain"
/* Received leaves proved per round. */
#define VERIFY_BATCH	100
/* Largest proof response read. */
#define VERIFY_RESP_MAX	(64 * 1024)

/* What one verification works with. */
struct verify {
	struct store			*st;
	const struct sync_verify_cfg	*cfg;
	struct sync_verify_result	*res;	/* res->msg: what failed, or
						 * the details of a finding
						 * until evidence() names it */
};

/*
 * GET base + path into out, NUL-terminated (not counted in out->len).  On
 * error v->res->msg says why: ERR_NOTFOUND for HTTP 404, ERR_AUTH for 401,
 * ERR_FORBIDDEN for 403, ERR_IO for other statuses, else as sync_http_get.
 */
static enum err
fetch(struct verify *v, const char *path, const char *accept, struct buf *out)
{
	char *msg = v->res->msg;
	char url[2048];
	long status;
	enum err err;

	if (snprintf(url, sizeof(url), "%s%s", v->cfg->url, path) >=
	    (int)sizeof(url)) {
		(void)snprintf(msg, SYNC_VERIFY_MSG_MAX, "%.200s: URL too long",
		    v->cfg->url);
		return ERR_TOOBIG;
	}
	msg[0] = '\0';
	err = sync_http_get(v->cfg->http, url, accept, out, &status, msg,
	    SYNC_VERIFY_MSG_MAX);
	if (err != ERR_OK) {
		if (msg[0] == '\0')
			(void)snprintf(msg, SYNC_VERIFY_MSG_MAX, "%.200s: %s",
			    url, err_str(err));
		return err;
	}
	if (status != 200) {
		int nul = buf_addc(out, '\0') == ERR_OK;

		(void)snprintf(msg, SYNC_VERIFY_MSG_MAX, "%.200s: HTTP %ld: "
		    "%.200s", url, status, nul ? out->ptr : "");
		switch (status) {
		case 404:
			return ERR_NOTFOUND;
		case 401:
			return ERR_AUTH;
		case 403:
			return ERR_FORBIDDEN;
		default:
			return ERR_IO;
		}
	}
	if (buf_addc(out, '\0') != ERR_OK) {
		(void)snprintf(msg, SYNC_VERIFY_MSG_MAX, "%.200s: response too "
		    "large", url);
		return ERR_TOOBIG;
	}
	out->len--;
	return ERR_OK;
}

/* Pull the JSON array "hashes" out of a proof response. */
static enum err
parse_hashes(const char *body, uint8_t (*out)[HB], size_t *n_out)
{
	const char *p = strstr(body, "\"hashes\":[");
	size_t n = 0, got;

	*n_out = 0;
	if (p == NULL)
		return ERR_PARSE;
	p += 10;
	while (*p == '"') {
		const char *e = strchr(p + 1, '"');

		if (e == NULL || n == TLOG_MAX_PROOF ||
		    crypto_b64_decode(p + 1, (size_t)(e - p - 1), 0, out[n], HB,
		    &got) != ERR_OK || got != HB)
			return ERR_PARSE;
		n++;
		p = e + 1;
		if (*p == ',')
			p++;
	}
	if (*p != ']')
		return ERR_PARSE;
	*n_out = n;
	return ERR_OK;
}

/*
 * Save the evidence of a partner's inconsistent log: the finding (what),
 * both checkpoints and the details (v->res->msg) in a new file of
 * cfg->evidence_dir.  Sets res->inconsistent, res->evidence (empty when
 * the file could not be written) and res->msg (what).  Returns
 * ERR_CONFLICT.
 */
static enum err
evidence(struct verify *v, const char *what, const char *a, size_t alen,
    const char *b, size_t blen)
{
	const struct sync_verify_cfg *cfg = v->cfg;
	struct sync_verify_result *res = v->res;
	char name[64];
	struct tm tm;
	time_t now = time(NULL);
	FILE *f;
	int fd = -1, n, bad;

	res->inconsistent = 1;
	res->evidence[0] = '\0';
	(void)gmtime_r(&now, &tm);
	(void)strftime(name, sizeof(name), "%Y%m%dT%H%M%SZ", &tm);
	if (cfg->evidence_dir != NULL) {
		(void)mkdir(cfg->evidence_dir, 0700);
		/* Two findings in one second (sync, several partners):
		 * the second gets a counter, never overwrites. */
		for (int k = 0; k < 100 && fd < 0; k++) {
			n = k == 0 ? snprintf(res->evidence,
			    sizeof(res->evidence), "%s/%s-%d.txt",
			    cfg->evidence_dir, name, (int)getpid()) :
			    snprintf(res->evidence, sizeof(res->evidence),
			    "%s/%s-%d-%d.txt", cfg->evidence_dir, name,
			    (int)getpid(), k);
			if (n <= 0 || (size_t)n >= sizeof(res->evidence))
				break;
			fd = open(res->evidence, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, 0600);
			if (fd < 0 && errno != EEXIST)
				break;
		}
	}
	if (fd >= 0 && (f = fdopen(fd, "w")) != NULL) {
		fprintf(f, "entente log verify: evidence of an inconsistent "
		    "log\npartner: %s\nverifier key: %s\nfinding: %s\n\n"
		    "--- checkpoint seen before (as stored) ---\n", cfg->url,
		    cfg->vkey_text, what);
		(void)fwrite(a, 1, alen, f);
		fprintf(f, "\n--- checkpoint served now ---\n");
		(void)fwrite(b, 1, blen, f);
		fprintf(f, "\n--- details ---\n%s\n", res->msg);
		bad = ferror(f);
		if (fclose(f) != 0 || bad)
			fd = -1;
	} else if (fd >= 0) {
		(void)close(fd);
		fd = -1;
	}
	if (fd < 0)
		res->evidence[0] = '\0';
	(void)snprintf(res->msg, sizeof(res->msg), "%s", what);
	return ERR_CONFLICT;
}

/*
 * Prove included in the checkpoint (size, root) every leaf recorded as
 * received from the partner, and mark each proved; res->n_proved and
 * res->n_later count them.
 */
static enum err
verify_received(struct verify *v, uint64_t size, const uint8_t root[HB])
{
	struct store_tlog_recv rows[VERIFY_BATCH];
	uint8_t proof[TLOG_MAX_PROOF][HB];
	struct sync_verify_result *res = v->res;
	char path[256];
	int64_t after = 0;
	struct buf b;
	size_t n, np;
	enum err err;

	buf_init(&b, VERIFY_RESP_MAX);
	for (;;) {
		err = store_tlog_recv_pending(v->st, v->cfg->vkey_text, after,
		    rows, VERIFY_BATCH, &n);
		if (err != ERR_OK) {
			(void)snprintf(res->msg, sizeof(res->msg),
			    "cannot read the leaves received: %s",
			    err_str(err));
			goto out;
		}
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			after = rows[i].id;
			if (rows[i].leaf_index >= size) {
				res->n_later++;
				continue;
			}
			(void)snprintf(path, sizeof(path), "/entente/v1/log/"
			    "proof/inclusion?size=%llu&index=%llu",
			    (unsigned long long)size,
			    (unsigned long long)rows[i].leaf_index);
			buf_clear(&b);
			if ((err = fetch(v, path, JSON_ACCEPT, &b)) != ERR_OK)
				goto out;
			if (parse_hashes(b.ptr, proof, &np) != ERR_OK ||
			    tlog_verify_inclusion(rows[i].leaf_index, size,
			    rows[i].leaf_hash, (const uint8_t (*)[HB])proof,
			    np, root) != ERR_OK) {
				(void)snprintf(res->msg, sizeof(res->msg),
				    "inclusion proof of leaf %llu in size "
				    "%llu: %.300s",
				    (unsigned long long)rows[i].leaf_index,
				    (unsigned long long)size, b.ptr);
				err = evidence(v, "a leaf it delivered to us "
				    "is not in its log", "", 0, "", 0);
				goto out;
			}
			if ((err = store_tlog_recv_mark(v->st, rows[i].id,
			    size)) != ERR_OK) {
				(void)snprintf(res->msg, sizeof(res->msg),
				    "cannot mark a received leaf proved: %s",
				    err_str(err));
				goto out;
			}
			res->n_proved++;
		}
	}
out:
	buf_reset(&b);
	return err;
}

/*
 * Cosign the partner's checkpoint note[0..len) (text[0..text_len)) with
 * cfg->signer and post it.  Sets res->cosigned, or res->msg saying why
 * not.  This function can't fail: a cosignature not made or refused does
 * not make the verification fail.
 */
static void
cosign(struct verify *v, const char *note, size_t len, size_t text_len)
{
	const struct tlog_signer *s = v->cfg->signer;
	struct sync_verify_result *res = v->res;
	uint8_t sig[TLOG_COSIG_BYTES];
	struct buf body, resp;
	char url[2048], msg[SYNC_VERIFY_MSG_MAX];
	long status = 0;
	enum err err;

	msg[0] = '\0';
	buf_init(&body, STORE_TLOG_NOTE_MAX + 1024);
	buf_init(&resp, VERIFY_RESP_MAX);
	err = buf_add(&body, note, len);
	if (err == ERR_OK)
		err = tlog_cosign(note, text_len, s->origin, strlen(s->origin),
		    s->seed, (uint64_t)(ts_now_us() / 1000000), sig, &body);
	if (err == ERR_OK && snprintf(url, sizeof(url),
	    "%s/entente/v1/log/cosignature", v->cfg->url) >= (int)sizeof(url))
		err = ERR_TOOBIG;
	if (err == ERR_OK)
		err = sync_http_post(v->cfg->http, url,
		    "text/plain; charset=utf-8", JSON_ACCEPT, body.ptr,
		    body.len, &resp, &status, msg, sizeof(msg));
	if (err != ERR_OK) {
		(void)snprintf(res->msg, sizeof(res->msg), "cannot cosign: "
		    "%.480s", msg[0] != '\0' ? msg : err_str(err));
	} else if (status != 200) {
		(void)snprintf(res->msg, sizeof(res->msg), "the partner "
		    "refused our cosignature: HTTP %ld: %.300s", status,
		    buf_addc(&resp, '\0') == ERR_OK ? resp.ptr : "");
	} else {
		res->cosigned = 1;
	}
	crypto_wipe(sig, sizeof(sig));
	buf_reset(&body);
	buf_reset(&resp);
}

/*
 * Compare the checkpoint cp (note cur) with those of the log seen before:
 * the same size with another root, or a larger or smaller one it is not
 * consistent with, is evidence.  Sets res->prev_size and
 * res->first_contact.
 */
static enum err
check_seen(struct verify *v, const struct tlog_checkpoint *cp,
    const struct buf *cur)
{
	struct sync_verify_result *res = v->res;
	uint8_t proof[TLOG_MAX_PROOF][HB], old_root[HB];
	struct buf old, b;
	char path[256];
	uint64_t old_size = 0;
	size_t np;
	enum err err;

	buf_init(&old, STORE_TLOG_NOTE_MAX);
	buf_init(&b, VERIFY_RESP_MAX);
	/* Same size seen before with another root: a fork. */
	err = store_tlog_seen_get(v->st, v->cfg->vkey_text, cp->size, NULL,
	    old_root, &old);
	if (err == ERR_OK && memcmp(old_root, cp->root, HB) != 0) {
		(void)snprintf(res->msg, sizeof(res->msg), "two roots for size "
		    "%llu", (unsigned long long)cp->size);
		err = evidence(v, "two different checkpoints of the same size",
		    old.ptr, old.len, cur->ptr, cur->len);
		goto out;
	}
	buf_clear(&old);
	err = store_tlog_seen_get(v->st, v->cfg->vkey_text, STORE_TLOG_LATEST,
	    &old_size, old_root, &old);
	if (err == ERR_NOTFOUND) {
		res->first_contact = 1;
		err = ERR_OK;
		goto out;
	}
	if (err != ERR_OK) {
		(void)snprintf(res->msg, sizeof(res->msg), "cannot read the "
		    "checkpoints seen: %s", err_str(err));
		goto out;
	}
	res->prev_size = old_size;
	if (cp->size < old_size) {
		/* A log only grows: a smaller checkpoint than one it signed
		 * before is a rollback or a second history. */
		(void)snprintf(res->msg, sizeof(res->msg), "checkpoint of size "
		    "%llu after one of size %llu", (unsigned long long)cp->size,
		    (unsigned long long)old_size);
		err = evidence(v, "the log shrank below a size it signed "
		    "before", old.ptr, old.len, cur->ptr, cur->len);
		goto out;
	}
	if (old_size > 0 && old_size != cp->size) {
		uint64_t s1 = old_size < cp->size ? old_size : cp->size;
		uint64_t s2 = old_size < cp->size ? cp->size : old_size;
		const uint8_t *r1 = old_size < cp->size ? old_root : cp->root;
		const uint8_t *r2 = old_size < cp->size ? cp->root : old_root;

		(void)snprintf(path, sizeof(path), "/entente/v1/log/proof/"
		    "consistency?size1=%llu&size2=%llu", (unsigned long long)s1,
		    (unsigned long long)s2);
		if ((err = fetch(v, path, JSON_ACCEPT, &b)) != ERR_OK) {
			if (err != ERR_NOTFOUND)
				goto out;
			/* A log smaller than what it showed us before. */
			err = evidence(v, "the log shrank below a size it "
			    "signed before", old.ptr, old.len, cur->ptr,
			    cur->len);
			goto out;
		}
		if (parse_hashes(b.ptr, proof, &np) != ERR_OK ||
		    tlog_verify_consistency(s1, s2, r1, r2,
		    (const uint8_t (*)[HB])proof, np) != ERR_OK) {
			(void)snprintf(res->msg, sizeof(res->msg),
			    "consistency proof %llu -> %llu: %.300s",
			    (unsigned long long)s1, (unsigned long long)s2,
			    b.ptr);
			err = evidence(v, "the new checkpoint is not an "
			    "extension of the one seen before", old.ptr,
			    old.len, cur->ptr, cur->len);
			goto out;
		}
	}
	err = ERR_OK;
out:
	buf_reset(&old);
	buf_reset(&b);
	return err;
}

/* Verify a partner's log, save evidence, cosign.  See verify.h. */
enum err
sync_verify_log(struct store *st, const struct sync_verify_cfg *cfg,
    struct sync_verify_result *res)
{
	struct verify v;
	struct tlog_checkpoint cp;
	struct tlog_note_check check;
	struct tlog_note note;
	const struct tlog_vkey *vk = cfg->vkey;
	struct buf cur;
	const char *why = NULL;
	enum err err;

	memset(res, 0, sizeof(*res));
	v.st = st;
	v.cfg = cfg;
	v.res = res;
	buf_init(&cur, STORE_TLOG_NOTE_MAX);
	if ((err = fetch(&v, "/entente/v1/log/checkpoint", NOTE_ACCEPT,
	    &cur)) != ERR_OK)
		goto out;
	if ((err = tlog_checkpoint_open(cur.ptr, cur.len, vk, 1, &cp, &check,
	    &why)) != ERR_OK) {
		(void)snprintf(res->msg, sizeof(res->msg), "the partner's "
		    "checkpoint does not verify with %s: %s", vk->name,
		    why != NULL ? why : "bad signature");
		goto out;
	}
	if (cp.origin_len != vk->name_len ||
	    memcmp(cp.origin, vk->name, cp.origin_len) != 0) {
		(void)snprintf(res->msg, sizeof(res->msg), "the checkpoint "
		    "names origin '%.*s', not '%s'", (int)cp.origin_len,
		    cp.origin, vk->name);
		err = ERR_CRYPTO;
		goto out;
	}
	res->size = cp.size;
	why = NULL;
	if ((err = tlog_note_parse(cur.ptr, cur.len, &note, &why)) != ERR_OK) {
		(void)snprintf(res->msg, sizeof(res->msg), "the partner's "
		    "checkpoint is not a signed note: %s", why != NULL ? why :
		    err_str(err));
		goto out;
	}
	if ((err = check_seen(&v, &cp, &cur)) != ERR_OK)
		goto out;
	if ((err = verify_received(&v, cp.size, cp.root)) != ERR_OK)
		goto out;
	err = store_tlog_seen_add(st, cfg->vkey_text, cp.size, cp.root,
	    cur.ptr, cur.len, ts_now_us());
	if (err != ERR_OK && err != ERR_EXISTS) {
		(void)snprintf(res->msg, sizeof(res->msg), "cannot record the "
		    "checkpoint: %s", err_str(err));
		goto out;
	}
	err = ERR_OK;
	if (cfg->signer != NULL)
		cosign(&v, cur.ptr, cur.len, note.text_len);
out:
	buf_reset(&cur);
	return err;
}
