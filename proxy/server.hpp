#pragma once
// The listener: one shard (thread + event loop + SO_REUSEPORT socket) per configured thread,
// and the graceful shutdown of SPEC §4.5.
#include <memory>
#include <thread>
#include <vector>

#include "proxy/shard.hpp"

namespace aibridge::proxy {

class Server {
 public:
  explicit Server(ServerDeps deps);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds every shard's listening socket; throws std::runtime_error naming the address.
  tcp::endpoint listen();

  /// Serves until shutdown has completed: on SIGINT/SIGTERM (or request_shutdown()) stops
  /// accepting, lets in-flight requests finish for the grace period, then cancels them. A second
  /// signal cancels at once.
  void run();

  /// Thread-safe; may be called before or during run().
  void request_shutdown();

 private:
  void begin_shutdown();
  void abort_sessions();
  bool all_sessions_done() const;
  net::awaitable<void> wait_for_drain();

  ServerDeps deps_;
  std::vector<std::unique_ptr<Shard>> shards_;
  net::io_context control_;     // signals and the shutdown timeline, run by run()'s caller
  // Registered at construction, before the listen log line, so a signal sent as soon as the
  // server is seen listening is queued rather than killing the process.
  net::signal_set signals_{control_, SIGINT, SIGTERM};
  bool shutting_down_ = false;  // control thread only
};

}  // namespace aibridge::proxy
