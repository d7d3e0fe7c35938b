#!/usr/bin/env bash
# QEMU killed in the middle of a swap, at a few points, then started again:
# one valid image boots and the other slot holds the other image, byte for
# byte. The point is set with the bootloader's fault injection (a file
# "powercut" holding N: it stops before its Nth flash program or erase,
# firmware/board/flash.c); QEMU is then killed with SIGKILL.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
source "$SRC_DIR/tests/lib/qemu_board.sh"

new=$FIRMWARE_DIR/app-1.1.0.signed.bin
old=$FIRMWARE_DIR/app-1.0.0.signed.bin
SLOT0=$((0xC000))
SLOT1=$((0x82000))

# slot_holds OFFSET IMAGE: the flash file holds IMAGE at OFFSET.
slot_holds() {
    cmp -s -n "$(stat -c %s "$2")" <(tail -c +$(($1 + 1)) "$SIM_DIR/flash.bin") "$2"
}

qb_start
qb_mcumgr image upload "$new" >/dev/null
qb_mcumgr image test "$(qb_slot_field 1 hash)" >/dev/null
qb_stop
pending=$E2E_TMP/pending-flash.bin
cp "$SIM_DIR/flash.bin" "$pending"
slot_holds "$SLOT1" "$new" || e2e_fail "the upload is not in slot 1"

# a swap of these images takes a little over 200 flash operations
for n in 1 45 120 200; do
    e2e_log "power cut before flash operation $n of the swap"
    cp "$pending" "$SIM_DIR/flash.bin"
    echo "$n" >"$SIM_DIR/powercut"
    cuts=$(grep -c "power cut (fault injection) before flash operation ${n}[[:space:]]*$" \
           "$SIM_DIR/console.log" || true)
    qb_launch
    qb_wait_log "power cut \(fault injection\) before flash operation ${n}[[:space:]]*$" $((cuts + 1))
    qb_kill
    rm "$SIM_DIR/powercut"
    qb_start
    e2e_assert_eq 1.1.0 "$(qb_slot_field 0 version)" "cut at $n: the image that boots"
    e2e_assert_eq active "$(qb_slot_field 0 flags)" "cut at $n: on test, not confirmed"
    e2e_assert_eq 1.0.0 "$(qb_slot_field 1 version)" "cut at $n: the other slot"
    qb_stop
    slot_holds "$SLOT0" "$new" || e2e_fail "cut at $n: slot 0 is not v1.1.0 byte for byte"
    slot_holds "$SLOT1" "$old" || e2e_fail "cut at $n: slot 1 is not v1.0.0 byte for byte"
done
echo PASS
