#include "evidence/proof_bundle.h"

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>

#include "base/crypto.h"
#include "base/encoding.h"
#include "evidence/checkpoint.h"
#include "evidence/leaf.h"

namespace tousu::evidence {

namespace json = boost::json;

namespace {

Status Bad(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("proof field " + field + " " + what);
}

StatusOr<uint64_t> Index(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64() || v->as_int64() < 0) {
    return Bad(std::string(key), "must be a non-negative integer");
  }
  return static_cast<uint64_t>(v->as_int64());
}

StatusOr<Hash> HexHash(const json::value* v, const std::string& field) {
  if (v == nullptr || !v->is_string()) return Bad(field, "must be a hex string");
  auto h = HashFromHex(v->as_string());
  if (!h) return Bad(field, "must be 64 hex digits");
  return *h;
}

std::optional<std::string> OptString(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

// SHA-256 and size of a file, read in chunks.
StatusOr<std::pair<std::string, int64_t>> HashFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path);
  Sha256Hasher hasher;
  std::string buf(1 << 16, '\0');
  int64_t size = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const std::streamsize n = in.gcount();
    if (n <= 0) break;
    hasher.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
    size += n;
  }
  if (in.bad()) return Status::Unavailable("error reading " + path);
  return std::make_pair(HexEncode(DigestBytes(hasher.Finish())), size);
}

}  // namespace

json::object ToJson(const ProofBundle& b) {
  json::array path;
  for (const Hash& h : b.audit_path) path.emplace_back(HashHex(h));
  json::object o{{"log_index", b.log_index},
                 {"leaf_hash", HashHex(b.leaf_hash)},
                 {"tree_size", b.tree_size},
                 {"root_hash", HashHex(b.root)},
                 {"audit_path", std::move(path)},
                 {"checkpoint", b.checkpoint ? json::value(*b.checkpoint) : json::value(nullptr)},
                 {"leaf", b.leaf ? json::value(*b.leaf) : json::value(nullptr)}};
  if (b.content) o["content"] = *b.content;
  return o;
}

StatusOr<ProofBundle> ParseProofBundle(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Status::InvalidArgument("the proof is not a JSON object");
  const json::object& o = v.as_object();
  ProofBundle b;
  TOUSU_ASSIGN_OR_RETURN(b.log_index, Index(o, "log_index"));
  TOUSU_ASSIGN_OR_RETURN(b.tree_size, Index(o, "tree_size"));
  TOUSU_ASSIGN_OR_RETURN(b.leaf_hash, HexHash(o.if_contains("leaf_hash"), "leaf_hash"));
  TOUSU_ASSIGN_OR_RETURN(b.root, HexHash(o.if_contains("root_hash"), "root_hash"));
  const json::value* path = o.if_contains("audit_path");
  if (path == nullptr || !path->is_array()) return Bad("audit_path", "must be an array");
  if (path->as_array().size() > 64) return Bad("audit_path", "is longer than any tree is deep");
  for (size_t i = 0; i < path->as_array().size(); ++i) {
    TOUSU_ASSIGN_OR_RETURN(Hash h, HexHash(&path->as_array()[i], "audit_path[" + std::to_string(i) + "]"));
    b.audit_path.push_back(h);
  }
  b.checkpoint = OptString(o, "checkpoint");
  b.leaf = OptString(o, "leaf");
  b.content = OptString(o, "content");
  return b;
}

StatusOr<NoteVerifier> ParseVerifierKey(std::string_view text, std::string_view origin) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  if (text.size() == 64 && text.find('+') == std::string_view::npos) {
    auto raw = HexDecode(text);
    if (!raw) return Status::InvalidArgument("the key is neither a verifier key nor 64 hex digits");
    return NoteVerifier::FromPublicKey(std::string(origin), *raw);
  }
  return NoteVerifier::FromVerifierKey(text);
}

OfflineResult VerifyOffline(const NoteVerifier& key, std::string_view signed_checkpoint,
                            const ProofBundle& p, const std::optional<std::string>& file_path) {
  OfflineResult r;
  auto step = [&r](std::string part, bool ok, std::string detail) {
    r.steps.push_back({std::move(part), ok, std::move(detail)});
    return ok;
  };

  auto cp = OpenCheckpoint(key, signed_checkpoint);
  if (!step("checkpoint", cp.ok(),
            cp.ok() ? "signed by " + key.VerifierKey() + " for " + cp->origin + ", tree size " +
                          std::to_string(cp->size) + ", root " + HashHex(cp->root)
                    : cp.status().message())) {
    return r;
  }
  if (!step("proof", p.tree_size == cp->size && p.root == cp->root,
            p.tree_size == cp->size && p.root == cp->root
                ? "the proof is for the checkpoint's tree"
                : "the proof is for tree size " + std::to_string(p.tree_size) + " with root " +
                      HashHex(p.root) + ", not the checkpoint's; fetch a proof for tree size " +
                      std::to_string(cp->size))) {
    return r;
  }
  std::optional<LeafFacts> facts;
  if (p.leaf) {
    const bool same = LeafHash(*p.leaf) == p.leaf_hash;
    auto parsed = ParseLeaf(*p.leaf);
    if (!step("leaf", same && parsed.ok(),
              !same ? "the leaf bytes do not hash to leaf_hash " + HashHex(p.leaf_hash)
              : !parsed.ok() ? parsed.status().message()
                             : "the leaf bytes hash to leaf_hash (" + parsed->type + " in complaint " +
                                   parsed->complaint + ")")) {
      return r;
    }
    facts = *parsed;
  }
  if (p.content) {
    const bool ok = facts && Sha256Hex(*p.content) == facts->content_sha256;
    if (!step("content", ok,
              !facts ? "a content document needs the leaf it belongs to"
              : ok   ? "the content document is the one the leaf commits to"
                     : "the content document does not hash to the leaf's content_sha256")) {
      return r;
    }
  }
  Status inclusion = VerifyInclusion(p.log_index, p.tree_size, p.leaf_hash, p.audit_path, cp->root);
  if (!step("inclusion", inclusion.ok(),
            inclusion.ok() ? "leaf " + std::to_string(p.log_index) + " is in the tree of " +
                                 std::to_string(p.tree_size) + " leaves"
                           : inclusion.message())) {
    return r;
  }
  if (file_path) {
    if (!facts || facts->type != "evidence") {
      step("file", false, "the proof carries no evidence leaf to check a file against");
      return r;
    }
    auto hashed = HashFile(*file_path);
    if (!hashed.ok()) {
      step("file", false, hashed.status().message());
      return r;
    }
    const bool ok = hashed->first == facts->file_sha256 && hashed->second == facts->file_size;
    if (!step("file", ok,
              ok ? *file_path + " is the logged evidence " + facts->evidence_id + " (sha256 " +
                       hashed->first + ", " + std::to_string(hashed->second) + " bytes)"
                 : *file_path + " has sha256 " + hashed->first + " and " +
                       std::to_string(hashed->second) + " bytes; the log holds " +
                       facts->file_sha256 + " and " + std::to_string(facts->file_size) + " bytes")) {
      return r;
    }
  }
  r.ok = true;
  return r;
}

}  // namespace tousu::evidence
