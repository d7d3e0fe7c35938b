#!/usr/bin/env bash
# The main job: build everything, then walk through a field update on the
# simulated board, as the user's guide does on real hardware:
#   a signing key, v1.0.0 and v1.1.0 of a firmware signed with it, a board
#   factory-programmed with v1.0.0, DFU mode (button 1), the update with
#   scripts/dfu_update.sh, a revert (reset without confirm), the update again
#   with confirm, and the audit trail that recorded all of it.
# Everything lives in a temporary folder (board flash, throw-away key, audit
# database); the board is stopped on exit. The audit trail is copied to
# build/demo-audit.db (or $DEMO_AUDIT_COPY) for a look afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# DEMO_BIN_DIR: use binaries built elsewhere (skips the build)
if [ -z "${DEMO_BIN_DIR:-}" ]; then
    bash scripts/build.sh build
fi
export BIN_DIR=${DEMO_BIN_DIR:-$ROOT/build/bin}
source scripts/lib/common.sh
wf_find_tools
MCUSIM=$BIN_DIR/mcusim

T0=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mcutools-demo.XXXXXX")
BOARD=$WORK/board
SIM_PID=''
cleanup() {
    if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then
        kill -TERM "$SIM_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SIM_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SIM_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# The demo's own audit trail and operator: never the user's real one.
export MCUTOOLS_AUDIT_DB=$WORK/audit.db
export MCUTOOLS_OPERATOR=${MCUTOOLS_OPERATOR:-demo-technician}

title() { echo; echo "${WF_B}=== $* ===${WF_N}"; }
run() { echo "\$ $*" | sed "s|$BIN_DIR/||g; s|$WORK|\$DEMO|g; s|$ROOT/||g"; "$@"; }
console() { # the board's console lines matching REGEX since line N
    tail -n +"$(($1 + 1))" "$BOARD/console.log" | grep -E "$2" | sed 's/^/    console| /' || true
}
console_lines() { wc -l <"$BOARD/console.log"; }

free_udp_port() {
    local p
    if command -v python3 >/dev/null; then
        python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
        return
    fi
    for _ in $(seq 20); do
        p=$((20000 + RANDOM % 40000))
        ss -Hlun "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
    done
    echo 0
}

title "1. Signing key (one-time setup; a throw-away key for this demo)"
mkdir -p "$WORK/bootloader"
KEY=$WORK/bootloader/mcuboot-rsa-2048.pem
run "$IMGTOOL" keygen -k "$KEY" -t rsa-2048
echo "    public key hash (KEYHASH in every signed image): $("$IMGTOOL" getpubhash -k "$KEY" -e raw | od -An -tx1 | tr -d ' \n')"

title "2. Build and sign v1.0.0 and v1.1.0 of the application"
for v in 1.0.0 1.1.0; do
    bash scripts/make_firmware.sh "$v" "$WORK/app-$v.bin"
    run "$IMGTOOL" sign --key "$KEY" --version "$v" --header-size 0x200 --pad-header \
        --slot-size 0x76000 --align 4 "$WORK/app-$v.bin" "$WORK/zephyr-$v.signed.bin"
done
run "$IMGTOOL" verify -k "$KEY" "$WORK/zephyr-1.1.0.signed.bin"

title "3. Release package of v1.1.0 for QA (scripts/build_dfu_package.sh)"
run bash scripts/build_dfu_package.sh --firmware "$WORK/app-1.1.0.bin" --key "$KEY" --out "$WORK/dist" 1.1.0
RELEASE=$WORK/dist/release-1.1.0/firmware-1.1.0.signed.bin

title "4. Factory: bootloader + v1.0.0 in slot 0 (the simulated board's flash)"
run "$MCUSIM" --state "$BOARD" --provision "$WORK/zephyr-1.0.0.signed.bin"

title "5. Power on the board (bootloader holds the release key; updates only in DFU mode; UART at 115200 baud)"
PORT=0
for _ in 1 2 3 4 5; do
    PORT=$(free_udp_port)
    "$MCUSIM" --state "$BOARD" --udp "$PORT" --key "$KEY" --dfu-gate --baud 115200 --quiet >"$WORK/sim.out" 2>&1 &
    SIM_PID=$!
    for _ in $(seq 100); do
        grep -q '^udp: ' "$WORK/sim.out" && break
        kill -0 "$SIM_PID" 2>/dev/null || break
        sleep 0.05
    done
    grep -q '^udp: ' "$WORK/sim.out" && break
    SIM_PID=''
done
[ -n "$SIM_PID" ] || { wf_err "the simulated board did not start"; cat "$WORK/sim.out" >&2; exit 1; }
TTY=$(sed -n 's/^uart: //p' "$WORK/sim.out")
sed 's/^/    /' "$WORK/sim.out"
console 0 'Booting|Swap type'
export DEVICE=$TTY
MGR=("$MCUMGR" --conntype serial --connstring "dev=$DEVICE,baud=115200")

title "6. Test the connection (the guide's first command)"
run "${MGR[@]}" echo "Hello MCUmgr"
run bash scripts/quick_mcumgr_test.sh "$DEVICE"

title "7. Check the current firmware"
run "${MGR[@]}" image list

title "8. Press Button 1: enter DFU mode"
n=$(console_lines)
run "$MCUSIM" --state "$BOARD" --press-button 1 >/dev/null
sleep 0.1
console "$n" 'DFU|LED'
leds=$("$MCUSIM" --state "$BOARD" --status | grep -o '"\(status\|error\)_led":"[^"]*"' | tr -d '"' | tr '\n' ' ')
echo "    board: ${leds:-LED state unknown}"

title "9. Update to v1.1.0 with scripts/dfu_update.sh (left on trial for the soak test)"
run bash scripts/dfu_update.sh --trial "$WORK/zephyr-1.1.0.signed.bin" "$DEVICE" 115200
console "$n" 'Swap type|Booting image'

title "10. Revert: the new firmware is bad, reset without confirming"
n=$(console_lines)
run "${MGR[@]}" reset
wait_up() { for _ in $(seq 100); do [ "$("${MGR[@]}" -t 1 echo up 2>/dev/null)" = up ] && return; sleep 0.1; done; }
wait_up
console "$n" 'Swap type|Booting image'
run "${MGR[@]}" image list

title "11. Update again from the release package, and confirm it this time"
"$MCUSIM" --state "$BOARD" --press-button 1 >/dev/null
run bash scripts/dfu_update.sh --confirm --key "$WORK/dist/release-1.1.0/bootloader/release-pubkey.pem" "$RELEASE" "$DEVICE" 115200
for _ in 1 2; do
    n=$(console_lines)
    run "${MGR[@]}" reset
    wait_up
    console "$n" 'Swap type|Booting image'
done
run "${MGR[@]}" image list
ver=$("${MGR[@]}" image list | wf_slot_field 0 version)
flags=$("${MGR[@]}" image list | wf_slot_field 0 flags)
if [ "$ver" != 1.1.0 ] || [ "$flags" != "active confirmed" ]; then
    wf_err "expected v1.1.0 active confirmed after two resets, got v$ver ($flags)"
    exit 1
fi
wf_ok "v1.1.0 stays across resets: confirmed"

title "12. The audit trail (who, when, which device, from which version to which, outcome)"
run "$MCUMGR" audit list
last=$("$MCUMGR" audit list | grep -E ' dfu {2,}' | tail -n 1 | awk '{print $1}') # the run's own record
[ -n "$last" ] && run "$MCUMGR" audit show "$last"
run "$MCUMGR" audit verify
KEEP=${DEMO_AUDIT_COPY:-$ROOT/build/demo-audit.db}
mkdir -p "$(dirname "$KEEP")"
cp "$MCUTOOLS_AUDIT_DB" "$KEEP"

title "Done in $((SECONDS - T0)) s (after the build)"
echo "The demo's audit trail is kept in $KEEP:"
echo "  mcumgr --audit-db $KEEP audit list"
