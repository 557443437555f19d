/* SPDX-License-Identifier: Apache-2.0 */
/*
 * schedule.c - when a DEFSCHD runs next: every WHEN form and EVERY, in the
 * schedule's TZ or the process's local time, filtered by DAYS, HOURS and
 * the DEFDATE holidays, with the documented rules for the days clocks
 * change.  Pure arithmetic on times given by the caller: timers, CATCHUP
 * and running the action belong to the daemon.
 *
 * A WHEN form names wall-clock times on calendar days.  Days are walked as
 * plain day numbers (days since 1970-01-01, proleptic Gregorian), which is
 * cheap; only a day that the form, DAYS and the holidays all allow has its
 * wall-clock time turned into an instant, by sched_resolve():
 *  - a time that does not exist (inside a spring-forward gap) becomes the
 *    first moment after the gap, the transition itself (02:30 in
 *    Europe/Berlin on 2026-03-29 fires at 03:00 CEST);
 *  - a time that occurs twice (fall-back) becomes its first occurrence,
 *    and the second is never a run of its own: a daily schedule fires once
 *    that day, an hourly one once per wall-clock hour, so the repeated
 *    hour runs once.
 * DAYS and HOURS are judged at the wall-clock day and hour the WHEN form
 * names, so a run moved by a gap keeps them.  EVERY and NOW+ name instants,
 * not wall-clock times, so they are judged at the local time of the
 * instant.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/rules.h"

/*
 * How far ahead a schedule is looked for: 400 years, one full cycle of
 * the Gregorian calendar (146097 days, exactly 20871 weeks).  Weekdays,
 * month lengths, leap years, ISO weeks and yearly holidays repeat with
 * that period, so a WHEN form with no run in it never runs.  Only a dated
 * DEFDATE holiday further ahead (they go up to 2999) could be missed.
 */
#define SCHED_HORIZON_DAYS	146097L
#define SCHED_DAY		86400

/*
 * The zone in force while a schedule is worked out.  glibc has no time
 * zone argument to localtime_r or mktime, so TZ is switched for one call
 * and put back as it was, "unset" included; the daemon is single-threaded.
 * One call (and one sched_list of many times) makes one switch however
 * many conversions it does, and none when the zone is already in force.
 * Putting TZ back needs a tzset() too, as localtime_r does not look at TZ
 * again by itself, so the switch cannot outlive the call.
 */
struct sched_zone {
	bool	 switched;
	char	*saved;		/* TZ before the switch; NULL: unset */
};

static void
sched_zone_enter(struct sched_zone *z, const char *tz)
{
	const char	*cur = getenv("TZ");

	z->switched = false;
	z->saved = NULL;
	if (tz == NULL || (cur != NULL && strcmp(cur, tz) == 0))
		return;
	if (cur != NULL)
		z->saved = xstrdup(cur);
	if (setenv("TZ", tz, 1) != 0)
		fatal("setenv TZ");
	tzset();
	z->switched = true;
}

static void
sched_zone_leave(struct sched_zone *z)
{
	if (!z->switched)
		return;
	if (z->saved != NULL) {
		if (setenv("TZ", z->saved, 1) != 0)
			fatal("setenv TZ");
		free(z->saved);
		z->saved = NULL;
	} else
		unsetenv("TZ");
	tzset();
	z->switched = false;
}

/* Day number of y-m-d: days since 1970-01-01 (H. Hinnant's algorithm). */
static long
sched_days(long y, int m, int d)
{
	long	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of a day number. */
static void
sched_civil(long z, int *y, int *m, int *d)
{
	long	 era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* ISO weekday of a day number: 1 Monday .. 7 Sunday (day 0 a Thursday). */
static int
sched_isodow(long z)
{
	return (int)(((z % 7) + 7 + 3) % 7) + 1;
}

/* ISO 8601 week of a day number: the week of its Thursday. */
static int
sched_isoweek(long z, int *wyear)
{
	long	 thu = z - sched_isodow(z) + 4;
	int	 y, m, d;

	sched_civil(thu, &y, &m, &d);
	if (wyear != NULL)
		*wyear = y;
	return (int)((thu - sched_days(y, 1, 1)) / 7 + 1);
}

/* 52 or 53: the week of 28 December is always the year's last. */
static int
sched_isoweeks(int year)
{
	return sched_isoweek(sched_days(year, 12, 28), NULL);
}

/* The wall clock of an instant in the zone in force, as seconds. */
static time_t
sched_wall(time_t t)
{
	struct tm	 tm;

	if (localtime_r(&t, &tm) == NULL)
		fatalx("%s: time %lld out of range", __func__, (long long)t);
	return (time_t)sched_days(tm.tm_year + 1900L, tm.tm_mon + 1,
	    tm.tm_mday) * SCHED_DAY + tm.tm_hour * 3600 + tm.tm_min * 60 +
	    tm.tm_sec;
}

/*
 * The instant of wall-clock time h:mi on day z in the zone in force.  A
 * repeated time gives its first occurrence; a time inside a gap gives the
 * first moment after the gap.  mktime with tm_isdst -1 picks either
 * occurrence and normalises a gap by an amount of its choosing, so it is
 * only the starting point: every offset in force within a day of it is
 * tried, which assumes no two transitions within two days (true of every
 * zone in the tz database).
 */
static time_t
sched_resolve(long z, int h, int mi)
{
	struct tm	 tm;
	time_t		 wall, t, c, best = 0, off[3], omin, omax, lo, hi, mid;
	bool		 found = false;
	int		 i, y, m, d;

	sched_civil(z, &y, &m, &d);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	wall = (time_t)z * SCHED_DAY + h * 3600 + mi * 60;

	for (i = 0; i < 3; i++) {
		c = t + (i - 1) * SCHED_DAY;
		off[i] = sched_wall(c) - c;
	}
	omin = omax = off[0];
	for (i = 0; i < 3; i++) {
		if (off[i] < omin)
			omin = off[i];
		if (off[i] > omax)
			omax = off[i];
		c = wall - off[i];
		if (sched_wall(c) == wall && (!found || c < best)) {
			best = c;
			found = true;
		}
	}
	if (found)
		return best;
	if (omin == omax)
		return t;	/* not a gap we can see: trust mktime */

	/*
	 * In a gap.  lo is before the transition: the smaller offset in
	 * force there makes its wall clock show less than wall.  hi is after
	 * it, showing more.  The transition is the first instant past wall.
	 */
	lo = wall - omax;
	hi = wall - omin;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (sched_wall(mid) > wall)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* Whether y-m-d is in any DEFDATE list of rs. */
static bool
sched_holiday(const struct ruleset *rs, int y, int m, int d)
{
	const struct date	*dt;
	size_t			 i, n;

	if (rs == NULL)
		return false;
	n = ruleset_count(rs, DEF_DATE);
	for (i = 0; i < n; i++) {
		dt = (const struct date *)ruleset_get(rs, DEF_DATE, i);
		if (calendar_contains(&dt->dates, y, m, d))
			return true;
	}
	return false;
}

/* DAYS on a date: on a holiday only the H position (bit 7) decides. */
static bool
sched_day_ok(const struct schedule *s, const struct ruleset *rs, int y,
    int m, int d, int isodow)
{
	bool	 wbit = (s->days & (1u << (isodow - 1))) != 0;
	bool	 hbit = (s->days & 0x80) != 0;

	/* The holidays are only looked up when the answer depends on them. */
	if (wbit == hbit)
		return wbit;
	return sched_holiday(rs, y, m, d) ? hbit : wbit;
}

static bool
sched_hour_ok(const struct schedule *s, int h)
{
	return (s->hours & (1u << h)) != 0;
}

/* Whether ISO weekday isodow is one of a WHEN day (MON..SUN, WKD, WKE). */
static bool
sched_dow_is(unsigned int dow, int isodow)
{
	switch (dow) {
	case DOW_WKD:
		return isodow <= 5;
	case DOW_WKE:
		return isodow >= 6;
	default:
		return (int)dow == isodow;
	}
}

/* NTH_WEEKDAY: whether day d (ISO weekday isodow) of y-m is the one. */
static bool
sched_nth_is(const struct when *w, int y, int m, int d, int isodow)
{
	int	 dim = calendar_days_in_month(y, m), i, n = 0;

	if (!sched_dow_is(w->dow, isodow))
		return false;
	if (w->nth == 0) {
		/* The last: no later day of the month is one. */
		for (i = d + 1; i <= dim; i++) {
			if (sched_dow_is(w->dow,
			    (isodow - 1 + i - d) % 7 + 1))
				return false;
		}
		return true;
	}
	/* The nth: count the ones up to d; a month without it never is. */
	for (i = 1; i <= d; i++) {
		if (sched_dow_is(w->dow,
		    ((isodow - 1 + i - d) % 7 + 7) % 7 + 1))
			n++;
	}
	return n == w->nth;
}

/* ISO_WEEK: whether day z is the ISO day of a selected week. */
static bool
sched_isoweek_is(const struct when *w, long z, int isodow)
{
	int	 week, wyear;

	if (isodow != w->isoday)
		return false;
	week = sched_isoweek(z, &wyear);
	switch (w->week_sel) {
	case WEEK_NUMBER:
		return week == w->week;	/* 53 only in years that have it */
	case WEEK_FIRST:
		return week == 1;
	case WEEK_LAST:
		return week == sched_isoweeks(wyear);
	case WEEK_EVEN:
		return week % 2 == 0;
	case WEEK_ODD:
		return week % 2 == 1;
	default:
		fatalx("%s: bad week %u", __func__, w->week_sel);
	}
}

/* Whether a WHEN form runs on day z (y-m-d, ISO weekday isodow). */
static bool
sched_when_day(const struct when *w, long z, int y, int m, int d,
    int isodow)
{
	switch (w->kind) {
	case WHEN_HOURLY:
	case WHEN_DAILY:
		return true;
	case WHEN_WEEKLY:
		return sched_dow_is(w->dow, isodow);
	case WHEN_MONTHLY:
		return d == w->mday;	/* months without the day: none */
	case WHEN_MONTH_END:
		return d == calendar_days_in_month(y, m);
	case WHEN_NTH_WEEKDAY:
		return sched_nth_is(w, y, m, d, isodow);
	case WHEN_YEARLY:
		return m == w->month && d == w->mday;	/* 02/29: leap years */
	case WHEN_ISO_WEEK:
		return sched_isoweek_is(w, z, isodow);
	default:
		fatalx("%s: bad kind %d", __func__, (int)w->kind);
	}
}

/* The day after y-m-d (ISO weekday isodow), cheaper than sched_civil. */
static void
sched_step(int *y, int *m, int *d, int *isodow)
{
	*isodow = *isodow % 7 + 1;
	if (++*d <= calendar_days_in_month(*y, *m))
		return;
	*d = 1;
	if (++*m <= 12)
		return;
	*m = 1;
	++*y;
}

/* The day number of an instant's local date. */
static long
sched_day_of(time_t t)
{
	time_t	 wall = sched_wall(t);

	return (long)(wall >= 0 ? wall / SCHED_DAY :
	    -((-wall + SCHED_DAY - 1) / SCHED_DAY));
}

/*
 * HOURLY on day z: the first run after after, if any.  ds and de are the
 * instants the day starts and the next one starts.  When the day starts at
 * midnight and the offset is the same at both ends, nothing changes within
 * the day (no two transitions within two days, as above) and the runs are
 * plain arithmetic; a day that starts after a gap at midnight is not.
 */
static bool
sched_next_hourly(const struct schedule *s, long z, time_t ds, time_t de,
    time_t after, time_t *next)
{
	time_t	 off = sched_wall(ds) - ds, t;
	bool	 plain;
	int	 h;

	plain = sched_wall(ds) == (time_t)z * SCHED_DAY &&
	    sched_wall(de) - de == off;

	for (h = 0; h < 24; h++) {
		if (!sched_hour_ok(s, h))
			continue;
		if (plain) {
			t = (time_t)z * SCHED_DAY + h * 3600 +
			    s->when.minute * 60 - off;
		} else
			t = sched_resolve(z, h, s->when.minute);
		/*
		 * A gap's run and the next hour's may fall on the same
		 * instant (hourly 00 at 02:00 and 03:00 both give 03:00):
		 * that makes one run, as the next call looks after it.
		 */
		if (t > after) {
			*next = t;
			return true;
		}
	}
	return false;
}

/* A WHEN form other than NOW+, in the zone in force. */
static bool
sched_next_when(const struct schedule *s, const struct ruleset *rs,
    time_t after, time_t *next)
{
	const struct when	*w = &s->when;
	long			 z, z0, zs = 0;
	time_t			 t, ds = 0, de;
	int			 y, m, d, isodow;
	bool			 have_ds = false;

	if ((s->days & 0xff) == 0 || (s->hours & 0xffffff) == 0)
		return false;
	if (w->kind != WHEN_HOURLY && !sched_hour_ok(s, w->hour))
		return false;

	/*
	 * From the day before after's.  A gap moves a run forward, never
	 * back, so no earlier day can have a run after it; that day itself
	 * is a margin (a run moved across midnight lands at the end of a
	 * gap, which no instant of after's day precedes) costing one step.
	 */
	z0 = sched_day_of(after) - 1;
	sched_civil(z0, &y, &m, &d);
	isodow = sched_isodow(z0);
	for (z = z0; z <= z0 + SCHED_HORIZON_DAYS;
	    z++, sched_step(&y, &m, &d, &isodow)) {
		if (!sched_when_day(w, z, y, m, d, isodow) ||
		    !sched_day_ok(s, rs, y, m, d, isodow))
			continue;
		if (w->kind != WHEN_HOURLY) {
			if ((t = sched_resolve(z, w->hour, w->minute)) >
			    after) {
				*next = t;
				return true;
			}
			continue;
		}
		/* Every run of day z is at or before the next day's start. */
		if (!have_ds || zs != z)
			ds = sched_resolve(z, 0, 0);
		de = sched_resolve(z + 1, 0, 0);
		if (de > after &&
		    sched_next_hourly(s, z, ds, de, after, next))
			return true;
		ds = de;
		zs = z + 1;
		have_ds = true;
	}
	return false;
}

/* Whether instant t's local day and hour are allowed. */
static bool
sched_allows_here(const struct schedule *s, const struct ruleset *rs,
    time_t t)
{
	struct tm	 tm;

	if (localtime_r(&t, &tm) == NULL)
		return false;
	return sched_day_ok(s, rs, tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, (tm.tm_wday + 6) % 7 + 1) &&
	    sched_hour_ok(s, tm.tm_hour);
}

/*
 * EVERY: anchor + k * every for k >= 1 (the first run is one interval
 * after the anchor), skipping the runs DAYS and HOURS do not allow at
 * their local time.  A run not allowed jumps to the first run of the next
 * allowed hour of the day, or of the next day, so long stretches cost one
 * step per day, not one per run.
 */
static bool
sched_next_every(const struct schedule *s, const struct ruleset *rs,
    time_t anchor, time_t after, time_t *next)
{
	struct tm	 tm;
	time_t		 every = s->every, t, nt, b, end;
	long		 z, zend;
	int		 y, m, d, h;

	if (every <= 0 || (s->days & 0xff) == 0 ||
	    (s->hours & 0xffffff) == 0)
		return false;
	t = after < anchor ? anchor + every :
	    anchor + ((after - anchor) / every + 1) * every;
	end = after + (time_t)SCHED_HORIZON_DAYS * SCHED_DAY;
	zend = sched_day_of(after) + SCHED_HORIZON_DAYS + 1;
	while (t <= end) {
		if (localtime_r(&t, &tm) == NULL)
			return false;
		y = tm.tm_year + 1900;
		m = tm.tm_mon + 1;
		d = tm.tm_mday;
		z = sched_days(y, m, d);
		if (!sched_day_ok(s, rs, y, m, d, (tm.tm_wday + 6) % 7 + 1)) {
			/* Pass the days ruled out by arithmetic alone. */
			do {
				sched_civil(++z, &y, &m, &d);
			} while (z < zend && !sched_day_ok(s, rs, y, m, d,
			    sched_isodow(z)));
			b = sched_resolve(z, 0, 0);
		} else if (!sched_hour_ok(s, tm.tm_hour)) {
			for (h = tm.tm_hour + 1; h < 24; h++) {
				if (sched_hour_ok(s, h))
					break;
			}
			b = h < 24 ? sched_resolve(z, h, 0) :
			    sched_resolve(z + 1, 0, 0);
		} else {
			*next = t;
			return true;
		}
		/* The first run at or after b; always forward. */
		nt = anchor + (b - anchor + every - 1) / every * every;
		t = nt > t ? nt : t + every;
	}
	return false;
}

/* sched_next in the zone in force. */
static bool
sched_next_here(const struct schedule *s, const struct ruleset *rs,
    time_t anchor, time_t after, time_t *next)
{
	time_t	 t;

	if (s->every != 0)
		return sched_next_every(s, rs, anchor, after, next);
	switch (s->when.kind) {
	case WHEN_NONE:
		return false;
	case WHEN_ONCE_AFTER:
		/* Once; if DAYS or HOURS forbid that moment, never. */
		t = anchor + (time_t)s->when.after;
		if (t <= after || !sched_allows_here(s, rs, t))
			return false;
		*next = t;
		return true;
	default:
		return sched_next_when(s, rs, after, next);
	}
}

/*
 * The first time strictly after after at which s runs, into *next; false
 * if it never runs again (NOW+ already past or forbidden by DAYS/HOURS,
 * or no run within SCHED_HORIZON_DAYS).  anchor is when the schedule
 * was started, reloaded or defined (EVERY, NOW+); rs gives the DEFDATE
 * holidays and may be NULL for none.
 */
bool
sched_next(const struct schedule *s, const struct ruleset *rs,
    time_t anchor, time_t after, time_t *next)
{
	struct sched_zone	 z;
	bool			 ok;

	sched_zone_enter(&z, s->tz);
	ok = sched_next_here(s, rs, anchor, after, next);
	sched_zone_leave(&z);
	return ok;
}

/* Up to n next runs after after into out (for listings); returns how many. */
size_t
sched_list(const struct schedule *s, const struct ruleset *rs,
    time_t anchor, time_t after, time_t *out, size_t n)
{
	struct sched_zone	 z;
	size_t			 i;

	sched_zone_enter(&z, s->tz);
	for (i = 0; i < n; i++) {
		if (!sched_next_here(s, rs, anchor, after, &out[i]))
			break;
		after = out[i];
	}
	sched_zone_leave(&z);
	return i;
}

/*
 * Whether DAYS, HOURS and the holidays of rs allow s to run at t, judged
 * at t's own local day and hour (as for EVERY).
 */
bool
sched_allows(const struct schedule *s, const struct ruleset *rs, time_t t)
{
	struct sched_zone	 z;
	bool			 ok;

	sched_zone_enter(&z, s->tz);
	ok = sched_allows_here(s, rs, t);
	sched_zone_leave(&z);
	return ok;
}
