#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/workflows.sh - Lua workflows in the real daemon: the
# API (run of an argv and of an action, wait_for with and without its
# timeout, sleep, confirm, notify, state, join of child workflows,
# on_event, every, keys that refuse a second instance), the operator's
# commands (workflows, workflow show|cancel|pause|resume, confirm, with
# the audit trail), failures (an error, a spent instruction budget), and
# durability: kill -9 of vigild while workflows wait for a message, a
# sleep, a confirmation and a child, then a restart that finishes each
# with no command run twice; a reload that keeps an unchanged plugin and
# its workflows; a changed plugin whose workflows resume from their
# journals, or end "interrupted" / "failed" when the new code cannot
# take them on.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}" "${VIGIL:?}"
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
cd "$tmp" || exit 1
export VIGIL_SOCKET="$tmp/sock"

v() { "$VIGIL" "$@"; }
start() {
	"$VIGILD" -c r.rules -D st -S "$VIGIL_SOCKET" >>out 2>>log &
	pid=$!
	pids+=("$pid")
	if ! wait_for log "DAEMON_STARTED"; then
		fail "the daemon did not start"
		sed 's/^/#   /' log | tail -20
		tap_end
		exit 1
	fi
}
# wf_id KEY: the id of the newest workflow with that key.
wf_id() {
	v workflows --all --json | python3 -c '
import json, sys
ids = [w["id"] for w in json.load(sys.stdin)["workflows"] if w["key"] == sys.argv[1]]
print(ids[-1] if ids else "")' "$1"
}
wait_id() {
	local i id
	for i in $(seq 200); do
		id=$(wf_id "$1")
		[ -n "$id" ] && { echo "$id"; return 0; }
		sleep 0.1
	done
	return 1
}

cat >wf.lua <<'LUA'
-- Each workflow logs what it does to cmds.log through a process, so the
-- test can count executions.
local function cmd(word, arg)
	return vigil.run({ "sh", "-c", 'echo "$1 $2" >>cmds.log; echo out-$1',
		"sh", word, arg })
end

vigil.workflow("waiter", function(args)
	vigil.step("before")
	local st, out, res = cmd("BEFORE", args.k)
	vigil.log("run " .. args.k .. " " .. tostring(st) .. " " .. out:gsub("\n", "") .. " " .. res)
	vigil.step("waiting")
	local m, why = vigil.wait_for("GO " .. args.k, { timeout = args.timeout })
	if m == nil then
		cmd("TIMEOUT", args.k)
		return "timed out: " .. why
	end
	cmd("AFTER", args.k)
	return "got " .. m.text .. " from " .. m.source
end)

vigil.workflow("sleeper", function(args)
	cmd("SLEEP", args.k)
	vigil.sleep(args.secs)
	cmd("WOKE", args.k)
	return "slept"
end)

vigil.workflow("asker", function(args)
	cmd("ASK", args.k)
	local yes, who = vigil.confirm("go on with " .. args.k .. "?",
		{ timeout = args.timeout, default = args.default })
	cmd(yes and "YES" or "NO", args.k)
	vigil.notify(args.k .. " answered " .. tostring(yes) .. " by " .. tostring(who))
	return yes
end)

vigil.workflow("child", function(args)
	vigil.wait_for("CHILD " .. args.k)
	cmd("CHILD", args.k)
	return args.k .. "-done"
end)

vigil.workflow("parent", function(args)
	local a = vigil.start("child", { k = args.k .. "a" })
	local b = vigil.start("child", { k = args.k .. "b" })
	local first = vigil.join({ a, b }, { any = true })
	cmd("FIRST", first == a and "a" or "b")
	local all = vigil.join({ a, b })
	cmd("JOINED", all[a].result .. "+" .. all[b].result)
	return "parent done"
end)

vigil.workflow("action", function(args)
	local st, out, res = vigil.run("SAY", { parm = args.k })
	return tostring(st) .. " " .. out .. res
end)

-- The answer comes before the command returns (its own output line).
vigil.workflow("early", function(args)
	local st, out, res, m, why = vigil.run({ "sh", "-c", "echo ANSWER $1; sleep 1", "sh", args.k },
		{ wait_for = "ANSWER " .. args.k, wait_timeout = 10 })
	return res .. " " .. tostring(m and m.text) .. " " .. tostring(why)
end)
vigil.workflow("early2", function(args)
	local st, out, res, m, why = vigil.run({ "sh", "-c", "echo $1 >>cmds.log; sleep 3", "sh", "EARLY2 " .. args.k },
		{ wait_for = "ANSWER " .. args.k, wait_timeout = 60 })
	return res .. " " .. tostring(m and m.text) .. " " .. tostring(why)
end)
vigil.workflow("late", function(args)
	vigil.run({ "sh", "-c", "echo ANSWER $1; sleep 1", "sh", args.k })
	local m, why = vigil.wait_for("ANSWER " .. args.k, { timeout = 1 })
	return tostring(m) .. " " .. why
end)

vigil.workflow("graceful", function(args)
	local st, out, res = vigil.run({ "sh", "-c", "sleep 2; echo G $1 >>cmds.log", "sh", args.k })
	cmd("AFTERG", args.k .. " " .. res)
end)

vigil.workflow("longrun", function(args)
	local st, out, res = vigil.run({ "sleep", "30" })
	cmd("AFTERRUN", args.k .. " " .. res)
end)

vigil.workflow("broken", function() local t = nil; return t.field end)
vigil.workflow("spinner", function() vigil.step("spin"); while true do end end)

-- START kind key [n]: a workflow of that kind, keyed.
vigil.on("START *", function(msg)
	local w = msg.words
	local args = { k = w[3], timeout = tonumber(w[4]), secs = tonumber(w[4]),
		default = w[5] == "yes" or (w[5] == "no" and false) or nil }
	local id, existed = vigil.start(w[2], args, { key = w[3] })
	vigil.log("start " .. w[2] .. " " .. w[3] .. " -> " .. id .. (existed and " (existing)" or ""))
end)

-- A handler's run does not wait: its done callback gets the result.
vigil.on("ASYNC *", function(msg)
	local job = vigil.run({ "sh", "-c", "echo async $1", "sh", msg.words[2] }, {
		done = function(st, out) vigil.log("async done " .. st .. " " .. out:gsub("\n", "")) end })
	vigil.log("async job " .. tostring(job))
end)

vigil.on_event("WORKFLOW_DONE", function(ev)
	vigil.log("event " .. ev.name .. " " .. ev.object .. " " .. ev.detail)
end)

vigil.state.loads = (vigil.state.loads or 0) + 1
vigil.log("loads " .. vigil.state.loads)
LUA

cat >r.rules <<'RULES'
PLUGIN NAME WF FILE wf.lua CONFIG 'notify=TELL'
DEFACTN NAME TELL COMMAND 'sh -c "echo NOTIFY $1 >>cmds.log" sh &P'
DEFACTN NAME SAY COMMAND 'echo said &P'
RULES
: >cmds.log
start

# --- the API, live -------------------------------------------------------
v inject 'START waiter w1 30' >/dev/null
w1=$(wait_id w1)
wait_for log "run w1 0 out-BEFORE ok" && ok "vigil.run of an argv in a workflow returns status, output, result" ||
	fail "no run result for w1"
is "a workflow waiting for a message says so" "$(wf_status "$w1")" waiting
v workflows >list
has "vigil workflows shows what it waits for" list "wait match=GO w1"
has "  ... and the step it is at" list "waiting"
v inject 'START waiter w1 30' >/dev/null
wait_for log "start waiter w1 -> $w1 (existing)" && ok "a second start with the same key finds the first" ||
	fail "the key did not refuse a second instance"
v inject 'GO w1' >/dev/null
wf_wait_status "$w1" done && ok "the awaited message resumes it to its end" || fail "w1 did not end: $(wf_status "$w1")"
v workflow show "$w1" >show
has "workflow show has the result" show 'result:   "got GO w1 from INJECT"'
has "  ... and the journal, step by step" show "wait     done"
is "its commands ran once each" "$(grep -c ' w1$' cmds.log)" 2

v inject 'START waiter w2 1' >/dev/null
w2=$(wait_id w2)
wf_wait_status "$w2" done && ok "wait_for with a timeout ends" || fail "w2: $(wf_status "$w2")"
v workflow show "$w2" >show
has "  ... with nil, 'timeout'" show 'timed out: timeout'

v inject 'START asker a1 30' >/dev/null
a1=$(wait_id a1)
wait_for log "CONFIRM_WAITING WF workflow $a1 asks: go on with a1?" &&
	ok "a confirmation is announced (CONFIRM_WAITING)" || fail "no CONFIRM_WAITING"
v workflow show "$a1" >show
has "workflow show prints the question" show "confirm:  go on with a1? (vigil confirm $a1 yes|no)"
v confirm "$a1" yes >conf
has "vigil confirm answers" conf "workflow $a1: answered yes"
wf_wait_status "$a1" done && ok "the answer resumes the workflow" || fail "a1: $(wf_status "$a1")"
wait_for cmds.log "NOTIFY a1 answered true by root" && ok "vigil.notify runs the notify action with the text" ||
	fail "no notify for a1"
v confirm "$a1" no >conf 2>&1
is "a workflow that ended cannot be answered" "$?" 1
v history --audit >audit
has "the answer is audited" audit "confirm"
v inject 'START asker a2 1 no' >/dev/null
a2=$(wait_id a2)
wf_wait_status "$a2" done && ok "an unanswered confirmation takes its default at the timeout" || fail "a2: $(wf_status "$a2")"
wait_for cmds.log "NO a2" && ok "  ... which the workflow sees" || fail "no NO a2"

v inject 'START action x1&T' >/dev/null
x1=$(wait_id 'x1&T')
wf_wait_status "$x1" done && ok "vigil.run of a defined action" || fail "x1: $(wf_status "$x1")"
v workflow show "$x1" >show
has "  ... with its PARM (taken literally), output and result" show 'result:   "0 said x1&T\nok"'
has "  ... and the step's results, readable" show ' 0, "said x1&T\n", "ok"'
v history --action SAY >hist
has "a plugin's run is in the history as kind PLUGIN" hist "PLUGIN"

v inject 'START early e1' >/dev/null
e1=$(wait_id e1)
wf_wait_status "$e1" done || fail "e1: $(wf_status "$e1")"
v workflow show "$e1" >show
has "run with wait_for sees an answer given before the command returns" show 'result:   "ok ANSWER e1 nil"'
v inject 'START late e2' >/dev/null
e2=$(wait_id e2)
wf_wait_status "$e2" done || fail "e2: $(wf_status "$e2")"
v workflow show "$e2" >show
has "  ... which a wait_for after the run misses" show 'result:   "nil timeout"'

v inject 'ASYNC z9' >/dev/null
wait_for log "async done 0 async z9" && ok "vigil.run in a handler calls its done function" || fail "no async done"

v inject 'START broken b1' >/dev/null
b1=$(wait_id b1)
wf_wait_status "$b1" failed && ok "an error fails the workflow" || fail "b1: $(wf_status "$b1")"
v workflow show "$b1" >show
line=$(grep -n 'workflow("broken"' wf.lua | cut -d: -f1)
has "  ... with the file and line" show "wf.lua:$line: attempt to index a nil value"
v inject 'START spinner s1' >/dev/null
s1=$(wait_id s1)
wf_wait_status "$s1" failed && ok "an endless loop fails the workflow" || fail "s1: $(wf_status "$s1")"
v workflow show "$s1" >show
has "  ... with the instruction budget as the reason" show "instruction budget exceeded"
wait_for log "event WORKFLOW_DONE WF workflow $w1" && ok "on_event handlers see daemon events" ||
	fail "no on_event call"

# --- cancel, pause, resume -----------------------------------------------
v inject 'START waiter c1 60' >/dev/null
c1=$(wait_id c1)
wf_wait_status "$c1" waiting || fail "c1 does not wait"
v workflow cancel "$c1" >/dev/null
is "workflow cancel ends it as cancelled" "$(wf_status "$c1")" cancelled
v inject 'GO c1' >/dev/null
v inject 'START longrun c2' >/dev/null
c2=$(wait_id c2)
wf_wait_status "$c2" running || fail "c2 does not run"
v workflow cancel "$c2" >/dev/null
is "a workflow can be cancelled while its process runs" "$(wf_status "$c2")" cancelled
for i in $(seq 100); do v jobs | grep -q sleep || break; sleep 0.1; done
is "  ... which is stopped" "$(v jobs | grep -c sleep)" 0
is "  ... and the workflow does not go on when it ends" "$(grep -c 'AFTERRUN c2' cmds.log)" 0
v inject 'START parent c3' >/dev/null
c3=$(wait_id c3)
wf_wait_status "$c3" waiting || fail "c3 does not wait"
v workflow cancel "$c3" >/dev/null
is "cancelling a parent cancels it" "$(wf_status "$c3")" cancelled
kids=$(v workflows --all --json | python3 -c '
import json, sys
print(" ".join(w["status"] for w in json.load(sys.stdin)["workflows"]
      if (w["key"] or "").startswith(sys.argv[1] + "/")))' "$c3")
is "  ... and the workflows it started" "$kids" "cancelled cancelled"
v inject 'START waiter p1 60' >/dev/null
p1=$(wait_id p1)
wf_wait_status "$p1" waiting || fail "p1 does not wait"
v workflow pause "$p1" >/dev/null
v inject 'GO p1' >/dev/null
wf_wait_status "$p1" paused && ok "a paused workflow stops at its next step" || fail "p1: $(wf_status "$p1")"
is "  ... before running it" "$(grep -c 'AFTER p1' cmds.log)" 0
v workflow resume "$p1" >/dev/null
wf_wait_status "$p1" done && ok "resume lets it go on" || fail "p1: $(wf_status "$p1")"
is "a cancelled workflow never resumes" "$(grep -c 'AFTER c1' cmds.log)" 0

# --- durability: kill -9 in the middle, restart --------------------------
v inject 'START waiter k1 60' >/dev/null
v inject 'START sleeper k2 3' >/dev/null
v inject 'START asker k3 60' >/dev/null
v inject 'START parent k4' >/dev/null
v inject 'START early2 k5' >/dev/null
k1=$(wait_id k1); k2=$(wait_id k2); k3=$(wait_id k3); k4=$(wait_id k4); k5=$(wait_id k5)
wait_for cmds.log "EARLY2 k5" || fail "k5 did not run"
wait_for cmds.log "ASK k3" || fail "k3 did not ask"
wait_for cmds.log "SLEEP k2" || fail "k2 did not sleep"
v inject 'CHILD k4a' >/dev/null
wait_for cmds.log "FIRST a" || fail "k4 did not see its first child"
wf_wait_status "$k1" waiting || fail "k1 does not wait"
kill -9 "$pid"
wait "$pid" 2>/dev/null
start
wait_for log "resuming" && ok "after kill -9 the unfinished workflows resume" || fail "no resume"
is "a handler's state survived (vigil.state)" "$(grep -c 'plugin WF: loads 2' log)" 1
wf_wait_status "$k2" done && ok "a sleep interrupted by the kill ends after the restart" || fail "k2: $(wf_status "$k2")"
v inject 'GO k1' >/dev/null
wf_wait_status "$k1" done && ok "a wait interrupted by the kill is met after the restart" || fail "k1: $(wf_status "$k1")"
v confirm "$k3" yes >/dev/null
wf_wait_status "$k3" done && ok "a confirmation interrupted by the kill is answered after it" || fail "k3: $(wf_status "$k3")"
v inject 'ANSWER k5' >/dev/null
wf_wait_status "$k5" done && ok "a run's answer is still awaited after a kill during the run" || fail "k5: $(wf_status "$k5")"
v workflow show "$k5" >show
has "  ... the run itself reported interrupted, not run again" show 'result:   "interrupted ANSWER k5 nil"'
v inject 'CHILD k4b' >/dev/null
wf_wait_status "$k4" done && ok "a parent joins its children across the restart" || fail "k4: $(wf_status "$k4")"
wait_for cmds.log "JOINED k4a-done+k4b-done" && ok "  ... with their results" || fail "no JOINED k4"
for c in "EARLY2 k5" "BEFORE k1" "AFTER k1" "SLEEP k2" "WOKE k2" "ASK k3" "YES k3" "NOTIFY k3" "CHILD k4a" "CHILD k4b" "FIRST a"; do
	is "'$c' ran once across the restart" "$(grep -c "^$c" cmds.log)" 1
done
is "the replay does not log again what was logged" "$(grep -c 'run k1 0 out-BEFORE' log)" 1

# --- a clean stop while a workflow's process runs ----------------------
v inject 'START graceful g1' >/dev/null
g1=$(wait_id g1)
wf_wait_status "$g1" running || fail "g1 does not run"
v shutdown >/dev/null
wait "$pid"
is "vigild stops after the process's grace" "$?" 0
is "  ... the process ended in the grace" "$(grep -c '^G g1' cmds.log)" 1
is "  ... and the workflow did not go on while the daemon stopped" "$(grep -c 'AFTERG g1' cmds.log)" 0
start
wf_wait_status "$g1" done && ok "after the start the workflow goes on" || fail "g1: $(wf_status "$g1")"
is "  ... with the process's real result, not run again" "$(grep -c 'AFTERG g1 ok' cmds.log)" 1
is "  ... once" "$(grep -c '^G g1' cmds.log)" 1

# --- reloads ----------------------------------------------------------------
v inject 'START waiter r1 60' >/dev/null
r1=$(wait_id r1)
wf_wait_status "$r1" waiting || fail "r1 does not wait"
resumes=$(grep -c resuming log)
v reload >/dev/null
wait_for log "RELOAD_DONE" || fail "no reload"
is "a reload keeps an unchanged plugin running" "$(grep -c resuming log)" "$resumes"
printf '\n-- changed\n' >>wf.lua
v reload >/dev/null
wait_lines log "RELOAD_DONE" 2 || fail "no second reload"
wait_lines log "resuming" $((resumes + 1)) && ok "a changed plugin resumes its workflows" || fail "no resume after a change"
v inject 'GO r1' >/dev/null
wf_wait_status "$r1" done && ok "  ... which go on" || fail "r1: $(wf_status "$r1")"
is "  ... without running a step again" "$(grep -c 'BEFORE r1' cmds.log)" 1

v inject 'START waiter r2 60' >/dev/null
v inject 'START sleeper r3 60' >/dev/null
r2=$(wait_id r2); r3=$(wait_id r3)
wf_wait_status "$r2" waiting || fail "r2 does not wait"
# The new code takes another path at step 2 and no longer defines sleeper.
sed -i 's/vigil.step("before")/vigil.sleep(0)/; s/vigil.workflow("sleeper"/vigil.workflow("sleeper2"/' wf.lua
v reload >/dev/null
wf_wait_status "$r2" failed && ok "a workflow whose code now takes another path fails" || fail "r2: $(wf_status "$r2")"
v workflow show "$r2" >show
has "  ... saying so" show "took another path"
wf_wait_status "$r3" interrupted && ok "a workflow the plugin no longer defines is interrupted" || fail "r3: $(wf_status "$r3")"
v workflow show "$r3" >show
has "  ... with the reason" show "no longer defines workflow sleeper"

v shutdown >/dev/null
wait "$pid"
is "vigild stops cleanly (exit 0)" "$?" 0
tap_end
