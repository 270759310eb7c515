#pragma once
// A shard is one network thread with its own event loop, listening socket (SO_REUSEPORT),
// connections and upstream pool. Everything in a shard runs on its thread, so shard state needs
// no locks; the services it points to are thread-safe.
#include <atomic>
#include <functional>
#include <unordered_set>

#include "core/access_log.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/net.hpp"
#include "proxy/admin_service.hpp"
#include "proxy/auth.hpp"
#include "proxy/mcp/toolbox.hpp"
#include "proxy/request_dump.hpp"
#include "proxy/shard_metrics.hpp"
#include "proxy/upstream/client.hpp"
#include "proxy/upstream/origin.hpp"
#include "proxy/watchdog.hpp"
#include "recorder/recorder.hpp"
#include "recorder/store_pool.hpp"

namespace aibridge::proxy {

class Session;

/// Shared, thread-safe services every shard uses.
struct ServerDeps {
  const core::Config& config;
  core::Metrics& metrics;
  Authenticator& authenticator;
  recorder::StorePool& stores;
  recorder::Recorder& recorder;
  RequestDumper& dumper;
  ssl::context& upstream_tls;
  Origin openai;
  Origin anthropic;
  AdminService* admin = nullptr;
  core::AccessLog* access_log = nullptr;  // null: no access log
  const mcp::Toolbox* tools = nullptr;     // null or empty: nothing is injected

  const Origin& origin(Provider provider) const {
    return provider == Provider::kOpenAi ? openai : anthropic;
  }
  const std::string& api_key(Provider provider) const {
    return provider == Provider::kOpenAi ? config.openai.api_key : config.anthropic.api_key;
  }
};

/// An io_context whose pending work can be destroyed before its owner's other members are.
struct ShardContext : net::io_context {
  ShardContext() : net::io_context(1) {}
  using net::io_context::shutdown;
};

struct Shard {
  explicit Shard(const ServerDeps& deps_in)
      : deps(deps_in),
        acceptor(io),
        upstream(io, deps_in.upstream_tls, deps_in.config.timeouts),
        ticker(io),
        metrics(deps_in.metrics) {}
  // Suspended sessions still hold references into the shard (sessions, ticker, upstream); they
  // must be destroyed while those members exist.
  ~Shard() { io.shutdown(); }
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  const ServerDeps& deps;
  ShardContext io;
  tcp::acceptor acceptor;
  UpstreamClient upstream;
  WatchdogTicker ticker;                      // every connection's timeouts
  ShardMetrics metrics;                       // the series this shard counts into
  // Shutdown (SPEC §4.5), set on this shard's thread: while draining, connections are still
  // accepted and served, each response says Connection: close and /readyz answers 503; once
  // closing, the listener is closed and idle connections are closed.
  bool draining = false;
  bool closing = false;
  std::unordered_set<Session*> sessions;      // live connections, for drain and abort
  std::atomic<std::size_t> session_count{0};  // read by the control thread
  std::atomic<std::size_t> busy_sessions{0};  // sessions inside a request; read by the control
                                              // thread
  std::atomic<bool> listener_closed{false};   // set once closing; read by the control thread
  /// While draining, called on this thread when a session has finished a request or ended;
  /// tells the server's control thread to look again (set by the Server).
  std::function<void()> drain_progress;
};

}  // namespace aibridge::proxy
