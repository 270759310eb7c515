#pragma once
// Where the gateway keeps its state, created the same way by `serve` and the CLI: the data
// directory (and the database's, if elsewhere) private to the user, since the database, the
// admin token and the request dumps hold credentials and prompts.
#include "core/config.hpp"

namespace aibridge::app {

/// Creates data_dir and the database's directory, mode 0700, when they are missing.
void create_data_directories(const core::Config& config);

/// Files the process creates from now on are private (umask 077).
void keep_created_files_private();

}  // namespace aibridge::app
