// libFuzzer: the three extractors on arbitrary provider output, streamed (through the SSE parser,
// cut at a fuzzer-chosen size) and blocking. Nothing may crash, read out of bounds (ASan) or hit
// undefined behaviour (UBSan), however broken the JSON or the event order.
#include <cstddef>
#include <cstdint>
#include <string>

#include "proxy/providers/extractor.hpp"
#include "proxy/sse_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aibridge::proxy;
  if (size < 2) {
    return 0;
  }
  constexpr Endpoint kEndpoints[] = {Endpoint::kChatCompletions, Endpoint::kResponses,
                                     Endpoint::kMessages};
  const Endpoint endpoint = kEndpoints[data[0] % 3];
  const bool streaming = (data[0] / 3) % 2 == 0;
  const std::size_t piece = 1 + data[1];
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  const auto extractor = make_extractor(endpoint);
  if (streaming) {
    SseParser parser(1 << 16);
    for (std::size_t pos = 0; pos < input.size(); pos += piece) {
      parser.feed(input.substr(pos, piece),
                  [&](const SseEvent& event) { extractor->on_event(event); });
    }
  } else {
    extractor->on_body(std::string(input));
  }
  extractor->finish();
  return 0;
}
