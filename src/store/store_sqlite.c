/*
 * store_sqlite.c: the SQLite backend of store.h.
 *
 * One struct store is one connection, opened with SQLITE_OPEN_NOMUTEX and
 * used by one thread at a time; many connections share one file in WAL mode.
 * Every statement is static SQL with bound parameters, prepared once per
 * connection on first use and kept in st->stmt[].  The schema comes from an
 * ordered array of migrations keyed by PRAGMA user_version.
 *
 * The objects table is clustered on date_added (its INTEGER PRIMARY KEY), so
 * every secondary index ends with date_added and each query "objects of
 * collection c matching X, added after t, oldest first" is one index range.
 * A TAXII query is a union of such ranges, merged here in C.  The schema,
 * the indexes and the plan of each call are in docs/internals/STORE.md.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_sqlite_int.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

/* Writers wait this long for the write lock before giving up (ERR_BUSY). */
#define STORE_BUSY_MS		5000
/* Largest value store_meta_set accepts. */
#define STORE_META_MAX		LIM_FILE_BYTES
/* Largest agreement document or termination record. */
#define STORE_AGREEMENT_DOC_MAX	LIM_FILE_BYTES
/* Largest status body store_status_put accepts. */
#define STORE_STATUS_MAX	LIM_ENVELOPE_BYTES
/*
 * JSON bytes one page may hold.  A page stops early (with more set) rather
 * than grow past this; it always holds at least one row.
 */
#define STORE_PAGE_JSON_MAX	LIM_ENVELOPE_BYTES
/* First fetch of each merged stream holds at least this many rows. */
#define STORE_CHUNK_MIN		4

/* Every byte value in order, to make bytes from numbers in SQL. */
#define BYTE_TABLE	\
	"x'000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" \
	    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f" \
	    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f" \
	    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f" \
	    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f" \
	    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf" \
	    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf" \
	    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff'"

/*
 * Schema migrations, oldest first.  Step i takes the database from
 * user_version i to i + 1 and sets user_version itself; each runs in its
 * own transaction.  Never edit a released step: append a new one.
 */
static const char *const migrations[] = {
	/* 1: initial schema. */
	"CREATE TABLE meta ("
	"	key		TEXT PRIMARY KEY NOT NULL,"
	"	value		BLOB NOT NULL"
	");"
	"CREATE TABLE parties ("
	"	id		INTEGER PRIMARY KEY,"
	"	name		TEXT NOT NULL UNIQUE,"
	"	pubkey		BLOB NOT NULL CHECK (length(pubkey) = 32),"
	"	role		INTEGER NOT NULL CHECK (role IN (0, 1)),"
	"	created		INTEGER NOT NULL"
	");"
	/* At most one party has role 1 (self). */
	"CREATE UNIQUE INDEX parties_self ON parties (role) WHERE role = 1;"
	"CREATE TABLE tokens ("
	"	id		BLOB PRIMARY KEY NOT NULL"
	"			CHECK (length(id) = 8),"
	"	party_id	INTEGER NOT NULL REFERENCES parties (id),"
	"	hash		BLOB NOT NULL CHECK (length(hash) = 32),"
	"	created		INTEGER NOT NULL,"
	"	revoked		INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;"
	"CREATE INDEX tokens_party ON tokens (party_id);"
	"CREATE TABLE collections ("
	"	id		INTEGER PRIMARY KEY,"
	"	uuid		TEXT NOT NULL UNIQUE,"
	"	title		TEXT NOT NULL,"
	"	description	TEXT NOT NULL,"
	"	created		INTEGER NOT NULL,"
	"	n_objects	INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE TABLE grants ("
	"	coll_id		INTEGER NOT NULL REFERENCES collections (id),"
	"	party_id	INTEGER NOT NULL REFERENCES parties (id),"
	"	can_read	INTEGER NOT NULL CHECK (can_read IN (0, 1)),"
	"	can_write	INTEGER NOT NULL CHECK (can_write IN (0, 1)),"
	"	PRIMARY KEY (coll_id, party_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX grants_party ON grants (party_id);"
	/*
	 * date_added is the rowid: rows are clustered in date order and
	 * every index below implicitly ends with it.  json is the last
	 * column so that reading the others never touches its overflow
	 * pages.
	 */
	"CREATE TABLE objects ("
	"	date_added	INTEGER PRIMARY KEY,"
	"	coll_id		INTEGER NOT NULL REFERENCES collections (id),"
	"	stix_id		TEXT NOT NULL,"
	"	type		TEXT NOT NULL,"
	"	version		INTEGER NOT NULL,"
	"	party_id	INTEGER NOT NULL REFERENCES parties (id),"
	"	is_first	INTEGER NOT NULL CHECK (is_first IN (0, 1)),"
	"	is_last		INTEGER NOT NULL CHECK (is_last IN (0, 1)),"
	"	hash		BLOB NOT NULL CHECK (length(hash) = 32),"
	"	json		TEXT NOT NULL"
	");"
	"CREATE UNIQUE INDEX objects_id ON objects (coll_id, stix_id, version);"
	/*
	 * One range per (is_last, is_first) pair: "last" is two ranges,
	 * "first" two, "all" four, each in date order.  Five indexes in
	 * all, because every index costs inserts (see STORE.md).
	 */
	"CREATE INDEX objects_sel ON objects (coll_id, is_last, is_first);"
	"CREATE INDEX objects_sel_type ON objects"
	"	(coll_id, type, is_last, is_first);"
	"CREATE INDEX objects_ver ON objects (coll_id, version);"
	"CREATE INDEX objects_ver_type ON objects (coll_id, type, version);"
	"CREATE TABLE status ("
	"	id		INTEGER PRIMARY KEY,"
	"	uuid		TEXT NOT NULL UNIQUE,"
	"	party_id	INTEGER NOT NULL REFERENCES parties (id),"
	"	created		INTEGER NOT NULL,"
	"	json		TEXT NOT NULL"
	");"
	"CREATE INDEX status_created ON status (created);"
	/* High-water marks that must survive deletes (date_added). */
	"CREATE TABLE seq ("
	"	name		TEXT PRIMARY KEY NOT NULL,"
	"	value		INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"PRAGMA user_version = 1;",
	/*
	 * 2: the transparency log (docs/log.md, docs/internals/TLOG.md).
	 * Leaves by index with their RFC 6962 hash (the tree's level 0);
	 * complete inner nodes keyed level * 2^48 + index; checkpoints as
	 * issued; partners' cosignatures of them; partners' checkpoints this
	 * node has seen; and what this node received from partners, to prove
	 * included in their logs.
	 */
	"CREATE TABLE tlog_leaves ("
	"	idx		INTEGER PRIMARY KEY,"
	"	hash		BLOB NOT NULL CHECK (length(hash) = 32),"
	"	data		BLOB NOT NULL"
	");"
	"CREATE INDEX tlog_leaves_hash ON tlog_leaves (hash);"
	"CREATE TABLE tlog_nodes ("
	"	id		INTEGER PRIMARY KEY,"
	"	hash		BLOB NOT NULL CHECK (length(hash) = 32)"
	");"
	"CREATE TABLE tlog_checkpoints ("
	"	size		INTEGER PRIMARY KEY,"
	"	root		BLOB NOT NULL CHECK (length(root) = 32),"
	"	issued		INTEGER NOT NULL,"
	"	note		TEXT NOT NULL"
	");"
	"CREATE TABLE tlog_cosigs ("
	"	size		INTEGER NOT NULL"
	"			REFERENCES tlog_checkpoints (size),"
	"	party_id	INTEGER NOT NULL REFERENCES parties (id),"
	"	line		TEXT NOT NULL,"
	"	received	INTEGER NOT NULL,"
	"	PRIMARY KEY (size, party_id)"
	") WITHOUT ROWID;"
	"CREATE TABLE tlog_seen ("
	"	vkey		TEXT NOT NULL,"
	"	size		INTEGER NOT NULL,"
	"	root		BLOB NOT NULL CHECK (length(root) = 32),"
	"	note		TEXT NOT NULL,"
	"	seen		INTEGER NOT NULL,"
	"	PRIMARY KEY (vkey, size)"
	") WITHOUT ROWID;"
	"CREATE TABLE tlog_received ("
	"	id		INTEGER PRIMARY KEY,"
	"	vkey		TEXT NOT NULL,"
	"	leaf_index	INTEGER NOT NULL,"
	"	leaf_hash	BLOB NOT NULL CHECK (length(leaf_hash) = 32),"
	"	received	INTEGER NOT NULL,"
	"	verified_size	INTEGER"
	");"
	"CREATE INDEX tlog_received_pending ON tlog_received"
	"	(vkey, verified_size, id);"
	"PRAGMA user_version = 2;",
	/*
	 * 3: agreements and what the policy needs of each object
	 * (docs/agreements.md).  Collections get a name (existing ones are
	 * named by their uuid); per-party grants give way to agreements.
	 * objects is rebuilt so that the new columns come before json,
	 * which stays last; rows from v2 get tlp -1 (to backfill) and, when
	 * a partner added them, that partner as producer and sender.  The
	 * five indexes are recreated as they were, plus two partial ones:
	 * received rows by agreement (retention) and rows to backfill.
	 */
	"ALTER TABLE collections ADD COLUMN name TEXT NOT NULL DEFAULT '';"
	"UPDATE collections SET name = uuid;"
	"CREATE UNIQUE INDEX collections_name ON collections (name);"
	"DROP TABLE grants;"
	"CREATE TABLE objects_new ("
	"	date_added	INTEGER PRIMARY KEY,"
	"	coll_id		INTEGER NOT NULL REFERENCES collections (id),"
	"	stix_id		TEXT NOT NULL,"
	"	type		TEXT NOT NULL,"
	"	version		INTEGER NOT NULL,"
	"	party_id	INTEGER NOT NULL REFERENCES parties (id),"
	"	is_first	INTEGER NOT NULL CHECK (is_first IN (0, 1)),"
	"	is_last		INTEGER NOT NULL CHECK (is_last IN (0, 1)),"
	"	hash		BLOB NOT NULL CHECK (length(hash) = 32),"
	"	tlp		INTEGER NOT NULL CHECK (tlp BETWEEN -1 AND 5),"
	"	labels		BLOB CHECK (length(labels) BETWEEN 1 AND 8192),"
	"	producer	BLOB CHECK (length(producer) = 32),"
	"	sender		BLOB CHECK (length(sender) = 32),"
	"	under		TEXT CHECK (length(under) BETWEEN 1 AND 47),"
	"	json		TEXT NOT NULL"
	");"
	"INSERT INTO objects_new (date_added, coll_id, stix_id, type, version,"
	"	party_id, is_first, is_last, hash, tlp, labels, producer, sender,"
	"	under, json)"
	"	SELECT o.date_added, o.coll_id, o.stix_id, o.type, o.version,"
	"	o.party_id, o.is_first, o.is_last, o.hash, -1, NULL, p.pubkey,"
	"	p.pubkey, NULL, o.json FROM objects o LEFT JOIN parties p"
	"	ON p.id = o.party_id AND p.role = 0 ORDER BY o.date_added;"
	"DROP TABLE objects;"
	"ALTER TABLE objects_new RENAME TO objects;"
	"CREATE UNIQUE INDEX objects_id ON objects (coll_id, stix_id, version);"
	"CREATE INDEX objects_sel ON objects (coll_id, is_last, is_first);"
	"CREATE INDEX objects_sel_type ON objects"
	"	(coll_id, type, is_last, is_first);"
	"CREATE INDEX objects_ver ON objects (coll_id, version);"
	"CREATE INDEX objects_ver_type ON objects (coll_id, type, version);"
	"CREATE INDEX objects_under ON objects (under, date_added)"
	"	WHERE under IS NOT NULL;"
	"CREATE INDEX objects_pending ON objects (date_added) WHERE tlp < 0;"
	/*
	 * One row per agreement id: the installed version, its termination
	 * once recorded.  The policy generation is seq['policy_gen'].
	 */
	"CREATE TABLE agreements ("
	"	id		TEXT PRIMARY KEY NOT NULL,"
	"	version		INTEGER NOT NULL"
	"			CHECK (version BETWEEN 1 AND 4294967295),"
	"	hash		BLOB NOT NULL CHECK (length(hash) = 32),"
	"	installed	INTEGER NOT NULL,"
	"	terminated	INTEGER,"
	"	doc		TEXT NOT NULL,"
	"	term		TEXT"
	");"
	"INSERT INTO seq (name, value) VALUES ('policy_gen', 0);"
	"PRAGMA user_version = 3;",
	/*
	 * 4: federation (docs/sync.md).  How to reach each partner's node and
	 * how its last syncs went; where each pull from one of its
	 * collections stands.
	 */
	"CREATE TABLE partners ("
	"	party_id	INTEGER PRIMARY KEY REFERENCES parties (id),"
	"	url		TEXT NOT NULL,"
	"	token		TEXT NOT NULL,"
	"	tls_pin		TEXT NOT NULL,"
	"	state		INTEGER NOT NULL DEFAULT 0"
	"			CHECK (state IN (0, 1, 2)),"
	"	added		INTEGER NOT NULL,"
	"	last_ok		INTEGER NOT NULL DEFAULT 0,"
	"	last_attempt	INTEGER NOT NULL DEFAULT 0,"
	"	failures	INTEGER NOT NULL DEFAULT 0,"
	"	backoff_until	INTEGER NOT NULL DEFAULT 0,"
	"	last_error	TEXT NOT NULL DEFAULT '',"
	"	evidence	TEXT NOT NULL DEFAULT '',"
	"	n_received	INTEGER NOT NULL DEFAULT 0,"
	"	log_key		TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE TABLE sync_cursors ("
	"	party_id	INTEGER NOT NULL REFERENCES parties (id),"
	"	coll_uuid	TEXT NOT NULL,"
	"	after		INTEGER NOT NULL,"
	"	PRIMARY KEY (party_id, coll_uuid)"
	") WITHOUT ROWID;"
	"PRAGMA user_version = 4;",
	/*
	 * 5: the log's hashes in tiles, its leaves in bundles, no index on
	 * leaf hashes (docs/internals/TLOG.md, "Storage").  Tile (t, k) is
	 * row (t << 48) | k: the complete nodes of levels 8t .. 8t + 7 over
	 * its width nodes of level 8t, level by level, each in index order.
	 * A bundle is a run of leaves from first, each its length (u16, big
	 * endian) and its bytes; tlog_fps the first two bytes of each leaf
	 * hash by level-0 tile.  v4 rows are copied as they are, not
	 * recomputed (the audit still sees what was stored): one bundle per
	 * leaf; tiles and fingerprints concatenated in order by window
	 * aggregates.  A v4 log missing an inner node fails the CHECK on
	 * tlog_tiles and the migration with it.
	 */
	"CREATE TABLE tlog_entries ("
	"	first		INTEGER PRIMARY KEY,"
	"	n		INTEGER NOT NULL CHECK (n BETWEEN 1 AND 256),"
	"	data		BLOB NOT NULL"
	");"
	"CREATE TABLE tlog_tiles ("
	"	id		INTEGER PRIMARY KEY,"
	"	width		INTEGER NOT NULL CHECK (width BETWEEN 1 AND 256),"
	"	hashes		BLOB NOT NULL CHECK (length(hashes) = 32 * (width"
	"			+ (width >> 1) + (width >> 2) + (width >> 3)"
	"			+ (width >> 4) + (width >> 5) + (width >> 6)"
	"			+ (width >> 7)))"
	");"
	"CREATE TABLE tlog_fps ("
	"	id		INTEGER PRIMARY KEY,"
	"	fp		BLOB NOT NULL CHECK (length(fp) BETWEEN 2 AND 512)"
	");"
	"INSERT INTO tlog_entries (first, n, data) SELECT idx, 1, CAST("
	"	substr(" BYTE_TABLE ", (length(data) >> 8) + 1, 1) ||"
	"	substr(" BYTE_TABLE ", (length(data) & 255) + 1, 1) || data"
	"	AS BLOB) FROM tlog_leaves ORDER BY idx;"
	"INSERT INTO tlog_tiles (id, width, hashes)"
	"	SELECT id, width, CAST(hashes AS BLOB) FROM ("
	"	SELECT id, row_number() OVER (PARTITION BY id"
	"	ORDER BY level, idx) AS r,"
	"	sum((level & 7) = 0) OVER (PARTITION BY id ORDER BY level, idx"
	"	ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
	"	AS width,"
	"	group_concat(hash, '') OVER (PARTITION BY id ORDER BY level, idx"
	"	ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
	"	AS hashes FROM ("
	"	SELECT ((level >> 3) << 48) | (idx >> (8 - (level & 7))) AS id,"
	"	level, idx, hash FROM ("
	"	SELECT 0 AS level, idx, hash FROM tlog_leaves UNION ALL"
	"	SELECT id >> 48, id & 281474976710655, hash FROM tlog_nodes)))"
	"	WHERE r = 1 ORDER BY id;"
	"INSERT INTO tlog_fps (id, fp) SELECT id, CAST(fp AS BLOB) FROM ("
	"	SELECT idx >> 8 AS id, row_number() OVER (PARTITION BY idx >> 8"
	"	ORDER BY idx) AS r,"
	"	group_concat(substr(hash, 1, 2), '') OVER (PARTITION BY idx >> 8"
	"	ORDER BY idx ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED"
	"	FOLLOWING) AS fp FROM tlog_leaves)"
	"	WHERE r = 1 ORDER BY id;"
	"DROP TABLE tlog_leaves;"
	"DROP TABLE tlog_nodes;"
	"PRAGMA user_version = 5;",
};
#define N_MIGRATIONS	((int)(sizeof(migrations) / sizeof(migrations[0])))

/*
 * Cached statements.  The S_Q_* stream statements come in pairs (any type,
 * one type) so that S_Q_x + 1 is the typed variant; they use ?1 coll_id,
 * ?2 after, ?3 limit, ?4 type, ?5 version, ?6 is_last, ?7 is_first.
 */
enum stmt_id {
	S_BEGIN,
	S_BEGIN_WRITE,
	S_COMMIT,
	S_ROLLBACK,
	S_SAVEPOINT,
	S_RELEASE,
	S_ROLLBACK_TO,
	S_USER_VERSION,
	S_JOURNAL_WAL,
	S_META_GET,
	S_META_SET,
	S_PARTY_ADD,
	S_PARTY_GET,
	S_PARTY_BY_NAME,
	S_PARTY_SELF,
	S_PARTY_LIST,
	S_TOKEN_ADD,
	S_TOKEN_LOOKUP,
	S_TOKEN_REVOKE,
	S_COLL_ADD,
	S_COLL_GET,
	S_COLL_BY_NAME,
	S_COLL_BY_ID,
	S_COLL_LIST,
	S_COLL_COUNT,
	S_COLL_COUNT_ADD,
	S_OBJ_HWM,
	S_SEQ_SET,
	S_OBJ_MAX,
	S_OBJ_MIN,
	S_OBJ_EXACT,
	S_OBJ_HASH,
	S_OBJ_SAME_HASH,
	S_OBJ_INSERT,
	S_OBJ_CLEAR_LAST,
	S_OBJ_CLEAR_FIRST,
	S_OBJ_SET_FLAGS,
	S_OBJ_VERSIONS,
	S_OBJ_DELETE,
	S_OBJ_KEY,
	S_OBJ_FIND,
	S_OBJ_PENDING,
	S_OBJ_META_SET,
	S_OBJ_UNDER,
	S_Q_SEL,
	S_Q_SEL_T,
	S_Q_VER,
	S_Q_VER_T,
	S_ROW,
	S_ROW_JSON,
	S_STATUS_PUT,
	S_STATUS_GET,
	S_STATUS_PURGE,
	S_AGR_PUT,
	S_AGR_GET,
	S_AGR_LIST,
	S_AGR_STATE,
	S_AGR_TERM,
	S_GEN_BUMP,
	S_GEN_GET,
	S_PARTNER_ADD,
	S_PARTNER_GET,
	S_PARTNER_LIST,
	S_PARTNER_DEL,
	S_PARTNER_DEL_CURSORS,
	S_PARTNER_RESULT,
	S_PARTNER_LOG_KEY,
	S_CURSOR_GET,
	S_CURSOR_PUT,
	S_TLOG_SIZE,
	S_TLOG_BUNDLE_ADD,
	S_TLOG_BUNDLE_GET,
	S_TLOG_TILE_GET,
	S_TLOG_TILE_PUT,
	S_TLOG_TILE_WIDTHS,
	S_TLOG_FP_PUT,
	S_TLOG_FP_SCAN,
	S_TLOG_CP_ADD,
	S_TLOG_CP_LATEST,
	S_TLOG_CP_GET,
	S_TLOG_CP_NEXT,
	S_TLOG_COSIG_PUT,
	S_TLOG_COSIG_LIST,
	S_TLOG_SEEN_ADD,
	S_TLOG_SEEN_GET,
	S_TLOG_SEEN_LATEST,
	S_TLOG_RECV_ADD,
	S_TLOG_RECV_PENDING,
	S_TLOG_RECV_MARK,
	S_COUNT_
};

/* Columns of a collection (coll_row), an agreement (agr_row), a row of a
 * page (row_read; S_ROW_JSON adds hash, party_id, json). */
#define COLL_COLS	"id, uuid, name, title, description, created"
#define AGR_COLS	"id, version, hash, installed, terminated, doc, term"
#define ROW_COLS	"version, stix_id, coll_id, type, tlp, labels, " \
			"producer, sender, under"

/* The columns every stream returns, and their common tail. */
#define Q_HEAD	"SELECT date_added FROM objects INDEXED BY "
#define Q_TAIL	" AND date_added > ?2 ORDER BY date_added LIMIT ?3"

#define PARTNER_COLS	"party_id, url, token, tls_pin, state, added, " \
			"last_ok, last_attempt, failures, backoff_until, " \
			"last_error, evidence, n_received, log_key"

static const char *const stmt_sql[S_COUNT_] = {
	[S_BEGIN] = "BEGIN",
	[S_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_SAVEPOINT] = "SAVEPOINT store_sp",
	[S_RELEASE] = "RELEASE store_sp",
	[S_ROLLBACK_TO] = "ROLLBACK TO store_sp",
	[S_USER_VERSION] = "PRAGMA user_version",
	[S_JOURNAL_WAL] = "PRAGMA journal_mode = WAL",
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_META_SET] = "INSERT INTO meta (key, value) VALUES (?1, ?2) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[S_PARTY_ADD] = "INSERT INTO parties (name, pubkey, role, created) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[S_PARTY_GET] = "SELECT id, name, pubkey, role, created FROM parties "
	    "WHERE id = ?1",
	[S_PARTY_BY_NAME] = "SELECT id, name, pubkey, role, created "
	    "FROM parties WHERE name = ?1",
	[S_PARTY_SELF] = "SELECT id, name, pubkey, role, created "
	    "FROM parties WHERE role = 1",
	[S_PARTY_LIST] = "SELECT id, name, pubkey, role, created "
	    "FROM parties ORDER BY id",
	[S_TOKEN_ADD] = "INSERT INTO tokens (id, party_id, hash, created) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[S_TOKEN_LOOKUP] = "SELECT party_id, hash FROM tokens "
	    "WHERE id = ?1 AND revoked = 0",
	[S_TOKEN_REVOKE] = "UPDATE tokens SET revoked = ?2 "
	    "WHERE id = ?1 AND revoked = 0",
	[S_COLL_ADD] = "INSERT INTO collections (uuid, name, title, "
	    "description, created) VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_COLL_GET] = "SELECT " COLL_COLS " FROM collections WHERE uuid = ?1",
	[S_COLL_BY_NAME] = "SELECT " COLL_COLS " FROM collections "
	    "WHERE name = ?1",
	[S_COLL_BY_ID] = "SELECT " COLL_COLS " FROM collections WHERE id = ?1",
	[S_COLL_LIST] = "SELECT " COLL_COLS " FROM collections ORDER BY id",
	[S_COLL_COUNT] = "SELECT n_objects FROM collections WHERE id = ?1",
	[S_COLL_COUNT_ADD] = "UPDATE collections "
	    "SET n_objects = n_objects + ?2 WHERE id = ?1",
	[S_OBJ_HWM] = "SELECT max(coalesce((SELECT max(date_added) "
	    "FROM objects), 0), coalesce((SELECT value FROM seq "
	    "WHERE name = 'date_added'), 0))",
	[S_SEQ_SET] = "INSERT INTO seq (name, value) "
	    "VALUES ('date_added', ?1) ON CONFLICT (name) "
	    "DO UPDATE SET value = max(value, excluded.value)",
	[S_OBJ_MAX] = "SELECT date_added, version FROM objects "
	    "INDEXED BY objects_id WHERE coll_id = ?1 AND stix_id = ?2 "
	    "ORDER BY version DESC LIMIT 1",
	[S_OBJ_MIN] = "SELECT date_added, version FROM objects "
	    "INDEXED BY objects_id WHERE coll_id = ?1 AND stix_id = ?2 "
	    "ORDER BY version ASC LIMIT 1",
	[S_OBJ_EXACT] = "SELECT date_added FROM objects "
	    "INDEXED BY objects_id WHERE coll_id = ?1 AND stix_id = ?2 "
	    "AND version = ?3",
	[S_OBJ_HASH] = "SELECT hash FROM objects WHERE date_added = ?1",
	[S_OBJ_SAME_HASH] = "SELECT date_added FROM objects INDEXED BY "
	    "objects_id WHERE coll_id = ?1 AND stix_id = ?2 AND hash = ?3 "
	    "LIMIT 1",
	[S_OBJ_INSERT] = "INSERT INTO objects (date_added, coll_id, stix_id, "
	    "type, version, party_id, is_first, is_last, hash, tlp, labels, "
	    "producer, sender, under, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[S_OBJ_CLEAR_LAST] = "UPDATE objects SET is_last = 0 "
	    "WHERE date_added = ?1",
	[S_OBJ_CLEAR_FIRST] = "UPDATE objects SET is_first = 0 "
	    "WHERE date_added = ?1",
	[S_OBJ_SET_FLAGS] = "UPDATE objects SET is_first = ?2, is_last = ?3 "
	    "WHERE date_added = ?1",
	[S_OBJ_VERSIONS] = "SELECT date_added, version, type, is_first, "
	    "is_last FROM objects INDEXED BY objects_id "
	    "WHERE coll_id = ?1 AND stix_id = ?2",
	[S_OBJ_DELETE] = "DELETE FROM objects WHERE date_added = ?1",
	[S_OBJ_KEY] = "SELECT coll_id, stix_id FROM objects "
	    "WHERE date_added = ?1",
	/* One seek per collection: no index has stix_id first, and one
	 * would cost every insert (STORE.md). */
	[S_OBJ_FIND] = "SELECT (SELECT o.date_added FROM objects o "
	    "INDEXED BY objects_id WHERE o.coll_id = c.id "
	    "AND o.stix_id = ?1 ORDER BY o.version DESC LIMIT 1) "
	    "FROM collections c ORDER BY c.id",
	[S_OBJ_PENDING] = "SELECT date_added FROM objects "
	    "INDEXED BY objects_pending WHERE tlp < 0 AND date_added > ?1 "
	    "ORDER BY date_added LIMIT ?2",
	[S_OBJ_META_SET] = "UPDATE objects SET tlp = ?2, labels = ?3 "
	    "WHERE date_added = ?1",
	[S_OBJ_UNDER] = "SELECT date_added FROM objects "
	    "INDEXED BY objects_under WHERE under = ?1 AND date_added < ?2 "
	    "ORDER BY date_added LIMIT ?3",
	[S_Q_SEL] = Q_HEAD "objects_sel WHERE coll_id = ?1 "
	    "AND is_last = ?6 AND is_first = ?7" Q_TAIL,
	[S_Q_SEL_T] = Q_HEAD "objects_sel_type WHERE coll_id = ?1 "
	    "AND type = ?4 AND is_last = ?6 AND is_first = ?7" Q_TAIL,
	[S_Q_VER] = Q_HEAD "objects_ver WHERE coll_id = ?1 "
	    "AND version = ?5" Q_TAIL,
	[S_Q_VER_T] = Q_HEAD "objects_ver_type WHERE coll_id = ?1 "
	    "AND type = ?4 AND version = ?5" Q_TAIL,
	[S_ROW] = "SELECT " ROW_COLS " FROM objects WHERE date_added = ?1",
	[S_ROW_JSON] = "SELECT " ROW_COLS ", hash, party_id, json "
	    "FROM objects WHERE date_added = ?1",
	[S_STATUS_PUT] = "INSERT INTO status (uuid, party_id, created, json) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (uuid) DO UPDATE SET "
	    "party_id = excluded.party_id, created = excluded.created, "
	    "json = excluded.json",
	[S_STATUS_GET] = "SELECT party_id, created, json FROM status "
	    "WHERE uuid = ?1 AND created >= ?2",
	[S_STATUS_PURGE] = "DELETE FROM status WHERE created < ?1",
	/* Replaces a lower version only; no change means ERR_EXISTS. */
	[S_AGR_PUT] = "INSERT INTO agreements (id, version, hash, installed, "
	    "doc) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO UPDATE SET "
	    "version = excluded.version, hash = excluded.hash, "
	    "installed = excluded.installed, terminated = NULL, "
	    "doc = excluded.doc, term = NULL "
	    "WHERE excluded.version > agreements.version",
	[S_AGR_GET] = "SELECT " AGR_COLS " FROM agreements WHERE id = ?1",
	[S_AGR_LIST] = "SELECT " AGR_COLS " FROM agreements ORDER BY id",
	[S_AGR_STATE] = "SELECT version, terminated IS NOT NULL "
	    "FROM agreements WHERE id = ?1",
	[S_AGR_TERM] = "UPDATE agreements SET terminated = ?3, term = ?4 "
	    "WHERE id = ?1 AND version = ?2 AND terminated IS NULL",
	[S_GEN_BUMP] = "INSERT INTO seq (name, value) VALUES ('policy_gen', 1) "
	    "ON CONFLICT (name) DO UPDATE SET value = value + 1",
	[S_GEN_GET] = "SELECT coalesce((SELECT value FROM seq "
	    "WHERE name = 'policy_gen'), 0)",
	/* The log (schema 5): see the "Transparency log storage" part. */
	[S_TLOG_SIZE] = "SELECT first + n FROM tlog_entries "
	    "ORDER BY first DESC LIMIT 1",
	[S_TLOG_BUNDLE_ADD] = "INSERT INTO tlog_entries (first, n, data) "
	    "VALUES (?1, ?2, ?3)",
	[S_TLOG_BUNDLE_GET] = "SELECT first, n, data FROM tlog_entries "
	    "WHERE first <= ?1 ORDER BY first DESC LIMIT 1",
	[S_TLOG_TILE_GET] = "SELECT width, hashes FROM tlog_tiles "
	    "WHERE id = ?1",
	[S_TLOG_TILE_PUT] = "INSERT INTO tlog_tiles (id, width, hashes) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET "
	    "width = excluded.width, hashes = excluded.hashes",
	[S_TLOG_TILE_WIDTHS] = "SELECT id, width FROM tlog_tiles ORDER BY id",
	[S_TLOG_FP_PUT] = "INSERT INTO tlog_fps (id, fp) VALUES (?1, ?2) "
	    "ON CONFLICT (id) DO UPDATE SET fp = excluded.fp",
	[S_TLOG_FP_SCAN] = "SELECT id, fp FROM tlog_fps ORDER BY id",
	[S_TLOG_CP_ADD] = "INSERT INTO tlog_checkpoints (size, root, issued, "
	    "note) VALUES (?1, ?2, ?3, ?4)",
	[S_TLOG_CP_LATEST] = "SELECT size, root, issued, note "
	    "FROM tlog_checkpoints WHERE size = "
	    "(SELECT max(size) FROM tlog_checkpoints)",
	[S_TLOG_CP_GET] = "SELECT size, root, issued, note "
	    "FROM tlog_checkpoints WHERE size = ?1",
	[S_TLOG_CP_NEXT] = "SELECT size, root, issued, note "
	    "FROM tlog_checkpoints WHERE size > ?1 ORDER BY size LIMIT 1",
	[S_TLOG_COSIG_PUT] = "INSERT INTO tlog_cosigs (size, party_id, line, "
	    "received) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (size, party_id) "
	    "DO UPDATE SET line = excluded.line, received = excluded.received",
	[S_TLOG_COSIG_LIST] = "SELECT party_id, line, received FROM tlog_cosigs "
	    "WHERE size = ?1 ORDER BY party_id",
	[S_TLOG_SEEN_ADD] = "INSERT INTO tlog_seen (vkey, size, root, note, "
	    "seen) VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_TLOG_SEEN_GET] = "SELECT size, root, note, seen FROM tlog_seen "
	    "WHERE vkey = ?1 AND size = ?2",
	[S_TLOG_SEEN_LATEST] = "SELECT size, root, note, seen FROM tlog_seen "
	    "WHERE vkey = ?1 ORDER BY size DESC LIMIT 1",
	[S_TLOG_RECV_ADD] = "INSERT INTO tlog_received (vkey, leaf_index, "
	    "leaf_hash, received) VALUES (?1, ?2, ?3, ?4)",
	[S_TLOG_RECV_PENDING] = "SELECT id, leaf_index, leaf_hash "
	    "FROM tlog_received INDEXED BY tlog_received_pending "
	    "WHERE vkey = ?1 AND verified_size IS NULL AND id > ?2 "
	    "ORDER BY id LIMIT ?3",
	[S_TLOG_RECV_MARK] = "UPDATE tlog_received SET verified_size = ?2 "
	    "WHERE id = ?1",
	[S_PARTNER_ADD] = "INSERT INTO partners (party_id, url, token, "
	    "tls_pin, added) VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_PARTNER_GET] = "SELECT " PARTNER_COLS " FROM partners "
	    "WHERE party_id = ?1",
	[S_PARTNER_LIST] = "SELECT " PARTNER_COLS " FROM partners "
	    "ORDER BY party_id",
	[S_PARTNER_DEL] = "DELETE FROM partners WHERE party_id = ?1",
	[S_PARTNER_DEL_CURSORS] = "DELETE FROM sync_cursors "
	    "WHERE party_id = ?1",
	[S_PARTNER_RESULT] = "UPDATE partners SET state = ?2, "
	    "last_attempt = ?3, "
	    "last_ok = CASE WHEN ?2 = 0 THEN ?3 ELSE last_ok END, "
	    "failures = CASE WHEN ?2 = 0 THEN 0 ELSE failures + 1 END, "
	    "backoff_until = ?4, last_error = ?5, evidence = ?6, "
	    "n_received = n_received + ?7 WHERE party_id = ?1",
	[S_PARTNER_LOG_KEY] = "UPDATE partners SET log_key = ?2 "
	    "WHERE party_id = ?1",
	[S_CURSOR_GET] = "SELECT after FROM sync_cursors "
	    "WHERE party_id = ?1 AND coll_uuid = ?2",
	[S_CURSOR_PUT] = "INSERT INTO sync_cursors (party_id, coll_uuid, "
	    "after) VALUES (?1, ?2, ?3) ON CONFLICT (party_id, coll_uuid) "
	    "DO UPDATE SET after = excluded.after",
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmt[S_COUNT_];
	int		 schema_version;
	int64_t		 last_added;	/* highest date_added seen */
	long		 fault;		/* steps until a fault; < 0: none */
	int		 injected;	/* the last error was injected */
	int64_t		(*now)(void);	/* ts_now_us, or a test's clock */
	int		 wlocked;	/* holds store_wlock */
	struct tlog_cache *tlog;	/* the log in memory; NULL: unused */
};

/* The log's side of transactions (see the transparency log part). */
static enum err tl_flush(struct store *st);
static void tl_forget(struct store *st);
static struct tlog_cache *tl_live(struct store *st);
static void tl_free(struct store *st);

/*
 * Writers of one process take this mutex before BEGIN IMMEDIATE.  SQLite's
 * busy handler sleeps in steps of milliseconds when a write lock is taken,
 * which stalls concurrent ingest; waiting on a mutex wakes at once.  Other
 * processes (the CLI beside a running server) still meet busy_timeout.
 */
static pthread_mutex_t store_wlock = PTHREAD_MUTEX_INITIALIZER;

static void
wlock_take(struct store *st)
{
	if (!st->wlocked && pthread_mutex_lock(&store_wlock) == 0)
		st->wlocked = 1;
}

static void
wlock_give(struct store *st)
{
	if (st->wlocked) {
		st->wlocked = 0;
		(void)pthread_mutex_unlock(&store_wlock);
	}
}

/* One version of an object as the write paths see it. */
struct vrow {
	int64_t	date_added;
	int64_t	version;
	int	is_first;
	int	is_last;
	int	match;		/* selected (delete) */
};

/* One index range of a query, read a chunk at a time. */
struct stream {
	enum stmt_id	 sid;
	const char	*type;		/* NULL: any */
	int64_t		 version;	/* S_Q_VER* only */
	int		 is_last;	/* S_Q_SEL* only */
	int		 is_first;
	int64_t		 pos;		/* last date_added fetched */
	int64_t		*buf;
	size_t		 cap, n, i;
	size_t		 chunk;		/* rows asked for by the next fill */
	int		 done;		/* the range has no rows past pos */
};

/* Map a SQLite result code to enum err and log what is not expected. */
static enum err
db_fail(struct store *st, const char *func, int rc)
{
	enum err err;
	int quiet = 0;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		err = ERR_BUSY;
		break;
	case SQLITE_NOMEM:
		err = ERR_NOMEM;
		break;
	case SQLITE_TOOBIG:
		err = ERR_TOOBIG;
		break;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE ||
		    rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
			err = ERR_EXISTS;
			quiet = 1;
		} else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
			err = ERR_NOTFOUND;
			quiet = 1;
		} else {
			err = ERR_INVALID;
		}
		break;
	default:
		err = ERR_DB;
		break;
	}
	if (st->injected) {
		log_err("%s: injected fault (%s)", func, sqlite3_errstr(rc));
		st->injected = 0;
	} else if (!quiet) {
		log_err("%s: %s (%s)", func, sqlite3_errmsg(st->db),
		    sqlite3_errstr(rc));
	}
	return err;
}

/* sqlite3_step with fault injection. */
static int
db_step(struct store *st, sqlite3_stmt *s)
{
	if (st->fault >= 0) {
		if (st->fault == 0) {
			st->fault = -1;
			st->injected = 1;
			return SQLITE_IOERR;
		}
		st->fault--;
	}
	return sqlite3_step(s);
}

/* Return a statement to the cache: reset it and drop borrowed bindings. */
static void
stmt_done(sqlite3_stmt *s)
{
	if (s != NULL) {
		(void)sqlite3_reset(s);
		(void)sqlite3_clear_bindings(s);
	}
}

/* The cached statement id, prepared on first use. */
static enum err
stmt_get(struct store *st, enum stmt_id id, const char *func,
    sqlite3_stmt **out)
{
	int rc;

	if (st->stmt[id] == NULL) {
		rc = sqlite3_prepare_v3(st->db, stmt_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[id], NULL);
		if (rc != SQLITE_OK) {
			st->stmt[id] = NULL;
			*out = NULL;
			return db_fail(st, func, rc);
		}
	}
	*out = st->stmt[id];
	return ERR_OK;
}

/* Run a statement without parameters or rows (BEGIN, COMMIT, ...). */
static enum err
stmt_exec(struct store *st, enum stmt_id id, const char *func)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if ((err = stmt_get(st, id, func, &s)) != ERR_OK)
		return err;
	rc = db_step(st, s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = db_fail(st, func, rc);
	stmt_done(s);
	return err;
}

/* Run a rollback-type statement: never injected, errors only logged. */
static void
stmt_undo(struct store *st, enum stmt_id id, const char *func)
{
	sqlite3_stmt *s;
	int rc;

	if (stmt_get(st, id, func, &s) != ERR_OK)
		return;
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		log_warn("%s: %s: %s", func, stmt_sql[id],
		    sqlite3_errmsg(st->db));
	stmt_done(s);
}

/*
 * Open a transaction for one call: BEGIN (IMMEDIATE for writes) when none
 * is open, else a savepoint inside the caller's transaction.  *own says
 * which, for txn_close.
 */
static enum err
txn_open(struct store *st, int write, int *own, const char *func)
{
	enum err err;

	if (sqlite3_get_autocommit(st->db)) {
		*own = 1;
		if (write)
			wlock_take(st);
		err = stmt_exec(st, write ? S_BEGIN_WRITE : S_BEGIN, func);
		if (err != ERR_OK)
			wlock_give(st);
		return err;
	}
	*own = 0;
	return stmt_exec(st, S_SAVEPOINT, func);
}

/*
 * Close what txn_open opened: commit when err is ERR_OK (a failed commit
 * rolls back), else roll back.  Returns the call's final result.
 */
static enum err
txn_close(struct store *st, int own, enum err err, const char *func)
{
	if (err == ERR_OK) {
		err = stmt_exec(st, own ? S_COMMIT : S_RELEASE, func);
		if (err == ERR_OK) {
			if (own)
				wlock_give(st);
			return ERR_OK;
		}
	}
	if (own) {
		if (!sqlite3_get_autocommit(st->db))
			stmt_undo(st, S_ROLLBACK, func);
		wlock_give(st);
	} else if (!sqlite3_get_autocommit(st->db)) {
		stmt_undo(st, S_ROLLBACK_TO, func);
		stmt_undo(st, S_RELEASE, func);
	}
	return err;
}

/* Copy a TEXT column into dst[cap] (cap counts the NUL). */
static enum err
col_text(struct store *st, sqlite3_stmt *s, int col, char *dst, size_t cap,
    const char *func)
{
	const unsigned char *t;
	int n;

	t = sqlite3_column_text(s, col);
	n = sqlite3_column_bytes(s, col);
	if (t == NULL)
		return sqlite3_errcode(st->db) == SQLITE_NOMEM ? ERR_NOMEM :
		    ERR_DB;
	if (n < 0 || (size_t)n >= cap) {
		log_err("%s: stored value too long (%d bytes)", func, n);
		return ERR_DB;
	}
	memcpy(dst, t, (size_t)n);
	dst[n] = '\0';
	return ERR_OK;
}

/* Copy a BLOB column of exactly len bytes into dst. */
static enum err
col_blob(sqlite3_stmt *s, int col, uint8_t *dst, size_t len,
    const char *func)
{
	const void *p;
	int n;

	p = sqlite3_column_blob(s, col);
	n = sqlite3_column_bytes(s, col);
	if (p == NULL || n < 0 || (size_t)n != len) {
		log_err("%s: stored blob has %d bytes, not %zu", func, n, len);
		return ERR_DB;
	}
	memcpy(dst, p, len);
	return ERR_OK;
}

/* Is s at most max bytes long and not empty?  ERR_INVALID/ERR_TOOBIG. */
static enum err
check_str(const char *s, size_t max, int may_be_empty)
{
	size_t n;

	if (s == NULL)
		return ERR_INVALID;
	n = strnlen(s, max + 1);
	if (n > max)
		return ERR_TOOBIG;
	if (n == 0 && !may_be_empty)
		return ERR_INVALID;
	return ERR_OK;
}

/* Bind len bytes at p as a blob, or NULL when p is NULL. */
static int
bind_blob_or_null(sqlite3_stmt *s, int col, const void *p, size_t len)
{
	if (p == NULL)
		return sqlite3_bind_null(s, col);
	return sqlite3_bind_blob(s, col, p, (int)len, SQLITE_STATIC);
}

/* Remove path and its WAL and shared-memory files (failed create). */
static void
unlink_db(const char *path)
{
	static const char *const sfx[] = { "-wal", "-shm", "" };
	char name[4096];
	int n;

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		n = snprintf(name, sizeof(name), "%s%s", path, sfx[i]);
		if (n < 0 || (size_t)n >= sizeof(name))
			continue;
		(void)unlink(name);
	}
}

/* Run statement id (no parameters) and read its one integer into *out. */
static enum err
stmt_int64(struct store *st, enum stmt_id id, const char *func, int64_t *out)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if ((err = stmt_get(st, id, func, &s)) != ERR_OK)
		return err;
	rc = db_step(st, s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	else
		err = db_fail(st, func, rc);
	stmt_done(s);
	return err;
}

/* Read PRAGMA user_version. */
static enum err
read_user_version(struct store *st, int *out, const char *func)
{
	int64_t v = 0;
	enum err err;

	if ((err = stmt_int64(st, S_USER_VERSION, func, &v)) == ERR_OK)
		*out = (int)v;
	return err;
}

/*
 * Bring the schema to N_MIGRATIONS, one transaction per step.  The version
 * is read again inside each transaction, so two processes opening a new
 * database at once do not both apply a step.
 */
static enum err
migrate(struct store *st)
{
	enum err err;
	char *msg = NULL;
	int v, nv, rc;

	if ((err = read_user_version(st, &v, __func__)) != ERR_OK)
		return err;
	if (v > N_MIGRATIONS || v < 0) {
		log_err("%s: database schema version %d is newer than this "
		    "entente knows (%d); upgrade entente", __func__, v,
		    N_MIGRATIONS);
		return ERR_UNSUPPORTED;
	}
	while (v < N_MIGRATIONS) {
		if ((err = stmt_exec(st, S_BEGIN_WRITE, __func__)) != ERR_OK)
			return err;
		if ((err = read_user_version(st, &v, __func__)) != ERR_OK)
			goto fail;
		if (v >= N_MIGRATIONS)
			break;
		rc = sqlite3_exec(st->db, migrations[v], NULL, NULL, &msg);
		if (rc != SQLITE_OK) {
			log_err("%s: migration to version %d: %s", __func__,
			    v + 1, msg != NULL ? msg : sqlite3_errstr(rc));
			sqlite3_free(msg);
			err = rc == SQLITE_BUSY ? ERR_BUSY : ERR_DB;
			goto fail;
		}
		if ((err = read_user_version(st, &nv, __func__)) != ERR_OK)
			goto fail;
		if (nv != v + 1) {
			log_err("%s: migration %d left user_version %d",
			    __func__, v + 1, nv);
			err = ERR_DB;
			goto fail;
		}
		if ((err = stmt_exec(st, S_COMMIT, __func__)) != ERR_OK)
			goto fail;
		log_info("%s: database schema now at version %d", __func__,
		    v + 1);
		v++;
	}
	if (!sqlite3_get_autocommit(st->db) &&
	    (err = stmt_exec(st, S_COMMIT, __func__)) != ERR_OK)
		goto fail;
	if (v > N_MIGRATIONS) {
		log_err("%s: database schema version %d is newer than this "
		    "entente knows (%d); upgrade entente", __func__, v,
		    N_MIGRATIONS);
		return ERR_UNSUPPORTED;
	}
	st->schema_version = v;
	return ERR_OK;
fail:
	if (!sqlite3_get_autocommit(st->db))
		stmt_undo(st, S_ROLLBACK, __func__);
	return err;
}

/* The highest date_added ever assigned (survives deletes via seq). */
static enum err
read_hwm(struct store *st, int64_t *out, const char *func)
{
	return stmt_int64(st, S_OBJ_HWM, func, out);
}

/* Connection settings: defensive, WAL, foreign keys, busy timeout. */
static enum err
configure(struct store *st)
{
	/*
	 * A WAL of 16384 pages (64 MiB) before the committing writer copies
	 * it back: random inserts into objects_id dirty about one page per
	 * object, and fewer, larger checkpoints copy each page once instead
	 * of several times (+30% put throughput, measured in bench_store).
	 * journal_size_limit shrinks the file again after a burst.
	 */
	static const char pragmas[] =
	    "PRAGMA trusted_schema = OFF;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA synchronous = NORMAL;"
	    "PRAGMA cache_size = -16384;"
	    "PRAGMA wal_autocheckpoint = 16384;"
	    "PRAGMA journal_size_limit = 134217728;";
	sqlite3_stmt *s;
	const unsigned char *mode;
	enum err err;
	char *msg = NULL;
	int rc;

	if (sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1,
	    NULL) != SQLITE_OK ||
	    sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
	    NULL) != SQLITE_OK ||
	    sqlite3_db_config(st->db, SQLITE_DBCONFIG_DQS_DDL, 0,
	    NULL) != SQLITE_OK ||
	    sqlite3_db_config(st->db, SQLITE_DBCONFIG_DQS_DML, 0,
	    NULL) != SQLITE_OK ||
	    sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION,
	    0, NULL) != SQLITE_OK) {
		log_err("%s: sqlite3_db_config: %s", __func__,
		    sqlite3_errmsg(st->db));
		return ERR_DB;
	}
	(void)sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	rc = sqlite3_exec(st->db, pragmas, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_err("%s: %s", __func__, msg != NULL ? msg :
		    sqlite3_errstr(rc));
		sqlite3_free(msg);
		return (rc & 0xff) == SQLITE_BUSY ? ERR_BUSY : ERR_DB;
	}
	/* journal_mode answers with the mode now in force. */
	if ((err = stmt_get(st, S_JOURNAL_WAL, __func__, &s)) != ERR_OK)
		return err;
	rc = db_step(st, s);
	if (rc != SQLITE_ROW) {
		err = db_fail(st, __func__, rc);
	} else {
		mode = sqlite3_column_text(s, 0);
		if (mode == NULL || strcmp((const char *)mode, "wal") != 0) {
			log_err("%s: cannot switch to WAL mode (mode is %s)",
			    __func__, mode != NULL ? (const char *)mode :
			    "unknown");
			err = ERR_DB;
		}
	}
	stmt_done(s);
	return err;
}

/*
 * Open the database at path.  See store.h.  With STORE_CREATE the file is
 * created here with O_EXCL and mode 0600 before SQLite sees it, and removed
 * again if anything after that fails.
 */
enum err
store_open(const char *path, int flags, struct store **out)
{
	static const enum stmt_id undo[] = {
		S_ROLLBACK, S_ROLLBACK_TO, S_RELEASE
	};
	struct store *st = NULL;
	sqlite3_stmt *s;
	struct stat sb;
	enum err err = ERR_OK;
	int fd, rc, created = 0;

	if (out != NULL)
		*out = NULL;
	if (path == NULL || out == NULL || (flags & ~STORE_CREATE) != 0)
		return ERR_INVALID;
	if (flags & STORE_CREATE) {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
		if (fd == -1) {
			if (errno == EEXIST)
				return ERR_EXISTS;
			log_err("%s: %s: %s", __func__, path, strerror(errno));
			return ERR_IO;
		}
		created = 1;
		if (fchmod(fd, 0600) == -1) {
			log_err("%s: fchmod %s: %s", __func__, path,
			    strerror(errno));
			(void)close(fd);
			err = ERR_IO;
			goto out;
		}
		(void)close(fd);
	} else if (stat(path, &sb) == -1) {
		if (errno == ENOENT)
			return ERR_NOTFOUND;
		log_err("%s: %s: %s", __func__, path, strerror(errno));
		return ERR_IO;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		err = ERR_NOMEM;
		goto out;
	}
	st->fault = -1;
	st->now = ts_now_us;
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW |
	    SQLITE_OPEN_EXRESCODE, NULL);
	if (rc != SQLITE_OK) {
		if (st->db == NULL) {
			err = ERR_NOMEM;
		} else {
			log_err("%s: %s: %s", __func__, path,
			    sqlite3_errmsg(st->db));
			err = ERR_DB;
		}
		goto out;
	}
	/* Undoing must not depend on memory being available later. */
	for (size_t i = 0; i < sizeof(undo) / sizeof(undo[0]); i++)
		if ((err = stmt_get(st, undo[i], __func__, &s)) != ERR_OK)
			goto out;
	if ((err = configure(st)) != ERR_OK ||
	    (err = migrate(st)) != ERR_OK ||
	    (err = read_hwm(st, &st->last_added, __func__)) != ERR_OK)
		goto out;
	*out = st;
	st = NULL;
out:
	store_close(st);
	if (err != ERR_OK && created)
		unlink_db(path);
	return err;
}

/* Close st: finalize the cached statements, then the connection. */
void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	wlock_give(st);
	tl_free(st);
	for (size_t i = 0; i < S_COUNT_; i++) {
		(void)sqlite3_finalize(st->stmt[i]);
		st->stmt[i] = NULL;
	}
	if (sqlite3_close(st->db) != SQLITE_OK)
		log_err("%s: %s", __func__, sqlite3_errmsg(st->db));
	free(st);
}

/* The schema version of the open database.  Can't fail. */
int
store_schema_version(struct store *st)
{
	return st->schema_version;
}

/* Begin a write transaction (BEGIN IMMEDIATE).  ERR_BUSY, ERR_DB. */
enum err
store_begin(struct store *st)
{
	enum err err;

	/* Appends left from a transaction SQLite ended on its own. */
	tl_live(st);
	wlock_take(st);
	if ((err = stmt_exec(st, S_BEGIN_WRITE, __func__)) != ERR_OK)
		wlock_give(st);
	return err;
}

/* Open a read transaction.  See store.h. */
enum err
store_read_begin(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		return ERR_RANGE;
	return stmt_exec(st, S_BEGIN, __func__);
}

/* End a read transaction.  See store.h. */
void
store_read_end(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		stmt_undo(st, S_ROLLBACK, __func__);
	wlock_give(st);
}

/*
 * Commit; on failure the transaction is rolled back.  The log's appends
 * kept in memory are written first, in the same transaction.
 */
enum err
store_commit(struct store *st)
{
	enum err err;

	if ((err = tl_flush(st)) != ERR_OK) {
		store_rollback(st);
		return err;
	}
	if ((err = txn_close(st, 1, ERR_OK, __func__)) != ERR_OK)
		tl_forget(st);
	return err;
}

/* Roll back the open transaction, if any.  Can't fail. */
void
store_rollback(struct store *st)
{
	tl_forget(st);
	if (!sqlite3_get_autocommit(st->db))
		stmt_undo(st, S_ROLLBACK, __func__);
	wlock_give(st);
}

/* Meta get.  See store.h. */
enum err
store_meta_get(struct store *st, const char *key, char **val_out,
    size_t *len_out)
{
	sqlite3_stmt *s;
	const void *p;
	char *v;
	enum err err;
	int rc, n;

	*val_out = NULL;
	if (len_out != NULL)
		*len_out = 0;
	if (key == NULL)
		return ERR_INVALID;
	if ((err = stmt_get(st, S_META_GET, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC)) !=
	    SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	rc = db_step(st, s);
	if (rc == SQLITE_DONE) {
		err = ERR_NOTFOUND;
		goto out;
	} else if (rc != SQLITE_ROW) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	p = sqlite3_column_blob(s, 0);
	n = sqlite3_column_bytes(s, 0);
	if (n < 0 || (p == NULL && n > 0)) {
		err = ERR_NOMEM;
		goto out;
	}
	if ((v = malloc((size_t)n + 1)) == NULL) {
		err = ERR_NOMEM;
		goto out;
	}
	if (n > 0)
		memcpy(v, p, (size_t)n);
	v[n] = '\0';
	*val_out = v;
	if (len_out != NULL)
		*len_out = (size_t)n;
out:
	stmt_done(s);
	return err;
}

/* Meta set (insert or replace).  ERR_TOOBIG past STORE_META_MAX bytes. */
enum err
store_meta_set(struct store *st, const char *key, const void *val,
    size_t len)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if (key == NULL || (val == NULL && len > 0))
		return ERR_INVALID;
	if (len > STORE_META_MAX)
		return ERR_TOOBIG;
	if ((err = stmt_get(st, S_META_SET, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_blob(s, 2, len > 0 ? val : "", (int)len,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = db_step(st, s)) != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	stmt_done(s);
	return err;
}

/* Add a party.  See store.h; a NULL pubkey stores 32 zero bytes. */
enum err
store_party_add(struct store *st, const char *name,
    const uint8_t pubkey[32], enum store_role role, int64_t *id_out)
{
	static const uint8_t zero[32];
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if ((err = check_str(name, LIM_PARTY_NAME, 0)) != ERR_OK)
		return err;
	if (role != STORE_ROLE_PARTNER && role != STORE_ROLE_SELF)
		return ERR_INVALID;
	if ((err = stmt_get(st, S_PARTY_ADD, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_blob(s, 2, pubkey != NULL ? pubkey : zero, 32,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 3, (int)role)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 4, ts_now_us())) != SQLITE_OK ||
	    (rc = db_step(st, s)) != SQLITE_DONE) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	if (id_out != NULL)
		*id_out = sqlite3_last_insert_rowid(st->db);
out:
	stmt_done(s);
	return err;
}

/* Read one parties row (id, name, pubkey, role, created) into *out. */
static enum err
party_row(struct store *st, sqlite3_stmt *s, struct store_party *out,
    const char *func)
{
	struct store_party p;
	enum err err;

	memset(&p, 0, sizeof(p));
	p.id = sqlite3_column_int64(s, 0);
	if ((err = col_text(st, s, 1, p.name, sizeof(p.name), func)) !=
	    ERR_OK ||
	    (err = col_blob(s, 2, p.pubkey, sizeof(p.pubkey), func)) !=
	    ERR_OK)
		return err;
	p.role = sqlite3_column_int(s, 3) == STORE_ROLE_SELF ?
	    STORE_ROLE_SELF : STORE_ROLE_PARTNER;
	p.created = sqlite3_column_int64(s, 4);
	*out = p;
	return ERR_OK;
}

/*
 * Run a party statement whose ?1 is bound by the caller (or has no
 * parameter) and read its one row.
 */
static enum err
party_one(struct store *st, sqlite3_stmt *s, struct store_party *out,
    const char *func)
{
	enum err err;
	int rc;

	rc = db_step(st, s);
	if (rc == SQLITE_ROW)
		err = party_row(st, s, out, func);
	else if (rc == SQLITE_DONE)
		err = ERR_NOTFOUND;
	else
		err = db_fail(st, func, rc);
	stmt_done(s);
	return err;
}

/* Party by id.  ERR_NOTFOUND when absent. */
enum err
store_party_get(struct store *st, int64_t id, struct store_party *out)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if ((err = stmt_get(st, S_PARTY_GET, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) != SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		stmt_done(s);
		return err;
	}
	return party_one(st, s, out, __func__);
}

/* Party by name.  ERR_NOTFOUND when absent. */
enum err
store_party_by_name(struct store *st, const char *name,
    struct store_party *out)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if (name == NULL)
		return ERR_INVALID;
	if ((err = stmt_get(st, S_PARTY_BY_NAME, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC)) !=
	    SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		stmt_done(s);
		return err;
	}
	return party_one(st, s, out, __func__);
}

/* The node's own party.  ERR_NOTFOUND before one is added. */
enum err
store_party_self(struct store *st, struct store_party *out)
{
	sqlite3_stmt *s;
	enum err err;

	if ((err = stmt_get(st, S_PARTY_SELF, __func__, &s)) != ERR_OK)
		return err;
	return party_one(st, s, out, __func__);
}

/*
 * Collect the rows of a list statement: *out is a new array of *n_out
 * elements of size sz filled by row(); free() it.
 */
static enum err
list_rows(struct store *st, enum stmt_id id, size_t sz,
    enum err (*row)(struct store *, sqlite3_stmt *, void *, const char *),
    void **out, size_t *n_out, const char *func)
{
	sqlite3_stmt *s;
	char *arr = NULL, *p;
	size_t n = 0, cap = 0;
	enum err err;
	int rc;

	*out = NULL;
	*n_out = 0;
	if ((err = stmt_get(st, id, func, &s)) != ERR_OK)
		return err;
	while ((rc = db_step(st, s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			if (cap > SIZE_MAX / sz) {
				err = ERR_NOMEM;
				goto out;
			}
			if ((p = realloc(arr, cap * sz)) == NULL) {
				err = ERR_NOMEM;
				goto out;
			}
			arr = p;
		}
		if ((err = row(st, s, arr + n * sz, func)) != ERR_OK)
			goto out;
		n++;
	}
	if (rc != SQLITE_DONE) {
		err = db_fail(st, func, rc);
		goto out;
	}
	*out = arr;
	*n_out = n;
	arr = NULL;
out:
	stmt_done(s);
	free(arr);
	return err;
}

static enum err
party_row_v(struct store *st, sqlite3_stmt *s, void *out, const char *func)
{
	return party_row(st, s, out, func);
}

/* All parties ordered by id; *out is new, free() it. */
enum err
store_party_list(struct store *st, struct store_party **out, size_t *n_out)
{
	void *arr;
	enum err err;

	err = list_rows(st, S_PARTY_LIST, sizeof(**out), party_row_v, &arr,
	    n_out, __func__);
	*out = arr;
	return err;
}

/* Add a token.  ERR_EXISTS for a known id, ERR_NOTFOUND for no party. */
enum err
store_token_add(struct store *st, int64_t party_id,
    const uint8_t token_id[STORE_TOKEN_ID_BYTES],
    const uint8_t hash[STORE_SHA256_BYTES])
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if (token_id == NULL || hash == NULL)
		return ERR_INVALID;
	if ((err = stmt_get(st, S_TOKEN_ADD, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_blob(s, 1, token_id, STORE_TOKEN_ID_BYTES,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, party_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_blob(s, 3, hash, STORE_SHA256_BYTES,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 4, ts_now_us())) != SQLITE_OK ||
	    (rc = db_step(st, s)) != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	stmt_done(s);
	return err;
}

/* Look a token up.  See store.h; outputs untouched on error. */
enum err
store_token_lookup(struct store *st,
    const uint8_t token_id[STORE_TOKEN_ID_BYTES], int64_t *party_id,
    uint8_t hash_out[STORE_SHA256_BYTES])
{
	sqlite3_stmt *s;
	uint8_t h[STORE_SHA256_BYTES];
	enum err err;
	int rc;

	if (token_id == NULL)
		return ERR_INVALID;
	if ((err = stmt_get(st, S_TOKEN_LOOKUP, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_blob(s, 1, token_id, STORE_TOKEN_ID_BYTES,
	    SQLITE_STATIC)) != SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	rc = db_step(st, s);
	if (rc == SQLITE_DONE) {
		err = ERR_NOTFOUND;
	} else if (rc != SQLITE_ROW) {
		err = db_fail(st, __func__, rc);
	} else if ((err = col_blob(s, 1, h, sizeof(h), __func__)) ==
	    ERR_OK) {
		if (party_id != NULL)
			*party_id = sqlite3_column_int64(s, 0);
		if (hash_out != NULL)
			memcpy(hash_out, h, sizeof(h));
	}
out:
	stmt_done(s);
	return err;
}

/* Revoke a token.  ERR_NOTFOUND when unknown or already revoked. */
enum err
store_token_revoke(struct store *st,
    const uint8_t token_id[STORE_TOKEN_ID_BYTES])
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if (token_id == NULL)
		return ERR_INVALID;
	if ((err = stmt_get(st, S_TOKEN_REVOKE, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_blob(s, 1, token_id, STORE_TOKEN_ID_BYTES,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, ts_now_us())) != SQLITE_OK ||
	    (rc = db_step(st, s)) != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	else if (sqlite3_changes(st->db) == 0)
		err = ERR_NOTFOUND;
	stmt_done(s);
	return err;
}

/*
 * Is name a collection name: 1 to STORE_COLL_NAME_MAX of A-Z a-z 0-9 . _ -
 * (docs/agreements.md)?  ERR_INVALID otherwise.
 */
static enum err
check_coll_name(const char *name)
{
	size_t n;

	if (name == NULL)
		return ERR_INVALID;
	n = strnlen(name, STORE_COLL_NAME_MAX + 1);
	if (n == 0 || n > STORE_COLL_NAME_MAX)
		return ERR_INVALID;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-'))
			return ERR_INVALID;
	}
	return ERR_OK;
}

/*
 * Add a collection named name.  ERR_INVALID for a uuid that is not 36
 * name characters or a bad name, ERR_TOOBIG for a long title or
 * description, ERR_EXISTS when the uuid or the name is taken.
 */
enum err
store_collection_add_named(struct store *st, const char *uuid,
    const char *name, const char *title, const char *description,
    int64_t *id_out)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if (uuid == NULL || strnlen(uuid, STORE_UUID_LEN + 1) !=
	    STORE_UUID_LEN || check_coll_name(uuid) != ERR_OK)
		return ERR_INVALID;
	if ((err = check_coll_name(name)) != ERR_OK)
		return err;
	if ((err = check_str(title, LIM_TITLE, 1)) != ERR_OK ||
	    (err = check_str(description, LIM_DESCRIPTION, 1)) != ERR_OK)
		return err;
	if ((err = stmt_get(st, S_COLL_ADD, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 3, title, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 4, description, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 5, ts_now_us())) != SQLITE_OK ||
	    (rc = db_step(st, s)) != SQLITE_DONE) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	if (id_out != NULL)
		*id_out = sqlite3_last_insert_rowid(st->db);
out:
	stmt_done(s);
	return err;
}

/* Add a collection named by its uuid.  See store_collection_add_named. */
enum err
store_collection_add(struct store *st, const char *uuid,
    const char *title, const char *description, int64_t *id_out)
{
	return store_collection_add_named(st, uuid, uuid, title, description,
	    id_out);
}

/* Read one collections row (COLL_COLS). */
static enum err
coll_row(struct store *st, sqlite3_stmt *s, void *out, const char *func)
{
	struct store_collection *c = out;
	enum err err;

	c->id = sqlite3_column_int64(s, 0);
	if ((err = col_text(st, s, 1, c->uuid, sizeof(c->uuid), func)) !=
	    ERR_OK ||
	    (err = col_text(st, s, 2, c->name, sizeof(c->name), func)) !=
	    ERR_OK ||
	    (err = col_text(st, s, 3, c->title, sizeof(c->title), func)) !=
	    ERR_OK ||
	    (err = col_text(st, s, 4, c->description,
	    sizeof(c->description), func)) != ERR_OK)
		return err;
	c->created = sqlite3_column_int64(s, 5);
	return ERR_OK;
}

/*
 * Run a collection statement whose ?1 is bound by the caller and read its
 * one row into *out (untouched on error).  Resets s.
 */
static enum err
coll_one(struct store *st, sqlite3_stmt *s, struct store_collection *out,
    const char *func)
{
	struct store_collection c;
	enum err err;
	int rc;

	rc = db_step(st, s);
	if (rc == SQLITE_DONE)
		err = ERR_NOTFOUND;
	else if (rc != SQLITE_ROW)
		err = db_fail(st, func, rc);
	else if ((err = coll_row(st, s, &c, func)) == ERR_OK)
		*out = c;
	stmt_done(s);
	return err;
}

/* Bind text ?1 of statement id and read one collection. */
static enum err
coll_by_text(struct store *st, enum stmt_id id, const char *key,
    struct store_collection *out, const char *func)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if (key == NULL || out == NULL)
		return ERR_INVALID;
	if ((err = stmt_get(st, id, func, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC)) !=
	    SQLITE_OK) {
		err = db_fail(st, func, rc);
		stmt_done(s);
		return err;
	}
	return coll_one(st, s, out, func);
}

/* Collection by uuid.  ERR_NOTFOUND when absent; *out untouched then. */
enum err
store_collection_get(struct store *st, const char *uuid,
    struct store_collection *out)
{
	return coll_by_text(st, S_COLL_GET, uuid, out, __func__);
}

/* Collection by name.  ERR_NOTFOUND when absent; *out untouched then. */
enum err
store_collection_by_name(struct store *st, const char *name,
    struct store_collection *out)
{
	return coll_by_text(st, S_COLL_BY_NAME, name, out, __func__);
}

/* Collection by row id.  ERR_NOTFOUND when absent; *out untouched then. */
enum err
store_collection_by_id(struct store *st, int64_t id,
    struct store_collection *out)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if (out == NULL)
		return ERR_INVALID;
	if ((err = stmt_get(st, S_COLL_BY_ID, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) != SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		stmt_done(s);
		return err;
	}
	return coll_one(st, s, out, __func__);
}

/* All collections ordered by id; *out is new, free() it. */
enum err
store_collection_list(struct store *st, struct store_collection **out,
    size_t *n_out)
{
	void *arr;
	enum err err;

	err = list_rows(st, S_COLL_LIST, sizeof(**out), coll_row, &arr,
	    n_out, __func__);
	*out = arr;
	return err;
}

/*
 * Run one of S_OBJ_MAX / S_OBJ_MIN: the highest or lowest version of
 * (coll_id, stix_id).  *found is 0 when the id has no version.
 */
static enum err
obj_edge(struct store *st, enum stmt_id id, int64_t coll_id,
    const char *stix_id, struct vrow *out, int *found)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	*found = 0;
	if ((err = stmt_get(st, id, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, coll_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 2, stix_id, -1, SQLITE_STATIC)) !=
	    SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	rc = db_step(st, s);
	if (rc == SQLITE_ROW) {
		out->date_added = sqlite3_column_int64(s, 0);
		out->version = sqlite3_column_int64(s, 1);
		*found = 1;
	} else if (rc != SQLITE_DONE) {
		err = db_fail(st, __func__, rc);
	}
out:
	stmt_done(s);
	return err;
}

/*
 * The date_added of a version of stix_id in coll_id, found by its version
 * (hash == NULL) or by its content hash; 0 in *date_added when none.
 */
static enum err
obj_find(struct store *st, int64_t coll_id, const char *stix_id,
    int64_t version, const uint8_t *hash, int64_t *date_added)
{
	enum stmt_id id = hash == NULL ? S_OBJ_EXACT : S_OBJ_SAME_HASH;
	sqlite3_stmt *s;
	enum err err;
	int rc;

	*date_added = 0;
	if ((err = stmt_get(st, id, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, coll_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 2, stix_id, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = hash == NULL ? sqlite3_bind_int64(s, 3, version) :
	    sqlite3_bind_blob(s, 3, hash, STORE_SHA256_BYTES,
	    SQLITE_STATIC)) != SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	rc = db_step(st, s);
	if (rc == SQLITE_ROW)
		*date_added = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
out:
	stmt_done(s);
	return err;
}

/*
 * The version stored at date_added is the one being added again: compare
 * hashes to tell a duplicate from a conflict.
 */
static enum err
obj_same(struct store *st, int64_t date_added, const uint8_t *hash,
    enum store_put_result *res, int64_t *da_out)
{
	sqlite3_stmt *s;
	uint8_t h[STORE_SHA256_BYTES];
	enum err err;
	int rc;

	if ((err = stmt_get(st, S_OBJ_HASH, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, date_added)) != SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	rc = db_step(st, s);
	if (rc == SQLITE_DONE) {
		log_err("%s: row %lld vanished", __func__,
		    (long long)date_added);
		err = ERR_DB;
		goto out;
	} else if (rc != SQLITE_ROW) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	if ((err = col_blob(s, 0, h, sizeof(h), __func__)) != ERR_OK)
		goto out;
	if (memcmp(h, hash, sizeof(h)) == 0) {
		*res = STORE_PUT_DUPLICATE;
		*da_out = date_added;
	} else {
		*res = STORE_PUT_CONFLICT;
		*da_out = 0;
	}
out:
	stmt_done(s);
	return err;
}

/* Run an UPDATE of one objects row by date_added (flag maintenance). */
static enum err
obj_flags(struct store *st, enum stmt_id id, int64_t date_added,
    int is_first, int is_last)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if ((err = stmt_get(st, id, __func__, &s)) != ERR_OK)
		return err;
	rc = sqlite3_bind_int64(s, 1, date_added);
	if (rc == SQLITE_OK && id == S_OBJ_SET_FLAGS &&
	    (rc = sqlite3_bind_int(s, 2, is_first)) == SQLITE_OK)
		rc = sqlite3_bind_int(s, 3, is_last);
	if (rc != SQLITE_OK || (rc = db_step(st, s)) != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	stmt_done(s);
	return err;
}

/*
 * Add one object version inside store_put_objects' transaction.  Finds
 * where the version falls among the id's versions with at most three index
 * seeks (the common cases, a new id or a newer version, need one), moves
 * is_first/is_last, then inserts with the next date_added after *last.
 */
static enum err
put_one(struct store *st, int64_t coll_id, int64_t party_id,
    const struct store_obj_in *o, int64_t *last, enum store_put_result *res,
    int64_t *da_out)
{
	struct vrow hi, lo;
	sqlite3_stmt *s;
	int64_t now, da, ex, version = o->version;
	enum err err;
	int found, is_first = 1, is_last = 1, rc;

	if (*last == INT64_MAX)
		return ERR_RANGE;
	now = st->now();
	da = now > *last ? now : *last + 1;
	if (version == STORE_VERSION_NONE) {
		/* No created/modified (SCOs): the version is the date added,
		 * and the same content again is the same version. */
		if ((err = obj_find(st, coll_id, o->stix_id, 0, o->hash,
		    &ex)) != ERR_OK)
			return err;
		if (ex != 0) {
			*res = STORE_PUT_DUPLICATE;
			*da_out = ex;
			return ERR_OK;
		}
		version = da;
	}
	if ((err = obj_edge(st, S_OBJ_MAX, coll_id, o->stix_id, &hi,
	    &found)) != ERR_OK)
		return err;
	if (found) {
		if (hi.version == version)
			return obj_same(st, hi.date_added, o->hash, res,
			    da_out);
		if (hi.version < version) {
			/* The newest version: the old newest steps back. */
			is_first = 0;
			err = obj_flags(st, S_OBJ_CLEAR_LAST, hi.date_added,
			    0, 0);
		} else {
			is_last = 0;
			if ((err = obj_edge(st, S_OBJ_MIN, coll_id,
			    o->stix_id, &lo, &found)) != ERR_OK)
				return err;
			if (!found) {
				log_err("%s: no lowest version of %s",
				    __func__, o->stix_id);
				return ERR_DB;	/* hi exists: can't happen */
			}
			if (lo.version == version)
				return obj_same(st, lo.date_added, o->hash,
				    res, da_out);
			if (lo.version > version) {
				err = obj_flags(st, S_OBJ_CLEAR_FIRST,
				    lo.date_added, 0, 0);
			} else {
				/* Strictly between: may exist already. */
				is_first = 0;
				if ((err = obj_find(st, coll_id, o->stix_id,
				    version, NULL, &ex)) != ERR_OK)
					return err;
				if (ex != 0)
					return obj_same(st, ex, o->hash, res,
					    da_out);
			}
		}
		if (err != ERR_OK)
			return err;
	}
	if ((err = stmt_get(st, S_OBJ_INSERT, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, da)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, coll_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 3, o->stix_id, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 4, o->type, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 5, version)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 6, party_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 7, is_first)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 8, is_last)) != SQLITE_OK ||
	    (rc = sqlite3_bind_blob(s, 9, o->hash, STORE_SHA256_BYTES,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 10, o->tlp)) != SQLITE_OK ||
	    (rc = bind_blob_or_null(s, 11, o->labels, o->labels_len)) !=
	    SQLITE_OK ||
	    (rc = bind_blob_or_null(s, 12, o->producer, 32)) != SQLITE_OK ||
	    (rc = bind_blob_or_null(s, 13, o->sender, 32)) != SQLITE_OK ||
	    (rc = o->under != NULL ? sqlite3_bind_text(s, 14, o->under, -1,
	    SQLITE_STATIC) : sqlite3_bind_null(s, 14)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 15, o->json, (int)o->json_len,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = db_step(st, s)) != SQLITE_DONE) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	*last = da;
	*res = STORE_PUT_ADDED;
	*da_out = da;
out:
	stmt_done(s);
	return err;
}

/*
 * Check a TLP level and a label list as store.h defines them: tlp
 * 0..STORE_TLP_MAX; labels NULL with labels_len 0, or 1 to
 * STORE_LABELS_MAX bytes ending in a NUL.  ERR_INVALID otherwise.
 */
static enum err
check_meta(int tlp, const char *labels, size_t labels_len)
{
	if (tlp < 0 || tlp > STORE_TLP_MAX)
		return ERR_INVALID;
	if (labels == NULL)
		return labels_len == 0 ? ERR_OK : ERR_INVALID;
	if (labels_len == 0 || labels_len > STORE_LABELS_MAX ||
	    labels[labels_len - 1] != '\0')
		return ERR_INVALID;
	return ERR_OK;
}

/* Check one input object: strings present and within their limits. */
static enum err
check_obj(const struct store_obj_in *o)
{
	enum err err;

	if ((err = check_str(o->stix_id, LIM_STIX_ID, 0)) != ERR_OK ||
	    (err = check_str(o->type, LIM_STIX_TYPE, 0)) != ERR_OK)
		return err;
	if (o->json == NULL || o->json_len == 0)
		return ERR_INVALID;
	if (o->json_len > LIM_OBJECT_BYTES)
		return ERR_TOOBIG;
	if ((err = check_meta(o->tlp, o->labels, o->labels_len)) != ERR_OK)
		return err;
	if (o->under != NULL &&
	    (err = check_str(o->under, STORE_AGREEMENT_ID_MAX, 0)) != ERR_OK)
		return err;
	return ERR_OK;
}

/* Add object versions in one transaction.  See store.h. */
enum err
store_put_objects(struct store *st, int64_t coll_id, int64_t party_id,
    const struct store_obj_in *objs, size_t n,
    enum store_put_result *results, int64_t *date_added_out)
{
	sqlite3_stmt *s;
	int64_t last, da, added = 0;
	enum err err;
	int own, rc;

	if (n == 0)
		return ERR_OK;
	if (objs == NULL || results == NULL)
		return ERR_INVALID;
	for (size_t i = 0; i < n; i++)
		if ((err = check_obj(&objs[i])) != ERR_OK)
			return err;
	if ((err = txn_open(st, 1, &own, __func__)) != ERR_OK)
		return err;
	/* Other connections may have added since: re-read under the lock. */
	if ((err = read_hwm(st, &last, __func__)) != ERR_OK)
		goto out;
	if (last < st->last_added)
		last = st->last_added;
	for (size_t i = 0; i < n; i++) {
		if ((err = put_one(st, coll_id, party_id, &objs[i], &last,
		    &results[i], &da)) != ERR_OK)
			goto out;
		if (date_added_out != NULL)
			date_added_out[i] = da;
		if (results[i] == STORE_PUT_ADDED)
			added++;
	}
	if (added > 0) {
		if ((err = stmt_get(st, S_COLL_COUNT_ADD, __func__, &s)) !=
		    ERR_OK)
			goto out;
		if ((rc = sqlite3_bind_int64(s, 1, coll_id)) != SQLITE_OK ||
		    (rc = sqlite3_bind_int64(s, 2, added)) != SQLITE_OK ||
		    (rc = db_step(st, s)) != SQLITE_DONE)
			err = db_fail(st, __func__, rc);
		stmt_done(s);
	}
out:
	err = txn_close(st, own, err, __func__);
	if (err == ERR_OK && last > st->last_added)
		st->last_added = last;
	return err;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sort v[n] and drop repeats; returns the new count.  Can't fail. */
static size_t
uniq_i64(int64_t *v, size_t n)
{
	size_t m = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_i64);
	for (size_t i = 1; i < n; i++)
		if (v[i] != v[m])
			v[++m] = v[i];
	return m + 1;
}

/* Sort the string pointers v[n] and drop repeats.  Can't fail. */
static size_t
uniq_str(const char **v, size_t n)
{
	size_t m = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i], v[m]) != 0)
			v[++m] = v[i];
	return m + 1;
}

/*
 * Does a version match a selector set?  flags are already normalized (0
 * with no versions means LAST); vers[n] is sorted.
 */
static int
ver_match(unsigned flags, const int64_t *vers, size_t n, int64_t version,
    int is_first, int is_last)
{
	if (flags & STORE_VER_ALL)
		return 1;
	if ((flags & STORE_VER_LAST) && is_last)
		return 1;
	if ((flags & STORE_VER_FIRST) && is_first)
		return 1;
	return n > 0 && bsearch(&version, vers, n, sizeof(*vers),
	    cmp_i64) != NULL;
}

/* Check selectors and copy the exact versions, sorted and unique. */
static enum err
ver_prepare(unsigned *flags, const int64_t *versions, size_t n_versions,
    int64_t **vers_out, size_t *n_out)
{
	int64_t *v = NULL;

	*vers_out = NULL;
	*n_out = 0;
	if (*flags & ~(unsigned)(STORE_VER_LAST | STORE_VER_FIRST |
	    STORE_VER_ALL))
		return ERR_INVALID;
	if (n_versions > LIM_MATCH_VALUES)
		return ERR_TOOBIG;
	if (n_versions > 0 && versions == NULL)
		return ERR_INVALID;
	if (*flags == 0 && n_versions == 0)
		*flags = STORE_VER_LAST;
	if (*flags & STORE_VER_ALL)
		return ERR_OK;		/* the others are redundant */
	if (n_versions > 0) {
		if ((v = malloc(n_versions * sizeof(*v))) == NULL)
			return ERR_NOMEM;
		memcpy(v, versions, n_versions * sizeof(*v));
		*n_out = uniq_i64(v, n_versions);
	}
	*vers_out = v;
	return ERR_OK;
}

/*
 * Fetch the next chunk of a stream: up to s->chunk dates added after
 * s->pos from its index range.  The chunk doubles each time, up to max.
 */
static enum err
stream_fill(struct store *st, int64_t coll_id, struct stream *s, size_t max)
{
	sqlite3_stmt *q;
	int64_t *p;
	enum err err;
	int rc;

	s->n = 0;
	s->i = 0;
	if (s->done)
		return ERR_OK;
	if (s->cap < s->chunk) {
		if ((p = realloc(s->buf, s->chunk * sizeof(*p))) == NULL)
			return ERR_NOMEM;
		s->buf = p;
		s->cap = s->chunk;
	}
	if ((err = stmt_get(st, s->sid, __func__, &q)) != ERR_OK)
		return err;
	rc = sqlite3_bind_int64(q, 1, coll_id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(q, 2, s->pos);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(q, 3, (sqlite3_int64)s->chunk);
	if (rc == SQLITE_OK && s->type != NULL)
		rc = sqlite3_bind_text(q, 4, s->type, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && (s->sid == S_Q_VER || s->sid == S_Q_VER_T))
		rc = sqlite3_bind_int64(q, 5, s->version);
	if (rc == SQLITE_OK && (s->sid == S_Q_SEL || s->sid == S_Q_SEL_T) &&
	    (rc = sqlite3_bind_int(q, 6, s->is_last)) == SQLITE_OK)
		rc = sqlite3_bind_int(q, 7, s->is_first);
	if (rc != SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	while (s->n < s->chunk && (rc = db_step(st, q)) == SQLITE_ROW)
		s->buf[s->n++] = sqlite3_column_int64(q, 0);
	if (s->n < s->chunk && rc != SQLITE_DONE) {
		err = db_fail(st, __func__, rc);
		s->n = 0;
		goto out;
	}
	if (s->n < s->chunk)
		s->done = 1;
	if (s->n > 0)
		s->pos = s->buf[s->n - 1];
	s->chunk = s->chunk > max / 2 ? max : s->chunk * 2;
out:
	stmt_done(q);
	return err;
}

/* Min-heap of stream indices ordered by each stream's next date. */
static int
heap_less(const struct stream *ss, size_t a, size_t b)
{
	return ss[a].buf[ss[a].i] < ss[b].buf[ss[b].i];
}

static void
heap_down(const struct stream *ss, size_t *h, size_t n, size_t i)
{
	size_t l, m, t;

	for (;;) {
		l = 2 * i + 1;
		if (l >= n)
			return;
		m = l;
		if (l + 1 < n && heap_less(ss, h[l + 1], h[l]))
			m = l + 1;
		if (!heap_less(ss, h[m], h[i]))
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/*
 * k-way merge of the index ranges of q: the first `want` distinct dates
 * added in order, into out[] (*n_out of them).  Each stream is read a
 * chunk at a time, so the work is O(k log n + want) index entries.
 */
static enum err
query_streams(struct store *st, const struct store_query *q, unsigned flags,
    const int64_t *vers, size_t n_vers, const char **types, size_t n_types,
    size_t want, int64_t *out, size_t *n_out)
{
	struct stream *ss = NULL;
	size_t *heap = NULL, n_sel, n_ss, n_heap = 0, n = 0, t, chunk, k;
	unsigned pairs;
	int64_t v, prev = 0;
	enum err err = ERR_OK;

	*n_out = 0;
	/* Bit 2 * is_last + is_first: which (is_last, is_first) ranges. */
	if (flags & STORE_VER_ALL) {
		pairs = 0xf;
		n_vers = 0;	/* every version is already in */
	} else {
		pairs = ((flags & STORE_VER_LAST) ? 0xc : 0) |
		    ((flags & STORE_VER_FIRST) ? 0xa : 0);
	}
	n_sel = n_vers;
	for (unsigned p = 0; p < 4; p++)
		n_sel += (pairs >> p) & 1;
	t = n_types > 0 ? n_types : 1;
	n_ss = n_sel * t;	/* <= (4 + LIM_MATCH_VALUES)^2: no overflow */
	if (n_ss == 0)
		return ERR_OK;
	ss = calloc(n_ss, sizeof(*ss));
	heap = calloc(n_ss, sizeof(*heap));
	if (ss == NULL || heap == NULL) {
		err = ERR_NOMEM;
		goto out;
	}
	chunk = (want + n_ss - 1) / n_ss;
	if (chunk < STORE_CHUNK_MIN)
		chunk = STORE_CHUNK_MIN;
	if (chunk > want)
		chunk = want;
	k = 0;
	for (unsigned p = 0; p < 4; p++) {
		if (!(pairs & (1u << p)))
			continue;
		for (size_t j = 0; j < t; j++, k++) {
			ss[k].sid = n_types > 0 ? S_Q_SEL_T : S_Q_SEL;
			ss[k].type = n_types > 0 ? types[j] : NULL;
			ss[k].is_last = (p >> 1) & 1;
			ss[k].is_first = p & 1;
		}
	}
	for (size_t i = 0; i < n_vers; i++) {
		for (size_t j = 0; j < t; j++, k++) {
			ss[k].sid = n_types > 0 ? S_Q_VER_T : S_Q_VER;
			ss[k].type = n_types > 0 ? types[j] : NULL;
			ss[k].version = vers[i];
		}
	}
	for (size_t i = 0; i < n_ss; i++) {
		ss[i].pos = q->after;
		ss[i].chunk = chunk;
	}
	for (size_t i = 0; i < n_ss; i++) {
		if ((err = stream_fill(st, q->coll_id, &ss[i], want)) !=
		    ERR_OK)
			goto out;
		if (ss[i].n > 0)
			heap[n_heap++] = i;
	}
	for (size_t i = n_heap / 2; i-- > 0; )
		heap_down(ss, heap, n_heap, i);
	while (n_heap > 0 && n < want) {
		struct stream *s = &ss[heap[0]];

		v = s->buf[s->i++];
		/* One row can be in several streams (first and last). */
		if (n == 0 || v != prev)
			out[n++] = prev = v;
		if (s->i == s->n) {
			if ((err = stream_fill(st, q->coll_id, s, want)) !=
			    ERR_OK)
				goto out;
			if (s->n == 0)
				heap[0] = heap[--n_heap];
		}
		heap_down(ss, heap, n_heap, 0);
	}
	*n_out = n;
out:
	if (ss != NULL)
		for (size_t i = 0; i < n_ss; i++)
			free(ss[i].buf);
	free(ss);
	free(heap);
	return err;
}

/*
 * The match[id] plan: read every version of each id through objects_id,
 * filter in C, sort by date added, keep the first `want`.
 */
static enum err
query_ids(struct store *st, const struct store_query *q, unsigned flags,
    const int64_t *vers, size_t n_vers, const char **types, size_t n_types,
    const char **ids, size_t n_ids, size_t want, int64_t *out,
    size_t *n_out)
{
	sqlite3_stmt *s = NULL;
	int64_t *cand = NULL, *p, da, version;
	size_t n = 0, cap = 0;
	const char *type;
	enum err err;
	int rc, ok;

	*n_out = 0;
	if ((err = stmt_get(st, S_OBJ_VERSIONS, __func__, &s)) != ERR_OK)
		return err;
	for (size_t i = 0; i < n_ids; i++) {
		if ((rc = sqlite3_bind_int64(s, 1, q->coll_id)) != SQLITE_OK ||
		    (rc = sqlite3_bind_text(s, 2, ids[i], -1,
		    SQLITE_STATIC)) != SQLITE_OK) {
			err = db_fail(st, __func__, rc);
			goto out;
		}
		while ((rc = db_step(st, s)) == SQLITE_ROW) {
			da = sqlite3_column_int64(s, 0);
			version = sqlite3_column_int64(s, 1);
			if (da <= q->after || !ver_match(flags, vers, n_vers,
			    version, sqlite3_column_int(s, 3),
			    sqlite3_column_int(s, 4)))
				continue;
			if (n_types > 0) {
				type = (const char *)sqlite3_column_text(s, 2);
				if (type == NULL) {
					err = ERR_NOMEM;
					goto out;
				}
				ok = bsearch(&type, types, n_types,
				    sizeof(*types), cmp_str) != NULL;
				if (!ok)
					continue;
			}
			if (n == cap) {
				cap = cap == 0 ? 64 : cap * 2;
				if (cap > SIZE_MAX / sizeof(*cand)) {
					err = ERR_NOMEM;
					goto out;
				}
				p = realloc(cand, cap * sizeof(*cand));
				if (p == NULL) {
					err = ERR_NOMEM;
					goto out;
				}
				cand = p;
			}
			cand[n++] = da;
		}
		if (rc != SQLITE_DONE) {
			err = db_fail(st, __func__, rc);
			goto out;
		}
		stmt_done(s);
	}
	n = uniq_i64(cand, n);
	if (n > want)
		n = want;
	if (n > 0)
		memcpy(out, cand, n * sizeof(*out));
	*n_out = n;
out:
	stmt_done(s);
	free(cand);
	return err;
}

/*
 * The strings of one page row, kept as offsets into the page's buffer
 * until it stops moving (OFF_NONE: NULL).  Columns of S_ROW / S_ROW_JSON.
 */
enum { OFF_ID, OFF_TYPE, OFF_LABELS, OFF_UNDER, OFF_JSON, N_OFF };
#define OFF_NONE	SIZE_MAX
enum {
	RC_VERSION, RC_STIX_ID, RC_COLL_ID, RC_TYPE, RC_TLP, RC_LABELS,
	RC_PRODUCER, RC_SENDER, RC_UNDER, RC_HASH, RC_PARTY_ID, RC_JSON
};
/* String bytes one row may add besides its JSON (each with a NUL). */
#define ROW_STR_MAX	(LIM_STIX_ID + 1 + LIM_STIX_TYPE + 1 + \
			 STORE_LABELS_MAX + STORE_AGREEMENT_ID_MAX + 1)

/*
 * Append column col of s (TEXT with its NUL, or a BLOB) to b and put its
 * offset in *off, or OFF_NONE for NULL when nullable.  ERR_DB for a
 * stored value longer than max bytes or an unexpected NULL or empty
 * blob.  *len_out gets its length without the NUL.
 */
static enum err
col_page(sqlite3_stmt *s, int col, size_t max, int text, int nullable,
    struct buf *b, size_t *off, size_t *len_out, const char *func)
{
	const void *p;
	int n;

	*off = OFF_NONE;
	*len_out = 0;
	if (sqlite3_column_type(s, col) == SQLITE_NULL) {
		if (nullable)
			return ERR_OK;
		log_err("%s: NULL in column %d", func, col);
		return ERR_DB;
	}
	p = text ? (const void *)sqlite3_column_text(s, col) :
	    sqlite3_column_blob(s, col);
	n = sqlite3_column_bytes(s, col);
	if (p == NULL || n < 0)
		return text ? ERR_NOMEM : ERR_DB;
	if ((size_t)n > max || (!text && n == 0)) {
		log_err("%s: stored value of %d bytes in column %d", func, n,
		    col);
		return ERR_DB;
	}
	*off = b->len;
	*len_out = (size_t)n;
	return buf_add(b, p, (size_t)n + (text ? 1 : 0));
}

/* Copy a nullable 32-byte key column into out; *has says whether set. */
static enum err
col_key(sqlite3_stmt *s, int col, uint8_t out[32], int *has,
    const char *func)
{
	*has = 0;
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return ERR_OK;
	*has = 1;
	return col_blob(s, col, out, 32, func);
}

/*
 * Read the row s is on (ROW_COLS; then hash, party_id and json with
 * want_json) into *r, appending its strings to b and their offsets to
 * off[N_OFF].  r->date_added is left to the caller.
 */
static enum err
row_read(sqlite3_stmt *s, int want_json, struct store_row *r,
    struct buf *b, size_t off[N_OFF], const char *func)
{
	size_t len;
	enum err err;

	memset(r, 0, sizeof(*r));
	off[OFF_JSON] = OFF_NONE;
	r->version = sqlite3_column_int64(s, RC_VERSION);
	r->coll_id = sqlite3_column_int64(s, RC_COLL_ID);
	r->tlp = sqlite3_column_int(s, RC_TLP);
	if ((err = col_page(s, RC_STIX_ID, LIM_STIX_ID, 1, 0, b,
	    &off[OFF_ID], &len, func)) != ERR_OK ||
	    (err = col_page(s, RC_TYPE, LIM_STIX_TYPE, 1, 0, b,
	    &off[OFF_TYPE], &len, func)) != ERR_OK ||
	    (err = col_page(s, RC_LABELS, STORE_LABELS_MAX, 0, 1, b,
	    &off[OFF_LABELS], &r->labels_len, func)) != ERR_OK ||
	    (err = col_page(s, RC_UNDER, STORE_AGREEMENT_ID_MAX, 1, 1, b,
	    &off[OFF_UNDER], &len, func)) != ERR_OK ||
	    (err = col_key(s, RC_PRODUCER, r->producer, &r->has_producer,
	    func)) != ERR_OK ||
	    (err = col_key(s, RC_SENDER, r->sender, &r->has_sender,
	    func)) != ERR_OK)
		return err;
	if (!want_json)
		return ERR_OK;
	r->party_id = sqlite3_column_int64(s, RC_PARTY_ID);
	if ((err = col_blob(s, RC_HASH, r->hash, sizeof(r->hash), func)) !=
	    ERR_OK)
		return err;
	return col_page(s, RC_JSON, SIZE_MAX, 1, 0, b, &off[OFF_JSON],
	    &r->json_len, func);
}

/* The string at offset o of base, or NULL for OFF_NONE. */
static const char *
off_ptr(const char *base, size_t o)
{
	return o == OFF_NONE ? NULL : base + o;
}

/*
 * Fill page with the rows dated dates[0..n), at most limit of them and at
 * most STORE_PAGE_JSON_MAX bytes of JSON (but at least one row); more is
 * set when a row was left out.  One allocation holds the row array
 * followed by the strings.
 */
static enum err
page_fill(struct store *st, const int64_t *dates, size_t n, size_t limit,
    int want_json, struct store_page *page)
{
	struct store_row r;
	struct buf b;
	sqlite3_stmt *s = NULL;
	size_t *off = NULL, m, rows_bytes, json_total = 0, k = 0, jsn;
	enum err err;
	int rc;

	m = n < limit ? n : limit;
	page->more = n > limit;
	if (m == 0)
		return ERR_OK;
	/* m <= LIM_PAGE_MAX: no overflow. */
	rows_bytes = m * sizeof(struct store_row);
	buf_init(&b, rows_bytes + STORE_PAGE_JSON_MAX + LIM_OBJECT_BYTES +
	    m * ROW_STR_MAX);
	if ((off = calloc(m, N_OFF * sizeof(*off))) == NULL)
		return ERR_NOMEM;
	if ((err = buf_reserve(&b, rows_bytes)) != ERR_OK)
		goto out;
	memset(b.ptr, 0, rows_bytes);
	b.len = rows_bytes;
	if ((err = stmt_get(st, want_json ? S_ROW_JSON : S_ROW, __func__,
	    &s)) != ERR_OK)
		goto out;
	for (k = 0; k < m; k++) {
		if ((rc = sqlite3_bind_int64(s, 1, dates[k])) != SQLITE_OK ||
		    (rc = db_step(st, s)) != SQLITE_ROW) {
			if (rc == SQLITE_DONE) {
				log_err("%s: row %lld vanished", __func__,
				    (long long)dates[k]);
				err = ERR_DB;
			} else {
				err = db_fail(st, __func__, rc);
			}
			goto out;
		}
		if (want_json) {
			jsn = (size_t)sqlite3_column_bytes(s, RC_JSON);
			if (k > 0 && jsn > STORE_PAGE_JSON_MAX - json_total) {
				page->more = 1;
				break;
			}
			json_total += jsn;
		}
		if ((err = row_read(s, want_json, &r, &b, off + N_OFF * k,
		    __func__)) != ERR_OK)
			goto out;
		r.date_added = dates[k];
		/* The buffer is malloc'd: suitably aligned for the rows. */
		memcpy(b.ptr + k * sizeof(r), &r, sizeof(r));
		stmt_done(s);
	}
	/* The buffer no longer moves: turn offsets into pointers. */
	for (size_t i = 0; i < k; i++) {
		struct store_row *rp = (struct store_row *)(void *)b.ptr + i;
		const size_t *o = off + N_OFF * i;

		rp->stix_id = off_ptr(b.ptr, o[OFF_ID]);
		rp->type = off_ptr(b.ptr, o[OFF_TYPE]);
		rp->labels = off_ptr(b.ptr, o[OFF_LABELS]);
		rp->under = off_ptr(b.ptr, o[OFF_UNDER]);
		rp->json = off_ptr(b.ptr, o[OFF_JSON]);
	}
	page->rows = (struct store_row *)(void *)b.ptr;
	page->n = k;
	page->mem_ = b.ptr;
	b.ptr = NULL;
out:
	stmt_done(s);
	buf_reset(&b);
	free(off);
	return err;
}

/* Run a query.  See store.h and STORE.md for the plans. */
enum err
store_query_objects(struct store *st, const struct store_query *q,
    struct store_page *page)
{
	const char **types = NULL, **ids = NULL;
	int64_t *vers = NULL, *dates = NULL;
	size_t n_vers = 0, n_types = 0, n_ids = 0, n_dates = 0;
	unsigned flags;
	enum err err;
	int own = 0, in_txn = 0;

	memset(page, 0, sizeof(*page));
	if (q == NULL)
		return ERR_INVALID;
	if (q->limit < 1 || q->limit > LIM_PAGE_MAX)
		return ERR_RANGE;
	if (q->n_types > LIM_MATCH_VALUES || q->n_ids > LIM_MATCH_VALUES)
		return ERR_TOOBIG;
	if ((q->n_types > 0 && q->types == NULL) ||
	    (q->n_ids > 0 && q->ids == NULL))
		return ERR_INVALID;
	flags = q->ver_flags;
	if ((err = ver_prepare(&flags, q->versions, q->n_versions, &vers,
	    &n_vers)) != ERR_OK)
		return err;
	if (q->n_types > 0) {
		if ((types = calloc(q->n_types, sizeof(*types))) == NULL) {
			err = ERR_NOMEM;
			goto out;
		}
		for (size_t i = 0; i < q->n_types; i++)
			if ((types[n_types++] = q->types[i]) == NULL) {
				err = ERR_INVALID;
				goto out;
			}
		n_types = uniq_str(types, n_types);
	}
	if (q->n_ids > 0) {
		if ((ids = calloc(q->n_ids, sizeof(*ids))) == NULL) {
			err = ERR_NOMEM;
			goto out;
		}
		for (size_t i = 0; i < q->n_ids; i++)
			if ((ids[n_ids++] = q->ids[i]) == NULL) {
				err = ERR_INVALID;
				goto out;
			}
		n_ids = uniq_str(ids, n_ids);
	}
	if ((dates = calloc(q->limit + 1, sizeof(*dates))) == NULL) {
		err = ERR_NOMEM;
		goto out;
	}
	/* One read transaction: both phases see the same snapshot. */
	if ((err = txn_open(st, 0, &own, __func__)) != ERR_OK)
		goto out;
	in_txn = 1;
	if (n_ids > 0)
		err = query_ids(st, q, flags, vers, n_vers, types, n_types,
		    ids, n_ids, q->limit + 1, dates, &n_dates);
	else
		err = query_streams(st, q, flags, vers, n_vers, types,
		    n_types, q->limit + 1, dates, &n_dates);
	if (err == ERR_OK)
		err = page_fill(st, dates, n_dates, q->limit, q->want_json,
		    page);
out:
	if (in_txn)
		err = txn_close(st, own, err, __func__);
	if (err != ERR_OK)
		store_page_free(page);
	free(dates);
	free(ids);
	free(types);
	free(vers);
	return err;
}

/* Free a page's storage and zero it.  Safe on a zeroed page. */
void
store_page_free(struct store_page *page)
{
	if (page == NULL)
		return;
	free(page->mem_);
	memset(page, 0, sizeof(*page));
}

/* Read all versions of (coll_id, stix_id) into a new array *out. */
static enum err
obj_versions(struct store *st, int64_t coll_id, const char *stix_id,
    struct vrow **out, size_t *n_out)
{
	sqlite3_stmt *s;
	struct vrow *v = NULL, *p;
	size_t n = 0, cap = 0;
	enum err err;
	int rc;

	*out = NULL;
	*n_out = 0;
	if ((err = stmt_get(st, S_OBJ_VERSIONS, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, coll_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 2, stix_id, -1, SQLITE_STATIC)) !=
	    SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	while ((rc = db_step(st, s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			if (cap > SIZE_MAX / sizeof(*v) ||
			    (p = realloc(v, cap * sizeof(*v))) == NULL) {
				err = ERR_NOMEM;
				goto out;
			}
			v = p;
		}
		v[n].date_added = sqlite3_column_int64(s, 0);
		v[n].version = sqlite3_column_int64(s, 1);
		v[n].is_first = sqlite3_column_int(s, 3) != 0;
		v[n].is_last = sqlite3_column_int(s, 4) != 0;
		v[n].match = 0;
		n++;
	}
	if (rc != SQLITE_DONE) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	*out = v;
	*n_out = n;
	v = NULL;
out:
	stmt_done(s);
	free(v);
	return err;
}

/*
 * Record the highest date added in seq before rows are deleted, so that a
 * date is never handed out twice even when the newest row goes.
 */
static enum err
hwm_save(struct store *st, const char *func)
{
	sqlite3_stmt *s;
	int64_t hwm;
	enum err err;
	int rc;

	if ((err = read_hwm(st, &hwm, func)) != ERR_OK)
		return err;
	if ((err = stmt_get(st, S_SEQ_SET, func, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, hwm)) != SQLITE_OK ||
	    (rc = db_step(st, s)) != SQLITE_DONE)
		err = db_fail(st, func, rc);
	stmt_done(s);
	return err;
}

/*
 * Delete the versions marked (match) in v[n], all the versions of one id
 * in coll_id as obj_versions read them, then re-mark the first and last
 * survivors and decrease the collection's count.  Runs inside the
 * caller's write transaction, after hwm_save.  *gone gets how many went.
 */
static enum err
del_marked(struct store *st, int64_t coll_id, const struct vrow *v,
    size_t n, size_t *gone, const char *func)
{
	sqlite3_stmt *s;
	int64_t lo = 0, hi = 0;
	size_t g = 0, left = 0;
	enum err err = ERR_OK;
	int rc, f, l;

	*gone = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].match) {
			g++;
		} else {
			if (left == 0 || v[i].version < lo)
				lo = v[i].version;
			if (left == 0 || v[i].version > hi)
				hi = v[i].version;
			left++;
		}
	}
	if (g == 0)
		return ERR_OK;
	for (size_t i = 0; i < n && err == ERR_OK; i++) {
		if (!v[i].match)
			continue;
		if ((err = stmt_get(st, S_OBJ_DELETE, func, &s)) != ERR_OK)
			return err;
		if ((rc = sqlite3_bind_int64(s, 1, v[i].date_added)) !=
		    SQLITE_OK || (rc = db_step(st, s)) != SQLITE_DONE)
			err = db_fail(st, func, rc);
		stmt_done(s);
	}
	/* Versions are unique per id, so lo and hi name one row each. */
	for (size_t i = 0; i < n && err == ERR_OK; i++) {
		if (v[i].match)
			continue;
		f = v[i].version == lo;
		l = v[i].version == hi;
		if (f != v[i].is_first || l != v[i].is_last)
			err = obj_flags(st, S_OBJ_SET_FLAGS, v[i].date_added,
			    f, l);
	}
	if (err != ERR_OK)
		return err;
	if ((err = stmt_get(st, S_COLL_COUNT_ADD, func, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, coll_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, -(int64_t)g)) != SQLITE_OK ||
	    (rc = db_step(st, s)) != SQLITE_DONE)
		err = db_fail(st, func, rc);
	stmt_done(s);
	if (err == ERR_OK)
		*gone = g;
	return err;
}

/*
 * Delete selected versions of one id.  See store.h.  Remembers the highest
 * date_added in seq first, so a date is never handed out twice even when
 * the newest row goes; then re-marks the first and last survivors.
 */
enum err
store_delete_object(struct store *st, int64_t coll_id, const char *stix_id,
    unsigned ver_flags, const int64_t *versions, size_t n_versions,
    size_t *n_deleted)
{
	struct vrow *v = NULL;
	int64_t *vers = NULL;
	size_t n = 0, n_vers = 0, gone = 0, sel = 0;
	unsigned flags = ver_flags;
	enum err err;
	int own = 0, in_txn = 0;

	if (n_deleted != NULL)
		*n_deleted = 0;
	if ((err = check_str(stix_id, LIM_STIX_ID, 0)) != ERR_OK)
		return err;
	if ((err = ver_prepare(&flags, versions, n_versions, &vers,
	    &n_vers)) != ERR_OK)
		return err;
	if ((err = txn_open(st, 1, &own, __func__)) != ERR_OK)
		goto out;
	in_txn = 1;
	if ((err = obj_versions(st, coll_id, stix_id, &v, &n)) != ERR_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		v[i].match = ver_match(flags, vers, n_vers, v[i].version,
		    v[i].is_first, v[i].is_last);
		sel += v[i].match != 0;
	}
	if (sel == 0)
		goto out;
	if ((err = hwm_save(st, __func__)) != ERR_OK)
		goto out;
	err = del_marked(st, coll_id, v, n, &gone, __func__);
out:
	if (in_txn)
		err = txn_close(st, own, err, __func__);
	if (err == ERR_OK && n_deleted != NULL)
		*n_deleted = gone;
	free(v);
	free(vers);
	return err;
}

/*
 * Retention.  See store.h.  The rows to delete are read first through
 * objects_under (at most max dates, oldest first); then, for each id they
 * belong to, every version of that id is read and the selected ones are
 * deleted exactly as store_delete_object deletes (del_marked), so the
 * flags of the survivors and the counts stay right.  One transaction.
 */
enum err
store_purge_received(struct store *st, const char *under, int64_t cutoff,
    size_t max, size_t *n_deleted)
{
	char id[LIM_STIX_ID + 1];
	struct vrow *v = NULL;
	sqlite3_stmt *s;
	int64_t *cand = NULL, *p, coll_id = 0;
	size_t n_cand = 0, cap = 0, n, gone, total = 0;
	enum err err;
	int own = 0, in_txn = 0, rc;

	if (n_deleted != NULL)
		*n_deleted = 0;
	if ((err = check_str(under, STORE_AGREEMENT_ID_MAX, 0)) != ERR_OK)
		return err;
	if (max == 0)
		return ERR_OK;
	if ((err = txn_open(st, 1, &own, __func__)) != ERR_OK)
		return err;
	in_txn = 1;
	if ((err = stmt_get(st, S_OBJ_UNDER, __func__, &s)) != ERR_OK)
		goto out;
	if ((rc = sqlite3_bind_text(s, 1, under, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, cutoff)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, max > INT64_MAX ? INT64_MAX :
	    (int64_t)max)) != SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		stmt_done(s);
		goto out;
	}
	while ((rc = db_step(st, s)) == SQLITE_ROW) {
		if (n_cand == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if (cap > SIZE_MAX / sizeof(*cand) ||
			    (p = realloc(cand, cap * sizeof(*cand))) == NULL) {
				err = ERR_NOMEM;
				break;
			}
			cand = p;
		}
		cand[n_cand++] = sqlite3_column_int64(s, 0);
	}
	if (err == ERR_OK && rc != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	stmt_done(s);
	if (err != ERR_OK || n_cand == 0)
		goto out;
	/* cand is in date order: sorted for bsearch. */
	if ((err = hwm_save(st, __func__)) != ERR_OK)
		goto out;
	for (size_t i = 0; i < n_cand; i++) {
		if ((err = stmt_get(st, S_OBJ_KEY, __func__, &s)) != ERR_OK)
			goto out;
		if ((rc = sqlite3_bind_int64(s, 1, cand[i])) != SQLITE_OK) {
			err = db_fail(st, __func__, rc);
			stmt_done(s);
			goto out;
		}
		rc = db_step(st, s);
		if (rc == SQLITE_ROW) {
			coll_id = sqlite3_column_int64(s, 0);
			err = col_text(st, s, 1, id, sizeof(id), __func__);
		} else if (rc != SQLITE_DONE) {
			err = db_fail(st, __func__, rc);
		}
		stmt_done(s);
		if (err != ERR_OK)
			goto out;
		if (rc == SQLITE_DONE)
			continue;	/* went with an earlier version */
		if ((err = obj_versions(st, coll_id, id, &v, &n)) != ERR_OK)
			goto out;
		for (size_t j = 0; j < n; j++)
			v[j].match = bsearch(&v[j].date_added, cand, n_cand,
			    sizeof(*cand), cmp_i64) != NULL;
		err = del_marked(st, coll_id, v, n, &gone, __func__);
		free(v);
		v = NULL;
		if (err != ERR_OK)
			goto out;
		total += gone;
	}
out:
	if (in_txn)
		err = txn_close(st, own, err, __func__);
	if (err == ERR_OK && n_deleted != NULL)
		*n_deleted = total;
	free(cand);
	return err;
}

/*
 * Collect into dates[cap + 1] the non-NULL first columns of statement s
 * (bound by the caller), at most cap + 1 of them: *n_out gets how many.
 * Resets s.
 */
static enum err
collect_dates(struct store *st, sqlite3_stmt *s, int64_t *dates,
    size_t cap, size_t *n_out, const char *func)
{
	enum err err = ERR_OK;
	size_t n = 0;
	int rc;

	while (n <= cap && (rc = db_step(st, s)) == SQLITE_ROW)
		if (sqlite3_column_type(s, 0) != SQLITE_NULL)
			dates[n++] = sqlite3_column_int64(s, 0);
	if (n <= cap && rc != SQLITE_DONE)
		err = db_fail(st, func, rc);
	stmt_done(s);
	*n_out = err == ERR_OK ? n : 0;
	return err;
}

/*
 * Run statement id with ?1 = text, or int64 i1 when text is NULL, and
 * with has_limit ?2 = cap + 1, inside one read transaction; fill page
 * with the rows of the first cap dates it returns (more set past cap).
 * cap 0 is ERR_RANGE; above LIM_PAGE_MAX it is LIM_PAGE_MAX.
 */
static enum err
page_by_stmt(struct store *st, enum stmt_id id, const char *text,
    int64_t i1, int has_limit, size_t cap, int want_json,
    struct store_page *page, const char *func)
{
	sqlite3_stmt *s;
	int64_t *dates = NULL;
	size_t n = 0;
	enum err err;
	int own = 0, rc;

	if (cap == 0)
		return ERR_RANGE;
	if (cap > LIM_PAGE_MAX)
		cap = LIM_PAGE_MAX;
	if ((dates = calloc(cap + 1, sizeof(*dates))) == NULL)
		return ERR_NOMEM;
	if ((err = txn_open(st, 0, &own, func)) != ERR_OK)
		goto out;
	if ((err = stmt_get(st, id, func, &s)) == ERR_OK) {
		rc = text != NULL ? sqlite3_bind_text(s, 1, text, -1,
		    SQLITE_STATIC) : sqlite3_bind_int64(s, 1, i1);
		if (rc == SQLITE_OK && has_limit)
			rc = sqlite3_bind_int64(s, 2, (int64_t)cap + 1);
		if (rc != SQLITE_OK) {
			err = db_fail(st, func, rc);
			stmt_done(s);
		} else {
			err = collect_dates(st, s, dates, cap, &n, func);
		}
	}
	if (err == ERR_OK)
		err = page_fill(st, dates, n, cap, want_json, page);
	err = txn_close(st, own, err, func);
out:
	if (err != ERR_OK)
		store_page_free(page);
	free(dates);
	return err;
}

/* The latest version of stix_id in each collection.  See store.h. */
enum err
store_object_find(struct store *st, const char *stix_id, int want_json,
    size_t cap, struct store_page *page)
{
	enum err err;

	memset(page, 0, sizeof(*page));
	if ((err = check_str(stix_id, LIM_STIX_ID, 0)) != ERR_OK)
		return err;
	return page_by_stmt(st, S_OBJ_FIND, stix_id, 0, 0, cap, want_json,
	    page, __func__);
}

/* Rows still to backfill, with their JSON.  See store.h. */
enum err
store_obj_meta_pending(struct store *st, int64_t after, size_t cap,
    struct store_page *page)
{
	memset(page, 0, sizeof(*page));
	return page_by_stmt(st, S_OBJ_PENDING, NULL, after, 1, cap, 1, page,
	    __func__);
}

/*
 * Record the tlp and labels of the row dated date_added.  ERR_INVALID as
 * store_put_objects checks them; ERR_NOTFOUND when there is no such row.
 */
enum err
store_obj_meta_set(struct store *st, int64_t date_added, int tlp,
    const char *labels, size_t labels_len)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if ((err = check_meta(tlp, labels, labels_len)) != ERR_OK)
		return err;
	if ((err = stmt_get(st, S_OBJ_META_SET, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, date_added)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 2, tlp)) != SQLITE_OK ||
	    (rc = bind_blob_or_null(s, 3, labels, labels_len)) !=
	    SQLITE_OK || (rc = db_step(st, s)) != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	else if (sqlite3_changes(st->db) == 0)
		err = ERR_NOTFOUND;
	stmt_done(s);
	return err;
}

/* Objects in a collection, all versions.  ERR_NOTFOUND: no collection. */
enum err
store_count_objects(struct store *st, int64_t coll_id, int64_t *n_out)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if ((err = stmt_get(st, S_COLL_COUNT, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, coll_id)) != SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	rc = db_step(st, s);
	if (rc == SQLITE_ROW)
		*n_out = sqlite3_column_int64(s, 0);
	else if (rc == SQLITE_DONE)
		err = ERR_NOTFOUND;
	else
		err = db_fail(st, __func__, rc);
out:
	stmt_done(s);
	return err;
}

/* Store (insert or replace) a status.  See store.h. */
enum err
store_status_put(struct store *st, const char *uuid, int64_t party_id,
    int64_t created, const char *json, size_t len)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if (uuid == NULL || strnlen(uuid, STORE_UUID_LEN + 1) !=
	    STORE_UUID_LEN || json == NULL)
		return ERR_INVALID;
	if (len > STORE_STATUS_MAX)
		return ERR_TOOBIG;
	if ((err = stmt_get(st, S_STATUS_PUT, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, party_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, created)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 4, json, (int)len, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = db_step(st, s)) != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	stmt_done(s);
	return err;
}

/* Get a status that has not expired.  See store.h. */
enum err
store_status_get(struct store *st, const char *uuid, int64_t *party_id,
    int64_t *created, char **json_out, size_t *len_out)
{
	sqlite3_stmt *s;
	const unsigned char *t;
	char *copy;
	enum err err;
	int rc, n;

	if (json_out != NULL)
		*json_out = NULL;
	if (len_out != NULL)
		*len_out = 0;
	if (uuid == NULL)
		return ERR_INVALID;
	if ((err = stmt_get(st, S_STATUS_GET, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, ts_now_us() -
	    (int64_t)LIM_STATUS_KEEP_SECONDS * 1000000)) != SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	rc = db_step(st, s);
	if (rc == SQLITE_DONE) {
		err = ERR_NOTFOUND;
		goto out;
	} else if (rc != SQLITE_ROW) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	t = sqlite3_column_text(s, 2);
	n = sqlite3_column_bytes(s, 2);
	if (t == NULL || n < 0) {
		err = ERR_NOMEM;
		goto out;
	}
	if (json_out != NULL) {
		if ((copy = malloc((size_t)n + 1)) == NULL) {
			err = ERR_NOMEM;
			goto out;
		}
		memcpy(copy, t, (size_t)n + 1);
		*json_out = copy;
		if (len_out != NULL)
			*len_out = (size_t)n;
	}
	if (party_id != NULL)
		*party_id = sqlite3_column_int64(s, 0);
	if (created != NULL)
		*created = sqlite3_column_int64(s, 1);
out:
	stmt_done(s);
	return err;
}

/* Remove statuses created before cutoff; *n_purged says how many. */
enum err
store_status_purge(struct store *st, int64_t cutoff, size_t *n_purged)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if (n_purged != NULL)
		*n_purged = 0;
	if ((err = stmt_get(st, S_STATUS_PURGE, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, cutoff)) != SQLITE_OK ||
	    (rc = db_step(st, s)) != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	else if (n_purged != NULL)
		*n_purged = (size_t)sqlite3_changes(st->db);
	stmt_done(s);
	return err;
}

/*
 * Agreements.  See store.h.  Every change bumps seq['policy_gen'] in the
 * same transaction, so a reader that sees the new generation also sees the
 * change.
 */

/*
 * Is id "agreement--" and a lower-case UUID (docs/agreements.md)?
 * ERR_INVALID otherwise.
 */
static enum err
check_agreement_id(const char *id)
{
	static const char pfx[] = "agreement--";
	const char *u;

	if (id == NULL || strnlen(id, STORE_AGREEMENT_ID_MAX + 1) !=
	    STORE_AGREEMENT_ID_MAX || strncmp(id, pfx, sizeof(pfx) - 1) != 0)
		return ERR_INVALID;
	u = id + sizeof(pfx) - 1;
	for (size_t i = 0; i < STORE_UUID_LEN; i++) {
		char c = u[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return ERR_INVALID;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return ERR_INVALID;
		}
	}
	return ERR_OK;
}

/* Bump the policy generation (inside the caller's transaction). */
static enum err
gen_bump(struct store *st, const char *func)
{
	return stmt_exec(st, S_GEN_BUMP, func);
}

/*
 * Install a version of an agreement.  See store.h.  One upsert that
 * replaces only a lower version: no change means this or a higher version
 * is there (ERR_EXISTS).  ERR_TOOBIG for a document over
 * STORE_AGREEMENT_DOC_MAX bytes.
 */
enum err
store_agreement_put(struct store *st, const char *id, uint32_t version,
    const uint8_t hash[STORE_SHA256_BYTES], const char *doc, size_t doc_len,
    int64_t installed)
{
	sqlite3_stmt *s;
	enum err err;
	int own, rc;

	if (check_agreement_id(id) != ERR_OK || version == 0 ||
	    hash == NULL || doc == NULL || doc_len == 0)
		return ERR_INVALID;
	if (doc_len > STORE_AGREEMENT_DOC_MAX)
		return ERR_TOOBIG;
	if ((err = txn_open(st, 1, &own, __func__)) != ERR_OK)
		return err;
	if ((err = stmt_get(st, S_AGR_PUT, __func__, &s)) != ERR_OK)
		goto out;
	if ((rc = sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, (int64_t)version)) != SQLITE_OK ||
	    (rc = sqlite3_bind_blob(s, 3, hash, STORE_SHA256_BYTES,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 4, installed)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 5, doc, (int)doc_len,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = db_step(st, s)) != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	else if (sqlite3_changes(st->db) == 0)
		err = ERR_EXISTS;
	stmt_done(s);
	if (err == ERR_OK)
		err = gen_bump(st, __func__);
out:
	return txn_close(st, own, err, __func__);
}

/* A new NUL-terminated heap copy of TEXT column col, or NULL for NULL. */
static enum err
col_dup(sqlite3_stmt *s, int col, size_t max, char **out, size_t *len_out,
    const char *func)
{
	const unsigned char *t;
	int n;

	*out = NULL;
	*len_out = 0;
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return ERR_OK;
	t = sqlite3_column_text(s, col);
	n = sqlite3_column_bytes(s, col);
	if (t == NULL || n < 0)
		return ERR_NOMEM;
	if ((size_t)n > max) {
		log_err("%s: stored value of %d bytes", func, n);
		return ERR_DB;
	}
	if ((*out = malloc((size_t)n + 1)) == NULL)
		return ERR_NOMEM;
	memcpy(*out, t, (size_t)n + 1);
	*len_out = (size_t)n;
	return ERR_OK;
}

/* Read one agreements row (AGR_COLS) into *a; a is cleared on error. */
static enum err
agr_row(struct store *st, sqlite3_stmt *s, struct store_agreement *a,
    const char *func)
{
	int64_t v;
	enum err err;

	memset(a, 0, sizeof(*a));
	v = sqlite3_column_int64(s, 1);
	if (v < 1 || v > UINT32_MAX) {
		log_err("%s: stored version %lld", func, (long long)v);
		return ERR_DB;
	}
	a->version = (uint32_t)v;
	a->installed = sqlite3_column_int64(s, 3);
	a->terminated = sqlite3_column_type(s, 4) == SQLITE_NULL ?
	    INT64_MAX : sqlite3_column_int64(s, 4);
	if ((err = col_text(st, s, 0, a->id, sizeof(a->id), func)) !=
	    ERR_OK ||
	    (err = col_blob(s, 2, a->hash, sizeof(a->hash), func)) !=
	    ERR_OK ||
	    (err = col_dup(s, 5, STORE_AGREEMENT_DOC_MAX, &a->doc,
	    &a->doc_len, func)) != ERR_OK ||
	    (err = col_dup(s, 6, STORE_AGREEMENT_DOC_MAX, &a->term,
	    &a->term_len, func)) != ERR_OK) {
		store_agreement_clear(a);
		return err;
	}
	if (a->doc == NULL) {
		store_agreement_clear(a);
		return ERR_DB;
	}
	return ERR_OK;
}

/*
 * The installed agreement id.  *out is zeroed first; on success its doc
 * and term are new (store_agreement_clear).  ERR_NOTFOUND when absent.
 */
enum err
store_agreement_get(struct store *st, const char *id,
    struct store_agreement *out)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if (out == NULL)
		return ERR_INVALID;
	memset(out, 0, sizeof(*out));
	if (id == NULL)
		return ERR_INVALID;
	if ((err = stmt_get(st, S_AGR_GET, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC)) !=
	    SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	rc = db_step(st, s);
	if (rc == SQLITE_DONE)
		err = ERR_NOTFOUND;
	else if (rc != SQLITE_ROW)
		err = db_fail(st, __func__, rc);
	else
		err = agr_row(st, s, out, __func__);
out:
	stmt_done(s);
	return err;
}

/*
 * Every installed agreement ordered by id: *out is a new array of *n_out
 * (NULL, 0 when none or on error); free it with store_agreement_list_free.
 */
enum err
store_agreement_list(struct store *st, struct store_agreement **out,
    size_t *n_out)
{
	struct store_agreement *v = NULL, *p;
	sqlite3_stmt *s;
	size_t n = 0, cap = 0;
	enum err err;
	int rc;

	*out = NULL;
	*n_out = 0;
	if ((err = stmt_get(st, S_AGR_LIST, __func__, &s)) != ERR_OK)
		return err;
	while ((rc = db_step(st, s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			if (cap > SIZE_MAX / sizeof(*v) ||
			    (p = realloc(v, cap * sizeof(*v))) == NULL) {
				err = ERR_NOMEM;
				goto out;
			}
			v = p;
		}
		if ((err = agr_row(st, s, &v[n], __func__)) != ERR_OK)
			goto out;
		n++;
	}
	if (rc != SQLITE_DONE) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	*out = v;
	*n_out = n;
	v = NULL;
	n = 0;
out:
	stmt_done(s);
	store_agreement_list_free(v, n);
	return err;
}

/* Free a's heap members and zero it.  NULL does nothing.  Can't fail. */
void
store_agreement_clear(struct store_agreement *a)
{
	if (a == NULL)
		return;
	free(a->doc);
	free(a->term);
	memset(a, 0, sizeof(*a));
}

/* Free a list from store_agreement_list.  NULL does nothing. */
void
store_agreement_list_free(struct store_agreement *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		store_agreement_clear(&v[i]);
	free(v);
}

/*
 * Record a termination.  See store.h.  ERR_INVALID for an empty record
 * or time INT64_MAX (which means "none"), ERR_TOOBIG past
 * STORE_AGREEMENT_DOC_MAX bytes.
 */
enum err
store_agreement_terminate(struct store *st, const char *id,
    uint32_t version, int64_t time, const char *record, size_t record_len)
{
	sqlite3_stmt *s;
	enum err err;
	int own, rc;

	if ((err = check_str(id, STORE_AGREEMENT_ID_MAX, 0)) != ERR_OK)
		return err;
	if (record == NULL || record_len == 0 || time == INT64_MAX)
		return ERR_INVALID;
	if (record_len > STORE_AGREEMENT_DOC_MAX)
		return ERR_TOOBIG;
	if ((err = txn_open(st, 1, &own, __func__)) != ERR_OK)
		return err;
	if ((err = stmt_get(st, S_AGR_STATE, __func__, &s)) != ERR_OK)
		goto out;
	if ((rc = sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC)) !=
	    SQLITE_OK) {
		err = db_fail(st, __func__, rc);
	} else if ((rc = db_step(st, s)) == SQLITE_DONE) {
		err = ERR_NOTFOUND;
	} else if (rc != SQLITE_ROW) {
		err = db_fail(st, __func__, rc);
	} else if (sqlite3_column_int64(s, 0) != (int64_t)version) {
		err = ERR_NOTFOUND;
	} else if (sqlite3_column_int(s, 1) != 0) {
		err = ERR_EXISTS;
	}
	stmt_done(s);
	if (err != ERR_OK)
		goto out;
	if ((err = stmt_get(st, S_AGR_TERM, __func__, &s)) != ERR_OK)
		goto out;
	if ((rc = sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, (int64_t)version)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, time)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 4, record, (int)record_len,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = db_step(st, s)) != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	else if (sqlite3_changes(st->db) != 1)
		err = ERR_DB;	/* checked above in this transaction */
	stmt_done(s);
	if (err == ERR_OK)
		err = gen_bump(st, __func__);
out:
	return txn_close(st, own, err, __func__);
}

/*
 * The policy generation.  One cached statement, no allocation: servers
 * call it on every request.
 */
enum err
store_policy_gen(struct store *st, int64_t *gen_out)
{
	return stmt_int64(st, S_GEN_GET, __func__, gen_out);
}

/* Test hooks (store_sqlite_int.h). */
int
store_sqlite_schema_latest(void)
{
	return N_MIGRATIONS;
}

const char *
store_sqlite_stmt_sql(size_t i)
{
	return i < S_COUNT_ ? stmt_sql[i] : NULL;
}

const char *
store_sqlite_migration_sql(size_t i)
{
	return i < (size_t)N_MIGRATIONS ? migrations[i] : NULL;
}

sqlite3 *
store_sqlite_db(struct store *st)
{
	return st->db;
}

void
store_sqlite_clock(struct store *st, int64_t (*now)(void))
{
	st->now = now != NULL ? now : ts_now_us;
}

void
store_sqlite_fault(struct store *st, long n)
{
	st->fault = n < 0 ? -1 : n;
	st->injected = 0;
}

/*
 * Transparency log storage.  See store.h; tlog/tree.c is the only caller
 * that writes.
 */

/* Append column col (text or blob) of s to out, at most max bytes. */
static enum err
col_append(sqlite3_stmt *s, int col, size_t max, struct buf *out,
    const char *func)
{
	const void *p;
	int n;

	p = sqlite3_column_blob(s, col);
	n = sqlite3_column_bytes(s, col);
	if (n < 0 || (p == NULL && n > 0))
		return ERR_NOMEM;
	if ((size_t)n > max) {
		log_err("%s: stored value of %d bytes", func, n);
		return ERR_DB;
	}
	return n > 0 ? buf_add(out, p, (size_t)n) : ERR_OK;
}

/* Run s, which must produce no row. */
static enum err
step_done(struct store *st, sqlite3_stmt *s, const char *func)
{
	int rc;

	if ((rc = db_step(st, s)) != SQLITE_DONE)
		return db_fail(st, func, rc);
	return ERR_OK;
}

/*
 * The log's layout (schema 5; docs/internals/TLOG.md, "Storage").
 *
 * Hashes live in tiles.  Tile (t, k), row (t << 48) | k of tlog_tiles,
 * holds the nodes of levels 8t .. 8t + 7 over the nodes (8t, 256 k) ..
 * (8t, 256 k + 255): its width w nodes of level 8t, then the w / 2 of the
 * level above, and so on to the w / 128 of level 8t + 7, each level in
 * index order.  A full tile is 510 hashes whose first 256 are C2SP
 * tlog-tiles tile t/k; with the inner levels beside them a proof copies
 * hashes and never recomputes a node.  Leaf bytes live in bundles
 * (tlog_entries): a run of consecutive leaves from first, each as its
 * length (u16, big endian) and its bytes, as a C2SP entry bundle; a bundle
 * never crosses a multiple of 256 and is written once.  tlog_fps keeps the
 * first TL_FP bytes of each leaf hash, one row per level-0 tile, which is
 * what store_tlog_leaf_find scans instead of an index on random hashes.
 *
 * A connection appends in memory (struct tlog_cache): the right-edge tile
 * of each tile level and the bundle being filled.  A tile that fills up
 * and a bundle that closes are written at once; the rest is written by
 * tl_flush, which store_commit calls before COMMIT, so everything an
 * append writes is in the caller's transaction.  A rollback (or SQLite
 * ending the transaction on its own, seen as autocommit with appends
 * pending) forgets the cache.  Stored hashes never change, so the edge
 * and the few tiles last read stay valid across transactions and
 * connections: a node found in memory is the node.  The edge is checked
 * against the stored size when a transaction starts appending and read
 * again when another connection appended meanwhile.
 */
#define TL_H		STORE_TLOG_TILE_HEIGHT
#define TL_W		STORE_TLOG_TILE_WIDTH
#define TL_NODES	STORE_TLOG_TILE_HASHES
#define TL_HB		STORE_SHA256_BYTES
/* Tile levels of a tree of up to 2^48 leaves (levels 0 to 47). */
#define TL_LEVELS	((STORE_TLOG_MAX_LEVEL + TL_H) / TL_H)
/* Tiles read from the database kept per connection: a proof needs one
 * per tile level, plus the edge's. */
#define TL_READ		8
/* A bundle closes at this many bytes; the largest one written. */
#define TL_BUNDLE_MAX	(64u * 1024u)
#define TL_BUNDLE_CAP	(TL_BUNDLE_MAX + 2u + STORE_TLOG_LEAF_MAX)
/* Fingerprint bytes per leaf. */
#define TL_FP		2u
#define TL_NOKEY	UINT64_MAX
#define TL_KMASK	((UINT64_C(1) << 48) - 1)
#define TL_KEY(t, k)	(((uint64_t)(t) << 48) | (uint64_t)(k))
/* Where level d starts in a full tile: 256 + 128 + ... before it. */
#define TL_OFF(d)	(2u * TL_W - ((2u * TL_W) >> (d)))

/* One tile in memory, always in the full layout (level d at TL_OFF(d)). */
struct tl_tile {
	uint64_t	key;		/* TL_KEY(t, k); TL_NOKEY: empty */
	uint64_t	stamp;		/* last use, for eviction */
	uint16_t	n[TL_H];	/* hashes held per level */
	int		dirty;		/* newer than its row */
	uint8_t		h[TL_NODES][TL_HB];
};

struct tlog_cache {
	int		edge_ok;	/* edge[] is the log's edge at size */
	int		pending;	/* appends of this transaction unwritten */
	int		broken;		/* an append failed half way */
	uint64_t	size;
	uint64_t	clock;
	struct tl_tile	edge[TL_LEVELS];
	struct tl_tile	rd[TL_READ];
	uint8_t		scratch[TL_NODES * TL_HB];	/* a row being written */
	uint8_t		fp[TL_W * TL_FP];
	struct buf	bundle;		/* the bundle being filled */
	uint64_t	b_first;
	uint32_t	b_n;
	struct buf	last;		/* the last bundle read */
	uint64_t	l_first;
	uint32_t	l_n;
	int		l_ok;
};

/* Hashes in a tile of width w: w + w/2 + ... + w/128.  Can't fail. */
static size_t
tl_count(unsigned w)
{
	size_t n = 0;

	for (unsigned d = 0; d < TL_H; d++)
		n += w >> d;
	return n;
}

/* Make t the empty tile key.  Can't fail. */
static void
tl_clear(struct tl_tile *t, uint64_t key)
{
	t->key = key;
	t->stamp = 0;
	memset(t->n, 0, sizeof(t->n));
	t->dirty = 0;
}

/* Forget everything the connection keeps of the log.  Can't fail. */
static void
tl_forget(struct store *st)
{
	struct tlog_cache *c = st->tlog;

	if (c == NULL)
		return;
	c->edge_ok = c->pending = c->broken = 0;
	c->size = 0;
	for (size_t i = 0; i < TL_LEVELS; i++)
		tl_clear(&c->edge[i], TL_NOKEY);
	for (size_t i = 0; i < TL_READ; i++)
		tl_clear(&c->rd[i], TL_NOKEY);
	buf_clear(&c->bundle);
	c->b_n = 0;
	buf_clear(&c->last);
	c->l_ok = 0;
}

/* Free the cache (store_close).  Can't fail. */
static void
tl_free(struct store *st)
{
	if (st->tlog == NULL)
		return;
	buf_reset(&st->tlog->bundle);
	buf_reset(&st->tlog->last);
	free(st->tlog);
	st->tlog = NULL;
}

/*
 * The connection's cache as it stands, NULL if never used.  When appends
 * are pending but SQLite has left the transaction (it rolls back by
 * itself on some errors), they are forgotten here.  Can't fail.
 */
static struct tlog_cache *
tl_live(struct store *st)
{
	struct tlog_cache *c = st->tlog;

	if (c != NULL && c->pending && sqlite3_get_autocommit(st->db)) {
		log_err("tlog: the transaction ended without store_commit; "
		    "its appends are dropped");
		tl_forget(st);
	}
	return c;
}

/* The connection's cache, made on first use (NULL: out of memory). */
static struct tlog_cache *
tl_cache(struct store *st)
{
	struct tlog_cache *c;

	if ((c = tl_live(st)) != NULL)
		return c;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	buf_init(&c->bundle, TL_BUNDLE_CAP);
	buf_init(&c->last, TL_BUNDLE_CAP);
	st->tlog = c;
	tl_forget(st);
	return c;
}

/* The stored size: where the last bundle ends. */
static enum err
tl_db_size(struct store *st, uint64_t *out)
{
	sqlite3_stmt *s;
	enum err err;
	int64_t v;
	int rc;

	*out = 0;
	if ((err = stmt_get(st, S_TLOG_SIZE, __func__, &s)) != ERR_OK)
		return err;
	rc = db_step(st, s);
	if (rc == SQLITE_ROW) {
		v = sqlite3_column_int64(s, 0);
		if (v < 0 || (uint64_t)v > STORE_TLOG_MAX_INDEX) {
			log_err("%s: stored size %lld", __func__, (long long)v);
			err = ERR_DB;
		} else
			*out = (uint64_t)v;
	} else if (rc != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	stmt_done(s);
	return err;
}

/*
 * Read tile key from its row into t.  ERR_NOTFOUND without a row, ERR_DB
 * for a row that does not have the layout.  On error t is empty.
 */
static enum err
tl_tile_read(struct store *st, uint64_t key, struct tl_tile *t)
{
	sqlite3_stmt *s;
	const uint8_t *p;
	enum err err;
	int64_t w;
	size_t off = 0;
	int rc, n;

	tl_clear(t, TL_NOKEY);
	if ((err = stmt_get(st, S_TLOG_TILE_GET, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, (int64_t)key)) != SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	rc = db_step(st, s);
	if (rc == SQLITE_DONE) {
		err = ERR_NOTFOUND;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	w = sqlite3_column_int64(s, 0);
	p = sqlite3_column_blob(s, 1);
	n = sqlite3_column_bytes(s, 1);
	if (w < 1 || w > TL_W || p == NULL || n < 0 ||
	    (size_t)n != tl_count((unsigned)w) * TL_HB) {
		log_err("%s: tile (%u, %llu): %lld wide, %d bytes", __func__,
		    (unsigned)(key >> 48), (unsigned long long)(key & TL_KMASK),
		    (long long)w, n);
		err = ERR_DB;
		goto out;
	}
	for (unsigned d = 0; d < TL_H; d++) {
		size_t cnt = (size_t)w >> d;

		memcpy(t->h[TL_OFF(d)], p + off * TL_HB, cnt * TL_HB);
		t->n[d] = (uint16_t)cnt;
		off += cnt;
	}
	t->key = key;
out:
	stmt_done(s);
	return err;
}

/*
 * Write tile t as it is now (and, for level 0, its fingerprints).  Every
 * level must hold what its width implies: a leaf added without the
 * nodes it completes is ERR_DB.
 */
static enum err
tl_tile_write(struct store *st, struct tlog_cache *c, struct tl_tile *t)
{
	sqlite3_stmt *s;
	const uint8_t *p;
	unsigned w = t->n[0];
	size_t len, off = 0;
	enum err err;
	int rc;

	for (unsigned d = 0; d < TL_H; d++)
		if (t->n[d] != (w >> d)) {
			log_err("%s: tile (%u, %llu): %u nodes at level %u for "
			    "width %u: an append was left unfinished", __func__,
			    (unsigned)(t->key >> 48),
			    (unsigned long long)(t->key & TL_KMASK), t->n[d], d,
			    w);
			return ERR_DB;
		}
	if (w == TL_W) {
		p = &t->h[0][0];	/* the full layout is the row */
		len = (size_t)TL_NODES * TL_HB;
	} else {
		for (unsigned d = 0; d < TL_H; d++) {
			memcpy(c->scratch + off * TL_HB, t->h[TL_OFF(d)],
			    (size_t)(w >> d) * TL_HB);
			off += w >> d;
		}
		p = c->scratch;
		len = off * TL_HB;
	}
	if ((err = stmt_get(st, S_TLOG_TILE_PUT, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, (int64_t)t->key)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 2, (int)w)) != SQLITE_OK ||
	    (rc = sqlite3_bind_blob(s, 3, p, (int)len, SQLITE_STATIC)) !=
	    SQLITE_OK)
		err = db_fail(st, __func__, rc);
	else
		err = step_done(st, s, __func__);
	stmt_done(s);
	if (err != ERR_OK || (t->key >> 48) != 0)
		return err;
	for (unsigned j = 0; j < w; j++)
		memcpy(c->fp + j * TL_FP, t->h[j], TL_FP);
	if ((err = stmt_get(st, S_TLOG_FP_PUT, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, (int64_t)(t->key & TL_KMASK))) !=
	    SQLITE_OK || (rc = sqlite3_bind_blob(s, 2, c->fp,
	    (int)(w * TL_FP), SQLITE_STATIC)) != SQLITE_OK)
		err = db_fail(st, __func__, rc);
	else
		err = step_done(st, s, __func__);
	stmt_done(s);
	return err;
}

/* Write the bundle being filled and start the next one. */
static enum err
tl_bundle_write(struct store *st, struct tlog_cache *c)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if ((err = stmt_get(st, S_TLOG_BUNDLE_ADD, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, (int64_t)c->b_first)) !=
	    SQLITE_OK || (rc = sqlite3_bind_int(s, 2, (int)c->b_n)) !=
	    SQLITE_OK || (rc = sqlite3_bind_blob(s, 3, c->bundle.ptr,
	    (int)c->bundle.len, SQLITE_STATIC)) != SQLITE_OK)
		err = db_fail(st, __func__, rc);
	else
		err = step_done(st, s, __func__);
	stmt_done(s);
	if (err == ERR_OK) {
		buf_clear(&c->bundle);
		c->b_n = 0;
	}
	return err;
}

/*
 * Make the edge tiles those of the stored log: kept when the stored size
 * is the one they were left at, else read again (another connection
 * appended since).
 */
static enum err
tl_edge_load(struct store *st, struct tlog_cache *c)
{
	uint64_t size, m;
	enum err err;

	if ((err = tl_db_size(st, &size)) != ERR_OK)
		return err;
	if (c->edge_ok && c->size == size)
		return ERR_OK;
	c->edge_ok = 0;
	for (unsigned t = 0; t < TL_LEVELS; t++) {
		struct tl_tile *e = &c->edge[t];

		m = size >> (TL_H * t);
		tl_clear(e, TL_KEY(t, m / TL_W));
		if (m % TL_W == 0)
			continue;
		err = tl_tile_read(st, TL_KEY(t, m / TL_W), e);
		if (err == ERR_OK && e->n[0] != m % TL_W)
			err = ERR_DB;
		if (err == ERR_NOTFOUND || err == ERR_DB) {
			log_err("%s: tile (%u, %llu) is not the edge of a log "
			    "of %llu leaves", __func__, t,
			    (unsigned long long)(m / TL_W),
			    (unsigned long long)size);
			err = ERR_DB;
		}
		if (err != ERR_OK) {
			tl_clear(e, TL_NOKEY);
			return err;
		}
	}
	c->size = size;
	c->edge_ok = 1;
	return ERR_OK;
}

/* Start or continue this transaction's appends: *out is the cache. */
static enum err
tl_write_begin(struct store *st, struct tlog_cache **out,
    const char *func)
{
	struct tlog_cache *c;
	enum err err;

	*out = NULL;
	if ((c = tl_cache(st)) == NULL)
		return ERR_NOMEM;
	if (sqlite3_get_autocommit(st->db)) {
		log_err("%s: the log grows only inside store_begin", func);
		return ERR_INVALID;
	}
	if (c->broken)
		return ERR_DB;
	if (!c->pending) {
		if ((err = tl_edge_load(st, c)) != ERR_OK)
			return err;
		buf_clear(&c->bundle);
		c->b_n = 0;
		c->pending = 1;
	}
	*out = c;
	return ERR_OK;
}

/*
 * Write what this transaction appended and is still in memory: the
 * bundle being filled and each edge tile that changed.  Called by
 * store_commit before COMMIT; on error the caller rolls back.
 */
static enum err
tl_flush(struct store *st)
{
	struct tlog_cache *c = st->tlog;
	enum err err;

	if (c == NULL || !c->pending)
		return ERR_OK;
	if (c->broken || sqlite3_get_autocommit(st->db)) {
		log_err("%s: appends of a failed or ended transaction",
		    __func__);
		return ERR_DB;
	}
	for (unsigned t = 0; t < TL_LEVELS; t++) {
		const struct tl_tile *e = &c->edge[t];
		uint64_t m = c->size >> (TL_H * t);

		if (e->key != TL_KEY(t, m / TL_W) || e->n[0] != m % TL_W) {
			log_err("%s: the appends left tile level %u out of step "
			    "with the size %llu", __func__, t,
			    (unsigned long long)c->size);
			c->broken = 1;
			return ERR_DB;
		}
	}
	if (c->b_n > 0 && (err = tl_bundle_write(st, c)) != ERR_OK)
		return err;
	for (unsigned t = 0; t < TL_LEVELS; t++) {
		struct tl_tile *e = &c->edge[t];

		if (e->dirty && e->n[0] > 0 &&
		    (err = tl_tile_write(st, c, e)) != ERR_OK)
			return err;
		e->dirty = 0;
	}
	c->pending = 0;
	return ERR_OK;
}

/*
 * Node (level, index) into out: from the edge, a tile read before, or its
 * row (then kept, evicting the least recently used).
 */
static enum err
tl_get(struct store *st, unsigned level, uint64_t index,
    uint8_t out[TL_HB])
{
	struct tlog_cache *c;
	struct tl_tile *t, *v = NULL;
	unsigned d = level % TL_H;
	uint64_t key, j;
	enum err err;

	if (level > STORE_TLOG_MAX_LEVEL ||
	    index >= (STORE_TLOG_MAX_INDEX >> level))
		return ERR_NOTFOUND;
	if ((c = tl_cache(st)) == NULL)
		return ERR_NOMEM;
	key = TL_KEY(level / TL_H, index >> (TL_H - d));
	j = index & ((TL_W >> d) - 1);
	t = &c->edge[level / TL_H];
	if (t->key == key && j < t->n[d])
		goto hit;
	for (size_t i = 0; i < TL_READ; i++) {
		t = &c->rd[i];
		if (t->key == key) {
			if (j < t->n[d])
				goto hit;
			v = t;		/* older than the row: read it again */
			break;
		}
		if (v == NULL || t->key == TL_NOKEY ||
		    (v->key != TL_NOKEY && t->stamp < v->stamp))
			v = t;
	}
	t = v;
	if ((err = tl_tile_read(st, key, t)) != ERR_OK)
		return err;
	if (j >= t->n[d])
		return ERR_NOTFOUND;
hit:
	t->stamp = ++c->clock;
	memcpy(out, t->h[TL_OFF(d) + j], TL_HB);
	return ERR_OK;
}

/*
 * Entry i of the bundle p[0..len) of n entries, checked whole: *e and
 * *e_len (OUT).  ERR_DB, logged, when the bundle is malformed.
 */
static enum err
tl_bundle_pick(const uint8_t *p, size_t len, uint32_t n, uint32_t i,
    const uint8_t **e, size_t *e_len)
{
	size_t off = 0, l;

	for (uint32_t k = 0; k < n; k++) {
		if (len - off < 2)
			goto bad;
		l = (size_t)p[off] << 8 | p[off + 1];
		if (len - off - 2 < l)
			goto bad;
		if (k == i) {
			*e = p + off + 2;
			*e_len = l;
		}
		off += 2 + l;
	}
	if (off == len && i < n)
		return ERR_OK;
bad:
	log_err("tlog: a bundle of %u leaves (%zu bytes) is malformed", n,
	    len);
	return ERR_DB;
}

/* Append the bytes of leaf index to out. */
static enum err
tl_entry(struct store *st, struct tlog_cache *c, uint64_t index,
    struct buf *out)
{
	sqlite3_stmt *s;
	const uint8_t *e;
	size_t e_len;
	int64_t first, n;
	enum err err;
	int rc;

	if (c->pending && c->b_n > 0 && index >= c->b_first &&
	    index - c->b_first < c->b_n) {
		err = tl_bundle_pick((const uint8_t *)c->bundle.ptr,
		    c->bundle.len, c->b_n, (uint32_t)(index - c->b_first), &e,
		    &e_len);
		goto add;
	}
	if (!c->l_ok || index < c->l_first || index - c->l_first >= c->l_n) {
		c->l_ok = 0;
		buf_clear(&c->last);
		if ((err = stmt_get(st, S_TLOG_BUNDLE_GET, __func__, &s)) !=
		    ERR_OK)
			return err;
		if ((rc = sqlite3_bind_int64(s, 1, (int64_t)index)) !=
		    SQLITE_OK) {
			err = db_fail(st, __func__, rc);
		} else if ((rc = db_step(st, s)) == SQLITE_DONE) {
			err = ERR_NOTFOUND;
		} else if (rc != SQLITE_ROW) {
			err = db_fail(st, __func__, rc);
		} else {
			first = sqlite3_column_int64(s, 0);
			n = sqlite3_column_int64(s, 1);
			if (first < 0 || n < 1 || n > TL_W) {
				log_err("%s: bundle at %lld of %lld leaves",
				    __func__, (long long)first, (long long)n);
				err = ERR_DB;
			} else if (index - (uint64_t)first >= (uint64_t)n) {
				err = ERR_NOTFOUND;
			} else if ((err = col_append(s, 2, TL_BUNDLE_CAP,
			    &c->last, __func__)) == ERR_OK) {
				c->l_first = (uint64_t)first;
				c->l_n = (uint32_t)n;
				c->l_ok = 1;
			}
		}
		stmt_done(s);
		if (err != ERR_OK)
			return err;
	}
	err = tl_bundle_pick((const uint8_t *)c->last.ptr, c->last.len, c->l_n,
	    (uint32_t)(index - c->l_first), &e, &e_len);
add:
	if (err == ERR_OK && e_len > 0)
		err = buf_add(out, e, e_len);
	return err;
}

/* The tree size.  See store.h. */
enum err
store_tlog_size(struct store *st, uint64_t *size_out)
{
	struct tlog_cache *c;

	*size_out = 0;
	if ((c = tl_live(st)) != NULL && c->pending) {
		*size_out = c->size;
		return ERR_OK;
	}
	return tl_db_size(st, size_out);
}

/* Add a leaf.  See store.h. */
enum err
store_tlog_leaf_add(struct store *st, uint64_t index,
    const uint8_t hash[STORE_SHA256_BYTES], const void *data, size_t len)
{
	struct tlog_cache *c;
	struct tl_tile *t;
	uint8_t pre[2];
	enum err err;

	if (index >= STORE_TLOG_MAX_INDEX)
		return ERR_RANGE;
	if (hash == NULL || (data == NULL && len > 0))
		return ERR_INVALID;
	if (len > STORE_TLOG_LEAF_MAX)
		return ERR_TOOBIG;
	if ((err = tl_write_begin(st, &c, __func__)) != ERR_OK)
		return err;
	if (index != c->size)
		return index < c->size ? ERR_EXISTS : ERR_INVALID;
	t = &c->edge[0];
	if (t->key != TL_KEY(0, index / TL_W) || t->n[0] != index % TL_W) {
		log_err("%s: the edge tile is out of step", __func__);
		c->broken = 1;
		return ERR_DB;
	}
	if (c->b_n == 0)
		c->b_first = index;
	pre[0] = (uint8_t)(len >> 8);
	pre[1] = (uint8_t)len;
	if ((err = buf_add(&c->bundle, pre, 2)) != ERR_OK ||
	    (len > 0 && (err = buf_add(&c->bundle, data, len)) != ERR_OK)) {
		c->broken = 1;
		return err;
	}
	c->b_n++;
	memcpy(t->h[t->n[0]++], hash, TL_HB);
	t->dirty = 1;
	c->size++;
	/* Bundles stay inside one level-0 tile. */
	if ((c->size % TL_W == 0 || c->bundle.len >= TL_BUNDLE_MAX) &&
	    (err = tl_bundle_write(st, c)) != ERR_OK)
		c->broken = 1;
	return err;
}

/* Read a leaf.  See store.h. */
enum err
store_tlog_leaf_get(struct store *st, uint64_t index,
    uint8_t hash_out[STORE_SHA256_BYTES], struct buf *data_out)
{
	uint8_t h[TL_HB];
	enum err err;

	if ((err = tl_get(st, 0, index, h)) != ERR_OK)
		return err;
	if (data_out != NULL &&
	    (err = tl_entry(st, st->tlog, index, data_out)) != ERR_OK)
		return err;
	if (hash_out != NULL)
		memcpy(hash_out, h, TL_HB);
	return ERR_OK;
}

/* Find a leaf by hash: scan the fingerprints.  See store.h. */
enum err
store_tlog_leaf_find(struct store *st, const uint8_t hash[STORE_SHA256_BYTES],
    uint64_t *index_out)
{
	struct tlog_cache *c;
	const struct tl_tile *e;
	sqlite3_stmt *s;
	const uint8_t *fp;
	uint8_t h[TL_HB];
	uint64_t skip = TL_NOKEY, idx;
	int64_t k;
	enum err err;
	int rc, n;

	if (hash == NULL)
		return ERR_INVALID;
	if ((c = tl_cache(st)) == NULL)
		return ERR_NOMEM;
	e = &c->edge[0];
	/* The edge tile in memory is newer than its row. */
	if (c->pending)
		skip = e->key & TL_KMASK;
	if ((err = stmt_get(st, S_TLOG_FP_SCAN, __func__, &s)) != ERR_OK)
		return err;
	err = ERR_NOTFOUND;
	while ((rc = db_step(st, s)) == SQLITE_ROW) {
		k = sqlite3_column_int64(s, 0);
		fp = sqlite3_column_blob(s, 1);
		n = sqlite3_column_bytes(s, 1);
		if ((uint64_t)k == skip)
			continue;
		if (k < 0 || (uint64_t)k >= STORE_TLOG_MAX_INDEX / TL_W ||
		    fp == NULL || n <= 0 || n % TL_FP != 0 ||
		    n > (int)(TL_W * TL_FP)) {
			log_err("%s: fingerprints of tile %lld: %d bytes",
			    __func__, (long long)k, n);
			err = ERR_DB;
			goto out;
		}
		for (int j = 0; j < n; j += TL_FP) {
			if (fp[j] != hash[0] || fp[j + 1] != hash[1])
				continue;
			idx = (uint64_t)k * TL_W + (uint64_t)j / TL_FP;
			err = tl_get(st, 0, idx, h);
			if (err == ERR_OK && memcmp(h, hash, TL_HB) == 0) {
				*index_out = idx;
				goto out;
			}
			if (err != ERR_OK && err != ERR_NOTFOUND)
				goto out;
			err = ERR_NOTFOUND;
		}
	}
	if (rc != SQLITE_DONE) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	for (unsigned j = 0; c->pending && j < e->n[0]; j++)
		if (memcmp(e->h[j], hash, TL_HB) == 0) {
			*index_out = (e->key & TL_KMASK) * TL_W + j;
			err = ERR_OK;
			break;
		}
out:
	stmt_done(s);
	return err;
}

/* Read a node.  See store.h. */
enum err
store_tlog_node_get(struct store *st, unsigned level, uint64_t index,
    uint8_t out[STORE_SHA256_BYTES])
{
	return tl_get(st, level, index, out);
}

/* Put an inner node.  See store.h. */
enum err
store_tlog_node_put(struct store *st, unsigned level, uint64_t index,
    const uint8_t hash[STORE_SHA256_BYTES])
{
	struct tlog_cache *c;
	struct tl_tile *t;
	unsigned d = level % TL_H;
	uint64_t j;
	enum err err;

	if (level == 0 || level > STORE_TLOG_MAX_LEVEL ||
	    index >= (STORE_TLOG_MAX_INDEX >> level))
		return ERR_RANGE;
	if (hash == NULL)
		return ERR_INVALID;
	if ((err = tl_write_begin(st, &c, __func__)) != ERR_OK)
		return err;
	t = &c->edge[level / TL_H];
	j = index & ((TL_W >> d) - 1);
	/* The next node of its level, its children there, in the tree. */
	if (t->key != TL_KEY(level / TL_H, index >> (TL_H - d)) ||
	    j != t->n[d] || (d > 0 && t->n[d - 1] < 2 * j + 2) ||
	    (index + 1) > (c->size >> level)) {
		log_err("%s: node (%u, %llu) is not the next one", __func__,
		    level, (unsigned long long)index);
		c->broken = 1;
		return ERR_INVALID;
	}
	memcpy(t->h[TL_OFF(d) + j], hash, TL_HB);
	t->n[d]++;
	t->dirty = 1;
	if (t->n[TL_H - 1] == 2) {
		/* Full: written now, never again. */
		if ((err = tl_tile_write(st, c, t)) != ERR_OK) {
			c->broken = 1;
			return err;
		}
		tl_clear(t, t->key + 1);
	}
	return ERR_OK;
}

/* Forget the cache.  See store.h. */
void
store_tlog_uncache(struct store *st)
{
	if (st->tlog != NULL && !st->tlog->pending)
		tl_forget(st);
}

/* Say what is wrong through bad. */
static void tl_bad(store_tlog_bad_fn bad, void *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
tl_bad(store_tlog_bad_fn bad, void *arg, const char *fmt, ...)
{
	char m[200];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	bad(arg, m);
}

/* The width tile (t, k) has in a tree of size leaves; 0: none. */
static unsigned
tl_width(uint64_t size, unsigned t, uint64_t k)
{
	uint64_t m;

	if (t >= TL_LEVELS)
		return 0;
	m = size >> (TL_H * t);
	if (k < m / TL_W)
		return TL_W;
	return k == m / TL_W ? (unsigned)(m % TL_W) : 0;
}

/* Check the layout.  See store.h. */
enum err
store_tlog_check(struct store *st, uint64_t size, store_tlog_bad_fn bad,
    void *arg)
{
	struct tl_tile *t = NULL;
	sqlite3_stmt *s = NULL;
	const uint8_t *fp;
	uint64_t next = 0, key, k;
	unsigned w;
	int64_t v, width;
	enum err err;
	int rc, n;

	if ((t = malloc(sizeof(*t))) == NULL)
		return ERR_NOMEM;
	/* Tiles: each as wide as the tree makes it, none past it. */
	if ((err = stmt_get(st, S_TLOG_TILE_WIDTHS, __func__, &s)) != ERR_OK)
		goto out;
	while ((rc = db_step(st, s)) == SQLITE_ROW) {
		v = sqlite3_column_int64(s, 0);
		width = sqlite3_column_int64(s, 1);
		key = (uint64_t)v;
		w = v < 0 ? 0 : tl_width(size, (unsigned)(key >> 48),
		    key & TL_KMASK);
		if (w == 0)
			tl_bad(bad, arg, "tile (%u, %llu) is past the tree of "
			    "%llu leaves", (unsigned)(key >> 48),
			    (unsigned long long)(key & TL_KMASK),
			    (unsigned long long)size);
		else if (width != (int64_t)w)
			tl_bad(bad, arg, "tile (%u, %llu) is %lld nodes wide, "
			    "the tree has %u", (unsigned)(key >> 48),
			    (unsigned long long)(key & TL_KMASK),
			    (long long)width, w);
	}
	stmt_done(s);
	if (rc != SQLITE_DONE) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	/* Fingerprints: one row per level-0 tile, equal to the hashes. */
	if ((err = stmt_get(st, S_TLOG_FP_SCAN, __func__, &s)) != ERR_OK)
		goto out;
	while ((rc = db_step(st, s)) == SQLITE_ROW) {
		v = sqlite3_column_int64(s, 0);
		fp = sqlite3_column_blob(s, 1);
		n = sqlite3_column_bytes(s, 1);
		k = (uint64_t)v;
		w = v < 0 ? 0 : tl_width(size, 0, k);
		if (w == 0) {
			tl_bad(bad, arg, "fingerprints of tile %llu are past "
			    "the tree", (unsigned long long)k);
			continue;
		}
		if (k > next)
			tl_bad(bad, arg, "no fingerprints for leaves %llu to "
			    "%llu", (unsigned long long)(next * TL_W),
			    (unsigned long long)(k * TL_W - 1));
		next = k + 1;
		if (fp == NULL || n != (int)(w * TL_FP)) {
			tl_bad(bad, arg, "fingerprints of tile %llu: %d bytes "
			    "for %u leaves", (unsigned long long)k, n, w);
			continue;
		}
		err = tl_tile_read(st, TL_KEY(0, k), t);
		if (err == ERR_NOTFOUND || err == ERR_DB) {
			err = ERR_OK;	/* the caller's replay finds these */
			continue;
		}
		if (err != ERR_OK)
			break;
		for (unsigned j = 0; j < w && j < t->n[0]; j++)
			if (memcmp(fp + j * TL_FP, t->h[j], TL_FP) != 0) {
				tl_bad(bad, arg, "leaf %llu: its fingerprint is "
				    "not its hash's; finding it by hash would "
				    "fail", (unsigned long long)(k * TL_W + j));
				break;
			}
	}
	stmt_done(s);
	s = NULL;
	if (err != ERR_OK)
		goto out;
	if (rc != SQLITE_DONE) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	if (next < (size + TL_W - 1) / TL_W)
		tl_bad(bad, arg, "no fingerprints for leaves %llu to %llu",
		    (unsigned long long)(next * TL_W),
		    (unsigned long long)(size - 1));
out:
	free(t);
	return err;
}

/* Add a checkpoint.  See store.h. */
enum err
store_tlog_cp_add(struct store *st, const struct store_tlog_cp *cp,
    const char *note, size_t note_len)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if (cp == NULL || note == NULL)
		return ERR_INVALID;
	if (cp->size > STORE_TLOG_MAX_INDEX)
		return ERR_RANGE;
	if (note_len == 0 || note_len > STORE_TLOG_NOTE_MAX)
		return ERR_TOOBIG;
	if ((err = stmt_get(st, S_TLOG_CP_ADD, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, (int64_t)cp->size)) != SQLITE_OK ||
	    (rc = sqlite3_bind_blob(s, 2, cp->root, STORE_SHA256_BYTES,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, cp->issued)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 4, note, (int)note_len,
	    SQLITE_STATIC)) != SQLITE_OK)
		err = db_fail(st, __func__, rc);
	else
		err = step_done(st, s, __func__);
	stmt_done(s);
	return err;
}

/* Read the checkpoint row s stands on (size, root, issued, note). */
static enum err
cp_row(sqlite3_stmt *s, struct store_tlog_cp *out, struct buf *note_out,
    const char *func)
{
	struct store_tlog_cp cp;
	int64_t v;
	enum err err;

	memset(&cp, 0, sizeof(cp));
	if ((v = sqlite3_column_int64(s, 0)) < 0 ||
	    (uint64_t)v > STORE_TLOG_MAX_INDEX)
		return ERR_DB;
	cp.size = (uint64_t)v;
	if ((err = col_blob(s, 1, cp.root, sizeof(cp.root), func)) != ERR_OK)
		return err;
	cp.issued = sqlite3_column_int64(s, 2);
	if (note_out != NULL && (err = col_append(s, 3, STORE_TLOG_NOTE_MAX,
	    note_out, func)) != ERR_OK)
		return err;
	if (out != NULL)
		*out = cp;
	return ERR_OK;
}

/* Run a checkpoint query whose parameter 1 (if any) is already bound. */
static enum err
cp_query(struct store *st, sqlite3_stmt *s, struct store_tlog_cp *out,
    struct buf *note_out, const char *func)
{
	int rc;

	rc = db_step(st, s);
	if (rc == SQLITE_DONE)
		return ERR_NOTFOUND;
	if (rc != SQLITE_ROW)
		return db_fail(st, func, rc);
	return cp_row(s, out, note_out, func);
}

/* Read a checkpoint.  See store.h. */
enum err
store_tlog_cp_get(struct store *st, uint64_t size, struct store_tlog_cp *out,
    struct buf *note_out)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if (size != STORE_TLOG_LATEST && size > STORE_TLOG_MAX_INDEX)
		return ERR_NOTFOUND;
	if ((err = stmt_get(st, size == STORE_TLOG_LATEST ? S_TLOG_CP_LATEST :
	    S_TLOG_CP_GET, __func__, &s)) != ERR_OK)
		return err;
	if (size != STORE_TLOG_LATEST &&
	    (rc = sqlite3_bind_int64(s, 1, (int64_t)size)) != SQLITE_OK)
		err = db_fail(st, __func__, rc);
	else
		err = cp_query(st, s, out, note_out, __func__);
	stmt_done(s);
	return err;
}

/* The next checkpoint.  See store.h. */
enum err
store_tlog_cp_next(struct store *st, int64_t after, struct store_tlog_cp *out,
    struct buf *note_out)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if ((err = stmt_get(st, S_TLOG_CP_NEXT, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, after)) != SQLITE_OK)
		err = db_fail(st, __func__, rc);
	else
		err = cp_query(st, s, out, note_out, __func__);
	stmt_done(s);
	return err;
}

/* Record a cosignature.  See store.h. */
enum err
store_tlog_cosig_put(struct store *st, uint64_t size, int64_t party_id,
    const char *line, int64_t received)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if (size > STORE_TLOG_MAX_INDEX)
		return ERR_NOTFOUND;
	if ((err = check_str(line, STORE_TLOG_LINE_MAX, 0)) != ERR_OK)
		return err;
	if ((err = stmt_get(st, S_TLOG_COSIG_PUT, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, (int64_t)size)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, party_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 3, line, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 4, received)) != SQLITE_OK)
		err = db_fail(st, __func__, rc);
	else
		err = step_done(st, s, __func__);
	stmt_done(s);
	return err;
}

/* List cosignatures.  See store.h. */
enum err
store_tlog_cosig_list(struct store *st, uint64_t size,
    struct store_tlog_cosig **out, size_t *n_out)
{
	struct store_tlog_cosig *v = NULL, *nv;
	sqlite3_stmt *s;
	size_t n = 0, cap = 0;
	const unsigned char *t;
	enum err err;
	int rc, tn;

	*out = NULL;
	*n_out = 0;
	if (size > STORE_TLOG_MAX_INDEX)
		return ERR_OK;
	if ((err = stmt_get(st, S_TLOG_COSIG_LIST, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, (int64_t)size)) != SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	while ((rc = db_step(st, s)) == SQLITE_ROW) {
		if (n == STORE_TLOG_COSIGS_MAX) {
			err = ERR_TOOBIG;
			goto out;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 4;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				err = ERR_NOMEM;
				goto out;
			}
			v = nv;
		}
		t = sqlite3_column_text(s, 1);
		tn = sqlite3_column_bytes(s, 1);
		if (t == NULL || tn < 0 || (size_t)tn > STORE_TLOG_LINE_MAX) {
			err = ERR_DB;
			goto out;
		}
		memset(&v[n], 0, sizeof(v[n]));
		v[n].party_id = sqlite3_column_int64(s, 0);
		memcpy(v[n].line, t, (size_t)tn);
		v[n].received = sqlite3_column_int64(s, 2);
		n++;
	}
	if (rc != SQLITE_DONE) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	*out = v;
	*n_out = n;
	v = NULL;
out:
	stmt_done(s);
	free(v);
	return err;
}

/* Remember a partner's checkpoint.  See store.h. */
enum err
store_tlog_seen_add(struct store *st, const char *vkey, uint64_t size,
    const uint8_t root[STORE_SHA256_BYTES], const char *note, size_t note_len,
    int64_t seen)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if ((err = check_str(vkey, STORE_TLOG_VKEY_MAX, 0)) != ERR_OK)
		return err;
	if (root == NULL || note == NULL)
		return ERR_INVALID;
	if (size > STORE_TLOG_MAX_INDEX)
		return ERR_RANGE;
	if (note_len == 0 || note_len > STORE_TLOG_NOTE_MAX)
		return ERR_TOOBIG;
	if ((err = stmt_get(st, S_TLOG_SEEN_ADD, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, vkey, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, (int64_t)size)) != SQLITE_OK ||
	    (rc = sqlite3_bind_blob(s, 3, root, STORE_SHA256_BYTES,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 4, note, (int)note_len,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 5, seen)) != SQLITE_OK)
		err = db_fail(st, __func__, rc);
	else
		err = step_done(st, s, __func__);
	stmt_done(s);
	return err;
}

/* Read a partner's checkpoint.  See store.h. */
enum err
store_tlog_seen_get(struct store *st, const char *vkey, uint64_t size,
    uint64_t *size_out, uint8_t root_out[STORE_SHA256_BYTES],
    struct buf *note_out)
{
	sqlite3_stmt *s;
	enum err err;
	int64_t v;
	int rc;

	if ((err = check_str(vkey, STORE_TLOG_VKEY_MAX, 0)) != ERR_OK)
		return err;
	if (size != STORE_TLOG_LATEST && size > STORE_TLOG_MAX_INDEX)
		return ERR_NOTFOUND;
	if ((err = stmt_get(st, size == STORE_TLOG_LATEST ?
	    S_TLOG_SEEN_LATEST : S_TLOG_SEEN_GET, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, vkey, -1, SQLITE_STATIC)) !=
	    SQLITE_OK || (size != STORE_TLOG_LATEST &&
	    (rc = sqlite3_bind_int64(s, 2, (int64_t)size)) != SQLITE_OK)) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	rc = db_step(st, s);
	if (rc == SQLITE_DONE) {
		err = ERR_NOTFOUND;
	} else if (rc != SQLITE_ROW) {
		err = db_fail(st, __func__, rc);
	} else if ((v = sqlite3_column_int64(s, 0)) < 0) {
		err = ERR_DB;
	} else {
		uint8_t r[STORE_SHA256_BYTES];

		if ((err = col_blob(s, 1, r, sizeof(r), __func__)) != ERR_OK)
			goto out;
		if (note_out != NULL && (err = col_append(s, 2,
		    STORE_TLOG_NOTE_MAX, note_out, __func__)) != ERR_OK)
			goto out;
		if (size_out != NULL)
			*size_out = (uint64_t)v;
		if (root_out != NULL)
			memcpy(root_out, r, sizeof(r));
	}
out:
	stmt_done(s);
	return err;
}

/* Record a leaf received.  See store.h. */
enum err
store_tlog_recv_add(struct store *st, const char *vkey, uint64_t leaf_index,
    const uint8_t leaf_hash[STORE_SHA256_BYTES], int64_t received)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if ((err = check_str(vkey, STORE_TLOG_VKEY_MAX, 0)) != ERR_OK)
		return err;
	if (leaf_hash == NULL)
		return ERR_INVALID;
	if (leaf_index >= STORE_TLOG_MAX_INDEX)
		return ERR_RANGE;
	if ((err = stmt_get(st, S_TLOG_RECV_ADD, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, vkey, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, (int64_t)leaf_index)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_blob(s, 3, leaf_hash, STORE_SHA256_BYTES,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 4, received)) != SQLITE_OK)
		err = db_fail(st, __func__, rc);
	else
		err = step_done(st, s, __func__);
	stmt_done(s);
	return err;
}

/* Unverified received leaves.  See store.h. */
enum err
store_tlog_recv_pending(struct store *st, const char *vkey, int64_t after_id,
    struct store_tlog_recv *out, size_t cap, size_t *n_out)
{
	sqlite3_stmt *s;
	size_t n = 0;
	int64_t v;
	enum err err;
	int rc;

	*n_out = 0;
	if ((err = check_str(vkey, STORE_TLOG_VKEY_MAX, 0)) != ERR_OK)
		return err;
	if (cap == 0 || cap > LIM_PAGE_MAX)
		return ERR_RANGE;
	if ((err = stmt_get(st, S_TLOG_RECV_PENDING, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, vkey, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, after_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, (int64_t)cap)) != SQLITE_OK) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	while ((rc = db_step(st, s)) == SQLITE_ROW && n < cap) {
		out[n].id = sqlite3_column_int64(s, 0);
		if ((v = sqlite3_column_int64(s, 1)) < 0) {
			err = ERR_DB;
			goto out;
		}
		out[n].leaf_index = (uint64_t)v;
		if ((err = col_blob(s, 2, out[n].leaf_hash,
		    STORE_SHA256_BYTES, __func__)) != ERR_OK)
			goto out;
		n++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		err = db_fail(st, __func__, rc);
		goto out;
	}
	*n_out = n;
out:
	stmt_done(s);
	return err;
}

/* Mark a received leaf verified.  See store.h. */
enum err
store_tlog_recv_mark(struct store *st, int64_t id, uint64_t size)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if (size > STORE_TLOG_MAX_INDEX)
		return ERR_RANGE;
	if ((err = stmt_get(st, S_TLOG_RECV_MARK, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, (int64_t)size)) != SQLITE_OK)
		err = db_fail(st, __func__, rc);
	else if ((err = step_done(st, s, __func__)) == ERR_OK &&
	    sqlite3_changes(st->db) == 0)
		err = ERR_NOTFOUND;
	stmt_done(s);
	return err;
}

/* ---- partners' nodes and sync cursors (schema 4) ---- */

/* One partners row of PARTNER_COLS into *p. */
static enum err
partner_row(struct store *st, sqlite3_stmt *s, struct store_partner *p,
    const char *func)
{
	enum err err;
	int state;

	memset(p, 0, sizeof(*p));
	p->party_id = sqlite3_column_int64(s, 0);
	if ((err = col_text(st, s, 1, p->url, sizeof(p->url), func)) !=
	    ERR_OK ||
	    (err = col_text(st, s, 2, p->token, sizeof(p->token), func)) !=
	    ERR_OK ||
	    (err = col_text(st, s, 3, p->tls_pin, sizeof(p->tls_pin),
	    func)) != ERR_OK ||
	    (err = col_text(st, s, 10, p->last_error, sizeof(p->last_error),
	    func)) != ERR_OK ||
	    (err = col_text(st, s, 11, p->evidence, sizeof(p->evidence),
	    func)) != ERR_OK ||
	    (err = col_text(st, s, 13, p->log_key, sizeof(p->log_key),
	    func)) != ERR_OK)
		return err;
	state = sqlite3_column_int(s, 4);
	if (state < STORE_PARTNER_OK || state > STORE_PARTNER_HALTED)
		return ERR_DB;
	p->state = (enum store_partner_state)state;
	p->added = sqlite3_column_int64(s, 5);
	p->last_ok = sqlite3_column_int64(s, 6);
	p->last_attempt = sqlite3_column_int64(s, 7);
	p->failures = (uint32_t)sqlite3_column_int64(s, 8);
	p->backoff_until = sqlite3_column_int64(s, 9);
	p->n_received = (uint64_t)sqlite3_column_int64(s, 12);
	return ERR_OK;
}

enum err
store_partner_add(struct store *st, int64_t party_id, const char *url,
    const char *token, const char *tls_pin)
{
	struct store_party party;
	sqlite3_stmt *s;
	enum err err;
	int own, rc;

	if ((err = check_str(url, STORE_URL_MAX, 0)) != ERR_OK ||
	    (err = check_str(token, STORE_SECRET_MAX, 0)) != ERR_OK ||
	    (err = check_str(tls_pin, STORE_PIN_MAX, 1)) != ERR_OK)
		return err;
	if ((err = txn_open(st, 1, &own, __func__)) != ERR_OK)
		return err;
	if ((err = store_party_get(st, party_id, &party)) != ERR_OK)
		goto out;
	if (party.role != STORE_ROLE_PARTNER) {
		err = ERR_NOTFOUND;
		goto out;
	}
	if ((err = stmt_get(st, S_PARTNER_ADD, __func__, &s)) != ERR_OK)
		goto out;
	if ((rc = sqlite3_bind_int64(s, 1, party_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 2, url, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 3, token, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 4, tls_pin, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 5, ts_now_us())) != SQLITE_OK)
		err = db_fail(st, __func__, rc);
	else if ((rc = db_step(st, s)) == SQLITE_CONSTRAINT)
		err = ERR_EXISTS;
	else if (rc != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	stmt_done(s);
out:
	return txn_close(st, own, err, __func__);
}

enum err
store_partner_get(struct store *st, int64_t party_id,
    struct store_partner *out)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((err = stmt_get(st, S_PARTNER_GET, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, party_id)) != SQLITE_OK)
		err = db_fail(st, __func__, rc);
	else if ((rc = db_step(st, s)) == SQLITE_DONE)
		err = ERR_NOTFOUND;
	else if (rc != SQLITE_ROW)
		err = db_fail(st, __func__, rc);
	else
		err = partner_row(st, s, out, __func__);
	stmt_done(s);
	return err;
}

static enum err
partner_row_v(struct store *st, sqlite3_stmt *s, void *out, const char *func)
{
	return partner_row(st, s, out, func);
}

enum err
store_partner_list(struct store *st, struct store_partner **out,
    size_t *n_out)
{
	void *v = NULL;
	enum err err;

	err = list_rows(st, S_PARTNER_LIST, sizeof(**out), partner_row_v, &v,
	    n_out, __func__);
	*out = v;
	return err;
}

/* Run statement id with ?1 = party_id; *changes gets the rows changed. */
static enum err
exec_party(struct store *st, enum stmt_id id, int64_t party_id,
    int *changes, const char *func)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if ((err = stmt_get(st, id, func, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, party_id)) != SQLITE_OK ||
	    (rc = db_step(st, s)) != SQLITE_DONE)
		err = db_fail(st, func, rc);
	else if (changes != NULL)
		*changes = sqlite3_changes(st->db);
	stmt_done(s);
	return err;
}

enum err
store_partner_remove(struct store *st, int64_t party_id)
{
	enum err err;
	int own, n = 0;

	if ((err = txn_open(st, 1, &own, __func__)) != ERR_OK)
		return err;
	if ((err = exec_party(st, S_PARTNER_DEL, party_id, &n, __func__)) ==
	    ERR_OK && n == 0)
		err = ERR_NOTFOUND;
	if (err == ERR_OK)
		err = exec_party(st, S_PARTNER_DEL_CURSORS, party_id, NULL,
		    __func__);
	return txn_close(st, own, err, __func__);
}

enum err
store_partner_result(struct store *st, int64_t party_id,
    enum store_partner_state state, int64_t now, int64_t backoff_until,
    const char *error, const char *evidence, uint64_t n_new)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if (state < STORE_PARTNER_OK || state > STORE_PARTNER_HALTED ||
	    n_new > INT64_MAX)
		return ERR_INVALID;
	if (error == NULL)
		error = "";
	if (evidence == NULL)
		evidence = "";
	if ((err = check_str(error, STORE_ERROR_MAX, 1)) != ERR_OK ||
	    (err = check_str(evidence, STORE_PATH_MAX, 1)) != ERR_OK)
		return err;
	if ((err = stmt_get(st, S_PARTNER_RESULT, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, party_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 2, (int)state)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, now)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 4, backoff_until)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 5, error, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 6, evidence, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 7, (int64_t)n_new)) != SQLITE_OK ||
	    (rc = db_step(st, s)) != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	else if (sqlite3_changes(st->db) == 0)
		err = ERR_NOTFOUND;
	stmt_done(s);
	return err;
}

enum err
store_sync_cursor_get(struct store *st, int64_t party_id,
    const char *coll_uuid, int64_t *after_out)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	*after_out = 0;
	if ((err = check_str(coll_uuid, STORE_UUID_LEN, 0)) != ERR_OK)
		return err;
	if ((err = stmt_get(st, S_CURSOR_GET, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, party_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 2, coll_uuid, -1, SQLITE_STATIC)) !=
	    SQLITE_OK)
		err = db_fail(st, __func__, rc);
	else if ((rc = db_step(st, s)) == SQLITE_ROW)
		*after_out = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	stmt_done(s);
	return err;
}

enum err
store_sync_cursor_put(struct store *st, int64_t party_id,
    const char *coll_uuid, int64_t after)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if ((err = check_str(coll_uuid, STORE_UUID_LEN, 0)) != ERR_OK)
		return err;
	if (after < 0)
		return ERR_INVALID;
	if ((err = stmt_get(st, S_CURSOR_PUT, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, party_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 2, coll_uuid, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, after)) != SQLITE_OK ||
	    (rc = db_step(st, s)) != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	stmt_done(s);
	return err;
}

enum err
store_partner_set_log_key(struct store *st, int64_t party_id,
    const char *log_key)
{
	sqlite3_stmt *s;
	enum err err;
	int rc;

	if ((err = check_str(log_key, STORE_TLOG_VKEY_MAX, 1)) != ERR_OK)
		return err;
	if ((err = stmt_get(st, S_PARTNER_LOG_KEY, __func__, &s)) != ERR_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, party_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 2, log_key, -1, SQLITE_STATIC)) !=
	    SQLITE_OK || (rc = db_step(st, s)) != SQLITE_DONE)
		err = db_fail(st, __func__, rc);
	else if (sqlite3_changes(st->db) == 0)
		err = ERR_NOTFOUND;
	stmt_done(s);
	return err;
}
