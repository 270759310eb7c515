// libFuzzer: the admin list's query string — form decoding, pagination and the `q` grammar —
// on arbitrary targets. Every input ends in parameters or in validation errors, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "api/pagination.hpp"
#include "api/query_params.hpp"
#include "api/search_query.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aibridge::api;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The raw input as a whole `q` value, as if it had arrived decoded.
  const auto raw = parse_search(input);
  if (const auto* problems = std::get_if<std::vector<Validation>>(&raw);
      problems && problems->empty()) {
    __builtin_trap();  // a rejected query always says why
  }
  const std::string target = "/api/v2/aibridge/interceptions?" + std::string(input);
  const auto params = decode_query(target);
  if (!params) {
    return 0;
  }
  const auto pagination = parse_pagination(*params);
  if (const auto* error = std::get_if<ApiError>(&pagination);
      error && error->validations.empty() && error->detail.empty()) {
    __builtin_trap();  // likewise
  }
  if (const auto found = params->find("q"); found != params->end()) {
    for (const std::string& q : found->second) {
      parse_search(q);
    }
  }
  return 0;
}
