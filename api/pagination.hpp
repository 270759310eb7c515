#pragma once
// limit, offset and after_id (SPEC §6.2). Pure.
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
  std::optional<std::string> after_id;  // canonical UUID; the nil UUID means none
};

inline constexpr std::int64_t kDefaultLimit = 100;
inline constexpr std::int64_t kMaxLimit = 1000;

std::variant<Pagination, ApiError> parse_pagination(const QueryParams& params);

}  // namespace aibridge::api
