#pragma once
// The admin API as the server sees it: api/ implements this; the server authenticates the
// caller first and hands over the request.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "proxy/auth.hpp"
#include "proxy/routing.hpp"

namespace aibridge::proxy {

using StringRequest = boost::beast::http::request<boost::beast::http::string_body>;
using StringResponse = boost::beast::http::response<boost::beast::http::string_body>;

class AdminService {
 public:
  virtual ~AdminService() = default;
  /// Called on a network thread; database work must be awaited on the store pool.
  virtual boost::asio::awaitable<StringResponse> handle(RouteKind kind,
                                                        const StringRequest& request,
                                                        const Principal& caller) = 0;
};

}  // namespace aibridge::proxy
