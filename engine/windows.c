/* SPDX-License-Identifier: Apache-2.0 */
/*
 * windows.c - the correlation windows of DEFRULE in the daemon: the
 * engine (actions/correlate.c) decides, this file gives it the time,
 * expands KEY, runs FOUNDACTN, MISSACTN and CLEAR's action (kinds FOUND,
 * MISSED, CLEARED: &1 the rule, &2 the key; FOUND has the expected
 * message's fields after them), keeps one libev timer on the earliest
 * deadline, and saves the windows in the state store at a stop and
 * restores them at the start, so an absence alarm is never lost to a
 * restart: a deadline that passed while the daemon was down fires at once.
 */
#include "config.h"

#include <ev.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "actions/actions.h"
#include "engine/engine.h"
#include "engine/state.h"
#include "rules/rules.h"

#define KV_CORR		"correlate"	/* state kv namespace */
#define KV_CORR_KEY	"windows"

static const struct rule *
rule_named(const char *name, void *arg)
{
	struct vigild	*d = arg;

	return (const struct rule *)ruleset_find(d->cur->rs, DEF_RULE, name);
}

static void
on_event(const struct corr_event *ev, void *arg)
{
	static const char *const kinds[] = { "FOUND", "MISSED", "CLEARED" };
	struct vigild		*d = arg;
	const struct rule	*r = rule_named(ev->rule, d);
	struct trigger		 t;
	struct message		*msg;
	struct strbuf		 text;

	log_info("rule %s key '%s': %s", ev->rule, ev->key,
	    ev->kind == CORR_FOUND ? "the expected message came" :
	    ev->kind == CORR_MISSED ? "the expected message did not come" :
	    "the condition cleared");
	if (ev->action == NULL || r == NULL)
		return;
	strbuf_init(&text);
	strbuf_addf(&text, "%s %s", ev->rule, *ev->key != '\0' ? ev->key : "-");
	if (ev->msg != NULL) {
		strbuf_addc(&text, ' ');
		strbuf_addn(&text, ev->msg->text, ev->msg->len);
	}
	msg = message_create(text.data, text.len, ev->msg != NULL ?
	    ev->msg->user : VIGILD_SOURCE_NAME, d->sysname, ev->msg != NULL ?
	    ev->msg->source : VIGILD_SOURCE_NAME, (time_t)ev->when);
	strbuf_free(&text);
	memset(&t, 0, sizeof t);
	t.kind = kinds[ev->kind];
	t.name = ev->rule;
	t.action = ev->action;
	t.env = r->env.env;
	t.parm = r->parm;
	t.msg = msg;
	dispatch_trigger(d, &t);
	message_free(msg);
}

static void
on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vigild	*d = w->data;

	(void)loop;
	(void)revents;
	corr_advance(d->corr, vigild_now(d), on_event, d);
	windows_arm(d);
}

/* One timer, on the earliest deadline (called after every change). */
void
windows_arm(struct vigild *d)
{
	double	 next = corr_next_deadline(d->corr), now;

	if (isinf(next)) {
		ev_timer_stop(d->loop, &d->corr_timer);
		return;
	}
	now = vigild_now(d);
	ev_timer_stop(d->loop, &d->corr_timer);
	ev_timer_set(&d->corr_timer, next > now ? next - now : 0, 0);
	ev_timer_start(d->loop, &d->corr_timer);
}

/* Offer a message to the open expectations (before its rules fire). */
void
windows_message(struct vigild *d, const struct message *msg)
{
	corr_message(d->corr, msg, vigild_now(d), corr_expand_key, d, on_event,
	    d);
}

/* Whether a matching correlated rule fires (the key is expanded here). */
bool
windows_fire(struct vigild *d, const struct rule *r, const struct message *msg)
{
	struct strbuf	 key;
	enum corr_verdict v;

	if (r->suppress == 0 && r->threshold.count == 0 && r->expect == NULL)
		return true;
	strbuf_init(&key);
	if (r->key != NULL)
		corr_expand_key(r->def.name, r->key, msg, &key, d);
	v = corr_match(d->corr, r, key.data != NULL ? key.data : "",
	    vigild_now(d), NULL, on_event, d);
	strbuf_free(&key);
	return v == CORR_FIRE;
}

static void
save_one(const char *id, const char *record, size_t len, void *arg)
{
	(void)id;
	strbuf_addn(arg, record, len);
}

void
windows_start(struct vigild *d)
{
	struct corr_loaded	 loaded;
	char			*buf = NULL, *cause = NULL;
	size_t			 len;

	d->corr = corr_create();
	ev_timer_init(&d->corr_timer, on_timer, 0, 0);
	d->corr_timer.data = d;
	if (d->state == NULL || !state_kv_get(d->state, KV_CORR, KV_CORR_KEY,
	    &buf, &len))
		return;
	memset(&loaded, 0, sizeof loaded);
	if (corr_load(d->corr, buf, len, rule_named, d, &loaded, &cause) != 0) {
		log_warnx("correlation windows: %s", cause);
		free(cause);
	}
	free(buf);
	log_info("correlation windows: %zu restored, %zu dropped (rule gone"
	    " or changed), %zu malformed", loaded.restored, loaded.dropped,
	    loaded.bad);
	windows_arm(d);
}

/* After a reload: windows of rules gone or changed are dropped. */
void
windows_reload(struct vigild *d)
{
	size_t	 dropped = corr_retain(d->corr, rule_named, d);

	if (dropped > 0)
		log_info("correlation windows: %zu dropped (rule gone or"
		    " changed)", dropped);
	windows_arm(d);
}

void
windows_stop(struct vigild *d)
{
	struct strbuf	 sb;

	if (d->corr == NULL)
		return;
	ev_timer_stop(d->loop, &d->corr_timer);
	if (d->state != NULL) {
		strbuf_init(&sb);
		corr_save(d->corr, save_one, &sb);
		if (sb.len > 0)
			state_kv_set(d->state, KV_CORR, KV_CORR_KEY, sb.data,
			    sb.len);
		else
			state_kv_del(d->state, KV_CORR, KV_CORR_KEY);
		log_info("correlation windows: %zu saved",
		    corr_count(d->corr));
		strbuf_free(&sb);
	}
	corr_free(d->corr);
	d->corr = NULL;
}
