#pragma once
// The JSON of GET …/interceptions, …/interceptions/{id}, …/sessions and …/sessions/{id}
// (SPEC §6.1, §10). Pure.
#include <string>

#include "recorder/query.hpp"

namespace aibridge::api {

enum class CountField { kCount, kTotal };  // /api/v2/… says "count", the experimental path "total"

std::string interceptions_body(const recorder::InterceptionPage& page, CountField count_field);

/// One interception, exactly as an element of the listing's "results".
std::string interception_body(const recorder::ListedInterception& row);

/// {"count", "results": [session…]}: each session summed over its interceptions.
std::string sessions_body(const recorder::SessionPage& page);

/// One session as in the listing, plus its "interceptions" (oldest first).
std::string session_body(const recorder::ListedSession& session);

}  // namespace aibridge::api
