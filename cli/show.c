/* SPDX-License-Identifier: Apache-2.0 */
/*
 * show.c - how the offline commands print messages, times and action
 * plans, as text for people (control characters escaped) and as JSON for
 * scripts; and the parsing of their --time and --format arguments.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "actions/actions.h"
#include "cli/cli.h"
#include "rules/rules.h"

void
show_escaped(struct strbuf *sb, const char *s, size_t n)
{
	strbuf_addc(sb, '\'');
	strbuf_add_escaped(sb, s, n);
	strbuf_addc(sb, '\'');
}

void
show_time(struct strbuf *sb, time_t t)
{
	struct tm	 tm;
	char		 buf[64];

	localtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
	strbuf_adds(sb, buf);
}

/* "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" or "...THH:MM[:SS]", local. */
int
parse_time_arg(const char *s, time_t *out)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof tm);
	if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if (*end == ' ' || *end == 'T') {
		const char *e2 = strptime(end + 1, "%H:%M:%S", &tm);
		if (e2 == NULL)
			e2 = strptime(end + 1, "%H:%M", &tm);
		end = e2;
	}
	if (end == NULL || *end != '\0')
		return -1;
	tm.tm_isdst = -1;
	*out = mktime(&tm);
	return 0;
}

int
parse_format_arg(const char *s)
{
	int	 f;

	for (f = FMT_AUTO; f <= FMT_HERCULES; f++) {
		if (strcasecmp(format_name(f), s) == 0)
			return f;
	}
	return -1;
}

void
show_message_json(struct strbuf *sb, const struct message *msg)
{
	strbuf_adds(sb, "{\"text\": ");
	json_string(sb, msg->text, msg->len);
	strbuf_adds(sb, ", \"user\": ");
	json_str(sb, msg->user);
	strbuf_adds(sb, ", \"system\": ");
	json_str(sb, msg->system);
	strbuf_adds(sb, ", \"source\": ");
	json_str(sb, msg->source);
	strbuf_adds(sb, ", \"msgid\": ");
	json_str(sb, msg->msgid[0] != '\0' ? msg->msgid : NULL);
	strbuf_addf(sb, ", \"class\": %d, \"format\": ", msg->cls);
	json_str(sb, format_name(msg->format));
	strbuf_adds(sb, ", \"time\": \"");
	show_time(sb, msg->time);
	strbuf_addf(sb, "\", \"time_from_message\": %s",
	    msg->has_time ? "true" : "false");
	if (msg->nlines > 0) {
		strbuf_adds(sb, ", \"lines\": ");
		json_strings(sb, msg->lines, msg->nlines);
	}
	if (msg->sd != NULL) {
		strbuf_adds(sb, ", \"structured_data\": ");
		json_str(sb, msg->sd);
	}
	strbuf_addc(sb, '}');
}

void
show_plan_json(struct strbuf *sb, const struct plan *p)
{
	strbuf_addc(sb, '[');
	for (; p != NULL; p = p->next) {
		strbuf_adds(sb, "{\"action\": ");
		json_str(sb, p->action);
		strbuf_adds(sb, ", \"kind\": ");
		json_str(sb, plan_kind_name(p->kind));
		strbuf_adds(sb, ", \"env\": ");
		json_str(sb, p->env);
		if (p->argv != NULL) {
			strbuf_adds(sb, ", \"argv\": ");
			json_strings(sb, p->argv->v, p->argv->n);
		}
		if (p->text != NULL) {
			strbuf_adds(sb, ", \"text\": ");
			json_str(sb, p->text);
		}
		if (p->kind == PLAN_CONSOLE) {
			strbuf_adds(sb, ", \"console\": ");
			json_str(sb, p->console);
		}
		strbuf_addf(sb, ", \"delay\": %u}", p->delay);
		if (p->next != NULL)
			strbuf_adds(sb, ", ");
	}
	strbuf_addc(sb, ']');
}

void
show_plan_text(struct strbuf *sb, const struct plan *p, const char *indent)
{
	size_t	 i;

	for (; p != NULL; p = p->next) {
		strbuf_addf(sb, "%saction %s", indent, p->action);
		if (p->env != NULL)
			strbuf_addf(sb, " (ENV %s)", p->env);
		if (p->delay > 0)
			strbuf_addf(sb, " after %02u:%02u", p->delay / 60,
			    p->delay % 60);
		switch (p->kind) {
		case PLAN_NULL:
			strbuf_adds(sb, ": does nothing (NULL)");
			break;
		case PLAN_EXEC:
		case PLAN_SHELL:
			strbuf_adds(sb, ": argv [");
			for (i = 0; i < p->argv->n; i++) {
				if (i > 0)
					strbuf_adds(sb, ", ");
				show_escaped(sb, p->argv->v[i],
				    strlen(p->argv->v[i]));
			}
			strbuf_addc(sb, ']');
			break;
		case PLAN_CONSOLE:
			strbuf_addf(sb, ": writes to the console of %s: ",
			    p->console != NULL ? p->console :
			    "the message's source");
			show_escaped(sb, p->text, strlen(p->text));
			break;
		case PLAN_VIGIL:
			strbuf_adds(sb, ": operator command ");
			show_escaped(sb, p->text, strlen(p->text));
			break;
		case PLAN_EMIT:
			strbuf_adds(sb, ": emits the message ");
			show_escaped(sb, p->text, strlen(p->text));
			break;
		case PLAN_INPUT:
			strbuf_adds(sb, ": console input ");
			show_escaped(sb, p->text, strlen(p->text));
			break;
		}
		strbuf_addc(sb, '\n');
		if (p->next != NULL)
			strbuf_addf(sb, "%s  then (NEXTACTN)\n", indent);
	}
}
