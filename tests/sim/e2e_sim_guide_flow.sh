#!/usr/bin/env bash
# The user's guide flow through the real mcumgr against mcusim (issue 4,
# acceptance 1), over UDP and over the pty: v1 confirmed in slot 0; upload
# v2; test; reset -> v2 runs unconfirmed with v1 in slot 1; reset without
# confirm -> v1 is back; again with confirm -> v2 stays across resets.
# Also: the flash holds the uploaded bytes, a board with a key refuses an
# unsigned image, and --dfu-gate refuses uploads until button 1.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
e2e_require_bin mcumgr mcusim imgtool

e2e_key_or_own key ed25519
e2e_vector_or_own v1 ed25519_basic         # 1.2.3.4
e2e_vector_or_own p300k p300k_ed25519      # 3.0.0.300
e2e_vector_or_own ver_partial ver_partial  # 2.7.0
e2e_vector_or_own unsigned unsigned_sha384 # hash only, no signature
e2e_image_hash v1_hash "$v1"

mgr() { "$MCUMGR" "${CONN[@]}" -t 5 "$@"; }

# slot_field SLOT FIELD: from `image list` (version, flags, hash)
slot_field() {
    mgr image list | awk -v s="slot=$1" -v f="$2:" '
        $0 ~ s {in_slot = 1; next}
        /slot=/ {in_slot = 0}
        in_slot && $1 == f {sub(/^[ \t]*[a-z]+:[ \t]*/, ""); print; exit}'
}

reset_and_wait() { # expected version after the reset
    local before
    before=$(sim_status boot_count)
    mgr reset >/dev/null
    for _ in $(seq 100); do
        [ "$(sim_status boot_count)" -gt "$before" ] && break
        sleep 0.05
    done
    e2e_assert_eq "$1" "$(sim_status version)" "version running after reset"
}

guide_flow() { # v2 image, v2 version
    local v2=$1 v2_ver=$2 v2_hash
    e2e_log "[$LINK] fresh board: v1 active confirmed, slot 1 empty"
    e2e_assert_eq 1.2.3.4 "$(slot_field 0 version)" "slot 0 version"
    e2e_assert_eq "active confirmed" "$(slot_field 0 flags)" "slot 0 flags"
    e2e_assert_eq "$v1_hash" "$(slot_field 0 hash)" "slot 0 hash"
    mgr image list | grep -q '<No image installed>' || e2e_fail "slot 1 not empty"
    mgr echo hello | grep -qx hello || e2e_fail "echo"

    e2e_log "[$LINK] upload v2: slot 1 holds the file byte for byte"
    mgr image upload "$v2" >/dev/null
    size=$(stat -c %s "$v2")
    cmp -n "$size" <(tail -c +$((0x82000 + 1)) "$SIM_DIR/flash.bin") "$v2" ||
        e2e_fail "slot 1 bytes differ from the uploaded file"
    e2e_assert_eq "$v2_ver" "$(slot_field 1 version)" "slot 1 version"
    v2_hash=$(slot_field 1 hash)

    e2e_log "[$LINK] test, reset: v2 runs unconfirmed, v1 waits in slot 1"
    mgr image test "$v2_hash" >/dev/null
    e2e_assert_eq pending "$(slot_field 1 flags)" "slot 1 flags after test"
    reset_and_wait "$v2_ver"
    e2e_assert_eq active "$(slot_field 0 flags)" "slot 0 flags on trial"
    e2e_assert_eq 1.2.3.4 "$(slot_field 1 version)" "slot 1 after the test swap"
    e2e_assert_eq test "$(sim_status swap_type)" "swap performed"

    e2e_log "[$LINK] reset without confirm: reverted to v1"
    reset_and_wait 1.2.3.4
    e2e_assert_eq revert "$(sim_status swap_type)" "swap performed"
    e2e_assert_eq "active confirmed" "$(slot_field 0 flags)" "slot 0 after revert"

    e2e_log "[$LINK] again, with confirm: v2 stays across resets"
    mgr image test "$v2_hash" >/dev/null
    reset_and_wait "$v2_ver"
    mgr image confirm >/dev/null
    e2e_assert_eq "active confirmed" "$(slot_field 0 flags)" "slot 0 after confirm"
    reset_and_wait "$v2_ver"
    reset_and_wait "$v2_ver"
    e2e_assert_eq none "$(sim_status swap_type)" "no swap after confirm"

    e2e_log "[$LINK] erase slot 1"
    mgr image erase >/dev/null
    mgr image list | grep -q '<No image installed>' || e2e_fail "slot 1 not erased"
}

LINK=udp
sim_provision "$v1"
sim_start --key "$key"
CONN=(--conntype udp --connstring "$SIM_UDP")
guide_flow "$p300k" 3.0.0.300
sim_stop

LINK=pty
SIM_DIR=
sim_provision "$v1"
sim_start --key "$key" --udp 0
CONN=(--conntype serial --connstring "dev=$SIM_TTY,baud=115200")
guide_flow "$ver_partial" 2.7.0
sim_stop

e2e_log "a board with a key refuses an unsigned image: its last chunk, its test"
SIM_DIR=
sim_provision "$v1"
sim_start --key "$key"
CONN=(--conntype udp --connstring "$SIM_UDP")
e2e_image_hash unsigned_hash "$unsigned"
rc=0; out=$(mgr image upload "$unsigned" 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "exit status of the refused upload"
e2e_assert_contains "$out" "not signed" "reason of the refused upload"
rc=0; out=$(mgr image test "$unsigned_hash" 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "exit status of the refused test"
e2e_assert_contains "$out" "not signed" "reason of the refused test"
reset_and_wait 1.2.3.4
sim_stop
# the bootloader's own check: mark it pending on a board without a key,
# then boot once with the key
sim_start --no-pty
CONN=(--conntype udp --connstring "$SIM_UDP")
mgr image test "$unsigned_hash" >/dev/null
sim_stop
e2e_assert_eq 1.2.3.4 "$(sim_boot_once version --key "$key")" "bootloader with a key"
grep -Eiq 'secondary slot is not valid|signature|refus' "$SIM_DIR/console.log" ||
    e2e_fail "no console message about the refused image"

e2e_log "--downgrade-prevention: an older image is refused, the newer one keeps running"
SIM_DIR=
sim_provision "$p300k"
sim_start --key "$key" --downgrade-prevention --no-pty
CONN=(--conntype udp --connstring "$SIM_UDP")
mgr image upload "$ver_partial" >/dev/null
old_hash=$(slot_field 1 hash)
if mgr image test "$old_hash" >/dev/null 2>&1; then
    reset_and_wait 3.0.0.300   # the server let it through: the bootloader refuses
fi
e2e_assert_eq 3.0.0.300 "$(sim_status version)" "version after a refused downgrade"
sim_stop
# the bootloader's own check: mark the old image pending on a board without
# the option, then boot once with it
sim_start --key "$key" --no-pty
CONN=(--conntype udp --connstring "$SIM_UDP")
mgr image test "$old_hash" >/dev/null
sim_stop
e2e_assert_eq 3.0.0.300 "$(sim_boot_once version --key "$key" --downgrade-prevention)" \
    "bootloader with downgrade prevention"
grep -Eiq 'downgrade|older|lower' "$SIM_DIR/console.log" ||
    e2e_fail "no console message about the refused downgrade"

# (an empty board's MCUboot serial recovery: e2e_sim_recovery.sh)

e2e_log "--dfu-gate: upload refused until button 1 is pressed"
SIM_DIR=
sim_provision "$v1"
sim_start --dfu-gate
CONN=(--conntype udp --connstring "$SIM_UDP")
if out=$(mgr image upload "$ver_partial" 2>&1); then
    e2e_fail "upload accepted outside DFU mode"
fi
e2e_assert_contains "$out" "button 1" "refusal names the button"
sim_ctl --press-button 1 >/dev/null
mgr image upload "$ver_partial" >/dev/null
e2e_assert_eq 2.7.0 "$(slot_field 1 version)" "upload in DFU mode"
echo PASS
