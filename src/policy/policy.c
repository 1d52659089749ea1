/*
 * policy.c: the decision engine of policy.h.
 *
 * At load every clause is compiled: party keys become small integers,
 * types, labels and collections become ids in one string table (sorted id
 * arrays per clause), and each party gets two lists: the clauses by which
 * this node's party shares with it ("out") and those by which it shares
 * with this node's party ("in"), plus the agreements it is in.  A read
 * then costs one hash lookup per key and string of the object and a walk
 * over the few clauses between the two parties.
 *
 * Reasons for a deny are collected by a second, slower pass that only
 * runs when the caller asks for them, so the decision itself is always
 * made by the same fast code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "stix/stix.h"
#include "util/timeutil.h"

#define NO_ID		UINT32_MAX
#define PARTY_ALL	(UINT32_MAX - 1)
/* Object labels resolved once per decision; the rest on demand. */
#define LABEL_CACHE	32u

/* ---- hashing ---- */

static uint32_t
hash_bytes(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)len, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	if (i < len)
		memcpy(&w, s + i, len - i);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

/*
 * Open addressing over indexes into some array; a slot holds the index
 * plus one (0 is empty) and the hash, so growing needs no keys.
 */
struct hslot {
	uint32_t	idx1;
	uint32_t	h;
};

struct ihash {
	struct hslot	*s;
	size_t		 cap;	/* power of two, or 0 */
	size_t		 n;
};

/* Make room for n entries in all (load at most 1/2). */
static enum err
ihash_reserve(struct ihash *t, size_t n)
{
	struct hslot *ns;
	size_t cap = t->cap ? t->cap : 16, i, j;

	if (n > SIZE_MAX / 4)
		return ERR_NOMEM;
	while (cap < 2 * n)
		cap *= 2;
	if (cap == t->cap)
		return ERR_OK;
	if ((ns = calloc(cap, sizeof(*ns))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < t->cap; i++) {
		if (t->s[i].idx1 == 0)
			continue;
		for (j = t->s[i].h & (cap - 1); ns[j].idx1 != 0;
		    j = (j + 1) & (cap - 1))
			;
		ns[j] = t->s[i];
	}
	free(t->s);
	t->s = ns;
	t->cap = cap;
	return ERR_OK;
}

/* Insert after ihash_reserve made room.  Can't fail. */
static void
ihash_put(struct ihash *t, uint32_t h, uint32_t idx)
{
	size_t j;

	for (j = h & (t->cap - 1); t->s[j].idx1 != 0;
	    j = (j + 1) & (t->cap - 1))
		;
	t->s[j].idx1 = idx + 1;
	t->s[j].h = h;
	t->n++;
}

/* ---- the compiled policy ---- */

struct pclause {
	uint32_t	 agr;		/* agreement index */
	uint32_t	 idx;		/* index in its share[] */
	uint32_t	 from;		/* party id */
	uint32_t	 to;		/* party id or PARTY_ALL */
	uint8_t		 tlp_max;
	uint8_t		 onward;
	uint8_t		 any_type;
	uint8_t		 any_coll;
	uint32_t	 n_types, n_labels, n_colls;
	uint32_t	*types;		/* sorted string ids */
	uint32_t	*labels;
	uint32_t	*colls;
};

struct pagr {
	char		 id[AGREEMENT_ID_LEN + 1];
	uint32_t	 version;
	int64_t		 from, until, term;
	uint32_t	*parties;	/* party ids */
	uint32_t	 n_parties;
	uint32_t	 first, n_clauses;	/* into p->clauses */
};

/* A growable list of uint32_t. */
struct u32list {
	uint32_t	*v;
	uint32_t	 n, cap;
};

struct pparty {
	uint8_t		key[CRYPTO_ED25519_PUBLIC_BYTES];
	char		identity[AGREEMENT_IDENTITY_LEN + 1];
	struct u32list	out;	/* clauses: self shares with this party */
	struct u32list	in;	/* clauses: this party shares with self */
	struct u32list	agrs;	/* agreements it is in */
};

struct policy {
	uint8_t			 self[CRYPTO_ED25519_PUBLIC_BYTES];
	uint32_t		 self_id;
	enum agreement_tlp	 def_tlp;

	struct pparty		*parties;
	size_t			 n_parties, cap_parties;
	struct ihash		 party_h;

	struct pagr		*agrs;
	size_t			 n_agrs, cap_agrs;
	struct ihash		 agr_h;

	struct pclause		*clauses;
	size_t			 n_clauses, cap_clauses;

	char			**strs;		/* types, labels, collections */
	size_t			 n_strs, cap_strs;
	struct ihash		 str_h;
};

static enum err
grow(void **v, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 8;
	void *nv;

	if (need <= *cap)
		return ERR_OK;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return ERR_NOMEM;
		ncap *= 2;
	}
	if ((nv = realloc(*v, ncap * elem)) == NULL)
		return ERR_NOMEM;
	*v = nv;
	*cap = ncap;
	return ERR_OK;
}

static enum err
u32_reserve(struct u32list *l, size_t more)
{
	size_t cap = l->cap;
	enum err err;

	if (more > UINT32_MAX - (size_t)l->n)
		return ERR_RANGE;
	err = grow((void **)&l->v, &cap, (size_t)l->n + more, sizeof(*l->v));
	if (err == ERR_OK)
		l->cap = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
	return err;
}

static uint32_t
party_find(const struct policy *p, const uint8_t *key)
{
	uint32_t h = hash_bytes(key, CRYPTO_ED25519_PUBLIC_BYTES);
	size_t j;

	if (p->party_h.cap == 0)
		return NO_ID;
	for (j = h & (p->party_h.cap - 1); p->party_h.s[j].idx1 != 0;
	    j = (j + 1) & (p->party_h.cap - 1)) {
		const struct hslot *s = &p->party_h.s[j];

		if (s->h == h && memcmp(p->parties[s->idx1 - 1].key, key,
		    CRYPTO_ED25519_PUBLIC_BYTES) == 0)
			return s->idx1 - 1;
	}
	return NO_ID;
}

/* The party id of key, adding the party when new. */
static enum err
party_intern(struct policy *p, const uint8_t *key, uint32_t *out)
{
	enum err err;

	if ((*out = party_find(p, key)) != NO_ID)
		return ERR_OK;
	if (p->n_parties >= PARTY_ALL - 1)
		return ERR_RANGE;
	if ((err = grow((void **)&p->parties, &p->cap_parties,
	    p->n_parties + 1, sizeof(*p->parties))) != ERR_OK ||
	    (err = ihash_reserve(&p->party_h, p->n_parties + 1)) != ERR_OK)
		return err;
	memset(&p->parties[p->n_parties], 0, sizeof(p->parties[0]));
	memcpy(p->parties[p->n_parties].key, key,
	    CRYPTO_ED25519_PUBLIC_BYTES);
	agreement_identity_id(key, p->parties[p->n_parties].identity);
	ihash_put(&p->party_h, hash_bytes(key, CRYPTO_ED25519_PUBLIC_BYTES),
	    (uint32_t)p->n_parties);
	*out = (uint32_t)p->n_parties++;
	return ERR_OK;
}

static uint32_t
str_find(const struct policy *p, const char *s, size_t len)
{
	uint32_t h;
	size_t j;

	if (p->str_h.cap == 0 || s == NULL)
		return NO_ID;
	h = hash_bytes(s, len);
	for (j = h & (p->str_h.cap - 1); p->str_h.s[j].idx1 != 0;
	    j = (j + 1) & (p->str_h.cap - 1)) {
		const struct hslot *e = &p->str_h.s[j];
		const char *t = p->strs[e->idx1 - 1];

		if (e->h == h && strncmp(t, s, len) == 0 && t[len] == '\0')
			return e->idx1 - 1;
	}
	return NO_ID;
}

static enum err
str_intern(struct policy *p, const char *s, uint32_t *out)
{
	size_t len = strlen(s);
	char *copy;
	enum err err;

	if ((*out = str_find(p, s, len)) != NO_ID)
		return ERR_OK;
	if (p->n_strs >= NO_ID - 1)
		return ERR_RANGE;
	if ((err = grow((void **)&p->strs, &p->cap_strs, p->n_strs + 1,
	    sizeof(*p->strs))) != ERR_OK ||
	    (err = ihash_reserve(&p->str_h, p->n_strs + 1)) != ERR_OK)
		return err;
	if ((copy = strdup(s)) == NULL)
		return ERR_NOMEM;
	p->strs[p->n_strs] = copy;
	ihash_put(&p->str_h, hash_bytes(s, len), (uint32_t)p->n_strs);
	*out = (uint32_t)p->n_strs++;
	return ERR_OK;
}

size_t
policy_agreement_find(const struct policy *p, const char *id)
{
	uint32_t h;
	size_t j, len;

	if (id == NULL || p->agr_h.cap == 0)
		return POLICY_NONE;
	len = strlen(id);
	if (len != AGREEMENT_ID_LEN)
		return POLICY_NONE;
	h = hash_bytes(id, len);
	for (j = h & (p->agr_h.cap - 1); p->agr_h.s[j].idx1 != 0;
	    j = (j + 1) & (p->agr_h.cap - 1)) {
		const struct hslot *e = &p->agr_h.s[j];

		if (e->h == h && memcmp(p->agrs[e->idx1 - 1].id, id, len) == 0)
			return e->idx1 - 1;
	}
	return POLICY_NONE;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Compile a list into sorted string ids (a fresh array, or NULL if empty). */
static enum err
compile_list(struct policy *p, const struct agreement_list *l,
    uint32_t **out, uint32_t *n_out)
{
	uint32_t *v;
	size_t i;
	enum err err;

	*out = NULL;
	*n_out = 0;
	if (l->n == 0 || l->any)
		return ERR_OK;
	if (l->n > UINT32_MAX || (v = calloc(l->n, sizeof(*v))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < l->n; i++)
		if ((err = str_intern(p, l->v[i], &v[i])) != ERR_OK) {
			free(v);
			return err;
		}
	qsort(v, l->n, sizeof(*v), cmp_u32);
	*out = v;
	*n_out = (uint32_t)l->n;
	return ERR_OK;
}

static void
clause_free(struct pclause *c)
{
	free(c->types);
	free(c->labels);
	free(c->colls);
}

enum err
policy_new(const uint8_t self_key[CRYPTO_ED25519_PUBLIC_BYTES],
    enum agreement_tlp default_tlp, struct policy **out)
{
	struct policy *p;
	enum err err;

	*out = NULL;
	if (default_tlp < AGREEMENT_TLP_CLEAR ||
	    default_tlp > AGREEMENT_TLP_RED)
		return ERR_INVALID;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return ERR_NOMEM;
	memcpy(p->self, self_key, CRYPTO_ED25519_PUBLIC_BYTES);
	p->def_tlp = default_tlp;
	if ((err = party_intern(p, self_key, &p->self_id)) != ERR_OK) {
		policy_free(p);
		return err;
	}
	*out = p;
	return ERR_OK;
}

void
policy_free(struct policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_parties; i++) {
		free(p->parties[i].out.v);
		free(p->parties[i].in.v);
		free(p->parties[i].agrs.v);
	}
	for (i = 0; i < p->n_agrs; i++)
		free(p->agrs[i].parties);
	for (i = 0; i < p->n_clauses; i++)
		clause_free(&p->clauses[i]);
	for (i = 0; i < p->n_strs; i++)
		free(p->strs[i]);
	free(p->parties);
	free(p->party_h.s);
	free(p->agrs);
	free(p->agr_h.s);
	free(p->clauses);
	free(p->strs);
	free(p->str_h.s);
	free(p);
}

/*
 * Everything policy_add may fail on happens before anything it adds is
 * visible: new parties and strings are harmless (a party in no agreement
 * grants nothing), and every list is reserved before the first append.
 */
enum err
policy_add(struct policy *p, const struct agreement *a,
    int64_t terminated_at)
{
	struct pclause *cs = NULL;
	uint32_t *pid = NULL, *n_out = NULL, *n_in = NULL;
	struct pagr *ag;
	size_t i, j, n = a->n_share, np = a->n_parties, self_local = np;
	uint32_t ai;
	enum err err;

	if (policy_agreement_find(p, a->id) != POLICY_NONE)
		return ERR_EXISTS;
	if (agreement_party_find(a, p->self) < 0)
		return ERR_INVALID;
	if (p->n_agrs >= UINT32_MAX - 1 || n > UINT32_MAX ||
	    p->n_clauses > UINT32_MAX - n)
		return ERR_RANGE;
	ai = (uint32_t)p->n_agrs;
	err = ERR_NOMEM;
	if ((pid = calloc(np, sizeof(*pid))) == NULL ||
	    (n_out = calloc(np, sizeof(*n_out))) == NULL ||
	    (n_in = calloc(np, sizeof(*n_in))) == NULL ||
	    (n > 0 && (cs = calloc(n, sizeof(*cs))) == NULL))
		goto fail;
	for (i = 0; i < np; i++) {
		if ((err = party_intern(p, a->parties[i].key, &pid[i])) !=
		    ERR_OK)
			goto fail;
		for (j = 0; j < i; j++)
			if (pid[j] == pid[i]) {
				err = ERR_INVALID;
				goto fail;
			}
		if (pid[i] == p->self_id)
			self_local = i;
	}
	for (i = 0; i < n; i++) {
		const struct agreement_share *sh = &a->share[i];
		struct pclause *c = &cs[i];

		if (sh->from >= np || (sh->to >= np &&
		    sh->to != AGREEMENT_TO_ALL) || sh->from == sh->to) {
			err = ERR_INVALID;
			goto fail;
		}
		c->agr = ai;
		c->idx = (uint32_t)i;
		c->from = pid[sh->from];
		c->to = sh->to == AGREEMENT_TO_ALL ? PARTY_ALL : pid[sh->to];
		c->tlp_max = (uint8_t)sh->tlp_max;
		c->onward = (uint8_t)sh->onward;
		c->any_type = (uint8_t)sh->types.any;
		c->any_coll = (uint8_t)sh->collections.any;
		if ((err = compile_list(p, &sh->types, &c->types,
		    &c->n_types)) != ERR_OK ||
		    (err = compile_list(p, &sh->labels_any, &c->labels,
		    &c->n_labels)) != ERR_OK ||
		    (err = compile_list(p, &sh->collections, &c->colls,
		    &c->n_colls)) != ERR_OK)
			goto fail;
		/* Who gets an index entry. */
		if (sh->from == self_local) {
			for (j = 0; j < np; j++)
				if (j != self_local && (sh->to == j ||
				    sh->to == AGREEMENT_TO_ALL))
					n_out[j]++;
		} else if (sh->to == self_local ||
		    sh->to == AGREEMENT_TO_ALL) {
			n_in[sh->from]++;
		}
	}
	/* Reserve everything, then commit (nothing below can fail). */
	if ((err = grow((void **)&p->agrs, &p->cap_agrs, p->n_agrs + 1,
	    sizeof(*p->agrs))) != ERR_OK ||
	    (err = ihash_reserve(&p->agr_h, p->n_agrs + 1)) != ERR_OK ||
	    (err = grow((void **)&p->clauses, &p->cap_clauses,
	    p->n_clauses + n, sizeof(*p->clauses))) != ERR_OK)
		goto fail;
	for (i = 0; i < np; i++) {
		struct pparty *pp = &p->parties[pid[i]];

		if ((err = u32_reserve(&pp->out, n_out[i])) != ERR_OK ||
		    (err = u32_reserve(&pp->in, n_in[i])) != ERR_OK ||
		    (err = u32_reserve(&pp->agrs, 1)) != ERR_OK)
			goto fail;
	}

	ag = &p->agrs[ai];
	memset(ag, 0, sizeof(*ag));
	memcpy(ag->id, a->id, sizeof(ag->id));
	ag->version = a->version;
	ag->from = a->valid_from;
	ag->until = a->valid_until;
	ag->term = terminated_at;
	ag->parties = pid;
	ag->n_parties = (uint32_t)np;
	ag->first = (uint32_t)p->n_clauses;
	ag->n_clauses = (uint32_t)n;
	pid = NULL;
	for (i = 0; i < n; i++) {
		const struct agreement_share *sh = &a->share[i];
		uint32_t ci = (uint32_t)p->n_clauses;

		p->clauses[p->n_clauses++] = cs[i];
		if (sh->from == self_local) {
			for (j = 0; j < np; j++)
				if (j != self_local && (sh->to == j ||
				    sh->to == AGREEMENT_TO_ALL)) {
					struct u32list *l =
					    &p->parties[ag->parties[j]].out;
					l->v[l->n++] = ci;
				}
		} else if (sh->to == self_local ||
		    sh->to == AGREEMENT_TO_ALL) {
			struct u32list *l =
			    &p->parties[ag->parties[sh->from]].in;
			l->v[l->n++] = ci;
		}
	}
	for (i = 0; i < np; i++) {
		struct u32list *l = &p->parties[ag->parties[i]].agrs;

		l->v[l->n++] = ai;
	}
	ihash_put(&p->agr_h, hash_bytes(a->id, AGREEMENT_ID_LEN), ai);
	p->n_agrs++;
	free(cs);
	free(n_out);
	free(n_in);
	return ERR_OK;
fail:
	for (i = 0; cs != NULL && i < n; i++)
		clause_free(&cs[i]);
	free(cs);
	free(pid);
	free(n_out);
	free(n_in);
	return err;
}

size_t
policy_n_agreements(const struct policy *p)
{
	return p->n_agrs;
}

const char *
policy_agreement_id(const struct policy *p, size_t i)
{
	return p->agrs[i].id;
}

uint32_t
policy_agreement_version(const struct policy *p, size_t i)
{
	return p->agrs[i].version;
}

/* ---- decisions ---- */

struct dctx {
	const struct policy		*p;
	const struct policy_object	*o;
	int64_t				 now;
	enum agreement_tlp		 tlp;
	uint32_t			 type, coll;
	uint32_t			 lab[LABEL_CACHE];
	size_t				 n_lab;		/* labels looked at */
	struct policy_why_list		*why;		/* NULL: fast pass */
};

static void
why_add(struct dctx *d, enum policy_why code, size_t agr, size_t clause,
    int64_t at)
{
	struct policy_why_list *w = d->why;

	if (w->n >= POLICY_MAX_REASONS) {
		w->n_more++;
		return;
	}
	w->r[w->n].code = code;
	w->r[w->n].agreement = agr;
	w->r[w->n].clause = clause;
	w->r[w->n].at = at;
	w->n++;
}

static void
dctx_init(struct dctx *d, const struct policy *p,
    const struct policy_object *o, int64_t now)
{
	size_t i, n;

	d->p = p;
	d->o = o;
	d->now = now;
	d->why = NULL;
	d->tlp = o->tlp == AGREEMENT_TLP_NONE ? p->def_tlp : o->tlp;
	d->type = o->type != NULL ? str_find(p, o->type, strlen(o->type)) :
	    NO_ID;
	d->coll = o->collection != NULL ? str_find(p, o->collection,
	    strlen(o->collection)) : NO_ID;
	n = o->labels != NULL ? o->n_labels : 0;
	if (n > POLICY_MAX_LABELS)
		n = POLICY_MAX_LABELS;
	d->n_lab = n;
	for (i = 0; i < n && i < LABEL_CACHE; i++)
		d->lab[i] = o->labels[i] != NULL ? str_find(p, o->labels[i],
		    strlen(o->labels[i])) : NO_ID;
}

static int
has_id(const uint32_t *v, uint32_t n, uint32_t id)
{
	uint32_t lo = 0, hi = n;

	if (id == NO_ID)
		return 0;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (v[mid] == id)
			return 1;
		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int
labels_match(const struct dctx *d, const struct pclause *c)
{
	const char *s;
	size_t i;

	for (i = 0; i < d->n_lab; i++) {
		if (i < LABEL_CACHE) {
			if (has_id(c->labels, c->n_labels, d->lab[i]))
				return 1;
			continue;
		}
		s = d->o->labels[i];
		if (s != NULL && has_id(c->labels, c->n_labels,
		    str_find(d->p, s, strlen(s))))
			return 1;
	}
	return 0;
}

static int
agr_active(const struct pagr *a, int64_t now)
{
	return now >= a->from && now < a->until && now < a->term;
}

/* Reasons an agreement is not in force: not yet, expired, terminated. */
static void
why_inactive(struct dctx *d, size_t ai, enum policy_why not_yet,
    enum policy_why expired, enum policy_why terminated)
{
	const struct pagr *a = &d->p->agrs[ai];

	if (d->now < a->from)
		why_add(d, not_yet, ai, POLICY_NONE, a->from);
	if (d->now >= a->until)
		why_add(d, expired, ai, POLICY_NONE, a->until);
	if (d->now >= a->term)
		why_add(d, terminated, ai, POLICY_NONE, a->term);
}

/*
 * Does clause c cover the object for recipient (a party id)?  In the slow
 * pass every failing condition is added to the reasons.
 */
static int
covers(struct dctx *d, const struct pclause *c, uint32_t recipient)
{
	int ok = 1;

	if (!c->any_type && !has_id(c->types, c->n_types, d->type)) {
		if (d->why == NULL)
			return 0;
		why_add(d, POLICY_WHY_TYPE, c->agr, c->idx, 0);
		ok = 0;
	}
	if (c->n_labels > 0 && !labels_match(d, c)) {
		if (d->why == NULL)
			return 0;
		why_add(d, POLICY_WHY_LABELS, c->agr, c->idx, 0);
		ok = 0;
	}
	if (!c->any_coll && !has_id(c->colls, c->n_colls, d->coll)) {
		if (d->why == NULL)
			return 0;
		why_add(d, POLICY_WHY_COLLECTION, c->agr, c->idx, 0);
		ok = 0;
	}
	if ((unsigned)d->tlp > c->tlp_max) {
		if (d->why == NULL)
			return 0;
		why_add(d, POLICY_WHY_TLP, c->agr, c->idx, 0);
		ok = 0;
	} else if (d->tlp == AGREEMENT_TLP_RED && c->to != recipient) {
		if (d->why == NULL)
			return 0;
		why_add(d, POLICY_WHY_RED_NOT_NAMED, c->agr, c->idx, 0);
		ok = 0;
	}
	return ok;
}

/*
 * Fast: the first clause in force of list l (indexes into p->clauses)
 * that covers the object for recipient.  Returns the clause index or
 * NO_ID.
 */
static uint32_t
first_cover(struct dctx *d, const struct u32list *l, uint32_t recipient)
{
	const struct policy *p = d->p;
	uint32_t i;

	for (i = 0; i < l->n; i++) {
		const struct pclause *c = &p->clauses[l->v[i]];

		if (agr_active(&p->agrs[c->agr], d->now) &&
		    covers(d, c, recipient))
			return l->v[i];
	}
	return NO_ID;
}

/*
 * Slow: why no clause of list l covers the object, agreement by agreement
 * over the agreements of party other (the one this node's party would
 * share with, or that would share with it).
 */
static void
explain_list(struct dctx *d, const struct u32list *l, uint32_t other,
    uint32_t recipient)
{
	const struct policy *p = d->p;
	const struct u32list *ags = &p->parties[other].agrs;
	uint32_t i, k;
	int any;

	if (ags->n == 0) {
		why_add(d, POLICY_WHY_NO_AGREEMENT, POLICY_NONE, POLICY_NONE,
		    0);
		return;
	}
	for (i = 0; i < ags->n; i++) {
		uint32_t ai = ags->v[i];

		if (!agr_active(&p->agrs[ai], d->now)) {
			why_inactive(d, ai, POLICY_WHY_NOT_YET,
			    POLICY_WHY_EXPIRED, POLICY_WHY_TERMINATED);
			continue;
		}
		any = 0;
		for (k = 0; k < l->n; k++) {
			const struct pclause *c = &p->clauses[l->v[k]];

			if (c->agr != ai)
				continue;
			any = 1;
			(void)covers(d, c, recipient);
		}
		if (!any)
			why_add(d, POLICY_WHY_NO_CLAUSE, ai, POLICY_NONE, 0);
	}
}

static int
agr_has_party(const struct pagr *a, uint32_t party)
{
	uint32_t i;

	for (i = 0; i < a->n_parties; i++)
		if (a->parties[i] == party)
			return 1;
	return 0;
}

static void
grant_set(struct policy_grant *g, enum policy_grant_kind kind, size_t agr,
    size_t clause, size_t via_agr, size_t via_clause)
{
	if (g == NULL)
		return;
	g->kind = kind;
	g->agreement = agr;
	g->clause = clause;
	g->via_agreement = via_agr;
	g->via_clause = via_clause;
}

/*
 * The onward check of an object another party produced, received from
 * sender under the agreement named o->received_under: 1 when it may go on
 * to reader, with *via_agr and *via_clause the clause it came under.  The
 * slow pass adds every reason it is not.
 */
static int
onward_ok(struct dctx *d, uint32_t sender, uint32_t reader, size_t *via_agr,
    size_t *via_clause)
{
	const struct policy *p = d->p;
	const struct pagr *ax;
	const struct u32list *in;
	size_t ai;
	uint32_t i, best = NO_ID;
	int onward = -1;

	ai = policy_agreement_find(p, d->o->received_under);
	if (ai == POLICY_NONE) {
		if (d->why != NULL)
			why_add(d, POLICY_WHY_SOURCE_UNKNOWN, POLICY_NONE,
			    POLICY_NONE, 0);
		return 0;
	}
	ax = &p->agrs[ai];
	if (!agr_active(ax, d->now)) {
		if (d->why != NULL)
			why_inactive(d, ai, POLICY_WHY_SOURCE_NOT_YET,
			    POLICY_WHY_SOURCE_EXPIRED,
			    POLICY_WHY_SOURCE_TERMINATED);
		return 0;
	}
	if (sender == NO_ID || !agr_has_party(ax, sender)) {
		if (d->why != NULL)
			why_add(d, POLICY_WHY_SOURCE_NOT_PARTY, ai,
			    POLICY_NONE, 0);
		return 0;
	}
	/* The most permissive clause sender -> self that covers it. */
	in = &p->parties[sender].in;
	for (i = 0; i < in->n; i++) {
		const struct pclause *c = &p->clauses[in->v[i]];
		struct policy_why_list *saved = d->why;

		if (c->agr != ai)
			continue;
		d->why = NULL;	/* failures of single clauses are noise */
		if (covers(d, c, p->self_id) && (int)c->onward > onward) {
			onward = c->onward;
			best = c->idx;
		}
		d->why = saved;
	}
	if (onward < 0) {
		if (d->why != NULL)
			why_add(d, POLICY_WHY_SOURCE_NO_CLAUSE, ai, POLICY_NONE,
			    0);
		return 0;
	}
	/* TLP 2.0: red and amber+strict stay here, amber in the group. */
	if (d->tlp == AGREEMENT_TLP_RED ||
	    d->tlp == AGREEMENT_TLP_AMBER_STRICT) {
		if (d->why != NULL)
			why_add(d, POLICY_WHY_TLP_NO_ONWARD, ai, best, 0);
		return 0;
	}
	if (d->tlp == AGREEMENT_TLP_AMBER && onward > AGREEMENT_ONWARD_PARTIES)
		onward = AGREEMENT_ONWARD_PARTIES;
	if (onward == AGREEMENT_ONWARD_NONE) {
		if (d->why != NULL)
			why_add(d, POLICY_WHY_ONWARD_NONE, ai, best, 0);
		return 0;
	}
	if (onward == AGREEMENT_ONWARD_PARTIES && !agr_has_party(ax, reader)) {
		if (d->why != NULL)
			why_add(d, POLICY_WHY_ONWARD_PARTIES, ai, best, 0);
		return 0;
	}
	*via_agr = ai;
	*via_clause = best;
	return 1;
}

static int
is_self(const struct policy *p, const uint8_t *key)
{
	return key == NULL || memcmp(key, p->self,
	    CRYPTO_ED25519_PUBLIC_BYTES) == 0;
}

/* The read decision; d->why set means the slow pass (reasons only). */
static int
decide_read(struct dctx *d, const uint8_t *reader_key,
    struct policy_grant *g)
{
	const struct policy *p = d->p;
	const struct policy_object *o = d->o;
	uint32_t reader, sender = NO_ID, ci;
	size_t via_agr = POLICY_NONE, via_clause = POLICY_NONE;
	int relayed, onward = 1;

	if (reader_key == NULL)
		return 0;
	if (memcmp(reader_key, p->self, CRYPTO_ED25519_PUBLIC_BYTES) == 0) {
		grant_set(g, POLICY_GRANT_SELF, POLICY_NONE, POLICY_NONE,
		    POLICY_NONE, POLICY_NONE);
		return 1;
	}
	if ((o->producer != NULL && memcmp(reader_key, o->producer,
	    CRYPTO_ED25519_PUBLIC_BYTES) == 0) ||
	    (o->received_from != NULL && memcmp(reader_key,
	    o->received_from, CRYPTO_ED25519_PUBLIC_BYTES) == 0)) {
		grant_set(g, POLICY_GRANT_ORIGIN, POLICY_NONE, POLICY_NONE,
		    POLICY_NONE, POLICY_NONE);
		return 1;
	}
	reader = party_find(p, reader_key);
	if (reader == NO_ID || p->parties[reader].agrs.n == 0) {
		if (d->why != NULL)
			why_add(d, POLICY_WHY_NO_AGREEMENT, POLICY_NONE,
			    POLICY_NONE, 0);
		return 0;
	}
	relayed = !is_self(p, o->producer);
	if (relayed) {
		if (is_self(p, o->received_from)) {
			if (d->why != NULL)
				why_add(d, POLICY_WHY_NO_SENDER, POLICY_NONE,
				    POLICY_NONE, 0);
			return 0;
		}
		sender = party_find(p, o->received_from);
		onward = onward_ok(d, sender, reader, &via_agr, &via_clause);
		if (!onward && d->why == NULL)
			return 0;
	}
	if (d->why != NULL) {
		explain_list(d, &p->parties[reader].out, reader, reader);
		return 0;
	}
	ci = first_cover(d, &p->parties[reader].out, reader);
	if (ci == NO_ID)
		return 0;
	grant_set(g, relayed ? POLICY_GRANT_ONWARD : POLICY_GRANT_SHARE,
	    p->clauses[ci].agr, p->clauses[ci].idx, via_agr, via_clause);
	return 1;
}

int
policy_read(const struct policy *p, const uint8_t *reader,
    const struct policy_object *o, int64_t now, struct policy_grant *grant,
    struct policy_why_list *why)
{
	struct dctx d;
	int ok;

	grant_set(grant, POLICY_DENIED, POLICY_NONE, POLICY_NONE, POLICY_NONE,
	    POLICY_NONE);
	if (why != NULL) {
		why->n = 0;
		why->n_more = 0;
	}
	dctx_init(&d, p, o, now);
	ok = decide_read(&d, reader, grant);
	if (!ok && why != NULL) {
		d.why = why;
		(void)decide_read(&d, reader, NULL);
	}
	return ok;
}

static int
is_feedback_type(const char *type)
{
	return type != NULL && (strcmp(type, "sighting") == 0 ||
	    strcmp(type, "note") == 0);
}

/* A clause in force from writer to self listing the collection (any
 * type, label or TLP): where feedback may go. */
static int
collection_writable(const struct dctx *d, uint32_t writer)
{
	const struct policy *p = d->p;
	const struct u32list *in = &p->parties[writer].in;
	uint32_t i;

	for (i = 0; i < in->n; i++) {
		const struct pclause *c = &p->clauses[in->v[i]];

		if (agr_active(&p->agrs[c->agr], d->now) && (c->any_coll ||
		    has_id(c->colls, c->n_colls, d->coll)))
			return 1;
	}
	return 0;
}

static int
decide_write(struct dctx *d, const uint8_t *writer_key,
    const char *created_by_ref, const struct policy_object *refs,
    size_t n_refs, struct policy_grant *g)
{
	const struct policy *p = d->p;
	struct policy_grant rg, first = { 0 };
	uint32_t writer, ci;
	size_t i;
	int creator, refs_ok, coll_ok;

	if (writer_key == NULL)
		return 0;
	if (memcmp(writer_key, p->self, CRYPTO_ED25519_PUBLIC_BYTES) == 0) {
		grant_set(g, POLICY_GRANT_SELF, POLICY_NONE, POLICY_NONE,
		    POLICY_NONE, POLICY_NONE);
		return 1;
	}
	writer = party_find(p, writer_key);
	if (writer == NO_ID || p->parties[writer].agrs.n == 0) {
		if (d->why != NULL)
			why_add(d, POLICY_WHY_NO_AGREEMENT, POLICY_NONE,
			    POLICY_NONE, 0);
		return 0;
	}
	creator = created_by_ref != NULL && strcmp(created_by_ref,
	    p->parties[writer].identity) == 0;
	if (!creator) {
		if (d->why == NULL)
			return 0;
		why_add(d, POLICY_WHY_NOT_CREATOR, POLICY_NONE, POLICY_NONE,
		    0);
	}
	/* Its own objects, under a clause writer -> self. */
	if (d->why != NULL) {
		explain_list(d, &p->parties[writer].in, writer, p->self_id);
	} else {
		ci = first_cover(d, &p->parties[writer].in, p->self_id);
		if (ci != NO_ID) {
			grant_set(g, POLICY_GRANT_SHARE, p->clauses[ci].agr,
			    p->clauses[ci].idx, POLICY_NONE, POLICY_NONE);
			return 1;
		}
	}
	/* Sightings and notes about what it reads through an agreement. */
	if (!is_feedback_type(d->o->type) || n_refs == 0)
		return 0;
	refs_ok = 1;
	coll_ok = 0;
	for (i = 0; i < n_refs; i++) {
		if (!policy_read(p, writer_key, &refs[i], d->now, &rg, NULL) ||
		    (rg.kind != POLICY_GRANT_SHARE &&
		    rg.kind != POLICY_GRANT_ONWARD)) {
			if (d->why == NULL)
				return 0;
			why_add(d, POLICY_WHY_REF_UNREADABLE, POLICY_NONE, i,
			    0);
			refs_ok = 0;
			continue;
		}
		if (i == 0)
			first = rg;
		if (refs[i].collection != NULL && d->o->collection != NULL &&
		    strcmp(refs[i].collection, d->o->collection) == 0)
			coll_ok = 1;
	}
	if (!coll_ok)
		coll_ok = collection_writable(d, writer);
	if (!coll_ok) {
		if (d->why != NULL)
			why_add(d, POLICY_WHY_FEEDBACK_COLLECTION, POLICY_NONE,
			    POLICY_NONE, 0);
		return 0;
	}
	if (!refs_ok || d->why != NULL)
		return 0;
	grant_set(g, POLICY_GRANT_FEEDBACK, first.agreement, first.clause,
	    POLICY_NONE, POLICY_NONE);
	return 1;
}

int
policy_write(const struct policy *p, const uint8_t *writer,
    const struct policy_object *o, const char *created_by_ref,
    const struct policy_object *refs, size_t n_refs, int64_t now,
    struct policy_grant *grant, struct policy_why_list *why)
{
	struct dctx d;
	int ok;

	grant_set(grant, POLICY_DENIED, POLICY_NONE, POLICY_NONE, POLICY_NONE,
	    POLICY_NONE);
	if (why != NULL) {
		why->n = 0;
		why->n_more = 0;
	}
	dctx_init(&d, p, o, now);
	ok = decide_write(&d, writer, created_by_ref, refs, n_refs, grant);
	if (!ok && why != NULL) {
		d.why = why;
		(void)decide_write(&d, writer, created_by_ref, refs, n_refs,
		    NULL);
	}
	return ok;
}

int
policy_agreement_active(const struct policy *p, size_t i, int64_t now)
{
	return i < p->n_agrs && agr_active(&p->agrs[i], now);
}

int
policy_party_active(const struct policy *p, const uint8_t *key, int64_t now)
{
	const struct u32list *ags;
	uint32_t id, i;

	if (key == NULL || is_self(p, key) || (id = party_find(p, key)) ==
	    NO_ID)
		return 0;
	ags = &p->parties[id].agrs;
	for (i = 0; i < ags->n; i++)
		if (agr_active(&p->agrs[ags->v[i]], now))
			return 1;
	return 0;
}

/* A clause in force of list l listing the collection with string id. */
static int
lists_collection(const struct policy *p, const struct u32list *l,
    uint32_t coll, int64_t now)
{
	uint32_t i;

	for (i = 0; i < l->n; i++) {
		const struct pclause *c = &p->clauses[l->v[i]];

		if (agr_active(&p->agrs[c->agr], now) && (c->any_coll ||
		    (coll != NO_ID && has_id(c->colls, c->n_colls, coll))))
			return 1;
	}
	return 0;
}

void
policy_collection_access(const struct policy *p, const uint8_t *key,
    const char *coll, int64_t now, int *can_read, int *can_write)
{
	uint32_t id, cid;

	*can_read = *can_write = 0;
	if (key == NULL || coll == NULL || is_self(p, key) ||
	    (id = party_find(p, key)) == NO_ID)
		return;
	cid = str_find(p, coll, strlen(coll));
	*can_read = lists_collection(p, &p->parties[id].out, cid, now);
	*can_write = lists_collection(p, &p->parties[id].in, cid, now);
}

int
policy_receive(const struct policy *p, const uint8_t *sender,
    const struct policy_object *o, int64_t now, struct policy_grant *grant,
    struct policy_why_list *why)
{
	struct dctx d;
	uint32_t from, ci;

	dctx_init(&d, p, o, now);
	grant_set(grant, POLICY_DENIED, POLICY_NONE, POLICY_NONE, POLICY_NONE,
	    POLICY_NONE);
	if (why != NULL) {
		why->n = why->n_more = 0;
	}
	if (sender == NULL || is_self(p, sender) ||
	    (from = party_find(p, sender)) == NO_ID ||
	    p->parties[from].agrs.n == 0) {
		if (why != NULL) {
			d.why = why;
			why_add(&d, POLICY_WHY_NO_AGREEMENT, POLICY_NONE,
			    POLICY_NONE, 0);
		}
		return 0;
	}
	ci = first_cover(&d, &p->parties[from].in, p->self_id);
	if (ci != NO_ID) {
		grant_set(grant, POLICY_GRANT_SHARE, p->clauses[ci].agr,
		    p->clauses[ci].idx, POLICY_NONE, POLICY_NONE);
		return 1;
	}
	if (why != NULL) {
		d.why = why;
		explain_list(&d, &p->parties[from].in, from, p->self_id);
	}
	return 0;
}

const uint8_t *
policy_identity_key(const struct policy *p, const char *identity)
{
	if (identity == NULL)
		return NULL;
	for (size_t i = 0; i < p->n_parties; i++)
		if (strcmp(p->parties[i].identity, identity) == 0)
			return p->parties[i].key;
	return NULL;
}

enum err
policy_who(const struct policy *p, const struct policy_object *o,
    int64_t now, struct policy_recipient **out, size_t *n_out)
{
	struct policy_recipient *r = NULL;
	struct policy_grant g;
	size_t i, n = 0;

	*out = NULL;
	*n_out = 0;
	for (i = 0; i < p->n_parties; i++) {
		if (i == p->self_id || p->parties[i].agrs.n == 0)
			continue;
		if (!policy_read(p, p->parties[i].key, o, now, &g, NULL))
			continue;
		if (r == NULL && (r = calloc(p->n_parties,
		    sizeof(*r))) == NULL)
			return ERR_NOMEM;
		memcpy(r[n].key, p->parties[i].key, sizeof(r[n].key));
		r[n].grant = g;
		n++;
	}
	*out = r;
	*n_out = n;
	return ERR_OK;
}

const char *
policy_grant_kind_name(enum policy_grant_kind k)
{
	switch (k) {
	case POLICY_DENIED:
		return "denied";
	case POLICY_GRANT_SELF:
		return "self";
	case POLICY_GRANT_ORIGIN:
		return "origin";
	case POLICY_GRANT_SHARE:
		return "share";
	case POLICY_GRANT_ONWARD:
		return "onward";
	case POLICY_GRANT_FEEDBACK:
		return "feedback";
	}
	return "?";
}

void
policy_reason_format(const struct policy *p, const struct policy_reason *r,
    const struct policy_object *o, char *out, size_t cap)
{
	char where[AGREEMENT_ID_LEN + 48], ts[TS_BUFSZ], ex[48];
	const struct pclause *c = NULL;
	const char *msg;

	if (cap == 0)
		return;
	where[0] = '\0';
	if (r->agreement != POLICY_NONE && r->agreement < p->n_agrs) {
		const struct pagr *a = &p->agrs[r->agreement];

		if (r->clause != POLICY_NONE && r->clause < a->n_clauses &&
		    r->code != POLICY_WHY_REF_UNREADABLE) {
			c = &p->clauses[a->first + r->clause];
			(void)snprintf(where, sizeof(where), "%s v%lu "
			    "share[%zu]: ", a->id, (unsigned long)a->version,
			    r->clause);
		} else {
			(void)snprintf(where, sizeof(where), "%s v%lu: ", a->id,
			    (unsigned long)a->version);
		}
	}
	ts_format(r->at, ts);
	switch (r->code) {
	case POLICY_WHY_NO_AGREEMENT:
		msg = "no agreement in force names both this node's party "
		    "and the other party";
		break;
	case POLICY_WHY_NOT_YET:
		(void)snprintf(out, cap, "%snot in force before %s", where,
		    ts);
		return;
	case POLICY_WHY_EXPIRED:
		(void)snprintf(out, cap, "%sexpired at %s", where, ts);
		return;
	case POLICY_WHY_TERMINATED:
		(void)snprintf(out, cap, "%sterminated at %s", where, ts);
		return;
	case POLICY_WHY_NO_CLAUSE:
		msg = "no share clause between the two parties in this "
		    "direction";
		break;
	case POLICY_WHY_TYPE:
		(void)snprintf(ex, sizeof(ex), "%.40s",
		    o->type != NULL ? o->type : "(none)");
		(void)snprintf(out, cap, "%stype \"%s\" is not in types",
		    where, ex);
		return;
	case POLICY_WHY_LABELS:
		msg = "none of the object's labels is in labels_any";
		break;
	case POLICY_WHY_COLLECTION:
		(void)snprintf(ex, sizeof(ex), "%.40s",
		    o->collection != NULL ? o->collection : "(none)");
		(void)snprintf(out, cap, "%scollection \"%s\" is not in "
		    "collections", where, ex);
		return;
	case POLICY_WHY_TLP:
		(void)snprintf(out, cap, "%sTLP:%s is above tlp_max \"%s\"%s",
		    where, agreement_tlp_name(o->tlp == AGREEMENT_TLP_NONE ?
		    p->def_tlp : o->tlp), c != NULL ?
		    agreement_tlp_name((enum agreement_tlp)c->tlp_max) : "?",
		    o->tlp == AGREEMENT_TLP_NONE ? " (unmarked: the node's "
		    "default)" : "");
		return;
	case POLICY_WHY_RED_NOT_NAMED:
		msg = "TLP:RED goes only to a party a clause names "
		    "individually";
		break;
	case POLICY_WHY_NO_SENDER:
		msg = "the object is another party's, but no sender is "
		    "recorded";
		break;
	case POLICY_WHY_SOURCE_UNKNOWN:
		(void)snprintf(ex, sizeof(ex), "%.47s",
		    o->received_under != NULL ? o->received_under : "(none)");
		(void)snprintf(out, cap, "received under %s, which is not "
		    "installed", ex);
		return;
	case POLICY_WHY_SOURCE_NOT_YET:
		(void)snprintf(out, cap, "%sthe object was received under "
		    "this agreement, which is not in force before %s", where,
		    ts);
		return;
	case POLICY_WHY_SOURCE_EXPIRED:
		(void)snprintf(out, cap, "%sthe object was received under "
		    "this agreement, which expired at %s", where, ts);
		return;
	case POLICY_WHY_SOURCE_TERMINATED:
		(void)snprintf(out, cap, "%sthe object was received under "
		    "this agreement, which was terminated at %s", where, ts);
		return;
	case POLICY_WHY_SOURCE_NOT_PARTY:
		msg = "the party the object was received from is not a party "
		    "of the agreement it was received under";
		break;
	case POLICY_WHY_SOURCE_NO_CLAUSE:
		msg = "no share clause from the party the object was received "
		    "from to this node's party covers it";
		break;
	case POLICY_WHY_ONWARD_NONE:
		msg = "the object was received under onward \"none\": it is "
		    "not passed on";
		break;
	case POLICY_WHY_TLP_NO_ONWARD:
		(void)snprintf(out, cap, "%sTLP:%s objects are never passed "
		    "on", where, agreement_tlp_name(o->tlp ==
		    AGREEMENT_TLP_NONE ? p->def_tlp : o->tlp));
		return;
	case POLICY_WHY_ONWARD_PARTIES:
		msg = "onward sharing is limited to this agreement's parties "
		    "(onward \"parties\", or TLP:AMBER), and the reader is "
		    "not one";
		break;
	case POLICY_WHY_NOT_CREATOR:
		msg = "created_by_ref is missing or is not the writer's "
		    "identity";
		break;
	case POLICY_WHY_REF_UNREADABLE:
		(void)snprintf(out, cap, "referenced object %zu is not one "
		    "the writer reads through an agreement", r->clause);
		return;
	case POLICY_WHY_FEEDBACK_COLLECTION:
		msg = "a sighting or note goes into the collection of an "
		    "object it refers to, or into one the writer may write";
		break;
	default:
		msg = "unknown reason";
		break;
	}
	(void)snprintf(out, cap, "%s%s", where, msg);
}

/* ---- TLP markings ---- */

static const struct {
	const char		*id;
	enum agreement_tlp	 tlp;
} tlp_ids[] = {
	{ STIX_TLP_CLEAR, AGREEMENT_TLP_CLEAR },
	{ STIX_TLP_GREEN, AGREEMENT_TLP_GREEN },
	{ STIX_TLP_AMBER, AGREEMENT_TLP_AMBER },
	{ STIX_TLP_AMBER_STRICT, AGREEMENT_TLP_AMBER_STRICT },
	{ STIX_TLP_RED, AGREEMENT_TLP_RED },
	/* TLP 1.0 (STIX 2.1 section 7.2.1.4); white is now clear. */
	{ "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
	    AGREEMENT_TLP_CLEAR },
	{ "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
	    AGREEMENT_TLP_GREEN },
	{ "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
	    AGREEMENT_TLP_AMBER },
	{ "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
	    AGREEMENT_TLP_RED },
};

static enum agreement_tlp
tlp_of_ref(const json_t *v)
{
	const char *s;
	size_t i;

	if (!json_is_string(v))
		return AGREEMENT_TLP_NONE;
	s = json_string_value(v);
	for (i = 0; i < sizeof(tlp_ids) / sizeof(tlp_ids[0]); i++)
		if (strcmp(s, tlp_ids[i].id) == 0)
			return tlp_ids[i].tlp;
	return AGREEMENT_TLP_NONE;
}

enum agreement_tlp
policy_tlp_of(const json_t *obj)
{
	enum agreement_tlp best = AGREEMENT_TLP_NONE, t;
	const json_t *refs, *gm, *e;
	size_t i;

	refs = json_object_get(obj, "object_marking_refs");
	if (json_is_array(refs)) {
		json_array_foreach(refs, i, e) {
			if ((t = tlp_of_ref(e)) > best)
				best = t;
		}
	}
	gm = json_object_get(obj, "granular_markings");
	if (json_is_array(gm)) {
		json_array_foreach(gm, i, e) {
			if ((t = tlp_of_ref(json_object_get(e,
			    "marking_ref"))) > best)
				best = t;
		}
	}
	return best;
}
