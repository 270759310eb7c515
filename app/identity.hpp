#pragma once
// Users and tokens: the operations behind `aibridge users …`, `aibridge tokens …` and the
// first-start bootstrap of the admin account.
#include <optional>
#include <string>

#include "core/units.hpp"
#include "recorder/store.hpp"

namespace aibridge::app {

/// A user-facing failure (bad username, unknown user): printed, exit status 1.
class IdentityError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NewUser {
  std::string username;
  std::string name;
  std::string email;
  std::string avatar_url;
  recorder::Role role = recorder::Role::kMember;
};

/// Creates the user and returns it. Throws IdentityError for an invalid or taken username.
recorder::User create_user(recorder::Store& store, const NewUser& request);

/// Creates a token for `username` and returns its full text (shown once, never stored).
/// A zero lifetime never expires.
std::string create_token(recorder::Store& store, const std::string& username,
                         core::Duration lifetime);

/// On a database without users: creates `admin` (owner) with a token that never expires, writes
/// the token to <data_dir>/admin-token (mode 0600) and returns it. Otherwise returns nullopt.
std::optional<std::string> bootstrap_admin(recorder::Store& store, const std::string& data_dir);

}  // namespace aibridge::app
