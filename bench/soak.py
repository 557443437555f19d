#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""
soak.py - a long run of the daemon (not part of CI): --messages lines
(default 10,000,000: bench/out/feed-N.log sent again and again) through
a UNIX stream socket into vigild with the N generated rules (default
1,000), whose hits (about 2% of the lines) run a real action (`true`).
It reports the daemon's resident memory after the first tenth and at the
end (no growth expected), the lines the daemon counted against the lines
sent (none lost), the actions run, failed and refused, and the time.

Usage: soak.py --vigild B --out bench/out [--rules N] [--messages M]
"""
import argparse
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import importlib  # noqa: E402
e2e = importlib.import_module("e2e")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigild", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rules", type=int, default=1000)
    ap.add_argument("--messages", type=int, default=10_000_000)
    args = ap.parse_args()
    feed = open(os.path.join(args.out, "feed-%d.log" % args.rules),
                "rb").read()
    per = feed.count(b"\n")
    work = tempfile.mkdtemp(prefix="vigil-soak.")
    sock = os.path.join(work, "s.sock")
    rules = os.path.join(work, "s.rules")
    state = os.path.join(work, "state")
    e2e.rules_with(os.path.join(args.out, "rules-%d.rules" % args.rules),
                   rules, "DEFACTN NAME BENCH COMMAND 'true' MAXCONC 8",
                   sock, work)
    logpath = os.path.join(work, "soak.log")
    try:
        with open(logpath, "w") as log:
            p = e2e.start(args.vigild, rules, state, log)
            s = e2e.connect(sock)
            t0 = time.time()
            sent = 0
            rss_first = None
            while sent < args.messages:
                chunk = feed
                if sent + per > args.messages:
                    cut = args.messages - sent
                    chunk = b"".join(feed.splitlines(True)[:cut])
                s.sendall(chunk)
                sent += chunk.count(b"\n")
                if rss_first is None and sent >= args.messages // 10:
                    rss_first = e2e.rss_kib(p.pid)
                    print("after %d lines: RSS %d KiB" % (sent, rss_first),
                          flush=True)
            s.sendall(b"VIGIL-BENCH-END\n")
            e2e.wait_file(os.path.join(work, "end"), 3600)
            took = time.time() - t0
            rss_end = e2e.rss_kib(p.pid)
            s.close()
            e2e.stop(p)
        text = open(logpath).read()
        m = re.search(r"source FEED: (\d+) messages", text)
        counted = int(m.group(1)) if m else -1
        db = sqlite3.connect(os.path.join(state, "vigil.db"))
        res = dict(db.execute("SELECT result, count(*) FROM history"
                              " WHERE action = 'BENCH' GROUP BY result"))
        print("lines sent %d (+1 end marker), counted by the daemon %d,"
              " lost %d" % (sent, counted, sent + 1 - counted))
        print("RSS after a tenth %d KiB, at the end %d KiB (%+.1f%%)"
              % (rss_first, rss_end, 100.0 * (rss_end - rss_first)
                 / rss_first))
        print("actions: %s" % res)
        print("%.1f s, %.0f lines/s" % (took, sent / took))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
