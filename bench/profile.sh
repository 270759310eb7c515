#!/usr/bin/env bash
# make profile: where aibridge's CPU goes while it relays and records non-streaming requests from
# 64 connections against the zero-delay mock. perf samples the gateway (all its threads, with
# call stacks) while wrk runs; bench/flamegraph.py renders the flame graph and the top symbols.
#   BUILD=build OUT=bench/out-profile SECONDS_PER_RUN=8 bench/profile.sh
# writes $OUT/flamegraph.svg, $OUT/top.md (the whole process) and $OUT/top-relay.md (the network
# threads alone). BUILD may point at another checkout's build to profile an older version:
#   BUILD=../old/build OUT=bench/out-profile-before bench/profile.sh
#   make profile PROFILE_BEFORE=bench/out-profile-before   # RESULTS.md shows both
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=${OUT:-bench/out-profile}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
THREADS=2

rm -rf "$OUT" && mkdir -p "$OUT"
source bench/processes.sh

MOCK_PORT=$(free_port); GW_PORT=$(free_port)
"$BUILD/tests/mock_upstream" --listen "127.0.0.1:$MOCK_PORT" --threads "$THREADS" --no-record \
  2>"$OUT/mock.log" &
pids+=($!)
start_gateway "$BUILD/aibridge" "$GW_PORT" "$MOCK_PORT" "$THREADS" "$OUT"
wait_port "$MOCK_PORT"; wait_port "$GW_PORT"
TOKEN=$(awk '/admin token:/ {print $3}' "$OUT/aibridge.out")

BENCH_MODEL=bench-profile wrk -t2 -c64 -d"$((SECONDS_PER_RUN + 2))s" -s bench/post.lua \
  -H "X-Api-Key: $TOKEN" "http://127.0.0.1:$GW_PORT/anthropic/v1/messages" > "$OUT/wrk.txt" &
load=$!
sleep 1  # past connection set-up
# No frame pointers in the distribution's libraries: unwind from copies of the stack.
perf record -q -e cpu-clock -F 499 --call-graph dwarf,8192 -p "$GW_PID" -o "$OUT/perf.data" \
  -- sleep "$SECONDS_PER_RUN" 2> "$OUT/perf.log"
wait "$load"

perf script -i "$OUT/perf.data" 2>/dev/null > "$OUT/perf.txt"
version="$("$BUILD/aibridge" version) $(git -C "$BUILD/.." rev-parse --short HEAD 2>/dev/null || true)"
echo "$version" > "$OUT/version.txt"
python3 bench/flamegraph.py --svg "$OUT/flamegraph.svg" --top 5 \
  --title "aibridge $version, c=64, zero-delay mock, recording on" < "$OUT/perf.txt" > "$OUT/top.md"
python3 bench/flamegraph.py --comm ab-net --top 5 < "$OUT/perf.txt" > "$OUT/top-relay.md"
rm "$OUT/perf.txt"
echo "profile: $(grep Requests/sec "$OUT/wrk.txt"); $OUT/flamegraph.svg, $OUT/top.md" >&2
