#!/bin/sh
# run-fuzzer.sh — run one libFuzzer target for a bounded time over its seed
# corpus and report TAP. New inputs go to a scratch corpus in the build
# tree, never into the committed seeds; a crash, leak, timeout or failed
# invariant fails the test and leaves the input in WORKDIR/artifacts/.
#
# Copyright 2026 The Popfetch authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: run-fuzzer.sh TARGET SEED_DIR WORKDIR SECONDS

set -u
target=$1
seeds=$2
work=$3
seconds=$4
name=$(basename "$target")

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"

echo "1..1"
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=12000 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
  "$work/corpus" "$seeds" >"$work/log" 2>&1
status=$?

sed 's/^/# /' "$work/log" | tail -n 60
if [ "$status" -eq 0 ]; then
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
  echo "ok 1 - $name ran ${seconds}s, ${runs:-?} inputs, no finding"
else
  echo "not ok 1 - $name found a problem (exit $status); inputs in $work/artifacts/"
  exit 1
fi
