/*
 * cmd_collection.c: `entente collection add|list|grant` manages TAXII
 * collections and which parties may read or write them.  Agreements (a
 * later layer) will take over from per-party grants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "crypto/crypto.h"
#include "util/uuid.h"

static void
collection_usage(FILE *f)
{
	fprintf(f,
	    "usage: entente collection add --title T [--id UUID] "
	    "[--description D] [--dir DIR]\n"
	    "       entente collection list [--dir DIR]\n"
	    "       entente collection grant ID PARTY [--read] [--write] "
	    "[--dir DIR]\n"
	    "       entente collection grant ID PARTY --revoke [--dir DIR]\n\n"
	    "add prints the new collection's id alone on its last line.\n"
	    "grant sets what PARTY may do in collection ID (replacing any\n"
	    "earlier grant); --revoke removes all access.  The node's own\n"
	    "party (its admin token) may read and write every collection.\n");
}

static int
text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return 0;
	return 1;
}

static int
collection_add(struct store *st, const char *title, const char *id,
    const char *desc)
{
	char uuid[UUID_STRLEN + 1];
	uint8_t rnd[16];
	int64_t cid;
	enum err err;

	if (!text_ok(title, LIM_TITLE)) {
		fprintf(stderr, "entente collection add: --title must be 1-%u "
		    "printable characters\n", LIM_TITLE);
		return CLI_EXIT_USAGE;
	}
	if (desc != NULL && strlen(desc) > 0 &&
	    !text_ok(desc, LIM_DESCRIPTION)) {
		fprintf(stderr, "entente collection add: --description must be "
		    "at most %u printable characters\n", LIM_DESCRIPTION);
		return CLI_EXIT_USAGE;
	}
	if (id != NULL) {
		if (!uuid_valid(id, strlen(id))) {
			fprintf(stderr, "entente collection add: --id must be "
			    "a UUID (8-4-4-4-12 hex digits)\n");
			return CLI_EXIT_USAGE;
		}
		for (size_t i = 0; i <= UUID_STRLEN; i++)
			uuid[i] = (char)((id[i] >= 'A' && id[i] <= 'F') ?
			    id[i] - 'A' + 'a' : id[i]);
	} else {
		if (crypto_random(rnd, sizeof(rnd)) != ERR_OK) {
			fprintf(stderr, "entente collection add: random "
			    "generator failed\n");
			return CLI_EXIT_ERROR;
		}
		uuid_v4_format(rnd, uuid);
	}
	err = store_collection_add(st, uuid, title, desc ? desc : "", &cid);
	if (err == ERR_EXISTS) {
		fprintf(stderr, "entente collection add: collection %s "
		    "already exists\n", uuid);
		return CLI_EXIT_EXISTS;
	}
	if (err != ERR_OK) {
		fprintf(stderr, "entente collection add: %s\n", err_str(err));
		return CLI_EXIT_ERROR;
	}
	printf("added collection '%s'\n%s\n", title, uuid);
	return CLI_EXIT_OK;
}

static int
collection_list(struct store *st)
{
	struct store_collection *c = NULL;
	size_t n = 0;
	int64_t count;

	if (store_collection_list(st, &c, &n) != ERR_OK) {
		fprintf(stderr, "entente collection list: cannot read "
		    "collections\n");
		return CLI_EXIT_ERROR;
	}
	for (size_t i = 0; i < n; i++) {
		if (store_count_objects(st, c[i].id, &count) != ERR_OK)
			count = -1;
		printf("%s  %8lld objects  %s\n", c[i].uuid, (long long)count,
		    c[i].title);
	}
	free(c);
	return CLI_EXIT_OK;
}

static int
collection_grant(struct store *st, const char *id, const char *party_name,
    int rd, int wr)
{
	struct store_collection coll;
	struct store_party party;
	enum err err;

	if ((err = store_collection_get(st, id, &coll)) != ERR_OK) {
		fprintf(stderr, "entente collection grant: %s collection "
		    "'%s'\n", err == ERR_NOTFOUND ? "no such" : err_str(err),
		    id);
		return cli_exit_code(err);
	}
	if ((err = store_party_by_name(st, party_name, &party)) != ERR_OK) {
		fprintf(stderr, "entente collection grant: %s party '%s'\n",
		    err == ERR_NOTFOUND ? "no such" : err_str(err), party_name);
		return cli_exit_code(err);
	}
	if ((err = store_grant_set(st, coll.id, party.id, rd, wr)) != ERR_OK) {
		fprintf(stderr, "entente collection grant: %s\n",
		    err_str(err));
		return CLI_EXIT_ERROR;
	}
	printf("party '%s' on collection %s: %s\n", party.name, coll.uuid,
	    rd && wr ? "read, write" : rd ? "read" : wr ? "write" :
	    "no access");
	return CLI_EXIT_OK;
}

int
cmd_collection(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "id", required_argument, NULL, OPT_ID },
		{ "description", required_argument, NULL, OPT_DESCRIPTION },
		{ "read", no_argument, NULL, OPT_READ },
		{ "write", no_argument, NULL, OPT_WRITE },
		{ "revoke", no_argument, NULL, OPT_REVOKE },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = CLI_DEFAULT_DIR, *title = NULL, *id = NULL;
	const char *desc = NULL;
	struct store *st = NULL;
	int c, rc, rd = 0, wr = 0, revoke = 0;

	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR: dir = optarg; break;
		case OPT_TITLE: title = optarg; break;
		case OPT_ID: id = optarg; break;
		case OPT_DESCRIPTION: desc = optarg; break;
		case OPT_READ: rd = 1; break;
		case OPT_WRITE: wr = 1; break;
		case OPT_REVOKE: revoke = 1; break;
		case OPT_HELP:
			collection_usage(stdout);
			return CLI_EXIT_OK;
		default:
			collection_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 1 && strcmp(argv[0], "add") == 0 && title != NULL &&
	    !rd && !wr && !revoke) {
		if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
			return rc;
		rc = collection_add(st, title, id, desc);
	} else if (argc == 1 && strcmp(argv[0], "list") == 0) {
		if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
			return rc;
		rc = collection_list(st);
	} else if (argc == 3 && strcmp(argv[0], "grant") == 0 &&
	    ((rd || wr) != revoke)) {
		if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
			return rc;
		rc = collection_grant(st, argv[1], argv[2], rd, wr);
	} else {
		collection_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	store_close(st);
	return rc;
}
