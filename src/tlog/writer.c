/*
 * writer.c: group commit of delivery leaves and periodic checkpoints.  See
 * writer.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"
#include "store/store.h"
#include "tlog/leaf.h"
#include "tlog/tree.h"
#include "tlog/writer.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

/* One leaf waiting for its commit; lives on the waiting thread's stack. */
struct pending {
	struct pending	*next;
	struct buf	 enc;		/* the encoded leaf */
	uint64_t	 index;
	enum err	 err;
	int		 done;
};

struct tlog_writer {
	pthread_t		 th;
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;	/* the writer waits on it */
	pthread_cond_t		 done;	/* waiting requests wait on it */
	struct pending		*head, *tail;
	int			 stopping;
	struct store		*st;
	struct tlog_signer	 signer;
	unsigned		 interval_ms;
};

/* Issue a checkpoint if the tree grew; log failures. */
static void
checkpoint(struct tlog_writer *w)
{
	uint64_t size;
	int issued;
	enum err err;

	err = tlog_tree_checkpoint(w->st, &w->signer, ts_now_us(), &size,
	    &issued);
	if (err != ERR_OK)
		log_err("tlog: cannot issue a checkpoint: %s", err_str(err));
	else if (issued)
		log_info("tlog: checkpoint issued at size %llu",
		    (unsigned long long)size);
}

/* Append and commit the batch list; set each entry's result. */
static void
commit_batch(struct tlog_writer *w, struct pending *list)
{
	struct tlog_appender a;
	struct pending *p;
	enum err err;

	if ((err = store_begin(w->st)) == ERR_OK) {
		err = tlog_appender_begin(&a, w->st);
		for (p = list; err == ERR_OK && p != NULL; p = p->next)
			err = tlog_appender_add(&a, (const uint8_t *)p->enc.ptr,
			    p->enc.len, &p->index);
		tlog_appender_done(&a);
		if (err == ERR_OK)
			err = store_commit(w->st);
		else
			store_rollback(w->st);
	}
	if (err != ERR_OK)
		log_err("tlog: cannot commit %s delivery leaves: %s",
		    list->next != NULL ? "a batch of" : "one", err_str(err));
	for (p = list; p != NULL; p = p->next)
		p->err = err;
}

/* Absolute CLOCK_MONOTONIC time ms milliseconds from now (the clock of
 * the work condition variable). */
static struct timespec
deadline(unsigned ms)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static void *
writer_main(void *arg)
{
	struct tlog_writer *w = arg;
	struct pending *list, *p;
	struct timespec next = deadline(w->interval_ms), now;
	int stop;

	(void)pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->head == NULL && !w->stopping) {
			if (pthread_cond_timedwait(&w->work, &w->mu, &next) ==
			    ETIMEDOUT)
				break;
		}
		list = w->head;
		w->head = w->tail = NULL;
		stop = w->stopping;
		(void)pthread_mutex_unlock(&w->mu);

		if (list != NULL)
			commit_batch(w, list);
		(void)clock_gettime(CLOCK_MONOTONIC, &now);
		if (stop || now.tv_sec > next.tv_sec ||
		    (now.tv_sec == next.tv_sec && now.tv_nsec >= next.tv_nsec)) {
			checkpoint(w);
			next = deadline(w->interval_ms);
		}

		(void)pthread_mutex_lock(&w->mu);
		for (p = list; p != NULL; p = p->next)
			p->done = 1;
		if (list != NULL)
			(void)pthread_cond_broadcast(&w->done);
		if (stop && w->head == NULL)
			break;
	}
	(void)pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Start.  See writer.h. */
enum err
tlog_writer_start(const char *db_path, const struct tlog_signer *signer,
    unsigned interval_ms, struct tlog_writer **out)
{
	struct tlog_writer *w;
	pthread_condattr_t ca;
	enum err err;

	*out = NULL;
	if (interval_ms < TLOG_WRITER_INTERVAL_MIN_MS ||
	    interval_ms > TLOG_WRITER_INTERVAL_MAX_MS)
		return ERR_RANGE;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return ERR_NOMEM;
	w->signer = *signer;
	w->interval_ms = interval_ms;
	if ((err = store_open(db_path, 0, &w->st)) != ERR_OK) {
		free(w);
		return err;
	}
	/* The first checkpoint, so that one always exists while serving. */
	checkpoint(w);
	if (pthread_condattr_init(&ca) != 0) {
		err = ERR_NOMEM;
		goto fail_store;
	}
	/* Checkpoint intervals must not jump with the wall clock. */
	if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0) {
		(void)pthread_condattr_destroy(&ca);
		err = ERR_NOMEM;
		goto fail_store;
	}
	if (pthread_mutex_init(&w->mu, NULL) != 0) {
		(void)pthread_condattr_destroy(&ca);
		err = ERR_NOMEM;
		goto fail_store;
	}
	if (pthread_cond_init(&w->work, &ca) != 0) {
		err = ERR_NOMEM;
		goto fail_mu;
	}
	if (pthread_cond_init(&w->done, NULL) != 0) {
		err = ERR_NOMEM;
		goto fail_work;
	}
	if (pthread_create(&w->th, NULL, writer_main, w) != 0) {
		err = ERR_NOMEM;
		goto fail_done;
	}
	(void)pthread_condattr_destroy(&ca);
	*out = w;
	return ERR_OK;
fail_done:
	(void)pthread_cond_destroy(&w->done);
fail_work:
	(void)pthread_cond_destroy(&w->work);
fail_mu:
	(void)pthread_mutex_destroy(&w->mu);
	(void)pthread_condattr_destroy(&ca);
fail_store:
	store_close(w->st);
	crypto_wipe(w->signer.seed, sizeof(w->signer.seed));
	free(w);
	return err;
}

/* Hand a delivery leaf over and wait for its commit.  See writer.h. */
enum err
tlog_writer_deliver(struct tlog_writer *w, const struct tlog_leaf *l,
    uint64_t *index_out)
{
	struct pending p;
	enum err err;

	memset(&p, 0, sizeof(p));
	buf_init(&p.enc, TLOG_LEAF_MAX_BYTES);
	if ((err = tlog_leaf_encode(l, &p.enc)) != ERR_OK)
		goto out;
	(void)pthread_mutex_lock(&w->mu);
	if (w->stopping) {
		(void)pthread_mutex_unlock(&w->mu);
		err = ERR_BUSY;
		goto out;
	}
	if (w->tail != NULL)
		w->tail->next = &p;
	else
		w->head = &p;
	w->tail = &p;
	(void)pthread_cond_signal(&w->work);
	while (!p.done)
		(void)pthread_cond_wait(&w->done, &w->mu);
	(void)pthread_mutex_unlock(&w->mu);
	if ((err = p.err) == ERR_OK && index_out != NULL)
		*index_out = p.index;
out:
	buf_reset(&p.enc);
	return err;
}

/* Stop.  See writer.h. */
void
tlog_writer_stop(struct tlog_writer *w)
{
	if (w == NULL)
		return;
	(void)pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	(void)pthread_cond_signal(&w->work);
	(void)pthread_mutex_unlock(&w->mu);
	(void)pthread_join(w->th, NULL);
	(void)pthread_cond_destroy(&w->done);
	(void)pthread_cond_destroy(&w->work);
	(void)pthread_mutex_destroy(&w->mu);
	store_close(w->st);
	crypto_wipe(w->signer.seed, sizeof(w->signer.seed));
	free(w);
}
