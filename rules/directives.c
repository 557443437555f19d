/* SPDX-License-Identifier: Apache-2.0 */
/*
 * directives.c - the statements of the rule language as data: for each
 * verb, its operands (type, where the value is stored, default, which
 * operands it needs or excludes) and the checks that involve several
 * operands.  The parser, the dump, the cross-reference check and the
 * documentation test all read this table; nothing else lists operands.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actions/actions.h"
#include "plugins/host.h"
#include "rules/rules.h"

#define O(s, f)		offsetof(struct s, f)

static const char *const case_words[] = { "EXACT", "ANY", NULL };
static const char *const onfail_words[] = { "STOP", "CONTINUE", NULL };
static const char *const srctype_words[] = { "STDIN", "FILE", "FIFO", "UNIX",
	"UNIXDGRAM", "SYSLOG", "TCP", "PTY", NULL };
static const char *const format_words[] = { "AUTO", "PLAIN", "ZVM", "ZOSLOG",
	"SYSLOG", "HERCULES", NULL };
static const char *const proto_words[] = { "UDP", "TCP", NULL };
static const char *const envtype_words[] = { "EXEC", "SHELL", "SOURCE",
	"VIGIL", NULL };
static const char *const level_words[] = { "VIEW", "OPERATE", "CONFIG",
	"ADMIN", NULL };

/* Daemon events a DEFEMON EVENT may name (the daemon issue emits them). */
static const char *const event_names[] = {
	"SOURCE_CONNECTED", "SOURCE_DISCONNECTED", "SOURCE_EOF",
	"SOURCE_ROTATED", "SOURCE_SILENT", "ACTION_FAILED", "ACTION_TIMEOUT",
	"RELOAD_FAILED", "PLUGIN_FAILED", "PLUGIN_DISABLED", "LOGON", "LOGOFF",
	"SOURCE_ERROR", "SOURCE_PAUSED", "SOURCE_RESUMED", "ACTION_LIMITED",
	"ACTION_REFUSED", "LOOP_STOPPED", "RELOAD_DONE", "STATE_DEGRADED",
	"STATE_RECOVERED", "CONSLOG_DEGRADED", "CONSLOG_RECOVERED",
	"DAEMON_STARTED", "DAEMON_STOPPING", "MONITOR_FAILED",
	"WORKFLOW_STARTED", "WORKFLOW_DONE", "WORKFLOW_FAILED",
	"WORKFLOW_CANCELLED", "WORKFLOW_INTERRUPTED", "CONFIRM_WAITING",
	NULL
};

#define NAME_OP(s)	{ .name = "NAME", .type = V_NAME, \
	.off = O(s, def.name), .flags = OPF_REQUIRED, \
	.help = "NAME name" }
#define ACTION_OP(s)	{ .name = "ACTION", .type = V_REF, .ref = DEF_ACTION, \
	.off = O(s, action), .flags = OPF_REQUIRED, .help = "ACTION actnid" }
#define PARM_OP(s)	{ .name = "PARM", .type = V_TEXT, .off = O(s, parm), \
	.help = "PARM text" }
#define ENV_OP(s)	{ .name = "ENV", .type = V_ENV, .off = O(s, env), \
	.help = "ENV procenv[,procsys]" }
#define DAYS_OP(s)	{ .name = "DAYS", .type = V_DAYS, .off = O(s, days), \
	.deflt = "********", .help = "DAYS MTWTFSSH" }
#define HOURS_OP(s)	{ .name = "HOURS", .type = V_HOURS, .off = O(s, hours), \
	.deflt = "0-23", .flags = OPF_QUIETDEF, .help = "HOURS h,h,..." }
#define LIMIT_OP(s)	{ .name = "LIMIT", .type = V_LIMIT, .off = O(s, limit), \
	.ref = DEF_ACTION, .deflt = "0,0", \
	.help = "LIMIT count,interval[,lmactn]" }

static const struct operand rule_ops[] = {
	NAME_OP(rule),
	{ .name = "MATCH", .type = V_WILD, .off = O(rule, match),
	  .help = "MATCH pattern" },
	{ .name = "REGEX", .type = V_REGEX, .off = O(rule, regex),
	  .help = "REGEX pcre2" },
	{ .name = "MCOL", .type = V_COLS, .off = O(rule, mcol),
	  .deflt = "001:999", .help = "MCOL bbb:eee" },
	{ .name = "EXCLUDE", .type = V_WILD, .off = O(rule, exclude),
	  .help = "EXCLUDE pattern" },
	{ .name = "ECOL", .type = V_COLS, .off = O(rule, ecol),
	  .needs = "EXCLUDE", .deflt = "001:999", .flags = OPF_QUIETDEF,
	  .help = "ECOL bbb:eee" },
	{ .name = "CASE", .type = V_ENUM, .off = O(rule, caseless),
	  .words = case_words, .deflt = "EXACT", .help = "CASE EXACT|ANY" },
	ACTION_OP(rule),
	{ .name = "USER", .type = V_WILD, .off = O(rule, user),
	  .help = "USER userid" },
	{ .name = "GROUP", .type = V_REF, .ref = DEF_GROUP,
	  .off = O(rule, group), .help = "GROUP groupid" },
	{ .name = "EXUSER", .type = V_WILD, .off = O(rule, exuser),
	  .help = "EXUSER userid" },
	{ .name = "EXGROUP", .type = V_REF, .ref = DEF_GROUP,
	  .off = O(rule, exgroup), .help = "EXGROUP groupid" },
	{ .name = "SYSTEM", .type = V_WILD, .off = O(rule, system),
	  .help = "SYSTEM sysname" },
	{ .name = "SOURCE", .type = V_WILD, .off = O(rule, source),
	  .help = "SOURCE srcname" },
	{ .name = "CLASS", .type = V_CLASSES, .off = O(rule, classes),
	  .min = 1, .max = 255, .help = "CLASS c,c,..." },
	DAYS_OP(rule),
	HOURS_OP(rule),
	PARM_OP(rule),
	LIMIT_OP(rule),
	ENV_OP(rule),
	{ .name = "SUPNEXT", .type = V_UINT, .off = O(rule, supnext),
	  .max = 999, .help = "SUPNEXT n" },
	{ .name = "FINAL", .type = V_BOOL, .off = O(rule, final),
	  .deflt = "NO", .help = "FINAL YES|NO" },
	{ .name = "KEY", .type = V_TEXT, .off = O(rule, key),
	  .help = "KEY template" },
	{ .name = "SUPPRESS", .type = V_DURATION, .off = O(rule, suppress),
	  .min = 1, .help = "SUPPRESS interval" },
	{ .name = "THRESHOLD", .type = V_THRESH, .off = O(rule, threshold),
	  .help = "THRESHOLD count,interval" },
	{ .name = "CLEAR", .type = V_THRESH, .off = O(rule, clear),
	  .ref = DEF_ACTION, .flags = OPF_ACTION, .needs = "THRESHOLD",
	  .help = "CLEAR count,interval,actnid" },
	{ .name = "EXPECT", .type = V_WILD, .off = O(rule, expect),
	  .help = "EXPECT pattern" },
	{ .name = "WITHIN", .type = V_DURATION, .off = O(rule, within),
	  .min = 1, .needs = "EXPECT", .help = "WITHIN interval" },
	{ .name = "FOUNDACTN", .type = V_REF, .ref = DEF_ACTION,
	  .off = O(rule, foundactn), .needs = "EXPECT",
	  .help = "FOUNDACTN actnid" },
	{ .name = "MISSACTN", .type = V_REF, .ref = DEF_ACTION,
	  .off = O(rule, missactn), .needs = "EXPECT",
	  .help = "MISSACTN actnid" },
};
static const struct constraint rule_cons[] = {
	{ EXACTLY_ONE, { "MATCH", "REGEX" } },
	{ AT_MOST_ONE, { "SUPPRESS", "THRESHOLD", "EXPECT" } },
	{ AT_MOST_ONE, { "GROUP", "USER" } },
};

static const struct operand action_ops[] = {
	NAME_OP(action),
	{ .name = "COMMAND", .type = V_ARGV, .off = O(action, command),
	  .help = "COMMAND text" },
	{ .name = "EMIT", .type = V_TEXT, .off = O(action, emit),
	  .help = "EMIT text" },
	{ .name = "ENV", .type = V_ENV, .off = O(action, env), .deflt = "LVM",
	  .help = "ENV procenv[,procsys]" },
	{ .name = "NEXTACTN", .type = V_REF, .ref = DEF_ACTION,
	  .off = O(action, nextactn), .help = "NEXTACTN actnid" },
	{ .name = "DELAY", .type = V_DELAY, .off = O(action, delay),
	  .help = "DELAY mm:ss" },
	{ .name = "INPUT", .type = V_TEXT, .off = O(action, input),
	  .help = "INPUT text" },
	{ .name = "TIMEOUT", .type = V_DURATION, .off = O(action, timeout),
	  .help = "TIMEOUT interval" },
	{ .name = "MAXCONC", .type = V_UINT, .off = O(action, maxconc),
	  .max = 1000, .help = "MAXCONC n" },
	{ .name = "SERIAL", .type = V_TEXT, .off = O(action, serial),
	  .help = "SERIAL template" },
	{ .name = "ONFAIL", .type = V_ENUM, .off = O(action, onfail),
	  .words = onfail_words, .deflt = "STOP",
	  .help = "ONFAIL STOP|CONTINUE" },
};
static const struct constraint action_cons[] = {
	{ AT_LEAST_ONE, { "COMMAND", "EMIT", "INPUT" } },
	{ AT_MOST_ONE, { "COMMAND", "EMIT" } },
};

static const struct operand schedule_ops[] = {
	NAME_OP(schedule),
	{ .name = "WHEN", .type = V_WHEN, .off = O(schedule, when),
	  .help = "WHEN when" },
	{ .name = "EVERY", .type = V_HHMM, .off = O(schedule, every),
	  .help = "EVERY hh:mm" },
	ACTION_OP(schedule),
	PARM_OP(schedule),
	ENV_OP(schedule),
	DAYS_OP(schedule),
	HOURS_OP(schedule),
	{ .name = "CATCHUP", .type = V_BOOL, .off = O(schedule, catchup),
	  .deflt = "NO", .help = "CATCHUP YES|NO" },
	{ .name = "TZ", .type = V_TZ, .off = O(schedule, tz),
	  .help = "TZ zone" },
	LIMIT_OP(schedule),
};
static const struct constraint schedule_cons[] = {
	{ EXACTLY_ONE, { "WHEN", "EVERY" } },
};

static const struct operand group_ops[] = {
	NAME_OP(group),
	{ .name = "USER", .type = V_LIST, .off = O(group, members),
	  .help = "USER userid[,userid...]" },
	{ .name = "MEMBER", .type = V_LIST, .off = O(group, members),
	  .alias = "USER", .help = "MEMBER userid[,userid...]" },
};
static const struct constraint group_cons[] = {
	{ EXACTLY_ONE, { "USER" } },
};

static const struct operand date_ops[] = {
	NAME_OP(date),
	{ .name = "DATE", .type = V_DATES, .off = O(date, dates),
	  .flags = OPF_REQUIRED, .help = "DATE date[,date...]" },
	{ .name = "DESC", .type = V_TEXT, .off = O(date, desc),
	  .help = "DESC text" },
};

static const struct operand emon_ops[] = {
	NAME_OP(emon),
	{ .name = "CLASS", .type = V_CLASSES, .off = O(emon, classes),
	  .max = 255, .help = "CLASS c,c,..." },
	{ .name = "TYPE", .type = V_CLASSES, .off = O(emon, types),
	  .max = 255, .help = "TYPE t,t,..." },
	{ .name = "EVENT", .type = V_LIST, .off = O(emon, events),
	  .conflicts = "CLASS", .help = "EVENT name[,name...]" },
	{ .name = "SOURCE", .type = V_WILD, .off = O(emon, source),
	  .help = "SOURCE srcname" },
	{ .name = "USER", .type = V_WILD, .off = O(emon, user),
	  .help = "USER userid" },
	ACTION_OP(emon),
	PARM_OP(emon),
	ENV_OP(emon),
	DAYS_OP(emon),
	HOURS_OP(emon),
	LIMIT_OP(emon),
};
static const struct constraint emon_cons[] = {
	{ AT_MOST_ONE, { "EVENT", "TYPE" } },
};

static const struct operand imon_ops[] = {
	NAME_OP(imon),
	{ .name = "OCCUR", .type = V_OCCUR, .off = O(imon, occur_count),
	  .flags = OPF_REQUIRED, .help = "OCCUR count,interval" },
	{ .name = "RULE", .type = V_REF, .ref = DEF_RULE,
	  .off = O(imon, target[IMON_RULE]), .help = "RULE ruleid" },
	{ .name = "SCHEDULE", .type = V_REF, .ref = DEF_SCHEDULE,
	  .off = O(imon, target[IMON_SCHEDULE]), .help = "SCHEDULE schdid" },
	{ .name = "MACHINE", .type = V_REF, .ref = DEF_MMON,
	  .off = O(imon, target[IMON_MACHINE]), .help = "MACHINE mmonid" },
	{ .name = "SPOOL", .type = V_REF, .ref = DEF_SMON,
	  .off = O(imon, target[IMON_SPOOL]), .help = "SPOOL smonid" },
	{ .name = "PAGE", .type = V_REF, .ref = DEF_PMON,
	  .off = O(imon, target[IMON_PAGE]), .help = "PAGE pmonid" },
	{ .name = "EVENT", .type = V_REF, .ref = DEF_EMON,
	  .off = O(imon, target[IMON_EVENT]), .help = "EVENT emonid" },
	{ .name = "IDLE", .type = V_REF, .ref = DEF_IMON,
	  .off = O(imon, target[IMON_IDLE]), .help = "IDLE imonid" },
	{ .name = "SOURCE", .type = V_REF, .ref = DEF_SOURCE,
	  .off = O(imon, target[IMON_SOURCE]), .help = "SOURCE srcname" },
	ACTION_OP(imon),
	PARM_OP(imon),
	ENV_OP(imon),
	DAYS_OP(imon),
	HOURS_OP(imon),
	LIMIT_OP(imon),
};
static const struct constraint imon_cons[] = {
	{ EXACTLY_ONE, { "RULE", "SCHEDULE", "MACHINE", "SPOOL", "PAGE",
	    "EVENT", "IDLE", "SOURCE" } },
};

static const struct operand mmon_ops[] = {
	NAME_OP(mmon),
	{ .name = "USER", .type = V_TEXT, .off = O(mmon, user),
	  .flags = OPF_REQUIRED | OPF_WORD, .help = "USER userid" },
	{ .name = "INTERVAL", .type = V_DURATION, .off = O(mmon, interval),
	  .min = 1, .deflt = "1", .help = "INTERVAL minutes" },
	{ .name = "DELAY", .type = V_DURATION, .off = O(mmon, delay),
	  .deflt = "0", .help = "DELAY minutes" },
	{ .name = "PROBE", .type = V_ARGV, .off = O(mmon, probe),
	  .help = "PROBE command" },
	{ .name = "EXTRACT", .type = V_REGEX, .off = O(mmon, extract),
	  .help = "EXTRACT pcre2" },
	ACTION_OP(mmon),
	PARM_OP(mmon),
	ENV_OP(mmon),
	DAYS_OP(mmon),
	HOURS_OP(mmon),
	LIMIT_OP(mmon),
};

#define UMON_OPS \
	NAME_OP(umon), \
	{ .name = "USAGE", .type = V_PCT, .off = O(umon, usage), \
	  .help = "USAGE lll-hhh" }, \
	{ .name = "INCREASE", .type = V_PCT, .off = O(umon, increase), \
	  .help = "INCREASE lll-hhh" }, \
	{ .name = "INTERVAL", .type = V_DURATION, .off = O(umon, interval), \
	  .min = 1, .deflt = "1", .help = "INTERVAL minutes" }, \
	{ .name = "PROBE", .type = V_ARGV, .off = O(umon, probe), \
	  .help = "PROBE command" }, \
	{ .name = "EXTRACT", .type = V_REGEX, .off = O(umon, extract), \
	  .help = "EXTRACT pcre2" }, \
	ACTION_OP(umon), \
	PARM_OP(umon), \
	ENV_OP(umon), \
	DAYS_OP(umon), \
	HOURS_OP(umon), \
	LIMIT_OP(umon)
static const struct operand smon_ops[] = { UMON_OPS };
static const struct operand pmon_ops[] = { UMON_OPS };
static const struct constraint umon_cons[] = {
	{ AT_LEAST_ONE, { "USAGE", "INCREASE" } },
};

static const struct operand view_ops[] = {
	NAME_OP(view),
	{ .name = "USER", .type = V_LIST, .off = O(view, users),
	  .help = "USER userid[,userid...]" },
	{ .name = "SOURCE", .type = V_LIST, .off = O(view, sources),
	  .help = "SOURCE srcname[,srcname...]" },
};
static const struct constraint view_cons[] = {
	{ AT_LEAST_ONE, { "USER", "SOURCE" } },
};

static const struct operand source_ops[] = {
	NAME_OP(source),
	{ .name = "TYPE", .type = V_ENUM, .off = O(source, type),
	  .words = srctype_words, .flags = OPF_REQUIRED,
	  .help = "TYPE STDIN|FILE|FIFO|UNIX|UNIXDGRAM|SYSLOG|TCP|PTY" },
	{ .name = "PATH", .type = V_PATH, .off = O(source, path),
	  .help = "PATH path" },
	{ .name = "ADDRESS", .type = V_ADDRESS, .off = O(source, address),
	  .help = "ADDRESS host:port" },
	{ .name = "PROTO", .type = V_ENUM, .off = O(source, proto),
	  .words = proto_words, .needs = "ADDRESS", .help = "PROTO UDP|TCP" },
	{ .name = "PROGRAM", .type = V_ARGV, .off = O(source, program),
	  .help = "PROGRAM command" },
	{ .name = "FORMAT", .type = V_ENUM, .off = O(source, format),
	  .words = format_words, .deflt = "AUTO",
	  .help = "FORMAT AUTO|PLAIN|ZVM|ZOSLOG|SYSLOG|HERCULES" },
	{ .name = "USER", .type = V_TEXT, .off = O(source, user),
	  .flags = OPF_WORD, .help = "USER userid" },
	{ .name = "SYSTEM", .type = V_TEXT, .off = O(source, system),
	  .flags = OPF_WORD, .help = "SYSTEM sysname" },
	{ .name = "ENCODING", .type = V_ENCODING, .off = O(source, encoding),
	  .deflt = "UTF-8", .help = "ENCODING charset" },
};

static const struct operand env_ops[] = {
	NAME_OP(env),
	{ .name = "TYPE", .type = V_ENUM, .off = O(env, type),
	  .words = envtype_words, .deflt = "EXEC",
	  .help = "TYPE EXEC|SHELL|SOURCE|VIGIL" },
	{ .name = "PREFIX", .type = V_ARGV, .off = O(env, prefix),
	  .help = "PREFIX 'words'" },
	{ .name = "SOURCE", .type = V_REF, .ref = DEF_SOURCE,
	  .off = O(env, source), .help = "SOURCE srcname" },
};

#define LEVEL_FLAG(n, v) { .name = n, .type = V_FLAG, .off = O(auth, level), \
	.words = level_words, .min = AUTH_VIEW, .flagval = v, \
	.flags = OPF_NODUMP, .help = n }
static const struct operand auth_ops[] = {
	{ .name = "USER", .type = V_TEXT, .off = O(auth, user),
	  .flags = OPF_WORD, .help = "USER username" },
	{ .name = "GROUP", .type = V_TEXT, .off = O(auth, group),
	  .flags = OPF_WORD, .help = "GROUP groupname" },
	{ .name = "LEVEL", .type = V_ENUM, .off = O(auth, level),
	  .words = level_words, .min = AUTH_VIEW,
	  .help = "LEVEL VIEW|OPERATE|CONFIG|ADMIN" },
	LEVEL_FLAG("VIEW", AUTH_VIEW),
	LEVEL_FLAG("OPERATE", AUTH_OPERATE),
	LEVEL_FLAG("CONFIG", AUTH_CONFIG),
	LEVEL_FLAG("ADMIN", AUTH_ADMIN),
	{ .name = "CONSOLE", .type = V_WILD, .off = O(auth, console),
	  .help = "CONSOLE userid" },
	{ .name = "ACTION", .type = V_WILD, .off = O(auth, action),
	  .help = "ACTION actnid" },
	{ .name = "SOURCE", .type = V_WILD, .off = O(auth, source),
	  .help = "SOURCE srcname" },
	{ .name = "RULE", .type = V_WILD, .off = O(auth, rule),
	  .help = "RULE ruleid" },
};
static const struct constraint auth_cons[] = {
	{ EXACTLY_ONE, { "USER", "GROUP" } },
	{ AT_MOST_ONE, { "LEVEL", "VIEW", "OPERATE", "CONFIG", "ADMIN" } },
	{ AT_MOST_ONE, { "CONSOLE", "ACTION", "SOURCE", "RULE" } },
};

static const struct operand plugin_ops[] = {
	NAME_OP(plugin),
	{ .name = "FILE", .type = V_PATH, .off = O(plugin, file),
	  .flags = OPF_REQUIRED, .help = "FILE path" },
	{ .name = "CONFIG", .type = V_TEXT, .off = O(plugin, config),
	  .help = "CONFIG text" },
};

static const struct operand optn_ops[] = {
	{ .name = "ESM", .type = V_BOOL, .off = O(optn, esm),
	  .help = "ESM Y|N" },
	{ .name = "AUTHCMD", .type = V_BOOL, .off = O(optn, authcmd),
	  .help = "AUTHCMD Y|N" },
	{ .name = "AUTHEXT", .type = V_UINT, .off = O(optn, authext),
	  .max = 9, .help = "AUTHEXT n" },
	{ .name = "ESMCLASS", .type = V_TEXT, .off = O(optn, esmclass),
	  .flags = OPF_WORD, .help = "ESMCLASS class" },
	{ .name = "ESMPREF", .type = V_TEXT, .off = O(optn, esmpref),
	  .flags = OPF_WORD, .help = "ESMPREF prefix" },
};
static const struct constraint optn_cons[] = {
	{ AT_LEAST_ONE, { "ESM", "AUTHCMD", "AUTHEXT", "ESMCLASS",
	    "ESMPREF" } },
};

/* Checks that need more than one operand and are not constraints. */

static const struct loc *
op_loc(const struct def *d, const struct directive *dir, const char *name)
{
	int	 i = directive_operand(dir, name);

	return i >= 0 ? &d->oploc[i] : &d->loc;
}

static bool
op_set(const struct def *d, const struct directive *dir, const char *name)
{
	int	 i = directive_operand(dir, name);

	return i >= 0 && (d->set & (1ull << i));
}

static void
rule_check(struct def *d, const struct directive *dir, struct diag *diag,
    const char *label)
{
	struct rule	*r = (struct rule *)d;
	char		*cause = NULL;

	if (r->regex != NULL && r->caseless &&
	    regex_check(r->regex, true, &cause) != 0) {
		diag_add(diag, DIAG_ERROR, op_loc(d, dir, "REGEX"),
		    "%s REGEX: %s", label, cause);
		free(cause);
	}
	if (r->expect != NULL) {
		if (!op_set(d, dir, "WITHIN"))
			diag_add(diag, DIAG_ERROR, op_loc(d, dir, "EXPECT"),
			    "%s EXPECT: WITHIN is required with EXPECT (how"
			    " long to wait for the expected message)", label);
		if (r->foundactn == NULL && r->missactn == NULL)
			diag_add(diag, DIAG_ERROR, op_loc(d, dir, "EXPECT"),
			    "%s EXPECT: FOUNDACTN or MISSACTN (or both) is"
			    " required with EXPECT", label);
	}
	if (r->key != NULL && r->expect == NULL && r->suppress == 0 &&
	    r->threshold.count == 0)
		diag_add(diag, DIAG_WARNING, op_loc(d, dir, "KEY"),
		    "%s KEY: has no effect without SUPPRESS, THRESHOLD or"
		    " EXPECT", label);
}

static void
action_check(struct def *d, const struct directive *dir, struct diag *diag,
    const char *label)
{
	if (strcmp(d->name, "NULL") == 0)
		diag_add(diag, DIAG_ERROR, op_loc(d, dir, "NAME"), "%s NAME:"
		    " NULL is the built-in action that does nothing; it"
		    " cannot be redefined", label);
}

static void
emon_check(struct def *d, const struct directive *dir, struct diag *diag,
    const char *label)
{
	struct emon	*e = (struct emon *)d;
	size_t		 i;
	int		 j;
	const char	*s;

	for (i = 0; i < e->events.n; i++) {
		s = e->events.v[i];
		if (strpbrk(s, "*%") != NULL)
			continue;
		for (j = 0; event_names[j] != NULL; j++) {
			if (strcasecmp(s, event_names[j]) == 0)
				break;
		}
		if (event_names[j] == NULL) {
			const char *hint = suggest_word(s, event_names,
			    nitems(event_names) - 1);
			diag_add(diag, DIAG_ERROR, op_loc(d, dir, "EVENT"),
			    "%s EVENT: unknown event '%s'%s%s%s", label, s,
			    hint != NULL ? "; did you mean " : "",
			    hint != NULL ? hint : "", hint != NULL ? "?" : "");
		}
	}
}

static void
source_check(struct def *d, const struct directive *dir, struct diag *diag,
    const char *label)
{
	struct source	*s = (struct source *)d;
	const char	*need = NULL;
	static const char *const all[] = { "PATH", "ADDRESS", "PROGRAM" };
	size_t		 i;

	switch (s->type) {
	case SRC_FILE:
	case SRC_FIFO:
	case SRC_UNIX:
	case SRC_UNIXDGRAM:
		need = "PATH";
		break;
	case SRC_SYSLOG:
	case SRC_TCP:
		need = "ADDRESS";
		break;
	case SRC_PTY:
		need = "PROGRAM";
		break;
	}
	if (need != NULL && !op_set(d, dir, need))
		diag_add(diag, DIAG_ERROR, op_loc(d, dir, "TYPE"), "%s TYPE:"
		    " a %s source needs %s", label, srctype_words[s->type],
		    need);
	for (i = 0; i < nitems(all); i++) {
		if (op_set(d, dir, all[i]) && (need == NULL ||
		    strcmp(need, all[i]) != 0))
			diag_add(diag, DIAG_ERROR, op_loc(d, dir, all[i]),
			    "%s %s: not valid for a %s source", label, all[i],
			    srctype_words[s->type]);
	}
	if (s->type == SRC_TCP && op_set(d, dir, "PROTO") &&
	    s->proto != 1)
		diag_add(diag, DIAG_ERROR, op_loc(d, dir, "PROTO"),
		    "%s PROTO: a TCP source is always TCP", label);
}

static void
env_check(struct def *d, const struct directive *dir, struct diag *diag,
    const char *label)
{
	struct env	*e = (struct env *)d;

	if (e->source != NULL && e->type != ENVT_SOURCE)
		diag_add(diag, DIAG_ERROR, op_loc(d, dir, "SOURCE"),
		    "%s SOURCE: only valid with TYPE SOURCE", label);
	if (e->prefix != NULL && (e->type == ENVT_SOURCE ||
	    e->type == ENVT_VIGIL))
		diag_add(diag, DIAG_ERROR, op_loc(d, dir, "PREFIX"),
		    "%s PREFIX: only valid with TYPE EXEC or SHELL", label);
}

static void
auth_check(struct def *d, const struct directive *dir, struct diag *diag,
    const char *label)
{
	struct auth	*a = (struct auth *)d;
	int		 lv = directive_operand(dir, "LEVEL");

	/* The reference's AUTH USER x CONSOLE y grants view and commands. */
	if (a->level == AUTH_NONE && a->console != NULL)
		a->level = AUTH_OPERATE;
	if (a->level == AUTH_NONE)
		diag_add(diag, DIAG_ERROR, &d->loc, "%s: a level is required:"
		    " VIEW, OPERATE, CONFIG or ADMIN", label);
	d->set |= 1ull << lv;	/* the dump shows the level as LEVEL */
}

static void
plugin_check(struct def *d, const struct directive *dir, struct diag *diag,
    const char *label)
{
	struct plugin	*p = (struct plugin *)d;
	struct argv	*av = NULL;
	struct stat	 sb;
	char		*cause = NULL;

	if (access(p->file, R_OK) != 0 || stat(p->file, &sb) != 0)
		diag_add(diag, DIAG_ERROR, op_loc(d, dir, "FILE"),
		    "%s FILE: cannot read the plugin file '%s': %s", label,
		    p->file, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		diag_add(diag, DIAG_ERROR, op_loc(d, dir, "FILE"),
		    "%s FILE: '%s' is not a regular file", label, p->file);
	else if (lhost_syntax(p->file, &cause) != 0) {
		diag_add(diag, DIAG_ERROR, op_loc(d, dir, "FILE"),
		    "%s FILE: the plugin does not compile: %s", label, cause);
		free(cause);
		cause = NULL;
	}
	if (p->config != NULL && (av = argv_split(p->config, &cause)) ==
	    NULL) {
		diag_add(diag, DIAG_ERROR, op_loc(d, dir, "CONFIG"),
		    "%s CONFIG: %s", label, cause != NULL ? cause : "invalid");
		free(cause);
	}
	argv_free(av);
}

static void
optn_check(struct def *d, const struct directive *dir, struct diag *diag,
    const char *label)
{
	diag_add(diag, DIAG_WARNING, &d->loc, "%s: Vigil has no external"
	    " security manager; this statement has no effect (grant access"
	    " with AUTH statements)", label);
}

#define OPS(a)	a, nitems(a)
#define CONS(a)	a, nitems(a)
static const struct directive directives[] = {
	{ "DEFRULE", DEF_RULE, sizeof(struct rule), OPS(rule_ops),
	  CONS(rule_cons), false, true, rule_check,
	  "match console messages and run an action" },
	{ "DEFACTN", DEF_ACTION, sizeof(struct action), OPS(action_ops),
	  CONS(action_cons), false, true, action_check,
	  "define an action: a command and where it runs" },
	{ "DEFSCHD", DEF_SCHEDULE, sizeof(struct schedule), OPS(schedule_ops),
	  CONS(schedule_cons), false, true, NULL,
	  "run an action at set times" },
	{ "DEFGROUP", DEF_GROUP, sizeof(struct group), OPS(group_ops),
	  CONS(group_cons), true, true, NULL,
	  "name a group of user IDs (repeat to add members)" },
	{ "DEFDATE", DEF_DATE, sizeof(struct date), OPS(date_ops), NULL, 0,
	  true, true, NULL, "define holidays (repeat to add dates)" },
	{ "DEFEMON", DEF_EMON, sizeof(struct emon), OPS(emon_ops),
	  CONS(emon_cons), false, true, emon_check,
	  "react to *VMEVENT records and daemon events" },
	{ "DEFIMON", DEF_IMON, sizeof(struct imon), OPS(imon_ops),
	  CONS(imon_cons), false, true, NULL,
	  "alarm when something did not happen often enough" },
	{ "DEFMMON", DEF_MMON, sizeof(struct mmon), OPS(mmon_ops), NULL, 0,
	  false, true, NULL, "check that a user ID is logged on" },
	{ "DEFSMON", DEF_SMON, sizeof(struct umon), OPS(smon_ops),
	  CONS(umon_cons), false, true, NULL, "watch spool usage" },
	{ "DEFPMON", DEF_PMON, sizeof(struct umon), OPS(pmon_ops),
	  CONS(umon_cons), false, true, NULL, "watch page-space usage" },
	{ "DEFVIEW", DEF_VIEW, sizeof(struct view), OPS(view_ops),
	  CONS(view_cons), false, true, NULL,
	  "define a combined console view" },
	{ "DEFSRC", DEF_SOURCE, sizeof(struct source), OPS(source_ops), NULL,
	  0, false, true, source_check, "define an input source" },
	{ "DEFENV", DEF_ENV, sizeof(struct env), OPS(env_ops), NULL, 0, false,
	  true, env_check, "define a command environment" },
	{ "AUTH", DEF_AUTH, sizeof(struct auth), OPS(auth_ops),
	  CONS(auth_cons), false, false, auth_check,
	  "grant a user or group access" },
	{ "PLUGIN", DEF_PLUGIN, sizeof(struct plugin), OPS(plugin_ops), NULL,
	  0, false, true, plugin_check, "load a Lua plugin" },
	{ "DEFOPTN", DEF_OPTION, sizeof(struct optn), OPS(optn_ops),
	  CONS(optn_cons), false, false, optn_check,
	  "reference ESM options (accepted, no effect)" },
};

const struct directive *
directive_find(const char *verb)
{
	size_t	 i;

	for (i = 0; i < nitems(directives); i++) {
		if (strcasecmp(directives[i].verb, verb) == 0)
			return &directives[i];
	}
	return NULL;
}

const struct directive *
directive_of(enum def_kind kind)
{
	size_t	 i;

	for (i = 0; i < nitems(directives); i++) {
		if (directives[i].kind == kind)
			return &directives[i];
	}
	fatalx("%s: no directive for kind %d", __func__, kind);
}

const struct directive *
directive_at(size_t i)
{
	return i < nitems(directives) ? &directives[i] : NULL;
}

size_t
directive_count(void)
{
	return nitems(directives);
}

/* Index of an operand by name, aliases resolved; -1 if unknown. */
int
directive_operand(const struct directive *dir, const char *name)
{
	size_t	 i;

	for (i = 0; i < dir->nops; i++) {
		if (strcasecmp(dir->ops[i].name, name) == 0) {
			if (dir->ops[i].alias != NULL)
				return directive_operand(dir,
				    dir->ops[i].alias);
			return (int)i;
		}
	}
	return -1;
}

const char *
def_kind_name(enum def_kind kind)
{
	static const char *const names[DEF__COUNT] = {
		"rule", "action", "schedule", "group", "date",
		"event monitor", "idle monitor", "machine monitor",
		"spool monitor", "page monitor", "view", "source",
		"environment", "auth", "plugin", "option"
	};

	return kind < DEF__COUNT ? names[kind] : "?";
}

const char *
def_kind_verb(enum def_kind kind)
{
	return directive_of(kind)->verb;
}
