#!/usr/bin/env bash
# scripts/dfu_update.sh end to end, non-interactive, over UDP and the pty:
# --confirm keeps the new version across resets, --revert brings the old
# one back, --trial leaves it unconfirmed (a reset reverts). Each run is one
# dfu record (the script runs `mcumgr dfu`) with the right versions, hashes
# and device, next to the records of each step that changed the device; the
# chain verifies.
set -euo pipefail
source "$SRC_DIR/tests/workflow/wf_lib.sh"

v1=$E2E_TMP/v1.0.0.bin v2=$E2E_TMP/v1.1.0.bin
wf_sign 1.0.0 "$v1"
wf_sign 1.1.0 "$v2"
h1=$(wf_digest "$v1") h2=$(wf_digest "$v2")

e2e_log "UDP: update with --confirm"
sim_provision "$v1"
sim_start --key "$KEY" --no-pty
CONN=(--conntype udp --connstring "$SIM_UDP")
hwid=$(sim_status hwid)
out=$(bash "$SCRIPTS/dfu_update.sh" --confirm "$v2" "udp:$SIM_UDP" 2>&1) || e2e_fail "dfu_update --confirm failed: $out"
e2e_assert_contains "$out" "SUCCESS" "summary"
e2e_assert_contains "$out" "100.00%" "upload progress shown"
e2e_assert_eq 1.1.0 "$(sim_status version)" "running version"
e2e_assert_eq "active confirmed" "$(wf_slot 0 flags)" "slot 0 flags"
e2e_assert_eq 1.0.0 "$(wf_slot 1 version)" "old version kept in slot 1"
wf_reset_wait
e2e_assert_eq 1.1.0 "$(sim_status version)" "version after a further reset"
e2e_assert_eq none "$(sim_status swap_type)" "no swap after confirm"

e2e_log "UDP: the audit trail holds the update and each step"
wf_audit_load
e2e_assert_eq 1 "$(wf_audit_count dfu ok)" "dfu records"
id=$(wf_audit_ids dfu)
for f in version_before:1.0.0 version_after:1.1.0 hash_before:$h1 hash_after:$h2 image_hash:$h2 \
         outcome:ok operator_name:ctest-operator "connection:udp $SIM_UDP"; do
    e2e_assert_eq "${f#*:}" "$(wf_audit_field "$id" "${f%%:*}")" "dfu record $id ${f%%:*}"
done
e2e_assert_contains "$(wf_audit_field "$id" device)" "$hwid" "device identity"
e2e_assert_contains "$(wf_audit_field "$id" detail)" "confirmed" "detail"
for a in "dfu upload" "dfu test" "dfu reset" "dfu confirm"; do
    [ "$(wf_audit_count "$a" ok)" -ge 1 ] || e2e_fail "no '$a' record"
done
# the reset that booted the new image names both versions
rid=$(wf_audit_ids "dfu reset" | head -n 1)
e2e_assert_eq 1.0.0 "$(wf_audit_field "$rid" version_before)" "reset record: before"
e2e_assert_eq 1.1.0 "$(wf_audit_field "$rid" version_after)" "reset record: after"
e2e_assert_eq "$h2" "$(wf_audit_field "$(wf_audit_ids "dfu upload")" image_hash)" "upload record: image hash"
"$MCUMGR" audit verify >/dev/null || e2e_fail "audit verify after the update"
sim_stop

e2e_log "pty: --revert brings v1.0.0 back"
SIM_DIR=
sim_provision "$v1"
sim_start --key "$KEY" --udp 0
CONN=(--conntype serial --connstring "dev=$SIM_TTY,baud=115200")
out=$(bash "$SCRIPTS/dfu_update.sh" --revert "$v2" "$SIM_TTY" 115200 2>&1) || e2e_fail "dfu_update --revert failed: $out"
e2e_assert_contains "$out" "REVERTED" "summary"
e2e_assert_eq 1.0.0 "$(sim_status version)" "running version after revert"
e2e_assert_eq "active confirmed" "$(wf_slot 0 flags)" "slot 0 flags after revert"
e2e_assert_eq revert "$(sim_status swap_type)" "the bootloader reverted"
wf_audit_load
e2e_assert_eq dfu "$(wf_audit_field last action)" "last record"
e2e_assert_eq ok "$(wf_audit_field last outcome)" "revert outcome"
e2e_assert_eq 1.0.0 "$(wf_audit_field last version_after)" "revert record: after"
e2e_assert_contains "$(wf_audit_field last detail)" "reverted" "revert detail"

e2e_log "pty (state-folder tty link): --trial leaves v1.1.0 unconfirmed; a reset reverts"
out=$(bash "$SCRIPTS/dfu_update.sh" --trial "$v2" "$SIM_TTY_LINK" 2>&1) || e2e_fail "dfu_update --trial failed: $out"
e2e_assert_contains "$out" "ON TRIAL" "summary"
e2e_assert_eq 1.1.0 "$(sim_status version)" "running version on trial"
e2e_assert_eq active "$(wf_slot 0 flags)" "slot 0 flags on trial"
wf_audit_load
e2e_assert_eq 1.1.0 "$(wf_audit_field last version_after)" "trial record: after"
wf_reset_wait
e2e_assert_eq 1.0.0 "$(sim_status version)" "reset without confirm reverts"

e2e_log "no terminal and no decision: left on trial"
out=$(bash "$SCRIPTS/dfu_update.sh" "$v2" "$SIM_TTY" </dev/null 2>&1) || e2e_fail "dfu_update (no decision) failed: $out"
e2e_assert_contains "$out" "no terminal to ask on" "explains the default"
e2e_assert_eq active "$(wf_slot 0 flags)" "left unconfirmed"
wf_reset_wait
e2e_assert_eq 1.0.0 "$(sim_status version)" "trial reverted by a reset"

if command -v script >/dev/null; then
    e2e_log "on a terminal the operator is asked (an unknown answer asks again)"
    out=$(printf 'x\nc\n' | script -qec "bash '$SCRIPTS/dfu_update.sh' '$v2' '$SIM_TTY'" /dev/null 2>&1) ||
        e2e_fail "interactive dfu_update failed: $out"
    [ "$(grep -o 'Keep v1.1.0?' <<<"$out" | wc -l)" -eq 2 ] || e2e_fail "expected the question twice: $out"
    e2e_assert_eq "active confirmed" "$(wf_slot 0 flags)" "confirmed on the terminal"
    e2e_assert_eq 1.1.0 "$(sim_status version)" "version after the interactive update"
    expected=5
else
    expected=4
fi
wf_audit_load
e2e_assert_eq "$expected" "$(wf_audit_count dfu ok)" "dfu records"
"$MCUMGR" audit verify >/dev/null || e2e_fail "audit verify at the end"
sim_stop
echo PASS
