/*
 * cmd_match.c: `entente match` checks log files against the node's usable
 * indicators and prints one JSON line per hit; with --sightings it also
 * stores what it saw as STIX sightings, through the same TAXII ingest path
 * as any upload.
 *
 * Pipeline: the main thread reads blocks of whole lines (match/reader.h)
 * and hands them to worker threads, each with its own scanner and line
 * parsers; results come back per block and are written in input order, so
 * the output does not depend on --threads.  Formats whose parser keeps a
 * header (CSV, TSV, Zeek) are read on the main thread alone.  Free text
 * is scanned a block at a time, not a line at a time: line numbers are
 * counted only where a hit is.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "crypto/crypto.h"
#include "match/format.h"
#include "match/matchset.h"
#include "match/reader.h"
#include "match/scan.h"
#include "taxii/taxii.h"
#include "util/buf.h"
#include "util/jsonmem.h"
#include "util/limits.h"
#include "util/timeutil.h"
#include "util/uuid.h"

/* Options of this command only (after opt.h's shared ones). */
enum {
	OPT_M_FORMAT = 512,
	OPT_M_COUNT,
	OPT_M_SIGHTINGS,
	OPT_M_COLLECTION,
	OPT_M_UNSUPPORTED,
};

#define MATCH_THREADS_MAX	64
/* Output of one block, at most (a block of 1 MiB of hits). */
#define JOB_OUT_MAX		(512u * 1024u * 1024u)
/* Sightings per posted envelope. */
#define SIGHTINGS_PER_POST	1000u
#define STIX_COUNT_MAX		999999999
#define PROGRESS_US		500000

struct mfile {
	const char		*path;
	int			 opened;
	enum match_format	 fmt;
	char			*name_json;	/* the path as a JSON string */
	uint64_t		 hits;
	uint64_t		 hit_lines;
	uint64_t		 bad;
	uint64_t		 lines;
	uint64_t		 overlong;
	uint64_t		 bytes;
};

/* One (indicator, time) pair per hit, for --sightings. */
struct seen {
	uint32_t	ind;
	int64_t		t_us;	/* 0: the line's time is not known */
};

struct job {
	char		*blk;
	size_t		 len;
	uint64_t	 first_line;
	struct mfile	*f;
	int		 state;
	/* Results. */
	struct buf	 out;
	uint64_t	 hits;
	uint64_t	 hit_lines;
	uint64_t	 bad;
	struct seen	*seen;
	size_t		 n_seen;
	size_t		 cap_seen;
	enum err	 err;
};

enum { J_FREE = 0, J_FILLED, J_TAKEN, J_DONE };

struct run {
	const struct match_set	*set;
	int			 count_only;
	int			 sightings;
	unsigned		 threads;
	/* The job ring. */
	struct job		*jobs;
	size_t			 n_jobs;
	size_t			 next_fill;
	size_t			 next_take;
	size_t			 next_emit;
	int			 stop;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv_work;
	pthread_cond_t		 cv_done;
	/* Totals, progress. */
	uint64_t		 hits;
	uint64_t		 hit_lines;
	uint64_t		 bad;
	uint64_t		 lines;
	uint64_t		 overlong;
	uint64_t		 bytes;
	int			 tty;
	int64_t			 last_progress;
	enum err		 err;
	/* Sightings: per indicator. */
	struct agg		*agg;
	size_t			 agg_cap;
	size_t			 agg_n;
};

struct agg {
	uint32_t	ind;	/* index + 1; 0: empty slot */
	uint64_t	count;
	int64_t		first;	/* known times, 0 when none */
	int64_t		last;
};

/* What one worker (or the main thread) owns. */
struct worker {
	struct run		*run;
	struct match_scanner	*sc;
	struct match_parser	*parsers[MATCH_FMT_EVE + 1];
	struct match_field	*fields;
	pthread_t		 tid;
};

/* State of the hit callback for one line or block. */
struct hctx {
	struct worker		*w;
	struct job		*job;
	const char		*name;		/* field name */
	const char		*base;		/* hits are offsets into it */
	/* Text blocks: line numbers counted up to each hit. */
	const char		*blk;
	size_t			 counted;	/* blk bytes counted */
	uint64_t		 line;		/* line of blk[counted] */
	const char		*line_start;
	uint64_t		 last_hit_line;
	int64_t			 line_time;
	uint64_t		 time_line;	/* line whose time is cached */
	int			 url_only;	/* a URL composed by the parser */
};

static void
match_usage(FILE *f)
{
	fprintf(f,
	    "usage: entente match [--dir DIR] [--format F] [--count] "
	    "[--threads N]\n"
	    "                     [--sightings --collection UUID] "
	    "[--list-unsupported] FILE...\n\n"
	    "Check each FILE (- for standard input; gzip and zstd are read\n"
	    "transparently) against the node's usable indicators and print one\n"
	    "JSON line per hit: file, line, field, value, kind (exact,\n"
	    "subdomain or cidr), type, matched, indicators.  A summary goes to\n"
	    "stderr.\n\n"
	    "  --format F          auto (default), text, jsonl, csv, tsv, bind,\n"
	    "                      squid, zeek or eve\n"
	    "  --count             print per-file counts instead of hits\n"
	    "  --threads N         scanning threads (default: CPU count)\n"
	    "  --sightings         store a STIX sighting per indicator seen,\n"
	    "                      in collection --collection UUID\n"
	    "  --list-unsupported  print the indicators that cannot be matched\n"
	    "                      and why (JSON lines); FILE is then optional\n");
}

/* -- JSON output */

/* Length of the valid UTF-8 sequence at s[0..n), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t need, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

/* Append s[0..n) as a JSON string; invalid UTF-8 becomes U+FFFD. */
static enum err
json_str(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	enum err err;
	size_t i = 0, run = 0;

	if ((err = buf_addc(b, '"')) != ERR_OK)
		return err;
	while (i < n) {
		size_t l = u[i] >= 0x20 && u[i] != '"' && u[i] != '\\' &&
		    u[i] < 0x80 ? 1 : 0;

		if (l == 1) {
			i++;
			run++;
			continue;
		}
		if (run > 0 && (err = buf_add(b, s + i - run, run)) != ERR_OK)
			return err;
		run = 0;
		if (u[i] == '"' || u[i] == '\\') {
			char esc[2] = { '\\', (char)u[i] };

			err = buf_add(b, esc, 2);
			i++;
		} else if (u[i] < 0x20) {
			err = buf_addf(b, "\\u%04x", u[i]);
			i++;
		} else if ((l = utf8_len(u + i, n - i)) > 0) {
			err = buf_add(b, s + i, l);
			i += l;
		} else {
			err = buf_addstr(b, "\\ufffd");
			i++;
		}
		if (err != ERR_OK)
			return err;
	}
	if (run > 0 && (err = buf_add(b, s + i - run, run)) != ERR_OK)
		return err;
	return buf_addc(b, '"');
}

/* -- Times of log lines (for sightings) */

/* Seconds since the epoch with an optional fraction: microseconds. */
static int64_t
time_epoch(const char *s, size_t n)
{
	int64_t sec = 0, us = 0, scale = 100000;
	size_t i = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9' && i < 11)
		sec = sec * 10 + (s[i++] - '0');
	if (i < 9 || i > 10)
		return 0;	/* 2001 to 2286 */
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			us += (s[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '"' &&
	    s[i] != ',')
		return 0;
	return sec * 1000000 + us;
}

/* "YYYY-MM-DD[T ]HH:MM:SS[.f][Z|+hh:mm|+hhmm]" at s: microseconds. */
static int64_t
time_rfc3339(const char *s, size_t n)
{
	char tmp[40];
	size_t i = 19, k;
	int64_t us, off = 0;
	int sign;

	if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' &&
	    s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return 0;
	if (i < n && s[i] == '.')
		for (i++; i < n && i < 30 && s[i] >= '0' && s[i] <= '9'; i++)
			;
	memcpy(tmp, s, i);
	tmp[10] = 'T';
	tmp[i] = 'Z';
	k = i + 1;
	if (i < n && (s[i] == '+' || s[i] == '-') && n - i >= 5) {
		int hh, mm;
		size_t m = i + 1;

		sign = s[i] == '-' ? -1 : 1;
		if (s[m] < '0' || s[m] > '9' || s[m + 1] < '0' ||
		    s[m + 1] > '9')
			return 0;
		hh = (s[m] - '0') * 10 + (s[m + 1] - '0');
		m += 2;
		if (m < n && s[m] == ':')
			m++;
		if (m + 1 >= n + 0 || s[m] < '0' || s[m] > '9' ||
		    s[m + 1] < '0' || s[m + 1] > '9')
			return 0;
		mm = (s[m] - '0') * 10 + (s[m + 1] - '0');
		off = sign * ((int64_t)hh * 3600 + mm * 60) * 1000000;
	}
	if (ts_parse(tmp, k, &us, NULL) != ERR_OK)
		return 0;
	return us - off;
}

/* BIND: "23-Nov-2026 17:06:01.123". */
static int64_t
time_bind(const char *s, size_t n)
{
	static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char tmp[40];
	int m = -1;

	if (n < 20 || s[2] != '-' || s[6] != '-' || s[11] != ' ')
		return 0;
	for (int i = 0; i < 12; i++)
		if (memcmp(s + 3, mon + 3 * i, 3) == 0)
			m = i + 1;
	if (m < 0)
		return 0;
	(void)snprintf(tmp, sizeof(tmp), "%.4s-%02d-%.2sT%.12s", s + 7, m, s,
	    s + 12);
	return time_rfc3339(tmp, strnlen(tmp, 40) > 31 ? 31 :
	    strnlen(tmp, 40));
}

/* The time of a log line when its format carries one, else 0. */
static int64_t
line_time(enum match_format fmt, const char *s, size_t n)
{
	static const char *const keys[] = { "\"timestamp\":\"",
	    "\"@timestamp\":\"", "\"ts\":\"", "\"ts\":", "\"time\":\"" };
	const char *p;

	switch (fmt) {
	case MATCH_FMT_SQUID:
	case MATCH_FMT_ZEEK:
		return time_epoch(s, n);
	case MATCH_FMT_BIND:
		return time_bind(s, n);
	case MATCH_FMT_EVE:
	case MATCH_FMT_JSONL:
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t kl = strlen(keys[k]);

			if ((p = memmem(s, n, keys[k], kl)) != NULL) {
				size_t rest = n - (size_t)(p + kl - s);
				int64_t t = time_rfc3339(p + kl, rest);

				return t != 0 ? t : time_epoch(p + kl, rest);
			}
		}
		return 0;
	default:
		return time_rfc3339(s, n);
	}
}

/* -- Hits */

static enum err
seen_add(struct job *j, uint32_t ind, int64_t t)
{
	if (j->n_seen == j->cap_seen) {
		size_t ncap = j->cap_seen ? j->cap_seen * 2 : 256;
		struct seen *ns;

		if (ncap > (SIZE_MAX / sizeof(*ns)) / 2)
			return ERR_TOOBIG;
		if ((ns = realloc(j->seen, ncap * sizeof(*ns))) == NULL)
			return ERR_NOMEM;
		j->seen = ns;
		j->cap_seen = ncap;
	}
	j->seen[j->n_seen].ind = ind;
	j->seen[j->n_seen].t_us = t;
	j->n_seen++;
	return ERR_OK;
}

/* Write one hit of line `line` (whose text starts at ls, len ll). */
static enum err
emit_hit(struct hctx *c, const struct match_hit *h, uint64_t line,
    const char *ls, size_t ll)
{
	const struct match_set *set = c->w->run->set;
	struct job *j = c->job;
	struct buf *b = &j->out;
	char v[MATCH_VALUE_MAX], id[LIM_STIX_ID + 1];
	size_t n = match_set_hit_n_ids(set, h);
	enum err err = ERR_OK;

	j->hits++;
	if (line != c->last_hit_line) {
		j->hit_lines++;
		c->last_hit_line = line;
	}
	if (c->w->run->sightings) {
		if (c->time_line != line) {
			c->line_time = line_time(j->f->fmt, ls, ll);
			c->time_line = line;
		}
		for (size_t i = 0; i < n && err == ERR_OK; i++)
			err = seen_add(j, match_set_hit_id(set, h, i),
			    c->line_time);
		if (err != ERR_OK)
			return err;
	}
	if (c->w->run->count_only)
		return ERR_OK;
	match_set_hit_value(set, h, v);
	if ((err = buf_addstr(b, "{\"file\":")) != ERR_OK ||
	    (err = buf_addstr(b, j->f->name_json)) != ERR_OK ||
	    (err = buf_addf(b, ",\"line\":%" PRIu64 ",\"field\":", line)) !=
	    ERR_OK ||
	    (err = json_str(b, c->name, strlen(c->name))) != ERR_OK ||
	    (err = buf_addstr(b, ",\"value\":")) != ERR_OK ||
	    (err = json_str(b, c->base + h->off, h->len)) != ERR_OK ||
	    (err = buf_addf(b, ",\"kind\":\"%s\",\"type\":\"%s\",\"matched\":",
	    match_hkind_name(h->kind), match_ikind_name(h->ikind))) != ERR_OK ||
	    (err = json_str(b, v, strlen(v))) != ERR_OK ||
	    (err = buf_addstr(b, ",\"indicators\":[")) != ERR_OK)
		return err;
	for (size_t i = 0; i < n; i++) {
		match_set_indicator_id(set, match_set_hit_id(set, h, i), id);
		if ((err = buf_addf(b, "%s\"%s\"", i ? "," : "", id)) != ERR_OK)
			return err;
	}
	return buf_addstr(b, "]}\n");
}

/* A hit in a text block: count lines up to it first. */
static enum err
text_hit(void *arg, const struct match_hit *h)
{
	struct hctx *c = arg;
	const char *at = c->blk + h->off, *from = c->blk + c->counted;
	const char *le;
	size_t n;

	if (h->off > c->counted) {
		n = match_count_newlines(from, h->off - c->counted);
		if (n > 0) {
			c->line += n;
			c->line_start = (const char *)memrchr(from, '\n',
			    h->off - c->counted) + 1;
		}
		c->counted = h->off;
	}
	n = 0;
	if (c->w->run->sightings) {
		le = memchr(at, '\n', c->job->len - h->off);
		n = le ? (size_t)(le - c->line_start) : (size_t)(c->blk +
		    c->job->len - c->line_start);
	}
	return emit_hit(c, h, c->line, c->line_start, n);
}

/* A hit in a field of a parsed line. */
static enum err
field_hit(void *arg, const struct match_hit *h)
{
	struct hctx *c = arg;

	/* The host of a composed URL is a field of its own already. */
	if (c->url_only && h->ikind != MATCH_I_URL)
		return ERR_OK;
	return emit_hit(c, h, c->line, c->line_start, c->counted);
}

static enum err
parser_for(struct worker *w, enum match_format fmt, struct match_parser **p)
{
	enum err err;

	if (w->parsers[fmt] == NULL &&
	    (err = match_parser_new(fmt, &w->parsers[fmt])) != ERR_OK)
		return err;
	*p = w->parsers[fmt];
	return ERR_OK;
}

/* Check the block of job j: hits go to j->out and j->seen. */
static enum err
process(struct worker *w, struct job *j)
{
	struct hctx c;
	struct match_parser *p;
	size_t at = 0, nf;
	enum err err;

	memset(&c, 0, sizeof(c));
	c.w = w;
	c.job = j;
	c.blk = j->blk;
	c.line = j->first_line;
	c.line_start = j->blk;
	c.time_line = UINT64_MAX;
	if (j->f->fmt == MATCH_FMT_TEXT) {
		c.name = "text";
		c.base = j->blk;
		return match_scan_text(w->sc, j->blk, j->len, text_hit, &c);
	}
	if ((err = parser_for(w, j->f->fmt, &p)) != ERR_OK)
		return err;
	while (at < j->len) {
		const char *s = j->blk + at;
		const char *e = memchr(s, '\n', j->len - at);
		size_t len = e ? (size_t)(e - s) : j->len - at;

		c.line_start = s;
		c.counted = len;
		err = match_parser_line(p, s, len, w->fields, MATCH_FIELDS_MAX,
		    &nf);
		if (err == ERR_NOMEM)
			return err;
		if (err != ERR_OK) {
			j->bad++;
			nf = 0;
		}
		for (size_t i = 0; i < nf; i++) {
			c.name = w->fields[i].name;
			c.base = w->fields[i].val;
			c.url_only = w->fields[i].kind == MATCH_V_URL &&
			    strchr(c.name, '+') != NULL;
			err = match_scan_value(w->sc, w->fields[i].kind,
			    w->fields[i].val, w->fields[i].len, field_hit, &c);
			if (err != ERR_OK)
				return err;
		}
		at += len + 1;
		c.line++;
	}
	return ERR_OK;
}

static void
job_reset(struct job *j)
{
	buf_clear(&j->out);
	j->hits = j->hit_lines = j->bad = 0;
	j->n_seen = 0;
	j->err = ERR_OK;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	struct job *j;

	for (;;) {
		(void)pthread_mutex_lock(&r->mu);
		while (r->next_take == r->next_fill && !r->stop)
			(void)pthread_cond_wait(&r->cv_work, &r->mu);
		if (r->next_take == r->next_fill) {
			(void)pthread_mutex_unlock(&r->mu);
			break;
		}
		j = &r->jobs[r->next_take++ % r->n_jobs];
		j->state = J_TAKEN;
		(void)pthread_mutex_unlock(&r->mu);
		j->err = process(w, j);
		(void)pthread_mutex_lock(&r->mu);
		j->state = J_DONE;
		(void)pthread_cond_broadcast(&r->cv_done);
		(void)pthread_mutex_unlock(&r->mu);
	}
	return NULL;
}

static enum err
worker_init(struct worker *w, struct run *r)
{
	memset(w, 0, sizeof(*w));
	w->run = r;
	if ((w->fields = calloc(MATCH_FIELDS_MAX, sizeof(*w->fields))) ==
	    NULL)
		return ERR_NOMEM;
	return match_scanner_new(r->set, &w->sc);
}

static void
worker_free(struct worker *w)
{
	match_scanner_free(w->sc);
	for (size_t i = 0; i < sizeof(w->parsers) / sizeof(w->parsers[0]); i++)
		match_parser_free(w->parsers[i]);
	free(w->fields);
}

/* -- Sightings aggregation (main thread) */

static enum err
agg_add(struct run *r, uint32_t ind, int64_t t)
{
	size_t pos;

	if ((r->agg_n + 1) * 2 > r->agg_cap) {
		size_t ncap = r->agg_cap ? r->agg_cap * 2 : 1024;
		struct agg *na = calloc(ncap, sizeof(*na));

		if (na == NULL)
			return ERR_NOMEM;
		for (size_t i = 0; i < r->agg_cap; i++) {
			if (r->agg[i].ind == 0)
				continue;
			pos = (r->agg[i].ind * 2654435761u) & (ncap - 1);
			while (na[pos].ind != 0)
				pos = (pos + 1) & (ncap - 1);
			na[pos] = r->agg[i];
		}
		free(r->agg);
		r->agg = na;
		r->agg_cap = ncap;
	}
	pos = ((ind + 1) * 2654435761u) & (r->agg_cap - 1);
	while (r->agg[pos].ind != 0 && r->agg[pos].ind != ind + 1)
		pos = (pos + 1) & (r->agg_cap - 1);
	if (r->agg[pos].ind == 0) {
		r->agg[pos].ind = ind + 1;
		r->agg_n++;
	}
	r->agg[pos].count++;
	if (t != 0) {
		if (r->agg[pos].first == 0 || t < r->agg[pos].first)
			r->agg[pos].first = t;
		if (t > r->agg[pos].last)
			r->agg[pos].last = t;
	}
	return ERR_OK;
}

/* Write out job j's results (main thread, in input order). */
static enum err
emit_job(struct run *r, struct job *j)
{
	enum err err = j->err;

	if (err == ERR_OK && j->out.len > 0 &&
	    fwrite(j->out.ptr, 1, j->out.len, stdout) != j->out.len)
		err = ERR_IO;
	j->f->hits += j->hits;
	j->f->hit_lines += j->hit_lines;
	j->f->bad += j->bad;
	r->hits += j->hits;
	r->hit_lines += j->hit_lines;
	r->bad += j->bad;
	for (size_t i = 0; err == ERR_OK && i < j->n_seen; i++)
		err = agg_add(r, j->seen[i].ind, j->seen[i].t_us);
	return err;
}

static void
progress(struct run *r, const struct mfile *f, int force_clear)
{
	int64_t now;

	if (!r->tty)
		return;
	if (force_clear) {
		fputs("\r\033[K", stderr);
		return;
	}
	now = ts_now_us();
	if (now - r->last_progress < PROGRESS_US)
		return;
	r->last_progress = now;
	fprintf(stderr, "\r\033[K%s: %.1f MB, %" PRIu64 " lines, %" PRIu64
	    " hits", f->path, (double)(r->bytes + f->bytes) / 1e6,
	    r->lines + f->lines, r->hits);
}

/* Wait for the oldest block in flight and write it out. */
static enum err
emit_oldest(struct run *r)
{
	struct job *j = &r->jobs[r->next_emit % r->n_jobs];
	enum err err;

	(void)pthread_mutex_lock(&r->mu);
	while (j->state != J_DONE)
		(void)pthread_cond_wait(&r->cv_done, &r->mu);
	(void)pthread_mutex_unlock(&r->mu);
	err = emit_job(r, j);
	j->state = J_FREE;
	r->next_emit++;
	return err;
}

static enum err
drain(struct run *r)
{
	enum err err = ERR_OK, e;

	while (r->next_emit < r->next_fill)
		if ((e = emit_oldest(r)) != ERR_OK && err == ERR_OK)
			err = e;
	return err;
}

static enum err
json_file_name(struct mfile *f)
{
	struct buf b;
	size_t len;

	buf_init(&b, 64 * 1024);
	if (json_str(&b, f->path, strlen(f->path)) != ERR_OK)
		return ERR_NOMEM;
	f->name_json = buf_take(&b, &len);
	return f->name_json != NULL ? ERR_OK : ERR_NOMEM;
}

/*
 * Read and check one file.  Blocks go to the workers unless the format
 * keeps state from line to line or there is one thread (then `self`
 * checks them here).  Returns an exit code.
 */
static int
match_file(struct run *r, struct worker *self, struct mfile *f,
    enum match_format want)
{
	struct match_reader *rd = NULL;
	struct match_reader_stats st;
	struct job *j;
	int inline_only, rc = CLI_EXIT_OK, first = 1;
	enum err err;

	if ((err = match_reader_open(f->path, &rd)) != ERR_OK) {
		fprintf(stderr, "entente match: cannot read %s: %s\n", f->path,
		    err == ERR_NOTFOUND ? "no such file" : err == ERR_IO ?
		    strerror(errno) : err_str(err));
		return err == ERR_NOTFOUND ? CLI_EXIT_NOTFOUND :
		    CLI_EXIT_ERROR;
	}
	f->opened = 1;
	f->fmt = want;
	for (;;) {
		/* Take the next slot, writing out what it held. */
		j = &r->jobs[r->next_fill % r->n_jobs];
		if (j->state != J_FREE) {
			if ((err = emit_oldest(r)) != ERR_OK)
				goto fail;
		}
		job_reset(j);
		err = match_reader_next(rd, j->blk, MATCH_READ_BLOCK, &j->len,
		    &j->first_line);
		if (err != ERR_OK)
			goto fail;
		match_reader_stats(rd, &st);
		f->bytes = st.bytes;
		f->lines = st.lines;
		if (j->len == 0)
			break;
		if (first) {
			if (f->fmt == 0)
				f->fmt = match_format_detect(j->blk, j->len);
			first = 0;
		}
		j->f = f;
		inline_only = r->threads == 1 || f->fmt == MATCH_FMT_CSV ||
		    f->fmt == MATCH_FMT_TSV || f->fmt == MATCH_FMT_ZEEK;
		if (inline_only) {
			/* Everything before it must be out first. */
			if ((err = drain(r)) != ERR_OK)
				goto fail;
			j->err = process(self, j);
			(void)pthread_mutex_lock(&r->mu);
			r->next_fill++;
			r->next_take++;
			j->state = J_DONE;
			(void)pthread_mutex_unlock(&r->mu);
			if ((err = emit_oldest(r)) != ERR_OK)
				goto fail;
		} else {
			(void)pthread_mutex_lock(&r->mu);
			j->state = J_FILLED;
			r->next_fill++;
			(void)pthread_cond_signal(&r->cv_work);
			(void)pthread_mutex_unlock(&r->mu);
		}
		progress(r, f, 0);
	}
	match_reader_stats(rd, &st);
	f->overlong = st.overlong;
	r->bytes += st.bytes;
	r->lines += st.lines;
	r->overlong += st.overlong;
	if (st.truncated || st.corrupt || st.io_errno != 0) {
		progress(r, f, 1);
		fprintf(stderr, "entente match: %s: %s after %" PRIu64 " lines "
		    "(the lines before were checked)\n", f->path,
		    st.io_errno != 0 ? strerror(st.io_errno) : st.truncated ?
		    "compressed data ends too early" : "compressed data is "
		    "corrupt", st.lines);
		rc = CLI_EXIT_ERROR;
	}
	match_reader_free(rd);
	return rc;
fail:
	match_reader_free(rd);
	r->err = err;
	progress(r, f, 1);
	fprintf(stderr, "entente match: %s: %s\n", f->path, err == ERR_TOOBIG ?
	    "too many hits in one block" : err == ERR_IO ?
	    "cannot write the output" : err_str(err));
	return CLI_EXIT_ERROR;
}

/* -- Sightings */

/*
 * The node's identity object: a name-based UUID (RFC 9562 version 8 from
 * SHA-256 of the public key), so every run refers to the same identity.
 */
static json_t *
node_identity(const struct store_party *self, char id[LIM_STIX_ID + 1])
{
	static const char tag[] = "entente node identity\n";
	uint8_t h[CRYPTO_SHA256_BYTES], in[sizeof(tag) - 1 + 32];
	char ts[TS_BUFSZ], uu[UUID_STRLEN + 1];
	int64_t created = self->created - self->created % 1000;

	memcpy(in, tag, sizeof(tag) - 1);
	memcpy(in + sizeof(tag) - 1, self->pubkey, 32);
	crypto_sha256(in, sizeof(in), h);
	h[6] = (uint8_t)((h[6] & 0x0f) | 0x80);
	h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
	uuid_v4_format(h, uu);
	/* uuid_v4_format forces version 4: put 8 back. */
	uu[14] = '8';
	(void)snprintf(id, LIM_STIX_ID + 1, "identity--%s", uu);
	ts_format(created > 0 ? created : 0, ts);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type",
	    "identity", "spec_version", "2.1", "id", id, "created", ts,
	    "modified", ts, "name", self->name, "identity_class",
	    "organization", "description", "the entente node that reported "
	    "these sightings");
}

/* POST objs (stolen) to the collection as the node's own party. */
static enum err
post_objects(struct store *st, const struct store_party *self,
    const char *coll, json_t *objs, size_t *ok, size_t *failed)
{
	char path[128], *ckey = NULL, *body = NULL;
	struct taxii_ctx ctx;
	struct taxii_req req;
	struct taxii_resp resp;
	struct buf b;
	size_t ckey_len = 0, blen;
	json_t *env = NULL, *status = NULL, *fl;
	enum err err;

	buf_init(&b, LIM_ENVELOPE_BYTES);
	env = json_pack("{s:o}", "objects", objs);
	if (env == NULL)
		return ERR_NOMEM;
	err = jsonmem_dump(env, &b);
	json_decref(env);
	if (err != ERR_OK)
		return err;
	body = buf_take(&b, &blen);
	if ((err = store_meta_get(st, "cursor_key", &ckey, &ckey_len)) !=
	    ERR_OK)
		goto out;
	(void)snprintf(path, sizeof(path), TAXII_API_ROOT_PATH
	    "collections/%s/objects/", coll);
	memset(&ctx, 0, sizeof(ctx));
	ctx.st = st;
	ctx.party = self;
	ctx.base_url = "https://localhost";
	ctx.cursor_key = (const uint8_t *)ckey;
	ctx.title = self->name;
	memset(&req, 0, sizeof(req));
	req.method = TAXII_POST;
	req.path = path;
	req.body = body;
	req.body_len = blen;
	taxii_resp_init(&resp);
	jsonmem_begin();
	err = taxii_handle(&ctx, &req, &resp);
	jsonmem_end();
	if (err != ERR_OK) {
		fprintf(stderr, "entente match: storing sightings: %s (%s)\n",
		    resp.msg, err_str(err));
		taxii_resp_free(&resp);
		goto out;
	}
	status = json_loadb(resp.body.ptr ? resp.body.ptr : "", resp.body.len,
	    0, NULL);
	taxii_resp_free(&resp);
	if (status == NULL) {
		err = ERR_PARSE;
		goto out;
	}
	fl = json_object_get(status, "successes");
	for (size_t i = 0; i < json_array_size(fl); i++) {
		const char *id = json_string_value(json_object_get(
		    json_array_get(fl, i), "id"));

		if (id != NULL && strncmp(id, "sighting--", 10) == 0)
			(*ok)++;
	}
	*failed += (size_t)json_integer_value(json_object_get(status,
	    "failure_count"));
	fl = json_object_get(status, "failures");
	for (size_t i = 0; i < json_array_size(fl); i++) {
		const json_t *e = json_array_get(fl, i);

		fprintf(stderr, "entente match: refused %s: %s\n",
		    json_string_value(json_object_get(e, "id")) ?
		    json_string_value(json_object_get(e, "id")) : "?",
		    json_string_value(json_object_get(e, "message")) ?
		    json_string_value(json_object_get(e, "message")) : "?");
	}
out:
	json_decref(status);
	if (ckey != NULL) {
		crypto_wipe(ckey, ckey_len);
		free(ckey);
	}
	free(body);
	return err;
}

static int
agg_cmp(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;

	return x->ind < y->ind ? -1 : x->ind > y->ind;
}

/* Store one sighting per indicator seen.  Returns an exit code. */
static int
store_sightings(struct run *r, struct store *st, const char *coll,
    int64_t t0, int64_t t1)
{
	struct store_party self;
	char ident_id[LIM_STIX_ID + 1], ind_id[LIM_STIX_ID + 1];
	char now_ts[TS_BUFSZ], f_ts[TS_BUFSZ], l_ts[TS_BUFSZ];
	char uu[UUID_STRLEN + 1], sid[64];
	uint8_t rnd[16];
	size_t n = 0, ok = 0, failed = 0;
	json_t *objs = NULL, *o;
	enum err err;
	int64_t now = ts_now_us();

	if (r->agg_n == 0) {
		fprintf(stderr, "entente match: no hits, no sightings stored\n");
		return CLI_EXIT_OK;
	}
	if ((err = store_party_self(st, &self)) != ERR_OK) {
		fprintf(stderr, "entente match: the node has no own party: %s\n",
		    err_str(err));
		return CLI_EXIT_ERROR;
	}
	/* Compact and sort the aggregates, for a stable order. */
	for (size_t i = 0; i < r->agg_cap; i++)
		if (r->agg[i].ind != 0)
			r->agg[n++] = r->agg[i];
	qsort(r->agg, n, sizeof(*r->agg), agg_cmp);
	ts_format(now - now % 1000, now_ts);
	for (size_t i = 0; i < n; i++) {
		const struct agg *a = &r->agg[i];
		int64_t first = a->first ? a->first : t0;
		int64_t last = a->last ? a->last : t1;

		if (objs == NULL) {
			if ((objs = json_array()) == NULL ||
			    json_array_append_new(objs, node_identity(&self,
			    ident_id)) != 0)
				goto nomem;
		}
		if (crypto_random(rnd, sizeof(rnd)) != ERR_OK) {
			json_decref(objs);
			fprintf(stderr, "entente match: random generator "
			    "failed\n");
			return CLI_EXIT_ERROR;
		}
		uuid_v4_format(rnd, uu);
		(void)snprintf(sid, sizeof(sid), "sighting--%s", uu);
		match_set_indicator_id(r->set, a->ind - 1, ind_id);
		ts_format(first, f_ts);
		ts_format(last < first ? first : last, l_ts);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, "
		    "s:[s], s:s}", "type", "sighting", "spec_version", "2.1",
		    "id", sid, "created", now_ts, "modified", now_ts,
		    "created_by_ref", ident_id, "sighting_of_ref", ind_id,
		    "count", (json_int_t)(a->count > STIX_COUNT_MAX ?
		    STIX_COUNT_MAX : a->count), "first_seen", f_ts,
		    "where_sighted_refs", ident_id, "last_seen", l_ts);
		if (o == NULL || json_array_append_new(objs, o) != 0)
			goto nomem;
		if (json_array_size(objs) > SIGHTINGS_PER_POST || i + 1 == n) {
			err = post_objects(st, &self, coll, objs, &ok, &failed);
			objs = NULL;
			if (err != ERR_OK) {
				fprintf(stderr, "entente match: sightings not "
				    "stored: %s\n", err_str(err));
				return cli_exit_code(err);
			}
		}
	}
	fprintf(stderr, "entente match: %zu sightings stored in collection %s"
	    "%s\n", ok, coll, failed ? " (some refused, see above)" : "");
	return failed ? CLI_EXIT_ERROR : CLI_EXIT_OK;
nomem:
	json_decref(objs);
	fprintf(stderr, "entente match: out of memory\n");
	return CLI_EXIT_ERROR;
}

/* -- The command */

static int
list_unsupported(const struct match_set *set)
{
	struct match_set_stats st;
	struct buf b;

	match_set_get_stats(set, &st);
	buf_init(&b, 1024 * 1024);
	for (size_t i = 0; i < st.n_unsupported; i++) {
		const char *id, *why;

		match_set_unsupported(set, i, &id, &why);
		buf_clear(&b);
		if (buf_addstr(&b, "{\"id\":") != ERR_OK ||
		    json_str(&b, id, strlen(id)) != ERR_OK ||
		    buf_addstr(&b, ",\"reason\":") != ERR_OK ||
		    json_str(&b, why, strlen(why)) != ERR_OK ||
		    buf_addstr(&b, "}\n") != ERR_OK) {
			buf_reset(&b);
			return CLI_EXIT_ERROR;
		}
		fputs(b.ptr, stdout);
	}
	buf_reset(&b);
	return CLI_EXIT_OK;
}

int
cmd_match(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "format", required_argument, NULL, OPT_M_FORMAT },
		{ "count", no_argument, NULL, OPT_M_COUNT },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "sightings", no_argument, NULL, OPT_M_SIGHTINGS },
		{ "collection", required_argument, NULL, OPT_M_COLLECTION },
		{ "list-unsupported", no_argument, NULL, OPT_M_UNSUPPORTED },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = CLI_DEFAULT_DIR, *coll = NULL;
	enum match_format want = 0;
	struct match_set *set = NULL;
	struct match_set_stats ss;
	struct store *st = NULL;
	struct store_collection sc;
	struct worker self, *workers = NULL;
	struct mfile *files = NULL;
	struct run r;
	size_t n_unusable = 0, n_files;
	struct cli_use use;
	unsigned n_workers = 0;
	int c, rc, frc, list = 0, self_ok = 0, sync_ok = 0;
	long threads;
	int64_t t0, t1, tc = 0;
	char *end;
	enum err err;

	memset(&r, 0, sizeof(r));
	threads = sysconf(_SC_NPROCESSORS_ONLN);
	CLI_OPT_RESET();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_M_FORMAT:
			if (strcmp(optarg, "auto") == 0) {
				want = 0;
			} else if (match_format_parse(optarg, &want) != ERR_OK) {
				fprintf(stderr, "entente match: unknown format "
				    "'%s' (auto, text, jsonl, csv, tsv, bind, "
				    "squid, zeek, eve)\n", optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case OPT_M_COUNT:
			r.count_only = 1;
			break;
		case OPT_THREADS:
			errno = 0;
			threads = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || threads < 1 ||
			    threads > MATCH_THREADS_MAX) {
				fprintf(stderr, "entente match: --threads must "
				    "be 1-%d\n", MATCH_THREADS_MAX);
				return CLI_EXIT_USAGE;
			}
			break;
		case OPT_M_SIGHTINGS:
			r.sightings = 1;
			break;
		case OPT_M_COLLECTION:
			coll = optarg;
			break;
		case OPT_M_UNSUPPORTED:
			list = 1;
			break;
		case OPT_HELP:
			match_usage(stdout);
			return CLI_EXIT_OK;
		default:
			match_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	n_files = (size_t)(argc - optind);
	if ((n_files == 0 && !list) || (r.sightings && coll == NULL) ||
	    (coll != NULL && !r.sightings)) {
		if (r.sightings != (coll != NULL))
			fprintf(stderr, "entente match: --sightings and "
			    "--collection go together\n");
		match_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (coll != NULL && !uuid_valid(coll, strlen(coll))) {
		fprintf(stderr, "entente match: --collection must be a "
		    "collection id (UUID)\n");
		return CLI_EXIT_USAGE;
	}
	if (threads < 1)
		threads = 1;
	if (threads > MATCH_THREADS_MAX)
		threads = MATCH_THREADS_MAX;
	r.threads = (unsigned)threads;

	if ((rc = cli_open_node(dir, &st)) != CLI_EXIT_OK)
		return rc;
	rc = CLI_EXIT_ERROR;
	if (coll != NULL && (err = store_collection_get(st, coll, &sc)) !=
	    ERR_OK) {
		fprintf(stderr, "entente match: %s collection %s in %s\n",
		    err == ERR_NOTFOUND ? "no" : err_str(err), coll, dir);
		rc = cli_exit_code(err);
		goto out;
	}
	t0 = ts_now_us();
	if ((err = cli_use_open(st, t0, &use)) != ERR_OK) {
		fprintf(stderr, "entente match: cannot read the agreements: "
		    "%s\n", err_str(err));
		goto out;
	}
	err = match_set_from_store(st, t0, &use.use, &set, &n_unusable);
	cli_use_close(&use);
	if (err != ERR_OK) {
		fprintf(stderr, "entente match: cannot compile the indicators: "
		    "%s\n", err_str(err));
		goto out;
	}
	r.set = set;
	tc = ts_now_us();
	match_set_get_stats(set, &ss);
	if (list && (rc = list_unsupported(set)) != CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_ERROR;
	if (n_files == 0) {
		rc = CLI_EXIT_OK;
		goto out;
	}

	r.tty = isatty(STDERR_FILENO);
	r.n_jobs = r.threads == 1 ? 1 : 2 * (size_t)r.threads + 2;
	if ((r.jobs = calloc(r.n_jobs, sizeof(*r.jobs))) == NULL ||
	    (files = calloc(n_files, sizeof(*files))) == NULL)
		goto nomem;
	for (size_t i = 0; i < r.n_jobs; i++) {
		buf_init(&r.jobs[i].out, JOB_OUT_MAX);
		if ((r.jobs[i].blk = malloc(MATCH_READ_BLOCK)) == NULL)
			goto nomem;
	}
	if (pthread_mutex_init(&r.mu, NULL) != 0 ||
	    pthread_cond_init(&r.cv_work, NULL) != 0 ||
	    pthread_cond_init(&r.cv_done, NULL) != 0)
		goto nomem;
	sync_ok = 1;
	if (worker_init(&self, &r) != ERR_OK)
		goto nomem;
	self_ok = 1;
	if (r.threads > 1) {
		if ((workers = calloc(r.threads, sizeof(*workers))) == NULL)
			goto nomem;
		for (unsigned i = 0; i < r.threads; i++) {
			if (worker_init(&workers[i], &r) != ERR_OK ||
			    pthread_create(&workers[i].tid, NULL, worker_main,
			    &workers[i]) != 0) {
				worker_free(&workers[i]);
				goto nomem;
			}
			n_workers++;
		}
	}
	(void)setvbuf(stdout, NULL, _IOFBF, 1u << 20);
	rc = CLI_EXIT_OK;
	for (size_t i = 0; i < n_files; i++) {
		files[i].path = argv[optind + (int)i];
		if (json_file_name(&files[i]) != ERR_OK)
			goto nomem;
		frc = match_file(&r, &self, &files[i], want);
		if (frc != CLI_EXIT_OK && (rc == CLI_EXIT_OK ||
		    frc == CLI_EXIT_NOTFOUND))
			rc = frc;
		if (r.err != ERR_OK)
			break;
	}
	if ((err = drain(&r)) != ERR_OK && r.err == ERR_OK)
		r.err = err;
	progress(&r, NULL, 1);
	if (r.count_only)
		for (size_t i = 0; i < n_files; i++) {
			if (!files[i].opened)
				continue;
			printf("{\"file\":%s,\"lines\":%" PRIu64 ",\"hits\":%"
			    PRIu64 ",\"lines_with_hits\":%" PRIu64
			    ",\"bad_lines\":%" PRIu64 ",\"overlong_lines\":%"
			    PRIu64 "}\n", files[i].name_json, files[i].lines,
			    files[i].hits, files[i].hit_lines, files[i].bad,
			    files[i].overlong);
		}
	if (fflush(stdout) != 0 && r.err == ERR_OK)
		r.err = ERR_IO;
	t1 = ts_now_us();
	fprintf(stderr, "entente match: %zu file%s, %" PRIu64 " lines, %"
	    PRIu64 " hits on %" PRIu64 " lines, %" PRIu64 " bad lines, %"
	    PRIu64 " overlong lines skipped, %.1f MB in %.2f s; indicators: "
	    "%zu usable (%zu keys, compiled in %.2f s), %zu unsupported%s, "
	    "%zu not usable now\n",
	    n_files, n_files == 1 ? "" : "s", r.lines, r.hits, r.hit_lines,
	    r.bad, r.overlong, (double)r.bytes / 1e6,
	    (double)(t1 - tc) / 1e6, ss.n_indicators, ss.n_keys,
	    (double)(tc - t0) / 1e6,
	    ss.n_unsupported, ss.n_unsupported && !list ?
	    " (see --list-unsupported)" : "", n_unusable);
	if (r.err != ERR_OK) {
		if (r.err == ERR_IO)
			fprintf(stderr, "entente match: cannot write the "
			    "output\n");
		rc = CLI_EXIT_ERROR;
	} else if (r.sightings) {
		frc = store_sightings(&r, st, sc.uuid, t0, t1);
		if (frc != CLI_EXIT_OK)
			rc = frc;
	}
	goto out;
nomem:
	fprintf(stderr, "entente match: out of memory\n");
	rc = CLI_EXIT_ERROR;
out:
	if (n_workers > 0) {
		(void)pthread_mutex_lock(&r.mu);
		r.stop = 1;
		(void)pthread_cond_broadcast(&r.cv_work);
		(void)pthread_mutex_unlock(&r.mu);
		for (unsigned i = 0; i < n_workers; i++) {
			(void)pthread_join(workers[i].tid, NULL);
			worker_free(&workers[i]);
		}
	}
	free(workers);
	if (self_ok)
		worker_free(&self);
	if (r.jobs != NULL) {
		for (size_t i = 0; i < r.n_jobs; i++) {
			free(r.jobs[i].blk);
			buf_reset(&r.jobs[i].out);
			free(r.jobs[i].seen);
		}
		free(r.jobs);
	}
	if (sync_ok) {
		(void)pthread_mutex_destroy(&r.mu);
		(void)pthread_cond_destroy(&r.cv_work);
		(void)pthread_cond_destroy(&r.cv_done);
	}
	if (files != NULL)
		for (size_t i = 0; i < n_files; i++)
			free(files[i].name_json);
	free(files);
	free(r.agg);
	match_set_free(set);
	store_close(st);
	return rc;
}
