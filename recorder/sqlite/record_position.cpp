#include "recorder/sqlite/record_position.hpp"

#include <algorithm>

namespace aibridge::recorder::sqlite {

std::optional<std::int64_t> tie_between(const std::vector<Tied>& group, const std::string& id) {
  const auto next = std::lower_bound(
      group.begin(), group.end(), id,
      [](const Tied& row, const std::string& wanted) { return row.id < wanted; });
  const std::int64_t below = next == group.begin() ? -1 : std::prev(next)->tie;
  const std::int64_t above = next == group.end() ? kTieBreaks : next->tie;
  if (above - below < 2) {
    return std::nullopt;
  }
  return below + (above - below) / 2;
}

std::vector<std::int64_t> spread_ties(std::size_t count) {
  std::vector<std::int64_t> ties;
  ties.reserve(count);
  const auto slots = static_cast<std::int64_t>(count) + 1;
  for (std::int64_t i = 1; i < slots; ++i) {
    ties.push_back(i * kTieBreaks / slots);
  }
  return ties;
}

bool RecentStarts::may_have_rows(core::UnixMicros started_at) const {
  return started_at < tracked_from_ || current_.contains(started_at) ||
         previous_.contains(started_at);
}

void RecentStarts::add(core::UnixMicros started_at) {
  if (current_.size() >= per_generation_) {
    // Forget the older generation: from now on only rows newer than all of it are tracked.
    if (previous_newest_ >= 0) {
      tracked_from_ = std::max(tracked_from_, previous_newest_ + 1);
    }
    previous_ = std::move(current_);
    previous_newest_ = current_newest_;
    current_.clear();
    current_newest_ = -1;
  }
  current_.insert(started_at);
  current_newest_ = std::max(current_newest_, started_at);
}

}  // namespace aibridge::recorder::sqlite
