/* SPDX-License-Identifier: Apache-2.0 */
/*
 * src-fd.c - a source that is a byte stream on a file descriptor
 * (standard input, later FIFOs and sockets): read without blocking the
 * loop, framed into lines, each line given to the source's message reader
 * and every message to the dispatcher.  A line longer than MSG_MAX_LEN is
 * cut (the reader counts it) and the rest of it skipped, so memory stays
 * bounded.  At end of file the reader is flushed (a z/OS message waiting
 * for its continuation is emitted).
 */
#include "config.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "rules/rules.h"

#define SRC_READ_SIZE	 65536

struct src_fd {
	struct vigild		*d;
	int			 fd;
	char			*name;
	struct msgreader	*reader;
	ev_io			 io;
	char			*buf;		/* a partial line */
	size_t			 len;
	bool			 skipping;	/* rest of a cut line */
	bool			 eof;
};

static void
on_message(const struct message *msg, void *arg)
{
	struct src_fd	*s = arg;

	dispatch_message(s->d, msg);
}

static void
feed(struct src_fd *s, const char *line, size_t len)
{
	msgreader_line(s->reader, line, len, (time_t)ev_now(s->d->loop),
	    on_message, s);
}

/* Split what was read into lines; keep the unfinished one. */
static void
frame(struct src_fd *s, const char *p, size_t n)
{
	const char	*nl;
	size_t		 take;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		take = nl != NULL ? (size_t)(nl - p) : n;
		if (!s->skipping) {
			if (s->len + take > MSG_MAX_LEN) {
				/* One byte more than allowed: counted as cut. */
				take = MSG_MAX_LEN + 1 - s->len;
				memcpy(s->buf + s->len, p, take);
				feed(s, s->buf, MSG_MAX_LEN + 1);
				s->len = 0;
				s->skipping = true;
				continue;
			}
			memcpy(s->buf + s->len, p, take);
			s->len += take;
		}
		if (nl == NULL)
			return;
		if (!s->skipping)
			feed(s, s->buf, s->len);
		s->len = 0;
		s->skipping = false;
		p = nl + 1;
		n -= take + 1;
	}
}

static void
on_read(struct ev_loop *loop, ev_io *w, int revents)
{
	struct src_fd	*s = w->data;
	char		 chunk[SRC_READ_SIZE];
	ssize_t		 r;

	r = read(s->fd, chunk, sizeof chunk);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r > 0) {
		frame(s, chunk, (size_t)r);
		return;
	}
	if (r < 0)
		log_warn("source %s: read", s->name);
	if (s->len > 0 && !s->skipping)
		feed(s, s->buf, s->len);
	s->len = 0;
	msgreader_flush(s->reader, (time_t)ev_now(loop), on_message, s);
	ev_io_stop(loop, w);
	s->eof = true;
	log_info("source %s: end of input", s->name);
}

struct src_fd *
src_fd_create(struct vigild *d, int fd, const char *name, int format,
    const char *user, const char *system)
{
	struct src_fd	*s;
	int		 flags;

	s = xcalloc(1, sizeof *s);
	s->d = d;
	s->fd = fd;
	s->name = xstrdup(name);
	s->reader = msgreader_create(format, name, system, user);
	s->buf = xmalloc(MSG_MAX_LEN + 1);
	if ((flags = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	ev_io_init(&s->io, on_read, fd, EV_READ);
	s->io.data = s;
	ev_io_start(d->loop, &s->io);
	return s;
}

bool
src_fd_eof(const struct src_fd *s)
{
	return s->eof;
}

void
src_fd_free(struct src_fd *s)
{
	if (s == NULL)
		return;
	ev_io_stop(s->d->loop, &s->io);
	msgreader_free(s->reader);
	free(s->buf);
	free(s->name);
	free(s);
}
