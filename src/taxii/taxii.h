/*
 * taxii.h: TAXII 2.1 resources (OASIS TAXII 2.1 CS01) over the store.
 *
 * The HTTP layer authenticates the party, checks media types and hands a
 * parsed request to taxii_handle(), which routes it, applies TAXII filters,
 * pagination and permissions, and writes the response body.  This layer
 * knows nothing of libmicrohttpd, sockets or TLS; it must never write an
 * HTTP status for an error itself: it returns an enum err and a detail
 * message, and http/errmap.c turns that into a status and a TAXII error.
 */
#ifndef ENTENTE_TAXII_TAXII_H
#define ENTENTE_TAXII_TAXII_H

#include <stddef.h>
#include <stdint.h>

#include "policy/node.h"
#include "store/store.h"
#include "tlog/writer.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/timeutil.h"

#define TAXII_MEDIA_TYPE	"application/taxii+json;version=2.1"
#define STIX_MEDIA_TYPE		"application/stix+json;version=2.1"
#define TAXII_API_ROOT_PATH	"/taxii2/api/"
#define TAXII_CURSOR_KEY_BYTES	32

enum taxii_method {
	TAXII_GET = 0,
	TAXII_HEAD,
	TAXII_POST,
	TAXII_DELETE,
	TAXII_OTHER
};

/* One query parameter, as decoded by the HTTP layer (borrowed). */
struct taxii_param {
	const char	*key;
	const char	*value;
};

/* What the node tells every request (borrowed for the call). */
struct taxii_ctx {
	struct store			*st;
	const struct store_party	*party;	/* authenticated caller */
	const char			*base_url; /* "https://host:port" */
	const uint8_t			*cursor_key; /* TAXII_CURSOR_KEY_BYTES */
	const char			*title;	/* node title for discovery */
	struct tlog_writer		*log;	/* logs deliveries; NULL: none
						 * (commands, not the server) */
	struct node_policy		*policy; /* the agreements in force;
						 * NULL: partners get nothing */
	/* Set by taxii_handle()/taxii_receive(), not by the caller. */
	const struct policy		*pol;	/* NULL: deny partners */
	int64_t				 now;	/* the request's decision time */
	struct taxii_pull		*pull;	/* receiving a pulled page */
};

struct taxii_req {
	enum taxii_method	 method;
	const char		*path;	/* decoded path, starts with '/' */
	const struct taxii_param *params;
	size_t			 n_params;
	const char		*body;	/* POST only; may be NULL */
	size_t			 body_len;
};

struct taxii_resp {
	int	 status;		/* 200 or 202 on success */
	struct buf body;		/* JSON; caller initializes and frees */
	int	 has_dates;		/* send X-TAXII-Date-Added-* */
	char	 date_first[TS_BUFSZ];
	char	 date_last[TS_BUFSZ];
	char	 msg[256];		/* error detail on failure */
	const char *allow;		/* methods allowed, for ERR_METHOD */
	const char *content_type;	/* NULL: TAXII_MEDIA_TYPE */
	int	 has_delivery;		/* objects released to a partner: */
	uint64_t delivery_index;	/* the delivery's leaf in the log */
	int64_t	 delivery_time;		/* and the time it records (us) */
};

/*
 * Handle req for ctx.  On success return ERR_OK with resp->status and
 * resp->body set.  On failure return the error (ERR_PARSE: bad request,
 * ERR_INVALID: unprocessable, ERR_NOTFOUND, ERR_FORBIDDEN, ERR_TOOBIG,
 * ERR_METHOD, ERR_DB, ...) with resp->msg describing it; resp->body is then
 * empty.  resp must have been prepared with taxii_resp_init().
 */
enum err taxii_handle(const struct taxii_ctx *ctx, const struct taxii_req *req,
    struct taxii_resp *resp) WUR;

/*
 * The transparency log's resources under /entente/v1/log/ (logapi.c,
 * docs/log.md): taxii_handle() routes them there.  They answer text/plain
 * or application/json (resp->content_type), not TAXII media types, so the
 * HTTP layer skips its TAXII media type checks for paths for which
 * taxii_is_log_path() is 1.
 */
int taxii_is_log_path(const char *path);
enum err taxii_log_handle(const struct taxii_ctx *ctx,
    const struct taxii_req *req, struct taxii_resp *resp) WUR;

/*
 * One page of objects pulled by sync from a partner's node (docs/sync.md),
 * to store as if that partner had posted it, with three differences: each
 * object is judged by policy_receive (a clause from the partner to this
 * node's party must cover it; it may have been produced by another party,
 * named by its created_by_ref), no status resource is written, and in the
 * same transaction as the objects the pull's cursor is saved and the
 * delivery leaf the partner's log holds for this page is recorded in
 * tlog_received, so a restart resumes exactly after what was stored and
 * the next log verification proves that leaf included.
 */
struct taxii_pull {
	const char	*remote_coll;	/* the partner's collection id */
	int64_t		 cursor;	/* date added of the page's last row */
	const char	*vkey;		/* the partner log's verifier key */
	int		 has_delivery;	/* the page came with its leaf: */
	uint64_t	 leaf_index;	/* Entente-Delivery-Leaf */
	int64_t		 delivery_time;	/* Entente-Delivery-Time (us) */
	uint8_t		 recipient[32];	/* this node's party key */
	uint8_t		 leaf_hash[32];	/* out: the leaf's RFC 6962 hash */
	/* Results. */
	size_t		 n_added, n_dup, n_refused;
	char		 refusal[256];	/* the first refusal's reason */
};

/*
 * Store the envelope body[0..len), pulled from the partner ctx->party,
 * into coll as above.  ERR_OK even when objects were refused (counted in
 * pull); errors as POST objects, nothing stored then.
 */
enum err taxii_receive(const struct taxii_ctx *ctx,
    const struct store_collection *coll, const char *body, size_t len,
    struct taxii_pull *pull, struct taxii_resp *resp) WUR;

/*
 * What a client needs of a page it received, without parsing its objects:
 * "more", "next" and the number of objects.  0 on success; -1 when the
 * body is not a plain envelope the scanner vouches for (then parse it with
 * jansson).  m is zeroed first.
 */
struct taxii_envelope_meta {
	int	more;
	char	next[LIM_CURSOR_BYTES + 1];
	size_t	n_objects;
};
int taxii_envelope_info(const char *p, size_t n,
    struct taxii_envelope_meta *m);

void taxii_resp_init(struct taxii_resp *resp);
void taxii_resp_free(struct taxii_resp *resp);

/* Query filters of one TAXII request, parsed and bounded. */
struct taxii_filter {
	const char	*ids[LIM_MATCH_VALUES];
	size_t		 n_ids;
	const char	*types[LIM_MATCH_VALUES];
	size_t		 n_types;
	unsigned	 ver_flags;	/* STORE_VER_*; 0 = default (last) */
	int64_t		 versions[LIM_MATCH_VALUES];
	size_t		 n_versions;
	int		 spec_21;	/* 2.1 requested (or default) */
	int64_t		 added_after;	/* 0: none */
	size_t		 limit;
	const char	*next;		/* NULL: none */
	char		*mem;		/* owns the split strings */
};

/* Which parameters an endpoint accepts. */
#define TAXII_P_ID	0x01
#define TAXII_P_TYPE	0x02
#define TAXII_P_VERSION	0x04
#define TAXII_P_SPEC	0x08
#define TAXII_P_AFTER	0x10
#define TAXII_P_LIMIT	0x20
#define TAXII_P_NEXT	0x40

/*
 * Parse params into f, accepting only the parameters in allowed (others are
 * ignored, as TAXII lets servers ignore filters they do not support, except
 * a known parameter given twice, which is ERR_PARSE).  Bad values are
 * ERR_PARSE with msg (msg_cap bytes) naming the parameter.  f must be freed
 * with taxii_filter_free() whatever the result.
 */
enum err taxii_filter_parse(const struct taxii_param *params, size_t n,
    unsigned allowed, struct taxii_filter *f, char *msg,
    size_t msg_cap) WUR;
void taxii_filter_free(struct taxii_filter *f);

/*
 * Opaque, tamper-proof pagination cursor: the date added of the last row
 * returned and a digest of the query it belongs to, authenticated with
 * HMAC-SHA-256 under the node's cursor key.  It needs no server memory and
 * survives restarts.  The encoded form is base64url, TAXII_CURSOR_LEN chars.
 */
#define TAXII_CURSOR_LEN	55
enum err taxii_cursor_make(const uint8_t key[TAXII_CURSOR_KEY_BYTES],
    const uint8_t query_digest[16], int64_t last_date_added,
    char out[TAXII_CURSOR_LEN + 1]) WUR;
/* ERR_PARSE when s is not a cursor of this node for this query. */
enum err taxii_cursor_check(const uint8_t key[TAXII_CURSOR_KEY_BYTES],
    const uint8_t query_digest[16], const char *s,
    int64_t *last_date_added) WUR;

#endif
