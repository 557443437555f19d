/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd-test.c - "vigil test -c RULES [MESSAGE...]": reads messages from the
 * arguments or, without any, from standard input (one line each, in the
 * --format of a console), and prints for each one its parsed fields, every
 * rule that fired with the exact argv of its actions, and why the other
 * candidate rules did not fire.  Nothing is run.  --json prints one object
 * per message: "message", "matched" (rule names in firing order), "fired"
 * (each rule with its actions' plans) and "not_fired" (rule and reason).
 *
 * "vigil test -c RULES --schedules [N]" lists instead the next N runs
 * (default 5) of every schedule after --time (default now), holidays,
 * time zones and daylight saving applied, as the daemon would run them
 * if it started at that time.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actions/actions.h"
#include "cli/cli.h"
#include "rules/rules.h"

struct test_run {
	const struct ruleset	*rs;
	struct matcher		*m;
	bool			 json;
	size_t			 nmsg;
	size_t			 nfired;
	struct strbuf		 text;		/* this message, as text */
	struct strbuf		 fired;		/* this message, JSON */
	struct strbuf		 names;		/* matched names, JSON */
	const struct message	*msg;
};

static const char usage_text[] =
    "usage: vigil test -c RULES [--format FORMAT] [--source NAME]"
    " [--user USER]\n"
    "                  [--system SYSTEM] [--time 'YYYY-MM-DD HH:MM']"
    " [--json] [MESSAGE...]\n"
    "       vigil test -c RULES --schedules [N] [--time 'YYYY-MM-DD HH:MM']"
    " [--json]\n";

/* The next n runs of every schedule after now. */
static int
list_schedules(const struct ruleset *rs, time_t now, long n, bool json)
{
	const struct schedule	*s;
	struct strbuf		 sb;
	size_t			 i, count = ruleset_count(rs, DEF_SCHEDULE);
	time_t			 t, next;
	long			 k;

	strbuf_init(&sb);
	if (json)
		strbuf_adds(&sb, "{\"schedules\": {");
	for (i = 0; i < count; i++) {
		s = (const struct schedule *)ruleset_get(rs, DEF_SCHEDULE, i);
		if (json) {
			strbuf_adds(&sb, i > 0 ? ", " : "");
			json_str(&sb, s->def.name);
			strbuf_adds(&sb, ": [");
		} else {
			strbuf_addf(&sb, "%s (", s->def.name);
			when_describe(&s->when, &sb);
			strbuf_addf(&sb, "%s%s), action %s:\n",
			    s->tz != NULL ? ", TZ " : "",
			    s->tz != NULL ? s->tz : "", s->action);
		}
		for (t = now, k = 0; k < n; k++, t = next) {
			if (!sched_next(s, rs, now, t, &next)) {
				if (!json)
					strbuf_adds(&sb, "  no further run\n");
				break;
			}
			if (json) {
				strbuf_adds(&sb, k > 0 ? ", " : "");
				strbuf_addf(&sb, "%lld", (long long)next);
			} else {
				strbuf_adds(&sb, "  ");
				show_time(&sb, next);
				strbuf_addc(&sb, '\n');
			}
		}
		if (json)
			strbuf_addc(&sb, ']');
	}
	strbuf_adds(&sb, json ? "}}\n" : "");
	if (!json && count == 0)
		strbuf_adds(&sb, "no schedules\n");
	fputs(sb.data != NULL ? sb.data : "", stdout);
	strbuf_free(&sb);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
}

static void
on_hit(const struct match_hit *hit, void *arg)
{
	struct test_run		*t = arg;
	const struct rule	*r = hit->rule;
	struct subst_ctx	 ctx;
	struct plan		*plan;

	memset(&ctx, 0, sizeof ctx);
	ctx.msg = t->msg;
	ctx.hit = hit;
	ctx.kind = "RULE";
	ctx.name = r->def.name;
	ctx.parm = r->parm;
	ctx.now = t->msg->time;
	plan = plan_action(t->rs, r->action, r->env.env, &ctx);

	if (t->nfired++ > 0) {
		strbuf_adds(&t->fired, ", ");
		strbuf_adds(&t->names, ", ");
	}
	json_str(&t->names, r->def.name);
	strbuf_adds(&t->fired, "{\"rule\": ");
	json_str(&t->fired, r->def.name);
	strbuf_addf(&t->fired, ", \"file\": \"%s:%u\", \"actions\": ",
	    r->def.loc.file, r->def.loc.line);
	show_plan_json(&t->fired, plan);
	strbuf_addf(&t->fired, ", \"undefined_variables\": %llu}",
	    (unsigned long long)ctx.undefined);

	strbuf_addf(&t->text, "  fired %s (%s:%u)\n", r->def.name,
	    r->def.loc.file, r->def.loc.line);
	show_plan_text(&t->text, plan, "    ");
	if (ctx.undefined > 0)
		strbuf_addf(&t->text, "    (%llu variable%s had no value)\n",
		    (unsigned long long)ctx.undefined,
		    ctx.undefined == 1 ? "" : "s");
	plan_free(plan);
}

static void
explain(struct test_run *t, const struct message *msg, struct strbuf *out_)
{
	struct match_near	*near;
	size_t			 nnear, i;
	struct strbuf		 out;

	t->msg = msg;
	t->nmsg++;
	t->nfired = 0;
	strbuf_reset(&t->text);
	strbuf_reset(&t->fired);
	strbuf_reset(&t->names);
	matcher_explain(t->m, msg, on_hit, t, &near, &nnear);

	strbuf_init(&out);
	if (t->json) {
		strbuf_adds(&out, "{\"message\": ");
		show_message_json(&out, msg);
		strbuf_addf(&out, ", \"matched\": [%s], \"fired\": [%s],"
		    " \"not_fired\": [", t->names.data != NULL ?
		    t->names.data : "", t->fired.data != NULL ?
		    t->fired.data : "");
		for (i = 0; i < nnear; i++) {
			strbuf_adds(&out, i > 0 ? ", {\"rule\": " :
			    "{\"rule\": ");
			json_str(&out, near[i].rule->def.name);
			strbuf_adds(&out, ", \"reason\": ");
			json_str(&out, miss_reason_text(near[i].why));
			strbuf_addc(&out, '}');
		}
		strbuf_adds(&out, "]}\n");
	} else {
		strbuf_addf(&out, "message %zu: ", t->nmsg);
		show_escaped(&out, msg->text, msg->len);
		strbuf_addf(&out, "\n  format %s, msgid %s, user %s, system"
		    " %s, source %s, class %d, time ", format_name(msg->format),
		    msg->msgid[0] != '\0' ? msg->msgid : "-",
		    msg->user != NULL && msg->user[0] != '\0' ? msg->user :
		    "-",
		    msg->system != NULL ? msg->system : "-",
		    msg->source != NULL ? msg->source : "-", msg->cls);
		show_time(&out, msg->time);
		strbuf_adds(&out, msg->has_time ? " (from the message)\n" :
		    " (arrival)\n");
		if (msg->nlines > 0)
			strbuf_addf(&out, "  %zu lines joined\n", msg->nlines);
		if (t->text.data != NULL)
			strbuf_adds(&out, t->text.data);
		if (t->nfired == 0)
			strbuf_adds(&out, "  no rule fired\n");
		for (i = 0; i < nnear; i++)
			strbuf_addf(&out, "  not fired %s: %s\n",
			    near[i].rule->def.name,
			    miss_reason_text(near[i].why));
	}
	strbuf_adds(out_, out.data);
	strbuf_free(&out);
}

static void
on_message(const struct message *msg, void *arg)
{
	struct test_run	*t = arg;
	struct strbuf	 out;

	strbuf_init(&out);
	explain(t, msg, &out);
	fputs(out.data, stdout);
	strbuf_free(&out);
}

/*
 * What vigil test says of one message, into out: for "vigil why", which
 * asks the daemon about its ruleset in force.
 */
void
test_explain(const struct ruleset *rs, struct matcher *m,
    const struct message *msg, bool json, struct strbuf *out)
{
	struct test_run	 t;

	memset(&t, 0, sizeof t);
	t.rs = rs;
	t.m = m;
	t.json = json;
	strbuf_init(&t.text);
	strbuf_init(&t.fired);
	strbuf_init(&t.names);
	explain(&t, msg, out);
	strbuf_free(&t.text);
	strbuf_free(&t.fired);
	strbuf_free(&t.names);
}

int
cmd_test(int argc, char **argv)
{
	static const struct option longopts[] = {
		OFFLINE_LONGOPTS,
		{ "json", no_argument, NULL, 'j' },
		{ "schedules", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct offline		 o;
	struct test_run		 t;
	int			 ch, i, status;
	bool			 schedules = false;
	long			 nruns = 5;
	char			*end;
	char			*line = NULL;
	size_t			 cap = 0;
	ssize_t			 n;

	memset(&t, 0, sizeof t);
	offline_init(&o, "vigil test");
	optind = 1;
	while ((ch = getopt_long(argc, argv, OFFLINE_OPTS "jSh", longopts,
	    NULL)) != -1) {
		switch (offline_option(&o, ch, optarg)) {
		case 0:
			continue;
		case -1:
			return EXIT_USAGE;
		}
		switch (ch) {
		case 'j':
			t.json = true;
			break;
		case 'S':
			schedules = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (o.config == NULL) {
		fprintf(stderr, "vigil test: -c RULES is required\n%s",
		    usage_text);
		return EXIT_USAGE;
	}
	if (schedules) {
		if (optind < argc) {
			nruns = strtol(argv[optind], &end, 10);
			if (*end != '\0' || nruns < 1 || nruns > 100000 ||
			    optind + 1 < argc) {
				fprintf(stderr, "vigil test: --schedules takes"
				    " one count, 1 to 100000, got '%s'\n",
				    argv[optind]);
				return EXIT_USAGE;
			}
		}
		if (offline_start(&o) != 0)
			return EXIT_FAILED;
		status = list_schedules(o.rs, o.now, nruns, t.json);
		offline_finish(&o);
		return status;
	}
	if (offline_start(&o) != 0)
		return EXIT_FAILED;
	t.rs = o.rs;
	t.m = matcher_create(o.rs);
	strbuf_init(&t.text);
	strbuf_init(&t.fired);
	strbuf_init(&t.names);
	if (optind < argc) {
		for (i = optind; i < argc; i++)
			msgreader_line(o.reader, argv[i], strlen(argv[i]),
			    o.now, on_message, &t);
	} else {
		while ((n = getline(&line, &cap, stdin)) > 0) {
			if (line[n - 1] == '\n')
				n--;
			msgreader_line(o.reader, line, (size_t)n, o.now,
			    on_message, &t);
		}
		free(line);
	}
	msgreader_flush(o.reader, o.now, on_message, &t);
	if (!t.json)
		printf("%zu message%s\n", t.nmsg, t.nmsg == 1 ? "" : "s");
	strbuf_free(&t.text);
	strbuf_free(&t.fired);
	strbuf_free(&t.names);
	matcher_free(t.m);
	offline_finish(&o);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
}
