#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/actions.sh - the real vigild running real actions:
# an action that hangs (killed at its TIMEOUT with every process of its
# group), crashes, floods its output (capped), forks children, does not
# exist; NEXTACTN chains with ONFAIL; LIMIT and its limit action with the
# reference's fields; output and EMIT coming back as messages; the loop
# guard; daemon events as messages; the action history in SQLite; SIGTERM
# while actions run (finished or recorded as interrupted); a restart
# after a crash of the daemon; a queue flood (bounded, refusals counted).
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}"
command -v sqlite3 >/dev/null || { echo "1..0 # SKIP sqlite3 not installed"; exit 77; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
cd "$tmp" || exit 1

sql() { sqlite3 -batch -noheader "$1/vigil.db" "$2"; }

# --- what actions do --------------------------------------------------
cat >a.rules <<'RULES'
DEFRULE NAME HANG MATCH 'HANG*' ACTION HANG
DEFACTN NAME HANG COMMAND 'sh -c "sleep 96 & sleep 96"' TIMEOUT 1s
DEFRULE NAME FORK MATCH 'FORK*' ACTION FORK
DEFACTN NAME FORK COMMAND 'sh -c "(sleep 94 &) ; (sleep 94 &) ; sleep 94"' TIMEOUT 1s
DEFRULE NAME CRASH MATCH 'CRASH*' ACTION CRASH
DEFACTN NAME CRASH COMMAND 'sh -c "kill -SEGV $$"'
DEFRULE NAME FLOOD MATCH 'FLOOD*' ACTION FLOOD
DEFACTN NAME FLOOD COMMAND 'sh -c "yes flood | head -c 3000000"'
DEFRULE NAME MISSING MATCH 'MISSING*' ACTION MISSING
DEFACTN NAME MISSING COMMAND '/nonexistent/vigil-test-program'
* A chain: the second link fails, ONFAIL CONTINUE goes on.
DEFRULE NAME CHAIN MATCH 'CHAIN*' ACTION CH1
DEFACTN NAME CH1 COMMAND 'true' NEXTACTN CH2 ONFAIL CONTINUE
DEFACTN NAME CH2 COMMAND 'false' NEXTACTN CH3
DEFACTN NAME CH3 COMMAND 'touch chain-&2'
* LIMIT 2 per minute, then LIMACT once with the reference's fields.
DEFRULE NAME LIM MATCH 'LIM *' ACTION LIMRUN LIMIT 2,1,LIMACT
DEFACTN NAME LIMRUN COMMAND 'touch limrun-&2'
DEFACTN NAME LIMACT COMMAND 'touch limit-&0-&1-&2-&3-&4-&5-&7'
* Output comes back as messages from a source named after the action.
DEFRULE NAME SAY MATCH 'SAY *' ACTION SAY
DEFACTN NAME SAY COMMAND 'echo said &2'
DEFRULE NAME HEARD MATCH 'said *' SOURCE SAY ACTION HEARD
DEFACTN NAME HEARD COMMAND 'touch heard-&2-&SOURCE'
* EMIT feeds a message back.
DEFRULE NAME EM MATCH 'EM *' ACTION EM
DEFACTN NAME EM EMIT 'EMITTED &2'
DEFRULE NAME EMSEEN MATCH 'EMITTED *' ACTION EMSEEN
DEFACTN NAME EMSEEN COMMAND 'touch emitted-&2'
* A rule that would feed itself: its output matches it again.
DEFRULE NAME ECHO MATCH 'ECHO*' ACTION ECHO
DEFACTN NAME ECHO COMMAND 'echo ECHO again'
* Daemon events are messages from source VIGIL.
DEFRULE NAME ONFAIL MATCH 'VGL010E ACTION_FAILED CRASH *' SOURCE VIGIL +
        ACTION ONFAIL
DEFACTN NAME ONFAIL COMMAND 'touch saw-&3-failed'
RULES

printf '%s\n' 'HANG' 'FORK' 'CRASH' 'FLOOD' 'MISSING' 'CHAIN x1' \
	'LIM 1' 'LIM 2' 'LIM 3' 'LIM 4' 'LIM 5' 'SAY hello' 'EM e1' 'ECHO' |
	timeout 60 "$VIGILD" -c a.rules -D st --once >out 2>log
is "vigild --once exits 0" "$?" 0

is "HANG: killed at its TIMEOUT" "$(sql st "select result from history where action='HANG'")" timeout
has "  ... and logged so" log "action HANG pid"
is "FORK: orphaned grandchildren too are killed at its TIMEOUT" "$(sql st "select result from history where action='FORK'")" timeout
for p in 96 94; do
	if pgrep -f "sleep $p" >/dev/null; then fail "sleep $p left behind: $(pgrep -af "sleep $p")"
	else ok "no 'sleep $p' left behind"; fi
done
is "CRASH: recorded as killed by SIGSEGV" "$(sql st "select result, signal from history where action='CRASH'")" "killed|11"
[ -f saw-CRASH-failed ] && ok "the ACTION_FAILED event fired a rule" || fail "no saw-CRASH-failed"
is "FLOOD: ran, ok" "$(sql st "select result from history where action='FLOOD'")" ok
has "FLOOD: its output was capped" log "(output capped)"
is "FLOOD: the history keeps an excerpt" "$(sql st "select length(output) = 4096 and cast(output as text) like 'flood%' from history where action='FLOOD'")" 1
is "MISSING: an error naming the program" "$(sql st "select result, error from history where action='MISSING'")" \
	"error|cannot run '/nonexistent/vigil-test-program': No such file or directory"
is "CHAIN: three links, one chain, in order" \
	"$(sql st "select group_concat(action || '=' || result, ' ') from (select * from history where chain=(select chain from history where action='CH1') order by id)")" \
	"CH1=ok CH2=failed CH3=ok"
[ -f chain-x1 ] && ok "CHAIN: ONFAIL CONTINUE ran the last link" || fail "no chain-x1"
is "LIMIT: two runs in the window" "$(ls limrun-* | tr '\n' ' ')" "limrun-1 limrun-2 "
is "LIMIT: the limit action once, with &0..&5 and the message (&7: the 3rd)" "$(ls limit-*)" "limit-LIMIT-RULE-LIM-2-1-1-3"
has "LIMIT: the ACTION_LIMITED event" log "VGL012W ACTION_LIMITED LIM LIMIT 2,60s reached"
has "LIMIT: suppressions counted" log ", 3 limited,"
[ -f heard-hello-SAY ] && ok "output came back as a message from source SAY" || fail "no heard-hello-SAY"
[ -f emitted-e1 ] && ok "EMIT came back as a message" || fail "no emitted-e1"
is "the loop guard: ECHO ran once" "$(sql st "select count(*) from history where action='ECHO'")" 1
has "  ... and said why" log "rule ECHO: not fired on a message its own actions produced"
is "every history row has ended" "$(sql st "select count(*) from history where end is null")" 0
has "the console log has the messages" st/console/STDIN.log " - LIM 5"
has "and the action output" st/console/SAY.log "said hello"

# --- SIGTERM while actions run ------------------------------------------
cat >t.rules <<'RULES'
DEFRULE NAME SHORT MATCH 'SHORT*' ACTION SHORT
DEFACTN NAME SHORT COMMAND 'sh -c "sleep 1; touch short-done"'
DEFRULE NAME LONG MATCH 'LONG*' ACTION LONG
DEFACTN NAME LONG COMMAND 'sleep 93' MAXCONC 1
RULES
mkfifo in
"$VIGILD" -c t.rules -D st2 --stop-grace 6 <in >out2 2>log2 &
pid=$!
pids+=("$pid")
exec 3>in
printf '%s\n' SHORT LONG LONG >&3
wait_for log2 "rule LONG fired" && wait_for log2 "action SHORT" || true
sleep 0.3
kill -TERM "$pid"
wait "$pid"
is "SIGTERM: exit 0" "$?" 0
exec 3>&-
[ -f short-done ] && ok "SIGTERM: the short action finished" || fail "short action cut"
is "SIGTERM: history" "$(sql st2 "select action || '=' || result from history order by id" | tr '\n' ' ')" \
	"SHORT=ok LONG=interrupted LONG=interrupted "
pgrep -f 'sleep 93' >/dev/null && fail "sleep 93 left behind" || ok "nothing left running"

# --- the daemon killed -9 mid-action; the restart records it ------------
cat >k.rules <<'RULES'
DEFRULE NAME LONG MATCH 'LONG*' ACTION LONG
DEFACTN NAME LONG COMMAND 'sleep 92'
RULES
rm -f in; mkfifo in
"$VIGILD" -c k.rules -D st3 <in >out3 2>log3 &
pid=$!
pids+=("$pid")
exec 3>in
echo LONG >&3
wait_for log3 "rule LONG fired"
sleep 0.3
kill -9 "$pid"; wait "$pid" 2>/dev/null
pkill -f 'sleep 92'
exec 3>&-
"$VIGILD" -c k.rules -D st3 --once </dev/null >out4 2>log4
is "restart after kill -9: exit 0" "$?" 0
has "restart: the running action is recorded as interrupted" log4 "1 actions were still running when the last run ended"
is "  ... in the history" "$(sql st3 "select result from history")" interrupted

# --- 12,000 jobs at once: bounded queue, refusals counted ----------------
# One runs (MAXCONC 1), 10,000 wait (RUNNER_QUEUE_MAX), 1,999 are refused.
{
	for i in $(seq 12000); do echo "DEFRULE NAME Q$i MATCH 'FLOOD*' ACTION SLOW"; done
	echo "DEFACTN NAME SLOW COMMAND 'sleep 91' MAXCONC 1"
} >q.rules
echo FLOOD | timeout 120 "$VIGILD" -c q.rules -D st4 --stop-grace 0 >out5 2>log5 &
pid=$!
pids+=("$pid")
wait_for log5 "VGL014E ACTION_REFUSED" || true
kill -TERM "$pid"
wait "$pid"
is "queue flood: exit 0" "$?" 0
has "queue flood: refusals counted" log5 "1999 refused"
is "queue flood: refusals in the history" "$(sql st4 "select count(*) from history where result='refused'")" 1999
is "queue flood: the rest interrupted, none lost" "$(sql st4 "select count(*) from history where result='interrupted'")" 10001
pkill -f 'sleep 91'
[ "$fails" -eq 0 ] || { sql st4 "select result, count(*) from history group by result"; grep -i 'lost\|sqlite\|state' log5 | head; }

tap_end
