# Shared helpers for end-to-end tests: start a simulated board (mcusim) in
# its own temporary state folder on a free UDP port, wait until it is
# ready, talk to it, and always stop it (EXIT trap). Source this file:
#
#   source "$SRC_DIR/tests/lib/e2e.sh"
#   e2e_require_shared            # exit 77 (skipped) when ../shared is absent
#   e2e_vector_or_own img p300k_ed25519   # the reference vector, or our own
#                                 # image like it when ../shared is absent
#   sim_start                     # a fresh board; sets SIM_DIR SIM_TTY SIM_PORT ...
#   sim_provision "$img"          # factory-program slot 0 (board must be stopped,
#                                 # or call it before sim_start with SIM_DIR set)
#   "$MCUMGR" --conntype udp --connstring "$SIM_UDP" echo hi
#   sim_stop
#
# After sim_start:
#   SIM_DIR       the board's state folder (flash.bin, console.log, tty, ...)
#   SIM_PID       pid of mcusim
#   SIM_TTY       the pty the board printed (/dev/pts/N)
#   SIM_TTY_LINK  $SIM_DIR/tty, a symlink that follows the pty across unplugs
#   SIM_PORT      its UDP port; SIM_UDP is "127.0.0.1:$SIM_PORT"
#   SIM_SERIAL    connstring for mcumgr over the pty ("dev=$SIM_TTY,baud=115200")
# Other helpers (each documented where defined): sim_restart, sim_ctl
# (--press-button 1, --ctl "unplug 500" ...), sim_status [field.path],
# sim_boot_once [field] [opts], sim_wait_log REGEX, sim_wait_reset N,
# sim_count_log, e2e_free_udp_port, e2e_new_state_dir, e2e_require_bin,
# e2e_have_shared, e2e_key_or_own, e2e_vector_or_own, e2e_image_hash,
# e2e_signed_image, e2e_own_key, e2e_key_type, e2e_has_ed25519,
# e2e_require_ed25519,
# e2e_assert_eq, e2e_assert_contains, e2e_fail, e2e_log.
# Start a second board in the same test with `SIM_DIR=; sim_start ...`.
# SIM_START_TIMEOUT (seconds, default 60) bounds the wait for ready lines.
# Binaries: $BIN_DIR (set by ctest; defaults to ./bin), MCUSIM, MCUMGR, IMGTOOL.

# (no set -e/-u here: the sourcing test chooses its own shell options)

BIN_DIR=${BIN_DIR:-$PWD/bin}
SRC_DIR=${SRC_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MCUSIM=${MCUSIM:-$BIN_DIR/mcusim}
MCUMGR=${MCUMGR:-$BIN_DIR/mcumgr}
IMGTOOL=${IMGTOOL:-$BIN_DIR/imgtool}

E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/e2e.XXXXXX")
# each test remembers its own resets and unfinished uploads (mcumgr hints)
export MCUTOOLS_STATE_DIR="$E2E_TMP/state"
E2E_PIDS=()
SIM_ARGS=()

# Prints a message on stderr and fails the test.
e2e_fail() {
    echo "FAIL: $*" >&2
    if [ -n "${SIM_DIR:-}" ] && [ -f "$SIM_DIR/console.log" ]; then
        echo "--- last console lines of the board ($SIM_DIR) ---" >&2
        tail -n 20 "$SIM_DIR/console.log" >&2
    fi
    exit 1
}

e2e_log() { echo "== [${SECONDS}s] $*"; }

# e2e_have_shared: true (and VECTORS set) when the reference vectors made
# by MCUboot's own imgtool are present in $SHARED_DIR (../shared).
e2e_have_shared() {
    [ -n "${SHARED_DIR:-}" ] && [ -d "$SHARED_DIR/vectors/imgtool" ] || return 1
    VECTORS=$SHARED_DIR/vectors/imgtool
}

# Exits 77 (ctest: skipped) when the shared reference folder is absent.
e2e_require_shared() {
    if ! e2e_have_shared; then
        echo "SKIP: SHARED_DIR with vectors/imgtool not available"
        exit 77
    fi
}

# Own images, for a clone without ../shared: signed by our imgtool with keys
# from our `imgtool keygen`, payloads from scripts/make_firmware.sh (the
# same version and size always give the same payload), laid out as the
# reference vectors are (-H 0x200 --pad-header -S 0x76000).

# The build's crypto port: e2e_key_type, e2e_has_ed25519, e2e_require_ed25519.
source "$SRC_DIR/tests/lib/crypto_port.sh"

# e2e_own_key VAR NAME: VAR = our key standing in for the vector key NAME
# (ed25519, ecp256, rsa2048, ...; see e2e_key_type), made once per test.
e2e_own_key() {
    local -n _key=$1
    local name=$2 type
    type=$(e2e_key_type "$name") || e2e_fail "e2e_own_key: no key type for '$name'"
    mkdir -p "$E2E_TMP/own"
    _key=$E2E_TMP/own/$name.pem
    [ -s "$_key" ] || "$IMGTOOL" keygen -k "$_key" -t "$type" >/dev/null ||
        e2e_fail "imgtool keygen -t $type failed"
}

# e2e_signed_image VERSION OUT [SIZE] [KEY] [imgtool sign options...]:
# OUT = a SIZE-byte firmware (default 1024) signed with KEY (a PEM file;
# empty: hash only) as version VERSION.
e2e_signed_image() {
    local ver=$1 out=$2 size=${3:-1024} key=${4:-}
    shift $(( $# < 4 ? $# : 4 ))
    local fw=$E2E_TMP/own/fw-$ver-$size.bin
    mkdir -p "$E2E_TMP/own"
    [ -s "$fw" ] || bash "$SRC_DIR/scripts/make_firmware.sh" "$ver" "$fw" "$size" ||
        e2e_fail "make_firmware.sh $ver failed"
    "$IMGTOOL" sign ${key:+-k "$key"} -H 0x200 --pad-header -S 0x76000 -v "$ver" "$@" \
        "$fw" "$out" >/dev/null || e2e_fail "imgtool sign -v $ver failed"
}

# e2e_key_or_own VAR NAME: VAR = the reference key NAME (keys/NAME.pem) when
# ../shared is present and the crypto port verifies its type, else our own
# key standing in for it (e2e_own_key).
e2e_key_or_own() {
    if e2e_have_shared && _e2e_port_verifies "$2"; then
        local -n _vkey=$1
        _vkey=$VECTORS/keys/$2.pem
    else
        e2e_own_key "$1" "$2"
    fi
}

# _e2e_port_verifies KEYNAME: false for an Ed25519 key when the port has none.
_e2e_port_verifies() {
    case $1 in ed25519*) e2e_has_ed25519 ;; *) return 0 ;; esac
}

# _e2e_own_spec NAME: the version, payload size, key name (none: hash only)
# and sign options of the reference vector NAME, for our own counterpart.
_e2e_own_spec() {
    case $1 in
        ed25519_basic)      echo "1.2.3+4 1024 ed25519" ;;
        ecp256_basic)       echo "1.2.3+4 1024 ecp256" ;;
        ver_partial)        echo "2.7.0 1024 ed25519" ;;
        p300k_ed25519)      echo "3.0.0+300 307200 ed25519" ;;
        p64k_ecp256_seccnt) echo "1.2.3+4 65536 ecp256 -s auto" ;;
        unsigned_sha384)    echo "1.2.3+4 1024 none --sha 384" ;;
        *) return 1 ;;
    esac
}

# e2e_vector_or_own VAR NAME: VAR = the reference image signed/NAME.bin when
# ../shared is present (and the crypto port verifies its key type), else our
# own image with the same version, size, key type and options (signed with
# e2e_key_or_own's key).
e2e_vector_or_own() {
    local -n _img=$1
    local name=$2 spec ver size keyname key='' opts
    spec=$(_e2e_own_spec "$name") || spec=
    read -r ver size keyname opts <<<"$spec"
    if e2e_have_shared && _e2e_port_verifies "${keyname:-$name}"; then
        _img=$VECTORS/signed/$name.bin
        [ -f "$_img" ] || e2e_fail "no reference vector $name"
        return 0
    fi
    [ -n "$spec" ] || e2e_fail "e2e_vector_or_own: no own counterpart of $name"
    [ "$keyname" = none ] || e2e_own_key key "$keyname"
    _img=$E2E_TMP/own/$name.bin
    # shellcheck disable=SC2086 # opts are words
    [ -s "$_img" ] || e2e_signed_image "$ver" "$_img" "$size" "$key" $opts
}

# e2e_image_hash VAR IMAGE: VAR = the image hash of IMAGE: the one MCUboot's
# imgtool recorded (manifest.tsv) for a reference vector, else the digest
# our `imgtool verify` computes.
e2e_image_hash() {
    local -n _hash=$1
    _hash=
    if e2e_have_shared && [ "${2#"$VECTORS"/}" != "$2" ]; then
        _hash=$(awk -F'\t' -v f="${2#"$VECTORS"/}" '$2 == "image" && $3 == f {print $10; exit}' \
                "$VECTORS/manifest.tsv")
    else
        _hash=$("$IMGTOOL" verify "$2" | sed -n 's/^Image digest: //p')
    fi
    [ -n "$_hash" ] || e2e_fail "no image hash for $2"
}

# Exits 77 when a binary the test needs is not built (yet).
e2e_require_bin() {
    local b
    for b in "$@"; do
        [ -x "$BIN_DIR/$b" ] || { echo "SKIP: $BIN_DIR/$b not built"; exit 77; }
    done
}

e2e_assert_eq() { # expected actual what
    [ "$1" = "$2" ] || e2e_fail "$3: expected '$1', got '$2'"
}

e2e_assert_contains() { # haystack needle what
    case "$1" in *"$2"*) ;; *) e2e_fail "$3: '$2' not found in: $1" ;; esac
}

# Prints a UDP port on 127.0.0.1 that is free right now.
e2e_free_udp_port() {
    python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# A new empty state folder under the test's temp folder.
e2e_new_state_dir() {
    mktemp -d "$E2E_TMP/board.XXXXXX"
}

_e2e_cleanup() {
    local pid
    for pid in "${E2E_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    if [ "${E2E_KEEP:-0}" = 1 ]; then
        echo "e2e: state kept in $E2E_TMP" >&2
    else
        rm -rf "$E2E_TMP"
    fi
}
trap _e2e_cleanup EXIT

# sim_start [mcusim options...]
# Starts a board in $SIM_DIR (a new temp folder unless SIM_DIR is set and
# exists) on a free UDP port, waits for its `uart:` / `udp:` lines.
# Extra options go to mcusim (--key, --dfu-gate, --baud ...). Pass
# `--udp 0` or `--no-pty` to leave a link out.
sim_start() {
    if [ -z "${SIM_DIR:-}" ] || [ ! -d "$SIM_DIR" ]; then
        SIM_DIR=$(e2e_new_state_dir)
    fi
    SIM_ARGS=("$@")
    local want_udp=1 want_pty=1 a prev=""
    for a in "$@"; do
        [ "$a" = "--no-pty" ] && want_pty=0
        [ "$prev" = "--udp" ] && [ "$a" = 0 ] && want_udp=0
        prev=$a
    done
    local attempt port
    for attempt in 1 2 3 4 5; do
        port=$(e2e_free_udp_port)
        if _sim_launch "$port" "$want_udp" "$want_pty" "$@"; then
            return 0
        fi
    done
    e2e_fail "mcusim did not start (see $SIM_DIR/stdout.log)"
}

_sim_launch() { # port want_udp want_pty args...
    local port=$1 want_udp=$2 want_pty=$3
    shift 3
    local out="$SIM_DIR/stdout.log"
    : >"$out"
    "$MCUSIM" --state "$SIM_DIR" --udp "$port" "$@" >"$out" 2>"$SIM_DIR/stderr.log" &
    SIM_PID=$!
    E2E_PIDS+=("$SIM_PID")
    local i
    # a board may swap at power-on (slow with --flash-timing): wait long
    for i in $(seq $(( ${SIM_START_TIMEOUT:-60} * 20 ))); do
        if ! kill -0 "$SIM_PID" 2>/dev/null; then
            return 1 # died (port taken?): the caller retries
        fi
        if { [ "$want_pty" = 0 ] || grep -q '^uart: ' "$out"; } &&
           { [ "$want_udp" = 0 ] || grep -q '^udp: ' "$out"; }; then
            SIM_TTY=$(sed -n 's/^uart: //p' "$out" | tail -n 1)
            SIM_TTY_LINK=$SIM_DIR/tty
            SIM_PORT=$(sed -n 's/^udp: 127\.0\.0\.1://p' "$out" | tail -n 1)
            SIM_UDP=127.0.0.1:${SIM_PORT:-0}
            SIM_SERIAL="dev=${SIM_TTY:-none},baud=115200"
            export SIM_DIR SIM_PID SIM_TTY SIM_TTY_LINK SIM_PORT SIM_UDP SIM_SERIAL
            return 0
        fi
        sleep 0.05
    done
    kill -KILL "$SIM_PID" 2>/dev/null || true
    e2e_fail "mcusim printed no ready lines within ${SIM_START_TIMEOUT:-60} s"
}

# sim_stop: SIGTERM, wait for the board to exit (SIGKILL after 5 s). A
# board that exits non-zero on SIGTERM (a crash, or a leak the sanitizer
# build reports) fails the test with its stderr.
sim_stop() {
    [ -n "${SIM_PID:-}" ] || return 0
    kill -TERM "$SIM_PID" 2>/dev/null || true
    local i killed=0 rc=0
    for i in $(seq 50); do
        kill -0 "$SIM_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SIM_PID" 2>/dev/null; then
        kill -KILL "$SIM_PID" 2>/dev/null || true
        killed=1
    fi
    wait "$SIM_PID" 2>/dev/null || rc=$?
    SIM_PID=
    if [ "$killed" = 0 ] && [ "$rc" != 0 ]; then
        tail -n 40 "$SIM_DIR/stderr.log" >&2 2>/dev/null || true
        e2e_fail "mcusim exited with status $rc when stopped"
    fi
}

# sim_restart: stop and start again on the same state (flash persists),
# with the same options unless new ones are given.
sim_restart() {
    sim_stop
    if [ "$#" -gt 0 ]; then sim_start "$@"; else sim_start "${SIM_ARGS[@]}"; fi
}

# sim_provision IMAGE: factory-program slot 0 of $SIM_DIR (creating the
# folder when needed). Run it while the board is stopped (before
# sim_start), as a factory programmer would.
sim_provision() {
    if [ -z "${SIM_DIR:-}" ] || [ ! -d "$SIM_DIR" ]; then
        SIM_DIR=$(e2e_new_state_dir)
    fi
    "$MCUSIM" --state "$SIM_DIR" --provision "$1" >/dev/null ||
        e2e_fail "provisioning $1 failed"
}

# sim_ctl ARGS...: control the running board (e.g. sim_ctl --press-button 1,
# sim_ctl --ctl "unplug 500"). Prints the board's reply.
sim_ctl() {
    "$MCUSIM" --state "$SIM_DIR" "$@"
}

# sim_status [FIELD.PATH]: the board's status JSON, or one field of it
# (e.g. sim_status uart.max_inflight, sim_status version, sim_status dfu_mode).
sim_status() {
    local json
    json=$("$MCUSIM" --state "$SIM_DIR" --status) || e2e_fail "no status from the board"
    if [ "$#" -eq 0 ]; then
        echo "$json"
        return
    fi
    python3 -c 'import json, sys
v = json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    v = v[k]
print(json.dumps(v) if isinstance(v, (bool, dict, list)) or v is None else v)' "$json" "$1"
}

# sim_boot_once [FIELD] [mcusim options]: run the bootloader once on
# $SIM_DIR (board stopped) and print its JSON decision or one field of it.
# Returns mcusim's exit code: 0 booted, 1 nothing bootable, 3 power cut.
sim_boot_once() {
    local field=${1:-}
    [ "$#" -gt 0 ] && shift
    local json rc=0
    json=$("$MCUSIM" --state "$SIM_DIR" --boot-once --json "$@") || rc=$?
    if [ -z "$field" ]; then echo "$json"; return $rc; fi
    python3 -c 'import json, sys
v = json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    v = v[k]
print(json.dumps(v) if isinstance(v, (bool, dict, list)) or v is None else v)' "$json" "$field"
    return $rc
}

# sim_wait_log REGEX [SECONDS]: wait until the console log has a matching line.
sim_wait_log() {
    local re=$1 secs=${2:-10} i
    for i in $(seq $((secs * 20))); do
        grep -Eq -- "$re" "$SIM_DIR/console.log" 2>/dev/null && return 0
        sleep 0.05
    done
    e2e_fail "console never printed /$re/ within $secs s"
}

# sim_wait_reset BOOT_COUNT [SECONDS]: after triggering a reset (mcumgr
# reset, sim_ctl --ctl reset), wait until the board has booted again, i.e.
# its boot_count exceeds BOOT_COUNT (read it with `sim_status boot_count`
# before the reset).
sim_wait_reset() {
    local before=$1 secs=${2:-30} i n
    for i in $(seq $((secs * 20))); do
        n=$("$MCUSIM" --state "$SIM_DIR" --status 2>/dev/null |
            python3 -c 'import json, sys; print(json.load(sys.stdin)["boot_count"])' 2>/dev/null) || n=0
        [ "${n:-0}" -gt "$before" ] && return 0
        sleep 0.05
    done
    e2e_fail "the board did not boot again within $secs s"
}

# sim_count_log REGEX: how many console lines match so far.
sim_count_log() {
    grep -Ec -- "$1" "$SIM_DIR/console.log" 2>/dev/null || true
}

# e2e_reader_gone CMD...: runs CMD with its stdout a pipe whose reader has
# already gone (as `| head` leaves it once head has read enough), so every
# write fails with EPIPE; prints CMD's exit status, then its stderr.
e2e_reader_gone() {
    python3 - "$@" <<'PY'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
sys.stdout.write("%d\n%s" % (p.returncode, p.stderr.decode(errors="replace")))
PY
}
