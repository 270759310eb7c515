#include "app/cli.hpp"

#include <filesystem>
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/data_dir.hpp"
#include "app/identity.hpp"
#include "app/serve.hpp"
#include "core/config.hpp"
#include "core/time.hpp"
#include "core/tokens.hpp"
#include "recorder/store.hpp"

namespace aibridge::app {
namespace {

constexpr int kFailure = 1;
constexpr int kUsage = 2;

/// --config and one flag per configuration key, accepted by every subcommand. Arguments
/// CLI11 does not know, and flags given without a value, are kept, so that they are listed with
/// every other error; a flag given twice takes its last value.
struct ConfigOptions {
  std::string config_path;
  std::map<std::string, std::string> flags;
  std::vector<std::string> without_value;

  void attach(CLI::App& command) {
    command.allow_extras();
    command.add_option("--config", config_path, "TOML configuration file [AIBRIDGE_CONFIG]");
    for (const auto& [flag, help] : core::config_flag_names()) {
      add_value_option(command, "--" + flag, flags[flag], help);
    }
  }

  /// An option that takes one value, by the same rules as the configuration flags.
  void add_value_option(CLI::App& command, const std::string& name, std::string& target,
                        const std::string& help) {
    command
        .add_option_function<std::string>(
            name,
            [this, name, &target](const std::string& value) {
              if (value.empty()) {
                without_value.push_back("flag " + name + ": needs a value");
              } else {
                target = value;
              }
            },
            help)
        ->expected(0, 1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
        ->allow_extra_args(false);
  }

  /// Loads the configuration; prints every error (`usage_errors` of the command, its unknown
  /// arguments, the configuration's) and returns nullopt when there are any.
  std::optional<core::Config> load(const CLI::App& command,
                                   const std::vector<std::string>& usage_errors) const {
    core::ConfigSources sources;
    sources.environment = core::process_environment();
    if (!config_path.empty()) {
      sources.file = config_path;
    } else if (auto found = sources.environment.find("AIBRIDGE_CONFIG");
               found != sources.environment.end() && !found->second.empty()) {
      sources.file = found->second;
    }
    for (const auto& [name, value] : flags) {
      if (!value.empty()) {
        sources.flags[name] = value;
      }
    }
    core::ConfigResult result = core::load_config(sources);
    std::vector<std::string> errors = usage_errors;
    const std::vector<std::string> unknown = unknown_arguments(command.remaining());
    errors.insert(errors.end(), unknown.begin(), unknown.end());
    errors.insert(errors.end(), without_value.begin(), without_value.end());
    const std::size_t usage = errors.size();
    errors.insert(errors.end(), result.errors.begin(), result.errors.end());
    if (errors.empty()) {
      return result.config;
    }
    for (std::size_t i = 0; i < errors.size(); ++i) {
      std::cerr << "aibridge: " << (i < usage ? "usage" : "config") << " error: " << errors[i]
                << "\n";
    }
    const auto counted = [](std::size_t count, const char* kind) {
      return fmt::format("{} {} error{}", count, kind, count == 1 ? "" : "s");
    };
    const std::size_t configuration = errors.size() - usage;
    std::cerr << "aibridge: "
              << (usage == 0               ? counted(configuration, "configuration")
                  : configuration == 0     ? counted(usage, "usage")
                                           : fmt::format("{} errors ({}, {})", errors.size(),
                                                         counted(usage, "usage"),
                                                         counted(configuration, "configuration")))
              << "\n";
    return std::nullopt;
  }

  /// "--name value", "--name=value" and stray words CLI11 left over.
  static std::vector<std::string> unknown_arguments(const std::vector<std::string>& remaining) {
    std::vector<std::string> errors;
    for (std::size_t i = 0; i < remaining.size(); ++i) {
      const std::string& argument = remaining[i];
      if (!argument.starts_with("-")) {
        errors.push_back("argument \"" + argument + "\": unexpected");
        continue;
      }
      errors.push_back("flag " + argument.substr(0, argument.find('=')) + ": unknown flag");
      if (argument.find('=') == std::string::npos && i + 1 < remaining.size() &&
          !remaining[i + 1].starts_with("-")) {
        ++i;  // its value
      }
    }
    return errors;
  }
};

/// The database of a command that only reads or changes what exists: never created here.
std::unique_ptr<recorder::Store> open_existing(const core::Config& config) {
  if (!recorder::is_postgres_location(config.database) &&
      !std::filesystem::exists(config.database)) {
    const auto path = std::filesystem::absolute(config.database).lexically_normal();
    throw IdentityError("no database at " + path.string() +
                        " (data_dir is \"" + config.data_dir +
                        "\"; pass --config FILE or --data-dir DIR, or create it with `aibridge "
                        "serve` or `aibridge users create`)");
  }
  return recorder::open_store(config.database, {config.recorder.synchronous}, /*migrate=*/true);
}

/// The database of `users create`, created (privately, as `serve` does) when missing.
std::unique_ptr<recorder::Store> open_or_create(const core::Config& config) {
  create_data_directories(config);
  return recorder::open_store(config.database, {config.recorder.synchronous}, /*migrate=*/true);
}

/// The id of a token given by its id or as the whole token; nullopt for anything else (which is
/// never echoed: it may be a mistyped secret).
std::optional<std::string> token_id_of(const std::string& argument) {
  if (const auto parts = core::split_token(argument)) {
    return std::string(parts->id);
  }
  if (core::is_token_id(argument)) {
    return argument;
  }
  return std::nullopt;
}

std::string format_optional_time(const std::optional<core::UnixMicros>& time) {
  return time ? core::format_rfc3339(*time) : "-";
}

}  // namespace

int run_cli(int argc, char** argv) {
  keep_created_files_private();
  CLI::App app{"aibridge: a recording gateway between AI coding clients and LLM providers"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("aibridge ") + AIBRIDGE_VERSION);
  ConfigOptions options;

  CLI::App* serve_command = app.add_subcommand("serve", "Run the gateway");
  options.attach(*serve_command);

  CLI::App* users = app.add_subcommand("users", "Manage users");
  users->require_subcommand(1);
  NewUser new_user;
  std::string role;
  CLI::App* users_create = users->add_subcommand("create", "Create a user and print its id");
  users_create->add_option("USERNAME", new_user.username, "Unique, case-insensitive");
  options.add_value_option(*users_create, "--name", new_user.name, "Display name");
  options.add_value_option(*users_create, "--email", new_user.email, "Email address");
  options.add_value_option(*users_create, "--avatar-url", new_user.avatar_url, "Avatar image URL");
  options.add_value_option(*users_create, "--role", role,
                           "owner, auditor or member (default member)");
  options.attach(*users_create);
  CLI::App* users_list = users->add_subcommand("list", "List users");
  options.attach(*users_list);

  CLI::App* tokens = app.add_subcommand("tokens", "Manage API tokens");
  tokens->require_subcommand(1);
  std::string token_user;
  std::string lifetime;
  std::string token_to_revoke;
  CLI::App* tokens_create =
      tokens->add_subcommand("create", "Create a token and print it (shown only once)");
  tokens_create->add_option("USERNAME", token_user, "Owner of the token");
  options.add_value_option(*tokens_create, "--lifetime", lifetime,
                           "Validity, e.g. 720h (the default), 90d; 0 = never expires");
  options.attach(*tokens_create);
  CLI::App* tokens_list = tokens->add_subcommand("list", "List tokens (all, or one user's)");
  tokens_list->add_option("USERNAME", token_user, "Only this user's tokens");
  options.attach(*tokens_list);
  CLI::App* tokens_revoke = tokens->add_subcommand("revoke", "Revoke a token");
  tokens_revoke->add_option(
      "TOKEN", token_to_revoke,
      "The token's id (the 10 characters before the '-') or the whole token");
  options.attach(*tokens_revoke);

  CLI::App* version = app.add_subcommand("version", "Print the version");
  options.attach(*version);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kUsage;
  }

  // The commands' own arguments are checked here rather than by CLI11, which would stop at the
  // first problem: every error is listed together.
  std::vector<std::string> usage_errors;
  const auto require = [&](const CLI::App* command, const std::string& value, const char* name) {
    if (*command && value.empty()) {
      usage_errors.push_back(std::string(name) + ": required");
    }
  };
  require(users_create, new_user.username, "USERNAME");
  require(tokens_create, token_user, "USERNAME");
  require(tokens_revoke, token_to_revoke, "TOKEN");
  if (*users_create) {
    new_user.role = recorder::parse_role(role.empty() ? "member" : role)
                        .value_or(recorder::Role::kMember);
    if (!role.empty() && !recorder::parse_role(role)) {
      usage_errors.push_back("flag --role: \"" + role + "\" is not owner, auditor or member");
    }
    if (!new_user.username.empty()) {
      try {
        check_new_user(new_user);  // before a database is created for it
      } catch (const UsageError& e) {
        usage_errors.emplace_back(e.what());
      }
    }
  }
  std::optional<core::Duration> token_lifetime;
  if (*tokens_create) {
    std::string error;
    token_lifetime = core::parse_duration(lifetime.empty() ? "720h" : lifetime, error);
    if (!token_lifetime) {
      usage_errors.push_back("flag --lifetime: " + error);
    }
  }

  CLI::App* command = app.get_subcommands().front();
  while (!command->get_subcommands().empty()) {
    command = command->get_subcommands().front();
  }
  const auto config = options.load(*command, usage_errors);
  if (!config) {
    return kUsage;
  }
  if (*version) {
    std::cout << "aibridge " << AIBRIDGE_VERSION << "\n";
    return 0;
  }
  try {
    if (*serve_command) {
      return serve(*config);
    }
    if (*users_create) {
      auto store = open_or_create(*config);
      std::cout << create_user(*store, new_user).id << "\n";
      return 0;
    }
    auto store = open_existing(*config);
    if (*users_list) {
      std::cout << fmt::format("{:<36}  {:<20}  {:<7}  {:<20}  {}\n", "ID", "USERNAME", "ROLE",
                               "NAME", "CREATED");
      for (const recorder::User& user : store->list_users()) {
        std::cout << fmt::format("{:<36}  {:<20}  {:<7}  {:<20}  {}\n", user.id, user.username,
                                 recorder::role_name(user.role), user.name,
                                 core::format_rfc3339(user.created_at));
      }
    } else if (*tokens_create) {
      std::cout << create_token(*store, token_user, *token_lifetime).text << "\n";
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
      const auto token_id = token_id_of(token_to_revoke);
      if (!token_id) {
        std::cerr << "aibridge: not a token or token id (an id is the 10 letters and digits "
                     "before the '-')\n";
        return kUsage;
      }
      if (!store->revoke_token(*token_id, core::now_micros())) {
        throw IdentityError("no active token with id \"" + *token_id + "\"");
      }
      std::cout << "revoked " << *token_id << "\n";
    }
    return 0;
  } catch (const UsageError& e) {
    std::cerr << "aibridge: " << e.what() << "\n";
    return kUsage;
  } catch (const IdentityError& e) {
    std::cerr << "aibridge: " << e.what() << "\n";
    return kFailure;
  } catch (const std::exception& e) {
    std::cerr << "aibridge: error: " << e.what() << "\n";
    return kFailure;
  }
}

}  // namespace aibridge::app
