// The transparency log, public: anyone may fetch checkpoints, leaves and proofs and check them
// with the log's public key (`tousu key show`). Leaves hold nothing private (evidence/leaf.h).
#include <boost/json.hpp>

#include "evidence/merkle.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/proof_answer.h"

namespace tousu::http {

namespace json = boost::json;

namespace {

const std::set<Role> kPublic{Role::kPublic};

Response NoteResponse(const CheckpointRecord& c) {
  Response resp;
  resp.content_type = "text/plain; charset=utf-8";
  resp.body = c.note;
  resp.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return resp;
}

// The latest checkpoint, signing a new one first when the tree grew since.
StatusOr<Outcome> LatestCheckpoint(const ApiDeps& d) {
  std::optional<CheckpointRecord> current;
  TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(int64_t size, tx.LogSize());
    TOUSU_ASSIGN_OR_RETURN(auto latest, tx.LatestCheckpoint());
    if (latest && latest->tree_size == size) current = std::move(latest);
    return Status::Ok();
  }));
  if (current) return Outcome::Now(NoteResponse(*current));
  return Outcome::Write([checkpoints = d.checkpoints](WriteTx& tx) -> StatusOr<Response> {
    TOUSU_ASSIGN_OR_RETURN(CheckpointRecord c, checkpoints->SignIfGrown(tx));
    return NoteResponse(c);
  });
}

StatusOr<int64_t> RequiredIndex(const Request& req, const std::string& name) {
  TOUSU_ASSIGN_OR_RETURN(auto v, IndexParam(req, name));
  if (!v) return Status::InvalidArgument(name + " is required").WithField(name, "is required");
  return *v;
}

}  // namespace

void AddLogRoutes(Router& r, const ApiDeps& d) {
  r.Add({"GET", "/v1/log/checkpoint", kPublic, BodyKind::kNone,
         [d](Request&) -> StatusOr<Outcome> {
           TOUSU_RETURN_IF_ERROR(RequireVault(d));
           return LatestCheckpoint(d);
         }});
  // The public board's copy of the same note.
  r.Add({"GET", "/v1/public/checkpoint", kPublic, BodyKind::kNone,
         [d](Request&) -> StatusOr<Outcome> {
           TOUSU_RETURN_IF_ERROR(RequireVault(d));
           return LatestCheckpoint(d);
         }});

  r.Add({"GET", "/v1/log/leaves/{index}", kPublic, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_RETURN_IF_ERROR(RequireVault(d));
           TOUSU_ASSIGN_OR_RETURN(int64_t index, ParseIndex("index", req.Param("index")));
           Response resp;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(auto leaf, tx.GetLogLeaf(index));
             if (!leaf) return Status::NotFound("the log has no leaf " + std::to_string(index));
             resp.body = std::move(leaf->leaf);
             return Status::Ok();
           }));
           resp.content_type = "application/octet-stream";
           resp.headers.emplace_back("X-Leaf-Hash", evidence::HashHex(evidence::LeafHash(resp.body)));
           return Outcome::Now(std::move(resp));
         }});

  r.Add({"GET", "/v1/log/consistency", kPublic, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_RETURN_IF_ERROR(RequireVault(d));
           TOUSU_ASSIGN_OR_RETURN(int64_t first, RequiredIndex(req, "first"));
           TOUSU_ASSIGN_OR_RETURN(int64_t second, RequiredIndex(req, "second"));
           json::array proof;
           TOUSU_RETURN_IF_ERROR(d.store.Read([&](ReadTx& tx) -> Status {
             TOUSU_ASSIGN_OR_RETURN(auto hashes, LogConsistencyProof(tx, first, second));
             for (const auto& h : hashes) proof.emplace_back(evidence::HashHex(h));
             return Status::Ok();
           }));
           return Answer(200, {{"first", first}, {"second", second}, {"proof", std::move(proof)}});
         }});

  r.Add({"GET", "/v1/log/inclusion", kPublic, BodyKind::kNone, [d](Request& req) -> StatusOr<Outcome> {
           TOUSU_RETURN_IF_ERROR(RequireVault(d));
           TOUSU_ASSIGN_OR_RETURN(int64_t index, RequiredIndex(req, "index"));
           TOUSU_ASSIGN_OR_RETURN(auto tree_size, IndexParam(req, "tree_size"));
           return ProofAnswer(d, index, std::nullopt, tree_size);
         }});
}

}  // namespace tousu::http
