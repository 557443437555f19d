/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_format.c - unit tests for rules/message.c (message_create,
 * message cleaning, msgid_find) and the message readers of rules/format.c
 * and rules/format-*.c: one suite per format, AUTO, bad input (1 MB lines,
 * NUL bytes, invalid UTF-8, cut records, messages that never end, times
 * going backwards), and the real console files of ../shared/data (z/VM
 * consoles, z/OS operator output and job logs, loghub syslog files),
 * about which the tests assert concrete facts.  The real-data tests are
 * left out, with a message, when the data directory is absent.  Matching
 * messages against rules is tested elsewhere.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/rules.h"
#include "tests/unit/testutil.h"

/* Every message a reader gave, deep-copied (the reader's are borrowed). */
struct got {
	struct message	**v;
	size_t		 n;
	size_t		 cap;
};

static struct message *
copy_message(const struct message *m)
{
	struct message	*c;
	size_t		 i;

	c = message_create(m->text, m->len, m->user, m->system, m->source,
	    m->time);
	/* The copy must not change a clean text. */
	ck_assert_uint_eq(c->len, m->len);
	ck_assert_str_eq(c->text, m->text);
	memcpy(c->msgid, m->msgid, sizeof c->msgid);
	c->has_time = m->has_time;
	c->cls = m->cls;
	c->format = m->format;
	c->flags = m->flags;
	c->sd = m->sd != NULL ? xstrdup(m->sd) : NULL;
	c->jobid = m->jobid != NULL ? xstrdup(m->jobid) : NULL;
	if (m->nlines > 0) {
		c->lines = xreallocarray(NULL, m->nlines, sizeof *c->lines);
		for (i = 0; i < m->nlines; i++)
			c->lines[i] = xstrdup(m->lines[i]);
		c->nlines = m->nlines;
	}
	return c;
}

static void
on_message(const struct message *m, void *arg)
{
	struct got	*g = arg;

	/* What every message promises. */
	ck_assert_ptr_nonnull(m->text);
	ck_assert_uint_eq(strlen(m->text), m->len);
	ck_assert_uint_le(m->len, MSG_MAX_LEN);
	ck_assert_uint_gt(m->len, 0);
	ck_assert_ptr_nonnull(m->user);
	ck_assert_uint_le(m->nlines, MSG_MAX_LINES);
	if (g->n == g->cap) {
		g->cap = g->cap == 0 ? 16 : g->cap * 2;
		g->v = xreallocarray(g->v, g->cap, sizeof *g->v);
	}
	g->v[g->n++] = copy_message(m);
}

static void
got_free(struct got *g)
{
	size_t	 i;

	for (i = 0; i < g->n; i++)
		message_free(g->v[i]);
	free(g->v);
	memset(g, 0, sizeof *g);
}

/* A local time. */
static time_t
local(int y, int mon, int d, int h, int m, int s)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* "now" in most tests: 10 March 2024, noon, local time. */
#define NOW	local(2024, 3, 10, 12, 0, 0)

/* Feed a text's lines to a reader, then flush. */
static void
feed(struct msgreader *r, const char *text, time_t now, struct got *g)
{
	const char	*nl;

	while (*text != '\0') {
		nl = strchr(text, '\n');
		if (nl == NULL)
			nl = text + strlen(text);
		msgreader_line(r, text, (size_t)(nl - text), now, on_message,
		    g);
		text = *nl == '\n' ? nl + 1 : nl;
	}
	msgreader_flush(r, now, on_message, g);
}

/* Feed one line, NUL-terminated. */
#define LINE(r, s, g) msgreader_line((r), (s), strlen(s), NOW, on_message, (g))

/* A reader of one format, fed text; returns it for its statistics. */
static struct msgreader *
read_text(int format, const char *user, const char *text, struct got *g)
{
	struct msgreader	*r;

	memset(g, 0, sizeof *g);
	r = msgreader_create(format, "SRC", "SYSA", user);
	feed(r, text, NOW, g);
	return r;
}

/* --- msgid_find ---------------------------------------------------------- */

static void
check_id(const char *text, const char *want)
{
	char	 out[MSGID_MAX];
	size_t	 n;

	memset(out, 'x', sizeof out);
	n = msgid_find(text, strlen(text), out);
	ck_assert_msg(strcmp(out, want) == 0, "%s: got \"%s\", want \"%s\"",
	    text, out, want);
	ck_assert_uint_eq(n, strlen(want));
}

START_TEST(test_msgid_forms)
{
	check_id("HCPSIG2113I User BKRLNXD has terminated", "HCPSIG2113I");
	check_id("DMSACC724I 5E5 replaces B (5E5)", "DMSACC724I");
	check_id("DTCRUN1021R To cancel TCP/IP Stack startup", "DTCRUN1021R");
	check_id("HCP003E Invalid option", "HCP003E");
	check_id("IEF403I MBTTEST - STARTED", "IEF403I");
	check_id("IEE457I 16.00.49 UNIT STATUS 645", "IEE457I");
	check_id("CBR3750I Message from library LIBA: G0013", "CBR3750I");
	check_id("ICH70001I OMVSADM  LAST ACCESS", "ICH70001I");
	check_id("$HASP395 HELLO    ENDED - RC=0000", "$HASP395");
	check_id("$HASP9120 FOUR DIGITS", "$HASP9120");
	check_id("IRR010I  USERID OMVSADM", "IRR010I");
	check_id("SMF000I  HELLO", "SMF000I");
	check_id("HHC01603I ipl 0a80", "HHC01603I");
	check_id("HHCCP003I CPU0000 architecture mode", "HHCCP003I");
	check_id("RPIMGR041T terminating", "RPIMGR041T");
	check_id("BPXF024I (OMVS) text", "BPXF024I");
	/* The id alone, or followed by punctuation. */
	check_id("IEF403I", "IEF403I");
	check_id("IEF403I: x", "IEF403I");
	check_id("IEF403I, x", "IEF403I");
	check_id("IEF403I\tx", "IEF403I");
}
END_TEST

START_TEST(test_msgid_markers)
{
	check_id("*IEF238D MYJOB - REPLY DEVICE NAME", "IEF238D");
	check_id("*07 IEF238D MYJOB - REPLY", "IEF238D");
	check_id("*1234 IEF238D MYJOB", "IEF238D");
	check_id("* IEA404A SEVERE WTO BUFFER SHORTAGE", "IEA404A");
	check_id("@IEC501A M 0480,VOL001", "IEC501A");
	check_id("+ABC123I from a program", "ABC123I");
	check_id("*$HASP607 JES2 NOT DORMANT", "$HASP607");
	/* Only one marker, only one blank, and nothing else before. */
	check_id("** IEF238D", "");
	check_id("*  IEF238D", "");
	check_id(" IEF403I", "");
	check_id("-IEF403I", "");
	check_id("*12345 IEF238D", "");
	check_id("* MSG FROM EREP    : text", "");
}
END_TEST

START_TEST(test_msgid_not_ids)
{
	check_id("", "");
	check_id("hello world", "");
	check_id("IEF403 no severity", "");
	check_id("IEF403X not a severity letter", "");
	check_id("IEF403IX glued", "");
	check_id("IEF403I-glued", "");
	check_id("ief403i lower case", "");
	check_id("AB123I two letters", "");
	check_id("ABCDEFGHI123I nine letters", "");
	check_id("ABC12I two digits", "");
	check_id("ABC123456I six digits", "");
	check_id("$HASP12 two digits", "");
	check_id("$HASP12345 five digits", "");
	check_id("$HASP", "");
	check_id("MNT191 191  A   R/W", "");
	check_id("ZVM620    CMPRCOM", "");
	check_id("IEFACTRT B01", "");
	check_id("pam_unix(sshd:auth): check pass", "");
}
END_TEST

START_TEST(test_msgid_bounds)
{
	char	 out[MSGID_MAX];

	/* out may be NULL; the length alone is given. */
	ck_assert_uint_eq(msgid_find("IEF403I x", 9, NULL), 7);
	/* Only len bytes are looked at. */
	ck_assert_uint_eq(msgid_find("IEF403I x", 6, out), 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(msgid_find("IEF403I x", 7, out), 7);
	ck_assert_str_eq(out, "IEF403I");
	ck_assert_uint_eq(msgid_find("*", 1, out), 0);
	ck_assert_uint_eq(msgid_find("*07", 3, out), 0);
	ck_assert_uint_eq(msgid_find(NULL, 0, out), 0);
}
END_TEST

/*
 * Found by fuzz_format: a marker ('*', '@', '+') that ends the text made
 * msgid_find read the byte after it.  The buffers here are exactly as
 * long as the text, so ASan sees any read past it.
 */
START_TEST(test_msgid_marker_at_end)
{
	static const char *const texts[] = { "*", "+", "@", "* ", "*07",
	    "*07 ", "1+" };
	char	*buf;
	size_t	 i, n;

	for (i = 0; i < nitems(texts); i++) {
		n = strlen(texts[i]);
		buf = xmalloc(n);
		memcpy(buf, texts[i], n);
		ck_assert_uint_eq(msgid_find(buf, n, NULL), 0);
		free(buf);
	}
}
END_TEST

/* --- message_create ------------------------------------------------------ */

START_TEST(test_message_ascii)
{
	struct message	*m;

	m = message_create("HCPSIG2113I User BKRLNXD", 24, "OPERATOR",
	    "ZVMA", "CONS", 1234);
	ck_assert_str_eq(m->text, "HCPSIG2113I User BKRLNXD");
	ck_assert_uint_eq(m->len, 24);
	ck_assert_str_eq(m->msgid, "HCPSIG2113I");
	ck_assert_str_eq(m->user, "OPERATOR");
	ck_assert_str_eq(m->system, "ZVMA");
	ck_assert_str_eq(m->source, "CONS");
	ck_assert_int_eq(m->time, 1234);
	ck_assert(!m->has_time);
	ck_assert_uint_eq(m->flags, MSGF_ASCII);
	ck_assert_int_eq(m->format, FMT_PLAIN);
	ck_assert_uint_eq(m->nlines, 0);
	message_free(m);

	/* A user is always there; system and source may be absent. */
	m = message_create("x", 1, NULL, NULL, NULL, 0);
	ck_assert_str_eq(m->user, "");
	ck_assert_ptr_null(m->system);
	ck_assert_ptr_null(m->source);
	message_free(m);

	message_free(NULL);
}
END_TEST

START_TEST(test_message_utf8_valid)
{
	struct message	*m;
	const char	*s = "Gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80";

	m = message_create(s, strlen(s), NULL, NULL, NULL, 0);
	ck_assert_str_eq(m->text, s);
	ck_assert_uint_eq(m->flags, 0);		/* not ASCII, nothing bad */
	message_free(m);
}
END_TEST

static void
check_clean(const char *in, size_t len, const char *want, unsigned flags)
{
	struct message	*m;

	m = message_create(in, len, NULL, NULL, NULL, 0);
	ck_assert_str_eq(m->text, want);
	ck_assert_uint_eq(m->len, strlen(want));
	ck_assert_uint_eq(m->flags, flags);
	message_free(m);
}

#define FFFD	"\xef\xbf\xbd"

START_TEST(test_message_utf8_repair)
{
	check_clean("a\xff" "b", 3, "a" FFFD "b", MSGF_BADUTF8);
	check_clean("\x80", 1, FFFD, MSGF_BADUTF8);
	/* A character cut short is one U+FFFD, not one per byte. */
	check_clean("x\xe2\x82", 3, "x" FFFD, MSGF_BADUTF8);
	check_clean("\xe2\x82y", 3, FFFD "y", MSGF_BADUTF8);
	check_clean("\xf0\x9f\x98", 3, FFFD, MSGF_BADUTF8);
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	check_clean("\xc0\xaf", 2, FFFD FFFD, MSGF_BADUTF8);
	check_clean("\xe0\x80\xaf", 3, FFFD FFFD FFFD, MSGF_BADUTF8);
	check_clean("\xed\xa0\x80", 3, FFFD FFFD FFFD, MSGF_BADUTF8);
	check_clean("\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD,
	    MSGF_BADUTF8);
	check_clean("\xf5", 1, FFFD, MSGF_BADUTF8);
	/* Latin-1, as a misconfigured source sends it. */
	check_clean("caf\xe9", 4, "caf" FFFD, MSGF_BADUTF8);
}
END_TEST

START_TEST(test_message_nul)
{
	check_clean("a\0b", 3, "a b", MSGF_NUL | MSGF_ASCII);
	check_clean("\0\0", 2, "  ", MSGF_NUL | MSGF_ASCII);
	check_clean("\0\xff", 2, " " FFFD, MSGF_NUL | MSGF_BADUTF8);
}
END_TEST

START_TEST(test_message_truncate_1mb)
{
	struct message	*m;
	size_t		 n = 1 << 20, i;
	char		*big = xmalloc(n);

	memset(big, 'A', n);
	memcpy(big, "IEF403I ", 8);
	m = message_create(big, n, NULL, NULL, NULL, 0);
	ck_assert_uint_eq(m->len, MSG_MAX_LEN);
	ck_assert_uint_eq(strlen(m->text), MSG_MAX_LEN);
	ck_assert_uint_eq(m->flags, MSGF_TRUNCATED | MSGF_ASCII);
	ck_assert_str_eq(m->msgid, "IEF403I");
	message_free(m);

	/* Two-byte characters: never cut inside one. */
	for (i = 0; i + 1 < n; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[0] = 'x';		/* shift every character by one byte */
	m = message_create(big, n, NULL, NULL, NULL, 0);
	ck_assert_uint_le(m->len, MSG_MAX_LEN);
	ck_assert_uint_ge(m->len, MSG_MAX_LEN - 3);
	ck_assert_uint_eq(m->flags, MSGF_TRUNCATED | MSGF_BADUTF8);
	ck_assert_int_ne((unsigned char)m->text[m->len - 1], 0xc3);
	message_free(m);

	/* Repair makes text longer: 1 byte in, 3 out, still bounded. */
	memset(big, '\xff', n);
	m = message_create(big, n, NULL, NULL, NULL, 0);
	ck_assert_uint_le(m->len, MSG_MAX_LEN);
	ck_assert_uint_eq(m->len % 3, 0);
	ck_assert_uint_eq(m->flags, MSGF_TRUNCATED | MSGF_BADUTF8);
	message_free(m);

	/* Exactly MSG_MAX_LEN is not truncated. */
	memset(big, 'b', n);
	m = message_create(big, MSG_MAX_LEN, NULL, NULL, NULL, 0);
	ck_assert_uint_eq(m->len, MSG_MAX_LEN);
	ck_assert_uint_eq(m->flags, MSGF_ASCII);
	message_free(m);
	free(big);
}
END_TEST

/* --- FORMAT(PLAIN) ------------------------------------------------------- */

START_TEST(test_plain_basic)
{
	struct got		 g;
	struct msgreader	*r;
	const struct msgreader_stats *st;

	r = read_text(FMT_PLAIN, "OPERATOR",
	    "HCPSIG2113I User BKRLNXD\n"
	    "   indented stays indented   \r\n"
	    "\n"
	    "   \t\n"
	    "12:00:00 not a time here\n", &g);
	ck_assert_uint_eq(g.n, 3);
	ck_assert_str_eq(g.v[0]->text, "HCPSIG2113I User BKRLNXD");
	ck_assert_str_eq(g.v[0]->msgid, "HCPSIG2113I");
	ck_assert_str_eq(g.v[0]->user, "OPERATOR");
	ck_assert_str_eq(g.v[0]->system, "SYSA");
	ck_assert_str_eq(g.v[0]->source, "SRC");
	ck_assert_int_eq(g.v[0]->format, FMT_PLAIN);
	ck_assert_int_eq(g.v[0]->cls, 0);
	ck_assert(!g.v[0]->has_time);
	ck_assert_int_eq(g.v[0]->time, NOW);
	/* Leading blanks kept (MCOL), trailing blanks and CR dropped. */
	ck_assert_str_eq(g.v[1]->text, "   indented stays indented");
	ck_assert_str_eq(g.v[2]->text, "12:00:00 not a time here");
	st = msgreader_stats(r);
	ck_assert_uint_eq(st->lines, 5);
	ck_assert_uint_eq(st->messages, 3);
	ck_assert_uint_eq(st->malformed, 0);
	got_free(&g);
	msgreader_free(r);

	/* Without USER the user is empty, never NULL. */
	r = read_text(FMT_PLAIN, NULL, "x\n", &g);
	ck_assert_str_eq(g.v[0]->user, "");
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_plain_bad_input)
{
	struct got		 g;
	struct msgreader	*r;
	const struct msgreader_stats *st;
	size_t			 n = 1 << 20;
	char			*big = xmalloc(n);

	memset(&g, 0, sizeof g);
	r = msgreader_create(FMT_PLAIN, NULL, NULL, NULL);
	memset(big, 'z', n);
	msgreader_line(r, big, n, NOW, on_message, &g);
	msgreader_line(r, "a\0b", 3, NOW, on_message, &g);
	msgreader_line(r, "bad \xc3", 5, NOW, on_message, &g);
	msgreader_line(r, NULL, 0, NOW, on_message, &g);
	msgreader_flush(r, NOW, on_message, &g);
	ck_assert_uint_eq(g.n, 3);
	ck_assert_uint_eq(g.v[0]->len, MSG_MAX_LEN);
	ck_assert_uint_eq(g.v[0]->flags, MSGF_TRUNCATED | MSGF_ASCII);
	ck_assert_str_eq(g.v[1]->text, "a b");
	ck_assert_uint_eq(g.v[1]->flags, MSGF_NUL | MSGF_ASCII);
	ck_assert_str_eq(g.v[2]->text, "bad " FFFD);
	ck_assert_uint_eq(g.v[2]->flags, MSGF_BADUTF8);
	st = msgreader_stats(r);
	ck_assert_uint_eq(st->lines, 4);
	ck_assert_uint_eq(st->messages, 3);
	ck_assert_uint_eq(st->truncated, 1);
	ck_assert_uint_eq(st->nul, 1);
	ck_assert_uint_eq(st->bad_utf8, 1);
	got_free(&g);
	msgreader_free(r);
	free(big);
}
END_TEST

START_TEST(test_format_names)
{
	ck_assert_str_eq(format_name(FMT_AUTO), "AUTO");
	ck_assert_str_eq(format_name(FMT_PLAIN), "PLAIN");
	ck_assert_str_eq(format_name(FMT_ZVM), "ZVM");
	ck_assert_str_eq(format_name(FMT_ZOSLOG), "ZOSLOG");
	ck_assert_str_eq(format_name(FMT_SYSLOG), "SYSLOG");
	ck_assert_str_eq(format_name(FMT_HERCULES), "HERCULES");
	ck_assert_str_eq(format_name(-1), "UNKNOWN");
	ck_assert_str_eq(format_name(99), "UNKNOWN");
}
END_TEST

/* --- FORMAT(ZVM) --------------------------------------------------------- */

START_TEST(test_zvm_timestamp)
{
	struct got		 g;
	struct msgreader	*r;

	r = read_text(FMT_ZVM, "OPERATOR",
	    "11:15:02 HCPSIG2113I User BKRLNXD has terminated\n"
	    " 22:33:42 HCPWRS2511A Spool files will be deleted\n"
	    "11:00:00  two blanks go\n"
	    "11:00:01   three blanks: one stays\n"
	    "11:00:02\n"
	    "12:59:00 ahead\n", &g);
	ck_assert_uint_eq(g.n, 5);
	/* Column 1 is the id: HCPSIG2113I* with MCOL 001:011 matches. */
	ck_assert_str_eq(g.v[0]->text,
	    "HCPSIG2113I User BKRLNXD has terminated");
	ck_assert_int_eq(strncmp(g.v[0]->text, "HCPSIG2113I", 11), 0);
	ck_assert_str_eq(g.v[0]->msgid, "HCPSIG2113I");
	ck_assert(g.v[0]->has_time);
	ck_assert_int_eq(g.v[0]->time, local(2024, 3, 10, 11, 15, 2));
	ck_assert_int_eq(g.v[0]->cls, 5);
	ck_assert_str_eq(g.v[0]->user, "OPERATOR");
	ck_assert_str_eq(g.v[0]->system, "SYSA");
	ck_assert_int_eq(g.v[0]->format, FMT_ZVM);
	/* 22:33 is more than an hour after noon: yesterday's console. */
	ck_assert_str_eq(g.v[1]->text,
	    "HCPWRS2511A Spool files will be deleted");
	ck_assert_int_eq(g.v[1]->time, local(2024, 3, 9, 22, 33, 42));
	ck_assert_str_eq(g.v[2]->text, "two blanks go");
	ck_assert_str_eq(g.v[3]->text, " three blanks: one stays");
	/* Up to an hour ahead of now is today (clocks differ). */
	ck_assert_int_eq(g.v[4]->time, local(2024, 3, 10, 12, 59, 0));
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 0);
	ck_assert_uint_eq(msgreader_stats(r)->out_of_order, 1);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_zvm_vcpu)
{
	struct got		 g;
	struct msgreader	*r;

	r = read_text(FMT_ZVM, "LINUX1",
	    "04: HCPGSP2627I The virtual machine is placed in CP mode\n"
	    "12:00:00 01: HCPGSP2627I again\n"
	    "0A: hex CPU address\n", &g);
	ck_assert_uint_eq(g.n, 3);
	ck_assert_str_eq(g.v[0]->text,
	    "HCPGSP2627I The virtual machine is placed in CP mode");
	ck_assert_str_eq(g.v[0]->msgid, "HCPGSP2627I");
	ck_assert(!g.v[0]->has_time);
	ck_assert_int_eq(g.v[0]->cls, 5);
	ck_assert_str_eq(g.v[1]->text, "HCPGSP2627I again");
	ck_assert(g.v[1]->has_time);
	ck_assert_str_eq(g.v[2]->text, "hex CPU address");
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 0);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_zvm_msg_from)
{
	struct got		 g;
	struct msgreader	*r;

	r = read_text(FMT_ZVM, "OPERATOR",
	    "10:00:00  * MSG FROM EREP    : RPISMF056I SMF record written\n"
	    "10:00:01  * WNG FROM MAINT   : system going down in 5 minutes\n"
	    "* MSG FROM BKRBKUP : BACKUP COMPLETE - BKRLNXD\n"
	    "10:00:02  * MSG FROM TOOLONGNAME : not a user id\n", &g);
	ck_assert_uint_eq(g.n, 4);
	ck_assert_str_eq(g.v[0]->text, "RPISMF056I SMF record written");
	ck_assert_str_eq(g.v[0]->user, "EREP");
	ck_assert_int_eq(g.v[0]->cls, 1);
	ck_assert_str_eq(g.v[0]->msgid, "RPISMF056I");
	ck_assert(g.v[0]->has_time);
	ck_assert_str_eq(g.v[1]->text, "system going down in 5 minutes");
	ck_assert_str_eq(g.v[1]->user, "MAINT");
	ck_assert_int_eq(g.v[1]->cls, 2);
	ck_assert_str_eq(g.v[2]->text, "BACKUP COMPLETE - BKRLNXD");
	ck_assert_str_eq(g.v[2]->user, "BKRBKUP");
	ck_assert_int_eq(g.v[2]->cls, 1);
	/* Not a MSG header: console output of the owner. */
	ck_assert_str_eq(g.v[3]->text,
	    "* MSG FROM TOOLONGNAME : not a user id");
	ck_assert_str_eq(g.v[3]->user, "OPERATOR");
	ck_assert_int_eq(g.v[3]->cls, 5);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_zvm_malformed)
{
	struct got		 g;
	struct msgreader	*r;

	r = read_text(FMT_ZVM, "MAINT",
	    "Ready; T=0.01/0.01 15:09:40\n"
	    "25:00:00 not a time\n"
	    "HCPSIG2114I User LINUX2 termination may be delayed\n", &g);
	ck_assert_uint_eq(g.n, 3);
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 3);
	ck_assert_str_eq(g.v[0]->text, "Ready; T=0.01/0.01 15:09:40");
	ck_assert_int_eq(g.v[0]->format, FMT_PLAIN);
	ck_assert_int_eq(g.v[0]->cls, 0);
	ck_assert_str_eq(g.v[0]->user, "MAINT");
	ck_assert_str_eq(g.v[1]->text, "25:00:00 not a time");
	ck_assert_str_eq(g.v[2]->msgid, "HCPSIG2114I");
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_zvm_out_of_order)
{
	struct got		 g;
	struct msgreader	*r;

	r = read_text(FMT_ZVM, NULL,
	    "11:00:05 b\n11:00:01 a\n11:00:09 c\n11:00:09 d\n", &g);
	ck_assert_uint_eq(g.n, 4);
	/* Counted, but each message keeps its own time. */
	ck_assert_uint_eq(msgreader_stats(r)->out_of_order, 1);
	ck_assert_int_eq(g.v[1]->time, local(2024, 3, 10, 11, 0, 1));
	ck_assert_int_lt(g.v[1]->time, g.v[0]->time);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

/* --- FORMAT(ZOSLOG) ------------------------------------------------------ */

/* The fields of SYSLOG records before the text, in the fixed layout. */
#define N_HEAD	"NC0000000 SYS1     24070 16:00:49.00          00000090  "
#define M_HEAD	"MR0000000 SYS1     24070 16:00:49.00          00000090  "
#define D_HEAD	"D                                         645 00000090  "
#define E_HEAD	"E                                         645 00000090  "

START_TEST(test_zos_fixed_layout)
{
	struct got		 g;
	struct msgreader	*r;

	r = read_text(FMT_ZOSLOG, NULL,
	    "NC0000000 SYS1     24070 14:09:07.68 STC00045 00000290  S TSO\n"
	    "N 4000000 SYS1     24070 14:09:07.72 STC00045 00000090  "
	    "$HASP100 TSO      ON STCINRDR\n"
	    "N 0000000 SYS2     2024070 14:09:08.00 JOB00123 00000090  "
	    "*07 IEF238D MYJOB - REPLY DEVICE NAME\n",
	    &g);
	ck_assert_uint_eq(g.n, 3);
	ck_assert_str_eq(g.v[0]->text, "S TSO");
	ck_assert_str_eq(g.v[0]->msgid, "");
	ck_assert_str_eq(g.v[0]->system, "SYS1");
	/* Without USER, the system speaks. */
	ck_assert_str_eq(g.v[0]->user, "SYS1");
	ck_assert_str_eq(g.v[0]->jobid, "STC00045");
	ck_assert(g.v[0]->has_time);
	ck_assert_int_eq(g.v[0]->time, local(2024, 3, 10, 14, 9, 7));
	ck_assert_int_eq(g.v[0]->format, FMT_ZOSLOG);
	ck_assert_str_eq(g.v[1]->text, "$HASP100 TSO      ON STCINRDR");
	ck_assert_str_eq(g.v[1]->msgid, "$HASP100");
	ck_assert_str_eq(g.v[2]->msgid, "IEF238D");
	ck_assert_str_eq(g.v[2]->system, "SYS2");
	ck_assert_str_eq(g.v[2]->jobid, "JOB00123");
	ck_assert_int_eq(g.v[2]->time, local(2024, 3, 10, 14, 9, 8));
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 0);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_zos_multiline_mde)
{
	struct got		 g;
	struct msgreader	*r;
	size_t			 n;

	memset(&g, 0, sizeof g);
	r = msgreader_create(FMT_ZOSLOG, "LOG", NULL, "CONS1");
	LINE(r, M_HEAD "IEE457I 16.00.49 UNIT STATUS 645", &g);
	LINE(r, D_HEAD "UNIT TYPE STATUS", &g);
	LINE(r, D_HEAD "0000 3390 F-NRD", &g);
	ck_assert_uint_eq(g.n, 0);	/* still gathering */
	LINE(r, E_HEAD "0001 3211 OFFLINE", &g);
	/* The E record ends it: out at once, no flush needed. */
	ck_assert_uint_eq(g.n, 1);
	ck_assert_str_eq(g.v[0]->text, "IEE457I 16.00.49 UNIT STATUS 645 "
	    "UNIT TYPE STATUS 0000 3390 F-NRD 0001 3211 OFFLINE");
	ck_assert_uint_eq(g.v[0]->nlines, 4);
	ck_assert_str_eq(g.v[0]->lines[0], "IEE457I 16.00.49 UNIT STATUS 645");
	ck_assert_str_eq(g.v[0]->lines[3], "0001 3211 OFFLINE");
	ck_assert_str_eq(g.v[0]->msgid, "IEE457I");
	ck_assert_str_eq(g.v[0]->user, "CONS1");
	ck_assert_str_eq(g.v[0]->source, "LOG");
	ck_assert_uint_eq(g.v[0]->flags & MSGF_UNENDED, 0);
	n = g.n;
	msgreader_flush(r, NOW, on_message, &g);
	ck_assert_uint_eq(g.n, n);
	ck_assert_uint_eq(msgreader_stats(r)->unended, 0);
	ck_assert_uint_eq(msgreader_stats(r)->messages, 1);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_zos_unended)
{
	struct got		 g;
	struct msgreader	*r;

	/* An M record whose E never comes: flushed as is, flagged. */
	r = read_text(FMT_ZOSLOG, NULL,
	    M_HEAD "IEE457I UNIT STATUS\n"
	    D_HEAD "0000 3390\n",
	    &g);
	ck_assert_uint_eq(g.n, 1);
	ck_assert_uint_eq(g.v[0]->nlines, 2);
	ck_assert_uint_eq(g.v[0]->flags & MSGF_UNENDED, MSGF_UNENDED);
	ck_assert_uint_eq(msgreader_stats(r)->unended, 1);
	got_free(&g);
	msgreader_free(r);

	/* A cut-off record is text, counted, never a crash. */
	r = read_text(FMT_ZOSLOG, NULL,
	    "NC0000000 SYS1     24070 16:0\n"
	    "NC0000000 SYS1     24070\n"
	    "N\n", &g);
	ck_assert_uint_eq(g.n, 3);
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 3);
	ck_assert_str_eq(g.v[0]->text, "NC0000000 SYS1     24070 16:0");
	ck_assert_int_eq(g.v[0]->format, FMT_PLAIN);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_zos_bounds)
{
	struct got		 g;
	struct msgreader	*r;
	const struct msgreader_stats *st;
	char			 line[128];
	size_t			 i, total;
	char			*big;

	/* 300 minor lines: 256 in the first piece, the rest in a second. */
	memset(&g, 0, sizeof g);
	r = msgreader_create(FMT_ZOSLOG, NULL, NULL, NULL);
	strcpy(line, M_HEAD "IEE457I HEAD");
	msgreader_line(r, line, strlen(line), NOW, on_message, &g);
	for (i = 0; i < 300; i++) {
		snprintf(line, sizeof line, D_HEAD "line %zu", i);
		msgreader_line(r, line, strlen(line), NOW, on_message, &g);
	}
	ck_assert_uint_eq(g.n, 1);
	ck_assert_uint_eq(g.v[0]->nlines, MSG_MAX_LINES);
	ck_assert_uint_eq(g.v[0]->flags & MSGF_UNENDED, MSGF_UNENDED);
	msgreader_flush(r, NOW, on_message, &g);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_uint_eq(g.v[1]->nlines, 301 - MSG_MAX_LINES);
	ck_assert_str_eq(g.v[1]->lines[0], "line 255");
	ck_assert_uint_eq(g.v[1]->flags & MSGF_UNENDED, MSGF_UNENDED);
	st = msgreader_stats(r);
	ck_assert_uint_eq(st->unended, 2);
	ck_assert_uint_eq(st->messages, 2);
	got_free(&g);
	msgreader_free(r);

	/* Lines adding up to more than MSG_MAX_LEN bytes. */
	memset(&g, 0, sizeof g);
	r = msgreader_create(FMT_ZOSLOG, NULL, NULL, NULL);
	big = xmalloc(30000 + 60);
	memset(big, ' ', 60);
	memcpy(big, N_HEAD, strlen(N_HEAD));
	memcpy(big + 56, "IEF", 3);
	memset(big + 59, 'x', 30000);
	memcpy(big + 59, "403I ", 5);
	msgreader_line(r, big, 30059, NOW, on_message, &g);
	memset(big, ' ', 56);
	for (i = 0; i < 4; i++)
		msgreader_line(r, big, 30059, NOW, on_message, &g);
	msgreader_flush(r, NOW, on_message, &g);
	for (total = 0, i = 0; i < g.n; i++) {
		ck_assert_uint_le(g.v[i]->len, MSG_MAX_LEN);
		ck_assert_uint_eq(g.v[i]->flags & MSGF_UNENDED, MSGF_UNENDED);
		total += g.v[i]->nlines > 0 ? g.v[i]->nlines : 1;
	}
	ck_assert_uint_eq(total, 5);
	ck_assert_uint_eq(g.n, 3);
	ck_assert_str_eq(g.v[0]->msgid, "IEF403I");
	free(big);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_zos_joblog)
{
	struct got		 g;
	struct msgreader	*r;

	r = read_text(FMT_ZOSLOG, NULL,
	    " 10.25.48 JOB00134 ---- TUESDAY,   18 FEB 2020 ----\n"
	    " 10.25.48 JOB00134  $HASP395 HELLO    ENDED - RC=0000\n"
	    " 6.41.29 JOB 1032  $HASP395 MBTTEST  ENDED\n"
	    "IEF142I MBTTEST B01 - STEP WAS EXECUTED - COND CODE 0000\n", &g);
	ck_assert_uint_eq(g.n, 4);
	ck_assert_str_eq(g.v[0]->text, "---- TUESDAY,   18 FEB 2020 ----");
	ck_assert_str_eq(g.v[1]->msgid, "$HASP395");
	ck_assert_str_eq(g.v[1]->text, "$HASP395 HELLO    ENDED - RC=0000");
	ck_assert_str_eq(g.v[1]->jobid, "JOB00134");
	/* The job log's own date line dates the lines after it. */
	ck_assert_int_eq(g.v[1]->time, local(2020, 2, 18, 10, 25, 48));
	ck_assert_str_eq(g.v[2]->jobid, "JOB01032");
	ck_assert_int_eq(g.v[2]->time, local(2020, 2, 18, 6, 41, 29));
	/* A message id in column 1 is a job log message line. */
	ck_assert_str_eq(g.v[3]->msgid, "IEF142I");
	ck_assert(!g.v[3]->has_time);
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 0);
	ck_assert_uint_eq(msgreader_stats(r)->out_of_order, 1);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_zos_asa)
{
	struct got		 g;
	struct msgreader	*r;

	r = read_text(FMT_ZOSLOG, NULL,
	    "1                       J E S 2  J O B  L O G\n"
	    "0\n"
	    "0------ JES2 JOB STATISTICS ------\n"
	    "-IEB352I WARNING: ONE OR MORE OF THE OUTPUT DCB PARMS\n"
	    " IEF032I STEP/STEP0001/STOP  2020049.1025\n"
	    "         CPU:     0 HR  00 MIN  00.00 SEC\n"
	    "              VIRT- ALLOC:      10M\n"
	    " PROCESSING ENDED AT EOD\n"
	    "           not continuing a line without an id\n", &g);
	ck_assert_uint_eq(g.n, 6);
	ck_assert_str_eq(g.v[0]->text, "J E S 2  J O B  L O G");
	ck_assert_str_eq(g.v[1]->text, "------ JES2 JOB STATISTICS ------");
	ck_assert_str_eq(g.v[2]->msgid, "IEB352I");
	ck_assert_str_eq(g.v[3]->msgid, "IEF032I");
	ck_assert_uint_eq(g.v[3]->nlines, 3);
	ck_assert_str_eq(g.v[3]->lines[1],
	    "        CPU:     0 HR  00 MIN  00.00 SEC");
	ck_assert_str_eq(g.v[3]->lines[2],
	    "             VIRT- ALLOC:      10M");
	ck_assert_str_eq(g.v[4]->text, "PROCESSING ENDED AT EOD");
	ck_assert_str_eq(g.v[5]->text, "not continuing a line without an id");
	got_free(&g);
	msgreader_free(r);
}
END_TEST

/* --- FORMAT(SYSLOG) ------------------------------------------------------ */

START_TEST(test_syslog_3164)
{
	struct got		 g;
	struct msgreader	*r;

	r = read_text(FMT_SYSLOG, "U", "<34>Oct 11 22:14:15 mymachine su: "
	    "'su root' failed for lonvick on /dev/pts/8\n"
	    "<13>Feb  5 17:32:18 10.0.0.99 sshd[4242]: Accepted publickey\n"
	    "<14>Feb  5 17:32:19 myapp[12]: no host here\n"
	    "<15>Mar 10 11:00:00 host kernel: IEF403I from a gateway\n"
	    "<191>Mar 10 11:00:01 host prog: debug\n", &g);
	ck_assert_uint_eq(g.n, 5);
	ck_assert_str_eq(g.v[0]->text,
	    "'su root' failed for lonvick on /dev/pts/8");
	ck_assert_str_eq(g.v[0]->user, "su");
	ck_assert_str_eq(g.v[0]->system, "mymachine");
	ck_assert_str_eq(g.v[0]->msgid, "su");
	ck_assert_int_eq(g.v[0]->cls, 3);		/* crit */
	ck_assert_int_eq(g.v[0]->format, FMT_SYSLOG);
	ck_assert(g.v[0]->has_time);
	/* October is after March: last year's. */
	ck_assert_int_eq(g.v[0]->time, local(2023, 10, 11, 22, 14, 15));
	ck_assert_str_eq(g.v[1]->text, "Accepted publickey");
	ck_assert_str_eq(g.v[1]->user, "sshd");
	ck_assert_str_eq(g.v[1]->system, "10.0.0.99");
	ck_assert_int_eq(g.v[1]->cls, 6);		/* notice */
	ck_assert_int_eq(g.v[1]->time, local(2024, 2, 5, 17, 32, 18));
	ck_assert_str_eq(g.v[2]->text, "no host here");
	ck_assert_str_eq(g.v[2]->user, "myapp");
	ck_assert_str_eq(g.v[2]->system, "SYSA");
	/* A console message id in the text wins over the program. */
	ck_assert_str_eq(g.v[3]->msgid, "IEF403I");
	ck_assert_str_eq(g.v[3]->user, "kernel");
	ck_assert_int_eq(g.v[4]->cls, 8);		/* debug */
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 0);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_syslog_3164_year)
{
	struct got		 g;
	struct msgreader	*r;
	time_t			 now = local(2024, 1, 1, 0, 0, 30);

	memset(&g, 0, sizeof g);
	r = msgreader_create(FMT_SYSLOG, NULL, NULL, NULL);
	feed(r, "<13>Dec 31 23:59:59 h p: old year\n"
	    "<13>Jan  1 00:00:10 h p: new year\n"
	    "<13>Jan  2 00:00:10 h p: tomorrow is not last year\n", now, &g);
	ck_assert_uint_eq(g.n, 3);
	ck_assert_int_eq(g.v[0]->time, local(2023, 12, 31, 23, 59, 59));
	ck_assert_int_eq(g.v[1]->time, local(2024, 1, 1, 0, 0, 10));
	ck_assert_int_eq(g.v[2]->time, local(2024, 1, 2, 0, 0, 10));
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_syslog_5424)
{
	struct got		 g;
	struct msgreader	*r;

	r = read_text(FMT_SYSLOG, NULL,
	    "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
	    "\xef\xbb\xbf'su root' failed for lonvick on /dev/pts/8\n"
	    "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - "
	    "%% It's time to make the do-nuts.\n"
	    "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - "
	    "ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" "
	    "eventID=\"1011\"] An application event log entry...\n"
	    "<165>1 2003-10-11T22:14:15.003Z - - - - "
	    "[a b=\"q\\\"]x\"][c@1 d=\"\"] text after two elements\n"
	    "<13>1 - - - - - - no time at all\n", &g);
	ck_assert_uint_eq(g.n, 5);
	ck_assert_str_eq(g.v[0]->text,
	    "'su root' failed for lonvick on /dev/pts/8");
	ck_assert_str_eq(g.v[0]->user, "su");
	ck_assert_str_eq(g.v[0]->system, "mymachine.example.com");
	ck_assert_str_eq(g.v[0]->msgid, "ID47");
	ck_assert_int_eq(g.v[0]->cls, 3);
	ck_assert(g.v[0]->has_time);
	ck_assert_int_eq(g.v[0]->time, 1065910455);
	ck_assert_ptr_null(g.v[0]->sd);
	ck_assert_uint_eq(g.v[0]->flags, MSGF_ASCII);

	ck_assert_str_eq(g.v[1]->text, "%% It's time to make the do-nuts.");
	ck_assert_int_eq(g.v[1]->time, 1061727255);
	ck_assert_str_eq(g.v[1]->user, "myproc");
	ck_assert_str_eq(g.v[1]->msgid, "myproc");
	ck_assert_int_eq(g.v[1]->cls, 6);

	ck_assert_str_eq(g.v[2]->sd, "[exampleSDID@32473 iut=\"3\" "
	    "eventSource=\"Application\" eventID=\"1011\"]");
	ck_assert_str_eq(g.v[2]->text, "An application event log entry...");

	/* Escapes in values; nil host and app: the source's. */
	ck_assert_str_eq(g.v[3]->sd, "[a b=\"q\\\"]x\"][c@1 d=\"\"]");
	ck_assert_str_eq(g.v[3]->text, "text after two elements");
	ck_assert_str_eq(g.v[3]->system, "SYSA");
	ck_assert_str_eq(g.v[3]->user, "");
	ck_assert_str_eq(g.v[3]->msgid, "");

	ck_assert(!g.v[4]->has_time);
	ck_assert_int_eq(g.v[4]->time, NOW);
	ck_assert_str_eq(g.v[4]->text, "no time at all");
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 0);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_syslog_malformed)
{
	struct got		 g;
	struct msgreader	*r;

	r = read_text(FMT_SYSLOG, "U",
	    "<13>no header at all\n"
	    "<13>1 2003-10-11T22:14:15Z host app - - [unterminated\n"
	    "plain text line\n"
	    "<999>too big a priority\n", &g);
	ck_assert_uint_eq(g.n, 4);
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 4);
	ck_assert_str_eq(g.v[0]->text, "no header at all");
	ck_assert_int_eq(g.v[0]->cls, 6);
	ck_assert_str_eq(g.v[0]->user, "U");
	ck_assert_str_eq(g.v[1]->text,
	    "1 2003-10-11T22:14:15Z host app - - [unterminated");
	ck_assert_str_eq(g.v[2]->text, "plain text line");
	ck_assert_int_eq(g.v[2]->format, FMT_PLAIN);
	ck_assert_str_eq(g.v[3]->text, "<999>too big a priority");
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_syslog_file_lines)
{
	struct got		 g;
	struct msgreader	*r;

	r = read_text(FMT_SYSLOG, NULL,
	    "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: "
	    "authentication failure; rhost=218.188.2.4 \n"
	    "Jun 19 04:09:11 combo syslogd 1.4.1: restart.\n"
	    "Jul  7 08:06:15 combo  -- root[2421]: ROOT LOGIN ON tty2\n"
	    "Dec 10 06:55:46 LabSZ sshd[24200]: "
	    "pam_unix(sshd:auth): check pass; user unknown\n"
	    "Nov 9 12:01:01 dn228 crond[2916]: "
	    "(root) CMD (run-parts /etc/cron.hourly)\n"
	    "2024-03-10T11:59:00.123456+01:00 web nginx: "
	    "rsyslog high precision\n",
	    &g);
	ck_assert_uint_eq(g.n, 6);
	ck_assert_str_eq(g.v[0]->text,
	    "authentication failure; rhost=218.188.2.4");
	ck_assert_str_eq(g.v[0]->user, "sshd(pam_unix)");
	ck_assert_str_eq(g.v[0]->system, "combo");
	ck_assert_int_eq(g.v[0]->cls, 0);
	ck_assert_str_eq(g.v[1]->text, "restart.");
	ck_assert_str_eq(g.v[1]->user, "syslogd");
	ck_assert_str_eq(g.v[2]->text, "ROOT LOGIN ON tty2");
	ck_assert_str_eq(g.v[3]->text,
	    "pam_unix(sshd:auth): check pass; user unknown");
	ck_assert_str_eq(g.v[3]->user, "sshd");
	ck_assert_int_eq(g.v[3]->time, local(2023, 12, 10, 6, 55, 46));
	ck_assert_str_eq(g.v[4]->user, "crond");
	ck_assert_int_eq(g.v[4]->time, local(2023, 11, 9, 12, 1, 1));
	ck_assert_int_eq(g.v[5]->time, 1710068340);	/* 10:59:00Z */
	ck_assert_str_eq(g.v[5]->user, "nginx");
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 0);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

/* --- FORMAT(HERCULES) ---------------------------------------------------- */

START_TEST(test_hercules)
{
	struct got		 g;
	struct msgreader	*r;

	r = read_text(FMT_HERCULES, NULL,
	    "HHC01603I ipl 0a80\n"
	    "08:27:13 HHC00811I Processor CP00: architecture mode z/Arch\n"
	    "2024-03-09 23:01:02.345 "
	    "HHCCP003I CPU0000 architecture mode ESA/390\n"
	    "08:27:14 guest output with a time stamp\n"
	    "no time, no id\n", &g);
	ck_assert_uint_eq(g.n, 5);
	ck_assert_str_eq(g.v[0]->text, "HHC01603I ipl 0a80");
	ck_assert_str_eq(g.v[0]->msgid, "HHC01603I");
	ck_assert_str_eq(g.v[0]->user, "HERCULES");
	ck_assert(!g.v[0]->has_time);
	ck_assert_int_eq(g.v[0]->format, FMT_HERCULES);
	ck_assert_str_eq(g.v[1]->text,
	    "HHC00811I Processor CP00: architecture mode z/Arch");
	ck_assert_int_eq(g.v[1]->time, local(2024, 3, 10, 8, 27, 13));
	ck_assert_str_eq(g.v[2]->msgid, "HHCCP003I");
	ck_assert_int_eq(g.v[2]->time, local(2024, 3, 9, 23, 1, 2));
	ck_assert_str_eq(g.v[3]->text, "guest output with a time stamp");
	ck_assert_str_eq(g.v[4]->text, "no time, no id");
	ck_assert_int_eq(g.v[4]->format, FMT_PLAIN);
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 1);
	got_free(&g);
	msgreader_free(r);

	/* The source's USER wins over "HERCULES". */
	r = read_text(FMT_HERCULES, "TK4", "HHC01603I ipl 0a80\n", &g);
	ck_assert_str_eq(g.v[0]->user, "TK4");
	got_free(&g);
	msgreader_free(r);
}
END_TEST

/* --- FORMAT(AUTO) -------------------------------------------------------- */

START_TEST(test_auto_mixed)
{
	struct got		 g;
	struct msgreader	*r;

	r = read_text(FMT_AUTO, "OPERATOR",
	    "<13>Mar 10 11:00:00 host prog: syslog first\n"
	    "EC000000   2024070  11:00:01.00             IEE457I UNIT STATUS\n"
	    "                                           UNIT TYPE STATUS\n"
	    "                                           0000 3390 A\n"
	    "11:00:02 HCPSIG2113I User BKRLNXD\n"
	    "11:00:03 HHC01603I ipl 0a80\n"
	    "Mar 10 11:00:04 host prog: file syslog\n"
	    " 11.00.05 JOB00001  $HASP395 JOB ENDED\n"
	    "just text\n"
	    "   indented plain text\n", &g);
	ck_assert_uint_eq(g.n, 8);
	ck_assert_int_eq(g.v[0]->format, FMT_SYSLOG);
	ck_assert_int_eq(g.v[1]->format, FMT_ZOSLOG);
	/* The z/OS message comes out, whole, before the z/VM one. */
	ck_assert_uint_eq(g.v[1]->nlines, 3);
	ck_assert_str_eq(g.v[1]->text,
	    "IEE457I UNIT STATUS UNIT TYPE STATUS 0000 3390 A");
	ck_assert_int_eq(g.v[2]->format, FMT_ZVM);
	ck_assert_str_eq(g.v[2]->msgid, "HCPSIG2113I");
	ck_assert_int_eq(g.v[3]->format, FMT_HERCULES);
	ck_assert_int_eq(g.v[4]->format, FMT_SYSLOG);
	ck_assert_int_eq(g.v[5]->format, FMT_ZOSLOG);
	ck_assert_str_eq(g.v[5]->msgid, "$HASP395");
	ck_assert_int_eq(g.v[6]->format, FMT_PLAIN);
	ck_assert_str_eq(g.v[7]->text, "   indented plain text");
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 0);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_auto_not_guessed)
{
	struct got		 g;
	struct msgreader	*r;
	size_t			 i;

	/* Lines that look a little like a format but are plain text. */
	r = read_text(FMT_AUTO, NULL,
	    "<html><body>\n"
	    "04: a list item, not a CPU\n"
	    "IEF403I a message id alone is any console's\n"
	    "D  1 not a minor record\n"
	    "HHC is not an id\n"
	    "1.5.2 version\n", &g);
	ck_assert_uint_eq(g.n, 6);
	for (i = 0; i < g.n; i++)
		ck_assert_int_eq(g.v[i]->format, FMT_PLAIN);
	ck_assert_str_eq(g.v[1]->text, "04: a list item, not a CPU");
	ck_assert_str_eq(g.v[2]->msgid, "IEF403I");
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 0);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

/* --- the real files ------------------------------------------------------- */

static char *data_dir;

static char *
data_path(const char *rel)
{
	char	*p;

	xasprintf(&p, "%s/%s", data_dir, rel);
	return p;
}

/* Read a whole file of the data directory. */
static char *
slurp(const char *rel, size_t *lenp)
{
	char	*path = data_path(rel), *buf = NULL;
	FILE	*f;
	size_t	 cap = 0, len = 0, n;

	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	do {
		if (cap - len < 4096) {
			cap = cap == 0 ? 65536 : cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	free(path);
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

/* Feed a data file to a new reader; returns the reader. */
static struct msgreader *
read_file(int format, const char *user, const char *rel, struct got *g)
{
	struct msgreader	*r;
	char			*buf, *p, *nl, *end;
	size_t			 len;

	memset(g, 0, sizeof *g);
	buf = slurp(rel, &len);
	r = msgreader_create(format, "REAL", NULL, user);
	for (p = buf, end = buf + len; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		msgreader_line(r, p, (size_t)(nl - p), NOW, on_message, g);
	}
	msgreader_flush(r, NOW, on_message, g);
	free(buf);
	return r;
}

static size_t
count_lines(const char *rel)
{
	char	*buf;
	size_t	 len, n = 0, i;

	buf = slurp(rel, &len);
	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	if (len > 0 && buf[len - 1] != '\n')
		n++;
	free(buf);
	return n;
}

static const struct message *
find_id(const struct got *g, const char *id, size_t nth)
{
	size_t	 i;

	for (i = 0; i < g->n; i++) {
		if (strcmp(g->v[i]->msgid, id) == 0 && nth-- == 0)
			return g->v[i];
	}
	ck_abort_msg("no message %s", id);
	return NULL;
}

static size_t
count_id(const struct got *g, const char *id)
{
	size_t	 i, n = 0;

	for (i = 0; i < g->n; i++)
		n += strcmp(g->v[i]->msgid, id) == 0;
	return n;
}

static const char *const zvm_files[] = {
	"zvmbootcamp-cms-acc-disks.console",
	"zvmbootcamp-cms-q-disk.console",
	"zvmbootcamp-cms-q-userid.console",
	"zvmbootcamp-cms-set-impcp.console",
	"zvmbootcamp-cp-acc-551.console",
	"zvmbootcamp-cp-logon-maint.console",
	"zvmbootcamp-force-hcpsig2114i.console",
	"zvmbootcamp-hcpgsp2627i-3270-wrap.console",
	"zvmbootcamp-ipl-cold-start-operator.console",
	"zvmbootcamp-ipl-start-prompt.console",
	"zvmbootcamp-logon-dmsacp113s.console",
	"zvmbootcamp-logon-maint.console",
	"zvmbootcamp-q-user-hcpcqu045e.console",
	"zvmbootcamp-q-user-hcpcqv003e.console",
	"zvmbootcamp-sysconfig-hcpsyk6700e.console",
	"zvmbootcamp-sysconfig-q-userid.console",
	"zvmbootcamp-tcpip-logon.console",
	"zvmbootcamp-tcpmaint-logon.console",
	"zvmbootcamp-xautolog-hcpcls6056i.console",
	"tessia-baselib-cms-s3270-screens.txt",
	"tessia-baselib-terminal-logon-s3270-screens.txt",
	"tessia-baselib-zvm-s3270-screens.txt"
};

/* A z/VM line that is only a time stamp and/or a CPU prefix. */
static bool
prefix_only(const char *line)
{
	const char	*p = line + strspn(line, " ");

	if (strlen(p) >= 8 && p[2] == ':' && p[5] == ':' &&
	    strspn(p, "0123456789:") >= 8)
		p += 8;
	p += strspn(p, " ");
	if (strlen(p) >= 3 && p[2] == ':' && strspn(p, "0123456789ABCDEF") == 2)
		p += 3;
	return *p == '\0';
}

/* Every line of every z/VM file, in ZVM and in AUTO: what comes out. */
START_TEST(test_real_zvm_every_line)
{
	struct got		 g;
	struct msgreader	*r;
	const struct msgreader_stats *st;
	char			*rel, *buf, *line, *save = NULL;
	size_t			 i, n, nonblank, plain = 0;
	int			 format = _i < 100 ? FMT_ZVM : FMT_AUTO;
	const char		*file = zvm_files[_i % 100];

	xasprintf(&rel, "zvm/%s", file);
	r = read_file(format, "MAINT", rel, &g);
	st = msgreader_stats(r);
	ck_assert_uint_eq(st->lines, count_lines(rel));
	ck_assert_uint_eq(st->messages, g.n);
	ck_assert_uint_eq(st->bad_utf8, 0);
	ck_assert_uint_eq(st->nul, 0);
	ck_assert_uint_eq(st->truncated, 0);
	ck_assert_uint_eq(st->unended, 0);

	/* One message per line that has text (z/VM does not join lines). */
	buf = slurp(rel, NULL);
	nonblank = 0;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		n = strlen(line);
		while (n > 0 && strchr(" \t\r\f\v", line[n - 1]) != NULL)
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (prefix_only(line))
			continue;
		nonblank++;
	}
	free(buf);
	if (format == FMT_ZVM)
		ck_assert_uint_eq(g.n, nonblank);
	for (i = 0; i < g.n; i++) {
		/* Never a time stamp or a CPU prefix left in the text. */
		ck_assert_msg(!(g.v[i]->has_time && g.v[i]->len >= 8 &&
		    g.v[i]->text[2] == ':' && g.v[i]->text[5] == ':'),
		    "%s: %s", file, g.v[i]->text);
		if (format == FMT_ZVM && g.v[i]->format == FMT_ZVM)
			ck_assert_int_eq(g.v[i]->cls, 5);
		if (g.v[i]->format == FMT_PLAIN)
			plain++;
		else if (format == FMT_ZVM)
			ck_assert_int_eq(g.v[i]->format, FMT_ZVM);
		if (g.v[i]->msgid[0] != '\0')
			ck_assert_int_eq(strncmp(g.v[i]->text, g.v[i]->msgid,
			    strlen(g.v[i]->msgid)), 0);
	}
	/* Under ZVM a line is z/VM, or plain text and malformed. */
	if (format == FMT_ZVM)
		ck_assert_uint_eq(st->malformed, plain);
	else
		ck_assert_uint_eq(st->malformed, 0);
	got_free(&g);
	msgreader_free(r);
	free(rel);
}
END_TEST

START_TEST(test_real_zvm_facts)
{
	struct got		 g;
	struct msgreader	*r;
	const struct message	*m;

	/* FORCE: HCPSIG2114I, id in column 1. */
	r = read_file(FMT_ZVM, "MAINT",
	    "zvm/zvmbootcamp-force-hcpsig2114i.console", &g);
	ck_assert_uint_eq(g.n, 4);
	m = find_id(&g, "HCPSIG2114I", 0);
	ck_assert_str_eq(m->text, "HCPSIG2114I User LINUX2 termination may be "
	    "delayed for up to 600 seconds");
	ck_assert_str_eq(m->user, "MAINT");
	ck_assert_str_eq(g.v[3]->text,
	    "USER DSC   LOGOFF AS  LINUX2   USERS = 31    FORCED BY MAINT");
	got_free(&g);
	msgreader_free(r);

	/* Cold start on the OPERATOR console: time stamps, ids, times. */
	r = read_file(FMT_ZVM, "OPERATOR",
	    "zvm/zvmbootcamp-ipl-cold-start-operator.console", &g);
	ck_assert_uint_eq(count_id(&g, "HCPWRS2511A"), 5);
	ck_assert_uint_eq(count_id(&g, "HCPWRS2513I"), 2);
	m = find_id(&g, "HCPWRS2511A", 1);
	ck_assert_str_eq(m->text,
	    "HCPWRS2511A Spool files will be deleted because of COLD start.");
	ck_assert(m->has_time);
	/* 22:33:42 is later than noon + 1 h: the day before NOW. */
	ck_assert_int_eq(m->time, local(2024, 3, 9, 22, 33, 42));
	ck_assert_str_eq(m->user, "OPERATOR");
	ck_assert_int_eq(m->cls, 5);
	m = find_id(&g, "HCPCRC8082I", 0);
	ck_assert_str_eq(m->text, "HCPCRC8082I Accounting records are "
	    "accumulating for userid DISKACNT.");
	ck_assert_str_eq(g.v[7]->text, "GO");
	ck_assert_uint_eq(msgreader_stats(r)->out_of_order, 0);
	/* The continuation " for this system." and the status area. */
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 2);
	got_free(&g);
	msgreader_free(r);

	/* Virtual CPU prefixes. */
	r = read_file(FMT_ZVM, "LINUX1",
	    "zvm/zvmbootcamp-hcpgsp2627i-3270-wrap.console", &g);
	ck_assert_uint_eq(count_id(&g, "HCPGSP2627I"), 8);
	m = find_id(&g, "HCPGSP2627I", 0);
	ck_assert_int_eq(strncmp(m->text,
	    "HCPGSP2627I The virtual machine", 31), 0);
	got_free(&g);
	msgreader_free(r);

	/* XAUTOLOG, CMS, TCP/IP. */
	r = read_file(FMT_AUTO, "MAINT",
	    "zvm/zvmbootcamp-xautolog-hcpcls6056i.console", &g);
	m = find_id(&g, "HCPCLS6056I", 0);
	ck_assert_str_eq(m->text, "HCPCLS6056I XAUTOLOG information for "
	    "LINUX2: The IPL command is verified by the");
	got_free(&g);
	msgreader_free(r);
	r = read_file(FMT_AUTO, "TCPIP", "zvm/zvmbootcamp-tcpip-logon.console",
	    &g);
	ck_assert_uint_eq(count_id(&g, "DTCRUN1048I"), 7);
	ck_assert_uint_eq(count_id(&g, "DMSACP723I"), 3);
	m = find_id(&g, "DTCRUN1021R", 0);
	ck_assert_str_eq(m->text, "DTCRUN1021R To cancel TCP/IP Stack startup, "
	    "type any non-blank character and");
	got_free(&g);
	msgreader_free(r);
	r = read_file(FMT_AUTO, NULL,
	    "zvm/zvmbootcamp-ipl-start-prompt.console", &g);
	ck_assert_uint_eq(count_id(&g, "HCPZCO6718I"), 2);
	ck_assert_int_eq(find_id(&g, "HCPZCO6718I", 0)->format, FMT_ZVM);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_real_zos_d_u_all)
{
	struct got		 g;
	struct msgreader	*r;
	const struct message	*m;
	char			*buf, *line, *save = NULL;
	size_t			 n = 0;
	int			 format = _i == 0 ? FMT_ZOSLOG : FMT_AUTO;

	r = read_file(format, NULL,
	    "zos/ibm_zos_core-zos_operator-sample-D-U-ALL.console", &g);
	ck_assert_uint_eq(g.n, 3);
	ck_assert_str_eq(g.v[0]->text, "ISF031I CONSOLE OMVS0000 ACTIVATED");
	ck_assert_str_eq(g.v[1]->text, "-D U,ALL");
	m = g.v[2];
	ck_assert_str_eq(m->msgid, "IEE457I");
	ck_assert(m->has_time);
	ck_assert_int_eq(m->time, local(2022, 9, 1, 16, 0, 49));
	ck_assert_int_eq(m->format, FMT_ZOSLOG);
	ck_assert_uint_eq(m->flags & MSGF_UNENDED, 0);
	/* One message: its first line and every continuation line. */
	ck_assert_uint_eq(m->nlines, 12);
	ck_assert_str_eq(m->lines[0], "IEE457I 16.00.49 UNIT STATUS 645");
	buf = slurp("zos/ibm_zos_core-zos_operator-sample-D-U-ALL.console",
	    NULL);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != ' ')
			continue;
		n++;
		ck_assert_uint_lt(n, m->nlines);
		/* The line without its indentation and trailing blanks. */
		while (line[strlen(line) - 1] == ' ')
			line[strlen(line) - 1] = '\0';
		ck_assert_str_eq(m->lines[n], line + strspn(line, " "));
	}
	ck_assert_uint_eq(n, 11);
	free(buf);
	ck_assert_str_eq(m->lines[1],
	    "UNIT TYPE STATUS        VOLSER     VOLSTATE      SS");
	ck_assert_ptr_nonnull(strstr(m->text,
	    "645 UNIT TYPE STATUS        VOLSER"));
	ck_assert_uint_eq(msgreader_stats(r)->lines, 14);
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 0);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_real_zos_hello_joblog)
{
	struct got		 g;
	struct msgreader	*r;
	const struct message	*m;

	r = read_file(_i == 0 ? FMT_ZOSLOG : FMT_AUTO, NULL,
	    "zos/ibm_zos_core-zos_job_output-sample-HELLO-JOB00134.joblog", &g);
	m = find_id(&g, "$HASP395", 0);
	ck_assert_str_eq(m->text, "$HASP395 HELLO    ENDED - RC=0000");
	ck_assert_str_eq(m->jobid, "JOB00134");
	ck_assert(m->has_time);
	ck_assert_int_eq(m->time, local(2020, 2, 18, 10, 25, 48));
	ck_assert_uint_eq(count_id(&g, "$HASP375"), 2);
	ck_assert_str_eq(find_id(&g, "$HASP373", 0)->text, "$HASP373 HELLO    "
	    "STARTED - INIT 3    - CLASS R        - SYS STL1");
	ck_assert_str_eq(find_id(&g, "IRR010I", 0)->jobid, "JOB00134");
	ck_assert_str_eq(find_id(&g, "SMF000I", 0)->text,
	    "SMF000I  HELLO       STEP0001    IEBGENER    0000");
	/* ICH70001I: in JESMSGLG (timed) and in JESYSMSG (not). */
	ck_assert_uint_eq(count_id(&g, "ICH70001I"), 2);
	ck_assert(find_id(&g, "ICH70001I", 0)->has_time);
	ck_assert(!find_id(&g, "ICH70001I", 1)->has_time);
	ck_assert_uint_eq(count_id(&g, "IEF237I"), 4);
	ck_assert_uint_eq(count_id(&g, "IEF285I"), 3);
	/* IEF032I with its CPU, VIRT and ATB lines. */
	m = find_id(&g, "IEF032I", 0);
	ck_assert_uint_eq(m->nlines, 5);
	ck_assert_str_eq(m->lines[0],
	    "IEF032I STEP/STEP0001/STOP  2020049.1025");
	ck_assert_int_eq(strncmp(m->lines[1], "        CPU:", 12), 0);
	ck_assert_uint_eq(find_id(&g, "IEF033I", 0)->nlines, 2);
	ck_assert_str_eq(find_id(&g, "IEB352I", 0)->text,
	    "IEB352I WARNING: ONE OR MORE OF THE OUTPUT DCB PARMS COPIED FROM "
	    "INPUT");
	ck_assert_uint_eq(msgreader_stats(r)->lines, 55);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

START_TEST(test_real_mvs38j_joblog)
{
	struct got		 g;
	struct msgreader	*r;
	const struct message	*m;
	size_t			 i, timed = 0;

	r = read_file(_i == 0 ? FMT_ZOSLOG : FMT_AUTO, NULL,
	    "mvs38j/mbt-spool-healthy-MBTTEST.joblog", &g);
	ck_assert_uint_eq(g.n, 96);
	m = find_id(&g, "$HASP395", 0);
	ck_assert_str_eq(m->text, "$HASP395 MBTTEST  ENDED");
	ck_assert_str_eq(m->jobid, "JOB01032");
	ck_assert_int_eq(m->time, local(2024, 3, 10, 6, 41, 29));
	m = find_id(&g, "IEF403I", 0);
	ck_assert_str_eq(m->text, "IEF403I MBTTEST - STARTED - TIME=06.41.22");
	ck_assert_uint_eq(count_id(&g, "IEF142I"), 30);
	ck_assert_uint_eq(count_id(&g, "IEF404I"), 1);
	for (i = 0; i < g.n; i++)
		timed += g.v[i]->has_time;
	ck_assert_uint_eq(timed, 34);		/* the JESMSGLG lines */
	ck_assert_uint_eq(msgreader_stats(r)->out_of_order, 0);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

/* Every id of observed-message-ids.tsv is found where it first occurs. */
START_TEST(test_real_observed_ids)
{
	struct got		 g;
	struct msgreader	*r;
	char			*tsv, *line, *save = NULL, *tab, *rel;
	char			 text[64], out[MSGID_MAX];
	size_t			 n = 0;

	tsv = slurp("messages/observed-message-ids.tsv", NULL);
	for (line = strtok_r(tsv, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((tab = strchr(line, '\t')) == NULL ||
		    strncmp(line, "msgid\t", 6) == 0)
			continue;
		*tab = '\0';
		rel = tab + 1;
		ck_assert_uint_lt(strlen(line), MSGID_MAX);
		snprintf(text, sizeof text, "%s some text", line);
		ck_assert_uint_eq(msgid_find(text, strlen(text), out),
		    strlen(line));
		ck_assert_str_eq(out, line);
		snprintf(text, sizeof text, "*%s", line);
		ck_assert_uint_eq(msgid_find(text, strlen(text), out),
		    strlen(line));
		r = read_file(FMT_AUTO, NULL, rel, &g);
		ck_assert_msg(count_id(&g, line) > 0, "%s not found in %s",
		    line, rel);
		got_free(&g);
		msgreader_free(r);
		n++;
	}
	ck_assert_uint_ge(n, 60);
	free(tsv);
}
END_TEST

/* Split one CSV record (loghub quotes fields with commas). */
static size_t
csv_fields(char *line, char **f, size_t max)
{
	size_t	 n = 0;
	char	*w;

	while (n < max) {
		f[n++] = w = line;
		if (*line == '"') {
			for (line++; *line != '\0'; line++) {
				if (*line == '"' && line[1] == '"')
					*w++ = *line++;
				else if (*line == '"') {
					line++;
					break;
				} else
					*w++ = *line;
			}
		} else {
			while (*line != '\0' && *line != ',')
				*w++ = *line++;
		}
		if (*line != ',') {
			*w = '\0';
			break;
		}
		line++;
		*w = '\0';
	}
	return n;
}

/*
 * loghub's Linux and OpenSSH logs: every line is a syslog message whose
 * text is loghub's Content, whose host and time are the line's.
 */
START_TEST(test_real_loghub_syslog)
{
	static const struct {
		const char	*log, *csv;
		size_t		 host, comp, content;	/* CSV columns */
		const char	*hostname;
	} sets[] = {
		{ "loghub/Linux/Linux_2k.log",
		  "loghub/Linux/Linux_2k.log_structured.csv", 4, 5, 7,
		  "combo" },
		{ "loghub/OpenSSH/OpenSSH_2k.log",
		  "loghub/OpenSSH/OpenSSH_2k.log_structured.csv", 4, 4, 6,
		  "LabSZ" }
	};
	struct got		 g;
	struct msgreader	*r;
	char			*csv, *line, *save = NULL, *f[16], *e;
	size_t			 n = 0, nf;
	int			 k;

	k = _i % 2;
	r = read_file(_i < 2 ? FMT_SYSLOG : FMT_AUTO, NULL, sets[k].log, &g);
	ck_assert_uint_eq(g.n, 2000);
	ck_assert_uint_eq(msgreader_stats(r)->malformed, 0);
	csv = slurp(sets[k].csv, NULL);
	line = strtok_r(csv, "\n", &save);	/* the header */
	for (line = strtok_r(NULL, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((e = strchr(line, '\r')) != NULL)
			*e = '\0';
		nf = csv_fields(line, f, nitems(f));
		ck_assert_uint_gt(nf, sets[k].content);
		ck_assert_uint_lt(n, g.n);
		/* loghub trims Content; so do we. */
		ck_assert_msg(strcmp(g.v[n]->text, f[sets[k].content]) == 0,
		    "%s line %zu: \"%s\" vs \"%s\"", sets[k].log, n + 1,
		    g.v[n]->text, f[sets[k].content]);
		ck_assert_int_eq(g.v[n]->format, FMT_SYSLOG);
		ck_assert_str_eq(g.v[n]->system, sets[k].hostname);
		ck_assert(g.v[n]->has_time);
		if (k == 0) {
			/* Component "syslogd 1.4.1": the program is syslogd. */
			e = f[sets[k].comp];
			e[strcspn(e, " ")] = '\0';
			if (strcmp(e, "--") != 0)
				ck_assert_str_eq(g.v[n]->user, e);
		} else
			ck_assert_str_eq(g.v[n]->user, "sshd");
		n++;
	}
	ck_assert_uint_eq(n, 2000);
	free(csv);
	got_free(&g);
	msgreader_free(r);
}
END_TEST

/* Every loghub log goes through AUTO without surprises. */
START_TEST(test_real_loghub_all)
{
	static const char *const systems[] = {
		"Android", "Apache", "BGL", "HDFS", "HPC", "Hadoop",
		"HealthApp", "Linux", "Mac", "OpenSSH", "OpenStack",
		"Proxifier", "Spark", "Thunderbird", "Windows", "Zookeeper"
	};
	struct got		 g;
	struct msgreader	*r;
	const struct msgreader_stats *st;
	char			*rel;

	xasprintf(&rel, "loghub/%s/%s_2k.log", systems[_i], systems[_i]);
	r = read_file(FMT_AUTO, NULL, rel, &g);
	st = msgreader_stats(r);
	ck_assert_uint_eq(st->lines, 2000);
	ck_assert_uint_eq(st->messages, g.n);
	ck_assert_uint_le(g.n, 2000);
	ck_assert_uint_ge(g.n, 1900);
	ck_assert_uint_eq(st->truncated, 0);
	got_free(&g);
	msgreader_free(r);
	free(rel);
}
END_TEST

static Suite *
msgid_suite(void)
{
	Suite	*s = suite_create("msgid");
	TCase	*tc = tcase_create("msgid");

	tcase_add_test(tc, test_msgid_forms);
	tcase_add_test(tc, test_msgid_markers);
	tcase_add_test(tc, test_msgid_not_ids);
	tcase_add_test(tc, test_msgid_bounds);
	suite_add_tcase(s, tc);

	/* Bugs found and fixed, each explained at its test. */
	tc = tcase_create("regressions");
	tcase_set_tags(tc, "regression");
	tcase_add_test(tc, test_msgid_marker_at_end);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *
message_suite(void)
{
	Suite	*s = suite_create("message");
	TCase	*tc = tcase_create("message_create");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_message_ascii);
	tcase_add_test(tc, test_message_utf8_valid);
	tcase_add_test(tc, test_message_utf8_repair);
	tcase_add_test(tc, test_message_nul);
	tcase_add_test(tc, test_message_truncate_1mb);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *
plain_suite(void)
{
	Suite	*s = suite_create("format-plain");
	TCase	*tc = tcase_create("plain");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_plain_basic);
	tcase_add_test(tc, test_plain_bad_input);
	tcase_add_test(tc, test_format_names);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *
zvm_suite(void)
{
	Suite	*s = suite_create("format-zvm");
	TCase	*tc = tcase_create("zvm");

	tcase_add_test(tc, test_zvm_timestamp);
	tcase_add_test(tc, test_zvm_vcpu);
	tcase_add_test(tc, test_zvm_msg_from);
	tcase_add_test(tc, test_zvm_malformed);
	tcase_add_test(tc, test_zvm_out_of_order);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *
zos_suite(void)
{
	Suite	*s = suite_create("format-zos");
	TCase	*tc = tcase_create("zos");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_zos_fixed_layout);
	tcase_add_test(tc, test_zos_multiline_mde);
	tcase_add_test(tc, test_zos_unended);
	tcase_add_test(tc, test_zos_bounds);
	tcase_add_test(tc, test_zos_joblog);
	tcase_add_test(tc, test_zos_asa);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *
syslog_suite(void)
{
	Suite	*s = suite_create("format-syslog");
	TCase	*tc = tcase_create("syslog");

	tcase_add_test(tc, test_syslog_3164);
	tcase_add_test(tc, test_syslog_3164_year);
	tcase_add_test(tc, test_syslog_5424);
	tcase_add_test(tc, test_syslog_malformed);
	tcase_add_test(tc, test_syslog_file_lines);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *
hercules_suite(void)
{
	Suite	*s = suite_create("format-hercules");
	TCase	*tc = tcase_create("hercules");

	tcase_add_test(tc, test_hercules);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *
auto_suite(void)
{
	Suite	*s = suite_create("format-auto");
	TCase	*tc = tcase_create("auto");

	tcase_add_test(tc, test_auto_mixed);
	tcase_add_test(tc, test_auto_not_guessed);
	suite_add_tcase(s, tc);
	return s;
}

/* The real-data tests, when the data is there. */
static Suite *
real_suite(void)
{
	Suite		*s = suite_create("real-data");
	TCase		*tc;
	const char	*env = getenv("SHARED_DATA"), *top;
	char		*probe;
	FILE		*f;

	if (env != NULL && *env != '\0')
		data_dir = xstrdup(env);
	else {
		top = getenv("top_srcdir");
		xasprintf(&data_dir, "%s/../shared/data",
		    top != NULL ? top : ".");
	}
	probe = data_path("messages/observed-message-ids.tsv");
	f = fopen(probe, "r");
	free(probe);
	if (f == NULL) {
		printf("check_format: %s not found: skipping the tests on "
		    "real data\n", data_dir);
		return s;
	}
	fclose(f);

	tc = tcase_create("real");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_real_zvm_every_line, 0,
	    (int)nitems(zvm_files));
	tcase_add_loop_test(tc, test_real_zvm_every_line, 100,
	    100 + (int)nitems(zvm_files));
	tcase_add_test(tc, test_real_zvm_facts);
	tcase_add_loop_test(tc, test_real_zos_d_u_all, 0, 2);
	tcase_add_loop_test(tc, test_real_zos_hello_joblog, 0, 2);
	tcase_add_loop_test(tc, test_real_mvs38j_joblog, 0, 2);
	tcase_add_test(tc, test_real_observed_ids);
	tcase_add_loop_test(tc, test_real_loghub_syslog, 0, 4);
	tcase_add_loop_test(tc, test_real_loghub_all, 0, 16);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(msgid_suite());
	srunner_add_suite(sr, message_suite());
	srunner_add_suite(sr, plain_suite());
	srunner_add_suite(sr, zvm_suite());
	srunner_add_suite(sr, zos_suite());
	srunner_add_suite(sr, syslog_suite());
	srunner_add_suite(sr, hercules_suite());
	srunner_add_suite(sr, auto_suite());
	srunner_add_suite(sr, real_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	free(data_dir);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
