#!/usr/bin/env bash
# Automated field update of one device with the test-then-confirm safety net:
# checks the connection, lists the images, refuses an image that is too big
# or not newer (unless --force), uploads with progress, marks it for test,
# resets, waits for the device, checks that the new version runs, then
# confirms or reverts. Every step lands in the audit trail; the whole update
# (or the failed attempt) is one `dfu-update` record.
set -uo pipefail

usage() {
    cat <<'EOF'
usage: dfu_update.sh [options] FIRMWARE [DEVICE] [BAUD]

  FIRMWARE   signed image (imgtool sign / west sign), e.g. build/zephyr/zephyr.signed.bin
  DEVICE     serial port (default $DEVICE or /dev/ttyACM0), or UDP as
             udp:127.0.0.1:1337 (also HOST:PORT)
  BAUD       serial baud rate (default 115200)

options:
  --confirm, --yes   confirm the new firmware once it runs (no question)
  --revert           reset without confirming: the previous firmware comes back
  --trial            leave the new firmware running unconfirmed (soak test);
                     the next reset reverts unless `mcumgr image confirm`
                     (the default when there is no terminal to ask on)
  --force            accept an image that is not newer than the running one
  --key PEM          verify the image signature locally before uploading
  --max-size BYTES   largest image the slot takes (default 0x74000: 472 KiB
                     slot of the nRF52840 layout minus the swap-using-move
                     sector and trailer)
  --timeout SEC      per-request timeout (default 5)
  --boot-wait SEC    how long to wait for the device after a reset (default 30)
  --audit-db PATH    audit trail (default $MCUTOOLS_AUDIT_DB or the user's state folder)
  --operator NAME    who runs the update (default $MCUTOOLS_OPERATOR or the login name)
  -h, --help

exit: 0 updated (or reverted on request), 1 failed (device keeps its firmware), 2 usage
EOF
}

# The helpers: in lib/ beside this script in a checkout, in share/mcutools/
# when installed (bin/ and share/ under one prefix).
WF_HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
WF_LIB=$WF_HERE/lib/common.sh
[ -f "$WF_LIB" ] || WF_LIB=$WF_HERE/../share/mcutools/common.sh
source "$WF_LIB"

DECISION='' FORCE=0 KEY='' MAX_SIZE=$((0x74000)) TIMEOUT=5 BOOT_WAIT=30
POS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --confirm|--yes|-y) DECISION=confirm ;;
        --revert) DECISION=revert ;;
        --trial|--no-confirm) DECISION=trial ;;
        --force) FORCE=1 ;;
        --key) KEY=${2:?--key needs a PEM file}; shift ;;
        --max-size) MAX_SIZE=$(( ${2:?--max-size needs bytes} )); shift ;;
        --timeout) TIMEOUT=${2:?--timeout needs seconds}; shift ;;
        --boot-wait) BOOT_WAIT=${2:?--boot-wait needs seconds}; shift ;;
        --audit-db) export MCUTOOLS_AUDIT_DB=${2:?--audit-db needs a path}; shift ;;
        --operator) export MCUTOOLS_OPERATOR=${2:?--operator needs a name}; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; POS+=("$@"); break ;;
        -*) echo "dfu_update.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) POS+=("$1") ;;
    esac
    shift
done
if [ ${#POS[@]} -lt 1 ] || [ ${#POS[@]} -gt 3 ]; then
    usage >&2
    exit 2
fi
FIRMWARE=${POS[0]}
DEV=${POS[1]:-${DEVICE:-/dev/ttyACM0}}
BAUD=${POS[2]:-${BAUD:-115200}}
case "$BAUD" in ''|*[!0-9]*) echo "dfu_update.sh: BAUD must be a number, not '$BAUD'" >&2; exit 2 ;; esac

wf_find_tools || exit 1
wf_parse_device "$DEV" "$BAUD"

IMAGES='' DEV_ID='' OLD_VER='' OLD_HASH='' NEW_VER='' NEW_HASH='' STEP=start
WF_IMG_HASH='' WF_IMG_VERSION=''

mgr() { "$MCUMGR" "${WF_CONN[@]}" -t "$TIMEOUT" "$@"; }

# The one dfu-update record of this run.
record() { # outcome detail
    "$MCUMGR" audit record --action dfu-update --outcome "$1" \
        --device "${DEV_ID:-unknown ($DEV)}" --connection "$WF_CONN_DESC" \
        --image-hash "${WF_IMG_HASH:-}" \
        --version-before "${OLD_VER:-}" --hash-before "${OLD_HASH:-}" \
        --version-after "${NEW_VER:-}" --hash-after "${NEW_HASH:-}" \
        --detail "file=$FIRMWARE version=${WF_IMG_VERSION:-?}; $2" >/dev/null ||
        wf_warn "the audit record of this update could not be written"
}

# fail MESSAGE [HINT...]: explain, record the failed attempt, exit 1.
fail() {
    local msg=$1 h
    shift
    wf_err "$msg"
    for h in "$@"; do wf_hint "$h"; done
    # what runs now, so the record says what the device was left with
    if [ -n "$OLD_VER" ] && [ -z "$NEW_VER" ]; then NEW_VER=$OLD_VER NEW_HASH=$OLD_HASH; fi
    record failed "step=$STEP: $msg"
    [ -n "$OLD_VER" ] && echo "  The device keeps running firmware ${NEW_VER:-$OLD_VER}." >&2
    echo "  This failed attempt is recorded in the audit trail (mcumgr audit list)." >&2
    exit 1
}
trap 'STEP="$STEP (interrupted)"; fail "interrupted by the operator"' INT TERM

check_port() {
    wf_check_port || fail "$WF_PROBLEM" "${WF_HINTS[@]}"
}

check_echo() {
    local out
    if out=$(mgr -t 3 -r 2 echo "dfu-check" 2>&1) && [ "$out" = dfu-check ]; then
        wf_ok "device answers on $WF_CONN_DESC"
        return 0
    fi
    case "$out" in
        *"in use by another program"*|*"resource busy"*)
            fail "port busy: $WF_PORT is in use by another program" \
                "Close that program (minicom, screen, a serial monitor, another mcumgr), then retry" \
                "Check with: lsof $WF_PORT" ;;
        *[Ii]"nvalid baud"*)
            fail "baud rate mismatch: $BAUD is not a rate the port supports" \
                "The device's UART runs at 115200 by default: dfu_update.sh FIRMWARE $WF_PORT 115200" \
                "Try: mcumgr --conntype serial --connstring \"dev=$WF_PORT,baud=9600\" echo test" ;;
    esac
    local hints=()
    mapfile -t hints < <(wf_connect_hints)
    fail "failed to connect: the device does not answer on $WF_CONN_DESC ($(echo "$out" | head -n 1))" \
        "${hints[@]}"
}

# read_images: sets RUN_VER RUN_HASH RUN_FLAGS S1_VER S1_HASH S1_FLAGS
read_images() {
    local list rc=0
    list=$(mgr image list 2>&1) || rc=$?
    IMAGES=$list
    [ "$rc" = 0 ] || return 1
    RUN_VER=$(wf_slot_field 0 version <<<"$list")
    RUN_HASH=$(wf_slot_field 0 hash <<<"$list")
    RUN_FLAGS=$(wf_slot_field 0 flags <<<"$list")
    S1_VER=$(wf_slot_field 1 version <<<"$list")
    S1_HASH=$(wf_slot_field 1 hash <<<"$list")
    S1_FLAGS=$(wf_slot_field 1 flags <<<"$list")
}

upload_image() {
    local log rc out
    log=$(mktemp)
    mgr image upload "$FIRMWARE" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    out=$(tail -n 5 "$log")
    rm -f "$log"
    if [ "$rc" != 0 ]; then
        case "$out" in
            *"DFU mode"*|*"button 1"*|*"Button 1"*)
                fail "upload refused: the device is not in DFU mode" \
                    "Press Button 1 on the device (status LED blinks fast, error LED shows SOS, console shows '>>> Entering DFU Mode'), then run this script again" ;;
            *"does not trust"*|*"not signed"*|*"signature"*|*INVALID_HASH*)
                # the device checks the whole image against its bootloader's keys
                fail "the device refused the image the bootloader would not boot: $(echo "$out" | grep -i error | tail -n 1)" \
                    "Image not signed, or signed with a key the bootloader does not hold" \
                    "Verify locally: imgtool verify -k bootloader/mcuboot-rsa-2048.pem $FIRMWARE" ;;
        esac
        fail "Upload failed: $(echo "$out" | grep -i error | tail -n 1)" \
            "Use smaller chunks: mcumgr ... image upload --chunk-size 128 $FIRMWARE (or connstring mtu=128)" \
            "Increase the timeout: --timeout 20" \
            "Check available flash space: mcumgr ... image list (firmware must be < 472KB)"
    fi
    read_images || fail "cannot read the image list after the upload"
    if [ "$S1_HASH" != "$WF_IMG_HASH" ]; then
        fail "slot 1 holds hash ${S1_HASH:-none}, not the uploaded image $WF_IMG_HASH (corrupted upload)" \
            "Erase and re-upload: mcumgr ... image erase 1; then run this script again"
    fi
    wf_ok "slot 1 holds v$S1_VER, hash verified"
}

mark_for_test() {
    local out
    if ! out=$(mgr image test "$WF_IMG_HASH" 2>&1); then
        case "$out" in
            *"DFU mode"*|*"button 1"*)
                fail "test refused: the device is not in DFU mode" \
                    "Press Button 1 on the device, then run this script again" ;;
            *NEWER*|*[Dd]owngrade*)
                fail "the device refused to test v$WF_IMG_VERSION: $(echo "$out" | grep -i error | tail -n 1)" \
                    "The bootloader has downgrade prevention on (CONFIG_MCUBOOT_DOWNGRADE_PREVENTION): it only takes newer versions" \
                    "Sign the build with a version above v$OLD_VER" ;;
        esac
        fail "the device refused to test the image: $(echo "$out" | grep -i error | tail -n 1)" \
            "Image invalid or failed to verify: not signed, or signed with a key the bootloader does not hold" \
            "Verify locally: imgtool verify -k bootloader/mcuboot-rsa-2048.pem $FIRMWARE"
    fi
    read_images
    [ "$S1_FLAGS" = pending ] || wf_warn "slot 1 flags are '$S1_FLAGS' (expected pending)"
}

# wait_for_device: after a reset, until the device answers again.
wait_for_device() {
    local deadline=$((SECONDS + BOOT_WAIT))
    sleep 0.2
    while [ $SECONDS -le $deadline ]; do
        if [ "$WF_CONNTYPE" = udp ] || [ -e "$WF_PORT" ]; then
            if [ "$(mgr -t 1 echo up 2>/dev/null)" = up ]; then
                return 0
            fi
        fi
        sleep 0.3
    done
    return 1
}

# ---------------------------------------------------------------------------

echo "${WF_B}MCUmgr DFU update${WF_N}: $FIRMWARE -> $WF_CONN_DESC"

STEP="image check"
wf_step "1/8 Checking the firmware file"
[ -f "$FIRMWARE" ] || fail "firmware file not found: $FIRMWARE" \
    "Build and sign it first (west build && west sign -t imgtool), or give the right path"
if ! wf_image_info "$FIRMWARE" "$KEY"; then
    fail "Image invalid or failed to verify: ${WF_IMG_ERROR:-not an MCUboot image}" \
        "Image not signed, wrong signing key or corrupted file" \
        "Verify locally: imgtool verify -k bootloader/mcuboot-rsa-2048.pem $FIRMWARE" \
        "Re-sign: west sign -t imgtool -- --key bootloader/mcuboot-rsa-2048.pem"
fi
wf_ok "signed image v$WF_IMG_VERSION, $WF_IMG_SIZE bytes, hash $WF_IMG_HASH${KEY:+ (signature checked with $KEY)}"

STEP="connection"
wf_step "2/8 Checking the device connection"
check_port
check_echo
DEV_ID=$(mgr -t 3 audit device 2>/dev/null || true)
[ -n "$DEV_ID" ] && wf_ok "device: $DEV_ID"

STEP="image list"
wf_step "3/8 Current firmware"
read_images || fail "cannot read the image list: $IMAGES" "$(wf_connect_hints | head -n 2 | tail -n 1)"
echo "$IMAGES" | sed 's/^/    /'
OLD_VER=$RUN_VER OLD_HASH=$RUN_HASH

STEP="compatibility"
wf_step "4/8 Checking size and version"
if [ "$WF_IMG_SIZE" -gt "$MAX_SIZE" ]; then
    fail "image too large: $WF_IMG_SIZE bytes, the slot takes at most $MAX_SIZE bytes ($((MAX_SIZE / 1024)) KiB)" \
        "Firmware must fit the slot (472 KiB slot on the nRF52840): reduce the image (disable logging, optimise for size)"
fi
wf_ok "size $WF_IMG_SIZE bytes fits the slot ($MAX_SIZE bytes)"
if [ "$WF_IMG_HASH" = "$OLD_HASH" ] && [ "$FORCE" = 0 ]; then
    fail "the device already runs this image (v$OLD_VER, hash $OLD_HASH)" \
        "Nothing to do; use --force to upload it anyway"
fi
if [ "$(wf_version_cmp "$WF_IMG_VERSION" "$OLD_VER")" -le 0 ]; then
    if [ "$FORCE" = 0 ]; then
        fail "image v$WF_IMG_VERSION is not newer than the running v$OLD_VER (downgrade refused)" \
            "Sign the new build with a higher version: west sign -t imgtool -- --version \"x.y.z\"" \
            "To roll back on purpose, rerun with --force (a bootloader with downgrade prevention may still refuse it)"
    fi
    wf_warn "v$WF_IMG_VERSION is not newer than v$OLD_VER: continuing because of --force"
else
    wf_ok "v$WF_IMG_VERSION is newer than the running v$OLD_VER"
fi

# An earlier update that stopped after `image test` leaves slot 1 pending;
# the device refuses uploads and erases until that test boot happened.
SKIP_UPLOAD=0
case "$S1_FLAGS" in
    *pending*)
        if [ "$S1_HASH" = "$WF_IMG_HASH" ]; then
            SKIP_UPLOAD=1
        else
            fail "slot 1 holds v$S1_VER marked pending by an unfinished update; the device refuses a new upload until it ran" \
                "Finish that update first: dfu_update.sh <the v$S1_VER image> $DEV" \
                "Or discard it: reset twice (the bootloader tries v$S1_VER once, the second reset reverts to v$OLD_VER), then run this script again"
        fi ;;
esac

# A device still running an earlier update on trial keeps its backup in
# slot 1 for the revert, so it refuses a new upload there. Say so now,
# before anything is sent, rather than failing in the middle of step 5.
if [ "$SKIP_UPLOAD" = 0 ] && [ -n "$OLD_VER" ]; then
    case "$RUN_FLAGS" in
        *confirmed*) ;;
        *)
            fail "the device runs v$OLD_VER on trial (not confirmed); slot 1 keeps the backup a revert needs" \
                "Finish that trial first: mcumgr image confirm (keep v$OLD_VER), or reset the device (revert to the backup)" \
                "Then run this script again" ;;
    esac
fi

STEP="upload"
wf_step "5/8 Uploading v$WF_IMG_VERSION to slot 1"
if [ "$SKIP_UPLOAD" = 1 ]; then
    wf_ok "already in slot 1 and marked for test by an earlier run: no upload needed"
else
    upload_image
fi

STEP="test"
wf_step "6/8 Marking the new image for test"
[ "$SKIP_UPLOAD" = 1 ] || mark_for_test
wf_ok "slot 1 marked pending: the next boot tries v$WF_IMG_VERSION"

STEP="reset"
wf_step "7/8 Rebooting into the new firmware"
mgr reset >/dev/null 2>&1 || wf_warn "no answer to the reset request (the device may already be rebooting)"
wait_for_device || fail "the device did not come back within ${BOOT_WAIT}s after the reset" \
    "$(wf_connect_hints | head -n 1)" "The bootloader reverts an image that never confirms; power-cycle the device and check image list"
read_images || fail "cannot read the image list after the reboot"
NEW_VER=$RUN_VER NEW_HASH=$RUN_HASH
if [ "$RUN_HASH" != "$WF_IMG_HASH" ]; then
    if [ "$(wf_version_cmp "$WF_IMG_VERSION" "$OLD_VER")" -le 0 ]; then
        fail "the device did not boot v$WF_IMG_VERSION: it still runs v$RUN_VER" \
            "The bootloader refuses images older than the running one when downgrade prevention is on (CONFIG_MCUBOOT_DOWNGRADE_PREVENTION)" \
            "Otherwise: image not signed or wrong signing key: imgtool verify -k bootloader/mcuboot-rsa-2048.pem $FIRMWARE"
    fi
    fail "the device did not boot the new image: it still runs v$RUN_VER (the bootloader refused v$WF_IMG_VERSION)" \
        "Image invalid or failed to verify: image not signed, wrong signing key, or corrupted upload" \
        "Verify locally: imgtool verify -k bootloader/mcuboot-rsa-2048.pem $FIRMWARE" \
        "Re-sign with the release key, then: mcumgr ... image erase 1 and run this script again"
fi
wf_ok "v$RUN_VER runs (flags: $RUN_FLAGS); v$S1_VER kept in slot 1 as backup"

STEP="decision"
wf_step "8/8 Confirm or revert"
if [ -z "$DECISION" ]; then
    if [ -t 0 ]; then
        echo "  Test the new firmware now: features, sensors, no crashes, LEDs."
        while [ -z "$DECISION" ]; do
            read -r -p "  Keep v$RUN_VER? [c]onfirm / [r]evert / [t]rial (decide later): " ans || ans=t
            case "$ans" in
                c|C|confirm) DECISION=confirm ;;
                r|R|revert) DECISION=revert ;;
                t|T|trial|later) DECISION=trial ;;
            esac
        done
    else
        DECISION=trial
        wf_warn "no terminal to ask on and no --confirm/--revert: leaving v$RUN_VER on trial"
    fi
fi

case "$DECISION" in
    confirm)
        mgr image confirm >/dev/null 2>&1 || fail "image confirm failed" "Retry: mcumgr ... image confirm"
        read_images
        case "$RUN_FLAGS" in
            *confirmed*) ;;
            *) fail "v$RUN_VER is not confirmed after image confirm (flags: $RUN_FLAGS)" ;;
        esac
        NEW_VER=$RUN_VER NEW_HASH=$RUN_HASH
        wf_ok "v$RUN_VER confirmed: permanent (flags: $RUN_FLAGS)"
        record ok "updated v$OLD_VER -> v$RUN_VER; confirmed by the operator"
        echo "${WF_G}SUCCESS${WF_N}: $DEV_ID now runs v$RUN_VER (confirmed)."
        ;;
    revert)
        mgr reset >/dev/null 2>&1 || true
        wait_for_device || fail "the device did not come back after the revert reset" "$(wf_connect_hints | head -n 1)"
        read_images || fail "cannot read the image list after the revert"
        NEW_VER=$RUN_VER NEW_HASH=$RUN_HASH
        [ "$RUN_HASH" = "$OLD_HASH" ] ||
            fail "the revert did not bring v$OLD_VER back: the device runs v$RUN_VER"
        wf_ok "reverted: v$RUN_VER runs again (flags: $RUN_FLAGS)"
        record ok "tested v$WF_IMG_VERSION, reverted by the operator to v$RUN_VER"
        echo "${WF_Y}REVERTED${WF_N}: $DEV_ID runs v$RUN_VER again; v$WF_IMG_VERSION was not kept."
        ;;
    trial)
        record ok "updated v$OLD_VER -> v$RUN_VER on trial (not confirmed)"
        echo "${WF_Y}ON TRIAL${WF_N}: v$RUN_VER runs but is NOT confirmed. After the soak test:"
        echo "  confirm: $MCUMGR ${WF_CONN[*]} image confirm"
        echo "  revert:  $MCUMGR ${WF_CONN[*]} reset   (the bootloader restores v$OLD_VER)"
        ;;
esac
exit 0
