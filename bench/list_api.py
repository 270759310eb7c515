#!/usr/bin/env python3
"""The list API's latency on a seeded database (bench/seed_records), for every page kind with
every combination of filters the benchmark covers, and whether each `count` (and each deep page)
is exactly what a plain scan of the database gives.

    list_api.py --url http://127.0.0.1:PORT --token TOKEN --db PATH|URI --seed SEED.json
                --seconds N --out FILE.json [--console-out FILE.json]

The seed file is what seed_records printed. wrk requests each (filter, page) pair for
`seconds` on one connection, one request at a time (a Python client's own pauses would show in
the tail); the output holds the latencies' p50 and p99 per pair, the count the API gave and the
count the scan gave."""
import argparse
import datetime
import http.client
import json
import re
import sqlite3
import subprocess
import urllib.parse


def rfc3339(micros):
    return datetime.datetime.fromtimestamp(micros / 1e6, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


def micros(text):
    return int(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1e6)


def filters(seed):
    """(name, q terms, SQL condition on the aibridge_interceptions view) for each combination."""
    dense_from = micros(seed["dense_from"])
    now = micros(seed["spread_to"])
    ten_s = (dense_from + 30_000_000, dense_from + 40_000_000)
    fifteen_days = (now - 20 * 86_400_000_000, now - 5 * 86_400_000_000)

    def window(span):
        return ([f'started_after:"{rfc3339(span[0])}"', f'started_before:"{rfc3339(span[1])}"'],
                [f"started_at >= {span[0]}", f"started_at <= {span[1]}"])

    user = lambda name: ([f"initiator:{name}"], [f"initiator_id = '{seed[name]}'"])
    model = lambda name: ([f"model:{name}"], [f"model = '{name}'"])
    provider = lambda name: ([f"provider:{name}"], [f"provider = '{name}'"])
    combos = [
        ("none", []),
        ("heavy user (90%)", [user("heavy")]),
        ("rare user (0.01%)", [user("rare")]),
        ("rare model (0.005%)", [model("rare-model")]),
        ("provider", [provider("openai")]),
        ("heavy user + model", [user("heavy"), model("gpt-5")]),
        ("rare user + model", [user("rare"), model("gpt-5")]),
        ("heavy user + rare model", [user("heavy"), model("rare-model")]),
        ("provider + model", [provider("openai"), model("gpt-5")]),
        ("15 days", [window(fifteen_days)]),
        ("15 days + provider", [window(fifteen_days), provider("openai")]),
        ("15 days + rare user + model", [window(fifteen_days), user("rare"), model("gpt-5")]),
        ("10 s dense", [window(ten_s)]),
        ("10 s + heavy user", [window(ten_s), user("heavy")]),
        ("10 s + rare user", [window(ten_s), user("rare")]),
        ("10 s + heavy user + model", [window(ten_s), user("heavy"), model("claude-opus-4-1")]),
    ]
    out = []
    for name, parts in combos:
        q = [term for terms, _ in parts for term in terms]
        where = [cond for _, conds in parts for cond in conds]
        out.append((name, " ".join(q), " AND ".join(where) or "TRUE"))
    return out


class Database:
    """The plain scan the answers are checked against: the SQLite file (its aibridge_interceptions
    view), or a PostgreSQL database by URI (through psql), whose started_at is a timestamptz."""

    def __init__(self, location):
        self.postgres = location.startswith(("postgres://", "postgresql://"))
        self.location = location
        if not self.postgres:
            self.sqlite = sqlite3.connect(f"file:{location}?mode=ro", uri=True)

    def rows(self, sql):
        if not self.postgres:
            return self.sqlite.execute(sql).fetchall()
        sql = re.sub(r"\bstarted_at\b", "aibridge_micros(started_at)", sql)
        out = subprocess.run(["psql", "-X", "-A", "-t", "-F", "\t", "-c", sql, self.location],
                             capture_output=True, text=True, check=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]


class Client:
    def __init__(self, url, token):
        parsed = urllib.parse.urlparse(url)
        self.connection = http.client.HTTPConnection(parsed.hostname, parsed.port)
        self.headers = {"Coder-Session-Token": token}

    def get(self, params, endpoint="interceptions"):
        path = f"/api/v2/aibridge/{endpoint}?" + urllib.parse.urlencode(params)
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"GET {path}: {response.status} {body[:300]!r}")
        return json.loads(body)


def wrk_latency(url, token, params, seconds, endpoint="interceptions"):
    """(p50, p99) in microseconds of one connection requesting the page for `seconds`."""
    target = f"{url}/api/v2/aibridge/{endpoint}?" + urllib.parse.urlencode(params)
    out = subprocess.run(["wrk", "-t1", "-c1", f"-d{seconds}s", "--latency",
                          "-H", f"Coder-Session-Token: {token}", target],
                         capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"GET {target}: non-2xx answers\n{out}")
    units = {"us": 1, "ms": 1e3, "s": 1e6}
    found = {p: float(v) * units[u] for p, v, u in
             re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    if not found or re.search(r"^\s*0 requests in", out, re.M):  # none answered within 2 s
        return None, None
    return found["50"], found["99"]


def main():
    parser = argparse.ArgumentParser()
    for flag in ("--url", "--token", "--db", "--seed", "--out"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--console-out", help="also time the console's other calls, into this file")
    args = parser.parse_args()
    seed = json.load(open(args.seed))
    client = Client(args.url, args.token)
    db = Database(args.db)
    results = []
    for name, q, where in filters(seed):
        base = {"q": q} if q else {}
        first = client.get(base)
        count = first["count"]
        expected = int(db.rows(f"SELECT count(*) FROM aibridge_interceptions WHERE {where}")[0][0])
        deep = int(count * 0.9)
        pages = [("first", dict(base)), ("offset 10,000", dict(base, offset=min(10_000, count // 2))),
                 ("offset 90%", dict(base, offset=deep))]
        pages_ok = True
        if count:
            row = client.get(dict(base, offset=deep, limit=1))
            cursor = row["results"][0]["id"]
            pages.append(("cursor 90%", dict(base, after_id=cursor)))
            # The deep page and the page after the cursor are what a plain sort gives.
            want = [r[0] for r in db.rows(
                f"SELECT id FROM aibridge_interceptions WHERE {where} "
                f"ORDER BY started_at DESC, id DESC LIMIT 101 OFFSET {deep}")]
            got_offset = [r["id"] for r in client.get(dict(base, offset=deep))["results"]]
            got_cursor = [r["id"] for r in client.get(dict(base, after_id=cursor))["results"]]
            pages_ok = got_offset == want[:100] and got_cursor == want[1:]
        for page, params in pages:
            p50, p99 = wrk_latency(args.url, args.token, params, args.seconds)
            results.append({"filter": name, "page": page, "count": count, "expected": expected,
                            "pages_ok": pages_ok, "p50_us": p50, "p99_us": p99,
                            "seconds": args.seconds})
    json.dump(results, open(args.out, "w"), indent=1)
    if args.console_out:
        json.dump(console_calls(args, client, db, seed), open(args.console_out, "w"), indent=1)


def console_calls(args, client, db, seed):
    """The console's other calls (SPEC §10) on the same data: one interception, usage sums over
    whole days and over windows with sub-second ends, the models and clients, sessions. A usage
    total must be the list's count for the same filter, the sessions count a plain grouping's."""
    by_name = {name: q for name, q, _ in filters(seed)}
    some_id = client.get({"limit": 1, "offset": 1000})["results"][0]["id"]
    calls = [("interception by id", f"interceptions/{some_id}", {})]
    for group_by, name in [("day", "none"), ("day,model", "none"), ("user", "none"),
                           ("day,user", "15 days + provider"), ("model", "heavy user (90%)"),
                           ("day", "10 s + heavy user"), ("client", "rare user + model")]:
        q = by_name[name]
        calls.append((f"usage by {group_by}, {name}", "usage",
                      dict({"group_by": group_by}, **({"q": q} if q else {}))))
    calls += [("models", "models", {}), ("clients", "clients", {})]
    # Sessions: the first page for the list's filters, deep pages, and one session.
    sessions = client.get({}, "sessions")
    deep = int(sessions["count"] * 0.9)
    cursor = client.get({"offset": deep, "limit": 1}, "sessions")["results"][0]["id"]
    for name in ["none", "heavy user (90%)", "rare user (0.01%)", "rare model (0.005%)",
                 "heavy user + model", "15 days + provider", "10 s + heavy user"]:
        q = by_name[name]
        calls.append((f"sessions, {name}", "sessions", {"q": q} if q else {}))
    calls += [("sessions, offset 10,000", "sessions", {"offset": 10_000}),
              ("sessions, cursor 90%", "sessions", {"after_id": cursor}),
              ("session by id (20 interceptions)", "sessions/" + urllib.parse.quote(next(
                  r["id"] for r in sessions["results"] if r["interception_count"] == 20)), {})]
    out = []
    for name, endpoint, params in calls:
        exact = True
        if endpoint == "usage":
            total = client.get(params, "usage")["total"]["interceptions"]
            listed = client.get({"q": params["q"]} if "q" in params else {})["count"]
            exact = total == listed
        if endpoint == "sessions" and not params:  # the count a plain grouping gives
            exact = sessions["count"] == int(db.rows(
                "SELECT count(*) FROM (SELECT DISTINCT initiator_id, coalesce(session_id, CAST(id AS TEXT)) "
                "FROM aibridge_interceptions) AS s")[0][0])
        p50, p99 = wrk_latency(args.url, args.token, params, args.seconds, endpoint)
        out.append({"call": name, "exact": exact, "p50_us": p50, "p99_us": p99,
                    "seconds": args.seconds})
    return out


if __name__ == "__main__":
    main()
