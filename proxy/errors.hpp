#pragma once
// Error bodies in the shape each client expects: a provider's own error JSON on provider routes
// (so SDKs raise their usual exceptions), Coder's {"message", "detail"} on the others.
#include <string>
#include <string_view>

#include "proxy/routing.hpp"

namespace aibridge::proxy {

enum class ErrorKind {
  kAuthentication,    // 401
  kInvalidRequest,    // 400
  kTooLarge,          // 413
  kNotFound,          // 404
  kMethodNotAllowed,  // 405
  kUpstreamFailed,    // 502
  kUpstreamTimeout,   // 504
  kUnavailable,       // 503
};

unsigned error_status(ErrorKind kind);

/// Anthropic: {"type":"error","error":{"type":…,"message":…}};
/// OpenAI: {"error":{"message":…,"type":…,"code":…}}.
std::string provider_error_body(Provider provider, ErrorKind kind, std::string_view message);

/// The same error as an SSE event, for failures after a stream has started: Anthropic gets an
/// `event: error`, OpenAI a `data:` chunk carrying an "error" object.
std::string provider_stream_error(Provider provider, std::string_view message);

/// What the admin API and a token lookup answer (503) while the database is unreachable.
inline constexpr std::string_view kDatabaseUnavailable =
    "The database is unavailable; try again shortly.";

/// {"message":…} or {"message":…,"detail":…} (Coder's error shape).
std::string message_body(std::string_view message, std::string_view detail = {});

}  // namespace aibridge::proxy
