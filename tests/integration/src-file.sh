#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/src-file.sh - the real vigild following a file
# (DEFSRC TYPE FILE) through everything a log file goes through: lines
# appended, rotation by rename while lines are still coming, copytruncate,
# a stop by SIGTERM in the middle of a stream, lines written and a
# rotation while the daemon is down, then a restart.  Each line carries a
# sequence number that an action appends to a file: every number must be
# seen exactly once (no loss, no duplicate).  Also: old history is not
# replayed by a new source, a file that appears later is read from its
# start, --once reads a file to its end and stops, and a PATH that is a
# directory stops the daemon with a message naming it.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGILD:?}"
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1

# wait_count FILE N: up to 20 s for FILE to have N lines.
wait_count() {
	local i
	for i in $(seq 200); do
		[ "$(cat "$1" 2>/dev/null | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# seqs FROM TO FILE: append "SEQ i" lines, one write each, as a logger does.
seqs() {
	local i
	for i in $(seq "$1" "$2"); do echo "SEQ $i payload" >>"$3"; done
}
# check_seen DESCRIPTION FILE N: FILE holds 1..N, each exactly once.
check_seen() {
	local dups missing extra
	seq "$3" | sort >want.tmp
	sort -u "$2" >got.tmp
	dups=$(sort -n "$2" | uniq -d | tr '\n' ' ')
	missing=$(comm -23 want.tmp got.tmp | sort -n | tr '\n' ' ')
	extra=$(comm -13 want.tmp got.tmp | tr '\n' ' ')
	if [ -z "$dups" ] && [ -z "$missing" ] && [ -z "$extra" ]; then
		ok "$1"
	else
		fail "$1: duplicates [$dups] missing [$missing] extra [$extra]"
	fi
}

start() {	# start LOG: the daemon on f.rules, in the background
	"$VIGILD" -c f.rules -D state >>"$1" 2>&1 &
	pid=$!
	pids+=("$pid")
	wait_for "$1" "DAEMON_STARTED" || fail "the daemon did not start"
}
stop() {	# SIGTERM, then its exit status in $stopped
	kill -TERM "$pid"
	wait "$pid"
	stopped=$?
}

cat >f.rules <<RULES
DEFSRC NAME LOGF TYPE FILE PATH $tmp/f FORMAT PLAIN
DEFSRC NAME LATE TYPE FILE PATH $tmp/late FORMAT PLAIN
DEFRULE NAME SEQ MATCH 'SEQ *' SOURCE LOGF ACTION REC
DEFACTN NAME REC COMMAND 'sh -c "echo \$1 >>$tmp/seen" sh &2'
DEFRULE NAME LATE MATCH 'LATE *' SOURCE LATE ACTION LATE
DEFACTN NAME LATE COMMAND 'sh -c "echo \$1 >>$tmp/late-seen" sh &2'
RULES

# --- a new source does not replay history -------------------------------
printf 'SEQ 0 history\nSEQ 0 more history\nSEQ 0 unfinished' >f
start log1
has "a new source starts at the end of the file" log1 "following $tmp/f"
: >seen
# The unfinished line's tail is history too.
echo " tail" >>f
seqs 1 50 f
wait_count seen 50 || fail "lines 1-50: only $(wc -l <seen) seen"

# --- rotation by rename, lines still being written ----------------------
# 51-60 go to the old file just before the rename: they must be read from
# it before the source switches to the new file.
seqs 51 60 f
mv f f.1
seqs 61 100 f
wait_count seen 100 || fail "lines 51-100: only $(wc -l <seen) seen"
has "rotation by rename is an event" log1 "SOURCE_ROTATED LOGF $tmp/f rotated"

# --- copytruncate ---------------------------------------------------------
cp f f.0
: >f
wait_for log1 "truncated" || fail "the truncation was not noticed"
seqs 101 150 f
wait_count seen 150 || fail "lines 101-150: only $(wc -l <seen) seen"
has "truncation is an event" log1 "SOURCE_ROTATED LOGF $tmp/f truncated"

# --- a file that appears later is read from its start --------------------
wait_for log1 "waiting for $tmp/late to appear"
has "a missing file is waited for" log1 "waiting for $tmp/late to appear"
printf 'LATE 1\nLATE 2\nLATE 3\n' >late
wait_count late-seen 3 || fail "late file: $(wc -l <late-seen 2>/dev/null) lines seen"
is "a file that appears is read from its start" \
	"$(sort -n late-seen 2>/dev/null | tr '\n' ' ')" "1 2 3 "

# --- SIGTERM in the middle of a stream, lines and a rotation while down ---
(for i in $(seq 151 250); do echo "SEQ $i payload" >>f; sleep 0.01; done) &
writer=$!
wait_count seen 170
stop
is "SIGTERM in mid-stream: exit 0" "$stopped" 0
down=$(wc -l <seen)
wait "$writer"
[ "$down" -lt 250 ] && ok "lines were written while the daemon was down" ||
	fail "the writer had finished before the stop ($down seen)"
mv f f.1		# rotated while the daemon is down
seqs 251 300 f
start log2
wait_for log2 "was rotated while vigild was stopped"
has "the restart finds the rotated file beside PATH" log2 \
	"was rotated while vigild was stopped: reading the rest of"
wait_count seen 300 || fail "lines 151-300: only $(wc -l <seen) seen"
# A moment for a duplicate, if there were one, to show.
sleep 1
stop
is "second stop: exit 0" "$stopped" 0
check_seen "every line 1-300 seen exactly once across rotation, truncation and a restart" seen 300
grep -qx 0 seen && fail "history before the start was replayed" ||
	ok "history before the first start was not replayed"

# --- a restart resumes at the saved offset ------------------------------
seqs 301 320 f
start log3
has "a restart resumes at the saved offset" log3 "resuming $tmp/f"
wait_count seen 320 || fail "lines 301-320: only $(wc -l <seen) seen"
sleep 1
stop
check_seen "and reads nothing twice" seen 320
is "the late file is not read again either" "$(wc -l <late-seen)" 3

# --- --once reads a file to its end and stops ---------------------------
cat >once.rules <<RULES
DEFSRC NAME ONCE TYPE FILE PATH $tmp/once FORMAT PLAIN
DEFRULE NAME SEQ MATCH 'SEQ *' ACTION REC
DEFACTN NAME REC COMMAND 'sh -c "echo \$1 >>$tmp/once-seen" sh &2'
RULES
seqs 1 20 once
printf 'SEQ 21 without its newline' >>once
timeout 30 "$VIGILD" -c once.rules -D once-state --once >once.log 2>&1
is "--once on a file: exit 0 at its end" "$?" 0
check_seen "--once reads the whole file, its unfinished last line too" once-seen 21

# --- PATH that is a directory ---------------------------------------------
mkdir adir
cat >dir.rules <<RULES
DEFSRC NAME DIRSRC TYPE FILE PATH $tmp/adir
RULES
timeout 10 "$VIGILD" -c dir.rules -D dir-state >dir.log 2>&1 </dev/null
is "PATH that is a directory: exit 1" "$?" 1
has "  ... with a message naming the source and the path" dir.log \
	"source DIRSRC: $tmp/adir is a directory"

tap_end
