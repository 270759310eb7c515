#include "recorder/store_pool.hpp"

#include <future>

#include <spdlog/spdlog.h>

namespace aibridge::recorder {

StorePool::~StorePool() {
  stop_periodic();
  pool_.join();
}

void StorePool::stop_periodic() {
  std::vector<std::shared_ptr<Periodic>> periodic;
  {
    std::lock_guard lock(mutex_);
    periodic.swap(periodic_);
  }
  std::vector<std::future<void>> last_runs;
  for (const auto& job : periodic) {
    auto done = std::make_shared<std::promise<void>>();
    last_runs.push_back(done->get_future());
    boost::asio::post(job->strand, [this, job, done] {
      job->stopped = true;
      job->timer.cancel();
      run_periodic(job);  // the last run
      done->set_value();
    });
  }
  for (auto& run : last_runs) {
    run.wait();
  }
}

void StorePool::every(std::chrono::milliseconds interval, std::function<void(Store&)> job) {
  auto periodic = std::make_shared<Periodic>(pool_, interval, std::move(job));
  {
    std::lock_guard lock(mutex_);
    periodic_.push_back(periodic);
  }
  boost::asio::post(periodic->strand, [this, periodic] { arm(periodic); });
}

void StorePool::arm(const std::shared_ptr<Periodic>& periodic) {
  periodic->timer.expires_after(periodic->every);
  periodic->timer.async_wait([this, periodic](const boost::system::error_code& error) {
    if (!error && !periodic->stopped) {
      run_periodic(periodic);
    }
  });
}

void StorePool::run_periodic(const std::shared_ptr<Periodic>& periodic) {
  try {
    Lease lease(*this);
    periodic->job(lease.store());
  } catch (const std::exception& e) {
    spdlog::error("store: periodic job failed: {}", e.what());
  }
  if (!periodic->stopped) {
    arm(periodic);
  }
}

}  // namespace aibridge::recorder
