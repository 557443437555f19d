/* SPDX-License-Identifier: Apache-2.0 */
/*
 * framer.h - cutting a byte stream into records.  FRAME_LINES: records end
 * at '\n' (a '\r' before it is removed).  FRAME_SYSLOG: RFC 6587 on one
 * TCP connection: a record that starts with a digit is octet-counted
 * ("LEN SP MSG"), otherwise it ends at '\n' (non-transparent framing); the
 * choice is made per record, as rsyslog does.  A record longer than the
 * framer's limit is cut: its first MAX bytes are given with cut=true and
 * the rest is skipped, so memory stays bounded whatever the peer sends.
 * A bad octet count (not digits, or absurd) is reported and the framer
 * resynchronises at the next '\n'.
 */
#ifndef VIGIL_FRAMER_H
#define VIGIL_FRAMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum frame_mode { FRAME_LINES, FRAME_SYSLOG };

typedef void	(*frame_cb)(const char *rec, size_t len, bool cut, void *);

struct framer {
	enum frame_mode	 mode;
	size_t		 max;		/* longest record kept */
	char		*buf;		/* the unfinished record */
	size_t		 len;
	size_t		 want;		/* octet counting: bytes still due */
	int		 phase;		/* internal */
	bool		 skipping;	/* rest of a cut record */
	uint64_t	 cut;		/* records cut */
	uint64_t	 bad;		/* bad octet counts */
};

void	framer_init(struct framer *, enum frame_mode, size_t max);
void	framer_push(struct framer *, const char *, size_t, frame_cb, void *);
/* End of stream: an unfinished record is given as it is. */
void	framer_finish(struct framer *, frame_cb, void *);
/* Bytes held in an unfinished record (not yet given). */
size_t	framer_pending(const struct framer *);
void	framer_free(struct framer *);

#endif
