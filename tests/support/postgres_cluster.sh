#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the test suite (a ctest fixture starts and stops it).
#   postgres_cluster.sh start STATE_DIR   # writes STATE_DIR/uri (a libpq URI) once it accepts
#   postgres_cluster.sh stop STATE_DIR
#   postgres_cluster.sh pause|resume STATE_DIR   # the server down, and up again on its port
# The cluster lives in a fresh directory under /tmp (the server's user must reach it), runs as
# the invoking user or, for root (CI), as `postgres`, listens on 127.0.0.1 on a free port, and
# trusts local connections. Without PostgreSQL 15 installed it writes no uri: the PostgreSQL
# tests then skip, saying why.
set -euo pipefail
action=$1
state=$2
bin=/usr/lib/postgresql/15/bin

as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then
    # From a directory the server's user may enter (PostgreSQL resolves its own path from it).
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

case "$action" in
  start)
    rm -rf "$state"
    mkdir -p "$state"
    if [ ! -x "$bin/initdb" ]; then
      echo "PostgreSQL 15 is not installed ($bin/initdb): the PostgreSQL tests will skip" >&2
      exit 0
    fi
    cluster=$(mktemp -d /tmp/aibridge-test-pg.XXXXXX)
    chmod 0755 "$cluster"
    [ "$(id -u)" -eq 0 ] && chown postgres "$cluster"
    echo "$cluster" > "$state/cluster"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_server_user "$bin/initdb" -D "$cluster/data" -U aibridge --auth=trust -E UTF8 \
      --locale=C.UTF-8 > "$cluster/initdb.log" 2>&1 || { cat "$cluster/initdb.log" >&2; exit 1; }
    # Durability is not under test: fsync off keeps the suite fast on a shared disk.
    # (AIBRIDGE_PG_OPTIONS replaces these server settings, for the bench.)
    defaults="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    echo "-p $port -k $cluster -c listen_addresses=127.0.0.1 ${AIBRIDGE_PG_OPTIONS:-$defaults}" \
      > "$state/options"
    as_server_user "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 start \
      -o "$(cat "$state/options")" > /dev/null || { cat "$cluster/server.log" >&2; exit 1; }
    echo "postgresql://aibridge@127.0.0.1:$port/postgres" > "$state/uri"
    ;;
  pause)
    cluster=$(cat "$state/cluster")
    as_server_user "$bin/pg_ctl" -D "$cluster/data" -m fast -w stop > /dev/null
    ;;
  resume)
    cluster=$(cat "$state/cluster")
    as_server_user "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 start \
      -o "$(cat "$state/options")" > /dev/null || { cat "$cluster/server.log" >&2; exit 1; }
    ;;
  stop)
    [ -f "$state/cluster" ] || exit 0
    cluster=$(cat "$state/cluster")
    as_server_user "$bin/pg_ctl" -D "$cluster/data" -m immediate stop > /dev/null 2>&1 || true
    rm -rf "$cluster" "$state"
    ;;
  *)
    echo "usage: $0 start|stop|pause|resume STATE_DIR" >&2
    exit 2
    ;;
esac
