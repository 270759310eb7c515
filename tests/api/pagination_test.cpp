#include "api/pagination.hpp"

#include <gtest/gtest.h>

namespace aibridge::api {
namespace {

std::variant<Pagination, ApiError> parse(const std::string& query) {
  return parse_pagination(*decode_query("/x?" + query));
}

TEST(Pagination, Defaults) {
  const Pagination none = std::get<Pagination>(parse(""));
  EXPECT_EQ(none.limit, 100);
  EXPECT_EQ(none.offset, 0);
  EXPECT_FALSE(none.after_id.has_value());
  EXPECT_EQ(std::get<Pagination>(parse("limit=0")).limit, 100);
  EXPECT_EQ(std::get<Pagination>(parse("limit=")).limit, 100);  // empty counts as absent
  EXPECT_EQ(std::get<Pagination>(parse("limit=1000&offset=5")).offset, 5);
  EXPECT_EQ(std::get<Pagination>(parse("after_id=3F1C2A4B5D6E4F708192A3B4C5D6E7F8")).after_id,
            "3f1c2a4b-5d6e-4f70-8192-a3b4c5d6e7f8");
  EXPECT_FALSE(
      std::get<Pagination>(parse("after_id=00000000-0000-0000-0000-000000000000")).after_id);
  EXPECT_TRUE(std::holds_alternative<Pagination>(
      parse("after_id=3f1c2a4b-5d6e-4f70-8192-a3b4c5d6e7f8&offset=0")));
}

TEST(Pagination, Errors) {
  struct Case {
    const char* query;
    const char* message;
    std::vector<std::string> fields;
    const char* detail;
  };
  const Case cases[] = {
      {"limit=abc", "Query parameters have invalid values.", {"limit"}, ""},
      {"limit=-1", "Query parameters have invalid values.", {"limit"}, ""},
      {"limit=1.5", "Query parameters have invalid values.", {"limit"}, ""},
      {"offset=99999999999", "Query parameters have invalid values.", {"offset"}, ""},
      {"limit=1&limit=2", "Query parameters have invalid values.", {"limit"}, ""},
      {"after_id=nope&limit=x&offset=-2",
       "Query parameters have invalid values.",
       {"after_id", "limit", "offset"},
       ""},
      {"limit=1001",
       "Invalid pagination limit value.",
       {},
       "Pagination limit must be in range (0, 1000]"},
      {"after_id=3f1c2a4b-5d6e-4f70-8192-a3b4c5d6e7f8&offset=1",
       "Query parameters have invalid values.",
       {},
       "Cannot use both after_id and offset pagination in the same request."},
  };
  for (const Case& c : cases) {
    const auto result = parse(c.query);
    ASSERT_TRUE(std::holds_alternative<ApiError>(result)) << c.query;
    const ApiError& error = std::get<ApiError>(result);
    EXPECT_EQ(error.status, 400U);
    EXPECT_EQ(error.message, c.message) << c.query;
    EXPECT_EQ(error.detail, c.detail) << c.query;
    std::vector<std::string> fields;
    for (const Validation& validation : error.validations) {
      fields.push_back(validation.field);
    }
    EXPECT_EQ(fields, c.fields) << c.query;
  }
}

TEST(Pagination, ASessionCursorIsAnyIdAClientMaySend) {
  const auto session = [](const std::string& query) {
    return parse_pagination(*decode_query("/x?" + query), CursorKind::kSession);
  };
  EXPECT_EQ(std::get<Pagination>(session("after_id=claude%20session%2F1")).after_id,
            "claude session/1");
  EXPECT_EQ(std::get<Pagination>(session("after_id=" + std::string(256, 'x'))).after_id,
            std::string(256, 'x'));
  const auto too_long = session("after_id=" + std::string(257, 'x'));
  ASSERT_TRUE(std::holds_alternative<ApiError>(too_long));
  EXPECT_EQ(std::get<ApiError>(too_long).validations.at(0).field, "after_id");
  EXPECT_TRUE(std::holds_alternative<ApiError>(session("after_id=a&offset=3")));
  // An interception cursor is still a UUID.
  EXPECT_TRUE(std::holds_alternative<ApiError>(parse("after_id=claude")));
}

TEST(PathSegment, EscapesAreDecodedAndPlusStaysAPlus) {
  EXPECT_EQ(decode_path_segment("a%20b+c%2Fd"), "a b+c/d");
  EXPECT_EQ(decode_path_segment("plain"), "plain");
  EXPECT_FALSE(decode_path_segment("bad%2"));
  EXPECT_FALSE(decode_path_segment("bad%zz"));
}

TEST(ErrorBody, CoderShape) {
  EXPECT_EQ(error_body({400, "Bad.", "", {}}), R"({"message":"Bad."})");
  EXPECT_EQ(error_body({400, "Bad.", "why", {{"limit", "no"}}}),
            R"({"message":"Bad.","detail":"why","validations":[{"field":"limit","detail":"no"}]})");
}

}  // namespace
}  // namespace aibridge::api
