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

TEST(AdminRouteToken, AcceptsHeaderCookieQueryAndBearerSayingWhichItWas) {
  using Source = CredentialSource;
  EXPECT_EQ(admin_route_token(headers({{"Coder-Session-Token", "a"}}), "/x"),
            (AdminCredential{"a", Source::kHeader}));
  EXPECT_EQ(admin_route_token(headers({{"Cookie", "theme=dark; coder_session_token=b"}}), "/x"),
            (AdminCredential{"b", Source::kCookie}));
  EXPECT_EQ(admin_route_token(headers({}), "/x?limit=1&coder_session_token=c"),
            (AdminCredential{"c", Source::kQuery}));
  EXPECT_EQ(admin_route_token(headers({{"Authorization", "Bearer d"}}), "/x"),
            (AdminCredential{"d", Source::kBearer}));
  EXPECT_EQ(
      admin_route_token(headers({{"Cookie", "coder_session_token=b; aibridge_session=e"}}), "/x"),
      (AdminCredential{"e", Source::kCookie}));  // the console's own first
  EXPECT_EQ(admin_route_token(headers({{"Cookie", "__Host-aibridge_session=f"}}), "/x"),
            (AdminCredential{"f", Source::kCookie}));
  // A header the client set wins over the cookie its browser adds by itself.
  EXPECT_EQ(admin_route_token(
                headers({{"Cookie", "coder_session_token=b"}, {"Coder-Session-Token", "a"}}), "/x"),
            (AdminCredential{"a", Source::kHeader}));
  EXPECT_FALSE(admin_route_token(headers({{"X-Api-Key", "e"}}), "/x").has_value());
  EXPECT_FALSE(admin_route_token(headers({}), "/x?coder_session_token=").has_value());
}

}  // namespace
}  // namespace aibridge::proxy
