#!/usr/bin/env bash
# Faults of the link: the connection drops mid-upload (the command fails
# with a clear message, the same command again resumes where the device
# stopped and slot 1 ends identical); lost notifications (whole answers
# lost) cost retransmissions, never the image.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

V1=$WORK/v1.bin V2=$WORK/v2.bin
e2e_signed_image 1.0.0 "$V1" 4000
e2e_signed_image 1.1.0 "$V2" 120000
V3=$WORK/v3.bin
e2e_signed_image 1.2.0 "$V3" 40000
ble_bus_start

e2e_log "the link drops after 50000 bytes"
SIM_DIR=$(e2e_new_state_dir)
provision_board "$V1"
ble_board_start "resume-1" --ble-interval 7.5 --ble-packets 6 --ble-disconnect-after 50000
expect_fail 'disconnected' mb image upload "$V2"
sim_wait_log 'ble: disconnected: link lost \(fault injection'
expect_out 'resumed at byte [1-9][0-9]* of 120' mb image upload "$V2"
at=$(sed -n 's/.*resumed at byte \([0-9]*\) of.*/\1/p' <<<"$LAST_OUT")
[ "$at" -ge 30000 ] || fail "resumed at $at: the device kept less than was sent"
slot1_is "$V2"
stop_board

e2e_log "lost notifications"
SIM_DIR=$(e2e_new_state_dir)
provision_board "$V1"
ble_board_start "lossy-1" --ble-interval 7.5 --ble-packets 6 --ble-drop-notify 0.05 --ble-seed 7
expect_out 'Done' mb -r 3 -t 1 -v image upload "$V3"
grep -qE '[1-9][0-9]* retransmitted|[1-9][0-9]* timeouts' <<<"$LAST_OUT" ||
    fail "no loss was seen: $LAST_OUT"
slot1_is "$V3"
stop_board
e2e_log "PASS"
