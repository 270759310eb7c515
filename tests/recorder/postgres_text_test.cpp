// What the PostgreSQL store does to text before the server sees it: COPY escapes, bytes its
// text type cannot hold, passwords kept out of anything printed. Pure.
#include <gtest/gtest.h>

#include "recorder/postgres/connection.hpp"
#include "recorder/store.hpp"

namespace aibridge::recorder::postgres {
namespace {

std::string copy_field(std::string_view value) {
  std::string out;
  append_copy_field(out, value);
  return out;
}

TEST(PostgresText, CopyFieldsEscapeTheirSeparators) {
  EXPECT_EQ(copy_field("plain"), "plain");
  EXPECT_EQ(copy_field("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
  EXPECT_EQ(copy_field("\\N"), "\\\\N") << "text that looks like NULL stays text";
  EXPECT_EQ(copy_field("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"),
            "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST(PostgresText, NulAndInvalidUtf8BecomeReplacementCharacters) {
  const std::string replacement = "\xef\xbf\xbd";
  EXPECT_EQ(copy_field(std::string("a\0b", 3)), "a" + replacement + "b");
  EXPECT_EQ(copy_field("\xff"), replacement);
  EXPECT_EQ(copy_field("\xc0\x80"), replacement + replacement) << "overlong NUL";
  EXPECT_EQ(copy_field("\xed\xa0\x80"), replacement + replacement + replacement) << "surrogate";
  EXPECT_EQ(copy_field("\xf4\x90\x80\x80"), replacement + replacement + replacement + replacement)
      << "past U+10FFFF";
  EXPECT_EQ(copy_field("x\xe2\x82"), "x" + replacement + replacement) << "cut short";
  // Valid text around the bad byte, separators included, is kept as it is.
  EXPECT_EQ(copy_field("\xc3\xa9\t\xfe\n"), "\xc3\xa9\\t" + replacement + "\\n");
}

TEST(PostgresText, ArrayLiteralsQuoteEveryElement) {
  EXPECT_EQ(array_literal({}), "{}");
  EXPECT_EQ(array_literal({"a", "", "NULL"}), R"({"a","","NULL"})");
  EXPECT_EQ(array_literal({R"(x"y\z)", "{1,2} 3"}), R"({"x\"y\\z","{1,2} 3"})");
  EXPECT_EQ(array_literal({std::string("n\0ul", 4)}), "{\"n\xef\xbf\xbdul\"}");
}

TEST(PostgresText, PasswordsAreRedactedFromUris) {
  EXPECT_EQ(redact_uri("postgresql://app:s3cret@db:5432/aibridge"),
            "postgresql://app:***@db:5432/aibridge");
  EXPECT_EQ(redact_uri("postgres://app@db/aibridge?sslmode=require&password=s3cret"),
            "postgres://app@db/aibridge?sslmode=require&password=***");
  EXPECT_EQ(redact_uri("postgresql://db/aibridge"), "postgresql://db/aibridge");
  EXPECT_EQ(redact_uri("postgresql://a:b@c@db/x"), "postgresql://a:***@db/x")
      << "an unescaped @ in the password";
  EXPECT_EQ(redact_uri("postgresql://u:pa?ss#w@db/x"), "postgresql://u:***@db/x")
      << "libpq reads a password up to the '@', past '?' and '#'";
  EXPECT_TRUE(is_postgres_uri("postgres://x"));
  EXPECT_TRUE(is_postgres_uri("postgresql://x"));
  EXPECT_FALSE(is_postgres_uri("./data/aibridge.db"));
}

// libpq's key=value form is refused (it would be taken for a file name), without echoing it.
TEST(PostgresText, KeyValueConnectionStringsAreRefused) {
  try {
    open_store("host=db user=app password=s3cret", {}, false);
    ADD_FAILURE() << "opened";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("postgresql:// URI"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace aibridge::recorder::postgres
