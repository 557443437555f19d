/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_proto.c - unit tests for cli/proto.c: requests encoded exactly as
 * engine/control.h says, decoded back for every byte string (random ones
 * included), every refusal of the strict decoder with its cause, the
 * length limit at and around CTL_REQUEST_MAX, response lines both ways,
 * and the terminal escaping (controls, C1, invalid UTF-8 escaped, valid
 * UTF-8 and the backslash kept, idempotent).
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/proto.h"
#include "engine/control.h"
#include "util/util.h"

/* Encode argv; the line must be want (with its '\n'). */
static void
enc_is(int argc, char *const *argv, const char *want)
{
	char	*line, *cause = NULL;
	size_t	 len;

	line = proto_request_encode(argc, argv, &len, &cause);
	ck_assert_msg(line != NULL, "refused: %s", cause);
	ck_assert_str_eq(line, want);
	ck_assert_uint_eq(len, strlen(want));
	free(line);
}

/* Decode line (no '\n'); it must be refused with exactly want. */
static void
dec_fails(const char *line, size_t len, const char *want)
{
	char	**argv, *cause = NULL;
	int	 argc;

	ck_assert_msg(!proto_request_decode(line, len, &argc, &argv, &cause),
	    "decoded, but should not: %.*s", (int)len, line);
	ck_assert_ptr_null(argv);
	ck_assert_int_eq(argc, 0);
	ck_assert_str_eq(cause, want);
	free(cause);
}

/* Encode, decode, and get the same words back. */
static void
round_trip(int argc, char *const *argv)
{
	char	*line, *cause = NULL, **back;
	size_t	 len;
	int	 n, i;

	line = proto_request_encode(argc, argv, &len, &cause);
	ck_assert_msg(line != NULL, "refused: %s", cause);
	ck_assert_uint_eq(len, strlen(line));
	ck_assert_int_eq(line[len - 1], '\n');
	ck_assert_ptr_null(memchr(line, '\n', len - 1));
	ck_assert_msg(proto_request_decode(line, len - 1, &n, &back, &cause),
	    "%s: %s", line, cause);
	ck_assert_int_eq(n, argc);
	for (i = 0; i < argc; i++)
		ck_assert_str_eq(back[i], argv[i]);
	ck_assert_ptr_null(back[argc]);
	proto_argv_free(back);
	free(line);
}

START_TEST(encode_exact)
{
	char	*a1[] = { "status" };
	char	*a2[] = { "run", "BKR LNX", "50%", "--parm", "" };
	char	*a3[] = { "inject", "a\tb\r\n\x7f\x01 z" };
	char	*a4[] = { "why", "\xc3\xa9t\xc3\xa9 \xff" };
	char	*a5[] = { "x", "", "", "y" };

	enc_is(1, a1, "status\n");
	enc_is(5, a2, "run BKR%20LNX 50%25 --parm \n");
	enc_is(2, a3, "inject a%09b%0D%0A%7F%01%20z\n");
	/* Bytes from 0x80 go as they are, valid UTF-8 or not. */
	enc_is(2, a4, "why \xc3\xa9t\xc3\xa9%20\xff\n");
	enc_is(4, a5, "x   y\n");
}
END_TEST

START_TEST(encode_refused)
{
	char	*empty[] = { "", "x" };
	char	*line, *cause = NULL, *big, *args[2];
	size_t	 len;

	ck_assert_ptr_null(proto_request_encode(0, empty, &len, &cause));
	ck_assert_str_eq(cause, "no command given");
	free(cause);
	ck_assert_ptr_null(proto_request_encode(2, empty, &len, &cause));
	ck_assert_str_eq(cause, "no command given");
	free(cause);

	/* The line with its '\n' may be CTL_REQUEST_MAX bytes, not one more. */
	big = xmalloc(CTL_REQUEST_MAX + 1);
	memset(big, 'a', CTL_REQUEST_MAX);
	big[CTL_REQUEST_MAX - 1] = '\0';
	args[0] = big;
	line = proto_request_encode(1, args, &len, &cause);
	ck_assert_ptr_nonnull(line);
	ck_assert_uint_eq(len, CTL_REQUEST_MAX);
	free(line);
	big[CTL_REQUEST_MAX - 1] = 'a';
	big[CTL_REQUEST_MAX] = '\0';
	ck_assert_ptr_null(proto_request_encode(1, args, &len, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "too long: at most 65536 bytes"));
	free(cause);
	/* Blanks take three bytes: a third of the limit is too much. */
	args[0] = "x";
	args[1] = big;
	memset(big, ' ', CTL_REQUEST_MAX / 3);
	big[CTL_REQUEST_MAX / 3] = '\0';
	ck_assert_ptr_null(proto_request_encode(2, args, &len, &cause));
	free(cause);
	free(big);
}
END_TEST

START_TEST(decode_words)
{
	char	**argv, *cause = NULL;
	int	 argc;

	ck_assert(proto_request_decode("a  b ", 5, &argc, &argv, &cause));
	ck_assert_int_eq(argc, 4);
	ck_assert_str_eq(argv[0], "a");
	ck_assert_str_eq(argv[1], "");
	ck_assert_str_eq(argv[2], "b");
	ck_assert_str_eq(argv[3], "");
	ck_assert_ptr_null(argv[4]);
	proto_argv_free(argv);

	ck_assert(proto_request_decode("q%25%20%7F\xff", 11, &argc, &argv,
	    &cause));
	ck_assert_int_eq(argc, 1);
	ck_assert_str_eq(argv[0], "q% \x7f\xff");
	proto_argv_free(argv);
	proto_argv_free(NULL);
}
END_TEST

START_TEST(decode_refused)
{
	char	*big;

	dec_fails("", 0, "empty request: no command");
	dec_fails(" status", 7, "empty command word at offset 0");
	dec_fails("st\0x", 4, "NUL byte at offset 2");
	dec_fails("status\r", 7,
	    "control byte 0x0d at offset 6: it must be sent as %0D");
	dec_fails("a\tb", 3,
	    "control byte 0x09 at offset 1: it must be sent as %09");
	dec_fails("a\nb", 3,
	    "control byte 0x0a at offset 1: it must be sent as %0A");
	dec_fails("a \x7f", 3,
	    "control byte 0x7f at offset 2: it must be sent as %7F");
	dec_fails("a %2", 4, "truncated escape at offset 2: '%' must be"
	    " followed by two hex digits");
	dec_fails("a%", 2, "truncated escape at offset 1: '%' must be"
	    " followed by two hex digits");
	dec_fails("a %G0", 5, "bad escape at offset 2: '%' must be followed"
	    " by two hex digits 0-9, A-F (upper case)");
	dec_fails("a %2f", 5, "bad escape at offset 2: '%' must be followed"
	    " by two hex digits 0-9, A-F (upper case)");
	dec_fails("a %\n0", 5, "bad escape at offset 2: '%' must be followed"
	    " by two hex digits 0-9, A-F (upper case)");
	dec_fails("a %00", 5,
	    "%00 at offset 2: an argument cannot hold a NUL byte");
	dec_fails("a %41", 5,
	    "%41 at offset 2 encodes 'A', which must be sent as itself");
	dec_fails("%C3%A9", 6,
	    "%C3 at offset 0 encodes '\xc3', which must be sent as itself");

	big = xmalloc(CTL_REQUEST_MAX);
	memset(big, 'a', CTL_REQUEST_MAX);
	dec_fails(big, CTL_REQUEST_MAX, "request longer than 65536 bytes");
	free(big);
}
END_TEST

/* The largest line that decodes: CTL_REQUEST_MAX - 1 bytes and '\n'. */
START_TEST(decode_limit)
{
	char	**argv, *cause = NULL, *big;
	int	 argc;

	big = xmalloc(CTL_REQUEST_MAX);
	memset(big, 'a', CTL_REQUEST_MAX);
	ck_assert(proto_request_decode(big, CTL_REQUEST_MAX - 1, &argc, &argv,
	    &cause));
	ck_assert_int_eq(argc, 1);
	ck_assert_uint_eq(strlen(argv[0]), CTL_REQUEST_MAX - 1);
	proto_argv_free(argv);
	free(big);
}
END_TEST

START_TEST(round_trips)
{
	char	*a1[] = { "view", "ZVM OPER", "--grep", "100%", "" };
	char	*a2[] = { "-", "%%", "%25", " ", "  x  " };

	round_trip(5, a1);
	round_trip(5, a2);
}
END_TEST

/* Every byte from 1 to 255, in random words: what goes comes back. */
START_TEST(round_trips_random)
{
	char		*argv[9];
	uint32_t	 x = 2463534242u;
	int		 iter, argc, i, j, len;

	for (iter = 0; iter < 2000; iter++) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		argc = 1 + (int)(x % 8);
		for (i = 0; i < argc; i++) {
			x ^= x << 13; x ^= x >> 17; x ^= x << 5;
			len = (int)(x % 40) + (i == 0);
			argv[i] = xmalloc((size_t)len + 1);
			for (j = 0; j < len; j++) {
				x ^= x << 13; x ^= x >> 17; x ^= x << 5;
				argv[i][j] = (char)(1 + x % 255);
			}
			argv[i][len] = '\0';
		}
		round_trip(argc, argv);
		for (i = 0; i < argc; i++)
			free(argv[i]);
	}
}
END_TEST

static char *
line_of(int tag, const char *text, size_t len)
{
	struct strbuf	 sb;

	strbuf_init(&sb);
	proto_line(&sb, tag, text, len);
	return strbuf_steal(&sb);
}

START_TEST(response_lines)
{
	struct proto_resp	 r;
	struct strbuf		 sb;
	char			*s, *cause = NULL;

	s = line_of(PROTO_OUT, "ok \x1b[2J", 7);
	ck_assert_str_eq(s, "|ok \\x1b[2J\n");
	ck_assert(proto_response_decode(s, strlen(s) - 1, &r, &cause));
	ck_assert_int_eq(r.tag, PROTO_OUT);
	ck_assert_uint_eq(r.len, 10);
	ck_assert(memcmp(r.text, "ok \\x1b[2J", 10) == 0);
	free(s);

	/* A '\n' in the text cannot make a second line. */
	s = line_of(PROTO_ERR, "refused\n=0", 10);
	ck_assert_str_eq(s, "!refused\\x0a=0\n");
	ck_assert(proto_response_decode(s, strlen(s) - 1, &r, &cause));
	ck_assert_int_eq(r.tag, PROTO_ERR);
	free(s);

	s = line_of(PROTO_OUT, "", 0);
	ck_assert_str_eq(s, "|\n");
	ck_assert(proto_response_decode(s, 1, &r, &cause));
	ck_assert_uint_eq(r.len, 0);
	free(s);

	strbuf_init(&sb);
	proto_end(&sb, 0);
	proto_end(&sb, 3);
	proto_end(&sb, 255);
	proto_end(&sb, 256);
	proto_end(&sb, -1);
	ck_assert_str_eq(sb.data, "=0\n=3\n=255\n=1\n=1\n");
	strbuf_free(&sb);

	ck_assert(proto_response_decode("=0", 2, &r, &cause));
	ck_assert_int_eq(r.tag, PROTO_END);
	ck_assert_int_eq(r.status, 0);
	ck_assert(proto_response_decode("=255", 4, &r, &cause));
	ck_assert_int_eq(r.status, 255);
	ck_assert(proto_response_decode("=42", 3, &r, &cause));
	ck_assert_int_eq(r.status, 42);
}
END_TEST

static void
resp_fails(const char *line, const char *want)
{
	struct proto_resp	 r;
	char			*cause = NULL;

	ck_assert_msg(!proto_response_decode(line, strlen(line), &r, &cause),
	    "decoded: %s", line);
	ck_assert_str_eq(cause, want);
	free(cause);
}

START_TEST(response_refused)
{
	static const char bad_end[] = "bad end line: expected '=' and a"
	    " status from 0 to 255";

	resp_fails("", "empty response line");
	resp_fails("?x", "response line with unknown tag 0x3f");
	resp_fails("\x1b", "response line with unknown tag 0x1b");
	resp_fails("=", bad_end);
	resp_fails("=256", bad_end);
	resp_fails("=01", bad_end);
	resp_fails("=00", bad_end);
	resp_fails("=1a", bad_end);
	resp_fails("=-1", bad_end);
	resp_fails("= 1", bad_end);
	resp_fails("=1000", bad_end);
}
END_TEST

static void
esc_is(const char *in, size_t len, const char *want)
{
	struct strbuf	 sb;

	strbuf_init(&sb);
	proto_escape(&sb, in, len);
	ck_assert_str_eq(sb.data != NULL ? sb.data : "", want);
	ck_assert_int_eq(proto_clean(in, len), strcmp(want, in) == 0 &&
	    strlen(in) == len);
	ck_assert(proto_clean(sb.data, sb.len));
	strbuf_free(&sb);
}

START_TEST(escape)
{
	esc_is("", 0, "");
	esc_is("plain text 100%", 15, "plain text 100%");
	esc_is("back\\slash \\x1b", 15, "back\\slash \\x1b");
	esc_is("\x1b[31mred\x1b[0m", 12, "\\x1b[31mred\\x1b[0m");
	esc_is("a\tb\r\n", 5, "a\\x09b\\x0d\\x0a");
	esc_is("nul\0x", 5, "nul\\x00x");
	esc_is("del\x7f", 4, "del\\x7f");
	/* Valid UTF-8 stays: é, €, U+1F600, U+00A0 (the first after C1). */
	esc_is("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0", 14,
	    "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0");
	/* C1 controls: U+009B is CSI on some terminals. */
	esc_is("\xc2\x9b" "2J \xc2\x80", 7, "\\xc2\\x9b2J \\xc2\\x80");
	/* Invalid: stray continuation, 0xff, overlong, surrogate, cut. */
	esc_is("\x80", 1, "\\x80");
	esc_is("\xff\xfe", 2, "\\xff\\xfe");
	esc_is("\xc0\xaf", 2, "\\xc0\\xaf");
	esc_is("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");
	esc_is("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80");
	esc_is("ok \xe2\x82", 5, "ok \\xe2\\x82");
	esc_is("\xe2\x82" "A", 3, "\\xe2\\x82A");
}
END_TEST

/* Random bytes: the escaped text is clean, and escaping it again is a no-op. */
START_TEST(escape_random)
{
	struct strbuf	 a, b;
	unsigned char	 buf[64];
	uint32_t	 x = 88172645u;
	size_t		 len, i;
	int		 iter;

	for (iter = 0; iter < 5000; iter++) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		len = x % sizeof buf;
		for (i = 0; i < len; i++) {
			x ^= x << 13; x ^= x >> 17; x ^= x << 5;
			/* Mostly high bytes, so that UTF-8 gets tried. */
			buf[i] = (unsigned char)(x & 0x100 ? 0x80 | x : x);
		}
		strbuf_init(&a);
		strbuf_init(&b);
		proto_escape(&a, (char *)buf, len);
		ck_assert(proto_clean(a.data, a.len));
		proto_escape(&b, a.data, a.len);
		ck_assert_uint_eq(a.len, b.len);
		ck_assert(a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
		for (i = 0; i < a.len; i++)
			ck_assert(((unsigned char)a.data[i] >= 0x20 &&
			    a.data[i] != 0x7f));
		ck_assert_int_eq(proto_clean((char *)buf, len),
		    a.len == len && (len == 0 || memcmp(a.data, buf, len) == 0));
		strbuf_free(&a);
		strbuf_free(&b);
	}
}
END_TEST

static Suite *
proto_suite(void)
{
	Suite	*s = suite_create("proto");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, encode_exact);
	tcase_add_test(tc, encode_refused);
	tcase_add_test(tc, decode_words);
	tcase_add_test(tc, decode_refused);
	tcase_add_test(tc, decode_limit);
	tcase_add_test(tc, round_trips);
	tcase_add_test(tc, round_trips_random);
	tcase_add_test(tc, response_lines);
	tcase_add_test(tc, response_refused);
	tcase_add_test(tc, escape);
	tcase_add_test(tc, escape_random);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(proto_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
