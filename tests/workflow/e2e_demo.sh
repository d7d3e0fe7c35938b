#!/usr/bin/env bash
# The main job (scripts/demo.sh) on this build's binaries: it runs to the
# end, shows the update, the revert and the confirm, its audit trail
# verifies and holds the two updates, and it leaves no board running.
set -euo pipefail
source "$SRC_DIR/tests/workflow/wf_lib.sh"

export DEMO_BIN_DIR=$BIN_DIR DEMO_AUDIT_COPY=$E2E_TMP/demo-audit.db
out=$(env -u MCUTOOLS_OPERATOR bash "$SRC_DIR/scripts/demo.sh" 2>&1) || e2e_fail "demo failed: $(tail -n 30 <<<"$out")"
for want in "Entering DFU Mode" "ON TRIAL: v1.1.0 runs but is NOT confirmed" "Swap type: revert" \
            "SUCCESS" "v1.1.0 stays across resets: confirmed" "Audit trail OK: 13 records"; do
    e2e_assert_contains "$out" "$want" "demo output"
done
"$MCUMGR" --audit-db "$DEMO_AUDIT_COPY" audit verify >/dev/null || e2e_fail "the demo's audit trail"
export MCUTOOLS_AUDIT_DB=$DEMO_AUDIT_COPY
wf_audit_load
e2e_assert_eq 2 "$(wf_audit_count dfu ok)" "dfu records of the demo"
e2e_assert_eq demo-technician "$(wf_audit_field last operator_name)" "demo operator"
# the demo stopped its board: its state folder is gone and no mcusim runs from it
tmpdir=$(sed -n 's|.*database: \(.*\)/audit.db|\1|p' <<<"$out")
[ -n "$tmpdir" ] && [ ! -e "$tmpdir" ] || e2e_fail "the demo left its folder $tmpdir"
if pgrep -f "mcusim --state $tmpdir/board" >/dev/null; then e2e_fail "the demo left its board running"; fi
echo PASS
