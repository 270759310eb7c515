// Which file names belong to an interception's request log (the admin API serves only those).
#include "proxy/request_dump.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace aibridge::proxy {
namespace {

TEST(RequestDumpNames, OnlyTheFilesBridgedWritesForTheInterception) {
  const std::string id = "01a23a9a-15be-77b2-a72a-16619d8f9e1d";
  for (const std::string suffix : {".req.txt", ".resp.txt", ".req_error.txt"}) {
    EXPECT_TRUE(is_dump_of("1764743000123-" + id + suffix, id)) << suffix;
  }
  for (const std::string& name : std::vector<std::string>{
           "-" + id + ".req.txt", "x1-" + id + ".req.txt", "12" + id + ".req.txt",
           "12-" + id + ".req.txt.bak", "12-" + id + ".txt", "12-" + id,
           std::string("12-01a23a9a-15be-77b2-a72a-16619d8f9e1e.req.txt"),
           "12-" + id + "/../x.req.txt", "../12-" + id + ".req.txt", std::string()}) {
    EXPECT_FALSE(is_dump_of(name, id)) << name;
  }
}

}  // namespace
}  // namespace aibridge::proxy
