#include "api/search_query.hpp"

#include <gtest/gtest.h>

#include "api/query_params.hpp"

namespace aibridge::api {
namespace {

SearchTerms ok(std::string_view q) {
  auto result = parse_search(q);
  EXPECT_TRUE(std::holds_alternative<SearchTerms>(result)) << q;
  return std::holds_alternative<SearchTerms>(result) ? std::get<SearchTerms>(result)
                                                     : SearchTerms{};
}

std::vector<Validation> errors(std::string_view q) {
  auto result = parse_search(q);
  EXPECT_TRUE(std::holds_alternative<std::vector<Validation>>(result)) << q;
  return std::holds_alternative<std::vector<Validation>>(result)
             ? std::get<std::vector<Validation>>(result)
             : std::vector<Validation>{};
}

TEST(SearchQuery, EmptyAndBlankMeanNoFilter) {
  for (const char* q : {"", " ", "   "}) {
    const SearchTerms terms = ok(q);
    EXPECT_FALSE(terms.initiator || terms.provider || terms.model || terms.started_after ||
                 terms.started_before);
  }
}

TEST(SearchQuery, KeysAreCaseInsensitiveValuesExact) {
  const SearchTerms terms = ok("Provider:openai  MODEL:GPT-4o initiator:Alice");
  EXPECT_EQ(terms.provider, "openai");
  EXPECT_EQ(terms.model, "GPT-4o");
  EXPECT_EQ(terms.initiator, "Alice");
}

TEST(SearchQuery, ClientAndStatusFilterTooAndAStatusMustBeKnown) {
  const SearchTerms terms = ok(R"(client:"Claude Code" status:failed)");
  EXPECT_EQ(terms.client, "Claude Code");
  EXPECT_EQ(terms.status, recorder::Status::kFailed);
  const auto bad = parse_search("status:done");
  ASSERT_TRUE(std::holds_alternative<std::vector<Validation>>(bad));
  EXPECT_EQ(std::get<std::vector<Validation>>(bad).at(0).field, "status");
}

TEST(SearchQuery, QuotesGroupAndAllowColons) {
  const SearchTerms terms = ok(
      R"(started_after:"2025-10-01T00:00:00Z" started_before:"2025-10-02t00:00:00.5z" model:"a b")");
  EXPECT_EQ(terms.started_after, core::parse_rfc3339("2025-10-01T00:00:00Z"));
  EXPECT_EQ(terms.started_before, core::parse_rfc3339("2025-10-02T00:00:00.5Z"));
  EXPECT_EQ(terms.model, "a b");
}

TEST(SearchQuery, BareWordsAreOneInitiator) {
  EXPECT_EQ(ok("alice").initiator, "alice");
  EXPECT_EQ(ok("alice bob provider:x").initiator, "alice bob");
  EXPECT_EQ(ok(R"("alice")").initiator, "alice");
  EXPECT_FALSE(ok(R"(initiator:"")").initiator.has_value());  // key:"" filters nothing
}

TEST(SearchQuery, EveryProblemIsListed) {
  const auto problems = errors(
      R"(:x y: a:b:c foo:1 bar:2 provider:a provider:b started_after:nope started_before:"2020-01-01T00:00:00Z")");
  const std::vector<Validation> expected = {
      {"q", R"(Query element ":x" cannot start or end with ':')"},
      {"q", R"(Query element "y:" cannot start or end with ':')"},
      {"q", R"(Query element "a:b:c" can only contain 1 ':')"},
      {"provider",
       R"(Query param "provider" provided more than once, found 2 times. Only provide 1 instance of this query param.)"},
      {"started_after",
       R"(Query param "started_after" must be a valid date format (2006-01-02T15:04:05.999999999Z07:00): parsing time "nope" failed)"},
      {"bar", R"("bar" is not a valid query param)"},
      {"foo", R"("foo" is not a valid query param)"},
  };
  EXPECT_EQ(problems, expected);
}

TEST(SearchQuery, UnquotedTimesHaveTooManyColons) {
  const auto problems = errors("started_after:2025-10-01T00:00:00Z");
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_EQ(problems[0].field, "q");
}

TEST(SearchQuery, RangeMustBeIncreasing) {
  for (const char* q :
       {R"(started_after:"2025-10-02T00:00:00Z" started_before:"2025-10-01T00:00:00Z")",
        R"(started_after:"2025-10-01T00:00:00Z" started_before:"2025-10-01T00:00:00Z")"}) {
    const auto problems = errors(q);
    ASSERT_EQ(problems.size(), 1U) << q;
    EXPECT_EQ(problems[0].field, "started_before");
  }
}

TEST(SearchQuery, DuplicateInitiatorFromABareWord) {
  const auto problems = errors("alice initiator:bob");
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_EQ(problems[0].field, "initiator");
}

TEST(SearchQuery, SqlInjectionIsJustAValue) {
  EXPECT_EQ(ok(R"(model:"x' OR '1'='1")").model, "x' OR '1'='1");
  EXPECT_EQ(ok("provider:openai';DROP").provider, "openai';DROP");
}

TEST(SplitOutsideQuotes, BehavesLikeGoFieldsFunc) {
  EXPECT_EQ(split_outside_quotes("  a  b ", ' '), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split_outside_quotes(R"(a "b c" d)", ' '),
            (std::vector<std::string>{"a", R"("b c")", "d"}));
  EXPECT_EQ(split_outside_quotes(R"(a "b c d)", ' '), (std::vector<std::string>{"a", R"("b c d)"}));
  EXPECT_EQ(split_outside_quotes("k::v", ':'), (std::vector<std::string>{"k", "v"}));
}

TEST(DecodeQuery, PercentAndPlus) {
  const auto params =
      decode_query("/x?q=provider%3Aopenai+model:%22a%20b%22&limit=5&limit=6&e=&flag");
  ASSERT_TRUE(params.has_value());
  EXPECT_EQ(params->at("q"), (std::vector<std::string>{R"(provider:openai model:"a b")"}));
  EXPECT_EQ(params->at("limit"), (std::vector<std::string>{"5", "6"}));
  EXPECT_EQ(params->at("e"), (std::vector<std::string>{""}));
  EXPECT_EQ(params->at("flag"), (std::vector<std::string>{""}));
  EXPECT_TRUE(decode_query("/x")->empty());
  EXPECT_FALSE(decode_query("/x?q=%zz").has_value());
}

}  // namespace
}  // namespace aibridge::api

namespace aibridge::api {
namespace {

TEST(DecodeQuery, MalformedEscapesAndEdges) {
  for (const char* bad : {"/x?a=%", "/x?a=%4", "/x?a=%g0", "/x?%zz=1"}) {
    EXPECT_FALSE(decode_query(bad).has_value()) << bad;
  }
  const auto params = decode_query("/x?&&a=1&=2&b=%41%2b");
  ASSERT_TRUE(params.has_value());
  EXPECT_EQ(params->at("a"), (std::vector<std::string>{"1"}));
  EXPECT_EQ(params->at(""), (std::vector<std::string>{"2"}));
  EXPECT_EQ(params->at("b"), (std::vector<std::string>{"A+"}));
}

}  // namespace
}  // namespace aibridge::api
