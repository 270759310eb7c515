#pragma once
// What the store tests write, on either backend: users, interceptions with one child of each
// kind, a random mix over two days, a batch that must fail.
#include <random>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "recorder/store.hpp"

namespace aibridge::recorder {

User user(const std::string& username, Role role = Role::kMember);

/// An ended interception started at `started_at`, with a prompt, a token row, a tool call and a
/// thought.
Interception interception(UnixMicros started_at);

/// Five interceptions started at 1000-1004 µs and one at 5000.
std::vector<Interception> old_and_new();

// The random records' time span and values.
inline constexpr UnixMicros kBase = 1'700'000'000'000'000;
inline constexpr UnixMicros kHour = 3'600'000'000;

struct Vocabulary {
  std::vector<std::string> users = {core::new_uuid(), core::new_uuid(), core::new_uuid()};
  std::vector<std::string> providers = {"openai", "anthropic"};
  std::vector<std::string> models = {"m1", "m2", "m3"};
  std::vector<std::string> clients = {"Codex", "Claude Code"};
};

/// Interceptions of a few users, providers, models and clients, each with a token row (some with
/// a tool call): a third within two seconds (ties
/// and shared milliseconds), the rest over two days, written in several batches, then the
/// oldest hour's partly deleted.
void write_random_records(Store& store, std::mt19937& random, const Vocabulary& words);

/// One invalid record fails its whole batch (tried twice: a bad id, an interception not ended).
void write_a_failing_batch(Store& store);

}  // namespace aibridge::recorder
