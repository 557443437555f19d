/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state.c - the daemon's durable state: one SQLite database (WAL,
 * synchronous=NORMAL) in the state directory, and the lock file that says
 * which vigild owns the directory.  Every statement is prepared once at
 * open and reused; data only ever reaches SQL as bound parameters.
 *
 * This file is the store itself: opening, locking, the schema, the
 * statements, errors, the queue of pending writes, retry and close.  The
 * operations on the tables (history, input offsets, suspensions, plugin
 * values, audit trail) are in state-tables.c; what the two share is in
 * state-int.h.
 *
 * Once the store is open a write never fails the caller.  A write that
 * fails for a reason that may go away (full disk, I/O error, another
 * program holding the database, read-only file system, damage) is copied
 * into a bounded FIFO and the store turns "degraded": from then on every
 * write joins the FIFO behind it, so the database sees the writes in the
 * order they were made.  state_retry() replays the FIFO in one transaction
 * and the store is healthy again only when that commits.  Point reads
 * (offsets, plugin values, in state-tables.c) look at the FIFO first so
 * the daemon reads what it wrote; the iterations read the database only.
 *
 * Writes made from inside an iteration's callback are deferred to the
 * same FIFO and run when the iteration ends: in autocommit mode SQLite
 * would commit them only when the reading statement is reset, and a
 * failure then could not be told from success.
 *
 * This file does not decide when to retry (the daemon's timer calls
 * state_retry) nor what the rows mean.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "engine/state.h"
#include "engine/state-int.h"
#include "util/util.h"

#define STATE_SCHEMA_VERSION	2
/*
 * History rows kept, newest first, pruned at open: about 1 KiB a row with
 * output, so at most a gigabyte or so; at a sustained 10 actions a second
 * that is more than a day of history, at a more usual few a minute, years.
 */
#define STATE_HISTORY_KEEP	1000000
#define STATE_BUSY_MS		2000	/* wait this long for another writer */
#define STATE_RETRY_BUSY_MS	100	/* but not in a retry: it is polled */

/* In this order: state_history_each (state-tables.c) reads them by index. */
#define HIST_COLS "id, chain, trigger_kind, \"trigger\", \"action\", argv, " \
	"message, source, user, received, start, pid, \"end\", status, " \
	"signal, timed_out, result, error, output"
/*
 * The newest ?4 rows that match, oldest first.  One statement per set of
 * filters rather than "(?1 IS NULL OR ...)": SQLite picks the index when
 * it prepares, before it knows which parameters are NULL.
 */
#define HIST_EACH(where) "SELECT " HIST_COLS " FROM (SELECT * FROM history " \
	"WHERE " where " ORDER BY id DESC LIMIT ?4) ORDER BY id"

static const char *const state_sql[S_MAX] = {
	[S_HIST_START] = "INSERT INTO history (id, chain, trigger_kind, "
	    "\"trigger\", \"action\", argv, message, source, user, received, "
	    "start, pid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	    "?12)",
	[S_HIST_END] = "UPDATE history SET \"end\" = ?1, status = ?2, "
	    "signal = ?3, timed_out = ?4, result = ?5, error = ?6, output = ?7 "
	    "WHERE id = ?8",
	[S_OFFSET_SET] = "INSERT OR REPLACE INTO offsets (source, dev, ino, "
	    "\"offset\") VALUES (?1, ?2, ?3, ?4)",
	[S_SUSPEND] = "INSERT OR REPLACE INTO suspensions (kind, name, until, "
	    "reason, who, since) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_RESUME] = "DELETE FROM suspensions WHERE kind = ?1 AND name = ?2",
	[S_KV_SET] = "INSERT OR REPLACE INTO kv (plugin, \"key\", value) "
	    "VALUES (?1, ?2, ?3)",
	[S_KV_DEL] = "DELETE FROM kv WHERE plugin = ?1 AND \"key\" = ?2",
	[S_AUDIT] = "INSERT INTO audit (time, uid, user, command, args, "
	    "result) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_WF_NEW] = "INSERT INTO workflows (id, plugin, name, \"key\", args,"
	    " status, label, started, since) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " 'running', ?3, ?6, ?6)",
	[S_WF_STATE] = "UPDATE workflows SET status = ?2, label = ?3,"
	    " waiting = ?4, since = ?5, deadline = ?6 WHERE id = ?1"
	    " AND ended IS NULL",
	[S_WF_FINISH] = "UPDATE workflows SET status = ?2, result = ?3,"
	    " reason = ?4, ended = ?5, since = ?5, waiting = NULL,"
	    " deadline = NULL WHERE id = ?1 AND ended IS NULL",
	[S_WF_STEP] = "INSERT INTO wf_steps (wf, seq, kind, what, status,"
	    " result, started, ended, deadline) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7, ?8, ?9) ON CONFLICT (wf, seq) DO UPDATE SET"
	    " status = excluded.status, result = excluded.result,"
	    " ended = excluded.ended,"
	    " deadline = coalesce(excluded.deadline, deadline)",

	[S_OFFSET_GET] = "SELECT dev, ino, \"offset\" FROM offsets "
	    "WHERE source = ?1",
	[S_KV_GET] = "SELECT value FROM kv WHERE plugin = ?1 AND \"key\" = ?2",
	[S_SUSP_EACH] = "SELECT kind, name, until, reason, who, since "
	    "FROM suspensions ORDER BY kind, name",
	[S_AUDIT_EACH] = "SELECT time, uid, user, command, args, result "
	    "FROM audit WHERE time >= ?1 ORDER BY id",
	[S_WF_EACH] = "SELECT id, plugin, name, \"key\", args, status, label,"
	    " waiting, since, deadline, started, ended, reason, result"
	    " FROM workflows WHERE (?1 IS NULL OR plugin = ?1)"
	    " AND (?3 = 0 OR id = ?3) AND (ended IS NULL OR ended >= ?2)"
	    " ORDER BY id",
	[S_WF_STEPS] = "SELECT wf, seq, kind, what, status, result, started,"
	    " ended, deadline FROM wf_steps WHERE wf = ?1 ORDER BY seq",
	[S_WF_KEY] = "SELECT id FROM workflows WHERE plugin = ?1 AND name = ?2"
	    " AND \"key\" = ?3 AND (?4 OR ended IS NULL) ORDER BY id DESC",
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_HIST_EACH + 0] = HIST_EACH("1"),
	[S_HIST_EACH + HF_TRIGGER] = HIST_EACH("\"trigger\" = ?1"),
	[S_HIST_EACH + HF_ACTION] = HIST_EACH("\"action\" = ?2"),
	[S_HIST_EACH + HF_TRIGGER + HF_ACTION] =
	    HIST_EACH("\"trigger\" = ?1 AND \"action\" = ?2"),
	[S_HIST_EACH + HF_SINCE] = HIST_EACH("start >= ?3"),
	[S_HIST_EACH + HF_SINCE + HF_TRIGGER] =
	    HIST_EACH("\"trigger\" = ?1 AND start >= ?3"),
	[S_HIST_EACH + HF_SINCE + HF_ACTION] =
	    HIST_EACH("\"action\" = ?2 AND start >= ?3"),
	[S_HIST_EACH + HF_SINCE + HF_TRIGGER + HF_ACTION] =
	    HIST_EACH("\"trigger\" = ?1 AND \"action\" = ?2 AND start >= ?3"),
};

/* For messages about a write. */
static const char *const state_what[S_NWRITES] = {
	[S_HIST_START] = "history record",
	[S_HIST_END] = "history result",
	[S_OFFSET_SET] = "input offset",
	[S_SUSPEND] = "suspension",
	[S_RESUME] = "resumption",
	[S_KV_SET] = "plugin value",
	[S_KV_DEL] = "plugin value deletion",
	[S_AUDIT] = "audit record",
	[S_WF_NEW] = "workflow",
	[S_WF_STATE] = "workflow state",
	[S_WF_FINISH] = "workflow end",
	[S_WF_STEP] = "workflow step"
};

/*
 * Version 1.  "end" IS NULL marks a job still running; the partial index
 * keeps finding those at open cheap however long the history.  The
 * indexes on trigger and action also serve "ORDER BY id": SQLite appends
 * the rowid to every index.
 */
static const char state_schema[] =
	"CREATE TABLE history ("
	"  id INTEGER PRIMARY KEY, chain INTEGER, trigger_kind TEXT,"
	"  \"trigger\" TEXT, \"action\" TEXT, argv TEXT, message TEXT,"
	"  source TEXT, user TEXT, received REAL, start REAL, pid INTEGER,"
	"  \"end\" REAL, status INTEGER, signal INTEGER, timed_out INTEGER,"
	"  result TEXT, error TEXT, output BLOB);"
	"CREATE INDEX history_trigger ON history (\"trigger\");"
	"CREATE INDEX history_action ON history (\"action\");"
	"CREATE INDEX history_start ON history (start);"
	"CREATE INDEX history_running ON history (id) WHERE \"end\" IS NULL;"
	"CREATE TABLE offsets ("
	"  source TEXT PRIMARY KEY, dev INTEGER, ino INTEGER,"
	"  \"offset\" INTEGER);"
	"CREATE TABLE suspensions ("
	"  kind TEXT NOT NULL, name TEXT NOT NULL, until REAL, reason TEXT,"
	"  who TEXT, since REAL, PRIMARY KEY (kind, name));"
	"CREATE TABLE kv ("
	"  plugin TEXT NOT NULL, \"key\" TEXT NOT NULL, value BLOB,"
	"  PRIMARY KEY (plugin, \"key\"));"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY, time REAL, uid INTEGER, user TEXT,"
	"  command TEXT, args TEXT, result TEXT);"
	"CREATE INDEX audit_time ON audit (time);"
	"PRAGMA user_version = 1;";

/*
 * Version 2: Lua workflows.  A workflow's steps are its journal: each API
 * call it made, with its result once it ended; "result" and "args" are
 * Lua literals written by the plugin prelude (blobs: any bytes).
 */
static const char state_schema_v2[] =
	"CREATE TABLE workflows ("
	"  id INTEGER PRIMARY KEY, plugin TEXT NOT NULL, name TEXT NOT NULL,"
	"  \"key\" TEXT, args BLOB, status TEXT NOT NULL, label TEXT,"
	"  waiting TEXT, since REAL, deadline REAL, started REAL, ended REAL,"
	"  reason TEXT, result BLOB);"
	"CREATE INDEX workflows_open ON workflows (plugin, id)"
	"  WHERE ended IS NULL;"
	"CREATE TABLE wf_steps ("
	"  wf INTEGER NOT NULL, seq INTEGER NOT NULL, kind TEXT, what TEXT,"
	"  status TEXT, result BLOB, started REAL, ended REAL, deadline REAL,"
	"  PRIMARY KEY (wf, seq));"
	"PRAGMA user_version = 2;";

static double
state_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What an operator can do about an error of this class. */
static const char *
state_advice(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return "free space on its file system";
	case SQLITE_IOERR:
		return "check the disk and the kernel log (dmesg)";
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return "another program holds the database: stop it";
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return "make the file and its directory writable by vigild";
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return "the file is damaged: stop vigild and move it aside";
	default:
		return "check the file and its file system";
	}
}

/* Errors after which a write is worth keeping for a retry. */
static bool
state_keeps(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_NOMEM:
	case SQLITE_PROTOCOL:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return true;
	default:
		return false;
	}
}

static void
state_set_errmsg(struct state *st, int rc)
{
	const char	*m = st->db != NULL ? sqlite3_errmsg(st->db) :
			    sqlite3_errstr(rc);

	snprintf(st->errmsg, sizeof st->errmsg, "%s", m);
}

static int
state_bind(sqlite3_stmt *s, const struct sval *v, int n)
{
	int	i, rc = SQLITE_OK;

	for (i = 0; i < n && rc == SQLITE_OK; i++) {
		switch (v[i].type) {
		case SV_NULL:
			rc = sqlite3_bind_null(s, i + 1);
			break;
		case SV_INT:
			rc = sqlite3_bind_int64(s, i + 1, v[i].i);
			break;
		case SV_REAL:
			rc = sqlite3_bind_double(s, i + 1, v[i].d);
			break;
		case SV_TEXT:
			rc = sqlite3_bind_text64(s, i + 1, v[i].p, v[i].len,
			    SQLITE_STATIC, SQLITE_UTF8);
			break;
		case SV_BLOB:
			rc = sqlite3_bind_blob64(s, i + 1, v[i].p, v[i].len,
			    SQLITE_STATIC);
			break;
		}
	}
	return rc;
}

/* Run a statement that returns no rows; SQLITE_OK or the error. */
static int
state_exec(struct state *st, enum stmt_id id, const struct sval *v, int n)
{
	sqlite3_stmt	*s = st->stmt[id];
	int		 rc;

	rc = state_bind(s, v, n);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE || rc == SQLITE_ROW)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK)
		state_set_errmsg(st, rc);
	sqlite3_reset(s);
	/* Parameters are bound SQLITE_STATIC: drop them before they go. */
	sqlite3_clear_bindings(s);
	return rc;
}

static void
state_pending_free(struct state *st)
{
	struct pending	*p, *next;

	for (p = st->head; p != NULL; p = next) {
		next = p->next;
		free(p);
	}
	st->head = NULL;
	st->tailp = &st->head;
	st->npending = 0;
}

/* Copy a write into the FIFO, dropping the oldest when it is full. */
static void
state_enqueue(struct state *st, enum stmt_id id, const struct sval *v, int n)
{
	struct pending	*p, *old;
	size_t		 total = 0;
	char		*data;
	int		 i;

	if (n > STATE_MAXPARAM)
		fatalx("state: %d parameters for a %s", n, state_what[id]);
	for (i = 0; i < n; i++) {
		if (v[i].type == SV_TEXT || v[i].type == SV_BLOB)
			total += v[i].len + 1;
	}
	p = xmalloc(sizeof *p + total);
	p->next = NULL;
	p->id = id;
	p->n = n;
	data = (char *)(p + 1);
	for (i = 0; i < n; i++) {
		p->v[i] = v[i];
		if (v[i].type == SV_TEXT || v[i].type == SV_BLOB) {
			memcpy(data, v[i].p, v[i].len);
			data[v[i].len] = '\0';
			p->v[i].p = data;
			data += v[i].len + 1;
		}
	}

	if (st->npending >= STATE_PENDING_MAX) {
		old = st->head;
		st->head = old->next;
		if (st->head == NULL)
			st->tailp = &st->head;
		free(old);
		st->npending--;
		st->lost++;
	}
	*st->tailp = p;
	st->tailp = &p->next;
	st->npending++;
}

static void
state_degrade(struct state *st, int rc)
{
	char	*why;

	if (st->degraded)
		return;
	st->degraded = true;
	xasprintf(&why, "%s: %s: keeping writes in memory (at most %d) until "
	    "it works again; %s", st->path, st->errmsg, STATE_PENDING_MAX,
	    state_advice(rc));
	if (st->cb != NULL)
		st->cb(true, why, st->arg);
	free(why);
}

/*
 * Replay the FIFO in one transaction.  On success the FIFO is empty and
 * *replayed says how many writes went in; otherwise nothing changed.  A
 * write the database refuses for good (a constraint) is dropped and
 * counted lost rather than blocking the rest forever.
 */
static int
state_flush(struct state *st, uint64_t *replayed)
{
	struct pending	*p;
	uint64_t	 refused = 0;
	int		 rc;

	*replayed = 0;
	rc = state_exec(st, S_BEGIN, NULL, 0);
	for (p = st->head; p != NULL && rc == SQLITE_OK; p = p->next) {
		rc = state_exec(st, p->id, p->v, p->n);
		if (rc != SQLITE_OK && !state_keeps(rc)) {
			log_warnx("%s: %s dropped: %s (a bug in vigild: "
			    "please report it)", st->path, state_what[p->id],
			    st->errmsg);
			refused++;
			rc = SQLITE_OK;
		}
	}
	if (rc == SQLITE_OK)
		rc = state_exec(st, S_COMMIT, NULL, 0);
	if (rc != SQLITE_OK) {
		/* Some errors (FULL, IOERR) have rolled back already. */
		if (!sqlite3_get_autocommit(st->db))
			state_exec(st, S_ROLLBACK, NULL, 0);
		return rc;
	}
	*replayed = st->npending - refused;
	st->lost += refused;
	state_pending_free(st);
	return SQLITE_OK;
}

/* Every write goes through here. */
void
state_write(struct state *st, enum stmt_id id, const struct sval *v, int n)
{
	int	rc;

	if (st->degraded || st->reading > 0) {
		state_enqueue(st, id, v, n);
		return;
	}
	rc = state_exec(st, id, v, n);
	if (rc == SQLITE_OK)
		return;
	if (!state_keeps(rc)) {
		log_warnx("%s: %s dropped: %s (a bug in vigild: please "
		    "report it)", st->path, state_what[id], st->errmsg);
		st->lost++;
		return;
	}
	state_enqueue(st, id, v, n);
	state_degrade(st, rc);
}

/* Start an iteration over a statement; writes are deferred until the end. */
void
state_each_begin(struct state *st, sqlite3_stmt *s)
{
	if (sqlite3_stmt_busy(s))
		fatalx("state: an iteration's callback started it again");
	st->reading++;
}

void
state_each_end(struct state *st, sqlite3_stmt *s, int rc, const char *what)
{
	uint64_t	n;

	if (rc != SQLITE_DONE) {
		state_set_errmsg(st, rc);
		log_warnx("%s: cannot read %s: %s; %s", st->path, what,
		    st->errmsg, state_advice(rc));
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (--st->reading > 0 || st->degraded || st->head == NULL)
		return;
	rc = state_flush(st, &n);
	if (rc != SQLITE_OK)
		state_degrade(st, rc);
}

/* A read failed: say so; the caller carries on as if nothing was there. */
void
state_read_failed(struct state *st, int rc, const char *what)
{
	state_set_errmsg(st, rc);
	log_warnx("%s: cannot read %s: %s; %s", st->path, what, st->errmsg,
	    state_advice(rc));
}

/* --- opening ----------------------------------------------------------- */

static void
state_seterr(char **err, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(err, fmt, ap);
	va_end(ap);
}

/* An SQLite error while opening, as the operator should read it. */
static void
state_db_error(struct state *st, int rc, const char *doing, char **err)
{
	const char	*m = st->db != NULL ? sqlite3_errmsg(st->db) :
			    sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_NOTADB:
		state_seterr(err, "%s is not an SQLite database (%s): move it "
		    "aside to start with empty history, or restore it from a "
		    "backup", st->path, m);
		break;
	case SQLITE_CORRUPT:
		state_seterr(err, "%s is corrupt (%s): move it aside to start "
		    "with empty history, or restore it from a backup",
		    st->path, m);
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		state_seterr(err, "%s is locked by another program (%s): stop "
		    "it (an sqlite3 shell? a backup?) and start vigild again",
		    st->path, m);
		break;
	case SQLITE_FULL:
		state_seterr(err, "%s: %s: free space on its file system and "
		    "start vigild again", st->path, m);
		break;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		state_seterr(err, "cannot write %s (%s): make it and %s "
		    "writable by the user vigild runs as", st->path, m,
		    st->dir);
		break;
	case SQLITE_IOERR:
		state_seterr(err, "%s: I/O error (%s): check the disk and the "
		    "kernel log (dmesg)", st->path, m);
		break;
	default:
		state_seterr(err, "%s: %s while %s: if it is not a Vigil state "
		    "database, move it aside", st->path, m, doing);
		break;
	}
}

/* Create the directory if it is missing; refuse one others can write. */
static int
state_check_dir(const char *dir, char **err)
{
	struct stat	sb;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		state_seterr(err, "cannot create state directory %s: %s: "
		    "create it (mode 0700) or choose another with -D", dir,
		    strerror(errno));
		return -1;
	}
	if (stat(dir, &sb) == -1) {
		state_seterr(err, "cannot use state directory %s: %s: fix it "
		    "or choose another with -D", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		state_seterr(err, "state directory %s is not a directory: "
		    "remove it or choose another with -D", dir);
		return -1;
	}
	if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
		state_seterr(err, "state directory %s is writable by group or "
		    "others, who could change the history and the audit "
		    "trail: chmod go-w %s", dir, dir);
		return -1;
	}
	return 0;
}

/*
 * flock, not fcntl: a POSIX lock would be dropped when any descriptor of
 * the file closes, and SQLite's own locks are POSIX ones.  The lock is
 * per open file description, so a second state_open of the same
 * directory in one process is refused as well.  O_CLOEXEC: the actions'
 * processes must not keep the lock after vigild is gone.
 */
static int
state_lock(struct state *st, char **err)
{
	char	*path, buf[32];
	ssize_t	 n;
	long	 pid;
	int	 len;

	xasprintf(&path, "%s/%s", st->dir, STATE_LOCK_NAME);
	st->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (st->lockfd == -1) {
		state_seterr(err, "cannot open lock file %s: %s: run vigild as "
		    "the owner of %s", path, strerror(errno), st->dir);
		free(path);
		return -1;
	}
	if (flock(st->lockfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK) {
			state_seterr(err, "cannot lock %s: %s: check its file "
			    "system", path, strerror(errno));
			free(path);
			return -1;
		}
		n = pread(st->lockfd, buf, sizeof buf - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		pid = strtol(buf, NULL, 10);
		if (pid > 0)
			state_seterr(err, "state directory %s is in use by "
			    "another vigild (pid %ld): stop it, or give this "
			    "one another state directory with -D", st->dir,
			    pid);
		else
			state_seterr(err, "state directory %s is in use by "
			    "another vigild (pid unknown; see %s): stop it, "
			    "or give this one another state directory with -D",
			    st->dir, path);
		free(path);
		return -1;
	}
	/* The pid only informs the next vigild: failing to write it is fine. */
	len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(st->lockfd, 0) == -1 ||
	    pwrite(st->lockfd, buf, len, 0) != len)
		log_warn("%s: cannot write our pid", path);
	free(path);
	return 0;
}

/* One-row PRAGMA; its first column's text into buf. */
static int
state_pragma(struct state *st, const char *sql, char *buf, size_t size)
{
	sqlite3_stmt	*s;
	const char	*t;
	int		 rc;

	buf[0] = '\0';
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		t = (const char *)sqlite3_column_text(s, 0);
		snprintf(buf, size, "%s", t != NULL ? t : "");
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(s);
	return rc;
}

static int
state_db_open(struct state *st, char **err)
{
	char	 buf[256];
	int	 rc, fd;

	/*
	 * SQLite would create the file 0644, and its -wal and -shm files
	 * like it; the history holds console text and action output.
	 */
	if ((fd = open(st->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) != -1)
		close(fd);
	rc = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		state_db_error(st, rc, "opening it", err);
		return -1;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, STATE_BUSY_MS);

	/* The first statement to read the file: a bad header shows here. */
	rc = state_pragma(st, "PRAGMA journal_mode = WAL", buf, sizeof buf);
	if (rc != SQLITE_OK) {
		state_db_error(st, rc, "setting WAL mode", err);
		return -1;
	}
	if (strcmp(buf, "wal") != 0)
		log_warnx("%s: journal mode is %s, not wal: writes will be "
		    "slower; put the state directory on a local file system",
		    st->path, buf);
	rc = sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL", NULL, NULL,
	    NULL);
	if (rc != SQLITE_OK) {
		state_db_error(st, rc, "setting synchronous mode", err);
		return -1;
	}

	/* Only the first problem: there may be thousands. */
	rc = state_pragma(st, "PRAGMA quick_check", buf, sizeof buf);
	if (rc != SQLITE_OK) {
		state_db_error(st, rc, "checking it", err);
		return -1;
	}
	if (strcmp(buf, "ok") != 0) {
		state_seterr(err, "%s is corrupt (quick_check: %s): move it "
		    "aside to start with empty history, or restore it from a "
		    "backup", st->path, buf);
		return -1;
	}
	return 0;
}

/*
 * In one transaction: create or check the schema, prepare the statements,
 * mark the jobs a previous run left running, prune the history and find
 * the newest job id.
 */
static int
state_db_init(struct state *st, uint64_t *interrupted, char **err)
{
	sqlite3_stmt	*s = NULL;
	const char	*doing;
	char		 buf[32];
	long		 version;
	int		 rc, i;

	doing = "starting a transaction";
	if ((rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL)) != SQLITE_OK)
		goto fail;
	doing = "reading the schema version";
	if ((rc = state_pragma(st, "PRAGMA user_version", buf,
	    sizeof buf)) != SQLITE_OK)
		goto fail;
	version = strtol(buf, NULL, 10);
	if (version > STATE_SCHEMA_VERSION) {
		state_seterr(err, "%s has schema version %ld, newer than this "
		    "vigild knows (%d): run the newer vigild, or move the file "
		    "aside to start with empty history", st->path, version,
		    STATE_SCHEMA_VERSION);
		goto fail_quiet;
	}
	doing = "creating the tables";
	if (version < 1 && (rc = sqlite3_exec(st->db, state_schema, NULL,
	    NULL, NULL)) != SQLITE_OK)
		goto fail;

	doing = "adding the workflow tables";
	if (version < 2 && (rc = sqlite3_exec(st->db, state_schema_v2, NULL,
	    NULL, NULL)) != SQLITE_OK)
		goto fail;

	doing = "preparing the statements";
	for (i = 0; i < S_MAX; i++) {
		rc = sqlite3_prepare_v3(st->db, state_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL);
		if (rc != SQLITE_OK)
			goto fail;
	}

	doing = "marking interrupted jobs";
	rc = sqlite3_prepare_v2(st->db, "UPDATE history SET result = "
	    "'interrupted', \"end\" = ?1, error = coalesce(error, 'vigild "
	    "stopped while it ran') WHERE \"end\" IS NULL", -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_double(s, 1, state_now());
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		goto fail;
	if (interrupted != NULL)
		*interrupted = sqlite3_changes(st->db);
	sqlite3_finalize(s);

	doing = "pruning the history";
	rc = sqlite3_prepare_v2(st->db, "DELETE FROM history WHERE id <= "
	    "(SELECT id FROM history ORDER BY id DESC LIMIT 1 OFFSET ?1)", -1,
	    &s, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, STATE_HISTORY_KEEP);
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(st->db) > 0)
		log_info("%s: pruned %d old history records (%d are kept)",
		    st->path, sqlite3_changes(st->db), STATE_HISTORY_KEEP);
	sqlite3_finalize(s);

	/* Ids only grow, and pruning keeps the newest: MAX(id) is the last. */
	doing = "reading the last job id";
	rc = sqlite3_prepare_v2(st->db, "SELECT max((SELECT coalesce(max(id),"
	    " 0) FROM history), (SELECT coalesce(max(id), 0) FROM workflows))",
	    -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_step(s)) != SQLITE_ROW)
		goto fail;
	st->last_id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;

	doing = "committing";
	if ((rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL)) !=
	    SQLITE_OK)
		goto fail;
	return 0;

fail:
	state_db_error(st, rc, doing, err);
fail_quiet:
	sqlite3_finalize(s);
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static void
state_free(struct state *st)
{
	int	i;

	state_pending_free(st);
	for (i = 0; i < S_MAX; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("%s: cannot close: %s", st->path,
		    sqlite3_errmsg(st->db));
	if (st->lockfd != -1)
		close(st->lockfd);
	free(st->path);
	free(st->dir);
	free(st);
}

struct state *
state_open(const char *dir, state_health_cb cb, void *arg,
    uint64_t *interrupted, char **err)
{
	struct state	*st;
	size_t		 len;

	if (interrupted != NULL)
		*interrupted = 0;
	if (err != NULL)
		*err = NULL;
	if (state_check_dir(dir, err) == -1)
		return NULL;

	st = xcalloc(1, sizeof *st);
	st->lockfd = -1;
	st->tailp = &st->head;
	st->cb = cb;
	st->arg = arg;
	st->dir = xstrdup(dir);
	len = strlen(st->dir);
	while (len > 1 && st->dir[len - 1] == '/')
		st->dir[--len] = '\0';
	xasprintf(&st->path, "%s/%s", st->dir, STATE_DB_NAME);

	if (state_lock(st, err) == -1 || state_db_open(st, err) == -1 ||
	    state_db_init(st, interrupted, err) == -1) {
		state_free(st);
		return NULL;
	}
	return st;
}

/* Flush what it can, then say what is lost: nobody will retry it now. */
void
state_close(struct state *st)
{
	uint64_t	n;
	int		rc = SQLITE_OK;

	if (st == NULL)
		return;
	if (st->head != NULL) {
		rc = state_flush(st, &n);
		if (rc != SQLITE_OK)
			log_warnx("%s: %" PRIu64 " writes still fail at exit "
			    "and are lost: %s; %s", st->path, st->npending,
			    st->errmsg, state_advice(rc));
		else if (st->degraded)
			log_info("%s: writes work again, %" PRIu64 " writes "
			    "replayed at exit", st->path, n);
	}
	if (st->lost > 0)
		log_warnx("%s: %" PRIu64 " earlier writes were lost while it "
		    "failed (the memory queue holds %d): check the file system "
		    "that holds it", st->path, st->lost, STATE_PENDING_MAX);
	/* Lets SQLite refresh its statistics where they have drifted. */
	if (rc == SQLITE_OK)
		sqlite3_exec(st->db, "PRAGMA optimize", NULL, NULL, NULL);
	state_free(st);
}

bool
state_degraded(const struct state *st)
{
	return st->degraded;
}

uint64_t
state_pending(const struct state *st)
{
	return st->npending;
}

uint64_t
state_lost(const struct state *st)
{
	return st->lost;
}

/*
 * Replay the queue.  A short busy timeout: the daemon polls this from its
 * loop, and a program that holds the database will be there next time.
 */
void
state_retry(struct state *st)
{
	uint64_t	 n;
	char		*why;
	int		 rc;

	if (st->head == NULL && !st->degraded)
		return;
	if (st->reading > 0)
		return;		/* the iteration's end flushes */
	sqlite3_busy_timeout(st->db, STATE_RETRY_BUSY_MS);
	rc = state_flush(st, &n);
	sqlite3_busy_timeout(st->db, STATE_BUSY_MS);
	if (rc != SQLITE_OK || !st->degraded)
		return;
	st->degraded = false;
	xasprintf(&why, "%s: writes work again: recovered, %" PRIu64 " writes "
	    "replayed (%" PRIu64 " lost)", st->path, n, st->lost);
	if (st->cb != NULL)
		st->cb(false, why, st->arg);
	free(why);
}
