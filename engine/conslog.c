/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conslog.c - the console log: one append-only text file per source, one
 * escaped line per message, size-based rotation, a write buffer per file
 * and a degraded mode when the disk refuses to take more.
 *
 * Files stay open; an entry per (sanitised) source name is kept in an
 * array sorted by name.  A file renamed or removed behind our back
 * (logrotate) is noticed by comparing its inode with the path's, at most
 * once a second, and reopened.  Any failure to open or write a file
 * degrades the whole log: what was buffered is dropped and counted, and
 * only conslog_flush() tries again, at most once a second, so a full disk
 * costs one failed write(2) a second rather than one per message.
 *
 * It does not decide which messages are logged, nor parse them; it never
 * reads the files back.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/conslog.h"
#include "util/util.h"

#define CONSLOG_BUFSIZE	(64u * 1024)	/* flushed when it holds this much */
#define CONSLOG_NAMEMAX	100		/* sanitised name, leaves room for
					   ".log.NNN" within NAME_MAX */

struct clfile {
	char		*name;		/* sanitised source name, the key */
	char		*path;		/* DIR/NAME.log */
	int		 fd;		/* -1 when not open */
	dev_t		 dev;
	ino_t		 ino;
	uint64_t	 size;		/* bytes in the file, buffer excluded */
	double		 checked;	/* monotonic time of the last stat */
	char		*buf;		/* whole lines not yet written */
	size_t		 len;
	size_t		 cap;
	size_t		 lines;		/* lines in buf */
};

struct conslog {
	char		 *dir;
	uint64_t	  max_bytes;
	unsigned	  keep;
	conslog_health_cb cb;
	void		 *arg;

	struct clfile	**files;	/* sorted by name */
	size_t		  nfiles;
	size_t		  capfiles;

	char		 *line;		/* scratch for one formatted line */
	size_t		  linecap;

	bool		  degraded;
	double		  retry_at;	/* monotonic; degraded only */
	uint64_t	  lost;		/* ever */
	uint64_t	  lost_mark;	/* lost when it degraded */
};

static double
now_mono(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
safe_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '$' || c == '#' || c == '@' ||
	    c == '_' || c == '-';
}

/*
 * The file name for a source: anything outside [A-Za-z0-9$#@_-] becomes
 * '_', so neither '/' nor ".." can get through, and the name is cut so
 * that NAME.log.KEEP fits in NAME_MAX.  Sources whose names differ only
 * in what is replaced share a file (and an entry).
 */
static void
sanitise(const char *source, char out[CONSLOG_NAMEMAX + 1])
{
	size_t	 i;

	if (source == NULL || *source == '\0') {
		strcpy(out, "_");
		return;
	}
	for (i = 0; source[i] != '\0' && i < CONSLOG_NAMEMAX; i++)
		out[i] = safe_char((unsigned char)source[i]) ? source[i] : '_';
	out[i] = '\0';
}

/*
 * Escape n bytes into out (room for 4 * n): controls, DEL, backslash and
 * bytes that are not valid UTF-8 as \xNN, a backslash as \\.  C1 controls
 * (U+0080..U+009F), though valid UTF-8, are escaped byte by byte too: some
 * terminals obey them, and these files are meant to be viewed.  With
 * space set a space is escaped as well, for a field that must not split.
 */
static size_t
escape(char *out, const char *in, size_t n, bool space)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 i = 0, o = 0, k;
	unsigned char		 c;

	while (i < n) {
		c = s[i];
		if (c >= 0x80 && (k = utf8_seq(s + i, n - i)) != 0 &&
		    (c != 0xc2 || s[i + 1] >= 0xa0)) {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
			continue;
		}
		if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (c < 0x20 || c >= 0x7f || (space && c == ' ')) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		} else
			out[o++] = (char)c;
		i++;
	}
	return o;
}

/*
 * Format one line into cl->line and return its length.  Times outside
 * 1970..9999 (or not numbers at all) are clamped rather than trusted.
 */
static size_t
format_line(struct conslog *cl, double when, const char *user,
    const char *text, size_t len)
{
	struct tm	 tm;
	time_t		 t;
	size_t		 ulen, need, o;
	int64_t		 msec;
	int		 ms;

	if (text == NULL)
		len = 0;
	if (user == NULL || *user == '\0')
		user = "-";
	ulen = strlen(user);
	if (ulen > 256)
		ulen = 256;

	/* Overflow is impossible for any text that fits in memory / 4. */
	need = 32 + 4 * ulen + 4 * len + 1;
	if (need > cl->linecap) {
		free(cl->line);
		cl->line = xmalloc(need);
		cl->linecap = need;
	}

	if (!(when >= 0))		/* NaN too */
		when = 0;
	if (when > 253402300799.0)	/* 9999-12-31T23:59:59Z */
		when = 253402300799.0;
	/*
	 * Round to the millisecond: truncating would print .122 for a
	 * 1795310641.123 that a double holds as 1795310641.12299990.
	 */
	msec = (int64_t)(when * 1000.0 + 0.5);
	ms = (int)(msec % 1000);
	t = (time_t)(msec / 1000);
	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	o = strftime(cl->line, 24, "%Y-%m-%dT%H:%M:%S", &tm);
	o += (size_t)snprintf(cl->line + o, 8, ".%03dZ ", ms);
	o += escape(cl->line + o, user, ulen, true);
	cl->line[o++] = ' ';
	o += escape(cl->line + o, text, len, false);
	cl->line[o++] = '\n';
	return o;
}

static void
health(struct conslog *cl, bool degraded, const char *why)
{
	if (cl->cb != NULL)
		cl->cb(degraded, why, cl->arg);
	else if (degraded)
		log_warnx("%s", why);
	else
		log_info("%s", why);
}

/* Enter degraded mode (once) because of errno err on path. */
static void
degrade(struct conslog *cl, const char *path, int err)
{
	char	*why;

	if (cl->degraded)
		return;
	cl->degraded = true;
	cl->lost_mark = cl->lost;
	cl->retry_at = now_mono() + 1.0;
	xasprintf(&why, "console log %s: %s", path, strerror(err));
	health(cl, true, why);
	free(why);
}

static void
file_close(struct clfile *f)
{
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
}

/*
 * Open (or reopen) a file's path.  O_NONBLOCK changes nothing for a
 * regular file but keeps a FIFO planted at the path from hanging us.
 */
static int
file_open(struct conslog *cl, struct clfile *f)
{
	struct stat	 st;
	int		 fd, err;

	file_close(f);
	f->size = 0;
	f->checked = now_mono();
	/* Never through a symbolic link someone planted. */
	fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK | O_NOFOLLOW, 0640);
	if (fd == -1) {
		degrade(cl, f->path, errno);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		err = errno;
		close(fd);
		degrade(cl, f->path, err);
		return -1;
	}
	f->fd = fd;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = (uint64_t)st.st_size;
	return 0;
}

/*
 * Reopen a file if its path no longer names the file we hold (renamed or
 * removed by logrotate or an operator); checked at most once a second.
 */
static int
file_check(struct conslog *cl, struct clfile *f)
{
	struct stat	 st;
	double		 now;

	if (f->fd == -1)
		return file_open(cl, f);
	now = now_mono();
	if (now - f->checked < 1.0)
		return 0;
	f->checked = now;
	if (stat(f->path, &st) == 0 && st.st_dev == f->dev &&
	    st.st_ino == f->ino)
		return 0;
	log_debug("console log %s was moved, reopening", f->path);
	return file_open(cl, f);
}

static size_t
count_lines(const char *s, size_t n)
{
	const char	*end = s + n, *nl;
	size_t		 lines = 0;

	while (s < end && (nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		lines++;
		s = nl + 1;
	}
	return lines;
}

/* Empty a buffer, giving back what one huge line made it grow to. */
static void
buf_reset(struct clfile *f)
{
	f->len = 0;
	f->lines = 0;
	if (f->cap > CONSLOG_BUFSIZE) {
		free(f->buf);
		f->buf = NULL;
		f->cap = 0;
	}
}

static void
drop(struct conslog *cl, struct clfile *f)
{
	cl->lost += f->lines;
	buf_reset(f);
}

/*
 * Write a file's buffer.  When the log is degraded only an attempt (the
 * once-a-second retry) may touch the disk; otherwise the lines are
 * dropped.  On failure the lines not wholly written are counted lost and
 * a line torn by a short write is cut off again, so that the next line
 * written after recovery starts a line of its own.
 */
static int
file_flush(struct conslog *cl, struct clfile *f, bool attempt)
{
	struct stat	 st;
	size_t		 off = 0, whole;
	ssize_t		 w;
	int		 err;

	if (f->len == 0)
		return 0;
	if (cl->degraded && !attempt) {
		drop(cl, f);
		return -1;
	}
	if (file_check(cl, f) == -1) {
		drop(cl, f);
		return -1;
	}
	while (off < f->len) {
		w = write(f->fd, f->buf + off, f->len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w == 0 ? EIO : errno;
			goto fail;
		}
		off += (size_t)w;
	}
	f->size += f->len;
	buf_reset(f);
	return 0;

fail:
	for (whole = off; whole > 0 && f->buf[whole - 1] != '\n'; whole--)
		;
	if (whole < off && fstat(f->fd, &st) == 0 &&
	    (uint64_t)st.st_size >= off - whole)
		(void)ftruncate(f->fd, st.st_size - (off_t)(off - whole));
	f->size += whole;
	degrade(cl, f->path, err);	/* first: these lines are its first */
	cl->lost += count_lines(f->buf + whole, f->len - whole);
	buf_reset(f);
	return -1;
}

/*
 * NAME.log becomes NAME.log.1, .1 becomes .2 and so on; renaming over
 * NAME.log.KEEP is what removes the oldest.  If NAME.log cannot be moved
 * we go on appending to it, but as if it were new, so that the next
 * attempt (and warning) comes only after another max_bytes.
 */
static void
file_rotate(struct conslog *cl, struct clfile *f)
{
	char		*from, *to;
	unsigned	 i;
	bool		 failed = false;

	file_close(f);
	if (cl->keep == 0) {
		if (unlink(f->path) == -1 && errno != ENOENT) {
			log_warn("console log %s: unlink", f->path);
			failed = true;
		}
	} else {
		for (i = cl->keep - 1; i >= 1; i--) {
			xasprintf(&from, "%s.%u", f->path, i);
			xasprintf(&to, "%s.%u", f->path, i + 1);
			if (rename(from, to) == -1 && errno != ENOENT)
				log_warn("console log %s: rename", from);
			free(from);
			free(to);
		}
		xasprintf(&to, "%s.1", f->path);
		if (rename(f->path, to) == -1 && errno != ENOENT) {
			log_warn("console log %s: rename", f->path);
			failed = true;
		}
		free(to);
	}
	if (file_open(cl, f) == 0 && failed)
		f->size = 0;
}

/* The entry for a source, created (and its file opened) if new. */
static struct clfile *
file_get(struct conslog *cl, const char *source)
{
	char		 name[CONSLOG_NAMEMAX + 1];
	struct clfile	*f;
	size_t		 lo = 0, hi = cl->nfiles, mid;
	int		 c;

	sanitise(source, name);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(name, cl->files[mid]->name);
		if (c == 0)
			return cl->files[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}

	if (cl->nfiles == cl->capfiles) {
		cl->capfiles = cl->capfiles == 0 ? 16 : cl->capfiles * 2;
		cl->files = xreallocarray(cl->files, cl->capfiles,
		    sizeof *cl->files);
	}
	memmove(cl->files + lo + 1, cl->files + lo,
	    (cl->nfiles - lo) * sizeof *cl->files);
	cl->nfiles++;

	f = xcalloc(1, sizeof *f);
	f->name = xstrdup(name);
	xasprintf(&f->path, "%s/%s.log", cl->dir, name);
	f->fd = -1;
	cl->files[lo] = f;
	(void)file_open(cl, f);
	return f;
}

/* mkdir -p, each new directory 0750. */
static int
mkdirs(const char *dir)
{
	char	*p, *s;
	int	 rc = 0;

	p = xstrdup(dir);
	for (s = p + 1; rc == 0 && *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0750) == -1 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, 0750) == -1 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

/* Create the log in dir, which is created if missing. */
struct conslog *
conslog_open(const char *dir, uint64_t max_bytes, unsigned keep,
    conslog_health_cb cb, void *arg, char **err)
{
	struct conslog	*cl;
	struct stat	 st;
	size_t		 n;

	if (dir == NULL || *dir == '\0') {
		*err = xstrdup("console log: no directory");
		return NULL;
	}
	if (mkdirs(dir) == -1 || stat(dir, &st) == -1) {
		xasprintf(err, "console log %s: %s", dir, strerror(errno));
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		xasprintf(err, "console log %s: %s", dir, strerror(ENOTDIR));
		return NULL;
	}
	if (access(dir, W_OK | X_OK) == -1) {
		xasprintf(err, "console log %s: %s", dir, strerror(errno));
		return NULL;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		/* Others could plant links or fill it: refuse, as state.c. */
		xasprintf(err, "console log %s is writable by group or others:"
		    " make it private (chmod go-w %s)", dir, dir);
		return NULL;
	}

	cl = xcalloc(1, sizeof *cl);
	cl->dir = xstrdup(dir);
	for (n = strlen(cl->dir); n > 1 && cl->dir[n - 1] == '/'; n--)
		cl->dir[n - 1] = '\0';
	cl->max_bytes = max_bytes != 0 ? max_bytes : CONSLOG_MAX_BYTES;
	cl->keep = keep;
	cl->cb = cb;
	cl->arg = arg;
	return cl;
}

/* Add one message to its source's file (buffered). */
void
conslog_write(struct conslog *cl, const char *source, double when,
    const char *user, const char *text, size_t len)
{
	struct clfile	*f;
	size_t		 n, cap;

	if (cl == NULL)
		return;
	f = file_get(cl, source);
	n = format_line(cl, when, user, text, len);

	/* Rotate on a line boundary: what is buffered goes to the old file. */
	if (f->size + f->len + n > cl->max_bytes && f->size + f->len > 0) {
		(void)file_flush(cl, f, false);
		if (f->size > 0)
			file_rotate(cl, f);
	}
	if (f->len > 0 && f->len + n > CONSLOG_BUFSIZE)
		(void)file_flush(cl, f, false);

	if (f->len + n > f->cap) {
		cap = f->cap == 0 ? 4096 : f->cap * 2;
		while (cap < f->len + n)
			cap *= 2;
		f->buf = xreallocarray(f->buf, 1, cap);
		f->cap = cap;
	}
	memcpy(f->buf + f->len, cl->line, n);
	f->len += n;
	f->lines++;
	if (f->len >= CONSLOG_BUFSIZE)
		(void)file_flush(cl, f, false);

	if (cl->linecap > 4 * CONSLOG_BUFSIZE) {
		free(cl->line);
		cl->line = NULL;
		cl->linecap = 0;
	}
}

/*
 * Write every buffer.  While degraded, at most once a second (and only
 * when there is something to write, since only a write can tell) the
 * pending lines are tried; otherwise they are dropped.
 */
void
conslog_flush(struct conslog *cl)
{
	char	*why;
	size_t	 i;
	bool	 pending = false, ok = true;
	double	 now;

	if (cl == NULL)
		return;
	if (!cl->degraded) {
		for (i = 0; i < cl->nfiles; i++)
			(void)file_flush(cl, cl->files[i], false);
		return;
	}

	for (i = 0; i < cl->nfiles; i++)
		pending = pending || cl->files[i]->len > 0;
	if (!pending)
		return;
	now = now_mono();
	if (now < cl->retry_at) {
		for (i = 0; i < cl->nfiles; i++)
			drop(cl, cl->files[i]);
		return;
	}
	cl->retry_at = now + 1.0;
	for (i = 0; i < cl->nfiles; i++) {
		if (ok)
			ok = file_flush(cl, cl->files[i], true) == 0;
		else
			drop(cl, cl->files[i]);
	}
	if (!ok)
		return;
	cl->degraded = false;
	xasprintf(&why, "console log %s recovered; %llu lines lost", cl->dir,
	    (unsigned long long)(cl->lost - cl->lost_mark));
	health(cl, false, why);
	free(why);
}

/* Whether writes are failing. */
bool
conslog_degraded(const struct conslog *cl)
{
	return cl != NULL && cl->degraded;
}

/* Lines dropped since the log was opened. */
uint64_t
conslog_lost(const struct conslog *cl)
{
	return cl != NULL ? cl->lost : 0;
}

/* The path of a source's current file (caller frees). */
char *
conslog_path(const struct conslog *cl, const char *source)
{
	char	 name[CONSLOG_NAMEMAX + 1];
	char	*path;

	sanitise(source, name);
	xasprintf(&path, "%s/%s.log", cl->dir, name);
	return path;
}

/*
 * Flush and free.  Lines still pending while degraded and inside the
 * retry interval are lost (and counted) like any others.
 */
void
conslog_close(struct conslog *cl)
{
	struct clfile	*f;
	size_t		 i;

	if (cl == NULL)
		return;
	conslog_flush(cl);
	for (i = 0; i < cl->nfiles; i++) {
		f = cl->files[i];
		file_close(f);
		free(f->buf);
		free(f->path);
		free(f->name);
		free(f);
	}
	free(cl->files);
	free(cl->line);
	free(cl->dir);
	free(cl);
}
