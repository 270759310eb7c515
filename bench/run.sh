#!/usr/bin/env bash
# make bench: every row of SPEC §8 measured side by side in one run, repeated REPEATS times;
# bench/report.py turns the raw results in bench/out into bench/RESULTS.md (medians, ratios,
# target / measured / met).
#   lanes: the mock directly, nginx (plain reverse proxy), aibridge (recording ON)
#   BUILD=build REPEATS=3 SECONDS_PER_RUN=8 LIST_ROWS=1000000 bench/run.sh
# GATEWAY_BUILD (default BUILD) is where the aibridge binary under test comes from, to measure an
# older version with today's harness; LIST_API=0 skips the list API (older versions cannot read
# the database bench/seed_records writes); POSTGRES=0 skips the PostgreSQL lane (bench/postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
GATEWAY_BUILD=${GATEWAY_BUILD:-$BUILD}
REPEATS=${REPEATS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
LIST_ROWS=${LIST_ROWS:-1000000}
LIST_API=${LIST_API:-1}
POSTGRES=${POSTGRES:-1}
OUT=${OUT:-bench/out}
THREADS=2
ulimit -n "$(ulimit -Hn)"

rm -rf "$OUT" && mkdir -p "$OUT/raw"
OUT=$(cd "$OUT" && pwd)
source bench/processes.sh
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

MOCK_PORT=$(free_port); NGINX_PORT=$(free_port); GW_PORT=$(free_port); LIST_PORT=$(free_port)
"$BUILD/tests/mock_upstream" --listen "127.0.0.1:$MOCK_PORT" --threads "$THREADS" --no-record 2>"$OUT/mock.log" &
pids+=($!)
MOCK_PID=$!
mkdir -p "$OUT/nginx"
sed -e "s|@DIR@|$OUT/nginx|g" -e "s|@PORT@|$NGINX_PORT|" -e "s|@MOCK_PORT@|$MOCK_PORT|" \
    -e "s|@WORKERS@|$THREADS|" bench/nginx.conf.in > "$OUT/nginx/nginx.conf"
nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" -g 'daemon off;' &
pids+=($!)
NGINX_PID=$!
start_gateway "$GATEWAY_BUILD/aibridge" "$GW_PORT" "$MOCK_PORT" "$THREADS" "$OUT"
wait_port "$MOCK_PORT"; wait_port "$NGINX_PORT"; wait_port "$GW_PORT"
TOKEN=$(awk '/admin token:/ {print $3}' "$OUT/aibridge.out")

# lane name, port, path, auth header
LANES=("direct $MOCK_PORT /v1/messages X-Bench:direct"
       "nginx $NGINX_PORT /v1/messages X-Bench:nginx"
       "aibridge $GW_PORT /anthropic/v1/messages X-Api-Key:$TOKEN")

# Interceptions recorded for a model (every aibridge run uses its own), read through the admin
# API once the recorder's flush window has passed.
recorded() {
  sleep 0.5
  curl -s -H "Coder-Session-Token: $TOKEN" \
    "http://127.0.0.1:$GW_PORT/api/v2/aibridge/interceptions?limit=1&q=model:$1" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])'
}

# A lane's own processes (the mock for "direct").
lane_pids() {
  case $1 in
    direct) echo "$MOCK_PID" ;;
    nginx) echo "$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')" ;;
    aibridge) echo "$GW_PID" ;;
  esac
}
# CPU time in clock ticks used so far by processes, and by aibridge's recorder thread alone.
cpu_ticks() { local total=0; for p in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$total"; }
writer_ticks() { grep -l '^ab-recorder$' /proc/"$GW_PID"/task/*/comm | sed 's/comm$/stat/' | xargs awk '{print $14 + $15}'; }

wrk_lane() {  # name file connections threads extra-header…
  local name=$1 file=$2 connections=$3 threads=$4; shift 4
  for lane in "${LANES[@]}"; do
    read -r lane_name port path auth <<<"$lane"
    local model="bench-$name-$file"
    local ticks writer
    ticks=$(cpu_ticks $(lane_pids "$lane_name")); writer=$(writer_ticks)
    BENCH_MODEL=$model wrk -t"$threads" -c"$connections" -d"${SECONDS_PER_RUN}s" --latency \
      -s bench/post.lua -H "${auth%%:*}: ${auth#*:}" "$@" "http://127.0.0.1:$port$path" \
      > "$OUT/raw/$name-$lane_name-$file.txt"
    echo "{\"ticks\": $(($(cpu_ticks $(lane_pids "$lane_name")) - ticks)), \"writer_ticks\": $(($(writer_ticks) - writer)), \"tick_us\": $((1000000 / $(getconf CLK_TCK)))}" \
      > "$OUT/raw/$name-$lane_name-$file.cpu"
    if [ "$lane_name" = aibridge ]; then
      echo "{\"kind\": \"wrk\", \"in_flight\": $connections, \"recorded\": $(recorded "$model")}" \
        > "$OUT/raw/$name-$lane_name-$file.accounting"
    fi
  done
}

# System calls per request: strace counts every call of a lane's threads while wrk sends one
# request at a time (strace slows each call, so these runs are not timed).
syscall_lane() {
  for lane in "${LANES[@]}"; do
    read -r lane_name port path auth <<<"$lane"
    strace -c -f -q -o "$OUT/raw/syscalls-$lane_name.strace" -p "$(lane_pids "$lane_name" | xargs | tr ' ' ,)" &
    local tracer=$!
    sleep 1  # attached
    BENCH_MODEL=bench-syscalls wrk -t1 -c1 -d3s -s bench/post.lua -H "${auth%%:*}: ${auth#*:}" \
      "http://127.0.0.1:$port$path" > "$OUT/raw/syscalls-$lane_name.txt"
    kill -INT "$tracer"; wait "$tracer" || true
  done
}

stream_lane() {  # name file streams events interval
  local name=$1 file=$2 streams=$3 events=$4 interval=$5 model
  for lane in "${LANES[@]}"; do
    read -r lane_name port path auth <<<"$lane"
    model="bench-$name-$file-$RANDOM$RANDOM"
    "$BUILD/bench/loadgen" stream --port "$port" --path "$path" --header "${auth%%:*}: ${auth#*:}" \
      --streams "$streams" --events "$events" --interval-ms "$interval" --threads 1 \
      --body "{\"model\":\"$model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}" \
      >> "$OUT/raw/$name-$lane_name-$file.jsonl"
    if [ "$lane_name" = aibridge ]; then
      echo "{\"kind\": \"stream\", \"in_flight\": 0, \"recorded\": $(recorded "$model")}" \
        >> "$OUT/raw/$name-$lane_name-$file.accounting"
    fi
  done
}

echo "bench: lanes up (mock :$MOCK_PORT, nginx :$NGINX_PORT, aibridge :$GW_PORT)" >&2
for run in $(seq 1 "$REPEATS"); do
  echo "bench: run $run/$REPEATS" >&2
  wrk_lane latency-c1 "$run" 1 1
  wrk_lane latency-c64 "$run" 64 2
  wrk_lane rps-20ms "$run" 512 2 -H "X-Mock-Delay-Ms: 20"
  for _ in $(seq 1 8); do stream_lane stream-c1 "$run" 1 64 20; done
  for streams in 250 500 1000 2000 4000 8000; do stream_lane "stream-n$streams" "$run" "$streams" 64 20; done
done
echo "bench: system calls per request" >&2
syscall_lane

echo "bench: record accounting" >&2
for run in $(seq 1 "$REPEATS"); do
  model="bench-accounting-$run"
  "$BUILD/bench/loadgen" requests --port "$GW_PORT" --path /anthropic/v1/messages \
    --header "X-Api-Key: $TOKEN" --total 20000 --concurrency 16 --threads 1 \
    --body "{\"model\":\"$model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}" \
    > "$OUT/raw/accounting-requests-$run.json"
  "$BUILD/bench/loadgen" stream --port "$GW_PORT" --path /anthropic/v1/messages \
    --header "X-Api-Key: $TOKEN" --streams 500 --events 64 --interval-ms 20 --threads 1 \
    --body "{\"model\":\"$model-stream\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}" \
    > "$OUT/raw/accounting-streams-$run.json"
  for kind in "" "-stream"; do
    recorded "$model$kind" > "$OUT/raw/accounting-recorded$kind-$run.txt"
  done
done

echo "bench: memory per stream" >&2
for lane in "nginx $NGINX_PORT /v1/messages X-Bench:nginx $NGINX_PID" \
            "aibridge $GW_PORT /anthropic/v1/messages X-Api-Key:$TOKEN $GW_PID"; do
  read -r lane_name port path auth pid <<<"$lane"
  pids_of() { if [ "$lane_name" = nginx ]; then pgrep -P "$pid" | tr '\n' ' '; else echo "$pid"; fi; }
  rss_sum() { local total=0; for p in $(pids_of); do total=$((total + $(rss_kib "$p"))); done; echo "$total"; }
  idle=$(rss_sum)
  "$BUILD/bench/loadgen" stream --port "$port" --path "$path" --header "${auth%%:*}: ${auth#*:}" \
    --streams 9000 --events 12 --interval-ms 1000 --threads 2 > "$OUT/raw/memory-$lane_name.json" &
  load=$!
  sleep 8
  busy=$(rss_sum)
  wait "$load"
  echo "{\"idle_kib\": $idle, \"busy_kib\": $busy, \"streams\": 9000}" > "$OUT/raw/memory-rss-$lane_name.json"
done
# Whatever the gateway counted over every load above (records written, dropped, held back).
curl -s "http://127.0.0.1:$GW_PORT/metrics" > "$OUT/raw/metrics.txt"
kill "$GW_PID" "$NGINX_PID"
# The writer alone means alone: the gateway finishes writing and closing its database, and the
# page cache has written back the lanes' databases, before the first run starts.
wait "$GW_PID" "$NGINX_PID" 2> /dev/null || true
sync

echo "bench: the writer alone" >&2
for run in $(seq 1 "$REPEATS"); do
  "$GATEWAY_BUILD/bench/recorder_throughput" 2> /dev/null | tail -1 > "$OUT/raw/writer-$run.json"
done

if [ "$LIST_API" = 1 ]; then
  echo "bench: list API on $LIST_ROWS interceptions" >&2
  mkdir -p "$OUT/list-data"
  "$BUILD/bench/seed_records" --db "$OUT/list-data/aibridge.db" --rows "$LIST_ROWS" > "$OUT/raw/seed.json"
  "$BUILD/aibridge" users create auditor --role auditor --data-dir "$OUT/list-data" > /dev/null
  LIST_TOKEN=$("$BUILD/aibridge" tokens create auditor --data-dir "$OUT/list-data")
  sync  # the seeded database is written back before the first page is timed
  "$BUILD/aibridge" serve --listen "127.0.0.1:$LIST_PORT" --data-dir "$OUT/list-data" --retention 0 \
    --access-log false --log-level warn > /dev/null 2> "$OUT/list.log" &
  pids+=($!)
  wait_port "$LIST_PORT"
  for run in $(seq 1 "$REPEATS"); do
    python3 bench/list_api.py --url "http://127.0.0.1:$LIST_PORT" --token "$LIST_TOKEN" \
      --db "$OUT/list-data/aibridge.db" --seed "$OUT/raw/seed.json" --seconds 2 \
      --out "$OUT/raw/list-$run.json" --console-out "$OUT/raw/console-$run.json"
  done
fi

if [ "$POSTGRES" = 1 ]; then
  BUILD="$GATEWAY_BUILD" REPEATS="$REPEATS" SECONDS_PER_RUN="$SECONDS_PER_RUN" \
    LIST_ROWS="$LIST_ROWS" OUT="$OUT" bench/postgres.sh
fi

{
  echo "cpu: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}') x $(nproc)"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "kernel: $(uname -r)"
  echo "open files hard limit: $(ulimit -Hn)"
  echo "aibridge: $("$GATEWAY_BUILD/aibridge" version) ($(git -C "$GATEWAY_BUILD/.." rev-parse --short HEAD 2>/dev/null || echo '?'))"
  echo "nginx: $(nginx -v 2>&1 | sed 's/nginx version: //')"
  echo "wrk: $(wrk -v 2>&1 | head -1)"
  echo "compiler: $(c++ --version | head -1)"
  echo "sqlite: $(sqlite3 --version | cut -d' ' -f1)"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  # The machine's speed varies by a third over a day; this makes runs comparable.
  echo "cpu speed: sha256 over 16 KiB blocks, $(openssl speed -seconds 1 -bytes 16384 sha256 2>/dev/null | awk '/^sha256/ {print $2}')B/s"
} > "$OUT/machine.txt"
if [ "$OUT" = "$PWD/bench/out" ]; then
  python3 bench/report.py "$OUT" > "$OUT/RESULTS.md"  # keeps the old one's hand-kept sections
  mv "$OUT/RESULTS.md" bench/RESULTS.md
  echo "bench: wrote bench/RESULTS.md" >&2
else
  python3 bench/report.py "$OUT" > "$OUT/RESULTS.md"
  echo "bench: wrote $OUT/RESULTS.md" >&2
fi
