#include "store/sql/store_threads.h"

#include <memory>

#include "store/sql/sql_tx.h"

namespace tousu::sql {

void StoreTrainedDictionary(Store& store, TextPacker& packer, std::string bytes) {
  struct Stored {
    std::string bytes;
    int64_t id = 0;
  };
  auto stored = std::make_shared<Stored>(Stored{std::move(bytes)});
  store.Write(
      [stored](WriteTx& tx) -> Status {
        // Both stores' write transactions are SqlTx.
        TOUSU_ASSIGN_OR_RETURN(stored->id, static_cast<SqlTx&>(tx).InsertTextDictionary(kAssessmentDictionary, stored->bytes));
        return Status::Ok();
      },
      [&packer, stored](Status s) {
        // Durable now: every value packed with it commits after it.
        if (s.ok()) s = packer.Adopt(stored->id, std::move(stored->bytes), /*for_packing=*/true);
        if (s.ok()) {
          log::Info("text_dictionary_stored", {{"id", stored->id}});
          return;
        }
        log::Warn("text_dictionary_not_stored", {{"detail", s.ToString()}});
        packer.Dropped();
      });
}

Status CheckInitialised(ReadTx& tx) {
  auto v = tx.GetMeta("initialized_at");
  if (!v.ok()) return v.status();
  return v->has_value() ? Status::Ok() : Status::Unavailable("not initialised");
}

}  // namespace tousu::sql
