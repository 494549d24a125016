/* http_date.c: HTTP-date formatting (IMF-fixdate) and parsing (RFC 9110 §5.6.7). */
#include <string.h>
#include "http.h"

/*
 * Calendar arithmetic is done here rather than with gmtime_r()/timegm() so
 * that parsing needs no locale, no TZ and no libc state, and an absurd
 * date can never overflow: years are limited to four digits.
 */

static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const long_days[7] = { "Sunday", "Monday", "Tuesday",
	"Wednesday", "Thursday", "Friday", "Saturday" };
static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The inverse: y, m (1-12), d (1-31) of a day count. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void put2(char *o, unsigned v)
{
	o[0] = (char)('0' + v / 10 % 10);
	o[1] = (char)('0' + v % 10);
}

void http_date_format(time_t t, char out[HTTP_DATE_SIZE])
{
	int64_t z = (int64_t)t / 86400, secs = (int64_t)t % 86400, y;
	unsigned m, d;

	if (secs < 0) {
		secs += 86400;
		z--;
	}
	civil_from_days(z, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;
	memcpy(out, days[(z % 7 + 11) % 7], 3); /* 1970-01-01 was a Thursday */
	memcpy(out + 3, ", ", 2);
	put2(out + 5, d);
	out[7] = ' ';
	memcpy(out + 8, months[m - 1], 3);
	out[11] = ' ';
	put2(out + 12, (unsigned)(y / 100));
	put2(out + 14, (unsigned)(y % 100));
	out[16] = ' ';
	put2(out + 17, (unsigned)(secs / 3600));
	out[19] = ':';
	put2(out + 20, (unsigned)(secs / 60 % 60));
	out[22] = ':';
	put2(out + 23, (unsigned)(secs % 60));
	memcpy(out + 25, " GMT", 5); /* with the NUL */
}

/* n decimal digits at s, or -1. */
static int digits(const char *s, unsigned n)
{
	int v = 0;

	while (n--) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

static int month_of(const char *s)
{
	int i;

	for (i = 0; i < 12; i++)
		if (memcmp(s, months[i], 3) == 0)
			return i + 1;
	return -1;
}

static int is_day(const char *s, size_t n)
{
	int i;

	for (i = 0; i < 7; i++)
		if (n == 3 ? memcmp(s, days[i], 3) == 0
			   : strlen(long_days[i]) == n && memcmp(s, long_days[i], n) == 0)
			return 1;
	return 0;
}

/* "HH:MM:SS" -> seconds of the day, or -1. */
static int parse_time(const char *s)
{
	int h = digits(s, 2), mi = digits(s + 3, 2), se = digits(s + 6, 2);

	if (s[2] != ':' || s[5] != ':' || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || se < 0 || se > 60)
		return -1;
	return h * 3600 + mi * 60 + se;
}

/* Checks the fields and combines them into *t. */
static int combine(int y, int mon, int d, int secs, time_t *t)
{
	static const unsigned char mdays[12] = { 31, 29, 31, 30, 31, 30,
						 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 0 || mon < 1 || d < 1 || secs < 0 || d > mdays[mon - 1] ||
	    (mon == 2 && d == 29 && !leap))
		return -1;
	*t = (time_t)(days_from_civil(y, (unsigned)mon, (unsigned)d) * 86400 + secs);
	return 0;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" */
static int parse_imf(const char *s, time_t *t)
{
	if (!is_day(s, 3) || memcmp(s + 3, ", ", 2) || s[7] != ' ' ||
	    s[11] != ' ' || s[16] != ' ' || memcmp(s + 25, " GMT", 4))
		return -1;
	return combine(digits(s + 12, 4), month_of(s + 8), digits(s + 5, 2),
		       parse_time(s + 17), t);
}

/* "Sunday, 06-Nov-94 08:49:37 GMT"; a year more than 50 years ahead is
 * taken from the previous century (RFC 9110 §5.6.7). */
static int parse_rfc850(const char *s, size_t len, time_t *t)
{
	const char *c = memchr(s, ',', len);
	int yy, y, now_y;
	int64_t ny;
	unsigned nm, nd;

	if (!c || len - (size_t)(c - s) != 24 || !is_day(s, (size_t)(c - s)))
		return -1;
	if (c[1] != ' ' || c[4] != '-' || c[8] != '-' || c[11] != ' ' ||
	    memcmp(c + 20, " GMT", 4) || (yy = digits(c + 9, 2)) < 0)
		return -1;
	civil_from_days((int64_t)time(NULL) / 86400, &ny, &nm, &nd);
	now_y = (int)ny;
	y = now_y - now_y % 100 + yy;
	if (y > now_y + 50)
		y -= 100;
	return combine(y, month_of(c + 5), digits(c + 2, 2), parse_time(c + 12), t);
}

/* "Sun Nov  6 08:49:37 1994" */
static int parse_asctime(const char *s, time_t *t)
{
	int d;

	if (!is_day(s, 3) || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' ||
	    s[19] != ' ')
		return -1;
	d = s[8] == ' ' ? digits(s + 9, 1) : digits(s + 8, 2);
	return combine(digits(s + 20, 4), month_of(s + 4), d,
		       parse_time(s + 11), t);
}

int http_date_parse(const char *s, size_t len, time_t *t)
{
	if (!s)
		return -1;
	if (len == 29 && s[3] == ',')
		return parse_imf(s, t);
	if (len == 24 && s[3] == ' ')
		return parse_asctime(s, t);
	if (len >= 30 && len <= 33)
		return parse_rfc850(s, len, t);
	return -1;
}
