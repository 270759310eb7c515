#pragma once
// The `[[mcp.servers]]` tables of the configuration file (internal to core/: config.cpp reads
// them). A table, not a key: the environment and flags have no form for it.
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "core/config.hpp"

namespace aibridge::core {

/// Adds each valid server of `node` (which must be an array of tables) to `mcp.servers`; every
/// problem goes to `errors`, naming `path` and the line.
void read_mcp_servers(const toml::node& node, const std::string& path, McpSettings& mcp,
                      std::vector<std::string>& errors);

}  // namespace aibridge::core
