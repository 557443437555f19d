/* SPDX-License-Identifier: Apache-2.0 */
/*
 * source.c - what every source shares: creating one from its DEFSRC,
 * taking its messages (counted, written to the console log, dispatched),
 * its events, pausing all sources when actions fall behind, saving
 * offsets, and after a reload keeping the sources whose definition did
 * not change (a followed file keeps its place, a socket its clients).
 */
#include "config.h"

#include <ev.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/conslog.h"
#include "engine/engine.h"
#include "engine/source.h"
#include "rules/rules.h"

/* Everything of a definition that matters to a running source. */
static char *
signature(const struct source *def)
{
	char	*sig;

	xasprintf(&sig, "%d|%s|%s:%u|%d|%s|%d|%s|%s", def->type,
	    def->path != NULL ? def->path : "",
	    def->address.host != NULL ? def->address.host : "",
	    (unsigned)def->address.port, def->proto,
	    def->program != NULL ? def->program : "", def->format,
	    def->user != NULL ? def->user : "",
	    def->system != NULL ? def->system : "");
	return sig;
}

struct src *
src_new(struct vigild *d, const struct source *def, const struct src_ops *ops,
    void *priv)
{
	struct src	*s = xcalloc(1, sizeof *s);

	s->d = d;
	s->ops = ops;
	s->priv = priv;
	s->name = xstrdup(def->def.name);
	s->type = def->type;
	s->format = def->format;
	s->user = def->user != NULL ? xstrdup(def->user) : NULL;
	s->system = def->system != NULL ? xstrdup(def->system) : NULL;
	s->state = SRCST_UP;
	s->sig = signature(def);
	return s;
}

void
src_message(struct src *s, const struct message *msg)
{
	struct vigild	*d = s->d;

	s->messages++;
	if (d->log_messages) {
		struct strbuf	 sb;

		strbuf_init(&sb);
		strbuf_add_escaped(&sb, msg->text, msg->len);
		log_info("%s %s: %s", s->name, *msg->user != '\0' ?
		    msg->user : "-", sb.data != NULL ? sb.data : "");
		strbuf_free(&sb);
	}
	if (d->conslog != NULL)
		conslog_write(d->conslog, s->name, ev_now(d->loop), msg->user,
		    msg->text, msg->len);
	if (d->viewers != NULL)
		ctl_view_message(d, msg);
	imon_note(d, IMON_SOURCE, s->name);
	if (!suspended(d, "SOURCE", s->name)) {
		dispatch_message(d, msg, NULL);
		vmevent_message(d, msg);
	}
}

void
src_event(struct src *s, const char *event, const char *fmt, ...)
{
	char	*detail;
	va_list	 ap;

	va_start(ap, fmt);
	xvasprintf(&detail, fmt, ap);
	va_end(ap);
	vigild_event(s->d, NULL, event, s->name, "%s", detail);
	free(detail);
}

void
src_free(struct src *s)
{
	if (s == NULL)
		return;
	if (s->ops != NULL && s->ops->checkpoint != NULL)
		s->ops->checkpoint(s);
	if (s->ops != NULL && s->ops->free != NULL)
		s->ops->free(s);
	free(s->name);
	free(s->user);
	free(s->system);
	free(s->sig);
	free(s);
}

static struct src *
src_create(struct vigild *d, const struct source *def, char **err)
{
	switch (def->type) {
	case SRC_STDIN:
		return src_stdin_create(d, def, err);
	case SRC_FILE:
		return src_file_create(d, def, err);
	case SRC_FIFO:
		return src_fifo_create(d, def, err);
	case SRC_UNIX:
		return src_unix_create(d, def, err);
	case SRC_UNIXDGRAM:
		return src_unixdgram_create(d, def, err);
	case SRC_SYSLOG:
		return src_syslog_create(d, def, err);
	case SRC_TCP:
		return src_tcp_create(d, def, err);
	case SRC_PTY:
		return src_pty_create(d, def, err);
	}
	xasprintf(err, "source %s: unknown type %d", def->def.name, def->type);
	return NULL;
}

static void
append(struct src ***tail, struct src *s)
{
	s->next = NULL;
	**tail = s;
	*tail = &s->next;
}

/*
 * Start the sources of the ruleset in force, all or none: the first that
 * cannot start stops the others and says why.  Without any DEFSRC the
 * daemon reads standard input.
 */
bool
sources_start(struct vigild *d, char **err)
{
	const struct ruleset	*rs = d->cur->rs;
	const struct source	*def;
	struct source		 deflt;
	struct src		*s, **tail = &d->sources;
	size_t			 i, n = ruleset_count(rs, DEF_SOURCE);

	*err = NULL;
	if (n == 0) {
		memset(&deflt, 0, sizeof deflt);
		deflt.def.name = (char *)"STDIN";
		deflt.type = SRC_STDIN;
		deflt.format = FMT_AUTO;
		if ((s = src_stdin_create(d, &deflt, err)) == NULL)
			return false;
		append(&tail, s);
		return true;
	}
	for (i = 0; i < n; i++) {
		def = (const struct source *)ruleset_get(rs, DEF_SOURCE, i);
		if ((s = src_create(d, def, err)) == NULL) {
			sources_free(d);
			return false;
		}
		append(&tail, s);
		log_info("source %s: started", s->name);
	}
	return true;
}

/*
 * The new ruleset's sources: one whose definition is unchanged keeps
 * running as it is; removed and changed ones stop first (a changed one
 * may reuse its path or port), then new and changed ones start.  One
 * that cannot start is reported (SOURCE_ERROR) and left out: the rules
 * validated, and the other sources must not stop for it.
 */
void
sources_reload(struct vigild *d, const struct ruleset *rs)
{
	struct src		*old = d->sources, *s, **pp, *keep = NULL;
	struct src		*list = NULL, **tail = &list;
	const struct source	*def;
	struct source		 deflt;
	char			*sig, *err;
	size_t			 i, n = ruleset_count(rs, DEF_SOURCE);
	struct src		**kept = xcalloc(n + 1, sizeof *kept);

	memset(&deflt, 0, sizeof deflt);
	deflt.def.name = (char *)"STDIN";
	deflt.type = SRC_STDIN;
	deflt.format = FMT_AUTO;
	/* Take out of the old list what stays. */
	for (i = 0; i < (n > 0 ? n : 1); i++) {
		def = n > 0 ? (const struct source *)ruleset_get(rs,
		    DEF_SOURCE, i) : &deflt;
		sig = signature(def);
		for (pp = &old; (s = *pp) != NULL; pp = &s->next)
			if (strcmp(s->name, def->def.name) == 0 &&
			    strcmp(s->sig, sig) == 0) {
				*pp = s->next;
				kept[i] = s;
				break;
			}
		free(sig);
	}
	/* Stop the rest. */
	while ((s = old) != NULL) {
		old = s->next;
		log_info("source %s: stopped (removed or changed)", s->name);
		src_free(s);
	}
	for (i = 0; i < (n > 0 ? n : 1); i++) {
		def = n > 0 ? (const struct source *)ruleset_get(rs,
		    DEF_SOURCE, i) : &deflt;
		if ((keep = kept[i]) != NULL) {
			append(&tail, keep);
			continue;
		}
		err = NULL;
		if ((s = src_create(d, def, &err)) == NULL) {
			vigild_event(d, NULL, "SOURCE_ERROR", def->def.name,
			    "not started: %s", err != NULL ? err : "?");
			free(err);
			continue;
		}
		log_info("source %s: started", s->name);
		append(&tail, s);
	}
	free(kept);
	d->sources = list;
}

/* Backpressure: stop reading every source, or start again. */
void
sources_pause(struct vigild *d, bool pause)
{
	struct src	*s;

	for (s = d->sources; s != NULL; s = s->next) {
		if (s->paused == pause)
			continue;
		s->paused = pause;
		if (pause && s->ops->pause != NULL)
			s->ops->pause(s);
		else if (!pause && s->ops->resume != NULL)
			s->ops->resume(s);
	}
}

void
sources_checkpoint(struct vigild *d)
{
	struct src	*s;

	for (s = d->sources; s != NULL; s = s->next)
		if (s->ops->checkpoint != NULL)
			s->ops->checkpoint(s);
}

/* Whether nothing more can come from any source (--once). */
bool
sources_ended(const struct vigild *d)
{
	const struct src	*s;

	for (s = d->sources; s != NULL; s = s->next)
		if (!s->ended && (s->type == SRC_STDIN || s->type == SRC_FILE ||
		    s->type == SRC_FIFO || s->type == SRC_PTY))
			return false;
	return true;
}

struct src *
sources_find(const struct vigild *d, const char *name)
{
	struct src	*s;

	for (s = d->sources; s != NULL; s = s->next)
		if (strcasecmp(s->name, name) == 0)
			return s;
	return NULL;
}

/* One log line per source: what it read and dropped, and its state. */
void
sources_report(const struct vigild *d)
{
	const struct src	*s;
	struct strbuf		 sb;

	for (s = d->sources; s != NULL; s = s->next) {
		strbuf_init(&sb);
		if (s->ops->describe != NULL)
			s->ops->describe((struct src *)s, &sb);
		log_info("source %s: %llu messages, %llu bytes, %llu dropped,"
		    " %llu connections; %s", s->name,
		    (unsigned long long)s->messages,
		    (unsigned long long)s->bytes,
		    (unsigned long long)s->drops,
		    (unsigned long long)s->connects,
		    sb.data != NULL ? sb.data : "");
		strbuf_free(&sb);
	}
}

void
sources_free(struct vigild *d)
{
	struct src	*s;

	while ((s = d->sources) != NULL) {
		d->sources = s->next;
		src_free(s);
	}
}
