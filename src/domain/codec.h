// JSON forms of the domain's nested values (demands, offers, decisions, remedies, deadlines).
// One spelling serves the API and the store's JSON columns; both read them back with the
// From* functions, which reject anything malformed instead of guessing.
// Thread-safety: pure functions.
#ifndef TOUSU_DOMAIN_CODEC_H_
#define TOUSU_DOMAIN_CODEC_H_

#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <vector>

#include "base/status.h"
#include "domain/model.h"

namespace tousu {

boost::json::value ToJson(const Demand& d);
boost::json::value ToJson(const std::vector<Demand>& ds);
boost::json::value ToJson(const Offer& o);
boost::json::value ToJson(const Decision& d);
boost::json::value ToJson(const Remedy& r);
boost::json::value ToJson(const Rating& r);
// An incident's public fields (id, kind, window, announcement, merchant, description, created_at).
boost::json::object ToJson(const Incident& i);
boost::json::value ToJson(const std::map<DeadlineKind, Instant>& deadlines);

// Parses one demand as the API accepts it; `field` names it in errors ("demands[2]").
StatusOr<Demand> DemandFromJson(const boost::json::value& v, const std::string& field);
StatusOr<std::vector<Demand>> DemandsFromJson(const boost::json::value& v);
StatusOr<Offer> OfferFromJson(const boost::json::value& v);
StatusOr<Decision> DecisionFromJson(const boost::json::value& v);
StatusOr<Remedy> RemedyFromJson(const boost::json::value& v);
StatusOr<Rating> RatingFromJson(const boost::json::value& v);
StatusOr<std::map<DeadlineKind, Instant>> DeadlinesFromJson(const boost::json::value& v);

}  // namespace tousu

#endif  // TOUSU_DOMAIN_CODEC_H_
