/*
 * cmd_log.c: entente log checkpoint|prove|audit|verify (docs/cli.md,
 * docs/log.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "crypto/crypto.h"
#include "sync/client.h"
#include "sync/verify.h"
#include "tlog/leaf.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/tree.h"
#include "util/buf.h"
#include "util/timeutil.h"

#define HB		TLOG_HASH_BYTES

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

/* What log verify was given. */
struct verify {
	struct sync_http	 http;
	const char		*url;		/* partner base, no slash */
	const char		*vkey_s;
	struct tlog_vkey	 vkey;
};

/*
 * Verify the partner's log with sync_verify_log() and print the outcome:
 * CLI_EXIT_EVIDENCE when it is inconsistent (the evidence saved in
 * dir/evidence/).
 */
static int
do_verify(const char *dir, struct store *st, struct verify *v)
{
	struct sync_verify_cfg cfg;
	struct sync_verify_result res;
	struct tlog_signer signer;
	char evdir[4096];
	enum err err;
	int rc;

	if (cli_path(evdir, sizeof(evdir), dir, "evidence") != ERR_OK) {
		fprintf(stderr, "entente log: directory name too long: %s\n",
		    dir);
		return CLI_EXIT_ERROR;
	}
	if ((rc = cli_log_signer(dir, st, &signer)) != CLI_EXIT_OK)
		return rc;
	memset(&cfg, 0, sizeof(cfg));
	cfg.http = &v->http;
	cfg.url = v->url;
	cfg.vkey = &v->vkey;
	cfg.vkey_text = v->vkey_s;
	cfg.evidence_dir = evdir;
	cfg.signer = &signer;
	err = sync_verify_log(st, &cfg, &res);
	crypto_wipe(signer.seed, sizeof(signer.seed));
	if (err == ERR_CONFLICT) {
		fprintf(stderr, "\n*** PARTNER LOG INCONSISTENT: %s ***\n"
		    "*** partner %s (%s) ***\n*** evidence: %s ***\n\n",
		    res.msg, v->url, v->vkey.name, res.evidence[0] != '\0' ?
		    res.evidence : "could not be written");
		return CLI_EXIT_EVIDENCE;
	}
	if (err != ERR_OK) {
		fprintf(stderr, "entente log: %s\n", res.msg[0] != '\0' ?
		    res.msg : err_str(err));
		return CLI_EXIT_ERROR;
	}
	printf("partner log %s: checkpoint of size %llu verified", v->vkey.name,
	    (unsigned long long)res.size);
	if (res.first_contact)
		printf(" (first contact: trusted from now on)");
	else
		printf(", consistent with size %llu seen before",
		    (unsigned long long)res.prev_size);
	printf("; %zu received leaves proved included", res.n_proved);
	if (res.n_later > 0)
		printf(", %zu past this checkpoint (next time)", res.n_later);
	printf("\n");
	if (!res.cosigned) {
		fprintf(stderr, "entente log: %s\n", res.msg);
		return CLI_EXIT_ERROR;
	}
	printf("cosigned checkpoint %llu\n", (unsigned long long)res.size);
	return CLI_EXIT_OK;
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
		rc = do_verify(dir, st, &v);
	}
	store_close(st);
	return rc;
}
