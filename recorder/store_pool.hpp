#pragma once
// Runs blocking store work (admin queries, token lookups, settings) on a small thread pool so
// that network threads never touch the database. Each pool thread borrows its own Store.
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <type_traits>
#include <variant>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "recorder/store.hpp"

namespace aibridge::recorder {

class StorePool {
 public:
  StorePool(std::string location, StoreOptions options, std::size_t threads)
      : location_(std::move(location)), options_(std::move(options)), pool_(threads) {}
  /// Stops the periodic jobs (each runs once more) and waits for the work in progress.
  ~StorePool();
  StorePool(const StorePool&) = delete;
  StorePool& operator=(const StorePool&) = delete;

  template <class Work>
  using Slot = std::conditional_t<std::is_void_v<std::invoke_result_t<Work, Store&>>,
                                  std::monostate, std::invoke_result_t<Work, Store&>>;

  /// Runs `work(Store&)` on a pool thread; the awaiting coroutine resumes on its own executor
  /// with the result (std::monostate for void work), or with the exception `work` threw.
  // GCC 12 destroys temporaries inside a co_await expression twice when they have non-trivial
  // destructors, so callers pass a named lambda (an lvalue) and `run` copies it.
  template <class Work>
  boost::asio::awaitable<Slot<Work>> run(const Work& work) {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                       void(std::exception_ptr, Slot<Work>)>(
        [this](auto handler, Work job) {
          auto guard = boost::asio::make_work_guard(handler);  // keeps the caller's loop alive
          boost::asio::post(pool_, [this, job = std::move(job), handler = std::move(handler),
                                    guard = std::move(guard)]() mutable {
            std::exception_ptr error;
            Slot<Work> value{};
            try {
              Lease lease(*this);
              if constexpr (std::is_void_v<std::invoke_result_t<Work, Store&>>) {
                job(lease.store());
              } else {
                value = job(lease.store());
              }
            } catch (...) {
              error = std::current_exception();
            }
            auto executor = guard.get_executor();
            boost::asio::dispatch(executor, [handler = std::move(handler), error,
                                             value = std::move(value)]() mutable {
              std::move(handler)(error, std::move(value));
            });
          });
        },
        boost::asio::use_awaitable, work);
  }

  /// Runs `job(Store&)` on a pool thread every `interval`, and a last time at stop_periodic().
  /// A job that throws is logged and runs again at its next time.
  void every(std::chrono::milliseconds interval, std::function<void(Store&)> job);

  /// Runs every periodic job a last time, waits for it and stops them (before what the jobs
  /// use goes away; the destructor does it too).
  void stop_periodic();

  /// Waits for the work in progress and ends the pool's threads. Call before the event loops
  /// that await its results are destroyed: a finishing job still touches its caller's
  /// executor. Nothing may be run afterwards.
  void join() { pool_.join(); }

 private:
  struct Periodic;
  void arm(const std::shared_ptr<Periodic>& periodic);
  void run_periodic(const std::shared_ptr<Periodic>& periodic);
  /// Borrows an idle Store (opening one when none is idle) and returns it afterwards. A store
  /// whose work threw is dropped rather than returned, in case its connection is broken.
  class Lease {
   public:
    explicit Lease(StorePool& pool) : pool_(pool) {
      {
        std::lock_guard lock(pool_.mutex_);
        if (!pool_.idle_.empty()) {
          store_ = std::move(pool_.idle_.back());
          pool_.idle_.pop_back();
        }
      }
      if (!store_) {
        store_ = open_store(pool_.location_, pool_.options_, /*migrate=*/false);
      }
    }
    ~Lease() {
      if (std::uncaught_exceptions() == 0) {
        std::lock_guard lock(pool_.mutex_);
        pool_.idle_.push_back(std::move(store_));
      }
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Store& store() { return *store_; }

   private:
    StorePool& pool_;
    std::unique_ptr<Store> store_;
  };

  std::string location_;
  StoreOptions options_;
  std::mutex mutex_;  // guards idle_ and periodic_
  std::vector<std::unique_ptr<Store>> idle_;
  std::vector<std::shared_ptr<Periodic>> periodic_;
  boost::asio::thread_pool pool_;  // last: joined before the stores it uses are destroyed
};

/// A job and its timer; everything about it runs on its strand.
struct StorePool::Periodic {
  Periodic(boost::asio::thread_pool& pool, std::chrono::milliseconds every_in,
           std::function<void(Store&)> job_in)
      : strand(boost::asio::make_strand(pool)),
        timer(strand),
        every(every_in),
        job(std::move(job_in)) {}
  boost::asio::strand<boost::asio::thread_pool::executor_type> strand;
  boost::asio::steady_timer timer;
  std::chrono::milliseconds every;
  std::function<void(Store&)> job;
  bool stopped = false;
};

}  // namespace aibridge::recorder
