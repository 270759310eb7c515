#pragma once
// Users and tokens: the operations behind `aibridge users …`, `aibridge tokens …` and the
// first-start bootstrap of the admin account.
#include <optional>
#include <string>

#include "core/units.hpp"
#include "recorder/store.hpp"

namespace aibridge::app {

/// A user-facing failure (unknown user, taken username): printed, exit status 1.
class IdentityError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Input that can never work (an invalid username): printed, exit status 2.
class UsageError : public std::runtime_error {
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

/// Throws UsageError when the user can never be created (an invalid username).
void check_new_user(const NewUser& request);

/// Creates the user and returns it. Throws UsageError for an invalid username, IdentityError
/// for a taken one.
recorder::User create_user(recorder::Store& store, const NewUser& request);

/// Creates a token for `username` and returns its full text (shown once, never stored).
/// A zero lifetime never expires.
std::string create_token(recorder::Store& store, const std::string& username,
                         core::Duration lifetime);

struct Bootstrap {
  std::string token;       // the new owner's token
  std::string file_error;  // why <data_dir>/admin-token could not be written, or empty
};

/// On a database without an owner: creates `admin` (owner) with a token that never expires,
/// writes the token to <data_dir>/admin-token (mode 0600) and returns it. Otherwise (an owner
/// exists, perhaps made a moment ago by another process) returns nullopt. Throws IdentityError
/// when there is no owner but the username `admin` is taken.
std::optional<Bootstrap> bootstrap_admin(recorder::Store& store, const std::string& data_dir);

}  // namespace aibridge::app
