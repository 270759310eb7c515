#pragma once
// UUIDs as canonical lower-case strings ("3f1c…-…"), the form stored in the database.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aibridge::core {

/// A time-ordered (version 7) UUID. Thread-safe: each thread has its own generator.
std::string new_uuid();

/// A version 7 UUID that carries `micros` exactly: its millisecond field, then the microseconds
/// within that millisecond in the top 10 bits of rand_a (RFC 9562's "increased clock
/// precision"). Interceptions get such ids from their start time (uuid_micros reads it back).
std::string new_uuid_at(std::int64_t micros);

/// The microseconds a new_uuid_at() id carries, from its 16 raw bytes; nullopt for ids that
/// cannot be one (another version, or a sub-millisecond field past 999).
std::optional<std::int64_t> uuid_micros(std::string_view bytes);

/// Accepts the canonical 36-character form in either case, 32 hex digits without hyphens,
/// the same wrapped in braces, or with a "urn:uuid:" prefix; returns the canonical lower-case form.
std::optional<std::string> parse_uuid(std::string_view text);

/// Ids of a record's children derived from the record's own id, so that children need no
/// random ids of their own (the SQLite store does not even write them down): the parent's
/// canonical id with its last 32 bits (random in every version 7 id) flipped by a mark made of
/// the child's kind and index, which is never zero. Children of one record are distinct, and but
/// for a 2^-62 chance distinct from every other id.
class DerivedIds {
 public:
  /// `parent` must outlive this object; valid() is false when it is not a canonical id.
  explicit DerivedIds(std::string_view parent);
  bool valid() const { return valid_; }
  /// The id of the `index`-th child (below 2^24) of kind `kind` (below 256); "" when !valid().
  std::string make(unsigned kind, unsigned index) const;
  /// make(kind, index) == child, without making it.
  bool matches(std::string_view child, unsigned kind, unsigned index) const;

 private:
  void write_last_word(char* out, unsigned kind, unsigned index) const;

  std::string_view parent_;
  std::uint32_t last_word_ = 0;
  bool valid_ = false;
};

/// The 16 raw bytes of a canonical UUID (the database's compact key); "" when `canonical` is not
/// in canonical form.
std::string uuid_to_bytes(std::string_view canonical);

/// The canonical text of 16 raw bytes; "" when `bytes` is not 16 bytes long.
std::string uuid_from_bytes(std::string_view bytes);

}  // namespace aibridge::core
