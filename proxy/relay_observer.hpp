#pragma once
// What watches a response as it is relayed (the recording, the request dump).
#include <string_view>

#include <boost/beast/http/message.hpp>

namespace aibridge::proxy {

/// Sees the response on the relay path: calls are synchronous, get views into the relay buffer
/// (valid only during the call) and must not block.
class RelayObserver {
 public:
  virtual ~RelayObserver() = default;
  virtual void on_response_head(const boost::beast::http::response_header<>& head) = 0;
  /// Each piece the provider sent, once it was handed to the client (or the client is gone).
  virtual void on_response_body(std::string_view piece) = 0;
  /// No response came: `error` says why.
  virtual void on_no_response(std::string_view /*error*/) {}
};

}  // namespace aibridge::proxy
