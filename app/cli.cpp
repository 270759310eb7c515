#include "app/cli.hpp"

#include <cstdlib>
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/identity.hpp"
#include "app/serve.hpp"
#include "core/config.hpp"
#include "core/time.hpp"
#include "recorder/store.hpp"

namespace aibridge::app {
namespace {

constexpr int kFailure = 1;
constexpr int kUsage = 2;

/// --config and one flag per configuration key, accepted by every subcommand.
struct ConfigOptions {
  std::string config_path;
  std::map<std::string, std::string> flags;

  void attach(CLI::App& command) {
    command.add_option("--config", config_path, "TOML configuration file");
    for (const auto& [flag, help] : core::config_flag_names()) {
      command.add_option_function<std::string>(
          "--" + flag, [this, name = flag](const std::string& value) { flags[name] = value; },
          help);
    }
  }

  /// Loads the configuration; prints every error and returns nullopt when there are any.
  std::optional<core::Config> load() const {
    core::ConfigSources sources;
    sources.environment = core::process_environment();
    if (!config_path.empty()) {
      sources.file = config_path;
    } else if (auto found = sources.environment.find("AIBRIDGE_CONFIG");
               found != sources.environment.end() && !found->second.empty()) {
      sources.file = found->second;
    }
    sources.flags = flags;
    core::ConfigResult result = core::load_config(sources);
    for (const std::string& warning : result.warnings) {
      std::cerr << "aibridge: config warning: " << warning << "\n";
    }
    if (!result.errors.empty()) {
      for (const std::string& error : result.errors) {
        std::cerr << "aibridge: config error: " << error << "\n";
      }
      std::cerr << "aibridge: " << result.errors.size() << " configuration error"
                << (result.errors.size() == 1 ? "" : "s") << "\n";
      return std::nullopt;
    }
    return result.config;
  }
};

std::unique_ptr<recorder::Store> open_for_cli(const core::Config& config) {
  std::filesystem::create_directories(std::filesystem::path(config.database).parent_path());
  return recorder::open_store(config.database, {config.recorder.synchronous}, /*migrate=*/true);
}

std::string format_optional_time(const std::optional<core::UnixMicros>& time) {
  return time ? core::format_rfc3339(*time) : "-";
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"aibridge: a recording gateway between AI coding clients and LLM providers"};
  app.require_subcommand(1);
  ConfigOptions options;

  CLI::App* serve_command = app.add_subcommand("serve", "Run the gateway");
  options.attach(*serve_command);

  CLI::App* users = app.add_subcommand("users", "Manage users");
  users->require_subcommand(1);
  NewUser new_user;
  std::string role = "member";
  CLI::App* users_create = users->add_subcommand("create", "Create a user and print its id");
  users_create->add_option("USERNAME", new_user.username, "Unique, case-insensitive")->required();
  users_create->add_option("--name", new_user.name, "Display name");
  users_create->add_option("--email", new_user.email, "Email address");
  users_create->add_option("--avatar-url", new_user.avatar_url, "Avatar image URL");
  users_create->add_option("--role", role, "owner, auditor or member")
      ->check(CLI::IsMember({"owner", "auditor", "member"}));
  options.attach(*users_create);
  CLI::App* users_list = users->add_subcommand("list", "List users");
  options.attach(*users_list);

  CLI::App* tokens = app.add_subcommand("tokens", "Manage API tokens");
  tokens->require_subcommand(1);
  std::string token_user;
  std::string lifetime = "720h";
  std::string token_id;
  CLI::App* tokens_create =
      tokens->add_subcommand("create", "Create a token and print it (shown only once)");
  tokens_create->add_option("USERNAME", token_user, "Owner of the token")->required();
  tokens_create->add_option("--lifetime", lifetime, "Validity, e.g. 720h, 90d; 0 = never expires");
  options.attach(*tokens_create);
  CLI::App* tokens_list = tokens->add_subcommand("list", "List tokens (all, or one user's)");
  tokens_list->add_option("USERNAME", token_user, "Only this user's tokens");
  options.attach(*tokens_list);
  CLI::App* tokens_revoke = tokens->add_subcommand("revoke", "Revoke a token by its id");
  tokens_revoke->add_option("TOKEN_ID", token_id, "The 10-character id before the '-'")->required();
  options.attach(*tokens_revoke);

  app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kUsage;
  }

  if (app.got_subcommand("version")) {
    std::cout << "aibridge " << AIBRIDGE_VERSION << "\n";
    return 0;
  }
  const auto config = options.load();
  if (!config) {
    return kUsage;
  }
  try {
    if (*serve_command) {
      return serve(*config);
    }
    auto store = open_for_cli(*config);
    if (*users_create) {
      new_user.role = recorder::parse_role(role).value_or(recorder::Role::kMember);
      std::cout << create_user(*store, new_user).id << "\n";
    } else if (*users_list) {
      std::cout << fmt::format("{:<36}  {:<20}  {:<7}  {:<20}  {}\n", "ID", "USERNAME", "ROLE",
                               "NAME", "CREATED");
      for (const recorder::User& user : store->list_users()) {
        std::cout << fmt::format("{:<36}  {:<20}  {:<7}  {:<20}  {}\n", user.id, user.username,
                                 recorder::role_name(user.role), user.name,
                                 core::format_rfc3339(user.created_at));
      }
    } else if (*tokens_create) {
      std::string error;
      const auto duration = core::parse_duration(lifetime, error);
      if (!duration) {
        std::cerr << "aibridge: --lifetime: " << error << "\n";
        return kUsage;
      }
      std::cout << create_token(*store, token_user, *duration) << "\n";
    } else if (*tokens_list) {
      std::optional<std::string> user_id;
      if (!token_user.empty()) {
        const auto user = store->find_user_by_username(token_user);
        if (!user) {
          throw IdentityError("no user named \"" + token_user + "\"");
        }
        user_id = user->id;
      }
      std::map<std::string, std::string> usernames;
      for (const recorder::User& user : store->list_users()) {
        usernames[user.id] = user.username;
      }
      std::cout << fmt::format("{:<10}  {:<20}  {:<27}  {:<27}  {:<27}  {}\n", "ID", "USER",
                               "CREATED", "EXPIRES", "LAST USED", "STATUS");
      const core::UnixMicros now = core::now_micros();
      for (const recorder::ApiToken& token : store->list_tokens(user_id)) {
        const char* status = token.revoked_at                               ? "revoked"
                             : token.expires_at && *token.expires_at <= now ? "expired"
                                                                            : "active";
        std::cout << fmt::format(
            "{:<10}  {:<20}  {:<27}  {:<27}  {:<27}  {}\n", token.id, usernames[token.user_id],
            core::format_rfc3339(token.created_at),
            token.expires_at ? core::format_rfc3339(*token.expires_at) : "never",
            format_optional_time(token.last_used_at), status);
      }
    } else if (*tokens_revoke) {
      if (!store->revoke_token(token_id, core::now_micros())) {
        throw IdentityError("no active token with id \"" + token_id + "\"");
      }
      std::cout << "revoked " << token_id << "\n";
    }
    return 0;
  } catch (const IdentityError& e) {
    std::cerr << "aibridge: " << e.what() << "\n";
    return kFailure;
  } catch (const std::exception& e) {
    std::cerr << "aibridge: error: " << e.what() << "\n";
    return kFailure;
  }
}

}  // namespace aibridge::app
