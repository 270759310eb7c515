#pragma once
#include <chrono>
#include <cstddef>

#include "recorder/store.hpp"

namespace aibridge::recorder {

/// Deletes interceptions started more than `retention` ago (with their children), at most
/// `batches` batches of `batch_size` per call so that the writer goes back to new records in
/// between. Returns how many interceptions it deleted. A zero retention keeps everything.
std::size_t apply_retention(RecordSink& store, std::chrono::milliseconds retention,
                            std::size_t batch_size = 1000, std::size_t batches = 10);

}  // namespace aibridge::recorder
