/*
 * cmd_whoami.c: `entente whoami` prints this node's party name, its
 * Ed25519 public key (base64), its STIX identity, the default TLP of
 * unmarked objects, and the keys partners pin (log, TLS).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "crypto/crypto.h"
#include "policy/agreement.h"
#include "policy/node.h"
#include "tlog/note.h"
#include "util/buf.h"

static void
whoami_usage(FILE *f)
{
	fprintf(f, "usage: entente whoami [--dir DIR] [--json]\n\n"
	    "Print this node's party name, Ed25519 public key (base64), its\n"
	    "STIX identity (identity--UUIDv5 of the key, the created_by_ref\n"
	    "of what it produces), the TLP assumed for unmarked objects, the\n"
	    "C2SP verifier key of its transparency log (name+keyid+base64),\n"
	    "which partners give to 'entente log verify --key', and the pin\n"
	    "of its TLS certificate (base64 SHA-256 of the public key).\n");
}

/*
 * The node's default TLP (meta NODE_META_DEFAULT_TLP, "amber" when unset)
 * into out; out is "" when the setting is not a TLP level's name.
 */
static enum err
default_tlp(struct store *st, char *out, size_t cap)
{
	const char *name;
	char *v = NULL;
	size_t n = 0;
	enum err err;
	int t;

	out[0] = '\0';
	err = store_meta_get(st, NODE_META_DEFAULT_TLP, &v, &n);
	if (err == ERR_NOTFOUND) {
		(void)snprintf(out, cap, "amber");
		return ERR_OK;
	}
	if (err != ERR_OK)
		return err;
	for (t = AGREEMENT_TLP_CLEAR; t <= AGREEMENT_TLP_RED; t++) {
		name = agreement_tlp_name((enum agreement_tlp)t);
		if (n == strlen(name) && memcmp(v, name, n) == 0)
			(void)snprintf(out, cap, "%s", name);
	}
	free(v);
	return ERR_OK;
}

int
cmd_whoami(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = CLI_DEFAULT_DIR;
	char pub64[CRYPTO_B64_LEN(32) + 1];
	struct store_party self;
	char origin[TLOG_NOTE_NAME_MAX + 1], path[4096];
	char pin[CRYPTO_TLS_PIN_LEN + 1], tlp[16];
	char ident[AGREEMENT_IDENTITY_LEN + 1];
	struct tlog_vkey vk;
	struct buf vkey;
	struct store *st = NULL;
	enum err err;
	int c, json = 0, rc;

	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_HELP:
			whoami_usage(stdout);
			return CLI_EXIT_OK;
		default:
			whoami_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		whoami_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
		return rc;
	buf_init(&vkey, TLOG_VKEY_MAX_LEN + 1);
	rc = CLI_EXIT_ERROR;
	if (store_party_self(st, &self) != ERR_OK) {
		fprintf(stderr, "entente whoami: the node has no party\n");
		goto out;
	}
	if (crypto_b64_encode(self.pubkey, sizeof(self.pubkey), 0, pub64,
	    sizeof(pub64)) != ERR_OK)
		goto out;
	if ((err = cli_log_origin(st, origin, sizeof(origin))) != ERR_OK ||
	    (err = tlog_vkey_init(&vk, origin, strlen(origin),
	    TLOG_SIG_ED25519, self.pubkey)) != ERR_OK ||
	    (err = tlog_vkey_format(&vk, &vkey)) != ERR_OK ||
	    (err = buf_addc(&vkey, '\0')) != ERR_OK) {
		fprintf(stderr, "entente whoami: cannot make the log's verifier "
		    "key: %s\n", err_str(err));
		goto out;
	}
	agreement_identity_id(self.pubkey, ident);
	if ((err = default_tlp(st, tlp, sizeof(tlp))) != ERR_OK) {
		fprintf(stderr, "entente whoami: cannot read the default TLP: "
		    "%s\n", err_str(err));
		goto out;
	}
	if (tlp[0] == '\0')
		fprintf(stderr, "entente whoami: the node's %s setting is not "
		    "a TLP level\n", NODE_META_DEFAULT_TLP);
	if (cli_path(path, sizeof(path), dir, NODE_TLS_CERT_FILE) != ERR_OK ||
	    crypto_tls_pin(path, pin) != ERR_OK)
		pin[0] = '\0';
	/* Names, origins, keys, ids, TLP names and pins hold no character
	 * JSON escapes. */
	if (json)
		printf("{\"name\":\"%s\",\"public_key\":\"%s\","
		    "\"identity\":\"%s\",\"default_tlp\":%s%s%s,"
		    "\"log_origin\":\"%s\",\"log_key\":\"%s\","
		    "\"tls_pin\":\"%s\"}\n", self.name, pub64, ident,
		    tlp[0] != '\0' ? "\"" : "", tlp[0] != '\0' ? tlp : "null",
		    tlp[0] != '\0' ? "\"" : "", origin, vkey.ptr, pin);
	else
		printf("party: %s\npublic key: %s\nidentity: %s\n"
		    "default tlp: %s\nlog origin: %s\nlog key: %s\n"
		    "tls pin: %s\n", self.name, pub64, ident,
		    tlp[0] != '\0' ? tlp : "(invalid setting)", origin,
		    vkey.ptr, pin[0] != '\0' ? pin : "(no certificate)");
	rc = CLI_EXIT_OK;
out:
	buf_reset(&vkey);
	store_close(st);
	return rc;
}
