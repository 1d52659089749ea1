/*
 * cmd_policy.c: `entente policy explain|who` asks the node's policy
 * (docs/agreements.md, "Policy") about an object stored on the node:
 *
 *   explain  may this party read the object, and through which clause of
 *            which agreement, or why not (every reason)
 *   who      every party that may read it, and what allows each
 *
 * Both look at the latest version of the object in each collection that
 * holds it (or only --collection), with the agreements installed now and
 * at the instant --at (default now).  Nothing is changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "crypto/crypto.h"
#include "policy/agreement.h"
#include "policy/node.h"
#include "policy/policy.h"
#include "util/timeutil.h"

/* Collections looked at for one object. */
#define POLICY_CLI_FIND_CAP	LIM_PAGE_MAX
/* One line of a grant or a reason. */
#define POLICY_CLI_LINE		512u

struct popts {
	const char	*dir, *object, *party, *collection, *at;
	int64_t		 now;		/* --at, default now */
	int		 json;
};

/* What the commands need besides the policy: names of parties. */
struct pctx {
	struct store		 *st;
	struct policy		 *p;
	struct store_party	 *parties;	/* the parties table */
	size_t			  n_parties;
	struct agreement	**agr;		/* installed, parsed */
	size_t			  n_agr;
	int64_t			  at;
	const char		**labels;	/* POLICY_MAX_LABELS */
};

static void
policy_usage(FILE *f)
{
	fprintf(f,
	    "usage: entente policy explain --object STIX_ID --party NAME|KEY "
	    "[--collection NAME]\n"
	    "           [--at TS] [--dir DIR] [--json]\n"
	    "       entente policy who --object STIX_ID [--collection NAME] "
	    "[--at TS]\n"
	    "           [--dir DIR] [--json]\n\n"
	    "Ask the node's policy about the latest version of an object in\n"
	    "each collection that holds it (or only collection NAME), at TS\n"
	    "(RFC 3339, default now).  Access comes only from the agreements\n"
	    "installed on the node (entente agreement install).\n\n"
	    "explain prints, per collection, either\n"
	    "  ALLOW COLLECTION VERSION: GRANT AGREEMENT vN share[I] "
	    "[via ...]\n"
	    "or DENY COLLECTION VERSION: and one indented line per reason.\n"
	    "PARTY is a name from `entente party list`, a party name of an\n"
	    "installed agreement, or a base64 Ed25519 public key.\n"
	    "who prints every party that may read the object, and the grant.\n"
	    "Exit 0 when the policy decided (allowed or not), 1 when the\n"
	    "node has no such object, 2 usage, 3 no such party or "
	    "collection.\n");
}

static void
pctx_free(struct pctx *c)
{
	size_t i;

	for (i = 0; i < c->n_agr; i++)
		agreement_free(c->agr[i]);
	free(c->agr);
	free(c->parties);
	free(c->labels);
	policy_free(c->p);
	store_close(c->st);
	memset(c, 0, sizeof(*c));
}

/*
 * Open the node in dir and load its policy, parties and agreements into
 * c.  Prints what went wrong and returns an exit code.
 */
static int
pctx_load(const char *cmd, const char *dir, struct pctx *c)
{
	struct store_agreement *v = NULL;
	size_t n = 0, i;
	enum err err;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = cli_open_node(dir, &c->st)) != CLI_EXIT_OK)
		return rc;
	if ((err = node_policy_load(c->st, &c->p, NULL)) != ERR_OK) {
		fprintf(stderr, "entente policy %s: cannot build the node's "
		    "policy: %s\n", cmd, err_str(err));
		return CLI_EXIT_ERROR;
	}
	if ((err = store_party_list(c->st, &c->parties, &c->n_parties)) !=
	    ERR_OK || (err = store_agreement_list(c->st, &v, &n)) != ERR_OK) {
		fprintf(stderr, "entente policy %s: cannot read the node: %s\n",
		    cmd, err_str(err));
		return CLI_EXIT_ERROR;
	}
	c->labels = calloc(POLICY_MAX_LABELS, sizeof(*c->labels));
	if (n > 0)
		c->agr = calloc(n, sizeof(*c->agr));
	if (c->labels == NULL || (n > 0 && c->agr == NULL)) {
		store_agreement_list_free(v, n);
		fprintf(stderr, "entente policy %s: out of memory\n", cmd);
		return CLI_EXIT_ERROR;
	}
	/* Only for names: one that does not parse is skipped. */
	for (i = 0; i < n; i++)
		if (agreement_parse(v[i].doc, v[i].doc_len,
		    &c->agr[c->n_agr], NULL) == ERR_OK)
			c->n_agr++;
	store_agreement_list_free(v, n);
	return CLI_EXIT_OK;
}

/* The installed agreement with id, parsed, or NULL. */
static const struct agreement *
pctx_agreement(const struct pctx *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->n_agr; i++)
		if (strcmp(c->agr[i]->id, id) == 0)
			return c->agr[i];
	return NULL;
}

/*
 * The name of the party with key: from the parties table, else from the
 * agreement a grant names (may be NULL), else from any installed
 * agreement.  NULL when none names it.
 */
static const char *
pctx_name(const struct pctx *c, const uint8_t *key,
    const struct policy_grant *g)
{
	const struct agreement *a;
	long pi;
	size_t i;

	for (i = 0; i < c->n_parties; i++)
		if (memcmp(c->parties[i].pubkey, key,
		    CRYPTO_ED25519_PUBLIC_BYTES) == 0)
			return c->parties[i].name;
	if (g != NULL && g->agreement != POLICY_NONE &&
	    g->agreement < policy_n_agreements(c->p) &&
	    (a = pctx_agreement(c, policy_agreement_id(c->p,
	    g->agreement))) != NULL &&
	    (pi = agreement_party_find(a, key)) >= 0)
		return a->parties[pi].name;
	for (i = 0; i < c->n_agr; i++)
		if ((pi = agreement_party_find(c->agr[i], key)) >= 0)
			return c->agr[i]->parties[pi].name;
	return NULL;
}

/*
 * The key of the party arg names: a name of the parties table, a base64
 * public key, or a party name of an installed agreement (ignoring ASCII
 * case, as agreements do).  Prints what went wrong and returns an exit
 * code.
 */
static int
pctx_party(const struct pctx *c, const char *arg,
    uint8_t key[CRYPTO_ED25519_PUBLIC_BYTES])
{
	struct store_party sp;
	const struct agreement *a;
	size_t i, j, n;
	int found = 0;
	enum err err;

	err = store_party_by_name(c->st, arg, &sp);
	if (err == ERR_OK) {
		memcpy(key, sp.pubkey, CRYPTO_ED25519_PUBLIC_BYTES);
		return CLI_EXIT_OK;
	}
	if (err != ERR_NOTFOUND && err != ERR_INVALID) {
		fprintf(stderr, "entente policy explain: cannot read the "
		    "parties: %s\n", err_str(err));
		return CLI_EXIT_ERROR;
	}
	if (crypto_b64_decode(arg, strlen(arg), 0, key,
	    CRYPTO_ED25519_PUBLIC_BYTES, &n) == ERR_OK &&
	    n == CRYPTO_ED25519_PUBLIC_BYTES)
		return CLI_EXIT_OK;
	for (i = 0; i < c->n_agr; i++) {
		a = c->agr[i];
		for (j = 0; j < a->n_parties; j++) {
			if (strcasecmp(a->parties[j].name, arg) != 0)
				continue;
			if (found && memcmp(key, a->parties[j].key,
			    CRYPTO_ED25519_PUBLIC_BYTES) != 0) {
				fprintf(stderr, "entente policy explain: "
				    "agreements name different keys '%s': "
				    "give the key\n", arg);
				return CLI_EXIT_USAGE;
			}
			memcpy(key, a->parties[j].key,
			    CRYPTO_ED25519_PUBLIC_BYTES);
			found = 1;
		}
	}
	if (found)
		return CLI_EXIT_OK;
	fprintf(stderr, "entente policy explain: no party '%s': it is not in "
	    "the parties of this node (entente party list) nor in an "
	    "installed agreement, and not a base64 Ed25519 public key\n", arg);
	return CLI_EXIT_NOTFOUND;
}

/*
 * The latest version of the object in each collection (only coll when
 * not NULL) into page.  Prints what went wrong and returns an exit code:
 * 1 when the node has no such object, 3 no such collection.
 */
static int
find_object(const char *cmd, const struct pctx *c, const struct popts *op,
    struct store_page *page, int64_t *coll_id)
{
	struct store_collection coll;
	size_t i, n;
	enum err err;

	*coll_id = 0;
	if (op->collection != NULL) {
		err = store_collection_by_name(c->st, op->collection, &coll);
		if (err != ERR_OK) {
			fprintf(stderr, "entente policy %s: %s collection "
			    "named '%s'\n", cmd, err == ERR_NOTFOUND ||
			    err == ERR_INVALID ? "no" : err_str(err),
			    op->collection);
			return err == ERR_NOTFOUND || err == ERR_INVALID ?
			    CLI_EXIT_NOTFOUND : CLI_EXIT_ERROR;
		}
		*coll_id = coll.id;
	}
	if ((err = store_object_find(c->st, op->object, 0,
	    POLICY_CLI_FIND_CAP, page)) != ERR_OK) {
		fprintf(stderr, "entente policy %s: cannot look for %s: %s\n",
		    cmd, op->object, err_str(err));
		return CLI_EXIT_ERROR;
	}
	for (i = n = 0; i < page->n; i++)
		if (*coll_id == 0 || page->rows[i].coll_id == *coll_id)
			n++;
	if (n == 0) {
		if (op->collection != NULL)
			fprintf(stderr, "entente policy %s: no object %s in "
			    "collection %s on this node\n", cmd, op->object,
			    op->collection);
		else
			fprintf(stderr, "entente policy %s: no object %s on "
			    "this node\n", cmd, op->object);
		return CLI_EXIT_ERROR;
	}
	return CLI_EXIT_OK;
}

/*
 * Fill o from row r, and coll with r's collection (o->collection points
 * into it).  Prints what went wrong and returns an exit code.
 */
static int
row_object(const char *cmd, const struct pctx *c, const struct store_row *r,
    struct store_collection *coll, struct policy_object *o)
{
	enum err err;

	if ((err = store_collection_by_id(c->st, r->coll_id, coll)) !=
	    ERR_OK) {
		fprintf(stderr, "entente policy %s: cannot read collection "
		    "%lld: %s\n", cmd, (long long)r->coll_id, err_str(err));
		return CLI_EXIT_ERROR;
	}
	node_object_from_row(r, coll->name, c->labels, POLICY_MAX_LABELS, o);
	return CLI_EXIT_OK;
}

/* A grant in words: "share agreement--... v2 share[1] via ...". */
static void
grant_text(const struct policy *p, const struct policy_grant *g, char *out,
    size_t cap)
{
	int n;

	n = snprintf(out, cap, "%s", policy_grant_kind_name(g->kind));
	if (n < 0 || (size_t)n >= cap || g->agreement == POLICY_NONE ||
	    g->agreement >= policy_n_agreements(p))
		return;
	out += n;
	cap -= (size_t)n;
	n = snprintf(out, cap, " %s v%lu", policy_agreement_id(p,
	    g->agreement), (unsigned long)policy_agreement_version(p,
	    g->agreement));
	if (n < 0 || (size_t)n >= cap)
		return;
	out += n;
	cap -= (size_t)n;
	if (g->clause != POLICY_NONE) {
		n = snprintf(out, cap, " share[%zu]", g->clause);
		if (n < 0 || (size_t)n >= cap)
			return;
		out += n;
		cap -= (size_t)n;
	}
	if (g->via_agreement == POLICY_NONE ||
	    g->via_agreement >= policy_n_agreements(p))
		return;
	n = snprintf(out, cap, " via %s v%lu", policy_agreement_id(p,
	    g->via_agreement), (unsigned long)policy_agreement_version(p,
	    g->via_agreement));
	if (n < 0 || (size_t)n >= cap || g->via_clause == POLICY_NONE)
		return;
	(void)snprintf(out + n, cap - (size_t)n, " share[%zu]",
	    g->via_clause);
}

/* The clause reference {"agreement", "version", "clause"} as new JSON. */
static json_t *
clause_json(const struct policy *p, size_t agreement, size_t clause)
{
	return json_pack("{s:s, s:I, s:o}", "agreement",
	    policy_agreement_id(p, agreement), "version",
	    (json_int_t)policy_agreement_version(p, agreement), "clause",
	    clause == POLICY_NONE ? json_null() :
	    json_integer((json_int_t)clause));
}

/* A grant as new JSON: {"kind", "agreement", "version", "clause", "via"}. */
static json_t *
grant_json(const struct policy *p, const struct policy_grant *g)
{
	json_t *j, *via;
	size_t n = policy_n_agreements(p);

	if (g->agreement == POLICY_NONE || g->agreement >= n)
		return json_pack("{s:s, s:n, s:n, s:n, s:n}", "kind",
		    policy_grant_kind_name(g->kind), "agreement", "version",
		    "clause", "via");
	if ((j = clause_json(p, g->agreement, g->clause)) == NULL)
		return NULL;
	via = g->via_agreement == POLICY_NONE || g->via_agreement >= n ?
	    json_null() : clause_json(p, g->via_agreement, g->via_clause);
	if (json_object_set_new(j, "kind", json_string(
	    policy_grant_kind_name(g->kind))) != 0 ||
	    json_object_set_new(j, "via", via) != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Print j (stolen) compactly on one line of stdout.  Exit code. */
static int
print_json(const char *cmd, json_t *j)
{
	int rc = CLI_EXIT_ERROR;

	if (j != NULL && json_dumpf(j, stdout, JSON_COMPACT) == 0 &&
	    putchar('\n') != EOF && fflush(stdout) == 0)
		rc = CLI_EXIT_OK;
	else
		fprintf(stderr, "entente policy %s: cannot write the JSON "
		    "output\n", cmd);
	json_decref(j);
	return rc;
}

/* A key as base64 into out. */
static void
key_text(const uint8_t *key, char out[AGREEMENT_KEY_B64_LEN + 1])
{
	if (crypto_b64_encode(key, CRYPTO_ED25519_PUBLIC_BYTES, 0, out,
	    AGREEMENT_KEY_B64_LEN + 1) != ERR_OK)
		out[0] = '\0';
}

/* The note printed when the node has no agreement. */
static void
say_none_installed(const struct pctx *c, int json)
{
	if (!json && policy_n_agreements(c->p) == 0)
		printf("note: no agreement is installed on this node: no "
		    "party but its own may read anything (entente agreement "
		    "install FILE)\n");
}

static int
policy_explain(const struct popts *op)
{
	struct store_page page;
	struct store_collection coll;
	struct policy_object o;
	struct policy_grant g;
	struct policy_why_list *why = NULL;
	struct pctx c;
	uint8_t key[CRYPTO_ED25519_PUBLIC_BYTES];
	char k64[AGREEMENT_KEY_B64_LEN + 1], ts[TS_BUFSZ];
	char line[POLICY_CLI_LINE];
	const char *name;
	json_t *decisions = NULL, *d, *reasons;
	int64_t coll_id;
	size_t i, j;
	int rc, allowed;

	memset(&page, 0, sizeof(page));
	if ((rc = pctx_load("explain", op->dir, &c)) != CLI_EXIT_OK)
		goto out;
	c.at = op->now;
	if ((rc = pctx_party(&c, op->party, key)) != CLI_EXIT_OK)
		goto out;
	if ((rc = find_object("explain", &c, op, &page, &coll_id)) !=
	    CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_ERROR;
	if ((why = malloc(sizeof(*why))) == NULL ||
	    (op->json && (decisions = json_array()) == NULL)) {
		fprintf(stderr, "entente policy explain: out of memory\n");
		goto out;
	}
	name = pctx_name(&c, key, NULL);
	key_text(key, k64);
	ts_format(c.at, ts);
	if (!op->json)
		printf("%s read by %s (%s) at %s\n", op->object,
		    name != NULL ? name : "an unnamed party", k64, ts);
	say_none_installed(&c, op->json);
	for (i = 0; i < page.n; i++) {
		if (coll_id != 0 && page.rows[i].coll_id != coll_id)
			continue;
		if ((rc = row_object("explain", &c, &page.rows[i], &coll,
		    &o)) != CLI_EXIT_OK)
			goto out;
		rc = CLI_EXIT_ERROR;
		allowed = policy_read(c.p, key, &o, c.at, &g, why);
		ts_format(page.rows[i].version, ts);
		if (op->json) {
			if ((reasons = json_array()) == NULL)
				goto out;
			for (j = 0; !allowed && j < why->n; j++) {
				policy_reason_format(c.p, &why->r[j], &o, line,
				    sizeof(line));
				if (json_array_append_new(reasons,
				    json_string(line)) != 0) {
					json_decref(reasons);
					goto out;
				}
			}
			d = json_pack("{s:s, s:s, s:b, s:o, s:o, s:I}",
			    "collection", coll.name, "version", ts, "allowed",
			    allowed, "grant", allowed ? grant_json(c.p, &g) :
			    json_null(), "reasons", reasons, "more_reasons",
			    (json_int_t)(allowed ? 0 : why->n_more));
			if (json_array_append_new(decisions, d) != 0)
				goto out;
			continue;
		}
		if (allowed) {
			grant_text(c.p, &g, line, sizeof(line));
			printf("ALLOW %s %s: %s\n", coll.name, ts, line);
			continue;
		}
		printf("DENY %s %s:\n", coll.name, ts);
		for (j = 0; j < why->n; j++) {
			policy_reason_format(c.p, &why->r[j], &o, line,
			    sizeof(line));
			printf("  %s\n", line);
		}
		if (why->n == 0)
			printf("  (no reason recorded)\n");
		if (why->n_more > 0)
			printf("  ... and %zu more reasons\n", why->n_more);
	}
	if (op->json) {
		ts_format(c.at, ts);
		rc = print_json("explain", json_pack("{s:s, s:{s:s?, s:s}, "
		    "s:s, s:I, s:o}", "object", op->object, "party", "name",
		    name, "key", k64, "at", ts, "agreements",
		    (json_int_t)policy_n_agreements(c.p), "decisions",
		    decisions));
		decisions = NULL;
		goto out;
	}
	rc = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
out:
	json_decref(decisions);
	free(why);
	store_page_free(&page);
	pctx_free(&c);
	return rc;
}

/* The readers of o in one collection: printed, or appended to out. */
static int
who_one(const struct pctx *c, const struct store_row *r,
    const char *coll_name, const struct policy_object *o, json_t *out)
{
	struct policy_recipient *rec = NULL;
	char k64[AGREEMENT_KEY_B64_LEN + 1], ts[TS_BUFSZ];
	char line[POLICY_CLI_LINE];
	const char *name;
	json_t *arr = NULL, *one;
	size_t n = 0, i;
	enum err err;
	int rc = CLI_EXIT_ERROR;

	if ((err = policy_who(c->p, o, c->at, &rec, &n)) != ERR_OK) {
		fprintf(stderr, "entente policy who: %s\n", err_str(err));
		return CLI_EXIT_ERROR;
	}
	ts_format(r->version, ts);
	if (out != NULL && (arr = json_array()) == NULL)
		goto out;
	if (out == NULL)
		printf("%s %s: %zu part%s\n", coll_name, ts, n,
		    n == 1 ? "y" : "ies");
	if (out == NULL && n == 0)
		printf("  nobody but this node's own party\n");
	for (i = 0; i < n; i++) {
		name = pctx_name(c, rec[i].key, &rec[i].grant);
		key_text(rec[i].key, k64);
		if (out != NULL) {
			one = json_pack("{s:s?, s:s, s:o}", "name", name,
			    "key", k64, "grant", grant_json(c->p,
			    &rec[i].grant));
			if (json_array_append_new(arr, one) != 0)
				goto out;
			continue;
		}
		grant_text(c->p, &rec[i].grant, line, sizeof(line));
		printf("  %s %s: %s\n", name != NULL ? name : "(unnamed)", k64,
		    line);
	}
	if (out != NULL && json_array_append_new(out, json_pack("{s:s, s:s, "
	    "s:O}", "collection", coll_name, "version", ts, "recipients",
	    arr)) != 0)
		goto out;
	rc = CLI_EXIT_OK;
out:
	json_decref(arr);
	free(rec);
	return rc;
}

static int
policy_who_cmd(const struct popts *op)
{
	struct store_page page;
	struct store_collection coll;
	struct policy_object o;
	struct pctx c;
	char ts[TS_BUFSZ];
	json_t *colls = NULL;
	int64_t coll_id;
	size_t i;
	int rc;

	memset(&page, 0, sizeof(page));
	if ((rc = pctx_load("who", op->dir, &c)) != CLI_EXIT_OK)
		goto out;
	c.at = op->now;
	if ((rc = find_object("who", &c, op, &page, &coll_id)) !=
	    CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_ERROR;
	if (op->json && (colls = json_array()) == NULL)
		goto out;
	ts_format(c.at, ts);
	if (!op->json)
		printf("who may read %s at %s\n", op->object, ts);
	say_none_installed(&c, op->json);
	for (i = 0; i < page.n; i++) {
		if (coll_id != 0 && page.rows[i].coll_id != coll_id)
			continue;
		if ((rc = row_object("who", &c, &page.rows[i], &coll, &o)) !=
		    CLI_EXIT_OK ||
		    (rc = who_one(&c, &page.rows[i], coll.name, &o, colls)) !=
		    CLI_EXIT_OK)
			goto out;
	}
	if (op->json) {
		rc = print_json("who", json_pack("{s:s, s:s, s:I, s:o}",
		    "object", op->object, "at", ts, "agreements",
		    (json_int_t)policy_n_agreements(c.p), "collections",
		    colls));
		colls = NULL;
		goto out;
	}
	rc = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
out:
	json_decref(colls);
	store_page_free(&page);
	pctx_free(&c);
	return rc;
}

/* Entry: `entente policy explain|who`. */
int
cmd_policy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "object", required_argument, NULL, OPT_OBJECT },
		{ "party", required_argument, NULL, OPT_PARTY },
		{ "collection", required_argument, NULL, OPT_COLLECTION },
		{ "at", required_argument, NULL, OPT_AT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct popts op;
	int c, explain;

	memset(&op, 0, sizeof(op));
	op.dir = CLI_DEFAULT_DIR;
	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR:
			op.dir = optarg;
			break;
		case OPT_OBJECT:
			op.object = optarg;
			break;
		case OPT_PARTY:
			op.party = optarg;
			break;
		case OPT_COLLECTION:
			op.collection = optarg;
			break;
		case OPT_AT:
			op.at = optarg;
			break;
		case OPT_JSON:
			op.json = 1;
			break;
		case OPT_HELP:
			policy_usage(stdout);
			return CLI_EXIT_OK;
		default:
			policy_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 || (strcmp(argv[0], "explain") != 0 &&
	    strcmp(argv[0], "who") != 0)) {
		policy_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	explain = strcmp(argv[0], "explain") == 0;
	if (op.object == NULL || op.object[0] == '\0' ||
	    strlen(op.object) > LIM_STIX_ID) {
		fprintf(stderr, "entente policy %s: --object STIX_ID is "
		    "required\n", argv[0]);
		return CLI_EXIT_USAGE;
	}
	if (explain != (op.party != NULL)) {
		fprintf(stderr, "entente policy %s: --party NAME|KEY is %s\n",
		    argv[0], explain ? "required" : "only for explain");
		return CLI_EXIT_USAGE;
	}
	if (op.at == NULL) {
		op.now = ts_now_us();
	} else if (ts_parse(op.at, strlen(op.at), &op.now, NULL) != ERR_OK) {
		fprintf(stderr, "entente policy %s: --at wants an RFC 3339 UTC "
		    "timestamp\n", argv[0]);
		return CLI_EXIT_USAGE;
	}
	return explain ? policy_explain(&op) : policy_who_cmd(&op);
}
