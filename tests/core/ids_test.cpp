#include "core/ids.hpp"

#include <set>

#include <gtest/gtest.h>

#include "core/time.hpp"

namespace aibridge::core {
namespace {

TEST(Uuid, NewIdsAreCanonicalVersion7UniqueAndIncreasing) {
  std::set<std::string> seen;
  std::string previous;
  // More than the 4,096 a millisecond's counter holds: the ids still increase.
  for (int i = 0; i < 20000; ++i) {
    const std::string id = new_uuid();
    ASSERT_EQ(id.size(), 36U);
    EXPECT_EQ(id[14], '7');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);  // RFC 4122 variant
    EXPECT_EQ(parse_uuid(id), id);
    EXPECT_TRUE(seen.insert(id).second);
    ASSERT_GT(id, previous);  // one thread's ids increase
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

TEST(Uuid, IdsMadeAtAMicrosecondCarryIt) {
  std::set<std::string> seen;
  for (const std::int64_t micros : {std::int64_t{0}, std::int64_t{999}, std::int64_t{1'000},
                                    std::int64_t{1'764'000'000'123'456}, now_micros()}) {
    for (int i = 0; i < 50; ++i) {
      const std::string id = new_uuid_at(micros);
      EXPECT_EQ(id[14], '7');
      EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
      EXPECT_EQ(uuid_micros(uuid_to_bytes(id)), micros) << id;
      EXPECT_TRUE(seen.insert(id).second);
    }
  }
  EXPECT_EQ(uuid_micros(uuid_to_bytes("3f1c2a4b-5d6e-4f70-8192-a3b4c5d6e7f8")), std::nullopt);
  // Version 7 with a sub-millisecond field past 999 (an id from another generator).
  EXPECT_EQ(uuid_micros(uuid_to_bytes("01890a5d-ac96-7fff-8192-a3b4c5d6e7f8")), std::nullopt);
}

TEST(Uuid, DerivedIdsAreDistinctStableUuids) {
  const std::string parent = new_uuid_at(now_micros());
  const DerivedIds ids(parent);
  ASSERT_TRUE(ids.valid());
  std::set<std::string> seen{parent};
  for (unsigned kind = 0; kind < 4; ++kind) {
    for (unsigned index = 0; index < 300; ++index) {
      const std::string child = ids.make(kind, index);
      EXPECT_EQ(parse_uuid(child), child);
      EXPECT_EQ(child.substr(0, 28), parent.substr(0, 28));  // time, version, variant kept
      EXPECT_EQ(DerivedIds(parent).make(kind, index), child);
      EXPECT_TRUE(ids.matches(child, kind, index));
      EXPECT_FALSE(ids.matches(child, kind, index + 1));
      EXPECT_FALSE(ids.matches(child, kind + 1, index));
      EXPECT_TRUE(seen.insert(child).second) << kind << " " << index;
    }
  }
  EXPECT_FALSE(DerivedIds("not-a-uuid").valid());
  EXPECT_EQ(DerivedIds("3F1C2A4B-5D6E-4F70-8192-A3B4C5D6E7F8").make(0, 0), "");
  EXPECT_FALSE(ids.matches(new_uuid(), 0, 0));
}

TEST(Uuid, BytesRoundTripAndRejectNonCanonicalText) {
  const std::string id = new_uuid();
  const std::string bytes = uuid_to_bytes(id);
  ASSERT_EQ(bytes.size(), 16U);
  EXPECT_EQ(uuid_from_bytes(bytes), id);
  EXPECT_EQ(uuid_to_bytes("3f1c2a4b-5d6e-4f70-8192-a3b4c5d6e7f8"),
            std::string("\x3f\x1c\x2a\x4b\x5d\x6e\x4f\x70\x81\x92\xa3\xb4\xc5\xd6\xe7\xf8", 16));
  EXPECT_EQ(uuid_to_bytes("3f1c2a4b5d6e4f708192a3b4c5d6e7f8"), "");
  EXPECT_EQ(uuid_to_bytes("3f1c2a4b-5d6e-4f70-8192-a3b4c5d6e7fg"), "");
  EXPECT_EQ(uuid_from_bytes("short"), "");
}

}  // namespace
}  // namespace aibridge::core
