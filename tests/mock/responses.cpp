#include "tests/mock/responses.hpp"

#include <fmt/format.h>

namespace aibridge::mock {

Api api_for_path(std::string_view path) {
  path = path.substr(0, path.find('?'));
  if (path.ends_with("/v1/messages")) {
    return Api::kAnthropicMessages;
  }
  if (path.ends_with("/chat/completions")) {
    return Api::kOpenAiChat;
  }
  if (path.ends_with("/responses")) {
    return Api::kOpenAiResponses;
  }
  return Api::kOther;
}

std::string json_body(Api api, int tokens) {
  switch (api) {
    case Api::kAnthropicMessages:
      return fmt::format(
          R"({{"id":"msg_mock_01","type":"message","role":"assistant","model":"claude-mock",)"
          R"("content":[{{"type":"text","text":"Hello from the mock."}}],"stop_reason":"end_turn",)"
          R"("stop_sequence":null,"usage":{{"input_tokens":10,"cache_creation_input_tokens":0,)"
          R"("cache_read_input_tokens":0,"output_tokens":{}}}}})",
          tokens);
    case Api::kOpenAiChat:
      return fmt::format(
          R"({{"id":"chatcmpl-mock01","object":"chat.completion","created":1700000000,)"
          R"("model":"gpt-mock","choices":[{{"index":0,"message":{{"role":"assistant",)"
          R"("content":"Hello from the mock."}},"finish_reason":"stop"}}],"usage":{{)"
          R"("prompt_tokens":10,"completion_tokens":{},"total_tokens":{},)"
          R"("prompt_tokens_details":{{"cached_tokens":0}}}}}})",
          tokens, 10 + tokens);
    case Api::kOpenAiResponses:
      return fmt::format(
          R"({{"id":"resp_mock01","object":"response","created_at":1700000000,"status":"completed",)"
          R"("model":"gpt-mock","output":[{{"type":"message","id":"msg_mock01","status":"completed",)"
          R"("role":"assistant","content":[{{"type":"output_text","text":"Hello from the mock.",)"
          R"("annotations":[]}}]}}],"usage":{{"input_tokens":10,"input_tokens_details":{{)"
          R"("cached_tokens":0}},"output_tokens":{},"output_tokens_details":{{)"
          R"("reasoning_tokens":0}},"total_tokens":{}}}}})",
          tokens, 10 + tokens);
    case Api::kOther:
      break;
  }
  return R"({"object":"list","data":[{"id":"mock-model","object":"model"}]})";
}

std::vector<std::string> sse_events(Api api, int deltas) {
  std::vector<std::string> events;
  events.reserve(static_cast<std::size_t>(deltas) + 6);
  switch (api) {
    case Api::kAnthropicMessages:
      events.push_back(
          "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":"
          "\"msg_mock_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-mock\","
          "\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":"
          "10,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1}}"
          "}"
          "\n\n");
      events.push_back(
          "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
          "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
      for (int i = 0; i < deltas; ++i) {
        events.push_back(fmt::format(
            "event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,"
            "\"delta\":{{\"type\":\"text_delta\",\"text\":\"token{} \"}}}}\n\n",
            i));
      }
      events.push_back(
          "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
      events.push_back(fmt::format(
          "event: message_delta\ndata: {{\"type\":\"message_delta\",\"delta\":{{\"stop_reason\":"
          "\"end_turn\",\"stop_sequence\":null}},\"usage\":{{\"output_tokens\":{}}}}}\n\n",
          deltas));
      events.push_back("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
      break;
    case Api::kOpenAiChat:
      for (int i = 0; i < deltas; ++i) {
        events.push_back(fmt::format(
            "data: {{\"id\":\"chatcmpl-mock01\",\"object\":\"chat.completion.chunk\",\"created\":"
            "1700000000,\"model\":\"gpt-mock\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":"
            "\"token{} \"}},\"finish_reason\":null}}]}}\n\n",
            i));
      }
      events.push_back(
          "data: {\"id\":\"chatcmpl-mock01\",\"object\":\"chat.completion.chunk\",\"created\":"
          "1700000000,\"model\":\"gpt-mock\",\"choices\":[{\"index\":0,\"delta\":{},"
          "\"finish_reason\":\"stop\"}]}\n\n");
      events.push_back(fmt::format(
          "data: {{\"id\":\"chatcmpl-mock01\",\"object\":\"chat.completion.chunk\",\"created\":"
          "1700000000,\"model\":\"gpt-mock\",\"choices\":[],\"usage\":{{\"prompt_tokens\":10,"
          "\"completion_tokens\":{},\"total_tokens\":{},\"prompt_tokens_details\":{{"
          "\"cached_tokens\":0}}}}}}\n\n",
          deltas, 10 + deltas));
      events.push_back("data: [DONE]\n\n");
      break;
    case Api::kOpenAiResponses:
      events.push_back(
          "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,"
          "\"response\":{\"id\":\"resp_mock01\",\"object\":\"response\",\"status\":\"in_progress\","
          "\"model\":\"gpt-mock\",\"output\":[]}}\n\n");
      for (int i = 0; i < deltas; ++i) {
        events.push_back(fmt::format(
            "event: response.output_text.delta\ndata: {{\"type\":\"response.output_text.delta\","
            "\"sequence_number\":{},\"item_id\":\"msg_mock01\",\"output_index\":0,"
            "\"content_index\":0,\"delta\":\"token{} \"}}\n\n",
            i + 1, i));
      }
      events.push_back(fmt::format(
          "event: response.completed\ndata: {{\"type\":\"response.completed\",\"sequence_number\":"
          "{},\"response\":{{\"id\":\"resp_mock01\",\"object\":\"response\",\"status\":"
          "\"completed\",\"model\":\"gpt-mock\",\"output\":[{{\"type\":\"message\",\"id\":"
          "\"msg_mock01\",\"role\":\"assistant\",\"content\":[{{\"type\":\"output_text\","
          "\"text\":\"done\"}}]}}],\"usage\":{{\"input_tokens\":10,\"input_tokens_details\":{{"
          "\"cached_tokens\":0}},\"output_tokens\":{},\"output_tokens_details\":{{"
          "\"reasoning_tokens\":0}},\"total_tokens\":{}}}}}}}\n\n",
          deltas + 1, deltas, 10 + deltas));
      break;
    case Api::kOther:
      for (int i = 0; i < deltas; ++i) {
        events.push_back(fmt::format("data: {}\n\n", i));
      }
      break;
  }
  return events;
}

std::optional<std::string> txtar_section(const std::string& archive, std::string_view name) {
  std::optional<std::string> current;
  std::string content;
  std::size_t pos = 0;
  while (pos < archive.size()) {
    std::size_t end = archive.find('\n', pos);
    const bool has_newline = end != std::string::npos;
    if (!has_newline) {
      end = archive.size();
    }
    const std::string_view line(archive.data() + pos, end - pos);
    if (line.size() >= 6 && line.starts_with("-- ") && line.ends_with(" --")) {
      if (current == name) {
        return content;
      }
      current = std::string(line.substr(3, line.size() - 6));
      content.clear();
    } else if (current) {
      content.append(line);
      if (has_newline) {
        content += '\n';
      }
    }
    pos = end + 1;
  }
  if (current == name) {
    return content;
  }
  return std::nullopt;
}

std::optional<RawResponse> parse_raw_response(std::string_view section) {
  if (!section.starts_with("HTTP/")) {
    return std::nullopt;
  }
  RawResponse response;
  std::size_t pos = section.find('\n');
  std::string_view status_line = section.substr(0, pos);
  if (status_line.ends_with('\r')) {
    status_line.remove_suffix(1);
  }
  const std::size_t first_space = status_line.find(' ');
  response.status =
      static_cast<unsigned>(std::stoi(std::string(status_line.substr(first_space + 1, 3))));
  response.reason =
      std::string(status_line.size() > first_space + 5 ? status_line.substr(first_space + 5) : "");
  std::optional<std::size_t> content_length;
  ++pos;
  while (pos < section.size()) {
    std::size_t end = section.find('\n', pos);
    if (end == std::string_view::npos) {
      end = section.size();
    }
    std::string_view line = section.substr(pos, end - pos);
    pos = end + 1;
    if (line.ends_with('\r')) {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      break;
    }
    const std::size_t colon = line.find(':');
    std::string name(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (value.starts_with(' ')) {
      value.remove_prefix(1);
    }
    std::string lower = name;
    for (char& c : lower) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (lower == "content-length") {
      content_length = std::stoul(std::string(value));
    } else if (lower != "transfer-encoding" && lower != "connection") {
      response.headers.emplace_back(name, std::string(value));
    }
  }
  response.body = std::string(pos < section.size() ? section.substr(pos) : "");
  if (content_length && *content_length < response.body.size()) {
    response.body.resize(*content_length);
  }
  return response;
}

}  // namespace aibridge::mock
