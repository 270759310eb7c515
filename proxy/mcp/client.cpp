#include "proxy/mcp/client.hpp"

#include <stdexcept>

#include <boost/json.hpp>

#include "proxy/mcp/jsonrpc.hpp"
#include "proxy/upstream/buffered_exchange.hpp"

namespace aibridge::proxy::mcp {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxPages = 100;  // a server whose cursor never ends is cut off here

}  // namespace

Server::Server(core::McpServerSettings settings, core::Duration call_timeout)
    : settings_(std::move(settings)), call_timeout_(call_timeout) {
  // The query (a token, often) is kept for the request target only.
  const std::string_view url = settings_.url;
  const std::size_t query = url.find('?');
  std::optional<Origin> origin = parse_origin(url.substr(0, query));
  if (!origin) {
    throw std::invalid_argument("its url is not an http(s) URL with a host");  // not the URL
  }
  origin_ = std::move(*origin);
  target_ = origin_.path_prefix.empty() ? "/" : origin_.path_prefix;
  if (query != std::string_view::npos) {
    target_ += url.substr(query);
  }
}

StringRequest Server::post(std::string body) const {
  StringRequest request(http::verb::post, target_, 11);
  request.set(http::field::host, origin_.host_header);
  request.set(http::field::content_type, "application/json");
  request.set(http::field::accept, "application/json, text/event-stream");
  request.set(http::field::user_agent, "aibridge/" AIBRIDGE_VERSION);
  if (!session_id_.empty()) {
    request.set("Mcp-Session-Id", session_id_);
  }
  if (!protocol_version_.empty()) {
    request.set("MCP-Protocol-Version", protocol_version_);
  }
  for (const auto& [name, value] : settings_.headers) {
    request.set(name, value);
  }
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

net::awaitable<Outcome> Server::rpc(UpstreamClient& upstream, Watchdog& watchdog,
                                    std::string_view method, const json::value& params,
                                    const std::function<void(tcp::socket*)>& in_use,
                                    std::string* session_id) const {
  const std::int64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
  const StringRequest request = post(request_body(id, method, params));
  BufferedExchange exchange{
      .origin = origin_, .request = request, .deadline = Watchdog::Clock::now() + call_timeout_};
  exchange.enough = [id](std::string_view content_type, const std::string& body) {
    // An SSE answer may be followed by more of the stream; JSON is read to its end.
    return content_type.starts_with("text/event-stream") &&
           read_answer(content_type, body, id).error.empty();
  };
  exchange.in_use = in_use;
  BufferedResponse response = co_await exchange_buffered(upstream, watchdog, exchange);
  if (response.failed()) {
    co_return Outcome{std::nullopt, response.timed_out
                                        ? "no answer within mcp.call_timeout"
                                        : "the connection failed: " + response.error};
  }
  const unsigned status = response.message.result_int();
  if (status / 100 != 2) {
    co_return Outcome{std::nullopt, "the server answered HTTP " + std::to_string(status)};
  }
  if (session_id != nullptr) {
    *session_id = std::string(response.message["Mcp-Session-Id"]);
  }
  Answer answer =
      read_answer(response.message[http::field::content_type], response.message.body(), id);
  co_return Outcome{std::move(answer.result), std::move(answer.error)};
}

net::awaitable<std::string> Server::notify(UpstreamClient& upstream, Watchdog& watchdog,
                                           std::string_view method) const {
  const StringRequest request = post(notification_body(method));
  const BufferedExchange exchange{
      .origin = origin_, .request = request, .deadline = Watchdog::Clock::now() + call_timeout_};
  BufferedResponse response = co_await exchange_buffered(upstream, watchdog, exchange);
  if (response.failed()) {
    co_return response.error;
  }
  const unsigned status = response.message.result_int();
  co_return status / 100 == 2 ? std::string() : "HTTP " + std::to_string(status);
}

net::awaitable<std::string> Server::initialize(UpstreamClient& upstream, Watchdog& watchdog) {
  std::string session_id;
  const json::value params = initialize_params();  // named: see GCC 12 in the README
  Outcome answer = co_await rpc(upstream, watchdog, "initialize", params, {}, &session_id);
  if (!answer.result) {
    co_return "initialize: " + answer.error;
  }
  const json::value* version = answer.result->is_object()
                                   ? answer.result->as_object().if_contains("protocolVersion")
                                   : nullptr;
  if (version == nullptr || !version->is_string() ||
      !supported_protocol_version(version->as_string())) {
    co_return "the server speaks an MCP protocol version the gateway does not";
  }
  protocol_version_ = std::string(version->as_string());
  session_id_ = std::move(session_id);
  if (std::string error = co_await notify(upstream, watchdog, "notifications/initialized");
      !error.empty()) {
    co_return "notifications/initialized: " + error;
  }
  co_return std::string();
}

net::awaitable<std::vector<Tool>> Server::list_tools(UpstreamClient& upstream, Watchdog& watchdog,
                                                     std::string& error) {
  const ToolFilter filter(settings_.allow, settings_.deny);
  std::vector<Tool> tools;
  std::string cursor;
  for (std::size_t page_number = 0; page_number < kMaxPages; ++page_number) {
    json::object params;
    if (!cursor.empty()) {
      params["cursor"] = cursor;
    }
    Outcome outcome = co_await rpc(upstream, watchdog, "tools/list", params, {});
    if (!outcome.result) {
      error = "tools/list: " + outcome.error;
      co_return tools;
    }
    ToolPage page = read_tool_page(*outcome.result, settings_);
    if (!page.error.empty()) {
      error = page.error;
      co_return tools;
    }
    for (Tool& tool : page.tools) {
      if (filter.admits(tool.name)) {
        tools.push_back(std::move(tool));
      }
    }
    if (page.next_cursor.empty()) {
      co_return tools;
    }
    cursor = std::move(page.next_cursor);
  }
  error = "tools/list: more than " + std::to_string(kMaxPages) + " pages";
  co_return tools;
}

net::awaitable<Outcome> Server::call_tool(UpstreamClient& upstream, Watchdog& watchdog,
                                          const std::string& name, const json::value& arguments,
                                          const std::function<void(tcp::socket*)>& in_use) const {
  json::object params{{"name", name}};
  if (!arguments.is_null()) {
    params["arguments"] = arguments;
  }
  co_return co_await rpc(upstream, watchdog, "tools/call", params, in_use);
}

}  // namespace aibridge::proxy::mcp
