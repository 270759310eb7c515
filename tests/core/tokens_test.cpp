#include "core/tokens.hpp"

#include <set>

#include <gtest/gtest.h>

namespace aibridge::core {
namespace {

TEST(Tokens, GeneratedTokensHaveTheDocumentedShape) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const GeneratedToken token = generate_token();
    const std::string text = token.text();
    const auto parts = split_token(text);
    ASSERT_TRUE(parts.has_value());
    EXPECT_EQ(parts->id, token.id);
    EXPECT_EQ(parts->secret, token.secret);
    EXPECT_EQ(token.id.size(), kTokenIdLength);
    EXPECT_EQ(token.secret.size(), kTokenSecretLength);
    EXPECT_TRUE(seen.insert(text).second);
  }
}

TEST(Tokens, SplitRejectsWrongShapes) {
  for (const char* bad :
       {"", "abc", "abcdefghij_ABCDEFGHIJKLMNOPQRSTUV", "abcdefghi-ABCDEFGHIJKLMNOPQRSTUVW",
        "abcdefghij-ABCDEFGHIJKLMNOPQRSTU", "abcdefghij-ABCDEFGHIJKLMNOPQRSTU!",
        "abcdefgh j-ABCDEFGHIJKLMNOPQRSTUV"}) {
    EXPECT_FALSE(split_token(bad).has_value()) << bad;
  }
  EXPECT_TRUE(split_token("abcdefghij-ABCDEFGHIJKLMNOPQRSTUV").has_value());
}

TEST(Tokens, OnlyTheRightSecretMatchesItsHash) {
  const GeneratedToken token = generate_token();
  const std::string hash = hash_secret(token.secret);
  EXPECT_EQ(hash.size(), 32U);
  EXPECT_EQ(hash.find(token.secret), std::string::npos);  // the secret is not in its hash
  EXPECT_TRUE(secret_matches(token.secret, hash));
  std::string wrong = token.secret;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  EXPECT_FALSE(secret_matches(wrong, hash));
  EXPECT_FALSE(secret_matches(token.secret, hash.substr(1)));
  EXPECT_FALSE(secret_matches(token.secret, ""));
}

TEST(Tokens, HashIsSha256) {
  // SHA-256("abc"), FIPS 180-2 test vector.
  const std::string expected(
      "\xba\x78\x16\xbf\x8f\x01\xcf\xea\x41\x41\x40\xde\x5d\xae\x22\x23"
      "\xb0\x03\x61\xa3\x96\x17\x7a\x9c\xb4\x10\xff\x61\xf2\x00\x15\xad",
      32);
  EXPECT_EQ(hash_secret("abc"), expected);
}

TEST(Tokens, TokenIdsAreTenLettersOrDigits) {
  EXPECT_TRUE(is_token_id("I45y3HPsjw"));
  EXPECT_FALSE(is_token_id("I45y3HPsj"));     // short
  EXPECT_FALSE(is_token_id("I45y3HPsjwX"));   // long
  EXPECT_FALSE(is_token_id("I45y3HP-jw"));    // not alphanumeric
  EXPECT_FALSE(is_token_id(""));
}

}  // namespace
}  // namespace aibridge::core
