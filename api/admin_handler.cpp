#include "api/admin_handler.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "api/interceptions_json.hpp"
#include "api/pagination.hpp"
#include "api/query_params.hpp"
#include "api/search_query.hpp"
#include "core/ids.hpp"
#include "proxy/errors.hpp"

namespace aibridge::api {
namespace {

namespace http = boost::beast::http;
using proxy::StringResponse;

StringResponse json_response(unsigned status, std::string body) {
  StringResponse response;
  response.version(11);
  response.result(status);
  response.set(http::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}

StringResponse error_response(const ApiError& error) {
  return json_response(error.status, error_body(error));
}

// The listing after validation: resolves the initiator, checks the cursor, counts and lists,
// and renders the page, all on a store thread.
struct ListJob {
  SearchTerms terms;
  Pagination pagination;
  recorder::User caller;
  CountField count_field;

  std::variant<std::string, ApiError> operator()(recorder::Store& store) const {
    recorder::InterceptionQuery query;
    query.limit = pagination.limit;
    query.offset = pagination.offset;
    query.filter.provider = terms.provider;
    query.filter.model = terms.model;
    query.filter.started_after = terms.started_after;
    query.filter.started_before = terms.started_before;
    if (caller.role == recorder::Role::kMember) {
      query.filter.visible_to = caller.id;  // members see their own; other filters narrow it
    }
    if (terms.initiator) {
      if (*terms.initiator == "me") {
        query.filter.initiator_id = caller.id;
      } else if (const auto id = core::parse_uuid(*terms.initiator)) {
        query.filter.initiator_id = *id;
      } else if (const auto user = store.find_user_by_username(*terms.initiator)) {
        query.filter.initiator_id = user->id;
      } else {
        return ApiError{400,
                        "Invalid interceptions search query.",
                        "",
                        {{"initiator", "Query param \"initiator\" has invalid value: user \"" +
                                           *terms.initiator +
                                           "\" either does not exist, or you are unauthorized "
                                           "to view them"}}};
      }
    }
    if (pagination.after_id) {
      query.after = store.interception_position(*pagination.after_id, query.filter.visible_to);
      if (!query.after) {
        return ApiError{400,
                        "Invalid pagination cursor.",
                        "after_id: interception " + *pagination.after_id +
                            " not found: invalid pagination cursor",
                        {}};
      }
    }
    return interceptions_body(store.list_interceptions(query), count_field);
  }
};

}  // namespace

boost::asio::awaitable<StringResponse> AdminHandler::handle(proxy::RouteKind kind,
                                                            const proxy::StringRequest& request,
                                                            const proxy::Principal& caller) {
  if (kind == proxy::RouteKind::kLogRequests) {
    co_return co_await request_logging(request, caller);
  }
  co_return co_await list_interceptions(kind, request, caller);
}

boost::asio::awaitable<StringResponse> AdminHandler::list_interceptions(
    proxy::RouteKind kind, const proxy::StringRequest& request, const proxy::Principal& caller) {
  const auto params = decode_query(request.target());
  if (!params) {
    co_return error_response({400,
                              "Query parameters have invalid values.",
                              "The query string is not valid URL encoding.",
                              {}});
  }
  auto pagination = parse_pagination(*params);
  if (auto* error = std::get_if<ApiError>(&pagination)) {
    co_return error_response(*error);
  }
  std::string q;
  if (const auto found = params->find("q"); found != params->end()) {
    q = found->second.front();
  }
  auto terms = parse_search(q);
  if (auto* problems = std::get_if<std::vector<Validation>>(&terms)) {
    co_return error_response(
        {400, "Invalid interceptions search query.", "", std::move(*problems)});
  }
  const ListJob job{
      std::get<SearchTerms>(terms), std::get<Pagination>(pagination), caller.user(),
      kind == proxy::RouteKind::kInterceptions ? CountField::kCount : CountField::kTotal};
  try {
    auto result = co_await stores_.run(job);
    if (auto* error = std::get_if<ApiError>(&result)) {
      co_return error_response(*error);
    }
    co_return json_response(200, std::move(std::get<std::string>(result)));
  } catch (const recorder::StoreUnavailable& e) {
    spdlog::warn("listing interceptions: {}", e.what());
    co_return error_response({503, std::string(proxy::kDatabaseUnavailable), "", {}});
  } catch (const std::exception& e) {
    spdlog::error("listing interceptions failed: {}", e.what());
    co_return error_response({500, "Internal error getting AI Bridge interceptions.", "", {}});
  }
}

boost::asio::awaitable<StringResponse> AdminHandler::request_logging(
    const proxy::StringRequest& request, const proxy::Principal& caller) {
  if (request.method() == http::verb::get) {
    co_return json_response(
        200, boost::json::serialize(boost::json::object{{"enabled", dumper_.enabled()}}));
  }
  if (caller.user().role != recorder::Role::kOwner) {
    co_return error_response(
        {403, "Only users with the 'owner' role can toggle request logging.", "", {}});
  }
  boost::system::error_code parse_error;
  const boost::json::value body = boost::json::parse(request.body(), parse_error);
  std::string detail;
  if (parse_error) {
    detail = parse_error.message();
  } else if (!body.is_object()) {
    detail = "expected a JSON object like {\"enabled\": true}";
  } else if (!body.as_object().contains("enabled")) {
    detail = "missing field \"enabled\"";
  } else if (!body.as_object().at("enabled").is_bool()) {
    detail = "field \"enabled\" must be a boolean";
  }
  if (!detail.empty()) {
    co_return error_response({400, "Request body must be valid JSON.", detail, {}});
  }
  const bool enabled = body.as_object().at("enabled").as_bool();
  try {
    const auto persist = [enabled](recorder::Store& store) {
      store.put_setting(kRequestLoggingSetting, enabled ? "true" : "false");
    };
    co_await stores_.run(persist);
  } catch (const recorder::StoreUnavailable& e) {
    spdlog::warn("saving the request-logging state: {}", e.what());
    co_return error_response({503, std::string(proxy::kDatabaseUnavailable), "", {}});
  } catch (const std::exception& e) {
    spdlog::error("saving the request-logging state failed: {}", e.what());
    co_return error_response({500, "Failed to save the request logging state.", e.what(), {}});
  }
  dumper_.set_enabled(enabled);
  spdlog::info("request logging {} by {}", enabled ? "enabled" : "disabled", caller.user().username);
  co_return json_response(200, R"({"message":"Request logging state updated successfully."})");
}

}  // namespace aibridge::api
