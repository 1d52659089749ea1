/*
 * cli.h: the subcommands of the entente binary and what they share.
 *
 * main.c maps argv[1] through a static table of these; each cmd_<name>.c
 * implements one.  Subcommands print human output on stdout, diagnostics on
 * stderr, and exit with CLI_EXIT_* codes (docs/cli.md).  Only cli/ (and
 * main.c) know about processes, terminals and exit codes.
 */
#ifndef ENTENTE_CLI_CLI_H
#define ENTENTE_CLI_CLI_H

#include <stdio.h>
#include <sys/types.h>

#include "match/indicator.h"
#include "store/store.h"
#include "util/err.h"

/* Exit codes, part of the interface (docs/cli.md). */
#define CLI_EXIT_OK		0
#define CLI_EXIT_ERROR		1	/* the command failed; nothing changed */
#define CLI_EXIT_USAGE		2	/* bad arguments */
#define CLI_EXIT_NOTFOUND	3	/* no node, party, collection, ... */
#define CLI_EXIT_EXISTS		4	/* refused: it already exists */
#define CLI_EXIT_EVIDENCE	5	/* a partner's log is inconsistent:
					 * evidence saved (log verify) */

#define CLI_DEFAULT_DIR		"./var"

/* Files inside a node directory. */
#define NODE_DB_FILE		"entente.db"
#define NODE_KEY_FILE		"identity.key"
#define NODE_TLS_CERT_FILE	"tls.crt"
#define NODE_TLS_KEY_FILE	"tls.key"

struct cli_cmd {
	const char	*name;
	int		(*fn)(int argc, char **argv);
	const char	*summary;
};

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_whoami(int argc, char **argv);
int cmd_party(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_collection(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_agreement(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_partner(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_demo(int argc, char **argv);

/*
 * Join dir and name into out (out_cap bytes).  ERR_TOOBIG when it does not
 * fit.
 */
enum err cli_path(char *out, size_t out_cap, const char *dir,
    const char *name) WUR;

/*
 * Open the node in dir: its database must exist.  Prints a message naming
 * dir and what to do on failure, and returns the exit code to use (0 on
 * success, with *out set; the caller store_close()s it).
 */
int cli_open_node(const char *dir, struct store **out);

/*
 * 1 when name is an acceptable party name: 1-LIM_PARTY_NAME letters,
 * digits, spaces, '.', '_' or '-', not starting or ending with a space.
 */
int cli_party_name_ok(const char *name);

/*
 * The transparency log's origin (its key name in notes): the "log_origin"
 * setting, chosen at init.  A node made before the log existed gets the
 * default, "<host name>/entente/log", stored on first use.  out has room
 * for TLOG_NOTE_NAME_MAX + 1 bytes.
 */
enum err cli_log_origin(struct store *st, char *out, size_t out_cap) WUR;
/* The default origin for this host into out (TLOG_NOTE_NAME_MAX + 1). */
void cli_log_origin_default(char *out, size_t out_cap);

/*
 * What signs this node's checkpoints: its origin and identity key (read
 * from dir).  Prints the reason and returns an exit code on failure.  The
 * caller wipes out->seed (crypto_wipe) when done.
 */
struct tlog_signer;
int cli_log_signer(const char *dir, struct store *st,
    struct tlog_signer *out);

/*
 * Replace the file path by data[0..len) atomically: write a new file with
 * a random name beside it (created with O_EXCL and mode), fsync, rename
 * over path, fsync the directory.  Nothing is left behind on failure.
 * ERR_IO with errno set, ERR_TOOBIG for a path too long.
 */
enum err cli_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode) WUR;

/* Map an error to the exit code the commands use. */
int cli_exit_code(enum err e);

/*
 * What `match` and `export` may use: the node's own indicators and those
 * received under an agreement in force at now (node_may_use).  open loads
 * the node's policy; u->use is then what to pass to the match module.
 */
struct policy;
struct cli_use {
	struct policy		*pol;
	int64_t			 now;
	struct match_use	 use;
};
enum err cli_use_open(struct store *st, int64_t now, struct cli_use *u) WUR;
void cli_use_close(struct cli_use *u);

/*
 * Parse a duration "N" (seconds), "Ns", "Nm" or "Nh" into seconds within
 * [min, max].  0 on success, -1 otherwise.
 */
int cli_parse_seconds(const char *s, unsigned min, unsigned max,
    unsigned *out);

/*
 * Sync with every partner in the background of `serve` every `every`
 * seconds (cmd_sync.c), on its own connection to the database at db_path,
 * cosigning with a copy of signer.  start: ERR_NOMEM etc.; stop waits for
 * the thread.  NULL does nothing for stop.
 */
struct cli_syncer;
enum err cli_syncer_start(const char *db_path, const char *dir,
    const struct tlog_signer *signer, unsigned every,
    struct cli_syncer **out) WUR;
void cli_syncer_stop(struct cli_syncer *s);

/* Issue a new bearer token for party_id (see http/auth.h). */
#define CLI_TOKEN_LEN	58	/* "ent_" + base64url of 40 bytes (54) */
enum err cli_token_new(struct store *st, int64_t party_id,
    char out[CLI_TOKEN_LEN + 1]) WUR;

#endif
