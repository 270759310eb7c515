#!/usr/bin/env bash
# make bench: every lane of SPEC §8 measured side by side in one run, repeated REPEATS times;
# bench/report.py turns the raw results in bench/out into bench/RESULTS.md (medians, ratios).
#   lanes: the mock directly, nginx (plain reverse proxy), aibridge (recording ON)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
REPEATS=${REPEATS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
LIST_ROWS=${LIST_ROWS:-1000000}
OUT=bench/out
THREADS=2
ulimit -n "$(ulimit -Hn)"

rm -rf "$OUT" && mkdir -p "$OUT/raw"
source bench/processes.sh
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

MOCK_PORT=$(free_port); NGINX_PORT=$(free_port); GW_PORT=$(free_port); LIST_PORT=$(free_port)
"$BUILD/tests/mock_upstream" --listen "127.0.0.1:$MOCK_PORT" --threads "$THREADS" --no-record 2>"$OUT/mock.log" &
pids+=($!)
MOCK_PID=$!
mkdir -p "$OUT/nginx"
sed -e "s|@DIR@|$PWD/$OUT/nginx|g" -e "s|@PORT@|$NGINX_PORT|" -e "s|@MOCK_PORT@|$MOCK_PORT|" \
    -e "s|@WORKERS@|$THREADS|" bench/nginx.conf.in > "$OUT/nginx/nginx.conf"
nginx -c "$PWD/$OUT/nginx/nginx.conf" -p "$PWD/$OUT/nginx" -g 'daemon off;' &
pids+=($!)
NGINX_PID=$!
"$BUILD/aibridge" serve --listen "127.0.0.1:$GW_PORT" --data-dir "$OUT/data" --threads "$THREADS" \
  --access-log false --log-level warn \
  --openai-base-url "http://127.0.0.1:$MOCK_PORT/v1" --anthropic-base-url "http://127.0.0.1:$MOCK_PORT" \
  > "$OUT/aibridge.out" 2> "$OUT/aibridge.log" &
pids+=($!)
GW_PID=$!
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

# CPU time in clock ticks used so far by a lane's own processes (the mock for "direct"), and by
# aibridge's recorder thread alone.
lane_pids() {
  case $1 in
    direct) echo "$MOCK_PID" ;;
    nginx) echo "$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')" ;;
    aibridge) echo "$GW_PID" ;;
  esac
}
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
curl -s "http://127.0.0.1:$GW_PORT/metrics" > "$OUT/raw/metrics.txt"

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

echo "bench: list API on $LIST_ROWS interceptions" >&2
for user in alice bob; do "$BUILD/aibridge" users create "$user" --data-dir "$OUT/list-data" >/dev/null; done
"$BUILD/aibridge" users create auditor --role auditor --data-dir "$OUT/list-data" >/dev/null
LIST_TOKEN=$("$BUILD/aibridge" tokens create auditor --data-dir "$OUT/list-data")
sqlite3 "$OUT/list-data/aibridge.db" "CREATE TEMP TABLE seed_size(n); INSERT INTO seed_size VALUES ($LIST_ROWS);" \
  ".read bench/seed.sql" > /dev/null
"$BUILD/aibridge" serve --listen "127.0.0.1:$LIST_PORT" --data-dir "$OUT/list-data" --retention 0 \
  --access-log false --log-level warn > /dev/null 2> "$OUT/list.log" &
pids+=($!)
wait_port "$LIST_PORT"
LIST=http://127.0.0.1:$LIST_PORT/api/v2/aibridge/interceptions
DEEP=$(curl -s -H "Coder-Session-Token: $LIST_TOKEN" "$LIST?limit=1&offset=$((LIST_ROWS * 9 / 10))" \
       | python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["id"])')
for run in $(seq 1 "$REPEATS"); do
  for page in "first $LIST" "filtered $LIST?q=provider:openai+model:gpt-5" \
              "timerange $LIST?q=started_after:%22$(date -u -d '20 days ago' +%Y-%m-%dT%H:%M:%SZ)%22+started_before:%22$(date -u -d '5 days ago' +%Y-%m-%dT%H:%M:%SZ)%22" \
              "deep-cursor $LIST?after_id=$DEEP"; do
    read -r name url <<<"$page"
    wrk -t1 -c1 -d5s --latency -H "Coder-Session-Token: $LIST_TOKEN" "$url" > "$OUT/raw/list-$name-$run.txt"
  done
done

{
  echo "cpu: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}') x $(nproc)"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "kernel: $(uname -r)"
  echo "open files hard limit: $(ulimit -Hn)"
  echo "aibridge: $("$BUILD/aibridge" version)"
  echo "nginx: $(nginx -v 2>&1 | sed 's/nginx version: //')"
  echo "wrk: $(wrk -v 2>&1 | head -1)"
  echo "compiler: $(c++ --version | head -1)"
  echo "sqlite: $(sqlite3 --version | cut -d' ' -f1)"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
} > "$OUT/machine.txt"
python3 bench/report.py "$OUT" > "$OUT/RESULTS.md"  # reads the old one's Soak section
mv "$OUT/RESULTS.md" bench/RESULTS.md
echo "bench: wrote bench/RESULTS.md" >&2
