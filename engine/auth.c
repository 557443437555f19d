/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth.c - who may do what on the control socket, and the audit trail of
 * what they did.  It looks the peer up (its user name and every group
 * the user database gives it) and asks rules/authz.c, which decides from
 * the AUTH statements of the ruleset in force; a refusal is explained to
 * the client, with the statement that would grant what was missing, and
 * written to the audit trail.  It does not know the commands: each one
 * (engine/ctl-cmds.c) says which level it needs for which object.  The
 * peer's uid and gid come from the kernel (control.c, SO_PEERCRED).
 *
 * Nothing is cached: the user database is asked on every check, so a user
 * taken out of a group loses its grants at the next command, not at the
 * next reload or restart.  The cost is a few NSS lookups per command
 * (nscd or sssd cache them when the database is remote); root, the
 * daemon's own uid, and a ruleset without AUTH need none.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/control.h"
#include "engine/engine.h"
#include "engine/state.h"
/*
 * rules.h has a struct group of its own (DEFGROUP), which <grp.h> needs
 * the name of; this file uses none of the rules' groups.
 */
#define group	rules_group
#include "rules/rules.h"
#undef group

#define AUTH_GROUPS_MAX		65536	/* NGROUPS_MAX of Linux */
#define AUTH_NSS_BUF_MAX	(1 << 20)
/* Arguments kept in one audit record; an inject may carry 64 KiB. */
#define AUTH_AUDIT_ARGS_MAX	4096

/* What the user database says about a peer, for authz_level. */
struct peer {
	struct authz_peer	 p;
	char			*user;
	unsigned long		*gids;
	char			**names;
};

/* A buffer for the *_r lookups, grown on ERANGE; NULL when too large. */
static char *
nss_buf(char *buf, size_t *len, int sysconf_name)
{
	long	 n;

	if (buf == NULL) {
		n = sysconf(sysconf_name);
		*len = n > 0 && n < AUTH_NSS_BUF_MAX ? (size_t)n : 1024;
	} else if (*len >= AUTH_NSS_BUF_MAX) {
		free(buf);
		return NULL;
	} else
		*len *= 2;
	free(buf);
	return xmalloc(*len);
}

/* The name of a uid and its primary group; false if it has none. */
static bool
lookup_user(uid_t uid, char **name, gid_t *gid)
{
	struct passwd	 pw, *res = NULL;
	char		*buf = NULL;
	size_t		 len = 0;
	int		 rc;

	do {
		if ((buf = nss_buf(buf, &len, _SC_GETPW_R_SIZE_MAX)) == NULL)
			return false;
		rc = getpwuid_r(uid, &pw, buf, len, &res);
	} while (rc == ERANGE);
	if (rc != 0 || res == NULL) {
		free(buf);
		return false;
	}
	*name = xstrdup(pw.pw_name);
	*gid = pw.pw_gid;
	free(buf);
	return true;
}

/* The name of a gid, or NULL. */
static char *
lookup_group(gid_t gid)
{
	struct group	 gr, *res = NULL;
	char		*buf = NULL, *name = NULL;
	size_t		 len = 0;
	int		 rc;

	do {
		if ((buf = nss_buf(buf, &len, _SC_GETGR_R_SIZE_MAX)) == NULL)
			return NULL;
		rc = getgrgid_r(gid, &gr, buf, len, &res);
	} while (rc == ERANGE);
	if (rc == 0 && res != NULL)
		name = xstrdup(gr.gr_name);
	free(buf);
	return name;
}

static void
peer_add_gid(struct peer *pr, gid_t gid)
{
	size_t	 i;

	for (i = 0; i < pr->p.ngroups; i++) {
		if (pr->gids[i] == (unsigned long)gid)
			return;
	}
	pr->gids[pr->p.ngroups++] = gid;
}

/*
 * The peer's groups are those the user database gives its user (primary
 * and supplementary, through getgrouplist), plus the gid the kernel
 * reported for the connecting process (it may have switched to a group
 * of its own).  A uid without a user has only that gid.
 */
static void
peer_lookup(struct peer *pr, uid_t uid, gid_t gid)
{
	gid_t	*list = NULL;
	gid_t	 pgid = gid;
	int	 n = 32, want, i;

	memset(pr, 0, sizeof *pr);
	pr->p.uid = uid;
	if (lookup_user(uid, &pr->user, &pgid)) {
		for (;;) {
			list = xreallocarray(list, (size_t)n, sizeof *list);
			want = n;
			if (getgrouplist(pr->user, pgid, list, &want) != -1) {
				n = want;
				break;
			}
			/* glibc says how many; others may not. */
			want = want > n ? want : n * 2;
			if (want > AUTH_GROUPS_MAX) {
				n = 0;	/* only the kernel's gid then */
				break;
			}
			n = want;
		}
	} else
		n = 0;
	pr->gids = xreallocarray(NULL, (size_t)n + 1, sizeof *pr->gids);
	peer_add_gid(pr, gid);
	for (i = 0; i < n; i++)
		peer_add_gid(pr, list[i]);
	free(list);
	pr->names = xreallocarray(NULL, pr->p.ngroups, sizeof *pr->names);
	for (i = 0; i < (int)pr->p.ngroups; i++)
		pr->names[i] = lookup_group((gid_t)pr->gids[i]);
	pr->p.user = pr->user;
	pr->p.gids = pr->gids;
	pr->p.groups = (const char *const *)pr->names;
}

static void
peer_free(struct peer *pr)
{
	size_t	 i;

	for (i = 0; i < pr->p.ngroups; i++)
		free(pr->names[i]);
	free(pr->names);
	free(pr->gids);
	free(pr->user);
}

/* The level uid/gid has for kind/object (NULL: a global right). */
int
auth_level(struct vigild *d, uid_t uid, gid_t gid, const char *kind,
    const char *object)
{
	const struct ruleset	*rs = d->cur != NULL ? d->cur->rs : NULL;
	struct authz_peer	 bare = { uid, NULL, NULL, NULL, 0 };
	struct peer		 pr;
	unsigned long		 self = geteuid();
	int			 level;

	/*
	 * The lookups cannot change the answer for root or the daemon's own
	 * uid (ADMIN), nor without AUTH statements (nothing): skip them.
	 */
	if (uid == 0 || uid == self || rs == NULL ||
	    ruleset_count(rs, DEF_AUTH) == 0)
		return authz_level(rs, &bare, self, kind, object);
	peer_lookup(&pr, uid, gid);
	level = authz_level(rs, &pr.p, self, kind, object);
	peer_free(&pr);
	return level;
}

/* The command's full name once ctl_command has found it, else as typed. */
static const char *
req_command(const struct ctl_req *req)
{
	if (req->cmd != NULL)
		return req->cmd;
	return req->argc > 0 ? req->argv[0] : "?";
}

/* What kind/object is, for a person: "action BKRLNX03" (escaped). */
static void
object_text(struct strbuf *sb, const char *kind, const char *object)
{
	const char	*c;

	for (c = kind; *c != '\0'; c++)
		strbuf_addc(sb, (char)tolower((unsigned char)*c));
	if (object != NULL) {
		strbuf_addc(sb, ' ');
		strbuf_add_escaped(sb, object, strlen(object));
	}
}

/* Whether req may go on; if not, refused, explained, audited and ended. */
bool
ctl_permit(struct ctl_req *req, int level, const char *kind,
    const char *object)
{
	struct authz_peer	 who = { req->uid, req->user, NULL, NULL, 0 };
	struct strbuf		 what;
	char			*grant;
	const char		*cmd = req_command(req);
	int			 has;

	has = auth_level(req->d, req->uid, req->gid, kind, object);
	if (has >= level)
		return true;

	strbuf_init(&what);
	strbuf_add_escaped(&what, cmd, strlen(cmd));
	strbuf_addf(&what, " needs %s", authz_level_name(level));
	if (kind != NULL) {
		strbuf_adds(&what, " on ");
		object_text(&what, kind, object);
	}
	grant = authz_statement(&who, level, kind, object);
	if (has == AUTH_NONE)
		ctl_err(req, "refused: %s; user %s (uid %lu) has no access%s",
		    what.data, req->user, (unsigned long)req->uid,
		    kind != NULL ? " to it" : "");
	else
		ctl_err(req, "refused: %s; user %s (uid %lu) has only %s",
		    what.data, req->user, (unsigned long)req->uid,
		    authz_level_name(has));
	ctl_err(req, "to grant it, add to the rules and reload: %s", grant);
	log_info("control: %s (uid %lu, pid %ld): refused: %s", req->user,
	    (unsigned long)req->uid, (long)req->pid, what.data);
	ctl_audit(req, "refused");
	free(grant);
	strbuf_free(&what);
	ctl_end(req, 1);
	return false;
}

/*
 * One argument word as it would be typed again: quoted for the shell
 * when it is empty or has blanks or quotes, control bytes escaped (the
 * trail is read on terminals).
 */
static void
audit_word(struct strbuf *sb, const char *w)
{
	const char	*c;

	if (*w != '\0' && strpbrk(w, " \t'\"\\") == NULL) {
		strbuf_add_escaped(sb, w, strlen(w));
		return;
	}
	strbuf_addc(sb, '\'');
	for (c = w; *c != '\0'; c++) {
		if (*c == '\'')
			strbuf_adds(sb, "'\\''");
		else
			strbuf_add_escaped(sb, c, 1);
	}
	strbuf_addc(sb, '\'');
}

/* One audit record: who, when, the command and its words, the result. */
void
ctl_audit(struct ctl_req *req, const char *result)
{
	struct audit_rec	 a;
	struct strbuf		 args, cmd;
	size_t			 full;
	int			 i;

	if (req->d->state == NULL)
		return;
	strbuf_init(&cmd);
	strbuf_init(&args);
	strbuf_add_escaped(&cmd, req_command(req), strlen(req_command(req)));
	for (i = 1; i < req->argc; i++) {
		if (i > 1)
			strbuf_addc(&args, ' ');
		audit_word(&args, req->argv[i]);
	}
	/*
	 * Say how much was cut, rather than keep an inject's 64 KiB; cut on
	 * a character boundary, the column is text.
	 */
	if ((full = args.len) > AUTH_AUDIT_ARGS_MAX) {
		args.len = AUTH_AUDIT_ARGS_MAX;
		while (args.len > 0 &&
		    ((unsigned char)args.data[args.len] & 0xc0) == 0x80)
			args.len--;
		args.data[args.len] = '\0';
		strbuf_addf(&args, "... (%zu bytes)", full);
	}
	a.when = vigild_now(req->d);
	a.uid = (long)req->uid;
	a.user = req->user;
	a.command = cmd.data;
	a.args = args.len > 0 ? args.data : "";
	a.result = result;
	state_audit(req->d->state, &a);
	strbuf_free(&cmd);
	strbuf_free(&args);
}
