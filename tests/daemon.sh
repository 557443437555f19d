#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/daemon.sh - the real vigild on standard input: rules fire, actions
# run as processes with the exact argv, NEXTACTN chains, TIMEOUT kills the
# whole process group, SIGHUP reloads good rules and keeps the running
# ones when the new file is bad, --once ends when the input has ended and
# every action has finished.
set -u

: "${VIGILD:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
cd "$tmp" || exit 1

fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
has() {
	if grep -qF -- "$3" "$2"; then
		ok "$1"
	else
		fail "$1: no '$3' in:"
		sed 's/^/#   /' "$2" | head -30
	fi
}

cat >r.rules <<'RULES'
DEFRULE NAME SIG MATCH '*HCPSIG211%I User * has reported successful termination*' +
        ACTION MARK
DEFACTN NAME MARK COMMAND 'touch mark-&3' NEXTACTN SAY
DEFACTN NAME SAY COMMAND 'printf %s "said &1"'
DEFRULE NAME HANG MATCH 'HANG*' ACTION HANG
DEFACTN NAME HANG COMMAND 'sh -c "sleep 97 & sleep 97"' TIMEOUT 1s
DEFRULE NAME FAIL MATCH 'FAIL*' ACTION FAIL
DEFACTN NAME FAIL COMMAND 'false' NEXTACTN NEVER
DEFACTN NAME NEVER COMMAND 'touch never-ran'
RULES

printf '%s\n' 'HCPSIG2113I User BKRLNXD has reported successful termination' \
	'HANG please' 'FAIL now' 'unrelated' |
	timeout 30 "$VIGILD" -c r.rules -D state --once >out 2>log
s=$?
[ "$s" -eq 0 ] && ok "vigild --once exits 0 when done" || fail "exit status $s"
[ -f mark-BKRLNXD ] && ok "the action ran with the substituted argv" || fail "no mark-BKRLNXD"
has "the firing is logged with its argv" log "rule SIG fired: action MARK argv ['touch', 'mark-BKRLNXD']"
has "NEXTACTN ran after success, its output logged" log "output: 'said HCPSIG2113I'"
has "the hanging action is killed at its TIMEOUT" log "action HANG pid"
has "  ... and reported as such" log "killed at its TIMEOUT"
[ ! -f never-ran ] && ok "a failed link stops the chain (ONFAIL STOP)" || fail "NEVER ran"
has "the summary counts the messages" log "stopped: 4 messages from sources and"
has "  ... and the firings" log " from actions and events, 3 rule firings,"
# (sleep 97: a duration no other test uses, as tests run in parallel)
if pgrep -f 'sleep 97' >/dev/null 2>&1; then
	fail "the timed-out group left processes behind: $(pgrep -af 'sleep 97')"
else
	ok "the timed-out group is gone"
fi

# wait_for FILE TEXT: up to 10 s for TEXT to appear (no fixed sleeps).
wait_for() {
	local i
	for i in $(seq 100); do
		grep -qF -- "$2" "$1" && return 0
		sleep 0.1
	done
	return 1
}

# --- reload: good, then bad (the rules in force stay) -------------------
mkfifo in
"$VIGILD" -c r.rules -D state2 --once <in >out2 2>log2 &
pid=$!
pids+=("$pid")
exec 3>in
wait_for log2 "DAEMON_STARTED"
printf 'DEFRULE NAME NEW MATCH %s ACTION NULL\n' "'NEW*'" >>r.rules
kill -HUP "$pid"
wait_for log2 "RELOAD_DONE"
echo 'NEW message' >&3
wait_for log2 "rule NEW fired"
echo 'DEFRULE NAME BROKEN MATCH' >>r.rules
kill -HUP "$pid"
wait_for log2 "RELOAD_FAILED"
echo 'NEW again' >&3
exec 3>&-
wait "$pid"
s=$?
[ "$s" -eq 0 ] && ok "the daemon ends at the end of its input" || fail "exit $s"
has "a good reload is applied" log2 "RELOAD_DONE r.rules 4 rules"
has "the new rule fires" log2 "rule NEW fired"
has "a bad file is reported with its place" log2 "r.rules:11:26: error: DEFRULE BROKEN MATCH"
has "and leaves the rules in force" log2 "RELOAD_FAILED r.rules the rules in force stay (4 rules)"
[ "$(grep -c 'rule NEW fired' log2)" -eq 2 ] && ok "the kept rules still fire" || fail "NEW fired $(grep -c 'rule NEW fired' log2) times"

# --- bad rules: not started ---------------------------------------------
echo 'DEFRULE NAME X' >bad.rules
"$VIGILD" -c bad.rules -D state3 --once </dev/null >out3 2>log3
[ $? -eq 1 ] && ok "bad rules: vigild does not start" || fail "bad rules started"
has "and says where" log3 "bad.rules:1:1: error:"

echo "1..$n"
[ "$fails" -eq 0 ]
