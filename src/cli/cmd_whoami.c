/*
 * cmd_whoami.c: `entente whoami` prints this node's party name and its
 * Ed25519 public key (base64).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "crypto/crypto.h"

static void
whoami_usage(FILE *f)
{
	fprintf(f, "usage: entente whoami [--dir DIR] [--json]\n\n"
	    "Print this node's party name and Ed25519 public key (base64).\n");
}

int
cmd_whoami(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = CLI_DEFAULT_DIR;
	char pub64[CRYPTO_B64_LEN(32) + 1];
	struct store_party self;
	struct store *st = NULL;
	int c, json = 0, rc;

	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_HELP:
			whoami_usage(stdout);
			return CLI_EXIT_OK;
		default:
			whoami_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		whoami_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
		return rc;
	rc = CLI_EXIT_ERROR;
	if (store_party_self(st, &self) != ERR_OK) {
		fprintf(stderr, "entente whoami: the node has no party\n");
		goto out;
	}
	if (crypto_b64_encode(self.pubkey, sizeof(self.pubkey), 0, pub64,
	    sizeof(pub64)) != ERR_OK)
		goto out;
	if (json)
		printf("{\"name\":\"%s\",\"public_key\":\"%s\"}\n", self.name,
		    pub64);	/* names are restricted to safe characters */
	else
		printf("party: %s\npublic key: %s\n", self.name, pub64);
	rc = CLI_EXIT_OK;
out:
	store_close(st);
	return rc;
}
