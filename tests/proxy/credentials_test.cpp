#include "proxy/credentials.hpp"

#include <gtest/gtest.h>

namespace aibridge::proxy {
namespace {

namespace http = boost::beast::http;

http::fields headers(std::initializer_list<std::pair<const char*, const char*>> list) {
  http::fields fields;
  for (const auto& [name, value] : list) {
    fields.insert(name, value);
  }
  return fields;
}

TEST(ProviderRouteToken, AcceptsTheThreeHeaders) {
  EXPECT_EQ(provider_route_token(headers({{"Authorization", "Bearer tok"}})), "tok");
  EXPECT_EQ(provider_route_token(headers({{"authorization", "bearer  tok "}})), "tok");
  EXPECT_EQ(provider_route_token(headers({{"X-Api-Key", "tok"}})), "tok");
  EXPECT_EQ(provider_route_token(headers({{"Coder-Session-Token", "tok"}})), "tok");
  EXPECT_FALSE(provider_route_token(headers({})).has_value());
  EXPECT_FALSE(provider_route_token(headers({{"Authorization", "Basic abc"}})).has_value());
  EXPECT_FALSE(provider_route_token(headers({{"Authorization", "Bearer"}})).has_value());
  EXPECT_FALSE(provider_route_token(headers({{"X-Api-Key", "  "}})).has_value());
}

TEST(AdminRouteToken, AcceptsHeaderCookieQueryAndBearer) {
  EXPECT_EQ(admin_route_token(headers({{"Coder-Session-Token", "a"}}), "/x"), "a");
  EXPECT_EQ(admin_route_token(headers({{"Cookie", "theme=dark; coder_session_token=b"}}), "/x"),
            "b");
  EXPECT_EQ(admin_route_token(headers({}), "/x?limit=1&coder_session_token=c"), "c");
  EXPECT_EQ(admin_route_token(headers({{"Authorization", "Bearer d"}}), "/x"), "d");
  EXPECT_FALSE(admin_route_token(headers({{"X-Api-Key", "e"}}), "/x").has_value());
  EXPECT_FALSE(admin_route_token(headers({}), "/x?coder_session_token=").has_value());
}

}  // namespace
}  // namespace aibridge::proxy
