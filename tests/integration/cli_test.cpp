// The aibridge command line, run as a real process against a temporary data directory.
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "tests/support/gateway.hpp"
#include "tests/support/process.hpp"

#include <sys/stat.h>

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
  const std::string config = dir_.path() + "/aibridge.toml";
  std::ofstream(config) << "listen = \"127.0.0.1:9\"\n";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"version"}, {"--version"}, {"version", "--config", config}}) {
    std::vector<std::string> argv = {gateway_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    const RunResult result = run(argv, {{"AIBRIDGE_CONFIG", std::nullopt}});
    EXPECT_EQ(result.status, 0) << args.back() << ": " << result.err;
    EXPECT_EQ(result.out, "aibridge " AIBRIDGE_VERSION "\n");
  }
  // Like every subcommand, version takes the shared options and refuses unknown ones.
  EXPECT_EQ(run({gateway_binary(), "version", "--bogus"}, {{"AIBRIDGE_CONFIG", std::nullopt}}).status,
            2);
}

TEST_F(CliTest, AStartThatCannotListenMakesNoOwner) {
  TempDir busy_dir;
  Gateway busy(busy_dir.path());
  const RunResult failed =
      run({gateway_binary(), "serve", "--listen", "127.0.0.1:" + std::to_string(busy.port()),
           "--data-dir", dir_.path()},
          {{"AIBRIDGE_CONFIG", std::nullopt}}, std::chrono::seconds(20));
  EXPECT_EQ(failed.status, 1);
  EXPECT_EQ(failed.out, "");
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/admin-token"));
  Gateway later(dir_.path());
  EXPECT_EQ(later.admin_token().size(), 33U) << later.process().out();
  EXPECT_EQ(later.stop(), 0);
  EXPECT_EQ(busy.stop(), 0);
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
  EXPECT_EQ(invalid.status, 2);  // a usage error: it can never work
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

  // The whole token revokes by its id; no output ever shows a secret.
  const std::string whole = cli({"tokens", "create", "bob"}).out.substr(0, 33);
  const RunResult by_token = cli({"tokens", "revoke", whole});
  EXPECT_EQ(by_token.status, 0) << by_token.err;
  EXPECT_EQ(by_token.out, "revoked " + whole.substr(0, 10) + "\n");
  const RunResult again = cli({"tokens", "revoke", whole});
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.err.find(whole.substr(0, 10)), std::string::npos);
  EXPECT_EQ(again.err.find(whole.substr(11)), std::string::npos) << again.err;
  const RunResult garbled = cli({"tokens", "revoke", whole + "x"});
  EXPECT_EQ(garbled.status, 2);
  EXPECT_EQ(garbled.err.find(whole.substr(11)), std::string::npos) << garbled.err;
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

// Unknown flags and stray words are listed with every other error, not instead of them.
TEST_F(CliTest, UnknownFlagsAreListedWithTheOtherErrors) {
  const RunResult result =
      run({gateway_binary(), "serve", "--data-dir", dir_.path(), "--retention", "nope",
           "--unknown-flag", "3", "--other=1", "stray"},
          {{"AIBRIDGE_THREADS", "x"}, {"AIBRIDGE_CONFIG", std::nullopt}});
  EXPECT_EQ(result.status, 2);
  for (const char* fragment :
       {"flag --unknown-flag: unknown flag", "flag --other: unknown flag",
        "argument \"stray\": unexpected", "AIBRIDGE_THREADS", "retention",
        "5 errors (3 usage errors, 2 configuration errors)"}) {
    EXPECT_NE(result.err.find(fragment), std::string::npos) << fragment << "\n" << result.err;
  }
}

// A flag given twice takes its last value; a flag without a value, or a word after a flag's
// value, is listed with the others.
TEST_F(CliTest, RepeatedFlagsTakeTheLastValueAndMissingValuesAreListed) {
  const RunResult result =
      run({gateway_binary(), "serve", "--data-dir", dir_.path(), "--threads", "2", "--threads",
           "x", "--retention", "nope", "--unknown-flag", "3", "--listen", "127.0.0.1:1", "stray",
           "--listen"},
          {{"AIBRIDGE_CONFIG", std::nullopt}});
  EXPECT_EQ(result.status, 2);
  for (const char* fragment :
       {"threads", "\"x\"", "retention", "flag --unknown-flag: unknown flag",
        "argument \"stray\": unexpected", "flag --listen: needs a value",
        "5 errors (3 usage errors, 2 configuration errors)"}) {
    EXPECT_NE(result.err.find(fragment), std::string::npos) << fragment << "\n" << result.err;
  }
  EXPECT_EQ(result.err.find("At Most"), std::string::npos) << result.err;
  ASSERT_EQ(cli({"users", "create", "frank", "--data-dir", "/nonexistent/ignored"}).status, 0)
      << "the last --data-dir (the fixture's) counts";
}

// The commands' own arguments are listed with every other error too, not one at a time.
TEST_F(CliTest, EveryCommandListsAllItsErrors) {
  const RunResult create = cli({"users", "create", "bad name!", "--role", "king", "--name",
                                "--retention", "nope", "--bogus"});
  EXPECT_EQ(create.status, 2);
  for (const char* fragment :
       {"invalid username \"bad name!\"", "flag --role: \"king\" is not owner, auditor or member",
        "flag --name: needs a value", "flag --bogus: unknown flag", "invalid duration \"nope\"",
        "5 errors (4 usage errors, 1 configuration error)"}) {
    EXPECT_NE(create.err.find(fragment), std::string::npos) << fragment << "\n" << create.err;
  }
  const RunResult revoke = cli({"tokens", "revoke", "--bogus"});
  EXPECT_EQ(revoke.status, 2);
  EXPECT_NE(revoke.err.find("TOKEN: required"), std::string::npos) << revoke.err;
  EXPECT_NE(revoke.err.find("flag --bogus: unknown flag"), std::string::npos) << revoke.err;
  const RunResult token = cli({"tokens", "create", "--lifetime", "soon"});
  EXPECT_EQ(token.status, 2);
  EXPECT_NE(token.err.find("USERNAME: required"), std::string::npos) << token.err;
  EXPECT_NE(token.err.find("flag --lifetime: invalid duration \"soon\""), std::string::npos)
      << token.err;
  EXPECT_NE(token.err.find("2 usage errors"), std::string::npos) << token.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/aibridge.db")) << "nothing was created";
}

// A mistyped variable must not leave the gateway on its default (the real provider).
TEST_F(CliTest, UnknownVariablesAreErrors) {
  ASSERT_EQ(cli({"users", "create", "erin"}).status, 0);
  const RunResult typo = run({gateway_binary(), "users", "list", "--data-dir", dir_.path()},
                             {{"AIBRIDGE_PROVIDER_OPENAI_BASE_URL", "http://x"},
                              {"AIBRIDGE_CONFIG", std::nullopt}});
  EXPECT_EQ(typo.status, 2);
  EXPECT_NE(typo.err.find("environment AIBRIDGE_PROVIDER_OPENAI_BASE_URL: not a configuration "
                          "variable"),
            std::string::npos)
      << typo.err;
  // The documented names (key a.b_c → AIBRIDGE_A_B_C, --a-b-c) and the short ones both work.
  const RunResult documented =
      run({gateway_binary(), "users", "list", "--data-dir", dir_.path(),
           "--providers-anthropic-base-url", "http://127.0.0.1:1", "--openai-base-url",
           "http://127.0.0.1:2"},
          {{"AIBRIDGE_PROVIDERS_OPENAI_API_KEY", "sk-x"}, {"AIBRIDGE_CONFIG", std::nullopt}});
  EXPECT_EQ(documented.status, 0) << documented.err;
}

TEST_F(CliTest, ServeHelpListsEveryFlag) {
  const RunResult help = run({gateway_binary(), "serve", "--help"});
  EXPECT_EQ(help.status, 0);
  for (const char* flag : {"--config", "--listen", "--data-dir", "--timeouts-stream-idle",
                           "--recorder-batch-size", "--providers-openai-base-url",
                           "--openai-base-url", "--providers-anthropic-api-key",
                           "--anthropic-api-key", "--shutdown-grace"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
}

// Only `serve` and `users create` make a database; the others name the one they did not find.
TEST_F(CliTest, ReadOnlyCommandsNeverCreateADatabase) {
  const std::string data = dir_.path() + "/nowhere";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"users", "list"}, {"tokens", "list"}, {"tokens", "create", "x"},
        {"tokens", "revoke", "abcdefghij"}}) {
    std::vector<std::string> argv = {gateway_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--data-dir", data});
    const RunResult result = run(argv, {{"AIBRIDGE_CONFIG", std::nullopt}});
    EXPECT_EQ(result.status, 1) << args[0] << " " << args[1];
    EXPECT_NE(result.err.find("no database at " + data + "/aibridge.db"), std::string::npos)
        << result.err;
    EXPECT_FALSE(std::filesystem::exists(data)) << args[0] << " " << args[1];
  }
}

// The CLI and `serve` make the data directory private the same way (it holds the token hashes,
// the admin token and prompts), and `serve` makes an owner whenever there is none.
TEST_F(CliTest, AUserCreatedFirstStillLeavesServeToMakeTheOwner) {
  const std::string data = dir_.path() + "/fresh";
  ASSERT_EQ(run({gateway_binary(), "users", "create", "alice", "--data-dir", data},
                {{"AIBRIDGE_CONFIG", std::nullopt}})
                .status,
            0);
  struct stat info {};
  ASSERT_EQ(::stat(data.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700U);
  ASSERT_EQ(::stat((data + "/aibridge.db").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);

  Gateway first(data);
  const std::string token = first.admin_token();
  EXPECT_EQ(token.size(), 33U) << first.process().out() << first.process().err();
  EXPECT_EQ(read_file(data + "/admin-token"), token + "\n");
  EXPECT_EQ(first.stop(), 0);
  Gateway second(data);
  EXPECT_EQ(second.admin_token(), "");
  EXPECT_EQ(second.stop(), 0);
}

// Replicas starting together on one database: exactly one of them makes the owner.
TEST_F(CliTest, GatewaysStartingTogetherMakeOneOwner) {
  const std::vector<std::string> argv = {gateway_binary(), "serve",      "--listen",
                                         "127.0.0.1:0",    "--data-dir", dir_.path()};
  const std::map<std::string, std::optional<std::string>> env = {{"AIBRIDGE_CONFIG", std::nullopt}};
  Process first(argv, env);
  Process second(argv, env);
  ASSERT_TRUE(first.wait_for_stderr("listening on ", std::chrono::seconds(20))) << first.err();
  ASSERT_TRUE(second.wait_for_stderr("listening on ", std::chrono::seconds(20))) << second.err();
  const auto tokens = [](const std::string& out) { return out.find("admin token: ") != 0 ? 0 : 1; };
  EXPECT_EQ(tokens(first.out()) + tokens(second.out()), 1) << first.out() << second.out();
  first.signal(SIGTERM);
  second.signal(SIGTERM);
  EXPECT_EQ(first.wait(std::chrono::seconds(10)), 0);
  EXPECT_EQ(second.wait(std::chrono::seconds(10)), 0);
  const RunResult users = cli({"users", "list"});
  EXPECT_EQ(std::count(users.out.begin(), users.out.end(), '\n'), 2) << users.out;  // + header
}

}  // namespace
}  // namespace aibridge::testing
