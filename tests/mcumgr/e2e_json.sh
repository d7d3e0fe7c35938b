# Every command's --json output is one JSON document (issue 10): the whole
# command set against a real board, each output parsed by python3, and
# values that come from the user or the device (a file name with a quote
# and a backslash, an echo text, a setting value) come back unchanged.
source "$(dirname "$0")/lib.sh"
need_images
LINK=udp
e2e_own_key KEY ed25519
e2e_signed_image 1.0.0 "$WORK/v1.bin" 20000 "$KEY"
WEIRD='we"ird\name.bin'
e2e_signed_image 1.1.0 "$WORK/$WEIRD" 30000 "$KEY"
printf 'calibration "7"\\\n' >"$WORK/$WEIRD.txt"
e2e_image_hash H2 "$WORK/$WEIRD"

provision_board "$WORK/v1.bin"
start_board --key "$KEY"
mkdir -p "$WORK/json"
N=0
# j WANT_RC CMD...: mcumgr --json CMD over the board (or, for CMD starting
# with "local", without one); exit WANT_RC; stdout kept for the check below
j() {
    local want=$1 rc=0 f
    shift
    N=$((N + 1))
    f=$WORK/json/$(printf %03d $N)
    printf '%s\n' "$*" >"$f.cmd"
    if [ "$1" = local ]; then
        shift
        "$MCUMGR" --json "$@" >"$f.json" 2>"$f.err" || rc=$?
    else
        mm --json "$@" >"$f.json" 2>"$f.err" || rc=$?
    fi
    [ "$rc" -eq "$want" ] || fail "mcumgr --json $*: exit $rc, want $want: $(cat "$f.json" "$f.err")"
}

j 0 local version
j 0 local conn add 'b"ad\name' type=udp "connstring=127.0.0.1:$PORT"
j 0 local conn show
j 0 local conn delete 'b"ad\name'
j 0 echo 'say "hi" \ back'
j 0 params
j 0 image list
j 0 image upload "$WORK/$WEIRD"
j 0 image test "$H2"
j 0 image confirm
j 0 taskstat
j 0 mpstat
j 0 datetime
j 0 datetime 2024-03-02T22:44:00Z
j 0 os info
j 0 bootloader
j 0 bootloader mode
j 0 stat list
j 0 stat show
j 0 stat smp
j 0 config app/name 'pump "7"\x'
j 0 config app/name
j 0 config save
j 0 settings write --hex app/cal 00ff10
j 0 settings read app/cal
j 0 settings commit
j 0 settings load
j 0 settings save
j 0 settings delete app/cal
j 1 settings read app/cal
j 0 fs upload "$WORK/$WEIRD.txt" /lfs/cal.txt
j 0 fs download /lfs/cal.txt "$WORK/back.txt"
j 0 fs stat /lfs/cal.txt
j 0 fs hash /lfs/cal.txt
j 0 fs hash-types
j 0 fs close
j 0 shell exec kernel version
j 1 shell exec frobnicate
j 0 enum count
j 0 enum list
j 0 enum single 0
j 0 enum details
j 0 basic erase-storage
j 0 audit device
j 0 local audit list
j 0 local audit show 1
j 0 local audit export
j 0 local audit verify
j 0 local audit record --action 'say "x"' --outcome ok --detail 'back\slash'
j 0 local audit path
j 1 image erase 0
j 0 reset
stop_board
j 1 echo x

python3 - "$WORK/json" "$WEIRD" "$H2" <<'PY' || fail "JSON output check failed"
import glob, json, os, sys
folder, weird, h2 = sys.argv[1:]
docs = []
for f in sorted(glob.glob(folder + "/*.json")):
    cmd = open(f[:-5] + ".cmd").read().strip()
    text = open(f).read()
    try:
        doc = json.loads(text)
    except ValueError as e:
        sys.exit("not JSON from mcumgr --json %s: %r (%s)" % (cmd, text, e))
    docs.append((cmd, doc))
print("%d outputs parse" % len(docs))
def doc(prefix):
    return next(v for k, v in docs if k.startswith(prefix))
up = doc("image upload")
assert up["file"].endswith("/" + weird) and up["len"] == os.path.getsize(up["file"]), up
assert doc("echo say")["r"] == 'say "hi" \\ back', doc("echo say")
assert doc("local conn show")[0]["name"] == 'b"ad\\name', doc("local conn show")
assert doc("local conn add")["added"] == 'b"ad\\name'
assert doc("fs upload")["local"].endswith("/" + weird + ".txt"), doc("fs upload")
assert doc("local audit verify")["ok"] is True
assert doc("local audit record")["id"] > 1
assert doc("local audit show 1")["id"] == 1
recs = doc("local audit export")
assert any(r["action"] == "image upload" and weird in r["detail"] for r in recs), recs
assert "error" in doc("image erase 0"), doc("image erase 0")
assert doc("echo x")["error"]["kind"], doc("echo x")
assert h2 in json.dumps(doc("image test")), doc("image test")
PY
cmp -s "$WORK/$WEIRD.txt" "$WORK/back.txt" || fail "fs download did not bring back the file"
echo "json: ok ($N commands)"
