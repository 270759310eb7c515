#pragma once
// GET usage (SPEC §10): which dimensions to group by, and the answer's JSON built from the
// store's sums per facet and day. Pure.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "api/query_params.hpp"
#include "api/validation.hpp"
#include "recorder/records.hpp"
#include "recorder/usage.hpp"

namespace aibridge::api {

enum class UsageDimension { kDay, kUser, kModel, kClient, kProvider };

/// `group_by`: one or two distinct dimensions, comma-separated ("day" when absent).
std::variant<std::vector<UsageDimension>, ApiError> parse_group_by(const QueryParams& params);

/// The most days one answer lists (ten years).
inline constexpr std::int64_t kMaxUsageDays = 3660;

struct UsageRange {
  std::optional<std::int64_t> first_day;  // from the filter; else the first day with usage
  std::optional<std::int64_t> last_day;
};

/// {"group_by", "results", "total"}: one result per combination of the dimensions' values,
/// ordered by them (days ascending, users by username, the rest by value); grouped by day,
/// every day of the range is listed for every combination of the other dimensions, with zeros
/// where there was nothing. `users` holds the initiators known by id (others show their id
/// only). An error when the range has more than kMaxUsageDays days.
std::variant<std::string, ApiError> usage_body(const std::vector<UsageDimension>& dimensions,
                                               const recorder::UsageSums& sums,
                                               const std::map<std::string, recorder::User>& users,
                                               UsageRange range);

}  // namespace aibridge::api
