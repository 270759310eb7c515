-- aibridge database schema (SQLite). The binary embeds this file. It is a history: each
-- "-- @version N" section turns version N-1 into version N, and sections are only ever added at
-- the end. An empty database gets every section; an older one the sections above its version
-- (PRAGMA user_version), each upgrade in one transaction (recorder/sqlite/migrations.cpp).
-- Times are microseconds since the Unix epoch (UTC); ids are lower-case UUID strings, or from
-- version 4 on 16-byte blobs in the record tables.

-- @version 1

CREATE TABLE users (
  id          TEXT PRIMARY KEY,
  username    TEXT NOT NULL COLLATE NOCASE UNIQUE,
  name        TEXT NOT NULL DEFAULT '',
  email       TEXT NOT NULL DEFAULT '',
  avatar_url  TEXT NOT NULL DEFAULT '',
  role        TEXT NOT NULL CHECK (role IN ('owner', 'auditor', 'member')),
  created_at  INTEGER NOT NULL
);

-- Token text is "<id>-<secret>"; only SHA-256(secret) is kept.
CREATE TABLE api_tokens (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  secret_hash   BLOB NOT NULL,
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER,            -- NULL: never expires
  last_used_at  INTEGER,
  revoked_at    INTEGER
);
CREATE INDEX idx_api_tokens_user ON api_tokens (user_id);

CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);

CREATE TABLE aibridge_interceptions (
  id            TEXT PRIMARY KEY,
  initiator_id  TEXT NOT NULL,      -- users.id; no foreign key, records outlive accounts
  api_key_id    TEXT,
  provider      TEXT NOT NULL,
  model         TEXT NOT NULL,
  started_at    INTEGER NOT NULL,
  ended_at      INTEGER,            -- NULL while in flight; only ended rows are listed
  metadata      TEXT NOT NULL DEFAULT '{}'
);
-- The admin list orders by (started_at DESC, id DESC) over ended rows, optionally filtered by
-- one of initiator, provider or model; each filter has an index in that order.
CREATE INDEX idx_interceptions_started
  ON aibridge_interceptions (started_at DESC, id DESC) WHERE ended_at IS NOT NULL;
CREATE INDEX idx_interceptions_initiator
  ON aibridge_interceptions (initiator_id, started_at DESC, id DESC) WHERE ended_at IS NOT NULL;
CREATE INDEX idx_interceptions_provider
  ON aibridge_interceptions (provider, started_at DESC, id DESC) WHERE ended_at IS NOT NULL;
CREATE INDEX idx_interceptions_model
  ON aibridge_interceptions (model, started_at DESC, id DESC) WHERE ended_at IS NOT NULL;

CREATE TABLE aibridge_token_usages (
  id                        TEXT PRIMARY KEY,
  interception_id           TEXT NOT NULL
                            REFERENCES aibridge_interceptions (id) ON DELETE CASCADE,
  provider_response_id      TEXT NOT NULL,
  input_tokens              INTEGER NOT NULL,
  output_tokens             INTEGER NOT NULL,
  cache_read_input_tokens   INTEGER NOT NULL DEFAULT 0,
  cache_write_input_tokens  INTEGER NOT NULL DEFAULT 0,
  metadata                  TEXT NOT NULL DEFAULT '{}',
  created_at                INTEGER NOT NULL
);
CREATE INDEX idx_token_usages_interception
  ON aibridge_token_usages (interception_id, created_at, id);

CREATE TABLE aibridge_user_prompts (
  id                    TEXT PRIMARY KEY,
  interception_id       TEXT NOT NULL
                        REFERENCES aibridge_interceptions (id) ON DELETE CASCADE,
  provider_response_id  TEXT NOT NULL,
  prompt                TEXT NOT NULL,
  metadata              TEXT NOT NULL DEFAULT '{}',
  created_at            INTEGER NOT NULL
);
CREATE INDEX idx_user_prompts_interception
  ON aibridge_user_prompts (interception_id, created_at, id);

CREATE TABLE aibridge_tool_usages (
  id                    TEXT PRIMARY KEY,
  interception_id       TEXT NOT NULL
                        REFERENCES aibridge_interceptions (id) ON DELETE CASCADE,
  provider_response_id  TEXT NOT NULL,
  tool_call_id          TEXT NOT NULL DEFAULT '',
  server_url            TEXT,         -- NULL for tools the client defined
  tool                  TEXT NOT NULL,
  input                 TEXT NOT NULL,  -- the arguments exactly as the model sent them
  injected              INTEGER NOT NULL DEFAULT 0,
  invocation_error      TEXT,
  metadata              TEXT NOT NULL DEFAULT '{}',
  created_at            INTEGER NOT NULL
);
CREATE INDEX idx_tool_usages_interception
  ON aibridge_tool_usages (interception_id, created_at, id);

CREATE TABLE aibridge_model_thoughts (
  id                    TEXT PRIMARY KEY,
  interception_id       TEXT NOT NULL
                        REFERENCES aibridge_interceptions (id) ON DELETE CASCADE,
  provider_response_id  TEXT NOT NULL,
  content               TEXT NOT NULL,
  metadata              TEXT NOT NULL DEFAULT '{}',  -- {"source": "thinking" | ...}
  created_at            INTEGER NOT NULL
);
CREATE INDEX idx_model_thoughts_interception
  ON aibridge_model_thoughts (interception_id, created_at, id);

-- @version 2
-- Counts of ended interceptions per (initiator, provider, model), and per hour of started_at,
-- kept exact by the triggers below, so that the admin list counts a filter without scanning
-- the interceptions.
CREATE TABLE aibridge_interception_counts (
  initiator_id   TEXT NOT NULL,
  provider       TEXT NOT NULL,
  model          TEXT NOT NULL,
  interceptions  INTEGER NOT NULL,
  PRIMARY KEY (initiator_id, provider, model)
) WITHOUT ROWID;

CREATE TABLE aibridge_interception_hourly_counts (
  hour           INTEGER NOT NULL,  -- started_at / 3600000000
  initiator_id   TEXT NOT NULL,
  provider       TEXT NOT NULL,
  model          TEXT NOT NULL,
  interceptions  INTEGER NOT NULL,
  PRIMARY KEY (hour, initiator_id, provider, model)
) WITHOUT ROWID;

CREATE TRIGGER aibridge_interceptions_counted AFTER INSERT ON aibridge_interceptions
WHEN NEW.ended_at IS NOT NULL
BEGIN
  INSERT INTO aibridge_interception_counts VALUES (NEW.initiator_id, NEW.provider, NEW.model, 1)
    ON CONFLICT DO UPDATE SET interceptions = interceptions + 1;
  INSERT INTO aibridge_interception_hourly_counts
    VALUES (NEW.started_at / 3600000000, NEW.initiator_id, NEW.provider, NEW.model, 1)
    ON CONFLICT DO UPDATE SET interceptions = interceptions + 1;
END;

CREATE TRIGGER aibridge_interceptions_uncounted AFTER DELETE ON aibridge_interceptions
WHEN OLD.ended_at IS NOT NULL
BEGIN
  UPDATE aibridge_interception_counts SET interceptions = interceptions - 1
    WHERE initiator_id = OLD.initiator_id AND provider = OLD.provider AND model = OLD.model;
  DELETE FROM aibridge_interception_counts
    WHERE initiator_id = OLD.initiator_id AND provider = OLD.provider AND model = OLD.model
      AND interceptions <= 0;
  UPDATE aibridge_interception_hourly_counts SET interceptions = interceptions - 1
    WHERE hour = OLD.started_at / 3600000000 AND initiator_id = OLD.initiator_id
      AND provider = OLD.provider AND model = OLD.model;
  DELETE FROM aibridge_interception_hourly_counts
    WHERE hour = OLD.started_at / 3600000000 AND initiator_id = OLD.initiator_id
      AND provider = OLD.provider AND model = OLD.model AND interceptions <= 0;
END;

-- An interception that ends later (or is edited) moves between counts like a delete + insert.
CREATE TRIGGER aibridge_interceptions_recounted
AFTER UPDATE OF ended_at, started_at, initiator_id, provider, model ON aibridge_interceptions
BEGIN
  UPDATE aibridge_interception_counts SET interceptions = interceptions - 1
    WHERE OLD.ended_at IS NOT NULL AND initiator_id = OLD.initiator_id
      AND provider = OLD.provider AND model = OLD.model;
  UPDATE aibridge_interception_hourly_counts SET interceptions = interceptions - 1
    WHERE OLD.ended_at IS NOT NULL AND hour = OLD.started_at / 3600000000
      AND initiator_id = OLD.initiator_id AND provider = OLD.provider AND model = OLD.model;
  INSERT INTO aibridge_interception_counts
    SELECT NEW.initiator_id, NEW.provider, NEW.model, 1 WHERE NEW.ended_at IS NOT NULL
    ON CONFLICT DO UPDATE SET interceptions = interceptions + 1;
  INSERT INTO aibridge_interception_hourly_counts
    SELECT NEW.started_at / 3600000000, NEW.initiator_id, NEW.provider, NEW.model, 1
    WHERE NEW.ended_at IS NOT NULL
    ON CONFLICT DO UPDATE SET interceptions = interceptions + 1;
END;

-- Databases upgraded from version 1 start with the counts of the rows they already hold.
INSERT INTO aibridge_interception_counts
  SELECT initiator_id, provider, model, count(*) FROM aibridge_interceptions
  WHERE ended_at IS NOT NULL GROUP BY initiator_id, provider, model;
INSERT INTO aibridge_interception_hourly_counts
  SELECT started_at / 3600000000, initiator_id, provider, model, count(*)
  FROM aibridge_interceptions WHERE ended_at IS NOT NULL
  GROUP BY started_at / 3600000000, initiator_id, provider, model;

-- @version 3
-- The recorder's writer adds each batch to the counts itself, one upsert per (hour, initiator,
-- provider, model), instead of two trigger upserts per inserted row: the trigger was a quarter
-- of the writer's CPU. Deletes and updates still adjust the counts through the triggers above;
-- whatever else inserts ended interceptions must add them to both count tables.
DROP TRIGGER aibridge_interceptions_counted;

-- @version 4
-- Recording at line rate: one row per interception with its children inside it (JSON arrays, in the
-- shape of the admin API without what the row implies, times as microseconds,
-- recorder/sqlite/record_codec.hpp), a dictionary of facets (the filterable attributes) and of
-- their single values (groups), and rollups of every facet and group per day, hour, minute and
-- second (all facets together also per 10 ms) that serve counts, offsets and usage sums
-- (recorder/buckets.hpp, recorder/rollups.hpp). Rows are kept in listing order: their key is
-- started_at * 1024 plus a tie-break that follows the ids of interceptions started in the same
-- microsecond (recorder/sqlite/record_position.hpp), so the table itself is the time index, and a
-- record costs one row and one small facet index entry. recorder/sqlite/migrations.cpp copies
-- version 3's rows into these tables.
CREATE TABLE aibridge_facets (
  id            INTEGER PRIMARY KEY,  -- > 0; 0 means every facet in aibridge_rollups
  initiator_id  TEXT NOT NULL,
  provider      TEXT NOT NULL,
  model         TEXT NOT NULL,
  client        TEXT NOT NULL,
  status        TEXT NOT NULL,
  UNIQUE (initiator_id, provider, model, client, status)
);

-- One value of one attribute ("provider" = "openai"): its rollups sum those of every facet with
-- that value, so a filter on one attribute reads one range of rollups.
CREATE TABLE aibridge_facet_groups (
  id         INTEGER PRIMARY KEY,  -- > 0; its rollups are under facet = -id
  attribute  TEXT NOT NULL,        -- an aibridge_facets column name
  value      TEXT NOT NULL,
  UNIQUE (attribute, value)
);

CREATE TABLE aibridge_records (
  position    INTEGER PRIMARY KEY,  -- started_at * 1024 + tie-break
  id          BLOB NOT NULL,         -- the interception's UUID, 16 bytes
  ended_at    INTEGER NOT NULL,
  facet       INTEGER NOT NULL,      -- aibridge_facets.id
  api_key_id  TEXT NOT NULL,
  session_id  TEXT,                  -- the client's session id, NULL when none
  metadata    TEXT NOT NULL,
  children    TEXT NOT NULL          -- {"user_prompts": […], "token_usages": […], …}
);
-- One facet's interceptions in listing order (the position follows the facet in each entry).
CREATE INDEX aibridge_records_by_facet ON aibridge_records (facet);

-- Where to find a row whose id does not carry its start time (ids the gateway makes do; older
-- databases' ids do not).
CREATE TABLE aibridge_record_ids (
  id        BLOB PRIMARY KEY,
  position  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE aibridge_rollups (
  level                     INTEGER NOT NULL,  -- 0 day, 1 hour, 2 minute, 3 second, 4 10 ms
  epoch                     INTEGER NOT NULL,  -- bucket / the level's buckets per epoch
  facet                     INTEGER NOT NULL,  -- a facet; 0: every facet; < 0: a group
  bucket                    INTEGER NOT NULL,  -- started_at / the level's width
  interceptions             INTEGER NOT NULL,
  input_tokens              INTEGER NOT NULL,
  output_tokens             INTEGER NOT NULL,
  cache_read_input_tokens   INTEGER NOT NULL,
  cache_write_input_tokens  INTEGER NOT NULL,
  tool_calls                INTEGER NOT NULL,
  -- A batch's rows share their level's current epoch: a few pages, whatever the facets.
  PRIMARY KEY (level, epoch, facet, bucket)
) WITHOUT ROWID;

-- @version 5
-- Version 3's tables are copied (version 4); the old names remain as views for people who query
-- the database by hand.
DROP TRIGGER aibridge_interceptions_uncounted;
DROP TRIGGER aibridge_interceptions_recounted;
DROP TABLE aibridge_interception_counts;
DROP TABLE aibridge_interception_hourly_counts;
DROP TABLE aibridge_token_usages;
DROP TABLE aibridge_user_prompts;
DROP TABLE aibridge_tool_usages;
DROP TABLE aibridge_model_thoughts;
DROP TABLE aibridge_interceptions;

CREATE VIEW aibridge_interceptions AS
SELECT lower(substr(hex(r.id), 1, 8) || '-' || substr(hex(r.id), 9, 4) || '-' ||
             substr(hex(r.id), 13, 4) || '-' || substr(hex(r.id), 17, 4) || '-' ||
             substr(hex(r.id), 21)) AS id,
       f.initiator_id, r.api_key_id, f.provider, f.model, f.client, f.status, r.session_id,
       r.position / 1024 AS started_at, r.ended_at, r.metadata, r.children
FROM aibridge_records r JOIN aibridge_facets f ON f.id = r.facet;

-- @version 6
-- Sessions (the admin API's GET sessions): one user's client's interceptions with one session id;
-- an interception without one is a session of its own. A session's interceptions in listing
-- order, found by the session id (the position follows it in each entry); rows without one stay
-- out of the index.
CREATE INDEX aibridge_records_by_session ON aibridge_records (session_id)
  WHERE session_id IS NOT NULL;
-- The row that starts each session (its first), flagged by the writer: the sessions listing is
-- the flagged rows, found along the table or the facet index as the interceptions listing's
-- rows are. (Indexes of the flagged rows alone would cost the writer a third of its rate.)
ALTER TABLE aibridge_records ADD COLUMN starts_session INTEGER NOT NULL DEFAULT 1;
UPDATE aibridge_records AS r SET starts_session = 0
WHERE r.session_id IS NOT NULL AND EXISTS (
  SELECT 1 FROM aibridge_records p JOIN aibridge_facets pf ON pf.id = p.facet
  WHERE p.session_id = r.session_id AND p.position < r.position
    AND pf.initiator_id = (SELECT initiator_id FROM aibridge_facets WHERE id = r.facet));
-- Each session is counted once, in the rollups of its first interception (the migration counts
-- the sessions recorded before it).
ALTER TABLE aibridge_rollups ADD COLUMN sessions INTEGER NOT NULL DEFAULT 0;
