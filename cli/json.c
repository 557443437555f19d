/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.c - the few JSON writing helpers the offline commands need:
 * strings escaped per RFC 8259 (control characters as \u00XX, so console
 * text can never break the output), and string arrays.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/util.h"

void
json_string(struct strbuf *sb, const char *s, size_t n)
{
	size_t		 i;
	unsigned char	 c;

	strbuf_addc(sb, '"');
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, (char)c);
		} else if (c == '\n')
			strbuf_adds(sb, "\\n");
		else if (c == '\t')
			strbuf_adds(sb, "\\t");
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(sb, "\\u%04x", c);
		else
			strbuf_addc(sb, (char)c);
	}
	strbuf_addc(sb, '"');
}

void
json_str(struct strbuf *sb, const char *s)
{
	if (s == NULL)
		strbuf_adds(sb, "null");
	else
		json_string(sb, s, strlen(s));
}

void
json_strings(struct strbuf *sb, char *const *v, size_t n)
{
	size_t	 i;

	strbuf_addc(sb, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_adds(sb, ", ");
		json_str(sb, v[i]);
	}
	strbuf_addc(sb, ']');
}
