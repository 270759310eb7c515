#include "core/units.hpp"

#include <gtest/gtest.h>

namespace aibridge::core {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, AcceptsEveryUnitAndCombinations) {
  std::string error;
  EXPECT_EQ(parse_duration("0", error), milliseconds(0));
  EXPECT_EQ(parse_duration("250ms", error), milliseconds(250));
  EXPECT_EQ(parse_duration("30s", error), milliseconds(30'000));
  EXPECT_EQ(parse_duration("5m", error), milliseconds(300'000));
  EXPECT_EQ(parse_duration("720h", error), milliseconds(720LL * 3'600'000));
  EXPECT_EQ(parse_duration("60d", error), milliseconds(60LL * 86'400'000));
  EXPECT_EQ(parse_duration("1h30m", error), milliseconds(5'400'000));
  EXPECT_EQ(parse_duration("1m1s1ms", error), milliseconds(61'001));
}

TEST(ParseDuration, RejectsWithAReason) {
  for (const char* bad :
       {"", "5", "5x", "s", "1.5h", "-1s", "1h 30m", "10S", "99999999999999999d"}) {
    std::string error;
    EXPECT_FALSE(parse_duration(bad, error).has_value()) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(FormatDuration, RoundTrips) {
  std::string error;
  for (const char* text : {"0", "250ms", "30s", "1h30m", "60d", "1d1h1m1s1ms"}) {
    EXPECT_EQ(format_duration(*parse_duration(text, error)), text);
  }
}

TEST(ParseSize, AcceptsBytesAndUnits) {
  std::string error;
  EXPECT_EQ(parse_size("65536", error), 65536U);
  EXPECT_EQ(parse_size("64KiB", error), 65536U);
  EXPECT_EQ(parse_size("32MiB", error), 32U << 20);
  EXPECT_EQ(parse_size("1gib", error), 1U << 30);
  EXPECT_EQ(parse_size("2KB", error), 2000U);
  EXPECT_EQ(parse_size("3MB", error), 3'000'000U);
  EXPECT_EQ(parse_size("7B", error), 7U);
}

TEST(ParseSize, RejectsWithAReason) {
  for (const char* bad : {"", "MiB", "12XB", "-1", "1.5MiB", "99999999999999999999"}) {
    std::string error;
    EXPECT_FALSE(parse_size(bad, error).has_value()) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

}  // namespace
}  // namespace aibridge::core
