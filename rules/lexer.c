/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lexer.c - turns the bytes of a rule file into logical statements: drops
 * comment and blank lines, joins continuation lines (a trailing '+'), and
 * rejects what cannot be text (NUL bytes, control characters, invalid UTF-8,
 * EBCDIC, over-long lines) with a located error.  It keeps, for every byte
 * of a statement, the line and column it came from, so the parser can point
 * at any character.  It knows nothing of verbs or operands.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

struct lexer {
	const char	*file;
	const char	*buf;
	size_t		 len;
	size_t		 off;		/* start of the next physical line */
	unsigned	 line;		/* number of the last line read */
	struct diag	*diag;
	bool		 gave_up;
};

void
stmt_init(struct stmt *st)
{
	strbuf_init(&st->text);
	st->pos = NULL;
	st->poscap = 0;
	memset(&st->end, 0, sizeof st->end);
}

void
stmt_free(struct stmt *st)
{
	strbuf_free(&st->text);
	free(st->pos);
	stmt_init(st);
}

struct loc
stmt_loc(const struct stmt *st, size_t i)
{
	if (i < st->text.len)
		return st->pos[i];
	return st->end;
}

static void
stmt_add(struct stmt *st, const char *s, size_t n, const struct loc *first)
{
	size_t	 i;

	if (st->text.len + n > st->poscap) {
		st->poscap = (st->text.len + n) * 2 + 64;
		st->pos = xreallocarray(st->pos, st->poscap, sizeof *st->pos);
	}
	for (i = 0; i < n; i++) {
		st->pos[st->text.len + i] = *first;
		st->pos[st->text.len + i].col = first->col + (unsigned)i;
	}
	strbuf_addn(&st->text, s, n);
}

/*
 * EBCDIC text is mostly bytes above 0x80 with 0x40 as its blank; ASCII and
 * UTF-8 text has far more 0x20 than 0x40.  Checked once, on the first 4 KiB,
 * so that a transferred CMS file gets one useful error instead of hundreds.
 */
static bool
looks_ebcdic(const char *buf, size_t len)
{
	size_t	 i, high = 0, at = 0, blank = 0;

	if (len > 4096)
		len = 4096;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c >= 0x80)
			high++;
		else if (c == 0x40)
			at++;
		else if (c == 0x20)
			blank++;
	}
	return len >= 8 && high * 4 >= len && at > blank;
}

struct lexer *
lexer_create(const char *file, const char *buf, size_t len, struct diag *diag)
{
	struct lexer	*lx;
	const char	*nul;
	struct loc	 loc = { file, 1, 1 };
	size_t		 i;

	/* A UTF-8 byte-order mark says nothing a rule file needs. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	lx = xcalloc(1, sizeof *lx);
	lx->file = file;
	lx->buf = buf;
	lx->len = len;
	lx->diag = diag;

	if (looks_ebcdic(buf, len)) {
		diag_add(diag, DIAG_ERROR, &loc, "this file looks EBCDIC-encoded,"
		    " not UTF-8; convert it first, for example with"
		    " 'iconv -f IBM-1047 -t UTF-8'");
		lx->gave_up = true;
		return lx;
	}
	if ((nul = memchr(buf, '\0', len)) != NULL) {
		for (i = 0; buf + i < nul; i++) {
			if (buf[i] == '\n') {
				loc.line++;
				loc.col = 1;
			} else
				loc.col++;
		}
		diag_add(diag, DIAG_ERROR, &loc, "NUL byte: this is binary data,"
		    " not a rule file");
		lx->gave_up = true;
	}
	return lx;
}

void
lexer_free(struct lexer *lx)
{
	free(lx);
}

bool
lexer_gave_up(const struct lexer *lx)
{
	return lx->gave_up;
}

/* Length of the UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t		 len, i;
	unsigned long	 cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* Report the first byte of a line that cannot be rule text; -1 if any. */
static int
check_line(struct lexer *lx, const char *s, size_t n)
{
	struct loc	 loc = { lx->file, lx->line, 1 };
	size_t		 i, l;
	unsigned char	 c;

	if (n > STMT_MAX_LEN) {
		loc.col = STMT_MAX_LEN + 1;
		diag_add(lx->diag, DIAG_ERROR, &loc, "line is %zu bytes long;"
		    " a line may have at most %u", n, STMT_MAX_LEN);
		return -1;
	}
	for (i = 0; i < n; i += l) {
		c = (unsigned char)s[i];
		loc.col = (unsigned)i + 1;
		l = 1;
		if (c == '\t')
			continue;
		if (c < 0x20 || c == 0x7f) {
			diag_add(lx->diag, DIAG_ERROR, &loc, "control character"
			    " 0x%02x is not allowed in a rule file", c);
			return -1;
		}
		if (c >= 0x80 && (l = utf8_len((const unsigned char *)s + i,
		    n - i)) == 0) {
			diag_add(lx->diag, DIAG_ERROR, &loc, "invalid UTF-8"
			    " (byte 0x%02x); rule files must be UTF-8 text", c);
			return -1;
		}
	}
	return 0;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Read the next statement into st.  Returns 1 with a statement, 0 at the
 * end of the file.  Statements with a bad line are reported and skipped
 * whole: the parser never sees half a statement.
 */
int
lexer_next(struct lexer *lx, struct stmt *st)
{
	const char	*line, *nl;
	size_t		 n, b, e;
	bool		 in_stmt = false, bad = false, cont;
	struct loc	 plus = { NULL, 0, 0 }, this_plus, first;

	strbuf_reset(&st->text);
	while (!lx->gave_up && lx->off < lx->len) {
		line = lx->buf + lx->off;
		nl = memchr(line, '\n', lx->len - lx->off);
		n = nl != NULL ? (size_t)(nl - line) : lx->len - lx->off;
		lx->off += n + (nl != NULL);
		lx->line++;
		if (n > 0 && line[n - 1] == '\r')
			n--;	/* CRLF line ends are accepted */

		if (diag_errors_in(lx->diag, lx->file) >= DIAG_MAX_PER_FILE) {
			struct loc loc = { lx->file, lx->line, 1 };
			diag_add(lx->diag, DIAG_ERROR, &loc, "too many errors;"
			    " giving up on this file");
			lx->gave_up = true;
			break;
		}

		/* A '*' in column 1 is a comment, even inside a statement. */
		if (n > 0 && line[0] == '*')
			continue;
		for (b = 0; b < n && is_blank(line[b]); b++)
			;
		/* Blank lines never end a continued statement. */
		if (b == n || (!in_stmt && line[b] == '*'))
			continue;
		if (check_line(lx, line, n) != 0)
			bad = true;

		for (e = n; e > b && is_blank(line[e - 1]); e--)
			;
		/*
		 * A '+' ends the line as a continuation when it stands alone
		 * or follows a blank, ',' or ')': "NOW+" is a value.
		 */
		cont = e > b && line[e - 1] == '+' && (e - 1 == b ||
		    is_blank(line[e - 2]) || line[e - 2] == ',' ||
		    line[e - 2] == ')');
		if (cont) {
			this_plus.file = lx->file;
			this_plus.line = lx->line;
			this_plus.col = (unsigned)e;
			for (e--; e > b && is_blank(line[e - 1]); e--)
				;
		}
		if (!bad && e > b) {
			first.file = lx->file;
			first.line = lx->line;
			first.col = (unsigned)b + 1;
			if (st->text.len > 0) {
				if (st->text.len + 1 + (e - b) > STMT_MAX_LEN) {
					diag_add(lx->diag, DIAG_ERROR, &first,
					    "statement is longer than %u bytes",
					    STMT_MAX_LEN);
					bad = true;
				} else
					stmt_add(st, " ", 1, &plus);
			}
			if (!bad)
				stmt_add(st, line + b, e - b, &first);
		}
		if (cont) {
			/* The blank joining the next line stands for this '+'. */
			plus = this_plus;
			in_stmt = true;
			continue;
		}
		if (bad || st->text.len == 0) {
			in_stmt = bad = false;
			strbuf_reset(&st->text);
			continue;
		}
		st->end.file = lx->file;
		st->end.line = lx->line;
		st->end.col = (unsigned)e + 1;
		return 1;
	}
	if (in_stmt && !lx->gave_up)
		diag_add(lx->diag, DIAG_ERROR, &plus, "continuation '+' on the"
		    " last line: the statement is cut off by the end of the"
		    " file");
	return 0;
}
