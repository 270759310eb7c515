#pragma once
// One exchange with a provider: send the prepared request on a pooled (or new) connection and
// relay the response to the client as it arrives — status, Content-Type and body bytes
// unchanged, each upstream read written and flushed at once, never reading the provider faster
// than the client drains (SPEC §4.3). Failures are answered as the SPEC maps them.
#include <string>
#include <string_view>

#include "proxy/request_dump.hpp"
#include "proxy/session.hpp"
#include "proxy/upstream/origin.hpp"

namespace aibridge::proxy {

/// Sees the response as it is relayed, on the relay path: calls are synchronous, get views
/// into the relay buffer (valid only during the call) and must not block.
class RelayObserver {
 public:
  virtual ~RelayObserver() = default;
  virtual void on_response_head(unsigned status, std::string_view content_type) = 0;
  /// Each piece after it was written to the client.
  virtual void on_response_body(std::string_view piece) = 0;
};

struct ForwardRequest {
  const Origin& origin;
  StringRequest& request;  // the provider request: target, headers and body prepared
  Provider provider;
  bool streaming = false;  // the client asked for a stream: idle timeouts, in-stream errors
  bool client_keep_alive = true;
  std::string_view interception_id;  // bridged routes: sent as X-AIBridge-Interception-Id
  RelayObserver* observer = nullptr;
  ExchangeDump* dump = nullptr;  // request logging, when enabled
};

enum class ForwardEnding {
  kCompleted,        // the provider's whole response reached the client
  kUpstreamFailed,   // no usable response, or the provider connection broke
  kUpstreamTimeout,  // a provider timeout fired
  kClientGone,       // the client disconnected or stopped reading
};

struct ForwardResult {
  ForwardEnding ending = ForwardEnding::kCompleted;
  unsigned upstream_status = 0;  // 0 when no response arrived
  std::string error;             // what went wrong, for logs and records
};

net::awaitable<ForwardResult> forward(Session& session, const ForwardRequest& request,
                                      ExchangeLog& log);

}  // namespace aibridge::proxy
