#pragma once
// A filter's equality terms as " AND …" conditions on one table's columns (aibridge_interceptions
// i, or aibridge_facets f, which share the names), with their parameters numbered from $1 (a
// query adds its time range and cursor after them).
#include <string>
#include <string_view>

#include "recorder/postgres/connection.hpp"
#include "recorder/query.hpp"

namespace aibridge::recorder::postgres {

struct Terms {
  std::string sql;
  Params params;

  void term(std::string_view column, std::string_view value);
};

/// Columns named `alias` + name ("i.model"). User ids must have been checked to be UUIDs.
Terms terms_of(const InterceptionFilter& filter, std::string_view alias = "i.");

}  // namespace aibridge::recorder::postgres
