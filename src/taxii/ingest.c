/*
 * ingest.c: POST objects.  An envelope is scanned for the byte ranges of its
 * objects (taxii_envelope_scan), then each object is parsed, checked
 * (limits, STIX validation), put in RFC 8785 canonical form and hashed.
 * Large envelopes are cut into chunks checked on two threads while the
 * request's thread stores the checked chunks in order, all in one
 * transaction (see struct pipe).  Each object's tree is freed as soon as it is canonical, so
 * memory stays near the body size.  Bodies the scanner does not vouch for
 * go through one jansson parse of the whole body instead.
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
#include "tlog/tree.h"
#include "util/jsonmem.h"
#include "util/uuid.h"

#define JSON_FLAGS	(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

/* A valid object: strings and canonical JSON live in its part's buffer. */
struct good {
	size_t	index;
	size_t	id_off;
	size_t	type_off;
	size_t	json_off;
	size_t	json_len;
	int64_t	version;
	uint8_t	hash[CRYPTO_SHA256_BYTES];
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
	    (err = add_str(&pt->mem, info.type, &g->type_off)) != ERR_OK)
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
		    added[i], coll->uuid, ctx->party->pubkey, in[i].stix_id);
		if (err == ERR_OK)
			err = tlog_appender_add_leaf(app, &l, NULL);
		if (err != ERR_OK)
			return err;
	}
	return ERR_OK;
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
	    (added = calloc(total, sizeof(*added))) == NULL))) {
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
		for (size_t g = 0; g < pt->n_good; g++, n_in++) {
			const struct good *gd = &pt->good[g];

			in[n_in].stix_id = pt->mem.ptr + gd->id_off;
			in[n_in].type = pt->mem.ptr + gd->type_off;
			in[n_in].version = gd->version;
			in[n_in].json = pt->mem.ptr + gd->json_off;
			in[n_in].json_len = gd->json_len;
			memcpy(in[n_in].hash, gd->hash, sizeof(gd->hash));
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
	if (in_txn) {
		in_txn = 0;
		if ((err = store_commit(ctx->st)) != ERR_OK) {
			(void)taxii_fail(resp, err, "cannot store the objects; "
			    "nothing was stored");
			goto out;
		}
	}
	err = status_write(ctx, parts, n_parts, in, res, added, n_in, total,
	    resp);
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
	if (taxii_envelope_scan(body, len, &spans, &n) != 0)
		return ingest_slow(ctx, coll, body, len, resp);
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
