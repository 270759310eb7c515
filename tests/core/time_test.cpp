#include "core/time.hpp"

#include <gtest/gtest.h>

namespace aibridge::core {
namespace {

TEST(FormatRfc3339, TrimsTrailingFractionZeros) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1'761'141'791'123'456), "2025-10-22T14:03:11.123456Z");
  EXPECT_EQ(format_rfc3339(1'761'141'791'120'000), "2025-10-22T14:03:11.12Z");
  EXPECT_EQ(format_rfc3339(1'761'141'791'000'000), "2025-10-22T14:03:11Z");
  EXPECT_EQ(format_rfc3339(1'761'141'791'000'001), "2025-10-22T14:03:11.000001Z");
}

TEST(ParseRfc3339, AcceptsZonesFractionsAndLowerCase) {
  EXPECT_EQ(parse_rfc3339("2025-10-22T14:03:11Z"), 1'761'141'791'000'000);
  EXPECT_EQ(parse_rfc3339("2025-10-22t14:03:11z"), 1'761'141'791'000'000);
  EXPECT_EQ(parse_rfc3339("2025-10-22T14:03:11.123456789Z"), 1'761'141'791'123'456);
  EXPECT_EQ(parse_rfc3339("2025-10-22T16:03:11+02:00"), 1'761'141'791'000'000);
  EXPECT_EQ(parse_rfc3339("2025-10-22T12:03:11.5-02:00"), 1'761'141'791'500'000);
}

TEST(ParseRfc3339, RejectsMalformed) {
  for (const char* bad : {"", "INVALID", "2025-10-22", "2025-10-22T14:03:11",
                          "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "2025-10-22T24:00:00Z",
                          "2025-10-22T14:03:11.Z", "2025-10-22T14:03:11+0200",
                          "2025-10-22T14:03:11Zjunk", "2025-10-22T14:03:11.1234567890Z"}) {
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
  }
}

TEST(FormatRfc3339, WritesEveryFieldAtItsWidth) {
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_rfc3339(951'782'400'000'000), "2000-02-29T00:00:00Z");  // a leap day
  EXPECT_EQ(format_rfc3339(253'402'300'799'999'999), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_rfc3339(-62'135'596'800'000'000), "0001-01-01T00:00:00Z");
  // Past year 9999 (no record has such a time, but a corrupt one must still print).
  EXPECT_EQ(format_rfc3339(253'402'300'800'000'000), "10000-01-01T00:00:00Z");
  std::string appended = "at ";
  append_rfc3339(appended, 1'761'141'791'100'000);
  EXPECT_EQ(appended, "at 2025-10-22T14:03:11.1Z");
}

TEST(Rfc3339, RoundTrips) {
  const UnixMicros now = now_micros();
  EXPECT_EQ(parse_rfc3339(format_rfc3339(now)), now);
  // Every digit position, across years, with and without fractions.
  std::uint64_t state = 0;
  for (int i = 0; i < 10'000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto micros = static_cast<UnixMicros>((state >> 7) % 253'402'300'800'000'000ULL);
    const std::string text = format_rfc3339(micros);
    EXPECT_EQ(parse_rfc3339(text), micros) << text;
  }
}

}  // namespace
}  // namespace aibridge::core
