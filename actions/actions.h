/* SPDX-License-Identifier: Apache-2.0 */
/*
 * actions.h - turning an action into what would run: splitting COMMAND
 * into argv words, substituting variables inside the words (never into
 * shell syntax), and applying the action's environment.  Returned objects
 * are owned by the caller (argv_free, plan_free).
 */
#ifndef VIGIL_ACTIONS_H
#define VIGIL_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct strbuf;
struct message;
struct match_hit;
struct ruleset;
struct action;
struct rule;

struct argv {
	char	**v;		/* NULL-terminated */
	size_t	  n;
};

/* argv.c */
struct argv	*argv_split(const char *, char **cause);
void		 argv_free(struct argv *);

/* subst.c: what &name means when an action is triggered. */
struct subst_ctx {
	const struct message	*msg;		/* the triggering message */
	const struct match_hit	*hit;		/* the rule's match, or NULL */
	const char		*kind;		/* &0: RULE, SCHEDULE, ... */
	const char		*name;		/* &R: rule/schedule/monitor */
	const char		*action;	/* &A: the action */
	const char		*parm;		/* &P before expansion */
	time_t			 now;		/* when, if no message */
	uint64_t		 undefined;	/* names expanded to nothing */
};
void		 subst_expand(const char *, struct subst_ctx *, bool quote,
		    struct strbuf *);
bool		 subst_builtin(const char *name, size_t len);
size_t		 subst_scan(const char *, size_t *skip);
bool		 subst_value(const char *name, size_t len, struct subst_ctx *,
		    struct strbuf *);
typedef void	(*subst_name_cb)(const char *name, size_t len, void *);
void		 subst_names(const char *, subst_name_cb, void *);

/* plan.c: what an action would do, fully substituted. */
enum plan_kind {
	PLAN_NULL,	/* the built-in NULL action */
	PLAN_EXEC,	/* run argv */
	PLAN_SHELL,	/* run argv: /bin/sh -c text, values quoted */
	PLAN_CONSOLE,	/* write text to a source's console */
	PLAN_VIGIL,	/* an operator command to vigild */
	PLAN_EMIT,	/* feed text back as a message */
	PLAN_INPUT	/* INPUT text to the console */
};
struct plan {
	enum plan_kind	 kind;
	const char	*action;	/* its name */
	const char	*env;		/* the environment used */
	struct argv	*argv;		/* EXEC, SHELL */
	char		*text;		/* CONSOLE, VIGIL, EMIT, INPUT */
	const char	*console;	/* CONSOLE: the source, NULL: msg's */
	unsigned	 delay;		/* DELAY, seconds */
	struct plan	*next;		/* NEXTACTN */
};
struct plan	*plan_action(const struct ruleset *, const char *action,
		    const char *env_override, struct subst_ctx *);
void		 plan_free(struct plan *);
const char	*plan_kind_name(enum plan_kind);

/*
 * runner.c: running plans on a libev loop (which must be the default
 * loop: ev_child works only there).  The runner owns the plans it is
 * given and frees each job after its on_end callback returns; a job
 * pointer is valid until then.  Strings in a job_result are borrowed for
 * the callback only.  The plan's action, env and console names point
 * into the ruleset: keep the ruleset alive while its jobs run.
 */
struct ev_loop;
struct runner;
struct job;

#define RUNNER_QUEUE_MAX	10000		/* jobs waiting, beyond: refused */
#define RUNNER_LINE_MAX		(64 * 1024)	/* one output line */
#define RUNNER_OUTPUT_MAX	(1024 * 1024)	/* output of one link */

struct runner_limits {
	unsigned	 timeout;	/* seconds per link, 0 none */
	unsigned	 maxconc;	/* running links per action name, 0 any */
	const char	*serial;	/* key (copied), NULL none */
	int		 onfail;	/* ONFAIL_STOP or ONFAIL_CONTINUE */
};

struct job_result {
	const struct plan *plan;	/* the link that ended */
	const char	*action;	/* its name */
	bool		 ok;		/* exit 0, or not a process */
	bool		 last;		/* no link of this job follows */
	int		 status;	/* exit status, -1 none */
	int		 signal;	/* terminating signal, 0 none */
	bool		 timed_out;	/* TIMEOUT expired (TERM, then KILL) */
	long		 pid;		/* leader and process group, 0 none */
	double		 start, end;	/* wall clock, seconds (ev_time) */
	uint64_t	 output;	/* bytes of output kept */
	uint64_t	 dropped;	/* bytes of output dropped */
	const char	*error;		/* could not start or refused, else NULL */
};

struct runner_cb {
	/* One output line (stdout and stderr merged), without its '\n'. */
	void	(*on_line)(struct job *, const char *, size_t, void *);
	/* Once per link that started (or was refused). */
	void	(*on_done)(struct job *, const struct job_result *, void *);
	/* Once per job, after its last on_done; then the job is freed. */
	void	(*on_end)(struct job *, bool interrupted, void *);
	/* A link starts: its process is spawned (pid) or it is built in. */
	void	(*on_start)(struct job *, const struct plan *, long pid,
		    void *);
	/*
	 * Do a link that is not a process (CONSOLE, INPUT, EMIT, VIGIL);
	 * return NULL for success or why it failed (borrowed until the
	 * next call).  Without it such links succeed doing nothing.
	 */
	const char *(*on_builtin)(struct job *, const struct plan *, void *);
};

struct runner_stats {
	uint64_t	 started;	/* links started */
	uint64_t	 finished;	/* links ended */
	uint64_t	 failed;	/* links ended not ok */
	uint64_t	 timed_out;	/* links killed at their TIMEOUT */
	uint64_t	 refused;	/* jobs refused: queue full */
	unsigned	 running;	/* child processes running */
	unsigned	 queued;	/* jobs waiting for a slot or a key */
};

struct runner	*runner_create(struct ev_loop *, unsigned max_children);
void		 runner_free(struct runner *);
struct job	*runner_start(struct runner *, struct plan *,
		    const struct runner_limits *, const struct runner_cb *,
		    void *);
void		 runner_stats(const struct runner *, struct runner_stats *);
long		 job_pid(const struct job *);
const char	*job_action(const struct job *);
const struct plan *job_link(const struct job *);
/* Jobs waiting for a slot, a serial key or their DELAY. */
unsigned	 runner_waiting(const struct runner *);

/*
 * limit.c: LIMIT count,interval accounting by name (rule, schedule,
 * monitor), kept outside the ruleset so windows survive a reload.  A
 * window opens at the first trigger and lasts interval seconds; within
 * it, count triggers run and the rest are suppressed and counted.  The
 * first suppression of a window is LIMIT_FIRST, so the limit action runs
 * once per window.
 */
struct limit;
struct limits;
enum limit_verdict { LIMIT_RUN, LIMIT_FIRST, LIMIT_SUPPRESSED };
struct limits	*limits_create(void);
enum limit_verdict limits_check(struct limits *, const char *name,
		    const struct limit *, double now, uint64_t *suppressed);
uint64_t	 limits_suppressed(const struct limits *, const char *name);
size_t		 limits_count(const struct limits *);
void		 limits_expire(struct limits *, double now);
void		 limits_free(struct limits *);

#endif
