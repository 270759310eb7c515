#include "core/units.hpp"

#include <array>
#include <cctype>
#include <limits>

namespace aibridge::core {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t factor;
};

// Longest names first so that "ms" is not read as "m" followed by garbage.
constexpr std::array<Unit, 5> kDurationUnits{
    {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};

constexpr std::array<Unit, 7> kSizeUnits{{{"kib", 1024},
                                          {"mib", 1024 * 1024},
                                          {"gib", 1024 * 1024 * 1024},
                                          {"kb", 1000},
                                          {"mb", 1000 * 1000},
                                          {"gb", 1000 * 1000 * 1000},
                                          {"b", 1}}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads the leading decimal digits of `text` into `value`; false on overflow or no digits.
bool read_integer(std::string_view& text, std::int64_t& value) {
  std::size_t i = 0;
  value = 0;
  while (i < text.size() && is_digit(text[i])) {
    const int digit = text[i] - '0';
    if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10) {
      return false;
    }
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0) {
    return false;
  }
  text.remove_prefix(i);
  return true;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text, std::string& error) {
  const std::string original(text);
  if (text == "0") {
    return Duration::zero();
  }
  if (text.empty()) {
    error = "empty duration (use e.g. 30s, 5m, 1h30m, 60d, or 0)";
    return std::nullopt;
  }
  std::int64_t total = 0;
  while (!text.empty()) {
    std::int64_t amount = 0;
    if (!read_integer(text, amount)) {
      error = "invalid duration \"" + original + "\" (use e.g. 30s, 5m, 1h30m, 60d, or 0)";
      return std::nullopt;
    }
    const Unit* unit = nullptr;
    for (const Unit& candidate : kDurationUnits) {
      if (text.starts_with(candidate.name)) {
        unit = &candidate;
        break;
      }
    }
    if (unit == nullptr) {
      error = "invalid duration \"" + original + "\": every number needs a unit (ms, s, m, h, d)";
      return std::nullopt;
    }
    text.remove_prefix(unit->name.size());
    if (amount > (std::numeric_limits<std::int64_t>::max() - total) / unit->factor) {
      error = "duration \"" + original + "\" is too large";
      return std::nullopt;
    }
    total += amount * unit->factor;
  }
  return Duration(total);
}

std::optional<std::uint64_t> parse_size(std::string_view text, std::string& error) {
  const std::string original(text);
  std::int64_t amount = 0;
  if (!read_integer(text, amount)) {
    error = "invalid size \"" + original + "\" (use e.g. 65536, 64KiB, 32MiB)";
    return std::nullopt;
  }
  const std::string suffix = lower(text);
  if (suffix.empty()) {
    return static_cast<std::uint64_t>(amount);
  }
  for (const Unit& unit : kSizeUnits) {
    if (suffix == unit.name) {
      if (amount > std::numeric_limits<std::int64_t>::max() / unit.factor) {
        error = "size \"" + original + "\" is too large";
        return std::nullopt;
      }
      return static_cast<std::uint64_t>(amount * unit.factor);
    }
  }
  error = "invalid size \"" + original + "\": unknown unit (use B, KB, MB, GB, KiB, MiB, GiB)";
  return std::nullopt;
}

std::string format_duration(Duration duration) {
  std::int64_t ms = duration.count();
  if (ms == 0) {
    return "0";
  }
  std::string out;
  for (auto it = kDurationUnits.rbegin(); it != kDurationUnits.rend(); ++it) {
    if (ms >= it->factor) {
      out += std::to_string(ms / it->factor);
      out += it->name;
      ms %= it->factor;
    }
  }
  return out;
}

}  // namespace aibridge::core
