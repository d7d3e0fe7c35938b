#!/usr/bin/env bash
# Fleet benchmark (issue 14); prints figures, never fails on timing.
#
# N simulated boards (default 100) at 115200 baud with nRF52840 flash
# timing, half over their pty and half over UDP, each factory-programmed
# with v1.0.0; a 230 KiB v1.1.0 signed image. First one board alone with
# `mcumgr dfu --confirm`, then all N with `mcumgr fleet update --parallel N
# --confirm`: the fleet's wall time against the single board's (goal: at
# most 2x), and the CPU time and peak memory of the one mcumgr process
# driving them, per device.
#
# usage: bench/fleet/run.sh [build-dir] [N]
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
N="${2:-100}"
BIN="$BUILD/bin"
BAUD=115200
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mcumgr-fleet-bench.XXXXXX")"
PIDS=()

[ -x "$BIN/mcumgr" ] && [ -x "$BIN/mcusim" ] || { echo "build first (bash scripts/build.sh)"; exit 1; }
case "$N" in ''|*[!0-9]*) echo "N must be a number"; exit 2 ;; esac
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export MCUTOOLS_AUDIT_DB="$WORK/audit.db" MCUTOOLS_STATE_DIR="$WORK/state"

"$BIN/imgtool" keygen -k "$WORK/key.pem" -t ed25519 >/dev/null
for v in 1.0.0 1.1.0; do
    size=$([ "$v" = 1.0.0 ] && echo 20000 || echo 235000)
    bash "$ROOT/scripts/make_firmware.sh" "$v" "$WORK/fw-$v.bin" "$size" >/dev/null
    "$BIN/imgtool" sign -k "$WORK/key.pem" -v "$v" -H 0x200 --pad-header -S 0x76000 --align 4 \
        "$WORK/fw-$v.bin" "$WORK/app-$v.bin" >/dev/null
done
port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# board I: a fresh board; prints its inventory line
board() {
    local dir="$WORK/b$1" p
    "$BIN/mcusim" --state "$dir" --provision "$WORK/app-1.0.0.bin" >/dev/null
    : >"$dir.out"
    p=$(port)
    "$BIN/mcusim" --state "$dir" --udp "$p" --quiet --baud "$BAUD" --flash-timing nrf52840 \
        --key "$WORK/key.pem" >"$dir.out" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 200); do grep -q '^udp: ' "$dir.out" && break; sleep 0.05; done
    if [ $(($1 % 2)) = 0 ]; then
        echo "serial dev=$dir/tty,baud=$BAUD board-$1" >>"$WORK/inventory"
    else
        echo "udp 127.0.0.1:$p board-$1" >>"$WORK/inventory"
    fi
}

# timed OUT CMD...: runs CMD under /usr/bin/time; sets WALL, CPU, RSS_KB
timed() {
    local out=$1
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" >"$out" 2>&1 || true
    read -r WALL U S RSS_KB <"$WORK/time"
    CPU=$(awk -v u="$U" -v s="$S" 'BEGIN { print u + s }')
}

echo "boards: $N (half pty, half UDP) at $BAUD baud, nRF52840 flash timing; image $(stat -c %s "$WORK/app-1.1.0.bin") bytes"
board 0
one=$(sed -n '1p' "$WORK/inventory" | awk '{print $2}')
: >"$WORK/inventory"
timed "$WORK/one.out" "$BIN/mcumgr" --conntype serial --connstring "$one" dfu --confirm "$WORK/app-1.1.0.bin"
grep -q '^Updated' "$WORK/one.out" || { echo "single update failed: $(cat "$WORK/one.out")"; exit 1; }
ONE=$WALL
printf 'one board (pty):  %6.1f s wall, %5.2f s CPU, %6d KiB peak memory\n' "$WALL" "$CPU" "$RSS_KB"
for i in $(seq 1 "$N"); do board "$i"; done
timed "$WORK/fleet.out" "$BIN/mcumgr" fleet update --inventory "$WORK/inventory" --parallel "$N" \
    --confirm "$WORK/app-1.1.0.bin"
grep -q "^$N of $N devices updated" "$WORK/fleet.out" || { echo "fleet: $(tail -n 5 "$WORK/fleet.out")"; }
printf '%d boards:       %6.1f s wall, %5.2f s CPU, %6d KiB peak memory\n' "$N" "$WALL" "$CPU" "$RSS_KB"
awk -v n="$N" -v w="$WALL" -v one="$ONE" -v cpu="$CPU" -v rss="$RSS_KB" 'BEGIN {
    printf "fleet wall time / one board: %.2fx (goal <= 2x); per device: %.3f s CPU, %.0f KiB\n",
           w / one, cpu / n, rss / n }'
echo "(the boards themselves are $N mcusim processes on the same 2 cores)"
