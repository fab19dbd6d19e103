// Small helpers shared by the route files: JSON answers and query-parameter parsing.
#ifndef TOUSU_HTTP_HANDLER_UTIL_H_
#define TOUSU_HTTP_HANDLER_UTIL_H_

#include <boost/json/object.hpp>
#include <string>

#include "base/status.h"
#include "http/message.h"
#include "http/router.h"

namespace tousu::http {

Response JsonResponse(int status, const boost::json::object& body);
inline StatusOr<Outcome> Answer(int status, const boost::json::object& body) {
  return Outcome::Now(JsonResponse(status, body));
}

// ?limit= (1..200, default 50); 400 when not a number in range.
StatusOr<int> LimitParam(const Request& req);
// Opaque list cursors: the last item's key, wrapped so clients do not build them.
std::string EncodeCursor(const std::string& key);
StatusOr<std::string> DecodeCursor(const std::string& cursor);
// {"items": [...], "next_cursor": "..." | null}
boost::json::object Page(boost::json::array items, const std::string& next_key);

}  // namespace tousu::http

#endif  // TOUSU_HTTP_HANDLER_UTIL_H_
