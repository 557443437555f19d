/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h - the commands of the vigil client.  Each command is an entry of
 * one table (name, usage, summary, handler); handlers return the exit
 * status: 0 success, 1 refused or failed (or errors found), 2 usage,
 * 3 daemon unreachable.
 */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <stdbool.h>
#include <time.h>

#define EXIT_OK		0
#define EXIT_FAILED	1
#define EXIT_USAGE	2
#define EXIT_NODAEMON	3

struct cli_command {
	const char	*name;
	const char	*usage;
	const char	*summary;
	int		(*run)(int argc, char **argv);
};

const struct cli_command *cli_find(const char *name, const char **why);
void		 cli_usage(void *stream);

struct strbuf;

/* json.c */
void		 json_string(struct strbuf *, const char *, size_t);
void		 json_str(struct strbuf *, const char *);
void		 json_strings(struct strbuf *, char *const *, size_t);

/* show.c: messages and plans as text and JSON, for test and replay. */
struct message;
struct plan;
void		 show_message_json(struct strbuf *, const struct message *);
void		 show_plan_json(struct strbuf *, const struct plan *);
void		 show_plan_text(struct strbuf *, const struct plan *,
		    const char *indent);
void		 show_escaped(struct strbuf *, const char *, size_t);
void		 show_time(struct strbuf *, time_t);
int		 parse_time_arg(const char *, time_t *);
int		 parse_format_arg(const char *);

/* offline.c: what vigil test and vigil replay share. */
struct ruleset;
struct msgreader;
struct offline {
	const char		*cmd;		/* "vigil test", for messages */
	const char		*config;	/* -c */
	int			 format;	/* --format, -1: not given */
	const char		*source;	/* --source */
	const char		*user;		/* --user */
	const char		*system;	/* --system */
	time_t			 now;		/* --time, else now */
	struct ruleset		*rs;
	struct msgreader	*reader;
};
#define OFFLINE_OPTS	"c:f:s:u:y:t:"
#define OFFLINE_LONGOPTS \
	{ "config", required_argument, NULL, 'c' }, \
	{ "format", required_argument, NULL, 'f' }, \
	{ "source", required_argument, NULL, 's' }, \
	{ "user", required_argument, NULL, 'u' }, \
	{ "system", required_argument, NULL, 'y' }, \
	{ "time", required_argument, NULL, 't' }
void		 offline_init(struct offline *, const char *cmd);
int		 offline_option(struct offline *, int, const char *);
int		 offline_start(struct offline *);
void		 offline_finish(struct offline *);

/* timeline.c: schedules and idle monitors on a log's own clock. */
enum timeline_event { TL_EVENT_SCHEDULE, TL_EVENT_IDLE };
typedef void	(*timeline_cb)(enum timeline_event, const char *name,
		    const char *action, time_t when, size_t seen, void *);
struct timeline;
struct timeline	*timeline_create(const struct ruleset *, time_t start);
void		 timeline_advance(struct timeline *, time_t, timeline_cb,
		    void *);
void		 timeline_note(struct timeline *, int target, const char *,
		    time_t);
bool		 timeline_next(const struct timeline *, time_t *);
void		 timeline_free(struct timeline *);

/* cmd-test.c, cmd-replay.c */
struct matcher;
void		 test_explain(const struct ruleset *, struct matcher *,
		    const struct message *, bool json, struct strbuf *);
int		 cmd_test(int argc, char **argv);
int		 cmd_replay(int argc, char **argv);

/* cmd-check.c */
int		 cmd_check(int argc, char **argv);
int		 check_files(int nfiles, char **files, int dump, int quiet,
		    const char *prog);

/*
 * client.c: a command for vigild, sent over its control socket (NULL:
 * $VIGIL_SOCKET, else VIGILD_DEFAULT_SOCKET) as typed; returns the
 * daemon's status, or EXIT_NODAEMON when it cannot be reached.
 */
int		 client_run(const char *socket_path, int argc, char **argv);

#endif
