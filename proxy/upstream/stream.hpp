#pragma once
// A connection to a provider over plain TCP or TLS, usable wherever Beast expects an async
// stream: the HTTP code above it is compiled once, not once per transport.
#include <variant>

#include <boost/asio/ssl.hpp>

#include "core/net.hpp"

namespace aibridge::proxy {

namespace ssl = boost::asio::ssl;

class UpstreamStream {
 public:
  using executor_type = net::any_io_executor;
  using TlsStream = ssl::stream<tcp::socket>;

  explicit UpstreamStream(tcp::socket socket) : impl_(std::move(socket)) {}
  UpstreamStream(tcp::socket socket, ssl::context& context)
      : impl_(std::in_place_type<TlsStream>, std::move(socket), context) {}

  executor_type get_executor() { return socket().get_executor(); }
  tcp::socket& socket() {
    if (auto* tls = std::get_if<TlsStream>(&impl_)) {
      return tls->next_layer();
    }
    return std::get<tcp::socket>(impl_);
  }
  TlsStream* tls() { return std::get_if<TlsStream>(&impl_); }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return net::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& target) {
          std::visit([&](auto& stream) { stream.async_read_some(target, std::move(handler)); },
                     impl_);
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return net::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& source) {
          std::visit([&](auto& stream) { stream.async_write_some(source, std::move(handler)); },
                     impl_);
        },
        token, buffers);
  }

 private:
  std::variant<tcp::socket, TlsStream> impl_;
};

}  // namespace aibridge::proxy
