/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd-check.c - "vigil check [--dump] [--quiet] FILE...": loads each file
 * (with its INCLUDEs) as a complete ruleset, reports every error and
 * warning with its place, and prints what the file defines or, with
 * --dump, the compiled definitions.  Shared with "vigild -n".
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rules/rules.h"

/* Check each file on its own; 0 when all are valid, 1 otherwise. */
int
check_files(int nfiles, char **files, int dump, int quiet, const char *prog)
{
	struct ruleset	*rs;
	struct diag	 diag;
	struct strbuf	 out;
	int		 i, status = EXIT_OK;

	for (i = 0; i < nfiles; i++) {
		diag_init(&diag);
		rs = ruleset_load(files[i], &diag);
		diag_print(&diag, stderr);
		strbuf_init(&out);
		if (rs == NULL) {
			fprintf(stderr, "%s: %s: %zu error%s; nothing was"
			    " loaded\n", prog, files[i], diag.errors,
			    diag.errors == 1 ? "" : "s");
			status = EXIT_FAILED;
		} else if (dump) {
			ruleset_dump(rs, &out);
			fputs(out.data != NULL ? out.data : "", stdout);
		} else if (!quiet) {
			ruleset_summary(rs, &out);
			printf("%s: OK: %s\n", files[i], out.data);
		}
		strbuf_free(&out);
		ruleset_free(rs);
		diag_free(&diag);
	}
	if (fflush(stdout) != 0) {
		perror(prog);
		return EXIT_FAILED;
	}
	return status;
}

int
cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dump", no_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch, dump = 0, quiet = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "dqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			dump = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			printf("usage: vigil check [--dump] [--quiet] FILE...\n");
			return EXIT_OK;
		default:
			fprintf(stderr, "usage: vigil check [--dump] [--quiet]"
			    " FILE...\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "vigil check: no rule file given\n"
		    "usage: vigil check [--dump] [--quiet] FILE...\n");
		return EXIT_USAGE;
	}
	return check_files(argc - optind, argv + optind, dump, quiet,
	    "vigil check");
}
