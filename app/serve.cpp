#include "app/serve.hpp"

#include <filesystem>
#include <iostream>

#include <fmt/ostream.h>
#include <spdlog/spdlog.h>

#include "app/identity.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "proxy/auth.hpp"
#include "proxy/server.hpp"
#include "recorder/store_pool.hpp"

namespace aibridge::app {
namespace {

constexpr std::size_t kStoreThreads = 2;

void create_private_directory(const std::string& path) {
  namespace fs = std::filesystem;
  if (!path.empty() && !fs::exists(path)) {
    fs::create_directories(path);
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace);
  }
}

}  // namespace

int serve(const core::Config& config) {
  core::setup_logging(config.log_level);
  try {
    create_private_directory(config.data_dir);
    create_private_directory(std::filesystem::path(config.database).parent_path().string());
    const recorder::StoreOptions store_options{config.recorder.synchronous};
    auto store = recorder::open_store(config.database, store_options, /*migrate=*/true);
    if (auto token = bootstrap_admin(*store, config.data_dir)) {
      std::cout << "admin token: " << *token << std::endl;
      spdlog::info("created user admin (owner); its token is also in {}/admin-token",
                   config.data_dir);
    }
    if (config.openai.api_key.empty()) {
      spdlog::warn("no OpenAI API key configured (providers.openai.api_key / OPENAI_API_KEY)");
    }
    if (config.anthropic.api_key.empty()) {
      spdlog::warn(
          "no Anthropic API key configured (providers.anthropic.api_key / ANTHROPIC_API_KEY)");
    }

    recorder::StorePool stores(config.database, store_options, kStoreThreads);
    core::Metrics metrics;
    proxy::Authenticator authenticator(stores);
    proxy::Server server(proxy::ServerDeps{config, metrics, authenticator, stores, nullptr});
    const tcp::endpoint endpoint = server.listen();
    spdlog::info("aibridge {} listening on http://{} ({} threads, database {})", AIBRIDGE_VERSION,
                 fmt::streamed(endpoint), config.threads, config.database);
    server.run();

    store->touch_tokens(authenticator.take_recent_uses());
    spdlog::info("stopped");
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    core::shutdown_logging();
    return 1;
  }
  core::shutdown_logging();
  return 0;
}

}  // namespace aibridge::app
