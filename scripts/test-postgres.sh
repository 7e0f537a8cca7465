#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 (a free port, trust authentication, data in a temporary
# directory) and prints its URL. Meant to be sourced by scripts/test.sh, which stops it on exit:
#   source scripts/test-postgres.sh; trap tandem_postgres_stop EXIT; start_tandem_postgres [durable]
# With `durable` (benchmarks) commits are synced as in production; without, fsync is off.
# As root the cluster runs as the postgres user (initdb refuses root); otherwise as the caller.
tandem_postgres_dir=""
tandem_postgres_bin=""

tandem_postgres_as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_tandem_postgres() {
    local initdb port fsync=off
    [ "${1:-}" = durable ] && fsync=on
    initdb="$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)"
    if [ -z "$initdb" ]; then
        echo "test: no PostgreSQL binaries under /usr/lib/postgresql (scripts/setup.sh installs them)" >&2
        return 1
    fi
    tandem_postgres_bin="$(dirname "$initdb")"
    tandem_postgres_dir="$(mktemp -d)"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$tandem_postgres_dir"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
    tandem_postgres_as_owner "$tandem_postgres_bin/initdb" -D "$tandem_postgres_dir/data" -U postgres -A trust \
        -E UTF8 --locale=C.UTF-8 --no-sync >"$tandem_postgres_dir/initdb.log" 2>&1 ||
        { cat "$tandem_postgres_dir/initdb.log" >&2; return 1; }
    # Every store test makes a database of its own and runs in parallel: allow more connections than the
    # default 100. fsync is off for tests because the cluster is thrown away.
    tandem_postgres_as_owner "$tandem_postgres_bin/pg_ctl" -D "$tandem_postgres_dir/data" -l "$tandem_postgres_dir/log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $tandem_postgres_dir -c max_connections=400 -c fsync=$fsync" \
        start >/dev/null || { cat "$tandem_postgres_dir/log" >&2; return 1; }
    export TANDEM_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
    echo "test: PostgreSQL $("$tandem_postgres_bin/postgres" --version | awk '{print $3}') at $TANDEM_TEST_POSTGRES_URL" >&2
}

tandem_postgres_stop() {
    if [ -n "$tandem_postgres_dir" ] && [ -d "$tandem_postgres_dir/data" ]; then
        tandem_postgres_as_owner "$tandem_postgres_bin/pg_ctl" -D "$tandem_postgres_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    [ -n "$tandem_postgres_dir" ] && rm -rf "$tandem_postgres_dir"
    tandem_postgres_dir=""
}
