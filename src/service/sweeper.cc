#include "service/sweeper.h"

#include <future>
#include <set>
#include <tuple>

#include "base/log.h"

namespace tousu {

namespace {
constexpr int kBatch = 512;
using Key = std::tuple<std::string, std::string, DeadlineKind, int64_t>;
}  // namespace

StatusOr<SweepReport> Sweeper::RunDue(Instant now) {
  std::lock_guard lock(mu_);
  SweepReport report;
  std::set<Key> failed;  // skipped for the rest of this run
  for (;;) {
    std::vector<DueDeadline> due;
    TOUSU_RETURN_IF_ERROR(store_.Read([&](ReadTx& tx) -> Status {
      TOUSU_ASSIGN_OR_RETURN(due, tx.DueDeadlines(now, kBatch + static_cast<int>(failed.size())));
      return Status::Ok();
    }));
    // One deadline per complaint per round, its earliest: what one deadline does may create an
    // earlier one (a missed merchant deadline starts the review clock), and a complaint's
    // deadlines must act in the order they fell due.
    std::vector<DueDeadline> todo;
    std::set<std::pair<std::string, std::string>> seen;
    for (auto& d : due) {
      if (failed.count(Key{d.platform_id, d.complaint_id, d.kind, d.due_at.unix_seconds()})) continue;
      if (!seen.insert({d.platform_id, d.complaint_id}).second) continue;
      todo.push_back(std::move(d));
    }
    if (todo.empty()) break;

    struct Outcome {
      std::promise<Status> done;
      std::future<Status> result = done.get_future();
      bool changed = false;
    };
    std::vector<std::unique_ptr<Outcome>> outcomes;
    for (const DueDeadline& d : todo) {
      auto* o = outcomes.emplace_back(std::make_unique<Outcome>()).get();
      store_.Write(
          [this, d, o](WriteTx& tx) -> Status {
            TOUSU_ASSIGN_OR_RETURN(o->changed, complaints_.HandleDeadline(tx, d));
            return Status::Ok();
          },
          [o](Status s) { o->done.set_value(std::move(s)); });
    }
    for (size_t i = 0; i < todo.size(); ++i) {
      Status s = outcomes[i]->result.get();
      const DueDeadline& d = todo[i];
      if (!s.ok()) {
        ++report.failed;
        failed.insert(Key{d.platform_id, d.complaint_id, d.kind, d.due_at.unix_seconds()});
        log::Error("deadline_failed", {{"platform", d.platform_id},
                                       {"complaint", d.complaint_id},
                                       {"deadline", ToString(d.kind)},
                                       {"detail", s.ToString()}});
      } else if (outcomes[i]->changed) {
        ++report.handled;
      } else {
        ++report.dropped;
      }
    }
  }
  if (report.handled + report.failed > 0) {
    log::Info("deadlines_swept", {{"handled", report.handled},
                                  {"dropped", report.dropped},
                                  {"failed", report.failed},
                                  {"now", FormatRfc3339(now)}});
  }
  return report;
}

}  // namespace tousu
