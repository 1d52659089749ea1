/*
 * cmd_party.c: `entente party add NAME --key KEY` records a partner party
 * and its Ed25519 public key; `entente party list` lists the parties.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "crypto/crypto.h"
#include "util/timeutil.h"

static void
party_usage(FILE *f)
{
	fprintf(f, "usage: entente party add NAME --key BASE64_ED25519_PUBLIC_KEY "
	    "[--dir DIR]\n"
	    "       entente party list [--dir DIR]\n\n"
	    "Record a partner party (its name and Ed25519 public key, as\n"
	    "printed by `entente whoami` on its node), or list the parties.\n"
	    "Issue it a credential with `entente token issue NAME`.\n");
}

static int
party_add(struct store *st, const char *name, const char *key64)
{
	uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES];
	size_t n;
	int64_t id;
	enum err err;

	if (!cli_party_name_ok(name)) {
		fprintf(stderr, "entente party add: invalid party name '%s' "
		    "(1-%u letters, digits, space, '.', '_', '-')\n", name,
		    LIM_PARTY_NAME);
		return CLI_EXIT_USAGE;
	}
	if (crypto_b64_decode(key64, strlen(key64), 0, pub, sizeof(pub),
	    &n) != ERR_OK || n != sizeof(pub)) {
		fprintf(stderr, "entente party add: --key must be the base64 "
		    "of a 32-byte Ed25519 public key\n");
		return CLI_EXIT_USAGE;
	}
	err = store_party_add(st, name, pub, STORE_ROLE_PARTNER, &id);
	if (err == ERR_EXISTS) {
		fprintf(stderr, "entente party add: party '%s' already "
		    "exists\n", name);
		return CLI_EXIT_EXISTS;
	}
	if (err != ERR_OK) {
		fprintf(stderr, "entente party add: %s\n", err_str(err));
		return CLI_EXIT_ERROR;
	}
	printf("added party '%s'\n", name);
	return CLI_EXIT_OK;
}

static int
party_list(struct store *st)
{
	struct store_party *p = NULL;
	char pub64[CRYPTO_B64_LEN(32) + 1], ts[TS_BUFSZ];
	size_t n = 0;

	if (store_party_list(st, &p, &n) != ERR_OK) {
		fprintf(stderr, "entente party list: cannot read parties\n");
		return CLI_EXIT_ERROR;
	}
	for (size_t i = 0; i < n; i++) {
		if (crypto_b64_encode(p[i].pubkey, sizeof(p[i].pubkey), 0,
		    pub64, sizeof(pub64)) != ERR_OK)
			pub64[0] = '\0';
		ts_format(p[i].created, ts);
		printf("%-24s %-8s %s %s\n", p[i].name,
		    p[i].role == STORE_ROLE_SELF ? "self" : "partner", pub64,
		    ts);
	}
	free(p);
	return CLI_EXIT_OK;
}

int
cmd_party(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = CLI_DEFAULT_DIR, *key = NULL;
	struct store *st = NULL;
	int c, rc;

	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_KEY:
			key = optarg;
			break;
		case OPT_HELP:
			party_usage(stdout);
			return CLI_EXIT_OK;
		default:
			party_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 2 && strcmp(argv[0], "add") == 0 && key != NULL) {
		if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
			return rc;
		rc = party_add(st, argv[1], key);
	} else if (argc == 1 && strcmp(argv[0], "list") == 0 && key == NULL) {
		if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
			return rc;
		rc = party_list(st);
	} else {
		party_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	store_close(st);
	return rc;
}
