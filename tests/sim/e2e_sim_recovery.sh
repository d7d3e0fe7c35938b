#!/usr/bin/env bash
# MCUboot serial recovery on a board with nothing to boot (issue 15): the
# bootloader answers on the UART, and only what MCUboot's recovery answers.
# `mcumgr image upload` writes slot 0 directly, `image list` shows it
# there, `mcumgr reset` makes the bootloader boot it, and slot 0's bytes
# are the file's. OS info, parameters, bootloader info, image test and
# erase, and the other groups answer ENOTSUP; UDP stays silent.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
e2e_require_bin mcumgr mcusim imgtool

e2e_own_key key ed25519
app=$E2E_TMP/app.bin
e2e_signed_image 1.4.0 "$app" 30000 "$key"
e2e_image_hash app_hash "$app"

mgr() { "$MCUMGR" --conntype serial --connstring "dev=$SIM_TTY_LINK,baud=115200" -t 5 "$@"; }

# refused CODE_REGEX ARGS...: mcumgr fails with that device error
refused() {
    local want=$1 out rc=0
    shift
    out=$(mgr "$@" 2>&1) || rc=$?
    [ "$rc" = 1 ] || e2e_fail "'$*' in recovery: exit $rc ($out)"
    grep -Eq "$want" <<<"$out" || e2e_fail "'$*' in recovery: $out"
}

e2e_log "a fresh board without --provision: nothing boots, recovery serves the UART"
sim_start --key "$key"
e2e_assert_eq false "$(sim_status running)" "nothing runs on an empty flash"
grep -q 'serial recovery' "$SIM_DIR/console.log" || e2e_fail "no recovery line on the console"
e2e_assert_eq 1024 "$(sim_status uart.buf_size)" "recovery receive buffer (BOOT_SERIAL_MAX_RECEIVE_SIZE)"
mgr echo recovery | grep -qx recovery || e2e_fail "echo in recovery"
refused 'Error: 8 \(ENOTSUP\)' os info
refused 'Error: 8 \(ENOTSUP\)' params
refused 'Error: 8 \(ENOTSUP\)' bootloader
refused 'Error: 8 \(ENOTSUP\)' stat list
refused 'Error: 8 \(ENOTSUP\)' image erase
refused 'Error: 8 \(ENOTSUP\)' image test "$app_hash"
if "$MCUMGR" --conntype udp --connstring "$SIM_UDP" -t 1 echo hi >/dev/null 2>&1; then
    e2e_fail "UDP answered although only the bootloader runs"
fi
# slot_empty SLOT LISTING: the listing shows no image in that slot
slot_empty() {
    ! awk -v s="slot=$1" '$0 ~ s {getline; print; exit}' <<<"$2" | grep -q 'version:'
}
listing=$(mgr image list)
slot_empty 0 "$listing" && slot_empty 1 "$listing" || e2e_fail "an empty flash lists an image: $listing"

e2e_log "upload: slot 0 receives the file, image list shows it in slot 0"
mgr image upload "$app" >/dev/null
n=$(stat -c %s "$app")
cmp -n "$n" <(tail -c +$((0xC000 + 1)) "$SIM_DIR/flash.bin") "$app" ||
    e2e_fail "slot 0 bytes differ from the uploaded file"
cmp -n 64 <(tail -c +$((0x82000 + 1)) "$SIM_DIR/flash.bin") <(head -c 64 /dev/zero | tr '\0' '\377') ||
    e2e_fail "the recovery upload touched slot 1"
listing=$(mgr image list)
awk '/slot=0/ {s = 1} s && $1 == "version:" {print $2; exit}' <<<"$listing" | grep -qx 1.4.0 ||
    e2e_fail "slot 0 not listed with version 1.4.0: $listing"
awk '/slot=0/ {s = 1} s && $1 == "hash:" {print $2; exit}' <<<"$listing" | grep -qx "$app_hash" ||
    e2e_fail "slot 0 not listed with the image hash: $listing"
slot_empty 1 "$listing" || e2e_fail "slot 1 listed after a recovery upload: $listing"

e2e_log "reset: the bootloader validates slot 0 and boots it"
before=$(sim_status boot_count)
mgr reset >/dev/null
sim_wait_reset "$before"
e2e_assert_eq true "$(sim_status running)" "firmware runs after the recovery upload"
e2e_assert_eq 1.4.0 "$(sim_status version)" "version booted"
mgr os info r | grep -qx 1.4.0 || e2e_fail "the application does not answer os info"
e2e_assert_eq 2048 "$(sim_status udp.buf_size)" "the application's UDP buffer"
"$MCUMGR" --conntype udp --connstring "$SIM_UDP" -t 5 echo app | grep -qx app ||
    e2e_fail "the application does not answer on UDP"
listing=$("$MCUMGR" --conntype udp --connstring "$SIM_UDP" -t 5 image list)
awk '/slot=0/ {s = 1} s && $1 == "flags:" {sub(/^[ \t]*flags:[ \t]*/, ""); print; exit}' <<<"$listing" |
    grep -qx 'active confirmed' || e2e_fail "slot 0 not active confirmed: $listing"
cmp -n "$n" <(tail -c +$((0xC000 + 1)) "$SIM_DIR/flash.bin") "$app" ||
    e2e_fail "slot 0 changed at boot"
sim_stop

e2e_log "an image the bootloader refuses (another key) is not listed; the board stays in recovery"
SIM_DIR=
e2e_own_key other ecp256
e2e_signed_image 1.5.0 "$E2E_TMP/other.bin" 3000 "$other"
sim_start --key "$key"
mgr image upload "$E2E_TMP/other.bin" >/dev/null
listing=$(mgr image list)
slot_empty 0 "$listing" || e2e_fail "an image signed by an untrusted key is listed: $listing"
before=$(sim_status boot_count)
mgr reset >/dev/null
sim_wait_reset "$before"
e2e_assert_eq false "$(sim_status running)" "an untrusted image booted"
mgr echo still | grep -qx still || e2e_fail "recovery after the refused image"
sim_stop
echo PASS
