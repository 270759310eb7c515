#include "api/pagination.hpp"

#include <charconv>

#include "core/ids.hpp"

namespace aibridge::api {
namespace {

constexpr std::int64_t kMaxInt32 = 2147483647;

// A single value, or a validation when the parameter is repeated. Empty values count as absent.
std::optional<std::string> single(const QueryParams& params, const std::string& name,
                                  std::vector<Validation>& validations) {
  const auto found = params.find(name);
  if (found == params.end()) {
    return std::nullopt;
  }
  if (found->second.size() > 1) {
    validations.push_back({name, "Query param \"" + name + "\" provided more than once, found " +
                                     std::to_string(found->second.size()) +
                                     " times. Only provide 1 instance of this query param."});
    return std::nullopt;
  }
  if (found->second.front().empty()) {
    return std::nullopt;
  }
  return found->second.front();
}

std::int64_t non_negative(const QueryParams& params, const std::string& name,
                          std::vector<Validation>& validations) {
  const auto text = single(params, name, validations);
  if (!text) {
    return 0;
  }
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [stop, error] = std::from_chars(text->data(), end, value);
  const std::string prefix =
      "Query param \"" + name + "\" must be a valid 32-bit positive integer: ";
  if (error == std::errc::result_out_of_range ||
      (error == std::errc() && stop == end && value > kMaxInt32)) {
    validations.push_back({name, prefix + "value \"" + *text + "\" is out of range"});
  } else if (error != std::errc() || stop != end) {
    validations.push_back({name, prefix + "\"" + *text + "\" is not a number"});
  } else if (value < 0) {
    validations.push_back({name, prefix + "value is negative"});
  }
  return value;
}

}  // namespace

std::variant<Pagination, ApiError> parse_pagination(const QueryParams& params, CursorKind cursor) {
  Pagination pagination;
  std::vector<Validation> validations;
  const auto after = single(params, "after_id", validations);
  if (after && cursor == CursorKind::kSession) {
    if (after->size() > kMaxSessionIdBytes) {
      validations.push_back({"after_id",
                             "Query param \"after_id\" must be a session id of at "
                             "most 256 bytes"});
    } else {
      pagination.after_id = *after;
    }
  } else if (after) {
    const auto id = core::parse_uuid(*after);
    if (!id) {
      validations.push_back({"after_id", "Query param \"after_id\" must be a valid uuid"});
    } else if (*id != "00000000-0000-0000-0000-000000000000") {
      pagination.after_id = id;
    }
  }
  pagination.limit = non_negative(params, "limit", validations);
  pagination.offset = non_negative(params, "offset", validations);
  if (!validations.empty()) {
    return ApiError{400, "Query parameters have invalid values.", "", std::move(validations)};
  }
  if (pagination.after_id && pagination.offset != 0) {
    return ApiError{400,
                    "Query parameters have invalid values.",
                    "Cannot use both after_id and offset pagination in the same request.",
                    {}};
  }
  if (pagination.limit == 0) {
    pagination.limit = kDefaultLimit;
  }
  if (pagination.limit > kMaxLimit) {
    return ApiError{
        400, "Invalid pagination limit value.", "Pagination limit must be in range (0, 1000]", {}};
  }
  return pagination;
}

}  // namespace aibridge::api
