#!/usr/bin/env bash
# make soak: SOAK_SECONDS (default 600) of mixed streaming and blocking load on all three bridged
# routes, with client aborts and provider faults, against aibridge with recording ON. Samples the
# gateway's RSS and open file descriptors every 10 s, then checks that every answered request was
# recorded. Raw results go to bench/out-soak; the Soak section of bench/RESULTS.md is rewritten.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SOAK_SECONDS=${SOAK_SECONDS:-600}
OUT=bench/out-soak

rm -rf "$OUT" && mkdir -p "$OUT"
source bench/processes.sh
# seconds, RSS, open descriptors, and the recorder's SQLite cache (it grows with the database
# by design, up to 64 MiB; RSS minus it is the gateway's own memory)
sample() {
  local cache
  cache=$(curl -s --max-time 5 "http://127.0.0.1:$GW_PORT/metrics" \
            | awk '/^store_cache_bytes / {printf "%d", $2 / 1024}') || cache=0
  echo "$1 $(awk '/VmRSS/ {print $2}' "/proc/$GW_PID/status") $(ls "/proc/$GW_PID/fd" | wc -l) ${cache:-0}"
}

MOCK_PORT=$(free_port); GW_PORT=$(free_port)
"$BUILD/tests/mock_upstream" --listen "127.0.0.1:$MOCK_PORT" --no-record 2>"$OUT/mock.log" &
pids+=($!)
"$BUILD/aibridge" serve --listen "127.0.0.1:$GW_PORT" --data-dir "$OUT/data" --threads 2 \
  --access-log false --log-level error \
  --openai-base-url "http://127.0.0.1:$MOCK_PORT/v1" --anthropic-base-url "http://127.0.0.1:$MOCK_PORT" \
  > "$OUT/aibridge.out" 2> "$OUT/aibridge.log" &
GW_PID=$!
pids+=($GW_PID)
wait_port "$MOCK_PORT"; wait_port "$GW_PORT"
TOKEN=$(awk '/admin token:/ {print $3}' "$OUT/aibridge.out")

echo "seconds rss_kib fds cache_kib" > "$OUT/samples.txt"
sample idle-before >> "$OUT/samples.txt"
echo "soak: ${SOAK_SECONDS}s of mixed load on 127.0.0.1:$GW_PORT" >&2
"$BUILD/bench/soak" --port "$GW_PORT" --token "$TOKEN" --seconds "$SOAK_SECONDS" > "$OUT/summary.json" &
SOAK_PID=$!
start=$(date +%s)
while kill -0 "$SOAK_PID" 2>/dev/null; do
  sample "$(($(date +%s) - start))" >> "$OUT/samples.txt"
  sleep 10
done
wait "$SOAK_PID"
sleep 45  # pooled provider connections close after 30-40 s idle; the recorder flushes
sample idle-after >> "$OUT/samples.txt"
curl -s -H "Coder-Session-Token: $TOKEN" \
  "http://127.0.0.1:$GW_PORT/api/v2/aibridge/interceptions?limit=1&q=model:soak" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])' > "$OUT/recorded.txt"
curl -s "http://127.0.0.1:$GW_PORT/metrics" > "$OUT/metrics.txt"
kill -TERM "$GW_PID"
wait "$GW_PID" && echo 0 > "$OUT/exit.txt" || echo $? > "$OUT/exit.txt"
python3 bench/report.py --soak "$OUT"
echo "soak: wrote the Soak section of bench/RESULTS.md" >&2
