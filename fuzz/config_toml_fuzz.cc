// The server's TOML configuration (app/config.h): `tousu serve --config FILE`. The loader reads
// a path, so each input is written to an in-memory file first.
#include <sys/mman.h>
#include <unistd.h>

#include "app/config.h"
#include "fuzz/fuzz_target.h"

TOUSU_FUZZ_TARGET(config_toml) {
  using namespace tousu;
  static const int fd = memfd_create("tousu-fuzz-config", 0);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  FUZZ_CHECK(fd >= 0, "memfd_create failed");
  FUZZ_CHECK(ftruncate(fd, 0) == 0, "ftruncate");
  FUZZ_CHECK(pwrite(fd, data, size, 0) == static_cast<ssize_t>(size), "pwrite");
  auto config = LoadConfigFile(path);
  if (!config.ok()) {
    FUZZ_CHECK(config.status().code() == StatusCode::kInvalidArgument, config.status().ToString());
    return 0;
  }
  // Accepted values are inside the documented ranges.
  FUZZ_CHECK(config->threads >= 0 && config->threads <= 256, "threads");
  FUZZ_CHECK(config->sweep_interval.count() >= 1, "sweep_interval");
  FUZZ_CHECK(config->limits.max_body_bytes >= 1024, "max_body_bytes");
  FUZZ_CHECK(config->limits.max_connections >= 1, "max_connections");
  std::string host;
  uint16_t port = 0;
  (void)ParseListen(config->listen, &host, &port);
  return 0;
}
