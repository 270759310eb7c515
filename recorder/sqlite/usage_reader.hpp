#pragma once
// GET usage on SQLite: the sums of a filter's interceptions per facet and day, from the
// per-facet rollups and, for slivers under a second at the range's ends, the rows
// (recorder/usage.hpp).
#include <vector>

#include "recorder/query.hpp"
#include "recorder/sqlite/record_reader.hpp"
#include "recorder/usage.hpp"

namespace aibridge::recorder::sqlite {

/// In one read snapshot. The filter's open ends stop at the days of the first and last rows.
UsageSums read_usage(RecordReader& reader, const InterceptionFilter& filter);

}  // namespace aibridge::recorder::sqlite
