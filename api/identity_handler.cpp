// AdminHandler's users and tokens endpoints (the console's settings, SPEC §10): owners list and
// create users, create tokens (shown once) and revoke them.
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "api/admin_handler.hpp"
#include "api/identity.hpp"
#include "api/responses.hpp"
#include "core/time.hpp"
#include "core/tokens.hpp"

namespace aibridge::api {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using proxy::StringResponse;

constexpr std::int64_t kMaxLifetimeDays = 3660;

json::value time_or_null(const std::optional<recorder::UnixMicros>& at) {
  return at ? json::value(core::format_rfc3339(*at)) : json::value(nullptr);
}

json::object user_object(const recorder::User& user) {
  return {{"id", user.id},
          {"username", user.username},
          {"name", user.name},
          {"email", user.email},
          {"role", recorder::role_name(user.role)},
          {"created_at", core::format_rfc3339(user.created_at)}};
}

// The body as an object, or why not.
std::variant<json::object, ApiError> object_body(const proxy::StringRequest& request) {
  boost::system::error_code error;
  json::value body = json::parse(request.body(), error);
  if (error || !body.is_object()) {
    return ApiError{400, "Request body must be valid JSON.", "expected a JSON object", {}};
  }
  return std::move(body.as_object());
}

std::string text_field(const json::object& body, std::string_view name) {
  const json::value* value = body.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

// A job's answer, or the store's failure. (Jobs are named lvalues: GCC 12 destroys a
// temporary inside a co_await expression twice, recorder/store_pool.hpp.)
template <class Job>
boost::asio::awaitable<StringResponse> run(recorder::StorePool& stores, const Job& job,
                                           std::string_view doing) {
  try {
    co_return co_await stores.run(job);
  } catch (...) {
    co_return store_failure(doing, "Internal error managing users and tokens.");
  }
}

StringResponse not_an_owner() {
  return error_response(
      {403, "Only users with the 'owner' role can manage users and tokens.", "", {}});
}

}  // namespace

boost::asio::awaitable<StringResponse> AdminHandler::users(const proxy::StringRequest& request,
                                                           const proxy::Principal& caller) {
  if (caller.user().role != recorder::Role::kOwner) {
    co_return not_an_owner();
  }
  if (request.method() == http::verb::get) {
    const auto job = [](recorder::Store& store) {
      json::array out;
      for (const recorder::User& user : store.list_users()) {
        out.push_back(user_object(user));
      }
      return json_response(200, json::serialize(out));
    };
    co_return co_await run(stores_, job, "listing users");
  }
  auto body = object_body(request);
  if (auto* error = std::get_if<ApiError>(&body)) {
    co_return error_response(*error);
  }
  const json::object& fields = std::get<json::object>(body);
  NewUser wanted{text_field(fields, "username"), text_field(fields, "name"),
                 text_field(fields, "email"), "", recorder::Role::kMember};
  if (const std::string role = text_field(fields, "role"); !role.empty()) {
    const auto parsed = recorder::parse_role(role);
    if (!parsed) {
      co_return error_response(
          {400, "Invalid user.", "", {{"role", "role must be owner, auditor or member"}}});
    }
    wanted.role = *parsed;
  }
  try {
    check_new_user(wanted);
  } catch (const UsageError& e) {
    co_return error_response({400, "Invalid user.", "", {{"username", e.what()}}});
  }
  const std::string by = caller.user().username;
  const auto job = [wanted, by](recorder::Store& store) {
    try {
      const recorder::User made = create_user(store, wanted);
      spdlog::info("user {} ({}) created by {}", made.username, role_name(made.role), by);
      return json_response(201, json::serialize(user_object(made)));
    } catch (const IdentityError&) {
      return error_response(
          {409, "A user named \"" + wanted.username + "\" exists already.", "", {}});
    }
  };
  co_return co_await run(stores_, job, "creating a user");
}

boost::asio::awaitable<StringResponse> AdminHandler::tokens(const proxy::StringRequest& request,
                                                            const proxy::Principal& caller) {
  if (caller.user().role != recorder::Role::kOwner) {
    co_return not_an_owner();
  }
  if (request.method() == http::verb::get) {
    const auto job = [](recorder::Store& store) {
      std::map<std::string, std::string> names;
      for (const recorder::User& user : store.list_users()) {
        names.emplace(user.id, user.username);
      }
      json::array out;
      for (const recorder::ApiToken& token : store.list_tokens(std::nullopt)) {
        out.push_back(json::object{{"id", token.id},
                                   {"user_id", token.user_id},
                                   {"username", names[token.user_id]},
                                   {"created_at", core::format_rfc3339(token.created_at)},
                                   {"expires_at", time_or_null(token.expires_at)},
                                   {"last_used_at", time_or_null(token.last_used_at)},
                                   {"revoked_at", time_or_null(token.revoked_at)}});
      }
      return json_response(200, json::serialize(out));
    };
    co_return co_await run(stores_, job, "listing tokens");
  }
  auto body = object_body(request);
  if (auto* error = std::get_if<ApiError>(&body)) {
    co_return error_response(*error);
  }
  const json::object& fields = std::get<json::object>(body);
  const std::string username = text_field(fields, "username");
  std::int64_t days = 0;  // never expires
  if (const json::value* lifetime = fields.if_contains("lifetime_days")) {
    if (!lifetime->is_int64() || lifetime->as_int64() < 0 ||
        lifetime->as_int64() > kMaxLifetimeDays) {
      co_return error_response({400,
                                "Invalid token.",
                                "",
                                {{"lifetime_days",
                                  "lifetime_days must be a whole number of days from 0 (never "
                                  "expires) to " +
                                      std::to_string(kMaxLifetimeDays)}}});
    }
    days = lifetime->as_int64();
  }
  const std::string by = caller.user().username;
  const auto job = [username, days, by](recorder::Store& store) {
    try {
      const NewToken made = create_token(store, username, std::chrono::hours(24 * days));
      spdlog::info("token {} for {} created by {}", made.id, username, by);
      return json_response(201,
                           json::serialize(json::object{{"id", made.id}, {"token", made.text}}));
    } catch (const IdentityError& e) {
      return error_response({400, "Invalid token.", "", {{"username", e.what()}}});
    }
  };
  co_return co_await run(stores_, job, "creating a token");
}

boost::asio::awaitable<StringResponse> AdminHandler::revoke_token(const std::string& id,
                                                                  const proxy::Principal& caller) {
  if (caller.user().role != recorder::Role::kOwner) {
    co_return not_an_owner();
  }
  if (!core::is_token_id(id)) {
    co_return error_response({404, "No active token with id \"" + id + "\".", "", {}});
  }
  const std::string by = caller.user().username;
  const auto job = [id, by](recorder::Store& store) {
    if (!store.revoke_token(id, core::now_micros())) {
      return error_response({404, "No active token with id \"" + id + "\".", "", {}});
    }
    spdlog::info("token {} revoked by {}", id, by);
    return json_response(200, R"({"message":"Token revoked."})");
  };
  co_return co_await run(stores_, job, "revoking a token");
}

}  // namespace aibridge::api
