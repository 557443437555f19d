/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_framer.c - unit tests for engine/framer.c: lines with and without
 * "\r\n", RFC 6587 octet counting and non-transparent framing mixed on one
 * stream, bad counts and resynchronisation, records at, under and over the
 * limit, framer_finish() and framer_pending().  Every input is also fed
 * split at every byte position, one byte at a time and in random chunks,
 * and must give exactly what one push gives.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/framer.h"
#include "tests/unit/testutil.h"

/* Records as "LEN[!]:BYTES|" ('!' when cut): unambiguous, comparable. */
static void
on_record(const char *rec, size_t len, bool cut, void *arg)
{
	struct strbuf	*sb = arg;

	ck_assert_ptr_nonnull(rec);
	strbuf_addf(sb, "%zu%s:", len, cut ? "!" : "");
	strbuf_addn(sb, rec, len);
	strbuf_addc(sb, '|');
}

struct result {
	char		*out;
	size_t		 len;
	uint64_t	 cut;
	uint64_t	 bad;
};

static void
result_free(struct result *r)
{
	free(r->out);
}

/* Push n bytes in chunks of the sizes given (cycled; 0: all at once). */
static struct result
run(enum frame_mode mode, size_t max, const char *in, size_t n,
    const size_t *sizes, size_t nsizes)
{
	struct framer	 f;
	struct strbuf	 sb;
	struct result	 r;
	size_t		 off = 0, i = 0, c;

	strbuf_init(&sb);
	framer_init(&f, mode, max);
	while (off < n) {
		c = nsizes == 0 ? n - off : sizes[i++ % nsizes];
		if (c == 0 || c > n - off)
			c = n - off;
		framer_push(&f, in + off, c, on_record, &sb);
		ck_assert_uint_le(framer_pending(&f), max + 1);
		off += c;
	}
	framer_finish(&f, on_record, &sb);
	ck_assert_uint_eq(framer_pending(&f), 0);
	r.cut = f.cut;
	r.bad = f.bad;
	framer_free(&f);
	r.len = sb.len;
	r.out = strbuf_steal(&sb);
	return r;
}

/*
 * The records of in, checked against expected, and the same from every
 * split of the input: at each position, byte by byte, random chunks.
 */
static void
same(const struct result *r, const char *expected, size_t elen,
    uint64_t cut, uint64_t bad, const char *how)
{
	if (r->len != elen || memcmp(r->out, expected, elen) != 0)
		ck_abort_msg("%s: got '%s', expected '%s'", how, r->out,
		    expected);
	ck_assert_uint_eq(r->cut, cut);
	ck_assert_uint_eq(r->bad, bad);
}

static void
check_framing(enum frame_mode mode, size_t max, const char *in, size_t n,
    const char *expected, size_t elen, uint64_t cut, uint64_t bad)
{
	struct result	 r;
	size_t		 sizes[2], i, k, rnd[64];
	unsigned	 seed = 42;
	char		 how[64];

	r = run(mode, max, in, n, NULL, 0);
	same(&r, expected, elen, cut, bad, "one push");
	result_free(&r);
	for (i = 1; i < n; i++) {
		sizes[0] = i;
		sizes[1] = n;
		r = run(mode, max, in, n, sizes, 2);
		snprintf(how, sizeof how, "split at %zu", i);
		same(&r, expected, elen, cut, bad, how);
		result_free(&r);
	}
	sizes[0] = 1;
	r = run(mode, max, in, n, sizes, 1);
	same(&r, expected, elen, cut, bad, "byte by byte");
	result_free(&r);
	for (k = 0; k < 50; k++) {
		for (i = 0; i < nitems(rnd); i++)
			rnd[i] = 1 + (size_t)rand_r(&seed) % 7;
		r = run(mode, max, in, n, rnd, nitems(rnd));
		snprintf(how, sizeof how, "random chunks, round %zu", k);
		same(&r, expected, elen, cut, bad, how);
		result_free(&r);
	}
}

/* in and expected are string literals: NUL bytes may be inside. */
#define CHECK(mode, max, in, expected, cut, bad) \
	check_framing((mode), (max), (in), sizeof(in) - 1, (expected), \
	    sizeof(expected) - 1, (cut), (bad))

START_TEST(test_lines)
{
	CHECK(FRAME_LINES, 64, "", "", 0, 0);
	CHECK(FRAME_LINES, 64, "a\nbb\n\nccc\n", "1:a|2:bb|0:|3:ccc|", 0, 0);
	/* Only a '\r' just before '\n' goes. */
	CHECK(FRAME_LINES, 64, "a\r\nb\rc\r\n\r\r\n\r",
	    "1:a|3:b\rc|1:\r|0:|", 0, 0);
	/* Lines mode knows nothing of octet counts. */
	CHECK(FRAME_LINES, 64, "5 hello\n12x\n", "7:5 hello|3:12x|", 0, 0);
	/* A NUL is a byte like another. */
	CHECK(FRAME_LINES, 64, "a\0b\n", "3:a\0b|", 0, 0);
}
END_TEST

START_TEST(test_lines_limit)
{
	/* At max, at max + 1, far over, then a good line. */
	CHECK(FRAME_LINES, 4, "abcd\nabcde\nabcdefghij\nok\n",
	    "4:abcd|4!:abcd|4!:abcd|2:ok|", 2, 0);
	/* max bytes and "\r\n": not cut; max bytes, '\r', more: cut. */
	CHECK(FRAME_LINES, 4, "abcd\r\nabcd\rx\nabc\r\r\n",
	    "4:abcd|4!:abcd|4:abc\r|", 1, 0);
	/* A '\r' at max + 1 at the end of the input. */
	CHECK(FRAME_LINES, 4, "abcd\r", "4:abcd|", 0, 0);
	CHECK(FRAME_LINES, 4, "abcde", "4!:abcd|", 1, 0);
	CHECK(FRAME_LINES, 1, "\n\r\na\nab\n", "0:|0:|1:a|1!:a|", 1, 0);
}
END_TEST

START_TEST(test_finish)
{
	CHECK(FRAME_LINES, 64, "abc", "3:abc|", 0, 0);
	CHECK(FRAME_LINES, 64, "abc\r", "3:abc|", 0, 0);
	CHECK(FRAME_LINES, 64, "a\nb\r\nc", "1:a|1:b|1:c|", 0, 0);
	/* An unfinished octet-counted record: what came of it. */
	CHECK(FRAME_SYSLOG, 64, "10 abc", "3:abc|", 0, 0);
	/* A count without its space, or without any byte: nothing. */
	CHECK(FRAME_SYSLOG, 64, "3 abc12", "3:abc|", 0, 0);
	CHECK(FRAME_SYSLOG, 64, "3 abc12 ", "3:abc|", 0, 0);
	/* A non-transparent record without its '\n'. */
	CHECK(FRAME_SYSLOG, 64, "<13>x", "5:<13>x|", 0, 0);
}
END_TEST

START_TEST(test_octet_counting)
{
	CHECK(FRAME_SYSLOG, 64, "5 hello3 abc", "5:hello|3:abc|", 0, 0);
	/* MSG is taken as it is: '\n', '\r' and digits inside. */
	CHECK(FRAME_SYSLOG, 64, "6 a\nb\r\n111 12 34 56 78",
	    "6:a\nb\r\n1|11:12 34 56 78|", 0, 0);
	/* A count of 9 digits is fine. */
	CHECK(FRAME_SYSLOG, 8, "100000000 abc", "3:abc|", 0, 0);
	CHECK(FRAME_SYSLOG, 64,
	    "58 <13>1 2024-01-01T00:00:00Z host app - - - hello world ok!\n"
	    "58 <13>1 2024-01-01T00:00:00Z host app - - - hello world ok!\n",
	    "58:<13>1 2024-01-01T00:00:00Z host app - - - hello world ok!\n|"
	    "58:<13>1 2024-01-01T00:00:00Z host app - - - hello world ok!\n|",
	    0, 0);
}
END_TEST

START_TEST(test_mixed)
{
	/* The choice is made per record. */
	CHECK(FRAME_SYSLOG, 64, "5 hello<13>foo\r\n3 abc<14>bar\n\n2 ok",
	    "5:hello|7:<13>foo|3:abc|7:<14>bar|0:|2:ok|", 0, 0);
	/* A '\n' after a counted record (some senders add one). */
	CHECK(FRAME_SYSLOG, 64, "3 abc\n3 def\n", "3:abc|0:|3:def|0:|", 0, 0);
}
END_TEST

START_TEST(test_bad_counts)
{
	/* A count of 0, a leading zero: resync after the next '\n'. */
	CHECK(FRAME_SYSLOG, 64, "0 x\n5 hello", "5:hello|", 0, 1);
	CHECK(FRAME_SYSLOG, 64, "05 hello\n<1>ok\n", "5:<1>ok|", 0, 1);
	/* Garbage after the digits, a '\n' right after them. */
	CHECK(FRAME_SYSLOG, 64, "12x junk 3 abc\n<13>ok\n", "6:<13>ok|", 0, 1);
	CHECK(FRAME_SYSLOG, 64, "12\n3 abc", "3:abc|", 0, 1);
	/* Ten digits: absurd. */
	CHECK(FRAME_SYSLOG, 64, "1234567890 abc\n3 abc", "3:abc|", 0, 1);
	/* Several in a row, and nothing after the last. */
	CHECK(FRAME_SYSLOG, 64, "1a\n2b\n3c", "", 0, 3);
	/* High bytes are not digits. */
	CHECK(FRAME_SYSLOG, 64, "1\xb9 x\n", "", 0, 1);
}
END_TEST

START_TEST(test_octets_limit)
{
	/* At max, at max + 1, huge. */
	CHECK(FRAME_SYSLOG, 4, "4 abcd5 abcde3 xyz", "4:abcd|4!:abcd|3:xyz|",
	    1, 0);
	CHECK(FRAME_SYSLOG, 4, "20 aaaaaaaaaaaaaaaaaaaa3 abc",
	    "4!:aaaa|3:abc|", 1, 0);
	/* A huge count, cut and then ended early. */
	CHECK(FRAME_SYSLOG, 4, "999999999 abcdefgh", "4!:abcd|", 1, 0);
	/* A non-transparent record over max. */
	CHECK(FRAME_SYSLOG, 4, "<13>abc\n<1>x\r\n", "4!:<13>|4:<1>x|", 1, 0);
}
END_TEST

static void
count_cb(const char *rec, size_t len, bool cut, void *arg)
{
	size_t	*n = arg;

	(void)rec;
	(void)len;
	(void)cut;
	(*n)++;
}

START_TEST(test_pending)
{
	struct framer	 f;
	size_t		 n = 0;

	framer_init(&f, FRAME_LINES, 16);
	ck_assert_uint_eq(framer_pending(&f), 0);
	framer_push(&f, "abc\nde", 6, count_cb, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(framer_pending(&f), 2);
	framer_push(&f, "0123456789abcdefgh", 18, count_cb, &n);
	ck_assert_uint_eq(n, 2);		/* cut, given at once */
	ck_assert_uint_eq(framer_pending(&f), 0);
	ck_assert_uint_eq(f.cut, 1);
	framer_push(&f, "more\nxy", 7, count_cb, &n);
	ck_assert_uint_eq(n, 2);		/* skipped to the '\n' */
	ck_assert_uint_eq(framer_pending(&f), 2);
	framer_finish(&f, count_cb, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(framer_pending(&f), 0);
	/* Usable again after finish: a new stream. */
	framer_push(&f, "z\n", 2, count_cb, &n);
	ck_assert_uint_eq(n, 4);
	framer_free(&f);
	framer_free(NULL);

	framer_init(&f, FRAME_SYSLOG, 16);
	framer_push(&f, "12", 2, count_cb, &n);
	ck_assert_uint_eq(framer_pending(&f), 0);	/* a count, no record */
	framer_push(&f, " abcd", 5, count_cb, &n);
	ck_assert_uint_eq(framer_pending(&f), 4);
	framer_push(&f, "efghijkl", 8, count_cb, &n);
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(framer_pending(&f), 0);
	framer_finish(&f, count_cb, &n);
	ck_assert_uint_eq(n, 5);
	framer_free(&f);
}
END_TEST

/* A long random stream of both framings against a model of it. */
START_TEST(test_random_streams)
{
	struct strbuf	 in, want;
	struct result	 r;
	size_t		 sizes[16], i, j, len, max = 40, cut = 0;
	unsigned	 seed = 7;
	char		 c;
	int		 round;
	enum frame_mode	 mode;

	for (round = 0; round < 40; round++) {
		mode = round % 2 == 0 ? FRAME_LINES : FRAME_SYSLOG;
		strbuf_init(&in);
		strbuf_init(&want);
		cut = 0;
		for (i = 0; i < 200; i++) {
			len = (size_t)rand_r(&seed) % 60;
			if (mode == FRAME_SYSLOG && rand_r(&seed) % 2 == 0) {
				strbuf_addf(&in, "%zu ", len + 1);
				strbuf_addf(&want, "%zu%s:", len + 1 > max ?
				    max : len + 1, len + 1 > max ? "!" : "");
				for (j = 0; j < len + 1; j++) {
					c = (char)(rand_r(&seed) % 256);
					strbuf_addc(&in, c);
					if (j < max)
						strbuf_addc(&want, c);
				}
				cut += len + 1 > max;
			} else {
				/* Lines: no '\n' inside, may start '<'. */
				strbuf_addf(&want, "%zu%s:", len > max ? max :
				    len, len > max ? "!" : "");
				for (j = 0; j < len; j++) {
					c = (char)('<' + rand_r(&seed) % 60);
					strbuf_addc(&in, c);
					if (j < max)
						strbuf_addc(&want, c);
				}
				strbuf_adds(&in, rand_r(&seed) % 2 ? "\r\n" :
				    "\n");
				cut += len > max;
			}
			strbuf_addc(&want, '|');
		}
		for (i = 0; i < nitems(sizes); i++)
			sizes[i] = 1 + (size_t)rand_r(&seed) % 100;
		r = run(mode, max, in.data, in.len, sizes, nitems(sizes));
		same(&r, want.data, want.len, cut, 0, "random stream");
		result_free(&r);
		r = run(mode, max, in.data, in.len, NULL, 0);
		same(&r, want.data, want.len, cut, 0, "random stream, one push");
		result_free(&r);
		strbuf_free(&in);
		strbuf_free(&want);
	}
}
END_TEST

static Suite *
framer_suite(void)
{
	Suite	*s = suite_create("framer");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_lines);
	tcase_add_test(tc, test_lines_limit);
	tcase_add_test(tc, test_finish);
	tcase_add_test(tc, test_octet_counting);
	tcase_add_test(tc, test_mixed);
	tcase_add_test(tc, test_bad_counts);
	tcase_add_test(tc, test_octets_limit);
	tcase_add_test(tc, test_pending);
	tcase_add_test(tc, test_random_streams);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(framer_suite());
	int	 failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
