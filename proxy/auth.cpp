#include "proxy/auth.hpp"

#include <boost/beast/core/string.hpp>

#include "core/time.hpp"
#include "core/tokens.hpp"

namespace aibridge::proxy {
namespace {

namespace http = boost::beast::http;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<std::string_view> bearer(const http::fields& headers) {
  const auto found = headers.find(http::field::authorization);
  if (found == headers.end()) {
    return std::nullopt;
  }
  const std::string_view value = trim(found->value());
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() ||
      !boost::beast::iequals(value.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  const std::string_view token = trim(value.substr(kScheme.size()));
  return token.empty() ? std::nullopt : std::optional(token);
}

std::optional<std::string_view> header(const http::fields& headers, std::string_view name) {
  const auto found = headers.find(name);
  if (found == headers.end()) {
    return std::nullopt;
  }
  const std::string_view value = trim(found->value());
  return value.empty() ? std::nullopt : std::optional(value);
}

// Value of `name` in a "k=v; k2=v2" cookie header or a "k=v&k2=v2" query string.
std::optional<std::string_view> pair_value(std::string_view list, char separator,
                                           std::string_view name) {
  while (!list.empty()) {
    const std::size_t end = list.find(separator);
    std::string_view item = trim(list.substr(0, end));
    list = end == std::string_view::npos ? std::string_view() : list.substr(end + 1);
    const std::size_t equals = item.find('=');
    if (equals != std::string_view::npos && item.substr(0, equals) == name) {
      const std::string_view value = item.substr(equals + 1);
      if (!value.empty()) {
        return value;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

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

std::optional<std::string_view> provider_route_token(const http::fields& headers) {
  if (auto token = bearer(headers)) {
    return token;
  }
  if (auto token = header(headers, "x-api-key")) {
    return token;
  }
  return header(headers, "coder-session-token");
}

std::optional<std::string_view> admin_route_token(const http::fields& headers,
                                                  std::string_view target) {
  if (auto token = header(headers, "coder-session-token")) {
    return token;
  }
  if (auto cookie = header(headers, "cookie")) {
    if (auto token = pair_value(*cookie, ';', "coder_session_token")) {
      return token;
    }
  }
  if (const std::size_t query = target.find('?'); query != std::string_view::npos) {
    if (auto token = pair_value(target.substr(query + 1), '&', "coder_session_token")) {
      return token;
    }
  }
  return bearer(headers);
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
