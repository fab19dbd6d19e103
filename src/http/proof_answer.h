// Answers shared by the evidence and log routes: inclusion proofs as bundles
// (evidence/proof_bundle.h) against a signed checkpoint, and non-negative integer parameters.
#ifndef TOUSU_HTTP_PROOF_ANSWER_H_
#define TOUSU_HTTP_PROOF_ANSWER_H_

#include <optional>
#include <string>

#include "http/api.h"

namespace tousu::http {

// OK when this Api has the evidence vault and the log (ApiDeps::evidence, checkpoints, blobs);
// Unavailable otherwise.
Status RequireVault(const ApiDeps& d);

// An inclusion proof of leaf `index`, with `content` (the leaf's private document) when the
// caller may see it. Without `tree_size` the proof is against the latest checkpoint; when no
// checkpoint covers the leaf yet, one is signed first (a write). With `tree_size` the proof is
// for that size, and its checkpoint is the one signed at exactly that size, or null.
StatusOr<Outcome> ProofAnswer(const ApiDeps& d, int64_t index, std::optional<std::string> content,
                              std::optional<int64_t> tree_size);

// A decimal integer 0..2^53 from text (digits only: no sign, no space); InvalidArgument naming
// `field` otherwise.
StatusOr<int64_t> ParseIndex(const std::string& field, const std::string& text);
// ?name= as ParseIndex; nullopt when absent or empty.
StatusOr<std::optional<int64_t>> IndexParam(const Request& req, const std::string& name);

}  // namespace tousu::http

#endif  // TOUSU_HTTP_PROOF_ANSWER_H_
