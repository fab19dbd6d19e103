// Evidence uploads as multipart/form-data (http/multipart.h), fed the way
// http/evidence_upload.cc feeds them: the boundary from the request's Content-Type, then the body
// in the pieces the connection happens to deliver. An input is
//   line 1  the Content-Type header's value
//   line 2  the split plan: each byte is the length of the next piece (0-255, cycled; an empty
//           line feeds the body whole)
//   rest    the body
// Checks: only the documented errors (InvalidArgument; the handler's own TooLarge passed
// through); the pieces never change the outcome or the parts; and when the body is in the plain
// form browsers and curl send, every part, the file's bytes included, is what a simple
// split-at-the-delimiter reading finds.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.h"
#include "http/multipart.h"

namespace {

using tousu::Status;
using tousu::StatusCode;
using tousu::http::MultipartHandler;
using tousu::http::MultipartReader;
using tousu::http::PartHeader;

constexpr size_t kMaxFile = 2048;         // the handler's upload limit, as WriteFile's
constexpr size_t kMaxHeaderBlock = 8192;  // the reader's documented limits
constexpr size_t kMaxParts = 32;

struct Part {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
  std::string data;
  bool ended = false;
  bool operator==(const Part&) const = default;
};

std::string Describe(const std::vector<Part>& parts) {
  std::string out;
  for (const Part& p : parts) {
    out += "[" + p.name + " " + p.filename.value_or("-") + " " + p.content_type + " " +
           std::to_string(p.data.size()) + " bytes" + (p.ended ? "" : " unended") + "]";
  }
  return out;
}

// Collects the parts as UploadSink consumes them: the part named "file" goes to the blob
// writer, which refuses more than kMaxFile bytes.
class Collector final : public MultipartHandler {
 public:
  Status OnPartBegin(const PartHeader& h) override {
    FUZZ_CHECK(parts_.empty() || parts_.back().ended, "a part began before the last one ended");
    FUZZ_CHECK(!h.name.empty(), "a part without a name was handed on");
    parts_.push_back({h.name, h.filename, h.content_type, "", false});
    return Status::Ok();
  }
  Status OnPartData(std::string_view bytes) override {
    FUZZ_CHECK(!parts_.empty() && !parts_.back().ended, "data outside a part");
    parts_.back().data.append(bytes);
    if (parts_.back().name == "file" && parts_.back().data.size() > kMaxFile) {
      refused_ = true;
      return Status::TooLarge("the file is over the upload limit");
    }
    return Status::Ok();
  }
  Status OnPartEnd() override {
    FUZZ_CHECK(!parts_.empty() && !parts_.back().ended, "a part ended twice");
    parts_.back().ended = true;
    return Status::Ok();
  }
  const std::vector<Part>& parts() const { return parts_; }
  bool refused() const { return refused_; }

 private:
  std::vector<Part> parts_;
  bool refused_ = false;
};

struct Outcome {
  Status status;
  std::vector<Part> parts;
};

// Feeds `body` in the pieces `plan` gives, stopping at the first error as the server does.
Outcome Read(const std::string& boundary, std::string_view body, std::string_view plan) {
  Collector c;
  MultipartReader reader(boundary, c);
  size_t plan_total = 0;
  for (char b : plan) plan_total += static_cast<unsigned char>(b);
  Status s;
  size_t at = 0;
  for (size_t k = 0; s.ok() && at < body.size(); ++k) {
    const size_t n =
        plan_total == 0 ? body.size() : static_cast<unsigned char>(plan[k % plan.size()]);
    s = reader.Feed(body.substr(at, n));
    at += std::min(n, body.size() - at);
  }
  if (s.ok()) s = reader.Finish();
  if (!s.ok()) {
    FUZZ_CHECK(s.code() == StatusCode::kInvalidArgument ||
                   (s.code() == StatusCode::kTooLarge && c.refused()),
               "undocumented error " + s.ToString());
  }
  return {s, c.parts()};
}

bool Plain(std::string_view s) { return s.find_first_of("\"\\\r\n") == std::string_view::npos; }

// The strict header block of a plain part: a Content-Disposition line
// `form-data; name="N"[; filename="F"]` and at most one `Content-Type: T` line.
std::optional<Part> ReferenceHeaders(std::string_view block) {
  constexpr std::string_view kDisposition = "Content-Disposition: form-data; name=\"";
  constexpr std::string_view kFilename = "\"; filename=\"";
  constexpr std::string_view kType = "Content-Type: ";
  Part p;
  bool disposition = false;
  bool type = false;
  for (size_t start = 0; start <= block.size();) {
    size_t end = block.find("\r\n", start);
    if (end == std::string_view::npos) end = block.size();
    std::string_view line = block.substr(start, end - start);
    start = end + 2;
    if (line.starts_with(kDisposition) && !disposition && line.ends_with("\"")) {
      line = line.substr(kDisposition.size(), line.size() - kDisposition.size() - 1);
      const size_t f = line.find(kFilename);
      p.name = line.substr(0, f);
      if (f != std::string_view::npos) p.filename = std::string(line.substr(f + kFilename.size()));
      if (p.name.empty() || !Plain(p.name) || (p.filename && !Plain(*p.filename))) {
        return std::nullopt;
      }
      disposition = true;
    } else if (line.starts_with(kType) && !type) {
      p.content_type = line.substr(kType.size());
      const std::string_view t = p.content_type;
      if (t.empty() || t.front() == ' ' || t.front() == '\t' || t.back() == ' ' ||
          t.back() == '\t') {
        return std::nullopt;
      }
      type = true;
    } else {
      return std::nullopt;
    }
  }
  if (!disposition) return std::nullopt;
  return p;
}

// The parts of `body` when it is in the plain form (RFC 7578 as browsers and curl write it: no
// transport padding, plain headers, within the reader's limits), found by splitting at the
// delimiter; nullopt for any other body.
std::optional<std::vector<Part>> ReferenceParts(std::string_view body,
                                                const std::string& boundary) {
  const std::string dash = "--" + boundary;
  const std::string delimiter = "\r\n" + dash;
  size_t at = 0;
  if (body.starts_with(dash)) {
    at = dash.size();
  } else {
    at = body.find(delimiter);
    if (at == std::string_view::npos) return std::nullopt;
    at += delimiter.size();
  }
  std::vector<Part> parts;
  for (;;) {
    const std::string_view rest = body.substr(at);
    if (rest.starts_with("--")) return parts;  // the epilogue is ignored
    if (!rest.starts_with("\r\n") || parts.size() == kMaxParts) return std::nullopt;
    const size_t headers = at + 2;
    const size_t headers_end = body.find("\r\n\r\n", headers);
    if (headers_end == std::string_view::npos || headers_end - headers > kMaxHeaderBlock) {
      return std::nullopt;
    }
    auto part = ReferenceHeaders(body.substr(headers, headers_end - headers));
    if (!part) return std::nullopt;
    const size_t data = headers_end + 4;
    const size_t data_end = body.find(delimiter, data);
    if (data_end == std::string_view::npos) return std::nullopt;
    part->data = body.substr(data, data_end - data);
    part->ended = true;
    parts.push_back(std::move(*part));
    at = data_end + delimiter.size();
  }
}

}  // namespace

TOUSU_FUZZ_TARGET(multipart) {
  const std::string_view input = tousu::fuzz::AsText(data, size);
  const size_t line1 = input.find('\n');
  if (line1 == std::string_view::npos) return 0;
  const size_t line2 = input.find('\n', line1 + 1);
  if (line2 == std::string_view::npos) return 0;
  const std::string_view content_type = input.substr(0, line1);
  const std::string_view plan = input.substr(line1 + 1, line2 - line1 - 1);
  const std::string_view body = input.substr(line2 + 1);

  // A Content-Type that is not multipart/form-data makes the body the raw file.
  if (!MultipartReader::IsMultipart(content_type)) return 0;
  auto boundary = MultipartReader::BoundaryOf(content_type);
  if (!boundary.ok()) {
    FUZZ_CHECK(boundary.status().code() == StatusCode::kInvalidArgument,
               boundary.status().ToString());
    return 0;
  }
  FUZZ_CHECK(!boundary->empty() && boundary->size() <= 70,
             "boundary of " + std::to_string(boundary->size()));

  const Outcome whole = Read(*boundary, body, "");
  const Outcome pieces = Read(*boundary, body, plan);
  FUZZ_CHECK(whole.status.code() == pieces.status.code() &&
                 whole.status.message() == pieces.status.message(),
             "whole: " + whole.status.ToString() + "; in pieces: " + pieces.status.ToString());
  if (whole.status.ok()) {
    FUZZ_CHECK(whole.parts == pieces.parts,
               "whole: " + Describe(whole.parts) + "; in pieces: " + Describe(pieces.parts));
  }

  auto reference = ReferenceParts(body, *boundary);
  if (!reference) return 0;
  bool too_large = false;
  for (const Part& p : *reference) {
    too_large = too_large || (p.name == "file" && p.data.size() > kMaxFile);
  }
  if (too_large) {
    FUZZ_CHECK(whole.status.code() == StatusCode::kTooLarge,
               "an oversized file gave " + whole.status.ToString());
    return 0;
  }
  FUZZ_CHECK(whole.status.ok(), "a plain body was refused: " + whole.status.ToString());
  FUZZ_CHECK(whole.parts == *reference,
             "read " + Describe(whole.parts) + "; reference " + Describe(*reference));
  return 0;
}
