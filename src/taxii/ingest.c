/*
 * ingest.c: POST objects.  An envelope is scanned for the byte ranges of its
 * objects (taxii_envelope_scan), then each object is parsed, checked
 * (limits, STIX validation), put in RFC 8785 canonical form and hashed.
 * Large envelopes are split in two halves checked on two threads; only the
 * store, which serializes writers anyway, sees the whole envelope, in one
 * transaction.  Each object's tree is freed as soon as it is canonical, so
 * memory stays near the body size.  Bodies the scanner does not vouch for
 * go through one jansson parse of the whole body instead.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "stix/jcs.h"
#include "stix/stix.h"
#include "taxii/taxii_int.h"
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
	json_error_t jerr;
	json_t *obj;

	pt->err = ERR_OK;
	for (size_t i = pt->lo; i < pt->hi && pt->err == ERR_OK; i++) {
		if (pt->spans == NULL) {
			pt->err = check_one(pt, i, json_array_get(pt->elems,
			    i));
			continue;
		}
		obj = json_loadb(pt->body + pt->spans[i].off,
		    pt->spans[i].len, JSON_FLAGS, &jerr);
		if (obj == NULL) {
			pt->err = ERR_PARSE;
			break;
		}
		pt->err = check_one(pt, i, obj);
		json_decref(obj);
	}
}

static void *
part_thread(void *arg)
{
	jsonmem_begin();	/* every tree dies inside part_run */
	part_run(arg);
	jsonmem_thread_done();	/* this thread ends here */
	return NULL;
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
 * Check the objects of parts[0..n_parts) (already split), store the valid
 * ones in one transaction and write the status.
 */
static enum err
finish(const struct taxii_ctx *ctx, const struct store_collection *coll,
    struct part *parts, size_t n_parts, size_t total,
    struct taxii_resp *resp)
{
	struct store_obj_in *in = NULL;
	enum store_put_result *res = NULL;
	int64_t *added = NULL, now = ts_now_us();
	json_t *ok = NULL, *ko = NULL, *status = NULL;
	char sid[UUID_STRLEN + 1], ts[TS_BUFSZ];
	uint8_t rnd[16];
	size_t n_in = 0, k = 0;
	enum err err;

	for (size_t p = 0; p < n_parts; p++)
		n_in += parts[p].n_good;
	if (n_in > 0 && ((in = calloc(n_in, sizeof(*in))) == NULL ||
	    (res = calloc(n_in, sizeof(*res))) == NULL ||
	    (added = calloc(n_in, sizeof(*added))) == NULL)) {
		err = taxii_fail(resp, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t p = 0; p < n_parts; p++)
		for (size_t i = 0; i < parts[p].n_good; i++, k++) {
			const struct good *g = &parts[p].good[i];
			const char *m = parts[p].mem.ptr;

			in[k].stix_id = m + g->id_off;
			in[k].type = m + g->type_off;
			in[k].version = g->version;
			in[k].json = m + g->json_off;
			in[k].json_len = g->json_len;
			memcpy(in[k].hash, g->hash, sizeof(g->hash));
		}
	if (n_in > 0 && (err = store_put_objects(ctx->st, coll->id,
	    ctx->party->id, in, n_in, res, added)) != ERR_OK) {
		(void)taxii_fail(resp, err, "cannot store the objects; nothing "
		    "was stored");
		goto out;
	}
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
	err = part_init(&pt, body, NULL, objs, 0, n, len);
	if (err == ERR_OK) {
		part_run(&pt);
		err = pt.err;
	}
	if (err == ERR_OK)
		err = finish(ctx, coll, &pt, 1, n, resp);
	else
		(void)taxii_fail(resp, err, "cannot process the envelope");
	part_free(&pt);
	json_decref(env);
	return err;
}

enum err
taxii_ingest(const struct taxii_ctx *ctx, const struct store_collection *coll,
    const char *body, size_t len, struct taxii_resp *resp)
{
	struct taxii_span *spans = NULL;
	struct part parts[2];
	pthread_t th;
	size_t n = 0, half;
	int threaded = 0;
	enum err err;

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
	half = n >= TAXII_INGEST_PARALLEL_MIN ? n / 2 : n;
	memset(parts, 0, sizeof(parts));
	if ((err = part_init(&parts[0], body, spans, NULL, 0, half, len)) !=
	    ERR_OK ||
	    (err = part_init(&parts[1], body, spans, NULL, half, n, len)) !=
	    ERR_OK) {
		(void)taxii_fail(resp, err, "out of memory");
		goto out;
	}
	if (half < n && pthread_create(&th, NULL, part_thread, &parts[1]) ==
	    0)
		threaded = 1;
	part_run(&parts[0]);
	if (threaded)
		(void)pthread_join(th, NULL);
	else
		part_run(&parts[1]);
	err = parts[0].err != ERR_OK ? parts[0].err : parts[1].err;
	if (err == ERR_PARSE) {
		/* An object is not valid JSON: the whole body is malformed;
		 * let jansson say where. */
		part_free(&parts[0]);
		part_free(&parts[1]);
		free(spans);
		return ingest_slow(ctx, coll, body, len, resp);
	}
	if (err != ERR_OK)
		(void)taxii_fail(resp, err, "cannot process the envelope");
	else
		err = finish(ctx, coll, parts, 2, n, resp);
out:
	part_free(&parts[0]);
	part_free(&parts[1]);
	free(spans);
	return err;
}
