/*
 * common.c: what the subcommands share: node paths, opening a node, exit
 * codes, token issuing, and option parsing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "crypto/crypto.h"
#include "http/auth.h"
#include "util/limits.h"

enum err
cli_path(char *out, size_t out_cap, const char *dir, const char *name)
{
	int n;

	n = snprintf(out, out_cap, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= out_cap)
		return ERR_TOOBIG;
	return ERR_OK;
}

int
cli_exit_code(enum err e)
{
	switch (e) {
	case ERR_OK:
		return CLI_EXIT_OK;
	case ERR_NOTFOUND:
		return CLI_EXIT_NOTFOUND;
	case ERR_EXISTS:
		return CLI_EXIT_EXISTS;
	default:
		return CLI_EXIT_ERROR;
	}
}

int
cli_open_node(const char *dir, struct store **out)
{
	char path[4096];
	enum err err;

	*out = NULL;
	if (cli_path(path, sizeof(path), dir, NODE_DB_FILE) != ERR_OK) {
		fprintf(stderr, "entente: directory name too long: %s\n", dir);
		return CLI_EXIT_USAGE;
	}
	err = store_open(path, 0, out);
	if (err == ERR_NOTFOUND) {
		fprintf(stderr, "entente: no node in %s (create one with: "
		    "entente init --dir %s --name PARTY)\n", dir, dir);
		return CLI_EXIT_NOTFOUND;
	}
	if (err != ERR_OK) {
		fprintf(stderr, "entente: cannot open the node database %s: "
		    "%s\n", path, err_str(err));
		return CLI_EXIT_ERROR;
	}
	return CLI_EXIT_OK;
}

enum err
cli_token_new(struct store *st, int64_t party_id,
    char out[CLI_TOKEN_LEN + 1])
{
	return auth_token_new(st, party_id, out);
}

int
cli_party_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > LIM_PARTY_NAME || name[0] == ' ' ||
	    name[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == ' ' || c == '.' ||
		    c == '_' || c == '-'))
			return 0;
	}
	return 1;
}
