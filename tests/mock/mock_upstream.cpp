// A fast, scriptable stand-in for the OpenAI and Anthropic APIs, used by the integration tests
// and the benchmarks. Behaviour is chosen per request by X-Mock-* headers (which the gateway
// forwards unchanged); GET /__mock/stats reports connections and the last request seen.
//
//   mock_upstream [--listen HOST:PORT] [--threads N] [--tls-cert PEM --tls-key PEM] [--no-record]
//
// X-Mock-Scenario: json (default) | sse | status | echo | txtar | reset-before | reset-mid |
//                  stall-before | stall-mid | bad-chunked | close
// X-Mock-Section: round picks section "round-N" ("streaming-round-N" for a stream), N being the
// tool results the request carries (a tool loop's Nth call); stats keep the last request bodies
// as recent_bodies.
// X-Mock-Events (SSE text deltas, default 64), X-Mock-Interval-Ms (pause before each event),
// X-Mock-Hold-End-Ms (pause before a stream's terminating chunk),
// X-Mock-Delay-Ms (pause before the response), X-Mock-Stamp: 1 (": t=<monotonic ns>" comment
// line before each event, for latency measurements), X-Mock-Chunk (bytes per write; "random:SEED"
// for random sizes 1..64), X-Mock-Status, X-Mock-Txtar (file) + X-Mock-Section (default: streaming
// when the request has "stream":true, else non-streaming).
#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include <boost/asio/ssl.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "core/net.hpp"
#include "tests/mock/responses.hpp"

#include <sys/socket.h>

namespace aibridge::mock {
namespace {

namespace ssl = boost::asio::ssl;
namespace json = boost::json;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

struct Stats {
  std::atomic<long> connections{0};
  std::atomic<long> open{0};
  std::atomic<long> requests{0};
  std::atomic<long> peer_closed{0};
  bool record = true;
  std::mutex mutex;  // guards last_request and recent_bodies
  json::object last_request;
  json::array recent_bodies;  // the last kRecentBodies request bodies, oldest first
};

constexpr std::size_t kRecentBodies = 32;

// How many tool results a request carries (one per round of a gateway's tool loop), in any of
// the three APIs' shapes.
int tool_rounds(std::string_view body) {
  int rounds = 0;
  for (const std::string_view marker : {"\"tool_result\"", "\"role\":\"tool\"", "\"function_call_output\""}) {
    for (std::size_t at = body.find(marker); at != std::string_view::npos;
         at = body.find(marker, at + 1)) {
      ++rounds;
    }
  }
  return rounds;
}

struct Script {
  std::string scenario = "json";
  int events = 64;
  int interval_ms = 0;
  int hold_end_ms = 0;  // pause after the last event, before the stream's terminating chunk
  int delay_ms = 0;
  std::size_t chunk = 0;                // 0: one write per event
  std::optional<unsigned> random_seed;  // random write sizes
  unsigned status = 200;
  bool stamp = false;  // prefix each event with ": t=<CLOCK_MONOTONIC ns>" (latency benchmarks)
  std::string txtar;
  std::string section;
};

int header_int(const http::request<http::string_body>& request, std::string_view name,
               int fallback) {
  const auto found = request.find(name);
  if (found == request.end()) {
    return fallback;
  }
  try {
    return std::stoi(std::string(found->value()));
  } catch (const std::exception&) {
    return fallback;
  }
}

Script read_script(const http::request<http::string_body>& request) {
  Script script;
  if (auto found = request.find("x-mock-scenario"); found != request.end()) {
    script.scenario = std::string(found->value());
  }
  script.events = header_int(request, "x-mock-events", 64);
  script.interval_ms = header_int(request, "x-mock-interval-ms", 0);
  script.hold_end_ms = header_int(request, "x-mock-hold-end-ms", 0);
  script.delay_ms = header_int(request, "x-mock-delay-ms", 0);
  script.status = static_cast<unsigned>(header_int(request, "x-mock-status", 200));
  script.stamp = header_int(request, "x-mock-stamp", 0) != 0;
  if (auto found = request.find("x-mock-chunk"); found != request.end()) {
    const std::string value(found->value());
    if (value.starts_with("random:")) {
      script.random_seed = static_cast<unsigned>(std::stoul(value.substr(7)));
    } else {
      script.chunk = std::stoul(value);
    }
  }
  if (auto found = request.find("x-mock-txtar"); found != request.end()) {
    script.txtar = std::string(found->value());
  }
  if (auto found = request.find("x-mock-section"); found != request.end()) {
    script.section = std::string(found->value());
    if (script.section == "round") {
      const bool streaming = request.body().find("\"stream\":true") != std::string::npos;
      script.section = (streaming ? "streaming-round-" : "round-") +
                       std::to_string(tool_rounds(request.body()));
    }
  } else {
    const bool streaming = request.body().find("\"stream\":true") != std::string::npos ||
                           request.body().find("\"stream\": true") != std::string::npos;
    script.section = streaming ? "streaming" : "non-streaming";
  }
  return script;
}

json::object describe(const http::request<http::string_body>& request) {
  json::object headers;
  for (const auto& field : request) {
    std::string name(field.name_string());
    for (char& c : name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    headers[name] = field.value();
  }
  return json::object{{"method", request.method_string()},
                      {"target", request.target()},
                      {"headers", std::move(headers)},
                      {"body", request.body()}};
}

void reset_connection(tcp::socket& socket) {
  error_code ignored;
  socket.set_option(net::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

template <class Stream>
class Connection {
 public:
  Connection(Stream& stream, tcp::socket& socket, Stats& stats)
      : stream_(stream), socket_(socket), stats_(stats), timer_(socket.get_executor()) {}

  net::awaitable<void> run() {
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(256ULL << 20);
      auto [error, read] = co_await http::async_read(stream_, buffer_, parser, kTuple);
      if (error) {
        co_return;
      }
      http::request<http::string_body> request = parser.release();
      if (request.target().starts_with("/__mock/")) {
        if (!co_await control(request)) {
          co_return;
        }
        continue;
      }
      stats_.requests.fetch_add(1, std::memory_order_relaxed);
      if (!counted_) {
        counted_ = true;  // connections that carried provider requests (stats queries do not count)
        stats_.connections.fetch_add(1, std::memory_order_relaxed);
      }
      if (stats_.record) {
        json::object described = describe(request);
        std::lock_guard lock(stats_.mutex);
        stats_.last_request = std::move(described);
        stats_.recent_bodies.push_back(json::string(request.body()));
        if (stats_.recent_bodies.size() > kRecentBodies) {
          stats_.recent_bodies.erase(stats_.recent_bodies.begin());
        }
      }
      if (!co_await respond(request) || !request.keep_alive()) {
        co_return;
      }
    }
  }

 private:
  net::awaitable<bool> control(const http::request<http::string_body>& request) {
    http::response<http::string_body> response{http::status::ok, 11};
    response.set(http::field::content_type, "application/json");
    if (request.target() == "/__mock/reset") {
      std::lock_guard lock(stats_.mutex);
      stats_.connections = 0;
      stats_.requests = 0;
      stats_.peer_closed = 0;
      stats_.last_request = {};
      stats_.recent_bodies.clear();
    }
    {
      std::lock_guard lock(stats_.mutex);
      response.body() = json::serialize(json::object{{"connections", stats_.connections.load()},
                                                     {"open", stats_.open.load()},
                                                     {"requests", stats_.requests.load()},
                                                     {"peer_closed", stats_.peer_closed.load()},
                                                     {"last_request", stats_.last_request},
                                                     {"recent_bodies", stats_.recent_bodies}});
    }
    response.prepare_payload();
    auto [error, written] = co_await http::async_write(stream_, response, kTuple);
    co_return !error;
  }

  net::awaitable<void> pause(int milliseconds) {
    if (milliseconds > 0) {
      timer_.expires_after(std::chrono::milliseconds(milliseconds));
      co_await timer_.async_wait(kTuple);
    }
  }

  net::awaitable<bool> write_raw(std::string_view bytes) {
    auto [error, written] = co_await net::async_write(stream_, net::buffer(bytes), kTuple);
    if (error) {
      stats_.peer_closed.fetch_add(1, std::memory_order_relaxed);
    }
    co_return !error;
  }

  // One HTTP chunk per write; `data` is split according to the script.
  net::awaitable<bool> write_chunks(std::string_view data, const Script& script,
                                    std::mt19937& random) {
    while (!data.empty()) {
      std::size_t size = data.size();
      if (script.random_seed) {
        size =
            std::min<std::size_t>(size, std::uniform_int_distribution<std::size_t>(1, 64)(random));
      } else if (script.chunk > 0) {
        size = std::min(size, script.chunk);
      }
      const std::string prefix = fmt::format("{:x}\r\n", size);
      const std::array<net::const_buffer, 3> buffers{
          net::buffer(prefix), net::buffer(data.data(), size), net::buffer("\r\n", 2)};
      auto [error, written] = co_await net::async_write(stream_, buffers, kTuple);
      if (error) {
        stats_.peer_closed.fetch_add(1, std::memory_order_relaxed);
        co_return false;
      }
      data.remove_prefix(size);
    }
    co_return true;
  }

  // Waits until the client closes the connection.
  net::awaitable<void> wait_for_peer_close() {
    std::array<char, 512> scratch{};
    for (;;) {
      auto [error, read] = co_await socket_.async_read_some(net::buffer(scratch), kTuple);
      if (error) {
        stats_.peer_closed.fetch_add(1, std::memory_order_relaxed);
        co_return;
      }
    }
  }

  net::awaitable<bool> write_response(
      unsigned status, std::string_view content_type, std::string body, bool keep_alive = true,
      const std::vector<std::pair<std::string, std::string>>& extra = {},
      std::string_view reason = {}) {
    http::response<http::string_body> response;
    response.version(11);
    response.result(status);  // also codes Beast has no name for (529)
    if (!reason.empty()) {
      response.reason(reason);
    }
    if (!content_type.empty()) {
      response.set(http::field::content_type, content_type);
    }
    for (const auto& [name, value] : extra) {
      response.set(name, value);
    }
    response.set("x-request-id", "req_mock");
    response.body() = std::move(body);
    response.keep_alive(keep_alive);
    response.prepare_payload();
    auto [error, written] = co_await http::async_write(stream_, response, kTuple);
    co_return !error && keep_alive;
  }

  net::awaitable<bool> stream_events(const std::vector<std::string>& events, const Script& script,
                                     std::size_t stop_after, bool reset_at_stop) {
    std::mt19937 random(script.random_seed.value_or(0));
    if (!co_await write_raw("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                            "Cache-Control: no-cache\r\nx-request-id: req_mock\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n")) {
      co_return false;
    }
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (i == stop_after) {
        if (reset_at_stop) {
          reset_connection(socket_);
        } else {
          co_await wait_for_peer_close();
        }
        co_return false;
      }
      co_await pause(script.interval_ms);
      if (script.stamp) {
        const auto now = std::chrono::steady_clock::now().time_since_epoch();
        const std::string stamped =
            fmt::format(": t={}\n", std::chrono::nanoseconds(now).count()) + events[i];
        if (!co_await write_chunks(stamped, script, random)) {
          co_return false;
        }
      } else if (!co_await write_chunks(events[i], script, random)) {
        co_return false;
      }
    }
    co_await pause(script.hold_end_ms);
    co_return co_await write_raw("0\r\n\r\n");
  }

  net::awaitable<bool> replay_txtar(const Script& script) {
    std::ifstream in(script.txtar, std::ios::binary);
    std::stringstream archive;
    archive << in.rdbuf();
    const auto section = txtar_section(archive.str(), script.section);
    if (!section) {
      co_return co_await write_response(
          500, "text/plain", "mock: no section " + script.section + " in " + script.txtar);
    }
    if (auto raw = parse_raw_response(*section)) {
      co_return co_await write_response(raw->status, "", raw->body, true, raw->headers,
                                        raw->reason);
    }
    if (script.section.starts_with("streaming")) {
      std::vector<std::string> lines;
      if (script.chunk == 0 && !script.random_seed) {
        std::size_t pos = 0;  // line by line, as the providers flush
        while (pos < section->size()) {
          const std::size_t end = section->find('\n', pos);
          const std::size_t stop = end == std::string::npos ? section->size() : end + 1;
          lines.push_back(section->substr(pos, stop - pos));
          pos = stop;
        }
      } else {
        lines.push_back(*section);
      }
      co_return co_await stream_events(lines, script, lines.size() + 1, false);
    }
    co_return co_await write_response(200, "application/json", *section);
  }

  net::awaitable<bool> respond(const http::request<http::string_body>& request) {
    const Script script = read_script(request);
    const Api api = api_for_path(request.target());
    co_await pause(script.delay_ms);
    if (script.scenario == "json") {
      co_return co_await write_response(200, "application/json", json_body(api, script.events));
    }
    if (script.scenario == "close") {
      co_return co_await write_response(200, "application/json", json_body(api, script.events),
                                        false);
    }
    if (script.scenario == "sse") {
      co_return co_await stream_events(sse_events(api, script.events), script, SIZE_MAX, false);
    }
    if (script.scenario == "status") {
      const std::string body =
          api == Api::kAnthropicMessages
              ? R"({"type":"error","error":{"type":"rate_limit_error","message":"mock error"}})"
              : R"({"error":{"message":"mock error","type":"rate_limit_error","code":"rate_limited"}})";
      co_return co_await write_response(script.status, "application/json", body);
    }
    if (script.scenario == "echo") {
      co_return co_await write_response(200, "application/json",
                                        json::serialize(describe(request)));
    }
    if (script.scenario == "txtar") {
      co_return co_await replay_txtar(script);
    }
    if (script.scenario == "reset-before") {
      reset_connection(socket_);
      co_return false;
    }
    const auto events = sse_events(api, script.events);
    if (script.scenario == "reset-mid") {
      co_return co_await stream_events(events, script, events.size() / 2, true);
    }
    if (script.scenario == "stall-mid") {
      co_return co_await stream_events(events, script, events.size() / 2, false);
    }
    if (script.scenario == "stall-before") {
      co_await wait_for_peer_close();
      co_return false;
    }
    if (script.scenario == "bad-chunked") {
      co_await write_raw(
          "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
          "Transfer-Encoding: chunked\r\n\r\n5\r\ndata:\r\nzz-not-hex\r\n");
      co_return false;
    }
    co_return co_await write_response(400, "text/plain",
                                      "mock: unknown scenario " + script.scenario);
  }

  Stream& stream_;
  tcp::socket& socket_;
  Stats& stats_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  bool counted_ = false;
};

net::awaitable<void> serve(tcp::socket socket, Stats& stats, ssl::context* tls) {
  stats.open.fetch_add(1);
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls != nullptr) {
    ssl::stream<tcp::socket&> stream(socket, *tls);
    auto [error] = co_await stream.async_handshake(ssl::stream_base::server, kTuple);
    if (!error) {
      Connection<ssl::stream<tcp::socket&>> connection(stream, socket, stats);
      co_await connection.run();
    }
  } else {
    Connection<tcp::socket> connection(socket, socket, stats);
    co_await connection.run();
  }
  stats.open.fetch_sub(1);
}

net::awaitable<void> accept(tcp::acceptor& acceptor, Stats& stats, ssl::context* tls) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(kTuple);
    if (error) {
      co_return;
    }
    net::co_spawn(acceptor.get_executor(), serve(std::move(socket), stats, tls), net::detached);
  }
}

}  // namespace
}  // namespace aibridge::mock

int main(int argc, char** argv) {
  using namespace aibridge;
  std::string listen = "127.0.0.1:0";
  int threads = 1;
  std::string cert;
  std::string key;
  mock::Stats stats;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (arg == "--listen") {
      listen = next();
    } else if (arg == "--threads") {
      threads = std::stoi(next());
    } else if (arg == "--tls-cert") {
      cert = next();
    } else if (arg == "--tls-key") {
      key = next();
    } else if (arg == "--no-record") {
      stats.record = false;
    } else {
      std::cerr << "usage: mock_upstream [--listen HOST:PORT] [--threads N] "
                   "[--tls-cert PEM --tls-key PEM] [--no-record]\n";
      return 2;
    }
  }
  net::io_context io(threads);
  std::unique_ptr<mock::ssl::context> tls;
  if (!cert.empty()) {
    tls = std::make_unique<mock::ssl::context>(mock::ssl::context::tls_server);
    tls->use_certificate_chain_file(cert);
    tls->use_private_key_file(key, mock::ssl::context::pem);
  }
  const std::size_t colon = listen.rfind(':');
  tcp::endpoint endpoint(net::ip::make_address(listen.substr(0, colon)),
                         static_cast<unsigned short>(std::stoi(listen.substr(colon + 1))));
  tcp::acceptor acceptor(io, endpoint);
  acceptor.listen(net::socket_base::max_listen_connections);
  std::cerr << "listening on " << (tls ? "https" : "http")
            << "://127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;
  net::co_spawn(io, mock::accept(acceptor, stats, tls.get()), net::detached);
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const error_code&, int) { io.stop(); });
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) {
    pool.emplace_back([&io] { io.run(); });
  }
  io.run();
  for (auto& thread : pool) {
    thread.join();
  }
  return 0;
}
