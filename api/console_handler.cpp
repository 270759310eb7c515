// AdminHandler's console routes (SPEC §10): its files, sign-in and sign-out (the session
// cookie), and who is signed in.
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "api/admin_handler.hpp"
#include "api/console.hpp"
#include "api/csrf.hpp"
#include "api/responses.hpp"

namespace aibridge::api {
namespace {

namespace http = boost::beast::http;
using proxy::StringResponse;

StringResponse console_file(const proxy::StringRequest& request, const std::string& name) {
  const ConsoleAsset* asset = console_asset(name);
  if (asset == nullptr) {
    return route_not_found(request);
  }
  StringResponse response;
  response.version(11);
  response.result(http::status::ok);
  response.set(http::field::content_type, asset->content_type);
  response.set("Content-Security-Policy", kConsoleSecurityPolicy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  response.set("Referrer-Policy", "no-referrer");
  response.set(http::field::cache_control, "no-cache");  // a new gateway's console at once
  response.body() = std::string(asset->body);  // a HEAD's is dropped after its length is set
  return response;
}

std::string user_json(const recorder::User& user) {
  return boost::json::serialize(boost::json::object{{"id", user.id},
                                                    {"username", user.username},
                                                    {"name", user.name},
                                                    {"role", recorder::role_name(user.role)}});
}

}  // namespace

boost::asio::awaitable<StringResponse> AdminHandler::answer_public(
    const AdminRoute& route, const proxy::StringRequest& request) {
  const bool secure = served_over_tls(request);
  switch (route.kind) {
    case AdminRouteKind::kConsoleRedirect: {
      StringResponse response = json_response(302, proxy::message_body("See /console/."));
      response.set(http::field::location, "/console/");
      co_return response;
    }
    case AdminRouteKind::kSignOut: {
      StringResponse response = json_response(200, R"({"message":"Signed out."})");
      response.set(http::field::set_cookie, cleared_session_cookie(secure));
      co_return response;
    }
    case AdminRouteKind::kSignIn:
      break;
    default:
      co_return console_file(request, route.id);
  }
  // Signing in is a browser's state change too: a page of another site must not sign it in
  // as someone else.
  if (const auto refusal = csrf_refusal(request.method(), request)) {
    co_return error_response({403, "Cross-site request refused.", *refusal, {}});
  }
  boost::system::error_code parse_error;
  const boost::json::value body = boost::json::parse(request.body(), parse_error);
  const boost::json::string* token = nullptr;
  if (!parse_error && body.is_object()) {
    if (const auto* found = body.as_object().if_contains("token")) {
      token = found->if_string();
    }
  }
  if (token == nullptr || token->empty()) {
    co_return error_response(
        {400, "Request body must be valid JSON.", R"(expected {"token": "…"})", {}});
  }
  const auto result = co_await authenticator_.authenticate(std::string_view(*token));
  if (const auto* failure = std::get_if<proxy::AuthFailure>(&result)) {
    if (*failure == proxy::AuthFailure::kStoreUnavailable) {
      co_return json_response(503, proxy::message_body(proxy::kDatabaseUnavailable,
                                                       proxy::auth_failure_message(*failure)));
    }
    co_return json_response(
        401, proxy::message_body("Sign-in failed.", proxy::auth_failure_message(*failure)));
  }
  const recorder::User& user = std::get<proxy::Principal>(result).user();
  spdlog::info("console sign-in: {}", user.username);
  StringResponse response = json_response(200, user_json(user));
  response.set(http::field::set_cookie, session_cookie(*token, secure));
  co_return response;
}

StringResponse AdminHandler::signed_in_as(const proxy::Principal& caller) {
  return json_response(200, user_json(caller.user()));
}

}  // namespace aibridge::api
