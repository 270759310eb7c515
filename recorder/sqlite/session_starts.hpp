#pragma once
// Which rows of aibridge_records start a session (recorder/query.hpp): the writer flags a row
// without a session id, or with none of the same session id and initiator before it, and moves
// the flag (and the rollups' session count) when an earlier row arrives late or retention
// removes the first.
#include <string_view>

namespace aibridge::recorder::sqlite {

/// " AND …" for a statement over aibridge_records aliased r.
inline constexpr std::string_view kStartsSession = " AND r.starts_session = 1";

}  // namespace aibridge::recorder::sqlite
