#!/usr/bin/env bash
# Upload benchmark (issue 7); prints figures, never fails on timing.
#
# Uploads a 300 KiB signed image to a fresh simulated board over its pty at
# 115200 baud with nRF52840 flash timing, once with the automatic window and
# chunk size on Zephyr's default 384-byte buffers (380-byte requests), once
# on a board that reports 1024 bytes but takes 384 (the time its size
# discovery costs), once stop-and-wait (--window 1) and once with 1 % of the
# lines corrupted on the way, and compares each with the
# line-rate ceiling for the chunk size used: 8N1 carries 11520 bytes/s, and
# each request costs base64 (4/3), 3 framing bytes per 127-byte line, the
# 2-byte length, the SMP header, the CBOR keys and the CRC. Then the same
# upload over UDP on loopback without pacing (MiB/s).
#
# usage: bench/upload/run.sh [build-dir]   (default: build)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
BIN="$BUILD/bin"
VEC="${SHARED_DIR:-$ROOT/../shared}/vectors/imgtool"
IMG="$VEC/signed/p300k_ed25519.bin"
V1="$VEC/signed/ed25519_basic.bin"
BAUD=115200
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mcumgr-bench.XXXXXX")"
PID=""

[ -x "$BIN/mcumgr" ] && [ -x "$BIN/mcusim" ] || { echo "build mcumgr and mcusim first (bash scripts/build.sh)"; exit 1; }
[ -f "$IMG" ] || { echo "needs the reference vectors in ../shared (p300k_ed25519.bin)"; exit 1; }

stop() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; PID=""; }
trap 'stop; rm -rf "$WORK"' EXIT
export MCUTOOLS_AUDIT_DB="$WORK/audit.db" # benchmark uploads are not field updates

port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# board NAME [mcusim options]: a fresh board running v1, so every run
# uploads into an untouched slot
board() {
    local dir="$WORK/$1"
    shift
    mkdir -p "$dir"
    "$BIN/mcusim" --state "$dir" --provision "$V1" >/dev/null
    UDP_PORT="$(port)"
    "$BIN/mcusim" --state "$dir" --udp "$UDP_PORT" --quiet "$@" >"$dir.out" 2>&1 &
    PID=$!
    for _ in $(seq 1 200); do grep -q '^udp: ' "$dir.out" && break; sleep 0.05; done
    TTY="$dir/tty"
}

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }

# upload CONNTYPE CONNSTRING [mcumgr upload flags]: sets SECS and CHUNK
upload() {
    local type="$1" cs="$2" t0 t1 out
    shift 2
    t0="$(now)"
    out="$("$BIN/mcumgr" --conntype "$type" --connstring "$cs" -v image upload "$@" "$IMG" 2>&1)"
    t1="$(now)"
    grep -q '^Done$' <<<"$out" || { echo "upload failed: $out" >&2; exit 1; }
    SECS="$(calc "$t1 - $t0")"
    CHUNK="$(grep -o 'chunk size [0-9]*' <<<"$out" | grep -o '[0-9]*$')"
    REQ="$(grep -o 'request size [0-9]*' <<<"$out" | grep -o '[0-9]*$')"
    SIZING_MS="$(grep -o 'decided in [0-9]* ms' <<<"$out" | grep -o '[0-9][0-9]*')"
    STATS="$(grep -o '[0-9]* requests.*' <<<"$out")"
}

# Line-rate ceiling (KiB/s of image data) for a chunk of n data bytes at
# a mid-image offset: wire bytes per request with base64 and line framing.
ceiling() {
    python3 - "$1" "$BAUD" <<'PY'
import sys, math
n, baud = int(sys.argv[1]), int(sys.argv[2])
head = 1 if n < 24 else 2 if n < 256 else 3
msg = 8 + 1 + 4 + 5 + 5 + head + n        # header, map, "off", u32, "data", bstr head, data
text = math.ceil((msg + 4) / 3) * 4        # length prefix + CRC, base64
lines = math.ceil(text / 124)
wire = text + 3 * lines
print(f"{n * (baud / 10) / wire / 1024:.2f}")
PY
}

SIZE_KIB="$(calc "$(stat -c %s "$IMG") / 1024")"
echo "image: $(basename "$IMG"), $(printf '%.1f' "$SIZE_KIB") KiB; serial at $BAUD baud 8N1, nRF52840 flash timing"
echo

for mode in auto misreport stop-and-wait corrupt-1%; do
    case "$mode" in
    auto) board "$mode" --baud "$BAUD" --flash-timing nrf52840
          upload serial "dev=$TTY,baud=$BAUD" ;;
    misreport) board "$mode" --baud "$BAUD" --flash-timing nrf52840 --report-buf-size 1024
          upload serial "dev=$TTY,baud=$BAUD" ;;
    stop-and-wait) board "$mode" --baud "$BAUD" --flash-timing nrf52840
          upload serial "dev=$TTY,baud=$BAUD" --window 1 ;;
    corrupt-1%) board corrupt --baud "$BAUD" --flash-timing nrf52840 --uart-faults corrupt=0.01
          upload serial "dev=$TTY,baud=$BAUD" ;;
    esac
    stop
    RATE="$(calc "$SIZE_KIB / $SECS")"
    CEIL="$(ceiling "$CHUNK")"
    printf '%-14s %6.2f KiB/s in %5.1f s; request %d B, chunk %d B; sizing %4d ms; ceiling %5.2f KiB/s; ratio %3.0f %%  (%s)\n' \
        "$mode" "$RATE" "$SECS" "$REQ" "$CHUNK" "$SIZING_MS" "$CEIL" "$(calc "100 * $RATE / $CEIL")" "$STATS"
    case "$mode" in
    auto) RATE_AUTO=$RATE SECS_AUTO=$SECS SIZING_AUTO=$SIZING_MS ;;
    misreport) SECS_MIS=$SECS SIZING_MIS=$SIZING_MS ;;
    stop-and-wait) RATE_SAW=$RATE ;;
    *) RATE_BAD=$RATE ;;
    esac
done
printf 'misreporting board: size discovery %d ms (vs %d ms on an honest board); whole upload %.2fx the honest one\n' \
    "$SIZING_MIS" "$SIZING_AUTO" "$(calc "$SECS_MIS / $SECS_AUTO")"
printf 'window speed-up over stop-and-wait: %.2fx; 1%% corrupted lines cost %.1f %% of the clean rate\n' \
    "$(calc "$RATE_AUTO / $RATE_SAW")" "$(calc "100 - 100 * $RATE_BAD / $RATE_AUTO")"

board udp
upload udp "127.0.0.1:$UDP_PORT"
stop
printf '\nUDP loopback (no pacing): %.2f MiB/s in %.2f s; chunk %d B  (%s)\n' \
    "$(calc "$SIZE_KIB / 1024 / $SECS")" "$SECS" "$CHUNK" "$STATS"
