/*
 * client.h: the HTTP client entente uses to talk to partners' nodes
 * (libcurl).  One request per call, bounded in time and size, HTTPS with
 * either the system's CAs, a given CA file, or a pinned public key (the
 * usual case: nodes use self-signed certificates, whose pin `entente
 * whoami` prints).  No redirects, no protocol but HTTP(S), no cookies.
 */
#ifndef ENTENTE_SYNC_CLIENT_H
#define ENTENTE_SYNC_CLIENT_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

/* Seconds to connect, and for a whole request. */
#define SYNC_CONNECT_TIMEOUT	10L
#define SYNC_REQUEST_TIMEOUT	120L

struct sync_http {
	const char	*token;		/* bearer token, or NULL */
	const char	*tls_pin;	/* base64 SHA-256 of the SPKI, or NULL */
	const char	*cacert;	/* CA file, or NULL: system CAs */
};

/* Initialize libcurl once per process, before any thread starts. */
enum err sync_http_init(void) WUR;

/*
 * GET url (Accept: accept) and append the response body to out, which
 * bounds its size (ERR_TOOBIG past it).  *status gets the HTTP status.
 * ERR_IO when the partner cannot be reached, ERR_CRYPTO when its TLS
 * certificate does not match; msg (msg_cap bytes) says what happened.
 */
enum err sync_http_get(const struct sync_http *h, const char *url,
    const char *accept, struct buf *out, long *status, char *msg,
    size_t msg_cap) WUR;

/* A response header to capture: name in, value (cut: not found) out. */
struct sync_http_hdr {
	const char	*name;
	int		 found;
	char		 value[128];
};
/* sync_http_get, and the values of hdrs[0..n_hdrs) from the response. */
enum err sync_http_get_headers(const struct sync_http *h, const char *url,
    const char *accept, struct buf *out, long *status,
    struct sync_http_hdr *hdrs, size_t n_hdrs, char *msg, size_t msg_cap)
    WUR;

/* POST body[0..len) as ctype to url; otherwise as sync_http_get. */
enum err sync_http_post(const struct sync_http *h, const char *url,
    const char *ctype, const char *accept, const void *body, size_t len,
    struct buf *out, long *status, char *msg, size_t msg_cap) WUR;

#endif
