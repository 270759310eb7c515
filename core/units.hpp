#pragma once
// Parsing of the human units the configuration accepts: durations ("250ms", "1h30m", "60d")
// and byte sizes ("64KiB", "32MiB", "1048576").
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aibridge::core {

using Duration = std::chrono::milliseconds;

/// Accepts "0" or one or more <integer><unit> groups, unit one of ms, s, m, h, d.
/// On failure returns nullopt and sets `error` to a sentence naming what is wrong.
std::optional<Duration> parse_duration(std::string_view text, std::string& error);

/// Accepts an integer byte count, optionally followed by B, KB, MB, GB (powers of 1000)
/// or KiB, MiB, GiB (powers of 1024). Case-insensitive.
std::optional<std::uint64_t> parse_size(std::string_view text, std::string& error);

/// Renders a duration the way parse_duration reads it, largest units first ("1h30m", "250ms").
std::string format_duration(Duration duration);

}  // namespace aibridge::core
