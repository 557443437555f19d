/* SPDX-License-Identifier: Apache-2.0 */
/*
 * monitors.c - DEFMMON, DEFSMON and DEFPMON in the daemon.  Each monitor
 * has a libev timer; at each check it runs its probe as a process through
 * the runner (the loop never waits for it), reads the output with
 * rules/probe.c once the probe has ended, and fires its action through
 * dispatch_trigger.  It neither parses output (rules/probe.c) nor runs
 * processes (actions/runner.c).  Decisions where the reference is silent,
 * also in vigil-rules(5):
 *
 * - When.  The first check comes at start and at each reload (DEFMMON:
 *   DELAY after them), then one every INTERVAL.  A check happens only on
 *   the days and in the hours DAYS and HOURS allow (DEFDATE holidays
 *   apply, local time, the daemon's clock): outside them no probe runs,
 *   nothing fires, and INCREASE forgets the previous usage.  One probe per
 *   monitor at a time: a check that finds the last one still running is
 *   skipped.  A reload keeps a monitor's previous usage and its running
 *   probe (by kind and name).
 * - The probe.  PROBE runs through the monitor's ENV (default LVM), as an
 *   action's COMMAND would: in an EXEC environment the PREFIX words, then
 *   the words of PROBE, each substituted (&0 the kind, &R and &1 the
 *   monitor, &2 the action, &3 the user of a DEFMMON, &P the PARM); in a
 *   SHELL environment [PREFIX] /bin/sh -c PROBE, the script as written.
 *   An environment that runs no program (GOS, GOM, TYPE SOURCE or VIGIL:
 *   ENV may name one for the action) leaves the probe to LVM.  Without
 *   PROBE, the probe is the CP command QUERY USER userid, QUERY ALLOC
 *   SPOOL or QUERY ALLOC PAGE, without the "CP" the reference writes (vmcp
 *   takes a CP command alone), after the PREFIX of the environment (which
 *   must take a CP command as its arguments: vmcp, "ssh zvm1 vmcp"), or
 *   after vmcp when there is none.  TIMEOUT: the INTERVAL or 60 s,
 *   whichever is less; the first 64 KiB of output are read.
 * - Failure.  A probe that cannot start, is killed (at its timeout or by
 *   a signal), or whose output answers nothing raises the daemon event
 *   MONITOR_FAILED about the monitor and fires nothing.  An output that
 *   answers counts whatever the exit status: vmcp exits with 1 whenever
 *   CP answers with an error message, HCPCQU045E included.
 * - DEFMMON fires (kind MACHINE) at each check that finds the user not
 *   logged on, for the action is meant to bring it back (LIMIT thins the
 *   repeats): &1 the monitor, &2 the action, &3 the user, &4 OFF, &5 the
 *   interval.  Disconnected (DSC) and LOGOFF/FORCE pending count as
 *   logged on.  With EXTRACT, a match means logged on (rules/probe.c).
 * - DEFSMON, DEFPMON fire (kind SPOOL, PAGE) when the usage is within
 *   USAGE; if not, when the usage minus that of the previous successful
 *   check is within INCREASE (no previous check: INCREASE is not
 *   evaluated).  &1 the monitor, &2 the action, &3 USAGE or INCREASE, &4
 *   the usage, &5 the increase (signed; - without a previous check), &6
 *   and &7 - (the spool-file figures of the reference are not measured),
 *   &8 the interval (minutes, or Ns).
 * - A firing counts for DEFIMON (MACHINE, SPOOL, PAGE); LIMIT applies per
 *   monitor in dispatch_trigger.  &U is VIGIL, as for the other monitors.
 *
 * struct vigild has no slot for monitors: the list is this file's own.
 */
#include "config.h"

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "actions/actions.h"
#include "engine/engine.h"
#include "rules/rules.h"

#define PROBE_TIMEOUT_MAX	60		/* seconds */
#define PROBE_OUTPUT_MAX	(64 * 1024)	/* bytes of output read */
#define PROBE_SHOWN		80		/* output shown in a failure */

/* What a monitor's definition says, whichever its kind. */
struct mon_def {
	const struct def	*def;
	const char		*user;		/* DEFMMON */
	const char		*probe;
	const char		*extract;
	const char		*action;
	const char		*parm;
	const struct envref	*env;
	const struct limit	*limit;
	const struct umon	*u;		/* DEFSMON, DEFPMON */
	uint32_t		 interval;
	uint32_t		 delay;
	uint32_t		 hours;
	uint8_t			 days;
};

struct mon;

/* A probe that runs, or has ended and waits for its verdict. */
struct probe {
	struct mon	*m;		/* NULL once its monitor is gone */
	char		*name;		/* the plan's "action": the monitor */
	char		*argv0;
	struct strbuf	 out;
	bool		 capped;
	int		 status;	/* exit status, -1 none */
	int		 sig;
	bool		 timed_out;
	unsigned	 timeout;
	char		*error;		/* could not start */
};

struct mon {
	struct vigild	*d;
	enum def_kind	 kind;
	char		*name;
	struct probe_re	*re;		/* EXTRACT */
	ev_timer	 tick;		/* every INTERVAL */
	ev_timer	 verdict;	/* the ended probe, read from the loop */
	struct probe	*running;
	struct probe	*ended;
	int		 last;		/* usage at the last check, -1 none */
	struct mon	*next;
};

static struct mon	*mons;

static const char *
kind_word(enum def_kind kind)
{
	return kind == DEF_MMON ? "MACHINE" : kind == DEF_SMON ? "SPOOL" :
	    "PAGE";
}

static const char *
kind_label(enum def_kind kind)
{
	return kind == DEF_MMON ? "machine monitor" : kind == DEF_SMON ?
	    "spool monitor" : "page-space monitor";
}

static bool
find_def(const struct vigild *d, enum def_kind kind, const char *name,
    struct mon_def *md)
{
	const struct def	*def = ruleset_find(d->cur->rs, kind, name);
	const struct mmon	*mm;
	const struct umon	*u;

	memset(md, 0, sizeof *md);
	if (def == NULL)
		return false;
	md->def = def;
	if (kind == DEF_MMON) {
		mm = (const struct mmon *)def;
		md->user = mm->user;
		md->probe = mm->probe;
		md->extract = mm->extract;
		md->action = mm->action;
		md->parm = mm->parm;
		md->env = &mm->env;
		md->limit = &mm->limit;
		md->interval = mm->interval;
		md->delay = mm->delay;
		md->hours = mm->hours;
		md->days = mm->days;
	} else {
		u = (const struct umon *)def;
		md->u = u;
		md->probe = u->probe;
		md->extract = u->extract;
		md->action = u->action;
		md->parm = u->parm;
		md->env = &u->env;
		md->limit = &u->limit;
		md->interval = u->interval;
		md->hours = u->hours;
		md->days = u->days;
	}
	if (md->interval == 0)
		md->interval = 60;	/* the loader refuses 0 */
	return true;
}

/* Whether operand opname of a definition was given. */
static bool
given(const struct def *def, const char *opname)
{
	int	 i = directive_operand(directive_of(def->kind), opname);

	return i >= 0 && (def->set & (1ull << i)) != 0;
}

/* DAYS, HOURS and the holidays, judged as a schedule's are. */
static bool
allowed(const struct vigild *d, const struct mon_def *md)
{
	struct schedule	 s;

	memset(&s, 0, sizeof s);
	s.days = md->days;
	s.hours = md->hours;
	return sched_allows(&s, d->cur->rs, (time_t)vigild_now(d));
}

/* The interval as the reference writes it: minutes, or seconds with s. */
static void
fmt_interval(uint32_t secs, char *buf, size_t size)
{
	if (secs % 60 == 0)
		snprintf(buf, size, "%u", (unsigned)(secs / 60));
	else
		snprintf(buf, size, "%us", (unsigned)secs);
}

static struct message *
fields(const struct vigild *d, const char *text)
{
	return message_create(text, strlen(text), VIGILD_SOURCE_NAME,
	    d->sysname, VIGILD_SOURCE_NAME, (time_t)vigild_now(d));
}

static void
probe_free(struct probe *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->argv0);
	free(p->error);
	strbuf_free(&p->out);
	free(p);
}

static void
add_word(struct argv *av, char *w)
{
	av->v = xreallocarray(av->v, av->n + 2, sizeof *av->v);
	av->v[av->n++] = w;
	av->v[av->n] = NULL;
}

/* Add the words of text, each substituted with ctx unless it is NULL. */
static bool
add_words(struct argv *av, const char *text, struct subst_ctx *ctx)
{
	struct argv	*w;
	struct strbuf	 sb;
	char		*cause = NULL;
	size_t		 i;

	if ((w = argv_split(text, &cause)) == NULL) {
		free(cause);	/* checked at load time */
		return false;
	}
	for (i = 0; i < w->n; i++) {
		if (ctx == NULL) {
			add_word(av, xstrdup(w->v[i]));
			continue;
		}
		strbuf_init(&sb);
		subst_expand(w->v[i], ctx, false, &sb);
		add_word(av, sb.data != NULL ? strbuf_steal(&sb) :
		    xstrdup(""));
		strbuf_free(&sb);
	}
	argv_free(w);
	return true;
}

/*
 * The environment a probe runs through: ENV, else LVM, or LVM when ENV
 * names one that runs no program.  *shell: through /bin/sh -c; *prefix:
 * the PREFIX words, or NULL.
 */
static void
probe_env(const struct ruleset *rs, const char *name, bool *shell,
    const char **prefix)
{
	const struct env	*e;
	int			 tries;

	*shell = false;
	*prefix = NULL;
	for (tries = 0; tries < 2; tries++, name = "LVM") {
		if (name == NULL)
			continue;
		e = (const struct env *)ruleset_find(rs, DEF_ENV, name);
		if (e != NULL && (e->type == ENVT_EXEC ||
		    e->type == ENVT_SHELL)) {
			*shell = e->type == ENVT_SHELL;
			*prefix = e->prefix;
			return;
		}
		if (e == NULL && (strcasecmp(name, "LVM") == 0 ||
		    strcasecmp(name, "SVM") == 0))
			return;
		if (e == NULL && strcasecmp(name, "SHELL") == 0) {
			*shell = true;
			return;
		}
	}
}

/* The built-in probe: a CP command. */
static const char *
builtin_probe(enum def_kind kind)
{
	return kind == DEF_MMON ? "QUERY USER" : kind == DEF_SMON ?
	    "QUERY ALLOC SPOOL" : "QUERY ALLOC PAGE";
}

static struct plan *
probe_plan(struct mon *m, const struct mon_def *md, struct probe *p)
{
	struct vigild		*d = m->d;
	struct plan		*plan;
	struct argv		*av;
	struct subst_ctx	 ctx;
	struct message		*msg;
	const char		*prefix;
	char			*text, *script;
	bool			 shell, ok = true;

	probe_env(d->cur->rs, md->env->env, &shell, &prefix);
	plan = xcalloc(1, sizeof *plan);
	plan->kind = shell ? PLAN_SHELL : PLAN_EXEC;
	plan->action = p->name;
	av = plan->argv = xcalloc(1, sizeof *av);
	if (prefix != NULL)
		ok = add_words(av, prefix, NULL);
	if (md->probe == NULL) {
		if (shell) {
			xasprintf(&script, "vmcp %s%s%s", builtin_probe(m->kind),
			    md->user != NULL ? " " : "",
			    md->user != NULL ? md->user : "");
			add_word(av, xstrdup("/bin/sh"));
			add_word(av, xstrdup("-c"));
			add_word(av, script);
		} else {
			if (prefix == NULL)
				add_word(av, xstrdup("vmcp"));
			ok = ok && add_words(av, builtin_probe(m->kind), NULL);
			if (md->user != NULL)
				add_word(av, xstrdup(md->user));
		}
	} else if (shell) {
		add_word(av, xstrdup("/bin/sh"));
		add_word(av, xstrdup("-c"));
		add_word(av, xstrdup(md->probe));
	} else {
		xasprintf(&text, "%s %s%s%s", md->def->name, md->action,
		    md->user != NULL ? " " : "",
		    md->user != NULL ? md->user : "");
		msg = fields(d, text);
		free(text);
		memset(&ctx, 0, sizeof ctx);
		ctx.msg = msg;
		ctx.kind = kind_word(m->kind);
		ctx.name = md->def->name;
		ctx.action = md->action;
		ctx.parm = md->parm;
		ctx.now = (time_t)vigild_now(d);
		ok = ok && add_words(av, md->probe, &ctx);
		message_free(msg);
	}
	if (!ok || av->n == 0) {
		plan_free(plan);
		return NULL;
	}
	return plan;
}

/* A probe's output: kept line by line, up to PROBE_OUTPUT_MAX. */
static void
probe_line(struct job *job, const char *line, size_t len, void *arg)
{
	struct probe	*p = arg;

	(void)job;
	if (p->capped || p->out.len + len + 1 > PROBE_OUTPUT_MAX) {
		p->capped = true;
		return;
	}
	strbuf_addn(&p->out, line, len);
	strbuf_addc(&p->out, '\n');
}

static void
probe_done(struct job *job, const struct job_result *r, void *arg)
{
	struct probe	*p = arg;

	(void)job;
	p->status = r->status;
	p->sig = r->signal;
	p->timed_out = r->timed_out;
	if (r->error != NULL && p->error == NULL)
		p->error = xstrdup(r->error);
}

/*
 * The verdict is left to the loop (a zero timer): firing starts jobs,
 * and a runner callback is no place to start them from.
 */
static void
probe_end(struct job *job, bool interrupted, void *arg)
{
	struct probe	*p = arg;
	struct mon	*m = p->m;

	(void)job;
	if (m == NULL) {
		probe_free(p);
		return;
	}
	m->running = NULL;
	if (interrupted) {
		probe_free(p);
		return;
	}
	m->ended = p;
	ev_timer_set(&m->verdict, 0, 0);
	ev_timer_start(m->d->loop, &m->verdict);
}

static const struct runner_cb probe_cb = {
	.on_line = probe_line,
	.on_done = probe_done,
	.on_end = probe_end,
};

static void
probe_start(struct mon *m, const struct mon_def *md)
{
	struct vigild		*d = m->d;
	struct runner_limits	 lim;
	struct probe		*p;
	struct plan		*plan;

	p = xcalloc(1, sizeof *p);
	p->m = m;
	p->name = xstrdup(m->name);
	p->status = -1;
	strbuf_init(&p->out);
	if ((plan = probe_plan(m, md, p)) == NULL) {
		log_warnx("%s %s: no probe to run", kind_label(m->kind),
		    m->name);
		vigild_event(d, NULL, "MONITOR_FAILED", m->name, "no probe"
		    " command to run");
		probe_free(p);
		return;
	}
	p->argv0 = xstrdup(plan->argv->v[0]);
	memset(&lim, 0, sizeof lim);
	lim.timeout = md->interval < PROBE_TIMEOUT_MAX ? md->interval :
	    PROBE_TIMEOUT_MAX;
	p->timeout = lim.timeout;
	log_debug("%s %s: probe '%s'", kind_label(m->kind), m->name,
	    p->argv0);
	m->running = p;
	runner_start(d->runner, plan, &lim, &probe_cb, p);
}

/* A probe failed: say why, with the start of its output. */
static void
probe_failed(struct mon *m, const struct probe *p, const char *why)
{
	struct strbuf	 sb;
	size_t		 n;
	const char	*nl;

	strbuf_init(&sb);
	strbuf_adds(&sb, why);
	if (p->out.len > 0) {
		nl = memchr(p->out.data, '\n', p->out.len);
		n = nl != NULL ? (size_t)(nl - p->out.data) : p->out.len;
		strbuf_adds(&sb, ": '");
		strbuf_add_escaped(&sb, p->out.data, n > PROBE_SHOWN ?
		    PROBE_SHOWN : n);
		strbuf_adds(&sb, n > PROBE_SHOWN ? "...'" : "'");
	}
	log_warnx("%s %s: probe %s failed: %s", kind_label(m->kind), m->name,
	    p->argv0, sb.data);
	vigild_event(m->d, NULL, "MONITOR_FAILED", m->name, "probe %s: %s",
	    p->argv0, sb.data);
	strbuf_free(&sb);
}

static void
fire(struct mon *m, const struct mon_def *md, const char *text)
{
	struct vigild	*d = m->d;
	struct trigger	 t;
	struct message	*msg;

	msg = fields(d, text);
	memset(&t, 0, sizeof t);
	t.kind = kind_word(m->kind);
	t.name = md->def->name;
	t.action = md->action;
	t.env = md->env->env;
	t.parm = md->parm;
	t.limit = md->limit;
	t.msg = msg;
	dispatch_trigger(d, &t);
	message_free(msg);
	imon_note(d, m->kind == DEF_MMON ? IMON_MACHINE : m->kind == DEF_SMON ?
	    IMON_SPOOL : IMON_PAGE, md->def->name);
}

static void
judge_machine(struct mon *m, const struct mon_def *md, const struct probe *p)
{
	char		 state[32], iv[32], *text, *why;

	state[0] = '\0';
	switch (probe_logon(m->re, p->out.data != NULL ? p->out.data : "",
	    p->out.len, md->user, p->status, state, sizeof state)) {
	case PROBE_ON:
		log_debug("%s %s: %s is logged on (%s)", kind_label(m->kind),
		    m->name, md->user, state);
		return;
	case PROBE_OFF:
		break;
	default:
		if (p->status != 0)
			xasprintf(&why, "exit %d", p->status);
		else
			xasprintf(&why, "the output does not say whether %s is"
			    " logged on", md->user);
		probe_failed(m, p, why);
		free(why);
		return;
	}
	log_info("%s %s: %s is not logged on", kind_label(m->kind), m->name,
	    md->user);
	fmt_interval(md->interval, iv, sizeof iv);
	xasprintf(&text, "%s %s %s OFF %s", md->def->name, md->action,
	    md->user, iv);
	fire(m, md, text);
	free(text);
}

static bool
within(const struct pctrange *r, int v)
{
	return v >= (int)r->low && v <= (int)r->high;
}

static void
judge_usage(struct mon *m, const struct mon_def *md, const struct probe *p)
{
	const struct umon	*u = md->u;
	const char		*cond = NULL;
	const struct pctrange	*range = NULL;
	char			 inc[16], iv[32], *text, *why;
	int			 usage;

	usage = probe_usage(m->re, p->out.data != NULL ? p->out.data : "",
	    p->out.len);
	if (usage < 0) {
		if (usage == -2)
			xasprintf(&why, "EXTRACT could not be matched against"
			    " its output");
		else if (p->status != 0)
			xasprintf(&why, "exit %d", p->status);
		else
			xasprintf(&why, "no usage in its output%s", m->re ==
			    NULL ? " (no SUMMARY line ending in a percentage)" :
			    " (EXTRACT found no number from 0 to 100)");
		probe_failed(m, p, why);
		free(why);
		return;
	}
	if (m->last >= 0)
		snprintf(inc, sizeof inc, "%d", usage - m->last);
	else
		snprintf(inc, sizeof inc, "-");
	log_debug("%s %s: usage %d%%, increase %s", kind_label(m->kind),
	    m->name, usage, inc);
	if (given(md->def, "USAGE") && within(&u->usage, usage)) {
		cond = "USAGE";
		range = &u->usage;
	} else if (given(md->def, "INCREASE") && m->last >= 0 &&
	    within(&u->increase, usage - m->last)) {
		cond = "INCREASE";
		range = &u->increase;
	}
	m->last = usage;
	if (cond == NULL)
		return;
	log_info("%s %s: usage %d%%, increase %s: within %s %03u-%03u",
	    kind_label(m->kind), m->name, usage, inc, cond,
	    (unsigned)range->low, (unsigned)range->high);
	fmt_interval(md->interval, iv, sizeof iv);
	xasprintf(&text, "%s %s %s %d %s - - %s", md->def->name, md->action,
	    cond, usage, inc, iv);
	fire(m, md, text);
	free(text);
}

static void
on_verdict(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct mon	*m = w->data;
	struct probe	*p = m->ended;
	struct mon_def	 md;
	char		*why;

	(void)loop;
	(void)revents;
	m->ended = NULL;
	if (p == NULL || m->d->stopping ||
	    !find_def(m->d, m->kind, m->name, &md)) {
		probe_free(p);
		return;
	}
	why = NULL;
	if (p->error != NULL)
		why = xstrdup(p->error);
	else if (p->timed_out)
		xasprintf(&why, "killed at its timeout of %u s", p->timeout);
	else if (p->sig != 0)
		xasprintf(&why, "killed by signal %d", p->sig);
	else if (p->capped)
		log_warnx("%s %s: probe output cut at %d bytes",
		    kind_label(m->kind), m->name, PROBE_OUTPUT_MAX);
	if (why != NULL)
		probe_failed(m, p, why);
	else if (m->kind == DEF_MMON)
		judge_machine(m, &md, p);
	else
		judge_usage(m, &md, p);
	free(why);
	probe_free(p);
}

static void
on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct mon	*m = w->data;
	struct mon_def	 md;

	(void)loop;
	(void)revents;
	if (m->d->stopping || !find_def(m->d, m->kind, m->name, &md))
		return;
	if (m->running != NULL || m->ended != NULL) {
		log_warnx("%s %s: the last probe has not ended: check skipped",
		    kind_label(m->kind), m->name);
		return;
	}
	if (!allowed(m->d, &md)) {
		/* An increase across hours without checks means little. */
		m->last = -1;
		log_debug("%s %s: not checked now (DAYS, HOURS)",
		    kind_label(m->kind), m->name);
		return;
	}
	probe_start(m, &md);
}

static void
mon_free(struct mon *m)
{
	ev_timer_stop(m->d->loop, &m->tick);
	ev_timer_stop(m->d->loop, &m->verdict);
	if (m->running != NULL)
		m->running->m = NULL;	/* freed when its job ends */
	probe_free(m->ended);
	probe_re_free(m->re);
	free(m->name);
	free(m);
}

static struct mon *
mon_take(struct mon **list, enum def_kind kind, const char *name)
{
	struct mon	**pp, *m;

	for (pp = list; (m = *pp) != NULL; pp = &m->next)
		if (m->kind == kind && strcmp(m->name, name) == 0) {
			*pp = m->next;
			return m;
		}
	return NULL;
}

/* Start (or, at a reload, restart) every monitor of the ruleset. */
void
monitors_start(struct vigild *d)
{
	static const enum def_kind kinds[] = { DEF_MMON, DEF_SMON, DEF_PMON };
	struct mon	*old = mons, *m, *o, **tail = &mons;
	struct mon_def	 md;
	const struct def *def;
	size_t		 i, k, n, started = 0;
	char		*cause;

	mons = NULL;
	ev_now_update(d->loop);
	for (k = 0; k < nitems(kinds); k++) {
		n = ruleset_count(d->cur->rs, kinds[k]);
		for (i = 0; i < n; i++) {
			def = ruleset_get(d->cur->rs, kinds[k], i);
			if (!find_def(d, kinds[k], def->name, &md))
				continue;
			m = xcalloc(1, sizeof *m);
			m->d = d;
			m->kind = kinds[k];
			m->name = xstrdup(def->name);
			m->last = -1;
			ev_timer_init(&m->tick, on_tick, md.delay,
			    md.interval);
			ev_timer_init(&m->verdict, on_verdict, 0, 0);
			m->tick.data = m->verdict.data = m;
			cause = NULL;
			if (md.extract != NULL &&
			    (m->re = probe_re_create(md.extract,
			    &cause)) == NULL) {
				/* The loader compiled it: cannot happen. */
				log_warnx("%s %s: EXTRACT: %s",
				    kind_label(m->kind), m->name, cause);
				free(cause);
				mon_free(m);
				continue;
			}
			if ((o = mon_take(&old, m->kind, m->name)) != NULL) {
				m->last = o->last;
				if ((m->running = o->running) != NULL)
					m->running->m = m;
				o->running = NULL;
				if ((m->ended = o->ended) != NULL)
					ev_timer_start(d->loop, &m->verdict);
				o->ended = NULL;
				mon_free(o);
			}
			ev_timer_start(d->loop, &m->tick);
			*tail = m;
			tail = &m->next;
			started++;
		}
	}
	while ((o = old) != NULL) {
		old = o->next;
		mon_free(o);
	}
	if (started > 0)
		log_info("%zu monitors started", started);
}

void
monitors_free(struct vigild *d)
{
	struct mon	*m;

	(void)d;
	while ((m = mons) != NULL) {
		mons = m->next;
		mon_free(m);
	}
}
