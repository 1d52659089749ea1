/*
 * taxii.c: routing and the TAXII 2.1 resources: discovery, API root,
 * collections, objects (GET, POST), object by id (GET, DELETE), versions,
 * manifest and status.
 *
 * Permissions come from the agreements in force (policy/policy.h): the
 * node's own party reads and writes everything; a partner sees a collection
 * only when a share clause in force lists it, in either direction (404
 * otherwise, so collections are not disclosed), reads each object only
 * when policy_read allows it (the others are left out of pages as if they
 * were not there), writes each object only when policy_write allows it
 * (the others fail in the status with the reasons), and deletes nothing.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "stix/jcs.h"
#include "stix/stix.h"
#include "taxii/taxii_int.h"
#include "tlog/leaf.h"
#include "util/jsonmem.h"
#include "util/uuid.h"

#define PATH_SEGS	8
/* A partner's page: at most this many store fetches to fill it. */
#define FILTER_FETCHES	16
/* Labels of one object the read decision looks at (more only deny). */
#define ROW_LABELS	256

struct access {
	struct store_collection	coll;
	int			can_read;
	int			can_write;
};

void
taxii_resp_init(struct taxii_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body, (size_t)LIM_ENVELOPE_BYTES * 4);
}

void
taxii_resp_free(struct taxii_resp *resp)
{
	buf_reset(&resp->body);
}

enum err
taxii_fail(struct taxii_resp *resp, enum err err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(resp->msg, sizeof(resp->msg), fmt, ap);
	va_end(ap);
	buf_reset(&resp->body);
	return err;
}

/* Serialize j (stolen) compactly into resp->body. */
static enum err
send_json(struct taxii_resp *resp, int status, json_t *j)
{
	enum err err;

	if (j == NULL)
		return ERR_NOMEM;
	err = jsonmem_dump(j, &resp->body);
	json_decref(j);
	resp->status = status;
	return err;
}

/*
 * Split path into segments: "/taxii2/api/x/" -> {"taxii2","api","x"}.
 * Empty segments other than a trailing one make it unroutable.
 */
static int
split_path(const char *path, char *copy, size_t cap, char **seg)
{
	size_t len = strlen(path), n = 0;
	char *p;

	if (len == 0 || len >= cap || path[0] != '/')
		return -1;
	memcpy(copy, path + 1, len);	/* includes the NUL */
	p = copy;
	while (*p != '\0') {
		char *slash = strchr(p, '/');
		if (n == PATH_SEGS)
			return -1;
		seg[n++] = p;
		if (slash == NULL)
			break;
		*slash = '\0';
		p = slash + 1;
		if (*p == '/')
			return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (seg[i][0] == '\0')
			return -1;
	return (int)n;
}

static int
is_self(const struct taxii_ctx *ctx)
{
	return ctx->party->role == STORE_ROLE_SELF;
}

/*
 * What the caller may do in a->coll: everything for the node's own party,
 * else what the share clauses in force that list the collection allow.
 */
static enum err
grants_of(const struct taxii_ctx *ctx, struct access *a)
{
	a->can_read = a->can_write = 0;
	if (is_self(ctx)) {
		a->can_read = a->can_write = 1;
		return ERR_OK;
	}
	if (ctx->pol != NULL)
		policy_collection_access(ctx->pol, ctx->party->pubkey,
		    a->coll.name, ctx->now, &a->can_read, &a->can_write);
	return ERR_OK;
}

/* May the calling partner read stored row r of a->coll? */
static int
row_readable(const struct taxii_ctx *ctx, const struct access *a,
    const struct store_row *r)
{
	const char *labels[ROW_LABELS];
	struct policy_object o;

	if (is_self(ctx))
		return 1;
	if (ctx->pol == NULL)
		return 0;
	node_object_from_row(r, a->coll.name, labels, ROW_LABELS, &o);
	return policy_read(ctx->pol, ctx->party->pubkey, &o, ctx->now, NULL,
	    NULL);
}

static enum err
collection_access(const struct taxii_ctx *ctx, const char *uuid,
    struct access *a, struct taxii_resp *resp)
{
	enum err err;

	if (!uuid_valid(uuid, strlen(uuid)))
		return taxii_fail(resp, ERR_NOTFOUND, "no collection '%.64s'", uuid);
	err = store_collection_get(ctx->st, uuid, &a->coll);
	if (err == ERR_NOTFOUND)
		return taxii_fail(resp, err, "no collection '%.64s'", uuid);
	if (err != ERR_OK)
		return taxii_fail(resp, err, "cannot read collections");
	if ((err = grants_of(ctx, a)) != ERR_OK)
		return taxii_fail(resp, err, "cannot read permissions");
	if (!a->can_read && !a->can_write)
		return taxii_fail(resp, ERR_NOTFOUND, "no collection '%.64s'", uuid);
	return ERR_OK;
}

static json_t *
collection_json(const struct access *a)
{
	json_t *j;

	j = json_pack("{s:s, s:s, s:b, s:b, s:[s]}", "id", a->coll.uuid,
	    "title", a->coll.title, "can_read", a->can_read, "can_write",
	    a->can_write, "media_types", STIX_MEDIA_TYPE);
	if (j != NULL && a->coll.description[0] != '\0' &&
	    json_object_set_new(j, "description",
	    json_string(a->coll.description)) != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static enum err
h_discovery(const struct taxii_ctx *ctx, struct taxii_resp *resp)
{
	char root[512];
	int n;

	n = snprintf(root, sizeof(root), "%s%s", ctx->base_url,
	    TAXII_API_ROOT_PATH);
	if (n < 0 || (size_t)n >= sizeof(root))
		return taxii_fail(resp, ERR_TOOBIG, "host name too long");
	return send_json(resp, 200, json_pack("{s:s, s:s, s:s, s:[s]}",
	    "title", ctx->title, "description", "entente node: STIX 2.1 "
	    "exchange under co-signed agreements", "default", root,
	    "api_roots", root));
}

static enum err
h_api_root(const struct taxii_ctx *ctx, struct taxii_resp *resp)
{
	return send_json(resp, 200, json_pack("{s:s, s:s, s:[s], s:I}",
	    "title", ctx->title, "description", "entente API root",
	    "versions", TAXII_MEDIA_TYPE, "max_content_length",
	    (json_int_t)LIM_ENVELOPE_BYTES));
}

static enum err
h_collections(const struct taxii_ctx *ctx, struct taxii_resp *resp)
{
	struct store_collection *c = NULL;
	struct access a;
	json_t *arr = NULL, *top;
	size_t n = 0;
	enum err err;

	if ((err = store_collection_list(ctx->st, &c, &n)) != ERR_OK)
		return taxii_fail(resp, err, "cannot read collections");
	if ((arr = json_array()) == NULL) {
		err = ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		a.coll = c[i];
		if ((err = grants_of(ctx, &a)) != ERR_OK)
			goto out;
		if (!a.can_read && !a.can_write)
			continue;
		if (json_array_append_new(arr, collection_json(&a)) != 0) {
			err = ERR_NOMEM;
			goto out;
		}
	}
	if (json_array_size(arr) == 0)
		top = json_object();	/* TAXII: empty is {} */
	else
		top = json_pack("{s:O}", "collections", arr);
	err = send_json(resp, 200, top);
out:
	json_decref(arr);
	free(c);
	return err;
}

/*
 * Digest of everything that defines a paged query except its position and
 * page size, so a cursor only continues the query it came from.
 */
static void
query_digest(const char *tag, const char *coll, const char *oid,
    const struct taxii_req *req, uint8_t out[16])
{
	static const char *const keys[] = { "match[id]", "match[type]",
	    "match[version]", "match[spec_version]", "added_after" };
	uint8_t h[CRYPTO_SHA256_BYTES];
	struct buf b;

	buf_init(&b, LIM_QUERY_BYTES + 1024);
	if (buf_addf(&b, "%s\n%s\n%s\n", tag, coll, oid ? oid : "") != ERR_OK)
		goto done;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		for (size_t i = 0; i < req->n_params; i++)
			if (strcmp(req->params[i].key, keys[k]) == 0 &&
			    buf_addf(&b, "%s=%s\n", keys[k],
			    req->params[i].value) != ERR_OK)
				goto done;
done:
	/* On overflow b is empty: the digest still differs from any real
	 * query's because the tag line is missing. */
	crypto_sha256(b.ptr ? b.ptr : "", b.len, h);
	memcpy(out, h, 16);
	buf_reset(&b);
}

/*
 * The rows of one response: for the node's own party one store page; for
 * a partner, the rows it may read out of up to FILTER_FETCHES pages, so a
 * page is not cut short by what the partner may not see.  more and last
 * say whether rows remain past the last one looked at, and where to go on.
 */
struct rows {
	struct store_page	 pg[FILTER_FETCHES];
	size_t			 n_pg;
	const struct store_row	**v;
	size_t			 n;
	int			 more;
	int64_t			 last;	/* date added of the last row seen */
};

static void
rows_free(struct rows *rs)
{
	for (size_t i = 0; i < rs->n_pg; i++)
		store_page_free(&rs->pg[i]);
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

/* Run q (q->after moves on) and keep the rows the caller may read. */
static enum err
rows_fetch(const struct taxii_ctx *ctx, const struct access *a,
    struct store_query *q, struct rows *rs)
{
	size_t bytes = 0, limit = q->limit;
	enum err err;

	memset(rs, 0, sizeof(*rs));
	if ((rs->v = calloc(limit, sizeof(*rs->v))) == NULL)
		return ERR_NOMEM;
	for (;;) {
		struct store_page *pg = &rs->pg[rs->n_pg];
		size_t i;

		memset(pg, 0, sizeof(*pg));
		q->limit = limit - rs->n;
		if ((err = store_query_objects(ctx->st, q, pg)) != ERR_OK)
			return err;
		rs->n_pg++;
		rs->more = pg->more;
		for (i = 0; i < pg->n; i++) {
			const struct store_row *r = &pg->rows[i];

			if (rs->n > 0 && r->json_len > LIM_ENVELOPE_BYTES -
			    bytes) {
				rs->more = 1;	/* the rest next time */
				return ERR_OK;
			}
			rs->last = r->date_added;
			if (!row_readable(ctx, a, r))
				continue;
			rs->v[rs->n++] = r;
			bytes += r->json_len;
		}
		if (!rs->more || rs->n == limit || rs->n_pg == FILTER_FETCHES)
			return ERR_OK;
		q->after = rs->last;
	}
}

/* Set the X-TAXII-Date-Added-* values from the rows. */
static void
page_dates(const struct rows *rs, struct taxii_resp *resp)
{
	if (rs->n == 0)
		return;
	resp->has_dates = 1;
	ts_format(rs->v[0]->date_added, resp->date_first);
	ts_format(rs->v[rs->n - 1]->date_added, resp->date_last);
}

enum page_kind { PAGE_OBJECTS, PAGE_MANIFEST, PAGE_VERSIONS };

/*
 * Write a paged response: {"more":..,"next":..,"objects"|"versions":[..]},
 * or {} when empty and nothing remains.
 */
static enum err
write_page(const struct taxii_ctx *ctx, const struct rows *rs,
    enum page_kind kind, const uint8_t digest[16], struct taxii_resp *resp)
{
	char next[TAXII_CURSOR_LEN + 1], ts[TS_BUFSZ], ts2[TS_BUFSZ];
	struct buf *b = &resp->body;
	enum err err;

	resp->status = 200;
	if (rs->n == 0 && !rs->more)
		return buf_addstr(b, "{}");
	page_dates(rs, resp);
	if ((err = buf_addf(b, "{\"more\":%s", rs->more ? "true" : "false")) !=
	    ERR_OK)
		return err;
	if (rs->more) {
		err = taxii_cursor_make(ctx->cursor_key, digest, rs->last,
		    next);
		if (err != ERR_OK ||
		    (err = buf_addf(b, ",\"next\":\"%s\"", next)) != ERR_OK)
			return err;
	}
	if (rs->n == 0)
		return buf_addc(b, '}');
	err = buf_addstr(b, kind == PAGE_VERSIONS ? ",\"versions\":[" :
	    ",\"objects\":[");
	for (size_t i = 0; err == ERR_OK && i < rs->n; i++) {
		const struct store_row *r = rs->v[i];

		if (i > 0 && (err = buf_addc(b, ',')) != ERR_OK)
			break;
		switch (kind) {
		case PAGE_OBJECTS:
			err = buf_add(b, r->json, r->json_len);
			break;
		case PAGE_VERSIONS:
			ts_format(r->version, ts);
			err = buf_addf(b, "\"%s\"", ts);
			break;
		case PAGE_MANIFEST:
			ts_format(r->date_added, ts);
			ts_format(r->version, ts2);
			/* Ids are validated STIX ids: no escaping needed. */
			err = buf_addf(b, "{\"date_added\":\"%s\",\"id\":\"%s\","
			    "\"media_type\":\"" STIX_MEDIA_TYPE "\","
			    "\"version\":\"%s\"}", ts, r->stix_id, ts2);
			break;
		}
	}
	if (err == ERR_OK)
		err = buf_addstr(b, "]}");
	return err;
}

/*
 * Record the release of the rows to the calling partner as one delivery
 * leaf, and wait until it is in the log: a response leaves only once its
 * delivery is logged.  On failure the page is withheld.
 */
static enum err
log_delivery(const struct taxii_ctx *ctx, const struct access *a,
    const struct rows *rs, struct taxii_resp *resp)
{
	uint8_t (*hashes)[TLOG_LEAF_HASH_BYTES];
	struct tlog_leaf l;
	uint64_t idx;
	enum err err;

	if (rs->n > TLOG_LEAF_MAX_DELIVERED)
		return taxii_fail(resp, ERR_DB, "page too large to log");
	if ((hashes = calloc(rs->n, sizeof(*hashes))) == NULL)
		return taxii_fail(resp, ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < rs->n; i++)
		memcpy(hashes[i], rs->v[i]->hash, TLOG_LEAF_HASH_BYTES);
	memset(&l, 0, sizeof(l));
	l.kind = TLOG_LEAF_DELIVERY;
	l.u.del.time = (uint64_t)ts_now_us();
	memcpy(l.u.del.recipient, ctx->party->pubkey, TLOG_LEAF_KEY_BYTES);
	l.u.del.n = rs->n;
	l.u.del.hashes = (const uint8_t (*)[TLOG_LEAF_HASH_BYTES])hashes;
	err = tlog_leaf_uuid_parse(a->coll.uuid, strlen(a->coll.uuid),
	    l.u.del.collection);
	if (err == ERR_OK)
		err = tlog_writer_deliver(ctx->log, &l, &idx);
	free(hashes);
	if (err != ERR_OK) {
		buf_clear(&resp->body);
		resp->has_dates = 0;
		return taxii_fail(resp, err == ERR_BUSY ? ERR_BUSY : ERR_DB,
		    "cannot record the delivery in the log; nothing was "
		    "delivered");
	}
	resp->has_delivery = 1;
	resp->delivery_index = idx;
	resp->delivery_time = (int64_t)l.u.del.time;
	return ERR_OK;
}

/*
 * Is there any version of object oid in a->coll the caller may read?  (A
 * partner is told "no such object" for an object it may not read at all,
 * exactly as for one that is not there.)
 */
static enum err
object_visible(const struct taxii_ctx *ctx, const struct access *a,
    const char *oid, int *visible)
{
	struct store_query q;
	struct rows rs;
	enum err err;

	*visible = 0;
	memset(&q, 0, sizeof(q));
	q.coll_id = a->coll.id;
	q.ids = &oid;
	q.n_ids = 1;
	q.ver_flags = STORE_VER_ALL;
	q.limit = LIM_PAGE_MAX;
	err = rows_fetch(ctx, a, &q, &rs);
	if (err == ERR_OK)
		*visible = rs.n > 0 || rs.more;
	rows_free(&rs);
	return err;
}

/*
 * Run a paged query for objects, manifest, object by id and versions.
 * oid is NULL for collection-wide queries.
 */
static enum err
paged_query(const struct taxii_ctx *ctx, const struct taxii_req *req,
    const struct access *a, const char *oid, enum page_kind kind,
    unsigned allowed, struct taxii_resp *resp)
{
	static const char *const tags[] = { "objects", "manifest",
	    "versions" };
	struct taxii_filter f;
	struct store_query q;
	struct rows rs;
	uint8_t digest[16];
	int64_t after;
	int visible;
	enum err err;
	char msg[200];

	memset(&rs, 0, sizeof(rs));
	msg[0] = '\0';
	err = taxii_filter_parse(req->params, req->n_params, allowed, &f,
	    msg, sizeof(msg));
	if (err != ERR_OK) {
		taxii_filter_free(&f);
		return taxii_fail(resp, err == ERR_NOMEM ? err : ERR_PARSE, "%s",
		    msg);
	}
	query_digest(oid != NULL && kind == PAGE_OBJECTS ? "object" :
	    tags[kind], a->coll.uuid, oid, req, digest);
	after = f.added_after;
	if (f.next != NULL && taxii_cursor_check(ctx->cursor_key, digest,
	    f.next, &after) != ERR_OK) {
		taxii_filter_free(&f);
		return taxii_fail(resp, ERR_PARSE, "next: not a cursor issued by "
		    "this server for this query");
	}
	memset(&q, 0, sizeof(q));
	q.coll_id = a->coll.id;
	q.ids = oid != NULL ? &oid : f.ids;
	q.n_ids = oid != NULL ? 1 : f.n_ids;
	q.types = f.types;
	q.n_types = f.n_types;
	q.ver_flags = kind == PAGE_VERSIONS ? STORE_VER_ALL : f.ver_flags;
	q.versions = f.versions;
	q.n_versions = kind == PAGE_VERSIONS ? 0 : f.n_versions;
	if (q.ver_flags == 0 && q.n_versions == 0)
		q.ver_flags = STORE_VER_LAST;
	q.after = after;
	q.limit = f.limit;
	q.want_json = kind == PAGE_OBJECTS;
	if (f.spec_21) {
		err = rows_fetch(ctx, a, &q, &rs);
		if (err != ERR_OK) {
			(void)taxii_fail(resp, err, "cannot query the store");
			goto out;
		}
	}
	if (rs.n == 0 && !rs.more && oid != NULL && f.next == NULL) {
		/* Distinguish "no such object" (404) from "filtered out". */
		err = object_visible(ctx, a, oid, &visible);
		if (err == ERR_OK && !visible)
			err = taxii_fail(resp, ERR_NOTFOUND, "no object '%.*s' in "
			    "this collection", LIM_STIX_ID, oid);
		else if (err != ERR_OK)
			(void)taxii_fail(resp, err, "cannot query the store");
		if (err != ERR_OK)
			goto out;
	}
	err = write_page(ctx, &rs, kind, digest, resp);
	if (err == ERR_OK && kind == PAGE_OBJECTS && rs.n > 0 &&
	    req->method == TAXII_GET && !is_self(ctx) && ctx->log != NULL)
		err = log_delivery(ctx, a, &rs, resp);
out:
	rows_free(&rs);
	taxii_filter_free(&f);
	return err;
}

static enum err
h_post_objects(const struct taxii_ctx *ctx, const struct taxii_req *req,
    const struct access *a, struct taxii_resp *resp)
{
	/* Who reads here may post sightings and notes (feedback); each
	 * object is then decided on its own. */
	if (!a->can_write && !a->can_read)
		return taxii_fail(resp, ERR_FORBIDDEN, "no write access to "
		    "collection %s", a->coll.uuid);
	return taxii_ingest(ctx, &a->coll, req->body, req->body_len, resp);
}

static enum err
h_delete_object(const struct taxii_ctx *ctx, const struct taxii_req *req,
    const struct access *a, const char *oid, struct taxii_resp *resp)
{
	struct taxii_filter f;
	size_t n = 0;
	unsigned flags;
	enum err err;
	char msg[200];

	/* What was shared stays on record: a partner withdraws an object
	 * by publishing a revoked version, not by deleting. */
	if (!is_self(ctx))
		return taxii_fail(resp, ERR_FORBIDDEN, "only this node's own "
		    "party deletes objects; publish a revoked version instead");
	msg[0] = '\0';
	err = taxii_filter_parse(req->params, req->n_params,
	    TAXII_P_VERSION | TAXII_P_SPEC, &f, msg, sizeof(msg));
	if (err != ERR_OK) {
		taxii_filter_free(&f);
		return taxii_fail(resp, err == ERR_NOMEM ? err : ERR_PARSE, "%s",
		    msg);
	}
	flags = f.ver_flags;
	if (flags == 0 && f.n_versions == 0)
		flags = STORE_VER_ALL;	/* DELETE without filter: all */
	if (f.spec_21)
		err = store_delete_object(ctx->st, a->coll.id, oid, flags,
		    f.versions, f.n_versions, &n);
	taxii_filter_free(&f);
	if (err != ERR_OK)
		return taxii_fail(resp, err, "cannot delete");
	if (n == 0)
		return taxii_fail(resp, ERR_NOTFOUND, "no matching version of "
		    "'%.*s' in this collection", LIM_STIX_ID, oid);
	resp->status = 200;
	return ERR_OK;
}

static enum err
h_status(const struct taxii_ctx *ctx, const char *sid,
    struct taxii_resp *resp)
{
	int64_t owner, created;
	char *json = NULL;
	size_t len;
	enum err err;

	if (!uuid_valid(sid, strlen(sid)))
		return taxii_fail(resp, ERR_NOTFOUND, "no status '%.64s'", sid);
	err = store_status_get(ctx->st, sid, &owner, &created, &json, &len);
	if (err == ERR_OK && owner != ctx->party->id && !is_self(ctx))
		err = ERR_NOTFOUND;
	if (err != ERR_OK) {
		free(json);
		return taxii_fail(resp, err, err == ERR_NOTFOUND ? "no status "
		    "'%.64s' (statuses are kept 7 days)" : "cannot read "
		    "status '%.64s'", sid);
	}
	err = buf_add(&resp->body, json, len);
	free(json);
	resp->status = 200;
	return err;
}

static enum err route(const struct taxii_ctx *, const struct taxii_req *,
    struct taxii_resp *);

#define ALL_FILTERS	(TAXII_P_ID | TAXII_P_TYPE | TAXII_P_VERSION | \
			 TAXII_P_SPEC | TAXII_P_AFTER | TAXII_P_LIMIT | \
			 TAXII_P_NEXT)

static int
is_read(enum taxii_method m)
{
	return m == TAXII_GET || m == TAXII_HEAD;
}

static enum err
route_collection(const struct taxii_ctx *ctx, const struct taxii_req *req,
    char **seg, int n, struct taxii_resp *resp)
{
	struct access a;
	enum err err;

	/* seg: taxii2 api collections ID [objects [OID [versions]]|manifest] */
	if ((err = collection_access(ctx, seg[3], &a, resp)) != ERR_OK)
		return err;
	if (n == 4) {
		if (!is_read(req->method))
			goto method_get;
		return send_json(resp, 200, collection_json(&a));
	}
	if (n == 5 && strcmp(seg[4], "objects") == 0) {
		if (req->method == TAXII_POST)
			return h_post_objects(ctx, req, &a, resp);
		if (!is_read(req->method)) {
			resp->allow = "GET, HEAD, POST";
			return taxii_fail(resp, ERR_METHOD, "use GET or POST");
		}
		if (!a.can_read)
			return taxii_fail(resp, ERR_FORBIDDEN, "no read access to "
			    "collection %s", a.coll.uuid);
		return paged_query(ctx, req, &a, NULL, PAGE_OBJECTS,
		    ALL_FILTERS, resp);
	}
	if (n == 5 && strcmp(seg[4], "manifest") == 0) {
		if (!is_read(req->method))
			goto method_get;
		if (!a.can_read)
			return taxii_fail(resp, ERR_FORBIDDEN, "no read access to "
			    "collection %s", a.coll.uuid);
		return paged_query(ctx, req, &a, NULL, PAGE_MANIFEST,
		    ALL_FILTERS, resp);
	}
	if ((n == 6 || n == 7) && strcmp(seg[4], "objects") == 0) {
		if (!stix_id_valid(seg[5]))
			return taxii_fail(resp, ERR_NOTFOUND, "'%.*s' is not a STIX "
			    "identifier", LIM_STIX_ID, seg[5]);
		if (n == 7) {
			if (strcmp(seg[6], "versions") != 0)
				goto notfound;
			if (!is_read(req->method))
				goto method_get;
			if (!a.can_read)
				return taxii_fail(resp, ERR_FORBIDDEN, "no read "
				    "access to collection %s", a.coll.uuid);
			return paged_query(ctx, req, &a, seg[5],
			    PAGE_VERSIONS, TAXII_P_SPEC | TAXII_P_AFTER |
			    TAXII_P_LIMIT | TAXII_P_NEXT, resp);
		}
		if (req->method == TAXII_DELETE)
			return h_delete_object(ctx, req, &a, seg[5], resp);
		if (!is_read(req->method)) {
			resp->allow = "GET, HEAD, DELETE";
			return taxii_fail(resp, ERR_METHOD, "use GET or DELETE");
		}
		if (!a.can_read)
			return taxii_fail(resp, ERR_FORBIDDEN, "no read access to "
			    "collection %s", a.coll.uuid);
		return paged_query(ctx, req, &a, seg[5], PAGE_OBJECTS,
		    TAXII_P_VERSION | TAXII_P_SPEC | TAXII_P_AFTER |
		    TAXII_P_LIMIT | TAXII_P_NEXT, resp);
	}
notfound:
	return taxii_fail(resp, ERR_NOTFOUND, "no such resource");
method_get:
	resp->allow = "GET, HEAD";
	return taxii_fail(resp, ERR_METHOD, "only GET is supported here");
}

/*
 * Handle req with the policy in force: a partner's request takes the
 * node's current policy (rebuilt first if agreements changed) and one
 * decision time for all it does.
 */
enum err
taxii_handle(const struct taxii_ctx *ctx0, const struct taxii_req *req,
    struct taxii_resp *resp)
{
	struct taxii_ctx c = *ctx0;
	enum err err;

	c.pol = NULL;
	c.now = ts_now_us();
	if (c.party->role != STORE_ROLE_SELF && c.policy != NULL &&
	    (err = node_policy_acquire(c.policy, c.st, &c.pol)) != ERR_OK)
		return taxii_fail(resp, err, "cannot read the agreements");
	err = route(&c, req, resp);
	if (c.pol != NULL)
		node_policy_release(c.policy, c.pol);
	return err;
}

static enum err
route(const struct taxii_ctx *ctx, const struct taxii_req *req,
    struct taxii_resp *resp)
{
	char copy[LIM_PATH_BYTES + 1];
	char *seg[PATH_SEGS];
	int n;

	if (taxii_is_log_path(req->path))
		return taxii_log_handle(ctx, req, resp);
	n = split_path(req->path, copy, sizeof(copy), seg);
	if (n < 1 || strcmp(seg[0], "taxii2") != 0)
		return taxii_fail(resp, ERR_NOTFOUND, "no such resource");
	if (n >= 2 && strcmp(seg[1], "api") != 0)
		return taxii_fail(resp, ERR_NOTFOUND, "no API root '%.64s'", seg[1]);
	if (n <= 2 || (n == 3 && strcmp(seg[2], "collections") == 0) ||
	    (n == 4 && strcmp(seg[2], "status") == 0)) {
		if (!is_read(req->method)) {
			resp->allow = "GET, HEAD";
			return taxii_fail(resp, ERR_METHOD, "only GET is supported "
			    "here");
		}
		if (n == 1)
			return h_discovery(ctx, resp);
		if (n == 2)
			return h_api_root(ctx, resp);
		if (n == 3)
			return h_collections(ctx, resp);
		return h_status(ctx, seg[3], resp);
	}
	if (n >= 4 && strcmp(seg[2], "collections") == 0)
		return route_collection(ctx, req, seg, n, resp);
	return taxii_fail(resp, ERR_NOTFOUND, "no such resource");
}
