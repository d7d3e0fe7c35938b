#!/usr/bin/env bash
# Issue 14, acceptance 3: four mcumgr processes at once, each updating ten
# boards (`fleet update`), all with one PostgreSQL audit database: all 40
# runs recorded with their steps, the chain intact (verified by mcumgr and
# recomputed independently), never forked; then a row edited and a row
# deleted with psql are detected as with SQLite, naming the record.
source "$SRC_DIR/tests/mcumgr/lib.sh"
source "$SRC_DIR/tests/lib/pg.sh"
set -euo pipefail
need_images
CHAIN=$SRC_DIR/tests/audit/audit_chain.py
pg_start
e2e_own_key KEY ed25519
e2e_signed_image 1.0.0 "$WORK/v1.bin" 8000 "$KEY"
e2e_signed_image 1.1.0 "$WORK/v2.bin" 16000 "$KEY"
e2e_image_hash H2 "$WORK/v2.bin"

STATIONS=4 BOARDS=10
declare -A DIR_OF
for s in $(seq "$STATIONS"); do
    echo "# the boards of station $s" >"$WORK/inv-$s.txt"
    for b in $(seq "$BOARDS"); do
        name=s$s-b$b
        SIM_DIR=
        provision_board "$WORK/v1.bin"
        start_board --key "$KEY"
        DIR_OF[$name]=$SIM_DIR
        if [ $((b % 2)) = 0 ]; then
            echo "serial dev=$SIM_TTY_LINK,baud=115200 $name" >>"$WORK/inv-$s.txt"
        else
            echo "udp 127.0.0.1:$SIM_PORT $name" >>"$WORK/inv-$s.txt"
        fi
    done
done
e2e_log "$((STATIONS * BOARDS)) boards up; $STATIONS stations update at once"

pids=()
for s in $(seq "$STATIONS"); do
    "$MCUMGR" --audit-db "$PG_URL" --operator "station-$s" -t 5 fleet update \
        --inventory "$WORK/inv-$s.txt" --parallel 4 --confirm "$WORK/v2.bin" >"$WORK/out-$s.txt" 2>&1 &
    pids+=($!)
done
for s in $(seq "$STATIONS"); do
    wait "${pids[$((s - 1))]}" || fail "station $s: $(tail -n 20 "$WORK/out-$s.txt")"
    grep -q "^$BOARDS of $BOARDS devices updated" "$WORK/out-$s.txt" || fail "station $s: $(cat "$WORK/out-$s.txt")"
done
for name in "${!DIR_OF[@]}"; do
    got=$("$MCUSIM" --state "${DIR_OF[$name]}" --status | python3 -c 'import json,sys; print(json.load(sys.stdin)["hash"])')
    e2e_assert_eq "$H2" "$got" "$name runs the new image"
done

e2e_log "all $((STATIONS * BOARDS)) runs recorded, each with its steps, by its station"
"$MCUMGR" --audit-db "$PG_URL" audit export --json >"$WORK/trail.json"
python3 - "$WORK/trail.json" "$STATIONS" "$BOARDS" <<'PY' || fail "the central trail"
import json, sys
recs, stations, boards = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
steps = ["dfu upload:ok", "dfu test:ok", "dfu reset:ok", "dfu confirm:ok", "fleet-update:ok"]
assert len(recs) == stations * boards * len(steps), len(recs)
for s in range(1, stations + 1):
    for b in range(1, boards + 1):
        # a record names the board "NAME (IDENTITY)": its inventory name, then what it told
        mine = [r for r in recs if r["device"].split(" (")[0] == "s%d-b%d" % (s, b)]
        assert [r["action"] + ":" + r["outcome"] for r in mine] == steps, mine
        assert all(r["operator_name"] == "station-%d" % s for r in mine), mine
        assert mine[-1]["version_after"] == "1.1.0", mine[-1]
# how the stations' appends interleaved (told, not asserted: it is timing)
runs = sum(1 for a, b in zip(recs, recs[1:]) if a["operator_name"] != b["operator_name"])
print("station changes along the chain: %d" % runs)
PY
n=$((STATIONS * BOARDS * 5))
e2e_assert_eq "$n" "$(python3 "$CHAIN" check "$WORK/trail.json")" "records that chain as src/audit says"
e2e_assert_eq "$n|$n|$n" "$(pg_sql "SELECT count(*), count(DISTINCT prev_hash), max(id) FROM audit_records")" "one successor a record"
out=$("$MCUMGR" --audit-db "$PG_URL" audit verify) || fail "verify: $out"
# one board's history by its name: s1-b1 is not s1-b10
for name in s1-b1 s1-b10; do
    got=$("$MCUMGR" --audit-db "$PG_URL" --json audit list --device "$name" | python3 -c 'import json, sys
recs = json.load(sys.stdin)
print(" ".join(sorted({r["device"].split(" (")[0] for r in recs})), len(recs))')
    e2e_assert_eq "$name 5" "$got" "audit list --device $name"
done
e2e_assert_contains "$out" "Audit trail OK: $n records, chain intact" "verify"

e2e_log "tampering with psql is detected, naming the record"
victim=$(python3 -c 'import json,sys; print([r["id"] for r in json.load(open(sys.argv[1])) if r["device"].startswith("s3-b5 (") and r["action"] == "fleet-update"][0])' "$WORK/trail.json")
pg_sql "CREATE DATABASE deleted TEMPLATE $PG_DB"
pg_sql "DELETE FROM audit_records WHERE id = $victim" deleted
rc=0; out=$("$MCUMGR" --audit-db "$(pg_url deleted)" audit verify 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "verify after a deletion"
e2e_assert_contains "$out" "record $((victim + 1)) follows record $((victim - 1))" "the deletion"
pg_sql "UPDATE audit_records SET outcome = 'failed', detail = 'rolled back' WHERE id = $victim"
rc=0; out=$("$MCUMGR" --audit-db "$PG_URL" audit verify 2>&1) || rc=$?
e2e_assert_eq 1 "$rc" "verify after an edit"
e2e_assert_contains "$out" "BROKEN: record $victim was modified" "the edit"
e2e_log "ok"
