#!/usr/bin/env bash
# Uploads over ATT MTU 23, 247 and 498 leave slot 1 byte-identical to the
# file, each request cut into writes of at most MTU - 3 bytes; at 247 also
# through WriteValue and StartNotify (a BlueZ without AcquireWrite and
# AcquireNotify). The board's trace shows the requests it got. A board
# without SMP reassembly (Zephyr's default) takes one ATT write a request
# whatever buffer it reports: the upload still succeeds, in one-write requests.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

V1=$WORK/v1.bin V2=$WORK/v2.bin
e2e_signed_image 1.0.0 "$V1" 4000
e2e_signed_image 1.1.0 "$V2" 30000
ble_bus_start

upload_at() { # MTU [mcusim options...]
    local mtu=$1 unit=$(( $1 - 3 ))
    shift
    SIM_DIR=$(e2e_new_state_dir)
    provision_board "$V1"
    ble_board_start "mtu$mtu" --ble-mtu "$mtu" --ble-interval 7.5 --ble-packets 6 "$@"
    expect_out 'Done' mb -v image upload "$V2"
    local size
    size=$(sed -n 's/^request size \([0-9]*\) bytes.*/\1/p' <<<"$LAST_OUT")
    [ -n "$size" ] || fail "no request size in: $LAST_OUT"
    # a request fills whole ATT writes
    [ $(( size % unit )) = 0 ] || fail "MTU $mtu: a $size-byte request is not whole $unit-byte writes"
    slot1_is "$V2"
    grep -q "ble: connected (ATT MTU $mtu," "$SIM_DIR/console.log" || fail "the link did not use MTU $mtu"
    if [ "$*" = --ble-no-acquire ]; then
        grep -q "requests as WriteValue (type command)" "$SIM_DIR/console.log" &&
            grep -q "PropertiesChanged on Value" "$SIM_DIR/console.log" ||
            fail "no WriteValue/StartNotify without AcquireWrite"
    else
        grep -q "AcquireWrite: a socket, MTU $mtu" "$SIM_DIR/console.log" &&
            grep -q "AcquireNotify: a socket" "$SIM_DIR/console.log" || fail "the sockets were not acquired"
    fi
    stop_board
    e2e_log "MTU $mtu: $size-byte requests in $unit-byte writes, slot 1 identical"
}

upload_at 23
upload_at 247
upload_at 498
upload_at 247 --ble-no-acquire

e2e_log "no reassembly: the buffer says 2475, the device takes one 244-byte write"
SIM_DIR=$(e2e_new_state_dir)
provision_board "$V1"
ble_board_start nore --ble-mtu 247 --ble-interval 7.5 --ble-no-reassembly
expect_out 'Done' mb -v image upload "$V2"
grep -q '^request size 244 bytes' <<<"$LAST_OUT" || fail "no reassembly: not one-write requests: $LAST_OUT"
slot1_is "$V2"
grep -q 'not one whole request (no reassembly): dropped' "$SIM_DIR/console.log" ||
    fail "the board did not drop the multi-write probe"
stop_board
e2e_log "PASS"
