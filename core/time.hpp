#pragma once
// Timestamps are microseconds since the Unix epoch (UTC) everywhere in the project: that is what
// the database stores and what the admin API prints (RFC 3339, microsecond precision).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aibridge::core {

using UnixMicros = std::int64_t;

UnixMicros now_micros();

/// "2025-10-22T14:03:11.123456Z" with trailing fractional zeros trimmed (no fraction when zero).
std::string format_rfc3339(UnixMicros micros);
/// The same, appended to `out`.
void append_rfc3339(std::string& out, UnixMicros micros);

/// Parses RFC 3339 with an optional 1..9 digit fraction and a required zone (Z or ±hh:mm); the
/// letters T and Z may be lower case. Precision beyond microseconds is truncated.
std::optional<UnixMicros> parse_rfc3339(std::string_view text);

}  // namespace aibridge::core
