/* SPDX-License-Identifier: Apache-2.0 */
/*
 * src-pty.c - DEFSRC TYPE PTY PROGRAM 'argv...': a console program run
 * under a pseudo-terminal.  What it writes to the terminal is the source's
 * input (lines; the framer drops the '\r' of the terminal's "\r\n"), and
 * the write op types a command line into it: the console's command
 * channel for DEFENV TYPE SOURCE.  It does not interpret the console's
 * text, nor decide which commands are allowed (the rules do).
 *
 * The program gets a terminal in canonical mode without echo (so the
 * commands we type do not come back as messages), 132 columns by 43
 * lines, TERM=dumb, and of the daemon's environment only PATH, HOME, LANG
 * and TZ: a console program has no business with the rest of it.  Its
 * signals are reset to their defaults and unblocked, every descriptor but
 * the terminal is closed, and it leads its own session (forkpty).
 *
 * A command is written with a "\n": the terminal in canonical mode ends a
 * line at '\n' (and at '\r', which ICRNL turns into '\n'); "\n" is what a
 * program reading its standard input expects when it is not a terminal
 * either.  A command holding a control character is refused: the
 * terminal would act on it (^C interrupts, ^D ends the input, ^U erases
 * the line), and message text substituted into a command must not be
 * able to do that.  Commands wait in a bounded queue (PTY_OUT_MAX) while
 * the program does not read them.
 *
 * The program's end is both the terminal's hangup (EIO on the master)
 * and its exit status (ev_child): the run ends when both have come (one
 * without the other for PTY_LINGER seconds: the terminal is hung up, or
 * the process group killed).  Then, with --once, the source has ended;
 * otherwise the program is started again after a backoff of 1 s doubling
 * up to 60 s, back to 1 s once a run lasted 60 s.  A program that cannot
 * be run (exec fails) exits 127 and is retried the same way, the reason
 * logged each time.
 *
 * Events: SOURCE_CONNECTED at each start (with the pid), SOURCE_EOF at
 * each end (with the exit status and what happens next).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "actions/actions.h"
#include "engine/engine.h"
#include "engine/source.h"
#include "rules/rules.h"

#define PTY_COLS		132
#define PTY_ROWS		43
#define PTY_OUT_MAX		(64 * 1024)	/* commands waiting */
#define PTY_LINE_MAX		4095		/* canonical line */
#define PTY_BACKOFF_MIN		1.0		/* s */
#define PTY_BACKOFF_MAX		60.0		/* s */
#define PTY_STABLE		60.0		/* s up: backoff reset */
#define PTY_LINGER		5.0		/* s: exit, no hangup */
#define PTY_FREE_GRACE_MS	1000		/* free: TERM, KILL */

extern char	**environ;

struct src_pty {
	struct src	*src;
	struct vigild	*d;
	char		*program;	/* as written, for messages */
	struct argv	*argv;
	int		 master;	/* -1: no terminal */
	pid_t		 pid;		/* the program, 0: reaped */
	pid_t		 lastpid;	/* of the current or last run */
	struct feed	*feed;
	bool		 running;	/* a run has not ended */
	bool		 hungup;	/* the terminal closed */
	bool		 exited;	/* the program was reaped */
	int		 status;	/* its wait status */
	int		 exec_errno;	/* exec failed, 0: it did not */
	bool		 paused;
	int		 linger;	/* stage of w_linger */
	double		 started;	/* ev_time() of its start */
	double		 backoff;	/* the next restart's delay */
	double		 restart_at;	/* ev_time() of the next */
	uint64_t	 starts;
	char		*out;		/* commands to write */
	size_t		 outlen, outoff;
	ev_io		 w_read;
	ev_io		 w_write;
	ev_child	 w_child;
	ev_timer	 w_start;	/* first start, restarts */
	ev_timer	 w_linger;
};

static void	pty_run_end(struct src_pty *);

static const char *
pty_name(const struct src_pty *p)
{
	return p->src->name;
}

/* The program's environment: an allow list, built before fork. */
static char **
pty_environment(void)
{
	static const char *const pass[] = { "PATH", "HOME", "LANG", "TZ" };
	char		**envp;
	const char	 *v;
	size_t		  i, n = 0;

	envp = xcalloc(nitems(pass) + 2, sizeof *envp);
	for (i = 0; i < nitems(pass); i++) {
		if ((v = getenv(pass[i])) != NULL)
			xasprintf(&envp[n++], "%s=%s", pass[i], v);
		else if (strcmp(pass[i], "PATH") == 0)
			envp[n++] = xstrdup("PATH=/usr/local/bin:/usr/bin:"
			    "/bin");
	}
	envp[n++] = xstrdup("TERM=dumb");
	envp[n] = NULL;
	return envp;
}

static void
pty_free_environment(char **envp)
{
	char	**e;

	for (e = envp; *e != NULL; e++)
		free(*e);
	free(envp);
}

/*
 * The child, between forkpty and exec: its standard descriptors are the
 * terminal.  Async-signal-safe calls only, but for the /proc fallback of
 * close_range (the daemon has a single thread: no lock can be held).  The
 * status pipe (close-on-exec) carries errno back if exec fails.
 */
static void __attribute__((noreturn))
pty_child(int status, char **argv, char **envp)
{
	struct sigaction	 sa;
	struct termios		 t;
	sigset_t		 set;
	DIR			*dir;
	struct dirent		*de;
	int			 sig, fd, e;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);	/* KILL, STOP: EINVAL */
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);

	/* Canonical, no echo: our commands must not come back as input. */
	if (tcgetattr(STDIN_FILENO, &t) == 0) {
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL |
		    ECHOCTL | ECHOKE);
		t.c_lflag |= ICANON;
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}

	if ((status = fcntl(status, F_DUPFD_CLOEXEC, 10)) == -1 ||
	    dup3(status, 3, O_CLOEXEC) == -1)
		goto fail;
	status = 3;
	if (close_range(4, ~0U, 0) == -1) {
		if ((dir = opendir("/proc/self/fd")) != NULL) {
			fd = dirfd(dir);
			while ((de = readdir(dir)) != NULL) {
				e = atoi(de->d_name);
				if (e > 3 && e != fd)
					close(e);
			}
			closedir(dir);
		} else {
			for (fd = 4; fd < sysconf(_SC_OPEN_MAX); fd++)
				close(fd);
		}
	}
	environ = envp;
	execvp(argv[0], argv);
fail:
	e = errno;
	while (write(status, &e, sizeof e) == -1 && errno == EINTR)
		;
	_exit(127);
}

static void
pty_schedule(struct src_pty *p, double delay)
{
	p->restart_at = ev_time() + delay;
	ev_timer_stop(p->d->loop, &p->w_start);
	ev_timer_set(&p->w_start, delay, 0.);
	ev_timer_start(p->d->loop, &p->w_start);
}

/* The next restart's delay, from how long the last run lasted. */
static double
pty_next_backoff(struct src_pty *p, double uptime)
{
	double	delay;

	if (uptime >= PTY_STABLE)
		p->backoff = PTY_BACKOFF_MIN;
	delay = p->backoff;
	p->backoff *= 2;
	if (p->backoff > PTY_BACKOFF_MAX)
		p->backoff = PTY_BACKOFF_MAX;
	return delay;
}

/* Start the program; on failure, retry later (or end, with --once). */
static void
pty_start(struct src_pty *p)
{
	struct winsize	 ws;
	sigset_t	 all, old;
	char		**envp;
	int		 st[2], master = -1, e = 0, saved, flags;
	ssize_t		 n;
	pid_t		 pid;
	double		 delay;

	if (pipe2(st, O_CLOEXEC) == -1)
		goto fail;
	envp = pty_environment();
	memset(&ws, 0, sizeof ws);
	ws.ws_col = PTY_COLS;
	ws.ws_row = PTY_ROWS;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = forkpty(&master, NULL, NULL, &ws);
	if (pid == 0) {
		close(st[0]);
		pty_child(st[1], p->argv->v, envp);
	}
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	pty_free_environment(envp);
	close(st[1]);
	if (pid == -1) {
		close(st[0]);
		errno = saved;
		goto fail;
	}
	/* Single-threaded: no other fork can inherit it meanwhile. */
	(void)fcntl(master, F_SETFD, FD_CLOEXEC);
	if ((flags = fcntl(master, F_GETFL)) != -1)
		(void)fcntl(master, F_SETFL, flags | O_NONBLOCK);

	/* EOF: exec worked (close-on-exec); an int: it did not. */
	while ((n = read(st[0], &e, sizeof e)) == -1 && errno == EINTR)
		;
	close(st[0]);
	p->exec_errno = n == (ssize_t)sizeof e ? e : 0;

	p->master = master;
	p->pid = pid;
	p->lastpid = pid;
	p->running = true;
	p->hungup = false;
	p->exited = false;
	p->status = 0;
	p->linger = 0;
	p->started = ev_time();
	p->starts++;
	p->feed = feed_create(p->src, FRAME_LINES);
	p->src->state = SRCST_UP;

	ev_child_set(&p->w_child, pid, 0);
	ev_child_start(p->d->loop, &p->w_child);
	ev_io_set(&p->w_read, master, EV_READ);
	ev_io_set(&p->w_write, master, EV_WRITE);
	if (!p->paused)
		ev_io_start(p->d->loop, &p->w_read);

	/* An exec failure is told when the run ends (exit 127). */
	if (p->exec_errno == 0)
		src_event(p->src, "SOURCE_CONNECTED", "%s started, pid %ld",
		    p->program, (long)pid);
	return;

fail:
	log_warn("source %s: cannot start %s", pty_name(p), p->program);
	if (p->d->once) {
		p->src->state = SRCST_DOWN;
		p->src->ended = true;
		return;
	}
	p->src->state = SRCST_WAITING;
	delay = pty_next_backoff(p, 0);
	log_info("source %s: next try in %.0f s", pty_name(p), delay);
	pty_schedule(p, delay);
}

static void
pty_close_master(struct src_pty *p)
{
	ev_io_stop(p->d->loop, &p->w_read);
	ev_io_stop(p->d->loop, &p->w_write);
	if (p->master != -1)
		close(p->master);
	p->master = -1;
	/* Nobody will read them: the next run starts afresh. */
	free(p->out);
	p->out = NULL;
	p->outlen = p->outoff = 0;
}

/* The terminal closed (EIO): what was held is given, the run may end. */
static void
pty_hangup(struct src_pty *p)
{
	pty_close_master(p);
	p->hungup = true;
	if (p->feed != NULL) {
		feed_end(p->feed);
		feed_free(p->feed);
		p->feed = NULL;
	}
	if (p->exited)
		pty_run_end(p);
	else {
		/* Closed its terminal, still running: give it a while. */
		p->linger = 0;
		ev_timer_set(&p->w_linger, PTY_LINGER, 0.);
		ev_timer_start(p->d->loop, &p->w_linger);
	}
}

static void
on_read(struct ev_loop *loop, ev_io *w, int revents)
{
	struct src_pty	*p = w->data;
	char		 buf[SRC_READ_SIZE];
	ssize_t		 r;

	r = read(p->master, buf, sizeof buf);
	if (r > 0) {
		feed_bytes(p->feed, buf, (size_t)r);
		return;
	}
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	/* EIO: every descriptor of the terminal's slave side is closed. */
	if (r == -1 && errno != EIO)
		log_warn("source %s: read from the terminal", pty_name(p));
	pty_hangup(p);
}

/* Write what waits; the rest when the terminal takes more. */
static void
pty_flush(struct src_pty *p)
{
	ssize_t	w;

	while (p->outoff < p->outlen) {
		w = write(p->master, p->out + p->outoff, p->outlen - p->outoff);
		if (w > 0) {
			p->outoff += (size_t)w;
			continue;
		}
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && errno == EAGAIN) {
			ev_io_start(p->d->loop, &p->w_write);
			return;
		}
		/* EIO: hung up; the reader sees it too and ends the run. */
		log_warn("source %s: write to the terminal: %zu bytes of"
		    " commands dropped", pty_name(p), p->outlen - p->outoff);
		break;
	}
	ev_io_stop(p->d->loop, &p->w_write);
	free(p->out);
	p->out = NULL;
	p->outlen = p->outoff = 0;
}

static void
on_write(struct ev_loop *loop, ev_io *w, int revents)
{
	pty_flush(w->data);
}

static void
on_child(struct ev_loop *loop, ev_child *w, int revents)
{
	struct src_pty	*p = w->data;

	ev_child_stop(loop, w);
	p->status = w->rstatus;
	p->exited = true;
	p->pid = 0;
	if (p->hungup) {
		ev_timer_stop(loop, &p->w_linger);
		pty_run_end(p);
		return;
	}
	/*
	 * Exited, but the terminal is still open: its output is still
	 * being read, or a process it left behind holds the terminal.
	 */
	p->linger = 0;
	ev_timer_set(&p->w_linger, PTY_LINGER, 0.);
	ev_timer_start(loop, &p->w_linger);
}

/* Read what the terminal holds now (bounded: it may still be written). */
static void
pty_drain(struct src_pty *p)
{
	char	buf[SRC_READ_SIZE];
	ssize_t	r;
	int	i;

	for (i = 0; i < 16 && p->master != -1; i++) {
		if ((r = read(p->master, buf, sizeof buf)) <= 0)
			break;
		feed_bytes(p->feed, buf, (size_t)r);
	}
}

/* One of hangup and exit came, the other did not: force it. */
static void
on_linger(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct src_pty	*p = w->data;

	if (p->paused) {
		/* Its output must not be read now: wait for the resume. */
		ev_timer_set(w, PTY_LINGER, 0.);
		ev_timer_start(loop, w);
		return;
	}
	if (p->exited && !p->hungup) {
		log_warnx("source %s: %s exited %.0f s ago but its terminal"
		    " is still open: terminating what it left in its process"
		    " group, hanging the terminal up", pty_name(p), p->program,
		    PTY_LINGER);
		/* Leader reaped, members left: the group id is not reused. */
		kill(-p->lastpid, SIGTERM);
		/* What is there is read, then the processes get SIGHUP. */
		pty_drain(p);
		if (!p->hungup)
			pty_hangup(p);
		return;
	}
	if (p->hungup && !p->exited && p->pid > 0) {
		log_warnx("source %s: %s (pid %ld) closed its terminal but is"
		    " still running; %s", pty_name(p), p->program,
		    (long)p->pid, p->linger == 0 ? "terminating it" :
		    "killing it");
		kill(-p->pid, p->linger == 0 ? SIGTERM : SIGKILL);
		p->linger++;
		ev_timer_set(w, PTY_LINGER, 0.);
		ev_timer_start(loop, w);
	}
}

/* How the run ended, in words. */
static void
pty_status(const struct src_pty *p, char *buf, size_t len)
{
	if (WIFEXITED(p->status))
		snprintf(buf, len, "exited %d", WEXITSTATUS(p->status));
	else if (WIFSIGNALED(p->status))
		snprintf(buf, len, "was killed by signal %d",
		    WTERMSIG(p->status));
	else
		snprintf(buf, len, "ended (status 0x%x)", p->status);
}

/* Both the hangup and the exit came: end this run, start the next. */
static void
pty_run_end(struct src_pty *p)
{
	char	 how[64];
	double	 uptime, delay;

	if (!p->running)
		return;
	p->running = false;
	ev_timer_stop(p->d->loop, &p->w_linger);
	pty_status(p, how, sizeof how);
	uptime = ev_time() - p->started;
	if (p->exec_errno != 0)
		log_warnx("source %s: %s (pid %ld) %s: cannot run '%s': %s;"
		    " check PROGRAM", pty_name(p), p->program,
		    (long)p->lastpid, how, p->argv->v[0],
		    strerror(p->exec_errno));
	else
		log_info("source %s: %s (pid %ld) %s after %.1f s", pty_name(p),
		    p->program, (long)p->lastpid, how, uptime);
	if (p->d->once) {
		p->src->state = SRCST_DOWN;
		p->src->ended = true;
		src_event(p->src, "SOURCE_EOF", "%s (pid %ld) %s; the source"
		    " has ended (--once)", p->program, (long)p->lastpid, how);
		return;
	}
	delay = pty_next_backoff(p, uptime);
	p->src->state = SRCST_WAITING;
	src_event(p->src, "SOURCE_EOF", "%s (pid %ld) %s; restarting it in"
	    " %.0f s", p->program, (long)p->lastpid, how, delay);
	pty_schedule(p, delay);
}

static void
on_start(struct ev_loop *loop, ev_timer *w, int revents)
{
	pty_start(w->data);
}

static bool
pty_write(struct src *src, const char *cmd, size_t len, char **err)
{
	struct src_pty	*p = src->priv;
	size_t		 i, held;
	unsigned char	 c;

	if (p->master == -1) {
		if (src->ended)
			xasprintf(err, "source %s: its program has ended",
			    src->name);
		else
			xasprintf(err, "source %s: its program is not running"
			    " (next start in %.0f s)", src->name,
			    p->restart_at > ev_time() ?
			    p->restart_at - ev_time() : 0.);
		return false;
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)cmd[i];
		if (c < 0x20 || c == 0x7f) {
			xasprintf(err, "source %s: command refused: it holds a"
			    " control character (0x%02x at byte %zu), which"
			    " the terminal would act on", src->name, c, i + 1);
			return false;
		}
	}
	if (len > PTY_LINE_MAX - 1) {
		xasprintf(err, "source %s: command refused: %zu bytes, more"
		    " than a terminal line holds (%d)", src->name, len,
		    PTY_LINE_MAX - 1);
		return false;
	}
	held = p->outlen - p->outoff;
	if (held + len + 1 > PTY_OUT_MAX) {
		xasprintf(err, "source %s: command refused: %zu bytes of"
		    " commands already wait for %s to read them", src->name,
		    held, p->program);
		return false;
	}
	if (p->outoff > 0) {
		memmove(p->out, p->out + p->outoff, held);
		p->outoff = 0;
		p->outlen = held;
	}
	p->out = xreallocarray(p->out, p->outlen + len + 1, 1);
	memcpy(p->out + p->outlen, cmd, len);
	p->out[p->outlen + len] = '\n';
	p->outlen += len + 1;
	if (!ev_is_active(&p->w_write))
		pty_flush(p);
	return true;
}

static void
pty_pause(struct src *src)
{
	struct src_pty	*p = src->priv;

	p->paused = true;
	ev_io_stop(p->d->loop, &p->w_read);
}

static void
pty_resume(struct src *src)
{
	struct src_pty	*p = src->priv;

	p->paused = false;
	if (p->master != -1)
		ev_io_start(p->d->loop, &p->w_read);
}

static void
pty_describe(struct src *src, struct strbuf *sb)
{
	struct src_pty	*p = src->priv;
	char		 how[64];
	double		 now = ev_time();

	strbuf_addf(sb, "program %s", p->program);
	if (p->running && p->pid > 0)
		strbuf_addf(sb, ", pid %ld, up %.0f s", (long)p->pid,
		    now - p->started);
	else if (src->ended)
		strbuf_adds(sb, ", ended");
	else if (p->starts > 0 && !p->running)
		strbuf_addf(sb, ", restarting in %.0f s",
		    p->restart_at > now ? p->restart_at - now : 0.);
	if (p->starts > 0 && !p->running) {
		pty_status(p, how, sizeof how);
		strbuf_addf(sb, ", last run %s", how);
	}
	strbuf_addf(sb, ", %llu starts", (unsigned long long)p->starts);
	if (p->outlen > p->outoff)
		strbuf_addf(sb, ", %zu bytes of commands waiting",
		    p->outlen - p->outoff);
	if (p->paused)
		strbuf_adds(sb, ", paused");
}

/* ms of sleep that does not care about signals (free time only). */
static void
pty_nap(long ms)
{
	struct timespec	ts = { 0, ms * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Stop the program: the hangup (closing the master) and SIGTERM to its
 * process group, up to PTY_FREE_GRACE_MS for it to go, then SIGKILL.
 * Blocking, but only at free time and for at most about a second.
 */
static void
pty_stop_program(struct src_pty *p)
{
	pid_t	r;
	int	i, status;

	pty_close_master(p);
	if (p->pid <= 0)
		return;
	/* Not reaped: the group is still ours (setsid made pid its id). */
	kill(-p->pid, SIGTERM);
	for (i = 0; i < PTY_FREE_GRACE_MS / 50; i++) {
		r = waitpid(p->pid, &status, WNOHANG);
		if (r == p->pid || (r == -1 && errno == ECHILD))
			goto reaped;
		pty_nap(50);
	}
	log_warnx("source %s: %s (pid %ld) did not stop on SIGTERM; killing"
	    " it", pty_name(p), p->program, (long)p->pid);
	kill(-p->pid, SIGKILL);
	while (waitpid(p->pid, &status, 0) == -1 && errno == EINTR)
		;
reaped:
	log_info("source %s: %s (pid %ld) stopped", pty_name(p), p->program,
	    (long)p->pid);
	/* What it left in its group goes too. */
	kill(-p->pid, SIGKILL);
	p->pid = 0;
}

static void
pty_free(struct src *src)
{
	struct src_pty	*p = src->priv;

	if (p == NULL)
		return;
	ev_child_stop(p->d->loop, &p->w_child);
	ev_timer_stop(p->d->loop, &p->w_start);
	ev_timer_stop(p->d->loop, &p->w_linger);
	pty_stop_program(p);
	feed_free(p->feed);
	argv_free(p->argv);
	free(p->program);
	free(p);
	src->priv = NULL;
}

static const struct src_ops pty_ops = {
	.pause = pty_pause,
	.resume = pty_resume,
	.write = pty_write,
	.checkpoint = NULL,
	.describe = pty_describe,
	.free = pty_free,
};

/* DEFSRC TYPE PTY PROGRAM 'argv...': run it under a terminal. */
struct src *
src_pty_create(struct vigild *d, const struct source *def, char **err)
{
	struct src_pty	*p;
	struct src	*src;
	struct argv	*av;
	char		*why;

	if (def->program == NULL) {
		xasprintf(err, "source %s: a PTY source needs PROGRAM",
		    def->def.name);
		return NULL;
	}
	if ((av = argv_split(def->program, &why)) == NULL) {
		xasprintf(err, "source %s: PROGRAM: %s", def->def.name, why);
		free(why);
		return NULL;
	}
	if (av->n == 0) {
		argv_free(av);
		xasprintf(err, "source %s: PROGRAM is empty: give the console"
		    " program to run", def->def.name);
		return NULL;
	}

	p = xcalloc(1, sizeof *p);
	p->d = d;
	p->argv = av;
	xasprintf(&p->program, "'%s'", def->program);
	p->master = -1;
	p->backoff = PTY_BACKOFF_MIN;
	src = src_new(d, def, &pty_ops, p);
	p->src = src;
	src->state = SRCST_WAITING;

	ev_io_init(&p->w_read, on_read, -1, EV_READ);
	p->w_read.data = p;
	ev_io_init(&p->w_write, on_write, -1, EV_WRITE);
	p->w_write.data = p;
	ev_child_init(&p->w_child, on_child, 0, 0);
	p->w_child.data = p;
	ev_timer_init(&p->w_linger, on_linger, PTY_LINGER, 0.);
	p->w_linger.data = p;
	/* Started from the loop, not from the constructor. */
	ev_timer_init(&p->w_start, on_start, 0., 0.);
	p->w_start.data = p;
	ev_timer_start(d->loop, &p->w_start);
	return src;
}
