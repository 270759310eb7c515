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

enum class AuthFailure {
  kMissing,
  kMalformed,
  kUnknown,
  kWrongSecret,
  kRevoked,
  kExpired,
  kStoreUnavailable,  // not a verdict: the token could not be looked up (answered 503)
};

std::string_view auth_failure_message(AuthFailure failure);

/// Thread-safe: shared by every network thread.
///
/// A looked-up token is used for kCacheLifetime (so a revocation holds within it). Tokens used
/// in the last kActiveFor are looked up again every kRefreshEvery by refresh_active(), off the
/// network threads, so requests with a token in use never wait for the database, however
/// long the pauses between them (coding clients pause for seconds all the time).
class Authenticator {
 public:
  using Result = std::variant<Principal, AuthFailure>;
  static constexpr std::chrono::seconds kCacheLifetime{2};
  static constexpr std::chrono::seconds kRefreshEvery{1};
  static constexpr std::chrono::minutes kActiveFor{10};

  explicit Authenticator(recorder::StorePool& stores) : stores_(stores) {}

  /// Resolves and checks a token. The secret comparison is constant-time and also runs for
  /// unknown ids, so timing does not tell an attacker which part was wrong.
  boost::asio::awaitable<Result> authenticate(std::string_view token_text);

  /// Token ids used since the last call, with their latest use time (for last_used_at).
  std::vector<std::pair<std::string, recorder::UnixMicros>> take_recent_uses();

  /// Looks up again every token used in the last kActiveFor (run every kRefreshEvery on a
  /// store thread).
  void refresh_active(recorder::Store& store);

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
  /// Caches what a lookup found, keeping a verified secret that still matches.
  EntryPtr remember_lookup(const std::string& id, std::optional<recorder::TokenWithOwner> record,
                           std::chrono::steady_clock::time_point fetched_at);
  /// Looks the token up on a store thread and caches the result.
  boost::asio::awaitable<EntryPtr> fetch(const std::string& id);
  void remember(std::string_view id, EntryPtr entry);
  /// Records that `secret` matched `seen`, if `seen` is still the cached entry for `id`.
  void remember_secret(std::string_view id, const EntryPtr& seen, std::string_view secret);
  void note_use(std::string_view id, recorder::UnixMicros when,
                std::chrono::steady_clock::time_point now);

  static constexpr std::size_t kMaxCacheEntries = 10000;

  recorder::StorePool& stores_;
  std::shared_mutex cache_mutex_;  // guards cache_
  ById<EntryPtr> cache_;
  struct Use {
    recorder::UnixMicros at = 0;                     // for last_used_at
    std::chrono::steady_clock::time_point steady{};  // for the refresh of tokens in use
    bool reported = true;                            // `at` taken by take_recent_uses()
  };
  std::mutex uses_mutex_;  // guards uses_
  ById<Use> uses_;         // every token used in the last kActiveFor
};

}  // namespace aibridge::proxy
