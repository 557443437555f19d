/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vigil.c - the vigil client: "vigil [-S SOCKET] COMMAND [ARGS...]".
 * The offline commands of the table below work on rule files; every other
 * command word goes to vigild over its control socket (client.c), as
 * typed: the daemon knows its commands, expands their unique prefixes and
 * parses their options.
 *
 * A command word may be a unique prefix of a command, offline or the
 * daemon's (the client knows their names): one that names an offline
 * command runs it here, any other word goes to the daemon as typed (it
 * expands prefixes and says when one is ambiguous).  "check" is both:
 * with FILE arguments it checks those files here; alone, it asks the
 * daemon to check the files of its rules in force.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "util/util.h"

static const struct cli_command commands[] = {
	{ "check", "check [--dump] [--quiet] FILE...",
	  "check rule files and show what they define", cmd_check },
	{ "test", "test -c RULES [--json] [MESSAGE...]",
	  "show what messages would fire, and why not", cmd_test },
	{ "replay", "replay -c RULES [--json] LOG...",
	  "run recorded logs through the rules, run nothing", cmd_replay },
};

void
cli_usage(void *stream)
{
	size_t	 i;

	fprintf(stream, "usage: vigil [-S SOCKET] COMMAND [ARGS]\n\n"
	    "offline commands:\n");
	for (i = 0; i < nitems(commands); i++)
		fprintf(stream, "  %-40s %s\n", commands[i].usage,
		    commands[i].summary);
	fprintf(stream, "\ncommands of the daemon vigild (over its control"
	    " socket: -S SOCKET,\nelse $VIGIL_SOCKET, else %s;"
	    " each takes --json):\n"
	    "  status                                   what runs, sources,"
	    " last errors\n"
	    "  query rules|actions|schedules|monitors|sources|groups|dates\n"
	    "  show rule NAME                           a rule and its recent"
	    " firings\n"
	    "  history [--rule R] [--action A] [--since T] [--audit]\n"
	    "                                           what fired, from"
	    " which message; who did what\n"
	    "  why 'message text'                       what the live rules"
	    " would do with it\n"
	    "  view SOURCE|USER [--follow] [--since T] [--grep TEXT]\n"
	    "  log [--follow]                           the daemon's own"
	    " log\n"
	    "  jobs, cancel JOB                         running actions\n"
	    "  run ACTION [--parm TEXT] [--var K=V] [--detach]\n"
	    "  suspend|resume rule|action|source|schedule|monitor NAME"
	    " [--for 2h] [--reason TEXT]\n"
	    "  inject [--source S] 'message text'       feed a message as if"
	    " it came\n"
	    "  workflows [--all], workflow show|cancel|pause|resume ID\n"
	    "  confirm ID yes|no                        answer a workflow's"
	    " question\n"
	    "  reload, check, shutdown\n"
	    "\ncommands may be abbreviated to a unique prefix; see vigil(1)."
	    "\nexit: 0 done, 1 refused or failed, 2 usage, 3 vigild not"
	    " reachable\n", VIGILD_DEFAULT_SOCKET);
}

/* The daemon's commands, for prefixes (engine/ctl-cmds.c has the table). */
static const char *const daemon_commands[] = {
	"status", "query", "show", "history", "why", "view", "log", "jobs",
	"run", "cancel", "suspend", "resume", "inject", "reload", "check",
	"shutdown", "workflows", "workflow", "confirm"
};

/*
 * The offline command that name (or a unique prefix of one among all
 * commands) selects, or NULL for the daemon.
 */
const struct cli_command *
cli_find(const char *name, const char **why)
{
	const struct cli_command *found = NULL;
	size_t			  i, len = strlen(name), n = 0;

	*why = "not an offline command";
	for (i = 0; i < nitems(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	if (len == 0)
		return NULL;
	for (i = 0; i < nitems(commands); i++)
		if (strncmp(commands[i].name, name, len) == 0) {
			found = &commands[i];
			n++;
		}
	for (i = 0; i < nitems(daemon_commands); i++)
		if (strncmp(daemon_commands[i], name, len) == 0 &&
		    (found == NULL || strcmp(found->name,
		    daemon_commands[i]) != 0))
			n++;
	return n == 1 ? found : NULL;
}

int
main(int argc, char **argv)
{
	const struct cli_command	*cmd;
	const char			*why, *sock = NULL;
	char				*name;
	int				 i, status;

	log_init("vigil", 0);
	/* The client's own options, before the command word. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			cli_usage(stdout);
			return EXIT_OK;
		}
		if (strcmp(argv[i], "-V") == 0 ||
		    strcmp(argv[i], "--version") == 0) {
			printf("vigil %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		}
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-S") == 0 ||
		    strcmp(argv[i], "--socket") == 0) {
			if (++i == argc) {
				fprintf(stderr, "vigil: %s needs a socket"
				    " path\n", argv[i - 1]);
				return EXIT_USAGE;
			}
			sock = argv[i];
		} else if (strncmp(argv[i], "-S", 2) == 0)
			sock = argv[i] + 2;
		else if (strncmp(argv[i], "--socket=", 9) == 0)
			sock = argv[i] + 9;
		else {
			fprintf(stderr, "vigil: unknown option %s\n", argv[i]);
			cli_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		cli_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		cli_usage(stdout);
		return EXIT_OK;
	}
	if ((cmd = cli_find(argv[i], &why)) == NULL ||
	    (strcmp(cmd->name, "check") == 0 && i + 1 == argc))
		return client_run(sock, argc - i, argv + i);
	/* getopt's messages then say "vigil test: ...". */
	xasprintf(&name, "vigil %s", cmd->name);
	argv[i] = name;
	status = cmd->run(argc - i, argv + i);
	free(name);
	return status;
}
