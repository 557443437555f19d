#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/plugin-failover.sh - the shipped plugin grid-failover
# (plugins/lua/grid-failover.lua) in the real daemon, against the
# simulated TS7700 console tests/sim/ts7700-console: vigild follows the
# simulator's console file (DEFSRC TYPE FILE) and sends its commands
# through actions that run the simulator, which logs every command it
# receives.  Checked: a kill -9 of vigild in the middle of a grace period
# (3 s; tests/examples.sh checks the shipped example, whose grace is 20
# minutes): after the restart the wait keeps its deadline, the takeover comes
# once, after the grace period, and nothing is sent or notified twice; an
# outage whose grace period runs out gets exactly one takeover command,
# confirmed, then the reruns of the fixed and of the collected failed
# jobs, and the notifications; repeated outage and degraded messages start
# nothing new, before and after the takeover, nor does an old one read
# again after the failback; the manual failback through `vigil run
# GRIDFAILBACK`; a peer that recovers within its grace period gets a
# stand-down and no command; a grace period cancelled by an operator
# forgets its outage.  Assertions on time are lower bounds only (no
# takeover before the grace period ends); the deadline after the restart
# is compared with the one before, not with a clock.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}" "${VIGIL:?}" "${top_srcdir:?}"
top=$(cd "$top_srcdir" && pwd)
sim=$top/tests/sim/ts7700-console
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	if [ -n "${KEEP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
cd "$tmp" || exit 1

S() { "$sim" -c "$tmp/console" -l "$tmp/cmdlog" "$@"; }
V() { "$VIGIL" -S sock "$@"; }
count() {	# count FIXED-TEXT FILE: lines holding the text
	grep -cF -- "$1" "$2" 2>/dev/null
}
start() {	# start LOG: vigild in the background, $pid
	"$VIGILD" -c r.rules -D st -S sock >>"$1" 2>&1 &
	pid=$!
	pids+=("$pid")
	wait_for "$1" "DAEMON_STARTED" || fail "vigild did not start: $(tail -5 "$1")"
}
seen() {	# seen TEXT: up to 20 s for the daemon to have read TEXT
	local i
	for i in $(seq 200); do
		V view TS7700 --grep "$1" 2>/dev/null | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
wf_of() {	# wf_of KEY: the JSON object of the workflow with that key
	V workflows --all --json | sed 's/}, {/}\n{/g' | grep -F "\"name\": \"outage\", \"key\": \"$1\""
}
field() {	# field NAME: from a JSON object on stdin, a number or "string"
	sed -n "s/.*\"$1\": \([^,}]*\).*/\1/p"
}
# after_grace DESC OUTAGE-TIME CMD-TEXT: the command came no earlier than
# the grace period after the outage (a lower bound only: never flaky).
after_grace() {
	local at
	at=$(grep -F -- "$3" cmdlog | head -1 | cut -d' ' -f1)
	if [ -n "$at" ] && awk -v a="$at" -v b="$2" -v g="$grace" \
	    'BEGIN { exit !(a - b >= g - 0.1) }'; then
		ok "$1"
	else
		fail "$1: sent at '$at', outage at $2"
	fi
}

grace=3		# of GRID, which handles LIBA and LIBE; LIBC's is long
touch console
cat >r.rules <<RULES
DEFSRC NAME TS7700 TYPE FILE PATH $tmp/console FORMAT SYSLOG
DEFACTN NAME GRIDCMD COMMAND '$sim -c $tmp/console -l $tmp/cmdlog send &P'
DEFACTN NAME GRIDRERUN COMMAND '$sim -c $tmp/console -l $tmp/cmdlog rerun &P'
DEFACTN NAME PAGE COMMAND '$sim -c $tmp/console -l $tmp/cmdlog notify &P'
DEFACTN NAME GRIDFAILBACK EMIT 'GRIDFAILBACK &P'
PLUGIN NAME GRID FILE $top/plugins/lua/grid-failover.lua +
       CONFIG 'grace=$grace verify=20 source=TS7700 libs=LIBA,LIBE +
       console=GRIDCMD rerun=GRIDRERUN notify=PAGE jobs=PAYROLL +
       takeover="LIBRARY REQUEST,{lib},TAKEOVER,{peer},{mode}" +
       peers=LIBA:LIBB,LIBE:LIBF'
PLUGIN NAME GRIDSLOW FILE $top/plugins/lua/grid-failover.lua +
       CONFIG 'grace=120 source=TS7700 libs=LIBC notify=PAGE'
RULES
"$VIGIL" check r.rules >check.out 2>&1
is "the rules load" "$?" 0
start log1

# --- kill -9 during the grace period, restart ---------------------------------
# First, while the console holds nothing else: after a kill -9 the daemon
# reads again what came in the last second before it (its offset is saved
# every second); the later parts check such echoes on their own.
t1=$(date +%s.%N)
S outage LIBE LIBF
for i in $(seq 200); do
	[ "$(wf_of LIBE/LIBF | field status)" = '"waiting"' ] && break
	sleep 0.1
done
before=$(wf_of LIBE/LIBF)
id=$(echo "$before" | field id)
deadline=$(echo "$before" | field deadline)
is "the outage of LIBE waits out its grace period" \
	"$(echo "$before" | field step)" '"grace"'
kill -9 "$pid"
wait "$pid" 2>/dev/null
is "no takeover command for LIBE before the kill" \
	"$(count ',LIBE,' cmdlog)" 0
start log2
is "after the restart the same workflow waits" \
	"$(wf_of LIBE/LIBF | field id)" "$id"
is "  ... with the same deadline (what was left of the grace period)" \
	"$(wf_of LIBE/LIBF | field deadline)" "$deadline"
# The notification comes last (after its log line): wait for it.
wait_for cmdlog "NOTIFY LIBE: RW ownership takeover of LIBF enabled" &&
	ok "the takeover completes after the restart" ||
	fail "no takeover after the restart: $(tail -20 log2)"
is "  ... the takeover command is sent once" \
	"$(count 'CMD LIBRARY REQUEST,LIBE,TAKEOVER,LIBF,RW' cmdlog)" 1
after_grace "  ... after the grace period" "$t1" "CMD LIBRARY REQUEST,LIBE"
is "  ... PAYROLL is rerun once" "$(count 'RERUN PAYROLL' cmdlog)" 1
is "  ... the outage was notified once, not again on the replay" \
	"$(count 'NOTIFY LIBE lost its peer LIBF' cmdlog)" 1
is "  ... the takeover is notified once" \
	"$(count 'NOTIFY LIBE: RW ownership takeover of LIBF enabled' cmdlog)" 1
is "  ... by one workflow" \
	"$(V workflows --all --json | grep -o '"name": "outage", "key": "LIBE/LIBF"' | wc -l)" 1

# --- outage, grace runs out, takeover once ---------------------------------
t0=$(date +%s.%N)
# In quick succession (well within the grace period): the outage twice, a
# degraded message and two failed jobs.
{
	S outage LIBA LIBB
	S jobfail JOBA1
	S outage LIBA LIBB
	S line "CBR3785E Copy operations disabled in library LIBA."
	S jobfail JOBA2
}
wait_for cmdlog "NOTIFY LIBA: RW ownership takeover of LIBB enabled" &&
	ok "the grace period runs out: takeover enabled" ||
	fail "no takeover: $(tail -20 log2)"
is "the takeover command is sent once" \
	"$(count 'CMD LIBRARY REQUEST,LIBA,TAKEOVER,LIBB,RW' cmdlog)" 1
after_grace "  ... after the grace period" "$t0" "CMD LIBRARY REQUEST,LIBA"
seen "G0009 Library LIBA has enabled read/write ownership takeover" &&
	ok "  ... and confirmed by the library (G0009)" ||
	fail "no G0009 on the console"
is "the fixed job PAYROLL is rerun (once per takeover)" \
	"$(count 'RERUN PAYROLL' cmdlog)" 2
is "the failed job JOBA1 seen during the outage is rerun once" \
	"$(count 'RERUN JOBA1' cmdlog)" 1
is "  ... and JOBA2" "$(count 'RERUN JOBA2' cmdlog)" 1
is "on-call hears of the outage once" \
	"$(count 'NOTIFY LIBA lost its peer LIBB (G0013)' cmdlog)" 1
is "on-call hears of the takeover once, with the reruns" \
	"$(count "NOTIFY LIBA: RW ownership takeover of LIBB enabled after ${grace}s; reran 3 job(s): PAYROLL, JOBA1, JOBA2" cmdlog)" 1
is "repeated outage messages make one workflow" \
	"$(V workflows --all --json | grep -o '"name": "outage", "key": "LIBA/LIBB"' | wc -l)" 1
is "  ... which is done: taken over" \
	"$(wf_of LIBA/LIBB | field result)" '"\"taken over\""'

# The same outage again after the takeover: nothing new.
S outage LIBA LIBB
S line "SYNC 1"
seen "SYNC 1" || fail "the daemon did not read SYNC 1"
is "the outage again after the takeover starts nothing" \
	"$(V workflows --all --json | grep -o '"name": "outage", "key": "LIBA/LIBB"' | wc -l)" 1
is "  ... and sends nothing" "$(count ',LIBA,' cmdlog)" 1
has "  ... the log says it is handled" log2 \
	"outage LIBA/LIBB already handled by workflow"

# --- manual failback --------------------------------------------------------
V run GRIDFAILBACK --parm LIBA >run.out 2>&1
is "vigil run GRIDFAILBACK succeeds" "$?" 0
wait_for cmdlog "NOTIFY LIBA: failback done" &&
	ok "the failback workflow runs" ||
	fail "no failback: $(tail -20 log2)"
is "the failback command is sent once" \
	"$(count 'CMD LIBRARY REQUEST,LIBA,TAKEOVER,LIBB,OFF' cmdlog)" 1
is "on-call hears of the failback" \
	"$(count 'NOTIFY LIBA: failback done, takeover of LIBB disabled' cmdlog)" 1
V run GRIDFAILBACK --parm LIBA >run2.out 2>&1
wait_for log2 "plugin GRID: failback requested (GRIDFAILBACK LIBA): no library in takeover" &&
	ok "a second failback finds nothing to do" || fail "no 'nothing to do'"
is "  ... and sends nothing" "$(count ',OFF' cmdlog)" 1

# An echo of the first outage of LIBA (its own time, before the failback),
# as a reader that lost its offset would give it: nothing.
S -t "@${t0%.*}" outage LIBA LIBB
S line "SYNC 2"
seen "SYNC 2" || fail "the daemon did not read SYNC 2"
is "an old outage message of LIBA after its failback starts nothing" \
	"$(V workflows --all --json | grep -o '"name": "outage", "key": "LIBA/LIBB"' | wc -l)" 1
is "  ... and sends nothing" "$(count ',LIBA,TAKEOVER,LIBB,RW' cmdlog)" 1
has "  ... the log says why" log2 \
	"outage LIBA/LIBB: a message from before the end of the last outage"

# --- recovery within the grace period: stand down ------------------------------
S outage LIBC LIBD
wait_for log2 "plugin GRIDSLOW: LIBC lost its peer LIBD" ||
	fail "GRIDSLOW did not see the outage of LIBC"
S recover LIBC LIBD
wait_for cmdlog "NOTIFY LIBC: peer LIBD recovered within the grace period; standing down" &&
	ok "a recovery within the grace period stands down" ||
	fail "no stand-down: $(tail -20 log2)"
is "  ... with no command for LIBC" "$(count ',LIBC,' cmdlog)" 0
is "  ... on-call is told" \
	"$(count 'NOTIFY LIBC: peer LIBD recovered within the grace period' cmdlog)" 1
is "  ... and the workflow is done: recovered" \
	"$(wf_of LIBC/LIBD | field result)" '"\"recovered\""'

# --- an operator cancels a grace period: the outage is forgotten -------------------
S outage LIBC LIBD
wait_lines log2 "plugin GRIDSLOW: LIBC lost its peer LIBD" 2 ||
	fail "GRIDSLOW did not see the second outage of LIBC"
cid=$(wf_of LIBC/LIBD | grep '"status": "waiting"' | field id)
V workflow cancel "$cid" >cancel.out 2>&1
is "vigil workflow cancel stops a grace period" "$?" 0
wait_for log2 "outage LIBC/LIBD forgotten: workflow $cid WORKFLOW_CANCELLED" &&
	ok "  ... and the plugin forgets that outage" ||
	fail "the cancelled outage is not forgotten: $(tail -5 log2)"
S outage LIBC LIBD
wait_lines log2 "plugin GRIDSLOW: LIBC lost its peer LIBD" 3 &&
	ok "  ... so that the next outage message starts a new workflow" ||
	fail "no new workflow after the cancel"
S recover LIBC LIBD
wait_lines log2 "LIBC: peer LIBD recovered within the grace period" 2 ||
	fail "the third outage of LIBC did not stand down"
is "  ... and no command for LIBC ever" "$(count ',LIBC,' cmdlog)" 0

# --- read again: the outage of LIBE is known --------------------------------------
S outage LIBE LIBF
S line "SYNC 3"
seen "SYNC 3" || fail "the daemon did not read SYNC 3"
is "the outage of LIBE again starts nothing" \
	"$(V workflows --all --json | grep -o '"name": "outage", "key": "LIBE/LIBF"' | wc -l)" 1
is "  ... and sends nothing" "$(count ',LIBE,' cmdlog)" 1
has "  ... the log says it is handled" log2 \
	"outage LIBE/LIBF already handled by workflow $id (taken over)"
is "no command was ever sent twice" \
	"$(grep ' CMD ' cmdlog | cut -d' ' -f2- | sort | uniq -d)" ""

V shutdown >/dev/null 2>&1
wait "$pid"
is "vigild stops cleanly" "$?" 0
if grep -q "PLUGIN_FAILED\|WORKFLOW_FAILED" log1 log2; then
	fail "a plugin or workflow failed: $(grep -h 'FAILED' log1 log2)"
else
	ok "no plugin or workflow failed"
fi

tap_end
