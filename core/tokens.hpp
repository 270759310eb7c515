#pragma once
// API tokens: "<10 id chars>-<22 secret chars>", alphanumeric. The id is stored in clear and
// identifies the token; only the SHA-256 of the secret is stored.
#include <optional>
#include <string>
#include <string_view>

namespace aibridge::core {

inline constexpr std::size_t kTokenIdLength = 10;
inline constexpr std::size_t kTokenSecretLength = 22;

struct TokenParts {
  std::string_view id;
  std::string_view secret;
};

struct GeneratedToken {
  std::string id;
  std::string secret;
  std::string text() const { return id + "-" + secret; }
};

/// Fresh id and secret from the OpenSSL CSPRNG (uniform over [0-9A-Za-z]).
GeneratedToken generate_token();

/// Whether `text` has the shape of a token's id (kTokenIdLength letters and digits).
bool is_token_id(std::string_view text);

/// Splits "<id>-<secret>"; nullopt when the shape or alphabet is wrong.
std::optional<TokenParts> split_token(std::string_view text);

/// SHA-256 of the secret, 32 raw bytes.
std::string hash_secret(std::string_view secret);

/// Constant-time comparison of hash_secret(secret) with a stored hash.
bool secret_matches(std::string_view secret, std::string_view stored_hash);

}  // namespace aibridge::core
