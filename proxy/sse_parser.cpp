#include "proxy/sse_parser.hpp"

namespace aibridge::proxy {

SseParser::SseParser(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

std::string_view SseParser::skip_bom(std::string_view bytes) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  // The BOM may itself be split across reads: line_ holds the part matched so far.
  while (!bytes.empty() && line_.size() < kBom.size() && bytes.front() == kBom[line_.size()]) {
    line_ += bytes.front();
    bytes.remove_prefix(1);
  }
  if (line_.size() == kBom.size()) {
    line_.clear();
    at_start_ = false;
  } else if (!bytes.empty()) {
    at_start_ = false;  // not a BOM after all: the matched bytes are ordinary line text
  }
  return bytes;
}

void SseParser::keep_partial_line(std::string_view bytes) {
  if (skip_line_) {
    return;
  }
  if (line_.size() + bytes.size() + data_.size() > max_event_bytes_) {
    skip_line_ = true;
    line_.clear();
    return;
  }
  line_.append(bytes);
}

bool SseParser::end_line(std::string_view line) {
  if (skip_line_) {
    skip_line_ = false;  // an over-long line: its event is dropped
    too_large_ = true;
    in_event_ = true;
    data_.clear();
    return false;
  }
  if (line.empty()) {
    return in_event_;
  }
  if (line.front() == ':') {
    return false;  // comment
  }
  in_event_ = true;
  const std::size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') {
      value.remove_prefix(1);
    }
  }
  if (field == "data") {
    if (too_large_ || data_.size() + value.size() + 1 > max_event_bytes_) {
      too_large_ = true;
      data_.clear();
      return false;
    }
    if (data_.capacity() < data_.size() + value.size() + 1 + kSsePadding) {
      data_.reserve(2 * (data_.size() + value.size() + 1) + kSsePadding);
    }
    data_.append(value);
    data_ += '\n';
    has_data_ = true;
  } else if (field == "event") {
    type_.assign(value);
  }
  // `id`, `retry` and unknown fields do not affect what the extractors see.
  return false;
}

void SseParser::reset_event() {
  data_.clear();  // keeps its capacity for the next event
  type_.clear();
  has_data_ = false;
  in_event_ = false;
  too_large_ = false;
}

}  // namespace aibridge::proxy
