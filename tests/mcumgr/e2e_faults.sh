# Issue 7: uploads over a bad link complete byte-identical, or fail with a
# clear message and then resume: corrupted, dropped, duplicated and delayed
# bytes on the pty, lost datagrams on UDP, and an unplugged cable.
source "$(dirname "$0")/lib.sh"
need_images
e2e_vector_or_own V1 ed25519_basic
e2e_vector_or_own V2 p300k_ed25519
LEN=$(stat -c %s "$V2")

# same_as_file WHAT: slot 1 holds $V2, else fail with where it differs
same_as_file() {
    cmp <(flash_bytes $SLOT1 "$LEN") "$V2" >/dev/null && return 0
    local diffs
    diffs="$(cmp -l <(flash_bytes $SLOT1 "$LEN") "$V2" | awk 'NR==1{first=$1} END{print NR " bytes differ, first at " first-1}')"
    fail "$1: slot 1 differs from the file ($diffs); mcumgr said: $LAST_OUT"
}

fresh_board() {
    sim_stop
    SIM_DIR=
    provision_board "$V1"
    start_board "$@"
}

for spec in corrupt=0.01 drop=0.01 dup=0.02 delay=0.01:50; do
    fresh_board --uart-faults "$spec"
    LINK=serial expect_out '^Done$' mm -v -r 3 image upload "$V2"
    same_as_file "pty $spec"
    e2e_log "pty $spec: identical"
done

fresh_board --udp-faults drop=0.05
LINK=udp expect_out '^Done$' mm -v image upload "$V2"
same_as_file "udp drop"
e2e_log "udp drop=0.05: identical"

# unplugged half-way: a clear error, then the same command resumes
fresh_board --unplug-after 150000:300
LINK=serial expect_fail 'connection to the device was lost' mm image upload "$V2"
sleep 0.5
LINK=serial expect_out '^Done$' mm -v image upload "$V2"
grep -qE 'resumed at byte [1-9]' <<<"$LAST_OUT" || fail "unplug: no resume: $LAST_OUT"
same_as_file "unplug"
e2e_log "unplug: resumed, identical"
