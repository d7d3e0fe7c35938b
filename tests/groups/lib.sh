# Helpers for the management-group end-to-end tests: a private board that
# runs firmware (an unsigned image built here with our imgtool, so no
# reference vectors are needed), mcumgr over the chosen link, and asserts.
# Sourced by the e2e_*.sh scripts in this folder.

source "$SRC_DIR/tests/lib/e2e.sh"
set -u
e2e_require_bin mcusim mcumgr imgtool

# every state-changing command writes an audit record: keep them private
export MCUTOOLS_AUDIT_DB="$E2E_TMP/audit.db"
export MCUMGR_CONN_FILE="$E2E_TMP/profiles.json"
LINK=${LINK:-udp}

# groups_board_start [mcusim options]: a fresh board running firmware v1.2.3.
groups_board_start() {
    head -c 20000 /dev/urandom >"$E2E_TMP/fw.bin"
    "$IMGTOOL" sign --header-size 0x200 --align 4 --version 1.2.3 --slot-size 0x76000 \
        --pad-header "$E2E_TMP/fw.bin" "$E2E_TMP/fw.signed.bin" >/dev/null ||
        e2e_fail "imgtool sign failed"
    sim_provision "$E2E_TMP/fw.signed.bin"
    sim_start "$@"
    [ -n "${SIM_TTY:-}" ] || e2e_fail "the board printed no pty"
}

# mcumgr over $LINK (udp or serial)
mm() {
    if [ "$LINK" = serial ]; then
        "$MCUMGR" --conntype serial --connstring "dev=$SIM_TTY_LINK,baud=115200" -t 5 "$@"
    else
        "$MCUMGR" --conntype udp --connstring "$SIM_UDP" -t 5 "$@"
    fi
}

# ok CMD...: runs mcumgr, requires exit 0 and no stderr; output in $OUT
ok() {
    local rc=0
    OUT=$(mm "$@" 2>"$E2E_TMP/stderr") || rc=$?
    [ "$rc" -eq 0 ] || e2e_fail "mcumgr $* exited $rc: $OUT $(cat "$E2E_TMP/stderr")"
    [ ! -s "$E2E_TMP/stderr" ] || e2e_fail "mcumgr $* wrote to stderr: $(cat "$E2E_TMP/stderr")"
}

# fails WANT_RC PATTERN CMD...: requires exit WANT_RC and PATTERN (ERE) in
# stdout+stderr; output in $OUT
fails() {
    local want=$1 pat=$2 rc=0
    shift 2
    OUT=$(mm "$@" 2>&1) || rc=$?
    [ "$rc" -eq "$want" ] || e2e_fail "mcumgr $*: exit $rc, want $want: $OUT"
    grep -qE -- "$pat" <<<"$OUT" || e2e_fail "mcumgr $*: no /$pat/ in: $OUT"
    [ "${GROUPS_DEBUG:-0}" = 0 ] || printf '%s\n  -> %s\n' "$*" "$OUT" | cut -c1-200
}

has() { # PATTERN (ERE) in $OUT
    grep -qE -- "$1" <<<"$OUT" || e2e_fail "no /$1/ in: $OUT"
}

# json EXPR: evaluates a python expression over the JSON in $OUT (as `j`)
# and prints the result; fails when $OUT is not JSON or the expression fails.
json() {
    python3 -c 'import json, sys
j = json.loads(sys.argv[1])
v = eval(sys.argv[2])
print(json.dumps(v) if isinstance(v, (bool, dict, list)) or v is None else v)' "$OUT" "$1" ||
        e2e_fail "JSON check $1 failed on: $OUT"
}

# stat_field GROUP FIELD: one counter, read through mcumgr --json
stat_field() {
    local o
    o=$(mm --json stat "$1") || e2e_fail "stat $1 failed: $o"
    python3 -c 'import json, sys; print(json.loads(sys.argv[1])["fields"][sys.argv[2]])' "$o" "$2"
}

# wait_serving: after a reset, wait until the board answers again
wait_serving() {
    local i
    for i in $(seq 100); do
        mm -t 0.5 echo up >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    e2e_fail "the board did not come back after the reset"
}

# state_digest: a digest of the board's files and settings (not flash.bin,
# console or status files, which change as it runs)
state_digest() {
    (cd "$SIM_DIR" && find fs settings -type f 2>/dev/null | sort | xargs -r sha256sum;
     find fs -printf '%y %p\n' 2>/dev/null | sort) | sha256sum
}
