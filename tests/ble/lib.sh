# Helpers for the Bluetooth LE end-to-end tests, on top of tests/mcumgr/lib.sh:
# a private D-Bus bus per test (its own dbus-daemon and config, which lets
# anyone own org.bluez; never the real system bus), boards that take
# org.bluez on it (mcusim --ble NAME), and mcumgr over BLE.
#
#   ble_bus_start            a private bus; DBUS_SYSTEM_BUS_ADDRESS points at it
#   ble_board_start NAME [mcusim options...]   a board advertising as NAME
#   mb [mcumgr args...]      mcumgr --conntype ble to $BLE_NAME
# Everything started is stopped at exit (tests/lib/e2e.sh's trap).

source "${SRC_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/tests/mcumgr/lib.sh"

command -v dbus-daemon >/dev/null || { echo "SKIP: dbus-daemon is not installed"; exit 77; }
need_images

# ble_bus_start: a dbus-daemon of our own on a socket in the test's folder,
# with tools/mcusim/ble-bus.conf: its default policy lets every connection
# own any name and send to and receive from anyone, so a board takes
# org.bluez as bluetoothd would, as root (CI) or as any user.
ble_bus_start() {
    BUS_DIR=$E2E_TMP/bus
    mkdir -p "$BUS_DIR"
    dbus-daemon --config-file="$SRC_DIR/tools/mcusim/ble-bus.conf" \
        --address="unix:path=$BUS_DIR/socket" --nofork --nopidfile >"$BUS_DIR/daemon.log" 2>&1 &
    BUS_PID=$!
    E2E_PIDS+=("$BUS_PID")
    local i
    for i in $(seq 100); do
        [ -S "$BUS_DIR/socket" ] && break
        kill -0 "$BUS_PID" 2>/dev/null || fail "dbus-daemon did not start: $(cat "$BUS_DIR/daemon.log")"
        sleep 0.05
    done
    [ -S "$BUS_DIR/socket" ] || fail "dbus-daemon made no socket"
    export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$BUS_DIR/socket"
}

# ble_board_start NAME [mcusim options...]: a board (provisioned by the
# caller with provision_board) that advertises as NAME on the private bus.
ble_board_start() {
    BLE_NAME=$1
    shift
    start_board --no-pty --ble "$BLE_NAME" "$@"
    grep -q "^ble: $BLE_NAME\$" "$SIM_DIR/stdout.log" || fail "the board printed no ble: line"
}

mb() {
    "$MCUMGR" --conntype ble --connstring "peer_name=$BLE_NAME" -t 5 "$@"
}

# slot1_is FILE: slot 1 holds FILE's bytes
slot1_is() {
    cmp "$1" <(flash_bytes $SLOT1 "$(stat -c %s "$1")") >/dev/null ||
        fail "slot 1 differs from $1"
}
