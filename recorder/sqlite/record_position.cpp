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

namespace {

std::size_t bit_of(core::UnixMicros started_at, std::size_t bits) {
  // splitmix64's finaliser: neighbouring microseconds land far apart.
  auto x = static_cast<std::uint64_t>(started_at);
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return static_cast<std::size_t>(x ^ (x >> 31)) & (bits - 1);
}

}  // namespace

bool RecentStarts::Generation::contains(core::UnixMicros started_at) const {
  const std::size_t bit = bit_of(started_at, kBits);
  return count > 0 && (bits[bit / 64] >> (bit % 64) & 1) != 0;
}

void RecentStarts::Generation::add(core::UnixMicros started_at) {
  const std::size_t bit = bit_of(started_at, kBits);
  bits[bit / 64] |= std::uint64_t{1} << (bit % 64);
  ++count;
  newest = std::max(newest, started_at);
}

bool RecentStarts::may_have_rows(core::UnixMicros started_at) const {
  return started_at < tracked_from_ || current_.contains(started_at) ||
         previous_.contains(started_at);
}

void RecentStarts::add(core::UnixMicros started_at) {
  if (current_.count >= per_generation_) {
    // Forget the older generation: from now on only rows newer than all of it are tracked.
    if (previous_.newest >= 0) {
      tracked_from_ = std::max(tracked_from_, previous_.newest + 1);
    }
    std::swap(previous_, current_);
    std::fill(current_.bits.begin(), current_.bits.end(), 0);
    current_.count = 0;
    current_.newest = -1;
  }
  current_.add(started_at);
}

}  // namespace aibridge::recorder::sqlite
