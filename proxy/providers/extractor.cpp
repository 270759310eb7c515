#include "proxy/providers/extractor.hpp"

namespace aibridge::proxy {

// One file per API (anthropic.cpp, openai_chat.cpp, openai_responses.cpp).
std::unique_ptr<Extractor> make_anthropic_extractor();
std::unique_ptr<Extractor> make_chat_extractor();
std::unique_ptr<Extractor> make_responses_extractor();

std::unique_ptr<Extractor> make_extractor(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kMessages:
      return make_anthropic_extractor();
    case Endpoint::kChatCompletions:
      return make_chat_extractor();
    case Endpoint::kResponses:
      return make_responses_extractor();
  }
  return make_chat_extractor();
}

}  // namespace aibridge::proxy
