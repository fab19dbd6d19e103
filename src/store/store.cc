#include "store/store.h"

#include <future>

namespace tousu {

Status NotDurable() {
  return Status::Unavailable("the store could not make writes durable; the server needs a restart, try again later");
}

Status Store::WriteSync(WriteJob job) {
  std::promise<Status> promise;
  auto result = promise.get_future();
  Write(std::move(job), [&promise](Status s) { promise.set_value(std::move(s)); });
  return result.get();
}

}  // namespace tousu
