#pragma once
// Incremental text/event-stream decoder following the WHATWG rules: LF, CR and CRLF line ends
// (a CRLF split across reads included), a leading BOM, multi-line data, comments, fields with
// and without a colon, events of any size up to a cap. Accepts any split of its input and looks
// at each byte once: complete lines are processed as views into the input; only a line that is
// cut by the end of a read is kept. Pure; one parser per stream, not thread-safe.
#include <cstddef>
#include <string>
#include <string_view>

namespace aibridge::proxy {

struct SseEvent {
  std::string_view type;  // "message" when the event had no `event:` field
  /// The `data:` lines joined with '\n'. At least kSsePadding readable bytes follow it, so JSON
  /// parsers that read ahead (simdjson) can parse it in place.
  std::string_view data;
};

inline constexpr std::size_t kSsePadding = 64;

class SseParser {
 public:
  /// Events whose data grows beyond `max_event_bytes` are dropped (and counted).
  explicit SseParser(std::size_t max_event_bytes);

  /// Feeds the next bytes of the stream; calls `on_event(const SseEvent&)` for each event
  /// completed by them. The event is valid only during the call.
  template <class OnEvent>
  void feed(std::string_view bytes, OnEvent&& on_event);

  /// True when the bytes fed so far end between events (nothing pending).
  bool at_event_boundary() const { return line_.empty() && !skip_line_ && !in_event_; }
  std::size_t dropped_events() const { return dropped_events_; }

 private:
  std::string_view skip_bom(std::string_view bytes);
  /// Keeps the start of a line cut by the end of a read (or skips it once over the cap).
  void keep_partial_line(std::string_view bytes);
  /// Handles one complete line; true when it ends an event (a blank line).
  bool end_line(std::string_view line);
  void reset_event();

  std::size_t max_event_bytes_;
  std::string line_;  // a line cut by the end of the previous read
  std::string data_;  // joined data lines of the current event (+ padding capacity)
  std::string type_;
  bool has_data_ = false;
  bool in_event_ = false;   // some field of the current event was seen
  bool too_large_ = false;  // the current event passed the cap; it will be dropped
  bool after_cr_ = false;   // the last byte was CR: a following LF belongs to it
  bool skip_line_ = false;  // the current line passed the cap: drop it up to its end
  bool at_start_ = true;    // a UTF-8 BOM may come first
  std::size_t dropped_events_ = 0;
};

template <class OnEvent>
void SseParser::feed(std::string_view bytes, OnEvent&& on_event) {
  if (at_start_) {
    bytes = skip_bom(bytes);
  }
  if (after_cr_ && !bytes.empty()) {
    after_cr_ = false;
    if (bytes.front() == '\n') {
      bytes.remove_prefix(1);  // the LF of a CRLF split across reads
    }
  }
  while (!bytes.empty()) {
    const std::size_t end = bytes.find_first_of("\r\n");
    if (end == std::string_view::npos) {
      keep_partial_line(bytes);
      return;
    }
    std::string_view line = bytes.substr(0, end);
    if (!line_.empty()) {
      line_.append(line);
      line = line_;
    }
    const bool cr = bytes[end] == '\r';
    bytes.remove_prefix(end + 1);
    if (cr) {
      if (bytes.empty()) {
        after_cr_ = true;
      } else if (bytes.front() == '\n') {
        bytes.remove_prefix(1);
      }
    }
    const bool dispatch = end_line(line);
    line_.clear();
    if (dispatch) {
      if (too_large_) {
        ++dropped_events_;
      } else if (has_data_) {
        data_.pop_back();  // the '\n' after the last data line
        on_event(SseEvent{type_.empty() ? std::string_view("message") : std::string_view(type_),
                          std::string_view(data_)});
      }
      reset_event();
    }
  }
}

}  // namespace aibridge::proxy
