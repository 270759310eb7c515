#include "recorder/records.hpp"

#include "core/ids.hpp"

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

std::string_view status_name(Status status) {
  switch (status) {
    case Status::kCompleted:
      return "completed";
    case Status::kFailed:
      return "failed";
    case Status::kCancelled:
      return "cancelled";
  }
  return "failed";
}

std::optional<Status> parse_status(std::string_view name) {
  for (const Status status : {Status::kCompleted, Status::kFailed, Status::kCancelled}) {
    if (status_name(status) == name) {
      return status;
    }
  }
  return std::nullopt;
}

std::string child_id(std::string_view interception_id, ChildKind kind, unsigned index) {
  return core::DerivedIds(interception_id).make(static_cast<unsigned>(kind), index);
}

}  // namespace aibridge::recorder
