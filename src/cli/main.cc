// tousu: the command line. Thin: each subcommand parses its flags and calls into app/.
//   tousu init  --data DIR
//   tousu serve --data DIR --listen HOST:PORT [--test-clock] [--config FILE]
//   tousu demo  --data DIR
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/config.h"
#include "app/data_dir.h"
#include "app/demo.h"
#include "app/serve.h"

namespace {

int RunInit(const std::string& dir) {
  auto result = tousu::InitDataDir(dir);
  if (!result.ok()) {
    std::fprintf(stderr, "tousu init: %s\n", result.status().ToString().c_str());
    return 1;
  }
  if (!result->created) {
    std::fprintf(stderr, "tousu init: %s is already initialised; nothing changed\n", dir.c_str());
    return 0;
  }
  std::printf("{\"admin_token\": \"%s\"}\n", result->admin_token.c_str());
  std::fprintf(stderr, "tousu init: initialised %s; keep the admin token: it is shown only once\n",
               dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tousu: complaints and dispute resolution for virtual-goods platforms (卡盟)"};
  app.set_version_flag("--version", std::string("tousu ") + TOUSU_VERSION);
  app.require_subcommand(1);

  std::string init_dir;
  auto* init = app.add_subcommand("init", "Create a data directory: the store and the admin token");
  init->add_option("--data", init_dir, "Data directory to create")->required();

  tousu::Config config;
  std::string config_file, data_flag, listen_flag, log_level_flag;
  int threads_flag = -1;
  bool test_clock = false;
  auto* serve = app.add_subcommand("serve", "Serve the HTTP API on a data directory");
  serve->add_option("--config", config_file, "TOML configuration file (flags override it)");
  serve->add_option("--data", data_flag, "Data directory (default ./data)");
  serve->add_option("--listen", listen_flag, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve->add_option("--threads", threads_flag, "HTTP worker threads (default: one per core)")
      ->check(CLI::Range(0, 256));
  serve->add_option("--log-level", log_level_flag, "debug, info, warn, error or off (default info)");
  serve->add_flag("--test-clock", test_clock,
                  "Enable POST /v1/test/clock to move time by hand (for tests; never in production)");

  std::string demo_dir;
  auto* demo = app.add_subcommand("demo", "Load the demo world into an initialised data directory");
  demo->add_option("--data", demo_dir, "Data directory")->required();

  CLI11_PARSE(app, argc, argv);

  if (*init) return RunInit(init_dir);
  if (*demo) return tousu::LoadDemo(demo_dir);
  if (*serve) {
    if (!config_file.empty()) {
      auto loaded = tousu::LoadConfigFile(config_file);
      if (!loaded.ok()) {
        std::fprintf(stderr, "tousu serve: %s\n", loaded.status().message().c_str());
        return 2;
      }
      config = *loaded;
    }
    if (!data_flag.empty()) config.data_dir = data_flag;
    if (!listen_flag.empty()) config.listen = listen_flag;
    if (threads_flag >= 0) config.threads = threads_flag;
    if (!log_level_flag.empty() && !tousu::log::ParseLevel(log_level_flag, &config.log_level)) {
      std::fprintf(stderr, "tousu serve: --log-level must be debug, info, warn, error or off\n");
      return 2;
    }
    config.test_clock = test_clock;
    return tousu::Serve(config);
  }
  return 2;
}
