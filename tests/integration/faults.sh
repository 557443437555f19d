#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/faults.sh - the daemon against a hostile machine:
# the state directory and console log on a full disk (matching and
# actions go on, STATE_DEGRADED and CONSLOG_DEGRADED are raised, both
# recover when space returns and the history written meanwhile is not
# lost); a corrupt database, a state directory in use by another vigild
# or writable by others (refused, with what to do).  The full disk is a
# small tmpfs mounted in a private mount namespace, so it needs root (or
# CAP_SYS_ADMIN); without it that part is skipped.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}"
command -v sqlite3 >/dev/null || { echo "1..0 # SKIP sqlite3 not installed"; exit 77; }
if [ -z "${VIGIL_IN_NS:-}" ] && [ "$(id -u)" -eq 0 ] &&
	unshare --mount --propagation private true 2>/dev/null; then
	VIGIL_IN_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	mountpoint -q "$tmp/disk" 2>/dev/null && umount "$tmp/disk"
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1


cat >r.rules <<'RULES'
DEFRULE NAME MARK MATCH 'MARK *' ACTION MARK
DEFACTN NAME MARK COMMAND 'touch ../../marks/&2'
RULES
mkdir marks

# --- a full disk ----------------------------------------------------------
mkdir disk
if [ -n "${VIGIL_IN_NS:-}" ] && mount -t tmpfs -o size=2m tmpfs disk 2>/dev/null; then
	mkdir -m 700 disk/st
	mkfifo in
	(cd disk/st && exec "$VIGILD" -c ../../r.rules -D . --stop-grace 5 <../../in >../../out 2>../../log) &
	pid=$!
	pids+=("$pid")
	exec 3>in
	wait_for log DAEMON_STARTED
	echo 'MARK m0' >&3
	wait_for log "action MARK pid"
	dd if=/dev/zero of=disk/filler bs=4k 2>/dev/null	# until it is full
	for i in $(seq 1 40); do printf 'MARK m%d %0200d\n' "$i" 0 >&3; done
	wait_for log "CONSLOG_DEGRADED"
	has "the console log on a full disk raises CONSLOG_DEGRADED" log "VGL032E CONSLOG_DEGRADED"
	wait_for log "STATE_DEGRADED"
	has "the state on a full disk raises STATE_DEGRADED" log "VGL030E STATE_DEGRADED"
	sleep 0.5
	is "matching and actions went on" "$(ls marks | wc -l)" 41
	rm -f disk/filler
	# The console log tries again at most once a second, when it has
	# something to write: lines that arrive before that are lost (and
	# counted), not buffered without bound.
	sleep 1.2
	for i in $(seq 41 45); do echo "MARK m$i" >&3; done
	wait_for log "CONSLOG_RECOVERED"
	has "the console log recovers when space returns" log "VGL033I CONSLOG_RECOVERED"
	wait_for log "STATE_RECOVERED"
	has "the state recovers, replaying what was queued" log "VGL031I STATE_RECOVERED"
	exec 3>&-
	kill -TERM "$pid"; wait "$pid"
	is "exit 0" "$?" 0
	is "no history lost: 46 actions recorded" \
		"$(sqlite3 disk/st/vigil.db "select count(*) from history where action='MARK' and result='ok'")" 46
	has "lines written after the recovery are in the console log" disk/st/console/STDIN.log "MARK m45"
	umount disk
else
	echo "# skipping the full-disk checks: cannot mount a tmpfs here (needs root)"
fi

# --- a corrupt database ---------------------------------------------------
mkdir -m 700 st2
head -c 8192 /dev/urandom >st2/vigil.db
"$VIGILD" -c r.rules -D st2 --once </dev/null >out2 2>log2
is "a corrupt database: not started" "$?" 1
has "  ... saying which file and what to do" log2 "st2/vigil.db"
ok "  ... the file is kept: $(test -s st2/vigil.db && echo yes)"

# --- a state directory in use, or open to others ----------------------------
mkfifo in3
"$VIGILD" -c r.rules -D st3 <in3 >out3 2>log3 &
pid=$!
pids+=("$pid")
exec 4>in3
wait_for log3 DAEMON_STARTED
"$VIGILD" -c r.rules -D st3 --once </dev/null >out4 2>log4
is "a second vigild on the same state directory: not started" "$?" 1
has "  ... naming the other's pid" log4 "is in use by another vigild (pid $pid)"
exec 4>&-
kill -TERM "$pid"; wait "$pid"
mkdir -m 777 st5
"$VIGILD" -c r.rules -D st5 --once </dev/null >out5 2>log5
is "a state directory writable by others: not started" "$?" 1
has "  ... saying how to fix it" log5 "chmod go-w"

# --- 100,000 triggers at once: backpressure, bounded memory, nothing lost ---
cat >q.rules <<RULES
DEFSRC NAME F TYPE FILE PATH '$tmp/q.log' FORMAT PLAIN
DEFRULE NAME JOB MATCH 'JOB *' ACTION SLOW
DEFACTN NAME SLOW COMMAND 'sleep 89' MAXCONC 1
RULES
seq -f 'JOB %.0f' 100000 >q.tmp
mkdir -m 700 st6
"$VIGILD" -c q.rules -D st6 --stop-grace 0 </dev/null >out6 2>log6 &
pid=$!
pids+=("$pid")
wait_for log6 DAEMON_STARTED
mv q.tmp q.log		# appears after the start: read from its beginning
wait_for log6 "SOURCE_PAUSED" || fail "never paused"
has "the file source pauses when 5,000 actions wait" log6 "VGL007W SOURCE_PAUSED ALL"
rss=$(awk '/^VmRSS/ { print $2 }' /proc/$pid/status)
[ "${rss:-999999}" -lt 131072 ] && ok "memory stays bounded (${rss} KiB)" || fail "RSS ${rss} KiB"
kill -TERM "$pid"; wait "$pid"
is "stopped: exit 0" "$?" 0
first=$(sed -n 's/.*source F: \([0-9]*\) messages.*/\1/p' log6)
is "none refused: the queue never overflowed" "$(sqlite3 st6/vigil.db "select count(*) from history where result='refused'")" 0
pkill -f 'sleep 89'
sed -i 's/ACTION SLOW/ACTION NULL/' q.rules
"$VIGILD" -c q.rules -D st6 --once </dev/null >out7 2>log7
is "the restart reads the rest: exit 0" "$?" 0
second=$(sed -n 's/.*source F: \([0-9]*\) messages.*/\1/p' log7)
is "read before the stop ($first) and after the restart ($second): 100,000, none twice" \
	"$((first + second))" 100000

tap_end
