#!/usr/bin/env bash
# The test command. Every build treats warnings as errors (-DWERROR=ON; a
# user's plain build does not). Builds:
#   build/          gcc RelWithDebInfo: the whole ctest suite
#   build-asan/     AddressSanitizer + UndefinedBehaviorSanitizer: the whole suite
#   build-release/  gcc Release (the optimizer warns about more): unit tests
#   build-clang/    clang: unit tests
#   build-m4/       the device libraries alone, freestanding for a Cortex-M4F
#   build/firmware/ the Cortex-M4 firmware, its tests on the QEMU board (ctest -L firmware)
#   build-mbedtls/  the mbedTLS crypto port: the whole ctest suite (tests that
#                   used Ed25519 as any key sign with ECDSA P-256 there:
#                   tests/lib/crypto_port.sh)
#   build-mbedtls-asan/  the same port, ASan + UBSan: the tests labelled crypto
#                   (boot, image vectors, server uploads), same decisions
# Tests needing ../shared report "skipped" when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

echo "== plain build =="
bash scripts/build.sh build -DWERROR=ON
ctest --test-dir build --output-on-failure -j"$jobs" -LE firmware

echo "== sanitizer build (ASan + UBSan) =="
bash scripts/build.sh build-asan -DSANITIZE=ON -DWERROR=ON
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE firmware

echo "== device libraries, freestanding for a Cortex-M4F =="
bash scripts/build_device.sh build-m4

echo "== firmware on the QEMU board (Cortex-M4, mps2-an386) =="
bash scripts/build_firmware.sh
ctest --test-dir build --output-on-failure -L firmware

echo "== the mbedTLS crypto port on the host: the whole suite =="
bash scripts/setup.sh
# plain (not ASan) to keep the time: the suite's e2e tests dominate it
bash scripts/build.sh build-mbedtls -DCRYPTO=mbedtls -DSANITIZE=OFF -DWERROR=ON
ctest --test-dir build-mbedtls --output-on-failure -j"$jobs" -LE firmware

echo "== the mbedTLS crypto port under ASan + UBSan (tests labelled crypto) =="
cmake -S . -B build-mbedtls-asan -DCRYPTO=mbedtls -DSANITIZE=ON -DWERROR=ON >/dev/null
# only what those tests need (each test is its own executable)
crypto_tests=$(ctest --test-dir build-mbedtls-asan -N -L crypto |
               sed -n 's/^ *Test *#[0-9]*: \([a-z0-9_]*\)$/\1/p')
# shellcheck disable=SC2086
cmake --build build-mbedtls-asan -j"$jobs" --target $crypto_tests
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-mbedtls-asan --output-on-failure -j"$jobs" -L crypto

echo "== gcc Release build =="
bash scripts/build.sh build-release -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release -DWERROR=ON
ctest --test-dir build-release --output-on-failure -j"$jobs" -L unit

echo "== clang build =="
bash scripts/build.sh build-clang -DCMAKE_C_COMPILER=clang -DWERROR=ON
ctest --test-dir build-clang --output-on-failure -j"$jobs" -L unit

