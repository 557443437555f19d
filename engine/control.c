/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control.c - the control socket of vigild: it binds the UNIX socket,
 * accepts the vigil clients, learns who each one is from the kernel,
 * reads its one request line, hands the request to ctl_command(), and
 * writes the lines the command produces back, "=N" last.  The protocol
 * is in engine/control.h, its codec in cli/proto.c.  It is not
 * responsible for what the commands do (ctl-cmds.c) nor for who may do
 * what (auth.c).
 *
 * Decisions:
 * - Reaching the socket is not permission.  The socket is 0660 in a
 *   directory the daemon creates 0750: the file modes only say who may
 *   knock.  Every command is checked against the peer's uid and gid,
 *   which come from the kernel (SO_PEERCRED), never from the client.
 * - The daemon refuses to start when the socket's directory is writable
 *   by group or others, or belongs to another user: they could replace
 *   the socket with their own and collect what operators type.  A path
 *   that is not a socket is never removed; a socket another process
 *   answers on (another vigild) is refused; one nobody answers on
 *   (ECONNREFUSED) is stale, from a daemon that died, and is reused.
 * - The path: -S, else $VIGIL_SOCKET (the variable the client reads, so
 *   that one setting points both at the same daemon), else
 *   VIGILD_DEFAULT_SOCKET; vigild.c decides, ctl_start() gets the result.
 * - At most CTL_CLIENTS_MAX clients: the next one is told "too many
 *   clients" and closed, so a flood cannot take every descriptor.
 * - A client has CTL_IDLE_TIMEOUT seconds from its connection to send its
 *   whole request line, however it trickles it (a client sending a byte a
 *   second cannot hold a slot forever).  A line longer than
 *   CTL_REQUEST_MAX is refused as soon as it is known to be too long;
 *   nothing beyond CTL_REQUEST_MAX is ever kept.  After the request, what
 *   the client sends is read and dropped: one request per connection.
 * - Output is queued per client and written when the socket is writable;
 *   small lines gather until the loop comes round, FLUSH_AT bytes are
 *   written at once (a command writing much in one go drains as it
 *   goes).  A client whose queue passes CTL_OUTPUT_MAX, or that takes
 *   nothing of it for CTL_IDLE_TIMEOUT seconds, is dropped.
 * - A client that goes away (read gives 0 and poll says HUP, or a write
 *   fails) while its command runs: its descriptor is closed at once,
 *   output is dropped from then on, and req->cancel is called from the
 *   loop, never from inside a ctl_* call (the command may be in the
 *   middle of writing).  A half-close (shutdown(SHUT_WR) after the
 *   request) is not going away: the reply is still sent.
 * - The request, its argv and its client stay valid until the command
 *   calls ctl_end() or, for a command that set req->cancel, until its
 *   cancel returns: a command never has to ask whether its req still
 *   exists.  A cancel stops the command's use of req; it may call
 *   ctl_end() (the status goes nowhere) or not, and either way req is
 *   freed once it returns.  A command without a cancel that outlives its
 *   client ends the request as usual, and its output goes nowhere.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <ev.h>
#include <poll.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/proto.h"
#include "engine/control.h"
#include "engine/engine.h"
#include "util/util.h"

#define ACCEPT_BURST	32		/* accepts per callback */
#define ACCEPT_BACKOFF	1.0		/* s: out of descriptors */
#define READ_CHUNK	16384		/* bytes per read */
#define FLUSH_AT	16384		/* queued bytes written at once */
#define LOG_WORD_MAX	64		/* bytes of a command word logged */
/*
 * Tests only, not documented: a shorter CTL_IDLE_TIMEOUT, so that a test
 * can see a silent client closed without waiting 30 seconds.
 */
#define IDLE_ENV	"VIGILD_TEST_CTL_IDLE"

enum client_state {
	CL_READING,		/* waiting for the request line */
	CL_RUNNING,		/* its command runs */
	CL_ENDED		/* "=N" queued: closed once written */
};

struct ctl_client {
	struct ctl		*ctl;		/* NULL once ctl_stop let go */
	struct ev_loop		*loop;
	int			 fd;		/* -1 once gone */
	enum client_state	 state;
	bool			 gone;		/* closed under its command */
	bool			 cancelled;	/* req->cancel called */
	bool			 in_cancel;	/* ... and not returned yet */
	ev_io			 rio;
	ev_io			 wio;
	ev_timer		 timer;		/* the request's deadline, then
						   a reader that stalls */
	ev_timer		 later;		/* req->cancel, from the loop */
	uid_t			 uid;
	gid_t			 gid;
	pid_t			 pid;
	char			*user;
	char			*in;		/* the request line so far */
	size_t			 inlen;
	struct strbuf		 out;		/* waiting to be written */
	size_t			 outoff;	/* ... from there */
	struct ctl_req		*req;
	struct ctl_client	*prev, *next;
};

struct ctl {
	struct vigild		*d;
	char			*path;
	dev_t			 dev;		/* the socket we bound */
	ino_t			 ino;
	int			 fd;
	ev_io			 lio;
	ev_timer		 backoff;
	double			 idle;		/* CTL_IDLE_TIMEOUT */
	struct ctl_client	*clients;
	size_t			 nclients;
	uint64_t		 refused;	/* over CTL_CLIENTS_MAX */
	double			 refused_logged;
};

/* A request and the words it owns, whatever the command does to argv. */
struct req_priv {
	struct ctl_req		 req;		/* first: ctl_end gets &req */
	char			**words;
};

static struct ctl	*ctl;	/* one control socket per daemon */

static void	client_gone(struct ctl_client *, const char *, bool);

/* --- clients --------------------------------------------------------- */

/* The uid's user name, or the number when it has none. */
static char *
user_name(uid_t uid)
{
	struct passwd	 pw, *res = NULL;
	size_t		 size = 1024;
	char		*buf, *name;
	int		 e;

	for (;;) {
		buf = xmalloc(size);
		e = getpwuid_r(uid, &pw, buf, size, &res);
		if (e != ERANGE || size >= 1024 * 1024)
			break;
		free(buf);
		size *= 2;
	}
	if (e == 0 && res != NULL)
		name = xstrdup(pw.pw_name);
	else
		xasprintf(&name, "%lu", (unsigned long)uid);
	free(buf);
	return name;
}

/* Free a client whose request, if it had one, has ended. */
static void
client_close(struct ctl_client *c)
{
	ev_io_stop(c->loop, &c->rio);
	ev_io_stop(c->loop, &c->wio);
	ev_timer_stop(c->loop, &c->timer);
	ev_timer_stop(c->loop, &c->later);
	if (c->fd != -1)
		close(c->fd);
	if (c->ctl != NULL) {
		if (c->prev != NULL)
			c->prev->next = c->next;
		else
			c->ctl->clients = c->next;
		if (c->next != NULL)
			c->next->prev = c->prev;
		c->ctl->nclients--;
	}
	free(c->in);
	strbuf_free(&c->out);
	free(c->user);
	free(c);
}

static void
req_free(struct ctl_req *req)
{
	struct req_priv	*rp = (struct req_priv *)req;

	proto_argv_free(rp->words);
	free(req->argv);
	free(rp);
}

/* A client gone under its command: the command hears of it later. */
static void
cancel_later(struct ctl_client *c)
{
	if (c->gone && !c->cancelled && c->req != NULL &&
	    c->req->cancel != NULL && !ev_is_active(&c->later)) {
		ev_timer_set(&c->later, 0., 0.);
		ev_timer_start(c->loop, &c->later);
	}
}

/* Tell the command its client went; then the request is over. */
static void
client_cancel(struct ctl_client *c)
{
	struct ctl_req	*req = c->req;

	c->cancelled = true;
	c->in_cancel = true;
	req->cancel(req);	/* may call ctl_end: c stays until we return */
	c->in_cancel = false;
	if (c->req != NULL) {
		req_free(c->req);
		c->req = NULL;
	}
	client_close(c);
}

static void
on_later(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_client	*c = w->data;

	(void)loop;
	(void)revents;
	if (c->req != NULL && c->req->cancel != NULL && !c->cancelled)
		client_cancel(c);
}

/* The client's name in the log: "alice (uid 1000, pid 42)". */
#define PEER_FMT	"control: %s (uid %lu, pid %ld)"
#define PEER_ARGS(c)	(c)->user, (unsigned long)(c)->uid, (long)(c)->pid

/* Write what waits; false if that closed and freed c. */
static bool
client_flush(struct ctl_client *c)
{
	ssize_t	 r;
	bool	 progress = false;
	char	*why;

	while (c->outoff < c->out.len) {
		r = send(c->fd, c->out.data + c->outoff, c->out.len -
		    c->outoff, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r == -1) {
			xasprintf(&why, "went away (%s)", strerror(errno));
			if (c->req == NULL) {
				client_close(c);
				free(why);
				return false;
			}
			client_gone(c, why, false);
			free(why);
			return true;
		}
		c->outoff += (size_t)r;
		progress = true;
	}
	if (c->outoff == c->out.len) {
		strbuf_reset(&c->out);
		c->outoff = 0;
		ev_io_stop(c->loop, &c->wio);
		ev_timer_stop(c->loop, &c->timer);
		if (c->state == CL_ENDED) {
			client_close(c);
			return false;
		}
		return true;
	}
	/* A reader that takes nothing for a while loses its place. */
	ev_io_start(c->loop, &c->wio);
	if (progress || !ev_is_active(&c->timer)) {
		ev_timer_stop(c->loop, &c->timer);
		ev_timer_set(&c->timer, c->ctl != NULL ? c->ctl->idle :
		    CTL_IDLE_TIMEOUT, 0.);
		ev_timer_start(c->loop, &c->timer);
	}
	if (c->outoff >= FLUSH_AT && c->outoff >= c->out.len / 2) {
		memmove(c->out.data, c->out.data + c->outoff, c->out.len -
		    c->outoff);
		c->out.len -= c->outoff;
		c->out.data[c->out.len] = '\0';
		c->outoff = 0;
	}
	return true;
}

/*
 * The client is gone, or dropped: close it now, drop its output, and
 * tell its command from the loop.  Frees c when no request runs.
 */
static void
client_gone(struct ctl_client *c, const char *why, bool warn)
{
	if (c->gone)
		return;
	c->gone = true;
	ev_io_stop(c->loop, &c->rio);
	ev_io_stop(c->loop, &c->wio);
	ev_timer_stop(c->loop, &c->timer);
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	strbuf_free(&c->out);
	c->outoff = 0;
	/* Logged once the client is consistent: the log may reach clients. */
	if (warn)
		log_warnx(PEER_FMT ": %s", PEER_ARGS(c), why);
	else
		log_info(PEER_FMT ": %s", PEER_ARGS(c), why);
	if (c->req == NULL) {
		client_close(c);
		return;
	}
	cancel_later(c);
}

/* Queue one line for the client of a running request. */
static void
client_line(struct ctl_client *c, int tag, const char *text, size_t len)
{
	char	*why;

	if (c->gone || c->state != CL_RUNNING) {
		cancel_later(c);
		return;
	}
	proto_line(&c->out, tag, text, len);
	if (c->out.len - c->outoff > CTL_OUTPUT_MAX) {
		xasprintf(&why, "dropped: more than %d bytes of output wait"
		    " and the client does not read them", CTL_OUTPUT_MAX);
		client_gone(c, why, true);
		free(why);
		return;
	}
	if (c->out.len - c->outoff >= FLUSH_AT)
		(void)client_flush(c);	/* c stays: its request runs */
	else if (!ev_is_active(&c->wio)) {
		/* Gathered until the loop comes round. */
		ev_io_start(c->loop, &c->wio);
	}
}

/* Answer a request that never reaches a command, and close. */
static void
client_refuse(struct ctl_client *c, int status, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	ev_timer_stop(c->loop, &c->timer);
	free(c->in);
	c->in = NULL;
	c->inlen = 0;
	va_start(ap, fmt);
	n = xvasprintf(&s, fmt, ap);
	va_end(ap);
	log_warnx(PEER_FMT ": %s", PEER_ARGS(c), s);
	proto_line(&c->out, PROTO_ERR, s, (size_t)n);
	proto_end(&c->out, status);
	free(s);
	c->state = CL_ENDED;
	(void)client_flush(c);
}

/* The command word as the log shows it: escaped, and not too long. */
static char *
log_word(const char *w)
{
	struct strbuf	 sb;
	size_t		 n = strlen(w);

	strbuf_init(&sb);
	proto_escape(&sb, w, n > LOG_WORD_MAX ? LOG_WORD_MAX : n);
	if (n > LOG_WORD_MAX)
		strbuf_adds(&sb, "...");
	return strbuf_steal(&sb);
}

/* The request line is complete: decode it and run its command. */
static void
client_request(struct ctl_client *c)
{
	struct req_priv	*rp;
	struct ctl_req	*req;
	char		**words, *cause, *word;
	int		 nwords, i, j;
	bool		 json = false, dashdash = false;

	ev_timer_stop(c->loop, &c->timer);
	if (!proto_request_decode(c->in, c->inlen, &nwords, &words, &cause)) {
		client_refuse(c, 2, "bad request: %s", cause);
		free(cause);
		return;
	}
	free(c->in);
	c->in = NULL;
	c->inlen = 0;

	rp = xcalloc(1, sizeof *rp);
	rp->words = words;
	req = &rp->req;
	req->d = c->ctl->d;
	req->c = c;
	req->uid = c->uid;
	req->gid = c->gid;
	req->pid = c->pid;
	req->user = c->user;
	/* "--json" is the protocol's, wherever it is, up to a "--". */
	req->argv = xcalloc((size_t)nwords + 1, sizeof *req->argv);
	for (i = j = 0; i < nwords; i++) {
		if (i > 0 && !dashdash && strcmp(words[i], "--json") == 0) {
			json = true;
			continue;
		}
		if (strcmp(words[i], "--") == 0)
			dashdash = true;
		req->argv[j++] = words[i];
	}
	req->argc = j;
	req->json = json;

	word = log_word(req->argv[0]);
	log_info(PEER_FMT ": %s", PEER_ARGS(c), word);
	free(word);
	c->req = req;
	c->state = CL_RUNNING;
	ctl_command(req);	/* may end the request, and free c */
}

/* Read the request line, never more than CTL_REQUEST_MAX of it. */
static void
client_read_request(struct ctl_client *c)
{
	char		 buf[READ_CHUNK];
	const char	*nl;
	ssize_t		 r;
	size_t		 n;

	r = read(c->fd, buf, sizeof buf);
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		if (r == 0)
			log_debug(PEER_FMT ": closed without a request",
			    PEER_ARGS(c));
		else
			log_info(PEER_FMT ": read: %s", PEER_ARGS(c),
			    strerror(errno));
		client_close(c);
		return;
	}
	nl = memchr(buf, '\n', (size_t)r);
	n = nl != NULL ? (size_t)(nl - buf) : (size_t)r;
	/* The line and its '\n' fit in CTL_REQUEST_MAX, or it is refused. */
	if (c->inlen + n >= CTL_REQUEST_MAX) {
		client_refuse(c, 2, "request longer than %d bytes: refused",
		    CTL_REQUEST_MAX);
		return;
	}
	c->in = xreallocarray(c->in, c->inlen + n + 1, 1);
	memcpy(c->in + c->inlen, buf, n);
	c->inlen += n;
	if (nl != NULL)
		client_request(c);
}

static void
on_read(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client	*c = w->data;
	struct pollfd		 pfd;
	char			 buf[READ_CHUNK], *why;
	ssize_t			 r;

	(void)loop;
	(void)revents;
	if (c->state == CL_READING) {
		client_read_request(c);
		return;
	}
	/* The request is in: what comes after is dropped, the end noticed. */
	r = read(c->fd, buf, sizeof buf);
	if (r > 0 || (r == -1 && (errno == EAGAIN || errno == EINTR)))
		return;
	if (r == 0) {
		pfd.fd = c->fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) >= 0 &&
		    (pfd.revents & (POLLHUP | POLLERR)) == 0) {
			/* Half-closed: it still reads its reply. */
			ev_io_stop(c->loop, &c->rio);
			return;
		}
		why = xstrdup("went away before the end of the reply");
	} else
		xasprintf(&why, "went away (%s)", strerror(errno));
	if (c->state == CL_ENDED)
		client_close(c);
	else
		client_gone(c, why, false);
	free(why);
}

static void
on_write(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	(void)client_flush(w->data);
}

static void
on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_client	*c = w->data;
	char			*why;
	double			 idle = c->ctl != NULL ? c->ctl->idle :
				    CTL_IDLE_TIMEOUT;

	(void)loop;
	(void)revents;
	if (c->state == CL_READING) {
		log_info(PEER_FMT ": no request within %g s: closed",
		    PEER_ARGS(c), idle);
		client_close(c);
		return;
	}
	xasprintf(&why, "dropped: took none of its output for %g s", idle);
	if (c->state == CL_ENDED) {
		log_warnx(PEER_FMT ": %s", PEER_ARGS(c), why);
		client_close(c);
	} else
		client_gone(c, why, true);
	free(why);
}

/* --- the listening socket -------------------------------------------- */

/* Over CTL_CLIENTS_MAX: told so (it fits any socket buffer) and closed. */
static void
refuse_busy(int fd)
{
	ev_tstamp	 now = ev_now(ctl->d->loop);
	char		 msg[128];
	int		 n;

	n = snprintf(msg, sizeof msg, "%ctoo many clients: vigild serves at"
	    " most %d at once; try again\n%c1\n", PROTO_ERR, CTL_CLIENTS_MAX,
	    PROTO_END);
	(void)send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
	ctl->refused++;
	if (now - ctl->refused_logged >= 1.0) {
		log_warnx("control: a client refused: %d clients already"
		    " (%llu refused since the start)", CTL_CLIENTS_MAX,
		    (unsigned long long)ctl->refused);
		ctl->refused_logged = now;
	}
}

static void
on_backoff(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_io_start(loop, &ctl->lio);
}

static void
on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client	*c;
	struct ucred		 cred;
	socklen_t		 len;
	int			 fd, i;

	(void)revents;
	for (i = 0; i < ACCEPT_BURST; i++) {
		fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Readable until accepted: do not spin. */
				log_warnx("control: accept: %s; not accepting"
				    " for %.0f s", strerror(errno),
				    ACCEPT_BACKOFF);
				ev_io_stop(loop, &ctl->lio);
				ev_timer_set(&ctl->backoff, ACCEPT_BACKOFF, 0.);
				ev_timer_start(loop, &ctl->backoff);
			} else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED && errno != EPROTO)
				log_warnx("control: accept: %s",
				    strerror(errno));
			return;
		}
		if (ctl->nclients >= CTL_CLIENTS_MAX) {
			refuse_busy(fd);
			continue;
		}
		len = sizeof cred;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ==
		    -1) {
			/* Who it is decides everything: no answer, no entry. */
			log_warnx("control: SO_PEERCRED: %s: client closed",
			    strerror(errno));
			close(fd);
			continue;
		}
		c = xcalloc(1, sizeof *c);
		c->ctl = ctl;
		c->loop = loop;
		c->fd = fd;
		c->state = CL_READING;
		c->uid = cred.uid;
		c->gid = cred.gid;
		c->pid = cred.pid;
		c->user = user_name(cred.uid);
		strbuf_init(&c->out);
		ev_io_init(&c->rio, on_read, fd, EV_READ);
		ev_io_init(&c->wio, on_write, fd, EV_WRITE);
		ev_timer_init(&c->timer, on_timer, ctl->idle, 0.);
		ev_timer_init(&c->later, on_later, 0., 0.);
		c->rio.data = c->wio.data = c->timer.data = c->later.data = c;
		ev_io_start(loop, &c->rio);
		ev_timer_start(loop, &c->timer);
		c->next = ctl->clients;
		if (ctl->clients != NULL)
			ctl->clients->prev = c;
		ctl->clients = c;
		ctl->nclients++;
		log_debug(PEER_FMT ": connected (%zu clients)", PEER_ARGS(c),
		    ctl->nclients);
	}
}

/*
 * The socket's directory: created (0750) if missing; refused if others
 * could put their own socket in our place.
 */
static bool
check_dir(const char *path, char **err)
{
	struct stat	 st;
	char		*dir, *slash;
	bool		 ok = false;

	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) == -1 && errno == ENOENT) {
		if (mkdir(dir, 0750) == -1) {
			xasprintf(err, "cannot create %s, the directory of the"
			    " control socket: %s: create it (mode 0750) or"
			    " choose another socket with -S", dir,
			    strerror(errno));
			goto out;
		}
		log_info("control: created directory %s", dir);
	}
	if (stat(dir, &st) == -1) {
		xasprintf(err, "control socket directory %s: %s", dir,
		    strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		xasprintf(err, "%s, the directory of the control socket, is"
		    " not a directory: choose another socket with -S", dir);
		goto out;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && (st.st_mode & S_ISVTX)) {
		/* /tmp and its like: chmod would break the system. */
		xasprintf(err, "control socket directory %s is writable by"
		    " others, who could put their own socket in its place:"
		    " give the socket a directory of its own, e.g. -S"
		    " %s/vigil/vigil.sock", dir, strcmp(dir, "/") == 0 ? "" :
		    dir);
		goto out;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		xasprintf(err, "control socket directory %s is writable by"
		    " group or others, who could put their own socket in its"
		    " place: chmod go-w %s", dir, dir);
		goto out;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		xasprintf(err, "control socket directory %s belongs to uid"
		    " %lu, who could put their own socket in its place: chown"
		    " it to the daemon's user or root, or choose another"
		    " socket with -S", dir, (unsigned long)st.st_uid);
		goto out;
	}
	ok = true;
out:
	free(dir);
	return ok;
}

/* Whether a process answers on the socket: 1 yes, 0 stale, -1 unknown. */
static int
sock_alive(const struct sockaddr_un *sun)
{
	int	 fd, r, e;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	r = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	e = errno;
	close(fd);
	if (r == 0 || e == EAGAIN || e == EINPROGRESS || e == EPROTOTYPE)
		return 1;	/* EAGAIN: backlog full; EPROTOTYPE: not ours */
	if (e == ECONNREFUSED || e == ENOENT)
		return 0;
	errno = e;
	return -1;
}

bool
ctl_start(struct vigild *d, const char *path, char **err)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	const char		*s;
	char			*end;
	double			 idle = CTL_IDLE_TIMEOUT;
	mode_t			 old;
	int			 fd, r;

	if (ctl != NULL)
		fatalx("%s: the control socket is already started", __func__);
	if (path == NULL || *path == '\0')
		path = VIGILD_DEFAULT_SOCKET;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(err, "control socket path %s is too long (%zu bytes;"
		    " a UNIX socket path holds at most %zu): choose a shorter"
		    " one with -S", path, strlen(path),
		    sizeof sun.sun_path - 1);
		return false;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if (!check_dir(path, err))
		return false;

	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			xasprintf(err, "control socket %s exists and is not a"
			    " socket; it is left alone: remove it or choose"
			    " another socket with -S", path);
			return false;
		}
		if ((r = sock_alive(&sun)) == 1) {
			xasprintf(err, "control socket %s is in use by another"
			    " process (another vigild?): stop it or choose"
			    " another socket with -S", path);
			return false;
		}
		if (r == -1) {
			xasprintf(err, "cannot tell whether control socket %s"
			    " is in use: %s", path, strerror(errno));
			return false;
		}
		if (unlink(path) == -1 && errno != ENOENT) {
			xasprintf(err, "cannot remove the stale control socket"
			    " %s: %s", path, strerror(errno));
			return false;
		}
		log_info("control: removed stale socket %s", path);
	} else if (errno != ENOENT) {
		xasprintf(err, "control socket %s: %s", path, strerror(errno));
		return false;
	}

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		xasprintf(err, "control socket: %s", strerror(errno));
		return false;
	}
	/* The umask keeps the socket closed between bind and chmod. */
	old = umask(0117);
	r = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (r == -1) {
		xasprintf(err, "cannot bind the control socket %s: %s%s", path,
		    strerror(errno), errno == EADDRINUSE ? " (another"
		    " process created it just now?)" : errno == EACCES ?
		    ": the daemon may not create files in its directory" : "");
		close(fd);
		return false;
	}
	if (lstat(path, &st) == -1 || chmod(path, 0660) == -1 ||
	    listen(fd, SOMAXCONN) == -1) {
		xasprintf(err, "control socket %s: %s", path, strerror(errno));
		close(fd);
		(void)unlink(path);
		return false;
	}

	if ((s = getenv(IDLE_ENV)) != NULL) {
		idle = strtod(s, &end);
		if (*end != '\0' || !(idle > 0 && idle <= 3600))
			idle = CTL_IDLE_TIMEOUT;
	}
	ctl = xcalloc(1, sizeof *ctl);
	ctl->d = d;
	ctl->path = xstrdup(path);
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	ctl->fd = fd;
	ctl->idle = idle;
	ev_io_init(&ctl->lio, on_accept, fd, EV_READ);
	ev_timer_init(&ctl->backoff, on_backoff, ACCEPT_BACKOFF, 0.);
	ev_io_start(d->loop, &ctl->lio);
	log_info("control: listening on %s", path);
	return true;
}

/*
 * Close the socket and every client.  A running request with a cancel is
 * cancelled (and freed); one without stays until its command ends it
 * (ctl_end frees it), so that no command holds a freed request.
 */
void
ctl_stop(struct vigild *d)
{
	struct ctl_client	*c;
	struct ctl_req		*req;
	struct stat		 st;

	if (ctl == NULL)
		return;
	ev_io_stop(d->loop, &ctl->lio);
	ev_timer_stop(d->loop, &ctl->backoff);
	close(ctl->fd);
	if (lstat(ctl->path, &st) == 0 && st.st_dev == ctl->dev &&
	    st.st_ino == ctl->ino)
		(void)unlink(ctl->path);
	while ((c = ctl->clients) != NULL) {
		ctl->clients = c->next;
		ctl->nclients--;
		c->ctl = NULL;
		c->prev = c->next = NULL;
		if ((req = c->req) == NULL) {
			client_close(c);
			continue;
		}
		client_gone(c, "closed: the daemon stops", false);
		ev_timer_stop(c->loop, &c->later);
		if (req->cancel != NULL && !c->cancelled)
			client_cancel(c);
	}
	free(ctl->path);
	free(ctl);
	ctl = NULL;
}

/* --- what commands call ---------------------------------------------- */

static void
ctl_vline(struct ctl_req *req, int tag, const char *fmt, va_list ap)
{
	char	*s;
	int	 n;

	if (req->c->gone) {
		cancel_later(req->c);
		return;
	}
	n = xvasprintf(&s, fmt, ap);
	client_line(req->c, tag, s, (size_t)n);
	free(s);
}

void
ctl_out(struct ctl_req *req, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ctl_vline(req, PROTO_OUT, fmt, ap);
	va_end(ap);
}

void
ctl_outn(struct ctl_req *req, const char *text, size_t len)
{
	client_line(req->c, PROTO_OUT, text, len);
}

void
ctl_err(struct ctl_req *req, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ctl_vline(req, PROTO_ERR, fmt, ap);
	va_end(ap);
}

void
ctl_end(struct ctl_req *req, int status)
{
	struct ctl_client	*c = req->c;

	req_free(req);
	c->req = NULL;
	if (c->in_cancel)
		return;		/* client_cancel closes c */
	if (c->gone) {
		client_close(c);
		return;
	}
	c->state = CL_ENDED;
	proto_end(&c->out, status);
	(void)client_flush(c);	/* closes c once all is written */
}
