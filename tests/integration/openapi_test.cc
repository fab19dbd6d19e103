// docs/openapi.json is the machine-readable contract: it must list exactly the server's routes
// with the roles the server enforces, and document every field the server sends.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "tests/integration/evidence_client.h"
#include "tests/integration/harness.h"

namespace tousu::testing {
namespace {

namespace json = boost::json;

json::object LoadSpec() {
  std::ifstream in(std::string(TOUSU_SOURCE_DIR) + "/docs/openapi.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str()).as_object();
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(OpenApi, ListsExactlyTheServersRoutesAndRoles) {
  json::object spec = LoadSpec();
  EXPECT_EQ(std::string(spec.at("openapi").as_string()).substr(0, 2), "3.");
  const json::object& paths = spec.at("paths").as_object();
  std::set<std::pair<std::string, std::string>> routes;
  for (const auto& r : ServerRoutes()) {
    routes.insert({Lower(r.method), r.pattern});
    auto p = paths.find(r.pattern);
    ASSERT_NE(p, paths.end()) << r.pattern << " is not in docs/openapi.json";
    auto op = p->value().as_object().find(Lower(r.method));
    ASSERT_NE(op, p->value().as_object().end()) << r.method << " " << r.pattern << " is not in docs/openapi.json";
    std::set<std::string> documented;
    for (const auto& role : op->value().at("x-roles").as_array()) documented.emplace(role.as_string());
    std::set<std::string> enforced;
    for (Role role : r.roles) enforced.emplace(ToString(role));
    EXPECT_EQ(documented, enforced) << r.method << " " << r.pattern;
  }
  for (const auto& [path, ops] : paths) {
    for (const auto& [method, op] : ops.as_object()) {
      EXPECT_TRUE(routes.count({std::string(method), std::string(path)}))
          << method << " " << path << " is documented but the server has no such route";
    }
  }
}

// The properties and required keys of a schema, following allOf references.
void Collect(const json::object& spec, const json::object& s, std::set<std::string>* props,
             std::set<std::string>* required) {
  if (s.if_contains("$ref")) {
    std::string ref(s.at("$ref").as_string());
    Collect(spec, spec.at("components").at("schemas").at(ref.substr(ref.rfind('/') + 1)).as_object(), props, required);
  }
  if (s.if_contains("allOf")) {
    for (const auto& part : s.at("allOf").as_array()) Collect(spec, part.as_object(), props, required);
  }
  if (s.if_contains("properties")) {
    for (const auto& [k, v] : s.at("properties").as_object()) props->emplace(k);
  }
  if (s.if_contains("required")) {
    for (const auto& k : s.at("required").as_array()) required->emplace(k.as_string());
  }
}

// Every key the server sends in `object` is a documented property of `schema`, and every
// required property is sent.
void ExpectDocumented(const json::object& spec, const std::string& schema, const json::value& object) {
  std::set<std::string> props, required;
  Collect(spec, spec.at("components").at("schemas").at(schema).as_object(), &props, &required);
  ASSERT_TRUE(object.is_object()) << schema;
  for (const auto& [key, value] : object.as_object()) {
    EXPECT_TRUE(props.count(key)) << schema << "." << key << " is sent but not documented";
  }
  for (const auto& key : required) {
    EXPECT_TRUE(object.as_object().contains(key)) << schema << "." << key << " is required but not sent";
  }
}

TEST(OpenApi, DocumentsEveryFieldTheServerSends) {
  json::object spec = LoadSpec();
  TempDir dir;
  Server server(dir.path() + "/data");
  World world(server);
  world.AddOrder("OA-1", 1000, "membership");
  HttpResult c = world.File("OA-1", "disconnected", "2029-12-31T22:00:00Z",
                            json::array{json::object{{"kind", "extend"}, {"days", 1}}});
  ASSERT_EQ(c.status, 201) << c.body;
  const std::string id = c.Str("id");
  world.Act("merchant", id, {{"action", "offer"}, {"extension_days", 1}, {"message", "补偿"}});
  server.Call("POST", "/v1/complaints/" + id + "/messages", world.tokens["consumer"], json::object{{"text", "hi"}});
  server.Call("POST", "/v1/incidents", world.platform_key,
              json::object{{"kind", "outage"}, {"starts_at", "2029-12-31T21:00:00Z"},
                           {"ends_at", "2029-12-31T23:00:00Z"}, {"description", "down"}});

  ExpectDocumented(spec, "Complaint", world.Get("consumer", "/v1/complaints/" + id).json);
  ExpectDocumented(spec, "Assessment", world.Get("consumer", "/v1/complaints/" + id + "/assessment").json);
  const HttpResult timeline = world.Get("consumer", "/v1/complaints/" + id + "/timeline");
  for (const auto& e : timeline.obj().at("items").as_array()) ExpectDocumented(spec, "Event", e);
  const HttpResult messages = world.Get("consumer", "/v1/complaints/" + id + "/messages");
  for (const auto& m : messages.obj().at("items").as_array()) ExpectDocumented(spec, "Message", m);
  ExpectDocumented(spec, "Order", world.Get("consumer", "/v1/orders/OA-1").json);
  ExpectDocumented(spec, "Merchant", world.Get("agent", "/v1/merchants/m1").json);
  ExpectDocumented(spec, "User", world.Get("agent", "/v1/users/alice").json);
  const HttpResult incidents = world.Get("agent", "/v1/incidents");
  ExpectDocumented(spec, "Incident", incidents.obj().at("items").as_array().at(0));
  ExpectDocumented(spec, "Me", world.Get("merchant", "/v1/me").json);
  ExpectDocumented(spec, "Platform", server.Call("GET", "/v1/platforms/shop", server.admin_token()).json);
  HttpResult login = server.Call("POST", "/v1/auth/login", "",
                                 json::object{{"platform", "shop"}, {"user", "alice"}, {"password", "password-123"}});
  ExpectDocumented(spec, "Session", login.json);
  ExpectDocumented(spec, "Problem", world.Get("consumer", "/v1/complaints/nope").json);
  ExpectDocumented(spec, "CreatedPlatform",
                   server.Call("POST", "/v1/platforms", server.admin_token(), json::object{{"name", "x"}}).json);
  HttpResult evidence = Upload(server, world.tokens["consumer"], id, "screenshot", "kind=incident", "text/plain");
  ExpectDocumented(spec, "Evidence", evidence.json);
  ExpectDocumented(spec, "Evidence", world.Get("agent", "/v1/evidence/" + evidence.Str("id")).json);
  ExpectDocumented(spec, "Proof", world.Get("consumer", "/v1/evidence/" + evidence.Str("id") + "/proof").json);
  ExpectDocumented(spec, "Proof", world.Get("merchant", "/v1/complaints/" + id + "/events/1/proof").json);
  ExpectDocumented(spec, "Proof", server.Call("GET", "/v1/log/inclusion?index=0").json);
  ExpectDocumented(spec, "Consistency", server.Call("GET", "/v1/log/consistency?first=1&second=2").json);
}

}  // namespace
}  // namespace tousu::testing
