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
    case AuthFailure::kStoreUnavailable:
      return "The gateway cannot reach its database to check the API token; try again shortly.";
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

Authenticator::EntryPtr Authenticator::remember_lookup(
    const std::string& id, std::optional<recorder::TokenWithOwner> record,
    std::chrono::steady_clock::time_point fetched_at) {
  std::string verified_secret;
  if (record) {
    std::shared_lock lock(cache_mutex_);
    if (const auto found = cache_.find(id); found != cache_.end() && found->second->record &&
                                            found->second->record->token.secret_hash ==
                                                record->token.secret_hash) {
      verified_secret = found->second->verified_secret;
    }
  }
  auto entry = std::make_shared<const Entry>(Entry{
      record ? std::make_shared<const recorder::TokenWithOwner>(std::move(*record)) : nullptr,
      fetched_at, std::move(verified_secret)});
  remember(id, entry);
  return entry;
}

boost::asio::awaitable<Authenticator::EntryPtr> Authenticator::fetch(const std::string& id) {
  const auto fetched_at = std::chrono::steady_clock::now();
  const auto lookup = [&id](recorder::Store& store) { return store.find_token(id); };
  // Named, not a temporary in the co_await expression (GCC 12 destroys those twice).
  std::optional<recorder::TokenWithOwner> record = co_await stores_.run(lookup);
  co_return remember_lookup(id, std::move(record), fetched_at);
}

void Authenticator::refresh_active(recorder::Store& store) {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::string> ids;
  {
    std::lock_guard lock(uses_mutex_);
    std::erase_if(uses_, [&](const auto& use) {
      return use.second.reported && now - use.second.steady > kActiveFor;
    });
    for (const auto& [id, use] : uses_) {
      ids.push_back(id);
    }
  }
  for (const std::string& id : ids) {
    const auto fetched_at = std::chrono::steady_clock::now();  // before the read, never after
    remember_lookup(id, store.find_token(id), fetched_at);
  }
}

void Authenticator::remember(std::string_view id, EntryPtr entry) {
  std::unique_lock lock(cache_mutex_);
  if (cache_.size() >= kMaxCacheEntries) {
    cache_.clear();  // entries are cheap to refetch; a flood of random ids must not grow memory
  }
  cache_.insert_or_assign(std::string(id), std::move(entry));
}

void Authenticator::remember_secret(std::string_view id, const EntryPtr& seen,
                                    std::string_view secret) {
  std::unique_lock lock(cache_mutex_);
  const auto found = cache_.find(id);
  if (found != cache_.end() && found->second == seen) {  // not replaced by a newer lookup
    found->second = std::make_shared<const Entry>(
        Entry{seen->record, seen->fetched_at, std::string(secret)});
  }
}

void Authenticator::note_use(std::string_view id, recorder::UnixMicros when,
                             std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(uses_mutex_);
  const Use use{when, now, false};
  if (const auto found = uses_.find(id); found != uses_.end()) {
    found->second = use;
  } else {
    uses_.emplace(std::string(id), use);
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
    const std::string id(parts->id);  // named: GCC 12 mishandles temporaries in co_await
    bool unavailable = false;
    try {
      entry = co_await fetch(id);
    } catch (const recorder::StoreUnavailable&) {
      unavailable = true;  // tokens already cached keep working meanwhile
    }
    if (unavailable) {
      co_return AuthFailure::kStoreUnavailable;
    }
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
    remember_secret(parts->id, entry, parts->secret);
  }
  const recorder::ApiToken& token = entry->record->token;
  const core::UnixMicros wall_now = core::now_micros();
  if (token.revoked_at) {
    co_return AuthFailure::kRevoked;
  }
  if (token.expires_at && *token.expires_at <= wall_now) {
    co_return AuthFailure::kExpired;
  }
  note_use(parts->id, wall_now, now);
  co_return Principal{entry->record};
}

std::vector<std::pair<std::string, recorder::UnixMicros>> Authenticator::take_recent_uses() {
  std::vector<std::pair<std::string, recorder::UnixMicros>> taken;
  std::lock_guard lock(uses_mutex_);
  for (auto& [id, use] : uses_) {
    if (!use.reported) {
      taken.emplace_back(id, use.at);
      use.reported = true;
    }
  }
  return taken;
}

}  // namespace aibridge::proxy
