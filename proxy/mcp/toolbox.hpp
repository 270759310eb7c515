#pragma once
// The MCP servers and the tools the gateway injects, set up once at start (SPEC §11): every
// configured server is initialised and listed at the same time; one that fails is logged and
// left out. Read-only afterwards, shared by every shard.
#include <memory>
#include <string_view>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "core/config.hpp"
#include "proxy/mcp/catalogue.hpp"
#include "proxy/mcp/client.hpp"

namespace aibridge::proxy::mcp {

class Toolbox {
 public:
  /// No servers, no tools.
  Toolbox() = default;
  /// Connects to every server of `settings` (blocking the caller until each has answered, failed
  /// or timed out).
  static std::unique_ptr<Toolbox> start(const core::McpSettings& settings,
                                        boost::asio::ssl::context& tls,
                                        const core::Timeouts& timeouts);

  const Catalogue& catalogue() const { return catalogue_; }
  bool empty() const { return catalogue_.empty(); }
  const Server* server(std::string_view name) const;
  std::uint64_t max_iterations() const { return max_iterations_; }

 private:
  std::vector<std::unique_ptr<Server>> servers_;  // those that answered
  Catalogue catalogue_;
  std::uint64_t max_iterations_ = 0;
};

}  // namespace aibridge::proxy::mcp
