#pragma once
// The JSON of GET …/interceptions (SPEC §6.1). Pure.
#include <string>

#include "recorder/query.hpp"

namespace aibridge::api {

enum class CountField { kCount, kTotal };  // /api/v2/… says "count", the experimental path "total"

std::string interceptions_body(const recorder::InterceptionPage& page, CountField count_field);

}  // namespace aibridge::api
