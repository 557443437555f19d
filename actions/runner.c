/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runner.c - runs plans as child processes on the libev loop: the global
 * cap on children, MAXCONC per action name and SERIAL keys (a FIFO queue
 * in front of them), DELAY, NEXTACTN chains with ONFAIL, TIMEOUT (TERM the
 * process group, then KILL), and output captured line by line with caps.
 * A link that is not a process (NULL, CONSOLE, VIGIL, EMIT, INPUT) ends at
 * once with success: the daemon carries it out in its on_done callback.
 * It knows nothing of rules, messages or where output goes.
 *
 * Callbacks are never called from runner_start: what ends without a
 * process ends on the next loop iteration.  A job is freed only after its
 * on_end callback has returned.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "actions/actions.h"
#include "rules/rules.h"

#define RUNNER_KILL_AFTER	5.0	/* TERM, then KILL this much later */
#define RUNNER_EOF_GRACE	1.0	/* EOF wait once the leader exited */
#define RUNNER_READ_SIZE	65536
#define RUNNER_PATH	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define RUNNER_QUEUE_MAX_S	"10000"	/* RUNNER_QUEUE_MAX, for messages */

extern char	**environ;

enum job_state {
	JOB_DELAY,	/* the link's DELAY timer runs */
	JOB_QUEUED,	/* waiting for a slot or its serial key */
	JOB_RUNNING,	/* a child process runs */
	JOB_SOON	/* ended without a process, on_done next iteration */
};

/* A name and how many hold it: running links per action, serial keys. */
struct count {
	char		*name;
	unsigned	 n;
	struct count	*next;
};

struct job {
	struct runner	*r;
	struct plan	*plan;		/* the whole chain, owned */
	struct plan	*link;		/* the current link */
	char		*action;	/* copy of link->action */
	struct runner_limits lim;	/* serial copied */
	struct runner_cb cb;
	void		*arg;
	enum job_state	 state;
	bool		 has_key;	/* holds lim.serial */
	bool		 has_slot;	/* counted in running and maxconc */
	struct job	*qnext, **qprev; /* the FIFO queue */
	struct job	*jnext, **jprev; /* every job */

	/* The current link. */
	ev_timer	 t_delay;	/* DELAY, or JOB_SOON */
	ev_timer	 t_limit;	/* TIMEOUT, then the KILL */
	ev_timer	 t_grace;	/* EOF after the leader exited */
	ev_child	 w_child;
	ev_io		 w_out;
	pid_t		 pid;
	int		 fd;		/* output pipe, -1 closed */
	bool		 exited, eof, killed;
	bool		 refused;	/* the queue was full */
	bool		 cancelled;	/* runner_cancel: no further link */
	int		 wstatus;
	char		*line;		/* the partial line */
	size_t		 linelen;
	bool		 skipping;	/* rest of a too long line */
	char		*error;
	struct job_result res;
};

struct runner {
	struct ev_loop	*loop;
	unsigned	 max_children;
	struct job	*jobs;		/* all */
	struct job	*qhead, **qtail;
	unsigned	 njobs;
	struct count	*actions;	/* running links per action name */
	struct count	*keys;		/* serial keys held */
	struct runner_stats st;
};

static void	job_queue(struct job *);
static void	job_link_start(struct job *);
static void	job_link_end(struct job *);
static void	job_builtin(struct job *);
static void	job_soon(struct job *, const char *);
static void	job_unqueue(struct job *);
static void	runner_dispatch(struct runner *);

/* Count lists: a handful of names, searched linearly. */
static struct count **
count_find(struct count **list, const char *name)
{
	for (; *list != NULL; list = &(*list)->next)
		if (strcmp((*list)->name, name) == 0)
			break;
	return list;
}

static unsigned
count_get(struct count **list, const char *name)
{
	struct count	**c = count_find(list, name);

	return *c != NULL ? (*c)->n : 0;
}

static void
count_add(struct count **list, const char *name)
{
	struct count	**c = count_find(list, name);

	if (*c == NULL) {
		*c = xcalloc(1, sizeof **c);
		(*c)->name = xstrdup(name);
	}
	(*c)->n++;
}

static void
count_del(struct count **list, const char *name)
{
	struct count	**c = count_find(list, name), *dead;

	if (*c == NULL)
		fatalx("%s: %s not counted", __func__, name);
	if (--(*c)->n == 0) {
		dead = *c;
		*c = dead->next;
		free(dead->name);
		free(dead);
	}
}

static bool
link_is_process(const struct plan *p)
{
	return p->kind == PLAN_EXEC || p->kind == PLAN_SHELL;
}

/* Create a runner on loop (the default loop) with a cap on children. */
struct runner *
runner_create(struct ev_loop *loop, unsigned max_children)
{
	struct runner	*r;

	if (!ev_is_default_loop(loop))
		fatalx("%s: ev_child needs the default loop", __func__);
	r = xcalloc(1, sizeof *r);
	r->loop = loop;
	r->max_children = max_children > 0 ? max_children : 1;
	r->qtail = &r->qhead;
	return r;
}

static void
job_unqueue(struct job *j)
{
	struct runner	*r = j->r;

	if (j->qprev == NULL)
		return;
	if (j->qnext != NULL)
		j->qnext->qprev = j->qprev;
	else
		r->qtail = j->qprev;
	*j->qprev = j->qnext;
	j->qnext = NULL;
	j->qprev = NULL;
	r->st.queued--;
}

static void
job_close_output(struct job *j)
{
	if (j->fd == -1)
		return;
	ev_io_stop(j->r->loop, &j->w_out);
	close(j->fd);
	j->fd = -1;
}

static void
job_stop_watchers(struct job *j)
{
	struct ev_loop	*loop = j->r->loop;

	ev_timer_stop(loop, &j->t_delay);
	ev_timer_stop(loop, &j->t_limit);
	ev_timer_stop(loop, &j->t_grace);
	ev_child_stop(loop, &j->w_child);
	job_close_output(j);
}

static void
job_release_slot(struct job *j)
{
	if (!j->has_slot)
		return;
	j->has_slot = false;
	j->r->st.running--;
	count_del(&j->r->actions, j->action);
}

static void
job_destroy(struct job *j)
{
	struct runner	*r = j->r;

	job_stop_watchers(j);
	job_unqueue(j);
	job_release_slot(j);
	if (j->has_key)
		count_del(&r->keys, j->lim.serial);
	if (j->jnext != NULL)
		j->jnext->jprev = j->jprev;
	*j->jprev = j->jnext;
	r->njobs--;
	plan_free(j->plan);
	free((char *)j->lim.serial);
	free(j->action);
	free(j->line);
	free(j->error);
	free(j);
}

/*
 * Free a runner.  What still runs is killed (its whole process group)
 * and reaped here, synchronously; each job gets on_end(interrupted) and
 * no on_done.  Not to be called from a runner callback.
 */
void
runner_free(struct runner *r)
{
	struct job	*j;
	int		 status;

	if (r == NULL)
		return;
	while ((j = r->jobs) != NULL) {
		if (j->state == JOB_RUNNING && !j->exited) {
			kill(-j->pid, SIGKILL);
			while (waitpid(j->pid, &status, 0) == -1 &&
			    errno == EINTR)
				;
		} else if (j->state == JOB_RUNNING && !j->killed)
			kill(-j->pid, SIGKILL);	/* what holds the pipe */
		job_stop_watchers(j);
		if (j->cb.on_end != NULL)
			j->cb.on_end(j, true, j->arg);
		job_destroy(j);
	}
	if (r->actions != NULL || r->keys != NULL)
		fatalx("%s: counts left", __func__);
	free(r);
}

/* Counters of a runner. */
void
runner_stats(const struct runner *r, struct runner_stats *st)
{
	*st = r->st;
}

/* The process (and process group) of a job's running link, or 0. */
/* The action name of a job's current link. */
const char *
job_action(const struct job *j)
{
	return j->action != NULL ? j->action : "?";
}

const struct plan *
job_link(const struct job *j)
{
	return j->link;
}

void *
job_arg(const struct job *j)
{
	return j->arg;
}

/* What a job is doing: delay, queued, running, ending. */
const char *
job_state_name(const struct job *j)
{
	static const char *const names[] = { "delay", "queued", "running",
		"ending" };

	return names[j->state];
}

/* Every job, running or waiting (the callback must not start or end one). */
void
runner_each(struct runner *r, void (*cb)(struct job *, void *), void *arg)
{
	struct job	*j;

	for (j = r->jobs; j != NULL; j = j->jnext)
		cb(j, arg);
}

/*
 * Stop a job: a running link's process group gets SIGTERM (SIGKILL after
 * RUNNER_KILL_AFTER, as at a TIMEOUT), a waiting one ends at once with
 * the error "cancelled"; no further link of its chain runs.  False if
 * it is already ending.
 */
bool
runner_cancel(struct runner *r, struct job *j)
{
	if (j->cancelled || j->state == JOB_SOON)
		return false;
	j->cancelled = true;
	switch (j->state) {
	case JOB_RUNNING:
		if (!j->exited) {
			kill(-j->pid, SIGTERM);
			ev_timer_stop(r->loop, &j->t_limit);
			ev_timer_set(&j->t_limit, RUNNER_KILL_AFTER, 0);
			j->res.timed_out = false;
			j->killed = false;
			ev_timer_start(r->loop, &j->t_limit);
		}
		break;
	case JOB_DELAY:
		ev_timer_stop(r->loop, &j->t_delay);
		job_soon(j, "cancelled");
		break;
	case JOB_QUEUED:
		job_unqueue(j);
		job_soon(j, "cancelled");
		break;
	default:
		break;
	}
	return true;
}

unsigned
runner_waiting(const struct runner *r)
{
	return r->njobs - r->st.running;
}

long
job_pid(const struct job *j)
{
	return j->state == JOB_RUNNING ? (long)j->pid : 0;
}

/* End the current link on the next loop iteration, as error or success. */
static void
job_soon(struct job *j, const char *error)
{
	if (error != NULL) {
		free(j->error);
		j->error = xstrdup(error);
	}
	j->state = JOB_SOON;
	ev_timer_set(&j->t_delay, 0, 0);
	ev_timer_start(j->r->loop, &j->t_delay);
}

static void
job_delay_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct job	*j = w->data;

	(void)loop;
	(void)revents;
	if (j->state == JOB_SOON)
		job_link_end(j);
	else {
		job_queue(j);
		runner_dispatch(j->r);
	}
}

/* Hand one line (or the first RUNNER_LINE_MAX bytes of it) over. */
static void
job_line(struct job *j)
{
	j->line[j->linelen] = '\0';
	if (j->cb.on_line != NULL)
		j->cb.on_line(j, j->line, j->linelen, j->arg);
	j->linelen = 0;
}

static void
job_output(struct job *j, const char *buf, size_t n)
{
	const char	*nl;
	size_t		 len, room;

	while (n > 0) {
		nl = memchr(buf, '\n', n);
		len = nl != NULL ? (size_t)(nl - buf) : n;
		if (j->skipping)
			j->res.dropped += len;
		else {
			room = RUNNER_LINE_MAX - j->linelen;
			if (len > room) {
				memcpy(j->line + j->linelen, buf, room);
				j->linelen += room;
				j->res.dropped += len - room;
				job_line(j);
				j->skipping = true;
			} else {
				memcpy(j->line + j->linelen, buf, len);
				j->linelen += len;
			}
		}
		if (nl == NULL)
			break;
		if (!j->skipping)
			job_line(j);
		j->skipping = false;
		buf += len + 1;
		n -= len + 1;
	}
}

static void
job_eof(struct job *j)
{
	if (j->linelen > 0 && !j->skipping)
		job_line(j);
	j->eof = true;
	job_close_output(j);
	ev_timer_stop(j->r->loop, &j->t_grace);
	if (j->exited)
		job_link_end(j);
}

static void
job_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct job	*j = w->data;
	char		 buf[RUNNER_READ_SIZE];
	ssize_t		 n;
	size_t		 keep;

	(void)loop;
	(void)revents;
	n = read(j->fd, buf, sizeof buf);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		log_warn("action %s: read", j->action);
		job_eof(j);
		return;
	}
	if (n == 0) {
		job_eof(j);
		return;
	}
	/* Past the cap the pipe is still drained, so the child goes on. */
	keep = 0;
	if (j->res.output < RUNNER_OUTPUT_MAX) {
		keep = RUNNER_OUTPUT_MAX - j->res.output;
		if (keep > (size_t)n)
			keep = (size_t)n;
	}
	j->res.output += keep;
	j->res.dropped += (size_t)n - keep;
	if (keep > 0)
		job_output(j, buf, keep);
}

static void
job_grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct job	*j = w->data;

	(void)loop;
	(void)revents;
	/* Something the leader started still holds the pipe: stop reading. */
	log_debug("action %s: no EOF %.0f s after exit", j->action,
	    RUNNER_EOF_GRACE);
	job_eof(j);
}

static void
job_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct job	*j = w->data;

	(void)revents;
	ev_child_stop(loop, w);
	j->exited = true;
	j->wstatus = w->rstatus;
	if (j->eof) {
		job_link_end(j);
		return;
	}
	ev_timer_set(&j->t_grace, RUNNER_EOF_GRACE, 0);
	ev_timer_start(loop, &j->t_grace);
}

static void
job_limit_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct job	*j = w->data;

	(void)revents;
	if (!j->res.timed_out && !j->cancelled) {
		j->res.timed_out = true;
		log_info("action %s: timed out after %u s, pid %ld",
		    j->action, j->lim.timeout, (long)j->pid);
		kill(-j->pid, SIGTERM);
		ev_timer_set(w, RUNNER_KILL_AFTER, 0);
		ev_timer_start(loop, w);
		return;
	}
	kill(-j->pid, SIGKILL);
	j->killed = true;
}

/*
 * The child, between fork and exec: async-signal-safe calls only, but
 * for the /proc fallback when close_range fails (the daemon has a single
 * thread, so no lock can be held).  The status pipe (close-on-exec)
 * carries errno back if exec fails.
 */
/*
 * Where a command runs from: a name with a '/' as it is, else the first
 * executable file of that name along RUNNER_PATH (the PATH actions get,
 * whatever the daemon's own is).  NULL with errno set when there is none.
 */
/*
 * Whether path is a file execve would try, with errno as execve would set
 * it.  Checking here, in the parent, means the spawned child only fails
 * to exec in rare cases (a bad binary format): valgrind cannot follow a
 * child of posix_spawn's vfork-like clone that returns from a failed exec.
 */
static bool
executable(const char *path)
{
	struct stat	 st;

	if (stat(path, &st) == -1)
		return false;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return false;
	}
	return access(path, X_OK) == 0;
}

static char *
resolve(const char *name)
{
	const char	*dir, *end;
	char		*path;
	int		 saved = ENOENT;

	if (*name == '\0') {
		errno = ENOENT;
		return NULL;
	}
	if (strchr(name, '/') != NULL)
		return executable(name) ? xstrdup(name) : NULL;
	for (dir = RUNNER_PATH; *dir != '\0'; dir = *end != '\0' ? end + 1 :
	    end) {
		end = strchrnul(dir, ':');
		xasprintf(&path, "%.*s/%s", (int)(end - dir), dir, name);
		if (executable(path))
			return path;
		if (errno == EACCES)
			saved = EACCES;
		free(path);
	}
	errno = saved;
	return NULL;
}

/*
 * Start argv with its output on out: posix_spawn (a vfork-like clone,
 * whose cost does not grow with the daemon's memory as fork's does), in a
 * new session and so a process group of its own, every signal back to
 * its default and unblocked, standard input from /dev/null, standard
 * output and error to the pipe, no other descriptor.  Exec errors come
 * back as the error number.
 */
static int
spawn(pid_t *pid, int out, char **argv, char **envp)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 at;
	sigset_t			 all, none;
	char				*path;
	int				 e;

	if ((path = resolve(argv[0])) == NULL)
		return errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, out, 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&at);
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	e = posix_spawn(pid, path, &fa, &at, argv, envp);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	free(path);
	return e;
}

static char **
job_environment(const char *action)
{
	static const char *const pass[] = { "HOME", "LANG", "TZ" };
	char		**envp, **e;
	size_t		  n = 0, i;
	const char	 *v;

	for (e = environ; e != NULL && *e != NULL; e++)
		n++;
	envp = xcalloc(n + nitems(pass) + 3, sizeof *envp);
	n = 0;
	envp[n++] = xstrdup("PATH=" RUNNER_PATH);
	for (i = 0; i < nitems(pass); i++)
		if ((v = getenv(pass[i])) != NULL)
			xasprintf(&envp[n++], "%s=%s", pass[i], v);
	for (e = environ; e != NULL && *e != NULL; e++)
		if (strncmp(*e, "LC_", 3) == 0 && strchr(*e, '=') != NULL)
			envp[n++] = xstrdup(*e);
	xasprintf(&envp[n++], "VIGIL_ACTION=%s", action);
	envp[n] = NULL;
	return envp;
}

static void
free_environment(char **envp)
{
	char	**e;

	for (e = envp; *e != NULL; e++)
		free(*e);
	free(envp);
}

/* Start the current link's process; on failure end the link soon. */
static void
job_spawn(struct job *j)
{
	struct runner	*r = j->r;
	int		 out[2], e;
	char		**envp, *why;
	pid_t		 pid;

	j->fd = -1;
	if (j->link->argv == NULL || j->link->argv->n == 0) {
		job_soon(j, "empty command");
		return;
	}
	if (pipe2(out, O_CLOEXEC) == -1)
		goto fail;
	envp = job_environment(j->action);
	e = spawn(&pid, out[1], j->link->argv->v, envp);
	free_environment(envp);
	close(out[1]);
	if (e != 0) {
		close(out[0]);
		xasprintf(&why, "cannot run '%s': %s", j->link->argv->v[0],
		    strerror(e));
		job_soon(j, why);
		free(why);
		return;
	}

	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
	/* Only while running: 10,000 queued jobs must not hold 64 KiB each. */
	j->line = xmalloc(RUNNER_LINE_MAX + 1);
	j->fd = out[0];
	j->pid = pid;
	j->res.pid = pid;
	j->state = JOB_RUNNING;
	j->has_slot = true;
	r->st.running++;
	count_add(&r->actions, j->action);

	ev_child_set(&j->w_child, pid, 0);
	ev_child_start(r->loop, &j->w_child);
	ev_io_set(&j->w_out, j->fd, EV_READ);
	ev_io_start(r->loop, &j->w_out);
	if (j->lim.timeout > 0) {
		ev_now_update(r->loop);
		ev_timer_set(&j->t_limit, j->lim.timeout, 0);
		ev_timer_start(r->loop, &j->t_limit);
	}
	if (j->cb.on_start != NULL)
		j->cb.on_start(j, j->link, (long)pid, j->arg);
	return;

fail:
	xasprintf(&why, "cannot run '%s': %s", j->link->argv->v[0],
	    strerror(errno));
	job_soon(j, why);
	free(why);
}

/* A link that is not a process is done by the caller's on_builtin. */
static void
job_builtin(struct job *j)
{
	const char	*err = NULL;

	if (j->cb.on_start != NULL)
		j->cb.on_start(j, j->link, 0, j->arg);
	if (j->cb.on_builtin != NULL)
		err = j->cb.on_builtin(j, j->link, j->arg);
	job_soon(j, err);
}

/* Reset the per-link state and start the link, or its DELAY. */
static void
job_link_start(struct job *j)
{
	free(j->action);
	j->action = xstrdup(j->link->action != NULL ? j->link->action : "?");
	free(j->error);
	j->error = NULL;
	memset(&j->res, 0, sizeof j->res);
	j->pid = 0;
	j->fd = -1;
	j->exited = j->eof = j->killed = j->skipping = false;
	j->linelen = 0;
	if (j->link->delay > 0) {
		/* The loop's time is stale when called from outside it. */
		ev_now_update(j->r->loop);
		j->state = JOB_DELAY;
		ev_timer_set(&j->t_delay, j->link->delay, 0);
		ev_timer_start(j->r->loop, &j->t_delay);
		return;
	}
	job_queue(j);
}

static void
job_queue(struct job *j)
{
	struct runner	*r = j->r;

	j->state = JOB_QUEUED;
	j->qnext = NULL;
	j->qprev = r->qtail;
	*r->qtail = j;
	r->qtail = &j->qnext;
	r->st.queued++;
}

/* Whether key is among n keys. */
static bool
key_in(const char *const *keys, size_t n, const char *key)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(keys[i], key) == 0)
			return true;
	return false;
}

/*
 * Start what may start, in queue order.  A job that must wait keeps its
 * serial key's later jobs waiting behind it, so a key's jobs run in the
 * order they were queued.
 */
static void
runner_dispatch(struct runner *r)
{
	struct job	 *j, *next;
	const char	**blocked = NULL;
	size_t		  nblocked = 0;
	bool		  proc, key_ok;

	for (j = r->qhead; j != NULL; j = next) {
		next = j->qnext;
		proc = link_is_process(j->link);
		if (proc && r->st.running >= r->max_children &&
		    j->lim.serial == NULL)
			continue;
		key_ok = j->lim.serial == NULL || j->has_key ||
		    (count_get(&r->keys, j->lim.serial) == 0 &&
		    !key_in(blocked, nblocked, j->lim.serial));
		if (!key_ok ||
		    (proc && (r->st.running >= r->max_children ||
		    (j->lim.maxconc > 0 &&
		    count_get(&r->actions, j->action) >= j->lim.maxconc)))) {
			if (j->lim.serial != NULL && !j->has_key) {
				blocked = xreallocarray(blocked, nblocked + 1,
				    sizeof *blocked);
				blocked[nblocked++] = j->lim.serial;
			}
			continue;
		}
		job_unqueue(j);
		if (j->lim.serial != NULL && !j->has_key) {
			count_add(&r->keys, j->lim.serial);
			j->has_key = true;
		}
		r->st.started++;
		j->res.start = ev_time();
		if (proc)
			job_spawn(j);
		else
			job_builtin(j);
	}
	free(blocked);
}

/*
 * The current link has ended (process reaped and its output read to EOF,
 * or it never was a process): report it, then go on along the chain or
 * end the job.
 */
static void
job_link_end(struct job *j)
{
	struct runner	*r = j->r;
	struct job_result *res = &j->res;
	bool		 go_on;

	job_stop_watchers(j);
	job_release_slot(j);
	free(j->line);
	j->line = NULL;
	if (res->timed_out && !j->killed && j->pid > 0)
		kill(-j->pid, SIGKILL);	/* the group, if anything is left */

	res->plan = j->link;
	res->action = j->action;
	res->end = ev_time();
	if (res->start == 0)
		res->start = res->end;
	res->status = -1;
	res->error = j->error;
	if (j->error == NULL && j->exited) {
		if (WIFEXITED(j->wstatus))
			res->status = WEXITSTATUS(j->wstatus);
		else if (WIFSIGNALED(j->wstatus))
			res->signal = WTERMSIG(j->wstatus);
		res->ok = res->status == 0 && !res->timed_out;
	} else
		res->ok = j->error == NULL;
	go_on = j->link->next != NULL && !j->refused && !j->cancelled &&
	    (res->ok || j->lim.onfail == ONFAIL_CONTINUE);
	res->last = !go_on;

	if (!j->refused) {
		r->st.finished++;
		if (!res->ok)
			r->st.failed++;
		if (res->timed_out)
			r->st.timed_out++;
	}
	j->state = JOB_SOON;	/* neither queued nor running */
	if (j->cb.on_done != NULL)
		j->cb.on_done(j, res, j->arg);

	if (go_on) {
		j->link = j->link->next;
		job_link_start(j);
	} else {
		if (j->has_key) {
			count_del(&r->keys, j->lim.serial);
			j->has_key = false;
		}
		if (j->cb.on_end != NULL)
			j->cb.on_end(j, false, j->arg);
		job_destroy(j);
	}
	runner_dispatch(r);
}

/*
 * Run a plan (taken over, freed with the job) with limits and callbacks;
 * arg is passed to them.  When RUNNER_QUEUE_MAX jobs already wait, the
 * job is refused: on_done reports it with an error on the next loop
 * iteration and the chain goes no further.  Never calls a callback.
 */
struct job *
runner_start(struct runner *r, struct plan *plan,
    const struct runner_limits *lim, const struct runner_cb *cb, void *arg)
{
	struct job	*j;

	if (plan == NULL)
		fatalx("%s: no plan", __func__);
	j = xcalloc(1, sizeof *j);
	j->r = r;
	j->plan = plan;
	j->link = plan;
	if (lim != NULL)
		j->lim = *lim;
	if (j->lim.serial != NULL)
		j->lim.serial = xstrdup(j->lim.serial);
	if (cb != NULL)
		j->cb = *cb;
	j->arg = arg;
	j->fd = -1;
	ev_timer_init(&j->t_delay, job_delay_cb, 0, 0);
	ev_timer_init(&j->t_limit, job_limit_cb, 0, 0);
	ev_timer_init(&j->t_grace, job_grace_cb, 0, 0);
	ev_child_init(&j->w_child, job_child_cb, 0, 0);
	ev_io_init(&j->w_out, job_read_cb, -1, EV_READ);
	j->t_delay.data = j->t_limit.data = j->t_grace.data = j;
	j->w_child.data = j->w_out.data = j;

	j->jnext = r->jobs;
	if (r->jobs != NULL)
		r->jobs->jprev = &j->jnext;
	j->jprev = &r->jobs;
	r->jobs = j;

	if (r->njobs++ - r->st.running >= RUNNER_QUEUE_MAX) {
		r->st.refused++;
		j->refused = true;
		j->action = xstrdup(plan->action != NULL ? plan->action : "?");
		job_soon(j, "queue full: " RUNNER_QUEUE_MAX_S " jobs waiting");
		return j;
	}
	job_link_start(j);
	runner_dispatch(r);
	return j;
}
