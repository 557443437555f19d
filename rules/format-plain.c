/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format-plain.c - FORMAT(PLAIN): the line is the message.  Its text is
 * the whole line (leading blanks kept, so MCOL counts from the line's
 * first byte), its user and system are the source's USER and SYSTEM, its
 * time the arrival time and its class 0 (unknown).  The other readers use
 * it for lines that are not in their format (counted as malformed by
 * them, not here).
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "rules/rules.h"

void
format_plain_line(struct msgreader *r, const char *s, size_t len,
    time_t now, message_cb cb, void *arg)
{
	struct message	*m;

	m = msgreader_begin(r, FMT_PLAIN, s, len, now, false,
	    msgreader_line_flags(r));
	msgreader_emit(r, m, cb, arg);
}
