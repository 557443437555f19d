/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h - the commands of the vigil client.  Each command is an entry of
 * one table (name, usage, summary, handler); handlers return the exit
 * status: 0 success, 1 refused or failed (or errors found), 2 usage,
 * 3 daemon unreachable.
 */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

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

/* cmd-check.c */
int		 cmd_check(int argc, char **argv);
int		 check_files(int nfiles, char **files, int dump, int quiet,
		    const char *prog);

#endif
