#!/usr/bin/env python3
"""The audit record digest written again from its description in src/audit
(id, prev, then name=length:value per field; a pushed record adds its
origin), independently of the C code, for the tests: a trail exported as
JSON must chain exactly so, whatever store it came from.

  audit_chain.py check EXPORT.json        every hash recomputed; prints the count
  audit_chain.py digest EXPORT.json ID FIELD VALUE
                                          the hash record ID would have with FIELD = VALUE
  audit_chain.py next EXPORT.json FIELD VALUE
                                          the hash of a copy of the newest record appended
                                          after it with FIELD = VALUE
  audit_chain.py station EXPORT.json      the pushed records, checked against their
                                          station chain; prints origin id hash lines
  audit_chain.py drop EXPORT.json ID      SQL that rewrites a PostgreSQL trail without
                                          record ID, every later hash recomputed (a forger
                                          who knows the digest)
  audit_chain.py forge TRAIL.db ID FIELD VALUE
                                          an SQLite trail edited in place: record ID's FIELD
                                          set to VALUE, every hash and the head recomputed
                                          (a forger who rewrites the whole chain)
  audit_chain.py rehash TRAIL.db ID FIELD VALUE
                                          the same, but only record ID's own hash recomputed
                                          (the next record no longer chains to it)
"""
import hashlib
import json
import sqlite3
import sys

FIELDS = ["time", "operator_name", "host", "device", "connection", "action", "image_hash",
          "version_before", "version_after", "hash_before", "hash_after", "outcome", "detail"]


def digest(r, rid, prev, with_origin=True):
    h = hashlib.sha256(("id=%d;prev=" % rid).encode() + prev.encode())

    def field(name, value):
        v = value.encode()
        h.update((";%s=%d:" % (name, len(v))).encode() + v)

    for f in FIELDS:
        field(f, r[f])
    if with_origin and r.get("origin"):
        field("origin", r["origin"])
        field("origin_id", str(r["origin_id"]))
        field("origin_prev", r["origin_prev"])
        field("origin_hash", r["origin_hash"])
    return h.hexdigest()


def sql_text(v):
    return "$q$%s$q$" % v


def drop(recs, rid):
    cols = ["id"] + FIELDS + ["prev_hash", "record_hash", "origin", "origin_id", "origin_prev",
                              "origin_hash"]
    print("DELETE FROM audit_records;")
    prev = ""
    for n, r in enumerate([x for x in recs if x["id"] != rid], 1):
        r = dict(r, id=n, prev_hash=prev)
        r["record_hash"] = prev = digest(r, n, r["prev_hash"])
        vals = [str(n)] + [sql_text(r[f]) for f in FIELDS + ["prev_hash", "record_hash"]]
        vals += ([sql_text(r["origin"]), str(r["origin_id"]), sql_text(r["origin_prev"]),
                  sql_text(r["origin_hash"])] if r.get("origin") else ["NULL"] * 4)
        print("INSERT INTO audit_records (%s) VALUES (%s);" % (", ".join(cols), ", ".join(vals)))
    print("UPDATE audit_head SET count = %d, head = '%s';" % (len(recs) - 1, prev))


def forge(path, rid, field, value, whole_chain):
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    con.execute("UPDATE records SET %s = ? WHERE id = ?" % field, (value, rid))
    recs = [dict(x) for x in con.execute("SELECT * FROM records ORDER BY id")]
    if not whole_chain:
        r = next(x for x in recs if x["id"] == rid)
        con.execute("UPDATE records SET record_hash = ? WHERE id = ?",
                    (digest(r, rid, r["prev_hash"]), rid))
    else:
        prev = ""
        for r in recs:
            h = digest(r, r["id"], prev)
            con.execute("UPDATE records SET prev_hash = ?, record_hash = ? WHERE id = ?",
                        (prev, h, r["id"]))
            prev = h
        con.execute("UPDATE meta SET v = ? WHERE k = 'head'", (prev,))
    con.commit()


def main():
    if sys.argv[1] in ("forge", "rehash"):
        forge(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[1] == "forge")
        return
    recs = json.load(open(sys.argv[2]))
    if sys.argv[1] == "check":
        prev = ""
        for r in recs:
            assert r["prev_hash"] == prev, "record %d does not chain" % r["id"]
            assert digest(r, r["id"], prev) == r["record_hash"], "record %d: hash" % r["id"]
            prev = r["record_hash"]
        print(len(recs))
    elif sys.argv[1] == "digest":
        r = next(x for x in recs if x["id"] == int(sys.argv[3]))
        r[sys.argv[4]] = sys.argv[5]
        print(digest(r, r["id"], r["prev_hash"]))
    elif sys.argv[1] == "next":
        r = dict(recs[-1])
        r[sys.argv[3]] = sys.argv[4]
        print(digest(r, r["id"] + 1, r["record_hash"]))
    elif sys.argv[1] == "drop":
        drop(recs, int(sys.argv[3]))
    elif sys.argv[1] == "station":
        for r in recs:
            if r.get("origin"):
                assert digest(r, r["origin_id"], r["origin_prev"], False) == r["origin_hash"], r
                print(r["origin"], r["origin_id"], r["origin_hash"])


main()
