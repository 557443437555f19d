/* SPDX-License-Identifier: Apache-2.0 */
/*
 * src-file.c - DEFSRC TYPE FILE: a file followed like "tail -F", across
 * rotation by rename, truncation (copytruncate) and removal, with the
 * offset of what was consumed kept in the state store so that a restart
 * neither loses nor repeats a line.  It does not interpret the bytes: the
 * feed frames them into lines and the source's reader makes messages.
 *
 * Where reading starts:
 *  - with a saved offset for this source, in the same file (device and
 *    inode) and no bigger than the file: at the offset;
 *  - the same file, now smaller than the offset (truncated while vigild
 *    was stopped): at its start;
 *  - PATH is another file (rotated while vigild was stopped): the old
 *    file is looked for beside PATH (PATH.0, PATH.1, PATH-*, PATH.*; not
 *    compressed ones, which are other inodes anyway) and, when found, its
 *    rest is read from the offset first; then PATH from its start.  When
 *    the old file is not found, its unread tail is lost and said so;
 *  - no saved offset: at the end of the file, as tail -F does: a new
 *    source does not replay old history (an unfinished last line is
 *    skipped too: its start is history).  With --once (batch use: "read
 *    every source to its end") it starts at the beginning instead;
 *  - a file that appears after the source started (it did not exist, or
 *    it replaced the one being read) is read from its start.
 *
 * With --once the source ends at the end of the current file; its
 * unfinished last line, if any, is given as a record and counted as
 * consumed (batch use: the next run reads only what came after).
 *
 * Following: an ev_stat on PATH (inotify when the kernel has it) and a 1 s
 * timer as a fallback both call file_poll(), which reads the open file to
 * its end before it looks at PATH: rotation by rename loses nothing that
 * was written to the old file before the switch.  What a writer that
 * still holds the old file appends after the switch is lost (as with
 * tail -F); so is, with copytruncate, what was written after our last
 * read and before the truncation (we read within milliseconds of each
 * write when inotify works).  A file whose inode number was reused by its
 * replacement, with a size at least the saved offset, cannot be told from
 * the old one and is resumed at the offset.
 *
 * Reading never blocks the loop and is fair to the other sources: one
 * read of at most SRC_READ_SIZE per loop iteration, done from an
 * ev_check while an ev_idle keeps the loop from sleeping; both stop at
 * the end of the file.
 *
 * Events: SOURCE_ROTATED for a rotation (live or while stopped) and a
 * truncation; SOURCE_EOF when PATH is gone and the old file was read to
 * its end ("waiting for PATH to appear"), and with --once at the end;
 * SOURCE_CONNECTED when a file appears at PATH after the source waited.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/source.h"
#include "engine/state.h"
#include "rules/rules.h"

#define FILE_POLL_INTERVAL	1.0	/* s, fallback for inotify */
#define FILE_SIBLINGS_MAX	10000	/* directory entries looked at */
#define FILE_MISSING_GRACE	2.0	/* s: a rename's new file comes */

/* Problems logged once until they change (so a 1 s poll is not noisy). */
enum file_problem {
	FP_NONE,
	FP_MISSING,
	FP_DIRECTORY,
	FP_NOT_REGULAR,
	FP_STAT,		/* + errno */
	FP_OPEN,		/* + errno */
	FP_READ			/* + errno */
};

struct src_file {
	struct src	*src;
	struct vigild	*d;
	char		*path;
	int		 fd;		/* the file read, -1: none */
	uint64_t	 dev, ino;	/* of fd */
	uint64_t	 pos;		/* read offset in fd */
	struct feed	*feed;
	bool		 skipping;	/* to the first '\n': history */
	bool		 reading;	/* reader watchers started */
	bool		 paused;
	bool		 waited;	/* PATH was missing: said so */
	struct file_offset saved;	/* last checkpoint written */
	double		 missing_since;	/* PATH gone, file open */
	int		 problem;	/* enum file_problem last logged */
	int		 problem_errno;
	char		*start_event;	/* SOURCE_ROTATED at start */
	ev_stat		 w_stat;
	ev_timer	 w_tick;
	ev_idle		 w_idle;
	ev_check	 w_read;
};

static void	file_poll(struct src_file *);

static const char *
file_name(const struct src_file *f)
{
	return f->src->name;
}

/* Bytes of the file consumed as whole records. */
static uint64_t
file_consumed(const struct src_file *f)
{
	size_t	held = f->feed != NULL ? feed_pending(f->feed) : 0;

	return held > f->pos ? 0 : f->pos - held;
}

static void
file_checkpoint(struct src *src)
{
	struct src_file		*f = src->priv;
	struct file_offset	 fo;

	/* Skipping a line's tail: the offset is mid-line; keep the last. */
	if (f->d->state == NULL || f->fd == -1 || f->skipping)
		return;
	fo.dev = f->dev;
	fo.ino = f->ino;
	fo.offset = file_consumed(f);
	/* Called every second: an idle file costs no write. */
	if (fo.dev == f->saved.dev && fo.ino == f->saved.ino &&
	    fo.offset == f->saved.offset && f->saved.ino != 0)
		return;
	state_offset_set(f->d->state, src->name, &fo);
	f->saved = fo;
}

/* Log a problem the first time it is seen (and again when it changed). */
static bool
file_problem(struct src_file *f, int problem, int e)
{
	if (f->problem == problem && f->problem_errno == e)
		return false;
	f->problem = problem;
	f->problem_errno = e;
	return true;
}

static void
reader_start(struct src_file *f)
{
	if (f->reading || f->paused || f->fd == -1 || f->src->ended)
		return;
	ev_idle_start(f->d->loop, &f->w_idle);
	ev_check_start(f->d->loop, &f->w_read);
	f->reading = true;
}

static void
reader_stop(struct src_file *f)
{
	ev_idle_stop(f->d->loop, &f->w_idle);
	ev_check_stop(f->d->loop, &f->w_read);
	f->reading = false;
}

/* A new stream: what the old one held unfinished is given as a record. */
static void
file_new_feed(struct src_file *f)
{
	if (f->feed != NULL) {
		feed_end(f->feed);
		feed_free(f->feed);
	}
	f->feed = feed_create(f->src, FRAME_LINES);
}

static void
file_close(struct src_file *f)
{
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
}

/* --once: the current file was read to its end; nothing more will come. */
static void
file_end(struct src_file *f)
{
	if (f->feed != NULL)
		feed_end(f->feed);
	file_checkpoint(f->src);
	reader_stop(f);
	ev_stat_stop(f->d->loop, &f->w_stat);
	ev_timer_stop(f->d->loop, &f->w_tick);
	f->src->ended = true;
	src_event(f->src, "SOURCE_EOF", "%s read to its end", f->path);
}

static void
on_idle(struct ev_loop *loop, ev_idle *w, int revents)
{
	/* Only there to keep the loop from sleeping while w_read works. */
}

/* One read per loop iteration; at the end of the file, look at PATH. */
static void
on_read(struct ev_loop *loop, ev_check *w, int revents)
{
	struct src_file	*f = w->data;
	char		 buf[SRC_READ_SIZE];
	const char	*p = buf, *nl;
	ssize_t		 r;
	size_t		 n;

	if (f->fd == -1 || f->paused) {
		reader_stop(f);
		return;
	}
	r = read(f->fd, buf, sizeof buf);
	if (r == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		/* EIO and the like: the timer tries again. */
		if (file_problem(f, FP_READ, errno))
			log_warn("source %s: read %s at offset %llu (will"
			    " retry)", file_name(f), f->path,
			    (unsigned long long)f->pos);
		reader_stop(f);
		return;
	}
	if (r == 0) {
		reader_stop(f);
		file_poll(f);
		return;
	}
	n = (size_t)r;
	if (f->problem == FP_READ)
		f->problem = FP_NONE;
	f->pos += n;
	if (f->skipping) {
		/* feed_bytes() counts what it is given; this is not given. */
		if ((nl = memchr(p, '\n', n)) == NULL) {
			f->src->bytes += n;
			return;
		}
		f->skipping = false;
		f->src->bytes += (size_t)(nl + 1 - p);
		n -= (size_t)(nl + 1 - p);
		p = nl + 1;
	}
	if (n > 0)
		feed_bytes(f->feed, p, n);
}

/*
 * Open PATH and read it from its start: a file that appeared, or the
 * one that replaced the file we read to its end.
 */
static void
file_switch(struct src_file *f)
{
	struct stat	 sb;
	uint64_t	 oldino = f->ino, oldpos = f->pos;
	bool		 rotated = f->fd != -1;
	int		 fd;

	fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno != ENOENT && file_problem(f, FP_OPEN, errno))
			log_warn("source %s: cannot open %s (will retry;"
			    " check its permissions)", file_name(f), f->path);
		return;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return;		/* replaced again meanwhile: next poll */
	}
	if (rotated) {
		/* Appended to since our last look: read that first. */
		struct stat	 old;
		if (fstat(f->fd, &old) == 0 && (uint64_t)old.st_size > f->pos) {
			close(fd);
			reader_start(f);
			return;
		}
		file_close(f);
	}
	file_new_feed(f);
	f->fd = fd;
	f->dev = (uint64_t)sb.st_dev;
	f->ino = (uint64_t)sb.st_ino;
	f->pos = 0;
	f->skipping = false;
	f->problem = FP_NONE;
	f->src->state = SRCST_UP;
	if (rotated)
		src_event(f->src, "SOURCE_ROTATED", "%s rotated: the old file"
		    " (inode %llu) was read to its end (%llu bytes); reading"
		    " the new one (inode %llu) from its start", f->path,
		    (unsigned long long)oldino, (unsigned long long)oldpos,
		    (unsigned long long)f->ino);
	else if (f->waited)
		src_event(f->src, "SOURCE_CONNECTED", "%s appeared (inode"
		    " %llu): reading it from its start", f->path,
		    (unsigned long long)f->ino);
	else
		log_info("source %s: reading %s (inode %llu) from its start",
		    file_name(f), f->path, (unsigned long long)f->ino);
	f->waited = false;
	file_checkpoint(f->src);
	reader_start(f);
}

/* PATH is not there (or not a file): keep what is open, wait for it. */
static void
file_wait(struct src_file *f, int problem)
{
	if (f->fd != -1 && problem == FP_MISSING && !f->d->once) {
		/*
		 * Removed, not replaced (yet): a writer may still append to
		 * the file we hold, so keep following it meanwhile.  Said
		 * only after a grace: a rotation by rename is followed by
		 * the new file a moment later, and is no news.
		 */
		if (f->waited)
			return;
		if (f->missing_since == 0) {
			f->missing_since = ev_now(f->d->loop);
			return;
		}
		if (ev_now(f->d->loop) - f->missing_since < FILE_MISSING_GRACE)
			return;
		f->src->state = SRCST_WAITING;
		src_event(f->src, "SOURCE_EOF", "%s was removed; the file was"
		    " read to its end, waiting for %s to appear", f->path,
		    f->path);
		f->waited = true;
		return;
	}
	if (f->d->once) {
		/* Nothing more to wait for in batch use. */
		if (f->fd == -1 && problem == FP_MISSING)
			log_warnx("source %s: %s is not there: nothing to read",
			    file_name(f), f->path);
		file_end(f);
		return;
	}
	f->src->state = SRCST_WAITING;
	if (!f->waited && problem == FP_MISSING)
		src_event(f->src, "SOURCE_EOF", "waiting for %s to appear",
		    f->path);
	f->waited = true;
}

/*
 * Look at the open file, then at PATH: growth, truncation, rotation,
 * removal.  Called by the stat watcher, the timer and at end of file.
 */
static void
file_poll(struct src_file *f)
{
	struct stat	 sb;

	/*
	 * Paused (backpressure, or stopping): not even a rotation, whose
	 * switch gives the old file's unfinished line; resume reads on.
	 */
	if (f->src->ended || f->paused)
		return;
	if (f->fd != -1) {
		if (fstat(f->fd, &sb) == -1) {
			log_warn("source %s: fstat %s", file_name(f), f->path);
			return;
		}
		if ((uint64_t)sb.st_size < f->pos) {
			/* copytruncate: same inode, smaller. */
			src_event(f->src, "SOURCE_ROTATED", "%s truncated (to"
			    " %llu bytes, we were at %llu): reading it again"
			    " from its start", f->path,
			    (unsigned long long)sb.st_size,
			    (unsigned long long)f->pos);
			file_new_feed(f);
			if (lseek(f->fd, 0, SEEK_SET) == -1) {
				log_warn("source %s: lseek %s", file_name(f),
				    f->path);
				file_close(f);
				return;
			}
			f->pos = 0;
			f->skipping = false;
			file_checkpoint(f->src);
			reader_start(f);
			return;
		}
		if ((uint64_t)sb.st_size > f->pos || f->reading) {
			/* Drain the open file before looking at PATH. */
			reader_start(f);
			return;
		}
	}

	if (stat(f->path, &sb) == -1) {
		if (errno == ENOENT || errno == ENOTDIR) {
			file_problem(f, FP_MISSING, 0);
			file_wait(f, FP_MISSING);
		} else {
			if (file_problem(f, FP_STAT, errno))
				log_warn("source %s: cannot look at %s (will"
				    " retry)", file_name(f), f->path);
			file_wait(f, FP_STAT);
		}
		return;
	}
	f->missing_since = 0;
	if (S_ISDIR(sb.st_mode)) {
		if (file_problem(f, FP_DIRECTORY, 0))
			log_warnx("source %s: %s is now a directory; waiting"
			    " for a file there", file_name(f), f->path);
		file_wait(f, FP_DIRECTORY);
		return;
	}
	if (!S_ISREG(sb.st_mode)) {
		if (file_problem(f, FP_NOT_REGULAR, 0))
			log_warnx("source %s: %s is no longer a regular file;"
			    " waiting for a file there", file_name(f), f->path);
		file_wait(f, FP_NOT_REGULAR);
		return;
	}
	if (f->fd != -1 && (uint64_t)sb.st_dev == f->dev &&
	    (uint64_t)sb.st_ino == f->ino) {
		/* The same file, read to its end. */
		f->problem = FP_NONE;
		if (f->waited) {
			log_info("source %s: %s is back", file_name(f),
			    f->path);
			f->waited = false;
			f->src->state = SRCST_UP;
		}
		if (f->d->once)
			file_end(f);
		return;
	}
	file_switch(f);
}

static void
on_stat(struct ev_loop *loop, ev_stat *w, int revents)
{
	file_poll(w->data);
}

static void
on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct src_file	*f = w->data;
	char		*what;

	/* Said from the loop: the constructor does not raise events. */
	if ((what = f->start_event) != NULL) {
		f->start_event = NULL;
		src_event(f->src, "SOURCE_ROTATED", "%s", what);
		free(what);
	}
	file_poll(f);
}

/*
 * After a rotation while vigild was stopped: the file with the saved
 * inode beside PATH (PATH.1, PATH.0, PATH-20240101, ...), opened, or -1.
 */
static int
file_find_rotated(const char *path, const struct file_offset *fo,
    char **found)
{
	const char	*slash, *base, *dirpath, *n, *ext;
	char		*dir, *cand;
	DIR		*dp;
	struct dirent	*de;
	struct stat	 sb;
	size_t		 blen, seen = 0;
	int		 fd = -1;

	*found = NULL;
	if ((slash = strrchr(path, '/')) != NULL) {
		dir = xstrndup(path, (size_t)(slash - path));
		base = slash + 1;
		dirpath = *dir != '\0' ? dir : "/";
	} else {
		dir = NULL;
		base = path;
		dirpath = ".";
	}
	blen = strlen(base);
	if (blen == 0 || (dp = opendir(dirpath)) == NULL) {
		free(dir);
		return -1;
	}
	while (fd == -1 && (de = readdir(dp)) != NULL &&
	    seen++ < FILE_SIBLINGS_MAX) {
		n = de->d_name;
		if (strncmp(n, base, blen) != 0 ||
		    (n[blen] != '.' && n[blen] != '-') || n[blen + 1] == '\0')
			continue;
		/* Compressed copies are other inodes: do not even look. */
		if ((ext = strrchr(n, '.')) != NULL &&
		    (strcmp(ext, ".gz") == 0 || strcmp(ext, ".bz2") == 0 ||
		    strcmp(ext, ".xz") == 0 || strcmp(ext, ".zst") == 0))
			continue;
		xasprintf(&cand, "%s/%s", dirpath, n);
		if (stat(cand, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (uint64_t)sb.st_dev == fo->dev &&
		    (uint64_t)sb.st_ino == fo->ino &&
		    (uint64_t)sb.st_size >= fo->offset &&
		    (fd = open(cand, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) !=
		    -1) {
			if (lseek(fd, (off_t)fo->offset, SEEK_SET) == -1) {
				close(fd);
				fd = -1;
			} else
				*found = cand;
		}
		if (*found == NULL)
			free(cand);
	}
	closedir(dp);
	free(dir);
	return fd;
}

/* Where to start, from the saved offset if there is one (see the top). */
static void
file_start(struct src_file *f, const struct stat *sb, bool exists)
{
	struct file_offset	 fo;
	char			*old;
	int			 fd;
	off_t			 end;
	char			 last;

	if (f->d->state != NULL && state_offset_get(f->d->state,
	    f->src->name, &fo)) {
		if (exists && (uint64_t)sb->st_dev == fo.dev &&
		    (uint64_t)sb->st_ino == fo.ino) {
			if ((fd = open(f->path, O_RDONLY | O_NONBLOCK |
			    O_CLOEXEC)) == -1)
				return;		/* poll will say why */
			f->fd = fd;
			f->dev = fo.dev;
			f->ino = fo.ino;
			if ((uint64_t)sb->st_size >= fo.offset &&
			    lseek(fd, (off_t)fo.offset, SEEK_SET) != -1) {
				f->pos = fo.offset;
				log_info("source %s: resuming %s (inode %llu)"
				    " at offset %llu", file_name(f), f->path,
				    (unsigned long long)fo.ino,
				    (unsigned long long)fo.offset);
			} else
				xasprintf(&f->start_event, "%s was"
				    " truncated while vigild was stopped (%llu"
				    " bytes, we were at %llu): reading it from"
				    " its start", f->path,
				    (unsigned long long)sb->st_size,
				    (unsigned long long)fo.offset);
			return;
		}
		fd = file_find_rotated(f->path, &fo, &old);
		if (fd != -1) {
			/* Its rest first; poll then switches to PATH. */
			f->fd = fd;
			f->dev = fo.dev;
			f->ino = fo.ino;
			f->pos = fo.offset;
			xasprintf(&f->start_event, "%s was rotated"
			    " while vigild was stopped: reading the rest of %s"
			    " from offset %llu, then %s from its start",
			    f->path, old, (unsigned long long)fo.offset,
			    f->path);
			free(old);
		} else
			xasprintf(&f->start_event, "%s was rotated"
			    " while vigild was stopped and the old file (inode"
			    " %llu) is not beside it: what it held after offset"
			    " %llu is lost; reading %s from its start", f->path,
			    (unsigned long long)fo.ino,
			    (unsigned long long)fo.offset, f->path);
		return;
	}
	if (!exists)
		return;		/* read from its start when it appears */
	if ((fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return;
	f->fd = fd;
	f->dev = (uint64_t)sb->st_dev;
	f->ino = (uint64_t)sb->st_ino;
	if (f->d->once) {
		log_info("source %s: reading %s from its start (--once)",
		    file_name(f), f->path);
		return;
	}
	/* A new source: from the end, past an unfinished last line. */
	if ((end = lseek(fd, 0, SEEK_END)) == -1) {
		log_warn("source %s: lseek %s", file_name(f), f->path);
		return;
	}
	f->pos = (uint64_t)end;
	if (end > 0 && pread(fd, &last, 1, end - 1) == 1 && last != '\n')
		f->skipping = true;
	log_info("source %s: following %s (inode %llu) from its end, offset"
	    " %llu", file_name(f), f->path, (unsigned long long)f->ino,
	    (unsigned long long)f->pos);
	/*
	 * Saved now, not at the first tick: after a crash within that second
	 * the next start would take the source as new and skip what was
	 * written meanwhile.
	 */
	file_checkpoint(f->src);
}

static void
file_pause(struct src *src)
{
	struct src_file	*f = src->priv;

	f->paused = true;
	reader_stop(f);
}

static void
file_resume(struct src *src)
{
	struct src_file	*f = src->priv;

	f->paused = false;
	/* Not file_poll(): resume may be called from inside a dispatch. */
	reader_start(f);
}

static void
file_describe(struct src *src, struct strbuf *sb)
{
	struct src_file	*f = src->priv;
	const char	*what;

	if (src->ended)
		what = "ended";
	else if (f->paused)
		what = "paused";
	else if (f->fd == -1)
		what = "waiting for the file";
	else if (f->waited)
		what = "reading a removed file";
	else
		what = f->reading ? "reading" : "at the end";
	strbuf_addf(sb, "file %s", f->path);
	if (f->fd != -1)
		strbuf_addf(sb, ", inode %llu, offset %llu",
		    (unsigned long long)f->ino,
		    (unsigned long long)file_consumed(f));
	strbuf_addf(sb, ", %s", what);
}

static void
file_free(struct src *src)
{
	struct src_file	*f = src->priv;

	if (f == NULL)
		return;
	reader_stop(f);
	ev_stat_stop(f->d->loop, &f->w_stat);
	ev_timer_stop(f->d->loop, &f->w_tick);
	file_close(f);
	feed_free(f->feed);
	free(f->start_event);
	free(f->path);
	free(f);
	src->priv = NULL;
}

static const struct src_ops file_ops = {
	.pause = file_pause,
	.resume = file_resume,
	.write = NULL,
	.checkpoint = file_checkpoint,
	.describe = file_describe,
	.free = file_free,
};

/* DEFSRC TYPE FILE PATH p: follow p (see the top of the file). */
struct src *
src_file_create(struct vigild *d, const struct source *def, char **err)
{
	struct src_file	*f;
	struct src	*src;
	struct stat	 sb;
	bool		 exists;

	if (def->path == NULL || *def->path == '\0') {
		xasprintf(err, "source %s: a FILE source needs PATH",
		    def->def.name);
		return NULL;
	}
	exists = stat(def->path, &sb) == 0;
	if (exists && S_ISDIR(sb.st_mode)) {
		xasprintf(err, "source %s: %s is a directory; PATH must name"
		    " the file to follow", def->def.name, def->path);
		return NULL;
	}
	if (exists && !S_ISREG(sb.st_mode)) {
		xasprintf(err, "source %s: %s is not a regular file; use TYPE"
		    " FIFO for a named pipe, UNIX for a socket", def->def.name,
		    def->path);
		return NULL;
	}
	if (!exists && errno != ENOENT)
		log_warn("source %s: cannot look at %s (will retry)",
		    def->def.name, def->path);

	f = xcalloc(1, sizeof *f);
	f->d = d;
	f->fd = -1;
	f->path = xstrdup(def->path);
	src = src_new(d, def, &file_ops, f);
	f->src = src;
	src->state = SRCST_UP;
	f->feed = feed_create(src, FRAME_LINES);
	file_start(f, &sb, exists);
	if (f->fd == -1)
		src->state = SRCST_WAITING;

	ev_stat_init(&f->w_stat, on_stat, f->path, 0.);
	f->w_stat.data = f;
	ev_stat_start(d->loop, &f->w_stat);
	ev_idle_init(&f->w_idle, on_idle);
	f->w_idle.data = f;
	ev_check_init(&f->w_read, on_read);
	f->w_read.data = f;
	/* The first look at once, from the loop, not from the constructor. */
	ev_timer_init(&f->w_tick, on_tick, 0., FILE_POLL_INTERVAL);
	f->w_tick.data = f;
	ev_timer_start(d->loop, &f->w_tick);
	return src;
}
