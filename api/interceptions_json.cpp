#include "api/interceptions_json.hpp"

#include <boost/json.hpp>

#include "core/time.hpp"

namespace aibridge::api {
namespace {

namespace json = boost::json;

// Stored metadata is JSON the gateway wrote; anything unreadable is shown as {}.
json::value metadata(const std::string& text) {
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  return error || !value.is_object() ? json::value(json::object()) : value;
}

json::object initiator(const recorder::User& user) {
  json::object out{{"id", user.id}, {"username", user.username}};
  if (!user.name.empty()) {
    out["name"] = user.name;
  }
  if (!user.avatar_url.empty()) {
    out["avatar_url"] = user.avatar_url;
  }
  return out;
}

json::object interception(const recorder::ListedInterception& row) {
  const recorder::Interception& record = row.interception;
  json::array token_usages;
  for (const recorder::TokenUsage& usage : record.token_usages) {
    token_usages.push_back(
        json::object{{"id", usage.id},
                     {"interception_id", record.id},
                     {"provider_response_id", usage.provider_response_id},
                     {"input_tokens", usage.input_tokens},
                     {"output_tokens", usage.output_tokens},
                     {"cache_read_input_tokens", usage.cache_read_input_tokens},
                     {"cache_write_input_tokens", usage.cache_write_input_tokens},
                     {"metadata", metadata(usage.metadata)},
                     {"created_at", core::format_rfc3339(usage.created_at)}});
  }
  json::array user_prompts;
  for (const recorder::UserPrompt& prompt : record.user_prompts) {
    user_prompts.push_back(json::object{{"id", prompt.id},
                                        {"interception_id", record.id},
                                        {"provider_response_id", prompt.provider_response_id},
                                        {"prompt", prompt.prompt},
                                        {"metadata", metadata(prompt.metadata)},
                                        {"created_at", core::format_rfc3339(prompt.created_at)}});
  }
  json::array tool_usages;
  for (const recorder::ToolUsage& tool : record.tool_usages) {
    tool_usages.push_back(json::object{{"id", tool.id},
                                       {"interception_id", record.id},
                                       {"provider_response_id", tool.provider_response_id},
                                       {"server_url", tool.server_url.value_or("")},
                                       {"tool", tool.tool},
                                       {"input", tool.input},
                                       {"injected", tool.injected},
                                       {"invocation_error", tool.invocation_error.value_or("")},
                                       {"metadata", metadata(tool.metadata)},
                                       {"created_at", core::format_rfc3339(tool.created_at)},
                                       {"tool_call_id", tool.tool_call_id}});
  }
  json::array model_thoughts;
  for (const recorder::ModelThought& thought : record.model_thoughts) {
    model_thoughts.push_back(json::object{{"id", thought.id},
                                          {"interception_id", record.id},
                                          {"content", thought.content},
                                          {"metadata", metadata(thought.metadata)},
                                          {"created_at", core::format_rfc3339(thought.created_at)},
                                          {"provider_response_id", thought.provider_response_id}});
  }
  return json::object{
      {"id", record.id},
      {"api_key_id", record.api_key_id},
      {"initiator", initiator(row.initiator)},
      {"provider", record.provider},
      {"model", record.model},
      {"metadata", metadata(record.metadata)},
      {"started_at", core::format_rfc3339(record.started_at)},
      {"ended_at", record.ended_at ? json::value(core::format_rfc3339(*record.ended_at)) : nullptr},
      {"token_usages", std::move(token_usages)},
      {"user_prompts", std::move(user_prompts)},
      {"tool_usages", std::move(tool_usages)},
      {"model_thoughts", std::move(model_thoughts)}};
}

}  // namespace

std::string interceptions_body(const recorder::InterceptionPage& page, CountField count_field) {
  json::array results;
  results.reserve(page.rows.size());
  for (const recorder::ListedInterception& row : page.rows) {
    results.push_back(interception(row));
  }
  return json::serialize(
      json::object{{count_field == CountField::kCount ? "count" : "total", page.count},
                   {"results", std::move(results)}});
}

}  // namespace aibridge::api
