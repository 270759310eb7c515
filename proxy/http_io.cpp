#include "proxy/http_io.hpp"

#include <array>
#include <vector>

#include <fmt/format.h>

#include <sys/socket.h>
#include <sys/uio.h>

namespace aibridge::proxy {
namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);

// Sends what the socket takes now; returns how many bytes went out (0 when it takes none).
std::size_t send_now(tcp::socket& socket, std::span<const net::const_buffer> buffers,
                     error_code& error) {
  constexpr std::size_t kMaxVectors = 16;
  std::array<iovec, kMaxVectors> vectors{};
  std::size_t count = 0;
  for (const net::const_buffer& buffer : buffers) {
    if (buffer.size() == 0) {
      continue;
    }
    if (count == kMaxVectors) {
      break;  // the rest goes out asynchronously
    }
    vectors[count++] = {const_cast<void*>(buffer.data()), buffer.size()};  // NOLINT: iovec
  }
  msghdr message{};
  message.msg_iov = vectors.data();
  message.msg_iovlen = count;
  for (;;) {
    const ssize_t sent = ::sendmsg(socket.native_handle(), &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent >= 0) {
      return static_cast<std::size_t>(sent);
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      error = error_code(errno, boost::system::system_category());
    }
    return 0;
  }
}

// The buffers after the first `skip` bytes.
std::vector<net::const_buffer> remainder(std::span<const net::const_buffer> buffers,
                                         std::size_t skip) {
  std::vector<net::const_buffer> rest;
  for (net::const_buffer buffer : buffers) {
    const std::size_t dropped = std::min(skip, buffer.size());
    buffer += dropped;
    skip -= dropped;
    if (buffer.size() > 0) {
      rest.push_back(buffer);
    }
  }
  return rest;
}

}  // namespace

net::awaitable<error_code> write_all(tcp::socket& socket,
                                     std::span<const net::const_buffer> buffers) {
  std::size_t total = 0;
  for (const net::const_buffer& buffer : buffers) {
    total += buffer.size();
  }
  error_code error;
  const std::size_t sent = send_now(socket, buffers, error);
  if (error || sent == total) {
    co_return error;
  }
  const std::vector<net::const_buffer> rest = remainder(buffers, sent);
  auto [write_error, written] = co_await net::async_write(socket, rest, kTuple);
  co_return write_error;
}

net::awaitable<error_code> write_all(UpstreamStream& stream,
                                     std::span<const net::const_buffer> buffers) {
  if (stream.tls() == nullptr) {
    co_return co_await write_all(stream.socket(), buffers);
  }
  const std::vector<net::const_buffer> all(buffers.begin(), buffers.end());
  auto [error, written] = co_await net::async_write(*stream.tls(), all, kTuple);
  co_return error;
}

void append_fields(std::string& out, const http::fields& fields) {
  for (const auto& field : fields) {
    out.append(field.name_string());
    out += ": ";
    out.append(field.value());
    out += kCrlf;
  }
}

std::string serialize_request_head(const http::request_header<>& head) {
  std::string out;
  out.reserve(1024);
  out.append(head.method_string());
  out += ' ';
  out.append(head.target());
  out += " HTTP/1.1\r\n";
  append_fields(out, head);
  out += kCrlf;
  return out;
}

void serialize_response_head(const http::response_header<>& head, std::string& out) {
  out.clear();
  out += "HTTP/1.1 ";
  out += std::to_string(head.result_int());
  out += ' ';
  out.append(head.reason());
  out += kCrlf;
  append_fields(out, head);
  out += kCrlf;
}

std::string chunk_header(std::size_t size) {
  return fmt::format("{:x}\r\n", size);
}

}  // namespace aibridge::proxy
