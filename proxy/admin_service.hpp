#pragma once
// The admin API and console as the server sees them: api/ implements this, routing,
// authenticating and answering every request below the admin prefixes (proxy/routing.hpp).
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace aibridge::proxy {

using StringRequest = boost::beast::http::request<boost::beast::http::string_body>;
using StringResponse = boost::beast::http::response<boost::beast::http::string_body>;

struct AdminAnswer {
  StringResponse response;
  std::string username;  // who was authenticated, for the access log (empty: nobody)
};

class AdminService {
 public:
  virtual ~AdminService() = default;
  /// Called on a network thread; database work must be awaited on the store pool.
  virtual boost::asio::awaitable<AdminAnswer> handle(const StringRequest& request) = 0;
};

}  // namespace aibridge::proxy
