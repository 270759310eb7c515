#pragma once
// The admin API's JSON answers.
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/field.hpp>
#include <spdlog/spdlog.h>

#include "api/validation.hpp"
#include "proxy/admin_service.hpp"
#include "proxy/errors.hpp"
#include "proxy/routing.hpp"
#include "recorder/store.hpp"

namespace aibridge::api {

inline proxy::StringResponse json_response(unsigned status, std::string body) {
  proxy::StringResponse response;
  response.version(11);
  response.result(status);
  response.set(boost::beast::http::field::content_type, "application/json");
  response.set("X-Content-Type-Options", "nosniff");                   // never run as a script
  response.set(boost::beast::http::field::cache_control, "no-store");  // prompts, tokens
  response.body() = std::move(body);
  return response;
}

inline proxy::StringResponse error_response(const ApiError& error) {
  return json_response(error.status, error_body(error));
}

/// The answer to an {id} in an interception's path that is not a UUID.
inline const ApiError kInvalidInterceptionId{
    400, "Invalid interception id.", "", {{"id", "Path parameter \"id\" must be a valid uuid"}}};

/// 404 for a path nothing answers.
inline proxy::StringResponse route_not_found(const proxy::StringRequest& request) {
  return json_response(
      404, proxy::message_body(
               "Route not found: " + std::string(proxy::target_path(request.target())) + "."));
}

/// Called in a catch block: the store call's failure as the API answers it, 503 while the
/// database is unreachable, else 500 with `message`.
inline proxy::StringResponse store_failure(std::string_view doing, std::string_view message) {
  try {
    throw;
  } catch (const recorder::StoreUnavailable& e) {
    spdlog::warn("{}: {}", doing, e.what());
    return error_response({503, std::string(proxy::kDatabaseUnavailable), "", {}});
  } catch (const std::exception& e) {
    spdlog::error("{} failed: {}", doing, e.what());
    return error_response({500, std::string(message), "", {}});
  }
}

/// Whose interceptions `caller` may see: members only their own; nullopt for everyone's.
inline std::optional<std::string> visible_to(const recorder::User& caller) {
  return caller.role == recorder::Role::kMember ? std::optional(caller.id) : std::nullopt;
}

/// 401, saying why (proxy::auth_failure_message).
inline proxy::StringResponse signed_out(std::string_view why) {
  return json_response(401, proxy::message_body("You are signed out or your session has expired. "
                                                "Please sign in again to continue.",
                                                why));
}

}  // namespace aibridge::api
