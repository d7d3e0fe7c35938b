#!/usr/bin/env bash
# An upload survives a power cut (issue 15): the board keeps a durable
# upload record (image sha, length, whole sectors programmed) in the last
# page of its storage partition, so the same `mcumgr image upload` after a
# cut continues from the last whole sector and slot 1 ends byte-identical
# to the file. Cuts in the middle of a flash operation (--fail-after N,
# every other one --torn) at points spread over the upload, and a
# power-cycle between requests (--ctl power-cycle) while one runs.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
e2e_require_bin mcumgr mcusim imgtool

e2e_own_key key ed25519
v1=$E2E_TMP/v1.bin
v2=$E2E_TMP/v2.bin
e2e_signed_image 1.0.0 "$v1" 4000 "$key"
e2e_signed_image 2.0.0 "$v2" 100000 "$key"
n=$(stat -c %s "$v2")

mgr() { "$MCUMGR" --conntype udp --connstring "$SIM_UDP" "$@"; }
flash_ops() { echo $(( $(sim_status flash.erases) + $(sim_status flash.progs) )); }
json_field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

slot1_is_v2() {
    cmp -n "$n" <(tail -c +$((0x82000 + 1)) "$SIM_DIR/flash.bin") "$v2" ||
        e2e_fail "$1: slot 1 differs from the file"
    e2e_image_hash h "$v2"
    mgr -t 5 image list | grep -q "$h" || e2e_fail "$1: slot 1 not listed with v2's hash"
}

wait_running() { # boot count to exceed
    sim_wait_reset "$1"
    for _ in $(seq 100); do [ "$(sim_status running)" = true ] && return 0; sleep 0.05; done
    e2e_fail "the board did not run again"
}

SIM_DIR=
sim_provision "$v1"
cp "$SIM_DIR/flash.bin" "$E2E_TMP/base.bin"

e2e_log "count the flash operations of the boot and of a whole upload"
sim_start --key "$key" --no-pty
boot_ops=$(flash_ops)
mgr -t 5 image upload "$v2" >/dev/null
total=$(flash_ops)
slot1_is_v2 "uncut upload"
sim_stop
[ $((total - boot_ops)) -gt 50 ] || e2e_fail "suspiciously few flash operations ($boot_ops, $total)"
e2e_log "boot $boot_ops operations, upload $((total - boot_ops)); cut at 8 points"

for i in $(seq 0 7); do
    cut=$(( boot_ops + 1 + i * (total - boot_ops - 2) / 7 ))
    torn=()
    [ $((i % 2)) = 1 ] && torn=(--torn)
    cp "$E2E_TMP/base.bin" "$SIM_DIR/flash.bin"
    sim_start --key "$key" --no-pty --fail-after "$cut" "${torn[@]}"
    rc=0
    mgr -t 1 image upload "$v2" >/dev/null 2>&1 || rc=$?
    sim_wait_log 'power cut'
    wait_running 1
    out=$(mgr -t 5 --json image upload "$v2") || e2e_fail "cut at $cut: the second upload failed: $out"
    from=$(json_field "$out" resumed_from)
    if [ "$rc" != 0 ]; then
        # the first command failed with the cut: the second one resumed at a
        # whole sector (0 only when the cut came before the first one was whole)
        [ $((from % 4096)) = 0 ] || e2e_fail "cut at $cut: resumed at $from, not at a sector"
        [ "$cut" -lt $((boot_ops + 12)) ] || [ "$from" -gt 0 ] ||
            e2e_fail "cut at $cut: the upload started over instead of resuming"
    fi
    e2e_log "cut at $cut${torn:+ (torn)}: first command exit $rc, the same command resumed at $from"
    slot1_is_v2 "cut at $cut"
    sim_stop
done

e2e_log "--ctl power-cycle while an upload runs (flash timed like the nRF52840)"
cp "$E2E_TMP/base.bin" "$SIM_DIR/flash.bin"
sim_start --key "$key" --no-pty --flash-timing nrf52840
mgr -t 5 --json image upload "$v2" >"$E2E_TMP/first.json" 2>&1 &
client=$!
for _ in $(seq 400); do
    [ "$(sim_status flash.progs)" -gt 30 ] && break
    sleep 0.02
done
before=$(sim_status boot_count)
sim_ctl --ctl power-cycle >/dev/null
sim_ctl --ctl reset-stats >/dev/null
rc=0
wait "$client" || rc=$?
[ "$(sim_status boot_count)" -gt "$before" ] || e2e_fail "no power cycle"
if [ "$rc" != 0 ]; then
    out=$(mgr -t 5 --json image upload "$v2") || e2e_fail "the upload after the power cycle failed: $out"
fi
written=$(sim_status flash.bytes_programmed)
[ "$written" -lt $((n - 4096)) ] ||
    e2e_fail "after the power cycle $written bytes were programmed again: the upload started over"
e2e_log "after the power cycle only $written of $n bytes were programmed again"
slot1_is_v2 "power cycle"
sim_stop
echo PASS
