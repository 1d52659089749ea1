/*
 * cmd_partner.c: `entente partner add|list|show|remove`, the partners'
 * nodes this node syncs with (docs/cli.md, "partner").
 *
 * A partner is a party (role partner) and how to reach its node: the base
 * URL of its server, the bearer token its node issued to this node, the
 * pin of its TLS key and its log's verifier key.  The token is a secret:
 * it is never printed back, only its first characters by `show`.  The
 * sync state (ok, failing, halted) is written by the sync engine and only
 * read here.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "crypto/crypto.h"
#include "tlog/note.h"
#include "util/timeutil.h"

#define PARTNER_TOKEN_ENV	"ENTENTE_PARTNER_TOKEN"
/* Shortest token accepted, and how much of it `show` prints. */
#define PARTNER_TOKEN_MIN	16u
#define PARTNER_TOKEN_SHOWN	8u
/* Longest host name (RFC 1035) and label. */
#define PARTNER_HOST_MAX	253u
#define PARTNER_LABEL_MAX	63u

/* What `partner add` was given. */
struct add_args {
	const char	*name;
	const char	*url;
	const char	*key;
	const char	*token;
	const char	*pin;
	const char	*log_key;
};

static void
partner_usage(FILE *f)
{
	fprintf(f, "usage: entente partner add NAME --url URL --key KEY "
	    "--token TOKEN\n"
	    "                          [--tls-pin PIN] [--log-key VKEY] "
	    "[--dir DIR]\n"
	    "       entente partner list [--json] [--dir DIR]\n"
	    "       entente partner show NAME [--json] [--dir DIR]\n"
	    "       entente partner remove NAME [--dir DIR]\n\n"
	    "Partners are the parties whose nodes this node syncs with.\n\n"
	    "add     record how to reach party NAME's node (the party is "
	    "created\n"
	    "        when new; an existing one must have key KEY):\n"
	    "        URL    its base URL, https://HOST[:PORT] (no path; "
	    "http:// only\n"
	    "               for a loopback host: 127.0.0.1, [::1], "
	    "localhost)\n"
	    "        KEY    its party's Ed25519 public key (its whoami "
	    "\"public key\")\n"
	    "        TOKEN  the bearer token its node issued to this node, "
	    "or\n"
	    "               $%s; a secret, never printed back\n"
	    "        PIN    its TLS pin (its whoami \"tls pin\"); without "
	    "it the\n"
	    "               system's CAs must vouch for its certificate\n"
	    "        VKEY   its log key (its whoami \"log key\"); without it "
	    "the\n"
	    "               first sync learns it\n"
	    "list    one line per partner: name, URL, state (ok, failing, "
	    "halted),\n"
	    "        last good sync, objects received\n"
	    "show    everything about partner NAME\n"
	    "remove  forget partner NAME's node (the party and its agreements "
	    "stay)\n\n"
	    "Exit codes: 2 bad arguments, 1 refused (a party NAME with "
	    "another key,\n"
	    "this node's own party), 3 no such partner, 4 already a "
	    "partner.\n", PARTNER_TOKEN_ENV);
}

static int
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* 1 when h[0..len) is a host name or dotted IPv4 address (LDH labels). */
static int
host_name_ok(const char *h, size_t len)
{
	size_t i, label = 0;

	if (len == 0 || len > PARTNER_HOST_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (h[i] == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!is_alnum(h[i]) && h[i] != '-')
			return 0;
		if (h[i] == '-' && label == 0)
			return 0;
		if (++label > PARTNER_LABEL_MAX)
			return 0;
	}
	return label > 0 && h[len - 1] != '-';
}

/*
 * Check the base URL in and write its normal form to out (cap bytes):
 * the scheme in lower case, trailing slashes dropped.  *plain is set for
 * http://, *loopback when the host is 127.0.0.1, [::1] or localhost.
 * Returns NULL when good, else why not (a static string).
 */
static const char *
url_check(const char *in, char *out, size_t cap, int *plain, int *loopback)
{
	char addr[INET6_ADDRSTRLEN + 1];
	struct in6_addr a6;
	const char *auth, *host, *port, *end;
	size_t len, hlen, plen;
	unsigned long pv = 0;

	*plain = *loopback = 0;
	len = strnlen(in, STORE_URL_MAX + 1);
	if (len > STORE_URL_MAX)
		return "it is too long";
	if (len >= 8 && strncasecmp(in, "https://", 8) == 0) {
		auth = in + 8;
	} else if (len >= 7 && strncasecmp(in, "http://", 7) == 0) {
		auth = in + 7;
		*plain = 1;
	} else {
		return "it must start with https://";
	}
	end = in + len;
	while (end > auth && end[-1] == '/')
		end--;
	if (auth == end)
		return "it has no host";
	for (const char *p = auth; p < end; p++) {
		if (*p == '/' || *p == '?' || *p == '#')
			return "it must be the base URL alone, "
			    "https://HOST[:PORT], with no path, query or "
			    "fragment";
		if (*p == '@')
			return "it must not hold a user name or password";
	}
	if (*auth == '[') {
		host = auth + 1;
		if ((port = memchr(host, ']', (size_t)(end - host))) == NULL)
			return "an IPv6 address lacks its ']'";
		hlen = (size_t)(port - host);
		if (hlen == 0 || hlen >= sizeof(addr))
			return "the IPv6 address is not valid";
		memcpy(addr, host, hlen);
		addr[hlen] = '\0';
		if (inet_pton(AF_INET6, addr, &a6) != 1)
			return "the IPv6 address is not valid";
		*loopback = memcmp(&a6, &in6addr_loopback, sizeof(a6)) == 0;
		port++;
	} else {
		host = auth;
		port = memchr(host, ':', (size_t)(end - host));
		if (port == NULL)
			port = end;
		hlen = (size_t)(port - host);
		if (!host_name_ok(host, hlen))
			return "the host is not a valid host name or address "
			    "(IPv6 goes in brackets)";
		*loopback = (hlen == 9 && strncasecmp(host, "localhost",
		    9) == 0) || (hlen == 9 && memcmp(host, "127.0.0.1",
		    9) == 0);
	}
	if (port != end) {
		if (*port != ':')
			return "only a port may follow the host";
		port++;
		plen = (size_t)(end - port);
		if (plen == 0 || plen > 5)
			return "the port must be a number from 1 to 65535";
		for (size_t i = 0; i < plen; i++) {
			if (port[i] < '0' || port[i] > '9')
				return "the port must be a number from 1 to "
				    "65535";
			pv = pv * 10 + (unsigned long)(port[i] - '0');
		}
		if (pv == 0 || pv > 65535)
			return "the port must be a number from 1 to 65535";
	}
	if (*plain && !*loopback)
		return "http:// (no TLS) is accepted only for a loopback host "
		    "(127.0.0.1, [::1], localhost); use https://";
	if (snprintf(out, cap, "%s%.*s", *plain ? "http://" : "https://",
	    (int)(end - auth), auth) >= (int)cap)
		return "it is too long";
	return NULL;
}

/*
 * 1 when t is a bearer token we can send: RFC 6750 b64token characters
 * (letters, digits, "-._~+/", then '=' padding), PARTNER_TOKEN_MIN to
 * STORE_SECRET_MAX of them.  Nothing else could go in the header.
 */
static int
token_ok(const char *t)
{
	size_t n = strnlen(t, STORE_SECRET_MAX + 1), i;

	if (n < PARTNER_TOKEN_MIN || n > STORE_SECRET_MAX)
		return 0;
	for (i = 0; i < n && t[i] != '='; i++)
		if (!is_alnum(t[i]) && strchr("-._~+/", t[i]) == NULL)
			return 0;
	if (i == 0)
		return 0;
	for (; i < n; i++)
		if (t[i] != '=')
			return 0;
	return 1;
}

static const char *
state_name(enum store_partner_state s)
{
	switch (s) {
	case STORE_PARTNER_OK:
		return "ok";
	case STORE_PARTNER_FAILING:
		return "failing";
	case STORE_PARTNER_HALTED:
		return "halted";
	}
	return "unknown";
}

/*
 * Copy s into out (cap bytes) with every control character replaced by
 * '?' (ascii_only: every byte that is not printable ASCII): error texts
 * come from partners' answers and go to a terminal.
 */
static void
printable(const char *s, char *out, size_t cap, int ascii_only)
{
	unsigned char c;
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < cap; i++) {
		c = (unsigned char)s[i];
		out[i] = c < 0x20 || c == 0x7f || (ascii_only && c > 0x7f) ?
		    '?' : s[i];
	}
	out[i] = '\0';
}

/* The token's first characters and "..." into out (PARTNER_TOKEN_SHOWN
 * + 4 bytes); only "..." for a token too short to show any of. */
static void
token_prefix(const char *token, char out[PARTNER_TOKEN_SHOWN + 4])
{
	size_t n = strlen(token);

	if (n < PARTNER_TOKEN_MIN)
		n = 0;
	else
		n = PARTNER_TOKEN_SHOWN;
	memcpy(out, token, n);
	memcpy(out + n, "...", 4);
}

/* ts formatted, or word when us is 0. */
static const char *
when(int64_t us, char buf[TS_BUFSZ], const char *word)
{
	if (us == 0)
		return word;
	ts_format(us, buf);
	return buf;
}

/* A new JSON string of a time, or JSON null for 0 (never). */
static json_t *
json_time(int64_t us)
{
	char ts[TS_BUFSZ];

	if (us == 0)
		return json_null();
	ts_format(us, ts);
	return json_string(ts);
}

/*
 * A new JSON string of s (made ASCII when it is not UTF-8), or null when s
 * is empty.
 */
static json_t *
json_text(const char *s)
{
	char clean[STORE_ERROR_MAX > STORE_PATH_MAX ? STORE_ERROR_MAX + 1 :
	    STORE_PATH_MAX + 1];
	json_t *j;

	if (s[0] == '\0')
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	printable(s, clean, sizeof(clean), 1);
	return json_string(clean);
}

/*
 * A new JSON object describing partner p of party: everything but the
 * token, of which only the prefix when with_token.  NULL on ERR_NOMEM.
 */
static json_t *
partner_json(const struct store_partner *p, const struct store_party *party,
    const char *pub64, int with_token)
{
	char pre[PARTNER_TOKEN_SHOWN + 4];
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s, s:o, s:o, s:o, "
	    "s:I, s:o, s:o, s:o, s:I}",
	    "name", party->name, "public_key", pub64, "url", p->url,
	    "tls_pin", p->tls_pin[0] != '\0' ? p->tls_pin : NULL,
	    "log_key", p->log_key[0] != '\0' ? p->log_key : NULL,
	    "state", state_name(p->state), "added", json_time(p->added),
	    "last_ok", json_time(p->last_ok),
	    "last_attempt", json_time(p->last_attempt),
	    "failures", (json_int_t)p->failures,
	    "backoff_until", json_time(p->backoff_until),
	    "last_error", json_text(p->last_error),
	    "evidence", json_text(p->evidence),
	    "objects_received", (json_int_t)(p->n_received > INT64_MAX ?
	    INT64_MAX : p->n_received));
	if (o == NULL)
		return NULL;
	if (with_token) {
		token_prefix(p->token, pre);
		if (json_object_set_new(o, "token_prefix",
		    json_string(pre)) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* Print j (stolen) on one line of stdout.  Exit code. */
static int
print_json(json_t *j)
{
	int rc = CLI_EXIT_ERROR;

	if (j != NULL && json_dumpf(j, stdout, JSON_COMPACT) == 0 &&
	    putchar('\n') != EOF && fflush(stdout) == 0)
		rc = CLI_EXIT_OK;
	else
		fprintf(stderr, "entente partner: cannot write the JSON "
		    "output\n");
	json_decref(j);
	return rc;
}

/* Check add's arguments (no node needed).  Exit code; fills the outs. */
static int
add_check(const struct add_args *a, char *url, size_t url_cap,
    uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES], int *plain)
{
	struct tlog_vkey vk;
	uint8_t pin[32];
	const char *why = NULL;
	size_t n;
	int loopback;

	if (!cli_party_name_ok(a->name)) {
		fprintf(stderr, "entente partner add: invalid party name '%s' "
		    "(1-%u letters, digits, space, '.', '_', '-')\n", a->name,
		    LIM_PARTY_NAME);
		return CLI_EXIT_USAGE;
	}
	if ((why = url_check(a->url, url, url_cap, plain, &loopback)) !=
	    NULL) {
		/* Not echoed: it might hold a password. */
		fprintf(stderr, "entente partner add: bad --url: %s\n", why);
		return CLI_EXIT_USAGE;
	}
	if (crypto_b64_decode(a->key, strlen(a->key), 0, pub,
	    CRYPTO_ED25519_PUBLIC_BYTES, &n) != ERR_OK ||
	    n != CRYPTO_ED25519_PUBLIC_BYTES) {
		fprintf(stderr, "entente partner add: --key must be the base64 "
		    "of a 32-byte Ed25519 public key (the partner's whoami "
		    "\"public key\")\n");
		return CLI_EXIT_USAGE;
	}
	if (a->token == NULL) {
		fprintf(stderr, "entente partner add: the token the partner's "
		    "node issued to this node is required: --token TOKEN or "
		    "$%s\n", PARTNER_TOKEN_ENV);
		return CLI_EXIT_USAGE;
	}
	if (!token_ok(a->token)) {
		/* Never echo the token, even a bad one. */
		fprintf(stderr, "entente partner add: the token is not a "
		    "bearer token (%u to %u letters, digits, '-._~+/', then "
		    "'=' padding)\n", PARTNER_TOKEN_MIN, STORE_SECRET_MAX);
		return CLI_EXIT_USAGE;
	}
	if (a->pin != NULL) {
		if (crypto_b64_decode(a->pin, strlen(a->pin), 0, pin,
		    sizeof(pin), &n) != ERR_OK || n != sizeof(pin)) {
			fprintf(stderr, "entente partner add: --tls-pin must be "
			    "the base64 of a SHA-256 (32 bytes; the partner's "
			    "whoami \"tls pin\")\n");
			return CLI_EXIT_USAGE;
		}
		if (*plain) {
			fprintf(stderr, "entente partner add: --tls-pin with an "
			    "http:// URL: there is no TLS to pin\n");
			return CLI_EXIT_USAGE;
		}
	}
	if (a->log_key != NULL) {
		if (strlen(a->log_key) > STORE_TLOG_VKEY_MAX ||
		    tlog_vkey_parse(a->log_key, strlen(a->log_key), &vk,
		    &why) != ERR_OK) {
			fprintf(stderr, "entente partner add: --log-key is not "
			    "a log verifier key (origin+keyid+base64, the "
			    "partner's whoami \"log key\"): %s\n", why != NULL ?
			    why : "too long");
			return CLI_EXIT_USAGE;
		}
		if (vk.type != TLOG_SIG_ED25519) {
			fprintf(stderr, "entente partner add: --log-key is not "
			    "an Ed25519 log key\n");
			return CLI_EXIT_USAGE;
		}
		if (!crypto_memeq(vk.pub, pub, CRYPTO_ED25519_PUBLIC_BYTES)) {
			fprintf(stderr, "entente partner add: --log-key holds "
			    "another key than --key: both must come from the "
			    "partner's whoami\n");
			return CLI_EXIT_USAGE;
		}
	}
	return CLI_EXIT_OK;
}

/*
 * Find or create party a->name with key pub, refusing this node's own
 * party and a key that another party holds.  Inside the caller's
 * transaction.  Exit code; *id and *created set on success.
 */
static int
add_party(struct store *st, const char *name,
    const uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES], int64_t *id,
    int *created)
{
	struct store_party p, *all = NULL;
	size_t n = 0;
	enum err err;
	int rc = CLI_EXIT_ERROR;

	*created = 0;
	err = store_party_by_name(st, name, &p);
	if (err == ERR_OK) {
		if (p.role == STORE_ROLE_SELF) {
			fprintf(stderr, "entente partner add: '%s' is this "
			    "node's own party: a node does not sync with "
			    "itself\n", name);
			return CLI_EXIT_ERROR;
		}
		if (!crypto_memeq(p.pubkey, pub, sizeof(p.pubkey))) {
			fprintf(stderr, "entente partner add: party '%s' exists "
			    "with another key than --key (see entente party "
			    "list); nothing changed\n", name);
			return CLI_EXIT_ERROR;
		}
		*id = p.id;
		return CLI_EXIT_OK;
	}
	if (err != ERR_NOTFOUND) {
		fprintf(stderr, "entente partner add: cannot read party '%s': "
		    "%s\n", name, err_str(err));
		return CLI_EXIT_ERROR;
	}
	if ((err = store_party_list(st, &all, &n)) != ERR_OK) {
		fprintf(stderr, "entente partner add: cannot read the parties: "
		    "%s\n", err_str(err));
		return CLI_EXIT_ERROR;
	}
	for (size_t i = 0; i < n; i++) {
		if (!crypto_memeq(all[i].pubkey, pub, sizeof(all[i].pubkey)))
			continue;
		if (all[i].role == STORE_ROLE_SELF)
			fprintf(stderr, "entente partner add: --key is this "
			    "node's own key (party '%s'): a node does not sync "
			    "with itself\n", all[i].name);
		else
			fprintf(stderr, "entente partner add: --key is the key "
			    "of party '%s': add the partner under that name\n",
			    all[i].name);
		goto out;
	}
	if ((err = store_party_add(st, name, pub, STORE_ROLE_PARTNER, id)) !=
	    ERR_OK) {
		fprintf(stderr, "entente partner add: cannot add party '%s': "
		    "%s\n", name, err_str(err));
		goto out;
	}
	*created = 1;
	rc = CLI_EXIT_OK;
out:
	free(all);
	return rc;
}

static int
partner_add(struct store *st, const struct add_args *a, const char *url,
    const uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES], int plain)
{
	int64_t id = 0;
	enum err err;
	int created = 0, rc;

	if ((err = store_begin(st)) != ERR_OK) {
		fprintf(stderr, "entente partner add: %s\n", err_str(err));
		return CLI_EXIT_ERROR;
	}
	if ((rc = add_party(st, a->name, pub, &id, &created)) != CLI_EXIT_OK)
		goto fail;
	rc = CLI_EXIT_ERROR;
	err = store_partner_add(st, id, url, a->token, a->pin != NULL ?
	    a->pin : "");
	if (err == ERR_EXISTS) {
		fprintf(stderr, "entente partner add: '%s' is already a partner "
		    "(entente partner show %s; remove it first to change "
		    "it)\n", a->name, a->name);
		rc = CLI_EXIT_EXISTS;
		goto fail;
	}
	if (err == ERR_OK && a->log_key != NULL)
		err = store_partner_set_log_key(st, id, a->log_key);
	if (err == ERR_OK)
		err = store_commit(st);
	else
		store_rollback(st);
	if (err != ERR_OK) {
		fprintf(stderr, "entente partner add: cannot record partner "
		    "'%s': %s; nothing changed\n", a->name, err_str(err));
		return CLI_EXIT_ERROR;
	}
	if (plain)
		fprintf(stderr, "entente partner add: note: http:// sends the "
		    "token and the objects in clear; accepted only because "
		    "the host is this machine (loopback)\n");
	printf("added partner '%s' (%s) at %s; TLS: %s; log key: %s\n",
	    a->name, created ? "new party" : "existing party", url,
	    plain ? "none (loopback http)" : a->pin != NULL ? "pinned" :
	    "the system's CAs", a->log_key != NULL ? "given" :
	    "learnt at the first sync");
	return CLI_EXIT_OK;
fail:
	store_rollback(st);
	return rc;
}

/* The name and base64 key of party id into party and pub64. */
static void
party_of(struct store *st, int64_t id, struct store_party *party,
    char pub64[CRYPTO_B64_LEN(32) + 1])
{
	if (store_party_get(st, id, party) != ERR_OK) {
		memset(party, 0, sizeof(*party));
		(void)snprintf(party->name, sizeof(party->name), "(party %lld)",
		    (long long)id);
	}
	if (crypto_b64_encode(party->pubkey, sizeof(party->pubkey), 0, pub64,
	    CRYPTO_B64_LEN(32) + 1) != ERR_OK)
		pub64[0] = '\0';
}

static int
partner_list(struct store *st, int json)
{
	struct store_partner *v = NULL;
	struct store_party party;
	char pub64[CRYPTO_B64_LEN(32) + 1], ts[TS_BUFSZ];
	json_t *arr = NULL;
	size_t n = 0;
	enum err err;
	int rc = CLI_EXIT_ERROR;

	if ((err = store_partner_list(st, &v, &n)) != ERR_OK) {
		fprintf(stderr, "entente partner list: cannot read the "
		    "partners: %s\n", err_str(err));
		return CLI_EXIT_ERROR;
	}
	if (json && (arr = json_array()) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		party_of(st, v[i].party_id, &party, pub64);
		if (json) {
			if (json_array_append_new(arr, partner_json(&v[i],
			    &party, pub64, 0)) != 0)
				goto out;
			continue;
		}
		printf("%-24s %-32s %-7s last sync %s, %llu objects "
		    "received\n", party.name, v[i].url,
		    state_name(v[i].state), when(v[i].last_ok, ts, "never"),
		    (unsigned long long)v[i].n_received);
	}
	if (json) {
		rc = print_json(arr);
		arr = NULL;
	} else {
		if (n == 0)
			printf("no partner: add one with entente partner "
			    "add\n");
		rc = CLI_EXIT_OK;
	}
out:
	if (rc != CLI_EXIT_OK && arr != NULL)
		fprintf(stderr, "entente partner list: out of memory\n");
	json_decref(arr);
	if (v != NULL)
		crypto_wipe(v, n * sizeof(*v));
	free(v);
	return rc;
}

/* Find partner name: exit code, *p filled (the caller wipes it). */
static int
partner_find(struct store *st, const char *cmd, const char *name,
    struct store_party *party, struct store_partner *p)
{
	enum err err;

	err = store_party_by_name(st, name, party);
	if (err == ERR_OK)
		err = store_partner_get(st, party->id, p);
	if (err == ERR_NOTFOUND) {
		fprintf(stderr, "entente partner %s: '%s' is not a partner of "
		    "this node (entente partner list)\n", cmd, name);
		return CLI_EXIT_NOTFOUND;
	}
	if (err != ERR_OK) {
		fprintf(stderr, "entente partner %s: cannot read partner "
		    "'%s': %s\n", cmd, name, err_str(err));
		return CLI_EXIT_ERROR;
	}
	return CLI_EXIT_OK;
}

static int
partner_show(struct store *st, const char *name, int json)
{
	struct store_partner p;
	struct store_party party;
	char pub64[CRYPTO_B64_LEN(32) + 1], ts[TS_BUFSZ];
	char pre[PARTNER_TOKEN_SHOWN + 4], err_text[STORE_ERROR_MAX + 1];
	char ev[STORE_PATH_MAX + 1];
	int rc;

	if ((rc = partner_find(st, "show", name, &party, &p)) != CLI_EXIT_OK)
		goto out;
	party_of(st, p.party_id, &party, pub64);
	if (json) {
		rc = print_json(partner_json(&p, &party, pub64, 1));
		goto out;
	}
	token_prefix(p.token, pre);
	printable(p.last_error, err_text, sizeof(err_text), 0);
	printable(p.evidence, ev, sizeof(ev), 0);
	if (p.state == STORE_PARTNER_HALTED)
		printf("HALTED: its log contradicted what this node saw; "
		    "evidence in %s; not synced until removed and added "
		    "again\n", ev[0] != '\0' ? ev : "(no file recorded)");
	printf("partner: %s\npublic key: %s\nurl: %s\n", party.name, pub64,
	    p.url);
	printf("tls pin: %s\n", p.tls_pin[0] != '\0' ? p.tls_pin :
	    strncmp(p.url, "http://", 7) == 0 ? "(none: loopback http)" :
	    "(none: the system's CAs)");
	printf("log key: %s\n", p.log_key[0] != '\0' ? p.log_key :
	    "(learnt at the first sync)");
	printf("token: %s\nstate: %s\n", pre, state_name(p.state));
	printf("added: %s\n", when(p.added, ts, "unknown"));
	printf("last ok: %s\n", when(p.last_ok, ts, "never"));
	printf("last attempt: %s\n", when(p.last_attempt, ts, "never"));
	printf("failures in a row: %u\n", (unsigned)p.failures);
	printf("backoff until: %s\n", when(p.backoff_until, ts, "none"));
	printf("last error: %s\n", err_text[0] != '\0' ? err_text : "none");
	printf("evidence: %s\n", ev[0] != '\0' ? ev : "none");
	printf("objects received: %llu\n", (unsigned long long)p.n_received);
	rc = CLI_EXIT_OK;
out:
	crypto_wipe(&p, sizeof(p));
	crypto_wipe(pre, sizeof(pre));
	return rc;
}

static int
partner_remove(struct store *st, const char *name)
{
	struct store_partner p;
	struct store_party party;
	char ev[STORE_PATH_MAX + 1];
	enum err err;
	int rc;

	if ((rc = partner_find(st, "remove", name, &party, &p)) != CLI_EXIT_OK)
		goto out;
	printable(p.evidence, ev, sizeof(ev), 0);
	err = store_partner_remove(st, party.id);
	if (err == ERR_NOTFOUND) {
		fprintf(stderr, "entente partner remove: '%s' is not a partner "
		    "of this node\n", name);
		rc = CLI_EXIT_NOTFOUND;
		goto out;
	}
	if (err != ERR_OK) {
		fprintf(stderr, "entente partner remove: cannot remove '%s': "
		    "%s\n", name, err_str(err));
		rc = CLI_EXIT_ERROR;
		goto out;
	}
	printf("removed partner '%s' (the party and its agreements stay)\n",
	    name);
	if (ev[0] != '\0')
		printf("its evidence file stays: %s\n", ev);
	rc = CLI_EXIT_OK;
out:
	crypto_wipe(&p, sizeof(p));
	return rc;
}

int
cmd_partner(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "url", required_argument, NULL, OPT_URL },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "token", required_argument, NULL, OPT_TOKEN },
		{ "tls-pin", required_argument, NULL, OPT_TLS_PIN },
		{ "log-key", required_argument, NULL, OPT_LOG_KEY },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = CLI_DEFAULT_DIR, *sub;
	char url[STORE_URL_MAX + 1];
	uint8_t pub[CRYPTO_ED25519_PUBLIC_BYTES];
	struct add_args a;
	struct store *st = NULL;
	int c, json = 0, add_opts = 0, plain = 0, rc;

	memset(&a, 0, sizeof(a));
	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_URL:
			a.url = optarg;
			add_opts = 1;
			break;
		case OPT_KEY:
			a.key = optarg;
			add_opts = 1;
			break;
		case OPT_TOKEN:
			a.token = optarg;
			add_opts = 1;
			break;
		case OPT_TLS_PIN:
			a.pin = optarg;
			add_opts = 1;
			break;
		case OPT_LOG_KEY:
			a.log_key = optarg;
			add_opts = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_HELP:
			partner_usage(stdout);
			return CLI_EXIT_OK;
		default:
			partner_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		partner_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	sub = argv[optind++];
	if (strcmp(sub, "add") != 0 && strcmp(sub, "list") != 0 &&
	    strcmp(sub, "show") != 0 && strcmp(sub, "remove") != 0) {
		fprintf(stderr, "entente partner: unknown subcommand '%s'\n",
		    sub);
		partner_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (argc - optind != (strcmp(sub, "list") == 0 ? 0 : 1)) {
		fprintf(stderr, "entente partner %s: %s\n", sub,
		    strcmp(sub, "list") == 0 ? "takes no operand" :
		    "takes one party name");
		partner_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if ((add_opts && strcmp(sub, "add") != 0) ||
	    (json && strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0)) {
		fprintf(stderr, "entente partner %s: %s is not an option of "
		    "this subcommand\n", sub, json && !add_opts ? "--json" :
		    "--url, --key, --token, --tls-pin or --log-key");
		return CLI_EXIT_USAGE;
	}
	if (strcmp(sub, "add") == 0) {
		a.name = argv[optind];
		if (a.url == NULL || a.key == NULL) {
			fprintf(stderr, "entente partner add: --url and --key "
			    "are required\n");
			return CLI_EXIT_USAGE;
		}
		if (a.token == NULL)
			a.token = getenv(PARTNER_TOKEN_ENV);
		if ((rc = add_check(&a, url, sizeof(url), pub, &plain)) !=
		    CLI_EXIT_OK)
			return rc;
	}
	if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
		return rc;
	if (strcmp(sub, "add") == 0)
		rc = partner_add(st, &a, url, pub, plain);
	else if (strcmp(sub, "list") == 0)
		rc = partner_list(st, json);
	else if (strcmp(sub, "show") == 0)
		rc = partner_show(st, argv[optind], json);
	else
		rc = partner_remove(st, argv[optind]);
	store_close(st);
	return rc;
}
