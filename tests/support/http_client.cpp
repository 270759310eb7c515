#include "tests/support/http_client.hpp"

#include <sys/socket.h>

#include <array>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace aibridge::testing {
namespace {

// Longer than any exchange a test makes, sanitizer builds included.
constexpr std::chrono::seconds kExchangeLimit{60};

/// Shuts the socket down if the exchange is not over within kExchangeLimit, so that a server
/// that never answers fails the test with a clear error (and its log, see Gateway::stop)
/// instead of hanging it until ctest's timeout. A thread, because the reads are blocking:
/// a shutdown from outside ends them with EOF.
class ExchangeDeadline {
 public:
  explicit ExchangeDeadline(tcp::socket& socket)
      : watcher_([this, fd = socket.native_handle()] {
          std::unique_lock lock(mutex_);
          if (!over_cv_.wait_for(lock, kExchangeLimit, [this] { return over_; })) {
            expired_ = true;
            ::shutdown(fd, SHUT_RDWR);
          }
        }) {}
  ~ExchangeDeadline() {
    {
      std::lock_guard lock(mutex_);
      over_ = true;
    }
    over_cv_.notify_one();
    watcher_.join();
  }
  ExchangeDeadline(const ExchangeDeadline&) = delete;
  ExchangeDeadline& operator=(const ExchangeDeadline&) = delete;

  /// Throws when the deadline cut the exchange.
  void check(const std::string& what) {
    std::lock_guard lock(mutex_);
    if (expired_) {
      throw std::runtime_error(what + ": no complete answer within " +
                               std::to_string(kExchangeLimit.count()) + " s");
    }
  }

 private:
  std::mutex mutex_;  // guards over_ and expired_
  std::condition_variable over_cv_;
  bool over_ = false;
  bool expired_ = false;
  std::thread watcher_;  // last: started once the rest is initialised
};

std::string describe(http::verb method, const std::string& target) {
  return std::string(http::to_string(method)) + " " + target;
}

}  // namespace

Connection::Connection(unsigned short port) : socket_(io_) {
  socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
}

Response Connection::request(http::verb method, const std::string& target, const Headers& headers,
                             const std::string& body) {
  http::request<http::string_body> message{method, target, 11};
  message.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) {
    message.set(name, value);
  }
  message.body() = body;
  if (!body.empty() || method == http::verb::post) {
    message.prepare_payload();
  }
  ExchangeDeadline deadline(socket_);
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ULL << 30);
  parser.skip(method == http::verb::head);  // its Content-Length is GET's; no body follows
  error_code error;
  http::write(socket_, message, error);
  if (!error) {
    http::read(socket_, buffer_, parser, error);
  }
  deadline.check(describe(method, target));
  if (error) {
    throw boost::system::system_error(error);
  }
  return parser.release();
}

std::string read_until_then_close(unsigned short port, const std::string& target,
                                  const Headers& headers, const std::string& body,
                                  std::string_view marker) {
  net::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> message{http::verb::post, target, 11};
  message.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) {
    message.set(name, value);
  }
  message.body() = body;
  message.prepare_payload();
  ExchangeDeadline deadline(socket);
  http::write(socket, message);
  // The marker is looked for in the body as the client sees it, not in the chunked framing
  // (a chunk boundary may fall inside it).
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  std::string seen;
  error_code error;
  http::read_header(socket, buffer, parser, error);
  if (!error) {
    for (const auto& field : parser.get().base()) {
      seen.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
    }
    seen += "\r\n";
  }
  const std::size_t body_start = seen.size();
  std::array<char, 4096> piece{};
  while (!error && !parser.is_done() &&
         std::string_view(seen).substr(body_start).find(marker) == std::string_view::npos) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    http::read_some(socket, buffer, parser, error);
    seen.append(piece.data(), piece.size() - parser.get().body().size);
    if (error == http::error::need_buffer) {
      error = {};
    }
  }
  deadline.check(target + " (" + std::to_string(seen.size()) +
                 " bytes read, the awaited text not among them: " + seen + ")");
  return seen;  // the socket closes now (after the deadline's watcher has ended), the rest unread
}

Response request(unsigned short port, http::verb method, const std::string& target,
                 const Headers& headers, const std::string& body) {
  Connection connection(port);
  return connection.request(method, target, headers, body);
}

StreamedResponse stream_request(unsigned short port, http::verb method, const std::string& target,
                                const Headers& headers, const std::string& body) {
  net::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  socket.set_option(tcp::no_delay(true));
  http::request<http::string_body> message{method, target, 11};
  message.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) {
    message.set(name, value);
  }
  message.body() = body;
  message.prepare_payload();
  const auto sent = std::chrono::steady_clock::now();
  ExchangeDeadline deadline(socket);
  http::write(socket, message);

  StreamedResponse result;
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  error_code head_error;
  http::read_header(socket, buffer, parser, head_error);
  if (head_error) {
    deadline.check(describe(method, target));
    throw boost::system::system_error(head_error);
  }
  result.status = parser.get().result_int();
  result.headers = parser.get().base();
  std::array<char, 65536> piece{};
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    error_code error;
    http::read_some(socket, buffer, parser, error);
    const std::size_t got = piece.size() - parser.get().body().size;
    if (got > 0) {
      result.body.append(piece.data(), got);
      result.pieces.emplace_back(std::chrono::steady_clock::now() - sent, got);
    }
    if (error && error != http::error::need_buffer) {
      deadline.check(describe(method, target));
      return result;
    }
  }
  result.complete = true;
  return result;
}

unsigned short port_from_listen_line(const std::string& tail) {
  const std::size_t colon = tail.find(':', tail.find("//"));
  return static_cast<unsigned short>(std::stoi(tail.substr(colon + 1)));
}

}  // namespace aibridge::testing
