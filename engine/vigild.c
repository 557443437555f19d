/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vigild.c - the daemon's entry point and main loop.  "-n" checks the
 * rule files exactly as "vigil check" does and exits 0 or 1.  Otherwise
 * it loads the rules, opens its state directory (SQLite history and
 * offsets, the console log), starts every DEFSRC (standard input when
 * there is none), fires rules and runs their actions.  SIGHUP reloads the
 * rules, keeping the running ones if the files do not validate.  SIGTERM
 * and SIGINT stop reading, give running actions VIGILD_STOP_GRACE seconds
 * to end, then kill what is left and record it as interrupted.  With
 * --once it stops when every source has ended and every action has
 * finished.  It runs in the foreground (systemd supervises it).
 */
#include "config.h"

#include <errno.h>
#include <ev.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <syslog.h>
#include <unistd.h>

#include "actions/actions.h"
#include "cli/cli.h"
#include "engine/conslog.h"
#include "engine/control.h"
#include "engine/engine.h"
#include "engine/source.h"
#include "engine/state.h"
#include "rules/rules.h"

#define HOUSEKEEPING_EVERY	1.0	/* offsets saved, retries, expiry */

static void
usage(FILE *f)
{
	fprintf(f, "usage: vigild [-n] [-c FILE] [-S SOCKET] [-D STATEDIR]"
	    " [--once] [--console-log DIR]\n"
	    "              [--console-log-size BYTES] [--log-json]"
	    " [--syslog]\n"
	    "              [--stop-grace SECONDS] [--log-messages]"
	    " [--test-clock TIME]\n");
}

/*
 * Load a ruleset and its matcher; NULL after reporting every error: on
 * standard error, and into msgs too when given (for "vigil reload").
 */
struct rsref *
rsref_load(const char *config, struct strbuf *msgs)
{
	struct diag		 diag;
	struct ruleset		*rs;
	struct rsref		*ref;
	char			*line;
	size_t			 i;

	diag_init(&diag);
	rs = ruleset_load(config, &diag);
	diag_print(&diag, stderr);
	for (i = 0; msgs != NULL && i < diag.n; i++) {
		line = diag_format(&diag.items[i]);
		strbuf_adds(msgs, line);
		strbuf_addc(msgs, '\n');
		free(line);
	}
	diag_free(&diag);
	if (rs == NULL)
		return NULL;
	ref = xcalloc(1, sizeof *ref);
	ref->rs = rs;
	ref->m = matcher_create(rs);
	ref->refs = 1;
	return ref;
}

/* What identifies a ruleset in force: FNV-1a of its canonical dump. */
static void
set_checksum(struct vigild *d)
{
	struct strbuf	 sb;
	uint64_t	 h;

	strbuf_init(&sb);
	ruleset_dump(d->cur->rs, &sb);
	h = fnv1a(FNV1A_BASIS, sb.data, sb.len);
	strbuf_free(&sb);
	free(d->checksum);
	xasprintf(&d->checksum, "%016llx", (unsigned long long)h);
	d->loaded = vigild_now(d);
}

/*
 * Reload the rule files: the new rules replace those in force only if
 * they validate.  Errors go to the log, and into msgs when given.
 */
bool
vigild_reload(struct vigild *d, struct strbuf *msgs)
{
	struct rsref	*ref;

	log_info("reloading %s", d->config);
	if ((ref = rsref_load(d->config, msgs)) == NULL) {
		d->reload_failures++;
		vigild_event(d, NULL, "RELOAD_FAILED", d->config,
		    "the rules in force stay (%zu rules); see the log for"
		    " every error", ruleset_count(d->cur->rs, DEF_RULE));
		return false;
	}
	rsref_put(d->cur);
	d->cur = ref;
	d->reloads++;
	set_checksum(d);
	sources_reload(d, ref->rs);
	scheds_start(d);
	imons_start(d);
	monitors_start(d);
	plugins_start(d);
	windows_reload(d);
	vigild_event(d, NULL, "RELOAD_DONE", d->config, "%zu rules, %zu"
	    " actions", ruleset_count(ref->rs, DEF_RULE),
	    ruleset_count(ref->rs, DEF_ACTION));
	return true;
}

void
rsref_put(struct rsref *ref)
{
	if (ref == NULL || --ref->refs > 0)
		return;
	matcher_free(ref->m);
	ruleset_free(ref->rs);
	free(ref);
}

static void
on_reload(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	vigild_reload(w->data, NULL);
}

static double	stop_grace = VIGILD_STOP_GRACE;

/* The recent log, for "vigil log": a ring of LOGRING_MAX lines. */
#define LOGRING_MAX	1000
struct logline {
	double		 when;
	char		*text;		/* "level: text" */
};
static struct logline	 logring[LOGRING_MAX];
static size_t		 logring_next;
static struct vigild	*logring_d;

static void
log_keep(const char *level, const char *line, void *arg)
{
	struct logline	*l = &logring[logring_next++ % LOGRING_MAX];

	(void)arg;
	free(l->text);
	xasprintf(&l->text, "%s: %s", level, line);
	l->when = logring_d != NULL && logring_d->loop != NULL ?
	    vigild_now(logring_d) : 0;
	if (logring_d != NULL)
		ctl_log_line(logring_d, l->when, l->text);
}

/* The recent log lines, oldest first. */
void
vigild_log_each(void (*cb)(double, const char *, void *), void *arg)
{
	size_t	 i, n = logring_next < LOGRING_MAX ? logring_next : LOGRING_MAX;

	for (i = logring_next - n; i < logring_next; i++)
		cb(logring[i % LOGRING_MAX].when,
		    logring[i % LOGRING_MAX].text, arg);
}

static void
logring_free(void)
{
	size_t	 i;

	for (i = 0; i < LOGRING_MAX; i++) {
		free(logring[i].text);
		logring[i].text = NULL;
	}
}

/* "YYYY-MM-DDTHH:MM:SS" in local time. */
static bool
parse_clock(const char *s, time_t *t)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof tm);
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL ||
	    *end != '\0')
		return false;
	tm.tm_isdst = -1;
	return (*t = mktime(&tm)) != (time_t)-1;
}

double
vigild_now(const struct vigild *d)
{
	return ev_now(d->loop) + d->clock_offset;
}

static void
on_grace(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	log_warnx("running actions did not end within %g s: killing them",
	    stop_grace);
	ev_break(loop, EVBREAK_ALL);
}

/*
 * Stop: no more reading; running actions get --stop-grace seconds; the
 * loop ends when none is left (on_prepare) or the grace is over.  A
 * second stop ends it at once.
 */
void
vigild_stop(struct vigild *d, const char *why)
{
	static ev_timer	 grace;

	if (d->stopping) {
		log_warnx("%s again: stopping now", why);
		ev_break(d->loop, EVBREAK_ALL);
		return;
	}
	log_info("%s: stopping; %llu actions still running or waiting", why,
	    (unsigned long long)d->jobs);
	d->stopping = true;
	plugins_stop(d);
	sources_pause(d, true);
	sources_checkpoint(d);
	ev_timer_init(&grace, on_grace, stop_grace, 0);
	ev_timer_start(d->loop, &grace);
}

static void
on_stop(struct ev_loop *loop, ev_signal *w, int revents)
{
	char	 why[32];

	(void)loop;
	(void)revents;
	snprintf(why, sizeof why, "signal %d", w->signum);
	vigild_stop(w->data, why);
}

/*
 * Once per loop iteration, before it waits: dispatch what was queued,
 * apply backpressure, flush the console log, and see whether to stop.
 */
static void
on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct vigild	*d = w->data;
	unsigned	 waiting;

	(void)revents;
	vigild_drain(d);
	waiting = runner_waiting(d->runner);
	if (!d->stopping && !d->paused && waiting >= VIGILD_PAUSE_AT) {
		d->paused = true;
		sources_pause(d, true);
		vigild_event(d, NULL, "SOURCE_PAUSED", "ALL", "%u actions"
		    " waiting: reading paused", waiting);
	} else if (!d->stopping && d->paused && waiting <= VIGILD_RESUME_AT) {
		d->paused = false;
		sources_pause(d, false);
		vigild_event(d, NULL, "SOURCE_RESUMED", "ALL", "%u actions"
		    " waiting: reading again", waiting);
	}
	if (d->conslog != NULL)
		conslog_flush(d->conslog);
	if (d->stopping && d->jobs == 0)
		ev_break(loop, EVBREAK_ALL);
	if (d->once && sources_ended(d) && dispatch_idle(d) &&
	    !plugins_busy(d))
		ev_break(loop, EVBREAK_ALL);
}

static void
on_housekeeping(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vigild	*d = w->data;

	(void)revents;
	sources_checkpoint(d);
	if (d->state != NULL && state_degraded(d->state))
		state_retry(d->state);
	limits_expire(d->limits, vigild_now(d));
}

static void
on_state_health(bool degraded, const char *why, void *arg)
{
	struct vigild	*d = arg;

	if (d->loop == NULL)
		return;
	vigild_event(d, NULL, degraded ? "STATE_DEGRADED" : "STATE_RECOVERED",
	    "STATE", "%s", why);
}

static void
on_conslog_health(bool degraded, const char *why, void *arg)
{
	struct vigild	*d = arg;

	vigild_event(d, NULL, degraded ? "CONSLOG_DEGRADED" :
	    "CONSLOG_RECOVERED", "CONSLOG", "%s", why);
}

int
main(int argc, char **argv)
{
	enum { OPT_ONCE = 256, OPT_CONSLOG, OPT_CONSLOG_SIZE, OPT_JSON,
	    OPT_SYSLOG, OPT_GRACE, OPT_LOGMSG, OPT_CLOCK };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, 'S' },
		{ "state-dir", required_argument, NULL, 'D' },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "console-log", required_argument, NULL, OPT_CONSLOG },
		{ "console-log-size", required_argument, NULL,
		    OPT_CONSLOG_SIZE },
		{ "log-json", no_argument, NULL, OPT_JSON },
		{ "syslog", no_argument, NULL, OPT_SYSLOG },
		{ "stop-grace", required_argument, NULL, OPT_GRACE },
		{ "log-messages", no_argument, NULL, OPT_LOGMSG },
		{ "test-clock", required_argument, NULL, OPT_CLOCK },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char		*config = VIGILD_DEFAULT_CONFIG, *err = NULL, *end;
	char		*conslog_dir = NULL;
	time_t		 test_clock = 0;
	unsigned long long conslog_size = CONSLOG_MAX_BYTES;
	int		 ch, check = 0;
	uint64_t	 interrupted = 0;
	struct vigild	 d;
	struct utsname	 un;
	ev_signal	 sighup, sigterm, sigint;
	ev_prepare	 prepare;
	ev_timer	 housekeeping;
	struct runner_stats st;

	log_init("vigild", 0);
	memset(&d, 0, sizeof d);
	logring_d = &d;
	log_set_hook(log_keep, NULL);
	d.statedir = VIGILD_DEFAULT_STATEDIR;
	d.pending_tail = &d.pending;
	while ((ch = getopt_long(argc, argv, "c:nS:D:hV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'S':
			d.socket_path = optarg;
			break;
		case 'D':
			d.statedir = optarg;
			break;
		case OPT_ONCE:
			d.once = true;
			break;
		case OPT_CONSLOG:
			conslog_dir = optarg;
			break;
		case OPT_CONSLOG_SIZE:
			errno = 0;
			conslog_size = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || conslog_size < 1024) {
				fprintf(stderr, "vigild: --console-log-size:"
				    " bytes, at least 1024, got '%s'\n",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_GRACE:
			errno = 0;
			stop_grace = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || stop_grace < 0 ||
			    stop_grace > 3600) {
				fprintf(stderr, "vigild: --stop-grace: seconds"
				    " from 0 to 3600, got '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_CLOCK:
			if (!parse_clock(optarg, &test_clock)) {
				fprintf(stderr, "vigild: --test-clock: expected"
				    " a local time YYYY-MM-DDTHH:MM:SS, got"
				    " '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_LOGMSG:
			d.log_messages = true;
			break;
		case OPT_JSON:
			log_set_json(1);
			break;
		case OPT_SYSLOG:
			log_set_syslog(LOG_DAEMON);
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("vigild %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (check)
		return check_files(1, &config, 0, 0, "vigild");

	d.config = config;
	if ((d.cur = rsref_load(config, NULL)) == NULL) {
		log_warnx("%s: not started: the rules do not validate", config);
		return EXIT_FAILED;
	}
	if ((d.state = state_open(d.statedir, on_state_health, &d,
	    &interrupted, &err)) == NULL) {
		log_warnx("not started: %s", err);
		free(err);
		rsref_put(d.cur);
		return EXIT_FAILED;
	}
	if (interrupted > 0)
		log_warnx("%llu actions were still running when the last run"
		    " ended: recorded as interrupted",
		    (unsigned long long)interrupted);
	if (conslog_dir == NULL)
		xasprintf(&conslog_dir, "%s/console", d.statedir);
	else
		conslog_dir = xstrdup(conslog_dir);
	d.conslog = conslog_open(conslog_dir, conslog_size, CONSLOG_KEEP,
	    on_conslog_health, &d, &err);
	if (d.conslog == NULL) {
		log_warnx("not started: %s", err);
		free(err);
		free(conslog_dir);
		state_close(d.state);
		rsref_put(d.cur);
		return EXIT_FAILED;
	}
	free(conslog_dir);

	signal(SIGPIPE, SIG_IGN);
	/*
	 * Orphaned grandchildren of actions become ours, so libev reaps
	 * them: no zombies even where PID 1 does not reap.
	 */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	d.sysname = uname(&un) == 0 ? xstrdup(un.nodename) : xstrdup("?");
	d.loop = ev_default_loop(EVFLAG_AUTO);
	d.started = ev_now(d.loop);
	if (test_clock != 0) {
		/* Tests and demonstrations: the daemon's clock starts there. */
		d.clock_offset = (double)test_clock - ev_now(d.loop);
		log_warnx("--test-clock: the daemon's clock is moved by %+.0f"
		    " seconds", d.clock_offset);
		d.started += d.clock_offset;
	}
	set_checksum(&d);
	d.runner = runner_create(d.loop, VIGILD_MAX_CHILDREN);
	d.limits = limits_create();
	suspend_load(&d);
	/* The client reads $VIGIL_SOCKET too: one setting serves both. */
	if (d.socket_path == NULL || *d.socket_path == '\0')
		d.socket_path = getenv("VIGIL_SOCKET");
	if (d.socket_path == NULL || *d.socket_path == '\0')
		d.socket_path = VIGILD_DEFAULT_SOCKET;
	if (!sources_start(&d, &err) ||
	    !ctl_start(&d, d.socket_path, &err)) {
		log_warnx("not started: %s", err);
		free(err);
		sources_free(&d);
		runner_free(d.runner);
		limits_free(d.limits);
		suspend_free(&d);
		conslog_close(d.conslog);
		state_close(d.state);
		vigild_drain_free(&d);
		rsref_put(d.cur);
		free((char *)d.sysname);
		free(d.checksum);
		ev_loop_destroy(d.loop);
		log_set_hook(NULL, NULL);
		logring_d = NULL;
		logring_free();
		return EXIT_FAILED;
	}
	scheds_start(&d);
	imons_start(&d);
	monitors_start(&d);
	plugins_start(&d);
	windows_start(&d);
	vigild_event(&d, NULL, "DAEMON_STARTED", "VIGILD", "%zu rules, %zu"
	    " actions, %zu sources; state in %s",
	    ruleset_count(d.cur->rs, DEF_RULE),
	    ruleset_count(d.cur->rs, DEF_ACTION),
	    ruleset_count(d.cur->rs, DEF_SOURCE), d.statedir);

	ev_signal_init(&sighup, on_reload, SIGHUP);
	ev_signal_init(&sigterm, on_stop, SIGTERM);
	ev_signal_init(&sigint, on_stop, SIGINT);
	sighup.data = sigterm.data = sigint.data = &d;
	ev_signal_start(d.loop, &sighup);
	ev_signal_start(d.loop, &sigterm);
	ev_signal_start(d.loop, &sigint);
	ev_prepare_init(&prepare, on_prepare);
	prepare.data = &d;
	ev_prepare_start(d.loop, &prepare);
	ev_timer_init(&housekeeping, on_housekeeping, HOUSEKEEPING_EVERY,
	    HOUSEKEEPING_EVERY);
	housekeeping.data = &d;
	ev_timer_start(d.loop, &housekeeping);
	/*
	 * With --once, signal watchers and the timer must not keep the loop
	 * alive; otherwise the daemon runs until it is told to stop, even
	 * when every source has ended.
	 */
	if (d.once) {
		ev_unref(d.loop);
		ev_unref(d.loop);
		ev_unref(d.loop);
		ev_unref(d.loop);
	}

	ev_run(d.loop, 0);

	runner_stats(d.runner, &st);
	scheds_free(&d);
	imons_free(&d);
	monitors_free(&d);
	plugins_free(&d);
	windows_stop(&d);
	sources_report(&d);
	ctl_stop(&d);		/* clients' commands cancelled */
	sources_free(&d);	/* offsets saved */
	runner_free(d.runner);	/* kills what still runs: interrupted */
	vigild_drain_free(&d);
	if (d.interrupted > 0)
		log_warnx("%llu actions interrupted by the stop (recorded in"
		    " the history)", (unsigned long long)d.interrupted);
	log_info("stopped: %llu messages from sources and %llu from actions"
	    " and events, %llu rule firings, %llu held by correlation windows,"
	    " %llu limited,"
	    " %llu stopped by the loop guard, %llu action links run, %llu"
	    " failed, %llu timed out, %llu refused; %llu reloads (%llu"
	    " failed)", (unsigned long long)(d.messages - d.injected),
	    (unsigned long long)d.injected, (unsigned long long)d.fired,
	    (unsigned long long)d.correlated, (unsigned long long)d.limited,
	    (unsigned long long)d.looped, (unsigned long long)st.finished,
	    (unsigned long long)st.failed, (unsigned long long)st.timed_out,
	    (unsigned long long)st.refused, (unsigned long long)d.reloads,
	    (unsigned long long)d.reload_failures);
	limits_free(d.limits);
	suspend_free(&d);
	counters_free(&d);
	conslog_close(d.conslog);
	state_close(d.state);
	rsref_put(d.cur);
	ev_loop_destroy(d.loop);
	free((char *)d.sysname);
	free(d.checksum);
	log_set_hook(NULL, NULL);
	logring_d = NULL;
	logring_free();
	return EXIT_OK;
}
