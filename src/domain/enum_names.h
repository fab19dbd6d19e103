// A two-way name table for enums, so every enum has exactly one spelling on the wire and in the
// store. Specialise EnumNames<E> with TOUSU_ENUM_NAMES and use ToString / FromString / AllOf.
// Thread-safety: constant data.
#ifndef TOUSU_DOMAIN_ENUM_NAMES_H_
#define TOUSU_DOMAIN_ENUM_NAMES_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tousu {

template <class E>
struct EnumNames;  // specialised per enum: static constexpr std::pair<E, std::string_view> kEntries[]

template <class E>
std::string_view ToString(E value) {
  for (const auto& [v, name] : EnumNames<E>::kEntries) {
    if (v == value) return name;
  }
  return "?";
}

template <class E>
std::optional<E> FromString(std::string_view name) {
  for (const auto& [v, n] : EnumNames<E>::kEntries) {
    if (n == name) return v;
  }
  return std::nullopt;
}

template <class E>
std::vector<E> AllOf() {
  std::vector<E> out;
  for (const auto& [v, n] : EnumNames<E>::kEntries) out.push_back(v);
  return out;
}

// "a, b, c" — the accepted spellings, for error messages.
template <class E>
std::string NamesOf() {
  std::string out;
  for (const auto& [v, n] : EnumNames<E>::kEntries) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace tousu

#define TOUSU_ENUM_NAMES(E, ...)                                              \
  template <>                                                                 \
  struct EnumNames<E> {                                                       \
    static constexpr std::pair<E, std::string_view> kEntries[] = __VA_ARGS__; \
  }

#endif  // TOUSU_DOMAIN_ENUM_NAMES_H_
