/*
 * sync.c: pull from partners' nodes, verify, cosign (sync/sync.h).
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"
#include "sync/client.h"
#include "sync/sync.h"
#include "sync/verify.h"
#include "taxii/taxii.h"
#include "tlog/note.h"
#include "util/jsonmem.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#define ACCEPT_TAXII	TAXII_MEDIA_TYPE
#define ACCEPT_ANY	"text/plain, application/json, */*"
/* A page of at most LIM_PAGE_MAX objects stays under the envelope cap. */
#define PAGE_BODY_MAX	((size_t)LIM_ENVELOPE_BYTES + 4096)
#define LIST_BODY_MAX	((size_t)4 * 1024 * 1024)

/* One of the partner's collections, as its node lists it to us. */
struct rcoll {
	char	id[UUID_STRLEN + 1];
	char	title[STORE_COLL_NAME_MAX + 1];
	int	can_read, can_write;
};
#define SYNC_MAX_RCOLL	1024

/* One partner's sync in progress. */
struct run {
	struct store			*st;
	const struct sync_opts		*o;
	const struct store_partner	*p;
	struct store_party		 party;
	struct store_party		 self;
	struct sync_http		 http;
	struct tlog_vkey		 vkey;
	char				 vkey_text[STORE_TLOG_VKEY_MAX + 1];
	struct sync_report		*r;
	struct buf			 body;
	int				 have_leaf;
	uint64_t			 max_leaf;	/* largest delivery
							 * leaf received */
	struct rcoll			*rc;		/* its collections */
	size_t				 n_rc;
};

/* GET base + path into r->body (emptied first); ERR_IO etc., r->r->why. */
static enum err
get(struct run *x, const char *path, const char *accept,
    struct sync_http_hdr *hdrs, size_t n_hdrs, size_t cap)
{
	char url[STORE_URL_MAX + 1024];
	long status = 0;
	enum err err;

	buf_reset(&x->body);
	buf_init(&x->body, cap);
	if ((size_t)snprintf(url, sizeof(url), "%s%s", x->p->url, path) >=
	    sizeof(url))
		return ERR_TOOBIG;
	err = sync_http_get_headers(&x->http, url, accept, &x->body, &status,
	    hdrs, n_hdrs, x->r->why, sizeof(x->r->why));
	if (err != ERR_OK)
		return err;
	if (status != 200) {
		(void)snprintf(x->r->why, sizeof(x->r->why), "%.400s: HTTP %ld",
		    url, status);
		return status == 401 ? ERR_AUTH : status == 403 ?
		    ERR_FORBIDDEN : status == 404 ? ERR_NOTFOUND : ERR_IO;
	}
	return buf_addc(&x->body, '\0') == ERR_OK ? ERR_OK : ERR_TOOBIG;
}

/*
 * The partner log's verifier key: as recorded, checked to hold the
 * party's key; or, at the first sync, its checkpoint's origin with the
 * party's key (the key is what is trusted; the origin names the log), then
 * recorded.
 */
static enum err
log_key(struct run *x)
{
	const char *why = NULL, *nl;
	struct buf b;
	enum err err;

	if (x->p->log_key[0] != '\0') {
		err = tlog_vkey_parse(x->p->log_key, strlen(x->p->log_key),
		    &x->vkey, &why);
		if (err != ERR_OK || memcmp(x->vkey.pub, x->party.pubkey,
		    sizeof(x->vkey.pub)) != 0) {
			(void)snprintf(x->r->why, sizeof(x->r->why), "the "
			    "recorded log key is not the partner's key");
			return ERR_CRYPTO;
		}
		memcpy(x->vkey_text, x->p->log_key, sizeof(x->vkey_text));
		return ERR_OK;
	}
	if ((err = get(x, "/entente/v1/log/checkpoint", ACCEPT_ANY, NULL, 0,
	    STORE_TLOG_NOTE_MAX + 1)) != ERR_OK)
		return err;
	if ((nl = memchr(x->body.ptr, '\n', x->body.len)) == NULL ||
	    tlog_vkey_init(&x->vkey, x->body.ptr, (size_t)(nl - x->body.ptr),
	    TLOG_SIG_ED25519, x->party.pubkey) != ERR_OK) {
		(void)snprintf(x->r->why, sizeof(x->r->why), "the partner's "
		    "checkpoint has no valid origin line");
		return ERR_PARSE;
	}
	buf_init(&b, STORE_TLOG_VKEY_MAX + 1);
	err = tlog_vkey_format(&x->vkey, &b);
	if (err == ERR_OK)
		err = buf_addc(&b, '\0');
	if (err == ERR_OK) {
		(void)snprintf(x->vkey_text, sizeof(x->vkey_text), "%s",
		    b.ptr);
		err = store_partner_set_log_key(x->st, x->p->party_id,
		    x->vkey_text);
	}
	buf_reset(&b);
	return err;
}

/* Parse an X-TAXII-Date-Added-Last or a decimal header value. */
static int
hdr_time(const struct sync_http_hdr *h, int64_t *out)
{
	return h->found && ts_parse(h->value, strlen(h->value), out, NULL) ==
	    ERR_OK;
}

static int
hdr_u64(const struct sync_http_hdr *h, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = strlen(h->value);

	if (!h->found || n == 0 || n > 19)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (h->value[i] < '0' || h->value[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(h->value[i] - '0');
	}
	*out = v;
	return 1;
}

/* One page fetched (by the prefetching thread or the caller). */
struct fetched {
	const struct sync_http	*http;
	char			 url[STORE_URL_MAX + 1024];
	struct buf		 body;
	struct sync_http_hdr	 hdrs[3];
	enum err		 err;
	int			 is_more;
	size_t			 n_obj;
	char			 next[512];
	char			 why[512];
};

/*
 * GET f->url and read the envelope's more, next and object count.  Runs
 * on its own thread while the previous page is stored.
 */
static void *
fetch_page(void *arg)
{
	struct fetched *f = arg;
	struct taxii_envelope_meta meta;
	json_error_t jerr;
	json_t *env = NULL, *nx;
	long status = 0;
	const char *s;

	buf_clear(&f->body);
	f->hdrs[0].name = "X-TAXII-Date-Added-Last";
	f->hdrs[1].name = "Entente-Delivery-Leaf";
	f->hdrs[2].name = "Entente-Delivery-Time";
	f->n_obj = 0;
	f->is_more = 0;
	f->next[0] = f->why[0] = '\0';
	f->err = sync_http_get_headers(f->http, f->url, ACCEPT_TAXII,
	    &f->body, &status, f->hdrs, 3, f->why, sizeof(f->why));
	if (f->err != ERR_OK)
		return NULL;
	if (status != 200) {
		(void)snprintf(f->why, sizeof(f->why), "%.400s: HTTP %ld",
		    f->url, status);
		f->err = status == 401 ? ERR_AUTH : status == 403 ?
		    ERR_FORBIDDEN : status == 404 ? ERR_NOTFOUND : ERR_IO;
		return NULL;
	}
	if (taxii_envelope_info(f->body.ptr, f->body.len, &meta) == 0) {
		/* The usual page: read without building its tree. */
		f->is_more = meta.more;
		f->n_obj = meta.n_objects;
		s = meta.next;
		goto next;
	}
	env = json_loadb(f->body.ptr, f->body.len, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (!json_is_object(env)) {
		json_decref(env);
		(void)snprintf(f->why, sizeof(f->why), "%.400s: not a TAXII "
		    "envelope", f->url);
		f->err = ERR_PARSE;
		return NULL;
	}
	f->is_more = json_is_true(json_object_get(env, "more"));
	f->n_obj = json_array_size(json_object_get(env, "objects"));
	nx = json_object_get(env, "next");
	s = json_string_value(nx);
next:
	if (f->is_more && s != NULL && strlen(s) < sizeof(f->next) &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == strlen(s))
		(void)snprintf(f->next, sizeof(f->next), "%s", s);
	json_decref(env);
	return NULL;
}

/* The URL of the page of collection rid after `after` or at `next`. */
static void
page_url(const struct run *x, const char *rid, int64_t after,
    const char *next, char *out, size_t cap)
{
	char ts[TS_BUFSZ];

	ts_format(after, ts);
	if (next != NULL && next[0] != '\0')
		(void)snprintf(out, cap, "%s/taxii2/api/collections/%s/objects/"
		    "?limit=%u&next=%s", x->p->url, rid, SYNC_PAGE_LIMIT,
		    next);
	else if (after > 0)
		(void)snprintf(out, cap, "%s/taxii2/api/collections/%s/objects/"
		    "?limit=%u&added_after=%s", x->p->url, rid,
		    SYNC_PAGE_LIMIT, ts);
	else
		(void)snprintf(out, cap, "%s/taxii2/api/collections/%s/objects/"
		    "?limit=%u", x->p->url, rid, SYNC_PAGE_LIMIT);
}

/* Store page f of collection rid into c; the pull's cursor into *after. */
static enum err
store_page(struct run *x, const char *rid, const struct store_collection *c,
    struct fetched *f, int64_t *after, int *own_err)
{
	struct taxii_ctx ctx;
	struct taxii_resp resp;
	struct taxii_pull pull;
	uint64_t dtime = 0;
	enum err err;

	memset(&pull, 0, sizeof(pull));
	pull.remote_coll = rid;
	pull.vkey = x->vkey_text;
	memcpy(pull.recipient, x->self.pubkey, 32);
	if (!hdr_time(&f->hdrs[0], &pull.cursor)) {
		(void)snprintf(x->r->why, sizeof(x->r->why), "a page of "
		    "collection %s came without X-TAXII-Date-Added-Last", rid);
		return ERR_PARSE;
	}
	pull.has_delivery = hdr_u64(&f->hdrs[1], &pull.leaf_index) &&
	    hdr_u64(&f->hdrs[2], &dtime) && dtime <= INT64_MAX;
	pull.delivery_time = (int64_t)dtime;
	if (!pull.has_delivery) {
		/* Every release to a partner is logged: a page without its
		 * leaf is not accepted. */
		(void)snprintf(x->r->why, sizeof(x->r->why), "a page of "
		    "collection %s came without its delivery leaf", rid);
		return ERR_PARSE;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.st = x->st;
	ctx.party = &x->party;
	ctx.policy = x->o->policy;
	taxii_resp_init(&resp);
	jsonmem_begin();
	err = taxii_receive(&ctx, c, f->body.ptr, f->body.len, &pull, &resp);
	jsonmem_end();
	if (err != ERR_OK) {
		(void)snprintf(x->r->why, sizeof(x->r->why), "collection %s: "
		    "%s", rid, resp.msg);
		taxii_resp_free(&resp);
		*own_err = err == ERR_DB || err == ERR_NOMEM || err == ERR_BUSY;
		return err;
	}
	taxii_resp_free(&resp);
	x->r->n_added += pull.n_added;
	x->r->n_dup += pull.n_dup;
	x->r->n_refused += pull.n_refused;
	if (pull.n_refused > 0)
		log_warn("sync %s: %zu object(s) of collection %s refused: %s",
		    x->party.name, pull.n_refused, rid, pull.refusal);
	*after = pull.cursor;
	if (!x->have_leaf || pull.leaf_index > x->max_leaf)
		x->max_leaf = pull.leaf_index;
	x->have_leaf = 1;
	return ERR_OK;
}

/*
 * Pull one of the partner's collections (remote id rid) into local
 * collection c until its pages run out.  While a page is stored, the next
 * one (after that page's last date added) is already being fetched, so
 * the partner's node and this one work at the same time.
 */
static enum err
pull_collection(struct run *x, const char *rid,
    const struct store_collection *c, int *own_err)
{
	struct fetched fb[2], *cur = &fb[0], *nxt = &fb[1], *t;
	pthread_t th;
	int64_t after = 0, next_after;
	int running = 0;
	enum err err;

	*own_err = 0;
	if ((err = store_sync_cursor_get(x->st, x->p->party_id, rid,
	    &after)) != ERR_OK) {
		*own_err = 1;
		return err;
	}
	memset(fb, 0, sizeof(fb));
	for (int i = 0; i < 2; i++) {
		fb[i].http = &x->http;
		buf_init(&fb[i].body, PAGE_BODY_MAX);
	}
	page_url(x, rid, after, NULL, cur->url, sizeof(cur->url));
	(void)fetch_page(cur);
	for (size_t page = 0; page < SYNC_MAX_PAGES; page++) {
		if ((err = cur->err) != ERR_OK) {
			(void)snprintf(x->r->why, sizeof(x->r->why), "%s",
			    cur->why);
			break;
		}
		x->r->n_pages++;
		if (cur->n_obj == 0) {
			if (!cur->is_more)
				break;
			if (cur->next[0] == '\0') {
				(void)snprintf(x->r->why, sizeof(x->r->why),
				    "collection %s: more pages announced "
				    "without a next", rid);
				err = ERR_PARSE;
				break;
			}
			/* A page the partner filtered empty: go on with its
			 * cursor (nothing to store, nothing to save). */
			page_url(x, rid, after, cur->next, nxt->url,
			    sizeof(nxt->url));
			(void)fetch_page(nxt);
			t = cur, cur = nxt, nxt = t;
			continue;
		}
		/* Start fetching the next page while this one is stored. */
		running = 0;
		if (cur->is_more && hdr_time(&cur->hdrs[0], &next_after)) {
			page_url(x, rid, next_after, NULL, nxt->url,
			    sizeof(nxt->url));
			running = pthread_create(&th, NULL, fetch_page, nxt) ==
			    0;
			if (!running)
				(void)fetch_page(nxt);
		}
		err = store_page(x, rid, c, cur, &after, own_err);
		if (running)
			(void)pthread_join(th, NULL);
		if (err != ERR_OK || !cur->is_more)
			break;
		t = cur, cur = nxt, nxt = t;
	}
	buf_reset(&fb[0].body);
	buf_reset(&fb[1].body);
	return err;
}

/* Pull every collection the partner lets this node read. */
static enum err
pull_all(struct run *x, int *own_err)
{
	struct store_collection c;
	json_error_t jerr;
	json_t *top, *arr, *e;
	size_t i;
	enum err err;

	*own_err = 0;
	if ((err = get(x, "/taxii2/api/collections/", ACCEPT_TAXII, NULL, 0,
	    LIST_BODY_MAX)) != ERR_OK)
		return err;
	top = json_loadb(x->body.ptr, x->body.len - 1,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(top)) {
		json_decref(top);
		(void)snprintf(x->r->why, sizeof(x->r->why), "the collections "
		    "resource is not a JSON object");
		return ERR_PARSE;
	}
	arr = json_object_get(top, "collections");
	json_array_foreach(arr, i, e) {
		const char *rid = json_string_value(json_object_get(e, "id"));
		const char *title = json_string_value(json_object_get(e,
		    "title"));

		if (rid == NULL || !uuid_valid(rid, strlen(rid)))
			continue;
		if (x->n_rc < SYNC_MAX_RCOLL && title != NULL &&
		    strlen(title) <= STORE_COLL_NAME_MAX) {
			struct rcoll *rc = &x->rc[x->n_rc++];

			(void)snprintf(rc->id, sizeof(rc->id), "%s", rid);
			(void)snprintf(rc->title, sizeof(rc->title), "%s",
			    title);
			rc->can_read = json_is_true(json_object_get(e,
			    "can_read"));
			rc->can_write = json_is_true(json_object_get(e,
			    "can_write"));
		}
		if (!json_is_true(json_object_get(e, "can_read")))
			continue;
		err = title != NULL ? store_collection_by_name(x->st, title,
		    &c) : ERR_NOTFOUND;
		if (err == ERR_NOTFOUND)
			err = store_collection_get(x->st, rid, &c);
		if (err == ERR_NOTFOUND) {
			log_warn("sync %s: its collection %s (%.64s) has no "
			    "collection of the same name or id here; not "
			    "pulled", x->party.name, rid, title ? title : "");
			continue;
		}
		if (err != ERR_OK) {
			*own_err = 1;
			break;
		}
		x->r->n_collections++;
		if ((err = pull_collection(x, rid, &c, own_err)) != ERR_OK)
			break;
	}
	json_decref(top);
	return err;
}

/*
 * Wait (a bounded time) until the partner's checkpoint covers the last
 * delivery received in this run, so that verifying proves every page of
 * this run included: a node signs a checkpoint at most every second or so
 * (serve --checkpoint-interval).  A checkpoint that never comes is left to
 * the verification, which proves the rest next time.
 */
static void
await_checkpoint(struct run *x)
{
	const char *nl, *p;
	uint64_t size;

	if (!x->have_leaf)
		return;
	for (int i = 0; i < SYNC_CHECKPOINT_WAIT_MS / 100; i++) {
		struct timespec t = { 0, 100 * 1000 * 1000 };

		if (get(x, "/entente/v1/log/checkpoint", ACCEPT_ANY, NULL, 0,
		    STORE_TLOG_NOTE_MAX + 1) != ERR_OK)
			return;
		/* The second line is the size (checked for real later). */
		size = 0;
		if ((nl = strchr(x->body.ptr, '\n')) != NULL)
			for (p = nl + 1; *p >= '0' && *p <= '9' &&
			    size < UINT64_MAX / 10; p++)
				size = size * 10 + (uint64_t)(*p - '0');
		if (size > x->max_leaf)
			return;
		(void)nanosleep(&t, NULL);
	}
}

/*
 * The partner's collection a sighting or note about object id goes to:
 * the one, of the same name as the local collection the object is in,
 * that the partner lets us write or read (feedback), when the object was
 * received from this partner.  NULL when it is not about the partner's
 * objects.
 */
static const struct rcoll *
push_target(struct run *x, const char *id)
{
	struct store_collection c;
	struct store_page pg;
	const struct rcoll *t = NULL;

	memset(&pg, 0, sizeof(pg));
	if (store_object_find(x->st, id, 0, 16, &pg) != ERR_OK) {
		store_page_free(&pg);
		return NULL;
	}
	for (size_t i = 0; i < pg.n && t == NULL; i++) {
		const struct store_row *r = &pg.rows[i];

		if (!r->has_sender || memcmp(r->sender, x->party.pubkey, 32) !=
		    0 || store_collection_by_id(x->st, r->coll_id, &c) !=
		    ERR_OK)
			continue;
		for (size_t k = 0; k < x->n_rc && t == NULL; k++)
			if (strcmp(x->rc[k].title, c.name) == 0 &&
			    (x->rc[k].can_write || x->rc[k].can_read))
				t = &x->rc[k];
	}
	store_page_free(&pg);
	return t;
}

/* The remote collection row r (a sighting or a note of ours) goes to. */
static const struct rcoll *
push_row(struct run *x, const struct store_row *r)
{
	const struct rcoll *t = NULL;
	json_error_t jerr;
	json_t *o, *refs, *e;
	size_t i;

	if ((o = json_loadb(r->json, r->json_len, 0, &jerr)) == NULL)
		return NULL;
	if (strcmp(r->type, "sighting") == 0) {
		e = json_object_get(o, "sighting_of_ref");
		if (json_is_string(e))
			t = push_target(x, json_string_value(e));
	} else {
		refs = json_object_get(o, "object_refs");
		json_array_foreach(refs, i, e) {
			if (t == NULL && json_is_string(e))
				t = push_target(x, json_string_value(e));
		}
	}
	json_decref(o);
	return t;
}

/* POST the envelope in b to the partner's collection t. */
static enum err
push_post(struct run *x, const struct rcoll *t, struct buf *b, size_t n)
{
	char url[STORE_URL_MAX + 128];
	struct buf resp;
	long status = 0;
	json_error_t jerr;
	json_t *st;
	enum err err;

	(void)snprintf(url, sizeof(url), "%s/taxii2/api/collections/%s/"
	    "objects/", x->p->url, t->id);
	buf_init(&resp, 4 * 1024 * 1024);
	err = sync_http_post(&x->http, url, ACCEPT_TAXII, ACCEPT_TAXII,
	    b->ptr, b->len, &resp, &status, x->r->why, sizeof(x->r->why));
	if (err == ERR_OK && status != 202) {
		(void)snprintf(x->r->why, sizeof(x->r->why), "posting %zu "
		    "object(s) to its collection %s: HTTP %ld", n, t->id,
		    status);
		err = ERR_IO;
	}
	if (err == ERR_OK) {
		st = json_loadb(resp.ptr, resp.len, 0, &jerr);
		x->r->n_pushed += (size_t)json_integer_value(json_object_get(
		    st, "success_count"));
		x->r->n_push_refused += (size_t)json_integer_value(
		    json_object_get(st, "failure_count"));
		if (json_integer_value(json_object_get(st, "failure_count")) >
		    0)
			log_warn("sync %s: it refused %lld of %zu object(s) we "
			    "posted to %s", x->party.name, (long long)
			    json_integer_value(json_object_get(st,
			    "failure_count")), n, t->id);
		json_decref(st);
	}
	buf_reset(&resp);
	return err;
}

/*
 * Post to the partner the sightings and notes this node's own party made
 * about objects received from it, into the collection they came from
 * (docs/sync.md, "Pushing feedback").  A cursor per local collection
 * (meta "sync_push/PARTY/COLLECTION") remembers what was pushed; it moves
 * only once the partner took the post, so a failure is retried.
 */
static enum err
push_all(struct run *x, int *own_err)
{
	static const char *const types[] = { "sighting", "note" };
	struct store_collection *cv = NULL;
	size_t nc = 0;
	enum err err;

	*own_err = 0;
	if ((err = store_collection_list(x->st, &cv, &nc)) != ERR_OK) {
		*own_err = 1;
		return err;
	}
	for (size_t ci = 0; ci < nc && err == ERR_OK; ci++) {
		char key[128], val[32], *v = NULL;
		struct store_query q;
		struct store_page pg;
		int64_t after = 0;
		size_t vlen = 0;

		(void)snprintf(key, sizeof(key), "sync_push/%lld/%s",
		    (long long)x->p->party_id, cv[ci].uuid);
		if (store_meta_get(x->st, key, &v, &vlen) == ERR_OK)
			after = strtoll(v, NULL, 10);
		free(v);
		for (;;) {
			const struct rcoll *target = NULL;
			struct buf b;
			size_t n = 0, i;
			int64_t last = after;

			memset(&q, 0, sizeof(q));
			memset(&pg, 0, sizeof(pg));
			q.coll_id = cv[ci].id;
			q.types = (const char **)types;
			q.n_types = 2;
			q.ver_flags = STORE_VER_ALL;
			q.after = after;
			q.limit = SYNC_PAGE_LIMIT;
			q.want_json = 1;
			if ((err = store_query_objects(x->st, &q, &pg)) !=
			    ERR_OK) {
				*own_err = 1;
				store_page_free(&pg);
				break;
			}
			buf_init(&b, LIM_ENVELOPE_BYTES);
			err = buf_addstr(&b, "{\"objects\":[");
			for (i = 0; i < pg.n && err == ERR_OK; i++) {
				const struct store_row *r = &pg.rows[i];
				const struct rcoll *t;

				/* Ours only; one target per post. */
				if (r->has_sender || (t = push_row(x, r)) ==
				    NULL) {
					last = r->date_added;
					continue;
				}
				if (target != NULL && t != target)
					break;
				target = t;
				if (n > 0)
					err = buf_addc(&b, ',');
				if (err == ERR_OK)
					err = buf_add(&b, r->json, r->json_len);
				n++;
				last = r->date_added;
			}
			if (err == ERR_OK)
				err = buf_addstr(&b, "]}");
			if (err == ERR_OK && n > 0)
				err = push_post(x, target, &b, n);
			buf_reset(&b);
			if (err == ERR_OK && last > after) {
				(void)snprintf(val, sizeof(val), "%lld",
				    (long long)last);
				if ((err = store_meta_set(x->st, key, val,
				    strlen(val))) != ERR_OK)
					*own_err = 1;
				after = last;
			}
			if (err != ERR_OK || (!pg.more && i >= pg.n)) {
				store_page_free(&pg);
				break;
			}
			store_page_free(&pg);
		}
	}
	free(cv);
	return err;
}

static int64_t
backoff(uint32_t failures, int64_t now)
{
	int64_t s = SYNC_BACKOFF_BASE_S;

	for (uint32_t i = 1; i < failures && s < SYNC_BACKOFF_MAX_S; i++)
		s *= 2;
	if (s > SYNC_BACKOFF_MAX_S)
		s = SYNC_BACKOFF_MAX_S;
	return now + s * 1000000;
}

enum err
sync_partner(struct store *st, const struct sync_opts *o,
    const struct store_partner *p, struct sync_report *r)
{
	struct sync_verify_result vr;
	struct sync_verify_cfg vc;
	const struct policy *pol = NULL;
	struct run x;
	int64_t now = ts_now_us();
	int own_err = 0, active;
	enum err err;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	x.st = st;
	x.o = o;
	x.p = p;
	x.r = r;
	if ((err = store_party_get(st, p->party_id, &x.party)) != ERR_OK ||
	    (err = store_party_self(st, &x.self)) != ERR_OK)
		return err;
	(void)snprintf(r->name, sizeof(r->name), "%s", x.party.name);
	if (p->state == STORE_PARTNER_HALTED) {
		r->skipped = 1;
		(void)snprintf(r->why, sizeof(r->why), "halted: its log "
		    "contradicted what this node saw (evidence %.400s)",
		    p->evidence);
		return ERR_OK;
	}
	if (!o->force && p->backoff_until > now) {
		r->skipped = 1;
		(void)snprintf(r->why, sizeof(r->why), "backing off after %u "
		    "failure(s): %.400s", p->failures, p->last_error);
		return ERR_OK;
	}
	if ((err = node_policy_acquire(o->policy, st, &pol)) != ERR_OK)
		return err;
	active = policy_party_active(pol, x.party.pubkey, now);
	node_policy_release(o->policy, pol);
	if (!active) {
		r->skipped = 1;
		(void)snprintf(r->why, sizeof(r->why), "no agreement with it "
		    "is in force");
		return ERR_OK;
	}
	x.http.token = p->token;
	x.http.tls_pin = p->tls_pin[0] != '\0' ? p->tls_pin : NULL;
	buf_init(&x.body, PAGE_BODY_MAX);
	if ((x.rc = calloc(SYNC_MAX_RCOLL, sizeof(*x.rc))) == NULL) {
		buf_reset(&x.body);
		return ERR_NOMEM;
	}
	err = log_key(&x);
	if (err == ERR_OK)
		err = pull_all(&x, &own_err);
	if (err == ERR_OK)
		err = push_all(&x, &own_err);
	if (err == ERR_OK) {
		await_checkpoint(&x);
		r->why[0] = '\0';
		memset(&vc, 0, sizeof(vc));
		memset(&vr, 0, sizeof(vr));
		vc.http = &x.http;
		vc.url = p->url;
		vc.vkey = &x.vkey;
		vc.vkey_text = x.vkey_text;
		vc.evidence_dir = o->evidence_dir;
		vc.signer = o->signer;
		err = sync_verify_log(st, &vc, &vr);
		r->log_size = vr.size;
		r->n_proved = vr.n_proved;
		r->cosigned = vr.cosigned;
		if (err == ERR_CONFLICT) {
			r->halted = 1;
			(void)snprintf(r->why, sizeof(r->why), "%.250s; "
			    "evidence in %.240s", vr.msg, vr.evidence);
			err = store_partner_result(st, p->party_id,
			    STORE_PARTNER_HALTED, now, 0, vr.msg, vr.evidence,
			    r->n_added);
			buf_reset(&x.body);
			free(x.rc);
			return err;
		}
		if (err != ERR_OK)
			(void)snprintf(r->why, sizeof(r->why), "log: %.500s",
			    vr.msg);
		else if (!vr.cosigned && vr.msg[0] != '\0')
			log_warn("sync %s: cosignature not accepted: %s",
			    x.party.name, vr.msg);
		own_err = err == ERR_DB || err == ERR_NOMEM;
	}
	buf_reset(&x.body);
	free(x.rc);
	if (own_err)
		return err;
	if (err != ERR_OK)
		return store_partner_result(st, p->party_id,
		    STORE_PARTNER_FAILING, now, backoff(p->failures + 1, now),
		    r->why, "", r->n_added);
	r->ok = 1;
	return store_partner_result(st, p->party_id, STORE_PARTNER_OK, now, 0,
	    "", "", r->n_added);
}

enum err
sync_all(struct store *st, const struct sync_opts *o,
    void (*report)(void *arg, const struct sync_report *r), void *arg,
    size_t *n_failed)
{
	struct store_partner *v = NULL;
	struct sync_report r;
	size_t n = 0, failed = 0;
	enum err err;

	if ((err = store_partner_list(st, &v, &n)) != ERR_OK)
		return err;
	for (size_t i = 0; i < n; i++) {
		if ((err = sync_partner(st, o, &v[i], &r)) != ERR_OK)
			break;
		if (!r.ok && !r.skipped)
			failed++;
		if (r.halted)
			log_err("sync %s: HALTED: %s", r.name, r.why);
		else if (!r.ok && !r.skipped)
			log_warn("sync %s: failed: %s", r.name, r.why);
		if (report != NULL)
			report(arg, &r);
	}
	free(v);
	if (n_failed != NULL)
		*n_failed = failed;
	return err;
}
