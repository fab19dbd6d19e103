// Config: everything `tousu serve` can be told, with its default. Read from a TOML file
// (--config) and then overridden by command-line flags. Every option is documented in the
// README's configuration table; unknown keys are an error so that a typo cannot pass silently.
#ifndef TOUSU_APP_CONFIG_H_
#define TOUSU_APP_CONFIG_H_

#include <string>

#include "base/log.h"
#include "base/status.h"
#include "base/time.h"
#include "http/server.h"

namespace tousu {

struct Config {
  std::string data_dir = "./data";
  std::string listen = "127.0.0.1:8080";
  int threads = 0;  // 0: one per core
  log::Level log_level = log::Level::kInfo;
  Duration session_ttl = hours(12);
  Duration sweep_interval = seconds(1);
  bool test_clock = false;
  http::ServerLimits limits;
  // Abuse limits (0 turns a rate limit off).
  double address_per_second = 1000;
  double address_burst = 2000;
  double token_per_second = 200;
  double token_burst = 400;
  int login_free_failures = 5;
  // [evidence]
  int64_t max_upload_bytes = 20 * 1024 * 1024;  // one evidence file; larger uploads are 413
  Duration checkpoint_interval = seconds(60);   // sign a checkpoint this often if the log grew
  // [cache]
  int64_t complaint_cache_bytes = 32 << 20;  // rendered complaint answers, compressed; 0: off
  // [metrics]
  Duration metrics_counts_interval = seconds(15);  // whole-table counts on /metrics: at most this often
};

// Reads a TOML config file over the defaults; the message names the key that is wrong.
StatusOr<Config> LoadConfigFile(const std::string& path);

// "127.0.0.1:8080" / "[::1]:8080" → host, port.
Status ParseListen(const std::string& listen, std::string* host, uint16_t* port);

}  // namespace tousu

#endif  // TOUSU_APP_CONFIG_H_
