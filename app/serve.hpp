#pragma once
#include "core/config.hpp"

namespace aibridge::app {

/// `aibridge serve`: runs the gateway until SIGINT/SIGTERM; returns the exit status.
int serve(const core::Config& config);

}  // namespace aibridge::app
