#!/usr/bin/env bash
# Automated field update of one device with the test-then-confirm safety
# net, as the field guide runs it: `dfu_update.sh FIRMWARE [DEVICE] [BAUD]`.
# The update itself is `mcumgr dfu` (the engine in src/dfu: checks, upload,
# test, reset, verify, confirm/revert/trial, the audit records, the hints);
# this script only maps the guide's command line onto it.
set -uo pipefail

usage() {
    cat <<'EOF2'
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
  --name NAME        the device's name in the audit trail (default: its port or address)
  --image-cache DIR  images shipped earlier: when the device runs one of them and
                     takes deltas, only a patch is sent; the new image is kept there
  --audit-db PATH    audit trail (default $MCUTOOLS_AUDIT_DB or the user's state folder)
  --operator NAME    who runs the update (default $MCUTOOLS_OPERATOR or the login name)
  -h, --help

exit: 0 updated (or reverted on request), 1 failed (device keeps its firmware), 2 usage
EOF2
}

# The helpers: in lib/ beside this script in a checkout, in share/mcutools/
# when installed (bin/ and share/ under one prefix).
WF_HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
WF_LIB=$WF_HERE/lib/common.sh
[ -f "$WF_LIB" ] || WF_LIB=$WF_HERE/../share/mcutools/common.sh
source "$WF_LIB"

ME=dfu_update.sh
# needs OPTION [VALUE...]: an option that takes a value has one
needs() { if [ $# -lt 2 ] || [ -z "$2" ]; then echo "$ME: $1 needs a value" >&2; exit 2; fi; }
FLAGS=() MAX_SIZE=$((0x74000)) TIMEOUT=5 BOOT_WAIT=30 POS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --confirm|--yes|-y) FLAGS+=(--confirm) ;;
        --revert) FLAGS+=(--revert) ;;
        --trial|--no-confirm) FLAGS+=(--trial) ;;
        --force) FLAGS+=(--force) ;;
        --key|--audit-db|--operator|--image-cache) needs "$@"; FLAGS+=("$1" "$2"); shift ;;
        --name) needs "$@"; FLAGS+=(--device-name "$2"); shift ;;
        --max-size) needs "$@"; MAX_SIZE=$(wf_number $ME --max-size "$2") || exit 2; shift ;;
        --timeout) needs "$@"; TIMEOUT=$(wf_number $ME --timeout "$2") || exit 2; shift ;;
        --boot-wait) needs "$@"; BOOT_WAIT=$(wf_number $ME --boot-wait "$2") || exit 2; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; POS+=("$@"); break ;;
        -*) echo "$ME: unknown option $1" >&2; usage >&2; exit 2 ;;
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
BAUD=$(wf_number $ME BAUD "${POS[2]:-${BAUD:-115200}}") || exit 2

wf_find_tools || exit 1
wf_parse_device "$DEV" "$BAUD"
echo "${WF_B}MCUmgr DFU update${WF_N}: $FIRMWARE -> $WF_CONN_DESC"
exec "$MCUMGR" "${WF_CONN[@]}" -t "$TIMEOUT" dfu "${FLAGS[@]}" --max-size "$MAX_SIZE" \
    --boot-wait "$BOOT_WAIT" -- "$FIRMWARE"
