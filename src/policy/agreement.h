/*
 * agreement.h: agreement documents and termination records.
 *
 * An agreement is a JSON document between two or more parties, each named
 * by an Ed25519 public key, that says what each party shares with whom
 * (clauses `share`, with TLP 2.0 limits and onward sharing), how fast
 * requests for assistance are answered, which assets are under a pledge
 * not to attack them, and how long received objects are kept.  Every party
 * signs the SHA-256 of the RFC 8785 form of the document without its
 * `signatures` member.  A termination record ends an agreement; one party
 * signs it the same way.  docs/agreements.md specifies both formats, their
 * STIX 2.1 form (new-sdo extension types) and the policy built on them.
 *
 * This module parses strictly (unknown members refused, every limit
 * below enforced), reports every problem it finds by name, signs and
 * verifies, and converts to and from STIX.  It does no I/O and keeps no
 * global state; it knows nothing of the store, the node or HTTP.
 */
#ifndef ENTENTE_POLICY_AGREEMENT_H
#define ENTENTE_POLICY_AGREEMENT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "crypto/crypto.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/uuid.h"

/* Limits on agreement documents (all inclusive). */
#define AGREEMENT_MAX_BYTES		(256u * 1024u)	/* document text */
#define AGREEMENT_MAX_PARTIES		32u
#define AGREEMENT_MAX_SHARE		128u	/* share clauses */
#define AGREEMENT_MAX_LIST		64u	/* items of any list */
#define AGREEMENT_MAX_NAME		LIM_PARTY_NAME
#define AGREEMENT_MAX_TITLE		LIM_TITLE
#define AGREEMENT_MAX_CONTACT		256u
#define AGREEMENT_MAX_LABEL		128u
#define AGREEMENT_MAX_COLLECTION	64u
#define AGREEMENT_MAX_SECTOR		64u
#define AGREEMENT_MAX_DOMAIN		253u
#define AGREEMENT_MAX_CIDR		49u	/* IPv6 text + "/128" */
#define AGREEMENT_MAX_TEXT		LIM_DESCRIPTION	/* pledge, reason */
#define AGREEMENT_MAX_DURATION		40u	/* ISO 8601 text */
#define AGREEMENT_MAX_DURATION_FIELD	999999u	/* any one number */
#define AGREEMENT_MAX_VERSION		UINT32_MAX

/* "agreement--" and a lower-case UUID. */
#define AGREEMENT_ID_PREFIX		"agreement--"
#define AGREEMENT_ID_LEN		(11 + UUID_STRLEN)
/* "identity--" and a UUID: a party's STIX identity. */
#define AGREEMENT_IDENTITY_LEN		(10 + UUID_STRLEN)
/* Standard base64 of a public key (with padding) and of a signature. */
#define AGREEMENT_KEY_B64_LEN	CRYPTO_B64_LEN(CRYPTO_ED25519_PUBLIC_BYTES)
#define AGREEMENT_SIG_B64_LEN		CRYPTO_B64_LEN(CRYPTO_ED25519_SIG_BYTES)

/* STIX 2.1 form (docs/agreements.md, "STIX mapping"). */
#define AGREEMENT_STIX_TYPE		"entente-agreement"
#define AGREEMENT_STIX_TERM_TYPE	"entente-termination"
#define AGREEMENT_STIX_EXT \
	"extension-definition--a140db56-93b8-480e-bd9b-8800801a9105"
#define AGREEMENT_STIX_TERM_EXT \
	"extension-definition--43a24ddb-fa50-43d9-8a74-f796e5a3ae78"
/* The namespace of every UUIDv5 entente derives (identities, STIX ids). */
#define AGREEMENT_UUID_NAMESPACE	"d894b2ce-9dca-470f-ab18-a059b097ef14"

/* TLP 2.0 levels, in increasing order of restriction.  NONE marks an
 * object without a TLP marking; it is never a clause's tlp_max. */
enum agreement_tlp {
	AGREEMENT_TLP_NONE = 0,
	AGREEMENT_TLP_CLEAR,
	AGREEMENT_TLP_GREEN,
	AGREEMENT_TLP_AMBER,
	AGREEMENT_TLP_AMBER_STRICT,
	AGREEMENT_TLP_RED
};

/* Onward sharing, in increasing order of permission. */
enum agreement_onward {
	AGREEMENT_ONWARD_NONE = 0,
	AGREEMENT_ONWARD_PARTIES,
	AGREEMENT_ONWARD_ANY
};

/* `to` of a share clause when it is "*": every party but `from`. */
#define AGREEMENT_TO_ALL	((size_t)-1)

/*
 * A problem list: what a parse or a verification found wrong, one line
 * each, naming the member ("clauses.share[2].to: ...").  Up to
 * AGREEMENT_REPORT_MAX lines are kept; n_more counts the rest.
 */
#define AGREEMENT_REPORT_MAX	32u
#define AGREEMENT_REASON_MAX	240u
struct agreement_report {
	size_t	n;
	size_t	n_more;
	char	msg[AGREEMENT_REPORT_MAX][AGREEMENT_REASON_MAX];
};

/* An ISO 8601 duration, PnYnMnDTnHnMnS or PnW, whole numbers only. */
struct agreement_duration {
	uint32_t	years, months, weeks, days;
	uint32_t	hours, minutes, seconds;
};

/* A list of strings; strings are borrowed from the document. */
struct agreement_list {
	const char	**v;
	size_t		  n;
	int		  any;	/* the list is ["*"] */
};

struct agreement_party {
	const char	*name;
	const char	*contact;
	uint8_t		 key[CRYPTO_ED25519_PUBLIC_BYTES];
	char		 identity[AGREEMENT_IDENTITY_LEN + 1];
};

struct agreement_share {
	size_t			from;		/* index into parties */
	size_t			to;		/* index, or AGREEMENT_TO_ALL */
	struct agreement_list	types;		/* any: every type */
	struct agreement_list	labels_any;	/* n == 0: no condition */
	struct agreement_list	collections;	/* any: every collection */
	enum agreement_tlp	tlp_max;
	enum agreement_onward	onward;
};

struct agreement_protected {
	size_t			party;		/* index into parties */
	struct agreement_list	cidrs, domains, sectors;
	const char		*pledge;
};

struct agreement_signature {
	uint8_t	key[CRYPTO_ED25519_PUBLIC_BYTES];
	uint8_t	sig[CRYPTO_ED25519_SIG_BYTES];
};

/*
 * A parsed agreement.  Strings point into the document tree the struct
 * owns, and live as long as it does.  Signatures are kept in the order of
 * the parties who made them.
 */
struct agreement {
	char				 id[AGREEMENT_ID_LEN + 1];
	uint32_t			 version;
	const char			*title;
	int64_t				 valid_from;	/* us since epoch */
	int64_t				 valid_until;	/* us, > valid_from */
	struct agreement_party		*parties;
	size_t				 n_parties;
	struct agreement_share		*share;
	size_t				 n_share;
	int				 has_assistance;
	struct agreement_duration	 acknowledge_within;
	struct agreement_duration	 answer_within;
	struct agreement_protected	*protect;
	size_t				 n_protect;
	int				 has_retention;
	struct agreement_duration	 keep_for;
	struct agreement_signature	*sigs;
	size_t				 n_sigs;
	/* SHA-256 of the RFC 8785 form without `signatures`: what is signed. */
	uint8_t				 hash[CRYPTO_SHA256_BYTES];
	json_t				*body_;		/* private */
};

/* A termination record: one party ends an agreement at a time. */
struct agreement_termination {
	char		 agreement_id[AGREEMENT_ID_LEN + 1];
	uint32_t	 version;
	uint8_t		 party[CRYPTO_ED25519_PUBLIC_BYTES];
	int64_t		 time;		/* us: the agreement ends then */
	const char	*reason;	/* borrowed from the record's tree */
	int		 is_signed;
	uint8_t		 sig[CRYPTO_ED25519_SIG_BYTES];
	uint8_t		 hash[CRYPTO_SHA256_BYTES];	/* what is signed */
	json_t		*body_;		/* private */
};

/* Empty r.  Can't fail. */
void agreement_report_init(struct agreement_report *r);

/*
 * Parse and validate the agreement document text[0..len).  On success *out
 * is a new agreement the caller frees with agreement_free().  Every problem
 * found is added to rep (may be NULL), not only the first.  ERR_TOOBIG for
 * a text over AGREEMENT_MAX_BYTES, ERR_PARSE for text that is not one JSON
 * object (duplicate member names included), ERR_INVALID for a document
 * with problems, ERR_NOMEM.  On error *out is NULL.  Signatures are read
 * but not checked: see agreement_verify().
 */
enum err agreement_parse(const char *text, size_t len, struct agreement **out,
    struct agreement_report *rep) WUR;
/* The same for a document already parsed by jansson (borrowed). */
enum err agreement_from_json(const json_t *doc, struct agreement **out,
    struct agreement_report *rep) WUR;
/* Free a.  agreement_free(NULL) does nothing. */
void agreement_free(struct agreement *a);

/*
 * The document as JSON: the members as parsed (in their order), then
 * `signatures` when there is at least one.  *out is a new reference.
 * ERR_NOMEM (*out NULL).
 */
enum err agreement_to_json(const struct agreement *a, json_t **out) WUR;

/*
 * Sign a with the Ed25519 seed: the signature of the party whose key the
 * seed gives replaces any it had.  ERR_NOTFOUND when that key is no
 * party's (a unchanged), ERR_NOMEM.
 */
enum err agreement_sign(struct agreement *a,
    const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES]) WUR;

/* agreement_verify flags. */
#define AGREEMENT_VERIFY_PARTIAL	0x1	/* unsigned parties are fine */
#define AGREEMENT_VERIFY_NO_WINDOW	0x2	/* do not look at now */

/*
 * Check every signature of a and, unless told otherwise by flags, that
 * every party signed and that valid_from <= now < valid_until.  Every
 * failure is added to rep (may be NULL).  ERR_OK when all holds,
 * ERR_CRYPTO when a signature does not verify, else ERR_INVALID.
 */
enum err agreement_verify(const struct agreement *a, int64_t now,
    unsigned flags, struct agreement_report *rep) WUR;

/* Index of the party with key in a, or -1.  Can't fail. */
long agreement_party_find(const struct agreement *a,
    const uint8_t key[CRYPTO_ED25519_PUBLIC_BYTES]);

/*
 * The STIX identity id of the party with this public key:
 * "identity--" and the UUIDv5 (RFC 4122) of the standard base64 of the
 * key in namespace AGREEMENT_UUID_NAMESPACE.  Can't fail.
 */
void agreement_identity_id(const uint8_t key[CRYPTO_ED25519_PUBLIC_BYTES],
    char out[AGREEMENT_IDENTITY_LEN + 1]);

/*
 * STIX 2.1 form of a: an `entente-agreement` object (new-sdo extension)
 * holding the whole document (with signatures) in `document`.  *out is a
 * new reference.  ERR_NOMEM.
 */
enum err agreement_to_stix(const struct agreement *a, json_t **out) WUR;
/*
 * Read an `entente-agreement` object (borrowed): exactly the members
 * agreement_to_stix writes, with the id, times and extension it would
 * write for the document inside.  Results and errors as agreement_parse.
 */
enum err agreement_from_stix(const json_t *obj, struct agreement **out,
    struct agreement_report *rep) WUR;

/*
 * A new unsigned termination of a by the party with key, ending it at time
 * (us) for reason (1 to AGREEMENT_MAX_TEXT bytes of UTF-8 without control
 * characters but tab and newline; copied).  ERR_NOTFOUND when key is no
 * party's, ERR_INVALID for a bad reason or time, ERR_NOMEM.  The caller
 * frees *out with agreement_termination_free().
 */
enum err agreement_termination_new(const struct agreement *a,
    const uint8_t key[CRYPTO_ED25519_PUBLIC_BYTES], int64_t time,
    const char *reason, struct agreement_termination **out,
    struct agreement_report *rep) WUR;
/* Parse a termination record; results and errors as agreement_parse. */
enum err agreement_termination_parse(const char *text, size_t len,
    struct agreement_termination **out, struct agreement_report *rep) WUR;
enum err agreement_termination_from_json(const json_t *doc,
    struct agreement_termination **out, struct agreement_report *rep) WUR;
void agreement_termination_free(struct agreement_termination *t);
/* The record as JSON, with `signature` once signed.  *out is new. */
enum err agreement_termination_to_json(const struct agreement_termination *t,
    json_t **out) WUR;
/* Sign t.  ERR_FORBIDDEN when the seed is not the key of t->party. */
enum err agreement_termination_sign(struct agreement_termination *t,
    const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES]) WUR;
/*
 * Check t's signature and, when a is not NULL, that t names a (id and
 * version) and that t->party is one of a's parties.  Every failure goes to
 * rep.  ERR_OK, ERR_CRYPTO (missing or bad signature) or ERR_INVALID.
 */
enum err agreement_termination_verify(const struct agreement_termination *t,
    const struct agreement *a, struct agreement_report *rep) WUR;
/* STIX form of t (`entente-termination`); *out is new.  ERR_NOMEM. */
enum err agreement_termination_to_stix(const struct agreement_termination *t,
    json_t **out) WUR;
/* Read the STIX form (borrowed); as agreement_from_stix. */
enum err agreement_termination_from_stix(const json_t *obj,
    struct agreement_termination **out, struct agreement_report *rep) WUR;

/*
 * Parse the ISO 8601 duration s[0..len): "P", then years, months, days
 * ("nY", "nM", "nD", in that order, each optional), then optionally "T"
 * and hours, minutes, seconds ("nH", "nM", "nS"); or "PnW" alone.  Whole
 * numbers of at most AGREEMENT_MAX_DURATION_FIELD, upper-case designators,
 * at least one component, not all zero.  ERR_PARSE otherwise, *out
 * zeroed.
 */
enum err agreement_duration_parse(const char *s, size_t len,
    struct agreement_duration *out) WUR;
/*
 * t (us) plus d: years and months on the calendar (the day clamped to the
 * month's last), then weeks, days, hours, minutes and seconds as exact
 * lengths (UTC has no leap seconds here).  ERR_RANGE when the result is
 * past year 9999 (*out untouched).
 */
enum err agreement_duration_add(const struct agreement_duration *d,
    int64_t t, int64_t *out) WUR;

/*
 * The forms of the protected clause's assets, as the parser checks them
 * (docs/agreements.md, "protected"): a canonical ADDRESS/PREFIX block, a
 * lower-case DNS name of two or more labels, a sector name.  1 when s[0..
 * len) is one, else 0.  agreement_cidr_problem says what is wrong (NULL
 * when fine).  Can't fail.
 */
int agreement_cidr_ok(const char *s, size_t len);
const char *agreement_cidr_problem(const char *s, size_t len);
int agreement_domain_ok(const char *s, size_t len);
int agreement_sector_ok(const char *s, size_t len);
/*
 * 1 when s[0..len) is at most max bytes, has no NUL and no control
 * character (tab and newline allowed when multiline), else 0.  The UTF-8
 * is not checked here (jansson has).  Can't fail.
 */
int agreement_text_ok(const char *s, size_t len, size_t max, int multiline);

/* "clear", "green", "amber", "amber+strict", "red" ("none" for NONE). */
const char *agreement_tlp_name(enum agreement_tlp t);
/* "none", "parties", "any". */
const char *agreement_onward_name(enum agreement_onward o);

#endif
