/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_schedule.c - unit tests for rules/schedule.c: when a DEFSCHD runs
 * next.  Schedules are loaded from rule text, so the real parser builds
 * them.  Tables of {rule, zone, after, expected} cover every WHEN form,
 * month ends, leap years, ISO weeks 52/53, the nth forms, holidays, HOURS,
 * EVERY and NOW+, and the days clocks change in Europe/Berlin and
 * America/New_York; an independent oracle (struct tm and strftime %V/%G)
 * checks every form from many start times; chains check that a daily
 * schedule runs exactly once a day for 1000 days.  Times in the tables are
 * local to the zone, "YYYY-MM-DD HH:MM[:SS][+hh:mm]"; an offset makes a
 * time of a repeated hour unambiguous.  Runs under valgrind and ASan, so
 * every test frees what it allocates.
 */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/rules.h"
#include "tests/unit/testutil.h"

#define UTC	"UTC"
#define BER	"Europe/Berlin"
#define NYC	"America/New_York"
#define LHI	"Australia/Lord_Howe"
#define IST	"Asia/Kolkata"
#define HAV	"America/Havana"	/* clocks change at midnight */

/* The holidays most tables use. */
#define HOL	"DEFDATE NAME HOL DATE 12/25,01/01\n"

/* A small stack of TZ values, so that every test leaves TZ as it was. */
#define TZ_DEPTH 4
static struct {
	char	*value;		/* NULL: unset */
} tz_stack[TZ_DEPTH];
static int tz_top;

/* Switch the process to zone (NULL: TZ unset). */
static void
tz_push(const char *zone)
{
	const char	*cur = getenv("TZ");

	ck_assert_int_lt(tz_top, TZ_DEPTH);
	tz_stack[tz_top++].value = cur != NULL ? xstrdup(cur) : NULL;
	if (zone != NULL)
		setenv("TZ", zone, 1);
	else
		unsetenv("TZ");
	tzset();
}

static void
tz_pop(void)
{
	char	*v;

	ck_assert_int_gt(tz_top, 0);
	v = tz_stack[--tz_top].value;
	if (v != NULL)
		setenv("TZ", v, 1);
	else
		unsetenv("TZ");
	tzset();
	free(v);
}

/* "YYYY-MM-DD HH:MM[:SS][+hh:mm]", local to zone unless an offset says. */
static time_t
tparse(const char *zone, const char *s)
{
	struct tm	 tm;
	const char	*p;
	int		 y, mo, d, h, mi, sec = 0, oh, om, n = 0;
	time_t		 t;

	if (sscanf(s, "%d-%d-%d %d:%d%n", &y, &mo, &d, &h, &mi, &n) != 5)
		ck_abort_msg("bad time '%s'", s);
	p = s + n;
	if (*p == ':') {
		if (sscanf(p + 1, "%2d%n", &sec, &n) != 1)
			ck_abort_msg("bad seconds in '%s'", s);
		p += 1 + n;
	}
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (*p == '+' || *p == '-') {
		if (sscanf(p + 1, "%d:%d", &oh, &om) != 2)
			ck_abort_msg("bad offset in '%s'", s);
		t = timegm(&tm) - (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
		return t;
	}
	ck_assert_msg(*p == '\0', "bad time '%s'", s);
	tz_push(zone);
	tm.tm_isdst = -1;
	t = mktime(&tm);
	tz_pop();
	return t;
}

/* t as "YYYY-MM-DD HH:MM[:SS]+hh:mm", local to zone. */
static void
tformat(const char *zone, time_t t, char *buf, size_t size)
{
	struct tm	 tm;
	long		 off;
	int		 n;

	tz_push(zone);
	localtime_r(&t, &tm);
	tz_pop();
	off = tm.tm_gmtoff;
	n = snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	if (tm.tm_sec != 0)
		n += snprintf(buf + n, size - n, ":%02d", tm.tm_sec);
	snprintf(buf + n, size - n, "%c%02ld:%02ld", off < 0 ? '-' : '+',
	    labs(off) / 3600, labs(off) / 60 % 60);
}

/*
 * Load "pre" and a DEFSCHD named S with the given operands, with TZ zone
 * when zone is not NULL.
 */
static const struct schedule *
load_sched(const char *pre, const char *ops, const char *zone,
    struct ruleset **rsp)
{
	char	*text;

	xasprintf(&text, "%sDEFSCHD NAME S ACTION NULL %s%s%s\n",
	    pre != NULL ? pre : "", ops, zone != NULL ? " TZ " : "",
	    zone != NULL ? zone : "");
	*rsp = tu_load_ok(text);
	free(text);
	return (const struct schedule *)tu_find(*rsp, DEF_SCHEDULE, "S");
}

/* Check one sched_next answer against want (NULL: never). */
static void
check_next(const char *what, const char *zone, bool ok, time_t got,
    const char *want)
{
	char	 buf[64];

	if (want == NULL) {
		if (ok)
			tformat(zone, got, buf, sizeof buf);
		ck_assert_msg(!ok, "%s: got %s, want never", what, buf);
		return;
	}
	ck_assert_msg(ok, "%s: got never, want %s", what, want);
	tformat(zone, got, buf, sizeof buf);
	ck_assert_msg(strcmp(buf, want) == 0, "%s: got %s, want %s", what, buf,
	    want);
}

/* {pre, operands, zone, after, next (NULL: never)}: WHEN forms. */
static const struct next_case {
	const char	*pre;
	const char	*ops;
	const char	*zone;
	const char	*after;
	const char	*want;
} next_cases[] = {
	/* Daily. */
	{ NULL, "WHEN 13:15", UTC, "2026-01-01 00:00", "2026-01-01 13:15+00:00" },
	{ NULL, "WHEN 13:15", UTC, "2026-01-01 13:14:59",
	  "2026-01-01 13:15+00:00" },
	{ NULL, "WHEN 13:15", UTC, "2026-01-01 13:15", "2026-01-02 13:15+00:00" },
	{ NULL, "WHEN 13:15", UTC, "2026-01-01 13:15:01",
	  "2026-01-02 13:15+00:00" },
	{ NULL, "WHEN 00:00", UTC, "2026-12-31 23:59", "2027-01-01 00:00+00:00" },
	{ NULL, "WHEN 00:00", UTC, "2027-01-01 00:00", "2027-01-02 00:00+00:00" },
	{ NULL, "WHEN 23:59", UTC, "2026-02-28 23:59", "2026-03-01 23:59+00:00" },
	{ NULL, "WHEN 23:59", UTC, "2024-02-28 23:59", "2024-02-29 23:59+00:00" },
	{ NULL, "WHEN 08:00", BER, "2026-07-01 08:00", "2026-07-02 08:00+02:00" },
	{ NULL, "WHEN 08:00", BER, "2026-01-01 07:00", "2026-01-01 08:00+01:00" },
	{ NULL, "WHEN 08:00", NYC, "2026-01-01 07:00", "2026-01-01 08:00-05:00" },
	{ NULL, "WHEN 08:00", NYC, "2026-01-01 13:00+00:00",
	  "2026-01-02 08:00-05:00" },
	{ NULL, "WHEN 08:00", NYC, "2026-01-01 12:59+00:00",
	  "2026-01-01 08:00-05:00" },
	{ NULL, "WHEN 23:30", IST, "2026-01-01 17:59:59+00:00",
	  "2026-01-01 23:30+05:30" },
	{ NULL, "WHEN 23:30", IST, "2026-01-01 18:00+00:00",
	  "2026-01-02 23:30+05:30" },

	/* Daily on the spring-forward day: the first moment after the gap. */
	{ NULL, "WHEN 02:30", BER, "2026-03-28 02:30", "2026-03-29 03:00+02:00" },
	{ NULL, "WHEN 02:30", BER, "2026-03-29 01:59", "2026-03-29 03:00+02:00" },
	{ NULL, "WHEN 02:30", BER, "2026-03-29 03:00", "2026-03-30 02:30+02:00" },
	{ NULL, "WHEN 02:00", BER, "2026-03-28 12:00", "2026-03-29 03:00+02:00" },
	{ NULL, "WHEN 02:59", BER, "2026-03-28 12:00", "2026-03-29 03:00+02:00" },
	{ NULL, "WHEN 03:00", BER, "2026-03-28 12:00", "2026-03-29 03:00+02:00" },
	{ NULL, "WHEN 03:01", BER, "2026-03-28 12:00", "2026-03-29 03:01+02:00" },
	{ NULL, "WHEN 01:59", BER, "2026-03-28 12:00", "2026-03-29 01:59+01:00" },
	{ NULL, "WHEN 02:30", NYC, "2026-03-07 12:00", "2026-03-08 03:00-04:00" },
	{ NULL, "WHEN 02:30", NYC, "2026-03-08 03:00", "2026-03-09 02:30-04:00" },
	{ NULL, "WHEN 02:00", NYC, "2026-03-07 12:00", "2026-03-08 03:00-04:00" },
	{ NULL, "WHEN 02:15", LHI, "2026-10-03 12:00", "2026-10-04 02:30+11:00" },
	{ NULL, "WHEN 00:00", HAV, "2026-03-07 12:00", "2026-03-08 01:00-04:00" },
	{ NULL, "WHEN 00:30", HAV, "2026-03-07 12:00", "2026-03-08 01:00-04:00" },
	{ NULL, "WHEN 00:30", HAV, "2026-03-07 23:59", "2026-03-08 01:00-04:00" },
	{ NULL, "WHEN 01:00", HAV, "2026-03-07 12:00", "2026-03-08 01:00-04:00" },
	{ NULL, "WHEN 00:30", HAV, "2026-03-08 01:00-04:00",
	  "2026-03-09 00:30-04:00" },
	/* Daily on the fall-back day: the first occurrence, once. */
	{ NULL, "WHEN 02:30", BER, "2026-10-24 12:00", "2026-10-25 02:30+02:00" },
	{ NULL, "WHEN 02:30", BER, "2026-10-25 02:29+02:00",
	  "2026-10-25 02:30+02:00" },
	{ NULL, "WHEN 02:30", BER, "2026-10-25 02:30+02:00",
	  "2026-10-26 02:30+01:00" },
	{ NULL, "WHEN 02:30", BER, "2026-10-25 02:10+01:00",
	  "2026-10-26 02:30+01:00" },
	{ NULL, "WHEN 02:00", BER, "2026-10-24 12:00", "2026-10-25 02:00+02:00" },
	{ NULL, "WHEN 01:59", BER, "2026-10-24 12:00", "2026-10-25 01:59+02:00" },
	{ NULL, "WHEN 03:00", BER, "2026-10-25 02:00+02:00",
	  "2026-10-25 03:00+01:00" },
	{ NULL, "WHEN 01:30", NYC, "2026-10-31 12:00", "2026-11-01 01:30-04:00" },
	{ NULL, "WHEN 01:30", NYC, "2026-11-01 01:30-04:00",
	  "2026-11-02 01:30-05:00" },
	{ NULL, "WHEN 01:30", NYC, "2026-11-01 01:00-05:00",
	  "2026-11-02 01:30-05:00" },
	{ NULL, "WHEN 02:30", NYC, "2026-10-31 12:00", "2026-11-01 02:30-05:00" },
	{ NULL, "WHEN 01:45", LHI, "2026-04-04 12:00", "2026-04-05 01:45+11:00" },
	{ NULL, "WHEN 01:45", LHI, "2026-04-05 01:45+11:00",
	  "2026-04-06 01:45+10:30" },
	{ NULL, "WHEN 00:30", HAV, "2026-10-31 12:00", "2026-11-01 00:30-04:00" },
	{ NULL, "WHEN 00:30", HAV, "2026-11-01 00:30-04:00",
	  "2026-11-02 00:30-05:00" },
	{ NULL, "WHEN 00:00", HAV, "2026-11-01 00:00-05:00",
	  "2026-11-02 00:00-05:00" },

	/* Hourly. */
	{ NULL, "WHEN 05", UTC, "2026-01-01 10:04", "2026-01-01 10:05+00:00" },
	{ NULL, "WHEN 05", UTC, "2026-01-01 10:05", "2026-01-01 11:05+00:00" },
	{ NULL, "WHEN 05", UTC, "2026-01-01 23:30", "2026-01-02 00:05+00:00" },
	{ NULL, "WHEN 00", UTC, "2026-01-01 23:00", "2026-01-02 00:00+00:00" },
	{ NULL, "WHEN 59", UTC, "2026-12-31 23:59", "2027-01-01 00:59+00:00" },
	{ NULL, "WHEN 00", IST, "2026-01-01 10:10", "2026-01-01 11:00+05:30" },
	{ NULL, "WHEN 15 HOURS 8-17", UTC, "2026-01-01 17:15",
	  "2026-01-02 08:15+00:00" },
	{ NULL, "WHEN 15 HOURS 8-17", UTC, "2026-01-01 07:00",
	  "2026-01-01 08:15+00:00" },
	{ NULL, "WHEN 15 HOURS 8-17", UTC, "2026-01-01 12:20",
	  "2026-01-01 13:15+00:00" },
	{ NULL, "WHEN 15 HOURS 0,23", UTC, "2026-01-01 00:15",
	  "2026-01-01 23:15+00:00" },
	{ NULL, "WHEN 15 HOURS 0,23", UTC, "2026-01-01 23:15",
	  "2026-01-02 00:15+00:00" },
	{ NULL, "WHEN 30 HOURS 9 DAYS *****---", UTC, "2026-01-02 09:30",
	  "2026-01-05 09:30+00:00" },
	{ NULL, "WHEN 15 HOURS 8-17", BER, "2026-01-01 16:15+00:00",
	  "2026-01-02 08:15+01:00" },
	/* Hourly on the days clocks change (the whole days: chains below). */
	{ NULL, "WHEN 30", BER, "2026-03-29 01:30", "2026-03-29 03:00+02:00" },
	{ NULL, "WHEN 30", BER, "2026-03-29 03:00", "2026-03-29 03:30+02:00" },
	{ NULL, "WHEN 00", BER, "2026-03-29 01:00", "2026-03-29 03:00+02:00" },
	{ NULL, "WHEN 00", BER, "2026-03-29 03:00", "2026-03-29 04:00+02:00" },
	{ NULL, "WHEN 30", BER, "2026-10-25 01:30+02:00",
	  "2026-10-25 02:30+02:00" },
	{ NULL, "WHEN 30", BER, "2026-10-25 02:30+02:00",
	  "2026-10-25 03:30+01:00" },
	{ NULL, "WHEN 30", BER, "2026-10-25 02:00+01:00",
	  "2026-10-25 03:30+01:00" },
	{ NULL, "WHEN 00", BER, "2026-10-25 02:00+02:00",
	  "2026-10-25 03:00+01:00" },
	{ NULL, "WHEN 00", NYC, "2026-03-08 01:00", "2026-03-08 03:00-04:00" },
	{ NULL, "WHEN 00", NYC, "2026-11-01 01:00-04:00",
	  "2026-11-01 02:00-05:00" },
	{ NULL, "WHEN 30", NYC, "2026-11-01 01:10-05:00",
	  "2026-11-01 02:30-05:00" },
	/* HOURS is judged at the hour WHEN names, even when moved by a gap. */
	{ NULL, "WHEN 30 HOURS 2", BER, "2026-03-28 12:00",
	  "2026-03-29 03:00+02:00" },
	{ NULL, "WHEN 30 HOURS 2", BER, "2026-03-29 03:00",
	  "2026-03-30 02:30+02:00" },
	{ NULL, "WHEN 30 HOURS 2", BER, "2026-10-25 02:30+02:00",
	  "2026-10-26 02:30+01:00" },
	{ NULL, "WHEN 02:30 HOURS 2", BER, "2026-03-28 12:00",
	  "2026-03-29 03:00+02:00" },
	{ NULL, "WHEN 02:30 HOURS 3", BER, "2026-03-28 12:00", NULL },

	/* Weekly. */
	{ NULL, "WHEN THU-13:15", UTC, "2026-01-01 13:14",
	  "2026-01-01 13:15+00:00" },
	{ NULL, "WHEN THU-13:15", UTC, "2026-01-01 13:15",
	  "2026-01-08 13:15+00:00" },
	{ NULL, "WHEN SUN-00:00", UTC, "2026-01-01 00:00",
	  "2026-01-04 00:00+00:00" },
	{ NULL, "WHEN MON-23:59", UTC, "2026-12-31 00:00",
	  "2027-01-04 23:59+00:00" },
	{ NULL, "WHEN TUES-01:00", UTC, "2026-01-01 00:00",
	  "2026-01-06 01:00+00:00" },
	{ NULL, "WHEN WEDS-01:00", UTC, "2026-01-01 00:00",
	  "2026-01-07 01:00+00:00" },
	{ NULL, "WHEN THURS-01:00", UTC, "2026-01-01 01:00",
	  "2026-01-08 01:00+00:00" },
	{ NULL, "WHEN FRI-01:00", UTC, "2026-01-01 00:00",
	  "2026-01-02 01:00+00:00" },
	{ NULL, "WHEN SAT-01:00", UTC, "2026-01-01 00:00",
	  "2026-01-03 01:00+00:00" },
	{ NULL, "WHEN MON-00:30", NYC, "2026-01-05 04:00+00:00",
	  "2026-01-05 00:30-05:00" },
	{ NULL, "WHEN MON-00:30", NYC, "2026-01-05 05:30+00:00",
	  "2026-01-12 00:30-05:00" },
	{ NULL, "WHEN SUN-02:30", BER, "2026-03-28 12:00",
	  "2026-03-29 03:00+02:00" },
	{ NULL, "WHEN SUN-02:30", BER, "2026-03-29 03:00",
	  "2026-04-05 02:30+02:00" },
	{ NULL, "WHEN SUN-02:30", BER, "2026-10-24 12:00",
	  "2026-10-25 02:30+02:00" },
	{ NULL, "WHEN SUN-02:30", BER, "2026-10-25 02:30+02:00",
	  "2026-11-01 02:30+01:00" },
	{ NULL, "WHEN SUN-02:30", NYC, "2026-03-07 12:00",
	  "2026-03-08 03:00-04:00" },
	{ NULL, "WHEN SUN-01:30", NYC, "2026-10-31 12:00",
	  "2026-11-01 01:30-04:00" },
	{ NULL, "WHEN SUN-01:30", NYC, "2026-11-01 01:30-04:00",
	  "2026-11-08 01:30-05:00" },

	/* Monthly: a month without the day is skipped. */
	{ NULL, "WHEN 15-10:00", UTC, "2026-01-15 10:00",
	  "2026-02-15 10:00+00:00" },
	{ NULL, "WHEN 15-10:00", UTC, "2026-01-15 09:59",
	  "2026-01-15 10:00+00:00" },
	{ NULL, "WHEN 01-00:00", UTC, "2026-12-01 00:00",
	  "2027-01-01 00:00+00:00" },
	{ NULL, "WHEN 31-12:00", UTC, "2026-01-31 12:00",
	  "2026-03-31 12:00+00:00" },
	{ NULL, "WHEN 31-12:00", UTC, "2026-03-31 12:00",
	  "2026-05-31 12:00+00:00" },
	{ NULL, "WHEN 31-12:00", UTC, "2026-07-31 12:00",
	  "2026-08-31 12:00+00:00" },
	{ NULL, "WHEN 31-12:00", UTC, "2026-08-31 12:00",
	  "2026-10-31 12:00+00:00" },
	{ NULL, "WHEN 31-12:00", UTC, "2026-10-31 12:00",
	  "2026-12-31 12:00+00:00" },
	{ NULL, "WHEN 30-12:00", UTC, "2026-01-30 12:00",
	  "2026-03-30 12:00+00:00" },
	{ NULL, "WHEN 30-12:00", UTC, "2024-01-30 12:00",
	  "2024-03-30 12:00+00:00" },
	{ NULL, "WHEN 30-12:00", UTC, "2026-04-30 12:00",
	  "2026-05-30 12:00+00:00" },
	{ NULL, "WHEN 29-12:00", UTC, "2026-01-29 12:00",
	  "2026-03-29 12:00+00:00" },
	{ NULL, "WHEN 29-12:00", UTC, "2024-01-29 12:00",
	  "2024-02-29 12:00+00:00" },
	{ NULL, "WHEN 29-12:00", UTC, "2100-01-29 12:00",
	  "2100-03-29 12:00+00:00" },
	{ NULL, "WHEN 29-12:00", UTC, "2000-01-29 12:00",
	  "2000-02-29 12:00+00:00" },
	{ NULL, "WHEN 29-02:30", BER, "2026-03-01 00:00",
	  "2026-03-29 03:00+02:00" },

	/* Month end. */
	{ NULL, "WHEN EM-23:00", UTC, "2026-01-31 23:00",
	  "2026-02-28 23:00+00:00" },
	{ NULL, "WHEN EM-23:00", UTC, "2024-01-31 23:00",
	  "2024-02-29 23:00+00:00" },
	{ NULL, "WHEN EM-23:00", UTC, "2100-01-31 23:00",
	  "2100-02-28 23:00+00:00" },
	{ NULL, "WHEN EM-23:00", UTC, "2000-01-31 23:00",
	  "2000-02-29 23:00+00:00" },
	{ NULL, "WHEN EM-23:00", UTC, "2026-02-28 23:00",
	  "2026-03-31 23:00+00:00" },
	{ NULL, "WHEN EM-23:00", UTC, "2026-03-31 23:00",
	  "2026-04-30 23:00+00:00" },
	{ NULL, "WHEN EM-23:00", UTC, "2026-04-30 22:59",
	  "2026-04-30 23:00+00:00" },
	{ NULL, "WHEN EM-23:00", UTC, "2026-12-31 23:00",
	  "2027-01-31 23:00+00:00" },
	{ NULL, "WHEN EM-00:00", UTC, "2026-06-01 00:00",
	  "2026-06-30 00:00+00:00" },
	{ NULL, "WHEN EM-23:00 DAYS *****---", UTC, "2026-01-01 00:00",
	  "2026-03-31 23:00+00:00" },
	{ NULL, "WHEN EM-23:30", NYC, "2026-01-31 12:00",
	  "2026-01-31 23:30-05:00" },

	/* The nth weekday; a month without a fifth one is skipped. */
	{ NULL, "WHEN LSTFRI-22:00", UTC, "2026-01-01 00:00",
	  "2026-01-30 22:00+00:00" },
	{ NULL, "WHEN LSTFRI-22:00", UTC, "2026-01-30 22:00",
	  "2026-02-27 22:00+00:00" },
	{ NULL, "WHEN LSTFRI-22:00", UTC, "2026-07-23 00:00",
	  "2026-07-31 22:00+00:00" },
	{ NULL, "WHEN 1STWKD-06:00", UTC, "2026-01-01 06:00",
	  "2026-02-02 06:00+00:00" },
	{ NULL, "WHEN 1STWKD-06:00", UTC, "2026-01-31 00:00",
	  "2026-02-02 06:00+00:00" },
	{ NULL, "WHEN 1STWKD-06:00", UTC, "2026-02-28 00:00",
	  "2026-03-02 06:00+00:00" },
	{ NULL, "WHEN 1STWKD-06:00", UTC, "2026-03-31 00:00",
	  "2026-04-01 06:00+00:00" },
	{ NULL, "WHEN 1STWKD-06:00", UTC, "2026-07-31 00:00",
	  "2026-08-03 06:00+00:00" },
	{ NULL, "WHEN 3RDWKD-08:00", UTC, "2026-01-01 00:00",
	  "2026-01-05 08:00+00:00" },
	{ NULL, "WHEN 5THWKD-08:00", UTC, "2026-01-01 00:00",
	  "2026-01-07 08:00+00:00" },
	{ NULL, "WHEN LSTWKD-17:00", UTC, "2026-05-01 00:00",
	  "2026-05-29 17:00+00:00" },
	{ NULL, "WHEN 1STWKE-08:00", UTC, "2026-01-01 00:00",
	  "2026-01-03 08:00+00:00" },
	{ NULL, "WHEN 2NDWKE-08:00", UTC, "2026-01-01 00:00",
	  "2026-01-04 08:00+00:00" },
	{ NULL, "WHEN 5THWKE-08:00", UTC, "2026-01-01 00:00",
	  "2026-01-17 08:00+00:00" },
	{ NULL, "WHEN LSTWKE-12:00", UTC, "2026-01-01 00:00",
	  "2026-01-31 12:00+00:00" },
	{ NULL, "WHEN LSTWKE-12:00", UTC, "2026-02-01 00:00",
	  "2026-02-28 12:00+00:00" },
	{ NULL, "WHEN LSTWKE-12:00", UTC, "2026-03-01 00:00",
	  "2026-03-29 12:00+00:00" },
	{ NULL, "WHEN 5THMON-09:00", UTC, "2026-01-01 00:00",
	  "2026-03-30 09:00+00:00" },
	{ NULL, "WHEN 5THMON-09:00", UTC, "2026-03-30 09:00",
	  "2026-06-29 09:00+00:00" },
	{ NULL, "WHEN 5THSUN-08:00", UTC, "2026-02-01 09:00",
	  "2026-03-29 08:00+00:00" },
	{ NULL, "WHEN 2NDTUE-10:00", UTC, "2026-01-01 00:00",
	  "2026-01-13 10:00+00:00" },
	{ NULL, "WHEN 1STSUN-00:00", UTC, "2026-01-01 00:00",
	  "2026-01-04 00:00+00:00" },
	{ NULL, "WHEN 4THTHU-12:00", UTC, "2026-11-01 00:00",
	  "2026-11-26 12:00+00:00" },
	{ NULL, "WHEN LSTSUN-02:30", BER, "2026-03-01 00:00",
	  "2026-03-29 03:00+02:00" },
	{ NULL, "WHEN LSTSUN-02:30", BER, "2026-10-01 00:00",
	  "2026-10-25 02:30+02:00" },

	/* Yearly; 02/29 only in leap years (2100 is not one, 2000 is). */
	{ NULL, "WHEN 12/31-23:59", UTC, "2026-01-01 00:00",
	  "2026-12-31 23:59+00:00" },
	{ NULL, "WHEN 12/31-23:59", UTC, "2026-12-31 23:59",
	  "2027-12-31 23:59+00:00" },
	{ NULL, "WHEN 01/01-00:00", UTC, "2026-12-31 23:59",
	  "2027-01-01 00:00+00:00" },
	{ NULL, "WHEN 02/29-12:00", UTC, "2024-02-29 12:00",
	  "2028-02-29 12:00+00:00" },
	{ NULL, "WHEN 02/29-12:00", UTC, "2026-01-01 00:00",
	  "2028-02-29 12:00+00:00" },
	{ NULL, "WHEN 02/29-12:00", UTC, "2096-03-01 00:00",
	  "2104-02-29 12:00+00:00" },
	{ NULL, "WHEN 02/29-12:00", UTC, "1999-06-01 00:00",
	  "2000-02-29 12:00+00:00" },
	{ NULL, "WHEN 02/28-12:00", UTC, "2100-02-28 12:00",
	  "2101-02-28 12:00+00:00" },
	/* More than ten years ahead. */
	{ NULL, "WHEN 02/29-12:00 DAYS *-------", UTC, "2026-01-01 00:00",
	  "2044-02-29 12:00+00:00" },
	{ NULL, "WHEN 03/29-02:30", BER, "2026-01-01 00:00",
	  "2026-03-29 03:00+02:00" },

	/* ISO weeks: 2020 and 2026 have a week 53, 2021 and 2027 not. */
	{ NULL, "WHEN I53-1-08:00", UTC, "2026-01-01 00:00",
	  "2026-12-28 08:00+00:00" },
	{ NULL, "WHEN I53-1-08:00", UTC, "2026-12-28 08:00",
	  "2032-12-27 08:00+00:00" },
	{ NULL, "WHEN I53-1-08:00", UTC, "2020-06-01 00:00",
	  "2020-12-28 08:00+00:00" },
	{ NULL, "WHEN I53-1-08:00", UTC, "2021-01-01 00:00",
	  "2026-12-28 08:00+00:00" },
	{ NULL, "WHEN I53-5-08:00", UTC, "2020-12-31 08:00",
	  "2021-01-01 08:00+00:00" },
	{ NULL, "WHEN I53-7-08:00", UTC, "2021-01-01 00:00",
	  "2021-01-03 08:00+00:00" },
	{ NULL, "WHEN I53-7-08:00", UTC, "2021-01-03 08:00",
	  "2027-01-03 08:00+00:00" },
	{ NULL, "WHEN I52-1-08:00", UTC, "2026-06-01 00:00",
	  "2026-12-21 08:00+00:00" },
	{ NULL, "WHEN I01-1-08:00", UTC, "2026-01-01 00:00",
	  "2027-01-04 08:00+00:00" },
	{ NULL, "WHEN I01-1-08:00", UTC, "2025-06-01 00:00",
	  "2025-12-29 08:00+00:00" },
	{ NULL, "WHEN I10-3-12:00", UTC, "2026-01-01 00:00",
	  "2026-03-04 12:00+00:00" },
	{ NULL, "WHEN IFW-1-08:00", UTC, "2025-06-01 00:00",
	  "2025-12-29 08:00+00:00" },
	{ NULL, "WHEN IFW-4-08:00", UTC, "2026-01-01 07:00",
	  "2026-01-01 08:00+00:00" },
	{ NULL, "WHEN IFW-4-08:00", UTC, "2026-01-01 08:00",
	  "2027-01-07 08:00+00:00" },
	{ NULL, "WHEN ILW-7-12:00", UTC, "2021-06-01 00:00",
	  "2022-01-02 12:00+00:00" },
	{ NULL, "WHEN ILW-7-12:00", UTC, "2026-06-01 00:00",
	  "2027-01-03 12:00+00:00" },
	{ NULL, "WHEN ILW-1-08:00", UTC, "2026-06-01 00:00",
	  "2026-12-28 08:00+00:00" },
	{ NULL, "WHEN ILW-1-08:00", UTC, "2027-06-01 00:00",
	  "2027-12-27 08:00+00:00" },
	{ NULL, "WHEN IEV-5-18:00", UTC, "2026-01-01 00:00",
	  "2026-01-09 18:00+00:00" },
	{ NULL, "WHEN IEV-5-18:00", UTC, "2026-12-25 18:00",
	  "2027-01-15 18:00+00:00" },
	{ NULL, "WHEN IOD-5-18:00", UTC, "2026-12-25 18:00",
	  "2027-01-01 18:00+00:00" },
	{ NULL, "WHEN IOD-5-18:00", UTC, "2027-01-01 18:00",
	  "2027-01-08 18:00+00:00" },
	{ NULL, "WHEN I13-7-02:30", BER, "2026-01-01 00:00",
	  "2026-03-29 03:00+02:00" },

	/* Holidays: on one, only the H position of DAYS decides. */
	{ HOL, "WHEN 08:00 DAYS *****---", UTC, "2026-12-24 08:00",
	  "2026-12-28 08:00+00:00" },
	{ HOL, "WHEN 08:00 DAYS *****--*", UTC, "2026-12-24 08:00",
	  "2026-12-25 08:00+00:00" },
	{ HOL, "WHEN 08:00 DAYS *****--*", UTC, "2027-12-24 08:00",
	  "2027-12-25 08:00+00:00" },
	{ HOL, "WHEN 08:00 DAYS *****---", UTC, "2026-12-31 08:00",
	  "2027-01-04 08:00+00:00" },
	{ HOL, "WHEN 08:00 DAYS -----**-", UTC, "2027-12-24 08:00",
	  "2027-12-26 08:00+00:00" },
	{ HOL, "WHEN 08:00 DAYS -------*", UTC, "2026-02-01 00:00",
	  "2026-12-25 08:00+00:00" },
	{ HOL, "WHEN 08:00 DAYS -------*", UTC, "2026-12-25 08:00",
	  "2027-01-01 08:00+00:00" },
	{ HOL, "WHEN FRI-08:00 DAYS *******-", UTC, "2026-12-18 08:00",
	  "2027-01-08 08:00+00:00" },
	{ HOL, "WHEN FRI-08:00", UTC, "2026-12-18 08:00",
	  "2026-12-25 08:00+00:00" },
	{ HOL, "WHEN 00 DAYS *******-", UTC, "2026-12-24 23:00",
	  "2026-12-26 00:00+00:00" },
	{ HOL, "WHEN 25-08:00 DAYS *******-", UTC, "2026-11-25 08:00",
	  "2027-01-25 08:00+00:00" },
	{ HOL, "WHEN 08:00 DAYS *******-", BER, "2026-12-24 08:00",
	  "2026-12-26 08:00+01:00" },
	{ HOL, "WHEN 00:30 DAYS *******-", NYC, "2026-12-25 04:00+00:00",
	  "2026-12-26 00:30-05:00" },
	{ "DEFDATE NAME XMAS DATE 2026/12/24-2026/12/31\n",
	  "WHEN 08:00 DAYS *******-", UTC, "2026-12-23 08:00",
	  "2027-01-01 08:00+00:00" },
	{ "DEFDATE NAME XMAS DATE 2026/12/24-2026/12/31\n",
	  "WHEN 08:00 DAYS *******-", UTC, "2027-12-23 08:00",
	  "2027-12-24 08:00+00:00" },
	{ "DEFDATE NAME A DATE 07/04\nDEFDATE NAME B DATE 07/05\n",
	  "WHEN 08:00 DAYS *******-", UTC, "2026-07-03 08:00",
	  "2026-07-06 08:00+00:00" },
	{ "DEFDATE NAME A DATE 07/04\nDEFDATE NAME A DATE 07/05\n",
	  "WHEN 08:00 DAYS *******-", UTC, "2026-07-03 08:00",
	  "2026-07-06 08:00+00:00" },
	{ "DEFDATE NAME W DATE 12/24-01/02\n", "WHEN 08:00 DAYS *******-",
	  UTC, "2026-12-23 08:00", "2027-01-03 08:00+00:00" },
	{ "DEFDATE NAME F DATE 2031/06/15\n", "WHEN 08:00 DAYS -------*",
	  UTC, "2026-01-01 00:00", "2031-06-15 08:00+00:00" },
	{ "DEFDATE NAME P DATE 2020/01/01\n", "WHEN 08:00 DAYS -------*",
	  UTC, "2026-01-01 00:00", NULL },

	/* Never. */
	{ NULL, "WHEN 13:00 HOURS 8-12", UTC, "2026-01-01 00:00", NULL },
	{ NULL, "WHEN 13:00 DAYS --------", UTC, "2026-01-01 00:00", NULL },
	{ NULL, "WHEN 05 DAYS --------", UTC, "2026-01-01 00:00", NULL },
	{ NULL, "WHEN THU-13:15 DAYS ***-****", UTC, "2026-01-01 00:00",
	  NULL },
	{ NULL, "WHEN 02/29-08:00 DAYS -------*", UTC, "2026-01-01 00:00",
	  NULL },
	/* The whole 400-year horizon: Monday of week 53, Mondays off. */
	{ NULL, "WHEN I53-1-08:00 DAYS -******-", UTC, "2026-01-01 00:00",
	  NULL }
};

/* The schedule's own TZ, while the process is in a zone far from it. */
START_TEST(test_next_tz)
{
	const struct next_case	*c = &next_cases[_i];
	const struct schedule	*s;
	struct ruleset		*rs;
	time_t			 after, got = 0;
	bool			 ok;
	char			 what[256];

	s = load_sched(c->pre, c->ops, c->zone, &rs);
	after = tparse(c->zone, c->after);
	tz_push(strcmp(c->zone, "Pacific/Kiritimati") == 0 ? "UTC" :
	    "Pacific/Kiritimati");
	ok = sched_next(s, rs, 0, after, &got);
	tz_pop();
	snprintf(what, sizeof what, "%s TZ %s after %s", c->ops, c->zone,
	    c->after);
	check_next(what, c->zone, ok, got, c->want);
	ruleset_free(rs);
}
END_TEST

/* The same without TZ: the process's local time zone. */
START_TEST(test_next_local)
{
	const struct next_case	*c = &next_cases[_i];
	const struct schedule	*s;
	struct ruleset		*rs;
	time_t			 after, got = 0;
	bool			 ok;
	char			 what[256];

	s = load_sched(c->pre, c->ops, NULL, &rs);
	ck_assert_ptr_null(s->tz);
	after = tparse(c->zone, c->after);
	tz_push(c->zone);
	ok = sched_next(s, rs, 0, after, &got);
	tz_pop();
	snprintf(what, sizeof what, "%s (local %s) after %s", c->ops,
	    c->zone, c->after);
	check_next(what, c->zone, ok, got, c->want);
	ruleset_free(rs);
}
END_TEST

/* {pre, operands, zone, anchor, after, next}: EVERY and NOW+. */
static const struct anchored_case {
	const char	*pre;
	const char	*ops;
	const char	*zone;
	const char	*anchor;
	const char	*after;
	const char	*want;
} anchored_cases[] = {
	/* EVERY: anchor + k * every, k >= 1, not aligned to the clock. */
	{ NULL, "EVERY 00:15", UTC, "2026-01-01 10:07:13",
	  "2026-01-01 10:07:13", "2026-01-01 10:22:13+00:00" },
	{ NULL, "EVERY 00:15", UTC, "2026-01-01 10:07:13",
	  "2026-01-01 10:22:12", "2026-01-01 10:22:13+00:00" },
	{ NULL, "EVERY 00:15", UTC, "2026-01-01 10:07:13",
	  "2026-01-01 10:22:13", "2026-01-01 10:37:13+00:00" },
	{ NULL, "EVERY 00:15", UTC, "2026-01-01 10:07:13",
	  "2026-01-01 09:00", "2026-01-01 10:22:13+00:00" },
	{ NULL, "EVERY 00:15", UTC, "2026-01-01 10:07:13",
	  "2026-03-01 00:00", "2026-03-01 00:07:13+00:00" },
	{ NULL, "EVERY 36:00", UTC, "2026-01-01 00:00", "2026-01-02 11:59",
	  "2026-01-02 12:00+00:00" },
	{ NULL, "EVERY 36:00", UTC, "2026-01-01 00:00", "2026-01-02 12:00",
	  "2026-01-04 00:00+00:00" },
	{ NULL, "EVERY 8784:00", UTC, "2026-01-01 00:00", "2026-01-01 00:00",
	  "2027-01-02 00:00+00:00" },
	{ NULL, "EVERY 06:00 DAYS *****---", UTC, "2026-01-02 00:00",
	  "2026-01-02 18:00", "2026-01-05 00:00+00:00" },
	{ NULL, "EVERY 07:00 DAYS ------*-", UTC, "2026-01-01 00:00",
	  "2026-01-01 00:00", "2026-01-04 05:00+00:00" },
	{ NULL, "EVERY 00:45 HOURS 9-10", UTC, "2026-01-01 00:00",
	  "2026-01-01 00:00", "2026-01-01 09:00+00:00" },
	{ NULL, "EVERY 00:45 HOURS 9-10", UTC, "2026-01-01 00:00",
	  "2026-01-01 09:00", "2026-01-01 09:45+00:00" },
	{ NULL, "EVERY 00:45 HOURS 9-10", UTC, "2026-01-01 00:00",
	  "2026-01-01 10:30", "2026-01-02 09:00+00:00" },
	{ HOL, "EVERY 24:00 DAYS *******-", UTC, "2026-12-24 12:00",
	  "2026-12-24 12:00", "2026-12-26 12:00+00:00" },
	{ HOL, "EVERY 24:00 DAYS -------*", UTC, "2026-01-01 12:00",
	  "2026-01-01 12:00", "2026-12-25 12:00+00:00" },
	/* EVERY counts real time: across the gap and the repeat. */
	{ NULL, "EVERY 01:00", BER, "2026-03-29 00:00", "2026-03-29 01:00",
	  "2026-03-29 03:00+02:00" },
	{ NULL, "EVERY 01:00", BER, "2026-10-25 00:00",
	  "2026-10-25 02:00+02:00", "2026-10-25 02:00+01:00" },
	{ NULL, "EVERY 01:00", BER, "2026-10-25 00:00",
	  "2026-10-25 02:00+01:00", "2026-10-25 03:00+01:00" },
	/* ... and HOURS is judged at each run's own local hour. */
	{ NULL, "EVERY 00:30 HOURS 2", BER, "2026-10-25 00:00",
	  "2026-10-25 02:30+02:00", "2026-10-25 02:00+01:00" },
	{ NULL, "EVERY 00:30 HOURS 2", BER, "2026-10-25 00:00",
	  "2026-10-25 02:30+01:00", "2026-10-26 02:00+01:00" },
	{ NULL, "EVERY 00:30 HOURS 2", BER, "2026-03-28 02:00",
	  "2026-03-28 02:30", "2026-03-30 02:00+02:00" },
	{ NULL, "EVERY 24:00 HOURS 9", BER, "2026-07-01 10:15",
	  "2026-07-01 10:15", "2026-10-25 09:15+01:00" },
	/* Never: every run is at 10:15 UTC (the whole horizon). */
	{ NULL, "EVERY 24:00 HOURS 9", UTC, "2026-01-01 10:15",
	  "2026-01-01 10:15", NULL },
	{ NULL, "EVERY 00:01 DAYS --------", UTC, "2026-01-01 10:15",
	  "2026-01-01 10:15", NULL },

	/* NOW+: once, at anchor + delay, if DAYS and HOURS allow it. */
	{ NULL, "WHEN NOW+01:30", UTC, "2026-01-01 10:00", "2026-01-01 10:00",
	  "2026-01-01 11:30+00:00" },
	{ NULL, "WHEN NOW+01:30", UTC, "2026-01-01 10:00",
	  "2026-01-01 11:29:59", "2026-01-01 11:30+00:00" },
	{ NULL, "WHEN NOW+01:30", UTC, "2026-01-01 10:00", "2026-01-01 11:30",
	  NULL },
	{ NULL, "WHEN NOW+01:30", UTC, "2026-01-01 10:00", "2026-02-01 00:00",
	  NULL },
	{ NULL, "WHEN NOW+01:30", UTC, "2026-01-01 10:00", "2025-12-31 00:00",
	  "2026-01-01 11:30+00:00" },
	{ NULL, "WHEN NOW+00:01", UTC, "2026-01-01 10:00:30",
	  "2026-01-01 10:00:30", "2026-01-01 10:01:30+00:00" },
	{ NULL, "WHEN NOW+99:59", UTC, "2026-01-01 00:00", "2026-01-01 00:00",
	  "2026-01-05 03:59+00:00" },
	{ NULL, "WHEN NOW+01:00", BER, "2026-03-29 01:30", "2026-03-29 01:30",
	  "2026-03-29 03:30+02:00" },
	{ NULL, "WHEN NOW+02:00 DAYS *****---", UTC, "2026-01-02 21:00",
	  "2026-01-02 21:00", "2026-01-02 23:00+00:00" },
	{ NULL, "WHEN NOW+02:00 DAYS *****---", UTC, "2026-01-02 23:00",
	  "2026-01-02 23:00", NULL },
	{ NULL, "WHEN NOW+00:30 HOURS 10", UTC, "2026-01-01 09:45",
	  "2026-01-01 09:45", "2026-01-01 10:15+00:00" },
	{ NULL, "WHEN NOW+00:30 HOURS 10", UTC, "2026-01-01 09:15",
	  "2026-01-01 09:15", NULL },
	{ HOL, "WHEN NOW+24:00 DAYS *******-", UTC, "2026-12-24 08:00",
	  "2026-12-24 08:00", NULL },
	{ HOL, "WHEN NOW+01:00 DAYS -------*", UTC, "2026-12-25 08:00",
	  "2026-12-25 08:00", "2026-12-25 09:00+00:00" }
};

START_TEST(test_anchored)
{
	const struct anchored_case	*c = &anchored_cases[_i];
	const struct schedule		*s;
	struct ruleset			*rs;
	time_t				 anchor, after, got = 0;
	bool				 ok;
	char				 what[256];

	s = load_sched(c->pre, c->ops, c->zone, &rs);
	anchor = tparse(c->zone, c->anchor);
	after = tparse(c->zone, c->after);
	tz_push("UTC");
	ok = sched_next(s, rs, anchor, after, &got);
	tz_pop();
	snprintf(what, sizeof what, "%s TZ %s anchor %s after %s", c->ops,
	    c->zone, c->anchor, c->after);
	check_next(what, c->zone, ok, got, c->want);
	ruleset_free(rs);
}
END_TEST

/*
 * The oracle: an independent, slow answer for a zone without DST (UTC or
 * a fixed offset), built on timegm/gmtime_r and strftime's %V and %G, and
 * on the yearly holidays 12/25, 01/01 and 05/01 it is given as data.
 */
#define ORACLE_PRE	"DEFDATE NAME HOL DATE 12/25,01/01,05/01\n"
#define ORACLE_STARTS	64
#define ORACLE_YEARS	30

static const char *const oracle_forms[] = {
	"WHEN 07", "WHEN 00", "WHEN 13:15", "WHEN 00:00", "WHEN 23:59",
	"WHEN MON-08:00", "WHEN SUN-23:59", "WHEN WED-00:00",
	"WHEN 15-10:00", "WHEN 31-12:00", "WHEN 30-00:00", "WHEN 29-00:00",
	"WHEN 01-06:00", "WHEN EM-23:00", "WHEN EM-00:00",
	"WHEN 1STMON-06:00", "WHEN 2NDTUE-06:00", "WHEN 3RDWED-06:00",
	"WHEN 4THTHU-06:00", "WHEN 5THFRI-06:00", "WHEN 5THMON-06:00",
	"WHEN 5THSUN-06:00", "WHEN LSTFRI-22:00", "WHEN LSTSUN-01:00",
	"WHEN LSTMON-01:00", "WHEN 1STWKD-06:00", "WHEN 2NDWKD-06:00",
	"WHEN 3RDWKD-06:00", "WHEN 5THWKD-06:00", "WHEN LSTWKD-06:00",
	"WHEN 1STWKE-06:00", "WHEN 4THWKE-06:00", "WHEN 5THWKE-06:00",
	"WHEN LSTWKE-06:00", "WHEN 02/29-12:00", "WHEN 12/31-23:59",
	"WHEN 03/01-00:00", "WHEN 01/01-00:00", "WHEN I01-1-08:00",
	"WHEN I52-7-08:00", "WHEN I53-1-08:00", "WHEN I53-4-08:00",
	"WHEN I53-7-08:00", "WHEN I27-3-08:00", "WHEN IFW-3-08:00",
	"WHEN IFW-7-08:00", "WHEN ILW-7-12:00", "WHEN ILW-1-12:00",
	"WHEN IEV-5-18:00", "WHEN IEV-1-00:00", "WHEN IOD-2-18:00",
	"WHEN IOD-7-23:59",
	"WHEN 13:15 DAYS *****---", "WHEN 13:15 DAYS -------*",
	"WHEN 13:15 DAYS *****--*", "WHEN 13:15 DAYS -----**-",
	"WHEN 20 HOURS 8-17", "WHEN 20 HOURS 0,23 DAYS -----**-",
	"WHEN 45 DAYS *-*-*-*- HOURS 3,11,19", "WHEN EM-23:00 DAYS *****---",
	"WHEN LSTFRI-22:00 DAYS ****-***", "WHEN 1STWKD-06:00 DAYS *******-",
	"WHEN 01/01-09:00 DAYS *******-", "WHEN 05/01-09:00 DAYS -------*",
	"WHEN IOD-5-18:00 DAYS ****-**-", "WHEN 12/25-07:00 DAYS ****-***"
};

/* The zones the oracle runs in, with their fixed offset. */
static const struct {
	const char	*zone;
	long		 off;
} oracle_zones[] = {
	{ "UTC", 0 },
	{ "Asia/Kolkata", 19800 },
	{ "Etc/GMT+11", -39600 }
};

static bool
oracle_dow_is(int dow, int isodow)
{
	if (dow == DOW_WKD)
		return isodow <= 5;
	if (dow == DOW_WKE)
		return isodow >= 6;
	return dow == isodow;
}

/* A day at noon, as seen by gmtime_r; y, m (1-12) and d may overflow. */
static void
oracle_tm(int y, int m, int d, struct tm *tm)
{
	time_t	 t;

	memset(tm, 0, sizeof *tm);
	tm->tm_year = y - 1900;
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	tm->tm_hour = 12;
	t = timegm(tm);
	gmtime_r(&t, tm);
}

/* The number of days in the month of tm, from libc's normalisation. */
static int
oracle_dim(const struct tm *tm)
{
	static int	 key = -1, dim;
	struct tm	 last;

	if (key != tm->tm_year * 12 + tm->tm_mon) {
		oracle_tm(tm->tm_year + 1900, tm->tm_mon + 2, 0, &last);
		key = tm->tm_year * 12 + tm->tm_mon;
		dim = last.tm_mday;
	}
	return dim;
}

/* Whether the form runs on the day of tm (noon). */
static bool
oracle_day(const struct when *w, const struct tm *tm)
{
	struct tm	 tmp;
	char		 buf[8];
	int		 isodow = tm->tm_wday == 0 ? 7 : tm->tm_wday;
	int		 dim = oracle_dim(tm), i, n, wd, week, year;

	switch (w->kind) {
	case WHEN_HOURLY:
	case WHEN_DAILY:
		return true;
	case WHEN_WEEKLY:
		return oracle_dow_is(w->dow, isodow);
	case WHEN_MONTHLY:
		return tm->tm_mday == w->mday;
	case WHEN_MONTH_END:
		return tm->tm_mday == dim;
	case WHEN_YEARLY:
		return tm->tm_mon + 1 == w->month && tm->tm_mday == w->mday;
	case WHEN_NTH_WEEKDAY:
		if (!oracle_dow_is(w->dow, isodow))
			return false;
		/* Count the month's matching days, with tm_wday stepped. */
		n = 0;
		for (i = 1; i <= dim; i++) {
			wd = ((tm->tm_wday + i - tm->tm_mday) % 7 + 7) % 7;
			if (!oracle_dow_is(w->dow, wd == 0 ? 7 : wd))
				continue;
			n++;
			if (w->nth != 0 && n == w->nth)
				return i == tm->tm_mday;
			if (w->nth == 0 && i > tm->tm_mday)
				return false;
		}
		return w->nth == 0;
	case WHEN_ISO_WEEK:
		if (isodow != w->isoday)
			return false;
		strftime(buf, sizeof buf, "%V", tm);
		week = atoi(buf);
		strftime(buf, sizeof buf, "%G", tm);
		year = atoi(buf);
		switch (w->week_sel) {
		case WEEK_NUMBER:
			return week == w->week;
		case WEEK_FIRST:
			return week == 1;
		case WEEK_LAST:
			oracle_tm(year, 12, 28, &tmp);
			strftime(buf, sizeof buf, "%V", &tmp);
			return week == atoi(buf);
		case WEEK_EVEN:
			return week % 2 == 0;
		default:
			return week % 2 == 1;
		}
	default:
		ck_abort_msg("oracle: kind %d", (int)w->kind);
	}
	return false;
}

static bool
oracle_allowed(const struct schedule *s, const struct tm *tm)
{
	int	 m = tm->tm_mon + 1, d = tm->tm_mday;
	int	 isodow = tm->tm_wday == 0 ? 7 : tm->tm_wday;

	if ((m == 12 && d == 25) || (m == 1 && d == 1) || (m == 5 && d == 1))
		return (s->days & 0x80) != 0;
	return (s->days & (1u << (isodow - 1))) != 0;
}

/* The first run after after, for a zone at a fixed offset off. */
static bool
oracle_next(const struct schedule *s, long off, time_t after, time_t *next)
{
	const struct when	*w = &s->when;
	struct tm		 tm;
	time_t			 wall = after + off, noon, day, t;
	int			 i, h;

	/* Noon of after's day, in the zone's wall clock. */
	wall = (wall - (wall % 86400 + 86400) % 86400) + 12 * 3600;
	for (i = 0; i < ORACLE_YEARS * 366; i++) {
		noon = wall + (time_t)i * 86400;
		gmtime_r(&noon, &tm);
		day = noon - 12 * 3600 - off;
		if (!oracle_day(w, &tm) || !oracle_allowed(s, &tm))
			continue;
		for (h = 0; h < 24; h++) {
			if (w->kind != WHEN_HOURLY && h != w->hour)
				continue;
			if (!(s->hours & (1u << h)))
				continue;
			t = day + h * 3600 + w->minute * 60;
			if (t > after) {
				*next = t;
				return true;
			}
		}
	}
	return false;
}

START_TEST(test_oracle)
{
	const char		*ops = oracle_forms[_i % nitems(oracle_forms)];
	const char		*zone;
	const struct schedule	*s;
	struct ruleset		*rs;
	time_t			 base, after, got = 0, want = 0;
	bool			 ok, wok;
	char			 gbuf[64], wbuf[64];
	long			 off;
	int			 k;

	zone = oracle_zones[_i / nitems(oracle_forms)].zone;
	off = oracle_zones[_i / nitems(oracle_forms)].off;
	s = load_sched(ORACLE_PRE, ops, zone, &rs);
	base = tparse("UTC", "2019-11-03 05:17:00+00:00");
	tz_push(NYC);
	for (k = 0; k < ORACLE_STARTS; k++) {
		/* About 64 days apart, at ever-changing times of day. */
		after = base + (time_t)k * 5513297;
		if (k % 3 == 1) {
			/* Exactly at a run: the next one must be later. */
			if (!oracle_next(s, off, after, &after))
				continue;
		}
		ok = sched_next(s, rs, 0, after, &got);
		wok = oracle_next(s, off, after, &want);
		tformat(zone, after, wbuf, sizeof wbuf);
		if (!wok) {
			/* None in 30 years: none, or a later one. */
			ck_assert_msg(!ok || got > after +
			    (time_t)ORACLE_YEARS * 365 * 86400,
			    "%s in %s after %s: run found, oracle has none",
			    ops, zone, wbuf);
			continue;
		}
		ck_assert_msg(ok, "%s in %s after %s: never, oracle has one",
		    ops, zone, wbuf);
		tformat(zone, got, gbuf, sizeof gbuf);
		tformat(zone, want, wbuf, sizeof wbuf);
		ck_assert_msg(got == want, "%s in %s: got %s, oracle %s", ops,
		    zone, gbuf, wbuf);
	}
	tz_pop();
	ruleset_free(rs);
}
END_TEST

/* A hand-made weekly schedule on WKD or WKE (the parser has no such form). */
START_TEST(test_weekly_wkd_wke)
{
	const struct schedule	*s;
	struct schedule		 w;
	struct ruleset		*rs;
	time_t			 got = 0;

	s = load_sched(NULL, "WHEN MON-08:00", UTC, &rs);
	w = *s;
	w.when.dow = DOW_WKD;
	ck_assert(sched_next(&w, rs, 0, tparse(UTC, "2026-01-02 08:00"),
	    &got));
	check_next("WKD-08:00", UTC, true, got, "2026-01-05 08:00+00:00");
	ck_assert(sched_next(&w, rs, 0, tparse(UTC, "2026-01-01 08:00"),
	    &got));
	check_next("WKD-08:00", UTC, true, got, "2026-01-02 08:00+00:00");
	w.when.dow = DOW_WKE;
	ck_assert(sched_next(&w, rs, 0, tparse(UTC, "2026-01-03 08:00"),
	    &got));
	check_next("WKE-08:00", UTC, true, got, "2026-01-04 08:00+00:00");
	ck_assert(sched_next(&w, rs, 0, tparse(UTC, "2026-01-04 08:00"),
	    &got));
	check_next("WKE-08:00", UTC, true, got, "2026-01-10 08:00+00:00");
	/* No WHEN and no EVERY: never. */
	w.when.kind = WHEN_NONE;
	ck_assert(!sched_next(&w, rs, 0, 0, &got));
	ruleset_free(rs);
}
END_TEST

/* Without a ruleset there are no holidays. */
START_TEST(test_no_ruleset)
{
	const struct schedule	*s;
	struct ruleset		*rs;
	time_t			 got = 0;

	s = load_sched(HOL, "WHEN 08:00 DAYS -------*", UTC, &rs);
	ck_assert(sched_next(s, rs, 0, tparse(UTC, "2026-06-01 00:00"),
	    &got));
	check_next("with rs", UTC, true, got, "2026-12-25 08:00+00:00");
	ck_assert(!sched_next(s, NULL, 0, tparse(UTC, "2026-06-01 00:00"),
	    &got));
	ruleset_free(rs);
}
END_TEST

/*
 * The whole days clocks change: every run of an hourly schedule that
 * falls on the day, in order ("HH:MM+hh:mm" joined by blanks).
 */
static const struct {
	const char	*ops;
	const char	*zone;
	const char	*day;
	const char	*want;
} hourly_days[] = {
	{ "WHEN 00", BER, "2026-03-29",
	  "00:00+01:00 01:00+01:00 03:00+02:00 04:00+02:00 05:00+02:00 "
	  "06:00+02:00 07:00+02:00 08:00+02:00 09:00+02:00 10:00+02:00 "
	  "11:00+02:00 12:00+02:00 13:00+02:00 14:00+02:00 15:00+02:00 "
	  "16:00+02:00 17:00+02:00 18:00+02:00 19:00+02:00 20:00+02:00 "
	  "21:00+02:00 22:00+02:00 23:00+02:00" },
	{ "WHEN 30", BER, "2026-03-29",
	  "00:30+01:00 01:30+01:00 03:00+02:00 03:30+02:00 04:30+02:00 "
	  "05:30+02:00 06:30+02:00 07:30+02:00 08:30+02:00 09:30+02:00 "
	  "10:30+02:00 11:30+02:00 12:30+02:00 13:30+02:00 14:30+02:00 "
	  "15:30+02:00 16:30+02:00 17:30+02:00 18:30+02:00 19:30+02:00 "
	  "20:30+02:00 21:30+02:00 22:30+02:00 23:30+02:00" },
	{ "WHEN 00", BER, "2026-10-25",
	  "00:00+02:00 01:00+02:00 02:00+02:00 03:00+01:00 04:00+01:00 "
	  "05:00+01:00 06:00+01:00 07:00+01:00 08:00+01:00 09:00+01:00 "
	  "10:00+01:00 11:00+01:00 12:00+01:00 13:00+01:00 14:00+01:00 "
	  "15:00+01:00 16:00+01:00 17:00+01:00 18:00+01:00 19:00+01:00 "
	  "20:00+01:00 21:00+01:00 22:00+01:00 23:00+01:00" },
	{ "WHEN 30", BER, "2026-10-25",
	  "00:30+02:00 01:30+02:00 02:30+02:00 03:30+01:00 04:30+01:00 "
	  "05:30+01:00 06:30+01:00 07:30+01:00 08:30+01:00 09:30+01:00 "
	  "10:30+01:00 11:30+01:00 12:30+01:00 13:30+01:00 14:30+01:00 "
	  "15:30+01:00 16:30+01:00 17:30+01:00 18:30+01:00 19:30+01:00 "
	  "20:30+01:00 21:30+01:00 22:30+01:00 23:30+01:00" },
	{ "WHEN 00", NYC, "2026-03-08",
	  "00:00-05:00 01:00-05:00 03:00-04:00 04:00-04:00 05:00-04:00 "
	  "06:00-04:00 07:00-04:00 08:00-04:00 09:00-04:00 10:00-04:00 "
	  "11:00-04:00 12:00-04:00 13:00-04:00 14:00-04:00 15:00-04:00 "
	  "16:00-04:00 17:00-04:00 18:00-04:00 19:00-04:00 20:00-04:00 "
	  "21:00-04:00 22:00-04:00 23:00-04:00" },
	{ "WHEN 30", NYC, "2026-03-08",
	  "00:30-05:00 01:30-05:00 03:00-04:00 03:30-04:00 04:30-04:00 "
	  "05:30-04:00 06:30-04:00 07:30-04:00 08:30-04:00 09:30-04:00 "
	  "10:30-04:00 11:30-04:00 12:30-04:00 13:30-04:00 14:30-04:00 "
	  "15:30-04:00 16:30-04:00 17:30-04:00 18:30-04:00 19:30-04:00 "
	  "20:30-04:00 21:30-04:00 22:30-04:00 23:30-04:00" },
	{ "WHEN 00", NYC, "2026-11-01",
	  "00:00-04:00 01:00-04:00 02:00-05:00 03:00-05:00 04:00-05:00 "
	  "05:00-05:00 06:00-05:00 07:00-05:00 08:00-05:00 09:00-05:00 "
	  "10:00-05:00 11:00-05:00 12:00-05:00 13:00-05:00 14:00-05:00 "
	  "15:00-05:00 16:00-05:00 17:00-05:00 18:00-05:00 19:00-05:00 "
	  "20:00-05:00 21:00-05:00 22:00-05:00 23:00-05:00" },
	{ "WHEN 30", NYC, "2026-11-01",
	  "00:30-04:00 01:30-04:00 02:30-05:00 03:30-05:00 04:30-05:00 "
	  "05:30-05:00 06:30-05:00 07:30-05:00 08:30-05:00 09:30-05:00 "
	  "10:30-05:00 11:30-05:00 12:30-05:00 13:30-05:00 14:30-05:00 "
	  "15:30-05:00 16:30-05:00 17:30-05:00 18:30-05:00 19:30-05:00 "
	  "20:30-05:00 21:30-05:00 22:30-05:00 23:30-05:00" },
	{ "WHEN 30", HAV, "2026-03-08",
	  "01:00-04:00 01:30-04:00 02:30-04:00 03:30-04:00 04:30-04:00 "
	  "05:30-04:00 06:30-04:00 07:30-04:00 08:30-04:00 09:30-04:00 "
	  "10:30-04:00 11:30-04:00 12:30-04:00 13:30-04:00 14:30-04:00 "
	  "15:30-04:00 16:30-04:00 17:30-04:00 18:30-04:00 19:30-04:00 "
	  "20:30-04:00 21:30-04:00 22:30-04:00 23:30-04:00" },
	{ "WHEN 00", HAV, "2026-03-08",
	  "01:00-04:00 02:00-04:00 03:00-04:00 04:00-04:00 05:00-04:00 "
	  "06:00-04:00 07:00-04:00 08:00-04:00 09:00-04:00 10:00-04:00 "
	  "11:00-04:00 12:00-04:00 13:00-04:00 14:00-04:00 15:00-04:00 "
	  "16:00-04:00 17:00-04:00 18:00-04:00 19:00-04:00 20:00-04:00 "
	  "21:00-04:00 22:00-04:00 23:00-04:00" },
	{ "WHEN 30", HAV, "2026-11-01",
	  "00:30-04:00 01:30-05:00 02:30-05:00 03:30-05:00 04:30-05:00 "
	  "05:30-05:00 06:30-05:00 07:30-05:00 08:30-05:00 09:30-05:00 "
	  "10:30-05:00 11:30-05:00 12:30-05:00 13:30-05:00 14:30-05:00 "
	  "15:30-05:00 16:30-05:00 17:30-05:00 18:30-05:00 19:30-05:00 "
	  "20:30-05:00 21:30-05:00 22:30-05:00 23:30-05:00" },
	{ "WHEN 30 HOURS 1-3", BER, "2026-03-29",
	  "01:30+01:00 03:00+02:00 03:30+02:00" },
	{ "WHEN 30 HOURS 1-3", BER, "2026-10-25",
	  "01:30+02:00 02:30+02:00 03:30+01:00" }
};

START_TEST(test_hourly_day)
{
	const struct schedule	*s;
	struct ruleset		*rs;
	struct strbuf		 sb;
	time_t			 t, prev;
	char			 buf[64], start[32];
	int			 n = 0, cmp;

	s = load_sched(NULL, hourly_days[_i].ops, hourly_days[_i].zone, &rs);
	/* From noon the day before: the day may start after a gap. */
	snprintf(start, sizeof start, "%s 12:00", hourly_days[_i].day);
	t = tparse(hourly_days[_i].zone, start) - 86400;
	strbuf_init(&sb);
	for (;;) {
		prev = t;
		ck_assert(sched_next(s, rs, 0, prev, &t));
		ck_assert_msg(t > prev, "not after");
		tformat(hourly_days[_i].zone, t, buf, sizeof buf);
		cmp = strncmp(buf, hourly_days[_i].day, 10);
		if (cmp < 0)
			continue;
		if (cmp > 0)
			break;
		ck_assert_int_lt(++n, 30);
		if (sb.len > 0)
			strbuf_addc(&sb, ' ');
		strbuf_adds(&sb, buf + 11);
	}
	ck_assert_msg(strcmp(sb.data, hourly_days[_i].want) == 0,
	    "%s %s %s:\ngot  %s\nwant %s", hourly_days[_i].ops,
	    hourly_days[_i].zone, hourly_days[_i].day, sb.data,
	    hourly_days[_i].want);
	strbuf_free(&sb);
	ruleset_free(rs);
}
END_TEST

/*
 * 1000 runs of a daily 02:30 in Berlin from 2026-01-01: one a day on
 * consecutive days, at 02:30, but at 03:00 CEST on the three
 * spring-forward days, and at 02:30 CEST (the first) on the fall-back days.
 */
START_TEST(test_chain_daily_berlin)
{
	static const char *const spring[] = {
		"2026-03-29", "2027-03-28", "2028-03-26"
	};
	static const char *const autumn[] = {
		"2026-10-25", "2027-10-31"
	};
	const struct schedule	*s;
	struct ruleset		*rs;
	struct tm		 tm, prev;
	time_t			 t;
	char			 buf[64];
	size_t			 i, j;
	int			 n, nspring = 0, nautumn = 0;
	bool			 sp, au;

	s = load_sched(NULL, "WHEN 02:30", BER, &rs);
	t = tparse(BER, "2026-01-01 00:00");
	memset(&prev, 0, sizeof prev);
	for (n = 0; n < 1000; n++) {
		ck_assert(sched_next(s, rs, 0, t, &t));
		tformat(BER, t, buf, sizeof buf);
		tz_push(BER);
		localtime_r(&t, &tm);
		tz_pop();
		if (n == 0)
			ck_assert_str_eq(buf, "2026-01-01 02:30+01:00");
		else {
			/* The next calendar day, never the same one twice. */
			prev.tm_mday++;
			prev.tm_hour = 12;
			prev.tm_isdst = -1;
			timegm(&prev);
			ck_assert_msg(prev.tm_year == tm.tm_year &&
			    prev.tm_mon == tm.tm_mon &&
			    prev.tm_mday == tm.tm_mday, "run %d at %s: not "
			    "the day after the last", n, buf);
		}
		sp = au = false;
		for (i = 0; i < nitems(spring); i++)
			sp |= strncmp(buf, spring[i], 10) == 0;
		for (j = 0; j < nitems(autumn); j++)
			au |= strncmp(buf, autumn[j], 10) == 0;
		if (sp) {
			nspring++;
			ck_assert_msg(strcmp(buf + 10, " 03:00+02:00") == 0,
			    "spring-forward run at %s", buf);
		} else if (au) {
			nautumn++;
			ck_assert_msg(strcmp(buf + 10, " 02:30+02:00") == 0,
			    "fall-back run at %s", buf);
		} else
			ck_assert_msg(strncmp(buf + 10, " 02:30", 6) == 0,
			    "run at %s", buf);
		prev = tm;
	}
	ck_assert_str_eq(buf, "2028-09-26 02:30+02:00");
	ck_assert_int_eq(nspring, 3);
	ck_assert_int_eq(nautumn, 2);
	ruleset_free(rs);
}
END_TEST

/* EVERY 00:15 through the fall-back night: exactly 900 s apart. */
START_TEST(test_chain_every)
{
	const struct schedule	*s;
	struct ruleset		*rs;
	time_t			 anchor, t, prev;
	int			 n;

	s = load_sched(NULL, "EVERY 00:15", BER, &rs);
	anchor = tparse(BER, "2026-10-24 22:07:30");
	t = anchor;
	for (n = 0; n < 200; n++) {
		prev = t;
		ck_assert(sched_next(s, rs, anchor, prev, &t));
		ck_assert_int_eq((long long)(t - prev), 900);
	}
	ck_assert_int_eq((long long)(t - anchor), 200 * 900);
	ruleset_free(rs);
}
END_TEST

/* sched_list gives what sched_next gives one by one. */
static const char *const list_forms[] = {
	"WHEN 30 HOURS 8-17 DAYS *****---", "WHEN 02:30", "WHEN 00",
	"WHEN SUN-01:30", "WHEN EM-23:00", "EVERY 05:00 HOURS 0-5",
	"WHEN NOW+00:10"
};

START_TEST(test_list)
{
	const struct schedule	*s;
	struct ruleset		*rs;
	time_t			 anchor, after, out[60], t;
	size_t			 n, i, want;

	s = load_sched(NULL, list_forms[_i], NYC, &rs);
	anchor = after = tparse(NYC, "2026-02-20 12:00");
	n = sched_list(s, rs, anchor, after, out, nitems(out));
	want = strncmp(list_forms[_i], "WHEN NOW+", 9) == 0 ? 1 :
	    nitems(out);
	ck_assert_uint_eq(n, want);
	t = after;
	for (i = 0; i < n; i++) {
		ck_assert(sched_next(s, rs, anchor, t, &t));
		ck_assert_msg(t == out[i], "%s: run %zu differs",
		    list_forms[_i], i);
	}
	ck_assert(n == nitems(out) || !sched_next(s, rs, anchor, t, &t));
	ck_assert_uint_eq(sched_list(s, rs, anchor, after, out, 0), 0);
	ruleset_free(rs);
}
END_TEST

/* {pre, operands, zone, time, allowed}. */
static const struct {
	const char	*pre;
	const char	*ops;
	const char	*zone;
	const char	*at;
	bool		 want;
} allows_cases[] = {
	{ NULL, "WHEN 08:00 DAYS *****--- HOURS 8-17", BER,
	  "2026-01-05 08:00", true },
	{ NULL, "WHEN 08:00 DAYS *****--- HOURS 8-17", BER,
	  "2026-01-05 07:59", false },
	{ NULL, "WHEN 08:00 DAYS *****--- HOURS 8-17", BER,
	  "2026-01-05 17:59", true },
	{ NULL, "WHEN 08:00 DAYS *****--- HOURS 8-17", BER,
	  "2026-01-05 18:00", false },
	{ NULL, "WHEN 08:00 DAYS *****--- HOURS 8-17", BER,
	  "2026-01-03 10:00", false },
	/* In the schedule's zone, not the process's. */
	{ NULL, "WHEN 08:00 DAYS *****--- HOURS 8-17", BER,
	  "2026-01-05 07:30+00:00", true },
	{ NULL, "WHEN 08:00 DAYS *****---", BER, "2026-01-04 23:30+00:00",
	  true },
	{ NULL, "WHEN 08:00 DAYS *****---", NYC, "2026-01-05 03:30+00:00",
	  false },
	{ NULL, "EVERY 01:00 HOURS 2", BER, "2026-10-25 02:30+01:00", true },
	{ NULL, "EVERY 01:00 HOURS 2", BER, "2026-03-29 03:00", false },
	{ HOL, "WHEN 08:00 DAYS *****---", UTC, "2026-12-25 10:00", false },
	{ HOL, "WHEN 08:00 DAYS *****---", UTC, "2026-12-24 10:00", true },
	{ HOL, "WHEN 08:00 DAYS -----***", UTC, "2026-12-25 10:00", true },
	{ HOL, "WHEN 08:00 DAYS -----***", UTC, "2026-12-26 10:00", true },
	{ HOL, "WHEN 08:00 DAYS -----***", UTC, "2026-12-24 10:00", false },
	{ HOL, "WHEN 08:00 DAYS *******-", UTC, "2027-12-25 10:00", false },
	{ HOL, "WHEN 08:00 DAYS *******-", UTC, "2027-12-26 10:00", true },
	{ HOL, "WHEN 08:00 DAYS *******-", BER, "2026-12-24 23:30+00:00",
	  false },
	{ HOL, "WHEN 08:00 DAYS *******-", NYC, "2026-12-25 03:30+00:00",
	  true },
	{ NULL, "WHEN 08:00", UTC, "2026-01-01 00:00", true }
};

START_TEST(test_allows)
{
	const struct schedule	*s;
	struct ruleset		*rs;
	bool			 got;

	s = load_sched(allows_cases[_i].pre, allows_cases[_i].ops,
	    allows_cases[_i].zone, &rs);
	tz_push("Pacific/Kiritimati");
	got = sched_allows(s, rs, tparse(allows_cases[_i].zone,
	    allows_cases[_i].at));
	tz_pop();
	ck_assert_msg(got == allows_cases[_i].want, "%s TZ %s at %s: %s",
	    allows_cases[_i].ops, allows_cases[_i].zone, allows_cases[_i].at,
	    got ? "allowed" : "not allowed");
	ruleset_free(rs);
}
END_TEST

/* The local offset at t as localtime_r sees it now. */
static long
offset_now(time_t t)
{
	struct tm	 tm;

	localtime_r(&t, &tm);
	return tm.tm_gmtoff;
}

/* TZ is put back as it was, and in force (localtime_r sees it). */
START_TEST(test_tz_restored)
{
	const struct schedule	*s;
	struct ruleset		*rs;
	time_t			 t = tparse(UTC, "2026-01-15 12:00"), got, out[3];

	s = load_sched(NULL, "WHEN 08:00", BER, &rs);

	tz_push(NYC);
	ck_assert(sched_next(s, rs, 0, t, &got));
	ck_assert_str_eq(getenv("TZ"), NYC);
	ck_assert_int_eq(offset_now(t), -5 * 3600);
	ck_assert_uint_eq(sched_list(s, rs, 0, t, out, 3), 3);
	ck_assert_str_eq(getenv("TZ"), NYC);
	ck_assert_int_eq(offset_now(t), -5 * 3600);
	ck_assert(sched_allows(s, rs, t));
	ck_assert_str_eq(getenv("TZ"), NYC);
	ck_assert_int_eq(offset_now(t), -5 * 3600);
	tz_pop();

	/* Unset stays unset. */
	tz_push(NULL);
	ck_assert(sched_next(s, rs, 0, t, &got));
	ck_assert_ptr_null(getenv("TZ"));
	check_next("unset TZ", BER, true, got, "2026-01-16 08:00+01:00");
	tz_pop();

	/* Already in the zone: the same answer, TZ untouched. */
	tz_push(BER);
	ck_assert(sched_next(s, rs, 0, t, &got));
	ck_assert_str_eq(getenv("TZ"), BER);
	ck_assert_int_eq(offset_now(t), 3600);
	check_next("in zone", BER, true, got, "2026-01-16 08:00+01:00");
	tz_pop();
	ruleset_free(rs);
}
END_TEST

/* Without TZ the process's zone at the time of the call decides. */
START_TEST(test_tz_local_follows)
{
	const struct schedule	*s;
	struct ruleset		*rs;
	time_t			 t = tparse(UTC, "2026-01-15 12:00"), got;

	s = load_sched(NULL, "WHEN 08:00", NULL, &rs);
	tz_push(NYC);
	ck_assert(sched_next(s, rs, 0, t, &got));
	ck_assert_str_eq(getenv("TZ"), NYC);
	tz_pop();
	check_next("NYC", NYC, true, got, "2026-01-15 08:00-05:00");
	tz_push(BER);
	ck_assert(sched_next(s, rs, 0, t, &got));
	tz_pop();
	check_next("BER", BER, true, got, "2026-01-16 08:00+01:00");
	ruleset_free(rs);
}
END_TEST

static Suite *
schedule_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("schedule");

	tc = tcase_create("next");
	tcase_add_loop_test(tc, test_next_tz, 0, (int)nitems(next_cases));
	tcase_add_loop_test(tc, test_next_local, 0, (int)nitems(next_cases));
	tcase_add_loop_test(tc, test_anchored, 0,
	    (int)nitems(anchored_cases));
	tcase_add_test(tc, test_weekly_wkd_wke);
	tcase_add_test(tc, test_no_ruleset);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);

	tc = tcase_create("oracle");
	tcase_add_loop_test(tc, test_oracle, 0,
	    (int)(nitems(oracle_forms) * nitems(oracle_zones)));
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);

	tc = tcase_create("chains");
	tcase_add_loop_test(tc, test_hourly_day, 0, (int)nitems(hourly_days));
	tcase_add_test(tc, test_chain_daily_berlin);
	tcase_add_test(tc, test_chain_every);
	tcase_add_loop_test(tc, test_list, 0, (int)nitems(list_forms));
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);

	tc = tcase_create("zones");
	tcase_add_loop_test(tc, test_allows, 0, (int)nitems(allows_cases));
	tcase_add_test(tc, test_tz_restored);
	tcase_add_test(tc, test_tz_local_follows);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(schedule_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
