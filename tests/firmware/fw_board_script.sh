#!/usr/bin/env bash
# scripts/qemu-board.sh on bad input: a usage error (exit 2), a missing or
# foreign image refused with its reason (exit 1) before anything is
# written (the board's flash stays as it was), and a second QEMU on a
# running board refused while the first one keeps serving.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
source "$SRC_DIR/tests/lib/qemu_board.sh"
script=$SRC_DIR/scripts/qemu-board.sh

# expect_fail RC TEXT ARGS...: qemu-board.sh ARGS exits RC saying TEXT.
expect_fail() {
    local want=$1 text=$2 rc=0 out
    shift 2
    out=$(bash "$script" --firmware-dir "$FIRMWARE_DIR" "$@" 2>&1) || rc=$?
    e2e_assert_eq "$want" "$rc" "exit status of qemu-board.sh $*"
    e2e_assert_contains "$out" "$text" "message of qemu-board.sh $*"
}

expect_fail 2 "usage:" --provision x
expect_fail 2 "unknown argument '--bogus'" --state "$E2E_TMP/b0" --bogus
expect_fail 1 "no such image: $E2E_TMP/none.bin" --state "$E2E_TMP/b1" --provision "$E2E_TMP/none.bin"
[ ! -e "$E2E_TMP/b1/flash.bin" ] || e2e_fail "a board was made from a missing image"

qb_start
qb_stop
cp "$SIM_DIR/flash.bin" "$E2E_TMP/flash-before.bin"
echo "not an image" >"$E2E_TMP/text.bin"
expect_fail 1 "not a signed image" --state "$SIM_DIR" --provision "$E2E_TMP/text.bin"
head -c $((0x77000)) /dev/zero >"$E2E_TMP/huge.bin"
expect_fail 1 "do not fit slot 0" --state "$SIM_DIR" --provision "$E2E_TMP/huge.bin"
cmp -s "$SIM_DIR/flash.bin" "$E2E_TMP/flash-before.bin" || e2e_fail "a refused image changed the flash"

qb_start
expect_fail 1 "already running" --state "$SIM_DIR"
e2e_assert_eq 1.0.0 "$(qb_slot_field 0 version)" "the first board after a second start was refused"
qb_stop
echo PASS
