#include "api/identity.hpp"

#include "core/ids.hpp"
#include "core/time.hpp"

namespace aibridge::api {
namespace {

constexpr std::size_t kMaxUsernameLength = 64;

bool valid_username(const std::string& username) {
  if (username.empty() || username.size() > kMaxUsernameLength) {
    return false;
  }
  for (std::size_t i = 0; i < username.size(); ++i) {
    const char c = username[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '-' && c != '_' && c != '.'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

recorder::User new_user(const NewUser& request) {
  check_new_user(request);
  recorder::User user;
  user.id = core::new_uuid();
  user.username = request.username;
  user.name = request.name;
  user.email = request.email;
  user.avatar_url = request.avatar_url;
  user.role = request.role;
  user.created_at = core::now_micros();
  return user;
}

recorder::ApiToken new_token(const core::GeneratedToken& generated, const std::string& user_id,
                             core::Duration lifetime) {
  recorder::ApiToken token;
  token.id = generated.id;
  token.user_id = user_id;
  token.secret_hash = core::hash_secret(generated.secret);
  token.created_at = core::now_micros();
  if (lifetime.count() > 0) {
    token.expires_at =
        token.created_at + std::chrono::duration_cast<std::chrono::microseconds>(lifetime).count();
  }
  return token;
}

void check_new_user(const NewUser& request) {
  if (!valid_username(request.username)) {
    throw UsageError("invalid username \"" + request.username +
                     "\": use 1-64 letters, digits, '-', '_' or '.', starting with a letter or "
                     "digit");
  }
}

recorder::User create_user(recorder::Store& store, const NewUser& request) {
  recorder::User user = new_user(request);
  try {
    store.insert_user(user);
  } catch (const recorder::ConflictError& e) {
    throw IdentityError(e.what());
  }
  return user;
}

NewToken create_token(recorder::Store& store, const std::string& username,
                      core::Duration lifetime) {
  const auto user = store.find_user_by_username(username);
  if (!user) {
    throw IdentityError("no user named \"" + username + "\"");
  }
  const core::GeneratedToken generated = core::generate_token();
  store.insert_token(new_token(generated, user->id, lifetime));
  return {generated.id, generated.text()};
}

}  // namespace aibridge::api
