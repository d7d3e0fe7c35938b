# Issue 15 item 8: errors that point the right way, each checked by its
# text: a truncated image, the device's reason said once, a v1 rc that is
# never read as a group code, a UDP port that refuses at once, and an
# interrupted upload the device no longer holds (the client says it starts
# over instead of promising a resume).
source "$(dirname "$0")/lib.sh"
need_images
LINK=udp
e2e_vector_or_own V1 ed25519_basic
e2e_vector_or_own V2 p300k_ed25519

provision_board "$V1"
# a paced line, fast enough to keep the test short, slow enough to interrupt
start_board --baud 921600
fast() { "$MCUMGR" --conntype serial --connstring "dev=$TTY,baud=921600" -t 5 "$@"; }

# ---- a truncated image says so, like imgtool verify, and sends nothing ----
size=$(stat -c %s "$V2")
for cut in 20 1000 $((size - 100)) $((size - 1)); do
    head -c "$cut" "$V2" >"$WORK/cut.bin"
    expect_fail "cut.bin: the image is truncated: its header and TLV area run past the end of the file \\($cut bytes\\)" \
        mm image upload "$WORK/cut.bin"
    grep -q 'not a signed MCUboot image' <<<"$LAST_OUT" && fail "truncated called not-an-image: $LAST_OUT"
done
head -c 4096 /dev/zero >"$WORK/zero.bin"
expect_fail 'zero.bin is not a signed MCUboot image' mm image upload "$WORK/zero.bin"

# ---- the device's reason is said once, in place of the generic text ----
zero=$(printf '%064d' 0)
expect_fail . mm image test "$zero"
e2e_assert_eq "$LAST_OUT" "Error: 8 (IMAGE HASH_NOT_FOUND): no image with this hash on the device" \
    "a device error with its reason"
expect_fail . mm image erase 0
e2e_assert_eq "$LAST_OUT" "Error: 6 (EBADSTATE): slot 0 holds the running image" "a generic rc with a reason"

# ---- SMP v1: the rc is a generic code, never a group's ----
expect_fail . mm --smp-v1 image test "$zero"
grep -qE '^Error: [0-9]+ \((EINVAL|ENOENT|EUNKNOWN)\)' <<<"$LAST_OUT" || fail "v1 rc: $LAST_OUT"
grep -q 'IMAGE' <<<"$LAST_OUT" && fail "a v1 rc printed with a group name: $LAST_OUT"

# ---- a UDP port nobody listens on refuses at once (no 60 s timeout) ----
free=$(e2e_free_udp_port)
expect_fail "^Error: nothing answers at 127.0.0.1:$free: .*refuses the datagrams" \
    "$MCUMGR" --conntype udp --connstring "127.0.0.1:$free" -t 60 image list
grep -q 'NMP timeout' <<<"$LAST_OUT" && fail "refused port reported as a timeout: $LAST_OUT"
grep -q 'Hint: start the board' <<<"$LAST_OUT" || fail "no hint for a refused port: $LAST_OUT"

# ---- an interrupted upload the device lost: the client says it starts over ----
# over the paced serial line the 300 KiB upload takes ~5 s: kill it early
# (mcumgr itself, not a function: $! must be the client's own pid)
"$MCUMGR" --conntype serial --connstring "dev=$TTY,baud=921600" image upload "$V2" \
    >"$WORK/first.out" 2>&1 &
client=$!
for _ in $(seq 200); do
    [ -s "$MCUTOOLS_STATE_DIR"/upload-* ] 2>/dev/null && break
    sleep 0.05
done
kill -9 "$client" 2>/dev/null || fail "the upload ended before the kill: $(cat "$WORK/first.out")"
wait "$client" 2>/dev/null
ls "$MCUTOOLS_STATE_DIR"/upload-* >/dev/null 2>&1 || fail "the interrupted upload was not remembered"
out=$(fast image erase 2>&1) || fail "erase after the kill: $out"
expect_out Done fast image upload "$V2"
grep -q 'note: the device no longer holds the interrupted upload (it had [0-9]* of '"$size"' bytes' \
    <<<"$LAST_OUT" || fail "no start-over note: $LAST_OUT"
grep -q 'resumed at' <<<"$LAST_OUT" && fail "claimed a resume: $LAST_OUT"
cmp "$V2" <(flash_bytes $SLOT1 "$size") || fail "slot 1 differs from the file"
# the same file again: the device holds it whole, nothing is sent
expect_out Done fast image upload "$V2"
grep -q 'the device already holds this image in full' <<<"$LAST_OUT" || fail "re-upload: $LAST_OUT"
grep -q 'interrupted' <<<"$LAST_OUT" && fail "a complete upload called interrupted: $LAST_OUT"
# ---- a request too large for the device: silence explained by the size it takes ----
long=$(head -c 600 /dev/zero | tr '\0' x)
expect_fail 'Hint: the device did not answer this [0-9]+-byte request but answers 380-byte ones: the request is too large for it' \
    "$MCUMGR" --conntype serial --connstring "dev=$TTY,baud=921600" -t 1 shell exec echo "$long"
stop_board
e2e_log "errors: ok"
