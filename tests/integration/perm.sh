#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/perm.sh - permissions and audit of the control socket,
# with the real daemon and the real client run as real users.  Three
# unprivileged users are created for the test: vigil-t-view (AUTH USER ...
# VIEW), vigil-t-op (in group vigil-t-ops, AUTH GROUP vigil-t-ops OPERATE
# ACTION(BKR*)) and vigil-t-none (no AUTH).  Each level does exactly what
# it should and nothing more: the viewer may look but not act, the
# operator may run and suspend BKR* actions and nothing else, the user
# without a grant may not even see the status.  Each refusal exits 1,
# names the missing grant and the AUTH statement that gives it, and
# leaves an audit record; adding that very statement and reloading
# grants it.  A Lua workflow's question may be seen with VIEW but only
# answered (or the workflow cancelled) with global OPERATE.  Root may do
# everything, shutdown included.
#
# Needs root (it creates users) and useradd/setpriv; skips otherwise.
# The daemon checks the peer's credentials itself, so the test opens the
# socket to everyone (chmod after start): what is tested is the daemon's
# decision, not the file mode.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}" "${VIGIL:?}"
skip() { echo "1..0 # SKIP $1"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "not root: the test creates users"
for c in useradd userdel groupadd groupdel setpriv flock; do
	command -v "$c" >/dev/null || skip "$c not installed"
done

U_VIEW=vigil-t-view
U_OP=vigil-t-op
U_NONE=vigil-t-none
G_OPS=vigil-t-ops

tmp=$(mktemp -d)
pid=
# Users are system-wide: one run of this test at a time.
exec 9>/tmp/vigil-t-perm.lock
flock -w 300 9 || skip "another run holds /tmp/vigil-t-perm.lock"
drop_users() {
	local u
	for u in "$U_VIEW" "$U_OP" "$U_NONE"; do
		id "$u" >/dev/null 2>&1 && userdel "$u" 2>/dev/null
	done
	getent group "$G_OPS" >/dev/null && groupdel "$G_OPS" 2>/dev/null
	# useradd -U made a group per user; userdel removes it, unless the
	# system is set up otherwise.
	for u in "$U_VIEW" "$U_OP" "$U_NONE"; do
		getent group "$u" >/dev/null && groupdel "$u" 2>/dev/null
	done
	return 0
}
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	drop_users
	rm -rf "$tmp"
}
trap cleanup EXIT
drop_users	# what a killed run may have left
groupadd "$G_OPS" || skip "groupadd failed"
useradd -M -U -s /usr/sbin/nologin "$U_VIEW" &&
useradd -M -U -s /usr/sbin/nologin -G "$G_OPS" "$U_OP" &&
useradd -M -U -s /usr/sbin/nologin "$U_NONE" || skip "useradd failed"

# The test users must reach the client and the socket: not in the build
# tree, which may be under a home directory they cannot enter.
chmod 0755 "$tmp"
cd "$tmp" || exit 1
mkdir -m 0755 bin run
cp "$VIGIL" bin/vigil && chmod 0755 bin/vigil
sock=$tmp/run/vigil.sock

cat >ask.lua <<'LUA'
vigil.workflow("ask", function()
	local yes, who = vigil.confirm("go on?", { timeout = 300 })
	vigil.log("answered " .. tostring(yes) .. " by " .. tostring(who))
end)
vigil.on("ASK", function() vigil.start("ask", {}) end)
LUA
cat >p.rules <<'RULES'
PLUGIN NAME ASKER FILE ask.lua
DEFACTN NAME BKRLNX03 COMMAND '/bin/echo backup restarted'
DEFACTN NAME OTHER COMMAND '/bin/echo other ran'
DEFRULE NAME R1 MATCH '*PING*' ACTION OTHER
AUTH USER vigil-t-view VIEW
AUTH GROUP vigil-t-ops OPERATE ACTION(BKR*)
RULES

"$VIGILD" -c p.rules -D st -S "$sock" </dev/null >out 2>log &
pid=$!
for i in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
wait_for log DAEMON_STARTED
[ -S "$sock" ] && ok "the daemon listens on $sock" ||
	{ fail "no socket $sock"; sed 's/^/#   /' log; tap_end; exit 1; }
chmod 0755 run
chmod 0666 "$sock"

# as USER ARGS...: the client as USER (or root: ""), stdout in o, stderr
# in e, its exit status in rc.
as() {
	local u=$1
	shift
	if [ -z "$u" ]; then
		bin/vigil -S "$sock" "$@" >o 2>e
	else
		setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
		    bin/vigil -S "$sock" "$@" >o 2>e
	fi
	rc=$?
}
# allowed DESC USER ARGS...: exit 0.
allowed() {
	local d=$1
	shift
	as "$@"
	if [ "$rc" -eq 0 ]; then ok "$d"; else
		fail "$d: exit $rc"; sed 's/^/#   /' e | head -5; fi
}
# refused DESC USER NEEDS GRANT ARGS...: exit 1, the message names what
# was needed and the statement that grants it.
refused() {
	local d=$1 u=$2 needs=$3 grant=$4
	shift 4
	as "$u" "$@"
	if [ "$rc" -eq 1 ] && grep -qF -- "$needs" e &&
	    grep -qF -- "$grant" e; then
		ok "$d"
	else
		fail "$d: exit $rc, want 1 with '$needs' and '$grant':"
		sed 's/^/#   /' e | head -5
	fi
}

# --- VIEW: look, never act ------------------------------------------------
allowed "view: status" "$U_VIEW" status
allowed "view: history" "$U_VIEW" history
allowed "view: query actions" "$U_VIEW" query actions
refused "view: suspend refused" "$U_VIEW" "needs OPERATE on rule R1" \
	"AUTH USER $U_VIEW OPERATE RULE(R1)" suspend rule R1
refused "view: run refused" "$U_VIEW" "needs OPERATE on action BKRLNX03" \
	"AUTH USER $U_VIEW OPERATE ACTION(BKRLNX03)" run BKRLNX03
has "  ... and says what the user has" e "has only VIEW"
refused "view: reload refused" "$U_VIEW" "needs CONFIG" \
	"AUTH USER $U_VIEW CONFIG" reload
refused "view: shutdown refused" "$U_VIEW" "needs ADMIN" \
	"AUTH USER $U_VIEW ADMIN" shutdown

# --- workflows: VIEW sees them, OPERATE (global) answers and cancels --------
allowed "root: inject a message that starts a workflow" "" inject ASK
wait_for log "CONFIRM_WAITING ASKER" || fail "no workflow asks"
wf=$(sed -n 's/.*CONFIRM_WAITING ASKER workflow \([0-9]*\) asks.*/\1/p' log | head -1)
allowed "view: workflows" "$U_VIEW" workflows
has "  ... lists the waiting workflow" o "confirm go on?"
allowed "view: workflow show" "$U_VIEW" workflow show "$wf"
refused "view: confirm refused" "$U_VIEW" "needs OPERATE" \
	"AUTH USER $U_VIEW OPERATE" confirm "$wf" yes
refused "view: workflow cancel refused" "$U_VIEW" "needs OPERATE" \
	"AUTH USER $U_VIEW OPERATE" workflow cancel "$wf"
refused "op on BKR* actions only: confirm refused" "$U_OP" "needs OPERATE" \
	"AUTH USER $U_OP OPERATE" confirm "$wf" yes
allowed "root: confirm" "" confirm "$wf" no
wait_for log "answered false by root" && ok "  ... the workflow gets the answer and who gave it" ||
	fail "the workflow did not get the answer"
allowed "root: the audit trail" "" history --audit
has "  ... has the refused confirmation" o "vigil-t-view"
grep -q "confirm.*refused\|refused.*confirm" o && ok "  ... as refused" || fail "no refused confirm in the audit"

# --- OPERATE on ACTION(BKR*), through a supplementary group ----------------
allowed "op: run BKRLNX03" "$U_OP" run BKRLNX03
has "  ... and sees its output" o "backup restarted"
allowed "op: suspend action BKRLNX03" "$U_OP" suspend action BKRLNX03
allowed "op: resume action BKRLNX03" "$U_OP" resume action BKRLNX03
refused "op: run OTHER refused" "$U_OP" "needs OPERATE on action OTHER" \
	"AUTH USER $U_OP OPERATE ACTION(OTHER)" run OTHER
has "  ... with no access to it" e "has no access to it"
refused "op: suspend rule refused" "$U_OP" "needs OPERATE on rule R1" \
	"AUTH USER $U_OP OPERATE RULE(R1)" suspend rule R1
refused "op: reload refused" "$U_OP" "needs CONFIG" \
	"AUTH USER $U_OP CONFIG" reload
refused "op: status refused (no global VIEW)" "$U_OP" "needs VIEW" \
	"AUTH USER $U_OP VIEW" status
if command -v sqlite3 >/dev/null; then
	is "OTHER never ran" "$(sqlite3 -batch -noheader st/vigil.db \
	    "select count(*) from history where action = 'OTHER'")" 0
fi

# --- no grant: nothing -----------------------------------------------------
refused "none: status refused" "$U_NONE" "status needs VIEW" \
	"AUTH USER $U_NONE VIEW" status
has "  ... and says the user has nothing" e "has no access"
grant=$(sed -n 's/.*add to the rules and reload: //p' e)
refused "none: history refused" "$U_NONE" "needs VIEW" \
	"AUTH USER $U_NONE VIEW" history
refused "none: run refused" "$U_NONE" "needs OPERATE on action BKRLNX03" \
	"AUTH USER $U_NONE OPERATE ACTION(BKRLNX03)" run BKRLNX03

# --- the audit trail: every refusal, who and what ---------------------------
allowed "root: history --audit" "" history --audit
audit=$(cat o)
for w in "$U_VIEW suspend" "$U_VIEW run" "$U_VIEW reload" \
    "$U_VIEW shutdown" "$U_OP run" "$U_OP reload" "$U_OP status" \
    "$U_NONE status" "$U_NONE history" "$U_NONE run"; do
	set -- $w
	if printf '%s\n' "$audit" | grep -E -- "$1 .* $2 .*refused" >/dev/null; then
		ok "audit: $2 by $1 refused"
	else
		fail "audit: no refused $2 by $1"
		printf '%s\n' "$audit" | sed 's/^/#   /' | tail -20
	fi
done
if command -v sqlite3 >/dev/null; then
	uid_none=$(id -u "$U_NONE")
	is "audit table: the refusals of $U_NONE, with uid and arguments" \
	    "$(sqlite3 -batch -noheader st/vigil.db "select uid || ' ' || user || ' ' || command || ' [' || args || '] ' || result from audit where user = '$U_NONE' order by id")" \
	    "$uid_none $U_NONE status [] refused
$uid_none $U_NONE history [] refused
$uid_none $U_NONE run [BKRLNX03] refused"
	# What was allowed is recorded as well (its wording is the command's).
	sqlite3 -batch -noheader st/vigil.db "select lower(command || ' ' ||
	    args) from audit where user = '$U_OP' and result != 'refused'
	    order by id" >a-op
	has "audit table: the operator's run" a-op "run bkrlnx03"
	for w in suspend resume; do
		grep -q "$w.*action bkrlnx03" a-op &&
			ok "audit table: the operator's $w" ||
			fail "audit table: no $w by $U_OP: $(cat a-op)"
	done
fi

# --- the statement the refusal gave is the one that grants it ---------------
is "the suggested grant" "$grant" "AUTH USER $U_NONE VIEW"
printf '%s\n' "$grant" >>p.rules
allowed "root: reload" "" reload
allowed "none: status after adding the suggested AUTH" "$U_NONE" status
refused "  ... and still nothing more" "$U_NONE" "needs OPERATE" \
	"AUTH USER $U_NONE OPERATE ACTION(BKRLNX03)" run BKRLNX03

# --- root: everything --------------------------------------------------------
allowed "root: run OTHER" "" run OTHER
allowed "root: shutdown" "" shutdown
for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then fail "the daemon is still running"; else
	wait "$pid"
	is "the daemon stopped, status 0" "$?" 0
	pid=
fi
tap_end
