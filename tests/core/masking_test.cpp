#include "core/masking.hpp"

#include <gtest/gtest.h>

namespace aibridge::core {
namespace {

TEST(MaskSecret, RevealsLessForShorterSecrets) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""},
      {"x", "..."},
      {"ab", "..."},
      {"abcd", "..."},
      {"short", "s...t"},
      {"veryshort", "v...t"},
      {"thisisquitelong", "th...ng"},
      {"sk-ant-api03-abcdefgh", "sk-a...efgh"},
      {"h\xc3\xa9lloworld\xf0\x9f\x8c\x8d!",
       "h\xc3\xa9...\xf0\x9f\x8c\x8d!"},  // code points, not bytes
      {"test-key", "t...y"},
      {"user-access-token", "us...en"},
      {"centralized-key", "ce...ey"},
      {"Bearer sk-secret-key-12345", "Bear...2345"},
      {"secret-api-key-value", "secr...alue"},
      {"session=abc123", "se...23"},
  };
  for (const auto& [secret, masked] : cases) {
    EXPECT_EQ(mask_secret(secret), masked) << secret;
  }
}

TEST(MaskSecret, AuthorizationKeepsItsSchemeAndMasksTheCredential) {
  EXPECT_EQ(mask_header_value("Authorization", "Bearer sk-proj-abcdefghijklmnopqrstuvwxyz"),
            "Bearer sk-p...wxyz");
  EXPECT_EQ(mask_header_value("proxy-authorization", "Basic dXNlcjpwYXNzd29yZA=="),
            "Basic dXNl...ZA==");
  EXPECT_EQ(mask_header_value("Authorization", "sk-proj-abcdefghijklmnopqrstuvwxyz"),
            "sk-p...wxyz");  // no scheme
  EXPECT_EQ(mask_header_value("Authorization", "Bearer "), "Bearer ");
  EXPECT_EQ(mask_header_value("X-Api-Key", "sk-ant-api03-abcdefgh"), "sk-a...efgh");
  EXPECT_EQ(mask_header_value("Cookie", "session=abc123; theme=dark"), "sess...dark");
}

TEST(MaskSecret, SecretHeadersAreRecognisedInAnyCase) {
  for (const char* name :
       {"Authorization", "x-api-key", "X-API-KEY", "Api-Key", "Cookie", "Set-Cookie",
        "Proxy-Authorization", "Coder-Session-Token", "X-Auth-Token"}) {
    EXPECT_TRUE(is_secret_header(name)) << name;
  }
  for (const char* name : {"Content-Type", "anthropic-version", "User-Agent", "X-Request-Id"}) {
    EXPECT_FALSE(is_secret_header(name)) << name;
  }
}

}  // namespace
}  // namespace aibridge::core
