/*
 * store.h: entente's persistent state behind one interface.
 *
 * Backends: SQLite (store_sqlite.c, default, embedded, WAL mode).  The
 * PostgreSQL backend of DESIGN.md will implement the same calls.  The store
 * knows nothing of HTTP, TAXII, policy or STIX validation: callers hand it
 * validated rows and get rows back.  Every query is served by an index in
 * O(log n + page): see docs/internals/STORE.md for the plan of each call.
 *
 * One struct store is one database connection and must be used by one
 * thread at a time.  Several connections on the same database may be open at
 * once (one per HTTP worker thread); writers are serialized by the database.
 * Times are microseconds since the epoch (util/timeutil.h).
 */
#ifndef ENTENTE_STORE_STORE_H
#define ENTENTE_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"

struct store;

#define STORE_SHA256_BYTES	32
#define STORE_TOKEN_ID_BYTES	8
#define STORE_UUID_LEN		36

/* store_open flags. */
#define STORE_CREATE	0x1	/* create the database; ERR_EXISTS if present */

/*
 * Open the database at path (a file name), running any pending schema
 * migrations.  With STORE_CREATE the file must not exist.  On success *out
 * is a new handle the caller frees with store_close().  ERR_NOTFOUND when
 * the file does not exist (without STORE_CREATE), ERR_DB, ERR_NOMEM.
 */
enum err store_open(const char *path, int flags, struct store **out) WUR;
/* Close st, finalizing statements.  store_close(NULL) does nothing. */
void store_close(struct store *st);
/* The schema version the open database is at. */
int store_schema_version(struct store *st);

/* Transactions spanning several calls (each call is atomic by itself). */
enum err store_begin(struct store *st) WUR;
/*
 * A read-only transaction around a group of reads: one snapshot, and the
 * database locks taken once instead of once per call.  ERR_RANGE when a
 * transaction is already open.  Writes inside it are not allowed.
 * store_read_end can't fail.
 */
enum err store_read_begin(struct store *st) WUR;
void store_read_end(struct store *st);
enum err store_commit(struct store *st) WUR;
void store_rollback(struct store *st);

/* Node-wide key/value settings (cursor key, party name, ...).  Values are
 * byte strings.  get: *val_out is a new NUL-terminated heap copy (free()),
 * ERR_NOTFOUND when absent. */
enum err store_meta_get(struct store *st, const char *key, char **val_out,
    size_t *len_out) WUR;
enum err store_meta_set(struct store *st, const char *key, const void *val,
    size_t len) WUR;

/* Parties.  The node's own party has role STORE_ROLE_SELF; its tokens are
 * admin tokens (read and write everything). */
enum store_role { STORE_ROLE_PARTNER = 0, STORE_ROLE_SELF = 1 };

struct store_party {
	int64_t		id;
	char		name[LIM_PARTY_NAME + 1];
	uint8_t		pubkey[32];
	enum store_role	role;
	int64_t		created;
};

/* ERR_EXISTS when the name (or a self party, for ROLE_SELF) exists. */
enum err store_party_add(struct store *st, const char *name,
    const uint8_t pubkey[32], enum store_role role, int64_t *id_out) WUR;
/* ERR_NOTFOUND when absent. */
enum err store_party_get(struct store *st, int64_t id,
    struct store_party *out) WUR;
enum err store_party_by_name(struct store *st, const char *name,
    struct store_party *out) WUR;
enum err store_party_self(struct store *st, struct store_party *out) WUR;
/* *out is a new array of *n_out parties ordered by id; free() it. */
enum err store_party_list(struct store *st, struct store_party **out,
    size_t *n_out) WUR;

/*
 * Bearer tokens.  A token is stored as its 8-byte public id and the SHA-256
 * of its secret part; the secret itself is never stored.  lookup: fills
 * *party_id and hash_out for the token id, ERR_NOTFOUND when unknown or
 * revoked; the caller compares hashes in constant time.
 */
enum err store_token_add(struct store *st, int64_t party_id,
    const uint8_t token_id[STORE_TOKEN_ID_BYTES],
    const uint8_t hash[STORE_SHA256_BYTES]) WUR;
enum err store_token_lookup(struct store *st,
    const uint8_t token_id[STORE_TOKEN_ID_BYTES], int64_t *party_id,
    uint8_t hash_out[STORE_SHA256_BYTES]) WUR;
/* Revoke a token: lookup no longer finds it.  ERR_NOTFOUND when unknown or
 * already revoked. */
enum err store_token_revoke(struct store *st,
    const uint8_t token_id[STORE_TOKEN_ID_BYTES]) WUR;

/*
 * Collections.  Each has a TAXII id (uuid) and a name, unique on the node,
 * by which agreements' share clauses list it (docs/agreements.md): 1 to
 * STORE_COLL_NAME_MAX of A-Z a-z 0-9 . _ -.  The store checks the
 * characters and length (ERR_INVALID).
 */
#define STORE_COLL_NAME_MAX	64
struct store_collection {
	int64_t	id;
	char	uuid[STORE_UUID_LEN + 1];
	char	name[STORE_COLL_NAME_MAX + 1];
	char	title[LIM_TITLE + 1];
	char	description[LIM_DESCRIPTION + 1];
	int64_t	created;
};

/* ERR_EXISTS when the uuid or the name is taken.  _add names the
 * collection by its uuid. */
enum err store_collection_add(struct store *st, const char *uuid,
    const char *title, const char *description, int64_t *id_out) WUR;
enum err store_collection_add_named(struct store *st, const char *uuid,
    const char *name, const char *title, const char *description,
    int64_t *id_out) WUR;
/* By TAXII id, by name, by row id.  ERR_NOTFOUND when absent. */
enum err store_collection_get(struct store *st, const char *uuid,
    struct store_collection *out) WUR;
enum err store_collection_by_name(struct store *st, const char *name,
    struct store_collection *out) WUR;
enum err store_collection_by_id(struct store *st, int64_t id,
    struct store_collection *out) WUR;
/* All collections ordered by id; *out is new, free() it. */
enum err store_collection_list(struct store *st,
    struct store_collection **out, size_t *n_out) WUR;

/*
 * An object without created/modified (SCOs) has no version of its own: pass
 * STORE_VERSION_NONE and the store uses the date added as its version, and
 * treats the same content under the same id as the same version.
 */
#define STORE_VERSION_NONE	0

/*
 * What the policy needs of each version, kept beside it so deciding a read
 * never parses JSON (docs/agreements.md, "For the code that wires the
 * engine in"): its TLP level (enum agreement_tlp, 0 when unmarked; the
 * store keeps 0..STORE_TLP_MAX as given), its labels, and where it came
 * from.  Labels are kept as one byte string: each label followed by a NUL
 * ("a\0b\0"), at most STORE_LABELS_MAX bytes (longer lists are cut at a
 * label boundary by the caller).  producer is the key of the party that
 * made it, sender the key of the party this node received it from, under
 * the id of the agreement it was received under; all NULL for the node's
 * own objects.
 */
#define STORE_TLP_MAX		5
#define STORE_TLP_UNKNOWN	(-1)	/* a v2 row not yet backfilled */
#define STORE_LABELS_MAX	8192u
#define STORE_AGREEMENT_ID_MAX	47	/* "agreement--" + UUID */

/* One object version to add (all pointers borrowed for the call). */
struct store_obj_in {
	const char	*stix_id;
	const char	*type;
	int64_t		 version;	/* modified (or created) in us */
	const char	*json;		/* canonical JSON (RFC 8785) */
	size_t		 json_len;
	uint8_t		 hash[STORE_SHA256_BYTES]; /* SHA-256 of json */
	int		 tlp;		/* 0..STORE_TLP_MAX */
	const char	*labels;	/* NUL-terminated labels; NULL: none */
	size_t		 labels_len;	/* bytes, terminators included */
	const uint8_t	*producer;	/* 32 bytes or NULL */
	const uint8_t	*sender;	/* 32 bytes or NULL */
	const char	*under;		/* agreement id or NULL */
};

/* Outcome of one object in store_put_objects. */
enum store_put_result {
	STORE_PUT_ADDED = 0,	/* new version stored */
	STORE_PUT_DUPLICATE,	/* identical version already there */
	STORE_PUT_CONFLICT,	/* same id+version, different content */
};

/*
 * Add n object versions to collection coll_id in ONE transaction: either all
 * ADDED ones are stored or none (then an error is returned and results[] is
 * unspecified).  results[i] says what happened to objs[i];
 * date_added_out[i] (may be NULL) gets the version's date added (for
 * duplicates, the original one; 0 for conflicts).  Dates added are unique
 * across the node and strictly increase in the order objects are added.
 * ERR_DB, ERR_NOMEM, ERR_BUSY; ERR_NOTFOUND for an unknown collection or
 * party; ERR_INVALID / ERR_TOOBIG for a bad input (nothing is written).
 */
enum err store_put_objects(struct store *st, int64_t coll_id,
    int64_t party_id, const struct store_obj_in *objs, size_t n,
    enum store_put_result *results, int64_t *date_added_out) WUR;

/* Version selectors of a query (TAXII match[version]). */
#define STORE_VER_LAST	0x1
#define STORE_VER_FIRST	0x2
#define STORE_VER_ALL	0x4

struct store_query {
	int64_t		  coll_id;
	const char	**ids;		/* match[id]; n_ids == 0: any */
	size_t		  n_ids;
	const char	**types;	/* match[type]; n_types == 0: any */
	size_t		  n_types;
	unsigned	  ver_flags;	/* STORE_VER_*; 0 with n_versions
					 * == 0 means STORE_VER_LAST */
	const int64_t	 *versions;	/* exact versions, OR'ed with flags */
	size_t		  n_versions;
	int64_t		  after;	/* date_added > after; 0 for none */
	size_t		  limit;	/* 1..LIM_PAGE_MAX */
	int		  want_json;	/* 0: manifest rows only */
};

/*
 * One result row; strings point into the page's own storage.  The policy
 * fields (type, tlp, labels, producer, sender, under, coll_id) are filled
 * for every row, with or without JSON.
 */
struct store_row {
	int64_t		 date_added;
	int64_t		 version;
	const char	*stix_id;
	const char	*json;		/* NULL unless want_json */
	size_t		 json_len;
	uint8_t		 hash[STORE_SHA256_BYTES]; /* of json; 0 unless want_json */
	int64_t		 party_id;	/* who added it; 0 unless want_json */
	int64_t		 coll_id;
	const char	*type;
	int		 tlp;		/* or STORE_TLP_UNKNOWN */
	const char	*labels;	/* NULL when none */
	size_t		 labels_len;
	int		 has_producer, has_sender;
	uint8_t		 producer[32];
	uint8_t		 sender[32];
	const char	*under;		/* NULL when none */
};

struct store_page {
	struct store_row *rows;
	size_t		  n;
	int		  more;		/* rows exist past the last one */
	void		 *mem_;		/* backing storage, private */
};

/*
 * Run q and fill *page with at most q->limit rows ordered by date added,
 * oldest first; page->more says whether more matched.  A page may stop
 * early (more set) so its JSON stays under LIM_ENVELOPE_BYTES; it always
 * holds at least one row if any matched.  The caller frees the page with
 * store_page_free() (also after an error, which leaves it empty).
 * ERR_RANGE for a limit outside 1..LIM_PAGE_MAX, ERR_TOOBIG for more than
 * LIM_MATCH_VALUES ids, types or versions.
 */
enum err store_query_objects(struct store *st, const struct store_query *q,
    struct store_page *page) WUR;
void store_page_free(struct store_page *page);

/*
 * Delete the versions of stix_id in coll_id selected by ver_flags/versions
 * (as in store_query).  *n_deleted gets how many were removed (0 is not an
 * error: the caller decides whether that is a 404).
 */
enum err store_delete_object(struct store *st, int64_t coll_id,
    const char *stix_id, unsigned ver_flags, const int64_t *versions,
    size_t n_versions, size_t *n_deleted) WUR;

/*
 * The latest version of stix_id in each collection that holds it (at most
 * cap rows, by collection id), with the policy fields and, with want_json,
 * the JSON.  For the objects a sighting or a note refers to, and for
 * `entente policy explain|who`.  The caller frees the page.
 */
enum err store_object_find(struct store *st, const char *stix_id,
    int want_json, size_t cap, struct store_page *page) WUR;

/*
 * Rows migrated from schema v2 have tlp STORE_TLP_UNKNOWN and no labels
 * (the store does not read STIX).  pending: up to cap such rows with
 * date_added > after, oldest first, with their JSON.  set: record a row's
 * tlp and labels.  The node backfills them at start (policy/node.h).
 */
enum err store_obj_meta_pending(struct store *st, int64_t after, size_t cap,
    struct store_page *page) WUR;
enum err store_obj_meta_set(struct store *st, int64_t date_added, int tlp,
    const char *labels, size_t labels_len) WUR;

/*
 * Retention: delete every version received under agreement id `under`
 * whose date added is before cutoff, keeping the first/last flags and
 * counts right, as store_delete_object does.  *n_deleted gets how many
 * went.  Batched by the caller: at most max rows per call.
 */
enum err store_purge_received(struct store *st, const char *under,
    int64_t cutoff, size_t max, size_t *n_deleted) WUR;

/* Objects in a collection (all versions). */
enum err store_count_objects(struct store *st, int64_t coll_id,
    int64_t *n_out) WUR;

/*
 * TAXII status resources.  The body is the status JSON without its volatile
 * parts; the taxii layer builds and reads it.  put inserts or replaces.
 * get: ERR_NOTFOUND when absent or expired; *json_out is new (free()).
 * purge removes statuses created before cutoff and returns how many went.
 */
enum err store_status_put(struct store *st, const char *uuid,
    int64_t party_id, int64_t created, const char *json, size_t len) WUR;
enum err store_status_get(struct store *st, const char *uuid,
    int64_t *party_id, int64_t *created, char **json_out,
    size_t *len_out) WUR;
enum err store_status_purge(struct store *st, int64_t cutoff,
    size_t *n_purged) WUR;

/*
 * Installed agreements (docs/agreements.md): one version per agreement
 * id, the document as installed (JSON text with its signatures), its hash
 * (SHA-256 of the RFC 8785 form without signatures), and the termination
 * record once one is installed.  Every change bumps the policy generation
 * (in the same transaction), which servers compare to rebuild their policy.
 */
struct store_agreement {
	char	 id[STORE_AGREEMENT_ID_MAX + 1];
	uint32_t version;
	uint8_t	 hash[STORE_SHA256_BYTES];
	int64_t	 installed;		/* us */
	int64_t	 terminated;		/* the record's time; INT64_MAX: none */
	char	*doc;			/* heap, NUL-terminated */
	size_t	 doc_len;
	char	*term;			/* heap record, or NULL */
	size_t	 term_len;
};
/*
 * Install a version: inserted, or replacing the row of a lower version
 * (its termination goes with it).  ERR_EXISTS when this or a higher
 * version is installed; ERR_INVALID for a bad id or empty document.
 */
enum err store_agreement_put(struct store *st, const char *id,
    uint32_t version, const uint8_t hash[STORE_SHA256_BYTES],
    const char *doc, size_t doc_len, int64_t installed) WUR;
/* ERR_NOTFOUND when not installed.  Free with store_agreement_clear(). */
enum err store_agreement_get(struct store *st, const char *id,
    struct store_agreement *out) WUR;
/* Every installed agreement, by id; free with store_agreement_list_free. */
enum err store_agreement_list(struct store *st, struct store_agreement **out,
    size_t *n_out) WUR;
void store_agreement_clear(struct store_agreement *a);
void store_agreement_list_free(struct store_agreement *v, size_t n);
/*
 * Record the termination of version `version` of id at time.
 * ERR_NOTFOUND when that version is not the installed one; ERR_EXISTS
 * when it is already terminated (the first record stands).
 */
enum err store_agreement_terminate(struct store *st, const char *id,
    uint32_t version, int64_t time, const char *record,
    size_t record_len) WUR;
/* The policy generation: changes whenever agreements change. */
enum err store_policy_gen(struct store *st, int64_t *gen_out) WUR;

/*
 * Transparency log storage.  tlog/ computes hashes, proofs and
 * checkpoints; the store keeps them.  Node (level, index) is the RFC 6962
 * hash of the complete subtree over leaves [index << level, (index + 1) <<
 * level): level 0 holds the leaf hashes, tlog_append puts the others.
 * Each leaf also keeps its encoded bytes (docs/log.md).  Sizes and indexes
 * are below STORE_TLOG_MAX_INDEX.
 *
 * Appends happen inside the caller's write transaction (store_begin) and
 * are kept in memory by the connection until store_commit writes them, in
 * that transaction, just before COMMIT; store_rollback forgets them.  Reads
 * on the same connection see them at once.  The layout (C2SP tlog-tiles
 * tiles of 256 hashes per row, with their inner levels; leaf bytes in
 * bundles) is in docs/internals/TLOG.md, "Storage".
 */
#define STORE_TLOG_MAX_INDEX	(UINT64_C(1) << 48)
#define STORE_TLOG_MAX_LEVEL	47u	/* nodes of a tree below 2^48 */
#define STORE_TLOG_LEAF_MAX	65535u	/* C2SP tlog-tiles entry limit */
#define STORE_TLOG_NOTE_MAX	(64u * 1024u)
#define STORE_TLOG_LINE_MAX	512u	/* one signature line */
#define STORE_TLOG_VKEY_MAX	400u
#define STORE_TLOG_COSIGS_MAX	1000u	/* cosignatures listed per checkpoint */
/* Tiles: levels 8t .. 8t + 7 over 256 nodes of level 8t; 510 hashes full. */
#define STORE_TLOG_TILE_HEIGHT	8u
#define STORE_TLOG_TILE_WIDTH	256u
#define STORE_TLOG_TILE_HASHES	510u

/*
 * The number of leaves (the tree size), this transaction's appends
 * included.
 */
enum err store_tlog_size(struct store *st, uint64_t *size_out) WUR;
/*
 * Add leaf number index, which must be the current size (ERR_EXISTS when
 * taken, ERR_INVALID past it), with its leaf hash and its bytes.  Then put
 * the inner nodes it completes (store_tlog_node_put) before committing.
 * ERR_TOOBIG past the entry limit, ERR_RANGE past STORE_TLOG_MAX_INDEX,
 * ERR_INVALID outside a write transaction; these leave nothing changed.
 * A failure once the leaf is being stored (ERR_NOMEM, ERR_DB, ...) breaks
 * the transaction: further appends and store_commit fail with ERR_DB.
 */
enum err store_tlog_leaf_add(struct store *st, uint64_t index,
    const uint8_t hash[STORE_SHA256_BYTES], const void *data,
    size_t len) WUR;
/* Leaf index: its hash into hash_out (may be NULL) and, when data_out is
 * not NULL, its bytes appended to data_out.  ERR_NOTFOUND past the end. */
enum err store_tlog_leaf_get(struct store *st, uint64_t index,
    uint8_t hash_out[STORE_SHA256_BYTES], struct buf *data_out) WUR;
/*
 * The lowest index of a leaf whose hash is hash; ERR_NOTFOUND if none.
 * There is no index on leaf hashes (it would cost every append a random
 * page): this scans two bytes per leaf, under 1 ms per million leaves.
 */
enum err store_tlog_leaf_find(struct store *st,
    const uint8_t hash[STORE_SHA256_BYTES], uint64_t *index_out) WUR;
/* Node (level, index), level 0 (a leaf hash) to STORE_TLOG_MAX_LEVEL.
 * ERR_NOTFOUND when the tree does not have it. */
enum err store_tlog_node_get(struct store *st, unsigned level,
    uint64_t index, uint8_t out[STORE_SHA256_BYTES]) WUR;
/*
 * Put inner node (level >= 1, index) completed by the last leaf added.
 * Nodes must come lowest level first, each the next of its level (as
 * tlog_append puts them): anything else is ERR_INVALID and, like any
 * failure here, breaks the transaction (store_commit fails).  ERR_RANGE
 * for a level or index no tree below STORE_TLOG_MAX_INDEX has.
 */
enum err store_tlog_node_put(struct store *st, unsigned level,
    uint64_t index, const uint8_t hash[STORE_SHA256_BYTES]) WUR;
/*
 * Forget what this connection keeps of the log in memory (tiles and
 * bundles read, the right edge), so that the next reads see the rows as
 * stored; tlog_tree_audit starts with it.  Nothing is forgotten while
 * appends are pending.  Can't fail.
 */
void store_tlog_uncache(struct store *st);
/*
 * Check what the hashes and leaves cannot show: for a tree of size
 * leaves, that every tile holds exactly the hashes the tree has (no more,
 * so none past the tree), and that the fingerprints store_tlog_leaf_find
 * scans match the leaf hashes.  Each problem found is passed to bad (a
 * sentence, borrowed for the call).  Inner node values are the caller's
 * to check.  Errors only when the check could not run.
 */
typedef void (*store_tlog_bad_fn)(void *arg, const char *msg);
enum err store_tlog_check(struct store *st, uint64_t size,
    store_tlog_bad_fn bad, void *arg) WUR;

/* A checkpoint as issued: the signed note's text is kept verbatim. */
struct store_tlog_cp {
	uint64_t	size;
	uint8_t		root[STORE_SHA256_BYTES];
	int64_t		issued;		/* us */
};
/* ERR_EXISTS when a checkpoint of that size exists. */
enum err store_tlog_cp_add(struct store *st, const struct store_tlog_cp *cp,
    const char *note, size_t note_len) WUR;
/* The checkpoint of the given size, or the latest with
 * STORE_TLOG_LATEST; its note appended to note_out when not NULL.
 * ERR_NOTFOUND when there is none. */
#define STORE_TLOG_LATEST	UINT64_MAX
enum err store_tlog_cp_get(struct store *st, uint64_t size,
    struct store_tlog_cp *out, struct buf *note_out) WUR;
/* The checkpoint with the smallest size above after (-1: from the start);
 * ERR_NOTFOUND past the last. */
enum err store_tlog_cp_next(struct store *st, int64_t after,
    struct store_tlog_cp *out, struct buf *note_out) WUR;

/* A partner's cosignature of one of this node's checkpoints. */
struct store_tlog_cosig {
	int64_t	party_id;
	int64_t	received;		/* us */
	char	line[STORE_TLOG_LINE_MAX + 1];	/* "— name sig", no newline */
};
/* Record (or replace) party_id's cosignature line of checkpoint size.
 * ERR_NOTFOUND when no such checkpoint or party. */
enum err store_tlog_cosig_put(struct store *st, uint64_t size,
    int64_t party_id, const char *line, int64_t received) WUR;
/* Cosignatures of checkpoint size, by party id; *out is new (free()). */
enum err store_tlog_cosig_list(struct store *st, uint64_t size,
    struct store_tlog_cosig **out, size_t *n_out) WUR;

/*
 * Partners' checkpoints this node has seen, by the partner log's verifier
 * key (tlog note vkey text).  add: ERR_EXISTS when one of that size is
 * stored (the caller compares roots first).  get: size STORE_TLOG_LATEST
 * for the largest; the note appended to note_out when not NULL.
 */
enum err store_tlog_seen_add(struct store *st, const char *vkey,
    uint64_t size, const uint8_t root[STORE_SHA256_BYTES], const char *note,
    size_t note_len, int64_t seen) WUR;
enum err store_tlog_seen_get(struct store *st, const char *vkey,
    uint64_t size, uint64_t *size_out, uint8_t root_out[STORE_SHA256_BYTES],
    struct buf *note_out) WUR;

/*
 * Leaves of partners' logs that record what this node received from them
 * (filled by sync), to be proved included in their logs.  pending: up to
 * cap not yet verified rows of vkey with id > after_id, oldest first.
 */
struct store_tlog_recv {
	int64_t		id;
	uint64_t	leaf_index;
	uint8_t		leaf_hash[STORE_SHA256_BYTES];
};
enum err store_tlog_recv_add(struct store *st, const char *vkey,
    uint64_t leaf_index, const uint8_t leaf_hash[STORE_SHA256_BYTES],
    int64_t received) WUR;
enum err store_tlog_recv_pending(struct store *st, const char *vkey,
    int64_t after_id, struct store_tlog_recv *out, size_t cap,
    size_t *n_out) WUR;
/* Mark row id verified at tree size. */
enum err store_tlog_recv_mark(struct store *st, int64_t id,
    uint64_t size) WUR;

/*
 * Partners' nodes this node syncs with (docs/sync.md).  A partner is a
 * party (role partner) with how to reach its node: the base URL of its
 * TAXII server ("https://host:port"), the bearer token it issued to this
 * node (a secret: stored as given, the database is mode 0600), and the
 * SHA-256 pin of its TLS public key (base64, as `entente whoami` prints
 * it; empty: use the system CAs).  State: STORE_PARTNER_OK, FAILING (the
 * last attempt failed: retried after backoff_until), HALTED (its log
 * contradicted what this node saw before: not synced again until a human
 * clears it; evidence names the file saved).
 */
#define STORE_URL_MAX		512
#define STORE_SECRET_MAX	256
#define STORE_PIN_MAX		64
#define STORE_ERROR_MAX		512
#define STORE_PATH_MAX		512
enum store_partner_state {
	STORE_PARTNER_OK = 0,
	STORE_PARTNER_FAILING = 1,
	STORE_PARTNER_HALTED = 2
};
struct store_partner {
	int64_t		party_id;
	char		url[STORE_URL_MAX + 1];
	char		token[STORE_SECRET_MAX + 1];
	char		tls_pin[STORE_PIN_MAX + 1];
	enum store_partner_state state;
	int64_t		added;
	int64_t		last_ok;	/* us of the last good sync, 0: never */
	int64_t		last_attempt;	/* us, 0: never */
	uint32_t	failures;	/* in a row */
	int64_t		backoff_until;	/* us */
	char		last_error[STORE_ERROR_MAX + 1];
	char		evidence[STORE_PATH_MAX + 1];
	uint64_t	n_received;	/* object versions stored from it */
	char		log_key[STORE_TLOG_VKEY_MAX + 1];	/* its log's
						 * verifier key; "": learnt at
						 * the first sync */
};
/* Add; ERR_EXISTS when party_id already has one, ERR_NOTFOUND for no such
 * partner party, ERR_INVALID for empty url or token, ERR_TOOBIG. */
enum err store_partner_add(struct store *st, int64_t party_id,
    const char *url, const char *token, const char *tls_pin) WUR;
/* ERR_NOTFOUND when party_id has none. */
enum err store_partner_get(struct store *st, int64_t party_id,
    struct store_partner *out) WUR;
/* All, by party id; *out is new (free()). */
enum err store_partner_list(struct store *st, struct store_partner **out,
    size_t *n_out) WUR;
/* Set the partner's log verifier key (text).  ERR_NOTFOUND. */
enum err store_partner_set_log_key(struct store *st, int64_t party_id,
    const char *log_key) WUR;
/* Remove the partner and its sync cursors (the party stays). */
enum err store_partner_remove(struct store *st, int64_t party_id) WUR;
/*
 * Record the outcome of one sync attempt at time now: ok (state OK,
 * failures 0, last_ok now, n_received += n_new), failing (failures + 1,
 * backoff_until, error text) or halted (with the evidence path).
 */
enum err store_partner_result(struct store *st, int64_t party_id,
    enum store_partner_state state, int64_t now, int64_t backoff_until,
    const char *error, const char *evidence, uint64_t n_new) WUR;

/*
 * Where a pull from one of a partner's collections stands: the
 * X-TAXII-Date-Added-Last of the last page stored (us, 0: from the
 * start).  Put in the transaction that stores the page, so a restart
 * resumes exactly after what was stored.
 */
enum err store_sync_cursor_get(struct store *st, int64_t party_id,
    const char *coll_uuid, int64_t *after_out) WUR;
enum err store_sync_cursor_put(struct store *st, int64_t party_id,
    const char *coll_uuid, int64_t after) WUR;

#endif
