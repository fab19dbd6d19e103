// Request and Response as handlers see them: plain structs, no Beast types. The server
// (http/server.cc) fills a Request from the wire and writes a Response back.
#ifndef TOUSU_HTTP_MESSAGE_H_
#define TOUSU_HTTP_MESSAGE_H_

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "domain/principal.h"

namespace tousu::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent, e.g. "/v1/complaints?limit=10"
  std::string path;    // the encoded path part of the target
  std::map<std::string, std::string> path_params;  // decoded {name} values of the route
  std::map<std::string, std::string> query;        // decoded; the last of repeated keys wins
  std::map<std::string, std::string> headers;      // lower-case names; only those tousu reads
  std::string body;
  std::string request_id;
  std::string remote;  // peer address
  Principal principal;

  const std::string& Header(const std::string& lower_name) const {
    static const std::string kEmpty;
    auto it = headers.find(lower_name);
    return it == headers.end() ? kEmpty : it->second;
  }
  const std::string& Param(const std::string& name) const {
    static const std::string kEmpty;
    auto it = path_params.find(name);
    return it == path_params.end() ? kEmpty : it->second;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the server streams this file as the body (with its size as Content-Length)
  // instead of `body`. Only paths the server derived itself (a blob's hash), never a request's.
  std::string file_path;
  // When set, makes `body` late: on the connection's thread just before the answer is written,
  // not inside the write transaction, so that the store's single writer thread does not spend
  // itself rendering (unless an idempotency record must keep the body: then in the job). It
  // must own what it reads.
  std::function<std::string()> render;

  // `body`, rendering it first if it is still to be made.
  void RenderBody() {
    if (!render) return;
    body = render();
    render = nullptr;
  }
};

}  // namespace tousu::http

#endif  // TOUSU_HTTP_MESSAGE_H_
