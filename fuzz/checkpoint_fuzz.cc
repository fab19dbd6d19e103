// What `tousu verify --checkpoint FILE --key KEY --proof FILE` reads: signed notes
// (evidence/note.h), checkpoint text (evidence/checkpoint.h), proof bundles with the leaf and
// content they carry (evidence/proof_bundle.h, evidence/leaf.h) and the --key text. Each input
// goes to every one of them: a seed is either a signed checkpoint or a proof bundle as
// GET .../proof answers, whose "checkpoint" field is then verified as the CLI verifies a file.
// Checks: only InvalidArgument; checkpoint text formats back to the same bytes; a note opens under
// the fixed key below only if it carries the exact signature that key makes for the text returned
// (Ed25519 signatures are deterministic), so nothing the key did not sign is ever accepted; a
// proof bundle's JSON form reads back to the same bundle; an audit path is accepted exactly when
// RFC 6962's recursive definition leads from the leaf to the root.
#include <bit>
#include <boost/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "evidence/checkpoint.h"
#include "evidence/merkle.h"
#include "evidence/note.h"
#include "evidence/proof_bundle.h"
#include "fuzz/fuzz_target.h"

namespace {

using namespace tousu;
using namespace tousu::evidence;

// A fixed test key: seed = SHA-256("tousu fuzz checkpoint key"). The seeds in
// fuzz/corpus/checkpoint were made by a tousu log signing with it.
constexpr std::string_view kSignerKey =
    "PRIVATE+KEY+fuzz.tousu.example/log+5a3b048d+Ad9FYaSymJj6EaekE5YhA+MG5+INCZa67VnJtd257sUF";

const NoteSigner& Signer() {
  static const NoteSigner signer = NoteSigner::FromSignerKey(kSignerKey).value();
  return signer;
}

const NoteVerifier& Verifier() {
  static const NoteVerifier verifier =
      NoteVerifier::FromVerifierKey(Signer().VerifierKey()).value();
  return verifier;
}

void CheckRefusal(const Status& s) {
  FUZZ_CHECK(s.code() == StatusCode::kInvalidArgument, "undocumented error " + s.ToString());
}

// Opens `note` with the fixed key: accepted only with the key's own signature of the text.
void CheckOpen(std::string_view note) {
  auto text = Verifier().Open(note);
  if (!text.ok()) return CheckRefusal(text.status());
  FUZZ_CHECK(note.size() > text->size() + 1 && note.substr(0, text->size()) == *text &&
                 note[text->size()] == '\n',
             "the opened text is not the note's text");
  const std::string own = Signer().Sign(*text).value();
  const std::string_view own_line =
      std::string_view(own).substr(text->size() + 1);  // "— name sig\n"
  const std::string_view sigs = note.substr(text->size() + 1);
  bool found = false;
  for (size_t at = 0; at < sigs.size() && !found;) {
    const size_t end = sigs.find('\n', at) + 1;
    found = sigs.substr(at, end - at) == own_line;
    at = end;
  }
  FUZZ_CHECK(found, "a note opened without the key's signature of its text");

  auto c = OpenCheckpoint(Verifier(), note);
  if (!c.ok()) return CheckRefusal(c.status());
  FUZZ_CHECK(c->origin == Verifier().name(), "a checkpoint of another log opened");
  FUZZ_CHECK(FormatCheckpoint(*c) == *text, "an opened checkpoint formats differently");
}

// The root RFC 6962 §2.1.1 defines for an audit path (ordered from the leaf up): nullopt when
// the path does not fit the leaf's position in a tree of `size` leaves.
std::optional<Hash> ReferenceRoot(uint64_t index, uint64_t size, const Hash& leaf,
                                  std::span<const Hash> path) {
  if (index >= size) return std::nullopt;
  if (size == 1) return path.empty() ? std::optional<Hash>(leaf) : std::nullopt;
  if (path.empty()) return std::nullopt;
  const uint64_t k = std::bit_floor(size - 1);
  const Hash& sibling = path.back();
  const auto below = path.first(path.size() - 1);
  if (index < k) {
    auto left = ReferenceRoot(index, k, leaf, below);
    return left ? std::optional<Hash>(NodeHash(*left, sibling)) : std::nullopt;
  }
  auto right = ReferenceRoot(index - k, size - k, leaf, below);
  return right ? std::optional<Hash>(NodeHash(sibling, *right)) : std::nullopt;
}

bool SameBundle(const ProofBundle& a, const ProofBundle& b) {
  return a.log_index == b.log_index && a.leaf_hash == b.leaf_hash && a.tree_size == b.tree_size &&
         a.root == b.root && a.audit_path == b.audit_path && a.checkpoint == b.checkpoint &&
         a.leaf == b.leaf && a.content == b.content;
}

void CheckBundle(std::string_view input) {
  auto b = ParseProofBundle(input);
  if (!b.ok()) return CheckRefusal(b.status());
  const std::string json = boost::json::serialize(ToJson(*b));
  auto again = ParseProofBundle(json);
  FUZZ_CHECK(again.ok() && SameBundle(*again, *b), "a bundle's JSON does not read back: " + json);

  const auto reference = ReferenceRoot(b->log_index, b->tree_size, b->leaf_hash, b->audit_path);
  const Status inclusion =
      VerifyInclusion(b->log_index, b->tree_size, b->leaf_hash, b->audit_path, b->root);
  FUZZ_CHECK(inclusion.ok() == (reference && *reference == b->root),
             "VerifyInclusion says " + (inclusion.ok() ? std::string("ok") : inclusion.ToString()) +
                 ", RFC 6962 says " + (reference ? HashHex(*reference) : std::string("no root")));

  if (!b->checkpoint) return;
  CheckOpen(*b->checkpoint);
  const OfflineResult r = VerifyOffline(Verifier(), *b->checkpoint, *b, std::nullopt);
  FUZZ_CHECK(!r.steps.empty(), "no step");
  for (size_t i = 0; i + 1 < r.steps.size(); ++i) {
    FUZZ_CHECK(r.steps[i].ok, "went on after a failed step");
  }
  FUZZ_CHECK(r.ok == r.steps.back().ok, "the result is not its last step's");
  if (!r.ok) return;
  auto c = OpenCheckpoint(Verifier(), *b->checkpoint);
  FUZZ_CHECK(c.ok() && c->size == b->tree_size && c->root == b->root,
             "verified against another tree");
  FUZZ_CHECK(inclusion.ok(), "verified without an inclusion proof");
  if (b->leaf) {
    FUZZ_CHECK(LeafHash(*b->leaf) == b->leaf_hash,
               "verified a leaf that does not hash to leaf_hash");
  }
}

void CheckKeyText(std::string_view input) {
  auto key = ParseVerifierKey(input, Verifier().name());
  if (!key.ok()) return CheckRefusal(key.status());
  auto again = NoteVerifier::FromVerifierKey(key->VerifierKey());
  FUZZ_CHECK(
      again.ok() && again->VerifierKey() == key->VerifierKey() && again->key_id() == key->key_id(),
      "a key does not read back: " + key->VerifierKey());
}

}  // namespace

TOUSU_FUZZ_TARGET(checkpoint) {
  using namespace tousu::evidence;
  const std::string_view input = tousu::fuzz::AsText(data, size);
  if (auto c = ParseCheckpoint(input); c.ok()) {
    FUZZ_CHECK(FormatCheckpoint(*c) == input, "checkpoint text does not format back to itself");
  } else {
    CheckRefusal(c.status());
  }
  CheckOpen(input);
  CheckBundle(input);
  CheckKeyText(input);
  return 0;
}
