/* SPDX-License-Identifier: Apache-2.0 */
/*
 * argv.c - splits a COMMAND into argv words before anything is substituted,
 * so that message text put into a word later can never become a new word
 * or shell syntax.  Words are separated by blanks; double quotes group
 * blanks into one word ("" inside them is a literal quote).  Nothing else
 * is special: no backslashes, no globbing, no variables.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "actions/actions.h"
#include "util/util.h"

static void
argv_push(struct argv *av, struct strbuf *word)
{
	av->v = xreallocarray(av->v, av->n + 2, sizeof *av->v);
	av->v[av->n++] = strbuf_steal(word);
	av->v[av->n] = NULL;
}

struct argv *
argv_split(const char *s, char **cause)
{
	struct argv	*av;
	struct strbuf	 word;
	size_t		 i, quote_at = 0;
	bool		 in_word = false, quoted = false;

	av = xcalloc(1, sizeof *av);
	strbuf_init(&word);
	for (i = 0; s[i] != '\0'; i++) {
		if (quoted) {
			if (s[i] == '"' && s[i + 1] == '"') {
				strbuf_addc(&word, '"');
				i++;
			} else if (s[i] == '"')
				quoted = false;
			else
				strbuf_addc(&word, s[i]);
			continue;
		}
		if (s[i] == ' ' || s[i] == '\t') {
			if (in_word)
				argv_push(av, &word);
			in_word = false;
			continue;
		}
		in_word = true;
		if (s[i] == '"') {
			quoted = true;
			quote_at = i;
		} else
			strbuf_addc(&word, s[i]);
	}
	if (quoted) {
		xasprintf(cause, "the double quote at offset %zu of the command"
		    " is not closed", quote_at + 1);
		goto fail;
	}
	if (in_word)
		argv_push(av, &word);
	if (av->n == 0) {
		xasprintf(cause, "the command is empty");
		goto fail;
	}
	strbuf_free(&word);
	return av;
fail:
	strbuf_free(&word);
	argv_free(av);
	return NULL;
}

void
argv_free(struct argv *av)
{
	size_t	 i;

	if (av == NULL)
		return;
	for (i = 0; i < av->n; i++)
		free(av->v[i]);
	free(av->v);
	free(av);
}
