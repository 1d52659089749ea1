/*
 * cmd_token.c: `entente token issue PARTY` issues a bearer token to a party
 * and prints it alone on the last line.  Only its hash is stored.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "crypto/crypto.h"

static void
token_usage(FILE *f)
{
	fprintf(f, "usage: entente token issue PARTY [--dir DIR]\n\n"
	    "Issue a new bearer token to PARTY and print it, alone on the\n"
	    "last line.  It is shown once: only its hash is stored.  Clients\n"
	    "send it as 'Authorization: Bearer TOKEN', 'Token TOKEN', or as\n"
	    "the password of HTTP Basic with the party name as user.\n");
}

int
cmd_token(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = CLI_DEFAULT_DIR;
	char token[CLI_TOKEN_LEN + 1];
	struct store_party party;
	struct store *st = NULL;
	enum err err;
	int c, rc;

	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_HELP:
			token_usage(stdout);
			return CLI_EXIT_OK;
		default:
			token_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2 || strcmp(argv[0], "issue") != 0) {
		token_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
		return rc;
	err = store_party_by_name(st, argv[1], &party);
	if (err != ERR_OK) {
		fprintf(stderr, "entente token issue: %s '%s'\n",
		    err == ERR_NOTFOUND ? "no such party" : err_str(err),
		    argv[1]);
		rc = cli_exit_code(err);
		goto out;
	}
	if ((err = cli_token_new(st, party.id, token)) != ERR_OK) {
		fprintf(stderr, "entente token issue: %s\n", err_str(err));
		rc = CLI_EXIT_ERROR;
		goto out;
	}
	printf("token for party '%s' (shown once):\n%s\n", party.name, token);
	crypto_wipe(token, sizeof(token));
out:
	store_close(st);
	return rc;
}
