#include "api/usage_json.hpp"

#include <algorithm>
#include <array>
#include <set>

#include <boost/json.hpp>

#include "core/time.hpp"

namespace aibridge::api {
namespace {

namespace json = boost::json;
using recorder::Usage;

constexpr std::array<std::pair<std::string_view, UsageDimension>, 5> kDimensions{{
    {"day", UsageDimension::kDay},
    {"user", UsageDimension::kUser},
    {"model", UsageDimension::kModel},
    {"client", UsageDimension::kClient},
    {"provider", UsageDimension::kProvider},
}};

std::string_view dimension_name(UsageDimension dimension) {
  for (const auto& [name, known] : kDimensions) {
    if (known == dimension) {
      return name;
    }
  }
  return "";
}

ApiError bad_group_by(std::string detail) {
  return {400, "Invalid usage query.", "", {{"group_by", std::move(detail)}}};
}

// A group's place among the others (each dimension's sort key: users by username) and its
// values (a user's id, a model's name), for the dimensions other than the day.
struct Key {
  std::vector<std::string> sort;
  std::vector<std::string> values;
  auto operator<=>(const Key&) const = default;
};

Key group_key(const std::vector<UsageDimension>& dimensions, const recorder::FacetKey& facet,
              const std::map<std::string, recorder::User>& users) {
  Key key;
  for (const UsageDimension dimension : dimensions) {
    std::string value;
    switch (dimension) {
      case UsageDimension::kDay:
        continue;
      case UsageDimension::kUser: {
        const auto user = users.find(facet.initiator_id);
        key.sort.push_back((user == users.end() ? std::string() : user->second.username) + '\n' +
                           facet.initiator_id);
        key.values.push_back(facet.initiator_id);
        continue;
      }
      case UsageDimension::kModel:
        value = facet.model;
        break;
      case UsageDimension::kClient:
        value = facet.client;
        break;
      case UsageDimension::kProvider:
        value = facet.provider;
        break;
    }
    key.sort.push_back(value);
    key.values.push_back(std::move(value));
  }
  return key;
}

std::string day_text(std::int64_t day) {
  return core::format_rfc3339(day * recorder::bucket_width(recorder::Level::kDay)).substr(0, 10);
}

json::object sums_object(const Usage& usage) {
  return {{"interceptions", usage.interceptions},
          {"input_tokens", usage.input_tokens},
          {"output_tokens", usage.output_tokens},
          {"cache_read_input_tokens", usage.cache_read_input_tokens},
          {"cache_write_input_tokens", usage.cache_write_input_tokens},
          {"tool_calls", usage.tool_calls}};
}

json::object user_object(const std::string& id,
                         const std::map<std::string, recorder::User>& users) {
  json::object out{{"id", id}};
  const auto found = users.find(id);
  out["username"] = found == users.end() ? "" : found->second.username;
  if (found != users.end() && !found->second.name.empty()) {
    out["name"] = found->second.name;
  }
  if (found != users.end() && !found->second.avatar_url.empty()) {
    out["avatar_url"] = found->second.avatar_url;
  }
  return out;
}

}  // namespace

std::variant<std::vector<UsageDimension>, ApiError> parse_group_by(const QueryParams& params) {
  const auto found = params.find("group_by");
  if (found == params.end()) {
    return std::vector{UsageDimension::kDay};
  }
  if (found->second.size() > 1) {
    return bad_group_by("Query param \"group_by\" must be given once");
  }
  std::vector<UsageDimension> dimensions;
  std::string_view list = found->second.front();
  while (true) {
    const std::size_t comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    const auto known = std::find_if(kDimensions.begin(), kDimensions.end(),
                                    [name](const auto& entry) { return entry.first == name; });
    if (known == kDimensions.end()) {
      return bad_group_by("Query param \"group_by\" has invalid value \"" + std::string(name) +
                          "\": use day, user, model, client or provider");
    }
    if (std::find(dimensions.begin(), dimensions.end(), known->second) != dimensions.end()) {
      return bad_group_by("Query param \"group_by\" names \"" + std::string(name) + "\" twice");
    }
    dimensions.push_back(known->second);
    if (comma == std::string_view::npos) {
      break;
    }
    list.remove_prefix(comma + 1);
  }
  if (dimensions.size() > 2) {
    return bad_group_by("Query param \"group_by\" takes at most two dimensions");
  }
  return dimensions;
}

std::variant<std::string, ApiError> usage_body(const std::vector<UsageDimension>& dimensions,
                                               const recorder::UsageSums& sums,
                                               const std::map<std::string, recorder::User>& users,
                                               UsageRange range) {
  const auto day_at = std::find(dimensions.begin(), dimensions.end(), UsageDimension::kDay);
  const bool by_day = day_at != dimensions.end();
  const bool day_first = by_day && day_at == dimensions.begin();
  // Each facet's group (its values of the other dimensions), worked out once per facet and
  // numbered in the answer's order.
  std::vector<Key> facet_keys;
  facet_keys.reserve(sums.facets.size());
  for (const recorder::FacetKey& facet : sums.facets) {
    facet_keys.push_back(group_key(dimensions, facet, users));
  }
  std::map<Key, std::size_t> numbered;
  for (const Key& key : facet_keys) {
    numbered.try_emplace(key, 0);
  }
  if (numbered.empty() && dimensions.size() == 1 && by_day) {
    numbered.try_emplace(Key{}, 0);  // by day alone: the range's days even without usage
  }
  std::vector<const Key*> group_keys;
  for (auto& [key, number] : numbered) {
    number = group_keys.size();
    group_keys.push_back(&key);
  }
  std::vector<std::size_t> group_of;
  group_of.reserve(facet_keys.size());
  for (const Key& key : facet_keys) {
    group_of.push_back(numbered.at(key));
  }
  // Sums per group and day, in the answer's order: (day, group) when the day comes first.
  using Place = std::pair<std::int64_t, std::int64_t>;
  const auto place = [&](std::size_t group, std::int64_t day) {
    const auto number = static_cast<std::int64_t>(group);
    return day_first ? Place{day, number} : Place{number, by_day ? day : 0};
  };
  std::map<Place, Usage> results;
  std::set<std::size_t> used_groups;
  Usage total;
  for (const recorder::UsageSums::Entry& entry : sums.entries) {
    const std::size_t group = group_of[entry.facet];
    results[place(group, entry.day)] += entry.usage;
    used_groups.insert(group);
    total += entry.usage;
    range.first_day = std::min(range.first_day.value_or(entry.day), entry.day);
    range.last_day = std::max(range.last_day.value_or(entry.day), entry.day);
  }
  if (by_day && range.first_day && range.last_day &&
      *range.last_day - *range.first_day >= kMaxUsageDays) {
    return ApiError{400,
                    "Invalid usage query.",
                    "The range spans more than " + std::to_string(kMaxUsageDays) +
                        " days: narrow it with started_after and started_before.",
                    {}};
  }
  if (by_day && range.first_day && range.last_day) {
    if (used_groups.empty() && dimensions.size() == 1) {
      used_groups.insert(0);
    }
    // Every day for every group that has usage at all.
    for (std::int64_t day = *range.first_day; day <= *range.last_day; ++day) {
      for (const std::size_t group : used_groups) {
        results.try_emplace(place(group, day));
      }
    }
  }
  json::array rows;
  rows.reserve(results.size());
  for (const auto& [where, usage] : results) {
    const Key& key = *group_keys[static_cast<std::size_t>(day_first ? where.second : where.first)];
    const std::int64_t day = day_first ? where.first : where.second;
    json::object row;
    std::size_t value = 0;
    for (const UsageDimension dimension : dimensions) {
      if (dimension == UsageDimension::kDay) {
        row["day"] = day_text(day);
      } else if (dimension == UsageDimension::kUser) {
        row["user"] = user_object(key.values[value++], users);
      } else {
        row[dimension_name(dimension)] = key.values[value++];
      }
    }
    for (auto& [name, number] : sums_object(usage)) {
      row[name] = number;
    }
    rows.push_back(std::move(row));
  }
  json::array names;
  for (const UsageDimension dimension : dimensions) {
    names.emplace_back(dimension_name(dimension));
  }
  return json::serialize(json::object{
      {"group_by", std::move(names)}, {"results", std::move(rows)}, {"total", sums_object(total)}});
}

}  // namespace aibridge::api
