/* SPDX-License-Identifier: Apache-2.0 */
/*
 * source.h - the daemon's running sources.  Each DEFSRC becomes a struct
 * src, created by the constructor of its type (src-*.c), which fills in
 * its ops and private part.  Bytes read become records through a feed
 * (framer + the source's message reader, one feed per connection or
 * peer), records become messages, and every message goes through
 * src_message(): counted, written to the console log, dispatched.
 *
 * Rules for every source type:
 *  - never block the loop: every descriptor is non-blocking and
 *    close-on-exec; reads are bounded per callback (SRC_READ_SIZE);
 *  - pause() stops reading (backpressure: the kernel buffers, the writer
 *    waits); a UDP source cannot make its peer wait, so it keeps reading
 *    and counts what it drops (src->drops) while paused;
 *  - report state changes with src_event() (connected, disconnected, end
 *    of input, rotated, errors) and mark src->ended when nothing more can
 *    come (vigild --once stops when every source has ended);
 *  - a setup error that makes the source unusable as configured (a path
 *    that is a directory, an address in use) is returned by the
 *    constructor with a message naming the source, the path and why; a
 *    condition that may pass (a file that does not exist yet, a program
 *    that exited) is waited out and retried.
 */
#ifndef VIGIL_SOURCE_H
#define VIGIL_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/framer.h"

struct vigild;
struct source;
struct message;
struct strbuf;
struct src;
struct feed;

#define SRC_READ_SIZE	65536		/* bytes per read callback */

struct src_ops {
	void	(*pause)(struct src *);		/* stop reading */
	void	(*resume)(struct src *);
	/*
	 * Write one command line (no '\n' given; the source adds what its
	 * console needs) to the source's console.  NULL when the source has
	 * no command channel.  False with *err (allocated) if it cannot now.
	 */
	bool	(*write)(struct src *, const char *, size_t, char **err);
	void	(*checkpoint)(struct src *);	/* save offsets (FILE) */
	void	(*describe)(struct src *, struct strbuf *); /* for status */
	void	(*free)(struct src *);		/* close, free priv */
};

enum src_state {
	SRCST_UP,		/* reading */
	SRCST_WAITING,		/* file not there yet, program restarting */
	SRCST_DOWN		/* failed; see the last event */
};

struct src {
	struct vigild		*d;
	const struct src_ops	*ops;
	void			*priv;		/* the type's own part */
	char			*name;		/* DEFSRC NAME */
	int			 type;		/* enum src_type */
	int			 format;	/* enum src_format */
	char			*user;		/* DEFSRC USER, or NULL */
	char			*system;	/* DEFSRC SYSTEM, or NULL */
	enum src_state		 state;
	bool			 paused;	/* by backpressure */
	bool			 ended;		/* nothing more will come */
	uint64_t		 messages;	/* given to the dispatcher */
	uint64_t		 bytes;		/* read */
	uint64_t		 drops;		/* UDP datagrams dropped */
	uint64_t		 connects;	/* connections accepted */
	char			*sig;		/* its definition, to compare */
	struct src		*next;
};

/* source.c */
struct src	*src_new(struct vigild *, const struct source *,
		    const struct src_ops *, void *priv);
void		 src_message(struct src *, const struct message *);
void		 src_event(struct src *, const char *event, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
void		 src_free(struct src *);
/* Start every DEFSRC of the ruleset (stdin alone without any). */
bool		 sources_start(struct vigild *, char **err);
/* After a reload: keep unchanged sources, start new, stop removed ones. */
void		 sources_reload(struct vigild *, const struct ruleset *);
void		 sources_pause(struct vigild *, bool pause);
void		 sources_checkpoint(struct vigild *);
bool		 sources_ended(const struct vigild *);
struct src	*sources_find(const struct vigild *, const char *name);
void		 sources_report(const struct vigild *);	/* to the log */
void		 sources_free(struct vigild *);

/*
 * feed.c: one byte stream (or one datagram peer) of a source: framing,
 * the message reader (which keeps per-stream state, e.g. a z/OS message
 * waiting for its continuation lines), then src_message().  A user
 * given here (e.g. the hostname of a syslog peer) overrides nothing in
 * the message; it is what a message without its own user is from.
 */
struct feed	*feed_create(struct src *, enum frame_mode);
void		 feed_bytes(struct feed *, const char *, size_t);
void		 feed_record(struct feed *, const char *, size_t);
void		 feed_end(struct feed *);	/* EOF: flush what is held */
size_t		 feed_pending(const struct feed *);	/* bytes held */
void		 feed_free(struct feed *);

/* The constructors, one per DEFSRC TYPE (src-*.c). */
struct src	*src_stdin_create(struct vigild *, const struct source *,
		    char **err);				/* src-fd.c */
struct src	*src_fifo_create(struct vigild *, const struct source *,
		    char **err);				/* src-fd.c */
struct src	*src_file_create(struct vigild *, const struct source *,
		    char **err);				/* src-file.c */
struct src	*src_unix_create(struct vigild *, const struct source *,
		    char **err);				/* src-sock.c */
struct src	*src_unixdgram_create(struct vigild *,
		    const struct source *, char **err);		/* src-sock.c */
struct src	*src_syslog_create(struct vigild *, const struct source *,
		    char **err);				/* src-sock.c */
struct src	*src_tcp_create(struct vigild *, const struct source *,
		    char **err);				/* src-sock.c */
struct src	*src_pty_create(struct vigild *, const struct source *,
		    char **err);				/* src-pty.c */

#endif
