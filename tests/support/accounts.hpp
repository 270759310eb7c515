#pragma once
// A user with one API token, made straight in a gateway's database for a test.
#include <string>

#include "core/tokens.hpp"
#include "recorder/store.hpp"

namespace aibridge::testing {

/// Inserts `user` and a token of theirs; returns the token as a client sends it.
inline std::string add_account(recorder::Store& store, const recorder::User& user) {
  store.insert_user(user);
  const core::GeneratedToken generated = core::generate_token();
  store.insert_token({generated.id, user.id, core::hash_secret(generated.secret), 1, {}, {}, {}});
  return generated.text();
}

}  // namespace aibridge::testing
