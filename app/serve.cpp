#include "app/serve.hpp"

#include <csignal>
#include <iostream>

#include <fmt/ostream.h>
#include <spdlog/spdlog.h>

#include "api/admin_handler.hpp"
#include "app/data_dir.hpp"
#include "app/identity.hpp"
#include "core/access_log.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "core/net.hpp"
#include "proxy/auth.hpp"
#include "proxy/server.hpp"
#include "recorder/recorder.hpp"
#include "recorder/retention.hpp"
#include "recorder/store_pool.hpp"

namespace aibridge::app {
namespace {

constexpr std::size_t kStoreThreads = 2;
constexpr std::chrono::minutes kRetentionInterval{1};
constexpr std::chrono::seconds kTokenUseInterval{30};
// How soon a request-logging switch made through another replica holds here too.
constexpr std::chrono::seconds kSettingsRefreshInterval{1};

proxy::Origin provider_origin(const std::string& base_url, std::string_view key) {
  auto origin = proxy::parse_origin(base_url);
  if (!origin) {
    throw std::runtime_error(std::string(key) + ": cannot use base URL \"" + base_url + "\"");
  }
  return *origin;
}

// Verified TLS to providers: the system CA store, plus upstream_ca_file when configured.
std::unique_ptr<proxy::ssl::context> upstream_tls_context(const core::Config& config) {
  auto context = std::make_unique<proxy::ssl::context>(proxy::ssl::context::tls_client);
  context->set_options(proxy::ssl::context::default_workarounds | proxy::ssl::context::no_sslv2 |
                       proxy::ssl::context::no_sslv3 | proxy::ssl::context::no_tlsv1 |
                       proxy::ssl::context::no_tlsv1_1);
  context->set_default_verify_paths();
  if (!config.upstream_ca_file.empty()) {
    context->load_verify_file(config.upstream_ca_file);
  }
  context->set_verify_mode(proxy::ssl::verify_peer);
  return context;
}

}  // namespace

int serve(const core::Config& config) {
  // Registered beside the server's own set and outliving it, until serve() returns: a signal
  // that comes once the server is gone (the last writes, the log flush) is absorbed rather than
  // killing the process, since Asio restores the default action when the last set goes.
  net::io_context never_run;
  // And when that set goes too, on the way out of serve(), the signals are ignored: the process
  // is exiting cleanly, and a signal in the default action would turn its status 0 into 143.
  struct IgnoreSignalsFromNowOn {
    ~IgnoreSignalsFromNowOn() {
      std::signal(SIGINT, SIG_IGN);
      std::signal(SIGTERM, SIG_IGN);
    }
  } ignore_after_late_signals;  // destroyed right after late_signals
  std::optional<net::signal_set> late_signals;
  core::setup_logging(config.log_level);
  try {
    create_data_directories(config);
    const recorder::StoreOptions store_options{config.recorder.synchronous};
    auto store = recorder::open_store(config.database, store_options, /*migrate=*/true);
    if (config.openai.api_key.empty()) {
      spdlog::warn("no OpenAI API key configured (providers.openai.api_key / OPENAI_API_KEY)");
    }
    if (config.anthropic.api_key.empty()) {
      spdlog::warn(
          "no Anthropic API key configured (providers.anthropic.api_key / ANTHROPIC_API_KEY)");
    }

    proxy::RequestDumper dumper(config.request_log_dir);  // before the jobs that switch it
    recorder::StorePool stores(config.database, store_options, kStoreThreads);
    core::Metrics metrics;
    proxy::Authenticator authenticator(stores);
    // Whatever ends serve (an error too), the periodic jobs stop before what they use goes.
    struct StopPeriodic {
      recorder::StorePool& pool;
      ~StopPeriodic() { pool.stop_periodic(); }
    } stop_jobs{stores};
    recorder::Recorder recorder(recorder::open_record_sink(config.database, store_options),
                                config.recorder, metrics);
    recorder.every(kRetentionInterval, [retention = config.retention](recorder::RecordSink& sink) {
      recorder::apply_retention(sink, retention);
    });
    stores.every(kTokenUseInterval, [&authenticator](recorder::Store& pooled) {
      pooled.touch_tokens(authenticator.take_recent_uses());
    });
    stores.every(proxy::Authenticator::kRefreshEvery, [&authenticator](recorder::Store& pooled) {
      authenticator.refresh_active(pooled);
    });
    dumper.set_enabled(store->get_setting(api::kRequestLoggingSetting) == "true");
    if (dumper.enabled()) {
      spdlog::warn("request logging is on: upstream exchanges are written to {}",
                   config.request_log_dir);
    }
    // Follows the stored switch when it changes (another replica's toggle), and only then: a
    // read that raced this replica's own toggle never undoes it for longer than one interval.
    stores.every(kSettingsRefreshInterval,
                 [&dumper, seen = dumper.enabled()](recorder::Store& pooled) mutable {
                   const bool stored =
                       pooled.get_setting(api::kRequestLoggingSetting) == "true";
                   if (stored != seen) {
                     seen = stored;
                     dumper.set_enabled(stored);
                     spdlog::info("request logging {} (stored setting)",
                                  stored ? "enabled" : "disabled");
                   }
                 });
    api::AdminHandler admin(stores, dumper, authenticator);
    auto tls = upstream_tls_context(config);
    // Before the listener opens: a client's first request already gets the tools.
    const auto tools = proxy::mcp::Toolbox::start(config.mcp, *tls, config.timeouts);
    std::optional<core::AccessLog> access_log;
    if (config.access_log) {
      access_log.emplace();
    }
    proxy::Server server(proxy::ServerDeps{
        config, metrics, authenticator, stores, recorder, dumper, *tls,
        provider_origin(config.openai.base_url, "providers.openai.base_url"),
        provider_origin(config.anthropic.base_url, "providers.anthropic.base_url"), &admin,
        access_log ? &*access_log : nullptr, tools.get()});
    late_signals.emplace(never_run, SIGINT, SIGTERM);
    const tcp::endpoint endpoint = server.listen();
    // After listen: a start that cannot serve makes no owner (nor prints its token).
    try {
      if (const auto bootstrap = bootstrap_admin(*store, config.data_dir)) {
        std::cout << "admin token: " << bootstrap->token << std::endl;
        if (bootstrap->file_error.empty()) {
          spdlog::info("created user admin (owner); its token is also in {}/admin-token",
                       config.data_dir);
        } else {
          spdlog::error("created user admin (owner); its token is printed above only: {}",
                        bootstrap->file_error);
        }
      }
    } catch (const IdentityError& e) {
      spdlog::warn("{}", e.what());
    }
    spdlog::info("aibridge {} listening on http://{} ({} threads, database {})", AIBRIDGE_VERSION,
                 fmt::streamed(endpoint), config.threads,
                 recorder::printable_location(config.database));
    server.run();
    stores.stop_periodic();  // the last token uses, while the authenticator still exists
    stores.join();           // before the server's event loops, which its jobs report to, go
    recorder.close();        // writes what is queued
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
