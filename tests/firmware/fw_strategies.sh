#!/usr/bin/env bash
# The strategy is chosen when the bootloader is built: the firmware built
# with swap-using-scratch rolls a crashing build back as swap-using-move
# does (fw_rollback.sh on it), and with overwrite-only a tested image is
# installed for good (no trial, nothing to revert to: slot 1 is erased).
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
source "$SRC_DIR/tests/lib/qemu_board.sh"

for s in swap-scratch overwrite-only; do
    e2e_log "building the firmware with $s"
    FIRMWARE_OUT=$BUILD_DIR/firmware-$s IMGTOOL=$IMGTOOL \
        bash "$SRC_DIR/scripts/build_firmware.sh" --strategy "$s" >"$E2E_TMP/build-$s.log" 2>&1 ||
        { tail -n 30 "$E2E_TMP/build-$s.log" >&2; e2e_fail "build_firmware.sh --strategy $s failed"; }
done

e2e_log "swap-using-scratch: real rollback"
FIRMWARE_DIR=$BUILD_DIR/firmware-swap-scratch bash "$SRC_DIR/tests/firmware/fw_rollback.sh" crash

e2e_log "overwrite-only: the tested image stays"
FIRMWARE_DIR=$BUILD_DIR/firmware-overwrite-only
qb_start
grep -q "^I: Starting bootloader, overwrite-only" "$SIM_DIR/console.log" ||
    e2e_fail "the bootloader is not the overwrite-only build"
qb_mcumgr image upload "$FIRMWARE_DIR/app-1.1.0.signed.bin" >/dev/null
qb_mcumgr image test "$(qb_slot_field 1 hash)" >/dev/null
boots=$(qb_count_boots)
qb_mcumgr reset >/dev/null
qb_wait_boots $((boots + 1))
grep -q "^I: Starting overwrite of the primary slot" "$SIM_DIR/console.log" ||
    e2e_fail "no overwrite on the console"
e2e_assert_eq 1.1.0 "$(qb_slot_field 0 version)" "overwrite-only: installed"
e2e_assert_eq "active confirmed" "$(qb_slot_field 0 flags)" "overwrite-only: installed for good"
e2e_assert_eq "" "$(qb_slot_field 1 version)" "overwrite-only: slot 1 after the install"
qb_stop
echo PASS
