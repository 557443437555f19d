#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/reload.sh - what survives a reload and a restart:
# 100,000 messages through a UNIX socket while the rules are reloaded
# twenty times, good and bad files in turn (no message lost, the socket's
# client never notices, a bad file leaves the rules in force); a LIMIT
# window carries over a reload; SUSPEND and RESUME (operator commands run
# by an action through ENV GOM) hold across a reload and a restart, and
# are written to the audit trail.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}"
command -v sqlite3 >/dev/null || { echo "1..0 # SKIP sqlite3 not installed"; exit 77; }
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 not installed"; exit 77; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
cd "$tmp" || exit 1

# send SOCKET: standard input to the UNIX stream socket, in 4 KiB writes.
send() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
data = sys.stdin.buffer.read()
for i in range(0, len(data), 4096):
    s.sendall(data[i:i + 4096])
s.close()' "$1"
}

cat >good.rules <<RULES
DEFSRC NAME FEED TYPE UNIX PATH '$tmp/feed.sock' FORMAT PLAIN
DEFRULE NAME ANY MATCH 'line *' ACTION NULL
DEFRULE NAME LIM MATCH 'LIM *' ACTION LIM LIMIT 1,60
DEFACTN NAME LIM COMMAND 'touch lim-&2'
DEFRULE NAME TARGET MATCH 'TARGET *' ACTION TARGET
DEFACTN NAME TARGET COMMAND 'touch target-&2'
DEFRULE NAME STOPIT MATCH 'STOP TARGET' ACTION STOPIT
DEFACTN NAME STOPIT COMMAND 'SUSPEND RULE TARGET maintenance window' ENV GOM
DEFRULE NAME GOAGAIN MATCH 'GO TARGET' ACTION GOAGAIN
DEFACTN NAME GOAGAIN COMMAND 'RESUME RULE TARGET' ENV GOM
RULES
cp good.rules r.rules
{ cat good.rules; echo 'DEFRULE NAME BROKEN MATCH'; } >bad.rules

"$VIGILD" -c r.rules -D st >out 2>log &
pid=$!
pids+=("$pid")
wait_for log "DAEMON_STARTED" || fail "the daemon did not start"

# --- reload under load ------------------------------------------------
printf 'line %d\n' $(seq 100000) | send "$tmp/feed.sock" &
sender=$!
for i in $(seq 10); do
	cp bad.rules r.rules; kill -HUP "$pid"; sleep 0.05
	cp good.rules r.rules; kill -HUP "$pid"; sleep 0.05
done
wait "$sender"
is "the sender was never refused" "$?" 0
wait_for log "RELOAD_DONE" || true
is "ten good reloads applied" "$(grep -c 'RELOAD_DONE' log)" 10
is "ten bad ones refused, the rules in force kept" "$(grep -c 'RELOAD_FAILED' log)" 10
has "a bad file is reported with its place" log "r.rules:11:26: error: DEFRULE BROKEN MATCH"

# --- LIMIT across a reload; SUSPEND / RESUME ------------------------------
printf '%s\n' 'LIM 1' 'TARGET 1' 'STOP TARGET' 'TARGET 2' | send "$tmp/feed.sock"
wait_for log "RULE TARGET suspended by RULE STOPIT" || fail "no suspension"
kill -HUP "$pid"
sleep 0.3
printf '%s\n' 'LIM 2' 'TARGET 3' | send "$tmp/feed.sock"
sleep 0.5
kill -TERM "$pid"
wait "$pid"
is "SIGTERM: exit 0" "$?" 0
has "not one of the 100,000 lines was lost" log "source FEED: 100006 messages"
is "LIMIT 1,60: the window survived the reload" "$(ls lim-* | tr '\n' ' ')" "lim-1 "
is "TARGET ran before the suspension only" "$(ls target-* | tr '\n' ' ')" "target-1 "
is "the suspension is in the state" "$(sqlite3 st/vigil.db "select kind, name, reason from suspensions")" \
	"RULE|TARGET|maintenance window"

"$VIGILD" -c r.rules -D st >out2 2>log2 &
pid=$!
pids+=("$pid")
wait_for log2 "DAEMON_STARTED"
printf '%s\n' 'TARGET 4' 'GO TARGET' 'TARGET 5' | send "$tmp/feed.sock"
wait_for log2 "rule TARGET fired"
sleep 0.3
kill -TERM "$pid"
wait "$pid"
is "after a restart: still suspended, then resumed" "$(ls target-* | tr '\n' ' ')" "target-1 target-5 "
is "the audit trail has both commands" \
	"$(sqlite3 st/vigil.db "select user || ': ' || command || ' ' || args from audit order by id")" \
	"RULE STOPIT: suspend RULE TARGET maintenance window
RULE GOAGAIN: resume RULE TARGET"

tap_end
