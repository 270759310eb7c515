#include "tests/support/mock.hpp"

#include <stdexcept>
#include <thread>

#include "tests/support/http_client.hpp"

namespace aibridge::testing {

MockUpstream::MockUpstream(const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {AIBRIDGE_MOCK_BINARY, "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  for (const std::string& arg : extra_args) {
    tls_ = tls_ || arg == "--tls-cert";
  }
  process_ = std::make_unique<Process>(argv);
  const auto line = process_->wait_for_stderr("listening on ", std::chrono::seconds(10));
  if (!line) {
    throw std::runtime_error("mock_upstream did not start:\n" + process_->err());
  }
  port_ = port_from_listen_line(*line);
}

std::string MockUpstream::url(const std::string& path) const {
  return (tls_ ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port_) + path;
}

boost::json::object MockUpstream::stats() const {
  if (tls_) {
    throw std::logic_error("stats() over TLS is not supported");
  }
  const Response response = request(port_, http::verb::get, "/__mock/stats");
  return boost::json::parse(response.body()).as_object();
}

long MockUpstream::wait_for(const std::string& key, long value,
                            std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  long seen = 0;
  do {
    seen = static_cast<long>(stats().at(key).as_int64());
    if (seen >= value) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < deadline);
  return seen;
}

MockMcp::MockMcp(const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {AIBRIDGE_MOCK_MCP_BINARY, "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(argv);
  const auto line = process_->wait_for_stderr("listening on ", std::chrono::seconds(10));
  if (!line) {
    throw std::runtime_error("mock_mcp did not start:\n" + process_->err());
  }
  port_ = port_from_listen_line(*line);
}

std::string MockMcp::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/mcp";
}

boost::json::object MockMcp::stats() const {
  const Response response = request(port_, http::verb::get, "/__mcp/stats");
  return boost::json::parse(response.body()).as_object();
}

RefusingPort::RefusingPort() : socket_(io_) {
  socket_.open(tcp::v4());
  socket_.bind(tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  port_ = socket_.local_endpoint().port();
}

std::string RefusingPort::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

}  // namespace aibridge::testing
