#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/integration/loghub-oracle.sh - run by make check: the loghub
# structured CSVs as an oracle for the matching engine (see
# loghub-oracle.py).  Skips (77) without python3 or without the data.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${SHARED_DATA:=$top_srcdir/../shared/data}"
export top_srcdir SHARED_DATA

if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 is not installed"
	exit 77
fi
if [ ! -d "$SHARED_DATA/loghub" ]; then
	echo "SKIP: no loghub data in $SHARED_DATA/loghub (set SHARED_DATA)"
	exit 77
fi
exec python3 "$top_srcdir/tests/integration/loghub-oracle.py" "$@"
