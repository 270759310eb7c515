#pragma once
// Who is calling: verification of a token against the store (through a short-lived cache, so a
// busy gateway does not query the database per request).
#include <chrono>
#include <map>
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

struct Principal {
  recorder::User user;
  std::string token_id;
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
    std::optional<recorder::TokenWithOwner> record;  // nullopt: no such token
    std::chrono::steady_clock::time_point fetched_at;
  };

  static constexpr std::size_t kMaxCacheEntries = 10000;

  recorder::StorePool& stores_;
  std::shared_mutex cache_mutex_;  // guards cache_
  std::unordered_map<std::string, Entry> cache_;
  std::mutex uses_mutex_;  // guards recent_uses_
  std::map<std::string, recorder::UnixMicros> recent_uses_;
};

}  // namespace aibridge::proxy
