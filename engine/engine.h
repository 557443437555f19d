/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine.h - the daemon vigild: its defaults, the running state (the
 * ruleset in force, the matcher, the action runner, the sources) and the
 * modules that share it.  Rulesets are reference-counted: a reload swaps
 * in a new one while the jobs of the old one finish with the old one.
 */
#ifndef VIGIL_ENGINE_H
#define VIGIL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIGILD_DEFAULT_CONFIG	"/etc/vigil/vigil.rules"
#define VIGILD_DEFAULT_SOCKET	"/run/vigil/vigil.sock"
#define VIGILD_DEFAULT_STATEDIR	"/var/lib/vigil"
#define VIGILD_MAX_CHILDREN	64

struct ev_loop;
struct ruleset;
struct matcher;
struct runner;
struct message;
struct src_fd;

/* A ruleset in force, or kept alive by the jobs it started. */
struct rsref {
	struct ruleset	*rs;
	struct matcher	*m;
	unsigned	 refs;
};

struct vigild {
	struct ev_loop	*loop;
	const char	*config;
	struct rsref	*cur;
	struct runner	*runner;
	struct src_fd	*input;		/* standard input */
	bool		 once;		/* --once: stop at EOF, when idle */
	bool		 stopping;
	uint64_t	 messages;
	uint64_t	 fired;
	uint64_t	 jobs;		/* started, not yet ended */
	uint64_t	 reloads;
	uint64_t	 reload_failures;
};

/* rsref: in vigild.c */
struct rsref	*rsref_load(const char *config, bool quiet);
void		 rsref_put(struct rsref *);

/* dispatch.c: a message in, actions out. */
void		 dispatch_message(struct vigild *, const struct message *);
bool		 dispatch_idle(const struct vigild *);

/* src-fd.c: a byte stream (standard input, a FIFO) read as lines. */
struct src_fd	*src_fd_create(struct vigild *, int fd, const char *name,
		    int format, const char *user, const char *system);
bool		 src_fd_eof(const struct src_fd *);
void		 src_fd_free(struct src_fd *);

#endif
