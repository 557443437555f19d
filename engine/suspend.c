/* SPDX-License-Identifier: Apache-2.0 */
/*
 * suspend.c - suspended rules, actions and sources: a suspended rule does
 * not fire, a suspended action does not run (its trigger is logged), a
 * suspended source's messages are logged to the console log but not
 * matched.  Suspensions are kept in the state store, so they survive a
 * reload (they are by name) and a restart.  They are set by the operator
 * commands SUSPEND and RESUME, which an action runs through ENV GOM (and
 * the vigil client will, later); each is written to the audit trail.
 *
 *	SUSPEND RULE|ACTION|SOURCE|SCHEDULE|MONITOR name [FOR n[s|m|h]]
 *	    [reason...]
 *	RESUME  RULE|ACTION|SOURCE|SCHEDULE|MONITOR name
 *
 * A suspended schedule or monitor (any DEF*MON) does not fire; a
 * suspended rule's correlation actions (FOUND, MISSED, CLEARED) do not
 * run either.
 */
#include "config.h"

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "actions/actions.h"
#include "engine/engine.h"
#include "engine/state.h"
#include "rules/rules.h"

struct suspended {
	char		*kind;
	char		*name;
	double		 until;		/* 0: until resumed */
	struct suspended *next;
};

static const char *const kinds[] = { "RULE", "ACTION", "SOURCE", "SCHEDULE",
	"MONITOR" };

static struct suspended **
find(struct vigild *d, const char *kind, const char *name)
{
	struct suspended	**pp;

	for (pp = &d->suspended; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->kind, kind) == 0 &&
		    strcasecmp((*pp)->name, name) == 0)
			return pp;
	return NULL;
}

static void
drop(struct suspended **pp)
{
	struct suspended	*s = *pp;

	*pp = s->next;
	free(s->kind);
	free(s->name);
	free(s);
}

static void
add(struct vigild *d, const char *kind, const char *name, double until)
{
	struct suspended	**pp, *s;

	if ((pp = find(d, kind, name)) != NULL) {
		(*pp)->until = until;
		return;
	}
	s = xcalloc(1, sizeof *s);
	s->kind = xstrdup(kind);
	s->name = xstrdup(name);
	s->until = until;
	s->next = d->suspended;
	d->suspended = s;
}

/* Whether kind name is suspended now; one whose time has passed ends. */
bool
suspended(struct vigild *d, const char *kind, const char *name)
{
	struct suspended	**pp;

	if (d->suspended == NULL || (pp = find(d, kind, name)) == NULL)
		return false;
	if ((*pp)->until != 0 && (*pp)->until <= ev_now(d->loop)) {
		log_info("%s %s: suspension ended", kind, name);
		if (d->state != NULL)
			state_resume(d->state, kind, name);
		drop(pp);
		return false;
	}
	return true;
}

static void
load_one(const struct suspension *s, void *arg)
{
	add(arg, s->kind, s->name, s->until);
}

void
suspend_load(struct vigild *d)
{
	if (d->state != NULL)
		state_suspensions_each(d->state, load_one, d);
}

void
suspend_free(struct vigild *d)
{
	while (d->suspended != NULL)
		drop(&d->suspended);
}

/* "30s", "5m", "2h", "90" (seconds): seconds, or 0 when not a duration. */
static double
duration(const char *s)
{
	char	*end;
	double	 v = strtod(s, &end);

	if (end == s || v <= 0)
		return 0;
	if (*end == '\0' || strcasecmp(end, "s") == 0)
		return v;
	if (strcasecmp(end, "m") == 0)
		return v * 60;
	if (strcasecmp(end, "h") == 0)
		return v * 3600;
	return 0;
}

/*
 * Carry out an operator command given as text by who (uid -1: the daemon
 * itself, for an action); NULL on success, else why it was refused
 * (*err, allocated, is what to free).
 */
const char *
suspend_command(struct vigild *d, const char *text, const char *who,
    long uid, char **err)
{
	struct argv		*av;
	struct suspension	 s;
	struct audit_rec	 a;
	const char		*verb, *kind = NULL, *args;
	char			*cause = NULL;
	size_t			 i, next;
	double			 secs = 0;
	struct strbuf		 reason;

	*err = NULL;
	if ((av = argv_split(text, &cause)) == NULL) {
		xasprintf(err, "operator command '%s': %s", text, cause);
		free(cause);
		return *err;
	}
	verb = av->n > 0 ? av->v[0] : "";
	if (av->n >= 2)
		for (i = 0; i < nitems(kinds); i++)
			if (strcasecmp(av->v[1], kinds[i]) == 0)
				kind = kinds[i];
	if ((strcasecmp(verb, "SUSPEND") != 0 &&
	    strcasecmp(verb, "RESUME") != 0) || kind == NULL || av->n < 3) {
		xasprintf(err, "operator command '%s': expected SUSPEND or"
		    " RESUME, then RULE, ACTION, SOURCE, SCHEDULE or MONITOR"
		    " and a name (other"
		    " operator commands come with the vigil client)", text);
		argv_free(av);
		return *err;
	}
	strbuf_init(&reason);
	next = 3;
	if (av->n > 4 && strcasecmp(av->v[3], "FOR") == 0) {
		if ((secs = duration(av->v[4])) == 0) {
			xasprintf(err, "operator command '%s': FOR: expected a"
			    " duration such as 90, 30s, 5m or 2h, got '%s'",
			    text, av->v[4]);
			argv_free(av);
			return *err;
		}
		next = 5;
	}
	for (i = next; i < av->n; i++) {
		if (i > next)
			strbuf_addc(&reason, ' ');
		strbuf_adds(&reason, av->v[i]);
	}
	if (strcasecmp(verb, "SUSPEND") == 0) {
		memset(&s, 0, sizeof s);
		s.kind = kind;
		s.name = av->v[2];
		s.until = secs > 0 ? ev_now(d->loop) + secs : 0;
		s.reason = reason.data;
		s.who = who;
		s.since = ev_now(d->loop);
		add(d, kind, av->v[2], s.until);
		if (d->state != NULL)
			state_suspend(d->state, &s);
		log_info("%s %s suspended%s by %s", kind, av->v[2],
		    secs > 0 ? " for a while" : "", who);
	} else {
		struct suspended **pp = find(d, kind, av->v[2]);

		if (pp != NULL)
			drop(pp);
		if (d->state != NULL)
			state_resume(d->state, kind, av->v[2]);
		log_info("%s %s resumed by %s", kind, av->v[2], who);
	}
	if (d->state != NULL) {
		memset(&a, 0, sizeof a);
		a.when = vigild_now(d);
		a.uid = uid;
		a.user = who;
		a.command = strcasecmp(verb, "SUSPEND") == 0 ? "suspend" :
		    "resume";
		args = text + strspn(text, " \t");
		args += strlen(verb);
		a.args = args + strspn(args, " \t");
		a.result = "ok";
		state_audit(d->state, &a);
	}
	strbuf_free(&reason);
	argv_free(av);
	return NULL;
}
