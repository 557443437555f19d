#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/correlate.sh - the correlation operands of DEFRULE in
# the real daemon, each scoped per KEY: SUPPRESS holds repeats of one key,
# not of another; THRESHOLD fires at the 3rd match within the window and
# CLEAR's action runs when the rate falls; EXPECT runs FOUNDACTN when the
# second message comes and MISSACTN when it does not, with the windows
# kept across a reload and across a restart (a deadline that passed
# while the daemon was down fires when it starts again).
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}"
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
cd "$tmp" || exit 1

cat >c.rules <<'RULES'
DEFRULE NAME DUP MATCH 'DUP *' KEY '&2' SUPPRESS 2s ACTION NOTE
DEFRULE NAME ERRS MATCH 'ERR *' KEY '&2' THRESHOLD 3,10s +
        CLEAR 1,2s,CLR ACTION ALERT
DEFRULE NAME START MATCH 'JOB * STARTED' KEY '&2' EXPECT 'JOB * ENDED' +
        WITHIN 2s FOUNDACTN OKJOB MISSACTN LATE ACTION NULL
DEFACTN NAME NOTE COMMAND 'echo note &R &2 >>out' ENV SHELL
DEFACTN NAME ALERT COMMAND 'echo alert &2 >>out' ENV SHELL
DEFACTN NAME CLR COMMAND 'echo &0 &1 &2 >>out' ENV SHELL
DEFACTN NAME OKJOB COMMAND 'echo &0 &1 &2 >>out' ENV SHELL
DEFACTN NAME LATE COMMAND 'echo &0 &1 &2 >>out' ENV SHELL
RULES
start() {
	rm -f in; mkfifo in
	"$VIGILD" -c c.rules -D st <in >>dout 2>>"$1" &
	pid=$!
	pids+=("$pid")
	exec 3>in
	wait_for "$1" "DAEMON_STARTED"
}
stop() { exec 3>&-; kill -TERM "$pid"; wait "$pid"; }

start log
printf '%s\n' 'DUP a' 'DUP a' 'DUP b' 'DUP a' >&3
printf '%s\n' 'ERR x' 'ERR y' 'ERR x' 'ERR x' 'ERR x' >&3
printf '%s\n' 'JOB a STARTED' 'JOB b STARTED' 'JOB a ENDED' >&3
wait_for out "FOUND START a"
# (actions run side by side: their lines come in any order)
is "SUPPRESS: one firing per key" "$(grep '^note' out | sort | tr '\n' ' ')" "note DUP a note DUP b "
is "THRESHOLD: the 3rd ERR of key x fires, once; key y does not" "$(grep '^alert' out | tr '\n' ' ')" "alert x "
is "EXPECT: the ENDED of job a runs FOUNDACTN with &0 FOUND, the rule, the key" "$(grep '^FOUND' out)" "FOUND START a"
wait_for out "MISSED START b" && ok "EXPECT: job b never ended: MISSACTN after WITHIN" || fail "no MISSED for b"
wait_for out "CLEARED ERRS x" && ok "CLEAR: the rate fell: its action runs" || fail "no CLEARED"
sleep 0.3
printf '%s\n' 'DUP a' >&3
wait_for log "rule DUP fired"
sleep 0.3
is "SUPPRESS: after the window, the key fires again" "$(grep -c '^note DUP a' out)" 2

# A reload keeps the windows.
printf '%s\n' 'JOB d STARTED' >&3
sleep 0.2
kill -HUP "$pid"
wait_for log "RELOAD_DONE"
printf '%s\n' 'JOB d ENDED' >&3
wait_for out "FOUND START d" && ok "EXPECT across a reload: FOUND" || fail "job d lost by the reload"

# A restart keeps them too; the deadline passes while the daemon is down.
printf '%s\n' 'JOB c STARTED' >&3
sleep 0.3
stop
grep -qE 'correlation windows: [1-9][0-9]* saved' log && ok "the windows are saved at the stop" || fail "no windows saved"
sleep 2.2
start log2
wait_for out "MISSED START c" && ok "EXPECT across a restart: MISSED at the start" || fail "job c lost by the restart"
grep -qE 'correlation windows: [1-9][0-9]* restored' log2 && ok "  ... restored from the state" || fail "none restored"
stop

tap_end
