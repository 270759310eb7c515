#include "app/identity.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/tokens.hpp"

#include <sys/stat.h>

namespace aibridge::app {
namespace {

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

}  // namespace

std::optional<Bootstrap> bootstrap_admin(recorder::Store& store, const std::string& data_dir) {
  const recorder::User admin = api::new_user(NewUser{"admin", "", "", "", recorder::Role::kOwner});
  const core::GeneratedToken generated = core::generate_token();
  try {
    if (!store.insert_first_owner(admin,
                                  api::new_token(generated, admin.id, core::Duration::zero()))) {
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
