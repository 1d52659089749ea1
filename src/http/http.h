/*
 * http.h: the HTTP server: libmicrohttpd glue, TLS, limits, authentication,
 * media types, request logging, and the one table that maps enum err to an
 * HTTP status and a TAXII error object (errmap.c).
 *
 * Requests are served by a pool of worker threads; each opens its own store
 * connection on first use.  This layer parses nothing of TAXII beyond the
 * headers: it hands requests to taxii/.
 */
#ifndef ENTENTE_HTTP_HTTP_H
#define ENTENTE_HTTP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "tlog/writer.h"
#include "util/buf.h"
#include "util/err.h"

struct http_server;

struct node_policy;

struct http_config {
	const char	*addr;		/* numeric IPv4 or IPv6 address */
	uint16_t	 port;		/* 0: ephemeral */
	int		 tls;		/* 0 only on loopback */
	const char	*cert_pem;	/* NUL-terminated PEM when tls */
	const char	*key_pem;
	const char	*db_path;	/* the node database */
	const uint8_t	*cursor_key;	/* TAXII cursor key, 32 bytes */
	const char	*title;		/* node title (party name) */
	unsigned	 threads;	/* worker threads, >= 1 */
	struct tlog_writer *log;	/* logs deliveries (borrowed, must
					 * outlive the server); NULL: none */
	struct node_policy *policy;	/* the agreements (borrowed, must
					 * outlive the server); NULL: partners
					 * get nothing */
};

/*
 * Start serving cfg (strings are copied).  On success *out is the running
 * server.  ERR_IO when the address cannot be bound, ERR_NOMEM, ERR_CRYPTO
 * for a bad certificate or key.
 */
enum err http_start(const struct http_config *cfg, struct http_server **out)
    WUR;
/* The port actually bound. */
uint16_t http_port(const struct http_server *srv);
/* Refuse new connections and close kept-alive ones after their next
 * response; in-flight requests go on.  Can't fail. */
void http_quiesce(struct http_server *srv);
/* Requests started and not yet completed. */
unsigned http_inflight(const struct http_server *srv);
/* Connections currently open. */
unsigned http_connections(const struct http_server *srv);
/* Stop the server, closing connections and worker stores.  NULL is ok. */
void http_stop(struct http_server *srv);

/*
 * Map err to an HTTP status and write the TAXII error object for it, with
 * msg as its description, into body.  This function can't fail (on
 * allocation failure body is left empty).
 */
int http_error(enum err err, const char *msg, struct buf *body);

/*
 * Media types.  http_accept_ok: 1 when an Accept header value (NULL:
 * absent) admits application/taxii+json;version=2.1.  http_content_type_ok:
 * 1 when a Content-Type value is application/taxii+json with version 2.1
 * or no version.  Parameters, spaces, case and q-values are handled.
 */
int http_accept_ok(const char *accept);
int http_content_type_ok(const char *ctype);

#endif
