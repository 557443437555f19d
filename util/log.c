/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c - the fixed logging vocabulary: log_debug, log_info, log_warn (adds
 * errno), log_warnx, fatal (adds errno) and fatalx.  Everything goes to
 * stderr, one line per event; the daemon's syslog/JSON sinks come later.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static const char	*log_progname = "vigil";
static int		 log_debug_enabled;

void
log_init(const char *progname, int debug)
{
	log_progname = progname;
	log_debug_enabled = debug;
}

static void
log_vwrite(const char *level, const char *fmt, va_list ap, int with_errno)
{
	int	 saved = errno;

	fprintf(stderr, "%s: ", log_progname);
	if (level != NULL)
		fprintf(stderr, "%s: ", level);
	vfprintf(stderr, fmt, ap);
	if (with_errno)
		fprintf(stderr, ": %s", strerror(saved));
	fputc('\n', stderr);
	errno = saved;
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_debug_enabled)
		return;
	va_start(ap, fmt);
	log_vwrite("debug", fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(NULL, fmt, ap, 0);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("warning", fmt, ap, 1);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("warning", fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("fatal", fmt, ap, 1);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("fatal", fmt, ap, 0);
	va_end(ap);
	exit(1);
}
