// Request bodies (http/json_body.h): ParseObject with its depth limit, then every typed getter
// on every key the object has, the way the handlers read fields.
#include <boost/json.hpp>

#include "fuzz/fuzz_target.h"
#include "domain/types.h"
#include "http/json_body.h"

TOUSU_FUZZ_TARGET(json_body) {
  using namespace tousu;
  auto body = http::ParseObject(std::string(fuzz::AsText(data, size)));
  if (!body.ok()) {
    FUZZ_CHECK(body.status().code() == StatusCode::kInvalidArgument, body.status().ToString());
    return 0;
  }
  http::Fields f(*body);
  for (const auto& kv : *body) {
    const std::string_view key = kv.key();
    (void)f.Str(key, true);
    auto i = f.Int(key, false);
    if (i) FUZZ_CHECK(kv.value().is_int64() && kv.value().as_int64() == *i, "Int changed the value");
    auto fen = f.Fen(key, false);
    if (fen) FUZZ_CHECK(fen->fen() >= 0 && fen->fen() <= (int64_t{1} << 50), "Fen out of range");
    (void)f.Bool(key, false);
    auto t = f.Time(key, false);
    if (t) FUZZ_CHECK(ParseRfc3339(FormatRfc3339(*t)) == t, "Time round trip");
    (void)f.Enum<Category>(key, false);
    (void)f.Enum<Role>(key, false);
  }
  (void)f.Str("absent-key", true);
  FUZZ_CHECK(!f.ok(), "a missing required field must be an error");
  Status s = f.Finish();
  FUZZ_CHECK(s.code() == StatusCode::kUnprocessable, s.ToString());
  return 0;
}
