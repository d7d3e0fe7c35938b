# Issue 15 item 4: right after a reset the device may be busy swapping
# (real nRF52840 flash timing here). A command meeting the silent device
# says why that is expected, not "check the port and baud"; `reset --wait`
# waits until it answers, and the next command sees the new image.
source "$(dirname "$0")/lib.sh"
need_images
LINK=udp
e2e_own_key KEY ed25519
e2e_signed_image 1.0.0 "$WORK/v1.bin" 20000 "$KEY"
e2e_signed_image 1.1.0 "$WORK/v2.bin" 120000 "$KEY"
e2e_signed_image 1.2.0 "$WORK/v3.bin" 120000 "$KEY"

provision_board "$WORK/v1.bin"
start_board --flash-timing nrf52840 --key "$KEY"
hash_of() { e2e_image_hash H "$1"; echo "$H"; }

# ---- a reset without --wait: the next command explains the silence ----
expect_out Done mm image upload "$WORK/v2.bin"
expect_out . mm image test "$(hash_of "$WORK/v2.bin")"
boots=$(sim_status boot_count)
expect_out Done mm reset
expect_fail 'the device is not answering yet: it was reset [0-9]+ s ago' mm image list
grep -q 'check that the device' <<<"$LAST_OUT" && fail "blamed the connection: $LAST_OUT"
grep -q 'reset --wait' <<<"$LAST_OUT" || fail "no --wait hint: $LAST_OUT"
sim_wait_reset "$boots" 60
for _ in $(seq 100); do mm echo up >/dev/null 2>&1 && break; sleep 0.2; done
expect_out 'version: 1.1.0' mm image list

# ---- once it answered again, a silent device is no longer put on the reset ----
expect_out . mm image confirm
expect_out Done mm image upload "$WORK/v3.bin"
expect_out . mm image test "$(hash_of "$WORK/v3.bin")"

# ---- reset --wait: returns when the device answers, which runs the new image ----
expect_out 'the device answers again after [0-9.]+ s' mm reset --wait
out=$(mm image list 2>&1) || fail "list right after reset --wait: $out"
grep -A4 'slot=0' <<<"$out" | grep -q 'version: 1.2.0' || fail "slot 0 does not run 1.2.0: $out"
stop_board

# with the board gone, the error is about the board, not a reset
expect_fail '^Error: nothing answers at' mm image list
grep -q 'reset' <<<"$LAST_OUT" && fail "a stopped board blamed on a reset: $LAST_OUT"
e2e_log "after reset: ok"
