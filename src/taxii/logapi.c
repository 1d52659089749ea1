/*
 * logapi.c: the transparency log over HTTP, under /entente/v1/log/
 * (docs/log.md, "HTTP").  Not part of TAXII: checkpoints are text/plain
 * signed notes as C2SP specifies them, proofs and leaves are JSON.
 *
 *   GET  checkpoint               latest checkpoint with its cosignatures
 *   GET  checkpoint/SIZE          the checkpoint issued at SIZE
 *   GET  proof/inclusion?size=S&index=I | &hash=H
 *   GET  proof/consistency?size1=A&size2=B
 *   GET  leaves?start=A&end=B     at most LIM_PAGE_MAX leaves, B exclusive
 *   POST cosignature              a C2SP cosignature of one checkpoint
 *
 * Sizes default to the latest checkpoint's: proofs are meant to be checked
 * against a signed checkpoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "taxii/taxii_int.h"
#include "tlog/merkle.h"
#include "tlog/tree.h"
#include "util/timeutil.h"

#define LOG_PREFIX	"/entente/v1/log/"
#define TEXT_PLAIN	"text/plain; charset=utf-8"
#define JSON_TYPE	"application/json"

/* The value of parameter key, or NULL; ERR_PARSE when given twice. */
static enum err
param(const struct taxii_req *req, const char *key, const char **out,
    struct taxii_resp *resp)
{
	*out = NULL;
	for (size_t i = 0; i < req->n_params; i++) {
		if (strcmp(req->params[i].key, key) != 0)
			continue;
		if (*out != NULL)
			return taxii_fail(resp, ERR_PARSE, "%s given twice",
			    key);
		*out = req->params[i].value;
	}
	return ERR_OK;
}

/* A decimal number without sign or leading zero, below 2^48. */
static enum err
parse_num(const char *s, const char *what, uint64_t *out,
    struct taxii_resp *resp)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 16; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (i == 0 || s[i] != '\0' || (s[0] == '0' && i > 1) ||
	    v >= STORE_TLOG_MAX_INDEX)
		return taxii_fail(resp, ERR_PARSE, "%s: expected a decimal "
		    "number below 2^48", what);
	*out = v;
	return ERR_OK;
}

/*
 * Parameter key as a number.  When absent: ERR_PARSE unless latest, which
 * takes the latest checkpoint's size (read only then).
 */
static enum err
num_param(const struct taxii_ctx *ctx, const struct taxii_req *req,
    const char *key, int latest, uint64_t *out, struct taxii_resp *resp)
{
	struct store_tlog_cp cp;
	const char *v;
	enum err err;

	if ((err = param(req, key, &v, resp)) != ERR_OK)
		return err;
	if (v != NULL)
		return parse_num(v, key, out, resp);
	if (!latest)
		return taxii_fail(resp, ERR_PARSE, "%s is required", key);
	err = store_tlog_cp_get(ctx->st, STORE_TLOG_LATEST, &cp, NULL);
	if (err == ERR_NOTFOUND)
		return taxii_fail(resp, ERR_NOTFOUND, "no checkpoint issued "
		    "yet");
	if (err != ERR_OK)
		return taxii_fail(resp, err, "cannot read the log");
	*out = cp.size;
	return ERR_OK;
}

/* Append "key":"base64(h)". */
static enum err
add_hash(struct buf *b, const char *key, const uint8_t h[TLOG_HASH_BYTES])
{
	char s[CRYPTO_B64_LEN(TLOG_HASH_BYTES) + 1];
	enum err err;

	if ((err = crypto_b64_encode(h, TLOG_HASH_BYTES, 0, s, sizeof(s))) !=
	    ERR_OK)
		return err;
	if (key == NULL)
		return buf_addf(b, "\"%s\"", s);
	return buf_addf(b, "\"%s\":\"%s\"", key, s);
}

/* Append "hashes":[...]. */
static enum err
add_hashes(struct buf *b, const uint8_t (*h)[TLOG_HASH_BYTES], size_t n)
{
	enum err err = buf_addstr(b, "\"hashes\":[");

	for (size_t i = 0; err == ERR_OK && i < n; i++) {
		if (i > 0)
			err = buf_addc(b, ',');
		if (err == ERR_OK)
			err = add_hash(b, NULL, h[i]);
	}
	return err == ERR_OK ? buf_addc(b, ']') : err;
}

/* A leaf hash given as 64 hex digits or standard base64. */
static enum err
parse_hash(const char *s, uint8_t out[TLOG_HASH_BYTES],
    struct taxii_resp *resp)
{
	size_t n = strlen(s), got;

	if (n == 2 * TLOG_HASH_BYTES) {
		for (size_t i = 0; i < n; i++) {
			int c = s[i], v;

			if (c >= '0' && c <= '9')
				v = c - '0';
			else if (c >= 'a' && c <= 'f')
				v = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				v = c - 'A' + 10;
			else
				goto bad;
			if (i % 2 == 0)
				out[i / 2] = (uint8_t)(v << 4);
			else
				out[i / 2] |= (uint8_t)v;
		}
		return ERR_OK;
	}
	if (crypto_b64_decode(s, n, 0, out, TLOG_HASH_BYTES, &got) == ERR_OK &&
	    got == TLOG_HASH_BYTES)
		return ERR_OK;
bad:
	return taxii_fail(resp, ERR_PARSE, "hash: expected 64 hex digits or "
	    "the base64 of 32 bytes");
}

static enum err
h_checkpoint(const struct taxii_ctx *ctx, const char *size_s,
    struct taxii_resp *resp)
{
	uint64_t size = STORE_TLOG_LATEST;
	enum err err;

	if (size_s != NULL &&
	    (err = parse_num(size_s, "size", &size, resp)) != ERR_OK)
		return err;
	err = tlog_tree_served(ctx->st, size, &resp->body);
	if (err == ERR_NOTFOUND)
		return taxii_fail(resp, ERR_NOTFOUND, size_s == NULL ?
		    "no checkpoint issued yet" : "no checkpoint was issued at "
		    "that size");
	if (err != ERR_OK)
		return taxii_fail(resp, err, "cannot read the log");
	resp->status = 200;
	resp->content_type = TEXT_PLAIN;
	return ERR_OK;
}

static enum err
h_inclusion(const struct taxii_ctx *ctx, const struct taxii_req *req,
    struct taxii_resp *resp)
{
	uint8_t proof[TLOG_MAX_PROOF][TLOG_HASH_BYTES], leaf[TLOG_HASH_BYTES];
	const char *hs, *is;
	uint64_t size, index;
	struct buf *b = &resp->body;
	size_t n;
	enum err err;

	if ((err = num_param(ctx, req, "size", 1, &size, resp)) != ERR_OK ||
	    (err = param(req, "hash", &hs, resp)) != ERR_OK ||
	    (err = param(req, "index", &is, resp)) != ERR_OK)
		return err;
	if ((hs == NULL) == (is == NULL))
		return taxii_fail(resp, ERR_PARSE, "give either index or hash");
	if (is != NULL) {
		if ((err = parse_num(is, "index", &index, resp)) != ERR_OK)
			return err;
	} else {
		if ((err = parse_hash(hs, leaf, resp)) != ERR_OK)
			return err;
		err = store_tlog_leaf_find(ctx->st, leaf, &index);
		if (err == ERR_NOTFOUND)
			return taxii_fail(resp, ERR_NOTFOUND, "no leaf with "
			    "that hash");
		if (err != ERR_OK)
			return taxii_fail(resp, err, "cannot read the log");
	}
	if (index >= size)
		return taxii_fail(resp, ERR_NOTFOUND, "leaf %llu is not in the "
		    "tree of size %llu", (unsigned long long)index,
		    (unsigned long long)size);
	err = tlog_tree_inclusion(ctx->st, index, size, proof, &n);
	if (err == ERR_RANGE)
		return taxii_fail(resp, ERR_NOTFOUND, "the log is smaller than "
		    "%llu", (unsigned long long)size);
	if (err == ERR_OK)
		err = store_tlog_leaf_get(ctx->st, index, leaf, NULL);
	if (err != ERR_OK)
		return taxii_fail(resp, err, "cannot read the log");
	if ((err = buf_addf(b, "{\"tree_size\":%llu,\"leaf_index\":%llu,",
	    (unsigned long long)size, (unsigned long long)index)) != ERR_OK ||
	    (err = add_hash(b, "leaf_hash", leaf)) != ERR_OK ||
	    (err = buf_addc(b, ',')) != ERR_OK ||
	    (err = add_hashes(b, (const uint8_t (*)[TLOG_HASH_BYTES])proof,
	    n)) != ERR_OK ||
	    (err = buf_addc(b, '}')) != ERR_OK)
		return taxii_fail(resp, err, "out of memory");
	resp->status = 200;
	resp->content_type = JSON_TYPE;
	return ERR_OK;
}

static enum err
h_consistency(const struct taxii_ctx *ctx, const struct taxii_req *req,
    struct taxii_resp *resp)
{
	uint8_t proof[TLOG_MAX_PROOF][TLOG_HASH_BYTES];
	uint64_t s1, s2;
	struct buf *b = &resp->body;
	size_t n;
	enum err err;

	if ((err = num_param(ctx, req, "size1", 0, &s1, resp)) != ERR_OK ||
	    (err = num_param(ctx, req, "size2", 1, &s2, resp)) != ERR_OK)
		return err;
	if (s1 == 0 || s1 > s2)
		return taxii_fail(resp, ERR_PARSE, "expected 0 < size1 <= "
		    "size2");
	err = tlog_tree_consistency(ctx->st, s1, s2, proof, &n);
	if (err == ERR_RANGE)
		return taxii_fail(resp, ERR_NOTFOUND, "the log is smaller than "
		    "%llu", (unsigned long long)s2);
	if (err != ERR_OK)
		return taxii_fail(resp, err, "cannot read the log");
	if ((err = buf_addf(b, "{\"size1\":%llu,\"size2\":%llu,",
	    (unsigned long long)s1, (unsigned long long)s2)) != ERR_OK ||
	    (err = add_hashes(b, (const uint8_t (*)[TLOG_HASH_BYTES])proof,
	    n)) != ERR_OK ||
	    (err = buf_addc(b, '}')) != ERR_OK)
		return taxii_fail(resp, err, "out of memory");
	resp->status = 200;
	resp->content_type = JSON_TYPE;
	return ERR_OK;
}

static enum err
h_leaves(const struct taxii_ctx *ctx, const struct taxii_req *req,
    struct taxii_resp *resp)
{
	uint8_t h[TLOG_HASH_BYTES];
	struct buf *b = &resp->body, data;
	uint64_t start, end, size;
	const char *end_s;
	char *enc = NULL;
	enum err err;

	if ((err = num_param(ctx, req, "start", 0, &start, resp)) != ERR_OK ||
	    (err = param(req, "end", &end_s, resp)) != ERR_OK)
		return err;
	end = start + 1;
	if (end_s != NULL && (err = parse_num(end_s, "end", &end, resp)) !=
	    ERR_OK)
		return err;
	if (end <= start || end - start > LIM_PAGE_MAX)
		return taxii_fail(resp, ERR_PARSE, "expected start < end <= "
		    "start + %u", LIM_PAGE_MAX);
	if ((err = tlog_tree_size(ctx->st, &size)) != ERR_OK)
		return taxii_fail(resp, err, "cannot read the log");
	if (end > size)
		return taxii_fail(resp, ERR_NOTFOUND, "the log has %llu leaves",
		    (unsigned long long)size);
	buf_init(&data, STORE_TLOG_LEAF_MAX);
	if ((enc = malloc(CRYPTO_B64_LEN(STORE_TLOG_LEAF_MAX) + 1)) == NULL) {
		err = ERR_NOMEM;
		goto out;
	}
	if ((err = buf_addstr(b, "{\"leaves\":[")) != ERR_OK)
		goto out;
	for (uint64_t i = start; i < end; i++) {
		buf_clear(&data);
		if ((err = store_tlog_leaf_get(ctx->st, i, h, &data)) !=
		    ERR_OK ||
		    (err = crypto_b64_encode(data.ptr, data.len, 0, enc,
		    CRYPTO_B64_LEN(STORE_TLOG_LEAF_MAX) + 1)) != ERR_OK ||
		    (err = buf_addf(b, "%s{\"index\":%llu,", i > start ? "," :
		    "", (unsigned long long)i)) != ERR_OK ||
		    (err = add_hash(b, "hash", h)) != ERR_OK ||
		    (err = buf_addf(b, ",\"data\":\"%s\"}", enc)) != ERR_OK)
			goto out;
	}
	err = buf_addstr(b, "]}");
out:
	free(enc);
	buf_reset(&data);
	if (err != ERR_OK)
		return taxii_fail(resp, err, "cannot read the log");
	resp->status = 200;
	resp->content_type = JSON_TYPE;
	return ERR_OK;
}

static enum err
h_cosignature(const struct taxii_ctx *ctx, const struct taxii_req *req,
    struct taxii_resp *resp)
{
	enum err err;

	if (ctx->party->role == STORE_ROLE_SELF)
		return taxii_fail(resp, ERR_FORBIDDEN, "a node does not "
		    "cosign its own log");
	if (req->body == NULL || req->body_len == 0)
		return taxii_fail(resp, ERR_PARSE, "empty body: expected a "
		    "cosigned checkpoint");
	if (req->body_len > STORE_TLOG_NOTE_MAX)
		return taxii_fail(resp, ERR_TOOBIG, "a cosigned checkpoint has "
		    "at most %u bytes", STORE_TLOG_NOTE_MAX);
	err = tlog_tree_cosign_submit(ctx->st, ctx->party->id,
	    ctx->party->pubkey, req->body, req->body_len, ts_now_us(),
	    resp->msg, sizeof(resp->msg));
	if (err == ERR_CRYPTO)
		err = ERR_FORBIDDEN;
	if (err != ERR_OK) {
		buf_clear(&resp->body);
		return err;
	}
	resp->status = 200;
	resp->content_type = JSON_TYPE;
	return buf_addstr(&resp->body, "{\"stored\":true}");
}

/* 1 when path is under the log's prefix. */
int
taxii_is_log_path(const char *path)
{
	return strncmp(path, "/entente/", 9) == 0;
}

/* Route a request under /entente/v1/log/.  See taxii.h. */
enum err
taxii_log_handle(const struct taxii_ctx *ctx, const struct taxii_req *req,
    struct taxii_resp *resp)
{
	const char *p = req->path;
	int get = req->method == TAXII_GET || req->method == TAXII_HEAD;

	if (strncmp(p, LOG_PREFIX, sizeof(LOG_PREFIX) - 1) != 0)
		return taxii_fail(resp, ERR_NOTFOUND, "no such resource");
	p += sizeof(LOG_PREFIX) - 1;
	/* The log tells who received what: only the node's own party and
	 * the parties of an agreement in force with it read it. */
	if (ctx->party->role != STORE_ROLE_SELF && (ctx->pol == NULL ||
	    !policy_party_active(ctx->pol, ctx->party->pubkey, ctx->now)))
		return taxii_fail(resp, ERR_FORBIDDEN, "the log is open to the "
		    "parties of an agreement in force with this node");
	if (strcmp(p, "cosignature") == 0 || strcmp(p, "cosignature/") == 0) {
		if (req->method != TAXII_POST) {
			resp->allow = "POST";
			return taxii_fail(resp, ERR_METHOD, "only POST is "
			    "supported here");
		}
		return h_cosignature(ctx, req, resp);
	}
	if (!get) {
		resp->allow = "GET, HEAD";
		return taxii_fail(resp, ERR_METHOD, "only GET is supported "
		    "here");
	}
	if (strcmp(p, "checkpoint") == 0)
		return h_checkpoint(ctx, NULL, resp);
	if (strncmp(p, "checkpoint/", 11) == 0)
		return h_checkpoint(ctx, p + 11, resp);
	if (strcmp(p, "proof/inclusion") == 0)
		return h_inclusion(ctx, req, resp);
	if (strcmp(p, "proof/consistency") == 0)
		return h_consistency(ctx, req, resp);
	if (strcmp(p, "leaves") == 0)
		return h_leaves(ctx, req, resp);
	return taxii_fail(resp, ERR_NOTFOUND, "no such resource");
}
