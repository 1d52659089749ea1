/*
 * cmd_sync.c: `entente sync` pulls from every partner's node what it
 * shares with this node, verifies its log and cosigns it (docs/sync.md);
 * and the background syncer `serve --sync-every` runs.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "crypto/crypto.h"
#include "sync/client.h"
#include "sync/sync.h"
#include "tlog/tree.h"
#include "util/jsonmem.h"
#include "util/log.h"
#include "util/timeutil.h"

/* Options of this command only (clear of opt.h's shared range). */
enum {
	YOPT_ONCE = 1200,
	YOPT_EVERY,
	YOPT_FORCE
};

#define SYNC_EVERY_DEFAULT	30u
#define SYNC_EVERY_MIN		1u
#define SYNC_EVERY_MAX		86400u

static void
sync_usage(FILE *f)
{
	fprintf(f, "usage: entente sync [--once] [--every DUR] [--force] "
	    "[--dir DIR] [--json]\n\n"
	    "Pull from every partner's node (entente partner add) the objects\n"
	    "its agreements with this node share, in every collection it lets\n"
	    "this node read that has a collection of the same name (or id)\n"
	    "here; keep only what a share clause from it covers; verify its\n"
	    "transparency log (signature, consistency with what was seen\n"
	    "before, inclusion of every page received) and cosign it.  A log\n"
	    "that contradicts itself halts the partner and keeps the evidence\n"
	    "in DIR/evidence/; other failures are retried with backoff.\n\n"
	    "  --once       one pass, then exit (default: every --every until\n"
	    "               SIGINT or SIGTERM)\n"
	    "  --every DUR  seconds between passes: N, Ns, Nm or Nh (default "
	    "30s)\n"
	    "  --force      also partners still backing off after failures\n"
	    "  --json       one JSON object per partner and pass\n\n"
	    "Exit status (--once): 0 every partner synced or skipped, 1 one "
	    "failed,\n5 one's log is inconsistent (halted).\n");
}

int
cli_parse_seconds(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long v = 0, mul = 1;
	size_t n = s != NULL ? strlen(s) : 0, i;

	if (n == 0 || n > 12)
		return -1;
	if (s[n - 1] == 's' || s[n - 1] == 'm' || s[n - 1] == 'h') {
		mul = s[n - 1] == 's' ? 1 : s[n - 1] == 'm' ? 60 : 3600;
		n--;
	}
	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return -1;
	}
	v *= mul;
	if (v < min || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

struct printer {
	int		json;
	int		halted;
	size_t		failed;
};

static void
print_report(void *arg, const struct sync_report *r)
{
	struct printer *pr = arg;
	const char *state = r->halted ? "halted" : r->skipped ? "skipped" :
	    r->ok ? "ok" : "failed";

	if (r->halted)
		pr->halted = 1;
	if (!r->ok && !r->skipped)
		pr->failed++;
	if (pr->json) {
		json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, "
		    "s:I, s:b, s:s, s:I, s:I}", "partner", r->name, "state",
		    state,
		    "collections", (json_int_t)r->n_collections, "pages",
		    (json_int_t)r->n_pages, "added", (json_int_t)r->n_added,
		    "already_here", (json_int_t)r->n_dup, "refused",
		    (json_int_t)r->n_refused, "log_size",
		    (json_int_t)r->log_size, "deliveries_proved",
		    (json_int_t)r->n_proved, "cosigned", r->cosigned, "why",
		    r->why, "pushed", (json_int_t)r->n_pushed,
		    "push_refused", (json_int_t)r->n_push_refused);
		struct buf b;

		buf_init(&b, 64 * 1024);
		if (j != NULL && jsonmem_dump(j, &b) == ERR_OK)
			printf("%s\n", b.ptr);
		buf_reset(&b);
		json_decref(j);
		fflush(stdout);
		return;
	}
	if (r->skipped)
		printf("%s: skipped: %s\n", r->name, r->why);
	else if (r->halted)
		printf("%s: HALTED: %s\n", r->name, r->why);
	else if (!r->ok)
		printf("%s: FAILED after %zu new: %s\n", r->name, r->n_added,
		    r->why);
	else
		printf("%s: ok: %zu collection(s), %zu page(s): %zu new, %zu "
		    "already here, %zu refused; %zu of ours pushed (%zu refused "
		    "by it); its log verified at size %llu, %zu deliveries "
		    "proved included%s\n", r->name, r->n_collections,
		    r->n_pages, r->n_added, r->n_dup, r->n_refused, r->n_pushed,
		    r->n_push_refused, (unsigned long long)r->log_size,
		    r->n_proved, r->cosigned ? ", cosigned" : "");
	fflush(stdout);
}

static volatile sig_atomic_t stop_flag;

static void
on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

int
cmd_sync(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "once", no_argument, NULL, YOPT_ONCE },
		{ "every", required_argument, NULL, YOPT_EVERY },
		{ "force", no_argument, NULL, YOPT_FORCE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = CLI_DEFAULT_DIR;
	struct tlog_signer signer;
	struct node_policy *np = NULL;
	struct sync_opts so;
	struct printer pr;
	struct store *st = NULL;
	char evdir[4096];
	unsigned every = SYNC_EVERY_DEFAULT;
	int once = 0, force = 0, json = 0, c, rc;
	enum err err;

	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR:
			dir = optarg;
			break;
		case YOPT_ONCE:
			once = 1;
			break;
		case YOPT_EVERY:
			if (cli_parse_seconds(optarg, SYNC_EVERY_MIN,
			    SYNC_EVERY_MAX, &every) != 0) {
				fprintf(stderr, "entente sync: --every: a "
				    "duration of 1s to 24h (N, Ns, Nm, Nh)\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case YOPT_FORCE:
			force = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_HELP:
			sync_usage(stdout);
			return CLI_EXIT_OK;
		default:
			sync_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		sync_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (sync_http_init() != ERR_OK)
		return CLI_EXIT_ERROR;
	if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
		return rc;
	memset(&signer, 0, sizeof(signer));
	if ((rc = cli_log_signer(dir, st, &signer)) != CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_ERROR;
	if (cli_path(evdir, sizeof(evdir), dir, "evidence") != ERR_OK ||
	    node_policy_new(&np) != ERR_OK)
		goto out;
	memset(&so, 0, sizeof(so));
	so.evidence_dir = evdir;
	so.signer = &signer;
	so.policy = np;
	so.force = force;
	if (!once) {
		(void)signal(SIGINT, on_stop);
		(void)signal(SIGTERM, on_stop);
	}
	for (;;) {
		memset(&pr, 0, sizeof(pr));
		pr.json = json;
		err = sync_all(st, &so, print_report, &pr, NULL);
		if (err != ERR_OK) {
			fprintf(stderr, "entente sync: %s\n", err_str(err));
			goto out;
		}
		if (once)
			break;
		for (unsigned i = 0; i < every * 10 && !stop_flag; i++) {
			struct timespec t = { 0, 100 * 1000 * 1000 };
			(void)nanosleep(&t, NULL);
		}
		if (stop_flag)
			break;
	}
	rc = once && pr.halted ? CLI_EXIT_EVIDENCE : once && pr.failed > 0 ?
	    CLI_EXIT_ERROR : CLI_EXIT_OK;
out:
	crypto_wipe(signer.seed, sizeof(signer.seed));
	node_policy_free(np);
	store_close(st);
	return rc;
}

/* ---- the background syncer of serve ---- */

struct cli_syncer {
	pthread_t		 th;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 stop;
	unsigned		 every;
	char			*db_path;
	char			 evdir[4096];
	struct tlog_signer	 signer;
};

static void *
syncer_main(void *arg)
{
	struct cli_syncer *s = arg;
	struct node_policy *np = NULL;
	struct store *st = NULL;
	struct sync_opts so;
	struct timespec until;
	size_t failed;

	if (store_open(s->db_path, 0, &st) != ERR_OK ||
	    node_policy_new(&np) != ERR_OK) {
		log_err("sync: cannot open the database; background sync "
		    "stopped");
		goto out;
	}
	memset(&so, 0, sizeof(so));
	so.evidence_dir = s->evdir;
	so.signer = &s->signer;
	so.policy = np;
	for (;;) {
		(void)pthread_mutex_lock(&s->mu);
		if (s->stop) {
			(void)pthread_mutex_unlock(&s->mu);
			break;
		}
		(void)pthread_mutex_unlock(&s->mu);
		if (sync_all(st, &so, NULL, NULL, &failed) != ERR_OK)
			log_err("sync: the database failed during a pass");
		(void)clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)s->every;
		(void)pthread_mutex_lock(&s->mu);
		while (!s->stop && pthread_cond_timedwait(&s->cv, &s->mu,
		    &until) != ETIMEDOUT)
			;
		(void)pthread_mutex_unlock(&s->mu);
	}
out:
	node_policy_free(np);
	store_close(st);
	return NULL;
}

enum err
cli_syncer_start(const char *db_path, const char *dir,
    const struct tlog_signer *signer, unsigned every,
    struct cli_syncer **out)
{
	pthread_condattr_t ca;
	struct cli_syncer *s;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->db_path = strdup(db_path)) == NULL) {
		free(s);
		return ERR_NOMEM;
	}
	if (cli_path(s->evdir, sizeof(s->evdir), dir, "evidence") != ERR_OK) {
		free(s->db_path);
		free(s);
		return ERR_TOOBIG;
	}
	s->every = every;
	s->signer = *signer;
	if (pthread_mutex_init(&s->mu, NULL) != 0)
		goto fail;
	if (pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&s->cv, &ca) != 0) {
		(void)pthread_mutex_destroy(&s->mu);
		goto fail;
	}
	(void)pthread_condattr_destroy(&ca);
	if (pthread_create(&s->th, NULL, syncer_main, s) != 0) {
		(void)pthread_cond_destroy(&s->cv);
		(void)pthread_mutex_destroy(&s->mu);
		goto fail;
	}
	*out = s;
	return ERR_OK;
fail:
	crypto_wipe(s->signer.seed, sizeof(s->signer.seed));
	free(s->db_path);
	free(s);
	return ERR_NOMEM;
}

void
cli_syncer_stop(struct cli_syncer *s)
{
	if (s == NULL)
		return;
	(void)pthread_mutex_lock(&s->mu);
	s->stop = 1;
	(void)pthread_cond_broadcast(&s->cv);
	(void)pthread_mutex_unlock(&s->mu);
	(void)pthread_join(s->th, NULL);
	(void)pthread_cond_destroy(&s->cv);
	(void)pthread_mutex_destroy(&s->mu);
	crypto_wipe(s->signer.seed, sizeof(s->signer.seed));
	free(s->db_path);
	free(s);
}
