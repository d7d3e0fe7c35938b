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
#   wf_version_cmp A B            prints -1, 0 or 1 (MCUboot versions maj.min.rev[+build])
#   wf_port_holders PATH          prints "PID (command)" of processes holding PATH open

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

# MCUboot versions: major.minor.revision and a build number after "+" (or as
# a fourth dotted field, as `image list` shows it). Missing fields are 0.
wf_version_cmp() {
    local a b i x y
    IFS=. read -r -a a <<<"${1//+/.}"
    IFS=. read -r -a b <<<"${2//+/.}"
    for i in 0 1 2 3; do
        x=${a[$i]:-0} y=${b[$i]:-0}
        x=$((10#${x//[^0-9]/})) y=$((10#${y//[^0-9]/}))
        if [ "$x" -lt "$y" ]; then echo -1; return; fi
        if [ "$x" -gt "$y" ]; then echo 1; return; fi
    done
    echo 0
}

# Processes that hold the port open. lsof when present; otherwise /proc
# (which sees this user's processes). The port may be a symlink.
wf_port_holders() {
    local port target pid fd cmd
    port=$1
    target=$(readlink -f "$port" 2>/dev/null || echo "$port")
    if command -v lsof >/dev/null 2>&1; then
        lsof -n -F pc -- "$target" 2>/dev/null | awk '
            /^p/ {pid = substr($0, 2)}
            /^c/ {print pid " (" substr($0, 2) ")"}' | sort -u
        return 0
    fi
    for fd in /proc/[0-9]*/fd/*; do
        [ "$(readlink "$fd" 2>/dev/null)" = "$target" ] || continue
        pid=${fd#/proc/}; pid=${pid%%/*}
        cmd=$(cat "/proc/$pid/comm" 2>/dev/null)
        echo "$pid ($cmd)"
    done | sort -u
}

# Extracts one field of one slot from `mcumgr image list` text on stdin:
# wf_slot_field SLOT FIELD (version, flags, hash, bootable).
wf_slot_field() {
    awk -v s="slot=$1" -v f="$2:" '
        $0 ~ s" *$" || $0 ~ s"$" {in_slot = 1; next}
        /slot=/ {in_slot = 0}
        in_slot && $1 == f {sub(/^[ \t]*[a-z]+:[ \t]*/, ""); print; exit}'
}

# wf_check_port: for a serial device, is the port there, ours to open, and
# not held by another program? On a problem returns 1 with WF_PROBLEM and
# the guide's hints in WF_HINTS (an array). UDP always passes.
wf_check_port() {
    local holders h others=()
    WF_PROBLEM='' WF_HINTS=()
    [ "$WF_CONNTYPE" = serial ] || return 0
    if [ ! -e "$WF_PORT" ]; then
        local seen
        seen=$(ls /dev/ttyACM* /dev/ttyUSB* 2>/dev/null | tr '\n' ' ')
        WF_PROBLEM="failed to connect: no device at $WF_PORT (device not connected, or wrong port)"
        WF_HINTS=("Check connection: ls -l /dev/ttyACM*${seen:+ (present now: $seen)}"
                  "Give the right port as DEVICE, e.g. /dev/ttyACM1")
        return 1
    fi
    if [ ! -r "$WF_PORT" ] || [ ! -w "$WF_PORT" ]; then
        WF_PROBLEM="failed to connect: no permission to open $WF_PORT"
        WF_HINTS=("Add yourself to the dialout group (sudo usermod -aG dialout \$USER), then log in again")
        return 1
    fi
    # Another program on the port would swallow the device's answers. The
    # simulated board holds its own pty open: that is the device itself.
    holders=$(wf_port_holders "$WF_PORT")
    while IFS= read -r h; do
        [ -n "$h" ] || continue
        case "$h" in *"(mcusim)") continue ;; esac
        [ "${h%% *}" = "$$" ] && continue
        others+=("$h")
    done <<<"$holders"
    if [ ${#others[@]} -gt 0 ]; then
        WF_PROBLEM="port busy: $WF_PORT is in use by ${others[*]}"
        WF_HINTS=("Close that program (minicom, screen, a serial monitor, another mcumgr), then retry"
                  "Check with: lsof $WF_PORT")
        return 1
    fi
}

# The guide's "Error: failed to connect" checklist, for when the device
# does not answer.
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
