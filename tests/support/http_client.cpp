#include "tests/support/http_client.hpp"

#include <array>

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

std::string read_until_then_close(unsigned short port, const std::string& target,
                                  const Headers& headers, const std::string& body,
                                  std::string_view marker) {
  net::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> message{http::verb::post, target, 11};
  message.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) {
    message.set(name, value);
  }
  message.body() = body;
  message.prepare_payload();
  http::write(socket, message);
  std::string seen;
  std::array<char, 4096> piece{};
  while (seen.find(marker) == std::string::npos) {
    error_code error;
    const std::size_t got = socket.read_some(net::buffer(piece), error);
    if (error) {
      break;
    }
    seen.append(piece.data(), got);
  }
  error_code ignored;
  socket.close(ignored);  // leaves at once, the rest of the stream unread
  return seen;
}

Response request(unsigned short port, http::verb method, const std::string& target,
                 const Headers& headers, const std::string& body) {
  Connection connection(port);
  return connection.request(method, target, headers, body);
}

StreamedResponse stream_request(unsigned short port, http::verb method, const std::string& target,
                                const Headers& headers, const std::string& body) {
  net::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  socket.set_option(tcp::no_delay(true));
  http::request<http::string_body> message{method, target, 11};
  message.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) {
    message.set(name, value);
  }
  message.body() = body;
  message.prepare_payload();
  const auto sent = std::chrono::steady_clock::now();
  http::write(socket, message);

  StreamedResponse result;
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  http::read_header(socket, buffer, parser);
  result.status = parser.get().result_int();
  result.headers = parser.get().base();
  std::array<char, 65536> piece{};
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    error_code error;
    http::read_some(socket, buffer, parser, error);
    const std::size_t got = piece.size() - parser.get().body().size;
    if (got > 0) {
      result.body.append(piece.data(), got);
      result.pieces.emplace_back(std::chrono::steady_clock::now() - sent, got);
    }
    if (error && error != http::error::need_buffer) {
      return result;
    }
  }
  result.complete = true;
  return result;
}

unsigned short port_from_listen_line(const std::string& tail) {
  const std::size_t colon = tail.find(':', tail.find("//"));
  return static_cast<unsigned short>(std::stoi(tail.substr(colon + 1)));
}

}  // namespace aibridge::testing
