#!/usr/bin/env bash
# Is MCUmgr working on this device? Four mcumgr commands (echo, image list,
# taskstat, stat), a PASS/FAIL line for each and a summary. Reads only: it
# changes nothing on the device and writes nothing to the audit trail.
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

ME=quick_mcumgr_test.sh TIMEOUT=5 VERBOSE=0 POS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --timeout) TIMEOUT=$(wf_number $ME --timeout "${2:-}") || exit 2; shift ;;
        -v|--verbose) VERBOSE=1 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "$ME: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) POS+=("$1") ;;
    esac
    shift
done
[ ${#POS[@]} -le 2 ] || { usage >&2; exit 2; }
DEV=${POS[0]:-${DEVICE:-/dev/ttyACM0}}
BAUD=$(wf_number $ME BAUD "${POS[1]:-${BAUD:-115200}}") || exit 2

wf_find_tools || exit 1
wf_parse_device "$DEV" "$BAUD"
# mgr ARGS: the mcumgr command on this device, its errors in its output
mgr() { "$MCUMGR" "${WF_CONN[@]}" -t "$TIMEOUT" "$@" 2>&1; }

# Each check runs its mcumgr command into OUT, sets SUMMARY (what it found,
# or the error) and returns 0 when it passed.
why() { grep -m1 -i error <<<"$OUT" || head -n 1 <<<"$OUT"; }
check_echo() {
    OUT=$(mgr echo hello)
    [ "$OUT" = hello ] || { SUMMARY=$(head -n 1 <<<"$OUT"); return 1; }
    SUMMARY="echo answered 'hello'"
}
check_images() {
    local ver
    OUT=$(mgr image list) || { SUMMARY=$(why); return 1; }
    ver=$(wf_slot_field 0 version <<<"$OUT")
    [ -n "$ver" ] || { SUMMARY="no image in slot 0"; return 1; }
    SUMMARY="slot 0 runs v$ver ($(wf_slot_field 0 flags <<<"$OUT"))"
}
check_tasks() {
    local lines
    OUT=$(mgr taskstat) || { SUMMARY=$(why); return 1; }
    lines=$(grep -c . <<<"$OUT") # a header, then one line a task
    [ "$lines" -ge 2 ] || { SUMMARY="no tasks listed"; return 1; }
    SUMMARY="$((lines - 1)) tasks"
}
check_stats() { # every statistics group the device has
    local groups
    OUT=$(mgr stat list) || { SUMMARY=$(why); return 1; }
    groups=$(grep -v -i '^stat groups' <<<"$OUT" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
    OUT=$(mgr stat show) || { SUMMARY=$(why); return 1; }
    SUMMARY="groups: $groups"
}

FAILED=() TOTAL=0
# run_check NAME FUNCTION: the check's PASS/FAIL line (and its output with -v)
run_check() {
    local word=PASS colour=$WF_G
    OUT='' SUMMARY=''
    TOTAL=$((TOTAL + 1))
    if ! "$2"; then
        word=FAIL colour=$WF_R
        FAILED+=("$1")
    fi
    echo "  $colour$word$WF_N  $1${SUMMARY:+: $SUMMARY}"
    if [ "$VERBOSE" = 1 ] && [ -n "$OUT" ]; then sed 's/^/        /' <<<"$OUT"; fi
}
not_run() { TOTAL=$((TOTAL + 1)) FAILED+=("$1"); echo "  ${WF_R}FAIL${WF_N}  $1: not run: no connection"; }

echo "${WF_B}MCUmgr quick test${WF_N}: $WF_CONN_DESC"
run_check "connection test" check_echo
if [ ${#FAILED[@]} -eq 0 ]; then
    run_check "image list" check_images
    run_check "task statistics" check_tasks
    run_check "system statistics" check_stats
else
    wf_connect_hints | while IFS= read -r h; do wf_hint "$h"; done
    for c in "image list" "task statistics" "system statistics"; do not_run "$c"; done
fi

echo
if [ ${#FAILED[@]} -eq 0 ]; then
    echo "${WF_G}PASS${WF_N}: all $TOTAL checks passed: MCUmgr works on $WF_CONN_DESC"
    exit 0
fi
echo "${WF_R}FAIL${WF_N}: ${#FAILED[@]} of $TOTAL checks failed (${FAILED[*]})"
exit 1
