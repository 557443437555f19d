/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vigild.c - the daemon's entry point: options, then the rules.  "-n"
 * checks the rule files exactly as "vigil check" does and exits 0 or 1.
 * The runtime itself (sources, dispatcher, actions) is not part of this
 * version: vigild says so and exits instead of pretending to run.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "util/util.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: vigild [-n] [-c FILE] [-S SOCKET] [-D STATEDIR]"
	    " [--once]\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, 'S' },
		{ "state-dir", required_argument, NULL, 'D' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char	*config = VIGILD_DEFAULT_CONFIG;
	int	 ch, check = 0;

	log_init("vigild", 0);
	while ((ch = getopt_long(argc, argv, "c:nS:D:hV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'S':
		case 'D':
		case 'o':
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("vigild %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (check)
		return check_files(1, &config, 0, 0, "vigild");
	if (check_files(1, &config, 0, 1, "vigild") != EXIT_OK)
		return EXIT_FAILED;
	log_warnx("the runtime (sources, actions, control socket) is not in"
	    " this version; only -n (check the rules) is available");
	return EXIT_FAILED;
}
