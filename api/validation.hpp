#pragma once
// Coder's error shape: {"message", "detail"?, "validations"?: [{"field", "detail"}]}.
#include <string>
#include <vector>

namespace aibridge::api {

struct Validation {
  std::string field;
  std::string detail;
  bool operator==(const Validation&) const = default;
};

struct ApiError {
  unsigned status = 400;
  std::string message;
  std::string detail;
  std::vector<Validation> validations;
};

std::string error_body(const ApiError& error);

}  // namespace aibridge::api
