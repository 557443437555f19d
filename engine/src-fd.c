/* SPDX-License-Identifier: Apache-2.0 */
/*
 * src-fd.c - sources that are one byte stream read as lines: standard
 * input (TYPE STDIN), and a named pipe (TYPE FIFO PATH p, created with
 * mode 0660 if missing).  Reading never blocks the loop; at most
 * SRC_READ_SIZE bytes are read per callback so one busy stream cannot
 * starve the others.  Standard input ends at its end of file.  A FIFO
 * does not: when its last writer goes, what is held is flushed
 * (SOURCE_EOF) and the pipe is opened again for the next writer -- except
 * under --once, where the first end is the end.
 */
#include "config.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/source.h"
#include "rules/rules.h"

struct fdsrc {
	int		 fd;
	char		*path;		/* FIFO; NULL for standard input */
	struct feed	*feed;
	ev_io		 io;
};

static void fd_free(struct src *);

static void
fd_pause(struct src *s)
{
	struct fdsrc	*f = s->priv;

	ev_io_stop(s->d->loop, &f->io);
}

static void
fd_resume(struct src *s)
{
	struct fdsrc	*f = s->priv;

	if (f->fd != -1 && !s->ended)
		ev_io_start(s->d->loop, &f->io);
}

static void
fd_describe(struct src *s, struct strbuf *sb)
{
	struct fdsrc	*f = s->priv;

	strbuf_addf(sb, "%s%s", f->path != NULL ? "fifo " : "standard input",
	    f->path != NULL ? f->path : "");
}

static const struct src_ops fd_ops = {
	.pause = fd_pause,
	.resume = fd_resume,
	.describe = fd_describe,
	.free = fd_free,
};

static bool
fifo_open(struct src *s, char **err)
{
	struct fdsrc	*f = s->priv;

	f->fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (f->fd == -1) {
		xasprintf(err, "source %s: cannot open FIFO %s: %s", s->name,
		    f->path, strerror(errno));
		return false;
	}
	ev_io_set(&f->io, f->fd, EV_READ);
	if (!s->paused)
		ev_io_start(s->d->loop, &f->io);
	return true;
}

static void
on_read(struct ev_loop *loop, ev_io *w, int revents)
{
	struct src	*s = w->data;
	struct fdsrc	*f = s->priv;
	char		 chunk[SRC_READ_SIZE];
	ssize_t		 r;
	char		*err = NULL;

	(void)revents;
	r = read(f->fd, chunk, sizeof chunk);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r > 0) {
		feed_bytes(f->feed, chunk, (size_t)r);
		return;
	}
	if (r < 0)
		src_event(s, "SOURCE_ERROR", "read: %s", strerror(errno));
	feed_end(f->feed);
	ev_io_stop(loop, w);
	if (f->path != NULL)
		close(f->fd);
	f->fd = -1;
	if (f->path == NULL || s->d->once) {
		s->ended = true;
		src_event(s, "SOURCE_EOF", "end of input");
		return;
	}
	src_event(s, "SOURCE_EOF", "the last writer closed %s", f->path);
	if (!fifo_open(s, &err)) {
		s->state = SRCST_DOWN;
		src_event(s, "SOURCE_ERROR", "%s", err);
		free(err);
	}
}

static struct src *
fd_create(struct vigild *d, const struct source *def, int fd,
    const char *path)
{
	struct fdsrc	*f = xcalloc(1, sizeof *f);
	struct src	*s = src_new(d, def, &fd_ops, f);
	int		 flags;

	f->fd = fd;
	f->path = path != NULL ? xstrdup(path) : NULL;
	f->feed = feed_create(s, FRAME_LINES);
	ev_io_init(&f->io, on_read, fd, EV_READ);
	f->io.data = s;
	if (fd != -1) {
		if ((flags = fcntl(fd, F_GETFL)) != -1)
			(void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
		ev_io_start(d->loop, &f->io);
	}
	return s;
}

struct src *
src_stdin_create(struct vigild *d, const struct source *def, char **err)
{
	(void)err;
	return fd_create(d, def, STDIN_FILENO, NULL);
}

struct src *
src_fifo_create(struct vigild *d, const struct source *def, char **err)
{
	struct stat	 st;
	struct src	*s;

	if (stat(def->path, &st) == -1) {
		if (errno != ENOENT || mkfifo(def->path, 0660) == -1) {
			xasprintf(err, "source %s: cannot create FIFO %s: %s",
			    def->def.name, def->path, strerror(errno));
			return NULL;
		}
	} else if (S_ISDIR(st.st_mode)) {
		xasprintf(err, "source %s: %s is a directory, not a FIFO",
		    def->def.name, def->path);
		return NULL;
	} else if (!S_ISFIFO(st.st_mode)) {
		xasprintf(err, "source %s: %s exists and is not a FIFO (use"
		    " TYPE FILE to follow a file)", def->def.name, def->path);
		return NULL;
	}
	s = fd_create(d, def, -1, def->path);
	if (!fifo_open(s, err)) {
		src_free(s);
		return NULL;
	}
	return s;
}

static void
fd_free(struct src *s)
{
	struct fdsrc	*f = s->priv;

	ev_io_stop(s->d->loop, &f->io);
	feed_free(f->feed);
	if (f->path != NULL && f->fd != -1)
		close(f->fd);
	free(f->path);
	free(f);
}
