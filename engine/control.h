/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control.h - the control socket of vigild and what the commands of the
 * vigil client run on.
 *
 * Wire protocol (cli/proto.c encodes and decodes it; both sides share it):
 *  - A request is one line: the client's argv (the command word first,
 *    then its arguments as the user typed them, options included, and
 *    "--json" when the user asked for JSON), each word percent-encoded
 *    (every byte below 0x21, 0x7f and '%' as %XX), words separated by
 *    one blank, ended by '\n'.  At most CTL_REQUEST_MAX bytes.
 *  - The response is a sequence of lines, each starting with a tag:
 *	"|text\n"	a line of standard output (text escaped for the
 *			terminal already: no control characters)
 *	"!text\n"	a line of standard error
 *	"=N\n"		the end, N the client's exit status (0 success,
 *			1 refused or failed, 2 usage)
 *    A streaming command (view --follow, run waiting for its result)
 *    sends "|" lines as they come and "=N" when done; the client closing
 *    the connection cancels it.
 *  - One request per connection.
 *
 * The daemon learns the peer's uid, gid and pid from the kernel
 * (SO_PEERCRED), never from the client.  Every command names the level
 * it needs; auth.c decides from the AUTH statements whether the peer has
 * it (for the command's object, when it names one: an action, a source,
 * a rule, a console).  Commands that change something, and every
 * refusal, are written to the audit trail.
 */
#ifndef VIGIL_CONTROL_H
#define VIGIL_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CTL_REQUEST_MAX		65536	/* one request line */
#define CTL_CLIENTS_MAX		256	/* connections at once */
#define CTL_IDLE_TIMEOUT	30.0	/* s without a full request: closed */
#define CTL_OUTPUT_MAX		(4 * 1024 * 1024) /* queued for one client */

struct vigild;
struct ctl_client;
struct strbuf;

/* The levels of AUTH (rules/rules.h enum auth_level): NONE < VIEW < ... */

/* One request, valid until ctl_end(). */
struct ctl_req {
	struct vigild		*d;
	struct ctl_client	*c;
	uid_t			 uid;
	gid_t			 gid;
	pid_t			 pid;
	const char		*user;		/* the uid's name, or the number */
	int			 argc;
	char			**argv;		/* argv[0]: the command as typed */
	const char		*cmd;		/* its full name (ctl_command) */
	bool			 json;		/* "--json" was given (removed
						   from argv) */
	void			*data;		/* the command's own, if it streams */
	/*
	 * The client went (called from the loop, never from inside a ctl_*
	 * call): stop using req.  It may call ctl_end or not; req is freed
	 * when it returns.  Without a cancel, the command ends req as usual
	 * and its output goes nowhere.
	 */
	void			(*cancel)(struct ctl_req *);
};

/* control.c: the socket, the connections, the framing. */
bool		 ctl_start(struct vigild *, const char *path, char **err);
void		 ctl_stop(struct vigild *);
/* Output: one line each (no '\n' in the text; control chars escaped). */
void		 ctl_out(struct ctl_req *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 ctl_outn(struct ctl_req *, const char *, size_t);
void		 ctl_err(struct ctl_req *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/* The end: status sent, the connection closed, req freed. */
void		 ctl_end(struct ctl_req *, int status);

/* auth.c: who may do what. */
int		 auth_level(struct vigild *, uid_t, gid_t, const char *kind,
		    const char *object);
/* Whether req's peer has level for kind/object (NULL: global); if not,
 * the refusal is sent ("!" line), audited, and the request ended (1). */
bool		 ctl_permit(struct ctl_req *, int level, const char *kind,
		    const char *object);
/* Write what req did to the audit trail (result: ok, failed, ...). */
void		 ctl_audit(struct ctl_req *, const char *result);

/* ctl-cmds.c: helpers the command files share. */
void		 ctl_fmt_time(double, char *, size_t);	/* local, or "-" */
void		 ctl_json_end(struct ctl_req *, struct strbuf *, int status);
/* The end of a listing: with --json SB's array closed and sent. */
void		 ctl_list_end(struct ctl_req *, struct strbuf *);
void		 ctl_usage_end(struct ctl_req *, const char *usage);

/* ctl-wf.c: Lua workflows and their confirmations. */
void		 ctl_workflows(struct ctl_req *);
void		 ctl_workflow(struct ctl_req *);
void		 ctl_confirm(struct ctl_req *);

/* ctl-cmds.c: the commands, by name (argv[0] as typed: a unique prefix
 * is expanded here).  Runs the command; it ends the request itself (now,
 * or later for a streaming one). */
void		 ctl_command(struct ctl_req *);

#endif
