/*
 * main.c: entente's entry point.  Maps argv[1] through a static table of
 * subcommands (one file each in cli/) and nothing else.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "crypto/crypto.h"
#include "util/jsonmem.h"
#include "util/log.h"

static const struct cli_cmd commands[] = {
	{ "init", cmd_init, "create a node: key, database, TLS certificate, "
	    "admin token" },
	{ "serve", cmd_serve, "run the TAXII 2.1 server" },
	{ "whoami", cmd_whoami, "print this node's party, keys and STIX "
	    "identity" },
	{ "party", cmd_party, "add and list partner parties" },
	{ "token", cmd_token, "issue bearer tokens to parties" },
	{ "collection", cmd_collection, "add and list collections" },
	{ "log", cmd_log, "the transparency log: checkpoint, prove, audit, "
	    "verify a partner's" },
	{ "agreement", cmd_agreement, "draft, sign, verify, install and "
	    "terminate agreements" },
	{ "policy", cmd_policy, "explain who may read an object, and why" },
	{ "match", cmd_match, "find the node's indicators in logs and text" },
	{ "export", cmd_export, "write indicators for Suricata, Zeek and "
	    "other tools" },
	{ "sync", cmd_sync, "pull from partners' nodes, verify their logs, "
	    "cosign" },
	{ "partner", cmd_partner, "add, list, show and remove the partners' "
	    "nodes this node syncs with" },
	{ "demo", cmd_demo, "start a three-party demo network on loopback "
	    "(make run)" },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: entente COMMAND [--dir DIR] [options]\n\n"
	    "entente runs a node that exchanges STIX 2.1 threat intelligence "
	    "over TAXII 2.1.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name,
		    commands[i].summary);
	fprintf(f, "\nEvery command takes --dir DIR (default %s) and --help.\n"
	    "Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 exists,\n"
	    "5 a partner's log is inconsistent (evidence saved).\n",
	    CLI_DEFAULT_DIR);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	jsonmem_install();
	if (crypto_init() != ERR_OK) {
		fprintf(stderr, "entente: cryptographic library unusable\n");
		return CLI_EXIT_ERROR;
	}
	/* Only the server keeps an informational log; commands stay quiet
	 * unless something goes wrong. */
	if (strcmp(argv[1], "serve") != 0)
		log_set_level(LOG_WARN);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "entente: unknown command '%s' (try entente --help)\n",
	    argv[1]);
	return CLI_EXIT_USAGE;
}
