#include "recorder/records.hpp"

namespace aibridge::recorder {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kOwner:
      return "owner";
    case Role::kAuditor:
      return "auditor";
    case Role::kMember:
      return "member";
  }
  return "member";
}

std::optional<Role> parse_role(std::string_view name) {
  if (name == "owner") {
    return Role::kOwner;
  }
  if (name == "auditor") {
    return Role::kAuditor;
  }
  if (name == "member") {
    return Role::kMember;
  }
  return std::nullopt;
}

}  // namespace aibridge::recorder
