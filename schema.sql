-- aibridge database schema (SQLite). The binary embeds this file and applies it to an empty
-- database at start; recorder/migrations.cpp upgrades older databases step by step.
-- Times are microseconds since the Unix epoch (UTC); ids are lower-case UUID strings.

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

PRAGMA user_version = 1;
