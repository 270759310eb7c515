#include "api/search_query.hpp"

#include <algorithm>
#include <array>
#include <map>

namespace aibridge::api {
namespace {

// Coder's keys, then ours (the console filters by client and status, SPEC §10).
constexpr std::array<std::string_view, 7> kKeys{
    "initiator", "provider", "model", "started_after", "started_before", "client", "status"};

std::string trim_quotes(std::string_view text) {
  while (!text.empty() && text.front() == '"') {
    text.remove_prefix(1);
  }
  while (!text.empty() && text.back() == '"') {
    text.remove_suffix(1);
  }
  return std::string(text);
}

std::string lower(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

std::string upper(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return text;
}

std::string quoted(std::string_view text) {
  std::string out;  // appended, not "\"" + …: GCC 12 warns falsely (-Wrestrict) on that
  out.reserve(text.size() + 2);
  out += '"';
  out += text;
  out += '"';
  return out;
}

}  // namespace

std::vector<std::string> split_outside_quotes(std::string_view text, char separator) {
  std::vector<std::string> fields;
  std::string current;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') {
      quoted = !quoted;
    }
    if (c == separator && !quoted) {
      if (!current.empty()) {
        fields.push_back(std::move(current));
        current.clear();
      }
      continue;
    }
    current += c;
  }
  if (!current.empty()) {
    fields.push_back(std::move(current));
  }
  return fields;
}

std::variant<SearchTerms, std::vector<Validation>> parse_search(std::string_view q) {
  std::vector<Validation> problems;
  // Terms with a colon stand alone; all words without one form a single initiator term.
  std::vector<std::string> elements;
  std::string bare;
  for (std::string& token : split_outside_quotes(q, ' ')) {
    if (token.find(':') != std::string::npos) {
      elements.push_back(std::move(token));
    } else {
      bare += bare.empty() ? token : " " + token;
    }
  }
  std::map<std::string, std::vector<std::string>> values;
  if (!bare.empty()) {
    values["initiator"].push_back(trim_quotes(bare));
  }
  for (const std::string& element : elements) {
    if (element.front() == ':' || element.back() == ':') {
      problems.push_back(
          {"q", "Query element " + quoted(element) + " cannot start or end with ':'"});
      continue;
    }
    const std::vector<std::string> parts = split_outside_quotes(element, ':');
    if (parts.size() != 2) {
      problems.push_back({"q", "Query element " + quoted(element) + " can only contain 1 ':'"});
      continue;
    }
    values[lower(trim_quotes(parts[0]))].push_back(trim_quotes(parts[1]));
  }

  SearchTerms terms;
  const auto take = [&](std::string_view key) -> std::optional<std::string> {
    const auto found = values.find(std::string(key));
    if (found == values.end()) {
      return std::nullopt;
    }
    if (found->second.size() > 1) {
      problems.push_back(
          {std::string(key), "Query param " + quoted(key) + " provided more than once, found " +
                                 std::to_string(found->second.size()) +
                                 " times. Only provide 1 instance of this query param."});
      return std::nullopt;
    }
    if (found->second.front().empty()) {
      return std::nullopt;  // key:"" filters nothing
    }
    return found->second.front();
  };
  const auto time = [&](std::string_view key) -> std::optional<core::UnixMicros> {
    const auto text = take(key);
    if (!text) {
      return std::nullopt;
    }
    // RFC 3339 allows a lower-case "t" and "z"; the message quotes what the client sent.
    const auto parsed = core::parse_rfc3339(upper(*text));
    if (!parsed) {
      problems.push_back(
          {std::string(key), "Query param " + quoted(key) +
                                 " must be a valid date format "
                                 "(2006-01-02T15:04:05.999999999Z07:00): parsing time " +
                                 quoted(*text) + " failed"});
    }
    return parsed;
  };
  terms.initiator = take("initiator");
  terms.provider = take("provider");
  terms.model = take("model");
  terms.started_after = time("started_after");
  terms.started_before = time("started_before");
  terms.client = take("client");
  if (const auto status = take("status")) {
    terms.status = recorder::parse_status(*status);
    if (!terms.status) {
      problems.push_back({"status", "Query param \"status\" has invalid value " + quoted(*status) +
                                        ": use completed, failed or cancelled"});
    }
  }
  if (terms.started_after && terms.started_before &&
      *terms.started_before <= *terms.started_after) {
    problems.push_back(
        {"started_before",
         "Query param \"started_before\" has invalid value: \"started_before\" must be "
         "after \"started_after\" if set"});
  }
  for (const auto& [key, list] : values) {
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      problems.push_back({key, quoted(key) + " is not a valid query param"});
    }
  }
  if (!problems.empty()) {
    return problems;
  }
  return terms;
}

}  // namespace aibridge::api
