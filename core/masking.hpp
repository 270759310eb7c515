#pragma once
// Redaction of secrets for request dumps and logs: keep a few characters at each end so an
// operator can tell keys apart without being able to use them.
#include <string>
#include <string_view>

namespace aibridge::core {

/// "" → ""; otherwise reveals r code points at each end (r = 4 from 20 code points, 2 from 10,
/// 1 from 5, else 0) around "...", and only "..." when that would reveal everything.
/// Example: "sk-ant-api03-abcdefgh" → "sk-a...efgh".
std::string mask_secret(std::string_view secret);

/// A secret header's value masked: an Authorization-style "<scheme> <credentials>" keeps its
/// scheme and masks the credentials ("Bearer sk-proj-abcdefghijklmnopqrstuvwxyz" →
/// "Bearer sk-p...wxyz"); any other value is masked whole.
std::string mask_header_value(std::string_view name, std::string_view value);

/// Header names (any case) whose values carry credentials: Authorization, X-Api-Key, Api-Key,
/// X-Auth-Token, Cookie, Set-Cookie, Proxy-Authorization, Coder-Session-Token, …
bool is_secret_header(std::string_view name);

}  // namespace aibridge::core
