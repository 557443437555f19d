/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conslog.h - the console log: every message received, one text file per
 * source (DIR/NAME.log), one line per message:
 *
 *	2026-11-22T01:24:01.123Z USER text
 *
 * (UTC time of arrival, the message's user or "-", the text with control
 * characters and backslashes escaped as \xNN / \\, so one message is one
 * line whatever it holds).  A file that reaches its size limit is rotated
 * to NAME.log.1 (NAME.log.1 to .2, ... the oldest beyond KEEP removed).
 * Writes are buffered and flushed by conslog_flush() (the daemon calls it
 * once per loop iteration and at exit).  A write that fails (full disk,
 * I/O error) makes the log degraded: lines are counted as lost, not
 * retried, and every conslog_flush() at least one second later tries
 * again; transitions are reported through the health callback.
 */
#ifndef VIGIL_CONSLOG_H
#define VIGIL_CONSLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conslog;

#define CONSLOG_MAX_BYTES	(64u * 1024 * 1024)	/* per file */
#define CONSLOG_KEEP		8			/* rotated files kept */

typedef void	(*conslog_health_cb)(bool degraded, const char *why, void *);

/* Create DIR (mode 0750) if needed; NULL with *err when it cannot. */
struct conslog	*conslog_open(const char *dir, uint64_t max_bytes,
		    unsigned keep, conslog_health_cb, void *arg, char **err);
void		 conslog_write(struct conslog *, const char *source,
		    double when, const char *user, const char *text,
		    size_t len);
void		 conslog_flush(struct conslog *);
bool		 conslog_degraded(const struct conslog *);
uint64_t	 conslog_lost(const struct conslog *);	/* lines not written */
char		*conslog_path(const struct conslog *, const char *source);
void		 conslog_close(struct conslog *);

#endif
