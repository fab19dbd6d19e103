#include "evidence/canonical_json.h"

#include <algorithm>
#include <boost/json.hpp>

#include "evidence/utf8.h"

namespace tousu::evidence {

namespace json = boost::json;

namespace {

Status WriteString(std::string_view s, std::string& out) {
  if (!IsValidUtf8(s)) return Status::InvalidArgument("a string is not well-formed UTF-8");
  AppendQuotedJson(s, out);
  return Status::Ok();
}

Status Write(const json::value& v, std::string& out, int depth) {
  if (depth > 64) return Status::InvalidArgument("the value is nested too deeply");
  switch (v.kind()) {
    case json::kind::null: out += "null"; return Status::Ok();
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; return Status::Ok();
    case json::kind::int64: out += std::to_string(v.get_int64()); return Status::Ok();
    case json::kind::uint64: out += std::to_string(v.get_uint64()); return Status::Ok();
    case json::kind::double_:
      return Status::InvalidArgument("floating-point numbers have no canonical form here");
    case json::kind::string: return WriteString(v.get_string(), out);
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const json::value& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        TOUSU_RETURN_IF_ERROR(Write(e, out, depth + 1));
      }
      out += ']';
      return Status::Ok();
    }
    case json::kind::object: {
      const json::object& o = v.get_object();
      std::vector<const json::key_value_pair*> members;
      members.reserve(o.size());
      for (const auto& kv : o) members.push_back(&kv);
      std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
        return std::string_view(a->key()) < std::string_view(b->key());
      });
      out += '{';
      for (size_t i = 0; i < members.size(); ++i) {
        if (i > 0) {
          if (members[i - 1]->key() == members[i]->key()) {
            return Status::InvalidArgument("member " + std::string(members[i]->key()) +
                                           " appears twice");
          }
          out += ',';
        }
        TOUSU_RETURN_IF_ERROR(WriteString(members[i]->key(), out));
        out += ':';
        TOUSU_RETURN_IF_ERROR(Write(members[i]->value(), out, depth + 1));
      }
      out += '}';
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("unknown JSON kind");
}

}  // namespace

StatusOr<std::string> CanonicalJson(const json::value& v) {
  std::string out;
  TOUSU_RETURN_IF_ERROR(Write(v, out, 0));
  return out;
}

Status AppendCanonicalJson(const json::value& v, std::string& out) { return Write(v, out, 0); }

Status AppendCanonicalString(std::string_view s, std::string& out) { return WriteString(s, out); }

}  // namespace tousu::evidence
