#include "proxy/mcp/toolbox.hpp"

#include <spdlog/spdlog.h>

#include "proxy/watchdog.hpp"

namespace aibridge::proxy::mcp {
namespace {

struct Started {
  std::unique_ptr<Server> server;
  std::vector<Tool> tools;
  std::string error;
};

net::awaitable<void> start_one(Started& slot, UpstreamClient& upstream, WatchdogTicker& ticker) {
  Watchdog watchdog(ticker);
  slot.error = co_await slot.server->initialize(upstream, watchdog);
  if (slot.error.empty()) {
    slot.tools = co_await slot.server->list_tools(upstream, watchdog, slot.error);
  }
}

}  // namespace

std::unique_ptr<Toolbox> Toolbox::start(const core::McpSettings& settings, ssl::context& tls,
                                        const core::Timeouts& timeouts) {
  auto toolbox = std::make_unique<Toolbox>();
  toolbox->max_iterations_ = settings.max_iterations;
  std::vector<Started> started;
  for (const core::McpServerSettings& server : settings.servers) {
    try {
      started.push_back({std::make_unique<Server>(server, settings.call_timeout), {}, {}});
    } catch (const std::invalid_argument& e) {
      spdlog::error("mcp server {}: left out: {}", server.name, e.what());
    }
  }
  if (started.empty()) {
    return toolbox;
  }
  {
    net::io_context io(1);
    UpstreamClient upstream(io, tls, timeouts);
    WatchdogTicker ticker(io);
    std::size_t pending = started.size();
    for (Started& slot : started) {
      net::co_spawn(io, start_one(slot, upstream, ticker), [&](const std::exception_ptr& error) {
        if (error) {
          try {
            std::rethrow_exception(error);
          } catch (const std::exception& e) {
            slot.error = e.what();
          }
        }
        if (--pending == 0) {
          io.stop();  // the ticker would tick for ever
        }
      });
    }
    net::co_spawn(io, ticker.run(), net::detached);
    io.run();
  }
  std::vector<Tool> tools;
  for (Started& slot : started) {
    const std::string& name = slot.server->name();
    if (!slot.error.empty()) {
      // Not the URL: it may carry a token.
      spdlog::error("mcp server {}: left out: {}", name, slot.error);
      continue;
    }
    spdlog::info("mcp server {}: {} tools injected", name, slot.tools.size());
    std::move(slot.tools.begin(), slot.tools.end(), std::back_inserter(tools));
    toolbox->servers_.push_back(std::move(slot.server));
  }
  toolbox->catalogue_ = Catalogue(std::move(tools));
  return toolbox;
}

const Server* Toolbox::server(std::string_view name) const {
  for (const auto& server : servers_) {
    if (server->name() == name) {
      return server.get();
    }
  }
  return nullptr;
}

}  // namespace aibridge::proxy::mcp
