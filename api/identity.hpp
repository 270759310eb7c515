#pragma once
// Users and tokens: creating them, for `aibridge users …` / `aibridge tokens …` and for the
// admin API's users and tokens endpoints (the console's settings).
#include <stdexcept>
#include <string>

#include "core/tokens.hpp"
#include "core/units.hpp"
#include "recorder/store.hpp"

namespace aibridge::api {

/// A failure the caller can act on (unknown user, taken username).
class IdentityError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Input that can never work (an invalid username).
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

/// The user to insert, with a new id (after check_new_user).
recorder::User new_user(const NewUser& request);

/// The stored form of a generated token for `user_id`; a zero lifetime never expires.
recorder::ApiToken new_token(const core::GeneratedToken& generated, const std::string& user_id,
                             core::Duration lifetime);

/// Creates the user and returns it. Throws UsageError for an invalid username, IdentityError
/// for a taken one.
recorder::User create_user(recorder::Store& store, const NewUser& request);

struct NewToken {
  std::string id;
  std::string text;  // shown once, never stored
};

/// Creates a token for `username`. Throws IdentityError when there is no such user.
NewToken create_token(recorder::Store& store, const std::string& username, core::Duration lifetime);

}  // namespace aibridge::api
