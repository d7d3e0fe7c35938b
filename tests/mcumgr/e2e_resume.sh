# Issue 3 acceptance 3: an upload whose client is killed half-way resumes
# from the device's offset when the same command runs again, and the slot
# ends up byte-identical to the file. The board stalls its pty after
# 120000 bytes, so the kill always lands mid-upload.
source "$(dirname "$0")/lib.sh"
need_images
LINK=serial
e2e_vector_or_own V1 ed25519_basic
e2e_vector_or_own V2 p300k_ed25519

provision_board "$V1"
start_board --stall-after 120000:2500

# mcumgr itself, not the mm function: $! must be the client's own pid
"$MCUMGR" --conntype serial --connstring "dev=$TTY" -t 5 image upload "$V2" >"$WORK/first.out" 2>&1 &
CLIENT=$!
# wait until the board has stalled (the client is then stuck mid-upload)
for _ in $(seq 1 100); do
    [ "$(flash_bytes $SLOT1 4 | xxd -p)" != ffffffff ] && break
    sleep 0.05
done
sleep 1
kill -9 "$CLIENT" 2>/dev/null || fail "the first upload finished before the kill: $(cat "$WORK/first.out")"
wait "$CLIENT" 2>/dev/null

# the stall ends; the same command again continues where the device is
expect_out '^Done$' mm -v image upload "$V2"
grep -qE 'resumed at byte [1-9][0-9]* of' <<<"$LAST_OUT" || fail "did not resume: $LAST_OUT"
LEN=$(stat -c %s "$V2")
cmp <(flash_bytes $SLOT1 "$LEN") "$V2" || fail "slot 1 differs from the file after resume"
echo "resume: ok ($(grep -o 'resumed at byte [0-9]*' <<<"$LAST_OUT"))"
