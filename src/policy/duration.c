/*
 * duration.c: ISO 8601 durations (the subset agreements use) and adding
 * them to a time on the proleptic Gregorian calendar.
 */
#include <string.h>

#include "policy/agreement.h"

#define US_PER_S	1000000LL
#define S_PER_DAY	86400LL

/* Slots in the order the designators must come. */
enum { D_YEARS, D_MONTHS, D_WEEKS, D_DAYS, D_HOURS, D_MINUTES, D_SECONDS,
    D_N };

static int
slot_of(char des, int in_time)
{
	if (!in_time) {
		switch (des) {
		case 'Y':
			return D_YEARS;
		case 'M':
			return D_MONTHS;
		case 'W':
			return D_WEEKS;
		case 'D':
			return D_DAYS;
		default:
			return -1;
		}
	}
	switch (des) {
	case 'H':
		return D_HOURS;
	case 'M':
		return D_MINUTES;
	case 'S':
		return D_SECONDS;
	default:
		return -1;
	}
}

enum err
agreement_duration_parse(const char *s, size_t len,
    struct agreement_duration *out)
{
	uint32_t v[D_N];
	size_t i = 1, digits;
	int last = -1, in_time = 0, slot, n_comp = 0, time_comp = 0;
	unsigned long val;
	int nonzero = 0, has_weeks = 0;

	memset(out, 0, sizeof(*out));
	memset(v, 0, sizeof(v));
	if (len < 3 || len > AGREEMENT_MAX_DURATION || s[0] != 'P')
		return ERR_PARSE;
	while (i < len) {
		if (s[i] == 'T') {
			if (in_time)
				return ERR_PARSE;
			in_time = 1;
			i++;
			continue;
		}
		val = 0;
		digits = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (++digits > 6)
				return ERR_PARSE;
			val = val * 10 + (unsigned long)(s[i] - '0');
			i++;
		}
		if (digits == 0 || i >= len)
			return ERR_PARSE;
		if (val > AGREEMENT_MAX_DURATION_FIELD)
			return ERR_PARSE;
		slot = slot_of(s[i], in_time);
		if (slot < 0 || slot <= last)
			return ERR_PARSE;
		i++;
		v[slot] = (uint32_t)val;
		if (slot == D_WEEKS)
			has_weeks = 1;
		last = slot;
		n_comp++;
		if (in_time)
			time_comp++;
		if (val != 0)
			nonzero = 1;
	}
	/* "P", "PT", "P1DT": a designator with nothing after it. */
	if (n_comp == 0 || (in_time && time_comp == 0))
		return ERR_PARSE;
	/* Weeks stand alone (ISO 8601-1:2019 5.5.2.4). */
	if (has_weeks && n_comp != 1)
		return ERR_PARSE;
	if (!nonzero)
		return ERR_PARSE;
	out->years = v[D_YEARS];
	out->months = v[D_MONTHS];
	out->weeks = v[D_WEEKS];
	out->days = v[D_DAYS];
	out->hours = v[D_HOURS];
	out->minutes = v[D_MINUTES];
	out->seconds = v[D_SECONDS];
	return ERR_OK;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (400-year eras). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of a day number from days_from_civil. */
static void
civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t
month_days(int64_t y, int64_t m)
{
	static const int8_t n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return n[m - 1];
}

/* Floor division of a by b > 0. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && a < 0) ? q - 1 : q;
}

enum err
agreement_duration_add(const struct agreement_duration *d, int64_t t,
    int64_t *out)
{
	int64_t day, rem, y, m, dd, months, secs, res, limit;

	day = floor_div(t, S_PER_DAY * US_PER_S);
	rem = t - day * S_PER_DAY * US_PER_S;
	civil_from_days(day, &y, &m, &dd);
	/* Fields are at most 999999, so none of this can overflow. */
	months = (y * 12 + (m - 1)) + (int64_t)d->years * 12 +
	    (int64_t)d->months;
	y = floor_div(months, 12);
	m = months - y * 12 + 1;
	if (y > 9999)
		return ERR_RANGE;
	if (dd > month_days(y, m))
		dd = month_days(y, m);
	secs = ((int64_t)d->weeks * 7 + (int64_t)d->days) * S_PER_DAY +
	    (int64_t)d->hours * 3600 + (int64_t)d->minutes * 60 +
	    (int64_t)d->seconds;
	res = days_from_civil(y, m, dd) * S_PER_DAY * US_PER_S + rem +
	    secs * US_PER_S;
	limit = days_from_civil(10000, 1, 1) * S_PER_DAY * US_PER_S;
	if (res >= limit)
		return ERR_RANGE;
	*out = res;
	return ERR_OK;
}
