/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_conslog.c - unit tests for engine/conslog.c on real files: the
 * exact line format, escaping, buffering, rotation, reopening after an
 * external rename, file-name sanitisation, huge and hostile input, and a
 * real full disk (a 64 KiB tmpfs, when we may mount one) with degraded
 * mode and recovery.  Each test works in its own temporary directory.
 */
#include "config.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <check.h>
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/conslog.h"
#include "tests/unit/testutil.h"

/* 2026-11-22T01:24:01.123Z */
#define WHEN	1795310641.123
#define STAMP	"2026-11-22T01:24:01.123Z"
#define HDR	27	/* strlen(STAMP " U ") */

static char	 tmpdir[] = "/tmp/check_conslog.XXXXXX";
static bool	 mounted;

/* What the health callback saw. */
struct health {
	unsigned	 ndegraded;
	unsigned	 nrecovered;
	char		*why;		/* the last one */
};

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/check_conslog.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	mounted = false;
}

static void
teardown(void)
{
	if (mounted)
		umount(tmpdir);
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
on_health(bool degraded, const char *why, void *arg)
{
	struct health	*h = arg;

	if (degraded)
		h->ndegraded++;
	else
		h->nrecovered++;
	free(h->why);
	h->why = xstrdup(why);
}

/* DIR/name, caller frees. */
static char *
tpath(const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", tmpdir, name);
	return p;
}

/* The whole content of DIR/name; NULL if it does not exist. */
static char *
slurp(const char *name, size_t *lenp)
{
	struct strbuf	 sb;
	char		 buf[65536], *p = tpath(name);
	ssize_t		 n;
	int		 fd;

	fd = open(p, O_RDONLY);
	free(p);
	if (fd == -1)
		return NULL;
	strbuf_init(&sb);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		strbuf_addn(&sb, buf, (size_t)n);
	close(fd);
	if (lenp != NULL)
		*lenp = sb.len;
	return strbuf_steal(&sb);
}

/* DIR/name must hold exactly want. */
static void
check_file(const char *name, const char *want)
{
	char	*got = slurp(name, NULL);

	ck_assert_msg(got != NULL, "%s: missing", name);
	ck_assert_msg(strcmp(got, want) == 0, "%s:\ngot:\n%s\nwant:\n%s",
	    name, got, want);
	free(got);
}

static bool
exists(const char *name)
{
	char		*p = tpath(name);
	struct stat	 st;
	bool		 yes = stat(p, &st) == 0;

	free(p);
	return yes;
}

static struct conslog *
open_log(uint64_t max, unsigned keep, struct health *h)
{
	struct conslog	*cl;
	char		*err = NULL;

	cl = conslog_open(tmpdir, max, keep, on_health, h, &err);
	ck_assert_msg(cl != NULL, "conslog_open: %s", err);
	return cl;
}

static void
put(struct conslog *cl, const char *src, const char *user, const char *text)
{
	conslog_write(cl, src, WHEN, user, text, strlen(text));
}

START_TEST(test_format)
{
	struct health	 h = { 0 };
	struct conslog	*cl = open_log(0, 8, &h);
	char		*p;

	put(cl, "OPERATOR", "BKRLNXD", "HCPSIG2113I User BKRLNXD has "
	    "reported successful termination");
	put(cl, "TCPIP", "TCPIP", "DTCUTI001I hello");
	put(cl, "OPERATOR", "MAINT", "second");
	conslog_write(cl, "OPERATOR", 0.0, NULL, "epoch", 5);
	conslog_write(cl, "OPERATOR", 1795310641.9996, "", "rounded", 7);

	/* Buffered: the file exists (opened at once) but is empty. */
	check_file("OPERATOR.log", "");
	conslog_flush(cl);
	check_file("OPERATOR.log",
	    STAMP " BKRLNXD HCPSIG2113I User BKRLNXD has reported successful "
	    "termination\n"
	    STAMP " MAINT second\n"
	    "1970-01-01T00:00:00.000Z - epoch\n"
	    "2026-11-22T01:24:02.000Z - rounded\n");
	check_file("TCPIP.log", STAMP " TCPIP DTCUTI001I hello\n");

	p = conslog_path(cl, "TCPIP");
	ck_assert_str_eq(p + strlen(tmpdir), "/TCPIP.log");
	free(p);

	/* Appends to what is there when reopened. */
	conslog_close(cl);
	cl = open_log(0, 8, &h);
	put(cl, "TCPIP", "TCPIP", "again");
	conslog_close(cl);
	check_file("TCPIP.log", STAMP " TCPIP DTCUTI001I hello\n"
	    STAMP " TCPIP again\n");
	ck_assert_uint_eq(h.ndegraded + h.nrecovered, 0);
}
END_TEST

START_TEST(test_escape)
{
	struct health	 h = { 0 };
	struct conslog	*cl = open_log(0, 8, &h);
	static const char nul[] = "a\0b";

	put(cl, "E", "U", "tab\there\r\nnext\x1b[31m\x7f end");
	put(cl, "E", "U", "back\\slash \\x41");
	put(cl, "E", "U", "bad \xff \xc3( \xe2\x82 \xed\xa0\x80 \xf4\x90\x80\x80"
	    " \xc0\xaf|");
	put(cl, "E", "U", "ok \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
	    "\xc2\xa0|");
	put(cl, "E", "U", "c1 \xc2\x9b" "31m \xc2\x85|");
	conslog_write(cl, "E", WHEN, "U", nul, sizeof nul - 1);
	conslog_write(cl, "E", WHEN, NULL, "", 0);
	conslog_write(cl, "E", WHEN, NULL, NULL, 10);
	put(cl, "E", "TWO WORDS\n", "user escaped");
	put(cl, "E", "\\\xff", "user backslash");
	conslog_close(cl);
	check_file("E.log",
	    STAMP " U tab\\x09here\\x0d\\x0anext\\x1b[31m\\x7f end\n"
	    STAMP " U back\\\\slash \\\\x41\n"
	    STAMP " U bad \\xff \\xc3( \\xe2\\x82 \\xed\\xa0\\x80 "
	    "\\xf4\\x90\\x80\\x80 \\xc0\\xaf|\n"
	    STAMP " U ok \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
	    "\xc2\xa0|\n"
	    STAMP " U c1 \\xc2\\x9b31m \\xc2\\x85|\n"
	    STAMP " U a\\x00b\n"
	    STAMP " - \n"
	    STAMP " - \n"
	    STAMP " TWO\\x20WORDS\\x0a user escaped\n"
	    STAMP " \\\\\\xff user backslash\n");
	ck_assert_uint_eq(h.ndegraded, 0);
}
END_TEST

/* Lines of exactly 40 bytes: STAMP, " U ", 12 bytes of text, '\n'. */
#define L(t)	STAMP " U " t "\n"

START_TEST(test_rotation)
{
	struct health	 h = { 0 };
	struct conslog	*cl = open_log(100, 2, &h);
	char		 text[16], big[200];
	size_t		 len;
	int		 i;

	ck_assert_uint_eq(strlen(L("line-0000001")), 40);
	for (i = 1; i <= 7; i++) {
		snprintf(text, sizeof text, "line-%07d", i);
		put(cl, "R", "U", text);
		if (i == 4)
			conslog_flush(cl);	/* either way */
	}
	conslog_flush(cl);
	check_file("R.log", L("line-0000007"));
	check_file("R.log.1", L("line-0000005") L("line-0000006"));
	check_file("R.log.2", L("line-0000003") L("line-0000004"));
	ck_assert(!exists("R.log.3"));

	/* A line longer than max_bytes goes alone into a fresh file. */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	put(cl, "R", "U", big);
	put(cl, "R", "U", "line-0000008");
	conslog_close(cl);
	check_file("R.log", L("line-0000008"));
	check_file("R.log.2", L("line-0000007"));
	free(slurp("R.log.1", &len));
	ck_assert_uint_eq(len, HDR + 199 + 1);
	ck_assert(!exists("R.log.3"));

	/* keep 0: the full file is simply removed. */
	cl = open_log(100, 0, &h);
	for (i = 1; i <= 3; i++) {
		snprintf(text, sizeof text, "line-%07d", i);
		put(cl, "Z", "U", text);
	}
	conslog_close(cl);
	check_file("Z.log", L("line-0000003"));
	ck_assert(!exists("Z.log.1"));
	ck_assert_uint_eq(h.ndegraded, 0);
}
END_TEST

START_TEST(test_rotation_existing)
{
	struct health	 h = { 0 };
	struct conslog	*cl;
	char		*p = tpath("S.log");
	int		 fd;

	/* Size is taken from the file found at open. */
	fd = open(p, O_WRONLY | O_CREAT, 0640);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, L("old-00000001") L("old-00000002"), 80),
	    80);
	close(fd);
	free(p);
	cl = open_log(100, 3, &h);
	put(cl, "S", "U", "new-00000001");
	conslog_close(cl);
	check_file("S.log", L("new-00000001"));
	check_file("S.log.1", L("old-00000001") L("old-00000002"));
}
END_TEST

START_TEST(test_reopen)
{
	struct health	 h = { 0 };
	struct conslog	*cl = open_log(0, 8, &h);
	char		*from = tpath("M.log"), *to = tpath("M.log.moved");

	put(cl, "M", "U", "before");
	conslog_flush(cl);
	ck_assert_int_eq(rename(from, to), 0);
	put(cl, "M", "U", "just after");	/* within the second: old file */
	conslog_flush(cl);
	usleep(1100 * 1000);
	put(cl, "M", "U", "after");
	conslog_flush(cl);
	check_file("M.log.moved", STAMP " U before\n" STAMP " U just after\n");
	check_file("M.log", STAMP " U after\n");

	/* Removed outright. */
	ck_assert_int_eq(unlink(from), 0);
	usleep(1100 * 1000);
	put(cl, "M", "U", "recreated");
	conslog_close(cl);
	check_file("M.log", STAMP " U recreated\n");
	ck_assert_uint_eq(h.ndegraded, 0);
	free(from);
	free(to);
}
END_TEST

START_TEST(test_sanitise)
{
	static const struct {
		const char	*source;
		const char	*file;
	} t[] = {
		{ "OK$#@_-9az", "OK$#@_-9az.log" },
		{ "../evil", "___evil.log" },
		{ "..", "__.log" },
		{ "a/b", "a_b.log" },
		{ "/etc/passwd", "_etc_passwd.log" },
		{ "sp ace\n", "sp_ace_.log" },
		{ "\xc3\xa9", "__.log" },
		{ "", "_.log" },
		{ NULL, "_.log" },
	};
	struct health	 h = { 0 };
	struct conslog	*cl = open_log(0, 8, &h);
	char		 longname[300], *p;
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		p = conslog_path(cl, t[i].source);
		ck_assert_str_eq(p + strlen(tmpdir) + 1, t[i].file);
		free(p);
		put(cl, t[i].source, "U", "x");
	}
	memset(longname, 'L', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	p = conslog_path(cl, longname);
	ck_assert_uint_eq(strlen(p), strlen(tmpdir) + 1 + 100 + 4);
	free(p);
	put(cl, longname, "U", "long");
	conslog_close(cl);

	/* Nothing outside; sources sharing a name share the file. */
	ck_assert(!exists("../evil.log"));
	check_file("a_b.log", STAMP " U x\n");
	check_file("_.log", STAMP " U x\n" STAMP " U x\n");
	check_file("__.log", STAMP " U x\n" STAMP " U x\n");
	check_file("___evil.log", STAMP " U x\n");
	ck_assert_uint_eq(h.ndegraded, 0);
}
END_TEST

START_TEST(test_many_sources)
{
	struct health	 h = { 0 };
	struct conslog	*cl = open_log(0, 8, &h);
	char		 name[32], want[64];
	int		 i;

	for (i = 299; i >= 0; i--) {
		snprintf(name, sizeof name, "S%03d", (i * 7) % 300);
		put(cl, name, "U", name);
	}
	conslog_close(cl);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "S%03d.log", i);
		snprintf(want, sizeof want, STAMP " U S%03d\n", i);
		check_file(name, want);
	}
}
END_TEST

START_TEST(test_buffer_and_huge)
{
	struct health	 h = { 0 };
	struct conslog	*cl = open_log(0, 8, &h);
	size_t		 n = 1024 * 1024, len, i;
	char		*text = xcalloc(1, n), *got;

	/* 2,000 lines of 40 bytes: more than a buffer, written before flush. */
	for (i = 0; i < 2000; i++)
		put(cl, "B", "U", "line-0000000");
	free(slurp("B.log", &len));
	ck_assert_uint_gt(len, 0);
	ck_assert_uint_lt(len, 2000 * 40);
	ck_assert_uint_eq(len % 40, 0);

	/* 1 MiB of NULs: 4 MiB escaped, one line. */
	conslog_write(cl, "H", WHEN, "U", text, n);
	memset(text, '\xff', n);
	conslog_write(cl, "H", WHEN, "U", text, n);
	conslog_close(cl);
	free(slurp("B.log", &len));
	ck_assert_uint_eq(len, 2000 * 40);
	got = slurp("H.log", &len);
	ck_assert_uint_eq(len, 2 * (HDR + 4 * n + 1));
	ck_assert(memcmp(got, STAMP " U \\x00\\x00", HDR + 8) == 0);
	ck_assert(got[HDR + 4 * n] == '\n');
	ck_assert(memcmp(got + HDR + 4 * n + 1 + HDR, "\\xff\\xff", 8) == 0);
	ck_assert(memchr(got, '\n', len) == got + HDR + 4 * n);
	free(got);
	free(text);
	ck_assert_uint_eq(h.ndegraded, 0);
}
END_TEST

START_TEST(test_open_errors)
{
	char		*err = NULL, *p = tpath("file");
	struct conslog	*cl;
	int		 fd;

	fd = open(p, O_WRONLY | O_CREAT, 0640);
	close(fd);
	ck_assert_ptr_null(conslog_open(p, 0, 8, NULL, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err, "Not a directory"));
	free(err);
	free(p);

	/* Missing parents are created. */
	p = tpath("a/b/c/");
	cl = conslog_open(p, 0, 8, NULL, NULL, &err);
	ck_assert_ptr_nonnull(cl);
	put(cl, "X", "U", "deep");
	conslog_close(cl);
	check_file("a/b/c/X.log", STAMP " U deep\n");
	free(p);

	/* NULL is harmless everywhere it may be passed. */
	conslog_write(NULL, "X", WHEN, "U", "x", 1);
	conslog_flush(NULL);
	conslog_close(NULL);
	ck_assert(!conslog_degraded(NULL));
	ck_assert_uint_eq(conslog_lost(NULL), 0);
}
END_TEST

/* Fill the file system holding DIR/filler until it refuses. */
static void
fill(void)
{
	char	 buf[4096], *p = tpath("filler");
	int	 fd = open(p, O_WRONLY | O_CREAT, 0600);

	ck_assert_int_ne(fd, -1);
	memset(buf, 'f', sizeof buf);
	while (write(fd, buf, sizeof buf) > 0)
		;
	while (write(fd, buf, 1) > 0)
		;
	ck_assert_int_eq(errno, ENOSPC);
	close(fd);
	free(p);
}

START_TEST(test_disk_full)
{
	struct health	 h = { 0 };
	struct conslog	*cl;
	char		*big, *p, *want;
	size_t		 n = 6000;

	/*
	 * In a mount namespace of our own, so that the tmpfs goes away with
	 * the process even when a failed assertion skips the teardown.
	 */
	if (geteuid() != 0 || unshare(CLONE_NEWNS) == -1 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == -1 ||
	    mount("tmpfs", tmpdir, "tmpfs", 0, "size=64k,mode=0700") == -1) {
		printf("test_disk_full: skipped: cannot mount a tmpfs (%s)\n",
		    geteuid() != 0 ? "not root" : strerror(errno));
		return;
	}
	mounted = true;

	cl = open_log(0, 8, &h);
	put(cl, "F", "U", "A");
	conslog_flush(cl);
	fill();

	/* Lines larger than a page, so the tmpfs cannot take them. */
	big = xmalloc(n + 1);
	memset(big, 'b', n);
	big[n] = '\0';
	put(cl, "F", "U", big);
	put(cl, "F", "U", big);
	conslog_flush(cl);
	ck_assert(conslog_degraded(cl));
	ck_assert_uint_eq(h.ndegraded, 1);
	p = conslog_path(cl, "F");
	xasprintf(&want, "console log %s: %s", p, strerror(ENOSPC));
	ck_assert_str_eq(h.why, want);
	free(want);
	free(p);
	ck_assert_uint_eq(conslog_lost(cl), 2);

	/* Within the second: dropped, counted, no new report. */
	put(cl, "F", "U", "C");
	put(cl, "G", "U", "D");
	conslog_flush(cl);
	ck_assert_uint_eq(conslog_lost(cl), 4);
	ck_assert_uint_eq(h.ndegraded, 1);

	/* Still full after a second: a retry fails quietly. */
	usleep(1100 * 1000);
	put(cl, "F", "U", big);
	conslog_flush(cl);
	ck_assert(conslog_degraded(cl));
	ck_assert_uint_eq(conslog_lost(cl), 5);
	ck_assert_uint_eq(h.ndegraded, 1);
	ck_assert_uint_eq(h.nrecovered, 0);

	/* Space again: the next retry, a second later, succeeds. */
	p = tpath("filler");
	ck_assert_int_eq(unlink(p), 0);
	free(p);
	put(cl, "F", "U", "B");
	conslog_flush(cl);			/* too early: lost */
	ck_assert(conslog_degraded(cl));
	ck_assert_uint_eq(conslog_lost(cl), 6);
	usleep(1100 * 1000);
	put(cl, "F", "U", "E");
	conslog_flush(cl);
	ck_assert(!conslog_degraded(cl));
	ck_assert_uint_eq(h.nrecovered, 1);
	xasprintf(&want, "console log %s recovered; 6 lines lost", tmpdir);
	ck_assert_str_eq(h.why, want);
	free(want);
	conslog_close(cl);

	/* Whole lines only: a torn write was cut back. */
	check_file("F.log", STAMP " U A\n" STAMP " U E\n");
	free(h.why);
	free(big);
}
END_TEST

static Suite *
conslog_suite(void)
{
	Suite	*s = suite_create("conslog");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_rotation);
	tcase_add_test(tc, test_rotation_existing);
	tcase_add_test(tc, test_reopen);
	tcase_add_test(tc, test_sanitise);
	tcase_add_test(tc, test_many_sources);
	tcase_add_test(tc, test_buffer_and_huge);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_disk_full);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(conslog_suite());
	int	 failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
