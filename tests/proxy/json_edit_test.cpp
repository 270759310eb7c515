#include "proxy/json_edit.hpp"

#include <simdjson.h>

#include <gtest/gtest.h>

namespace aibridge::proxy {
namespace {

TEST(ObjectMembers, FindsTopLevelMembersOnly) {
  const std::string json =
      R"( { "a" : 1, "b":{"a":2,"s":"x\"}y"}, "c":[1,{"d":3}], "e":"}", "f":null , "g":true} )";
  const auto members = object_members(json);
  ASSERT_EQ(members.size(), 6U);
  const char* keys[] = {"a", "b", "c", "e", "f", "g"};
  const char* values[] = {"1",   R"({"a":2,"s":"x\"}y"})", R"([1,{"d":3}])", R"("}")", "null",
                          "true"};
  for (std::size_t i = 0; i < members.size(); ++i) {
    EXPECT_EQ(members[i].key, keys[i]);
    EXPECT_EQ(json.substr(members[i].value_begin, members[i].value_end - members[i].value_begin),
              values[i]);
  }
  EXPECT_TRUE(object_members("[1]").empty());
  EXPECT_TRUE(object_members("{}").empty());
}

TEST(WithIncludeUsage, EditsOnlyWhatItMust) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"model":"m","stream":true})",
       R"({"stream_options":{"include_usage":true},"model":"m","stream":true})"},
      {R"({})", R"({"stream_options":{"include_usage":true}})"},
      {R"( { } )", R"( {"stream_options":{"include_usage":true}} )"},
      {R"({"stream_options":{"include_usage":false},"stream":true})",
       R"({"stream_options":{"include_usage":true},"stream":true})"},
      {R"({"stream_options": { "include_usage" : false , "x":1 }})",
       R"({"stream_options": { "include_usage" : true , "x":1 }})"},
      {R"({"stream_options":{"x":1}})", R"({"stream_options":{"include_usage":true,"x":1}})"},
      {R"({"stream_options":{ }})", R"({"stream_options":{"include_usage":true}})"},
      {R"({"stream_options":null})", R"({"stream_options":{"include_usage":true}})"},
      {R"({"stream_options":"on"})", R"({"stream_options":{"include_usage":true}})"},
      // Duplicates: whichever one the provider reads, it asks for usage.
      {R"({"stream_options":{"include_usage":false},"stream_options":null})",
       R"({"stream_options":{"include_usage":true},"stream_options":{"include_usage":true}})"},
      // A nested member of the same name is not the top-level one.
      {R"({"metadata":{"stream_options":1}})",
       R"({"stream_options":{"include_usage":true},"metadata":{"stream_options":1}})"},
  };
  simdjson::dom::parser parser;
  for (const auto& [input, expected] : cases) {
    const std::string output = with_include_usage(input);
    EXPECT_EQ(output, expected) << input;
    EXPECT_EQ(parser.parse(output).error(), simdjson::SUCCESS) << output;  // still valid JSON
  }
}

TEST(WithIncludeUsage, LeavesUnicodeAndLargeBodiesByteIdentical) {
  std::string messages(200000, 'x');
  const std::string input =
      "{\"messages\":[{\"role\":\"user\",\"content\":\"h\\u00e9llo \xf0\x9f\x8c\x8d " + messages +
      "\"}],\"stream\":true}";
  const std::string output = with_include_usage(input);
  const std::string prefix = R"({"stream_options":{"include_usage":true},)";
  ASSERT_TRUE(output.starts_with(prefix));
  EXPECT_EQ(output.substr(prefix.size()), input.substr(1));
}

}  // namespace
}  // namespace aibridge::proxy
