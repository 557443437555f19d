/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-cmds.c - the daemon's side of the vigil client's commands: each
 * command names the level it needs (AUTH: VIEW, OPERATE, CONFIG, ADMIN),
 * parses its own options, answers in text tables or, with --json, one
 * JSON object, and ends the request (at once, or later for "run" waiting
 * for its action and for --follow).  What changes something is audited;
 * refusals are audited by ctl_permit.  A command may be abbreviated to a
 * unique prefix.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "actions/actions.h"
#include "cli/cli.h"
#include "engine/conslog.h"
#include "engine/control.h"
#include "engine/engine.h"
#include "engine/source.h"
#include "engine/state.h"
#include "rules/rules.h"

#define VIEW_TAIL	100	/* console lines shown without --since */

struct ctl_cmd {
	const char	*name;
	int		 level;
	const char	*usage;
	void		(*run)(struct ctl_req *);
};

/* A client following a console or the log. */
struct viewer {
	struct ctl_req	*req;
	char		*source;	/* a source's console, or NULL */
	char		*user;		/* a user's messages, or NULL */
	char		*grep;		/* a substring, or NULL */
	bool		 log;		/* the daemon's log */
	struct viewer	*next;
};

/* --- helpers ----------------------------------------------------------- */

void
ctl_fmt_time(double t, char *buf, size_t size)
{
	struct tm	 tm;
	time_t		 s = (time_t)t;

	if (t <= 0) {
		snprintf(buf, size, "-");
		return;
	}
	localtime_r(&s, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

static void
fmt_utc(double t, char *buf, size_t size)
{
	struct tm	 tm;
	time_t		 s = (time_t)t;

	gmtime_r(&s, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
}

/* Send a JSON document as one line and end with status. */
void
ctl_json_end(struct ctl_req *req, struct strbuf *sb, int status)
{
	ctl_outn(req, sb->data != NULL ? sb->data : "{}", sb->len);
	strbuf_free(sb);
	ctl_end(req, status);
}

/* The end of a listing: the JSON array closed and sent, or the table done. */
void
ctl_list_end(struct ctl_req *req, struct strbuf *sb)
{
	if (req->json) {
		strbuf_adds(sb, "]}");
		ctl_json_end(req, sb, EXIT_OK);
		return;
	}
	strbuf_free(sb);
	ctl_end(req, EXIT_OK);
}

void
ctl_usage_end(struct ctl_req *req, const char *usage)
{
	ctl_err(req, "usage: vigil %s", usage);
	ctl_end(req, EXIT_USAGE);
}

/*
 * Options of a command: "--name value" or "--name=value" for those in
 * with_value, "--name" alone for the others; the rest are arguments.
 * Returns false (usage sent) on an unknown option.
 */
struct opts {
	const char	*v[8];		/* values by index in names */
	bool		 set[8];
	char		*args[8];
	int		 nargs;
	char		*vars[32];	/* --var, NULL-terminated */
	int		 nvars;
};

static bool
parse_opts(struct ctl_req *req, const char *const *names, size_t nnames,
    const char *with_value, struct opts *o, const char *usage)
{
	int	 i;
	size_t	 k, len;
	char	*a, *eq;

	memset(o, 0, sizeof *o);
	for (i = 1; i < req->argc; i++) {
		a = req->argv[i];
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			if (o->nargs < (int)nitems(o->args))
				o->args[o->nargs++] = a;
			continue;
		}
		eq = strchr(a, '=');
		len = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
		for (k = 0; k < nnames; k++)
			if (strlen(names[k]) == len &&
			    strncmp(a + 2, names[k], len) == 0)
				break;
		if (k == nnames) {
			ctl_err(req, "unknown option %s", a);
			ctl_usage_end(req, usage);
			return false;
		}
		o->set[k] = true;
		if (strchr(with_value, (int)('a' + k)) == NULL)
			continue;
		if (eq != NULL)
			o->v[k] = eq + 1;
		else if (i + 1 < req->argc)
			o->v[k] = req->argv[++i];
		else {
			ctl_err(req, "option --%s needs a value", names[k]);
			ctl_usage_end(req, usage);
			return false;
		}
		if (strcmp(names[k], "var") == 0 &&
		    o->nvars < (int)nitems(o->vars) - 1)
			o->vars[o->nvars++] = (char *)o->v[k];
	}
	return true;
}

static const char *
src_type_name(int type)
{
	static const char *const names[] = { "STDIN", "FILE", "FIFO", "UNIX",
		"UNIXDGRAM", "SYSLOG", "TCP", "PTY" };

	return type >= 0 && type < (int)nitems(names) ? names[type] : "?";
}

/* --- status, query, show ------------------------------------------------- */

#define LAST_ERRORS	5

struct last_errors {
	char	*line[LAST_ERRORS];
	size_t	 n;
};

static void
keep_error(double when, const char *line, void *arg)
{
	struct last_errors	*le = arg;
	char			 t[32];

	if (strncmp(line, "warning:", 8) != 0 && strncmp(line, "fatal:", 6) != 0)
		return;
	ctl_fmt_time(when, t, sizeof t);
	free(le->line[le->n % LAST_ERRORS]);
	xasprintf(&le->line[le->n % LAST_ERRORS], "%s %s", t, line);
	le->n++;
}

static void
ctl_status(struct ctl_req *req)
{
	struct vigild		*d = req->d;
	const struct ruleset	*rs = d->cur->rs;
	struct runner_stats	 st;
	struct src		*s;
	struct strbuf		 sb, desc;
	char			 t1[32], t2[32];
	double			 up = vigild_now(d) - d->started;

	runner_stats(d->runner, &st);
	ctl_fmt_time(d->started, t1, sizeof t1);
	ctl_fmt_time(d->loaded, t2, sizeof t2);
	strbuf_init(&sb);
	if (req->json) {
		strbuf_addf(&sb, "{\"version\": \"%s\", \"started\": %.0f,"
		    " \"uptime\": %.0f, \"config\": ", PACKAGE_VERSION,
		    d->started, up);
		json_str(&sb, d->config);
		strbuf_addf(&sb, ", \"loaded\": %.0f, \"checksum\": \"%s\","
		    " \"rules\": %zu, \"actions\": %zu, \"schedules\": %zu,"
		    " \"running\": %u, \"waiting\": %u, \"messages\": %llu,"
		    " \"fired\": %llu, \"state_degraded\": %s,"
		    " \"sources\": [", d->loaded, d->checksum,
		    ruleset_count(rs, DEF_RULE), ruleset_count(rs, DEF_ACTION),
		    ruleset_count(rs, DEF_SCHEDULE), st.running,
		    runner_waiting(d->runner),
		    (unsigned long long)(d->messages - d->injected),
		    (unsigned long long)d->fired,
		    d->state != NULL && state_degraded(d->state) ? "true" :
		    "false");
		for (s = d->sources; s != NULL; s = s->next) {
			strbuf_adds(&sb, s != d->sources ? ", {\"name\": " :
			    "{\"name\": ");
			json_str(&sb, s->name);
			strbuf_addf(&sb, ", \"type\": \"%s\", \"state\": \"%s\","
			    " \"messages\": %llu, \"per_second\": %.1f}",
			    src_type_name(s->type), s->ended ? "ended" :
			    s->paused ? "paused" : s->state == SRCST_UP ? "up" :
			    s->state == SRCST_WAITING ? "waiting" : "down",
			    (unsigned long long)s->messages,
			    up > 0 ? (double)s->messages / up : 0.0);
		}
		strbuf_adds(&sb, "]}");
		ctl_json_end(req, &sb, EXIT_OK);
		return;
	}
	ctl_out(req, "vigild %s, up %.0f s (since %s), pid %ld",
	    PACKAGE_VERSION, up, t1, (long)getpid());
	ctl_out(req, "rules: %s, loaded %s, checksum %s: %zu rules, %zu"
	    " actions, %zu schedules", d->config, t2, d->checksum,
	    ruleset_count(rs, DEF_RULE), ruleset_count(rs, DEF_ACTION),
	    ruleset_count(rs, DEF_SCHEDULE));
	ctl_out(req, "messages: %llu from sources, %llu rule firings;"
	    " actions: %u running, %u waiting, %llu run, %llu failed",
	    (unsigned long long)(d->messages - d->injected),
	    (unsigned long long)d->fired, st.running,
	    runner_waiting(d->runner), (unsigned long long)st.finished,
	    (unsigned long long)st.failed);
	ctl_out(req, "state: %s; console log: %s", d->state != NULL &&
	    state_degraded(d->state) ? "DEGRADED (writes queued)" : "ok",
	    d->conslog != NULL && conslog_degraded(d->conslog) ?
	    "DEGRADED (lines lost)" : "ok");
	ctl_out(req, "%-16s %-9s %-8s %10s %8s  %s", "SOURCE", "TYPE",
	    "STATE", "MESSAGES", "PER SEC", "");
	for (s = d->sources; s != NULL; s = s->next) {
		strbuf_init(&desc);
		if (s->ops->describe != NULL)
			s->ops->describe(s, &desc);
		ctl_out(req, "%-16s %-9s %-8s %10llu %8.1f  %s", s->name,
		    src_type_name(s->type), s->ended ? "ended" : s->paused ?
		    "paused" : s->state == SRCST_UP ? "up" :
		    s->state == SRCST_WAITING ? "waiting" : "down",
		    (unsigned long long)s->messages,
		    up > 0 ? (double)s->messages / up : 0.0,
		    desc.data != NULL ? desc.data : "");
		strbuf_free(&desc);
	}
	{
		struct last_errors	 le;
		size_t			 i, first;

		memset(&le, 0, sizeof le);
		vigild_log_each(keep_error, &le);
		ctl_out(req, "last errors:%s", le.n == 0 ? " none" : "");
		first = le.n > LAST_ERRORS ? le.n - LAST_ERRORS : 0;
		for (i = first; i < le.n; i++)
			ctl_out(req, "  %s", le.line[i % LAST_ERRORS]);
		for (i = 0; i < LAST_ERRORS; i++)
			free(le.line[i]);
	}
	strbuf_free(&sb);
	ctl_end(req, EXIT_OK);
}

struct qrow {
	struct ctl_req	*req;
	struct strbuf	*sb;
	bool		 first;
};

static void
query_row(struct qrow *q, const char *kind, const char *name,
    const char *skind, const char *extra)
{
	struct vigild	*d = q->req->d;
	struct counter	 c = counter_get(d, skind, name);
	bool		 susp = suspended(d, skind, name);
	char		 last[32], next[32];
	time_t		 due;

	ctl_fmt_time(c.last, last, sizeof last);
	next[0] = '\0';
	if (strcmp(kind, "SCHEDULE") == 0) {
		if (sched_due(d, name, &due))
			ctl_fmt_time((double)due, next, sizeof next);
		else
			snprintf(next, sizeof next, "-");
	}
	if (q->req->json) {
		strbuf_adds(q->sb, q->first ? "{\"name\": " : ", {\"name\": ");
		q->first = false;
		json_str(q->sb, name);
		strbuf_addf(q->sb, ", \"kind\": \"%s\", \"fired\": %llu,"
		    " \"last\": %.0f, \"suspended\": %s", kind,
		    (unsigned long long)c.hits, c.last, susp ? "true" : "false");
		if (next[0] != '\0') {
			strbuf_adds(q->sb, ", \"next\": ");
			if (sched_due(d, name, &due))
				strbuf_addf(q->sb, "%lld", (long long)due);
			else
				strbuf_adds(q->sb, "null");
		}
		strbuf_adds(q->sb, ", \"detail\": ");
		json_str(q->sb, extra != NULL ? extra : "");
		strbuf_addc(q->sb, '}');
		return;
	}
	ctl_out(q->req, "%-16s %-8s %7llu  %-19s %-9s %s%s%s", name, kind,
	    (unsigned long long)c.hits, last, susp ? "SUSPENDED" : "-",
	    next[0] != '\0' ? "next " : "", next,
	    extra != NULL ? extra : "");
}

static void
ctl_query(struct ctl_req *req)
{
	static const char *const what[] = { "rules", "actions", "schedules",
		"monitors", "sources", "groups", "dates" };
	const struct ruleset	*rs = req->d->cur->rs;
	struct strbuf		 sb, x;
	struct qrow		 q;
	const struct def	*def;
	size_t			 i, k, w, n;
	static const enum def_kind mons[] = { DEF_EMON, DEF_IMON, DEF_MMON,
		DEF_SMON, DEF_PMON };

	if (req->argc != 2) {
		ctl_usage_end(req, "query rules|actions|schedules|monitors|sources|"
		    "groups|dates [--json]");
		return;
	}
	for (w = 0; w < nitems(what); w++)
		if (strncasecmp(req->argv[1], what[w],
		    strlen(req->argv[1])) == 0)
			break;
	if (w == nitems(what)) {
		ctl_usage_end(req, "query rules|actions|schedules|monitors|sources|"
		    "groups|dates [--json]");
		return;
	}
	if (w == 4) {		/* sources: the status table */
		ctl_status(req);
		return;
	}
	strbuf_init(&sb);
	q.req = req;
	q.sb = &sb;
	q.first = true;
	if (req->json)
		strbuf_addf(&sb, "{\"%s\": [", what[w]);
	else
		ctl_out(req, "%-16s %-8s %7s  %-19s %-9s %s", "NAME", "KIND",
		    "FIRED", "LAST", "SUSPENDED", "");
	switch (w) {
	case 0:
	case 1:
	case 2:
		n = ruleset_count(rs, w == 0 ? DEF_RULE : w == 1 ? DEF_ACTION :
		    DEF_SCHEDULE);
		for (i = 0; i < n; i++) {
			def = ruleset_get(rs, w == 0 ? DEF_RULE : w == 1 ?
			    DEF_ACTION : DEF_SCHEDULE, i);
			strbuf_init(&x);
			if (w == 2) {
				strbuf_adds(&x, " (");
				when_describe(&((const struct schedule *)def)->
				    when, &x);
				strbuf_addc(&x, ')');
			}
			query_row(&q, w == 0 ? "RULE" : w == 1 ? "ACTION" :
			    "SCHEDULE", def->name, w == 0 ? "RULE" : w == 1 ?
			    "ACTION" : "SCHEDULE", x.data);
			strbuf_free(&x);
		}
		break;
	case 3:
		for (k = 0; k < nitems(mons); k++)
			for (i = 0; i < ruleset_count(rs, mons[k]); i++) {
				def = ruleset_get(rs, mons[k], i);
				query_row(&q, mons[k] == DEF_EMON ? "EVENT" :
				    mons[k] == DEF_IMON ? "IDLE" :
				    mons[k] == DEF_MMON ? "MACHINE" :
				    mons[k] == DEF_SMON ? "SPOOL" : "PAGE",
				    def->name, "MONITOR", NULL);
			}
		break;
	case 5:
	case 6:
		n = ruleset_count(rs, w == 5 ? DEF_GROUP : DEF_DATE);
		for (i = 0; i < n; i++) {
			def = ruleset_get(rs, w == 5 ? DEF_GROUP : DEF_DATE, i);
			strbuf_init(&x);
			if (w == 5) {
				const struct group *g = (const void *)def;
				for (k = 0; k < g->members.n; k++) {
					if (k > 0)
						strbuf_addc(&x, ',');
					strbuf_adds(&x, g->members.v[k]);
				}
			} else
				calendar_format_dates(&((const struct date *)
				    def)->dates, &x);
			if (req->json) {
				strbuf_adds(&sb, i > 0 ? ", {\"name\": " :
				    "{\"name\": ");
				json_str(&sb, def->name);
				strbuf_adds(&sb, w == 5 ? ", \"members\": " :
				    ", \"dates\": ");
				json_str(&sb, x.data != NULL ? x.data : "");
				strbuf_addc(&sb, '}');
			} else
				ctl_out(req, "%-16s %s", def->name,
				    x.data != NULL ? x.data : "");
			strbuf_free(&x);
		}
		break;
	}
	ctl_list_end(req, &sb);
}

struct hist_out {
	struct ctl_req	*req;
	struct strbuf	*sb;
	bool		 first;
};

static void
argv_text(struct strbuf *sb, const char *argv)
{
	const char	*p;

	for (p = argv; p != NULL && *p != '\0'; p++)
		strbuf_addc(sb, *p == '\x1f' ? ' ' : *p);
}

static void
hist_one(const struct hist_row *h, void *arg)
{
	struct hist_out	*o = arg;
	struct strbuf	 a;
	char		 t[32];

	strbuf_init(&a);
	argv_text(&a, h->argv);
	if (o->req->json) {
		strbuf_adds(o->sb, o->first ? "{" : ", {");
		o->first = false;
		strbuf_addf(o->sb, "\"id\": %llu, \"chain\": %llu, \"trigger_kind\": ",
		    (unsigned long long)h->id, (unsigned long long)h->chain);
		json_str(o->sb, h->trigger_kind != NULL ? h->trigger_kind : "");
		strbuf_adds(o->sb, ", \"trigger\": ");
		json_str(o->sb, h->trigger != NULL ? h->trigger : "");
		strbuf_adds(o->sb, ", \"action\": ");
		json_str(o->sb, h->action != NULL ? h->action : "");
		strbuf_adds(o->sb, ", \"argv\": ");
		json_str(o->sb, a.data != NULL ? a.data : "");
		strbuf_adds(o->sb, ", \"message\": ");
		json_str(o->sb, h->message != NULL ? h->message : "");
		strbuf_addf(o->sb, ", \"start\": %.3f, \"end\": %.3f,"
		    " \"status\": %d, \"result\": ", h->start, h->end,
		    h->status);
		json_str(o->sb, h->result != NULL ? h->result : "running");
		strbuf_addc(o->sb, '}');
	} else {
		ctl_fmt_time(h->start > 0 ? h->start : h->received, t, sizeof t);
		ctl_out(o->req, "%-19s %-8s %-16s %-16s %-11s %s", t,
		    h->trigger_kind != NULL ? h->trigger_kind : "-",
		    h->trigger != NULL ? h->trigger : "-",
		    h->action != NULL ? h->action : "-",
		    h->result != NULL ? h->result : "running",
		    a.data != NULL ? a.data : "");
		if (h->message != NULL && *h->message != '\0')
			ctl_out(o->req, "    from: %s", h->message);
	}
	strbuf_free(&a);
}

static void
audit_one(const struct audit_rec *a, void *arg)
{
	struct hist_out	*o = arg;
	char		 t[32];

	if (o->req->json) {
		strbuf_adds(o->sb, o->first ? "{" : ", {");
		o->first = false;
		strbuf_addf(o->sb, "\"time\": %.3f, \"uid\": %ld, \"user\": ",
		    a->when, a->uid);
		json_str(o->sb, a->user != NULL ? a->user : "");
		strbuf_adds(o->sb, ", \"command\": ");
		json_str(o->sb, a->command != NULL ? a->command : "");
		strbuf_adds(o->sb, ", \"args\": ");
		json_str(o->sb, a->args != NULL ? a->args : "");
		strbuf_adds(o->sb, ", \"result\": ");
		json_str(o->sb, a->result != NULL ? a->result : "");
		strbuf_addc(o->sb, '}');
		return;
	}
	ctl_fmt_time(a->when, t, sizeof t);
	ctl_out(o->req, "%-19s %-12s %6ld %-9s %-8s %s", t,
	    a->user != NULL ? a->user : "-", a->uid,
	    a->command != NULL ? a->command : "-",
	    a->result != NULL ? a->result : "-",
	    a->args != NULL ? a->args : "");
}

static bool
since_arg(struct ctl_req *req, const char *v, double *since)
{
	time_t	 t;

	if (v == NULL)
		return true;
	if (parse_time_arg(v, &t) != 0) {
		ctl_err(req, "--since expects 'YYYY-MM-DD[ HH:MM[:SS]]', got"
		    " '%s'", v);
		ctl_end(req, EXIT_USAGE);
		return false;
	}
	*since = (double)t;
	return true;
}

static void
ctl_history(struct ctl_req *req)
{
	static const char *const names[] = { "rule", "action", "since",
		"limit", "audit" };
	const char		*usage = "history [--rule R] [--action A]"
				    " [--since TIME] [--limit N] [--audit]"
				    " [--json]";
	struct opts		 o;
	struct hist_filter	 f;
	struct hist_out		 out;
	struct strbuf		 sb;

	if (!parse_opts(req, names, nitems(names), "abcd", &o, usage))
		return;
	if (o.nargs > 0) {
		ctl_usage_end(req, usage);
		return;
	}
	memset(&f, 0, sizeof f);
	f.trigger = o.v[0];
	f.action = o.v[1];
	f.limit = o.v[3] != NULL ? (unsigned)strtoul(o.v[3], NULL, 10) : 50;
	if (!since_arg(req, o.v[2], &f.since))
		return;
	strbuf_init(&sb);
	out.req = req;
	out.sb = &sb;
	out.first = true;
	if (o.set[4]) {
		if (req->json)
			strbuf_adds(&sb, "{\"audit\": [");
		else
			ctl_out(req, "%-19s %-12s %6s %-9s %-8s %s", "TIME",
			    "USER", "UID", "COMMAND", "RESULT", "ARGUMENTS");
		state_audit_each(req->d->state, f.since, audit_one, &out);
	} else {
		if (req->json)
			strbuf_adds(&sb, "{\"history\": [");
		else
			ctl_out(req, "%-19s %-8s %-16s %-16s %-11s %s",
			    "STARTED", "KIND", "TRIGGER", "ACTION", "RESULT",
			    "COMMAND");
		state_history_each(req->d->state, &f, hist_one, &out);
	}
	ctl_list_end(req, &sb);
}

static void
ctl_show(struct ctl_req *req)
{
	const struct def	*def;
	struct hist_filter	 f;
	struct hist_out		 out;
	struct strbuf		 sb;
	struct counter		 c;
	char			 t[32];

	if (req->argc != 3 || strncasecmp(req->argv[1], "rule",
	    strlen(req->argv[1])) != 0) {
		ctl_usage_end(req, "show rule NAME [--json]");
		return;
	}
	if ((def = ruleset_find(req->d->cur->rs, DEF_RULE, req->argv[2])) ==
	    NULL) {
		ctl_err(req, "no rule %s in the rules in force", req->argv[2]);
		ctl_end(req, EXIT_FAILED);
		return;
	}
	strbuf_init(&sb);
	dump_def(def, &sb);
	c = counter_get(req->d, "RULE", def->name);
	ctl_fmt_time(c.last, t, sizeof t);
	if (req->json) {
		struct strbuf	 js;

		strbuf_init(&js);
		strbuf_adds(&js, "{\"name\": ");
		json_str(&js, def->name);
		strbuf_adds(&js, ", \"definition\": ");
		json_str(&js, sb.data);
		strbuf_addf(&js, ", \"fired\": %llu, \"last\": %.0f,"
		    " \"suspended\": %s, \"recent\": [",
		    (unsigned long long)c.hits, c.last,
		    suspended(req->d, "RULE", def->name) ? "true" : "false");
		strbuf_free(&sb);
		memset(&f, 0, sizeof f);
		f.trigger = def->name;
		f.limit = 10;
		out.req = req;
		out.sb = &js;
		out.first = true;
		state_history_each(req->d->state, &f, hist_one, &out);
		strbuf_adds(&js, "]}");
		ctl_json_end(req, &js, EXIT_OK);
		return;
	}
	{
		char	*line, *save = NULL;

		for (line = sb.data != NULL ? strtok_r(sb.data, "\n", &save) :
		    NULL; line != NULL; line = strtok_r(NULL, "\n", &save))
			ctl_out(req, "%s", line);
	}
	strbuf_free(&sb);
	ctl_out(req, "fired %llu times since the daemon started, last %s%s",
	    (unsigned long long)c.hits, t, suspended(req->d, "RULE",
	    def->name) ? "; SUSPENDED" : "");
	ctl_out(req, "recent firings:");
	memset(&f, 0, sizeof f);
	f.trigger = def->name;
	f.limit = 10;
	out.req = req;
	out.sb = NULL;
	out.first = true;
	state_history_each(req->d->state, &f, hist_one, &out);
	ctl_end(req, EXIT_OK);
}

/* --- run, jobs, cancel ----------------------------------------------------- */

static void
run_line(const char *line, size_t len, void *arg)
{
	struct ctl_req	*req = arg;

	ctl_outn(req, line, len);
}

static void
run_end(uint64_t id, int status, const char *result, void *arg)
{
	struct ctl_req	*req = arg;

	free(req->data);	/* the job id run_cancel would have used */
	req->data = NULL;
	req->cancel = NULL;
	if (status >= 0)
		ctl_err(req, "job %llu: %s, exit %d", (unsigned long long)id,
		    result, status);
	else
		ctl_err(req, "job %llu: %s", (unsigned long long)id, result);
	ctl_audit(req, result);
	ctl_end(req, strcmp(result, "ok") == 0 ? EXIT_OK : EXIT_FAILED);
}

static void
run_cancel(struct ctl_req *req)
{
	uint64_t	*id = req->data;

	if (id != NULL) {
		dispatch_unwatch(req->d, *id);
		free(id);
	}
	req->data = NULL;
}

static void
ctl_run(struct ctl_req *req)
{
	static const char *const names[] = { "parm", "var", "detach" };
	const char		*usage = "run ACTION [--parm TEXT] [--var K=V]..."
				    " [--detach]";
	struct opts		 o;
	struct run_watch	 w;
	uint64_t		 id, *idp;
	char			*err = NULL, *who;

	if (!parse_opts(req, names, nitems(names), "ab", &o, usage))
		return;
	if (o.nargs != 1) {
		ctl_usage_end(req, usage);
		return;
	}
	if (!ctl_permit(req, AUTH_OPERATE, "ACTION", o.args[0]))
		return;
	memset(&w, 0, sizeof w);
	if (!o.set[2]) {
		w.on_line = run_line;
		w.on_end = run_end;
		w.arg = req;
	}
	xasprintf(&who, "%s", req->user);
	id = dispatch_run(req->d, o.args[0], o.v[0], o.nvars > 0 ? o.vars :
	    NULL, who, o.set[2] ? NULL : &w, &err);
	free(who);
	if (id == 0) {
		ctl_err(req, "%s", err != NULL ? err : "not started");
		free(err);
		ctl_audit(req, "failed");
		ctl_end(req, EXIT_FAILED);
		return;
	}
	if (o.set[2]) {
		ctl_out(req, "job %llu started", (unsigned long long)id);
		ctl_audit(req, "started");
		ctl_end(req, EXIT_OK);
		return;
	}
	idp = xmalloc(sizeof *idp);
	*idp = id;
	req->data = idp;
	req->cancel = run_cancel;
	ctl_err(req, "job %llu started", (unsigned long long)id);
}

struct jobs_out {
	struct ctl_req	*req;
	struct strbuf	*sb;
	bool		 first;
	uint64_t	 want;		/* cancel: the job looked for */
	char		*action;	/* ... its action */
};

static void
jobs_one(const struct job_info *ji, void *arg)
{
	struct jobs_out	*o = arg;
	char		 t[32];

	if (o->want != 0) {
		if (ji->id == o->want && o->action == NULL)
			o->action = xstrdup(ji->action);
		return;
	}
	ctl_fmt_time(ji->received, t, sizeof t);
	if (o->req->json) {
		strbuf_adds(o->sb, o->first ? "{" : ", {");
		o->first = false;
		strbuf_addf(o->sb, "\"id\": %llu, \"action\": ",
		    (unsigned long long)ji->id);
		json_str(o->sb, ji->action);
		strbuf_addf(o->sb, ", \"state\": \"%s\", \"pid\": %ld,"
		    " \"trigger\": ", ji->state, ji->pid);
		json_str(o->sb, ji->trigger != NULL ? ji->trigger : "");
		strbuf_addf(o->sb, ", \"since\": %.0f}", ji->received);
		return;
	}
	ctl_out(o->req, "%8llu %-16s %-8s %7ld %-8s %-16s %s",
	    (unsigned long long)ji->id, ji->action, ji->state, ji->pid,
	    ji->trigger_kind != NULL ? ji->trigger_kind : "-",
	    ji->trigger != NULL ? ji->trigger : "-", t);
}

static void
ctl_jobs(struct ctl_req *req)
{
	struct jobs_out	 o;
	struct strbuf	 sb;

	strbuf_init(&sb);
	memset(&o, 0, sizeof o);
	o.req = req;
	o.sb = &sb;
	o.first = true;
	if (req->json)
		strbuf_adds(&sb, "{\"jobs\": [");
	else
		ctl_out(req, "%8s %-16s %-8s %7s %-8s %-16s %s", "JOB",
		    "ACTION", "STATE", "PID", "KIND", "TRIGGER", "SINCE");
	dispatch_jobs(req->d, jobs_one, &o);
	ctl_list_end(req, &sb);
}

static void
ctl_cancel(struct ctl_req *req)
{
	struct jobs_out	 o;
	char		*end;
	uint64_t	 id;

	if (req->argc != 2 || (id = strtoull(req->argv[1], &end, 10)) == 0 ||
	    *end != '\0') {
		ctl_usage_end(req, "cancel JOB");
		return;
	}
	memset(&o, 0, sizeof o);
	o.req = req;
	o.want = id;
	dispatch_jobs(req->d, jobs_one, &o);
	if (o.action == NULL) {
		ctl_err(req, "no job %llu is running or waiting (see vigil"
		    " jobs)", (unsigned long long)id);
		ctl_end(req, EXIT_FAILED);
		return;
	}
	if (!ctl_permit(req, AUTH_OPERATE, "ACTION", o.action)) {
		free(o.action);
		return;
	}
	free(o.action);
	if (!dispatch_cancel(req->d, id)) {
		ctl_err(req, "job %llu is already ending",
		    (unsigned long long)id);
		ctl_audit(req, "failed");
		ctl_end(req, EXIT_FAILED);
		return;
	}
	ctl_out(req, "job %llu cancelled", (unsigned long long)id);
	ctl_audit(req, "ok");
	ctl_end(req, EXIT_OK);
}

/* --- suspend, resume -------------------------------------------------------- */

static void
suspend_resume(struct ctl_req *req, bool resume)
{
	static const char *const names[] = { "for", "reason" };
	const char	*usage = resume ?
			    "resume rule|action|source|schedule|monitor NAME" :
			    "suspend rule|action|source|schedule|monitor NAME"
			    " [--for DURATION] [--reason TEXT]";
	struct opts	 o;
	struct strbuf	 text;
	char		*err = NULL, kind[16];
	const char	*why;
	size_t		 i;

	if (!parse_opts(req, names, nitems(names), "ab", &o, usage))
		return;
	if (o.nargs != 2 || strlen(o.args[0]) >= sizeof kind) {
		ctl_usage_end(req, usage);
		return;
	}
	for (i = 0; o.args[0][i] != '\0'; i++)
		kind[i] = (char)toupper((unsigned char)o.args[0][i]);
	kind[i] = '\0';
	if (!ctl_permit(req, AUTH_OPERATE, strcmp(kind, "MONITOR") == 0 ||
	    strcmp(kind, "SCHEDULE") == 0 ? NULL : kind, o.args[1]))
		return;
	strbuf_init(&text);
	strbuf_addf(&text, "%s %s %s", resume ? "RESUME" : "SUSPEND", kind,
	    o.args[1]);
	if (o.v[0] != NULL)
		strbuf_addf(&text, " FOR %s", o.v[0]);
	if (o.v[1] != NULL)
		strbuf_addf(&text, " %s", o.v[1]);
	why = suspend_command(req->d, text.data, req->user, (long)req->uid,
	    &err);
	strbuf_free(&text);
	if (why != NULL) {
		ctl_err(req, "%s", why);
		free(err);
		ctl_audit(req, "failed");
		ctl_end(req, EXIT_FAILED);
		return;
	}
	ctl_out(req, "%s %s %s%s%s", kind, o.args[1],
	    resume ? "resumed" : "suspended",
	    o.v[0] != NULL ? " for " : "", o.v[0] != NULL ? o.v[0] : "");
	ctl_end(req, EXIT_OK);
}

static void
ctl_suspend(struct ctl_req *req)
{
	suspend_resume(req, false);
}

static void
ctl_resume(struct ctl_req *req)
{
	suspend_resume(req, true);
}

/* --- view, log -------------------------------------------------------------- */

static bool
view_matches(const struct viewer *v, const char *source, const char *user,
    const char *text)
{
	if (v->source != NULL && (source == NULL ||
	    strcasecmp(v->source, source) != 0))
		return false;
	if (v->user != NULL && (user == NULL || strcasecmp(v->user, user) != 0))
		return false;
	return v->grep == NULL || strstr(text, v->grep) != NULL;
}

static void
viewer_free(struct ctl_req *req)
{
	struct vigild	*d = req->d;
	struct viewer	**pp, *v;

	for (pp = &d->viewers; (v = *pp) != NULL; pp = &v->next)
		if (v->req == req) {
			*pp = v->next;
			free(v->source);
			free(v->user);
			free(v->grep);
			free(v);
			break;
		}
	req->cancel = NULL;
}

void
ctl_view_message(struct vigild *d, const struct message *msg)
{
	struct viewer	*v;
	char		 t[32];

	for (v = d->viewers; v != NULL; v = v->next) {
		if (v->log || !view_matches(v, msg->source, msg->user,
		    msg->text))
			continue;
		/* As the console log writes it: UTC, milliseconds. */
		fmt_utc(ev_now(d->loop), t, sizeof t);
		ctl_out(v->req, "%s.%03dZ %s %s", t,
		    (int)((ev_now(d->loop) - (double)(long)ev_now(d->loop)) *
		    1000), *msg->user != '\0' ? msg->user : "-", msg->text);
	}
}

void
ctl_log_line(struct vigild *d, double when, const char *line)
{
	struct viewer	*v;

	(void)when;
	for (v = d->viewers; v != NULL; v = v->next)
		if (v->log && (v->grep == NULL || strstr(line, v->grep) != NULL))
			ctl_out(v->req, "%s", line);
}

/* The lines of a console log file (and its rotations), filtered. */
struct view_lines {
	char	**v;
	size_t	  n;
};

static void
read_log(const char *path, const char *user, const char *grep,
    const char *since, struct view_lines *out)
{
	FILE	*f;
	char	*line = NULL, *sp;
	size_t	 cap = 0, ulen = user != NULL ? strlen(user) : 0;
	ssize_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (since != NULL && strncmp(line, since, strlen(since)) < 0)
			continue;
		if (user != NULL && ((sp = strchr(line, ' ')) == NULL ||
		    strncasecmp(sp + 1, user, ulen) != 0 || sp[1 + ulen] != ' '))
			continue;
		if (grep != NULL && strstr(line, grep) == NULL)
			continue;
		out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
		out->v[out->n++] = xstrdup(line);
	}
	free(line);
	fclose(f);
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
ctl_view(struct ctl_req *req)
{
	static const char *const names[] = { "follow", "since", "grep" };
	const char		*usage = "view SOURCE|USER [--follow] [--since"
				    " TIME] [--grep TEXT]";
	struct vigild		*d = req->d;
	struct opts		 o;
	struct view_lines	 lines = { NULL, 0 };
	struct viewer		*v;
	struct dirent		*de;
	DIR			*dir;
	char			*path, *cdir, since[32], *p;
	double			 t = 0;
	bool			 is_source;
	size_t			 i, from;
	int			 k;

	if (!parse_opts(req, names, nitems(names), "bc", &o, usage))
		return;
	if (o.nargs != 1 || d->conslog == NULL) {
		ctl_usage_end(req, usage);
		return;
	}
	if (!since_arg(req, o.v[1], &t))
		return;
	path = conslog_path(d->conslog, o.args[0]);
	is_source = sources_find(d, o.args[0]) != NULL ||
	    access(path, R_OK) == 0;
	if (!ctl_permit(req, AUTH_VIEW, is_source ? "SOURCE" : "CONSOLE",
	    o.args[0])) {
		free(path);
		return;
	}
	if (t > 0)
		fmt_utc(t, since, sizeof since);
	if (is_source) {
		/* Oldest first: NAME.log.8 ... NAME.log.1, NAME.log. */
		for (k = CONSLOG_KEEP; k >= 0; k--) {
			char	*rp;

			if (k == 0)
				rp = xstrdup(path);
			else
				xasprintf(&rp, "%s.%d", path, k);
			read_log(rp, NULL, o.v[2], t > 0 ? since : NULL,
			    &lines);
			free(rp);
		}
	} else {
		/* A user's messages: every console's, merged by time. */
		cdir = xstrdup(path);
		if ((p = strrchr(cdir, '/')) != NULL)
			*p = '\0';
		if ((dir = opendir(cdir)) != NULL) {
			while ((de = readdir(dir)) != NULL) {
				char	*fp;

				if (de->d_name[0] == '.')
					continue;
				xasprintf(&fp, "%s/%s", cdir, de->d_name);
				read_log(fp, o.args[0], o.v[2], t > 0 ? since :
				    NULL, &lines);
				free(fp);
			}
			closedir(dir);
		}
		free(cdir);
		if (lines.n > 1)
			qsort(lines.v, lines.n, sizeof *lines.v, line_cmp);
	}
	free(path);
	from = t == 0 && lines.n > VIEW_TAIL ? lines.n - VIEW_TAIL : 0;
	for (i = 0; i < lines.n; i++) {
		if (i >= from)
			ctl_out(req, "%s", lines.v[i]);
		free(lines.v[i]);
	}
	free(lines.v);
	if (!o.set[0]) {
		ctl_end(req, EXIT_OK);
		return;
	}
	v = xcalloc(1, sizeof *v);
	v->req = req;
	if (is_source)
		v->source = xstrdup(o.args[0]);
	else
		v->user = xstrdup(o.args[0]);
	v->grep = o.v[2] != NULL ? xstrdup(o.v[2]) : NULL;
	v->next = d->viewers;
	d->viewers = v;
	req->cancel = viewer_free;
}

struct log_out {
	struct ctl_req	*req;
	const char	*grep;
};

static void
log_one(double when, const char *line, void *arg)
{
	struct log_out	*o = arg;
	char		 t[32];

	if (o->grep != NULL && strstr(line, o->grep) == NULL)
		return;
	ctl_fmt_time(when, t, sizeof t);
	ctl_out(o->req, "%s %s", t, line);
}

static void
ctl_log(struct ctl_req *req)
{
	static const char *const names[] = { "follow", "grep" };
	struct opts	 o;
	struct log_out	 lo;
	struct viewer	*v;

	if (!parse_opts(req, names, nitems(names), "b", &o,
	    "log [--follow] [--grep TEXT]"))
		return;
	lo.req = req;
	lo.grep = o.v[1];
	vigild_log_each(log_one, &lo);
	if (!o.set[0]) {
		ctl_end(req, EXIT_OK);
		return;
	}
	v = xcalloc(1, sizeof *v);
	v->req = req;
	v->log = true;
	v->grep = o.v[1] != NULL ? xstrdup(o.v[1]) : NULL;
	v->next = req->d->viewers;
	req->d->viewers = v;
	req->cancel = viewer_free;
}

/* --- why, inject -------------------------------------------------------------- */

static struct message *
message_of(struct ctl_req *req, const char *text, const char *source,
    const char *user)
{
	return message_create(text, strlen(text), user != NULL ? user : "",
	    req->d->sysname, source, (time_t)vigild_now(req->d));
}

static void
ctl_why(struct ctl_req *req)
{
	static const char *const names[] = { "source", "user" };
	const char	*usage = "why [--source S] [--user U] 'message text'";
	struct opts	 o;
	struct message	*msg;
	struct strbuf	 sb;
	char		*line, *save = NULL;

	if (!parse_opts(req, names, nitems(names), "ab", &o, usage))
		return;
	if (o.nargs != 1) {
		ctl_usage_end(req, usage);
		return;
	}
	msg = message_of(req, o.args[0], o.v[0], o.v[1]);
	strbuf_init(&sb);
	test_explain(req->d->cur->rs, req->d->cur->m, msg, req->json, &sb);
	message_free(msg);
	for (line = sb.data != NULL ? strtok_r(sb.data, "\n", &save) : NULL;
	    line != NULL; line = strtok_r(NULL, "\n", &save))
		ctl_out(req, "%s", line);
	strbuf_free(&sb);
	ctl_end(req, EXIT_OK);
}

static void
ctl_inject(struct ctl_req *req)
{
	static const char *const names[] = { "source", "user" };
	const char	*usage = "inject [--source S] [--user U] 'message text'";
	struct opts	 o;
	struct message	*msg;
	const char	*source;
	uint64_t	 before = req->d->fired;

	if (!parse_opts(req, names, nitems(names), "ab", &o, usage))
		return;
	if (o.nargs != 1) {
		ctl_usage_end(req, usage);
		return;
	}
	source = o.v[0] != NULL ? o.v[0] : "INJECT";
	if (!ctl_permit(req, AUTH_OPERATE, "SOURCE", source))
		return;
	msg = message_of(req, o.args[0], source, o.v[1]);
	if (req->d->conslog != NULL)
		conslog_write(req->d->conslog, source, ev_now(req->d->loop),
		    msg->user, msg->text, msg->len);
	dispatch_message(req->d, msg, NULL);
	vmevent_message(req->d, msg);
	message_free(msg);
	ctl_out(req, "injected from source %s: %llu rule firings", source,
	    (unsigned long long)(req->d->fired - before));
	ctl_audit(req, "ok");
	ctl_end(req, EXIT_OK);
}

/* --- reload, check, shutdown ----------------------------------------------------- */

static void
out_lines(struct ctl_req *req, struct strbuf *sb, bool err)
{
	char	*line, *save = NULL;

	if (sb->data == NULL)
		return;
	for (line = strtok_r(sb->data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (err)
			ctl_err(req, "%s", line);
		else
			ctl_out(req, "%s", line);
}

static void
ctl_reload(struct ctl_req *req)
{
	struct strbuf	 msgs;
	bool		 ok;

	strbuf_init(&msgs);
	ok = vigild_reload(req->d, &msgs);
	out_lines(req, &msgs, true);
	strbuf_free(&msgs);
	if (ok)
		ctl_out(req, "reloaded %s: %zu rules, %zu actions, checksum %s",
		    req->d->config, ruleset_count(req->d->cur->rs, DEF_RULE),
		    ruleset_count(req->d->cur->rs, DEF_ACTION),
		    req->d->checksum);
	else
		ctl_err(req, "reload refused: the rules in force stay");
	ctl_audit(req, ok ? "ok" : "failed");
	ctl_end(req, ok ? EXIT_OK : EXIT_FAILED);
}

static void
ctl_check(struct ctl_req *req)
{
	struct diag	 diag;
	struct ruleset	*rs;
	struct strbuf	 sb;
	char		*line;
	size_t		 i;

	diag_init(&diag);
	rs = ruleset_load(req->d->config, &diag);
	for (i = 0; i < diag.n; i++) {
		line = diag_format(&diag.items[i]);
		ctl_err(req, "%s", line);
		free(line);
	}
	diag_free(&diag);
	if (rs == NULL) {
		ctl_err(req, "%s: errors: a reload would be refused",
		    req->d->config);
		ctl_end(req, EXIT_FAILED);
		return;
	}
	strbuf_init(&sb);
	ruleset_summary(rs, &sb);
	ctl_out(req, "%s: OK: %s", req->d->config, sb.data != NULL ? sb.data :
	    "");
	strbuf_free(&sb);
	ruleset_free(rs);
	ctl_end(req, EXIT_OK);
}

static void
ctl_shutdown(struct ctl_req *req)
{
	struct vigild	*d = req->d;
	char		*why;

	xasprintf(&why, "vigil shutdown by %s (uid %ld)", req->user,
	    (long)req->uid);
	ctl_audit(req, "ok");
	ctl_out(req, "vigild is stopping (running actions get their grace)");
	ctl_end(req, EXIT_OK);
	vigild_stop(d, why);
	free(why);
}

/* --- the table ----------------------------------------------------------------- */

static const struct ctl_cmd cmds[] = {
	{ "status", AUTH_VIEW, "status [--json]", ctl_status },
	{ "query", AUTH_VIEW, "query rules|actions|schedules|monitors|sources|"
	    "groups|dates [--json]", ctl_query },
	{ "show", AUTH_VIEW, "show rule NAME [--json]", ctl_show },
	{ "history", AUTH_VIEW, "history [--rule R] [--action A] [--since T]"
	    " [--limit N] [--audit] [--json]", ctl_history },
	{ "why", AUTH_VIEW, "why [--source S] [--user U] 'message text'",
	    ctl_why },
	{ "view", AUTH_NONE, "view SOURCE|USER [--follow] [--since TIME]"
	    " [--grep TEXT]", ctl_view },
	{ "log", AUTH_VIEW, "log [--follow] [--grep TEXT]", ctl_log },
	{ "jobs", AUTH_VIEW, "jobs [--json]", ctl_jobs },
	{ "run", AUTH_NONE, "run ACTION [--parm TEXT] [--var K=V]..."
	    " [--detach]", ctl_run },
	{ "cancel", AUTH_NONE, "cancel JOB", ctl_cancel },
	{ "suspend", AUTH_NONE, "suspend rule|action|source|schedule|monitor"
	    " NAME [--for DURATION] [--reason TEXT]", ctl_suspend },
	{ "resume", AUTH_NONE, "resume rule|action|source|schedule|monitor"
	    " NAME", ctl_resume },
	{ "inject", AUTH_NONE, "inject [--source S] [--user U] 'message text'",
	    ctl_inject },
	{ "reload", AUTH_CONFIG, "reload", ctl_reload },
	{ "check", AUTH_CONFIG, "check", ctl_check },
	{ "workflows", AUTH_VIEW, "workflows [--all] [--plugin P]",
	  ctl_workflows },
	{ "workflow", AUTH_NONE, "workflow show|cancel|pause|resume ID",
	  ctl_workflow },
	{ "confirm", AUTH_NONE, "confirm ID yes|no", ctl_confirm },
	{ "shutdown", AUTH_ADMIN, "shutdown", ctl_shutdown },
};

/*
 * Run req: its command word may be a unique prefix.  Commands that check
 * a per-object grant themselves have AUTH_NONE here.
 */
void
ctl_command(struct ctl_req *req)
{
	const struct ctl_cmd	*c = NULL;
	size_t			 i, len;
	int			 found = 0;

	if (req->argc < 1) {
		ctl_err(req, "no command");
		ctl_end(req, EXIT_USAGE);
		return;
	}
	len = strlen(req->argv[0]);
	for (i = 0; i < nitems(cmds); i++) {
		if (strcmp(cmds[i].name, req->argv[0]) == 0) {
			c = &cmds[i];
			found = 1;
			break;
		}
		if (len > 0 && strncmp(cmds[i].name, req->argv[0], len) == 0) {
			c = &cmds[i];
			found++;
		}
	}
	if (found != 1) {
		ctl_err(req, "%s command '%s'; the commands are:", found == 0 ?
		    "unknown" : "ambiguous", req->argv[0]);
		for (i = 0; i < nitems(cmds); i++)
			ctl_err(req, "  vigil %s", cmds[i].usage);
		ctl_end(req, EXIT_USAGE);
		return;
	}
	req->cmd = c->name;
	if (c->level != AUTH_NONE && !ctl_permit(req, c->level, NULL, NULL))
		return;
	c->run(req);
}
