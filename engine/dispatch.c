/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dispatch.c - what the daemon does with a message: every rule it fires
 * (the matcher of the ruleset in force) passes the loop guard and its
 * LIMIT, then has its action planned and handed to the runner with the
 * action's TIMEOUT, MAXCONC, SERIAL and ONFAIL.  Links that are not
 * processes are done here: console commands are written to a source's
 * console, EMIT text comes back as a message.  Each link is recorded in
 * the action history (start, then end); output lines are logged and come
 * back as messages from a source named after the action; a failure or a
 * timeout raises an event.  A job holds a reference on the ruleset it
 * came from, so a reload never frees what a job still uses.
 */
#include "config.h"

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "actions/actions.h"
#include "engine/engine.h"
#include "engine/source.h"
#include "engine/state.h"
#include "rules/rules.h"

/* What a job keeps until it ends. */
struct job_ctx {
	struct vigild	*d;
	struct rsref	*ref;
	struct lineage	 lin;		/* the message's, plus the rule */
	char		*trigger_kind;
	char		*trigger;
	char		*text;		/* the triggering message */
	char		*source;	/* its source, or NULL */
	char		*user;
	double		 received;
	uint64_t	 chain;		/* history id of the first link */
	uint64_t	 link_id;	/* history id of the current link */
	bool		 link_open;	/* started, not yet ended */
	bool		 any_started;
	char		*error;		/* of the last built-in link */
	struct strbuf	 out;		/* the link's output, for the history */
	uint64_t	 lines;		/* output lines of the link */
	struct run_watch watch;		/* a client waiting for it, or none */
	int		 last_status;	/* of the last link that ended */
	const char	*last_result;
};

/* Output lines logged per link; the rest are counted at its end. */
#define LOGGED_LINES	20

struct fire_ctx {
	struct vigild		*d;
	const struct message	*msg;
	const struct lineage	*lin;
};

void
lineage_copy(struct lineage *dst, const struct lineage *src, const char *add)
{
	unsigned	i;

	memset(dst, 0, sizeof *dst);
	if (src != NULL)
		for (i = 0; i < src->n; i++)
			dst->rules[dst->n++] = xstrdup(src->rules[i]);
	if (add != NULL && dst->n < VIGILD_DEPTH_MAX)
		dst->rules[dst->n++] = xstrdup(add);
}

void
lineage_free(struct lineage *lin)
{
	unsigned	i;

	for (i = 0; i < lin->n; i++)
		free(lin->rules[i]);
	lin->n = 0;
}

static bool
lineage_has(const struct lineage *lin, const char *rule)
{
	unsigned	i;

	for (i = 0; lin != NULL && i < lin->n; i++)
		if (strcmp(lin->rules[i], rule) == 0)
			return true;
	return false;
}

static void
log_escaped(const char *what, const char *s, size_t n)
{
	struct strbuf	 sb;

	strbuf_init(&sb);
	strbuf_add_escaped(&sb, s, n > 200 ? 200 : n);
	log_info("%s '%s%s'", what, sb.data != NULL ? sb.data : "",
	    n > 200 ? "..." : "");
	strbuf_free(&sb);
}

/* A link as one text: argv words joined by US (0x1f), or its text. */
static char *
link_text(const struct plan *p)
{
	struct strbuf	 sb;
	size_t		 i;

	strbuf_init(&sb);
	if (p->argv != NULL)
		for (i = 0; i < p->argv->n; i++) {
			if (i > 0)
				strbuf_addc(&sb, '\x1f');
			strbuf_adds(&sb, p->argv->v[i]);
		}
	else if (p->text != NULL)
		strbuf_adds(&sb, p->text);
	strbuf_addc(&sb, '\0');
	sb.len--;
	return strbuf_steal(&sb);
}

static void
history_start(struct job_ctx *jc, const struct plan *link, long pid,
    double start)
{
	struct hist_start	 h;
	char			*text;

	/* The first link's id is the chain's: the job's id for "vigil jobs". */
	jc->link_id = jc->any_started || jc->chain == 0 ?
	    state_next_job_id(jc->d->state) : jc->chain;
	if (jc->chain == 0)
		jc->chain = jc->link_id;
	text = link_text(link);
	memset(&h, 0, sizeof h);
	h.id = jc->link_id;
	h.chain = jc->chain;
	h.trigger_kind = jc->trigger_kind;
	h.trigger = jc->trigger;
	h.action = link->action;
	h.argv = text;
	h.message = jc->text;
	h.source = jc->source;
	h.user = jc->user;
	h.received = jc->received;
	h.start = start;
	h.pid = pid;
	state_history_start(jc->d->state, &h);
	free(text);
	jc->link_open = true;
	jc->any_started = true;
}

static void
history_end(struct job_ctx *jc, const struct job_result *r,
    const char *result, const char *output, size_t outlen)
{
	struct hist_end	 h;

	memset(&h, 0, sizeof h);
	h.id = jc->link_id;
	h.end = (r != NULL ? r->end : ev_time()) + jc->d->clock_offset;
	h.status = r != NULL ? r->status : -1;
	h.signal = r != NULL ? r->signal : 0;
	h.timed_out = r != NULL && r->timed_out;
	h.result = result;
	h.error = r != NULL ? r->error : NULL;
	h.output = output;
	h.output_len = outlen;
	state_history_end(jc->d->state, &h);
	jc->link_open = false;
}

static void
on_start(struct job *job, const struct plan *link, long pid, void *arg)
{
	struct job_ctx	*jc = arg;

	(void)job;
	strbuf_reset(&jc->out);
	jc->lines = 0;
	if (jc->d->state != NULL)
		history_start(jc, link, pid, ev_time() + jc->d->clock_offset);
}

/* An output line: logged, kept for the history, and a message again. */
static void
on_line(struct job *job, const char *line, size_t len, void *arg)
{
	struct job_ctx	*jc = arg;
	char		*what;

	if (jc->lines++ < LOGGED_LINES) {
		xasprintf(&what, "action pid %ld output:", job_pid(job));
		log_escaped(what, line, len);
		free(what);
	}
	if (jc->watch.on_line != NULL)
		jc->watch.on_line(line, len, jc->watch.arg);
	if (jc->out.len < STATE_OUTPUT_MAX) {
		strbuf_addn(&jc->out, line, len < STATE_OUTPUT_MAX ? len :
		    STATE_OUTPUT_MAX);
		strbuf_addc(&jc->out, '\n');
	}
	if (jc->lin.n >= VIGILD_DEPTH_MAX) {
		jc->d->looped++;
		return;
	}
	vigild_inject(jc->d, &jc->lin, job_action(job), job_action(job), line,
	    len);
}

static const char *
result_name(const struct job_result *r)
{
	if (r->error != NULL)
		return strncmp(r->error, "queue full", 10) == 0 ? "refused" :
		    "error";
	if (r->timed_out)
		return "timeout";
	if (r->signal != 0)
		return "killed";
	return r->ok ? "ok" : "failed";
}

static void
on_done(struct job *job, const struct job_result *r, void *arg)
{
	struct job_ctx	*jc = arg;
	struct vigild	*d = jc->d;
	const char	*result = result_name(r);

	(void)job;
	jc->last_status = r->status;
	jc->last_result = result;
	if (d->state != NULL) {
		if (!jc->link_open)	/* never started: refused, no exec */
			history_start(jc, r->plan, 0, r->start +
			    d->clock_offset);
		history_end(jc, r, result, jc->out.data, jc->out.len >
		    STATE_OUTPUT_MAX ? STATE_OUTPUT_MAX : jc->out.len);
	}
	strbuf_reset(&jc->out);
	if (r->error != NULL) {
		log_warnx("action %s: %s", r->action, r->error);
		vigild_event(d, &jc->lin, strcmp(result, "refused") == 0 ?
		    "ACTION_REFUSED" : "ACTION_FAILED", r->action, "%s",
		    r->error);
	} else if (r->plan->kind != PLAN_EXEC && r->plan->kind != PLAN_SHELL)
		log_info("action %s: %s done", r->action,
		    plan_kind_name(r->plan->kind));
	else if (r->timed_out) {
		log_warnx("action %s pid %ld: killed at its TIMEOUT after"
		    " %.1f s", r->action, r->pid, r->end - r->start);
		vigild_event(d, &jc->lin, "ACTION_TIMEOUT", r->action,
		    "pid %ld killed after %.1f s", r->pid, r->end - r->start);
	} else if (r->signal != 0) {
		log_warnx("action %s pid %ld: killed by signal %d", r->action,
		    r->pid, r->signal);
		vigild_event(d, &jc->lin, "ACTION_FAILED", r->action,
		    "pid %ld killed by signal %d", r->pid, r->signal);
	} else {
		log_info("action %s pid %ld: exit %d after %.3f s, %llu output"
		    " lines%s", r->action, r->pid, r->status, r->end - r->start,
		    (unsigned long long)jc->lines,
		    r->dropped > 0 ? " (output capped)" : "");
		if (r->status != 0)
			vigild_event(d, &jc->lin, "ACTION_FAILED", r->action,
			    "pid %ld exit %d", r->pid, r->status);
	}
}

static void
on_end(struct job *job, bool interrupted, void *arg)
{
	struct job_ctx	*jc = arg;

	if (interrupted) {
		/* At a stop with 10,000 jobs waiting, the first few say it. */
		if (jc->d->interrupted++ < LOGGED_LINES)
			log_warnx("action %s: interrupted%s", job_action(job),
			    jc->any_started ? "" : " before it started");
		if (jc->d->state != NULL) {
			if (!jc->link_open)
				history_start(jc, job_link(job), 0, 0);
			history_end(jc, NULL, "interrupted", NULL, 0);
		}
	}
	if (jc->watch.on_end != NULL)
		jc->watch.on_end(jc->chain, interrupted ? -1 : jc->last_status,
		    interrupted ? "interrupted" : jc->last_result != NULL ?
		    jc->last_result : "ok", jc->watch.arg);
	jc->d->jobs--;
	rsref_put(jc->ref);
	lineage_free(&jc->lin);
	free(jc->trigger_kind);
	free(jc->trigger);
	free(jc->text);
	free(jc->source);
	free(jc->user);
	free(jc->error);
	strbuf_free(&jc->out);
	free(jc);
}

/* Write a console command to a source (the message's, or the ENV's). */
static const char *
on_builtin(struct job *job, const struct plan *link, void *arg)
{
	struct job_ctx	*jc = arg;
	struct vigild	*d = jc->d;
	const char	*name;
	struct src	*s;
	char		*err = NULL;

	(void)job;
	free(jc->error);
	jc->error = NULL;
	switch (link->kind) {
	case PLAN_CONSOLE:
	case PLAN_INPUT:
		name = link->console != NULL ? link->console : jc->source;
		if (name == NULL)
			return "no console: the message has no source and the"
			    " ENV names none";
		if ((s = sources_find(d, name)) == NULL) {
			xasprintf(&jc->error, "no source %s is running", name);
			return jc->error;
		}
		if (s->ops->write == NULL) {
			xasprintf(&jc->error, "source %s has no console to"
			    " write to", name);
			return jc->error;
		}
		if (!s->ops->write(s, link->text, strlen(link->text), &err)) {
			jc->error = err;
			return jc->error;
		}
		log_escaped("console command to", link->text,
		    strlen(link->text));
		return NULL;
	case PLAN_EMIT:
		if (jc->lin.n >= VIGILD_DEPTH_MAX) {
			d->looped++;
			return "loop guard: too many generations of EMIT";
		}
		vigild_inject(d, &jc->lin, link->action,
		    jc->user != NULL ? jc->user : link->action, link->text,
		    strlen(link->text));
		return NULL;
	case PLAN_VIGIL: {
		const char	*why;
		char		*who;

		xasprintf(&who, "%s %s", jc->trigger_kind, jc->trigger);
		why = suspend_command(d, link->text, who, -1, &err);
		free(who);
		jc->error = err;
		return why;
	}
	default:
		return NULL;
	}
}

static const struct runner_cb job_cb = {
	.on_line = on_line,
	.on_done = on_done,
	.on_end = on_end,
	.on_start = on_start,
	.on_builtin = on_builtin,
};

/*
 * Run a plan for a trigger: rule or limit action of a message.  The plan
 * is taken over.  NULL plans are only counted.
 */
static struct job_ctx *
start_job(struct vigild *d, struct plan *plan, const char *kind,
    const char *trigger, const struct message *msg,
    const struct lineage *lin)
{
	const struct action	*a;
	struct runner_limits	 lim;
	struct job_ctx		*jc;

	if (plan == NULL || plan->kind == PLAN_NULL) {
		plan_free(plan);
		return NULL;
	}
	if (d->stopping) {
		/* Output of actions finishing during a stop starts nothing. */
		log_warnx("action %s not started for %s %s: the daemon is"
		    " stopping", plan->action, kind, trigger);
		plan_free(plan);
		return NULL;
	}
	if (suspended(d, "ACTION", plan->action)) {
		log_info("action %s is suspended: not run for %s %s",
		    plan->action, kind, trigger);
		plan_free(plan);
		return NULL;
	}
	memset(&lim, 0, sizeof lim);
	a = (const struct action *)ruleset_find(d->cur->rs, DEF_ACTION,
	    plan->action);
	if (a != NULL && plan->owned_name == NULL) {
		lim.timeout = a->timeout;
		lim.maxconc = a->maxconc;
		lim.serial = a->serial;
		lim.onfail = a->onfail;
	}
	if (plan->timeout > 0)
		lim.timeout = plan->timeout;
	counter_hit(d, "ACTION", plan->action);
	jc = xcalloc(1, sizeof *jc);
	strbuf_init(&jc->out);
	jc->d = d;
	jc->ref = d->cur;
	jc->ref->refs++;	/* released by on_end */
	lineage_copy(&jc->lin, lin, trigger);
	jc->trigger_kind = xstrdup(kind);
	jc->trigger = xstrdup(trigger);
	if (msg != NULL) {
		jc->text = xstrdup(msg->text);
		jc->source = msg->source != NULL ? xstrdup(msg->source) : NULL;
		jc->user = msg->user != NULL && *msg->user != '\0' ?
		    xstrdup(msg->user) : NULL;
	}
	jc->received = vigild_now(d);
	if (d->state != NULL)
		jc->chain = state_next_job_id(d->state);
	d->jobs++;
	runner_start(d->runner, plan, &lim, &job_cb, jc);
	return jc;
}

static void
log_fired(const struct rule *r, const char *action, const struct plan *plan)
{
	struct strbuf	 sb;
	size_t		 i;

	strbuf_init(&sb);
	strbuf_addf(&sb, "rule %s fired: action %s", r->def.name, action);
	if (plan != NULL && plan->argv != NULL) {
		strbuf_adds(&sb, " argv [");
		for (i = 0; i < plan->argv->n; i++) {
			strbuf_adds(&sb, i > 0 ? ", '" : "'");
			strbuf_add_escaped(&sb, plan->argv->v[i],
			    strlen(plan->argv->v[i]));
			strbuf_addc(&sb, '\'');
		}
		strbuf_addc(&sb, ']');
	} else if (plan != NULL && plan->text != NULL) {
		strbuf_addf(&sb, " %s '", plan_kind_name(plan->kind));
		strbuf_add_escaped(&sb, plan->text, strlen(plan->text));
		strbuf_addc(&sb, '\'');
	}
	log_info("%s", sb.data);
	strbuf_free(&sb);
}

/*
 * The first trigger over a rule's LIMIT runs its limit action with the
 * reference's fields: &0 LIMIT, &1 the kind, &2 the name, &3 the count,
 * &4 the interval (minutes, as written), &5 the number suppressed, then
 * the words of the message.
 */
static void
limit_action(struct vigild *d, const struct rule *r, const struct message *msg,
    uint64_t suppressed, const struct lineage *lin)
{
	struct message	*lm;
	struct subst_ctx ctx;
	struct plan	*plan;
	char		*text, interval[32];

	/* Minutes, as the reference writes them, unless given in seconds. */
	if (r->limit.interval % 60 == 0)
		snprintf(interval, sizeof interval, "%u",
		    (unsigned)(r->limit.interval / 60));
	else
		snprintf(interval, sizeof interval, "%us",
		    (unsigned)r->limit.interval);
	xasprintf(&text, "RULE %s %u %s %llu %s", r->def.name,
	    (unsigned)r->limit.count, interval,
	    (unsigned long long)suppressed, msg->text);
	lm = message_create(text, strlen(text), msg->user, msg->system,
	    msg->source, msg->time);
	free(text);
	memset(&ctx, 0, sizeof ctx);
	ctx.msg = lm;
	ctx.kind = "LIMIT";
	ctx.name = r->def.name;
	ctx.parm = r->parm;
	ctx.now = msg->time;
	plan = plan_action(d->cur->rs, r->limit.action, NULL, &ctx);
	log_fired(r, r->limit.action, plan);
	start_job(d, plan, "LIMIT", r->def.name, lm, lin);
	message_free(lm);
}

static void
on_hit(const struct match_hit *hit, void *arg)
{
	struct fire_ctx		*f = arg;
	struct vigild		*d = f->d;
	const struct rule	*r = hit->rule;
	struct subst_ctx	 ctx;
	struct plan		*plan;
	uint64_t		 suppressed;

	if (lineage_has(f->lin, r->def.name) ||
	    (f->lin != NULL && f->lin->n >= VIGILD_DEPTH_MAX)) {
		/* Warn at the first stop and then once in 1,000. */
		if (d->looped++ % 1000 == 0)
			log_warnx("rule %s: not fired on a message its own"
			    " actions produced (loop guard; %llu stopped so"
			    " far)", r->def.name,
			    (unsigned long long)d->looped);
		return;
	}
	if (suspended(d, "RULE", r->def.name))
		return;
	imon_note(d, IMON_RULE, r->def.name);
	counter_hit(d, "RULE", r->def.name);
	if (!windows_fire(d, r, f->msg)) {
		d->correlated++;
		return;
	}
	switch (limits_check(d->limits, r->def.name, &r->limit,
	    vigild_now(d), &suppressed)) {
	case LIMIT_RUN:
		break;
	case LIMIT_FIRST:
		d->limited++;
		vigild_event(d, f->lin, "ACTION_LIMITED", r->def.name,
		    "LIMIT %u,%us reached: %s suppressed until the window"
		    " ends", (unsigned)r->limit.count,
		    (unsigned)r->limit.interval, r->action);
		if (r->limit.action != NULL)
			limit_action(d, r, f->msg, suppressed, f->lin);
		return;
	case LIMIT_SUPPRESSED:
		d->limited++;
		return;
	}

	memset(&ctx, 0, sizeof ctx);
	ctx.msg = f->msg;
	ctx.hit = hit;
	ctx.kind = "RULE";
	ctx.name = r->def.name;
	ctx.parm = r->parm;
	ctx.now = f->msg->time;
	plan = plan_action(d->cur->rs, r->action, r->env.env, &ctx);
	d->fired++;
	log_fired(r, r->action, plan);
	start_job(d, plan, "RULE", r->def.name, f->msg, f->lin);
}

/* What SUSPEND calls a trigger of this kind. */
static const char *
suspend_kind(const char *kind)
{
	if (strcmp(kind, "SCHEDULE") == 0)
		return "SCHEDULE";
	if (strcmp(kind, "FOUND") == 0 || strcmp(kind, "MISSED") == 0 ||
	    strcmp(kind, "CLEARED") == 0)
		return "RULE";
	return "MONITOR";
}

/*
 * A trigger that is not a rule matching a message: a schedule, a monitor.
 * Its LIMIT window is kept under "KIND:NAME", apart from rules'.
 */
void
dispatch_trigger(struct vigild *d, const struct trigger *t)
{
	struct subst_ctx ctx;
	struct plan	*plan;
	char		*lname;
	uint64_t	 suppressed;
	enum limit_verdict v;

	if (suspended(d, suspend_kind(t->kind), t->name))
		return;
	counter_hit(d, suspend_kind(t->kind), t->name);
	xasprintf(&lname, "%s:%s", t->kind, t->name);
	v = limits_check(d->limits, lname, t->limit, vigild_now(d),
	    &suppressed);
	free(lname);
	if (v != LIMIT_RUN) {
		d->limited++;
		if (v == LIMIT_FIRST)
			vigild_event(d, t->lin, "ACTION_LIMITED", t->name,
			    "LIMIT %u,%us reached: %s suppressed until the"
			    " window ends", (unsigned)t->limit->count,
			    (unsigned)t->limit->interval, t->action);
		return;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.msg = t->msg;
	ctx.kind = t->kind;
	ctx.name = t->name;
	ctx.parm = t->parm;
	ctx.now = (time_t)vigild_now(d);
	plan = plan_action(d->cur->rs, t->action, t->env, &ctx);
	log_info("%s %s fired: action %s", t->kind, t->name, t->action);
	start_job(d, plan, t->kind, t->name, t->msg, t->lin);
}

void
dispatch_message(struct vigild *d, const struct message *msg,
    const struct lineage *lin)
{
	struct fire_ctx	 f = { d, msg, lin };

	d->messages++;
	if (d->corr != NULL)
		windows_message(d, msg);
	matcher_run(d->cur->m, msg, on_hit, &f);
	if (d->corr != NULL)
		windows_arm(d);
	if (d->plugins != NULL)
		plugins_message(d, msg, lin);
}

bool
dispatch_idle(const struct vigild *d)
{
	return d->jobs == 0 && d->pending == NULL;
}

/*
 * A manual trigger ("vigil run"): the action's chain with PARM and
 * --var values, as kind MANUAL by who; w (may be NULL) follows its
 * output and end.  Returns the job's id, or 0 with *err (allocated).
 */
uint64_t
dispatch_run(struct vigild *d, const char *action, const char *parm,
    char *const *vars, const char *who, const struct run_watch *w,
    char **err)
{
	struct subst_ctx ctx;
	struct plan	*plan;
	struct job_ctx	*jc;

	*err = NULL;
	if (strcasecmp(action, "NULL") != 0 &&
	    ruleset_find(d->cur->rs, DEF_ACTION, action) == NULL) {
		xasprintf(err, "no action %s is defined", action);
		return 0;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.kind = "MANUAL";
	ctx.name = who;
	ctx.parm = parm;
	ctx.vars = vars;
	ctx.now = (time_t)vigild_now(d);
	plan = plan_action(d->cur->rs, action, NULL, &ctx);
	log_info("MANUAL %s by %s: action %s", action, who, action);
	if (plan != NULL && plan->kind == PLAN_NULL) {
		plan_free(plan);
		xasprintf(err, "action %s does nothing (NULL)", action);
		return 0;
	}
	if ((jc = start_job(d, plan, "MANUAL", who, NULL, NULL)) == NULL) {
		xasprintf(err, "action %s not started (suspended, or the"
		    " daemon is stopping)", action);
		return 0;
	}
	if (w != NULL)
		jc->watch = *w;
	return jc->chain;
}

/*
 * A plugin's run (vigil.run): PLAN as kind PLUGIN by TRIGGER (the plugin,
 * or plugin/workflow), TIMEOUT seconds (0: the action's own, if any).
 * Returns the job's id, or 0 with *err (allocated).
 */
uint64_t
dispatch_plugin_run(struct vigild *d, struct plan *plan, const char *trigger,
    unsigned timeout, const struct run_watch *w, char **err)
{
	struct job_ctx	*jc;
	const char	*action = plan != NULL ? plan->action : "NULL";
	bool		 null = plan == NULL || plan->kind == PLAN_NULL;

	*err = NULL;
	if (d->state == NULL) {
		/* Without a store a job has no id to be followed by. */
		xasprintf(err, "%s not started: vigild runs without a state"
		    " store", action);
		plan_free(plan);
		return 0;
	}
	if (timeout > 0 && plan != NULL)
		plan->timeout = timeout;
	if ((jc = start_job(d, plan, "PLUGIN", trigger, NULL, NULL)) == NULL) {
		xasprintf(err, "%s not started (%s)", action, null ?
		    "it does nothing" : "suspended, or the daemon is stopping");
		return 0;
	}
	if (w != NULL)
		jc->watch = *w;
	return jc->chain;
}

struct find_job {
	uint64_t	 id;
	struct job	*job;
};

static void
find_one(struct job *job, void *arg)
{
	struct find_job	*f = arg;
	struct job_ctx	*jc = job_arg(job);

	if (jc != NULL && jc->chain == f->id)
		f->job = job;
}

/* Nobody waits for job id any more (the client went). */
void
dispatch_unwatch(struct vigild *d, uint64_t id)
{
	struct find_job	 f = { id, NULL };
	struct job_ctx	*jc;

	runner_each(d->runner, find_one, &f);
	if (f.job != NULL && (jc = job_arg(f.job)) != NULL)
		memset(&jc->watch, 0, sizeof jc->watch);
}

/* Cancel job id; false if there is no such job. */
bool
dispatch_cancel(struct vigild *d, uint64_t id)
{
	struct find_job	 f = { id, NULL };

	runner_each(d->runner, find_one, &f);
	return f.job != NULL && runner_cancel(d->runner, f.job);
}

struct each_job {
	void	(*cb)(const struct job_info *, void *);
	void	 *arg;
};

static void
each_one(struct job *job, void *arg)
{
	struct each_job	*e = arg;
	struct job_ctx	*jc = job_arg(job);
	struct job_info	 ji;

	if (jc == NULL)
		return;
	memset(&ji, 0, sizeof ji);
	ji.id = jc->chain;
	ji.action = job_action(job);
	ji.state = job_state_name(job);
	ji.pid = job_pid(job);
	ji.trigger_kind = jc->trigger_kind;
	ji.trigger = jc->trigger;
	ji.received = jc->received;
	e->cb(&ji, e->arg);
}

void
dispatch_jobs(struct vigild *d, void (*cb)(const struct job_info *, void *),
    void *arg)
{
	struct each_job	 e = { cb, arg };

	runner_each(d->runner, each_one, &e);
}
