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
  std::string_view env;           // environment variable
  std::string_view fallback_env;  // read when `env` is unset (e.g. OPENAI_API_KEY), or empty
  std::string_view help;
  /// Validates and stores the value; on failure returns false and sets `error`.
  std::function<bool(Config&, const RawValue&, std::string& error)> apply;

  /// "AIBRIDGE_DATA_DIR" → "data-dir".
  std::string flag_name() const;
};

std::span<const KeySpec> config_keys();

}  // namespace aibridge::core
