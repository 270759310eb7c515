#include "recorder/sqlite/record_writer.hpp"

#include <bit>
#include <functional>
#include <map>
#include <vector>

#include "core/ids.hpp"
#include "recorder/record_codec.hpp"
#include "recorder/sqlite/record_position.hpp"
#include "recorder/sqlite/session_starts.hpp"

namespace aibridge::recorder::sqlite {
namespace {

template <class Key>
std::size_t hash_facet(const Key& key) {
  const std::hash<std::string_view> hash;
  std::size_t out = hash(key.initiator_id);
  for (const std::string_view part : {std::string_view(key.provider), std::string_view(key.model),
                                      std::string_view(key.client)}) {
    out = out * 31 + hash(part);
  }
  return out * 31 + static_cast<std::size_t>(key.status);
}

}  // namespace

std::size_t RecordWriter::FacetHash::operator()(const FacetView& key) const {
  return hash_facet(key);
}

std::size_t RecordWriter::FacetHash::operator()(const FacetKey& key) const {
  return hash_facet(key);
}

Statement& RecordWriter::cached(std::optional<Statement>& slot, std::string_view sql) {
  if (!slot) {
    slot.emplace(db_.prepare(sql));
  }
  return slot->reset();
}

const RollupTargets& RecordWriter::targets_for(const FacetView& view) {
  if (const auto found = facets_.find(view); found != facets_.end()) {
    return found->second;
  }
  FacetKey key{std::string(view.initiator_id), std::string(view.provider), std::string(view.model),
               std::string(view.client), view.status};
  RollupTargets targets;
  const auto values = attribute_values(key);
  for (std::size_t i = 0; i < kAttributes; ++i) {
    targets.groups[i] = group_rollup_id(group_id(static_cast<Attribute>(i), values[i]));
  }
  auto& find = cached(find_facet_,
                      "SELECT id FROM aibridge_facets WHERE initiator_id = ?1 AND provider = ?2 "
                      "AND model = ?3 AND client = ?4 AND status = ?5");
  for (std::size_t i = 0; i < kAttributes; ++i) {
    find.bind(static_cast<int>(i) + 1, values[i]);
  }
  if (find.step()) {
    targets.facet = find.int64(0);
    find.reset();
  } else {
    find.reset();
    auto& insert = cached(insert_facet_,
                          "INSERT INTO aibridge_facets (initiator_id, provider, model, client, "
                          "status) VALUES (?1, ?2, ?3, ?4, ?5)");
    for (std::size_t i = 0; i < kAttributes; ++i) {
      insert.bind(static_cast<int>(i) + 1, values[i]);
    }
    insert.run();
    targets.facet = db_.last_insert_rowid();
  }
  return facets_.emplace(std::move(key), targets).first->second;
}

std::int64_t RecordWriter::group_id(Attribute attribute, std::string_view value) {
  auto& known = groups_[static_cast<std::size_t>(attribute)];
  if (const auto found = known.find(std::string(value)); found != known.end()) {
    return found->second;
  }
  const std::string column(attribute_column(attribute));
  auto& find = cached(find_group_,
                      "SELECT id FROM aibridge_facet_groups WHERE attribute = ?1 AND value = ?2");
  find.bind(1, column).bind(2, value);
  std::int64_t id = 0;
  if (find.step()) {
    id = find.int64(0);
    find.reset();
  } else {
    find.reset();
    auto& insert = cached(insert_group_,
                          "INSERT INTO aibridge_facet_groups (attribute, value) VALUES (?1, ?2)");
    insert.bind(1, column).bind(2, value);
    insert.run();
    id = db_.last_insert_rowid();
  }
  return known.emplace(std::string(value), id).first->second;
}

void RecordWriter::forget_ids() {
  facets_.clear();
  for (auto& known : groups_) {
    known.clear();
  }
  session_firsts_.clear();
}

std::int64_t RecordWriter::position_for(const Interception& record, const std::string& id,
                                        bool look) {
  const std::int64_t base = first_position(record.started_at);
  if (!recent_) {
    auto newest = db_.prepare("SELECT coalesce(max(position), -1) FROM aibridge_records");
    newest.step();
    recent_.emplace();
    recent_->track_after(newest.int64(0) < 0 ? -1 : started_at_of(newest.int64(0)));
  }
  const bool crowded = look || recent_->may_have_rows(record.started_at);
  recent_->add(record.started_at);
  if (!crowded) {
    return base + tie_between({}, id).value_or(0);
  }
  auto& group_query = cached(same_microsecond_,
                             "SELECT position, id FROM aibridge_records "
                             "WHERE position BETWEEN ?1 AND ?2 ORDER BY position");
  group_query.bind(1, base).bind(2, last_position(record.started_at));
  std::vector<Tied> group;
  while (group_query.step()) {
    group.push_back({group_query.int64(0) - base, group_query.blob(1)});
  }
  group_query.reset();
  if (const auto tie = tie_between(group, id)) {
    return base + *tie;
  }
  if (group.size() + 1 >= static_cast<std::size_t>(kTieBreaks)) {
    throw std::runtime_error("more than " + std::to_string(kTieBreaks - 1) +
                             " interceptions started in the same microsecond");
  }
  // No free tie-break between its neighbours: spread the group (and the newcomer) out again,
  // moving the rows through negative positions so that no move collides with another row.
  const std::vector<std::int64_t> ties = spread_ties(group.size() + 1);
  auto move = db_.prepare("UPDATE aibridge_records SET position = ?2 WHERE position = ?1");
  auto move_id = db_.prepare("UPDATE aibridge_record_ids SET position = ?2 WHERE id = ?1");
  for (const Tied& row : group) {
    move.reset().bind(1, base + row.tie).bind(2, -(base + row.tie) - 1);
    move.run();
  }
  std::int64_t newcomer = -1;
  std::size_t old = 0;
  for (const std::int64_t tie : ties) {
    if (newcomer < 0 && (old == group.size() || id < group[old].id)) {
      newcomer = base + tie;
      continue;
    }
    move.reset().bind(1, -(base + group[old].tie) - 1).bind(2, base + tie);
    move.run();
    move_id.reset().bind_blob(1, group[old].id).bind(2, base + tie);
    move_id.run();
    ++old;
  }
  return newcomer;
}

void RecordWriter::write(std::span<const Interception> batch) {
  try {
    Transaction transaction(db_);
    write_rows(batch);
    transaction.commit();
  } catch (...) {
    forget_ids();  // facets and groups it made were rolled back with the batch
    throw;
  }
}

void RecordWriter::insert_row(const Interception& record, const std::string& id, std::int64_t facet,
                              std::int64_t position, bool starts_session) {
  const bool flagged = sessions_ == SessionCounts::kKept;
  auto& insert = cached(insert_record_,
                        flagged ? "INSERT INTO aibridge_records (position, id, ended_at, facet, "
                                  "api_key_id, session_id, metadata, children, starts_session) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                : "INSERT INTO aibridge_records (position, id, ended_at, facet, "
                                  "api_key_id, session_id, metadata, children) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, position)
      .bind_blob(2, id)
      .bind(3, *record.ended_at)
      .bind(4, facet)
      .bind(5, record.api_key_id);
  if (record.session_id.empty()) {
    insert.bind_null(6);
  } else {
    insert.bind(6, record.session_id);
  }
  insert.bind(7, record.metadata).bind(8, children_);
  if (flagged) {
    insert.bind(9, std::int64_t{starts_session ? 1 : 0});
  }
  insert.run();
}

void RecordWriter::write_rows(std::span<const Interception> batch) {
  RollupDelta delta;
  for (const Interception& record : batch) {
    const std::string id = core::uuid_to_bytes(record.id);
    if (id.empty()) {
      throw std::runtime_error("interception id \"" + record.id + "\" is not a canonical UUID");
    }
    if (record.started_at < 0 || record.started_at > kLatest) {
      throw std::runtime_error("interception " + record.id + " has no valid start time");
    }
    if (!record.ended_at) {
      throw std::runtime_error("interception " + record.id + " has not ended");  // never listed
    }
    const RollupTargets& targets = targets_for(
        {record.initiator_id, record.provider, record.model, record.client, record.status});
    encode_children(record, children_);
    std::int64_t position = position_for(record, id, /*look=*/false);
    SessionPlace place = place_in_session(record, position);
    try {
      insert_row(record, id, targets.facet, position, place.starts);
    } catch (const Error& e) {
      if (!e.is_conflict()) {
        throw;
      }
      // Another connection wrote a row into the same microsecond: look at its neighbours.
      position = position_for(record, id, /*look=*/true);
      place = place_in_session(record, position);
      insert_row(record, id, targets.facet, position, place.starts);
    }
    if (core::uuid_micros(id) != record.started_at) {
      auto& remember = cached(insert_record_id_,
                              "INSERT INTO aibridge_record_ids (id, position) VALUES (?1, ?2)");
      remember.bind_blob(1, id).bind(2, position);
      remember.run();
    }
    Usage usage = usage_of(record);
    if (sessions_ == SessionCounts::kKept) {
      usage.sessions = place.starts ? 1 : 0;
      if (place.former) {  // it started later until now (rows may arrive out of order)
        mark_session_start(*place.former, false, delta);
      }
    }
    delta.add(targets, record.started_at, usage);
  }
  apply(delta, /*drop_empty=*/false);
}

std::vector<RecordWriter::SessionStart> RecordWriter::session_starts(std::string_view session_id,
                                                                     std::string_view initiator_id,
                                                                     std::int64_t limit) {
  auto& starts = cached(session_starts_,
                        "SELECT r.position, f.initiator_id, f.provider, f.model, f.client, "
                        "f.status FROM aibridge_records r JOIN aibridge_facets f ON f.id = r.facet "
                        "WHERE r.session_id = ?1 AND f.initiator_id = ?2 ORDER BY r.position "
                        "LIMIT ?3");
  starts.bind(1, session_id).bind(2, initiator_id).bind(3, limit);
  std::vector<SessionStart> out;
  while (starts.step()) {
    out.push_back({starts.int64(0),
                   {starts.text(1), starts.text(2), starts.text(3), starts.text(4),
                    parse_status(starts.text(5)).value_or(Status::kFailed)}});
  }
  starts.reset();
  return out;
}

RecordWriter::SessionPlace RecordWriter::place_in_session(const Interception& record,
                                                          std::int64_t position) {
  SessionPlace place;
  if (sessions_ == SessionCounts::kNotYet || record.session_id.empty()) {
    return place;  // no session flags yet, or a session of its own
  }
  // Most rows continue a session this writer has seen start in an earlier microsecond (ties
  // within one may be reordered): no probe then.
  std::string key = record.initiator_id;
  key += '\n';
  key += record.session_id;
  const auto known = session_firsts_.find(key);
  if (known != session_firsts_.end() && known->second < record.started_at) {
    place.starts = false;
    return place;
  }
  std::vector<SessionStart> first = session_starts(record.session_id, record.initiator_id, 1);
  if (!first.empty() && first.front().position < position) {
    place.starts = false;
    remember_session_first(std::move(key), started_at_of(first.front().position));
    return place;
  }
  if (!first.empty()) {
    place.former = std::move(first.front());
  }
  remember_session_first(std::move(key), record.started_at);
  return place;
}

void RecordWriter::remember_session_first(std::string key, UnixMicros started_at) {
  if (session_firsts_.size() >= kSessionFirstsKept) {
    session_firsts_.clear();  // a bound, not a cache policy: the probe answers what is forgotten
  }
  session_firsts_.insert_or_assign(std::move(key), started_at);
}

void RecordWriter::mark_session_start(const SessionStart& row, bool starts, RollupDelta& delta) {
  auto& mark = cached(mark_session_start_,
                      "UPDATE aibridge_records SET starts_session = ?2 WHERE position = ?1");
  mark.bind(1, row.position).bind(2, std::int64_t{starts ? 1 : 0});
  mark.run();
  const FacetKey& key = row.facet;
  Usage counted;
  counted.sessions = starts ? 1 : -1;
  delta.add(targets_for({key.initiator_id, key.provider, key.model, key.client, key.status}),
            started_at_of(row.position), counted);
}

void RecordWriter::count_recorded_sessions() {
  constexpr std::int64_t kBatch = 4096;
  auto starts = db_.prepare(
      "SELECT r.position, f.initiator_id, f.provider, f.model, f.client, f.status "
      "FROM aibridge_records r JOIN aibridge_facets f ON f.id = r.facet WHERE r.position > ?1" +
      std::string(kStartsSession) + " ORDER BY r.position LIMIT ?2");
  Usage one;
  one.sessions = 1;
  std::int64_t after = -1;
  for (bool more = true; more;) {
    RollupDelta delta;
    starts.reset().bind(1, after).bind(2, kBatch);
    std::int64_t rows = 0;
    while (starts.step()) {
      ++rows;
      after = starts.int64(0);
      const RollupTargets& targets =
          targets_for({starts.text(1), starts.text(2), starts.text(3), starts.text(4),
                       parse_status(starts.text(5)).value_or(Status::kFailed)});
      delta.add(targets, started_at_of(after), one);
    }
    starts.reset();
    apply(delta, /*drop_empty=*/false);
    more = rows == kBatch;
  }
}

Statement& RecordWriter::upsert_rollups(std::size_t rows) {
  std::optional<Statement>& slot = upsert_rollups_[std::countr_zero(rows)];
  if (!slot) {
    const bool sessions = sessions_ == SessionCounts::kKept;
    const std::string_view row =
        sessions ? "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    std::string sql =
        "INSERT INTO aibridge_rollups (level, epoch, facet, bucket, interceptions, input_tokens, "
        "output_tokens, cache_read_input_tokens, cache_write_input_tokens, tool_calls";
    sql += sessions ? ", sessions) VALUES " : ") VALUES ";
    for (std::size_t i = 0; i < rows; ++i) {
      sql += i == 0 ? "" : ", ";
      sql += row;
    }
    sql +=
        " ON CONFLICT (level, epoch, facet, bucket) DO UPDATE SET "
        "interceptions = interceptions + excluded.interceptions, "
        "input_tokens = input_tokens + excluded.input_tokens, "
        "output_tokens = output_tokens + excluded.output_tokens, "
        "cache_read_input_tokens = cache_read_input_tokens + excluded.cache_read_input_tokens, "
        "cache_write_input_tokens = cache_write_input_tokens + excluded.cache_write_input_tokens, "
        "tool_calls = tool_calls + excluded.tool_calls";
    sql += sessions ? ", sessions = sessions + excluded.sessions" : "";
    slot.emplace(db_.prepare(sql));
  }
  return slot->reset();
}

void RecordWriter::apply(const RollupDelta& delta, bool drop_empty) {
  const std::map<RollupKey, Usage> rollups = delta.expand();
  // A few statements of many rows each: most of an upsert's cost is the statement's own.
  auto next = rollups.begin();
  for (std::size_t left = rollups.size(); left > 0;) {
    const std::size_t rows = std::bit_floor(std::min(left, kRollupsPerStatement));
    Statement& upsert = upsert_rollups(rows);
    int parameter = 1;
    for (std::size_t i = 0; i < rows; ++i, ++next) {
      const auto& [key, usage] = *next;
      for (const std::int64_t value :
           {static_cast<std::int64_t>(key.level), epoch_of(key.level, key.bucket), key.facet,
            key.bucket, usage.interceptions, usage.input_tokens, usage.output_tokens,
            usage.cache_read_input_tokens, usage.cache_write_input_tokens, usage.tool_calls}) {
        upsert.bind(parameter++, value);
      }
      if (sessions_ == SessionCounts::kKept) {
        upsert.bind(parameter++, usage.sessions);
      }
    }
    upsert.run();
    left -= rows;
  }
  if (!drop_empty) {
    return;
  }
  auto& drop = cached(drop_empty_rollup_,
                      "DELETE FROM aibridge_rollups WHERE level = ?1 AND facet = ?2 AND "
                      "bucket = ?3 AND interceptions <= 0");
  for (const auto& [key, usage] : rollups) {
    drop.reset()
        .bind(1, static_cast<std::int64_t>(key.level))
        .bind(2, key.facet)
        .bind(3, key.bucket);
    drop.run();
  }
}

std::size_t RecordWriter::delete_before(UnixMicros cutoff, std::size_t limit) {
  try {
    return delete_rows_before(cutoff, limit);
  } catch (...) {
    forget_ids();
    throw;
  }
}

std::size_t RecordWriter::delete_rows_before(UnixMicros cutoff, std::size_t limit) {
  session_firsts_.clear();  // retention may take the rows it knows as firsts
  Transaction transaction(db_);
  auto oldest = db_.prepare(
      "SELECT r.position, r.id, r.children, f.initiator_id, f.provider, f.model, f.client, "
      "f.status, r.session_id, r.starts_session FROM aibridge_records r "
      "JOIN aibridge_facets f ON f.id = r.facet "
      "WHERE r.position < ?1 ORDER BY r.position LIMIT ?2");
  oldest.bind(1, first_position(cutoff)).bind(2, static_cast<std::int64_t>(limit));
  std::vector<std::pair<std::int64_t, std::string>> doomed;
  std::vector<std::pair<std::string, std::string>> started;  // (session id, initiator) it starts
  RollupDelta delta;
  while (oldest.step()) {
    Interception record;
    record.id = core::uuid_from_bytes(oldest.blob(1));
    decode_children(oldest.text(2), record);
    const std::string status = oldest.text(7);
    const RollupTargets& targets =
        targets_for({oldest.text(3), oldest.text(4), oldest.text(5), oldest.text(6),
                     parse_status(status).value_or(Status::kFailed)});
    const std::int64_t position = oldest.int64(0);
    Usage removed = usage_of(record);
    removed.sessions = oldest.int64(9);
    if (removed.sessions != 0 && !oldest.is_null(8)) {
      started.emplace_back(oldest.text(8), oldest.text(3));
    }
    delta.add(targets, started_at_of(position), removed.negated());
    doomed.emplace_back(position, oldest.blob(1));
  }
  oldest.reset();
  auto remove = db_.prepare("DELETE FROM aibridge_records WHERE position = ?1");
  auto forget = db_.prepare("DELETE FROM aibridge_record_ids WHERE id = ?1");
  for (const auto& [position, id] : doomed) {
    remove.reset().bind(1, position);
    remove.run();
    forget.reset().bind_blob(1, id);
    forget.run();
  }
  // A session whose first row is gone now starts at its earliest row left.
  for (const auto& [session_id, initiator_id] : started) {
    for (const SessionStart& next : session_starts(session_id, initiator_id, 1)) {
      mark_session_start(next, true, delta);
    }
  }
  apply(delta, /*drop_empty=*/true);
  transaction.commit();
  return doomed.size();
}

}  // namespace aibridge::recorder::sqlite
