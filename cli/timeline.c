/* SPDX-License-Identifier: Apache-2.0 */
/*
 * timeline.c - the daemon's clocks in a log's own time, for vigil replay:
 * schedules (rules/schedule.c says when each runs) and idle monitors run
 * on a virtual clock that the messages' time stamps move forward.  What
 * falls due up to a message's time is reported, in time order, before
 * the message is matched; the clock starts at the first message, as the
 * daemon's starts when it does.  Deadlines are kept in a binary heap, so
 * ten thousand schedules cost a logarithm per run, not a scan.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "actions/actions.h"
#include "cli/cli.h"
#include "rules/rules.h"

enum tl_kind { TL_SCHEDULE, TL_IDLE };

struct tl_item {
	enum tl_kind	 kind;
	const void	*def;		/* struct schedule or struct imon */
	time_t		 due;
	time_t		 anchor;
	/* idle monitors: the last firings of the watched object */
	int		 target;
	const char	*watched;
	struct occur	 seen;
};

struct timeline {
	const struct ruleset	*rs;
	struct tl_item		*items;
	size_t			 nitems;
	struct tl_item		**heap;		/* by due, items not done */
	size_t			 nheap;
};

static void
heap_swap(struct timeline *tl, size_t a, size_t b)
{
	struct tl_item	*t = tl->heap[a];

	tl->heap[a] = tl->heap[b];
	tl->heap[b] = t;
}

static void
heap_push(struct timeline *tl, struct tl_item *it)
{
	size_t	 i = tl->nheap++;

	tl->heap[i] = it;
	while (i > 0 && tl->heap[(i - 1) / 2]->due > tl->heap[i]->due) {
		heap_swap(tl, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static struct tl_item *
heap_pop(struct timeline *tl)
{
	struct tl_item	*top = tl->heap[0];
	size_t		 i = 0, l, m;

	tl->heap[0] = tl->heap[--tl->nheap];
	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < tl->nheap && tl->heap[l]->due < tl->heap[m]->due)
			m = l;
		if (l + 1 < tl->nheap && tl->heap[l + 1]->due <
		    tl->heap[m]->due)
			m = l + 1;
		if (m == i)
			break;
		heap_swap(tl, i, m);
		i = m;
	}
	return top;
}

struct timeline *
timeline_create(const struct ruleset *rs, time_t start)
{
	struct timeline		*tl = xcalloc(1, sizeof *tl);
	const struct schedule	*s;
	const struct imon	*im;
	struct tl_item		*it;
	size_t			 i, j, ns, ni;

	tl->rs = rs;
	ns = ruleset_count(rs, DEF_SCHEDULE);
	ni = ruleset_count(rs, DEF_IMON);
	tl->items = xcalloc(ns + ni + 1, sizeof *tl->items);
	tl->heap = xcalloc(ns + ni + 1, sizeof *tl->heap);
	for (i = 0; i < ns; i++) {
		s = (const struct schedule *)ruleset_get(rs, DEF_SCHEDULE, i);
		it = &tl->items[tl->nitems++];
		it->kind = TL_SCHEDULE;
		it->def = s;
		it->anchor = start;
		if (sched_next(s, rs, start, start - 1, &it->due))
			heap_push(tl, it);
	}
	for (i = 0; i < ni; i++) {
		im = (const struct imon *)ruleset_get(rs, DEF_IMON, i);
		for (j = 0; j < nitems(im->target); j++)
			if (im->target[j] != NULL)
				break;
		if (j == nitems(im->target) || im->occur_count == 0)
			continue;
		it = &tl->items[tl->nitems++];
		it->kind = TL_IDLE;
		it->def = im;
		it->target = (int)j;
		it->watched = im->target[j];
		it->due = start + (time_t)im->occur_interval;
		occur_init(&it->seen, im->occur_count);
		heap_push(tl, it);
	}
	return tl;
}

/*
 * Everything due at or before t, in time order; an idle monitor that
 * fires counts, for monitors watching it, at its own time.
 */
void
timeline_advance(struct timeline *tl, time_t t, timeline_cb cb, void *arg)
{
	struct tl_item		*it;
	const struct schedule	*s;
	const struct imon	*im;
	time_t			 due;
	double			 oldest;
	size_t			 k;

	while (tl->nheap > 0 && tl->heap[0]->due <= t) {
		it = heap_pop(tl);
		due = it->due;
		if (it->kind == TL_SCHEDULE) {
			s = it->def;
			cb(TL_EVENT_SCHEDULE, s->def.name, s->action, due, 0,
			    arg);
			timeline_note(tl, IMON_SCHEDULE, s->def.name, due);
			if (sched_next(s, tl->rs, it->anchor, due, &it->due))
				heap_push(tl, it);
			continue;
		}
		im = it->def;
		k = occur_seen(&it->seen, (double)due,
		    (double)im->occur_interval, &oldest);
		if (k >= im->occur_count) {
			it->due = (time_t)oldest + (time_t)im->occur_interval;
		} else {
			cb(TL_EVENT_IDLE, im->def.name, im->action, due, k,
			    arg);
			timeline_note(tl, IMON_IDLE, im->def.name, due);
			it->due = due + (time_t)im->occur_interval;
		}
		heap_push(tl, it);
	}
}

/* When the next run or alarm is due; false when nothing is. */
bool
timeline_next(const struct timeline *tl, time_t *when)
{
	if (tl->nheap == 0)
		return false;
	*when = tl->heap[0]->due;
	return true;
}

/* The watched object target/name fired at t (idle monitors count it). */
void
timeline_note(struct timeline *tl, int target, const char *name, time_t t)
{
	struct tl_item	*it;
	size_t		 i;

	for (i = 0; i < tl->nitems; i++) {
		it = &tl->items[i];
		if (it->kind != TL_IDLE || it->target != target ||
		    strcasecmp(it->watched, name) != 0)
			continue;
		occur_note(&it->seen, (double)t);
	}
}

void
timeline_free(struct timeline *tl)
{
	size_t	 i;

	if (tl == NULL)
		return;
	for (i = 0; i < tl->nitems; i++)
		occur_free(&tl->items[i].seen);
	free(tl->items);
	free(tl->heap);
	free(tl);
}
