#include "app/data_dir.hpp"

#include <filesystem>

#include <sys/stat.h>

#include "recorder/store.hpp"

namespace aibridge::app {
namespace {

void create_private_directory(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  if (!path.empty() && !fs::exists(path)) {
    fs::create_directories(path);
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace);
  }
}

}  // namespace

void create_data_directories(const core::Config& config) {
  create_private_directory(config.data_dir);
  if (!recorder::is_postgres_location(config.database)) {
    create_private_directory(std::filesystem::path(config.database).parent_path());
  }
}

void keep_created_files_private() {
  ::umask(S_IRWXG | S_IRWXO);
}

}  // namespace aibridge::app
