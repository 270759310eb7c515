#!/usr/bin/env python3
"""Turns bench/out (written by bench/run.sh) into bench/RESULTS.md on stdout: medians over the
repeated runs, side by side per lane, with the added cost and the ratio to nginx."""
import glob
import json
import os
import re
import statistics
import sys



def soak_section(out):
    """The Soak section, from what bench/soak.sh wrote to `out`."""
    summary = json.load(open(os.path.join(out, "summary.json")))
    recorded = int(open(os.path.join(out, "recorded.txt")).read())
    exit_status = open(os.path.join(out, "exit.txt")).read().strip()
    metrics = open(os.path.join(out, "metrics.txt")).read()
    dropped = float(re.search(r"^recorder_dropped_total (\S+)", metrics, re.M).group(1))
    rows = [line.split() for line in open(os.path.join(out, "samples.txt")).read().splitlines()[1:]]
    # (RSS, descriptors, RSS minus the SQLite cache) per sample, in KiB
    timed = [(int(t), int(rss), int(fds), int(rss) - int(cache)) for t, rss, fds, cache in rows if t.isdigit()]
    idle = {t: (int(rss), int(fds), int(rss) - int(cache)) for t, rss, fds, cache in rows if not t.isdigit()}
    # The cache fills in the first minutes; flat means no growth over the second half of the run.
    warm = next(row for row in timed if row[0] >= timed[-1][0] / 2)
    end = timed[-1]
    own_growth = 100.0 * (end[3] - warm[3]) / warm[3]
    # The store's two reader connections open on first use: a database and a WAL descriptor each.
    fds_flat = idle["idle-after"][1] <= idle["idle-before"][1] + 4
    flat = own_growth < 5 and fds_flat
    mib = lambda kib: f"{kib / 1024:.1f} MiB"
    lines = ["## Soak (`make soak`)", "",
             f"{summary['seconds']} s of mixed load from 32 connections: 60% streams (32 events, 5 ms apart), "
             "40% blocking, on all three bridged routes; a fifth of the streams aborted by the client "
             "midway; 5% provider faults (resets, 503).", "",
             "| requests sent | answered | completed | client aborts | provider faults | unexpected | "
             "interceptions recorded | dropped | exit on SIGTERM |",
             "|---|---|---|---|---|---|---|---|---|",
             f"| {summary['sent']:,} | {summary['headed']:,} | {summary['completed']:,} | "
             f"{summary['aborted']:,} | {summary['provider_faults']:,} | {summary['unexpected']:,} | "
             f"{recorded:,} | {dropped:.0f} | {exit_status} |", "",
             f"| | idle before | after {warm[0]} s | end of load | max | idle after |", "|---|---|---|---|---|---|",
             f"| RSS | {mib(idle['idle-before'][0])} | {mib(warm[1])} | {mib(end[1])} | "
             f"{mib(max(row[1] for row in timed))} | {mib(idle['idle-after'][0])} |",
             f"| RSS minus the writer's SQLite cache | {mib(idle['idle-before'][2])} | {mib(warm[3])} | {mib(end[3])} | "
             f"{mib(max(row[3] for row in timed))} | {mib(idle['idle-after'][2])} |",
             f"| open descriptors | {idle['idle-before'][1]} | {warm[2]} | {end[2]} | "
             f"{max(row[2] for row in timed)} | {idle['idle-after'][1]} |", "",
             "RSS grows with the recorder's SQLite page cache, which follows the database up to about "
             "64 MiB by design (metric `store_cache_bytes`); the gateway's own memory is RSS minus "
             f"that cache: {own_growth:+.1f}% over the second half of the load ({warm[0]} s to the end). "
             f"Descriptors 45 s after the load (pooled provider connections close after 30-40 s idle): "
             f"{idle['idle-after'][1]}, the idle count plus the store's two reader connections (database "
             f"and WAL each), which open on first use. Flat: {'yes' if flat else 'no'}; every answered request "
             f"recorded: {'yes' if recorded == summary['headed'] else 'no'}. "
             "Samples every 10 s: `bench/out-soak/samples.txt`.", ""]
    return lines


RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")


def split_results():
    """The current RESULTS.md as (everything before the Soak section, the Soak section)."""
    text = open(RESULTS).read() if os.path.exists(RESULTS) else "# Benchmark results"
    before, _, soak = text.partition("\n## Soak")
    return before.rstrip("\n"), ("## Soak" + soak.rstrip("\n") if soak else "")


if sys.argv[1] == "--soak":  # splice a fresh Soak section into the existing RESULTS.md
    kept, _ = split_results()
    open(RESULTS, "w").write(kept + "\n\n" + "\n".join(soak_section(sys.argv[2])) + "\n")
    sys.exit(0)

OUT = sys.argv[1]
RAW = os.path.join(OUT, "raw")
LANES = ["direct", "nginx", "aibridge"]


def wrk(path):
    text = open(path).read()
    units = {"us": 1, "ms": 1e3, "s": 1e6}
    latency = {}
    for percent, value, unit in re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M):
        latency[percent] = float(value) * units[unit]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {"p50": latency["50"], "p99": latency["99"], "rps": rps, "requests": requests,
            "non2xx": int(errors.group(1)) if errors else 0}


def median_over_runs(name, lane, key):
    values = [wrk(path)[key] for path in sorted(glob.glob(f"{RAW}/{name}-{lane}-*.txt"))]
    return statistics.median(values) if values else float("nan")


def streams_file(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def streams(name, lane):
    runs = []
    for path in sorted(glob.glob(f"{RAW}/{name}-{lane}-*.jsonl")):
        runs += streams_file(path)
    return runs


def pooled(runs, key, quantile):
    # Each run reports its own quantiles; the median over runs keeps one noisy run from
    # deciding the figure.
    values = [run[key][quantile] for run in runs if run[key].get("n")]
    return statistics.median(values) if values else float("nan")


def us(value):
    return f"{value:,.0f} µs" if value == value else "–"


def ratio(a, b):
    return f"{a / b:.2f}×" if b else "–"


machine = open(os.path.join(OUT, "machine.txt")).read().strip()
fd_limit = re.search(r"open files hard limit: (\d+)", machine).group(1)
runs = len(glob.glob(f"{RAW}/latency-c1-direct-*.txt"))
lines = [
    "# Benchmark results",
    "",
    "Written by `make bench` (bench/run.sh, bench/report.py). Every lane runs on this machine in",
    "the same session, against the same mock provider (tests/mock/mock_upstream), interleaved lane",
    f"by lane, {runs} times; figures are medians over those runs. aibridge records everything",
    "(SQLite, WAL); nginx and aibridge run 2 worker threads each and have access logs off. The",
    "machine is shared: load generator, mock, proxy (and the recorder) compete for its cores.",
    "",
    "```",
    machine,
    "```",
    "",
]

summary = []
lines += ["## Non-streaming latency (zero-delay mock, wrk)", "",
          "| concurrency | lane | p50 | p99 | added p50 | added p99 |", "|---|---|---|---|---|---|"]
added = {}
for name, label in (("latency-c1", "1"), ("latency-c64", "64")):
    direct = {k: median_over_runs(name, "direct", k) for k in ("p50", "p99")}
    for lane in LANES:
        p50, p99 = median_over_runs(name, lane, "p50"), median_over_runs(name, lane, "p99")
        added[(name, lane)] = (p50 - direct["p50"], p99 - direct["p99"])
        extra = "" if lane == "direct" else f"{us(p50 - direct['p50'])} | {us(p99 - direct['p99'])}"
        lines.append(f"| {label} | {lane} | {us(p50)} | {us(p99)} | {extra or '– | –'} |")
lines.append("")
c1_gw, c1_ng = added[("latency-c1", "aibridge")][1], added[("latency-c1", "nginx")][1]
summary.append(("added p99 at c=1 ≤ nginx's (aim < 100 µs)", f"{us(c1_gw)} vs nginx {us(c1_ng)}",
                c1_gw <= c1_ng))

lines += ["## Throughput against the 20 ms mock (wrk, 512 connections)", "",
          "| lane | requests/s | p99 |", "|---|---|---|"]
rps = {lane: median_over_runs("rps-20ms", lane, "rps") for lane in LANES}
for lane in LANES:
    lines.append(f"| {lane} | {rps[lane]:,.0f} | {us(median_over_runs('rps-20ms', lane, 'p99'))} |")
lines += ["", f"aibridge / nginx: **{ratio(rps['aibridge'], rps['nginx'])}**", ""]
summary.append(("RPS at 20 ms ≥ 0.9× nginx's", ratio(rps["aibridge"], rps["nginx"]),
                rps["aibridge"] >= 0.9 * rps["nginx"]))

def cpu_per_request(name, lane, key="ticks"):
    """Median over runs of a lane's CPU time per answered request, in µs."""
    values = []
    for path in sorted(glob.glob(f"{RAW}/{name}-{lane}-*.cpu")):
        cpu = json.load(open(path))
        requests = wrk(path[:-4] + ".txt")["requests"]
        values.append(cpu[key] * cpu["tick_us"] / requests if requests else float("nan"))
    return statistics.median(values) if values else float("nan")


lines += ["## CPU per request (process CPU time during the wrk runs / requests answered)", "",
          "The lane's own processes only: the mock for direct, nginx's workers, aibridge (its",
          "recorder thread also shown alone). Everything runs on the same two cores.", "",
          "| run | direct (mock) | nginx | aibridge | of which the recorder |", "|---|---|---|---|---|"]
cpu = {}
for name, label in (("latency-c1", "c=1, zero delay"), ("latency-c64", "c=64, zero delay"),
                    ("rps-20ms", "512 connections, 20 ms")):
    cpu[name] = {lane: cpu_per_request(name, lane) for lane in LANES}
    writer = cpu_per_request(name, "aibridge", "writer_ticks")
    lines.append(f"| {label} | {us(cpu[name]['direct'])} | {us(cpu[name]['nginx'])} | "
                 f"{us(cpu[name]['aibridge'])} | {us(writer)} |")
lines.append("")

lines += ["## Streaming, one stream at a time (64 events × 20 ms, loadgen)", "",
          "Time to first byte is from sending the request to the first response byte. The",
          "per-event delay is one-way: the mock stamps each event with CLOCK_MONOTONIC and the",
          "client subtracts it on arrival. The inter-event gap is Busbar's measure: the time",
          "between consecutive events, which pacing fixes at 20 ms.", "",
          "| lane | TTFB p50 | TTFB p99 | event delay p50 | event delay p99 | gap p99 |",
          "|---|---|---|---|---|---|"]
stream = {lane: streams("stream-c1", lane) for lane in LANES}
for lane in LANES:
    lines.append(f"| {lane} | {us(pooled(stream[lane], 'ttfb_us', 'p50'))} | "
                 f"{us(pooled(stream[lane], 'ttfb_us', 'p99'))} | "
                 f"{us(pooled(stream[lane], 'delay_us', 'p50'))} | "
                 f"{us(pooled(stream[lane], 'delay_us', 'p99'))} | "
                 f"{us(pooled(stream[lane], 'gap_us', 'p99'))} |")
stream_added = {}
for lane in ("nginx", "aibridge"):
    stream_added[lane] = {
        "ttfb": pooled(stream[lane], "ttfb_us", "p99") - pooled(stream["direct"], "ttfb_us", "p99"),
        "delay": pooled(stream[lane], "delay_us", "p99") - pooled(stream["direct"], "delay_us", "p99"),
        "gap": pooled(stream[lane], "gap_us", "p99") - pooled(stream["direct"], "gap_us", "p99"),
    }
lines += ["", "| added over direct | TTFB p99 | event delay p99 | gap p99 |", "|---|---|---|---|"]
for lane in ("nginx", "aibridge"):
    a = stream_added[lane]
    lines.append(f"| {lane} | {us(a['ttfb'])} | {us(a['delay'])} | {us(a['gap'])} |")
lines.append("")
summary.append(("streaming added TTFB p99 ≤ 200 µs", us(stream_added["aibridge"]["ttfb"]),
                stream_added["aibridge"]["ttfb"] <= 200))
summary.append(("streaming added per-event p99 ≤ 5 µs (one-way delay)",
                us(stream_added["aibridge"]["delay"]), stream_added["aibridge"]["delay"] <= 5))
summary.append(("streaming added inter-event gap p99 ≤ 5 µs (Busbar's measure)",
                us(stream_added["aibridge"]["gap"]), stream_added["aibridge"]["gap"] <= 5))

lines += ["## Concurrent streams (64 events × 20 ms each, all started at once)", "",
          "A stall is a gap over 200 ms (10× the pacing). Stall-free: every stream completed, no",
          "stall, in every run.", "", "| streams | lane | completed | stalls | gap p99 | event delay p99 |",
          "|---|---|---|---|---|---|"]
stall_free = {lane: 0 for lane in LANES}
still_free = {lane: True for lane in LANES}  # every smaller count was stall-free too
for n in (250, 500, 1000, 2000, 4000, 8000):
    for lane in LANES:
        runs_n = streams(f"stream-n{n}", lane)
        if not runs_n:
            continue
        completed = min(run["completed"] for run in runs_n)
        stalls = max(run["stalls"] for run in runs_n)
        ok = all(run["completed"] == n and run["stalls"] == 0 and run["failed"] == 0 for run in runs_n)
        still_free[lane] = still_free[lane] and ok
        if still_free[lane]:
            stall_free[lane] = n
        lines.append(f"| {n} | {lane} | {completed} | {stalls} | {us(pooled(runs_n, 'gap_us', 'p99'))} | "
                     f"{us(pooled(runs_n, 'delay_us', 'p99'))} |")
lines += ["", "Largest stall-free count: " + ", ".join(f"{lane} {stall_free[lane]}" for lane in LANES), ""]

lines += ["## Memory per stream (9,000 concurrent slow streams)", "",
          "12 events at 1 s pacing per stream, all open at once; RSS of the proxy process(es) while",
          "they run minus RSS before. 9,000 is close to the most one proxy process can hold on this",
          f"machine: two descriptors per stream under an open-files hard limit of {fd_limit}.", "",
          "| lane | RSS idle | RSS with 9,000 streams | per stream | streams completed | stalls (> 10 s) |",
          "|---|---|---|---|---|---|"]
per_stream, held = {}, {}
for lane in ("nginx", "aibridge"):
    rss = json.load(open(f"{RAW}/memory-rss-{lane}.json"))
    load = json.load(open(f"{RAW}/memory-{lane}.json"))
    per_stream[lane] = (rss["busy_kib"] - rss["idle_kib"]) / rss["streams"]
    held[lane] = load["completed"] if load["stalls"] == 0 and load["failed"] == 0 else 0
    lines.append(f"| {lane} | {rss['idle_kib'] / 1024:,.1f} MiB | {rss['busy_kib'] / 1024:,.1f} MiB | "
                 f"{per_stream[lane]:.1f} KiB | {load['completed']:,} / {load['streams']:,} | {load['stalls']} |")
lines.append("")
summary.append(("≥ 10,000 stall-free streams with ≤ 64 KiB RSS per stream",
                f"{stall_free['aibridge']:,} stall-free at 20 ms pacing (nginx {stall_free['nginx']:,}); "
                f"{held['aibridge']:,} at 1 s pacing, the machine's descriptor limit; "
                f"{per_stream['aibridge']:.1f} KiB per stream",
                stall_free["aibridge"] >= 10000 and per_stream["aibridge"] <= 64))

lines += ["## Record accounting (aibridge)", "",
          "Every aibridge run above sends its own model name; afterwards the admin API counts the",
          "interceptions recorded for it. A wrk run ends with its connections cut mid-request, so up",
          "to one request per connection is recorded (as cancelled) without being counted by wrk.", "",
          "| run | answered | recorded | unanswered at the end (≤) | ok |", "|---|---|---|---|---|"]
lost = 0
for path in sorted(glob.glob(f"{RAW}/*-aibridge-*.accounting")):
    label = os.path.basename(path).split(".accounting")[0].replace("-aibridge-", " run ")
    base = path.split(".accounting")[0]
    checks = [json.loads(line) for line in open(path) if line.strip()]
    if checks[0]["kind"] == "wrk":
        answered = wrk(base + ".txt")["requests"]
        answered_runs = [answered]
    else:
        answered_runs = [run["completed"] + run["failed"] for run in streams_file(base + ".jsonl")]
        answered = sum(answered_runs)
    recorded = sum(check["recorded"] for check in checks)
    slack = sum(check["in_flight"] for check in checks)
    ok = all(a <= c["recorded"] <= a + c["in_flight"] for a, c in zip(answered_runs, checks))
    lost += 0 if ok else 1
    lines.append(f"| {label} | {answered:,} | {recorded:,} | {slack:,} | {'yes' if ok else '**no**'} |")
lines += ["", "Exact accounting (loadgen finishes every request and stream):", "",
          "| run | requests answered 2xx | interceptions recorded | streams completed | interceptions recorded |",
          "|---|---|---|---|---|"]
for path in sorted(glob.glob(f"{RAW}/accounting-requests-*.json")):
    run = path.rsplit("-", 1)[1].split(".")[0]
    requests = json.load(open(path))
    streamed = json.load(open(f"{RAW}/accounting-streams-{run}.json"))
    recorded = int(open(f"{RAW}/accounting-recorded-{run}.txt").read())
    recorded_streams = int(open(f"{RAW}/accounting-recorded-stream-{run}.txt").read())
    lost += abs(requests["ok"] - recorded) + abs(streamed["completed"] - recorded_streams)
    lines.append(f"| {run} | {requests['ok']:,} | {recorded:,} | {streamed['completed']:,} | {recorded_streams:,} |")
metrics = open(f"{RAW}/metrics.txt").read()
dropped = float(re.search(r"^recorder_dropped_total (\S+)", metrics, re.M).group(1))
written = float(re.search(r"^recorder_written_total (\S+)", metrics, re.M).group(1))
lines += ["", f"recorder_written_total {written:,.0f}, recorder_dropped_total {dropped:,.0f} over the whole bench.", ""]
summary.append(("zero lost records", f"{lost} lost, {dropped:.0f} dropped", lost == 0 and dropped == 0))

lines += ["## List API on 1,000,000 interceptions (wrk, 1 connection)", "",
          "| page | p50 | p99 |", "|---|---|---|"]
worst = 0
for page, label in (("first", "first page"), ("filtered", "filtered (provider + model)"),
                    ("timerange", "time range (15 days)"), ("deep-cursor", "deep cursor (90% deep)")):
    paths = sorted(glob.glob(f"{RAW}/list-{page}-*.txt"))
    p50 = statistics.median(wrk(p)["p50"] for p in paths)
    p99 = statistics.median(wrk(p)["p99"] for p in paths)
    worst = max(worst, p99)
    lines.append(f"| {label} | {p50 / 1000:.2f} ms | {p99 / 1000:.2f} ms |")
lines.append("")
summary.append(("list API p99 ≤ 20 ms for every page kind at 1M rows", f"worst p99 {worst / 1000:.2f} ms",
                worst <= 20000))

rps_cpu = cpu["rps-20ms"]
lines += ["## What limits the unmet targets on this machine", "",
          f"- Throughput: at 512 connections aibridge spends {us(rps_cpu['aibridge'])} of CPU per request "
          f"(relaying, parsing the answer, and writing it to SQLite) against nginx's "
          f"{us(rps_cpu['nginx'])} (relaying only). Two cores shared with wrk and the mock "
          "bound requests/s by CPU, so the ratio follows the CPU cost; recording is the work "
          "nginx does not do.",
          f"- Added latency at c=1: nginx itself adds {us(c1_ng)} at p99 for one process hop. "
          f"aibridge does more per request ({us(cpu['latency-c1']['aibridge'])} of CPU against "
          f"nginx's {us(cpu['latency-c1']['nginx'])}, the recorder's batches included), on the "
          "same two cores as wrk and the mock, so its tail includes waits for a core.",
          f"- Per-event delay ≤ 5 µs: nginx, which does nothing but relay, adds "
          f"{us(pooled(stream['nginx'], 'delay_us', 'p50') - pooled(stream['direct'], 'delay_us', 'p50'))} "
          "to the median event here (aibridge "
          f"{us(pooled(stream['aibridge'], 'delay_us', 'p50') - pooled(stream['direct'], 'delay_us', 'p50'))}): "
          "waking a second process on this VM costs more than the target, for any proxy. The "
          "p99 differences of single streams move by ±100 µs between runs.",
          f"- Concurrent streams: stall-free up to {stall_free['aibridge']:,} streams for aibridge and "
          f"{stall_free['nginx']:,} for nginx (the mock alone: {stall_free['direct']:,}); the load "
          "generator, the mock and the proxy share the two cores. Beyond that, one process can hold at "
          f"most about {int(fd_limit) // 2:,} proxied streams: two descriptors each under the "
          f"open-files hard limit of {int(fd_limit):,}, which needs CAP_SYS_RESOURCE to raise.",
          ""]

# What profiling (perf, callgrind) found and what the fixes bought, measured when each landed
# on this machine (the figures above are today's; these are history and are not re-measured).
lines += ["## Profile-driven changes (figures measured when each change landed)", "",
          "| change | before | after |", "|---|---|---|",
          "| SQLite statement journals in memory (`temp_store=MEMORY`: 10 temp-file writes per "
          "record before), 64 MiB cache, checkpoint every 10,000 pages, time-ordered UUIDv7 ids | "
          "writer 5.4k records/s, 53 µs CPU each | 33–39k records/s, ~28 µs |",
          "| relay: one write for a non-streaming response, no readiness probe for a connection "
          "pooled < 1 s ago, one watchdog timer per thread, cached metric series | 70.8 µs CPU "
          "per proxied request | 62.7 µs |",
          "| writer yields the CPU every 25 µs while it keeps up (and only then) | c=1 p99 4.0 ms | "
          "0.5–1.25 ms |",
          "| backpressure instead of yielding unconditionally | 152k of 178k records dropped at "
          "512 connections | 0 dropped |",
          "| per-user/provider/model count tables instead of COUNT(*) | list API at 100k rows: "
          "deep cursor 18.6 ms | ≤ 7 ms p99 at 1M rows |", ""]

head = ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
head += [f"| {target} | {measured} | {'yes' if met else 'no'} |" for target, measured, met in summary]
head.append("")
insert_at = lines.index("```", 10) + 2
soak_dir = os.path.join(os.path.dirname(OUT.rstrip("/")), "out-soak")
if os.path.exists(os.path.join(soak_dir, "exit.txt")):
    soak = soak_section(soak_dir)
else:  # keep the last soak's figures
    soak = [split_results()[1], ""] if split_results()[1] else []
print("\n".join(lines[:insert_at] + head + lines[insert_at:] + soak))
