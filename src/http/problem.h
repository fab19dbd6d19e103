// RFC 9457 problem details: the one place where a Status becomes an HTTP error answer.
// Internal and unavailable errors show a generic text; their detail goes to the log only.
#ifndef TOUSU_HTTP_PROBLEM_H_
#define TOUSU_HTTP_PROBLEM_H_

#include "base/status.h"
#include "http/message.h"

namespace tousu::http {

int HttpStatusOf(StatusCode code);
Response Problem(const Status& status, const std::string& request_id);

// A successful JSON answer.
Response Json(int status, std::string body);
// The same, its body rendered late (Response::render).
Response LateJson(int status, std::function<std::string()> render);

}  // namespace tousu::http

#endif  // TOUSU_HTTP_PROBLEM_H_
