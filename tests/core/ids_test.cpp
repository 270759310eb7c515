#include "core/ids.hpp"

#include <set>

#include <gtest/gtest.h>

namespace aibridge::core {
namespace {

TEST(Uuid, NewIdsAreCanonicalVersion7UniqueAndIncreasing) {
  std::set<std::string> seen;
  std::string previous;
  for (int i = 0; i < 5000; ++i) {
    const std::string id = new_uuid();
    ASSERT_EQ(id.size(), 36U);
    EXPECT_EQ(id[14], '7');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);  // RFC 4122 variant
    EXPECT_EQ(parse_uuid(id), id);
    EXPECT_TRUE(seen.insert(id).second);
    EXPECT_GT(id, previous);  // one thread's ids increase (the sequence outruns 4096 per ms rarely)
    previous = id;
  }
}

TEST(Uuid, ParseAcceptsGoForms) {
  const std::string canonical = "3f1c2a4b-5d6e-4f70-8192-a3b4c5d6e7f8";
  EXPECT_EQ(parse_uuid("3F1C2A4B-5D6E-4F70-8192-A3B4C5D6E7F8"), canonical);
  EXPECT_EQ(parse_uuid("3f1c2a4b5d6e4f708192a3b4c5d6e7f8"), canonical);
  EXPECT_EQ(parse_uuid("{3f1c2a4b-5d6e-4f70-8192-a3b4c5d6e7f8}"), canonical);
  EXPECT_EQ(parse_uuid("urn:uuid:3f1c2a4b-5d6e-4f70-8192-a3b4c5d6e7f8"), canonical);
}

TEST(Uuid, ParseRejectsMalformed) {
  for (const char* bad : {"", "not-a-uuid", "3f1c2a4b-5d6e-4f70-8192-a3b4c5d6e7f",
                          "3f1c2a4b-5d6e-4f70-8192-a3b4c5d6e7fg",
                          "3f1c2a4b5d6e-4f70-8192-a3b4c5d6e7f8a", "'; DROP TABLE users; --"}) {
    EXPECT_FALSE(parse_uuid(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace aibridge::core
