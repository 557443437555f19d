/* SPDX-License-Identifier: Apache-2.0 */
/*
 * src-sock.c - the socket sources:
 *
 *	TYPE UNIX PATH p		a listening SOCK_STREAM UNIX socket;
 *					each client's bytes are lines
 *	TYPE UNIXDGRAM PATH p		a SOCK_DGRAM UNIX socket; each line of
 *					a datagram is a record
 *	TYPE SYSLOG ADDRESS h:p		syslog over UDP (PROTO UDP, the
 *					default: a datagram is a record) or TCP
 *					(PROTO TCP: RFC 6587 framing)
 *	TYPE TCP ADDRESS h:p		a listening TCP socket; lines
 *
 * Every client connection has its own feed (framer and message reader),
 * so one client's unfinished line or z/OS message never mixes with
 * another's.  Datagrams share one feed per source: they carry whole
 * records, and their senders cannot be told apart anyway (UNIX datagram
 * senders are usually unnamed).  A datagram source flushes its reader
 * after DGRAM_IDLE seconds without a datagram, so a z/OS message waiting
 * for continuation lines that never come is not held forever.
 *
 * It is not responsible for what the bytes mean (feed.c and the message
 * readers are), nor for who may send: on a UNIX socket that is the
 * socket's permission (0660, see unix_bind()); on the network, a firewall.
 *
 * Decisions:
 * - A SYSLOG source with FORMAT AUTO (the default) reads its messages as
 *   FORMAT SYSLOG: that is what a syslog receiver is sent, and AUTO would
 *   first try the z/OS, Hercules and z/VM readers on each message's text.
 * - ADDRESS host "*" (or empty) is every local address, IPv4 and IPv6; a
 *   name is resolved once, at start (getaddrinfo, AI_PASSIVE), and every
 *   address it gives is listened on.  IPv6 sockets are IPV6_V6ONLY, so
 *   that "*" can hold both 0.0.0.0 and :: on one port.
 * - PATH of a UNIX or UNIXDGRAM source: a directory, or a file that is not
 *   a socket, is an error and never removed; a socket that a live process
 *   answers on is an error (another daemon has it); a socket nobody
 *   answers on (ECONNREFUSED) is stale, from a daemon that died: it is
 *   removed and bound again.  At free the socket is removed if it is
 *   still the one we bound (same device and inode).
 * - At most CONN_MAX clients per source: beyond, a connection is accepted
 *   and closed at once (with a warning at most once a second), so a flood
 *   of clients cannot take every descriptor of the daemon.  When accept()
 *   itself runs out of descriptors, listening stops for a second.
 * - Backpressure (pause): stream sources stop reading, connections and
 *   new clients alike, and the kernel makes the senders wait.  A UNIX
 *   datagram socket stops reading too: its senders wait (or get EAGAIN)
 *   when its queue is full, as with /dev/log.  UDP cannot make a peer
 *   wait: a paused UDP source keeps reading and drops what it reads,
 *   counted in src->drops and logged once when it resumes.
 * - The command channel (write op) exists on UNIX stream sources only: a
 *   command line and "\n" go to the client that connected last (a console
 *   bridge that reconnects is the newest one).  A command holding '\n',
 *   '\r' or NUL is refused: substituted message text must not be able to
 *   make two commands of one.  Commands wait in a bounded queue while the
 *   client does not read them.
 * - Events, per connection: SOURCE_CONNECTED and SOURCE_DISCONNECTED with
 *   the peer (a UNIX client's pid, uid and gid from SO_PEERCRED; a TCP
 *   client's address and port) and the number of clients.
 * - A listening source never ends (src->ended stays false): vigild --once
 *   does not wait for it.  When the source is freed (the daemon stops, or
 *   a reload changed or removed it) an unfinished line of a client is
 *   dropped, not given: the rules are going away with it.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/source.h"
#include "rules/rules.h"

#define CONN_MAX	256		/* clients of one source */
#define LISTEN_MAX	8		/* sockets of one source (v4, v6, ...) */
#define ACCEPT_BURST	32		/* accepts per callback */
#define DGRAM_BURST	64		/* datagrams per callback */
#define DGRAM_IDLE	1.0		/* s: flush the reader after */
#define ACCEPT_BACKOFF	1.0		/* s: out of descriptors */
#define OUT_MAX		(64 * 1024)	/* commands waiting, bytes */
#define UDP_RCVBUF	(4 * 1024 * 1024) /* asked for; the kernel caps */

enum sock_kind {
	SK_UNIX,		/* UNIX stream, lines */
	SK_UNIXDGRAM,		/* UNIX datagrams, lines in each */
	SK_UDP,			/* syslog UDP: a datagram is a record */
	SK_TCP			/* TCP, lines or RFC 6587 */
};

struct sock;

struct conn {
	struct sock	*k;
	int		 fd;
	ev_io		 io;		/* reading */
	ev_io		 wio;		/* writing queued commands */
	struct feed	*feed;
	char		*peer;		/* "pid 12 uid 0 gid 0", "[::1]:5" */
	char		*out;		/* commands not yet written */
	size_t		 outlen;
	size_t		 outoff;
	struct conn	*prev, *next;	/* newest first */
};

struct sock {
	struct src	*src;
	enum sock_kind	 kind;
	enum frame_mode	 mode;		/* of connections */
	char		*where;		/* "unix /run/x.sock", "tcp *:514" */
	char		*path;		/* a UNIX socket we bound, or NULL */
	dev_t		 dev;		/* ... and which one it is */
	ino_t		 ino;
	int		 lfd[LISTEN_MAX];
	ev_io		 lio[LISTEN_MAX];
	size_t		 nl;
	struct conn	*conns;
	size_t		 nconns;
	uint64_t	 refused;	/* connections over CONN_MAX */
	double		 refused_logged; /* when last said */
	uint64_t	 refused_unsaid; /* since */
	ev_timer	 refused_t;	/* to say them */
	ev_timer	 backoff;	/* accept out of descriptors */
	struct feed	*dgfeed;	/* datagram sources */
	ev_timer	 idle;		/* datagram sources: flush */
	uint64_t	 dropped;	/* UDP: dropped in this pause */
};

static const char *const kind_names[] = {
	"unix", "unixdgram", "udp", "tcp"
};

static bool
is_stream(const struct sock *k)
{
	return k->kind == SK_UNIX || k->kind == SK_TCP;
}

static void
listeners_start(struct sock *k)
{
	size_t	 i;

	for (i = 0; i < k->nl; i++)
		ev_io_start(k->src->d->loop, &k->lio[i]);
}

static void
listeners_stop(struct sock *k)
{
	size_t	 i;

	for (i = 0; i < k->nl; i++)
		ev_io_stop(k->src->d->loop, &k->lio[i]);
}

/* --- connections -------------------------------------------------------- */

static void
conn_free(struct conn *c)
{
	struct sock	*k = c->k;
	struct ev_loop	*loop = k->src->d->loop;

	ev_io_stop(loop, &c->io);
	ev_io_stop(loop, &c->wio);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		k->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	k->nconns--;
	close(c->fd);
	feed_free(c->feed);
	free(c->peer);
	free(c->out);
	free(c);
}

/* The peer ends, or fails: what it sent is flushed, then it goes. */
static void
conn_close(struct conn *c, const char *why)
{
	struct sock	*k = c->k;
	struct src	*s = k->src;
	char		*peer;

	feed_end(c->feed);
	peer = c->peer;
	c->peer = NULL;
	conn_free(c);
	src_event(s, "SOURCE_DISCONNECTED", "%s %s (%zu client%s)", peer,
	    why, k->nconns, k->nconns == 1 ? "" : "s");
	free(peer);
}

static void
on_conn_read(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn	*c = w->data;
	char		 buf[SRC_READ_SIZE];
	char		*why;
	ssize_t		 r;

	(void)loop;
	(void)revents;
	r = read(c->fd, buf, sizeof buf);
	if (r > 0) {
		feed_bytes(c->feed, buf, (size_t)r);
		return;
	}
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r == 0) {
		conn_close(c, "disconnected");
		return;
	}
	xasprintf(&why, "lost: read: %s", strerror(errno));
	conn_close(c, why);
	free(why);
}

/* Write what waits; the rest when the client reads again. */
static void
conn_flush(struct conn *c)
{
	ssize_t	 r;

	while (c->outoff < c->outlen) {
		r = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == EAGAIN)
			break;
		if (r == -1) {
			/* The read side sees the end and closes it. */
			log_warnx("source %s: client %s: write: %s",
			    c->k->src->name, c->peer, strerror(errno));
			c->outoff = c->outlen = 0;
			break;
		}
		c->outoff += (size_t)r;
	}
	if (c->outoff == c->outlen) {
		c->outoff = c->outlen = 0;
		ev_io_stop(c->k->src->d->loop, &c->wio);
	} else
		ev_io_start(c->k->src->d->loop, &c->wio);
}

static void
on_conn_write(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	conn_flush(w->data);
}

/* "pid 12 uid 0 gid 0" or "192.0.2.1:514", "[2001:db8::1]:514". */
static char *
peer_name(const struct sock *k, int fd, const struct sockaddr *sa,
    socklen_t salen)
{
	struct ucred	 cred;
	socklen_t	 len = sizeof cred;
	char		 host[NI_MAXHOST], serv[NI_MAXSERV], *s;

	if (k->kind == SK_UNIX) {
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
			return xstrdup("pid ? uid ? gid ?");
		xasprintf(&s, "pid %ld uid %lu gid %lu", (long)cred.pid,
		    (unsigned long)cred.uid, (unsigned long)cred.gid);
		return s;
	}
	if (getnameinfo(sa, salen, host, sizeof host, serv, sizeof serv,
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return xstrdup("?");
	xasprintf(&s, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host,
	    serv);
	return s;
}

static void
refused_say(struct sock *k)
{
	log_warnx("source %s: %llu connection%s refused: %d clients already"
	    " (%llu refused in all)", k->src->name,
	    (unsigned long long)k->refused_unsaid,
	    k->refused_unsaid == 1 ? "" : "s", CONN_MAX,
	    (unsigned long long)k->refused);
	k->refused_logged = ev_now(k->src->d->loop);
	k->refused_unsaid = 0;
}

static void
on_refused_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sock	*k = w->data;

	(void)loop;
	(void)revents;
	if (k->refused_unsaid > 0)
		refused_say(k);
}

/*
 * Over CONN_MAX: closed at once.  Said at most once a second: what
 * comes within the second is said, counted, when the second is over.
 */
static void
refuse(struct sock *k, int fd)
{
	struct ev_loop	*loop = k->src->d->loop;
	double		 wait = k->refused_logged + 1.0 - ev_now(loop);

	close(fd);
	k->refused++;
	k->refused_unsaid++;
	if (wait <= 0)
		refused_say(k);
	else if (!ev_is_active(&k->refused_t)) {
		ev_timer_set(&k->refused_t, wait, 0.);
		ev_timer_start(loop, &k->refused_t);
	}
}

static void
on_backoff(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sock	*k = w->data;

	(void)loop;
	(void)revents;
	if (!k->src->paused)
		listeners_start(k);
}

static void
on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	struct sock		*k = w->data;
	struct src		*s = k->src;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct conn		*c;
	int			 fd, i, on = 1;

	(void)revents;
	for (i = 0; i < ACCEPT_BURST; i++) {
		sslen = sizeof ss;
		fd = accept4(w->fd, (struct sockaddr *)&ss, &sslen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Readable until accepted: do not spin. */
				log_warnx("source %s: accept: %s; not accepting"
				    " for %.0f s", s->name, strerror(errno),
				    ACCEPT_BACKOFF);
				listeners_stop(k);
				ev_timer_stop(loop, &k->backoff);
				ev_timer_set(&k->backoff, ACCEPT_BACKOFF, 0.);
				ev_timer_start(loop, &k->backoff);
			} else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED && errno != EPROTO)
				log_warnx("source %s: accept: %s", s->name,
				    strerror(errno));
			return;
		}
		if (k->nconns >= CONN_MAX) {
			refuse(k, fd);
			continue;
		}
		if (k->kind == SK_TCP) {
			/* A peer that vanished frees its slot, in time. */
			(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on,
			    sizeof on);
		}
		c = xcalloc(1, sizeof *c);
		c->k = k;
		c->fd = fd;
		c->peer = peer_name(k, fd, (struct sockaddr *)&ss, sslen);
		c->feed = feed_create(s, k->mode);
		ev_io_init(&c->io, on_conn_read, fd, EV_READ);
		ev_io_init(&c->wio, on_conn_write, fd, EV_WRITE);
		c->io.data = c->wio.data = c;
		c->next = k->conns;
		if (k->conns != NULL)
			k->conns->prev = c;
		k->conns = c;
		k->nconns++;
		s->connects++;
		if (!s->paused)
			ev_io_start(loop, &c->io);
		src_event(s, "SOURCE_CONNECTED", "%s connected (%zu client%s)",
		    c->peer, k->nconns, k->nconns == 1 ? "" : "s");
	}
}

/* --- datagrams ---------------------------------------------------------- */

/* Each line of a UNIX datagram is a record; a final '\n' ends the last. */
static void
dgram_lines(struct feed *f, const char *p, size_t n)
{
	const char	*nl;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		if (nl == NULL) {
			feed_record(f, p, n);
			return;
		}
		feed_record(f, p, (size_t)(nl - p));
		n -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
}

static void
on_idle(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sock	*k = w->data;

	(void)revents;
	ev_timer_stop(loop, w);
	feed_end(k->dgfeed);
}

static void
on_dgram(struct ev_loop *loop, ev_io *w, int revents)
{
	struct sock	*k = w->data;
	struct src	*s = k->src;
	char		 buf[SRC_READ_SIZE + 2];
	size_t		 total = 0, len;
	ssize_t		 r;
	int		 i;

	(void)revents;
	for (i = 0; i < DGRAM_BURST && total < SRC_READ_SIZE; i++) {
		/* MSG_TRUNC: the datagram's real length, to count it. */
		r = recv(w->fd, buf, sizeof buf, MSG_TRUNC);
		if (r == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warnx("source %s: recv: %s", s->name,
				    strerror(errno));
			break;
		}
		total += (size_t)r;
		if (s->paused) {
			/* UDP only: a paused UNIX socket is not read. */
			s->drops++;
			k->dropped++;
			continue;
		}
		/*
		 * A datagram longer than the buffer is given cut: the
		 * buffer holds more than MSG_MAX_LEN, so the reader sees
		 * that it is too long and counts it.
		 */
		len = (size_t)r < sizeof buf ? (size_t)r : sizeof buf;
		if (k->kind == SK_UNIXDGRAM)
			dgram_lines(k->dgfeed, buf, len);
		else
			feed_record(k->dgfeed, buf, len);
	}
	if (total > 0 && !s->paused)
		ev_timer_again(loop, &k->idle);
}

/* --- ops ---------------------------------------------------------------- */

static void
sock_pause(struct src *s)
{
	struct sock	*k = s->priv;
	struct conn	*c;

	if (k->kind == SK_UDP)
		return;		/* keeps reading, drops (on_dgram) */
	listeners_stop(k);
	ev_timer_stop(s->d->loop, &k->backoff);
	for (c = k->conns; c != NULL; c = c->next)
		ev_io_stop(s->d->loop, &c->io);
}

static void
sock_resume(struct src *s)
{
	struct sock	*k = s->priv;
	struct conn	*c;

	if (k->kind == SK_UDP) {
		if (k->dropped > 0)
			log_warnx("source %s: %llu datagram%s dropped while"
			    " paused (%llu in all)", s->name,
			    (unsigned long long)k->dropped,
			    k->dropped == 1 ? "" : "s",
			    (unsigned long long)s->drops);
		k->dropped = 0;
		return;
	}
	listeners_start(k);
	for (c = k->conns; c != NULL; c = c->next)
		ev_io_start(s->d->loop, &c->io);
}

/* A command line to the newest client of a UNIX stream source. */
static bool
sock_write(struct src *s, const char *cmd, size_t len, char **err)
{
	struct sock	*k = s->priv;
	struct conn	*c = k->conns;
	size_t		 held, i;

	if (c == NULL) {
		xasprintf(err, "source %s: no client connected to %s", s->name,
		    k->path);
		return false;
	}
	for (i = 0; i < len; i++) {
		if (cmd[i] == '\n' || cmd[i] == '\r' || cmd[i] == '\0') {
			xasprintf(err, "source %s: command refused: it holds"
			    " a line end or NUL (0x%02x at byte %zu), which"
			    " would make it more than one command", s->name,
			    (unsigned char)cmd[i], i + 1);
			return false;
		}
	}
	held = c->outlen - c->outoff;
	if (held + len + 1 > OUT_MAX) {
		xasprintf(err, "source %s: command refused: %zu bytes of"
		    " commands already wait for client %s to read them",
		    s->name, held, c->peer);
		return false;
	}
	if (c->outoff > 0) {
		memmove(c->out, c->out + c->outoff, held);
		c->outoff = 0;
		c->outlen = held;
	}
	c->out = xreallocarray(c->out, c->outlen + len + 1, 1);
	memcpy(c->out + c->outlen, cmd, len);
	c->out[c->outlen + len] = '\n';
	c->outlen += len + 1;
	conn_flush(c);
	return true;
}

static void
sock_describe(struct src *s, struct strbuf *sb)
{
	struct sock	*k = s->priv;

	strbuf_adds(sb, k->where);
	if (is_stream(k))
		strbuf_addf(sb, ": %zu client%s", k->nconns,
		    k->nconns == 1 ? "" : "s");
	if (k->refused > 0)
		strbuf_addf(sb, ", %llu refused (over %d)",
		    (unsigned long long)k->refused, CONN_MAX);
	if (s->drops > 0)
		strbuf_addf(sb, ", %llu datagrams dropped while paused",
		    (unsigned long long)s->drops);
}

/* Close everything; remove the UNIX socket if it is still ours. */
static void
sock_free(struct src *s)
{
	struct sock	*k = s->priv;
	struct stat	 st;
	size_t		 i;

	if (k == NULL)
		return;
	while (k->conns != NULL)
		conn_free(k->conns);
	for (i = 0; i < k->nl; i++) {
		ev_io_stop(s->d->loop, &k->lio[i]);
		close(k->lfd[i]);
	}
	ev_timer_stop(s->d->loop, &k->backoff);
	ev_timer_stop(s->d->loop, &k->idle);
	ev_timer_stop(s->d->loop, &k->refused_t);
	feed_free(k->dgfeed);
	if (k->path != NULL && lstat(k->path, &st) == 0 &&
	    S_ISSOCK(st.st_mode) && st.st_dev == k->dev &&
	    st.st_ino == k->ino)
		(void)unlink(k->path);
	free(k->path);
	free(k->where);
	free(k);
	s->priv = NULL;
}

static const struct src_ops unix_ops = {
	.pause = sock_pause,
	.resume = sock_resume,
	.write = sock_write,
	.describe = sock_describe,
	.free = sock_free,
};

static const struct src_ops sock_ops = {
	.pause = sock_pause,
	.resume = sock_resume,
	.describe = sock_describe,
	.free = sock_free,
};

/* --- setting up --------------------------------------------------------- */

static struct sock *
sock_new(enum sock_kind kind)
{
	struct sock	*k = xcalloc(1, sizeof *k);

	k->kind = kind;
	k->mode = FRAME_LINES;
	ev_timer_init(&k->backoff, on_backoff, ACCEPT_BACKOFF, 0.);
	ev_timer_init(&k->refused_t, on_refused_timer, 1., 0.);
	ev_init(&k->idle, on_idle);
	k->idle.repeat = DGRAM_IDLE;
	k->backoff.data = k->idle.data = k->refused_t.data = k;
	return k;
}

/* The socket is set up: watch it (started by sock_start). */
static void
sock_add(struct sock *k, int fd)
{
	ev_io_init(&k->lio[k->nl], is_stream(k) ? on_accept : on_dgram, fd,
	    EV_READ);
	k->lio[k->nl].data = k;
	k->lfd[k->nl++] = fd;
}

/* Make the running source: src, feeds, and the watchers started. */
static struct src *
sock_start(struct vigild *d, const struct source *def, struct sock *k,
    int format)
{
	struct src	*s;

	s = src_new(d, def, k->kind == SK_UNIX ? &unix_ops : &sock_ops, k);
	s->format = format;
	k->src = s;
	if (!is_stream(k))
		k->dgfeed = feed_create(s, FRAME_LINES);
	listeners_start(k);
	return s;
}

/* Undo a sock that never became a source. */
static void
sock_abort(struct sock *k)
{
	struct stat	 st;
	size_t		 i;

	for (i = 0; i < k->nl; i++)
		close(k->lfd[i]);
	if (k->path != NULL && lstat(k->path, &st) == 0 &&
	    st.st_dev == k->dev && st.st_ino == k->ino)
		(void)unlink(k->path);
	free(k->path);
	free(k->where);
	free(k);
}

/*
 * Whether a live process answers on the UNIX socket at path: 1 yes, 0
 * no (stale), -1 cannot tell (errno).  It may be of either type.
 */
static int
unix_alive(const struct sockaddr_un *sun)
{
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM,
	    SOCK_SEQPACKET };
	size_t	 i;
	int	 fd, r, e;

	for (i = 0; i < nitems(types); i++) {
		fd = socket(AF_UNIX, types[i] | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
		if (fd == -1)
			return -1;
		r = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
		e = errno;
		close(fd);
		if (r == 0 || e == EAGAIN || e == EINPROGRESS)
			return 1;	/* EAGAIN: its backlog is full */
		if (e == EPROTOTYPE)
			continue;	/* the other type */
		if (e == ECONNREFUSED || e == ENOENT)
			return 0;
		errno = e;
		return -1;
	}
	return 0;
}

/*
 * Bind a UNIX socket of type at def->path: refuse a directory, a file
 * that is not a socket and a socket in use; remove a stale one.
 */
static bool
unix_bind(struct sock *k, const struct source *def, int type, char **err)
{
	const char		*name = def->def.name, *path = def->path;
	struct sockaddr_un	 sun;
	struct stat		 st;
	mode_t			 old;
	int			 fd, r;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (path == NULL || *path == '\0') {
		xasprintf(err, "source %s: a %s source needs PATH", name,
		    kind_names[k->kind]);
		return false;
	}
	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(err, "source %s: socket path %s is too long (%zu"
		    " bytes; a UNIX socket path holds at most %zu): choose a"
		    " shorter PATH", name, path, strlen(path),
		    sizeof sun.sun_path - 1);
		return false;
	}
	memcpy(sun.sun_path, path, strlen(path));

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		xasprintf(err, "source %s: %s is a directory: PATH names the"
		    " socket to create, e.g. %s/%s.sock", name, path, path,
		    name);
		return false;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			xasprintf(err, "source %s: %s exists and is not a"
			    " socket; it is left alone: remove it or choose"
			    " another PATH", name, path);
			return false;
		}
		r = unix_alive(&sun);
		if (r == 1) {
			xasprintf(err, "source %s: socket %s: address in use"
			    " by another process (another vigild?) or"
			    " source: stop it or choose another PATH", name, path);
			return false;
		}
		if (r == -1) {
			xasprintf(err, "source %s: cannot tell whether socket"
			    " %s is in use: %s", name, path, strerror(errno));
			return false;
		}
		if (unlink(path) == -1 && errno != ENOENT) {
			xasprintf(err, "source %s: cannot remove stale socket"
			    " %s: %s", name, path, strerror(errno));
			return false;
		}
		log_info("source %s: removed stale socket %s", name, path);
	} else if (errno != ENOENT) {
		xasprintf(err, "source %s: %s: %s", name, path,
		    strerror(errno));
		return false;
	}

	if ((fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		xasprintf(err, "source %s: socket: %s", name, strerror(errno));
		return false;
	}
	/*
	 * The permission on the socket is how a site says who may feed
	 * messages to the rules (connect and send need write permission):
	 * owner and group, 0660; put the daemon in the group of the
	 * writers, or the socket in a directory only they can reach.  The
	 * umask keeps the socket closed between bind and chmod.
	 */
	old = umask(0117);
	r = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (r == -1) {
		xasprintf(err, "source %s: cannot bind %s: %s%s", name, path,
		    strerror(errno), errno == EADDRINUSE ? " (another"
		    " process created it just now?)" : errno == ENOENT ?
		    ": create its directory first" : errno == EACCES ?
		    ": the daemon may not create files in its directory" :
		    "");
		close(fd);
		return false;
	}
	if (lstat(path, &st) == 0) {
		k->dev = st.st_dev;
		k->ino = st.st_ino;
	}
	k->path = xstrdup(path);
	if (chmod(path, 0660) == -1 || (type == SOCK_STREAM &&
	    listen(fd, SOMAXCONN) == -1)) {
		xasprintf(err, "source %s: socket %s: %s", name, path,
		    strerror(errno));
		close(fd);
		return false;
	}
	sock_add(k, fd);
	return true;
}

/* Listen (TCP) or bind (UDP) on every address of def->address. */
static bool
inet_bind(struct sock *k, const struct source *def, int type, char **err)
{
	const char	*name = def->def.name, *host = def->address.host;
	const char	*proto = type == SOCK_STREAM ? "tcp" : "udp";
	struct addrinfo	 hints, *res, *ai;
	char		 port[8], host6[NI_MAXHOST], addr[NI_MAXHOST + 2];
	int		 fd, on = 1, rc, rcvbuf = UDP_RCVBUF, e;
	char		*why = NULL;
	bool		 failed = false;

	if (host != NULL && (*host == '\0' || strcmp(host, "*") == 0))
		host = NULL;
	snprintf(port, sizeof port, "%u", (unsigned)def->address.port);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = type;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		xasprintf(err, "source %s: ADDRESS %s:%s: cannot resolve"
		    " '%s': %s", name, def->address.host, port,
		    def->address.host, gai_strerror(rc));
		return false;
	}
	for (ai = res; ai != NULL && k->nl < LISTEN_MAX; ai = ai->ai_next) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host6, sizeof host6,
		    NULL, 0, NI_NUMERICHOST) != 0)
			snprintf(host6, sizeof host6, "?");
		snprintf(addr, sizeof addr, ai->ai_family == AF_INET6 ?
		    "[%s]" : "%s", host6);
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1) {
			/* No IPv6 here (EAFNOSUPPORT): the others will do. */
			if (why == NULL)
				xasprintf(&why, "%s: socket: %s", addr,
				    strerror(errno));
			continue;
		}
		if (ai->ai_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
			    sizeof on);
		if (type == SOCK_STREAM)
			(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
			    sizeof on);
		else
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			    sizeof rcvbuf);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
		    (type == SOCK_STREAM && listen(fd, SOMAXCONN) == -1)) {
			e = errno;
			close(fd);
			if (e == EADDRNOTAVAIL) {
				/* Not configured here (::1 without IPv6). */
				if (why == NULL)
					xasprintf(&why, "cannot listen on %s"
					    " port %s (%s): %s", addr, port,
					    proto, strerror(e));
				continue;
			}
			free(why);
			xasprintf(&why, "cannot listen on %s port %s (%s):"
			    " %s%s", addr, port, proto, strerror(e),
			    e == EADDRINUSE ? "; another"
			    " process holds it: stop it or choose another"
			    " ADDRESS" : e == EACCES ? "; ports below 1024"
			    " need privilege (CAP_NET_BIND_SERVICE)" : "");
			failed = true;
			break;
		}
		sock_add(k, fd);
	}
	freeaddrinfo(res);
	if (failed) {
		/* One address of several failed: all or nothing. */
		xasprintf(err, "source %s: %s", name, why);
		free(why);
		return false;
	}
	if (k->nl == 0) {
		xasprintf(err, "source %s: %s: no address to listen on%s%s",
		    name, k->where, why != NULL ? ": " : "",
		    why != NULL ? why : "");
		free(why);
		return false;
	}
	free(why);
	return true;
}

static char *
inet_where(const struct source *def, const char *what)
{
	char	*s;
	bool	 v6 = strchr(def->address.host, ':') != NULL;

	xasprintf(&s, "%s %s%s%s:%u", what, v6 ? "[" : "", def->address.host,
	    v6 ? "]" : "", (unsigned)def->address.port);
	return s;
}

static bool
need_address(const struct source *def, const char *type, char **err)
{
	if (def->address.host == NULL || def->address.port == 0) {
		xasprintf(err, "source %s: a %s source needs ADDRESS host:port",
		    def->def.name, type);
		return false;
	}
	return true;
}

/* DEFSRC TYPE UNIX PATH p: clients connect and send lines. */
struct src *
src_unix_create(struct vigild *d, const struct source *def, char **err)
{
	struct sock	*k = sock_new(SK_UNIX);

	if (!unix_bind(k, def, SOCK_STREAM, err)) {
		sock_abort(k);
		return NULL;
	}
	xasprintf(&k->where, "unix %s", def->path);
	return sock_start(d, def, k, def->format);
}

/* DEFSRC TYPE UNIXDGRAM PATH p: each line of a datagram is a record. */
struct src *
src_unixdgram_create(struct vigild *d, const struct source *def,
    char **err)
{
	struct sock	*k = sock_new(SK_UNIXDGRAM);

	if (!unix_bind(k, def, SOCK_DGRAM, err)) {
		sock_abort(k);
		return NULL;
	}
	xasprintf(&k->where, "unixdgram %s", def->path);
	return sock_start(d, def, k, def->format);
}

/* DEFSRC TYPE SYSLOG ADDRESS h:p [PROTO UDP|TCP]. */
struct src *
src_syslog_create(struct vigild *d, const struct source *def, char **err)
{
	bool		 tcp = def->proto == 1;		/* PROTO TCP */
	struct sock	*k;

	if (!need_address(def, "SYSLOG", err))
		return NULL;
	k = sock_new(tcp ? SK_TCP : SK_UDP);
	k->mode = FRAME_SYSLOG;
	k->where = inet_where(def, tcp ? "syslog tcp" : "syslog udp");
	if (!inet_bind(k, def, tcp ? SOCK_STREAM : SOCK_DGRAM, err)) {
		sock_abort(k);
		return NULL;
	}
	return sock_start(d, def, k, def->format == FMT_AUTO ? FMT_SYSLOG :
	    def->format);
}

/* DEFSRC TYPE TCP ADDRESS h:p: clients connect and send lines. */
struct src *
src_tcp_create(struct vigild *d, const struct source *def, char **err)
{
	struct sock	*k;

	if (!need_address(def, "TCP", err))
		return NULL;
	k = sock_new(SK_TCP);
	k->where = inet_where(def, "tcp");
	if (!inet_bind(k, def, SOCK_STREAM, err)) {
		sock_abort(k);
		return NULL;
	}
	return sock_start(d, def, k, def->format);
}
