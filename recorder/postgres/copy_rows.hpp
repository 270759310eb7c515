#pragma once
// Rows for COPY … FROM STDIN (FORMAT binary): each field as its length and the bytes of the
// type's binary form. Cheaper for the server than the text format, which it parses field by
// field through each type's input function (uuid, timestamptz), and for the writer, which needs
// no escaping and formats no dates. Pure.
#include <cstdint>
#include <string>
#include <string_view>

namespace aibridge::recorder::postgres {

class CopyRows {
 public:
  CopyRows() { clear(); }
  /// Starts over with no rows (the capacity is kept).
  void clear();
  /// Starts a row of `fields` fields, which the add_* calls then give in order.
  void begin_row(std::int16_t fields);
  /// text or json: valid_text(value), as PostgreSQL's text can hold it.
  void add_text(std::string_view value);
  void add_null();
  /// A canonical UUID (is_uuid()).
  void add_uuid(std::string_view canonical);
  /// timestamptz, from microseconds since the Unix epoch.
  void add_timestamp(std::int64_t unix_micros);
  void add_bool(bool value);
  /// The rows, with the end-of-data marker.
  std::string_view finish();

 private:
  void append_int16(std::int16_t value);
  void append_int32(std::int32_t value);
  void append_int64(std::int64_t value);

  std::string data_;
};

}  // namespace aibridge::recorder::postgres
