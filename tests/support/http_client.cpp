#include "tests/support/http_client.hpp"

namespace aibridge::testing {

Connection::Connection(unsigned short port) : socket_(io_) {
  socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
}

Response Connection::request(http::verb method, const std::string& target, const Headers& headers,
                             const std::string& body) {
  http::request<http::string_body> message{method, target, 11};
  message.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) {
    message.set(name, value);
  }
  message.body() = body;
  if (!body.empty() || method == http::verb::post) {
    message.prepare_payload();
  }
  http::write(socket_, message);
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ULL << 30);
  http::read(socket_, buffer_, parser);
  return parser.release();
}

Response request(unsigned short port, http::verb method, const std::string& target,
                 const Headers& headers, const std::string& body) {
  Connection connection(port);
  return connection.request(method, target, headers, body);
}

unsigned short port_from_listen_line(const std::string& tail) {
  const std::size_t colon = tail.find(':', tail.find("//"));
  return static_cast<unsigned short>(std::stoi(tail.substr(colon + 1)));
}

}  // namespace aibridge::testing
