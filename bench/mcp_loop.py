#!/usr/bin/env python3
"""What a tool loop adds per iteration (SPEC §11), measured through the real binary.

Starts mock_upstream (the provider, answering from a round script at once), mock_mcp (the tool
server) and two gateways on them: one without MCP servers and one with the mock configured. Then
times blocking Anthropic requests over one keep-alive connection each:
  plain      - the gateway without MCP (the relay's byte-for-byte path)
  0 rounds   - with MCP: tools injected, the answer calls none
  1, 3 rounds- the model calls the echo tool once / three times before it answers
and prints the medians and p90s, and the cost of one iteration: (3 rounds - 1 round) / 2.

  bench/mcp_loop.py [BUILD_DIR] [REQUESTS]
"""
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
REQUESTS = int(sys.argv[2]) if len(sys.argv) > 2 else 400


def start(argv, needle):
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    while True:
        line = process.stderr.readline()
        if not line:
            raise SystemExit(f"{argv[0]} did not start:\n" + "".join(lines))
        lines.append(line)
        match = re.search(needle, line)
        if match:
            return process, match


def answer(message_id, content, stop):
    return json.dumps({"id": message_id, "type": "message", "role": "assistant", "model": "m",
                       "content": content, "stop_reason": stop,
                       "usage": {"input_tokens": 10, "output_tokens": 5}})


def script(directory, rounds):
    call = [{"type": "tool_use", "id": "toolu_1", "name": "bmcp_tools_echo",
             "input": {"text": "hi"}}]
    sections = [answer(f"msg_{i}", call, "tool_use") for i in range(rounds)]
    sections.append(answer("msg_last", [{"type": "text", "text": "done"}], "end_turn"))
    path = os.path.join(directory, f"rounds-{rounds}.txtar")
    with open(path, "w") as out:
        for i, section in enumerate(sections):
            out.write(f"-- round-{i} --\n{section}\n")
    return path


def gateway(directory, mock_port, config=None):
    argv = [f"{BUILD}/aibridge", "serve", "--data-dir", directory, "--listen", "127.0.0.1:0",
            "--anthropic-base-url", f"http://127.0.0.1:{mock_port}", "--access-log", "false"]
    if config:
        argv += ["--config", config]
    process, match = start(argv, r"listening on http://127\.0\.0\.1:(\d+)")
    port = int(match.group(1))
    token = None
    for _ in range(100):
        token_file = os.path.join(directory, "admin-token")
        if os.path.exists(token_file):
            token = open(token_file).read().strip()
            if token:
                break
        time.sleep(0.05)
    return process, port, token


def timings(port, token, txtar):
    body = json.dumps({"model": "m", "max_tokens": 10,
                       "messages": [{"role": "user", "content": "hi"}]})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "X-Mock-Scenario": "txtar", "X-Mock-Txtar": txtar, "X-Mock-Section": "round"}
    connection = http.client.HTTPConnection("127.0.0.1", port)
    out = []
    for i in range(REQUESTS + 20):
        began = time.perf_counter_ns()
        connection.request("POST", "/anthropic/v1/messages", body, headers)
        response = connection.getresponse()
        data = response.read()
        elapsed = (time.perf_counter_ns() - began) / 1000
        if response.status != 200 or b"bmcp_" in data:
            raise SystemExit(f"unexpected answer {response.status}: {data[:200]!r}")
        if i >= 20:  # warm-up
            out.append(elapsed)
    connection.close()
    return out


def main():
    directory = tempfile.mkdtemp(prefix="aibridge-mcp-bench-")
    processes = []
    try:
        mock, match = start([f"{BUILD}/tests/mock_upstream", "--listen", "127.0.0.1:0",
                             "--no-record"], r"listening on http://127\.0\.0\.1:(\d+)")
        processes.append(mock)
        mock_port = int(match.group(1))
        mcp, match = start([f"{BUILD}/tests/mock_mcp", "--listen", "127.0.0.1:0"],
                           r"listening on http://127\.0\.0\.1:(\d+)")
        processes.append(mcp)
        config = os.path.join(directory, "mcp.toml")
        with open(config, "w") as out:
            out.write(f'[[mcp.servers]]\nname = "tools"\nurl = "http://127.0.0.1:{match.group(1)}/mcp"\n')
        plain_dir = os.path.join(directory, "plain")
        tools_dir = os.path.join(directory, "tools")
        os.makedirs(plain_dir)
        os.makedirs(tools_dir)
        plain, plain_port, plain_token = gateway(plain_dir, mock_port)
        processes.append(plain)
        tools, tools_port, tools_token = gateway(tools_dir, mock_port, config)
        processes.append(tools)
        scripts = {rounds: script(directory, rounds) for rounds in (0, 1, 3)}
        rows = [("plain (no MCP servers)", timings(plain_port, plain_token, scripts[0]))]
        for rounds in (0, 1, 3):
            rows.append((f"MCP, {rounds} tool rounds", timings(tools_port, tools_token, scripts[rounds])))
        print(f"{REQUESTS} blocking Anthropic requests each, one keep-alive connection, "
              f"latency in µs (client side)")
        print(f"{'case':28} {'p50':>8} {'p90':>8}")
        medians = {}
        for name, values in rows:
            values.sort()
            medians[name] = statistics.median(values)
            print(f"{name:28} {medians[name]:8.0f} {values[int(len(values) * 0.9)]:8.0f}")
        per_round = (medians["MCP, 3 tool rounds"] - medians["MCP, 1 tool rounds"]) / 2
        print(f"one iteration (provider call + MCP call + rewrite): {per_round:.0f} µs (p50)")
        print(f"injection alone (0 rounds - plain): "
              f"{medians['MCP, 0 tool rounds'] - medians['plain (no MCP servers)']:.0f} µs (p50)")
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait()


if __name__ == "__main__":
    main()
