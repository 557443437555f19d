/* SPDX-License-Identifier: Apache-2.0 */
/*
 * calendar.c - Gregorian month lengths and the date lists of DEFDATE
 * (holidays): parsing, canonical text and membership.  Dates here are
 * plain calendar days with no time zone; which day "today" is belongs to
 * the scheduler.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

#define CALENDAR_YEAR_MIN	1970
#define CALENDAR_YEAR_MAX	2999

static const char *const calendar_month_names[] = {
	NULL, "January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};

/* One end of an item: year 0 for mm/dd. */
struct calendar_day {
	int	 y;
	int	 m;
	int	 d;
};

/*
 * Set *cause to "<expected>, got '<got>'", escaping anything unprintable
 * in the value, and return -1.
 */
static int
calendar_fail(char **cause, const char *expected, const char *got,
    size_t len)
{
	struct strbuf	 sb;

	if (cause == NULL)
		return -1;
	strbuf_init(&sb);
	strbuf_adds(&sb, expected);
	strbuf_adds(&sb, ", got '");
	strbuf_add_escaped(&sb, got, len);
	strbuf_addc(&sb, '\'');
	*cause = strbuf_steal(&sb);
	return -1;
}

/* The error for an empty item: quote the whole list to show where. */
static void
calendar_fail_empty(const char *text, char **cause)
{
	struct strbuf	 sb;

	if (cause == NULL)
		return;
	strbuf_init(&sb);
	strbuf_adds(&sb, "expected a date or a range in every "
	    "comma-separated item, got an empty item in '");
	strbuf_add_escaped(&sb, text, strlen(text));
	strbuf_addc(&sb, '\'');
	*cause = strbuf_steal(&sb);
}

static bool
calendar_leap(int year)
{
	return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0));
}

/*
 * The number of days in a month (1-12) of a year; year 0 stands for any
 * year, so February has 29.  Returns 0 for a month out of range.
 */
int
calendar_days_in_month(int year, int month)
{
	static const int	 days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && (year == 0 || calendar_leap(year)))
		return 29;
	return days[month - 1];
}

/* Whether len characters at s are all digits. */
static bool
calendar_digits(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return true;
}

static int
calendar_number(const char *s, size_t len)
{
	int	 n = 0;

	while (len-- > 0)
		n = n * 10 + (*s++ - '0');
	return n;
}

/* Parse yyyy/mm/dd or mm/dd, len characters at s. */
static int
calendar_parse_day(const char *s, size_t len, struct calendar_day *cd,
    char **cause)
{
	const char	*md;
	char		*expected;
	int		 last;
	bool		 dated = false;

	if (len == 10 && calendar_digits(s, 4) && s[4] == '/') {
		cd->y = calendar_number(s, 4);
		dated = true;
		md = s + 5;
	} else if (len == 5) {
		cd->y = 0;
		md = s;
	} else
		md = NULL;
	if (md == NULL || !calendar_digits(md, 2) || md[2] != '/' ||
	    !calendar_digits(md + 3, 2)) {
		return calendar_fail(cause, "expected yyyy/mm/dd or mm/dd",
		    s, len);
	}
	cd->m = calendar_number(md, 2);
	cd->d = calendar_number(md + 3, 2);

	if (dated && (cd->y < CALENDAR_YEAR_MIN || cd->y > CALENDAR_YEAR_MAX)) {
		return calendar_fail(cause, "expected a year 1970-2999", s,
		    len);
	}
	if (cd->m < 1 || cd->m > 12)
		return calendar_fail(cause, "expected a month 01-12", s, len);
	last = calendar_days_in_month(cd->y, cd->m);
	if (cd->d >= 1 && cd->d <= last)
		return 0;

	if (cd->m == 2 && cd->d == 29) {
		xasprintf(&expected, "expected a day 01-28 for February "
		    "(%04d is not a leap year)", cd->y);
	} else {
		xasprintf(&expected, "expected a day 01-%02d for %s", last,
		    calendar_month_names[cd->m]);
	}
	calendar_fail(cause, expected, s, len);
	free(expected);
	return -1;
}

/* Parse one comma-separated item: a date or a range of two. */
static int
calendar_parse_item(const char *s, size_t len, struct daterange *dr,
    char **cause)
{
	struct calendar_day	 a, b;
	const char		*dash;
	size_t			 alen;

	if ((dash = memchr(s, '-', len)) == NULL) {
		if (calendar_parse_day(s, len, &a, cause) != 0)
			return -1;
		b = a;
	} else {
		alen = (size_t)(dash - s);
		if (calendar_parse_day(s, alen, &a, cause) != 0 ||
		    calendar_parse_day(dash + 1, len - alen - 1, &b,
		    cause) != 0)
			return -1;
		if ((a.y == 0) != (b.y == 0)) {
			return calendar_fail(cause, "expected both ends of "
			    "a range as yyyy/mm/dd or both as mm/dd", s, len);
		}
		/* A yearly range may wrap the year end; a dated one not. */
		if (a.y != 0 && (a.y * 10000 + a.m * 100 + a.d >
		    b.y * 10000 + b.m * 100 + b.d)) {
			return calendar_fail(cause, "expected a range whose "
			    "start is not after its end", s, len);
		}
	}
	dr->y1 = (uint16_t)a.y;
	dr->m1 = (uint8_t)a.m;
	dr->d1 = (uint8_t)a.d;
	dr->y2 = (uint16_t)b.y;
	dr->m2 = (uint8_t)b.m;
	dr->d2 = (uint8_t)b.d;
	return 0;
}

/*
 * Parse a comma-separated list of dates and ranges into out, which the
 * caller frees with free(out->v).  On failure out is left empty.
 */
int
calendar_parse_dates(const char *text, struct datelist *out, char **cause)
{
	struct daterange	 dr;
	const char		*s = text, *comma;
	size_t			 len;

	out->v = NULL;
	out->n = 0;
	for (;;) {
		comma = strchr(s, ',');
		len = comma != NULL ? (size_t)(comma - s) : strlen(s);
		if (len == 0) {
			calendar_fail_empty(text, cause);
			goto fail;
		}
		if (calendar_parse_item(s, len, &dr, cause) != 0)
			goto fail;
		out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
		out->v[out->n++] = dr;
		if (comma == NULL)
			return 0;
		s = comma + 1;
	}

fail:
	free(out->v);
	out->v = NULL;
	out->n = 0;
	return -1;
}

static void
calendar_format_day(struct strbuf *sb, int y, int m, int d)
{
	if (y != 0)
		strbuf_addf(sb, "%04d/", y);
	strbuf_addf(sb, "%02d/%02d", m, d);
}

/* Append the canonical text of a list: items joined by commas. */
void
calendar_format_dates(const struct datelist *dl, struct strbuf *sb)
{
	const struct daterange	*dr;
	size_t			 i;

	for (i = 0; i < dl->n; i++) {
		dr = &dl->v[i];
		if (i != 0)
			strbuf_addc(sb, ',');
		calendar_format_day(sb, dr->y1, dr->m1, dr->d1);
		if (dr->y1 != dr->y2 || dr->m1 != dr->m2 || dr->d1 != dr->d2) {
			strbuf_addc(sb, '-');
			calendar_format_day(sb, dr->y2, dr->m2, dr->d2);
		}
	}
}

/* Whether the date y/m/d falls in any item of the list. */
bool
calendar_contains(const struct datelist *dl, int y, int m, int d)
{
	const struct daterange	*dr;
	long			 day, start, end;
	size_t			 i;

	for (i = 0; i < dl->n; i++) {
		dr = &dl->v[i];
		if (dr->y1 == 0) {
			day = m * 100L + d;
			start = dr->m1 * 100L + dr->d1;
			end = dr->m2 * 100L + dr->d2;
			if (start <= end) {
				if (day >= start && day <= end)
					return true;
			} else if (day >= start || day <= end)
				return true;
		} else {
			day = y * 10000L + m * 100L + d;
			start = dr->y1 * 10000L + dr->m1 * 100L + dr->d1;
			end = dr->y2 * 10000L + dr->m2 * 100L + dr->d2;
			if (day >= start && day <= end)
				return true;
		}
	}
	return false;
}
