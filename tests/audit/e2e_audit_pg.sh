#!/usr/bin/env bash
# The central audit trail on a real PostgreSQL server (issue 14 part 5),
# through mcumgr against a board: the same records and the same chain as
# SQLite (recomputed independently by audit_chain.py); `audit verify`
# finds an edited, a deleted, a reordered, an inserted record and a cut
# tail; a second successor of a record (a fork) is refused by the server
# itself; the trail fails closed (a read-only role, a wrong password, the
# server stopped: the change is refused and the device keeps what it had,
# and the error names the URL without its password); a read-only role
# reads; `audit push` copies a station's SQLite trail made by real
# commands, twice (the second copies nothing), and refuses a trail that
# does not verify or no longer continues what was pushed.
set -euo pipefail
source "$SRC_DIR/tests/workflow/wf_lib.sh"
source "$SRC_DIR/tests/lib/pg.sh"
CHAIN=$SRC_DIR/tests/audit/audit_chain.py
pg_start
PG=$PG_URL

v1=$E2E_TMP/v1.bin v2=$E2E_TMP/v2.bin v3=$E2E_TMP/v3.bin
wf_sign 1.0.0 "$v1"
wf_sign 1.1.0 "$v2"
wf_sign 1.2.0 "$v3"
h1=$(wf_digest "$v1") h2=$(wf_digest "$v2") h3=$(wf_digest "$v3")
sim_provision "$v1"
sim_start --no-pty
hwid=$(sim_status hwid)
mgr() { "$MCUMGR" --conntype udp --connstring "$SIM_UDP" -t 5 "$@"; }
slot1() { mgr image list | awk '/slot=1/ {s=1} s && /version:/ {print $2; exit}'; }
central() { "$MCUMGR" --audit-db "$PG" "$@"; }
count() { python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
# update TRAIL IMAGE HASH VERSION: the guide's flow by hand, recorded in TRAIL
update() {
    mgr --audit-db "$1" image upload "$2" >/dev/null || e2e_fail "upload $2"
    mgr --audit-db "$1" image test "$3" >/dev/null || e2e_fail "test $2"
    mgr --audit-db "$1" reset >/dev/null || e2e_fail "reset"
    for _ in $(seq 100); do [ "$(sim_status version)" = "$4" ] && break; sleep 0.05; done
    mgr --audit-db "$1" image confirm >/dev/null || e2e_fail "confirm $2"
}

e2e_log "readers do not create a trail"
rc=0; out=$(central audit verify 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "verify without a trail"
e2e_assert_contains "$out" "no audit trail at $PG" "verify without a trail: message"
e2e_assert_eq "" "$(pg_sql "SELECT to_regclass('audit_records')")" "tables made by a reader"

e2e_log "the flow by hand, recorded centrally: the same records and chain as SQLite"
update "$PG" "$v2" "$h2" 1.1.0
for i in 1 2 3 4; do central audit record --action note --outcome ok --detail "note $i" >/dev/null; done
central audit export --json >"$E2E_TMP/central.json"
e2e_assert_eq 8 "$(python3 "$CHAIN" check "$E2E_TMP/central.json")" "records that chain as src/audit says"
python3 - "$E2E_TMP/central.json" "$h1" "$h2" "$hwid" <<'PY' || e2e_fail "central records: $(cat "$E2E_TMP/central.json")"
import json, sys
recs, h1, h2, hwid = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
want = [("image upload", "1.0.0", "1.0.0", h1, h1), ("image test", "1.0.0", "1.0.0", h1, h1),
        ("reset", "1.0.0", "1.1.0", h1, h2), ("image confirm", "1.1.0", "1.1.0", h2, h2)]
for r, (act, vb, va, hb, ha) in zip(recs, want):
    got = (r["action"], r["version_before"], r["version_after"], r["hash_before"], r["hash_after"])
    assert got == (act, vb, va, hb, ha), (r, act)
    assert r["outcome"] == "ok" and hwid in r["device"] and r["image_hash"] == h2, r
    assert r["operator_name"] == "ctest-operator" and "origin" not in r, r
PY
e2e_assert_eq "1|ok" "$(pg_sql "SELECT count(*), min(outcome) FROM audit_records WHERE action = 'reset'")" "the rows themselves"
e2e_assert_eq "8|$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[-1]["record_hash"])' "$E2E_TMP/central.json")" \
    "$(pg_sql "SELECT count, head FROM audit_head")" "the head row"
out=$(central audit list --device "$hwid") || e2e_fail "list --device"
e2e_assert_eq 4 "$(tail -n +2 <<<"$out" | wc -l)" "one device's history"
e2e_assert_contains "$(central audit show 3)" "version after:   1.1.0" "show"
e2e_assert_eq 9 "$(central audit export --csv | grep -c .)" "CSV lines (header + 8)"
e2e_assert_eq "7 8" "$(central --json audit list --last 2 | python3 -c 'import json,sys; print(*[r["id"] for r in json.load(sys.stdin)])')" "list --last 2"
out=$(central audit verify) || e2e_fail "verify: $out"
e2e_assert_contains "$out" "Audit trail OK: 8 records" "verify"
anchor=$(sed -n 's/^head hash: \([0-9a-f]*\).*/\1/p' <<<"$out")

# tamper CASE WANT SQL...: on a copy the server makes of the trail; verify must fail naming the record
tamper() {
    local what=$1 want=$2 db=t_${1//-/_} out rc=0 stmt
    shift 2
    pg_sql "CREATE DATABASE $db TEMPLATE $PG_DB" >/dev/null
    for stmt in "$@"; do pg_sql "$stmt" "$db" >/dev/null || e2e_fail "$what: $stmt"; done
    out=$("$MCUMGR" --audit-db "$(pg_url "$db")" audit verify 2>&1) || rc=$?
    e2e_assert_eq 1 "$rc" "$what: verify exit code ($out)"
    e2e_assert_contains "$out" "BROKEN" "$what: verdict"
    e2e_assert_contains "$out" "$want" "$what: diagnosis"
    e2e_log "$what: detected: $(head -n 1 <<<"$out")"
}
e2e_log "tampering with the rows is detected"
tamper edited "record 3 was modified" "UPDATE audit_records SET version_after = '9.9.9' WHERE id = 3"
tamper edited-outcome "record 1 was modified" "UPDATE audit_records SET outcome = 'failed' WHERE id = 1"
tamper deleted "record 4 follows record 2" "DELETE FROM audit_records WHERE id = 3"
tamper reordered "record 3 does not chain" "UPDATE audit_records SET id = 1000 WHERE id = 3" \
    "UPDATE audit_records SET id = 3 WHERE id = 4" "UPDATE audit_records SET id = 4 WHERE id = 1000"
tamper cut-tail "newest records were removed" "DELETE FROM audit_records WHERE id = 8"
tamper cut-tail-and-head "newest records were removed" "DELETE FROM audit_records WHERE id = 8" \
    "UPDATE audit_head SET count = 7"
tamper inserted-forged "record 9 was modified" \
    "INSERT INTO audit_records SELECT 9, time, operator_name, host, device, connection, action,
     image_hash, version_before, version_after, hash_before, hash_after, 'ok', 'forged', record_hash,
     md5('forged') FROM audit_records WHERE id = 8"
# an inserted record whose hash is right still leaves the head behind it
forged=$(python3 "$CHAIN" next "$E2E_TMP/central.json" detail "an inserted record")
tamper inserted "the chain holds 9 records but 8 were written" \
    "INSERT INTO audit_records SELECT 9, time, operator_name, host, device, connection, action,
     image_hash, version_before, version_after, hash_before, hash_after, outcome, 'an inserted record',
     record_hash, '$forged' FROM audit_records WHERE id = 8"
# a forger who recomputes the edited record's hash breaks the chain at the next one
rehashed=$(python3 "$CHAIN" digest "$E2E_TMP/central.json" 3 version_after 1.0.0)
tamper rehashed "record 4 does not chain" \
    "UPDATE audit_records SET version_after = '1.0.0', record_hash = '$rehashed' WHERE id = 3"

e2e_log "a fork (a second successor of record 2) is refused by the server"
rc=0; out=$(pg_sql "INSERT INTO audit_records SELECT 100, time, operator_name, host, device, connection,
    action, image_hash, version_before, version_after, hash_before, hash_after, outcome, 'fork',
    prev_hash, md5('fork') FROM audit_records WHERE id = 3" 2>&1) || rc=$?
[ "$rc" != 0 ] || e2e_fail "a second successor of record 2 was stored"
e2e_assert_contains "$out" "duplicate key" "the fork's refusal"
out=$(central audit verify --anchor "$anchor") || e2e_fail "the trail after the refused fork: $out"

e2e_log "a role that may only read: the change is refused, the trail reads"
pg_sql "CREATE ROLE auditor LOGIN PASSWORD 'Audit0rSecret'; GRANT SELECT ON audit_records, audit_head TO auditor"
RO="postgresql://auditor:Audit0rSecret@/$PG_DB?host=$PG_DIR"
e2e_assert_eq 1.0.0 "$(slot1)" "slot 1 before the refusals"
rc=0; out=$(mgr --audit-db "$RO" image erase 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "a change with a read-only role"
e2e_assert_contains "$out" "postgresql://auditor:***@/$PG_DB?host=$PG_DIR cannot be written" "the reason names the URL"
e2e_assert_contains "$out" "permission denied" "the server's reason"
e2e_assert_contains "$out" "nothing was done" "what happened"
case $out in *Audit0rSecret*) e2e_fail "the password was printed: $out" ;; esac
e2e_assert_eq 1.0.0 "$(slot1)" "slot 1 after the refused erase"
for cmd in "audit list" "audit show 1" "audit export --json" "audit export --csv" "audit verify" \
           "audit list --device $hwid"; do
    # shellcheck disable=SC2086
    out=$("$MCUMGR" --audit-db "$RO" $cmd 2>&1) || e2e_fail "$cmd as the read-only role: $out"
done
e2e_assert_contains "$("$MCUMGR" --audit-db "$RO" audit verify)" "Audit trail OK: 8 records" "verify as the read-only role"
e2e_assert_eq 8 "$("$MCUMGR" --audit-db "$RO" audit export --json | count)" "records read by the read-only role"

e2e_log "a station's role with the rights src/audit/README.md lists appends"
pg_sql "CREATE ROLE station1 LOGIN PASSWORD 'St4tion'; GRANT SELECT, INSERT ON audit_records TO station1;
        GRANT SELECT, UPDATE ON audit_head TO station1"
ST="postgresql://station1:St4tion@/$PG_DB?host=$PG_DIR"
e2e_assert_eq "audit record 9 written" "$("$MCUMGR" --audit-db "$ST" audit record --action note --outcome ok)" \
    "an append as the station's role"
e2e_assert_contains "$(central audit verify)" "Audit trail OK: 9 records" "the trail after it"
B=9 # central records before the push

e2e_log "a wrong password: refused, the password not shown"
rc=0; out=$(mgr --audit-db "postgresql://auditor:Wr0ngSecret@/$PG_DB?host=$PG_DIR" image erase 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "a change with a wrong password"
e2e_assert_contains "$out" "password authentication failed" "the server's reason"
e2e_assert_contains "$out" "postgresql://auditor:***@" "the URL without the password"
rc=0; out=$(mgr --audit-db "postgresql:///$PG_DB?host=$PG_DIR&user=auditor&password=Wr0ngSecret" image erase 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "a change with a wrong password parameter"
e2e_assert_contains "$out" "password=***" "the URL without the password parameter"
case $out in *Wr0ngSecret*) e2e_fail "the password was printed: $out" ;; esac
e2e_assert_eq 1.0.0 "$(slot1)" "slot 1 after the refusals"

e2e_log "the server stopped: the upload is refused and nothing on the device changes"
pg_stop
mgr image erase >/dev/null 2>&1 || true # (recorded in the station trail)
rc=0; out=$(mgr --audit-db "$PG" image upload "$v3" 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "an upload with the server stopped"
e2e_assert_contains "$out" "cannot connect to the audit database $PG" "the reason names the URL"
e2e_assert_contains "$out" "nothing was done" "what happened"
e2e_assert_eq "" "$(slot1)" "slot 1 after the refused upload"
rc=0; out=$(mgr --audit-db "$PG" reset 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "a reset with the server stopped"
e2e_assert_eq 1.1.0 "$(sim_status version)" "the board runs what it ran"
rc=0; out=$(central audit list 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "reading with the server stopped"
pg_start_again
e2e_assert_contains "$(central audit verify)" "Audit trail OK: $B records" "the trail after the outage"

e2e_log "audit push: a station's trail from real commands, twice"
station=$MCUTOOLS_AUDIT_DB
update "$station" "$v3" "$h3" 1.2.0
n=$("$MCUMGR" audit export --json | count)
[ "$n" -ge 5 ] || e2e_fail "the station trail has $n records"
out=$("$MCUMGR" audit push --to "$PG") || e2e_fail "push: $out"
e2e_assert_contains "$out" "pushed $n records of $station to $PG (0 of $n there already)" "the first push"
out=$("$MCUMGR" audit push --to "$PG") || e2e_fail "push again: $out"
e2e_assert_contains "$out" "pushed 0 records" "the second push copies nothing"
e2e_assert_eq $((B + n)) "$(central audit export --json | count)" "central records after two pushes"
"$MCUMGR" audit record --action note --outcome ok --detail "after the push" >/dev/null
e2e_assert_eq 1 "$("$MCUMGR" --json audit push --to "$PG" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pushed"])')" \
    "a third push: the new record"
central audit export --json >"$E2E_TMP/central.json"
"$MCUMGR" audit export --json >"$E2E_TMP/station.json"
e2e_assert_eq $((B + 1 + n)) "$(python3 "$CHAIN" check "$E2E_TMP/central.json")" "the central chain"
# every pushed record still verifies in the station's own chain, with its hash there
python3 "$CHAIN" station "$E2E_TMP/central.json" >"$E2E_TMP/pushed.txt"
python3 - "$E2E_TMP/station.json" "$E2E_TMP/pushed.txt" <<'PY' || e2e_fail "pushed records: $(cat "$E2E_TMP/pushed.txt")"
import json, sys
station = json.load(open(sys.argv[1]))
pushed = [l.split() for l in open(sys.argv[2])]
assert [int(p[1]) for p in pushed] == [r["id"] for r in station], pushed
assert [p[2] for p in pushed] == [r["record_hash"] for r in station], pushed
assert all(p[0] == station[0]["record_hash"] for p in pushed), pushed
PY
out=$(central audit verify) || e2e_fail "central verify after the push: $out"
e2e_assert_contains "$out" "Audit trail OK: $((B + 1 + n)) records" "central verify after the push"
e2e_assert_contains "$(central audit show $((B + 1)))" "pushed from:     the station trail" "show of a pushed record"
# the origin is part of the central chain
tamper origin-edited "record $((B + 2)) was modified" "UPDATE audit_records SET origin_hash = md5('x') WHERE id = $((B + 2))"
# a station record deleted from a central chain rewritten around the gap:
# the central chain is intact, the station's chain is not
tamper origin-deleted "record $((B + 1)) is record 2 of the station trail" \
    "$(python3 "$CHAIN" drop "$E2E_TMP/central.json" $((B + 1)))"

e2e_log "audit push refuses a station trail that does not verify"
bad=$E2E_TMP/bad.db
cp "$station" "$bad"
python3 - "$bad" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("UPDATE records SET detail = 'edited' WHERE id = 2")
con.commit()
PY
rc=0; out=$("$MCUMGR" --audit-db "$bad" audit push --to "$PG" 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "push of a broken trail"
e2e_assert_contains "$out" "does not verify (record 2 was modified" "the reason"
e2e_assert_eq $((B + 1 + n)) "$(central audit export --json | count)" "nothing pushed of a broken trail"

e2e_log "audit push refuses a station trail rewritten since its last push"
rewritten=$E2E_TMP/rewritten.db
cp "$station" "$rewritten"
python3 "$CHAIN" forge "$rewritten" 2 detail rewritten
"$MCUMGR" --audit-db "$rewritten" audit verify >/dev/null || e2e_fail "the rewritten trail is internally consistent"
rc=0; out=$("$MCUMGR" --audit-db "$rewritten" audit push --to "$PG" 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "push of a rewritten trail"
e2e_assert_contains "$out" "replaced or rewritten" "the reason"
e2e_assert_eq $((B + 1 + n)) "$(central audit export --json | count)" "nothing pushed of a rewritten trail"

e2e_log "audit push: usage"
rc=0; out=$("$MCUMGR" audit push --to "$E2E_TMP/central.db" 2>&1) || rc=$?
e2e_assert_eq 2 "$rc" "push to a file"
rc=0; out=$("$MCUMGR" --audit-db "$PG" audit push --to "$PG" 2>&1) || rc=$?
e2e_assert_eq 2 "$rc" "push of a central trail"
sim_stop
echo PASS
