# shellcheck shell=bash
# Helpers for the tests of the QEMU board (scripts/qemu-board.sh running
# the Cortex-M4 firmware of build_firmware.sh). Source after e2e.sh:
#
#   source "$SRC_DIR/tests/lib/e2e.sh"
#   source "$SRC_DIR/tests/lib/qemu_board.sh"
#   qb_start                  # a new board (bootloader + app-1.0.0); sets SIM_DIR
#                             # (its state folder, so e2e_fail shows its console),
#                             # QB_TTY, QB_PID; waits for the application banner
#   qb_mcumgr image list      # our mcumgr over the board's pty
#   qb_wait_boots N           # until the console shows N application boots
#   qb_stop                   # stops QEMU (qb_start again restarts it on the same flash)
#   qb_kill                   # kills QEMU (SIGKILL)
#   qb_slot_field 1 version   # a field of image list
#
# FIRMWARE_DIR: the images (default $BUILD_DIR/firmware, where the
# firmware_build test puts them). QB_BOOT_TIMEOUT bounds the waits (s).

FIRMWARE_DIR=${FIRMWARE_DIR:-${BUILD_DIR:-$PWD}/firmware}
QB_BOOT_TIMEOUT=${QB_BOOT_TIMEOUT:-60}

qb_require_firmware() {
    local f
    for f in bootloader.elf app-1.0.0.signed.bin app-1.1.0.signed.bin \
             app-crash.signed.bin app-hang.signed.bin; do
        [ -f "$FIRMWARE_DIR/$f" ] ||
            e2e_fail "no $FIRMWARE_DIR/$f: the firmware_build test builds it (bash scripts/build_firmware.sh)"
    done
}

# qb_start [qemu-board.sh options...]: starts (or restarts) the board in
# $SIM_DIR (a new folder when unset) and waits for its UART and a boot.
qb_start() {
    [ -n "${SIM_DIR:-}" ] || SIM_DIR=$(e2e_new_state_dir)
    local boots
    boots=$(qb_count_boots)
    qb_launch "$@"
    qb_wait_boots $((boots + 1))
}

# qb_launch [options...]: as qb_start, without waiting for a boot.
qb_launch() {
    qb_require_firmware
    [ -n "${SIM_DIR:-}" ] || SIM_DIR=$(e2e_new_state_dir)
    # made here, not by the background job: read before that job opens it
    : >"$SIM_DIR/board.out"
    bash "$SRC_DIR/scripts/qemu-board.sh" --state "$SIM_DIR" --firmware-dir "$FIRMWARE_DIR" \
        "$@" >>"$SIM_DIR/board.out" 2>&1 &
    QB_PID=$!
    E2E_PIDS+=("$QB_PID")
    for _ in $(seq $((QB_BOOT_TIMEOUT * 10))); do
        QB_TTY=$(sed -n 's/^uart: //p' "$SIM_DIR/board.out")
        [ -n "$QB_TTY" ] && break
        kill -0 "$QB_PID" 2>/dev/null || { cat "$SIM_DIR/board.out" >&2; e2e_fail "qemu-board.sh exited"; }
        sleep 0.1
    done
    [ -n "$QB_TTY" ] || e2e_fail "qemu-board.sh printed no uart line"
    [ "$(readlink "$SIM_DIR/tty")" = "$QB_TTY" ] || e2e_fail "$SIM_DIR/tty does not point to $QB_TTY"
}

# qb_kill: QEMU killed outright (SIGKILL), as a power cut.
qb_kill() {
    [ -n "${QB_PID:-}" ] || return 0
    kill -KILL "$(cat "$SIM_DIR/qemu.pid")" 2>/dev/null || true
    wait "$QB_PID" 2>/dev/null || true
    QB_PID=
}

qb_stop() {
    [ -n "${QB_PID:-}" ] || return 0
    kill -TERM "$QB_PID" 2>/dev/null || true
    wait "$QB_PID" 2>/dev/null || true
    QB_PID=
}

# How many times the application started (its banner on the console).
qb_count_boots() {
    grep -c '^\*\*\* Booting mcutools application' "$SIM_DIR/console.log" 2>/dev/null || true
}

# qb_wait_boots N: until the application has started N times (it serves
# SMP right after its banner).
qb_wait_boots() {
    local want=$1
    for _ in $(seq $((QB_BOOT_TIMEOUT * 10))); do
        [ "$(qb_count_boots)" -ge "$want" ] && return 0
        sleep 0.1
    done
    e2e_fail "the application did not start $want times within $QB_BOOT_TIMEOUT s"
}

# qb_wait_log REGEX [COUNT]: until COUNT (default 1) console lines match.
qb_wait_log() {
    local re=$1 want=${2:-1}
    for _ in $(seq $((QB_BOOT_TIMEOUT * 10))); do
        [ "$(grep -Ec -- "$re" "$SIM_DIR/console.log" 2>/dev/null)" -ge "$want" ] && return 0
        sleep 0.1
    done
    e2e_fail "the console did not print /$re/ $want times within $QB_BOOT_TIMEOUT s"
}

qb_mcumgr() {
    "$MCUMGR" --conntype serial --connstring "dev=$SIM_DIR/tty,baud=115200" "$@"
}

# qb_slot_field SLOT FIELD: a field (version, flags, hash) of `image list`.
qb_slot_field() {
    qb_mcumgr image list | awk -v slot="slot=$1" -v field="$2:" '
        $2 == slot { inslot = 1; next }
        /image=/ { inslot = 0 }
        inslot && $1 == field { $1 = ""; sub(/^ /, ""); print; exit }'
}
