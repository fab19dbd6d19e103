// Whole requests through the real Api (route table, bearer auth, role checks, Content-Type,
// Idempotency-Key, each endpoint's JSON decoder and its service call) over a real store: the
// server minus the socket (http/server.cc hands Api::Serve exactly such a Request).
//
// Input: byte 0 picks the caller (none, admin, platform, consumer, merchant, agent, risk,
// arbitrator); then "METHOD TARGET", header lines "name: value", an empty line, and the body.
// "@cmp" in the target stands for the id of the world's complaint, "@evd" for the id of its
// evidence.
#include <cctype>
#include <cstring>

#include "fuzz/fuzz_target.h"
#include "fuzz/fuzz_world.h"

TOUSU_FUZZ_TARGET(api_request) {
  using namespace tousu;
  if (size < 1) return 0;
  auto& world = fuzz::FuzzWorld::Get();
  const Role caller = fuzz::CallerOf(data[0]);
  std::string_view rest = fuzz::AsText(data + 1, size - 1);

  http::Request req;
  const std::string_view first = fuzz::TakeLine(rest);
  const size_t sp = first.find(' ');
  if (sp == std::string_view::npos || sp == 0) return 0;
  req.method = std::string(first.substr(0, sp));
  // Beast's parser admits only RFC 9110 token characters in a method; nothing else reaches Api.
  for (char c : req.method) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && !std::strchr("!#$%&'*+-.^_`|~", c)) return 0;
  }
  req.target = std::string(first.substr(sp + 1));
  for (size_t at; (at = req.target.find("@cmp")) != std::string::npos;) {
    req.target.replace(at, 4, world.complaint_id());
  }
  for (size_t at; (at = req.target.find("@evd")) != std::string::npos;) {
    req.target.replace(at, 4, world.evidence_id());
  }
  for (std::string_view h; !(h = fuzz::TakeLine(rest)).empty();) {
    const size_t colon = h.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(h.substr(0, colon));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.headers[name] = std::string(value);
  }
  req.body = std::string(rest);
  if (!req.body.empty() && !req.headers.count("content-type")) req.headers["content-type"] = "application/json";
  if (caller != Role::kPublic && !req.headers.count("authorization")) {
    req.headers["authorization"] = "Bearer " + world.Token(caller);
  }
  req.request_id = "fuzz";
  req.remote = "127.0.0.1";
  if (!fuzz::SplitTarget(req)) return 0;  // the server answers 400 before the Api sees it

  // Never a 500 for anything a client sent (API.md), and every error is a problem+json.
  fuzz::CheckAnswer(world.Serve(std::move(req)));
  return 0;
}
