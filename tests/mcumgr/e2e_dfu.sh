# `mcumgr dfu` (issue 14, the engine in src/dfu): the checked update on a
# real board: confirm (stays across resets), revert (the old image runs
# again), trial (the next update is refused until it is settled), and the
# refusals of the preflight (wrong key, not newer, already running) that
# send nothing; an image the board does not trust fails at upload and the
# old image keeps running. --json is a stream of events, one per line.
source "$(dirname "$0")/lib.sh"
need_images
e2e_own_key KEY ed25519
e2e_own_key OTHER ecp256
e2e_signed_image 1.0.0 "$WORK/v1.bin" 20000 "$KEY"
e2e_signed_image 1.1.0 "$WORK/v2.bin" 40000 "$KEY"
e2e_signed_image 1.2.0 "$WORK/v3.bin" 40000 "$KEY" --sig-out "$WORK/v3.sig"
e2e_signed_image 1.3.0 "$WORK/alien.bin" 30000 "$OTHER"
hash_of() { e2e_image_hash H "$1"; echo "$H"; }
running() { mm image list | awk '/slot=0/ {s=1} s && /version:/ {print $2; exit}'; }

provision_board "$WORK/v1.bin"
start_board --key "$KEY"
LINK=serial

# ---- confirm: v1 -> v2, still v2 after another reset ----
expect_out '^SUCCESS: monitor-07 (.*) now runs v1.1.0 \(confirmed\)\.$' \
    mm dfu --confirm --key "$KEY" --device-name monitor-07 "$WORK/v2.bin"
grep -q '^verify    runs 1.1.0$' <<<"$LAST_OUT" || fail "no verify line: $LAST_OUT"
grep -q '^decide    confirmed' <<<"$LAST_OUT" || fail "no confirm line: $LAST_OUT"
# one record per step that changed the device, then the run's own
acts=$("$MCUMGR" audit export --json | python3 -c 'import json, sys
print(" ".join(r["action"] + ":" + r["outcome"] for r in json.load(sys.stdin)))')
e2e_assert_eq "dfu upload:ok dfu test:ok dfu reset:ok dfu confirm:ok dfu:ok" "$acts" "the records of the first run"
# they name the board as the user knows it (--device-name) and keep what it told (its hardware id)
hw=$("$MCUSIM" --state "$SIM_DIR" --status | python3 -c 'import json,sys; print(json.load(sys.stdin)["hwid"])')
for id in monitor-07 "$hw"; do
    devs=$("$MCUMGR" --json audit list --device "$id" | python3 -c 'import json, sys
print(" | ".join(sorted({r["device"] for r in json.load(sys.stdin)})))')
    [[ "$devs" == "monitor-07 ("*"$hw"*")" ]] || fail "audit list --device $id: $devs"
done
expect_out . mm reset --wait
e2e_assert_eq 1.1.0 "$(running)" "confirmed image after a reset"

# ---- preflight refusals: nothing is sent ----
slot1_before=$(flash_bytes $SLOT1 $SLOT_SIZE | sha256sum)
expect_fail '^Error: preflight: Image invalid or failed to verify: the image is not signed by .*ecp256\.pem' \
    mm dfu --key "$OTHER" "$WORK/v3.bin"
expect_fail '^Error: preflight: the image \(1.0.0\) is not newer than the running 1.1.0 \(--force accepts it\)' \
    mm dfu "$WORK/v1.bin"
expect_fail '^Error: preflight: the device already runs this image \(1.1.0\)' mm dfu --force "$WORK/v2.bin"
grep -q 'The device runs 1.1.0.' <<<"$LAST_OUT" || fail "no 'device runs' line: $LAST_OUT"
e2e_assert_eq "$slot1_before" "$(flash_bytes $SLOT1 $SLOT_SIZE | sha256sum)" "slot 1 after refusals"
e2e_assert_eq 1.1.0 "$(running)" "after refusals"

# ---- an image the board does not trust: refused at upload, v2 keeps running ----
expect_fail '^Error: upload: .*does not trust' mm dfu --force "$WORK/alien.bin"
e2e_assert_eq 1.1.0 "$(running)" "after an untrusted image"

# ---- revert: v3 runs once, then v2 again ----
expect_out '^REVERTED: .* runs v1.1.0 again; v1.2.0 was not kept\.$' mm dfu --revert "$WORK/v3.bin"
grep -q '^verify    runs 1.2.0$' <<<"$LAST_OUT" || fail "v3 never ran: $LAST_OUT"
grep -q '^decide    reverted: 1.1.0 runs again' <<<"$LAST_OUT" || fail "no revert line: $LAST_OUT"
e2e_assert_eq 1.1.0 "$(running)" "after a revert"

# ---- Intel HEX, sized by the image (a slot-padded HEX with its trailer record) ----
# (v3's own signature: an ECDSA signature differs at every signing)
"$IMGTOOL" getpub -k "$KEY" -e pem >"$WORK/key.pub.pem" || fail "getpub"
e2e_signed_image 1.2.0 "$WORK/v3.hex" 40000 "" --pad \
    --fix-sig "$WORK/v3.sig" --fix-sig-pubkey "$WORK/key.pub.pem"
size3=$(stat -c %s "$WORK/v3.bin")
expect_out Done mm image upload "$WORK/v3.hex"
cmp "$WORK/v3.bin" <(flash_bytes $SLOT1 "$size3") || fail "the HEX upload differs from the binary image"
expect_out '^REVERTED: .* runs v1.1.0 again' mm dfu --revert "$WORK/v3.hex"
grep -q '^verify    runs 1.2.0$' <<<"$LAST_OUT" || fail "the HEX image never ran: $LAST_OUT"
printf ':020000040000FA\n:10000000zz\n' >"$WORK/bad.hex"
expect_fail 'bad.hex' mm image upload "$WORK/bad.hex"

# ---- trial (the default): v3 runs unconfirmed; the next update waits for it ----
OUT=$(mm --json dfu "$WORK/v3.bin") || fail "trial dfu: $OUT"
python3 - "$OUT" "$(hash_of "$WORK/v3.bin")" <<'PY' || fail "json stream: $OUT"
import json, sys
lines = [json.loads(l) for l in sys.argv[1].splitlines()]
steps = [e["step"] for e in lines[:-1] if e.get("event") == "end"]
assert steps == ["preflight", "upload", "test", "reset", "wait", "verify", "decide", "done"], steps
last = lines[-1]
assert last["outcome"] == "updated" and last["hash_after"] == sys.argv[2], last
assert last["version_before"] == "1.1.0" and last["version_after"] == "1.2.0", last
PY
mm image list | grep -A4 'slot=0' | grep -q 'flags: active$' || fail "v3 is not on trial: $(mm image list)"
expect_fail '^Error: preflight: the device runs 1.2.0 on trial' mm dfu --force "$WORK/v2.bin"

# ---- one audit record per run, failures included ----
n=$("$MCUMGR" audit export --json | python3 -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin) if r["action"] == "dfu"))')
[ "$n" -ge 7 ] || fail "dfu runs in the audit trail: $n"
# a dfu run resets the device: its record's "before" is what ran before it
"$MCUMGR" audit export --json | python3 -c '
import json, sys
ok = [r for r in json.load(sys.stdin) if r["action"] == "dfu" and r["outcome"] == "ok"]
trial = ok[-1]
assert (trial["version_before"], trial["version_after"]) == ("1.1.0", "1.2.0"), trial
assert trial["hash_after"] == sys.argv[1] == trial["image_hash"], trial
' "$(hash_of "$WORK/v3.bin")" || fail "audit record of the trial run"
stop_board

# ---- the factory programmer takes the HEX form too ----
SIM_DIR=
provision_board "$WORK/v3.hex"
e2e_assert_eq "$(hash_of "$WORK/v3.bin")" "$(sim_boot_once hash)" \
    "a board provisioned from HEX boots the image"
e2e_log "dfu: ok"
