#pragma once
// The gateway's configuration: one immutable value built at start from, in increasing
// precedence, the TOML file, the environment and command-line flags. Every key, its variable,
// flag and default is in config_keys.cpp and documented in configs/aibridge.toml.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/units.hpp"

namespace aibridge::core {

using namespace std::chrono_literals;

struct ProviderSettings {
  std::string base_url;
  std::string api_key;  // never logged
};

struct Timeouts {
  Duration upstream_connect{10s};
  Duration upstream_tls{10s};
  Duration blocking_response{600s};
  Duration stream_idle{300s};  // also bounds a stalled write to a client that stopped reading
  Duration client_idle{60s};
  Duration client_request{30s};
};

struct RecorderSettings {
  std::uint64_t queue_capacity = 65536;
  std::uint64_t batch_size = 8192;
  Duration flush_interval{100ms};
  std::string synchronous = "normal";
  std::uint64_t max_sse_event_bytes = 16ULL << 20;
  std::uint64_t max_recorded_body = 32ULL << 20;
};

/// One MCP server whose tools are injected into bridged requests (SPEC §11).
struct McpServerSettings {
  std::string name;  // in tool names (bmcp_<name>_<tool>): letters, digits, '-'
  std::string url;   // Streamable HTTP endpoint, http(s)
  std::vector<std::pair<std::string, std::string>> headers;  // sent on every call; never logged
  std::string allow;  // a regular expression searched for in each tool's own name; "" = all
  std::string deny;   // likewise; deny wins over allow
};

struct McpSettings {
  std::vector<McpServerSettings> servers;
  std::uint64_t max_iterations = 10;  // provider calls after the first, per bridged request
  Duration call_timeout{30s};         // each MCP request (initialise, list, call)
};

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
  std::string database;  // resolved: "" in the sources means <data_dir>/aibridge.db
  unsigned threads = 0;  // resolved: 0 in the sources means the number of cores
  std::string log_level = "info";
  bool access_log = true;
  Duration retention{std::chrono::hours(24 * 60)};  // zero keeps records forever
  std::string request_log_dir;                      // resolved: "" means <data_dir>/request-logs
  Duration shutdown_grace{30s};
  std::uint64_t max_request_body = 32ULL << 20;
  std::uint64_t max_header_bytes = 64ULL << 10;
  std::string upstream_ca_file;  // extra trusted CAs for upstream TLS, beside the system store
  Timeouts timeouts;
  RecorderSettings recorder;
  McpSettings mcp;
  ProviderSettings openai{"https://api.openai.com/v1", {}};
  ProviderSettings anthropic{"https://api.anthropic.com", {}};
};

/// Where the values come from. `flags` maps a flag name without dashes ("data-dir") to its value.
struct ConfigSources {
  std::optional<std::string> file;
  std::map<std::string, std::string> flags;
  std::map<std::string, std::string> environment;
};

struct ConfigResult {
  Config config;
  /// Every problem found, each naming its source; empty = ok. Unknown AIBRIDGE_* variables are
  /// errors (a typo must not send traffic to the real provider), except the service variables
  /// Kubernetes adds for a service named "aibridge" (AIBRIDGE_SERVICE_HOST, AIBRIDGE_PORT_…).
  std::vector<std::string> errors;
};

ConfigResult load_config(const ConfigSources& sources);

/// The environment of this process as a map (for ConfigSources::environment).
std::map<std::string, std::string> process_environment();

/// Flag names (without dashes) of every key, in table order, with a one-line help text; a key
/// with a short variable also has its short flag (--openai-base-url beside
/// --providers-openai-base-url).
std::vector<std::pair<std::string, std::string>> config_flag_names();

}  // namespace aibridge::core
