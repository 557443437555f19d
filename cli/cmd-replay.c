/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd-replay.c - "vigil replay -c RULES LOG...": runs recorded logs
 * through the rules without running anything, and reports what would
 * have fired: per rule and per action, the count and the first and last
 * example.  Time filters (DAYS, HOURS, holidays) use each message's own
 * time.  Actions are planned (substituted) as they would be, so the cost
 * measured is that of parsing, matching and substitution.  --json prints
 * one object whose "rules" member maps every rule to its fire count.
 *
 * The daemon's clocks run in the log's own time (timeline.c): schedules
 * and idle monitors fall due as the messages' time stamps pass them, and
 * LIMIT and correlation windows count in that time, so the report says
 * what last week's console would have triggered, in order.  --timeline prints every
 * firing with its time as it happens.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actions/actions.h"
#include "cli/cli.h"
#include "rules/rules.h"

struct example {
	char		*text;
	time_t		 time;
	char		*where;		/* file:line */
};

struct rule_tally {
	uint64_t	 count;
	uint64_t	 limited;	/* firings a LIMIT suppressed */
	uint64_t	 held;		/* matches a correlation window held */
	struct example	 first;
	struct example	 last;
};

struct action_tally {
	const char	*name;
	uint64_t	 count;
};

/* Runs of a schedule, alarms of an idle monitor. */
struct timed_tally {
	const char	*kind;
	const char	*name;
	uint64_t	 count;
	time_t		 first, last;
};

struct replay {
	const struct ruleset	*rs;
	struct matcher		*m;
	struct timeline		*tl;
	struct limits		*limits;
	struct corr		*corr;
	uint64_t		 held;		/* by correlation windows */
	bool			 print_timeline;
	struct timed_tally	*timed;
	size_t			 ntimed;
	uint64_t		 limited;
	struct rule_tally	*rules;
	struct action_tally	*actions;
	size_t			 nactions;
	uint64_t		 messages;
	uint64_t		 skipped;	/* outside --from/--to */
	uint64_t		 fired;
	uint64_t		 matched;	/* messages firing a rule */
	uint64_t		 undefined;
	bool			 from_set, to_set;
	time_t			 now;		/* --time: the log's date */
	time_t			 from, to;
	const char		*file;
	uint64_t		 lineno;
	uint64_t		 file_first;	/* reader's line count before it */
	const struct message	*msg;
};

static const char usage_text[] =
    "usage: vigil replay -c RULES [--format FORMAT] [--source NAME]"
    " [--user USER]\n"
    "                    [--system SYSTEM] [--from TIME] [--to TIME]"
    " [--time TIME]\n                    [--json] [--timeline] LOG...\n"
    "  --time dates log lines that carry only a time of day (default: now)\n"
    "  --timeline prints every firing (rules, schedules, idle monitors)"
    " in time order\n";

static int
tally_cmp(const void *a, const void *b)
{
	return strcmp(((const struct action_tally *)a)->name,
	    ((const struct action_tally *)b)->name);
}

static void
count_action(struct replay *r, const char *name)
{
	struct action_tally	 key, *t;

	key.name = name;
	t = bsearch(&key, r->actions, r->nactions, sizeof *r->actions,
	    tally_cmp);
	if (t != NULL)
		t->count++;
}

static void
set_example(struct example *e, const struct replay *r)
{
	free(e->text);
	free(e->where);
	e->text = xstrndup(r->msg->text, r->msg->len);
	e->time = r->msg->time;
	/* The message's first line, in this file (a z/OS message spans several). */
	xasprintf(&e->where, "%s:%llu", r->file,
	    (unsigned long long)(r->msg->line > r->file_first ?
	    r->msg->line - r->file_first : r->lineno));
}

static void
timeline_line(struct replay *r, time_t when, const char *kind,
    const char *name, const char *action, const struct plan *plan,
    const char *note)
{
	struct strbuf	 sb;

	if (!r->print_timeline)
		return;
	strbuf_init(&sb);
	show_time(&sb, when);
	strbuf_addf(&sb, " %-8s %-16s -> %s", kind, name, action);
	if (note != NULL)
		strbuf_addf(&sb, " (%s)", note);
	strbuf_addc(&sb, '\n');
	if (plan != NULL)
		show_plan_text(&sb, plan, "      ");
	fputs(sb.data, stdout);
	strbuf_free(&sb);
}

static struct timed_tally *
timed_tally(struct replay *r, const char *kind, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->ntimed; i++)
		if (r->timed[i].kind == kind &&
		    strcmp(r->timed[i].name, name) == 0)
			return &r->timed[i];
	r->timed = xreallocarray(r->timed, r->ntimed + 1, sizeof *r->timed);
	memset(&r->timed[r->ntimed], 0, sizeof *r->timed);
	r->timed[r->ntimed].kind = kind;
	r->timed[r->ntimed].name = name;
	return &r->timed[r->ntimed++];
}

/* A schedule ran, an idle monitor fired: planned as the daemon would. */
static void
on_timed(enum timeline_event ev, const char *name, const char *action,
    time_t when, size_t seen, void *arg)
{
	struct replay		*r = arg;
	const char		*kind = ev == TL_EVENT_SCHEDULE ? "SCHEDULE" :
				    "IDLE";
	struct timed_tally	*t = timed_tally(r, kind, name);
	struct subst_ctx	 ctx;
	struct plan		*plan, *p;
	char			 note[64];

	if (t->count++ == 0)
		t->first = when;
	t->last = when;
	memset(&ctx, 0, sizeof ctx);
	ctx.kind = kind;
	ctx.name = name;
	ctx.now = when;
	plan = plan_action(r->rs, action, NULL, &ctx);
	for (p = plan; p != NULL; p = p->next)
		count_action(r, p->action);
	snprintf(note, sizeof note, "%zu firings seen", seen);
	timeline_line(r, when, kind, name, action, plan,
	    ev == TL_EVENT_IDLE ? note : NULL);
	plan_free(plan);
}

/* FOUND, MISSED, CLEARED: counted and planned as the daemon runs them. */
static void
on_corr(const struct corr_event *ev, void *arg)
{
	static const char *const kinds[] = { "FOUND", "MISSED", "CLEARED" };
	struct replay		*r = arg;
	struct timed_tally	*t = timed_tally(r, kinds[ev->kind], ev->rule);
	struct subst_ctx	 ctx;
	struct plan		*plan = NULL, *p;
	char			 note[300];

	if (t->count++ == 0)
		t->first = (time_t)ev->when;
	t->last = (time_t)ev->when;
	if (ev->action != NULL) {
		memset(&ctx, 0, sizeof ctx);
		ctx.msg = ev->msg;
		ctx.kind = kinds[ev->kind];
		ctx.name = ev->rule;
		ctx.now = (time_t)ev->when;
		plan = plan_action(r->rs, ev->action, NULL, &ctx);
		for (p = plan; p != NULL; p = p->next)
			count_action(r, p->action);
	}
	snprintf(note, sizeof note, "key '%.256s'", ev->key);
	timeline_line(r, (time_t)ev->when, kinds[ev->kind], ev->rule,
	    ev->action != NULL ? ev->action : "-", plan, note);
	plan_free(plan);
}

/* Whether a correlated rule fires (SUPPRESS, THRESHOLD, EXPECT). */
static bool
corr_fires(struct replay *r, const struct rule *rule)
{
	struct strbuf	 key;
	enum corr_verdict v;

	if (rule->suppress == 0 && rule->threshold.count == 0 &&
	    rule->expect == NULL)
		return true;
	strbuf_init(&key);
	if (rule->key != NULL)
		corr_expand_key(rule->def.name, rule->key, r->msg, &key, NULL);
	v = corr_match(r->corr, rule, key.data != NULL ? key.data : "",
	    (double)r->msg->time, NULL, on_corr, r);
	strbuf_free(&key);
	return v == CORR_FIRE;
}

/*
 * Everything due up to t, schedules and monitors and correlation
 * deadlines interleaved in time order.
 */
static void
advance(struct replay *r, time_t t)
{
	time_t	 ts;
	double	 tc;
	bool	 have;

	for (;;) {
		have = r->tl != NULL && timeline_next(r->tl, &ts);
		tc = corr_next_deadline(r->corr);
		if ((!have || ts > t) && (isinf(tc) || tc > (double)t))
			break;
		if (have && ts <= t && (isinf(tc) || (double)ts <= tc))
			timeline_advance(r->tl, ts, on_timed, r);
		else
			corr_advance(r->corr, tc, on_corr, r);
	}
}

static void
on_hit(const struct match_hit *hit, void *arg)
{
	struct replay		*r = arg;
	struct rule_tally	*t = &r->rules[hit->ord];
	struct subst_ctx	 ctx;
	struct plan		*plan, *p;

	r->fired++;
	if (t->count++ == 0)
		set_example(&t->first, r);
	set_example(&t->last, r);
	timeline_note(r->tl, IMON_RULE, hit->rule->def.name, r->msg->time);
	if (!corr_fires(r, hit->rule)) {
		t->held++;
		r->held++;
		return;
	}
	switch (limits_check(r->limits, hit->rule->def.name,
	    &hit->rule->limit, (double)r->msg->time, NULL)) {
	case LIMIT_RUN:
		break;
	case LIMIT_FIRST:
		/* The limit action runs once a window, as in the daemon. */
		if (hit->rule->limit.action != NULL) {
			count_action(r, hit->rule->limit.action);
			timeline_line(r, r->msg->time, "LIMIT",
			    hit->rule->def.name, hit->rule->limit.action, NULL,
			    "the first trigger over the LIMIT");
		}
		/* FALLTHROUGH */
	case LIMIT_SUPPRESSED:
		t->limited++;
		r->limited++;
		return;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.msg = r->msg;
	ctx.hit = hit;
	ctx.kind = "RULE";
	ctx.name = hit->rule->def.name;
	ctx.parm = hit->rule->parm;
	ctx.now = r->msg->time;
	plan = plan_action(r->rs, hit->rule->action, hit->rule->env.env,
	    &ctx);
	for (p = plan; p != NULL; p = p->next)
		count_action(r, p->action);
	timeline_line(r, r->msg->time, "RULE", hit->rule->def.name,
	    hit->rule->action, plan, NULL);
	plan_free(plan);
	r->undefined += ctx.undefined;
}

static void
on_message(const struct message *msg, void *arg)
{
	struct replay	*r = arg;

	if ((r->from_set && msg->time < r->from) ||
	    (r->to_set && msg->time >= r->to)) {
		r->skipped++;
		return;
	}
	r->messages++;
	r->msg = msg;
	if (r->tl == NULL)
		r->tl = timeline_create(r->rs, msg->time);
	advance(r, msg->time);
	corr_message(r->corr, msg, (double)msg->time, corr_expand_key, NULL,
	    on_corr,
	    r);
	if (matcher_run(r->m, msg, on_hit, r) > 0)
		r->matched++;
}

static int
replay_file(struct replay *r, struct msgreader *rd, const char *path)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;
	time_t	 now = r->now;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "vigil replay: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	r->file = path;
	r->lineno = 0;
	r->file_first = msgreader_stats(rd)->lines;
	while ((n = getline(&line, &cap, f)) > 0) {
		r->lineno++;
		if (line[n - 1] == '\n')
			n--;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		msgreader_line(rd, line, (size_t)n, now, on_message, r);
	}
	msgreader_flush(rd, now, on_message, r);
	free(line);
	if (f != stdin)
		fclose(f);
	return 0;
}

static void
example_json(struct strbuf *sb, const struct example *e)
{
	strbuf_adds(sb, "{\"text\": ");
	json_str(sb, e->text);
	strbuf_adds(sb, ", \"time\": \"");
	show_time(sb, e->time);
	strbuf_adds(sb, "\", \"where\": ");
	json_str(sb, e->where);
	strbuf_addc(sb, '}');
}

static void
timed_json(struct strbuf *sb, const struct replay *r, const char *kind)
{
	size_t	 i;
	bool	 first = true;

	for (i = 0; i < r->ntimed; i++) {
		if (strcmp(r->timed[i].kind, kind) != 0)
			continue;
		strbuf_adds(sb, first ? "" : ", ");
		first = false;
		json_str(sb, r->timed[i].name);
		strbuf_addf(sb, ": %llu", (unsigned long long)r->timed[i].count);
	}
}

static void
timed_text(struct strbuf *sb, const struct replay *r, const char *kind,
    const char *title)
{
	size_t	 i;
	bool	 first = true;

	for (i = 0; i < r->ntimed; i++) {
		if (strcmp(r->timed[i].kind, kind) != 0)
			continue;
		if (first)
			strbuf_addf(sb, "\n%s:\n", title);
		first = false;
		strbuf_addf(sb, "  %-16s %8llu  first ", r->timed[i].name,
		    (unsigned long long)r->timed[i].count);
		show_time(sb, r->timed[i].first);
		strbuf_adds(sb, ", last ");
		show_time(sb, r->timed[i].last);
		strbuf_addc(sb, '\n');
	}
}

static void
report_json(struct replay *r, const struct msgreader_stats *st,
    double secs, struct strbuf *sb)
{
	const struct rule	*rule;
	size_t			 i, n = ruleset_count(r->rs, DEF_RULE);

	strbuf_addf(sb, "{\"messages\": %llu, \"matched_messages\": %llu,"
	    " \"fired\": %llu, \"skipped\": %llu, \"seconds\": %.6f,"
	    " \"messages_per_second\": %.0f, \"candidates\": %zu,"
	    " \"undefined_variables\": %llu, \"rules\": {",
	    (unsigned long long)r->messages, (unsigned long long)r->matched,
	    (unsigned long long)r->fired, (unsigned long long)r->skipped, secs,
	    secs > 0 ? (double)r->messages / secs : 0.0,
	    matcher_candidates(r->m), (unsigned long long)r->undefined);
	for (i = 0; i < n; i++) {
		rule = (const struct rule *)ruleset_get(r->rs, DEF_RULE, i);
		strbuf_adds(sb, i > 0 ? ", " : "");
		json_str(sb, rule->def.name);
		strbuf_addf(sb, ": %llu", (unsigned long long)r->rules[i].count);
	}
	strbuf_adds(sb, "}, \"actions\": {");
	for (i = 0; i < r->nactions; i++) {
		strbuf_adds(sb, i > 0 ? ", " : "");
		json_str(sb, r->actions[i].name);
		strbuf_addf(sb, ": %llu", (unsigned long long)
		    r->actions[i].count);
	}
	strbuf_addf(sb, "}, \"limited\": %llu, \"schedules\": {",
	    (unsigned long long)r->limited);
	timed_json(sb, r, "SCHEDULE");
	strbuf_adds(sb, "}, \"idle_monitors\": {");
	timed_json(sb, r, "IDLE");
	strbuf_addf(sb, "}, \"held\": %llu, \"found\": {",
	    (unsigned long long)r->held);
	timed_json(sb, r, "FOUND");
	strbuf_adds(sb, "}, \"missed\": {");
	timed_json(sb, r, "MISSED");
	strbuf_adds(sb, "}, \"cleared\": {");
	timed_json(sb, r, "CLEARED");
	strbuf_adds(sb, "}, \"examples\": {");
	for (i = 0; i < n; i++) {
		if (r->rules[i].count == 0)
			continue;
		rule = (const struct rule *)ruleset_get(r->rs, DEF_RULE, i);
		strbuf_adds(sb, sb->data[sb->len - 1] == '{' ? "" : ", ");
		json_str(sb, rule->def.name);
		strbuf_adds(sb, ": {\"first\": ");
		example_json(sb, &r->rules[i].first);
		strbuf_adds(sb, ", \"last\": ");
		example_json(sb, &r->rules[i].last);
		strbuf_addc(sb, '}');
	}
	strbuf_addf(sb, "}, \"reader\": {\"lines\": %llu, \"truncated\": %llu,"
	    " \"bad_utf8\": %llu, \"nul\": %llu, \"unended\": %llu,"
	    " \"malformed\": %llu, \"out_of_order\": %llu}}\n",
	    (unsigned long long)st->lines, (unsigned long long)st->truncated,
	    (unsigned long long)st->bad_utf8, (unsigned long long)st->nul,
	    (unsigned long long)st->unended, (unsigned long long)st->malformed,
	    (unsigned long long)st->out_of_order);
}

static void
example_text(struct strbuf *sb, const char *what, const struct example *e)
{
	strbuf_addf(sb, "    %s ", what);
	show_time(sb, e->time);
	strbuf_addf(sb, " %s ", e->where);
	show_escaped(sb, e->text, strlen(e->text));
	strbuf_addc(sb, '\n');
}

static void
report_text(struct replay *r, const struct msgreader_stats *st, double secs,
    struct strbuf *sb)
{
	const struct rule	*rule;
	size_t			 i, n = ruleset_count(r->rs, DEF_RULE);

	strbuf_addf(sb, "%llu messages (%llu lines) in %.3f s; %llu rule"
	    " firings\n", (unsigned long long)r->messages,
	    (unsigned long long)st->lines, secs,
	    (unsigned long long)r->fired);
	if (r->skipped > 0)
		strbuf_addf(sb, "%llu messages outside --from/--to skipped\n",
		    (unsigned long long)r->skipped);
	strbuf_adds(sb, "\nrules:\n");
	for (i = 0; i < n; i++) {
		rule = (const struct rule *)ruleset_get(r->rs, DEF_RULE, i);
		strbuf_addf(sb, "  %-16s %8llu", rule->def.name,
		    (unsigned long long)r->rules[i].count);
		if (r->rules[i].held > 0)
			strbuf_addf(sb, " (%llu held by its correlation window)",
			    (unsigned long long)r->rules[i].held);
		if (r->rules[i].limited > 0)
			strbuf_addf(sb, " (%llu suppressed by LIMIT)",
			    (unsigned long long)r->rules[i].limited);
		strbuf_addc(sb, '\n');
		if (r->rules[i].count == 0)
			continue;
		example_text(sb, "first", &r->rules[i].first);
		if (r->rules[i].count > 1)
			example_text(sb, "last ", &r->rules[i].last);
	}
	timed_text(sb, r, "SCHEDULE", "schedules (in the log's time)");
	timed_text(sb, r, "IDLE", "idle monitors (in the log's time)");
	timed_text(sb, r, "FOUND", "expected messages that came (EXPECT)");
	timed_text(sb, r, "MISSED", "expected messages that did not come"
	    " (EXPECT)");
	timed_text(sb, r, "CLEARED", "conditions that cleared (CLEAR)");
	strbuf_adds(sb, "\nactions (would run):\n");
	for (i = 0; i < r->nactions; i++)
		strbuf_addf(sb, "  %-16s %8llu\n", r->actions[i].name,
		    (unsigned long long)r->actions[i].count);
	if (st->truncated + st->bad_utf8 + st->nul + st->unended +
	    st->malformed + st->out_of_order > 0)
		strbuf_addf(sb, "\ninput: %llu truncated, %llu invalid UTF-8,"
		    " %llu with NUL, %llu multi-line unended, %llu malformed,"
		    " %llu out of time order\n",
		    (unsigned long long)st->truncated,
		    (unsigned long long)st->bad_utf8,
		    (unsigned long long)st->nul,
		    (unsigned long long)st->unended,
		    (unsigned long long)st->malformed,
		    (unsigned long long)st->out_of_order);
	if (r->undefined > 0)
		strbuf_addf(sb, "%llu substitution variables had no value\n",
		    (unsigned long long)r->undefined);
}

int
cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		OFFLINE_LONGOPTS,
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeline", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct offline		 o;
	struct replay		 r;
	struct timespec		 t0, t1;
	struct strbuf		 out;
	int			 ch, i, status = EXIT_OK;
	bool			 json = false;
	double			 secs;
	size_t			 k;

	memset(&r, 0, sizeof r);
	offline_init(&o, "vigil replay");
	optind = 1;
	while ((ch = getopt_long(argc, argv, OFFLINE_OPTS "F:T:jLh", longopts,
	    NULL)) != -1) {
		switch (offline_option(&o, ch, optarg)) {
		case 0:
			continue;
		case -1:
			return EXIT_USAGE;
		}
		switch (ch) {
		case 'F':
		case 'T':
			if (parse_time_arg(optarg, ch == 'F' ? &r.from :
			    &r.to) != 0) {
				fprintf(stderr, "vigil replay: --%s expects"
				    " 'YYYY-MM-DD[ HH:MM[:SS]]', got '%s'\n",
				    ch == 'F' ? "from" : "to", optarg);
				return EXIT_USAGE;
			}
			if (ch == 'F')
				r.from_set = true;
			else
				r.to_set = true;
			break;
		case 'j':
			json = true;
			break;
		case 'L':
			r.print_timeline = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (o.config == NULL || optind >= argc) {
		fprintf(stderr, "vigil replay: %s\n%s", o.config == NULL ?
		    "-c RULES is required" : "no log file given", usage_text);
		return EXIT_USAGE;
	}
	if (offline_start(&o) != 0)
		return EXIT_FAILED;
	r.rs = o.rs;
	r.now = o.now;
	r.limits = limits_create();
	r.corr = corr_create();
	r.m = matcher_create(o.rs);
	r.rules = xcalloc(ruleset_count(o.rs, DEF_RULE) + 1, sizeof *r.rules);
	r.nactions = ruleset_count(o.rs, DEF_ACTION);
	r.actions = xcalloc(r.nactions + 1, sizeof *r.actions);
	for (k = 0; k < r.nactions; k++)
		r.actions[k].name = ruleset_get(o.rs, DEF_ACTION, k)->name;
	if (r.nactions > 1)
		qsort(r.actions, r.nactions, sizeof *r.actions, tally_cmp);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = optind; i < argc; i++) {
		if (replay_file(&r, o.reader, argv[i]) != 0)
			status = EXIT_FAILED;
	}
	/* What falls due up to --to (or the last message) still counts. */
	if (r.tl != NULL && r.to_set)
		advance(&r, r.to - 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	strbuf_init(&out);
	if (json)
		report_json(&r, msgreader_stats(o.reader), secs, &out);
	else
		report_text(&r, msgreader_stats(o.reader), secs, &out);
	fputs(out.data, stdout);
	strbuf_free(&out);

	for (k = 0; k < ruleset_count(o.rs, DEF_RULE); k++) {
		free(r.rules[k].first.text);
		free(r.rules[k].first.where);
		free(r.rules[k].last.text);
		free(r.rules[k].last.where);
	}
	free(r.rules);
	free(r.actions);
	free(r.timed);
	timeline_free(r.tl);
	limits_free(r.limits);
	corr_free(r.corr);
	matcher_free(r.m);
	offline_finish(&o);
	if (fflush(stdout) != 0)
		status = EXIT_FAILED;
	return status;
}
