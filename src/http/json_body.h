// Reading JSON request bodies: parse with limits (400 when malformed), then typed field access
// that collects every field error before answering 422 with all of them.
// Thread-safety: a Fields reader belongs to one request.
#ifndef TOUSU_HTTP_JSON_BODY_H_
#define TOUSU_HTTP_JSON_BODY_H_

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "base/money.h"
#include "base/status.h"
#include "base/time.h"
#include "domain/enum_names.h"

namespace tousu::http {

// Parses a JSON object (depth at most 32). 400 when the text is not JSON or not an object.
StatusOr<boost::json::object> ParseObject(const std::string& body);

class Fields final {
 public:
  explicit Fields(const boost::json::object& o) : o_(o) {}

  // Each getter records an error (and returns nullopt/empty) when the field is required and
  // missing, or present with the wrong type. null counts as missing.
  std::optional<std::string> Str(std::string_view key, bool required, size_t max_bytes = 20000);
  std::optional<int64_t> Int(std::string_view key, bool required);
  std::optional<Money> Fen(std::string_view key, bool required);
  std::optional<bool> Bool(std::string_view key, bool required);
  std::optional<Instant> Time(std::string_view key, bool required);
  const boost::json::value* Raw(std::string_view key) const;

  template <class E>
  std::optional<E> Enum(std::string_view key, bool required) {
    auto s = Str(key, required, 100);
    if (!s) return std::nullopt;
    auto v = FromString<E>(*s);
    if (!v) Error(key, "must be one of " + NamesOf<E>());
    return v;
  }

  void Error(std::string_view key, std::string message);
  bool ok() const { return errors_.empty(); }
  // 422 listing every field error, or OK.
  Status Finish() const;

 private:
  const boost::json::value* Find(std::string_view key) const;
  const boost::json::object& o_;
  std::vector<FieldError> errors_;
};

}  // namespace tousu::http

#endif  // TOUSU_HTTP_JSON_BODY_H_
