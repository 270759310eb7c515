#include "proxy/routing.hpp"

#include <gtest/gtest.h>

namespace aibridge::proxy {
namespace {

using boost::beast::http::verb;

struct Case {
  verb method;
  const char* target;
  RouteKind kind;
  bool allowed;
  Provider provider;
  const char* upstream_path;
};

TEST(Routing, Table) {
  const Case cases[] = {
      {verb::post, "/api/v2/aibridge/openai/v1/chat/completions", RouteKind::kBridge, true,
       Provider::kOpenAi, "/chat/completions"},
      {verb::post, "/openai/v1/chat/completions", RouteKind::kBridge, true, Provider::kOpenAi,
       "/chat/completions"},
      {verb::get, "/openai/v1/chat/completions", RouteKind::kBridge, false, Provider::kOpenAi,
       "/chat/completions"},
      {verb::post, "/api/v2/aibridge/openai/v1/responses", RouteKind::kBridge, true,
       Provider::kOpenAi, "/responses"},
      {verb::get, "/openai/v1/responses/resp_123", RouteKind::kPassthrough, true, Provider::kOpenAi,
       "/responses/resp_123"},
      {verb::post, "/openai/v1/responses/resp_123/cancel", RouteKind::kPassthrough, true,
       Provider::kOpenAi, "/responses/resp_123/cancel"},
      {verb::get, "/openai/v1/responses/resp_1/input_items?limit=5", RouteKind::kPassthrough, true,
       Provider::kOpenAi, "/responses/resp_1/input_items?limit=5"},
      {verb::get, "/api/v2/aibridge/openai/v1/models", RouteKind::kPassthrough, true,
       Provider::kOpenAi, "/models"},
      {verb::get, "/openai/v1/models/gpt-4o", RouteKind::kPassthrough, true, Provider::kOpenAi,
       "/models/gpt-4o"},
      {verb::post, "/openai/v1/models", RouteKind::kPassthrough, false, Provider::kOpenAi,
       "/models"},
      {verb::post, "/openai/v1/conversations", RouteKind::kPassthrough, true, Provider::kOpenAi,
       "/conversations"},
      {verb::delete_, "/openai/v1/conversations/conv_1", RouteKind::kPassthrough, true,
       Provider::kOpenAi, "/conversations/conv_1"},
      {verb::post, "/api/v2/aibridge/anthropic/v1/messages?beta=true", RouteKind::kBridge, true,
       Provider::kAnthropic, "/v1/messages?beta=true"},
      {verb::post, "/anthropic/v1/messages", RouteKind::kBridge, true, Provider::kAnthropic,
       "/v1/messages"},
      {verb::post, "/anthropic/v1/messages/count_tokens?beta=true", RouteKind::kPassthrough, true,
       Provider::kAnthropic, "/v1/messages/count_tokens?beta=true"},
      {verb::get, "/api/v2/aibridge/anthropic/v1/models", RouteKind::kPassthrough, true,
       Provider::kAnthropic, "/v1/models"},
      {verb::get, "/anthropic/v1/models/claude-sonnet-4-0", RouteKind::kPassthrough, true,
       Provider::kAnthropic, "/v1/models/claude-sonnet-4-0"},
  };
  for (const Case& c : cases) {
    const Route route = match_route(c.method, c.target);
    EXPECT_EQ(route.kind, c.kind) << c.target;
    EXPECT_EQ(route.method_allowed, c.allowed) << c.target;
    EXPECT_EQ(route.provider, c.provider) << c.target;
    EXPECT_EQ(route.upstream_path, c.upstream_path) << c.target;
  }
}

TEST(Routing, BridgedEndpoints) {
  EXPECT_EQ(match_route(verb::post, "/openai/v1/chat/completions").endpoint,
            Endpoint::kChatCompletions);
  EXPECT_EQ(match_route(verb::post, "/openai/v1/responses").endpoint, Endpoint::kResponses);
  EXPECT_EQ(match_route(verb::post, "/anthropic/v1/messages").endpoint, Endpoint::kMessages);
}

TEST(Routing, OperationsAndTheAdminPrefixes) {
  EXPECT_EQ(match_route(verb::get, "/healthz").kind, RouteKind::kHealthz);
  EXPECT_EQ(match_route(verb::get, "/readyz").kind, RouteKind::kReadyz);
  EXPECT_EQ(match_route(verb::get, "/metrics").kind, RouteKind::kMetrics);
  EXPECT_FALSE(match_route(verb::post, "/metrics").method_allowed);
  // Everything else below the admin prefixes is api/'s to route, whatever the method.
  for (const char* target :
       {"/api/v2/aibridge/interceptions?limit=5", "/api/v2/aibridge/interceptions/x",
        "/api/experimental/aibridge/interceptions",
        "/api/v2/api/experimental/aibridge/log-requests", "/api/v2/aibridge/nothing-here", "/",
        "/console", "/console/app.js"}) {
    const Route route = match_route(verb::delete_, target);
    EXPECT_EQ(route.kind, RouteKind::kAdmin) << target;
    EXPECT_TRUE(route.method_allowed) << target;
  }
}

TEST(Routing, UnknownPathsAreNotFound) {
  for (const char* target :
       {"/openai", "/openai/v1", "/openai/v1/", "/openai/v1/completions", "/openai/v2/models",
        "/anthropic/v1/complete", "/anthropic/v1/messages/", "/anthropic/v1/models_x",
        "/api/v2/aibridge", "/api/v2/aibridge/openai/v1/embeddings",
        "/api/v2/aibridge/anthropic/v1/complete", "/healthz/extra", "/consoles",
        "/openai/v1/chat/completions/x", "//openai/v1/models"}) {
    EXPECT_EQ(match_route(verb::get, target).kind, RouteKind::kNotFound) << target;
  }
}

}  // namespace
}  // namespace aibridge::proxy
