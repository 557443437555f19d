/* SPDX-License-Identifier: Apache-2.0 */
/*
 * limit.c - LIMIT count,interval windows, by the name of what triggers
 * (a rule, a schedule, a monitor).  The table lives in the daemon, not in
 * the ruleset, so a reload keeps every open window and its suppressed
 * count.  Names are hashed (FNV-1a) into a table that doubles when it
 * fills; windows that have expired are dropped by limits_expire(), which
 * the daemon calls now and then, so the table holds only open windows.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "actions/actions.h"
#include "rules/rules.h"

struct window {
	char		*name;
	double		 start;		/* the window's first trigger */
	double		 interval;
	uint32_t	 ran;		/* triggers that ran in it */
	uint64_t	 suppressed;	/* triggers suppressed in it */
	struct window	*next;		/* hash chain */
};

struct limits {
	struct window	**slot;
	size_t		  nslots;	/* a power of two */
	size_t		  n;
};

struct limits *
limits_create(void)
{
	struct limits	*l = xcalloc(1, sizeof *l);

	l->nslots = 64;
	l->slot = xcalloc(l->nslots, sizeof *l->slot);
	return l;
}

static void
grow(struct limits *l)
{
	struct window	**old = l->slot, *w, *next;
	size_t		  i, k, n = l->nslots;

	l->nslots *= 2;
	l->slot = xcalloc(l->nslots, sizeof *l->slot);
	for (i = 0; i < n; i++)
		for (w = old[i]; w != NULL; w = next) {
			next = w->next;
			k = fnv1a_str(w->name) & (l->nslots - 1);
			w->next = l->slot[k];
			l->slot[k] = w;
		}
	free(old);
}

static struct window *
find(const struct limits *l, const char *name)
{
	struct window	*w;

	for (w = l->slot[fnv1a_str(name) & (l->nslots - 1)]; w != NULL;
	    w = w->next)
		if (strcmp(w->name, name) == 0)
			return w;
	return NULL;
}

/*
 * Whether a trigger of name runs under lim at time now.  LIMIT 0,0 (or no
 * LIMIT, or a count of 0) always runs and keeps no window.  *suppressed,
 * if given, receives the window's suppressed count after this trigger.
 */
enum limit_verdict
limits_check(struct limits *l, const char *name, const struct limit *lim,
    double now, uint64_t *suppressed)
{
	struct window	*w;
	size_t		 i;

	if (suppressed != NULL)
		*suppressed = 0;
	if (lim == NULL || lim->count == 0 || lim->interval == 0)
		return LIMIT_RUN;
	w = find(l, name);
	if (w != NULL && now - w->start >= w->interval) {
		w->start = now;		/* the window has passed: a new one */
		w->ran = 0;
		w->suppressed = 0;
	}
	if (w == NULL) {
		if (l->n >= l->nslots)
			grow(l);
		w = xcalloc(1, sizeof *w);
		w->name = xstrdup(name);
		w->start = now;
		i = fnv1a_str(name) & (l->nslots - 1);
		w->next = l->slot[i];
		l->slot[i] = w;
		l->n++;
	}
	w->interval = lim->interval;	/* a reload may change it */
	if (w->ran < lim->count) {
		w->ran++;
		return LIMIT_RUN;
	}
	w->suppressed++;
	if (suppressed != NULL)
		*suppressed = w->suppressed;
	return w->suppressed == 1 ? LIMIT_FIRST : LIMIT_SUPPRESSED;
}

uint64_t
limits_suppressed(const struct limits *l, const char *name)
{
	const struct window *w = find(l, name);

	return w != NULL ? w->suppressed : 0;
}

size_t
limits_count(const struct limits *l)
{
	return l->n;
}

/* Drop the windows that have passed. */
void
limits_expire(struct limits *l, double now)
{
	struct window	**pp, *w;
	size_t		  i;

	for (i = 0; i < l->nslots; i++) {
		pp = &l->slot[i];
		while ((w = *pp) != NULL) {
			if (now - w->start >= w->interval) {
				*pp = w->next;
				free(w->name);
				free(w);
				l->n--;
			} else
				pp = &w->next;
		}
	}
}

void
limits_free(struct limits *l)
{
	if (l == NULL)
		return;
	limits_expire(l, 1e300);
	free(l->slot);
	free(l);
}
