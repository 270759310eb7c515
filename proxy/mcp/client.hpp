#pragma once
// An MCP server reached over Streamable HTTP: JSON-RPC requests posted to its URL with the
// configured headers, the session id it assigned at initialisation, and each answer read as JSON
// or from an SSE stream, all within mcp.call_timeout. Calls go over the caller's upstream
// client (a shard's pool, or the start-up one), with the relay's HTTP and TLS code.
#include <atomic>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "core/config.hpp"
#include "proxy/admin_service.hpp"
#include "proxy/mcp/catalogue.hpp"
#include "proxy/upstream/client.hpp"
#include "proxy/upstream/origin.hpp"

namespace aibridge::proxy::mcp {

/// What a call gave: a result, or the error that prevented one (transport or JSON-RPC).
struct Outcome {
  std::optional<boost::json::value> result;
  std::string error;
};

class Server {
 public:
  /// Throws std::invalid_argument when the URL cannot be used.
  Server(core::McpServerSettings settings, core::Duration call_timeout);

  const core::McpServerSettings& settings() const { return settings_; }
  const std::string& name() const { return settings_.name; }

  /// initialize, then notifications/initialized. Before any other call; not concurrently.
  net::awaitable<std::string> initialize(UpstreamClient& upstream, Watchdog& watchdog);
  /// Every page of tools/list, filtered by allow/deny. Sets `error` when a page failed.
  net::awaitable<std::vector<Tool>> list_tools(UpstreamClient& upstream, Watchdog& watchdog,
                                               std::string& error);
  /// tools/call of the server's tool `name`. Thread-safe once initialised (each shard calls
  /// through its own upstream client).
  net::awaitable<Outcome> call_tool(UpstreamClient& upstream, Watchdog& watchdog,
                                    const std::string& name, const boost::json::value& arguments,
                                    const std::function<void(tcp::socket*)>& in_use = {}) const;

 private:
  net::awaitable<Outcome> rpc(UpstreamClient& upstream, Watchdog& watchdog, std::string_view method,
                              const boost::json::value& params,
                              const std::function<void(tcp::socket*)>& in_use,
                              std::string* session_id = nullptr) const;
  net::awaitable<std::string> notify(UpstreamClient& upstream, Watchdog& watchdog,
                                     std::string_view method) const;
  StringRequest post(std::string body) const;

  core::McpServerSettings settings_;
  core::Duration call_timeout_;
  Origin origin_;
  std::string target_;
  // Set by initialize(), then only read.
  std::string session_id_;
  std::string protocol_version_;
  mutable std::atomic<std::int64_t> next_id_{1};
};

}  // namespace aibridge::proxy::mcp
