/* SPDX-License-Identifier: Apache-2.0 */
/*
 * events.c - messages the daemon makes itself: its own events (a source
 * connected or ended, an action failed, a reload failed, the disk filled)
 * and the messages actions produce (output lines, EMIT).  Both are queued
 * and dispatched from the loop by vigild_drain(), never from inside the
 * callback that produced them: a runner or source callback must not find
 * itself re-entered by the dispatcher.  Each keeps its lineage, so the
 * loop guard sees what caused what.
 *
 * An event is a message from source VIGIL, user VIGIL, whose words are
 * fixed so rules can match them: "VGL010E ACTION_FAILED BKRLNX02 exit 1".
 * &1 is the message id, &2 the event, &3 the object it is about.
 */
#include "config.h"

#include <ev.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/conslog.h"
#include "engine/engine.h"
#include "rules/rules.h"

/* Message ids: the last letter is the severity, as IBM's are. */
static const struct {
	const char	*event;
	const char	*msgid;
} event_ids[] = {
	{ "SOURCE_CONNECTED",	"VGL001I" },
	{ "SOURCE_DISCONNECTED", "VGL002W" },
	{ "SOURCE_EOF",		"VGL003I" },
	{ "SOURCE_ROTATED",	"VGL004I" },
	{ "SOURCE_SILENT",	"VGL005W" },
	{ "SOURCE_ERROR",	"VGL006E" },
	{ "SOURCE_PAUSED",	"VGL007W" },
	{ "SOURCE_RESUMED",	"VGL008I" },
	{ "ACTION_FAILED",	"VGL010E" },
	{ "ACTION_TIMEOUT",	"VGL011E" },
	{ "ACTION_LIMITED",	"VGL012W" },
	{ "LOOP_STOPPED",	"VGL013W" },
	{ "ACTION_REFUSED",	"VGL014E" },
	{ "RELOAD_DONE",	"VGL020I" },
	{ "RELOAD_FAILED",	"VGL021E" },
	{ "STATE_DEGRADED",	"VGL030E" },
	{ "STATE_RECOVERED",	"VGL031I" },
	{ "CONSLOG_DEGRADED",	"VGL032E" },
	{ "CONSLOG_RECOVERED",	"VGL033I" },
	{ "DAEMON_STARTED",	"VGL040I" },
	{ "DAEMON_STOPPING",	"VGL041I" },
	{ "LOGON",		"VGL042I" },
	{ "LOGOFF",		"VGL043I" },
	{ "PLUGIN_FAILED",	"VGL050E" },
	{ "PLUGIN_DISABLED",	"VGL051E" },
	{ "WORKFLOW_STARTED",	"VGL052I" },
	{ "WORKFLOW_DONE",	"VGL053I" },
	{ "WORKFLOW_FAILED",	"VGL054E" },
	{ "WORKFLOW_CANCELLED",	"VGL055W" },
	{ "WORKFLOW_INTERRUPTED", "VGL056E" },
	{ "CONFIRM_WAITING",	"VGL057A" },
	{ "MONITOR_FAILED",	"VGL060E" },
};

/* Messages waiting beyond this many are dropped (and counted). */
#define PENDING_MAX	100000

struct pending {
	struct message	*msg;
	struct lineage	 lin;
	char		*event;		/* a daemon event: its name, object */
	char		*object;
	struct pending	*next;
};

const char *
event_msgid(const char *event)
{
	size_t	i;

	for (i = 0; i < nitems(event_ids); i++)
		if (strcmp(event_ids[i].event, event) == 0)
			return event_ids[i].msgid;
	return "VGL099I";
}

static struct pending *
enqueue(struct vigild *d, struct message *msg, const struct lineage *lin,
    const char *add)
{
	struct pending	*p;

	if (d->npending >= PENDING_MAX) {
		static uint64_t dropped;

		if (dropped++ % 10000 == 0)
			log_warnx("%llu internal messages dropped: more than"
			    " %d waiting (an action floods its output?)",
			    (unsigned long long)dropped, PENDING_MAX);
		message_free(msg);
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	p->msg = msg;
	lineage_copy(&p->lin, lin, add);
	if (d->pending_tail == NULL)
		d->pending_tail = &d->pending;
	*d->pending_tail = p;
	d->pending_tail = &p->next;
	d->npending++;
	return p;
}

/*
 * Raise an event about object; lin is what caused it (NULL: nothing a
 * rule did).  Logged now, dispatched from the loop.
 */
void
vigild_event(struct vigild *d, const struct lineage *lin, const char *event,
    const char *object, const char *fmt, ...)
{
	struct strbuf	 sb;
	struct message	*msg;
	struct pending	*p;
	const char	*id = event_msgid(event);
	va_list		 ap;

	strbuf_init(&sb);
	strbuf_addf(&sb, "%s %s %s", id, event, object);
	if (fmt != NULL && *fmt != '\0') {
		char	*detail;

		va_start(ap, fmt);
		xvasprintf(&detail, fmt, ap);
		va_end(ap);
		strbuf_addc(&sb, ' ');
		strbuf_adds(&sb, detail);
		free(detail);
	}
	if (id[6] == 'I')
		log_info("event %s", sb.data);
	else
		log_warnx("event %s", sb.data);
	msg = message_create(sb.data, sb.len, VIGILD_SOURCE_NAME, d->sysname,
	    VIGILD_SOURCE_NAME, (time_t)ev_now(d->loop));
	strbuf_free(&sb);
	if ((p = enqueue(d, msg, lin, NULL)) != NULL) {
		p->event = xstrdup(event);
		p->object = xstrdup(object);
	}
}

/*
 * DEFEMON with EVENT: each event monitor that names the event (and whose
 * SOURCE, if any, matches the object) fires with the event message's
 * fields: &1 the message id, &2 the event, &3 the object, then the
 * detail.
 */
static void
emon_events(struct vigild *d, const struct pending *p)
{
	const struct emon	*e;
	struct trigger		 t;
	size_t			 i, j, n = ruleset_count(d->cur->rs, DEF_EMON);

	for (i = 0; i < n; i++) {
		e = (const struct emon *)ruleset_get(d->cur->rs, DEF_EMON, i);
		for (j = 0; j < e->events.n; j++)
			if (wild_match(e->events.v[j], p->event, true) == 1)
				break;
		if (j == e->events.n || (e->source != NULL &&
		    wild_match(e->source, p->object, true) != 1))
			continue;
		memset(&t, 0, sizeof t);
		t.kind = "EVENT";
		t.name = e->def.name;
		t.action = e->action;
		t.env = e->env.env;
		t.parm = e->parm;
		t.limit = &e->limit;
		t.msg = p->msg;
		t.lin = &p->lin;
		dispatch_trigger(d, &t);
		imon_note(d, IMON_EVENT, e->def.name);
	}
}

/* A message an action produced (output line, EMIT), from source. */
void
vigild_inject(struct vigild *d, const struct lineage *lin, const char *source,
    const char *user, const char *text, size_t len)
{
	struct message	*msg;

	msg = message_create(text, len, user, d->sysname, source,
	    (time_t)ev_now(d->loop));
	enqueue(d, msg, lin, NULL);
}

/* Dispatch what waits, including what dispatching it adds. */
void
vigild_drain(struct vigild *d)
{
	struct pending	*p;

	while ((p = d->pending) != NULL) {
		d->pending = p->next;
		if (d->pending == NULL)
			d->pending_tail = &d->pending;
		d->npending--;
		d->injected++;
		if (d->conslog != NULL)
			conslog_write(d->conslog, p->msg->source,
			    ev_now(d->loop), p->msg->user, p->msg->text,
			    p->msg->len);
		dispatch_message(d, p->msg, &p->lin);
		if (p->event != NULL && !d->stopping)
			emon_events(d, p);
		message_free(p->msg);
		lineage_free(&p->lin);
		free(p->event);
		free(p->object);
		free(p);
	}
}

void
vigild_drain_free(struct vigild *d)
{
	struct pending	*p;

	while ((p = d->pending) != NULL) {
		d->pending = p->next;
		message_free(p->msg);
		lineage_free(&p->lin);
		free(p->event);
		free(p->object);
		free(p);
	}
	d->pending_tail = &d->pending;
	d->npending = 0;
}
