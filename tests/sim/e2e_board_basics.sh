#!/usr/bin/env bash
# mcusim itself: ready lines, state folder layout, provisioning, the flash
# file persisting across restarts, --boot-once decisions, the control
# socket (DFU button, status), clean stop.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
e2e_require_bin mcusim imgtool

e2e_vector_or_own img ecp256_basic   # 1.2.3+4

e2e_log "provision slot 0 and check the bytes landed at 0xC000"
sim_provision "$img"
size=$(stat -c %s "$img")
cmp -n "$size" <(tail -c +$((0xC000 + 1)) "$SIM_DIR/flash.bin") "$img" ||
    e2e_fail "slot 0 does not hold the provisioned image"
e2e_assert_eq 1048576 "$(stat -c %s "$SIM_DIR/flash.bin")" "flash.bin size"

e2e_log "boot once: the image boots"
e2e_assert_eq true "$(sim_boot_once booted)" "booted"
e2e_assert_eq 1.2.3.4 "$(sim_boot_once version)" "version"

e2e_log "start: ready lines, tty symlink, control socket"
sim_start
[ -c "$SIM_TTY" ] || e2e_fail "uart line does not name a pty: $SIM_TTY"
e2e_assert_eq "$SIM_TTY" "$(readlink "$SIM_TTY_LINK")" "tty symlink"
[ -S "$SIM_DIR/ctl.sock" ] || e2e_fail "no control socket"
e2e_assert_eq 1.2.3.4 "$(sim_status version)" "running version"
e2e_assert_eq false "$(sim_status dfu_mode)" "dfu mode before the button"

e2e_log "one board per state folder: a second board or a provision is refused"
set +e
err=$("$MCUSIM" --state "$SIM_DIR" --provision "$img" 2>&1); rc=$?
set -e
e2e_assert_eq 1 "$rc" "provision under a running board"
e2e_assert_contains "$err" "already running in $SIM_DIR (pid $SIM_PID)" "lock message"

e2e_log "button 1 enters DFU mode"
sim_ctl --press-button 1 >/dev/null
sim_wait_log '^>>> Entering DFU Mode$'
e2e_assert_eq true "$(sim_status dfu_mode)" "dfu mode"
e2e_assert_eq fast-blink "$(sim_status status_led)" "status LED"
e2e_assert_eq sos "$(sim_status error_led)" "error LED"
hwid=$(sim_status hwid)
[[ "$hwid" =~ ^[0-9a-f]{16}$ ]] || e2e_fail "hwid '$hwid' is not 16 hex digits"

e2e_log "bad control commands are refused, the board keeps running"
set +e
out=$(sim_ctl --ctl frobnicate 2>&1); rc=$?
set -e
e2e_assert_eq 1 "$rc" "unknown control command"
e2e_assert_contains "$out" "unknown command" "control error text"
set +e
sim_ctl --press-button 3 >/dev/null 2>&1; rc=$?
set -e
e2e_assert_eq 2 "$rc" "no button 3"
e2e_assert_eq true "$(sim_status running)" "still running"

e2e_log "pin reset leaves DFU mode; the flash file persists across restarts"
sim_ctl --ctl reset >/dev/null
e2e_assert_eq false "$(sim_status dfu_mode)" "dfu mode after reset"
e2e_assert_eq pin "$(sim_status reset_cause)" "reset cause"
sim_ctl --ctl watchdog >/dev/null
e2e_assert_eq watchdog "$(sim_status reset_cause)" "reset cause after a watchdog reset"
before=$(sha256sum <"$SIM_DIR/flash.bin")
sim_restart
e2e_assert_eq "$before" "$(sha256sum <"$SIM_DIR/flash.bin")" "flash after restart"
e2e_assert_eq "$hwid" "$(sim_status hwid)" "hwid after restart"
e2e_assert_eq 1.2.3.4 "$(sim_status version)" "version after restart"

e2e_log "stop removes the tty link and the control socket"
sim_stop
[ ! -e "$SIM_DIR/tty" ] || e2e_fail "tty symlink left behind"
[ ! -e "$SIM_DIR/ctl.sock" ] || e2e_fail "ctl.sock left behind"

e2e_log "--dfu starts in DFU mode; bad options are usage errors"
sim_start --dfu
e2e_assert_eq true "$(sim_status dfu_mode)" "dfu at start"
sim_stop
set +e
"$MCUSIM" --state "$SIM_DIR" --baud fast >/dev/null 2>&1; e2e_assert_eq 2 $? "bad --baud"
"$MCUSIM" >/dev/null 2>&1; e2e_assert_eq 2 $? "missing --state"
"$MCUSIM" --state "$SIM_DIR" --provision /etc/hostname >/dev/null 2>&1; e2e_assert_eq 1 $? "non-image provision"
"$MCUSIM" --state "$SIM_DIR" --status >/dev/null 2>&1; e2e_assert_eq 1 $? "status with no board"
set -e

e2e_log "a trusted key the crypto port cannot verify is refused at start, by name"
"$IMGTOOL" keygen -k "$E2E_TMP/ed.pem" -t ed25519 >/dev/null || e2e_fail "keygen ed25519"
set +e
out=$("$MCUSIM" --state "$SIM_DIR" --key "$E2E_TMP/ed.pem" --boot-once 2>&1); rc=$?
set -e
if e2e_has_ed25519; then
    # taken (slot 0 is signed with another key, so nothing boots: exit 1)
    case $out in *"cannot verify keys"*) e2e_fail "an Ed25519 key refused on a port with Ed25519: $out" ;; esac
    e2e_assert_contains "$out" "Swap type" "the key taken, the bootloader ran"
else
    e2e_assert_eq 1 "$rc" "an Ed25519 key on a port without it"
    e2e_assert_contains "$out" "cannot verify keys of that algorithm" "the refusal says why"
fi

e2e_log "a fresh board has nothing to boot"
SIM_DIR=$(e2e_new_state_dir)
set +e
out=$(sim_boot_once booted); rc=$?
set -e
e2e_assert_eq 1 "$rc" "boot-once exit code on an empty flash"
e2e_assert_eq false "$out" "booted on an empty flash"
echo PASS
