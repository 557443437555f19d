/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_plugin.c - libFuzzer target for the Lua sandbox (plugins/host.c):
 * the input is a plugin's text.  It is loaded into a fresh host with a
 * small memory cap and instruction budget; if it defines the globals f
 * and g they are called (g with string arguments), and f again after.
 * Whatever the text does, the host must not crash, hang (the budget
 * stops it: libFuzzer's -timeout catches a hang), or hold more memory
 * than its cap and the message handler's slack; and once its failures
 * disable it, a call must fail at once.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/host.h"
#include "util/util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MEM_MAX		(2 * 1024 * 1024)
#define SLACK		(64 * 1024)

static void
check_mem(struct lhost *h, const char *when)
{
	if (lhost_mem_used(h) > MEM_MAX + SLACK) {
		fprintf(stderr, "%s: %zu bytes held, cap %d\n", when,
		    lhost_mem_used(h), MEM_MAX);
		abort();
	}
}

static void
quiet(const char *line, void *arg)
{
	(void)line;
	(void)arg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const args[] = { "HCPSIG2113I User X", "", "\xff" };
	struct lhost_limits	 lim = { MEM_MAX, 200000, 3 };
	struct lhost		*h;
	char			*err = NULL;
	int			 i;

	if ((h = lhost_create("FUZZ", NULL, &lim, &err)) == NULL) {
		fprintf(stderr, "no host: %s\n", err != NULL ? err : "?");
		abort();
	}
	lhost_set_log(h, quiet, NULL);
	(void)lhost_chunk(h, "=fuzz", (const char *)data, size, NULL, &err);
	free(err);
	err = NULL;
	check_mem(h, "after the chunk");
	for (i = 0; i < 4; i++) {
		(void)lhost_call(h, i == 1 ? "g" : "f", i == 1 ? 3 : 0,
		    args, &err);
		free(err);
		err = NULL;
		check_mem(h, "after a call");
	}
	if (lhost_disabled(h) && lhost_call(h, "f", 0, NULL, NULL) == 0) {
		fprintf(stderr, "a disabled host ran a call\n");
		abort();
	}
	lhost_free(h);
	return 0;
}
