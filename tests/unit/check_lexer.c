/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_lexer.c - unit tests for rules/lexer.c, driven directly through
 * lexer_create/lexer_next/stmt_loc: comment and blank lines, continuation
 * joining and the position of every byte, and the rejection of what is not
 * rule text (control characters, invalid UTF-8, NUL bytes, EBCDIC, lines
 * that are too long, a continuation cut off by the end of the file) with
 * located errors and a per-file error cap.  Statement syntax is the
 * parser's and is tested in check_parser.c.
 */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "tests/unit/testutil.h"

#define MAXSTMT	 16

/* Everything one lexer run gives. */
struct lexed {
	struct diag	 diag;
	char		*text[MAXSTMT];
	struct loc	 first[MAXSTMT];	/* a statement's first byte */
	struct loc	 end[MAXSTMT];
	size_t		 n;
	bool		 gave_up;
};

/* Lex a buffer to its end, keeping up to MAXSTMT statements. */
static void
lex_all(const char *buf, size_t len, struct lexed *out)
{
	struct lexer	*lx;
	struct stmt	 st;

	memset(out, 0, sizeof *out);
	diag_init(&out->diag);
	lx = lexer_create(TU_FILE, buf, len, &out->diag);
	stmt_init(&st);
	while (lexer_next(lx, &st) == 1) {
		ck_assert_uint_lt(out->n, MAXSTMT);
		ck_assert_uint_gt(st.text.len, 0);
		ck_assert_uint_eq(strlen(st.text.data), st.text.len);
		out->text[out->n] = xstrdup(st.text.data);
		out->first[out->n] = stmt_loc(&st, 0);
		out->end[out->n] = st.end;
		out->n++;
	}
	/* Once at the end, it stays there. */
	ck_assert_int_eq(lexer_next(lx, &st), 0);
	out->gave_up = lexer_gave_up(lx);
	stmt_free(&st);
	lexer_free(lx);
}

static void
lexed_free(struct lexed *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->text[i]);
	diag_free(&l->diag);
}

static void
lex_str(const char *s, struct lexed *out)
{
	lex_all(s, strlen(s), out);
}

static void
check_loc(struct loc got, unsigned line, unsigned col)
{
	ck_assert_ptr_nonnull(got.file);
	ck_assert_str_eq(got.file, TU_FILE);
	ck_assert_uint_eq(got.line, line);
	ck_assert_uint_eq(got.col, col);
}

/* The diagnostics of a run must be exactly this text. */
static void
check_diag(const struct lexed *l, const char *want)
{
	char	*got = tu_diag_string(&l->diag);

	ck_assert_str_eq(got, want);
	free(got);
}

/* --- comments and blank lines ------------------------------------------ */

START_TEST(test_empty_input)
{
	struct lexed	 l;

	lex_all("", 0, &l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_uint_eq(l.diag.n, 0);
	ck_assert(!l.gave_up);
	lexed_free(&l);

	lex_str("\n\n\n", &l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_uint_eq(l.diag.n, 0);
	lexed_free(&l);
}
END_TEST

START_TEST(test_comment_column1)
{
	struct lexed	 l;

	lex_str("* a comment\n*\n*DEFRULE NAME X\nDEFACTN NAME A\n* end\n",
	    &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.text[0], "DEFACTN NAME A");
	check_loc(l.first[0], 4, 1);
	check_loc(l.end[0], 4, 15);
	ck_assert_uint_eq(l.diag.n, 0);
	lexed_free(&l);
}
END_TEST

START_TEST(test_comment_indented_outside)
{
	struct lexed	 l;

	lex_str("   * indented\n\t* after a tab\n  X Y\n \t*\n", &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.text[0], "X Y");
	check_loc(l.first[0], 3, 3);
	ck_assert_uint_eq(l.diag.n, 0);
	lexed_free(&l);
}
END_TEST

START_TEST(test_comment_inside_continuation)
{
	struct lexed	 l;

	/* Column 1 '*' is a comment even between continuation lines. */
	lex_str("A B +\n* note\n*\n  C D\n", &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.text[0], "A B C D");
	check_loc(l.end[0], 4, 6);
	lexed_free(&l);

	/* An indented '*' inside a statement is text, not a comment. */
	lex_str("DEFRULE NAME R1 +\n  *ERR* +\n  X\n", &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.text[0], "DEFRULE NAME R1 *ERR* X");
	lexed_free(&l);
}
END_TEST

START_TEST(test_blank_lines)
{
	struct lexed	 l;

	lex_str("\n   \n\t\n \t \nA\n\n\nB C\n\n", &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.text[0], "A");
	ck_assert_str_eq(l.text[1], "B C");
	check_loc(l.first[0], 5, 1);
	check_loc(l.first[1], 8, 1);
	ck_assert_uint_eq(l.diag.n, 0);
	lexed_free(&l);

	/* Blank lines never end a continued statement. */
	lex_str("A +\n\n   \n  B +\n\t\nC\nD\n", &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.text[0], "A B C");
	check_loc(l.end[0], 6, 2);
	ck_assert_str_eq(l.text[1], "D");
	ck_assert_uint_eq(l.diag.n, 0);
	lexed_free(&l);

	/* ... so a '+' followed only by blank lines is cut off. */
	lex_str("A +\n\n  \n", &l);
	ck_assert_uint_eq(l.n, 0);
	check_diag(&l, "t.rules:1:3: error: continuation '+' on the last line:"
	    " the statement is cut off by the end of the file");
	lexed_free(&l);
}
END_TEST

START_TEST(test_utf8_bom)
{
	struct lexed	 l;

	/* A byte-order mark is skipped; columns count from after it. */
	lex_str("\xef\xbb\xbf  A B\n", &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.text[0], "A B");
	check_loc(l.first[0], 1, 3);
	ck_assert_uint_eq(l.diag.n, 0);
	lexed_free(&l);

	/* Only at the start of the file. */
	lex_str("A\n\xef\xbb\xbf" "B\n", &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.text[1], "\xef\xbb\xbf" "B");
	lexed_free(&l);
}
END_TEST

START_TEST(test_trailing_blanks_and_no_newline)
{
	struct lexed	 l;

	lex_str("  A B  \t\nC", &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.text[0], "A B");
	check_loc(l.first[0], 1, 3);
	check_loc(l.end[0], 1, 6);
	ck_assert_str_eq(l.text[1], "C");
	check_loc(l.first[1], 2, 1);
	check_loc(l.end[1], 2, 2);
	lexed_free(&l);
}
END_TEST

/* --- continuation -------------------------------------------------------- */

START_TEST(test_continuation_join)
{
	struct lexed	 l;

	lex_str("DEFRULE NAME R1 +\n      MATCH *X*   +  \n   ACTION A1\nZ\n",
	    &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.text[0], "DEFRULE NAME R1 MATCH *X* ACTION A1");
	ck_assert_str_eq(l.text[1], "Z");
	check_loc(l.first[1], 4, 1);
	ck_assert_uint_eq(l.diag.n, 0);
	lexed_free(&l);

	/* A '+' after ',' or ')' continues too; one alone on a line also. */
	lex_str("A(1),+\nB(2)+\nC +\n+\nD\n", &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.text[0], "A(1), B(2) C D");
	lexed_free(&l);
}
END_TEST

START_TEST(test_continuation_positions)
{
	struct lexer	*lx;
	struct stmt	 st;
	struct diag	 diag;
	const char	*text = "DEFRULE NAME R1 +\n"
	    "      MATCH *X*   +\n"
	    "   ACTION A1\n";
	const char	*p;
	size_t		 i;

	diag_init(&diag);
	lx = lexer_create(TU_FILE, text, strlen(text), &diag);
	stmt_init(&st);
	ck_assert_int_eq(lexer_next(lx, &st), 1);
	ck_assert_str_eq(st.text.data, "DEFRULE NAME R1 MATCH *X* ACTION A1");

	/* Every byte of the first line is where it was. */
	for (i = 0; i < 15; i++)
		check_loc(stmt_loc(&st, i), 1, (unsigned)i + 1);
	p = strstr(st.text.data, "MATCH");
	check_loc(stmt_loc(&st, (size_t)(p - st.text.data)), 2, 7);
	p = strstr(st.text.data, "*X*");
	check_loc(stmt_loc(&st, (size_t)(p - st.text.data) + 2), 2, 15);
	check_loc(stmt_loc(&st, (size_t)(p - st.text.data) + 3), 2, 19);
	p = strstr(st.text.data, "ACTION");
	check_loc(stmt_loc(&st, (size_t)(p - st.text.data)), 3, 4);
	check_loc(stmt_loc(&st, st.text.len - 1), 3, 12);
	/* Past the end: just after the last character. */
	check_loc(stmt_loc(&st, st.text.len), 3, 13);
	check_loc(stmt_loc(&st, st.text.len + 100), 3, 13);

	ck_assert_int_eq(lexer_next(lx, &st), 0);
	ck_assert_uint_eq(diag.n, 0);
	stmt_free(&st);
	lexer_free(lx);
	diag_free(&diag);
}
END_TEST

/*
 * Regression: the blank that joins two lines stands for the '+' it
 * replaces, but when the next line is itself continued the lexer has
 * already moved its '+' position to that line's '+'.
 */
START_TEST(test_continuation_blank_position)
{
	struct lexer	*lx;
	struct stmt	 st;
	struct diag	 diag;
	const char	*text = "A +\n  B   +\n C +\nD\n";

	diag_init(&diag);
	lx = lexer_create(TU_FILE, text, strlen(text), &diag);
	stmt_init(&st);
	ck_assert_int_eq(lexer_next(lx, &st), 1);
	ck_assert_str_eq(st.text.data, "A B C D");
	check_loc(stmt_loc(&st, 0), 1, 1);
	check_loc(stmt_loc(&st, 2), 2, 3);
	check_loc(stmt_loc(&st, 4), 3, 2);
	check_loc(stmt_loc(&st, 6), 4, 1);
	/* Each joining blank is where the '+' of the line before was. */
	check_loc(stmt_loc(&st, 1), 1, 3);
	check_loc(stmt_loc(&st, 3), 2, 7);
	check_loc(stmt_loc(&st, 5), 3, 4);
	stmt_free(&st);
	lexer_free(lx);
	diag_free(&diag);
}
END_TEST

START_TEST(test_now_plus_not_continuation)
{
	struct lexed	 l;

	lex_str("DEFSCHD NAME S1 WHEN NOW+\nACTION A1\n", &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.text[0], "DEFSCHD NAME S1 WHEN NOW+");
	ck_assert_str_eq(l.text[1], "ACTION A1");
	ck_assert_uint_eq(l.diag.n, 0);
	lexed_free(&l);

	/* With a blank before it, the same '+' continues the statement. */
	lex_str("DEFSCHD NAME S1 WHEN NOW+ +\nACTION A1\n", &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.text[0], "DEFSCHD NAME S1 WHEN NOW+ ACTION A1");
	lexed_free(&l);

	/* A '+' inside a word at the end of a line is a value. */
	lex_str("X *ERR*+\nY 'a'+\n", &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.text[0], "X *ERR*+");
	ck_assert_str_eq(l.text[1], "Y 'a'+");
	lexed_free(&l);
}
END_TEST

START_TEST(test_crlf)
{
	struct lexed	 l;

	lex_str("* comment\r\nA B +\r\n  C\r\n\r\nD\r\n", &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.text[0], "A B C");
	check_loc(l.end[0], 3, 4);
	ck_assert_str_eq(l.text[1], "D");
	check_loc(l.first[1], 5, 1);
	check_loc(l.end[1], 5, 2);
	ck_assert_uint_eq(l.diag.n, 0);
	lexed_free(&l);
}
END_TEST

START_TEST(test_tab)
{
	struct lexed	 l;

	lex_str("\tA\tB\t+\n\t\tC\n", &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.text[0], "A\tB C");
	check_loc(l.first[0], 1, 2);
	ck_assert_uint_eq(l.diag.n, 0);
	lexed_free(&l);
}
END_TEST

START_TEST(test_continuation_at_eof)
{
	struct lexed	 l;

	lex_str("A\nB C +\n", &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.text[0], "A");
	check_diag(&l, "t.rules:2:5: error: continuation '+' on the last line:"
	    " the statement is cut off by the end of the file");
	ck_assert_uint_eq(l.diag.errors, 1);
	lexed_free(&l);

	/* Without a final newline, and with only comments after it. */
	lex_str("B +", &l);
	ck_assert_uint_eq(l.n, 0);
	check_diag(&l, "t.rules:1:3: error: continuation '+' on the last line:"
	    " the statement is cut off by the end of the file");
	lexed_free(&l);

	lex_str("X +\n  Y   +  \n* the end\n", &l);
	ck_assert_uint_eq(l.n, 0);
	check_diag(&l, "t.rules:2:7: error: continuation '+' on the last line:"
	    " the statement is cut off by the end of the file");
	lexed_free(&l);
}
END_TEST

/* --- what is not rule text --------------------------------------------- */

START_TEST(test_control_character)
{
	struct lexed	 l;

	lex_str("A\n B \x01 C\nD\n", &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.text[0], "A");
	ck_assert_str_eq(l.text[1], "D");
	check_diag(&l, "t.rules:2:4: error: control character 0x01 is not"
	    " allowed in a rule file");
	ck_assert(!l.gave_up);
	lexed_free(&l);

	/* DEL, and a stray CR that does not end the line. */
	lex_str("X\x7f\nY\rZ\n", &l);
	ck_assert_uint_eq(l.n, 0);
	check_diag(&l, "t.rules:1:2: error: control character 0x7f is not"
	    " allowed in a rule file\n"
	    "t.rules:2:2: error: control character 0x0d is not allowed in a"
	    " rule file");
	lexed_free(&l);
}
END_TEST

START_TEST(test_control_character_in_continuation)
{
	struct lexed	 l;

	/* The whole statement is skipped; the parser never sees half. */
	lex_str("A +\nB\x02 +\nC\nD +\nE\n", &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.text[0], "D E");
	check_loc(l.first[0], 4, 1);
	check_diag(&l, "t.rules:2:2: error: control character 0x02 is not"
	    " allowed in a rule file");
	lexed_free(&l);
}
END_TEST

START_TEST(test_invalid_utf8)
{
	struct lexed	 l;

	/* Valid two-, three- and four-byte sequences pass. */
	lex_str("A \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n", &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.text[0], "A \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	ck_assert_uint_eq(l.diag.n, 0);
	lexed_free(&l);

	lex_str("OK\nB \xff\nC \xc3\xa9\xc3\nD \xe0\x80\x80\nE \xed\xa0\x80\n"
	    "F \xc0\xaf\nG \xf4\x90\x80\x80\nH \xa9\nLAST\n", &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.text[0], "OK");
	ck_assert_str_eq(l.text[1], "LAST");
	check_diag(&l,
	    "t.rules:2:3: error: invalid UTF-8 (byte 0xff); rule files must"
	    " be UTF-8 text\n"
	    "t.rules:3:5: error: invalid UTF-8 (byte 0xc3); rule files must"
	    " be UTF-8 text\n"
	    "t.rules:4:3: error: invalid UTF-8 (byte 0xe0); rule files must"
	    " be UTF-8 text\n"
	    "t.rules:5:3: error: invalid UTF-8 (byte 0xed); rule files must"
	    " be UTF-8 text\n"
	    "t.rules:6:3: error: invalid UTF-8 (byte 0xc0); rule files must"
	    " be UTF-8 text\n"
	    "t.rules:7:3: error: invalid UTF-8 (byte 0xf4); rule files must"
	    " be UTF-8 text\n"
	    "t.rules:8:3: error: invalid UTF-8 (byte 0xa9); rule files must"
	    " be UTF-8 text");
	ck_assert(!l.gave_up);
	lexed_free(&l);
}
END_TEST

START_TEST(test_nul_byte)
{
	static const char text[] = "A\nB C\0D\nE\nF\0\n";
	struct lexed	 l;

	lex_all(text, sizeof text - 1, &l);
	ck_assert_uint_eq(l.n, 0);
	check_diag(&l, "t.rules:2:4: error: NUL byte: this is binary data,"
	    " not a rule file");
	ck_assert_uint_eq(l.diag.errors, 1);
	ck_assert(l.gave_up);
	lexed_free(&l);

	/* At the very start. */
	lex_all("\0", 1, &l);
	check_diag(&l, "t.rules:1:1: error: NUL byte: this is binary data,"
	    " not a rule file");
	lexed_free(&l);
}
END_TEST

START_TEST(test_ebcdic)
{
	/* "* COMMENT" / "DEFRULE NAME R1 MATCH *X*" in IBM-1047, NL 0x15. */
	static const unsigned char ebc[] = {
		0x5c, 0x40, 0xc3, 0xd6, 0xd4, 0xd4, 0xc5, 0xd5, 0xe3, 0x15,
		0xc4, 0xc5, 0xc6, 0xd9, 0xe4, 0xd3, 0xc5, 0x40, 0xd5, 0xc1,
		0xd4, 0xc5, 0x40, 0xd9, 0xf1, 0x40, 0xd4, 0xc1, 0xe3, 0xc3,
		0xc8, 0x40, 0x5c, 0xe7, 0x5c, 0x15
	};
	struct lexed	 l;

	lex_all((const char *)ebc, sizeof ebc, &l);
	ck_assert_uint_eq(l.n, 0);
	check_diag(&l, "t.rules:1:1: error: this file looks EBCDIC-encoded,"
	    " not UTF-8; convert it first, for example with"
	    " 'iconv -f IBM-1047 -t UTF-8'");
	ck_assert_uint_eq(l.diag.errors, 1);
	ck_assert(l.gave_up);
	lexed_free(&l);
}
END_TEST

START_TEST(test_utf8_not_ebcdic)
{
	struct lexed	 l;

	/* Much non-ASCII text is still UTF-8, not EBCDIC. */
	lex_str("DEFACTN NAME A EMIT '\xc3\xa4\xc3\xb6\xc3\xbc\xc3\xa4\xc3\xb6"
	    "\xc3\xbc\xc3\xa4\xc3\xb6\xc3\xbc\xc3\xa4\xc3\xb6\xc3\xbc'\n", &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.diag.n, 0);
	ck_assert(!l.gave_up);
	lexed_free(&l);
}
END_TEST

START_TEST(test_long_line)
{
	struct lexed	 l;
	size_t		 n = STMT_MAX_LEN + 10;
	char		*buf, *want;

	/* One line too long, then a good statement: no hang, located. */
	buf = xmalloc(n + 8);
	memset(buf, 'A', n);
	memcpy(buf + n, "\nB\n", 4);
	lex_all(buf, n + 3, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.text[0], "B");
	check_loc(l.first[0], 2, 1);
	xasprintf(&want, "t.rules:1:%u: error: line is %zu bytes long; a line"
	    " may have at most %u", STMT_MAX_LEN + 1, n, STMT_MAX_LEN);
	check_diag(&l, want);
	free(want);
	lexed_free(&l);

	/* A line of exactly the limit is fine. */
	memset(buf, 'A', STMT_MAX_LEN);
	lex_all(buf, STMT_MAX_LEN, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(strlen(l.text[0]), STMT_MAX_LEN);
	ck_assert_uint_eq(l.diag.n, 0);
	lexed_free(&l);
	free(buf);
}
END_TEST

START_TEST(test_long_statement)
{
	struct lexed	 l;
	size_t		 half = STMT_MAX_LEN / 2 + 100, n;
	char		*buf, *want;

	/* Two lines under the limit that are too long once joined. */
	n = 2 * half + 16;
	buf = xmalloc(n);
	memset(buf, 'A', half);
	memcpy(buf + half, " +\n", 3);
	memset(buf + half + 3, 'B', half);
	memcpy(buf + 2 * half + 3, "\nC\n", 4);
	lex_all(buf, 2 * half + 6, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.text[0], "C");
	xasprintf(&want, "t.rules:2:1: error: statement is longer than %u"
	    " bytes", STMT_MAX_LEN);
	check_diag(&l, want);
	free(want);
	lexed_free(&l);
	free(buf);
}
END_TEST

START_TEST(test_error_cap)
{
	struct lexed	 l;
	struct strbuf	 sb;
	char		*s;
	size_t		 i;

	strbuf_init(&sb);
	for (i = 0; i < 2000; i++)
		strbuf_adds(&sb, "X\x01Y\n");
	lex_all(sb.data, sb.len, &l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_uint_eq(l.diag.errors, DIAG_MAX_PER_FILE + 1);
	ck_assert(l.gave_up);
	s = diag_format(&l.diag.items[l.diag.n - 1]);
	ck_assert_str_eq(s, "t.rules:1001:1: error: too many errors; giving up"
	    " on this file");
	free(s);
	s = diag_format(&l.diag.items[DIAG_MAX_PER_FILE - 1]);
	ck_assert_str_eq(s, "t.rules:1000:2: error: control character 0x01 is"
	    " not allowed in a rule file");
	free(s);
	lexed_free(&l);

	/* Below the cap, every error is reported and the lexer goes on. */
	strbuf_reset(&sb);
	for (i = 0; i < DIAG_MAX_PER_FILE - 1; i++)
		strbuf_adds(&sb, "X\x01Y\n");
	strbuf_adds(&sb, "GOOD\n");
	lex_all(sb.data, sb.len, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.text[0], "GOOD");
	ck_assert_uint_eq(l.diag.errors, DIAG_MAX_PER_FILE - 1);
	ck_assert(!l.gave_up);
	lexed_free(&l);
	strbuf_free(&sb);
}
END_TEST

START_TEST(test_stmt_reuse)
{
	struct lexer	*lx;
	struct stmt	 st;
	struct diag	 diag;
	const char	*text = "LONG STATEMENT ONE +\n TWO\nS\n";

	/* A stmt reused for the next statement holds only that one. */
	diag_init(&diag);
	lx = lexer_create(TU_FILE, text, strlen(text), &diag);
	stmt_init(&st);
	ck_assert_int_eq(lexer_next(lx, &st), 1);
	ck_assert_str_eq(st.text.data, "LONG STATEMENT ONE TWO");
	ck_assert_int_eq(lexer_next(lx, &st), 1);
	ck_assert_str_eq(st.text.data, "S");
	ck_assert_uint_eq(st.text.len, 1);
	check_loc(stmt_loc(&st, 0), 3, 1);
	check_loc(stmt_loc(&st, 1), 3, 2);
	ck_assert_int_eq(lexer_next(lx, &st), 0);
	stmt_free(&st);
	ck_assert_ptr_null(st.pos);
	ck_assert_uint_eq(st.text.len, 0);
	lexer_free(lx);
	diag_free(&diag);
}
END_TEST

static Suite *
lexer_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("lexer");

	tc = tcase_create("lines");
	tcase_add_test(tc, test_empty_input);
	tcase_add_test(tc, test_comment_column1);
	tcase_add_test(tc, test_comment_indented_outside);
	tcase_add_test(tc, test_comment_inside_continuation);
	tcase_add_test(tc, test_blank_lines);
	tcase_add_test(tc, test_trailing_blanks_and_no_newline);
	tcase_add_test(tc, test_utf8_bom);
	tcase_add_test(tc, test_crlf);
	tcase_add_test(tc, test_tab);
	tcase_add_test(tc, test_stmt_reuse);
	suite_add_tcase(s, tc);

	tc = tcase_create("continuation");
	tcase_add_test(tc, test_continuation_join);
	tcase_add_test(tc, test_continuation_positions);
	tcase_add_test(tc, test_now_plus_not_continuation);
	tcase_add_test(tc, test_continuation_at_eof);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad_text");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_control_character);
	tcase_add_test(tc, test_control_character_in_continuation);
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_ebcdic);
	tcase_add_test(tc, test_utf8_not_ebcdic);
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_long_statement);
	tcase_add_test(tc, test_error_cap);
	suite_add_tcase(s, tc);

	/*
	 * Bugs found and fixed, each explained at its test: tagged so
	 * that CK_EXCLUDE_TAGS=regression runs everything else.
	 */
	tc = tcase_create("regressions");
	tcase_set_tags(tc, "regression");
	tcase_add_test(tc, test_continuation_blank_position);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(lexer_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
