/* SPDX-License-Identifier: Apache-2.0 */
/*
 * diag.c - the errors and warnings of one load, each with the place it
 * refers to, printed as "file:line:col: error: text".  The list keeps its
 * own copies of file names so it outlives the ruleset it describes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

void
diag_init(struct diag *d)
{
	memset(d, 0, sizeof *d);
}

void
diag_free(struct diag *d)
{
	size_t	 i;

	for (i = 0; i < d->n; i++)
		free(d->items[i].text);
	free(d->items);
	for (i = 0; i < d->nfiles; i++)
		free(d->files[i]);
	free(d->files);
	free(d->file_errors);
	diag_init(d);
}

static size_t
diag_file_index(struct diag *d, const char *file)
{
	size_t	 i;

	for (i = 0; i < d->nfiles; i++) {
		if (strcmp(d->files[i], file) == 0)
			return i;
	}
	d->files = xreallocarray(d->files, d->nfiles + 1, sizeof *d->files);
	d->file_errors = xreallocarray(d->file_errors, d->nfiles + 1,
	    sizeof *d->file_errors);
	d->files[d->nfiles] = xstrdup(file);
	d->file_errors[d->nfiles] = 0;
	return d->nfiles++;
}

const char *
diag_intern(struct diag *d, const char *file)
{
	return d->files[diag_file_index(d, file)];
}

void
diag_add(struct diag *d, enum diag_level level, const struct loc *loc,
    const char *fmt, ...)
{
	struct diag_item	*it;
	va_list			 ap;
	size_t			 i;

	if (d->n == d->cap) {
		d->cap = d->cap == 0 ? 16 : d->cap * 2;
		d->items = xreallocarray(d->items, d->cap, sizeof *d->items);
	}
	it = &d->items[d->n++];
	it->level = level;
	if (loc != NULL && loc->file != NULL) {
		i = diag_file_index(d, loc->file);
		it->loc = *loc;
		it->loc.file = d->files[i];
		if (level == DIAG_ERROR)
			d->file_errors[i]++;
	} else
		memset(&it->loc, 0, sizeof it->loc);
	va_start(ap, fmt);
	xvasprintf(&it->text, fmt, ap);
	va_end(ap);
	if (level == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
}

size_t
diag_errors_in(const struct diag *d, const char *file)
{
	size_t	 i;

	for (i = 0; i < d->nfiles; i++) {
		if (strcmp(d->files[i], file) == 0)
			return d->file_errors[i];
	}
	return 0;
}

char *
diag_format(const struct diag_item *it)
{
	struct strbuf	 sb;
	const char	*level;

	level = it->level == DIAG_ERROR ? "error" : "warning";
	strbuf_init(&sb);
	if (it->loc.file != NULL && it->loc.line != 0)
		strbuf_addf(&sb, "%s:%u:%u: ", it->loc.file, it->loc.line,
		    it->loc.col);
	else if (it->loc.file != NULL)
		strbuf_addf(&sb, "%s: ", it->loc.file);
	strbuf_addf(&sb, "%s: ", level);
	/* Texts quote rule-file values: keep terminals safe anyway. */
	strbuf_add_escaped(&sb, it->text, strlen(it->text));
	return strbuf_steal(&sb);
}

void
diag_print(const struct diag *d, void *stream)
{
	size_t	 i;
	char	*s;

	for (i = 0; i < d->n; i++) {
		s = diag_format(&d->items[i]);
		fprintf(stream, "%s\n", s);
		free(s);
	}
}
