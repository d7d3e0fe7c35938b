#!/usr/bin/env bash
# A refused image never runs. Over SMP, an image signed with another key is
# refused by the application (the keys the bootloader trusts). Written
# into slot 1 behind the server's back and marked for test, an image with
# the wrong key, and a truncated one, are refused by the bootloader itself:
# slot 1 is erased, v1.0.0 boots, the refused build never prints a banner.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
source "$SRC_DIR/tests/lib/qemu_board.sh"

SLOT1=$((0xC000 + 0x76000))
SLOT_SIZE=$((0x76000))
# the trailer magic at the end of slot 1: a test swap is asked for
MAGIC='\x77\xc2\x95\xf3\x60\xd2\xef\x7f\x35\x52\x50\x0f\x2c\xb6\x79\x80'

other=""
e2e_own_key other ecp256
bin=$E2E_TMP/app-1.1.0.bin
arm-none-eabi-objcopy -O binary "$FIRMWARE_DIR/app-1.1.0.elf" "$bin"
wrong=$E2E_TMP/wrong-key.signed.bin
"$IMGTOOL" sign -k "$other" -v 1.1.0 -H 0x200 --pad-header -S 0x76000 --align 4 \
    "$bin" "$wrong" >/dev/null
truncated=$E2E_TMP/truncated.signed.bin
size=$(stat -c %s "$FIRMWARE_DIR/app-1.1.0.signed.bin")
head -c $((size - 64)) "$FIRMWARE_DIR/app-1.1.0.signed.bin" >"$truncated"

qb_start
if out=$(qb_mcumgr image upload "$wrong" 2>&1) &&
   qb_mcumgr image test "$(qb_slot_field 1 hash)" >/dev/null 2>&1; then
    e2e_fail "the board took an image signed with another key: $out"
fi
e2e_assert_eq "" "$(qb_slot_field 1 flags)" "the wrong-key image is not pending"
qb_stop

# plant IMAGE: IMAGE in slot 1 of the flash file, marked for a test swap.
plant() {
    local f=$SIM_DIR/flash.bin
    head -c "$SLOT_SIZE" /dev/zero | tr '\0' '\377' |
        dd of="$f" bs=4096 seek="$SLOT1" oflag=seek_bytes conv=notrunc status=none
    dd if="$1" of="$f" bs=4096 seek="$SLOT1" oflag=seek_bytes conv=notrunc status=none
    printf "$MAGIC" | dd of="$f" bs=16 seek=$((SLOT1 + SLOT_SIZE - 16)) oflag=seek_bytes \
        conv=notrunc status=none
}

for what in wrong truncated; do
    img=$wrong
    [ "$what" = truncated ] && img=$truncated
    plant "$img"
    refusals=$(grep -c "^E: Image in the secondary slot is not valid" "$SIM_DIR/console.log" || true)
    qb_start
    qb_wait_log "^E: Image in the secondary slot is not valid" $((refusals + 1))
    e2e_assert_eq 1.0.0 "$(qb_slot_field 0 version)" "$what: the image that boots"
    e2e_assert_eq "active confirmed" "$(qb_slot_field 0 flags)" "$what: still confirmed"
    e2e_assert_eq "" "$(qb_slot_field 1 version)" "$what: slot 1 erased"
    qb_stop
done
if grep -q "Booting mcutools application v1.1.0" "$SIM_DIR/console.log"; then
    e2e_fail "a refused image ran"
fi
echo PASS
