# shellcheck shell=bash
# Helpers of the workflow tests, on top of tests/lib/e2e.sh: a throw-away
# signing key, demo firmware images signed with it, the test's own audit
# database, and readers of the audit trail.
source "$SRC_DIR/tests/lib/e2e.sh"
e2e_require_bin mcumgr mcusim imgtool

SCRIPTS=$SRC_DIR/scripts
export BIN_DIR
# never the user's audit trail
export MCUTOOLS_AUDIT_DB=$E2E_TMP/audit.db
export MCUTOOLS_OPERATOR=ctest-operator
KEY=$E2E_TMP/release.pem
"$IMGTOOL" keygen -k "$KEY" -t ecdsa-p256 || e2e_fail "keygen"

# wf_sign VERSION OUT [SIZE] [KEY] [extra imgtool sign options]
wf_sign() {
    local v=$1 out=$2 size=${3:-16384} key=${4:-$KEY}
    shift 4 2>/dev/null || shift $#
    bash "$SCRIPTS/make_firmware.sh" "$v" "$E2E_TMP/fw-$v.bin" "$size" || e2e_fail "make_firmware $v"
    "$IMGTOOL" sign -k "$key" --version "$v" --header-size 0x200 --pad-header --align 4 \
        --slot-size "${WF_SLOT_SIZE:-0x76000}" "$@" \
        "$E2E_TMP/fw-$v.bin" "$out" || e2e_fail "signing $v"
}

# wf_digest IMAGE: the image hash imgtool verify reports
wf_digest() { "$IMGTOOL" verify "$1" | sed -n 's/^Image digest: //p'; }

# wf_audit_load: reads the whole trail once (python3 starts slowly) into
# WF_AUDIT, one tab-separated line per record, fields as in WF_FIELDS.
WF_FIELDS=(id time operator_name host device connection action image_hash version_before
           version_after hash_before hash_after outcome detail prev_hash record_hash)
wf_audit_load() {
    WF_AUDIT=''
    [ -e "$MCUTOOLS_AUDIT_DB" ] || return 0
    WF_AUDIT=$("$MCUMGR" audit export --json | python3 -c 'import json, sys
for r in json.load(sys.stdin):
    print("\t".join(str(r[f]).replace("\t", " ") for f in sys.argv[1:]))' "${WF_FIELDS[@]}") ||
        e2e_fail "cannot export the audit trail"
}

# wf_audit_field ID|last FIELD (after wf_audit_load)
wf_audit_field() {
    local i col=0
    for i in "${!WF_FIELDS[@]}"; do [ "${WF_FIELDS[$i]}" = "$2" ] && col=$((i + 1)); done
    [ "$col" -gt 0 ] || e2e_fail "no audit field $2"
    awk -F'\t' -v id="$1" -v c="$col" '$1 == id {v = $c} {last = $c} END {print (id == "last" ? last : v)}' <<<"$WF_AUDIT"
}

# wf_audit_count [ACTION [OUTCOME]] (after wf_audit_load)
wf_audit_count() {
    awk -F'\t' -v a="${1:-}" -v o="${2:-}" '(a == "" || $7 == a) && (o == "" || $13 == o) {n++} END {print n + 0}' <<<"$WF_AUDIT"
}

# wf_audit_ids ACTION: ids of the records of that action (after wf_audit_load)
wf_audit_ids() { awk -F'\t' -v a="$1" '$7 == a {print $1}' <<<"$WF_AUDIT"; }

# wf_slot SLOT FIELD over CONN (an array of mcumgr connection flags)
wf_slot() {
    "$MCUMGR" "${CONN[@]}" -t 5 image list | awk -v s="slot=$1" -v f="$2:" '
        $0 ~ s"$" {in_slot = 1; next}
        /slot=/ {in_slot = 0}
        in_slot && $1 == f {sub(/^[ \t]*[a-z]+:[ \t]*/, ""); print; exit}'
}

# wf_reset_wait: reset over CONN and wait until the board booted again
wf_reset_wait() {
    local before
    before=$(sim_status boot_count)
    "$MCUMGR" "${CONN[@]}" -t 5 reset >/dev/null || e2e_fail "reset"
    for _ in $(seq 100); do
        [ "$(sim_status boot_count)" -gt "$before" ] && return 0
        sleep 0.05
    done
    e2e_fail "the board did not reboot"
}
