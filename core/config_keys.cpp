#include "core/config_keys.hpp"

#include <array>
#include <cctype>
#include <limits>

namespace aibridge::core {
namespace {

using Apply = std::function<bool(Config&, const RawValue&, std::string&)>;

bool as_text(const RawValue& value, std::string& out, std::string& error) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    out = *text;
    return true;
  }
  error = "expected a string";
  return false;
}

template <class Field>
Apply string_key(Field field, std::function<bool(const std::string&, std::string&)> check = {}) {
  return [field, check](Config& config, const RawValue& value, std::string& error) {
    std::string text;
    if (!as_text(value, text, error) || (check && !check(text, error))) {
      return false;
    }
    field(config) = text;
    return true;
  };
}

template <class Field>
Apply duration_key(Field field, bool allow_zero) {
  return [field, allow_zero](Config& config, const RawValue& value, std::string& error) {
    std::string text;
    if (const auto* number = std::get_if<std::int64_t>(&value); number && *number == 0) {
      text = "0";
    } else if (!as_text(value, text, error)) {
      error = "expected a duration string such as \"30s\"";
      return false;
    }
    const auto parsed = parse_duration(text, error);
    if (!parsed) {
      return false;
    }
    if (!allow_zero && parsed->count() == 0) {
      error = "must be greater than zero";
      return false;
    }
    field(config) = *parsed;
    return true;
  };
}

bool as_unsigned(const RawValue& value, std::uint64_t& out, std::string& error, bool sizes) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) {
    if (*number < 0) {
      error = "must not be negative";
      return false;
    }
    out = static_cast<std::uint64_t>(*number);
    return true;
  }
  std::string text;
  if (!as_text(value, text, error)) {
    error = sizes ? "expected a size such as 65536 or \"64KiB\"" : "expected an integer";
    return false;
  }
  if (sizes) {
    const auto parsed = parse_size(text, error);
    if (parsed) {
      out = *parsed;
    }
    return parsed.has_value();
  }
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
      text.size() > 18) {
    error = "invalid integer \"" + text + "\"";
    return false;
  }
  out = std::stoull(text);
  return true;
}

template <class Field>
Apply unsigned_key(Field field, std::uint64_t min, std::uint64_t max, bool sizes) {
  return [=](Config& config, const RawValue& value, std::string& error) {
    std::uint64_t number = 0;
    if (!as_unsigned(value, number, error, sizes)) {
      return false;
    }
    if (number < min || number > max) {
      error = "must be between " + std::to_string(min) + " and " + std::to_string(max);
      return false;
    }
    field(config) = static_cast<std::remove_reference_t<decltype(field(config))>>(number);
    return true;
  };
}

template <class Field>
Apply bool_key(Field field) {
  return [field](Config& config, const RawValue& value, std::string& error) {
    if (const auto* flag = std::get_if<bool>(&value)) {
      field(config) = *flag;
      return true;
    }
    std::string text;
    if (as_text(value, text, error)) {
      if (text == "true" || text == "1") {
        field(config) = true;
        return true;
      }
      if (text == "false" || text == "0") {
        field(config) = false;
        return true;
      }
    }
    error = "expected true or false";
    return false;
  };
}

bool one_of(const std::string& text, std::initializer_list<std::string_view> allowed,
            std::string& error) {
  std::string list;
  for (std::string_view option : allowed) {
    if (text == option) {
      return true;
    }
    list += list.empty() ? "" : ", ";
    list += option;
  }
  error = "\"" + text + "\" is not one of: " + list;
  return false;
}

bool check_base_url(const std::string& text, std::string& error) {
  const bool http = text.starts_with("http://");
  const bool https = text.starts_with("https://");
  const std::size_t host_start = http ? 7 : 8;
  if ((!http && !https) || text.size() <= host_start || text[host_start] == '/' ||
      text.find_first_of(" ?#") != std::string::npos) {
    error = "\"" + text + "\" is not an http:// or https:// URL with a host";
    return false;
  }
  return true;
}

bool check_listen(const std::string& text, std::string& error) {
  const std::size_t colon = text.rfind(':');
  bool ok = colon != std::string::npos && colon + 1 < text.size();
  if (ok) {
    const std::string port = text.substr(colon + 1);
    ok = port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos &&
         std::stoul(port) <= 65535;
  }
  if (!ok) {
    error = "\"" + text + "\" is not HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080, 0.0.0.0:8080)";
  }
  return ok;
}

bool check_not_empty(const std::string& text, std::string& error) {
  if (text.empty()) {
    error = "must not be empty";
    return false;
  }
  return true;
}

constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::int64_t>::max();

std::vector<KeySpec> build_table() {
  using C = Config;
  auto log_levels = [](const std::string& text, std::string& error) {
    return one_of(text, {"trace", "debug", "info", "warn", "error", "critical", "off"}, error);
  };
  auto sync_modes = [](const std::string& text, std::string& error) {
    return one_of(text, {"off", "normal", "full"}, error);
  };
  return {
      {"listen", "", "", "address to listen on, HOST:PORT",
       string_key(
           [](C & c) -> auto& { return c.listen; }, check_listen)},
      {"data_dir", "", "", "directory for the database, admin token and dumps",
       string_key(
           [](C & c) -> auto& { return c.data_dir; }, check_not_empty)},
      {"database", "", "", "SQLite database path (default <data_dir>/aibridge.db)",
       string_key([](C & c) -> auto& { return c.database; })},
      {"threads", "", "", "network threads (0 = number of cores)",
       unsigned_key(
           [](C & c) -> auto& { return c.threads; }, 0, 256, false)},
      {"log_level", "", "", "trace, debug, info, warn, error, critical or off",
       string_key(
           [](C & c) -> auto& { return c.log_level; }, log_levels)},
      {"access_log", "", "", "log one line per request",
       bool_key([](C & c) -> auto& { return c.access_log; })},
      {"retention", "", "", "delete interceptions older than this (0 = keep)",
       duration_key(
           [](C & c) -> auto& { return c.retention; }, true)},
      {"request_log_dir", "", "",
       "request dump directory (default <data_dir>/request-logs)",
       string_key([](C & c) -> auto& { return c.request_log_dir; })},
      {"shutdown_grace", "", "", "time in-flight streams get at shutdown",
       duration_key(
           [](C & c) -> auto& { return c.shutdown_grace; }, true)},
      {"max_request_body", "", "", "largest request body accepted",
       unsigned_key(
           [](C & c) -> auto& { return c.max_request_body; }, 1, kMaxU64, true)},
      {"max_header_bytes", "", "", "largest request header block",
       unsigned_key(
           [](C & c) -> auto& { return c.max_header_bytes; }, 1024, 1ULL << 24, true)},
      {"upstream_ca_file", "", "",
       "extra CA bundle trusted for upstream TLS",
       string_key([](C & c) -> auto& { return c.upstream_ca_file; })},
      {"timeouts.upstream_connect", "", "",
       "TCP connect to the provider",
       duration_key(
           [](C & c) -> auto& { return c.timeouts.upstream_connect; }, false)},
      {"timeouts.upstream_tls", "", "", "TLS handshake",
       duration_key(
           [](C & c) -> auto& { return c.timeouts.upstream_tls; }, false)},
      {"timeouts.blocking_response", "", "",
       "whole non-streaming response",
       duration_key(
           [](C & c) -> auto& { return c.timeouts.blocking_response; }, false)},
      {"timeouts.stream_idle", "", "",
       "longest pause inside a stream (either direction)",
       duration_key(
           [](C & c) -> auto& { return c.timeouts.stream_idle; }, false)},
      {"timeouts.client_idle", "", "",
       "idle keep-alive connection lifetime",
       duration_key(
           [](C & c) -> auto& { return c.timeouts.client_idle; }, false)},
      {"timeouts.client_request", "", "",
       "time a client has to send a whole request",
       duration_key(
           [](C & c) -> auto& { return c.timeouts.client_request; }, false)},
      {"recorder.queue_capacity", "", "",
       "interceptions waiting to be written before new ones are dropped",
       unsigned_key(
           [](C & c) -> auto& { return c.recorder.queue_capacity; }, 1, 1ULL << 24, false)},
      {"recorder.batch_size", "", "",
       "interceptions per write transaction",
       unsigned_key(
           [](C & c) -> auto& { return c.recorder.batch_size; }, 1, 1ULL << 20, false)},
      {"recorder.flush_interval", "", "",
       "longest time a record waits before it is written (at most 200ms)",
       [](C& c, const RawValue& value, std::string& error) {
         Config probe;
         if (!duration_key(
                 [](C & p) -> auto& { return p.recorder.flush_interval; }, false)(probe, value,
                                                                                  error)) {
           return false;
         }
         if (probe.recorder.flush_interval > std::chrono::milliseconds(200)) {
           error = "must be at most 200ms (it bounds what a crash can lose)";
           return false;
         }
         c.recorder.flush_interval = probe.recorder.flush_interval;
         return true;
       }},
      {"recorder.synchronous", "", "",
       "SQLite synchronous mode: off, normal or full",
       string_key(
           [](C & c) -> auto& { return c.recorder.synchronous; }, sync_modes)},
      {"recorder.max_sse_event_bytes", "", "",
       "largest SSE event the extractors look at (larger ones are relayed, not parsed)",
       unsigned_key(
           [](C & c) -> auto& { return c.recorder.max_sse_event_bytes; }, 1024, kMaxU64, true)},
      {"recorder.max_recorded_body", "", "",
       "largest non-streaming response body the extractors look at",
       unsigned_key(
           [](C & c) -> auto& { return c.recorder.max_recorded_body; }, 1024, kMaxU64, true)},
      {"mcp.max_iterations", "", "",
       "provider calls after the first one a request with injected tools may make",
       unsigned_key(
           [](C & c) -> auto& { return c.mcp.max_iterations; }, 1, 100, false)},
      {"mcp.call_timeout", "", "", "longest an MCP server may take to answer one call",
       duration_key(
           [](C & c) -> auto& { return c.mcp.call_timeout; }, false)},
      {"providers.openai.base_url", "AIBRIDGE_OPENAI_BASE_URL", "", "OpenAI API base URL",
       string_key(
           [](C & c) -> auto& { return c.openai.base_url; }, check_base_url)},
      {"providers.openai.api_key", "AIBRIDGE_OPENAI_API_KEY", "OPENAI_API_KEY", "OpenAI API key",
       string_key([](C & c) -> auto& { return c.openai.api_key; })},
      {"providers.anthropic.base_url", "AIBRIDGE_ANTHROPIC_BASE_URL", "", "Anthropic API base URL",
       string_key(
           [](C & c) -> auto& { return c.anthropic.base_url; }, check_base_url)},
      {"providers.anthropic.api_key", "AIBRIDGE_ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY",
       "Anthropic API key", string_key([](C & c) -> auto& { return c.anthropic.api_key; })},
  };
}

}  // namespace

std::string KeySpec::env_name() const {
  std::string name = "AIBRIDGE_";
  for (const char c : key) {
    name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

std::string KeySpec::flag_name() const {
  std::string name(key);
  for (char& c : name) {
    c = c == '.' || c == '_' ? '-' : c;
  }
  return name;
}

std::string KeySpec::short_flag_name() const {
  std::string name(short_env.substr(std::min(short_env.size(), std::string_view("AIBRIDGE_").size())));
  for (char& c : name) {
    c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name;
}

std::span<const KeySpec> config_keys() {
  static const std::vector<KeySpec> table = build_table();
  return table;
}

}  // namespace aibridge::core
