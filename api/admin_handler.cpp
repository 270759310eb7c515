#include "api/admin_handler.hpp"

#include <algorithm>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "api/csrf.hpp"
#include "api/interceptions_json.hpp"
#include "api/pagination.hpp"
#include "api/query_params.hpp"
#include "api/responses.hpp"
#include "api/search_query.hpp"
#include "api/usage_json.hpp"
#include "core/ids.hpp"
#include "proxy/credentials.hpp"
#include "proxy/errors.hpp"

namespace aibridge::api {
namespace {

namespace http = boost::beast::http;
using proxy::StringResponse;

// The filter `terms` and the caller's role describe, once the initiator is resolved against the
// users (on a store thread).
std::variant<recorder::InterceptionFilter, ApiError> filter_of(recorder::Store& store,
                                                               const SearchTerms& terms,
                                                               const recorder::User& caller) {
  recorder::InterceptionFilter filter;
  filter.provider = terms.provider;
  filter.model = terms.model;
  filter.started_after = terms.started_after;
  filter.started_before = terms.started_before;
  filter.client = terms.client;
  filter.status = terms.status;
  filter.visible_to = visible_to(caller);  // other filters narrow it
  if (terms.initiator) {
    if (*terms.initiator == "me") {
      filter.initiator_id = caller.id;
    } else if (const auto id = core::parse_uuid(*terms.initiator)) {
      filter.initiator_id = *id;
    } else if (const auto user = store.find_user_by_username(*terms.initiator)) {
      filter.initiator_id = user->id;
    } else {
      return ApiError{
          400,
          "Invalid interceptions search query.",
          "",
          {{"initiator", "Query param \"initiator\" has invalid value: user \"" + *terms.initiator +
                             "\" either does not exist, or you are unauthorized "
                             "to view them"}}};
    }
  }
  return filter;
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
    auto filter = filter_of(store, terms, caller);
    if (auto* error = std::get_if<ApiError>(&filter)) {
      return std::move(*error);
    }
    query.filter = std::move(std::get<recorder::InterceptionFilter>(filter));
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

// The sessions listing after validation, as ListJob does for interceptions.
struct SessionsJob {
  SearchTerms terms;
  Pagination pagination;
  recorder::User caller;

  std::variant<std::string, ApiError> operator()(recorder::Store& store) const {
    recorder::SessionQuery query;
    query.limit = pagination.limit;
    query.offset = pagination.offset;
    query.after = pagination.after_id;
    auto filter = filter_of(store, terms, caller);
    if (auto* error = std::get_if<ApiError>(&filter)) {
      return std::move(*error);
    }
    query.filter = std::move(std::get<recorder::InterceptionFilter>(filter));
    const recorder::SessionPage page = store.list_sessions(query);
    if (!page.cursor_found) {
      return ApiError{
          400,
          "Invalid pagination cursor.",
          "after_id: session " + *pagination.after_id + " not found: invalid pagination cursor",
          {}};
    }
    return sessions_body(page);
  }
};

// Usage after validation: resolves the initiator, sums, and names the users it found.
struct UsageJob {
  SearchTerms terms;
  std::vector<UsageDimension> dimensions;
  recorder::User caller;

  std::variant<std::string, ApiError> operator()(recorder::Store& store) const {
    auto filter = filter_of(store, terms, caller);
    if (auto* error = std::get_if<ApiError>(&filter)) {
      return std::move(*error);
    }
    const auto& matching = std::get<recorder::InterceptionFilter>(filter);
    const recorder::UsageSums sums = store.usage(matching);
    std::map<std::string, recorder::User> users;
    if (std::find(dimensions.begin(), dimensions.end(), UsageDimension::kUser) !=
        dimensions.end()) {
      for (recorder::User& user : store.list_users()) {  // one query, not one per user
        users.emplace(user.id, std::move(user));
      }
    }
    // Days the store can hold: none before 1970 or after kLatest.
    const auto day_of = [](recorder::UnixMicros at) {
      return recorder::bucket_of(recorder::Level::kDay,
                                 std::clamp(at, recorder::kEarliest, recorder::kLatest));
    };
    UsageRange range;
    if (matching.started_after) {
      range.first_day = day_of(*matching.started_after);
    }
    if (matching.started_before) {
      range.last_day = day_of(*matching.started_before);
    }
    return usage_body(dimensions, sums, users, range);
  }
};

std::string json_array(const std::vector<std::string>& values) {
  boost::json::array out;
  out.reserve(values.size());
  for (const std::string& value : values) {
    out.emplace_back(value);
  }
  return boost::json::serialize(out);
}

// The query string and its `q`, each checked.
struct SearchRequest {
  QueryParams params;
  SearchTerms terms;
};

std::variant<SearchRequest, ApiError> parse_search_request(const proxy::StringRequest& request) {
  auto params = decode_query(request.target());
  if (!params) {
    return ApiError{400,
                    "Query parameters have invalid values.",
                    "The query string is not valid URL encoding.",
                    {}};
  }
  std::string q;
  if (const auto found = params->find("q"); found != params->end()) {
    q = found->second.front();
  }
  auto terms = parse_search(q);
  if (auto* problems = std::get_if<std::vector<Validation>>(&terms)) {
    return ApiError{400, "Invalid interceptions search query.", "", std::move(*problems)};
  }
  return SearchRequest{std::move(*params), std::move(std::get<SearchTerms>(terms))};
}

// A job's body (200) or error, or the store's failure.
template <class Job>
boost::asio::awaitable<StringResponse> answer_with(recorder::StorePool& stores, const Job& job,
                                                   std::string_view doing,
                                                   std::string_view failure) {
  try {
    auto result = co_await stores.run(job);
    if (auto* error = std::get_if<ApiError>(&result)) {
      co_return error_response(*error);
    }
    co_return json_response(200, std::move(std::get<std::string>(result)));
  } catch (...) {
    co_return store_failure(doing, failure);
  }
}

}  // namespace

boost::asio::awaitable<proxy::AdminAnswer> AdminHandler::handle(
    const proxy::StringRequest& request) {
  const AdminRoute route = match_admin_route(request.method(), request.target());
  if (route.kind == AdminRouteKind::kNotFound) {
    co_return proxy::AdminAnswer{route_not_found(request), {}};
  }
  if (!route.method_allowed) {
    StringResponse response = json_response(405, proxy::message_body("Method not allowed."));
    response.set(http::field::allow, route.allow);
    co_return proxy::AdminAnswer{std::move(response), {}};
  }
  if (is_public(route.kind)) {
    StringResponse response = co_await answer_public(route, request);
    co_return proxy::AdminAnswer{std::move(response), {}};
  }
  const auto credential = proxy::admin_route_token(request, request.target());
  if (!credential) {
    co_return proxy::AdminAnswer{
        signed_out(proxy::auth_failure_message(proxy::AuthFailure::kMissing)), {}};
  }
  const auto result = co_await authenticator_.authenticate(credential->token);
  if (const auto* failure = std::get_if<proxy::AuthFailure>(&result)) {
    if (*failure == proxy::AuthFailure::kStoreUnavailable) {
      co_return proxy::AdminAnswer{
          json_response(503, proxy::message_body(proxy::kDatabaseUnavailable,
                                                 proxy::auth_failure_message(*failure))),
          {}};
    }
    co_return proxy::AdminAnswer{signed_out(proxy::auth_failure_message(*failure)), {}};
  }
  const auto& caller = std::get<proxy::Principal>(result);
  if (credential->source == proxy::CredentialSource::kCookie) {
    if (const auto refusal = csrf_refusal(request.method(), request)) {
      co_return proxy::AdminAnswer{
          error_response({403, "Cross-site request refused.", *refusal, {}}),
          caller.user().username};
    }
  }
  // (A co_await inside a braced initialiser miscompiles with GCC 12: awaited first.)
  StringResponse response = co_await answer(route, request, caller);
  co_return proxy::AdminAnswer{std::move(response), caller.user().username};
}

boost::asio::awaitable<StringResponse> AdminHandler::answer(const AdminRoute& route,
                                                            const proxy::StringRequest& request,
                                                            const proxy::Principal& caller) {
  switch (route.kind) {
    case AdminRouteKind::kInterception:
      co_return co_await one_interception(route.id, caller);
    case AdminRouteKind::kRequestLogs:
    case AdminRouteKind::kRequestLog:
      co_return co_await request_logs(route, caller);
    case AdminRouteKind::kSessions:
      co_return co_await list_sessions(request, caller);
    case AdminRouteKind::kSession:
      co_return co_await one_session(route.id, caller);
    case AdminRouteKind::kModels:
      co_return co_await recorded_values(recorder::Attribute::kModel, caller);
    case AdminRouteKind::kClients:
      co_return co_await recorded_values(recorder::Attribute::kClient, caller);
    case AdminRouteKind::kUsage:
      co_return co_await usage(request, caller);
    case AdminRouteKind::kConsoleMe:
      co_return signed_in_as(caller);
    case AdminRouteKind::kUsers:
      co_return co_await users(request, caller);
    case AdminRouteKind::kTokens:
      co_return co_await tokens(request, caller);
    case AdminRouteKind::kToken:
      co_return co_await revoke_token(route.id, caller);
    case AdminRouteKind::kLogRequests:
      co_return co_await request_logging(request, caller);
    default:
      co_return co_await list_interceptions(route.kind, request, caller);
  }
}

boost::asio::awaitable<StringResponse> AdminHandler::one_interception(
    const std::string& id, const proxy::Principal& caller) {
  const auto canonical = core::parse_uuid(id);
  if (!canonical) {
    co_return error_response(kInvalidInterceptionId);
  }
  const std::optional<std::string> only = visible_to(caller.user());
  const auto find = [&](recorder::Store& store) -> std::variant<std::string, ApiError> {
    if (const auto found = store.find_interception(*canonical, only)) {
      return interception_body(*found);
    }
    // Members learn nothing of others' records: not yours and unknown look the same.
    return ApiError{404, "Interception not found.", "", {}};
  };
  co_return co_await answer_with(stores_, find, "reading an interception",
                                 "Internal error getting AI Bridge interception.");
}

boost::asio::awaitable<StringResponse> AdminHandler::one_session(const std::string& id,
                                                                 const proxy::Principal& caller) {
  const auto decoded = decode_path_segment(id);
  if (!decoded || decoded->empty() || decoded->size() > kMaxSessionIdBytes) {
    co_return error_response(
        {400,
         "Invalid session id.",
         "",
         {{"id", "Path parameter \"id\" must be a session id of 1 to 256 bytes"}}});
  }
  const std::optional<std::string> only = visible_to(caller.user());
  const auto find = [&](recorder::Store& store) -> std::variant<std::string, ApiError> {
    if (const auto found = store.find_session(*decoded, only)) {
      return session_body(*found);
    }
    return ApiError{404, "Session not found.", "", {}};
  };
  co_return co_await answer_with(stores_, find, "reading a session",
                                 "Internal error getting AI Bridge session.");
}

boost::asio::awaitable<StringResponse> AdminHandler::recorded_values(
    recorder::Attribute attribute, const proxy::Principal& caller) {
  const std::optional<std::string> only = visible_to(caller.user());
  try {
    const auto read = [&](recorder::Store& store) {
      return store.recorded_values(attribute, only);
    };
    auto values = co_await stores_.run(read);
    co_return json_response(200, json_array(values));
  } catch (...) {
    co_return store_failure("listing recorded values", "Internal error getting AI Bridge values.");
  }
}

boost::asio::awaitable<StringResponse> AdminHandler::list_interceptions(
    AdminRouteKind kind, const proxy::StringRequest& request, const proxy::Principal& caller) {
  auto search = parse_search_request(request);
  if (auto* error = std::get_if<ApiError>(&search)) {
    co_return error_response(*error);
  }
  auto& [params, terms] = std::get<SearchRequest>(search);
  auto pagination = parse_pagination(params);
  if (auto* error = std::get_if<ApiError>(&pagination)) {
    co_return error_response(*error);
  }
  const ListJob job{
      std::move(terms), std::get<Pagination>(pagination), caller.user(),
      kind == AdminRouteKind::kInterceptions ? CountField::kCount : CountField::kTotal};
  co_return co_await answer_with(stores_, job, "listing interceptions",
                                 "Internal error getting AI Bridge interceptions.");
}

boost::asio::awaitable<StringResponse> AdminHandler::list_sessions(
    const proxy::StringRequest& request, const proxy::Principal& caller) {
  auto search = parse_search_request(request);
  if (auto* error = std::get_if<ApiError>(&search)) {
    co_return error_response(*error);
  }
  auto& [params, terms] = std::get<SearchRequest>(search);
  auto pagination = parse_pagination(params, CursorKind::kSession);
  if (auto* error = std::get_if<ApiError>(&pagination)) {
    co_return error_response(*error);
  }
  const SessionsJob job{std::move(terms), std::get<Pagination>(pagination), caller.user()};
  co_return co_await answer_with(stores_, job, "listing sessions",
                                 "Internal error getting AI Bridge sessions.");
}

boost::asio::awaitable<StringResponse> AdminHandler::usage(const proxy::StringRequest& request,
                                                           const proxy::Principal& caller) {
  auto search = parse_search_request(request);
  if (auto* error = std::get_if<ApiError>(&search)) {
    co_return error_response(*error);
  }
  auto& [params, terms] = std::get<SearchRequest>(search);
  auto dimensions = parse_group_by(params);
  if (auto* error = std::get_if<ApiError>(&dimensions)) {
    co_return error_response(*error);
  }
  const UsageJob job{std::move(terms), std::get<std::vector<UsageDimension>>(dimensions),
                     caller.user()};
  co_return co_await answer_with(stores_, job, "summing usage",
                                 "Internal error getting AI Bridge usage.");
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
  spdlog::info("request logging {} by {}", enabled ? "enabled" : "disabled",
               caller.user().username);
  co_return json_response(200, R"({"message":"Request logging state updated successfully."})");
}

}  // namespace aibridge::api
