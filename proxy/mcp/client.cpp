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

StringRequest Server::post(std::string body, const Session& session) const {
  StringRequest request(http::verb::post, target_, 11);
  request.set(http::field::host, origin_.host_header);
  request.set(http::field::content_type, "application/json");
  request.set(http::field::accept, "application/json, text/event-stream");
  request.set(http::field::user_agent, "aibridge/" AIBRIDGE_VERSION);
  if (!session.id.empty()) {
    request.set("Mcp-Session-Id", session.id);
  }
  if (!session.protocol_version.empty()) {
    request.set("MCP-Protocol-Version", session.protocol_version);
  }
  for (const auto& [name, value] : settings_.headers) {
    request.set(name, value);
  }
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

Server::Session Server::session() const {
  std::lock_guard lock(session_mutex_);
  return session_;
}

void Server::adopt(Session started, std::uint64_t replaced) const {
  std::lock_guard lock(session_mutex_);
  if (session_.generation == replaced) {
    started.generation = replaced + 1;
    session_ = std::move(started);
  }
}

net::awaitable<Server::RpcAnswer> Server::rpc(
    UpstreamClient& upstream, Watchdog& watchdog, std::string_view method,
    const json::value& params, const Session& session,
    const std::function<void(tcp::socket*)>& in_use) const {
  const std::int64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
  const StringRequest request = post(request_body(id, method, params), session);
  BufferedExchange exchange{
      .origin = origin_, .request = request, .deadline = Watchdog::Clock::now() + call_timeout_};
  exchange.enough = [id](std::string_view content_type, const std::string& body) {
    // An SSE answer may be followed by more of the stream; JSON is read to its end.
    return content_type.starts_with("text/event-stream") &&
           read_answer(content_type, body, id).error.empty();
  };
  exchange.in_use = in_use;
  BufferedResponse response = co_await exchange_buffered(upstream, watchdog, exchange);
  RpcAnswer answer;
  if (response.failed()) {
    answer.outcome.error = response.timed_out ? "no answer within mcp.call_timeout"
                                              : "the connection failed: " + response.error;
    co_return answer;
  }
  answer.status = response.message.result_int();
  if (answer.status / 100 != 2) {
    answer.outcome.error = "the server answered HTTP " + std::to_string(answer.status);
    co_return answer;
  }
  answer.session_id = std::string(response.message["Mcp-Session-Id"]);
  Answer read =
      read_answer(response.message[http::field::content_type], response.message.body(), id);
  answer.outcome = Outcome{std::move(read.result), std::move(read.error)};
  co_return answer;
}

net::awaitable<std::string> Server::notify(UpstreamClient& upstream, Watchdog& watchdog,
                                           std::string_view method, const Session& session) const {
  const StringRequest request = post(notification_body(method), session);
  const BufferedExchange exchange{
      .origin = origin_, .request = request, .deadline = Watchdog::Clock::now() + call_timeout_};
  BufferedResponse response = co_await exchange_buffered(upstream, watchdog, exchange);
  if (response.failed()) {
    co_return response.error;
  }
  const unsigned status = response.message.result_int();
  co_return status / 100 == 2 ? std::string() : "HTTP " + std::to_string(status);
}

net::awaitable<std::string> Server::start_session(UpstreamClient& upstream, Watchdog& watchdog,
                                                  Session& started) const {
  const json::value params = initialize_params();  // named: see GCC 12 in the README
  const Session none;
  RpcAnswer answer = co_await rpc(upstream, watchdog, "initialize", params, none);
  if (!answer.outcome.result) {
    co_return "initialize: " + answer.outcome.error;
  }
  const json::value& result = *answer.outcome.result;
  const json::value* version =
      result.is_object() ? result.as_object().if_contains("protocolVersion") : nullptr;
  if (version == nullptr || !version->is_string() ||
      !supported_protocol_version(version->as_string())) {
    co_return "the server speaks an MCP protocol version the gateway does not";
  }
  started.protocol_version = std::string(version->as_string());
  started.id = std::move(answer.session_id);
  if (std::string error = co_await notify(upstream, watchdog, "notifications/initialized", started);
      !error.empty()) {
    co_return "notifications/initialized: " + error;
  }
  co_return std::string();
}

net::awaitable<std::string> Server::initialize(UpstreamClient& upstream, Watchdog& watchdog) {
  Session started;
  std::string error = co_await start_session(upstream, watchdog, started);
  if (error.empty()) {
    adopt(std::move(started), session().generation);
  }
  co_return error;
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
    const json::value page_params(std::move(params));
    const Session current = session();
    RpcAnswer answer = co_await rpc(upstream, watchdog, "tools/list", page_params, current);
    if (!answer.outcome.result) {
      error = "tools/list: " + answer.outcome.error;
      co_return tools;
    }
    ToolPage page = read_tool_page(*answer.outcome.result, settings_);
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
  const json::value call(std::move(params));
  const Session current = session();
  RpcAnswer answer = co_await rpc(upstream, watchdog, "tools/call", call, current, in_use);
  if (answer.status != 404 || current.id.empty()) {
    co_return std::move(answer.outcome);
  }
  // The server no longer knows the session: a new one, and the call once more within it.
  Session renewed;
  if (std::string error = co_await start_session(upstream, watchdog, renewed); !error.empty()) {
    co_return Outcome{std::nullopt, "the server forgot the session; a new one failed: " + error};
  }
  adopt(renewed, current.generation);
  RpcAnswer again = co_await rpc(upstream, watchdog, "tools/call", call, renewed, in_use);
  co_return std::move(again.outcome);
}

}  // namespace aibridge::proxy::mcp
