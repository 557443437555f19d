#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""
gen-feed.py - a console feed of --lines lines (default 1,000,000) shaped
like the real files in ../shared/data: z/VM CP console lines (hh:mm:ss
HCPxxx####I text, with a leading blank or a virtual-CPU prefix nn:, MSG
FROM lines, LOGON/LOGOFF lines), CMS replies (DMSxxx###E, Ready;), z/OS
SYSLOG hardcopy, JES2 job logs ($HASP395, IEF403I), the operator console
(IEE457I), Hercules (HHC), syslog (sshd[123]: Failed password for ...) and
Linux kernel lines.  Nothing is copied from those files: words and numbers
come from benchmodel's pools through a seeded random.Random, so the same
arguments give the same bytes.

For each rule-set size N of --rules (default 10,100,1000,10000) it writes
feed-N.log: about --hit (2%) of the lines fire a rule of set N (a rule
drawn at random, a line made to match it), about --near (5%) carry the
message id (or syslog text) of a rule of set N with other values (near
misses: the index proposes the rule, its pattern says no), and the rest
(background) is the same in every feed: frequent real message ids, a
few thousand others on which no rule is keyed, and lines without an id.
Lines that fire a rule are checked to do so (with Python's re on the
rule's ERE) before they are written.

usage: gen-feed.py [--seed S] [--lines N] [--rules 10,100,...] [--out DIR]
"""
import argparse
import bisect
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchmodel as bm  # noqa: E402


def background(rb, ids, cum, n_common):
    """One background line."""
    x = rb.random()
    if x < 0.22:
        tmpl, _ = bm.SYSLOG[rb.randrange(len(bm.SYSLOG))]
        return bm.syslog_prefix(rb) + bm.fill(rb, bm.parse_template(tmpl))
    if x < 0.34:
        return bm.background_other(rb)
    if rb.random() < 0.45:      # a frequent real id
        fam, ident, tmpl = ids[rb.randrange(n_common)]
    else:                       # the others, Zipf-like
        k = bisect.bisect_left(cum, rb.random() * cum[-1])
        fam, ident, tmpl = ids[n_common + k]
    bare = fam == "cms" or (fam == "zvm" and rb.random() < 0.2)
    return bm.line_prefix(rb, fam, bare) + ident + " " + \
        bm.fill(rb, bm.parse_template(tmpl))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lines", type=int, default=1000000)
    ap.add_argument("--rules", default="10,100,1000,10000",
                    help="rule-set sizes: one feed per size")
    ap.add_argument("--hit", type=float, default=0.02)
    ap.add_argument("--near", type=float, default=0.05)
    ap.add_argument("--out", default=".")
    a = ap.parse_args()
    sizes = [int(x) for x in a.rules.split(",") if x]
    os.makedirs(a.out, exist_ok=True)

    rules = bm.make_rules(max(sizes), a.seed)
    ids = bm.background_ids(a.seed, 3000,
                            exclude=[r.ident for r in rules if r.ident])
    n_common = len(bm.COMMON)
    cum, t = [], 0.0
    for k in range(len(ids) - n_common):
        t += 1.0 / (k + 1)
        cum.append(t)

    # Where the hits and near misses go, and the background: the same
    # for every size.
    rpos = random.Random("positions-%d" % a.seed)
    rb = random.Random("background-%d" % a.seed)
    kinds = bytearray(a.lines)
    lines = [None] * a.lines
    for i in range(a.lines):
        x = rpos.random()
        if x < a.hit:
            kinds[i] = 1
        elif x < a.hit + a.near:
            kinds[i] = 2
        else:
            lines[i] = background(rb, ids, cum, n_common)

    for n in sizes:
        rs = rules[:n]
        rr = random.Random("feed-%d-%d" % (a.seed, n))
        path = os.path.join(a.out, "feed-%d.log" % n)
        hits = nears = 0
        with open(path, "w") as f:
            for i in range(a.lines):
                k = kinds[i]
                if k == 0:
                    f.write(lines[i])
                elif k == 1:
                    rule = rs[rr.randrange(n)]
                    line = rule.sample(rr)
                    if not rule.matches(line):
                        raise SystemExit("gen-feed: %s: sample %r does not"
                                         " match %r" % (rule.name, line,
                                                        rule.ere()))
                    f.write(line)
                    hits += 1
                else:
                    rule = rs[rr.randrange(n)]
                    for _ in range(5):
                        line = rule.near(rr)
                        if not rule.matches(line):
                            break
                    f.write(line)
                    nears += 1
                f.write("\n")
        print("gen-feed: %s: %d lines, %d made to fire a rule, %d near"
              " misses" % (path, a.lines, hits, nears), file=sys.stderr)


if __name__ == "__main__":
    main()
