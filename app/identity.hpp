#pragma once
// The first-start bootstrap of the admin account (creating users and tokens: api/identity.hpp).
#include <optional>
#include <string>

#include "api/identity.hpp"
#include "recorder/store.hpp"

namespace aibridge::app {

// The CLI prints IdentityError and exits 1, UsageError and exits 2.
using api::check_new_user;
using api::create_token;
using api::create_user;
using api::IdentityError;
using api::NewUser;
using api::UsageError;

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
