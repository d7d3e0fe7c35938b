#!/usr/bin/env bash
# Realistic links of mcusim (issue 7), driven by the real mcumgr: a paced
# pty honours the client's window (counted at the board), uploads complete
# byte-identical under corrupted/dropped lines, lossy/duplicating/delaying
# UDP, a stalled line, nRF52840 flash timing, and an unplugged cable
# (the rerun resumes). No timing assertions.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
e2e_require_bin mcumgr mcusim imgtool

e2e_vector_or_own img p64k_ecp256_seccnt   # 64 KiB, security counter
e2e_vector_or_own v1 ed25519_basic
size=$(stat -c %s "$img")

slot1_is_image() {
    cmp -n "$size" <(tail -c +$((0x82000 + 1)) "$SIM_DIR/flash.bin") "$img" ||
        e2e_fail "$1: slot 1 differs from the uploaded file"
}

serial() { "$MCUMGR" --conntype serial --connstring "dev=$SIM_TTY_LINK,baud=$BAUD" "$@"; }
udp() { "$MCUMGR" --conntype udp --connstring "$SIM_UDP" "$@"; }

sim_provision "$v1"

e2e_log "paced pty (1 Mbaud): window 3 keeps 3 requests outstanding, window 1 keeps 1"
BAUD=1000000
sim_start --udp 0 --baud $BAUD
serial image upload --window 3 "$img" >/dev/null
slot1_is_image "window 3"
e2e_assert_eq 3 "$(sim_status uart.max_outstanding)" "requests outstanding, window 3"
[ "$(sim_status uart.max_inflight)" -le 4 ] || e2e_fail "more buffers held than buf_count"
e2e_assert_eq 0 "$(sim_status uart.dropped_no_buf)" "requests dropped for lack of buffers"
sim_ctl --ctl reset-stats >/dev/null
serial image upload --erase --window 1 "$img" >/dev/null
slot1_is_image "window 1"
e2e_assert_eq 1 "$(sim_status uart.max_outstanding)" "requests outstanding, window 1"

e2e_log "corrupted and dropped lines (0.5% + 0.25%) on the pty: identical image"
sim_restart --udp 0 --baud $BAUD --uart-faults corrupt=0.005,drop=0.0025,seed=11
serial -t 0.3 -r 16 image upload --erase "$img" >/dev/null
slot1_is_image "under line faults"
hits=$(( $(sim_status faults.uart_rx.corrupted) + $(sim_status faults.uart_rx.dropped) \
       + $(sim_status faults.uart_tx.corrupted) + $(sim_status faults.uart_tx.dropped) ))
[ "$hits" -gt 0 ] || e2e_fail "no fault was injected"

# (no corrupt here: real UDP checksums drop corrupted datagrams; a corrupt
# payload only shows in the final hash match, which is the client's check)
e2e_log "lossy UDP (drop, duplicate, delay): identical image"
sim_restart --no-pty --udp-faults drop=0.03,dup=0.03,delay=0.03:100,seed=5
udp -t 0.2 -r 16 image upload --erase --chunk-size 256 "$img" >/dev/null
slot1_is_image "under UDP faults"
hits=0
for dir in udp_rx udp_tx; do
    for kind in dropped duplicated delayed; do
        hits=$((hits + $(sim_status faults.$dir.$kind)))
    done
done
[ "$hits" -gt 10 ] || e2e_fail "too few datagram faults injected ($hits)"

e2e_log "a 1.5 s stall of the line: the upload waits it out"
sim_restart --udp 0 --stall-after 20000:1500
BAUD=115200
serial -t 3 -r 3 image upload --erase "$img" >/dev/null
slot1_is_image "after a stall"
sim_wait_log 'uart: stalled for 1500 ms'

e2e_log "baud mismatch: a host at 9600 gets nothing sensible, at 115200 it works"
sim_restart --udp 0 --baud 115200
BAUD=9600
if serial -t 0.5 echo hi >/dev/null 2>&1; then
    e2e_fail "echo worked across a baud mismatch"
fi
sim_wait_log 'host set 9600 baud, the board runs at 115200'
BAUD=115200
e2e_assert_eq hi "$(serial echo hi)" "echo at the right baud"

e2e_log "nRF52840 flash timing over UDP"
sim_restart --no-pty --flash-timing nrf52840
udp image upload --erase "$img" >/dev/null
slot1_is_image "with flash timing"

e2e_log "unplug mid-upload: the command fails, the rerun resumes and completes"
sim_restart --udp 0 --unplug-after 30000:300
if serial -t 1 image upload --erase "$img" >/dev/null 2>&1; then
    e2e_fail "upload succeeded across an unplugged cable"
fi
sim_wait_log 'uart: unplugged'
for _ in $(seq 100); do
    [ "$(sim_status tty)" != "" ] && [ -e "$SIM_TTY_LINK" ] && break
    sleep 0.05
done
before=$(sim_status uart.rx_bytes)
serial image upload "$img" >/dev/null
slot1_is_image "after the unplug"
after=$(sim_status uart.rx_bytes)
# resumed: the rerun sent clearly less than the whole file again
[ $((after - before)) -lt $((size * 4 / 3)) ] || e2e_fail "the rerun started over instead of resuming"
echo PASS
