#pragma once
// The table of configuration keys (internal to core/: config.cpp reads it).
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/config.hpp"

namespace aibridge::core {

/// A value as it arrives from a source: TOML keeps its type, environment and flags are text.
using RawValue = std::variant<std::string, std::int64_t, bool, double>;

struct KeySpec {
  std::string_view key;           // TOML path, e.g. "timeouts.stream_idle"
  std::string_view short_env;     // a shorter variable also accepted (e.g. AIBRIDGE_OPENAI_…), or
                                  // empty
  std::string_view fallback_env;  // read when neither is set (e.g. OPENAI_API_KEY), or empty
  std::string_view help;
  /// Validates and stores the value; on failure returns false and sets `error`.
  std::function<bool(Config&, const RawValue&, std::string& error)> apply;

  /// The documented names: "timeouts.stream_idle" → AIBRIDGE_TIMEOUTS_STREAM_IDLE and
  /// --timeouts-stream-idle.
  std::string env_name() const;
  std::string flag_name() const;
  /// The flag of short_env ("AIBRIDGE_OPENAI_BASE_URL" → "openai-base-url"), or empty.
  std::string short_flag_name() const;
};

std::span<const KeySpec> config_keys();

}  // namespace aibridge::core
