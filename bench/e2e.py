#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""
e2e.py - the daemon end to end (issue 4's speed figures), on the inputs
bench/run.sh generated (rules-N.rules and feed-N.log in bench/out):

1. Throughput: vigild with the N rules (their action made NULL, so no
   process runs) reads the feed from a UNIX stream socket source, writes
   its console log, matches every line; the clock runs from the first
   byte sent to the moment a final marker line's action has run.  In the
   same run, the same feed through `vigil replay` (matching only, no
   daemon, no socket, no console log) and `grep -c -F` of the feed's
   literal, so the figures are ratios on this machine.
2. Latency: the feed sent at a fixed rate (default 10,000 lines/s) for a
   few seconds; about 2% of the lines fire a rule whose action runs
   `true`.  The state database records, for every action, when the
   message was read and when the action's process started; p50, p99 and
   max of the difference are reported.

Usage: e2e.py --vigild B --vigil B --out DIR [--rules N] [--rate R]
       [--seconds S] [--json FILE]
"""
import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time


def wait_file(path, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path):
            return True
        time.sleep(0.0005)
    return False


def rules_with(src, dest, action_line, sock, marker_dir):
    with open(src) as f, open(dest, "w") as o:
        for line in f:
            if line.startswith("DEFACTN NAME BENCH"):
                o.write(action_line + "\n")
            else:
                o.write(line)
        o.write("DEFSRC NAME FEED TYPE UNIX PATH '%s' FORMAT AUTO\n" % sock)
        o.write("DEFRULE NAME ZZEND MATCH 'VIGIL-BENCH-END*' ACTION ZZEND\n")
        o.write("DEFACTN NAME ZZEND COMMAND 'touch %s/end' ENV SHELL\n"
                % marker_dir)


def start(vigild, rules, state, log):
    p = subprocess.Popen([vigild, "-c", rules, "-D", state],
                         stdout=subprocess.DEVNULL, stderr=log)
    return p


def connect(path, timeout=30):
    end = time.time() + timeout
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            if time.time() > end:
                raise
            time.sleep(0.05)


def stop(p):
    p.terminate()
    p.wait(timeout=60)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def throughput(args, feed, rules_src, work):
    sock = os.path.join(work, "t.sock")
    rules = os.path.join(work, "t.rules")
    state = os.path.join(work, "t-state")
    rules_with(rules_src, rules, "DEFACTN NAME BENCH COMMAND 'true'", sock,
               work)
    # No process per hit: every BENCH rule's action becomes NULL.
    text = open(rules).read().replace("ACTION BENCH", "ACTION NULL")
    open(rules, "w").write(text)
    data = open(feed, "rb").read()
    lines = data.count(b"\n")
    with open(os.path.join(work, "t.log"), "w") as log:
        p = start(args.vigild, rules, state, log)
        s = connect(sock)
        t0 = time.time()
        s.sendall(data)
        s.sendall(b"VIGIL-BENCH-END\n")
        ok = wait_file(os.path.join(work, "end"), 600)
        t1 = time.time()
        rss = rss_kib(p.pid)
        s.close()
        stop(p)
    if not ok:
        sys.exit("e2e: the end marker never fired; see %s/t.log" % work)
    e2e = lines / (t1 - t0)
    t0 = time.time()
    subprocess.run([args.vigil, "replay", "-c", rules_src, feed],
                   stdout=subprocess.PIPE, check=True)
    replay = lines / (time.time() - t0)
    lit = open(os.path.join(args.out, "rules-%d.literal" % args.rules),
               "rb").read().strip()
    # Not to /dev/null: GNU grep stops at the first match when it sees
    # its output is /dev/null.
    t0 = time.time()
    subprocess.run(["grep", "-c", "-F", "-e", lit, feed],
                   stdout=subprocess.PIPE, check=True)
    grep = lines / (time.time() - t0)
    return {"lines": lines, "e2e_lines_per_s": e2e,
            "replay_lines_per_s": replay, "grep_F_lines_per_s": grep,
            "e2e_vs_replay": e2e / replay, "e2e_vs_grep_F": e2e / grep,
            "rss_kib": rss}


def latency(args, feed, rules_src, work):
    sock = os.path.join(work, "l.sock")
    rules = os.path.join(work, "l.rules")
    state = os.path.join(work, "l-state")
    rules_with(rules_src, rules, "DEFACTN NAME BENCH COMMAND 'true'", sock,
               work)
    want = int(args.rate * args.seconds)
    with open(feed, "rb") as f:
        lines = [next(f) for _ in range(want)]
    with open(os.path.join(work, "l.log"), "w") as log:
        p = start(args.vigild, rules, state, log)
        s = connect(sock)
        batch = max(1, args.rate // 1000)     # a write every millisecond
        t0 = time.time()
        for i in range(0, want, batch):
            due = t0 + i / args.rate
            d = due - time.time()
            if d > 0:
                time.sleep(d)
            s.sendall(b"".join(lines[i:i + batch]))
        sent = time.time() - t0
        s.sendall(b"VIGIL-BENCH-END\n")
        wait_file(os.path.join(work, "end"), 120)
        s.close()
        stop(p)
    db = sqlite3.connect(os.path.join(state, "vigil.db"))
    rows = db.execute("SELECT (start - received) * 1000.0 FROM history"
                      " WHERE action = 'BENCH' AND start > 0"
                      " ORDER BY 1").fetchall()
    ms = [r[0] for r in rows]
    if not ms:
        sys.exit("e2e: no action ran in the latency run")

    def pct(q):
        return ms[min(len(ms) - 1, int(q * len(ms)))]
    return {"rate": want / sent, "lines": want, "actions": len(ms),
            "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": ms[-1]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigild", required=True)
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--out", required=True, help="bench/out")
    ap.add_argument("--rules", type=int, default=1000)
    ap.add_argument("--rate", type=int, default=10000)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--json")
    args = ap.parse_args()
    feed = os.path.join(args.out, "feed-%d.log" % args.rules)
    rules_src = os.path.join(args.out, "rules-%d.rules" % args.rules)
    work = tempfile.mkdtemp(prefix="vigil-e2e.")
    try:
        res = {"rules": args.rules}
        res["throughput"] = throughput(args, feed, rules_src, work)
        os.unlink(os.path.join(work, "end"))
        res["latency"] = latency(args, feed, rules_src, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = json.dumps(res, indent=2)
    print(out)
    if args.json:
        open(args.json, "w").write(out + "\n")


if __name__ == "__main__":
    main()
