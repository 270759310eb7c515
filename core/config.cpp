#include "core/config.hpp"

#include <thread>

#include <toml++/toml.h>

#include "core/config_keys.hpp"
#include "core/mcp_config.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX, not in a header

namespace aibridge::core {
namespace {

constexpr std::string_view kEnvPrefix = "AIBRIDGE_";
constexpr std::string_view kConfigPathEnv = "AIBRIDGE_CONFIG";  // read by the CLI, not a key

const KeySpec* find_key(std::string_view key) {
  for (const KeySpec& spec : config_keys()) {
    if (spec.key == key) {
      return &spec;
    }
  }
  return nullptr;
}

const KeySpec* find_env(std::string_view name) {
  for (const KeySpec& spec : config_keys()) {
    if (spec.env_name() == name || (!spec.short_env.empty() && spec.short_env == name)) {
      return &spec;
    }
  }
  return nullptr;
}

const KeySpec* find_flag(std::string_view name) {
  for (const KeySpec& spec : config_keys()) {
    if (spec.flag_name() == name || (!spec.short_env.empty() && spec.short_flag_name() == name)) {
      return &spec;
    }
  }
  return nullptr;
}

// Kubernetes gives every pod variables for each service in its namespace; a service named
// "aibridge" yields AIBRIDGE_SERVICE_HOST, AIBRIDGE_SERVICE_PORT[_NAME], AIBRIDGE_PORT and
// AIBRIDGE_PORT_<port>_<protocol>[_PROTO|_PORT|_ADDR]. They are not typos of ours.
bool is_service_link_variable(std::string_view name) {
  name.remove_prefix(kEnvPrefix.size());
  if (name == "PORT" || name == "SERVICE_HOST" || name == "SERVICE_PORT" ||
      name.starts_with("SERVICE_PORT_")) {
    return true;
  }
  if (!name.starts_with("PORT_")) {
    return false;
  }
  name.remove_prefix(5);
  const std::size_t digits = name.find_first_not_of("0123456789");
  if (digits == 0 || digits == std::string_view::npos) {
    return false;
  }
  name.remove_prefix(digits);
  for (const std::string_view protocol : {"_TCP", "_UDP", "_SCTP"}) {
    if (name.starts_with(protocol)) {
      const std::string_view rest = name.substr(protocol.size());
      return rest.empty() || rest == "_PROTO" || rest == "_PORT" || rest == "_ADDR";
    }
  }
  return false;
}

class Loader {
 public:
  explicit Loader(ConfigResult& result) : result_(result) {}

  void apply(const KeySpec& spec, const RawValue& value, const std::string& source) {
    std::string error;
    if (!spec.apply(result_.config, value, error)) {
      result_.errors.push_back(source + ": " + std::string(spec.key) + ": " + error);
    }
  }

  void error(const std::string& message) { result_.errors.push_back(message); }

  void load_file(const std::string& path) {
    toml::table root;
    try {
      root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      const auto& begin = e.source().begin;
      error(path + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column) + ": " +
            std::string(e.description()));
      return;
    }
    walk(root, "", path);
  }

  void load_environment(const std::map<std::string, std::string>& environment) {
    for (const KeySpec& spec : config_keys()) {
      auto found = environment.find(spec.env_name());
      for (const std::string_view other : {spec.short_env, spec.fallback_env}) {
        if (found == environment.end() && !other.empty()) {
          found = environment.find(std::string(other));
        }
      }
      if (found != environment.end()) {
        apply(spec, found->second, "environment " + found->first);
      }
    }
    for (const auto& [name, value] : environment) {
      if (name.starts_with(kEnvPrefix) && name != kConfigPathEnv && find_env(name) == nullptr &&
          !is_service_link_variable(name)) {
        error("environment " + name + ": not a configuration variable");
      }
    }
  }

  void load_flags(const std::map<std::string, std::string>& flags) {
    for (const auto& [name, value] : flags) {
      const KeySpec* match = find_flag(name);
      if (match == nullptr) {
        error("flag --" + name + ": unknown flag");
        continue;
      }
      apply(*match, value, "flag --" + name);
    }
  }

 private:
  void walk(const toml::table& table, const std::string& prefix, const std::string& path) {
    for (const auto& [name, node] : table) {
      const std::string key =
          prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
      const std::string where = path + ":" + std::to_string(node.source().begin.line);
      if (key == "mcp.servers") {
        read_mcp_servers(node, path, result_.config.mcp, result_.errors);
        continue;
      }
      if (const auto* child = node.as_table()) {
        walk(*child, key, path);
        continue;
      }
      const KeySpec* spec = find_key(key);
      if (spec == nullptr) {
        error(where + ": " + key + ": unknown key");
        continue;
      }
      if (const auto* text = node.as_string()) {
        apply(*spec, text->get(), where);
      } else if (const auto* integer = node.as_integer()) {
        apply(*spec, integer->get(), where);
      } else if (const auto* flag = node.as_boolean()) {
        apply(*spec, flag->get(), where);
      } else if (const auto* number = node.as_floating_point()) {
        apply(*spec, number->get(), where);
      } else {
        error(where + ": " + key + ": unsupported value type");
      }
    }
  }

  ConfigResult& result_;
};

void resolve_defaults(Config& config) {
  if (config.database.empty()) {
    config.database = config.data_dir + "/aibridge.db";
  }
  if (config.request_log_dir.empty()) {
    config.request_log_dir = config.data_dir + "/request-logs";
  }
  if (config.threads == 0) {
    config.threads = std::max(1U, std::thread::hardware_concurrency());
  }
}

}  // namespace

ConfigResult load_config(const ConfigSources& sources) {
  ConfigResult result;
  Loader loader(result);
  if (sources.file) {
    loader.load_file(*sources.file);
  }
  loader.load_environment(sources.environment);
  loader.load_flags(sources.flags);
  resolve_defaults(result.config);
  return result;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t equals = text.find('=');
    if (equals != std::string_view::npos) {
      out.emplace(text.substr(0, equals), text.substr(equals + 1));
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> config_flag_names() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const KeySpec& spec : config_keys()) {
    std::string help = std::string(spec.help) + " [" + std::string(spec.key) + ", " +
                       spec.env_name();
    if (!spec.short_env.empty()) {
      help += " or " + std::string(spec.short_env);
    }
    if (!spec.fallback_env.empty()) {
      help += " or " + std::string(spec.fallback_env);
    }
    out.emplace_back(spec.flag_name(), help + "]");
    if (!spec.short_env.empty()) {
      out.emplace_back(spec.short_flag_name(), "same as --" + spec.flag_name());
    }
  }
  return out;
}

}  // namespace aibridge::core
