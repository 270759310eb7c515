#pragma once
// The admin API (SPEC §6): the interceptions listing and the request-logging toggle. The server
// has authenticated the caller; database work runs on the store pool.
#include "proxy/admin_service.hpp"
#include "proxy/request_dump.hpp"
#include "recorder/store_pool.hpp"

namespace aibridge::api {

/// The setting that keeps the request-logging state across restarts.
inline constexpr std::string_view kRequestLoggingSetting = "request_logging";

class AdminHandler final : public proxy::AdminService {
 public:
  AdminHandler(recorder::StorePool& stores, proxy::RequestDumper& dumper)
      : stores_(stores), dumper_(dumper) {}

  boost::asio::awaitable<proxy::StringResponse> handle(proxy::RouteKind kind,
                                                       const proxy::StringRequest& request,
                                                       const proxy::Principal& caller) override;

 private:
  boost::asio::awaitable<proxy::StringResponse> list_interceptions(
      proxy::RouteKind kind, const proxy::StringRequest& request, const proxy::Principal& caller);
  boost::asio::awaitable<proxy::StringResponse> request_logging(const proxy::StringRequest& request,
                                                                const proxy::Principal& caller);

  recorder::StorePool& stores_;
  proxy::RequestDumper& dumper_;
};

}  // namespace aibridge::api
