/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmevent.c - z/VM *VMEVENT records for DEFEMON.  On z/VM, CP delivers
 * them to a program over IUCV; a feed that forwards them to Vigil writes
 * each as one line of text (vigil-rules(5) documents it):
 *
 *	VMEVENT class type userid [data ...]
 *
 * class and type in decimal.  Each DEFEMON without EVENT whose CLASS,
 * TYPE, USER and SOURCE accept the record fires (kind VMEVENT) with the
 * reference's fields: &1 the monitor, &2 its action, &3 the user ID, &4
 * the class, &5 the type, &6... the data.  A logon (class 0 type 0) and a
 * logoff (class 0 type 1) are also the daemon events LOGON and LOGOFF,
 * for DEFEMON EVENT and idle monitors.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "rules/rules.h"

static bool
in_set(const struct classset *cs, long v)
{
	if (cs->n == 0)
		return true;	/* not given: every value */
	return v >= 0 && v <= 255 &&
	    (cs->bits[v / 64] & (1ULL << (v % 64))) != 0;
}

/* "VMEVENT class type userid rest": false if msg is not such a record. */
static bool
parse(const char *text, long *cls, long *type, char *user, size_t usize,
    const char **rest)
{
	const char	*p = text + 8, *u;
	char		*end;
	size_t		 n;

	if (strncmp(text, "VMEVENT ", 8) != 0)
		return false;
	*cls = strtol(p, &end, 10);
	if (end == p || *end != ' ' || *cls < 0 || *cls > 255)
		return false;
	p = end + 1;
	*type = strtol(p, &end, 10);
	if (end == p || *end != ' ' || *type < 0 || *type > 255)
		return false;
	u = end + 1;
	n = strcspn(u, " ");
	if (n == 0 || n >= usize)
		return false;
	memcpy(user, u, n);
	user[n] = '\0';
	*rest = u[n] == ' ' ? u + n + 1 : u + n;
	return true;
}

void
vmevent_message(struct vigild *d, const struct message *msg)
{
	const struct emon	*e;
	struct trigger		 t;
	struct message		*fm;
	char			 user[64], *text;
	const char		*rest;
	long			 cls, type;
	size_t			 i, n;

	if (msg->len < 8 || msg->text[0] != 'V' ||
	    !parse(msg->text, &cls, &type, user, sizeof user, &rest))
		return;
	n = ruleset_count(d->cur->rs, DEF_EMON);
	for (i = 0; i < n; i++) {
		e = (const struct emon *)ruleset_get(d->cur->rs, DEF_EMON, i);
		if (e->events.n > 0 || !in_set(&e->classes, cls) ||
		    !in_set(&e->types, type) ||
		    (e->user != NULL && wild_match(e->user, user, true) != 1) ||
		    (e->source != NULL && (msg->source == NULL ||
		    wild_match(e->source, msg->source, true) != 1)))
			continue;
		xasprintf(&text, "%s %s %s %ld %ld%s%s", e->def.name,
		    e->action, user, cls, type, *rest != '\0' ? " " : "", rest);
		fm = message_create(text, strlen(text), user, msg->system,
		    msg->source, msg->time);
		free(text);
		memset(&t, 0, sizeof t);
		t.kind = "VMEVENT";
		t.name = e->def.name;
		t.action = e->action;
		t.env = e->env.env;
		t.parm = e->parm;
		t.limit = &e->limit;
		t.msg = fm;
		dispatch_trigger(d, &t);
		message_free(fm);
		imon_note(d, IMON_EVENT, e->def.name);
	}
	if (cls == 0 && (type == 0 || type == 1))
		vigild_event(d, NULL, type == 0 ? "LOGON" : "LOGOFF", user,
		    "*VMEVENT class 0 type %ld%s%s", type,
		    *rest != '\0' ? " " : "", rest);
}
