/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plugins-int.h - private to the plugin runtime (engine/plugins.c, its
 * lifecycle and what the daemon calls; engine/plugin-prims.c, what the
 * prelude calls).  A running plugin owns its Lua host and everything the
 * prelude asked for: message watches, timers, processes it waits for and
 * confirmations it awaits.  Watches and timers removed during a callback
 * are only marked dead and freed after it (plugin_sweep), so lists may be
 * walked while Lua runs.
 */
#ifndef VIGIL_PLUGINS_INT_H
#define VIGIL_PLUGINS_INT_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include <lua.h>

#include "util/util.h"

struct vigild;
struct lhost;
struct probe_re;
struct message;

#define PWATCH_ANY	256
#define PWATCH_ALTS	64		/* alternatives of one MATCH */

/* A message filter of vigil.on / vigil.wait_for. */
struct pwatch {
	uint64_t	 id;
	uint64_t	 wf;		/* the workflow it resumes, 0 none */
	int		 ref;		/* the Lua function */
	bool		 oneshot;
	bool		 dead;
	uint64_t	 born;		/* d->messages when added */
	int		 lead;		/* the first byte MATCH requires, or -1 */
	char		**match;	/* alternatives, or NULL */
	size_t		 nmatch;
	char		*exclude, *user, *group, *source, *msgid;
	struct probe_re	*regex;
	struct pwatch	*next;
};

struct ptimer {
	ev_timer	 w;		/* first: the callback casts */
	struct plugin_rt *p;
	uint64_t	 id, wf;
	int		 ref;
	bool		 repeat;
	bool		 dead;
	struct ptimer	*next;
};

/* A process vigil.run started; its output is kept for the callback. */
struct prun {
	struct plugin_rt *p;
	uint64_t	 job, wf;
	int		 ref;		/* LUA_NOREF: nobody waits */
	struct strbuf	 out;
	struct prun	*next;
};

/* A confirmation a workflow waits for (vigil confirm ID yes|no). */
struct pconfirm {
	uint64_t	 wf;
	char		*prompt;
	struct pconfirm	*next;
};

struct plugin_rt {
	struct vigild	*d;
	char		*name;
	char		*file;
	char		*config;	/* CONFIG text, or NULL */
	uint64_t	 file_hash;	/* of the file's text, at load */
	char		*data_dir;	/* for relative CONFIG paths */
	struct lhost	*h;
	int		 api_resume, api_control, api_failed, api_stop;
	/*
	 * Watches by the first byte their MATCH requires (PWATCH_ANY: none),
	 * each list in the order they were added: a message is offered only
	 * to its byte's list and the ANY list, merged by id.
	 */
	struct pwatch	*watches[PWATCH_ANY + 1];
	struct pwatch	**wtail[PWATCH_ANY + 1];
	struct ptimer	*timers;
	struct prun	*runs;
	struct pconfirm	*confirms;
	uint64_t	 next_id;
	unsigned	 depth;		/* callbacks under way */
	uint64_t	 ndead;		/* watches and timers to sweep */
	bool		 disabled_told;
	bool		 fresh;		/* started, workflows not resumed */
	struct plugin_rt *next;
};

/* plugins.c: call the function REF with arguments from PUSH (may be
 * NULL), on behalf of workflow WF (0 none); failures are reported. */
int		 plugin_call(struct plugin_rt *, int ref, uint64_t wf,
		    int (*push)(lua_State *, void *), void *arg);
/* Free what callbacks marked dead (only when none is under way). */
void		 plugin_sweep(struct plugin_rt *);

/* plugin-prims.c: the primitives table given to the prelude. */
int		 prims_push(lua_State *, void *plugin_rt);
/* 0 if the watch does not take the message, else which MATCH (1...). */
int		 pwatch_matches(const struct plugin_rt *, const struct pwatch *,
		    const struct message *);
/* A message for a watch's function: its fields, with "matched". */
struct pmsg {
	const struct message	*m;
	int			 matched;
};
int		 prims_push_message(lua_State *, void *pmsg);
void		 pwatch_free(struct plugin_rt *, struct pwatch *);
void		 ptimer_free(struct plugin_rt *, struct ptimer *);
void		 prun_free(struct plugin_rt *, struct prun *);
void		 pconfirm_close(struct plugin_rt *, uint64_t wf);

#endif
