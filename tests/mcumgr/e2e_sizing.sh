# Issue 15 acceptance 2: `image upload` with no flags completes and slot 1
# ends byte-identical on serial boards with buf_size 256, 384, 1024 and
# 2048 (requests of exactly buf_size - 4 bytes, none dropped), on a board
# that reports a larger buf_size than it takes, and on one without
# `params`. `-v` says which size was chosen and why.
source "$(dirname "$0")/lib.sh"
need_images
e2e_own_key KEY ed25519
e2e_signed_image 1.0.0 "$WORK/v1.bin" 20000 "$KEY"
e2e_signed_image 1.1.0 "$WORK/v2.bin" 60000 "$KEY"
size=$(stat -c %s "$WORK/v2.bin")

# upload_on NAME [mcusim options]: a fresh board, a no-flags upload over
# its pty; sets OUT (mcumgr's output)
upload_on() {
    local name=$1
    shift
    SIM_DIR=
    provision_board "$WORK/v1.bin"
    start_board "$@"
    OUT=$("$MCUMGR" --conntype serial --connstring "dev=$TTY,baud=115200" -v image upload \
          "$WORK/v2.bin" 2>&1) || fail "$name: upload failed: $OUT"
    grep -q '^Done$' <<<"$OUT" || fail "$name: no Done: $OUT"
    cmp "$WORK/v2.bin" <(flash_bytes $SLOT1 "$size") || fail "$name: slot 1 differs from the file"
}

for bs in 256 384 1024 2048; do
    upload_on "buf_size $bs" --buf-size "$bs"
    want=$((bs - 4))
    grep -q "request size $want bytes: the device's buffer is $bs bytes (serial framing takes 4); a $want-byte request was answered" \
        <<<"$OUT" || fail "buf_size $bs: $OUT"
    e2e_assert_eq 0 "$(sim_status uart.dropped_too_big)" "buf_size $bs: requests dropped as too big"
    stop_board
done

# a board that reports 1024 but takes 384: one probe lost, then 256 bytes
upload_on misreporting --buf-size 384 --report-buf-size 1024
grep -q 'request size 256 bytes: the device.s buffer is 1024 bytes (serial framing takes 4), but a 1020-byte request got no answer; a 256-byte one was' \
    <<<"$OUT" || fail "misreporting: $OUT"
e2e_assert_eq 1 "$(sim_status uart.dropped_too_big)" "misreporting: only the probe is dropped"
stop_board

# old firmware without params: the safe 256, one request at a time
upload_on "no params" --no-params
grep -q 'request size 256 bytes: the device does not report its buffer; 256 bytes is the safe default; a 256-byte request was answered' \
    <<<"$OUT" || fail "no params: $OUT"
grep -q 'window up to 1$' <<<"$OUT" || fail "no params: not stop-and-wait: $OUT"
stop_board
e2e_log "sizing: ok"
