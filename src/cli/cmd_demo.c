/*
 * cmd_demo.c: `entente demo` starts a three-party network on loopback
 * (docs/demo.md): CERT-North, CERT-South and Energy-ISAC, two agreements
 * with different terms, real content (MITRE ATT&CK for ICS and indicators
 * built from the excerpt of public lists in tests/data), a sync along the
 * chain North -> South -> ISAC, and a summary of what each party holds and
 * why the others do not.
 *
 * Every step is the real binary run as a user would type it: the demo
 * forks and execs /proc/self/exe with the same arguments it prints, so it
 * shows and tests the real commands.  Only the loading of content talks
 * HTTP itself (TAXII POST through sync/client.h, as any TAXII client
 * would), and so does the summary (TAXII GET with each node's admin
 * token).  The servers are children in their own process group, killed by
 * the kernel if the demo dies (PR_SET_PDEATHSIG), and stopped with SIGTERM
 * and waited for on every way out.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli/cli.h"
#include "cli/opt.h"
#include "crypto/crypto.h"
#include "stix/stix.h"
#include "sync/client.h"
#include "util/buf.h"
#include "util/jsonmem.h"
#include "util/limits.h"
#include "util/uuid.h"

/* Options of this command only (clear of opt.h's shared range). */
enum {
	DOPT_PORT = 1300,
	DOPT_NO_LOAD,
	DOPT_ONCE,
	DOPT_SMALL,
	DOPT_DATA
};

#define DEMO_DIR_DEFAULT	"./var/demo"
#define DEMO_DATA_DEFAULT	"tests/data"
#define DEMO_PORT_DEFAULT	8443u
#define DEMO_SYNC_EVERY		"10s"
#define DEMO_READY_FILE		"demo-ready"
#define DEMO_ATTACK_FILE	"attack/ics-attack-18.1.json.xz"
#define DEMO_PATH_MAX		4096
#define DEMO_OUT_MAX		(64u * 1024u * 1024u)	/* child stdout */
#define DEMO_ERR_MAX		(1024u * 1024u)		/* child stderr */
#define DEMO_ATTACK_MAX		(64u * 1024u * 1024u)	/* decompressed */
#define DEMO_PAGE_BYTES		(64u * 1024u * 1024u)	/* one TAXII page */
#define DEMO_SERVE_WAIT_MS	30000
#define DEMO_STOP_WAIT_MS	15000
#define DEMO_CHUNK		1000u	/* objects per TAXII POST */
#define DEMO_MAX_PAGES		10000u
#define DEMO_MAX_COLLS		16
#define DEMO_MAX_ARGS		48
#define DEMO_TAXII		"application/taxii+json;version=2.1"

/* Indicators per list loaded into grid-threats and north-internal. */
#define DEMO_IND_FULL		100u
#define DEMO_IND_SMALL		20u
#define DEMO_INTERNAL		4u

enum { NORTH, SOUTH, ISAC, N_NODES };

/* TLP buckets counted in the summary; DEMO_TLP_NONE: no TLP marking. */
enum {
	DEMO_TLP_CLEAR,
	DEMO_TLP_GREEN,
	DEMO_TLP_AMBER,
	DEMO_TLP_AMBER_STRICT,
	DEMO_TLP_RED,
	DEMO_TLP_NONE,
	DEMO_TLP_N
};

static const char *const tlp_names[DEMO_TLP_N] = {
	"clear", "green", "amber", "amber+strict", "red", "none"
};
static const char *const tlp_ids[DEMO_TLP_NONE] = {
	STIX_TLP_CLEAR, STIX_TLP_GREEN, STIX_TLP_AMBER, STIX_TLP_AMBER_STRICT,
	STIX_TLP_RED
};

/* What one collection holds. */
struct demo_tally {
	size_t	objects;
	size_t	indicators;
	size_t	tlp[DEMO_TLP_N];
	size_t	ind_tlp[DEMO_TLP_N];
};

struct demo_coll {
	char			id[UUID_STRLEN + 1];
	char			name[72];
	struct demo_tally	t;
};

struct demo_node {
	const char	*party;
	const char	*slug;
	const char	*contact;
	const char	*role;
	char		 dir[DEMO_PATH_MAX];
	char		 log_path[DEMO_PATH_MAX];
	char		 cacert[DEMO_PATH_MAX];
	pid_t		 pid;		/* its serve, or -1 */
	unsigned	 port;
	char		 base[64];	/* https://127.0.0.1:PORT */
	char		 key[64];
	char		 identity[64];
	char		 pin[64];
	char		 log_key[512];
	char		 token[128];	/* admin token of this run */
	struct demo_coll colls[DEMO_MAX_COLLS];
	size_t		 n_colls;
};

/* Objects of North's the summary asks South's policy about. */
struct demo_samples {
	char	green[LIM_STIX_ID + 1];
	char	amber[LIM_STIX_ID + 1];
	char	pattern[LIM_STIX_ID + 1];
	char	internal[LIM_STIX_ID + 1];
};

struct demo {
	char			 exe[DEMO_PATH_MAX];	/* shown in commands */
	const char		*dir;
	char			 data[DEMO_PATH_MAX];
	unsigned		 port;
	int			 once, load, json, small, first;
	int			 ok;		/* every step went well */
	FILE			*out;		/* progress and summary */
	struct demo_node	 n[N_NODES];
	struct demo_samples	 samples;
	json_t			*rep;		/* the --json summary (new) */
};

static volatile sig_atomic_t demo_stop;

static void
demo_usage(FILE *f)
{
	fprintf(f, "usage: entente demo [--dir DIR] [--port PORT] [--no-load] "
	    "[--once] [--json]\n"
	    "                    [--small] [--data DIR]\n\n"
	    "Start a three-party network on 127.0.0.1: CERT-North,\n"
	    "CERT-South and Energy-ISAC, in DIR/north, DIR/south and\n"
	    "DIR/isac, with two agreements (North-South, South-ISAC).  The\n"
	    "first run (DIR absent) creates the nodes, registers the\n"
	    "parties, signs and installs the agreements, records the\n"
	    "partners and loads North with MITRE ATT&CK for ICS and\n"
	    "indicators from tests/data/indicators.  Every run: South syncs\n"
	    "from North, ISAC from South, and the demo prints what each\n"
	    "party holds, why the others do not, the URLs, fresh admin\n"
	    "tokens and TLS pins.  Then it serves (with background sync)\n"
	    "until Ctrl-C.  docs/demo.md; reset with rm -rf DIR.\n\n"
	    "  --dir DIR    the demo's directory (default %s)\n"
	    "  --port PORT  the first of three consecutive ports (default %u;\n"
	    "               0: ephemeral ports)\n"
	    "  --no-load    load no content on the first run\n"
	    "  --once       set up, sync, print the summary and stop\n"
	    "  --json       the summary as one JSON object on stdout (the\n"
	    "               progress goes to stderr)\n"
	    "  --small      load fewer indicators (%u per list, not %u)\n"
	    "  --data DIR   the repository's tests/data (default: %s, or the\n"
	    "               one beside the binary's build directory)\n",
	    DEMO_DIR_DEFAULT, DEMO_PORT_DEFAULT, DEMO_IND_SMALL, DEMO_IND_FULL,
	    DEMO_DATA_DEFAULT);
}

static void
on_stop(int sig)
{
	demo_stop = sig;
}

/* Print a progress or summary line on the demo's output. */
static void say(struct demo *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(struct demo *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vfprintf(d->out, fmt, ap);
	va_end(ap);
	(void)fflush(d->out);
}

/* Format into out; -1 when it does not fit. */
static int fmt(char *out, size_t cap, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

static int
fmt(char *out, size_t cap, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(out, cap, f, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static void
sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	(void)nanosleep(&t, NULL);
}

static long long
now_ms(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- children ---- */

/*
 * Fork and exec path (a file name is looked up in PATH) with argv and
 * envp, stdin/stdout/stderr from in_fd, out_fd, err_fd.  The child gets
 * its own process group (a Ctrl-C reaches the demo only, which stops its
 * children itself), default signal dispositions, and SIGTERM when the
 * demo dies.  Returns the pid, or -1 with errno set.
 */
static pid_t
spawn(const char *path, char *const argv[], char *const envp[], int in_fd,
    int out_fd, int err_fd)
{
	struct sigaction sa;
	sigset_t none;
	pid_t parent = getpid(), pid;

	pid = fork();
	if (pid != 0)
		return pid;
	(void)setpgid(0, 0);
#ifdef __linux__
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
#else
	(void)parent;
#endif
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGPIPE, &sa, NULL);
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		_exit(127);
	if (strchr(path, '/') != NULL)
		(void)execve(path, argv, envp);
	else
		(void)execvpe(path, argv, envp);
	_exit(127);
}

/* The exit code of a wait status: its exit status, or 128 + signal. */
static int
status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

static int
wait_pid(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status_code(st);
}

/* Append n bytes to b unless that would pass its cap; 1 if cut. */
static int
add_capped(struct buf *b, const char *p, size_t n)
{
	if (n > b->max - b->len || buf_add(b, p, n) != ERR_OK)
		return 1;
	return 0;
}

/*
 * Run path with argv (and envp, NULL: the demo's) and collect its stdout
 * into out and stderr into err (both initialized by the caller; output
 * past their caps is dropped).  A stop request (Ctrl-C) is passed on to
 * the child as SIGTERM.  Returns its exit code (128 + signal when killed),
 * or -1 when it could not be started.
 */
static int
run_capture(const char *path, char *const argv[], char *const envp[],
    struct buf *out, struct buf *err)
{
	int o[2] = { -1, -1 }, e[2] = { -1, -1 }, nul = -1, termed = 0;
	struct pollfd p[2];
	char chunk[65536];
	struct buf *dst;
	ssize_t r;
	pid_t pid;

	if (pipe2(o, O_CLOEXEC) != 0 || pipe2(e, O_CLOEXEC) != 0 ||
	    (nul = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		goto fail;
	pid = spawn(path, argv, envp != NULL ? envp : environ, nul, o[1],
	    e[1]);
	if (pid < 0)
		goto fail;
	(void)close(nul);
	(void)close(o[1]);
	(void)close(e[1]);
	p[0].fd = o[0];
	p[1].fd = e[0];
	p[0].events = p[1].events = POLLIN;
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		if (demo_stop && !termed) {
			(void)kill(pid, SIGTERM);
			termed = 1;
		}
		if (poll(p, 2, 250) < 0) {
			if (errno == EINTR)
				continue;
			(void)kill(pid, SIGKILL);
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || p[i].revents == 0)
				continue;
			r = read(p[i].fd, chunk, sizeof(chunk));
			if (r > 0) {
				dst = i == 0 ? out : err;
				(void)add_capped(dst, chunk, (size_t)r);
			} else if (r == 0 || (errno != EINTR &&
			    errno != EAGAIN)) {
				(void)close(p[i].fd);
				p[i].fd = -1;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			(void)close(p[i].fd);
	return wait_pid(pid);
fail:
	for (int i = 0; i < 2; i++) {
		if (o[i] >= 0)
			(void)close(o[i]);
		if (e[i] >= 0)
			(void)close(e[i]);
	}
	if (nul >= 0)
		(void)close(nul);
	return -1;
}

/* 1 when s can be shown without shell quotes. */
static int
shell_plain(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=,+@%-", *s) ==
		    NULL)
			return 0;
	return 1;
}

/* Print s as one shell word. */
static void
put_word(FILE *f, const char *s)
{
	if (shell_plain(s)) {
		(void)fputs(s, f);
		return;
	}
	(void)fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			(void)fputs("'\\''", f);
		else
			(void)fputc(*s, f);
	}
	(void)fputc('\'', f);
}

/* Print "  $ [ENV=..] entente ARGS" for the command args. */
static void
show_cmd(struct demo *d, const char *const *args, const char *token,
    const char *tail)
{
	(void)fputs("  $ ", d->out);
	if (token != NULL)
		(void)fprintf(d->out, "ENTENTE_PARTNER_TOKEN=%.8s... ", token);
	put_word(d->out, d->exe);
	for (size_t i = 0; args[i] != NULL; i++) {
		(void)fputc(' ', d->out);
		put_word(d->out, args[i]);
	}
	if (tail != NULL)
		(void)fputs(tail, d->out);
	(void)fputc('\n', d->out);
	(void)fflush(d->out);
}

/*
 * A copy of environ with ENTENTE_PARTNER_TOKEN=token (partner add reads
 * the token there: a command line is visible to other users).  The array
 * and the one string are allocated; free with free_env().  NULL when out
 * of memory.
 */
static char **
env_with_token(const char *token)
{
	static const char var[] = "ENTENTE_PARTNER_TOKEN=";
	size_t n = 0, j = 0;
	char **env, *kv;

	while (environ[n] != NULL)
		n++;
	if (n > SIZE_MAX / sizeof(*env) - 2)
		return NULL;
	if ((env = calloc(n + 2, sizeof(*env))) == NULL)
		return NULL;
	if ((kv = malloc(sizeof(var) + strlen(token))) == NULL) {
		free(env);
		return NULL;
	}
	memcpy(kv, var, sizeof(var) - 1);
	memcpy(kv + sizeof(var) - 1, token, strlen(token) + 1);
	env[j++] = kv;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], var, sizeof(var) - 1) != 0)
			env[j++] = environ[i];
	env[j] = NULL;
	return env;
}

static void
free_env(char **env)
{
	if (env == NULL)
		return;
	crypto_wipe(env[0], strlen(env[0]));
	free(env[0]);
	free(env);
}

/* Print the end of a child's stderr (or of a log), indented. */
static void
show_tail(struct demo *d, const struct buf *b)
{
	size_t start = 0;

	if (b->len == 0)
		return;
	if (b->len > 3000) {
		start = b->len - 3000;
		while (start < b->len && b->ptr[start - 1] != '\n')
			start++;
	}
	for (size_t i = start; i < b->len; i++) {
		if (i == start || b->ptr[i - 1] == '\n')
			(void)fputs("    | ", d->out);
		(void)fputc(b->ptr[i], d->out);
	}
	if (b->ptr[b->len - 1] != '\n')
		(void)fputc('\n', d->out);
	(void)fflush(d->out);
}

/*
 * Run `entente ARGS` (args NULL-terminated, without "entente"), showing
 * the command first unless quiet, with $ENTENTE_PARTNER_TOKEN = token when
 * not NULL.  Its stdout goes to out when not NULL (initialized by the
 * caller).  Returns its exit code, -1 when it could not run; a command
 * that exits with none of the codes in ok_codes (0 when NULL) is reported
 * with its stderr.
 */
static int
ent_run(struct demo *d, const char *const *args, const char *token,
    struct buf *out, int quiet, const int *ok_codes)
{
	char *argv[DEMO_MAX_ARGS + 2];
	char **env = NULL;
	struct buf o, e;
	size_t n = 0;
	int rc, good = 0;

	argv[n++] = (char *)"entente";
	for (size_t i = 0; args[i] != NULL; i++) {
		if (n >= DEMO_MAX_ARGS) {
			say(d, "entente demo: internal error: too many "
			    "arguments\n");
			return -1;
		}
		argv[n++] = (char *)(uintptr_t)args[i];
	}
	argv[n] = NULL;
	if (!quiet)
		show_cmd(d, args, token, NULL);
	if (token != NULL && (env = env_with_token(token)) == NULL) {
		say(d, "entente demo: out of memory\n");
		return -1;
	}
	buf_init(&o, DEMO_OUT_MAX);
	buf_init(&e, DEMO_ERR_MAX);
	rc = run_capture("/proc/self/exe", argv, env, &o, &e);
	free_env(env);
	if (rc < 0)
		say(d, "entente demo: cannot run %s: %s\n", args[0],
		    strerror(errno));
	else if (ok_codes == NULL)
		good = rc == 0;
	else
		for (size_t i = 0; ok_codes[i] >= 0; i++)
			good |= rc == ok_codes[i];
	if (rc >= 0 && !good && !demo_stop) {
		(void)fputs("entente demo: this command failed (exit ", d->out);
		(void)fprintf(d->out, "%d):\n", rc);
		if (quiet)
			show_cmd(d, args, token, NULL);
		show_tail(d, &e);
	}
	if (out != NULL && o.len > 0 && buf_add(out, o.ptr, o.len) != ERR_OK)
		rc = -1;
	buf_reset(&o);
	buf_reset(&e);
	return rc;
}

/* ent_run that must exit 0: 0 or -1. */
static int
ent(struct demo *d, const char *const *args, const char *token,
    struct buf *out)
{
	if (demo_stop)
		return -1;
	return ent_run(d, args, token, out, 0, NULL) == 0 ? 0 : -1;
}

/* The last non-empty line of b into out; -1 when none or too long. */
static int
last_line(const struct buf *b, char *out, size_t cap)
{
	size_t end = b->len, start;

	while (end > 0 && (b->ptr[end - 1] == '\n' || b->ptr[end - 1] == ' '))
		end--;
	start = end;
	while (start > 0 && b->ptr[start - 1] != '\n')
		start--;
	if (end == start || end - start >= cap)
		return -1;
	memcpy(out, b->ptr + start, end - start);
	out[end - start] = '\0';
	return 0;
}

/* Parse b as one JSON value (new reference), NULL when it is not. */
static json_t *
parse_json(const char *p, size_t len)
{
	json_error_t je;

	if (p == NULL || len == 0)
		return NULL;
	return json_loadb(p, len, JSON_REJECT_DUPLICATES, &je);
}

/* Copy member k of o (a string) into out; -1 when absent or too long. */
static int
jstr(const json_t *o, const char *k, char *out, size_t cap)
{
	const json_t *v = json_object_get(o, k);

	if (!json_is_string(v) || json_string_length(v) >= cap)
		return -1;
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* Member k of o if a string, else "?".  Borrowed. */
static const char *
js(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "?";
}

/* ---- the servers ---- */

/*
 * Start n's `entente serve` on 127.0.0.1:port (0: any), with background
 * sync when sync is set, stdout and stderr appended to n->log_path, and
 * wait for its `serving URL` line.  0 or -1 (reported; a server that
 * started is left in n->pid for nodes_stop()).
 */
static int
node_start(struct demo *d, struct demo_node *n, unsigned port, int sync)
{
	const char *args[12];
	char listen[32], *argv[14], chunk[4096];
	struct buf log;
	long long deadline;
	size_t a = 0, scan = 0;
	off_t off;
	int fd = -1, nul = -1, rfd = -1, rc = -1, st;
	ssize_t r;

	if (fmt(listen, sizeof(listen), "127.0.0.1:%u", port) != 0)
		return -1;
	args[a++] = "serve";
	args[a++] = "--dir";
	args[a++] = n->dir;
	args[a++] = "--listen";
	args[a++] = listen;
	if (sync) {
		args[a++] = "--sync-every";
		args[a++] = DEMO_SYNC_EVERY;
	}
	args[a] = NULL;
	argv[0] = (char *)"entente";
	for (size_t i = 0; i <= a; i++)
		argv[i + 1] = (char *)(uintptr_t)args[i];
	buf_init(&log, 1024 * 1024);
	fd = open(n->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600);
	if (fd < 0 || (off = lseek(fd, 0, SEEK_END)) < 0 ||
	    (nul = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 ||
	    (rfd = open(n->log_path, O_RDONLY | O_CLOEXEC)) < 0) {
		say(d, "entente demo: cannot open %s: %s\n", n->log_path,
		    strerror(errno));
		goto out;
	}
	{
		char tail[DEMO_PATH_MAX + 16];

		if (fmt(tail, sizeof(tail), " >>%s 2>&1 &", n->log_path) != 0)
			tail[0] = '\0';
		show_cmd(d, args, NULL, tail);
	}
	n->pid = spawn("/proc/self/exe", argv, environ, nul, fd, fd);
	if (n->pid < 0) {
		say(d, "entente demo: cannot start %s's server: %s\n",
		    n->party, strerror(errno));
		n->pid = -1;
		goto out;
	}
	deadline = now_ms() + DEMO_SERVE_WAIT_MS;
	for (;;) {
		r = pread(rfd, chunk, sizeof(chunk), off);
		if (r > 0) {
			off += r;
			(void)add_capped(&log, chunk, (size_t)r);
			continue;
		}
		/* Look for the line among the complete lines that arrived. */
		while (scan < log.len) {
			const char *line = log.ptr + scan, *nl, *pfx =
			    "serving https://127.0.0.1:";
			char *end;
			unsigned long v;

			if ((nl = memchr(line, '\n', log.len - scan)) == NULL)
				break;
			scan += (size_t)(nl - line) + 1;
			if (strncmp(line, pfx, strlen(pfx)) != 0)
				continue;
			errno = 0;
			v = strtoul(line + strlen(pfx), &end, 10);
			if (errno != 0 || v == 0 || v > 65535 ||
			    strncmp(end, "/taxii2/\n", 9) != 0)
				continue;
			n->port = (unsigned)v;
			if (fmt(n->base, sizeof(n->base),
			    "https://127.0.0.1:%u", n->port) == 0)
				rc = 0;
			goto out;
		}
		if (waitpid(n->pid, &st, WNOHANG) == n->pid) {
			say(d, "entente demo: %s's server exited (%d) before "
			    "it was ready; the end of %s:\n", n->party,
			    status_code(st), n->log_path);
			show_tail(d, &log);
			if (port != 0)
				say(d, "entente demo: is port %u taken "
				    "(another demo, another program)?  "
				    "--port PORT uses three other ports\n",
				    port);
			n->pid = -1;
			goto out;
		}
		if (demo_stop)
			goto out;
		if (now_ms() > deadline) {
			say(d, "entente demo: %s's server was not ready within "
			    "%d s; the end of %s:\n", n->party,
			    DEMO_SERVE_WAIT_MS / 1000, n->log_path);
			show_tail(d, &log);
			goto out;
		}
		sleep_ms(50);
	}
out:
	if (rfd >= 0)
		(void)close(rfd);
	if (nul >= 0)
		(void)close(nul);
	if (fd >= 0)
		(void)close(fd);
	buf_reset(&log);
	return rc;
}

/*
 * Stop the servers of the nodes from..to-1 that run: SIGTERM to each,
 * then wait for each (SIGKILL past DEMO_STOP_WAIT_MS).  0 when every one
 * exited 0, else -1 (reported).
 */
static int
nodes_stop(struct demo *d, int from, int to)
{
	long long deadline;
	int rc = 0, st;
	pid_t r;

	for (int i = from; i < to; i++)
		if (d->n[i].pid > 0)
			(void)kill(d->n[i].pid, SIGTERM);
	deadline = now_ms() + DEMO_STOP_WAIT_MS;
	for (int i = from; i < to; i++) {
		struct demo_node *n = &d->n[i];

		if (n->pid <= 0)
			continue;
		while ((r = waitpid(n->pid, &st, WNOHANG)) == 0 &&
		    now_ms() < deadline)
			sleep_ms(20);
		if (r == 0) {
			say(d, "entente demo: %s's server did not stop within "
			    "%d s of SIGTERM; killing it\n", n->party,
			    DEMO_STOP_WAIT_MS / 1000);
			(void)kill(n->pid, SIGKILL);
			(void)wait_pid(n->pid);
			rc = -1;
		} else if (r < 0) {
			rc = -1;
		} else if (status_code(st) != 0) {
			say(d, "entente demo: %s's server exited %d (see %s)\n",
			    n->party, status_code(st), n->log_path);
			rc = -1;
		}
		n->pid = -1;
	}
	return rc;
}

/* ---- HTTP (the admin token, TLS pinned) ---- */

/* Percent-encode s into out (cap bytes); -1 when it does not fit. */
static int
url_encode(const char *s, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t j = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			if (j + 1 >= cap)
				return -1;
			out[j++] = (char)c;
		} else {
			if (j + 3 >= cap)
				return -1;
			out[j++] = '%';
			out[j++] = hex[c >> 4];
			out[j++] = hex[c & 15];
		}
	}
	out[j] = '\0';
	return 0;
}

/*
 * GET path (after n->base) with n's admin token, TLS pinned to n's
 * certificate; the JSON body, a new reference, or NULL (reported).
 */
static json_t *
taxii_get(struct demo *d, struct demo_node *n, const char *path)
{
	struct sync_http h = { n->token, n->pin, NULL };
	char url[2048], msg[512];
	struct buf body;
	json_t *j = NULL;
	long status = 0;
	enum err err;

	if (fmt(url, sizeof(url), "%s%s", n->base, path) != 0)
		return NULL;
	buf_init(&body, DEMO_PAGE_BYTES);
	err = sync_http_get(&h, url, DEMO_TAXII, &body, &status, msg,
	    sizeof(msg));
	if (err != ERR_OK)
		say(d, "entente demo: GET %s: %s\n", url, msg);
	else if (status != 200)
		say(d, "entente demo: GET %s: HTTP %ld\n", url, status);
	else if ((j = parse_json(body.ptr, body.len)) == NULL)
		say(d, "entente demo: GET %s: not JSON\n", url);
	buf_reset(&body);
	return j;
}

/*
 * POST the envelope {"objects": objs} (borrowed) to collection coll on n;
 * adds the status's success and failure counts to *ok and *ko.  0 or -1
 * (reported).
 */
static int
taxii_post(struct demo *d, struct demo_node *n, const char *coll,
    json_t *objs, size_t *ok, size_t *ko)
{
	struct sync_http h = { n->token, n->pin, NULL };
	char url[1024], msg[512];
	struct buf env, resp;
	json_t *e = NULL, *st = NULL, *v;
	long status = 0;
	enum err err;
	int rc = -1;

	buf_init(&env, LIM_ENVELOPE_BYTES);
	buf_init(&resp, DEMO_PAGE_BYTES);
	if (fmt(url, sizeof(url), "%s/taxii2/api/collections/%s/objects/",
	    n->base, coll) != 0 ||
	    (e = json_pack("{s:O}", "objects", objs)) == NULL ||
	    jsonmem_dump(e, &env) != ERR_OK) {
		say(d, "entente demo: cannot build an envelope\n");
		goto out;
	}
	err = sync_http_post(&h, url, DEMO_TAXII, DEMO_TAXII, env.ptr, env.len,
	    &resp, &status, msg, sizeof(msg));
	if (err != ERR_OK) {
		say(d, "entente demo: POST %s: %s\n", url, msg);
		goto out;
	}
	if (status != 202 || (st = parse_json(resp.ptr, resp.len)) == NULL) {
		say(d, "entente demo: POST %s: HTTP %ld: %.500s\n", url, status,
		    resp.ptr != NULL ? resp.ptr : "");
		goto out;
	}
	if (json_is_integer(v = json_object_get(st, "success_count")))
		*ok += (size_t)json_integer_value(v);
	if (json_is_integer(v = json_object_get(st, "failure_count")) &&
	    json_integer_value(v) > 0) {
		json_t *f = json_object_get(st, "failures");

		*ko += (size_t)json_integer_value(v);
		say(d, "  %lld refused, for example: %s: %s\n",
		    (long long)json_integer_value(v),
		    js(json_array_get(f, 0), "id"),
		    js(json_array_get(f, 0), "message"));
	}
	rc = 0;
out:
	json_decref(st);
	json_decref(e);
	buf_reset(&resp);
	buf_reset(&env);
	return rc;
}

/* ---- setting up ---- */

/* mkdir -p with mode 0700 for what it creates.  0 or -1 with errno. */
static int
mkdir_p(const char *path)
{
	char tmp[DEMO_PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return -1;
		tmp[i] = path[i];
	}
	return 0;
}

/* 0: DIR absent or empty (a first run), 1: a finished demo, -1: else. */
static int
dir_state(const char *dir)
{
	char path[DEMO_PATH_MAX];
	struct dirent *de;
	DIR *dh;
	int empty = 1;

	if ((dh = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(dh)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			empty = 0;
	(void)closedir(dh);
	if (empty)
		return 0;
	if (cli_path(path, sizeof(path), dir, DEMO_READY_FILE) != ERR_OK ||
	    access(path, F_OK) != 0)
		return -1;
	return 1;
}

/* Read whoami --json of n into n's key, identity, pin and log key. */
static int
node_whoami(struct demo *d, struct demo_node *n)
{
	const char *args[] = { "whoami", "--dir", n->dir, "--json", NULL };
	struct buf out;
	json_t *j = NULL;
	int rc = -1;

	buf_init(&out, DEMO_ERR_MAX);
	if (ent(d, args, NULL, &out) != 0)
		goto out;
	if ((j = parse_json(out.ptr, out.len)) == NULL ||
	    jstr(j, "public_key", n->key, sizeof(n->key)) != 0 ||
	    jstr(j, "identity", n->identity, sizeof(n->identity)) != 0 ||
	    jstr(j, "tls_pin", n->pin, sizeof(n->pin)) != 0 ||
	    jstr(j, "log_key", n->log_key, sizeof(n->log_key)) != 0) {
		say(d, "entente demo: whoami --json printed something "
		    "unexpected\n");
		goto out;
	}
	rc = 0;
out:
	json_decref(j);
	buf_reset(&out);
	return rc;
}

/* `entente token issue PARTY` on n: the token into out (128 bytes). */
static int
issue_token(struct demo *d, struct demo_node *n, const char *party,
    char *out, size_t cap)
{
	const char *args[] = { "token", "issue", party, "--dir", n->dir, NULL };
	struct buf o;
	int rc = -1;

	buf_init(&o, DEMO_ERR_MAX);
	if (ent(d, args, NULL, &o) == 0 && last_line(&o, out, cap) == 0)
		rc = 0;
	buf_reset(&o);
	return rc;
}

/* `party add` of other's party on n. */
static int
party_add(struct demo *d, struct demo_node *n, const struct demo_node *other)
{
	const char *args[] = { "party", "add", other->party, "--key",
	    other->key, "--dir", n->dir, NULL };

	return ent(d, args, NULL, NULL);
}

/*
 * Draft the agreement between a and b (title, share clauses spec1 and,
 * when not NULL, spec2) into file, have both sign it with their own
 * nodes' keys, and install it on both nodes.
 */
static int
agreement(struct demo *d, const char *file, const char *title,
    struct demo_node *a, struct demo_node *b, const char *spec1,
    const char *spec2)
{
	char pa[256], pb[256], from[32];
	struct tm tm;
	time_t t = time(NULL) - 3600;

	if (gmtime_r(&t, &tm) == NULL ||
	    fmt(from, sizeof(from), "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec) != 0 ||
	    fmt(pa, sizeof(pa), "%s,%s,%s", a->party, a->key, a->contact) !=
	    0 || fmt(pb, sizeof(pb), "%s,%s,%s", b->party, b->key,
	    b->contact) != 0)
		return -1;
	{
		const char *draft[24];
		const char *sa[] = { "agreement", "sign", file, "--dir",
		    a->dir, NULL };
		const char *sb[] = { "agreement", "sign", file, "--dir",
		    b->dir, NULL };
		const char *ia[] = { "agreement", "install", file, "--dir",
		    a->dir, NULL };
		const char *ib[] = { "agreement", "install", file, "--dir",
		    b->dir, NULL };
		size_t k = 0;

		draft[k++] = "agreement";
		draft[k++] = "draft";
		draft[k++] = "--title";
		draft[k++] = title;
		draft[k++] = "--party";
		draft[k++] = pa;
		draft[k++] = "--party";
		draft[k++] = pb;
		draft[k++] = "--valid-from";
		draft[k++] = from;
		draft[k++] = "--valid-for";
		draft[k++] = "P1Y";
		draft[k++] = "--share";
		draft[k++] = spec1;
		if (spec2 != NULL) {
			draft[k++] = "--share";
			draft[k++] = spec2;
		}
		draft[k++] = "--out";
		draft[k++] = file;
		draft[k] = NULL;	/* always fits: at most 18 of 24 */
		if (ent(d, draft, NULL, NULL) != 0 ||
		    ent(d, sa, NULL, NULL) != 0 ||
		    ent(d, sb, NULL, NULL) != 0 ||
		    ent(d, ia, NULL, NULL) != 0 ||
		    ent(d, ib, NULL, NULL) != 0)
			return -1;
	}
	return 0;
}

/*
 * The first run: three nodes, their parties on each other's nodes, the
 * two agreements signed by both parties and installed on both nodes.
 */
static int
setup(struct demo *d)
{
	struct demo_node *no = &d->n[NORTH], *so = &d->n[SOUTH],
	    *is = &d->n[ISAC];
	char file[DEMO_PATH_MAX];

	say(d, "\n[1/6] Creating three nodes in %s\n", d->dir);
	if (mkdir_p(d->dir) != 0) {
		say(d, "entente demo: cannot create %s: %s\n", d->dir,
		    strerror(errno));
		return -1;
	}
	for (int i = 0; i < N_NODES; i++) {
		char origin[64];
		const char *args[] = { "init", "--dir", d->n[i].dir, "--name",
		    d->n[i].party, "--log-origin", origin, NULL };
		struct buf o;
		int rc;

		/* Distinct log names, so cosignatures say whose they are. */
		if (fmt(origin, sizeof(origin), "%s.demo.example/entente/log",
		    d->n[i].slug) != 0)
			return -1;
		buf_init(&o, DEMO_ERR_MAX);
		rc = ent(d, args, NULL, &o);
		if (rc == 0)
			rc = last_line(&o, d->n[i].token,
			    sizeof(d->n[i].token));
		buf_reset(&o);
		if (rc != 0 || node_whoami(d, &d->n[i]) != 0)
			return -1;
	}
	say(d, "\n[2/6] Registering the parties and signing two agreements\n");
	if (party_add(d, no, so) != 0 || party_add(d, so, no) != 0 ||
	    party_add(d, so, is) != 0 || party_add(d, is, so) != 0)
		return -1;
	if (cli_path(file, sizeof(file), d->dir, "agreements") != ERR_OK ||
	    mkdir_p(file) != 0)
		return -1;
	if (cli_path(file, sizeof(file), d->dir,
	    "agreements/north-south.json") != ERR_OK ||
	    agreement(d, file, "North-South grid threat exchange", no, so,
	    "from=CERT-North,to=CERT-South,types=*,collections=grid-threats,"
	    "tlp=amber,onward=any",
	    "from=CERT-North,to=CERT-South,types=*,collections=north-internal,"
	    "tlp=amber,onward=none") != 0)
		return -1;
	if (cli_path(file, sizeof(file), d->dir,
	    "agreements/south-isac.json") != ERR_OK ||
	    agreement(d, file, "South-ISAC indicator feed", so, is,
	    "from=CERT-South,to=Energy-ISAC,types=indicator,"
	    "collections=grid-threats,tlp=green,onward=any", NULL) != 0)
		return -1;
	return 0;
}

/*
 * Make server's node a partner of puller's at its current URL: nothing to
 * do when it already is; otherwise (first run, or the ports changed)
 * remove the old record, have server issue a token to puller's party and
 * `partner add` it.
 */
static int
ensure_partner(struct demo *d, struct demo_node *puller,
    struct demo_node *server)
{
	const char *show[] = { "partner", "show", server->party, "--json",
	    "--dir", puller->dir, NULL };
	const char *rm[] = { "partner", "remove", server->party, "--dir",
	    puller->dir, NULL };
	const char *add[] = { "partner", "add", server->party, "--url",
	    server->base, "--key", server->key, "--tls-pin", server->pin,
	    "--log-key", server->log_key, "--dir", puller->dir, NULL };
	static const int show_ok[] = { 0, CLI_EXIT_NOTFOUND, -1 };
	char tok[128], url[128] = "";
	struct buf o;
	json_t *j = NULL;
	int rc;

	buf_init(&o, DEMO_ERR_MAX);
	rc = ent_run(d, show, NULL, &o, 1, show_ok);
	if (rc == 0 && (j = parse_json(o.ptr, o.len)) != NULL)
		(void)jstr(j, "url", url, sizeof(url));
	json_decref(j);
	buf_reset(&o);
	if (rc < 0 || (rc != 0 && rc != CLI_EXIT_NOTFOUND))
		return -1;
	if (rc == 0 && strcmp(url, server->base) == 0)
		return 0;
	if (rc == 0) {
		say(d, "  %s's node moved from %s to %s: recording it "
		    "again\n", server->party, url, server->base);
		if (ent(d, rm, NULL, NULL) != 0)
			return -1;
	}
	if (issue_token(d, server, puller->party, tok, sizeof(tok)) != 0)
		return -1;
	rc = ent(d, add, tok, NULL);
	crypto_wipe(tok, sizeof(tok));
	return rc;
}

/* Look up the collections of n (`collection list`): ids and names. */
static int
node_collections(struct demo *d, struct demo_node *n)
{
	const char *args[] = { "collection", "list", "--dir", n->dir, NULL };
	struct buf o;
	char *p, *nl;
	int rc = -1;

	n->n_colls = 0;
	buf_init(&o, DEMO_ERR_MAX);
	if (ent_run(d, args, NULL, &o, 1, NULL) != 0)
		goto out;
	for (p = o.ptr; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 :
	    NULL) {
		struct demo_coll *c;
		size_t len;
		char *name;

		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (strlen(p) < UUID_STRLEN + 2 ||
		    !uuid_valid(p, UUID_STRLEN) || p[UUID_STRLEN] != ' ')
			continue;
		if (n->n_colls == DEMO_MAX_COLLS)
			break;
		c = &n->colls[n->n_colls];
		memset(c, 0, sizeof(*c));
		memcpy(c->id, p, UUID_STRLEN);
		name = p + UUID_STRLEN;
		while (*name == ' ')
			name++;
		len = strcspn(name, " ");
		if (len == 0 || len >= sizeof(c->name))
			continue;
		memcpy(c->name, name, len);
		n->n_colls++;
	}
	rc = 0;
out:
	buf_reset(&o);
	return rc;
}

static struct demo_coll *
find_coll(struct demo_node *n, const char *name)
{
	for (size_t i = 0; i < n->n_colls; i++)
		if (strcmp(n->colls[i].name, name) == 0)
			return &n->colls[i];
	return NULL;
}

/* ---- loading ---- */

/* The demo's data directory: --data, tests/data, or beside the binary. */
static int
find_data(struct demo *d, int given)
{
	char path[DEMO_PATH_MAX], exe[DEMO_PATH_MAX], *slash;
	ssize_t n;

	if (cli_path(path, sizeof(path), d->data, DEMO_ATTACK_FILE) ==
	    ERR_OK && access(path, R_OK) == 0)
		return 0;
	if (!given && (n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) >
	    0) {
		exe[n] = '\0';
		/* REPO/build/entente -> REPO/tests/data. */
		for (int up = 0; up < 2; up++)
			if ((slash = strrchr(exe, '/')) != NULL)
				*slash = '\0';
		if (fmt(d->data, sizeof(d->data), "%s/tests/data", exe) == 0 &&
		    cli_path(path, sizeof(path), d->data, DEMO_ATTACK_FILE) ==
		    ERR_OK && access(path, R_OK) == 0)
			return 0;
	}
	say(d, "entente demo: cannot find %s in %s: run it from the "
	    "repository, or give --data REPO/tests/data (or --no-load)\n",
	    DEMO_ATTACK_FILE, given ? d->data : DEMO_DATA_DEFAULT);
	return -1;
}

/* Post ATT&CK for ICS (decompressed by xz) into North's grid-threats. */
static int
load_attack(struct demo *d, const char *coll, json_t *loaded)
{
	struct demo_node *no = &d->n[NORTH];
	char path[DEMO_PATH_MAX], *argv[4];
	struct buf out, err;
	json_t *bundle = NULL, *objs, *chunk = NULL;
	size_t total, ok = 0, ko = 0;
	int rc = -1, xrc;

	if (cli_path(path, sizeof(path), d->data, DEMO_ATTACK_FILE) != ERR_OK)
		return -1;
	argv[0] = (char *)"xz";
	argv[1] = (char *)"-dc";
	argv[2] = path;
	argv[3] = NULL;
	buf_init(&out, DEMO_ATTACK_MAX);
	buf_init(&err, DEMO_ERR_MAX);
	say(d, "  $ xz -dc %s  (MITRE ATT&CK for ICS 18.1, (c) The MITRE "
	    "Corporation)\n", path);
	xrc = run_capture("xz", argv, NULL, &out, &err);
	if (xrc != 0) {
		say(d, "entente demo: xz -dc %s failed (%d)%s\n", path, xrc,
		    xrc == 127 ? ": is xz installed? (scripts/install-deps "
		    "installs xz-utils)" : "");
		show_tail(d, &err);
		goto out;
	}
	if ((bundle = parse_json(out.ptr, out.len)) == NULL ||
	    !json_is_array(objs = json_object_get(bundle, "objects"))) {
		say(d, "entente demo: %s is not a STIX bundle\n", path);
		goto out;
	}
	total = json_array_size(objs);
	say(d, "  POST %zu objects to %s/taxii2/api/collections/%s/objects/ "
	    "(grid-threats), %u per envelope\n", total, no->base, coll,
	    DEMO_CHUNK);
	for (size_t i = 0; i < total; i += DEMO_CHUNK) {
		if (demo_stop || (chunk = json_array()) == NULL)
			goto out;
		for (size_t k = i; k < total && k < i + DEMO_CHUNK; k++)
			if (json_array_append(chunk, json_array_get(objs, k)) !=
			    0)
				goto out;
		if (taxii_post(d, no, coll, chunk, &ok, &ko) != 0)
			goto out;
		json_decref(chunk);
		chunk = NULL;
	}
	say(d, "  ATT&CK for ICS: %zu of %zu objects accepted\n", ok, total);
	if (json_object_set_new(loaded, "attack", json_pack("{s:I, s:I}",
	    "objects", (json_int_t)total, "accepted", (json_int_t)ok)) != 0)
		goto out;
	rc = 0;
out:
	json_decref(chunk);
	json_decref(bundle);
	buf_reset(&out);
	buf_reset(&err);
	return rc;
}

/* The indicator lists the demo reads, and how it turns lines into STIX. */
struct demo_list {
	const char	*file;
	const char	*what;
	const char	*pattern;	/* the pattern up to the value */
	const char	*source;
	size_t		 min, max;	/* value length */
	const char	*chars;		/* allowed characters */
};

static const struct demo_list demo_lists[] = {
	{ "indicators/mal_ipv4_ipsum.txt", "Malicious IPv4 address",
	  "[ipv4-addr:value = '", "stamparm/ipsum (Unlicense)", 7, 15,
	  "0123456789." },
	{ "indicators/mal_domains_maltrail.txt", "Malicious domain",
	  "[domain-name:value = '", "stamparm/maltrail (MIT)", 4, 253,
	  "abcdefghijklmnopqrstuvwxyz0123456789.-" },
	{ "indicators/mal_sha256.txt", "Malware sample",
	  "[file:hashes.'SHA-256' = '",
	  "eset/malware-ioc (BSD-2-Clause), Neo23x0/signature-base (DRL 1.1)",
	  64, 64, "0123456789abcdef" },
};

/* A STIX timestamp (millisecond precision) of now into out (32 bytes). */
static int
stix_now(char *out, size_t cap)
{
	struct timespec t;
	struct tm tm;

	if (clock_gettime(CLOCK_REALTIME, &t) != 0 ||
	    gmtime_r(&t.tv_sec, &tm) == NULL)
		return -1;
	return fmt(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, t.tv_nsec / 1000000);
}

/* One indicator of value from list l, by North, marked TLP tlp. */
static json_t *
make_indicator(struct demo *d, const struct demo_list *l, const char *value,
    int tlp, const char *ts)
{
	char id[UUID_STRLEN + 16], uuid[UUID_STRLEN + 1], pattern[512],
	    name[512], desc[512];
	uint8_t rnd[16];

	if (crypto_random(rnd, sizeof(rnd)) != ERR_OK)
		return NULL;
	uuid_v4_format(rnd, uuid);
	if (fmt(id, sizeof(id), "indicator--%s", uuid) != 0 ||
	    fmt(pattern, sizeof(pattern), "%s%s']", l->pattern, value) != 0 ||
	    fmt(name, sizeof(name), "%s %s", l->what, value) != 0 ||
	    fmt(desc, sizeof(desc), "From %s (tests/data/%s), loaded by "
	    "entente demo as %s's.", l->source, l->file, d->n[NORTH].party) !=
	    0)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], "
	    "s:s, s:s, s:s, s:[s]}", "type", "indicator", "spec_version",
	    "2.1", "id", id, "created_by_ref", d->n[NORTH].identity,
	    "created", ts, "modified", ts, "name", name,
	    "description", desc, "indicator_types", "malicious-activity",
	    "pattern", pattern, "pattern_type", "stix", "valid_from", ts,
	    "object_marking_refs", tlp_ids[tlp]);
}

/* 1 when line is a value list l accepts. */
static int
value_ok(const struct demo_list *l, const char *line, size_t len)
{
	if (len < l->min || len > l->max)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (strchr(l->chars, line[i]) == NULL || line[i] == '\0')
			return 0;
	return 1;
}

/*
 * Build indicators from the lists: per list, `per` into grid (TLP clear,
 * green, amber in turn) and DEMO_INTERNAL more into internal; counts per
 * TLP into g_tlp and i_tlp.
 */
static int
build_indicators(struct demo *d, json_t *grid, json_t *internal,
    size_t per, size_t g_tlp[DEMO_TLP_N], size_t i_tlp[DEMO_TLP_N])
{
	char path[DEMO_PATH_MAX], ts[32], line[512];
	FILE *f;
	int rc = 0;

	if (stix_now(ts, sizeof(ts)) != 0)
		return -1;
	for (size_t li = 0; li < sizeof(demo_lists) / sizeof(demo_lists[0]) &&
	    rc == 0; li++) {
		const struct demo_list *l = &demo_lists[li];
		size_t k = 0;

		if (cli_path(path, sizeof(path), d->data, l->file) != ERR_OK ||
		    (f = fopen(path, "re")) == NULL) {
			say(d, "entente demo: cannot read %s/%s\n", d->data,
			    l->file);
			return -1;
		}
		while (k < per + DEMO_INTERNAL && fgets(line, sizeof(line),
		    f) != NULL) {
			size_t len = strcspn(line, "\r\n");
			int tlp = (int)(k % 3);
			json_t *o, *into = k < per ? grid : internal;

			if (!value_ok(l, line, len))
				continue;
			line[len] = '\0';
			if ((o = make_indicator(d, l, line, tlp, ts)) == NULL ||
			    json_array_append_new(into, o) != 0) {
				rc = -1;
				break;
			}
			(k < per ? g_tlp : i_tlp)[tlp]++;
			k++;
		}
		(void)fclose(f);
	}
	return rc;
}

static json_t *
tlp_counts(const size_t c[DEMO_TLP_N], int with_none)
{
	json_t *j = json_object();

	for (int t = 0; t < DEMO_TLP_N && j != NULL; t++) {
		if (t == DEMO_TLP_NONE && !with_none)
			break;
		if (json_object_set_new(j, tlp_names[t],
		    json_integer((json_int_t)c[t])) != 0) {
			json_decref(j);
			j = NULL;
		}
	}
	return j;
}

/* The first run's content, posted to North through TAXII. */
static int
load(struct demo *d)
{
	struct demo_node *no = &d->n[NORTH];
	struct demo_coll *g, *in;
	size_t g_tlp[DEMO_TLP_N] = { 0 }, i_tlp[DEMO_TLP_N] = { 0 };
	size_t ok = 0, ko = 0, per = d->small ? DEMO_IND_SMALL : DEMO_IND_FULL;
	json_t *loaded, *grid = json_array(), *internal = json_array();
	int rc = -1;

	say(d, "\n[4/6] Loading content into CERT-North's node (TAXII POST "
	    "with its admin token)\n");
	if ((loaded = json_object()) == NULL ||
	    json_object_set_new(d->rep, "loaded", loaded) != 0 ||
	    grid == NULL || internal == NULL)
		goto out;
	if ((g = find_coll(no, "grid-threats")) == NULL ||
	    (in = find_coll(no, "north-internal")) == NULL) {
		say(d, "entente demo: CERT-North has no collection "
		    "grid-threats or north-internal\n");
		goto out;
	}
	if (load_attack(d, g->id, loaded) != 0 ||
	    build_indicators(d, grid, internal, per, g_tlp, i_tlp) != 0)
		goto out;
	say(d, "  indicators by %s (created_by_ref %s) from tests/data/"
	    "indicators: %zu into grid-threats (%zu clear, %zu green, %zu "
	    "amber), %zu into north-internal\n", no->party, no->identity,
	    json_array_size(grid), g_tlp[DEMO_TLP_CLEAR],
	    g_tlp[DEMO_TLP_GREEN], g_tlp[DEMO_TLP_AMBER],
	    json_array_size(internal));
	if (taxii_post(d, no, g->id, grid, &ok, &ko) != 0 ||
	    taxii_post(d, no, in->id, internal, &ok, &ko) != 0)
		goto out;
	if (ko > 0) {
		say(d, "entente demo: CERT-North refused %zu indicators\n", ko);
		goto out;
	}
	if (json_object_set_new(loaded, "grid-threats", tlp_counts(g_tlp,
	    0)) != 0 || json_object_set_new(loaded, "north-internal",
	    tlp_counts(i_tlp, 0)) != 0)
		goto out;
	rc = 0;
out:
	json_decref(grid);
	json_decref(internal);
	return rc;
}

/* ---- syncing ---- */

/* `entente sync --once --json` on n; its reports into the summary. */
static int
sync_node(struct demo *d, struct demo_node *n, json_t *all)
{
	const char *args[] = { "sync", "--once", "--json", "--dir", n->dir,
	    NULL };
	static const int codes[] = { 0, 1, 5, -1 };
	struct buf o;
	json_t *one = NULL, *reps = json_array();
	char *p, *nl;
	int rc, good;

	buf_init(&o, DEMO_ERR_MAX);
	rc = ent_run(d, args, NULL, &o, 0, codes);
	good = rc == 0;
	for (p = o.ptr; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 :
	    NULL) {
		json_t *r, *v;

		nl = strchr(p, '\n');
		if ((r = parse_json(p, nl != NULL ? (size_t)(nl - p) :
		    strlen(p))) == NULL)
			continue;
		v = json_object_get(r, "state");
		if (json_is_string(v) && strcmp(json_string_value(v), "ok") ==
		    0)
			say(d, "  %s <- %s: ok: %lld new, %lld already here, "
			    "%lld refused; its log verified at size %lld, %lld "
			    "deliver%s proved included%s\n", n->party,
			    js(r, "partner"),
			    json_integer_value(json_object_get(r, "added")),
			    json_integer_value(json_object_get(r,
			    "already_here")),
			    json_integer_value(json_object_get(r, "refused")),
			    json_integer_value(json_object_get(r, "log_size")),
			    json_integer_value(json_object_get(r,
			    "deliveries_proved")),
			    json_integer_value(json_object_get(r,
			    "deliveries_proved")) == 1 ? "y" : "ies",
			    json_is_true(json_object_get(r, "cosigned")) ?
			    ", cosigned" : ", NOT cosigned");
		else {
			say(d, "  %s <- %s: %s: %s\n", n->party,
			    js(r, "partner"), js(r, "state"), js(r, "why"));
			good = 0;
		}
		if (reps != NULL)
			(void)json_array_append(reps, r);
		json_decref(r);
	}
	buf_reset(&o);
	if (!good)
		say(d, "entente demo: WARNING: %s's sync did not go well "
		    "(exit %d); see above\n", n->party, rc);
	one = json_pack("{s:s, s:i, s:o}", "node", n->party, "exit", rc,
	    "partners", reps != NULL ? reps : json_null());
	if (one == NULL || json_array_append_new(all, one) != 0)
		return -1;
	return good ? 0 : 1;
}

/* ---- the summary ---- */

static int
tlp_of(const json_t *o)
{
	const json_t *refs = json_object_get(o, "object_marking_refs"), *v;
	size_t i;

	json_array_foreach(refs, i, v) {
		if (!json_is_string(v))
			continue;
		for (int t = 0; t < DEMO_TLP_NONE; t++)
			if (strcmp(json_string_value(v), tlp_ids[t]) == 0)
				return t;
	}
	return DEMO_TLP_NONE;
}

/* Keep id into slot when slot is empty. */
static void
sample(char *slot, const json_t *o)
{
	const char *id = json_string_value(json_object_get(o, "id"));

	if (slot[0] == '\0' && id != NULL && strlen(id) <= LIM_STIX_ID)
		memcpy(slot, id, strlen(id) + 1);
}

/*
 * Count what collection c of n holds (TAXII, every page); on North, pick
 * the samples the summary explains.
 */
static int
tally(struct demo *d, struct demo_node *n, struct demo_coll *c)
{
	char path[1024], next[LIM_CURSOR_BYTES * 3 + 1] = "";
	struct demo_samples *s = n == &d->n[NORTH] ? &d->samples : NULL;
	json_t *page, *objs, *o;
	size_t i;

	memset(&c->t, 0, sizeof(c->t));
	for (unsigned pages = 0; pages < DEMO_MAX_PAGES; pages++) {
		int more;

		if (fmt(path, sizeof(path), "/taxii2/api/collections/%s/"
		    "objects/?limit=%u%s%s", c->id, LIM_PAGE_MAX,
		    next[0] != '\0' ? "&next=" : "", next) != 0 ||
		    (page = taxii_get(d, n, path)) == NULL)
			return -1;
		objs = json_object_get(page, "objects");
		json_array_foreach(objs, i, o) {
			const char *type = json_string_value(json_object_get(o,
			    "type"));
			int t = tlp_of(o), ind = type != NULL &&
			    strcmp(type, "indicator") == 0;

			c->t.objects++;
			c->t.tlp[t]++;
			if (ind) {
				c->t.indicators++;
				c->t.ind_tlp[t]++;
			}
			if (s == NULL)
				continue;
			if (strcmp(c->name, "north-internal") == 0)
				sample(s->internal, o);
			else if (strcmp(c->name, "grid-threats") != 0)
				continue;
			else if (ind && t == DEMO_TLP_GREEN)
				sample(s->green, o);
			else if (ind && t == DEMO_TLP_AMBER)
				sample(s->amber, o);
			else if (type != NULL && strcmp(type,
			    "attack-pattern") == 0)
				sample(s->pattern, o);
		}
		more = json_is_true(json_object_get(page, "more"));
		if (more && (!json_is_string(json_object_get(page, "next")) ||
		    url_encode(json_string_value(json_object_get(page, "next")),
		    next, sizeof(next)) != 0)) {
			json_decref(page);
			say(d, "entente demo: a page says more but has no "
			    "usable next\n");
			return -1;
		}
		json_decref(page);
		if (!more)
			return 0;
	}
	return -1;
}

static json_t *
tally_json(const struct demo_tally *t)
{
	return json_pack("{s:I, s:I, s:o, s:o}", "objects",
	    (json_int_t)t->objects, "indicators", (json_int_t)t->indicators,
	    "tlp", tlp_counts(t->tlp, 1), "indicators_tlp",
	    tlp_counts(t->ind_tlp, 1));
}

/* "N clear, N green, ..." of the non-zero counts into out. */
static void
tlp_words(const size_t c[DEMO_TLP_N], char *out, size_t cap)
{
	size_t used = 0;

	out[0] = '\0';
	for (int t = 0; t < DEMO_TLP_N; t++) {
		int n;

		if (c[t] == 0)
			continue;
		n = snprintf(out + used, cap - used, "%s%zu %s", used > 0 ?
		    ", " : "", c[t], t == DEMO_TLP_NONE ? "without TLP" :
		    tlp_names[t]);
		if (n < 0 || (size_t)n >= cap - used)
			return;
		used += (size_t)n;
	}
	if (used == 0)
		(void)fmt(out, cap, "nothing");
}

/* What each node holds, by collection, into the summary and on screen. */
static int
holdings(struct demo *d)
{
	json_t *all = json_object();

	if (all == NULL || json_object_set_new(d->rep, "holdings", all) != 0)
		return -1;
	say(d, "\nWhat each party holds (objects by TLP marking; objects "
	    "without one count as\nTLP:AMBER, each node's default):\n");
	for (int i = 0; i < N_NODES; i++) {
		struct demo_node *n = &d->n[i];
		json_t *mine = json_object();

		if (mine == NULL || json_object_set_new(all, n->party, mine) !=
		    0 || node_collections(d, n) != 0)
			return -1;
		say(d, "  %s (%s)\n", n->party, n->role);
		for (size_t k = 0; k < n->n_colls; k++) {
			struct demo_coll *c = &n->colls[k];
			char w[256], wi[256];

			if (tally(d, n, c) != 0 || json_object_set_new(mine,
			    c->name, tally_json(&c->t)) != 0)
				return -1;
			tlp_words(c->t.tlp, w, sizeof(w));
			tlp_words(c->t.ind_tlp, wi, sizeof(wi));
			if (c->t.objects == 0)
				say(d, "    %-15s empty\n", c->name);
			else
				say(d, "    %-15s %6zu objects: %s\n"
				    "    %-15s %6zu of them indicators: %s\n",
				    c->name, c->t.objects, w, "",
				    c->t.indicators, wi);
		}
		if (n->n_colls == 0)
			say(d, "    no collection\n");
	}
	return 0;
}

/*
 * `entente policy explain` on South's node, for ISAC, of sample id: the
 * output shown indented; with --json, run again with --json for the
 * summary.  0, 1 when the command failed, -1 on an internal error.
 */
static int
explain(struct demo *d, json_t *all, const char *key, const char *what,
    const char *id)
{
	struct demo_node *so = &d->n[SOUTH], *is = &d->n[ISAC];
	const char *args[] = { "policy", "explain", "--object", id, "--party",
	    is->party, "--dir", so->dir, NULL, NULL };
	static const int codes[] = { 0, 1, -1 };
	struct buf o;
	json_t *res = NULL;
	int rc;

	if (id[0] == '\0')
		return 0;
	say(d, "\n  %s:\n", what);
	buf_init(&o, DEMO_ERR_MAX);
	rc = ent_run(d, args, NULL, &o, 0, codes);
	if (rc == 1)
		say(d, "    (CERT-South does not hold it: did its sync "
		    "fail?)\n");
	else if (rc == 0)
		show_tail(d, &o);
	if (rc == 0 && d->json) {
		args[8] = "--json";
		buf_clear(&o);
		rc = ent_run(d, args, NULL, &o, 1, codes);
		if (rc == 0)
			res = parse_json(o.ptr, o.len);
	}
	buf_reset(&o);
	if (json_object_set_new(all, key, json_pack("{s:s, s:s, s:i, s:o}",
	    "what", what, "object", id, "exit", rc, "result", res != NULL ?
	    res : json_null())) != 0)
		return -1;
	return rc == 0 ? 0 : 1;
}

static int
explain_all(struct demo *d)
{
	struct demo_samples *s = &d->samples;
	json_t *all = json_object();
	int bad = 0, r;

	if (all == NULL || json_object_set_new(d->rep, "explain", all) != 0)
		return -1;
	if (s->green[0] == '\0' && s->amber[0] == '\0' &&
	    s->internal[0] == '\0') {
		say(d, "\nNothing was loaded, so there is nothing to explain "
		    "(post objects to\nCERT-North's grid-threats, sync, and "
		    "ask `entente policy explain`).\n");
		return 0;
	}
	say(d, "\nWhy: CERT-South receives everything in both collections "
	    "(North-South shares any\ntype up to TLP:AMBER).  Energy-ISAC "
	    "receives only North's clear and green\nindicators: South-ISAC "
	    "shares indicators up to TLP:GREEN; under TLP 2.0, AMBER\ngoes "
	    "onward only to the parties of the agreement it came under; "
	    "ATT&CK objects\nare not indicators; north-internal came with "
	    "onward none.  CERT-South's policy,\nasked about Energy-ISAC "
	    "(entente policy explain):\n");
	const struct {
		const char *key, *what, *id;
	} cases[] = {
		{ "green", "a green indicator of North's (grid-threats): ISAC "
		    "received it", s->green },
		{ "amber", "an amber indicator of North's (grid-threats): ISAC "
		    "did not receive it", s->amber },
		{ "attack_pattern", "an ATT&CK attack pattern (grid-threats): "
		    "not an indicator", s->pattern },
		{ "internal", "an indicator of north-internal: shared with "
		    "onward none", s->internal },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if ((r = explain(d, all, cases[i].key, cases[i].what,
		    cases[i].id)) < 0)
			return -1;
		bad |= r;
	}
	return bad;
}

/* The URLs, tokens, pins and commands to explore further. */
static int
final_words(struct demo *d)
{
	struct demo_node *no = &d->n[NORTH], *so = &d->n[SOUTH],
	    *is = &d->n[ISAC];
	struct demo_coll *g = find_coll(is, "grid-threats");
	json_t *nodes = json_array();

	if (nodes == NULL || json_object_set_new(d->rep, "nodes", nodes) != 0)
		return -1;
	say(d, "\nThe network%s:\n", d->once ? " (--once: it stops now)" :
	    " is running");
	for (int i = 0; i < N_NODES; i++) {
		struct demo_node *n = &d->n[i];
		char url[96];

		if (fmt(url, sizeof(url), "%s/taxii2/", n->base) != 0 ||
		    json_array_append_new(nodes, json_pack("{s:s, s:s, s:s, "
		    "s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "party",
		    n->party, "slug", n->slug, "dir", n->dir, "url", url, "pid",
		    (int)n->pid, "admin_token", n->token, "tls_pin", n->pin,
		    "public_key", n->key, "identity", n->identity, "log_key",
		    n->log_key, "cacert", n->cacert, "log", n->log_path)) != 0)
			return -1;
		say(d, "  %-12s %s   node %s\n"
		    "               admin token %s\n"
		    "               TLS pin     %s\n"
		    "               serve log   %s\n", n->party, url, n->dir,
		    n->token, n->pin, n->log_path);
	}
	say(d, "\nAdmin tokens are new for this run (only their hashes are "
	    "kept).  Try:\n\n");
	if (g != NULL)
		say(d, "  curl -g --cacert %s \\\n"
		    "       -H 'Authorization: Bearer %s' \\\n"
		    "       -H 'Accept: %s' \\\n"
		    "       '%s/taxii2/api/collections/%s/objects/?match[type]="
		    "indicator&limit=3'\n", is->cacert, is->token, DEMO_TAXII,
		    is->base, g->id);
	say(d, "  curl --cacert %s -H 'Authorization: Bearer %s' \\\n"
	    "       %s/entente/v1/log/checkpoint     # with South's "
	    "cosignature\n", no->cacert, no->token, no->base);
	say(d, "  %s agreement list --dir %s\n", d->exe, so->dir);
	say(d, "  %s partner show CERT-North --dir %s\n", d->exe, so->dir);
	if (d->samples.amber[0] != '\0')
		say(d, "  %s policy who --object %s --dir %s\n", d->exe,
		    d->samples.amber, so->dir);
	say(d, "  %s log checkpoint --dir %s\n", d->exe, no->dir);
	say(d, "\ndocs/demo.md explains it all; rm -rf %s resets the demo.\n",
	    d->dir);
	return 0;
}

/* Wait until a stop signal or a server's death (then -1). */
static int
serve_forever(struct demo *d)
{
	int st;

	say(d, "\nCtrl-C stops the network.\n");
	while (!demo_stop) {
		for (int i = 0; i < N_NODES; i++) {
			struct demo_node *n = &d->n[i];

			if (n->pid > 0 && waitpid(n->pid, &st, WNOHANG) ==
			    n->pid) {
				say(d, "entente demo: %s's server stopped "
				    "(%d); see %s.  Stopping the others.\n",
				    n->party, status_code(st), n->log_path);
				n->pid = -1;
				return -1;
			}
		}
		sleep_ms(200);
	}
	say(d, "\nStopping the network ...\n");
	return 0;
}

/* Fill in the nodes' fixed parts and paths. */
static int
nodes_init(struct demo *d)
{
	static const char *const party[N_NODES] = { "CERT-North", "CERT-South",
	    "Energy-ISAC" };
	static const char *const slug[N_NODES] = { "north", "south", "isac" };
	static const char *const contact[N_NODES] = {
	    "mailto:cert@north.example", "mailto:soc@south.example",
	    "https://isac.example/contact" };
	static const char *const role[N_NODES] = {
	    "publishes into grid-threats and north-internal",
	    "pulls from CERT-North under North-South",
	    "pulls from CERT-South under South-ISAC" };

	for (int i = 0; i < N_NODES; i++) {
		struct demo_node *n = &d->n[i];
		char f[64];

		n->party = party[i];
		n->slug = slug[i];
		n->contact = contact[i];
		n->role = role[i];
		n->pid = -1;
		if (cli_path(n->dir, sizeof(n->dir), d->dir, slug[i]) !=
		    ERR_OK || fmt(f, sizeof(f), "%s.log", slug[i]) != 0 ||
		    cli_path(n->log_path, sizeof(n->log_path), d->dir, f) !=
		    ERR_OK || cli_path(n->cacert, sizeof(n->cacert), n->dir,
		    NODE_TLS_CERT_FILE) != ERR_OK) {
			fprintf(stderr, "entente demo: --dir too long\n");
			return -1;
		}
	}
	return 0;
}

/* How to show the binary in commands: relative to the working directory
 * when under it, else its absolute path. */
static void
exe_name(struct demo *d)
{
	char cwd[DEMO_PATH_MAX];
	ssize_t n;
	size_t cl;

	n = readlink("/proc/self/exe", d->exe, sizeof(d->exe) - 1);
	if (n <= 0) {
		(void)fmt(d->exe, sizeof(d->exe), "entente");
		return;
	}
	d->exe[n] = '\0';
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return;
	cl = strlen(cwd);
	if (cl > 1 && strncmp(d->exe, cwd, cl) == 0 && d->exe[cl] == '/')
		memmove(d->exe, d->exe + cl + 1, strlen(d->exe + cl + 1) + 1);
}

static int
parse_port(const char *s, unsigned *out)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || (v != 0 && (v < 1 || v > 65533)))
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* The demo after option parsing: everything up to serving. */
static int
demo_run(struct demo *d)
{
	struct demo_node *no = &d->n[NORTH], *so = &d->n[SOUTH],
	    *is = &d->n[ISAC];
	char path[DEMO_PATH_MAX];
	json_t *syncs;
	int state, bad = 0;

	state = dir_state(d->dir);
	if (state < 0) {
		say(d, "entente demo: %s is not a finished demo (a first run "
		    "that failed or was\ninterrupted, or another directory); "
		    "remove it (rm -rf %s) or choose\nanother --dir\n", d->dir,
		    d->dir);
		return CLI_EXIT_ERROR;
	}
	d->first = state == 0;
	if (json_object_set_new(d->rep, "first_run", json_boolean(d->first)) !=
	    0 || json_object_set_new(d->rep, "dir", json_string(d->dir)) != 0)
		return CLI_EXIT_ERROR;
	if (d->first && d->load && find_data(d, 0) != 0)
		return CLI_EXIT_ERROR;
	if (d->first) {
		if (setup(d) != 0)
			goto incomplete;
	} else {
		say(d, "\n[1/6] Reusing the nodes in %s (rm -rf %s starts "
		    "afresh)\n", d->dir, d->dir);
		for (int i = 0; i < N_NODES; i++)
			if (node_whoami(d, &d->n[i]) != 0)
				return CLI_EXIT_ERROR;
		say(d, "\n[2/6] New admin tokens (only their hashes are "
		    "kept)\n");
		for (int i = 0; i < N_NODES; i++)
			if (issue_token(d, &d->n[i], d->n[i].party,
			    d->n[i].token, sizeof(d->n[i].token)) != 0)
				return CLI_EXIT_ERROR;
	}
	say(d, "\n[3/6] Starting the three servers and recording the "
	    "partners\n");
	for (int i = 0; i < N_NODES; i++)
		if (node_start(d, &d->n[i], d->port == 0 ? 0 : d->port +
		    (unsigned)i, i == NORTH && !d->once) != 0)
			goto incomplete;
	if (ensure_partner(d, so, no) != 0 || ensure_partner(d, is, so) != 0 ||
	    node_collections(d, no) != 0)
		goto incomplete;
	if (d->first && d->load && load(d) != 0)
		goto incomplete;
	if (d->first && !d->load)
		say(d, "\n[4/6] Not loading anything (--no-load)\n");
	else if (!d->first)
		say(d, "\n[4/6] Content was loaded on the first run\n");
	if (d->first) {
		if (cli_path(path, sizeof(path), d->dir, DEMO_READY_FILE) !=
		    ERR_OK || cli_write_atomic(path, "entente demo\n", 13,
		    0600) != ERR_OK) {
			say(d, "entente demo: cannot write %s\n", path);
			goto incomplete;
		}
	}
	say(d, "\n[5/6] Syncing: CERT-South pulls from CERT-North, then "
	    "Energy-ISAC from CERT-South\n");
	if ((syncs = json_array()) == NULL ||
	    json_object_set_new(d->rep, "sync", syncs) != 0)
		return CLI_EXIT_ERROR;
	for (int i = SOUTH; i <= ISAC; i++) {
		int r = sync_node(d, &d->n[i], syncs);

		if (r < 0 || demo_stop)
			return CLI_EXIT_ERROR;
		bad |= r;
	}
	say(d, "\n[6/6] What each party received, and why\n");
	if (holdings(d) != 0)
		return CLI_EXIT_ERROR;
	if ((state = explain_all(d)) < 0)
		return CLI_EXIT_ERROR;
	bad |= state;
	if (!d->once) {
		say(d, "\nRestarting CERT-South's and Energy-ISAC's servers "
		    "with a background sync every %s\n", DEMO_SYNC_EVERY);
		for (int i = SOUTH; i <= ISAC; i++) {
			unsigned port = d->n[i].port;

			if (nodes_stop(d, i, i + 1) != 0 ||
			    node_start(d, &d->n[i], port, 1) != 0)
				return CLI_EXIT_ERROR;
		}
	}
	if (final_words(d) != 0)
		return CLI_EXIT_ERROR;
	d->ok = !bad;
	return CLI_EXIT_OK;
incomplete:
	if (d->first && !demo_stop)
		say(d, "entente demo: the first run failed; %s is incomplete: "
		    "remove it (rm -rf %s)\nbefore running the demo again\n",
		    d->dir, d->dir);
	else if (d->first)
		say(d, "entente demo: interrupted; %s is incomplete: remove it "
		    "(rm -rf %s)\n", d->dir, d->dir);
	return CLI_EXIT_ERROR;
}

int
cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "port", required_argument, NULL, DOPT_PORT },
		{ "no-load", no_argument, NULL, DOPT_NO_LOAD },
		{ "once", no_argument, NULL, DOPT_ONCE },
		{ "small", no_argument, NULL, DOPT_SMALL },
		{ "data", required_argument, NULL, DOPT_DATA },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct sigaction sa, old_int, old_term, old_hup, old_pipe;
	struct demo *d;
	int c, rc, data_given = 0, stop_rc;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		fprintf(stderr, "entente demo: out of memory\n");
		return CLI_EXIT_ERROR;
	}
	d->dir = DEMO_DIR_DEFAULT;
	d->port = DEMO_PORT_DEFAULT;
	d->load = 1;
	d->out = stdout;
	(void)fmt(d->data, sizeof(d->data), "%s", DEMO_DATA_DEFAULT);
	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR:
			d->dir = optarg;
			break;
		case DOPT_PORT:
			if (parse_port(optarg, &d->port) != 0) {
				fprintf(stderr, "entente demo: --port: 0, or "
				    "1-65533 (three ports from it)\n");
				free(d);
				return CLI_EXIT_USAGE;
			}
			break;
		case DOPT_NO_LOAD:
			d->load = 0;
			break;
		case DOPT_ONCE:
			d->once = 1;
			break;
		case DOPT_SMALL:
			d->small = 1;
			break;
		case DOPT_DATA:
			if (fmt(d->data, sizeof(d->data), "%s", optarg) != 0) {
				fprintf(stderr, "entente demo: --data too "
				    "long\n");
				free(d);
				return CLI_EXIT_USAGE;
			}
			data_given = 1;
			break;
		case OPT_JSON:
			d->json = 1;
			break;
		case OPT_HELP:
			demo_usage(stdout);
			free(d);
			return CLI_EXIT_OK;
		default:
			demo_usage(stderr);
			free(d);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc || d->dir[0] == '\0') {
		demo_usage(stderr);
		free(d);
		return CLI_EXIT_USAGE;
	}
	if (d->json)
		d->out = stderr;
	exe_name(d);
	if (nodes_init(d) != 0 || (d->rep = json_object()) == NULL) {
		free(d);
		return CLI_EXIT_USAGE;
	}
	if (sync_http_init() != ERR_OK) {
		fprintf(stderr, "entente demo: cannot initialize libcurl\n");
		json_decref(d->rep);
		free(d);
		return CLI_EXIT_ERROR;
	}
	/* A Ctrl-C reaches the demo only (its children have their own
	 * process group): it stops them itself, cleanly. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, &old_int);
	(void)sigaction(SIGTERM, &sa, &old_term);
	(void)sigaction(SIGHUP, &sa, &old_hup);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, &old_pipe);
	if (data_given && d->load && find_data(d, 1) != 0) {
		rc = CLI_EXIT_ERROR;
		goto out;
	}
	say(d, "entente demo: three parties on 127.0.0.1 (docs/demo.md)\n");
	rc = demo_run(d);
	if (rc == CLI_EXIT_OK) {
		json_t *p = json_pack("{s:b, s:b}", "ok", d->ok, "serving",
		    !d->once);
		struct buf b;

		buf_init(&b, DEMO_OUT_MAX);
		if (p == NULL || json_object_update(d->rep, p) != 0) {
			rc = CLI_EXIT_ERROR;
		} else if (d->json) {
			if (jsonmem_dump(d->rep, &b) == ERR_OK)
				printf("%s\n", b.ptr);
			else
				rc = CLI_EXIT_ERROR;
			(void)fflush(stdout);
		}
		json_decref(p);
		buf_reset(&b);
		if (!d->ok)
			say(d, "\nentente demo: WARNING: not everything went "
			    "well; see above\n");
	}
	if (rc == CLI_EXIT_OK && !d->once && serve_forever(d) != 0)
		rc = CLI_EXIT_ERROR;
	if (rc == CLI_EXIT_OK && d->once && !d->ok)
		rc = CLI_EXIT_ERROR;
out:
	stop_rc = nodes_stop(d, 0, N_NODES);
	if (rc == CLI_EXIT_OK && stop_rc != 0)
		rc = CLI_EXIT_ERROR;
	if (rc == CLI_EXIT_OK && !d->once)
		say(d, "Stopped.\n");
	(void)sigaction(SIGINT, &old_int, NULL);
	(void)sigaction(SIGTERM, &old_term, NULL);
	(void)sigaction(SIGHUP, &old_hup, NULL);
	(void)sigaction(SIGPIPE, &old_pipe, NULL);
	for (int i = 0; i < N_NODES; i++)
		crypto_wipe(d->n[i].token, sizeof(d->n[i].token));
	json_decref(d->rep);
	free(d);
	return rc;
}
