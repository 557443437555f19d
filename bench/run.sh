#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/run.sh: the matching benchmark, in one command.  It installs what
# it needs (sec, GNU time; apt-get, as root or with sudo), builds Vigil
# with -O2 (unless VIGIL names a binary), generates the rule sets and the
# feeds into bench/out/ (BENCH_OUT), measures Vigil, grep -F, grep -E and
# SEC on the same inputs in this run, fails (exit 1, both counts shown)
# if any two of them count a different number of matched lines, and
# writes the figures to bench/RESULTS.md.  See bench/README.md.
#
# Environment (all optional):
#   VIGIL=path            use this vigil binary instead of building one
#   BENCH_OUT=dir         work directory (default bench/out, gitignored)
#   SHARED_DATA=dir       the real data (default ../shared/data beside the
#                         repository); without it the loghub feed is skipped
#   BENCH_LINES=n         lines of the generated feeds (default 1000000)
#   BENCH_SIZES="10 100"  rule-set sizes (default "10 100 1000 10000")
#   BENCH_REPS=n          repetitions, best taken (default 3)
#   BENCH_SEED=n          seed of the generators (default 1)
#   BENCH_GREP_BUDGET=s   seconds grep -E may take per input (default 15)
#   BENCH_SEC_BUDGET=s    seconds SEC may take per input (default 20)
#   BENCH_SEC_LINES=n     at most this many lines for SEC (default 100000)
#   BENCH_LOGHUB_COPIES=n the loghub logs repeated n times (default 16)
#   BENCH_PROFILE=0       skip the perf profile
#   BENCH_RESULTS=file    where the markdown goes (default bench/RESULTS.md)
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out=${BENCH_OUT:-$here/out}
data=${SHARED_DATA:-$top/../shared/data}
lines=${BENCH_LINES:-1000000}
sizes=${BENCH_SIZES:-10 100 1000 10000}
reps=${BENCH_REPS:-3}
seed=${BENCH_SEED:-1}
copies=${BENCH_LOGHUB_COPIES:-16}
results=${BENCH_RESULTS:-$here/RESULTS.md}
command="bench/run.sh"
for v in VIGIL BENCH_OUT SHARED_DATA BENCH_LINES BENCH_SIZES BENCH_REPS \
	BENCH_SEED BENCH_GREP_BUDGET BENCH_SEC_BUDGET BENCH_SEC_LINES \
	BENCH_LOGHUB_COPIES BENCH_PROFILE BENCH_RESULTS; do
	if [ -n "${!v+x}" ]; then
		command="$v=$(printf '%q' "${!v}") $command"
	fi
done
t_start=$SECONDS
say() { printf 'bench: %s\n' "$*" >&2; }

# --- what it needs ------------------------------------------------------
need=()
command -v sec >/dev/null 2>&1 || need+=(sec)
[ -x /usr/bin/time ] || need+=(time)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" -eq 0 ]; then
		asroot=()
	elif command -v sudo >/dev/null 2>&1; then
		asroot=(sudo)
	else
		say "missing ${need[*]}, and neither root nor sudo to install them"
		exit 1
	fi
	say "installing ${need[*]}"
	if ! "${asroot[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q "${need[@]}" >&2; then
		"${asroot[@]}" apt-get update -q >&2
		"${asroot[@]}" env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q "${need[@]}" >&2
	fi
fi

# --- Vigil --------------------------------------------------------------
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -n "${VIGIL:-}" ]; then
	vigil=$(cd "$(dirname "$VIGIL")" && pwd)/$(basename "$VIGIL")
	[ -x "$vigil" ] || { say "VIGIL=$VIGIL is not executable"; exit 1; }
else
	say "building vigil with -O2 in $out/build"
	BUILD_DIR="$out/build" CFLAGS="-O2 -g" "$top/scripts/build" >&2
	vigil=$out/build/vigil
fi
vversion="$("$vigil" --version 2>/dev/null | head -n 1 || true)"
if commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null); then
	dirty=$(git -C "$top" status --porcelain --untracked-files=no -- \
		':!bench' 2>/dev/null | head -n 1)
	vversion="${vversion:-vigil} (commit $commit${dirty:+, with local changes})"
fi

# --- inputs -------------------------------------------------------------
csizes=$(echo $sizes | tr ' ' ',')
stamp="seed=$seed lines=$lines sizes=$csizes copies=$copies $(cat \
	"$here/benchmodel.py" "$here/gen-rules.py" "$here/gen-feed.py" |
	cksum)"
have_loghub=
if [ -d "$data/loghub" ]; then
	have_loghub=1
	stamp="$stamp loghub=$(cd "$data/loghub" && cat */*_2k.log | cksum)"
else
	say "no real data at $data/loghub (SHARED_DATA): the loghub feed is" \
		"skipped"
fi
if [ "$(cat "$out/inputs.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -f "$out/inputs.stamp"
	say "generating rule sets ($sizes) and feeds of $lines lines"
	python3 "$here/gen-rules.py" --seed "$seed" --sizes "$csizes" \
		--out "$out" --sec-out "$out/sec-hits.txt" \
		${have_loghub:+--loghub "$data/loghub"}
	python3 "$here/gen-feed.py" --seed "$seed" --lines "$lines" \
		--rules "$csizes" --out "$out"
	if [ -n "$have_loghub" ]; then
		# The 16 logs one after the other, CRLF made LF, each ending
		# in a newline; then repeated to last long enough to time.
		for f in "$data"/loghub/*/*_2k.log; do
			sed 's/\r$//' "$f"
			[ -z "$(tail -c 1 "$f")" ] || echo
		done >"$out/loghub-1.log"
		for _ in $(seq "$copies"); do cat "$out/loghub-1.log"; done \
			>"$out/loghub.log"
	fi
	echo "$stamp" >"$out/inputs.stamp"
else
	say "inputs in $out are up to date"
fi

# --- measure ------------------------------------------------------------
profile=()
if [ "${BENCH_PROFILE:-1}" != 0 ] && command -v perf >/dev/null 2>&1; then
	profile=(--profile)
fi
status=0
python3 "$here/measure.py" --vigil "$vigil" --out "$out" \
	--sizes "$csizes" --reps "$reps" \
	--grep-budget "${BENCH_GREP_BUDGET:-15}" \
	--sec-budget "${BENCH_SEC_BUDGET:-20}" \
	--sec-lines "${BENCH_SEC_LINES:-100000}" \
	${have_loghub:+--loghub loghub.log --loghub-copies "$copies"} \
	--results "$results" --command "$command" \
	--vigil-version "$vversion" "${profile[@]}" || status=$?
say "done in $((SECONDS - t_start)) s"
exit $status
