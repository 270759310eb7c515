// Load generator for bench/run.sh (C++/Asio, so that it is not the bottleneck it measures).
//
//   loadgen stream   --port P --path PATH --streams N [--events 64] [--interval-ms 20]
//                    [--threads T] [--header "Name: value"]... [--body JSON]
//     N concurrent SSE streams through the mock's "sse" scenario with X-Mock-Stamp, measuring
//     time to first byte, each event's one-way delay (arrival minus the mock's CLOCK_MONOTONIC
//     stamp), gaps between events, and stalls (a gap over 10x the pacing).
//   loadgen requests --port P --path PATH --total N --concurrency C [--threads T]
//                    [--header ...] [--body JSON]
//     exactly N requests over C keep-alive connections; counts 2xx answers, latency.
//
// Prints one JSON object on stdout.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <iostream>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "core/net.hpp"

namespace aibridge::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

struct Options {
  std::string mode;
  unsigned short port = 0;
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body =
      R"({"model":"bench","stream":true,"messages":[{"role":"user","content":"hi"}]})";
  int streams = 100;
  int events = 64;
  int interval_ms = 20;
  long total = 1000;
  int concurrency = 1;
  int threads = 1;
};

// Samples gathered by one thread; merged at the end.
struct Samples {
  std::vector<double> ttfb_us, delay_us, gap_us, latency_us;
  long completed = 0, failed = 0, stalls = 0, events = 0, ok = 0;
  void merge(const Samples& other) {
    for (auto [mine, theirs] : {std::pair{&ttfb_us, &other.ttfb_us},
                                {&delay_us, &other.delay_us},
                                {&gap_us, &other.gap_us},
                                {&latency_us, &other.latency_us}}) {
      mine->insert(mine->end(), theirs->begin(), theirs->end());
    }
    completed += other.completed;
    failed += other.failed;
    stalls += other.stalls;
    events += other.events;
    ok += other.ok;
  }
};

double micros(Clock::duration duration) {
  return std::chrono::duration<double, std::micro>(duration).count();
}

boost::json::object percentiles(std::vector<double>& values) {
  if (values.empty()) {
    return {{"n", 0}};
  }
  std::sort(values.begin(), values.end());
  const auto at = [&](double q) {
    return values[std::min(values.size() - 1, static_cast<std::size_t>(q * values.size()))];
  };
  return {{"n", values.size()},
          {"p50", at(0.50)},
          {"p90", at(0.90)},
          {"p99", at(0.99)},
          {"max", values.back()}};
}

http::request<http::string_body> make_request(const Options& options, bool stream) {
  http::request<http::string_body> request{http::verb::post, options.path, 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : options.headers) {
    request.set(name, value);
  }
  if (stream) {
    request.set("X-Mock-Scenario", "sse");
    request.set("X-Mock-Events", std::to_string(options.events));
    request.set("X-Mock-Interval-Ms", std::to_string(options.interval_ms));
    request.set("X-Mock-Stamp", "1");
  }
  request.body() = options.body;
  request.prepare_payload();
  return request;
}

net::awaitable<void> one_stream(const Options& options, Samples& samples) {
  auto executor = co_await net::this_coro::executor;
  tcp::socket socket(executor);
  auto [connect_error] = co_await socket.async_connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), options.port), kTuple);
  if (connect_error) {
    ++samples.failed;
    co_return;
  }
  socket.set_option(tcp::no_delay(true));
  auto request = make_request(options, true);
  const auto sent = Clock::now();
  auto [write_error, written] = co_await http::async_write(socket, request, kTuple);
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  auto [header_error, header_bytes] =
      co_await http::async_read_header(socket, buffer, parser, kTuple);
  if (write_error || header_error || parser.get().result_int() != 200) {
    ++samples.failed;
    co_return;
  }
  samples.ttfb_us.push_back(micros(Clock::now() - sent));
  std::array<char, 8192> piece{};
  std::string carry;  // a stamp line cut by the end of a read
  std::optional<Clock::time_point> last_event;
  const double stall_us = 10.0 * options.interval_ms * 1000.0;
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    auto [read_error, read] = co_await http::async_read_some(socket, buffer, parser, kTuple);
    const auto now = Clock::now();
    if (read_error && read_error != http::error::need_buffer) {
      ++samples.failed;
      co_return;
    }
    carry.append(piece.data(), piece.size() - parser.get().body().size);
    std::size_t pos = 0;
    for (;;) {
      const std::size_t stamp = carry.find(": t=", pos);
      const std::size_t end = stamp == std::string::npos ? stamp : carry.find('\n', stamp);
      if (end == std::string::npos) {
        break;
      }
      long long stamped = 0;
      std::from_chars(carry.data() + stamp + 4, carry.data() + end, stamped);
      samples.delay_us.push_back(
          micros(now.time_since_epoch() - std::chrono::nanoseconds(stamped)));
      if (last_event) {
        const double gap = micros(now - *last_event);
        samples.gap_us.push_back(gap);
        samples.stalls += gap > stall_us ? 1 : 0;
      }
      last_event = now;
      ++samples.events;
      pos = end + 1;
    }
    carry.erase(0, pos == 0 ? (carry.size() > 64 ? carry.size() - 64 : 0) : pos);
  }
  ++samples.completed;
}

net::awaitable<void> request_loop(const Options& options, std::atomic<long>& remaining,
                                  Samples& samples) {
  auto executor = co_await net::this_coro::executor;
  auto request = make_request(options, false);
  std::optional<tcp::socket> socket;
  beast::flat_buffer buffer;
  while (remaining.fetch_sub(1) > 0) {
    if (!socket) {
      socket.emplace(executor);
      auto [error] = co_await socket->async_connect(
          tcp::endpoint(net::ip::make_address("127.0.0.1"), options.port), kTuple);
      if (error) {
        ++samples.failed;
        socket.reset();
        continue;
      }
      socket->set_option(tcp::no_delay(true));
      buffer.clear();
    }
    const auto started = Clock::now();
    auto [write_error, written] = co_await http::async_write(*socket, request, kTuple);
    http::response<http::string_body> response;
    error_code read_error;
    if (!write_error) {
      auto [error, read] = co_await http::async_read(*socket, buffer, response, kTuple);
      read_error = error;
    }
    if (write_error || read_error) {
      ++samples.failed;
      socket.reset();
      continue;
    }
    samples.latency_us.push_back(micros(Clock::now() - started));
    if (response.result_int() >= 200 && response.result_int() < 300) {
      ++samples.ok;
    } else {
      ++samples.failed;
    }
    if (!response.keep_alive()) {
      socket.reset();
    }
  }
}

int run(const Options& options) {
  std::vector<Samples> per_thread(static_cast<std::size_t>(options.threads));
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::atomic<long> remaining{options.total};
  const int units = options.mode == "stream" ? options.streams : options.concurrency;
  for (int t = 0; t < options.threads; ++t) {
    contexts.push_back(std::make_unique<net::io_context>(1));
  }
  for (int unit = 0; unit < units; ++unit) {
    const auto t = static_cast<std::size_t>(unit % options.threads);
    if (options.mode == "stream") {
      net::co_spawn(*contexts[t], one_stream(options, per_thread[t]), net::detached);
    } else {
      net::co_spawn(*contexts[t], request_loop(options, remaining, per_thread[t]), net::detached);
    }
  }
  const auto started = Clock::now();
  std::vector<std::thread> threads;
  for (auto& context : contexts) {
    threads.emplace_back([&context] { context->run(); });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  Samples all;
  for (const Samples& samples : per_thread) {
    all.merge(samples);
  }
  boost::json::object out{{"mode", options.mode}, {"seconds", seconds}, {"failed", all.failed}};
  if (options.mode == "stream") {
    out["streams"] = options.streams;
    out["completed"] = all.completed;
    out["events"] = all.events;
    out["stalls"] = all.stalls;
    out["ttfb_us"] = percentiles(all.ttfb_us);
    out["delay_us"] = percentiles(all.delay_us);
    out["gap_us"] = percentiles(all.gap_us);
  } else {
    out["total"] = options.total;
    out["ok"] = all.ok;
    out["rps"] = static_cast<double>(all.ok) / seconds;
    out["latency_us"] = percentiles(all.latency_us);
  }
  std::cout << boost::json::serialize(out) << std::endl;
  return 0;
}

}  // namespace
}  // namespace aibridge::bench

int main(int argc, char** argv) {
  aibridge::bench::Options options;
  std::vector<std::string> headers;
  CLI::App app{"aibridge load generator"};
  app.add_option("mode", options.mode, "stream or requests")
      ->required()
      ->check(CLI::IsMember({"stream", "requests"}));
  app.add_option("--port", options.port)->required();
  app.add_option("--path", options.path)->required();
  app.add_option("--header", headers, "\"Name: value\", repeatable");
  app.add_option("--body", options.body);
  app.add_option("--streams", options.streams);
  app.add_option("--events", options.events);
  app.add_option("--interval-ms", options.interval_ms);
  app.add_option("--total", options.total);
  app.add_option("--concurrency", options.concurrency);
  app.add_option("--threads", options.threads);
  CLI11_PARSE(app, argc, argv);
  for (const std::string& header : headers) {
    const std::size_t colon = header.find(':');
    if (colon == std::string::npos) {
      std::cerr << "loadgen: --header " << header << ": expected \"Name: value\"\n";
      return 2;
    }
    const std::size_t value = header.find_first_not_of(' ', colon + 1);
    options.headers.emplace_back(header.substr(0, colon),
                                 value == std::string::npos ? "" : header.substr(value));
  }
  return aibridge::bench::run(options);
}
