/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_runner.c - unit tests for actions/runner.c on a real libev loop
 * with real processes: output lines, exit status and signals, TIMEOUT of
 * a process and of its whole group, output caps, a command that does not
 * exist, NEXTACTN chains and ONFAIL, DELAY, MAXCONC, SERIAL, the global
 * cap, the refused queue, descriptors the child must not inherit and
 * zombies after runner_free.  How plans are built is tested elsewhere.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "actions/actions.h"
#include "tests/unit/testutil.h"

#define MAXDONE	8

/* What the callbacks saw for one job. */
struct rec {
	struct strbuf	 lines;		/* each line and '\n' */
	size_t		 nlines;
	size_t		 ndone;
	struct job_result res[MAXDONE];
	char		*action[MAXDONE];
	char		*error[MAXDONE];
	enum plan_kind	 kind[MAXDONE];	/* of res[].plan, borrowed */
	char		*text[MAXDONE];
	bool		 ended, interrupted;
};

static struct ev_loop	*loop;
static unsigned		 max_running;	/* seen by on_done */
static struct runner	*cur;

static void
on_line(struct job *j, const char *line, size_t len, void *arg)
{
	struct rec	*rec = arg;

	(void)j;
	ck_assert_uint_eq(strlen(line), len);
	strbuf_addn(&rec->lines, line, len);
	strbuf_addc(&rec->lines, '\n');
	rec->nlines++;
}

static void
on_done(struct job *j, const struct job_result *res, void *arg)
{
	struct rec		*rec = arg;
	struct runner_stats	 st;

	(void)j;
	ck_assert_uint_lt(rec->ndone, MAXDONE);
	rec->res[rec->ndone] = *res;
	rec->action[rec->ndone] = xstrdup(res->action);
	rec->error[rec->ndone] = res->error != NULL ? xstrdup(res->error) :
	    NULL;
	rec->kind[rec->ndone] = res->plan->kind;
	rec->text[rec->ndone] = res->plan->text != NULL ?
	    xstrdup(res->plan->text) : NULL;
	rec->ndone++;
	if (cur != NULL) {
		runner_stats(cur, &st);
		if (st.running + 1 > max_running)
			max_running = st.running + 1;
	}
}

static void
on_end(struct job *j, bool interrupted, void *arg)
{
	struct rec	*rec = arg;

	(void)j;
	rec->ended = true;
	rec->interrupted = interrupted;
}

static const struct runner_cb cbs = {
	.on_line = on_line, .on_done = on_done, .on_end = on_end
};

static void
rec_init(struct rec *rec)
{
	memset(rec, 0, sizeof *rec);
	strbuf_init(&rec->lines);
}

static void
rec_free(struct rec *rec)
{
	size_t	i;

	for (i = 0; i < rec->ndone; i++) {
		free(rec->action[i]);
		free(rec->error[i]);
		free(rec->text[i]);
	}
	strbuf_free(&rec->lines);
}

static const char *
rec_lines(struct rec *rec)
{
	return rec->lines.data != NULL ? rec->lines.data : "";
}

static struct plan *
mk_plan(enum plan_kind kind, const char *action, ...)
{
	struct plan	*p;
	va_list		 ap;
	const char	*s;

	p = xcalloc(1, sizeof *p);
	p->kind = kind;
	p->action = action;
	if (kind != PLAN_EXEC && kind != PLAN_SHELL)
		return p;
	p->argv = xcalloc(1, sizeof *p->argv);
	va_start(ap, action);
	while ((s = va_arg(ap, const char *)) != NULL) {
		p->argv->v = xreallocarray(p->argv->v, p->argv->n + 2,
		    sizeof *p->argv->v);
		p->argv->v[p->argv->n++] = xstrdup(s);
		p->argv->v[p->argv->n] = NULL;
	}
	va_end(ap);
	return p;
}

/* sh -c script */
static struct plan *
mk_sh(const char *action, const char *script)
{
	return mk_plan(PLAN_SHELL, action, "/bin/sh", "-c", script,
	    (char *)NULL);
}

static void
wake_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l;
	(void)w;
	(void)revents;
}

/* Run the loop until every rec has ended, at most secs seconds. */
static void
run_until(struct rec *recs, size_t n, double secs)
{
	ev_timer	 wake;
	double		 deadline = ev_time() + secs;
	size_t		 i;

	ev_timer_init(&wake, wake_cb, 0.05, 0.05);
	ev_timer_start(loop, &wake);
	for (;;) {
		for (i = 0; i < n && recs[i].ended; i++)
			;
		if (i == n)
			break;
		ck_assert_msg(ev_time() < deadline, "jobs still running after"
		    " %.1f s", secs);
		ev_run(loop, EVRUN_ONCE);
	}
	ev_timer_stop(loop, &wake);
}

/* Run the loop for secs seconds. */
static void
run_for(double secs)
{
	ev_timer	 wake;
	double		 deadline = ev_time() + secs;

	ev_timer_init(&wake, wake_cb, 0.02, 0.02);
	ev_timer_start(loop, &wake);
	while (ev_time() < deadline)
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &wake);
}

/* Wait (running the loop, which reaps) until a process group is gone. */
static bool
group_gone(long pgid, double secs)
{
	double	deadline = ev_time() + secs;

	for (;;) {
		if (kill(-(pid_t)pgid, 0) == -1 && errno == ESRCH)
			return true;
		if (ev_time() >= deadline)
			return false;
		run_for(0.05);
	}
}

static void
setup(void)
{
	loop = ev_default_loop(0);
	/* Orphans of an action come back to us, and libev reaps them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	max_running = 0;
	cur = NULL;
}

static void
teardown(void)
{
	cur = NULL;
}

static struct rec *
run_one(struct runner *r, struct plan *p, const struct runner_limits *lim,
    double secs)
{
	static struct rec	 rec;

	rec_init(&rec);
	ck_assert_ptr_nonnull(runner_start(r, p, lim, &cbs, &rec));
	run_until(&rec, 1, secs);
	return &rec;
}

START_TEST(test_lines_and_status)
{
	struct runner	*r = runner_create(loop, 4);
	struct rec	*rec;

	setenv("VIGIL_SECRET", "x", 1);
	rec = run_one(r, mk_sh("ECHO", "echo one; echo 'two  words'; "
	    "echo >&2 err; echo; printf 'last'"), NULL, 5);
	ck_assert_str_eq(rec_lines(rec), "one\ntwo  words\nerr\n\nlast\n");
	ck_assert_uint_eq(rec->ndone, 1);
	ck_assert(rec->res[0].ok);
	ck_assert(rec->res[0].last);
	ck_assert_int_eq(rec->res[0].status, 0);
	ck_assert_int_eq(rec->res[0].signal, 0);
	ck_assert_str_eq(rec->action[0], "ECHO");
	ck_assert_ptr_null(rec->error[0]);
	ck_assert_uint_eq(rec->res[0].output, 24);
	ck_assert_uint_eq(rec->res[0].dropped, 0);
	ck_assert(rec->res[0].end >= rec->res[0].start);
	ck_assert(!rec->interrupted);
	rec_free(rec);

	/* The allow-listed environment. */
	rec = run_one(r, mk_sh("ENV", "echo \"$VIGIL_ACTION\"; echo \"$PATH\";"
	    " echo \"${VIGIL_SECRET-unset}\""), NULL, 5);
	ck_assert_str_eq(rec_lines(rec), "ENV\n/usr/local/sbin:"
	    "/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nunset\n");
	rec_free(rec);

	rec = run_one(r, mk_sh("EXIT3", "echo x; exit 3"), NULL, 5);
	ck_assert(!rec->res[0].ok);
	ck_assert_int_eq(rec->res[0].status, 3);
	ck_assert_int_eq(rec->res[0].signal, 0);
	ck_assert_ptr_null(rec->error[0]);
	rec_free(rec);

	rec = run_one(r, mk_sh("SIG", "kill -USR1 $$"), NULL, 5);
	ck_assert(!rec->res[0].ok);
	ck_assert_int_eq(rec->res[0].status, -1);
	ck_assert_int_eq(rec->res[0].signal, SIGUSR1);
	ck_assert(!rec->res[0].timed_out);
	rec_free(rec);
	runner_free(r);
}
END_TEST

START_TEST(test_env_lines_fixed)
{
	/* PATH, VIGIL_ACTION, HOME, LANG, TZ and LC_* only. */
	struct runner	*r = runner_create(loop, 4);
	struct rec	*rec;

	clearenv();
	setenv("HOME", "/h", 1);
	setenv("LC_TIME", "C", 1);
	setenv("SECRET", "x", 1);
	rec = run_one(r, mk_plan(PLAN_EXEC, "E", "env", (char *)NULL), NULL,
	    5);
	/* env prints in environment order: PATH, HOME, LC_*, VIGIL_ACTION */
	ck_assert_str_eq(rec_lines(rec), "PATH=/usr/local/sbin:/usr/local/bin:"
	    "/usr/sbin:/usr/bin:/sbin:/bin\nHOME=/h\nLC_TIME=C\n"
	    "VIGIL_ACTION=E\n");
	rec_free(rec);
	runner_free(r);
}
END_TEST

/*
 * runner_cancel: the running job's group gets TERM and its chain goes no
 * further; a queued job ends at once with "cancelled"; cancelling an
 * ending job says false.
 */
START_TEST(test_cancel)
{
	struct runner	*r = runner_create(loop, 1);
	struct rec	 rec[2];
	struct job	*running, *queued;
	struct plan	*p;

	rec_init(&rec[0]);
	rec_init(&rec[1]);
	p = mk_plan(PLAN_EXEC, "LONG", "sleep", "60", (char *)NULL);
	p->next = mk_plan(PLAN_EXEC, "AFTER", "true", (char *)NULL);
	running = runner_start(r, p, NULL, &cbs, &rec[0]);
	queued = runner_start(r, mk_plan(PLAN_EXEC, "WAITS", "true",
	    (char *)NULL), NULL, &cbs, &rec[1]);
	run_for(0.2);
	ck_assert_str_eq(job_state_name(running), "running");
	ck_assert_str_eq(job_state_name(queued), "queued");
	ck_assert(runner_cancel(r, queued));
	ck_assert(!runner_cancel(r, queued));	/* already ending */
	ck_assert(runner_cancel(r, running));
	run_until(rec, 2, 5);
	ck_assert_uint_eq(rec[0].ndone, 1);	/* AFTER never ran */
	ck_assert_int_eq(rec[0].res[0].signal, SIGTERM);
	ck_assert(!rec[0].res[0].timed_out);
	ck_assert_uint_eq(rec[1].ndone, 1);
	ck_assert_str_eq(rec[1].error[0], "cancelled");
	rec_free(&rec[0]);
	rec_free(&rec[1]);
	runner_free(r);
}
END_TEST

START_TEST(test_timeout)
{
	struct runner		 *r = runner_create(loop, 4);
	struct runner_limits	  lim = { .timeout = 1 };
	struct runner_stats	  st;
	struct rec		 *rec;
	double			  t0 = ev_time();

	rec = run_one(r, mk_plan(PLAN_EXEC, "HANG", "sleep", "60",
	    (char *)NULL), &lim, 5);
	ck_assert(rec->res[0].timed_out);
	ck_assert(!rec->res[0].ok);
	ck_assert_int_eq(rec->res[0].signal, SIGTERM);
	ck_assert(rec->res[0].end - t0 >= 1.0);
	ck_assert(rec->res[0].end - t0 < 2.5);
	ck_assert(group_gone(rec->res[0].pid, 1));
	rec_free(rec);

	/* The whole group. */
	t0 = ev_time();
	rec = run_one(r, mk_sh("GROUP", "sleep 60 & sleep 60"), &lim, 5);
	ck_assert(rec->res[0].timed_out);
	ck_assert(rec->res[0].end - t0 < 2.5);
	ck_assert(group_gone(rec->res[0].pid, 2));
	rec_free(rec);

	/*
	 * A grandchild that ignores TERM keeps the pipe open: EOF gets a
	 * grace after the leader exited, then the group is KILLed.
	 */
	t0 = ev_time();
	rec = run_one(r, mk_sh("STUBBORN", "(trap '' TERM; sleep 60) & "
	    "sleep 60"), &lim, 6);
	ck_assert(rec->res[0].timed_out);
	ck_assert_int_eq(rec->res[0].signal, SIGTERM);
	ck_assert(rec->res[0].end - t0 >= 2.0);
	ck_assert(rec->res[0].end - t0 < 3.5);
	ck_assert(group_gone(rec->res[0].pid, 2));
	rec_free(rec);

	runner_stats(r, &st);
	ck_assert_uint_eq(st.timed_out, 3);
	ck_assert_uint_eq(st.failed, 3);
	ck_assert_uint_eq(st.running, 0);
	runner_free(r);
}
END_TEST

START_TEST(test_flood)
{
	struct runner	*r = runner_create(loop, 4);
	struct rec	*rec;
	size_t		 i;

	rec = run_one(r, mk_sh("FLOOD", "yes | head -c 5000000"), NULL, 10);
	ck_assert(rec->res[0].ok);
	ck_assert_uint_eq(rec->res[0].output, 1024 * 1024);
	ck_assert_uint_eq(rec->res[0].dropped, 5000000 - 1024 * 1024);
	ck_assert_uint_eq(rec->nlines, 1024 * 1024 / 2);
	for (i = 0; i < rec->lines.len; i += 2)
		ck_assert(memcmp(rec->lines.data + i, "y\n", 2) == 0);
	rec_free(rec);

	/* A line longer than 64 KiB is cut; the rest of it is dropped. */
	rec = run_one(r, mk_sh("LONG", "head -c 70000 /dev/zero | tr '\\0' a;"
	    " echo; echo after"), NULL, 5);
	ck_assert_uint_eq(rec->nlines, 2);
	ck_assert_uint_eq(rec->lines.len, 65536 + 1 + 6);
	ck_assert_str_eq(rec->lines.data + 65537, "after\n");
	ck_assert_uint_eq(rec->res[0].dropped, 70000 - 65536);
	ck_assert_uint_eq(rec->res[0].output, 70000 + 1 + 6);
	rec_free(rec);
	runner_free(r);
}
END_TEST

START_TEST(test_no_such_command)
{
	struct runner		*r = runner_create(loop, 4);
	struct runner_stats	 st;
	struct rec		*rec;

	rec = run_one(r, mk_plan(PLAN_EXEC, "NOPE", "vigil-no-such-command",
	    "x", (char *)NULL), NULL, 5);
	ck_assert_uint_eq(rec->ndone, 1);
	ck_assert(!rec->res[0].ok);
	ck_assert_int_eq(rec->res[0].status, -1);
	ck_assert_str_eq(rec->error[0], "cannot run 'vigil-no-such-command':"
	    " No such file or directory");
	rec_free(rec);

	rec = run_one(r, mk_plan(PLAN_EXEC, "DIR", "/", (char *)NULL), NULL,
	    5);
	ck_assert_str_eq(rec->error[0], "cannot run '/': Permission denied");
	rec_free(rec);

	rec = run_one(r, mk_plan(PLAN_EXEC, "EMPTY", (char *)NULL), NULL, 5);
	ck_assert_str_eq(rec->error[0], "empty command");
	rec_free(rec);

	runner_stats(r, &st);
	ck_assert_uint_eq(st.started, 3);
	ck_assert_uint_eq(st.finished, 3);
	ck_assert_uint_eq(st.failed, 3);
	runner_free(r);
}
END_TEST

/* A plan from rules, like the daemon makes it. */
static struct plan *
rules_plan(struct ruleset *rs, const char *name)
{
	struct subst_ctx	 ctx;
	struct plan		*p;

	memset(&ctx, 0, sizeof ctx);
	ctx.kind = "RULE";
	ctx.name = "T";
	ctx.now = time(NULL);
	p = plan_action(rs, name, NULL, &ctx);
	ck_assert_ptr_nonnull(p);
	return p;
}

START_TEST(test_chain)
{
	struct runner		*r = runner_create(loop, 4);
	struct runner_limits	 lim = { .onfail = ONFAIL_STOP };
	struct ruleset		*rs;
	struct rec		*rec;

	rs = tu_load_ok(
	    "DEFACTN NAME OK1 COMMAND 'echo one' NEXTACTN OK2\n"
	    "DEFACTN NAME OK2 COMMAND 'echo two' NEXTACTN SAY\n"
	    "DEFACTN NAME SAY EMIT 'VIGIL001I done'\n"
	    "DEFACTN NAME BAD COMMAND 'false' NEXTACTN AFTER\n"
	    "DEFACTN NAME AFTER COMMAND 'echo after'\n");

	rec = run_one(r, rules_plan(rs, "OK1"), &lim, 5);
	ck_assert_uint_eq(rec->ndone, 3);
	ck_assert_str_eq(rec_lines(rec), "one\ntwo\n");
	ck_assert_str_eq(rec->action[0], "OK1");
	ck_assert_str_eq(rec->action[1], "OK2");
	ck_assert_str_eq(rec->action[2], "SAY");
	ck_assert(rec->res[0].ok && !rec->res[0].last);
	ck_assert(rec->res[1].ok && !rec->res[1].last);
	ck_assert(rec->res[2].ok && rec->res[2].last);
	ck_assert_int_eq(rec->kind[0], PLAN_EXEC);
	ck_assert_int_eq(rec->kind[2], PLAN_EMIT);
	ck_assert_str_eq(rec->text[2], "VIGIL001I done");
	ck_assert_int_eq(rec->res[2].pid, 0);
	ck_assert(rec->res[1].start >= rec->res[0].end);
	rec_free(rec);

	rec = run_one(r, rules_plan(rs, "BAD"), &lim, 5);
	ck_assert_uint_eq(rec->ndone, 1);
	ck_assert(!rec->res[0].ok && rec->res[0].last);
	ck_assert_int_eq(rec->res[0].status, 1);
	ck_assert_str_eq(rec_lines(rec), "");
	rec_free(rec);

	lim.onfail = ONFAIL_CONTINUE;
	rec = run_one(r, rules_plan(rs, "BAD"), &lim, 5);
	ck_assert_uint_eq(rec->ndone, 2);
	ck_assert(!rec->res[0].ok && !rec->res[0].last);
	ck_assert(rec->res[1].ok && rec->res[1].last);
	ck_assert_str_eq(rec_lines(rec), "after\n");
	rec_free(rec);

	/* NULL is not a process but ends like one. */
	rec = run_one(r, rules_plan(rs, "NULL"), &lim, 5);
	ck_assert_uint_eq(rec->ndone, 1);
	ck_assert(rec->res[0].ok && rec->res[0].last);
	ck_assert_str_eq(rec->action[0], "NULL");
	rec_free(rec);

	runner_free(r);
	ruleset_free(rs);
}
END_TEST

START_TEST(test_delay)
{
	struct runner	*r = runner_create(loop, 4);
	struct plan	*p;
	struct rec	*rec;
	double		 t0;

	p = mk_plan(PLAN_EXEC, "LATER", "echo", "late", (char *)NULL);
	p->delay = 1;
	p->next = mk_plan(PLAN_CONSOLE, "TELL");
	p->next->delay = 1;
	t0 = ev_time();
	rec = run_one(r, p, NULL, 5);
	ck_assert_uint_eq(rec->ndone, 2);
	ck_assert(rec->res[0].start - t0 >= 1.0);
	ck_assert(rec->res[0].start - t0 < 1.5);
	ck_assert(rec->res[1].start - rec->res[0].end >= 1.0);
	ck_assert_str_eq(rec_lines(rec), "late\n");
	rec_free(rec);
	runner_free(r);
}
END_TEST

/* Start n jobs, each running script, and wait for them all. */
static void
run_many(struct runner *r, struct rec *recs, size_t n, const char *const *names,
    const struct runner_limits *lims, const char *script)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		rec_init(&recs[i]);
		runner_start(r, mk_sh(names[i], script), &lims[i], &cbs,
		    &recs[i]);
	}
	run_until(recs, n, 10);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(recs[i].ndone, 1);
}

START_TEST(test_maxconc_serial)
{
	struct runner		*r = runner_create(loop, 8);
	struct rec		 recs[4];
	const char *const	 same[] = { "M", "M", "M", "OTHER" };
	const char *const	 diff[] = { "A", "B", "C", "D" };
	struct runner_limits	 lims[4];
	size_t			 i;

	/* MAXCONC 1: M's run one after the other, OTHER alongside. */
	memset(lims, 0, sizeof lims);
	for (i = 0; i < 4; i++)
		lims[i].maxconc = 1;
	run_many(r, recs, 4, same, lims, "sleep 0.2");
	for (i = 1; i < 3; i++)
		ck_assert(recs[i].res[0].start >= recs[i - 1].res[0].end);
	ck_assert(recs[3].res[0].start < recs[0].res[0].end);
	for (i = 0; i < 4; i++)
		rec_free(&recs[i]);

	/* SERIAL: one key's jobs in order, whatever their action. */
	memset(lims, 0, sizeof lims);
	for (i = 0; i < 3; i++)
		lims[i].serial = "K1";
	lims[3].serial = "K2";
	run_many(r, recs, 4, diff, lims, "sleep 0.2");
	for (i = 1; i < 3; i++)
		ck_assert(recs[i].res[0].start >= recs[i - 1].res[0].end);
	ck_assert(recs[3].res[0].start < recs[0].res[0].end);
	for (i = 0; i < 4; i++)
		rec_free(&recs[i]);
	runner_free(r);
}
END_TEST

START_TEST(test_serial_chain)
{
	/* A key is held across a chain, its DELAY included. */
	struct runner		*r = runner_create(loop, 8);
	struct runner_limits	 lim = { .serial = "K" };
	struct rec		 recs[2];
	struct plan		*p;

	rec_init(&recs[0]);
	rec_init(&recs[1]);
	p = mk_sh("FIRST", "sleep 0.1");
	p->next = mk_sh("SECOND", "sleep 0.1");
	p->next->delay = 1;
	runner_start(r, p, &lim, &cbs, &recs[0]);
	runner_start(r, mk_sh("THIRD", "true"), &lim, &cbs, &recs[1]);
	run_until(recs, 2, 5);
	ck_assert_uint_eq(recs[0].ndone, 2);
	ck_assert(recs[1].res[0].start >= recs[0].res[1].end);
	rec_free(&recs[0]);
	rec_free(&recs[1]);
	runner_free(r);
}
END_TEST

START_TEST(test_global_cap)
{
	struct runner		*r = runner_create(loop, 2);
	struct runner_stats	 st;
	struct rec		 recs[5];
	struct runner_limits	 lims[5];
	const char *const	 names[] = { "A", "B", "C", "D", "E" };
	double			 t0 = ev_time();

	memset(lims, 0, sizeof lims);
	cur = r;
	run_many(r, recs, 5, names, lims, "sleep 0.2");
	ck_assert_uint_le(max_running, 2);
	ck_assert(ev_time() - t0 >= 0.6);
	runner_stats(r, &st);
	ck_assert_uint_eq(st.started, 5);
	ck_assert_uint_eq(st.finished, 5);
	ck_assert_uint_eq(st.running, 0);
	ck_assert_uint_eq(st.queued, 0);
	for (size_t i = 0; i < 5; i++)
		rec_free(&recs[i]);
	runner_free(r);
}
END_TEST

START_TEST(test_queue_full)
{
	struct runner		*r = runner_create(loop, 1);
	struct runner_stats	 st;
	struct rec		*recs;
	struct job		*j;
	size_t			 i, n = RUNNER_QUEUE_MAX + 1;

	recs = xcalloc(n, sizeof *recs);
	for (i = 0; i < n; i++) {
		rec_init(&recs[i]);
		j = runner_start(r, mk_plan(PLAN_NULL, "NULL"), NULL, &cbs,
		    &recs[i]);
		ck_assert_ptr_nonnull(j);
		ck_assert_uint_eq(recs[i].ndone, 0);	/* never at once */
	}
	runner_stats(r, &st);
	ck_assert_uint_eq(st.refused, 1);
	run_until(recs, n, 10);
	for (i = 0; i < n - 1; i++)
		ck_assert(recs[i].res[0].ok);
	ck_assert(!recs[n - 1].res[0].ok);
	ck_assert_str_eq(recs[n - 1].error[0],
	    "queue full: 10000 jobs waiting");
	for (i = 0; i < n; i++)
		rec_free(&recs[i]);
	free(recs);
	runner_stats(r, &st);
	ck_assert_uint_eq(st.finished, n - 1);
	runner_free(r);
}
END_TEST

START_TEST(test_no_fd_leak)
{
	struct runner	*r = runner_create(loop, 4);
	struct rec	*rec;
	int		 p[2], fd;

	/* Descriptors without close-on-exec, as a careless library leaves. */
	ck_assert_int_eq(pipe(p), 0);
	fd = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	rec = run_one(r, mk_plan(PLAN_EXEC, "FDS", "ls", "/proc/self/fd",
	    (char *)NULL), NULL, 5);
	ck_assert_str_eq(rec_lines(rec), "0\n1\n2\n3\n");
	rec_free(rec);
	close(p[0]);
	close(p[1]);
	close(fd);
	runner_free(r);
}
END_TEST

START_TEST(test_no_zombies)
{
	struct runner	*r = runner_create(loop, 2);
	struct rec	 recs[4];
	size_t		 i;

	for (i = 0; i < 4; i++) {
		rec_init(&recs[i]);
		runner_start(r, mk_plan(PLAN_EXEC, "Z", "sleep", "60",
		    (char *)NULL), NULL, &cbs, &recs[i]);
	}
	run_for(0.2);
	runner_free(r);
	for (i = 0; i < 4; i++) {
		ck_assert(recs[i].ended && recs[i].interrupted);
		ck_assert_uint_eq(recs[i].ndone, 0);
		rec_free(&recs[i]);
	}
	errno = 0;
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}
END_TEST

static Suite *
runner_suite(void)
{
	Suite	*s = suite_create("runner");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_lines_and_status);
	tcase_add_test(tc, test_env_lines_fixed);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_flood);
	tcase_add_test(tc, test_no_such_command);
	tcase_add_test(tc, test_chain);
	tcase_add_test(tc, test_delay);
	tcase_add_test(tc, test_maxconc_serial);
	tcase_add_test(tc, test_serial_chain);
	tcase_add_test(tc, test_global_cap);
	tcase_add_test(tc, test_queue_full);
	tcase_add_test(tc, test_no_fd_leak);
	tcase_add_test(tc, test_no_zombies);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(runner_suite());
	int	 failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
