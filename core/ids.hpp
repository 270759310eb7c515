#pragma once
// UUIDs as canonical lower-case strings ("3f1c…-…"), the form stored in the database.
#include <optional>
#include <string>
#include <string_view>

namespace aibridge::core {

/// A time-ordered (version 7) UUID. Thread-safe: each thread has its own generator.
std::string new_uuid();

/// Accepts the canonical 36-character form in either case, 32 hex digits without hyphens,
/// the same wrapped in braces, or with a "urn:uuid:" prefix; returns the canonical lower-case form.
std::optional<std::string> parse_uuid(std::string_view text);

}  // namespace aibridge::core
