/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules.h - the rule language: lexer, parser, operand values, the compiled
 * and immutable ruleset, diagnostics and the dump.  The ruleset returned by
 * ruleset_load() is owned by the caller (ruleset_free); definitions found in
 * it are borrowed and live as long as the ruleset.  Diagnostics are owned by
 * the struct diag the caller passes in.
 */
#ifndef VIGIL_RULES_H
#define VIGIL_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/util.h"

/* Limits of the language (documented in vigil-rules(5)). */
#define NAME_MAX_LEN	 16		/* rule, action, ... names */
#define STMT_MAX_LEN	 65536		/* one statement, continuations joined */
#define FILE_MAX_SIZE	 (64u << 20)	/* one rule file */
#define INCLUDE_MAX_DEPTH 16
#define DIAG_MAX_PER_FILE 1000
#define CLASS_MAX_VALUES 32

/* A place in a rule file; file points into the ruleset's interned names. */
struct loc {
	const char	*file;
	unsigned	 line;
	unsigned	 col;
};

/* diag.c: the list of errors and warnings of one load. */
enum diag_level { DIAG_ERROR, DIAG_WARNING };
struct diag_item {
	enum diag_level	 level;
	struct loc	 loc;		/* file NULL: not located */
	char		*text;
};
struct diag {
	struct diag_item *items;
	size_t		 n;
	size_t		 cap;
	size_t		 errors;
	size_t		 warnings;
	char		**files;	/* interned file names (owned) */
	size_t		*file_errors;	/* errors per interned file */
	size_t		 nfiles;
};
void		 diag_init(struct diag *);
void		 diag_free(struct diag *);
const char	*diag_intern(struct diag *, const char *);
void		 diag_add(struct diag *, enum diag_level, const struct loc *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
size_t		 diag_errors_in(const struct diag *, const char *file);
char		*diag_format(const struct diag_item *);
void		 diag_print(const struct diag *, void *stream);

/* Kinds of definition, one per directive that defines something. */
enum def_kind {
	DEF_RULE,	/* DEFRULE */
	DEF_ACTION,	/* DEFACTN */
	DEF_SCHEDULE,	/* DEFSCHD */
	DEF_GROUP,	/* DEFGROUP */
	DEF_DATE,	/* DEFDATE */
	DEF_EMON,	/* DEFEMON */
	DEF_IMON,	/* DEFIMON */
	DEF_MMON,	/* DEFMMON */
	DEF_SMON,	/* DEFSMON */
	DEF_PMON,	/* DEFPMON */
	DEF_VIEW,	/* DEFVIEW */
	DEF_SOURCE,	/* DEFSRC */
	DEF_ENV,	/* DEFENV */
	DEF_AUTH,	/* AUTH */
	DEF_PLUGIN,	/* PLUGIN */
	DEF_OPTION,	/* DEFOPTN */
	DEF__COUNT
};

#define OPERANDS_MAX	 40

/* Common head of every definition; always the first member. */
struct def {
	enum def_kind	 kind;
	char		*name;		/* upper case; NULL for AUTH/DEFOPTN */
	struct loc	 loc;		/* the statement's verb */
	unsigned	 seq;		/* definition order in the load */
	uint64_t	 set;		/* bit i: operand i was given */
	struct loc	 oploc[OPERANDS_MAX]; /* where operand i's value is */
};

/* Operand values. */
struct colrange {		/* MCOL/ECOL bbb:eee, 1-based inclusive */
	uint16_t	 first;
	uint16_t	 last;
};
struct limit {			/* LIMIT count,interval[,action] */
	uint32_t	 count;		/* 0 with interval 0: unlimited */
	uint32_t	 interval;	/* seconds */
	char		*action;	/* NULL: none */
};
struct envref {			/* ENV procenv[,procsys] */
	char		*env;
	char		*sys;		/* NULL when not given */
};
struct pctrange {		/* USAGE/INCREASE lll-hhh */
	uint8_t		 low;
	uint8_t		 high;
};
struct strlist {		/* comma-separated words */
	char		**v;
	size_t		 n;
};
struct classset {		/* CLASS/TYPE values 0-255 */
	uint64_t	 bits[4];
	uint8_t		 n;
};
struct address {		/* host:port */
	char		*host;
	uint16_t	 port;
};

/* DEFSCHD WHEN: every form of the reference. */
enum when_kind {
	WHEN_NONE,
	WHEN_HOURLY,		/* mm */
	WHEN_DAILY,		/* hh:mm */
	WHEN_WEEKLY,		/* dow-hh:mm */
	WHEN_MONTHLY,		/* dd-hh:mm */
	WHEN_MONTH_END,		/* EM-hh:mm */
	WHEN_NTH_WEEKDAY,	/* {1ST..5TH,LST}{MON..SUN,WKD,WKE}-hh:mm */
	WHEN_YEARLY,		/* mm/dd-hh:mm */
	WHEN_ISO_WEEK,		/* Iwk-d-hh:mm */
	WHEN_ONCE_AFTER		/* NOW+hh:mm */
};
enum when_dow {			/* ISO numbering; WKD/WKE extend it */
	DOW_MON = 1, DOW_TUE, DOW_WED, DOW_THU, DOW_FRI, DOW_SAT, DOW_SUN,
	DOW_WKD, DOW_WKE
};
enum when_week {		/* which ISO weeks */
	WEEK_NUMBER,		/* week == number */
	WEEK_FIRST,		/* FW */
	WEEK_LAST,		/* LW: week 52 or 53, the year's last */
	WEEK_EVEN,		/* EV */
	WEEK_ODD		/* OD */
};
struct when {
	enum when_kind	 kind;
	uint8_t		 hour;		/* 0-23 (not HOURLY) */
	uint8_t		 minute;	/* 0-59 */
	uint8_t		 dow;		/* WEEKLY, NTH_WEEKDAY: enum when_dow */
	uint8_t		 nth;		/* NTH_WEEKDAY: 1-5, 0 = last */
	uint8_t		 mday;		/* MONTHLY, YEARLY: 1-31 */
	uint8_t		 month;		/* YEARLY: 1-12 */
	uint8_t		 week_sel;	/* ISO_WEEK: enum when_week */
	uint8_t		 week;		/* ISO_WEEK, WEEK_NUMBER: 1-53 */
	uint8_t		 isoday;	/* ISO_WEEK: 1 (Mon) - 7 (Sun) */
	uint32_t	 after;		/* ONCE_AFTER: seconds */
};
/* when.c */
int	 when_parse(const char *, struct when *, char **cause);
void	 when_format(const struct when *, struct strbuf *);
void	 when_describe(const struct when *, struct strbuf *);

/* calendar.c: dates, holidays. */
struct daterange {		/* year 0: every year */
	uint16_t	 y1;
	uint8_t		 m1, d1;
	uint16_t	 y2;
	uint8_t		 m2, d2;
};
struct datelist {
	struct daterange *v;
	size_t		 n;
};
int	 calendar_days_in_month(int year, int month);	/* year 0: 29 Feb */
int	 calendar_parse_dates(const char *, struct datelist *, char **cause);
void	 calendar_format_dates(const struct datelist *, struct strbuf *);
bool	 calendar_contains(const struct datelist *, int y, int m, int d);

/* The definitions.  Field comments name the operand. */
struct rule {
	struct def	 def;
	char		*match;		/* MATCH wildcard */
	char		*regex;		/* REGEX (PCRE2) */
	struct colrange	 mcol;		/* MCOL */
	char		*exclude;	/* EXCLUDE wildcard */
	struct colrange	 ecol;		/* ECOL */
	int		 caseless;	/* CASE EXACT|ANY */
	char		*action;	/* ACTION */
	char		*user;		/* USER wildcard */
	char		*group;		/* GROUP */
	char		*exuser;	/* EXUSER wildcard */
	char		*exgroup;	/* EXGROUP */
	char		*system;	/* SYSTEM wildcard */
	char		*source;	/* SOURCE wildcard */
	struct classset	 classes;	/* CLASS */
	uint8_t		 days;		/* DAYS: bit 0 Mon .. 6 Sun, 7 hol. */
	uint32_t	 hours;		/* HOURS: bit h */
	char		*parm;		/* PARM */
	struct limit	 limit;		/* LIMIT */
	struct envref	 env;		/* ENV */
	uint32_t	 supnext;	/* SUPNEXT */
	bool		 final;		/* FINAL */
	char		*key;		/* KEY correlation template */
	uint32_t	 suppress;	/* SUPPRESS seconds */
	struct limit	 threshold;	/* THRESHOLD count,interval */
	struct limit	 clear;		/* CLEAR count,interval,action */
	char		*expect;	/* EXPECT wildcard */
	uint32_t	 within;	/* WITHIN seconds */
	char		*foundactn;	/* FOUNDACTN */
	char		*missactn;	/* MISSACTN */
};

enum onfail { ONFAIL_STOP, ONFAIL_CONTINUE };
struct action {
	struct def	 def;
	char		*command;	/* COMMAND */
	char		*emit;		/* EMIT message text */
	struct envref	 env;		/* ENV */
	char		*nextactn;	/* NEXTACTN */
	uint32_t	 delay;		/* DELAY mm:ss, seconds */
	char		*input;		/* INPUT */
	uint32_t	 timeout;	/* TIMEOUT seconds, 0 none */
	uint32_t	 maxconc;	/* MAXCONC, 0 unlimited */
	char		*serial;	/* SERIAL key template */
	int		 onfail;	/* ONFAIL */
};

struct schedule {
	struct def	 def;
	struct when	 when;		/* WHEN */
	uint32_t	 every;		/* EVERY hh:mm, seconds */
	char		*action;	/* ACTION */
	char		*parm;		/* PARM */
	struct envref	 env;		/* ENV */
	uint8_t		 days;		/* DAYS */
	uint32_t	 hours;		/* HOURS */
	bool		 catchup;	/* CATCHUP */
	char		*tz;		/* TZ */
	struct limit	 limit;		/* LIMIT */
};

struct group {
	struct def	 def;
	struct strlist	 members;	/* USER / MEMBER, wildcards */
};

struct date {
	struct def	 def;
	struct datelist	 dates;		/* DATE */
	char		*desc;		/* DESC */
};

/* Common monitor tail shared by the five monitor kinds. */
struct emon {
	struct def	 def;
	struct classset	 classes;	/* CLASS (*VMEVENT class) */
	struct classset	 types;		/* TYPE (*VMEVENT type) */
	struct strlist	 events;	/* EVENT (Vigil daemon events) */
	char		*source;	/* SOURCE wildcard */
	char		*user;		/* USER wildcard */
	char		*action;
	char		*parm;
	struct envref	 env;
	uint8_t		 days;
	uint32_t	 hours;
	struct limit	 limit;
};

enum imon_target {
	IMON_RULE, IMON_SCHEDULE, IMON_MACHINE, IMON_SPOOL, IMON_PAGE,
	IMON_EVENT, IMON_IDLE, IMON_SOURCE
};
struct imon {
	struct def	 def;
	uint32_t	 occur_count;	/* OCCUR count,interval */
	uint32_t	 occur_interval; /* seconds (given in minutes) */
	char		*target[8];	/* RULE, SCHEDULE, ... by imon_target */
	char		*action;
	char		*parm;
	struct envref	 env;
	uint8_t		 days;
	uint32_t	 hours;
	struct limit	 limit;
};

struct mmon {
	struct def	 def;
	char		*user;		/* USER */
	uint32_t	 interval;	/* INTERVAL, seconds */
	uint32_t	 delay;		/* DELAY, seconds */
	char		*probe;		/* PROBE argv */
	char		*extract;	/* EXTRACT regex */
	char		*action;
	char		*parm;
	struct envref	 env;
	uint8_t		 days;
	uint32_t	 hours;
	struct limit	 limit;
};

struct umon {			/* DEFSMON and DEFPMON */
	struct def	 def;
	struct pctrange	 usage;		/* USAGE */
	struct pctrange	 increase;	/* INCREASE */
	uint32_t	 interval;	/* INTERVAL, seconds */
	char		*probe;		/* PROBE argv */
	char		*extract;	/* EXTRACT regex */
	char		*action;
	char		*parm;
	struct envref	 env;
	uint8_t		 days;
	uint32_t	 hours;
	struct limit	 limit;
};

struct view {
	struct def	 def;
	struct strlist	 users;		/* USER wildcards */
	struct strlist	 sources;	/* SOURCE wildcards */
};

enum src_type {
	SRC_STDIN, SRC_FILE, SRC_FIFO, SRC_UNIX, SRC_UNIXDGRAM, SRC_SYSLOG,
	SRC_TCP, SRC_PTY
};
enum src_format {
	FMT_AUTO, FMT_PLAIN, FMT_ZVM, FMT_ZOSLOG, FMT_SYSLOG, FMT_HERCULES
};
struct source {
	struct def	 def;
	int		 type;		/* TYPE enum src_type */
	char		*path;		/* PATH (resolved) */
	struct address	 address;	/* ADDRESS host:port */
	int		 proto;		/* PROTO UDP|TCP */
	char		*program;	/* PROGRAM argv */
	int		 format;	/* FORMAT enum src_format */
	char		*user;		/* USER */
	char		*system;	/* SYSTEM */
	char		*encoding;	/* ENCODING */
};

enum env_type { ENVT_EXEC, ENVT_SHELL, ENVT_SOURCE, ENVT_VIGIL };
struct env {
	struct def	 def;
	int		 type;		/* TYPE */
	char		*prefix;	/* PREFIX argv words */
	char		*source;	/* SOURCE */
};

enum auth_level { AUTH_NONE, AUTH_VIEW, AUTH_OPERATE, AUTH_CONFIG,
	AUTH_ADMIN };
struct auth {
	struct def	 def;
	char		*user;		/* USER (Unix user name or uid) */
	char		*group;		/* GROUP (Unix group name or gid) */
	int		 level;		/* VIEW|OPERATE|CONFIG|ADMIN|LEVEL */
	char		*console;	/* CONSOLE wildcard */
	char		*action;	/* ACTION wildcard */
	char		*source;	/* SOURCE wildcard */
	char		*rule;		/* RULE wildcard */
};

struct plugin {
	struct def	 def;
	char		*file;		/* FILE (resolved) */
	char		*config;	/* CONFIG */
};

struct optn {			/* DEFOPTN: reference ESM options */
	struct def	 def;
	bool		 esm;
	bool		 authcmd;
	uint32_t	 authext;
	char		*esmclass;
	char		*esmpref;
};

/*
 * message.c, format-*.c: a console message as rules see it, and the
 * readers that turn the lines of a source into messages.  A message given
 * to a callback is borrowed: it is freed when the callback returns.
 */
#define MSGID_MAX	 24
#define MSG_MAX_LINES	 256		/* lines of one multi-line message */
#define MSG_MAX_LEN	 65536		/* bytes of one message's text */

#define MSGF_TRUNCATED	 0x01	/* text cut at MSG_MAX_LEN */
#define MSGF_BADUTF8	 0x02	/* invalid UTF-8 replaced by U+FFFD */
#define MSGF_NUL	 0x04	/* NUL bytes replaced by blanks */
#define MSGF_UNENDED	 0x08	/* multi-line message flushed unended */
#define MSGF_ASCII	 0x10	/* text is pure ASCII: columns are bytes */

struct message {
	char		*text;		/* what MATCH and MCOL see (UTF-8) */
	size_t		 len;
	char		*user;		/* &U: user ID, console or program */
	char		*system;	/* the originating system, or NULL */
	char		*source;	/* the DEFSRC name, or NULL */
	char		 msgid[MSGID_MAX]; /* "HCPSIG2113I", "" if none */
	time_t		 time;		/* its own time, else arrival time */
	bool		 has_time;	/* time came from the line itself */
	int		 cls;		/* message class, 0 when unknown */
	int		 format;	/* enum src_format it was read as */
	unsigned	 flags;		/* MSGF_* */
	char		**lines;	/* multi-line: each line's text */
	size_t		 nlines;	/* 0 for a single-line message */
	char		*sd;		/* RFC 5424 structured data, or NULL */
	char		*jobid;		/* z/OS job id, or NULL */
	uint64_t	 line;		/* reader's line count at its first line */
};

struct msgreader_stats {
	uint64_t	 lines;		/* physical lines fed */
	uint64_t	 messages;	/* messages produced */
	uint64_t	 truncated;	/* lines cut at MSG_MAX_LEN */
	uint64_t	 bad_utf8;	/* messages with invalid UTF-8 */
	uint64_t	 nul;		/* messages with NUL bytes */
	uint64_t	 unended;	/* multi-line messages never ended */
	uint64_t	 malformed;	/* records not of the source's format */
	uint64_t	 out_of_order;	/* timestamps going backwards */
};

typedef void	(*message_cb)(const struct message *, void *);
struct msgreader;
struct msgreader *msgreader_create(int format, const char *source,
		    const char *system, const char *user);
void		 msgreader_line(struct msgreader *, const char *, size_t,
		    time_t now, message_cb, void *);
void		 msgreader_flush(struct msgreader *, time_t now, message_cb,
		    void *);
const struct msgreader_stats *msgreader_stats(const struct msgreader *);
void		 msgreader_free(struct msgreader *);
struct message	*message_create(const char *text, size_t len,
		    const char *user, const char *system, const char *source,
		    time_t time);
void		 message_free(struct message *);
size_t		 msgid_find(const char *text, size_t len, char *out);
const char	*format_name(int format);

/* The compiled ruleset: immutable once loaded. */
struct ruleset;

struct ruleset	*ruleset_load(const char *path, struct diag *);
struct ruleset	*ruleset_load_buffer(const char *name, const char *,
		    size_t, struct diag *);
void		 ruleset_free(struct ruleset *);
size_t		 ruleset_count(const struct ruleset *, enum def_kind);
const struct def *ruleset_get(const struct ruleset *, enum def_kind,
		    size_t);
const struct def *ruleset_find(const struct ruleset *, enum def_kind,
		    const char *name);
size_t		 ruleset_size(const struct ruleset *);
const struct def *ruleset_at(const struct ruleset *, size_t);
const char	*ruleset_main_file(const struct ruleset *);
void		 ruleset_summary(const struct ruleset *, struct strbuf *);
void		 ruleset_dump(const struct ruleset *, struct strbuf *);
void		 dump_def(const struct def *, struct strbuf *);

/*
 * schedule.c: when a DEFSCHD runs, in its TZ (NULL: local time), with
 * DAYS, HOURS and the DEFDATE holidays of a ruleset (NULL: none).  anchor
 * is when the schedule was started, reloaded or defined (EVERY, NOW+).
 */
bool		 sched_next(const struct schedule *, const struct ruleset *,
		    time_t anchor, time_t after, time_t *next);
size_t		 sched_list(const struct schedule *, const struct ruleset *,
		    time_t anchor, time_t after, time_t *out, size_t n);
bool		 sched_allows(const struct schedule *,
		    const struct ruleset *, time_t);

/*
 * probe.c: what the probe of a DEFMMON, DEFSMON or DEFPMON printed (CP's
 * responses to QUERY USER and QUERY ALLOC SPOOL/PAGE, or what EXTRACT
 * finds).  A probe_re is owned by the caller (probe_re_free).
 */
enum probe_logon { PROBE_UNKNOWN, PROBE_ON, PROBE_OFF };
struct probe_re;
struct probe_re	*probe_re_create(const char *pattern, char **cause);
void		 probe_re_free(struct probe_re *);
int		 probe_re_find(const struct probe_re *, const char *, size_t,
		    size_t *off, size_t *len);
int		 probe_percent(const char *, size_t);
int		 probe_query_alloc(const char *, size_t);
enum probe_logon probe_query_user(const char *, size_t, const char *user,
		    char *state, size_t);
int		 probe_usage(const struct probe_re *, const char *, size_t);
enum probe_logon probe_logon(const struct probe_re *, const char *, size_t,
		    const char *user, int status, char *state, size_t);

/*
 * compile.c, index.c, match.c: the matching engine.  ruleset_load()
 * compiles every pattern (PCRE2, JIT when available) and builds the rule
 * index; a matcher holds the scratch space of one thread of matching and
 * borrows the ruleset, which must outlive it.
 */
enum miss_reason {
	MISS_NONE,
	MISS_PATTERN,		/* MATCH/REGEX did not match */
	MISS_COLUMNS,		/* matched, but not within MCOL */
	MISS_EXCLUDED,		/* EXCLUDE matched */
	MISS_USER,		/* USER does not match */
	MISS_GROUP,		/* user not in GROUP */
	MISS_EXUSER,		/* EXUSER matches */
	MISS_EXGROUP,		/* user in EXGROUP */
	MISS_SYSTEM,		/* SYSTEM does not match */
	MISS_SOURCE,		/* SOURCE does not match */
	MISS_CLASS,		/* class not in CLASS */
	MISS_DAYS,		/* not active on this day (DAYS) */
	MISS_HOLIDAY,		/* a holiday, and DAYS has no H */
	MISS_HOURS,		/* not active at this hour (HOURS) */
	MISS_FINAL		/* an earlier rule said FINAL */
};
const char	*miss_reason_text(enum miss_reason);

struct matcher;
struct match_hit {		/* one fired rule, valid in the callback */
	const struct rule	*rule;
	unsigned		 ord;		/* its place among the rules */
	const struct matcher	*m;
};
struct match_near {		/* one candidate that did not fire */
	const struct rule	*rule;
	enum miss_reason	 why;
};
typedef void	(*match_cb)(const struct match_hit *, void *);

struct matcher	*matcher_create(const struct ruleset *);
void		 matcher_free(struct matcher *);
size_t		 matcher_run(struct matcher *, const struct message *,
		    match_cb, void *);
size_t		 matcher_explain(struct matcher *, const struct message *,
		    match_cb, void *, struct match_near **, size_t *);
const char	*matcher_group(const struct match_hit *, const char *name,
		    size_t *len);
size_t		 matcher_candidates(const struct matcher *);
void		 matcher_set_exhaustive(struct matcher *, bool);
bool		 ruleset_group_has(const struct ruleset *, const char *group,
		    const char *user);
bool		 ruleset_is_holiday(const struct ruleset *, int y, int m,
		    int d);
bool		 rule_has_group_name(const struct ruleset *,
		    const struct rule *, const char *);
int		 wild_match(const char *pattern, const char *s, bool caseless);

/* Directive metadata (directives.c), used by the parser, dump and docs. */
const char	*def_kind_name(enum def_kind);	/* "rule", "action", ... */
const char	*def_kind_verb(enum def_kind);	/* "DEFRULE", ... */

/* suggest.c */
const char	*suggest_word(const char *, const char *const *, size_t);

/* wildcard.c */
int		 wildcard_check(const char *, char **cause);
int		 regex_check(const char *, bool caseless, char **cause);

/*
 * authz.c: who may do what, decided from the AUTH statements of a ruleset
 * alone.  The caller looks the peer up (its user name, its groups and
 * their names) and passes them in, so the decision does no I/O and can
 * be tested; strings returned are owned by the caller.
 *
 * Root and the daemon's own uid are ADMIN; anyone else has the highest
 * level of the AUTH statements that name them (USER: the user name,
 * exactly, or the uid number; GROUP: one of their groups by name,
 * exactly, or by number) and apply to the object: a statement without
 * CONSOLE, ACTION, SOURCE or RULE applies to everything; one with
 * ACTION pattern only to kind "ACTION" objects that match it (a
 * wildcard, case-insensitive), and so on for SOURCE (a source: viewing
 * its console log, suspending it, injecting into it), CONSOLE (the
 * console of a user ID: its messages, whatever source carried them, as
 * in the reference) and RULE.  Kinds are kept apart: a source and a user
 * ID of the same name are different objects.  A kind with no AUTH
 * operand of its own (SCHEDULE, MONITOR, ...) and a NULL kind (a global
 * right, such as status or reload) take global grants only.
 */
struct authz_peer {
	unsigned long		 uid;
	const char		*user;		/* the uid's name; NULL: none */
	const unsigned long	*gids;		/* every group of the peer */
	const char *const	*groups;	/* their names (NULL where a gid
						   has none), or NULL */
	size_t			 ngroups;
};
int		 authz_level(const struct ruleset *, const struct authz_peer *,
		    unsigned long self, const char *kind, const char *object);
const char	*authz_level_name(int);		/* "VIEW", ..., "NONE" */
char		*authz_statement(const struct authz_peer *, int level,
		    const char *kind, const char *object);


/*
 * Internal to rules/: the lexer, operand values and the ruleset builder.
 */

/* lexer.c: physical lines to logical statements, one position per byte. */
struct stmt {
	struct strbuf	 text;		/* continuations joined by one blank */
	struct loc	*pos;		/* pos[i]: where text.data[i] came from */
	size_t		 poscap;
	struct loc	 end;		/* just after the last character */
};
struct lexer;
struct lexer	*lexer_create(const char *file, const char *, size_t,
		    struct diag *);
int		 lexer_next(struct lexer *, struct stmt *);
bool		 lexer_gave_up(const struct lexer *);
void		 lexer_free(struct lexer *);
void		 stmt_init(struct stmt *);
void		 stmt_free(struct stmt *);
struct loc	 stmt_loc(const struct stmt *, size_t);

/* value.c: one parser, formatter and destructor per operand type. */
enum vtype {
	V_NAME,		/* a definition name, stored upper case */
	V_REF,		/* a name of another definition (op->ref) */
	V_TEXT,		/* any text */
	V_WILD,		/* a wildcard pattern: * any run, % one char */
	V_REGEX,	/* a PCRE2 pattern */
	V_COLS,		/* bbb:eee */
	V_DAYS,		/* MTWTFSSH */
	V_HOURS,	/* h,h,... or h-h */
	V_CLASSES,	/* n,n,... 0-255 */
	V_LIMIT,	/* count,interval[,action] */
	V_THRESH,	/* count,interval[,action] (action per flags) */
	V_OCCUR,	/* count,interval (minutes) */
	V_DELAY,	/* mm:ss */
	V_HHMM,		/* hh:mm interval */
	V_DURATION,	/* n (minutes) or n{s,m,h,d} */
	V_UINT,		/* unsigned number within bounds */
	V_BOOL,		/* YES|NO|Y|N */
	V_ENUM,		/* one of op->words */
	V_FLAG,		/* keyword without value: stores op->flagval */
	V_ENV,		/* procenv[,procsys] */
	V_WHEN,		/* a DEFSCHD WHEN form */
	V_PCT,		/* lll-hhh percentages */
	V_LIST,		/* comma-separated words (wildcards allowed) */
	V_DATES,	/* DEFDATE date list */
	V_ADDRESS,	/* host:port */
	V_TZ,		/* a time zone name */
	V_PATH,		/* a path, resolved against the rule file */
	V_ENCODING,	/* a character set iconv knows */
	V_ARGV,		/* a command line, split into words later */
	V__COUNT
};

#define OPF_REQUIRED	0x01	/* must be given */
#define OPF_NODUMP	0x02	/* never shown in the dump */
#define OPF_ACTION	0x04	/* V_THRESH: the action part is required */
#define OPF_WORD	0x08	/* V_TEXT: a single word, no blanks */
#define OPF_QUIETDEF	0x10	/* default applied but not dumped */

struct operand {
	const char	*name;
	enum vtype	 type;
	size_t		 off;		/* offset in the definition struct */
	unsigned	 flags;
	enum def_kind	 ref;		/* V_REF: what the name must be */
	long		 min, max;	/* V_UINT, V_DURATION bounds */
	const char *const *words;	/* V_ENUM: accepted words */
	int		 flagval;	/* V_FLAG: value stored */
	const char	*alias;		/* counts as this operand */
	const char	*needs;		/* only valid with this operand */
	const char	*conflicts;	/* never together with this one */
	const char	*deflt;		/* default, in the operand's syntax */
	const char	*help;		/* syntax shown in usage */
};

struct value_ctx {
	const char	*dir;		/* directory of the rule file */
	bool		 caseless;
};
int		 value_parse(const struct operand *, const char *, void *,
		    const struct value_ctx *, char **);
void		 value_format(const struct operand *, const void *,
		    struct strbuf *);
void		 value_free(const struct operand *, void *);
bool		 name_valid(const char *, char **);

/* directives.c: the table of statements. */
enum constraint_kind { EXACTLY_ONE, AT_LEAST_ONE, AT_MOST_ONE };
struct constraint {
	enum constraint_kind kind;
	const char	*names[9];
};
struct directive {
	const char	*verb;
	enum def_kind	 kind;
	size_t		 size;
	const struct operand *ops;
	size_t		 nops;
	const struct constraint *constraints;
	size_t		 nconstraints;
	bool		 repeatable;	/* same NAME adds to the definition */
	bool		 named;		/* has a NAME operand */
	void		(*check)(struct def *, const struct directive *,
			    struct diag *, const char *label);
	const char	*summary;
};
const struct directive *directive_find(const char *verb);
const struct directive *directive_of(enum def_kind);
const struct directive *directive_at(size_t);
size_t		 directive_count(void);
int		 directive_operand(const struct directive *, const char *);

/* ruleset.c: building. */
struct ruleset	*ruleset_create(void);
const char	*ruleset_intern(struct ruleset *, const char *);
void		 ruleset_add(struct ruleset *, struct def *);
void		 ruleset_add_failed(struct ruleset *, enum def_kind,
		    const char *);
bool		 ruleset_failed(const struct ruleset *, enum def_kind,
		    const char *);
void		 ruleset_finish(struct ruleset *, struct diag *);
void		 def_free(struct def *);

/* compile.c: patterns and the index, once the load is known good. */
struct crule {			/* one rule, ready to match */
	const struct rule *rule;
	void		*pat;		/* pcre2_code: MATCH or REGEX */
	void		*excl;		/* pcre2_code: EXCLUDE, or NULL */
	bool		 filtered;	/* has USER/GROUP/... filters */
	bool		 timed;		/* DAYS or HOURS not "always" */
};
struct gram_slot {		/* open-addressing slot of the index */
	uint32_t	 gram;		/* four folded bytes; 0: empty */
	uint32_t	 start;		/* first ordinal in ords[] */
	uint32_t	 count;
};
#define GRAM_BLOOM_BITS	 (1u << 20)	/* 128 KiB: in L2, sparse */
#define GRAM_BLOOM_SHIFT 12		/* 32 - 20 */
#define KEY_MAX_LEN	 32
struct rule_key {		/* the literal around a rule's gram */
	unsigned char	 lit[KEY_MAX_LEN];	/* folded */
	uint8_t		 len;
	uint8_t		 off;		/* where the gram is in lit */
};
struct compiled {
	struct crule	*rules;		/* in firing (definition) order */
	size_t		 n;
	struct gram_slot *slots;	/* power-of-two sized */
	size_t		 nslots;
	uint32_t	*ords;		/* rule ordinals per gram */
	struct rule_key	*keys;		/* per rule, checked on a gram hit */
	uint64_t	 bloom[GRAM_BLOOM_BITS / 64];
	uint32_t	*always;	/* rules without a usable gram */
	size_t		 nalways;
	uint32_t	 max_pairs;	/* ovector pairs any pattern needs */
	const struct datelist **holidays;
	size_t		 nholidays;
};
/*
 * Hot in the scan of every message, so inline.  The Bloom filter, tried
 * at every position, takes the high bits of one multiplication; the slot
 * index, only on a Bloom hit, uses the low bits of a fully mixed hash.
 */
static inline uint32_t
gram_bloom(uint32_t g)
{
	return (g * 2654435761u) >> GRAM_BLOOM_SHIFT;
}

static inline uint32_t
gram_hash(uint32_t g)
{
	g *= 2654435761u;
	g ^= g >> 15;
	g *= 0x85ebca77u;
	g ^= g >> 13;
	return g;
}
extern const unsigned char fold_upper[256];
struct compiled	*compile_ruleset(const struct ruleset *, struct diag *);
void		 compiled_free(struct compiled *);
void		 ruleset_set_compiled(struct ruleset *, struct compiled *);
const struct compiled *ruleset_compiled(const struct ruleset *);

/* xref.c: cross-references, checked once the whole load is parsed. */
void		 xref_check(const struct ruleset *, struct diag *);

/*
 * message.c, format.c, format-*.c: what the format readers share.  Each
 * reader gets one physical line, already cut at MSG_MAX_LEN and without
 * its trailing blanks and end of line, and hands its messages to
 * msgreader_emit(); the message msgreader_begin() returns belongs to the
 * reader and is reused for the next line.  With guess (FORMAT AUTO) a
 * reader takes only lines clearly of its format and returns false, having
 * done nothing, for the others; without, it takes every line.
 */
unsigned	 message_clean(struct strbuf *, const char *, size_t,
		    size_t max);
enum keep_slot {
	KEEP_USER, KEEP_SYSTEM, KEEP_SD, KEEP_JOBID, KEEP_MSGID, KEEP__COUNT
};
const char	*msgreader_user(const struct msgreader *);
const char	*msgreader_system(const struct msgreader *);
const char	*msgreader_source(const struct msgreader *);
struct message	*msgreader_begin(struct msgreader *, int format,
		    const char *, size_t, time_t, bool has_time,
		    unsigned flags);
const char	*msgreader_keep(struct msgreader *, enum keep_slot,
		    const char *, size_t);
void		 msgreader_emit(struct msgreader *, struct message *,
		    message_cb, void *);
void		 msgreader_malformed(struct msgreader *);
unsigned	 msgreader_line_flags(const struct msgreader *);
time_t		 format_time_today(struct msgreader *, time_t now, int h,
		    int m, int s);
time_t		 format_time_local(struct msgreader *, int y, int mon, int d,
		    int h, int m, int s);
bool		 format_local_now(struct msgreader *, time_t now,
		    struct tm *);
bool		 format_hms(const char *, size_t, char sep, int *, int *,
		    int *);
bool		 format_digits(const char *, size_t);
int		 format_num(const char *, size_t);
void		 format_plain_line(struct msgreader *, const char *, size_t,
		    time_t, message_cb, void *);
bool		 format_zvm_line(struct msgreader *, const char *, size_t,
		    time_t, message_cb, void *, bool guess);
bool		 format_hercules_line(struct msgreader *, const char *, size_t,
		    time_t, message_cb, void *, bool guess);
bool		 format_syslog_line(struct msgreader *, const char *, size_t,
		    time_t, message_cb, void *, bool guess);
struct format_zos;
struct format_zos *format_zos_create(void);
void		 format_zos_free(struct format_zos *);
bool		 format_zos_line(struct format_zos *, struct msgreader *,
		    const char *, size_t, time_t, message_cb, void *,
		    bool guess);
void		 format_zos_flush(struct format_zos *, struct msgreader *,
		    message_cb, void *);

/* parser.c / load.c */
struct loader;
void		 parser_run(struct loader *, struct lexer *, const char *dir);
void		 load_include(struct loader *, const char *path,
		    const struct loc *, const char *dir);
struct ruleset	*loader_ruleset(struct loader *);
struct diag	*loader_diag(struct loader *);

#endif
