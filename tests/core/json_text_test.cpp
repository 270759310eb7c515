#include "core/json_text.hpp"

#include <random>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace aibridge::core {
namespace {

TEST(JsonText, StringsAreEscapedAsRfc8259Requires) {
  std::string out;
  append_json_string(out, "plain");
  EXPECT_EQ(out, R"("plain")");
  out.clear();
  append_json_string(out, std::string("q\"b\\n\nr\rt\tz\x01\x1f\x7f\xc3\xa9", 16));
  EXPECT_EQ(out, "\"q\\\"b\\\\n\\nr\\rt\\tz\\u0001\\u001f\x7f\xc3\xa9\"");
  out.clear();
  append_json_int(out, -1234567890123);
  EXPECT_EQ(out, "-1234567890123");
}

// The word-at-a-time scan must find every byte that needs escaping wherever it sits in a word.
TEST(JsonText, EveryPositionAndByteRoundTripsThroughAJsonParser) {
  std::mt19937 random(5);
  for (int round = 0; round < 3000; ++round) {
    std::string text(random() % 40, 'a');
    for (char& c : text) {
      const int pick = static_cast<int>(random() % 8);
      c = pick == 0 ? static_cast<char>(random() % 0x20) : pick == 1 ? '"' : pick == 2 ? '\\'
          : pick == 3 ? static_cast<char>(0x20 + random() % 0x5f) : 'x';
    }
    std::string out = "[";
    append_json_string(out, text);
    out += "]";
    ASSERT_LE(out.size(), json_string_bound(text.size()) + 2);
    const boost::json::value parsed = boost::json::parse(out);
    ASSERT_EQ(std::string(parsed.as_array()[0].as_string()), text) << out;
  }
}

}  // namespace
}  // namespace aibridge::core
