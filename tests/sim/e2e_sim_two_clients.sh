#!/usr/bin/env bash
# Two clients at once (issue 15): while one `mcumgr image upload` runs, a
# second one of another image is refused with EBUSY "busy: another upload
# is in progress", and `image list` (a third client) does not show slot 1,
# which holds part of the first image and part of whatever was there.
# Once the first upload is done, the second goes through.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
e2e_require_bin mcumgr mcusim imgtool

e2e_own_key key ed25519
v1=$E2E_TMP/v1.bin
a=$E2E_TMP/a.bin
b=$E2E_TMP/b.bin
e2e_signed_image 1.0.0 "$v1" 4000 "$key"
e2e_signed_image 2.0.0 "$a" 200000 "$key"
e2e_signed_image 3.0.0 "$b" 200000 "$key"

mgr() { "$MCUMGR" --conntype udp --connstring "$SIM_UDP" -t 5 "$@"; }
slot1_is() {
    local n
    n=$(stat -c %s "$1")
    cmp -n "$n" <(tail -c +$((0x82000 + 1)) "$SIM_DIR/flash.bin") "$1" ||
        e2e_fail "slot 1 differs from $1"
}

sim_provision "$v1"
# the flash takes an nRF52840's time: the first upload lasts seconds
sim_start --key "$key" --no-pty --flash-timing nrf52840
e2e_log "slot 1 first holds b, then a is uploaded over it by client 1"
mgr image upload "$b" >/dev/null
mgr image upload "$a" >"$E2E_TMP/a.out" 2>&1 &
client=$!
for _ in $(seq 500); do
    [ "$(sim_status flash.erases)" -gt 8 ] && break
    sleep 0.02
done
kill -0 "$client" 2>/dev/null || e2e_fail "client 1 finished before the others could try"

e2e_log "client 2: another image is busy; client 3: slot 1 is not listed"
rc=0
out=$(mgr image upload "$b" 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "exit status of the second upload"
e2e_assert_contains "$out" "busy: another upload is in progress" "reason of the second upload"
listing=$(mgr image list)
kill -0 "$client" 2>/dev/null || e2e_fail "client 1 finished while the others tried"
! awk '/slot=1/ {getline; print; exit}' <<<"$listing" | grep -q 'version:' ||
    e2e_fail "slot 1 listed while an upload is incomplete: $listing"

wait "$client" || e2e_fail "client 1's upload failed: $(cat "$E2E_TMP/a.out")"
slot1_is "$a"
e2e_log "client 1 is done: client 2 may upload now"
mgr image upload "$b" >/dev/null
slot1_is "$b"
sim_stop
echo PASS
