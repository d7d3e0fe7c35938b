# shellcheck shell=bash
# The real rollback, shared by fw_rollback_crash.sh and fw_rollback_hang.sh:
# upload a broken build ($1: crash or hang), image test, reset. It runs,
# crashes or hangs, the watchdog resets the board, and the bootloader
# reverts to the old image with no host action; image list then shows the
# old image confirmed and the broken one in slot 1, not pending.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
source "$SRC_DIR/tests/lib/qemu_board.sh"
kind=$1

qb_start
qb_mcumgr image upload "$FIRMWARE_DIR/app-$kind.signed.bin" >/dev/null
e2e_assert_eq 1.2.0 "$(qb_slot_field 1 version)" "the broken build in slot 1"
qb_mcumgr image test "$(qb_slot_field 1 hash)" >/dev/null
boots=$(qb_count_boots)
qb_mcumgr reset >/dev/null
# the broken build starts once...
qb_wait_log "Booting mcutools application v1.2.0"
case $kind in
    crash) qb_wait_log "^fault: HardFault" ;;
    hang) qb_wait_log "^app: hang build: stuck" ;;
esac
# ...and without a word from the host: watchdog, reset, revert, v1.0.0 again
qb_wait_log "^wdt: watchdog timeout"
qb_wait_log "^I: Swap type: revert"
qb_wait_boots $((boots + 2))
tail -n 40 "$SIM_DIR/console.log" | grep -q "Booting mcutools application v1.0.0" ||
    e2e_fail "v1.0.0 did not come back after the revert"
e2e_assert_eq 1.0.0 "$(qb_slot_field 0 version)" "after the revert"
e2e_assert_eq "active confirmed" "$(qb_slot_field 0 flags)" "the old image after the revert"
e2e_assert_eq 1.2.0 "$(qb_slot_field 1 version)" "the broken build went back to slot 1"
e2e_assert_eq "" "$(qb_slot_field 1 flags)" "the broken build is not pending again"
# the board is fine: another reset keeps v1.0.0
boots=$(qb_count_boots)
qb_mcumgr reset >/dev/null
qb_wait_boots $((boots + 1))
e2e_assert_eq 1.0.0 "$(qb_slot_field 0 version)" "after one more reset"
qb_stop
echo PASS
