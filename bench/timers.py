#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""
timers.py - what ten thousand schedules and fifty thousand open
correlation windows cost per message (issue 5's speed target: nothing
measurable; they live in libev's timer heap and the correlation
engine's own heap, never scanned per message).

Two daemons read the same feed (bench/out/feed-N.log, N rules of
bench/out/rules-N.rules with NULL actions) from a UNIX socket, in the
same run:
  A  the N rules alone;
  B  the N rules, plus 10,000 DEFSCHD at times spread over the day, plus a
     rule that opens an EXPECT window per key: 50,000 "OPEN k" lines are
     sent first (timed apart), so 50,000 windows are open while the feed
     is read.
Each run is the best of --reps; the figure is B's lines/s over A's.

Usage: timers.py --vigild B --out bench/out [--rules N] [--reps R]
       [--markdown FILE]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import importlib  # noqa: E402
e2e = importlib.import_module("e2e")

SCHEDULES = 10000
WINDOWS = 50000


def write_rules(src, dest, sock, work, extra):
    e2e.rules_with(src, dest, "DEFACTN NAME BENCH COMMAND 'true'", sock,
                   work)
    text = open(dest).read().replace("ACTION BENCH", "ACTION NULL")
    if extra:
        lines = []
        for i in range(SCHEDULES):
            m = i % 1440
            lines.append("DEFSCHD NAME S%d WHEN %02d:%02d ACTION NULL"
                         % (i, m // 60, m % 60))
        lines.append("DEFRULE NAME OPENW MATCH 'OPEN *' KEY '&2' +\n"
                     "  EXPECT 'CLOSE *' WITHIN 24h MISSACTN ZZEND"
                     " ACTION NULL")
        lines.append("DEFRULE NAME OPENED MATCH 'VIGIL-BENCH-OPENED*'"
                     " ACTION OPENED")
        lines.append("DEFACTN NAME OPENED COMMAND 'touch %s/opened'"
                     " ENV SHELL" % work)
        text += "\n".join(lines) + "\n"
    open(dest, "w").write(text)


def run(args, feed, extra):
    work = tempfile.mkdtemp(prefix="vigil-timers.")
    try:
        sock = os.path.join(work, "s.sock")
        rules = os.path.join(work, "r.rules")
        write_rules(os.path.join(args.out, "rules-%d.rules" % args.rules),
                    rules, sock, work, extra)
        with open(os.path.join(work, "log"), "w") as log:
            p = e2e.start(args.vigild, rules, os.path.join(work, "st"), log)
            s = e2e.connect(sock, timeout=120)
            if extra:
                s.sendall(b"".join(b"OPEN k%d\n" % i
                                   for i in range(WINDOWS)))
                s.sendall(b"VIGIL-BENCH-OPENED\n")
                if not e2e.wait_file(os.path.join(work, "opened"), 300):
                    sys.exit("timers: the windows were never opened")
            lines = feed.count(b"\n")
            t0 = time.time()
            s.sendall(feed)
            s.sendall(b"VIGIL-BENCH-END\n")
            ok = e2e.wait_file(os.path.join(work, "end"), 600)
            took = time.time() - t0
            s.close()
            e2e.stop(p)
        if not ok:
            sys.exit("timers: the end marker never fired (see %s)" % work)
        return lines / took
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigild", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rules", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--markdown")
    args = ap.parse_args()
    feed = open(os.path.join(args.out, "feed-%d.log" % args.rules),
                "rb").read()
    a = max(run(args, feed, False) for _ in range(args.reps))
    b = max(run(args, feed, True) for _ in range(args.reps))
    print("A %.0f lines/s, B %.0f lines/s, B/A %.3f" % (a, b, b / a))
    if args.markdown:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout
        open(args.markdown, "w").write(
            """# Timers and windows per message (issue 5)

- Date: %s
- Command: `python3 bench/timers.py --vigild %s --out %s --rules %d --reps %d`
- Machine: %s
- Vigil: commit %s; best of %d runs each

The same feed (%d lines, %s rules, NULL actions) through a UNIX socket
into two daemons: A with the rules alone, B with the rules plus %s
schedules spread over the day and %s open EXPECT windows (one per key,
opened before the feed is timed).

| A: rules alone | B: + %s schedules, %s open windows | B / A |
|---:|---:|---:|
| %.0f lines/s | %.0f lines/s | %.3f |

Target (issue 5): no measurable cost per message.  B pays one EXPECT
pattern test per message (the one rule with open windows), never a scan
of the windows or the schedules.
""" % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), args.vigild,
                args.out, args.rules, args.reps, e2e.machine(),
                commit.strip(), args.reps, feed.count(b"\n"),
                "{:,}".format(args.rules), "{:,}".format(SCHEDULES),
                "{:,}".format(WINDOWS), "{:,}".format(SCHEDULES),
                "{:,}".format(WINDOWS), a, b, b / a))


if __name__ == "__main__":
    main()
