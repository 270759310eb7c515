#include "recorder/rollups.hpp"

namespace aibridge::recorder {

FacetKey facet_of(const Interception& record) {
  return {record.initiator_id, record.provider, record.model, record.client, record.status};
}

std::string_view attribute_column(Attribute attribute) {
  switch (attribute) {
    case Attribute::kInitiator:
      return "initiator_id";
    case Attribute::kProvider:
      return "provider";
    case Attribute::kModel:
      return "model";
    case Attribute::kClient:
      return "client";
    case Attribute::kStatus:
      return "status";
  }
  return "";
}

std::array<std::string_view, kAttributes> attribute_values(const FacetKey& key) {
  return {key.initiator_id, key.provider, key.model, key.client, status_name(key.status)};
}

Usage& Usage::operator+=(const Usage& other) {
  interceptions += other.interceptions;
  input_tokens += other.input_tokens;
  output_tokens += other.output_tokens;
  cache_read_input_tokens += other.cache_read_input_tokens;
  cache_write_input_tokens += other.cache_write_input_tokens;
  tool_calls += other.tool_calls;
  sessions += other.sessions;
  return *this;
}

Usage Usage::negated() const {
  return {-interceptions,
          -input_tokens,
          -output_tokens,
          -cache_read_input_tokens,
          -cache_write_input_tokens,
          -tool_calls,
          -sessions};
}

Usage usage_of(const Interception& record) {
  Usage usage;
  usage.interceptions = 1;
  for (const TokenUsage& row : record.token_usages) {
    usage.input_tokens += row.input_tokens;
    usage.output_tokens += row.output_tokens;
    usage.cache_read_input_tokens += row.cache_read_input_tokens;
    usage.cache_write_input_tokens += row.cache_write_input_tokens;
  }
  usage.tool_calls = static_cast<std::int64_t>(record.tool_usages.size());
  return usage;
}

void RollupDelta::add(const RollupTargets& targets, UnixMicros started_at, const Usage& usage) {
  by_second_[{targets.facet, bucket_of(Level::kSecond, started_at)}] += usage;
  groups_.try_emplace(targets.facet, targets.groups);
  by_centisecond_[bucket_of(Level::kCentisecond, started_at)] += usage;
}

std::map<RollupKey, Usage> RollupDelta::expand() const {
  std::map<RollupKey, Usage> out;
  for (const auto& [key, usage] : by_second_) {
    const UnixMicros second_start = key.second * bucket_width(Level::kSecond);
    for (const Level level : {Level::kDay, Level::kHour, Level::kMinute, Level::kSecond}) {
      const std::int64_t bucket = bucket_of(level, second_start);
      out[{level, key.facet, bucket}] += usage;
      out[{level, kAllFacets, bucket}] += usage;
      for (const std::int64_t group : groups_.at(key.facet)) {
        out[{level, group, bucket}] += usage;
      }
    }
  }
  for (const auto& [centisecond, usage] : by_centisecond_) {
    out[{Level::kCentisecond, kAllFacets, centisecond}] += usage;
  }
  return out;
}

}  // namespace aibridge::recorder
