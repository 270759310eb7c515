#include "tests/support/records.hpp"

#include <thread>

#include "recorder/store.hpp"
#include "tests/support/gateway.hpp"

namespace aibridge::testing {

std::optional<recorder::Interception> await_recorded(const std::string& data_dir,
                                                     const std::string& id,
                                                     std::chrono::milliseconds within) {
  auto store = recorder::open_store(database_location(data_dir), {}, false);
  const auto deadline = std::chrono::steady_clock::now() + within;
  for (;;) {
    if (auto found = store->find_interception(id, std::nullopt)) {
      return std::move(found->interception);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace aibridge::testing
