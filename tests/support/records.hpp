#pragma once
// What a gateway started for a test has recorded, read back through the store as the admin API
// reads it.
#include <chrono>
#include <optional>
#include <string>

#include "recorder/records.hpp"

namespace aibridge::testing {

/// The interception `id` of a gateway started on `data_dir`, once its writer has written it;
/// nullopt when it is not there within `within`. (Polled: the test has no signal from another
/// process's writer.)
std::optional<recorder::Interception> await_recorded(
    const std::string& data_dir, const std::string& id,
    std::chrono::milliseconds within = std::chrono::seconds(5));

}  // namespace aibridge::testing
