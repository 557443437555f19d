/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proto.c - the control protocol's lines (engine/control.h describes
 * them): a request is the client's argv, percent-encoded word by word; a
 * response is "|text", "!text" and a closing "=N".  It also escapes text
 * for a terminal.  It knows nothing of sockets, commands or permissions.
 *
 * Decisions:
 * - Decoding a request accepts only the canonical encoding, the one
 *   proto_request_encode() makes: hex digits upper case, no byte escaped
 *   that need not be, no raw control byte.  One argv has one line, so a
 *   request logged or audited means exactly what ran, and no two spellings
 *   of a word can slip past a check made on one of them.
 * - Words are separated by exactly one blank, so a word may be empty
 *   ("run A --parm ''" is "run A --parm " on the wire: an empty last word
 *   is a trailing blank); the command word may not.
 * - Bytes from 0x80 up are sent as they are, valid UTF-8 or not: an
 *   argument is bytes, and what they mean is the command's business.
 * - %00 is refused: a C string cannot hold NUL, and cutting a word at it
 *   silently would make two different requests look alike.
 * - Terminal escaping turns C0 and C1 controls, DEL and invalid UTF-8 into
 *   \xNN and leaves the backslash alone.  It is for safety, not for
 *   reversibility: a rule's regular expression shows as written, at the
 *   price that a literal "\x1b" looks like an escaped ESC.  Because the
 *   backslash is kept, escaping escaped text changes nothing, and the
 *   client can escape again whatever a daemon sends.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/proto.h"
#include "engine/control.h"
#include "util/util.h"

static const char	 hexdigits[] = "0123456789ABCDEF";

/* Whether a byte of a word travels as %XX. */
static bool
must_encode(unsigned char c)
{
	return c < 0x21 || c == 0x7f || c == '%';
}

char *
proto_request_encode(int argc, char *const *argv, size_t *len, char **cause)
{
	struct strbuf		 sb;
	const unsigned char	*w;
	int			 i;

	if (argc < 1 || argv[0] == NULL || argv[0][0] == '\0') {
		xasprintf(cause, "no command given");
		return NULL;
	}
	strbuf_init(&sb);
	for (i = 0; i < argc; i++) {
		if (i > 0)
			strbuf_addc(&sb, ' ');
		for (w = (const unsigned char *)argv[i]; *w != '\0'; w++) {
			if (!must_encode(*w)) {
				strbuf_addc(&sb, (char)*w);
				continue;
			}
			strbuf_addc(&sb, '%');
			strbuf_addc(&sb, hexdigits[*w >> 4]);
			strbuf_addc(&sb, hexdigits[*w & 0xf]);
		}
		/* Stop early: argv may be far larger than any request. */
		if (sb.len >= CTL_REQUEST_MAX)
			break;
	}
	strbuf_addc(&sb, '\n');
	if (sb.len > CTL_REQUEST_MAX) {
		xasprintf(cause, "the request is too long: at most %d bytes"
		    " once encoded (blanks, control characters and '%%' take"
		    " 3 bytes each)", CTL_REQUEST_MAX);
		strbuf_free(&sb);
		return NULL;
	}
	*len = sb.len;
	return strbuf_steal(&sb);
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
proto_argv_free(char **argv)
{
	char	**p;

	if (argv == NULL)
		return;
	for (p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}

bool
proto_request_decode(const char *line, size_t len, int *argcp,
    char ***argvp, char **cause)
{
	const unsigned char	*s = (const unsigned char *)line;
	struct strbuf		 word;
	char			**argv;
	size_t			 i, nwords = 1;
	int			 argc = 0, hi, lo;
	unsigned char		 c;

	*argcp = 0;
	*argvp = NULL;
	if (len >= CTL_REQUEST_MAX) {
		xasprintf(cause, "request longer than %d bytes",
		    CTL_REQUEST_MAX);
		return false;
	}
	if (len == 0) {
		xasprintf(cause, "empty request: no command");
		return false;
	}
	if (s[0] == ' ') {
		xasprintf(cause, "empty command word at offset 0");
		return false;
	}
	for (i = 0; i < len; i++)
		if (s[i] == ' ')
			nwords++;
	argv = xcalloc(nwords + 1, sizeof *argv);
	strbuf_init(&word);
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == ' ') {
			argv[argc++] = strbuf_steal(&word);
			continue;
		}
		c = s[i];
		if (c == '\0') {
			xasprintf(cause, "NUL byte at offset %zu", i);
			goto bad;
		}
		if (c < 0x21 || c == 0x7f) {
			xasprintf(cause, "control byte 0x%02x at offset %zu:"
			    " it must be sent as %%%02X", c, i, c);
			goto bad;
		}
		if (c != '%') {
			strbuf_addc(&word, (char)c);
			continue;
		}
		if (len - i < 3) {
			xasprintf(cause, "truncated escape at offset %zu: '%%'"
			    " must be followed by two hex digits", i);
			goto bad;
		}
		hi = hexval(s[i + 1]);
		lo = hexval(s[i + 2]);
		if (hi < 0 || lo < 0) {
			xasprintf(cause, "bad escape at offset %zu: '%%' must"
			    " be followed by two hex digits 0-9, A-F (upper"
			    " case)", i);
			goto bad;
		}
		c = (unsigned char)(hi << 4 | lo);
		if (c == '\0') {
			xasprintf(cause, "%%00 at offset %zu: an argument"
			    " cannot hold a NUL byte", i);
			goto bad;
		}
		if (!must_encode(c)) {
			xasprintf(cause, "%%%02X at offset %zu encodes '%c',"
			    " which must be sent as itself", c, i, c);
			goto bad;
		}
		strbuf_addc(&word, (char)c);
		i += 2;
	}
	*argcp = argc;
	*argvp = argv;
	return true;

bad:
	strbuf_free(&word);
	proto_argv_free(argv);
	return false;
}

void
proto_line(struct strbuf *sb, int tag, const char *text, size_t len)
{
	strbuf_addc(sb, (char)tag);
	proto_escape(sb, text, len);
	strbuf_addc(sb, '\n');
}

/* A status outside 0-255 is a bug of the command: it means failure. */
void
proto_end(struct strbuf *sb, int status)
{
	if (status < 0 || status > 255)
		status = 1;
	strbuf_addf(sb, "%c%d\n", PROTO_END, status);
}

bool
proto_response_decode(const char *line, size_t len, struct proto_resp *r,
    char **cause)
{
	size_t	 i;
	int	 n = 0;

	memset(r, 0, sizeof *r);
	if (len == 0) {
		xasprintf(cause, "empty response line");
		return false;
	}
	r->tag = (unsigned char)line[0];
	switch (r->tag) {
	case PROTO_OUT:
	case PROTO_ERR:
		r->text = line + 1;
		r->len = len - 1;
		return true;
	case PROTO_END:
		/* 1 to 3 digits, no leading zero, at most 255. */
		if (len < 2 || len > 4 || (line[1] == '0' && len > 2))
			break;
		for (i = 1; i < len; i++) {
			if (line[i] < '0' || line[i] > '9')
				break;
			n = n * 10 + (line[i] - '0');
		}
		if (i < len || n > 255)
			break;
		r->status = n;
		return true;
	default:
		xasprintf(cause, "response line with unknown tag 0x%02x",
		    (unsigned)r->tag);
		return false;
	}
	xasprintf(cause, "bad end line: expected '=' and a status from 0 to"
	    " 255");
	return false;
}

/* Length of the clean run at s: bytes proto_escape copies as they are. */
static size_t
clean_run(const unsigned char *s, size_t n)
{
	size_t	 i = 0, k;

	while (i < n) {
		if (s[i] < 0x80) {
			if (s[i] < 0x20 || s[i] == 0x7f)
				break;
			i++;
			continue;
		}
		/* C1 controls (U+0080-U+009F) drive some terminals too. */
		if ((k = utf8_seq(s + i, n - i)) == 0 ||
		    (s[i] == 0xc2 && s[i + 1] < 0xa0))
			break;
		i += k;
	}
	return i;
}

void
proto_escape(struct strbuf *sb, const char *text, size_t len)
{
	const unsigned char	*s = (const unsigned char *)text;
	size_t			 i = 0, k;
	char			 esc[5] = { '\\', 'x', 0, 0, 0 };

	while (i < len) {
		k = clean_run(s + i, len - i);
		strbuf_addn(sb, text + i, k);
		i += k;
		if (i == len)
			break;
		/* A C1 control is two bytes; both are shown. */
		k = s[i] == 0xc2 && utf8_seq(s + i, len - i) == 2 ? 2 : 1;
		while (k-- > 0) {
			esc[2] = "0123456789abcdef"[s[i] >> 4];
			esc[3] = "0123456789abcdef"[s[i] & 0xf];
			strbuf_addn(sb, esc, 4);
			i++;
		}
	}
}

bool
proto_clean(const char *text, size_t len)
{
	return clean_run((const unsigned char *)text, len) == len;
}
