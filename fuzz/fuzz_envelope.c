/*
 * fuzz_envelope.c: libFuzzer harness for TAXII envelope ingest: each input
 * is the body of POST /taxii2/api/collections/<uuid>/objects/ handed to
 * taxii_handle() (taxii/taxii.c, and through it STIX validation, JCS and
 * the store), as the node's own party, inside a jsonmem window as the
 * server does.
 *
 * A temporary database with a self party and one collection is made once;
 * it is recreated every RESET_EVERY inputs so it stays small, and removed at
 * exit.
 *
 * Invariants checked, abort() on violation:
 * - the result is ERR_OK, ERR_PARSE, ERR_INVALID, ERR_TOOBIG or ERR_NOMEM;
 *   on error the body is empty and the message non-empty;
 * - ERR_OK means status 202 and a JSON object body with status "complete",
 *   pending_count 0, total_count == success_count + failure_count, the
 *   successes / failures arrays as long as their counts, total_count equal
 *   to the number of entries of the input's "objects" array, a valid UUID
 *   as id, and success ids that are STIX identifiers;
 * - the first success can be read back: GET of that object id with
 *   match[version]=all returns it;
 * - input that jansson cannot parse as JSON is ERR_PARSE; JSON that is not
 *   an object with an "objects" array is ERR_INVALID.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "stix/stix.h"
#include "store/store.h"
#include "taxii/taxii.h"
#include "util/jsonmem.h"
#include "util/log.h"
#include "util/uuid.h"

#define COLL		"0d3c2b1a-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
#define RESET_EVERY	1000

static struct {
	char			 dir[256];
	char			 path[300];
	struct store		*st;
	struct store_party	 self;
	uint8_t			 key[TAXII_CURSOR_KEY_BYTES];
	unsigned		 runs;
} fz;

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
db_remove(void)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[340];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
		if (snprintf(p, sizeof(p), "%s%s", fz.path, sfx[i]) <
		    (int)sizeof(p))
			(void)unlink(p);
}

static void
db_open(void)
{
	int64_t id;

	if (store_open(fz.path, STORE_CREATE, &fz.st) != ERR_OK ||
	    store_party_add(fz.st, "fuzz-self", NULL, STORE_ROLE_SELF, &id) !=
	    ERR_OK ||
	    store_party_get(fz.st, id, &fz.self) != ERR_OK ||
	    store_collection_add(fz.st, COLL, "Fuzz", "", &id) != ERR_OK) {
		fprintf(stderr, "fuzz_envelope: cannot set up %s\n", fz.path);
		abort();
	}
}

static void
cleanup(void)
{
	store_close(fz.st);
	fz.st = NULL;
	db_remove();
	(void)rmdir(fz.dir);
}

/* Once per process: the jansson allocator and the temporary database. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	jsonmem_install();
	log_set_level(LOG_ERR);
	if (snprintf(fz.dir, sizeof(fz.dir), "%s/fuzz_envelope.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp") >= (int)sizeof(fz.dir)
	    || mkdtemp(fz.dir) == NULL)
		abort();
	if (snprintf(fz.path, sizeof(fz.path), "%s/node.db", fz.dir) >=
	    (int)sizeof(fz.path))
		abort();
	for (size_t i = 0; i < sizeof(fz.key); i++)
		fz.key[i] = (uint8_t)(0x40 + i);
	db_open();
	atexit(cleanup);
	return 0;
}

static enum err
run(const struct taxii_ctx *ctx, enum taxii_method m, const char *path,
    const struct taxii_param *p, size_t n, const uint8_t *body, size_t len,
    struct taxii_resp *resp)
{
	struct taxii_req req;
	enum err err;

	req.method = m;
	req.path = path;
	req.params = p;
	req.n_params = n;
	req.body = (const char *)body;
	req.body_len = len;
	taxii_resp_init(resp);
	jsonmem_begin();
	err = taxii_handle(ctx, &req, resp);
	jsonmem_end();
	return err;
}

/* Read back one stored object by id. */
static void
check_stored(const struct taxii_ctx *ctx, const char *id)
{
	static const struct taxii_param all = { "match[version]", "all" };
	struct taxii_resp r;
	char path[512];
	json_error_t je;
	json_t *j, *objs;
	int found = 0;

	if (snprintf(path, sizeof(path), "/taxii2/api/collections/" COLL
	    "/objects/%s/", id) >= (int)sizeof(path))
		abort();
	if (run(ctx, TAXII_GET, path, &all, 1, NULL, 0, &r) != ERR_OK ||
	    r.status != 200)
		abort();
	j = json_loadb(r.body.ptr, r.body.len, 0, &je);
	objs = json_object_get(j, "objects");
	if (!json_is_array(objs) || json_array_size(objs) == 0)
		abort();
	for (size_t i = 0; i < json_array_size(objs); i++)
		if (strcmp(json_string_value(json_object_get(
		    json_array_get(objs, i), "id")), id) == 0)
			found = 1;
	if (!found)
		abort();
	json_decref(j);
	taxii_resp_free(&r);
}

static json_int_t
count(const json_t *st, const char *key)
{
	json_t *v = json_object_get(st, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		abort();
	return json_integer_value(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct taxii_ctx ctx;
	struct taxii_resp resp;
	json_error_t je;
	json_t *in, *st, *succ, *fail;
	json_int_t total, ok, bad;
	const char *sid;
	enum err err;

	if (++fz.runs % RESET_EVERY == 0) {
		store_close(fz.st);
		fz.st = NULL;
		db_remove();
		db_open();
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.st = fz.st;
	ctx.party = &fz.self;
	ctx.base_url = "https://fuzz:1";
	ctx.cursor_key = fz.key;
	ctx.title = "fuzz";

	/* What the input is, as the server will parse it. */
	in = json_loadb((const char *)data, size,
	    JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);

	err = run(&ctx, TAXII_POST, "/taxii2/api/collections/" COLL
	    "/objects/", NULL, 0, data, size, &resp);
	if (err != ERR_OK) {
		if (err != ERR_PARSE && err != ERR_INVALID &&
		    err != ERR_TOOBIG && err != ERR_NOMEM)
			abort();
		if (resp.body.len != 0 || resp.msg[0] == '\0' ||
		    memchr(resp.msg, '\0', sizeof(resp.msg)) == NULL)
			abort();
		if (in == NULL && err != ERR_PARSE)
			abort();
		if (in != NULL && (!json_is_object(in) ||
		    !json_is_array(json_object_get(in, "objects"))) &&
		    err != ERR_INVALID)
			abort();
		goto out;
	}
	if (in == NULL || resp.status != 202 || resp.body.ptr == NULL)
		abort();
	st = json_loadb(resp.body.ptr, resp.body.len, JSON_REJECT_DUPLICATES,
	    &je);
	if (!json_is_object(st))
		abort();
	total = count(st, "total_count");
	ok = count(st, "success_count");
	bad = count(st, "failure_count");
	succ = json_object_get(st, "successes");
	fail = json_object_get(st, "failures");
	sid = json_string_value(json_object_get(st, "id"));
	if (total != ok + bad || count(st, "pending_count") != 0 ||
	    !json_is_array(succ) || !json_is_array(fail) ||
	    json_array_size(succ) != (size_t)ok ||
	    json_array_size(fail) != (size_t)bad ||
	    (size_t)total != json_array_size(json_object_get(in, "objects")) ||
	    sid == NULL || !uuid_valid(sid, strlen(sid)) ||
	    json_string_value(json_object_get(st, "status")) == NULL ||
	    strcmp(json_string_value(json_object_get(st, "status")),
	    "complete") != 0)
		abort();
	for (size_t i = 0; i < (size_t)ok; i++)
		if (!stix_id_valid(json_string_value(json_object_get(
		    json_array_get(succ, i), "id"))))
			abort();
	if (ok > 0)
		check_stored(&ctx, json_string_value(json_object_get(
		    json_array_get(succ, 0), "id")));
	json_decref(st);
out:
	json_decref(in);
	taxii_resp_free(&resp);
	return 0;
}
