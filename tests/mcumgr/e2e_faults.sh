# Issue 7: uploads over a bad link complete byte-identical, or fail with a
# clear message and then resume: corrupted, dropped, duplicated and delayed
# bytes on the pty, lost datagrams on UDP, and an unplugged cable.
source "$(dirname "$0")/lib.sh"
need_vectors
V1="$VEC/signed/ed25519_basic.bin"
V2="$VEC/signed/p300k_ed25519.bin"
LEN=$(stat -c %s "$V2")

fresh_board() {
    sim_stop
    SIM_DIR=
    provision_board "$V1"
    start_board "$@"
}

for spec in corrupt=0.01 drop=0.01 dup=0.02 delay=0.01:50; do
    fresh_board --uart-faults "$spec"
    LINK=serial expect_out '^Done$' mm -r 3 image upload "$V2"
    cmp <(flash_bytes $SLOT1 "$LEN") "$V2" || fail "pty $spec: slot 1 differs"
    e2e_log "pty $spec: identical"
done

fresh_board --udp-faults drop=0.05
LINK=udp expect_out '^Done$' mm image upload "$V2"
cmp <(flash_bytes $SLOT1 "$LEN") "$V2" || fail "udp drop: slot 1 differs"
e2e_log "udp drop=0.05: identical"

# unplugged half-way: a clear error, then the same command resumes
fresh_board --unplug-after 150000:300
LINK=serial expect_fail 'connection to the device was lost' mm image upload "$V2"
sleep 0.5
LINK=serial expect_out '^Done$' mm -v image upload "$V2"
grep -qE 'resumed at byte [1-9]' <<<"$LAST_OUT" || fail "unplug: no resume: $LAST_OUT"
cmp <(flash_bytes $SLOT1 "$LEN") "$V2" || fail "unplug: slot 1 differs"
e2e_log "unplug: resumed, identical"
