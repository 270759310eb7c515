#include "core/ids.hpp"

#include <chrono>
#include <cstdint>
#include <random>

#include <boost/uuid/uuid.hpp>
#include <boost/uuid/uuid_io.hpp>

namespace aibridge::core {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace

std::string new_uuid() {
  // Version 7 (RFC 9562; Boost 1.81 has no generator for it, only the type and its formatting):
  // 48 bits of Unix milliseconds first, so ids made close in time sort close together and
  // database indexes on them grow at one end instead of everywhere. A per-thread counter in rand_a keeps ids from one thread increasing within a millisecond.
  // Ids need uniqueness, not secrecy (access is checked by role), so a per-thread Mersenne
  // Twister seeded from the OS provides the random bits.
  thread_local std::mt19937_64 random(std::random_device{}());
  thread_local std::uint64_t last_millis = 0;
  thread_local std::uint16_t sequence = 0;
  const auto millis =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  if (millis == last_millis) {
    sequence = static_cast<std::uint16_t>((sequence + 1) & 0x0FFF);
  } else {
    last_millis = millis;
    sequence = static_cast<std::uint16_t>(random() & 0x07FF);  // room to count up
  }
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

}  // namespace aibridge::core
