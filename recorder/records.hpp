#pragma once
// Plain data written to and read from the store. Records own their strings; nothing points into
// network buffers, so they can cross threads freely.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"

namespace aibridge::recorder {

using core::UnixMicros;

enum class Role { kOwner, kAuditor, kMember };

std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

/// How an interception ended (SPEC §5.1), decided by what the provider sent (proxy/status.hpp).
enum class Status { kCompleted, kFailed, kCancelled };

std::string_view status_name(Status status);
std::optional<Status> parse_status(std::string_view name);

struct User {
  std::string id;
  std::string username;
  std::string name;
  std::string email;
  std::string avatar_url;
  Role role = Role::kMember;
  UnixMicros created_at = 0;
};

struct ApiToken {
  std::string id;
  std::string user_id;
  std::string secret_hash;  // SHA-256 of the secret, raw bytes
  UnixMicros created_at = 0;
  std::optional<UnixMicros> expires_at;  // nullopt: never
  std::optional<UnixMicros> last_used_at;
  std::optional<UnixMicros> revoked_at;
};

struct TokenWithOwner {
  ApiToken token;
  User owner;
};

struct TokenUsage {
  std::string id;
  std::string provider_response_id;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cache_read_input_tokens = 0;
  std::int64_t cache_write_input_tokens = 0;
  std::string metadata = "{}";  // JSON object
  UnixMicros created_at = 0;
};

struct UserPrompt {
  std::string id;
  std::string provider_response_id;
  std::string prompt;
  std::string metadata = "{}";
  UnixMicros created_at = 0;
};

struct ToolUsage {
  std::string id;
  std::string provider_response_id;
  std::string tool_call_id;
  std::optional<std::string> server_url;
  std::string tool;
  std::string input;
  bool injected = false;
  std::optional<std::string> invocation_error;
  std::string metadata = "{}";
  UnixMicros created_at = 0;
};

struct ModelThought {
  std::string id;
  std::string provider_response_id;
  std::string content;
  std::string metadata = "{}";
  UnixMicros created_at = 0;
};

/// The kinds of children, in the order an interception lists them.
enum class ChildKind : unsigned { kPrompt = 0, kTokenUsage = 1, kToolUsage = 2, kModelThought = 3 };

/// The id of an interception's `index`-th child of `kind`, derived from the interception's own
/// (core::derived_uuid): children need no random ids, and stores may leave them out.
std::string child_id(std::string_view interception_id, ChildKind kind, unsigned index);

/// One bridged request and everything recorded about it, written in one piece when it ends.
struct Interception {
  std::string id;
  std::string initiator_id;
  std::string api_key_id;
  std::string provider;
  std::string model;
  std::string client = "Unknown";  // detected from the request headers (also in metadata)
  Status status = Status::kCompleted;  // also in metadata
  std::string session_id;          // the client's own session id; "" when it sent none
  UnixMicros started_at = 0;
  std::optional<UnixMicros> ended_at;
  std::string metadata = "{}";
  std::vector<UserPrompt> user_prompts;
  std::vector<TokenUsage> token_usages;
  std::vector<ToolUsage> tool_usages;
  std::vector<ModelThought> model_thoughts;
};

}  // namespace aibridge::recorder
