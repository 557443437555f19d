/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vigil.c - the vigil client: finds the command in the command table
 * (a unique prefix is enough) and runs it.  Offline commands work on rule
 * files; the others (later) talk to vigild over its control socket.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
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

	fprintf(stream, "usage: vigil COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < nitems(commands); i++)
		fprintf(stream, "  %-40s %s\n", commands[i].usage,
		    commands[i].summary);
}

/* Exact name, or the one command the name is a prefix of. */
const struct cli_command *
cli_find(const char *name, const char **why)
{
	const struct cli_command	*found = NULL;
	size_t				 i, len = strlen(name);

	*why = "unknown command";
	for (i = 0; i < nitems(commands); i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
		if (len > 0 && strncmp(commands[i].name, name, len) == 0) {
			if (found != NULL) {
				*why = "ambiguous command";
				return NULL;
			}
			found = &commands[i];
		}
	}
	return found;
}

int
main(int argc, char **argv)
{
	const struct cli_command	*cmd;
	const char			*why;
	char				*name;
	int				 status;

	log_init("vigil", 0);
	if (argc < 2) {
		cli_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		cli_usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("vigil %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	if ((cmd = cli_find(argv[1], &why)) == NULL) {
		fprintf(stderr, "vigil: %s: %s\n", why, argv[1]);
		cli_usage(stderr);
		return EXIT_USAGE;
	}
	/* getopt's messages then say "vigil test: ...". */
	xasprintf(&name, "vigil %s", cmd->name);
	argv[1] = name;
	status = cmd->run(argc - 1, argv + 1);
	free(name);
	return status;
}
