/*
 * cmd_agreement.c: `entente agreement ...`, the agreement commands
 * (docs/agreements.md, "CLI").
 *
 * On files (no node database needed):
 *   draft            write an unsigned agreement from flags, a parameter
 *                    file, or an earlier version (--amend)
 *   sign FILE        add this node's signature (agreement or termination)
 *   verify FILE      check every signature, the window and the form,
 *                    naming every failure; exit 0 only when valid
 *   terminate-draft  write an unsigned termination record of an agreement
 *   stix FILE        print the STIX 2.1 object that carries FILE
 *
 * On the node in DIR (policy/node.h does the work):
 *   install FILE     install an agreement or a termination record
 *   list             the installed agreements and their state
 *   show ID          everything about one installed agreement
 *   terminate ID     end an installed agreement as this node's party
 *
 * Files are written atomically (a temporary file in the same directory,
 * fsync, rename) and never interactively.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "crypto/crypto.h"
#include "policy/agreement.h"
#include "policy/node.h"
#include "policy/policy.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include "util/uuid.h"

/* Options of this command only (clear of opt.h's shared range). */
enum {
	AOPT_OUT = 1000,
	AOPT_PARAMS,
	AOPT_AMEND,
	AOPT_PARTY,
	AOPT_SHARE,
	AOPT_PROTECTED,
	AOPT_VALID_FROM,
	AOPT_VALID_UNTIL,
	AOPT_VALID_FOR,
	AOPT_ACK,
	AOPT_ANSWER,
	AOPT_RETENTION,
	AOPT_VERSION,
	AOPT_AT,
	AOPT_PARTIAL,
	AOPT_REASON,
	AOPT_AGREEMENT,
	AOPT_PARTY_NAME
};

#define MAX_FLAG_ITEMS	AGREEMENT_MAX_SHARE

struct aopts {
	const char	*dir, *out, *params, *amend, *title, *id;
	const char	*valid_from, *valid_until, *valid_for;
	const char	*ack, *answer, *retention, *version, *at;
	const char	*reason, *agreement, *party_name;
	const char	*party[AGREEMENT_MAX_PARTIES + 1];
	size_t		 n_party;
	const char	*share[MAX_FLAG_ITEMS + 1];
	size_t		 n_share;
	const char	*protect[AGREEMENT_MAX_PARTIES + 1];
	size_t		 n_protect;
	int		 partial, json;
};

static void
agreement_usage(FILE *f)
{
	fprintf(f,
	    "usage: entente agreement draft --title T --party NAME,KEY,CONTACT"
	    " ...\n"
	    "           --valid-from TS (--valid-until TS | --valid-for DUR)\n"
	    "           [--share SPEC ...] [--protected SPEC ...]\n"
	    "           [--acknowledge-within DUR --answer-within DUR]\n"
	    "           [--retention DUR] [--id ID] [--version N] "
	    "[--out FILE]\n"
	    "       entente agreement draft --params FILE [--id ID] "
	    "[--version N] [--out FILE]\n"
	    "       entente agreement draft --amend FILE [--title T] "
	    "[--valid-from TS]\n"
	    "           [--valid-until TS | --valid-for DUR] [--out FILE]\n"
	    "       entente agreement sign FILE [--dir DIR] [--out FILE]\n"
	    "       entente agreement verify FILE [--at TS] [--partial] "
	    "[--agreement FILE] [--json]\n"
	    "       entente agreement terminate-draft FILE --reason TEXT "
	    "[--at TS]\n"
	    "           [--dir DIR | --party-name NAME] [--out FILE]\n"
	    "       entente agreement stix FILE\n"
	    "       entente agreement install FILE [--dir DIR] [--json]\n"
	    "       entente agreement list [--at TS] [--dir DIR] [--json]\n"
	    "       entente agreement show ID [--at TS] [--dir DIR] [--json]\n"
	    "       entente agreement terminate ID --reason TEXT [--at TS] "
	    "[--out FILE]\n"
	    "           [--dir DIR] [--json]\n\n"
	    "Agreements are JSON documents signed by every party; see\n"
	    "docs/agreements.md.  KEY is a party's Ed25519 public key in\n"
	    "standard base64 (as `entente whoami` prints it).  SPEC is\n"
	    "comma-separated key=value, lists joined with '+':\n"
	    "  --share from=A,to=B|*,types=indicator+malware|*,"
	    "collections=C|*,\n"
	    "          tlp=clear|green|amber|amber+strict|red,"
	    "onward=none|parties|any\n"
	    "          [,labels=L1+L2]\n"
	    "  --protected party=A[,cidrs=..][,domains=..][,sectors=..],"
	    "pledge=TEXT\n"
	    "          (pledge last: it takes the rest of the argument)\n"
	    "DUR is an ISO 8601 duration (PT4H, P3D, P1Y).  sign uses\n"
	    "DIR/%s (default DIR %s) and writes FILE back unless --out.\n"
	    "verify exits 0 only when the document is well formed, every\n"
	    "party signed, every signature verifies and TS (default now) is\n"
	    "inside the window (--partial: missing signatures are fine).\n\n"
	    "install, list, show and terminate work on the node in DIR.\n"
	    "install takes an agreement signed by every party (this node's\n"
	    "among them) or a termination record of an installed one; a\n"
	    "refused file prints each reason as FAIL ... on stderr and\n"
	    "installs nothing (exit 1).  An agreement grants access only\n"
	    "while in force; list and show give the state at TS (default\n"
	    "now).  terminate signs a termination record with\n"
	    "DIR/%s, ending agreement ID at TS (default now); --out\n"
	    "writes the signed record for the other parties to install.\n",
	    NODE_KEY_FILE, CLI_DEFAULT_DIR, NODE_KEY_FILE);
}

/* ---- files ---- */

/*
 * Read path into a new NUL-terminated buffer (*out, free()) of at most max
 * bytes.  Prints what went wrong and returns an exit code.
 */
static int
read_file(const char *path, size_t max, char **out, size_t *len_out)
{
	struct buf b;
	char chunk[8192];
	ssize_t r;
	int fd;

	*out = NULL;
	*len_out = 0;
	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "entente agreement: cannot open %s: %s\n", path,
		    strerror(errno));
		return errno == ENOENT ? CLI_EXIT_NOTFOUND : CLI_EXIT_ERROR;
	}
	buf_init(&b, max);
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "entente agreement: cannot read %s: "
			    "%s\n", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		if (buf_add(&b, chunk, (size_t)r) != ERR_OK) {
			fprintf(stderr, "entente agreement: %s is larger than "
			    "%zu bytes\n", path, max);
			goto fail;
		}
	}
	(void)close(fd);
	if (b.ptr == NULL && buf_addc(&b, '\0') == ERR_OK)
		b.len = 0;	/* an empty file: an empty string */
	*out = buf_take(&b, len_out);
	return *out != NULL ? CLI_EXIT_OK : CLI_EXIT_ERROR;
fail:
	(void)close(fd);
	buf_reset(&b);
	return CLI_EXIT_ERROR;
}

/* Replace path by data[0..len) atomically (mode 0644).  Exit code. */
static int
write_file(const char *path, const char *data, size_t len)
{
	enum err err = cli_write_atomic(path, data, len, 0644);

	if (err == ERR_OK)
		return CLI_EXIT_OK;
	fprintf(stderr, "entente agreement: cannot write %s: %s\n", path,
	    err == ERR_IO ? strerror(errno) : err_str(err));
	return err == ERR_TOOBIG ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
}

static int
dump_cb(const char *p, size_t n, void *arg)
{
	return buf_add(arg, p, n) == ERR_OK ? 0 : -1;
}

/* Write j (borrowed), indented, to path, or to stdout when path is NULL. */
static int
emit(const json_t *j, const char *path)
{
	struct buf b;
	int rc;

	buf_init(&b, 4u * AGREEMENT_MAX_BYTES);
	if (json_dump_callback(j, dump_cb, &b, JSON_INDENT(2)) != 0 ||
	    buf_addc(&b, '\n') != ERR_OK) {
		fprintf(stderr, "entente agreement: out of memory\n");
		buf_reset(&b);
		return CLI_EXIT_ERROR;
	}
	if (path == NULL) {
		rc = fwrite(b.ptr, 1, b.len, stdout) == b.len &&
		    fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
	} else {
		rc = write_file(path, b.ptr, b.len);
	}
	buf_reset(&b);
	return rc;
}

static void
print_report(const char *what, const struct agreement_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		fprintf(stderr, "entente agreement %s: %s\n", what,
		    rep->msg[i]);
	if (rep->n_more > 0)
		fprintf(stderr, "entente agreement %s: ... and %zu more "
		    "problems\n", what, rep->n_more);
}

/* Parse a JSON file (bounded, duplicates refused).  Exit code. */
static int
load_json(const char *path, json_t **out)
{
	json_error_t jerr;
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = read_file(path, AGREEMENT_MAX_BYTES, &text, &len)) !=
	    CLI_EXIT_OK)
		return rc;
	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (*out == NULL) {
		fprintf(stderr, "entente agreement: %s is not JSON: %s (line "
		    "%d, column %d)\n", path, jerr.text, jerr.line,
		    jerr.column);
		return CLI_EXIT_ERROR;
	}
	return CLI_EXIT_OK;
}

/* Parse an agreement file, printing every problem.  Exit code. */
static int
load_agreement(const char *path, const char *what, struct agreement **out)
{
	struct agreement_report rep;
	json_t *doc;
	int rc;

	*out = NULL;
	if ((rc = load_json(path, &doc)) != CLI_EXIT_OK)
		return rc;
	agreement_report_init(&rep);
	if (agreement_from_json(doc, out, &rep) != ERR_OK) {
		print_report(what, &rep);
		rc = CLI_EXIT_ERROR;
	}
	json_decref(doc);
	return rc;
}

/* Load this node's key from dir into the secret buffer seed.  Exit code. */
static int
load_seed(const char *dir, uint8_t *seed)
{
	char path[4096];
	enum err err;

	if (cli_path(path, sizeof(path), dir, NODE_KEY_FILE) != ERR_OK) {
		fprintf(stderr, "entente agreement: directory name too long: "
		    "%s\n", dir);
		return CLI_EXIT_USAGE;
	}
	if ((err = crypto_key_load(path, seed)) != ERR_OK) {
		fprintf(stderr, "entente agreement: cannot load the node key "
		    "%s: %s\n", path, err == ERR_FORBIDDEN ? "the file must "
		    "be a regular file of mode 0600" : err_str(err));
		return err == ERR_NOTFOUND ? CLI_EXIT_NOTFOUND :
		    CLI_EXIT_ERROR;
	}
	return CLI_EXIT_OK;
}

/* ---- draft ---- */

/* A new JSON array of the '+'-separated items of s[0..len). */
static json_t *
split_list(const char *s, size_t len)
{
	json_t *arr = json_array();
	size_t i = 0, j;

	if (arr == NULL)
		return NULL;
	while (i <= len) {
		for (j = i; j < len && s[j] != '+'; j++)
			;
		if (json_array_append_new(arr,
		    json_stringn(s + i, j - i)) != 0) {
			json_decref(arr);
			return NULL;
		}
		i = j + 1;
	}
	return arr;
}

/*
 * Parse a SPEC "k=v,k=v" into a new JSON object; keys in lists[] take
 * '+'-separated lists; rest_key, when met, takes the rest of the text.
 * Prints the problem and returns NULL on a malformed spec.
 */
static json_t *
parse_spec(const char *flag, const char *spec, const char *const *keys,
    const char *const *lists, const char *rest_key)
{
	const char *p = spec, *eq, *end;
	json_t *o = json_object(), *v;
	size_t klen, i;
	char key[32];
	int is_list;

	if (o == NULL)
		return NULL;
	while (*p != '\0') {
		if ((eq = strchr(p, '=')) == NULL || eq == p ||
		    (size_t)(eq - p) >= sizeof(key))
			goto bad;
		klen = (size_t)(eq - p);
		memcpy(key, p, klen);
		key[klen] = '\0';
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(keys[i], key) == 0)
				break;
		if (keys[i] == NULL) {
			fprintf(stderr, "entente agreement draft: %s: unknown "
			    "key '%s'\n", flag, key);
			json_decref(o);
			return NULL;
		}
		eq++;
		if (rest_key != NULL && strcmp(key, rest_key) == 0)
			end = eq + strlen(eq);
		else if ((end = strchr(eq, ',')) == NULL)
			end = eq + strlen(eq);
		is_list = 0;
		for (i = 0; lists[i] != NULL; i++)
			if (strcmp(lists[i], key) == 0)
				is_list = 1;
		v = is_list ? split_list(eq, (size_t)(end - eq)) :
		    json_stringn(eq, (size_t)(end - eq));
		if (json_object_get(o, key) != NULL ||
		    json_object_set_new(o, key, v) != 0) {
			fprintf(stderr, "entente agreement draft: %s: key '%s' "
			    "given twice\n", flag, key);
			json_decref(o);
			return NULL;
		}
		p = *end == ',' ? end + 1 : end;
	}
	return o;
bad:
	fprintf(stderr, "entente agreement draft: %s: expected key=value,"
	    "... (got '%s')\n", flag, spec);
	json_decref(o);
	return NULL;
}

/*
 * A new object with the members of spec (borrowed) in the document's
 * order: spec key keys[i] becomes member names[i].  NULL on ERR_NOMEM.
 */
static json_t *
in_order(json_t *spec, const char *const *keys, const char *const *names)
{
	json_t *o = json_object(), *v;
	size_t i;

	if (o == NULL)
		return NULL;
	for (i = 0; keys[i] != NULL; i++)
		if ((v = json_object_get(spec, keys[i])) != NULL &&
		    json_object_set(o, names[i], v) != 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/* The document of draft's flags, new; NULL after a printed problem. */
static json_t *
draft_from_flags(const struct aopts *op)
{
	static const char *const share_keys[] = { "from", "to", "types",
	    "labels", "collections", "tlp", "onward", NULL };
	static const char *const share_names[] = { "from", "to", "types",
	    "labels_any", "collections", "tlp_max", "onward", NULL };
	static const char *const share_lists[] = { "types", "labels",
	    "collections", NULL };
	static const char *const prot_keys[] = { "party", "cidrs", "domains",
	    "sectors", "pledge", NULL };
	static const char *const prot_lists[] = { "cidrs", "domains",
	    "sectors", NULL };
	json_t *doc, *parties, *share, *clauses, *prot, *o, *spec;
	const char *c1, *c2;
	size_t i;

	if (op->title == NULL || op->n_party == 0 || op->valid_from == NULL ||
	    (op->valid_until == NULL && op->valid_for == NULL)) {
		fprintf(stderr, "entente agreement draft: needs --title, "
		    "--party (one per party), --valid-from and --valid-until "
		    "or --valid-for (or --params FILE)\n");
		return NULL;
	}
	doc = json_object();
	parties = json_array();
	share = json_array();
	clauses = json_object();
	if (doc == NULL || parties == NULL || share == NULL || clauses == NULL)
		goto nomem;
	for (i = 0; i < op->n_party; i++) {
		c1 = strchr(op->party[i], ',');
		c2 = c1 != NULL ? strchr(c1 + 1, ',') : NULL;
		if (c2 == NULL) {
			fprintf(stderr, "entente agreement draft: --party "
			    "wants NAME,KEY,CONTACT (got '%s')\n",
			    op->party[i]);
			goto fail;
		}
		o = json_pack("{s:s%, s:s%, s:s}", "name", op->party[i],
		    (size_t)(c1 - op->party[i]), "key", c1 + 1,
		    (size_t)(c2 - c1 - 1), "contact", c2 + 1);
		if (o == NULL || json_array_append_new(parties, o) != 0)
			goto nomem;
	}
	for (i = 0; i < op->n_share; i++) {
		if ((spec = parse_spec("--share", op->share[i], share_keys,
		    share_lists, NULL)) == NULL)
			goto fail;
		o = in_order(spec, share_keys, share_names);
		json_decref(spec);
		if (o == NULL || json_array_append_new(share, o) != 0)
			goto nomem;
	}
	if (json_object_set_new(doc, "title", json_string(op->title)) != 0 ||
	    json_object_set(doc, "parties", parties) != 0 ||
	    json_object_set_new(doc, "valid_from",
	    json_string(op->valid_from)) != 0 ||
	    json_object_set_new(doc, "valid_until", json_string(
	    op->valid_until != NULL ? op->valid_until : "")) != 0 ||
	    json_object_set(clauses, "share", share) != 0)
		goto nomem;
	if (op->ack != NULL || op->answer != NULL) {
		o = json_object();
		if (o == NULL || (op->ack != NULL && json_object_set_new(o,
		    "acknowledge_within", json_string(op->ack)) != 0) ||
		    (op->answer != NULL && json_object_set_new(o,
		    "answer_within", json_string(op->answer)) != 0) ||
		    json_object_set_new(clauses, "assistance", o) != 0)
			goto nomem;
	}
	if (op->n_protect > 0) {
		if ((prot = json_array()) == NULL ||
		    json_object_set_new(clauses, "protected", prot) != 0)
			goto nomem;
		for (i = 0; i < op->n_protect; i++) {
			if ((spec = parse_spec("--protected", op->protect[i],
			    prot_keys, prot_lists, "pledge")) == NULL)
				goto fail;
			o = in_order(spec, prot_keys, prot_keys);
			json_decref(spec);
			if (o == NULL || json_array_append_new(prot, o) != 0)
				goto nomem;
		}
	}
	if (op->retention != NULL && json_object_set_new(clauses, "retention",
	    json_pack("{s:s}", "keep_for", op->retention)) != 0)
		goto nomem;
	if (json_object_set(doc, "clauses", clauses) != 0)
		goto nomem;
	json_decref(parties);
	json_decref(share);
	json_decref(clauses);
	return doc;
nomem:
	fprintf(stderr, "entente agreement draft: out of memory or text "
	    "that is not UTF-8\n");
fail:
	json_decref(doc);
	json_decref(parties);
	json_decref(share);
	json_decref(clauses);
	return NULL;
}

/* Put id and version first in a new copy of doc (borrowed). */
static json_t *
with_id_first(json_t *doc, const char *id, json_int_t version)
{
	json_t *o = json_object(), *v;
	const char *key;

	if (o == NULL || json_object_set_new(o, "id", json_string(id)) != 0 ||
	    json_object_set_new(o, "version", json_integer(version)) != 0)
		goto fail;
	json_object_foreach(doc, key, v) {
		if (strcmp(key, "id") == 0 || strcmp(key, "version") == 0)
			continue;
		if (json_object_set(o, key, v) != 0)
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

static int
parse_version_arg(const char *s, json_int_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		return 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > AGREEMENT_MAX_VERSION)
		return 0;
	*out = (json_int_t)v;
	return 1;
}

static int
agreement_draft(const struct aopts *op)
{
	struct agreement_report rep;
	struct agreement *a = NULL, *old = NULL;
	struct agreement_duration dur;
	json_t *doc = NULL, *full = NULL, *v;
	char id[AGREEMENT_ID_LEN + 1], ts[TS_BUFSZ];
	uint8_t rnd[16];
	json_int_t version = 1;
	int64_t from, until;
	int rc = CLI_EXIT_USAGE, flags_used;

	flags_used = op->n_party > 0 || op->n_share > 0 ||
	    op->n_protect > 0 || op->ack != NULL || op->answer != NULL ||
	    op->retention != NULL;
	if ((op->params != NULL) + (op->amend != NULL) > 1 ||
	    ((op->params != NULL || op->amend != NULL) && flags_used) ||
	    (op->params != NULL && (op->title != NULL ||
	    op->valid_from != NULL || op->valid_until != NULL ||
	    op->valid_for != NULL)) ||
	    (op->valid_until != NULL && op->valid_for != NULL) ||
	    (op->amend != NULL && (op->id != NULL || op->version != NULL))) {
		fprintf(stderr, "entente agreement draft: use flags, --params "
		    "FILE or --amend FILE (see --help)\n");
		return CLI_EXIT_USAGE;
	}
	if (op->version != NULL && !parse_version_arg(op->version, &version)) {
		fprintf(stderr, "entente agreement draft: --version must be "
		    "from 1 to %lu\n", (unsigned long)AGREEMENT_MAX_VERSION);
		return CLI_EXIT_USAGE;
	}
	if (op->amend != NULL) {
		if ((rc = load_agreement(op->amend, "draft", &old)) !=
		    CLI_EXIT_OK)
			goto out;
		if (old->version >= AGREEMENT_MAX_VERSION) {
			fprintf(stderr, "entente agreement draft: no version "
			    "after %lu\n", (unsigned long)old->version);
			rc = CLI_EXIT_ERROR;
			goto out;
		}
		if (agreement_to_json(old, &doc) != ERR_OK) {
			rc = CLI_EXIT_ERROR;
			goto out;
		}
		(void)json_object_del(doc, "signatures");
		memcpy(id, old->id, sizeof(id));
		version = (json_int_t)old->version + 1;
		if (op->title != NULL)
			(void)json_object_set_new(doc, "title",
			    json_string(op->title));
		if (op->valid_from != NULL)
			(void)json_object_set_new(doc, "valid_from",
			    json_string(op->valid_from));
		if (op->valid_until != NULL)
			(void)json_object_set_new(doc, "valid_until",
			    json_string(op->valid_until));
	} else if (op->params != NULL) {
		if ((rc = load_json(op->params, &doc)) != CLI_EXIT_OK)
			goto out;
		rc = CLI_EXIT_ERROR;
		if (!json_is_object(doc) ||
		    json_object_get(doc, "signatures") != NULL) {
			fprintf(stderr, "entente agreement draft: %s must be a "
			    "JSON object of the document's members, without "
			    "signatures\n", op->params);
			goto out;
		}
		v = json_object_get(doc, "id");
		if (op->id == NULL && json_is_string(v) &&
		    json_string_length(v) < sizeof(id))
			memcpy(id, json_string_value(v),
			    json_string_length(v) + 1);
		else
			id[0] = '\0';
		v = json_object_get(doc, "version");
		if (op->version == NULL && json_is_integer(v))
			version = json_integer_value(v);
	} else {
		if ((doc = draft_from_flags(op)) == NULL)
			goto out;
		id[0] = '\0';
	}
	if (op->id != NULL) {
		if (strlen(op->id) >= sizeof(id)) {
			fprintf(stderr, "entente agreement draft: --id must be "
			    "agreement-- and a lower-case UUID\n");
			goto out;
		}
		memcpy(id, op->id, strlen(op->id) + 1);
	} else if (id[0] == '\0') {
		if (crypto_random(rnd, sizeof(rnd)) != ERR_OK) {
			fprintf(stderr, "entente agreement draft: no random "
			    "bytes for an id\n");
			rc = CLI_EXIT_ERROR;
			goto out;
		}
		memcpy(id, AGREEMENT_ID_PREFIX, 11);
		uuid_v4_format(rnd, id + 11);
	}
	/* --valid-for: valid_until from valid_from. */
	if (op->valid_for != NULL) {
		v = json_object_get(doc, "valid_from");
		if (!json_is_string(v) || ts_parse(json_string_value(v),
		    json_string_length(v), &from, NULL) != ERR_OK ||
		    agreement_duration_parse(op->valid_for,
		    strlen(op->valid_for), &dur) != ERR_OK ||
		    agreement_duration_add(&dur, from, &until) != ERR_OK) {
			fprintf(stderr, "entente agreement draft: --valid-for "
			    "needs an RFC 3339 valid_from and an ISO 8601 "
			    "duration\n");
			goto out;
		}
		ts_format(until, ts);
		if (json_object_set_new(doc, "valid_until", json_string(ts)) !=
		    0)
			goto out;
	}
	rc = CLI_EXIT_ERROR;
	if ((full = with_id_first(doc, id, version)) == NULL) {
		fprintf(stderr, "entente agreement draft: out of memory\n");
		goto out;
	}
	agreement_report_init(&rep);
	if (agreement_from_json(full, &a, &rep) != ERR_OK) {
		print_report("draft", &rep);
		goto out;
	}
	rc = emit(full, op->out);
out:
	agreement_free(a);
	agreement_free(old);
	json_decref(doc);
	json_decref(full);
	return rc;
}

/* ---- sign ---- */

static int
is_termination(const json_t *doc)
{
	return json_is_object(doc) && json_object_get(doc, "terminates") !=
	    NULL;
}

static int
agreement_sign_file(const char *file, const struct aopts *op)
{
	struct agreement_report rep;
	struct agreement *a = NULL;
	struct agreement_termination *t = NULL;
	uint8_t *seed = NULL;
	json_t *doc = NULL, *out = NULL;
	enum err err;
	int rc;

	if ((rc = load_json(file, &doc)) != CLI_EXIT_OK)
		return rc;
	rc = CLI_EXIT_ERROR;
	if ((seed = crypto_secret_alloc(CRYPTO_ED25519_SECRET_BYTES)) ==
	    NULL) {
		fprintf(stderr, "entente agreement sign: no secret memory\n");
		goto out;
	}
	if ((rc = load_seed(op->dir, seed)) != CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_ERROR;
	agreement_report_init(&rep);
	if (is_termination(doc)) {
		if (agreement_termination_from_json(doc, &t, &rep) != ERR_OK) {
			print_report("sign", &rep);
			goto out;
		}
		if (agreement_termination_sign(t, seed) != ERR_OK) {
			fprintf(stderr, "entente agreement sign: this node's "
			    "key is not the party of the termination record "
			    "%s\n", file);
			goto out;
		}
		err = agreement_termination_to_json(t, &out);
	} else {
		if (agreement_from_json(doc, &a, &rep) != ERR_OK) {
			print_report("sign", &rep);
			goto out;
		}
		if ((err = agreement_sign(a, seed)) != ERR_OK) {
			fprintf(stderr, "entente agreement sign: this node's "
			    "key (%s/%s) is not the key of a party of %s\n",
			    op->dir, NODE_KEY_FILE, file);
			goto out;
		}
		/* Signing next to a bad signature is allowed, but said. */
		agreement_report_init(&rep);
		if (agreement_verify(a, 0, AGREEMENT_VERIFY_PARTIAL |
		    AGREEMENT_VERIFY_NO_WINDOW, &rep) != ERR_OK)
			print_report("sign (warning)", &rep);
		err = agreement_to_json(a, &out);
	}
	if (err != ERR_OK) {
		fprintf(stderr, "entente agreement sign: %s\n", err_str(err));
		goto out;
	}
	rc = emit(out, op->out != NULL ? op->out : file);
out:
	crypto_secret_free(seed);
	agreement_free(a);
	agreement_termination_free(t);
	json_decref(doc);
	json_decref(out);
	return rc;
}

/* ---- verify ---- */

static int
parse_at(const char *at, int64_t *now)
{
	if (at == NULL) {
		*now = ts_now_us();
		return 1;
	}
	if (ts_parse(at, strlen(at), now, NULL) != ERR_OK) {
		fprintf(stderr, "entente agreement: --at wants an RFC 3339 "
		    "UTC timestamp\n");
		return 0;
	}
	return 1;
}

static void
print_result(const char *file, const struct agreement_report *rep, int ok,
    int json)
{
	json_t *j, *arr;
	size_t i;

	if (json) {
		arr = json_array();
		for (i = 0; arr != NULL && i < rep->n; i++)
			(void)json_array_append_new(arr,
			    json_string(rep->msg[i]));
		j = json_pack("{s:s, s:b, s:o, s:I}", "file", file, "valid",
		    ok, "problems", arr != NULL ? arr : json_array(),
		    "more_problems", (json_int_t)rep->n_more);
		if (j != NULL)
			(void)json_dumpf(j, stdout, JSON_COMPACT);
		printf("\n");
		json_decref(j);
		return;
	}
	for (i = 0; i < rep->n; i++)
		printf("FAIL %s\n", rep->msg[i]);
	if (rep->n_more > 0)
		printf("FAIL ... and %zu more problems\n", rep->n_more);
	if (ok)
		printf("%s: valid\n", file);
	else
		printf("%s: NOT valid (%zu problem%s)\n", file,
		    rep->n + rep->n_more, rep->n + rep->n_more == 1 ? "" : "s");
}

static int
verify_termination(const char *file, const json_t *doc,
    const struct aopts *op, struct agreement_report *rep)
{
	struct agreement_termination *t = NULL;
	struct agreement *a = NULL;
	json_t *adoc = NULL;
	int ok = 0;

	if (agreement_termination_from_json(doc, &t, rep) != ERR_OK)
		goto out;
	if (op->agreement != NULL) {
		if (load_json(op->agreement, &adoc) != CLI_EXIT_OK)
			goto out;	/* load_json said why */
		if (agreement_from_json(adoc, &a, rep) != ERR_OK)
			goto out;
	}
	ok = agreement_termination_verify(t, a, rep) == ERR_OK;
	if (ok && !op->json) {
		char k[AGREEMENT_KEY_B64_LEN + 1], ts[TS_BUFSZ];

		if (crypto_b64_encode(t->party, sizeof(t->party), 0, k,
		    sizeof(k)) != ERR_OK)
			k[0] = '\0';
		ts_format(t->time, ts);
		printf("%s: termination of %s version %lu by %s at %s\n", file,
		    t->agreement_id, (unsigned long)t->version, k, ts);
		if (a == NULL)
			printf("%s: (the signature only: give --agreement FILE "
			    "to check it names that agreement and one of its "
			    "parties)\n", file);
	}
out:
	agreement_free(a);
	agreement_termination_free(t);
	json_decref(adoc);
	return ok;
}

static int
agreement_verify_file(const char *file, const struct aopts *op)
{
	struct agreement_report rep;
	struct agreement *a = NULL;
	json_t *doc = NULL;
	char f[TS_BUFSZ], u[TS_BUFSZ];
	unsigned flags = 0;
	int64_t now;
	size_t i, j;
	int rc, ok = 0;

	if (!parse_at(op->at, &now))
		return CLI_EXIT_USAGE;
	if ((rc = load_json(file, &doc)) != CLI_EXIT_OK)
		return rc;
	agreement_report_init(&rep);
	if (is_termination(doc)) {
		ok = verify_termination(file, doc, op, &rep);
		goto out;
	}
	if (agreement_from_json(doc, &a, &rep) != ERR_OK)
		goto out;
	if (op->partial)
		flags |= AGREEMENT_VERIFY_PARTIAL;
	ok = agreement_verify(a, now, flags, &rep) == ERR_OK;
	if (!op->json) {
		ts_format(a->valid_from, f);
		ts_format(a->valid_until, u);
		printf("%s: %s version %lu \"%s\"\n", file, a->id,
		    (unsigned long)a->version, a->title);
		printf("%s: valid from %s until %s\n", file, f, u);
		for (i = 0; i < a->n_parties; i++) {
			for (j = 0; j < a->n_sigs; j++)
				if (memcmp(a->sigs[j].key, a->parties[i].key,
				    CRYPTO_ED25519_PUBLIC_BYTES) == 0)
					break;
			printf("%s: party %s: %s\n", file, a->parties[i].name,
			    j < a->n_sigs ? "signed" : "not signed");
		}
	}
out:
	print_result(file, &rep, ok, op->json);
	agreement_free(a);
	json_decref(doc);
	return ok ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}

/* ---- terminate-draft ---- */

static int
agreement_terminate_draft(const char *file, const struct aopts *op)
{
	struct agreement_report rep;
	struct agreement_termination *t = NULL;
	struct agreement *a = NULL;
	uint8_t *seed = NULL, pub[CRYPTO_ED25519_PUBLIC_BYTES];
	json_t *out = NULL;
	int64_t at;
	size_t i;
	int rc;

	if (op->reason == NULL) {
		fprintf(stderr, "entente agreement terminate-draft: needs "
		    "--reason TEXT\n");
		return CLI_EXIT_USAGE;
	}
	if (!parse_at(op->at, &at))
		return CLI_EXIT_USAGE;
	if ((rc = load_agreement(file, "terminate-draft", &a)) != CLI_EXIT_OK)
		return rc;
	rc = CLI_EXIT_ERROR;
	if (op->party_name != NULL) {
		for (i = 0; i < a->n_parties; i++)
			if (strcmp(a->parties[i].name, op->party_name) == 0)
				break;
		if (i == a->n_parties) {
			fprintf(stderr, "entente agreement terminate-draft: %s "
			    "has no party named '%s'\n", file, op->party_name);
			goto out;
		}
		memcpy(pub, a->parties[i].key, sizeof(pub));
	} else {
		if ((seed = crypto_secret_alloc(CRYPTO_ED25519_SECRET_BYTES)) ==
		    NULL)
			goto out;
		if ((rc = load_seed(op->dir, seed)) != CLI_EXIT_OK)
			goto out;
		rc = CLI_EXIT_ERROR;
		crypto_ed25519_public(seed, pub);
	}
	agreement_report_init(&rep);
	if (agreement_termination_new(a, pub, at, op->reason, &t, &rep) !=
	    ERR_OK) {
		print_report("terminate-draft", &rep);
		goto out;
	}
	if (agreement_termination_to_json(t, &out) != ERR_OK)
		goto out;
	rc = emit(out, op->out);
out:
	crypto_secret_free(seed);
	agreement_termination_free(t);
	agreement_free(a);
	json_decref(out);
	return rc;
}

/* ---- stix ---- */

static int
agreement_stix_file(const char *file)
{
	struct agreement_report rep;
	struct agreement_termination *t = NULL;
	struct agreement *a = NULL;
	json_t *doc = NULL, *out = NULL;
	enum err err;
	int rc;

	if ((rc = load_json(file, &doc)) != CLI_EXIT_OK)
		return rc;
	rc = CLI_EXIT_ERROR;
	agreement_report_init(&rep);
	if (is_termination(doc))
		err = agreement_termination_from_json(doc, &t, &rep);
	else
		err = agreement_from_json(doc, &a, &rep);
	if (err != ERR_OK) {
		print_report("stix", &rep);
		goto out;
	}
	err = t != NULL ? agreement_termination_to_stix(t, &out) :
	    agreement_to_stix(a, &out);
	if (err != ERR_OK)
		goto out;
	rc = emit(out, NULL);
out:
	agreement_free(a);
	agreement_termination_free(t);
	json_decref(doc);
	json_decref(out);
	return rc;
}

/* ---- on a node ---- */

/* The state of an installed agreement at an instant. */
enum astate {
	AS_IN_FORCE = 0,
	AS_NOT_YET,
	AS_EXPIRED,
	AS_TERMINATED
};

static const char *const astate_names[] = {
	"in force", "not yet valid", "expired", "terminated"
};

/* The state of a, terminated at terminated (POLICY_NEVER: not), at now. */
static enum astate
state_at(const struct agreement *a, int64_t terminated, int64_t now)
{
	if (terminated != POLICY_NEVER && now >= terminated)
		return AS_TERMINATED;
	if (now < a->valid_from)
		return AS_NOT_YET;
	if (now >= a->valid_until)
		return AS_EXPIRED;
	return AS_IN_FORCE;
}

/* The state in words into out: "in force", "terminated TS", ... */
static void
state_text(const struct agreement *a, int64_t terminated, int64_t now,
    char *out, size_t cap)
{
	enum astate s = state_at(a, terminated, now);
	char ts[TS_BUFSZ];

	if (terminated != POLICY_NEVER)
		ts_format(terminated, ts);
	if (s == AS_TERMINATED)
		(void)snprintf(out, cap, "terminated %s", ts);
	else if (terminated != POLICY_NEVER)
		(void)snprintf(out, cap, "%s (terminated at %s)",
		    astate_names[s], ts);
	else
		(void)snprintf(out, cap, "%s", astate_names[s]);
}

/* A new JSON string of the timestamp us; NULL on ERR_NOMEM. */
static json_t *
ts_json(int64_t us)
{
	char ts[TS_BUFSZ];

	ts_format(us, ts);
	return json_string(ts);
}

/* The termination time as JSON: a timestamp, or null. */
static json_t *
terminated_json(int64_t terminated)
{
	return terminated == POLICY_NEVER ? json_null() : ts_json(terminated);
}

/* Lower-case hex of p[0..len) into out (2 * len + 1 bytes). */
static void
hex_format(const uint8_t *p, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * len] = '\0';
}

/* Print j (stolen) compactly on one line of stdout.  Exit code. */
static int
print_json(json_t *j)
{
	int rc = CLI_EXIT_ERROR;

	if (j != NULL && json_dumpf(j, stdout, JSON_COMPACT) == 0 &&
	    putchar('\n') != EOF && fflush(stdout) == 0)
		rc = CLI_EXIT_OK;
	else
		fprintf(stderr, "entente agreement: cannot write the JSON "
		    "output\n");
	json_decref(j);
	return rc;
}

/* rep's lines as a new JSON array of strings; NULL on ERR_NOMEM. */
static json_t *
report_json(const struct agreement_report *rep)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < rep->n; i++)
		if (json_array_append_new(arr, json_string(rep->msg[i])) !=
		    0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

/*
 * Say on stderr that what (a file, an agreement id) was refused by the
 * command cmd, then each line of rep as "FAIL line" (err_str(err) when rep
 * holds none).  With json, also {"ok": false, ...} on stdout.
 */
static void
print_refusal(const char *cmd, const char *what, enum err err,
    const struct agreement_report *rep, int json)
{
	size_t i;

	fprintf(stderr, "entente agreement %s: %s refused: %s\n", cmd, what,
	    err_str(err));
	for (i = 0; i < rep->n; i++)
		fprintf(stderr, "FAIL %s\n", rep->msg[i]);
	if (rep->n_more > 0)
		fprintf(stderr, "FAIL ... and %zu more problems\n",
		    rep->n_more);
	if (rep->n == 0)
		fprintf(stderr, "FAIL %s\n", err_str(err));
	if (json)
		(void)print_json(json_pack("{s:b, s:s, s:o, s:I}", "ok", 0,
		    "error", err_str(err), "problems", report_json(rep),
		    "more_problems", (json_int_t)rep->n_more));
}

static int
agreement_install_file(const char *file, const struct aopts *op)
{
	struct agreement_report rep;
	struct node_install res;
	struct store *st = NULL;
	char *text = NULL;
	size_t len;
	enum err err;
	int rc;

	if ((rc = read_file(file, AGREEMENT_MAX_BYTES, &text, &len)) !=
	    CLI_EXIT_OK)
		return rc;
	if ((rc = cli_open_node(op->dir, &st)) != CLI_EXIT_OK)
		goto out;
	agreement_report_init(&rep);
	memset(&res, 0, sizeof(res));
	if ((err = node_install(st, text, len, ts_now_us(), &res, &rep)) !=
	    ERR_OK) {
		print_refusal("install", file, err, &rep, op->json);
		rc = CLI_EXIT_ERROR;
		goto out;
	}
	res.id[sizeof(res.id) - 1] = '\0';
	if (op->json) {
		rc = print_json(json_pack("{s:b, s:s, s:s, s:I, s:o, s:I, "
		    "s:I}", "ok", 1, "kind", res.is_termination ?
		    "termination" : "agreement", "id", res.id, "version",
		    (json_int_t)res.version, "replaced", res.replaced != 0 ?
		    json_integer((json_int_t)res.replaced) : json_null(),
		    "collections_created", (json_int_t)res.n_created, "leaf",
		    (json_int_t)res.leaf));
		goto out;
	}
	if (res.is_termination) {
		printf("installed the termination of %s version %lu\n",
		    res.id, (unsigned long)res.version);
	} else {
		printf("installed %s version %lu", res.id,
		    (unsigned long)res.version);
		if (res.replaced != 0)
			printf(" (replaces version %lu)",
			    (unsigned long)res.replaced);
		printf("\ncollections created: %zu\n", res.n_created);
	}
	printf("log leaf: %llu\n", (unsigned long long)res.leaf);
	rc = CLI_EXIT_OK;
out:
	free(text);
	store_close(st);
	return rc;
}

/* Print the parties' names of a joined by ", ". */
static void
print_party_names(const struct agreement *a)
{
	size_t i;

	for (i = 0; i < a->n_parties; i++)
		printf("%s%s", i > 0 ? ", " : "", a->parties[i].name);
}

/* The listing of one installed agreement (its document parsed as a). */
static json_t *
list_entry_json(const struct store_agreement *sa, const struct agreement *a,
    int64_t now)
{
	json_t *names = json_array();
	size_t i;

	for (i = 0; names != NULL && i < a->n_parties; i++)
		if (json_array_append_new(names,
		    json_string(a->parties[i].name)) != 0) {
			json_decref(names);
			names = NULL;
		}
	return json_pack("{s:s, s:I, s:s, s:o, s:o, s:o, s:o, s:s, s:o}",
	    "id", a->id, "version", (json_int_t)a->version, "title", a->title,
	    "parties", names, "valid_from", ts_json(a->valid_from),
	    "valid_until", ts_json(a->valid_until), "installed",
	    ts_json(sa->installed), "state",
	    astate_names[state_at(a, sa->terminated, now)], "terminated",
	    terminated_json(sa->terminated));
}

static int
agreement_list_node(const struct aopts *op)
{
	struct store_agreement *v = NULL;
	struct agreement *a;
	struct store *st = NULL;
	json_t *arr = NULL;
	char state[64 + TS_BUFSZ], f[TS_BUFSZ], u[TS_BUFSZ];
	int64_t now;
	size_t n = 0, i;
	enum err err;
	int rc, bad = 0;

	if (!parse_at(op->at, &now))
		return CLI_EXIT_USAGE;
	if ((rc = cli_open_node(op->dir, &st)) != CLI_EXIT_OK)
		return rc;
	rc = CLI_EXIT_ERROR;
	if ((err = store_agreement_list(st, &v, &n)) != ERR_OK) {
		fprintf(stderr, "entente agreement list: cannot read the "
		    "installed agreements: %s\n", err_str(err));
		goto out;
	}
	if (op->json && (arr = json_array()) == NULL)
		goto out;
	if (n == 0 && !op->json)
		printf("no agreement is installed on this node (install one "
		    "with: entente agreement install FILE)\n");
	for (i = 0; i < n; i++) {
		if (agreement_parse(v[i].doc, v[i].doc_len, &a, NULL) !=
		    ERR_OK) {
			fprintf(stderr, "entente agreement list: the stored "
			    "document of %s version %lu does not parse\n",
			    v[i].id, (unsigned long)v[i].version);
			bad = 1;
			continue;
		}
		if (op->json) {
			if (json_array_append_new(arr, list_entry_json(&v[i],
			    a, now)) != 0) {
				agreement_free(a);
				goto out;
			}
			agreement_free(a);
			continue;
		}
		state_text(a, v[i].terminated, now, state, sizeof(state));
		ts_format(a->valid_from, f);
		ts_format(a->valid_until, u);
		printf("%s v%lu: %s, valid %s to %s, \"%s\" (", a->id,
		    (unsigned long)a->version, state, f, u, a->title);
		print_party_names(a);
		printf(")\n");
		agreement_free(a);
	}
	if (op->json) {
		rc = print_json(json_pack("{s:o}", "agreements", arr));
		arr = NULL;
		if (rc != CLI_EXIT_OK)
			goto out;
	}
	rc = bad ? CLI_EXIT_ERROR : CLI_EXIT_OK;
out:
	json_decref(arr);
	store_agreement_list_free(v, n);
	store_close(st);
	return rc;
}

/* Print text after prefix, each of its newlines followed by indent. */
static void
print_indented(const char *prefix, const char *text, const char *indent)
{
	const char *p;

	fputs(prefix, stdout);
	for (p = text; *p != '\0'; p++) {
		putchar(*p);
		if (*p == '\n')
			fputs(indent, stdout);
	}
	putchar('\n');
}

/* Print the items of l joined by sep. */
static void
print_items(const struct agreement_list *l, const char *sep)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		printf("%s%s", i > 0 ? sep : "", l->v[i]);
}

/* Share clause i of a in words, on one line. */
static void
print_share(const struct agreement *a, size_t i)
{
	const struct agreement_share *s = &a->share[i];
	const char *to = s->to == AGREEMENT_TO_ALL ? "every other party" :
	    a->parties[s->to].name;
	const char *who = s->to == AGREEMENT_TO_ALL ? "they" : to;

	printf("  share[%zu]: %s gives %s objects of ", i,
	    a->parties[s->from].name, to);
	if (s->types.any) {
		printf("any type");
	} else {
		printf("type ");
		print_items(&s->types, ", ");
	}
	if (s->labels_any.n > 0) {
		printf(" labelled ");
		print_items(&s->labels_any, " or ");
	}
	if (s->collections.any) {
		printf(" in any collection");
	} else {
		printf(" in collection%s ", s->collections.n > 1 ? "s" : "");
		print_items(&s->collections, ", ");
	}
	printf(", up to TLP:%s; onward %s: ", agreement_tlp_name(s->tlp_max),
	    agreement_onward_name(s->onward));
	switch (s->onward) {
	case AGREEMENT_ONWARD_NONE:
		printf("%s may not pass them on\n", who);
		break;
	case AGREEMENT_ONWARD_PARTIES:
		printf("%s may pass them on to this agreement's parties\n",
		    who);
		break;
	case AGREEMENT_ONWARD_ANY:
		printf("%s may pass them on to anyone\n", who);
		break;
	}
}

/* The string at doc.k1.k2.k3 (borrowed), or "?". */
static const char *
jstr3(const json_t *doc, const char *k1, const char *k2, const char *k3)
{
	const json_t *v = json_object_get(json_object_get(json_object_get(doc,
	    k1), k2), k3);

	return json_is_string(v) ? json_string_value(v) : "?";
}

/* show's human output. */
static void
show_text(const struct store_agreement *sa, const struct agreement *a,
    const json_t *doc, const struct agreement_termination *t, int64_t now)
{
	char hex[2 * CRYPTO_SHA256_BYTES + 1], f[TS_BUFSZ], u[TS_BUFSZ];
	char state[64 + TS_BUFSZ], k[AGREEMENT_KEY_B64_LEN + 1];
	char ident[AGREEMENT_IDENTITY_LEN + 1];
	const struct agreement_protected *pr;
	const char *sep;
	long pi;
	size_t i;

	hex_format(a->hash, sizeof(a->hash), hex);
	ts_format(a->valid_from, f);
	ts_format(a->valid_until, u);
	state_text(a, sa->terminated, now, state, sizeof(state));
	printf("%s version %lu\n", a->id, (unsigned long)a->version);
	printf("title: %s\nhash: %s\nvalid: %s to %s\nstate: %s\n", a->title,
	    hex, f, u, state);
	ts_format(sa->installed, f);
	printf("installed: %s\nparties:\n", f);
	for (i = 0; i < a->n_parties; i++) {
		if (crypto_b64_encode(a->parties[i].key,
		    sizeof(a->parties[i].key), 0, k, sizeof(k)) != ERR_OK)
			k[0] = '\0';
		agreement_identity_id(a->parties[i].key, ident);
		printf("  %s\n    key: %s\n    identity: %s\n    contact: %s\n",
		    a->parties[i].name, k, ident, a->parties[i].contact);
	}
	printf("share:%s\n", a->n_share == 0 ? " none" : "");
	for (i = 0; i < a->n_share; i++)
		print_share(a, i);
	if (a->has_assistance)
		printf("assistance: acknowledge within %s, answer within %s\n",
		    jstr3(doc, "clauses", "assistance", "acknowledge_within"),
		    jstr3(doc, "clauses", "assistance", "answer_within"));
	else
		printf("assistance: none\n");
	printf("protected:%s\n", a->n_protect == 0 ? " none" : "");
	for (i = 0; i < a->n_protect; i++) {
		pr = &a->protect[i];
		printf("  %s:", a->parties[pr->party].name);
		sep = " ";
		if (pr->cidrs.n > 0) {
			printf("%snetworks ", sep);
			print_items(&pr->cidrs, ", ");
			sep = "; ";
		}
		if (pr->domains.n > 0) {
			printf("%sdomains ", sep);
			print_items(&pr->domains, ", ");
			sep = "; ";
		}
		if (pr->sectors.n > 0) {
			printf("%ssectors ", sep);
			print_items(&pr->sectors, ", ");
		}
		printf("\n");
		print_indented("    pledge: ", pr->pledge, "      ");
	}
	if (a->has_retention)
		printf("retention: received objects are kept for %s\n",
		    jstr3(doc, "clauses", "retention", "keep_for"));
	else
		printf("retention: none\n");
	if (sa->term == NULL) {
		printf("termination: none\n");
		return;
	}
	if (t == NULL) {
		ts_format(sa->terminated, f);
		printf("termination: at %s (the stored record does not "
		    "parse)\n", f);
		return;
	}
	ts_format(t->time, f);
	if (crypto_b64_encode(t->party, sizeof(t->party), 0, k, sizeof(k)) !=
	    ERR_OK)
		k[0] = '\0';
	pi = agreement_party_find(a, t->party);
	printf("termination: at %s by %s (%s)\n", f, pi >= 0 ?
	    a->parties[pi].name : "an unknown party", k);
	print_indented("  reason: ", t->reason, "    ");
}

static int
agreement_show_node(const char *id, const struct aopts *op)
{
	struct agreement_report rep;
	struct store_agreement sa;
	struct agreement_termination *t = NULL;
	struct agreement *a = NULL;
	struct store *st = NULL;
	json_t *doc = NULL, *rec = NULL;
	char hex[2 * CRYPTO_SHA256_BYTES + 1];
	int64_t now;
	enum err err;
	int rc;

	memset(&sa, 0, sizeof(sa));
	if (!parse_at(op->at, &now))
		return CLI_EXIT_USAGE;
	if ((rc = cli_open_node(op->dir, &st)) != CLI_EXIT_OK)
		return rc;
	rc = CLI_EXIT_ERROR;
	if ((err = store_agreement_get(st, id, &sa)) != ERR_OK) {
		if (err == ERR_NOTFOUND || err == ERR_INVALID) {
			fprintf(stderr, "entente agreement show: agreement %s "
			    "is not installed on this node (see entente "
			    "agreement list)\n", id);
			rc = CLI_EXIT_NOTFOUND;
		} else {
			fprintf(stderr, "entente agreement show: cannot read "
			    "agreement %s: %s\n", id, err_str(err));
		}
		goto out;
	}
	agreement_report_init(&rep);
	if (agreement_parse(sa.doc, sa.doc_len, &a, &rep) != ERR_OK) {
		fprintf(stderr, "entente agreement show: the stored document "
		    "of %s does not parse\n", id);
		print_report("show", &rep);
		goto out;
	}
	if ((doc = json_loadb(sa.doc, sa.doc_len, 0, NULL)) == NULL)
		goto out;
	if (sa.term != NULL) {
		rec = json_loadb(sa.term, sa.term_len, 0, NULL);
		if (agreement_termination_parse(sa.term, sa.term_len, &t,
		    NULL) != ERR_OK)
			t = NULL;
	}
	if (!op->json) {
		show_text(&sa, a, doc, t, now);
		rc = CLI_EXIT_OK;
		goto out;
	}
	hex_format(a->hash, sizeof(a->hash), hex);
	rc = print_json(json_pack("{s:O, s:s, s:o, s:s, s:o, s:O?}",
	    "agreement", doc, "hash", hex, "installed", ts_json(sa.installed),
	    "state", astate_names[state_at(a, sa.terminated, now)],
	    "terminated", terminated_json(sa.terminated), "termination",
	    rec));
out:
	agreement_termination_free(t);
	agreement_free(a);
	json_decref(doc);
	json_decref(rec);
	store_agreement_clear(&sa);
	store_close(st);
	return rc;
}

static int
agreement_terminate_node(const char *id, const struct aopts *op)
{
	struct agreement_report rep;
	struct agreement_termination *t = NULL;
	struct store_agreement sa;
	struct store_party self;
	struct store *st = NULL;
	uint8_t *seed = NULL;
	char ts[TS_BUFSZ];
	json_t *rec = NULL;
	int64_t at;
	enum err err;
	int rc;

	memset(&sa, 0, sizeof(sa));
	if (op->reason == NULL) {
		fprintf(stderr, "entente agreement terminate: needs --reason "
		    "TEXT\n");
		return CLI_EXIT_USAGE;
	}
	if (!parse_at(op->at, &at))
		return CLI_EXIT_USAGE;
	if ((rc = cli_open_node(op->dir, &st)) != CLI_EXIT_OK)
		return rc;
	rc = CLI_EXIT_ERROR;
	if ((seed = crypto_secret_alloc(CRYPTO_ED25519_SECRET_BYTES)) ==
	    NULL) {
		fprintf(stderr, "entente agreement terminate: no secret "
		    "memory\n");
		goto out;
	}
	if ((rc = load_seed(op->dir, seed)) != CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_ERROR;
	agreement_report_init(&rep);
	err = node_terminate(st, seed, id, at, op->reason, ts_now_us(), NULL,
	    &rep);
	if (err != ERR_OK) {
		/* ERR_NOTFOUND: not installed (the report says so). */
		if (err == ERR_NOTFOUND)
			rc = CLI_EXIT_NOTFOUND;
		print_refusal("terminate", id, err, &rep, op->json);
		goto out;
	}
	/* The signed record as installed (it is the store's to keep). */
	if (store_agreement_get(st, id, &sa) != ERR_OK || sa.term == NULL ||
	    agreement_termination_parse(sa.term, sa.term_len, &t, NULL) !=
	    ERR_OK ||
	    (rec = json_loadb(sa.term, sa.term_len, 0, NULL)) == NULL) {
		fprintf(stderr, "entente agreement terminate: %s is "
		    "terminated, but the record cannot be shown\n", id);
		goto out;
	}
	if (op->out != NULL && (rc = emit(rec, op->out)) != CLI_EXIT_OK) {
		fprintf(stderr, "entente agreement terminate: %s is "
		    "terminated, but the record was not written to %s (see "
		    "entente agreement show %s --json)\n", id, op->out, id);
		goto out;
	}
	if (op->json) {
		rc = print_json(json_pack("{s:b, s:s, s:I, s:o, s:O}", "ok", 1,
		    "id", t->agreement_id, "version", (json_int_t)t->version,
		    "time", ts_json(t->time), "record", rec));
		goto out;
	}
	if (store_party_self(st, &self) != ERR_OK)
		memcpy(self.name, "this node's party",
		    sizeof("this node's party"));
	ts_format(t->time, ts);
	printf("terminated %s version %lu at %s by %s\n", t->agreement_id,
	    (unsigned long)t->version, ts, self.name);
	print_indented("reason: ", t->reason, "  ");
	if (op->out != NULL)
		printf("signed record: %s (give it to the other parties to "
		    "install)\n", op->out);
	rc = CLI_EXIT_OK;
out:
	crypto_secret_free(seed);
	agreement_termination_free(t);
	json_decref(rec);
	store_agreement_clear(&sa);
	store_close(st);
	return rc;
}

/* ---- entry ---- */

static int
add_item(const char **v, size_t *n, size_t max, const char *s,
    const char *flag)
{
	if (*n >= max) {
		fprintf(stderr, "entente agreement: at most %zu %s\n", max,
		    flag);
		return 0;
	}
	v[(*n)++] = s;
	return 1;
}

int
cmd_agreement(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "id", required_argument, NULL, OPT_ID },
		{ "out", required_argument, NULL, AOPT_OUT },
		{ "params", required_argument, NULL, AOPT_PARAMS },
		{ "amend", required_argument, NULL, AOPT_AMEND },
		{ "party", required_argument, NULL, AOPT_PARTY },
		{ "share", required_argument, NULL, AOPT_SHARE },
		{ "protected", required_argument, NULL, AOPT_PROTECTED },
		{ "valid-from", required_argument, NULL, AOPT_VALID_FROM },
		{ "valid-until", required_argument, NULL, AOPT_VALID_UNTIL },
		{ "valid-for", required_argument, NULL, AOPT_VALID_FOR },
		{ "acknowledge-within", required_argument, NULL, AOPT_ACK },
		{ "answer-within", required_argument, NULL, AOPT_ANSWER },
		{ "retention", required_argument, NULL, AOPT_RETENTION },
		{ "version", required_argument, NULL, AOPT_VERSION },
		{ "at", required_argument, NULL, AOPT_AT },
		{ "partial", no_argument, NULL, AOPT_PARTIAL },
		{ "reason", required_argument, NULL, AOPT_REASON },
		{ "agreement", required_argument, NULL, AOPT_AGREEMENT },
		{ "party-name", required_argument, NULL, AOPT_PARTY_NAME },
		{ NULL, 0, NULL, 0 },
	};
	struct aopts op;
	const char *sub;
	int c;

	memset(&op, 0, sizeof(op));
	op.dir = CLI_DEFAULT_DIR;
	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR:
			op.dir = optarg;
			break;
		case OPT_HELP:
			agreement_usage(stdout);
			return CLI_EXIT_OK;
		case OPT_JSON:
			op.json = 1;
			break;
		case OPT_TITLE:
			op.title = optarg;
			break;
		case OPT_ID:
			op.id = optarg;
			break;
		case AOPT_OUT:
			op.out = optarg;
			break;
		case AOPT_PARAMS:
			op.params = optarg;
			break;
		case AOPT_AMEND:
			op.amend = optarg;
			break;
		case AOPT_PARTY:
			if (!add_item(op.party, &op.n_party,
			    AGREEMENT_MAX_PARTIES, optarg, "--party"))
				return CLI_EXIT_USAGE;
			break;
		case AOPT_SHARE:
			if (!add_item(op.share, &op.n_share, MAX_FLAG_ITEMS,
			    optarg, "--share"))
				return CLI_EXIT_USAGE;
			break;
		case AOPT_PROTECTED:
			if (!add_item(op.protect, &op.n_protect,
			    AGREEMENT_MAX_PARTIES, optarg, "--protected"))
				return CLI_EXIT_USAGE;
			break;
		case AOPT_VALID_FROM:
			op.valid_from = optarg;
			break;
		case AOPT_VALID_UNTIL:
			op.valid_until = optarg;
			break;
		case AOPT_VALID_FOR:
			op.valid_for = optarg;
			break;
		case AOPT_ACK:
			op.ack = optarg;
			break;
		case AOPT_ANSWER:
			op.answer = optarg;
			break;
		case AOPT_RETENTION:
			op.retention = optarg;
			break;
		case AOPT_VERSION:
			op.version = optarg;
			break;
		case AOPT_AT:
			op.at = optarg;
			break;
		case AOPT_PARTIAL:
			op.partial = 1;
			break;
		case AOPT_REASON:
			op.reason = optarg;
			break;
		case AOPT_AGREEMENT:
			op.agreement = optarg;
			break;
		case AOPT_PARTY_NAME:
			op.party_name = optarg;
			break;
		default:
			agreement_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		agreement_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	sub = argv[0];
	if (strcmp(sub, "draft") == 0 && argc == 1)
		return agreement_draft(&op);
	if (strcmp(sub, "sign") == 0 && argc == 2)
		return agreement_sign_file(argv[1], &op);
	if (strcmp(sub, "verify") == 0 && argc == 2)
		return agreement_verify_file(argv[1], &op);
	if (strcmp(sub, "terminate-draft") == 0 && argc == 2)
		return agreement_terminate_draft(argv[1], &op);
	if (strcmp(sub, "stix") == 0 && argc == 2)
		return agreement_stix_file(argv[1]);
	if (strcmp(sub, "install") == 0 && argc == 2)
		return agreement_install_file(argv[1], &op);
	if (strcmp(sub, "list") == 0 && argc == 1)
		return agreement_list_node(&op);
	if (strcmp(sub, "show") == 0 && argc == 2)
		return agreement_show_node(argv[1], &op);
	if (strcmp(sub, "terminate") == 0 && argc == 2)
		return agreement_terminate_node(argv[1], &op);
	agreement_usage(stderr);
	return CLI_EXIT_USAGE;
}
