/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_state.c - unit tests for engine/state.c against real SQLite files
 * in a private directory per test: every table survives a close and a
 * reopen, history filters and limits, jobs a killed vigild left running
 * come back interrupted, the lock between two opens, refused directories
 * and databases (writable by others, not a directory, not a database,
 * corrupt, newer schema, locked), writes kept in memory while another
 * program holds the database and replayed in order, the memory queue's
 * overflow, writes lost at close, and a real full file system (a tiny
 * tmpfs, when we may mount one).  No test hooks: every failure is real.
 */
#include "config.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "engine/state.h"
#include "util/util.h"

/* Every test's directory lives under this one; main() removes it. */
static char	base[] = "/tmp/check_state.XXXXXX";

/* What the health callback saw. */
struct health {
	int	 ndegraded;
	int	 nrecovered;
	char	*why;		/* the last one */
};

/* A copy of a history row. */
struct hcopy {
	uint64_t	 id, chain;
	char		*trigger_kind, *trigger, *action, *argv, *message;
	char		*source, *user, *result, *error, *output;
	double		 received, start, end;
	long		 pid;
	int		 status, signal;
};
struct hlist {
	size_t		 n;
	struct hcopy	*r;
};

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void
rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *
tmpdir(void)
{
	char	*d;

	xasprintf(&d, "%s/t.XXXXXX", base);
	ck_assert_msg(mkdtemp(d) != NULL, "mkdtemp %s: %s", d,
	    strerror(errno));
	return d;
}

static char *
join(const char *dir, const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", dir, name);
	return p;
}

static char *
sdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
on_health(bool degraded, const char *why, void *arg)
{
	struct health	*h = arg;

	if (degraded)
		h->ndegraded++;
	else
		h->nrecovered++;
	free(h->why);
	h->why = xstrdup(why);
}

static void
health_free(struct health *h)
{
	free(h->why);
	h->why = NULL;
}

static struct state *
open_ok(const char *dir, struct health *h, uint64_t *interrupted)
{
	struct state	*st;
	char		*err = NULL;
	uint64_t	 n;

	st = state_open(dir, on_health, h, interrupted != NULL ? interrupted :
	    &n, &err);
	ck_assert_msg(st != NULL, "state_open %s: %s", dir, err);
	ck_assert_ptr_null(err);
	return st;
}

static char *
open_fail(const char *dir)
{
	struct state	*st;
	char		*err = NULL;

	st = state_open(dir, NULL, NULL, NULL, &err);
	ck_assert_msg(st == NULL, "state_open %s succeeded", dir);
	ck_assert_ptr_nonnull(err);
	return err;
}

static void
assert_has(const char *s, const char *want)
{
	ck_assert_msg(s != NULL && strstr(s, want) != NULL,
	    "\"%s\" lacks \"%s\"", s != NULL ? s : "(null)", want);
}

/* --- history ----------------------------------------------------------- */

static void
on_hist(const struct hist_row *r, void *arg)
{
	struct hlist	*l = arg;
	struct hcopy	*c;

	l->r = xreallocarray(l->r, l->n + 1, sizeof *l->r);
	c = &l->r[l->n++];
	c->id = r->id;
	c->chain = r->chain;
	c->trigger_kind = sdup(r->trigger_kind);
	c->trigger = sdup(r->trigger);
	c->action = sdup(r->action);
	c->argv = sdup(r->argv);
	c->message = sdup(r->message);
	c->source = sdup(r->source);
	c->user = sdup(r->user);
	c->result = sdup(r->result);
	c->error = sdup(r->error);
	c->output = sdup(r->output);
	c->received = r->received;
	c->start = r->start;
	c->end = r->end;
	c->pid = r->pid;
	c->status = r->status;
	c->signal = r->signal;
}

static void
hlist_free(struct hlist *l)
{
	size_t		 i;
	struct hcopy	*c;

	for (i = 0; i < l->n; i++) {
		c = &l->r[i];
		free(c->trigger_kind);
		free(c->trigger);
		free(c->action);
		free(c->argv);
		free(c->message);
		free(c->source);
		free(c->user);
		free(c->result);
		free(c->error);
		free(c->output);
	}
	free(l->r);
	l->r = NULL;
	l->n = 0;
}

/* The ids a query returns, as "1 2 3". */
static char *
hist_ids(struct state *st, const char *trigger, const char *action,
    double since, unsigned limit)
{
	struct hist_filter	 f = { trigger, action, since, limit };
	struct hlist		 l = { 0 };
	struct strbuf		 sb;
	size_t			 i;

	state_history_each(st, &f, on_hist, &l);
	strbuf_init(&sb);
	for (i = 0; i < l.n; i++)
		strbuf_addf(&sb, "%s%" PRIu64, i > 0 ? " " : "", l.r[i].id);
	hlist_free(&l);
	return strbuf_steal(&sb);
}

/* A job that started and ended. */
static uint64_t
add_job(struct state *st, const char *trigger, const char *action,
    double start, const char *output)
{
	struct hist_start	 hs = { 0 };
	struct hist_end		 he = { 0 };

	hs.id = state_next_job_id(st);
	hs.chain = hs.id;
	hs.trigger_kind = "RULE";
	hs.trigger = trigger;
	hs.action = action;
	hs.argv = "echo\x1fhi";
	hs.received = start - 0.5;
	hs.start = start;
	hs.pid = 4242;
	state_history_start(st, &hs);
	he.id = hs.id;
	he.end = start + 1;
	he.status = 0;
	he.result = "ok";
	he.output = output;
	he.output_len = output != NULL ? strlen(output) : 0;
	state_history_end(st, &he);
	return hs.id;
}

/* --- a raw connection, as another program would have ------------------- */

static sqlite3 *
raw_open(const char *dir)
{
	sqlite3	*db;
	char	*path = join(dir, STATE_DB_NAME);

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	free(path);
	return db;
}

static void
raw_exec(sqlite3 *db, const char *sql)
{
	char	*m = NULL;

	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &m) == SQLITE_OK,
	    "%s: %s", sql, m);
}

static int64_t
raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*s;
	int64_t		 v;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static char *
raw_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*s;
	char		*v;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	v = sdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

/* --- stderr, for what state_close logs --------------------------------- */

struct capture {
	int	 saved;
	char	*path;
};

static void
capture_begin(struct capture *c)
{
	int	fd;

	xasprintf(&c->path, "%s/stderr.XXXXXX", base);
	fd = mkstemp(c->path);
	ck_assert_int_ne(fd, -1);
	fflush(stderr);
	c->saved = dup(2);
	dup2(fd, 2);
	close(fd);
}

static char *
capture_end(struct capture *c)
{
	struct strbuf	 sb;
	char		 buf[512];
	ssize_t		 n;
	int		 fd;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	strbuf_init(&sb);
	fd = open(c->path, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		strbuf_addn(&sb, buf, n);
	close(fd);
	unlink(c->path);
	free(c->path);
	return strbuf_steal(&sb);
}

/* --- tests -------------------------------------------------------------- */

START_TEST(test_create)
{
	char		*d = tmpdir(), *sd = join(d, "state");
	char		*lock = join(sd, STATE_LOCK_NAME), *missing, *err, *s;
	char		*dbf = join(sd, STATE_DB_NAME);
	char		 buf[32], want[32];
	struct health	 h = { 0 };
	struct stat	 sb;
	struct state	*st;
	sqlite3		*db;
	int		 fd;
	ssize_t		 n;

	st = open_ok(sd, &h, NULL);
	ck_assert_int_eq(stat(sd, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0700);
	/* Console text and output: not for others, whatever the umask. */
	ck_assert_int_eq(stat(dbf, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);

	/* The lock file holds our pid. */
	fd = open(lock, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	snprintf(want, sizeof want, "%ld\n", (long)getpid());
	ck_assert_str_eq(buf, want);
	ck_assert(!state_degraded(st));
	ck_assert_uint_eq(state_pending(st), 0);
	ck_assert_uint_eq(state_lost(st), 0);
	state_close(st);

	db = raw_open(sd);
	ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), 2);
	s = raw_text(db, "PRAGMA journal_mode");
	ck_assert_str_eq(s, "wal");
	free(s);
	s = raw_text(db, "SELECT group_concat(name, ' ') FROM (SELECT name "
	    "FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
	    "'sqlite%' ORDER BY name)");
	ck_assert_str_eq(s, "audit history kv offsets suspensions wf_steps "
	    "workflows");
	free(s);
	sqlite3_close(db);

	/* A parent that is missing is not created: the error says so. */
	missing = join(d, "no/such");
	err = open_fail(missing);
	assert_has(err, "cannot create state directory ");
	assert_has(err, missing);
	assert_has(err, "No such file");
	free(err);

	ck_assert_int_eq(h.ndegraded + h.nrecovered, 0);
	free(missing);
	free(dbf);
	free(lock);
	free(sd);
	rm_rf(d);
	free(d);
}
END_TEST

START_TEST(test_history_roundtrip)
{
	char			*d = tmpdir(), big[5001];
	struct health		 h = { 0 };
	struct hist_start	 hs = { 0 };
	struct hist_end		 he = { 0 };
	struct hlist		 l = { 0 };
	struct state		*st;
	uint64_t		 id1, id2, id3, n;
	sqlite3			*db;
	struct hcopy		*c;
	char			*s;

	st = open_ok(d, &h, &n);
	ck_assert_uint_eq(n, 0);
	id1 = state_next_job_id(st);
	id2 = state_next_job_id(st);
	ck_assert_uint_eq(id2, id1 + 1);

	hs.id = id1;
	hs.chain = id1;
	hs.trigger_kind = "RULE";
	hs.trigger = "SIGOK";
	hs.action = "BACKUP";
	hs.argv = "backup\x1f" "BKRLNXD";
	hs.message = "HCPSIG2113I User BKRLNXD has reported 'x'); --";
	hs.source = "console";
	hs.user = "OPERATOR";
	hs.received = 1700000000.25;
	hs.start = 1700000000.5;
	hs.pid = 12345;
	state_history_start(st, &hs);
	he.id = id1;
	he.end = 1700000002.75;
	he.status = -1;
	he.signal = 9;
	he.timed_out = true;
	he.result = "timeout";
	he.error = NULL;
	he.output = "line one\nline two\n";
	he.output_len = strlen(he.output);
	state_history_end(st, &he);

	/* The second link of the chain, with output past the cap. */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	hs.id = id2;
	hs.action = "NOTIFY";
	hs.message = NULL;
	hs.source = NULL;
	hs.user = NULL;
	state_history_start(st, &hs);
	he.id = id2;
	he.status = 3;
	he.signal = 0;
	he.timed_out = false;
	he.result = "failed";
	he.error = "exit 3";
	he.output = big;
	he.output_len = strlen(big);
	state_history_end(st, &he);
	state_close(st);

	st = open_ok(d, &h, &n);
	ck_assert_uint_eq(n, 0);
	state_history_each(st, NULL, on_hist, &l);
	ck_assert_uint_eq(l.n, 2);
	c = &l.r[0];
	ck_assert_uint_eq(c->id, id1);
	ck_assert_uint_eq(c->chain, id1);
	ck_assert_str_eq(c->trigger_kind, "RULE");
	ck_assert_str_eq(c->trigger, "SIGOK");
	ck_assert_str_eq(c->action, "BACKUP");
	ck_assert_str_eq(c->argv, "backup\x1f" "BKRLNXD");
	ck_assert_str_eq(c->message,
	    "HCPSIG2113I User BKRLNXD has reported 'x'); --");
	ck_assert_str_eq(c->source, "console");
	ck_assert_str_eq(c->user, "OPERATOR");
	ck_assert_double_eq(c->received, 1700000000.25);
	ck_assert_double_eq(c->start, 1700000000.5);
	ck_assert_double_eq(c->end, 1700000002.75);
	ck_assert_int_eq(c->pid, 12345);
	ck_assert_int_eq(c->status, -1);
	ck_assert_int_eq(c->signal, 9);
	ck_assert_str_eq(c->result, "timeout");
	ck_assert_ptr_null(c->error);
	ck_assert_str_eq(c->output, "line one\nline two\n");
	c = &l.r[1];
	ck_assert_uint_eq(c->id, id2);
	ck_assert_uint_eq(c->chain, id1);
	ck_assert_str_eq(c->action, "NOTIFY");
	ck_assert_ptr_null(c->message);
	ck_assert_ptr_null(c->user);
	ck_assert_int_eq(c->status, 3);
	ck_assert_str_eq(c->result, "failed");
	ck_assert_str_eq(c->error, "exit 3");
	ck_assert_uint_eq(strlen(c->output), STATE_OUTPUT_MAX);
	hlist_free(&l);

	/* Ids go on from where the last run stopped. */
	id3 = state_next_job_id(st);
	ck_assert_uint_gt(id3, id2);
	state_close(st);

	/* Output is a blob, timed_out a number: as another program sees it. */
	db = raw_open(d);
	s = raw_text(db, "SELECT typeof(output) || ' ' || timed_out || ' ' || "
	    "length(output) FROM history ORDER BY id LIMIT 1");
	ck_assert_str_eq(s, "blob 1 18");
	free(s);
	sqlite3_close(db);
	rm_rf(d);
	free(d);
}
END_TEST

START_TEST(test_history_filter)
{
	char		*d = tmpdir(), *got;
	static const char *const trig[] = { "R0", "R1" };
	static const char *const act[] = { "A0", "A1", "A2" };
	struct health	 h = { 0 };
	struct state	*st;
	struct strbuf	 want;
	int		 i;

	st = open_ok(d, &h, NULL);
	for (i = 0; i < 10; i++)
		add_job(st, trig[i % 2], act[i % 3], 1000 + i, NULL);

	got = hist_ids(st, NULL, NULL, 0, 0);
	ck_assert_str_eq(got, "1 2 3 4 5 6 7 8 9 10");
	free(got);
	got = hist_ids(st, NULL, NULL, 0, 3);
	ck_assert_str_eq(got, "8 9 10");
	free(got);
	got = hist_ids(st, "R1", NULL, 0, 0);
	ck_assert_str_eq(got, "2 4 6 8 10");
	free(got);
	got = hist_ids(st, NULL, "A2", 0, 0);
	ck_assert_str_eq(got, "3 6 9");
	free(got);
	got = hist_ids(st, "R0", "A2", 0, 0);
	ck_assert_str_eq(got, "3 9");
	free(got);
	got = hist_ids(st, NULL, NULL, 1005, 0);
	ck_assert_str_eq(got, "6 7 8 9 10");
	free(got);
	got = hist_ids(st, "R0", NULL, 1003, 2);
	ck_assert_str_eq(got, "7 9");
	free(got);
	got = hist_ids(st, NULL, "A1", 1001, 1);
	ck_assert_str_eq(got, "8");
	free(got);
	got = hist_ids(st, "R1", "A0", 1002, 0);
	ck_assert_str_eq(got, "4 10");
	free(got);
	got = hist_ids(st, "NOSUCH", NULL, 0, 0);
	ck_assert_str_eq(got, "");
	free(got);

	/* A limit above the count returns all of them. */
	strbuf_init(&want);
	for (i = 1; i <= 10; i++)
		strbuf_addf(&want, "%s%d", i > 1 ? " " : "", i);
	got = hist_ids(st, NULL, NULL, 0, 100);
	ck_assert_str_eq(got, want.data);
	free(got);
	strbuf_free(&want);
	state_close(st);
	rm_rf(d);
	free(d);
}
END_TEST

START_TEST(test_offsets)
{
	char			*d = tmpdir();
	struct health		 h = { 0 };
	struct file_offset	 fo = { 1, 2, 3 }, got;
	struct state		*st;

	st = open_ok(d, &h, NULL);
	state_offset_set(st, "syslog", &fo);
	fo.dev = 66306;
	fo.ino = UINT64_MAX - 5;	/* survives the signed column */
	fo.offset = 1ULL << 40;
	state_offset_set(st, "console", &fo);
	fo.offset = 4096;
	state_offset_set(st, "syslog", &fo);
	state_close(st);

	st = open_ok(d, &h, NULL);
	ck_assert(state_offset_get(st, "console", &got));
	ck_assert_uint_eq(got.dev, 66306);
	ck_assert_uint_eq(got.ino, UINT64_MAX - 5);
	ck_assert_uint_eq(got.offset, 1ULL << 40);
	ck_assert(state_offset_get(st, "syslog", &got));
	ck_assert_uint_eq(got.dev, 66306);
	ck_assert_uint_eq(got.offset, 4096);
	ck_assert(!state_offset_get(st, "nosuch", &got));
	state_close(st);
	rm_rf(d);
	free(d);
}
END_TEST

static void
on_susp(const struct suspension *sp, void *arg)
{
	struct strbuf	*sb = arg;

	strbuf_addf(sb, "%s %s %.0f %s %s %.0f\n", sp->kind, sp->name,
	    sp->until, sp->reason != NULL ? sp->reason : "-",
	    sp->who != NULL ? sp->who : "-", sp->since);
}

static char *
susp_string(struct state *st)
{
	struct strbuf	sb;

	strbuf_init(&sb);
	state_suspensions_each(st, on_susp, &sb);
	return strbuf_steal(&sb);
}

START_TEST(test_suspensions)
{
	char			*d = tmpdir(), *got;
	struct health		 h = { 0 };
	struct suspension	 a = { "RULE", "SIGOK", 0, "maintenance",
				    "alice", 100 };
	struct suspension	 b = { "ACTION", "PAGE", 5000, NULL, NULL,
				    200 };
	struct suspension	 c = { "SOURCE", "syslog", 0, NULL, "bob",
				    300 };
	struct state		*st;

	st = open_ok(d, &h, NULL);
	state_suspend(st, &a);
	state_suspend(st, &b);
	state_suspend(st, &c);
	a.reason = "maintenance window";	/* replaces, not duplicates */
	state_suspend(st, &a);
	state_resume(st, "SOURCE", "syslog");
	state_resume(st, "SOURCE", "nosuch");
	state_close(st);

	st = open_ok(d, &h, NULL);
	got = susp_string(st);
	ck_assert_str_eq(got, "ACTION PAGE 5000 - - 200\n"
	    "RULE SIGOK 0 maintenance window alice 100\n");
	free(got);
	state_resume(st, "RULE", "SIGOK");
	state_close(st);

	st = open_ok(d, &h, NULL);
	got = susp_string(st);
	ck_assert_str_eq(got, "ACTION PAGE 5000 - - 200\n");
	free(got);
	state_close(st);
	rm_rf(d);
	free(d);
}
END_TEST

START_TEST(test_kv)
{
	char		*d = tmpdir(), *v;
	struct health	 h = { 0 };
	struct state	*st;
	size_t		 len;

	st = open_ok(d, &h, NULL);
	state_kv_set(st, "grid", "phase", "a\0b", 3);
	state_kv_set(st, "grid", "empty", "", 0);
	state_kv_set(st, "grid", "gone", "x", 1);
	state_kv_set(st, "other", "phase", "other", 5);
	state_kv_set(st, "grid", "count", "1", 1);
	state_kv_set(st, "grid", "count", "22", 2);
	state_kv_del(st, "grid", "gone");
	state_close(st);

	st = open_ok(d, &h, NULL);
	ck_assert(state_kv_get(st, "grid", "phase", &v, &len));
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(v, "a\0b", 4);		/* with the added NUL */
	free(v);
	ck_assert(state_kv_get(st, "grid", "empty", &v, &len));
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(v, "");
	free(v);
	ck_assert(state_kv_get(st, "grid", "count", &v, NULL));
	ck_assert_str_eq(v, "22");
	free(v);
	ck_assert(state_kv_get(st, "other", "phase", &v, &len));
	ck_assert_str_eq(v, "other");
	free(v);
	ck_assert(!state_kv_get(st, "grid", "gone", &v, &len));
	ck_assert_ptr_null(v);
	ck_assert(!state_kv_get(st, "nosuch", "phase", &v, &len));
	ck_assert_ptr_null(v);
	state_close(st);
	rm_rf(d);
	free(d);
}
END_TEST

static void
on_wf(const struct wf_row *r, void *arg)
{
	struct strbuf	*sb = arg;

	strbuf_addf(sb, "%llu %s %s %s %s %.*s %s %s %s|",
	    (unsigned long long)r->id, r->plugin, r->name,
	    r->key != NULL ? r->key : "-", r->status, (int)r->args_len,
	    r->args != NULL ? r->args : "", r->waiting != NULL ? r->waiting :
	    "-", r->reason != NULL ? r->reason : "-", r->ended > 0 ? "ended" :
	    "open");
}

static void
on_wf_step(const struct wf_step_row *r, void *arg)
{
	struct strbuf	*sb = arg;

	strbuf_addf(sb, "%lld %s %s %s %.*s %s|", (long long)r->seq, r->kind,
	    r->what, r->status, (int)r->result_len,
	    r->result != NULL ? r->result : "-", r->deadline > 0 ? "dl" : "-");
}

/*
 * Workflows: rows and their journal survive a reopen; an upgrade from
 * schema 1 adds the tables; ids do not collide with job ids; the key
 * finds only an unfinished instance.
 */
START_TEST(test_workflows)
{
	char			*d = tmpdir();
	struct health		 h = { 0 };
	struct state		*st;
	struct strbuf		 sb;
	struct wf_step_row	 step;
	uint64_t		 a, b, job;
	sqlite3			*db;

	/* A version-1 database, as an older vigild left it. */
	st = open_ok(d, &h, NULL);
	state_close(st);
	db = raw_open(d);
	raw_exec(db, "DROP TABLE workflows; DROP TABLE wf_steps;"
	    " PRAGMA user_version = 1");
	sqlite3_close(db);

	st = open_ok(d, &h, NULL);
	a = state_wf_new(st, "QBR", "backup", "LINUX1", "{1}", 3, 100);
	b = state_wf_new(st, "QBR", "backup", NULL, "nil", 3, 101);
	ck_assert_uint_gt(b, a);
	memset(&step, 0, sizeof step);
	step.wf = a;
	step.seq = 1;
	step.kind = "run";
	step.what = "CP SIGNAL";
	step.status = "started";
	step.started = 100;
	state_wf_step(st, &step);
	step.status = "done";
	step.result = "{0,\"x\"}";
	step.result_len = 7;
	step.ended = 101;
	state_wf_step(st, &step);
	step.seq = 2;
	step.kind = "wait";
	step.what = "HCP*";
	step.status = "started";
	step.result = NULL;
	step.result_len = 0;
	step.deadline = 200;
	state_wf_step(st, &step);
	state_wf_state(st, a, "waiting", "shutdown", "wait HCP*", 101, 200);
	state_wf_finish(st, b, "failed", NULL, 0, "boom", 102);
	ck_assert_uint_eq(state_wf_by_key(st, "QBR", "backup", "LINUX1", false), a);
	ck_assert_uint_eq(state_wf_by_key(st, "QBR", "other", "LINUX1", false), 0);
	state_close(st);

	st = open_ok(d, &h, NULL);
	job = state_next_job_id(st);
	ck_assert_uint_gt(job, b);
	strbuf_init(&sb);
	state_wf_each(st, "QBR", 0, INFINITY, on_wf, &sb);
	ck_assert_str_eq(sb.data, "1 QBR backup LINUX1 waiting {1} wait HCP*"
	    " - open|");
	strbuf_reset(&sb);
	state_wf_each(st, NULL, 0, 0, on_wf, &sb);
	ck_assert_str_eq(sb.data, "1 QBR backup LINUX1 waiting {1} wait HCP*"
	    " - open|2 QBR backup - failed nil - boom ended|");
	strbuf_reset(&sb);
	state_wf_each(st, "OTHER", 0, 0, on_wf, &sb);
	ck_assert_uint_eq(sb.len, 0);
	state_wf_steps(st, a, on_wf_step, &sb);
	ck_assert_str_eq(sb.data, "1 run CP SIGNAL done {0,\"x\"} -|"
	    "2 wait HCP* started  dl|");
	strbuf_free(&sb);
	state_wf_finish(st, a, "done", "true", 4, NULL, 300);
	ck_assert_uint_eq(state_wf_by_key(st, "QBR", "backup", "LINUX1",
	    false), 0);
	ck_assert_uint_eq(state_wf_by_key(st, "QBR", "backup", "LINUX1",
	    true), a);
	state_close(st);
	rm_rf(d);
	free(d);
}
END_TEST

static void
on_audit(const struct audit_rec *a, void *arg)
{
	struct strbuf	*sb = arg;

	strbuf_addf(sb, "%.0f %ld %s %s %s %s\n", a->when, a->uid,
	    a->user != NULL ? a->user : "-", a->command,
	    a->args != NULL ? a->args : "-", a->result);
}

START_TEST(test_audit)
{
	char			*d = tmpdir();
	struct health		 h = { 0 };
	struct audit_rec	 a = { 100, 1000, "alice", "suspend",
				    "RULE SIGOK", "ok" };
	struct strbuf		 sb;
	struct state		*st;

	st = open_ok(d, &h, NULL);
	state_audit(st, &a);
	a.when = 300;
	a.uid = -1;
	a.user = NULL;
	a.command = "reload";
	a.args = NULL;
	a.result = "refused";
	state_audit(st, &a);
	a.when = 200;	/* recorded after, though earlier: order is kept */
	a.uid = 0;
	a.user = "root";
	a.command = "trigger";
	a.args = "BACKUP 'x'); DROP TABLE audit; --";
	a.result = "ok";
	state_audit(st, &a);
	state_close(st);

	st = open_ok(d, &h, NULL);
	strbuf_init(&sb);
	state_audit_each(st, 0, on_audit, &sb);
	ck_assert_str_eq(sb.data, "100 1000 alice suspend RULE SIGOK ok\n"
	    "300 -1 - reload - refused\n"
	    "200 0 root trigger BACKUP 'x'); DROP TABLE audit; -- ok\n");
	strbuf_reset(&sb);
	state_audit_each(st, 150, on_audit, &sb);
	ck_assert_str_eq(sb.data, "300 -1 - reload - refused\n"
	    "200 0 root trigger BACKUP 'x'); DROP TABLE audit; -- ok\n");
	strbuf_free(&sb);
	state_close(st);
	rm_rf(d);
	free(d);
}
END_TEST

/*
 * A vigild killed with jobs running: the row without an end comes back
 * interrupted, once; the finished one is left alone.
 */
START_TEST(test_interrupted)
{
	char			*d = tmpdir();
	struct health		 h = { 0 };
	struct hist_start	 hs = { 0 };
	struct hlist		 l = { 0 };
	struct state		*st;
	uint64_t		 n;
	double			 before;
	pid_t			 pid;
	int			 status, p[2];
	char			 c;

	/*
	 * The parent kills the child: valgrind would turn the child's own
	 * raise(SIGKILL) into an exit with a leak report.
	 */
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		close(p[0]);
		st = state_open(d, NULL, NULL, NULL, NULL);
		if (st == NULL)
			_exit(1);
		add_job(st, "DONE", "A", 1000, "fine");
		hs.id = state_next_job_id(st);
		hs.chain = hs.id;
		hs.trigger = "RUNNING";
		hs.action = "B";
		hs.start = 1001;
		state_history_start(st, &hs);
		if (write(p[1], "x", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	close(p[0]);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "child status %d", status);

	before = (double)time(NULL) - 1;
	st = open_ok(d, &h, &n);
	ck_assert_uint_eq(n, 1);
	state_history_each(st, NULL, on_hist, &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.r[0].result, "ok");
	ck_assert_double_eq(l.r[0].end, 1001);
	ck_assert_str_eq(l.r[1].trigger, "RUNNING");
	ck_assert_str_eq(l.r[1].result, "interrupted");
	ck_assert_ptr_nonnull(l.r[1].error);
	ck_assert_double_ge(l.r[1].end, before);
	hlist_free(&l);

	/* A job started and not ended before a clean close counts too. */
	hs.id = state_next_job_id(st);
	ck_assert_uint_eq(hs.id, 3);
	hs.chain = hs.id;
	hs.trigger = "AGAIN";
	state_history_start(st, &hs);
	state_close(st);
	st = open_ok(d, &h, &n);
	ck_assert_uint_eq(n, 1);
	state_close(st);
	st = open_ok(d, &h, &n);
	ck_assert_uint_eq(n, 0);
	state_close(st);
	rm_rf(d);
	free(d);
}
END_TEST

START_TEST(test_lock)
{
	char		*d = tmpdir(), *err, *want, *v;
	struct health	 h = { 0 };
	struct state	*a, *b;

	a = open_ok(d, &h, NULL);
	err = open_fail(d);
	xasprintf(&want, "state directory %s is in use by another vigild "
	    "(pid %ld): ", d, (long)getpid());
	assert_has(err, want);
	free(want);
	free(err);

	/* The failed open took nothing away from the first. */
	state_kv_set(a, "p", "k", "v", 1);
	ck_assert(state_kv_get(a, "p", "k", &v, NULL));
	free(v);
	ck_assert(!state_degraded(a));
	state_close(a);

	b = open_ok(d, &h, NULL);
	ck_assert(state_kv_get(b, "p", "k", &v, NULL));
	ck_assert_str_eq(v, "v");
	free(v);
	state_close(b);
	rm_rf(d);
	free(d);
}
END_TEST

START_TEST(test_dir_refused)
{
	char		*d = tmpdir(), *err, *want, *lock, *file;
	struct health	 h = { 0 };
	struct state	*st;
	int		 fd;

	lock = join(d, STATE_LOCK_NAME);
	ck_assert_int_eq(chmod(d, 0770), 0);
	err = open_fail(d);
	xasprintf(&want, "state directory %s is writable by group or others",
	    d);
	assert_has(err, want);
	free(want);
	xasprintf(&want, "chmod go-w %s", d);
	assert_has(err, want);
	free(err);
	ck_assert_int_eq(access(lock, F_OK), -1);	/* nothing touched */

	ck_assert_int_eq(chmod(d, 0702), 0);
	err = open_fail(d);
	assert_has(err, want);
	free(want);
	free(err);

	/* Readable by others is allowed. */
	ck_assert_int_eq(chmod(d, 0755), 0);
	st = open_ok(d, &h, NULL);
	state_close(st);

	file = join(d, "file");
	fd = open(file, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ne(fd, -1);
	close(fd);
	err = open_fail(file);
	xasprintf(&want, "state directory %s is not a directory", file);
	assert_has(err, want);
	free(want);
	free(err);
	free(file);
	free(lock);
	rm_rf(d);
	free(d);
}
END_TEST

START_TEST(test_not_a_database)
{
	char		*d = tmpdir(), *db = join(d, STATE_DB_NAME);
	char		*err, *want;
	char		 junk[8192];
	struct stat	 sb;
	int		 fd;

	memset(junk, 'J', sizeof junk);
	fd = open(db, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
	close(fd);

	err = open_fail(d);
	xasprintf(&want, "%s is not an SQLite database", db);
	assert_has(err, want);
	assert_has(err, "move it aside");
	free(want);
	free(err);
	/* And it was left as it was. */
	ck_assert_int_eq(stat(db, &sb), 0);
	ck_assert_int_eq(sb.st_size, sizeof junk);
	free(db);
	rm_rf(d);
	free(d);
}
END_TEST

START_TEST(test_corrupt)
{
	char		*d = tmpdir(), *db = join(d, STATE_DB_NAME);
	char		*err, *want;
	char		 out[300], junk[4096];
	struct health	 h = { 0 };
	struct state	*st;
	struct stat	 sb;
	off_t		 off;
	int		 i, fd;

	st = open_ok(d, &h, NULL);
	memset(out, 'o', sizeof out - 1);
	out[sizeof out - 1] = '\0';
	for (i = 0; i < 2000; i++)
		add_job(st, "R", "A", 1000 + i, out);
	state_close(st);	/* checkpoints: everything is in the file */

	/* Scribble over the pages between the first and the last few. */
	ck_assert_int_eq(stat(db, &sb), 0);
	ck_assert_int_gt(sb.st_size, 40 * 4096);
	memset(junk, 0x5a, sizeof junk);
	fd = open(db, O_WRONLY);
	ck_assert_int_ne(fd, -1);
	for (off = 4 * 4096; off < sb.st_size - 4 * 4096; off += 4096)
		ck_assert_int_eq(pwrite(fd, junk, sizeof junk, off),
		    (ssize_t)sizeof junk);
	close(fd);

	err = open_fail(d);
	xasprintf(&want, "%s is corrupt (", db);
	assert_has(err, want);
	assert_has(err, "move it aside to start with empty history");
	free(want);
	free(err);
	free(db);
	rm_rf(d);
	free(d);
}
END_TEST

START_TEST(test_newer_schema)
{
	char		*d = tmpdir(), *err, *want;
	struct health	 h = { 0 };
	struct state	*st;
	sqlite3		*db;

	st = open_ok(d, &h, NULL);
	state_close(st);
	db = raw_open(d);
	raw_exec(db, "PRAGMA user_version = 7");
	sqlite3_close(db);

	err = open_fail(d);
	xasprintf(&want, "%s/%s has schema version 7, newer than this vigild "
	    "knows (2)", d, STATE_DB_NAME);
	assert_has(err, want);
	free(want);
	free(err);

	db = raw_open(d);
	ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), 7);
	sqlite3_close(db);
	rm_rf(d);
	free(d);
}
END_TEST

START_TEST(test_locked_at_open)
{
	char		*d = tmpdir(), *err, *want;
	struct health	 h = { 0 };
	struct state	*st;
	sqlite3		*db;

	st = open_ok(d, &h, NULL);
	state_close(st);
	db = raw_open(d);
	raw_exec(db, "BEGIN IMMEDIATE");
	err = open_fail(d);
	xasprintf(&want, "%s/%s is locked by another program", d,
	    STATE_DB_NAME);
	assert_has(err, want);
	free(want);
	free(err);
	raw_exec(db, "ROLLBACK");
	st = open_ok(d, &h, NULL);
	state_close(st);
	sqlite3_close(db);
	rm_rf(d);
	free(d);
}
END_TEST

/*
 * Another program holds the database's write lock: writes queue in order,
 * the oldest go when the queue is full, point reads see the queue, and a
 * retry once the lock is gone replays the rest.
 */
START_TEST(test_busy_queue)
{
	char			*d = tmpdir(), *v, *path, *log;
	struct health		 h = { 0 };
	struct audit_rec	 a = { 0, 0, "u", "cmd", NULL, "ok" };
	struct file_offset	 fo = { 1, 2, 3 }, got;
	struct capture		 cap;
	struct strbuf		 sb;
	struct state		*st;
	sqlite3			*db;
	int			 i;

	path = join(d, STATE_DB_NAME);
	st = open_ok(d, &h, NULL);
	state_kv_set(st, "p", "old", "1", 1);
	db = raw_open(d);
	raw_exec(db, "BEGIN IMMEDIATE");

	state_kv_set(st, "p", "new", "2", 1);	/* waits, then queues */
	ck_assert(state_degraded(st));
	ck_assert_int_eq(h.ndegraded, 1);
	assert_has(h.why, path);
	assert_has(h.why, "database is locked");
	ck_assert_uint_eq(state_pending(st), 1);

	state_kv_del(st, "p", "old");
	state_offset_set(st, "src", &fo);
	ck_assert_int_eq(h.ndegraded, 1);	/* reported once */
	ck_assert(state_kv_get(st, "p", "new", &v, NULL));
	ck_assert_str_eq(v, "2");
	free(v);
	ck_assert(!state_kv_get(st, "p", "old", &v, NULL));
	ck_assert(state_offset_get(st, "src", &got));
	ck_assert_uint_eq(got.offset, 3);

	/* 3 queued + MAX + 5: the 3 and audits 0..4 are dropped. */
	for (i = 0; i < STATE_PENDING_MAX + 5; i++) {
		a.when = i;
		state_audit(st, &a);
	}
	ck_assert_uint_eq(state_pending(st), STATE_PENDING_MAX);
	ck_assert_uint_eq(state_lost(st), 8);
	ck_assert(!state_kv_get(st, "p", "new", &v, NULL));

	state_retry(st);			/* still locked */
	ck_assert(state_degraded(st));
	ck_assert_uint_eq(state_pending(st), STATE_PENDING_MAX);
	ck_assert_int_eq(h.nrecovered, 0);

	raw_exec(db, "ROLLBACK");
	state_retry(st);
	ck_assert(!state_degraded(st));
	ck_assert_uint_eq(state_pending(st), 0);
	ck_assert_uint_eq(state_lost(st), 8);
	ck_assert_int_eq(h.nrecovered, 1);
	ck_assert_int_eq(h.ndegraded, 1);
	assert_has(h.why, "recovered, 10000 writes replayed");

	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM audit"),
	    STATE_PENDING_MAX);
	ck_assert_int_eq(raw_int(db, "SELECT min(time) FROM audit"), 5);
	ck_assert_int_eq(raw_int(db, "SELECT max(time) FROM audit"),
	    STATE_PENDING_MAX + 4);
	/* In the order they were made. */
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM audit a JOIN "
	    "audit b ON b.id = a.id + 1 WHERE b.time != a.time + 1"), 0);
	/* The dropped kv writes never happened: "old" is still there. */
	ck_assert(state_kv_get(st, "p", "old", &v, NULL));
	free(v);
	ck_assert(!state_offset_get(st, "src", &got));

	/* Healthy again: writes go straight in. */
	state_kv_set(st, "p", "after", "3", 1);
	ck_assert_uint_eq(state_pending(st), 0);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM kv WHERE \"key\" = "
	    "'after'"), 1);
	sqlite3_close(db);

	capture_begin(&cap);
	state_close(st);
	log = capture_end(&cap);
	strbuf_init(&sb);
	strbuf_addf(&sb, "%s: 8 earlier writes were lost", path);
	assert_has(log, sb.data);
	strbuf_free(&sb);
	free(log);
	free(path);
	health_free(&h);
	rm_rf(d);
	free(d);
}
END_TEST

/* Writes that still fail at close are reported lost. */
START_TEST(test_lost_at_close)
{
	char			*d = tmpdir(), *log, *want;
	struct health		 h = { 0 };
	struct audit_rec	 a = { 1, 0, "u", "cmd", NULL, "ok" };
	struct capture		 cap;
	struct state		*st;
	sqlite3			*db;

	st = open_ok(d, &h, NULL);
	db = raw_open(d);
	raw_exec(db, "BEGIN IMMEDIATE");
	state_audit(st, &a);
	state_audit(st, &a);
	state_audit(st, &a);
	ck_assert(state_degraded(st));
	ck_assert_uint_eq(state_pending(st), 3);
	capture_begin(&cap);
	state_close(st);
	log = capture_end(&cap);
	xasprintf(&want, "%s/%s: 3 writes still fail at exit and are lost",
	    d, STATE_DB_NAME);
	assert_has(log, want);
	free(want);
	free(log);
	raw_exec(db, "ROLLBACK");
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM audit"), 0);
	sqlite3_close(db);
	ck_assert_int_eq(h.nrecovered, 0);
	health_free(&h);
	rm_rf(d);
	free(d);
}
END_TEST

/* A callback that writes: deferred, then in once the iteration ends. */
static void
on_susp_resume(const struct suspension *sp, void *arg)
{
	struct state	*st = arg;
	char		*v;

	state_resume(st, sp->kind, sp->name);
	/* Point reads inside the callback see the deferred write. */
	state_kv_set(st, "p", sp->name, "x", 1);
	ck_assert(state_kv_get(st, "p", sp->name, &v, NULL));
	free(v);
	ck_assert_uint_gt(state_pending(st), 0);
}

START_TEST(test_write_in_callback)
{
	char			*d = tmpdir(), *got, *v;
	struct health		 h = { 0 };
	struct suspension	 a = { "RULE", "A", 0, NULL, NULL, 1 };
	struct suspension	 b = { "RULE", "B", 0, NULL, NULL, 2 };
	struct state		*st;

	st = open_ok(d, &h, NULL);
	state_suspend(st, &a);
	state_suspend(st, &b);
	state_suspensions_each(st, on_susp_resume, st);
	ck_assert_uint_eq(state_pending(st), 0);
	ck_assert(!state_degraded(st));
	state_close(st);

	st = open_ok(d, &h, NULL);
	got = susp_string(st);
	ck_assert_str_eq(got, "");
	free(got);
	ck_assert(state_kv_get(st, "p", "B", &v, NULL));
	free(v);
	state_close(st);
	ck_assert_int_eq(h.ndegraded, 0);
	rm_rf(d);
	free(d);
}
END_TEST

/*
 * A real full file system: a 1 MiB tmpfs, filled up.  Needs root (or
 * CAP_SYS_ADMIN); skipped, saying why, where it cannot mount.
 */
START_TEST(test_disk_full)
{
	char		*d = tmpdir(), *mnt, *sd, *fill, *want;
	char		 out[STATE_OUTPUT_MAX], page[4096];
	struct health	 h = { 0 };
	struct hlist	 l = { 0 };
	struct state	*st;
	uint64_t	 n, queued, nrows;
	size_t		 i;
	int		 fd, k;

	mnt = join(d, "fs");
	ck_assert_int_eq(mkdir(mnt, 0700), 0);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=1m,mode=0700") == -1) {
		printf("check_state: test_disk_full skipped: cannot mount a "
		    "tmpfs on %s: %s (needs root)\n", mnt, strerror(errno));
		free(mnt);
		rm_rf(d);
		free(d);
		return;
	}
	sd = join(mnt, "state");
	fill = join(mnt, "filler");
	memset(out, 'o', sizeof out);
	out[sizeof out - 1] = '\0';

	st = open_ok(sd, &h, NULL);
	for (k = 0; k < 5; k++)
		add_job(st, "BEFORE", "A", 1000 + k, "small");
	ck_assert(!state_degraded(st));

	/* Take every page that is left. */
	fd = open(fill, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ne(fd, -1);
	memset(page, 'f', sizeof page);
	while (write(fd, page, sizeof page) == (ssize_t)sizeof page)
		;
	ck_assert_int_eq(errno, ENOSPC);
	close(fd);

	for (k = 0; k < 100 && !state_degraded(st); k++)
		add_job(st, "FULL", "A", 2000 + k, out);
	ck_assert_msg(state_degraded(st), "100 writes fit on a full disk");
	ck_assert_int_eq(h.ndegraded, 1);
	assert_has(h.why, "full");
	want = join(sd, STATE_DB_NAME);
	assert_has(h.why, want);
	free(want);
	for (i = 0; i < 10; i++)
		add_job(st, "QUEUED", "A", 3000 + i, out);
	queued = state_pending(st);
	ck_assert_uint_ge(queued, 20);	/* 10 jobs, start and end */

	state_retry(st);		/* still full */
	ck_assert(state_degraded(st));
	ck_assert_uint_eq(state_pending(st), queued);

	ck_assert_int_eq(unlink(fill), 0);
	state_retry(st);
	ck_assert(!state_degraded(st));
	ck_assert_uint_eq(state_pending(st), 0);
	ck_assert_uint_eq(state_lost(st), 0);
	ck_assert_int_eq(h.nrecovered, 1);
	xasprintf(&want, "recovered, %" PRIu64 " writes replayed", queued);
	assert_has(h.why, want);
	free(want);
	nrows = state_next_job_id(st) - 1;
	state_close(st);

	st = open_ok(sd, &h, &n);
	ck_assert_uint_eq(n, 0);
	state_history_each(st, NULL, on_hist, &l);
	ck_assert_uint_eq(l.n, nrows);
	for (i = 0; i < l.n; i++) {
		ck_assert_uint_eq(l.r[i].id, i + 1);
		ck_assert_str_eq(l.r[i].result, "ok");
	}
	ck_assert_str_eq(l.r[l.n - 1].trigger, "QUEUED");
	hlist_free(&l);
	state_close(st);

	ck_assert_int_eq(umount(mnt), 0);
	free(fill);
	free(sd);
	free(mnt);
	health_free(&h);
	rm_rf(d);
	free(d);
}
END_TEST

static Suite *
state_suite(void)
{
	Suite	*s = suite_create("state");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_create);
	tcase_add_test(tc, test_history_roundtrip);
	tcase_add_test(tc, test_history_filter);
	tcase_add_test(tc, test_offsets);
	tcase_add_test(tc, test_suspensions);
	tcase_add_test(tc, test_kv);
	tcase_add_test(tc, test_audit);
	tcase_add_test(tc, test_workflows);
	tcase_add_test(tc, test_interrupted);
	tcase_add_test(tc, test_lock);
	tcase_add_test(tc, test_dir_refused);
	tcase_add_test(tc, test_not_a_database);
	tcase_add_test(tc, test_corrupt);
	tcase_add_test(tc, test_newer_schema);
	tcase_add_test(tc, test_locked_at_open);
	tcase_add_test(tc, test_busy_queue);
	tcase_add_test(tc, test_lost_at_close);
	tcase_add_test(tc, test_write_in_callback);
	tcase_add_test(tc, test_disk_full);
	suite_add_tcase(s, tc);
	return s;
}

/* Whatever a failed test left mounted under base, then base itself. */
static void
cleanup_base(void)
{
	char	 line[4096], dev[1024], dir[3072];
	FILE	*f;
	size_t	 len = strlen(base);

	if ((f = fopen("/proc/self/mounts", "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			if (sscanf(line, "%1023s %3071s", dev, dir) == 2 &&
			    strncmp(dir, base, len) == 0 && dir[len] == '/')
				umount2(dir, MNT_DETACH);
		}
		fclose(f);
	}
	rm_rf(base);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	if (mkdtemp(base) == NULL) {
		perror(base);
		return EXIT_FAILURE;
	}
	sr = srunner_create(state_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	cleanup_base();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
