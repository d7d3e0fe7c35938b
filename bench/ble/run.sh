#!/usr/bin/env bash
# BLE upload benchmark; prints figures, never fails on timing.
#
# Uploads a 400 KiB signed image to a fresh simulated board over its
# BlueZ-shaped D-Bus face (mcusim --ble, on a private dbus-daemon) at ATT
# MTU 247 with connection intervals of 7.5, 15 and 30 ms, once with the
# automatic window (buf_count - 1 requests in flight) and once
# stop-and-wait (--window 1), and compares each with the link model's
# ceiling: PACKETS link-layer packets an event each way (default 4), each
# one ATT PDU of MTU - 3 = 244 bytes, so ceiling = PACKETS * 244 B /
# interval. The rate counts image bytes over the upload alone; the time
# to find, connect and size the device (an echo command's whole time,
# measured on its own) is printed beside it.
#
# usage: bench/ble/run.sh [build-dir]   (default: build; PACKETS=N to change)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
BIN="$BUILD/bin"
PACKETS="${PACKETS:-4}"
MTU=247
SIZE=$((400 * 1024))
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ble-bench.XXXXXX")"
PIDS=()

[ -x "$BIN/mcumgr" ] && [ -x "$BIN/mcusim" ] || { echo "build mcumgr and mcusim first (bash scripts/build.sh)"; exit 1; }
command -v dbus-daemon >/dev/null || { echo "needs dbus-daemon (apt-get install dbus-daemon)"; exit 1; }

stop_all() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done; PIDS=(); }
trap 'stop_all; rm -rf "$WORK"' EXIT
export MCUTOOLS_AUDIT_DB="$WORK/audit.db" MCUTOOLS_STATE_DIR="$WORK/state"

# a private bus that lets the board own org.bluez
dbus-daemon --config-file="$ROOT/tools/mcusim/ble-bus.conf" --address="unix:path=$WORK/bus" \
    --nofork --nopidfile >/dev/null 2>&1 &
BUS_PID=$!
for _ in $(seq 100); do [ -S "$WORK/bus" ] && break; sleep 0.05; done
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$WORK/bus"

bash "$ROOT/scripts/make_firmware.sh" 1.0.0 "$WORK/fw1" 4096 >/dev/null
bash "$ROOT/scripts/make_firmware.sh" 2.0.0 "$WORK/fw2" "$SIZE" >/dev/null
"$BIN/imgtool" sign -H 0x200 --pad-header -S 0x76000 -v 1.0.0 "$WORK/fw1" "$WORK/v1.bin" >/dev/null
"$BIN/imgtool" sign -H 0x200 --pad-header -S 0x76000 -v 2.0.0 "$WORK/fw2" "$WORK/v2.bin" >/dev/null
IMG_BYTES=$(stat -c %s "$WORK/v2.bin")

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }

# board NAME INTERVAL: a fresh board running v1, advertising as NAME
board() {
    local dir="$WORK/$1"
    mkdir -p "$dir"
    : >"$dir.out"
    "$BIN/mcusim" --state "$dir" --provision "$WORK/v1.bin" >/dev/null
    "$BIN/mcusim" --state "$dir" --udp 0 --no-pty --quiet --ble "$1" --ble-mtu "$MTU" \
        --ble-interval "$2" --ble-packets "$PACKETS" >"$dir.out" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 200); do grep -q '^ble: ' "$dir.out" && break; sleep 0.05; done
}

# run NAME INTERVAL [upload flags]: prints one row
run() {
    local name=$1 ms=$2 t0 t1 t2 out setup secs rate ceil
    shift 2
    board "$name" "$ms"
    t0=$(now)
    "$BIN/mcumgr" --conntype ble --connstring "peer_name=$name" echo hi >/dev/null
    t1=$(now)
    out=$("$BIN/mcumgr" --conntype ble --connstring "peer_name=$name" -v image upload "$@" "$WORK/v2.bin" 2>&1)
    t2=$(now)
    grep -q '^Done$' <<<"$out" || { echo "upload failed: $out" >&2; exit 1; }
    setup=$(calc "$t1 - $t0")
    secs=$(calc "$t2 - $t1 - $setup")
    rate=$(calc "$IMG_BYTES / $secs / 1024")
    ceil=$(calc "$PACKETS * ($MTU - 3) / ($ms / 1000) / 1024")
    printf "%8s ms  %-14s %7.2f s  %7.1f KiB/s  ceiling %6.1f KiB/s  %5.1f %%  (setup %.2f s; %s)\n" \
        "$ms" "${WINDOW_LABEL}" "$secs" "$rate" "$ceil" "$(calc "100 * $rate / $ceil")" "$setup" \
        "$(grep -o 'chunk size [0-9]*' <<<"$out"), $(grep -o 'window up to [0-9]*' <<<"$out")"
    stop_all
}

echo "BLE upload of a $((IMG_BYTES / 1024)) KiB image, ATT MTU $MTU, $PACKETS packets per connection event"
for ms in 7.5 15 30; do
    WINDOW_LABEL=window run "w${ms/./_}" "$ms"
    WINDOW_LABEL=stop-and-wait run "s${ms/./_}" "$ms" --window 1
done
kill "$BUS_PID" 2>/dev/null || true
