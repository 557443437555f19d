/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state-int.h - private to the state store (engine/state.c and
 * engine/state-tables.c); nothing else may include it.  It holds what the
 * two files share: the statement ids, the parameters of a statement, the
 * queue of pending writes, struct state, and the few functions of state.c
 * through which the table operations write and read.
 */
#ifndef VIGIL_STATE_INT_H
#define VIGIL_STATE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include <sqlite3.h>

#include "engine/state.h"

#define STATE_MAXPARAM		12

enum stmt_id {
	/* Writes: kept in the FIFO when they fail. */
	S_HIST_START,
	S_HIST_END,
	S_OFFSET_SET,
	S_SUSPEND,
	S_RESUME,
	S_KV_SET,
	S_KV_DEL,
	S_AUDIT,
	S_WF_NEW,
	S_WF_STATE,
	S_WF_FINISH,
	S_WF_STEP,
	S_NWRITES,

	/* Reads and transaction control. */
	S_OFFSET_GET = S_NWRITES,
	S_KV_GET,
	S_SUSP_EACH,
	S_AUDIT_EACH,
	S_WF_EACH,
	S_WF_STEPS,
	S_WF_KEY,
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_HIST_EACH,		/* 8 variants, by the filters present */
	S_MAX = S_HIST_EACH + 8
};

/* Which filters a history query has: the index of its variant. */
#define HF_TRIGGER	1
#define HF_ACTION	2
#define HF_SINCE	4

/* A parameter of a statement; text and blobs are borrowed. */
enum sval_type {
	SV_NULL,
	SV_INT,
	SV_REAL,
	SV_TEXT,
	SV_BLOB
};
struct sval {
	enum sval_type	 type;
	int64_t		 i;
	double		 d;
	const char	*p;		/* TEXT is NUL-terminated too */
	size_t		 len;
};

/* The parameters of a statement . */
static inline struct sval
sv_null(void)
{
	struct sval	v = { .type = SV_NULL };

	return v;
}

static inline struct sval
sv_int(int64_t i)
{
	struct sval	v = { .type = SV_INT, .i = i };

	return v;
}

static inline struct sval
sv_real(double d)
{
	struct sval	v = { .type = SV_REAL, .d = d };

	return v;
}

static inline struct sval
sv_text(const char *s)
{
	struct sval	v = { .type = SV_TEXT, .p = s };

	if (s == NULL)
		return sv_null();
	v.len = strlen(s);
	return v;
}

static inline struct sval
sv_blob(const char *p, size_t len)
{
	struct sval	v = { .type = SV_BLOB, .p = p, .len = len };

	if (p == NULL)
		return sv_null();
	return v;
}

/* A text column, NULL when NULL. */
static inline const char *
col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* A write waiting in the FIFO; its text and blobs follow it in memory. */
struct pending {
	struct pending	*next;
	enum stmt_id	 id;
	int		 n;
	struct sval	 v[STATE_MAXPARAM];
};

struct state {
	char		*dir;
	char		*path;		/* the database */
	int		 lockfd;
	sqlite3		*db;
	sqlite3_stmt	*stmt[S_MAX];
	state_health_cb	 cb;
	void		*arg;

	bool		 degraded;
	unsigned	 reading;	/* iterations under way */
	struct pending	*head, **tailp;
	uint64_t	 npending;
	uint64_t	 lost;
	uint64_t	 last_id;	/* the newest job id handed out */
	char		 errmsg[256];	/* of the last failed statement */
};

/* Every write goes through here (state.c): run, or queued if it fails. */
void	state_write(struct state *, enum stmt_id, const struct sval *, int);

/* Around an iteration over a statement: writes are deferred until the end. */
void	state_each_begin(struct state *, sqlite3_stmt *);
void	state_each_end(struct state *, sqlite3_stmt *, int rc,
	    const char *what);

/* A read failed: say so; the caller carries on as if nothing was there. */
void	state_read_failed(struct state *, int rc, const char *what);

#endif /* VIGIL_STATE_INT_H */
