// The API's JSON shapes of tousu's objects (API.md). One function per object; handlers call
// these and nothing else builds response JSON for them. Secrets (password hashes, token hashes)
// have no field here and so can never leave the server.
#ifndef TOUSU_HTTP_VIEWS_H_
#define TOUSU_HTTP_VIEWS_H_

#include <boost/json/object.hpp>

#include "domain/lifecycle.h"
#include "domain/model.h"
#include "domain/principal.h"
#include "store/store.h"

namespace tousu::http {

boost::json::object PlatformView(const Platform& p);
boost::json::object MerchantView(const Merchant& m);
boost::json::object UserView(const User& u);
boost::json::object OrderView(const Order& o);
boost::json::object IncidentView(const Incident& i);
// `viewer` decides allowed_actions and what staff-only fields are shown; it is all the view
// reads of the caller, so every caller with the same Viewer sees the same view. `now` enters
// only through allowed_actions: the view stays the same until ActionsStableUntil(c, now).
boost::json::object ComplaintView(const Complaint& c, Viewer viewer, Instant now);
// The same view as response text, with the stored assessment copied in as it is (it is JSON the
// server wrote) instead of parsed and serialized again: the faster form for single complaints.
std::string ComplaintBody(const Complaint& c, Viewer viewer, Instant now);
inline boost::json::object ComplaintView(const Complaint& c, const Principal& viewer, Instant now) {
  return ComplaintView(c, Viewer::Of(c, viewer), now);
}
inline std::string ComplaintBody(const Complaint& c, const Principal& viewer, Instant now) {
  return ComplaintBody(c, Viewer::Of(c, viewer), now);
}
boost::json::object EventView(const EventRecord& e);
boost::json::object MessageView(const MessageRecord& m);
// An evidence record for the complaint's parties and staff (who alone may see it).
boost::json::object EvidenceView(const EvidenceRecord& r);

std::string Serialize(const boost::json::object& o);

}  // namespace tousu::http

#endif  // TOUSU_HTTP_VIEWS_H_
