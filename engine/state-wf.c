/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state-wf.c - the workflow tables of the state store: an instance's row
 * (what it is waiting for, until when, how it ended) and its journal of
 * steps, which the plugin prelude replays after a restart.  Writes go
 * through state_write like every other table (kept and retried when the
 * disk fails); reads see the database only.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <sqlite3.h>

#include "engine/state.h"
#include "engine/state-int.h"
#include "util/util.h"

static struct sval
sv_time(double t)
{
	return t > 0 ? sv_real(t) : sv_null();
}

uint64_t
state_wf_new(struct state *st, const char *plugin, const char *name,
    const char *key, const char *args, size_t len, double now)
{
	struct sval	 v[6];
	uint64_t	 id = state_next_job_id(st);

	v[0] = sv_int((int64_t)id);
	v[1] = sv_text(plugin);
	v[2] = sv_text(name);
	v[3] = sv_text(key);
	v[4] = sv_blob(args, len);
	v[5] = sv_real(now);
	state_write(st, S_WF_NEW, v, nitems(v));
	return id;
}

void
state_wf_state(struct state *st, uint64_t id, const char *status,
    const char *label, const char *waiting, double since, double deadline)
{
	struct sval	 v[6];

	v[0] = sv_int((int64_t)id);
	v[1] = sv_text(status);
	v[2] = sv_text(label);
	v[3] = sv_text(waiting);
	v[4] = sv_time(since);
	v[5] = sv_time(deadline);
	state_write(st, S_WF_STATE, v, nitems(v));
}

void
state_wf_finish(struct state *st, uint64_t id, const char *status,
    const char *result, size_t len, const char *reason, double now)
{
	struct sval	 v[5];

	v[0] = sv_int((int64_t)id);
	v[1] = sv_text(status);
	v[2] = sv_blob(result, len);
	v[3] = sv_text(reason);
	v[4] = sv_real(now);
	state_write(st, S_WF_FINISH, v, nitems(v));
}

void
state_wf_step(struct state *st, const struct wf_step_row *r)
{
	struct sval	 v[9];

	v[0] = sv_int((int64_t)r->wf);
	v[1] = sv_int(r->seq);
	v[2] = sv_text(r->kind);
	v[3] = sv_text(r->what);
	v[4] = sv_text(r->status);
	v[5] = sv_blob(r->result, r->result_len);
	v[6] = sv_time(r->started);
	v[7] = sv_time(r->ended);
	v[8] = sv_time(r->deadline);
	state_write(st, S_WF_STEP, v, nitems(v));
}

uint64_t
state_wf_by_key(struct state *st, const char *plugin, const char *name,
    const char *key, bool ended_too)
{
	sqlite3_stmt	*s = st->stmt[S_WF_KEY];
	uint64_t	 id = 0;
	int		 rc;

	state_each_begin(st, s);
	sqlite3_bind_text(s, 1, plugin, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, ended_too);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		id = (uint64_t)sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	state_each_end(st, s, rc, "the workflows");
	return id;
}

static double
col_time(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? 0 :
	    sqlite3_column_double(s, i);
}

void
state_wf_each(struct state *st, const char *plugin, uint64_t id,
    double ended_since, wf_cb cb, void *arg)
{
	sqlite3_stmt	*s = st->stmt[S_WF_EACH];
	struct wf_row	 r;
	int		 rc;

	state_each_begin(st, s);
	if (plugin != NULL)
		sqlite3_bind_text(s, 1, plugin, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, ended_since);
	sqlite3_bind_int64(s, 3, (int64_t)id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof r);
		r.id = (uint64_t)sqlite3_column_int64(s, 0);
		r.plugin = col_text(s, 1);
		r.name = col_text(s, 2);
		r.key = col_text(s, 3);
		r.args = sqlite3_column_blob(s, 4);
		r.args_len = (size_t)sqlite3_column_bytes(s, 4);
		r.status = col_text(s, 5);
		r.label = col_text(s, 6);
		r.waiting = col_text(s, 7);
		r.since = col_time(s, 8);
		r.deadline = col_time(s, 9);
		r.started = col_time(s, 10);
		r.ended = col_time(s, 11);
		r.reason = col_text(s, 12);
		r.result = sqlite3_column_blob(s, 13);
		r.result_len = (size_t)sqlite3_column_bytes(s, 13);
		cb(&r, arg);
	}
	state_each_end(st, s, rc, "the workflows");
}

void
state_wf_steps(struct state *st, uint64_t id, wf_step_cb cb, void *arg)
{
	sqlite3_stmt		*s = st->stmt[S_WF_STEPS];
	struct wf_step_row	 r;
	int			 rc;

	state_each_begin(st, s);
	sqlite3_bind_int64(s, 1, (int64_t)id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof r);
		r.wf = (uint64_t)sqlite3_column_int64(s, 0);
		r.seq = sqlite3_column_int64(s, 1);
		r.kind = col_text(s, 2);
		r.what = col_text(s, 3);
		r.status = col_text(s, 4);
		r.result = sqlite3_column_blob(s, 5);
		r.result_len = (size_t)sqlite3_column_bytes(s, 5);
		r.started = col_time(s, 6);
		r.ended = col_time(s, 7);
		r.deadline = col_time(s, 8);
		cb(&r, arg);
	}
	state_each_end(st, s, rc, "the workflow steps");
}
