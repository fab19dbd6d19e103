// Reading the body of POST /v1/complaints/{id}/actions: the fields each action takes (API.md's
// action table) into a plain ActionRequest. Kept apart from the route so that it can be tested
// and fuzzed on its own (fuzz/action_body_fuzz.cc).
// Thread-safety: a pure function.
#ifndef TOUSU_HTTP_ACTION_BODY_H_
#define TOUSU_HTTP_ACTION_BODY_H_

#include <boost/json/object.hpp>

#include "base/status.h"
#include "domain/lifecycle.h"

namespace tousu::http {

// 422 listing every bad field; 400 (BadField "action") when the action is missing.
StatusOr<ActionRequest> ParseAction(const boost::json::object& body);

}  // namespace tousu::http

#endif  // TOUSU_HTTP_ACTION_BODY_H_
