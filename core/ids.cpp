#include "core/ids.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <random>

#include <boost/uuid/uuid.hpp>
#include <boost/uuid/uuid_io.hpp>

namespace aibridge::core {
namespace {

// Hex digit values by character, -1 for the rest: the writer parses every id it stores.
constexpr std::array<std::int8_t, 256> kHexValues = [] {
  std::array<std::int8_t, 256> values{};
  values.fill(-1);
  for (int i = 0; i < 10; ++i) {
    values['0' + i] = static_cast<std::int8_t>(i);
  }
  for (int i = 0; i < 6; ++i) {
    values['a' + i] = values['A' + i] = static_cast<std::int8_t>(10 + i);
  }
  return values;
}();

// The 16 bytes of a canonical UUID into out[0..15]; false when it is not one.
bool decode_uuid(std::string_view canonical, char* out) {
  if (canonical.size() != 36 || canonical[8] != '-' || canonical[13] != '-' ||
      canonical[18] != '-' || canonical[23] != '-') {
    return false;
  }
  static constexpr std::uint8_t kByteStarts[16] = {0,  2,  4,  6,  9,  11, 14, 16,
                                                   19, 21, 24, 26, 28, 30, 32, 34};
  int invalid = 0;  // negative once any digit is not hex
  for (std::size_t i = 0; i < 16; ++i) {
    const int high = kHexValues[static_cast<unsigned char>(canonical[kByteStarts[i]])];
    const int low = kHexValues[static_cast<unsigned char>(canonical[kByteStarts[i] + 1])];
    invalid |= high | low;
    out[i] = static_cast<char>(((high & 0xF) << 4) | (low & 0xF));
  }
  return invalid >= 0;
}

int hex_value(char c) {
  return kHexValues[static_cast<unsigned char>(c)];
}

}  // namespace

std::string new_uuid() {
  // Version 7 (RFC 9562; Boost 1.81 has no generator for it, only the type and its formatting):
  // 48 bits of Unix milliseconds first, so ids made close in time sort close together and
  // database indexes on them grow at one end instead of everywhere. A per-thread counter in
  // rand_a keeps ids from one thread increasing within a millisecond.
  // Ids need uniqueness, not secrecy (access is checked by role), so a per-thread Mersenne
  // Twister seeded from the OS provides the random bits.
  thread_local std::mt19937_64 random(std::random_device{}());
  thread_local std::uint64_t last_millis = 0;
  thread_local std::uint16_t sequence = 0;
  const auto now =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  if (now > last_millis) {
    last_millis = now;
    sequence = static_cast<std::uint16_t>(random() & 0x07FF);  // room to count up
  } else if (++sequence > 0x0FFF) {
    // More than the counter holds in one millisecond (or the clock stepped back): borrow the
    // next millisecond, as RFC 9562 §6.2 allows, so the ids keep increasing.
    ++last_millis;
    sequence = 0;
  }
  const std::uint64_t millis = last_millis;
  const std::uint64_t tail = random();
  boost::uuids::uuid id{};
  for (std::size_t i = 0; i < 6; ++i) {
    id.data[i] = static_cast<std::uint8_t>(millis >> (40 - 8 * i));
  }
  id.data[6] = static_cast<std::uint8_t>(0x70 | (sequence >> 8));
  id.data[7] = static_cast<std::uint8_t>(sequence);
  for (std::size_t i = 0; i < 8; ++i) {
    id.data[8 + i] = static_cast<std::uint8_t>(tail >> (56 - 8 * i));
  }
  id.data[8] = static_cast<std::uint8_t>(0x80 | (id.data[8] & 0x3F));  // RFC 4122 variant
  return boost::uuids::to_string(id);
}

std::string new_uuid_at(std::int64_t micros) {
  thread_local std::mt19937_64 random(std::random_device{}());
  const auto millis = static_cast<std::uint64_t>(micros / 1000);
  const auto sub_millis = static_cast<std::uint64_t>(micros % 1000);  // 10 bits
  const std::uint64_t tail = random();
  boost::uuids::uuid id{};
  for (std::size_t i = 0; i < 6; ++i) {
    id.data[i] = static_cast<std::uint8_t>(millis >> (40 - 8 * i));
  }
  id.data[6] = static_cast<std::uint8_t>(0x70 | (sub_millis >> 6));
  id.data[7] = static_cast<std::uint8_t>(((sub_millis & 0x3F) << 2) | (tail >> 62));
  for (std::size_t i = 0; i < 8; ++i) {
    id.data[8 + i] = static_cast<std::uint8_t>(tail >> (56 - 8 * i));
  }
  id.data[8] = static_cast<std::uint8_t>(0x80 | (id.data[8] & 0x3F));  // RFC 4122 variant
  return boost::uuids::to_string(id);
}

std::optional<std::int64_t> uuid_micros(std::string_view bytes) {
  if (bytes.size() != 16 || (static_cast<std::uint8_t>(bytes[6]) >> 4) != 7) {
    return std::nullopt;
  }
  std::uint64_t millis = 0;
  for (std::size_t i = 0; i < 6; ++i) {
    millis = (millis << 8) | static_cast<std::uint8_t>(bytes[i]);
  }
  const std::uint64_t sub_millis = ((static_cast<std::uint8_t>(bytes[6]) & 0x0F) << 6) |
                                   (static_cast<std::uint8_t>(bytes[7]) >> 2);
  if (sub_millis > 999) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(millis * 1000 + sub_millis);
}

std::optional<std::string> parse_uuid(std::string_view text) {
  if (text.starts_with("urn:uuid:")) {
    text.remove_prefix(9);
  } else if (text.size() == 38 && text.front() == '{' && text.back() == '}') {
    text = text.substr(1, 36);
  }
  std::string hex;
  if (text.size() == 36) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash_position != (text[i] == '-')) {
        return std::nullopt;
      }
      if (!dash_position) {
        hex += text[i];
      }
    }
  } else if (text.size() == 32) {
    hex = text;
  } else {
    return std::nullopt;
  }
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < hex.size(); ++i) {
    const int value = hex_value(hex[i]);
    if (value < 0) {
      return std::nullopt;
    }
    if (i == 8 || i == 12 || i == 16 || i == 20) {
      out += '-';
    }
    out += "0123456789abcdef"[value];
  }
  return out;
}

std::string uuid_to_bytes(std::string_view canonical) {
  std::string bytes(16, '\0');
  return decode_uuid(canonical, bytes.data()) ? bytes : std::string();
}

DerivedIds::DerivedIds(std::string_view parent) : parent_(parent) {
  char bytes[16];
  if (!decode_uuid(parent, bytes)) {
    return;
  }
  for (const char c : parent.substr(28)) {
    if (c >= 'A' && c <= 'F') {
      return;  // not canonical (lower case)
    }
    last_word_ = (last_word_ << 4) | static_cast<std::uint32_t>(hex_value(c));
  }
  valid_ = true;
}

void DerivedIds::write_last_word(char* out, unsigned kind, unsigned index) const {
  const std::uint32_t mark = (((kind & 0xFFU) << 24) | (index & 0xFFFFFFU)) + 1;
  const std::uint32_t word = last_word_ ^ mark;
  for (std::size_t i = 0; i < 8; ++i) {
    out[i] = "0123456789abcdef"[(word >> (28 - 4 * i)) & 0xF];
  }
}

std::string DerivedIds::make(unsigned kind, unsigned index) const {
  if (!valid_) {
    return {};
  }
  std::string out(parent_);
  write_last_word(out.data() + 28, kind, index);
  return out;
}

bool DerivedIds::matches(std::string_view child, unsigned kind, unsigned index) const {
  if (!valid_ || child.size() != 36 || child.substr(0, 28) != parent_.substr(0, 28)) {
    return false;
  }
  char expected[8];
  write_last_word(expected, kind, index);
  return child.substr(28) == std::string_view(expected, 8);
}

std::string uuid_from_bytes(std::string_view bytes) {
  if (bytes.size() != 16) {
    return {};
  }
  boost::uuids::uuid id{};
  std::copy(bytes.begin(), bytes.end(), id.begin());
  return boost::uuids::to_string(id);
}

}  // namespace aibridge::core
