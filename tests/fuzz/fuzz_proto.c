/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_proto.c - libFuzzer target for cli/proto.c, the control protocol's
 * codec.  The input is tried as a request line and as a response line:
 * decoding must not crash, and whatever decodes must encode back to the
 * very same line (the decoder accepts only the canonical form).  Split at
 * its NUL bytes, the input is also an argv: encoded, it must decode to the
 * same words.  And escaping it for a terminal must give clean text that
 * escaping again leaves unchanged.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/proto.h"
#include "util/util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
same(const char *what, const char *a, size_t alen, const char *b,
    size_t blen)
{
	if (alen != blen || memcmp(a, b, alen) != 0) {
		fprintf(stderr, "%s: '%.*s' (%zu) is not '%.*s' (%zu)\n", what,
		    (int)alen, a, alen, (int)blen, b, blen);
		abort();
	}
}

/* A request line: decoded, it must encode to itself. */
static void
request(const char *p, size_t n)
{
	char	**argv, *cause = NULL, *line;
	size_t	 len;
	int	 argc;

	if (!proto_request_decode(p, n, &argc, &argv, &cause)) {
		if (cause == NULL || *cause == '\0')
			abort();
		free(cause);
		return;
	}
	if (argc < 1 || argv[0][0] == '\0' || argv[argc] != NULL)
		abort();
	if ((line = proto_request_encode(argc, argv, &len, &cause)) == NULL) {
		fprintf(stderr, "decoded but not encoded: %s\n", cause);
		abort();
	}
	if (len == 0 || line[len - 1] != '\n')
		abort();
	same("request", line, len - 1, p, n);
	free(line);
	proto_argv_free(argv);
}

/* A response line: decoded, it must encode to itself when it is clean. */
static void
response(const char *p, size_t n)
{
	struct proto_resp	 r;
	struct strbuf		 sb;
	char			*cause = NULL;

	if (!proto_response_decode(p, n, &r, &cause)) {
		free(cause);
		return;
	}
	strbuf_init(&sb);
	if (r.tag == PROTO_END) {
		if (r.status < 0 || r.status > 255)
			abort();
		proto_end(&sb, r.status);
	} else if (r.tag == PROTO_OUT || r.tag == PROTO_ERR) {
		if (r.text != p + 1 || r.len != n - 1)
			abort();
		if (!proto_clean(r.text, r.len)) {
			strbuf_free(&sb);
			return;
		}
		proto_line(&sb, r.tag, r.text, r.len);
	} else
		abort();
	same("response", sb.data, sb.len - 1, p, n);
	strbuf_free(&sb);
}

/* The input's NUL-separated pieces as an argv: there and back. */
static void
words(const char *p, size_t n)
{
	char	*copy, **argv, **back, *line, *cause = NULL;
	size_t	 i, len;
	int	 argc = 1, nback, k;

	copy = xmalloc(n + 1);
	memcpy(copy, p, n);
	copy[n] = '\0';
	for (i = 0; i < n; i++)
		argc += p[i] == '\0';
	argv = xcalloc((size_t)argc, sizeof *argv);
	argv[0] = copy;
	for (i = 0, k = 1; i < n; i++)
		if (p[i] == '\0')
			argv[k++] = copy + i + 1;
	line = proto_request_encode(argc, argv, &len, &cause);
	if (line == NULL) {
		/* Only an empty command or an over-long line is refused. */
		if (argv[0][0] != '\0' && n * 3 + 1 < 65536)
			abort();
		free(cause);
	} else {
		if (!proto_request_decode(line, len - 1, &nback, &back,
		    &cause)) {
			fprintf(stderr, "encoded but not decoded: %s\n", cause);
			abort();
		}
		if (nback != argc)
			abort();
		for (k = 0; k < argc; k++)
			same("word", back[k], strlen(back[k]), argv[k],
			    strlen(argv[k]));
		proto_argv_free(back);
		free(line);
	}
	free(argv);
	free(copy);
}

static void
escape(const char *p, size_t n)
{
	struct strbuf	 a, b;
	size_t		 i;

	strbuf_init(&a);
	strbuf_init(&b);
	proto_escape(&a, p, n);
	if (!proto_clean(a.data, a.len))
		abort();
	for (i = 0; i < a.len; i++)
		if ((unsigned char)a.data[i] < 0x20 || a.data[i] == 0x7f)
			abort();
	proto_escape(&b, a.data, a.len);
	same("escaped twice", b.data, b.len, a.data, a.len);
	if (proto_clean(p, n))
		same("clean text", a.data, a.len, p, n);
	strbuf_free(&a);
	strbuf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data;

	request(p, size);
	response(p, size);
	words(p, size);
	escape(p, size);
	return 0;
}
