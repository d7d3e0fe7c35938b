#!/usr/bin/env bash
# Runs test_audit_pg (cmocka) against a PostgreSQL server of its own.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
source "$SRC_DIR/tests/lib/pg.sh"
pg_start
AUDIT_TEST_PG_DIR=$PG_DIR "$BUILD_DIR/tests/test_audit_pg"
