/*
 * common.c: what the subcommands share: node paths, opening a node, exit
 * codes, token issuing, and option parsing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "policy/node.h"
#include "crypto/crypto.h"
#include "http/auth.h"
#include "tlog/note.h"
#include "tlog/tree.h"
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

/* The default log origin for this host.  See cli.h. */
void
cli_log_origin_default(char *out, size_t out_cap)
{
	char host[256];

	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	(void)snprintf(out, out_cap, "%s/entente/log", host);
	if (host[0] == '\0' || !tlog_name_valid(out, strlen(out)))
		(void)snprintf(out, out_cap, "localhost/entente/log");
}

/* The log's origin.  See cli.h. */
enum err
cli_log_origin(struct store *st, char *out, size_t out_cap)
{
	char *v = NULL;
	size_t n = 0;
	enum err err;

	err = store_meta_get(st, "log_origin", &v, &n);
	if (err == ERR_NOTFOUND) {
		cli_log_origin_default(out, out_cap);
		return store_meta_set(st, "log_origin", out, strlen(out));
	}
	if (err != ERR_OK)
		return err;
	if (n >= out_cap || !tlog_name_valid(v, n)) {
		free(v);
		return ERR_INVALID;
	}
	memcpy(out, v, n + 1);
	free(v);
	return ERR_OK;
}

/* The checkpoint signer.  See cli.h. */
int
cli_log_signer(const char *dir, struct store *st, struct tlog_signer *out)
{
	struct store_party self;
	char path[4096];
	enum err err;

	memset(out, 0, sizeof(*out));
	if ((err = cli_log_origin(st, out->origin, sizeof(out->origin))) !=
	    ERR_OK) {
		fprintf(stderr, "entente: cannot read the log origin: %s\n",
		    err_str(err));
		return CLI_EXIT_ERROR;
	}
	if (cli_path(path, sizeof(path), dir, NODE_KEY_FILE) != ERR_OK ||
	    (err = crypto_key_load(path, out->seed)) != ERR_OK) {
		fprintf(stderr, "entente: cannot read the node key %s/%s\n",
		    dir, NODE_KEY_FILE);
		return CLI_EXIT_ERROR;
	}
	crypto_ed25519_public(out->seed, out->pub);
	if (store_party_self(st, &self) != ERR_OK ||
	    !crypto_memeq(self.pubkey, out->pub, sizeof(out->pub))) {
		crypto_wipe(out->seed, sizeof(out->seed));
		fprintf(stderr, "entente: %s/%s is not the key of this node's "
		    "party: refusing to sign with it\n", dir, NODE_KEY_FILE);
		return CLI_EXIT_ERROR;
	}
	return CLI_EXIT_OK;
}

/* fsync the directory holding path, so a rename into it survives a crash. */
static void
sync_parent(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd;

	if (slash == NULL) {
		dir[0] = '.';
		dir[1] = '\0';
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir))
			return;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		(void)close(fd);
	}
}

/* Replace path atomically.  See cli.h. */
enum err
cli_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[4096], hex[2 * 8 + 1];
	const char *p = data;
	uint8_t rnd[8];
	int fd = -1, saved, n;

	/* Like mkstemp(3), but with the mode set at creation. */
	if (crypto_random(rnd, sizeof(rnd)) != ERR_OK)
		return ERR_CRYPTO;
	for (size_t i = 0; i < sizeof(rnd); i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	n = snprintf(tmp, sizeof(tmp), "%s.tmp-%s", path, hex);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return ERR_TOOBIG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd < 0)
		return ERR_IO;
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	n = close(fd);
	fd = -1;
	if (n != 0 || rename(tmp, path) != 0)
		goto fail;
	sync_parent(path);
	return ERR_OK;
fail:
	saved = errno;
	if (fd >= 0)
		(void)close(fd);
	(void)unlink(tmp);
	errno = saved;		/* for the caller's message */
	return ERR_IO;
}

static int
use_allow(void *arg, const struct store_row *r)
{
	const struct cli_use *u = arg;

	return node_may_use(u->pol, r, u->now);
}

/* The node's policy, for match and export.  See cli.h. */
enum err
cli_use_open(struct store *st, int64_t now, struct cli_use *u)
{
	enum err err;

	memset(u, 0, sizeof(*u));
	if ((err = node_policy_load(st, &u->pol, NULL)) != ERR_OK)
		return err;
	u->now = now;
	u->use.allow = use_allow;
	u->use.arg = u;
	return ERR_OK;
}

void
cli_use_close(struct cli_use *u)
{
	policy_free(u->pol);
	u->pol = NULL;
}
