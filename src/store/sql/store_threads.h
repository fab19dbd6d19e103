// What the SQLite and the PostgreSQL store do alike on their threads: calling back into their
// callers, storing a newly trained text dictionary, telling whether the store is initialised.
#ifndef TOUSU_STORE_SQL_STORE_THREADS_H_
#define TOUSU_STORE_SQL_STORE_THREADS_H_

#include <exception>
#include <string>
#include <utility>

#include "base/log.h"
#include "store/sql/text_packer.h"
#include "store/store.h"

namespace tousu::sql {

// Runs a caller's callback on a store thread. One that throws is logged: letting it out would
// end the thread (std::terminate), and with it every later answer.
template <class Fn>
void RunCallback(const char* what, Fn&& fn) noexcept {
  try {
    std::forward<Fn>(fn)();
  } catch (const std::exception& e) {
    log::Error("store_callback_threw", {{"callback", what}, {"what", e.what()}});
  } catch (...) {
    log::Error("store_callback_threw", {{"callback", what}, {"what", "not a std::exception"}});
  }
}

// Stores a dictionary `packer` trained, in a write job of its own on `store` (whose write
// transactions are SqlTx), and has `packer` pack with it once that write is durable, so that
// every value packed with it commits after it; a failed write drops it (it is trained again).
void StoreTrainedDictionary(Store& store, TextPacker& packer, std::string bytes);

// Ok once the store has been initialised (`tousu init` wrote initialized_at); for Ready().
Status CheckInitialised(ReadTx& tx);

}  // namespace tousu::sql

#endif  // TOUSU_STORE_SQL_STORE_THREADS_H_
