// libFuzzer: the SSE parser never crashes, never reads past what it was given (ASan), keeps the
// padding promise, and gives the same events however the input is cut.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "proxy/sse_parser.hpp"

namespace {

using Events = std::vector<std::pair<std::string, std::string>>;

Events parse(std::string_view text, std::size_t first_cut, std::size_t piece) {
  aibridge::proxy::SseParser parser(4096);
  Events events;
  const auto collect = [&](const aibridge::proxy::SseEvent& event) {
    events.emplace_back(event.type, event.data);
    volatile char padding = event.data.data()[event.data.size() + aibridge::proxy::kSsePadding - 1];
    (void)padding;
  };
  parser.feed(text.substr(0, first_cut), collect);
  for (std::size_t pos = first_cut; pos < text.size(); pos += piece) {
    parser.feed(text.substr(pos, piece), collect);
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) {
    return 0;
  }
  const std::size_t piece = 1 + data[0] % 17;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const Events whole = parse(text, text.size(), 1);
  if (parse(text, data[0] % text.size(), piece) != whole) {
    __builtin_trap();
  }
  return 0;
}
