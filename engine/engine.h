/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine.h - the daemon vigild: its defaults, the running state (the
 * ruleset in force, the matcher, the action runner, the sources) and the
 * modules that share it.  Rulesets are reference-counted: a reload swaps
 * in a new one while the jobs of the old one finish with the old one.
 */
#ifndef VIGIL_ENGINE_H
#define VIGIL_ENGINE_H

#include <ev.h>
#include <stdbool.h>
#include <time.h>
#include <stddef.h>
#include <stdint.h>

#define VIGILD_DEFAULT_CONFIG	"/etc/vigil/vigil.rules"
#define VIGILD_DEFAULT_SOCKET	"/run/vigil/vigil.sock"
#define VIGILD_DEFAULT_STATEDIR	"/var/lib/vigil"
#define VIGILD_MAX_CHILDREN	64
#define VIGILD_DEPTH_MAX	8	/* generations of re-injected messages */
#define VIGILD_PAUSE_AT		5000	/* jobs waiting: sources paused */
#define VIGILD_RESUME_AT	1000	/* jobs waiting: sources resumed */
#define VIGILD_STOP_GRACE	10.0	/* SIGTERM: seconds running actions get */
#define VIGILD_SOURCE_NAME	"VIGIL"	/* the source of the daemon's events */

struct ev_loop;
struct ruleset;
struct matcher;
struct runner;
struct message;
struct src;
struct strbuf;
struct state;
struct conslog;
struct limits;

/* A ruleset in force, or kept alive by the jobs it started. */
struct rsref {
	struct ruleset	*rs;
	struct matcher	*m;
	unsigned	 refs;
};

/*
 * The loop guard: the rules whose firing (directly or through an action's
 * output, an EMIT or a daemon event) produced a message.  A rule never
 * fires on a message it produced itself, and nothing is re-injected
 * beyond VIGILD_DEPTH_MAX generations.
 */
struct lineage {
	unsigned	 n;
	char		*rules[VIGILD_DEPTH_MAX];	/* owned */
};

struct pending;		/* a message or event waiting to be dispatched */
struct logline;		/* a line of the daemon's recent log */
struct viewer;		/* a client following a console */
struct plugin_rt;	/* a running Lua plugin */
struct sched_rt;	/* a running schedule */
struct corr;
struct rule;
struct counter_ent;
struct counter {
	uint64_t	 hits;
	double		 last;		/* the daemon's time of the last */
};
struct imon_rt;		/* a running idle monitor */
struct suspended;	/* a suspended rule, action or source */

struct vigild {
	struct ev_loop	*loop;
	const char	*config;
	const char	*sysname;	/* &SYSNAME of the daemon's own messages */
	struct rsref	*cur;
	struct runner	*runner;
	struct limits	*limits;	/* LIMIT windows by rule name */
	struct pending	*pending, **pending_tail;
	struct suspended *suspended;
	struct sched_rt	*schedules;
	struct imon_rt	*imons;
	double		 clock_offset;	/* --test-clock: added to the time */
	struct corr	*corr;		/* correlation windows */
	struct counter_ent **counters;	/* firings by kind and name */
	double		 started;	/* the daemon's time at its start */
	char		*checksum;	/* of the ruleset in force */
	double		 loaded;	/* when it was loaded */
	const char	*socket_path;
	struct logline	*logring;	/* the recent log, for "vigil log" */
	struct viewer	*viewers;	/* "vigil view --follow" clients */
	struct plugin_rt *plugins;
	ev_timer	 corr_timer;	/* on their earliest deadline */
	uint64_t	 npending;
	struct src	*sources;	/* running sources, a list */
	struct state	*state;		/* SQLite store, NULL with --no-state */
	struct conslog	*conslog;	/* console log, NULL if none */
	const char	*statedir;
	bool		 once;		/* --once: stop at EOF, when idle */
	bool		 log_messages;	/* --log-messages: each one logged */
	bool		 stopping;
	bool		 paused;	/* sources paused by backpressure */
	uint64_t	 messages;
	uint64_t	 fired;
	uint64_t	 limited;	/* firings suppressed by LIMIT */
	uint64_t	 correlated;	/* matches held by a correlation window */
	uint64_t	 looped;	/* firings stopped by the loop guard */
	uint64_t	 injected;	/* messages from actions and events */
	uint64_t	 interrupted;	/* jobs cut by the stop */
	uint64_t	 jobs;		/* started, not yet ended */
	uint64_t	 reloads;
	uint64_t	 reload_failures;
};

/* rsref: in vigild.c */
struct rsref	*rsref_load(const char *config, struct strbuf *msgs);
bool		 vigild_reload(struct vigild *, struct strbuf *msgs);
void		 vigild_log_each(void (*)(double, const char *, void *),
		    void *);
/* ctl-cmds.c: a log line for clients following the log ("vigil log -f"). */
void		 ctl_log_line(struct vigild *, double, const char *);
/* ctl-cmds.c: a message for clients following its console. */
void		 ctl_view_message(struct vigild *, const struct message *);
void		 vigild_stop(struct vigild *, const char *why);
void		 rsref_put(struct rsref *);

/*
 * dispatch.c: a message in, actions out; lin is the message's lineage
 * (NULL for a message from a source).
 */
void		 dispatch_message(struct vigild *, const struct message *,
		    const struct lineage *lin);
struct limit;
struct trigger {
	const char		*kind;		/* &0: SCHEDULE, IDLE, EVENT */
	const char		*name;		/* &R */
	const char		*action;
	const char		*env;		/* ENV override, or NULL */
	const char		*parm;
	const struct limit	*limit;
	const struct message	*msg;		/* its fields, or NULL */
	const struct lineage	*lin;
};
void		 dispatch_trigger(struct vigild *, const struct trigger *);
/* A client following a manual trigger. */
struct run_watch {
	void	(*on_line)(const char *, size_t, void *);
	void	(*on_end)(uint64_t id, int status, const char *result, void *);
	void	 *arg;
};
uint64_t	 dispatch_run(struct vigild *, const char *action,
		    const char *parm, char *const *vars, const char *who,
		    const struct run_watch *, char **err);
struct plan;
uint64_t	 dispatch_plugin_run(struct vigild *, struct plan *,
		    const char *trigger, unsigned timeout,
		    const struct run_watch *, char **err);
void		 dispatch_unwatch(struct vigild *, uint64_t id);
bool		 dispatch_cancel(struct vigild *, uint64_t id);
struct job_info {
	uint64_t	 id;		/* the history id of its first link */
	const char	*action;	/* its current link */
	const char	*state;		/* delay, queued, running, ending */
	long		 pid;
	const char	*trigger_kind, *trigger;
	double		 received;
};
void		 dispatch_jobs(struct vigild *,
		    void (*)(const struct job_info *, void *), void *);
/* The daemon's idea of the time: the loop's, moved by --test-clock. */
double		 vigild_now(const struct vigild *);
bool		 dispatch_idle(const struct vigild *);
void		 lineage_copy(struct lineage *, const struct lineage *,
		    const char *add);
void		 lineage_free(struct lineage *);

/*
 * events.c: the daemon's own events, and messages produced by actions,
 * become messages that are queued and dispatched from the loop (never
 * from inside the callback that produced them).  An event's text is
 * "VGLnnnS EVENT OBJECT detail" from source VIGIL.
 */
void		 vigild_event(struct vigild *, const struct lineage *,
		    const char *event, const char *object, const char *fmt, ...)
		    __attribute__((format(printf, 5, 6)));
void		 vigild_inject(struct vigild *, const struct lineage *,
		    const char *source, const char *user, const char *text,
		    size_t len);
void		 vigild_drain(struct vigild *);
void		 vigild_drain_free(struct vigild *);
const char	*event_msgid(const char *event);

/*
 * sched.c: DEFSCHD schedules on libev periodic timers (absolute wall-clock
 * times, so a clock change or a suspend does not shift them).
 */
void		 scheds_start(struct vigild *);
void		 scheds_free(struct vigild *);
bool		 sched_due(const struct vigild *, const char *name, time_t *);

/* imon.c: DEFIMON idle monitors: what did not happen often enough. */
void		 imons_start(struct vigild *);
void		 imons_free(struct vigild *);
void		 imon_note(struct vigild *, int target, const char *name);

/* monitors.c: DEFMMON, DEFSMON, DEFPMON: probes run every INTERVAL. */
void		 monitors_start(struct vigild *);
void		 monitors_free(struct vigild *);

/*
 * plugins.c: Lua plugins (plugins/host.c, the API in plugins/prelude.lua)
 * in the daemon, with their workflows.  plugins_start keeps a plugin
 * whose file and CONFIG did not change (with its workflows running) and
 * starts the others, whose unfinished workflows resume from the store.
 */
void		 plugins_start(struct vigild *);
void		 plugins_message(struct vigild *, const struct message *,
		    const struct lineage *);
void		 plugins_free(struct vigild *);
/* An operator's command for workflow ID: cancel, pause, resume, confirm
 * (ANSWER yes or no); NULL on success, else why not (static). */
const char	*plugins_control(struct vigild *, uint64_t id, const char *op,
		    const char *who, bool answer);
/*
 * Whether a workflow waits for a time (a sleep, or a wait or confirmation
 * with a deadline): --once waits for those.  One that waits only for a
 * message or an answer would wait for ever; it resumes at the next start.
 */
bool		 plugins_busy(const struct vigild *);
/*
 * The daemon stops: what workflows waited for (a process that ends in the
 * stop's grace, a message, a time) is written to their journals and not
 * acted on, so the next start replays it instead of a workflow running on
 * while everything around it refuses.
 */
void		 plugins_stop(struct vigild *);
/* The prompt of the confirmation workflow ID waits for, or NULL. */
const char	*plugins_prompt(struct vigild *, uint64_t id);

/* vmevent.c: z/VM *VMEVENT records (as text) for DEFEMON. */
void		 vmevent_message(struct vigild *, const struct message *);

/* windows.c: DEFRULE correlation windows (actions/correlate.c). */
void		 windows_start(struct vigild *);
void		 windows_reload(struct vigild *);
void		 windows_stop(struct vigild *);
void		 windows_arm(struct vigild *);
void		 windows_message(struct vigild *, const struct message *);
bool		 windows_fire(struct vigild *, const struct rule *,
		    const struct message *);

/* counters.c: firings by kind and name, kept across reloads. */
void		 counter_hit(struct vigild *, const char *kind,
		    const char *name);
struct counter	 counter_get(struct vigild *, const char *kind,
		    const char *name);
void		 counters_free(struct vigild *);

/* suspend.c: SUSPEND and RESUME of rules, actions and sources. */
bool		 suspended(struct vigild *, const char *kind,
		    const char *name);
void		 suspend_load(struct vigild *);
void		 suspend_free(struct vigild *);
const char	*suspend_command(struct vigild *, const char *text,
		    const char *who, long uid, char **err);


#endif
