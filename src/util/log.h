/*
 * log.h: diagnostics on stderr, one line each, prefixed with a UTC time and
 * a level.  Callers start messages with __func__ for errors (STYLE.md); logs
 * never hold secrets.  Thread-safe: each line is written with one write(2).
 */
#ifndef ENTENTE_UTIL_LOG_H
#define ENTENTE_UTIL_LOG_H

enum log_level { LOG_ERR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Set the most verbose level that is printed (default LOG_INFO). */
void log_set_level(enum log_level lvl);
void log_msg(enum log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
