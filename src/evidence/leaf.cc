#include "evidence/leaf.h"

#include <boost/json.hpp>

#include "base/crypto.h"
#include "evidence/canonical_json.h"

namespace tousu::evidence {

namespace json = boost::json;

namespace {

json::value OptTime(const std::optional<Instant>& t) {
  return t ? json::value(FormatRfc3339(*t)) : json::value(nullptr);
}

// The role an event's actor acted in: a user's role, else "system", "platform" or "admin".
std::string ActorRole(const Actor& a) {
  return a.kind == "user" ? std::string(ToString(a.role)) : a.kind;
}

StatusOr<LeafBytes> Encode(json::object leaf, const json::object& content) {
  LeafBytes out;
  TOUSU_ASSIGN_OR_RETURN(out.content, CanonicalJson(content));
  leaf["content_sha256"] = Sha256Hex(out.content);
  TOUSU_ASSIGN_OR_RETURN(out.leaf, CanonicalJson(leaf));
  return out;
}

}  // namespace

StatusOr<LeafBytes> EventLeaf(const EventRecord& e) {
  boost::system::error_code ec;
  json::value data = json::parse(e.data_json, ec);
  if (ec) return Status::InvalidArgument("event data is not JSON: " + ec.message());
  return EventLeaf(e, data);
}

// Written member by member in canonical order (the names sorted by their bytes) rather than
// built as objects and sorted: every event of every filing is encoded on the store's single
// writer thread. The bytes are those of Encode over the same members (tested against it).
StatusOr<LeafBytes> EventLeaf(const EventRecord& e, const json::value& data) {
  LeafBytes out;
  std::string& c = out.content;
  c += "{\"actor_kind\":";
  TOUSU_RETURN_IF_ERROR(AppendCanonicalString(e.actor.kind, c));
  c += ",\"actor_ref\":";
  TOUSU_RETURN_IF_ERROR(AppendCanonicalString(e.actor.ref, c));
  c += ",\"data\":";
  TOUSU_RETURN_IF_ERROR(AppendCanonicalJson(data, c));
  c += ",\"v\":" + std::to_string(kLeafVersion) + "}";

  std::string& l = out.leaf;
  l.reserve(512);
  auto member = [&](const char* name, std::string_view value) -> Status {
    l += name;
    return AppendCanonicalString(value, l);
  };
  TOUSU_RETURN_IF_ERROR(member("{\"actor_role\":", ActorRole(e.actor)));
  TOUSU_RETURN_IF_ERROR(member(",\"at\":", FormatRfc3339(e.at)));
  TOUSU_RETURN_IF_ERROR(member(",\"complaint\":", e.complaint_id));
  TOUSU_RETURN_IF_ERROR(member(",\"content_sha256\":", Sha256Hex(c)));
  TOUSU_RETURN_IF_ERROR(member(",\"event\":", e.type));
  TOUSU_RETURN_IF_ERROR(member(",\"from\":", ToString(e.from)));
  TOUSU_RETURN_IF_ERROR(member(",\"leaf\":", "event"));
  TOUSU_RETURN_IF_ERROR(member(",\"platform\":", e.platform_id));
  TOUSU_RETURN_IF_ERROR(member(",\"recorded_at\":", FormatRfc3339(e.recorded_at)));
  l += ",\"seq\":" + std::to_string(e.seq);
  TOUSU_RETURN_IF_ERROR(member(",\"to\":", ToString(e.to)));
  l += ",\"v\":" + std::to_string(kLeafVersion) + "}";
  return out;
}

StatusOr<LeafBytes> EventLeafFromObjects(const EventRecord& e, const json::value& data) {
  const json::object content{{"v", kLeafVersion},
                             {"actor_kind", e.actor.kind},
                             {"actor_ref", e.actor.ref},
                             {"data", data}};
  json::object leaf{{"v", kLeafVersion},
                    {"leaf", "event"},
                    {"platform", e.platform_id},
                    {"complaint", e.complaint_id},
                    {"seq", e.seq},
                    {"event", e.type},
                    {"from", ToString(e.from)},
                    {"to", ToString(e.to)},
                    {"actor_role", ActorRole(e.actor)},
                    {"at", FormatRfc3339(e.at)},
                    {"recorded_at", FormatRfc3339(e.recorded_at)}};
  return Encode(std::move(leaf), content);
}

StatusOr<LeafBytes> EvidenceLeaf(const EvidenceRecord& r) {
  const json::object content{
      {"v", kLeafVersion},
      {"uploader_ref", r.uploader_ref},
      {"filename", r.filename},
      {"declared_media_type", r.declared_media_type},
      {"declared_order_no", r.declared_order_no},
      {"declared_amount_fen", r.declared_amount ? json::value(r.declared_amount->fen()) : json::value(nullptr)}};
  json::object leaf{{"v", kLeafVersion},
                    {"leaf", "evidence"},
                    {"platform", r.platform_id},
                    {"complaint", r.complaint_id},
                    {"evidence", r.id},
                    {"kind", ToString(r.kind)},
                    {"uploader_role", ToString(r.uploader_role)},
                    {"sha256", r.sha256_hex},
                    {"size", r.size},
                    {"media_type", r.media_type},
                    {"captured_at", OptTime(r.captured_at)},
                    {"received_at", FormatRfc3339(r.received_at)}};
  return Encode(std::move(leaf), content);
}

StatusOr<LeafFacts> ParseLeaf(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Status::InvalidArgument("the leaf is not a JSON object");
  const json::object& o = v.as_object();
  auto str = [&](std::string_view key) -> std::string {
    const json::value* f = o.if_contains(key);
    return f && f->is_string() ? std::string(f->as_string()) : "";
  };
  auto num = [&](std::string_view key) -> int64_t {
    const json::value* f = o.if_contains(key);
    return f && f->is_int64() ? f->as_int64() : -1;
  };
  if (num("v") != kLeafVersion) return Status::InvalidArgument("the leaf is not a version-1 tousu leaf");
  LeafFacts facts;
  facts.type = str("leaf");
  facts.platform = str("platform");
  facts.complaint = str("complaint");
  facts.content_sha256 = str("content_sha256");
  if (facts.content_sha256.size() != 64 || facts.platform.empty() || facts.complaint.empty()) {
    return Status::InvalidArgument("the leaf lacks its platform, complaint or content hash");
  }
  if (facts.type == "event") {
    facts.seq = num("seq");
    if (facts.seq < 1) return Status::InvalidArgument("the event leaf has no sequence number");
  } else if (facts.type == "evidence") {
    facts.evidence_id = str("evidence");
    facts.file_sha256 = str("sha256");
    facts.file_size = num("size");
    if (facts.evidence_id.empty() || facts.file_sha256.size() != 64 || facts.file_size < 0) {
      return Status::InvalidArgument("the evidence leaf lacks its id, file hash or size");
    }
  } else {
    return Status::InvalidArgument("unknown leaf type '" + facts.type + "'");
  }
  return facts;
}

}  // namespace tousu::evidence
