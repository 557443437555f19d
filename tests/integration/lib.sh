# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/lib.sh - what the integration tests share, sourced
# (not run): TAP-style results (ok, fail, is, has; tap_end prints the
# plan and gives the script's status) and waiting for a daemon's log
# (wait_for, wait_lines) instead of fixed sleeps; a Lua workflow's
# status (wf_status, wf_wait_status).

fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
is() {	# is DESCRIPTION GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi
}
has() {	# has DESCRIPTION FILE TEXT
	if grep -qF -- "$3" "$2"; then ok "$1"; else
		fail "$1: no '$3' in $2:"; sed 's/^/#   /' "$2" | tail -20; fi
}
# wait_for FILE TEXT: up to 20 s for TEXT to appear.
wait_for() {
	local i
	for i in $(seq 200); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# wait_lines FILE PATTERN COUNT: up to 30 s for COUNT lines to match.
wait_lines() {
	local i c
	for i in $(seq 300); do
		c=$(grep -c -- "$2" "$1" 2>/dev/null)
		[ "${c:-0}" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}
tap_end() {
	echo "1..$n"
	[ "$fails" -eq 0 ]
}
# wf_status ID: a Lua workflow's status ("vigil workflows --all --json").
wf_status() {
	"$VIGIL" workflows --all --json | python3 -c '
import json, sys
for w in json.load(sys.stdin)["workflows"]:
    if w["id"] == int(sys.argv[1]): print(w["status"])' "$1"
}
# wf_wait_status ID STATUS: up to 20 s for the workflow to reach STATUS.
wf_wait_status() {
	local i
	for i in $(seq 200); do
		[ "$(wf_status "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
