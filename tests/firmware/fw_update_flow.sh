#!/usr/bin/env bash
# The groups the application serves (os echo and task statistics, stat,
# shell), then the user's update flow on the QEMU board, with our mcumgr
# over the pty:
# image list, upload v1.1.0, image test, reset, image list (1.1.0 active,
# not confirmed), image confirm, reset (stays 1.1.0). Then QEMU itself is
# stopped and started again: the flash kept everything, 1.1.0 still runs.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
source "$SRC_DIR/tests/lib/qemu_board.sh"

qb_start
e2e_log "board up on $QB_TTY"
e2e_assert_eq 1.0.0 "$(qb_slot_field 0 version)" "factory image"
e2e_assert_eq "active confirmed" "$(qb_slot_field 0 flags)" "factory image flags"

e2e_assert_eq "hello M4" "$(qb_mcumgr echo "hello M4")" "os echo"
e2e_assert_contains "$(qb_mcumgr taskstat)" "main" "os task statistics"
e2e_assert_contains "$(qb_mcumgr stat list)" "board" "stat groups"
e2e_assert_contains "$(qb_mcumgr stat board)" "led_toggles" "stat group board"
e2e_assert_contains "$(qb_mcumgr shell exec echo from the shell)" "from the shell" "shell exec"
if qb_mcumgr shell exec no_such_command >/dev/null 2>&1; then
    e2e_fail "shell exec of an unknown command succeeded"
fi

qb_mcumgr image upload "$FIRMWARE_DIR/app-1.1.0.signed.bin" >/dev/null
e2e_assert_eq 1.1.0 "$(qb_slot_field 1 version)" "uploaded image in slot 1"
hash=$(qb_slot_field 1 hash)
qb_mcumgr image test "$hash" >/dev/null
e2e_assert_eq pending "$(qb_slot_field 1 flags)" "slot 1 after image test"

boots=$(qb_count_boots)
qb_mcumgr reset >/dev/null
qb_wait_boots $((boots + 1))
e2e_assert_eq 1.1.0 "$(qb_slot_field 0 version)" "running after the test reset"
e2e_assert_eq active "$(qb_slot_field 0 flags)" "on trial: active, not confirmed"
e2e_assert_eq 1.0.0 "$(qb_slot_field 1 version)" "the old image kept in slot 1"
grep -q "I: Swap type: test" "$SIM_DIR/console.log" || e2e_fail "the bootloader did not run a test swap"
grep -q "Booting mcutools application v1.1.0" "$SIM_DIR/console.log" ||
    e2e_fail "v1.1.0 never printed its banner"

qb_mcumgr image confirm >/dev/null
e2e_assert_eq "active confirmed" "$(qb_slot_field 0 flags)" "after image confirm"
boots=$(qb_count_boots)
qb_mcumgr reset >/dev/null
qb_wait_boots $((boots + 1))
e2e_assert_eq 1.1.0 "$(qb_slot_field 0 version)" "after the reset that follows confirm"
e2e_assert_eq "active confirmed" "$(qb_slot_field 0 flags)" "confirmed stays"

# a restart of QEMU: the flash lives in the state folder
qb_stop
qb_start
e2e_assert_eq 1.1.0 "$(qb_slot_field 0 version)" "after QEMU was restarted"
e2e_assert_eq "active confirmed" "$(qb_slot_field 0 flags)" "after QEMU was restarted"
# the file is the board's flash, byte for byte: slot 0 begins with v1.1.0
cmp -n 4096 <(dd if="$SIM_DIR/flash.bin" bs=4096 skip=12 count=1 status=none) \
    "$FIRMWARE_DIR/app-1.1.0.signed.bin" || e2e_fail "flash.bin slot 0 does not hold v1.1.0"
qb_stop
echo PASS
