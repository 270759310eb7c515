-- Seeds a benchmark database with :rows ended interceptions (plus a prompt and a token row
-- each), spread over the last 30 days, across the users that exist, two providers and three models.
-- Used by bench/run.sh as: sqlite3 DB "CREATE TEMP TABLE seed_size(n); INSERT INTO seed_size
-- VALUES (1000000);" ".read bench/seed.sql"
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
CREATE TEMP TABLE seed_window AS SELECT (CAST(strftime('%s', 'now') AS INTEGER) - 30 * 86400) * 1000000 AS start;
CREATE TEMP TABLE seed_users AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM users;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < (SELECT n FROM seed_size))
INSERT INTO aibridge_interceptions (id, initiator_id, api_key_id, provider, model, started_at,
                                    ended_at, metadata)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2)
             || '-' || substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2)
             || '-' || hex(randomblob(6))),
       (SELECT id FROM seed_users WHERE k = i % (SELECT count(*) FROM seed_users)),
       'benchkey01',
       CASE i % 2 WHEN 0 THEN 'openai' ELSE 'anthropic' END,
       CASE i % 3 WHEN 0 THEN 'gpt-4.1' WHEN 1 THEN 'claude-sonnet-4-5' ELSE 'gpt-5' END,
       (SELECT start FROM seed_window) + i * (2592000000000 / (SELECT n FROM seed_size)),
       (SELECT start FROM seed_window) + i * (2592000000000 / (SELECT n FROM seed_size)) + 1500000,
       '{"user_agent":"bench","client":"Unknown","streaming":true,"status":"completed"}'
FROM n;
INSERT INTO aibridge_user_prompts (id, interception_id, provider_response_id, prompt, metadata, created_at)
SELECT lower(hex(randomblob(16))), id, 'resp_bench', 'a benchmark prompt', '{}', started_at + 10
FROM aibridge_interceptions WHERE api_key_id = 'benchkey01';
INSERT INTO aibridge_token_usages (id, interception_id, provider_response_id, input_tokens,
                                   output_tokens, cache_read_input_tokens, cache_write_input_tokens,
                                   metadata, created_at)
SELECT lower(hex(randomblob(16))), id, 'resp_bench', 100, 50, 20, 0, '{"total_tokens":170}', started_at + 20
FROM aibridge_interceptions WHERE api_key_id = 'benchkey01';
-- The recorder keeps the count tables; rows inserted here are added to them (schema.sql v3).
INSERT INTO aibridge_interception_counts
  SELECT initiator_id, provider, model, count(*) FROM aibridge_interceptions
  WHERE api_key_id = 'benchkey01' GROUP BY 1, 2, 3
  ON CONFLICT DO UPDATE SET interceptions = interceptions + excluded.interceptions;
INSERT INTO aibridge_interception_hourly_counts
  SELECT started_at / 3600000000, initiator_id, provider, model, count(*)
  FROM aibridge_interceptions WHERE api_key_id = 'benchkey01' GROUP BY 1, 2, 3, 4
  ON CONFLICT DO UPDATE SET interceptions = interceptions + excluded.interceptions;
COMMIT;
