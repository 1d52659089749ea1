/*
 * client.c: one bounded HTTP request to a partner over libcurl.  See
 * client.h.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "sync/client.h"
#include "util/buf.h"

/* Initialize libcurl.  See client.h. */
enum err
sync_http_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? ERR_OK :
	    ERR_NOMEM;
}

struct sink {
	struct buf	*out;
	int		 toobig;
};

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	if (buf_add(s->out, p, len) != ERR_OK) {
		s->toobig = 1;
		return 0;
	}
	return len;
}

/* Run one request. */
static enum err
run(const struct sync_http *h, const char *url, const char *accept,
    const char *ctype, const void *body, size_t len, int post,
    struct buf *out, long *status, struct sync_http_hdr *want,
    size_t n_want, char *msg, size_t msg_cap)
{
	struct curl_slist *hdrs = NULL, *nh;
	char line[512], ebuf[CURL_ERROR_SIZE];
	struct sink sink = { out, 0 };
	CURLcode rc;
	CURL *c;
	enum err err = ERR_OK;

	*status = 0;
	ebuf[0] = '\0';
	if ((c = curl_easy_init()) == NULL)
		return ERR_NOMEM;
	(void)snprintf(line, sizeof(line), "Accept: %s", accept);
	if ((nh = curl_slist_append(hdrs, line)) == NULL)
		goto nomem;
	hdrs = nh;
	if (h->token != NULL) {
		if (strlen(h->token) > 256)
			goto nomem;
		(void)snprintf(line, sizeof(line), "Authorization: Bearer %s",
		    h->token);
		nh = curl_slist_append(hdrs, line);
		explicit_bzero(line, sizeof(line));
		if (nh == NULL)
			goto nomem;
		hdrs = nh;
	}
	if (post) {
		(void)snprintf(line, sizeof(line), "Content-Type: %s", ctype);
		if ((nh = curl_slist_append(hdrs, line)) == NULL)
			goto nomem;
		hdrs = nh;
	}
	(void)curl_easy_setopt(c, CURLOPT_URL, url);
	(void)curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	(void)curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, SYNC_CONNECT_TIMEOUT);
	(void)curl_easy_setopt(c, CURLOPT_TIMEOUT, SYNC_REQUEST_TIMEOUT);
	(void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	(void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	(void)curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	(void)curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	(void)curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
	if (h->tls_pin != NULL) {
		/* The pin replaces the CA chain: partners' certificates are
		 * self-signed, and the pinned key is what is trusted. */
		(void)snprintf(line, sizeof(line), "sha256//%s", h->tls_pin);
		(void)curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, line);
		(void)curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		(void)curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
		/* No CA store to load: it costs tens of ms per request and
		 * would not be used. */
		(void)curl_easy_setopt(c, CURLOPT_CAINFO, NULL);
		(void)curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	} else if (h->cacert != NULL) {
		(void)curl_easy_setopt(c, CURLOPT_CAINFO, h->cacert);
	}
	if (post) {
		(void)curl_easy_setopt(c, CURLOPT_POST, 1L);
		(void)curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		(void)curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
		for (size_t i = 0; i < n_want; i++) {
			struct curl_header *ch = NULL;

			want[i].found = 0;
			want[i].value[0] = '\0';
			if (curl_easy_header(c, want[i].name, 0,
			    CURLH_HEADER, -1, &ch) != CURLHE_OK || ch == NULL ||
			    strlen(ch->value) >= sizeof(want[i].value))
				continue;
			memcpy(want[i].value, ch->value,
			    strlen(ch->value) + 1);
			want[i].found = 1;
		}
	} else if (sink.toobig) {
		err = ERR_TOOBIG;
		(void)snprintf(msg, msg_cap, "%s: response too large", url);
	} else {
		err = rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
		    rc == CURLE_PEER_FAILED_VERIFICATION ||
		    rc == CURLE_SSL_CACERT_BADFILE ? ERR_CRYPTO : ERR_IO;
		(void)snprintf(msg, msg_cap, "%s: %s", url, ebuf[0] != '\0' ?
		    ebuf : curl_easy_strerror(rc));
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	explicit_bzero(line, sizeof(line));
	return err;
nomem:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return ERR_NOMEM;
}

/* GET.  See client.h. */
enum err
sync_http_get(const struct sync_http *h, const char *url, const char *accept,
    struct buf *out, long *status, char *msg, size_t msg_cap)
{
	return run(h, url, accept, NULL, NULL, 0, 0, out, status, NULL, 0,
	    msg, msg_cap);
}

/* GET with response headers.  See client.h. */
enum err
sync_http_get_headers(const struct sync_http *h, const char *url,
    const char *accept, struct buf *out, long *status,
    struct sync_http_hdr *hdrs, size_t n_hdrs, char *msg, size_t msg_cap)
{
	return run(h, url, accept, NULL, NULL, 0, 0, out, status, hdrs,
	    n_hdrs, msg, msg_cap);
}

/* POST.  See client.h. */
enum err
sync_http_post(const struct sync_http *h, const char *url, const char *ctype,
    const char *accept, const void *body, size_t len, struct buf *out,
    long *status, char *msg, size_t msg_cap)
{
	return run(h, url, accept, ctype, body, len, 1, out, status, NULL, 0,
	    msg, msg_cap);
}
