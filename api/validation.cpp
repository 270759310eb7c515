#include "api/validation.hpp"

#include <boost/json.hpp>

namespace aibridge::api {

std::string error_body(const ApiError& error) {
  boost::json::object body{{"message", error.message}};
  if (!error.detail.empty()) {
    body["detail"] = error.detail;
  }
  if (!error.validations.empty()) {
    boost::json::array validations;
    for (const Validation& validation : error.validations) {
      validations.push_back(
          boost::json::object{{"field", validation.field}, {"detail", validation.detail}});
    }
    body["validations"] = std::move(validations);
  }
  return boost::json::serialize(body);
}

}  // namespace aibridge::api
