#!/usr/bin/env bash
# Power cuts driven from outside (issue 4): `--boot-once --fail-after N`
# cuts power after N flash erase/write operations of a test swap and exits
# 3; the next `--boot-once` resumes and boots the new image. Sampled cut
# points over the whole swap, for each strategy; plus a running board whose
# power is cut mid-upload comes back on its old image.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
e2e_require_bin mcumgr mcusim imgtool

e2e_key_or_own key ed25519
e2e_vector_or_own v1 ed25519_basic          # 1.2.3.4
e2e_vector_or_own v2 p300k_ed25519          # 3.0.0.300, 300 KiB

# A flash with v1 running and v2 uploaded and marked for test.
prepare() { # strategy
    SIM_DIR=
    sim_provision "$v1"
    sim_start --strategy "$1" --key "$key" --no-pty
    "$MCUMGR" --conntype udp --connstring "$SIM_UDP" image upload "$v2" >/dev/null
    hash=$("$MCUMGR" --conntype udp --connstring "$SIM_UDP" image list |
           awk '/slot=1/ {s = 1} s && $1 == "hash:" {print $2; exit}')
    "$MCUMGR" --conntype udp --connstring "$SIM_UDP" image test "$hash" >/dev/null
    sim_stop
    cp "$SIM_DIR/flash.bin" "$SIM_DIR/pending.bin"
}

for strategy in swap-move swap-scratch overwrite-only; do
    e2e_log "$strategy: count the flash operations of an uncut test swap"
    prepare "$strategy"
    opts=(--strategy "$strategy" --key "$key")
    json=$(sim_boot_once "" "${opts[@]}")
    total=$(python3 -c 'import json, sys; f = json.loads(sys.argv[1])["flash"]
print(f["erases"] + f["progs"])' "$json")
    e2e_assert_eq 3.0.0.300 "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["version"])' "$json")" \
        "version after an uncut test swap"
    [ "$total" -gt 20 ] || e2e_fail "suspiciously few flash operations ($total)"
    e2e_log "$strategy: $total operations; cut at 12 points, each resumes"
    for i in $(seq 0 11); do
        cut=$(( 1 + i * (total - 2) / 11 ))   # 1 .. total-1: every cut really cuts
        cp "$SIM_DIR/pending.bin" "$SIM_DIR/flash.bin"
        rc=0
        sim_boot_once "" "${opts[@]}" --fail-after "$cut" >/dev/null || rc=$?
        [ "$rc" = 3 ] ||
            e2e_fail "cut at $cut of $total: exit $rc, expected 3 (power cut)"
        e2e_assert_eq 3.0.0.300 "$(sim_boot_once version "${opts[@]}")" \
            "version booted after a cut at $cut of $total"
    done
    e2e_log "$strategy: torn cuts (the interrupted operation half done), then a cut during recovery"
    for cut in 2 $((total / 3)) $((total - 1)); do
        cp "$SIM_DIR/pending.bin" "$SIM_DIR/flash.bin"
        rc=0
        sim_boot_once "" "${opts[@]}" --fail-after "$cut" --torn >/dev/null || rc=$?
        e2e_assert_eq 3 "$rc" "torn cut at $cut"
        rc=0
        sim_boot_once "" "${opts[@]}" --fail-after 5 --torn >/dev/null || rc=$?
        # a torn last write may already count as done (copy_done set): then
        # MCUboot reverts the untried image; either way one whole image runs
        ver=$(sim_boot_once version "${opts[@]}")
        case $ver in
            3.0.0.300) file=$v2 ;;
            1.2.3.4) file=$v1 ;;
            *) e2e_fail "torn cut at $cut: booted '$ver'" ;;
        esac
        n=$(stat -c %s "$file")
        cmp -n "$n" <(tail -c +$((0xC000 + 1)) "$SIM_DIR/flash.bin") "$file" ||
            e2e_fail "torn cut at $cut: slot 0 is not a whole copy of v$ver"
    done
done

e2e_log "running board: power cut mid-upload (--fail-after), it reboots on v1"
SIM_DIR=
sim_provision "$v1"
sim_start --key "$key" --fail-after 40 --no-pty
"$MCUMGR" --conntype udp --connstring "$SIM_UDP" -t 1 image upload "$v2" >/dev/null 2>&1 || true
sim_wait_log 'power cut'
for _ in $(seq 50); do [ "$(sim_status running)" = true ] && break; sleep 0.1; done
e2e_assert_eq 1.2.3.4 "$(sim_status version)" "version after the cut"
e2e_assert_eq power-on "$(sim_status reset_cause)" "reset cause after the cut"
"$MCUMGR" --conntype udp --connstring "$SIM_UDP" echo alive | grep -qx alive ||
    e2e_fail "board not serving after the power cut"
echo PASS
