#!/usr/bin/env bash
# Issue 15: the board's serial side is as strict as a real device
# (smp-protocol §5.4, §5.4.1), checked with exact-size SMP echo requests
# from tests/sim/serial_probe over the pty:
#  - prefix + message + CRC must fit buf_size: a message of buf_size - 4 is
#    answered, buf_size - 3 is not, and counts as too big (256 .. 2048);
#  - a line longer than the 128-byte line buffer loses its packet;
#  - a burst of 4 full-size requests on 384x4 gets 3 answers, while small
#    requests sent back to back on a paced line are all answered;
#  - a host that sets the speed through termios2/BOTHER is read right;
#  - the test firmware variants: params reporting more than the receiver
#    takes (--report-buf-size), and no params command (--no-params).
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
e2e_require_bin mcusim mcumgr imgtool
PROBE=$BUILD_DIR/tests/serial_probe
[ -x "$PROBE" ] || e2e_fail "$PROBE not built"
RAW="python3 $SRC_DIR/tests/sim/smp_raw.py"

probe() { "$PROBE" "$SIM_TTY" "$@"; }
answers() { sed -n 's/^answers=//p' <<<"$1"; }
good_answers() { grep -c ' ok$' <<<"$1" || true; }

# expect_answered LEN [probe options]: one echo of LEN bytes, echoed right
expect_answered() {
    local len=$1 out
    shift
    out=$(probe --wait 5000 "$@" "$len")
    e2e_assert_eq "seq=0 len=$len ok" "$(grep '^seq=' <<<"$out")" "echo of $len bytes"
}

# expect_silence LEN [probe options]: no answer at all within a second
expect_silence() {
    local len=$1 out
    shift
    out=$(probe --wait 1000 "$@" "$len")
    e2e_assert_eq 0 "$(answers "$out")" "answers to $len bytes"
}

e2e_vector_or_own img ecp256_basic
sim_provision "$img"

for size in 256 384 1024 2048; do
    e2e_log "buf_size $size: messages up to $((size - 4)) bytes are answered"
    sim_restart --udp 0 --buf-size "$size"
    for len in $(seq $((size - 6)) $((size - 2))); do
        if [ $((len + 4)) -le "$size" ]; then
            expect_answered "$len"
        else
            expect_silence "$len"
        fi
    done
    e2e_assert_eq 2 "$(sim_status uart.dropped_too_big)" "too big at buf_size $size"
    e2e_assert_eq 0 "$(sim_status uart.dropped_corrupt)" "corrupt at buf_size $size"
    e2e_assert_eq 3 "$(sim_status uart.responses)" "answers at buf_size $size"
done

e2e_log "a line longer than the 128-byte line buffer loses its packet"
sim_restart --udp 0
expect_silence 300 --line-max 131
e2e_assert_eq 1 "$(sim_status uart.dropped_long_line)" "long-line drops"
expect_answered 300
e2e_log "--line-buf 256: the same 131-byte lines are taken"
sim_restart --udp 0 --line-buf 256
expect_answered 300 --line-max 131

e2e_log "a burst of 4 full-size requests on 384x4: 3 answers, 1 dropped"
sim_restart --udp 0
# a stalled line makes the board take the whole burst at once, as a device
# on a fast link does, whatever pieces the kernel cuts the write into
sim_ctl --ctl "stall 1000" >/dev/null
out=$(probe --wait 4000 370x4)
e2e_assert_eq 3 "$(answers "$out")" "answers to a burst of 4"
e2e_assert_eq 3 "$(good_answers "$out")" "echoes right in a burst of 4"
e2e_assert_eq 1 "$(sim_status uart.dropped_no_buf)" "burst drops counted"

e2e_log "paced line (115200): 8 small requests back to back are all answered"
sim_restart --udp 0 --baud 115200
out=$(probe --wait 10000 60x8)
e2e_assert_eq 8 "$(good_answers "$out")" "answers to 8 small requests"
e2e_assert_eq 0 "$(sim_status uart.dropped_no_buf)" "drops among small requests"

e2e_log "paced line: a host setting 115200 through termios2/BOTHER is understood"
expect_answered 100 --baud 115200
out=$(probe --wait 1000 --baud 9600 100)
e2e_assert_eq 0 "$(good_answers "$out")" "valid answers at 9600 baud"
sim_wait_log 'host set 9600 baud, the board runs at 115200'
expect_answered 100 --baud 115200

e2e_log "--report-buf-size 1024 on a 384 board: params says 1024, the receiver takes 380"
sim_restart --udp 0 --report-buf-size 1024
params=$("$MCUMGR" --conntype serial --connstring "$SIM_SERIAL" params)
e2e_assert_contains "$params" "buf_size: 1024" "mcumgr params"
expect_answered 380
expect_silence 381
e2e_assert_eq 1 "$(sim_status uart.dropped_too_big)" "too big under --report-buf-size"
e2e_assert_eq 384 "$(sim_status uart.buf_size)" "enforced buf_size in the status"
e2e_assert_eq 1024 "$(sim_status uart.reported_buf_size)" "reported buf_size in the status"

e2e_log "--no-params: params answers rc 8 (ENOTSUP), the rest works"
sim_restart --udp 0 --no-params
reply=$($RAW serial "$SIM_TTY" 0800000000000106)
e2e_assert_eq '{"rc": 8}' "$($RAW decode "$reply")" "params reply"
if out=$("$MCUMGR" --conntype serial --connstring "$SIM_SERIAL" params 2>&1); then
    e2e_fail "params succeeded on a board without it: $out"
fi
e2e_assert_contains "$out" "ENOTSUP" "mcumgr params without the command"
expect_answered 200
echo PASS
