/*
 * test_store.c: the SQLite store backend against its contract (store.h)
 * and against a brute-force model of TAXII filtering and pagination.
 *
 * Every test works on a fresh database in its own mkdtemp directory.  White
 * box parts (EXPLAIN QUERY PLAN, flags, fault injection) use the hooks of
 * store/store_sqlite_int.h.
 */
#include "testutil.h"

#include <sys/stat.h>

#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_sqlite_int.h"
#include "util/log.h"
#include "util/timeutil.h"

#define T_TYPES		4
#define T_JSON_MAX	256

static const char *const t_types[T_TYPES] = {
	"indicator", "malware", "report", "tool"
};

/* A test fixture: a directory, a database, one party, one collection. */
struct fx {
	char		 dir[64];
	char		 path[128];
	struct store	*st;
	int64_t		 party;
	int64_t		 coll;
};

/* One object version as the tests build it; owns its strings. */
struct tobj {
	char	id[96];
	char	json[T_JSON_MAX];
	int	type;
	int64_t	version;
	int	variant;	/* different variant = different content */
};

/* Remove every file in dir, then dir. */
static void
rm_dir(const char *dir)
{
	struct dirent *de;
	char p[PATH_MAX];
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) <
		    (int)sizeof(p))
			(void)unlink(p);
	}
	closedir(d);
	(void)rmdir(dir);
}

static void
mk_dir(char *dir, size_t cap)
{
	const char *tmp = getenv("TMPDIR");

	assert_true(snprintf(dir, cap, "%s/test_store.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp") < (int)cap);
	assert_non_null(mkdtemp(dir));
}

static int
fx_setup(void **state)
{
	struct fx *f;
	uint8_t key[32];

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	mk_dir(f->dir, sizeof(f->dir));
	assert_true(snprintf(f->path, sizeof(f->path), "%s/store.db",
	    f->dir) < (int)sizeof(f->path));
	assert_int_equal(store_open(f->path, STORE_CREATE, &f->st), ERR_OK);
	memset(key, 0x42, sizeof(key));
	assert_int_equal(store_party_add(f->st, "partner-a", key,
	    STORE_ROLE_PARTNER, &f->party), ERR_OK);
	assert_int_equal(store_collection_add(f->st,
	    "11111111-2222-4333-8444-555555555555", "Test", "A collection",
	    &f->coll), ERR_OK);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	rm_dir(f->dir);
	free(f);
	return 0;
}

/* A stand-in for SHA-256: the store only compares the 32 bytes. */
static void
fake_hash(const char *s, size_t len, uint8_t out[32])
{
	uint64_t h = 1469598103934665603ull;

	for (size_t k = 0; k < 4; k++) {
		h ^= k * 0x9e3779b97f4a7c15ull;
		for (size_t i = 0; i < len; i++) {
			h ^= (uint8_t)s[i];
			h *= 1099511628211ull;
		}
		memcpy(out + 8 * k, &h, 8);
	}
}

/* Fill o as version `version` (variant v) of object number idx. */
static void
tobj_make(struct tobj *o, int idx, int type, int64_t version, int variant)
{
	int n;

	n = snprintf(o->id, sizeof(o->id),
	    "%s--00000000-0000-4000-8000-%012d", t_types[type], idx);
	assert_true(n > 0 && (size_t)n < sizeof(o->id));
	n = snprintf(o->json, sizeof(o->json),
	    "{\"id\":\"%s\",\"modified\":%lld,\"type\":\"%s\",\"v\":%d}",
	    o->id, (long long)version, t_types[type], variant);
	assert_true(n > 0 && (size_t)n < sizeof(o->json));
	o->type = type;
	o->version = version;
	o->variant = variant;
}

static void
tobj_in(const struct tobj *o, struct store_obj_in *in)
{
	memset(in, 0, sizeof(*in));
	in->stix_id = o->id;
	in->type = t_types[o->type];
	in->version = o->version;
	in->json = o->json;
	in->json_len = strlen(o->json);
	fake_hash(in->json, in->json_len, in->hash);
}

/* Put n test objects; results and dates go to res[] and da[]. */
static enum err
put_tobjs(struct store *st, int64_t coll, int64_t party,
    const struct tobj *o, size_t n, enum store_put_result *res, int64_t *da)
{
	struct store_obj_in *in;
	enum err err;

	in = calloc(n > 0 ? n : 1, sizeof(*in));
	assert_non_null(in);
	for (size_t i = 0; i < n; i++)
		tobj_in(&o[i], &in[i]);
	err = store_put_objects(st, coll, party, in, n, res, da);
	free(in);
	return err;
}

/* Run one SQL query returning one integer, on connection db. */
static int64_t
sql_int_db(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The same on the store's connection. */
static int64_t
sql_int(struct store *st, const char *sql)
{
	return sql_int_db(store_sqlite_db(st), sql);
}

/* ---- open, create, migrations ---- */

static void
test_open_create(void **state)
{
	struct store *st = NULL, *st2 = NULL;
	struct stat sb;
	char dir[64], path[128];
	int v;

	(void)state;
	mk_dir(dir, sizeof(dir));
	assert_true(snprintf(path, sizeof(path), "%s/db", dir) <
	    (int)sizeof(path));
	assert_int_equal(store_open(path, 0, &st), ERR_NOTFOUND);
	assert_null(st);
	assert_int_equal(stat(path, &sb), -1);

	assert_int_equal(store_open(path, STORE_CREATE, &st), ERR_OK);
	assert_non_null(st);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* SQLite gives the WAL and its index the database's mode. */
	{
		char side[160];

		assert_true(snprintf(side, sizeof(side), "%s-wal", path) <
		    (int)sizeof(side));
		assert_int_equal(stat(side, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
		assert_true(snprintf(side, sizeof(side), "%s-shm", path) <
		    (int)sizeof(side));
		assert_int_equal(stat(side, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
	}
	assert_int_equal(store_schema_version(st),
	    store_sqlite_schema_latest());
	assert_int_equal(sql_int(st, "PRAGMA user_version"),
	    store_sqlite_schema_latest());
	assert_int_equal(sql_int(st, "PRAGMA foreign_keys"), 1);
	assert_int_equal(sql_int(st, "PRAGMA synchronous"), 1);  /* NORMAL */
	assert_int_equal(sql_int(st, "PRAGMA trusted_schema"), 0);
	assert_int_equal(sqlite3_db_config(store_sqlite_db(st),
	    SQLITE_DBCONFIG_DEFENSIVE, -1, &v), SQLITE_OK);
	assert_int_equal(v, 1);
	/* DEFENSIVE: the schema cannot be written directly. */
	assert_int_not_equal(sqlite3_exec(store_sqlite_db(st),
	    "PRAGMA writable_schema = ON; DELETE FROM sqlite_schema", NULL,
	    NULL, NULL), SQLITE_OK);

	/* A second handle on the same file; CREATE refuses it. */
	assert_int_equal(store_open(path, STORE_CREATE, &st2), ERR_EXISTS);
	assert_null(st2);
	assert_int_equal(store_open(path, 0, &st2), ERR_OK);
	assert_int_equal(store_schema_version(st2),
	    store_sqlite_schema_latest());
	{
		sqlite3_stmt *s;

		assert_int_equal(sqlite3_prepare_v2(store_sqlite_db(st2),
		    "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_string_equal(sqlite3_column_text(s, 0), "wal");
		sqlite3_finalize(s);
	}
	store_close(st2);
	store_close(st);
	store_close(NULL);

	/* Reopen after close: schema intact, nothing re-applied. */
	assert_int_equal(store_open(path, 0, &st), ERR_OK);
	assert_int_equal(store_schema_version(st),
	    store_sqlite_schema_latest());
	store_close(st);
	rm_dir(dir);
}

static void
test_open_migrates_and_refuses_newer(void **state)
{
	struct store *st = NULL;
	char dir[64], path[128], junk[128];
	sqlite3 *db;
	FILE *fp;

	(void)state;
	mk_dir(dir, sizeof(dir));
	assert_true(snprintf(path, sizeof(path), "%s/db", dir) <
	    (int)sizeof(path));
	/* An empty file is a database at version 0: open migrates it. */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(store_open(path, 0, &st), ERR_OK);
	assert_int_equal(store_schema_version(st),
	    store_sqlite_schema_latest());
	assert_int_equal(sql_int(st, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'objects'"), 1);
	store_close(st);

	/* A database from a newer entente is refused. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	st = NULL;
	assert_int_equal(store_open(path, 0, &st), ERR_UNSUPPORTED);
	assert_null(st);

	/* Not a database at all. */
	assert_true(snprintf(junk, sizeof(junk), "%s/junk", dir) <
	    (int)sizeof(junk));
	fp = fopen(junk, "w");
	assert_non_null(fp);
	for (int i = 0; i < 200; i++)
		fputs("this is not an SQLite database. ", fp);
	fclose(fp);
	assert_int_equal(store_open(junk, 0, &st), ERR_DB);
	assert_null(st);
	assert_int_equal(store_open(NULL, 0, &st), ERR_INVALID);
	rm_dir(dir);
}

/* ---- meta, parties, tokens, collections ---- */

static void
test_meta(void **state)
{
	struct fx *f = *state;
	char *v = NULL;
	size_t len = 99;

	assert_int_equal(store_meta_get(f->st, "nope", &v, &len),
	    ERR_NOTFOUND);
	assert_null(v);
	assert_int_equal(len, 0);
	assert_int_equal(store_meta_set(f->st, "k", "a\0b", 3), ERR_OK);
	assert_int_equal(store_meta_get(f->st, "k", &v, &len), ERR_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(v, "a\0b", 4);	/* NUL-terminated copy */
	free(v);
	assert_int_equal(store_meta_set(f->st, "k", "longer", 6), ERR_OK);
	assert_int_equal(store_meta_get(f->st, "k", &v, &len), ERR_OK);
	assert_int_equal(len, 6);
	assert_string_equal(v, "longer");
	free(v);
	assert_int_equal(store_meta_set(f->st, "empty", NULL, 0), ERR_OK);
	assert_int_equal(store_meta_get(f->st, "empty", &v, &len), ERR_OK);
	assert_int_equal(len, 0);
	assert_string_equal(v, "");
	free(v);
	assert_int_equal(store_meta_set(f->st, "k", NULL, 1), ERR_INVALID);
}

static void
test_parties(void **state)
{
	struct fx *f = *state;
	struct store_party p, *list = NULL;
	uint8_t key[32];
	char longname[LIM_PARTY_NAME + 2];
	int64_t self, other;
	size_t n;

	memset(key, 7, sizeof(key));
	assert_int_equal(store_party_self(f->st, &p), ERR_NOTFOUND);
	assert_int_equal(store_party_add(f->st, "us", key, STORE_ROLE_SELF,
	    &self), ERR_OK);
	assert_int_equal(store_party_add(f->st, "us-again", key,
	    STORE_ROLE_SELF, &other), ERR_EXISTS);
	assert_int_equal(store_party_add(f->st, "partner-a", key,
	    STORE_ROLE_PARTNER, &other), ERR_EXISTS);
	assert_int_equal(store_party_add(f->st, "partner-b", NULL,
	    STORE_ROLE_PARTNER, &other), ERR_OK);
	assert_int_equal(store_party_add(f->st, "", key, STORE_ROLE_PARTNER,
	    NULL), ERR_INVALID);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(store_party_add(f->st, longname, key,
	    STORE_ROLE_PARTNER, NULL), ERR_TOOBIG);
	longname[LIM_PARTY_NAME] = '\0';	/* exactly the limit */
	assert_int_equal(store_party_add(f->st, longname, key,
	    STORE_ROLE_PARTNER, NULL), ERR_OK);

	assert_int_equal(store_party_self(f->st, &p), ERR_OK);
	assert_int_equal(p.id, self);
	assert_string_equal(p.name, "us");
	assert_int_equal(p.role, STORE_ROLE_SELF);
	assert_memory_equal(p.pubkey, key, 32);
	assert_true(p.created > 0);
	assert_int_equal(store_party_by_name(f->st, "partner-b", &p), ERR_OK);
	assert_int_equal(p.id, other);
	assert_int_equal(p.role, STORE_ROLE_PARTNER);
	assert_int_equal(store_party_get(f->st, f->party, &p), ERR_OK);
	assert_string_equal(p.name, "partner-a");
	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(store_party_get(f->st, 12345, &p), ERR_NOTFOUND);
	assert_int_equal(store_party_by_name(f->st, "nobody", &p),
	    ERR_NOTFOUND);

	assert_int_equal(store_party_list(f->st, &list, &n), ERR_OK);
	assert_int_equal(n, 4);
	for (size_t i = 1; i < n; i++)
		assert_true(list[i - 1].id < list[i].id);
	assert_string_equal(list[0].name, "partner-a");
	assert_string_equal(list[1].name, "us");
	assert_string_equal(list[3].name, longname);
	free(list);
}

static void
test_tokens(void **state)
{
	struct fx *f = *state;
	uint8_t tid[STORE_TOKEN_ID_BYTES], tid2[STORE_TOKEN_ID_BYTES];
	uint8_t h[32], got[32];
	int64_t pid = 0;

	memcpy(tid, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	memcpy(tid2, "\x01\x02\x03\x04\x05\x06\x07\x09", 8);
	memset(h, 0xab, sizeof(h));
	assert_int_equal(store_token_lookup(f->st, tid, &pid, got),
	    ERR_NOTFOUND);
	assert_int_equal(store_token_add(f->st, f->party, tid, h), ERR_OK);
	assert_int_equal(store_token_add(f->st, f->party, tid, h),
	    ERR_EXISTS);
	assert_int_equal(store_token_add(f->st, 999, tid2, h), ERR_NOTFOUND);
	memset(got, 0, sizeof(got));
	assert_int_equal(store_token_lookup(f->st, tid, &pid, got), ERR_OK);
	assert_int_equal(pid, f->party);
	assert_memory_equal(got, h, 32);
	assert_int_equal(store_token_lookup(f->st, tid2, &pid, got),
	    ERR_NOTFOUND);

	assert_int_equal(store_token_revoke(f->st, tid), ERR_OK);
	assert_int_equal(store_token_lookup(f->st, tid, &pid, got),
	    ERR_NOTFOUND);
	assert_int_equal(store_token_revoke(f->st, tid), ERR_NOTFOUND);
	assert_int_equal(store_token_revoke(f->st, tid2), ERR_NOTFOUND);
	/* A revoked id stays taken. */
	assert_int_equal(store_token_add(f->st, f->party, tid, h),
	    ERR_EXISTS);
}

static void
test_collections(void **state)
{
	struct fx *f = *state;
	struct store_collection c, *list = NULL;
	char title[LIM_TITLE + 2], name[STORE_COLL_NAME_MAX + 2];
	const char *u1 = "11111111-2222-4333-8444-555555555555";
	const char *u2 = "aaaaaaaa-2222-4333-8444-555555555555";
	const char *u3 = "bbbbbbbb-2222-4333-8444-555555555555";
	const char *u4 = "dddddddd-2222-4333-8444-555555555555";
	static const char *const bad[] = {
		"", "has space", "slash/no", "semi;colon", "\xc3\xbcmlaut", "a\tb",
		"star*", "plus+",
	};
	int64_t id2, id3, id4, n_obj;
	size_t n;

	assert_int_equal(store_collection_add(f->st, u1, "dup", "", NULL),
	    ERR_EXISTS);
	assert_int_equal(store_collection_add(f->st, "short", "t", "",
	    NULL), ERR_INVALID);
	/* 36 bytes, but not name characters: the uuid is the name. */
	assert_int_equal(store_collection_add(f->st,
	    "aaaaaaaa 2222-4333-8444-555555555555", "t", "", NULL),
	    ERR_INVALID);
	memset(title, 't', sizeof(title) - 1);
	title[sizeof(title) - 1] = '\0';
	assert_int_equal(store_collection_add(f->st, u2, title, "", NULL),
	    ERR_TOOBIG);
	assert_int_equal(store_collection_add(f->st, u2, "Second", "", &id2),
	    ERR_OK);
	assert_int_equal(store_collection_get(f->st, u2, &c), ERR_OK);
	assert_int_equal(c.id, id2);
	assert_string_equal(c.name, u2);	/* named by its uuid */
	assert_string_equal(c.title, "Second");
	assert_string_equal(c.description, "");
	assert_true(c.created > 0);
	assert_int_equal(store_collection_get(f->st, u3, &c), ERR_NOTFOUND);
	assert_int_equal(c.id, id2);	/* untouched on error */

	/* Names: checked, unique, and unique against uuid-names too. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(store_collection_add_named(f->st, u3, bad[i],
		    "t", "", NULL), ERR_INVALID);
	assert_int_equal(store_collection_add_named(f->st, u3, NULL, "t", "",
	    NULL), ERR_INVALID);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';	/* STORE_COLL_NAME_MAX + 1 */
	assert_int_equal(store_collection_add_named(f->st, u3, name, "t", "",
	    NULL), ERR_INVALID);
	assert_int_equal(store_collection_add_named(f->st, u3, u2, "t", "",
	    NULL), ERR_EXISTS);
	assert_int_equal(store_collection_add_named(f->st, u2, "fresh", "t",
	    "", NULL), ERR_EXISTS);
	assert_int_equal(store_collection_add_named(f->st, "bad", "fresh",
	    "t", "", NULL), ERR_INVALID);
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM collections"),
	    2);
	name[STORE_COLL_NAME_MAX] = '\0';	/* exactly the limit */
	assert_int_equal(store_collection_add_named(f->st, u3, name, "T3",
	    "D3", &id3), ERR_OK);
	assert_int_equal(store_collection_add_named(f->st, u4,
	    "Grid.ops_2-x", "T4", "", &id4), ERR_OK);
	assert_int_equal(store_collection_add_named(f->st,
	    "eeeeeeee-2222-4333-8444-555555555555", "Grid.ops_2-x", "t", "",
	    NULL), ERR_EXISTS);
	/* Names and uuids are apart: another's uuid is a free name. */
	assert_int_equal(store_collection_add_named(f->st,
	    "ffffffff-2222-4333-8444-555555555555", u4, "t", "", NULL),
	    ERR_OK);
	assert_int_equal(store_collection_by_name(f->st, u4, &c), ERR_OK);
	assert_string_equal(c.uuid, "ffffffff-2222-4333-8444-555555555555");
	assert_int_equal(store_collection_get(f->st, u4, &c), ERR_OK);
	assert_int_equal(c.id, id4);

	memset(&c, 0, sizeof(c));
	assert_int_equal(store_collection_by_name(f->st, "Grid.ops_2-x", &c),
	    ERR_OK);
	assert_int_equal(c.id, id4);
	assert_string_equal(c.uuid, u4);
	assert_string_equal(c.title, "T4");
	assert_int_equal(store_collection_by_name(f->st, "grid.ops_2-x", &c),
	    ERR_NOTFOUND);	/* names are case-sensitive */
	assert_int_equal(c.id, id4);
	assert_int_equal(store_collection_by_name(f->st, name, &c), ERR_OK);
	assert_int_equal(c.id, id3);
	assert_string_equal(c.description, "D3");
	assert_int_equal(store_collection_by_name(f->st, NULL, &c),
	    ERR_INVALID);
	assert_int_equal(store_collection_by_id(f->st, id2, &c), ERR_OK);
	assert_string_equal(c.uuid, u2);
	assert_string_equal(c.name, u2);
	assert_int_equal(store_collection_by_id(f->st, 999, &c),
	    ERR_NOTFOUND);
	assert_int_equal(c.id, id2);
	assert_int_equal(store_collection_get(f->st, u3, &c), ERR_OK);
	assert_string_equal(c.name, name);

	assert_int_equal(store_collection_list(f->st, &list, &n), ERR_OK);
	assert_int_equal(n, 5);
	assert_int_equal(list[0].id, f->coll);
	assert_string_equal(list[0].name, u1);
	assert_string_equal(list[0].description, "A collection");
	assert_int_equal(list[1].id, id2);
	assert_int_equal(list[2].id, id3);
	assert_string_equal(list[2].name, name);
	assert_int_equal(list[3].id, id4);
	assert_string_equal(list[3].name, "Grid.ops_2-x");
	free(list);
	assert_int_equal(store_count_objects(f->st, id2, &n_obj), ERR_OK);
	assert_int_equal(n_obj, 0);
	assert_int_equal(store_count_objects(f->st, 999, &n_obj),
	    ERR_NOTFOUND);
	/* Grants are gone with schema v3. */
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name LIKE 'grants%'"), 0);
}

/* ---- put ---- */

static void
test_put_results(void **state)
{
	struct fx *f = *state;
	struct tobj o[8];
	enum store_put_result res[8];
	int64_t da[8], da2[8], n;

	tobj_make(&o[0], 1, 0, 1000, 0);
	tobj_make(&o[1], 2, 1, 1000, 0);
	tobj_make(&o[2], 1, 0, 2000, 0);
	tobj_make(&o[3], 1, 0, 1000, 0);	/* dup of [0] in-batch */
	tobj_make(&o[4], 2, 1, 1000, 1);	/* conflict with [1] */
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, o, 5, res, da),
	    ERR_OK);
	assert_int_equal(res[0], STORE_PUT_ADDED);
	assert_int_equal(res[1], STORE_PUT_ADDED);
	assert_int_equal(res[2], STORE_PUT_ADDED);
	assert_int_equal(res[3], STORE_PUT_DUPLICATE);
	assert_int_equal(res[4], STORE_PUT_CONFLICT);
	assert_true(da[0] > 0);
	assert_true(da[1] > da[0]);
	assert_true(da[2] > da[1]);
	assert_int_equal(da[3], da[0]);
	assert_int_equal(da[4], 0);
	assert_int_equal(store_count_objects(f->st, f->coll, &n), ERR_OK);
	assert_int_equal(n, 3);

	/* The same across batches, and new ones still increase. */
	tobj_make(&o[5], 3, 2, 500, 0);
	memcpy(&o[6], &o[4], sizeof(o[4]));
	memcpy(&o[7], &o[2], sizeof(o[2]));
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, o + 5, 3, res,
	    da2), ERR_OK);
	assert_int_equal(res[0], STORE_PUT_ADDED);
	assert_true(da2[0] > da[2]);
	assert_int_equal(res[1], STORE_PUT_CONFLICT);
	assert_int_equal(res[2], STORE_PUT_DUPLICATE);
	assert_int_equal(da2[2], da[2]);
	assert_int_equal(store_count_objects(f->st, f->coll, &n), ERR_OK);
	assert_int_equal(n, 4);

	/* Bad input fails the whole batch before anything is written. */
	tobj_make(&o[0], 9, 0, 1, 0);
	{
		struct store_obj_in in[2];

		tobj_in(&o[0], &in[0]);
		tobj_in(&o[0], &in[1]);
		in[1].json = NULL;
		assert_int_equal(store_put_objects(f->st, f->coll, f->party,
		    in, 2, res, NULL), ERR_INVALID);
		in[1].json = o[0].json;
		in[1].json_len = LIM_OBJECT_BYTES + 1;
		assert_int_equal(store_put_objects(f->st, f->coll, f->party,
		    in, 2, res, NULL), ERR_TOOBIG);
		/* An unknown collection: nothing stored, ERR_NOTFOUND. */
		assert_int_equal(store_put_objects(f->st, 999, f->party, in, 1,
		    res, NULL), ERR_NOTFOUND);
	}
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM objects"), 4);
	assert_int_equal(store_put_objects(f->st, f->coll, f->party, NULL, 0,
	    NULL, NULL), ERR_OK);
}

/*
 * Objects without a version of their own (SCOs): the date added is the
 * version, and the same content again is a duplicate of the stored one.
 */
static void
test_put_unversioned(void **state)
{
	struct fx *f = *state;
	struct tobj o[3];
	enum store_put_result res[3];
	int64_t da[3], da2[1];

	tobj_make(&o[0], 7, 0, STORE_VERSION_NONE, 0);
	tobj_make(&o[1], 7, 0, STORE_VERSION_NONE, 0);	/* same content */
	tobj_make(&o[2], 7, 0, STORE_VERSION_NONE, 1);	/* new content */
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, o, 3, res, da),
	    ERR_OK);
	assert_int_equal(res[0], STORE_PUT_ADDED);
	assert_int_equal(res[1], STORE_PUT_DUPLICATE);
	assert_int_equal(da[1], da[0]);
	assert_int_equal(res[2], STORE_PUT_ADDED);
	assert_true(da[2] > da[0]);
	/* The versions are the dates added; the newer one is last. */
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM objects WHERE "
	    "version = date_added"), 2);
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM objects WHERE "
	    "is_last = 1 AND is_first = 0"), 1);
	/* Posting the first content again later is still a duplicate. */
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, o, 1, res, da2),
	    ERR_OK);
	assert_int_equal(res[0], STORE_PUT_DUPLICATE);
	assert_int_equal(da2[0], da[0]);
}

/* Check is_first/is_last of every stored row against brute force. */
static void
check_flags(struct store *st)
{
	sqlite3_stmt *s;
	int rows = 0;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite_db(st),
	    "SELECT o.is_first, o.is_last, "
	    " NOT EXISTS (SELECT 1 FROM objects p WHERE p.coll_id = o.coll_id"
	    "  AND p.stix_id = o.stix_id AND p.version < o.version), "
	    " NOT EXISTS (SELECT 1 FROM objects p WHERE p.coll_id = o.coll_id"
	    "  AND p.stix_id = o.stix_id AND p.version > o.version) "
	    "FROM objects o", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		assert_int_equal(sqlite3_column_int(s, 0),
		    sqlite3_column_int(s, 2));
		assert_int_equal(sqlite3_column_int(s, 1),
		    sqlite3_column_int(s, 3));
		rows++;
	}
	sqlite3_finalize(s);
	(void)rows;
}

/* The versions of one id that a query with these selectors returns. */
static size_t
query_versions(struct store *st, int64_t coll, const char *id,
    unsigned flags, const int64_t *vers, size_t n_vers, int64_t *out)
{
	struct store_query q;
	struct store_page pg;
	size_t n;

	memset(&q, 0, sizeof(q));
	q.coll_id = coll;
	q.ver_flags = flags;
	q.versions = vers;
	q.n_versions = n_vers;
	q.limit = LIM_PAGE_MAX;
	if (id != NULL) {
		q.ids = &id;
		q.n_ids = 1;
	}
	assert_int_equal(store_query_objects(st, &q, &pg), ERR_OK);
	n = pg.n;
	for (size_t i = 0; i < n; i++)
		out[i] = pg.rows[i].version;
	assert_int_equal(pg.more, 0);
	store_page_free(&pg);
	return n;
}

static void
test_flags_out_of_order(void **state)
{
	static const int64_t order[] = { 30, 10, 50, 20, 40 };
	struct fx *f = *state;
	struct tobj o;
	enum store_put_result res;
	int64_t v[16], da, n;
	size_t k, nd;

	tobj_make(&o, 7, 0, 0, 0);
	for (size_t i = 0; i < 5; i++) {
		tobj_make(&o, 7, 0, order[i], 0);
		assert_int_equal(put_tobjs(f->st, f->coll, f->party, &o, 1,
		    &res, &da), ERR_OK);
		assert_int_equal(res, STORE_PUT_ADDED);
		check_flags(f->st);
	}
	/* A one-version object next to it, both first and last. */
	tobj_make(&o, 8, 1, 99, 0);
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, &o, 1, &res,
	    &da), ERR_OK);
	check_flags(f->st);

	tobj_make(&o, 7, 0, 0, 0);
	k = query_versions(f->st, f->coll, o.id, STORE_VER_LAST, NULL, 0, v);
	assert_int_equal(k, 1);
	assert_int_equal(v[0], 50);
	k = query_versions(f->st, f->coll, o.id, STORE_VER_FIRST, NULL, 0, v);
	assert_int_equal(k, 1);
	assert_int_equal(v[0], 10);
	/* By date added: 30, 10, 50, 20, 40. */
	k = query_versions(f->st, f->coll, o.id, STORE_VER_ALL, NULL, 0, v);
	assert_int_equal(k, 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(v[i], order[i]);
	/* Without ids: streams; the one-version object comes once. */
	k = query_versions(f->st, f->coll, NULL, STORE_VER_FIRST |
	    STORE_VER_LAST, NULL, 0, v);
	assert_int_equal(k, 3);
	assert_int_equal(v[0], 10);
	assert_int_equal(v[1], 50);
	assert_int_equal(v[2], 99);

	/* Delete the last: 40 becomes last. */
	assert_int_equal(store_delete_object(f->st, f->coll, o.id,
	    STORE_VER_LAST, NULL, 0, &nd), ERR_OK);
	assert_int_equal(nd, 1);
	check_flags(f->st);
	k = query_versions(f->st, f->coll, o.id, STORE_VER_LAST, NULL, 0, v);
	assert_int_equal(k, 1);
	assert_int_equal(v[0], 40);
	/* Delete the first and an exact one: 20 first, 40 last, 30. */
	{
		int64_t x = 30, none = 12345;

		assert_int_equal(store_delete_object(f->st, f->coll, o.id,
		    STORE_VER_FIRST, &none, 1, &nd), ERR_OK);
		assert_int_equal(nd, 1);
		check_flags(f->st);
		k = query_versions(f->st, f->coll, o.id, STORE_VER_FIRST,
		    NULL, 0, v);
		assert_int_equal(k, 1);
		assert_int_equal(v[0], 20);
		assert_int_equal(store_delete_object(f->st, f->coll, o.id, 0,
		    &x, 1, &nd), ERR_OK);
		assert_int_equal(nd, 1);
		check_flags(f->st);
		assert_int_equal(store_delete_object(f->st, f->coll, o.id, 0,
		    &x, 1, &nd), ERR_OK);
		assert_int_equal(nd, 0);
	}
	k = query_versions(f->st, f->coll, o.id, STORE_VER_ALL, NULL, 0, v);
	assert_int_equal(k, 2);
	assert_int_equal(v[0], 20);
	assert_int_equal(v[1], 40);
	/* Re-adding a deleted version puts it back in the right place. */
	tobj_make(&o, 7, 0, 10, 0);
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, &o, 1, &res,
	    &da), ERR_OK);
	assert_int_equal(res, STORE_PUT_ADDED);
	check_flags(f->st);
	k = query_versions(f->st, f->coll, o.id, STORE_VER_FIRST, NULL, 0, v);
	assert_int_equal(k, 1);
	assert_int_equal(v[0], 10);
	assert_int_equal(store_count_objects(f->st, f->coll, &n), ERR_OK);
	assert_int_equal(n, 4);
	assert_int_equal(store_delete_object(f->st, f->coll, o.id,
	    STORE_VER_ALL, NULL, 0, &nd), ERR_OK);
	assert_int_equal(nd, 3);
	assert_int_equal(store_count_objects(f->st, f->coll, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM objects"), 1);
	assert_int_equal(store_delete_object(f->st, f->coll, o.id,
	    STORE_VER_ALL, NULL, 0, &nd), ERR_OK);
	assert_int_equal(nd, 0);
	assert_int_equal(store_delete_object(f->st, f->coll, o.id, 0x80,
	    NULL, 0, &nd), ERR_INVALID);
}

static void
test_date_added_survives_delete(void **state)
{
	struct fx *f = *state;
	struct store *st2 = NULL;
	struct tobj o;
	enum store_put_result res;
	int64_t da, da2;
	size_t nd;

	tobj_make(&o, 1, 0, 1, 0);
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, &o, 1, &res,
	    &da), ERR_OK);
	assert_int_equal(store_delete_object(f->st, f->coll, o.id,
	    STORE_VER_ALL, NULL, 0, &nd), ERR_OK);
	assert_int_equal(nd, 1);
	/* The newest date is remembered although its row is gone. */
	assert_true(sql_int(f->st, "SELECT value FROM seq "
	    "WHERE name = 'date_added'") >= da);
	assert_int_equal(store_open(f->path, 0, &st2), ERR_OK);
	tobj_make(&o, 2, 0, 1, 0);
	assert_int_equal(put_tobjs(st2, f->coll, f->party, &o, 1, &res,
	    &da2), ERR_OK);
	assert_true(da2 > da);
	store_close(st2);
}

static int64_t frozen_now;

static int64_t
frozen_clock(void)
{
	return frozen_now;
}

/*
 * With a clock that stands still or goes back, dates added still strictly
 * increase: across batches, across two connections (each re-reads the
 * highest date inside its write transaction) and across a delete of the
 * newest row (remembered in seq).
 */
static void
test_date_added_frozen_clock(void **state)
{
	struct fx *f = *state;
	struct store *st2 = NULL;
	struct tobj o[3];
	enum store_put_result res[3];
	int64_t da[3], db[3], dc[3];
	size_t nd;

	assert_int_equal(store_open(f->path, 0, &st2), ERR_OK);
	frozen_now = 1000;
	store_sqlite_clock(f->st, frozen_clock);
	store_sqlite_clock(st2, frozen_clock);
	for (int i = 0; i < 3; i++)
		tobj_make(&o[i], i, 0, 1, 0);
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, o, 3, res, da),
	    ERR_OK);
	assert_int_equal(da[0], 1000);
	assert_int_equal(da[1], 1001);
	assert_int_equal(da[2], 1002);
	/* The other connection has never seen 1002. */
	for (int i = 0; i < 3; i++)
		tobj_make(&o[i], 10 + i, 0, 1, 0);
	assert_int_equal(put_tobjs(st2, f->coll, f->party, o, 3, res, db),
	    ERR_OK);
	assert_int_equal(db[0], 1003);
	assert_int_equal(db[2], 1005);
	/* Delete the newest; the clock goes back; nothing is reused. */
	assert_int_equal(store_delete_object(f->st, f->coll, o[2].id,
	    STORE_VER_ALL, NULL, 0, &nd), ERR_OK);
	assert_int_equal(nd, 1);
	frozen_now = 5;
	for (int i = 0; i < 3; i++)
		tobj_make(&o[i], 20 + i, 0, 1, 0);
	assert_int_equal(put_tobjs(st2, f->coll, f->party, o, 3, res, dc),
	    ERR_OK);
	assert_int_equal(dc[0], 1006);
	/* A clock ahead wins again. */
	frozen_now = 5000;
	tobj_make(&o[0], 30, 0, 1, 0);
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, o, 1, res, dc),
	    ERR_OK);
	assert_int_equal(dc[0], 5000);
	store_sqlite_clock(f->st, NULL);
	store_close(st2);
}

/* ---- queries ---- */

/* Run q page by page (after = last date) and collect every date. */
static size_t
page_through(struct store *st, struct store_query q, int64_t *out,
    size_t cap)
{
	struct store_page pg;
	size_t n = 0;

	for (;;) {
		assert_int_equal(store_query_objects(st, &q, &pg), ERR_OK);
		assert_true(pg.n <= q.limit);
		for (size_t i = 0; i < pg.n; i++) {
			assert_true(n < cap);
			out[n++] = pg.rows[i].date_added;
		}
		if (!pg.more) {
			store_page_free(&pg);
			return n;
		}
		assert_true(pg.n > 0);
		q.after = pg.rows[pg.n - 1].date_added;
		store_page_free(&pg);
	}
}

static void
test_pagination_10k(void **state)
{
	enum { N = 10000, B = 1000 };
	struct fx *f = *state;
	struct tobj *o;
	struct store_query q;
	enum store_put_result *res;
	int64_t *da, *got;
	const char *two[2] = { "malware", "indicator" };
	size_t n, want;
	static const size_t limits[] = { 7, 1000 };

	o = calloc(N, sizeof(*o));
	res = calloc(N, sizeof(*res));
	da = calloc(N, sizeof(*da));
	got = calloc(N + 1, sizeof(*got));
	assert_true(o != NULL && res != NULL && da != NULL && got != NULL);
	for (int i = 0; i < N; i++)
		tobj_make(&o[i], i, i % T_TYPES, 1000 + i % 3, 0);
	for (int i = 0; i < N; i += B)
		assert_int_equal(put_tobjs(f->st, f->coll, f->party, o + i, B,
		    res + i, da + i), ERR_OK);
	for (int i = 0; i < N; i++) {
		assert_int_equal(res[i], STORE_PUT_ADDED);
		if (i > 0)
			assert_true(da[i] > da[i - 1]);
	}
	for (size_t l = 0; l < 2; l++) {
		memset(&q, 0, sizeof(q));
		q.coll_id = f->coll;
		q.limit = limits[l];
		q.ver_flags = STORE_VER_ALL;
		n = page_through(f->st, q, got, N);
		assert_int_equal(n, N);
		assert_memory_equal(got, da, N * sizeof(*da));
		/* Default selector (last) with two types: four streams. */
		q.ver_flags = 0;
		q.types = two;
		q.n_types = 2;
		q.want_json = 1;
		n = page_through(f->st, q, got, N);
		want = 0;
		for (int i = 0; i < N; i++)
			if (o[i].type <= 1) {
				assert_true(want < n);
				assert_int_equal(got[want], da[i]);
				want++;
			}
		assert_int_equal(n, want);
		/* Exact versions 1000 and 1002, any type. */
		{
			int64_t vv[2] = { 1002, 1000 };

			q.types = NULL;
			q.n_types = 0;
			q.versions = vv;
			q.n_versions = 2;
			n = page_through(f->st, q, got, N);
			want = 0;
			for (int i = 0; i < N; i++)
				if (i % 3 != 1) {
					assert_true(want < n);
					assert_int_equal(got[want], da[i]);
					want++;
				}
			assert_int_equal(n, want);
		}
	}
	free(o);
	free(res);
	free(da);
	free(got);
}

/* ---- a brute-force model of the collection ---- */

struct mrow {
	int	idx;		/* object number */
	int	type;
	int64_t	version;
	int	variant;
	int64_t	date_added;
	int	live;
};

struct model {
	struct mrow	*r;
	size_t		 n, cap;
};

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static struct mrow *
model_find(struct model *m, int idx, int64_t version)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].live && m->r[i].idx == idx &&
		    m->r[i].version == version)
			return &m->r[i];
	return NULL;
}

static void
model_flags(const struct model *m, const struct mrow *r, int *first,
    int *last)
{
	*first = *last = 1;
	for (size_t i = 0; i < m->n; i++) {
		if (!m->r[i].live || m->r[i].idx != r->idx)
			continue;
		if (m->r[i].version < r->version)
			*first = 0;
		if (m->r[i].version > r->version)
			*last = 0;
	}
}

/* Does model row r match q?  (n_ids etc. are small.) */
static int
model_match(const struct model *m, const struct mrow *r,
    const struct store_query *q)
{
	char id[96];
	unsigned flags = q->ver_flags;
	int ok, first, last;

	if (!r->live || r->date_added <= q->after)
		return 0;
	if (q->n_types > 0) {
		ok = 0;
		for (size_t i = 0; i < q->n_types; i++)
			ok |= strcmp(q->types[i], t_types[r->type]) == 0;
		if (!ok)
			return 0;
	}
	if (q->n_ids > 0) {
		(void)snprintf(id, sizeof(id),
		    "%s--00000000-0000-4000-8000-%012d", t_types[r->type],
		    r->idx);
		ok = 0;
		for (size_t i = 0; i < q->n_ids; i++)
			ok |= strcmp(q->ids[i], id) == 0;
		if (!ok)
			return 0;
	}
	if (flags == 0 && q->n_versions == 0)
		flags = STORE_VER_LAST;
	if (flags & STORE_VER_ALL)
		return 1;
	model_flags(m, r, &first, &last);
	if (((flags & STORE_VER_LAST) && last) ||
	    ((flags & STORE_VER_FIRST) && first))
		return 1;
	for (size_t i = 0; i < q->n_versions; i++)
		if (q->versions[i] == r->version)
			return 1;
	return 0;
}

/* Page through q and compare every page with the model. */
static void
check_query(struct store *st, const struct model *m, struct store_query q)
{
	struct store_page pg;
	struct tobj o;
	size_t j = 0, pages = 0;
	const struct mrow *r;

	/* Model rows are in date order already. */
	for (;;) {
		size_t k = 0;

		assert_int_equal(store_query_objects(st, &q, &pg), ERR_OK);
		pages++;
		for (; j < m->n && k < pg.n; j++) {
			r = &m->r[j];
			if (!model_match(m, r, &q))
				continue;
			assert_int_equal(pg.rows[k].date_added,
			    r->date_added);
			assert_int_equal(pg.rows[k].version, r->version);
			tobj_make(&o, r->idx, r->type, r->version,
			    r->variant);
			assert_string_equal(pg.rows[k].stix_id, o.id);
			if (q.want_json) {
				assert_non_null(pg.rows[k].json);
				assert_int_equal(pg.rows[k].json_len,
				    strlen(o.json));
				assert_string_equal(pg.rows[k].json, o.json);
			} else {
				assert_null(pg.rows[k].json);
				assert_int_equal(pg.rows[k].json_len, 0);
			}
			k++;
		}
		assert_int_equal(k, pg.n);
		/* more is right: does the model have another match? */
		{
			size_t jj = j;
			int more = 0;

			for (; jj < m->n && !more; jj++)
				more = model_match(m, &m->r[jj], &q);
			assert_int_equal(pg.more, more);
		}
		if (!pg.more) {
			store_page_free(&pg);
			break;
		}
		q.after = pg.rows[pg.n - 1].date_added;
		store_page_free(&pg);
	}
	assert_true(pages >= 1);
}

/* A random query over the model's objects. */
static void
random_query(const struct model *m, int64_t coll, struct store_query *q,
    const char **types, const char **ids, char idbuf[][96], int64_t *vers,
    int n_objs)
{
	static const size_t limits[] = { 1, 2, 3, 7, 50, 1000 };
	size_t n;

	memset(q, 0, sizeof(*q));
	q->coll_id = coll;
	q->limit = limits[rng() % 6];
	q->want_json = rng() % 2;
	n = rng() % 4;	/* 0..3 types, may repeat */
	for (size_t i = 0; i < n; i++)
		types[i] = t_types[rng() % T_TYPES];
	q->types = types;
	q->n_types = n;
	q->ver_flags = rng() % 8;
	if (rng() % 4 == 0)
		q->ver_flags = STORE_VER_ALL;
	n = rng() % 3;
	for (size_t i = 0; i < n; i++)
		vers[i] = 100 * (int64_t)(1 + rng() % 6);
	q->versions = vers;
	q->n_versions = n;
	if (rng() % 3 == 0) {
		n = 1 + rng() % 4;
		for (size_t i = 0; i < n; i++) {
			int idx = (int)(rng() % (unsigned)(n_objs + 2));

			(void)snprintf(idbuf[i], 96,
			    "%s--00000000-0000-4000-8000-%012d",
			    t_types[idx % T_TYPES], idx);
			ids[i] = idbuf[i];
		}
		q->ids = ids;
		q->n_ids = n;
	}
	if (m->n > 0 && rng() % 3 == 0)
		q->after = m->r[rng() % m->n].date_added;
}

static void
test_query_model(void **state)
{
	enum { OBJS = 150, ROUNDS = 40 };
	struct fx *f = *state;
	struct model m = { 0 };
	struct tobj batch[60];
	struct store_query q;
	enum store_put_result res[60];
	int64_t da[60], vers[4];
	const char *types[4], *ids[4];
	char idbuf[4][96];
	size_t nd;

	for (int round = 0; round < ROUNDS; round++) {
		size_t n = 1 + rng() % 60;

		/* Versions 100..600 in random order, some re-posted. */
		for (size_t i = 0; i < n; i++) {
			int idx = (int)(rng() % OBJS);

			tobj_make(&batch[i], idx, idx % T_TYPES,
			    100 * (int64_t)(1 + rng() % 6),
			    rng() % 10 == 0);
		}
		assert_int_equal(put_tobjs(f->st, f->coll, f->party, batch, n,
		    res, da), ERR_OK);
		for (size_t i = 0; i < n; i++) {
			struct mrow *r = model_find(&m, (int)(
			    strtol(batch[i].id + strlen(batch[i].id) - 12,
			    NULL, 10)), batch[i].version);

			if (r == NULL) {
				assert_int_equal(res[i], STORE_PUT_ADDED);
				if (m.n == m.cap) {
					m.cap = m.cap ? m.cap * 2 : 256;
					m.r = realloc(m.r, m.cap *
					    sizeof(*m.r));
					assert_non_null(m.r);
				}
				if (m.n > 0)
					assert_true(da[i] >
					    m.r[m.n - 1].date_added);
				m.r[m.n].idx = (int)strtol(batch[i].id +
				    strlen(batch[i].id) - 12, NULL, 10);
				m.r[m.n].type = batch[i].type;
				m.r[m.n].version = batch[i].version;
				m.r[m.n].variant = batch[i].variant;
				m.r[m.n].date_added = da[i];
				m.r[m.n].live = 1;
				m.n++;
			} else if (r->variant == batch[i].variant) {
				assert_int_equal(res[i], STORE_PUT_DUPLICATE);
				assert_int_equal(da[i], r->date_added);
			} else {
				assert_int_equal(res[i], STORE_PUT_CONFLICT);
				assert_int_equal(da[i], 0);
			}
		}
		/* Now and then delete a random selection of one id. */
		if (round % 3 == 2) {
			int idx = (int)(rng() % OBJS);
			struct tobj o;
			unsigned fl = rng() % 8;
			int64_t v = 100 * (int64_t)(1 + rng() % 6);
			size_t expect = 0;
			struct store_query dq;

			tobj_make(&o, idx, idx % T_TYPES, 0, 0);
			memset(&dq, 0, sizeof(dq));
			dq.ver_flags = fl;
			dq.versions = &v;
			dq.n_versions = rng() % 2;
			if (fl == 0 && dq.n_versions == 0)
				dq.ver_flags = fl = STORE_VER_LAST;
			/* Decide on the model before changing it. */
			{
				int *del = calloc(m.n + 1, sizeof(*del));

				assert_non_null(del);
				for (size_t i = 0; i < m.n; i++)
					if (m.r[i].idx == idx &&
					    model_match(&m, &m.r[i], &dq)) {
						del[i] = 1;
						expect++;
					}
				for (size_t i = 0; i < m.n; i++)
					if (del[i])
						m.r[i].live = 0;
				free(del);
			}
			assert_int_equal(store_delete_object(f->st, f->coll,
			    o.id, fl, &v, dq.n_versions, &nd), ERR_OK);
			assert_int_equal(nd, expect);
		}
		check_flags(f->st);
		for (int k = 0; k < 25; k++) {
			random_query(&m, f->coll, &q, types, ids, idbuf, vers,
			    OBJS);
			check_query(f->st, &m, q);
		}
	}
	assert_true(m.n > 300);
	{
		int64_t live = 0, cnt;

		for (size_t i = 0; i < m.n; i++)
			live += m.r[i].live;
		assert_int_equal(store_count_objects(f->st, f->coll, &cnt),
		    ERR_OK);
		assert_int_equal(cnt, live);
	}
	free(m.r);
}

static void
test_query_args(void **state)
{
	struct fx *f = *state;
	struct store_query q;
	struct store_page pg;
	const char *many[LIM_MATCH_VALUES + 1];

	memset(&q, 0, sizeof(q));
	q.coll_id = f->coll;
	q.limit = 0;
	memset(&pg, 0x33, sizeof(pg));
	assert_int_equal(store_query_objects(f->st, &q, &pg), ERR_RANGE);
	assert_null(pg.rows);
	assert_int_equal(pg.n, 0);
	assert_null(pg.mem_);
	store_page_free(&pg);
	store_page_free(&pg);
	q.limit = LIM_PAGE_MAX + 1;
	assert_int_equal(store_query_objects(f->st, &q, &pg), ERR_RANGE);
	q.limit = 10;
	for (size_t i = 0; i <= LIM_MATCH_VALUES; i++)
		many[i] = "x";
	q.types = many;
	q.n_types = LIM_MATCH_VALUES + 1;
	assert_int_equal(store_query_objects(f->st, &q, &pg), ERR_TOOBIG);
	q.n_types = LIM_MATCH_VALUES;	/* allowed; all the same type */
	assert_int_equal(store_query_objects(f->st, &q, &pg), ERR_OK);
	assert_int_equal(pg.n, 0);
	assert_int_equal(pg.more, 0);
	store_page_free(&pg);
	q.n_types = 0;
	q.ver_flags = 0x10;
	assert_int_equal(store_query_objects(f->st, &q, &pg), ERR_INVALID);
	q.ver_flags = 0;
	q.n_versions = 1;
	q.versions = NULL;
	assert_int_equal(store_query_objects(f->st, &q, &pg), ERR_INVALID);
	q.n_versions = 0;
	/* An empty collection, and one that does not exist. */
	assert_int_equal(store_query_objects(f->st, &q, &pg), ERR_OK);
	assert_int_equal(pg.n, 0);
	store_page_free(&pg);
	q.coll_id = 999;
	assert_int_equal(store_query_objects(f->st, &q, &pg), ERR_OK);
	assert_int_equal(pg.n, 0);
	store_page_free(&pg);
}

/*
 * A page stops before its JSON passes LIM_ENVELOPE_BYTES, says more, and
 * paging on from its last row loses nothing.
 */
static void
test_query_page_bytes(void **state)
{
	enum { N = 20, SZ = 1000000 };
	struct fx *f = *state;
	struct store_obj_in in[N];
	struct store_query q;
	struct store_page pg;
	enum store_put_result res[N];
	char ids[N][64], *big;
	size_t total = 0, pages = 0;

	big = malloc(SZ);
	assert_non_null(big);
	memset(big, 'x', SZ);
	for (int i = 0; i < N; i++) {
		assert_true(snprintf(ids[i], sizeof(ids[i]),
		    "report--00000000-0000-4000-8000-%012d", i) <
		    (int)sizeof(ids[i]));
		memset(&in[i], 0, sizeof(in[i]));
		in[i].stix_id = ids[i];
		in[i].type = "report";
		in[i].version = 1;
		in[i].json = big;
		in[i].json_len = SZ;
		in[i].hash[0] = (uint8_t)i;
	}
	assert_int_equal(store_put_objects(f->st, f->coll, f->party, in, N,
	    res, NULL), ERR_OK);
	memset(&q, 0, sizeof(q));
	q.coll_id = f->coll;
	q.limit = LIM_PAGE_MAX;
	q.want_json = 1;
	for (;;) {
		size_t bytes = 0;

		assert_int_equal(store_query_objects(f->st, &q, &pg), ERR_OK);
		assert_true(pg.n >= 1);
		for (size_t i = 0; i < pg.n; i++) {
			assert_int_equal(pg.rows[i].json_len, SZ);
			assert_string_equal(pg.rows[i].stix_id,
			    ids[total + i]);
			bytes += pg.rows[i].json_len;
		}
		assert_true(bytes <= LIM_ENVELOPE_BYTES);
		total += pg.n;
		pages++;
		if (pages == 1) {
			assert_int_equal(pg.n, LIM_ENVELOPE_BYTES / SZ);
			assert_int_equal(pg.more, 1);
		}
		if (!pg.more) {
			store_page_free(&pg);
			break;
		}
		q.after = pg.rows[pg.n - 1].date_added;
		store_page_free(&pg);
	}
	assert_int_equal(total, N);
	assert_int_equal(pages, 2);
	free(big);
}

/* Collections do not leak into each other. */
static void
test_query_collections_isolated(void **state)
{
	struct fx *f = *state;
	struct tobj o[4];
	struct store_query q;
	struct store_page pg;
	enum store_put_result res[4];
	int64_t da[4], c2;
	const char *id;

	assert_int_equal(store_collection_add(f->st,
	    "cccccccc-2222-4333-8444-555555555555", "Other", "", &c2),
	    ERR_OK);
	tobj_make(&o[0], 1, 0, 100, 0);
	tobj_make(&o[1], 2, 0, 100, 0);
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, o, 2, res, da),
	    ERR_OK);
	tobj_make(&o[2], 1, 0, 100, 1);	/* same id, other collection */
	tobj_make(&o[3], 3, 0, 100, 0);
	assert_int_equal(put_tobjs(f->st, c2, f->party, o + 2, 2, res, da),
	    ERR_OK);
	assert_int_equal(res[0], STORE_PUT_ADDED);	/* not a conflict */
	memset(&q, 0, sizeof(q));
	q.coll_id = c2;
	q.limit = 10;
	q.want_json = 1;
	assert_int_equal(store_query_objects(f->st, &q, &pg), ERR_OK);
	assert_int_equal(pg.n, 2);
	assert_string_equal(pg.rows[0].json, o[2].json);
	assert_string_equal(pg.rows[1].stix_id, o[3].id);
	store_page_free(&pg);
	id = o[1].id;
	q.ids = &id;
	q.n_ids = 1;
	assert_int_equal(store_query_objects(f->st, &q, &pg), ERR_OK);
	assert_int_equal(pg.n, 0);
	store_page_free(&pg);
}

/*
 * Every statement that touches objects is served by an index: no SCAN of
 * objects, no temporary B-tree for ORDER BY or DISTINCT; the query streams
 * and the retention range are covered by their index.  The one SCAN
 * allowed is of collections, in store_object_find (one seek into objects
 * per collection: no index has stix_id first).  Checked again after
 * ANALYZE, since statistics can change the planner's mind.
 */
static void
check_plans(struct store *st)
{
	sqlite3 *db = store_sqlite_db(st);
	const char *sql;
	char buf[2048];
	size_t checked = 0, streams = 0, finds = 0;

	for (size_t i = 0; (sql = store_sqlite_stmt_sql(i)) != NULL; i++) {
		sqlite3_stmt *s;
		int covering = 0, stream, find;

		if (strstr(sql, "objects") == NULL)
			continue;
		stream = strstr(sql, "AND date_added > ?2 ORDER BY date_added "
		    "LIMIT ?3") != NULL ||
		    strstr(sql, "INDEXED BY objects_under") != NULL;
		find = strstr(sql, "FROM collections c ORDER BY c.id") != NULL;
		assert_true(snprintf(buf, sizeof(buf),
		    "EXPLAIN QUERY PLAN %s", sql) < (int)sizeof(buf));
		assert_int_equal(sqlite3_prepare_v2(db, buf, -1, &s, NULL),
		    SQLITE_OK);
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(s,
			    3);

			assert_non_null(d);
			if (find && strcmp(d, "SCAN c") == 0)
				continue;
			/* A SELECT without FROM scans its one constant row. */
			if ((strstr(d, "SCAN") != NULL &&
			    strcmp(d, "SCAN CONSTANT ROW") != 0) ||
			    strstr(d, "TEMP B-TREE") != NULL)
				fail_msg("bad plan \"%s\" for: %s", d, sql);
			if (strstr(d, "objects") != NULL &&
			    strncmp(d, "SEARCH", 6) != 0)
				fail_msg("plan \"%s\" for: %s", d, sql);
			if (strstr(d, "USING COVERING INDEX") != NULL)
				covering = 1;
		}
		sqlite3_finalize(s);
		if (stream || find) {
			assert_true(covering);
			streams += stream;
			finds += find;
		}
		checked++;
	}
	assert_int_equal(streams, 5);
	assert_int_equal(finds, 1);
	assert_true(checked >= 20);
}

static void
test_query_plans(void **state)
{
	struct fx *f = *state;
	struct tobj o[200];
	enum store_put_result res[200];

	check_plans(f->st);
	for (int i = 0; i < 200; i++)
		tobj_make(&o[i], i % 50, (i % 50) % T_TYPES,
		    100 * (int64_t)(i / 50), 0);
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, o, 200, res,
	    NULL), ERR_OK);
	assert_int_equal(sqlite3_exec(store_sqlite_db(f->st), "ANALYZE",
	    NULL, NULL, NULL), SQLITE_OK);
	check_plans(f->st);
}

/* ---- concurrency ---- */

struct writer {
	const char	*path;
	int64_t		 coll, party;
	int		 base;
	int64_t		*da;		/* WRITER_N dates */
	enum err	 err;
};

#define WRITER_BATCHES	40
#define WRITER_BATCH	50
#define WRITER_N	(WRITER_BATCHES * WRITER_BATCH)

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct store *st = NULL;
	struct store_obj_in in[WRITER_BATCH];
	enum store_put_result res[WRITER_BATCH];
	static _Thread_local struct tobj o[WRITER_BATCH];

	if ((w->err = store_open(w->path, 0, &st)) != ERR_OK)
		return NULL;
	for (int b = 0; b < WRITER_BATCHES && w->err == ERR_OK; b++) {
		for (int i = 0; i < WRITER_BATCH; i++) {
			tobj_make(&o[i], w->base + b * WRITER_BATCH + i, 0, 1,
			    0);
			tobj_in(&o[i], &in[i]);
		}
		w->err = store_put_objects(st, w->coll, w->party, in,
		    WRITER_BATCH, res, w->da + b * WRITER_BATCH);
		for (int i = 0; i < WRITER_BATCH && w->err == ERR_OK; i++)
			if (res[i] != STORE_PUT_ADDED)
				w->err = ERR_INVALID;
	}
	store_close(st);
	return NULL;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
test_two_writers(void **state)
{
	struct fx *f = *state;
	struct writer w[2];
	pthread_t th[2];
	int64_t *all, n;

	all = calloc(2 * WRITER_N, sizeof(*all));
	assert_non_null(all);
	for (int i = 0; i < 2; i++) {
		w[i].path = f->path;
		w[i].coll = f->coll;
		w[i].party = f->party;
		w[i].base = i * 1000000;
		w[i].da = all + i * WRITER_N;
		w[i].err = ERR_OK;
		assert_int_equal(pthread_create(&th[i], NULL, writer_main,
		    &w[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(w[0].err, ERR_OK);
	assert_int_equal(w[1].err, ERR_OK);
	for (int i = 0; i < 2; i++)
		for (int k = 1; k < WRITER_N; k++)
			assert_true(w[i].da[k] > w[i].da[k - 1]);
	/* No date was handed out twice across the two connections. */
	qsort(all, 2 * WRITER_N, sizeof(*all), cmp_i64);
	for (int k = 1; k < 2 * WRITER_N; k++)
		assert_true(all[k] > all[k - 1]);
	free(all);
	assert_int_equal(store_count_objects(f->st, f->coll, &n), ERR_OK);
	assert_int_equal(n, 2 * WRITER_N);
}

/* ---- status ---- */

static void
test_status(void **state)
{
	struct fx *f = *state;
	const char *u1 = "aaaaaaaa-0000-4000-8000-000000000001";
	const char *u2 = "aaaaaaaa-0000-4000-8000-000000000002";
	const char *u3 = "aaaaaaaa-0000-4000-8000-000000000003";
	int64_t now = ts_now_us(), pid = 0, created = 0;
	int64_t keep = (int64_t)LIM_STATUS_KEEP_SECONDS * 1000000;
	char *json = NULL;
	size_t len = 0, n;

	assert_int_equal(store_status_get(f->st, u1, &pid, &created, &json,
	    &len), ERR_NOTFOUND);
	assert_null(json);
	assert_int_equal(store_status_put(f->st, u1, f->party, now,
	    "{\"a\":1}", 7), ERR_OK);
	assert_int_equal(store_status_put(f->st, u2, f->party,
	    now - keep - 1000000, "{\"old\":1}", 9), ERR_OK);
	assert_int_equal(store_status_put(f->st, u3, f->party,
	    now - keep / 2, "{}", 2), ERR_OK);
	assert_int_equal(store_status_put(f->st, "bad", f->party, now, "{}",
	    2), ERR_INVALID);
	assert_int_equal(store_status_get(f->st, u1, &pid, &created, &json,
	    &len), ERR_OK);
	assert_int_equal(pid, f->party);
	assert_int_equal(created, now);
	assert_int_equal(len, 7);
	assert_string_equal(json, "{\"a\":1}");
	free(json);
	/* Expired but not purged yet: not returned. */
	assert_int_equal(store_status_get(f->st, u2, &pid, &created, &json,
	    &len), ERR_NOTFOUND);
	assert_null(json);
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM status"), 3);
	/* Replace. */
	assert_int_equal(store_status_put(f->st, u1, f->party, now,
	    "{\"a\":2}", 7), ERR_OK);
	assert_int_equal(store_status_get(f->st, u1, NULL, NULL, &json,
	    &len), ERR_OK);
	assert_string_equal(json, "{\"a\":2}");
	free(json);
	assert_int_equal(store_status_purge(f->st, now - keep, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM status"), 2);
	assert_int_equal(store_status_purge(f->st, now + 1, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_status_get(f->st, u1, NULL, NULL, NULL, NULL),
	    ERR_NOTFOUND);
}

/* ---- transactions and failures ---- */

/* A fingerprint of the whole objects table and collection counters. */
static int64_t
snapshot(struct store *st)
{
	return sql_int(st, "SELECT coalesce(sum(date_added * 7 + version * 3"
	    " + is_first * 5 + is_last * 11 + length(json)), 0) + count(*) "
	    "* 1000003 + (SELECT sum(n_objects) FROM collections) "
	    "FROM objects");
}

static void
test_rollback(void **state)
{
	struct fx *f = *state;
	struct tobj o[10];
	struct store_query q;
	struct store_page pg;
	enum store_put_result res[10];
	int64_t n, snap;

	for (int i = 0; i < 10; i++)
		tobj_make(&o[i], i, 0, 100, 0);
	/* store_begin ... store_rollback: nothing stays. */
	assert_int_equal(store_begin(f->st), ERR_OK);
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, o, 5, res,
	    NULL), ERR_OK);
	assert_int_equal(store_count_objects(f->st, f->coll, &n), ERR_OK);
	assert_int_equal(n, 5);
	store_rollback(f->st);
	assert_int_equal(store_count_objects(f->st, f->coll, &n), ERR_OK);
	assert_int_equal(n, 0);
	memset(&q, 0, sizeof(q));
	q.coll_id = f->coll;
	q.limit = 100;
	q.ver_flags = STORE_VER_ALL;
	assert_int_equal(store_query_objects(f->st, &q, &pg), ERR_OK);
	assert_int_equal(pg.n, 0);
	store_page_free(&pg);
	store_rollback(f->st);	/* nothing open: harmless */

	/* begin, two calls, commit: both stay. */
	assert_int_equal(store_begin(f->st), ERR_OK);
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, o, 3, res,
	    NULL), ERR_OK);
	assert_int_equal(store_meta_set(f->st, "x", "y", 1), ERR_OK);
	assert_int_equal(store_commit(f->st), ERR_OK);
	assert_int_equal(store_count_objects(f->st, f->coll, &n), ERR_OK);
	assert_int_equal(n, 3);

	/* A failed batch inside the caller's transaction only undoes
	 * itself; the caller's earlier work stays until it decides. */
	assert_int_equal(store_begin(f->st), ERR_OK);
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, o + 3, 2, res,
	    NULL), ERR_OK);
	snap = snapshot(f->st);
	store_sqlite_fault(f->st, 6);
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, o + 5, 5, res,
	    NULL), ERR_DB);
	assert_int_equal(snapshot(f->st), snap);
	assert_int_equal(store_commit(f->st), ERR_OK);
	assert_int_equal(store_count_objects(f->st, f->coll, &n), ERR_OK);
	assert_int_equal(n, 5);
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM objects"), 5);
}

/*
 * Fail the Nth database step of a batch (with new ids, new versions, old
 * versions, duplicates and a conflict), for every N until the batch goes
 * through: each failure leaves the database exactly as it was.  The same
 * for delete and query.
 */
static void
test_fault_injection(void **state)
{
	struct fx *f = *state;
	struct tobj base[6], o[8];
	struct store_query q;
	struct store_page pg;
	enum store_put_result res[8];
	int64_t snap, da[8];
	size_t nd;
	long k;
	enum err err;

	for (int i = 0; i < 6; i++)
		tobj_make(&base[i], i, 0, 200, 0);
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, base, 6, res,
	    NULL), ERR_OK);
	tobj_make(&o[0], 0, 0, 300, 0);		/* newer */
	tobj_make(&o[1], 1, 0, 100, 0);		/* older */
	tobj_make(&o[2], 2, 0, 200, 0);		/* duplicate */
	tobj_make(&o[3], 3, 0, 200, 1);		/* conflict */
	tobj_make(&o[4], 40, 1, 100, 0);	/* new */
	tobj_make(&o[5], 40, 1, 300, 0);	/* new, newer, same batch */
	tobj_make(&o[6], 40, 1, 200, 0);	/* between */
	tobj_make(&o[7], 40, 1, 200, 0);	/* duplicate in batch */
	snap = snapshot(f->st);
	for (k = 0; ; k++) {
		store_sqlite_fault(f->st, k);
		err = put_tobjs(f->st, f->coll, f->party, o, 8, res, da);
		if (err == ERR_OK)
			break;
		assert_int_equal(err, ERR_DB);
		assert_int_equal(snapshot(f->st), snap);
		assert_true(k < 1000);
	}
	store_sqlite_fault(f->st, -1);
	assert_true(k > 10);
	assert_int_equal(res[2], STORE_PUT_DUPLICATE);
	assert_int_equal(res[3], STORE_PUT_CONFLICT);
	assert_int_equal(res[7], STORE_PUT_DUPLICATE);
	assert_int_equal(da[7], da[6]);
	check_flags(f->st);

	snap = snapshot(f->st);
	for (k = 0; ; k++) {
		store_sqlite_fault(f->st, k);
		err = store_delete_object(f->st, f->coll, o[4].id,
		    STORE_VER_FIRST | STORE_VER_LAST, NULL, 0, &nd);
		if (err == ERR_OK)
			break;
		assert_int_equal(snapshot(f->st), snap);
		assert_true(k < 1000);
	}
	assert_int_equal(nd, 2);
	check_flags(f->st);

	memset(&q, 0, sizeof(q));
	q.coll_id = f->coll;
	q.limit = 2;
	q.ver_flags = STORE_VER_ALL | STORE_VER_FIRST;
	q.want_json = 1;
	for (k = 0; ; k++) {
		store_sqlite_fault(f->st, k);
		err = store_query_objects(f->st, &q, &pg);
		if (err == ERR_OK)
			break;
		assert_int_equal(pg.n, 0);
		assert_null(pg.mem_);
		store_page_free(&pg);
		assert_true(k < 1000);
	}
	assert_int_equal(pg.n, 2);
	assert_int_equal(pg.more, 1);
	store_page_free(&pg);
	/* The handle is still fine. */
	assert_true(sqlite3_get_autocommit(store_sqlite_db(f->st)));
}

/* ---- schema v3: migration from v2 ---- */

/* Run one SQL query returning one text value; a new copy (free()). */
static char *
sql_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	const unsigned char *t;
	char *v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	t = sqlite3_column_text(s, 0);
	v = strdup(t != NULL ? (const char *)t : "(null)");
	assert_non_null(v);
	sqlite3_finalize(s);
	return v;
}

/* The whole schema of db as one string, by name. */
static char *
schema_text(sqlite3 *db)
{
	return sql_text(db, "SELECT group_concat(type || ' ' || name || ' ' "
	    "|| tbl_name || ' ' || coalesce(sql, ''), ';') FROM "
	    "(SELECT * FROM sqlite_schema ORDER BY name)");
}

/* One v2 objects row, written as entente v2 wrote them. */
struct v2row {
	int64_t		 date_added;
	const char	*stix_id;
	const char	*type;
	int64_t		 version;
	int64_t		 party_id;
	int		 is_first, is_last;
	const char	*json;
};

static const struct v2row v2rows[] = {
	{ 1000, "indicator--00000000-0000-4000-8000-000000000001",
	    "indicator", 10, 1, 1, 0, "{\"a\":1}" },
	{ 1001, "indicator--00000000-0000-4000-8000-000000000001",
	    "indicator", 20, 2, 0, 1, "{\"a\":2}" },
	{ 1002, "malware--00000000-0000-4000-8000-000000000002",
	    "malware", 10, 2, 1, 1, "{\"b\":1}" },
	{ 1003, "tool--00000000-0000-4000-8000-000000000003",
	    "tool", 5, 1, 1, 1, "{\"c\":1}" },
};
#define N_V2ROWS	(sizeof(v2rows) / sizeof(v2rows[0]))

/* Run static SQL on a raw connection; any error fails the test. */
static void
v2_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg != NULL ? msg : "?");
}

/*
 * Build at path a database as entente schema v2 left it: the released
 * migration steps 1 and 2, then a self party and a partner, two
 * collections, a grant, objects added by each party, the date_added
 * high-water mark and one log leaf.
 */
static void
v2_build(const char *path, const uint8_t kself[32], const uint8_t kpart[32])
{
	sqlite3 *db;
	sqlite3_stmt *s;
	uint8_t h[32];

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	v2_exec(db, store_sqlite_migration_sql(0));
	v2_exec(db, store_sqlite_migration_sql(1));
	assert_int_equal(sql_int_db(db, "PRAGMA user_version"), 2);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO parties (id, "
	    "name, pubkey, role, created) VALUES (?1, ?2, ?3, ?4, 10)", -1,
	    &s, NULL), SQLITE_OK);
	for (int i = 1; i <= 2; i++) {
		assert_int_equal(sqlite3_bind_int(s, 1, i), SQLITE_OK);
		assert_int_equal(sqlite3_bind_text(s, 2, i == 1 ? "self" :
		    "partner", -1, SQLITE_STATIC), SQLITE_OK);
		assert_int_equal(sqlite3_bind_blob(s, 3, i == 1 ? kself : kpart,
		    32, SQLITE_STATIC), SQLITE_OK);
		assert_int_equal(sqlite3_bind_int(s, 4, i == 1), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_DONE);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	v2_exec(db, "INSERT INTO collections (id, uuid, title, description, "
	    "created, n_objects) VALUES "
	    "(1, '11111111-2222-4333-8444-555555555555', 'T', 'D', 10, 4), "
	    "(2, '22222222-2222-4333-8444-555555555555', 'T2', '', 11, 0);"
	    "INSERT INTO grants VALUES (1, 2, 1, 0);"
	    "INSERT INTO seq VALUES ('date_added', 5000);");
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO objects "
	    "(date_added, coll_id, stix_id, type, version, party_id, "
	    "is_first, is_last, hash, json) VALUES (?1, 1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9)", -1, &s, NULL), SQLITE_OK);
	for (size_t i = 0; i < N_V2ROWS; i++) {
		const struct v2row *r = &v2rows[i];

		fake_hash(r->json, strlen(r->json), h);
		assert_int_equal(sqlite3_bind_int64(s, 1, r->date_added),
		    SQLITE_OK);
		assert_int_equal(sqlite3_bind_text(s, 2, r->stix_id, -1,
		    SQLITE_STATIC), SQLITE_OK);
		assert_int_equal(sqlite3_bind_text(s, 3, r->type, -1,
		    SQLITE_STATIC), SQLITE_OK);
		assert_int_equal(sqlite3_bind_int64(s, 4, r->version),
		    SQLITE_OK);
		assert_int_equal(sqlite3_bind_int64(s, 5, r->party_id),
		    SQLITE_OK);
		assert_int_equal(sqlite3_bind_int(s, 6, r->is_first),
		    SQLITE_OK);
		assert_int_equal(sqlite3_bind_int(s, 7, r->is_last),
		    SQLITE_OK);
		assert_int_equal(sqlite3_bind_blob(s, 8, h, 32,
		    SQLITE_TRANSIENT), SQLITE_OK);
		assert_int_equal(sqlite3_bind_text(s, 9, r->json, -1,
		    SQLITE_STATIC), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_DONE);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	v2_exec(db, "INSERT INTO tlog_leaves VALUES (0, zeroblob(32), "
	    "x'00');");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void
test_migrate_v2(void **state)
{
	static const char *const cols[] = {
		"date_added", "coll_id", "stix_id", "type", "version",
		"party_id", "is_first", "is_last", "hash", "tlp", "labels",
		"producer", "sender", "under", "json",
	};
	struct store *st = NULL, *fr = NULL;
	struct store_collection c;
	struct store_query q;
	struct store_page pg;
	struct store_obj_in in;
	struct tobj o;
	enum store_put_result res;
	sqlite3_stmt *s;
	sqlite3 *db;
	char dir[64], path[128], fresh[128], *a, *b;
	uint8_t kself[32], kpart[32], h[32];
	int64_t n, da, gen;
	uint64_t size;
	size_t k;

	(void)state;
	assert_non_null(store_sqlite_migration_sql(0));
	assert_non_null(store_sqlite_migration_sql(2));
	assert_null(store_sqlite_migration_sql(
	    (size_t)store_sqlite_schema_latest()));
	assert_int_equal(store_sqlite_schema_latest(), 5);
	memset(kself, 0x07, sizeof(kself));
	memset(kpart, 0x42, sizeof(kpart));
	mk_dir(dir, sizeof(dir));
	assert_true(snprintf(path, sizeof(path), "%s/v2.db", dir) <
	    (int)sizeof(path));
	assert_true(snprintf(fresh, sizeof(fresh), "%s/v3.db", dir) <
	    (int)sizeof(fresh));
	v2_build(path, kself, kpart);

	assert_int_equal(store_open(path, 0, &st), ERR_OK);
	db = store_sqlite_db(st);
	assert_int_equal(store_schema_version(st), 5);
	assert_int_equal(sql_int(st, "PRAGMA user_version"), 5);
	a = sql_text(db, "PRAGMA integrity_check");
	assert_string_equal(a, "ok");
	free(a);
	assert_int_equal(sql_int(st, "SELECT count(*) FROM "
	    "pragma_foreign_key_check"), 0);

	/* The same schema as a database created at v3. */
	assert_int_equal(store_open(fresh, STORE_CREATE, &fr), ERR_OK);
	a = schema_text(db);
	b = schema_text(store_sqlite_db(fr));
	assert_string_equal(a, b);
	free(a);
	free(b);
	store_close(fr);

	/* json is the last column; the new ones come right before it. */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT cid, name FROM "
	    "pragma_table_info('objects') ORDER BY cid", -1, &s, NULL),
	    SQLITE_OK);
	for (k = 0; sqlite3_step(s) == SQLITE_ROW; k++) {
		assert_true(k < sizeof(cols) / sizeof(cols[0]));
		assert_int_equal(sqlite3_column_int(s, 0), k);
		assert_string_equal(sqlite3_column_text(s, 1), cols[k]);
	}
	sqlite3_finalize(s);
	assert_int_equal(k, sizeof(cols) / sizeof(cols[0]));
	a = sql_text(db, "SELECT group_concat(name, ',') FROM (SELECT name "
	    "FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'objects' "
	    "ORDER BY name)");
	assert_string_equal(a, "objects_id,objects_pending,objects_sel,"
	    "objects_sel_type,objects_under,objects_ver,objects_ver_type");
	free(a);
	assert_int_equal(sql_int(st, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name LIKE 'grants%' OR name = 'objects_new'"), 0);

	/* Collections are named by their uuid. */
	assert_int_equal(store_collection_get(st,
	    "11111111-2222-4333-8444-555555555555", &c), ERR_OK);
	assert_string_equal(c.name, "11111111-2222-4333-8444-555555555555");
	assert_string_equal(c.title, "T");
	assert_int_equal(store_collection_by_name(st,
	    "22222222-2222-4333-8444-555555555555", &c), ERR_OK);
	assert_int_equal(c.id, 2);
	assert_int_equal(store_count_objects(st, 1, &n), ERR_OK);
	assert_int_equal(n, 4);

	/* Every row kept as it was; provenance only for the partner's. */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT date_added, stix_id, "
	    "type, version, party_id, is_first, is_last, hash, json, tlp, "
	    "labels IS NULL, producer, sender, under IS NULL, coll_id "
	    "FROM objects ORDER BY date_added", -1, &s, NULL), SQLITE_OK);
	for (k = 0; sqlite3_step(s) == SQLITE_ROW; k++) {
		const struct v2row *r = &v2rows[k];
		int partner = r->party_id == 2;

		assert_true(k < N_V2ROWS);
		fake_hash(r->json, strlen(r->json), h);
		assert_int_equal(sqlite3_column_int64(s, 0), r->date_added);
		assert_string_equal(sqlite3_column_text(s, 1), r->stix_id);
		assert_string_equal(sqlite3_column_text(s, 2), r->type);
		assert_int_equal(sqlite3_column_int64(s, 3), r->version);
		assert_int_equal(sqlite3_column_int64(s, 4), r->party_id);
		assert_int_equal(sqlite3_column_int(s, 5), r->is_first);
		assert_int_equal(sqlite3_column_int(s, 6), r->is_last);
		assert_int_equal(sqlite3_column_bytes(s, 7), 32);
		assert_memory_equal(sqlite3_column_blob(s, 7), h, 32);
		assert_string_equal(sqlite3_column_text(s, 8), r->json);
		assert_int_equal(sqlite3_column_int(s, 9), STORE_TLP_UNKNOWN);
		assert_int_equal(sqlite3_column_int(s, 10), 1);
		if (partner) {
			assert_int_equal(sqlite3_column_bytes(s, 11), 32);
			assert_memory_equal(sqlite3_column_blob(s, 11), kpart,
			    32);
			assert_int_equal(sqlite3_column_bytes(s, 12), 32);
			assert_memory_equal(sqlite3_column_blob(s, 12), kpart,
			    32);
		} else {
			assert_int_equal(sqlite3_column_type(s, 11),
			    SQLITE_NULL);
			assert_int_equal(sqlite3_column_type(s, 12),
			    SQLITE_NULL);
		}
		assert_int_equal(sqlite3_column_int(s, 13), 1);
		assert_int_equal(sqlite3_column_int64(s, 14), 1);
	}
	sqlite3_finalize(s);
	assert_int_equal(k, N_V2ROWS);

	/* Queries work on the rebuilt table, with the policy fields. */
	check_plans(st);
	check_flags(st);
	memset(&q, 0, sizeof(q));
	q.coll_id = 1;
	q.limit = 10;
	q.ver_flags = STORE_VER_ALL;
	q.want_json = 1;
	assert_int_equal(store_query_objects(st, &q, &pg), ERR_OK);
	assert_int_equal(pg.n, N_V2ROWS);
	for (k = 0; k < pg.n; k++) {
		const struct store_row *r = &pg.rows[k];

		assert_int_equal(r->date_added, v2rows[k].date_added);
		assert_string_equal(r->json, v2rows[k].json);
		assert_string_equal(r->type, v2rows[k].type);
		assert_int_equal(r->party_id, v2rows[k].party_id);
		assert_int_equal(r->coll_id, 1);
		assert_int_equal(r->tlp, STORE_TLP_UNKNOWN);
		assert_null(r->labels);
		assert_null(r->under);
		assert_int_equal(r->has_producer, v2rows[k].party_id == 2);
		assert_int_equal(r->has_sender, v2rows[k].party_id == 2);
		if (r->has_producer) {
			assert_memory_equal(r->producer, kpart, 32);
			assert_memory_equal(r->sender, kpart, 32);
		}
	}
	store_page_free(&pg);
	q.ver_flags = STORE_VER_LAST;
	q.want_json = 0;
	assert_int_equal(store_query_objects(st, &q, &pg), ERR_OK);
	assert_int_equal(pg.n, 3);
	assert_int_equal(pg.rows[0].date_added, 1001);
	assert_int_equal(pg.rows[0].version, 20);
	store_page_free(&pg);

	/* The migrated rows wait for their backfill, oldest first. */
	assert_int_equal(store_obj_meta_pending(st, 0, 10, &pg), ERR_OK);
	assert_int_equal(pg.n, N_V2ROWS);
	assert_int_equal(pg.more, 0);
	for (k = 0; k < pg.n; k++) {
		assert_int_equal(pg.rows[k].date_added, v2rows[k].date_added);
		assert_string_equal(pg.rows[k].json, v2rows[k].json);
	}
	store_page_free(&pg);
	assert_int_equal(store_obj_meta_pending(st, 1001, 1, &pg), ERR_OK);
	assert_int_equal(pg.n, 1);
	assert_int_equal(pg.more, 1);
	assert_int_equal(pg.rows[0].date_added, 1002);
	store_page_free(&pg);
	for (k = 0; k < N_V2ROWS; k++)
		assert_int_equal(store_obj_meta_set(st, v2rows[k].date_added,
		    (int)k, k == 2 ? "x\0" : NULL, k == 2 ? 2 : 0), ERR_OK);
	assert_int_equal(store_obj_meta_pending(st, 0, 10, &pg), ERR_OK);
	assert_int_equal(pg.n, 0);
	store_page_free(&pg);

	/* The high-water mark survived: new dates come after it. */
	tobj_make(&o, 9, 0, 100, 0);
	tobj_in(&o, &in);
	assert_int_equal(store_put_objects(st, 1, 2, &in, 1, &res, &da),
	    ERR_OK);
	assert_int_equal(res, STORE_PUT_ADDED);
	assert_true(da > 5000);
	assert_int_equal(store_tlog_size(st, &size), ERR_OK);
	assert_int_equal(size, 1);
	/* The v2 leaf went through step 5 as it was stored, not redone. */
	{
		uint8_t zero[32] = { 0 };
		struct buf lb;

		buf_init(&lb, 16);
		assert_int_equal(store_tlog_leaf_get(st, 0, h, &lb), ERR_OK);
		assert_memory_equal(h, zero, 32);
		assert_int_equal(lb.len, 1);
		assert_int_equal(lb.ptr[0], 0);
		buf_reset(&lb);
		assert_int_equal(store_tlog_leaf_find(st, zero, &size), ERR_OK);
		assert_int_equal(size, 0);
	}
	assert_int_equal(store_policy_gen(st, &gen), ERR_OK);
	assert_int_equal(gen, 0);
	store_close(st);

	/* Reopening applies nothing more. */
	assert_int_equal(store_open(path, 0, &st), ERR_OK);
	assert_int_equal(store_schema_version(st), 5);
	assert_int_equal(store_count_objects(st, 1, &n), ERR_OK);
	assert_int_equal(n, 5);
	store_close(st);
	rm_dir(dir);
}

/* ---- schema v3: policy fields, find, backfill, retention ---- */

#define AGR_A	"agreement--aaaaaaaa-0000-4000-8000-000000000001"
#define AGR_B	"agreement--bbbbbbbb-0000-4000-8000-000000000002"

/* Labels "energy", "grid" as the store keeps them. */
static const char t_labels[] = "energy\0grid";
#define T_LABELS_LEN	sizeof(t_labels)	/* 12, both NULs */

/* The one row of a query of all versions of id in coll (want_json). */
static void
query_one(struct store *st, int64_t coll, const char *id, int want_json,
    struct store_page *pg)
{
	struct store_query q;

	memset(&q, 0, sizeof(q));
	q.coll_id = coll;
	q.ids = &id;
	q.n_ids = 1;
	q.ver_flags = STORE_VER_ALL;
	q.limit = 10;
	q.want_json = want_json;
	assert_int_equal(store_query_objects(st, &q, pg), ERR_OK);
	assert_int_equal(pg->n, 1);
}

static void
test_put_policy_fields(void **state)
{
	struct fx *f = *state;
	struct tobj o[4];
	struct store_obj_in in[4], good, bad;
	struct store_page pg;
	enum store_put_result res[4];
	int64_t da[4], da2;
	uint8_t kp[32], ks[32], h[32];
	char *big, under_long[STORE_AGREEMENT_ID_MAX + 2];

	memset(kp, 0xa1, sizeof(kp));
	memset(ks, 0xb2, sizeof(ks));
	big = malloc(STORE_LABELS_MAX + 1);
	assert_non_null(big);
	memset(big, 'l', STORE_LABELS_MAX + 1);
	for (size_t i = 99; i < STORE_LABELS_MAX; i += 100)
		big[i] = '\0';
	big[STORE_LABELS_MAX - 1] = '\0';
	big[STORE_LABELS_MAX] = '\0';

	for (int i = 0; i < 4; i++) {
		tobj_make(&o[i], i + 1, i % T_TYPES, 100, 0);
		tobj_in(&o[i], &in[i]);
	}
	/* Received: everything set. */
	in[0].tlp = 3;
	in[0].labels = t_labels;
	in[0].labels_len = T_LABELS_LEN;
	in[0].producer = kp;
	in[0].sender = ks;
	in[0].under = AGR_A;
	/* Own, highest TLP, nothing else. */
	in[1].tlp = STORE_TLP_MAX;
	/* Labels at the limit, a producer but no sender. */
	in[2].labels = big;
	in[2].labels_len = STORE_LABELS_MAX;
	in[2].producer = kp;
	assert_int_equal(store_put_objects(f->st, f->coll, f->party, in, 3,
	    res, da), ERR_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(res[i], STORE_PUT_ADDED);

	for (int want_json = 0; want_json < 2; want_json++) {
		const struct store_row *r;

		query_one(f->st, f->coll, o[0].id, want_json, &pg);
		r = &pg.rows[0];
		assert_int_equal(r->date_added, da[0]);
		assert_int_equal(r->coll_id, f->coll);
		assert_string_equal(r->type, t_types[0]);
		assert_int_equal(r->tlp, 3);
		assert_int_equal(r->labels_len, T_LABELS_LEN);
		assert_memory_equal(r->labels, t_labels, T_LABELS_LEN);
		assert_int_equal(r->has_producer, 1);
		assert_memory_equal(r->producer, kp, 32);
		assert_int_equal(r->has_sender, 1);
		assert_memory_equal(r->sender, ks, 32);
		assert_string_equal(r->under, AGR_A);
		if (want_json) {
			fake_hash(o[0].json, strlen(o[0].json), h);
			assert_string_equal(r->json, o[0].json);
			assert_memory_equal(r->hash, h, 32);
			assert_int_equal(r->party_id, f->party);
		} else {
			memset(h, 0, sizeof(h));
			assert_null(r->json);
			assert_memory_equal(r->hash, h, 32);
			assert_int_equal(r->party_id, 0);
		}
		store_page_free(&pg);

		query_one(f->st, f->coll, o[1].id, want_json, &pg);
		r = &pg.rows[0];
		assert_string_equal(r->type, t_types[1]);
		assert_int_equal(r->tlp, STORE_TLP_MAX);
		assert_null(r->labels);
		assert_int_equal(r->labels_len, 0);
		assert_int_equal(r->has_producer, 0);
		assert_int_equal(r->has_sender, 0);
		assert_null(r->under);
		store_page_free(&pg);

		query_one(f->st, f->coll, o[2].id, want_json, &pg);
		r = &pg.rows[0];
		assert_int_equal(r->tlp, 0);
		assert_int_equal(r->labels_len, STORE_LABELS_MAX);
		assert_memory_equal(r->labels, big, STORE_LABELS_MAX);
		assert_int_equal(r->has_producer, 1);
		assert_int_equal(r->has_sender, 0);
		assert_null(r->under);
		store_page_free(&pg);
	}

	/* A duplicate keeps the original row's fields. */
	in[0].tlp = 1;
	in[0].labels = NULL;
	in[0].labels_len = 0;
	in[0].producer = ks;
	in[0].sender = NULL;
	in[0].under = AGR_B;
	assert_int_equal(store_put_objects(f->st, f->coll, f->party, in, 1,
	    res, &da2), ERR_OK);
	assert_int_equal(res[0], STORE_PUT_DUPLICATE);
	assert_int_equal(da2, da[0]);
	query_one(f->st, f->coll, o[0].id, 0, &pg);
	assert_int_equal(pg.rows[0].tlp, 3);
	assert_int_equal(pg.rows[0].labels_len, T_LABELS_LEN);
	assert_memory_equal(pg.rows[0].producer, kp, 32);
	assert_int_equal(pg.rows[0].has_sender, 1);
	assert_string_equal(pg.rows[0].under, AGR_A);
	store_page_free(&pg);

	/* Bad inputs: the whole batch is refused, nothing written. */
	good = in[3];
	memset(under_long, 'u', sizeof(under_long) - 1);
	under_long[sizeof(under_long) - 1] = '\0';
	{
		static const struct {
			int		 tlp;
			const char	*labels;
			size_t		 len;
			int		 under;	/* 1: too long, 2: empty */
			enum err	 want;
		} cases[] = {
			{ -1, NULL, 0, 0, ERR_INVALID },
			{ STORE_TLP_UNKNOWN, NULL, 0, 0, ERR_INVALID },
			{ STORE_TLP_MAX + 1, NULL, 0, 0, ERR_INVALID },
			{ 0, "ab", 2, 0, ERR_INVALID },	/* no NUL */
			{ 0, "a", 0, 0, ERR_INVALID },	/* empty */
			{ 0, NULL, 3, 0, ERR_INVALID },
			{ 0, NULL, 0, 1, ERR_TOOBIG },
			{ 0, NULL, 0, 2, ERR_INVALID },
			{ 0, "big", 0, 0, ERR_INVALID },	/* > MAX */
		};
		struct store_obj_in batch[2];

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]);
		    i++) {
			bad = in[1];
			bad.tlp = cases[i].tlp;
			bad.labels = cases[i].labels;
			bad.labels_len = cases[i].len;
			if (cases[i].labels != NULL &&
			    strcmp(cases[i].labels, "big") == 0) {
				bad.labels = big;
				bad.labels_len = STORE_LABELS_MAX + 1;
			}
			if (cases[i].under == 1)
				bad.under = under_long;
			else if (cases[i].under == 2)
				bad.under = "";
			batch[0] = good;
			batch[1] = bad;
			assert_int_equal(store_put_objects(f->st, f->coll,
			    f->party, batch, 2, res, NULL), cases[i].want);
		}
	}
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM objects"), 3);
	/* At the limits: accepted. */
	bad = good;
	under_long[STORE_AGREEMENT_ID_MAX] = '\0';
	bad.under = under_long;
	bad.labels = "\0";
	bad.labels_len = 1;
	assert_int_equal(store_put_objects(f->st, f->coll, f->party, &bad, 1,
	    res, NULL), ERR_OK);
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM objects"), 4);
	free(big);
}

static void
test_object_find(void **state)
{
	struct fx *f = *state;
	struct tobj o[6];
	struct store_obj_in in[6];
	struct store_page pg;
	enum store_put_result res[6];
	int64_t c2, c3, da[6];
	uint8_t kp[32];

	memset(kp, 0x5c, sizeof(kp));
	assert_int_equal(store_collection_add_named(f->st,
	    "cccccccc-2222-4333-8444-555555555555", "c2", "", "", &c2),
	    ERR_OK);
	assert_int_equal(store_collection_add_named(f->st,
	    "dddddddd-2222-4333-8444-555555555555", "c3", "", "", &c3),
	    ERR_OK);
	/* Object 1 in coll (100, 200) and c3 (300, then 50); 2 in c2. */
	tobj_make(&o[0], 1, 0, 100, 0);
	tobj_make(&o[1], 1, 0, 200, 0);
	tobj_make(&o[2], 1, 0, 300, 1);
	tobj_make(&o[3], 1, 0, 50, 1);
	tobj_make(&o[4], 2, 1, 100, 0);
	for (int i = 0; i < 5; i++)
		tobj_in(&o[i], &in[i]);
	in[2].tlp = 4;
	in[2].producer = kp;
	in[2].under = AGR_A;
	in[2].labels = t_labels;
	in[2].labels_len = T_LABELS_LEN;
	assert_int_equal(store_put_objects(f->st, f->coll, f->party, in, 2,
	    res, da), ERR_OK);
	assert_int_equal(store_put_objects(f->st, c3, f->party, in + 2, 2,
	    res, da + 2), ERR_OK);
	assert_int_equal(store_put_objects(f->st, c2, f->party, in + 4, 1,
	    res, da + 4), ERR_OK);

	assert_int_equal(store_object_find(f->st, o[0].id, 0, 10, &pg),
	    ERR_OK);
	assert_int_equal(pg.n, 2);
	assert_int_equal(pg.more, 0);
	assert_int_equal(pg.rows[0].coll_id, f->coll);
	assert_int_equal(pg.rows[0].version, 200);
	assert_int_equal(pg.rows[0].date_added, da[1]);
	assert_string_equal(pg.rows[0].stix_id, o[0].id);
	assert_string_equal(pg.rows[0].type, t_types[0]);
	assert_null(pg.rows[0].json);
	assert_int_equal(pg.rows[0].has_producer, 0);
	assert_int_equal(pg.rows[1].coll_id, c3);
	assert_int_equal(pg.rows[1].version, 300);
	assert_int_equal(pg.rows[1].tlp, 4);
	assert_int_equal(pg.rows[1].has_producer, 1);
	assert_memory_equal(pg.rows[1].producer, kp, 32);
	assert_string_equal(pg.rows[1].under, AGR_A);
	assert_memory_equal(pg.rows[1].labels, t_labels, T_LABELS_LEN);
	store_page_free(&pg);

	/* cap 1: the first collection, and more. */
	assert_int_equal(store_object_find(f->st, o[0].id, 1, 1, &pg),
	    ERR_OK);
	assert_int_equal(pg.n, 1);
	assert_int_equal(pg.more, 1);
	assert_string_equal(pg.rows[0].json, o[1].json);
	assert_int_equal(pg.rows[0].json_len, strlen(o[1].json));
	assert_int_equal(pg.rows[0].party_id, f->party);
	store_page_free(&pg);

	assert_int_equal(store_object_find(f->st, o[4].id, 1, SIZE_MAX, &pg),
	    ERR_OK);
	assert_int_equal(pg.n, 1);
	assert_int_equal(pg.rows[0].coll_id, c2);
	assert_string_equal(pg.rows[0].json, o[4].json);
	store_page_free(&pg);

	assert_int_equal(store_object_find(f->st,
	    "tool--00000000-0000-4000-8000-000000000099", 1, 10, &pg), ERR_OK);
	assert_int_equal(pg.n, 0);
	assert_int_equal(pg.more, 0);
	assert_null(pg.rows);
	store_page_free(&pg);
	assert_int_equal(store_object_find(f->st, o[0].id, 0, 0, &pg),
	    ERR_RANGE);
	assert_int_equal(pg.n, 0);
	assert_int_equal(store_object_find(f->st, NULL, 0, 10, &pg),
	    ERR_INVALID);
	assert_int_equal(store_object_find(f->st, "", 0, 10, &pg),
	    ERR_INVALID);
	store_page_free(&pg);
}

static void
test_obj_meta(void **state)
{
	struct fx *f = *state;
	struct tobj o[6];
	struct store_page pg;
	enum store_put_result res[6];
	int64_t da[6];
	char sql[256], *big;

	for (int i = 0; i < 6; i++)
		tobj_make(&o[i], i, i % T_TYPES, 100, 0);
	assert_int_equal(put_tobjs(f->st, f->coll, f->party, o, 6, res, da),
	    ERR_OK);
	/* Rows put at v3 have their tlp: nothing to backfill. */
	assert_int_equal(store_obj_meta_pending(f->st, 0, 10, &pg), ERR_OK);
	assert_int_equal(pg.n, 0);
	assert_int_equal(pg.more, 0);
	store_page_free(&pg);
	/* Make rows 1, 3 and 4 look migrated. */
	assert_true(snprintf(sql, sizeof(sql), "UPDATE objects SET tlp = -1 "
	    "WHERE date_added IN (%lld, %lld, %lld)", (long long)da[1],
	    (long long)da[3], (long long)da[4]) < (int)sizeof(sql));
	assert_int_equal(sqlite3_exec(store_sqlite_db(f->st), sql, NULL, NULL,
	    NULL), SQLITE_OK);

	assert_int_equal(store_obj_meta_pending(f->st, 0, 2, &pg), ERR_OK);
	assert_int_equal(pg.n, 2);
	assert_int_equal(pg.more, 1);
	assert_int_equal(pg.rows[0].date_added, da[1]);
	assert_int_equal(pg.rows[1].date_added, da[3]);
	assert_string_equal(pg.rows[0].json, o[1].json);
	assert_string_equal(pg.rows[1].json, o[3].json);
	assert_string_equal(pg.rows[1].type, t_types[3]);
	assert_int_equal(pg.rows[0].tlp, STORE_TLP_UNKNOWN);
	store_page_free(&pg);
	assert_int_equal(store_obj_meta_pending(f->st, da[3], 2, &pg),
	    ERR_OK);
	assert_int_equal(pg.n, 1);
	assert_int_equal(pg.more, 0);
	assert_int_equal(pg.rows[0].date_added, da[4]);
	store_page_free(&pg);
	assert_int_equal(store_obj_meta_pending(f->st, 0, 0, &pg), ERR_RANGE);
	assert_int_equal(pg.n, 0);

	/* Bad values change nothing. */
	big = calloc(1, STORE_LABELS_MAX + 1);
	assert_non_null(big);
	assert_int_equal(store_obj_meta_set(f->st, da[1], -1, NULL, 0),
	    ERR_INVALID);
	assert_int_equal(store_obj_meta_set(f->st, da[1], STORE_TLP_MAX + 1,
	    NULL, 0), ERR_INVALID);
	assert_int_equal(store_obj_meta_set(f->st, da[1], 1, "ab", 2),
	    ERR_INVALID);
	assert_int_equal(store_obj_meta_set(f->st, da[1], 1, "a", 0),
	    ERR_INVALID);
	assert_int_equal(store_obj_meta_set(f->st, da[1], 1, NULL, 2),
	    ERR_INVALID);
	assert_int_equal(store_obj_meta_set(f->st, da[1], 1, big,
	    STORE_LABELS_MAX + 1), ERR_INVALID);
	assert_int_equal(store_obj_meta_set(f->st, da[5] + 1, 1, NULL, 0),
	    ERR_NOTFOUND);
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM objects "
	    "WHERE tlp < 0"), 3);
	free(big);

	assert_int_equal(store_obj_meta_set(f->st, da[1], 2, t_labels,
	    T_LABELS_LEN), ERR_OK);
	assert_int_equal(store_obj_meta_set(f->st, da[3], 0, NULL, 0),
	    ERR_OK);
	query_one(f->st, f->coll, o[1].id, 0, &pg);
	assert_int_equal(pg.rows[0].tlp, 2);
	assert_int_equal(pg.rows[0].labels_len, T_LABELS_LEN);
	assert_memory_equal(pg.rows[0].labels, t_labels, T_LABELS_LEN);
	store_page_free(&pg);
	assert_int_equal(store_obj_meta_pending(f->st, 0, 10, &pg), ERR_OK);
	assert_int_equal(pg.n, 1);
	assert_int_equal(pg.rows[0].date_added, da[4]);
	store_page_free(&pg);
	/* Setting again replaces, labels included. */
	assert_int_equal(store_obj_meta_set(f->st, da[1], 5, NULL, 0),
	    ERR_OK);
	query_one(f->st, f->coll, o[1].id, 0, &pg);
	assert_int_equal(pg.rows[0].tlp, 5);
	assert_null(pg.rows[0].labels);
	store_page_free(&pg);
	assert_int_equal(store_obj_meta_set(f->st, da[4], 1, "x", 2),
	    ERR_OK);
	assert_int_equal(store_obj_meta_pending(f->st, 0, 10, &pg), ERR_OK);
	assert_int_equal(pg.n, 0);
	store_page_free(&pg);
}

/* Put one version of object idx with the given provenance. */
static int64_t
put_under(struct store *st, int64_t coll, int64_t party, int idx,
    int64_t version, const char *under)
{
	static const uint8_t key[32] = { 1, 2, 3 };
	struct store_obj_in in;
	struct tobj o;
	enum store_put_result res;
	int64_t da;

	tobj_make(&o, idx, idx % T_TYPES, version, 0);
	tobj_in(&o, &in);
	in.under = under;
	if (under != NULL) {
		in.producer = key;
		in.sender = key;
	}
	assert_int_equal(store_put_objects(st, coll, party, &in, 1, &res,
	    &da), ERR_OK);
	assert_int_equal(res, STORE_PUT_ADDED);
	return da;
}

/* Is the row dated da still there? */
static int
row_exists(struct store *st, int64_t da)
{
	char sql[128];

	assert_true(snprintf(sql, sizeof(sql), "SELECT count(*) FROM objects "
	    "WHERE date_added = %lld", (long long)da) < (int)sizeof(sql));
	return (int)sql_int(st, sql);
}

/* Collection counters agree with the rows. */
static void
check_counts(struct store *st)
{
	assert_int_equal(sql_int(st, "SELECT count(*) FROM collections c "
	    "WHERE n_objects != (SELECT count(*) FROM objects o "
	    "WHERE o.coll_id = c.id)"), 0);
}

static void
test_purge_received(void **state)
{
	struct fx *f = *state;
	struct store *st2 = NULL;
	struct tobj o;
	int64_t c2, p1, p2, q1, q2, q3, r1, t1, t2, t3, u1, s1, cutoff, da, n;
	int64_t v[4];
	size_t nd = 99;
	char longid[STORE_AGREEMENT_ID_MAX + 2];

	assert_int_equal(store_collection_add_named(f->st,
	    "cccccccc-2222-4333-8444-555555555555", "c2", "", "", &c2),
	    ERR_OK);
	p1 = put_under(f->st, f->coll, f->party, 1, 100, AGR_B);
	p2 = put_under(f->st, f->coll, f->party, 1, 200, AGR_A);
	q1 = put_under(f->st, f->coll, f->party, 2, 100, AGR_A);
	q2 = put_under(f->st, f->coll, f->party, 2, 200, AGR_A);
	q3 = put_under(f->st, f->coll, f->party, 2, 300, NULL);
	r1 = put_under(f->st, f->coll, f->party, 3, 100, AGR_A);
	t1 = put_under(f->st, f->coll, f->party, 4, 100, NULL);
	t3 = put_under(f->st, f->coll, f->party, 4, 300, NULL);
	t2 = put_under(f->st, f->coll, f->party, 4, 200, AGR_A);
	u1 = put_under(f->st, c2, f->party, 5, 100, AGR_A);
	s1 = put_under(f->st, f->coll, f->party, 6, 100, AGR_A);
	cutoff = s1;		/* s1 is not before the cutoff */
	check_flags(f->st);
	check_counts(f->st);

	/* Bad arguments, and nothing to do. */
	assert_int_equal(store_purge_received(f->st, NULL, cutoff, 10, &nd),
	    ERR_INVALID);
	assert_int_equal(nd, 0);
	assert_int_equal(store_purge_received(f->st, "", cutoff, 10, &nd),
	    ERR_INVALID);
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(store_purge_received(f->st, longid, cutoff, 10,
	    &nd), ERR_TOOBIG);
	assert_int_equal(store_purge_received(f->st, AGR_A, cutoff, 0, &nd),
	    ERR_OK);
	assert_int_equal(nd, 0);
	assert_int_equal(store_purge_received(f->st, AGR_B, p1, 10, &nd),
	    ERR_OK);
	assert_int_equal(nd, 0);
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM objects"), 11);

	/* Batches of at most max, oldest first. */
	assert_int_equal(store_purge_received(f->st, AGR_A, cutoff, 4, &nd),
	    ERR_OK);
	assert_int_equal(nd, 4);
	assert_false(row_exists(f->st, p2));
	assert_false(row_exists(f->st, q1));
	assert_false(row_exists(f->st, q2));
	assert_false(row_exists(f->st, r1));
	assert_true(row_exists(f->st, t2));
	check_flags(f->st);
	check_counts(f->st);
	/* The latest version went: the older one, received under another
	 * agreement, is the latest again. */
	tobj_make(&o, 1, 1, 0, 0);
	assert_int_equal(query_versions(f->st, f->coll, o.id, STORE_VER_LAST,
	    NULL, 0, v), 1);
	assert_int_equal(v[0], 100);
	assert_int_equal(sql_int(f->st, "SELECT is_first * 2 + is_last FROM "
	    "objects WHERE stix_id = 'malware--00000000-0000-4000-8000-"
	    "000000000001'"), 3);
	tobj_make(&o, 2, 2, 0, 0);
	assert_int_equal(query_versions(f->st, f->coll, o.id, STORE_VER_FIRST,
	    NULL, 0, v), 1);
	assert_int_equal(v[0], 300);

	assert_int_equal(store_purge_received(f->st, AGR_A, cutoff, 100,
	    &nd), ERR_OK);
	assert_int_equal(nd, 2);
	assert_false(row_exists(f->st, t2));
	assert_false(row_exists(f->st, u1));
	assert_true(row_exists(f->st, t1));
	assert_true(row_exists(f->st, t3));
	assert_true(row_exists(f->st, q3));
	assert_true(row_exists(f->st, p1));
	assert_true(row_exists(f->st, s1));
	check_flags(f->st);
	check_counts(f->st);
	assert_int_equal(store_count_objects(f->st, c2, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_purge_received(f->st, AGR_A, cutoff, 100,
	    &nd), ERR_OK);
	assert_int_equal(nd, 0);

	/* The newest row goes: its date is never handed out again. */
	assert_int_equal(store_purge_received(f->st, AGR_A, INT64_MAX, 100,
	    NULL), ERR_OK);
	assert_false(row_exists(f->st, s1));
	assert_true(sql_int(f->st, "SELECT value FROM seq "
	    "WHERE name = 'date_added'") >= s1);
	/* A new connection whose clock is far behind. */
	assert_int_equal(store_open(f->path, 0, &st2), ERR_OK);
	frozen_now = 1;
	store_sqlite_clock(st2, frozen_clock);
	da = put_under(st2, f->coll, f->party, 7, 100, NULL);
	assert_int_equal(da, s1 + 1);
	store_close(st2);
	/* Left: p1, q3, t1, t3 and the new one. */
	assert_int_equal(store_count_objects(f->st, f->coll, &n), ERR_OK);
	assert_int_equal(n, 5);
	check_counts(f->st);
}

/* A fingerprint of agreements and the policy generation. */
static int64_t
agr_snapshot(struct store *st)
{
	return sql_int(st, "SELECT coalesce(sum(version * 7 + installed * 3 "
	    "+ coalesce(terminated, 5) + length(doc) + coalesce(length(term), "
	    "11)), 0) + count(*) * 1000003 + (SELECT value FROM seq WHERE "
	    "name = 'policy_gen') * 999983 FROM agreements");
}

/* Fail every step of purge in turn: each failure changes nothing. */
static void
test_purge_faults(void **state)
{
	struct fx *f = *state;
	int64_t snap;
	size_t nd = 0;
	long k;
	enum err err;

	for (int i = 0; i < 4; i++) {
		(void)put_under(f->st, f->coll, f->party, i, 100, AGR_A);
		(void)put_under(f->st, f->coll, f->party, i, 200, NULL);
		(void)put_under(f->st, f->coll, f->party, i, 300, AGR_A);
	}
	snap = snapshot(f->st);
	for (k = 0; ; k++) {
		store_sqlite_fault(f->st, k);
		err = store_purge_received(f->st, AGR_A, INT64_MAX, 100, &nd);
		if (err == ERR_OK)
			break;
		assert_int_equal(err, ERR_DB);
		assert_int_equal(nd, 0);
		assert_int_equal(snapshot(f->st), snap);
		assert_true(k < 1000);
	}
	store_sqlite_fault(f->st, -1);
	assert_true(k > 10);
	assert_int_equal(nd, 8);
	check_flags(f->st);
	check_counts(f->st);
	assert_true(sqlite3_get_autocommit(store_sqlite_db(f->st)));
}

/* ---- agreements and the policy generation ---- */

static int64_t
gen_of(struct store *st)
{
	int64_t g = -1;

	assert_int_equal(store_policy_gen(st, &g), ERR_OK);
	return g;
}

static void
test_agreements(void **state)
{
	struct fx *f = *state;
	struct store_agreement a, *list = NULL;
	struct store *st2 = NULL;
	uint8_t h1[32], h2[32], h3[32];
	const char *doc1 = "{\"id\":\"a\",\"version\":1}";
	const char *doc2 = "{\"id\":\"a\",\"version\":2,\"x\":1}";
	const char *rec = "{\"terminates\":\"a\"}";
	const char *rec2 = "{\"terminates\":\"a\",\"again\":1}";
	static const char *const bad_ids[] = {
		"agreement--x",
		"agreement--AAAAAAAA-0000-4000-8000-000000000001",
		"agreement--aaaaaaaa-0000-4000-8000-00000000000",
		"agreement--aaaaaaaa-0000-4000-8000-0000000000011",
		"agreement--aaaaaaaa+0000-4000-8000-000000000001",
		"agreement--aaaaaaaa-0000-4000-8000-00000000000g",
		"agreemenx--aaaaaaaa-0000-4000-8000-000000000001",
		"",
	};
	int64_t g, snap;
	size_t n = 9;
	char *big;

	memset(h1, 1, sizeof(h1));
	memset(h2, 2, sizeof(h2));
	memset(h3, 3, sizeof(h3));
	g = gen_of(f->st);
	assert_int_equal(g, 0);
	memset(&a, 0x5a, sizeof(a));
	assert_int_equal(store_agreement_get(f->st, AGR_A, &a), ERR_NOTFOUND);
	assert_null(a.doc);
	assert_null(a.term);
	store_agreement_clear(&a);
	assert_int_equal(store_agreement_list(f->st, &list, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_null(list);
	store_agreement_list_free(list, n);

	assert_int_equal(store_agreement_put(f->st, AGR_A, 1, h1, doc1,
	    strlen(doc1), 1000), ERR_OK);
	assert_int_equal(gen_of(f->st), g + 1);
	assert_int_equal(store_agreement_get(f->st, AGR_A, &a), ERR_OK);
	assert_string_equal(a.id, AGR_A);
	assert_int_equal(a.version, 1);
	assert_memory_equal(a.hash, h1, 32);
	assert_int_equal(a.installed, 1000);
	assert_true(a.terminated == INT64_MAX);
	assert_int_equal(a.doc_len, strlen(doc1));
	assert_string_equal(a.doc, doc1);
	assert_null(a.term);
	assert_int_equal(a.term_len, 0);
	store_agreement_clear(&a);
	assert_null(a.doc);
	store_agreement_clear(NULL);
	/* Reads do not move the generation. */
	assert_int_equal(gen_of(f->st), g + 1);

	/* The same or a lower version: ERR_EXISTS, nothing changes. */
	assert_int_equal(store_agreement_put(f->st, AGR_A, 1, h2, doc2,
	    strlen(doc2), 2000), ERR_EXISTS);
	assert_int_equal(store_agreement_put(f->st, AGR_B, 3, h3, doc2,
	    strlen(doc2), 3000), ERR_OK);
	assert_int_equal(gen_of(f->st), g + 2);
	assert_int_equal(store_agreement_put(f->st, AGR_B, 2, h1, doc1,
	    strlen(doc1), 3000), ERR_EXISTS);
	assert_int_equal(store_agreement_put(f->st, AGR_B, 3, h1, doc1,
	    strlen(doc1), 3000), ERR_EXISTS);
	assert_int_equal(gen_of(f->st), g + 2);
	assert_int_equal(store_agreement_get(f->st, AGR_A, &a), ERR_OK);
	assert_string_equal(a.doc, doc1);
	assert_memory_equal(a.hash, h1, 32);
	store_agreement_clear(&a);

	assert_int_equal(store_agreement_list(f->st, &list, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].id, AGR_A);	/* by id */
	assert_string_equal(list[1].id, AGR_B);
	assert_int_equal(list[1].version, 3);
	assert_string_equal(list[1].doc, doc2);
	assert_memory_equal(list[1].hash, h3, 32);
	store_agreement_list_free(list, n);
	store_agreement_list_free(NULL, 0);

	/* Terminations. */
	assert_int_equal(store_agreement_terminate(f->st, AGR_A, 2, 5000, rec,
	    strlen(rec)), ERR_NOTFOUND);
	assert_int_equal(store_agreement_terminate(f->st,
	    "agreement--cccccccc-0000-4000-8000-000000000003", 1, 5000, rec,
	    strlen(rec)), ERR_NOTFOUND);
	assert_int_equal(gen_of(f->st), g + 2);
	assert_int_equal(store_agreement_terminate(f->st, AGR_A, 1, 5000, rec,
	    strlen(rec)), ERR_OK);
	assert_int_equal(gen_of(f->st), g + 3);
	assert_int_equal(store_agreement_get(f->st, AGR_A, &a), ERR_OK);
	assert_int_equal(a.terminated, 5000);
	assert_string_equal(a.term, rec);
	assert_int_equal(a.term_len, strlen(rec));
	assert_string_equal(a.doc, doc1);
	store_agreement_clear(&a);
	/* The first record stands. */
	assert_int_equal(store_agreement_terminate(f->st, AGR_A, 1, 6000,
	    rec2, strlen(rec2)), ERR_EXISTS);
	assert_int_equal(gen_of(f->st), g + 3);
	assert_int_equal(store_agreement_get(f->st, AGR_A, &a), ERR_OK);
	assert_int_equal(a.terminated, 5000);
	assert_string_equal(a.term, rec);
	store_agreement_clear(&a);

	/* A higher version replaces the row and its termination. */
	assert_int_equal(store_agreement_put(f->st, AGR_A, 2, h2, doc2,
	    strlen(doc2), 7000), ERR_OK);
	assert_int_equal(gen_of(f->st), g + 4);
	assert_int_equal(store_agreement_get(f->st, AGR_A, &a), ERR_OK);
	assert_int_equal(a.version, 2);
	assert_memory_equal(a.hash, h2, 32);
	assert_int_equal(a.installed, 7000);
	assert_true(a.terminated == INT64_MAX);
	assert_null(a.term);
	assert_string_equal(a.doc, doc2);
	store_agreement_clear(&a);
	assert_int_equal(store_agreement_terminate(f->st, AGR_A, 1, 8000, rec,
	    strlen(rec)), ERR_NOTFOUND);
	assert_int_equal(store_agreement_put(f->st, AGR_A, UINT32_MAX, h3,
	    doc1, strlen(doc1), 9000), ERR_OK);
	assert_int_equal(gen_of(f->st), g + 5);
	assert_int_equal(store_agreement_get(f->st, AGR_A, &a), ERR_OK);
	assert_true(a.version == UINT32_MAX);
	store_agreement_clear(&a);

	/* Bad input: refused, nothing written, generation unmoved. */
	snap = agr_snapshot(f->st);
	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++)
		assert_int_equal(store_agreement_put(f->st, bad_ids[i], 1, h1,
		    doc1, strlen(doc1), 1), ERR_INVALID);
	assert_int_equal(store_agreement_put(f->st, NULL, 1, h1, doc1,
	    strlen(doc1), 1), ERR_INVALID);
	assert_int_equal(store_agreement_put(f->st, AGR_A, 0, h1, doc1,
	    strlen(doc1), 1), ERR_INVALID);
	assert_int_equal(store_agreement_put(f->st, AGR_A, 5, NULL, doc1,
	    strlen(doc1), 1), ERR_INVALID);
	assert_int_equal(store_agreement_put(f->st, AGR_A, 5, h1, NULL, 0, 1),
	    ERR_INVALID);
	assert_int_equal(store_agreement_put(f->st, AGR_A, 5, h1, doc1, 0, 1),
	    ERR_INVALID);
	big = malloc(LIM_FILE_BYTES + 1);
	assert_non_null(big);
	memset(big, ' ', LIM_FILE_BYTES + 1);
	assert_int_equal(store_agreement_put(f->st,
	    "agreement--cccccccc-0000-4000-8000-000000000003", 1, h1, big,
	    LIM_FILE_BYTES + 1, 1), ERR_TOOBIG);
	assert_int_equal(store_agreement_terminate(f->st, AGR_B, 3, 1, big,
	    LIM_FILE_BYTES + 1), ERR_TOOBIG);
	free(big);
	assert_int_equal(store_agreement_terminate(f->st, AGR_B, 3, 1, NULL,
	    0), ERR_INVALID);
	assert_int_equal(store_agreement_terminate(f->st, AGR_B, 3, 1, rec,
	    0), ERR_INVALID);
	assert_int_equal(store_agreement_terminate(f->st, AGR_B, 3,
	    INT64_MAX, rec, strlen(rec)), ERR_INVALID);
	assert_int_equal(store_agreement_terminate(f->st, NULL, 3, 1, rec,
	    strlen(rec)), ERR_INVALID);
	assert_int_equal(store_agreement_get(f->st, NULL, &a), ERR_INVALID);
	assert_int_equal(agr_snapshot(f->st), snap);
	assert_int_equal(gen_of(f->st), g + 5);

	/* Object writes do not move the generation. */
	(void)put_under(f->st, f->coll, f->party, 1, 100, AGR_A);
	assert_int_equal(gen_of(f->st), g + 5);

	/* The bump is in the caller's transaction: a rollback undoes both. */
	assert_int_equal(store_begin(f->st), ERR_OK);
	assert_int_equal(store_agreement_terminate(f->st, AGR_B, 3, 10, rec,
	    strlen(rec)), ERR_OK);
	assert_int_equal(gen_of(f->st), g + 6);
	store_rollback(f->st);
	assert_int_equal(gen_of(f->st), g + 5);
	assert_int_equal(agr_snapshot(f->st), snap);

	/* Another connection sees the change and the new generation. */
	assert_int_equal(store_open(f->path, 0, &st2), ERR_OK);
	assert_int_equal(gen_of(st2), g + 5);
	assert_int_equal(store_agreement_terminate(f->st, AGR_B, 3, 10, rec,
	    strlen(rec)), ERR_OK);
	assert_int_equal(gen_of(st2), g + 6);
	assert_int_equal(store_agreement_get(st2, AGR_B, &a), ERR_OK);
	assert_int_equal(a.terminated, 10);
	store_agreement_clear(&a);
	store_close(st2);

	/* And it survives a reopen. */
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_open(f->path, 0, &f->st), ERR_OK);
	assert_int_equal(gen_of(f->st), g + 6);
	assert_int_equal(store_agreement_list(f->st, &list, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[1].term, rec);
	store_agreement_list_free(list, n);
}

/*
 * SQLite's allocator wrapped to count calls, installed in main() before
 * SQLite initializes.  store_policy_gen runs on every HTTP request: one
 * cached statement, nothing allocated by the store.  SQLite itself
 * allocates the statement's cursor each run when built without lookaside
 * (Debian's is: OMIT_LOOKASIDE), so one allocation per call is the floor;
 * preparing the statement each time would cost dozens.
 */
static sqlite3_mem_methods t_mem;
static unsigned long t_allocs;

static void *
t_malloc(int n)
{
	__atomic_add_fetch(&t_allocs, 1, __ATOMIC_RELAXED);
	return t_mem.xMalloc(n);
}

static void *
t_realloc(void *p, int n)
{
	__atomic_add_fetch(&t_allocs, 1, __ATOMIC_RELAXED);
	return t_mem.xRealloc(p, n);
}

static void
t_mem_install(void)
{
	sqlite3_mem_methods m;

	assert_int_equal(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &t_mem),
	    SQLITE_OK);
	m = t_mem;
	m.xMalloc = t_malloc;
	m.xRealloc = t_realloc;
	assert_int_equal(sqlite3_config(SQLITE_CONFIG_MALLOC, &m), SQLITE_OK);
}

static void
test_policy_gen_cheap(void **state)
{
	struct fx *f = *state;
	uint8_t h[32];
	unsigned long before, used;
	int64_t g = -1;

	memset(h, 4, sizeof(h));
	assert_int_equal(store_agreement_put(f->st, AGR_A, 1, h, "{}", 2, 1),
	    ERR_OK);
	assert_int_equal(store_policy_gen(f->st, &g), ERR_OK);	/* prepares */
	assert_int_equal(g, 1);
	before = __atomic_load_n(&t_allocs, __ATOMIC_RELAXED);
	used = (unsigned long)sqlite3_memory_used();
	for (int i = 0; i < 1000; i++) {
		g = -1;
		assert_int_equal(store_policy_gen(f->st, &g), ERR_OK);
		assert_int_equal(g, 1);
	}
	assert_true(__atomic_load_n(&t_allocs, __ATOMIC_RELAXED) - before <=
	    1000);
	assert_int_equal((unsigned long)sqlite3_memory_used(), used);
	/* The counter is live: preparing a statement is seen. */
	before = __atomic_load_n(&t_allocs, __ATOMIC_RELAXED);
	(void)sql_int(f->st, "SELECT 1");
	assert_true(__atomic_load_n(&t_allocs, __ATOMIC_RELAXED) - before >
	    1);
	assert_int_equal(store_agreement_put(f->st, AGR_A, 2, h, "{}", 2, 1),
	    ERR_OK);
	assert_int_equal(store_policy_gen(f->st, &g), ERR_OK);
	assert_int_equal(g, 2);
}

/* Fail every step of put and terminate in turn: nothing changes. */
static void
test_agreement_faults(void **state)
{
	struct fx *f = *state;
	uint8_t h[32];
	const char *doc = "{\"doc\":1}";
	int64_t snap;
	long k;
	enum err err;

	memset(h, 9, sizeof(h));
	assert_int_equal(store_agreement_put(f->st, AGR_B, 1, h, doc,
	    strlen(doc), 1), ERR_OK);
	for (int op = 0; op < 3; op++) {
		snap = agr_snapshot(f->st);
		for (k = 0; ; k++) {
			store_sqlite_fault(f->st, k);
			if (op == 0)
				err = store_agreement_put(f->st, AGR_A, 1, h,
				    doc, strlen(doc), 2);
			else if (op == 1)
				err = store_agreement_put(f->st, AGR_B, 2, h,
				    doc, strlen(doc), 3);
			else
				err = store_agreement_terminate(f->st, AGR_B,
				    2, 4, doc, strlen(doc));
			if (err == ERR_OK)
				break;
			assert_int_equal(err, ERR_DB);
			assert_int_equal(agr_snapshot(f->st), snap);
			assert_true(k < 100);
		}
		store_sqlite_fault(f->st, -1);
		assert_true(k >= 3);
		assert_int_not_equal(agr_snapshot(f->st), snap);
		assert_true(sqlite3_get_autocommit(store_sqlite_db(f->st)));
	}
	assert_int_equal(gen_of(f->st), 4);
}

/* Partners' nodes and sync cursors (schema 4). */
static void
test_partners(void **state)
{
	struct fx *f = *state;
	struct store_partner p, *v = NULL;
	struct store_party self;
	uint8_t key[32];
	int64_t self_id, other, after;
	size_t n;

	memset(key, 0x33, sizeof(key));
	assert_int_equal(store_party_add(f->st, "node-self", key,
	    STORE_ROLE_SELF, &self_id), ERR_OK);
	memset(key, 0x34, sizeof(key));
	assert_int_equal(store_party_add(f->st, "partner-b", key,
	    STORE_ROLE_PARTNER, &other), ERR_OK);
	/* Bad input, the self party, an unknown party: nothing written. */
	assert_int_equal(store_partner_add(f->st, f->party, "", "tok", ""),
	    ERR_INVALID);
	assert_int_equal(store_partner_add(f->st, f->party, "https://a",
	    "", ""), ERR_INVALID);
	assert_int_equal(store_partner_add(f->st, self_id, "https://a",
	    "tok", ""), ERR_NOTFOUND);
	assert_int_equal(store_partner_add(f->st, 9999, "https://a", "tok",
	    ""), ERR_NOTFOUND);
	assert_int_equal(store_partner_list(f->st, &v, &n), ERR_OK);
	assert_int_equal(n, 0);
	free(v);
	assert_int_equal(store_partner_add(f->st, f->party,
	    "https://127.0.0.1:8443", "secret-token", "pin"), ERR_OK);
	assert_int_equal(store_partner_add(f->st, f->party, "https://x",
	    "t", ""), ERR_EXISTS);
	assert_int_equal(store_partner_get(f->st, f->party, &p), ERR_OK);
	assert_string_equal(p.url, "https://127.0.0.1:8443");
	assert_string_equal(p.token, "secret-token");
	assert_string_equal(p.tls_pin, "pin");
	assert_int_equal(p.state, STORE_PARTNER_OK);
	assert_int_equal(p.last_ok, 0);
	assert_string_equal(p.log_key, "");
	assert_int_equal(store_partner_get(f->st, other, &p), ERR_NOTFOUND);
	/* Outcomes. */
	assert_int_equal(store_partner_result(f->st, f->party,
	    STORE_PARTNER_FAILING, 100, 500, "down", NULL, 0), ERR_OK);
	assert_int_equal(store_partner_result(f->st, f->party,
	    STORE_PARTNER_FAILING, 200, 900, "still down", NULL, 0), ERR_OK);
	assert_int_equal(store_partner_get(f->st, f->party, &p), ERR_OK);
	assert_int_equal(p.state, STORE_PARTNER_FAILING);
	assert_int_equal(p.failures, 2);
	assert_int_equal(p.backoff_until, 900);
	assert_int_equal(p.last_attempt, 200);
	assert_int_equal(p.last_ok, 0);
	assert_string_equal(p.last_error, "still down");
	assert_int_equal(store_partner_result(f->st, f->party,
	    STORE_PARTNER_OK, 300, 0, "", "", 42), ERR_OK);
	assert_int_equal(store_partner_get(f->st, f->party, &p), ERR_OK);
	assert_int_equal(p.state, STORE_PARTNER_OK);
	assert_int_equal(p.failures, 0);
	assert_int_equal(p.last_ok, 300);
	assert_int_equal(p.n_received, 42);
	assert_int_equal(store_partner_result(f->st, f->party,
	    STORE_PARTNER_HALTED, 400, 0, "forked", "/x/evidence/e.txt", 1),
	    ERR_OK);
	assert_int_equal(store_partner_get(f->st, f->party, &p), ERR_OK);
	assert_int_equal(p.state, STORE_PARTNER_HALTED);
	assert_string_equal(p.evidence, "/x/evidence/e.txt");
	assert_int_equal(p.n_received, 43);
	assert_int_equal(store_partner_result(f->st, other,
	    STORE_PARTNER_OK, 1, 0, "", "", 0), ERR_NOTFOUND);
	assert_int_equal(store_partner_result(f->st, f->party,
	    (enum store_partner_state)7, 1, 0, "", "", 0), ERR_INVALID);
	assert_int_equal(store_partner_set_log_key(f->st, f->party,
	    "a.example/log+01020304+AAAA"), ERR_OK);
	assert_int_equal(store_partner_set_log_key(f->st, other, "k"),
	    ERR_NOTFOUND);
	assert_int_equal(store_partner_get(f->st, f->party, &p), ERR_OK);
	assert_string_equal(p.log_key, "a.example/log+01020304+AAAA");
	/* Cursors: 0 until put, replaced by later puts, per collection. */
	assert_int_equal(store_sync_cursor_get(f->st, f->party,
	    "11111111-1111-4111-8111-111111111111", &after), ERR_OK);
	assert_int_equal(after, 0);
	assert_int_equal(store_sync_cursor_put(f->st, f->party,
	    "11111111-1111-4111-8111-111111111111", 77), ERR_OK);
	assert_int_equal(store_sync_cursor_put(f->st, f->party,
	    "11111111-1111-4111-8111-111111111111", 88), ERR_OK);
	assert_int_equal(store_sync_cursor_put(f->st, f->party,
	    "22222222-2222-4222-8222-222222222222", 5), ERR_OK);
	assert_int_equal(store_sync_cursor_put(f->st, f->party, "x", -1),
	    ERR_INVALID);
	assert_int_equal(store_sync_cursor_get(f->st, f->party,
	    "11111111-1111-4111-8111-111111111111", &after), ERR_OK);
	assert_int_equal(after, 88);
	assert_int_equal(store_sync_cursor_get(f->st, f->party,
	    "22222222-2222-4222-8222-222222222222", &after), ERR_OK);
	assert_int_equal(after, 5);
	/* Remove: the partner and its cursors go, the party stays. */
	assert_int_equal(store_partner_remove(f->st, f->party), ERR_OK);
	assert_int_equal(store_partner_remove(f->st, f->party), ERR_NOTFOUND);
	assert_int_equal(store_partner_get(f->st, f->party, &p),
	    ERR_NOTFOUND);
	assert_int_equal(store_sync_cursor_get(f->st, f->party,
	    "11111111-1111-4111-8111-111111111111", &after), ERR_OK);
	assert_int_equal(after, 0);
	assert_int_equal(store_party_get(f->st, f->party, &self), ERR_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_create),
		cmocka_unit_test(test_open_migrates_and_refuses_newer),
		cmocka_unit_test_setup_teardown(test_meta, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_parties, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_tokens, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_collections, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_put_unversioned,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_put_results, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_flags_out_of_order,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_date_added_survives_delete, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_date_added_frozen_clock,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_pagination_10k, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_query_model, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_query_args, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_query_page_bytes,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_query_collections_isolated, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_query_plans, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_two_writers, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_status, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_rollback, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_fault_injection,
		    fx_setup, fx_teardown),
		cmocka_unit_test(test_migrate_v2),
		cmocka_unit_test_setup_teardown(test_put_policy_fields,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_object_find, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_obj_meta, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_purge_received, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_purge_faults, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_agreements, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_agreement_faults,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_policy_gen_cheap,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_partners, fx_setup,
		    fx_teardown),
	};

	t_mem_install();

	/* Injected faults log on purpose; keep the output readable. */
	log_set_level(LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
