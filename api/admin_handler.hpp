#pragma once
// The admin API and console (SPEC §6, §10): routes every request the proxy hands over
// (api/admin_routes.hpp), authenticates the caller (a cookie only with the CSRF check,
// api/csrf.hpp) and answers: the interceptions listing, one interception, sessions, usage sums,
// the recorded models and clients, the request-logging toggle, and the console's files and
// sign-in.
// Database work runs on the store pool.
#include "api/admin_routes.hpp"
#include "proxy/admin_service.hpp"
#include "proxy/auth.hpp"
#include "proxy/request_dump.hpp"
#include "recorder/store_pool.hpp"

namespace aibridge::api {

/// The setting that keeps the request-logging state across restarts.
inline constexpr std::string_view kRequestLoggingSetting = "request_logging";

class AdminHandler final : public proxy::AdminService {
 public:
  AdminHandler(recorder::StorePool& stores, proxy::RequestDumper& dumper,
               proxy::Authenticator& authenticator)
      : stores_(stores), dumper_(dumper), authenticator_(authenticator) {}

  boost::asio::awaitable<proxy::AdminAnswer> handle(const proxy::StringRequest& request) override;

 private:
  /// The console's files, sign-in and sign-out (api/console_handler.cpp).
  boost::asio::awaitable<proxy::StringResponse> answer_public(const AdminRoute& route,
                                                              const proxy::StringRequest& request);
  static proxy::StringResponse signed_in_as(const proxy::Principal& caller);
  /// Users and tokens, for owners (api/identity_handler.cpp).
  boost::asio::awaitable<proxy::StringResponse> users(const proxy::StringRequest& request,
                                                      const proxy::Principal& caller);
  boost::asio::awaitable<proxy::StringResponse> tokens(const proxy::StringRequest& request,
                                                       const proxy::Principal& caller);
  boost::asio::awaitable<proxy::StringResponse> revoke_token(const std::string& id,
                                                             const proxy::Principal& caller);
  boost::asio::awaitable<proxy::StringResponse> answer(const AdminRoute& route,
                                                       const proxy::StringRequest& request,
                                                       const proxy::Principal& caller);
  boost::asio::awaitable<proxy::StringResponse> list_interceptions(
      AdminRouteKind kind, const proxy::StringRequest& request, const proxy::Principal& caller);
  boost::asio::awaitable<proxy::StringResponse> usage(const proxy::StringRequest& request,
                                                      const proxy::Principal& caller);
  boost::asio::awaitable<proxy::StringResponse> one_interception(const std::string& id,
                                                                 const proxy::Principal& caller);
  /// An interception's request-log files, and one of them (api/request_log_handler.cpp).
  boost::asio::awaitable<proxy::StringResponse> request_logs(const AdminRoute& route,
                                                             const proxy::Principal& caller);
  boost::asio::awaitable<proxy::StringResponse> list_sessions(const proxy::StringRequest& request,
                                                              const proxy::Principal& caller);
  boost::asio::awaitable<proxy::StringResponse> one_session(const std::string& id,
                                                            const proxy::Principal& caller);
  boost::asio::awaitable<proxy::StringResponse> recorded_values(recorder::Attribute attribute,
                                                                const proxy::Principal& caller);
  boost::asio::awaitable<proxy::StringResponse> request_logging(const proxy::StringRequest& request,
                                                                const proxy::Principal& caller);

  recorder::StorePool& stores_;
  proxy::RequestDumper& dumper_;
  proxy::Authenticator& authenticator_;
};

}  // namespace aibridge::api
