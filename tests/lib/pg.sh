# shellcheck shell=bash
# A private PostgreSQL server for a test, after tests/lib/e2e.sh: initdb in
# a temporary folder, the server on a Unix socket in that folder and no TCP
# (listen_addresses=''), a database, and the server stopped at exit (the
# EXIT trap runs pg_stop before e2e.sh's cleanup). A server that cannot be
# found or started FAILS the test: CI must run these tests, never skip them.
#
#   source "$SRC_DIR/tests/lib/pg.sh"
#   pg_start                 # sets PG_DIR PG_URL; a superuser "mcutools"
#   pg_sql "SELECT 1"        # psql on $PG_DB (unaligned, tuples only)
#   pg_stop / pg_start_again # the same cluster down and up again
#
# Run as root (CI), the server runs as user nobody: postgres refuses root.
# PG_BIN overrides where initdb, pg_ctl and psql are found.

PG_SUPER=mcutools
PG_DB=${PG_DB:-audit}

# the newest Debian server (/usr/lib/postgresql/N/bin), else the PATH
_pg_find_bin() {
    local d
    if [ -n "${PG_BIN:-}" ]; then return 0; fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ]; then PG_BIN=$d; return 0; fi
    done
    d=$(command -v initdb 2>/dev/null) && PG_BIN=$(dirname "$d") && return 0
    e2e_fail "no PostgreSQL server (initdb): install Debian's postgresql (bash scripts/setup.sh)"
}

# _pg_as_server CMD...: runs CMD as the user the server runs as
_pg_as_server() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- \
            env HOME="$PG_DIR" LC_ALL=C "$@"
    else
        env LC_ALL=C "$@"
    fi
}

pg_start() {
    _pg_find_bin
    # a short path of its own: a socket path has at most 107 bytes, and the
    # server's user (nobody, under root) must reach it
    PG_DIR=$(mktemp -d /tmp/mcutools-pg.XXXXXX) || e2e_fail "mktemp for PostgreSQL"
    if [ "$(id -u)" = 0 ]; then chown 65534:65534 "$PG_DIR"; fi
    chmod 700 "$PG_DIR"
    _pg_as_server "$PG_BIN/initdb" -D "$PG_DIR/data" -U "$PG_SUPER" -A trust -E UTF8 \
        --locale=C -N >"$PG_DIR/initdb.log" 2>&1 ||
        e2e_fail "initdb failed: $(tail -n 5 "$PG_DIR/initdb.log")"
    # the superuser of the test without a password; every other role with one
    printf 'local all %s trust\nlocal all all scram-sha-256\n' "$PG_SUPER" >"$PG_DIR/data/pg_hba.conf"
    pg_start_again
    PG_URL="postgresql://$PG_SUPER@/$PG_DB?host=$PG_DIR"
    "$PG_BIN/createdb" -h "$PG_DIR" -U "$PG_SUPER" "$PG_DB" || e2e_fail "createdb $PG_DB"
    export PG_DIR PG_URL
}

# the cluster of pg_start up again (after pg_stop)
pg_start_again() {
    _pg_as_server "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses='' -k $PG_DIR -c fsync=off -c max_connections=200" start \
        >/dev/null || e2e_fail "postgres did not start: $(tail -n 5 "$PG_DIR/server.log")"
}

pg_stop() {
    [ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ] || return 0
    _pg_as_server "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

# pg_sql SQL [DB]: the rows of SQL, '|' between columns
pg_sql() {
    "$PG_BIN/psql" -h "$PG_DIR" -U "$PG_SUPER" -d "${2:-$PG_DB}" -v ON_ERROR_STOP=1 -Atq -c "$1"
}

# pg_url DB [USER[:PASSWORD]]: the URL of another database (and role)
pg_url() {
    echo "postgresql://${2:-$PG_SUPER}@/$1?host=$PG_DIR"
}

_pg_cleanup() {
    pg_stop
    [ -n "${PG_DIR:-}" ] && rm -rf "$PG_DIR"
    _e2e_cleanup
}
trap _pg_cleanup EXIT
# a test stopped (ctest's timeout, Ctrl-C) still stops its server
trap 'exit 143' TERM
trap 'exit 130' INT
