// The aibridge command line, run as a real process against a temporary data directory.
#include <regex>

#include <gtest/gtest.h>

#include "tests/support/gateway.hpp"
#include "tests/support/process.hpp"

namespace aibridge::testing {
namespace {

class CliTest : public ::testing::Test {
 protected:
  RunResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), gateway_binary());
    args.push_back("--data-dir");
    args.push_back(dir_.path());
    return run(args, {{"AIBRIDGE_CONFIG", std::nullopt}});
  }
  TempDir dir_;
};

const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n");
const std::regex kToken("[0-9A-Za-z]{10}-[0-9A-Za-z]{22}\n");

TEST_F(CliTest, Version) {
  const RunResult result = run({gateway_binary(), "version"});
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.out, "aibridge " AIBRIDGE_VERSION "\n");
}

TEST_F(CliTest, UsersCreateAndList) {
  const RunResult created = cli({"users", "create", "alice", "--role", "auditor", "--name",
                                 "Alice A", "--email", "alice@example.com"});
  ASSERT_EQ(created.status, 0) << created.err;
  EXPECT_TRUE(std::regex_match(created.out, kUuid)) << created.out;

  const RunResult duplicate = cli({"users", "create", "ALICE"});
  EXPECT_EQ(duplicate.status, 1);
  EXPECT_NE(duplicate.err.find("already exists"), std::string::npos) << duplicate.err;

  const RunResult invalid = cli({"users", "create", "bad name"});
  EXPECT_EQ(invalid.status, 1);
  EXPECT_NE(invalid.err.find("invalid username"), std::string::npos);

  const RunResult bad_role = cli({"users", "create", "carol", "--role", "king"});
  EXPECT_EQ(bad_role.status, 2);

  const RunResult list = cli({"users", "list"});
  ASSERT_EQ(list.status, 0);
  EXPECT_NE(list.out.find(created.out.substr(0, 36)), std::string::npos);
  EXPECT_NE(list.out.find("alice"), std::string::npos);
  EXPECT_NE(list.out.find("auditor"), std::string::npos);
}

TEST_F(CliTest, TokensCreateListRevoke) {
  ASSERT_EQ(cli({"users", "create", "bob"}).status, 0);
  const RunResult created = cli({"tokens", "create", "bob", "--lifetime", "1h"});
  ASSERT_EQ(created.status, 0) << created.err;
  ASSERT_TRUE(std::regex_match(created.out, kToken)) << created.out;  // the token, nothing else
  const std::string id = created.out.substr(0, 10);
  const std::string secret = created.out.substr(11, 22);

  RunResult list = cli({"tokens", "list", "bob"});
  ASSERT_EQ(list.status, 0);
  EXPECT_NE(list.out.find(id), std::string::npos);
  EXPECT_NE(list.out.find("active"), std::string::npos);
  EXPECT_EQ(list.out.find(secret), std::string::npos);

  // Only a hash of the secret is stored: the database files never contain it.
  for (const char* file : {"/aibridge.db", "/aibridge.db-wal"}) {
    EXPECT_EQ(read_file(dir_.path() + file).find(secret), std::string::npos) << file;
  }

  const RunResult revoked = cli({"tokens", "revoke", id});
  EXPECT_EQ(revoked.status, 0);
  EXPECT_EQ(revoked.out, "revoked " + id + "\n");
  list = cli({"tokens", "list"});
  EXPECT_NE(list.out.find("revoked"), std::string::npos);
  EXPECT_EQ(cli({"tokens", "revoke", id}).status, 1);
  EXPECT_EQ(cli({"tokens", "revoke", "nosuchtokn"}).status, 1);
}

TEST_F(CliTest, TokensForUnknownUsersAndBadLifetimes) {
  EXPECT_EQ(cli({"tokens", "create", "nobody"}).status, 1);
  ASSERT_EQ(cli({"users", "create", "dave"}).status, 0);
  EXPECT_EQ(cli({"tokens", "create", "dave", "--lifetime", "forever"}).status, 2);
  const RunResult never = cli({"tokens", "create", "dave", "--lifetime", "0"});
  ASSERT_EQ(never.status, 0);
  EXPECT_NE(cli({"tokens", "list", "dave"}).out.find("never"), std::string::npos);
}

TEST_F(CliTest, UsageAndConfigErrorsExitTwo) {
  EXPECT_EQ(run({gateway_binary()}).status, 2);
  EXPECT_EQ(run({gateway_binary(), "frobnicate"}).status, 2);
  const RunResult bad = run({gateway_binary(), "users", "list", "--threads", "x", "--listen", "y"},
                            {{"AIBRIDGE_CONFIG", std::nullopt}});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("--threads"), std::string::npos);
  EXPECT_NE(bad.err.find("--listen"), std::string::npos);
}

}  // namespace
}  // namespace aibridge::testing
