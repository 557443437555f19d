/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imon.c - DEFIMON idle monitors: OCCUR count,interval says the watched
 * rule, schedule, event monitor, idle monitor or source is expected to
 * fire (or, for a source, to deliver a message) at least count times in
 * any interval.  Each monitor keeps the times of the last count firings
 * and one timer: it is due when the oldest of them leaves the window (or
 * one interval after the start, or after its own last alarm).  When it is
 * due and fewer than count firings lie within the interval, the monitor
 * fires its action (kind IDLE: &1 the target kind, &2 its name, &3 the
 * count, &4 the interval (minutes, or Ns), &5 the firings seen) and counts, for
 * monitors watching it, as a firing itself; it fires again after another
 * whole interval of silence.  A rule counts when it matches, whatever its
 * action (NULL included) and its LIMIT do, as in the reference.
 */
#include "config.h"

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "actions/actions.h"
#include "engine/engine.h"
#include "rules/rules.h"

static const char *const target_names[] = {
	"RULE", "SCHEDULE", "MACHINE", "SPOOL", "PAGE", "EVENT", "IDLE",
	"SOURCE"
};

struct imon_rt {
	struct vigild	*d;
	char		*name;
	int		 target;	/* enum imon_target */
	char		*watched;
	uint32_t	 count;
	double		 interval;
	struct occur	 seen;		/* the last firings */
	double		 started;
	ev_timer	 timer;
	struct imon_rt	*next;
};

static const struct imon *
find(const struct vigild *d, const char *name)
{
	return (const struct imon *)ruleset_find(d->cur->rs, DEF_IMON, name);
}

static void
arm(struct imon_rt *im, double at)
{
	double	 now = vigild_now(im->d);

	ev_timer_stop(im->d->loop, &im->timer);
	ev_timer_set(&im->timer, at > now ? at - now : 0, 0);
	ev_timer_start(im->d->loop, &im->timer);
}

static void
on_due(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct imon_rt		*im = w->data;
	const struct imon	*def = find(im->d, im->name);
	struct trigger		 t;
	struct message		*msg;
	double			 now = vigild_now(im->d), oldest;
	size_t			 k;
	char			*text;

	(void)loop;
	(void)revents;
	if (def == NULL)
		return;
	k = occur_seen(&im->seen, now, im->interval, &oldest);
	if (k >= im->count) {
		/* Enough: look again when the oldest leaves the window. */
		arm(im, oldest + im->interval);
		return;
	}
	/* The interval as written: minutes, or seconds with an s. */
	if ((long)im->interval % 60 == 0)
		xasprintf(&text, "%s %s %u %ld %zu", target_names[im->target],
		    im->watched, (unsigned)im->count,
		    (long)im->interval / 60, k);
	else
		xasprintf(&text, "%s %s %u %lds %zu",
		    target_names[im->target], im->watched,
		    (unsigned)im->count, (long)im->interval, k);
	msg = message_create(text, strlen(text), VIGILD_SOURCE_NAME,
	    im->d->sysname, VIGILD_SOURCE_NAME, (time_t)now);
	free(text);
	log_warnx("idle monitor %s: %s %s fired %zu times in the last %.0f"
	    " minutes, expected %u", im->name, target_names[im->target],
	    im->watched, k, im->interval / 60, (unsigned)im->count);
	memset(&t, 0, sizeof t);
	t.kind = "IDLE";
	t.name = def->def.name;
	t.action = def->action;
	t.env = def->env.env;
	t.parm = def->parm;
	t.limit = &def->limit;
	t.msg = msg;
	dispatch_trigger(im->d, &t);
	message_free(msg);
	imon_note(im->d, IMON_IDLE, im->name);
	arm(im, now + im->interval);
}

/* What monitor watches target name has fired (or delivered) now. */
void
imon_note(struct vigild *d, int target, const char *name)
{
	struct imon_rt	*im;
	double		 now;

	if (d->imons == NULL)
		return;
	now = vigild_now(d);
	for (im = d->imons; im != NULL; im = im->next) {
		if (im->target != target || strcasecmp(im->watched, name) != 0)
			continue;
		occur_note(&im->seen, now);
	}
}

void
imons_start(struct vigild *d)
{
	const struct imon	*def;
	struct imon_rt		*im;
	size_t			 i, j, n = ruleset_count(d->cur->rs, DEF_IMON);

	imons_free(d);
	for (i = 0; i < n; i++) {
		def = (const struct imon *)ruleset_get(d->cur->rs, DEF_IMON, i);
		for (j = 0; j < nitems(def->target); j++)
			if (def->target[j] != NULL)
				break;
		if (j == nitems(def->target) || def->occur_count == 0)
			continue;	/* the loader requires both */
		im = xcalloc(1, sizeof *im);
		im->d = d;
		im->name = xstrdup(def->def.name);
		im->target = (int)j;
		im->watched = xstrdup(def->target[j]);
		im->count = def->occur_count;
		occur_init(&im->seen, def->occur_count);
		im->interval = def->occur_interval;
		im->started = vigild_now(d);
		ev_timer_init(&im->timer, on_due, 0, 0);
		im->timer.data = im;
		im->next = d->imons;
		d->imons = im;
		arm(im, im->started + im->interval);
	}
}

void
imons_free(struct vigild *d)
{
	struct imon_rt	*im;

	while ((im = d->imons) != NULL) {
		d->imons = im->next;
		ev_timer_stop(d->loop, &im->timer);
		free(im->name);
		free(im->watched);
		occur_free(&im->seen);
		free(im);
	}
}
