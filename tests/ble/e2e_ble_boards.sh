#!/usr/bin/env bash
# Several boards on one bus: the first owns org.bluez and the adapter, the
# others join it (mcusim's Attach). A scan lists them all, each command
# reaches the board it names (each runs its own version), an update of one
# leaves the others alone, a guest's reset makes it disappear and come
# back, a guest that stops leaves the adapter, and when the adapter's
# board stops, BlueZ is gone for everyone.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

for v in 1 2 3; do e2e_signed_image "$v.0.0" "$WORK/v$v.bin" 8000; done
e2e_signed_image 2.1.0 "$WORK/v21.bin" 40000
e2e_signed_image 4.0.0 "$WORK/v4.bin" 30000
ble_bus_start

declare -A DIR PID
board_up() { # NAME VERSION [mcusim options...]
    local name=$1 ver=$2
    shift 2
    SIM_DIR=$(e2e_new_state_dir)
    provision_board "$WORK/v$ver.bin"
    ble_board_start "$name" "$@"
    DIR[$name]=$SIM_DIR
    PID[$name]=$SIM_PID
}
board_down() { # NAME
    SIM_DIR=${DIR[$1]} SIM_PID=${PID[$1]}
    stop_board
}
to() { local n=$1; shift; "$MCUMGR" --conntype ble --connstring "peer_name=$n" -t 5 "$@"; }

board_up Alpha 1
board_up Beta 2 --ble-mtu 498
board_up Gamma 3 --ble-interval 30
grep -q 'joins hci0 of the board that holds org.bluez' "${DIR[Beta]}/console.log" ||
    fail "Beta did not join Alpha's adapter"
grep -q 'ble: Gamma: Gamma (.*) joins hci0 (another board)' "${DIR[Alpha]}/console.log" ||
    fail "Alpha did not take Gamma in"

e2e_log "one scan lists all three"
expect_out '^Alpha ' "$MCUMGR" ble scan 1
for n in Beta Gamma; do grep -q "^$n " <<<"$LAST_OUT" || fail "scan misses $n: $LAST_OUT"; done
[ "$(awk 'NR>1{print $2}' <<<"$LAST_OUT" | sort -u | wc -l)" = 3 ] || fail "addresses not distinct: $LAST_OUT"

e2e_log "each command reaches the board it names"
expect_out 'version: 1\.0\.0' to Alpha image list
expect_out 'version: 2\.0\.0' to Beta image list
expect_out 'version: 3\.0\.0' to Gamma image list

e2e_log "an update of Beta (through Alpha's adapter) leaves the others alone"
expect_out 'Done' to Beta -v image upload "$WORK/v21.bin"
grep -q 'ble: Beta: connected (ATT MTU 498,' "${DIR[Alpha]}/console.log" || fail "Beta's MTU 498 not used"
STATE=${DIR[Beta]} slot1_is "$WORK/v21.bin"
expect_out 'No image installed' to Alpha image list
hash=$(to Beta image list | awk '/slot=1/{s=1} s&&/hash:/{print $2; exit}')
expect_out 'pending' to Beta image test "$hash"
expect_out 'Done' to Beta reset
expect_out 'version: 2\.1\.0' to Beta image list
grep -q 'ble: Beta: disconnected: the board resets' "${DIR[Alpha]}/console.log" ||
    fail "Beta's reset did not drop its link"
expect_out 'version: 3\.0\.0' to Gamma image list

e2e_log "a fleet over BLE: Alpha and Gamma updated at once, confirmed, each step recorded"
printf '# two monitors in range\nble peer_name=Alpha alpha\nble peer_name=Gamma gamma\n' >"$WORK/inv.txt"
expect_out '^2 of 2 devices updated' "$MCUMGR" --audit-db "$WORK/fleet.db" -t 5 fleet update \
    --inventory "$WORK/inv.txt" --parallel 2 --confirm --report "$WORK/report" "$WORK/v4.bin"
e2e_image_hash h4 "$WORK/v4.bin"
for n in Alpha Gamma; do
    e2e_assert_eq "$h4" "$("$MCUSIM" --state "${DIR[$n]}" --status |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["hash"])')" "$n runs 4.0.0"
done
expect_out 'version: 2\.1\.0' to Beta image list
python3 - "$WORK/report/report.json" <<'PY' || fail "the fleet report"
import json, sys
devs = {d["name"]: d for d in json.load(open(sys.argv[1]))["devices"]}
assert sorted(devs) == ["alpha", "gamma"], devs
for d in devs.values():
    assert d["outcome"] == "updated" and d["version_after"] == "4.0.0", d
    assert d["connection"].startswith("ble"), d
PY
expect_out 'chain intact' "$MCUMGR" --audit-db "$WORK/fleet.db" audit verify
[ "$("$MCUMGR" --audit-db "$WORK/fleet.db" audit list --device alpha | grep -c 'dfu ')" -ge 4 ] ||
    fail "alpha's steps are not in the trail"

e2e_log "a guest that stops leaves the adapter"
board_down Gamma
for _ in $(seq 50); do
    grep -q 'ble: Gamma: Gamma left the adapter' "${DIR[Alpha]}/console.log" && break
    sleep 0.1
done
expect_fail 'no BLE device named "Gamma" found on hci0 in 0\.5 s; found: .*"(Alpha|Beta)"' \
    "$MCUMGR" --conntype ble --connstring "peer_name=Gamma,scan=0.5" image list
expect_out 'version: 2\.1\.0' to Beta image list

e2e_log "the adapter's board stops: BlueZ is gone"
board_down Alpha
SIM_DIR=${DIR[Beta]}
sim_wait_log 'the board that holds org.bluez stopped: BLE is off'
expect_fail 'BlueZ is not running' to Beta image list
board_down Beta
e2e_log "PASS"
