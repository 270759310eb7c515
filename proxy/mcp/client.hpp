#pragma once
// An MCP server reached over Streamable HTTP: JSON-RPC requests posted to its URL with the
// configured headers, the session id it assigned at initialisation, and each answer read as JSON
// or from an SSE stream, all within mcp.call_timeout. Calls go over the caller's upstream
// client (a shard's pool, or the start-up one), with the relay's HTTP and TLS code. A server that
// answers a call with 404 no longer knows the session (it restarted): the call starts a new
// session and is sent once more (MCP, Streamable HTTP, session management).
#include <atomic>
#include <mutex>
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
  /// through its own upstream client); when the session has expired, it starts a new one.
  net::awaitable<Outcome> call_tool(UpstreamClient& upstream, Watchdog& watchdog,
                                    const std::string& name, const boost::json::value& arguments,
                                    const std::function<void(tcp::socket*)>& in_use = {}) const;

 private:
  struct Session {
    std::string id;  // Mcp-Session-Id; "" when the server gave none
    std::string protocol_version;
    std::uint64_t generation = 0;  // how many sessions this gateway has started with the server
  };
  struct RpcAnswer {
    Outcome outcome;
    unsigned status = 0;     // the HTTP status; 0 when none arrived
    std::string session_id;  // the answer's Mcp-Session-Id
  };

  net::awaitable<RpcAnswer> rpc(UpstreamClient& upstream, Watchdog& watchdog,
                                std::string_view method, const boost::json::value& params,
                                const Session& session,
                                const std::function<void(tcp::socket*)>& in_use = {}) const;
  net::awaitable<std::string> notify(UpstreamClient& upstream, Watchdog& watchdog,
                                     std::string_view method, const Session& session) const;
  /// initialize and notifications/initialized; sets `started` (but its generation) on success.
  net::awaitable<std::string> start_session(UpstreamClient& upstream, Watchdog& watchdog,
                                            Session& started) const;
  /// Makes `started` the session, unless another call already replaced the one of generation
  /// `replaced`.
  void adopt(Session started, std::uint64_t replaced) const;
  Session session() const;
  StringRequest post(std::string body, const Session& session) const;

  core::McpServerSettings settings_;
  core::Duration call_timeout_;
  Origin origin_;
  std::string target_;
  mutable std::mutex session_mutex_;  // guards session_ (shards renew it concurrently)
  mutable Session session_;
  mutable std::atomic<std::int64_t> next_id_{1};
};

}  // namespace aibridge::proxy::mcp
