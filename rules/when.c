/* SPDX-License-Identifier: Apache-2.0 */
/*
 * when.c - the DEFSCHD WHEN operand: every form of the reference product
 * parsed into a struct when, written back as canonical text and described
 * in English for dumps and QUERY output.  Working out when a schedule next
 * fires (time zones, months without day 31, DST) is the scheduler's job,
 * not this file's; so is EVERY.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/rules.h"

#define WHEN_FORMS "expected mm, hh:mm, dow-hh:mm, dd-hh:mm, EM-hh:mm, " \
	"nthdow-hh:mm, mm/dd-hh:mm, Iwk-d-hh:mm or NOW+hh:mm"

/*
 * Day names as written in WHEN.  The reference lists TUE for the weekly
 * form and TUES for the nth form; both forms take every spelling here.
 */
static const struct {
	const char	*name;
	enum when_dow	 dow;
} when_dow_names[] = {
	{ "MON", DOW_MON },
	{ "TUE", DOW_TUE },
	{ "TUES", DOW_TUE },
	{ "WED", DOW_WED },
	{ "WEDS", DOW_WED },
	{ "THU", DOW_THU },
	{ "THUR", DOW_THU },
	{ "THURS", DOW_THU },
	{ "FRI", DOW_FRI },
	{ "SAT", DOW_SAT },
	{ "SUN", DOW_SUN },
	{ "WKD", DOW_WKD },
	{ "WKE", DOW_WKE }
};

/* Indexed by enum when_dow. */
static const char *const when_dow_abbr[] = {
	NULL, "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN", "WKD", "WKE"
};
static const char *const when_dow_long[] = {
	NULL, "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday", "Sunday", "weekday", "weekend day"
};

/* Indexed by nth: 0 is the last. */
static const char *const when_nth_abbr[] = {
	"LST", "1ST", "2ND", "3RD", "4TH", "5TH"
};
static const char *const when_nth_long[] = {
	"last", "first", "second", "third", "fourth", "fifth"
};

/* Indexed by enum when_week. */
static const char *const when_week_abbr[] = {
	NULL, "FW", "LW", "EV", "OD"
};

static const char *const when_month_names[] = {
	NULL, "January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};

/*
 * Set *cause to "<expected>, got '<got>'", escaping anything unprintable
 * in the value, and return -1.
 */
static int
when_fail(char **cause, const char *expected, const char *got, size_t len)
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

static bool
when_digits(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

static bool
when_alpha(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		if (!isalpha((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* The value of len digits already checked by when_digits. */
static int
when_number(const char *s, size_t len)
{
	int	 n = 0;

	while (len-- > 0)
		n = n * 10 + (*s++ - '0');
	return n;
}

/* Whether s is exactly "dd:dd". */
static bool
when_hhmm_shape(const char *s)
{
	return (strlen(s) == 5 && when_digits(s, 2) && s[2] == ':' &&
	    when_digits(s + 3, 2));
}

/* Parse the hh:mm that ends every form but mm and NOW+. */
static int
when_parse_time(const char *s, struct when *w, char **cause)
{
	int	 hour, minute;

	if (!when_hhmm_shape(s)) {
		return when_fail(cause, "expected hh:mm with two-digit "
		    "hh 00-23 and mm 00-59", s, strlen(s));
	}
	hour = when_number(s, 2);
	minute = when_number(s + 3, 2);
	if (hour > 23 || minute > 59) {
		return when_fail(cause, "expected hh:mm with hh 00-23 and "
		    "mm 00-59", s, strlen(s));
	}
	w->hour = (uint8_t)hour;
	w->minute = (uint8_t)minute;
	return 0;
}

/* Look up a day name; WKD and WKE only if allowed. */
static int
when_find_dow(const char *s, size_t len, bool wkd)
{
	size_t	 i;

	for (i = 0; i < nitems(when_dow_names); i++) {
		if (strlen(when_dow_names[i].name) != len ||
		    strncasecmp(when_dow_names[i].name, s, len) != 0)
			continue;
		if (!wkd && when_dow_names[i].dow >= DOW_WKD)
			return -1;
		return (int)when_dow_names[i].dow;
	}
	return -1;
}

/* NOW+hh:mm: a delay, so hh may go up to 99; s points after "NOW+". */
static int
when_parse_after(const char *text, const char *s, struct when *w,
    char **cause)
{
	int	 hour, minute;

	if (!when_hhmm_shape(s) || when_number(s + 3, 2) > 59) {
		return when_fail(cause, "expected NOW+hh:mm with two-digit hh "
		    "00-99 and mm 00-59", text, strlen(text));
	}
	hour = when_number(s, 2);
	minute = when_number(s + 3, 2);
	if (hour == 0 && minute == 0) {
		return when_fail(cause, "expected NOW+hh:mm of at least one "
		    "minute", text, strlen(text));
	}
	w->kind = WHEN_ONCE_AFTER;
	w->after = (uint32_t)hour * 3600 + (uint32_t)minute * 60;
	return 0;
}

/* Iwk-d-hh:mm; text starts "Iwk" (plen long), rest follows its dash. */
static int
when_parse_iso(const char *text, size_t plen, const char *rest,
    struct when *w, char **cause)
{
	const char	*dash;
	size_t		 i;
	int		 n;

	w->kind = WHEN_ISO_WEEK;
	if (plen != 3)
		goto badweek;
	if (when_digits(text + 1, 2)) {
		n = when_number(text + 1, 2);
		if (n < 1 || n > 53)
			goto badweek;
		w->week_sel = WEEK_NUMBER;
		w->week = (uint8_t)n;
	} else {
		for (i = 1; i < nitems(when_week_abbr); i++) {
			if (strncasecmp(text + 1, when_week_abbr[i], 2) == 0)
				break;
		}
		if (i == nitems(when_week_abbr))
			goto badweek;
		w->week_sel = (uint8_t)i;
	}

	if ((dash = strchr(rest, '-')) == NULL) {
		return when_fail(cause, "expected Iwk-d-hh:mm", text,
		    strlen(text));
	}
	if (dash - rest != 1 || rest[0] < '1' || rest[0] > '7') {
		return when_fail(cause, "expected an ISO day 1 (Monday) to "
		    "7 (Sunday)", rest, (size_t)(dash - rest));
	}
	w->isoday = (uint8_t)(rest[0] - '0');
	return when_parse_time(dash + 1, w, cause);

badweek:
	return when_fail(cause, "expected an ISO week I01-I53, IFW, ILW, IEV "
	    "or IOD", text, plen);
}

/* {1ST..5TH,LST}{MON..SUN,WKD,WKE}; p is the part before the dash. */
static int
when_parse_nth(const char *p, size_t plen, struct when *w, char **cause)
{
	size_t	 nlen, i;
	int	 dow;

	w->kind = WHEN_NTH_WEEKDAY;
	if (strncasecmp(p, "LST", 3) == 0)
		nlen = 3;
	else {
		/* Leading digits and the two letters of the suffix. */
		for (nlen = 0; nlen < plen; nlen++) {
			if (!isdigit((unsigned char)p[nlen]))
				break;
		}
		nlen += 2;
		if (nlen > plen)
			nlen = plen;
	}
	for (i = 0; i < nitems(when_nth_abbr); i++) {
		if (nlen == 3 && strncasecmp(p, when_nth_abbr[i], 3) == 0)
			break;
	}
	if (i == nitems(when_nth_abbr)) {
		return when_fail(cause, "expected nth 1ST, 2ND, 3RD, 4TH, 5TH "
		    "or LST", p, nlen);
	}
	w->nth = (uint8_t)i;

	if ((dow = when_find_dow(p + nlen, plen - nlen, true)) == -1) {
		return when_fail(cause, "expected nthdow with dow MON, TUE, "
		    "WED, THU, FRI, SAT, SUN, WKD or WKE", p, plen);
	}
	w->dow = (uint8_t)dow;
	return 0;
}

/* mm/dd; p is the part before the dash. */
static int
when_parse_yearly(const char *p, size_t plen, struct when *w, char **cause)
{
	int		 month, mday, last;
	char		*expected;

	w->kind = WHEN_YEARLY;
	if (plen != 5 || !when_digits(p, 2) || p[2] != '/' ||
	    !when_digits(p + 3, 2)) {
		return when_fail(cause, "expected mm/dd with two-digit mm "
		    "01-12 and dd 01-31", p, plen);
	}
	month = when_number(p, 2);
	mday = when_number(p + 3, 2);
	if (month < 1 || month > 12)
		return when_fail(cause, "expected a month 01-12", p, plen);
	last = calendar_days_in_month(0, month);
	if (mday < 1 || mday > last) {
		xasprintf(&expected, "expected a day 01-%02d for %s", last,
		    when_month_names[month]);
		when_fail(cause, expected, p, plen);
		free(expected);
		return -1;
	}
	w->month = (uint8_t)month;
	w->mday = (uint8_t)mday;
	return 0;
}

static int
when_parse1(const char *text, struct when *w, char **cause)
{
	const char	*dash, *rest;
	size_t		 len = strlen(text), plen;
	int		 n;

	if (strncasecmp(text, "NOW+", 4) == 0)
		return when_parse_after(text, text + 4, w, cause);

	if ((dash = strchr(text, '-')) == NULL) {
		if (strchr(text, ':') != NULL) {
			w->kind = WHEN_DAILY;
			return when_parse_time(text, w, cause);
		}
		if (when_digits(text, len)) {
			if (len != 2 || (n = when_number(text, 2)) > 59) {
				return when_fail(cause, "expected mm with "
				    "two-digit mm 00-59", text, len);
			}
			w->kind = WHEN_HOURLY;
			w->minute = (uint8_t)n;
			return 0;
		}
		return when_fail(cause, WHEN_FORMS, text, len);
	}

	/* Every other form is prefix-hh:mm; the prefix tells which. */
	plen = (size_t)(dash - text);
	rest = dash + 1;
	if (plen == 0)
		return when_fail(cause, WHEN_FORMS, text, len);

	if (toupper((unsigned char)text[0]) == 'I')
		return when_parse_iso(text, plen, rest, w, cause);

	if (plen == 2 && strncasecmp(text, "EM", 2) == 0)
		w->kind = WHEN_MONTH_END;
	else if (memchr(text, '/', plen) != NULL) {
		if (when_parse_yearly(text, plen, w, cause) != 0)
			return -1;
	} else if (when_digits(text, plen)) {
		n = plen == 2 ? when_number(text, 2) : 0;
		if (n < 1 || n > 31) {
			return when_fail(cause, "expected a day of the month "
			    "dd 01-31 (two digits)", text, plen);
		}
		w->kind = WHEN_MONTHLY;
		w->mday = (uint8_t)n;
	} else if (isdigit((unsigned char)text[0]) ||
	    (plen >= 3 && strncasecmp(text, "LST", 3) == 0)) {
		if (when_parse_nth(text, plen, w, cause) != 0)
			return -1;
	} else if (when_alpha(text, plen)) {
		if ((n = when_find_dow(text, plen, false)) == -1) {
			return when_fail(cause, "expected a day of the week "
			    "MON, TUE, WED, THU, FRI, SAT or SUN", text, plen);
		}
		w->kind = WHEN_WEEKLY;
		w->dow = (uint8_t)n;
	} else
		return when_fail(cause, WHEN_FORMS, text, len);

	return when_parse_time(rest, w, cause);
}

/*
 * Parse a WHEN value.  On failure *w is left zeroed (WHEN_NONE) and *cause,
 * if cause is not NULL, says what was expected.
 */
int
when_parse(const char *text, struct when *w, char **cause)
{
	memset(w, 0, sizeof *w);
	if (when_parse1(text, w, cause) != 0) {
		memset(w, 0, sizeof *w);
		return -1;
	}
	return 0;
}

static const char *
when_dow_name(unsigned int dow, bool long_name)
{
	if (dow < DOW_MON || dow > DOW_WKE)
		fatalx("%s: bad day %u", __func__, dow);
	return long_name ? when_dow_long[dow] : when_dow_abbr[dow];
}

static unsigned int
when_nth(const struct when *w)
{
	if (w->nth >= nitems(when_nth_abbr))
		fatalx("%s: bad nth %u", __func__, w->nth);
	return w->nth;
}

/* Append the canonical text of w; nothing for WHEN_NONE. */
void
when_format(const struct when *w, struct strbuf *sb)
{
	switch (w->kind) {
	case WHEN_NONE:
		return;
	case WHEN_HOURLY:
		strbuf_addf(sb, "%02d", w->minute);
		return;
	case WHEN_DAILY:
		break;
	case WHEN_WEEKLY:
		strbuf_addf(sb, "%s-", when_dow_name(w->dow, false));
		break;
	case WHEN_MONTHLY:
		strbuf_addf(sb, "%02d-", w->mday);
		break;
	case WHEN_MONTH_END:
		strbuf_adds(sb, "EM-");
		break;
	case WHEN_NTH_WEEKDAY:
		strbuf_addf(sb, "%s%s-", when_nth_abbr[when_nth(w)],
		    when_dow_name(w->dow, false));
		break;
	case WHEN_YEARLY:
		strbuf_addf(sb, "%02d/%02d-", w->month, w->mday);
		break;
	case WHEN_ISO_WEEK:
		if (w->week_sel == WEEK_NUMBER)
			strbuf_addf(sb, "I%02d-", w->week);
		else if (w->week_sel < nitems(when_week_abbr))
			strbuf_addf(sb, "I%s-", when_week_abbr[w->week_sel]);
		else
			fatalx("%s: bad week %u", __func__, w->week_sel);
		strbuf_addf(sb, "%d-", w->isoday);
		break;
	case WHEN_ONCE_AFTER:
		strbuf_addf(sb, "NOW+%02u:%02u", (unsigned)(w->after / 3600),
		    (unsigned)(w->after % 3600 / 60));
		return;
	default:
		fatalx("%s: bad kind %d", __func__, (int)w->kind);
	}
	strbuf_addf(sb, "%02d:%02d", w->hour, w->minute);
}

/* Append an English description of w, "never" for WHEN_NONE. */
void
when_describe(const struct when *w, struct strbuf *sb)
{
	switch (w->kind) {
	case WHEN_NONE:
		strbuf_adds(sb, "never");
		return;
	case WHEN_HOURLY:
		strbuf_addf(sb, "every hour at minute %02d", w->minute);
		return;
	case WHEN_DAILY:
		strbuf_adds(sb, "daily");
		break;
	case WHEN_WEEKLY:
		strbuf_addf(sb, "weekly on %s", when_dow_name(w->dow, true));
		break;
	case WHEN_MONTHLY:
		strbuf_addf(sb, "monthly on day %d", w->mday);
		break;
	case WHEN_MONTH_END:
		strbuf_adds(sb, "monthly on the last day");
		break;
	case WHEN_NTH_WEEKDAY:
		strbuf_addf(sb, "monthly on the %s %s",
		    when_nth_long[when_nth(w)], when_dow_name(w->dow, true));
		break;
	case WHEN_YEARLY:
		strbuf_addf(sb, "yearly on %02d/%02d", w->month, w->mday);
		break;
	case WHEN_ISO_WEEK:
		switch (w->week_sel) {
		case WEEK_NUMBER:
			strbuf_addf(sb, "in ISO week %02d", w->week);
			break;
		case WEEK_FIRST:
			strbuf_adds(sb, "in the first ISO week");
			break;
		case WEEK_LAST:
			strbuf_adds(sb, "in the last ISO week");
			break;
		case WEEK_EVEN:
			strbuf_adds(sb, "in even ISO weeks");
			break;
		case WEEK_ODD:
			strbuf_adds(sb, "in odd ISO weeks");
			break;
		default:
			fatalx("%s: bad week %u", __func__, w->week_sel);
		}
		strbuf_addf(sb, " on %s", when_dow_name(w->isoday, true));
		break;
	case WHEN_ONCE_AFTER:
		strbuf_addf(sb, "once, %02u:%02u after the schedule is defined",
		    (unsigned)(w->after / 3600),
		    (unsigned)(w->after % 3600 / 60));
		return;
	default:
		fatalx("%s: bad kind %d", __func__, (int)w->kind);
	}
	strbuf_addf(sb, " at %02d:%02d", w->hour, w->minute);
}
