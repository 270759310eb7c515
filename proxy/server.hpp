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

  /// Serves until shutdown has completed: on SIGINT/SIGTERM (or request_shutdown()) answers
  /// /readyz 503 and closes each connection after its next response, lets in-flight requests
  /// finish for the grace period, then cancels them. A second signal cancels at once.
  void run();

  /// Thread-safe; may be called before or during run().
  void request_shutdown();

 private:
  // The shutdown timeline (SPEC §4.5), on the control thread: draining until no request is in
  // flight (connections still accepted and served, each told Connection: close, /readyz 503),
  // then closing (listener and idle connections closed) until no connection is left. The grace
  // period's end, or a second signal, aborts: every connection cancelled.
  enum class Phase { kServing, kDraining, kClosing, kAborting };

  /// Runs `work` on each shard's own thread.
  void on_every_shard(void (*work)(Shard&));
  void begin_shutdown();
  void abort_sessions();
  /// A shard reported a finished request or an ended connection while shutting down.
  void on_drain_progress();
  std::size_t busy_sessions() const;
  std::size_t session_count() const;
  bool all_listeners_closed() const;

  ServerDeps deps_;
  net::io_context control_;  // signals and the shutdown timeline, run by run()'s caller
  // Registered at construction, before the listen log line, so a signal sent as soon as the
  // server is seen listening is queued rather than killing the process.
  net::signal_set signals_{control_, SIGINT, SIGTERM};
  net::steady_timer deadline_{control_};  // the grace period's end, then the abort limit
  Phase phase_ = Phase::kServing;          // control thread only
  // Last: destroyed first, while the control context their sessions report to still exists.
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace aibridge::proxy
