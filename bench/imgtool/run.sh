#!/usr/bin/env bash
# imgtool benchmark (not a test): wall time of `imgtool sign` and
# `imgtool verify` on a 467 KiB image (nearly a full nRF52840 slot), per key
# type, averaged over several runs of the real binary (process start
# included, as a release engineer sees it). Ratios are against the unsigned
# image, measured in the same run.
# Usage: bash bench/imgtool/run.sh [runs]   (SHARED_DIR defaults to ../shared)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build=${BENCH_BUILD_DIR:-$root/build-bench-imgtool}
runs=${1:-10}

bash scripts/setup.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target imgtool >/dev/null
imgtool=$build/bin/imgtool

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
payload=${SHARED_DIR:-$root/../shared}/vectors/imgtool/payloads/p467k.bin
if [ ! -f "$payload" ]; then
  payload=$tmp/p467k.bin
  head -c $((0x74C00)) /dev/urandom >"$payload"
fi

for t in rsa-2048 rsa-3072 ecdsa-p256 ecdsa-p384 ed25519 x25519; do
  "$imgtool" keygen -k "$tmp/$t.pem" -t "$t"
  "$imgtool" getpub -k "$tmp/$t.pem" -e pem >"$tmp/$t.pub.pem"
done

now_ns() { date +%s%N; }

# time_ms CMD...: mean milliseconds of one run
time_ms() {
  local start end
  start=$(now_ns)
  for _ in $(seq "$runs"); do "$@" >/dev/null; done
  end=$(now_ns)
  echo $(( (end - start) / runs / 1000 ))
}

base=(sign -H 0x200 --pad-header -S 0x76000 -v 1.2.3)
# name | sign options | verify key
cases=(
  "unsigned||"
  "rsa-2048|-k $tmp/rsa-2048.pem|$tmp/rsa-2048.pub.pem"
  "rsa-3072|-k $tmp/rsa-3072.pem|$tmp/rsa-3072.pub.pem"
  "ecdsa-p256|-k $tmp/ecdsa-p256.pem|$tmp/ecdsa-p256.pub.pem"
  "ecdsa-p384|-k $tmp/ecdsa-p384.pem|$tmp/ecdsa-p384.pub.pem"
  "ed25519|-k $tmp/ed25519.pem|$tmp/ed25519.pub.pem"
  "ed25519 --pure|-k $tmp/ed25519.pem --pure|$tmp/ed25519.pub.pem"
  "ed25519 + x25519 enc|-k $tmp/ed25519.pem -E $tmp/x25519.pub.pem|"
  "ed25519 --pad --confirm|-k $tmp/ed25519.pem --confirm|$tmp/ed25519.pub.pem"
)

echo "imgtool on a $(stat -c %s "$payload")-byte payload, mean of $runs runs (ms, process start included)"
printf "%-26s %10s %10s %12s %12s\n" "key / mode" "sign ms" "verify ms" "sign ratio" "verify ratio"
sign0=0
verify0=0
for c in "${cases[@]}"; do
  IFS='|' read -r name opts vkey <<<"$c"
  out=$tmp/out.bin
  # shellcheck disable=SC2086
  s=$(time_ms "$imgtool" "${base[@]}" $opts "$payload" "$out")
  if [ -n "$vkey" ]; then
    v=$(time_ms "$imgtool" verify -k "$vkey" "$out")
  else
    v=$(time_ms "$imgtool" verify "$out" || true)
  fi
  if [ "$sign0" -eq 0 ]; then sign0=$s; verify0=$v; fi
  printf "%-26s %10s %10s %12s %12s\n" "$name" "$((s / 1000)).$(printf %03d $((s % 1000)))" \
    "$((v / 1000)).$(printf %03d $((v % 1000)))" \
    "$(awk -v a="$s" -v b="$sign0" 'BEGIN{printf "%.2fx", a/b}')" \
    "$(awk -v a="$v" -v b="$verify0" 'BEGIN{printf "%.2fx", a/b}')"
done
echo "(encrypted images: verify checks the hash over the ciphertext and reports it"
echo " invalid, exactly as imgtool does; the row shows its cost all the same)"
