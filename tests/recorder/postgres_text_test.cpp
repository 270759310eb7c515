// What the PostgreSQL store does to text before the server sees it: COPY's binary rows, bytes its
// text type cannot hold, passwords kept out of anything printed. Pure.
#include <gtest/gtest.h>

#include "recorder/postgres/connection.hpp"
#include "recorder/postgres/copy_rows.hpp"
#include "recorder/store.hpp"

namespace aibridge::recorder::postgres {
namespace {

using namespace std::string_literals;

// COPY's binary format, field by field: a length (big-endian) and the bytes, separators and
// backslashes as they are.
TEST(PostgresText, CopyRowsAreLengthsAndBinaryForms) {
  CopyRows rows;
  rows.begin_row(6);
  rows.add_text("a\tb\\N");
  rows.add_null();
  rows.add_uuid("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
  rows.add_timestamp(946'684'800'000'001);  // 2000-01-01 00:00:00.000001 UTC
  rows.add_bool(true);
  rows.add_text("");
  const std::string_view data = rows.finish();
  const std::string header("PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19);
  const std::string row = std::string("\0\6", 2) + std::string("\0\0\0\5", 4) + "a\tb\\N" +
                          std::string("\xff\xff\xff\xff", 4) + std::string("\0\0\0\x10", 4) +
                          "\x01\x93\xa1\xb2\xc3\xd4\x7e\x5f\x8a\x9b\x0c\x1d\x2e\x3f\x4a\x5b" +
                          std::string("\0\0\0\x08", 4) + std::string("\0\0\0\0\0\0\0\x01", 8) +
                          std::string("\0\0\0\x01\x01", 5) + std::string("\0\0\0\0", 4);
  EXPECT_EQ(data, header + row + "\xff\xff");
  rows.clear();
  EXPECT_EQ(rows.finish(), header + "\xff\xff") << "no rows";
  EXPECT_THROW(rows.add_uuid("not-a-uuid"), std::invalid_argument);
}

TEST(PostgresText, TimestampsBeforeTheYear2000AreNegative) {
  CopyRows rows;
  rows.begin_row(1);
  rows.add_timestamp(0);  // the Unix epoch
  // -946,684,800,000,000 µs from 2000, as a big-endian two's complement.
  EXPECT_EQ(rows.finish().substr(19 + 2 + 4, 8), "\xff\xfc\xa2\xfe\xc4\xc8\x20\x00"s);
}

TEST(PostgresText, NulAndInvalidUtf8BecomeReplacementCharacters) {
  const std::string replacement = "\xef\xbf\xbd";
  EXPECT_EQ(valid_text(std::string("a\0b", 3)), "a" + replacement + "b");
  EXPECT_EQ(valid_text("\xff"), replacement);
  EXPECT_EQ(valid_text("\xc0\x80"), replacement + replacement) << "overlong NUL";
  EXPECT_EQ(valid_text("\xed\xa0\x80"), replacement + replacement + replacement) << "surrogate";
  EXPECT_EQ(valid_text("\xf4\x90\x80\x80"), replacement + replacement + replacement + replacement)
      << "past U+10FFFF";
  EXPECT_EQ(valid_text("x\xe2\x82"), "x" + replacement + replacement) << "cut short";
  // Valid text around the bad byte is kept as it is.
  EXPECT_EQ(valid_text("\xc3\xa9\t\xfe\n"), "\xc3\xa9\t" + replacement + "\n");
  EXPECT_EQ(valid_text("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"),
            "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80");
  // A field of the COPY rows is that text.
  CopyRows rows;
  rows.begin_row(1);
  rows.add_text(std::string("a\0b", 3));
  EXPECT_EQ(rows.finish().substr(19 + 2), std::string("\0\0\0\5", 4) + "a" + replacement + "b" +
                                            "\xff\xff");
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
