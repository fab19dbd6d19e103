#include "http/evidence_upload.h"

#include <charconv>

#include "base/encoding.h"
#include "evidence/media_type.h"
#include "http/handler_util.h"
#include "http/multipart.h"
#include "http/proof_answer.h"
#include "http/views.h"

namespace tousu::http {

namespace {

constexpr size_t kMaxField = 1024;

// What the uploader claims about the file.
struct Claims {
  std::map<std::string, std::string> given;  // field → value as received
  std::optional<EvidenceKind> kind;
  std::optional<Instant> captured_at;
  std::string filename;
  std::string order_no;
  std::optional<Money> amount;
};

bool IsClaimField(const std::string& name) {
  return name == "kind" || name == "captured_at" || name == "filename" || name == "order_no" ||
         name == "amount_fen";
}

// The last path component: browsers may send "C:\\fakepath\\x.png".
std::string BaseName(const std::string& name) {
  const size_t slash = name.find_last_of("/\\");
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

Status Claim(Claims& c, const std::string& field, const std::string& value) {
  if (auto it = c.given.find(field); it != c.given.end()) {
    if (it->second == value) return Status::Ok();
    return Status::InvalidArgument(field + " is given twice with different values").WithField(field, "given twice");
  }
  c.given[field] = value;
  if (field == "kind") {
    c.kind = FromString<EvidenceKind>(value);
    if (!c.kind) return Status::BadField("kind", "must be one of " + NamesOf<EvidenceKind>());
  } else if (field == "captured_at") {
    c.captured_at = ParseRfc3339(value);
    if (!c.captured_at) {
      return Status::InvalidArgument("captured_at is not a time")
          .WithField("captured_at", "must be an RFC 3339 time like 2026-11-01T08:00:00Z");
    }
  } else if (field == "filename") {
    c.filename = BaseName(value);
  } else if (field == "order_no") {
    c.order_no = value;
  } else if (field == "amount_fen") {
    int64_t fen = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), fen);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
      return Status::InvalidArgument("amount_fen is not a whole number")
          .WithField("amount_fen", "must be a whole number of fen");
    }
    c.amount = Money::Fen(fen);
  }
  return Status::Ok();
}

Status RequireKind(const Claims& c) {
  if (c.kind) return Status::Ok();
  return Status::InvalidArgument("kind is required: one of " + NamesOf<EvidenceKind>())
      .WithField("kind", "is required");
}

class UploadSink final : public BodySink, private MultipartHandler {
 public:
  UploadSink(const ApiDeps& d, Principal who, std::string complaint_id, Claims claims,
             std::string declared_type, std::optional<std::string> boundary,
             std::unique_ptr<evidence::BlobWriter> writer)
      : d_(d),
        who_(std::move(who)),
        complaint_id_(std::move(complaint_id)),
        claims_(std::move(claims)),
        declared_type_(std::move(declared_type)),
        writer_(std::move(writer)) {
    if (boundary) multipart_.emplace(*boundary, static_cast<MultipartHandler&>(*this));
  }

  Status Append(std::string_view bytes) override {
    fingerprint_.Update(bytes);
    if (multipart_) return multipart_->Feed(bytes);
    seen_file_ = true;
    return WriteFile(bytes);
  }

  StatusOr<Outcome> Finish(Request&) override {
    digest_ = HexEncode(DigestBytes(fingerprint_.Finish()));
    if (multipart_) {
      TOUSU_RETURN_IF_ERROR(multipart_->Finish());
      if (!seen_file_) {
        return Status::InvalidArgument("the form has no part named \"file\"").WithField("file", "is required");
      }
    }
    TOUSU_RETURN_IF_ERROR(RequireKind(claims_));
    if (writer_->size() == 0) return Status::BadField("file", "is empty");
    const std::string head = writer_->head();
    const bool complete = writer_->size() <= static_cast<int64_t>(head.size());
    // Durable under its hash before the transaction that records it.
    TOUSU_ASSIGN_OR_RETURN(evidence::BlobInfo blob, writer_->Commit());
    EvidenceUpload u;
    u.kind = *claims_.kind;
    u.captured_at = claims_.captured_at;
    u.filename = claims_.filename;
    u.declared_media_type = evidence::NormalizeMediaType(declared_type_);
    u.declared_order_no = claims_.order_no;
    u.declared_amount = claims_.amount;
    u.sha256_hex = blob.sha256_hex;
    u.size = blob.size;
    u.media_type = evidence::SniffMediaType(head, complete);
    return Outcome::Write([d = d_, who = who_, id = complaint_id_, u](WriteTx& tx) -> StatusOr<Response> {
      TOUSU_ASSIGN_OR_RETURN(EvidenceRecord r, d.evidence->Add(tx, who, id, u));
      Response resp = JsonResponse(201, EvidenceView(r));
      resp.headers.emplace_back("Location", "/v1/evidence/" + r.id);
      return resp;
    });
  }

  std::string Fingerprint() const override { return digest_; }

  size_t MaxBodyBytes() const override {
    const auto file = static_cast<size_t>(d_.max_upload_bytes);
    return multipart_ ? file + kMultipartOverhead : file;
  }

 private:
  Status WriteFile(std::string_view bytes) {
    if (writer_->size() + static_cast<int64_t>(bytes.size()) > d_.max_upload_bytes) {
      return Status::TooLarge("the file is over the upload limit of " + std::to_string(d_.max_upload_bytes) +
                              " bytes");
    }
    return writer_->Append(bytes);
  }

  Status OnPartBegin(const PartHeader& h) override {
    if (h.name == "file") {
      if (seen_file_) return Status::InvalidArgument("send one file per upload");
      seen_file_ = in_file_ = true;
      declared_type_ = h.content_type;
      if (h.filename && !claims_.given.count("filename")) claims_.filename = BaseName(*h.filename);
      return Status::Ok();
    }
    if (!IsClaimField(h.name)) {
      return Status::InvalidArgument("unknown form field \"" + h.name +
                                     "\"; send file, kind, captured_at, filename, order_no, amount_fen");
    }
    field_ = h.name;
    value_.clear();
    return Status::Ok();
  }

  Status OnPartData(std::string_view bytes) override {
    if (in_file_) return WriteFile(bytes);
    if (value_.size() + bytes.size() > kMaxField) {
      return Status::InvalidArgument("form field " + field_ + " is longer than 1024 bytes");
    }
    value_.append(bytes);
    return Status::Ok();
  }

  Status OnPartEnd() override {
    if (in_file_) {
      in_file_ = false;
      return Status::Ok();
    }
    return Claim(claims_, field_, value_);
  }

  const ApiDeps& d_;
  const Principal who_;
  const std::string complaint_id_;
  Claims claims_;
  std::string declared_type_;
  std::unique_ptr<evidence::BlobWriter> writer_;
  std::optional<MultipartReader> multipart_;
  Sha256Hasher fingerprint_;
  std::string digest_;
  bool seen_file_ = false;
  bool in_file_ = false;
  std::string field_;
  std::string value_;
};

}  // namespace

StatusOr<std::unique_ptr<BodySink>> OpenEvidenceUpload(const ApiDeps& d, Request& req) {
  TOUSU_RETURN_IF_ERROR(RequireVault(d));
  const std::string complaint_id = req.Param("id");
  const std::string& content_type = req.Header("content-type");
  std::optional<std::string> boundary;
  if (MultipartReader::IsMultipart(content_type)) {
    TOUSU_ASSIGN_OR_RETURN(boundary, MultipartReader::BoundaryOf(content_type));
  }
  Claims claims;
  for (const auto& [name, value] : req.query) {
    if (!IsClaimField(name)) continue;
    if (value.size() > kMaxField) return Status::InvalidArgument(name + " is longer than 1024 bytes");
    TOUSU_RETURN_IF_ERROR(Claim(claims, name, value));
  }
  // A raw body carries no form fields: its claims are complete now.
  if (!boundary) TOUSU_RETURN_IF_ERROR(RequireKind(claims));
  TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) {
    return d.evidence->CheckCanAdd(tx, req.principal, complaint_id);
  }));
  TOUSU_ASSIGN_OR_RETURN(auto writer, d.blobs->NewWriter());
  return std::unique_ptr<BodySink>(new UploadSink(d, req.principal, complaint_id, std::move(claims),
                                                  boundary ? "" : content_type, boundary,
                                                  std::move(writer)));
}

}  // namespace tousu::http
