#include "core/time.hpp"

#include <chrono>

#include <fmt/format.h>

namespace aibridge::core {
namespace {

using std::chrono::days;
using std::chrono::microseconds;
using std::chrono::sys_days;

// Parses exactly `width` digits at `pos`; false when any of them is not a digit.
bool digits(std::string_view text, std::size_t pos, std::size_t width, int& out) {
  if (pos + width > text.size()) {
    return false;
  }
  out = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

bool is_char(std::string_view text, std::size_t pos, char lower_or_exact) {
  if (pos >= text.size()) {
    return false;
  }
  const char c = text[pos];
  return c == lower_or_exact ||
         (lower_or_exact >= 'A' && lower_or_exact <= 'Z' && c == lower_or_exact + ('a' - 'A'));
}

}  // namespace

UnixMicros now_micros() {
  return std::chrono::duration_cast<microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void append_rfc3339(std::string& out, UnixMicros micros) {
  const microseconds since_epoch{micros};
  const auto day = std::chrono::floor<days>(since_epoch);
  const std::chrono::year_month_day ymd{sys_days{day}};
  const std::chrono::hh_mm_ss<microseconds> tod{since_epoch - day};
  const int year = int(ymd.year());
  if (year < 0 || year > 9999) {  // not a time anything records; written plainly
    out += fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", year, unsigned(ymd.month()),
                       unsigned(ymd.day()), tod.hours().count(), tod.minutes().count(),
                       tod.seconds().count());
  } else {
    // By hand: fmt's parsing of the format string cost more than the rest of a list page's
    // timestamps (four or more per row).
    char text[19];
    const auto put = [&text](int at, unsigned value, int width) {
      for (int i = width - 1; i >= 0; --i) {
        text[at + i] = char('0' + value % 10);
        value /= 10;
      }
    };
    put(0, unsigned(year), 4);
    text[4] = '-';
    put(5, unsigned(ymd.month()), 2);
    text[7] = '-';
    put(8, unsigned(ymd.day()), 2);
    text[10] = 'T';
    put(11, unsigned(tod.hours().count()), 2);
    text[13] = ':';
    put(14, unsigned(tod.minutes().count()), 2);
    text[16] = ':';
    put(17, unsigned(tod.seconds().count()), 2);
    out.append(text, sizeof text);
  }
  auto fraction = tod.subseconds().count();
  if (fraction != 0) {
    char digits[7] = {'.', '0', '0', '0', '0', '0', '0'};
    for (int i = 6; i >= 1; --i) {
      digits[i] = char('0' + fraction % 10);
      fraction /= 10;
    }
    int width = 7;
    while (digits[width - 1] == '0') {
      --width;
    }
    out.append(digits, width);
  }
  out += 'Z';
}

std::string format_rfc3339(UnixMicros micros) {
  std::string out;
  out.reserve(27);
  append_rfc3339(out, micros);
  return out;
}

std::optional<UnixMicros> parse_rfc3339(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, 0, 4, year) || !is_char(text, 4, '-') || !digits(text, 5, 2, month) ||
      !is_char(text, 7, '-') || !digits(text, 8, 2, day) || !is_char(text, 10, 'T') ||
      !digits(text, 11, 2, hour) || !is_char(text, 13, ':') || !digits(text, 14, 2, minute) ||
      !is_char(text, 16, ':') || !digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t fraction_micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t count = 0;
    std::int64_t scale = 100'000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (count < 6) {
        fraction_micros += (text[pos] - '0') * scale;
        scale /= 10;
      }
      ++count;
      ++pos;
    }
    if (count == 0 || count > 9) {
      return std::nullopt;
    }
  }
  std::int64_t offset_seconds = 0;
  if (is_char(text, pos, 'Z') && pos + 1 == text.size()) {
    pos += 1;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int offset_hours = 0, offset_minutes = 0;
    if (!digits(text, pos + 1, 2, offset_hours) || !is_char(text, pos + 3, ':') ||
        !digits(text, pos + 4, 2, offset_minutes) || pos + 6 != text.size() || offset_hours > 23 ||
        offset_minutes > 59) {
      return std::nullopt;
    }
    offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (text[pos] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{year},
                                        std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  const auto date_micros =
      std::chrono::duration_cast<microseconds>(sys_days{ymd}.time_since_epoch()).count();
  const std::int64_t seconds_of_day = hour * 3600 + minute * 60 + second - offset_seconds;
  return date_micros + seconds_of_day * 1'000'000 + fraction_micros;
}

}  // namespace aibridge::core
