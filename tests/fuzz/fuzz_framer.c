/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_framer.c - libFuzzer target for engine/framer.c.  The first byte
 * chooses the mode (bit 0) and the limit, the second seeds the chunk
 * sizes; the rest is the stream.  The stream is framed in one push, one
 * byte at a time and in pseudo-random chunks: the three must give the
 * same records and the same counts (a differential check: framing must
 * not depend on how reads happen to cut the stream).  No record may be
 * longer than the limit, a cut one must be exactly the limit, and in
 * FRAME_LINES the records must be those of a plain model of line framing.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/framer.h"
#include "util/util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct out {
	struct strbuf	 sb;
	size_t		 max;
};

static void
on_record(const char *rec, size_t len, bool cut, void *arg)
{
	struct out	*o = arg;

	if (len > o->max || (cut && len != o->max)) {
		fprintf(stderr, "record of %zu bytes (cut %d) over max %zu\n",
		    len, cut, o->max);
		abort();
	}
	strbuf_addf(&o->sb, "%zu%s:", len, cut ? "!" : "");
	strbuf_addn(&o->sb, rec, len);
}

/* Frame p in chunks from the generator seeded with seed (0: one push). */
static void
frame(enum frame_mode mode, size_t max, const char *p, size_t n,
    unsigned seed, bool bytes, struct out *o, uint64_t *cut, uint64_t *bad)
{
	struct framer	 f;
	size_t		 off = 0, c;
	uint32_t	 x = seed * 2654435761u + 1;

	strbuf_init(&o->sb);
	o->max = max;
	framer_init(&f, mode, max);
	while (off < n) {
		if (bytes)
			c = 1;
		else if (seed == 0)
			c = n - off;
		else {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			c = 1 + x % (x & 0x100 ? 3 : 2 * max + 8);
		}
		if (c > n - off)
			c = n - off;
		framer_push(&f, p + off, c, on_record, o);
		if (framer_pending(&f) > max + 1) {
			fprintf(stderr, "%zu bytes pending\n",
			    framer_pending(&f));
			abort();
		}
		off += c;
	}
	framer_finish(&f, on_record, o);
	*cut = f.cut;
	*bad = f.bad;
	framer_free(&f);
}

/* FRAME_LINES as simply as it can be said. */
static void
model_lines(size_t max, const char *p, size_t n, struct out *o,
    uint64_t *cut)
{
	const char	*nl;
	size_t		 len;

	strbuf_init(&o->sb);
	o->max = max;
	*cut = 0;
	while (n > 0) {
		nl = memchr(p, '\n', n);
		len = nl != NULL ? (size_t)(nl - p) : n;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > max)
			(*cut)++;
		on_record(p, len > max ? max : len, len > max, o);
		if (nl == NULL)
			break;
		n -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
}

static void
same(const struct out *a, uint64_t acut, uint64_t abad, const struct out *b,
    uint64_t bcut, uint64_t bbad, const char *what)
{
	if (a->sb.len != b->sb.len || memcmp(a->sb.data, b->sb.data,
	    a->sb.len) != 0 || acut != bcut || abad != bbad) {
		fprintf(stderr, "%s differs from one push\n", what);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t maxes[] = { 1, 2, 3, 4, 5, 7, 8, 16, 31, 64, 100,
	    256, 1000, 4096, 65536, 2 };
	enum frame_mode	 mode;
	size_t		 max, n;
	const char	*p;
	struct out	 one, other;
	uint64_t	 cut1, bad1, cut2, bad2;

	if (size < 2)
		return 0;
	mode = data[0] & 1 ? FRAME_SYSLOG : FRAME_LINES;
	max = maxes[(data[0] >> 1) % nitems(maxes)];
	p = (const char *)data + 2;
	n = size - 2;

	frame(mode, max, p, n, 0, false, &one, &cut1, &bad1);
	frame(mode, max, p, n, 0, true, &other, &cut2, &bad2);
	same(&one, cut1, bad1, &other, cut2, bad2, "byte by byte");
	strbuf_free(&other.sb);
	frame(mode, max, p, n, data[1] + 1u, false, &other, &cut2, &bad2);
	same(&one, cut1, bad1, &other, cut2, bad2, "random chunks");
	strbuf_free(&other.sb);
	if (mode == FRAME_LINES) {
		model_lines(max, p, n, &other, &cut2);
		same(&one, cut1, bad1, &other, cut2, 0, "the line model");
		strbuf_free(&other.sb);
	}
	strbuf_free(&one.sb);
	return 0;
}
