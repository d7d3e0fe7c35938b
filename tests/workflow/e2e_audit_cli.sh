#!/usr/bin/env bash
# The audit trail through the mcumgr CLI: every state-changing command
# (upload, test, reset, confirm, erase; failed ones too) appends a record
# with the device's identity, the connection, the running image before and
# after and the outcome; --audit-db and --operator override the defaults;
# list/show/export agree; and `audit verify` finds an edited, a deleted, a
# reordered record and a cut tail (exit 1, naming the record); `audit push`
# from a URL names where that URL came from (--audit-db or MCUTOOLS_AUDIT_DB).
set -euo pipefail
source "$SRC_DIR/tests/workflow/wf_lib.sh"
CHAIN=$SRC_DIR/tests/audit/audit_chain.py

v1=$E2E_TMP/v1.0.0.bin v2=$E2E_TMP/v1.1.0.bin
wf_sign 1.0.0 "$v1"
wf_sign 1.1.0 "$v2"
h1=$(wf_digest "$v1") h2=$(wf_digest "$v2")
sim_provision "$v1"
sim_start --key "$KEY" --dfu-gate
hwid=$(sim_status hwid)
CONN=(--conntype serial --connstring "dev=$SIM_TTY,baud=115200")
mgr() { "$MCUMGR" "${CONN[@]}" -t 5 "$@"; }

e2e_log "readers do not create a trail"
rc=0; out=$("$MCUMGR" audit verify 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "verify without a trail"
e2e_assert_contains "$out" "no audit trail at $MCUTOOLS_AUDIT_DB" "verify without a trail: message"
[ ! -e "$MCUTOOLS_AUDIT_DB" ] || e2e_fail "audit verify created $MCUTOOLS_AUDIT_DB"

e2e_log "a refused upload (not in DFU mode) is recorded as failed"
if mgr image upload "$v2" >/dev/null 2>&1; then e2e_fail "upload accepted outside DFU mode"; fi
wf_audit_load
e2e_assert_eq "image upload" "$(wf_audit_field 1 action)" "record 1 action"
e2e_assert_eq failed "$(wf_audit_field 1 outcome)" "record 1 outcome"
e2e_assert_contains "$(wf_audit_field 1 detail)" "DFU mode" "record 1 detail has the device's reason"
e2e_assert_contains "$(wf_audit_field 1 device)" "$hwid" "record 1 device"
e2e_assert_eq "serial $SIM_TTY baud=115200" "$(wf_audit_field 1 connection)" "record 1 connection"

e2e_log "the guide's flow by hand: upload, test, reset, confirm, erase"
sim_ctl --press-button 1 >/dev/null
mgr image upload "$v2" >/dev/null
mgr image test "$h2" >/dev/null
mgr reset >/dev/null
for _ in $(seq 100); do [ "$(sim_status version)" = 1.1.0 ] && break; sleep 0.05; done
mgr image confirm >/dev/null
sim_ctl --press-button 1 >/dev/null
mgr image erase 1 >/dev/null
wf_audit_load
e2e_assert_eq 6 "$(wf_audit_count)" "records"
expect() { # id action outcome image_hash vbefore vafter hbefore hafter
    e2e_assert_eq "$2" "$(wf_audit_field "$1" action)" "record $1 action"
    e2e_assert_eq "$3" "$(wf_audit_field "$1" outcome)" "record $1 outcome"
    e2e_assert_eq "$4" "$(wf_audit_field "$1" image_hash)" "record $1 image hash"
    e2e_assert_eq "$5" "$(wf_audit_field "$1" version_before)" "record $1 version before"
    e2e_assert_eq "$6" "$(wf_audit_field "$1" version_after)" "record $1 version after"
    e2e_assert_eq "$7" "$(wf_audit_field "$1" hash_before)" "record $1 hash before"
    e2e_assert_eq "$8" "$(wf_audit_field "$1" hash_after)" "record $1 hash after"
    e2e_assert_contains "$(wf_audit_field "$1" device)" "$hwid" "record $1 device"
    e2e_assert_eq ctest-operator "$(wf_audit_field "$1" operator_name)" "record $1 operator"
    e2e_assert_eq "$(hostname)" "$(wf_audit_field "$1" host)" "record $1 host"
}
expect 2 "image upload" ok "$h2" 1.0.0 1.0.0 "$h1" "$h1"
expect 3 "image test" ok "$h2" 1.0.0 1.0.0 "$h1" "$h1"
expect 4 reset ok "$h2" 1.0.0 1.1.0 "$h1" "$h2"
expect 5 "image confirm" ok "$h2" 1.1.0 1.1.0 "$h2" "$h2"
expect 6 "image erase" ok "" 1.1.0 1.1.0 "$h2" "$h2"
e2e_assert_contains "$(wf_audit_field 6 detail)" "slot 1" "erase detail"

e2e_log "a device that does not answer: failed record, no device identity"
"$MCUMGR" --conntype udp --connstring "127.0.0.1:$(e2e_free_udp_port)" -t 0.5 reset >/dev/null 2>&1 &&
    e2e_fail "reset of an absent device succeeded"
wf_audit_load
e2e_assert_eq failed "$(wf_audit_field 7 outcome)" "absent device outcome"
e2e_assert_eq "" "$(wf_audit_field 7 device)" "absent device identity"
e2e_assert_contains "$(wf_audit_field 7 detail)" "connection refused" "absent device detail"

e2e_log "--audit-db and --operator override the environment"
other=$E2E_TMP/other/audit.db
mkdir -p "$E2E_TMP/other" # a trail never starts in a folder that does not exist
mgr --audit-db "$other" --operator alice image confirm >/dev/null
e2e_assert_eq 7 "$(wf_audit_count)" "the default trail is untouched"
"$MCUMGR" --audit-db "$other" audit list | grep ' alice ' >/dev/null || e2e_fail "operator alice not in the other trail"
e2e_assert_eq "$other" "$("$MCUMGR" --audit-db "$other" audit path)" "audit path"

e2e_log "audit record (for scripts), show, export"
out=$("$MCUMGR" audit record --action dfu-update --outcome failed --device "serial 42" \
      --connection "serial /dev/ttyACM0" --detail "port busy") || e2e_fail "audit record"
e2e_assert_eq "audit record 8 written" "$out" "audit record output"
if "$MCUMGR" audit record --action x --outcome maybe >/dev/null 2>&1; then e2e_fail "bad outcome accepted"; fi
if "$MCUMGR" audit record --outcome ok >/dev/null 2>&1; then e2e_fail "missing action accepted"; fi
show=$("$MCUMGR" audit show 4)
e2e_assert_contains "$show" "version before:  1.0.0" "show: before"
e2e_assert_contains "$show" "version after:   1.1.0" "show: after"
csv=$("$MCUMGR" audit export --csv)
e2e_assert_eq 9 "$(grep -c . <<<"$csv")" "CSV lines (header + 8)"
e2e_assert_contains "$(head -n 1 <<<"$csv")" "id,time,operator_name,host,device" "CSV header"
e2e_assert_eq 8 "$("$MCUMGR" audit export --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" "JSON records"
e2e_assert_eq "7 8" "$("$MCUMGR" audit list --json --last 2 | python3 -c 'import json,sys; print(*[r["id"] for r in json.load(sys.stdin)])')" "list --json --last 2"
e2e_assert_eq 3 "$("$MCUMGR" audit list --last 2 | grep -c .)" "list --last 2 (header + 2)"
out=$("$MCUMGR" audit verify) || e2e_fail "verify of an intact trail: $out"
e2e_assert_contains "$out" "Audit trail OK: 8 records" "verify output"

# tamper CASE SQL... on a copy; verify must fail naming the record
tamper() {
    local what=$1 want=$2 db=$E2E_TMP/tamper-$1.db out rc=0
    shift 2
    cp "$MCUTOOLS_AUDIT_DB" "$db"
    python3 - "$db" "$@" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for stmt in sys.argv[2:]:
    con.execute(stmt)
con.commit()
PY
    out=$("$MCUMGR" --audit-db "$db" audit verify 2>&1) || rc=$?
    e2e_assert_eq 1 "$rc" "$what: verify exit code ($out)"
    e2e_assert_contains "$out" "BROKEN" "$what: verdict"
    e2e_assert_contains "$out" "$want" "$what: diagnosis"
    e2e_log "$what: detected: $(head -n 1 <<<"$out")"
}
e2e_log "tampering is detected"
tamper edited "record 4 was modified" "UPDATE records SET version_after = '9.9.9' WHERE id = 4"
tamper edited-outcome "record 1 was modified" "UPDATE records SET outcome = 'ok' WHERE id = 1"
tamper deleted "record 4 follows record 2" "DELETE FROM records WHERE id = 3"
tamper reordered "record 3 does not chain" \
    "UPDATE records SET id = -3 WHERE id = 3" "UPDATE records SET id = 3 WHERE id = 4" \
    "UPDATE records SET id = 4 WHERE id = -3"
tamper cut-tail "newest records were removed" "DELETE FROM records WHERE id = 8"
tamper forged-hash "record 4 was modified" \
    "UPDATE records SET detail = 'forged', record_hash = 'ab' WHERE id = 4"

e2e_log "a forger who recomputes the edited record's hash still breaks the chain at the next one"
db=$E2E_TMP/rehashed.db
cp "$MCUTOOLS_AUDIT_DB" "$db"
# the record digest as src/audit computes it, again in audit_chain.py
python3 "$CHAIN" rehash "$db" 4 version_after 1.0.0
rc=0
out=$("$MCUMGR" --audit-db "$db" audit verify 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "rehashed: verify exit code"
e2e_assert_contains "$out" "record 5 does not chain" "rehashed: diagnosis"

e2e_log "a forger who rewrites the whole chain is caught by an anchor noted earlier"
anchor=$("$MCUMGR" audit verify | sed -n 's/^head hash: \([0-9a-f]*\).*/\1/p')
[ ${#anchor} = 64 ] || e2e_fail "no head hash in verify's output"
"$MCUMGR" audit verify --anchor "$anchor" | grep "found: record 8" >/dev/null || e2e_fail "anchor not found"
db=$E2E_TMP/rewritten.db
cp "$MCUTOOLS_AUDIT_DB" "$db"
python3 "$CHAIN" forge "$db" 1 outcome ok
"$MCUMGR" --audit-db "$db" audit verify >/dev/null || e2e_fail "a fully rewritten chain is internally consistent"
rc=0
out=$("$MCUMGR" --audit-db "$db" audit verify --anchor "$anchor" 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "rewritten chain with the anchor: exit code"
e2e_assert_contains "$out" "not in the chain" "rewritten chain: diagnosis"
"$MCUMGR" audit verify >/dev/null || e2e_fail "the original trail still verifies"

e2e_log "a state-changing command that never reached the device is recorded; a read is not"
"$MCUMGR" --conntype serial --connstring "dev=$E2E_TMP/ttyACM9" image upload "$v2" >/dev/null 2>&1 &&
    e2e_fail "upload to a missing port succeeded"
"$MCUMGR" --conntype serial --connstring "dev=$E2E_TMP/ttyACM9" image list >/dev/null 2>&1 &&
    e2e_fail "list on a missing port succeeded"
wf_audit_load
e2e_assert_eq 9 "$(wf_audit_count)" "records"
e2e_assert_eq "image upload" "$(wf_audit_field 9 action)" "unreached upload: action"
e2e_assert_eq failed "$(wf_audit_field 9 outcome)" "unreached upload: outcome"
e2e_assert_eq "serial $E2E_TMP/ttyACM9 baud=115200" "$(wf_audit_field 9 connection)" "unreached upload: connection"
e2e_assert_contains "$(wf_audit_field 9 detail)" "not reached" "unreached upload: detail"
e2e_log "the trial's findings: whole action names, shell command lines, a reader that stopped"
trial=$E2E_TMP/trial.db
long=$(printf 'word%010d ' $(seq 40))
mgr --audit-db "$trial" settings write app/name pump >/dev/null
mgr --audit-db "$trial" shell exec kernel version >/dev/null
# too long for this board's buffer: the failed attempt keeps its line, cut
if mgr --audit-db "$trial" -t 1 shell exec "echo $long" >/dev/null 2>&1; then
    e2e_fail "a 600-byte shell command fitted the board's 384-byte buffer"
fi
"$MCUMGR" --audit-db "$trial" audit record --action "basic erase-storage" --outcome ok \
    --device "a device with a long identity 0123456789abcdef0123456789abcdef" >/dev/null
"$MCUMGR" --audit-db "$trial" audit list >"$E2E_TMP/list.txt"
"$MCUMGR" --audit-db "$trial" audit export --json >"$E2E_TMP/trial.json"
python3 - "$E2E_TMP/list.txt" "$E2E_TMP/trial.json" "$long" <<'PY' || e2e_fail "audit list / shell exec record"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
recs = json.load(open(sys.argv[2]))
head, rows = lines[0], lines[1:]
assert len(rows) == len(recs) == 4, lines
for col, key in (("device", "device"), ("action", "action"), ("outcome", "outcome")):
    at = head.index(col)
    for row, rec in zip(rows, recs):
        # each value whole, in its column
        assert row[at:].startswith(rec[key] or "-"), (col, row, rec[key])
assert recs[1]["detail"] == "kernel version (status 0)", recs[1]["detail"]
line = "echo " + " ".join(sys.argv[3].split())
d = recs[2]["detail"]
assert len(d) <= 511 and d.startswith(line[:390]) and "...; error: " in d, d
PY
out=$(e2e_reader_gone "$MCUMGR" --audit-db "$trial" audit export --json)
e2e_assert_eq 141 "$out" "export into a closed pipe: status 141 and nothing on stderr"
out=$(e2e_reader_gone "$MCUMGR" --audit-db "$trial" audit list)
e2e_assert_eq 141 "$out" "list into a closed pipe"
# as a user meets it: 0 when head came after the last write, else 141
{ rc=0; "$MCUMGR" audit export --json 2>"$E2E_TMP/head.err" || rc=$?; echo "$rc" >"$E2E_TMP/head.rc"; } |
    head -n 1 >/dev/null
rc=$(cat "$E2E_TMP/head.rc")
[ "$rc" = 0 ] || [ "$rc" = 141 ] || e2e_fail "export | head: exit $rc"
[ ! -s "$E2E_TMP/head.err" ] || e2e_fail "export | head: $(cat "$E2E_TMP/head.err")"
e2e_log "each command flagged as changing the device leaves a record when the device is not reached"
un=$E2E_TMP/unreached.db
changing=("reset" "dfu $v2" "image upload $v2" "image test $h2" "image confirm" "image erase 1"
          "fs upload $v2 /lfs/x" "settings write a b" "settings delete a" "settings commit"
          "settings save" "shell exec kernel version" "basic erase-storage")
reading=("image list" "echo x" "params" "settings read a" "audit device")
for c in "${changing[@]}" "${reading[@]}"; do
    # shellcheck disable=SC2086 # the words of the command
    if "$MCUMGR" --audit-db "$un" --conntype serial --connstring "dev=$E2E_TMP/ttyACM9" $c \
        >/dev/null 2>&1; then e2e_fail "$c on a missing port succeeded"; fi
done
want=$(for c in "${changing[@]}"; do set -- $c; case $1 in reset | dfu) echo "$1" ;; *) echo "$1 $2" ;; esac; done)
got=$("$MCUMGR" --audit-db "$un" audit export --json |
      python3 -c 'import json,sys; [print(r["action"]) for r in json.load(sys.stdin) if r["outcome"] == "failed"]')
e2e_assert_eq "$want" "$got" "records of the unreached attempts"

e2e_log "audit push of a central trail: the refusal names where the trail came from"
site=postgresql://audit:s3cret@db.site/trail
rc=0; out=$(MCUTOOLS_AUDIT_DB=$site "$MCUMGR" audit push --to "$site" 2>&1) || rc=$?
e2e_assert_eq 2 "$rc" "push from \$MCUTOOLS_AUDIT_DB=URL"
e2e_assert_contains "$out" "MCUTOOLS_AUDIT_DB is postgresql://audit:***@db.site/trail" "the source named"
[[ "$out" != *--audit-db* ]] || e2e_fail "blames --audit-db, which was not given: $out"
rc=0; out=$("$MCUMGR" --audit-db "$site" audit push --to "$site" 2>&1) || rc=$?
e2e_assert_eq 2 "$rc" "push from --audit-db URL"
e2e_assert_contains "$out" "--audit-db is postgresql://audit:***@db.site/trail" "--audit-db named"
sim_stop
echo PASS
