#pragma once
// The mock provider (tests/mock/mock_upstream.cpp) started for a test.
#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "core/net.hpp"
#include "tests/support/process.hpp"

namespace aibridge::testing {

class MockUpstream {
 public:
  explicit MockUpstream(const std::vector<std::string>& extra_args = {});
  unsigned short port() const { return port_; }
  std::string url(const std::string& path = "") const;
  /// GET /__mock/stats: connections, open, requests, peer_closed, last_request.
  boost::json::object stats() const;
  /// Polls stats() until `key` reaches at least `value`; returns the last value seen.
  long wait_for(const std::string& key, long value,
                std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

 private:
  std::unique_ptr<Process> process_;
  unsigned short port_ = 0;
  bool tls_ = false;
};

/// The mock MCP server (tests/mock/mock_mcp.cpp) started for a test.
class MockMcp {
 public:
  explicit MockMcp(const std::vector<std::string>& extra_args = {});
  /// The endpoint to configure: http://127.0.0.1:<port>/mcp.
  std::string url() const;
  /// GET /__mcp/stats: calls ({name, arguments}), methods, initialized.
  boost::json::object stats() const;

 private:
  std::unique_ptr<Process> process_;
  unsigned short port_ = 0;
};

/// A port on 127.0.0.1 that refuses connections for as long as this object lives: bound but
/// never listening, so no other test can take it in the meantime.
class RefusingPort {
 public:
  RefusingPort();
  std::string url(const std::string& path = "") const;

 private:
  net::io_context io_;
  tcp::socket socket_;
  unsigned short port_ = 0;
};

}  // namespace aibridge::testing
