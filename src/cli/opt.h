/*
 * opt.h: option parsing shared by the subcommands (getopt_long, GNU
 * permutation, so options and operands may come in any order).
 */
#ifndef ENTENTE_CLI_OPT_H
#define ENTENTE_CLI_OPT_H

#include <getopt.h>

/* Reset getopt before a subcommand parses its own argv. */
#define CLI_OPT_RESET() do { optind = 0; opterr = 1; } while (0)

/* Option ids for long-only options shared by several commands. */
enum {
	OPT_DIR = 256,
	OPT_HELP,
	OPT_NAME,
	OPT_KEY,
	OPT_TITLE,
	OPT_ID,
	OPT_DESCRIPTION,
	OPT_LISTEN,
	OPT_NO_TLS,
	OPT_THREADS,
	OPT_JSON,
	OPT_LOG_ORIGIN,
	OPT_CHECKPOINT_INTERVAL,
	OPT_URL,
	OPT_TOKEN,
	OPT_TLS_PIN,
	OPT_CACERT,
	OPT_COLLECTION,
	OPT_VERSION,
	OPT_DEFAULT_TLP,
	OPT_OBJECT,
	OPT_PARTY,
	OPT_AT,
	OPT_LOG_KEY,
};

#endif
