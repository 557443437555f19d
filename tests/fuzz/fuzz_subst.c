/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_subst.c - libFuzzer target for substitution and action plans: the
 * input is split at its first NUL (or in the middle) into a command
 * template and a message text.  The template is tried as an EXEC command
 * and as an ENV SHELL script; besides "no crash", the shell script must
 * never contain the text of a value (values are positional parameters).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions/actions.h"
#include "rules/rules.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct ruleset *
load_action(const char *tmpl, bool shell)
{
	struct strbuf	 rules;
	struct diag	 diag;
	struct ruleset	*rs;
	size_t		 i;

	/* The template as a quoted COMMAND value ('' for a quote). */
	strbuf_init(&rules);
	strbuf_adds(&rules, "DEFACTN NAME A COMMAND '");
	for (i = 0; tmpl[i] != '\0'; i++) {
		if (tmpl[i] == '\'')
			strbuf_addc(&rules, '\'');
		strbuf_addc(&rules, tmpl[i]);
	}
	strbuf_addf(&rules, "'%s\n", shell ? " ENV SHELL" : "");
	diag_init(&diag);
	rs = ruleset_load_buffer("fuzz.rules", rules.data, rules.len, &diag);
	diag_free(&diag);
	strbuf_free(&rules);
	return rs;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*nul;
	char			*tmpl;
	size_t			 cut, i, j;
	struct message		*msg;
	struct subst_ctx	 ctx;
	struct ruleset		*rs;
	struct plan		*p;
	struct strbuf		 out;
	int			 shell;

	nul = memchr(data, '\0', size);
	cut = nul != NULL ? (size_t)(nul - (const char *)data) : size / 2;
	/* One line of template: a rule file value cannot hold a newline. */
	tmpl = strndup((const char *)data, cut);
	for (i = j = 0; tmpl[i] != '\0'; i++)
		if (tmpl[i] != '\n' && tmpl[i] != '\r')
			tmpl[j++] = tmpl[i];
	tmpl[j] = '\0';
	msg = message_create((const char *)data + cut + (nul != NULL),
	    size - cut - (nul != NULL), "USER", "SYS", "SRC", 0);

	memset(&ctx, 0, sizeof ctx);
	ctx.msg = msg;
	ctx.kind = "RULE";
	ctx.name = "R";
	ctx.parm = tmpl;
	strbuf_init(&out);
	subst_expand(tmpl, &ctx, false, &out);
	strbuf_free(&out);

	for (shell = 0; shell <= 1; shell++) {
		if ((rs = load_action(tmpl, shell)) == NULL)
			continue;
		memset(&ctx, 0, sizeof ctx);
		ctx.msg = msg;
		ctx.kind = "RULE";
		ctx.name = "R";
		p = plan_action(rs, "A", NULL, &ctx);
		/*
		 * A text of 8+ bytes that is not in the template must not
		 * reach the script: it is a value, passed as a parameter.
		 * (Without '$' it cannot span what the script inserts.)
		 */
		if (shell && p != NULL && p->kind == PLAN_SHELL &&
		    msg->len >= 8 && strchr(msg->text, '$') == NULL &&
		    strstr(tmpl, msg->text) == NULL &&
		    strstr(p->argv->v[2], msg->text) != NULL)
			abort();
		plan_free(p);
		ruleset_free(rs);
	}
	message_free(msg);
	free(tmpl);
	return 0;
}
