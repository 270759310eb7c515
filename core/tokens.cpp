#include "core/tokens.hpp"

#include <array>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace aibridge::core {
namespace {

constexpr std::string_view kAlphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool is_alphanumeric(std::string_view text) {
  for (char c : text) {
    if (kAlphabet.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::string random_alphanumeric(std::size_t length) {
  // Rejection sampling keeps the distribution uniform: 248 = 4 * 62 is the largest multiple of 62
  // that fits in a byte.
  constexpr unsigned kLimit = 248;
  std::string out;
  out.reserve(length);
  std::array<unsigned char, 64> pool{};
  while (out.size() < length) {
    if (RAND_bytes(pool.data(), static_cast<int>(pool.size())) != 1) {
      throw std::runtime_error("OpenSSL RAND_bytes failed");
    }
    for (unsigned char byte : pool) {
      if (byte < kLimit && out.size() < length) {
        out += kAlphabet[byte % kAlphabet.size()];
      }
    }
  }
  return out;
}

}  // namespace

GeneratedToken generate_token() {
  return {random_alphanumeric(kTokenIdLength), random_alphanumeric(kTokenSecretLength)};
}

bool is_token_id(std::string_view text) {
  return text.size() == kTokenIdLength && is_alphanumeric(text);
}

std::optional<TokenParts> split_token(std::string_view text) {
  if (text.size() != kTokenIdLength + 1 + kTokenSecretLength || text[kTokenIdLength] != '-') {
    return std::nullopt;
  }
  TokenParts parts{text.substr(0, kTokenIdLength), text.substr(kTokenIdLength + 1)};
  if (!is_alphanumeric(parts.id) || !is_alphanumeric(parts.secret)) {
    return std::nullopt;
  }
  return parts;
}

std::string hash_secret(std::string_view secret) {
  // Fetched once: OpenSSL 3 would otherwise look the algorithm up (and allocate) on every call.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  std::string digest(32, '\0');
  unsigned int length = 0;
  if (kSha256 == nullptr ||
      EVP_Digest(secret.data(), secret.size(), reinterpret_cast<unsigned char*>(digest.data()),
                 &length, kSha256, nullptr) != 1 ||
      length != digest.size()) {
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
  return digest;
}

bool secret_matches(std::string_view secret, std::string_view stored_hash) {
  const std::string digest = hash_secret(secret);
  if (stored_hash.size() != digest.size()) {
    return false;
  }
  return CRYPTO_memcmp(digest.data(), stored_hash.data(), digest.size()) == 0;
}

}  // namespace aibridge::core
