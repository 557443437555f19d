/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dispatch.c - what the daemon does with a message: every rule it fires
 * (the matcher of the ruleset in force) has its action planned and handed
 * to the runner, with the action's TIMEOUT, MAXCONC, SERIAL and ONFAIL.
 * Each firing, each action's output line and each end is logged, one
 * line per event, console text escaped.  The job holds a reference on the
 * ruleset it came from, so a reload never frees what a job still uses.
 */
#include "config.h"

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions/actions.h"
#include "engine/engine.h"
#include "rules/rules.h"

struct fire_ctx {
	struct vigild		*d;
	const struct message	*msg;
};

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

static void
on_line(struct job *job, const char *line, size_t len, void *arg)
{
	char	*what;

	xasprintf(&what, "action pid %ld output:", job_pid(job));
	log_escaped(what, line, len);
	free(what);
}

static void
on_done(struct job *job, const struct job_result *r, void *arg)
{
	if (r->error != NULL)
		log_warnx("action %s: %s", r->action, r->error);
	else if (r->plan->kind != PLAN_EXEC && r->plan->kind != PLAN_SHELL)
		log_info("action %s: %s (not run by this version)", r->action,
		    plan_kind_name(r->plan->kind));
	else if (r->timed_out)
		log_warnx("action %s pid %ld: killed at its TIMEOUT after"
		    " %.1f s", r->action, r->pid, r->end - r->start);
	else if (r->signal != 0)
		log_warnx("action %s pid %ld: killed by signal %d", r->action,
		    r->pid, r->signal);
	else
		log_info("action %s pid %ld: exit %d after %.3f s%s",
		    r->action, r->pid, r->status, r->end - r->start,
		    r->dropped > 0 ? " (output capped)" : "");
}

/* What a job keeps until it ends. */
struct job_ctx {
	struct vigild	*d;
	struct rsref	*ref;
};

static void
on_end(struct job *job, bool interrupted, void *arg)
{
	struct job_ctx	*jc = arg;

	if (interrupted)
		log_warnx("action pid %ld: interrupted", job_pid(job));
	jc->d->jobs--;
	rsref_put(jc->ref);
	free(jc);
}

static void
on_hit(const struct match_hit *hit, void *arg)
{
	struct fire_ctx		*f = arg;
	struct vigild		*d = f->d;
	const struct rule	*r = hit->rule;
	const struct action	*a;
	struct subst_ctx	 ctx;
	struct runner_limits	 lim;
	struct plan		*plan;
	struct strbuf		 sb;
	struct job_ctx		*jc;
	size_t			 i;
	static const struct runner_cb cb = { on_line, on_done, on_end };

	memset(&ctx, 0, sizeof ctx);
	ctx.msg = f->msg;
	ctx.hit = hit;
	ctx.kind = "RULE";
	ctx.name = r->def.name;
	ctx.parm = r->parm;
	ctx.now = f->msg->time;
	plan = plan_action(d->cur->rs, r->action, r->env.env, &ctx);
	d->fired++;

	strbuf_init(&sb);
	strbuf_addf(&sb, "rule %s fired: action %s", r->def.name, r->action);
	if (plan != NULL && plan->argv != NULL) {
		strbuf_adds(&sb, " argv [");
		for (i = 0; i < plan->argv->n; i++) {
			strbuf_adds(&sb, i > 0 ? ", '" : "'");
			strbuf_add_escaped(&sb, plan->argv->v[i],
			    strlen(plan->argv->v[i]));
			strbuf_addc(&sb, '\'');
		}
		strbuf_addc(&sb, ']');
	}
	log_info("%s", sb.data);
	strbuf_free(&sb);
	if (plan == NULL || plan->kind == PLAN_NULL) {
		plan_free(plan);
		return;
	}

	memset(&lim, 0, sizeof lim);
	a = (const struct action *)ruleset_find(d->cur->rs, DEF_ACTION,
	    r->action);
	if (a != NULL) {
		lim.timeout = a->timeout;
		lim.maxconc = a->maxconc;
		lim.serial = a->serial;
		lim.onfail = a->onfail;
	}
	jc = xmalloc(sizeof *jc);
	jc->d = d;
	jc->ref = d->cur;
	jc->ref->refs++;	/* released by on_end */
	d->jobs++;
	runner_start(d->runner, plan, &lim, &cb, jc);
}

void
dispatch_message(struct vigild *d, const struct message *msg)
{
	struct fire_ctx	 f = { d, msg };

	d->messages++;
	matcher_run(d->cur->m, msg, on_hit, &f);
}

bool
dispatch_idle(const struct vigild *d)
{
	return d->jobs == 0;
}
