#pragma once

namespace aibridge::app {

/// The `aibridge` command line (SPEC §2). Returns the process exit status: 0 on success, 1 when
/// a command fails, 2 for usage or configuration errors.
int run_cli(int argc, char** argv);

}  // namespace aibridge::app
