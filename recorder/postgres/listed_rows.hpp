#pragma once
// Interceptions as the admin API lists them, read from aibridge_interceptions i with the
// initiator's users row u: the columns to select and how to read them back.
#include <string_view>

#include "recorder/postgres/connection.hpp"
#include "recorder/query.hpp"

namespace aibridge::recorder::postgres {

/// The columns read_listed() reads, in its order, and how many there are.
extern const std::string_view kListedColumns;
inline constexpr std::size_t kListedColumnCount = 19;
/// " LEFT JOIN users u …": the initiator, when the user still exists.
extern const std::string_view kInitiatorJoin;

ListedInterception read_listed(const Result& rows, int row);

}  // namespace aibridge::recorder::postgres
