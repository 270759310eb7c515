#include "proxy/errors.hpp"

#include <boost/json.hpp>

namespace aibridge::proxy {
namespace {

namespace json = boost::json;

std::string_view anthropic_type(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kAuthentication:
      return "authentication_error";
    case ErrorKind::kInvalidRequest:
    case ErrorKind::kMethodNotAllowed:
      return "invalid_request_error";
    case ErrorKind::kTooLarge:
      return "request_too_large";
    case ErrorKind::kNotFound:
      return "not_found_error";
    case ErrorKind::kUnavailable:
      return "overloaded_error";
    case ErrorKind::kUpstreamFailed:
    case ErrorKind::kUpstreamTimeout:
      return "api_error";
  }
  return "api_error";
}

struct OpenAiShape {
  std::string_view type;
  std::string_view code;
};

OpenAiShape openai_shape(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kAuthentication:
      return {"invalid_request_error", "invalid_api_key"};
    case ErrorKind::kInvalidRequest:
    case ErrorKind::kMethodNotAllowed:
      return {"invalid_request_error", "invalid_request"};
    case ErrorKind::kTooLarge:
      return {"invalid_request_error", "request_too_large"};
    case ErrorKind::kNotFound:
      return {"invalid_request_error", "not_found"};
    case ErrorKind::kUnavailable:
      return {"server_error", "service_unavailable"};
    case ErrorKind::kUpstreamFailed:
      return {"server_error", "bad_gateway"};
    case ErrorKind::kUpstreamTimeout:
      return {"server_error", "gateway_timeout"};
  }
  return {"server_error", "internal_error"};
}

}  // namespace

unsigned error_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kAuthentication:
      return 401;
    case ErrorKind::kInvalidRequest:
      return 400;
    case ErrorKind::kTooLarge:
      return 413;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kMethodNotAllowed:
      return 405;
    case ErrorKind::kUpstreamFailed:
      return 502;
    case ErrorKind::kUpstreamTimeout:
      return 504;
    case ErrorKind::kUnavailable:
      return 503;
  }
  return 500;
}

std::string provider_error_body(Provider provider, ErrorKind kind, std::string_view message) {
  if (provider == Provider::kAnthropic) {
    return json::serialize(json::object{
        {"type", "error"},
        {"error", json::object{{"type", anthropic_type(kind)}, {"message", message}}}});
  }
  const OpenAiShape shape = openai_shape(kind);
  return json::serialize(json::object{
      {"error", json::object{{"message", message}, {"type", shape.type}, {"code", shape.code}}}});
}

std::string provider_stream_error(Provider provider, std::string_view message) {
  if (provider == Provider::kAnthropic) {
    return "event: error\ndata: " +
           provider_error_body(provider, ErrorKind::kUpstreamFailed, message) + "\n\n";
  }
  return "data: " + provider_error_body(provider, ErrorKind::kUpstreamFailed, message) + "\n\n";
}

std::string message_body(std::string_view message, std::string_view detail) {
  json::object body{{"message", message}};
  if (!detail.empty()) {
    body["detail"] = detail;
  }
  return json::serialize(body);
}

}  // namespace aibridge::proxy
