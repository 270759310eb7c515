#include "api/usage_json.hpp"

#include <algorithm>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace aibridge::api {
namespace {

namespace json = boost::json;
using recorder::FacetKey;
using recorder::Usage;

// Sums of facets per day, as a store gives them (facets sorted).
struct Sum {
  FacetKey facet;
  std::int64_t day;
  Usage usage;
};

recorder::UsageSums sums_of(const std::vector<Sum>& listed) {
  recorder::UsageSums sums;
  for (const Sum& sum : listed) {
    sums.facets.push_back(sum.facet);
  }
  std::sort(sums.facets.begin(), sums.facets.end());
  sums.facets.erase(std::unique(sums.facets.begin(), sums.facets.end()), sums.facets.end());
  for (const Sum& sum : listed) {
    const auto place = std::lower_bound(sums.facets.begin(), sums.facets.end(), sum.facet);
    sums.entries.push_back(
        {static_cast<std::size_t>(place - sums.facets.begin()), sum.day, sum.usage});
  }
  return sums;
}

constexpr std::int64_t kDec1 = 20423;  // 2025-12-01 as days since 1970-01-01

QueryParams group_by(const char* value) {
  return {{"group_by", {value}}};
}

TEST(UsageGroupBy, DayByDefaultOneOrTwoKnownDimensions) {
  EXPECT_EQ(std::get<std::vector<UsageDimension>>(parse_group_by({})),
            std::vector{UsageDimension::kDay});
  EXPECT_EQ(std::get<std::vector<UsageDimension>>(parse_group_by(group_by("day,model"))),
            (std::vector{UsageDimension::kDay, UsageDimension::kModel}));
  EXPECT_EQ(std::get<std::vector<UsageDimension>>(parse_group_by(group_by("provider"))),
            std::vector{UsageDimension::kProvider});
  for (const char* bad : {"", "week", "day,", "day,day", "day,user,model", "Day"}) {
    const auto parsed = parse_group_by(group_by(bad));
    ASSERT_TRUE(std::holds_alternative<ApiError>(parsed)) << bad;
    EXPECT_EQ(std::get<ApiError>(parsed).status, 400U) << bad;
    EXPECT_EQ(std::get<ApiError>(parsed).validations.at(0).field, "group_by") << bad;
  }
  EXPECT_TRUE(std::holds_alternative<ApiError>(
      parse_group_by({{"group_by", {"day", "model"}}})));  // given twice
}

FacetKey facet(const char* user, const char* model, const char* client = "Codex") {
  return {user, "openai", model, client, recorder::Status::kCompleted};
}

json::value body(const std::vector<UsageDimension>& dimensions, const std::vector<Sum>& sums,
                 UsageRange range = {}, const std::map<std::string, recorder::User>& users = {}) {
  const auto made = usage_body(dimensions, sums_of(sums), users, range);
  EXPECT_TRUE(std::holds_alternative<std::string>(made));
  return json::parse(std::get<std::string>(made));
}

TEST(UsageBody, FacetsSumIntoTheirGroupsAndTheTotal) {
  const std::vector<Sum> sums{
      {facet("u1", "gpt-5"), kDec1, {2, 10, 20, 1, 2, 3}},
      {facet("u1", "gpt-5", "Cursor"), kDec1, {1, 5, 5, 0, 0, 1}},
      {facet("u2", "o3"), kDec1 + 1, {4, 100, 1, 0, 0, 0}},
  };
  EXPECT_EQ(body({UsageDimension::kModel}, sums), json::parse(R"({"group_by":["model"],"results":[
      {"model":"gpt-5","interceptions":3,"input_tokens":15,"output_tokens":25,
       "cache_read_input_tokens":1,"cache_write_input_tokens":2,"tool_calls":4},
      {"model":"o3","interceptions":4,"input_tokens":100,"output_tokens":1,
       "cache_read_input_tokens":0,"cache_write_input_tokens":0,"tool_calls":0}],
      "total":{"interceptions":7,"input_tokens":115,"output_tokens":26,
       "cache_read_input_tokens":1,"cache_write_input_tokens":2,"tool_calls":4}})"));
}

TEST(UsageBody, EveryDayOfTheRangeForEveryCombinationWithZeros) {
  const std::vector<Sum> sums{
      {facet("u1", "gpt-5"), kDec1 + 1, {1, 1, 0, 0, 0, 0}},
      {facet("u1", "o3"), kDec1 + 2, {1, 2, 0, 0, 0, 0}},
  };
  const json::value got =
      body({UsageDimension::kDay, UsageDimension::kModel}, sums, {kDec1, kDec1 + 2});
  std::vector<std::string> rows;
  for (const json::value& row : got.at("results").as_array()) {
    rows.push_back(std::string(row.at("day").as_string()) + " " +
                   std::string(row.at("model").as_string()) + " " +
                   std::to_string(row.at("input_tokens").as_int64()));
  }
  EXPECT_EQ(rows,
            (std::vector<std::string>{"2025-12-01 gpt-5 0", "2025-12-01 o3 0", "2025-12-02 gpt-5 1",
                                      "2025-12-02 o3 0", "2025-12-03 gpt-5 0", "2025-12-03 o3 2"}));
  // The order follows the dimensions' order.
  std::vector<std::string> model_first;
  const json::value by_model =
      body({UsageDimension::kModel, UsageDimension::kDay}, sums, {kDec1, kDec1 + 2});
  for (const json::value& row : by_model.at("results").as_array()) {
    model_first.push_back(std::string(row.at("model").as_string()) + " " +
                          std::string(row.at("day").as_string()));
  }
  EXPECT_EQ(model_first,
            (std::vector<std::string>{"gpt-5 2025-12-01", "gpt-5 2025-12-02", "gpt-5 2025-12-03",
                                      "o3 2025-12-01", "o3 2025-12-02", "o3 2025-12-03"}));
  // By day alone, a range with nothing in it still lists its days.
  EXPECT_EQ(body({UsageDimension::kDay}, {}, {kDec1, kDec1 + 1}).at("results").as_array().size(),
            2U);
  // Open ends stop at the first and last days with usage.
  EXPECT_EQ(body({UsageDimension::kDay}, sums).at("results").as_array().size(), 2U);
  EXPECT_EQ(body({UsageDimension::kDay}, {}).at("results").as_array().size(), 0U);
}

TEST(UsageBody, UsersAreNamedAndOrderedByUsername) {
  recorder::User zed{"u1", "zed", "Zed Z", "", "", recorder::Role::kMember, 1};
  recorder::User amy{"u2", "amy", "", "", "https://x/a.png", recorder::Role::kMember, 1};
  const std::vector<Sum> sums{
      {facet("u1", "m"), kDec1, {1, 0, 0, 0, 0, 0}},
      {facet("u2", "m"), kDec1, {1, 0, 0, 0, 0, 0}},
      {facet("gone", "m"), kDec1, {1, 0, 0, 0, 0, 0}},
  };
  const json::value got = body({UsageDimension::kUser}, sums, {}, {{"u1", zed}, {"u2", amy}});
  const json::array& rows = got.at("results").as_array();
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0].at("user"), json::parse(R"({"id":"gone","username":""})"));
  EXPECT_EQ(rows[1].at("user"),
            json::parse(R"({"id":"u2","username":"amy","avatar_url":"https://x/a.png"})"));
  EXPECT_EQ(rows[2].at("user"), json::parse(R"({"id":"u1","username":"zed","name":"Zed Z"})"));
}

TEST(UsageBody, ARangeOfMoreThanTenYearsIsRefused) {
  const auto made = usage_body({UsageDimension::kDay}, {}, {}, {0, kMaxUsageDays});
  ASSERT_TRUE(std::holds_alternative<ApiError>(made));
  EXPECT_EQ(std::get<ApiError>(made).status, 400U);
  EXPECT_TRUE(std::holds_alternative<std::string>(
      usage_body({UsageDimension::kDay}, {}, {}, {0, kMaxUsageDays - 1})));
  // Without days nothing is listed per day: any range will do.
  EXPECT_TRUE(std::holds_alternative<std::string>(
      usage_body({UsageDimension::kModel}, {}, {}, {0, 10 * kMaxUsageDays})));
}

}  // namespace
}  // namespace aibridge::api
