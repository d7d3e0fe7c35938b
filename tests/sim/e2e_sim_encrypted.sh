#!/usr/bin/env bash
# An encrypted update end to end: images encrypted for the board's X25519
# (or P-256) key (imgtool sign -E) go through mcumgr upload / test / reset like any
# other. The board's bootloader decrypts into slot 0 (the flash then holds
# the plaintext body), keeps the old image re-encrypted in slot 1, reverts
# on a reset without confirm, and stays on the new image after a confirm.
# A board without the decryption key refuses the image and keeps its own.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
e2e_require_bin mcumgr mcusim imgtool

# Ed25519 signs with X25519 encryption; with the mbedTLS port (no Ed25519)
# P-256 signs with P-256 (ECIES) encryption: imgtool pairs the two types
e2e_own_key sign_key ed25519
if e2e_has_ed25519; then enc_type=x25519; else enc_type=ecdsa-p256; fi
enc_key=$E2E_TMP/enc.pem enc_pub=$E2E_TMP/enc.pub.pem
"$IMGTOOL" keygen -k "$enc_key" -t "$enc_type"
"$IMGTOOL" getpub -k "$enc_key" -e pem -o "$enc_pub"

v1=$E2E_TMP/v1.0.0.bin v2=$E2E_TMP/v1.1.0-enc.bin
e2e_signed_image 1.0.0 "$v1" 20000 "$sign_key"
e2e_signed_image 1.1.0 "$v2" 20000 "$sign_key" -E "$enc_pub"
plain=$E2E_TMP/own/fw-1.1.0-20000.bin   # the payload e2e_signed_image signed
e2e_image_hash v1_hash "$v1"

mgr() { "$MCUMGR" --conntype udp --connstring "$SIM_UDP" -t 5 "$@"; }
reset_and_wait() { # expected version after the reset
    local before
    before=$(sim_status boot_count)
    mgr reset >/dev/null
    sim_wait_reset "$before"
    e2e_assert_eq "$1" "$(sim_status version)" "version running after reset"
}
# slot_hash SLOT: the image hash `image list` shows (an encrypted image's
# hash covers its plaintext, so only the device side can tell it)
slot_hash() {
    mgr image list | awk -v s="slot=$1" '$0 ~ s {in_slot = 1; next} /slot=/ {in_slot = 0}
        in_slot && $1 == "hash:" {print $2; exit}'
}
# slot 0's body: the 0x200-byte header is followed by the payload
slot0_body() { dd if="$SIM_DIR/flash.bin" bs=1 skip=$((0xC000 + 0x200)) count="$(stat -c %s "$plain")" status=none; }

e2e_log "the ciphertext differs from the payload"
if cmp -s <(dd if="$v2" bs=1 skip=$((0x200)) count="$(stat -c %s "$plain")" status=none) "$plain"; then
    e2e_fail "imgtool -E left the body in plaintext"
fi

e2e_log "board with the decryption key: test, revert, then confirm"
sim_provision "$v1"
sim_start --key "$sign_key" --enc-key "$enc_key" --no-pty
mgr image upload "$v2" >/dev/null
v2_hash=$(slot_hash 1)
[ -n "$v2_hash" ] || e2e_fail "slot 1 shows no hash after the upload"
cmp <(dd if="$SIM_DIR/flash.bin" bs=1 skip=$((0x82000)) count="$(stat -c %s "$v2")" status=none) "$v2" ||
    e2e_fail "slot 1 does not hold the uploaded ciphertext"
mgr image test "$v2_hash" >/dev/null
reset_and_wait 1.1.0
e2e_assert_eq "$v2_hash" "$(sim_status hash)" "the running hash is the image's (plaintext) hash"
cmp <(slot0_body) "$plain" || e2e_fail "slot 0 does not hold the decrypted payload"
sim_wait_log "Swap type: test" >/dev/null
reset_and_wait 1.0.0
e2e_assert_eq "$v1_hash" "$(sim_status hash)" "revert restores v1.0.0"
mgr image test "$v2_hash" >/dev/null
reset_and_wait 1.1.0
mgr image confirm >/dev/null
reset_and_wait 1.1.0
reset_and_wait 1.1.0
cmp <(slot0_body) "$plain" || e2e_fail "slot 0 lost the decrypted payload after confirm"
sim_stop

e2e_log "board without the key: refused, v1.0.0 keeps running"
SIM_DIR=
sim_provision "$v1"
sim_start --key "$sign_key" --no-pty
mgr image upload "$v2" >/dev/null
mgr image test "$v2_hash" >/dev/null
reset_and_wait 1.0.0
e2e_assert_eq "$v1_hash" "$(sim_status hash)" "the board keeps its own image"
grep -q "encrypted" "$SIM_DIR/console.log" || e2e_fail "no console line about the encrypted image"
sim_stop
echo PASS
