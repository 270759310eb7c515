#pragma once
// What the gateway needs to know from a bridged request body. Pure.
#include <optional>
#include <string>
#include <string_view>

#include "proxy/routing.hpp"

namespace aibridge::proxy {

struct RequestFacts {
  std::string model;       // "" when absent or not a string
  bool streaming = false;  // `"stream": true` (a JSON boolean)
};

/// Validates the whole body as JSON; nullopt when it is not a JSON object.
std::optional<RequestFacts> read_request_facts(Endpoint endpoint, std::string_view body);

}  // namespace aibridge::proxy
