# Helpers for the mcumgr end-to-end tests, on top of tests/lib/e2e.sh: a
# private board per test (own state folder, free UDP port, always stopped),
# mcumgr over the chosen link, and small asserts. Sourced by e2e_*.sh.

source "${SRC_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/tests/lib/e2e.sh"

WORK="$E2E_TMP"
export MCUMGR_CONN_FILE="$WORK/profiles.json"
# state-changing commands append to the audit trail: keep it private
export MCUTOOLS_AUDIT_DB="$WORK/audit.db"

SLOT0=$((0xC000))
SLOT1=$((0x82000))
SLOT_SIZE=$((0x76000))

fail() { e2e_fail "$@"; }

# need_images: the binaries the tests use are built. Images come from
# e2e_vector_or_own: the reference vectors when ../shared is present, else
# our own images like them.
need_images() {
    e2e_require_bin mcusim mcumgr imgtool
}

# provision_board IMAGE: slot 0 holds IMAGE, confirmed (board not running)
provision_board() {
    sim_provision "$1"
    STATE="$SIM_DIR"
}

# start_board [mcusim options...]: sets STATE, TTY (the stable symlink), PORT
start_board() {
    sim_start "$@"
    STATE="$SIM_DIR"
    TTY="$SIM_TTY_LINK"
    PORT="$SIM_PORT"
}

stop_board() { sim_stop; }

# mcumgr over the chosen link ($LINK = udp or serial)
mm() {
    if [ "${LINK:-udp}" = serial ]; then
        "$MCUMGR" --conntype serial --connstring "dev=$TTY,baud=115200" -t 5 "$@"
    else
        "$MCUMGR" --conntype udp --connstring "127.0.0.1:$PORT" -t 5 "$@"
    fi
}

# expect_out "regex" cmd...: cmd succeeds and prints a matching line
expect_out() {
    local pat="$1"
    shift
    local out
    out="$("$@" 2>&1)" || fail "command failed: $* -> $out"
    grep -qE -- "$pat" <<<"$out" || fail "no /$pat/ in output of $*: $out"
    LAST_OUT="$out"
}

# expect_fail "regex" cmd...: cmd exits 1 and prints a matching line
expect_fail() {
    local pat="$1"
    shift
    local out rc=0
    out="$("$@" 2>&1)" || rc=$?
    [ "$rc" -eq 1 ] || fail "expected exit 1, got $rc: $* -> $out"
    grep -qE -- "$pat" <<<"$out" || fail "no /$pat/ in output of $*: $out"
    LAST_OUT="$out"
}

# flash_bytes ADDR LEN: bytes of the board's flash file
flash_bytes() {
    dd if="$STATE/flash.bin" bs=4096 iflag=skip_bytes,count_bytes skip="$1" count="$2" 2>/dev/null
}
