#include "http/json_body.h"

#include <boost/json.hpp>

namespace tousu::http {

namespace json = boost::json;

StatusOr<json::object> ParseObject(const std::string& body) {
  if (body.empty()) return Status::InvalidArgument("the request body is empty; send a JSON object");
  json::parse_options opts;
  opts.max_depth = 32;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, json::storage_ptr(), opts);
  if (ec) return Status::InvalidArgument("the request body is not valid JSON: " + ec.message());
  if (!v.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  return std::move(v.as_object());
}

const json::value* Fields::Find(std::string_view key) const {
  auto it = o_.find(key);
  if (it == o_.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

const json::value* Fields::Raw(std::string_view key) const { return Find(key); }

void Fields::Error(std::string_view key, std::string message) {
  errors_.push_back({std::string(key), std::move(message)});
}

std::optional<std::string> Fields::Str(std::string_view key, bool required, size_t max_bytes) {
  const json::value* v = Find(key);
  if (v == nullptr) {
    if (required) Error(key, "is required");
    return std::nullopt;
  }
  if (!v->is_string()) {
    Error(key, "must be a string");
    return std::nullopt;
  }
  if (v->as_string().size() > max_bytes) {
    Error(key, "is longer than " + std::to_string(max_bytes) + " bytes");
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::optional<int64_t> Fields::Int(std::string_view key, bool required) {
  const json::value* v = Find(key);
  if (v == nullptr) {
    if (required) Error(key, "is required");
    return std::nullopt;
  }
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) {
    Error(key, "is too large");
  } else if (v->is_double()) {
    Error(key, "must be a whole number");
  } else {
    Error(key, "must be an integer");
  }
  return std::nullopt;
}

std::optional<Money> Fields::Fen(std::string_view key, bool required) {
  auto v = Int(key, required);
  if (!v) return std::nullopt;
  if (*v < 0) {
    Error(key, "must not be negative");
    return std::nullopt;
  }
  if (*v > int64_t{1} << 50) {
    Error(key, "is too large");
    return std::nullopt;
  }
  return Money::Fen(*v);
}

std::optional<bool> Fields::Bool(std::string_view key, bool required) {
  const json::value* v = Find(key);
  if (v == nullptr) {
    if (required) Error(key, "is required");
    return std::nullopt;
  }
  if (!v->is_bool()) {
    Error(key, "must be true or false");
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<Instant> Fields::Time(std::string_view key, bool required) {
  auto s = Str(key, required, 64);
  if (!s) return std::nullopt;
  auto t = ParseRfc3339(*s);
  if (!t) Error(key, "must be an RFC 3339 time like 2026-11-01T08:00:00Z");
  return t;
}

Status Fields::Finish() const {
  if (errors_.empty()) return Status::Ok();
  std::string summary;
  for (const auto& e : errors_) summary += (summary.empty() ? "" : "; ") + e.field + ": " + e.message;
  Status s = Status::Unprocessable(summary);
  for (const auto& e : errors_) s = s.WithField(e.field, e.message);
  return s;
}

}  // namespace tousu::http
