#pragma once
// A blocking HTTP/1.1 client for tests: one connection per call unless a Connection is reused.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <boost/beast/http.hpp>

#include "core/net.hpp"

namespace aibridge::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;
using Response = http::response<http::string_body>;

class Connection {
 public:
  explicit Connection(unsigned short port);
  Response request(http::verb method, const std::string& target, const Headers& headers = {},
                   const std::string& body = {});
  tcp::socket& socket() { return socket_; }

 private:
  net::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

Response request(unsigned short port, http::verb method, const std::string& target,
                 const Headers& headers = {}, const std::string& body = {});

/// A response read piece by piece, with the time each piece arrived.
struct StreamedResponse {
  unsigned status = 0;
  http::fields headers;
  std::string body;
  std::vector<std::pair<std::chrono::steady_clock::duration, std::size_t>> pieces;  // since send
  bool complete = false;  // the body ended as HTTP framing says (not cut off)
};

/// Sends one request and reads the response body as it arrives.
StreamedResponse stream_request(unsigned short port, http::verb method, const std::string& target,
                                const Headers& headers = {}, const std::string& body = {});

/// Sends one request, reads the response until `marker` has arrived in its body, then closes
/// the connection at once (a client that leaves at a chosen byte). Returns the head's fields
/// and the body read so far.
std::string read_until_then_close(unsigned short port, const std::string& target,
                                  const Headers& headers, const std::string& body,
                                  std::string_view marker);

/// Port number from "http://127.0.0.1:PORT …" (the server's "listening on" log line tail).
unsigned short port_from_listen_line(const std::string& tail);

}  // namespace aibridge::testing
