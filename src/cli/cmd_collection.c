/*
 * cmd_collection.c: `entente collection add|list` manages TAXII
 * collections.  Each has a TAXII id (a UUID) and a name, by which the
 * share clauses of agreements list it.  Who may read or write a collection
 * is not set here: it comes from the agreements installed on the node
 * (`entente agreement install`, docs/agreements.md).
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
	    "usage: entente collection add --title T [--name NAME] [--id UUID]"
	    "\n"
	    "           [--description D] [--dir DIR]\n"
	    "       entente collection list [--dir DIR]\n\n"
	    "add prints the new collection's id alone on its last line.\n"
	    "NAME (1-%u of A-Z a-z 0-9 . _ -, unique on the node) is how\n"
	    "agreements' share clauses list the collection; the default is\n"
	    "its id.  list prints id, name, object count and title.\n\n"
	    "Access comes from agreements: a partner reads or writes a\n"
	    "collection only as the share clauses of an agreement in force\n"
	    "allow (entente agreement install, entente policy explain).\n"
	    "The node's own party (its admin token) may read and write\n"
	    "every collection.\n", STORE_COLL_NAME_MAX);
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

/* 1 when name is a collection name: 1-STORE_COLL_NAME_MAX of
 * A-Z a-z 0-9 . _ - (what agreements' share clauses list). */
static int
name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > STORE_COLL_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-'))
			return 0;
	}
	return 1;
}

static int
collection_add(struct store *st, const char *title, const char *name,
    const char *id, const char *desc)
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
	if (name != NULL && !name_ok(name)) {
		fprintf(stderr, "entente collection add: --name must be 1-%u "
		    "letters, digits, '.', '_' or '-'\n", STORE_COLL_NAME_MAX);
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
	if (name != NULL)
		err = store_collection_add_named(st, uuid, name, title,
		    desc ? desc : "", &cid);
	else
		err = store_collection_add(st, uuid, title, desc ? desc : "",
		    &cid);
	if (err == ERR_EXISTS) {
		if (name != NULL)
			fprintf(stderr, "entente collection add: a collection "
			    "with id %s or name '%s' already exists\n", uuid,
			    name);
		else
			fprintf(stderr, "entente collection add: collection "
			    "%s already exists\n", uuid);
		return CLI_EXIT_EXISTS;
	}
	if (err != ERR_OK) {
		fprintf(stderr, "entente collection add: %s\n", err_str(err));
		return err == ERR_INVALID ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
	}
	printf("added collection '%s' named %s\n%s\n", title,
	    name != NULL ? name : uuid, uuid);
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
		printf("%s  %-20s %8lld objects  %s\n", c[i].uuid, c[i].name,
		    (long long)count, c[i].title);
	}
	free(c);
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
		{ "name", required_argument, NULL, OPT_NAME },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = CLI_DEFAULT_DIR, *title = NULL, *id = NULL;
	const char *desc = NULL, *name = NULL;
	struct store *st = NULL;
	int c, rc;

	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR: dir = optarg; break;
		case OPT_TITLE: title = optarg; break;
		case OPT_ID: id = optarg; break;
		case OPT_DESCRIPTION: desc = optarg; break;
		case OPT_NAME: name = optarg; break;
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
	if (argc >= 1 && strcmp(argv[0], "grant") == 0) {
		fprintf(stderr, "entente collection grant: removed: access to "
		    "collections now comes from agreements (entente agreement "
		    "install FILE; entente policy explain)\n");
		return CLI_EXIT_USAGE;
	}
	if (argc == 1 && strcmp(argv[0], "add") == 0 && title != NULL) {
		if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
			return rc;
		rc = collection_add(st, title, name, id, desc);
	} else if (argc == 1 && strcmp(argv[0], "list") == 0) {
		if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
			return rc;
		rc = collection_list(st);
	} else {
		collection_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	store_close(st);
	return rc;
}
