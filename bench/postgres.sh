#!/usr/bin/env bash
# The PostgreSQL lane of make bench (run by bench/run.sh, or alone): two gateway replicas
# sharing one local PostgreSQL 15 server, recording on, against the same zero-delay mock; the
# writer alone on PostgreSQL; the list API on LIST_ROWS interceptions in PostgreSQL.
#   BUILD=build REPEATS=3 SECONDS_PER_RUN=8 LIST_ROWS=1000000 OUT=bench/out bench/postgres.sh
#   PG_PARTS="replicas writer list" (the default) runs a subset.
# Results go to OUT/raw/pg-*; bench/report.py reports them beside the SQLite lane. The server
# runs with fsync on and synchronous_commit off: a crash of the machine may lose the last
# commits (as SQLite's synchronous=normal may), never the database.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
REPEATS=${REPEATS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
LIST_ROWS=${LIST_ROWS:-1000000}
OUT=${OUT:-bench/out}
PG_PARTS=${PG_PARTS:-"replicas writer list"}  # which parts to run
mkdir -p "$OUT/raw"
OUT=$(cd "$OUT" && pwd)
source bench/processes.sh

if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  echo "bench: PostgreSQL 15 is not installed; no PostgreSQL lane" >&2
  exit 0
fi
STATE="$OUT/pg-state"
AIBRIDGE_PG_OPTIONS="-c synchronous_commit=off -c max_connections=100" \
  tests/support/postgres_cluster.sh start "$STATE"
stop_server() {  # keeping the server's log (its checkpoints, slow statements) for a look
  cp "$(cat "$STATE/cluster")/server.log" "$OUT/pg-server.log" 2>/dev/null || true
  tests/support/postgres_cluster.sh stop "$STATE"
}
trap 'cleanup; stop_server' EXIT
SERVER=$(cat "$STATE/uri")
database() {  # a fresh database's URI
  PGOPTIONS="--client-min-messages=warning" psql -X -q "$SERVER" -c "DROP DATABASE IF EXISTS $1" \
    -c "CREATE DATABASE $1"
  echo "${SERVER%/postgres}/$1"
}
psql -X -A -t "$SERVER" -c "SELECT version()" | cut -d' ' -f1-2 > "$OUT/raw/pg-version.txt"

if [[ " $PG_PARTS " == *" replicas "* ]]; then
echo "bench: PostgreSQL, two replicas" >&2
MOCK_PORT=$(free_port)
"$BUILD/tests/mock_upstream" --listen "127.0.0.1:$MOCK_PORT" --threads 2 --no-record 2> "$OUT/pg-mock.log" &
pids+=($!)
wait_port "$MOCK_PORT"
DB=$(database bench)
ports=()
for replica in 1 2; do
  port=$(free_port)
  # One network thread each: the two replicas have the SQLite lane's two between them.
  "$BUILD/aibridge" serve --listen "127.0.0.1:$port" --data-dir "$OUT/pg-data-$replica" \
    --database "$DB" --threads 1 --access-log false --log-level warn \
    --anthropic-base-url "http://127.0.0.1:$MOCK_PORT" \
    > "$OUT/pg-replica-$replica.out" 2> "$OUT/pg-replica-$replica.log" &
  pids+=($!)
  wait_port "$port"
  ports+=("$port")
done
TOKEN=$(cat "$OUT"/pg-replica-*.out | awk '/admin token:/ {print $3}')
queue_depth() {
  curl -s "http://127.0.0.1:$1/metrics" | awk '/^recorder_queue_depth / {print int($2)}'
}
recorded() {
  # Once both replicas' recorders have written what they hold (a PostgreSQL writer can be
  # seconds behind at this load), then a flush window more.
  for _ in $(seq 1 600); do
    [ "$(queue_depth "${ports[0]}")" = 0 ] && [ "$(queue_depth "${ports[1]}")" = 0 ] && break
    sleep 0.2
  done
  sleep 1
  curl -s -G -H "Coder-Session-Token: $TOKEN" --data-urlencode "q=model:$1" \
    "http://127.0.0.1:${ports[0]}/api/v2/aibridge/interceptions?limit=1" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])'
}
for run in $(seq 1 "$REPEATS"); do
  model="bench-pg-$run"
  # Half of the 64 connections on each replica, at once (what a load balancer would do).
  loads=()
  for i in 0 1; do
    BENCH_MODEL=$model wrk -t1 -c32 -d"${SECONDS_PER_RUN}s" --latency -s bench/post.lua \
      -H "X-Api-Key: $TOKEN" "http://127.0.0.1:${ports[$i]}/anthropic/v1/messages" \
      > "$OUT/raw/pg-c64-$run-replica$i.txt" &
    loads+=($!)
  done
  wait "${loads[@]}"
  recorded "$model" > "$OUT/raw/pg-c64-$run.recorded"
done
curl -s "http://127.0.0.1:${ports[0]}/metrics" > "$OUT/raw/pg-metrics-1.txt"
curl -s "http://127.0.0.1:${ports[1]}/metrics" > "$OUT/raw/pg-metrics-2.txt"
cleanup
pids=()
fi

if [[ " $PG_PARTS " == *" writer "* ]]; then
echo "bench: PostgreSQL, the writer alone" >&2
for run in $(seq 1 "$REPEATS"); do
  "$BUILD/bench/recorder_throughput" --db "$(database writer)" 2> /dev/null | tail -1 \
    > "$OUT/raw/pg-writer-$run.json"
done
fi

if [[ " $PG_PARTS " == *" list "* ]]; then
echo "bench: PostgreSQL, list API on $LIST_ROWS interceptions" >&2
LIST_DB=$(database list)
"$BUILD/bench/seed_records" --db "$LIST_DB" --rows "$LIST_ROWS" > "$OUT/raw/pg-seed.json"
psql -X -q "$LIST_DB" -c "VACUUM ANALYZE"
LIST_PORT=$(free_port)
"$BUILD/aibridge" serve --listen "127.0.0.1:$LIST_PORT" --data-dir "$OUT/pg-list-data" \
  --database "$LIST_DB" --retention 0 --access-log false --log-level warn \
  > "$OUT/pg-list.out" 2> "$OUT/pg-list.log" &
pids+=($!)
wait_port "$LIST_PORT"
LIST_TOKEN=$(awk '/admin token:/ {print $3}' "$OUT/pg-list.out")
for run in $(seq 1 "$REPEATS"); do
  python3 bench/list_api.py --url "http://127.0.0.1:$LIST_PORT" --token "$LIST_TOKEN" \
    --db "$LIST_DB" --seed "$OUT/raw/pg-seed.json" --seconds 2 --out "$OUT/raw/pg-list-$run.json" \
    --console-out "$OUT/raw/pg-console-$run.json"
done
fi
echo "bench: PostgreSQL lane done" >&2
