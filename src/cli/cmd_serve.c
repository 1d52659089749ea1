/*
 * cmd_serve.c: `entente serve` runs the node's TAXII 2.1 server until
 * SIGTERM or SIGINT, then stops accepting connections, lets in-flight
 * requests finish (LIM_SHUTDOWN_GRACE_SECONDS at most), closes the store
 * and exits 0.  HTTPS by default; plain HTTP only with --no-tls on a
 * loopback address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tlog/tree.h"
#include "tlog/writer.h"
#include "cli/opt.h"
#include "crypto/crypto.h"
#include "http/http.h"
#include "sync/client.h"
#include "taxii/taxii.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/timeutil.h"

#define SERVE_DEFAULT_LISTEN	"127.0.0.1:8443"
#define SERVE_PURGE_SECONDS	3600
#define SERVE_SETTLE_TICKS	6	/* of 50 ms */

/* Options of this command only (clear of opt.h's shared range). */
enum { SOPT_SYNC_EVERY = 1300 };

static void
serve_usage(FILE *f)
{
	fprintf(f, "usage: entente serve [--dir DIR] [--listen ADDR:PORT] "
	    "[--no-tls] [--threads N]\n"
	    "                     [--checkpoint-interval DURATION] "
	    "[--sync-every DUR]\n\n"
	    "Serve TAXII 2.1 at https://ADDR:PORT/taxii2/ and the\n"
	    "transparency log at /entente/v1/log/ until SIGTERM or SIGINT.\n"
	    "When ready it prints one line, 'serving URL', on stdout;\n"
	    "request logs go to stderr.\n\n"
	    "  --listen ADDR:PORT  numeric address and port (default %s;\n"
	    "                      [::1]:PORT for IPv6; port 0 picks one)\n"
	    "  --no-tls            plain HTTP, allowed on loopback only\n"
	    "  --threads N         worker threads (default: CPU count)\n"
	    "  --checkpoint-interval DURATION\n"
	    "                      sign a log checkpoint at most this often,\n"
	    "                      when the log grew: 1s (default), 250ms...\n"
	    "  --sync-every DUR    also sync with every partner (entente\n"
	    "                      sync) every DUR: N, Ns, Nm, Nh (default:\n"
	    "                      no background sync)\n",
	    SERVE_DEFAULT_LISTEN);
}

/* Split "a.b.c.d:port" or "[v6]:port" into addr (cap bytes) and port. */
static int
parse_listen(const char *s, char *addr, size_t cap, uint16_t *port)
{
	const char *colon, *a = s;
	size_t alen;
	unsigned long p = 0;
	char *end;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL || rb[1] != ':')
			return -1;
		a = s + 1;
		alen = (size_t)(rb - a);
		colon = rb + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return -1;
		alen = (size_t)(colon - s);
	}
	if (alen == 0 || alen >= cap || colon[1] == '\0')
		return -1;
	memcpy(addr, a, alen);
	addr[alen] = '\0';
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || p > 65535 || colon[1] < '0' ||
	    colon[1] > '9')
		return -1;
	*port = (uint16_t)p;
	return 0;
}

static int
is_loopback(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

/*
 * Read a whole file of at most LIM_FILE_BYTES into a new NUL-terminated
 * string; with secret != 0 refuse files others can read.
 */
static char *
read_file(const char *path, int secret)
{
	struct stat sb;
	char *p = NULL;
	ssize_t n;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		fprintf(stderr, "entente serve: cannot open %s: %s\n", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > (off_t)LIM_FILE_BYTES) {
		fprintf(stderr, "entente serve: %s is not a regular file of "
		    "at most %u bytes\n", path, LIM_FILE_BYTES);
		goto fail;
	}
	if (secret && (sb.st_mode & 077) != 0) {
		fprintf(stderr, "entente serve: %s is readable by others; "
		    "run: chmod 600 %s\n", path, path);
		goto fail;
	}
	if ((p = malloc((size_t)sb.st_size + 1)) == NULL)
		goto fail;
	while (got < (size_t)sb.st_size) {
		n = read(fd, p + got, (size_t)sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		got += (size_t)n;
	}
	p[got] = '\0';
	(void)close(fd);
	return p;
fail:
	if (p != NULL) {
		crypto_wipe(p, (size_t)sb.st_size);
		free(p);
	}
	(void)close(fd);
	return NULL;
}

/* What retention clauses no longer let the node keep goes. */
static void
purge_retained(struct store *st)
{
	size_t n = 0;

	if (node_retention_purge(st, ts_now_us(), &n) != ERR_OK)
		log_warn("%s: cannot purge objects past retention", __func__);
	else if (n > 0)
		log_info("purged %zu received object versions past their "
		    "agreement's retention", n);
}

static void
purge_statuses(struct store *st)
{
	size_t n = 0;

	if (store_status_purge(st, ts_now_us() -
	    (int64_t)LIM_STATUS_KEEP_SECONDS * 1000000, &n) != ERR_OK)
		log_warn("%s: cannot purge old statuses", __func__);
	else if (n > 0)
		log_info("purged %zu statuses older than %d days", n,
		    LIM_STATUS_KEEP_SECONDS / 86400);
}

/*
 * Parse a duration "N", "Ns" or "Nms" into milliseconds within the
 * writer's bounds.  0 on success, -1 otherwise.
 */
static int
parse_interval(const char *s, unsigned *out)
{
	unsigned long long v = 0, mul = 1000;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 10; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	if (i == 0)
		return -1;
	if (strcmp(s + i, "ms") == 0)
		mul = 1;
	else if (s[i] != '\0' && strcmp(s + i, "s") != 0)
		return -1;
	v *= mul;
	if (v < TLOG_WRITER_INTERVAL_MIN_MS || v > TLOG_WRITER_INTERVAL_MAX_MS)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int
cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "no-tls", no_argument, NULL, OPT_NO_TLS },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "checkpoint-interval", required_argument, NULL,
		    OPT_CHECKPOINT_INTERVAL },
		{ "sync-every", required_argument, NULL, SOPT_SYNC_EVERY },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = CLI_DEFAULT_DIR, *listen = SERVE_DEFAULT_LISTEN;
	char addr[64], db[4096], path[4096];
	char *cert = NULL, *key = NULL, *ckey = NULL;
	struct http_config cfg;
	struct http_server *srv = NULL;
	struct tlog_writer *writer = NULL;
	struct node_policy *policy = NULL;
	size_t n_filled = 0;
	struct tlog_signer signer;
	unsigned interval_ms = TLOG_WRITER_INTERVAL_MS;
	unsigned sync_every = 0;
	struct cli_syncer *syncer = NULL;
	struct store_party self;
	struct store *st = NULL;
	struct timespec to;
	sigset_t set;
	size_t ckey_len = 0;
	long threads;
	uint16_t port;
	int c, tls = 1, rc, sig;
	char *end;
	enum err err;

	threads = sysconf(_SC_NPROCESSORS_ONLN);
	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_LISTEN:
			listen = optarg;
			break;
		case OPT_NO_TLS:
			tls = 0;
			break;
		case OPT_THREADS:
			errno = 0;
			threads = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || threads < 1 ||
			    threads > 256) {
				fprintf(stderr, "entente serve: --threads "
				    "must be 1-256\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case SOPT_SYNC_EVERY:
			if (cli_parse_seconds(optarg, 1, 86400, &sync_every) !=
			    0) {
				fprintf(stderr, "entente serve: --sync-every: a "
				    "duration of 1s to 24h (N, Ns, Nm, Nh)\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case OPT_CHECKPOINT_INTERVAL:
			if (parse_interval(optarg, &interval_ms) != 0) {
				fprintf(stderr, "entente serve: "
				    "--checkpoint-interval must be a duration "
				    "from %ums to %us, e.g. 1s or 250ms\n",
				    TLOG_WRITER_INTERVAL_MIN_MS,
				    TLOG_WRITER_INTERVAL_MAX_MS / 1000);
				return CLI_EXIT_USAGE;
			}
			break;
		case OPT_HELP:
			serve_usage(stdout);
			return CLI_EXIT_OK;
		default:
			serve_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		serve_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (threads < 1)
		threads = 1;
	if (parse_listen(listen, addr, sizeof(addr), &port) != 0) {
		fprintf(stderr, "entente serve: --listen must be ADDR:PORT "
		    "with a numeric address, e.g. 127.0.0.1:8443 or "
		    "[::1]:8443\n");
		return CLI_EXIT_USAGE;
	}
	if (!tls && !is_loopback(addr)) {
		fprintf(stderr, "entente serve: --no-tls is allowed only on a "
		    "loopback address (127.0.0.0/8 or ::1), not %s\n", addr);
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
		return rc;
	rc = CLI_EXIT_ERROR;
	if (store_party_self(st, &self) != ERR_OK ||
	    store_meta_get(st, "cursor_key", &ckey, &ckey_len) != ERR_OK ||
	    ckey_len != TAXII_CURSOR_KEY_BYTES) {
		fprintf(stderr, "entente serve: the node in %s is incomplete "
		    "(no party or cursor key); re-create it with init\n", dir);
		goto out;
	}
	if (tls) {
		if (cli_path(path, sizeof(path), dir, NODE_TLS_CERT_FILE) !=
		    ERR_OK || (cert = read_file(path, 0)) == NULL)
			goto out;
		if (cli_path(path, sizeof(path), dir, NODE_TLS_KEY_FILE) !=
		    ERR_OK || (key = read_file(path, 1)) == NULL)
			goto out;
	}
	if (cli_path(db, sizeof(db), dir, NODE_DB_FILE) != ERR_OK)
		goto out;
	purge_statuses(st);
	if ((err = node_backfill(st, &n_filled)) != ERR_OK) {
		fprintf(stderr, "entente serve: cannot fill in the policy "
		    "fields of objects stored before schema 3: %s\n",
		    err_str(err));
		goto out;
	}
	if (n_filled > 0)
		log_info("filled in the TLP and labels of %zu object versions "
		    "stored before schema 3", n_filled);
	purge_retained(st);
	/* Signals are taken by sigtimedwait below, never asynchronously;
	 * worker threads inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	(void)signal(SIGPIPE, SIG_IGN);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		goto out;
	if ((err = node_policy_new(&policy)) != ERR_OK)
		goto out;
	memset(&signer, 0, sizeof(signer));
	if (cli_log_signer(dir, st, &signer) != CLI_EXIT_OK)
		goto out;
	err = tlog_writer_start(db, &signer, interval_ms, &writer);
	if (err != ERR_OK) {
		crypto_wipe(signer.seed, sizeof(signer.seed));
		fprintf(stderr, "entente serve: cannot start the log writer: "
		    "%s\n", err_str(err));
		goto out;
	}
	if (sync_every > 0 && ((err = sync_http_init()) != ERR_OK ||
	    (err = cli_syncer_start(db, dir, &signer, sync_every,
	    &syncer)) != ERR_OK)) {
		crypto_wipe(signer.seed, sizeof(signer.seed));
		fprintf(stderr, "entente serve: cannot start the background "
		    "sync: %s\n", err_str(err));
		goto out;
	}
	crypto_wipe(signer.seed, sizeof(signer.seed));


	memset(&cfg, 0, sizeof(cfg));
	cfg.addr = addr;
	cfg.port = port;
	cfg.tls = tls;
	cfg.cert_pem = cert;
	cfg.key_pem = key;
	cfg.db_path = db;
	cfg.cursor_key = (const uint8_t *)ckey;
	cfg.title = self.name;
	cfg.threads = (unsigned)threads;
	cfg.log = writer;
	cfg.policy = policy;
	if ((err = http_start(&cfg, &srv)) != ERR_OK) {
		fprintf(stderr, "entente serve: cannot serve on %s: %s\n",
		    listen, err == ERR_IO ? "address in use, not local, or "
		    "bad TLS certificate" : err_str(err));
		goto out;
	}
	if (strchr(addr, ':') != NULL)
		printf("serving %s://[%s]:%u/taxii2/\n", tls ? "https" : "http",
		    addr, http_port(srv));
	else
		printf("serving %s://%s:%u/taxii2/\n", tls ? "https" : "http",
		    addr, http_port(srv));
	fflush(stdout);
	log_info("node '%s' serving on %s port %u (%s, %ld threads)",
	    self.name, addr, http_port(srv), tls ? "TLS" : "no TLS", threads);

	for (;;) {
		to.tv_sec = SERVE_PURGE_SECONDS;
		to.tv_nsec = 0;
		sig = sigtimedwait(&set, NULL, &to);
		if (sig < 0 && errno == EAGAIN) {
			purge_statuses(st);
			purge_retained(st);
			continue;
		}
		if (sig < 0 && errno == EINTR)
			continue;
		if (sig == SIGHUP) {	/* run the purges now */
			purge_statuses(st);
			purge_retained(st);
			continue;
		}
		break;
	}
	log_info("shutting down: finishing %u in-flight requests",
	    http_inflight(srv));
	http_quiesce(srv);
	/*
	 * A request may have reached an accepted connection without being
	 * read yet: wait until no request has been in flight for
	 * SERVE_SETTLE_TICKS in a row (or no connection is left), within the
	 * grace period.
	 */
	for (unsigned i = 0, idle = 0; i < LIM_SHUTDOWN_GRACE_SECONDS * 20 &&
	    idle < SERVE_SETTLE_TICKS && http_connections(srv) > 0; i++) {
		struct timespec ms50 = { 0, 50 * 1000 * 1000 };
		(void)nanosleep(&ms50, NULL);
		idle = http_inflight(srv) > 0 ? 0 : idle + 1;
	}
	if (http_inflight(srv) > 0)
		log_warn("stopping with %u requests still in flight",
		    http_inflight(srv));
	cli_syncer_stop(syncer);
	syncer = NULL;
	http_stop(srv);
	srv = NULL;
	tlog_writer_stop(writer);
	writer = NULL;
	log_info("stopped");
	rc = CLI_EXIT_OK;
out:
	cli_syncer_stop(syncer);
	http_stop(srv);
	tlog_writer_stop(writer);
	node_policy_free(policy);
	store_close(st);
	if (key != NULL) {
		crypto_wipe(key, strlen(key));
		free(key);
	}
	free(cert);
	if (ckey != NULL) {
		crypto_wipe(ckey, ckey_len);
		free(ckey);
	}
	return rc;
}
