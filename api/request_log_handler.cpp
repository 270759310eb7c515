// AdminHandler's request-log endpoints (the console's detail view, SPEC §10): the dump files
// request logging wrote for one interception, and one of them as text, for whoever may see the
// interception. Files are found by their names (proxy::is_dump_of), never by a path the caller
// sends.
#include <filesystem>
#include <fstream>
#include <iterator>

#include <boost/json.hpp>

#include "api/admin_handler.hpp"
#include "api/responses.hpp"
#include "core/ids.hpp"

namespace aibridge::api {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using proxy::StringResponse;

// Larger dumps are refused rather than held in memory whole.
constexpr std::uintmax_t kMaxServedBytes = 64ULL << 20;

// What a request-log job found: the JSON listing, or one file's text.
struct Found {
  std::string body;
  std::string name;  // set for one file
};

StringResponse file_response(Found found) {
  StringResponse response;
  response.version(11);
  response.result(http::status::ok);
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.set("X-Content-Type-Options", "nosniff");
  // Shown in the browser as it was sent, never as a page of this origin.
  response.set("Content-Security-Policy", "sandbox; default-src 'none'");
  response.set(http::field::content_disposition, "inline; filename=\"" + found.name + "\"");
  response.set(http::field::cache_control, "no-store");  // prompts
  response.body() = std::move(found.body);
  return response;
}

}  // namespace

boost::asio::awaitable<StringResponse> AdminHandler::request_logs(const AdminRoute& route,
                                                                  const proxy::Principal& caller) {
  const auto id = core::parse_uuid(route.id);
  if (!id) {
    co_return error_response(kInvalidInterceptionId);
  }
  const std::optional<std::string> only = visible_to(caller.user());
  const bool one_file = route.kind == AdminRouteKind::kRequestLog;
  const auto find = [&](recorder::Store& store) -> std::variant<Found, ApiError> {
    const auto listed = store.find_interception(*id, only);
    if (!listed) {
      return ApiError{404, "Interception not found.", "", {}};  // or not the member's
    }
    const std::string& provider = listed->interception.provider;
    if (!one_file) {
      json::array files;
      for (const proxy::DumpFile& file : dumper_.files_of(provider, *id)) {
        files.push_back(json::object{{"name", file.name}, {"bytes", file.bytes}});
      }
      return Found{json::serialize(json::object{{"files", std::move(files)}}), ""};
    }
    const auto path = dumper_.path_of(provider, *id, route.file);
    std::error_code error;
    const std::uintmax_t bytes = path ? std::filesystem::file_size(*path, error) : 0;
    if (!path || error) {
      return ApiError{404, "Request log file not found.", "", {}};
    }
    if (bytes > kMaxServedBytes) {
      return ApiError{413,
                      "Request log file too large to serve.",
                      std::to_string(bytes) + " bytes: read it in the request log directory",
                      {}};
    }
    std::ifstream in(*path, std::ios::binary);
    return Found{std::string(std::istreambuf_iterator<char>(in), {}), route.file};
  };
  try {
    auto found = co_await stores_.run(find);
    if (auto* problem = std::get_if<ApiError>(&found)) {
      co_return error_response(*problem);
    }
    Found& answer = std::get<Found>(found);
    co_return one_file ? file_response(std::move(answer))
                       : json_response(200, std::move(answer.body));
  } catch (...) {
    co_return store_failure("reading a request log",
                            "Internal error getting AI Bridge request logs.");
  }
}

}  // namespace aibridge::api
