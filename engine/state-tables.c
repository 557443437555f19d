/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state-tables.c - the operations on the state store's tables: action
 * history (start, end, iteration), input offsets, suspensions, plugin
 * key-value state and the audit trail.  The store itself (opening, the
 * schema and the statements, errors, the queue of pending writes, retry,
 * close) is in state.c; state-int.h holds what the two share.
 *
 * Each write binds its parameters and hands them to state_write(), which
 * runs the statement or queues it.  Point reads (offsets, plugin values)
 * look at the queue first so the daemon reads what it wrote; iterations
 * read the database only, between state_each_begin() and state_each_end(),
 * and their rows are valid only during the callback.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <sqlite3.h>

#include "engine/state.h"
#include "engine/state-int.h"
#include "util/util.h"

/* --- history ------------------------------------------------------------ */

uint64_t
state_next_job_id(struct state *st)
{
	return ++st->last_id;
}

void
state_history_start(struct state *st, const struct hist_start *h)
{
	struct sval	v[12];

	v[0] = sv_int((int64_t)h->id);
	v[1] = sv_int((int64_t)h->chain);
	v[2] = sv_text(h->trigger_kind);
	v[3] = sv_text(h->trigger);
	v[4] = sv_text(h->action);
	v[5] = sv_text(h->argv);
	v[6] = sv_text(h->message);
	v[7] = sv_text(h->source);
	v[8] = sv_text(h->user);
	v[9] = sv_real(h->received);
	v[10] = sv_real(h->start);
	v[11] = sv_int(h->pid);
	state_write(st, S_HIST_START, v, nitems(v));
}

void
state_history_end(struct state *st, const struct hist_end *h)
{
	struct sval	v[8];
	size_t		len = h->output_len;

	if (len > STATE_OUTPUT_MAX)
		len = STATE_OUTPUT_MAX;
	v[0] = sv_real(h->end);
	v[1] = h->status >= 0 ? sv_int(h->status) : sv_null();
	v[2] = sv_int(h->signal);
	v[3] = sv_int(h->timed_out);
	v[4] = sv_text(h->result);
	v[5] = sv_text(h->error);
	v[6] = sv_blob(h->output, len);
	v[7] = sv_int((int64_t)h->id);
	state_write(st, S_HIST_END, v, nitems(v));
}


/* Rows are borrowed: valid only during the callback. */
void
state_history_each(struct state *st, const struct hist_filter *f,
    hist_cb cb, void *arg)
{
	struct hist_filter	 none = { 0 };
	struct hist_row		 r;
	sqlite3_stmt		*s;
	int			 variant = 0, rc;

	if (f == NULL)
		f = &none;
	if (f->trigger != NULL)
		variant |= HF_TRIGGER;
	if (f->action != NULL)
		variant |= HF_ACTION;
	if (f->since > 0)
		variant |= HF_SINCE;
	s = st->stmt[S_HIST_EACH + variant];
	state_each_begin(st, s);
	/* Parameters absent from a variant's text may still be bound. */
	if (f->trigger != NULL)
		sqlite3_bind_text(s, 1, f->trigger, -1, SQLITE_STATIC);
	if (f->action != NULL)
		sqlite3_bind_text(s, 2, f->action, -1, SQLITE_STATIC);
	if (f->since > 0)
		sqlite3_bind_double(s, 3, f->since);
	sqlite3_bind_int64(s, 4, f->limit > 0 ? (int64_t)f->limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof r);
		r.id = sqlite3_column_int64(s, 0);
		r.chain = sqlite3_column_int64(s, 1);
		r.trigger_kind = col_text(s, 2);
		r.trigger = col_text(s, 3);
		r.action = col_text(s, 4);
		r.argv = col_text(s, 5);
		r.message = col_text(s, 6);
		r.source = col_text(s, 7);
		r.user = col_text(s, 8);
		r.received = sqlite3_column_double(s, 9);
		r.start = sqlite3_column_double(s, 10);
		r.pid = sqlite3_column_int64(s, 11);
		r.end = sqlite3_column_double(s, 12);
		r.status = sqlite3_column_type(s, 13) == SQLITE_NULL ? -1 :
		    sqlite3_column_int(s, 13);
		r.signal = sqlite3_column_int(s, 14);
		r.result = col_text(s, 16);
		r.error = col_text(s, 17);
		/* A blob read as text gains a NUL: output may be printed. */
		r.output = col_text(s, 18);
		cb(&r, arg);
	}
	state_each_end(st, s, rc, "the history");
}

/* --- input offsets ------------------------------------------------------- */

bool
state_offset_get(struct state *st, const char *source, struct file_offset *fo)
{
	sqlite3_stmt	*s = st->stmt[S_OFFSET_GET];
	struct pending	*p, *found = NULL;
	int		 rc;

	/* What is queued is newer than what is in the database. */
	for (p = st->head; p != NULL; p = p->next) {
		if (p->id == S_OFFSET_SET && p->v[0].type == SV_TEXT &&
		    strcmp(p->v[0].p, source) == 0)
			found = p;
	}
	if (found != NULL) {
		fo->dev = (uint64_t)found->v[1].i;
		fo->ino = (uint64_t)found->v[2].i;
		fo->offset = (uint64_t)found->v[3].i;
		return true;
	}

	sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		fo->dev = (uint64_t)sqlite3_column_int64(s, 0);
		fo->ino = (uint64_t)sqlite3_column_int64(s, 1);
		fo->offset = (uint64_t)sqlite3_column_int64(s, 2);
	} else if (rc != SQLITE_DONE)
		state_read_failed(st, rc, "an input offset");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_ROW;
}

void
state_offset_set(struct state *st, const char *source,
    const struct file_offset *fo)
{
	struct sval	v[4];

	v[0] = sv_text(source);
	v[1] = sv_int((int64_t)fo->dev);
	v[2] = sv_int((int64_t)fo->ino);
	v[3] = sv_int((int64_t)fo->offset);
	state_write(st, S_OFFSET_SET, v, nitems(v));
}

/* --- suspensions --------------------------------------------------------- */

void
state_suspend(struct state *st, const struct suspension *sp)
{
	struct sval	v[6];

	v[0] = sv_text(sp->kind);
	v[1] = sv_text(sp->name);
	v[2] = sv_real(sp->until);
	v[3] = sv_text(sp->reason);
	v[4] = sv_text(sp->who);
	v[5] = sv_real(sp->since);
	state_write(st, S_SUSPEND, v, nitems(v));
}

void
state_resume(struct state *st, const char *kind, const char *name)
{
	struct sval	v[2];

	v[0] = sv_text(kind);
	v[1] = sv_text(name);
	state_write(st, S_RESUME, v, nitems(v));
}

void
state_suspensions_each(struct state *st, suspension_cb cb, void *arg)
{
	sqlite3_stmt		*s = st->stmt[S_SUSP_EACH];
	struct suspension	 sp;
	int			 rc;

	state_each_begin(st, s);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sp.kind = col_text(s, 0);
		sp.name = col_text(s, 1);
		sp.until = sqlite3_column_double(s, 2);
		sp.reason = col_text(s, 3);
		sp.who = col_text(s, 4);
		sp.since = sqlite3_column_double(s, 5);
		cb(&sp, arg);
	}
	state_each_end(st, s, rc, "the suspensions");
}

/* --- plugin state -------------------------------------------------------- */

bool
state_kv_get(struct state *st, const char *plugin, const char *key,
    char **value, size_t *len)
{
	sqlite3_stmt	*s = st->stmt[S_KV_GET];
	struct pending	*p, *found = NULL;
	const char	*b = NULL;
	size_t		 n = 0;
	int		 rc;

	*value = NULL;
	if (len != NULL)
		*len = 0;
	for (p = st->head; p != NULL; p = p->next) {
		if ((p->id == S_KV_SET || p->id == S_KV_DEL) &&
		    p->v[0].type == SV_TEXT && p->v[1].type == SV_TEXT &&
		    strcmp(p->v[0].p, plugin) == 0 &&
		    strcmp(p->v[1].p, key) == 0)
			found = p;
	}
	if (found != NULL) {
		if (found->id == S_KV_DEL)
			return false;
		if (found->v[2].type == SV_BLOB) {
			b = found->v[2].p;
			n = found->v[2].len;
		}
		rc = SQLITE_ROW;
	} else {
		sqlite3_bind_text(s, 1, plugin, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			b = sqlite3_column_blob(s, 0);
			n = sqlite3_column_bytes(s, 0);
		} else if (rc != SQLITE_DONE)
			state_read_failed(st, rc, "a plugin value");
	}
	if (rc == SQLITE_ROW) {
		*value = xmalloc(n + 1);
		if (n > 0)
			memcpy(*value, b, n);
		(*value)[n] = '\0';
		if (len != NULL)
			*len = n;
	}
	if (found == NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
	return rc == SQLITE_ROW;
}

void
state_kv_set(struct state *st, const char *plugin, const char *key,
    const char *value, size_t len)
{
	struct sval	v[3];

	v[0] = sv_text(plugin);
	v[1] = sv_text(key);
	/* A NULL value would read back as missing: store an empty one. */
	v[2] = sv_blob(value != NULL ? value : "", value != NULL ? len : 0);
	state_write(st, S_KV_SET, v, nitems(v));
}

void
state_kv_del(struct state *st, const char *plugin, const char *key)
{
	struct sval	v[2];

	v[0] = sv_text(plugin);
	v[1] = sv_text(key);
	state_write(st, S_KV_DEL, v, nitems(v));
}

/* --- audit trail --------------------------------------------------------- */

void
state_audit(struct state *st, const struct audit_rec *a)
{
	struct sval	v[6];

	v[0] = sv_real(a->when);
	v[1] = sv_int(a->uid);
	v[2] = sv_text(a->user);
	v[3] = sv_text(a->command);
	v[4] = sv_text(a->args);
	v[5] = sv_text(a->result);
	state_write(st, S_AUDIT, v, nitems(v));
}

void
state_audit_each(struct state *st, double since, audit_cb cb, void *arg)
{
	sqlite3_stmt	*s = st->stmt[S_AUDIT_EACH];
	struct audit_rec a;
	int		 rc;

	state_each_begin(st, s);
	sqlite3_bind_double(s, 1, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		a.when = sqlite3_column_double(s, 0);
		a.uid = sqlite3_column_int64(s, 1);
		a.user = col_text(s, 2);
		a.command = col_text(s, 3);
		a.args = col_text(s, 4);
		a.result = col_text(s, 5);
		cb(&a, arg);
	}
	state_each_end(st, s, rc, "the audit trail");
}
