#pragma once
// Moving HTTP bytes with as few system calls and event-loop round trips as the socket allows:
// a write is tried at once without waiting (the usual case on a socket with room: one sendmsg,
// no asynchronous operation), and only what the socket could not take waits for it; messages
// are parsed from the connection's buffer with Beast's parsers, reading more only when they
// need more. Heads are serialised by us into one buffer, so a small message leaves in one write.
#include <span>
#include <string>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>

#include "core/net.hpp"
#include "proxy/upstream/stream.hpp"

namespace aibridge::proxy {

/// Writes every byte of `buffers` to `socket`.
net::awaitable<error_code> write_all(tcp::socket& socket, std::span<const net::const_buffer> buffers);

/// The same over a provider connection (TLS: through the TLS stream).
net::awaitable<error_code> write_all(UpstreamStream& stream,
                                     std::span<const net::const_buffer> buffers);

/// Appends "name: value\r\n" for every field.
void append_fields(std::string& out, const http::fields& fields);

/// "METHOD target HTTP/1.1\r\n" + fields + "\r\n" (the caller has set Content-Length).
std::string serialize_request_head(const http::request_header<>& head);

/// "HTTP/1.1 status reason\r\n" + fields + "\r\n", into `out` (cleared first).
void serialize_response_head(const http::response_header<>& head, std::string& out);

/// The "<hex size>\r\n" that starts a chunk of `size` bytes.
std::string chunk_header(std::size_t size);

inline constexpr std::string_view kCrlf = "\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

}  // namespace aibridge::proxy
