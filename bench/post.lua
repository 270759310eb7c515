-- wrk script: POST a small chat request (the method and body wrk sends to every lane). The
-- model names the run (BENCH_MODEL), so that bench/run.sh can count its records afterwards.
local model = os.getenv("BENCH_MODEL") or "bench-wrk"
wrk.method = "POST"
wrk.body = '{"model":"' .. model .. '","max_tokens":16,"messages":[{"role":"user","content":"hello"}]}'
wrk.headers["Content-Type"] = "application/json"
