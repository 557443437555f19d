/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sched.c - DEFSCHD schedules in the daemon.  Each schedule has a libev
 * periodic timer set to the absolute wall-clock time of its next run
 * (rules/schedule.c computes it: WHEN, DAYS, HOURS, holidays, TZ and the
 * daylight-saving decisions), so a clock step or a suspend does not shift
 * it.  A run fires the schedule's action as a trigger of kind SCHEDULE,
 * counts for idle monitors, and is remembered in the state store, so that
 * a schedule with CATCHUP(YES) runs once at start if a run was missed
 * while the daemon was down.  A reload restarts every schedule: EVERY
 * counts from the reload, as the reference says.
 */
#include "config.h"

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "engine/engine.h"
#include "engine/state.h"
#include "rules/rules.h"

#define KV_SCHEDULE	"schedule"	/* state kv namespace: last runs */

struct sched_rt {
	struct vigild	*d;
	char		*name;
	ev_periodic	 timer;
	time_t		 anchor;	/* EVERY and NOW+ count from here */
	time_t		 due;		/* the run the timer waits for */
	struct sched_rt	*next;
};

static const struct schedule *
find(const struct vigild *d, const char *name)
{
	return (const struct schedule *)ruleset_find(d->cur->rs, DEF_SCHEDULE,
	    name);
}

static void
fmt_time(time_t t, char *buf, size_t size)
{
	struct tm	 tm;

	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S %Z", &tm);
}

/* Arm the timer for the first run after `after`; false if none is left. */
static bool
arm(struct sched_rt *sr, const struct schedule *s, time_t after)
{
	struct vigild	*d = sr->d;
	char		 when[64];

	if (!sched_next(s, d->cur->rs, sr->anchor, after, &sr->due)) {
		log_info("schedule %s: no further run", sr->name);
		return false;
	}
	/* The timer runs on the loop's clock, --test-clock does not. */
	ev_periodic_set(&sr->timer, (double)sr->due - d->clock_offset, 0,
	    NULL);
	ev_periodic_start(d->loop, &sr->timer);
	fmt_time(sr->due, when, sizeof when);
	log_debug("schedule %s: next run %s", sr->name, when);
	return true;
}

static void
run(struct sched_rt *sr, const struct schedule *s, const char *why)
{
	struct vigild	*d = sr->d;
	struct trigger	 t;
	char		 when[64], buf[32];

	fmt_time(sr->due, when, sizeof when);
	log_info("schedule %s: run due %s%s", sr->name, when, why);
	memset(&t, 0, sizeof t);
	t.kind = "SCHEDULE";
	t.name = s->def.name;
	t.action = s->action;
	t.env = s->env.env;
	t.parm = s->parm;
	t.limit = &s->limit;
	dispatch_trigger(d, &t);
	imon_note(d, IMON_SCHEDULE, s->def.name);
	if (d->state != NULL) {
		snprintf(buf, sizeof buf, "%lld", (long long)sr->due);
		state_kv_set(d->state, KV_SCHEDULE, s->def.name, buf,
		    strlen(buf));
	}
}

static void
on_due(struct ev_loop *loop, ev_periodic *w, int revents)
{
	struct sched_rt		*sr = w->data;
	const struct schedule	*s = find(sr->d, sr->name);

	(void)revents;
	ev_periodic_stop(loop, w);
	if (s == NULL)
		return;
	run(sr, s, "");
	arm(sr, s, sr->due);
}

/*
 * CATCHUP(YES): if a run fell due between the last one recorded and now,
 * run once now (however many were missed).
 */
static void
catch_up(struct sched_rt *sr, const struct schedule *s, time_t now)
{
	char	*val = NULL, *end;
	size_t	 len;
	time_t	 last, missed;

	if (!s->catchup || sr->d->state == NULL ||
	    !state_kv_get(sr->d->state, KV_SCHEDULE, s->def.name, &val, &len))
		return;
	last = (time_t)strtoll(val, &end, 10);
	free(val);
	if (sched_next(s, sr->d->cur->rs, last, last, &missed) &&
	    missed < now) {
		sr->due = missed;
		run(sr, s, " (missed while the daemon was down: CATCHUP)");
	}
}

void
scheds_start(struct vigild *d)
{
	const struct schedule	*s;
	struct sched_rt		*sr, **tail;
	time_t			 now = (time_t)vigild_now(d);
	size_t			 i, n = ruleset_count(d->cur->rs, DEF_SCHEDULE);

	scheds_free(d);
	tail = &d->schedules;
	for (i = 0; i < n; i++) {
		s = (const struct schedule *)ruleset_get(d->cur->rs,
		    DEF_SCHEDULE, i);
		sr = xcalloc(1, sizeof *sr);
		sr->d = d;
		sr->name = xstrdup(s->def.name);
		sr->anchor = now;
		ev_periodic_init(&sr->timer, on_due, 0, 0, NULL);
		sr->timer.data = sr;
		*tail = sr;
		tail = &sr->next;
		catch_up(sr, s, now);
		arm(sr, s, now);
	}
	if (n > 0)
		log_info("%zu schedules started", n);
}

void
scheds_free(struct vigild *d)
{
	struct sched_rt	*sr;

	while ((sr = d->schedules) != NULL) {
		d->schedules = sr->next;
		ev_periodic_stop(d->loop, &sr->timer);
		free(sr->name);
		free(sr);
	}
}

/* When schedule name runs next; false if it does not. */
bool
sched_due(const struct vigild *d, const char *name, time_t *due)
{
	const struct sched_rt	*sr;

	for (sr = d->schedules; sr != NULL; sr = sr->next)
		if (strcasecmp(sr->name, name) == 0 &&
		    ev_is_active(&sr->timer)) {
			*due = sr->due;
			return true;
		}
	return false;
}
