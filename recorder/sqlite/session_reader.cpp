#include "recorder/sqlite/session_reader.hpp"

namespace aibridge::recorder::sqlite {

std::optional<std::int64_t> SessionReader::first_of(std::string_view id,
                                                    const std::optional<std::string>& visible_to) {
  auto& earliest = records_.statement(
      "SELECT p.position FROM aibridge_records p JOIN aibridge_facets pf ON pf.id = p.facet "
      "WHERE p.session_id = ?1 AND (?2 IS NULL OR pf.initiator_id = ?2) "
      "ORDER BY p.position LIMIT 1");
  earliest.reset().bind(1, id).bind(2, visible_to);
  std::optional<std::int64_t> found;
  if (earliest.step()) {
    found = earliest.int64(0);
  }
  earliest.reset();
  if (found) {
    return found;
  }
  // An interception without a session id is a session of its own, named by the interception.
  const auto alone = records_.locate(id, visible_to);
  if (!alone) {
    return std::nullopt;
  }
  auto& session =
      records_.statement("SELECT session_id IS NULL FROM aibridge_records WHERE position = ?1");
  session.reset().bind(1, *alone);
  const bool own = session.step() && session.int64(0) != 0;
  session.reset();
  return own ? alone : std::nullopt;
}

ListedSession SessionReader::load(std::int64_t first) {
  auto& head = records_.statement(
      "SELECT r.session_id, f.initiator_id FROM aibridge_records r "
      "JOIN aibridge_facets f ON f.id = r.facet WHERE r.position = ?1");
  head.reset().bind(1, first);
  std::vector<std::int64_t> positions{first};
  ListedSession session;
  if (head.step() && !head.is_null(0)) {
    session.id = head.text(0);
    const std::string initiator = head.text(1);  // bound as is: it must outlive the run
    auto& members = records_.statement(
        "SELECT p.position FROM aibridge_records p JOIN aibridge_facets pf ON pf.id = p.facet "
        "WHERE p.session_id = ?1 AND pf.initiator_id = ?2 AND p.position >= ?3 "
        "ORDER BY p.position");
    members.reset().bind(1, session.id).bind(2, initiator).bind(3, first);
    positions.clear();
    while (members.step()) {
      positions.push_back(members.int64(0));
    }
    members.reset();
  }
  head.reset();
  records_.load_rows(positions, session.interceptions);
  if (session.id.empty() && !session.interceptions.empty()) {
    session.id = session.interceptions.front().interception.id;
  }
  return session;
}

SessionPage SessionReader::list(const SessionQuery& query) {
  Transaction snapshot(records_.database(), Transaction::Kind::kRead);
  SessionPage out;
  std::optional<std::int64_t> below;
  if (query.after) {
    below = first_of(*query.after, query.filter.visible_to);
    if (!below) {
      out.cursor_found = false;
      return out;
    }
  }
  const RecordReader::PositionPage firsts = records_.page(
      RecordReader::Rows::kSessionStarts, query.filter, below, query.offset, query.limit);
  out.count = firsts.count;
  out.rows.reserve(firsts.positions.size());
  for (const std::int64_t first : firsts.positions) {
    out.rows.push_back(load(first));
  }
  snapshot.commit();
  return out;
}

std::optional<ListedSession> SessionReader::find(std::string_view id,
                                                 const std::optional<std::string>& visible_to) {
  Transaction snapshot(records_.database(), Transaction::Kind::kRead);
  const auto first = first_of(id, visible_to);
  if (!first) {
    return std::nullopt;
  }
  ListedSession session = load(*first);
  snapshot.commit();
  if (session.interceptions.empty()) {
    return std::nullopt;
  }
  return session;
}

}  // namespace aibridge::recorder::sqlite
