#include "api/csrf.hpp"

#include <gtest/gtest.h>

namespace aibridge::api {
namespace {

namespace http = boost::beast::http;

http::fields headers(std::initializer_list<std::pair<const char*, const char*>> list) {
  http::fields fields;
  for (const auto& [name, value] : list) {
    fields.insert(name, value);
  }
  return fields;
}

TEST(Csrf, SafeMethodsAlwaysPass) {
  for (const http::verb method : {http::verb::get, http::verb::head, http::verb::options}) {
    EXPECT_FALSE(csrf_refusal(method, headers({})).has_value());
  }
}

TEST(Csrf, StateChangesNeedTheirOwnOriginAndTheConsoleHeader) {
  const auto post = [](std::initializer_list<std::pair<const char*, const char*>> list) {
    return csrf_refusal(http::verb::post, headers(list)).has_value();
  };
  EXPECT_FALSE(
      post({{"Host", "gw:8080"}, {"Origin", "http://gw:8080"}, {kCsrfHeader.data(), "1"}}));
  EXPECT_FALSE(
      post({{"Host", "GW:8080"}, {"Origin", "https://gw:8080"}, {kCsrfHeader.data(), "1"}}));
  // Behind a proxy the browser talked to the forwarded host.
  EXPECT_FALSE(post({{"Host", "10.0.0.5:8080"},
                     {"X-Forwarded-Host", "ai.example.com, lb.internal"},
                     {"Origin", "https://ai.example.com"},
                     {kCsrfHeader.data(), "1"}}));
  // Whether a proxy writes the default port or not.
  EXPECT_FALSE(post({{"Host", "10.0.0.5:8080"},
                     {"X-Forwarded-Host", "ai.example.com:443"},
                     {"Origin", "https://ai.example.com"},
                     {kCsrfHeader.data(), "1"}}));
  EXPECT_FALSE(post({{"Host", "gw"}, {"Origin", "http://gw:80"}, {kCsrfHeader.data(), "1"}}));
  EXPECT_TRUE(post({{"Host", "gw:443"}, {"Origin", "http://gw"}, {kCsrfHeader.data(), "1"}}));
  EXPECT_TRUE(post({{"Host", "gw:8080"}, {kCsrfHeader.data(), "1"}}));  // no Origin
  EXPECT_TRUE(
      post({{"Host", "gw:8080"}, {"Origin", "http://evil.example"}, {kCsrfHeader.data(), "1"}}));
  EXPECT_TRUE(post({{"Host", "gw:8080"}, {"Origin", "http://gw:8081"}, {kCsrfHeader.data(), "1"}}));
  EXPECT_TRUE(post({{"Host", "gw:8080"}, {"Origin", "null"}, {kCsrfHeader.data(), "1"}}));
  EXPECT_TRUE(
      post({{"Host", "gw:8080"}, {"Origin", "http://gw:8080/x"}, {kCsrfHeader.data(), "1"}}));
  EXPECT_TRUE(post({{"Host", "gw:8080"}, {"Origin", "http://gw:8080"}}));  // no console header
  EXPECT_TRUE(post({{"Origin", "http://gw:8080"}, {kCsrfHeader.data(), "1"}}));  // no Host
  EXPECT_TRUE(csrf_refusal(http::verb::delete_, headers({})).has_value());
}

}  // namespace
}  // namespace aibridge::api
