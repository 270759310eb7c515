#include "core/json_text.hpp"

#include <array>
#include <cstring>

namespace aibridge::core {
namespace {

// Bytes a JSON string literal cannot hold as they are: controls, '"' and '\\'.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) {
    table[c] = true;
  }
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

// Whether any of the 8 bytes of `word` may need escaping (false positives allowed): a byte
// below 0x20, or one equal to '"' or '\\' (the classic "has zero byte" test).
constexpr bool may_need_escape(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t x) { return ((x - kOnes) & ~x & kHighs) != 0; };
  const bool below_space = ((word - 0x20 * kOnes) & ~word & kHighs) != 0;
  return below_space || has_zero(word ^ ('"' * kOnes)) || has_zero(word ^ ('\\' * kOnes));
}

char* write_escaped(char* out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out++ = '\\';
  switch (c) {
    case '"':
      *out++ = '"';
      break;
    case '\\':
      *out++ = '\\';
      break;
    case '\n':
      *out++ = 'n';
      break;
    case '\r':
      *out++ = 'r';
      break;
    case '\t':
      *out++ = 't';
      break;
    case '\b':
      *out++ = 'b';
      break;
    case '\f':
      *out++ = 'f';
      break;
    default:
      *out++ = 'u';
      *out++ = '0';
      *out++ = '0';
      *out++ = kHex[c >> 4];
      *out++ = kHex[c & 0xF];
  }
  return out;
}

}  // namespace

char* write_json_string(char* out, std::string_view text) {
  *out++ = '"';
  const char* at = text.data();
  const char* const end = at + text.size();
  while (end - at >= 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, at, 8);
    if (!may_need_escape(word)) {
      std::memcpy(out, at, 8);
      out += 8;
      at += 8;
      continue;
    }
    for (const char* stop = at + 8; at != stop; ++at) {
      const auto c = static_cast<unsigned char>(*at);
      if (kNeedsEscape[c]) {
        out = write_escaped(out, c);
      } else {
        *out++ = *at;
      }
    }
  }
  for (; at != end; ++at) {
    const auto c = static_cast<unsigned char>(*at);
    if (kNeedsEscape[c]) {
      out = write_escaped(out, c);
    } else {
      *out++ = *at;
    }
  }
  *out++ = '"';
  return out;
}

void append_json_string(std::string& out, std::string_view text) {
  const std::size_t used = out.size();
  out.resize(used + json_string_bound(text.size()));
  char* const end = write_json_string(out.data() + used, text);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

void append_json_int(std::string& out, std::int64_t value) {
  char digits[kJsonIntBound];
  out.append(digits, write_json_int(digits, value));
}

}  // namespace aibridge::core
