#!/usr/bin/env bash
# Is MCUmgr working on this device? Connection test, image list, task
# statistics, system statistics; a PASS/FAIL line per check and a summary.
# Reads only: it changes nothing on the device.
set -uo pipefail

usage() {
    cat <<'EOF2'
usage: quick_mcumgr_test.sh [options] [DEVICE] [BAUD]

  DEVICE   serial port (default $DEVICE or /dev/ttyACM0), or UDP as
           udp:127.0.0.1:1337 (also HOST:PORT)
  BAUD     serial baud rate (default 115200)

options:
  --timeout SEC   per-request timeout (default 5)
  -v              show each command's full output
  -h, --help

exit: 0 all checks passed, 1 a check failed, 2 usage
EOF2
}

# The helpers: in lib/ beside this script in a checkout, in share/mcutools/
# when installed (bin/ and share/ under one prefix).
WF_HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
WF_LIB=$WF_HERE/lib/common.sh
[ -f "$WF_LIB" ] || WF_LIB=$WF_HERE/../share/mcutools/common.sh
source "$WF_LIB"

TIMEOUT=5 VERBOSE=0 POS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --timeout) TIMEOUT=${2:?--timeout needs seconds}; shift ;;
        -v|--verbose) VERBOSE=1 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "quick_mcumgr_test.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) POS+=("$1") ;;
    esac
    shift
done
[ ${#POS[@]} -le 2 ] || { usage >&2; exit 2; }
DEV=${POS[0]:-${DEVICE:-/dev/ttyACM0}}
BAUD=${POS[1]:-${BAUD:-115200}}
case "$BAUD" in ''|*[!0-9]*) echo "quick_mcumgr_test.sh: BAUD must be a number, not '$BAUD'" >&2; exit 2 ;; esac

wf_find_tools || exit 1
wf_parse_device "$DEV" "$BAUD"
mgr() { "$MCUMGR" "${WF_CONN[@]}" -t "$TIMEOUT" "$@"; }

PASSED=() FAILED=()
pass() { PASSED+=("$1"); echo "  ${WF_G}PASS${WF_N}  $1${2:+: $2}"; }
failc() { FAILED+=("$1"); echo "  ${WF_R}FAIL${WF_N}  $1${2:+: $2}"; }
show() { [ "$VERBOSE" = 1 ] && sed 's/^/        /' <<<"$1"; return 0; }

echo "${WF_B}MCUmgr quick test${WF_N}: $WF_CONN_DESC"

# 1. connection
connected=0
if ! wf_check_port; then
    failc "connection test" "$WF_PROBLEM"
    for h in "${WF_HINTS[@]}"; do wf_hint "$h"; done
else
    out=$(mgr echo "hello" 2>&1)
    if [ "$out" = hello ]; then
        connected=1
        pass "connection test" "echo answered 'hello'"
    else
        failc "connection test" "$(head -n 1 <<<"$out")"
        mapfile -t hints < <(wf_connect_hints)
        for h in "${hints[@]}"; do wf_hint "$h"; done
    fi
fi

if [ "$connected" = 1 ]; then
    # 2. images
    if out=$(mgr image list 2>&1) && ver=$(wf_slot_field 0 version <<<"$out") && [ -n "$ver" ]; then
        pass "image list" "slot 0 runs v$ver ($(wf_slot_field 0 flags <<<"$out"))"
    else
        failc "image list" "$(grep -m1 -i error <<<"$out" || head -n 1 <<<"$out")"
    fi
    show "$out"
    # 3. tasks
    if out=$(mgr taskstat 2>&1) && [ "$(grep -c . <<<"$out")" -ge 2 ]; then
        pass "task statistics" "$(($(grep -c . <<<"$out") - 1)) tasks"
    else
        failc "task statistics" "$(grep -m1 -i error <<<"$out" || head -n 1 <<<"$out")"
    fi
    show "$out"
    # 4. system statistics (every statistics group the device has)
    if groups=$(mgr stat list 2>&1) && out=$(mgr stat show 2>&1) && [ -n "$out" ]; then
        pass "system statistics" "groups: $(grep -v -i '^stat groups' <<<"$groups" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')"
    else
        failc "system statistics" "$(grep -m1 -i error <<<"$groups$out" || head -n 1 <<<"$groups$out")"
    fi
    show "$out"
else
    for c in "image list" "task statistics" "system statistics"; do
        failc "$c" "not run: no connection"
    done
fi

total=$((${#PASSED[@]} + ${#FAILED[@]}))
echo
if [ ${#FAILED[@]} -eq 0 ]; then
    echo "${WF_G}PASS${WF_N}: all $total checks passed: MCUmgr works on $WF_CONN_DESC"
    exit 0
fi
echo "${WF_R}FAIL${WF_N}: ${#FAILED[@]} of $total checks failed (${FAILED[*]})"
exit 1
