/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host.h - the Lua plugin host: one sandboxed lua_State per plugin, with
 * capped memory, an instruction budget per call and a failure count.
 * lhost_create returns an owned host (lhost_free); every cause string
 * set through char **err is owned by the caller.
 */
#ifndef VIGIL_PLUGINS_HOST_H
#define VIGIL_PLUGINS_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

struct lhost;

/* A zero field takes its default. */
struct lhost_limits {
	size_t		mem_max;	/* bytes; default 16 MiB */
	uint64_t	instr_max;	/* VM instructions; 10 million */
	unsigned	fail_max;	/* consecutive failures; default 5 */
};

#define LHOST_MEM_MAX		(16 * 1024 * 1024)
#define LHOST_INSTR_MAX		10000000
#define LHOST_FAIL_MAX		5

/* Where the plugin's print() goes: one line "plugin NAME: text". */
typedef void	(*lhost_log_fn)(const char *line, void *arg);

/* A sandboxed state for plugin NAME, FILE loaded and run (none if NULL). */
struct lhost	*lhost_create(const char *name, const char *file,
		    const struct lhost_limits *, char **err);
/* Load and run FILE (text only) under the budget. */
int		 lhost_load(struct lhost *, const char *file, char **err);
/* Send print() to FN instead of log_info; set before lhost_load. */
void		 lhost_set_log(struct lhost *, lhost_log_fn fn, void *arg);
/* Put FN as vigil.NAME, with UPVALUE as its first (light) upvalue. */
int		 lhost_register(struct lhost *, const char *name,
		    lua_CFunction fn, void *upvalue);
/* Call global function FN with string arguments under the budget. */
int		 lhost_call(struct lhost *, const char *fn, int nargs,
		    const char *const *args, char **err);
/* Inside a C function called from Lua: a reference to the value at IDX. */
int		 lhost_ref(lua_State *, int idx);
/* Drop a reference taken by lhost_ref. */
void		 lhost_unref(struct lhost *, int ref);
/* Call the function referenced by REF, as lhost_call does. */
int		 lhost_call_ref(struct lhost *, int ref, int nargs,
		    const char *const *args, char **err);
/*
 * A call with arguments of any type: PUSH pushes them (returns how many),
 * PULL sees the N results on top of the stack; both run inside the
 * protected call, so they may raise.  Either may be NULL.
 */
struct lhost_call {
	int	(*push)(lua_State *, void *arg);
	void	(*pull)(lua_State *, int n, void *arg);
	void	 *arg;
	bool	  uncounted;	/* neither a failure nor a success counts */
};
/* Call the function referenced by REF, as lhost_call does. */
int		 lhost_invoke(struct lhost *, int ref, const struct lhost_call *,
		    char **err);
/* Load BUF (text) as chunk CHUNKNAME and call it; failures not counted. */
int		 lhost_chunk(struct lhost *, const char *chunkname,
		    const char *buf, size_t len, const struct lhost_call *,
		    char **err);
/* The host that owns a state (from inside a C function). */
struct lhost	*lhost_from_state(lua_State *);
/* Whether repeated failures have disabled the host. */
int		 lhost_disabled(const struct lhost *);
/* The plugin's name (borrowed). */
const char	*lhost_name(const struct lhost *);
/* Bytes the state holds now. */
size_t		 lhost_mem_used(const struct lhost *);
void		 lhost_free(struct lhost *);
/* Whether FILE compiles (not run); *err says where it does not. */
int		 lhost_syntax(const char *file, char **err);

#endif
