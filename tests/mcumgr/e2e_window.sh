# Issue 7: the window and chunk options are honoured, counted at the board
# (requests in flight on its UART), and the automatic window stays within
# the device's buffers (buf_count - 1).
source "$(dirname "$0")/lib.sh"
need_images
LINK=serial
e2e_vector_or_own V1 ed25519_basic
e2e_vector_or_own V2 p300k_ed25519
LEN=$(stat -c %s "$V2")

provision_board "$V1"
start_board

expect_out '^buf_count: 4$' mm params
expect_out '^Done$' mm -v image upload --window 2 --chunk-size 128 "$V2"
grep -q 'chunk size 128 bytes, window up to 2' <<<"$LAST_OUT" || fail "options not taken: $LAST_OUT"
MAX=$(sim_status uart.max_inflight)
[ "$MAX" -le 2 ] && [ "$MAX" -ge 2 ] || fail "window 2: the board saw $MAX requests in flight"
cmp <(flash_bytes $SLOT1 "$LEN") "$V2" || fail "slot 1 differs (window 2, chunk 128)"

# automatic: as large as the buffer allows, window buf_count - 1
expect_out '^Done$' mm image erase 1
sim_restart
TTY="$SIM_TTY_LINK"
expect_out '^Done$' mm -v image upload "$V2"
grep -q 'window up to 3' <<<"$LAST_OUT" || fail "automatic window: $LAST_OUT"
MAX=$(sim_status uart.max_inflight)
[ "$MAX" -le 3 ] || fail "automatic window: the board saw $MAX requests in flight (buf_count 4)"
cmp <(flash_bytes $SLOT1 "$LEN") "$V2" || fail "slot 1 differs (automatic)"
echo "window: ok"
