#include "base/status.h"

namespace tousu {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kMethodNotAllowed: return "method_not_allowed";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kTooLarge: return "too_large";
    case StatusCode::kUnsupportedMediaType: return "unsupported_media_type";
    case StatusCode::kUnprocessable: return "unprocessable";
    case StatusCode::kRateLimited: return "rate_limited";
    case StatusCode::kInternal: return "internal";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kCorruption: return "corruption";
  }
  return "unknown";
}

Status::Status(StatusCode code, std::string message) {
  auto rep = std::make_shared<Rep>();
  rep->code = code;
  rep->message = std::move(message);
  rep_ = std::move(rep);
}

Status Status::InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
Status Status::Unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
Status Status::PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
Status Status::NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
Status Status::MethodNotAllowed(std::string m) {
  return {StatusCode::kMethodNotAllowed, std::move(m)};
}
Status Status::Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
Status Status::TooLarge(std::string m) { return {StatusCode::kTooLarge, std::move(m)}; }
Status Status::UnsupportedMediaType(std::string m) {
  return {StatusCode::kUnsupportedMediaType, std::move(m)};
}
Status Status::Unprocessable(std::string m) { return {StatusCode::kUnprocessable, std::move(m)}; }
Status Status::Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }

Status Status::RateLimited(std::string m, int retry_after_seconds) {
  Status s(StatusCode::kRateLimited, std::move(m));
  s.Mutable().retry_after_seconds = retry_after_seconds;
  return s;
}

Status Status::Internal(std::string detail) {
  Status s(StatusCode::kInternal, "internal error");
  s.Mutable().detail = std::move(detail);
  return s;
}

Status Status::Unavailable(std::string detail) {
  Status s(StatusCode::kUnavailable, "service unavailable, try again later");
  s.Mutable().detail = std::move(detail);
  return s;
}

Status Status::BadField(std::string field, std::string message) {
  std::string summary = field + ": " + message;
  return Status(StatusCode::kUnprocessable, std::move(summary))
      .WithField(std::move(field), std::move(message));
}

Status::Rep& Status::Mutable() {
  // Copy-on-write: builders never change a Rep another Status may share.
  auto copy = std::make_shared<Rep>(*rep_);
  Rep& ref = *copy;
  rep_ = std::move(copy);
  return ref;
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

const std::string& Status::detail() const {
  static const std::string kEmpty;
  return rep_ ? rep_->detail : kEmpty;
}

const std::vector<FieldError>& Status::fields() const {
  static const std::vector<FieldError> kNone;
  return rep_ ? rep_->fields : kNone;
}

const std::map<std::string, std::vector<std::string>>& Status::lists() const {
  static const std::map<std::string, std::vector<std::string>> kNone;
  return rep_ ? rep_->lists : kNone;
}

Status Status::WithField(std::string field, std::string message) const {
  if (ok()) return *this;
  Status s = *this;
  s.Mutable().fields.push_back({std::move(field), std::move(message)});
  return s;
}

Status Status::WithList(std::string name, std::vector<std::string> values) const {
  if (ok()) return *this;
  Status s = *this;
  s.Mutable().lists[std::move(name)] = std::move(values);
  return s;
}

Status Status::WithDetail(std::string detail) const {
  if (ok()) return *this;
  Status s = *this;
  s.Mutable().detail = std::move(detail);
  return s;
}

Status Status::Annotate(std::string_view context) const {
  if (ok()) return *this;
  Status s = *this;
  Rep& rep = s.Mutable();
  if (rep.code == StatusCode::kInternal || rep.code == StatusCode::kUnavailable) {
    rep.detail = std::string(context) + ": " + rep.detail;
  } else {
    rep.message = std::string(context) + ": " + rep.message;
  }
  return s;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(StatusCodeName(code()));
  out += ": ";
  out += message();
  if (!detail().empty()) out += " (" + detail() + ")";
  for (const auto& f : fields()) out += " [" + f.field + ": " + f.message + "]";
  return out;
}

}  // namespace tousu
