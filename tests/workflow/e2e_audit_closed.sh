#!/usr/bin/env bash
# The audit trail fails closed (issue 14 item 4): a state-changing command
# whose record cannot be written does not run, and the device keeps what
# it had; --no-audit runs it and says so; a read-only copy of the trail
# still reads; no HOME and no --audit-db is an error, never a trail in the
# current folder; a path in a folder that does not exist is an error;
# `audit list --device` shows one device's history.
set -euo pipefail
source "$SRC_DIR/tests/workflow/wf_lib.sh"

# as_user CMD...: runs CMD so that file permissions bind (root ignores them)
as_user() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- "$@"
    else
        "$@"
    fi
}
chmod 755 "$E2E_TMP" # the unprivileged user reads the test's files
# ... and runs a copy of mcumgr there: the build folder's parents may be
# closed to other users (a CI clone under a private folder)
install -m 755 "$MCUMGR" "$E2E_TMP/mcumgr"
RO_MCUMGR=$E2E_TMP/mcumgr

wf_sign 1.0.0 "$E2E_TMP/v1.bin"
wf_sign 1.1.0 "$E2E_TMP/v2.bin"
sim_provision "$E2E_TMP/v1.bin"
sim_start --no-pty
mgr() { "$MCUMGR" --conntype udp --connstring "$SIM_UDP" -t 5 "$@"; }
slot1() { mgr image list | awk '/slot=1/ {s=1} s && /version:/ {print $2; exit}'; }
mgr image upload "$E2E_TMP/v2.bin" >/dev/null || e2e_fail "upload"
e2e_assert_eq 1.1.0 "$(slot1)" "slot 1 before the refusals"

e2e_log "a read-only trail: the erase is refused, slot 1 keeps its image"
ro=$E2E_TMP/ro
mkdir -p "$ro"
cp "$MCUTOOLS_AUDIT_DB" "$ro/audit.db"
chmod 555 "$ro"
chmod 444 "$ro/audit.db"
records=$("$MCUMGR" --audit-db "$ro/audit.db" audit export --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
rc=0; out=$(as_user env MCUTOOLS_STATE_DIR="$E2E_TMP/nobody-state" "$RO_MCUMGR" --audit-db "$ro/audit.db" \
    --conntype udp --connstring "$SIM_UDP" image erase 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "a change with a read-only trail"
e2e_assert_contains "$out" "cannot be written" "the reason"
e2e_assert_contains "$out" "nothing was done" "what happened"
e2e_assert_eq 1.1.0 "$(slot1)" "slot 1 after the refused erase"

e2e_log "the read-only copy still reads: list, show, export, verify"
for cmd in "audit list" "audit show 1" "audit export --json" "audit export --csv" "audit verify"; do
    # shellcheck disable=SC2086
    out=$(as_user "$RO_MCUMGR" --audit-db "$ro/audit.db" $cmd 2>&1) || e2e_fail "$cmd on a read-only copy: $out"
done
e2e_assert_contains "$out" "chain intact" "verify of the read-only copy"
n=$(as_user "$RO_MCUMGR" --audit-db "$ro/audit.db" audit export --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
e2e_assert_eq "$records" "$n" "records in the read-only copy"
[ "$(ls -A "$ro")" = audit.db ] || e2e_fail "reading left files beside the copy: $(ls -A "$ro")"

e2e_log "--no-audit runs the change and says it is not recorded"
wf_audit_load; before=$(wf_audit_count)
out=$(mgr --no-audit image erase 2>&1) || e2e_fail "--no-audit erase: $out"
e2e_assert_contains "$out" "NOT recorded" "the warning"
e2e_assert_eq "" "$(slot1)" "slot 1 after the unrecorded erase"
wf_audit_load; e2e_assert_eq "$before" "$(wf_audit_count)" "records after --no-audit"

e2e_log "no HOME and no --audit-db: an error, never ./.local"
mgr image upload "$E2E_TMP/v2.bin" >/dev/null || e2e_fail "upload again"
mkdir -p "$E2E_TMP/cwd"
rc=0; out=$(cd "$E2E_TMP/cwd" && env -u HOME -u MCUTOOLS_AUDIT_DB -u XDG_STATE_HOME \
    "$MCUMGR" --conntype udp --connstring "$SIM_UDP" image erase 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "a change without HOME"
e2e_assert_contains "$out" "HOME is not set" "the reason"
[ -z "$(ls -A "$E2E_TMP/cwd")" ] || e2e_fail "a trail appeared in the current folder: $(ls -A "$E2E_TMP/cwd")"
rc=0; (cd "$E2E_TMP/cwd" && env -u HOME -u MCUTOOLS_AUDIT_DB -u XDG_STATE_HOME "$MCUMGR" audit list) >/dev/null 2>&1 || rc=$?
e2e_assert_eq 1 "$rc" "audit list without HOME"
e2e_assert_eq 1.1.0 "$(slot1)" "slot 1 after the refusals"

e2e_log "a trail in a folder that does not exist: an error, no new chain"
rc=0; out=$(mgr --audit-db "$E2E_TMP/no/such/dir/audit.db" image erase 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "a mistyped --audit-db"
e2e_assert_contains "$out" "does not exist" "the reason"
[ ! -e "$E2E_TMP/no" ] || e2e_fail "the missing folder was created"
e2e_assert_eq 1.1.0 "$(slot1)" "slot 1 after a mistyped --audit-db"

e2e_log "audit list --device: one device's history"
id=$("$MCUMGR" audit export --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["device"].split()[0])')
[ -n "$id" ] || e2e_fail "no device identity in the trail"
mine=$("$MCUMGR" audit list --device "$id" | tail -n +2 | wc -l)
[ "$mine" -ge 2 ] || e2e_fail "audit list --device $id: $mine records"
e2e_assert_eq 0 "$("$MCUMGR" audit list --device no-such-device | tail -n +2 | wc -l)" "another device's history"
n=$("$MCUMGR" --json audit list --device "$id" | ID="$id" python3 -c 'import json, sys, os
recs = json.load(sys.stdin)
print(len(recs) >= 2 and all(os.environ["ID"] in r["device"] for r in recs))')
e2e_assert_eq True "$n" "--json --device"
sim_stop
echo PASS
