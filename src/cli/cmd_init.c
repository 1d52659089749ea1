/*
 * cmd_init.c: `entente init` creates a node: its directory (0700), Ed25519
 * identity key (0600), SQLite database, self-signed TLS certificate, cursor
 * key, default TLP of unmarked objects, and an admin token that is printed
 * once and stored only as a hash.
 * It never touches an existing node, and on failure removes what it made.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tlog/note.h"
#include "cli/opt.h"
#include "crypto/crypto.h"
#include "policy/agreement.h"
#include "policy/node.h"
#include "util/limits.h"

#define CURSOR_KEY_BYTES 32

static void
init_usage(FILE *f)
{
	fprintf(f, "usage: entente init --name PARTY [--dir DIR] "
	    "[--log-origin ORIGIN]\n"
	    "           [--default-tlp clear|green|amber|amber+strict|red]\n\n"
	    "Create a node in DIR (default %s): identity key, database, TLS\n"
	    "certificate.  Prints the admin token once, alone on the last\n"
	    "line; keep it, only its hash is stored.  Refuses a directory\n"
	    "that already holds a node (exit 4).\n\n"
	    "  --name PARTY  this node's party (1-%u characters: letters,\n"
	    "                digits, space, '.', '_', '-')\n"
	    "  --dir DIR     node directory (created, mode 0700)\n"
	    "  --log-origin ORIGIN\n"
	    "                the name of this node's transparency log in its\n"
	    "                checkpoints, fixed for the node's life (default\n"
	    "                HOSTNAME/entente/log; no spaces, no '+')\n"
	    "  --default-tlp LEVEL\n"
	    "                the TLP the policy assumes for objects without a\n"
	    "                TLP marking (default amber)\n",
	    CLI_DEFAULT_DIR, LIM_PARTY_NAME);
}

/* 1 when s names a TLP level a node may assume for unmarked objects. */
static int
tlp_ok(const char *s)
{
	int t;

	for (t = AGREEMENT_TLP_CLEAR; t <= AGREEMENT_TLP_RED; t++)
		if (strcmp(s, agreement_tlp_name((enum agreement_tlp)t)) == 0)
			return 1;
	return 0;
}

/* Remove the files init may have created, so a retry starts clean. */
static void
init_cleanup(const char *dir, int made_dir)
{
	static const char *const files[] = { NODE_DB_FILE, NODE_DB_FILE "-wal",
	    NODE_DB_FILE "-shm", NODE_KEY_FILE, NODE_TLS_CERT_FILE,
	    NODE_TLS_KEY_FILE };
	char path[4096];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (cli_path(path, sizeof(path), dir, files[i]) == ERR_OK)
			(void)unlink(path);
	if (made_dir)
		(void)rmdir(dir);
}

/* 1 if dir already holds (part of) a node. */
static int
node_present(const char *dir)
{
	static const char *const files[] = { NODE_DB_FILE, NODE_KEY_FILE };
	char path[4096];
	struct stat sb;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (cli_path(path, sizeof(path), dir, files[i]) == ERR_OK &&
		    lstat(path, &sb) == 0)
			return 1;
	return 0;
}

int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "log-origin", required_argument, NULL, OPT_LOG_ORIGIN },
		{ "default-tlp", required_argument, NULL, OPT_DEFAULT_TLP },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = CLI_DEFAULT_DIR, *name = NULL, *origin = NULL;
	const char *tlp = "amber";
	char origin_buf[TLOG_NOTE_NAME_MAX + 1];
	uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES], *seed = NULL;
	uint8_t cursor_key[CURSOR_KEY_BYTES];
	char path[4096], path2[4096], pub64[CRYPTO_B64_LEN(32) + 1];
	char token[CLI_TOKEN_LEN + 1];
	struct store *st = NULL;
	int64_t self_id;
	int c, made_dir = 0, rc = CLI_EXIT_ERROR;
	enum err err;
	struct stat sb;

	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_LOG_ORIGIN:
			origin = optarg;
			break;
		case OPT_NAME:
			name = optarg;
			break;
		case OPT_DEFAULT_TLP:
			tlp = optarg;
			break;
		case OPT_HELP:
			init_usage(stdout);
			return CLI_EXIT_OK;
		default:
			init_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc || name == NULL) {
		fprintf(stderr, "entente init: %s\n", name == NULL ?
		    "--name PARTY is required" : "unexpected argument");
		init_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (origin != NULL && !tlog_name_valid(origin, strlen(origin))) {
		fprintf(stderr, "entente init: invalid log origin '%s': 1-%u "
		    "bytes, no spaces, no '+'\n", origin, TLOG_NOTE_NAME_MAX);
		return CLI_EXIT_USAGE;
	}
	if (!tlp_ok(tlp)) {
		fprintf(stderr, "entente init: --default-tlp must be clear, "
		    "green, amber, amber+strict or red\n");
		return CLI_EXIT_USAGE;
	}
	if (origin == NULL) {
		cli_log_origin_default(origin_buf, sizeof(origin_buf));
		origin = origin_buf;
	}
	if (!cli_party_name_ok(name)) {
		fprintf(stderr, "entente init: invalid party name '%s'\n",
		    name);
		return CLI_EXIT_USAGE;
	}
	if (strlen(dir) > 3000) {
		fprintf(stderr, "entente init: directory name too long\n");
		return CLI_EXIT_USAGE;
	}
	if (node_present(dir)) {
		fprintf(stderr, "entente init: %s already holds a node; "
		    "refusing to touch it\n", dir);
		return CLI_EXIT_EXISTS;
	}
	if (mkdir(dir, 0700) == 0) {
		made_dir = 1;
	} else if (errno != EEXIST) {
		fprintf(stderr, "entente init: cannot create %s: %s\n", dir,
		    strerror(errno));
		return CLI_EXIT_ERROR;
	} else if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "entente init: %s exists and is not a "
		    "directory\n", dir);
		return CLI_EXIT_ERROR;
	} else if (chmod(dir, 0700) != 0) {
		fprintf(stderr, "entente init: cannot chmod %s: %s\n", dir,
		    strerror(errno));
		return CLI_EXIT_ERROR;
	}

	if ((seed = crypto_secret_alloc(CRYPTO_ED25519_SECRET_BYTES)) ==
	    NULL) {
		fprintf(stderr, "entente init: cannot allocate key memory\n");
		goto out;
	}
	if (crypto_ed25519_keypair(pub, seed) != ERR_OK ||
	    crypto_random(cursor_key, sizeof(cursor_key)) != ERR_OK) {
		fprintf(stderr, "entente init: random generator failed\n");
		goto out;
	}
	if (cli_path(path, sizeof(path), dir, NODE_KEY_FILE) != ERR_OK ||
	    (err = crypto_key_save(path, seed)) != ERR_OK) {
		fprintf(stderr, "entente init: cannot write %s\n", path);
		goto out;
	}
	if (cli_path(path, sizeof(path), dir, NODE_TLS_CERT_FILE) != ERR_OK ||
	    cli_path(path2, sizeof(path2), dir, NODE_TLS_KEY_FILE) !=
	    ERR_OK || crypto_tls_selfsigned("localhost", path, path2) !=
	    ERR_OK) {
		fprintf(stderr, "entente init: cannot create the TLS "
		    "certificate\n");
		goto out;
	}
	if (cli_path(path, sizeof(path), dir, NODE_DB_FILE) != ERR_OK ||
	    (err = store_open(path, STORE_CREATE, &st)) != ERR_OK) {
		fprintf(stderr, "entente init: cannot create the database "
		    "%s\n", path);
		goto out;
	}
	if (store_begin(st) != ERR_OK)
		goto dberr;
	if (store_party_add(st, name, pub, STORE_ROLE_SELF, &self_id) !=
	    ERR_OK || store_meta_set(st, "cursor_key", cursor_key,
	    sizeof(cursor_key)) != ERR_OK ||
	    store_meta_set(st, "log_origin", origin, strlen(origin)) !=
	    ERR_OK ||
	    store_meta_set(st, NODE_META_DEFAULT_TLP, tlp, strlen(tlp)) !=
	    ERR_OK ||
	    cli_token_new(st, self_id, token) != ERR_OK) {
		store_rollback(st);
		goto dberr;
	}
	if (store_commit(st) != ERR_OK)
		goto dberr;
	if (crypto_b64_encode(pub, sizeof(pub), 0, pub64, sizeof(pub64)) !=
	    ERR_OK)
		goto out;

	printf("created node '%s' in %s\n", name, dir);
	printf("public key: %s\n", pub64);
	printf("log origin: %s\n", origin);
	printf("default TLP of unmarked objects: %s\n", tlp);
	printf("TLS certificate: %s/%s\n", dir, NODE_TLS_CERT_FILE);
	printf("admin token (shown once, only its hash is stored):\n");
	printf("%s\n", token);
	crypto_wipe(token, sizeof(token));
	rc = CLI_EXIT_OK;
	goto out;
dberr:
	fprintf(stderr, "entente init: cannot initialize the database\n");
out:
	crypto_wipe(cursor_key, sizeof(cursor_key));
	crypto_secret_free(seed);
	store_close(st);
	if (rc != CLI_EXIT_OK)
		init_cleanup(dir, made_dir);
	return rc;
}
