#!/usr/bin/env bash
# Bad input over BLE, each a clear message and exit 1 (2 for a bad
# connection string): no D-Bus at all, no BlueZ on the bus, a name nobody
# advertises (the message lists what the scan found), no adapter, another
# adapter than there is, an adapter that is powered off, a device without
# the SMP service. Nothing is left connected after a failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

V1=$WORK/v1.bin
BLE_NAME=Board-A
e2e_signed_image 1.0.0 "$V1" 4000

e2e_log "connection strings"
out=$("$MCUMGR" --conntype ble --connstring "ctlr_name=hci0" image list 2>&1) && fail "no peer accepted"
grep -q "no peer given" <<<"$out" || fail "$out"
rc=0; "$MCUMGR" --conntype ble --connstring "peer_id=nonsense" image list >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "a bad peer_id exits $rc, not 2"

e2e_log "no D-Bus"
DBUS_SYSTEM_BUS_ADDRESS="unix:path=$WORK/no-such-socket" \
    expect_fail 'cannot reach the system D-Bus' mb image list

ble_bus_start
e2e_log "no BlueZ on the bus"
expect_fail 'BlueZ is not running \(nobody owns org.bluez' mb image list
expect_fail 'BlueZ is not running' "$MCUMGR" ble scan 0.2

SIM_DIR=$(e2e_new_state_dir)
provision_board "$V1"
board() { # mcusim options...: a fresh start of the board with them
    stop_board
    ble_board_start "Board-A" "$@"
}

e2e_log "a name nobody advertises: what was found is listed"
ble_board_start "Board-A"
expect_fail 'no BLE device named "Nope" found on hci0 in 0\.5 s; found: "Board-A" [0-9A-F:]{17}' \
    "$MCUMGR" --conntype ble --connstring "peer_name=Nope,scan=0.5" image list
expect_fail 'no BLE device with address "C0:00:00:00:00:01"' \
    "$MCUMGR" --conntype ble --connstring "peer_id=C0:00:00:00:00:01,scan=0.3" image list
e2e_log "another adapter than there is"
expect_fail 'no Bluetooth adapter hci1 \(found: hci0\)' mb -i 1 image list
expect_fail 'no Bluetooth adapter hci1 \(found: hci0\)' "$MCUMGR" -i 1 ble scan 0.2
! grep -q 'ble: connected' "$SIM_DIR/console.log" || fail "a failed command connected"

e2e_log "no adapter"
board --ble-no-adapter
expect_fail 'no Bluetooth adapter \(BlueZ has none' mb image list

e2e_log "adapter powered off"
board --ble-powered-off
expect_fail 'adapter hci0 is powered off' mb image list
expect_fail 'adapter hci0 is powered off' "$MCUMGR" ble scan 0.2

e2e_log "a device without the SMP service"
board --ble-no-smp
expect_fail 'Board-A \([0-9A-F:]{17}\) has no SMP service \(8D53DC1D-1DB7-4CD3-868B-8A527460AA84' \
    mb image list
sim_wait_log 'ble: disconnected: the central disconnected'
expect_out 'No SMP devices found' "$MCUMGR" ble scan 0.3

e2e_log "the board answers again as it is"
board
expect_out 'version: 1\.0\.0' mb image list
stop_board
e2e_log "PASS"
