#include "recorder/buckets.hpp"

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "recorder/rollup_reader.hpp"
#include "recorder/rollups.hpp"
#include "recorder/sqlite/record_position.hpp"

namespace aibridge::recorder {
namespace {

constexpr UnixMicros kDay = 86'400'000'000;

TEST(Buckets, APieceCoversEveryMicrosecondOfTheRangeOnceNewestFirst) {
  std::mt19937_64 random(3);
  for (int round = 0; round < 2000; ++round) {
    const UnixMicros from = 1'700'000'000'000'000 + static_cast<UnixMicros>(random() % (3 * kDay));
    const UnixMicros length = round % 4 == 0 ? static_cast<UnixMicros>(random() % 5000)
                                             : static_cast<UnixMicros>(random() % (5 * kDay));
    const UnixMicros to = from + length;
    const Level finest = round % 2 ? Level::kCentisecond : Level::kSecond;
    const std::vector<RangePiece> pieces = decompose(from, to, finest);
    ASSERT_FALSE(pieces.empty());
    EXPECT_EQ(pieces.front().to, to);
    EXPECT_EQ(pieces.back().from, from);
    int exact = 0;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      const RangePiece& piece = pieces[i];
      if (i + 1 < pieces.size()) {
        EXPECT_EQ(pieces[i + 1].to + 1, piece.from);  // contiguous, newest first
      }
      if (piece.exact) {
        ++exact;
        EXPECT_LT(piece.to - piece.from + 1, bucket_width(finest));
        continue;
      }
      EXPECT_LE(static_cast<int>(piece.level), static_cast<int>(finest));
      EXPECT_EQ(piece.from, piece.first * bucket_width(piece.level));
      EXPECT_EQ(piece.to, (piece.last + 1) * bucket_width(piece.level) - 1);
    }
    EXPECT_LE(exact, 2);
    EXPECT_LE(pieces.size(), 2U * static_cast<std::size_t>(finest) + 3);
  }
  EXPECT_TRUE(decompose(10, 9, Level::kSecond).empty());
}

TEST(Buckets, SplittingABucketGivesItsFinerPieces) {
  const RangePiece hour = split_bucket(Level::kHour, 7, Level::kSecond);
  EXPECT_FALSE(hour.exact);
  EXPECT_EQ(hour.level, Level::kMinute);
  EXPECT_EQ(hour.first, 7 * 60);
  EXPECT_EQ(hour.last, 7 * 60 + 59);
  EXPECT_EQ(hour.from, 7 * 3'600'000'000LL);
  EXPECT_EQ(hour.to, 8 * 3'600'000'000LL - 1);
  const RangePiece second = split_bucket(Level::kSecond, 5, Level::kSecond);
  EXPECT_TRUE(second.exact);
  EXPECT_EQ(second.from, 5'000'000);
  EXPECT_EQ(second.to, 5'999'999);
  const RangePiece finer = split_bucket(Level::kSecond, 5, Level::kCentisecond);
  EXPECT_FALSE(finer.exact);
  EXPECT_EQ(finer.first, 500);
  EXPECT_EQ(finer.last, 599);
}

// A reader over a plain sorted list, with rollups computed from it the way the stores keep them.
class ListReader final : public RollupReader {
 public:
  ListReader(std::vector<UnixMicros> starts, Level finest) : starts_(std::move(starts)), finest_(finest) {
    std::sort(starts_.begin(), starts_.end());
    for (const UnixMicros start : starts_) {
      delta_.add({1, {-1, -2, -3, -4, -5}}, start, Usage{1, 0, 0, 0, 0, 0});
    }
    rollups_ = delta_.expand();
  }
  Level finest_level() const override { return finest_; }
  std::int64_t bucket_count(Level level, std::int64_t first, std::int64_t last) override {
    std::int64_t total = 0;
    for (const auto& [bucket, count] : bucket_counts(level, first, last)) {
      total += count;
    }
    return total;
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> bucket_counts(Level level, std::int64_t first,
                                                                   std::int64_t last) override {
    ++questions;
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    const std::int64_t facet = finest_ == Level::kCentisecond ? kAllFacets : 1;
    for (const auto& [key, usage] : rollups_) {
      if (key.level == level && key.facet == facet && key.bucket >= first && key.bucket <= last) {
        out.emplace_back(key.bucket, usage.interceptions);
      }
    }
    std::reverse(out.begin(), out.end());
    return out;
  }
  std::int64_t exact_count(UnixMicros from, UnixMicros to) override {
    ++questions;
    return std::upper_bound(starts_.begin(), starts_.end(), to) -
           std::lower_bound(starts_.begin(), starts_.end(), from);
  }
  const std::vector<UnixMicros>& starts() const { return starts_; }
  int questions = 0;  // bucket_counts() and exact_count() calls (each a round trip to a server)

 private:
  std::vector<UnixMicros> starts_;
  Level finest_;
  RollupDelta delta_;
  std::map<RollupKey, Usage> rollups_;
};

TEST(RollupReader, CountsAndOffsetSeeksAgreeWithTheRows) {
  std::mt19937_64 random(11);
  std::vector<UnixMicros> starts;
  constexpr UnixMicros kBase = 1'700'000'000'000'000;
  for (int i = 0; i < 3000; ++i) {
    // Dense bursts (same millisecond, same microsecond) and a sparse spread over days.
    starts.push_back(kBase + (i % 3 == 0   ? static_cast<UnixMicros>(random() % 3000)
                              : i % 3 == 1 ? static_cast<UnixMicros>(random() % 5'000'000)
                                           : static_cast<UnixMicros>(random() % (4 * kDay))));
  }
  for (const Level finest : {Level::kSecond, Level::kCentisecond}) {
    ListReader reader(starts, finest);
    for (int round = 0; round < 500; ++round) {
      const UnixMicros from = kBase + static_cast<UnixMicros>(random() % kDay) - kDay / 2;
      const UnixMicros to = from + static_cast<UnixMicros>(random() % (3 * kDay));
      const RangeCount range = count_range(reader, from, to);
      const std::int64_t count = range.total;
      ASSERT_EQ(count, reader.exact_count(from, to));
      const std::int64_t offset = static_cast<std::int64_t>(random() % (count + 5));
      reader.questions = 0;
      const OffsetSeek seek = seek_offset(reader, range, offset);
      // The range's counts are not asked again: one question per level descended at most.
      EXPECT_LE(reader.questions, static_cast<int>(finest) + 1);
      if (offset >= count) {
        EXPECT_TRUE(seek.past_end);
        continue;
      }
      ASSERT_FALSE(seek.past_end);
      // The row at `offset` newest-first is the row at seek.offset of [from, seek.to].
      const auto& all = reader.starts();
      const auto newest = std::upper_bound(all.begin(), all.end(), to);
      const UnixMicros wanted = *(newest - 1 - offset);
      const auto narrowed = std::upper_bound(all.begin(), all.end(), seek.to);
      EXPECT_EQ(*(narrowed - 1 - seek.offset), wanted);
      EXPECT_LE(seek.offset, reader.exact_count(seek.to - bucket_width(finest), seek.to));
    }
  }
}

TEST(RecordPosition, TieBreaksFollowIdsAndSpreadWhenFull) {
  using sqlite::Tied;
  EXPECT_EQ(sqlite::tie_between({}, "m"), 511);
  const std::vector<Tied> group = {{100, "b"}, {101, "d"}, {900, "f"}};
  EXPECT_EQ(sqlite::tie_between(group, "a"), 49);
  EXPECT_EQ(sqlite::tie_between(group, "c"), std::nullopt);  // no room between 100 and 101
  EXPECT_EQ(sqlite::tie_between(group, "e"), 500);
  EXPECT_EQ(sqlite::tie_between(group, "g"), 962);
  const std::vector<std::int64_t> spread = sqlite::spread_ties(4);
  EXPECT_EQ(spread, (std::vector<std::int64_t>{204, 409, 614, 819}));
  const std::vector<std::int64_t> full = sqlite::spread_ties(1023);
  EXPECT_TRUE(std::adjacent_find(full.begin(), full.end(), std::greater_equal<>()) == full.end());
}

TEST(RecordPosition, RecentStartsRemembersEveryRowItHasNotForgottenAbout) {
  sqlite::RecentStarts recent(4);
  recent.track_after(1000);
  EXPECT_TRUE(recent.may_have_rows(1000));   // in the database already
  EXPECT_FALSE(recent.may_have_rows(1001));  // newer than everything
  for (const UnixMicros start : {1001, 1005, 1003, 1010}) {
    recent.add(start);
  }
  EXPECT_TRUE(recent.may_have_rows(1005));
  EXPECT_FALSE(recent.may_have_rows(1004));
  for (const UnixMicros start : {1020, 1021, 1022, 1023, 1024}) {
    recent.add(start);  // the first generation is forgotten on the way
  }
  EXPECT_EQ(recent.tracked_from(), 1011);
  EXPECT_TRUE(recent.may_have_rows(1005));   // forgotten: must be looked up
  EXPECT_TRUE(recent.may_have_rows(1022));
  EXPECT_FALSE(recent.may_have_rows(1015));
}

}  // namespace
}  // namespace aibridge::recorder
