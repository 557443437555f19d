/* SPDX-License-Identifier: Apache-2.0 */
/*
 * actions.h - turning an action's COMMAND into a process: splitting it into
 * argv words (substitution happens inside the words, later).  Returned argv
 * objects are owned by the caller (argv_free).
 */
#ifndef VIGIL_ACTIONS_H
#define VIGIL_ACTIONS_H

#include <stddef.h>

struct argv {
	char	**v;		/* NULL-terminated */
	size_t	  n;
};

struct argv	*argv_split(const char *, char **cause);
void		 argv_free(struct argv *);

#endif
