#pragma once
// The `q` search grammar of the interceptions list (SPEC §6.3, plus `client:` and `status:`):
// space-separated key:value terms, double quotes grouping, words without a colon meaning an
// initiator. Pure: the initiator is
// returned as written and resolved against the users by the caller.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/validation.hpp"
#include "core/time.hpp"
#include "recorder/records.hpp"

namespace aibridge::api {

struct SearchTerms {
  std::optional<std::string> initiator;  // "me", a user UUID, or a username
  std::optional<std::string> provider;
  std::optional<std::string> model;
  std::optional<core::UnixMicros> started_after;   // inclusive
  std::optional<core::UnixMicros> started_before;  // inclusive
  std::optional<std::string> client;               // as detected ("Claude Code")
  std::optional<recorder::Status> status;
};

/// The terms, or every problem found (a validation each).
std::variant<SearchTerms, std::vector<Validation>> parse_search(std::string_view q);

/// Splits on `separator` outside double quotes, dropping empty fields (Go's FieldsFunc).
std::vector<std::string> split_outside_quotes(std::string_view text, char separator);

}  // namespace aibridge::api
