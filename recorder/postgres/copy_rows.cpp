#include "recorder/postgres/copy_rows.hpp"

#include <stdexcept>

#include "core/ids.hpp"
#include "recorder/postgres/connection.hpp"

namespace aibridge::recorder::postgres {
namespace {

// The signature, no flags and no header extension (PostgreSQL 15, COPY, "Binary Format").
constexpr std::string_view kHeader("PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19);
// timestamptz counts microseconds from 2000-01-01 00:00 UTC.
constexpr std::int64_t kPostgresEpochInUnixMicros = 946'684'800'000'000;

}  // namespace

void CopyRows::clear() {
  data_.assign(kHeader);
}

void CopyRows::begin_row(std::int16_t fields) {
  append_int16(fields);
}

void CopyRows::add_text(std::string_view value) {
  if (is_valid_text(value)) {
    append_int32(static_cast<std::int32_t>(value.size()));
    data_.append(value);
    return;
  }
  const std::string valid = valid_text(value);
  append_int32(static_cast<std::int32_t>(valid.size()));
  data_.append(valid);
}

void CopyRows::add_null() {
  append_int32(-1);
}

void CopyRows::add_uuid(std::string_view canonical) {
  const std::string bytes = core::uuid_to_bytes(canonical);
  if (bytes.empty()) {
    throw std::invalid_argument("not a canonical UUID");
  }
  append_int32(16);
  data_.append(bytes);
}

void CopyRows::add_timestamp(std::int64_t unix_micros) {
  append_int32(8);
  append_int64(unix_micros - kPostgresEpochInUnixMicros);
}

void CopyRows::add_bool(bool value) {
  append_int32(1);
  data_ += value ? '\1' : '\0';
}

std::string_view CopyRows::finish() {
  append_int16(-1);
  return data_;
}

void CopyRows::append_int16(std::int16_t value) {
  const auto bits = static_cast<std::uint16_t>(value);
  data_ += static_cast<char>(bits >> 8);
  data_ += static_cast<char>(bits & 0xff);
}

void CopyRows::append_int32(std::int32_t value) {
  const auto bits = static_cast<std::uint32_t>(value);
  for (int shift = 24; shift >= 0; shift -= 8) {
    data_ += static_cast<char>((bits >> shift) & 0xff);
  }
}

void CopyRows::append_int64(std::int64_t value) {
  const auto bits = static_cast<std::uint64_t>(value);
  for (int shift = 56; shift >= 0; shift -= 8) {
    data_ += static_cast<char>((bits >> shift) & 0xff);
  }
}

}  // namespace aibridge::recorder::postgres
