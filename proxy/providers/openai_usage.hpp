#pragma once
// OpenAI usage objects → token rows. Both OpenAI APIs count cached tokens inside the input
// total, so the cached part is subtracted (SPEC §5.1).
#include <string>

#include "proxy/providers/json_access.hpp"
#include "recorder/records.hpp"

namespace aibridge::proxy {

/// Chat completions: prompt_tokens, completion_tokens, *_tokens_details.
recorder::TokenUsage chat_usage_row(json::element usage, const std::string& response_id);

/// Responses: input_tokens, output_tokens, *_tokens_details, total_tokens.
recorder::TokenUsage responses_usage_row(json::element usage, const std::string& response_id);

}  // namespace aibridge::proxy
