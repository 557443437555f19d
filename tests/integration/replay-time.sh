#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/replay-time.sh - vigil replay runs the daemon's clocks
# in a real log's own time: loghub's OpenSSH_2k.log (a morning of sshd
# messages, ../shared/data) through golden/openssh.rules: an hourly
# schedule runs at each hour the log passes (and a nightly one not at
# all), an idle monitor fires at each 10-minute gap in the failures, a
# LIMIT 5,10 suppresses and runs its limit action once per window, a
# THRESHOLD per client address blocks bursts and CLEAR lets them go, a
# SUPPRESS per address keeps one warning in five minutes.  The counts are
# compared with golden/openssh.counts (counts only: no log text is kept
# in the repository); they were checked against small independent models
# of each semantics written in Python when the golden file was made.
# --to bounds the window; --timeline lists the firings in time order.
set -u
. "$(dirname "$0")/lib.sh"

: "${VIGIL:?}" "${top_srcdir:?}"
log="${SHARED_DATA:-$top_srcdir/../shared/data}/loghub/OpenSSH/OpenSSH_2k.log"
[ -f "$log" ] || { echo "1..0 # SKIP $log not found (the shared data)"; exit 77; }
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 not installed"; exit 77; }
export TZ=UTC
golden="$top_srcdir/tests/integration/golden"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

counts() {	# the report's counts, one per line, sorted
	python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in ("messages", "fired", "limited", "held"):
    print(k, d[k])
for k in ("rules", "schedules", "idle_monitors", "found", "missed", "cleared",
          "actions"):
    for name, n in sorted(d[k].items()):
        print(k, name, n)'
}

"$VIGIL" replay -c "$golden/openssh.rules" --format SYSLOG --time 2026-12-31 \
	--json "$log" >"$tmp/report.json"
is "replay exits 0" "$?" 0
counts <"$tmp/report.json" >"$tmp/counts"
if diff -u "$golden/openssh.counts" "$tmp/counts" >"$tmp/diff"; then
	ok "the counts are the golden ones"
else
	fail "the counts differ from golden/openssh.counts:"; sed 's/^/#   /' "$tmp/diff"
fi

"$VIGIL" replay -c "$golden/openssh.rules" --format SYSLOG --time 2026-12-31 \
	--to '2026-12-10 09:00' --json "$log" | counts >"$tmp/to"
is "--to 09:00: the hourly schedule ran at 07:00, 08:00 only" \
	"$(grep '^schedules HOURLY' "$tmp/to")" "schedules HOURLY 2"

"$VIGIL" replay -c "$golden/openssh.rules" --format SYSLOG --time 2026-12-31 \
	--timeline "$log" >"$tmp/timeline"
is "--timeline: the first schedule run, at its time" \
	"$(grep -m1 'SCHEDULE' "$tmp/timeline")" \
	"2026-12-10T07:00:00+0000 SCHEDULE HOURLY           -> REPORT"
is "--timeline: the limit action, once per window, at its trigger" \
	"$(grep -c ' LIMIT ' "$tmp/timeline")" \
	"$(grep '^actions TOOMANY' "$tmp/counts" | cut -d' ' -f3)"
if grep -oE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}' "$tmp/timeline" | sort -c 2>/dev/null; then
	ok "--timeline: in time order"
else
	fail "--timeline: out of time order"
fi

tap_end
