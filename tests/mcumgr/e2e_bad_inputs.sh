# Issue 3 acceptance 4: bad input gets a specific error on the client, a
# non-zero exit, leaves slot 0 untouched, and the board keeps serving.
source "$(dirname "$0")/lib.sh"
need_images
LINK=udp
e2e_vector_or_own V1 ed25519_basic
e2e_vector_or_own V2 p300k_ed25519

provision_board "$V1"
start_board
SLOT0_BEFORE="$(flash_bytes $SLOT0 $SLOT_SIZE | sha256sum)"

# a file that is not an image: refused before anything is sent
head -c 4096 /dev/urandom >"$WORK/random.bin"
expect_fail 'not a signed MCUboot image' mm image upload "$WORK/random.bin"
# a device node by mistake: refused at the read, not by memory running out
expect_fail '/dev/zero is larger than [0-9]+ bytes' mm image upload /dev/zero
: >"$WORK/empty.bin"
expect_fail 'the file is empty' mm image upload "$WORK/empty.bin"
# sent anyway: the device refuses it by name
expect_fail '^Error: [0-9]+ \(' mm image upload --no-check "$WORK/random.bin"

# an image larger than the slot
{ cat "$V2"; head -c $((200 * 1024)) /dev/zero; } >"$WORK/huge.bin"
expect_fail '^Error: [0-9]+ \(' mm image upload "$WORK/huge.bin"

# a hash that is on no slot
expect_fail '^Error: [0-9]+ \(.*(HASH_NOT_FOUND|ENOENT|EINVAL)' mm image test "$(printf '%064d' 0)"
# not hex at all: usage error (exit 2)
rc=0; mm image test xyz >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "bad hex: exit $rc, want 2"
# -n is the image number: 128 is a chunk size typed wrongly
rc=0; out="$(mm image upload -n 128 "$V2" 2>&1)" || rc=$?
[ "$rc" -eq 2 ] && grep -q -- '--chunk-size 128' <<<"$out" || fail "-n 128: exit $rc: $out"
# unknown command and flag: usage error
rc=0; mm frobnicate >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "unknown command: exit $rc"
rc=0; mm image list --frob >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "unknown flag: exit $rc"

# an unknown group and an unknown command: the device answers ENOTSUP (8)
python3 - "$PORT" <<'PY' || fail "unknown group/command not answered with rc 8"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
for group, cmd in ((100, 0), (0, 99)):
    req = bytes([0, 0, 0, 1, group >> 8, group & 0xff, 7, cmd, 0xa0])
    s.sendto(req, ("127.0.0.1", int(sys.argv[1])))
    rsp = s.recv(512)
    assert rsp[0] & 7 == 1 and rsp[6] == 7, rsp.hex()
    assert bytes([0x62, 0x72, 0x63, 0x08]) in rsp[8:], rsp.hex()  # "rc": 8
PY

# a request larger than the device's buffer: dropped, so a timeout with a hint
LINK=serial
expect_fail 'NMP timeout' mm -t 1 echo "$(head -c 1500 /dev/zero | tr '\0' x)"
# a port another client holds is refused, not shared
if command -v flock >/dev/null; then
    flock "$TTY" sleep 1.5 &
    HOLDER=$!
    sleep 0.3
    expect_fail 'in use by another program' mm echo x
    wait "$HOLDER" # the holder lets go by itself (killing flock would leave its sleep holding)
fi
# a malformed frame on the serial line: ignored, the board keeps serving
printf '\x06\x09AAAA####\n\x04\x14garbage\nnot a frame\n' >"$TTY"
expect_out '^still here$' mm echo "still here"
LINK=udp
expect_out '^still here$' mm echo "still here"

[ "$(flash_bytes $SLOT0 $SLOT_SIZE | sha256sum)" = "$SLOT0_BEFORE" ] || fail "slot 0 changed"
echo "bad inputs: ok"
