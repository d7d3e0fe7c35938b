#!/usr/bin/env bash
# The test command: builds the project twice (plain, then with
# AddressSanitizer + UndefinedBehaviorSanitizer) and runs the whole ctest
# suite in both. Tests needing ../shared report "skipped" when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

echo "== plain build =="
bash scripts/build.sh build
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== sanitizer build (ASan + UBSan) =="
bash scripts/build.sh build-asan -DSANITIZE=ON
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
