#include "api/console.hpp"

#include <boost/beast/core/string.hpp>

#include "proxy/credentials.hpp"

namespace aibridge::api {

const ConsoleAsset* console_asset(std::string_view name) {
  if (name.empty()) {
    name = "index.html";
  }
  for (const ConsoleAsset& asset : kConsoleAssets) {
    if (asset.name == name) {
      return &asset;
    }
  }
  return nullptr;
}

bool served_over_tls(const boost::beast::http::fields& headers) {
  const auto found = headers.find("x-forwarded-proto");
  if (found == headers.end()) {
    return false;
  }
  std::string_view value = found->value();
  value = value.substr(0, value.find(','));  // the first proxy's: the one the browser reached
  while (value.starts_with(' ')) {
    value.remove_prefix(1);
  }
  while (value.ends_with(' ')) {
    value.remove_suffix(1);
  }
  return boost::beast::iequals(value, "https");
}

std::string session_cookie(std::string_view token, bool secure) {
  return std::string(secure ? proxy::kSecureConsoleCookie : proxy::kConsoleCookie) + "=" +
         std::string(token) + "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
}

std::string cleared_session_cookie(bool secure) {
  return std::string(secure ? proxy::kSecureConsoleCookie : proxy::kConsoleCookie) +
         "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
}

}  // namespace aibridge::api
