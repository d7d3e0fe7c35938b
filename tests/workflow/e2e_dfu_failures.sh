#!/usr/bin/env bash
# The failure paths of scripts/dfu_update.sh a technician meets in the
# field: device absent (serial and UDP), port busy, wrong baud, not in DFU
# mode, image too large, older version, bad signature (found by the device's
# bootloader, and locally with --key). Each gives the guide's hint, exits 1,
# leaves a failed dfu record, and the device keeps running v1.0.0.
set -euo pipefail
source "$SRC_DIR/tests/workflow/wf_lib.sh"

v1=$E2E_TMP/v1.0.0.bin v2=$E2E_TMP/v1.1.0.bin old=$E2E_TMP/v0.9.0.bin
wf_sign 1.0.0 "$v1"
wf_sign 1.1.0 "$v2"
wf_sign 0.9.0 "$old"
OTHER_KEY=$E2E_TMP/other.pem
"$IMGTOOL" keygen -k "$OTHER_KEY" -t ecdsa-p256
badsig=$E2E_TMP/v1.2.0-other-key.bin
wf_sign 1.2.0 "$badsig" 16384 "$OTHER_KEY"
big=$E2E_TMP/v2.0.0-big.bin
WF_SLOT_SIZE=0x100000 wf_sign 2.0.0 "$big" $((480 * 1024))
h1=$(wf_digest "$v1")

sim_provision "$v1"
sim_start --key "$KEY"
CONN=(--conntype udp --connstring "$SIM_UDP")

# expect_failure WHAT HINT DEVICE [BAUD] [-- script options]: the script
# fails with HINT in its output, records the failed attempt, and the board
# still runs v1.0.0 from slot 0.
expect_failure() {
    local what=$1 hint=$2 out rc=0 n_before
    shift 2
    wf_audit_load
    n_before=$(wf_audit_count dfu failed)
    out=$(bash "$SCRIPTS/dfu_update.sh" --confirm "$@" 2>&1 </dev/null) || rc=$?
    e2e_assert_eq 1 "$rc" "$what: exit code (output: $out)"
    e2e_assert_contains "$out" "$hint" "$what: hint"
    e2e_assert_contains "$out" "recorded in the audit trail" "$what: says it was recorded"
    wf_audit_load
    e2e_assert_eq $((n_before + 1)) "$(wf_audit_count dfu failed)" "$what: failed dfu records"
    e2e_assert_eq failed "$(wf_audit_field last outcome)" "$what: last record outcome"
    e2e_assert_eq ctest-operator "$(wf_audit_field last operator_name)" "$what: operator"
    e2e_assert_eq 1.0.0 "$(sim_status version)" "$what: the board keeps v1.0.0"
    e2e_assert_eq "$h1" "$(sim_status hash)" "$what: the board keeps v1.0.0's image"
    e2e_log "$what: refused as expected"
}

e2e_log "device absent (serial): no such port"
expect_failure "absent serial device" "ls -l /dev/ttyACM*" "$v2" "$E2E_TMP/ttyACM9" 115200
e2e_assert_contains "$(wf_audit_field last detail)" "no device at" "absent: detail"

e2e_log "device absent (UDP): nothing answers"
port=$(e2e_free_udp_port)
expect_failure "absent UDP device" "is mcusim running" "$v2" "udp:127.0.0.1:$port"
e2e_assert_eq "udp 127.0.0.1:$port" "$(wf_audit_field last connection)" "absent UDP: connection"

e2e_log "port busy: another program holds the pty"
sleep 60 <>"$SIM_TTY" &
holder=$!
E2E_PIDS+=("$holder")
expect_failure "port busy" "lsof $SIM_TTY" "$v2" "$SIM_TTY" 115200
e2e_assert_contains "$(wf_audit_field last detail)" "port busy" "busy: detail"
e2e_assert_contains "$(wf_audit_field last detail)" "$holder (sleep)" "busy: names the holder"
kill "$holder"
wait "$holder" 2>/dev/null || true

e2e_log "wrong baud: a rate the port cannot take"
expect_failure "wrong baud" "baud" "$v2" "$SIM_TTY" 12345
e2e_assert_contains "$(wf_audit_field last detail)" "baud rate mismatch" "baud: detail"

e2e_log "image too large for the slot"
expect_failure "image too large" "472" "$big" "udp:$SIM_UDP"
e2e_assert_contains "$(wf_audit_field last detail)" "too large" "too large: detail"
e2e_assert_contains "$(wf_audit_field last device)" "$(sim_status hwid)" "too large: device identity"
e2e_assert_eq 1.0.0 "$(wf_audit_field last version_before)" "too large: version before"

e2e_log "older version (no --force)"
expect_failure "older version" "--force" "$old" "udp:$SIM_UDP"
e2e_assert_contains "$(wf_audit_field last detail)" "not newer" "older: detail"
e2e_log "same version as running (no --force)"
expect_failure "same image" "--force" "$v1" "udp:$SIM_UDP"

e2e_log "bad signature, checked locally with --key"
expect_failure "bad signature (local)" "imgtool verify -k" "$badsig" "udp:$SIM_UDP" --key "$KEY"
e2e_assert_contains "$(wf_audit_field last detail)" "Image invalid" "local signature: detail"

e2e_log "bad signature, refused by the device (its last upload chunk is checked against the bootloader's keys)"
expect_failure "bad signature (device)" "imgtool verify -k" "$badsig" "udp:$SIM_UDP"
e2e_assert_contains "$(wf_audit_field last detail)" "does not trust" "device signature: detail"
e2e_assert_eq 1.0.0 "$(wf_audit_field last version_after)" "device signature: version after"
e2e_assert_eq "active confirmed" "$(wf_slot 0 flags)" "device signature: slot 0 still confirmed"

e2e_log "slot 1 pending from an unfinished update with another image"
v13=$E2E_TMP/v1.3.0.bin
wf_sign 1.3.0 "$v13"
"$MCUMGR" "${CONN[@]}" image upload "$v2" >/dev/null
"$MCUMGR" "${CONN[@]}" image test "$(wf_digest "$v2")" >/dev/null
expect_failure "slot 1 pending" "reset twice" "$v13" "udp:$SIM_UDP"
e2e_log "the same image pending: the script carries on from the reset"
out=$(bash "$SCRIPTS/dfu_update.sh" --confirm "$v2" "udp:$SIM_UDP" 2>&1) || e2e_fail "resume of a pending update: $out"
e2e_assert_contains "$out" "no upload needed" "resumed without uploading"
e2e_assert_eq 1.1.0 "$(sim_status version)" "resumed update runs"
sim_stop

e2e_log "not in DFU mode (board with the DFU gate)"
SIM_DIR=''
sim_provision "$v1"
sim_start --key "$KEY" --dfu-gate
CONN=(--conntype udp --connstring "$SIM_UDP")
expect_failure "not in DFU mode" "Press Button 1" "$v2" "udp:$SIM_UDP"
e2e_assert_contains "$(wf_audit_field last detail)" "not in DFU mode" "DFU: detail"
wf_audit_load
[ "$(wf_audit_count "dfu upload" failed)" -ge 1 ] || e2e_fail "no failed 'dfu upload' record"
e2e_log "after pressing button 1 the same update goes through"
sim_ctl --press-button 1 >/dev/null
bash "$SCRIPTS/dfu_update.sh" --confirm "$v2" "udp:$SIM_UDP" >/dev/null 2>&1 || e2e_fail "update in DFU mode"
e2e_assert_eq 1.1.0 "$(sim_status version)" "updated in DFU mode"
sim_stop

e2e_log "--force downgrade on a board with downgrade prevention: refused at boot"
SIM_DIR=
sim_provision "$v1"
sim_start --key "$KEY" --downgrade-prevention --no-pty
expect_failure "forced downgrade, prevention on" "downgrade prevention" "$old" "udp:$SIM_UDP" --force
e2e_log "--force downgrade on a board without it: v0.9.0 runs"
sim_restart --key "$KEY" --no-pty
out=$(bash "$SCRIPTS/dfu_update.sh" --confirm --force "$old" "udp:$SIM_UDP" 2>&1) || e2e_fail "forced downgrade: $out"
e2e_assert_contains "$out" "continuing because of --force" "forced downgrade warning"
e2e_assert_eq 0.9.0 "$(sim_status version)" "forced downgrade runs"

e2e_log "device still on trial from an earlier update: refused before any upload"
CONN=(--conntype udp --connstring "$SIM_UDP")
out=$(bash "$SCRIPTS/dfu_update.sh" --trial "$v2" "udp:$SIM_UDP" 2>&1) || e2e_fail "update left on trial: $out"
e2e_assert_eq 1.1.0 "$(sim_status version)" "v1.1.0 on trial"
s1_before=$(wf_slot 1 hash)
rc=0
out=$(bash "$SCRIPTS/dfu_update.sh" --confirm "$v13" "udp:$SIM_UDP" 2>&1 </dev/null) || rc=$?
e2e_assert_eq 1 "$rc" "on trial: exit code (output: $out)"
e2e_assert_contains "$out" "on trial (not confirmed)" "on trial: says why"
e2e_assert_contains "$out" "mcumgr image confirm" "on trial: hint"
case "$out" in *Uploading*) e2e_fail "on trial: something was uploaded: $out" ;; esac
e2e_assert_eq "$s1_before" "$(wf_slot 1 hash)" "on trial: the revert backup in slot 1 is untouched"
e2e_assert_eq 1.1.0 "$(sim_status version)" "on trial: the board keeps running v1.1.0"
"$MCUMGR" audit verify >/dev/null || e2e_fail "audit verify"
sim_stop
echo PASS
