#include "proxy/providers/openai_usage.hpp"

#include <algorithm>

namespace aibridge::proxy {

recorder::TokenUsage chat_usage_row(json::element usage, const std::string& response_id) {
  const std::int64_t cached =
      json::integer(usage, "/prompt_tokens_details/cached_tokens").value_or(0);
  recorder::TokenUsage row;
  row.provider_response_id = response_id;
  row.input_tokens =
      std::max<std::int64_t>(0, json::integer(usage, "/prompt_tokens").value_or(0) - cached);
  row.output_tokens = json::integer(usage, "/completion_tokens").value_or(0);
  row.cache_read_input_tokens = cached;
  row.metadata = json::counters(
      {{"reasoning_tokens", json::integer(usage, "/completion_tokens_details/reasoning_tokens")},
       {"audio_input_tokens", json::integer(usage, "/prompt_tokens_details/audio_tokens")},
       {"audio_output_tokens", json::integer(usage, "/completion_tokens_details/audio_tokens")},
       {"accepted_prediction_tokens",
        json::integer(usage, "/completion_tokens_details/accepted_prediction_tokens")},
       {"rejected_prediction_tokens",
        json::integer(usage, "/completion_tokens_details/rejected_prediction_tokens")},
       {"total_tokens", json::integer(usage, "/total_tokens")}});
  return row;
}

recorder::TokenUsage responses_usage_row(json::element usage, const std::string& response_id) {
  const std::int64_t cached =
      json::integer(usage, "/input_tokens_details/cached_tokens").value_or(0);
  recorder::TokenUsage row;
  row.provider_response_id = response_id;
  row.input_tokens =
      std::max<std::int64_t>(0, json::integer(usage, "/input_tokens").value_or(0) - cached);
  row.output_tokens = json::integer(usage, "/output_tokens").value_or(0);
  row.cache_read_input_tokens = cached;
  row.metadata = json::counters(
      {{"reasoning_tokens", json::integer(usage, "/output_tokens_details/reasoning_tokens")},
       {"total_tokens", json::integer(usage, "/total_tokens")}});
  return row;
}

}  // namespace aibridge::proxy
