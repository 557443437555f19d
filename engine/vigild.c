/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vigild.c - the daemon's entry point and main loop.  "-n" checks the
 * rule files exactly as "vigil check" does and exits 0 or 1.  Otherwise it
 * loads the rules, reads messages from standard input (in the FORMAT, USER
 * and SYSTEM of a DEFSRC TYPE STDIN when there is one), fires rules and
 * runs their actions; SIGHUP reloads the rules, keeping the running ones
 * if the files do not validate; SIGTERM and SIGINT stop it (running
 * actions are killed and reported).  With --once it stops when the input
 * has ended and every action has finished.  Only standard input is read
 * in this version: other DEFSRC types are reported and ignored.
 */
#include "config.h"

#include <ev.h>
#include <getopt.h>
#include <sys/prctl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions/actions.h"
#include "cli/cli.h"
#include "engine/engine.h"
#include "rules/rules.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: vigild [-n] [-c FILE] [-S SOCKET] [-D STATEDIR]"
	    " [--once]\n");
}

/* Load a ruleset and its matcher; NULL after logging every error. */
struct rsref *
rsref_load(const char *config, bool quiet)
{
	struct diag	 diag;
	struct ruleset	*rs;
	struct rsref	*ref;

	diag_init(&diag);
	rs = ruleset_load(config, &diag);
	diag_print(&diag, stderr);
	diag_free(&diag);
	if (rs == NULL)
		return NULL;
	ref = xcalloc(1, sizeof *ref);
	ref->rs = rs;
	ref->m = matcher_create(rs);
	ref->refs = 1;
	return ref;
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
	struct vigild	*d = w->data;
	struct rsref	*ref;

	log_info("reloading %s", d->config);
	if ((ref = rsref_load(d->config, false)) == NULL) {
		d->reload_failures++;
		log_warnx("reload failed: the rules in force stay (%zu rules)",
		    ruleset_count(d->cur->rs, DEF_RULE));
		return;
	}
	rsref_put(d->cur);
	d->cur = ref;
	d->reloads++;
	log_info("reloaded: %zu rules", ruleset_count(ref->rs, DEF_RULE));
}

static void
on_stop(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct vigild	*d = w->data;

	log_info("signal %d: stopping", w->signum);
	d->stopping = true;
	ev_break(loop, EVBREAK_ALL);
}

/* --once: stop when the input has ended and no action is left. */
static void
on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct vigild	*d = w->data;

	if (d->once && src_fd_eof(d->input) && dispatch_idle(d))
		ev_break(loop, EVBREAK_ALL);
}

static void
report_sources(const struct ruleset *rs, int *format, const char **user,
    const char **system)
{
	const struct source	*src;
	size_t			 i;

	for (i = 0; i < ruleset_count(rs, DEF_SOURCE); i++) {
		src = (const struct source *)ruleset_get(rs, DEF_SOURCE, i);
		if (src->type == SRC_STDIN) {
			*format = src->format;
			*user = src->user;
			*system = src->system;
		} else
			log_warnx("source %s: this version reads only standard"
			    " input; the source is ignored", src->def.name);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, 'S' },
		{ "state-dir", required_argument, NULL, 'D' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char		*config = VIGILD_DEFAULT_CONFIG;
	int		 ch, check = 0, format = FMT_AUTO;
	const char	*user = NULL, *system = NULL;
	struct vigild	 d;
	ev_signal	 sighup, sigterm, sigint;
	ev_prepare	 prepare;
	struct runner_stats st;

	log_init("vigild", 0);
	memset(&d, 0, sizeof d);
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
		case 'D':
			break;	/* the control socket and state come later */
		case 'o':
			d.once = true;
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
	if ((d.cur = rsref_load(config, false)) == NULL) {
		log_warnx("%s: not started: the rules do not validate", config);
		return EXIT_FAILED;
	}
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Orphaned grandchildren of actions become ours, so libev reaps
	 * them: no zombies even where PID 1 does not reap.
	 */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	d.loop = ev_default_loop(EVFLAG_AUTO);
	d.runner = runner_create(d.loop, VIGILD_MAX_CHILDREN);
	report_sources(d.cur->rs, &format, &user, &system);
	d.input = src_fd_create(&d, STDIN_FILENO, "STDIN", format, user,
	    system);
	log_info("started: %zu rules, %zu actions; reading standard input",
	    ruleset_count(d.cur->rs, DEF_RULE),
	    ruleset_count(d.cur->rs, DEF_ACTION));

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
	/* With --once, the signal watchers must not keep the loop alive. */
	if (d.once) {
		ev_unref(d.loop);
		ev_unref(d.loop);
		ev_unref(d.loop);
	}

	ev_run(d.loop, 0);

	runner_stats(d.runner, &st);
	src_fd_free(d.input);
	runner_free(d.runner);	/* kills and reaps what still runs */
	log_info("stopped: %llu messages, %llu rule firings, %llu action"
	    " links run, %llu failed, %llu timed out; %llu reloads (%llu"
	    " failed)", (unsigned long long)d.messages,
	    (unsigned long long)d.fired, (unsigned long long)st.finished,
	    (unsigned long long)st.failed, (unsigned long long)st.timed_out,
	    (unsigned long long)d.reloads,
	    (unsigned long long)d.reload_failures);
	rsref_put(d.cur);
	ev_loop_destroy(d.loop);
	return EXIT_OK;
}
