#include "proxy/server.hpp"

#include <spdlog/spdlog.h>

#include "core/threads.hpp"
#include "proxy/session.hpp"
#include "proxy/shard_metrics.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace aibridge::proxy {
namespace {

tcp::endpoint parse_listen(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) {
    host = "0.0.0.0";
  }
  net::io_context resolver_io;
  tcp::resolver resolver(resolver_io);
  error_code error;
  const auto results = resolver.resolve(host, port, tcp::resolver::numeric_service, error);
  if (error || results.empty()) {
    throw std::runtime_error("cannot resolve listen address " + listen + ": " + error.message());
  }
  return results.begin()->endpoint();
}

net::awaitable<void> serve_connection(Shard& shard, tcp::socket socket) {
  Session session(shard, std::move(socket));
  co_await session.run();
}

net::awaitable<void> accept_loop(Shard& shard) {
  for (;;) {
    auto [error, socket] = co_await shard.acceptor.async_accept(net::as_tuple(net::use_awaitable));
    if (error == net::error::operation_aborted || !shard.acceptor.is_open()) {
      co_return;
    }
    if (error) {
      // Out of descriptors or memory: back off briefly instead of spinning.
      spdlog::error("accept failed: {}", error.message());
      net::steady_timer pause(shard.io, std::chrono::milliseconds(50));
      co_await pause.async_wait(net::as_tuple(net::use_awaitable));
      continue;
    }
    net::co_spawn(shard.io, serve_connection(shard, std::move(socket)),
                  [](const std::exception_ptr& failure) {
                    if (!failure) {
                      return;
                    }
                    try {
                      std::rethrow_exception(failure);
                    } catch (const std::exception& e) {
                      spdlog::error("connection ended by an unexpected error: {}", e.what());
                    }
                  });
  }
}

}  // namespace

Server::Server(ServerDeps deps) : deps_(deps) {
  export_known_series(deps_.metrics);
  for (unsigned i = 0; i < deps_.config.threads; ++i) {
    shards_.push_back(std::make_unique<Shard>(deps_));
    shards_.back()->drain_progress = [this] {
      net::post(control_, [this] { on_drain_progress(); });
    };
  }
}

Server::~Server() = default;

tcp::endpoint Server::listen() {
  tcp::endpoint endpoint = parse_listen(deps_.config.listen);
  // One listening socket, without SO_REUSEPORT: while it listens the kernel refuses every other
  // bind that overlaps its address (another gateway, or a program binding a more specific
  // address of the same port). Each further shard accepts from a duplicate of its descriptor;
  // a new connection wakes every shard and the first to ask takes it, so a busy shard takes
  // fewer.
  tcp::acceptor& first = shards_.front()->acceptor;
  error_code error;
  first.open(endpoint.protocol(), error);
  if (!error) {
    first.set_option(tcp::acceptor::reuse_address(true), error);  // past TIME_WAIT sockets
  }
  if (!error) {
    first.bind(endpoint, error);
  }
  if (!error) {
    first.listen(net::socket_base::max_listen_connections, error);
  }
  if (error) {
    throw std::runtime_error(
        "cannot listen on " + deps_.config.listen + ": " + error.message() +
        (error == net::error::address_in_use ? " (another process, or gateway, listens there)"
                                             : ""));
  }
  for (std::size_t i = 1; i < shards_.size(); ++i) {
    const int copy = ::fcntl(first.native_handle(), F_DUPFD_CLOEXEC, 0);
    if (copy < 0) {
      throw std::runtime_error("cannot share the listening socket between threads: " +
                               std::string(std::strerror(errno)));
    }
    shards_[i]->acceptor.assign(endpoint.protocol(), copy, error);
    if (error) {
      ::close(copy);
      throw std::runtime_error("cannot share the listening socket between threads: " +
                               error.message());
    }
  }
  return first.local_endpoint();  // with port 0, the port the kernel chose
}

namespace {

// Runs one of a shard's own loops (accepting, the watchdog ticker, the idle-connection sweep)
// for the shard's lifetime: a loop that ends by an exception is logged and started again, so
// that an unexpected error can never leave a shard silently without it.
template <class MakeLoop>
void keep_running(Shard& shard, const char* what, MakeLoop make_loop) {
  net::co_spawn(shard.io, make_loop(), [&shard, what, make_loop](const std::exception_ptr& failure) {
    if (!failure) {
      return;  // ended as it should (shutdown)
    }
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      spdlog::error("{} loop failed ({}); starting it again", what, e.what());
    }
    keep_running(shard, what, make_loop);
  });
}

}  // namespace

void Server::run() {
  for (auto& shard : shards_) {
    Shard& one = *shard;
    keep_running(one, "accept", [&one] { return accept_loop(one); });
    keep_running(one, "upstream pool sweep", [&one] { return one.upstream.sweep_idle(); });
    keep_running(one, "watchdog", [&one] { return one.ticker.run(); });
  }
  std::vector<std::thread> threads;
  threads.reserve(shards_.size());
  for (auto& shard : shards_) {
    threads.emplace_back([&io = shard->io, index = threads.size()] {
      core::name_thread(("ab-net-" + std::to_string(index)).c_str());
      io.run();
    });
  }

  std::function<void(const error_code&, int)> on_signal = [&](const error_code& error, int signal) {
    if (error) {
      return;
    }
    if (phase_ != Phase::kServing) {
      spdlog::warn("second signal ({}): cancelling in-flight requests now", signal);
      abort_sessions();
    } else {
      spdlog::info("signal {}: shutting down", signal);
      begin_shutdown();
    }
    signals_.async_wait(on_signal);
  };
  signals_.async_wait(on_signal);
  control_.run();

  for (auto& shard : shards_) {
    shard->io.stop();
  }
  for (auto& thread : threads) {
    thread.join();
  }
}

void Server::request_shutdown() {
  net::post(control_, [this] { begin_shutdown(); });
}

namespace {

// On the shard's thread: no more connections; `each` (close_if_idle or abort) for every one.
void close_listener(Shard& shard, void (Session::*each)()) {
  shard.closing = true;
  error_code ignored;
  shard.acceptor.close(ignored);
  shard.listener_closed.store(true, std::memory_order_release);
  for (Session* session : shard.sessions) {
    (session->*each)();
  }
  shard.drain_progress();
}

}  // namespace

void Server::on_every_shard(void (*work)(Shard&)) {
  for (auto& shard : shards_) {
    net::post(shard->io, [&shard = *shard, work] { work(shard); });
  }
}

void Server::begin_shutdown() {
  if (phase_ != Phase::kServing) {
    return;
  }
  phase_ = Phase::kDraining;
  on_every_shard([](Shard& shard) {
    shard.draining = true;
    shard.drain_progress();  // requests may all have finished already
  });
  deadline_.expires_after(deps_.config.shutdown_grace);
  deadline_.async_wait([this](const error_code& error) {
    if (!error && phase_ != Phase::kAborting) {
      spdlog::warn("shutdown grace period over: cancelling in-flight requests");
      abort_sessions();
    }
  });
}

void Server::on_drain_progress() {
  if (phase_ == Phase::kDraining && busy_sessions() == 0) {
    // Every request has been answered: stop listening, close the idle connections.
    phase_ = Phase::kClosing;
    on_every_shard([](Shard& shard) { close_listener(shard, &Session::close_if_idle); });
    return;
  }
  // Done once every shard has stopped accepting and no connection is left.
  if ((phase_ == Phase::kClosing || phase_ == Phase::kAborting) && all_listeners_closed() &&
      session_count() == 0) {
    deadline_.cancel();
    control_.stop();
  }
}

void Server::abort_sessions() {
  if (phase_ == Phase::kAborting) {
    return;
  }
  phase_ = Phase::kAborting;
  on_every_shard([](Shard& shard) {
    shard.draining = true;
    close_listener(shard, &Session::abort);
  });
  // Cancelled connections end at once; never hang on one that does not.
  constexpr auto kAbortLimit = std::chrono::seconds(10);
  deadline_.expires_after(kAbortLimit);
  deadline_.async_wait([this](const error_code& error) {
    if (!error) {
      spdlog::error("connections did not end after cancellation; exiting anyway");
      control_.stop();
    }
  });
}

std::size_t Server::busy_sessions() const {
  std::size_t busy = 0;
  for (const auto& shard : shards_) {
    busy += shard->busy_sessions.load(std::memory_order_relaxed);
  }
  return busy;
}

bool Server::all_listeners_closed() const {
  for (const auto& shard : shards_) {
    if (!shard->listener_closed.load(std::memory_order_acquire)) {
      return false;
    }
  }
  return true;
}

std::size_t Server::session_count() const {
  std::size_t count = 0;
  for (const auto& shard : shards_) {
    count += shard->session_count.load(std::memory_order_relaxed);
  }
  return count;
}

}  // namespace aibridge::proxy
