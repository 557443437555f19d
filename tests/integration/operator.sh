#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/operator.sh - issue 6's "done when", through the real
# client against the real daemon running the backup example with the
# simulated z/VM console: find why the backup rule fired, suspend it for
# two hours, run the restart action by hand, watch the guest's console
# come back, and see exactly that in the audit trail.  Also the client's
# contract: --json parses, exit codes 0/1/2/3, unique prefixes.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}" "${VIGIL:?}" "${top_srcdir:?}"
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 not installed"; exit 77; }
export TZ=UTC
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
mkdir -m 700 "$tmp/run"
sock="$tmp/run/vigil.sock"
v() { "$VIGIL" -S "$sock" "$@"; }

(cd "$top_srcdir" && exec "$VIGILD" -c rules/examples/demo/backup-demo.rules \
	-D "$tmp/st" -S "$sock" --test-clock 2026-11-26T13:14:58) \
	>"$tmp/out" 2>"$tmp/log" &
pids+=("$!")
wait_for "$tmp/log" "rule DEMODONE fired" || fail "the backup cycle did not run"

v history --rule BKRLNX02 >"$tmp/h" 2>&1
is "history --rule: exit 0" "$?" 0
has "why it fired: the message that fired it" "$tmp/h" "from: HCPSIG2113I User BKRLNXD has reported successful termination"
has "  ... and what it ran" "$tmp/h" "CP SMSG BKRBKUP SUBMIT SAMPLNX"
v why 'HCPSIG2113I User BKRLNXD has reported successful termination' >"$tmp/w" 2>&1
has "why: the live rules would fire it again" "$tmp/w" "fired BKRLNX02"

v sus rule BKRLNX02 --for 2h --reason 'backup window moved' >"$tmp/s" 2>&1
is "suspend (as a prefix): exit 0" "$?" 0
v query rules --json >"$tmp/q.json"
is "query rules --json: the rule is suspended" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([r["suspended"] for r in d["rules"] if r["name"]=="BKRLNX02"][0])' "$tmp/q.json")" True

# The simulated console ends after the restart of the cycle and the
# daemon starts it again: wait for it to be up.
wait_lines "$tmp/log" "SOURCE_CONNECTED ZVMOPER" 2 || fail "the console did not come back"
v view ZVMOPER --follow >"$tmp/view" 2>&1 &
viewer=$!
pids+=("$viewer")
sleep 0.5
v run BKRLNX03 >"$tmp/run.out" 2>"$tmp/run.err"
is "run BKRLNX03 by hand: exit 0" "$?" 0
has "  ... it reports its job and result" "$tmp/run.err" ": ok"
wait_for "$tmp/view" "AUTO LOGON" && ok "view --follow: the guest's console shows it coming back" || fail "no AUTO LOGON in the view"
kill "$viewer" 2>/dev/null

v history --audit >"$tmp/a" 2>&1
has "audit: the suspension, by whom" "$tmp/a" "suspend   ok       RULE BKRLNX02 FOR 2h backup window moved"
has "audit: the manual run" "$tmp/a" "run       ok       BKRLNX03"

v status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["rules"]==3' \
	&& ok "status --json parses" || fail "status --json"
v status >"$tmp/st.txt" 2>&1
has "status: the rules in force, with their checksum" "$tmp/st.txt" "checksum"
has "status: the sources" "$tmp/st.txt" "ZVMOPER          PTY"
has "status: the last errors" "$tmp/st.txt" "last errors:"
# Every query, and the other read commands, as JSON.
jcheck() {	# jcheck DESCRIPTION PYTHON-ASSERTION vigil-args...
	local desc=$1 expr=$2
	shift 2
	if v "$@" --json 2>"$tmp/jerr" | python3 -c "import json,sys; d=json.load(sys.stdin); assert $expr, d"; then
		ok "$desc"
	else
		fail "$desc"; sed 's/^/#   /' "$tmp/jerr"
	fi
}
jcheck "query actions --json" '[a["fired"] for a in d["actions"] if a["name"]=="BKRLNX03"]==[2]' query actions
jcheck "query schedules --json: the next run of BKRLNX01 is a Thursday" \
	'__import__("time").gmtime([s["next"] for s in d["schedules"] if s["name"]=="BKRLNX01"][0]).tm_wday==3' query schedules
jcheck "query groups --json" 'd["groups"][0]["members"]=="BKRWRK0*"' query groups
jcheck "query sources --json" '[s["type"] for s in d["sources"]]==["PTY"]' query sources
jcheck "show rule --json: its definition and recent firings" \
	'"MATCH" in d["definition"] and len(d["recent"])==1' show rule BKRLNX02
jcheck "history --json" 'd["history"][0]["trigger"]=="BKRLNX01"' history
jcheck "history --audit --json" 'any(a["command"]=="run" for a in d["audit"])' history --audit
jcheck "jobs --json: nothing running" 'd["jobs"]==[]' jobs
v log >"$tmp/log.out" 2>&1
has "log: the daemon's own log" "$tmp/log.out" "SCHEDULE BKRLNX01 fired"
# A job that waits, seen by jobs, cancelled.
v run DEMODONE --detach >"$tmp/det" 2>&1
has "run --detach: the job number" "$tmp/det" "started"
v inject 'AUTO LOGON  ***   BKRLNXD   USERS = 23' >"$tmp/inj" 2>&1
has "inject: the rules fired on it" "$tmp/inj" "1 rule firings"
v check >"$tmp/chk" 2>&1
is "check (the daemon's files): exit 0" "$?" 0
has "  ... and what they define" "$tmp/chk" "OK:"
v reload >"$tmp/rel" 2>&1
is "reload: exit 0" "$?" 0
has "  ... with the checksum" "$tmp/rel" "checksum"
v resume rule BKRLNX02 >/dev/null 2>&1
is "resume: exit 0" "$?" 0
v cancel 999999 >/dev/null 2>&1
is "cancel of no such job: exit 1" "$?" 1
v frobnicate >/dev/null 2>&1
is "an unknown command: exit 2" "$?" 2
v run NOSUCH >/dev/null 2>&1
is "run of an action that does not exist: exit 1" "$?" 1
v shutdown >/dev/null 2>&1
is "shutdown: exit 0" "$?" 0
sleep 1
v status >/dev/null 2>&1
is "the daemon gone: exit 3" "$?" 3

tap_end
