// The console's files and its session cookie (SPEC §10) against the real binary; the pages
// themselves are tested in Chromium (tests/e2e/console_e2e.mjs).
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"

namespace aibridge::testing {
namespace {

namespace json = boost::json;

constexpr const char* kSignIn = "/api/v2/aibridge/console/sign-in";

class Console : public ::testing::Test {
 protected:
  Console() : gateway_(dir_.path()), token_(gateway_.admin_token()) {}
  ~Console() override { EXPECT_EQ(gateway_.stop(), 0); }

  std::string self() const { return "127.0.0.1:" + std::to_string(gateway_.port()); }
  // As the console's own page sends it.
  Response sign_in(const std::string& body, Headers extra = {}) {
    Headers headers{{"Host", self()}, {"Origin", "http://" + self()}, {"X-Aibridge-Csrf", "1"}};
    headers.insert(headers.end(), extra.begin(), extra.end());
    return request(gateway_.port(), http::verb::post, kSignIn, headers, body);
  }

  TempDir dir_;
  Gateway gateway_;
  std::string token_;
};

TEST_F(Console, ItsFilesAreServedWithoutSignInUnderAStrictPolicy) {
  const Response root = request(gateway_.port(), http::verb::get, "/");
  EXPECT_EQ(root.result_int(), 302);
  EXPECT_EQ(root[http::field::location], "/console/");
  for (const auto& [path, type] :
       {std::pair{"/console/", "text/html; charset=utf-8"},
        std::pair{"/console/console.js", "text/javascript; charset=utf-8"},
        std::pair{"/console/console.css", "text/css; charset=utf-8"},
        std::pair{"/console/chart.js", "text/javascript; charset=utf-8"}}) {
    const Response file = request(gateway_.port(), http::verb::get, path);
    EXPECT_EQ(file.result_int(), 200) << path;
    EXPECT_EQ(file[http::field::content_type], type) << path;
    EXPECT_FALSE(file.body().empty()) << path;
    EXPECT_NE(file["Content-Security-Policy"].find("script-src 'self'"), std::string::npos);
    EXPECT_EQ(file["X-Content-Type-Options"], "nosniff");
  }
  EXPECT_NE(
      request(gateway_.port(), http::verb::get, "/console/chart.js").body().find("Chart.js v3"),
      std::string::npos);  // Debian's, embedded
  EXPECT_EQ(request(gateway_.port(), http::verb::get, "/console/nothing.js").result_int(), 404);
  EXPECT_EQ(request(gateway_.port(), http::verb::post, "/console/").result_int(), 405);
}

// A HEAD answer (uptime checks send them) says what GET would send, and sends no body: bytes
// after its head would be read as the next answer on the connection.
TEST_F(Console, HeadAnswersCarryNoBody) {
  Connection connection(gateway_.port());
  const std::size_t page = connection.request(http::verb::get, "/console/").body().size();
  const Response head = connection.request(http::verb::head, "/console/");
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_EQ(head[http::field::content_length], std::to_string(page));
  EXPECT_EQ(connection.request(http::verb::head, "/").result_int(), 302);
  EXPECT_EQ(connection.request(http::verb::head, "/console/missing.js").result_int(), 404);
  EXPECT_EQ(connection.request(http::verb::head, "/api/v2/aibridge/interceptions").result_int(),
            405);
  const Response after = connection.request(http::verb::get, "/console/console.css");
  EXPECT_EQ(after.result_int(), 200);
  EXPECT_EQ(after[http::field::content_type], "text/css; charset=utf-8");
}

TEST_F(Console, SignInSetsAnHttpOnlyStrictCookieThatThenAuthenticates) {
  const Response signed_in = sign_in(json::serialize(json::object{{"token", token_}}));
  ASSERT_EQ(signed_in.result_int(), 200) << signed_in.body();
  EXPECT_EQ(json::parse(signed_in.body()).at("role"), "owner");
  const std::string cookie(signed_in[http::field::set_cookie]);
  EXPECT_EQ(cookie, "aibridge_session=" + token_ + "; Path=/; HttpOnly; SameSite=Strict");
  // Beside a Coder deployment's cookie on the same host, the console's own wins.
  const Response me = request(gateway_.port(), http::verb::get, "/api/v2/aibridge/console/me",
                              {{"Cookie", "coder_session_token=abc; aibridge_session=" + token_}});
  EXPECT_EQ(me.result_int(), 200);
  EXPECT_EQ(json::parse(me.body()).at("username"), "admin");
  // Behind a TLS-terminating proxy the cookie is Secure, and no other host may set it.
  const Response over_tls =
      sign_in(json::serialize(json::object{{"token", token_}}), {{"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(std::string(over_tls[http::field::set_cookie]),
            "__Host-aibridge_session=" + token_ + "; Path=/; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(request(gateway_.port(), http::verb::get, "/api/v2/aibridge/console/me",
                    {{"Cookie", "__Host-aibridge_session=" + token_}})
                .result_int(),
            200);
  const Response out =
      request(gateway_.port(), http::verb::post, "/api/v2/aibridge/console/sign-out", {}, "");
  EXPECT_EQ(out.result_int(), 200);
  EXPECT_EQ(std::string(out[http::field::set_cookie]),
            "aibridge_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

TEST_F(Console, SignInRefusesBadTokensBadBodiesAndOtherSites) {
  const Response wrong = sign_in(R"({"token":"abcdefghij-notthesecretnotthesecret"})");
  EXPECT_EQ(wrong.result_int(), 401);
  EXPECT_EQ(json::parse(wrong.body()).at("message"), "Sign-in failed.");
  EXPECT_TRUE(wrong[http::field::set_cookie].empty());
  for (const char* body : {"", "{", "[]", R"({"token":1})", R"({"token":""})"}) {
    EXPECT_EQ(sign_in(body).result_int(), 400) << body;
  }
  // A page of another site must not sign the browser in (as someone else).
  const Response forged =
      request(gateway_.port(), http::verb::post, kSignIn,
              {{"Host", self()}, {"Origin", "https://evil.example"}, {"X-Aibridge-Csrf", "1"}},
              json::serialize(json::object{{"token", token_}}));
  EXPECT_EQ(forged.result_int(), 403);
  EXPECT_TRUE(forged[http::field::set_cookie].empty());
  EXPECT_EQ(request(gateway_.port(), http::verb::get, "/api/v2/aibridge/console/me").result_int(),
            401);
}

}  // namespace
}  // namespace aibridge::testing
