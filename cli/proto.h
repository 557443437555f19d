/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proto.h - the codec of the control protocol (engine/control.h says what
 * goes on the wire), shared by the client vigil and the daemon vigild,
 * and the escaping of text for a terminal.  Everything these functions
 * return or set (lines, argv, causes) is owned by the caller.
 */
#ifndef VIGIL_PROTO_H
#define VIGIL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf;

/* The tags of response lines. */
#define PROTO_OUT	'|'		/* a line of standard output */
#define PROTO_ERR	'!'		/* a line of standard error */
#define PROTO_END	'='		/* "=N": the end, N the exit status */

/*
 * A request: argv (argc words, argv[0] the command, never empty) as one
 * line ended by '\n', *len its length; NULL with *cause if it cannot be
 * sent (no command, or longer than CTL_REQUEST_MAX).
 */
char	*proto_request_encode(int argc, char *const *argv, size_t *len,
	    char **cause);
/*
 * A request line (len bytes, without its '\n') back to words: *argv is
 * NULL-terminated, free it with proto_argv_free.  Only the canonical
 * encoding is accepted; false with *cause saying what is wrong.
 */
bool	 proto_request_decode(const char *line, size_t len, int *argc,
	    char ***argv, char **cause);
void	 proto_argv_free(char **argv);

/* A response line: tag, text escaped for the terminal, '\n'; or "=N\n". */
void	 proto_line(struct strbuf *, int tag, const char *text, size_t len);
void	 proto_end(struct strbuf *, int status);

/* One response line (len bytes, without its '\n'), decoded. */
struct proto_resp {
	int		 tag;		/* PROTO_OUT, PROTO_ERR or PROTO_END */
	const char	*text;		/* OUT, ERR: in the line given */
	size_t		 len;
	int		 status;	/* END: 0 to 255 */
};
bool	 proto_response_decode(const char *line, size_t len,
	    struct proto_resp *, char **cause);

/*
 * Text for a terminal: C0 and C1 control characters, DEL and bytes that
 * are not valid UTF-8 become \xNN; the rest is copied.  Escaping is
 * idempotent (escaped text is clean), so the client may escape again
 * what the daemon escaped.
 */
void	 proto_escape(struct strbuf *, const char *, size_t);
/* Whether proto_escape would copy the text unchanged. */
bool	 proto_clean(const char *, size_t);

#endif
