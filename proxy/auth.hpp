#pragma once
// Who is calling: verification of a token against the store (through a short-lived cache, so a
// busy gateway does not query the database per request, nor hash the secret again).
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "proxy/credentials.hpp"
#include "recorder/records.hpp"
#include "recorder/store_pool.hpp"

namespace aibridge::proxy {

/// Who made a request: the token and its owner as they were looked up (at most
/// Authenticator::kCacheLifetime ago). Cheap to copy.
struct Principal {
  std::shared_ptr<const recorder::TokenWithOwner> record;
  const recorder::User& user() const { return record->owner; }
  const std::string& token_id() const { return record->token.id; }
};

enum class AuthFailure { kMissing, kMalformed, kUnknown, kWrongSecret, kRevoked, kExpired };

std::string_view auth_failure_message(AuthFailure failure);

/// Thread-safe: shared by every network thread.
class Authenticator {
 public:
  using Result = std::variant<Principal, AuthFailure>;
  static constexpr std::chrono::seconds kCacheLifetime{2};

  explicit Authenticator(recorder::StorePool& stores) : stores_(stores) {}

  /// Resolves and checks a token. The secret comparison is constant-time and also runs for
  /// unknown ids, so timing does not tell an attacker which part was wrong.
  boost::asio::awaitable<Result> authenticate(std::string_view token_text);

  /// Token ids used since the last call, with their latest use time (for last_used_at).
  std::vector<std::pair<std::string, recorder::UnixMicros>> take_recent_uses();

 private:
  struct Entry {
    std::shared_ptr<const recorder::TokenWithOwner> record;  // null: no such token
    std::chrono::steady_clock::time_point fetched_at;
    // The secret last seen to match record's hash, so that the next request with it is checked
    // by a comparison instead of SHA-256. (The gateway holds every presented secret in its
    // request buffers anyway.)
    std::string verified_secret;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  template <class Value>
  using ById = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

  using EntryPtr = std::shared_ptr<const Entry>;
  /// The cached entry for `id` if it is fresh enough, else null.
  EntryPtr cached(std::string_view id, std::chrono::steady_clock::time_point now);
  void remember(std::string_view id, EntryPtr entry);
  void note_use(std::string_view id, recorder::UnixMicros when);

  static constexpr std::size_t kMaxCacheEntries = 10000;

  recorder::StorePool& stores_;
  std::shared_mutex cache_mutex_;  // guards cache_
  ById<EntryPtr> cache_;
  std::mutex uses_mutex_;  // guards recent_uses_
  ById<recorder::UnixMicros> recent_uses_;
};

}  // namespace aibridge::proxy
