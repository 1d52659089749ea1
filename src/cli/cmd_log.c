/*
 * cmd_log.c: entente log checkpoint|prove|audit|verify (docs/cli.md,
 * docs/log.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "crypto/crypto.h"
#include "sync/client.h"
#include "tlog/leaf.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/tree.h"
#include "util/buf.h"
#include "util/timeutil.h"

#define HB		TLOG_HASH_BYTES
#define JSON_ACCEPT	"application/json"
#define NOTE_ACCEPT	"text/plain"
/* Received leaves proved per round of log verify. */
#define VERIFY_BATCH	100

static void
log_usage(FILE *f)
{
	fprintf(f, "usage: entente log checkpoint [--size N] [--dir DIR]\n"
	    "       entente log prove OBJECT_ID [--json] [--dir DIR]\n"
	    "       entente log audit [--dir DIR]\n"
	    "       entente log verify --url URL --key VKEY [--token TOKEN]\n"
	    "                          [--tls-pin PIN | --cacert FILE] "
	    "[--dir DIR]\n\n"
	    "checkpoint  print the latest signed checkpoint (or the one of\n"
	    "            size N) exactly as the server serves it, with the\n"
	    "            partners' cosignatures\n"
	    "prove       print the inclusion proof of every stored version "
	    "of\n"
	    "            OBJECT_ID in the latest checkpoint, verified\n"
	    "audit       rebuild the tree from the stored leaves and check "
	    "every\n"
	    "            stored node and checkpoint (exit 1 on any problem)\n"
	    "verify      check a partner's log: its checkpoint signature "
	    "(VKEY\n"
	    "            as printed by its 'entente whoami'), consistency "
	    "with the\n"
	    "            last checkpoint of it this node saw, inclusion of "
	    "what\n"
	    "            this node received from it; then cosign.  TOKEN "
	    "(or\n"
	    "            $ENTENTE_TOKEN) is the credential the partner issued "
	    "us;\n"
	    "            PIN its TLS pin (whoami).  Exit 5 when the partner's "
	    "log\n"
	    "            contradicts itself: the evidence is saved in "
	    "DIR/evidence/.\n");
}

/* Parse a decimal size. */
static int
parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 16; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (i == 0 || s[i] != '\0' || v >= STORE_TLOG_MAX_INDEX)
		return -1;
	*out = v;
	return 0;
}

static int
do_checkpoint(struct store *st, const char *size_s)
{
	uint64_t size = STORE_TLOG_LATEST;
	struct buf b;
	enum err err;
	int rc = CLI_EXIT_OK;

	if (size_s != NULL && parse_u64(size_s, &size) != 0) {
		fprintf(stderr, "entente log: --size must be a tree size\n");
		return CLI_EXIT_USAGE;
	}
	buf_init(&b, STORE_TLOG_NOTE_MAX * 2);
	err = tlog_tree_served(st, size, &b);
	if (err == ERR_NOTFOUND) {
		fprintf(stderr, "entente log: %s\n", size_s == NULL ?
		    "no checkpoint yet (the server issues the first one when it "
		    "starts)" : "no checkpoint was issued at that size");
		rc = CLI_EXIT_NOTFOUND;
	} else if (err != ERR_OK) {
		fprintf(stderr, "entente log: cannot read the log: %s\n",
		    err_str(err));
		rc = CLI_EXIT_ERROR;
	} else if (fwrite(b.ptr, 1, b.len, stdout) != b.len) {
		rc = CLI_EXIT_ERROR;
	}
	buf_reset(&b);
	return rc;
}

/* Print a hash in base64. */
static void
put_b64(const uint8_t h[HB])
{
	char s[CRYPTO_B64_LEN(HB) + 1];

	if (crypto_b64_encode(h, HB, 0, s, sizeof(s)) == ERR_OK)
		fputs(s, stdout);
}

/* Prove one stored version (row) of an object in checkpoint cp. */
static int
prove_row(const char *dir, struct store *st, const struct store_collection *c,
    const struct store_row *row, int json, int *first)
{
	uint8_t proof[TLOG_MAX_PROOF][HB], leafh[HB];
	struct store_tlog_cp cp;
	struct store_party party;
	struct tlog_signer signer;
	struct tlog_leaf l;
	struct buf enc, note;
	char ts[TS_BUFSZ];
	uint64_t idx;
	size_t n = 0;
	enum err err;
	int rc = CLI_EXIT_ERROR;

	buf_init(&enc, TLOG_LEAF_MAX_BYTES);
	buf_init(&note, STORE_TLOG_NOTE_MAX);
	if (store_party_get(st, row->party_id, &party) != ERR_OK ||
	    tlog_leaf_object_set(&l, row->hash, row->date_added,
	    row->version, c->uuid, party.pubkey, row->stix_id) != ERR_OK ||
	    tlog_leaf_encode(&l, &enc) != ERR_OK)
		goto out;
	tlog_leaf_hash(enc.ptr, enc.len, leafh);
	ts_format(row->version, ts);
	if ((err = store_tlog_leaf_find(st, leafh, &idx)) != ERR_OK) {
		fprintf(stderr, "entente log: version %s of %s has no leaf in "
		    "the log%s\n", ts, row->stix_id, err == ERR_NOTFOUND ?
		    " (stored before the log existed)" : "");
		rc = err == ERR_NOTFOUND ? CLI_EXIT_NOTFOUND : CLI_EXIT_ERROR;
		goto out;
	}
	err = store_tlog_cp_get(st, STORE_TLOG_LATEST, &cp, NULL);
	if (err == ERR_OK && idx >= cp.size)
		err = ERR_NOTFOUND;
	if (err == ERR_NOTFOUND) {
		/* Not yet in a checkpoint: issue one now. */
		if ((rc = cli_log_signer(dir, st, &signer)) != CLI_EXIT_OK)
			goto out;
		err = tlog_tree_checkpoint(st, &signer, ts_now_us(), NULL,
		    NULL);
		crypto_wipe(signer.seed, sizeof(signer.seed));
		rc = CLI_EXIT_ERROR;
		if (err == ERR_OK)
			err = store_tlog_cp_get(st, STORE_TLOG_LATEST, &cp,
			    NULL);
	}
	if (err == ERR_OK)
		err = tlog_tree_served(st, cp.size, &note);
	if (err == ERR_OK)
		err = tlog_tree_inclusion(st, idx, cp.size, proof, &n);
	if (err == ERR_OK)
		err = tlog_verify_inclusion(idx, cp.size, leafh,
		    (const uint8_t (*)[HB])proof, n, cp.root);
	if (err != ERR_OK) {
		fprintf(stderr, "entente log: cannot prove leaf %llu: %s\n",
		    (unsigned long long)idx, err_str(err));
		goto out;
	}
	if (json) {
		printf("%s{\"id\":\"%s\",\"version\":\"%s\",\"collection\":"
		    "\"%s\",\"leaf_index\":%llu,\"leaf_hash\":\"", *first ? "" :
		    ",", row->stix_id, ts, c->uuid, (unsigned long long)idx);
		put_b64(leafh);
		printf("\",\"tree_size\":%llu,\"root\":\"",
		    (unsigned long long)cp.size);
		put_b64(cp.root);
		printf("\",\"hashes\":[");
		for (size_t i = 0; i < n; i++) {
			printf("%s\"", i > 0 ? "," : "");
			put_b64(proof[i]);
			printf("\"");
		}
		printf("],\"checkpoint\":\"");
		/* A note holds no '"' or '\\'; only newlines to escape. */
		for (size_t i = 0; i < note.len; i++) {
			if (note.ptr[i] == '\n')
				fputs("\\n", stdout);
			else
				putchar(note.ptr[i]);
		}
		printf("\"}");
	} else {
		printf("%sobject %s version %s in collection %s\n", *first ?
		    "" : "\n", row->stix_id, ts, c->uuid);
		printf("leaf %llu, hash ", (unsigned long long)idx);
		put_b64(leafh);
		printf("\ncheckpoint size %llu, root ",
		    (unsigned long long)cp.size);
		put_b64(cp.root);
		printf("\ninclusion proof (%zu hashes):\n", n);
		for (size_t i = 0; i < n; i++) {
			printf("  ");
			put_b64(proof[i]);
			printf("\n");
		}
		printf("verified: the leaf is included in this signed "
		    "checkpoint:\n");
		(void)fwrite(note.ptr, 1, note.len, stdout);
	}
	*first = 0;
	rc = CLI_EXIT_OK;
out:
	buf_reset(&enc);
	buf_reset(&note);
	return rc;
}

static int
do_prove(const char *dir, struct store *st, const char *id, int json)
{
	struct store_collection *colls = NULL;
	size_t n_colls = 0, found = 0;
	int first = 1, rc = CLI_EXIT_OK, r;

	if (store_collection_list(st, &colls, &n_colls) != ERR_OK) {
		fprintf(stderr, "entente log: cannot list collections\n");
		return CLI_EXIT_ERROR;
	}
	if (json)
		printf("[");
	for (size_t i = 0; i < n_colls; i++) {
		struct store_query q;
		struct store_page pg;

		memset(&q, 0, sizeof(q));
		memset(&pg, 0, sizeof(pg));
		q.coll_id = colls[i].id;
		q.ids = &id;
		q.n_ids = 1;
		q.ver_flags = STORE_VER_ALL;
		q.limit = LIM_PAGE_MAX;
		q.want_json = 1;
		if (store_query_objects(st, &q, &pg) != ERR_OK) {
			store_page_free(&pg);
			rc = CLI_EXIT_ERROR;
			break;
		}
		for (size_t k = 0; k < pg.n; k++) {
			found++;
			r = prove_row(dir, st, &colls[i], &pg.rows[k], json,
			    &first);
			if (r != CLI_EXIT_OK)
				rc = r;
		}
		store_page_free(&pg);
	}
	if (json)
		printf("]\n");
	free(colls);
	if (found == 0 && rc == CLI_EXIT_OK) {
		fprintf(stderr, "entente log: no object '%s' in this node\n",
		    id);
		rc = CLI_EXIT_NOTFOUND;
	}
	return rc;
}

static void
audit_progress(void *arg, uint64_t done, uint64_t total)
{
	(void)arg;
	fprintf(stderr, "\raudit: %llu / %llu leaves", (unsigned long long)done,
	    (unsigned long long)total);
	if (done == total)
		fputc('\n', stderr);
}

static int
do_audit(struct store *st)
{
	struct store_party self;
	struct tlog_audit rep;
	struct tlog_vkey vk;
	char origin[TLOG_NOTE_NAME_MAX + 1];
	enum err err;

	if (store_party_self(st, &self) != ERR_OK ||
	    cli_log_origin(st, origin, sizeof(origin)) != ERR_OK ||
	    tlog_vkey_init(&vk, origin, strlen(origin), TLOG_SIG_ED25519,
	    self.pubkey) != ERR_OK) {
		fprintf(stderr, "entente log: cannot read this node's log key\n");
		return CLI_EXIT_ERROR;
	}
	err = tlog_tree_audit(st, &vk, isatty(2) ? audit_progress : NULL,
	    NULL, &rep);
	if (err != ERR_OK) {
		fprintf(stderr, "entente log: the audit could not run: %s\n",
		    err_str(err));
		return CLI_EXIT_ERROR;
	}
	if (rep.bad > 0) {
		printf("audit FAILED: %llu problems in %llu leaves, %llu nodes, "
		    "%llu checkpoints; first: %s\n",
		    (unsigned long long)rep.bad, (unsigned long long)rep.leaves,
		    (unsigned long long)rep.nodes,
		    (unsigned long long)rep.checkpoints, rep.first);
		return CLI_EXIT_ERROR;
	}
	printf("audit ok: %llu leaves, %llu nodes and %llu checkpoints "
	    "match\n", (unsigned long long)rep.leaves,
	    (unsigned long long)rep.nodes, (unsigned long long)rep.checkpoints);
	return CLI_EXIT_OK;
}

/* What log verify works with. */
struct verify {
	const char		*dir;
	struct store		*st;
	struct sync_http	 http;
	const char		*url;		/* partner base, no slash */
	const char		*vkey_s;
	struct tlog_vkey	 vkey;
	char			 msg[512];
};

/* GET base + path into out; ERR_IO etc. with v->msg set. */
static enum err
fetch(struct verify *v, const char *path, const char *accept, struct buf *out)
{
	char url[2048];
	long status;
	enum err err;

	if (snprintf(url, sizeof(url), "%s%s", v->url, path) >=
	    (int)sizeof(url))
		return ERR_TOOBIG;
	err = sync_http_get(&v->http, url, accept, out, &status, v->msg,
	    sizeof(v->msg));
	if (err != ERR_OK)
		return err;
	if (status != 200) {
		int nul = buf_addc(out, '\0') == ERR_OK;

		(void)snprintf(v->msg, sizeof(v->msg), "%.200s: HTTP %ld: "
		    "%.200s", url, status, nul ? out->ptr : "");
		return status == 404 ? ERR_NOTFOUND : ERR_IO;
	}
	return buf_addc(out, '\0') == ERR_OK ? (out->len--, ERR_OK) :
	    ERR_TOOBIG;
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
 * Save the evidence of a partner's inconsistent log: both checkpoints (and
 * what else the caller gives) in DIR/evidence/, and say so loudly.
 */
static int
evidence(struct verify *v, const char *what, const char *a, size_t alen,
    const char *b, size_t blen)
{
	char path[4096], name[64];
	struct tm tm;
	time_t now = time(NULL);
	FILE *f;
	int fd;

	(void)gmtime_r(&now, &tm);
	(void)strftime(name, sizeof(name), "evidence/%Y%m%dT%H%M%SZ", &tm);
	if (cli_path(path, sizeof(path), v->dir, "evidence") == ERR_OK)
		(void)mkdir(path, 0700);
	if (cli_path(path, sizeof(path), v->dir, name) != ERR_OK ||
	    strlen(path) + 16 > sizeof(path))
		return CLI_EXIT_EVIDENCE;
	(void)snprintf(path + strlen(path), 16, "-%d.txt", (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	if (fd >= 0 && (f = fdopen(fd, "w")) != NULL) {
		fprintf(f, "entente log verify: evidence of an inconsistent "
		    "log\npartner: %s\nverifier key: %s\nfinding: %s\n\n"
		    "--- checkpoint seen before (as stored) ---\n", v->url,
		    v->vkey_s, what);
		(void)fwrite(a, 1, alen, f);
		fprintf(f, "\n--- checkpoint served now ---\n");
		(void)fwrite(b, 1, blen, f);
		fprintf(f, "\n--- details ---\n%s\n", v->msg);
		if (fclose(f) != 0)
			fd = -1;
	} else if (fd >= 0) {
		(void)close(fd);
		fd = -1;
	}
	fprintf(stderr, "\n*** PARTNER LOG INCONSISTENT: %s ***\n"
	    "*** partner %s (%s) ***\n*** evidence: %s ***\n\n", what, v->url,
	    v->vkey.name, fd >= 0 ? path : "could not be written");
	return CLI_EXIT_EVIDENCE;
}

/* Check inclusion of what this node received from the partner. */
static int
verify_received(struct verify *v, uint64_t size,
    const uint8_t root[HB], size_t *n_ok, size_t *n_later)
{
	struct store_tlog_recv rows[VERIFY_BATCH];
	uint8_t proof[TLOG_MAX_PROOF][HB];
	char path[256];
	int64_t after = 0;
	struct buf b;
	size_t n, np;
	enum err err;
	int rc = CLI_EXIT_OK;

	buf_init(&b, 64 * 1024);
	for (;;) {
		err = store_tlog_recv_pending(v->st, v->vkey_s, after, rows,
		    VERIFY_BATCH, &n);
		if (err != ERR_OK || n == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			after = rows[i].id;
			if (rows[i].leaf_index >= size) {
				(*n_later)++;
				continue;
			}
			(void)snprintf(path, sizeof(path), "/entente/v1/log/"
			    "proof/inclusion?size=%llu&index=%llu",
			    (unsigned long long)size,
			    (unsigned long long)rows[i].leaf_index);
			buf_clear(&b);
			if ((err = fetch(v, path, JSON_ACCEPT, &b)) != ERR_OK) {
				fprintf(stderr, "entente log: %s\n", v->msg);
				rc = CLI_EXIT_ERROR;
				goto out;
			}
			if (parse_hashes(b.ptr, proof, &np) != ERR_OK ||
			    tlog_verify_inclusion(rows[i].leaf_index, size,
			    rows[i].leaf_hash, (const uint8_t (*)[HB])proof,
			    np, root) != ERR_OK) {
				(void)snprintf(v->msg, sizeof(v->msg),
				    "inclusion proof of leaf %llu in size %llu: "
				    "%.300s",
				    (unsigned long long)rows[i].leaf_index,
				    (unsigned long long)size, b.ptr);
				rc = evidence(v, "a leaf it delivered to us is "
				    "not in its log", "", 0, "", 0);
				goto out;
			}
			if (store_tlog_recv_mark(v->st, rows[i].id, size) !=
			    ERR_OK) {
				rc = CLI_EXIT_ERROR;
				goto out;
			}
			(*n_ok)++;
		}
	}
	if (err != ERR_OK)
		rc = CLI_EXIT_ERROR;
out:
	buf_reset(&b);
	return rc;
}

/* Cosign the partner's checkpoint note and submit it. */
static int
cosign(struct verify *v, const char *note, size_t len, size_t text_len)
{
	struct tlog_signer signer;
	uint8_t sig[TLOG_COSIG_BYTES];
	struct buf body, resp;
	char url[2048];
	long status = 0;
	enum err err;
	int rc;

	if ((rc = cli_log_signer(v->dir, v->st, &signer)) != CLI_EXIT_OK)
		return rc;
	buf_init(&body, STORE_TLOG_NOTE_MAX + 1024);
	buf_init(&resp, 64 * 1024);
	err = buf_add(&body, note, len);
	if (err == ERR_OK)
		err = tlog_cosign(note, text_len, signer.origin,
		    strlen(signer.origin), signer.seed,
		    (uint64_t)(ts_now_us() / 1000000), sig, &body);
	crypto_wipe(signer.seed, sizeof(signer.seed));
	(void)snprintf(url, sizeof(url), "%s/entente/v1/log/cosignature",
	    v->url);
	if (err == ERR_OK)
		err = sync_http_post(&v->http, url, "text/plain; charset=utf-8",
		    JSON_ACCEPT, body.ptr, body.len, &resp, &status, v->msg,
		    sizeof(v->msg));
	rc = CLI_EXIT_OK;
	if (err != ERR_OK) {
		fprintf(stderr, "entente log: cannot cosign: %s\n",
		    v->msg[0] != '\0' ? v->msg : err_str(err));
		rc = CLI_EXIT_ERROR;
	} else if (status != 200) {
		fprintf(stderr, "entente log: the partner refused our "
		    "cosignature: HTTP %ld: %.300s\n", status,
		    buf_addc(&resp, '\0') == ERR_OK ? resp.ptr : "");
		rc = CLI_EXIT_ERROR;
	}
	buf_reset(&body);
	buf_reset(&resp);
	return rc;
}

static int
do_verify(struct verify *v)
{
	struct tlog_checkpoint cp;
	struct tlog_note_check check;
	struct tlog_note note;
	uint8_t proof[TLOG_MAX_PROOF][HB], old_root[HB];
	struct buf cur, old, b;
	const char *why = NULL;
	char path[256];
	uint64_t old_size;
	size_t np, n_ok = 0, n_later = 0;
	enum err err;
	int rc = CLI_EXIT_ERROR, have_old = 1;

	buf_init(&cur, STORE_TLOG_NOTE_MAX);
	buf_init(&old, STORE_TLOG_NOTE_MAX);
	buf_init(&b, 64 * 1024);
	if ((err = fetch(v, "/entente/v1/log/checkpoint", NOTE_ACCEPT,
	    &cur)) != ERR_OK) {
		fprintf(stderr, "entente log: %s\n", v->msg);
		goto out;
	}
	if (tlog_checkpoint_open(cur.ptr, cur.len, &v->vkey, 1, &cp, &check,
	    &why) != ERR_OK) {
		fprintf(stderr, "entente log: the partner's checkpoint does not "
		    "verify with %s: %s\n", v->vkey.name, why != NULL ? why :
		    "bad signature");
		goto out;
	}
	if (cp.origin_len != v->vkey.name_len ||
	    memcmp(cp.origin, v->vkey.name, cp.origin_len) != 0) {
		fprintf(stderr, "entente log: the checkpoint names origin "
		    "'%.*s', not '%s'\n", (int)cp.origin_len, cp.origin,
		    v->vkey.name);
		goto out;
	}
	if (tlog_note_parse(cur.ptr, cur.len, &note, NULL) != ERR_OK)
		goto out;
	/* Same size seen before with another root: a fork. */
	err = store_tlog_seen_get(v->st, v->vkey_s, cp.size, NULL, old_root,
	    &old);
	if (err == ERR_OK && memcmp(old_root, cp.root, HB) != 0) {
		(void)snprintf(v->msg, sizeof(v->msg), "two roots for size "
		    "%llu", (unsigned long long)cp.size);
		rc = evidence(v, "two different checkpoints of the same size",
		    old.ptr, old.len, cur.ptr, cur.len);
		goto out;
	}
	buf_clear(&old);
	err = store_tlog_seen_get(v->st, v->vkey_s, STORE_TLOG_LATEST,
	    &old_size, old_root, &old);
	if (err == ERR_NOTFOUND)
		have_old = 0;
	else if (err != ERR_OK)
		goto out;
	if (have_old && old_size > 0 && old_size != cp.size) {
		uint64_t s1 = old_size < cp.size ? old_size : cp.size;
		uint64_t s2 = old_size < cp.size ? cp.size : old_size;
		const uint8_t *r1 = old_size < cp.size ? old_root : cp.root;
		const uint8_t *r2 = old_size < cp.size ? cp.root : old_root;

		(void)snprintf(path, sizeof(path), "/entente/v1/log/proof/"
		    "consistency?size1=%llu&size2=%llu", (unsigned long long)s1,
		    (unsigned long long)s2);
		if ((err = fetch(v, path, JSON_ACCEPT, &b)) != ERR_OK) {
			if (err != ERR_NOTFOUND) {
				fprintf(stderr, "entente log: %s\n", v->msg);
				goto out;
			}
			/* A log smaller than what it showed us before. */
			rc = evidence(v, "the log shrank below a size it "
			    "signed before", old.ptr, old.len, cur.ptr,
			    cur.len);
			goto out;
		}
		if (parse_hashes(b.ptr, proof, &np) != ERR_OK ||
		    tlog_verify_consistency(s1, s2, r1, r2,
		    (const uint8_t (*)[HB])proof, np) != ERR_OK) {
			(void)snprintf(v->msg, sizeof(v->msg), "consistency "
			    "proof %llu -> %llu: %.300s", (unsigned long long)s1,
			    (unsigned long long)s2, b.ptr);
			rc = evidence(v, "the new checkpoint is not an extension "
			    "of the one seen before", old.ptr, old.len, cur.ptr,
			    cur.len);
			goto out;
		}
	}
	if ((rc = verify_received(v, cp.size, cp.root, &n_ok, &n_later)) !=
	    CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_ERROR;
	err = store_tlog_seen_add(v->st, v->vkey_s, cp.size, cp.root, cur.ptr,
	    cur.len, ts_now_us());
	if (err != ERR_OK && err != ERR_EXISTS) {
		fprintf(stderr, "entente log: cannot record the checkpoint: "
		    "%s\n", err_str(err));
		goto out;
	}
	printf("partner log %s: checkpoint of size %llu verified", v->vkey.name,
	    (unsigned long long)cp.size);
	if (have_old)
		printf(", consistent with size %llu seen before",
		    (unsigned long long)old_size);
	else
		printf(" (first contact: trusted from now on)");
	printf("; %zu received leaves proved included", n_ok);
	if (n_later > 0)
		printf(", %zu past this checkpoint (next time)", n_later);
	printf("\n");
	if ((rc = cosign(v, cur.ptr, cur.len, note.text_len)) == CLI_EXIT_OK)
		printf("cosigned checkpoint %llu\n", (unsigned long long)cp.size);
out:
	buf_reset(&cur);
	buf_reset(&old);
	buf_reset(&b);
	return rc;
}

int
cmd_log(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "size", required_argument, NULL, OPT_VERSION },
		{ "url", required_argument, NULL, OPT_URL },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "token", required_argument, NULL, OPT_TOKEN },
		{ "tls-pin", required_argument, NULL, OPT_TLS_PIN },
		{ "cacert", required_argument, NULL, OPT_CACERT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = CLI_DEFAULT_DIR, *size_s = NULL, *sub;
	struct verify v;
	struct store *st = NULL;
	const char *why = NULL;
	int c, json = 0, rc;

	memset(&v, 0, sizeof(v));
	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_VERSION:
			size_s = optarg;
			break;
		case OPT_URL:
			v.url = optarg;
			break;
		case OPT_KEY:
			v.vkey_s = optarg;
			break;
		case OPT_TOKEN:
			v.http.token = optarg;
			break;
		case OPT_TLS_PIN:
			v.http.tls_pin = optarg;
			break;
		case OPT_CACERT:
			v.http.cacert = optarg;
			break;
		case OPT_HELP:
			log_usage(stdout);
			return CLI_EXIT_OK;
		default:
			log_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		log_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	sub = argv[optind++];
	if (strcmp(sub, "prove") == 0 ? optind + 1 != argc : optind != argc) {
		log_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(sub, "verify") == 0) {
		size_t ul;

		if (v.url == NULL || v.vkey_s == NULL) {
			fprintf(stderr, "entente log verify: --url and --key are "
			    "required\n");
			return CLI_EXIT_USAGE;
		}
		ul = strlen(v.url);
		while (ul > 0 && v.url[ul - 1] == '/')
			ul--;
		if (ul == 0 || ul > 1024 || (strncmp(v.url, "https://", 8) != 0 &&
		    strncmp(v.url, "http://", 7) != 0)) {
			fprintf(stderr, "entente log verify: --url must be the "
			    "partner's https:// base URL\n");
			return CLI_EXIT_USAGE;
		}
		if (tlog_vkey_parse(v.vkey_s, strlen(v.vkey_s), &v.vkey,
		    &why) != ERR_OK || v.vkey.type != TLOG_SIG_ED25519) {
			fprintf(stderr, "entente log verify: --key is not an "
			    "Ed25519 verifier key (name+keyid+base64): %s\n",
			    why != NULL ? why : "wrong type");
			return CLI_EXIT_USAGE;
		}
		if (v.http.token == NULL)
			v.http.token = getenv("ENTENTE_TOKEN");
		if (sync_http_init() != ERR_OK)
			return CLI_EXIT_ERROR;
	} else if (strcmp(sub, "checkpoint") != 0 &&
	    strcmp(sub, "prove") != 0 && strcmp(sub, "audit") != 0) {
		fprintf(stderr, "entente log: unknown subcommand '%s'\n", sub);
		log_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
		return rc;
	if (strcmp(sub, "checkpoint") == 0) {
		rc = do_checkpoint(st, size_s);
	} else if (strcmp(sub, "prove") == 0) {
		rc = do_prove(dir, st, argv[optind], json);
	} else if (strcmp(sub, "audit") == 0) {
		rc = do_audit(st);
	} else {
		char url[1100];

		(void)snprintf(url, sizeof(url), "%.*s",
		    (int)(strlen(v.url)), v.url);
		while (strlen(url) > 0 && url[strlen(url) - 1] == '/')
			url[strlen(url) - 1] = '\0';
		v.url = url;
		v.dir = dir;
		v.st = st;
		rc = do_verify(&v);
	}
	store_close(st);
	return rc;
}
