#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/plugin-runbook.sh - the dr-runbook plugin
# (plugins/lua/dr-runbook.lua) in the real daemon, against the LPAR
# simulator (tests/sim/lpar-console: one process per CP command, its
# console lines in a file vigild follows, every command in a log): a run
# in dependency order with two branches at once and no more than the
# parallel limit; a failing precondition that stops the run, naming the
# step and its evidence; a step tried again until it works; a failed
# check an operator overrides (yes) or refuses (no), in the audit trail;
# a run paused and resumed by an operator; a START from a source not
# allowed, a bad runbook, an unknown one; the shipped example runbook
# (rules/examples/dr-lpar-runbook.lua) run to its end in its order, and
# again with nothing to do; and kill -9 of vigild while a step waits for
# a confirmation, while it waits for a message and while its action
# runs, each followed by a restart that finishes the run with no action
# run twice.  No timings are asserted: the test waits for the daemon's
# log, the workflows' states and the command log.
#
# By hand: VIGILD=/tmp/b/vigild VIGIL=/tmp/b/vigil top_srcdir=. \
#          bash tests/integration/plugin-runbook.sh
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}" "${VIGIL:?}" "${top_srcdir:?}"
top=$(cd "$top_srcdir" && pwd)
sim=$top/tests/sim/lpar-console
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1
export VIGIL_SOCKET="$tmp/sock"

v() { "$VIGIL" "$@"; }
start() {
	local k
	k=$(grep -c DAEMON_STARTED log 2>/dev/null)
	"$VIGILD" -c r.rules -D st -S "$VIGIL_SOCKET" >>out 2>>log &
	pid=$!
	pids+=("$pid")
	wait_lines log DAEMON_STARTED $((${k:-0} + 1)) && return
	fail "the daemon did not start"
	sed 's/^/#   /' log | tail -5
	tap_end
	exit
}
# run_id NAME: the id of the newest run of runbook NAME (up to 20 s).
run_id() {
	local i id
	for i in $(seq 200); do
		id=$(v workflows --all --json | python3 -c '
import json, sys
ids = [w["id"] for w in json.load(sys.stdin)["workflows"]
       if w["key"] == "runbook " + sys.argv[1]]
print(ids[-1] if ids else "")' "$1")
		[ -n "$id" ] && { echo "$id"; return 0; }
		sleep 0.1
	done
	return 1
}
# confirm_id TEXT: the workflow whose CONFIRM_WAITING question has TEXT.
confirm_id() {
	wait_for log "$1" || return 1
	grep -F -- "$1" log | grep CONFIRM_WAITING | tail -1 |
		sed 's/.*CONFIRM_WAITING DR workflow \([0-9]*\) asks.*/\1/'
}
# line TEXT: the first line of commands.log that is TEXT (0: none).
line() { grep -nxF -- "$1" lpar/commands.log | head -1 | cut -d: -f1 | grep . || echo 0; }
count() { grep -cxF -- "$1" lpar/commands.log; }
# console TEXT: the operator console of the LPAR shows TEXT.
console() { echo "$1" >>lpar/console.log; }
# state [STORAGE [FAIL [HOLD]]]: the simulator's state: the configuration
# asked for, or less storage; FAIL: a JSON object of commands to fail n
# times; HOLD: a JSON list of commands that wait for the file lpar/release.
state() {
	cat >lpar/state.json <<JSON
{"storage": "${1:-64G}", "processors": 4,
 "osa": {"0600": "online", "0601": "online"},
 "quiet": ["LNXDB1", "LNXWEB1", "LNXPS1", "LNXK2"],
 "fail": ${2:-{\}}, "hold": ${3:-[]}}
JSON
}

mkdir lpar
: >lpar/console.log
: >lpar/commands.log
: >notes.log
state

# --- the runbooks ---------------------------------------------------------
cat >t1.lua <<'LUA'
-- The configuration, then three guests after it (two at a time), then
-- one that needs two of them.
return {
	name = "T1", env = "CP", source = "PRD1OPER", parallel = 2,
	steps = {
		{ id = "config", title = "the configuration we asked for",
		  check = {
			{ run = { "CP", "QUERY", "STORAGE" }, expect = "STORAGE = 64G" },
			{ run = { "CP", "QUERY", "PROCESSORS" }, match = "PROCESSOR 03 %u+ CP" },
			{ run = { "CP", "QUERY", "OSA" },
			  expect = { "OSA  0600 ATTACHED", "OSA  0601 ATTACHED" },
			  absent = "OFFLINE" },
		  } },
		{ id = "db", after = { "config" }, action = { "CP", "XAUTOLOG", "LNXDB1" },
		  verify = { wait = "*AUTO LOGON*LNXDB1 *" } },
		{ id = "web", after = { "config" }, action = { "CP", "XAUTOLOG", "LNXWEB1" },
		  verify = { wait = "*AUTO LOGON*LNXWEB1 *" } },
		{ id = "mon", after = { "config" }, action = { "CP", "XAUTOLOG", "LNXMON1" },
		  verify = { run = { "CP", "QUERY", "USER", "LNXMON1" }, expect = "LNXMON1",
			every = 0.2 } },
		{ id = "app", after = { "db", "web" },
		  check = { run = { "CP", "QUERY", "USER", "LNXDB1" }, match = "^LNXDB1%s+%-" },
		  action = { "CP", "XAUTOLOG", "LNXAPP1" },
		  verify = { wait = "*AUTO LOGON*LNXAPP1 *" } },
	},
}
LUA
cat >t2.lua <<'LUA'
return {
	name = "T2", env = "CP",
	steps = {
		{ id = "config", check = { run = { "CP", "QUERY", "STORAGE" },
		  expect = "STORAGE = 64G" } },
		{ id = "boot", after = { "config" }, action = { "CP", "XAUTOLOG", "LNXSTP1" } },
		{ id = "app", after = { "boot" }, action = { "CP", "XAUTOLOG", "LNXSTP2" } },
	},
}
LUA
cat >t3.lua <<'LUA'
return {
	name = "T3", env = "CP", source = "PRD1OPER",
	steps = {
		{ id = "boot", action = { "CP", "XAUTOLOG", "LNXRTY1" }, retries = 2,
		  retry_delay = 0, verify = { wait = "*AUTO LOGON*LNXRTY1 *" } },
	},
}
LUA
for g in 1 2; do
	cat >t4$g.lua <<LUA
return {
	name = "T4$g", env = "CP", source = "PRD1OPER",
	steps = {
		{ id = "mem", on_failure = "confirm",
		  check = { run = { "CP", "QUERY", "STORAGE" }, expect = "STORAGE = 128G" },
		  action = { "CP", "XAUTOLOG", "LNXCNF$g" },
		  verify = { wait = "*AUTO LOGON*LNXCNF$g *" } },
	},
}
LUA
done
cat >t6.lua <<'LUA'
return {
	name = "T6", env = "CP", source = "PRD1OPER",
	steps = {
		{ id = "p1", action = { "CP", "XAUTOLOG", "LNXPS1" },
		  verify = { wait = "*AUTO LOGON*LNXPS1 *" } },
		{ id = "p2", after = { "p1" }, action = { "CP", "XAUTOLOG", "LNXPS2" } },
	},
}
LUA
cat >t7.lua <<'LUA'
return {
	name = "T7", env = "CP", source = "PRD1OPER",
	steps = {
		{ id = "k1", action = { "CP", "XAUTOLOG", "LNXK1" },
		  verify = { wait = "*AUTO LOGON*LNXK1 *" } },
		{ id = "k2", after = { "k1" }, on_failure = "confirm",
		  check = { run = { "CP", "QUERY", "STORAGE" }, expect = "STORAGE = 128G" },
		  action = { "CP", "XAUTOLOG", "LNXK2" },
		  verify = { wait = "*AUTO LOGON*LNXK2 *" } },
		{ id = "k3", after = { "k2" }, action = { "CP", "XAUTOLOG", "LNXK3" },
		  verify = { run = { "CP", "QUERY", "USER", "LNXK3" }, expect = "LNXK3" } },
	},
}
LUA
cat >t8.lua <<'LUA'
return {
	name = "T8", env = "CP", source = "PRD1OPER",
	steps = {
		{ id = "k9", action = { "CP", "XAUTOLOG", "LNXK9" },
		  verify = { wait = "*AUTO LOGON*LNXK9 *" } },
		{ id = "k10", after = { "k9" }, action = { "CP", "XAUTOLOG", "LNXK10" } },
	},
}
LUA
cat >bad.lua <<'LUA'
return { name = "BAD", steps = {
	{ id = "a", after = { "b" }, action = { "true" } },
	{ id = "b", after = { "a" }, action = { "true" }, afer = { "x" } },
} }
LUA

cat >r.rules <<RULES
DEFSRC NAME PRD1OPER TYPE FILE PATH $tmp/lpar/console.log FORMAT PLAIN
DEFENV NAME CP PREFIX '$sim --dir $tmp/lpar'
DEFENV NAME VMCP PREFIX '$sim --dir $tmp/lpar'
DEFACTN NAME TELL COMMAND 'sh -c "echo NOTE \$1 >>notes.log" sh &P'
DEFACTN NAME DRSTART EMIT 'VIGIL DR START T1'
PLUGIN NAME DR FILE $top/plugins/lua/dr-runbook.lua +
       CONFIG 'runbook.t1=$tmp/t1.lua runbook.t2=$tmp/t2.lua runbook.t3=$tmp/t3.lua +
       runbook.t41=$tmp/t41.lua runbook.t42=$tmp/t42.lua runbook.t6=$tmp/t6.lua +
       runbook.t7=$tmp/t7.lua runbook.t8=$tmp/t8.lua runbook.bad=$tmp/bad.lua +
       runbook.prd1=$top/rules/examples/dr-lpar-runbook.lua +
       notify=TELL parallel=2 timeout=30 sources=INJECT,DRSTART'
RULES
"$VIGIL" check r.rules >check.out 2>&1 || { cat check.out; fail "r.rules does not pass vigil check"; }
start

# --- happy path: dependency order, two branches at once, the limit ---------
v run DRSTART >/dev/null 2>&1
t1=$(run_id T1) && ok "vigil run DRSTART starts the runbook (an EMIT action)" || fail "no run of T1"
wait_for lpar/commands.log "XAUTOLOG LNXDB1" && wait_for lpar/commands.log "XAUTOLOG LNXWEB1" &&
	ok "two independent steps run at once (both started before either is verified)" ||
	fail "db and web did not both start"
for q in "QUERY STORAGE" "QUERY PROCESSORS" "QUERY OSA"; do
	[ "$(line "$q")" -gt 0 ] && [ "$(line "$q")" -lt "$(line "XAUTOLOG LNXDB1")" ] &&
		[ "$(line "$q")" -lt "$(line "XAUTOLOG LNXWEB1")" ] &&
		ok "the precondition '$q' runs before the guests come up" || fail "$q is not first"
done
is "no third step while two run (parallel=2)" "$(count "XAUTOLOG LNXMON1")" 0
console "AUTO LOGON  ***   LNXDB1   USERS = 3"
wait_for log "step mon done" && ok "a freed slot starts the next ready step, verified by polling" ||
	fail "mon did not run"
is "a step waits for all of its dependencies (app needs web)" "$(count "XAUTOLOG LNXAPP1")" 0
released=$(wc -l <lpar/commands.log)
console "AUTO LOGON  ***   LNXWEB1   USERS = 4"
wf_wait_status "$t1" done && ok "the run completes" || fail "T1: $(wf_status "$t1")"
[ "$(line "XAUTOLOG LNXAPP1")" -gt "$released" ] &&
	[ "$(line "QUERY USER LNXDB1")" -gt "$released" ] &&
	ok "the step after both branches starts only once both are verified" ||
	fail "app ran before web was verified"
for g in LNXDB1 LNXWEB1 LNXMON1 LNXAPP1; do
	is "XAUTOLOG $g ran once" "$(count "XAUTOLOG $g")" 1
done
wait_for notes.log "NOTE DR runbook T1 (workflow $t1) completed: 5 steps" &&
	ok "the end is notified" || fail "no completion notice"
v workflow show "$t1" >show
has "workflow show of the run has the result" show 'completed'
has "  ... and the journal of its steps" show "start"
has "each step's start is recorded (log)" log "DRB010I DR T1 run $t1: step db started"
has "  ... and its end" log "DRB011I DR T1 run $t1: step app done (try 1)"
has "  ... as a message from source DR too" log "DR T1 run $t1: step config done"
v workflows --all >list
has "the steps are workflows of their own" list "dr-step"
# The config step is the first child: its journal has the evidence.
cfg=$(v workflows --all --json | python3 -c '
import json, sys
ws = json.load(sys.stdin)["workflows"]
ids = sorted(w["id"] for w in ws if w["name"] == "dr-step" and w["key"].startswith(sys.argv[1] + "/"))
print(ids[0])' "$t1")
v workflow show "$cfg" >show
has "the evidence of a check is in its step's journal (the output)" show "STORAGE = 64G CONFIGURED = 64G"
has "  ... and in the log, each check in full" log "step config check 1.3: CP QUERY OSA -> OSA  0600 ATTACHED TO TCPIP    0600 DEVTYPE OSA         CHPID 00 OSD | OSA  0601 ATTACHED"

# --- a failing precondition, policy stop --------------------------------------
state 32G
v inject 'VIGIL DR START t2' >/dev/null
t2=$(run_id T2)
wf_wait_status "$t2" failed && ok "a failed precondition stops the run (status failed)" || fail "T2: $(wf_status "$t2")"
is "  ... before its action" "$(count "XAUTOLOG LNXSTP1")" 0
is "  ... and the steps after it" "$(count "XAUTOLOG LNXSTP2")" 0
v workflow show "$t2" >show
has "the run says which step failed" show "stopped at step config (check)"
has "  ... why" show 'no "STORAGE = 64G" in the output'
has "  ... with the evidence" show "STORAGE = 32G"
has "  ... and what was not run" show "not run: boot, app"
wait_for notes.log "NOTE DR runbook T2 (workflow $t2) stopped at step config" &&
	ok "the stop is notified" || fail "no stop notice"
has "the failure is logged with the evidence" log "DRB014E DR T2 run $t2: step config check failed (try 1)"

# --- START from a source not allowed; a bad runbook -----------------------------
console "VIGIL DR START t2"
wait_for log "DRB007W a START from source PRD1OPER refused" && ok "a START from a console line is refused" ||
	fail "a console line started a run"
v inject 'VIGIL DR START bad' >/dev/null
wait_for log "DRB004E runbook bad" && ok "a bad runbook is refused, named" || fail "bad runbook not refused"
has "  ... with its errors (unknown field)" log "step b: unknown field 'afer'"
v inject 'VIGIL DR START nosuch' >/dev/null
wait_for log "DRB004E no runbook.nosuch=FILE in CONFIG" && ok "an unknown runbook is refused" ||
	fail "unknown runbook not refused"

# --- retry n times, then success ------------------------------------------------
state 64G '{"XAUTOLOG LNXRTY1": 2}'
v inject 'VIGIL DR START t3' >/dev/null
t3=$(run_id T3)
wf_wait_status "$t3" done && ok "a step that fails twice with retries=2 succeeds the third time" ||
	fail "T3: $(wf_status "$t3")"
is "  ... its action ran three times" "$(count "XAUTOLOG LNXRTY1")" 3
is "  ... each retry is logged" "$(grep -c "DRB013W DR T3 run $t3: step boot: trying again" log)" 2
has "  ... and the success says which try" log "step boot done (try 3)"

# --- a policy confirm: yes and no ------------------------------------------------
v inject 'VIGIL DR START t41' >/dev/null
v inject 'VIGIL DR START t42' >/dev/null
t41=$(run_id T41); t42=$(run_id T42)
c1=$(confirm_id "DR T41 step mem: check failed") && ok "a failed check with on_failure=confirm asks an operator" ||
	fail "no question for T41"
c2=$(confirm_id "DR T42 step mem: check failed") || fail "no question for T42"
has "  ... the question carries the evidence" log "DR T41 step mem: check failed: no \"STORAGE = 128G\" in the output (CP QUERY STORAGE -> STORAGE = 64G"
wait_for notes.log "Answer: vigil confirm $c1 yes|no" && ok "  ... and is notified with how to answer" ||
	fail "no notice of the question"
is "  ... the step waits for the answer" "$(count "XAUTOLOG LNXCNF1")" 0
v confirm "$c1" yes >/dev/null
v confirm "$c2" no >/dev/null
wf_wait_status "$t41" done && ok "yes goes on with the step and the run" || fail "T41: $(wf_status "$t41")"
is "  ... its action ran once" "$(count "XAUTOLOG LNXCNF1")" 1
has "  ... recorded as overridden, by whom" log "step mem check failure overridden by"
wf_wait_status "$t42" failed && ok "no stops the run" || fail "T42: $(wf_status "$t42")"
is "  ... without the action" "$(count "XAUTOLOG LNXCNF2")" 0
v history --audit >audit
has "the answers are in the audit trail" audit "confirm"
is "  ... both" "$(grep -c confirm audit)" 2

# --- pause and resume by an operator ----------------------------------------------
v inject 'VIGIL DR START t6' >/dev/null
t6=$(run_id T6)
wait_for lpar/commands.log "XAUTOLOG LNXPS1" || fail "p1 did not start"
v workflow pause "$t6" >/dev/null
console "AUTO LOGON  ***   LNXPS1   USERS = 9"
wf_wait_status "$t6" paused && ok "a paused run stops before its next step" || fail "T6: $(wf_status "$t6")"
wait_for log "step p1 done" && ok "  ... the running step ends" || fail "p1 did not end"
is "  ... the next one does not start" "$(count "XAUTOLOG LNXPS2")" 0
v workflow resume "$t6" >/dev/null
wf_wait_status "$t6" done && ok "resume goes on to the end" || fail "T6: $(wf_status "$t6")"
is "  ... the next step ran once" "$(count "XAUTOLOG LNXPS2")" 1

# --- the shipped example runbook ---------------------------------------------------
cat >lpar/state.json <<'JSON'
{"storage": "256G", "processors": 8,
 "osa": {"0600": "online", "0601": "online", "0602": "online",
	 "0700": "online", "0701": "online", "0702": "online"},
 "dasd": {"0200": "LXDB01", "0201": "LXDB02", "0202": "LXNF01",
	  "0203": "LXAP01", "0204": "LXWB01"},
 "guests": {"TCPIP": "on"}}
JSON
mark=$(wc -l <lpar/commands.log)
v inject 'VIGIL DR START prd1' >/dev/null
ex=$(run_id PRD1)
wf_wait_status "$ex" done && ok "the example runbook (rules/examples/dr-lpar-runbook.lua) runs to its end" ||
	fail "PRD1: $(wf_status "$ex")"
tail -n +$((mark + 1)) lpar/commands.log >ex.cmds
exline() { grep -nxF -- "$1" ex.cmds | head -1 | cut -d: -f1 | grep . || echo 0; }
has "  ... a guest already up is recorded, not logged on again (done_if)" log "step tcpip already done"
is "  ... no XAUTOLOG TCPIP" "$(grep -cx "XAUTOLOG TCPIP" ex.cmds)" 0
for g in LNXDB01 LNXNF01 LNXAP01 LNXAP02 LNXWB01; do
	is "  ... XAUTOLOG $g once" "$(grep -cx "XAUTOLOG $g" ex.cmds)" 1
done
last_check=0
for q in "QUERY STORAGE" "QUERY PROCESSORS" "QUERY OSA" "QUERY DASD"; do
	[ "$(exline "$q")" -gt "$last_check" ] && last_check=$(exline "$q")
done
first_guest=$(grep -n '^XAUTOLOG' ex.cmds | head -1 | cut -d: -f1)
[ "$last_check" -gt 0 ] && [ "$last_check" -lt "${first_guest:-0}" ] &&
	ok "  ... the configuration is checked before any guest comes up" || fail "a guest came up before the checks"
[ "$(exline "XAUTOLOG LNXAP01")" -gt "$(exline "XAUTOLOG LNXDB01")" ] &&
	[ "$(exline "XAUTOLOG LNXAP01")" -gt "$(exline "XAUTOLOG LNXNF01")" ] &&
	[ "$(exline "XAUTOLOG LNXAP02")" -gt "$(exline "XAUTOLOG LNXDB01")" ] &&
	[ "$(exline "XAUTOLOG LNXWB01")" -gt "$(exline "XAUTOLOG LNXAP01")" ] &&
	[ "$(exline "XAUTOLOG LNXWB01")" -gt "$(exline "XAUTOLOG LNXAP02")" ] &&
	[ "$(exline "QUERY NAMES")" -gt "$(exline "XAUTOLOG LNXWB01")" ] &&
	ok "  ... data, then applications, then the web server, then the final check" ||
	{ fail "the example's guests came up out of order"; sed 's/^/#   /' ex.cmds; }
mark=$(wc -l <lpar/commands.log)
v inject 'VIGIL DR START prd1' >/dev/null
wait_lines log "DRB002I DR PRD1 run" 2 && ok "  ... and runs again to its end" || fail "no second PRD1 run"
is "  ... without logging any guest on again (repeatable)" "$(tail -n +$((mark + 1)) lpar/commands.log | grep -c XAUTOLOG)" 0

# --- kill -9 in the middle: twice ---------------------------------------------------
state
mark=$(wc -l <lpar/commands.log)
v inject 'VIGIL DR START t7' >/dev/null
t7=$(run_id T7)
k2=$(confirm_id "DR T7 step k2: check failed") || fail "T7 did not ask"
kill -9 "$pid"
wait "$pid" 2>/dev/null
r=$(grep -c resuming log)
start
wait_lines log resuming $((r + 1)) && ok "after kill -9 during a confirmation the run resumes" ||
	fail "no resume"
v confirm "$k2" yes >conf 2>&1
has "  ... the confirmation is armed again and answered" conf "answered yes"
wait_for lpar/commands.log "XAUTOLOG LNXK2" || fail "k2's action did not run"
wf_wait_status "$k2" waiting || fail "k2 does not wait for its message"
kill -9 "$pid"
wait "$pid" 2>/dev/null
r=$(grep -c resuming log)
start
wait_lines log resuming $((r + 1)) || fail "no second resume"
console "AUTO LOGON  ***   LNXK2    USERS = 12"
wf_wait_status "$t7" done && ok "after a kill -9 during a wait for a message the run completes" ||
	fail "T7: $(wf_status "$t7")"
tail -n +$((mark + 1)) lpar/commands.log >t7.cmds
for c in "XAUTOLOG LNXK1" "QUERY STORAGE" "XAUTOLOG LNXK2" "XAUTOLOG LNXK3" "QUERY USER LNXK3"; do
	is "'$c' ran once across the two restarts" "$(grep -cxF "$c" t7.cmds)" 1
done
is "  ... and nothing else ran" "$(wc -l <t7.cmds)" 5
is "the journal replay does not log a step twice" "$(grep -c "DRB010I DR T7 run $t7: step k1 started" log)" 1
v workflow show "$k2" >show
has "the step's journal has the confirmation and its answer" show "confirm"

# kill -9 while an action runs: it is not run again; its verification
# (armed before it) decides.
state 64G '{}' '["XAUTOLOG LNXK9"]'
v inject 'VIGIL DR START t8' >/dev/null
t8=$(run_id T8)
wait_for lpar/commands.log "HELD XAUTOLOG LNXK9" || fail "k9's action did not start"
kill -9 "$pid"
wait "$pid" 2>/dev/null
r=$(grep -c resuming log)
start
wait_lines log resuming $((r + 1)) || fail "no resume of T8"
touch lpar/release
wf_wait_status "$t8" done && ok "after kill -9 during an action the run completes" || fail "T8: $(wf_status "$t8")"
has "  ... the action is not started again" log "DRB013W DR T8 run $t8: step k9: the action was running when the daemon stopped; not run again"
is "  ... it ran once" "$(count "XAUTOLOG LNXK9")" 1
has "  ... its verification decided" log "step k9 verify 1.1: message: AUTO LOGON"
is "  ... and the next step ran once" "$(count "XAUTOLOG LNXK10")" 1
v workflows --json >left
is "no workflow of the runbooks is left waiting" "$(python3 -c '
import json, sys
print(len([w for w in json.load(open(sys.argv[1]))["workflows"]
           if w["status"] in ("running", "waiting", "paused", "pausing")]))' left)" 0

v shutdown >/dev/null
wait "$pid" 2>/dev/null
tap_end
