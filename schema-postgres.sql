-- The PostgreSQL schema (SPEC §9), applied as migration 1 by recorder/postgres/migrations.cpp
-- under an advisory lock. Times are timestamptz (microsecond precision, as the gateway's own
-- clock), ids uuid where they are UUIDs; recorded JSON is kept as json, its text exactly as
-- written (the admin API returns it verbatim, as on SQLite).

-- Microseconds since the Unix epoch <-> timestamptz, exactly (integer arithmetic both ways).
CREATE FUNCTION aibridge_at(micros bigint) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN timestamptz '1970-01-01 00:00:00+00' + micros * interval '1 microsecond';
CREATE FUNCTION aibridge_micros(at timestamptz) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN (extract(epoch FROM at) * 1000000)::bigint;

CREATE TABLE users (
  id          uuid PRIMARY KEY,
  username    text NOT NULL,
  name        text NOT NULL DEFAULT '',
  email       text NOT NULL DEFAULT '',
  avatar_url  text NOT NULL DEFAULT '',
  role        text NOT NULL CHECK (role IN ('owner', 'auditor', 'member')),
  created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (lower(username));

CREATE TABLE api_tokens (
  id            text PRIMARY KEY,
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  secret_hash   bytea NOT NULL,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz,          -- NULL: never expires
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE settings (
  key    text PRIMARY KEY,
  value  text NOT NULL
);

-- One row per ended interception, children packed in it (recorder/record_codec.hpp).
CREATE TABLE aibridge_interceptions (
  id            uuid PRIMARY KEY,
  initiator_id  uuid NOT NULL,        -- users.id; no foreign key, records outlive accounts
  api_key_id    text NOT NULL,
  provider      text NOT NULL,
  model         text NOT NULL,
  client        text NOT NULL,
  status        text NOT NULL,
  session_id    text,                 -- the client's session id, NULL when none
  started_at    timestamptz NOT NULL,
  ended_at      timestamptz NOT NULL,
  metadata      json NOT NULL,
  children      json NOT NULL
);
-- Listing order is started_at DESC, id DESC: each filter term's index ends in that order, so a
-- page (and a cursor) is one backward index range scan.
CREATE INDEX aibridge_interceptions_started ON aibridge_interceptions (started_at, id);
CREATE INDEX aibridge_interceptions_initiator
  ON aibridge_interceptions (initiator_id, started_at, id);
CREATE INDEX aibridge_interceptions_provider ON aibridge_interceptions (provider, started_at, id);
CREATE INDEX aibridge_interceptions_model ON aibridge_interceptions (model, started_at, id);
CREATE INDEX aibridge_interceptions_client ON aibridge_interceptions (client, started_at, id);

-- Counts without counting rows (recorder/rollups.hpp, the same design as the SQLite store's):
-- every combination of the filterable attributes is a facet, each attribute value a group, and
-- per time bucket the rollups sum the interceptions (and their usage) of each facet, of each
-- group (under -id) and of all facets (under 0). The writer adds a batch's rollups in one
-- upsert, in key order (so that replicas writing at once lock rows in the same order).
CREATE TABLE aibridge_facets (
  id            bigserial PRIMARY KEY,
  initiator_id  uuid NOT NULL,
  provider      text NOT NULL,
  model         text NOT NULL,
  client        text NOT NULL,
  status        text NOT NULL,
  UNIQUE (initiator_id, provider, model, client, status)
);
CREATE TABLE aibridge_facet_groups (
  id         bigserial PRIMARY KEY,
  attribute  text NOT NULL,        -- an aibridge_facets column name
  value      text NOT NULL,
  UNIQUE (attribute, value)
);
CREATE TABLE aibridge_rollups (
  level                     smallint NOT NULL,  -- 0 day, 1 hour, 2 minute, 3 second, 4 10 ms
  facet                     bigint NOT NULL,    -- a facet; 0: every facet; < 0: a group
  bucket                    bigint NOT NULL,    -- started_at / the level's width
  interceptions             bigint NOT NULL,
  input_tokens              bigint NOT NULL,
  output_tokens             bigint NOT NULL,
  cache_read_input_tokens   bigint NOT NULL,
  cache_write_input_tokens  bigint NOT NULL,
  tool_calls                bigint NOT NULL,
  PRIMARY KEY (level, facet, bucket)  -- later migrations add sessions, and the sums to this key
);
