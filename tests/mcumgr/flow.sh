# The user's guide update flow (issue 3 acceptance 1 and 2) over $LINK:
# echo, list on a fresh board, upload into slot 1 (bytes in flash equal the
# file), list, test by hash, reset into the new image, confirm, erase, JSON.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_images

e2e_vector_or_own V1 ed25519_basic   # 1.2.3+4
e2e_vector_or_own V2 p300k_ed25519   # 3.0.0+300, 300 KiB
e2e_image_hash H1 "$V1"   # as MCUboot's imgtool recorded it, for a vector
e2e_image_hash H2 "$V2"

provision_board "$V1"
start_board

expect_out '^hello mcumgr$' mm echo "hello mcumgr"
expect_out '^\{"r":"hello mcumgr"\}$' mm --json echo "hello mcumgr"
expect_out '^\{"buf_size":[0-9]+,"buf_count":[0-9]+\}$' mm -o json params

# fresh board: slot 0 as in the user's guide, slot 1 empty
expect_out '^Images:$' mm image list
grep -qx ' image=0 slot=0' <<<"$LAST_OUT" || fail "no slot 0 line: $LAST_OUT"
grep -qE '^    version: 1\.2\.3' <<<"$LAST_OUT" || fail "slot 0 version: $LAST_OUT"
grep -qx '    bootable: true' <<<"$LAST_OUT" || fail "bootable: $LAST_OUT"
grep -qx '    flags: active confirmed' <<<"$LAST_OUT" || fail "flags: $LAST_OUT"
grep -qx "    hash: $H1" <<<"$LAST_OUT" || fail "hash: $LAST_OUT"
grep -qx '    <No image installed>' <<<"$LAST_OUT" || fail "slot 1 not empty: $LAST_OUT"
SLOT0_BEFORE="$(flash_bytes $SLOT0 $SLOT_SIZE | sha256sum)"

# upload: progress with KiB and %, then Done; the flash holds the file
# (the image's size in KiB as the bar prints it: 300.64 with an Ed25519
# signature, a little more with ECDSA's, whose length varies)
LEN=$(stat -c %s "$V2")
KIB=$(awk -v n="$LEN" 'BEGIN { printf "%.2f", n / 1024 }')
expect_out '^Done$' mm image upload "$V2"
grep -qE "KiB / ${KIB/./\\.} KiB \[.*\] +100\.00% [0-9.]+ KiB/s" <<<"$LAST_OUT" || fail "progress: $LAST_OUT"
cmp <(flash_bytes $SLOT1 "$LEN") "$V2" || fail "slot 1 does not hold the uploaded file"
[ "$(flash_bytes $SLOT0 $SLOT_SIZE | sha256sum)" = "$SLOT0_BEFORE" ] || fail "upload touched slot 0"

expect_out "hash: $H2" mm image list
grep -qE '^    version: 3\.0\.0' <<<"$LAST_OUT" || fail "slot 1 version: $LAST_OUT"

# test by hash: pending
expect_out '^    flags: pending$' mm image test "$H2"

# reset: the board swaps and boots the new image, not yet confirmed
expect_out '^Done$' mm reset
for _ in $(seq 1 50); do
    mm -t 0.5 echo up >/dev/null 2>&1 && break
    sleep 0.1
done
expect_out "hash: $H2" mm image list
sed -n '/slot=0/,/hash/p' <<<"$LAST_OUT" | grep -qx '    flags: active' || fail "after reset: $LAST_OUT"

# confirm the running image: permanent
expect_out '^    flags: active confirmed$' mm image confirm

# the old image is in slot 1 now; erase it
expect_out '^Done$' mm image erase 1
expect_out '^Images:$' mm image list
sed -n '/slot=1/,$p' <<<"$LAST_OUT" | grep -q "hash: $H1" && fail "slot 1 not erased: $LAST_OUT"

# JSON output is the decoded response
OUT="$(mm --json image list)" || fail "json list failed"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["images"][0]["hash"]==sys.argv[2], d' "$OUT" "$H2" ||
    fail "json: $OUT"
echo "flow over $LINK: ok"
