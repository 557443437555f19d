#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/schedule.sh - the daemon's clocks, with a controlled
# clock (--test-clock sets where the daemon's time starts): a schedule
# fires at its time and not before; CATCHUP(YES) runs a missed run once
# at start, a schedule without it does not; a DEFIMON heartbeat does not
# fire while the watched rule keeps firing and fires when it stops; a
# DEFEMON fires on a daemon event; vigil test --schedules lists the next
# runs, DST applied.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}" "${VIGIL:?}"
command -v sqlite3 >/dev/null || { echo "1..0 # SKIP sqlite3 not installed"; exit 77; }
export TZ=UTC
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
cd "$tmp" || exit 1
sql() { sqlite3 -batch -noheader "$1/vigil.db" "$2"; }

# --- a schedule at its time; CATCHUP -----------------------------------------
cat >s.rules <<'RULES'
DEFSCHD NAME DAILY WHEN 03:00 ACTION MARK CATCHUP YES
DEFSCHD NAME NOCATCH WHEN 03:00 ACTION MARK2
DEFACTN NAME MARK COMMAND 'touch ran-&R'
DEFACTN NAME MARK2 COMMAND 'touch ran2-&R'
RULES
mkfifo in
"$VIGILD" -c s.rules -D st --test-clock 2026-03-10T02:59:58 <in >out 2>log &
pid=$!
pids+=("$pid")
exec 3>in
wait_for log "DAEMON_STARTED"
[ ! -e ran-DAILY ] && ok "not run before its time" || fail "ran early"
wait_for log "SCHEDULE DAILY fired" && ok "the schedule fired at 03:00" || fail "DAILY never fired"
wait_for log "SCHEDULE NOCATCH fired"
sleep 0.3
kill -TERM "$pid"; wait "$pid"
is "both ran once, at 03:00 of the daemon's clock" \
	"$(sql st "select trigger || ' ' || strftime('%Y-%m-%d %H:%M', start, 'unixepoch') from history order by trigger")" \
	"DAILY 2026-03-10 03:00
NOCATCH 2026-03-10 03:00"
exec 3>&-
rm -f ran-* ran2-*
# Two days later: both missed two runs; only CATCHUP(YES) makes up (once).
rm -f in; mkfifo in
"$VIGILD" -c s.rules -D st --test-clock 2026-03-12T10:00:00 <in >out2 2>log2 &
pid=$!
pids+=("$pid")
exec 3>in
wait_for log2 "DAEMON_STARTED"
wait_for log2 "action MARK pid"
sleep 0.5
kill -TERM "$pid"; wait "$pid"
exec 3>&-
has "CATCHUP: the missed run is made up at start" log2 "missed while the daemon was down: CATCHUP"
[ -e ran-DAILY ] && ok "  ... and its action ran" || fail "no ran-DAILY"
[ ! -e ran2-NOCATCH ] && ok "without CATCHUP, missed runs stay missed" || fail "NOCATCH ran"
is "  ... once, however many were missed" "$(grep -c 'SCHEDULE DAILY fired' log2)" 1

# --- DEFIMON: a heartbeat, then silence; DEFEMON on a daemon event --------
cat >i.rules <<'RULES'
DEFRULE NAME HEART MATCH 'HEARTBEAT*' ACTION NULL
DEFIMON NAME NOBEAT RULE HEART OCCUR 1,2s ACTION ALARM
DEFACTN NAME ALARM COMMAND 'touch alarm-&0-&1-&2-&3-&4-&5'
DEFRULE NAME BAD MATCH 'FAIL*' ACTION BAD
DEFACTN NAME BAD COMMAND 'false'
DEFEMON NAME ONFAIL EVENT ACTION_FAILED ACTION TELL
DEFACTN NAME TELL COMMAND 'touch emon-&0-&R-&2-&3'
DEFEMON NAME TCPDOWN CLASS 0 TYPE 1 USER TCPIP ACTION RESTART
DEFACTN NAME RESTART COMMAND 'touch vm-&0-&1-&2-&3-&4-&5-&6'
DEFEMON NAME ANYON EVENT LOG* ACTION SEEN
DEFACTN NAME SEEN COMMAND 'touch seen-&2-&3'
RULES
rm -f in; mkfifo in
"$VIGILD" -c i.rules -D st3 <in >out3 2>log3 &
pid=$!
pids+=("$pid")
exec 3>in
wait_for log3 "DAEMON_STARTED"
for i in 1 2 3 4 5 6; do echo HEARTBEAT >&3; sleep 0.5; done
[ -z "$(ls alarm-* 2>/dev/null)" ] && ok "DEFIMON: no alarm while the heartbeat comes" || fail "alarm during the heartbeat: $(ls alarm-*)"
wait_for log3 "idle monitor NOBEAT" && ok "DEFIMON: the alarm after 2 s of silence" || fail "no alarm"
sleep 0.3
is "  ... with &0 IDLE, the watched rule, count, interval and what it saw" "$(ls alarm-* | head -1)" "alarm-IDLE-RULE-HEART-1-2s-0"
echo FAIL >&3
wait_for log3 "EVENT ONFAIL fired"
sleep 0.3
is "DEFEMON: fired on ACTION_FAILED with the event's fields" "$(ls emon-*)" "emon-EVENT-ONFAIL-ACTION_FAILED-BAD"
printf '%s\n' 'VMEVENT 0 1 OTHER' 'VMEVENT 0 1 TCPIP 0A' 'VMEVENT 0 0 LINUX01' >&3
wait_for log3 "EVENT ANYON fired"
sleep 0.3
is "DEFEMON CLASS/TYPE/USER: a *VMEVENT logoff of TCPIP, with the reference's fields" \
	"$(ls vm-* | tr '\n' ' ')" "vm-VMEVENT-TCPDOWN-RESTART-TCPIP-0-1-0A "
is "a *VMEVENT logon and logoff are the daemon events LOGON and LOGOFF" \
	"$(ls seen-* | tr '\n' ' ')" "seen-LOGOFF-OTHER seen-LOGOFF-TCPIP seen-LOGON-LINUX01 "
exec 3>&-
kill -TERM "$pid"; wait "$pid"

# --- vigil test --schedules: DST applied ----------------------------------
cat >d.rules <<'RULES'
DEFSCHD NAME NIGHT WHEN 02:30 ACTION NULL TZ Europe/Berlin
RULES
"$VIGIL" test -c d.rules --schedules 3 --time '2026-03-28 12:00' >sched.out 2>&1
is "vigil test --schedules: exit 0" "$?" 0
has "the spring-forward day fires at the first moment after the gap (03:00 CEST)" sched.out "2026-03-29T01:00:00+0000"
cat sched.out | sed 's/^/# /'

tap_end
