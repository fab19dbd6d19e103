#include "http/multipart.h"

#include <cctype>

namespace tousu::http {

namespace {

constexpr size_t kMaxHeaderBlock = 8 * 1024;
constexpr size_t kMaxBoundary = 70;  // RFC 2046 §5.1.1
constexpr size_t kMaxBoundaryLine = 256;  // transport padding after a delimiter
constexpr int kMaxParts = 32;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits `name=value; name="quoted \" value"` parameters (after the first ';').
std::optional<std::string> Param(std::string_view header, std::string_view wanted) {
  size_t i = header.find(';');
  while (i != std::string_view::npos && i < header.size()) {
    ++i;
    while (i < header.size() && (header[i] == ' ' || header[i] == '\t')) ++i;
    const size_t eq = header.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string name = Lower(Trim(header.substr(i, eq - i)));
    std::string value;
    size_t j = eq + 1;
    if (j < header.size() && header[j] == '"') {
      for (++j; j < header.size() && header[j] != '"'; ++j) {
        // Only \" and \\ are escapes: browsers send Windows paths with bare backslashes.
        if (header[j] == '\\' && j + 1 < header.size() && (header[j + 1] == '"' || header[j + 1] == '\\')) ++j;
        value += header[j];
      }
      if (j >= header.size()) return std::nullopt;  // unterminated quote
      ++j;
      i = header.find(';', j);
    } else {
      const size_t semi = header.find(';', j);
      value = std::string(Trim(header.substr(j, semi == std::string_view::npos ? std::string_view::npos : semi - j)));
      i = semi;
    }
    if (name == wanted) return value;
  }
  return std::nullopt;
}

}  // namespace

bool MultipartReader::IsMultipart(std::string_view content_type) {
  return Lower(Trim(content_type.substr(0, content_type.find(';')))) == "multipart/form-data";
}

StatusOr<std::string> MultipartReader::BoundaryOf(std::string_view content_type) {
  if (!IsMultipart(content_type)) return Status::InvalidArgument("the body is not multipart/form-data");
  auto boundary = Param(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > kMaxBoundary) {
    return Status::InvalidArgument("multipart/form-data needs a boundary of 1 to 70 characters");
  }
  return *boundary;
}

MultipartReader::MultipartReader(std::string boundary, MultipartHandler& handler)
    : delimiter_("\r\n--" + boundary), handler_(handler), pending_("\r\n") {}

Status MultipartReader::Feed(std::string_view bytes) {
  pending_.append(bytes);
  for (;;) {
    switch (state_) {
      case State::kPreamble: {
        const size_t at = pending_.find(delimiter_);
        if (at == std::string::npos) {
          // Keep only what could still be the start of the delimiter.
          if (pending_.size() >= delimiter_.size()) pending_.erase(0, pending_.size() - delimiter_.size() + 1);
          return Status::Ok();
        }
        pending_.erase(0, at + delimiter_.size());
        state_ = State::kAfterDelimiter;
        break;
      }
      case State::kAfterDelimiter: {
        // "--" closes the body; otherwise optional whitespace, then CRLF and the part's headers.
        if (pending_.size() < 2) return Status::Ok();
        if (pending_.compare(0, 2, "--") == 0) {
          state_ = State::kDone;
          pending_.clear();
          return Status::Ok();
        }
        // The limits hold however the body is split: a line not yet ended is at least
        // pending_.size() - 1 bytes long (its CR may be here already).
        const size_t crlf = pending_.find("\r\n");
        if (crlf == std::string::npos) {
          if (pending_.size() > kMaxBoundaryLine + 1) {
            return Status::InvalidArgument("malformed multipart boundary line");
          }
          return Status::Ok();
        }
        if (crlf > kMaxBoundaryLine || !Trim(std::string_view(pending_).substr(0, crlf)).empty()) {
          return Status::InvalidArgument("malformed multipart boundary line");
        }
        if (++parts_ > kMaxParts) return Status::InvalidArgument("the form has more than 32 parts");
        pending_.erase(0, crlf + 2);
        state_ = State::kHeaders;
        break;
      }
      case State::kHeaders: {
        // An empty header block is a bare CRLF. As above, the limit holds however the body is
        // split: a block not yet ended is at least pending_.size() - 3 bytes long.
        size_t end = pending_.compare(0, 2, "\r\n") == 0 ? 0 : pending_.find("\r\n\r\n");
        if (end == std::string::npos) {
          if (pending_.size() > kMaxHeaderBlock + 3) {
            return Status::InvalidArgument("a form part's headers are too long");
          }
          return Status::Ok();
        }
        if (end > kMaxHeaderBlock) return Status::InvalidArgument("a form part's headers are too long");
        const std::string block = pending_.substr(0, end);
        pending_.erase(0, end == 0 ? 2 : end + 4);
        TOUSU_RETURN_IF_ERROR(ParseHeaders(block));
        state_ = State::kBody;
        break;
      }
      case State::kBody: {
        const size_t at = pending_.find(delimiter_);
        if (at == std::string::npos) {
          const size_t keep = delimiter_.size() - 1;
          if (pending_.size() > keep) {
            TOUSU_RETURN_IF_ERROR(handler_.OnPartData(std::string_view(pending_).substr(0, pending_.size() - keep)));
            pending_.erase(0, pending_.size() - keep);
          }
          return Status::Ok();
        }
        if (at > 0) TOUSU_RETURN_IF_ERROR(handler_.OnPartData(std::string_view(pending_).substr(0, at)));
        TOUSU_RETURN_IF_ERROR(handler_.OnPartEnd());
        pending_.erase(0, at + delimiter_.size());
        state_ = State::kAfterDelimiter;
        break;
      }
      case State::kDone:
        pending_.clear();  // the epilogue is ignored
        return Status::Ok();
    }
  }
}

Status MultipartReader::Finish() const {
  if (state_ != State::kDone) {
    return Status::InvalidArgument("the multipart body ended before its closing boundary");
  }
  return Status::Ok();
}

Status MultipartReader::ParseHeaders(std::string_view block) {
  PartHeader h;
  bool disposition = false;
  while (!block.empty()) {
    const size_t nl = block.find("\r\n");
    const std::string_view line = block.substr(0, nl);
    block = nl == std::string_view::npos ? std::string_view() : block.substr(nl + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Status::InvalidArgument("a form part has a malformed header");
    const std::string name = Lower(Trim(line.substr(0, colon)));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      if (Lower(Trim(value.substr(0, value.find(';')))) != "form-data") {
        return Status::InvalidArgument("a form part is not form-data");
      }
      auto field = Param(value, "name");
      if (!field || field->empty()) return Status::InvalidArgument("a form part has no name");
      h.name = *field;
      h.filename = Param(value, "filename");
      disposition = true;
    } else if (name == "content-type") {
      h.content_type = std::string(value);
    }
  }
  if (!disposition) return Status::InvalidArgument("a form part has no Content-Disposition");
  return handler_.OnPartBegin(h);
}

}  // namespace tousu::http
