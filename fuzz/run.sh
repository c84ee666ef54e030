#!/bin/sh
# Fuzz the archive code: fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
# Default 120 s (what the test suite runs). New interesting inputs go to
# $FUZZ_CORPUS (default: a temp dir; the kept seeds in fuzz/seeds are only read).
# Findings are written as crash-*/timeout-* files in $FUZZ_ARTIFACTS (default:
# the current directory). Cases are written to a work dir in $FUZZ_TMP (default
# /dev/shm), removed at the end. Needs `pip install atheris`.
# PYTHONMALLOC defaults to debug: heap overflows in C abort in the case that
# caused them (see fuzz_archives.py). The harness's own output (atheris prints
# uncaught Python exceptions on stdout) goes to stderr, beside libFuzzer's.
# $FUZZ_PYTHON picks the interpreter (default python3): only .pyc files of its
# own version are checked against its marshal, so run each version you care about.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-120}
[ $# -gt 0 ] && shift
corpus=${FUZZ_CORPUS:-$(mktemp -d)}
artifacts=${FUZZ_ARTIFACTS:-$PWD}
mkdir -p "$corpus" "$artifacts"
tmp=${FUZZ_TMP:-/dev/shm}
[ -d "$tmp" ] && [ -w "$tmp" ] || tmp=${TMPDIR:-/tmp}
work=$(mktemp -d "$tmp/remap-fuzz-XXXXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
FUZZ_WORK="$work" PYTHONMALLOC="${PYTHONMALLOC:-debug}" PYTHONPATH="$here/../backends${PYTHONPATH:+:$PYTHONPATH}" "${FUZZ_PYTHON:-python3}" "$here/fuzz_archives.py" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=65536 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "$@" "$corpus" "$here/seeds" 1>&2
