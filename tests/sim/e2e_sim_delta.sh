#!/usr/bin/env bash
# Delta uploads (issue 13, src/image/DELTA.md) against mcusim with the
# real mcumgr and imgtool:
#  1. three pairs: the demo firmware v1.0.0 -> v1.1.0 (--delta-from), a
#     300 KiB image with three 1 KiB changes (--image-cache, base found by
#     its hash under another name), two unrelated images (the whole image
#     goes): slot 1 ends byte-identical to the target, and it boots;
#  2. power cuts at several points of a delta upload, then the same
#     command: slot 1 ends byte-identical; a finished one is not resent;
#  3. a wrong base is refused before any flash write; a corrupt patch is
#     refused, slot 1 never validates, slot 0 keeps running;
#  4. a device that does not announce deltas gets the whole image.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
e2e_require_bin mcumgr mcusim imgtool

e2e_own_key key ed25519
mgr() { "$MCUMGR" --conntype udp --connstring "$SIM_UDP" -t 5 "$@"; }
json_field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
flash_ops() { echo $(( $(sim_status flash.erases) + $(sim_status flash.progs) )); }
flash_at() { # OFFSET BYTES: bytes of the board's flash file
    dd if="$SIM_DIR/flash.bin" iflag=skip_bytes,count_bytes skip="$1" count="$2" status=none
}
slot1() { flash_at $((0x82000)) "$1"; }

slot1_is() { # IMAGE WHAT
    cmp -s <(slot1 "$(stat -c %s "$1")") "$1" || e2e_fail "$2: slot 1 differs from $(basename "$1")"
}

# Boots the image in slot 1: test, reset, and it must then run (active, slot 0).
boots() { # IMAGE VERSION WHAT
    local h before
    e2e_image_hash h "$1"
    mgr image test "$h" >/dev/null || e2e_fail "$3: image test refused"
    before=$(sim_status boot_count)
    mgr reset >/dev/null || true
    sim_wait_reset "$before"
    for _ in $(seq 100); do [ "$(sim_status running)" = true ] && break; sleep 0.05; done
    mgr image list | python3 -c '
import sys
text = sys.stdin.read()
slot0 = text.split("slot=1")[0]
sys.exit(0 if sys.argv[1] in slot0 and "version: " + sys.argv[2] in slot0 and "active" in slot0 else 1)' \
        "$h" "$2" || e2e_fail "$3: $2 does not run from slot 0 after the reset"
}

new_board() { # IMAGE [mcusim options]: a board factory-programmed with IMAGE, running
    local img=$1
    shift
    sim_stop
    SIM_DIR=
    sim_provision "$img"
    sim_start --key "$key" --no-pty "$@"
}

e2e_log "pair 1: demo firmware v1.0.0 -> v1.1.0 with --delta-from"
fw1=$E2E_TMP/demo-1.0.0.bin fw2=$E2E_TMP/demo-1.1.0.bin
e2e_signed_image 1.0.0 "$fw1" 49152 "$key"
e2e_signed_image 1.1.0 "$fw2" 49152 "$key"
new_board "$fw1"
out=$(mgr -v image upload --delta-from "$fw1" "$fw2" 2>&1) || e2e_fail "pair 1 upload: $out"
e2e_assert_contains "$out" "sent a delta against the running image" "pair 1 -v"
slot1_is "$fw2" "pair 1"
boots "$fw2" 1.1.0 "pair 1"
e2e_log "pair 1: $(grep -o 'sent a delta[^)]*)' <<<"$out")"

e2e_log "pair 2: 300 KiB with three 1 KiB changes, base from --image-cache"
python3 "$SRC_DIR/tests/lib/delta_pair.py" "$E2E_TMP/p300-a.raw" "$E2E_TMP/p300-b.raw"
pa=$E2E_TMP/p300-a.bin pb=$E2E_TMP/p300-b.bin
"$IMGTOOL" sign -k "$key" -H 0x200 --pad-header -S 0x76000 -v 3.0.0 "$E2E_TMP/p300-a.raw" "$pa" >/dev/null
"$IMGTOOL" sign -k "$key" -H 0x200 --pad-header -S 0x76000 -v 3.0.1 "$E2E_TMP/p300-b.raw" "$pb" >/dev/null
cache=$E2E_TMP/cache
mkdir -p "$cache"
cp "$pa" "$cache/release-3.0.0.bin"
new_board "$pa"
boot_ops=$(flash_ops)
out=$(mgr -v --json image upload --image-cache "$cache" "$pb" 2>/dev/null) ||
    e2e_fail "pair 2 upload: $out"
[ "$(json_field "$out" delta)" = True ] || e2e_fail "pair 2: no delta sent: $out"
sent=$(json_field "$out" sent_len)
[ "$sent" -lt 4096 ] || e2e_fail "pair 2: $sent bytes sent for three 1 KiB changes"
slot1_is "$pb" "pair 2"
delta_ops=$(( $(flash_ops) - boot_ops ))
e2e_image_hash hb "$pb"
cmp -s "$cache/$hb.bin" "$pb" || e2e_fail "pair 2: the upload did not store the image in the cache"
e2e_log "pair 2: $sent bytes sent for $(stat -c %s "$pb"); $delta_ops flash operations"

e2e_log "pair 2: power cuts at 5 points of the delta upload, then the same command"
cp "$SIM_DIR/flash.bin" "$E2E_TMP/done.bin"
sim_stop
SIM_DIR=
sim_provision "$pa"
cp "$SIM_DIR/flash.bin" "$E2E_TMP/base.bin"
for i in 0 1 2 3 4; do
    cut=$(( boot_ops + 1 + i * (delta_ops - 2) / 4 ))
    torn=()
    [ $((i % 2)) = 1 ] && torn=(--torn)
    cp "$E2E_TMP/base.bin" "$SIM_DIR/flash.bin"
    sim_start --key "$key" --no-pty --fail-after "$cut" "${torn[@]}"
    rc=0
    mgr -t 1 image upload --image-cache "$cache" "$pb" >/dev/null 2>&1 || rc=$?
    sim_wait_log 'power cut'
    for _ in $(seq 100); do [ "$(sim_status running)" = true ] && break; sleep 0.05; done
    # the image in slot 1 is not whole: it must not be testable meanwhile
    if [ "$rc" != 0 ] && mgr image test "$hb" >/dev/null 2>&1; then
        e2e_fail "cut at $cut: a half-rebuilt slot 1 was accepted for test"
    fi
    out=$(mgr --json image upload --image-cache "$cache" "$pb") ||
        e2e_fail "cut at $cut: the same command failed after the cut: $out"
    [ "$(json_field "$out" delta)" = True ] || e2e_fail "cut at $cut: no delta the second time"
    slot1_is "$pb" "cut at $cut${torn:+ (torn)}"
    e2e_log "cut at $cut${torn:+ (torn)}: first command exit $rc; the same command ended identical"
    sim_stop
done
e2e_log "a finished delta upload survives a power cycle: the same command sends nothing"
sim_start --key "$key" --no-pty
before=$(sim_status boot_count)
sim_ctl --ctl power-cycle >/dev/null
sim_wait_reset "$before"
sim_ctl --ctl reset-stats >/dev/null
out=$(mgr --json image upload --image-cache "$cache" "$pb") || e2e_fail "after the cycle: $out"
[ "$(json_field "$out" resumed_from)" = "$(json_field "$out" sent_len)" ] ||
    e2e_fail "the finished delta upload was sent again: $out"
[ "$(sim_status flash.progs)" = 0 ] || e2e_fail "slot 1 was written again"
boots "$pb" 3.0.1 "pair 2"

e2e_log "pair 3: unrelated images: the whole image goes"
python3 - "$E2E_TMP" <<'PY'
import random, sys
r = random.Random(3)
for name in ('u-a', 'u-b'):
    open(f'{sys.argv[1]}/{name}.raw', 'wb').write(bytes(r.randrange(256) for _ in range(60000)))
PY
ua=$E2E_TMP/u-a.bin ub=$E2E_TMP/u-b.bin
"$IMGTOOL" sign -k "$key" -H 0x200 --pad-header -S 0x76000 -v 4.0.0 "$E2E_TMP/u-a.raw" "$ua" >/dev/null
"$IMGTOOL" sign -k "$key" -H 0x200 --pad-header -S 0x76000 -v 4.1.0 "$E2E_TMP/u-b.raw" "$ub" >/dev/null
new_board "$ua"
out=$(mgr -v image upload --delta-from "$ua" "$ub" 2>&1) || e2e_fail "pair 3 upload: $out"
e2e_assert_contains "$out" "is not smaller than the image" "pair 3 -v"
e2e_assert_contains "$out" "sent the whole image" "pair 3 -v"
slot1_is "$ub" "pair 3"
boots "$ub" 4.1.0 "pair 3"

e2e_log "wrong base: refused before any flash write"
"$IMGTOOL" delta "$pa" "$pb" -o "$E2E_TMP/p300.patch"
"$IMGTOOL" dumpinfo "$E2E_TMP/p300.patch" | grep -q "^base_len: $(stat -c %s "$pa")" ||
    e2e_fail "dumpinfo does not describe the patch"
new_board "$fw1"
slot1 $((472 * 1024)) >"$E2E_TMP/slot1.before"
sim_ctl --ctl reset-stats >/dev/null
rc=0
out=$(mgr image upload --patch "$E2E_TMP/p300.patch" "$pb" 2>&1) || rc=$?
[ "$rc" != 0 ] || e2e_fail "a patch for another base was accepted"
e2e_assert_contains "$out" "wrong delta base" "wrong base error"
[ "$(sim_status flash.progs)" = 0 ] && [ "$(sim_status flash.erases)" = 0 ] ||
    e2e_fail "the wrong base led to flash writes"
cmp -s <(slot1 $((472 * 1024))) "$E2E_TMP/slot1.before" || e2e_fail "slot 1 changed"
e2e_log "refused: $(grep -o 'wrong delta base[^"]*' <<<"$out" | head -n 1)"
rc=0
out=$(mgr image upload --patch "$E2E_TMP/p300.patch" "$fw2" 2>&1) || rc=$?
[ "$rc" = 1 ] || e2e_fail "a patch for another image: exit $rc"
e2e_assert_contains "$out" "the patch does not rebuild this image" "patch for another image"
[ "$(sim_status flash.progs)" = 0 ] || e2e_fail "a patch for another image was sent"

# Offsets of the ops of a patch (DELTA.md), walked independently of the
# tools: prints "offset kind len data_offset" per op.
ops_of() {
    python3 - "$1" <<'PY'
import sys
p = open(sys.argv[1], 'rb').read()
def varint(i):
    v = s = 0
    while True:
        b = p[i]; i += 1
        v |= (b & 0x7f) << s; s += 7
        if not b & 0x80:
            return v, i
i = 128
while i < len(p):
    at, t = i, p[i]; i += 1
    kind, n = t >> 6, t & 0x3f
    n += 1
    if n == 64:
        v, i = varint(i); n = 64 + v
    data = i
    if kind == 0:
        i += n
    else:
        _, i = varint(i)
    print(at, kind, n, data)
PY
}

e2e_log "corrupt patches: refused, slot 1 never validates, slot 0 keeps running"
new_board "$pa"
"$IMGTOOL" delta "$pa" "$pb" -o "$E2E_TMP/good.patch"
read -r last_at _ <<<"$(ops_of "$E2E_TMP/good.patch" | tail -n 1)"
read -r _ _ _ lit_data <<<"$(ops_of "$E2E_TMP/good.patch" | awk '$2 == 0 && $3 > 100' | tail -n 1)"
python3 - "$E2E_TMP" "$last_at" "$lit_data" <<'PY'
import sys
d, last, lit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
p = bytearray(open(d + '/good.patch', 'rb').read())
bad_op = bytearray(p); bad_op[last] = 0xc0          # an op kind that does not exist
bad_lit = bytearray(p); bad_lit[lit + 10] ^= 0x01    # one changed byte of new code
open(d + '/bad-op.patch', 'wb').write(bad_op)
open(d + '/bad-lit.patch', 'wb').write(bad_lit)
PY
for bad in bad-op bad-lit; do
    rc=0
    out=$(mgr image upload --patch "$E2E_TMP/$bad.patch" "$pb" 2>&1) || rc=$?
    [ "$rc" != 0 ] || e2e_fail "$bad: a corrupt patch was accepted"
    case $bad in
        bad-op) e2e_assert_contains "$out" "corrupt delta patch at byte $last_at" "$bad error" ;;
        bad-lit) e2e_assert_contains "$out" "does not match" "$bad error" ;;
    esac
    if mgr image test "$hb" >/dev/null 2>&1; then
        e2e_fail "$bad: slot 1 was accepted for test"
    fi
    before=$(sim_status boot_count)
    mgr reset >/dev/null || true
    sim_wait_reset "$before"
    for _ in $(seq 100); do [ "$(sim_status running)" = true ] && break; sleep 0.05; done
    mgr image list | grep -q "version: 3.0.0" || e2e_fail "$bad: slot 0 no longer runs 3.0.0"
    e2e_log "$bad: refused ($(tail -n 1 <<<"$out" | cut -c1-100)); 3.0.0 still runs"
done
# and the good patch afterwards still works
mgr image upload --patch "$E2E_TMP/good.patch" "$pb" >/dev/null || e2e_fail "the good patch failed"
slot1_is "$pb" "good patch after the corrupt ones"

e2e_log "serial recovery does not announce deltas: the whole image goes"
sim_stop
SIM_DIR=
sim_start --key "$key"
out=$("$MCUMGR" --conntype serial --connstring "dev=$SIM_TTY_LINK,baud=115200" -t 5 -v \
      image upload --image-cache "$cache" "$fw1" 2>&1) || e2e_fail "upload in recovery: $out"
e2e_assert_contains "$out" "does not announce delta uploads" "recovery -v"
cmp -s <(flash_at $((0xC000)) "$(stat -c %s "$fw1")") "$fw1" ||
    e2e_fail "recovery: slot 0 differs from the image"

e2e_log "mcumgr dfu --image-cache: the next release goes as a patch, boots and is confirmed"
dfu_cache=$E2E_TMP/dfu-cache
mkdir -p "$dfu_cache"
cp "$fw1" "$dfu_cache/shipped-1.0.0.bin"
new_board "$fw1"
out=$(mgr --no-audit dfu --confirm --image-cache "$dfu_cache" "$fw2" 2>&1) || e2e_fail "dfu: $out"
e2e_assert_contains "$out" "sent a delta against the running image" "dfu says a patch went"
slot0_hash=$("$MCUSIM" --state "$SIM_DIR" --status | python3 -c 'import json,sys; print(json.load(sys.stdin)["hash"])')
e2e_image_hash h2 "$fw2"
e2e_assert_eq "$h2" "$slot0_hash" "the board runs v1.1.0 after the delta dfu"
mgr image list | grep -q "confirmed" || e2e_fail "dfu --confirm: v1.1.0 not confirmed"
[ -f "$dfu_cache/$h2.bin" ] && cmp -s "$dfu_cache/$h2.bin" "$fw2" ||
    e2e_fail "dfu did not keep what it shipped in the cache"
sim_stop
echo PASS
