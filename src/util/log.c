#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "util/log.h"
#include "util/timeutil.h"

static enum log_level log_level = LOG_INFO;

void
log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warn", "info",
	    "debug" };
	char line[2048], ts[TS_BUFSZ];
	va_list ap;
	int n, m;

	if (lvl > log_level)
		return;
	ts_format(ts_now_us(), ts);
	n = snprintf(line, sizeof(line), "%s %s ", ts, names[lvl]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;	/* truncated: keep the newline */
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}
