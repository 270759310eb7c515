// Soak load for bench/soak.sh: mixed streaming and blocking requests on all three bridged routes,
// with clients that abort streams midway and providers that fail, for a fixed time.
//
//   soak --port P --token T --seconds S [--workers 32] [--threads 2]
//
// Prints one JSON object: requests sent, how each ended, and how many got a response head (each
// of those is an interception the gateway must record).
#include <atomic>
#include <iostream>
#include <random>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "core/net.hpp"

namespace aibridge::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);
constexpr const char* kRoutes[] = {"/openai/v1/chat/completions", "/openai/v1/responses",
                                   "/anthropic/v1/messages"};

struct Options {
  unsigned short port = 0;
  std::string token;
  int seconds = 600;
  int workers = 32;
  int threads = 2;
};

struct Counts {
  std::atomic<long> sent{0}, headed{0}, completed{0}, aborted{0}, provider_faults{0}, unexpected{0};
};

// One request of a random kind: 40% blocking, 60% streaming (a fifth of those aborted by the
// client after a few events), 5% of all asking the mock for a provider fault.
struct Plan {
  const char* route;
  bool stream;
  bool abort;
  const char* fault;  // X-Mock-Scenario, or nullptr
  std::size_t abort_after_bytes;
};

Plan draw(std::mt19937& random) {
  std::uniform_int_distribution<int> percent(0, 99);
  Plan plan{kRoutes[percent(random) % 3], percent(random) < 60, false, nullptr, 0};
  plan.abort = plan.stream && percent(random) < 20;
  plan.abort_after_bytes = 200 + static_cast<std::size_t>(percent(random)) * 40;
  const int fault = percent(random);
  if (fault < 3) {
    plan.fault = plan.stream ? "reset-mid" : "reset-before";
  } else if (fault < 5) {
    plan.fault = "status";
  }
  return plan;
}

// What the gateway must answer: a reset before the response maps to 502, a provider's 503 is
// relayed, a reset mid-stream ends a 200 stream with the provider's error event.
unsigned expected_status(const Plan& plan) {
  if (plan.fault == nullptr || std::string_view(plan.fault) == "reset-mid") {
    return 200;
  }
  return std::string_view(plan.fault) == "reset-before" ? 502 : 503;
}

net::awaitable<void> worker(const Options& options, Clock::time_point deadline, Counts& counts,
                            unsigned seed) {
  auto executor = co_await net::this_coro::executor;
  std::mt19937 random(seed);
  while (Clock::now() < deadline) {
    const Plan plan = draw(random);
    tcp::socket socket(executor);
    auto [connect_error] = co_await socket.async_connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), options.port), kTuple);
    if (connect_error) {
      ++counts.unexpected;
      continue;
    }
    http::request<http::string_body> request{http::verb::post, plan.route, 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::authorization, "Bearer " + options.token);
    request.set(http::field::content_type, "application/json");
    request.set("X-Mock-Scenario",
                plan.fault != nullptr ? plan.fault : (plan.stream ? "sse" : "json"));
    request.set("X-Mock-Status", "503");
    request.set("X-Mock-Events", "32");
    request.set("X-Mock-Interval-Ms", plan.stream ? "5" : "0");
    request.body() = std::string(R"({"model":"soak","stream":)") +
                     (plan.stream ? "true" : "false") +
                     R"(,"messages":[{"role":"user","content":"soak"}],"input":"soak"})";
    request.prepare_payload();
    ++counts.sent;
    auto [write_error, written] = co_await http::async_write(socket, request, kTuple);
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    auto [head_error, head_bytes] =
        co_await http::async_read_header(socket, buffer, parser, kTuple);
    if (write_error || head_error) {
      ++counts.unexpected;
      continue;
    }
    ++counts.headed;
    std::array<char, 4096> piece{};
    std::size_t received = 0;
    error_code read_error;
    while (!parser.is_done() && !(plan.abort && received >= plan.abort_after_bytes)) {
      parser.get().body().data = piece.data();
      parser.get().body().size = piece.size();
      auto [error, read] = co_await http::async_read_some(socket, buffer, parser, kTuple);
      received += piece.size() - parser.get().body().size;
      if (error && error != http::error::need_buffer) {
        read_error = error;
        break;
      }
    }
    const unsigned status = parser.get().result_int();
    if (read_error) {
      ++counts.unexpected;
    } else if (!parser.is_done()) {
      ++counts.aborted;  // as planned: the socket closes here, mid-stream
    } else if (status != expected_status(plan)) {
      ++counts.unexpected;
    } else {
      ++(plan.fault != nullptr ? counts.provider_faults : counts.completed);
    }
  }
}

int run(const Options& options) {
  Counts counts;
  const auto deadline = Clock::now() + std::chrono::seconds(options.seconds);
  std::vector<std::unique_ptr<net::io_context>> contexts;
  for (int t = 0; t < options.threads; ++t) {
    contexts.push_back(std::make_unique<net::io_context>(1));
  }
  for (int w = 0; w < options.workers; ++w) {
    net::co_spawn(*contexts[static_cast<std::size_t>(w % options.threads)],
                  worker(options, deadline, counts, static_cast<unsigned>(w + 1)), net::detached);
  }
  std::vector<std::thread> threads;
  for (auto& context : contexts) {
    threads.emplace_back([&context] { context->run(); });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  std::cout << boost::json::serialize(
                   boost::json::object{{"seconds", options.seconds},
                                       {"sent", counts.sent.load()},
                                       {"headed", counts.headed.load()},
                                       {"completed", counts.completed.load()},
                                       {"aborted", counts.aborted.load()},
                                       {"provider_faults", counts.provider_faults.load()},
                                       {"unexpected", counts.unexpected.load()}})
            << std::endl;
  return 0;
}

}  // namespace
}  // namespace aibridge::bench

int main(int argc, char** argv) {
  aibridge::bench::Options options;
  CLI::App app{"aibridge soak load"};
  app.add_option("--port", options.port)->required();
  app.add_option("--token", options.token)->required();
  app.add_option("--seconds", options.seconds);
  app.add_option("--workers", options.workers);
  app.add_option("--threads", options.threads);
  CLI11_PARSE(app, argc, argv);
  return aibridge::bench::run(options);
}
