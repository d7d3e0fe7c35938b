#!/usr/bin/env bash
# Delta upload benchmark (issue 13); prints figures, never fails on timing.
#
# Pair 2 of the issue: a 300 KiB signed image and the same with three 1 KiB
# changes. Two fresh simulated boards run the first image; over the pty at
# 115200 baud with nRF52840 flash timing, one gets the second image in
# full, the other a delta (--delta-from). Both must end with slot 1
# byte-identical to the image. Then the patch size beside bsdiff's (its
# patch is bzip2-compressed inside) and bsdiff + xz -9e, as the anchor, and
# the same for the demo firmware v1.0.0 -> v1.1.0 (scripts/make_firmware.sh).
#
# usage: bench/delta/run.sh [build-dir]   (default: build)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
BIN="$BUILD/bin"
BAUD=115200
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mcumgr-bench.XXXXXX")"
PID=""

[ -x "$BIN/mcumgr" ] && [ -x "$BIN/mcusim" ] && [ -x "$BIN/imgtool" ] ||
    { echo "build mcumgr, mcusim and imgtool first (bash scripts/build.sh)"; exit 1; }
command -v bsdiff >/dev/null && command -v xz >/dev/null ||
    { echo "needs bsdiff and xz (bash scripts/setup.sh installs them)"; exit 1; }

stop() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; PID=""; }
trap 'stop; rm -rf "$WORK"' EXIT
export MCUTOOLS_AUDIT_DB="$WORK/audit.db" # benchmark uploads are not field updates

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }

"$BIN/imgtool" keygen -k "$WORK/key.pem" -t ed25519
sign() { "$BIN/imgtool" sign -k "$WORK/key.pem" -H 0x200 --pad-header -S 0x76000 -v "$1" "$2" "$3" >/dev/null; }
python3 "$ROOT/tests/lib/delta_pair.py" "$WORK/a.raw" "$WORK/b.raw"
sign 3.0.0 "$WORK/a.raw" "$WORK/old.bin"
sign 3.0.1 "$WORK/b.raw" "$WORK/new.bin"
bash "$ROOT/scripts/make_firmware.sh" 1.0.0 "$WORK/d1.raw"
bash "$ROOT/scripts/make_firmware.sh" 1.1.0 "$WORK/d2.raw"
sign 1.0.0 "$WORK/d1.raw" "$WORK/demo1.bin"
sign 1.1.0 "$WORK/d2.raw" "$WORK/demo2.bin"
LEN=$(stat -c %s "$WORK/new.bin")

# board NAME: a fresh board running the old image, paced and timed
board() {
    local dir="$WORK/$1"
    mkdir -p "$dir"
    "$BIN/mcusim" --state "$dir" --provision "$WORK/old.bin" >/dev/null
    "$BIN/mcusim" --state "$dir" --udp 0 --quiet --key "$WORK/key.pem" --baud "$BAUD" \
        --flash-timing nrf52840 >"$dir.out" 2>&1 &
    PID=$!
    for _ in $(seq 1 200); do grep -q '^uart: ' "$dir.out" && break; sleep 0.05; done
    DIR=$dir
}

# upload NAME [mcumgr upload flags]: sets SECS; checks slot 1
upload() {
    local name=$1 t0 t1 out
    shift
    board "$name"
    t0="$(now)"
    out="$("$BIN/mcumgr" --conntype serial --connstring "dev=$DIR/tty,baud=$BAUD" -v \
           image upload "$@" "$WORK/new.bin" 2>&1)"
    t1="$(now)"
    stop
    grep -q '^Done$' <<<"$out" || { echo "upload failed: $out" >&2; exit 1; }
    cmp -s <(dd if="$DIR/flash.bin" iflag=skip_bytes,count_bytes skip=$((0x82000)) count="$LEN" \
             status=none) "$WORK/new.bin" || { echo "$name: slot 1 differs from the image" >&2; exit 1; }
    SECS="$(calc "$t1 - $t0")"
    WHY="$(grep -o 'sent a delta[^)]*)' <<<"$out" || true)"
}

# sizes OLD NEW: sets OURS, BSDIFF, BSDIFF_XZ (bytes) and MAKE_MS
sizes() {
    local t0 t1
    t0="$(now)"
    "$BIN/imgtool" delta "$1" "$2" -o "$WORK/p.delta"
    t1="$(now)"
    MAKE_MS="$(calc "int(1000 * ($t1 - $t0))")"
    bsdiff "$1" "$2" "$WORK/p.bsdiff"
    OURS=$(stat -c %s "$WORK/p.delta")
    BSDIFF=$(stat -c %s "$WORK/p.bsdiff")
    BSDIFF_XZ=$(xz -9e -c "$WORK/p.bsdiff" | wc -c)
}

echo "pair 2: $(basename "$WORK/old.bin") -> new.bin, $LEN bytes, three 1 KiB changes;" \
     "serial at $BAUD baud 8N1, nRF52840 flash timing"
upload full
FULL=$SECS
upload delta --delta-from "$WORK/old.bin"
DELTA=$SECS
printf 'full upload  %6.2f s\n' "$FULL"
printf 'delta upload %6.2f s  (%s)\n' "$DELTA" "$WHY"
printf 'delta upload takes %.1fx less time than the full upload (goal: 10x)\n' "$(calc "$FULL / $DELTA")"
echo
sizes "$WORK/old.bin" "$WORK/new.bin"
printf 'patch size, pair 2: ours %d B (made in %d ms), bsdiff %d B, bsdiff + xz -9e %d B; image %d B\n' \
    "$OURS" "$MAKE_MS" "$BSDIFF" "$BSDIFF_XZ" "$LEN"
sizes "$WORK/demo1.bin" "$WORK/demo2.bin"
printf 'patch size, demo v1.0.0 -> v1.1.0: ours %d B, bsdiff %d B, bsdiff + xz -9e %d B; image %d B\n' \
    "$OURS" "$BSDIFF" "$BSDIFF_XZ" "$(stat -c %s "$WORK/demo2.bin")"
