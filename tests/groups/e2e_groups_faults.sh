# File transfers on bad links: an fs upload whose client is killed half-way
# resumes on the next run (pty), and uploads/downloads over a UDP link that
# drops datagrams end byte-identical thanks to retries (the device answers
# a repeated chunk with the offset it expects).
source "$(dirname "$0")/lib.sh"

# ---- resume after a killed client (the pty stalls after 30000 bytes) ----
groups_board_start --stall-after 30000:2500
head -c 60000 /dev/urandom >"$E2E_TMP/log.bin"
# mcumgr itself, not mm: $! must be the client's own pid
"$MCUMGR" --conntype serial --connstring "dev=$SIM_TTY_LINK" -t 5 \
    fs upload "$E2E_TMP/log.bin" /lfs/log.bin >"$E2E_TMP/first.out" 2>&1 &
client=$!
for _ in $(seq 100); do
    [ -s "$SIM_DIR/fs/lfs/log.bin" ] && break
    sleep 0.05
done
sleep 1
kill -9 "$client" 2>/dev/null || e2e_fail "the first upload ended before the kill: $(cat "$E2E_TMP/first.out")"
wait "$client" 2>/dev/null
sleep 2 # the stall ends; the board may still write what it had received
part=$(stat -c %s "$SIM_DIR/fs/lfs/log.bin")
[ "$part" -gt 0 ] && [ "$part" -lt 60000 ] || e2e_fail "no partial file on the board ($part bytes)"
LINK=serial
OUT=$(mm fs upload "$E2E_TMP/log.bin" /lfs/log.bin 2>&1) || e2e_fail "second upload: $OUT"
has "resumed at byte $part of 60000"
has '^Done$'
# the bar's first figure is past the kept part: nothing was sent again
first=$(grep -m1 -oE '^[0-9.]+ KiB' <<<"$OUT" | cut -d' ' -f1)
awk -v f="$first" -v p="$part" 'BEGIN { exit !(f * 1024 > p) }' || e2e_fail "the upload started over: $OUT"
cmp "$E2E_TMP/log.bin" "$SIM_DIR/fs/lfs/log.bin" || e2e_fail "the resumed file differs"
sim_stop

# ---- a lossy UDP link: retries keep the transfer exact ----
SIM_DIR=
groups_board_start --udp-faults drop=0.15,seed=11
head -c 40000 /dev/urandom >"$E2E_TMP/cal.bin"
lossy() { "$MCUMGR" --conntype udp --connstring "$SIM_UDP" -t 0.3 -r 10 "$@"; }
OUT=$(lossy fs upload "$E2E_TMP/cal.bin" /lfs/cal.bin 2>&1) || e2e_fail "lossy upload: $OUT"
cmp "$E2E_TMP/cal.bin" "$SIM_DIR/fs/lfs/cal.bin" || e2e_fail "the uploaded file differs"
OUT=$(lossy fs download /lfs/cal.bin "$E2E_TMP/cal.back" 2>&1) || e2e_fail "lossy download: $OUT"
cmp "$E2E_TMP/cal.bin" "$E2E_TMP/cal.back" || e2e_fail "the downloaded file differs"
OUT=$(lossy fs hash /lfs/cal.bin sha256 2>&1) || e2e_fail "lossy hash: $OUT"
has "^output: $(sha256sum "$E2E_TMP/cal.bin" | cut -d' ' -f1)$"
# the link really lost datagrams (when the board reports it)
dropped=$( (sim_status faults.udp_rx.dropped; sim_status faults.udp_tx.dropped) 2>/dev/null |
          awk '{s += $1} END {print s + 0}')
[ "$dropped" -gt 0 ] || e2e_log "note: the board reports no dropped datagrams"
sim_stop
e2e_log "faults: ok (resumed at $part; udp datagrams dropped by the board: $dropped)"
