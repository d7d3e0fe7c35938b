#!/usr/bin/env bash
# scripts/quick_mcumgr_test.sh over the pty and UDP: four checks pass with
# real figures (running version, tasks, statistics groups) and a PASS
# summary; an absent device gives FAIL lines, the guide's hint and exit 1.
# The script only reads: nothing lands in the audit trail.
set -euo pipefail
source "$SRC_DIR/tests/workflow/wf_lib.sh"

v1=$E2E_TMP/v1.0.0.bin
wf_sign 1.0.0 "$v1"
sim_provision "$v1"
sim_start --key "$KEY"

check_pass() { # device [baud]
    local out
    out=$(bash "$SCRIPTS/quick_mcumgr_test.sh" "$@" 2>&1) || e2e_fail "quick test on $1 failed: $out"
    e2e_assert_contains "$out" "PASS  connection test" "connection check"
    e2e_assert_contains "$out" "PASS  image list: slot 0 runs v1.0.0 (active confirmed)" "image check"
    e2e_assert_contains "$out" "PASS  task statistics" "task check"
    e2e_assert_contains "$out" "PASS  system statistics" "stat check"
    e2e_assert_contains "$out" "PASS: all 4 checks passed" "summary"
    # the task count is the board's
    grep -Eq 'task statistics: [1-9][0-9]* tasks' <<<"$out" || e2e_fail "no task count in: $out"
}

e2e_log "pty"
check_pass "$SIM_TTY" 115200
e2e_log "UDP"
check_pass "udp:$SIM_UDP"
e2e_log "verbose output shows the statistics"
out=$(bash "$SCRIPTS/quick_mcumgr_test.sh" -v "udp:$SIM_UDP" 2>&1)
e2e_assert_contains "$out" "boot_count" "stat counters shown"
e2e_assert_contains "$out" "idle" "tasks shown"

e2e_log "absent device: FAIL summary and the guide's hint"
rc=0
out=$(bash "$SCRIPTS/quick_mcumgr_test.sh" "$E2E_TMP/ttyACM9" 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "exit code"
e2e_assert_contains "$out" "FAIL  connection test" "connection check"
e2e_assert_contains "$out" "ls -l /dev/ttyACM*" "hint"
e2e_assert_contains "$out" "FAIL: 4 of 4 checks failed" "summary"
rc=0
out=$(bash "$SCRIPTS/quick_mcumgr_test.sh" --timeout 1 "udp:127.0.0.1:$(e2e_free_udp_port)" 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "exit code (UDP)"
e2e_assert_contains "$out" "is mcusim running" "UDP hint"

e2e_log "usage errors exit 2"
rc=0
bash "$SCRIPTS/quick_mcumgr_test.sh" --bogus >/dev/null 2>&1 || rc=$?
e2e_assert_eq 2 "$rc" "unknown option"
[ ! -e "$MCUTOOLS_AUDIT_DB" ] || e2e_assert_eq 0 "$("$MCUMGR" audit list | tail -n +2 | grep -c . || true)" "no audit records from a read-only check"
sim_stop
echo PASS
