# shellcheck shell=bash
# Shared helpers of the production scripts (dfu_update.sh,
# quick_mcumgr_test.sh, build_dfu_package.sh, demo.sh). Source it; it sets
# no shell options of its own.
#
#   wf_find_tools                 sets MCUMGR and IMGTOOL (env, $BIN_DIR, beside the
#                                 script ($WF_HERE), PATH, a checkout's build/bin)
#   wf_parse_device DEV [BAUD]    sets WF_CONN (mcumgr connection flags as an array),
#                                 WF_CONN_DESC, WF_CONNTYPE, WF_PORT (serial path or "")
#   wf_image_info FILE [KEY]      sets WF_IMG_VERSION, WF_IMG_HASH, WF_IMG_SIZE (0 on failure)
#   wf_slot_field SLOT FIELD      one field of `mcumgr image list` text on stdin
#   wf_connect_hints              the field guide's checklist when a device does not answer
#
# The checked update itself, with its port checks and hints, is `mcumgr dfu`
# (src/dfu); these helpers are only what the scripts need around it.

# The checkout this file sits in (scripts/lib/); installed, the prefix.
WF_ROOT=${WF_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

# Colours only on a terminal, so logs and tests get plain text.
if [ -t 1 ]; then
    WF_B=$'\e[1m' WF_G=$'\e[32m' WF_R=$'\e[31m' WF_Y=$'\e[33m' WF_N=$'\e[0m'
else
    WF_B='' WF_G='' WF_R='' WF_Y='' WF_N=''
fi

wf_step() { echo "${WF_B}==> $*${WF_N}"; }
wf_ok() { echo "  ${WF_G}✓${WF_N} $*"; }
wf_warn() { echo "  ${WF_Y}!${WF_N} $*" >&2; }
wf_err() { echo "${WF_R}ERROR:${WF_N} $*" >&2; }
wf_hint() { echo "  Hint: $*" >&2; }

# wf_number SCRIPT OPTION VALUE: prints VALUE as a decimal number when it is
# one (decimal digits, or 0x and hex digits), else explains and exits 2.
# User input never reaches $(( )) unchecked: bash evaluates array indexes
# and command substitutions inside it.
wf_number() {
    local script=$1 opt=$2 v=$3
    if [[ "$v" =~ ^[0-9]{1,10}$ ]]; then
        echo $((10#$v))
    elif [[ "$v" =~ ^0[xX][0-9a-fA-F]{1,8}$ ]]; then
        echo $((16#${v:2}))
    else
        echo "$script: $opt needs a number (decimal or 0x hex), not '$v'" >&2
        exit 2
    fi
}

# name: prints the first executable candidate. An explicit $BIN_DIR (tests,
# the demo) wins; then the tools beside the script (an install puts both in
# one bin/), the PATH, and last the build tree of the checkout.
_wf_pick() {
    local name=$1 c
    for c in ${BIN_DIR:+"$BIN_DIR/$name"} ${WF_HERE:+"$WF_HERE/$name"}; do
        [ -x "$c" ] && { echo "$c"; return 0; }
    done
    command -v "$name" 2>/dev/null && return 0
    c=$WF_ROOT/build/bin/$name
    if [ -x "$c" ]; then echo "$c"; fi
}

wf_find_tools() {
    MCUMGR=${MCUMGR:-$(_wf_pick mcumgr)}
    IMGTOOL=${IMGTOOL:-$(_wf_pick imgtool)}
    if [ -z "$MCUMGR" ] || [ -z "$IMGTOOL" ]; then
        wf_err "mcumgr/imgtool not found beside ${WF_HERE:-this script} nor on the PATH: install mcutools, build them in the checkout (bash scripts/build.sh) or set BIN_DIR"
        return 1
    fi
}

# A device is a serial port path (/dev/ttyACM0, a pty, a mcusim state
# folder's tty link), or UDP as udp:HOST:PORT, udp://HOST:PORT or HOST:PORT.
wf_parse_device() {
    local dev=$1 baud=${2:-115200}
    WF_PORT=''
    case "$dev" in
        udp://*) dev=${dev#udp://} ;;
        udp:*) dev=${dev#udp:} ;;
    esac
    if [ "$1" != "$dev" ] || { [[ "$dev" != /* ]] && [[ "$dev" == *:[0-9]* ]]; }; then
        WF_CONNTYPE=udp
        WF_CONN=(--conntype udp --connstring "$dev")
        WF_CONN_DESC="udp $dev"
    else
        WF_CONNTYPE=serial
        WF_PORT=$dev
        WF_CONN=(--conntype serial --connstring "dev=$dev,baud=$baud")
        WF_CONN_DESC="serial $dev baud=$baud"
    fi
}

wf_image_info() { # file [key]
    local out
    WF_IMG_VERSION='' WF_IMG_HASH='' WF_IMG_SIZE=0 WF_IMG_ERROR=''
    WF_IMG_SIZE=$(stat -c %s "$1" 2>/dev/null || echo 0)
    if ! out=$("$IMGTOOL" verify ${2:+-k "$2"} "$1" 2>&1); then
        WF_IMG_ERROR=$(echo "$out" | grep -v '^$' | tail -n 1)
        return 1
    fi
    WF_IMG_VERSION=$(echo "$out" | sed -n 's/^Image version: //p')
    WF_IMG_VERSION=${WF_IMG_VERSION%+0}
    WF_IMG_HASH=$(echo "$out" | sed -n 's/^Image digest: //p')
    [ -n "$WF_IMG_VERSION" ] && [ -n "$WF_IMG_HASH" ]
}

# Extracts one field of one slot from `mcumgr image list` text on stdin:
# wf_slot_field SLOT FIELD (version, flags, hash, bootable).
wf_slot_field() {
    awk -v s="slot=$1" -v f="$2:" '
        $0 ~ s" *$" || $0 ~ s"$" {in_slot = 1; next}
        /slot=/ {in_slot = 0}
        in_slot && $1 == f {sub(/^[ \t]*[a-z]+:[ \t]*/, ""); print; exit}'
}

# The guide's "Error: failed to connect" checklist, for when the device
# does not answer (quick_mcumgr_test.sh; `mcumgr dfu` gives the same from
# src/dfu/advice.c).
wf_connect_hints() {
    if [ "$WF_CONNTYPE" = udp ]; then
        echo "Is the device powered and on the network? Check the address: ${WF_CONN_DESC#udp }"
        echo "Simulated board: is mcusim running, and on this UDP port (it prints 'udp: 127.0.0.1:PORT')?"
    else
        echo "Check the connection and the port: ls -l /dev/ttyACM*"
        echo "Press Button 1 (enter DFU mode): status LED blinks fast, console shows '>>> Entering DFU Mode'"
        echo "Baud rate mismatch? Try: mcumgr --conntype serial --connstring \"dev=$WF_PORT,baud=115200\" echo test (or baud=9600)"
        echo "Another program using the port? lsof $WF_PORT"
    fi
}
