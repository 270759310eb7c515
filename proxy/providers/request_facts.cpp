#include "proxy/providers/request_facts.hpp"

#include <simdjson.h>

namespace aibridge::proxy {

std::optional<RequestFacts> read_request_facts(Endpoint /*endpoint*/, std::string_view body) {
  // One parser per network thread: its buffers are reused across requests.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size(), /*realloc_if_needed=*/true).get(root) !=
      simdjson::SUCCESS) {
    return std::nullopt;
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  RequestFacts facts;
  std::string_view model;
  if (object["model"].get_string().get(model) == simdjson::SUCCESS) {
    facts.model = std::string(model);
  }
  bool stream = false;
  if (object["stream"].get_bool().get(stream) == simdjson::SUCCESS) {
    facts.streaming = stream;
  }
  return facts;
}

}  // namespace aibridge::proxy
