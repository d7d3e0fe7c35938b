# Helpers for the mcumgr end-to-end tests: a private board per test (own
# state folder, free UDP port), always stopped on exit, and small asserts.
# Sourced by the e2e_*.sh scripts; needs BIN_DIR (and SHARED_DIR for images).

set -u
MCUMGR="$BIN_DIR/mcumgr"
MCUSIM="$BIN_DIR/mcusim"
VEC="${SHARED_DIR:-/nonexistent}/vectors/imgtool"
BOARD_PID=""
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mcumgr-e2e.XXXXXX")"
STATE="$WORK/board"
export MCUMGR_CONN_FILE="$WORK/profiles.json"

cleanup() {
    stop_board
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    [ -f "$WORK/board.out" ] && { echo "--- board output:" >&2; tail -20 "$WORK/board.out" >&2; }
    exit 1
}

need_vectors() {
    [ -d "$VEC" ] || { echo "skipped: no reference vectors (SHARED_DIR)"; exit 77; }
    [ -x "$MCUSIM" ] || { echo "skipped: mcusim not built"; exit 77; }
}

# A UDP port nobody uses right now (the kernel picks it).
free_udp_port() {
    python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_board [mcusim options...]: starts a board on $STATE with a free UDP
# port and waits until it prints its addresses. Sets PORT and TTY.
start_board() {
    PORT="$(free_udp_port)"
    mkdir -p "$STATE"
    "$MCUSIM" --state "$STATE" --udp "$PORT" "$@" >"$WORK/board.out" 2>&1 &
    BOARD_PID=$!
    for _ in $(seq 1 100); do
        if grep -q "^udp: " "$WORK/board.out" 2>/dev/null; then
            TTY="$STATE/tty"
            return 0
        fi
        kill -0 "$BOARD_PID" 2>/dev/null || fail "mcusim exited early"
        sleep 0.05
    done
    fail "mcusim did not come up"
}

stop_board() {
    if [ -n "$BOARD_PID" ]; then
        kill "$BOARD_PID" 2>/dev/null
        wait "$BOARD_PID" 2>/dev/null
        BOARD_PID=""
    fi
}

# mcumgr over the chosen link ($LINK = udp or serial)
mm() {
    if [ "${LINK:-udp}" = serial ]; then
        "$MCUMGR" --conntype serial --connstring "dev=$TTY,baud=115200" -t 5 "$@"
    else
        "$MCUMGR" --conntype udp --connstring "127.0.0.1:$PORT" -t 5 "$@"
    fi
}

# expect_out "pattern" cmd...: runs cmd, requires success and pattern in stdout
expect_out() {
    local pat="$1"
    shift
    local out
    out="$("$@" 2>&1)" || fail "command failed: $* -> $out"
    grep -qE -- "$pat" <<<"$out" || fail "no /$pat/ in output of $*: $out"
    LAST_OUT="$out"
}

# expect_fail "pattern" cmd...: runs cmd, requires failure (exit 1) and pattern
expect_fail() {
    local pat="$1"
    shift
    local out rc=0
    out="$("$@" 2>&1)" || rc=$?
    [ "$rc" -eq 1 ] || fail "expected exit 1, got $rc: $* -> $out"
    grep -qE -- "$pat" <<<"$out" || fail "no /$pat/ in output of $*: $out"
    LAST_OUT="$out"
}

# bytes of the flash file at an address
flash_bytes() { # addr len
    dd if="$STATE/flash.bin" bs=4096 iflag=skip_bytes,count_bytes skip="$1" count="$2" 2>/dev/null
}

SLOT0=$((0xC000))
SLOT1=$((0x82000))
SLOT_SIZE=$((0x76000))
