#pragma once
// limit, offset and after_id (SPEC §6.2). Pure.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "api/query_params.hpp"
#include "api/validation.hpp"

namespace aibridge::api {

struct Pagination {
  std::int64_t limit = 100;
  std::int64_t offset = 0;
  // A canonical UUID (the nil UUID means none), or for sessions any id a client sent.
  std::optional<std::string> after_id;
};

inline constexpr std::int64_t kDefaultLimit = 100;
inline constexpr std::int64_t kMaxLimit = 1000;

/// What after_id names: an interception (a UUID), or a session (any id a client sent).
enum class CursorKind { kInterception, kSession };

/// A client's session id is at most this long (the reference stores varchar(256)).
inline constexpr std::size_t kMaxSessionIdBytes = 256;

std::variant<Pagination, ApiError> parse_pagination(const QueryParams& params,
                                                    CursorKind cursor = CursorKind::kInterception);

}  // namespace aibridge::api
