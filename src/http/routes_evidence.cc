// Evidence: upload (streamed), list, read, download, and inclusion proofs for evidence and for
// complaint events. Only the complaint's parties and staff see evidence (service/evidence.h).
#include <boost/json.hpp>

#include "evidence/leaf.h"
#include "evidence/media_type.h"
#include "http/api.h"
#include "http/evidence_upload.h"
#include "http/handler_util.h"
#include "http/proof_answer.h"
#include "http/views.h"

namespace tousu::http {

namespace json = boost::json;

namespace {

// Evidence is for people: the consumer, the shop's staff and the platform's staff.
const std::set<Role> kPeople{Role::kConsumer, Role::kMerchant, Role::kAgent, Role::kRisk,
                             Role::kArbitrator};
const std::set<Role> kParties{Role::kConsumer, Role::kMerchant, Role::kAgent, Role::kRisk,
                              Role::kArbitrator, Role::kPlatform};

// RFC 6266 / RFC 8187: an ASCII fallback and the exact UTF-8 name.
std::string ContentDisposition(const EvidenceRecord& r) {
  const std::string name = r.filename.empty() ? r.id : r.filename;
  std::string ascii;
  std::string encoded;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : name) {
    ascii += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? static_cast<char>(c) : '_';
    if (std::isalnum(c) || std::strchr("!#$&+-.^_`|~", c) != nullptr) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  const char* how = evidence::IsImageType(r.media_type) ? "inline" : "attachment";
  return std::string(how) + "; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

Response Download(const EvidenceRecord& r, const std::string& path) {
  Response resp;
  resp.content_type = r.media_type;
  if (r.media_type.rfind("text/", 0) == 0) resp.content_type += "; charset=utf-8";
  resp.file_path = path;
  resp.headers = {{"ETag", "\"" + r.sha256_hex + "\""},
                  {"X-Content-Type-Options", "nosniff"},
                  {"Content-Disposition", ContentDisposition(r)},
                  {"Content-Security-Policy", "default-src 'none'; sandbox"}};
  return resp;
}

}  // namespace

void AddEvidenceRoutes(Router& r, const ApiDeps& d) {
  Route upload{"POST", "/v1/complaints/{id}/evidence", kPeople, BodyKind::kStream, nullptr};
  upload.open_stream = [d](Request& req) { return OpenEvidenceUpload(d, req); };
  upload.max_body_bytes = static_cast<size_t>(d.max_upload_bytes) + kMultipartOverhead;
  r.Add(std::move(upload));

  r.Add({"GET", "/v1/complaints/{id}/evidence", kPeople, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_RETURN_IF_ERROR(RequireVault(d));
           json::array items;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(auto list, d.evidence->List(tx, req.principal, req.Param("id")));
             for (const auto& e : list) items.push_back(EvidenceView(e));
             return Status::Ok();
           }));
           return Answer(200, Page(std::move(items), ""));
         }});

  r.Add({"GET", "/v1/evidence/{id}", kPeople, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_RETURN_IF_ERROR(RequireVault(d));
           json::object out;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(EvidenceRecord e, d.evidence->Get(tx, req.principal, req.Param("id")));
             out = EvidenceView(e);
             return Status::Ok();
           }));
           return Answer(200, out);
         }});

  r.Add({"GET", "/v1/evidence/{id}/content", kPeople, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_RETURN_IF_ERROR(RequireVault(d));
           EvidenceRecord e;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(e, d.evidence->Get(tx, req.principal, req.Param("id")));
             return Status::Ok();
           }));
           const std::string path = d.blobs->PathOf(e.sha256_hex);
           if (path.empty()) return Status::Corruption("evidence " + e.id + " has a malformed hash");
           return Outcome::Now(Download(e, path));
         }});

  r.Add({"GET", "/v1/evidence/{id}/proof", kPeople, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_RETURN_IF_ERROR(RequireVault(d));
           TOUSU_ASSIGN_OR_RETURN(auto tree_size, IndexParam(req, "tree_size"));
           EvidenceRecord e;
           std::string content;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(e, d.evidence->Get(tx, req.principal, req.Param("id")));
             TOUSU_ASSIGN_OR_RETURN(evidence::LeafBytes leaf, evidence::EvidenceLeaf(e));
             content = std::move(leaf.content);
             return Status::Ok();
           }));
           if (!e.log_index) return Status::NotFound("evidence " + e.id + " has no log leaf");
           return ProofAnswer(d, *e.log_index, content, tree_size);
         }});

  r.Add({"GET", "/v1/complaints/{id}/events/{seq}/proof", kParties, BodyKind::kNone,
         [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_RETURN_IF_ERROR(RequireVault(d));
           TOUSU_ASSIGN_OR_RETURN(auto tree_size, IndexParam(req, "tree_size"));
           EventRecord e;
           std::string content;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             // Whether the complaint exists for this caller comes first, before any other answer.
             TOUSU_RETURN_IF_ERROR(d.complaints.Get(tx, req.principal, req.Param("id")).status());
             TOUSU_ASSIGN_OR_RETURN(int64_t seq, ParseIndex("seq", req.Param("seq")));
             TOUSU_ASSIGN_OR_RETURN(auto found, tx.GetEvent(req.principal.platform_id, req.Param("id"), seq));
             if (!found) {
               return Status::NotFound("complaint " + req.Param("id") + " has no event " + std::to_string(seq));
             }
             e = std::move(*found);
             TOUSU_ASSIGN_OR_RETURN(evidence::LeafBytes leaf, evidence::EventLeaf(e));
             content = std::move(leaf.content);
             return Status::Ok();
           }));
           if (!e.log_index) return Status::NotFound("event " + std::to_string(e.seq) + " has no log leaf");
           return ProofAnswer(d, *e.log_index, content, tree_size);
         }});
}

}  // namespace tousu::http
