/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_rules.c - libFuzzer target for the lexer, parser, value parsers and
 * cross-reference checks: any bytes are loaded as a rule file from memory.
 * Besides "no crash, no leak", it checks the dump's promise: a ruleset
 * that loads dumps to a text that loads again and dumps the same.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The dump without its "* file:line:col" comment lines. */
static char *
dump_body(const struct ruleset *rs)
{
	struct strbuf	 sb, body;
	char		*line, *save = NULL;

	strbuf_init(&sb);
	strbuf_init(&body);
	ruleset_dump(rs, &sb);
	if (sb.data != NULL) {
		for (line = strtok_r(sb.data, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			if (line[0] != '*')
				strbuf_addf(&body, "%s\n", line);
		}
	}
	strbuf_free(&sb);
	return strbuf_steal(&body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag	 diag, diag2;
	struct ruleset	*rs, *rs2;
	struct strbuf	 dump;
	char		*a, *b;

	diag_init(&diag);
	rs = ruleset_load_buffer("fuzz.rules", (const char *)data, size,
	    &diag);
	if (rs != NULL) {
		strbuf_init(&dump);
		ruleset_dump(rs, &dump);
		diag_init(&diag2);
		rs2 = ruleset_load_buffer("dump.rules", dump.data != NULL ?
		    dump.data : "", dump.len, &diag2);
		if (rs2 == NULL) {
			diag_print(&diag2, stderr);
			fprintf(stderr, "---- dump that does not load:\n%s",
			    dump.data);
			abort();
		}
		a = dump_body(rs);
		b = dump_body(rs2);
		if (strcmp(a, b) != 0) {
			fprintf(stderr, "---- dump:\n%s---- re-dump:\n%s", a, b);
			abort();
		}
		free(a);
		free(b);
		ruleset_free(rs2);
		diag_free(&diag2);
		strbuf_free(&dump);
	}
	ruleset_free(rs);
	diag_free(&diag);
	return 0;
}
