#include "proxy/auth.hpp"

#include <openssl/crypto.h>

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

Authenticator::EntryPtr Authenticator::cached(std::string_view id,
                                              std::chrono::steady_clock::time_point now) {
  std::shared_lock lock(cache_mutex_);
  const auto found = cache_.find(id);
  if (found == cache_.end() || now - found->second->fetched_at >= kCacheLifetime) {
    return nullptr;
  }
  return found->second;
}

void Authenticator::remember(std::string_view id, EntryPtr entry) {
  std::unique_lock lock(cache_mutex_);
  if (cache_.size() >= kMaxCacheEntries) {
    cache_.clear();  // entries are cheap to refetch; a flood of random ids must not grow memory
  }
  cache_.insert_or_assign(std::string(id), std::move(entry));
}

void Authenticator::note_use(std::string_view id, recorder::UnixMicros when) {
  std::lock_guard lock(uses_mutex_);
  if (const auto found = recent_uses_.find(id); found != recent_uses_.end()) {
    found->second = when;
  } else {
    recent_uses_.emplace(std::string(id), when);
  }
}

boost::asio::awaitable<Authenticator::Result> Authenticator::authenticate(
    std::string_view token_text) {
  const auto parts = core::split_token(token_text);
  if (!parts) {
    co_return AuthFailure::kMalformed;
  }
  const auto now = std::chrono::steady_clock::now();
  EntryPtr entry = cached(parts->id, now);
  if (!entry) {
    const auto lookup = [id = std::string(parts->id)](recorder::Store& store) {
      return store.find_token(id);
    };
    auto record = co_await stores_.run(lookup);
    entry = std::make_shared<const Entry>(Entry{
        record ? std::make_shared<const recorder::TokenWithOwner>(std::move(*record)) : nullptr,
        now,
        {}});
    remember(parts->id, entry);
  }

  // A secret seen to match before compares with that one; any other is hashed and compared
  // with the stored hash, even when the id is unknown (against a hash no secret produces), so
  // timing does not tell which part was wrong.
  static const std::string kNoMatch(32, '\0');
  const bool known_secret =
      !entry->verified_secret.empty() && entry->verified_secret.size() == parts->secret.size() &&
      CRYPTO_memcmp(entry->verified_secret.data(), parts->secret.data(), parts->secret.size()) == 0;
  const bool secret_ok =
      known_secret ||
      core::secret_matches(parts->secret,
                           entry->record ? entry->record->token.secret_hash : kNoMatch);
  if (!entry->record) {
    co_return AuthFailure::kUnknown;
  }
  if (!secret_ok) {
    co_return AuthFailure::kWrongSecret;
  }
  if (!known_secret) {
    remember(parts->id, std::make_shared<const Entry>(
                            Entry{entry->record, entry->fetched_at, std::string(parts->secret)}));
  }
  const recorder::ApiToken& token = entry->record->token;
  const core::UnixMicros wall_now = core::now_micros();
  if (token.revoked_at) {
    co_return AuthFailure::kRevoked;
  }
  if (token.expires_at && *token.expires_at <= wall_now) {
    co_return AuthFailure::kExpired;
  }
  note_use(parts->id, wall_now);
  co_return Principal{entry->record};
}

std::vector<std::pair<std::string, recorder::UnixMicros>> Authenticator::take_recent_uses() {
  ById<recorder::UnixMicros> uses;
  {
    std::lock_guard lock(uses_mutex_);
    uses.swap(recent_uses_);
  }
  return {uses.begin(), uses.end()};
}

}  // namespace aibridge::proxy
