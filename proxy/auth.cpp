#include "proxy/auth.hpp"

#include "core/time.hpp"
#include "core/tokens.hpp"

namespace aibridge::proxy {

std::string_view auth_failure_message(AuthFailure failure) {
  switch (failure) {
    case AuthFailure::kMissing:
      return "No API token provided. Create one with `aibridge tokens create`.";
    case AuthFailure::kMalformed:
      return "Invalid API token format.";
    case AuthFailure::kUnknown:
    case AuthFailure::kWrongSecret:
      return "Invalid API token.";
    case AuthFailure::kRevoked:
      return "API token has been revoked.";
    case AuthFailure::kExpired:
      return "API token has expired.";
  }
  return "Invalid API token.";
}

boost::asio::awaitable<Authenticator::Result> Authenticator::authenticate(
    std::string_view token_text) {
  const auto parts = core::split_token(token_text);
  if (!parts) {
    co_return AuthFailure::kMalformed;
  }
  const std::string id(parts->id);
  const std::string secret(parts->secret);
  const auto now = std::chrono::steady_clock::now();

  std::optional<Entry> entry;
  {
    std::shared_lock lock(cache_mutex_);
    const auto found = cache_.find(id);
    if (found != cache_.end() && now - found->second.fetched_at < kCacheLifetime) {
      entry = found->second;
    }
  }
  if (!entry) {
    const auto lookup = [id](recorder::Store& store) { return store.find_token(id); };
    auto record = co_await stores_.run(lookup);
    entry = Entry{std::move(record), now};
    std::unique_lock lock(cache_mutex_);
    if (cache_.size() >= kMaxCacheEntries) {
      cache_.clear();  // entries are cheap to refetch; a flood of random ids must not grow memory
    }
    cache_[id] = *entry;
  }

  // Compare even when the id is unknown, against a hash no secret produces.
  static const std::string kNoMatch(32, '\0');
  const bool secret_ok =
      core::secret_matches(secret, entry->record ? entry->record->token.secret_hash : kNoMatch);
  if (!entry->record) {
    co_return AuthFailure::kUnknown;
  }
  if (!secret_ok) {
    co_return AuthFailure::kWrongSecret;
  }
  const recorder::ApiToken& token = entry->record->token;
  const core::UnixMicros wall_now = core::now_micros();
  if (token.revoked_at) {
    co_return AuthFailure::kRevoked;
  }
  if (token.expires_at && *token.expires_at <= wall_now) {
    co_return AuthFailure::kExpired;
  }
  {
    std::lock_guard lock(uses_mutex_);
    recent_uses_[id] = wall_now;
  }
  co_return Principal{entry->record->owner, id};
}

std::vector<std::pair<std::string, recorder::UnixMicros>> Authenticator::take_recent_uses() {
  std::map<std::string, recorder::UnixMicros> uses;
  {
    std::lock_guard lock(uses_mutex_);
    uses.swap(recent_uses_);
  }
  return {uses.begin(), uses.end()};
}

}  // namespace aibridge::proxy
