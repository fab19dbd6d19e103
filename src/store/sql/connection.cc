#include "store/sql/connection.h"

namespace tousu::sql {

int64_t Row::Int(size_t i) const {
  const Value& v = cols_.at(i);
  if (const auto* n = std::get_if<int64_t>(&v)) return *n;
  return 0;
}

std::optional<int64_t> Row::OptInt(size_t i) const {
  const Value& v = cols_.at(i);
  if (const auto* n = std::get_if<int64_t>(&v)) return *n;
  return std::nullopt;
}

const std::string& Row::Text(size_t i) const {
  static const std::string kEmpty;
  const Value& v = cols_.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* b = std::get_if<Blob>(&v)) return b->bytes;
  return kEmpty;
}

}  // namespace tousu::sql
