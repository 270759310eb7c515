#include "proxy/json_edit.hpp"

namespace aibridge::proxy {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::size_t skip_space(std::string_view json, std::size_t pos) {
  while (pos < json.size() && is_space(json[pos])) {
    ++pos;
  }
  return pos;
}

// `pos` at the opening quote; returns the offset just past the closing quote.
std::size_t skip_string(std::string_view json, std::size_t pos) {
  for (++pos; pos < json.size(); ++pos) {
    if (json[pos] == '\\') {
      ++pos;
    } else if (json[pos] == '"') {
      return pos + 1;
    }
  }
  return json.size();
}

// `pos` at the first character of a value; returns the offset just past it.
std::size_t skip_value(std::string_view json, std::size_t pos) {
  if (pos >= json.size()) {
    return pos;
  }
  if (json[pos] == '"') {
    return skip_string(json, pos);
  }
  if (json[pos] == '{' || json[pos] == '[') {
    int depth = 0;
    while (pos < json.size()) {
      const char c = json[pos];
      if (c == '"') {
        pos = skip_string(json, pos);
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          return pos + 1;
        }
      }
      ++pos;
    }
    return pos;
  }
  while (pos < json.size() && json[pos] != ',' && json[pos] != '}' && json[pos] != ']' &&
         !is_space(json[pos])) {
    ++pos;  // number, true, false, null
  }
  return pos;
}

constexpr std::string_view kStreamOptions = "stream_options";
constexpr std::string_view kIncludeUsage = "include_usage";

}  // namespace

std::vector<JsonMember> object_members(std::string_view json, std::size_t object_begin) {
  std::vector<JsonMember> members;
  std::size_t pos = skip_space(json, object_begin);
  if (pos >= json.size() || json[pos] != '{') {
    return members;
  }
  pos = skip_space(json, pos + 1);
  while (pos < json.size() && json[pos] == '"') {
    const std::size_t key_end = skip_string(json, pos);
    JsonMember member;
    member.key = json.substr(pos + 1, key_end - pos - 2);
    pos = skip_space(json, key_end);
    if (pos >= json.size() || json[pos] != ':') {
      break;
    }
    member.value_begin = skip_space(json, pos + 1);
    member.value_end = skip_value(json, member.value_begin);
    members.push_back(member);
    pos = skip_space(json, member.value_end);
    if (pos < json.size() && json[pos] == ',') {
      pos = skip_space(json, pos + 1);
    }
  }
  return members;
}

std::vector<JsonSpan> array_elements(std::string_view json, std::size_t array_begin) {
  std::vector<JsonSpan> elements;
  std::size_t pos = skip_space(json, array_begin);
  if (pos >= json.size() || json[pos] != '[') {
    return elements;
  }
  pos = skip_space(json, pos + 1);
  while (pos < json.size() && json[pos] != ']') {
    const std::size_t end = skip_value(json, pos);
    elements.push_back({pos, end});
    pos = skip_space(json, end);
    if (pos < json.size() && json[pos] == ',') {
      pos = skip_space(json, pos + 1);
    }
  }
  return elements;
}

std::string with_member(std::string_view object, std::string_view key, std::string_view value) {
  const std::vector<JsonMember> members = object_members(object);
  std::string out;
  out.reserve(object.size() + key.size() + value.size() + 4);
  std::size_t copied = 0;
  for (const JsonMember& member : members) {
    if (member.key == key) {
      out.append(object.substr(copied, member.value_begin - copied));
      out.append(value);
      copied = member.value_end;
    }
  }
  if (copied == 0) {  // no such member: first, so the rest of the text stays as it was
    const std::size_t brace = object.find('{');
    out.append(object.substr(0, brace + 1));
    out += '"';
    out.append(key);
    out += "\":";
    out.append(value);
    copied = brace + 1;
    if (members.empty()) {
      copied = object.find('}', brace);  // drop whitespace inside "{ }", keep the brace
    } else {
      out += ',';
    }
  }
  out.append(object.substr(copied));
  return out;
}

std::string with_array_elements(std::string_view object, std::string_view key,
                                std::string_view elements, bool at_front) {
  for (const JsonMember& member : object_members(object)) {
    if (member.key != key || object[member.value_begin] != '[') {
      continue;
    }
    const std::vector<JsonSpan> existing = array_elements(object, member.value_begin);
    std::string out(object.substr(0, member.value_begin + 1));  // through the '['
    if (at_front) {
      out.append(elements);
      if (!existing.empty()) {
        out += ',';
        out.append(object.substr(existing.front().begin,
                                 existing.back().end - existing.front().begin));
      }
    } else {
      if (!existing.empty()) {
        out.append(object.substr(existing.front().begin,
                                 existing.back().end - existing.front().begin));
        out += ',';
      }
      out.append(elements);
    }
    out += ']';
    out.append(object.substr(member.value_end));
    return out;
  }
  std::string array = "[";
  array.append(elements);
  array += ']';
  return with_member(object, key, array);
}

std::string with_include_usage(std::string_view body) {
  const std::vector<JsonMember> members = object_members(body);
  std::string out;
  out.reserve(body.size() + 48);
  std::size_t copied = 0;
  bool found = false;
  for (const JsonMember& member : members) {
    if (member.key != kStreamOptions) {
      continue;
    }
    found = true;
    out.append(body.substr(copied, member.value_begin - copied));
    const std::string_view value =
        body.substr(member.value_begin, member.value_end - member.value_begin);
    const std::vector<JsonMember> options = object_members(value);
    if (value.empty() || value.front() != '{') {
      out += R"({"include_usage":true})";
    } else {
      std::size_t inner_copied = 0;
      bool has_flag = false;
      for (const JsonMember& option : options) {
        if (option.key == kIncludeUsage) {
          has_flag = true;
          out.append(value.substr(inner_copied, option.value_begin - inner_copied));
          out += "true";
          inner_copied = option.value_end;
        }
      }
      if (!has_flag) {
        out += options.empty() ? R"({"include_usage":true)" : R"({"include_usage":true,)";
        inner_copied = 1;  // past the '{'
        if (options.empty()) {
          inner_copied = value.find('}');  // keep the closing brace only
        }
      }
      out.append(value.substr(inner_copied));
    }
    copied = member.value_end;
  }
  if (!found) {
    const std::size_t brace = body.find('{');
    out.append(body.substr(0, brace + 1));
    out += members.empty() ? R"("stream_options":{"include_usage":true})"
                           : R"("stream_options":{"include_usage":true},)";
    copied = brace + 1;
    if (members.empty()) {
      copied = body.find('}', brace);  // drop whitespace inside "{ }", keep the brace
    }
  }
  out.append(body.substr(copied));
  return out;
}

}  // namespace aibridge::proxy
