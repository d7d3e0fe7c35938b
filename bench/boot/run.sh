#!/usr/bin/env bash
# Bootloader benchmark (not a test): flash operations and bytes erased and
# written per strategy for a ~300 KiB swap, and the instructions one boot-time
# validation costs per signature type (callgrind, measured on a second call
# so OpenSSL's one-time provider loading is not counted).
# Usage: bash bench/boot/run.sh   (SHARED_DIR defaults to ../shared)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build=${BENCH_BUILD_DIR:-$root/build-bench-boot}
shared=${SHARED_DIR:-$root/../shared}

bash scripts/setup.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target boot flashmodel image >/dev/null
bin=$build/bench_boot
# (the device part of image and its OpenSSL port refer to each other: a group)
libs=("$build/src/boot/libboot.a" "$build/src/sim/libflashmodel.a"
      "$build/src/image/libimage_device.a" "$build/src/image/libimage_crypto_openssl.a"
      "$build/src/image/libimage.a")
cc -std=gnu11 -O2 -Wall -Wextra -Werror -I"$root/src" bench/boot/bench_boot.c \
   -Wl,--start-group "${libs[@]}" -Wl,--end-group -lcrypto -o "$bin"

echo "== flash traffic of one boot, 300 KiB images, nRF52840 layout (4 KiB sectors, align 4) =="
echo "   (host ms: RAM flash on this machine; nRF52 s: the same traffic at 85 ms per page"
echo "    erase and 41 us per word write, flash time only)"
"$bin" swap

vec=$shared/vectors/imgtool
if [ ! -d "$vec" ]; then
  echo "(no $vec: skipping the validation costs)"
  exit 0
fi
if ! command -v valgrind >/dev/null; then
  echo "(valgrind missing: skipping the validation costs)"
  exit 0
fi
echo
echo "== instructions of one image_validate (callgrind, 1 KiB body unless noted) =="
printf "%-34s %14s %10s\n" "image (key)" "instructions" "vs hash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for case in unsigned_sha256: unsigned_sha512: rsa2048_basic:rsa2048 rsa3072_basic:rsa3072 \
            ecp256_basic:ecp256 ecp384_basic:ecp384 ed25519_basic:ed25519 \
            p300k_ed25519:ed25519; do
  id=${case%%:*}
  key=${case#*:}
  args=("$vec/signed/$id.bin")
  [ -n "$key" ] && args+=("$vec/keys/$key.pub.der")
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
    --toggle-collect=bench_measured "$bin" validate "${args[@]}" >/dev/null 2>"$tmp/err" || {
      echo "$id: validation failed"; cat "$tmp/err"; continue; }
  total=$(awk '/^summary:/ {print $2}' "$tmp/cg.out")
  base=${base:-$total}
  ratio=$(awk -v t="$total" -v b="$base" 'BEGIN { printf "%.1fx", t / b }')
  printf "%-34s %14s %10s\n" "$id (${key:-hash only})" "$total" "$ratio"
done
