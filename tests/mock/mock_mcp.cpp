// A small MCP server over Streamable HTTP for the tests: JSON-RPC posted to /mcp, answered as
// JSON or (--sse) as an event stream, with a session id, paginated tools/list and tools that
// succeed, fail in each way a server can, or take their time. GET /__mcp/stats reports the
// calls seen.
//
//   mock_mcp [--listen HOST:PORT] [--sse] [--require-header NAME:VALUE] [--page-size N]
//            [--session-calls N]   (forgets its session after N tool calls, as if restarted)
//
// Tools: echo {text}, add {a, b}, sorry (a result with isError), fail (a JSON-RPC error),
// slow {ms} (answers after ms), hangup (closes the connection instead of answering),
// delete_everything (for deny filters).
#include <iostream>
#include <mutex>
#include <sstream>

#include <boost/json.hpp>

#include "core/net.hpp"

namespace aibridge::mock {
namespace {

namespace json = boost::json;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

struct Options {
  bool sse = false;
  std::string required_header;  // "name:value"; empty: none
  std::size_t page_size = 2;
  // Tool calls after which the server forgets its session, as a restarted server does (0: never).
  std::size_t session_calls = 0;
};

struct Stats {
  std::mutex mutex;          // guards everything below
  json::array calls;         // {name, arguments, session}
  json::array methods;       // every method posted, in order
  bool initialized = false;  // notifications/initialized arrived
  int session = 1;           // the session's number: its id is "mock-session-<number>"
  std::size_t calls_in_session = 0;
  bool session_forgotten = false;  // the next initialize starts the next session
  std::string session_id() const { return "mock-session-" + std::to_string(session); }
};

json::array tool_list() {
  const auto schema = [](json::object properties, json::array required) {
    return json::object{{"type", "object"},
                        {"properties", std::move(properties)},
                        {"required", std::move(required)}};
  };
  return json::array{
      json::object{
          {"name", "add"},
          {"description", "Adds two numbers"},
          {"inputSchema",
           schema({{"a", {{"type", "number"}}}, {"b", {{"type", "number"}}}}, {"a", "b"})}},
      json::object{{"name", "delete_everything"},
                   {"description", "Not for models"},
                   {"inputSchema", schema({}, {})}},
      json::object{{"name", "echo"},
                   {"description", "Says the text back"},
                   {"inputSchema", schema({{"text", {{"type", "string"}}}}, {"text"})}},
      json::object{
          {"name", "fail"}, {"description", "Always fails"}, {"inputSchema", schema({}, {})}},
      json::object{
          {"name", "hangup"}, {"description", "Never answers"}, {"inputSchema", schema({}, {})}},
      json::object{{"name", "slow"},
                   {"description", "Answers after ms milliseconds"},
                   {"inputSchema", schema({{"ms", {{"type", "integer"}}}}, {})}},
      json::object{{"name", "sorry"}, {"description", "Says no"}, {"inputSchema", schema({}, {})}},
  };
}

std::string fmt_number(double value) {
  std::ostringstream out;
  out << value;  // 5, not JSON's 5E0
  return out.str();
}

json::object initialize_result() {
  return json::object{{"protocolVersion", "2025-06-18"},
                      {"capabilities", json::object{{"tools", json::object{}}}},
                      {"serverInfo", json::object{{"name", "mock"}, {"version", "1"}}}};
}

json::object text_result(std::string text, bool is_error = false) {
  json::object result{
      {"content", json::array{json::object{{"type", "text"}, {"text", std::move(text)}}}}};
  if (is_error) {
    result["isError"] = true;
  }
  return result;
}

class Connection {
 public:
  Connection(tcp::socket socket, const Options& options, Stats& stats)
      : socket_(std::move(socket)),
        options_(options),
        stats_(stats),
        timer_(socket_.get_executor()) {}

  net::awaitable<void> run() {
    for (;;) {
      http::request<http::string_body> request;
      auto [error, read] = co_await http::async_read(socket_, buffer_, request, kTuple);
      if (error) {
        co_return;
      }
      if (request.target() == "/__mcp/stats") {
        std::string body;
        {
          std::lock_guard lock(stats_.mutex);
          body = json::serialize(json::object{{"calls", stats_.calls},
                                              {"methods", stats_.methods},
                                              {"initialized", stats_.initialized}});
        }
        if (!co_await reply(http::status::ok, "application/json", std::move(body), request)) {
          co_return;
        }
        continue;
      }
      if (!co_await handle(request) || !request.keep_alive()) {
        co_return;
      }
    }
  }

 private:
  net::awaitable<bool> reply(http::status status, std::string_view type, std::string_view body,
                             const http::request<http::string_body>& request,
                             bool with_session = false) {
    http::response<http::string_body> response{status, 11};
    if (!type.empty()) {
      response.set(http::field::content_type, type);
    }
    if (with_session) {
      std::lock_guard lock(stats_.mutex);
      response.set("Mcp-Session-Id", stats_.session_id());
    }
    response.body() = std::string(body);
    response.keep_alive(request.keep_alive() && !options_.sse);
    response.prepare_payload();
    auto [error, written] = co_await http::async_write(socket_, response, kTuple);
    co_return !error && response.keep_alive();
  }

  // An answer: JSON, or an event stream that first carries a notification (which the client
  // must skip), then the answer. (Payloads are built before the co_await: GCC 12 cannot take
  // braced lists of string literals in a coroutine's call arguments.)
  net::awaitable<bool> answer(const http::request<http::string_body>& request, json::value id,
                              json::value result, bool with_session = false) {
    json::object message{{"jsonrpc", "2.0"}, {"id", std::move(id)}, {"result", std::move(result)}};
    co_return co_await send(request, std::move(message), with_session);
  }
  net::awaitable<bool> refuse(const http::request<http::string_body>& request, json::value id,
                              int code, std::string_view text) {
    json::object error;
    error["code"] = code;
    error["message"] = text;
    json::object message{{"jsonrpc", "2.0"}, {"id", std::move(id)}, {"error", std::move(error)}};
    co_return co_await send(request, std::move(message), false);
  }
  net::awaitable<bool> send(const http::request<http::string_body>& request, json::object message,
                            bool with_session) {
    if (!options_.sse) {
      co_return co_await reply(http::status::ok, "application/json", json::serialize(message),
                               request, with_session);
    }
    std::string events =
        "event: message\ndata: "
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":"
        "\"info\",\"data\":\"working\"}}\n\n";
    events += "event: message\ndata: " + json::serialize(message) + "\n\n";
    co_return co_await reply(http::status::ok, "text/event-stream", std::move(events), request,
                             with_session);
  }

  net::awaitable<bool> handle(const http::request<http::string_body>& request) {
    if (!options_.required_header.empty()) {
      const std::size_t colon = options_.required_header.find(':');
      if (request[options_.required_header.substr(0, colon)] !=
          options_.required_header.substr(colon + 1)) {
        co_return co_await reply(http::status::unauthorized, "text/plain", "no", request);
      }
    }
    json::error_code error;
    json::value parsed = json::parse(request.body(), error);
    if (error || !parsed.is_object()) {
      co_return co_await reply(http::status::bad_request, "text/plain", "not JSON", request);
    }
    json::object& message = parsed.as_object();
    const std::string method(message["method"].is_string() ? message["method"].as_string() : "");
    {
      std::lock_guard lock(stats_.mutex);
      stats_.methods.push_back(json::string(method));
    }
    if (method == "initialize") {
      std::lock_guard lock(stats_.mutex);
      if (stats_.session_forgotten) {
        stats_.session_forgotten = false;
        stats_.calls_in_session = 0;
        ++stats_.session;
      }
    } else if (request["Mcp-Session-Id"].empty()) {
      co_return co_await reply(http::status::bad_request, "text/plain", "no session", request);
    } else {
      bool known = false;
      {
        std::lock_guard lock(stats_.mutex);
        known = !stats_.session_forgotten && request["Mcp-Session-Id"] == stats_.session_id();
      }
      if (!known) {  // MCP: a session the server does not know is 404
        co_return co_await reply(http::status::not_found, "text/plain", "no such session", request);
      }
    }
    if (method == "notifications/initialized") {
      std::lock_guard lock(stats_.mutex);
      stats_.initialized = true;
    }
    if (!message.contains("id")) {
      co_return co_await reply(http::status::accepted, "", "", request);
    }
    const json::value id = message["id"];
    json::object params =
        message["params"].is_object() ? message["params"].as_object() : json::object{};
    if (method == "initialize") {
      json::value result = initialize_result();
      co_return co_await answer(request, id, std::move(result), true);
    }
    if (method == "tools/list") {
      const json::array all = tool_list();
      std::size_t start = 0;
      if (params["cursor"].is_string()) {
        start = std::stoul(std::string(params["cursor"].as_string()));
      }
      json::array page;
      for (std::size_t i = start; i < all.size() && i < start + options_.page_size; ++i) {
        page.push_back(all[i]);
      }
      json::object result{{"tools", std::move(page)}};
      if (start + options_.page_size < all.size()) {
        result["nextCursor"] = std::to_string(start + options_.page_size);
      }
      co_return co_await answer(request, id, std::move(result));
    }
    if (method == "tools/call") {
      co_return co_await call(request, id, params);
    }
    co_return co_await refuse(request, id, -32601, "no such method");
  }

  net::awaitable<bool> call(const http::request<http::string_body>& request, const json::value& id,
                            json::object& params) {
    const std::string name(params["name"].is_string() ? params["name"].as_string() : "");
    json::object arguments =
        params["arguments"].is_object() ? params["arguments"].as_object() : json::object{};
    {
      std::lock_guard lock(stats_.mutex);
      stats_.calls.push_back(json::object{{"name", name}, {"arguments", arguments}});
      if (options_.session_calls > 0 && ++stats_.calls_in_session == options_.session_calls) {
        stats_.session_forgotten = true;
      }
    }
    json::value result;
    if (name == "echo") {
      const json::value& text = arguments["text"];
      result = text_result("echo: " + std::string(text.is_string() ? text.as_string() : ""));
    } else if (name == "add") {
      const double sum =
          json::value_to<double>(arguments["a"]) + json::value_to<double>(arguments["b"]);
      result = text_result(fmt_number(sum));
    } else if (name == "sorry") {
      result = text_result("not allowed", true);
    }
    if (!result.is_null()) {
      co_return co_await answer(request, id, std::move(result));
    }
    if (name == "slow") {
      const json::value& ms = arguments["ms"];
      timer_.expires_after(std::chrono::milliseconds(ms.is_int64() ? ms.as_int64() : 1000));
      co_await timer_.async_wait(kTuple);
      result = text_result("slept");
      co_return co_await answer(request, id, std::move(result));
    }
    if (name == "hangup") {
      error_code ignored;
      socket_.set_option(net::socket_base::linger(true, 0), ignored);
      socket_.close(ignored);
      co_return false;
    }
    co_return co_await refuse(request, id, -32000, "the tool broke");
  }

  tcp::socket socket_;
  const Options& options_;
  Stats& stats_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
};

net::awaitable<void> accept(tcp::acceptor& acceptor, const Options& options, Stats& stats) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(kTuple);
    if (error) {
      co_return;
    }
    net::co_spawn(
        acceptor.get_executor(),
        [connection = std::make_shared<Connection>(std::move(socket), options, stats)]() {
          return connection->run();
        },
        net::detached);
  }
}

}  // namespace
}  // namespace aibridge::mock

int main(int argc, char** argv) {
  using namespace aibridge;
  std::string listen = "127.0.0.1:0";
  mock::Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (arg == "--listen") {
      listen = next();
    } else if (arg == "--sse") {
      options.sse = true;
    } else if (arg == "--require-header") {
      options.required_header = next();
    } else if (arg == "--page-size") {
      options.page_size = std::stoul(next());
    } else if (arg == "--session-calls") {
      options.session_calls = std::stoul(next());
    } else {
      std::cerr << "usage: mock_mcp [--listen HOST:PORT] [--sse] [--require-header NAME:VALUE] "
                   "[--page-size N] [--session-calls N]\n";
      return 2;
    }
  }
  mock::Stats stats;
  net::io_context io(1);
  const std::size_t colon = listen.rfind(':');
  tcp::endpoint endpoint(net::ip::make_address(listen.substr(0, colon)),
                         static_cast<unsigned short>(std::stoi(listen.substr(colon + 1))));
  tcp::acceptor acceptor(io, endpoint);
  acceptor.listen(net::socket_base::max_listen_connections);
  std::cerr << "listening on http://127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;
  net::co_spawn(io, mock::accept(acceptor, options, stats), net::detached);
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const error_code&, int) { io.stop(); });
  io.run();
  return 0;
}
