/*
 * timeutil.h: RFC 3339 / STIX timestamps as microseconds since the epoch.
 *
 * STIX and TAXII timestamps are UTC and end in 'Z'.  Clients send 0 to 9
 * fractional digits; we keep microseconds (digits past the sixth are
 * truncated) and always emit exactly six.  Pure functions, no I/O.
 */
#ifndef ENTENTE_UTIL_TIMEUTIL_H
#define ENTENTE_UTIL_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* "YYYY-MM-DDTHH:MM:SS.ffffffZ" plus NUL. */
#define TS_BUFSZ 28

/*
 * Parse s[0..len) as "YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z" (also 't'/'z').  Years
 * 0001-9999; the date must exist.  On success *us_out holds microseconds
 * since 1970-01-01T00:00:00Z (may be negative).  ERR_PARSE otherwise, with
 * *us_out untouched.  *frac_digits_out (may be NULL) gets the number of
 * fractional digits given (STIX requires at least millisecond precision for
 * some properties).
 */
enum err ts_parse(const char *s, size_t len, int64_t *us_out,
    int *frac_digits_out) WUR;

/* Format us as "YYYY-MM-DDTHH:MM:SS.ffffffZ" into out.  Can't fail. */
void ts_format(int64_t us, char out[TS_BUFSZ]);

/* Current wall-clock time in microseconds.  Can't fail. */
int64_t ts_now_us(void);

#endif
