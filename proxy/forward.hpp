#pragma once
// One exchange with a provider: send the prepared request on a pooled (or new) connection and
// relay the response to the client as it arrives — status, Content-Type and body bytes
// unchanged, each upstream read written at once, never reading the provider faster than the
// client drains (SPEC §4.3) — while the observers (the recording, the request dump) see the
// same bytes. Failures are classified (relay_outcome.hpp) and answered as the SPEC maps them.
//
// A bridged request runs one exchange today; a request with injected tools (SPEC §11) will run
// several through the same function, with its own observers.
#include <span>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>

#include "proxy/relay_observer.hpp"
#include "proxy/relay_outcome.hpp"
#include "proxy/session.hpp"
#include "proxy/upstream/origin.hpp"

namespace aibridge::proxy {

struct ForwardRequest {
  const Origin& origin;
  StringRequest& request;  // the provider request: target, headers and body prepared
  Provider provider;
  bool streaming = false;  // the client asked for a stream: idle timeouts, in-stream errors
  bool client_keep_alive = true;
  std::string_view interception_id;     // bridged routes: sent as X-AIBridge-Interception-Id
  std::span<RelayObserver* const> observers;  // may be empty
};

struct ForwardResult {
  ForwardEnding ending = ForwardEnding::kCompleted;
  unsigned upstream_status = 0;    // 0 when no response arrived
  bool upstream_complete = false;  // the provider's whole response was received
  std::string error;               // what went wrong, for logs and records
};

net::awaitable<ForwardResult> forward(Session& session, const ForwardRequest& request,
                                      ExchangeLog& log);

}  // namespace aibridge::proxy
