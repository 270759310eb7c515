#include "proxy/headers.hpp"

#include <gtest/gtest.h>

#include "proxy/upstream/origin.hpp"

namespace aibridge::proxy {
namespace {

namespace http = boost::beast::http;

TEST(PrepareUpstreamHeaders, KeepsClientHeadersAndSwapsCredentials) {
  http::fields headers;
  headers.insert("Host", "gateway:8080");
  headers.insert("Authorization", "Bearer client-token");
  headers.insert("X-Api-Key", "client-token");
  headers.insert("Coder-Session-Token", "client-token");
  headers.insert("Cookie", "coder_session_token=client-token");
  headers.insert("Connection", "keep-alive, X-Private");
  headers.insert("X-Private", "hop");
  headers.insert("Keep-Alive", "timeout=5");
  headers.insert("Transfer-Encoding", "chunked");
  headers.insert("Content-Length", "10");
  headers.insert("Accept-Encoding", "gzip");
  headers.insert("Expect", "100-continue");
  headers.insert("Proxy-Authorization", "Basic x");
  headers.insert("anthropic-version", "2023-06-01");
  headers.insert("anthropic-beta", "a,b");
  headers.insert("User-Agent", "claude-cli/2.0");
  headers.insert("OpenAI-Organization", "org-1");
  headers.insert("X-Custom", "1");
  const Origin origin = *parse_origin("https://api.anthropic.com");
  prepare_upstream_headers(headers, origin, Provider::kAnthropic, "sk-ant-key");

  EXPECT_EQ(headers["Host"], "api.anthropic.com");
  EXPECT_EQ(headers["X-Api-Key"], "sk-ant-key");
  EXPECT_EQ(headers["Accept-Encoding"], "identity");
  for (const char* kept :
       {"anthropic-version", "anthropic-beta", "User-Agent", "OpenAI-Organization", "X-Custom"}) {
    EXPECT_EQ(headers.count(kept), 1U) << kept;
  }
  for (const char* dropped :
       {"Authorization", "Coder-Session-Token", "Cookie", "Connection", "X-Private", "Keep-Alive",
        "Transfer-Encoding", "Content-Length", "Expect", "Proxy-Authorization"}) {
    EXPECT_EQ(headers.count(dropped), 0U) << dropped;
  }
  EXPECT_EQ(headers.count("X-Api-Key"), 1U);
}

TEST(PrepareUpstreamHeaders, OpenAiGetsABearerKey) {
  http::fields headers;
  headers.insert("X-Api-Key", "client-token");
  prepare_upstream_headers(headers, *parse_origin("http://127.0.0.1:9000/v1"), Provider::kOpenAi,
                           "sk-openai");
  EXPECT_EQ(headers["Authorization"], "Bearer sk-openai");
  EXPECT_EQ(headers.count("X-Api-Key"), 0U);
  EXPECT_EQ(headers["Host"], "127.0.0.1:9000");
}

TEST(CopyResponseHeaders, DropsFramingAndHopByHop) {
  http::fields upstream;
  upstream.insert("Content-Type", "text/event-stream");
  upstream.insert("Content-Length", "12");
  upstream.insert("Transfer-Encoding", "chunked");
  upstream.insert("Connection", "close, X-Hop");
  upstream.insert("X-Hop", "1");
  upstream.insert("anthropic-ratelimit-requests-remaining", "99");
  upstream.insert("Set-Cookie", "a=b");
  upstream.insert("Set-Cookie", "c=d");
  http::fields client;
  copy_response_headers(upstream, client);
  EXPECT_EQ(client["Content-Type"], "text/event-stream");
  EXPECT_EQ(client["anthropic-ratelimit-requests-remaining"], "99");
  EXPECT_EQ(client.count("Set-Cookie"), 2U);
  for (const char* dropped : {"Content-Length", "Transfer-Encoding", "Connection", "X-Hop"}) {
    EXPECT_EQ(client.count(dropped), 0U) << dropped;
  }
}

TEST(ParseOrigin, SplitsBaseUrls) {
  const Origin openai = *parse_origin("https://api.openai.com/v1");
  EXPECT_TRUE(openai.tls);
  EXPECT_EQ(openai.host, "api.openai.com");
  EXPECT_EQ(openai.port, "443");
  EXPECT_EQ(openai.path_prefix, "/v1");
  EXPECT_EQ(openai.target("/models?x=1"), "/v1/models?x=1");
  EXPECT_FALSE(openai.host_is_ip);

  const Origin local = *parse_origin("http://127.0.0.1:8081/api/");
  EXPECT_FALSE(local.tls);
  EXPECT_EQ(local.port, "8081");
  EXPECT_EQ(local.host_header, "127.0.0.1:8081");
  EXPECT_EQ(local.path_prefix, "/api");
  EXPECT_TRUE(local.host_is_ip);

  const Origin v6 = *parse_origin("http://[::1]:9000");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.host_header, "[::1]:9000");
  EXPECT_EQ(v6.path_prefix, "");
  EXPECT_EQ(parse_origin("https://[::1]")->port, "443");

  for (const char* bad :
       {"", "ftp://x", "http://", "http://:80", "http://host:", "http://host:x", "http://user@host",
        "http://host/a?b", "http://[::1", "http://host:123456"}) {
    EXPECT_FALSE(parse_origin(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace aibridge::proxy

#include "proxy/request_dump.hpp"

namespace aibridge::proxy {
namespace {

TEST(SafePathComponent, KeepsDumpsInsideTheirDirectory) {
  EXPECT_EQ(safe_path_component("gpt-4.1"), "gpt-4.1");
  EXPECT_EQ(safe_path_component("org/model"), "org-model");
  EXPECT_EQ(safe_path_component("../../etc"), "..-..-etc");
  EXPECT_EQ(safe_path_component(".."), "unknown");
  EXPECT_EQ(safe_path_component(""), "unknown");
  EXPECT_EQ(safe_path_component("a b\n\xc3\xa9"), "a-b---");
}

}  // namespace
}  // namespace aibridge::proxy
