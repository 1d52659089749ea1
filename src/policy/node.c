/*
 * node.c: the agreements of one node, between the store and the engine
 * (policy/node.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "policy/agreement_int.h"
#include "policy/node.h"
#include "tlog/leaf.h"
#include "tlog/tree.h"
#include "util/jsonmem.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/uuid.h"

/* Rows backfilled, and retained rows purged, per transaction. */
#define NODE_BATCH	512u

/* ---- policy fields of objects ---- */

enum err
node_object_meta(const json_t *obj, int *tlp_out, struct buf *labels_out)
{
	const json_t *labels, *e;
	size_t i, used = 0;
	enum err err;

	*tlp_out = (int)policy_tlp_of(obj);
	labels = json_object_get(obj, "labels");
	if (!json_is_array(labels))
		return ERR_OK;
	json_array_foreach(labels, i, e) {
		const char *s = json_string_value(e);
		size_t len;

		if (s == NULL)
			continue;
		len = json_string_length(e);
		/* A label with a NUL could not be told apart once stored. */
		if (memchr(s, '\0', len) != NULL)
			continue;
		if (len + 1 > STORE_LABELS_MAX - used)
			break;
		if ((err = buf_add(labels_out, s, len + 1)) != ERR_OK)
			return err;
		used += len + 1;
	}
	return ERR_OK;
}

void
node_object_from_row(const struct store_row *r, const char *coll_name,
    const char **labels, size_t cap, struct policy_object *o)
{
	size_t n = 0, off = 0;

	memset(o, 0, sizeof(*o));
	o->type = r->type;
	o->collection = coll_name;
	o->tlp = r->tlp >= (int)AGREEMENT_TLP_CLEAR &&
	    r->tlp <= (int)AGREEMENT_TLP_RED ? (enum agreement_tlp)r->tlp :
	    AGREEMENT_TLP_NONE;
	while (r->labels != NULL && off < r->labels_len && n < cap) {
		const char *s = r->labels + off;
		const char *z = memchr(s, '\0', r->labels_len - off);

		if (z == NULL)
			break;
		labels[n++] = s;
		off += (size_t)(z - s) + 1;
	}
	o->labels = labels;
	o->n_labels = n;
	o->producer = r->has_producer ? r->producer : NULL;
	o->received_from = r->has_sender ? r->sender : NULL;
	o->received_under = r->under;
}

int
node_may_use(const struct policy *p, const struct store_row *r, int64_t now)
{
	if (!r->has_sender)
		return 1;
	if (r->under == NULL)
		return 0;
	return policy_agreement_active(p, policy_agreement_find(p, r->under),
	    now);
}

/* ---- loading ---- */

static enum agreement_tlp
default_tlp(struct store *st)
{
	static const char *const names[] = { "clear", "green", "amber",
	    "amber+strict", "red" };
	enum agreement_tlp t = AGREEMENT_TLP_AMBER;
	char *v = NULL;
	size_t len;

	if (store_meta_get(st, NODE_META_DEFAULT_TLP, &v, &len) != ERR_OK)
		return t;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && memcmp(v, names[i], len) == 0)
			t = (enum agreement_tlp)(AGREEMENT_TLP_CLEAR + i);
	free(v);
	return t;
}

enum err
node_agreement_get(struct store *st, const char *id, struct agreement **out,
    int64_t *terminated_out)
{
	struct store_agreement sa;
	enum err err;

	*out = NULL;
	memset(&sa, 0, sizeof(sa));
	if ((err = store_agreement_get(st, id, &sa)) != ERR_OK)
		return err;
	err = agreement_parse(sa.doc, sa.doc_len, out, NULL);
	if (err != ERR_OK)
		log_err("installed agreement %s does not parse: %s", id,
		    err_str(err));
	if (terminated_out != NULL)
		*terminated_out = sa.term != NULL ? sa.terminated :
		    POLICY_NEVER;
	store_agreement_clear(&sa);
	return err == ERR_OK ? ERR_OK : ERR_DB;
}

enum err
node_policy_load(struct store *st, struct policy **out, int64_t *gen_out)
{
	struct store_agreement *v = NULL;
	struct store_party self;
	struct policy *p = NULL;
	size_t n = 0;
	int64_t gen = 0;
	enum err err;

	*out = NULL;
	/* The generation first: a change after it only rebuilds again. */
	if ((err = store_policy_gen(st, &gen)) != ERR_OK ||
	    (err = store_party_self(st, &self)) != ERR_OK)
		return err;
	if ((err = policy_new(self.pubkey, default_tlp(st), &p)) != ERR_OK)
		return err;
	if ((err = store_agreement_list(st, &v, &n)) != ERR_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct agreement *a = NULL;
		enum err e;

		e = agreement_parse(v[i].doc, v[i].doc_len, &a, NULL);
		if (e == ERR_OK)
			e = policy_add(p, a, v[i].term != NULL ?
			    v[i].terminated : POLICY_NEVER);
		agreement_free(a);
		if (e == ERR_NOMEM) {
			err = e;
			goto out;
		}
		/* Installed ones were checked; one that no longer loads
		 * grants nothing, and says so. */
		if (e != ERR_OK)
			log_err("agreement %s v%u not applied: %s", v[i].id,
			    v[i].version, err_str(e));
	}
out:
	store_agreement_list_free(v, n);
	if (err != ERR_OK) {
		policy_free(p);
		return err;
	}
	*out = p;
	if (gen_out != NULL)
		*gen_out = gen;
	return ERR_OK;
}

/* ---- installing ---- */

/* Does the JSON text look like a termination record (a "terminates")? */
static int
is_termination(const char *text, size_t len, enum err *err)
{
	json_error_t jerr;
	json_t *doc;
	int r;

	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		*err = ERR_PARSE;
		return 0;
	}
	*err = ERR_OK;
	r = json_is_object(doc) && json_object_get(doc, "terminates") != NULL;
	json_decref(doc);
	return r;
}

static enum err
log_event(struct store *st, unsigned event, const struct agreement *a,
    int64_t now, uint64_t *leaf)
{
	struct tlog_appender app;
	struct tlog_leaf l;
	enum err err;

	memset(&l, 0, sizeof(l));
	l.kind = TLOG_LEAF_AGREEMENT;
	l.u.agr.event = (uint8_t)event;
	l.u.agr.time = (uint64_t)now;
	memcpy(l.u.agr.doc_hash, a->hash, sizeof(l.u.agr.doc_hash));
	l.u.agr.version = a->version;
	memcpy(l.u.agr.id, a->id, sizeof(l.u.agr.id));
	memset(&app, 0, sizeof(app));
	if ((err = tlog_appender_begin(&app, st)) == ERR_OK)
		err = tlog_appender_add_leaf(&app, &l, leaf);
	tlog_appender_done(&app);
	return err;
}

/* Create the collections a's share clauses name that st lacks. */
static enum err
create_collections(struct store *st, const struct agreement *a,
    size_t *n_created)
{
	struct store_collection c;
	char uuid[UUID_STRLEN + 1], desc[128];
	uint8_t rnd[16];
	int64_t cid;
	enum err err;

	for (size_t i = 0; i < a->n_share; i++) {
		const struct agreement_list *l = &a->share[i].collections;

		for (size_t k = 0; !l->any && k < l->n; k++) {
			err = store_collection_by_name(st, l->v[k], &c);
			if (err == ERR_OK)
				continue;
			if (err != ERR_NOTFOUND)
				return err;
			if ((err = crypto_random(rnd, sizeof(rnd))) != ERR_OK)
				return err;
			uuid_v4_format(rnd, uuid);
			(void)snprintf(desc, sizeof(desc), "Created for %s",
			    a->id);
			err = store_collection_add_named(st, uuid, l->v[k],
			    l->v[k], desc, &cid);
			if (err != ERR_OK)
				return err;
			(*n_created)++;
		}
	}
	return ERR_OK;
}

/*
 * The end of an install: on success name what was installed; on failure
 * roll back, and say why when it was not the document's fault.
 */
static void
install_end(struct store *st, int in_txn, enum err err,
    const struct agreement *a, struct node_install *out,
    struct agreement_report *rep)
{
	if (in_txn)
		store_rollback(st);
	if (err == ERR_OK) {
		memcpy(out->id, a->id, sizeof(out->id));
		out->version = a->version;
	} else if (err == ERR_DB || err == ERR_BUSY || err == ERR_NOMEM)
		agreement_report_add(rep, "cannot install: %s", err_str(err));
}

static enum err
install_agreement(struct store *st, const char *text, size_t len,
    int64_t now, struct node_install *out, struct agreement_report *rep)
{
	struct store_agreement old;
	struct store_party self;
	struct agreement *a = NULL;
	char ts[TS_BUFSZ];
	int in_txn = 0;
	enum err err;

	memset(&old, 0, sizeof(old));
	if ((err = agreement_parse(text, len, &a, rep)) != ERR_OK)
		return err;
	if ((err = agreement_verify(a, now, AGREEMENT_VERIFY_NO_WINDOW, rep))
	    != ERR_OK)
		goto out;
	if ((err = store_party_self(st, &self)) != ERR_OK) {
		agreement_report_add(rep, "this node has no party of its own");
		goto out;
	}
	if (agreement_party_find(a, self.pubkey) < 0) {
		agreement_report_add(rep, "this node's party (%s) is not a "
		    "party of the agreement", self.name);
		err = ERR_INVALID;
		goto out;
	}
	if (now >= a->valid_until) {
		ts_format(a->valid_until, ts);
		agreement_report_add(rep, "expired: valid_until was %s", ts);
		err = ERR_INVALID;
		goto out;
	}
	if ((err = store_begin(st)) != ERR_OK)
		goto out;
	in_txn = 1;
	err = store_agreement_get(st, a->id, &old);
	if (err == ERR_OK && old.version >= a->version) {
		agreement_report_add(rep, "%s version %u is already installed",
		    a->id, old.version);
		err = ERR_EXISTS;
		goto out;
	}
	if (err != ERR_OK && err != ERR_NOTFOUND)
		goto out;
	out->replaced = err == ERR_OK ? old.version : 0;
	if ((err = create_collections(st, a, &out->n_created)) != ERR_OK ||
	    (err = store_agreement_put(st, a->id, a->version, a->hash, text,
	    len, now)) != ERR_OK ||
	    (err = log_event(st, TLOG_LEAF_EVENT_INSTALLED, a, now,
	    &out->leaf)) != ERR_OK)
		goto out;
	if ((err = store_commit(st)) != ERR_OK)
		goto out;
	in_txn = 0;
out:
	install_end(st, in_txn, err, a, out, rep);
	store_agreement_clear(&old);
	agreement_free(a);
	return err;
}

static enum err
install_termination(struct store *st, const char *text, size_t len,
    int64_t now, struct node_install *out, struct agreement_report *rep)
{
	struct agreement_termination *t = NULL;
	struct agreement *a = NULL;
	int64_t term = POLICY_NEVER;
	int in_txn = 0;
	enum err err;

	out->is_termination = 1;
	if ((err = agreement_termination_parse(text, len, &t, rep)) != ERR_OK)
		return err;
	err = node_agreement_get(st, t->agreement_id, &a, &term);
	if (err == ERR_NOTFOUND) {
		agreement_report_add(rep, "%s is not installed on this node",
		    t->agreement_id);
		goto out;
	}
	if (err != ERR_OK)
		goto out;
	if ((err = agreement_termination_verify(t, a, rep)) != ERR_OK)
		goto out;
	if (term != POLICY_NEVER) {
		agreement_report_add(rep, "%s v%u is already terminated",
		    a->id, a->version);
		err = ERR_EXISTS;
		goto out;
	}
	if ((err = store_begin(st)) != ERR_OK)
		goto out;
	in_txn = 1;
	err = store_agreement_terminate(st, t->agreement_id, t->version,
	    t->time, text, len);
	if (err == ERR_NOTFOUND)
		agreement_report_add(rep, "the record ends version %u, but "
		    "version %u is installed", t->version, a->version);
	else if (err == ERR_EXISTS)
		agreement_report_add(rep, "%s v%u is already terminated",
		    a->id, a->version);
	if (err != ERR_OK)
		goto out;
	if ((err = log_event(st, TLOG_LEAF_EVENT_TERMINATED, a, now,
	    &out->leaf)) != ERR_OK || (err = store_commit(st)) != ERR_OK)
		goto out;
	in_txn = 0;
out:
	install_end(st, in_txn, err, a, out, rep);
	agreement_free(a);
	agreement_termination_free(t);
	return err;
}

enum err
node_install(struct store *st, const char *text, size_t len, int64_t now,
    struct node_install *out, struct agreement_report *rep)
{
	enum err err;
	int term;

	memset(out, 0, sizeof(*out));
	if (len > AGREEMENT_MAX_BYTES) {
		agreement_report_add(rep, "larger than %u bytes",
		    AGREEMENT_MAX_BYTES);
		return ERR_TOOBIG;
	}
	term = is_termination(text, len, &err);
	if (err != ERR_OK) {
		agreement_report_add(rep, "not one JSON object");
		return err;
	}
	if (term)
		return install_termination(st, text, len, now, out, rep);
	return install_agreement(st, text, len, now, out, rep);
}

enum err
node_terminate(struct store *st,
    const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES], const char *id,
    int64_t at, const char *reason, int64_t now, char **record_out,
    struct agreement_report *rep)
{
	struct agreement_termination *t = NULL;
	struct agreement *a = NULL;
	struct store_party self;
	struct node_install res;
	uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES];
	json_t *j = NULL;
	struct buf b;
	enum err err;

	buf_init(&b, AGREEMENT_MAX_BYTES);
	if (record_out != NULL)
		*record_out = NULL;
	if ((err = store_party_self(st, &self)) != ERR_OK)
		return err;
	crypto_ed25519_public(seed, pub);
	if (memcmp(pub, self.pubkey, sizeof(pub)) != 0) {
		agreement_report_add(rep, "the key given is not this node's "
		    "party's key");
		return ERR_FORBIDDEN;
	}
	err = node_agreement_get(st, id, &a, NULL);
	if (err == ERR_NOTFOUND)
		agreement_report_add(rep, "%s is not installed on this node", id);
	if (err != ERR_OK)
		goto out;
	if ((err = agreement_termination_new(a, pub, at, reason, &t, rep)) !=
	    ERR_OK)
		goto out;
	if ((err = agreement_termination_sign(t, seed)) != ERR_OK ||
	    (err = agreement_termination_to_json(t, &j)) != ERR_OK)
		goto out;
	/* json_dumps' memory is jansson's (maybe an arena): copy out. */
	if ((err = jsonmem_dump(j, &b)) != ERR_OK)
		goto out;
	if ((err = node_install(st, b.ptr, b.len, now, &res, rep)) != ERR_OK)
		goto out;
	if (record_out != NULL) {
		if ((*record_out = strdup(b.ptr)) == NULL) {
			err = ERR_NOMEM;
			goto out;
		}
	}
out:
	buf_reset(&b);
	json_decref(j);
	agreement_termination_free(t);
	agreement_free(a);
	return err;
}

/* ---- the shared policy ---- */

/* One built policy and the references to it. */
struct np_entry {
	struct policy	*p;
	int64_t		 gen;
	unsigned	 refs;	/* callers holding it, + 1 while current */
	struct np_entry	*next;
};

struct node_policy {
	pthread_mutex_t	 mu;
	struct np_entry	*cur;
	struct np_entry	*old;	/* replaced, still held by callers */
};

enum err
node_policy_new(struct node_policy **out)
{
	struct node_policy *np;

	*out = NULL;
	if ((np = calloc(1, sizeof(*np))) == NULL)
		return ERR_NOMEM;
	if (pthread_mutex_init(&np->mu, NULL) != 0) {
		free(np);
		return ERR_NOMEM;
	}
	*out = np;
	return ERR_OK;
}

static void
entry_free(struct np_entry *e)
{
	if (e != NULL) {
		policy_free(e->p);
		free(e);
	}
}

void
node_policy_free(struct node_policy *np)
{
	struct np_entry *e, *next;

	if (np == NULL)
		return;
	entry_free(np->cur);
	for (e = np->old; e != NULL; e = next) {
		next = e->next;
		entry_free(e);
	}
	(void)pthread_mutex_destroy(&np->mu);
	free(np);
}

/* Drop one reference to e (mu held); free it once unused and retired. */
static void
entry_unref(struct node_policy *np, struct np_entry *e)
{
	struct np_entry **pp;

	if (--e->refs > 0)
		return;
	for (pp = &np->old; *pp != NULL; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	entry_free(e);
}

enum err
node_policy_acquire(struct node_policy *np, struct store *st,
    const struct policy **out)
{
	struct np_entry *e;
	int64_t gen;
	enum err err;

	*out = NULL;
	if ((err = store_policy_gen(st, &gen)) != ERR_OK)
		return err;
	(void)pthread_mutex_lock(&np->mu);
	if (np->cur != NULL && np->cur->gen >= gen) {
		np->cur->refs++;
		*out = np->cur->p;
		(void)pthread_mutex_unlock(&np->mu);
		return ERR_OK;
	}
	(void)pthread_mutex_unlock(&np->mu);
	/* Build outside the lock; two threads may both build, one wins. */
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return ERR_NOMEM;
	if ((err = node_policy_load(st, &e->p, &e->gen)) != ERR_OK) {
		free(e);
		return err;
	}
	(void)pthread_mutex_lock(&np->mu);
	if (np->cur == NULL || np->cur->gen < e->gen) {
		if (np->cur != NULL) {
			np->cur->next = np->old;
			np->old = np->cur;
			entry_unref(np, np->cur);
		}
		e->refs = 1;
		np->cur = e;
		e = NULL;
	}
	np->cur->refs++;
	*out = np->cur->p;
	(void)pthread_mutex_unlock(&np->mu);
	entry_free(e);
	return ERR_OK;
}

void
node_policy_release(struct node_policy *np, const struct policy *p)
{
	struct np_entry *e;

	if (p == NULL)
		return;
	(void)pthread_mutex_lock(&np->mu);
	if (np->cur != NULL && np->cur->p == p)
		entry_unref(np, np->cur);
	else
		for (e = np->old; e != NULL; e = e->next)
			if (e->p == p) {
				entry_unref(np, e);
				break;
			}
	(void)pthread_mutex_unlock(&np->mu);
}

/* ---- backfill and retention ---- */

enum err
node_backfill(struct store *st, size_t *n_out)
{
	struct store_page pg;
	struct buf labels;
	int64_t after = 0;
	size_t total = 0;
	enum err err = ERR_OK;

	buf_init(&labels, STORE_LABELS_MAX);
	for (;;) {
		memset(&pg, 0, sizeof(pg));
		if ((err = store_obj_meta_pending(st, after, NODE_BATCH, &pg)) !=
		    ERR_OK || pg.n == 0) {
			store_page_free(&pg);
			break;
		}
		if ((err = store_begin(st)) != ERR_OK) {
			store_page_free(&pg);
			break;
		}
		for (size_t i = 0; i < pg.n && err == ERR_OK; i++) {
			const struct store_row *r = &pg.rows[i];
			json_error_t jerr;
			json_t *obj;
			int tlp = 0;

			buf_clear(&labels);
			obj = json_loadb(r->json, r->json_len, 0, &jerr);
			/* Stored JSON was valid; if not, treat as unmarked. */
			if (obj != NULL)
				err = node_object_meta(obj, &tlp, &labels);
			json_decref(obj);
			if (err == ERR_OK)
				err = store_obj_meta_set(st, r->date_added, tlp,
				    labels.len > 0 ? labels.ptr : NULL,
				    labels.len);
			after = r->date_added;
		}
		if (err == ERR_OK)
			err = store_commit(st);
		else
			store_rollback(st);
		total += err == ERR_OK ? pg.n : 0;
		store_page_free(&pg);
		if (err != ERR_OK)
			break;
	}
	buf_reset(&labels);
	if (n_out != NULL)
		*n_out = total;
	return err;
}

/*
 * The latest instant t with t + d <= now: objects added at or before it
 * are past retention.  Adding a duration is monotonic in t, so bisect.
 */
static int64_t
retention_cutoff(const struct agreement_duration *d, int64_t now)
{
	int64_t lo = INT64_C(-62135596800000000), hi = now, mid, t;

	/* lo is year 1: any duration within the limits fits from there. */
	if (agreement_duration_add(d, lo, &t) != ERR_OK || t > now)
		return lo - 1;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (agreement_duration_add(d, mid, &t) == ERR_OK && t <= now)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

enum err
node_retention_purge(struct store *st, int64_t now, size_t *n_out)
{
	struct store_agreement *v = NULL;
	size_t n = 0, total = 0, got;
	enum err err;

	if ((err = store_agreement_list(st, &v, &n)) != ERR_OK)
		goto out;
	for (size_t i = 0; i < n && err == ERR_OK; i++) {
		struct agreement *a = NULL;
		int64_t cutoff;

		if (agreement_parse(v[i].doc, v[i].doc_len, &a, NULL) !=
		    ERR_OK)
			continue;
		if (!a->has_retention) {
			agreement_free(a);
			continue;
		}
		cutoff = retention_cutoff(&a->keep_for, now);
		agreement_free(a);
		do {
			got = 0;
			if ((err = store_begin(st)) != ERR_OK)
				break;
			err = store_purge_received(st, v[i].id, cutoff + 1,
			    NODE_BATCH, &got);
			if (err == ERR_OK)
				err = store_commit(st);
			else
				store_rollback(st);
			total += err == ERR_OK ? got : 0;
		} while (err == ERR_OK && got == NODE_BATCH);
	}
out:
	store_agreement_list_free(v, n);
	if (n_out != NULL)
		*n_out = total;
	return err;
}
