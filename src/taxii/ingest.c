/*
 * ingest.c: POST objects.  An envelope is scanned for the byte ranges of its
 * objects (taxii_envelope_scan), then each object is parsed, checked
 * (limits, STIX validation), put in RFC 8785 canonical form and hashed.
 * Large envelopes are cut into chunks checked on two threads while the
 * request's thread stores the checked chunks in order, all in one
 * transaction (see struct pipe).  Each object's tree is freed as soon as it is canonical, so
 * memory stays near the body size.  Bodies the scanner does not vouch for
 * go through one jansson parse of the whole body instead.
 *
 * What a partner writes is decided object by object (policy_write): the
 * checking threads also note each object's TLP, labels, created_by_ref and
 * the objects a sighting or note refers to; the storing thread looks those
 * up and asks the policy, and what is refused fails in the status with
 * the reasons.  Each stored version records who produced and sent it and
 * under which agreement, for later reads.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "stix/jcs.h"
#include "stix/stix.h"
#include "taxii/taxii_int.h"
#include "tlog/leaf.h"
#include "tlog/merkle.h"
#include "tlog/tree.h"
#include "util/jsonmem.h"
#include "util/uuid.h"

#define JSON_FLAGS	(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)
/* Objects a partner's sighting or note may refer to. */
#define INGEST_MAX_REFS		100u
/* Labels of a referenced object the write decision looks at. */
#define REF_LABELS		64u
/* Labels of a written object the write decision looks at. */
#define OBJ_LABELS		256u
#define NO_OFF			SIZE_MAX

/* A valid object: strings and canonical JSON live in its part's buffer. */
struct good {
	size_t	index;
	size_t	id_off;
	size_t	type_off;
	size_t	json_off;
	size_t	json_len;
	int64_t	version;
	uint8_t	hash[CRYPTO_SHA256_BYTES];
	int	tlp;
	size_t	labels_off, labels_len;	/* "a\0b\0" */
	size_t	cbr_off;		/* created_by_ref, or NO_OFF */
	size_t	refs_off, n_refs;	/* ids referred to, "x\0y\0" */
};

/* A rejected object: "id\0version\0reason\0" in the part's buffer. */
struct bad {
	size_t	index;
	size_t	off;
};

/* The objects [lo, hi) of an envelope, as one thread checks them. */
struct part {
	const char		*body;
	const struct taxii_span	*spans;	/* NULL: use elems */
	json_t			*elems;	/* the parsed "objects" (slow path) */
	size_t			 lo, hi;
	struct buf		 mem;	/* canonical JSON and strings */
	struct good		*good;
	size_t			 n_good;
	struct bad		*bad;
	size_t			 n_bad;
	enum err		 err;	/* ERR_PARSE: an element did not
					 * parse: fall back */
};

static enum err
add_str(struct buf *b, const char *s, size_t *off)
{
	*off = b->len;
	return buf_add(b, s, strlen(s) + 1);
}

/* Record obj (may be any JSON value) as rejected with reason. */
static enum err
reject(struct part *pt, size_t index, const json_t *obj, const char *reason)
{
	char fallback[32], ts[TS_BUFSZ];
	const char *id = NULL, *m = NULL;
	struct bad *b = &pt->bad[pt->n_bad];
	int64_t us;
	size_t off;
	enum err err;

	if (json_is_object(obj)) {
		id = json_string_value(json_object_get(obj, "id"));
		m = json_string_value(json_object_get(obj, "modified"));
		if (m == NULL)
			m = json_string_value(json_object_get(obj,
			    "created"));
	}
	if (id == NULL || strlen(id) > LIM_STIX_ID) {
		(void)snprintf(fallback, sizeof(fallback), "objects[%zu]",
		    index);
		id = fallback;
	}
	/* Versions are always emitted in one form (six digits). */
	ts[0] = '\0';
	if (m != NULL && ts_parse(m, strlen(m), &us, NULL) == ERR_OK)
		ts_format(us, ts);
	if ((err = add_str(&pt->mem, id, &off)) != ERR_OK ||
	    (err = buf_add(&pt->mem, ts, strlen(ts) + 1)) != ERR_OK ||
	    (err = buf_add(&pt->mem, reason, strlen(reason) + 1)) != ERR_OK)
		return err;
	b->index = index;
	b->off = off;
	pt->n_bad++;
	return ERR_OK;
}

/*
 * Note what the policy needs of a valid object: TLP and labels (as the
 * store keeps them), created_by_ref, and the ids a sighting
 * (sighting_of_ref) or a note (object_refs) refers to.
 */
static enum err
note_policy_fields(struct part *pt, const json_t *obj, const char *type,
    struct good *g)
{
	const json_t *cbr, *refs, *e;
	size_t i;
	enum err err;

	g->labels_off = pt->mem.len;
	if ((err = node_object_meta(obj, &g->tlp, &pt->mem)) != ERR_OK)
		return err;
	g->labels_len = pt->mem.len - g->labels_off;
	g->cbr_off = NO_OFF;
	cbr = json_object_get(obj, "created_by_ref");
	if (json_is_string(cbr) &&
	    (err = add_str(&pt->mem, json_string_value(cbr), &g->cbr_off)) !=
	    ERR_OK)
		return err;
	g->refs_off = pt->mem.len;
	g->n_refs = 0;
	if (strcmp(type, "sighting") == 0) {
		e = json_object_get(obj, "sighting_of_ref");
		if (json_is_string(e)) {
			if ((err = buf_add(&pt->mem, json_string_value(e),
			    strlen(json_string_value(e)) + 1)) != ERR_OK)
				return err;
			g->n_refs = 1;
		}
	} else if (strcmp(type, "note") == 0) {
		refs = json_object_get(obj, "object_refs");
		json_array_foreach(refs, i, e) {
			if (!json_is_string(e))
				continue;
			if ((err = buf_add(&pt->mem, json_string_value(e),
			    strlen(json_string_value(e)) + 1)) != ERR_OK)
				return err;
			g->n_refs++;
		}
	}
	return ERR_OK;
}

/* Check and canonicalize one object (borrowed). */
static enum err
check_one(struct part *pt, size_t index, const json_t *obj)
{
	struct stix_info info;
	struct good *g;
	char reason[256];
	size_t start;
	enum err err;

	if (!json_is_object(obj))
		return reject(pt, index, obj, "not a JSON object");
	reason[0] = '\0';
	if (stix_check_limits(obj, reason, sizeof(reason)) != ERR_OK ||
	    stix_validate(obj, &info, reason, sizeof(reason)) != ERR_OK)
		return reject(pt, index, obj, reason[0] != '\0' ? reason :
		    "invalid object");
	start = pt->mem.len;
	if ((err = jcs_serialize(obj, &pt->mem)) != ERR_OK)
		return err;	/* the buffer holds twice the body: can't be
				 * a single object's fault */
	if (pt->mem.len - start > LIM_OBJECT_BYTES) {
		pt->mem.len = start;
		(void)snprintf(reason, sizeof(reason), "object larger than %u "
		    "bytes", LIM_OBJECT_BYTES);
		return reject(pt, index, obj, reason);
	}
	g = &pt->good[pt->n_good];
	g->index = index;
	g->json_off = start;
	g->json_len = pt->mem.len - start;
	g->version = info.modified;
	crypto_sha256(pt->mem.ptr + start, g->json_len, g->hash);
	if ((err = add_str(&pt->mem, info.id, &g->id_off)) != ERR_OK ||
	    (err = add_str(&pt->mem, info.type, &g->type_off)) != ERR_OK ||
	    (err = note_policy_fields(pt, obj, info.type, g)) != ERR_OK)
		return err;
	pt->n_good++;
	return ERR_OK;
}

static void
part_run(struct part *pt)
{
	struct jsonmem_mark mark;
	json_error_t jerr;
	json_t *obj;

	pt->err = ERR_OK;
	for (size_t i = pt->lo; i < pt->hi && pt->err == ERR_OK; i++) {
		if (pt->spans == NULL) {
			pt->err = check_one(pt, i, json_array_get(pt->elems,
			    i));
			continue;
		}
		/* One tree at a time: its arena memory goes back after it. */
		mark = jsonmem_mark();
		obj = json_loadb(pt->body + pt->spans[i].off,
		    pt->spans[i].len, JSON_FLAGS, &jerr);
		if (obj == NULL) {
			jsonmem_rewind(mark);
			pt->err = ERR_PARSE;
			break;
		}
		pt->err = check_one(pt, i, obj);
		json_decref(obj);
		jsonmem_rewind(mark);
	}
}

static enum err
part_init(struct part *pt, const char *body, const struct taxii_span *spans,
    json_t *elems, size_t lo, size_t hi, size_t body_len)
{
	size_t n = hi - lo;

	memset(pt, 0, sizeof(*pt));
	pt->body = body;
	pt->spans = spans;
	pt->elems = elems;
	pt->lo = lo;
	pt->hi = hi;
	buf_init(&pt->mem, (size_t)LIM_ENVELOPE_BYTES * 2 + body_len);
	if (n == 0)
		return ERR_OK;
	pt->good = calloc(n, sizeof(*pt->good));
	pt->bad = calloc(n, sizeof(*pt->bad));
	return pt->good != NULL && pt->bad != NULL ? ERR_OK : ERR_NOMEM;
}

static void
part_free(struct part *pt)
{
	buf_reset(&pt->mem);
	free(pt->good);
	free(pt->bad);
	pt->good = NULL;
	pt->bad = NULL;
}

/* Status detail entry {"id","version"[,"message"]}. */
static int
detail_add(json_t *arr, const char *id, const char *version,
    const char *message)
{
	json_t *e;

	e = json_pack("{s:s, s:s}", "id", id, "version", version);
	if (e == NULL)
		return -1;
	if (message != NULL &&
	    json_object_set_new(e, "message", json_string(message)) != 0) {
		json_decref(e);
		return -1;
	}
	return json_array_append_new(arr, e);
}

/*
 * The objects of one envelope cut into chunks.  Two threads take chunks to
 * check in turn (an atomic counter); the request's own thread also stores
 * each chunk, in order, as soon as it is checked, inside one write
 * transaction for the whole envelope.  Storing thus overlaps checking, and
 * the envelope still commits, or not, as one.
 */
struct pipe {
	struct part	*parts;
	size_t		 n_parts;
	atomic_size_t	 next;		/* next chunk to claim */
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	unsigned char	*done;		/* per chunk, under mu */
	atomic_int	 stop;		/* a chunk failed: claim no more */
};

/* Check the next unclaimed chunk; 0 when none is left. */
static int
pipe_work(struct pipe *pp)
{
	size_t i;

	if (atomic_load(&pp->stop))
		return 0;
	i = atomic_fetch_add(&pp->next, 1);
	if (i >= pp->n_parts)
		return 0;
	part_run(&pp->parts[i]);
	if (pp->parts[i].err != ERR_OK)
		atomic_store(&pp->stop, 1);
	(void)pthread_mutex_lock(&pp->mu);
	pp->done[i] = 1;
	(void)pthread_cond_broadcast(&pp->cv);
	(void)pthread_mutex_unlock(&pp->mu);
	return 1;
}

static void *
pipe_thread(void *arg)
{
	jsonmem_begin();	/* every tree dies inside part_run */
	while (pipe_work(arg))
		;
	jsonmem_thread_done();	/* this thread ends here */
	return NULL;
}

/* Wait until chunk i is checked, checking others meanwhile. */
static void
pipe_wait(struct pipe *pp, size_t i)
{
	for (;;) {
		(void)pthread_mutex_lock(&pp->mu);
		if (pp->done[i]) {
			(void)pthread_mutex_unlock(&pp->mu);
			return;
		}
		(void)pthread_mutex_unlock(&pp->mu);
		if (pipe_work(pp))
			continue;
		(void)pthread_mutex_lock(&pp->mu);
		while (!pp->done[i])
			(void)pthread_cond_wait(&pp->cv, &pp->mu);
		(void)pthread_mutex_unlock(&pp->mu);
		return;
	}
}

/* Write the status of parts[] and the stored in[0..n_in). */
static enum err
status_write(const struct taxii_ctx *ctx, struct part *parts, size_t n_parts,
    const struct store_obj_in *in, const enum store_put_result *res,
    const int64_t *added, size_t n_in, size_t total,
    struct taxii_resp *resp)
{
	json_t *ok = NULL, *ko = NULL, *status = NULL;
	char sid[UUID_STRLEN + 1], ts[TS_BUFSZ];
	int64_t now = ts_now_us();
	uint8_t rnd[16];
	enum err err;

	if ((ok = json_array()) == NULL || (ko = json_array()) == NULL)
		goto nomem;
	for (size_t i = 0; i < n_in; i++) {
		ts_format(in[i].version != STORE_VERSION_NONE ?
		    in[i].version : added[i], ts);
		if (res[i] == STORE_PUT_CONFLICT) {
			if (detail_add(ko, in[i].stix_id, ts, "a different "
			    "object with this id and version is already "
			    "stored") != 0)
				goto nomem;
		} else if (detail_add(ok, in[i].stix_id, ts,
		    res[i] == STORE_PUT_DUPLICATE ? "already stored" :
		    NULL) != 0)
			goto nomem;
	}
	for (size_t p = 0; p < n_parts; p++)
		for (size_t i = 0; i < parts[p].n_bad; i++) {
			const char *id = parts[p].mem.ptr + parts[p].bad[i].off;
			const char *ver = id + strlen(id) + 1;
			const char *why = ver + strlen(ver) + 1;

			if (detail_add(ko, id, ver, why) != 0)
				goto nomem;
		}
	if ((err = crypto_random(rnd, sizeof(rnd))) != ERR_OK) {
		(void)taxii_fail(resp, err, "random generator failed");
		goto out;
	}
	uuid_v4_format(rnd, sid);
	ts_format(now, ts);
	status = json_pack("{s:s, s:s, s:s, s:I, s:I, s:O, s:I, s:O, s:I}",
	    "id", sid, "status", "complete", "request_timestamp", ts,
	    "total_count", (json_int_t)total,
	    "success_count", (json_int_t)json_array_size(ok),
	    "successes", ok,
	    "failure_count", (json_int_t)json_array_size(ko),
	    "failures", ko, "pending_count", (json_int_t)0);
	if (status == NULL)
		goto nomem;
	if ((err = jsonmem_dump(status, &resp->body)) != ERR_OK) {
		(void)taxii_fail(resp, err, "cannot write the status");
		goto out;
	}
	err = store_status_put(ctx->st, sid, ctx->party->id, now,
	    resp->body.ptr, resp->body.len);
	if (err != ERR_OK) {
		(void)taxii_fail(resp, err, "objects stored, but the status "
		    "could not be saved");
		goto out;
	}
	resp->status = 202;
	goto out;
nomem:
	err = taxii_fail(resp, ERR_NOMEM, "out of memory");
out:
	json_decref(status);
	json_decref(ok);
	json_decref(ko);
	return err;
}

/*
 * Append one object leaf (docs/log.md) for each version just added, in
 * the transaction that stores them: the log holds a leaf for a version if
 * and only if the version was stored.
 */
static enum err
log_added(const struct taxii_ctx *ctx, const struct store_collection *coll,
    struct tlog_appender *app, const struct store_obj_in *in,
    const enum store_put_result *res, const int64_t *added, size_t n)
{
	struct tlog_leaf l;
	enum err err;

	for (size_t i = 0; i < n; i++) {
		if (res[i] != STORE_PUT_ADDED)
			continue;
		err = tlog_leaf_object_set(&l, in[i].hash, added[i],
		    in[i].version != STORE_VERSION_NONE ? in[i].version :
		    added[i], coll->uuid, in[i].producer != NULL ?
		    in[i].producer : ctx->party->pubkey, in[i].stix_id);
		if (err == ERR_OK)
			err = tlog_appender_add_leaf(app, &l, NULL);
		if (err != ERR_OK)
			return err;
	}
	return ERR_OK;
}

/* Record a checked object of pt as refused by the policy. */
static enum err
refuse(struct part *pt, const struct good *g, const char *reason)
{
	struct bad *b = &pt->bad[pt->n_bad];
	char ts[TS_BUFSZ];
	size_t off;
	enum err err;

	ts[0] = '\0';
	if (g->version != STORE_VERSION_NONE)
		ts_format(g->version, ts);
	if ((err = add_str(&pt->mem, pt->mem.ptr + g->id_off, &off)) !=
	    ERR_OK || (err = buf_add(&pt->mem, ts, strlen(ts) + 1)) !=
	    ERR_OK || (err = buf_add(&pt->mem, reason, strlen(reason) + 1)) !=
	    ERR_OK)
		return err;
	b->index = g->index;
	b->off = off;
	pt->n_bad++;
	return ERR_OK;
}

/* What one write decision needs besides the object itself. */
struct wctx {
	struct store_page	 pages[INGEST_MAX_REFS];
	size_t			 n_pages;
	struct policy_object	 refs[INGEST_MAX_REFS];
	char			 names[INGEST_MAX_REFS][STORE_COLL_NAME_MAX + 1];
	const char		*labels[INGEST_MAX_REFS][REF_LABELS];
};

static void
wctx_clear(struct wctx *w)
{
	for (size_t i = 0; i < w->n_pages; i++)
		store_page_free(&w->pages[i]);
	w->n_pages = 0;
}

/*
 * Look up the objects g refers to, as stored, into w->refs: for each, the
 * latest version in the first collection where the writer may read it,
 * else in the first collection that has it.  Ids not stored are left out.
 */
static enum err
find_refs(const struct taxii_ctx *ctx, struct part *pt, const struct good *g,
    struct wctx *w, size_t *n_out)
{
	const char *id = pt->mem.ptr + g->refs_off;
	struct store_collection c;
	size_t n = 0;
	enum err err;

	*n_out = 0;
	for (size_t k = 0; k < g->n_refs; k++, id += strlen(id) + 1) {
		struct store_page *pg = &w->pages[w->n_pages];
		size_t pick = 0;

		memset(pg, 0, sizeof(*pg));
		if ((err = store_object_find(ctx->st, id, 0, 16, pg)) !=
		    ERR_OK) {
			store_page_free(pg);
			return err;
		}
		w->n_pages++;
		if (pg->n == 0)
			continue;
		for (size_t r = 0; r < pg->n; r++) {
			err = store_collection_by_id(ctx->st,
			    pg->rows[r].coll_id, &c);
			if (err != ERR_OK)
				return err;
			memcpy(w->names[n], c.name, sizeof(w->names[n]));
			node_object_from_row(&pg->rows[r], w->names[n],
			    w->labels[n], REF_LABELS, &w->refs[n]);
			if (policy_read(ctx->pol, ctx->party->pubkey,
			    &w->refs[n], ctx->now, NULL, NULL)) {
				pick = r;
				break;
			}
		}
		if (pick == 0 && pg->n > 0) {
			/* Nothing readable: judge the first one. */
			err = store_collection_by_id(ctx->st,
			    pg->rows[0].coll_id, &c);
			if (err != ERR_OK)
				return err;
			memcpy(w->names[n], c.name, sizeof(w->names[n]));
			node_object_from_row(&pg->rows[0], w->names[n],
			    w->labels[n], REF_LABELS, &w->refs[n]);
		}
		n++;
	}
	*n_out = n;
	return ERR_OK;
}

/*
 * May the calling partner write g into coll?  On yes *under gets the id
 * of the agreement that lets it; on no, reason (cap bytes) says why.
 */
static enum err
decide(const struct taxii_ctx *ctx, const struct store_collection *coll,
    struct part *pt, const struct good *g, struct wctx *w, int *allowed,
    const char **under, char *reason, size_t cap)
{
	const char *labels[OBJ_LABELS];
	struct policy_why_list *why = NULL;
	struct policy_grant grant;
	struct policy_object o;
	struct store_row row;
	size_t n_refs = 0, used;
	enum err err = ERR_OK;

	*allowed = 0;
	*under = NULL;
	if (ctx->pol == NULL) {
		(void)snprintf(reason, cap, "no agreement is in force");
		return ERR_OK;
	}
	if (g->n_refs > INGEST_MAX_REFS) {
		(void)snprintf(reason, cap, "refers to %zu objects; at most "
		    "%u are accepted from a partner", g->n_refs,
		    INGEST_MAX_REFS);
		return ERR_OK;
	}
	memset(&row, 0, sizeof(row));
	row.type = pt->mem.ptr + g->type_off;
	row.tlp = g->tlp;
	row.labels = g->labels_len > 0 ? pt->mem.ptr + g->labels_off : NULL;
	row.labels_len = g->labels_len;
	node_object_from_row(&row, coll->name, labels, OBJ_LABELS, &o);
	if (ctx->pull != NULL) {
		/* Pulled: the partner's node released it; keep it only if
		 * a clause from the partner to this node covers it. */
		*allowed = policy_receive(ctx->pol, ctx->party->pubkey, &o,
		    ctx->now, &grant, NULL);
		if (*allowed) {
			*under = policy_agreement_id(ctx->pol,
			    grant.agreement);
			goto out;
		}
		if ((why = malloc(sizeof(*why))) == NULL) {
			err = ERR_NOMEM;
			goto out;
		}
		(void)policy_receive(ctx->pol, ctx->party->pubkey, &o,
		    ctx->now, &grant, why);
		goto reasons;
	}
	if (g->n_refs > 0 && (err = find_refs(ctx, pt, g, w, &n_refs)) !=
	    ERR_OK)
		goto out;
	*allowed = policy_write(ctx->pol, ctx->party->pubkey, &o,
	    g->cbr_off != NO_OFF ? pt->mem.ptr + g->cbr_off : NULL, w->refs,
	    n_refs, ctx->now, &grant, NULL);
	if (*allowed) {
		if (grant.agreement != POLICY_NONE)
			*under = policy_agreement_id(ctx->pol,
			    grant.agreement);
		goto out;
	}
	/* Denied: ask again for the reasons (the decision is the same). */
	if ((why = malloc(sizeof(*why))) == NULL) {
		err = ERR_NOMEM;
		goto out;
	}
	(void)policy_write(ctx->pol, ctx->party->pubkey, &o,
	    g->cbr_off != NO_OFF ? pt->mem.ptr + g->cbr_off : NULL, w->refs,
	    n_refs, ctx->now, &grant, why);
reasons:
	used = (size_t)snprintf(reason, cap, "not allowed by the agreements "
	    "in force");
	for (size_t i = 0; i < why->n && i < 3 && used + 3 < cap; i++) {
		reason[used++] = i == 0 ? ':' : ';';
		reason[used++] = ' ';
		policy_reason_format(ctx->pol, &why->r[i], &o, reason + used,
		    cap - used);
		used += strlen(reason + used);
	}
out:
	free(why);
	wctx_clear(w);
	return err;
}

/*
 * Who produced g, as a key: the writer for what a partner posts (it must
 * be its own); for what sync pulls, the party of an agreement whose
 * identity is its created_by_ref, else the partner it came from.
 */
static const uint8_t *
producer_of(const struct taxii_ctx *ctx, const struct part *pt,
    const struct good *g)
{
	const uint8_t *k;

	if (ctx->pull == NULL || g->cbr_off == NO_OFF || ctx->pol == NULL)
		return ctx->party->pubkey;
	k = policy_identity_key(ctx->pol, pt->mem.ptr + g->cbr_off);
	return k != NULL ? k : ctx->party->pubkey;
}

/* The counts of a pull, and its first refusal. */
static void
pull_count(struct taxii_pull *pull, const struct part *parts,
    size_t n_parts, const enum store_put_result *res, size_t n_in)
{
	for (size_t i = 0; i < n_in; i++) {
		if (res[i] == STORE_PUT_ADDED)
			pull->n_added++;
		else if (res[i] == STORE_PUT_DUPLICATE)
			pull->n_dup++;
		else
			pull->n_refused++;
	}
	for (size_t p = 0; p < n_parts; p++)
		for (size_t i = 0; i < parts[p].n_bad; i++) {
			const char *id = parts[p].mem.ptr + parts[p].bad[i].off;
			const char *ver = id + strlen(id) + 1;

			if (pull->n_refused++ == 0)
				(void)snprintf(pull->refusal,
				    sizeof(pull->refusal), "%s: %s", id,
				    ver + strlen(ver) + 1);
		}
}

/* Save the pull's cursor and delivery leaf (in the open transaction). */
static enum err
pull_record(const struct taxii_ctx *ctx, const struct taxii_pull *pull)
{
	enum err err;

	err = store_sync_cursor_put(ctx->st, ctx->party->id,
	    pull->remote_coll, pull->cursor);
	if (err == ERR_OK && pull->has_delivery)
		err = store_tlog_recv_add(ctx->st, pull->vkey,
		    pull->leaf_index, pull->leaf_hash, ctx->now);
	return err;
}

/*
 * Check and store parts[0..n_parts) (total objects in all), on two threads
 * when threaded, and write the status.  ERR_PARSE without a message when an
 * object is not valid JSON (the caller falls back to the whole-body parse);
 * nothing is stored then, nor on any other error.
 */
static enum err
run_parts(const struct taxii_ctx *ctx, const struct store_collection *coll,
    struct part *parts, size_t n_parts, int threaded, size_t total,
    struct taxii_resp *resp)
{
	struct store_obj_in *in = NULL;
	enum store_put_result *res = NULL;
	struct tlog_appender app;
	int64_t *added = NULL;
	struct pipe pp;
	pthread_t th;
	size_t n_in = 0;
	int started = 0, in_txn = 0;
	int self = ctx->party->role == STORE_ROLE_SELF;
	struct wctx *w = NULL;
	unsigned char *oks = NULL;	/* per good of a part: allowed */
	const char **unders = NULL;	/* and under which agreement */
	char reason[512];
	enum err err = ERR_OK;

	memset(&pp, 0, sizeof(pp));
	memset(&app, 0, sizeof(app));
	pp.parts = parts;
	pp.n_parts = n_parts;
	atomic_init(&pp.next, 0);
	atomic_init(&pp.stop, 0);
	if (pthread_mutex_init(&pp.mu, NULL) != 0)
		return taxii_fail(resp, ERR_NOMEM, "out of memory");
	if (pthread_cond_init(&pp.cv, NULL) != 0) {
		(void)pthread_mutex_destroy(&pp.mu);
		return taxii_fail(resp, ERR_NOMEM, "out of memory");
	}
	if ((pp.done = calloc(n_parts ? n_parts : 1, 1)) == NULL ||
	    (total > 0 && ((in = calloc(total, sizeof(*in))) == NULL ||
	    (res = calloc(total, sizeof(*res))) == NULL ||
	    (added = calloc(total, sizeof(*added))) == NULL ||
	    (!self && ((w = calloc(1, sizeof(*w))) == NULL ||
	    (oks = calloc(total, 1)) == NULL ||
	    (unders = calloc(total, sizeof(*unders))) == NULL))))) {
		err = taxii_fail(resp, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (threaded && n_parts > 1 &&
	    pthread_create(&th, NULL, pipe_thread, &pp) == 0)
		started = 1;
	for (size_t i = 0; i < n_parts; i++) {
		struct part *pt = &parts[i];
		size_t first = n_in;

		pipe_wait(&pp, i);
		if ((err = pt->err) != ERR_OK) {
			if (err != ERR_PARSE)
				(void)taxii_fail(resp, err, "cannot process "
				    "the envelope");
			goto out;
		}
		/* Decide first: refusing adds to pt->mem, which may move. */
		for (size_t g = 0; !self && g < pt->n_good; g++) {
			int ok = 0;

			unders[g] = NULL;
			err = decide(ctx, coll, pt, &pt->good[g], w, &ok,
			    &unders[g], reason, sizeof(reason));
			if (err == ERR_OK && !ok)
				err = refuse(pt, &pt->good[g], reason);
			if (err != ERR_OK) {
				(void)taxii_fail(resp, err, "cannot decide on "
				    "the objects; nothing was stored");
				goto out;
			}
			oks[g] = (unsigned char)ok;
		}
		for (size_t g = 0; g < pt->n_good; g++) {
			const struct good *gd = &pt->good[g];
			const char *under = self ? NULL : unders[g];

			if (!self && !oks[g])
				continue;
			in[n_in].stix_id = pt->mem.ptr + gd->id_off;
			in[n_in].type = pt->mem.ptr + gd->type_off;
			in[n_in].version = gd->version;
			in[n_in].json = pt->mem.ptr + gd->json_off;
			in[n_in].json_len = gd->json_len;
			memcpy(in[n_in].hash, gd->hash, sizeof(gd->hash));
			in[n_in].tlp = gd->tlp;
			in[n_in].labels = gd->labels_len > 0 ?
			    pt->mem.ptr + gd->labels_off : NULL;
			in[n_in].labels_len = gd->labels_len;
			in[n_in].producer = self ? NULL : producer_of(ctx, pt,
			    gd);
			in[n_in].sender = self ? NULL : ctx->party->pubkey;
			in[n_in].under = under;
			n_in++;
		}
		if (n_in == first)
			continue;
		if (!in_txn) {
			if ((err = store_begin(ctx->st)) != ERR_OK) {
				(void)taxii_fail(resp, err, "cannot store the "
				    "objects; nothing was stored");
				goto out;
			}
			in_txn = 1;
			if ((err = tlog_appender_begin(&app, ctx->st)) !=
			    ERR_OK) {
				(void)taxii_fail(resp, err, "cannot extend the "
				    "log; nothing was stored");
				goto out;
			}
		}
		err = store_put_objects(ctx->st, coll->id, ctx->party->id,
		    in + first, n_in - first, res + first, added + first);
		if (err == ERR_OK)
			err = log_added(ctx, coll, &app, in + first,
			    res + first, added + first, n_in - first);
		if (err != ERR_OK) {
			(void)taxii_fail(resp, err, "cannot store the objects; "
			    "nothing was stored");
			goto out;
		}
	}
	if (ctx->pull != NULL) {
		if (!in_txn && (err = store_begin(ctx->st)) != ERR_OK) {
			(void)taxii_fail(resp, err, "cannot store the "
			    "objects; nothing was stored");
			goto out;
		}
		in_txn = 1;
		if ((err = pull_record(ctx, ctx->pull)) != ERR_OK) {
			(void)taxii_fail(resp, err, "cannot record the pull; "
			    "nothing was stored");
			goto out;
		}
	}
	if (in_txn) {
		in_txn = 0;
		if ((err = store_commit(ctx->st)) != ERR_OK) {
			(void)taxii_fail(resp, err, "cannot store the objects; "
			    "nothing was stored");
			goto out;
		}
	}
	if (ctx->pull != NULL) {
		pull_count(ctx->pull, parts, n_parts, res, n_in);
		resp->status = 200;
	} else
		err = status_write(ctx, parts, n_parts, in, res, added, n_in,
		    total, resp);
out:
	if (in_txn)
		store_rollback(ctx->st);
	tlog_appender_done(&app);
	if (started) {
		atomic_store(&pp.stop, 1);
		(void)pthread_join(th, NULL);
	}
	(void)pthread_cond_destroy(&pp.cv);
	(void)pthread_mutex_destroy(&pp.mu);
	free(pp.done);
	free(in);
	free(res);
	free(added);
	free(w);
	free(oks);
	free(unders);
	return err;
}

/* The whole body through jansson: exact errors, any valid envelope. */
static enum err
ingest_slow(const struct taxii_ctx *ctx, const struct store_collection *coll,
    const char *body, size_t len, struct taxii_resp *resp)
{
	json_error_t jerr;
	json_t *env, *objs;
	struct part pt;
	size_t n;
	enum err err;

	env = json_loadb(body, len, JSON_FLAGS, &jerr);
	if (env == NULL)
		return taxii_fail(resp, ERR_PARSE, "malformed JSON at line %d "
		    "column %d: %.120s", jerr.line, jerr.column, jerr.text);
	objs = json_object_get(env, "objects");
	if (!json_is_object(env) || !json_is_array(objs)) {
		json_decref(env);
		return taxii_fail(resp, ERR_INVALID, "not a TAXII envelope: "
		    "expected an object with an 'objects' list");
	}
	n = json_array_size(objs);
	if (n > LIM_ENVELOPE_OBJECTS) {
		json_decref(env);
		return taxii_fail(resp, ERR_TOOBIG, "envelope holds %zu "
		    "objects, at most %u are accepted", n,
		    LIM_ENVELOPE_OBJECTS);
	}
	if ((err = part_init(&pt, body, NULL, objs, 0, n, len)) == ERR_OK)
		err = run_parts(ctx, coll, &pt, 1, 0, n, resp);
	else
		(void)taxii_fail(resp, err, "out of memory");
	part_free(&pt);
	json_decref(env);
	return err;
}

/*
 * The delivery leaf the partner's log holds for this page (docs/log.md,
 * kind 2), rebuilt from what was received: the SHA-256 of each object's
 * bytes as served (the partner serves its stored RFC 8785 form), this
 * node's key as recipient, the partner's collection and the time it gave.
 * Its RFC 6962 hash goes to pull->leaf_hash.
 */
static enum err
delivery_hash(const struct taxii_ctx *ctx, const char *body,
    const struct taxii_span *spans, size_t n)
{
	struct taxii_pull *pull = ctx->pull;
	uint8_t (*hashes)[TLOG_LEAF_HASH_BYTES];
	struct tlog_leaf l;
	struct buf enc;
	enum err err;

	if (n == 0 || n > TLOG_LEAF_MAX_DELIVERED)
		return ERR_INVALID;
	if ((hashes = calloc(n, sizeof(*hashes))) == NULL)
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		crypto_sha256(body + spans[i].off, spans[i].len, hashes[i]);
	memset(&l, 0, sizeof(l));
	l.kind = TLOG_LEAF_DELIVERY;
	l.u.del.time = (uint64_t)pull->delivery_time;
	memcpy(l.u.del.recipient, pull->recipient, TLOG_LEAF_KEY_BYTES);
	l.u.del.n = n;
	l.u.del.hashes = (const uint8_t (*)[TLOG_LEAF_HASH_BYTES])hashes;
	buf_init(&enc, TLOG_LEAF_DELIVERY_MAX_BYTES);
	err = tlog_leaf_uuid_parse(pull->remote_coll,
	    strlen(pull->remote_coll), l.u.del.collection);
	if (err == ERR_OK)
		err = tlog_leaf_encode(&l, &enc);
	if (err == ERR_OK)
		tlog_leaf_hash(enc.ptr, enc.len, pull->leaf_hash);
	buf_reset(&enc);
	free(hashes);
	return err;
}

enum err
taxii_ingest(const struct taxii_ctx *ctx, const struct store_collection *coll,
    const char *body, size_t len, struct taxii_resp *resp)
{
	struct taxii_span *spans = NULL;
	struct part *parts = NULL;
	size_t n = 0, n_parts = 0, chunk;
	enum err err = ERR_OK;

	if (body == NULL || len == 0)
		return taxii_fail(resp, ERR_PARSE, "empty request body: "
		    "expected a TAXII envelope");
	if (taxii_envelope_scan(body, len, &spans, &n) != 0) {
		if (ctx->pull != NULL)
			ctx->pull->has_delivery = 0;	/* cannot rebuild */
		return ingest_slow(ctx, coll, body, len, resp);
	}
	if (ctx->pull != NULL && ctx->pull->has_delivery &&
	    (err = delivery_hash(ctx, body, spans, n)) != ERR_OK) {
		free(spans);
		return taxii_fail(resp, err, "cannot rebuild the delivery "
		    "leaf of the page");
	}
	if (n > LIM_ENVELOPE_OBJECTS) {
		free(spans);
		return taxii_fail(resp, ERR_TOOBIG, "envelope holds %zu "
		    "objects, at most %u are accepted", n,
		    LIM_ENVELOPE_OBJECTS);
	}
	chunk = n >= TAXII_INGEST_PARALLEL_MIN ? TAXII_INGEST_CHUNK : n;
	n_parts = chunk > 0 ? (n + chunk - 1) / chunk : 1;
	if ((parts = calloc(n_parts, sizeof(*parts))) == NULL) {
		free(spans);
		return taxii_fail(resp, ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < n_parts && err == ERR_OK; i++) {
		size_t lo = i * chunk, hi = lo + chunk < n ? lo + chunk : n;

		/* Each chunk's buffer is capped by the whole body's size. */
		err = part_init(&parts[i], body, spans, NULL, lo, hi, len);
	}
	if (err != ERR_OK)
		(void)taxii_fail(resp, err, "out of memory");
	else
		err = run_parts(ctx, coll, parts, n_parts,
		    n >= TAXII_INGEST_PARALLEL_MIN, n, resp);
	for (size_t i = 0; i < n_parts; i++)
		part_free(&parts[i]);
	free(parts);
	free(spans);
	if (err == ERR_PARSE && resp->msg[0] == '\0') {
		/* An object is not valid JSON: the whole body is malformed;
		 * let jansson say where (nothing was stored). */
		return ingest_slow(ctx, coll, body, len, resp);
	}
	return err;
}

enum err
taxii_receive(const struct taxii_ctx *ctx0,
    const struct store_collection *coll, const char *body, size_t len,
    struct taxii_pull *pull, struct taxii_resp *resp)
{
	struct taxii_ctx c = *ctx0;
	enum err err;

	pull->n_added = pull->n_dup = pull->n_refused = 0;
	pull->refusal[0] = '\0';
	c.pull = pull;
	c.pol = NULL;
	c.now = ts_now_us();
	if (c.party->role == STORE_ROLE_SELF || c.policy == NULL)
		return taxii_fail(resp, ERR_INVALID, "a pull comes from a "
		    "partner, under the node's policy");
	if ((err = node_policy_acquire(c.policy, c.st, &c.pol)) != ERR_OK)
		return taxii_fail(resp, err, "cannot read the agreements");
	err = taxii_ingest(&c, coll, body, len, resp);
	node_policy_release(c.policy, c.pol);
	return err;
}
