#include <time.h>

#include "util/timeutil.h"

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int64_t y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

enum err
ts_parse(const char *s, size_t len, int64_t *us_out, int *frac_digits_out)
{
	int y, mo, d, h, mi, sec, frac = 0, nfrac = 0;
	size_t i;

	if (len < 20)
		return ERR_PARSE;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		return ERR_PARSE;
	i = 19;
	if (s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (nfrac < 6)
				frac = frac * 10 + (s[i] - '0');
			nfrac++;
			i++;
		}
		if (nfrac == 0 || nfrac > 9)
			return ERR_PARSE;
		for (int k = nfrac; k < 6; k++)
			frac *= 10;
	}
	if (i + 1 != len || (s[i] != 'Z' && s[i] != 'z'))
		return ERR_PARSE;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) ||
	    h > 23 || mi > 59 || sec > 60)
		return ERR_PARSE;
	/* A leap second is folded onto the next second, as timegm would. */
	*us_out = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    sec) * 1000000) + frac;
	if (frac_digits_out != NULL)
		*frac_digits_out = nfrac;
	return ERR_OK;
}

void
ts_format(int64_t us, char out[TS_BUFSZ])
{
	int64_t secs, days, y;
	int64_t rem_us;
	int m, d, sod;
	int64_t v;
	char *p = out;

	secs = us / 1000000;
	rem_us = us % 1000000;
	if (rem_us < 0) {
		rem_us += 1000000;
		secs--;
	}
	days = secs / 86400;
	sod = (int)(secs % 86400);
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	if (y < 0)
		y = 0;
	if (y > 9999)
		y = 9999;
	/* Hand-rolled to stay allocation- and locale-free on the hot path. */
	v = y;
	p[0] = (char)('0' + v / 1000 % 10);
	p[1] = (char)('0' + v / 100 % 10);
	p[2] = (char)('0' + v / 10 % 10);
	p[3] = (char)('0' + v % 10);
	p[4] = '-';
	p[5] = (char)('0' + m / 10);
	p[6] = (char)('0' + m % 10);
	p[7] = '-';
	p[8] = (char)('0' + d / 10);
	p[9] = (char)('0' + d % 10);
	p[10] = 'T';
	p[11] = (char)('0' + sod / 3600 / 10);
	p[12] = (char)('0' + sod / 3600 % 10);
	p[13] = ':';
	p[14] = (char)('0' + sod / 60 % 60 / 10);
	p[15] = (char)('0' + sod / 60 % 60 % 10);
	p[16] = ':';
	p[17] = (char)('0' + sod % 60 / 10);
	p[18] = (char)('0' + sod % 60 % 10);
	p[19] = '.';
	for (int k = 25; k >= 20; k--) {
		p[k] = (char)('0' + rem_us % 10);
		rem_us /= 10;
	}
	p[26] = 'Z';
	p[27] = '\0';
}

int64_t
ts_now_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
