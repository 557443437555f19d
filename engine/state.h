/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state.h - the daemon's durable state in SQLite (WAL) under the state
 * directory: action history, suspensions, input offsets of followed files,
 * plugin key-value state, the audit trail.  One vigild owns a state
 * directory at a time (a lock file says which).  After the store is open,
 * no write ever fails the caller: a write that hits a full disk or an I/O
 * error is kept in a bounded memory queue and retried by state_retry();
 * the store reports "degraded" and "recovered" through its callback so the
 * daemon can raise events.  All text is bound as SQL parameters, never
 * pasted into SQL.
 */
#ifndef VIGIL_STATE_H
#define VIGIL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct state;

#define STATE_DB_NAME		"vigil.db"
#define STATE_LOCK_NAME		"vigild.lock"
#define STATE_PENDING_MAX	10000	/* writes kept while the disk fails */
#define STATE_OUTPUT_MAX	4096	/* output excerpt kept per action */

/* Called when writes start failing (degraded true) and when they work again. */
typedef void	(*state_health_cb)(bool degraded, const char *why, void *);

/*
 * Open (creating the directory, mode 0700, and the database) or fail with
 * *err (allocated) saying what and where: directory not creatable or
 * writable by others, another vigild holding the lock (its pid), database
 * locked, not a database, corrupt (PRAGMA quick_check), newer schema.
 * Jobs left without an end by a previous run are marked interrupted; their
 * number is returned in *interrupted.
 */
struct state	*state_open(const char *dir, state_health_cb, void *arg,
		    uint64_t *interrupted, char **err);
void		 state_close(struct state *);	/* flushes what it can */
bool		 state_degraded(const struct state *);
uint64_t	 state_pending(const struct state *);	/* writes queued */
uint64_t	 state_lost(const struct state *);	/* dropped: queue full */
void		 state_retry(struct state *);	/* try the queued writes */

/* Action history: one row per action link (a NEXTACTN chain has several). */
uint64_t	 state_next_job_id(struct state *);	/* unique across runs */
struct hist_start {
	uint64_t	 id;		/* from state_next_job_id */
	uint64_t	 chain;		/* id of the chain's first link */
	const char	*trigger_kind;	/* RULE, SCHEDULE, MANUAL, LIMIT, ... */
	const char	*trigger;	/* rule/schedule name */
	const char	*action;
	const char	*argv;		/* argv words joined by '\x1f', or text */
	const char	*message;	/* triggering message text, or NULL */
	const char	*source;	/* its source, or NULL */
	const char	*user;		/* its user, or NULL */
	double		 received;	/* when the message arrived (epoch s) */
	double		 start;		/* when the process started */
	long		 pid;
};
struct hist_end {
	uint64_t	 id;
	double		 end;
	int		 status;	/* exit status, -1 none */
	int		 signal;	/* 0 none */
	bool		 timed_out;
	const char	*result;	/* ok, failed, timeout, killed, refused,
					   error, interrupted */
	const char	*error;		/* why it could not run, or NULL */
	const char	*output;	/* first STATE_OUTPUT_MAX bytes, or NULL */
	size_t		 output_len;
};
void		 state_history_start(struct state *, const struct hist_start *);
void		 state_history_end(struct state *, const struct hist_end *);

struct hist_row {
	uint64_t	 id, chain;
	const char	*trigger_kind, *trigger, *action, *argv, *message,
			*source, *user, *result, *error, *output;
	double		 received, start, end;	/* end 0 while running */
	long		 pid;
	int		 status, signal;
};
struct hist_filter {
	const char	*trigger;	/* NULL: any */
	const char	*action;	/* NULL: any */
	double		 since;		/* 0: any */
	unsigned	 limit;		/* newest N, 0: all; rows oldest first */
};
typedef void	(*hist_cb)(const struct hist_row *, void *);
void		 state_history_each(struct state *, const struct hist_filter *,
		    hist_cb, void *);

/* Input offsets of followed files, by source name. */
struct file_offset {
	uint64_t	 dev, ino;	/* the file the offset is in */
	uint64_t	 offset;	/* bytes consumed (whole lines) */
};
bool		 state_offset_get(struct state *, const char *source,
		    struct file_offset *);
void		 state_offset_set(struct state *, const char *source,
		    const struct file_offset *);

/* Suspensions of rules, actions, schedules, monitors, sources, by name. */
struct suspension {
	const char	*kind;		/* RULE, ACTION, SCHEDULE, ... */
	const char	*name;
	double		 until;		/* 0: until resumed */
	const char	*reason;	/* may be NULL */
	const char	*who;		/* may be NULL */
	double		 since;
};
void		 state_suspend(struct state *, const struct suspension *);
void		 state_resume(struct state *, const char *kind,
		    const char *name);
typedef void	(*suspension_cb)(const struct suspension *, void *);
void		 state_suspensions_each(struct state *, suspension_cb, void *);

/* Plugin state: a key-value store per plugin; values are byte strings. */
bool		 state_kv_get(struct state *, const char *plugin,
		    const char *key, char **value, size_t *len);
void		 state_kv_set(struct state *, const char *plugin,
		    const char *key, const char *value, size_t len);
void		 state_kv_del(struct state *, const char *plugin,
		    const char *key);

/*
 * Lua workflows (engine/state-wf.c): one row per instance, its journal of
 * steps.  ARGS and RESULT are Lua literals (any bytes).  An instance is
 * unfinished while it has no end.
 */
struct wf_row {
	uint64_t	 id;
	const char	*plugin, *name, *key, *status, *label, *waiting,
			*reason;
	const char	*args, *result;		/* may be NULL */
	size_t		 args_len, result_len;
	double		 since, deadline, started, ended;	/* 0: none */
};
struct wf_step_row {
	uint64_t	 wf;
	int64_t		 seq;
	const char	*kind, *what, *status;
	const char	*result;		/* may be NULL */
	size_t		 result_len;
	double		 started, ended, deadline;		/* 0: none */
};
uint64_t	 state_wf_new(struct state *, const char *plugin,
		    const char *name, const char *key, const char *args,
		    size_t len, double now);
void		 state_wf_state(struct state *, uint64_t id, const char *status,
		    const char *label, const char *waiting, double since,
		    double deadline);
void		 state_wf_finish(struct state *, uint64_t id,
		    const char *status, const char *result, size_t len,
		    const char *reason, double now);
void		 state_wf_step(struct state *, const struct wf_step_row *);
/* The unfinished instance of plugin/name with KEY (or the newest, with
 * ENDED_TOO), or 0. */
uint64_t	 state_wf_by_key(struct state *, const char *plugin,
		    const char *name, const char *key, bool ended_too);
/*
 * Instances of PLUGIN (NULL: all), or only ID (0: all), unfinished or
 * ended at or after ENDED_SINCE (INFINITY: unfinished only), oldest first.
 */
typedef void	(*wf_cb)(const struct wf_row *, void *);
void		 state_wf_each(struct state *, const char *plugin, uint64_t id,
		    double ended_since, wf_cb, void *);
typedef void	(*wf_step_cb)(const struct wf_step_row *, void *);
void		 state_wf_steps(struct state *, uint64_t id, wf_step_cb,
		    void *);

/* Audit trail: who did what, with which arguments, and the result. */
struct audit_rec {
	double		 when;
	long		 uid;		/* -1: the daemon itself */
	const char	*user;
	const char	*command;
	const char	*args;
	const char	*result;
};
void		 state_audit(struct state *, const struct audit_rec *);
typedef void	(*audit_cb)(const struct audit_rec *, void *);
void		 state_audit_each(struct state *, double since, audit_cb,
		    void *);

#endif
