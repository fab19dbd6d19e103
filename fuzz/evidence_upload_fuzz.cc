// Evidence uploads, whole, through the real Api as the server streams them: the route's and the
// sink's size limits, the claims in the query and in form fields, the multipart reader fed in
// pieces of every size (a boundary split across two pieces is the classic bug), the blob
// writer, media-type sniffing and the declared Content-Type's normalisation, and the write that
// records the evidence, over the fuzz world's store and vault (uploads up to kMaxUploadBytes).
//
// Input: byte 0 picks the caller (none, admin, platform, consumer, merchant, agent, risk,
// arbitrator), byte 1 the piece size (low 3 bits) and whether the body is chunked (bit 3:
// no Content-Length to refuse it by before the sink opens); then a line with the query string, a line with the
// Content-Type (empty: none), and the body.
//
// Checks: never a 500, every error a problem+json; a 201 names a blob the vault holds with
// exactly that hash and size, and a sniffed type from the fixed set; the blob is the file sent
// (the body itself, or the "file" part of the form read whole in one piece), typed as
// SniffMediaType says of its head, with the declared type as NormalizeMediaType reads the one
// sent. Besides, for the pure function on the same bytes: NormalizeMediaType gives "" or a
// lower-case type/subtype and is idempotent. The world's upload limit (kMaxUploadBytes) is over
// the sniffing window, so a file's head may be cut short there too.
#include <boost/json.hpp>
#include <set>
#include <string>

#include "base/crypto.h"
#include "evidence/media_type.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/fuzz_world.h"
#include "http/multipart.h"

namespace {

constexpr size_t kPieces[] = {1, 2, 3, 7, 64, 511, 1024, 4096};

// An RFC 9110 token character (what a media type's type and subtype are made of).
bool TokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void CheckNormalized(std::string_view declared) {
  using tousu::evidence::NormalizeMediaType;
  const std::string n = NormalizeMediaType(declared);
  if (n.empty()) return;
  const size_t slash = n.find('/');
  FUZZ_CHECK(slash != std::string::npos && slash > 0 && slash + 1 < n.size() && n.find('/', slash + 1) == std::string::npos,
             "normalised type is not type/subtype: " + n);
  for (char c : n) FUZZ_CHECK(c == '/' || TokenChar(c), "normalised type has '" + std::string(1, c) + "': " + n);
  FUZZ_CHECK(NormalizeMediaType(n) == n, "normalising twice changes " + n);
}

// What Beast lets through as a header value: no control byte but tab, no DEL, no surrounding
// whitespace (it trims that).
bool HeaderValueBeastSends(std::string_view v) {
  for (char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return v.empty() || (v.front() != ' ' && v.front() != '\t' && v.back() != ' ' && v.back() != '\t');
}

// The "file" part of a form, read whole: what the upload must have stored.
class FilePart final : public tousu::http::MultipartHandler {
 public:
  tousu::Status OnPartBegin(const tousu::http::PartHeader& h) override {
    in_file_ = h.name == "file";
    if (in_file_) content_type = h.content_type;
    return tousu::Status::Ok();
  }
  tousu::Status OnPartData(std::string_view bytes) override {
    if (in_file_) bytes_.append(bytes);
    return tousu::Status::Ok();
  }
  tousu::Status OnPartEnd() override {
    in_file_ = false;
    return tousu::Status::Ok();
  }
  std::string content_type;
  const std::string& bytes() const { return bytes_; }

 private:
  bool in_file_ = false;
  std::string bytes_;
};

const std::set<std::string>& SniffedTypes() {
  static const std::set<std::string> kTypes = {"image/png",  "image/jpeg", "image/gif",  "image/webp",
                                               "application/pdf", "video/mp4", "text/html", "text/plain",
                                               "application/octet-stream"};
  return kTypes;
}

}  // namespace

TOUSU_FUZZ_TARGET(evidence_upload) {
  using namespace tousu;
  namespace json = boost::json;
  if (size < 2) return 0;
  auto& world = fuzz::FuzzWorld::Get();
  const Role caller = fuzz::CallerOf(data[0]);
  const size_t piece = kPieces[data[1] % 8];
  const bool chunked = (data[1] & 8) != 0;
  std::string_view rest = fuzz::AsText(data + 2, size - 2);
  const std::string_view query = fuzz::TakeLine(rest);
  const std::string_view content_type = fuzz::TakeLine(rest);
  const std::string body(rest);
  if (!HeaderValueBeastSends(content_type)) return 0;  // no client can send it

  CheckNormalized(content_type);
  const std::string head = body.substr(0, evidence::kSniffBytes);
  const std::string sniffed = evidence::SniffMediaType(head, body.size() <= head.size());
  FUZZ_CHECK(SniffedTypes().count(sniffed) == 1, "sniffed an unknown type: " + sniffed);

  http::Request req;
  req.method = "POST";
  req.target = "/v1/complaints/" + world.complaint_id() + "/evidence";
  if (!query.empty()) req.target += "?" + std::string(query);
  if (!content_type.empty()) req.headers["content-type"] = std::string(content_type);
  if (caller != Role::kPublic) req.headers["authorization"] = "Bearer " + world.Token(caller);
  req.body = body;
  req.request_id = "fuzz";
  req.remote = "127.0.0.1";
  if (!fuzz::SplitTarget(req)) return 0;  // the server answers 400 before the Api sees it

  const http::Response r = world.Serve(std::move(req), piece, chunked);
  fuzz::CheckAnswer(r);
  if (r.status >= 400) return 0;
  FUZZ_CHECK(r.status == 201, "upload answered " + std::to_string(r.status) + ": " + r.body);
  boost::system::error_code ec;
  const json::value v = json::parse(r.body, ec);
  FUZZ_CHECK(!ec && v.is_object(), "answer is not a JSON object: " + r.body);
  const json::object& o = v.as_object();
  FUZZ_CHECK(o.contains("sha256") && o.at("sha256").is_string() && o.contains("size") && o.at("size").is_int64() &&
                 o.contains("media_type") && o.at("media_type").is_string(),
             "evidence without sha256, size or media_type: " + r.body);
  const std::string sha(o.at("sha256").as_string());
  const int64_t stored = o.at("size").as_int64();
  const std::string media_type(o.at("media_type").as_string());
  FUZZ_CHECK(stored > 0 && stored <= fuzz::kMaxUploadBytes, "stored size " + std::to_string(stored));
  FUZZ_CHECK(SniffedTypes().count(media_type) == 1, "stored an unknown type: " + media_type);
  const Status held = world.blobs().Check(sha, stored);
  FUZZ_CHECK(held.ok(), "the vault does not hold the answered blob: " + held.ToString());
  // The file that was sent, and the type declared for it.
  std::string file = body;
  std::string declared(content_type);
  if (http::MultipartReader::IsMultipart(content_type)) {
    auto boundary = http::MultipartReader::BoundaryOf(content_type);
    FUZZ_CHECK(boundary.ok(), "a form without a boundary was stored: " + r.body);
    FilePart part;
    http::MultipartReader reader(*boundary, part);
    FUZZ_CHECK(reader.Feed(body).ok() && reader.Finish().ok(), "a form read whole is malformed: " + r.body);
    file = part.bytes();
    declared = part.content_type;
  }
  FUZZ_CHECK(sha == Sha256Hex(file) && stored == static_cast<int64_t>(file.size()),
             "the stored blob is not the file sent: " + r.body);
  const std::string file_head = file.substr(0, evidence::kSniffBytes);
  const std::string file_type = evidence::SniffMediaType(file_head, file.size() <= file_head.size());
  FUZZ_CHECK(media_type == file_type, "typed " + media_type + ", sniffed " + file_type);
  const std::string normalized = evidence::NormalizeMediaType(declared);
  const json::value& d = o.at("declared_media_type");
  FUZZ_CHECK(normalized.empty() ? d.is_null() : (d.is_string() && d.as_string() == normalized),
             "declared " + declared + ", answered " + json::serialize(d));
  return 0;
}
