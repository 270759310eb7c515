// Upstream TLS: verified against a test CA, with SNI and a hostname check.
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/gateway.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mock.hpp"

namespace aibridge::testing {
namespace {

// A CA and a server certificate for "localhost" only (no IP address), made with the openssl CLI.
class TestCertificates {
 public:
  TestCertificates() {
    const std::string d = dir_.path();
    std::ofstream(d + "/ext.cnf") << "subjectAltName=DNS:localhost\n";
    const std::vector<std::vector<std::string>> commands = {
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", d + "/ca.key", "-out", d + "/ca.pem", "-days", "2", "-subj",
         "/CN=aibridge test CA"},
        {"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", d + "/server.key", "-out", d + "/server.csr", "-subj", "/CN=localhost"},
        {"openssl", "x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.pem", "-CAkey",
         d + "/ca.key", "-CAcreateserial", "-out", d + "/server.pem", "-days", "2", "-extfile",
         d + "/ext.cnf"},
    };
    for (auto command : commands) {
      command[0] = "/usr/bin/openssl";
      const RunResult result = run(command);
      if (result.status != 0) {
        throw std::runtime_error("openssl failed: " + result.err);
      }
    }
  }
  std::string ca() const { return dir_.path() + "/ca.pem"; }
  std::string cert() const { return dir_.path() + "/server.pem"; }
  std::string key() const { return dir_.path() + "/server.key"; }

 private:
  TempDir dir_;
};

class TlsTest : public ::testing::Test {
 protected:
  TlsTest() : mock_({"--tls-cert", certs_.cert(), "--tls-key", certs_.key()}) {}

  unsigned through_gateway(const std::string& base_url, bool trust_test_ca) {
    std::vector<std::string> args = {"--anthropic-base-url", base_url};
    if (trust_test_ca) {
      args.insert(args.end(), {"--upstream-ca-file", certs_.ca()});
    }
    Gateway gateway(dir_.path(), args);
    const std::string token = gateway.admin_token().empty() ? token_ : gateway.admin_token();
    token_ = token;
    const Response response = request(gateway.port(), http::verb::post, "/anthropic/v1/messages",
                                      {{"Authorization", "Bearer " + token}}, R"({"model":"m"})");
    last_body_ = response.body();
    EXPECT_EQ(gateway.stop(), 0);
    return response.result_int();
  }

  TestCertificates certs_;
  MockUpstream mock_;
  TempDir dir_;
  std::string token_;
  std::string last_body_;
};

TEST_F(TlsTest, VerifiedConnectionToATrustedProvider) {
  EXPECT_EQ(through_gateway("https://localhost:" + std::to_string(mock_.port()), true), 200U);
  EXPECT_NE(last_body_.find("msg_mock_01"), std::string::npos);
}

TEST_F(TlsTest, WrongHostnameIsRefused) {
  // The certificate names "localhost"; 127.0.0.1 is not in it.
  EXPECT_EQ(through_gateway("https://127.0.0.1:" + std::to_string(mock_.port()), true), 502U);
  EXPECT_NE(last_body_.find("TLS"), std::string::npos) << last_body_;
}

TEST_F(TlsTest, UntrustedCertificateIsRefused) {
  EXPECT_EQ(through_gateway("https://localhost:" + std::to_string(mock_.port()), false), 502U);
}

}  // namespace
}  // namespace aibridge::testing
