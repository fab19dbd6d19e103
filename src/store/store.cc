#include "store/store.h"

#include <future>

namespace tousu {

Status Store::WriteSync(WriteJob job) {
  std::promise<Status> promise;
  auto result = promise.get_future();
  Write(std::move(job), [&promise](Status s) { promise.set_value(std::move(s)); });
  return result.get();
}

}  // namespace tousu
