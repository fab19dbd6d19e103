// Status and StatusOr<T>: the one way expected failures travel through tousu.
//
// A Status is either OK or carries a code, a message safe to show to a client, optional field
// errors (for 400/422 answers), optional named lists (e.g. the actions allowed now, for a 409)
// and an optional detail meant only for the server log. Codes map to HTTP problems in exactly
// one place (http/problem.cc). Cheap to copy: an OK status holds no allocation.
// Thread-safety: immutable once built; safe to share.
#ifndef TOUSU_BASE_STATUS_H_
#define TOUSU_BASE_STATUS_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tousu {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,       // malformed request: bad JSON, bad parameter (400)
  kUnauthenticated,       // no or bad credentials (401)
  kPermissionDenied,      // role may not do this (403)
  kNotFound,              // missing, or not visible to the caller (404)
  kMethodNotAllowed,      // the path exists, the method does not (405)
  kConflict,              // wrong state, stale version, key reuse (409)
  kTooLarge,              // body or upload over its limit (413)
  kUnsupportedMediaType,  // wrong Content-Type (415)
  kUnprocessable,         // well-formed but invalid (422)
  kRateLimited,           // too many requests (429)
  kInternal,              // a bug or an unexpected failure (500); never for client input
  kUnavailable,           // store or disk failure, shutting down (503)
  kCorruption,            // stored bytes do not match their hash or format
};

// Stable lower-case name of a code, e.g. "not_found".
std::string_view StatusCodeName(StatusCode code);

struct FieldError {
  std::string field;
  std::string message;
  bool operator==(const FieldError&) const = default;
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message);
  static Status Unauthenticated(std::string message);
  static Status PermissionDenied(std::string message);
  static Status NotFound(std::string message);
  static Status MethodNotAllowed(std::string message);
  static Status Conflict(std::string message);
  static Status TooLarge(std::string message);
  static Status UnsupportedMediaType(std::string message);
  static Status Unprocessable(std::string message);
  static Status RateLimited(std::string message, int retry_after_seconds);
  // `detail` goes to the log only; the client sees a generic text.
  static Status Internal(std::string detail);
  static Status Unavailable(std::string detail);
  static Status Corruption(std::string message);

  // One field error, the common case of a 422.
  static Status BadField(std::string field, std::string message);

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  const std::string& message() const;
  const std::string& detail() const;
  const std::vector<FieldError>& fields() const;
  const std::map<std::string, std::vector<std::string>>& lists() const;
  int retry_after_seconds() const { return rep_ ? rep_->retry_after_seconds : 0; }

  // Builders; each returns a modified copy.
  Status WithField(std::string field, std::string message) const;
  Status WithList(std::string name, std::vector<std::string> values) const;
  Status WithDetail(std::string detail) const;
  // Prefixes the message with context, e.g. "opening store: ...".
  Status Annotate(std::string_view context) const;

  // "not_found: complaint cmp_1 not found" — for logs and test failure output.
  std::string ToString() const;

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::string detail;
    std::vector<FieldError> fields;
    std::map<std::string, std::vector<std::string>> lists;
    int retry_after_seconds = 0;
  };
  Status(StatusCode code, std::string message);
  Rep& Mutable();

  std::shared_ptr<const Rep> rep_;
};

template <class T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(v_).ok()) v_ = Status::Internal("StatusOr built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace tousu

#define TOUSU_STATUS_CONCAT_INNER(a, b) a##b
#define TOUSU_STATUS_CONCAT(a, b) TOUSU_STATUS_CONCAT_INNER(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define TOUSU_RETURN_IF_ERROR(expr)                 \
  do {                                              \
    ::tousu::Status tousu_status_ = (expr);         \
    if (!tousu_status_.ok()) return tousu_status_;  \
  } while (0)

// `lhs = value of expr`, or returns its status from the enclosing function.
#define TOUSU_ASSIGN_OR_RETURN(lhs, expr) \
  TOUSU_ASSIGN_OR_RETURN_IMPL(TOUSU_STATUS_CONCAT(tousu_statusor_, __LINE__), lhs, expr)
#define TOUSU_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

#endif  // TOUSU_BASE_STATUS_H_
