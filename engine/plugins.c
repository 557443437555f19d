/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plugins.c - Lua plugins in the daemon, first slice: each PLUGIN
 * statement gets a sandboxed host (plugins/host.c) when the rules load or
 * reload; its file registers handlers with vigil.on(pattern, fn) (a
 * wildcard as MATCH takes it, case-sensitive) and logs with vigil.log
 * (print goes to the log too).  Every message from a source is offered
 * to the handlers; each that matches is called with the message's text,
 * user, source and message id, under the host's memory cap and
 * instruction budget.  A handler that fails raises PLUGIN_FAILED; a
 * plugin that fails PLUGIN_FAIL_MAX times in a row is disabled
 * (PLUGIN_DISABLED).  Not here yet (issue 7): vigil.run, wait_for,
 * sleep, workflows, state and their durability.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "engine/engine.h"
#include "plugins/host.h"
#include "rules/rules.h"

struct handler {
	char		*pattern;
	int		 ref;
};

struct plugin_rt {
	struct vigild	*d;
	char		*name;
	struct lhost	*h;
	struct handler	*handlers;
	size_t		 nhandlers;
	bool		 disabled_told;
	struct plugin_rt *next;
};

static void
plugin_log(const char *line, void *arg)
{
	(void)arg;
	log_info("%s", line);
}

/* vigil.on(pattern, function) */
static int
l_on(lua_State *L)
{
	struct plugin_rt	*p = lua_touserdata(L, lua_upvalueindex(1));
	const char		*pattern = luaL_checkstring(L, 1);
	char			*cause = NULL;

	luaL_checktype(L, 2, LUA_TFUNCTION);
	if (wildcard_check(pattern, &cause) != 0) {
		lua_pushfstring(L, "vigil.on: pattern '%s': %s", pattern,
		    cause != NULL ? cause : "invalid");
		free(cause);
		return lua_error(L);
	}
	p->handlers = xreallocarray(p->handlers, p->nhandlers + 1,
	    sizeof *p->handlers);
	p->handlers[p->nhandlers].pattern = xstrdup(pattern);
	p->handlers[p->nhandlers].ref = lhost_ref(L, 2);
	p->nhandlers++;
	return 0;
}

/* vigil.log(text) */
static int
l_log(lua_State *L)
{
	struct plugin_rt	*p = lua_touserdata(L, lua_upvalueindex(1));

	log_info("plugin %s: %s", p->name, luaL_checkstring(L, 1));
	return 0;
}

static void
plugin_free(struct plugin_rt *p)
{
	size_t	 i;

	for (i = 0; i < p->nhandlers; i++) {
		lhost_unref(p->h, p->handlers[i].ref);
		free(p->handlers[i].pattern);
	}
	free(p->handlers);
	lhost_free(p->h);
	free(p->name);
	free(p);
}

void
plugins_start(struct vigild *d)
{
	const struct plugin	*def;
	struct plugin_rt	*p;
	char			*err = NULL;
	size_t			 i, n = ruleset_count(d->cur->rs, DEF_PLUGIN);

	plugins_free(d);
	for (i = 0; i < n; i++) {
		def = (const struct plugin *)ruleset_get(d->cur->rs,
		    DEF_PLUGIN, i);
		p = xcalloc(1, sizeof *p);
		p->d = d;
		p->name = xstrdup(def->def.name);
		if ((p->h = lhost_create(def->def.name, NULL, NULL, &err)) ==
		    NULL) {
			vigild_event(d, NULL, "PLUGIN_FAILED", def->def.name,
			    "%s", err != NULL ? err : "cannot start");
			free(err);
			free(p->name);
			free(p);
			continue;
		}
		lhost_set_log(p->h, plugin_log, p);
		if (lhost_register(p->h, "on", l_on, p) != 0 ||
		    lhost_register(p->h, "log", l_log, p) != 0 ||
		    lhost_load(p->h, def->file, &err) != 0) {
			vigild_event(d, NULL, "PLUGIN_FAILED", def->def.name,
			    "%s", err != NULL ? err : "cannot load");
			free(err);
			err = NULL;
			plugin_free(p);
			continue;
		}
		log_info("plugin %s: loaded %s, %zu handlers", p->name,
		    def->file, p->nhandlers);
		p->next = d->plugins;
		d->plugins = p;
	}
}

void
plugins_message(struct vigild *d, const struct message *msg)
{
	struct plugin_rt	*p;
	const char		*args[4];
	char			*err = NULL;
	size_t			 i;

	for (p = d->plugins; p != NULL; p = p->next) {
		for (i = 0; i < p->nhandlers && !lhost_disabled(p->h); i++) {
			if (wild_match(p->handlers[i].pattern, msg->text,
			    false) != 1)
				continue;
			args[0] = msg->text;
			args[1] = msg->user;
			args[2] = msg->source != NULL ? msg->source : "";
			args[3] = msg->msgid;
			if (lhost_call_ref(p->h, p->handlers[i].ref, 4, args,
			    &err) == 0)
				continue;
			vigild_event(d, NULL, "PLUGIN_FAILED", p->name, "%s",
			    err != NULL ? err : "failed");
			free(err);
			err = NULL;
		}
		if (lhost_disabled(p->h) && !p->disabled_told) {
			p->disabled_told = true;
			vigild_event(d, NULL, "PLUGIN_DISABLED", p->name,
			    "disabled after repeated failures; a reload"
			    " starts it again");
		}
	}
}

void
plugins_free(struct vigild *d)
{
	struct plugin_rt	*p;

	while ((p = d->plugins) != NULL) {
		d->plugins = p->next;
		plugin_free(p);
	}
}
