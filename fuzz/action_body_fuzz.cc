// The body of POST /v1/complaints/{id}/actions (http/action_body.h).
#include <boost/json.hpp>

#include "fuzz/fuzz_target.h"
#include "http/action_body.h"
#include "http/json_body.h"

TOUSU_FUZZ_TARGET(action_body) {
  using namespace tousu;
  namespace json = boost::json;
  auto body = http::ParseObject(std::string(fuzz::AsText(data, size)));
  if (!body.ok()) return 0;
  auto r = http::ParseAction(*body);
  if (!r.ok()) {
    const StatusCode c = r.status().code();
    FUZZ_CHECK(c == StatusCode::kInvalidArgument || c == StatusCode::kUnprocessable, r.status().ToString());
    return 0;
  }
  // What is accepted is what was sent: numbers are not silently narrowed or clamped.
  FUZZ_CHECK(r->extension_days >= 0, "negative extension_days accepted");
  const bool takes_days = r->action == Action::kOffer || r->action == Action::kDecide || r->action == Action::kPay;
  if (auto it = body->find("extension_days"); takes_days && it != body->end() && it->value().is_int64()) {
    FUZZ_CHECK(r->extension_days == it->value().as_int64(),
               "extension_days " + json::serialize(it->value()) + " read as " +
                   std::to_string(r->extension_days));
  }
  if (r->action == Action::kRate) FUZZ_CHECK(r->stars >= 1 && r->stars <= 5, "stars out of range");
  FUZZ_CHECK(r->refund.fen() >= 0 && r->amount.fen() >= 0, "negative money accepted");
  return 0;
}
