/* SPDX-License-Identifier: Apache-2.0 */
/*
 * offline.c - what vigil test and vigil replay share: the options that say
 * which rules and how to read messages (-c, --format, --source, --user,
 * --system, --time), loading the rules, and making the message reader.  A
 * --source that names a DEFSRC lends its FORMAT, USER and SYSTEM.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rules/rules.h"

void
offline_init(struct offline *o, const char *cmd)
{
	memset(o, 0, sizeof *o);
	o->cmd = cmd;
	o->format = -1;
	o->now = time(NULL);
}

/* One of the shared options; 0 if taken, 1 if not ours, -1 usage error. */
int
offline_option(struct offline *o, int ch, const char *arg)
{
	switch (ch) {
	case 'c':
		o->config = arg;
		return 0;
	case 'f':
		if ((o->format = parse_format_arg(arg)) < 0) {
			fprintf(stderr, "%s: unknown format %s (AUTO, PLAIN, ZVM,"
			    " ZOSLOG, SYSLOG or HERCULES)\n", o->cmd, arg);
			return -1;
		}
		return 0;
	case 's':
		o->source = arg;
		return 0;
	case 'u':
		o->user = arg;
		return 0;
	case 'y':
		o->system = arg;
		return 0;
	case 't':
		if (parse_time_arg(arg, &o->now) != 0) {
			fprintf(stderr, "%s: --time expects 'YYYY-MM-DD', 'YYYY-MM-DD"
			    " HH:MM[:SS]' or 'YYYY-MM-DDTHH:MM[:SS]', got '%s'\n",
			    o->cmd, arg);
			return -1;
		}
		return 0;
	}
	return 1;
}

/* Load the rules and make the reader; -1 after reporting why. */
int
offline_start(struct offline *o)
{
	const struct source	*src;
	struct diag		 diag;

	if (o->config == NULL) {
		fprintf(stderr, "%s: -c RULES is required\n", o->cmd);
		return -1;
	}
	diag_init(&diag);
	o->rs = ruleset_load(o->config, &diag);
	diag_print(&diag, stderr);
	diag_free(&diag);
	if (o->rs == NULL)
		return -1;
	if (o->source != NULL && (src = (const struct source *)ruleset_find(
	    o->rs, DEF_SOURCE, o->source)) != NULL) {
		if (o->format < 0)
			o->format = src->format;
		if (o->user == NULL)
			o->user = src->user;
		if (o->system == NULL)
			o->system = src->system;
	}
	o->reader = msgreader_create(o->format < 0 ? FMT_AUTO : o->format,
	    o->source, o->system, o->user);
	return 0;
}

void
offline_finish(struct offline *o)
{
	msgreader_free(o->reader);
	ruleset_free(o->rs);
	o->reader = NULL;
	o->rs = NULL;
}
