#include "proxy/errors.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace aibridge::proxy {
namespace {

namespace json = boost::json;

TEST(ProviderErrors, AnthropicShape) {
  const json::value body = json::parse(
      provider_error_body(Provider::kAnthropic, ErrorKind::kAuthentication, "nope \"x\""));
  EXPECT_EQ(body.at("type").as_string(), "error");
  EXPECT_EQ(body.at("error").at("type").as_string(), "authentication_error");
  EXPECT_EQ(body.at("error").at("message").as_string(), "nope \"x\"");
}

TEST(ProviderErrors, OpenAiShape) {
  const json::value body =
      json::parse(provider_error_body(Provider::kOpenAi, ErrorKind::kAuthentication, "nope"));
  EXPECT_EQ(body.at("error").at("message").as_string(), "nope");
  EXPECT_EQ(body.at("error").at("type").as_string(), "invalid_request_error");
  EXPECT_EQ(body.at("error").at("code").as_string(), "invalid_api_key");
}

TEST(ProviderErrors, StatusesFollowTheSpec) {
  EXPECT_EQ(error_status(ErrorKind::kAuthentication), 401U);
  EXPECT_EQ(error_status(ErrorKind::kInvalidRequest), 400U);
  EXPECT_EQ(error_status(ErrorKind::kTooLarge), 413U);
  EXPECT_EQ(error_status(ErrorKind::kUpstreamFailed), 502U);
  EXPECT_EQ(error_status(ErrorKind::kUpstreamTimeout), 504U);
}

TEST(ProviderErrors, StreamErrorsAreSseEventsClientsUnderstand) {
  const std::string anthropic = provider_stream_error(Provider::kAnthropic, "broken");
  ASSERT_TRUE(anthropic.starts_with("event: error\ndata: "));
  ASSERT_TRUE(anthropic.ends_with("\n\n"));
  EXPECT_EQ(json::parse(anthropic.substr(19)).at("error").at("message").as_string(), "broken");
  const std::string openai = provider_stream_error(Provider::kOpenAi, "broken");
  ASSERT_TRUE(openai.starts_with("data: {\"error\":"));
  EXPECT_EQ(json::parse(openai.substr(6)).at("error").at("message").as_string(), "broken");
}

TEST(MessageBody, CoderShape) {
  EXPECT_EQ(message_body("Nope."), R"({"message":"Nope."})");
  EXPECT_EQ(message_body("Nope.", "because"), R"({"message":"Nope.","detail":"because"})");
}

}  // namespace
}  // namespace aibridge::proxy
