// The domain's nested JSON values (domain/codec.h): demands come from request bodies; offers,
// decisions, remedies, ratings and deadlines are read back from the store's JSON columns.
// Whatever a decoder accepts must encode and decode to the same value.
#include <boost/json.hpp>

#include "domain/codec.h"
#include "fuzz/fuzz_target.h"

namespace {

namespace json = boost::json;

// Decode, encode, decode again: the two decoded values must encode identically.
template <class Decode>
void RoundTrip(const json::value& v, Decode decode, const char* what) {
  auto first = decode(v);
  if (!first.ok()) return;
  const json::value encoded = tousu::ToJson(*first);
  auto second = decode(encoded);
  FUZZ_CHECK(second.ok(), std::string(what) + " does not read its own output: " + json::serialize(encoded));
  FUZZ_CHECK(json::serialize(tousu::ToJson(*second)) == json::serialize(encoded),
             std::string(what) + " round trip changed " + json::serialize(encoded));
}

}  // namespace

TOUSU_FUZZ_TARGET(codec) {
  using namespace tousu;
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 32;
  json::value v = json::parse(fuzz::AsText(data, size), ec, json::storage_ptr(), opts);
  if (ec) return 0;
  RoundTrip(v, [](const json::value& x) { return DemandsFromJson(x); }, "demands");
  RoundTrip(v, [](const json::value& x) { return DemandFromJson(x, "demand"); }, "demand");
  RoundTrip(v, [](const json::value& x) { return OfferFromJson(x); }, "offer");
  RoundTrip(v, [](const json::value& x) { return DecisionFromJson(x); }, "decision");
  RoundTrip(v, [](const json::value& x) { return RemedyFromJson(x); }, "remedy");
  RoundTrip(v, [](const json::value& x) { return RatingFromJson(x); }, "rating");
  RoundTrip(v, [](const json::value& x) { return DeadlinesFromJson(x); }, "deadlines");
  return 0;
}
