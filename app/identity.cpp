#include "app/identity.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/ids.hpp"
#include "core/time.hpp"
#include "core/tokens.hpp"

#include <sys/stat.h>

namespace aibridge::app {
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

void write_private_file(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  }
  // O_CREAT's mode does not apply to an existing file.
  const bool ok = ::fchmod(fd, 0600) == 0 && ::write(fd, content.data(), content.size()) ==
                                                 static_cast<ssize_t>(content.size());
  const int saved = errno;
  ::close(fd);
  if (!ok) {
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(saved));
  }
}

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

}  // namespace

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

std::string create_token(recorder::Store& store, const std::string& username,
                         core::Duration lifetime) {
  const auto user = store.find_user_by_username(username);
  if (!user) {
    throw IdentityError("no user named \"" + username + "\"");
  }
  const core::GeneratedToken generated = core::generate_token();
  store.insert_token(new_token(generated, user->id, lifetime));
  return generated.text();
}

std::optional<Bootstrap> bootstrap_admin(recorder::Store& store,
                                         const std::string& data_dir) {
  const recorder::User admin = new_user(NewUser{"admin", "", "", "", recorder::Role::kOwner});
  const core::GeneratedToken generated = core::generate_token();
  try {
    if (!store.insert_first_owner(admin, new_token(generated, admin.id, core::Duration::zero()))) {
      return std::nullopt;
    }
  } catch (const recorder::ConflictError&) {
    throw IdentityError(
        "the database has no owner and the username \"admin\" is taken; create an owner with "
        "`aibridge users create NAME --role owner`");
  }
  Bootstrap made{generated.text(), {}};
  try {
    write_private_file(data_dir + "/admin-token", made.token + "\n");
  } catch (const std::exception& e) {
    made.file_error = e.what();  // the owner exists now: its token must still reach someone
  }
  return made;
}

}  // namespace aibridge::app
