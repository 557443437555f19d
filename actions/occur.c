/* SPDX-License-Identifier: Apache-2.0 */
/*
 * occur.c - the last firings of what an idle monitor watches (DEFIMON
 * OCCUR count,interval), shared by the daemon (engine/imon.c) and vigil
 * replay (cli/timeline.c): a ring of at most count times (and at most
 * OCCUR_RING_MAX, whatever OCCUR says), grown as firings come so that a
 * count of 999999 costs nothing until it is reached.
 */
#include "config.h"

#include <stdlib.h>

#include "actions/actions.h"
#include "util/util.h"

#define OCCUR_RING_MAX	100000

void
occur_init(struct occur *o, uint32_t count)
{
	o->ring = NULL;
	o->cap = o->n = o->head = 0;
	o->count = count < OCCUR_RING_MAX ? count : OCCUR_RING_MAX;
}

/* A firing at t (times come in order). */
void
occur_note(struct occur *o, double t)
{
	double	*ring;
	size_t	 i, cap;

	if (o->n == o->cap && o->cap < o->count) {
		/* Grow, keeping the order oldest first. */
		cap = o->cap == 0 ? 8 : o->cap * 2;
		if (cap > o->count)
			cap = o->count;
		ring = xcalloc(cap, sizeof *ring);
		for (i = 0; i < o->n; i++)
			ring[i] = o->ring[(o->head + i) % o->cap];
		free(o->ring);
		o->ring = ring;
		o->cap = cap;
		o->head = 0;
	}
	if (o->cap == 0)
		return;
	if (o->n < o->cap)
		o->ring[(o->head + o->n++) % o->cap] = t;
	else {
		o->ring[o->head] = t;
		o->head = (o->head + 1) % o->cap;
	}
}

/* Firings within (now - interval, now]; *oldest the first of them. */
size_t
occur_seen(const struct occur *o, double now, double interval,
    double *oldest)
{
	size_t	 i, k = 0;
	double	 t;

	*oldest = 0;
	for (i = 0; i < o->n; i++) {
		t = o->ring[(o->head + i) % o->cap];
		if (t > now - interval && k++ == 0)
			*oldest = t;
	}
	return k;
}

void
occur_free(struct occur *o)
{
	free(o->ring);
	o->ring = NULL;
	o->cap = o->n = o->head = 0;
}
