#include "http/handler_util.h"

#include <boost/json.hpp>
#include <charconv>

#include "base/encoding.h"

namespace tousu::http {

namespace json = boost::json;

Response JsonResponse(int status, const json::object& body) {
  Response r;
  r.status = status;
  r.body = json::serialize(body);
  return r;
}

StatusOr<int> LimitParam(const Request& req) {
  auto it = req.query.find("limit");
  if (it == req.query.end() || it->second.empty()) return 50;
  int v = 0;
  const auto& s = it->second;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1 || v > 200) {
    return Status::InvalidArgument("limit must be a whole number from 1 to 200")
        .WithField("limit", "must be 1 to 200");
  }
  return v;
}

std::string EncodeCursor(const std::string& key) { return Base64UrlEncode("v1:" + key); }

StatusOr<std::string> DecodeCursor(const std::string& cursor) {
  auto raw = Base64UrlDecode(cursor);
  if (!raw || raw->rfind("v1:", 0) != 0 || raw->size() > 300) {
    return Status::InvalidArgument("cursor is not one this server gave out")
        .WithField("cursor", "is malformed; pass next_cursor from the previous page unchanged");
  }
  return raw->substr(3);
}

json::object Page(json::array items, const std::string& next_key) {
  return json::object{{"items", std::move(items)},
                      {"next_cursor", next_key.empty() ? json::value(nullptr)
                                                       : json::value(EncodeCursor(next_key))}};
}

}  // namespace tousu::http
