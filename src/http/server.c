/*
 * server.c: libmicrohttpd glue.  One request goes through:
 *   first call   -> authenticate, check media types and declared size
 *   body calls   -> append to a buffer capped at LIM_ENVELOPE_BYTES
 *   last call    -> taxii_handle(), then queue the response
 *   completed    -> one log line: method path status bytes ms party
 * Errors anywhere become TAXII error objects through http_error().
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/auth.h"
#include "http/http.h"
#include "store/store.h"
#include "taxii/taxii.h"
#include "util/limits.h"
#include "util/jsonmem.h"
#include "util/log.h"
#include "util/timeutil.h"

#define MAX_PARAMS	64

struct http_server {
	struct MHD_Daemon	*d;
	char			*addr;
	char			*cert_pem;
	char			*key_pem;
	char			*db_path;
	char			*title;
	uint8_t			 cursor_key[TAXII_CURSOR_KEY_BYTES];
	struct tlog_writer	*log;		/* borrowed */
	struct node_policy	*policy;	/* borrowed */
	int			 tls;
	uint16_t		 port;
	pthread_key_t		 store_key;
	atomic_uint		 inflight;
	atomic_uint		 connections;
	atomic_int		 closing;	/* shutting down */
};

struct req {
	int64_t			 start;
	enum taxii_method	 method;
	const char		*method_name;
	struct buf		 body;
	int			 responded;
	int			 discard;	/* body over the limit */
	int			 status;
	size_t			 bytes;
	struct store_party	 party;
	int			 authed;
	int			 checked;	/* check_request ran */
	int			 log_path;	/* under /entente/ */
	int			 body_done;	/* the last callback came */
	size_t			 body_seen;	/* bytes of body received */
	int			 deferred;	/* error to send once the
						 * body is read (see reject) */
	enum err		 deferred_err;
	char			 deferred_msg[128];
	char			 path[160];	/* for the log, cut */
};

struct params {
	struct taxii_param	 p[MAX_PARAMS];
	size_t			 n;
	int			 overflow;
};

static void
store_destroy(void *p)
{
	store_close(p);
}

/* This thread's store connection, opened on first use; NULL on failure. */
static struct store *
thread_store(struct http_server *srv)
{
	struct store *st = pthread_getspecific(srv->store_key);
	enum err err;

	if (st != NULL)
		return st;
	if ((err = store_open(srv->db_path, 0, &st)) != ERR_OK) {
		log_err("%s: cannot open %s: %s", __func__, srv->db_path,
		    err_str(err));
		return NULL;
	}
	if (pthread_setspecific(srv->store_key, st) != 0) {
		store_close(st);
		return NULL;
	}
	return st;
}

static enum MHD_Result
queue(struct http_server *srv, struct MHD_Connection *conn, struct req *r,
    int status, struct buf *body, const struct taxii_resp *tr)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len = 0;
	char *p;

	p = buf_take(body, &len);
	resp = MHD_create_response_from_buffer(len, p ? p : (void *)"",
	    p ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		free(p);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, "Content-Type",
	    tr != NULL && tr->content_type != NULL ? tr->content_type :
	    TAXII_MEDIA_TYPE);
	(void)MHD_add_response_header(resp, "Cache-Control", "no-store");
	(void)MHD_add_response_header(resp, "X-Content-Type-Options",
	    "nosniff");
	/* While shutting down, keep-alive connections are closed after
	 * their current response so that they drain quickly. */
	if (atomic_load(&srv->closing))
		(void)MHD_add_response_header(resp, "Connection", "close");
	if (status == 401) {
		(void)MHD_add_response_header(resp, "WWW-Authenticate",
		    "Bearer realm=\"entente\"");
		(void)MHD_add_response_header(resp, "WWW-Authenticate",
		    "Basic realm=\"entente\", charset=\"UTF-8\"");
	}
	if (tr != NULL && tr->has_dates) {
		(void)MHD_add_response_header(resp, "X-TAXII-Date-Added-First",
		    tr->date_first);
		(void)MHD_add_response_header(resp, "X-TAXII-Date-Added-Last",
		    tr->date_last);
	}
	if (tr != NULL && tr->has_delivery) {
		char v[32];

		(void)snprintf(v, sizeof(v), "%llu",
		    (unsigned long long)tr->delivery_index);
		(void)MHD_add_response_header(resp, "Entente-Delivery-Leaf", v);
		(void)snprintf(v, sizeof(v), "%lld",
		    (long long)tr->delivery_time);
		(void)MHD_add_response_header(resp, "Entente-Delivery-Time", v);
	}
	if (status == 405 && tr != NULL && tr->allow != NULL)
		(void)MHD_add_response_header(resp, "Allow", tr->allow);
	ret = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	r->responded = 1;
	r->status = status;
	r->bytes = len;
	return ret;
}

static enum MHD_Result
queue_error(struct http_server *srv, struct MHD_Connection *conn,
    struct req *r, enum err err, const char *msg)
{
	struct buf b;
	int status;

	buf_init(&b, 4096);
	status = http_error(err, msg, &b);
	return queue(srv, conn, r, status, &b, NULL);
}

/*
 * Refuse a request.  A POST refused before its body is read (bad
 * credentials, media type) is answered only once the body has been read and
 * dropped: many clients write the whole body before reading any response,
 * and would see the connection close under them instead of the error.  The
 * body is never stored, and its size stays bounded by the Content-Length
 * check (answered at once) and by LIM_HTTP_TIMEOUT_SECONDS.
 */
static enum MHD_Result
reject(struct http_server *srv, struct MHD_Connection *conn, struct req *r,
    enum err err, const char *msg)
{
	if (r->method == TAXII_POST && !r->body_done && err != ERR_TOOBIG) {
		r->deferred = 1;
		r->deferred_err = err;
		(void)snprintf(r->deferred_msg, sizeof(r->deferred_msg), "%s",
		    msg != NULL ? msg : "");
		r->discard = 1;
		return MHD_YES;
	}
	return queue_error(srv, conn, r, err, msg);
}

static enum MHD_Result
collect_param(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct params *ps = cls;

	(void)kind;
	if (ps->n == MAX_PARAMS) {
		ps->overflow = 1;
		return MHD_NO;
	}
	ps->p[ps->n].key = key;
	ps->p[ps->n].value = value != NULL ? value : "";
	ps->n++;
	return MHD_YES;
}

/* "https://host:port" from a sane Host header, else the bound address. */
static void
base_url(struct http_server *srv, struct MHD_Connection *conn, char *out,
    size_t cap)
{
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_HOST);
	const char *scheme = srv->tls ? "https" : "http";
	int ok = host != NULL && host[0] != '\0' && strlen(host) < 256;

	for (size_t i = 0; ok && host[i] != '\0'; i++) {
		char c = host[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == ':' || c == '[' || c == ']';
	}
	if (ok)
		(void)snprintf(out, cap, "%s://%s", scheme, host);
	else if (strchr(srv->addr, ':') != NULL)
		(void)snprintf(out, cap, "%s://[%s]:%u", scheme, srv->addr,
		    srv->port);
	else
		(void)snprintf(out, cap, "%s://%s:%u", scheme, srv->addr,
		    srv->port);
}

static enum MHD_Result
dispatch(struct http_server *srv, struct MHD_Connection *conn, struct req *r,
    const char *url, struct store *st)
{
	struct taxii_resp tr;
	struct taxii_req tq;
	struct taxii_ctx ctx;
	struct params ps;
	char base[320];
	enum MHD_Result ret;
	enum err err;

	memset(&ctx, 0, sizeof(ctx));
	memset(&ps, 0, sizeof(ps));
	(void)MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND,
	    collect_param, &ps);
	if (ps.overflow)
		return queue_error(srv, conn, r, ERR_PARSE, "too many query "
		    "parameters");
	base_url(srv, conn, base, sizeof(base));
	ctx.st = st;
	ctx.party = &r->party;
	ctx.base_url = base;
	ctx.cursor_key = srv->cursor_key;
	ctx.title = srv->title;
	ctx.log = srv->log;
	ctx.policy = srv->policy;
	tq.method = r->method;
	tq.path = url;
	tq.params = ps.p;
	tq.n_params = ps.n;
	tq.body = r->body.ptr;
	tq.body_len = r->body.len;
	taxii_resp_init(&tr);
	jsonmem_begin();
	err = taxii_handle(&ctx, &tq, &tr);
	jsonmem_end();
	if (err == ERR_OK) {
		ret = queue(srv, conn, r, tr.status, &tr.body, &tr);
	} else {
		struct buf b;
		int status;

		if (err == ERR_DB || err == ERR_NOMEM || err == ERR_IO)
			log_err("%s: %s %s: %s: %s", __func__, r->method_name,
			    url, err_str(err), tr.msg);
		buf_init(&b, 4096);
		status = http_error(err, tr.msg, &b);
		ret = queue(srv, conn, r, status, &b, &tr);
	}
	taxii_resp_free(&tr);
	return ret;
}

static enum taxii_method
method_of(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return TAXII_GET;
	if (strcmp(m, "HEAD") == 0)
		return TAXII_HEAD;
	if (strcmp(m, "POST") == 0)
		return TAXII_POST;
	if (strcmp(m, "DELETE") == 0)
		return TAXII_DELETE;
	return TAXII_OTHER;
}

/*
 * Authenticate and check method and media types.  Returns MHD_YES with
 * r->responded == 0 when the request may go on; otherwise an error has been
 * queued.
 */
static enum MHD_Result
check_request(struct http_server *srv, struct MHD_Connection *conn,
    struct req *r, struct store *st)
{
	const char *h;
	enum err err;

	r->checked = 1;
	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	err = auth_check(st, h, &r->party);
	if (err == ERR_AUTH)
		return reject(srv, conn, r, ERR_AUTH, h == NULL ?
		    "send a token: Authorization: Bearer TOKEN" :
		    "the credential is not valid");
	if (err != ERR_OK)
		return reject(srv, conn, r, err, NULL);
	r->authed = 1;
	if (r->method == TAXII_OTHER)
		return reject(srv, conn, r, ERR_METHOD,
		    "method not allowed");
	/* The log's resources are not TAXII: no TAXII media types. */
	if (r->log_path)
		return MHD_YES;
	if (!http_accept_ok(MHD_lookup_connection_value(conn,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT)))
		return reject(srv, conn, r, ERR_NOTACCEPTABLE, "this "
		    "server answers only " TAXII_MEDIA_TYPE);
	if (r->method == TAXII_POST) {
		if (!http_content_type_ok(MHD_lookup_connection_value(conn,
		    MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE)))
			return reject(srv, conn, r, ERR_MEDIATYPE, "send "
			    "Content-Type: " TAXII_MEDIA_TYPE);
	}
	return MHD_YES;
}

/*
 * The headers are in.  A request that may carry a body (anything but GET,
 * HEAD and DELETE) is checked now, before any of its body is read; the
 * others are checked with their handling, in one read transaction.
 */
static enum MHD_Result
first_call(struct http_server *srv, struct MHD_Connection *conn,
    struct req *r, const char *url)
{
	struct store *st;
	const char *h;
	unsigned long long cl;
	char *end;

	if (strlen(url) > LIM_PATH_BYTES)
		return queue_error(srv, conn, r, ERR_PARSE, "request path too "
		    "long");
	r->log_path = taxii_is_log_path(url);
	if (r->method == TAXII_GET || r->method == TAXII_HEAD ||
	    r->method == TAXII_DELETE)
		return MHD_YES;
	/* A body announced too large is refused before anything else, at
	 * once, so that nobody's body is read past the limit. */
	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (h != NULL) {
		cl = strtoull(h, &end, 10);
		if (end != h && cl > LIM_ENVELOPE_BYTES)
			return queue_error(srv, conn, r, ERR_TOOBIG, "the body "
			    "exceeds max_content_length");
	}
	if ((st = thread_store(srv)) == NULL)
		return queue_error(srv, conn, r, ERR_DB, NULL);
	return check_request(srv, conn, r, st);
}

/* The whole request is in: check it if not done yet, then handle it. */
static enum MHD_Result
last_call(struct http_server *srv, struct MHD_Connection *conn,
    struct req *r, const char *url)
{
	struct store *st;
	enum MHD_Result ret;
	int reading;

	if ((st = thread_store(srv)) == NULL)
		return queue_error(srv, conn, r, ERR_DB, NULL);
	/* Reads share one snapshot and take the database locks once. */
	reading = (r->method == TAXII_GET || r->method == TAXII_HEAD) &&
	    store_read_begin(st) == ERR_OK;
	ret = MHD_YES;
	if (!r->checked)
		ret = check_request(srv, conn, r, st);
	if (ret == MHD_YES && !r->responded)
		ret = dispatch(srv, conn, r, url, st);
	if (reading)
		store_read_end(st);
	return ret;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct req *r = *con_cls;

	(void)version;
	if (r == NULL) {
		if ((r = calloc(1, sizeof(*r))) == NULL)
			return MHD_NO;
		r->start = ts_now_us();
		r->method = method_of(method);
		r->method_name = r->method == TAXII_OTHER ? "OTHER" : method;
		buf_init(&r->body, LIM_ENVELOPE_BYTES);
		for (size_t i = 0; url[i] != '\0' && i + 1 < sizeof(r->path);
		    i++)	/* printable only: the log is line-based */
			r->path[i] = (url[i] > 0x20 && url[i] < 0x7f) ?
			    url[i] : '?';
		*con_cls = r;
		atomic_fetch_add(&srv->inflight, 1);
		return first_call(srv, conn, r, url);
	}
	if (*upload_data_size != 0) {
		/*
		 * Only POST has a body in TAXII; others' bodies, and those of
		 * refused POSTs, are dropped unread.  Dropping is bounded: past
		 * LIM_ENVELOPE_BYTES of a body nobody will read (twice that for
		 * an accepted POST, which is answered 413 at its end) the
		 * connection is closed.
		 */
		size_t cap = r->method == TAXII_POST && !r->deferred ?
		    (size_t)LIM_ENVELOPE_BYTES * 2 : LIM_ENVELOPE_BYTES;

		r->body_seen += *upload_data_size;
		if (r->body_seen > cap)
			return MHD_NO;
		if (r->method == TAXII_POST && !r->responded && !r->discard &&
		    buf_add(&r->body, upload_data, *upload_data_size) !=
		    ERR_OK)
			r->discard = 1;	/* over the cap (buf is reset) */
		*upload_data_size = 0;
		return MHD_YES;
	}
	r->body_done = 1;
	if (r->responded)
		return MHD_YES;
	if (r->deferred)
		return queue_error(srv, conn, r, r->deferred_err,
		    r->deferred_msg[0] != '\0' ? r->deferred_msg : NULL);
	if (r->discard)
		return queue_error(srv, conn, r, ERR_TOOBIG, "the body exceeds "
		    "max_content_length");
	return last_call(srv, conn, r, url);
}

static void
completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct req *r = *con_cls;
	const union MHD_ConnectionInfo *ci;
	char ip[INET6_ADDRSTRLEN] = "-";

	if (r == NULL)
		return;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			(void)inet_ntop(AF_INET, &((const struct sockaddr_in *)
			    (const void *)sa)->sin_addr, ip, sizeof(ip));
		else if (sa->sa_family == AF_INET6)
			(void)inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
			    (const void *)sa)->sin6_addr, ip, sizeof(ip));
	}
	log_info("%s %s %s %d %zu %.1fms party=%s%s", ip, r->method_name,
	    r->path, r->status, r->bytes, (double)(ts_now_us() - r->start) / 1000.0,
	    r->authed ? r->party.name : "-",
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
	buf_reset(&r->body);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

static void
connection_cb(void *cls, struct MHD_Connection *conn, void **socket_ctx,
    enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *srv = cls;

	(void)conn;
	(void)socket_ctx;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&srv->connections, 1);
	else if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
		atomic_fetch_sub(&srv->connections, 1);
}

/* While shutting down, new connections are closed at once. */
static enum MHD_Result
accept_cb(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct http_server *srv = cls;

	(void)addr;
	(void)addrlen;
	return atomic_load(&srv->closing) ? MHD_NO : MHD_YES;
}

static char *
dupstr(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

enum err
http_start(const struct http_config *cfg, struct http_server **out)
{
	struct http_server *srv;
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	const struct sockaddr *sa;
	const union MHD_DaemonInfo *di;
	unsigned flags;

	*out = NULL;
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return ERR_NOMEM;
	srv->addr = dupstr(cfg->addr);
	srv->db_path = dupstr(cfg->db_path);
	srv->title = dupstr(cfg->title);
	srv->tls = cfg->tls;
	if (cfg->tls) {
		srv->cert_pem = dupstr(cfg->cert_pem);
		srv->key_pem = dupstr(cfg->key_pem);
	}
	memcpy(srv->cursor_key, cfg->cursor_key, sizeof(srv->cursor_key));
	srv->log = cfg->log;
	srv->policy = cfg->policy;
	atomic_init(&srv->inflight, 0);
	atomic_init(&srv->connections, 0);
	atomic_init(&srv->closing, 0);
	if (srv->addr == NULL || srv->db_path == NULL || srv->title == NULL ||
	    (cfg->tls && (srv->cert_pem == NULL || srv->key_pem == NULL)) ||
	    pthread_key_create(&srv->store_key, store_destroy) != 0) {
		free(srv->addr);
		free(srv->db_path);
		free(srv->title);
		free(srv->cert_pem);
		free(srv->key_pem);
		free(srv);
		return ERR_NOMEM;
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
	memset(&a4, 0, sizeof(a4));
	memset(&a6, 0, sizeof(a6));
	if (inet_pton(AF_INET, cfg->addr, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons(cfg->port);
		sa = (const struct sockaddr *)&a4;
	} else if (inet_pton(AF_INET6, cfg->addr, &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons(cfg->port);
		sa = (const struct sockaddr *)&a6;
		flags |= MHD_USE_IPv6;
	} else {
		http_stop(srv);
		return ERR_PARSE;
	}
	if (cfg->tls)
		flags |= MHD_USE_TLS;
	srv->d = MHD_start_daemon(flags, 0, accept_cb, srv, access_cb, srv,
	    MHD_OPTION_SOCK_ADDR, sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads ?
	    cfg->threads : 1),
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)LIM_HTTP_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)LIM_HTTP_PER_IP_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)LIM_HTTP_TIMEOUT_SECONDS,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)LIM_HTTP_CONNECTION_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, completed_cb, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, connection_cb, srv,
	    cfg->tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END,
	    srv->key_pem,
	    MHD_OPTION_HTTPS_MEM_CERT, srv->cert_pem,
	    MHD_OPTION_HTTPS_PRIORITIES,
	    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
	    MHD_OPTION_END);
	if (srv->d == NULL) {
		http_stop(srv);
		return ERR_IO;
	}
	di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di != NULL ? di->port : cfg->port;
	*out = srv;
	return ERR_OK;
}

uint16_t
http_port(const struct http_server *srv)
{
	return srv->port;
}

void
http_quiesce(struct http_server *srv)
{
	/*
	 * New connections are refused by accept_cb from now on.
	 * MHD_quiesce_daemon is not used: with a thread pool and epoll,
	 * libmicrohttpd 0.9.75 can abort in it ("Failed to remove listen FD
	 * from epoll set") when a worker has already taken the listen socket
	 * out of its set.
	 */
	atomic_store(&srv->closing, 1);
}

unsigned
http_inflight(const struct http_server *srv)
{
	return atomic_load(&((struct http_server *)srv)->inflight);
}

unsigned
http_connections(const struct http_server *srv)
{
	return atomic_load(&((struct http_server *)srv)->connections);
}

void
http_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->d != NULL)
		MHD_stop_daemon(srv->d);
	(void)pthread_key_delete(srv->store_key);
	free(srv->addr);
	free(srv->db_path);
	free(srv->title);
	if (srv->key_pem != NULL) {
		explicit_bzero(srv->key_pem, strlen(srv->key_pem));
		free(srv->key_pem);
	}
	free(srv->cert_pem);
	explicit_bzero(srv->cursor_key, sizeof(srv->cursor_key));
	free(srv);
}
