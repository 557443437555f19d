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
	char *const		*vars;		/* K=V: a manual trigger's, or NULL */
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
	char		*owned_name;	/* action, when not in a ruleset */
	unsigned	 timeout;	/* seconds, overriding the action's */
};
struct plan	*plan_action(const struct ruleset *, const char *action,
		    const char *env_override, struct subst_ctx *);
struct plan	*plan_argv(const struct ruleset *, const char *env,
		    char *const *words, size_t n, const char *name,
		    char **cause);
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
void		*job_arg(const struct job *);
const char	*job_state_name(const struct job *);
void		 runner_each(struct runner *, void (*)(struct job *, void *),
		    void *);
bool		 runner_cancel(struct runner *, struct job *);

/* occur.c: the last firings an idle monitor (DEFIMON OCCUR) counts. */
struct occur {
	double		*ring;		/* oldest first from head */
	size_t		 cap, n, head;
	uint32_t	 count;		/* OCCUR's count (capped) */
};
void		 occur_init(struct occur *, uint32_t count);
void		 occur_note(struct occur *, double);
size_t		 occur_seen(const struct occur *, double now, double interval,
		    double *oldest);
void		 occur_free(struct occur *);

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

/*
 * correlate.c: the correlation windows of DEFRULE (SUPPRESS, THRESHOLD
 * with CLEAR, EXPECT with WITHIN, FOUNDACTN, MISSACTN) per (rule name,
 * key), kept outside the ruleset so they survive a reload, saved and
 * loaded as text records so they survive a restart.  Pure: the caller
 * passes the time in (its clock, or a log's time for replay), expands KEY
 * and runs the actions it is told about.  Every call that takes a time
 * first reports the deadlines up to it.  Strings in a corr_event are valid
 * during the callback only; a callback may call any corr_ function but
 * corr_free.  Offer each message to corr_message before its corr_match
 * calls, so a message never closes the expectation it opens.
 */
struct corr;
enum corr_verdict { CORR_FIRE, CORR_HOLD };
enum corr_kind {
	CORR_FOUND,	/* the expected message came: run FOUNDACTN */
	CORR_MISSED,	/* WITHIN passed without it: run MISSACTN */
	CORR_CLEARED	/* the rate fell after THRESHOLD: run CLEAR's action */
};
struct corr_event {
	enum corr_kind	 kind;
	const char	*rule;		/* the rule name */
	const char	*key;		/* the key, "" without KEY */
	const char	*action;	/* to run; NULL: the rule names none */
	const struct message *msg;	/* FOUND: the message, else NULL */
	double		 opened;	/* expectation opened, or raised */
	double		 when;		/* the deadline, or (FOUND) now */
	uint64_t	 held;		/* CLEARED: matches held while raised */
};
typedef void	(*corr_event_cb)(const struct corr_event *, void *);
/* Append the expansion of KEY template tmpl for msg to out. */
typedef void	(*corr_key_fn)(const char *rule, const char *tmpl,
		    const struct message *, struct strbuf *out, void *);
/* The definition of a rule name in the ruleset in force, or NULL. */
typedef const struct rule *(*corr_rule_fn)(const char *name, void *);
/* One saved record: id unique among them, text one line with its '\n'. */
typedef void	(*corr_write_fn)(const char *id, const char *record,
		    size_t len, void *);
struct corr_stats {
	size_t		 windows;	/* windows of every kind */
	size_t		 open;		/* open expectations */
	size_t		 expect_rules;	/* rules with open expectations */
	uint64_t	 pattern_tests;	/* EXPECT patterns tried */
	uint64_t	 key_expansions; /* corr_key_fn calls */
	uint64_t	 fired;		/* corr_match: CORR_FIRE, correlated */
	uint64_t	 held;		/* corr_match: CORR_HOLD */
	uint64_t	 found, missed, cleared;	/* events reported */
	uint64_t	 expired;	/* windows dropped silently */
};
struct corr_loaded {
	size_t		 restored;	/* windows restored */
	size_t		 dropped;	/* rule gone or changed, or exists */
	size_t		 bad;		/* malformed records skipped */
};
/* KEY expanded for msg (a corr_key_fn; the rule's regex groups are not
 * available: they belong to the message that opened the window). */
void		 corr_expand_key(const char *rule, const char *tmpl,
		    const struct message *, struct strbuf *out, void *);
struct corr	*corr_create(void);
enum corr_verdict corr_match(struct corr *, const struct rule *,
		    const char *key, double now, uint64_t *suppressed,
		    corr_event_cb, void *);
void		 corr_message(struct corr *, const struct message *,
		    double now, corr_key_fn, void *, corr_event_cb, void *);
void		 corr_advance(struct corr *, double now, corr_event_cb,
		    void *);
double		 corr_next_deadline(const struct corr *);
size_t		 corr_count(const struct corr *);
void		 corr_stats(const struct corr *, struct corr_stats *);
size_t		 corr_retain(struct corr *, corr_rule_fn, void *);
void		 corr_save(const struct corr *, corr_write_fn, void *);
int		 corr_load(struct corr *, const char *, size_t, corr_rule_fn,
		    void *, struct corr_loaded *, char **cause);
void		 corr_free(struct corr *);

#endif
