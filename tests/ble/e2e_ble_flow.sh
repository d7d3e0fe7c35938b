#!/usr/bin/env bash
# The user's update flow over Bluetooth LE, against a board that BlueZ's
# D-Bus API shows as an LE device: scan, list, upload, test, reset (the
# board disconnects and disappears, then advertises again: the next
# command finds it and reconnects), list, confirm; reset --wait; stat,
# shell exec, fs upload/download; a profile, --name and -i.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

V1=$WORK/v1.bin V2=$WORK/v2.bin
e2e_signed_image 1.0.0 "$V1" 20000
e2e_signed_image 1.1.0 "$V2" 90000
ble_bus_start
SIM_DIR=$(e2e_new_state_dir)
provision_board "$V1"
ble_board_start "Sensor-7" --ble-rssi -61

e2e_log "ble scan: name, address, RSSI"
expect_out '^Sensor-7 +[0-9A-F:]{17} +-61 dBm' "$MCUMGR" ble scan 1
addr=$(awk '/^Sensor-7/{print $2}' <<<"$LAST_OUT")
json=$("$MCUMGR" --json ble scan 0.5)
grep -q "\"address\":\"$addr\"" <<<"${json//[[:space:]]/}" || fail "ble scan --json: $json"

e2e_log "image list, upload"
expect_out 'version: 1\.0\.0' mb image list
expect_out 'Done' mb -v image upload "$V2"
grep -q "in whole 244-byte ATT writes" <<<"$LAST_OUT" || fail "request not sized in ATT writes: $LAST_OUT"
slot1_is "$V2"
hash=$(mb image list | awk '/slot=1/{s=1} s&&/hash:/{print $2; exit}')
[ -n "$hash" ] || fail "no hash for slot 1"

e2e_log "test, reset: the board goes away and comes back"
expect_out 'pending' mb image test "$hash"
expect_out 'Done' mb reset
sim_wait_log 'ble: disconnected: the board resets'
# the next command finds it again (a scan) and reconnects
expect_out 'version: 1\.1\.0' mb image list
grep -q 'flags: active' <<<"$LAST_OUT" || fail "1.1.0 does not run: $LAST_OUT"
[ "$(sim_count_log 'advertises')" -ge 2 ] || fail "the board did not advertise again"
expect_out 'confirmed' mb image confirm

e2e_log "reset --wait over BLE"
expect_out 'answers again' mb reset --wait
expect_out 'flags: active confirmed' mb image list

e2e_log "stat, shell, fs"
expect_out 'board' mb stat list
expect_out '^hi there$' mb shell exec echo hi there
head -c 3000 /dev/urandom >"$WORK/blob"
expect_out 'Done' mb fs upload "$WORK/blob" /lfs/blob
expect_out 'Done' mb fs download /lfs/blob "$WORK/blob.back"
cmp "$WORK/blob" "$WORK/blob.back" || fail "fs download differs from the upload"

e2e_log "a connection profile, --name, -i, peer_id"
expect_out 'successfully added' "$MCUMGR" conn add sensor type=ble "connstring=peer_name=Sensor-7"
expect_out 'version: 1\.1\.0' "$MCUMGR" -c sensor image list
expect_out 'version: 1\.1\.0' "$MCUMGR" --conntype ble --name Sensor-7 -i 0 image list
expect_out 'version: 1\.1\.0' "$MCUMGR" --conntype ble --connstring "peer_id=$addr" image list
expect_out 'version: 1\.1\.0' "$MCUMGR" --name Sensor-7 image list

stop_board
e2e_log "PASS"
