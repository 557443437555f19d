/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-wf.c - the client's workflow commands: "workflows" lists instances
 * (what each waits for, since when, until when), "workflow show ID" its
 * journal of steps, "workflow cancel|pause|resume ID" and "confirm ID
 * yes|no" act on a running one (OPERATE, audited).  What is listed comes
 * from the state store, so finished and interrupted workflows show too.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "engine/control.h"
#include "engine/engine.h"
#include "engine/state.h"
#include "rules/rules.h"

#define WF_RECENT	86400.0	/* ended workflows listed without --all */
#define WF_RESULT_SHOWN	60	/* bytes of a step's result in the table */

struct wf_out {
	struct ctl_req	*req;
	struct strbuf	*sb;
	bool		 first;
	unsigned	 n;
};

/* Workflows live in the state store: without one, say so and end. */
static bool
no_state(struct ctl_req *req)
{
	if (req->d->state != NULL)
		return false;
	ctl_err(req, "vigild runs without a state store");
	ctl_end(req, EXIT_FAILED);
	return true;
}

static void
json_time(struct strbuf *sb, const char *field, double t)
{
	if (t > 0)
		strbuf_addf(sb, ", \"%s\": %.3f", field, t);
	else
		strbuf_addf(sb, ", \"%s\": null", field);
}

static void
json_field(struct strbuf *sb, const char *field, const char *s)
{
	strbuf_addf(sb, ", \"%s\": ", field);
	if (s != NULL)
		json_str(sb, s);
	else
		strbuf_adds(sb, "null");
}

static void
wf_row_json(struct strbuf *sb, const struct wf_row *r)
{
	strbuf_addf(sb, "{\"id\": %llu", (unsigned long long)r->id);
	json_field(sb, "plugin", r->plugin);
	json_field(sb, "name", r->name);
	json_field(sb, "key", r->key);
	json_field(sb, "status", r->status);
	json_field(sb, "step", r->label);
	json_field(sb, "waiting", r->waiting);
	json_time(sb, "since", r->since);
	json_time(sb, "deadline", r->deadline);
	json_time(sb, "started", r->started);
	json_time(sb, "ended", r->ended);
	json_field(sb, "reason", r->reason);
	strbuf_adds(sb, ", \"result\": ");
	if (r->result != NULL)
		json_string(sb, r->result, r->result_len);
	else
		strbuf_adds(sb, "null");
	strbuf_adds(sb, "}");
}

static void
wf_list_one(const struct wf_row *r, void *arg)
{
	struct wf_out	*o = arg;
	char		 since[32], dl[32];

	o->n++;
	if (o->req->json) {
		if (!o->first)
			strbuf_adds(o->sb, ", ");
		o->first = false;
		wf_row_json(o->sb, r);
		return;
	}
	ctl_fmt_time(r->since, since, sizeof since);
	ctl_fmt_time(r->deadline, dl, sizeof dl);
	ctl_out(o->req, "%6llu %-12s %-16s %-11s %-16s %-19s %-19s %s",
	    (unsigned long long)r->id, r->plugin, r->name, r->status,
	    r->label != NULL ? r->label : "-", since, dl,
	    r->waiting != NULL ? r->waiting : r->reason != NULL ?
	    r->reason : "-");
}

void
ctl_workflows(struct ctl_req *req)
{
	const char	*plugin = NULL;
	bool		 all = false;
	struct strbuf	 sb;
	struct wf_out	 o;
	int		 i;

	for (i = 1; i < req->argc; i++) {
		if (strcmp(req->argv[i], "--all") == 0)
			all = true;
		else if (strcmp(req->argv[i], "--plugin") == 0 &&
		    i + 1 < req->argc)
			plugin = req->argv[++i];
		else {
			ctl_usage_end(req, "workflows [--all] [--plugin P]");
			return;
		}
	}
	if (no_state(req))
		return;
	strbuf_init(&sb);
	memset(&o, 0, sizeof o);
	o.req = req;
	o.sb = &sb;
	o.first = true;
	if (req->json)
		strbuf_adds(&sb, "{\"workflows\": [");
	else
		ctl_out(req, "%6s %-12s %-16s %-11s %-16s %-19s %-19s %s", "ID",
		    "PLUGIN", "NAME", "STATUS", "STEP", "SINCE", "DEADLINE",
		    "WAITING FOR / REASON");
	state_wf_each(req->d->state, plugin, 0, all ? 0 :
	    vigild_now(req->d) - WF_RECENT, wf_list_one, &o);
	ctl_list_end(req, &sb);
}

/*
 * A saved result for people: the journal keeps a step's results as a Lua
 * literal, {[1]=0,[2]="out\<newline>",[3]="ok",["n"]=3,}; shown as
 * 0, "out\n", "ok" ({[2]="timeout",["n"]=2,} as nil, "timeout").
 * Only a step's outer list (STEPS) loses its keys; anything else is
 * shown as saved.  At most MAX bytes, "..." when cut.
 */
static char *
wf_result_text(const char *s, size_t len, size_t max, bool steps)
{
	struct strbuf	 sb;
	size_t		 i, j;
	unsigned long	 k, n = 0, next = 1;
	int		 depth = 0;
	bool		 quoted = false, list;

	strbuf_init(&sb);
	list = steps && len >= 2 && s[0] == '{' && s[len - 1] == '}';
	for (i = list ? 1 : 0; i < (list ? len - 1 : len); i++) {
		if (quoted) {
			if (s[i] == '\\' && i + 1 < len) {
				/* %q writes a newline as a backslash-newline. */
				strbuf_adds(&sb, s[i + 1] == '\n' ? "\\n" :
				    (char[3]){ s[i], s[i + 1], '\0' });
				i++;
				continue;
			}
			if (s[i] == '"')
				quoted = false;
			strbuf_addc(&sb, s[i]);
			continue;
		}
		if (list && depth == 0 && s[i] == '[') {
			/*
			 * A key of the outer list: [k]= is dropped (a nil
			 * before it shown), ["n"]=N says how many there are.
			 */
			for (j = i + 1; j < len && s[j] >= '0' && s[j] <= '9'; j++)
				;
			if (j > i + 1 && j + 1 < len && s[j] == ']' &&
			    s[j + 1] == '=') {
				k = strtoul(s + i + 1, NULL, 10);
				for (; next < k && next < 64; next++)
					strbuf_adds(&sb, "nil, ");
				next = k + 1;
				i = j + 1;
				continue;
			}
			if (strncmp(s + i, "[\"n\"]=", 6) == 0) {
				n = strtoul(s + i + 6, NULL, 10);
				for (j = i + 6; j < len && s[j] != ','; j++)
					;
				i = j;
				continue;
			}
		}
		if (s[i] == '"')
			quoted = true;
		else if (s[i] == '{')
			depth++;
		else if (s[i] == '}')
			depth--;
		if (list && depth == 0 && s[i] == ',') {
			strbuf_adds(&sb, ", ");
			continue;
		}
		strbuf_addc(&sb, s[i]);
	}
	/* The literal's last comma, and the nils after the last value. */
	while (sb.len >= 2 && strcmp(sb.data + sb.len - 2, ", ") == 0)
		sb.data[sb.len -= 2] = '\0';
	for (; next <= n && next < 64; next++)
		strbuf_adds(&sb, sb.len > 0 ? ", nil" : "nil");
	if (sb.len > max) {
		sb.data[max] = '\0';
		sb.len = max;
		strbuf_adds(&sb, "...");
	}
	if (sb.data == NULL)
		strbuf_adds(&sb, "");
	return strbuf_steal(&sb);
}

static void
wf_step_one(const struct wf_step_row *r, void *arg)
{
	struct wf_out	*o = arg;
	char		 t1[32], t2[32], *shown;

	if (o->req->json) {
		if (!o->first)
			strbuf_adds(o->sb, ", ");
		o->first = false;
		strbuf_addf(o->sb, "{\"seq\": %lld", (long long)r->seq);
		json_field(o->sb, "kind", r->kind);
		json_field(o->sb, "what", r->what);
		json_field(o->sb, "status", r->status);
		json_time(o->sb, "started", r->started);
		json_time(o->sb, "ended", r->ended);
		json_time(o->sb, "deadline", r->deadline);
		strbuf_adds(o->sb, ", \"result\": ");
		if (r->result != NULL)
			json_string(o->sb, r->result, r->result_len);
		else
			strbuf_adds(o->sb, "null");
		strbuf_adds(o->sb, "}");
		return;
	}
	ctl_fmt_time(r->started, t1, sizeof t1);
	ctl_fmt_time(r->ended, t2, sizeof t2);
	shown = r->result != NULL ? wf_result_text(r->result, r->result_len,
	    WF_RESULT_SHOWN, true) : xstrdup("");
	ctl_out(o->req, "%4lld %-8s %-8s %-19s %-19s %-40s %s",
	    (long long)r->seq, r->kind, r->status, t1, t2,
	    r->what != NULL ? r->what : "", shown);
	free(shown);
}

static void
wf_show_row(const struct wf_row *r, void *arg)
{
	struct wf_out	*o = arg;
	char		 t[32], *shown;

	o->n++;
	if (o->req->json) {
		strbuf_adds(o->sb, "{\"workflow\": ");
		wf_row_json(o->sb, r);
		return;
	}
	ctl_out(o->req, "workflow %llu: %s %s, %s", (unsigned long long)r->id,
	    r->plugin, r->name, r->status);
	if (r->key != NULL)
		ctl_out(o->req, "  key:      %s", r->key);
	ctl_fmt_time(r->started, t, sizeof t);
	ctl_out(o->req, "  started:  %s", t);
	if (r->label != NULL)
		ctl_out(o->req, "  step:     %s", r->label);
	if (r->waiting != NULL) {
		ctl_fmt_time(r->since, t, sizeof t);
		ctl_out(o->req, "  waiting:  %s (since %s)", r->waiting, t);
	}
	if (r->deadline > 0) {
		ctl_fmt_time(r->deadline, t, sizeof t);
		ctl_out(o->req, "  deadline: %s", t);
	}
	if (r->ended > 0) {
		ctl_fmt_time(r->ended, t, sizeof t);
		ctl_out(o->req, "  ended:    %s", t);
	}
	if (r->reason != NULL)
		ctl_out(o->req, "  reason:   %s", r->reason);
	if (r->result != NULL) {
		shown = wf_result_text(r->result, r->result_len, 200, false);
		ctl_out(o->req, "  result:   %s", shown);
		free(shown);
	}
}

static void
wf_show(struct ctl_req *req, uint64_t id)
{
	struct strbuf	 sb;
	struct wf_out	 o;
	const char	*prompt;

	strbuf_init(&sb);
	memset(&o, 0, sizeof o);
	o.req = req;
	o.sb = &sb;
	o.first = true;
	state_wf_each(req->d->state, NULL, id, 0, wf_show_row, &o);
	if (o.n == 0) {
		strbuf_free(&sb);
		ctl_err(req, "no workflow %llu (see vigil workflows --all)",
		    (unsigned long long)id);
		ctl_end(req, EXIT_FAILED);
		return;
	}
	prompt = plugins_prompt(req->d, id);
	if (req->json) {
		json_field(&sb, "confirm", prompt);
		strbuf_adds(&sb, ", \"steps\": [");
	} else {
		if (prompt != NULL)
			ctl_out(req, "  confirm:  %s (vigil confirm %llu"
			    " yes|no)", prompt, (unsigned long long)id);
		ctl_out(req, "%4s %-8s %-8s %-19s %-19s %-40s %s", "STEP",
		    "KIND", "STATUS", "STARTED", "ENDED", "WHAT", "RESULT");
	}
	state_wf_steps(req->d->state, id, wf_step_one, &o);
	ctl_list_end(req, &sb);
}

static bool
parse_id(const char *s, uint64_t *id)
{
	char	*end;

	*id = strtoull(s, &end, 10);
	return *id != 0 && *end == '\0';
}

/* cancel, pause, resume, confirm: OPERATE, audited. */
static void
wf_act(struct ctl_req *req, uint64_t id, const char *op, bool answer)
{
	const char	*why;

	if (!ctl_permit(req, AUTH_OPERATE, NULL, NULL))
		return;
	if ((why = plugins_control(req->d, id, op, req->user, answer)) !=
	    NULL) {
		ctl_err(req, "%s", why);
		ctl_audit(req, "failed");
		ctl_end(req, EXIT_FAILED);
		return;
	}
	if (strcmp(op, "confirm") == 0)
		ctl_out(req, "workflow %llu: answered %s",
		    (unsigned long long)id, answer ? "yes" : "no");
	else
		ctl_out(req, "workflow %llu: %s", (unsigned long long)id,
		    strcmp(op, "cancel") == 0 ? "cancelled" :
		    strcmp(op, "pause") == 0 ? "paused at its next step" :
		    "resumed");
	ctl_audit(req, "ok");
	ctl_end(req, EXIT_OK);
}

void
ctl_workflow(struct ctl_req *req)
{
	static const char *const ops[] = { "show", "cancel", "pause",
	    "resume" };
	const char	*usage = "workflow show|cancel|pause|resume ID";
	uint64_t	 id;
	size_t		 i;

	if (req->argc != 3 || !parse_id(req->argv[2], &id)) {
		ctl_usage_end(req, usage);
		return;
	}
	for (i = 0; i < nitems(ops); i++)
		if (strcmp(req->argv[1], ops[i]) == 0)
			break;
	if (i == nitems(ops)) {
		ctl_usage_end(req, usage);
		return;
	}
	if (no_state(req))
		return;
	if (i == 0) {
		if (ctl_permit(req, AUTH_VIEW, NULL, NULL))
			wf_show(req, id);
		return;
	}
	wf_act(req, id, ops[i], false);
}

void
ctl_confirm(struct ctl_req *req)
{
	uint64_t	 id;
	bool		 yes;

	if (req->argc != 3 || !parse_id(req->argv[1], &id) ||
	    (strcasecmp(req->argv[2], "yes") != 0 &&
	    strcasecmp(req->argv[2], "no") != 0)) {
		ctl_usage_end(req, "confirm ID yes|no");
		return;
	}
	yes = strcasecmp(req->argv[2], "yes") == 0;
	wf_act(req, id, "confirm", yes);
}
