# Sourced by bench/run.sh, bench/profile.sh and bench/soak.sh: background processes killed on
# exit, free ports, waiting for a port to listen, the gateway started against the mock.
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 not up" >&2; exit 1; }
# start_gateway BINARY PORT MOCK_PORT THREADS OUT: aibridge in the background, recording into
# OUT/data, access log off; its pid in GW_PID.
start_gateway() {
  "$1" serve --listen "127.0.0.1:$2" --data-dir "$5/data" --threads "$4" \
    --access-log false --log-level warn \
    --openai-base-url "http://127.0.0.1:$3/v1" --anthropic-base-url "http://127.0.0.1:$3" \
    > "$5/aibridge.out" 2> "$5/aibridge.log" &
  GW_PID=$!
  pids+=("$GW_PID")
}
