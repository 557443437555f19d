/* SPDX-License-Identifier: Apache-2.0 */
/*
 * counters.c - how often each rule, action, schedule and monitor fired,
 * and when last, by kind and name: kept in the daemon (not the ruleset),
 * so a reload keeps them; shown by "vigil query" and "vigil status".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "util/util.h"

struct counter_ent {
	char			*key;		/* "KIND:NAME" */
	struct counter		 c;
	struct counter_ent	*next;
};

#define COUNTER_SLOTS	4096

static struct counter_ent **
slot(struct vigild *d, const char *key)
{
	if (d->counters == NULL)
		d->counters = xcalloc(COUNTER_SLOTS, sizeof *d->counters);
	return &d->counters[fnv1a_str(key) % COUNTER_SLOTS];
}

void
counter_hit(struct vigild *d, const char *kind, const char *name)
{
	struct counter_ent	**pp, *e;
	char			 *key;

	xasprintf(&key, "%s:%s", kind, name);
	for (pp = slot(d, key); (e = *pp) != NULL; pp = &e->next)
		if (strcmp(e->key, key) == 0)
			break;
	if (e == NULL) {
		e = xcalloc(1, sizeof *e);
		e->key = key;
		*pp = e;
	} else
		free(key);
	e->c.hits++;
	e->c.last = vigild_now(d);
}

/* The counter of kind/name; zeros if it never fired. */
struct counter
counter_get(struct vigild *d, const char *kind, const char *name)
{
	struct counter_ent	*e;
	struct counter		 none = { 0, 0 };
	char			*key;

	xasprintf(&key, "%s:%s", kind, name);
	for (e = *slot(d, key); e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			break;
	free(key);
	return e != NULL ? e->c : none;
}

void
counters_free(struct vigild *d)
{
	struct counter_ent	*e, *next;
	size_t			 i;

	if (d->counters == NULL)
		return;
	for (i = 0; i < COUNTER_SLOTS; i++)
		for (e = d->counters[i]; e != NULL; e = next) {
			next = e->next;
			free(e->key);
			free(e);
		}
	free(d->counters);
	d->counters = NULL;
}
