#include "proxy/interception.hpp"

#include <spdlog/spdlog.h>

#include "core/ids.hpp"
#include "core/json_text.hpp"
#include "core/time.hpp"
#include "proxy/status.hpp"

namespace aibridge::proxy {
InterceptionRecording::InterceptionRecording(const Route& route, std::string interception_id,
                                             core::UnixMicros started_at, const Principal& caller,
                                             RequestFacts facts, ClientFacts client,
                                             const core::RecorderSettings& settings)
    : provider_(route.provider),
      endpoint_(route.endpoint),
      facts_(std::move(facts)),
      client_(std::move(client)),
      extractor_(make_extractor(route.endpoint)),
      sse_(settings.max_sse_event_bytes),
      max_body_(settings.max_recorded_body) {
  record_.id = std::move(interception_id);
  record_.initiator_id = caller.user().id;
  record_.api_key_id = caller.token_id();
  record_.provider = std::string(provider_name(route.provider));
  record_.model = facts_.model;
  record_.started_at = started_at;
}

void InterceptionRecording::on_response_head(const http::response_header<>& head) {
  const unsigned status = head.result_int();
  extract_ = status >= 200 && status < 300;
  event_stream_ = head[http::field::content_type].starts_with("text/event-stream");
}

void InterceptionRecording::on_response_body(std::string_view piece) {
  if (!extract_) {
    return;  // an error response: its status says what happened
  }
  if (event_stream_) {
    sse_.feed(piece, [this](const SseEvent& event) { extractor_->on_event(event); });
    return;
  }
  if (body_.size() + piece.size() > max_body_) {
    body_too_large_ = true;
    body_.clear();
    body_.shrink_to_fit();
    return;
  }
  if (!body_too_large_) {
    body_.append(piece);
  }
}

void InterceptionRecording::on_loop_response(const http::response_header<>& head,
                                             const std::string& body,
                                             const mcp::Catalogue& catalogue, bool last) {
  if (!loop_) {
    loop_.emplace();
  }
  const unsigned status = head.result_int();
  Extraction response;
  if (status >= 200 && status < 300) {
    const std::unique_ptr<Extractor> extractor = make_extractor(endpoint_);
    extractor->on_body(body);
    response = extractor->finish();
  }
  if (loop_->response_id.empty()) {
    loop_->response_id = response.response_id;
  }
  std::move(response.token_usages.begin(), response.token_usages.end(),
            std::back_inserter(loop_->token_usages));
  std::move(response.model_thoughts.begin(), response.model_thoughts.end(),
            std::back_inserter(loop_->model_thoughts));
  for (recorder::ToolUsage& tool : response.tool_usages) {
    if (catalogue.find(tool.tool) == nullptr) {
      loop_->tool_usages.push_back(std::move(tool));
    }
  }
  loop_->failed = response.failed;
  loop_->error = std::move(response.error);
  loop_->finished = last;
}

void InterceptionRecording::on_injected_call(recorder::ToolUsage usage) {
  if (!loop_) {
    loop_.emplace();
  }
  loop_->tool_usages.push_back(std::move(usage));
}

recorder::Interception InterceptionRecording::finish(const ForwardResult& result) {
  // A whole blocking body is the provider's complete answer, even if the client left meanwhile.
  if (!loop_ && extract_ && !event_stream_ && !body_too_large_ && result.upstream_complete) {
    extractor_->on_body(body_);
  }
  if (body_too_large_) {
    spdlog::warn("interception {}: response body over recorder.max_recorded_body, not parsed",
                 record_.id);
  }
  Extraction extraction = loop_ ? std::move(*loop_) : extractor_->finish();
  const StatusDecision decision =
      decide_status({result.ending, result.error, result.upstream_status, extraction.failed,
                     extraction.error, extraction.finished, event_stream_});
  const std::string_view status = recorder::status_name(decision.status);
  record_.status = decision.status;
  record_.client = client_.client;
  record_.session_id = client_.session_id;

  record_.ended_at = core::now_micros();
  // Written straight into the string: a json::object built only to be serialised cost some 3,000
  // instructions per request.
  std::string& metadata = record_.metadata;
  metadata = "{\"user_agent\":";
  core::append_json_string(metadata, client_.user_agent);
  metadata += ",\"client\":";
  core::append_json_string(metadata, client_.client);
  metadata +=
      facts_.streaming ? ",\"streaming\":true,\"status\":" : ",\"streaming\":false,\"status\":";
  core::append_json_string(metadata, status);
  if (!client_.session_id.empty()) {
    metadata += ",\"client_session_id\":";
    core::append_json_string(metadata, client_.session_id);
  }
  if (result.upstream_status != 0) {
    metadata += ",\"upstream_status\":";
    core::append_json_int(metadata, result.upstream_status);
  }
  if (decision.status != recorder::Status::kCompleted) {
    metadata += ",\"error\":";
    core::append_json_string(metadata, decision.reason);
  }
  if (sse_.dropped_events() > 0) {
    metadata += ",\"oversized_events\":";
    core::append_json_int(metadata, static_cast<std::int64_t>(sse_.dropped_events()));
  }
  metadata += '}';

  if (facts_.prompt) {
    recorder::UserPrompt prompt;
    prompt.provider_response_id = extraction.response_id;
    prompt.prompt = std::move(*facts_.prompt);
    record_.user_prompts.push_back(std::move(prompt));
  }
  record_.token_usages = std::move(extraction.token_usages);
  record_.tool_usages = std::move(extraction.tool_usages);
  record_.model_thoughts = std::move(extraction.model_thoughts);

  // Children are listed by (created_at, id): distinct, increasing times keep upstream order.
  const std::size_t children = record_.user_prompts.size() + record_.token_usages.size() +
                               record_.tool_usages.size() + record_.model_thoughts.size();
  core::UnixMicros stamp = *record_.ended_at - static_cast<core::UnixMicros>(children);
  const auto assign = [&](auto& rows, recorder::ChildKind kind) {
    unsigned index = 0;
    for (auto& row : rows) {
      row.id = recorder::child_id(record_.id, kind, index++);
      row.created_at = ++stamp;
    }
  };
  assign(record_.user_prompts, recorder::ChildKind::kPrompt);
  assign(record_.token_usages, recorder::ChildKind::kTokenUsage);
  assign(record_.tool_usages, recorder::ChildKind::kToolUsage);
  assign(record_.model_thoughts, recorder::ChildKind::kModelThought);
  return std::move(record_);
}

void count_interception(ShardMetrics& metrics, const recorder::Interception& record,
                        double seconds) {
  const core::ModelSeries& series = metrics.model(record.provider, record.model);
  const auto index = record.status == recorder::Status::kCompleted   ? core::ModelSeries::kCompleted
                     : record.status == recorder::Status::kCancelled ? core::ModelSeries::kCancelled
                                                                     : core::ModelSeries::kFailed;
  series.interceptions[index]->Increment();
  series.duration->Observe(seconds);
  std::array<std::int64_t, 4> tokens{};
  for (const recorder::TokenUsage& usage : record.token_usages) {
    tokens[core::ModelSeries::kInput] += usage.input_tokens;
    tokens[core::ModelSeries::kOutput] += usage.output_tokens;
    tokens[core::ModelSeries::kCacheRead] += usage.cache_read_input_tokens;
    tokens[core::ModelSeries::kCacheWrite] += usage.cache_write_input_tokens;
  }
  for (std::size_t type = 0; type < tokens.size(); ++type) {
    if (tokens[type] > 0) {
      series.tokens[type]->Increment(static_cast<double>(tokens[type]));
    }
  }
  for (const recorder::UserPrompt& prompt : record.user_prompts) {
    if (!prompt.prompt.empty()) {
      series.prompts->Increment();
    }
  }
  for (const recorder::ToolUsage& tool : record.tool_usages) {
    series.tool_calls[tool.injected ? 1 : 0]->Increment();
  }
}

}  // namespace aibridge::proxy
